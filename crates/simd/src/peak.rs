//! Peak fused multiply-add throughput per core on a path, and the kernels' efficiency against it: the
//! one place the `mandel peak` and `mandel lanes` reports (and the ladder script reading them) get
//! their numbers from.

use crate::dispatch::{on_path, on_tuning};
use crate::lanes::{Consts, Lanes, Orbit, Step};
use crate::tuning::tunings;
use crate::{Isa, Tuning};
use fearless_simd::{Simd, SimdBase};
use mandel_core::Precision;
use std::hint::black_box;
use std::time::{Duration, Instant};

/// What one core can do on one path, measured, in two figures per precision:
/// * the FMA peak: lane-FMAs per second (vector FMA instructions per second times lanes), on
///   independent accumulator chains: the machine's arithmetic ceiling;
/// * the step ceiling: lane-iterations per second of the kernel's own escape step ([`step_only`]) on
///   independent vectors whose lanes never escape, with no checks, at the best vectors-in-flight count:
///   the most this step can do on this CPU, whatever its port layout. A kernel's efficiency is its useful
///   iterations per second against this ceiling.
///
/// Serialized (`mandel peak --json`) with these field names, the path and tunings by name.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct Peak {
    pub isa: Isa,
    pub f32_lanes: usize,
    pub f64_lanes: usize,
    pub f32_lane_fmas_per_s: f64,
    pub f64_lane_fmas_per_s: f64,
    pub f32_step_lane_iterations_per_s: f64,
    pub f64_step_lane_iterations_per_s: f64,
    /// The tuning (vectors in flight, unroll) that reached each step ceiling.
    pub f32_step_tuning: Tuning,
    pub f64_step_tuning: Tuning,
}

impl Peak {
    pub fn lane_fmas_per_s(&self, precision: Precision) -> f64 {
        match precision {
            Precision::F32 => self.f32_lane_fmas_per_s,
            Precision::F64 => self.f64_lane_fmas_per_s,
        }
    }
    pub fn step_lane_iterations_per_s(&self, precision: Precision) -> f64 {
        match precision {
            Precision::F32 => self.f32_step_lane_iterations_per_s,
            Precision::F64 => self.f64_step_lane_iterations_per_s,
        }
    }
}

/// `steps` steps of the kernel's escape step on `tuning.vectors()` always-busy vectors on `isa`
/// (resolved), nothing else: returns the path, lanes per vector and a value that depends on every step.
pub fn step_only(isa: Isa, precision: Precision, tuning: Tuning, steps: u64) -> (Isa, usize, u64) {
    match precision {
        Precision::F32 => step_only_on::<f32>(isa, tuning, steps),
        Precision::F64 => step_only_on::<f64>(isa, tuning, steps),
    }
}

/// Best lane-iterations per second of [`step_only`] over every instantiated tuning of `isa`, and the
/// tuning that reached it. Each is timed like the FMA peak: grown to a millisecond, then best of ten.
fn step_ceiling(isa: Isa, precision: Precision) -> (f64, Tuning) {
    Tuning::candidates(isa)
        .iter()
        .map(|&tuning| {
            let (rate, _) = best_rate(|steps| {
                let (_, lanes, sum) = step_only(isa, precision, tuning, steps);
                black_box(sum);
                (tuning.vectors() * lanes) as f64
            });
            (rate, tuning)
        })
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .expect("at least one tuning")
}

/// Operations per second of `run(rounds)`, which returns the operations one round does: the run is
/// grown until it lasts a millisecond (this also warms the core up to its vector clock), then the
/// best of ten runs counts. Returns the rate and the operations per round.
fn best_rate(mut run: impl FnMut(u64) -> f64) -> (f64, f64) {
    let mut rounds = 1 << 10;
    let mut timed = |rounds: u64| {
        let t = Instant::now();
        let per_round = run(rounds);
        (t.elapsed(), per_round)
    };
    while timed(rounds).0 < Duration::from_millis(1) {
        rounds *= 2;
    }
    let (best, per_round) = (0..10).map(|_| timed(rounds)).min_by_key(|r| r.0).expect("ten runs");
    (rounds as f64 * per_round / best.as_secs_f64(), per_round)
}

