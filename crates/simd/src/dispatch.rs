//! The one dispatch: path x precision x tuning -> the monomorphised loop.

use crate::lanes::{Lanes, Step};
use crate::tuning::tunings;
use crate::{Isa, Tuning, Variant, refill, whole};
use mandel_core::Params;

/// Evaluate `$body` with `$simd` bound to the level of `isa` (which must be available: see
/// [`Isa::resolve`]). `$wide` is evaluated on the paths with wide vectors (AVX-512, AVX2, NEON), where
/// the tuning matters; `$narrow` on SSE2 and the scalar fallback, which run one fixed instantiation.
macro_rules! on_level {
    ($isa:expr, |$simd:ident| $wide:expr, $narrow:expr) => {{
        match $isa {
            #[cfg(any(target_arch = "x86", target_arch = "x86_64"))]
            $crate::Isa::Avx512 => {
                let $simd = $crate::isa::level().as_avx512().expect("resolve() only returns available paths");
                $wide
            }
            #[cfg(any(target_arch = "x86", target_arch = "x86_64"))]
            $crate::Isa::Avx2 => {
                let $simd = $crate::isa::level().as_avx2().expect("resolve() only returns available paths");
                $wide
            }
            #[cfg(any(target_arch = "x86", target_arch = "x86_64"))]
            $crate::Isa::Sse2 => {
                let $simd = $crate::isa::level().as_sse2().expect("resolve() only returns available paths");
                $narrow
            }
            #[cfg(target_arch = "aarch64")]
            $crate::Isa::Neon => {
                let $simd = $crate::isa::level().as_neon().expect("resolve() only returns available paths");
                $wide
            }
            _ => {
                let $simd = fearless_simd::Fallback::new();
                $narrow
            }
        }
    }};
}
pub(crate) use on_level;

/// `match` a [`Tuning`] onto the const generics of its instantiation: `$run::<_, T, VECTORS, CHECK_EVERY>(args)`.
macro_rules! on_tuning {
    ($tuning:expr, $run:ident :: <$t:ty> $args:tt ; $(($v:literal, $k:literal))*) => {
        match ($tuning.vectors, $tuning.check_every) {
            $(($v, $k) => $run::<_, $t, $v, $k> $args,)*
            // Tuning values only come from TUNINGS, which lists exactly these pairs.
            _ => unreachable!("tuning {:?} is not instantiated", $tuning),
        }
    };
}
pub(crate) use on_tuning;

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
fn run_whole<S: Step, T: Lanes, const VECTORS: usize, const CHECK_EVERY: usize>(
    simd: S,
    params: &Params,
    start: usize,
    out: &mut [u32],
    lane_iterations: Option<&mut u64>,
) {
    match lane_iterations {
        None => simd.vectorize(
            #[inline(always)]
            || whole::render::<S, T, VECTORS, CHECK_EVERY, false, false>(simd, params, start, out, &mut 0),
        ),
        Some(count) => simd.vectorize(
            #[inline(always)]
            || whole::render::<S, T, VECTORS, CHECK_EVERY, false, true>(simd, params, start, out, count),
        ),
    }
}

/// The refill and algorithmic variants with fixed `VECTORS` vectors, checks every `CHECK_EVERY` steps and refill
/// threshold `REFILL_DIVISOR` (a vector refills once `LEN / REFILL_DIVISOR` of its lanes have finished).
#[inline(always)]
fn run_fixed<S: Step, T: Lanes, const VECTORS: usize, const CHECK_EVERY: usize, const REFILL_DIVISOR: usize>(
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
            || refill::render::<S, T, VECTORS, CHECK_EVERY, REFILL_DIVISOR, false>(simd, params, start, out, &mut 0),
        ),
        (Variant::Refill, Some(count)) => simd.vectorize(
            #[inline(always)]
            || refill::render::<S, T, VECTORS, CHECK_EVERY, REFILL_DIVISOR, true>(simd, params, start, out, count),
        ),
        (_, None) => simd.vectorize(
            #[inline(always)]
            || whole::render::<S, T, VECTORS, CHECK_EVERY, true, false>(simd, params, start, out, &mut 0),
        ),
        (_, Some(count)) => simd.vectorize(
            #[inline(always)]
            || whole::render::<S, T, VECTORS, CHECK_EVERY, true, true>(simd, params, start, out, count),
        ),
    }
}
