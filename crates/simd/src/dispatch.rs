//! Run-time choice of the instruction-set path, and the one place each path is instantiated.

use crate::lanes::Lanes;
use crate::{Variant, refill, whole};
use fearless_simd::{Fallback, Level, Simd};
use mandel_core::Params;
use std::sync::OnceLock;

/// An instruction-set path of the SIMD kernels. Every path runs the same generic kernel source; they
/// differ in vector width and in how `mul_add_precise` is carried out (see [`Isa::name`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Isa {
    /// x86-64 AVX-512 (fearless_simd's Ice Lake feature set): 16 f32 / 8 f64 lanes, `vfmadd` on zmm.
    Avx512,
    /// x86-64-v3 (AVX2 + FMA): 8 f32 / 4 f64 lanes, `vfmadd` on ymm.
    Avx2,
    /// x86-64 baseline SSE2: 4 f32 / 2 f64 lanes, no FMA instruction: the fused multiply-add is
    /// emulated exactly (error-free transformations), so counts still equal the scalar twin's.
    Sse2,
    /// aarch64 NEON: 4 f32 / 2 f64 lanes, `fmla`.
    Neon,
    /// No SIMD: fearless_simd's scalar level (4 f32 / 2 f64 "lanes" in plain scalar code, FMA emulated).
    Scalar,
}

impl Isa {
    /// Every path, widest first.
    pub const ALL: [Isa; 5] = [Isa::Avx512, Isa::Avx2, Isa::Sse2, Isa::Neon, Isa::Scalar];

    /// The name used by `MANDEL_ISA`, bench ids and labels: `avx512`, `avx2`, `sse2`, `neon`, `scalar`.
    pub fn name(self) -> &'static str {
        match self {
            Isa::Avx512 => "avx512",
            Isa::Avx2 => "avx2",
            Isa::Sse2 => "sse2",
            Isa::Neon => "neon",
            Isa::Scalar => "scalar",
        }
    }

    /// The path named `name` (as [`Isa::name`] spells it, any case), if any.
    pub fn from_name(name: &str) -> Option<Isa> {
        Isa::ALL.into_iter().find(|isa| isa.name().eq_ignore_ascii_case(name.trim()))
    }

    /// Vector width in bits, for ordering: a forced path falls back to one no wider.
    fn bits(self) -> u32 {
        match self {
            Isa::Avx512 => 512,
            Isa::Avx2 => 256,
            Isa::Sse2 | Isa::Neon => 128,
            Isa::Scalar => 0,
        }
    }

    /// Whether this CPU can run the path.
    pub fn is_available(self) -> bool {
        available_isas().contains(&self)
    }

    /// The path that runs when this one is asked for: itself if the CPU has it, otherwise the widest
    /// available path no wider than it (at worst [`Isa::Scalar`]). Never a path the CPU lacks.
    pub fn resolve(self) -> Isa {
        available_isas().iter().copied().find(|isa| isa.bits() <= self.bits()).unwrap_or(Isa::Scalar)
    }

    /// Lanes per f32 vector on this path.
    pub fn f32_lanes(self) -> usize {
        self.bits().max(128) as usize / 32
    }

    /// Lanes per f64 vector on this path.
    pub fn f64_lanes(self) -> usize {
        self.bits().max(128) as usize / 64
    }
}

impl std::fmt::Display for Isa {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// The paths this CPU can run, widest first; [`Isa::Scalar`] is always last. Detected once.
pub fn available_isas() -> &'static [Isa] {
    static AVAILABLE: OnceLock<Vec<Isa>> = OnceLock::new();
    AVAILABLE.get_or_init(|| {
        let mut isas = Vec::new();
        #[cfg(any(target_arch = "x86", target_arch = "x86_64"))]
        {
            let level = Level::new();
            if level.as_avx512().is_some() {
                isas.push(Isa::Avx512);
            }
            if level.as_avx2().is_some() {
                isas.push(Isa::Avx2);
            }
            if level.as_sse2().is_some() {
                isas.push(Isa::Sse2);
            }
        }
        #[cfg(target_arch = "aarch64")]
        if Level::new().as_neon().is_some() {
            isas.push(Isa::Neon);
        }
        isas.push(Isa::Scalar);
        isas
    })
}

/// The path [`crate::render_f32`] and friends take: the widest available, or the one `MANDEL_ISA`
/// forces (resolved to one the CPU has). Chosen once, at first use. An unknown name is refused by
/// the entry points (CLI, Python extension, benches: `mandel_core::check_env`) before any kernel
/// runs; a library caller that skips that check gets the widest path.
pub fn selected_isa() -> Isa {
    static SELECTED: OnceLock<Isa> = OnceLock::new();
    *SELECTED.get_or_init(|| {
        let widest = available_isas()[0];
        match mandel_core::forced_isa().and_then(|name| Isa::from_name(&name)) {
            Some(forced) => forced.resolve(),
            None => widest,
        }
    })
}

