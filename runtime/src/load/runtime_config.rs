//! Spin's `runtime-config.toml`: `[sqlite_database.<name>]` and `[key_value_store.<name>]`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::error::RuntimeError;

/// The parts of a runtime configuration file iems-runtime understands.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct RuntimeConfig {
    /// SQLite databases by label.
    #[serde(default)]
    pub sqlite_database: BTreeMap<String, StoreDecl>,
    /// Key-value stores by label.
    #[serde(default)]
    pub key_value_store: BTreeMap<String, StoreDecl>,
}

/// A database or store: only `type = "spin"` (a local SQLite file) is supported.
#[derive(Debug, Clone, Deserialize)]
pub struct StoreDecl {
    /// Backend type; `spin` is the local SQLite file.
    #[serde(rename = "type")]
    pub kind: String,
    /// File path; relative paths resolve against the current directory, as in Spin.
    #[serde(default)]
    pub path: Option<PathBuf>,
}

impl RuntimeConfig {
    /// Reads a runtime configuration file.
    pub fn from_file(path: &Path) -> Result<Self, RuntimeError> {
        let text = std::fs::read_to_string(path).map_err(|e| {
            RuntimeError::RuntimeConfig(format!("cannot read {}: {e}", path.display()))
        })?;
        Self::parse(&text)
    }

    /// Parses runtime configuration text; rejects unsupported backends.
    pub fn parse(text: &str) -> Result<Self, RuntimeError> {
        let config: RuntimeConfig =
            toml::from_str(text).map_err(|e| RuntimeError::RuntimeConfig(e.to_string()))?;
        let all = config.sqlite_database.iter().chain(&config.key_value_store);
        for (name, decl) in all {
            if decl.kind != "spin" {
                return Err(RuntimeError::RuntimeConfig(format!(
                    "`{name}`: type `{}` is not supported (only `spin`)",
                    decl.kind
                )));
            }
        }
        Ok(config)
    }
}
