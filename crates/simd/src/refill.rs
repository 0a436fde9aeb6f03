//! Kernel: `VECTORS` vectors in flight, and lanes whose pixel has finished take the span's next pixels
//! (the registered `simd-f32-refill`/`simd-f64-refill`; `simd-f32`/`simd-f64` are `whole.rs`). See the
//! crate docs for the algorithm and its tricks (trick 4 is why this variant is not the default).

use crate::lanes::{Consts, Lanes, Orbit, Step, lanes, steps, unrolled};
use crate::points::{Log, PADDING, Points};
use fearless_simd::{Select, SimdBase, SimdMask};
use mandel_core::Params;

/// Finished pixels logged before the log is written out: small enough to stay in L1.
const LOG_LIMIT: usize = 512;

/// Render pixels `start .. start + out.len()`. Every `CHECK_EVERY` steps, once at least
/// `VECTORS * LEN / REFILL_DIVISOR` lanes have escaped over all the vectors, or some lane has reached
/// `max_iters`, every vector logs its finished lanes and refills them from the point stream.
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
    // Escaped lanes, over all the vectors, that make a refill.
    let mut threshold = (VECTORS * len / REFILL_DIVISOR).max(1) as u32;

    let mut points = Points::<T, true>::new(params, start, out.len(), VECTORS * len);
    let mut log = Log::<T>::new(LOG_LIMIT, VECTORS * len);
    let mut idx = [padding; VECTORS];
    let mut orbits: [Orbit<S, T>; VECTORS] = core::array::from_fn(|v| {
        let (cx, cy, i) = points.take(simd, len);
        idx[v] = i;
        Orbit::start(simd, cx, cy)
    });
    // The first step at which some lane reaches max_iters, if it is still alive by then: every lane is
    // alive after a refill, so the oldest has counted every step since it was loaded.
    let mut step = 0u64;
    let mut deadline = u64::from(max_iters);

    loop {
        // The hot loop: steps only, no call (trick 10: a call anywhere in the loop, even a cold one,
        // puts every vector's state on the stack), unrolled so the vectors stay in registers.
        loop {
            steps::<S, T, VECTORS, CHECK_EVERY, COUNT_LANES>(&mut orbits, consts, &mut step, lane_iterations);
            // One test, no branch per vector: have enough lanes escaped, over all the vectors, or has
            // some lane reached max_iters (one compare against the earliest deadline, trick 3)?
            let mut escaped = 0;
            for orbit in orbits.iter() {
                escaped += (!orbit.alive).to_bitmask().count_ones();
            }
            if escaped >= threshold || step >= deadline {
                break;
            }
        }
        points.ensure();
        // Every vector retires its finished lanes and refills them, without a branch per vector (a
        // vector with none takes no points and changes nothing).
        let mut oldest = zero_n;
        unrolled!(VECTORS, |v| {
            let orbit = &mut orbits[v];
            // Overshooting max_iters between checks is harmless: counts are capped at max_iters.
            let done = !orbit.alive | orbit.n.simd_ge(max);
            let count = done.to_bitmask().count_ones() as usize;
            // SAFETY: the log was flushed if full after the last round and `ensure` ran this round; a
            // round pushes and takes at most a vector's lanes per vector, `VECTORS * len` in all, the
            // window both were made with.
            let (cx, cy, next) = unsafe {
                log.push(idx[v], orbit.n, done, count);
                points.take_unchecked(simd, count)
            };
            orbit.cx = cx.expand_merge(done, orbit.cx);
            orbit.cy = cy.expand_merge(done, orbit.cy);
            idx[v] = next.expand_merge(done, idx[v]);
            orbit.re = done.select(zero, orbit.re);
            orbit.im = done.select(zero, orbit.im);
            orbit.n = done.select(zero_n, orbit.n);
            orbit.alive = T::M::<S>::splat(simd, true);
            oldest = oldest.max(orbit.n);
        });
        let oldest: i64 = oldest.reduce_max().into();
        deadline = step + u64::from(max_iters) - oldest as u64;
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
