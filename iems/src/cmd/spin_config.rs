//! `iems spin-config`: the files with which Spin itself (`spin up`) serves
//! `spin.toml` on the data of `iems up`: a `runtime-config.toml` naming the
//! SQLite database and key-value stores in the data directory, and a `spin.env`
//! with the token keys as `SPIN_VARIABLE_*` lines for the shell.
//!
//! The paths are those `iems up` uses, absolute (Spin resolves relative ones
//! against the current directory), so `spin up` and
//! `iems serve-functions --runtime-config-file` read the same files. Both keep
//! key-value entries in the same SQLite layout (`spin_key_value` table).

use std::collections::BTreeSet;
use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::Context;
use clap::Args;
use iems_runtime::manifest::Manifest;

use crate::up::keys;

/// The runtime configuration file written.
pub const RUNTIME_CONFIG_FILE: &str = "runtime-config.toml";
/// The environment file written (holds the private key: mode 0600).
pub const ENV_FILE: &str = "spin.env";
/// The database of `iems up` in its data directory.
pub const DATABASE_FILE: &str = "iems.db";

/// Arguments of `iems spin-config`.
#[derive(Debug, Clone, Args)]
pub struct SpinConfigArgs {
    /// Data directory of `iems up`: database, keys (generated when missing), key-value store.
    #[arg(long, env = "IEMS_DATA", default_value = ".data")]
    pub data: PathBuf,
    /// Where to write runtime-config.toml and spin.env (default: the data directory).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// The Spin application manifest (its components' `key_value_stores`).
    #[arg(long, env = "IEMS_MANIFEST", default_value = "spin.toml")]
    pub manifest: PathBuf,
}

/// What `iems spin-config` wrote.
#[derive(Debug, Clone)]
pub struct Written {
    /// The data directory, absolute.
    pub data: PathBuf,
    /// The runtime configuration file.
    pub runtime_config: PathBuf,
    /// The environment file with the key variables.
    pub env_file: PathBuf,
    /// The database named as `default`.
    pub database: PathBuf,
    /// Key-value store labels and their files.
    pub key_value_stores: Vec<(String, PathBuf)>,
    /// Whether the key pair was generated now.
    pub generated_keys: bool,
}

impl Written {
    /// The shell lines that serve the application with Spin on these files.
    pub fn spin_command(&self) -> String {
        self.with_env("spin up")
    }

    /// The same on iems' own runtime (it reads `SPIN_VARIABLE_*` as Spin does).
    pub fn serve_command(&self) -> String {
        self.with_env("iems serve-functions")
    }

    fn with_env(&self, program: &str) -> String {
        format!(
            "set -a; . {}; set +a\n{program} --runtime-config-file {}",
            shell_quote(&self.env_file.to_string_lossy()),
            shell_quote(&self.runtime_config.to_string_lossy())
        )
    }
}

/// Writes the files and prints how to run Spin with them.
pub fn run(args: SpinConfigArgs) -> anyhow::Result<()> {
    let written = write(&args)?;
    if written.generated_keys {
        println!(
            "generated the token signing key pair in {}",
            written.data.join("keys").display()
        );
    }
    println!("wrote {}", written.runtime_config.display());
    println!("wrote {} (mode 0600)", written.env_file.display());
    if !written.database.exists() {
        println!(
            "note: {} does not exist yet: run `iems up` once (migrates it and creates the first \
             admin) or `iems migrate --database-url {}`",
            written.database.display(),
            shell_quote(&format!("sqlite://{}", written.database.display()))
        );
    }
    println!("\nafter `spin build`, from the directory of spin.toml:\n");
    println!("{}", written.spin_command());
    println!("\nor on iems' own runtime:\n");
    println!("{}", written.serve_command());
    Ok(())
}

