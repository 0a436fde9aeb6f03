//! The ladder's measurement: rounds, not one long sample per kernel.
//!
//! On a shared VM a contention episode lasts seconds to minutes. Timing each kernel in one block (as
//! Criterion does: warm-up, samples, analysis, then the next benchmark) lets one episode land on all of
//! one kernel's samples, and two runs then disagree far more than each run's narrow confidence
//! interval says (METHODOLOGY.md, "Rounds"). So `scripts/ladder` runs `mandel bench` several times, one process per round:
//! each round verifies and times every kernel briefly, in an order rotated by the round's index, and
//! the merge keeps, per kernel, the median over the rounds of each round's fastest render, and their
//! spread. An episode then touches a few rounds of every kernel instead of all of one, and the median
//! passes over it; a shorter one slows some of a round's renders, not its fastest. Each
//! round being a fresh process also samples what differs between processes (where the buffers land,
//! the first-use choices), which a single long process would hide.
//!
//! Each kernel of a round: one verification render against the f64 reference (the bench's
//! [`verification_into`], which also counts lane-iterations), one untimed warm-up render with the
//! build that is timed (its counts must equal the verified render's, bit for bit), then timed renders
//! until [`RoundSettings::kernel_s`] has passed and at least [`RoundSettings::min_renders`] were timed.
//! While they run, the machine's CPU time is read from `/proc/stat` and the process's own from
//! `/proc/self/stat`: [`Activity`] says how much of the machine others used (other processes, or the
//! hypervisor's steal time), so the merge can flag rows measured under contention.

use crate::bench::{Verification, verification_into};
use crate::describe::{KernelInfo, Problem};
use mandel_core::{Kernel, Params, Precision, RenderError};
use serde::Serialize;
use std::time::Instant;

/// How long the ladder measures: rounds (processes) and time per kernel in each.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct RoundSettings {
    /// Rounds `scripts/ladder` runs (one `mandel bench` process each).
    pub rounds: usize,
    /// Seconds of timed renders per kernel and round (at least `min_renders` renders).
    pub kernel_s: f64,
    /// Timed renders per kernel and round, at least.
    pub min_renders: u32,
}

/// A full run: 15 rounds, so that a median passes over contention in up to 7 of them; 0.25 s per
/// kernel and round keeps the ladder's Rust part to a few minutes on 2 cores.
pub const ROUNDS_FULL: RoundSettings = RoundSettings { rounds: 15, kernel_s: 0.25, min_renders: 3 };

/// `--quick`: a first look.
pub const ROUNDS_QUICK: RoundSettings = RoundSettings { rounds: 5, kernel_s: 0.05, min_renders: 2 };

/// The machine's CPU time while a kernel was timed, as fractions of all CPUs' time in that interval.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Activity {
    /// Time the hypervisor gave to other guests (`steal` in `/proc/stat`).
    pub steal: f64,
    /// Busy time of other processes: the machine's busy time less this process's own.
    pub others: f64,
}

/// One kernel in one round.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct KernelRound {
    #[serde(flatten)]
    pub kernel: KernelInfo,
    /// `None` for a kernel this build cannot run (`kernel.unavailable` says why).
    pub verification: Option<Verification>,
    /// Every timed render, seconds; empty when not timed (unavailable, or failed verification).
    pub times_s: Vec<f64>,
    /// `None` where `/proc/stat` cannot be read (not Linux).
    pub activity: Option<Activity>,
}

/// What one `mandel bench` process prints (`mandel-round/1`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Round {
    pub schema: &'static str,
    /// This round's index (its kernel order is rotated by it).
    pub round: usize,
    pub settings: RoundSettings,
    pub params: Problem,
    /// The rayon pool the pooled kernels ran on.
    pub pool_threads: usize,
    /// The tuning each tuned kernel family used in this process ([`tunings`]).
    pub tunings: Vec<(String, String)>,
    /// Kernels in ladder order (not the order they ran in).
    pub kernels: Vec<KernelRound>,
}

