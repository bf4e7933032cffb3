//! `iems build`: runs each component's `[component.<id>.build]` command, as `spin build` does.

use std::path::Path;
use std::process::Command;

use crate::error::RuntimeError;
use crate::manifest::{self, Manifest};

/// Runs every build command in its `workdir` (relative to the manifest), in
/// component order; fails with the component's id and output on the first failure.
pub fn build(manifest_path: &Path) -> Result<Vec<String>, RuntimeError> {
    let manifest = Manifest::from_file(manifest_path)?;
    let app_dir = manifest::app_dir(manifest_path);
    let mut built = Vec::new();
    for (id, component) in &manifest.component {
        let Some(build) = &component.build else {
            continue;
        };
        let workdir = match &build.workdir {
            Some(dir) => app_dir.join(dir),
            None => app_dir.clone(),
        };
        tracing::info!(component = %id, command = %build.command, workdir = %workdir.display(), "building");
        let output = shell(&build.command)
            .current_dir(&workdir)
            .output()
            .map_err(|e| RuntimeError::Build {
                component: id.clone(),
                message: e.to_string(),
            })?;
        if !output.status.success() {
            let message = format!(
                "`{}` exited with {}\n{}{}",
                build.command,
                output.status,
                String::from_utf8_lossy(&output.stdout),
                String::from_utf8_lossy(&output.stderr)
            );
            return Err(RuntimeError::Build {
                component: id.clone(),
                message,
            });
        }
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
