//! Names the cargo profile this extension is built with, as `mandel_ladder.BUILD_PROFILE`: scripts/test
//! builds it with the `ci` profile (no fat LTO) and scripts/setup with `release`, and the pyo3- rows of a
//! ladder are only like for like with the Rust rows on the release build. Cargo tells a build script
//! only whether the profile inherits from release (`PROFILE`), so the name is read from `OUT_DIR`,
//! `target/[<triple>/]<profile>/build/<package>-<hash>/out`.

fn main() {
    let out_dir = std::path::PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    let profile = out_dir.ancestors().nth(3).and_then(|p| p.file_name()).and_then(|n| n.to_str()).unwrap_or("unknown");
    println!("cargo:rustc-env=MANDEL_BUILD_PROFILE={profile}");
}
