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

/// Environment variable that asks for [`BENCH_QUICK`]: `1`; `0`, empty or unset: [`BENCH_FULL`].
pub const BENCH_QUICK_ENV: &str = "MANDEL_BENCH_QUICK";

/// Environment variable that sets the top of the `threads` bench group's sweep and the `load-balance`
/// group's pool: 1 to [`mandel_core::MAX_THREADS`]; unset or empty: the core count.
pub const BENCH_MAX_THREADS_ENV: &str = "MANDEL_BENCH_MAX_THREADS";

fn bench_env_value(var: &str) -> Option<String> {
    // Not Unicode: kept lossily, so that it is refused by name rather than read as unset.
    std::env::var_os(var).map(|v| v.to_string_lossy().into_owned())
}

/// [`BENCH_QUICK_ENV`]'s value read strictly: `1` quick, `0`, empty or `None` full; anything else
/// (`true`, `false`, `yes`, ` 1`) an error naming the variable, because a word read as "set" would
/// run the quick settings for `false` and a full run would be recorded as quick or the reverse.
pub fn parse_bench_quick(value: Option<&str>) -> Result<bool, String> {
    match value {
        None | Some("" | "0") => Ok(false),
        Some("1") => Ok(true),
        Some(other) => {
            Err(format!("{BENCH_QUICK_ENV}={other:?} must be 1 (quick) or 0, empty or unset (the full run)"))
        }
    }
}

/// [`BENCH_MAX_THREADS_ENV`]'s value read as `RAYON_NUM_THREADS` is ([`mandel_core::parse_threads`]'s
/// rule): ASCII digits only, 1 to [`mandel_core::MAX_THREADS`]; `Ok(None)` when `None` or empty (the
/// core count). A value outside it would otherwise become the core count silently (unparsable), rayon's
/// default pool (`0`) or a hundred thousand pools (`100000`).
pub fn parse_bench_max_threads(value: Option<&str>) -> Result<Option<usize>, String> {
    mandel_core::parse_threads(value).map_err(|_| {
        format!(
            "{BENCH_MAX_THREADS_ENV}={:?} must be a whole number of threads from 1 to {} (digits only, no sign or \
             spaces), or unset/empty for the core count",
            value.unwrap_or_default(),
            mandel_core::MAX_THREADS
        )
    })
}

/// Both bench variables, checked like flags: what the benches call, with [`crate::check_env`], before
/// any kernel runs.
pub fn check_bench_env() -> Result<(), String> {
    parse_bench_quick(bench_env_value(BENCH_QUICK_ENV).as_deref())?;
    parse_bench_max_threads(bench_env_value(BENCH_MAX_THREADS_ENV).as_deref())?;
    Ok(())
}

/// Whether [`BENCH_QUICK_ENV`] asks for [`BENCH_QUICK`] (`1`). A value [`check_bench_env`] refuses
/// reads as the full run here; the benches check first.
pub fn bench_quick() -> bool {
    parse_bench_quick(bench_env_value(BENCH_QUICK_ENV).as_deref()).unwrap_or(false)
}

/// The `threads` group's top and the `load-balance` group's pool: [`BENCH_MAX_THREADS_ENV`], else the
/// core count (`describe::cores`, rayon's rule; also when the value is refused by [`check_bench_env`], which
/// the benches call first).
pub fn bench_max_threads() -> usize {
    parse_bench_max_threads(bench_env_value(BENCH_MAX_THREADS_ENV).as_deref())
        .ok()
        .flatten()
        .unwrap_or_else(crate::describe::cores)
}

/// A kernel's counts against the f64 reference, from the one render the bench verifies with.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Verification {
    pub pixels: usize,
    /// Pixels whose counts differ from the reference's; `None` when the counts could not be judged
    /// because the kernel's two builds disagree ([`Verification::timed_render_differing`]).
    pub differing: Option<usize>,
    pub allowed: usize,
    pub max_abs_diff: u32,
    /// The sum of the counts: the iterations the image stands for (Criterion's throughput).
    pub iterations: u64,
    pub reference_iterations: u64,
    /// Escape-loop steps executed, counting every SIMD lane, busy or idle; below `iterations` for
    /// kernels that skip work.
    pub lane_iterations: u64,
    /// Pixels where the build that is timed (`render_fn`) gave other counts than the instrumented
    /// build that was compared with the reference; only written when some did (never timed then).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timed_render_differing: Option<usize>,
    pub ok: bool,
}

