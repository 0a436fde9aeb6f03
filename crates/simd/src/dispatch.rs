//! The one dispatch: path x precision x variant x tuning -> the monomorphised loop. Each path's arm
//! instantiates its row of the tuning table (`tuning.rs`) and nothing else, with and without the
//! lane count (`COUNT_LANES`).

use crate::lanes::{Lanes, Step};
use crate::tuning::tunings;
use crate::{Isa, Tuning, Variant, refill, whole};
use mandel_core::Params;

/// Evaluate an expression with `$simd` bound to the level of `isa` (which must be available: see
/// [`Isa::resolve`]) and the constant `$row` to the path's row of the tuning table. `$wide` is
/// evaluated on the paths with wide vectors (AVX-512, AVX2, NEON), where the whole-vector kernel has
/// several tunings; `$narrow` on SSE2 and the scalar fallback, which have one. With one expression,
/// it is evaluated on every path.
macro_rules! on_path {
    ($isa:expr, |$simd:ident, $row:ident| $body:expr) => {
        $crate::dispatch::on_path!($isa, |$simd, $row| $body, $body)
    };
    ($isa:expr, |$simd:ident, $row:ident| $wide:expr, $narrow:expr) => {{
        match $isa {
            #[cfg(any(target_arch = "x86", target_arch = "x86_64"))]
            $crate::Isa::Avx512 => {
                #[allow(dead_code)]
                const $row: $crate::tuning::Row = $crate::tuning::row($crate::Isa::Avx512);
                let $simd = $crate::isa::level().as_avx512().expect("resolve() only returns available paths");
                $wide
            }
            #[cfg(any(target_arch = "x86", target_arch = "x86_64"))]
            $crate::Isa::Avx2 => {
                #[allow(dead_code)]
                const $row: $crate::tuning::Row = $crate::tuning::row($crate::Isa::Avx2);
                let $simd = $crate::isa::level().as_avx2().expect("resolve() only returns available paths");
                $wide
            }
            #[cfg(any(target_arch = "x86", target_arch = "x86_64"))]
            $crate::Isa::Sse2 => {
                #[allow(dead_code)]
                const $row: $crate::tuning::Row = $crate::tuning::row($crate::Isa::Sse2);
                let $simd = $crate::isa::level().as_sse2().expect("resolve() only returns available paths");
                $narrow
            }
            #[cfg(target_arch = "aarch64")]
            $crate::Isa::Neon => {
                #[allow(dead_code)]
                const $row: $crate::tuning::Row = $crate::tuning::row($crate::Isa::Neon);
                let $simd = $crate::isa::level().as_neon().expect("resolve() only returns available paths");
                $wide
            }
            _ => {
                #[allow(dead_code)]
                const $row: $crate::tuning::Row = $crate::tuning::row($crate::Isa::Scalar);
                let $simd = fearless_simd::Fallback::new();
                $narrow
            }
        }
    }};
}
pub(crate) use on_path;

/// `match` a [`Tuning`] of [`crate::TUNINGS`] onto the const generics of its instantiation:
/// `$run::<_, T, VECTORS, CHECK_EVERY>(args)`.
macro_rules! on_tuning {
    ($tuning:expr, $run:ident :: <$t:ty> $args:tt ; $(($vectors:literal, $check_every:literal))*) => {
        match ($tuning.vectors, $tuning.check_every) {
            $(($vectors, $check_every) => $run::<_, $t, $vectors, $check_every> $args,)*
            _ => unreachable!("tuning {:?} is not instantiated", $tuning),
        }
    };
}
pub(crate) use on_tuning;

/// Render with precision `T` and `variant` on `isa` (resolved first); returns the path that ran.
/// `tuning` chooses the whole-vector kernel's instantiation on a wide path, and must be one of
/// [`crate::TUNINGS`] there; every other (path, variant) has one instantiation, its row of the table,
/// and ignores it. `lane_iterations`, when given, receives the lane-iterations executed (an
/// instrumented build of the same kernel, so the uninstrumented one pays nothing for the count).
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
        Variant::WholeVector => on_path!(
            isa,
            |simd, ROW| tunings!(on_tuning!(tuning, run_whole::<T>(simd, params, start, out, lane_iterations))),
            run_whole::<_, T, { ROW.whole_default.vectors }, { ROW.whole_default.check_every }>(
                simd,
                params,
                start,
                out,
                lane_iterations
            )
        ),
        Variant::Refill => on_path!(isa, |simd, ROW| run_refill::<
            _,
            T,
            { ROW.refill.vectors },
            { ROW.refill.check_every },
            { ROW.refill_divisor },
        >(simd, params, start, out, lane_iterations)),
        // The algorithmic variant also skips the rows that mirror others (`mandel_core::mirror`).
        Variant::Algorithmic => {
            let counted = mandel_core::mirror::render_mirrored::<T>(params, start, out, |params, start, out| {
                let mut count = 0;
                let counting = lane_iterations.is_some().then_some(&mut count);
                on_path!(isa, |simd, ROW| run_algorithmic::<
                    _,
                    T,
                    { ROW.algorithmic.vectors },
                    { ROW.algorithmic.check_every },
                >(simd, params, start, out, counting));
                count
            });
            if let Some(total) = lane_iterations {
                *total += counted;
            }
        }
    }
    isa
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

#[inline(always)]
fn run_refill<S: Step, T: Lanes, const VECTORS: usize, const CHECK_EVERY: usize, const REFILL_DIVISOR: usize>(
    simd: S,
    params: &Params,
    start: usize,
    out: &mut [u32],
    lane_iterations: Option<&mut u64>,
) {
    match lane_iterations {
        None => simd.vectorize(
            #[inline(always)]
            || refill::render::<S, T, VECTORS, CHECK_EVERY, REFILL_DIVISOR, false>(simd, params, start, out, &mut 0),
        ),
        Some(count) => simd.vectorize(
            #[inline(always)]
            || refill::render::<S, T, VECTORS, CHECK_EVERY, REFILL_DIVISOR, true>(simd, params, start, out, count),
        ),
    }
}

#[inline(always)]
fn run_algorithmic<S: Step, T: Lanes, const VECTORS: usize, const CHECK_EVERY: usize>(
    simd: S,
    params: &Params,
    start: usize,
    out: &mut [u32],
    lane_iterations: Option<&mut u64>,
) {
    match lane_iterations {
        None => simd.vectorize(
            #[inline(always)]
            || whole::render::<S, T, VECTORS, CHECK_EVERY, true, false>(simd, params, start, out, &mut 0),
        ),
        Some(count) => simd.vectorize(
            #[inline(always)]
            || whole::render::<S, T, VECTORS, CHECK_EVERY, true, true>(simd, params, start, out, count),
        ),
    }
}
