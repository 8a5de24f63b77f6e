// Bakes the versions `rust-tokio --version` prints: the rustc that built it
// and the tokio crate from Cargo.lock (written before build scripts run).
use std::{env, fs, process::Command};

fn main() {
    let rustc = env::var("RUSTC").unwrap_or_else(|_| "rustc".into());
    let rustc_version = Command::new(&rustc)
        .arg("--version")
        .output()
        .ok()
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .map(|s| s.trim().to_string())
        .unwrap_or_else(|| "rustc unknown".into());
    let lock = format!("{}/Cargo.lock", env::var("CARGO_MANIFEST_DIR").unwrap());
    let tokio_version = fs::read_to_string(&lock)
        .ok()
        .and_then(|text| {
            let mut lines = text.lines();
            while let Some(l) = lines.next() {
                if l.trim() == "name = \"tokio\"" {
                    let v = lines.next()?.trim().strip_prefix("version = \"")?;
                    return Some(v.trim_end_matches('"').to_string());
                }
            }
            None
        })
        .unwrap_or_else(|| "unknown".into());
    println!("cargo:rustc-env=CB_RUSTC_VERSION={}", rustc_version);
    println!("cargo:rustc-env=CB_TOKIO_VERSION={}", tokio_version);
    println!("cargo:rerun-if-changed=Cargo.lock");
    println!("cargo:rerun-if-changed=build.rs");
}
