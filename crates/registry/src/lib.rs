//! The registry of the Mandelbrot speedup ladder: every kernel, in ladder order ([`KERNELS`]), and the
//! facts every consumer reads from it instead of restating them. The `mandel` CLI, the Criterion
//! benches, the tests and the Python extension depend on this crate; it depends only on the rung
//! crates (and `mandel-core`, `serde`), so data flows one way: registry, then the bench records and `mandel describe --json`, then
//! the ladder's merge (see ARCHITECTURE.md).
//!
//! Adding a kernel means writing its render function in a rung crate and adding one entry to
//! [`KERNELS`]: a [`Kernel::new`] and the builder calls that state what differs from the defaults.

mod bench;
mod describe;
mod rounds;

pub use bench::{
    BENCH_FULL, BENCH_MAX_THREADS_ENV, BENCH_QUICK, BENCH_QUICK_ENV, BenchSettings, Record, Records, Verification,
    bench_max_threads, bench_quick, check_bench_env, parse_bench_max_threads, parse_bench_quick, verification,
    verification_into,
};
pub use describe::{
    Description, KernelInfo, LARGE_KERNEL, LargeImage, Problem, SWEEP_ITERS, SWEEP_SIZES, SweepGrid, ThreadRule,
    ToleranceRule, cores, describe,
};
pub use rounds::{
    Activity, KernelRound, MAX_RENDERS, ROUNDS_FULL, ROUNDS_QUICK, Round, RoundSettings, run_round, time_renders,
    tunings,
};

use mandel_core::Precision::{F32, F64};
use mandel_core::Threads::{One, Pool};
use mandel_core::{Kernel, Threads};
use mandel_simd::Variant::{Algorithmic, Refill, WholeVector};

fn scalar() -> &'static str {
    "scalar"
}

/// [`Kernel::prepared_by`] of the whole-vector SIMD kernels: their tuning, calibrated at the first
/// render of a precision (tens of milliseconds), is chosen now, before any clock starts.
fn resolve_tuning_f32() {
    mandel_simd::tuning(F32);
}
fn resolve_tuning_f64() {
    mandel_simd::tuning(F64);
}

