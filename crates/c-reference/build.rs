//! Compile the C reference (`src/*.c`) with the system C compiler (the `cc` crate) into one static
//! library. Without a working C compiler the build still succeeds: it warns, sets
//! `cfg(mandel_no_c)`, and the crate reports its kernels unavailable instead of linking them.

fn main() {
    println!("cargo::rustc-check-cfg=cfg(mandel_no_c)");
    for file in ["mandel.h", "mandel.c", "avx512.c", "avx2.c"] {
        println!("cargo::rerun-if-changed=src/{file}");
    }
    if let Err(e) = build() {
        println!(
            "cargo::warning=mandel-c-reference: no working C compiler ({e}); the C reference kernels are unavailable in this build"
        );
        println!("cargo::rustc-cfg=mandel_no_c");
    }
}

fn build() -> Result<(), cc::Error> {
    // The AVX-512 path on its own: GCC without -fno-tree-coalesce-vars merges the vectors' variables
    // into partitions that interfere when it leaves SSA form and copies registers around the step
    // (10 instructions a step instead of 8). On AVX2 the same flag made the spilling 4-vector loop
    // slower (Zen 4: 6.3 against 5.7 ms), so the other files go without it.
    let avx512 =
        common().file("src/avx512.c").flag_if_supported("-fno-tree-coalesce-vars").try_compile_intermediates()?;
    common().file("src/mandel.c").file("src/avx2.c").objects(avx512).try_compile("mandel_c")
}

/// The flags every file needs.
fn common() -> cc::Build {
    let mut build = cc::Build::new();
    build
        // Always -O3, even in a debug build: the tests compare this kernel with the Rust one, and a
        // debug build of the C would only make them slower, never different.
        .opt_level(3)
        // Required, not "if supported": GCC contracts `a*b + c` (intrinsics included) into a fused
        // multiply-add by default inside the AVX2/AVX-512 functions, which would change the
        // roundings and so the counts. A compiler without this flag builds no C reference.
        .flag("-ffp-contract=off")
        // No -march=native: the AVX2 and AVX-512 functions carry their own target attributes and
        // are chosen at run time, so one build runs on any x86-64 CPU.
        .warnings(true);
    build
}
