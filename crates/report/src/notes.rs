//! The summary's notes (part of `mandel-report finish`): the sentences under summary.md's table that say
//! which rows are missing or failed and why, what the speedups and the shares of the step ceiling and the
//! FMA peak mean, and when not to trust them (the machine's speed moved during the run, rows timed on a
//! busy machine). [`crate::finish`] adds its own about the rows it did not compare (another ISA path,
//! another tuning or vector width, not in the registry).
//!
//! What the scripts also use comes in the request, so that each rule is written once: the pure Python
//! rung's name, the Python baselines' problem in words and the rounds' speed note. The share of the CPUs
//! that makes a round contended is the rounds' own ([`crate::rounds::CONTENDED`]); the peak's rates and
//! the tuning variables are this crate's too ([`crate::peaks`], [`crate::tunings`]), which the scripts
//! ask for.

use crate::peaks::{RATES, STEP_KEYS};
use crate::pyfmt::{fixed, g, percent};
use crate::pymath;
use crate::pyvalue::{py_str, truthy};
use crate::rounds;
use crate::tunings::TUNINGS;
use serde::Deserialize;
use serde_json::{Map, Value};

/// The notes' part of `mandel-report finish`'s request (its `notes`): the summary's settings as merged, what the merge knows besides (`have_*`, the reasons), and the scripts' own rules and texts.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Request {
    pub settings: Settings,
    /// Whether the merge had the registry (`finish`: whether its inputs hold one).
    #[serde(skip)]
    pub have_registry: bool,
    /// Why the registry is unavailable (written as Python's `str()` writes it).
    pub registry_missing: Value,
    /// Whether the merge had the Python baselines (`finish`: whether its inputs hold them).
    #[serde(skip)]
    pub have_baselines: bool,
    /// Why the Python baselines are missing.
    pub py_reason: Value,
    /// The tie band the tuning was chosen with (a fraction; null: not recorded).
    pub tie_band: Option<f64>,
    /// `canonical`, or the problem the Python baselines solved ([`crate::machine::problem_label`] of the
    /// settings' `python_params`): the Python rows', made by `finish`.
    #[serde(skip)]
    pub python_problem: String,
    /// The rounds' warning that the machine's speed changed ([`crate::speed`]), made by `finish`.
    #[serde(skip)]
    pub speed_note: Option<String>,
}

/// A summary row's fields the notes read (the others are ignored).
#[derive(Deserialize)]
pub struct Row {
    pub name: String,
    pub status: String,
    #[serde(default)]
    pub note: String,
    #[serde(default)]
    pub language: Option<String>,
    #[serde(default)]
    pub kernel: Option<String>,
    #[serde(default)]
    pub computes: Option<String>,
    #[serde(default)]
    pub precision: Option<String>,
    /// Absent from the Python rows.
    #[serde(default)]
    pub reference: Option<bool>,
    #[serde(default)]
    pub skips_work: Option<bool>,
    #[serde(default)]
    pub compile_s: Option<f64>,
    #[serde(default)]
    pub contended_rounds: Option<u64>,
    #[serde(default)]
    pub round_times_s: Option<Vec<Value>>,
}

/// The merged peak: the rates kept (each the highest measured) and, where it was measured more than once,
/// every measurement ([`crate::peaks::combine`]). Builds from before the step ceiling have none.
#[derive(Deserialize)]
pub struct Peak {
    #[serde(default)]
    pub isa: Value,
    pub f32_lane_fmas_per_s: f64,
    pub f64_lane_fmas_per_s: f64,
    #[serde(default)]
    pub f32_step_lane_iterations_per_s: Option<f64>,
    #[serde(default)]
    pub f64_step_lane_iterations_per_s: Option<f64>,
    #[serde(default)]
    pub measured: Option<Vec<Map<String, Value>>>,
}

/// The settings the notes read; every field may be absent or null.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct Settings {
    /// Why the Python baselines are another machine's or problem's (merged anyway).
    pub python_foreign: Value,
    /// The baselines' machine record: its `mandel_ladder_profile` is the extension's cargo profile.
    pub python_machine: Value,
    /// The rest, among them what the run pinned each tuning variable to (its `run_key`: a [`Tuning`]).
    #[serde(flatten)]
    pub others: Map<String, Value>,
}

