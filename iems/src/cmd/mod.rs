//! One module per sub-command.

pub mod broker_adapter;
pub mod build;
pub mod dead_letters;
pub mod fn_metrics;
pub mod ingest;
pub mod insight;
pub mod migrate;
pub mod ops;
pub mod serve;
pub mod simulate;
pub mod spin_config;
pub mod ws_hub;