/// Run `rounds` rounds of the peak micro-benchmark on `isa` (resolved) in `precision`: every round is one
/// `mul_add_precise` on each of `FMA_CHAINS` (12) independent vector accumulators, enough to keep
/// both FMA ports busy through the FMA latency. Returns the path that ran, its lanes per vector, and a
/// value that depends on every FMA (so none can be optimised away).
pub fn fma_chains(isa: Isa, precision: Precision, rounds: u64) -> (Isa, usize, f64) {
    match precision {
        Precision::F32 => {
            let (isa, lanes, sum) = fma_chains_on::<f32>(isa, rounds, black_box(0.5), black_box(1.0));
            (isa, lanes, f64::from(sum))
        }
        Precision::F64 => fma_chains_on::<f64>(isa, rounds, black_box(0.5), black_box(1.0)),
    }
}

/// Lane-FMAs per second of the FMA chains on `isa` in `precision` ([`best_rate`]), and lanes per vector.
fn lane_fmas_per_s(isa: Isa, precision: Precision) -> (usize, f64) {
    let mut lanes = 1;
    let (rate, _) = best_rate(|rounds| {
        let (_, l, sum) = fma_chains(isa, precision, rounds);
        black_box(sum);
        lanes = l;
        (FMA_CHAINS * l) as f64
    });
    (lanes, rate)
}

/// Measure one core on `isa` (resolved to a path this CPU has), f32 and f64: the FMA peak and the
/// kernel step's ceiling.
pub fn measure_peak(isa: Isa) -> Peak {
    let isa = isa.resolve();
    let (f32_lanes, f32_lane_fmas_per_s) = lane_fmas_per_s(isa, Precision::F32);
    let (f64_lanes, f64_lane_fmas_per_s) = lane_fmas_per_s(isa, Precision::F64);
    let (f32_step_lane_iterations_per_s, f32_step_tuning) = step_ceiling(isa, Precision::F32);
    let (f64_step_lane_iterations_per_s, f64_step_tuning) = step_ceiling(isa, Precision::F64);
    Peak {
        isa,
        f32_lanes,
        f64_lanes,
        f32_lane_fmas_per_s,
        f64_lane_fmas_per_s,
        f32_step_lane_iterations_per_s,
        f64_step_lane_iterations_per_s,
        f32_step_tuning,
        f64_step_tuning,
    }
}

/// Lane-iterations per second as a fraction of a measured rate (the FMA peak or the step ceiling).
/// Against the FMA peak, no kernel reaches 1: a step is several vector operations (3 FMAs, a multiply,
/// an add, a subtract, the compare and the count), and how many of them a cycle can issue depends on
/// the microarchitecture's ports, which is why the step ceiling is measured, not derived.
pub fn efficiency(lane_iterations: u64, seconds: f64, peak_lane_fmas_per_s: f64) -> f64 {
    lane_iterations as f64 / seconds / peak_lane_fmas_per_s
}

/// Lane accounting and speed of one SIMD kernel at one problem. Serialized (`mandel lanes --json`)
/// with these field names, the precision by name.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct LaneReport {
    /// The registered kernel measured.
    pub kernel: &'static str,
    /// The instruction-set path it took.
    pub isa: &'static str,
    pub precision: Precision,
    /// Lanes per vector at this precision on the path `peak` was measured on.
    pub lanes: usize,
    /// Lane-iterations executed: every lane of every vector step, useful or not.
    pub lane_iterations: u64,
    /// Useful lane-iterations: the sum of the counts.
    pub sum_of_counts: u64,
    /// `1 - sum_of_counts / lane_iterations`: the share of executed lane-iterations that were idle
    /// lanes. Negative for an algorithmic kernel, which skips more than it wastes (see `skipped_fraction`).
    pub wasted_fraction: f64,
    /// `1 - lane_iterations / sum_of_counts` where positive: the share of the counts never iterated
    /// (algorithmic kernels); 0 for brute force.
    pub skipped_fraction: f64,
    /// Fastest of the timed renders, in seconds.
    pub seconds: f64,
    pub lane_iterations_per_s: f64,
    pub peak_lane_fmas_per_s: f64,
    /// `lane_iterations_per_s / peak_lane_fmas_per_s` (see [`efficiency`]).
    pub efficiency: f64,
    /// The same with useful lane-iterations only (sum of counts).
    pub useful_efficiency: f64,
    /// The step ceiling of this path and precision ([`Peak::step_lane_iterations_per_s`]).
    pub step_ceiling_per_s: f64,
    /// Useful lane-iterations (sum of counts) per second against the step ceiling: 1 would be a kernel
    /// that never idles a lane, never checks, never loads a point.
    pub step_share: f64,
}

