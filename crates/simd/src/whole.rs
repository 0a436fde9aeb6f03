//! Kernel: `V` vectors in flight, each on `LEN` consecutive pixels; a vector whose lanes have all
//! finished stores its counts and takes the span's next `LEN` pixels. No lane is refilled on its own
//! (the registered `simd-f32-norefill`/`-f64-norefill`). See the crate docs for the algorithm and tricks.

use crate::lanes::{Consts, Lanes, Orbit, Step, lanes, unrolled};
use crate::points::Points;
use fearless_simd::{SimdBase, SimdMask};
use mandel_core::Params;

/// Render pixels `start .. start + out.len()`, checking every `K` steps whether a vector has finished.
/// With `STATS`, adds the lane-iterations executed to `lane_iterations`.
#[inline(always)]
pub(crate) fn render<S: Step, T: Lanes, const V: usize, const K: usize, const STATS: bool>(
    simd: S,
    params: &Params,
    start: usize,
    out: &mut [u32],
    lane_iterations: &mut u64,
) {
    const { assert!(V >= 1 && K >= 1) };
    if out.is_empty() {
        return;
    }
    let len = lanes::<S, T>();
    let max_iters = u64::from(params.max_iters());
    let k = Consts::<S, T>::new(simd);
    // max_iters <= MAX_ITERS_CAP = 10^6 fits in i32.
    let max = T::I::<S>::splat(simd, T::Int::from(max_iters as i32));

    let mut points = Points::<T>::new(params, start, out.len(), V * len);
    // Each vector's first pixel (span-relative; past the span's end once the span has run out) and the
    // step it started at.
    let mut first = [0usize; V];
    let mut started = [0u64; V];
    let mut step = 0u64;
    let mut next = 0;
    let mut orbits: [Orbit<S, T>; V] = core::array::from_fn(|v| {
        let (cx, cy, _) = points.take(simd, len);
        first[v] = next;
        next += len;
        Orbit::start(simd, cx, cy)
    });

    // Counting only alive steps makes overshooting max_iters harmless: counts are capped.
    let finished =
        |orbit: &Orbit<S, T>, started: u64, step: u64| !orbit.alive.any_true() || step - started >= max_iters;
    loop {
        // The hot loop: steps only, no call, so the vectors stay in registers; it exits only when a
        // vector has finished, and the code below (out of the loop) refills it.
        loop {
            unrolled!(K, |_s| {
                for orbit in orbits.iter_mut() {
                    orbit.step(k);
                }
            });
            step += K as u64;
            if STATS {
                *lane_iterations += (K * V * len) as u64;
            }
            if orbits.iter().zip(&started).any(|(orbit, &started)| finished(orbit, started, step)) {
                break;
            }
        }
        points.ensure();
        unrolled!(V, |v| {
            if finished(&orbits[v], started[v], step) {
                if first[v] < out.len() {
                    let end = (first[v] + len).min(out.len());
                    T::store_counts(orbits[v].n, max, &mut out[first[v]..end]);
                }
                let (cx, cy, _) = points.take(simd, len);
                orbits[v] = Orbit::start(simd, cx, cy);
                started[v] = step;
                first[v] = next;
                next += len;
            }
        });
        if first.iter().all(|&f| f >= out.len()) {
            break;
        }
    }
}
