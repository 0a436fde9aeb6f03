//! The Mandelbrot speedup ladder: the registry of every kernel, in ladder order, and the helpers
//! the `mandel` CLI, the benches and the tests share.
//!
//! Adding a kernel means writing its file in a rung crate and adding one entry to [`KERNELS`].

pub mod atomic;
pub mod image;

use mandel_core::Precision::{F32, F64};
use mandel_core::{Kernel, Precision, Threads, Tolerance, runs_everywhere};
use mandel_simd::Variant::{Algorithmic, Refill, WholeVector};

fn scalar() -> &'static str {
    "scalar"
}

/// Every kernel, in ladder order (slowest rung first). Benches, tests, the CLI and the Python
/// extension all iterate this list.
pub static KERNELS: &[Kernel] = &[
    Kernel {
        name: "naive-f32",
        rung: "naive struct Complex",
        description: "the article's kernel: hand-written Complex struct, Add/Mul impls, scalar loop, f32",
        precision: Precision::F32,
        threads: Threads::One,
        tolerance: Tolerance::F32,
        isa: scalar,
        render_fn: mandel_naive::render_f32,
        lane_iterations_fn: None,
        reference: false,
        unavailable: runs_everywhere,
    },
    Kernel {
        name: "naive-f64",
        rung: "naive struct Complex",
        description: "the article's kernel in f64, like for like with the Python and Numba baselines",
        precision: Precision::F64,
        threads: Threads::One,
        tolerance: Tolerance::EXACT,
        isa: scalar,
        render_fn: mandel_naive::render_f64,
        lane_iterations_fn: None,
        reference: false,
        unavailable: runs_everywhere,
    },
    Kernel {
        name: "num-complex-f32",
        rung: "num-complex",
        description: "the same loop on num_complex::Complex<f32>",
        precision: Precision::F32,
        threads: Threads::One,
        tolerance: Tolerance::F32,
        isa: scalar,
        render_fn: mandel_num_complex::render_f32,
        lane_iterations_fn: None,
        reference: false,
        unavailable: runs_everywhere,
    },
    Kernel {
        name: "num-complex-f64",
        rung: "num-complex",
        description: "the same loop on num_complex::Complex<f64>",
        precision: Precision::F64,
        threads: Threads::One,
        tolerance: Tolerance::EXACT,
        isa: scalar,
        render_fn: mandel_num_complex::render_f64,
        lane_iterations_fn: None,
        reference: false,
        unavailable: runs_everywhere,
    },
    Kernel {
        name: "fma-f32",
        rung: "scalar FMA",
        description: "scalar loop with three fused multiply-adds per step, FMA path chosen at run time, f32",
        precision: Precision::F32,
        threads: Threads::One,
        tolerance: Tolerance::F32,
        isa: mandel_fma::isa,
        render_fn: mandel_fma::render_f32,
        lane_iterations_fn: None,
        reference: false,
        unavailable: runs_everywhere,
    },
    Kernel {
        name: "fma-f64",
        rung: "scalar FMA",
        description: "scalar loop with three fused multiply-adds per step, FMA path chosen at run time, f64",
        precision: Precision::F64,
        threads: Threads::One,
        tolerance: Tolerance::F64_FMA,
        isa: mandel_fma::isa,
        render_fn: mandel_fma::render_f64,
        lane_iterations_fn: None,
        reference: false,
        unavailable: runs_everywhere,
    },
    Kernel {
        name: "simd-f32",
        rung: "portable SIMD",
        description: "the FMA step on 16/8/4-lane vectors (fearless_simd, ISA chosen at run time), 4 vectors in flight, f32",
        precision: Precision::F32,
        threads: Threads::One,
        tolerance: Tolerance::F32,
        isa: mandel_simd::isa,
        render_fn: mandel_simd::render_f32,
        lane_iterations_fn: Some(|p, start, out| mandel_simd::render_counting(F32, WholeVector, p, start, out)),
        reference: false,
        unavailable: runs_everywhere,
    },
    Kernel {
        name: "simd-f64",
        rung: "portable SIMD",
        description: "the FMA step on 8/4/2-lane vectors (fearless_simd, ISA chosen at run time), 4 vectors in flight, f64",
        precision: Precision::F64,
        threads: Threads::One,
        tolerance: Tolerance::F64_FMA,
        isa: mandel_simd::isa,
        render_fn: mandel_simd::render_f64,
        lane_iterations_fn: Some(|p, start, out| mandel_simd::render_counting(F64, WholeVector, p, start, out)),
        reference: false,
        unavailable: runs_everywhere,
    },
    Kernel {
        name: "simd-f32-refill",
        rung: "portable SIMD",
        description: "simd-f32 with lane refilling: a lane whose pixel finished takes the next pixel (fewer wasted lanes, more bookkeeping)",
        precision: Precision::F32,
        threads: Threads::One,
        tolerance: Tolerance::F32,
        isa: mandel_simd::isa,
        render_fn: mandel_simd::render_f32_refill,
        lane_iterations_fn: Some(|p, start, out| mandel_simd::render_counting(F32, Refill, p, start, out)),
        reference: false,
        unavailable: runs_everywhere,
    },
    Kernel {
        name: "simd-f64-refill",
        rung: "portable SIMD",
        description: "simd-f64 with lane refilling: a lane whose pixel finished takes the next pixel (fewer wasted lanes, more bookkeeping)",
        precision: Precision::F64,
        threads: Threads::One,
        tolerance: Tolerance::F64_FMA,
        isa: mandel_simd::isa,
        render_fn: mandel_simd::render_f64_refill,
        lane_iterations_fn: Some(|p, start, out| mandel_simd::render_counting(F64, Refill, p, start, out)),
        reference: false,
        unavailable: runs_everywhere,
    },
    Kernel {
        name: "rayon-fma-f32",
        rung: "rayon threads",
        description: "the scalar FMA kernel (f32) on every core: rayon, chunks of 4096-16384 pixels sized to the pool",
        precision: Precision::F32,
        threads: Threads::Pool,
        tolerance: Tolerance::F32,
        isa: mandel_fma::isa,
        render_fn: |p, start, out| mandel_rayon::render(p, start, out, mandel_fma::render_f32),
        lane_iterations_fn: None,
        reference: false,
        unavailable: runs_everywhere,
    },
    Kernel {
        name: "rayon-fma-f64",
        rung: "rayon threads",
        description: "the scalar FMA kernel (f64) on every core: rayon, chunks of 4096-16384 pixels sized to the pool",
        precision: Precision::F64,
        threads: Threads::Pool,
        tolerance: Tolerance::F64_FMA,
        isa: mandel_fma::isa,
        render_fn: |p, start, out| mandel_rayon::render(p, start, out, mandel_fma::render_f64),
        lane_iterations_fn: None,
        reference: false,
        unavailable: runs_everywhere,
    },
    Kernel {
        name: "rayon-simd-f32",
        rung: "rayon threads",
        description: "simd-f32 on every core: rayon, chunks of 4096-16384 pixels sized to the pool",
        precision: Precision::F32,
        threads: Threads::Pool,
        tolerance: Tolerance::F32,
        isa: mandel_simd::isa,
        render_fn: |p, start, out| mandel_rayon::render(p, start, out, mandel_simd::render_f32),
        lane_iterations_fn: Some(|p, start, out| {
            mandel_rayon::render_counting(p, start, out, |p, s, o| {
                mandel_simd::render_counting(F32, WholeVector, p, s, o)
            })
        }),
        reference: false,
        unavailable: runs_everywhere,
    },
    Kernel {
        name: "rayon-simd-f64",
        rung: "rayon threads",
        description: "simd-f64 on every core: rayon, chunks of 4096-16384 pixels sized to the pool",
        precision: Precision::F64,
        threads: Threads::Pool,
        tolerance: Tolerance::F64_FMA,
        isa: mandel_simd::isa,
        render_fn: |p, start, out| mandel_rayon::render(p, start, out, mandel_simd::render_f64),
        lane_iterations_fn: Some(|p, start, out| {
            mandel_rayon::render_counting(p, start, out, |p, s, o| {
                mandel_simd::render_counting(F64, WholeVector, p, s, o)
            })
        }),
        reference: false,
        unavailable: runs_everywhere,
    },
    // References, not rungs: the hand-written C the Rust SIMD rung must beat (crates/c-reference).
    Kernel {
        name: "c-ref-f32",
        rung: "C reference, hand-written intrinsics (not a rung)",
        description: "hand-written C intrinsics (AVX2+FMA / AVX-512F, run-time dispatch), the Rust SIMD step's operations: the bar simd-f32 must beat",
        precision: Precision::F32,
        threads: Threads::One,
        tolerance: Tolerance::F32,
        isa: mandel_c_reference::isa,
        render_fn: mandel_c_reference::render_f32,
        lane_iterations_fn: Some(mandel_c_reference::render_f32_counting),
        reference: true,
        unavailable: mandel_c_reference::unavailable,
    },
    Kernel {
        name: "rayon-c-ref-f32",
        rung: "C reference, hand-written intrinsics (not a rung)",
        description: "c-ref-f32 on every core, split as rayon-simd-f32 (rayon, chunks of 4096-16384 pixels sized to the pool): the bar rayon-simd-f32 must beat",
        precision: Precision::F32,
        threads: Threads::Pool,
        tolerance: Tolerance::F32,
        isa: mandel_c_reference::isa,
        render_fn: |p, start, out| mandel_rayon::render(p, start, out, mandel_c_reference::render_f32),
        lane_iterations_fn: Some(|p, start, out| {
            mandel_rayon::render_counting(p, start, out, mandel_c_reference::render_f32_counting)
        }),
        reference: true,
        unavailable: mandel_c_reference::unavailable,
    },
    Kernel {
        name: "algorithmic-f32",
        rung: "algorithmic (exact skipping)",
        description: "ALGORITHMIC: cardioid/bulb closed form + exact periodicity detection on the FMA step; counts equal fma-f32's",
        precision: Precision::F32,
        threads: Threads::One,
        tolerance: Tolerance::F32,
        isa: mandel_fma::isa,
        render_fn: mandel_algorithmic::render_f32,
        lane_iterations_fn: Some(mandel_algorithmic::render_span::<f32>),
        reference: false,
        unavailable: runs_everywhere,
    },
    Kernel {
        name: "rayon-algorithmic-f32",
        rung: "algorithmic (exact skipping)",
        description: "ALGORITHMIC: algorithmic-f32 on every core (rayon, chunks of 4096-16384 pixels sized to the pool)",
        precision: Precision::F32,
        threads: Threads::Pool,
        tolerance: Tolerance::F32,
        isa: mandel_fma::isa,
        render_fn: |p, start, out| mandel_rayon::render(p, start, out, mandel_algorithmic::render_f32),
        lane_iterations_fn: Some(|p, start, out| {
            mandel_rayon::render_counting(p, start, out, mandel_algorithmic::render_span::<f32>)
        }),
        reference: false,
        unavailable: runs_everywhere,
    },
    Kernel {
        name: "simd-algorithmic-f32",
        rung: "algorithmic (exact skipping)",
        description: "ALGORITHMIC: simd-f32 plus cardioid/bulb closed form and exact cycle detection; counts equal fma-f32's",
        precision: Precision::F32,
        threads: Threads::One,
        tolerance: Tolerance::F32,
        isa: mandel_simd::isa,
        render_fn: mandel_simd::render_f32_algorithmic,
        lane_iterations_fn: Some(|p, start, out| mandel_simd::render_counting(F32, Algorithmic, p, start, out)),
        reference: false,
        unavailable: runs_everywhere,
    },
    Kernel {
        name: "rayon-simd-algorithmic-f32",
        rung: "algorithmic (exact skipping)",
        description: "ALGORITHMIC: simd-algorithmic-f32 on every core (rayon, chunks of 4096-16384 pixels sized to the pool)",
        precision: Precision::F32,
        threads: Threads::Pool,
        tolerance: Tolerance::F32,
        isa: mandel_simd::isa,
        render_fn: |p, start, out| mandel_rayon::render(p, start, out, mandel_simd::render_f32_algorithmic),
        lane_iterations_fn: Some(|p, start, out| {
            mandel_rayon::render_counting(p, start, out, |p, s, o| {
                mandel_simd::render_counting(F32, Algorithmic, p, s, o)
            })
        }),
        reference: false,
        unavailable: runs_everywhere,
    },
];

