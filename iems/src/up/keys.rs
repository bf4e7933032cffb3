//! The Ed25519 key pair of the access tokens, generated in the data directory
//! on first start and loaded from there afterwards.

use anyhow::Context;
use iems_shared::identity::{generate_keypair, KeyPair, TokenSigner, TokenVerifier};
use std::path::Path;

/// File of the private key (PKCS#8 PEM, mode 0600).
pub const PRIVATE_KEY_FILE: &str = "jwt-ed25519.pem";
/// File of the public key (SPKI PEM).
pub const PUBLIC_KEY_FILE: &str = "jwt-ed25519.pub.pem";

/// Loads the key pair from `dir/keys`, generating and saving it when absent.
/// Returns the pair and whether it was generated now.
pub fn load_or_generate(dir: &Path) -> anyhow::Result<(KeyPair, bool)> {
    let keys_dir = dir.join("keys");
    let private_path = keys_dir.join(PRIVATE_KEY_FILE);
    let public_path = keys_dir.join(PUBLIC_KEY_FILE);
    if private_path.exists() {
        let private_pem = std::fs::read_to_string(&private_path)
            .with_context(|| format!("reading {}", private_path.display()))?;
        let public_pem = std::fs::read_to_string(&public_path)
            .with_context(|| format!("reading {}", public_path.display()))?;
        check(&private_pem, &public_pem)
            .with_context(|| format!("the key pair in {} does not match", keys_dir.display()))?;
        return Ok((
            KeyPair {
                private_pem,
                public_pem,
            },
            false,
        ));
    }
    std::fs::create_dir_all(&keys_dir)
        .with_context(|| format!("creating {}", keys_dir.display()))?;
    let pair = generate_keypair();
    write_private(&private_path, &pair.private_pem)?;
    std::fs::write(&public_path, &pair.public_pem)
        .with_context(|| format!("writing {}", public_path.display()))?;
    Ok((pair, true))
}

/// Signs and verifies a token to prove the two halves belong together.
fn check(private_pem: &str, public_pem: &str) -> anyhow::Result<()> {
    let signer = TokenSigner::from_pem(private_pem)?;
    let verifier = TokenVerifier::from_pem(public_pem)?;
    let (token, _) = signer.issue(
        "key-check",
        iems_shared::domain::Role::Client,
        "check",
        chrono::Utc::now().timestamp(),
    )?;
    verifier.verify(&token)?;
    Ok(())
}

#[cfg(unix)]
fn write_private(path: &Path, pem: &str) -> anyhow::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
        .with_context(|| format!("creating {}", path.display()))?;
    file.write_all(pem.as_bytes())?;
    Ok(())
}

#[cfg(not(unix))]
fn write_private(path: &Path, pem: &str) -> anyhow::Result<()> {
    std::fs::write(path, pem).with_context(|| format!("writing {}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generates_once_then_loads_the_same_pair() {
        let dir = tempfile::tempdir().unwrap();
        let (first, generated) = load_or_generate(dir.path()).unwrap();
        assert!(generated);
        let (again, generated) = load_or_generate(dir.path()).unwrap();
        assert!(!generated);
        assert_eq!(first.public_pem, again.public_pem);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(dir.path().join("keys").join(PRIVATE_KEY_FILE))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }

    #[test]
    fn a_mismatched_pair_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        load_or_generate(dir.path()).unwrap();
        let other = generate_keypair();
        std::fs::write(
            dir.path().join("keys").join(PUBLIC_KEY_FILE),
            other.public_pem,
        )
        .unwrap();
        assert!(load_or_generate(dir.path()).is_err());
    }
}
