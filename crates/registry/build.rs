//! The compiler that builds the registry, and with it every kernel of this build, for `mandel describe`:
//! the summary's "Rust" line then names the compiler of the binary that was timed, not whichever rustc
//! the machine running the ladder has (a `--prebuilt` binary was built elsewhere).
fn main() {
    let rustc = std::env::var("RUSTC").unwrap_or_else(|_| "rustc".into());
    let version = std::process::Command::new(rustc)
        .arg("-V")
        .output()
        .ok()
        .filter(|out| out.status.success())
        .map(|out| String::from_utf8_lossy(&out.stdout).trim().to_string())
        .unwrap_or_default();
    println!("cargo:rustc-env=MANDEL_RUSTC_VERSION={version}");
    println!("cargo:rerun-if-env-changed=RUSTC");
}
