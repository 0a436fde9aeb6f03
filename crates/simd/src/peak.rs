//! Peak fused multiply-add throughput per core on a path, and the kernels' efficiency against it: the
//! one place the `mandel peak` and `mandel lanes` reports (and the ladder script reading them) get
//! their numbers from.

use crate::{Isa, LaneCount, Variant, dispatch, lane_count, render_span_with};
use mandel_core::{Params, Precision};
use std::hint::black_box;
use std::time::{Duration, Instant};

/// Peak fused multiply-add throughput of one core on one path: lane-FMAs per second, i.e. vector FMA
/// instructions per second times lanes per vector, measured on independent accumulator chains.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Peak {
    pub isa: Isa,
    pub f32_lanes: usize,
    pub f64_lanes: usize,
    pub f32_lane_fmas_per_s: f64,
    pub f64_lane_fmas_per_s: f64,
}

impl Peak {
    pub fn lane_fmas_per_s(&self, precision: Precision) -> f64 {
        match precision {
            Precision::F32 => self.f32_lane_fmas_per_s,
            Precision::F64 => self.f64_lane_fmas_per_s,
        }
    }
}

/// Run `rounds` rounds of the peak micro-benchmark on `isa` (resolved) in `precision`: every round is one
/// `mul_add_precise` on each of [`dispatch::FMA_CHAINS`] independent vector accumulators, enough to keep
/// both FMA ports busy through the FMA latency. Returns the path that ran, its lanes per vector, and a
/// value that depends on every FMA (so none can be optimised away).
pub fn fma_chains(isa: Isa, precision: Precision, rounds: u64) -> (Isa, usize, f64) {
    match precision {
        Precision::F32 => {
            let (isa, lanes, sum) = dispatch::fma_chains::<f32>(isa, rounds, black_box(0.5), black_box(1.0));
            (isa, lanes, f64::from(sum))
        }
        Precision::F64 => dispatch::fma_chains::<f64>(isa, rounds, black_box(0.5), black_box(1.0)),
    }
}

/// Lane-FMAs per second of the best of several timed runs of [`fma_chains`], each at least a
/// millisecond long; about 30 ms in all.
fn lane_fmas_per_s(isa: Isa, precision: Precision) -> (usize, f64) {
    let mut rounds = 1 << 10;
    let mut lanes = 1;
    let run = |rounds: u64, lanes: &mut usize| {
        let t = Instant::now();
        let (_, l, sum) = fma_chains(isa, precision, rounds);
        black_box(sum);
        *lanes = l;
        t.elapsed()
    };
    // Grow the run until it lasts a millisecond (this also warms the core up to its vector clock).
    while run(rounds, &mut lanes) < Duration::from_millis(1) {
        rounds *= 2;
    }
    let best = (0..10).map(|_| run(rounds, &mut lanes)).min().expect("ten runs");
    let fmas = rounds as f64 * dispatch::FMA_CHAINS as f64 * lanes as f64;
    (lanes, fmas / best.as_secs_f64())
}

/// Measure the peak FMA throughput of one core on `isa` (resolved to a path this CPU has), f32 and f64.
pub fn measure_peak(isa: Isa) -> Peak {
    let isa = isa.resolve();
    let (f32_lanes, f32_lane_fmas_per_s) = lane_fmas_per_s(isa, Precision::F32);
    let (f64_lanes, f64_lane_fmas_per_s) = lane_fmas_per_s(isa, Precision::F64);
    Peak { isa, f32_lanes, f64_lanes, f32_lane_fmas_per_s, f64_lane_fmas_per_s }
}

/// A kernel's lane-iterations per second as a fraction of the peak lane-FMA rate. A step is 8 vector
/// operations (3 FMAs, 3 other float operations, the compare and the count) on the 2 FMA-capable ports,
/// so one vector step takes 4 cycles while the peak does 2 FMAs a cycle: a kernel that never wastes an
/// issue slot or a lane reaches 1/8 = 0.125 of the peak, not 1.
pub fn efficiency(lane_iterations: u64, seconds: f64, peak_lane_fmas_per_s: f64) -> f64 {
    lane_iterations as f64 / seconds / peak_lane_fmas_per_s
}

/// Lane accounting and speed of one SIMD kernel at one problem.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LaneReport {
    pub kernel: &'static str,
    pub isa: Isa,
    pub precision: Precision,
    pub variant: Variant,
    pub lanes: usize,
    /// Lane-iterations executed: every lane of every vector step, useful or not.
    pub lane_iterations: u64,
    /// Useful lane-iterations: the sum of the counts.
    pub sum_of_counts: u64,
    /// `1 - sum_of_counts / lane_iterations`: the share of executed lane-iterations that were idle
    /// lanes. Negative for the algorithmic variant, which skips more than it wastes (see `skipped_fraction`).
    pub wasted_fraction: f64,
    /// `1 - lane_iterations / sum_of_counts` where positive: the share of the counts never iterated
    /// (algorithmic variant); 0 for the brute-force variants.
    pub skipped_fraction: f64,
    /// Fastest of the timed renders (uninstrumented kernel), in seconds.
    pub seconds: f64,
    pub lane_iterations_per_s: f64,
    pub peak_lane_fmas_per_s: f64,
    /// `lane_iterations_per_s / peak_lane_fmas_per_s` (see [`efficiency`]; at most 0.125).
    pub efficiency: f64,
    /// The same with useful lane-iterations only (sum of counts).
    pub useful_efficiency: f64,
}

/// Count and time one kernel: lane-iterations from an instrumented render, time as the fastest of
/// `repeats` plain renders, efficiency against `peak` (measured on the same path, see [`measure_peak`]).
pub fn lane_report(
    isa: Isa,
    precision: Precision,
    variant: Variant,
    params: &Params,
    repeats: u32,
    peak: &Peak,
) -> LaneReport {
    let LaneCount { isa, lane_iterations, sum_of_counts } = lane_count(isa, precision, variant, params);
    let mut out = vec![0; params.pixels()];
    let seconds = (0..repeats.max(1))
        .map(|_| {
            let t = Instant::now();
            render_span_with(isa, precision, variant, params, 0, &mut out).expect("a whole image is a valid span");
            t.elapsed().as_secs_f64()
        })
        .fold(f64::INFINITY, f64::min);
    let peak_rate = peak.lane_fmas_per_s(precision);
    LaneReport {
        kernel: variant.kernel_name(precision),
        isa,
        precision,
        variant,
        lanes: match precision {
            Precision::F32 => isa.f32_lanes(),
            Precision::F64 => isa.f64_lanes(),
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
    }
}
