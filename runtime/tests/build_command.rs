//! `iems build`: each component's build command runs in its workdir; a failure names the component.

use std::path::Path;

fn manifest(dir: &Path, command: &str) -> std::path::PathBuf {
    std::fs::create_dir_all(dir.join("comp")).unwrap();
    let text = format!(
        "spin_manifest_version = 2\n[application]\nname = \"b\"\n\
         [component.first]\nsource = \"x.wasm\"\n[component.first.build]\ncommand = \"{command}\"\nworkdir = \"comp\"\n"
    );
    let path = dir.join("spin.toml");
    std::fs::write(&path, text).unwrap();
    path
}

#[test]
fn build_runs_in_workdir() {
    let dir = tempfile::tempdir().unwrap();
    let path = manifest(dir.path(), "echo built > marker.txt");
    assert_eq!(
        iems_runtime::build(&path).unwrap(),
        vec!["first".to_owned()]
    );
    let marker = std::fs::read_to_string(dir.path().join("comp/marker.txt")).unwrap();
    assert_eq!(marker.trim(), "built");
}

#[test]
fn failing_build_names_component_and_output() {
    let dir = tempfile::tempdir().unwrap();
    let path = manifest(dir.path(), "echo broken-output; exit 3");
    let err = iems_runtime::build(&path).unwrap_err().to_string();
    assert!(
        err.contains("first") && err.contains("broken-output"),
        "{err}"
    );
}
