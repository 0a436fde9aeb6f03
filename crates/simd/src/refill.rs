//! Kernel: `VECTORS` vectors in flight, and lanes whose pixel has finished take the span's next pixels
//! (the registered `simd-f32-refill`/`simd-f64-refill`; `simd-f32`/`simd-f64` are `whole.rs`). See the
//! crate docs for the algorithm and its tricks (trick 4 is why this variant is not the default).

use crate::lanes::{Consts, Lanes, Orbit, Step, lanes, rarely};
use crate::points::{Log, PADDING, Points};
use fearless_simd::{Select, SimdBase, SimdMask};
use mandel_core::Params;

/// Finished pixels logged before the log is written out: small enough to stay in L1.
const LOG_LIMIT: usize = 512;

/// Render pixels `start .. start + out.len()`. Every `CHECK_EVERY` steps, a vector with at least
/// `LEN / REFILL_DIVISOR` escaped lanes, or with a lane at `max_iters`, logs its finished lanes and refills
/// them from the point stream.
/// With `COUNT_LANES`, adds the lane-iterations executed (every lane of every step) to `lane_iterations`.
#[inline(always)]
pub(crate) fn render<
    S: Step,
    T: Lanes,
    const VECTORS: usize,
    const CHECK_EVERY: usize,
    const REFILL_DIVISOR: usize,
    const COUNT_LANES: bool,
>(
    simd: S,
    params: &Params,
    start: usize,
    out: &mut [u32],
    lane_iterations: &mut u64,
) {
    const { assert!(VECTORS >= 1 && CHECK_EVERY >= 1 && REFILL_DIVISOR >= 1) };
    if out.is_empty() {
        return;
    }
    let len = lanes::<S, T>();
    let max_iters = params.max_iters();
    let consts = Consts::<S, T>::new(simd);
    let zero = T::F::<S>::splat(simd, T::ZERO);
    let zero_n = T::I::<S>::splat(simd, T::Int::from(0));
    // max_iters <= MAX_ITERS_CAP = 10^6 fits in i32.
    let max = T::I::<S>::splat(simd, T::Int::from(max_iters as i32));
    let padding = T::I::<S>::splat(simd, T::Int::from(PADDING));
    let mut threshold = (len / REFILL_DIVISOR).max(1) as u32;

    let mut points = Points::<T, true>::new(params, start, out.len(), VECTORS * len);
    let mut log = Log::<T>::new(LOG_LIMIT, VECTORS * len);
    let mut idx = [padding; VECTORS];
    let mut orbits: [Orbit<S, T>; VECTORS] = core::array::from_fn(|v| {
        let (cx, cy, i) = points.take(simd, len);
        idx[v] = i;
        Orbit::start(simd, cx, cy)
    });
    // The step at which a vector's oldest lane reaches max_iters, if it is still alive by then.
    let mut step = 0u64;
    let mut deadline = [u64::from(max_iters); VECTORS];

    loop {
        for _ in 0..CHECK_EVERY {
            for orbit in orbits.iter_mut() {
                orbit.step(consts);
            }
        }
        step += CHECK_EVERY as u64;
        if COUNT_LANES {
            *lane_iterations += (CHECK_EVERY * VECTORS * len) as u64;
        }
        // One combined test: has any vector enough escaped lanes, or a lane at max_iters?
        let mut any_ready = false;
        for (orbit, &deadline) in orbits.iter().zip(&deadline) {
            any_ready |= (!orbit.alive).to_bitmask().count_ones() >= threshold || step >= deadline;
        }
        if !any_ready {
            continue;
        }
        rarely();
        points.ensure();
        for ((orbit, idx), deadline) in orbits.iter_mut().zip(idx.iter_mut()).zip(deadline.iter_mut()) {
            if (!orbit.alive).to_bitmask().count_ones() < threshold && step < *deadline {
                continue;
            }
            // Overshooting max_iters between checks is harmless: the log caps counts at max_iters.
            let done = !orbit.alive | orbit.n.simd_ge(max);
            let count = done.to_bitmask().count_ones() as usize;
            log.push(*idx, orbit.n, done, count);
            let (cx, cy, next) = points.take(simd, count);
            orbit.cx = cx.expand_merge(done, orbit.cx);
            orbit.cy = cy.expand_merge(done, orbit.cy);
            *idx = next.expand_merge(done, *idx);
            orbit.re = done.select(zero, orbit.re);
            orbit.im = done.select(zero, orbit.im);
            orbit.n = done.select(zero_n, orbit.n);
            orbit.alive = T::M::<S>::splat(simd, true);
            // Every lane is alive now, so the oldest has counted every step since it was loaded.
            let oldest: i64 = orbit.n.reduce_max().into();
            *deadline = step + u64::from(max_iters) - oldest as u64;
        }
        if log.full() {
            log.flush(out, max_iters);
        }
        if points.exhausted() {
            // Draining: log every finished lane at once; done when every lane holds padding.
            threshold = 1;
            if idx.iter().all(|i| i.simd_eq(padding).all_true()) {
                break;
            }
        }
    }
    log.flush(out, max_iters);
}