/// Every kernel, in ladder order (slowest rung first). Benches, tests, the CLI and the Python
/// extension all iterate this list. Each entry states what differs from [`Kernel::new`]'s defaults:
/// `fused` (multiply-adds fused: FMA's tolerance), `vector_lanes` (SIMD: lane-iterations counted by an
/// instrumented render), `counted_by` + `skipping_work` (algorithmic), `as_reference`, `unavailable_when`.
pub static KERNELS: &[Kernel] = &[
    Kernel::new(
        "naive-f32",
        "naive struct Complex",
        "the article's kernel: hand-written Complex struct, Add/Mul impls, scalar loop, f32",
        F32,
        One,
        scalar,
        mandel_naive::render_f32,
    ),
    Kernel::new(
        "naive-f64",
        "naive struct Complex",
        "the article's kernel in f64, like for like with the Python and Numba baselines",
        F64,
        One,
        scalar,
        mandel_naive::render_f64,
    ),
    Kernel::new(
        "num-complex-f32",
        "num-complex",
        "the same loop on num_complex::Complex<f32>",
        F32,
        One,
        scalar,
        mandel_num_complex::render_f32,
    ),
    Kernel::new(
        "num-complex-f64",
        "num-complex",
        "the same loop on num_complex::Complex<f64>",
        F64,
        One,
        scalar,
        mandel_num_complex::render_f64,
    ),
    Kernel::new(
        "fma-f32",
        "scalar FMA",
        "scalar loop with three fused multiply-adds per step, FMA path chosen at run time, f32",
        F32,
        One,
        mandel_fma::isa,
        mandel_fma::render_f32,
    )
    .fused(),
    Kernel::new(
        "fma-f64",
        "scalar FMA",
        "scalar loop with three fused multiply-adds per step, FMA path chosen at run time, f64",
        F64,
        One,
        mandel_fma::isa,
        mandel_fma::render_f64,
    )
    .fused(),
    Kernel::new(
        "simd-f32",
        "portable SIMD",
        "the FMA step on 16/8/4-lane vectors (fearless_simd, ISA chosen at run time), V vectors in flight, f32",
        F32,
        One,
        mandel_simd::isa,
        mandel_simd::render_f32,
    )
    .fused()
    .prepared_by(resolve_tuning_f32)
    .vector_lanes(|p, start, out| mandel_simd::render_counting(F32, WholeVector, p, start, out)),
    Kernel::new(
        "simd-f64",
        "portable SIMD",
        "the FMA step on 8/4/2-lane vectors (fearless_simd, ISA chosen at run time), V vectors in flight, f64",
        F64,
        One,
        mandel_simd::isa,
        mandel_simd::render_f64,
    )
    .fused()
    .prepared_by(resolve_tuning_f64)
    .vector_lanes(|p, start, out| mandel_simd::render_counting(F64, WholeVector, p, start, out)),
    Kernel::new(
        "simd-f32-refill",
        "portable SIMD",
        "simd-f32 with lane refilling: a lane whose pixel finished takes the next pixel (fewer wasted lanes, more bookkeeping)",
        F32,
        One,
        mandel_simd::isa,
        mandel_simd::render_f32_refill,
    )
    .fused()
    .vector_lanes(|p, start, out| mandel_simd::render_counting(F32, Refill, p, start, out)),
    Kernel::new(
        "simd-f64-refill",
        "portable SIMD",
        "simd-f64 with lane refilling: a lane whose pixel finished takes the next pixel (fewer wasted lanes, more bookkeeping)",
        F64,
        One,
        mandel_simd::isa,
        mandel_simd::render_f64_refill,
    )
    .fused()
    .vector_lanes(|p, start, out| mandel_simd::render_counting(F64, Refill, p, start, out)),
    // naive-f64 on every core: the unfused Rust row of "compiled scalar f64, every core", whose
    // Cython, Pythran and Numba rows do not fuse either (rayon-fma-f64 fuses: a shorter step).
    Kernel::new(
        "rayon-naive-f64",
        "rayon threads",
        "the naive kernel (f64, multiply-adds not fused) on every core: rayon, chunks of 4096-16384 pixels sized to the pool",
        F64,
        Pool,
        scalar,
        |p, start, out| mandel_rayon::render(p, start, out, mandel_naive::render_f64),
    ),
    Kernel::new(
        "rayon-fma-f32",
        "rayon threads",
        "the scalar FMA kernel (f32) on every core: rayon, chunks of 4096-16384 pixels sized to the pool",
        F32,
        Pool,
        mandel_fma::isa,
        |p, start, out| mandel_rayon::render(p, start, out, mandel_fma::render_f32),
    )
    .fused(),
    Kernel::new(
        "rayon-fma-f64",
        "rayon threads",
        "the scalar FMA kernel (f64) on every core: rayon, chunks of 4096-16384 pixels sized to the pool",
        F64,
        Pool,
        mandel_fma::isa,
        |p, start, out| mandel_rayon::render(p, start, out, mandel_fma::render_f64),
    )
    .fused(),
    Kernel::new(
        "rayon-simd-f32",
        "rayon threads",
        "simd-f32 on every core: rayon, chunks of 4096-16384 pixels sized to the pool",
        F32,
        Pool,
        mandel_simd::isa,
        |p, start, out| mandel_rayon::render(p, start, out, mandel_simd::render_f32),
    )
    .fused()
    .prepared_by(resolve_tuning_f32)
    .vector_lanes(|p, start, out| {
        mandel_rayon::render_counting(p, start, out, |p, s, o| mandel_simd::render_counting(F32, WholeVector, p, s, o))
    }),
    Kernel::new(
        "rayon-simd-f64",
        "rayon threads",
        "simd-f64 on every core: rayon, chunks of 4096-16384 pixels sized to the pool",
        F64,
        Pool,
        mandel_simd::isa,
        |p, start, out| mandel_rayon::render(p, start, out, mandel_simd::render_f64),
    )
    .fused()
    .prepared_by(resolve_tuning_f64)
    .vector_lanes(|p, start, out| {
        mandel_rayon::render_counting(p, start, out, |p, s, o| mandel_simd::render_counting(F64, WholeVector, p, s, o))
    }),
    // References, not rungs: the hand-written C the Rust SIMD rung must beat (crates/c-reference).
    Kernel::new(
        "c-ref-f32",
        "C reference, hand-written intrinsics (not a rung)",
        "hand-written C intrinsics (AVX2+FMA / AVX-512F, run-time dispatch), the Rust SIMD step's operations: the bar simd-f32 must beat",
        F32,
        One,
        mandel_c_reference::isa,
        mandel_c_reference::render_f32,
    )
    .fused()
    .vector_lanes(mandel_c_reference::render_f32_counting)
    .as_reference()
    .unavailable_when(mandel_c_reference::unavailable),
    Kernel::new(
        "rayon-c-ref-f32",
        "C reference, hand-written intrinsics (not a rung)",
        "c-ref-f32 on every core, split as rayon-simd-f32 (rayon, chunks of 4096-16384 pixels sized to the pool): the bar rayon-simd-f32 must beat",
        F32,
        Pool,
        mandel_c_reference::isa,
        |p, start, out| mandel_rayon::render(p, start, out, mandel_c_reference::render_f32),
    )
    .fused()
    .vector_lanes(|p, start, out| mandel_rayon::render_counting(p, start, out, mandel_c_reference::render_f32_counting))
    .as_reference()
    .unavailable_when(mandel_c_reference::unavailable),
    Kernel::new(
        "algorithmic-f32",
        "algorithmic (exact skipping)",
        "ALGORITHMIC: cardioid/bulb closed form + exact periodicity detection on the FMA step + rows mirroring rows copied; counts equal fma-f32's",
        F32,
        One,
        mandel_fma::isa,
        mandel_algorithmic::render_f32,
    )
    .fused()
    .counted_by(mandel_algorithmic::render_span::<f32>)
    .skipping_work(),
    Kernel::new(
        "rayon-algorithmic-f32",
        "algorithmic (exact skipping)",
        "ALGORITHMIC: algorithmic-f32 on every core (rayon, chunks of 4096-16384 pixels sized to the pool)",
        F32,
        Pool,
        mandel_fma::isa,
        |p, start, out| mandel_rayon::render_mirrored::<f32>(p, start, out, mandel_algorithmic::render_f32),
    )
    .fused()
    .counted_by(|p, start, out| {
        mandel_rayon::render_mirrored_counting::<f32>(p, start, out, mandel_algorithmic::render_span::<f32>)
    })
    .skipping_work(),
    Kernel::new(
        "simd-algorithmic-f32",
        "algorithmic (exact skipping)",
        "ALGORITHMIC: simd-f32 plus cardioid/bulb closed form, exact cycle detection, rows mirroring rows copied; counts equal fma-f32's",
        F32,
        One,
        mandel_simd::isa,
        mandel_simd::render_f32_algorithmic,
    )
    .fused()
    .vector_lanes(|p, start, out| mandel_simd::render_counting(F32, Algorithmic, p, start, out))
    .skipping_work(),
    Kernel::new(
        "rayon-simd-algorithmic-f32",
        "algorithmic (exact skipping)",
        "ALGORITHMIC: simd-algorithmic-f32 on every core (rayon, chunks of 4096-16384 pixels sized to the pool)",
        F32,
        Pool,
        mandel_simd::isa,
        |p, start, out| mandel_rayon::render_mirrored::<f32>(p, start, out, mandel_simd::render_f32_algorithmic),
    )
    .fused()
    .vector_lanes(|p, start, out| {
        mandel_rayon::render_mirrored_counting::<f32>(p, start, out, |p, s, o| {
            mandel_simd::render_counting(F32, Algorithmic, p, s, o)
        })
    })
    .skipping_work(),
];

/// Every environment variable the kernels read, checked like a flag: `MANDEL_ISA`,
/// `RAYON_NUM_THREADS` (`mandel_core::check_env`), `MANDEL_TUNING` (`mandel_simd::forced_tuning`) and
/// `MANDEL_C_TUNING` (`mandel_c_reference::check_tuning_env`). The CLI, the benches and the Python
/// extension call this before any kernel runs (and `scripts/ladder` relies on `mandel describe`
/// failing for a bad value).
pub fn check_env() -> Result<(), String> {
    mandel_core::check_env().map_err(|e| e.to_string())?;
    mandel_simd::check_tuning_env(mandel_simd::selected_isa())?;
    mandel_c_reference::check_tuning_env()?;
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

/// The threads a kernel uses when called now: 1, or the size of the current rayon pool. The one rule
/// for it: the CLI, the bench records, `mandel describe` and the extension all report this.
pub fn threads_used(kernel: &Kernel) -> usize {
    match kernel.threads {
        Threads::One => 1,
        Threads::Pool => pool_threads(),
    }
}

/// The size of the rayon pool a pooled kernel called now would use.
pub fn pool_threads() -> usize {
    mandel_rayon::current_threads()
}
