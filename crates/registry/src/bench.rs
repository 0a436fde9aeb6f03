//! The `ladder` bench group's settings and the record it writes per kernel: the Rust side owns what
//! it measured. `benches/ladder.rs` verifies every kernel once ([`verification`]), times it with
//! Criterion, and writes a [`Records`] file; `scripts/ladder` merges that file with Criterion's own
//! estimates of the benchmarks the records name, and parses nothing else.

use crate::describe::{KernelInfo, Problem};
use mandel_core::{Kernel, Params, RenderError, compare, total_iterations};
use serde::Serialize;

/// Criterion's settings for the `ladder` group (and the `load-balance` and `threads` groups).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct BenchSettings {
    pub sample_size: usize,
    pub warm_up_s: f64,
    pub measurement_s: f64,
}

/// The full run. 10 samples keep a full run to seconds per kernel even for the slowest rungs, while
/// Criterion still reports a confidence interval.
pub const BENCH_FULL: BenchSettings = BenchSettings { sample_size: 10, warm_up_s: 1.0, measurement_s: 3.0 };

/// `MANDEL_BENCH_QUICK=1`: a first look.
pub const BENCH_QUICK: BenchSettings = BenchSettings { sample_size: 10, warm_up_s: 0.3, measurement_s: 1.0 };

/// Whether `MANDEL_BENCH_QUICK` asks for [`BENCH_QUICK`] (set, not empty, not `0`).
pub fn bench_quick() -> bool {
    std::env::var("MANDEL_BENCH_QUICK").is_ok_and(|v| v != "0" && !v.is_empty())
}

/// A kernel's counts against the f64 reference, from the one render the bench verifies with.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Verification {
    pub pixels: usize,
    pub differing: usize,
    pub allowed: usize,
    pub max_abs_diff: u32,
    /// The sum of the counts: the iterations the image stands for (Criterion's throughput).
    pub iterations: u64,
    pub reference_iterations: u64,
    /// Escape-loop steps executed, counting every SIMD lane, busy or idle; below `iterations` for
    /// kernels that skip work.
    pub lane_iterations: u64,
    pub ok: bool,
}

/// Render `params` once with `kernel` (instrumented: lane-iterations counted) and compare the counts
/// with `expected`, the reference's: the verification that comes before timing.
pub fn verification(kernel: &Kernel, params: &Params, expected: &[u32]) -> Result<Verification, RenderError> {
    let mut got = vec![0; params.pixels()];
    let lane_iterations = kernel.render_counting(params, &mut got)?;
    let cmp = compare(expected, &got);
    let allowed = kernel.tolerance.allowed(cmp.pixels);
    Ok(Verification {
        pixels: cmp.pixels,
        differing: cmp.differing,
        allowed,
        max_abs_diff: cmp.max_abs_diff,
        iterations: total_iterations(&got),
        reference_iterations: total_iterations(expected),
        lane_iterations,
        ok: cmp.differing <= allowed,
    })
}

/// One kernel in one bench run.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Record {
    #[serde(flatten)]
    pub kernel: KernelInfo,
    /// `None` for a kernel this build cannot run (`kernel.unavailable` says why).
    pub verification: Option<Verification>,
    /// The Criterion benchmark that timed it (`ladder/<kernel>/<isa>`, also the folder of its results
    /// under Criterion's output directory), `None` when it was not timed in this run: unavailable,
    /// failed verification, or left out by a bench filter.
    pub criterion_id: Option<String>,
}

impl Record {
    /// `kernel` before timing: what the registry says of it, and its verification against `expected`
    /// (the reference's counts of `params`), `None` when this build cannot run it.
    pub fn verified(kernel: &Kernel, params: &Params, expected: &[u32]) -> Result<Record, RenderError> {
        let info = KernelInfo::of(kernel);
        let verification = match info.unavailable {
            Some(_) => None,
            None => Some(verification(kernel, params, expected)?),
        };
        Ok(Record { kernel: info, verification, criterion_id: None })
    }
}

/// The records file of one bench run (`MANDEL_BENCH_RECORDS`, by default `ladder-records.json` in
/// Criterion's output directory): every registered kernel, in ladder order.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Records {
    pub schema: &'static str,
    pub quick: bool,
    pub criterion: BenchSettings,
    pub params: Problem,
    pub records: Vec<Record>,
}

impl Records {
    pub fn new(quick: bool, params: &Params) -> Records {
        Records {
            schema: "mandel-bench-records/1",
            quick,
            criterion: if quick { BENCH_QUICK } else { BENCH_FULL },
            params: Problem::of(params),
            records: Vec::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::KERNELS;
    use mandel_core::{Tolerance, reference};

    /// What the bench writes before timing: one record per registered kernel, in ladder order, verified
    /// unless unavailable, its verdict the tolerance's.
    #[test]
    fn every_registered_kernel_gets_a_record() {
        let params = Params::new(48, 32, (-2.0, 0.6), (-1.5, 1.5), 100).unwrap();
        let expected = reference::render(&params);
        let mut records = Records::new(true, &params);
        for k in KERNELS {
            records.records.push(Record::verified(k, &params, &expected).unwrap());
        }
        let names: Vec<&str> = records.records.iter().map(|r| r.kernel.name).collect();
        assert_eq!(names, KERNELS.iter().map(|k| k.name).collect::<Vec<_>>());
        for r in &records.records {
            match (&r.verification, r.kernel.unavailable) {
                (Some(v), None) => {
                    assert!(v.ok, "{}: {v:?}", r.kernel.name);
                    assert_eq!(v.pixels, 48 * 32, "{}", r.kernel.name);
                    assert_eq!(v.reference_iterations, mandel_core::total_iterations(&expected));
                    // The tolerance applied to 1536 pixels: exact, or 2 pixels of slack plus 0.1% (f64
                    // with FMA) or 1% (f32) of them, rounded down.
                    let tolerance = crate::kernel(r.kernel.name).unwrap().tolerance;
                    let allowed = [(Tolerance::EXACT, 0), (Tolerance::F64_FMA, 3), (Tolerance::F32, 17)]
                        .into_iter()
                        .find(|(t, _)| *t == tolerance)
                        .map(|(_, n)| n);
                    assert_eq!(Some(v.allowed), allowed, "{}", r.kernel.name);
                    if tolerance == Tolerance::EXACT {
                        assert_eq!((v.differing, v.iterations), (0, v.reference_iterations), "{}", r.kernel.name);
                    }
                }
                (None, Some(_)) => {}
                (v, why) => panic!("{}: verification {v:?} but unavailable {why:?}", r.kernel.name),
            }
        }
    }
}