/// Render `params` once with `kernel` (instrumented: lane-iterations counted) and compare the counts
/// with `expected`, the reference's: the verification that comes before timing. Also renders once
/// with the build that is timed, whose counts must equal the instrumented build's: [`verification_into`].
pub fn verification(kernel: &Kernel, params: &Params, expected: &[u32]) -> Result<Verification, RenderError> {
    let mut out = mandel_core::buffer::zeroed(params.pixels())?;
    verification_into(kernel, params, expected, &mut out)
}

/// [`verification`], rendering with the build that is timed into `out` (the caller's warm-up render).
///
/// The instrumented build (`render_counting`) runs the same arithmetic as the timed one
/// (`render_fn`) plus counters, so the two must give identical counts, for every kernel, including
/// the algorithmic and refill ones (`tests/kernels.rs` holds every kernel to it). Comparing them bit for
/// bit makes the verdict cover the function that is timed, not only its instrumented twin, for
/// the price of one comparison of the buffer: a kernel whose timed build disagrees fails
/// (`differing` is `None`, [`Verification::timed_render_differing`] says by how many pixels).
///
/// The instrumented render's buffer is allocated here: memory that cannot be had is
/// [`RenderError::Memory`], not an abort (the CLI's sweep points are the user's sizes).
pub fn verification_into(
    kernel: &Kernel,
    params: &Params,
    expected: &[u32],
    out: &mut [u32],
) -> Result<Verification, RenderError> {
    let mut got = mandel_core::buffer::zeroed(params.pixels())?;
    let lane_iterations = kernel.render_counting(params, &mut got)?;
    kernel.render(params, out)?;
    let cmp = compare(expected, &got);
    let allowed = kernel.tolerance.allowed(cmp.pixels);
    let timed_render_differing = (got != out).then(|| compare(&got, out).differing);
    Ok(Verification {
        pixels: cmp.pixels,
        differing: timed_render_differing.is_none().then_some(cmp.differing),
        allowed,
        max_abs_diff: cmp.max_abs_diff,
        iterations: total_iterations(&got),
        reference_iterations: total_iterations(expected),
        lane_iterations,
        timed_render_differing,
        ok: timed_render_differing.is_none() && cmp.differing <= allowed,
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

    /// MANDEL_BENCH_QUICK is 1 or 0/empty/unset; every other word (`false` above all, which used to
    /// mean quick) is refused naming the variable.
    #[test]
    fn bench_quick_is_one_or_zero() {
        for (value, quick) in [(None, false), (Some(""), false), (Some("0"), false), (Some("1"), true)] {
            assert_eq!(parse_bench_quick(value), Ok(quick), "{value:?}");
        }
        for bad in ["false", "true", "yes", "2", " 1", "1 ", "01", "-1"] {
            let err = parse_bench_quick(Some(bad)).unwrap_err();
            assert!(err.starts_with(&format!("MANDEL_BENCH_QUICK={bad:?} must be 1")), "{bad:?}: {err}");
        }
    }

    /// MANDEL_BENCH_MAX_THREADS takes what RAYON_NUM_THREADS takes (1 to 1024, digits only): 0 (rayon's
    /// default pool), 100000 (a hundred thousand pools) and words (the core count) are refused by name.
    #[test]
    fn bench_max_threads_is_a_pool_size() {
        assert_eq!(parse_bench_max_threads(None), Ok(None));
        assert_eq!(parse_bench_max_threads(Some("")), Ok(None));
        for (value, n) in [("1", 1), ("16", 16), ("1024", 1024)] {
            assert_eq!(parse_bench_max_threads(Some(value)), Ok(Some(n)), "{value}");
        }
        for bad in ["0", "1025", "100000", "four", "+4", " 4", "4 ", "-1", "4.0", "99999999999999999999999"] {
            let err = parse_bench_max_threads(Some(bad)).unwrap_err();
            assert!(
                err.starts_with(&format!("MANDEL_BENCH_MAX_THREADS={bad:?} must be a whole number")),
                "{bad}: {err}"
            );
            assert!(err.contains("from 1 to 1024"), "{bad}: {err}");
        }
    }

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
                        assert_eq!((v.differing, v.iterations), (Some(0), v.reference_iterations), "{}", r.kernel.name);
                    }
                }
                (None, Some(_)) => {}
                (v, why) => panic!("{}: verification {v:?} but unavailable {why:?}", r.kernel.name),
            }
        }
    }
}
