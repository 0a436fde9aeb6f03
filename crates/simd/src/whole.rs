//! The kernel loop: `VECTORS` vectors in flight, each on `LEN` consecutive pixels; a vector whose
//! lanes have all finished stores its counts and takes the span's next `LEN` pixels. No lane is
//! refilled on its own. The registered `simd-f32`/`simd-f64`, and with `SKIP_INTERIOR` the algorithmic
//! variant's (`simd-algorithmic-f32`); one generic source for every path, precision and tuning, which
//! `dispatch.rs` instantiates. The crate docs give the algorithm and the tricks (numbered there);
//! the loop as written:
//!
//! ```text
//! orbits = VECTORS vectors of LEN consecutive points (past the span's end: padding, c = 4)
//! loop:
//!     deadline = min(started) + max_iters          # the first step at which some vector has run max_iters
//!     loop:                                        # the hot loop: steps only, no call (trick 10)
//!         repeat CHECK_EVERY times: step every vector (Orbit::step: the path's own step, trick 5)
//!         step += CHECK_EVERY
//!         break if step >= deadline or some vector has no lane alive (trick 3)
//!               or, SKIP_INTERIOR, step is a multiple of CYCLE_CHECK_EVERY
//!     SKIP_INTERIOR, at a multiple of CYCLE_CHECK_EVERY: finish lanes whose z equals their saved z
//!     refill the point buffers if a round of loads could run past them
//!     for each vector that has finished (no lane alive, or max_iters steps since it started):
//!         store min(n, max_iters) for its lanes (the span's last, partial vector into `tail`)
//!         load the next LEN points (SKIP_INTERIOR: lanes in the cardioid or the bulb born finished)
//!     stop when every vector holds only padding
//! copy `tail`'s real lanes out
//! ```
//!
//! With `SKIP_INTERIOR`, two exact ways of not iterating, whose counts still equal brute force's bit
//! for bit:
//! 1. points in the main cardioid or the period-2 bulb (closed form, see
//!    [`skip::in_cardioid_or_bulb`]) get `max_iters` without iterating: a lane of them is born
//!    finished (it escapes at its first step without counting), so a vector of only them is done
//!    after its first round of steps;
//! 2. every [`CYCLE_CHECK_EVERY`] steps, a live lane whose `z` equals the value saved at its vector's
//!    last save point (ages doubling, as in Brent's method) is on a cycle of the floating-point map,
//!    which never escapes: it gets `max_iters`.
//!    (Float `==`, not bitwise: `-0.0 == 0.0`, and the sign of a zero never changes a count, since
//!    `z` enters the escape test squared and a zero's sign only reaches the next `z` as a zero's sign.)
//!    Checking only every so many steps finds a cycle whose period divides the distance between the
//!    save point and a check (see [`CYCLE_CHECK_EVERY`]); one not found merely iterates on, so the
//!    counts stay exact.

use crate::lanes::{Consts, Lanes, Orbit, Step, lanes, steps, unrolled};
use crate::points::Points;
use crate::skip;
use fearless_simd::{SimdBase, SimdMask};
use mandel_core::Params;

/// Render pixels `start .. start + out.len()`, checking every `CHECK_EVERY` steps whether a vector has
/// finished. With `COUNT_LANES`, adds the lane-iterations executed to `lane_iterations`; with
/// `SKIP_INTERIOR`, skips work exactly (see the module docs).
#[inline(always)]
pub(crate) fn render<
    S: Step,
    T: Lanes,
    const VECTORS: usize,
    const CHECK_EVERY: usize,
    const SKIP_INTERIOR: bool,
    const COUNT_LANES: bool,