impl LaneReport {
    /// The report of `kernel` (a registered SIMD kernel, which `mandel lanes` counted with its
    /// instrumented render and timed `seconds` for its fastest plain render) against `peak`, measured
    /// on the path the kernel took (see [`measure_peak`]).
    pub fn new(
        kernel: &'static str,
        isa: &'static str,
        precision: Precision,
        lane_iterations: u64,
        sum_of_counts: u64,
        seconds: f64,
        peak: &Peak,
    ) -> LaneReport {
        let peak_rate = peak.lane_fmas_per_s(precision);
        LaneReport {
            kernel,
            isa,
            precision,
            lanes: match precision {
                Precision::F32 => peak.isa.f32_lanes(),
                Precision::F64 => peak.isa.f64_lanes(),
            },
            lane_iterations,
            sum_of_counts,
            wasted_fraction: 1.0 - sum_of_counts as f64 / lane_iterations as f64,
            skipped_fraction: (1.0 - lane_iterations as f64 / sum_of_counts.max(1) as f64).max(0.0),
            seconds,
            lane_iterations_per_s: lane_iterations as f64 / seconds,
            peak_lane_fmas_per_s: peak_rate,
            efficiency: efficiency(lane_iterations, seconds, peak_rate),
            useful_efficiency: efficiency(sum_of_counts, seconds, peak_rate),
            step_ceiling_per_s: peak.step_lane_iterations_per_s(precision),
            step_share: efficiency(sum_of_counts, seconds, peak.step_lane_iterations_per_s(precision)),
        }
    }
}

/// Independent accumulators of the peak micro-benchmark: at least FMA latency (4 cycles) x FMA ports
/// (2) of them, and few enough to stay in the 16 registers of AVX2/SSE2 with the two operands.
const FMA_CHAINS: usize = 12;

/// `rounds` rounds of `acc = acc * a + b` on [`FMA_CHAINS`] vectors of `T` on `isa` (resolved): returns
/// the path, its lanes per vector and the sum of the results.
fn fma_chains_on<T: Lanes>(isa: Isa, rounds: u64, a: T, b: T) -> (Isa, usize, T) {
    let isa = isa.resolve();
    let (lanes, sum) = on_path!(isa, |simd, _ROW| simd.vectorize(
        #[inline(always)]
        || chains::<_, T>(simd, rounds, a, b)
    ));
    (isa, lanes, sum)
}

/// `steps` escape steps ([`Orbit::step`], the kernel's own) on `tuning.vectors()` independent vectors
/// whose lanes all stay busy (points inside the main cardioid never escape), unrolled `check_every`
/// times, with no check and no refill: the most lane-iterations a second this path can do with this
/// step. Returns the path, its lanes per vector and the sum of the counts (so nothing is optimised away).
fn step_only_on<T: Lanes>(isa: Isa, tuning: Tuning, steps: u64) -> (Isa, usize, u64) {
    let isa = isa.resolve();
    let (lanes, sum) = on_path!(
        isa,
        |simd, ROW| tunings!(on_tuning!(tuning, steps_on::<T>(simd, steps))),
        steps_on::<_, T, { ROW.whole_default.vectors }, { ROW.whole_default.check_every }>(simd, steps)
    );
    (isa, lanes, sum)
}

#[inline(always)]
fn steps_on<S: Step, T: Lanes, const VECTORS: usize, const CHECK_EVERY: usize>(simd: S, steps: u64) -> (usize, u64) {
    simd.vectorize(
        #[inline(always)]
        || {
            let consts = Consts::<S, T>::new(simd);
            let mut orbits: [Orbit<S, T>; VECTORS] = core::array::from_fn(|v| {
                let cx = T::F::<S>::splat(simd, T::from_f64(-0.1 - 0.01 * v as f64));
                let cy = T::F::<S>::splat(simd, T::from_f64(0.1));
                Orbit::start(simd, std::hint::black_box(cx), cy)
            });
            for _ in 0..steps.div_ceil(CHECK_EVERY as u64) {
                crate::lanes::unrolled!(CHECK_EVERY, |_s| {
                    for orbit in orbits.iter_mut() {
                        orbit.step(consts);
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