/// Verify and time `kernels` once each, in ladder order rotated left by `round`; `progress` is called
/// after each kernel. The result lists the kernels in ladder order.
pub fn run_round(
    kernels: &[&'static Kernel],
    params: &Params,
    expected: &[u32],
    settings: &RoundSettings,
    round: usize,
    mut progress: impl FnMut(&KernelRound),
) -> Result<Vec<KernelRound>, RenderError> {
    let n = kernels.len();
    let mut done: Vec<Option<KernelRound>> = vec![None; n];
    let mut out = vec![0u32; params.pixels()];
    let start = round % n.max(1); // reduced first: `i + round` overflows for the largest indices
    for i in (0..n).map(|i| (i + start) % n) {
        let kernel = kernels[i];
        let result = time_kernel(kernel, params, expected, settings, &mut out)?;
        progress(&result);
        done[i] = Some(result);
    }
    Ok(done.into_iter().flatten().collect())
}

fn time_kernel(
    kernel: &'static Kernel,
    params: &Params,
    expected: &[u32],
    settings: &RoundSettings,
    out: &mut [u32],
) -> Result<KernelRound, RenderError> {
    let info = KernelInfo::of(kernel);
    if info.unavailable.is_some() {
        return Ok(KernelRound { kernel: info, verification: None, times_s: vec![], activity: None });
    }
    kernel.prepare()?; // one-time choices (tuning, the C reference's calibration) before any clock
    // Its render with the timed build into `out` is the warm-up (caches, pages, the pool's threads),
    // and is checked against the instrumented one: a timed build that disagrees is never timed.
    let v = verification_into(kernel, params, expected, out)?;
    if !v.ok {
        return Ok(KernelRound { kernel: info, verification: Some(v), times_s: vec![], activity: None });
    }
    let before = cpu::sample();
    let times = time_renders(kernel, params, out, settings.kernel_s, settings.min_renders as usize)?;
    let activity = before.zip(cpu::sample()).and_then(|(a, b)| cpu::activity(&a, &b));
    Ok(KernelRound { kernel: info, verification: Some(v), times_s: times, activity })
}

/// Most renders timed in one call of [`time_renders`]: a kernel of microseconds stops there.
pub const MAX_RENDERS: usize = 1000;

/// Renders of `kernel` into `out`, each timed, until `budget_s` seconds have passed and at least
/// `min_renders` were timed (at most [`MAX_RENDERS`] once both hold). The caller renders once before
/// (verifying or warming up): this is the one timing loop of `mandel bench` and `mandel sweep`.
pub fn time_renders(
    kernel: &Kernel,
    params: &Params,
    out: &mut [u32],
    budget_s: f64,
    min_renders: usize,
) -> Result<Vec<f64>, RenderError> {
    let started = Instant::now();
    let mut times = Vec::new();
    while times.len() < min_renders || (started.elapsed().as_secs_f64() < budget_s && times.len() < MAX_RENDERS) {
        let t = Instant::now();
        kernel.render(std::hint::black_box(params), std::hint::black_box(&mut *out))?;
        times.push(t.elapsed().as_secs_f64());
    }
    Ok(times)
}

/// Reading the machine's and this process's CPU time (Linux `/proc`; `None` elsewhere).
mod cpu {
    use super::Activity;

    /// Clock ticks: all CPUs' total and busy time, their steal time, and this process's CPU time.
    #[derive(Debug, Clone, Copy)]
    pub struct Sample {
        total: u64,
        busy: u64,
        steal: u64,
        own: u64,
    }

    pub fn sample() -> Option<Sample> {
        let stat = std::fs::read_to_string("/proc/stat").ok()?;
        let own = std::fs::read_to_string("/proc/self/stat").ok()?;
        parse(&stat, &own)
    }

    /// The `cpu` line of `/proc/stat` (user nice system idle iowait irq softirq steal guest guest_nice;
    /// guest time is already counted in user) and `utime + stime` of `/proc/self/stat` (fields 14 and
    /// 15, counted after the command name, which may hold spaces and parentheses).
    pub fn parse(stat: &str, own: &str) -> Option<Sample> {
        let line = stat.lines().find(|l| l.starts_with("cpu "))?;
        let v: Vec<u64> = line.split_whitespace().skip(1).map(|x| x.parse().ok()).collect::<Option<_>>()?;
        if v.len() < 8 {
            return None;
        }
        let (idle, steal) = (v[3] + v[4], v[7]);
        let total: u64 = v[..8].iter().sum();
        let after_comm = &own[own.rfind(')')? + 1..];
        let f: Vec<&str> = after_comm.split_whitespace().collect();
        // After the command: state is field 3, so utime (14) and stime (15) are at 11 and 12 here.
        let own = f.get(11)?.parse::<u64>().ok()? + f.get(12)?.parse::<u64>().ok()?;
        Some(Sample { total, busy: total - idle - steal, steal, own })
    }

    pub fn activity(a: &Sample, b: &Sample) -> Option<Activity> {
        let total = b.total.checked_sub(a.total)?;
        if total == 0 {
            return None;
        }
        let busy = b.busy.saturating_sub(a.busy);
        let own = b.own.saturating_sub(a.own);
        let steal = b.steal.saturating_sub(a.steal);
        Some(Activity { steal: steal as f64 / total as f64, others: busy.saturating_sub(own) as f64 / total as f64 })
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        #[test]
        fn parses_proc_stat_and_the_process_line() {
            let stat = "cpu  100 0 50 800 10 0 0 40 0 0\ncpu0 50 0 25 400 5 0 0 20 0 0\n";
            let own = "1234 (mandel (x) y) R 1 2 3 4 5 6 7 8 9 10 60 20 0 0 20 0 3 0 100";
            let a = parse(stat, own).unwrap();
            assert_eq!((a.total, a.busy, a.steal, a.own), (1000, 150, 40, 80));
            let stat2 = "cpu  200 0 100 900 10 0 0 90 0 0\n";
            let own2 = "1234 (mandel (x) y) R 1 2 3 4 5 6 7 8 9 10 110 30 0 0 20 0 3 0 100";
            let b = parse(stat2, own2).unwrap();
            // 300 ticks in all: 50 steal, 150 busy of which 60 are this process's.
            let act = activity(&a, &b).unwrap();
            assert!((act.steal - 50.0 / 300.0).abs() < 1e-12, "{act:?}");
            assert!((act.others - 90.0 / 300.0).abs() < 1e-12, "{act:?}");
        }

        #[test]
        fn garbage_is_none_not_a_panic() {
            assert!(parse("cpu  a b c\n", "1 (x) R").is_none());
            assert!(parse("", "").is_none());
            assert!(parse("cpu  1 2 3 4 5 6 7 8\n", "no paren").is_none());
        }
    }
}

/// The tuning each tuned kernel family has resolved in this process, as `(family, "TUNING (source)")`
/// pairs, e.g. `("simd-f32", "v4k8 (forced)")`: the whole-vector SIMD kernels per precision (resolved
/// when one of them runs or is prepared) and the C reference (resolved too when the registry is
/// described, which asks whether it can run). A round records it (`mandel bench`), the extension
/// reports its own (`mandel_ladder.tunings()`), and the merge compares the two for the `pyo3-` rows.
/// A family not resolved yet is left out: asking would calibrate a kernel that did not run.
pub fn tunings() -> Vec<(String, String)> {
    let mut out = Vec::new();
    for p in [Precision::F32, Precision::F64] {
        if mandel_simd::is_chosen(p) {
            let c = mandel_simd::chosen(p);
            out.push((format!("simd-{}", p.as_str()), format!("{} ({})", c.tuning, c.source.as_str())));
        }
    }
    if let Some(s) = mandel_c_reference::selection_if_made() {
        let text = match s.tuning {
            None => "one pixel at a time (scalar path)".to_string(), // nothing to tune or calibrate
            Some(t) => format!("{t} ({})", s.source),
        };
        out.push(("c-reference".into(), text));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::KERNELS;
    use mandel_core::reference;

    /// A round lists every kernel in ladder order whatever the rotation, verifies each, and times the
    /// verified ones at least `min_renders` times.
    #[test]
    fn a_round_verifies_and_times_every_kernel_in_ladder_order() {
        let params = Params::new(40, 24, (-2.0, 0.6), (-1.5, 1.5), 50).unwrap();
        let expected = reference::render(&params);
        let kernels: Vec<&'static Kernel> = KERNELS.iter().collect();
        let settings = RoundSettings { rounds: 1, kernel_s: 0.0, min_renders: 2 };
        let mut ran = Vec::new();
        let round = run_round(&kernels, &params, &expected, &settings, 3, |k| ran.push(k.kernel.name)).unwrap();
        let names: Vec<&str> = round.iter().map(|k| k.kernel.name).collect();
        assert_eq!(names, KERNELS.iter().map(|k| k.name).collect::<Vec<_>>());
        assert_eq!(ran[0], KERNELS[3].name, "rotated by the round's index");
        for k in &round {
            match &k.verification {
                Some(v) => {
                    assert!(v.ok, "{}: {v:?}", k.kernel.name);
                    assert_eq!(v.reference_iterations, mandel_core::total_iterations(&expected));
                    assert!(k.times_s.len() >= 2 && k.times_s.iter().all(|t| *t > 0.0), "{}", k.kernel.name);
                }
                None => assert!(k.kernel.unavailable.is_some() && k.times_s.is_empty()),
            }
        }
    }

    /// Any round index, up to `usize::MAX` (`mandel bench --round` takes one), runs every kernel once:
    /// the rotation must not overflow into running one kernel twice and dropping another.
    #[test]
    fn a_huge_round_index_still_runs_every_kernel_once() {
        let params = Params::new(8, 6, (-2.0, 0.6), (-1.5, 1.5), 20).unwrap();
        let expected = reference::render(&params);
        let kernels: Vec<&'static Kernel> = KERNELS.iter().take(3).collect();
        let settings = RoundSettings { rounds: 1, kernel_s: 0.0, min_renders: 1 };
        for round in [usize::MAX, usize::MAX - 1, usize::MAX / 2 + 7] {
            let mut ran = Vec::new();
            let out = run_round(&kernels, &params, &expected, &settings, round, |k| ran.push(k.kernel.name)).unwrap();
            let mut sorted = ran.clone();
            sorted.sort_unstable();
            sorted.dedup();
            assert_eq!(sorted.len(), kernels.len(), "round {round}: ran {ran:?}");
            assert_eq!(ran[0], kernels[round % kernels.len()].name, "round {round}: rotated by the index");
            let names: Vec<&str> = out.iter().map(|k| k.kernel.name).collect();
            assert_eq!(names, kernels.iter().map(|k| k.name).collect::<Vec<_>>(), "round {round}");
        }
    }

    /// The reference's counts, as a kernel's instrumented build: returns the sum of the counts.
    fn counted_reference(params: &Params, start: usize, out: &mut [u32]) -> u64 {
        reference::render_span(params, start, out);
        mandel_core::total_iterations(out)
    }

    /// A timed build that is wrong at one pixel: within an f32 kernel's tolerance of the reference,
    /// but not what the verified (instrumented) build computed.
    fn off_by_one_pixel(params: &Params, start: usize, out: &mut [u32]) {
        reference::render_span(params, start, out);
        out[0] += 1;
    }

    /// The function that is timed is checked, not only its instrumented twin: a kernel whose
    /// `render_fn` disagrees with its `render_counting` fails verification and is never timed.
    #[test]
    fn a_timed_build_that_differs_from_the_verified_one_is_not_timed() {
        static BROKEN: Kernel = Kernel::new(
            "broken-f32",
            "test",
            "its timed build differs from its instrumented one",
            mandel_core::Precision::F32,
            mandel_core::Threads::One,
            || "scalar",
            off_by_one_pixel,
        )
        .counted_by(counted_reference);
        let params = Params::new(40, 24, (-2.0, 0.6), (-1.5, 1.5), 50).unwrap();
        let expected = reference::render(&params);
        let settings = RoundSettings { rounds: 1, kernel_s: 0.0, min_renders: 2 };
        let round = run_round(&[&BROKEN], &params, &expected, &settings, 0, |_| {}).unwrap();
        let v = round[0].verification.expect("verified");
        assert!(!v.ok, "{v:?}");
        assert_eq!((v.differing, v.timed_render_differing), (None, Some(1)), "{v:?}");
        assert!(round[0].times_s.is_empty(), "timed: {:?}", round[0].times_s);
        // The instrumented build alone is within tolerance: only the bit-for-bit check catches it.
        assert!(v.allowed >= 1);
    }
}
