//! `iems build`: runs each component's `[component.<id>.build]` command, as `spin build` does.
//!
//! Before the first command, each Rust target named by a command's
//! `--target` is checked and, when missing, added with rustup (a toolchain
//! that rustup installed earlier does not get the targets of
//! `rust-toolchain.toml` by itself). While a command runs, its output is
//! shown as progress: see [`progress`].

mod progress;
mod target;

use std::path::Path;
use std::process::{Command, Stdio};

use crate::error::RuntimeError;
use crate::load::manifest::{self, Manifest};

pub use target::ensure_rust_target;

/// Runs every build command in its `workdir` (relative to the manifest), in
/// component order; fails with the component's id and output on the first
/// failure. Progress goes to stderr, one line per step when stderr is not a
/// terminal.
pub fn build(manifest_path: &Path) -> Result<Vec<String>, RuntimeError> {
    let manifest = Manifest::from_file(manifest_path)?;
    let app_dir = manifest::app_dir(manifest_path);
    let steps: Vec<_> = manifest
        .component
        .iter()
        .filter_map(|(id, component)| component.build.as_ref().map(|b| (id, b)))
        .collect();
    let mut checked = Vec::new();
    for (id, build) in &steps {
        for triple in target::named_targets(&build.command) {
            if !checked.contains(&triple) {
                ensure_rust_target(&triple, &app_dir).map_err(|message| RuntimeError::Build {
                    component: (*id).clone(),
                    message,
                })?;
                checked.push(triple);
            }
        }
    }
    let total = steps.len();
    let mut built = Vec::new();
    for (n, (id, build)) in steps.into_iter().enumerate() {
        let workdir = match &build.workdir {
            Some(dir) => app_dir.join(dir),
            None => app_dir.clone(),
        };
        tracing::debug!(component = %id, command = %build.command, workdir = %workdir.display(), "building");
        let label = format!("[{}/{total}] {id}", n + 1);
        let report = progress::Report::start(&label, &build.command);
        let child = shell(&build.command)
            .current_dir(&workdir)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| RuntimeError::Build {
                component: id.clone(),
                message: format!("`{}`: {e}", build.command),
            })?;
        let (status, output) = report.follow(child).map_err(|e| RuntimeError::Build {
            component: id.clone(),
            message: format!("`{}`: {e}", build.command),
        })?;
        if !status.success() {
            return Err(RuntimeError::Build {
                component: id.clone(),
                message: format!("`{}` exited with {status}\n{output}", build.command),
            });
        }
        report.done();
        built.push(id.clone());
    }
    Ok(built)
}

#[cfg(unix)]
fn shell(command: &str) -> Command {
    let mut c = Command::new("sh");
    c.arg("-c").arg(command);
    c
}

#[cfg(not(unix))]
fn shell(command: &str) -> Command {
    let mut c = Command::new("cmd");
    c.arg("/C").arg(command);
    c
}
