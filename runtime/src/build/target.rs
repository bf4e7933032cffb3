//! The Rust targets a build needs, and adding a missing one with rustup.

use std::path::Path;
use std::process::{Command, Stdio};

/// The targets a build command names with `--target T` or `--target=T`.
pub(super) fn named_targets(command: &str) -> Vec<String> {
    let mut words = command.split_whitespace();
    let mut targets = Vec::new();
    while let Some(word) = words.next() {
        let target = match word.strip_prefix("--target=") {
            Some(t) => Some(t.to_owned()),
            None if word == "--target" => words.next().map(str::to_owned),
            None => None,
        };
        if let Some(t) = target.filter(|t| !t.is_empty() && !targets.contains(t)) {
            targets.push(t);
        }
    }
    targets
}

/// The sysroot of the toolchain that cargo uses in `dir` (rust-toolchain.toml
/// applies there), or `None` when rustc cannot be run.
fn sysroot(dir: &Path) -> Option<std::path::PathBuf> {
    let out = Command::new("rustc")
        .args(["--print", "sysroot"])
        .current_dir(dir)
        .stderr(Stdio::null())
        .output()
        .ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().into())
}

fn has_rustup(dir: &Path) -> bool {
    Command::new("rustup")
        .arg("--version")
        .current_dir(dir)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// Makes sure the toolchain used in `dir` has the standard library of
/// `triple`: when it is missing, runs `rustup target add <triple>` (in `dir`,
/// so the toolchain of its rust-toolchain.toml gets it) or, without rustup,
/// stops with the command to run. Without a rustc to ask, leaves the verdict
/// to the build itself.
pub fn ensure_rust_target(triple: &str, dir: &Path) -> Result<(), String> {
    let Some(sysroot) = sysroot(dir) else {
        return Ok(());
    };
    if sysroot
        .join("lib/rustlib")
        .join(triple)
        .join("lib")
        .is_dir()
    {
        return Ok(());
    }
    let command = format!("rustup target add {triple}");
    if !has_rustup(dir) {
        return Err(format!(
            "the Rust target {triple} is not installed in {} and there is no rustup to add it; \
             install it for this toolchain (with rustup: `{command}`) and run again",
            sysroot.display()
        ));
    }
    super::progress::line(&format!(
        "the Rust target {triple} is missing from this toolchain: running `{command}` (a one-time download)"
    ));
    let status = Command::new("rustup")
        .args(["target", "add", triple])
        .current_dir(dir)
        .stdin(Stdio::null())
        .status()
        .map_err(|e| format!("running `{command}`: {e}"))?;
    if !status.success() {
        return Err(format!(
            "`{command}` failed ({status}); run it yourself in {} and start again",
            dir.display()
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::named_targets;

    #[test]
    fn targets_are_read_from_either_spelling_once() {
        assert_eq!(
            named_targets("cargo build --target wasm32-wasip2 --release -p a"),
            ["wasm32-wasip2"]
        );
        assert_eq!(
            named_targets(
                "cargo build --target=wasm32-wasip1 && cargo build --target wasm32-wasip1"
            ),
            ["wasm32-wasip1"]
        );
        assert!(named_targets("npm run build").is_empty());
    }
}