/// Render with precision `T` and `variant` on `isa` (resolved first); returns the path that ran.
/// `lane_iterations`, when given, receives the lane-iterations executed (an instrumented build of the
/// same kernel, so the uninstrumented one pays nothing for the count).
pub(crate) fn render<T: Lanes>(
    isa: Isa,
    variant: Variant,
    params: &Params,
    start: usize,
    out: &mut [u32],
    lane_iterations: Option<&mut u64>,
) -> Isa {
    let isa = isa.resolve();
    // Vectors in flight V and steps between checks K, per path: V hides the ~4-cycle FMA latency of the
    // 3-deep dependency chain of a step within the register file (32 zmm; 16 ymm/xmm).
    match isa {
        #[cfg(any(target_arch = "x86", target_arch = "x86_64"))]
        Isa::Avx512 => {
            let simd = Level::new().as_avx512().expect("resolve() only returns available paths");
            run::<_, T, 4, 4, 8, 8>(simd, variant, params, start, out, lane_iterations)
        }
        #[cfg(any(target_arch = "x86", target_arch = "x86_64"))]
        Isa::Avx2 => {
            let simd = Level::new().as_avx2().expect("resolve() only returns available paths");
            run::<_, T, 3, 8, 8, 4>(simd, variant, params, start, out, lane_iterations)
        }
        #[cfg(any(target_arch = "x86", target_arch = "x86_64"))]
        Isa::Sse2 => {
            let simd = Level::new().as_sse2().expect("resolve() only returns available paths");
            run::<_, T, 2, 8, 8, 4>(simd, variant, params, start, out, lane_iterations)
        }
        #[cfg(target_arch = "aarch64")]
        Isa::Neon => {
            let simd = Level::new().as_neon().expect("resolve() only returns available paths");
            run::<_, T, 4, 4, 8, 8>(simd, variant, params, start, out, lane_iterations)
        }
        _ => run::<_, T, 1, 8, 8, 4>(Fallback::new(), variant, params, start, out, lane_iterations),
    }
    isa
}

/// Instantiate the kernels for level `S`. `vectorize` enters a `#[target_feature]` function for the
/// level; the kernels are `#[inline(always)]` all the way down, so their whole body is compiled there.
#[inline(always)]
fn run<S: crate::lanes::Step, T: Lanes, const V: usize, const K: usize, const KW: usize, const D: usize>(
    simd: S,
    variant: Variant,
    params: &Params,
    start: usize,
    out: &mut [u32],
    lane_iterations: Option<&mut u64>,
) {
    match (variant, lane_iterations) {
        (Variant::Refill, None) => simd.vectorize(
            #[inline(always)]
            || refill::render::<S, T, V, K, D, false>(simd, params, start, out, &mut 0),
        ),
        (Variant::Refill, Some(count)) => simd.vectorize(
            #[inline(always)]
            || refill::render::<S, T, V, K, D, true>(simd, params, start, out, count),
        ),
        (Variant::WholeVector, None) => simd.vectorize(
            #[inline(always)]
            || whole::render::<S, T, V, KW, false, false>(simd, params, start, out, &mut 0),
        ),
        (Variant::WholeVector, Some(count)) => simd.vectorize(
            #[inline(always)]
            || whole::render::<S, T, V, KW, false, true>(simd, params, start, out, count),
        ),
        (Variant::Algorithmic, None) => simd.vectorize(
            #[inline(always)]
            || whole::render::<S, T, V, K, true, false>(simd, params, start, out, &mut 0),
        ),
        (Variant::Algorithmic, Some(count)) => simd.vectorize(
            #[inline(always)]
            || whole::render::<S, T, V, K, true, true>(simd, params, start, out, count),
        ),
    }
}

/// Independent accumulators of the peak micro-benchmark: at least FMA latency (4 cycles) x FMA ports
/// (2) of them, and few enough to stay in the 16 registers of AVX2/SSE2 with the two operands.
pub(crate) const FMA_CHAINS: usize = 12;

/// `rounds` rounds of `acc = acc * a + b` on [`FMA_CHAINS`] vectors of `T` on `isa` (resolved): returns
/// the path, its lanes per vector and the sum of the results.
pub(crate) fn fma_chains<T: Lanes>(isa: Isa, rounds: u64, a: T, b: T) -> (Isa, usize, T) {
    let isa = isa.resolve();
    let (lanes, sum) = match isa {
        #[cfg(any(target_arch = "x86", target_arch = "x86_64"))]
        Isa::Avx512 => {
            let simd = Level::new().as_avx512().expect("resolve() only returns available paths");
            simd.vectorize(
                #[inline(always)]
                || chains::<_, T>(simd, rounds, a, b),
            )
        }
        #[cfg(any(target_arch = "x86", target_arch = "x86_64"))]
        Isa::Avx2 => {
            let simd = Level::new().as_avx2().expect("resolve() only returns available paths");
            simd.vectorize(
                #[inline(always)]
                || chains::<_, T>(simd, rounds, a, b),
            )
        }
        #[cfg(any(target_arch = "x86", target_arch = "x86_64"))]
        Isa::Sse2 => {
            let simd = Level::new().as_sse2().expect("resolve() only returns available paths");
            simd.vectorize(
                #[inline(always)]
                || chains::<_, T>(simd, rounds, a, b),
            )
        }
        #[cfg(target_arch = "aarch64")]
        Isa::Neon => {
            let simd = Level::new().as_neon().expect("resolve() only returns available paths");
            simd.vectorize(
                #[inline(always)]
                || chains::<_, T>(simd, rounds, a, b),
            )
        }
        _ => chains::<_, T>(Fallback::new(), rounds, a, b),
    };
    (isa, lanes, sum)
}

#[inline(always)]
fn chains<S: Simd, T: Lanes>(simd: S, rounds: u64, a: T, b: T) -> (usize, T) {
    use fearless_simd::{SimdBase, SimdFloat};
    let (a, b) = (T::F::<S>::splat(simd, a), T::F::<S>::splat(simd, b));
    let mut acc: [T::F<S>; FMA_CHAINS] = core::array::from_fn(|i| T::F::<S>::splat(simd, T::from_f64(i as f64)));
    for _ in 0..rounds {
        for x in acc.iter_mut() {
            *x = x.mul_add_precise(a, b);
        }
    }
    let sum = acc.iter().fold(T::F::<S>::splat(simd, T::ZERO), |s, &x| s + x);
    (crate::lanes::lanes::<S, T>(), sum.as_slice().iter().fold(T::ZERO, |s, &x| s + x))
}
