//! `iems build`: runs the `[component.<id>.build]` commands of `spin.toml`.

use std::path::PathBuf;

use anyhow::Context;
use clap::Args;

/// Arguments of `iems build`.
#[derive(Debug, Args)]
pub struct BuildArgs {
    /// The application manifest.
    #[arg(long, env = "IEMS_MANIFEST", default_value = "spin.toml")]
    pub manifest: PathBuf,
}

/// Builds every component that has a build command.
pub fn run(args: BuildArgs) -> anyhow::Result<()> {
    let built = iems_runtime::build(&args.manifest)
        .with_context(|| format!("building {}", args.manifest.display()))?;
    tracing::info!(
        components = built.len(),
        "build finished: {}",
        built.join(", ")
    );
    Ok(())
}
