//! `iems spin-config`: the runtime config names the files of `iems up`'s data
//! directory (absolute), both Spin's format and our runtime's parser accept it,
//! and `spin.env` gives the exact PEMs back when a shell sources it.

use std::path::{Path, PathBuf};
use std::process::Command;

use iems::cmd::spin_config::{self, SpinConfigArgs};
use iems::up::keys;

fn manifest() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("workspace root")
        .join("spin.toml")
}

/// The value of `variable` after `set -a; . env_file; set +a` in bash, byte for byte.
fn sourced(env_file: &Path, variable: &str) -> Vec<u8> {
    let output = Command::new("bash")
        .arg("-c")
        .arg(format!(
            "set -eu; set -a; . \"$1\"; set +a; printf '%s' \"${variable}\""
        ))
        .arg("bash")
        .arg(env_file)
        .output()
        .expect("running bash");
    assert!(
        output.status.success(),
        "sourcing {} failed: {}",
        env_file.display(),
        String::from_utf8_lossy(&output.stderr)
    );
    output.stdout
}

#[cfg(unix)]
fn mode(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

fn string<'a>(doc: &'a toml::Table, table: &str, name: &str, key: &str) -> &'a str {
    doc[table][name][key]
        .as_str()
        .unwrap_or_else(|| panic!("{table}.{name}.{key} is not a string"))
}

#[test]
fn writes_a_runtime_config_and_an_env_file_on_the_data_of_iems_up() {
    let tmp = tempfile::tempdir().unwrap();
    // A quote and a space in the path: quoting is part of what is tested.
    let data = tmp.path().join("o'neil data");
    let args = SpinConfigArgs {
        data: data.clone(),
        out: None,
        manifest: manifest(),
    };
    let written = spin_config::write(&args).expect("spin-config writes");
    let data = data.canonicalize().unwrap();
    assert!(written.generated_keys);
    assert_eq!(written.runtime_config, data.join("runtime-config.toml"));
    assert_eq!(written.env_file, data.join("spin.env"));

    // runtime-config.toml: Spin's format, absolute paths to iems up's files.
    let text = std::fs::read_to_string(&written.runtime_config).unwrap();
    let doc: toml::Table = text.parse().expect("runtime-config.toml is TOML");
    assert_eq!(string(&doc, "sqlite_database", "default", "type"), "spin");
    let db = string(&doc, "sqlite_database", "default", "path");
    assert_eq!(Path::new(db), data.join("iems.db"));
    assert!(Path::new(db).is_absolute());
    // spin.toml's auth component uses the `default` store; iems up keeps it in
    // DATA/sqlite_key_value.db (the runtime's file for `default`).
    let stores = doc["key_value_store"].as_table().unwrap();
    assert_eq!(stores.keys().collect::<Vec<_>>(), ["default"]);
    assert_eq!(string(&doc, "key_value_store", "default", "type"), "spin");
    assert_eq!(
        Path::new(string(&doc, "key_value_store", "default", "path")),
        data.join("sqlite_key_value.db")
    );
    // Our runtime reads the same file the same way.
    let parsed = iems_runtime::runtime_config::RuntimeConfig::from_file(&written.runtime_config)
        .expect("the runtime accepts it");
    assert_eq!(
        parsed.sqlite_database["default"].path.as_deref(),
        Some(data.join("iems.db").as_path())
    );
    assert_eq!(
        parsed.key_value_store["default"].path.as_deref(),
        Some(data.join("sqlite_key_value.db").as_path())
    );

    // spin.env: the PEMs of DATA/keys exactly, when bash sources it.
    let private = std::fs::read(data.join("keys").join(keys::PRIVATE_KEY_FILE)).unwrap();
    let public = std::fs::read(data.join("keys").join(keys::PUBLIC_KEY_FILE)).unwrap();
    assert!(private.ends_with(b"\n") && private.iter().filter(|b| **b == b'\n').count() > 1);
    assert_eq!(
        sourced(&written.env_file, "SPIN_VARIABLE_JWT_PRIVATE_KEY"),
        private
    );
    assert_eq!(
        sourced(&written.env_file, "SPIN_VARIABLE_JWT_PUBLIC_KEY"),
        public
    );
    #[cfg(unix)]
    assert_eq!(mode(&written.env_file), 0o600);

    // The printed command sources the file and names the config, quoted.
    let command = written.spin_command();
    assert!(command.contains(r"o'\''neil data/spin.env'"), "{command}");
    assert!(
        command.contains("spin up --runtime-config-file '"),
        "{command}"
    );
}

#[test]
fn a_second_run_keeps_the_keys_and_tightens_an_existing_env_file() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    let out = tmp.path().join("out");
    let (pair, generated) = keys::load_or_generate(&data).unwrap();
    assert!(generated);
    std::fs::create_dir_all(&out).unwrap();
    let env_file = out.join("spin.env");
    std::fs::write(&env_file, "stale").unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&env_file, std::fs::Permissions::from_mode(0o644)).unwrap();
    }
    let args = SpinConfigArgs {
        data: data.clone(),
        out: Some(out.clone()),
        manifest: manifest(),
    };
    for _ in 0..2 {
        let written = spin_config::write(&args).expect("spin-config writes");
        assert!(!written.generated_keys, "the existing pair is used");
        assert_eq!(
            written.env_file,
            out.canonicalize().unwrap().join("spin.env")
        );
        assert!(written
            .runtime_config
            .starts_with(out.canonicalize().unwrap()));
        assert_eq!(
            sourced(&written.env_file, "SPIN_VARIABLE_JWT_PRIVATE_KEY"),
            pair.private_pem.as_bytes()
        );
        #[cfg(unix)]
        assert_eq!(mode(&written.env_file), 0o600);
    }
    // The database is still named in the data directory, not in --out.
    let doc: toml::Table = std::fs::read_to_string(out.join("runtime-config.toml"))
        .unwrap()
        .parse()
        .unwrap();
    assert_eq!(
        Path::new(string(&doc, "sqlite_database", "default", "path")),
        data.canonicalize().unwrap().join("iems.db")
    );
}

#[test]
fn a_missing_manifest_is_a_clear_error() {
    let tmp = tempfile::tempdir().unwrap();
    let args = SpinConfigArgs {
        data: tmp.path().join("data"),
        out: None,
        manifest: tmp.path().join("nope.toml"),
    };
    let err = format!("{:#}", spin_config::write(&args).unwrap_err());
    assert!(err.contains("nope.toml"), "{err}");
}
