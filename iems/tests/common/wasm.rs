//! Building the function components of `spin.toml` once per test binary and
//! writing a copy of the manifest that points at the built files.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

/// The workspace root.
pub fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("workspace root")
        .to_path_buf()
}

/// The target directory the test binary was built in.
pub fn target_dir() -> PathBuf {
    Path::new(env!("CARGO_TARGET_TMPDIR"))
        .parent()
        .expect("target dir")
        .to_path_buf()
}

/// The `-p <package>` of a component's build command.
fn package_of(component: &toml::Table) -> Option<String> {
    let command = component.get("build")?.get("command")?.as_str()?;
    let words: Vec<&str> = command.split_whitespace().collect();
    let at = words.iter().position(|w| *w == "-p")?;
    words.get(at + 1).map(|s| s.to_string())
}

/// Package names of the crates under `functions/`.
fn function_packages() -> Vec<String> {
    let mut names = Vec::new();
    for entry in std::fs::read_dir(workspace().join("functions"))
        .expect("functions dir")
        .flatten()
    {
        let Ok(text) = std::fs::read_to_string(entry.path().join("Cargo.toml")) else {
            continue;
        };
        let Ok(table) = text.parse::<toml::Table>() else {
            continue;
        };
        if let Some(name) = table
            .get("package")
            .and_then(|p| p.get("name"))
            .and_then(|n| n.as_str())
        {
            names.push(name.to_string());
        }
    }
    names
}

fn manifest() -> toml::Table {
    let text = std::fs::read_to_string(workspace().join("spin.toml")).expect("spin.toml");
    text.parse().expect("spin.toml parses")
}

/// The components whose crates exist, with their packages: built once, into
/// a target directory of their own (the outer `cargo test` holds the main one).
fn built() -> &'static (PathBuf, Vec<(String, String)>) {
    static BUILT: OnceLock<(PathBuf, Vec<(String, String)>)> = OnceLock::new();
    BUILT.get_or_init(|| {
        let available = function_packages();
        let manifest = manifest();
        let components = manifest
            .get("component")
            .and_then(|c| c.as_table())
            .expect("components");
        let chosen: Vec<(String, String)> = components
            .iter()
            .filter_map(|(id, c)| Some((id.clone(), package_of(c.as_table()?)?)))
            .filter(|(_, pkg)| available.contains(pkg))
            .collect();
        let target = std::env::var_os("IEMS_TEST_WASM_TARGET")
            .map(PathBuf::from)
            .unwrap_or_else(|| target_dir().join("wasm-functions"));
        let mut cmd = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
        cmd.current_dir(workspace())
            .args(["build", "--target", "wasm32-wasip2", "--release"]);
        for (_, pkg) in &chosen {
            cmd.args(["-p", pkg]);
        }
        let status = cmd
            .env("CARGO_TARGET_DIR", &target)
            .status()
            .expect("running cargo build");
        assert!(status.success(), "building the function components failed");
        (target.join("wasm32-wasip2").join("release"), chosen)
    })
}

/// Writes `dir/spin.toml`: the workspace manifest with only the built components,
/// absolute `source` paths and absolute `files` mounts.
pub fn write_manifest(dir: &Path) -> PathBuf {
    let (wasm_dir, chosen) = built();
    let mut manifest = manifest();
    let keep: Vec<&String> = chosen.iter().map(|(id, _)| id).collect();
    if let Some(triggers) = manifest
        .get_mut("trigger")
        .and_then(|t| t.get_mut("http"))
        .and_then(|h| h.as_array_mut())
    {
        triggers.retain(|t| {
            t.get("component")
                .and_then(|c| c.as_str())
                .is_some_and(|c| keep.iter().any(|k| *k == c))
        });
    }
    let components = manifest
        .get_mut("component")
        .and_then(|c| c.as_table_mut())
        .expect("components");
    let drop: Vec<String> = components
        .keys()
        .filter(|id| !keep.contains(id))
        .cloned()
        .collect();
    for id in drop {
        components.remove(&id);
    }
    for (_, component) in components.iter_mut() {
        let component = component.as_table_mut().expect("component table");
        component.remove("build");
        if let Some(source) = component
            .get("source")
            .and_then(|s| s.as_str())
            .map(str::to_string)
        {
            let file = Path::new(&source).file_name().expect("wasm file name");
            component.insert(
                "source".into(),
                wasm_dir.join(file).display().to_string().into(),
            );
        }
        if let Some(files) = component.get_mut("files").and_then(|f| f.as_array_mut()) {
            for mount in files.iter_mut() {
                if let Some(src) = mount
                    .get("source")
                    .and_then(|s| s.as_str())
                    .map(str::to_string)
                {
                    let mut abs = workspace().join(&src);
                    if !abs.exists() {
                        abs = dir.join("empty-mount");
                        std::fs::create_dir_all(&abs).unwrap();
                    }
                    mount
                        .as_table_mut()
                        .unwrap()
                        .insert("source".into(), abs.display().to_string().into());
                }
            }
        }
    }
    let path = dir.join("spin.toml");
    std::fs::write(
        &path,
        toml::to_string(&manifest).expect("manifest serializes"),
    )
    .unwrap();
    path
}
