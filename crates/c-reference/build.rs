//! Compile `src/mandel.c` with the system C compiler (the `cc` crate). Without a working C compiler
//! the build still succeeds: it warns, sets `cfg(mandel_no_c)`, and the crate reports its kernels
//! unavailable instead of linking them.

fn main() {
    println!("cargo::rustc-check-cfg=cfg(mandel_no_c)");
    println!("cargo::rerun-if-changed=src/mandel.c");
    let built = cc::Build::new()
        .file("src/mandel.c")
        // Always -O3, even in a debug build: the tests compare this kernel with the Rust one, and
        // a debug build of the C would only make them slower, never different.
        .opt_level(3)
        // Required, not "if supported": GCC contracts `a*b + c` (intrinsics included) into a fused
        // multiply-add by default inside the AVX2/AVX-512 functions, which would change the
        // roundings and so the counts. A compiler without this flag builds no C reference.
        .flag("-ffp-contract=off")
        // GCC: without it, leaving SSA form merges the unrolled vectors' variables into partitions
        // that interfere, and the hot loops copy registers every step (AVX-512: 10 instructions a
        // step instead of 8) and spill on AVX2. Counts do not depend on it.
        .flag_if_supported("-fno-tree-coalesce-vars")
        // No -march=native: the AVX2 and AVX-512 functions carry their own target attributes and
        // are chosen at run time, so one build runs on any x86-64 CPU.
        .warnings(true)
        .try_compile("mandel_c");
    if let Err(e) = built {
        println!(
            "cargo::warning=mandel-c-reference: no working C compiler ({e}); the C reference kernels are unavailable in this build"
        );
        println!("cargo::rustc-cfg=mandel_no_c");
    }
}
