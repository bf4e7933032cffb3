//! The runtime's error type at its library boundary.

/// Errors from loading or serving an application.
#[derive(Debug, thiserror::Error)]
pub enum RuntimeError {
    /// `spin.toml` is unreadable or invalid.
    #[error("manifest: {0}")]
    Manifest(String),
    /// The runtime configuration file is unreadable or invalid.
    #[error("runtime config: {0}")]
    RuntimeConfig(String),
    /// A required variable has no value, or a template is invalid.
    #[error("variables: {0}")]
    Variables(String),
    /// A component could not be read, compiled or linked.
    #[error("component `{component}`: {message}")]
    Component {
        /// The component id.
        component: String,
        /// What went wrong.
        message: String,
    },
    /// A database could not be opened.
    #[error("database `{name}`: {message}")]
    Database {
        /// The database label.
        name: String,
        /// What went wrong.
        message: String,
    },
    /// A `[component.<id>.build]` command failed.
    #[error("build of component `{component}` failed: {message}")]
    Build {
        /// The component id.
        component: String,
        /// The command's output or the reason.
        message: String,
    },
    /// The wasmtime engine could not be set up.
    #[error("engine: {0}")]
    Engine(String),
    /// An I/O error while serving.
    #[error("io: {0}")]
    Io(#[from] std::io::Error),
}
