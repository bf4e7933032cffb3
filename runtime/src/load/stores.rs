//! Opening the SQLite databases and key-value stores the components use, at
//! the paths of the runtime config or the data directory.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::manifest::Manifest;
use super::runtime_config::RuntimeConfig;
use super::RuntimeOptions;
use crate::error::RuntimeError;
use crate::host::db::{KvStore, SqlitePool};

/// The file of key-value store `label` in the data directory when the runtime
/// config gives it no path: `sqlite_key_value.db` for `default` (Spin's name),
/// `<label>_kv.db` for another store.
pub fn key_value_file(label: &str) -> String {
    if label == "default" {
        "sqlite_key_value.db".to_string()
    } else {
        format!("{label}_kv.db")
    }
}

pub(super) type Stores = (
    HashMap<String, Arc<SqlitePool>>,
    HashMap<String, Arc<KvStore>>,
);

pub(super) fn open_stores(
    manifest: &Manifest,
    config: &RuntimeConfig,
    data_dir: &Path,
    options: &RuntimeOptions,
) -> Result<Stores, RuntimeError> {
    let used_dbs: HashSet<&String> = manifest
        .component
        .values()
        .flat_map(|c| &c.sqlite_databases)
        .collect();
    let used_kv: HashSet<&String> = manifest
        .component
        .values()
        .flat_map(|c| &c.key_value_stores)
        .collect();
    let mut sqlite = HashMap::new();
    for name in used_dbs {
        let path = match (config.sqlite_database.get(name), name.as_str()) {
            (Some(decl), _) => decl
                .path
                .clone()
                .unwrap_or_else(|| data_dir.join(format!("{name}.db"))),
            (None, "default") => options
                .default_database
                .clone()
                .unwrap_or_else(|| data_dir.join("sqlite_db.db")),
            (None, _) => {
                return Err(RuntimeError::Database {
                    name: name.clone(),
                    message: "not defined; add [sqlite_database.<name>] to the runtime config"
                        .into(),
                })
            }
        };
        sqlite.insert(name.clone(), SqlitePool::open(name, &path)?);
    }
    let mut kv = HashMap::new();
    let mut kv_files: HashMap<PathBuf, Arc<SqlitePool>> = HashMap::new();
    for label in used_kv {
        let path = match (config.key_value_store.get(label), label.as_str()) {
            (Some(decl), _) => decl
                .path
                .clone()
                .unwrap_or_else(|| data_dir.join(key_value_file(label))),
            (None, "default") => data_dir.join(key_value_file(label)),
            (None, _) => {
                return Err(RuntimeError::Database {
                    name: label.clone(),
                    message: "not defined; add [key_value_store.<name>] to the runtime config"
                        .into(),
                })
            }
        };
        let pool = match kv_files.get(&path) {
            Some(pool) => pool.clone(),
            None => SqlitePool::open(label, &path)?,
        };
        kv_files.insert(path, pool.clone());
        kv.insert(label.clone(), KvStore::open(label, pool)?);
    }
    Ok((sqlite, kv))
}

#[cfg(test)]
mod tests {
    use super::key_value_file;

    #[test]
    fn key_value_files_follow_the_runtime() {
        assert_eq!(key_value_file("default"), "sqlite_key_value.db");
        assert_eq!(key_value_file("cache"), "cache_kv.db");
    }
}