/// Writes `runtime-config.toml` and `spin.env` for the data directory of `args`.
pub fn write(args: &SpinConfigArgs) -> anyhow::Result<Written> {
    let data = absolute_dir(&args.data)?;
    let out = match &args.out {
        Some(out) => absolute_dir(out)?,
        None => data.clone(),
    };
    let manifest = Manifest::from_file(&args.manifest)
        .context("reading the application manifest (--manifest)")?;
    let labels: BTreeSet<&String> = manifest
        .component
        .values()
        .flat_map(|c| &c.key_value_stores)
        .collect();
    let database = data.join(DATABASE_FILE);
    let key_value_stores: Vec<(String, PathBuf)> = labels
        .into_iter()
        .map(|label| {
            (
                label.clone(),
                data.join(iems_runtime::key_value_file(label)),
            )
        })
        .collect();
    let (pair, generated_keys) = keys::load_or_generate(&data)?;

    let runtime_config = out.join(RUNTIME_CONFIG_FILE);
    let text = runtime_config_text(&database, &key_value_stores)?;
    std::fs::write(&runtime_config, text)
        .with_context(|| format!("writing {}", runtime_config.display()))?;

    let env_file = out.join(ENV_FILE);
    let env = env_text(&[
        ("jwt_public_key", &pair.public_pem),
        ("jwt_private_key", &pair.private_pem),
    ]);
    write_secret(&env_file, &env)?;
    Ok(Written {
        data,
        runtime_config,
        env_file,
        database,
        key_value_stores,
        generated_keys,
    })
}

/// Creates `dir` if needed and returns it absolute.
fn absolute_dir(dir: &Path) -> anyhow::Result<PathBuf> {
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    dir.canonicalize()
        .with_context(|| format!("resolving {}", dir.display()))
}

fn path_str(path: &Path) -> anyhow::Result<&str> {
    path.to_str().with_context(|| {
        format!(
            "{} is not UTF-8: a TOML file cannot name it",
            path.display()
        )
    })
}

/// Spin's runtime configuration: `[sqlite_database.default]` and one
/// `[key_value_store.<label>]` per store, all `type = "spin"` with a path.
fn runtime_config_text(
    database: &Path,
    key_value_stores: &[(String, PathBuf)],
) -> anyhow::Result<String> {
    let mut text = String::from(
        "# Written by `iems spin-config`: the data of `iems up`, for\n\
         # `spin up --runtime-config-file` and `iems serve-functions --runtime-config-file`.\n",
    );
    let mut table = |kind: &str, label: &str, path: &Path| -> anyhow::Result<()> {
        let bare = !label.is_empty()
            && label
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
        let key = if bare {
            label.to_string()
        } else {
            toml::Value::from(label).to_string()
        };
        let path = toml::Value::from(path_str(path)?);
        text.push_str(&format!(
            "\n[{kind}.{key}]\ntype = \"spin\"\npath = {path}\n"
        ));
        Ok(())
    };
    table("sqlite_database", "default", database)?;
    for (label, path) in key_value_stores {
        table("key_value_store", label, path)?;
    }
    Ok(text)
}

/// `SPIN_VARIABLE_<NAME>='value'` lines; single quotes keep multi-line PEMs
/// exact when the file is sourced by a POSIX shell.
fn env_text(variables: &[(&str, &str)]) -> String {
    let mut text = String::from(
        "# Written by `iems spin-config`. Secret (the token signing key): keep it 0600.\n\
         # Load into a shell with: set -a; . ./spin.env; set +a\n",
    );
    for (name, value) in variables {
        text.push_str(&format!(
            "SPIN_VARIABLE_{}={}\n",
            name.to_ascii_uppercase(),
            shell_quote(value)
        ));
    }
    text
}

/// A POSIX shell single-quoted word: `'` becomes `'\''`.
pub fn shell_quote(value: &str) -> String {
    format!("'{}'", value.replace('\'', r"'\''"))
}

/// Writes `text` to `path` readable by the owner only: a 0600 temporary file
/// in the same directory, renamed over the target (so the secret is never in
/// a file with wider permissions, even when `path` existed with them).
fn write_secret(path: &Path, text: &str) -> anyhow::Result<()> {
    let dir = path.parent().unwrap_or_else(|| Path::new("."));
    let mut file = tempfile::NamedTempFile::new_in(dir)
        .with_context(|| format!("creating a temporary file in {}", dir.display()))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        file.as_file()
            .set_permissions(std::fs::Permissions::from_mode(0o600))
            .with_context(|| format!("restricting {}", file.path().display()))?;
    }
    file.write_all(text.as_bytes())
        .with_context(|| format!("writing {}", path.display()))?;
    file.persist(path)
        .with_context(|| format!("writing {}", path.display()))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_single_quotes_for_the_shell() {
        assert_eq!(shell_quote("a b"), "'a b'");
        assert_eq!(shell_quote("it's"), r"'it'\''s'");
        assert_eq!(shell_quote("x\ny\n"), "'x\ny\n'");
    }
}
