//! The wasmtime engine: component model, epoch interruption, the on-disk
//! compilation cache and the pooling allocator; and the thread that advances
//! the epoch.

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use wasmtime::{Config, Engine, InstanceAllocationStrategy, PoolingAllocationConfig};

use super::RuntimeOptions;
use crate::error::RuntimeError;

/// How often the epoch advances; the time limit's granularity.
pub(crate) const EPOCH_TICK: Duration = Duration::from_millis(10);

pub(super) fn engine(options: &RuntimeOptions) -> Result<Engine, RuntimeError> {
    let mut config = Config::new();
    config.wasm_component_model(true).epoch_interruption(true);
    // Component-model async (streams, futures, async imports and exports):
    // what Spin 4's `spin:mysql/mysql@3.0.0` needs; see the `spin-mysql3`
    // feature in Cargo.toml for why it is opt-in.
    #[cfg(feature = "spin-mysql3")]
    config.wasm_component_model_async(true);
    let cache_dir = options.cache_dir.clone().unwrap_or_else(default_cache_dir);
    let mut cache_config = wasmtime::CacheConfig::new();
    cache_config.with_directory(cache_dir);
    match wasmtime::Cache::new(cache_config) {
        Ok(cache) => {
            config.cache(Some(cache));
        }
        Err(e) => tracing::warn!("compilation cache disabled: {e}"),
    }
    let mut pooling = PoolingAllocationConfig::default();
    pooling
        .total_component_instances(options.limits.max_instances)
        .total_memories(options.limits.max_instances)
        .total_tables(options.limits.max_instances * 2)
        .max_memory_size(options.limits.memory_bytes);
    tune_slot_reset(&mut pooling);
    let mut pooled = config.clone();
    pooled.allocation_strategy(InstanceAllocationStrategy::Pooling(pooling));
    match Engine::new(&pooled) {
        Ok(engine) => Ok(engine),
        Err(e) => {
            tracing::warn!("pooling allocator unavailable ({e}); allocating on demand");
            Engine::new(&config).map_err(|e| RuntimeError::Engine(e.to_string()))
        }
    }
}

/// How a freed instance slot is made ready for the next request: every
/// request gets a fresh instance, so this runs once per request.
///
/// Returning pages with `madvise` makes the kernel flush the TLB of every core
/// the process runs on (an inter-processor interrupt each time) and costs a
/// page fault on each page the next instance touches; profiled under load,
/// that and a `memset` of the whole kept region took about a third of the
/// server's CPU. Where Linux offers the `PAGEMAP_SCAN` ioctl (6.7+), Wasmtime
/// finds the pages the instance actually dirtied and resets only those with
/// `memset`, keeping them mapped, so a larger resident region costs nothing
/// per request. Elsewhere the whole kept region is cleared with `memset`, so
/// it stays small.
fn tune_slot_reset(pooling: &mut PoolingAllocationConfig) {
    const MIB: usize = 1024 * 1024;
    if PoolingAllocationConfig::is_pagemap_scan_available() {
        pooling
            .pagemap_scan(wasmtime::Enabled::Yes)
            // Dirtied pages stay resident up to this size per warm slot (at
            // most 100 warm slots: wasmtime's `max_unused_warm_slots`).
            .linear_memory_keep_resident(8 * MIB)
            .table_keep_resident(MIB);
    } else {
        pooling
            .linear_memory_keep_resident(2 * MIB)
            .table_keep_resident(64 * 1024);
    }
}

fn default_cache_dir() -> PathBuf {
    let base = std::env::var_os("XDG_CACHE_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache")))
        .unwrap_or_else(std::env::temp_dir);
    base.join("iems").join("wasmtime")
}

pub(super) fn spawn_ticker(engine: Engine, stop: Arc<AtomicBool>) {
    std::thread::Builder::new()
        .name("iems-epoch".into())
        .spawn(move || {
            while !stop.load(Ordering::Relaxed) {
                std::thread::sleep(EPOCH_TICK);
                engine.increment_epoch();
            }
        })
        .expect("spawning the epoch thread");
}