/// Every environment variable the kernels read, checked like a flag: `MANDEL_ISA`,
/// `RAYON_NUM_THREADS` (`mandel_core::check_env`) and `MANDEL_TUNING` (`mandel_simd::forced_tuning`).
/// The CLI, the benches and the Python extension call this before any kernel runs.
pub fn check_env() -> Result<(), String> {
    mandel_core::check_env().map_err(|e| e.to_string())?;
    mandel_simd::check_tuning_env(mandel_simd::selected_isa())?;
    Ok(())
}

/// Look a kernel up by its stable name.
pub fn kernel(name: &str) -> Option<&'static Kernel> {
    KERNELS.iter().find(|k| k.name == name)
}

/// The registered kernels that can run in this build with these settings (see
/// [`Kernel::unavailable`]), in ladder order.
pub fn available_kernels() -> impl Iterator<Item = &'static Kernel> {
    KERNELS.iter().filter(|k| (k.unavailable)().is_none())
}

/// The names of all kernels, comma-separated, for error messages.
pub fn kernel_names() -> String {
    KERNELS.iter().map(|k| k.name).collect::<Vec<_>>().join(", ")
}

/// The single-thread kernel the `load-balance` and `threads` bench groups spread over the pool: the
/// fastest brute-force single-thread f32 kernel (the algorithmic ones are faster but skip work, so
/// their cost per pixel varies even more), so the groups show what threads add on top of the best loop.
pub const PARALLEL_INNER: &str = "simd-f32";

/// The threads a kernel uses when called now: 1, or the size of the current rayon pool.
pub fn threads_used(kernel: &mandel_core::Kernel) -> usize {
    match kernel.threads {
        mandel_core::Threads::One => 1,
        mandel_core::Threads::Pool => mandel_rayon::current_threads(),
    }
}
