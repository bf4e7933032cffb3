//! spin-sdk 5.2 and 7 both export `spin-sdk-commit-<git commit>`, which is
//! `spin-sdk-commit-unknown` for both when built from crates.io: the linker
//! keeps one of the two (identical, empty) functions.
fn main() {
    println!("cargo:rustc-link-arg=--allow-multiple-definition");
}
