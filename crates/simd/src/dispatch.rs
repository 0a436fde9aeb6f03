//! Run-time choice of the instruction-set path, and the one place each path is instantiated.

use crate::lanes::{Consts, Lanes, Orbit, Step};
use crate::{Variant, refill, whole};
use fearless_simd::{Fallback, Level, Simd, SimdBase};
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

/// Serialized as its [`Isa::name`], as `MANDEL_ISA` and the result files spell it.
impl serde::Serialize for Isa {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.name())
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
        if level().as_neon().is_some() {
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

/// The whole-vector kernel's two knobs, instantiated as const generics (`V`, `K` in `whole.rs`): how
/// many vectors are in flight per thread, and how many steps run between two checks for a finished
/// vector. Only the pairs in [`TUNINGS`] exist; which one runs is chosen per path and precision on the
/// CPU that runs ([`crate::tuning`]). Counts never depend on the choice.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Tuning {
    vectors: usize,
    check_every: usize,
}

/// Every instantiated [`Tuning`] as `(vectors, check_every)`: the one list the macro below expands,
/// so a pair is either instantiated on every path or does not exist.
macro_rules! tunings {
    ($callback:ident ! ($($args:tt)*)) => {
        $callback!($($args)* ; (3, 8) (4, 4) (4, 8) (5, 4) (5, 8) (6, 4) (6, 8) (8, 4) (8, 8) (12, 8))
    };
}

macro_rules! tuning_list {
    (; $(($v:literal, $k:literal))*) => {
        &[$(Tuning { vectors: $v, check_every: $k }),*]
    };
}

/// The instantiated tunings, fewest vectors first.
pub const TUNINGS: &[Tuning] = tunings!(tuning_list!());

impl Tuning {
    /// Vectors in flight per thread (`V`): independent dependency chains that hide the step's latency.
    pub fn vectors(self) -> usize {
        self.vectors
    }
    /// Steps between two checks for a finished vector (`K`).
    pub fn check_every(self) -> usize {
        self.check_every
    }
    /// `v4k8`: the name `MANDEL_TUNING` and the reports use.
    pub fn name(self) -> String {
        format!("v{}k{}", self.vectors, self.check_every)
    }
    /// The instantiated tuning named `name` (`v4k8`, any case), if any.
    pub fn from_name(name: &str) -> Option<Tuning> {
        TUNINGS.iter().copied().find(|t| t.name().eq_ignore_ascii_case(name.trim()))
    }
    /// The tuning a path uses before (or without) calibration: the fixed choice the kernel shipped with.
    pub fn default_for(isa: Isa) -> Tuning {
        match isa {
            Isa::Avx512 | Isa::Neon => Tuning { vectors: 4, check_every: 8 },
            Isa::Avx2 => Tuning { vectors: 3, check_every: 8 },
            Isa::Sse2 | Isa::Scalar => Tuning { vectors: 2, check_every: 8 },
        }
    }
}

impl std::fmt::Display for Tuning {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.name())
    }
}

