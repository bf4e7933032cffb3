//! `spin.toml` (manifest version 2): the parts iems-runtime reads.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::error::RuntimeError;

/// A parsed `spin.toml`, version 2.
#[derive(Debug, Clone, Deserialize)]
pub struct Manifest {
    /// Must be 2.
    pub spin_manifest_version: u32,
    /// The `[application]` table.
    #[serde(default)]
    pub application: Application,
    /// Application variables (`[variables]`).
    #[serde(default)]
    pub variables: BTreeMap<String, VariableDecl>,
    /// Triggers; only `[[trigger.http]]` is served.
    #[serde(default)]
    pub trigger: Triggers,
    /// Components by id (`[component.<id>]`).
    #[serde(default)]
    pub component: BTreeMap<String, ComponentDecl>,
}

/// `[application]`.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct Application {
    /// The application name.
    #[serde(default)]
    pub name: String,
    /// The application version.
    #[serde(default)]
    pub version: Option<String>,
}

/// An application variable declaration.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VariableDecl {
    /// Default value when no provider supplies one.
    #[serde(default)]
    pub default: Option<String>,
    /// The application cannot start without a value.
    #[serde(default)]
    pub required: bool,
    /// The value is never logged.
    #[serde(default)]
    pub secret: bool,
    /// Free text.
    #[serde(default)]
    pub description: Option<String>,
}

/// The `[trigger]` table.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct Triggers {
    /// `[[trigger.http]]` entries.
    #[serde(default)]
    pub http: Vec<HttpTrigger>,
}

/// One `[[trigger.http]]`.
#[derive(Debug, Clone, Deserialize)]
pub struct HttpTrigger {
    /// The route, or `{ private = true }`.
    pub route: RouteDecl,
    /// The component id (inline component tables are not supported).
    pub component: String,
    /// Executor (only the default `spin`/wasi executor is supported).
    #[serde(default)]
    pub executor: Option<toml::Value>,
}

/// A trigger's `route` value.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum RouteDecl {
    /// A route pattern such as `/api/...`.
    Path(String),
    /// `{ private = true }`: reachable only through `*.spin.internal`.
    Private {
        /// Must be true.
        private: bool,
    },
}

/// One `[component.<id>]`.
#[derive(Debug, Clone, Deserialize)]
pub struct ComponentDecl {
    /// Path of the `.wasm` file (relative to the manifest), or a remote source (unsupported).
    pub source: SourceDecl,
    /// Files mounted read-only into the guest.
    #[serde(default)]
    pub files: Vec<FileMount>,
    /// Hosts the component may send HTTP requests to.
    #[serde(default)]
    pub allowed_outbound_hosts: Vec<String>,
    /// SQLite databases the component may open.
    #[serde(default)]
    pub sqlite_databases: Vec<String>,
    /// Key-value stores the component may open.
    #[serde(default)]
    pub key_value_stores: Vec<String>,
    /// Environment variables of the guest.
    #[serde(default)]
    pub environment: HashMap<String, String>,
    /// Component variables: name → template (`"{{ app_var }}"` or a literal).
    #[serde(default)]
    pub variables: BTreeMap<String, String>,
    /// How `iems build` builds it.
    #[serde(default)]
    pub build: Option<BuildDecl>,
    /// Free text.
    #[serde(default)]
    pub description: Option<String>,
}

/// A component's `source`.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum SourceDecl {
    /// A local file.
    Local(String),
    /// `{ url, digest }`; not supported (no downloads).
    Remote {
        /// The URL.
        url: String,
        /// The digest.
        digest: String,
    },
}

/// One entry of `files`.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum FileMount {
    /// A path or glob, mounted at the same relative path.
    Pattern(String),
    /// A directory or file mounted at `destination`.
    Placement {
        /// Host path relative to the manifest.
        source: String,
        /// Guest path.
        destination: String,
    },
}

/// `[component.<id>.build]`.
#[derive(Debug, Clone, Deserialize)]
pub struct BuildDecl {
    /// Shell command.
    pub command: String,
    /// Working directory relative to the manifest.
    #[serde(default)]
    pub workdir: Option<String>,
    /// Watched paths (for `spin watch`; unused).
    #[serde(default)]
    pub watch: Vec<String>,
}

impl Manifest {
    /// Reads and validates a manifest file.
    pub fn from_file(path: &Path) -> Result<Self, RuntimeError> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| RuntimeError::Manifest(format!("cannot read {}: {e}", path.display())))?;
        Self::parse(&text)
    }

    /// Parses and validates manifest text.
    pub fn parse(text: &str) -> Result<Self, RuntimeError> {
        let manifest: Manifest =
            toml::from_str(text).map_err(|e| RuntimeError::Manifest(e.to_string()))?;
        if manifest.spin_manifest_version != 2 {
            return Err(RuntimeError::Manifest(format!(
                "spin_manifest_version {} is not supported (only 2)",
                manifest.spin_manifest_version
            )));
        }
        for trigger in &manifest.trigger.http {
            if !manifest.component.contains_key(&trigger.component) {
                return Err(RuntimeError::Manifest(format!(
                    "trigger refers to unknown component `{}`",
                    trigger.component
                )));
            }
        }
        Ok(manifest)
    }
}

/// The directory holding the manifest (relative paths resolve against it).
pub fn app_dir(manifest_path: &Path) -> PathBuf {
    match manifest_path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// The `CARGO_TARGET_DIR` the components were built with, relative ones taken
/// from `root` (the directory cargo runs in); `None` when unset (cargo's
/// `target/`). What [`RuntimeOptions::target_dir`](crate::RuntimeOptions::target_dir) wants.
pub fn cargo_target_dir(root: &Path) -> Option<PathBuf> {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .map(|dir| {
            if dir.is_relative() {
                root.join(dir)
            } else {
                dir
            }
        })
}