/// What the run pinned a tuning variable to, and where that came from.
#[derive(Deserialize)]
pub struct Tuning {
    pub value: Value,
    pub source: Value,
}

/// Above this, two measurements of a rate differ by more than the machine's own noise: a warning.
const MOVED: f64 = 0.05;

/// How far two peak measurements are apart: the largest ratio of the higher to the lower over `keys`, less
/// 1 (the same whichever was measured first).
fn spread(a: &Map<String, Value>, b: &Map<String, Value>, keys: &[&str]) -> f64 {
    let rate = |m: &Map<String, Value>, k: &str| m.get(k).and_then(Value::as_f64).unwrap_or(f64::NAN);
    let ratios = keys.iter().map(|k| {
        let (x, y) = (rate(a, k), rate(b, k));
        let (high, low) = if y > x { (y, x) } else { (x, y) };
        high / low - 1.0
    });
    pymath::max(ratios).unwrap_or(f64::NAN)
}

/// The notes on `rows` (finished) and `peak` (`mandel peak`'s result as merged), in the order summary.md
/// lists them; `pyo3_tuning_differs`: whether a pyo3-* row's tuning differs from the Rust rows' or is
/// unknown.
pub fn notes(
    req: &Request,
    rows: &[Row],
    peak: Option<&Peak>,
    pyo3_tuning_differs: bool,
) -> Result<Vec<String>, String> {
    let ok = |r: &&Row| r.status == "ok";
    let mut out = Vec::new();
    if !req.have_baselines {
        out.push(format!(
            "Python rungs missing: {}; pyo3-* rungs likewise. Speedups over pure Python need them.",
            py_str(&req.py_reason)
        ));
    } else if !rows.iter().filter(ok).any(|r| r.name == crate::build::PURE_PYTHON) {
        out.push("pure Python is missing or failed: no speedup over pure Python.".into());
    }
    if !req.have_registry {
        if rows.iter().any(|r| r.language.as_deref() == Some("Rust")) {
            out.push(format!(
                "The registry is unavailable ({}): the Rust rows come from the bench records and the Criterion \
                 results, in that order, without rung labels.",
                py_str(&req.registry_missing)
            ));
        } else {
            out.push(format!("Rust rungs missing: {}.", py_str(&req.registry_missing)));
        }
    }
    let settings = &req.settings;
    if truthy(&settings.python_foreign) {
        out.push(format!(
            "The Python baselines come from another machine or problem ({}); merged because \
             --allow-foreign-baselines was given: speedups over pure Python compare the two.",
            py_str(&settings.python_foreign)
        ));
    }
    let profile = settings.python_machine.get("mandel_ladder_profile").unwrap_or(&Value::Null);
    if !profile.is_null()
        && profile.as_str() != Some("release")
        && rows.iter().any(|r| crate::build::wrapped_kernel(&r.name).is_some())
    {
        out.push(format!(
            "The pyo3-* rows were timed on the extension built with the `{}` profile (scripts/test's), not \
             release like the Rust rows: rerun scripts/setup, then the Python baselines.",
            py_str(profile)
        ));
    }
    if req.python_problem != "canonical" {
        out.push(format!(
            "The Python baselines solved {}, not the canonical problem: no speedup is computed between them and \
             the Rust rungs.",
            req.python_problem
        ));
    }
    // the missing rows grouped by their reason, in the order each reason first comes
    let mut missing: Vec<(&str, Vec<&str>)> = Vec::new();
    for r in rows {
        if r.status == "missing" {
            match missing.iter_mut().find(|(why, _)| *why == r.note) {
                Some((_, names)) => names.push(&r.name),
                None => missing.push((&r.note, vec![&r.name])),
            }
        } else if r.status == "failed" {
            out.push(format!("{}: {}.", r.name, r.note));
        }
    }
    out.extend(missing.iter().map(|(why, names)| format!("Missing ({why}): {}.", names.join(", "))));
    let refs: Vec<&str> = rows.iter().filter(|r| r.reference == Some(true)).map(|r| r.name.as_str()).collect();
    if !refs.is_empty() {
        out.push(format!(
            "References, not rungs: {}: the Rust SIMD step hand-written in C intrinsics, the bar the Rust SIMD \
             rungs must beat; never the 'previous rung' of another row.",
            refs.join(", ")
        ));
    }
    // every row of a kernel that skips work, its pyo3-* row too
    let skipping: Vec<Option<&str>> =
        rows.iter().filter(|r| r.skips_work == Some(true)).map(|r| r.kernel.as_deref()).collect();
    let algorithmic: Vec<&str> =
        rows.iter().filter(|r| skipping.contains(&r.kernel.as_deref())).map(|r| r.name.as_str()).collect();
    if !algorithmic.is_empty() {
        out.push(format!(
            "Algorithmic rows ({}) skip work exactly, their counts equal brute force's: a closed form for the \
             cardioid and bulb, exact cycle detection, and the rows that mirror other rows about the real axis \
             copied (the canonical view is symmetric: about half of its rows). Their speedups are the \
             algorithm's, not a faster loop's; on a view off the axis they are about half as large \
             (METHODOLOGY.md).",
            algorithmic.join(", ")
        ));
    }
    if rows.iter().filter(ok).any(|r| r.computes.as_deref() == Some("bitmap")) {
        out.push(
            "numpy-masked-bitmap computes only an in/out bitmap, not counts: it is timed and shown but is never \
             the 'previous rung' of another row."
                .into(),
        );
    }
    let compiles: Vec<String> =
        rows.iter().filter_map(|r| r.compile_s.map(|s| format!("{} {} s", r.name, fixed(s, 2)))).collect();
    if !compiles.is_empty() {
        out.push(format!(
            "Compile time (Numba's first call) and JIT warm-up (PyPy's warm-up render), excluded from the times: \
             {}.",
            compiles.join(", ")
        ));
    }
    if let Some(peak) = peak {
        out.extend(peak_notes(peak)?);
    } else {
        out.push(
            "Shares of the step ceiling and FMA peak not computed: no `mandel peak --json` result on this build."
                .into(),
        );
    }
    let mut tunings: Vec<String> = Vec::new();
    for t in &TUNINGS {
        let recorded = req.settings.others.get(t.run_key).cloned().unwrap_or_default();
        let pinned: Option<Tuning> =
            serde_json::from_value(recorded).map_err(|e| format!("settings.{}: {e}", t.run_key))?;
        tunings.extend(pinned.map(|p| format!("{}={} ({})", t.variable, py_str(&p.value), py_str(&p.source))));
    }
    if !tunings.is_empty() {
        let processes = if pyo3_tuning_differs {
            "`mandel` process of this run (not the pyo3-* rows': theirs differ or are not recorded)"
        } else {
            "process of this run"
        };
        let band = req
            .tie_band
            .map_or("within a tie band (its width not recorded)".into(), |b| format!("within {}%", g(b * 100.0, 6)));
        out.push(format!(
            "Tuning (vectors in flight, steps between checks) for every {processes}, chosen on the canonical image \
             by the median over `mandel tune`'s fresh processes, the default kept {band}: {}. raw/tune.json has \
             every tuning's median time.",
            tunings.join("; ")
        ));
    }
    let busy: Vec<String> = rows
        .iter()
        .filter_map(|r| {
            let (n, taken) = (r.contended_rounds?, r.round_times_s.as_ref()?.len());
            (n > 0 && taken > 0 && n.saturating_mul(3) > taken as u64).then(|| format!("{} ({n} of {taken})", r.name))
        })
        .collect();
    if !busy.is_empty() {
        out.push(format!(
            "BUSY MACHINE: measured while other processes or other guests used more than {} of the CPUs in over a \
             third of their rounds: {}. The medians pass over a minority of such rounds; rerun on a quiet machine \
             before trusting these rows.",
            percent(rounds::CONTENDED, 0),
            busy.join(", ")
        ));
    }
    out.extend(req.speed_note.clone());
    out.push(
        "Speedup = pure Python's median time / the row's; 'vs previous' = the median of the nearest row above of \
         the same precision that verified and computes counts / the row's (a reference is never that row), and \
         for a pyo3-* row (a Rust kernel called from Python; they follow the Rust rows) the median of its own \
         kernel's Rust row / the row's: what crossing the boundary costs, within the difference of the two timing \
         methods (one process's calls, against the Rust rows' rounds)."
            .into(),
    );
    if rows.iter().filter(ok).any(|r| r.precision.as_deref() == Some("f32")) {
        out.push("f32 rows are not like for like with the f64 Python baselines: compare f64 with f64.".into());
    }
    Ok(out)
}