/// Serialized as its [`Tuning::name`] (`v4k8`), as `MANDEL_TUNING` spells it.
impl serde::Serialize for Tuning {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

/// This CPU's [`Level`], detected once (memchr caches its choice the same way): every render would
/// otherwise re-run CPUID-based detection, once per call and once per rayon task.
pub(crate) fn level() -> Level {
    static LEVEL: OnceLock<Level> = OnceLock::new();
    *LEVEL.get_or_init(Level::new)
}

/// Evaluate `$body` with `$simd` bound to the level of `isa` (which must be available: see
/// [`Isa::resolve`]). `$wide` is evaluated on the paths with wide vectors (AVX-512, AVX2, NEON), where
/// the tuning matters; `$narrow` on SSE2 and the scalar fallback, which run one fixed instantiation.
macro_rules! on_level {
    ($isa:expr, |$simd:ident| $wide:expr, $narrow:expr) => {{
        match $isa {
            #[cfg(any(target_arch = "x86", target_arch = "x86_64"))]
            Isa::Avx512 => {
                let $simd = level().as_avx512().expect("resolve() only returns available paths");
                $wide
            }
            #[cfg(any(target_arch = "x86", target_arch = "x86_64"))]
            Isa::Avx2 => {
                let $simd = level().as_avx2().expect("resolve() only returns available paths");
                $wide
            }
            #[cfg(any(target_arch = "x86", target_arch = "x86_64"))]
            Isa::Sse2 => {
                let $simd = level().as_sse2().expect("resolve() only returns available paths");
                $narrow
            }
            #[cfg(target_arch = "aarch64")]
            Isa::Neon => {
                let $simd = level().as_neon().expect("resolve() only returns available paths");
                $wide
            }
            _ => {
                let $simd = Fallback::new();
                $narrow
            }
        }
    }};
}

/// `match` a [`Tuning`] onto the const generics of its instantiation: `$run::<_, T, V, K>(args)`.
macro_rules! on_tuning {
    ($tuning:expr, $run:ident :: <$t:ty> $args:tt ; $(($v:literal, $k:literal))*) => {
        match ($tuning.vectors, $tuning.check_every) {
            $(($v, $k) => $run::<_, $t, $v, $k> $args,)*
            // Tuning values only come from TUNINGS, which lists exactly these pairs.
            _ => unreachable!("tuning {:?} is not instantiated", $tuning),
        }
    };
}

/// Render with precision `T` and `variant` on `isa` (resolved first) with `tuning` (for the
/// whole-vector variant; the others keep their own fixed knobs); returns the path that ran.
/// `lane_iterations`, when given, receives the lane-iterations executed (an instrumented build of the
/// same kernel, so the uninstrumented one pays nothing for the count).
pub(crate) fn render<T: Lanes>(
    isa: Isa,
    tuning: Tuning,
    variant: Variant,
    params: &Params,
    start: usize,
    out: &mut [u32],
    lane_iterations: Option<&mut u64>,
) -> Isa {
    let isa = isa.resolve();
    match variant {
        Variant::WholeVector => on_level!(
            isa,
            |simd| tunings!(on_tuning!(tuning, run_whole::<T>(simd, params, start, out, lane_iterations))),
            run_whole::<_, T, 2, 8>(simd, params, start, out, lane_iterations)
        ),
        // The refill and algorithmic variants keep the knobs they were measured with, one
        // instantiation a path: 4 vectors with 32 registers (AVX-512, NEON), 3 with 16 (AVX2), 2 on
        // the narrow paths; checks every 4 (32 registers) or 8 steps, refill threshold an eighth or a
        // quarter of the lanes.
        Variant::Refill => render_fixed::<T>(isa, variant, params, start, out, lane_iterations),
        // The algorithmic variant also skips the rows that mirror others (`mandel_core::mirror`).
        Variant::Algorithmic => {
            let counted = mandel_core::mirror::render_mirrored::<T>(params, start, out, |params, start, out| {
                let mut count = 0;
                let counting = lane_iterations.is_some().then_some(&mut count);
                render_fixed::<T>(isa, variant, params, start, out, counting);
                count
            });
            if let Some(total) = lane_iterations {
                *total += counted;
            }
        }
    }
    isa
}

/// The refill and algorithmic variants on the resolved path `isa`.
#[inline(always)]
fn render_fixed<T: Lanes>(
    isa: Isa,
    variant: Variant,
    params: &Params,
    start: usize,
    out: &mut [u32],
    lane_iterations: Option<&mut u64>,
) {
    on_level!(
        isa,
        |simd| match isa {
            Isa::Avx2 => run_fixed::<_, T, 3, 8, 4>(simd, variant, params, start, out, lane_iterations),
            _ => run_fixed::<_, T, 4, 4, 8>(simd, variant, params, start, out, lane_iterations),
        },
        run_fixed::<_, T, 2, 8, 4>(simd, variant, params, start, out, lane_iterations)
    )
}

#[inline(always)]
fn run_whole<S: Step, T: Lanes, const V: usize, const K: usize>(
    simd: S,
    params: &Params,
    start: usize,
    out: &mut [u32],
    lane_iterations: Option<&mut u64>,
) {
    match lane_iterations {
        None => simd.vectorize(
            #[inline(always)]
            || whole::render::<S, T, V, K, false, false>(simd, params, start, out, &mut 0),
        ),
        Some(count) => simd.vectorize(
            #[inline(always)]
            || whole::render::<S, T, V, K, false, true>(simd, params, start, out, count),
        ),
    }
}

/// The refill and algorithmic variants with fixed `V` vectors, checks every `K` steps and refill
/// threshold `D` (a vector refills once `LEN / D` of its lanes have finished).
#[inline(always)]
fn run_fixed<S: Step, T: Lanes, const V: usize, const K: usize, const D: usize>(
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
        (_, None) => simd.vectorize(
            #[inline(always)]
            || whole::render::<S, T, V, K, true, false>(simd, params, start, out, &mut 0),
        ),
        (_, Some(count)) => simd.vectorize(
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
    let (lanes, sum) = on_level!(
        isa,
        |simd| simd.vectorize(
            #[inline(always)]
            || chains::<_, T>(simd, rounds, a, b)
        ),
        simd.vectorize(
            #[inline(always)]
            || chains::<_, T>(simd, rounds, a, b)
        )
    );
    (isa, lanes, sum)
}

/// `steps` escape steps ([`Orbit::step`], the kernel's own) on `tuning.vectors()` independent vectors
/// whose lanes all stay busy (points inside the main cardioid never escape), unrolled `check_every`
/// times, with no check and no refill: the most lane-iterations a second this path can do with this
/// step. Returns the path, its lanes per vector and the sum of the counts (so nothing is optimised away).
pub(crate) fn step_only<T: Lanes>(isa: Isa, tuning: Tuning, steps: u64) -> (Isa, usize, u64) {
    let isa = isa.resolve();
    let (lanes, sum) = on_level!(
        isa,
        |simd| tunings!(on_tuning!(tuning, steps_on::<T>(simd, steps))),
        steps_on::<_, T, 2, 8>(simd, steps)
    );
    (isa, lanes, sum)
}

#[inline(always)]
fn steps_on<S: Step, T: Lanes, const V: usize, const K: usize>(simd: S, steps: u64) -> (usize, u64) {
    simd.vectorize(
        #[inline(always)]
        || {
            let k = Consts::<S, T>::new(simd);
            let mut orbits: [Orbit<S, T>; V] = core::array::from_fn(|v| {
                let cx = T::F::<S>::splat(simd, T::from_f64(-0.1 - 0.01 * v as f64));
                let cy = T::F::<S>::splat(simd, T::from_f64(0.1));
                Orbit::start(simd, std::hint::black_box(cx), cy)
            });
            for _ in 0..steps.div_ceil(K as u64) {
                crate::lanes::unrolled!(K, |_s| {
                    for orbit in orbits.iter_mut() {
                        orbit.step(k);
                    }
                });
            }
            let sum =
                orbits.iter().map(|o| o.n.as_slice().iter().map(|&n| Into::<i64>::into(n) as u64).sum::<u64>()).sum();
            (crate::lanes::lanes::<S, T>(), sum)
        },
    )
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