>(
    simd: S,
    params: &Params,
    start: usize,
    out: &mut [u32],
    lane_iterations: &mut u64,
) {
    const { assert!(VECTORS >= 1 && CHECK_EVERY >= 1) };
    if out.is_empty() {
        return;
    }
    let len = lanes::<S, T>();
    let max_iters = u64::from(params.max_iters());
    let consts = Consts::<S, T>::new(simd);
    // max_iters <= MAX_ITERS_CAP = 10^6 fits in i32.
    let max = T::I::<S>::splat(simd, T::Int::from(max_iters as i32));

    let mut points = Points::<T, false>::new(params, start, out.len(), VECTORS * len);
    // Each vector's first pixel (span-relative; past the span's end once the span has run out) and the
    // step it started at.
    let mut first = [0usize; VECTORS];
    let mut started = [0u64; VECTORS];
    let mut step = 0u64;
    let mut next = 0;
    // The counts of the span's last vector if it is partial (its first pixel at `tail_at`); 64 is
    // more than any path's lanes (16).
    let mut tail = [0u32; 64];
    let mut tail_at = usize::MAX;
    let mut orbits: [Orbit<S, T>; VECTORS] = core::array::from_fn(|v| {
        let (orbit, f) = load::<S, T, SKIP_INTERIOR>(simd, &mut points, &mut next, max);
        first[v] = f;
        orbit
    });
    // SKIP_INTERIOR: each vector's z at its last save point, and the age (steps since it started) at which it
    // saves next; the age doubles at each save, Brent's powers of two as seen every CYCLE_CHECK_EVERY steps.
    let mut saved: [(T::F<S>, T::F<S>); VECTORS] = core::array::from_fn(|v| (orbits[v].re, orbits[v].im));
    let mut next_save = [CYCLE_CHECK_EVERY; VECTORS];

    // Counting only alive steps makes overshooting max_iters harmless: counts are capped.
    let finished =
        |orbit: &Orbit<S, T>, started: u64, step: u64| !orbit.alive.any_true() || step - started >= max_iters;
    loop {
        // The first step at which some vector has run max_iters steps, so that a check is one compare
        // and a mask test per vector: with each vector's own `step - started` compared there, a check
        // every 4 steps cost more than the idle steps it saves (see trick 3 in the crate docs).
        let deadline = started.iter().min().copied().unwrap_or(0) + max_iters;
        // The hot loop: steps only, no call, so the vectors stay in registers; it exits only when a
        // vector has finished, and the code below (out of the loop) refills it.
        loop {
            steps::<S, T, VECTORS, CHECK_EVERY, COUNT_LANES>(&mut orbits, consts, &mut step, lane_iterations);
            if (SKIP_INTERIOR && step.is_multiple_of(CYCLE_CHECK_EVERY))
                || step >= deadline
                || orbits.iter().any(|orbit| !orbit.alive.any_true())
            {
                break;
            }
        }
        if SKIP_INTERIOR && step.is_multiple_of(CYCLE_CHECK_EVERY) {
            // Out of the hot loop, so the saved values need no registers there.
            for v in 0..VECTORS {
                skip::finish_cycles(simd, &mut orbits[v], saved[v], max);
                if step - started[v] >= next_save[v] {
                    saved[v] = (orbits[v].re, orbits[v].im);
                    next_save[v] *= 2;
                }
            }
        }
        points.ensure();
        unrolled!(VECTORS, |v| {
            if finished(&orbits[v], started[v], step) {
                if first[v] + len <= out.len() {
                    T::store_counts(orbits[v].n, max, &mut out[first[v]..first[v] + len]);
                } else if first[v] < out.len() {
                    // The span's last vector, part padding: whole into `tail`, copied out at the end.
                    T::store_counts(orbits[v].n, max, &mut tail[..len]);
                    tail_at = first[v];
                }
                (orbits[v], first[v]) = load::<S, T, SKIP_INTERIOR>(simd, &mut points, &mut next, max);
                saved[v] = (orbits[v].re, orbits[v].im);
                next_save[v] = CYCLE_CHECK_EVERY;
                started[v] = step;
            }
        });
        if first.iter().all(|&f| f >= out.len()) {
            break;
        }
    }
    if tail_at < out.len() {
        let part = out.len() - tail_at;
        out[tail_at..].copy_from_slice(&tail[..part]);
    }
}

/// Steps between two cycle checks (`SKIP_INTERIOR`), a multiple of every tuning's `CHECK_EVERY` (4 or
/// 8). Checking inside the hot loop every `CHECK_EVERY` steps kept 8 more vectors live there, which
/// spilled registers and cost more than the cycles it found saved (MEASUREMENTS.md, "Tried, not
/// kept"). Saves and checks both fall on multiples of this interval, 1 or 2 intervals apart, so a
/// cycle is found only if its period divides 24 or 48: periods 1, 2, 3, 4, 6, 8, 12, 16, 24, 48. With
/// 32 the period-3 bulbs (the largest after the cardioid and the period-2 bulb, which the closed form
/// skips) were never found, which cost time at high `max_iters` (MEASUREMENTS.md, "Other changes").
const CYCLE_CHECK_EVERY: u64 = 24;

/// Take the span's next vector of pixels: its fresh orbits and its first pixel (span-relative). With
/// `SKIP_INTERIOR`, lanes in the cardioid or the bulb get `max_iters` and escape at their first step.
/// A vector of only such lanes is not written out here and the next one taken: that loop needed a
/// buffer refill (a call) in the refill path, which put every vector's state on the stack; it runs its
/// `CHECK_EVERY` steps instead, finished after the first (trick 10b in the crate docs).
#[inline(always)]
fn load<S: Step, T: Lanes, const SKIP_INTERIOR: bool>(
    simd: S,
    points: &mut Points<T, false>,
    next: &mut usize,
    max: T::I<S>,
) -> (Orbit<S, T>, usize) {
    let len = lanes::<S, T>();
    let (cx, cy) = points.take_points(simd, len);
    let first = *next;
    *next += len;
    let mut orbit = Orbit::start(simd, cx, cy);
    if SKIP_INTERIOR {
        skip::skip_inside::<S, T>(simd, &mut orbit, max);
    }
    (orbit, first)
}
