//! Builds the dashboard (`frontend/dist`) when it is missing or older than its sources.

use anyhow::{bail, Context};
use std::path::Path;
use std::process::Command;
use std::time::{Instant, SystemTime};

/// Sources whose change makes the build stale.
const SOURCES: [&str; 6] = [
    "src",
    "index.html",
    "package.json",
    "package-lock.json",
    "vite.config.ts",
    "public",
];

fn newest(path: &Path) -> Option<SystemTime> {
    let meta = std::fs::metadata(path).ok()?;
    let own = meta.modified().ok();
    if !meta.is_dir() {
        return own;
    }
    std::fs::read_dir(path)
        .ok()?
        .filter_map(|e| e.ok())
        .filter_map(|e| newest(&e.path()))
        .chain(own)
        .max()
}

/// True when `frontend/dist/index.html` is missing or older than any source.
pub fn is_stale(frontend: &Path) -> bool {
    let Some(built) = std::fs::metadata(frontend.join("dist").join("index.html"))
        .and_then(|m| m.modified())
        .ok()
    else {
        return true;
    };
    SOURCES
        .iter()
        .filter_map(|s| newest(&frontend.join(s)))
        .any(|t| t > built)
}

/// Runs npm under `what` (a step such as `installing its packages`), saying
/// when it starts and how long it took, one plain line each.
fn npm(frontend: &Path, what: &str, args: &[&str]) -> anyhow::Result<()> {
    let started = Instant::now();
    eprintln!("dashboard: {what} (npm {})", args.join(" "));
    let status = Command::new("npm")
        .args(args)
        .current_dir(frontend)
        .stdin(std::process::Stdio::null())
        .status()
        .context("running npm (is Node.js 20 installed?)")?;
    if !status.success() {
        bail!(
            "npm {} failed in {} ({status})",
            args.join(" "),
            frontend.display()
        );
    }
    eprintln!(
        "dashboard: {what}: done in {:.0} s",
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

/// Installs the npm packages if needed and builds `frontend/dist` if stale.
pub fn ensure_built(frontend: &Path) -> anyhow::Result<()> {
    if !frontend.join("package.json").exists() {
        tracing::warn!(
            "no frontend at {}; serving the API only",
            frontend.display()
        );
        return Ok(());
    }
    if !is_stale(frontend) {
        return Ok(());
    }
    if !frontend.join("node_modules").exists() {
        npm(
            frontend,
            "installing its packages, once",
            &["ci", "--no-audit", "--no-fund"],
        )?;
    }
    npm(frontend, "building frontend/dist", &["run", "build"])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stale_until_dist_is_newer_than_sources() {
        let dir = tempfile::tempdir().unwrap();
        let fe = dir.path();
        std::fs::create_dir_all(fe.join("src")).unwrap();
        std::fs::write(fe.join("src").join("main.tsx"), "x").unwrap();
        assert!(is_stale(fe), "no dist yet");
        std::thread::sleep(std::time::Duration::from_millis(20));
        std::fs::create_dir_all(fe.join("dist")).unwrap();
        std::fs::write(fe.join("dist").join("index.html"), "x").unwrap();
        assert!(!is_stale(fe));
        std::thread::sleep(std::time::Duration::from_millis(20));
        std::fs::write(fe.join("src").join("main.tsx"), "y").unwrap();
        assert!(is_stale(fe), "a source changed after the build");
    }
}