/// What the shares of the step ceiling and of the FMA peak are, which measurements they divide by, and a
/// warning where those measurements differ by over [`MOVED`]: every share is relative to them, and the
/// machine's speed moved between the rows timed between them.
fn peak_notes(peak: &Peak) -> Result<Vec<String>, String> {
    let mut out = Vec::new();
    let isa = py_str(&peak.isa);
    if let (Some(f32), Some(f64)) =
        (peak.f32_step_lane_iterations_per_s.filter(|&x| x != 0.0), peak.f64_step_lane_iterations_per_s)
    {
        out.push(format!(
            "Of step ceiling = (useful iterations / median time) / (step ceiling per core x threads). The step \
             ceiling is measured here: the SIMD kernels' own escape step on always-busy vectors, no checks, no \
             loads, at the best vectors-in-flight count ({isa}: f32 {}, f64 {} lane-iterations/s per core): the \
             most this CPU does with this step, whatever its ports. Kernels that skip work can pass 100%.",
            g(f32, 3),
            g(f64, 3)
        ));
    }
    // before and after the benches, and after the Python rows when they ran in this run
    let measured = peak.measured.as_deref().unwrap_or_default();
    if !matches!(measured.len(), 0 | 2 | 3) {
        return Err(format!("the peak lists {} measurements: two or three are combined, or none", measured.len()));
    }
    let keys: Vec<&str> =
        STEP_KEYS.into_iter().filter(|k| !measured.is_empty() && measured.iter().all(|m| m.contains_key(*k))).collect();
    if let Some(first) = keys.first() {
        let ceilings: Vec<String> =
            measured.iter().map(|m| g(m.get(*first).and_then(Value::as_f64).unwrap_or(f64::NAN), 3)).collect();
        out.push(if measured.len() == 2 {
            format!(
                "Step ceiling and FMA peak: the higher of two measurements, before and after the benches (f32 step \
                 ceiling {} lane-iterations/s).",
                ceilings.join(" and ")
            )
        } else {
            format!(
                "Step ceiling and FMA peak: the highest of three measurements, before and after the benches and after \
                 the Python rows (f32 step ceiling {}, {} and {} lane-iterations/s).",
                ceilings[0], ceilings[1], ceilings[2]
            )
        });
        let moved = spread(&measured[0], &measured[1], &keys);
        if moved > MOVED {
            out.push(format!(
                "WARNING: the two step ceilings differ by {}: this machine's speed changed during the run (a busy \
                 neighbour, a clock change), so the shares of the ceiling carry that uncertainty, and so do the \
                 ratios of rows timed at different moments (a pyo3-* row's 'vs previous': the Python rows ran after \
                 the Rust rounds).",
                percent(moved, 1)
            ));
        }
        // against both earlier ones: the Rust rows were timed between them, so a drift in two small steps counts
        if measured.len() == 3 {
            let moved = pymath::max(measured[..2].iter().map(|m| spread(m, &measured[2], &keys))).unwrap_or(0.0);
            if moved > MOVED {
                out.push(format!(
                    "WARNING: the step ceiling after the Python rows differs by {} from one before or after the \
                     benches: this machine's speed changed between the Rust rounds and the Python rows, so every \
                     ratio across them carries it (a Rust row's speedup over pure Python, a pyo3-* row's 'vs \
                     previous').",
                    percent(moved, 1)
                ));
            }
        }
    }
    // the FMA peaks by the same measure: measured alongside the step ceilings, they can move alone
    let pairs = measured.iter().enumerate().flat_map(|(i, a)| measured[i + 1..].iter().map(move |b| (a, b)));
    if let Some(moved) = pymath::max(pairs.map(|(a, b)| spread(a, b, &RATES)))
        && moved > MOVED
    {
        out.push(format!(
            "WARNING: the FMA peaks measured in this run differ by up to {}: the shares of the FMA peak carry that \
             uncertainty.",
            percent(moved, 1)
        ));
    }
    out.push(format!(
        "Of FMA peak = (lane-iterations / median time) / (lane FMAs per second per core x threads), with this \
         machine's measured FMA peak ({isa}: f32 {}, f64 {} lane FMAs/s per core). One iteration needs several \
         vector operations, so it stays far below 100%. Scalar kernels count one lane per iteration.",
        g(peak.f32_lane_fmas_per_s, 3),
        g(peak.f64_lane_fmas_per_s, 3)
    ));
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const F32_STEP: &str = "f32_step_lane_iterations_per_s";

    /// A request with the scripts' rules, `over` replacing its fields (and `rows`, `peak`,
    /// `pyo3_tuning_differs`, the arguments beside it; `have_registry`, `have_baselines`, which `finish`
    /// sets; `python_problem`, which it makes).
    fn request(over: Value) -> (Request, Vec<Row>, Option<Peak>, bool) {
        let mut req = json!({
            "rows": [], "peak": null, "settings": {}, "have_registry": true,
            "registry_missing": "", "have_baselines": true, "py_reason": "", "tie_band": null,
            "pyo3_tuning_differs": false, "python_problem": "canonical",
        });
        for (k, v) in over.as_object().expect("an object") {
            req[k] = v.clone();
        }
        let map = req.as_object_mut().expect("an object");
        let rows = serde_json::from_value(map.remove("rows").expect("rows")).expect("rows");
        let peak = serde_json::from_value(map.remove("peak").expect("a peak")).expect("a peak");
        let differs = map.remove("pyo3_tuning_differs").and_then(|v| v.as_bool()).expect("a bool");
        let have_registry = map.remove("have_registry").and_then(|v| v.as_bool()).expect("a bool");
        let have_baselines = map.remove("have_baselines").and_then(|v| v.as_bool()).expect("a bool");
        let python_problem = map.remove("python_problem").and_then(|v| Some(v.as_str()?.to_string())).expect("a text");
        let req: Request = serde_json::from_value(req).expect("a request");
        (Request { have_registry, have_baselines, python_problem, ..req }, rows, peak, differs)
    }

    fn notes_of_request(
        (req, rows, peak, differs): &(Request, Vec<Row>, Option<Peak>, bool),
    ) -> Result<Vec<String>, String> {
        notes(req, rows, peak.as_ref(), *differs)
    }

    /// A measurement whose every rate is `x` times the first's.
    fn measurement(x: f64) -> Value {
        json!({"f32_lane_fmas_per_s": 4e10 * x, "f64_lane_fmas_per_s": 2e10 * x, F32_STEP: 1e10 * x,
               "f64_step_lane_iterations_per_s": 5e9 * x})
    }

    fn peak(measured: &[Value]) -> Value {
        json!({"isa": "avx2", "f32_lane_fmas_per_s": 4e10, "f64_lane_fmas_per_s": 2e10, F32_STEP: 1e10,
               "f64_step_lane_iterations_per_s": 5e9, "measured": measured})
    }

    fn notes_of(over: Value) -> Vec<String> {
        notes_of_request(&request(over)).expect("notes")
    }

    fn with(notes: &[String], text: &str) -> Vec<String> {
        notes.iter().filter(|n| n.contains(text)).cloned().collect()
    }

    #[test]
    fn step_ceilings_over_five_percent_apart_are_warned() {
        for (after, warned) in [(1.0499, false), (1.0501, true), (0.95, true), (1.2, true)] {
            let notes = notes_of(json!({"peak": peak(&[measurement(1.0), measurement(after)])}));
            assert_eq!(with(&notes, "WARNING: the two step ceilings").len(), usize::from(warned), "{after}");
            assert_eq!(with(&notes, "WARNING: the FMA peaks").len(), usize::from(warned), "{after}");
        }
        let notes = notes_of(json!({"peak": peak(&[measurement(1.0), measurement(1.07)])}));
        assert!(notes.iter().any(|n| n.starts_with("WARNING: the two step ceilings differ by 7.0%: ")), "{notes:?}");
    }

    #[test]
    fn the_fma_peaks_are_warned_of_alone() {
        let mut moved = measurement(1.0);
        moved["f64_lane_fmas_per_s"] = json!(2e10 * 1.08);
        let notes = notes_of(json!({"peak": peak(&[measurement(1.0), moved])}));
        assert!(with(&notes, "WARNING: the two step ceilings").is_empty(), "{notes:?}");
        assert_eq!(with(&notes, "WARNING: the FMA peaks measured in this run differ by up to 8.0%").len(), 1);
    }

    #[test]
    fn two_measurements_and_three_are_told_apart() {
        let two = notes_of(json!({"peak": peak(&[measurement(1.0), measurement(1.01)])}));
        assert_eq!(
            with(&two, "Step ceiling and FMA peak: "),
            ["Step ceiling and FMA peak: the higher of two measurements, before and after the benches (f32 step \
              ceiling 1e+10 and 1.01e+10 lane-iterations/s)."]
        );
        // the third against each earlier one: a drift in two small steps counts
        let three = notes_of(json!({"peak": peak(&[measurement(1.0), measurement(1.03), measurement(1.06)])}));
        assert_eq!(
            with(&three, "Step ceiling and FMA peak: "),
            ["Step ceiling and FMA peak: the highest of three measurements, before and after the benches and after \
              the Python rows (f32 step ceiling 1e+10, 1.03e+10 and 1.06e+10 lane-iterations/s)."]
        );
        assert!(with(&three, "WARNING: the two step ceilings").is_empty(), "{three:?}");
        assert_eq!(with(&three, "WARNING: the step ceiling after the Python rows differs by 6.0%").len(), 1);
        let steady = notes_of(json!({"peak": peak(&[measurement(1.0), measurement(1.03), measurement(1.01)])}));
        assert!(with(&steady, "WARNING").is_empty(), "{steady:?}");
        // without the step ceilings, only the FMA peaks are compared
        let mut old = [measurement(1.0), measurement(1.1)];
        for m in &mut old {
            m.as_object_mut().expect("an object").retain(|k, _| !k.contains("step"));
        }
        let notes = notes_of(json!({"peak": {"isa": "avx2", "f32_lane_fmas_per_s": 4e10, "f64_lane_fmas_per_s": 2e10,
                                               "measured": old}}));
        assert!(with(&notes, "step ceiling").is_empty() && with(&notes, "WARNING: the FMA peaks").len() == 1);
        let one = request(json!({"peak": peak(&[measurement(1.0)])}));
        assert!(notes_of_request(&one).is_err());
    }

    #[test]
    fn rows_contended_in_over_a_third_of_their_rounds_are_busy() {
        let row = |name: &str, contended: u64, rounds: usize| json!({"name": name, "status": "ok", "contended_rounds": contended, "round_times_s": vec![0.1; rounds]});
        let rows = json!([row("a", 1, 3), row("b", 2, 5), row("c", 3, 9), row("d", 4, 9), row("e", 0, 0)]);
        let notes = notes_of(json!({"rows": rows}));
        let busy = with(&notes, "BUSY MACHINE");
        assert_eq!(busy.len(), 1, "{notes:?}");
        assert!(busy[0].contains("more than 10% of the CPUs"), "{busy:?}");
        assert!(busy[0].contains(": b (2 of 5), d (4 of 9). "), "{busy:?}");
    }

    #[test]
    fn the_tuning_note_states_the_tie_band_where_known() {
        let settings = json!({"simd_tuning": {"value": "f32:v6k8", "source": "tune"}, "c_tuning": null});
        let tuning = |band: Value, differs: bool| {
            let notes = notes_of(json!({"settings": settings, "tie_band": band, "pyo3_tuning_differs": differs}));
            with(&notes, "Tuning (").pop().expect("a tuning note")
        };
        assert!(tuning(json!(0.02), false).contains("the default kept within 2%: MANDEL_TUNING=f32:v6k8 (tune). "));
        assert!(tuning(json!(0.025), false).contains("kept within 2.5%: "));
        assert!(tuning(json!(null), false).contains("kept within a tie band (its width not recorded): "));
        assert!(tuning(json!(0.02), false).contains("for every process of this run, "));
        assert!(tuning(json!(0.02), true).contains("for every `mandel` process of this run (not the pyo3-* rows'"));
        assert!(with(&notes_of(json!({"tie_band": 0.02})), "Tuning (").is_empty());
    }

    #[test]
    fn missing_rows_are_grouped_by_reason_after_the_failed_ones() {
        let row = |name: &str, status: &str, note: &str| json!({"name": name, "status": status, "note": note});
        let rows = json!([
            row("a", "missing", "x"),
            row("b", "failed", "FAILED"),
            row("c", "missing", "y"),
            row("d", "missing", "x")
        ]);
        let notes = notes_of(json!({"rows": rows}));
        assert_eq!(
            notes[..4],
            [
                "pure Python is missing or failed: no speedup over pure Python.",
                "b: FAILED.",
                "Missing (x): a, d.",
                "Missing (y): c."
            ]
        );
    }
}
