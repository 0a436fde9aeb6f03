//! The summary's rows built (`mandel-report finish`, before [`crate::rows`] finishes them): one row per
//! rung that any input names, from the inputs as the merge (`ladderlib/merge.py`) checked them, each
//! settled (ok, failed or missing, and why) and put in ladder order. Every rung named by any input gets a
//! row: `missing` with the reason, `failed` without a speedup, never dropped.
//!
//! The order: the Python rungs (pyo3-* excepted), then those of run.py's table of Python rungs the
//! baselines did not run, the Rust kernels in the registry's order, those only in the results after
//! them, and last the pyo3-* rungs (the same kernels called from Python).
//!
//! A row is a JSON object whose fields are in `ROW_FIELDS`' order, a row's own extras after them
//! ([`Ordered`]: summary.json is written in that order). Values pass through as the inputs hold them (an
//! int stays an int), as the Python merge passed them.

use crate::pyjson::{self, Py};
use crate::pymath;
use crate::pyvalue::{Ordered, py_repr, py_str, truthy};
use serde::Deserialize;
use serde_json::{Map, Value, json};
use std::collections::{BTreeMap, BTreeSet};

/// A row's fields, in the order summary.json has them (summary.rs's `CSV_FIELDS` is the CSV's subset).
const ROW_FIELDS: &str = "name method language precision isa threads threads_n computes problem status kernel \
    median_s spread_kind spread_low_s spread_high_s mean_s repeats compile_s iterations iterations_per_s \
    speedup_vs_python speedup_vs_previous previous lane_iterations lane_iterations_source peak_share step_share \
    pixels differing allowed max_abs_diff verified_ok round_times_s contended_rounds others_median steal_median note";

/// Added to a bitmap rung's method: it does other work than the rows that compute counts.
const BITMAP_MARK: &str = "(bitmap only: computes a different result)";
/// Added to a reference kernel's method, unless its label already says it is not a rung.
const REFERENCE_MARK: &str = "(reference, not a rung)";

/// An object of the inputs (a registry kernel, a Python rung, a verification row, a timing result):
/// its fields are read by name.
pub type Object = Map<String, Value>;

/// What the rows are built from, as the merge checked them (the readers' rules).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Inputs {
    /// `mandel describe`'s kernels, in ladder order (null: the registry is unavailable).
    pub registry: Option<Vec<Object>>,
    /// The verification rows by kernel, in the order read.
    pub verify: Ordered,
    /// The timing results by kernel (the rounds' or Criterion's), in the order read.
    pub criterion: Ordered,
    /// The Python baselines' rungs and run.py's table (null: no baselines).
    pub baselines: Option<Baselines>,
    /// The rounds a Python rung's calls are cut into (`calls_time`): the full run's Rust rounds'
    /// settings (`python_rounds`; a set merged before it was recorded: its own rounds'); null: the run
    /// was not timed in rounds (a Criterion-era set: medians on both sides).
    pub python_rounds: Option<CallRounds>,
    /// Whether the Rust kernels were timed in rounds (else by Criterion): a kernel's word for "not timed".
    /// `finish` sets it from the settings' `rounds`.
    #[serde(skip)]
    pub timed_in_rounds: bool,
}

/// The row every speedup_vs_python divides.
pub const PURE_PYTHON: &str = "python-pure";

/// The Rust kernel a rung runs through the extension (`pyo3-<kernel>` names it): its name, or None for
/// any other rung. The one place the naming rule is said.
pub fn wrapped_kernel(rung: &str) -> Option<&str> {
    rung.strip_prefix("pyo3-")
}

/// The Python baselines' part the rows read.
#[derive(Deserialize)]
pub struct Baselines {
    /// The rungs run.py ran (or tried to), in its order.
    pub rungs: Vec<Object>,
    /// run.py's table of every Python rung, run or not (absent from older files).
    #[serde(default)]
    pub python_rungs: Option<Vec<Object>>,
}

/// The settings of the rounds a Python rung's calls are cut into, as the scripts hold them (sent as
/// `readers.wire` marks them: the summary's words say an int of any size as Python writes it).
#[derive(Deserialize)]
pub struct CallRounds {
    /// Seconds a round lasts at least.
    pub kernel_s: Py,
    /// Calls a round holds at least.
    pub min_renders: Py,
}

/// The rows built, and what finishing them reads besides.
pub struct Built {
    pub rows: Vec<Ordered>,
    /// The ISA path each pyo3-* rung's baselines record (null: none), before the row took its kernel's.
    pub recorded_isa: BTreeMap<String, Value>,
    /// Kernels timed or verified but not in the registry (kept, after the registry's kernels).
    pub unlisted: Vec<String>,
}

const NONE: Value = Value::Null;

fn at<'a>(obj: &'a Object, key: &str) -> &'a Value {
    obj.get(key).unwrap_or(&NONE)
}

/// An input's object by kernel (a verification row, a result); None where there is none.
fn of<'a>(by_kernel: &'a Ordered, name: &str) -> Option<&'a Object> {
    by_kernel.get(name).and_then(Value::as_object)
}

/// Threads as a whole number (a pool kernel reports its pool's size); null when unknown.
fn thread_count(threads: &Value) -> Value {
    if threads.as_u64().is_some_and(|n| n >= 1) { threads.clone() } else { Value::Null }
}

/// `1`, or `pool(N)` for a kernel on the rayon pool of N threads; null when unknown.
fn threads_label(info: &Object) -> Value {
    match at(info, "threads") {
        Value::Null => Value::Null,
        n if truthy(at(info, "pool")) => json!(format!("pool({})", py_str(n))),
        n => json!(py_str(n)),
    }
}

/// A row's method: its rung's label with its name, or the name alone when the label is none or the name.
fn method(label: &Value, name: &str) -> String {
    if !truthy(label) || label.as_str() == Some(name) {
        name.to_string()
    } else {
        format!("{} ({name})", py_str(label))
    }
}

/// A row with every field null but its defaults: it computes counts of the canonical problem, missing.
fn new_row(name: &str, method: String, language: Value) -> Ordered {
    let mut row = Ordered(ROW_FIELDS.split_whitespace().map(|k| (k.to_string(), Value::Null)).collect());
    for (key, value) in [
        ("computes", json!("counts")),
        ("problem", json!("canonical")),
        ("status", json!("missing")),
        ("note", json!("")),
        ("name", json!(name)),
        ("method", json!(method)),
        ("language", language),
    ] {
        row.set(key, value);
    }
    row
}

fn set_all<'a>(row: &mut Ordered, fields: impl IntoIterator<Item = (&'a str, Value)>) {
    for (key, value) in fields {
        row.set(key, value);
    }
}

/// `statistics.median` of JSON numbers ([`pyjson::median`], on the values as Python read them): the middle one
/// itself (an int stays an int), or the mean of the middle two (two ints divided as Python divides them).
fn median(values: &[&Value]) -> Value {
    let py: Vec<Py> = values.iter().map(|v| serde_json::from_value((*v).clone()).unwrap_or(Py::None)).collect();
    pyjson::median(&py).map_or(Value::Null, |m| serde_json::to_value(m).unwrap_or(Value::Null))
}

/// `min(values)`: the first value no later one is below.
fn first_min<'a>(values: &[&'a Value]) -> &'a Value {
    pymath::min_by_key(values.iter().copied(), |v| v.as_f64().unwrap_or(f64::NAN)).unwrap_or(&NONE)
}

/// A Python rung's time from one process's calls, in order, judged like the Rust rounds: cut into
/// rounds of `min_calls` calls or `round_s` seconds at the median call's pace, whichever is more, the
/// calls shared out evenly (rounds differ by one call at most: a last round holding the remainder would
/// have a fastest of more calls, and so a lower one), then the median of each round's fastest. Fewer
/// than `min_rounds` rounds: the median call (the fastest of one or two rounds would be nearly the
/// fastest call of all). `round_s` and `min_calls` as Python holds them: an int of any size (a round of
/// more calls than a u64 counts holds every call, as in Python: the median call).
fn calls_time(times: &[Value], round_s: &Py, min_calls: &Py, min_rounds: usize) -> Result<Value, String> {
    let all: Vec<&Value> = times.iter().collect();
    let call = median(&all);
    let pace = Some(pyjson::div(round_s, &serde_json::from_value(call.clone()).unwrap_or(Py::None)));
    let min_calls_u64 = min_calls.int().filter(|i| !i.is_negative()).map(|i| i.to_u64().unwrap_or(u64::MAX));
    let per = match (pace.filter(|p| p.is_finite()), min_calls_u64) {
        (Some(pace), Some(min_calls)) => min_calls.max(pace.ceil() as u64) as usize,
        _ => 0,
    };
    if per == 0 {
        return Err(format!(
            "the Python rounds' settings (kernel_s {}, min_renders {}) cut no rounds",
            round_s.str(),
            min_calls.str()
        ));
    }
    let n = times.len() / per;
    if n < min_rounds {
        return Ok(call);
    }
    let cut: Vec<usize> = (0..=n).map(|i| i * times.len() / n).collect();
    let fastest: Vec<&Value> = cut.windows(2).map(|w| first_min(&all[w[0]..w[1]])).collect();
    Ok(median(&fastest))
}

/// What a Python rung's time is (`calls_time`), as the summary's settings say it (`python_time`): where
/// the merge has the Python baselines and the rounds their calls are cut into.
pub fn python_time(inputs: &Inputs) -> Option<String> {
    let r = inputs.python_rounds.as_ref().filter(|_| inputs.baselines.is_some())?;
    Some(format!(
        "the median of its rounds' fastest calls (rounds of {} s and {} calls at least; with fewer than {} rounds, \
         the median call)",
        r.kernel_s.str(),
        r.min_renders.str(),
        crate::rounds::MIN_ROUNDS
    ))
}

/// A Python rung's row; its time judged like the Rust rows' rounds ([`calls_time`]: its calls, all in
/// one process, cut into rounds by the run's `rounds`), or the file's median call where the run was not
/// timed in rounds (a Criterion-era set: medians on both sides) or the file lists no calls.
fn python_row(rung: &Object, problem: &str, rounds: Option<&CallRounds>, min_rounds: usize) -> Result<Ordered, String> {
    let name = at(rung, "name").as_str().unwrap_or_default();
    let v = at(rung, "verification").as_object().cloned().unwrap_or_default();
    let language = or(at(rung, "language"), "Python");
    let mut time = at(rung, "median_s").clone(); // null: no time (the rung failed), whatever calls it lists
    if let (false, Some(Value::Array(times)), Some(r)) = (time.is_null(), rung.get("times_s"), rounds)
        && !times.is_empty()
    {
        time = calls_time(times, &r.kernel_s, &r.min_renders, min_rounds)?;
    }
    let min_s = at(rung, "min_s");
    let repeats = at(rung, "repeats");
    let spread_kind = if min_s.is_null() {
        Value::Null
    } else {
        json!(format!("min-max over {} runs", if truthy(repeats) { py_str(repeats) } else { "?".into() }))
    };
    let mut row = new_row(name, method(at(rung, "rung"), name), language);
    set_all(
        &mut row,
        [
            ("precision", at(rung, "precision").clone()),
            ("isa", at(rung, "isa").clone()),
            ("threads", at(rung, "threads").clone()),
            ("threads_n", thread_count(at(rung, "threads"))),
            ("computes", or(at(rung, "computes"), "counts")),
            ("problem", json!(problem)),
            ("median_s", time),
            ("spread_low_s", min_s.clone()),
            ("spread_high_s", at(rung, "max_s").clone()),
            ("spread_kind", spread_kind),
            ("repeats", repeats.clone()),
            ("compile_s", at(rung, "compile_s").clone()),
            ("iterations", at(rung, "iterations").clone()),
            ("pixels", at(&v, "pixels").clone()),
            ("differing", at(&v, "differing").clone()),
            ("allowed", at(&v, "allowed").clone()),
            ("max_abs_diff", at(&v, "max_abs_diff").clone()),
            ("verified_ok", at(&v, "ok").clone()),
            ("kernel", wrapped_kernel(name).map_or(Value::Null, |k| json!(k))),
        ],
    );
    if truthy(at(rung, "simd_width")) {
        row.set("simd_width", at(rung, "simd_width").clone());
    }
    Ok(row)
}

/// What a Criterion result's spread is, where the result does not say: its median's confidence interval.
fn criterion_spread(crit: &Object) -> Result<Value, String> {
    let level = crit.get("ci_level").unwrap_or(&json!(0.95)).clone();
    // round(level * 100): an int's product exact, a float's rounded half to even, as Python's round()
    let percent = match (&level, level.as_i64(), level.as_f64()) {
        (Value::Bool(b), _, _) => format!("{}", u8::from(*b) * 100),
        (_, Some(i), _) => format!("{}", i128::from(i) * 100),
        // (+ 0.0: Python's round() of -0.0 is the int 0)
        (_, _, Some(x)) if (x * 100.0).is_finite() => format!("{:.0}", (x * 100.0).round_ties_even() + 0.0),
        _ => return Err(format!("a Criterion result's ci_level is {}: not a confidence level", py_repr(&level))),
    };
    Ok(json!(format!("{percent}% CI of the median (Criterion)")))
}

/// A Rust kernel's row (`info`: the registry's description, or one made from its results), with its
/// verification (`check`) and its time (`crit`: the rounds' or Criterion's), where it has them.
fn rust_row(info: &Object, crit: Option<&Object>, check: Option<&Object>) -> Result<Ordered, String> {
    let name = at(info, "name").as_str().unwrap_or_default();
    let mut row = new_row(name, method(at(info, "rung"), name), json!("Rust"));
    let reference = truthy(at(info, "reference"));
    set_all(
        &mut row,
        [
            ("precision", at(info, "precision").clone()),
            ("isa", at(info, "isa").clone()),
            ("threads", threads_label(info)),
            ("threads_n", thread_count(at(info, "threads"))),
            ("kernel", json!(name)),
            ("reference", json!(reference)),
            ("skips_work", json!(truthy(at(info, "algorithmic")))),
        ],
    );
    if reference {
        // A yardstick, not a rung (the registry's references are the hand-written C kernels): its label
        // says so, or the method cell does.
        row.set("language", json!("C"));
        let method = row.get("method").map(py_str).unwrap_or_default();
        if !method.contains("not a rung") {
            row.set("method", json!(format!("{method} {REFERENCE_MARK}")));
        }
    }
    if at(info, "available") == &json!(false) {
        return Ok(row); // not runnable in this build: results left over from an earlier build are not its
    }
    if let Some(check) = check.filter(|c| !c.is_empty()) {
        let fields = ["pixels", "differing", "allowed", "max_abs_diff"].map(|k| (k, at(check, k).clone()));
        set_all(&mut row, fields);
        row.set("verified_ok", at(check, "ok").clone());
        row.set("iterations", at(check, "iterations").clone());
    }
    if let Some(crit) = crit.filter(|c| !c.is_empty()) {
        let spread_kind = at(crit, "spread_kind");
        let iterations = at(crit, "iterations");
        set_all(
            &mut row,
            [
                ("isa", at(crit, "isa").clone()),
                ("median_s", at(crit, "median_s").clone()),
                ("mean_s", at(crit, "mean_s").clone()),
                ("spread_low_s", at(crit, "ci_low_s").clone()),
                ("spread_high_s", at(crit, "ci_high_s").clone()),
                ("repeats", at(crit, "samples").clone()),
                ("spread_kind", if truthy(spread_kind) { spread_kind.clone() } else { criterion_spread(crit)? }),
            ],
        );
        if truthy(iterations) {
            row.set("iterations", iterations.clone());
        }
        if truthy(at(crit, "round_times_s")) {
            // measured in rounds: what the verdicts use
            let fields = ["round_times_s", "contended_rounds", "others_median", "steal_median"];
            set_all(&mut row, fields.map(|k| (k, at(crit, k).clone())));
        }
    }
    Ok(row)
}

/// A row's status and note: failed verification beats everything; ok only with a verification (its
/// `ok` exactly `differing <= allowed`: readers.check_verification); a time without a verification is
/// failed, never ranked. `missing`: the note of a row without a time.
fn settle(mut row: Ordered, missing: Value) -> Ordered {
    let get = |k: &str| row.get(k).cloned().unwrap_or(Value::Null);
    let (ok, differing) = (get("verified_ok"), get("differing"));
    let (status, note) = if ok == json!(false) && differing.is_null() {
        // no count: the output could not be compared
        let note = "FAILED verification: its output could not be compared with the reference pixel by pixel (a \
                    wrong shape, or the timed build's counts differing from the verified build's); no speedup";
        ("failed", json!(note))
    } else if ok == json!(false) {
        let (pixels, allowed) = (get("pixels"), get("allowed"));
        let note = format!(
            "FAILED verification: {} of {} pixels differ (allowed {}); no speedup",
            py_str(&differing),
            py_str(&pixels),
            py_str(&allowed)
        );
        ("failed", json!(note))
    } else if get("median_s").is_null() {
        ("missing", missing)
    } else if ok.is_null() {
        ("failed", json!("NOT VERIFIED: timed, but no verification of its output was recorded; no speedup"))
    } else {
        ("ok", get("note"))
    };
    let bitmap = (get("computes") == json!("bitmap")).then(|| format!("{} {BITMAP_MARK}", py_str(&get("method"))));
    row.set("status", json!(status));
    row.set("note", note);
    if let Some(method) = bitmap {
        row.set("method", json!(method));
    }
    row
}

/// `value or default`: the value where it is true, else the default.
fn or(value: &Value, default: &str) -> Value {
    if truthy(value) { value.clone() } else { json!(default) }
}

/// Kernel descriptions without the registry, of `names` from their verification rows and results.
fn described_from_results(names: &[String], verify: &Ordered, criterion: &Ordered) -> Vec<Object> {
    let empty = Object::new();
    names
        .iter()
        .map(|name| {
            let (v, c) = (of(verify, name).unwrap_or(&empty), of(criterion, name).unwrap_or(&empty));
            let isa = if truthy(at(v, "isa")) { at(v, "isa") } else { at(c, "isa") };
            let fields = [
                ("name", json!(name)),
                ("rung", Value::Null),
                ("precision", at(v, "precision").clone()),
                ("threads", at(v, "threads").clone()),
                ("pool", json!(false)),
                ("isa", isa.clone()),
            ];
            fields.into_iter().map(|(k, v)| (k.to_string(), v)).collect()
        })
        .collect()
}

/// Every rung's row, settled and in ladder order (the module's doc); `problem`: the Python baselines'
/// problem in words (`canonical`, or the problem they solved).
pub fn build(inputs: &Inputs, problem: &str) -> Result<Built, String> {
    let registry = inputs.registry.as_deref().unwrap_or_default();
    let known: BTreeSet<&str> = registry.iter().filter_map(|k| at(k, "name").as_str()).collect();
    // verified and timed: once, in the order read
    let mut from_results: Vec<String> = Vec::new();
    for (name, _) in inputs.verify.0.iter().chain(&inputs.criterion.0) {
        if !known.contains(name.as_str()) && !from_results.contains(name) {
            from_results.push(name.clone());
        }
    }
    let listed: Vec<Object> = registry
        .iter()
        .cloned()
        .chain(described_from_results(&from_results, &inputs.verify, &inputs.criterion))
        .collect();
    let by_name: BTreeMap<&str, &Object> =
        listed.iter().map(|k| (at(k, "name").as_str().unwrap_or_default(), k)).collect();
    // Timed or verified, but not in the registry: kept, at the end of the Rust rows, never dropped.
    let unlisted = if inputs.registry.is_some() { from_results } else { Vec::new() };

    let rungs = inputs.baselines.as_ref().map_or(&[][..], |b| &b.rungs);
    let pyo3 = |r: &Object| at(r, "name").as_str().and_then(wrapped_kernel).is_some();
    let from_baselines = |rung: &Object| -> Result<Ordered, String> {
        let row = python_row(rung, problem, inputs.python_rounds.as_ref(), crate::rounds::MIN_ROUNDS)?;
        Ok(settle(row, or(at(rung, "error"), "no time in the baselines file")))
    };
    let mut rows: Vec<Ordered> = rungs.iter().filter(|r| !pyo3(r)).map(from_baselines).collect::<Result<_, _>>()?;
    let seen: BTreeSet<&str> = rungs.iter().filter(|r| !pyo3(r)).filter_map(|r| at(r, "name").as_str()).collect();
    // run.py's table of every Python rung: those it did not run are listed, missing.
    let table = inputs.baselines.as_ref().and_then(|b| b.python_rungs.as_deref()).unwrap_or_default();
    for r in table {
        let name = at(r, "name").as_str().unwrap_or_default();
        if seen.contains(name) {
            continue;
        }
        let mut row = new_row(name, method(at(r, "label"), name), at(r, "language").clone());
        row.set("precision", at(r, "precision").clone());
        row.set("computes", at(r, "computes").clone());
        rows.push(settle(row, json!("not in the baselines file")));
    }
    for info in &listed {
        let name = at(info, "name").as_str().unwrap_or_default();
        // e.g. "built without a C compiler"; else the timing method's own word for "not timed"
        let not_timed =
            if inputs.timed_in_rounds { "not timed in the rounds (raw/rounds.json)" } else { "no Criterion result" };
        let row = rust_row(info, of(&inputs.criterion, name), of(&inputs.verify, name))?;
        let mut row = settle(row, or(at(info, "unavailable"), not_timed));
        if unlisted.iter().any(|n| n == name) {
            let note = row.get("note").map(py_str).unwrap_or_default();
            let sep = if note.is_empty() { "" } else { "; " };
            row.set("note", json!(format!("{note}{sep}not in the registry")));
        }
        rows.push(row);
    }
    let (mut recorded_isa, empty) = (BTreeMap::new(), Object::new());
    for rung in rungs.iter().filter(|r| pyo3(r)) {
        // a Rust kernel through the extension: its registry kernel's path and whether it is a reference
        let mut row = from_baselines(rung)?;
        let kernel = row.get("kernel").and_then(Value::as_str).unwrap_or_default();
        let info = by_name.get(kernel).copied().unwrap_or(&empty);
        let isa = row.get("isa").cloned().unwrap_or(Value::Null);
        recorded_isa.insert(at(rung, "name").as_str().unwrap_or_default().to_string(), isa.clone()); // as the file says
        row.set("isa", if truthy(&isa) { isa } else { at(info, "isa").clone() }); // else the wrapped kernel's path
        row.set("reference", json!(truthy(at(info, "reference"))));
        rows.push(row);
    }
    Ok(Built { rows, recorded_isa, unlisted })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn object(v: Value) -> Object {
        v.as_object().expect("an object").clone()
    }

    fn field<'a>(row: &'a Ordered, key: &str) -> &'a Value {
        row.get(key).unwrap_or(&NONE)
    }

    fn py(text: &str) -> Py {
        serde_json::from_str(text).expect("JSON")
    }

    fn numbers(xs: &[f64]) -> Vec<Value> {
        xs.iter().map(|&x| json!(x)).collect()
    }

    fn time(xs: &[f64]) -> Value {
        calls_time(&numbers(xs), &py("0.25"), &py("3"), 3).expect("a time")
    }

    #[test]
    fn one_process_calls_are_judged_in_rounds_of_enough_calls_and_seconds() {
        // 0.1 s calls: rounds of 3 calls at least (0.25 s at the median call's pace); 10 calls make rounds of 3, 3, 4
        assert_eq!(time(&[0.2, 0.1, 0.3, 0.3, 0.1, 0.2, 0.1, 0.3, 0.2, 0.05]), json!(0.1)); // fastest 0.1, 0.1, 0.05
        // about 0.012 s calls: rounds of 21 calls at least (0.25 s at the median call's pace); 75 calls make three
        // of 25, not 21, 21 and 33: the fastest of each 0.010, 0.011 and 0.009
        let fast = [[0.012; 24].as_slice(), &[0.010], &[0.011; 25], &[0.013; 24], &[0.009]].concat();
        assert_eq!(time(&fast), json!(0.010));
        // the remainder shared out: with 21, 21 and 33 the 33 would hold both fast calls, and the median be 0.012
        assert_eq!(time(&[[0.012; 42].as_slice(), &[0.009], &[0.013; 31], &[0.008]].concat()), json!(0.009));
        // calls around the round's length: rounds of 3 calls still, never one slow call alone
        assert_eq!(time(&[0.24, 0.57, 0.3, 0.26, 0.5, 0.28, 0.25, 0.45, 0.27, 0.31]), json!(0.25));
        // fewer than three rounds: the median call, not the fastest of one or two rounds
        assert_eq!(time(&[3.0, 2.0, 4.0]), json!(3.0));
        assert_eq!(time(&[[0.01; 60].as_slice(), &[0.001]].concat()), json!(0.01));
        assert_eq!(time(&[0.5]), json!(0.5));
        // the median of an even count is the mean of the middle two; of ints, an int stays an int
        assert_eq!(time(&[0.4, 0.2]), json!(0.30000000000000004));
        assert_eq!(calls_time(&[json!(1), json!(2)], &py("0.25"), &py("3"), 3), Ok(json!(1.5)));
        assert_eq!(calls_time(&[json!(2), json!(1), json!(3)], &py("0.25"), &py("3"), 3), Ok(json!(2)));
        assert!(calls_time(&[json!(1)], &py("0"), &py("0"), 3).is_err()); // rounds of no call
        // rounds of more calls than a u64 counts: every call in one round, so the median call (a review: it
        // was refused as rounds of no call, where Python took the median call)
        let huge = Py::Int(crate::pyjson::Int::parse("1000000000000000000000000000000").expect("digits"));
        assert_eq!(calls_time(&numbers(&[0.3, 0.1, 0.2]), &py("0.25"), &huge, 3), Ok(json!(0.2)));
    }

    fn rounds() -> CallRounds {
        serde_json::from_value(json!({"kernel_s": 0.25, "min_renders": 3})).expect("rounds")
    }

    /// What merge.py wrote (`python_time`), as CPython wrote it: the settings' numbers as `str()` writes them,
    /// an int past 64 bits in its digits (sent marked, as the scripts send one).
    #[test]
    fn a_python_rows_time_is_said_in_the_words_of_its_rule() {
        let mut inputs = inputs(json!({
            "registry": null, "verify": {}, "criterion": {}, "baselines": {"rungs": []},
            "python_rounds": {"kernel_s": 0.25, "min_renders": 3}, "timed_in_rounds": true}));
        assert_eq!(
            python_time(&inputs).as_deref(),
            Some(
                "the median of its rounds' fastest calls (rounds of 0.25 s and 3 calls at least; with fewer than 3 \
                 rounds, the median call)"
            )
        );
        inputs.python_rounds = serde_json::from_value(
            json!({"kernel_s": {"$py": "int", "digits": "100000000000000000000000"}, "min_renders": 1e16}),
        )
        .expect("rounds");
        let said = python_time(&inputs).expect("words");
        assert!(said.contains("rounds of 100000000000000000000000 s and 1e+16 calls"), "{said}");
        inputs.baselines = None; // no Python rows: nothing said of them
        assert_eq!(python_time(&inputs), None);
    }

    /// A Python rung as run.py writes it (ladder_fixtures.rung).
    fn rung(name: &str, median_s: f64) -> Object {
        object(json!({"name": name, "rung": "Numba @njit", "language": "Python", "precision": "f64", "threads": 1,
                      "computes": "counts", "times_s": [median_s, median_s, median_s * 1.02], "median_s": median_s,
                      "min_s": median_s, "max_s": median_s * 1.02, "repeats": 3, "compile_s": 0.8,
                      "iterations": 40_139_097,
                      "verification": {"pixels": 921600, "differing": 0, "max_abs_diff": 0, "allowed": 0, "ok": true}}))
    }

    #[test]
    fn a_python_rung_without_a_median_gets_no_time_from_the_calls_it_lists() {
        // median_s null is run.py's word that the rung has no time: calls listed beside it are not made into one
        let mut untimed = rung("numba", 0.5);
        for k in ["median_s", "min_s", "max_s"] {
            untimed.insert(k.into(), Value::Null);
        }
        let row = python_row(&untimed, "canonical", Some(&rounds()), 3).expect("a row");
        assert_eq!(field(&row, "median_s"), &Value::Null);
        // with its median: the calls' rounds (0.5, 0.5, 0.51 s: one round of three renders, its fastest 0.5 s)
        let row = python_row(&rung("numba", 0.5), "canonical", Some(&rounds()), 3).expect("a row");
        assert_eq!(field(&row, "median_s"), &json!(0.5));
        assert_eq!(field(&row, "method"), &json!("Numba @njit (numba)"));
        assert_eq!(field(&row, "spread_kind"), &json!("min-max over 3 runs"));
        // a run not timed in rounds: the file's median call
        let row = python_row(&rung("numba", 0.5), "canonical", None, 3).expect("a row");
        assert_eq!(field(&row, "median_s"), &json!(0.5));
    }

    #[test]
    fn threads_are_whole_numbers_and_the_pool_a_flag() {
        // No display string is parsed back: a pool kernel reports its pool's size and `pool: true`; the Rust row
        // shows it as pool(N), its threads_n is N.
        let counts: Vec<Value> = [json!(1), json!(8), json!("pool(2)"), Value::Null, json!(true), json!(0)]
            .iter()
            .map(thread_count)
            .collect();
        assert_eq!(counts, [json!(1), json!(8), Value::Null, Value::Null, Value::Null, Value::Null]);
        assert_eq!(threads_label(&object(json!({"threads": 2, "pool": true}))), json!("pool(2)"));
        assert_eq!(threads_label(&object(json!({"threads": 1, "pool": false}))), json!("1"));
        assert_eq!(threads_label(&object(json!({"pool": true}))), Value::Null);
    }

    /// A row of a time and a verification (`ok`, `differing`), settled.
    fn settled(median_s: Value, ok: Value, differing: Value, computes: &str) -> Ordered {
        let mut row = new_row("k", "label (k)".into(), json!("Rust"));
        let fields = [("median_s", median_s), ("verified_ok", ok), ("differing", differing)];
        set_all(&mut row, fields.into_iter().chain([("pixels", json!(100)), ("allowed", json!(2))]));
        row.set("computes", json!(computes));
        settle(row, json!("not timed"))
    }

    #[test]
    fn a_failed_verification_beats_a_time_and_a_time_needs_a_verification() {
        let status = |r: &Ordered| (field(r, "status").clone(), field(r, "note").clone());
        let t = json!(0.1);
        let uncompared = settled(t.clone(), json!(false), Value::Null, "counts");
        assert_eq!(field(&uncompared, "status"), "failed");
        assert!(field(&uncompared, "note").as_str().expect("a note").contains("could not be compared"));
        let wrong = settled(t.clone(), json!(false), json!(5), "counts");
        let note = "FAILED verification: 5 of 100 pixels differ (allowed 2); no speedup";
        assert_eq!(status(&wrong), (json!("failed"), json!(note)));
        let untimed_wrong = settled(Value::Null, json!(false), json!(5), "counts"); // failed, not missing
        assert_eq!(field(&untimed_wrong, "status"), "failed");
        let untimed = settled(Value::Null, json!(true), json!(0), "counts");
        assert_eq!(status(&untimed), (json!("missing"), json!("not timed")));
        let unverified = settled(t.clone(), Value::Null, Value::Null, "counts");
        let note = "NOT VERIFIED: timed, but no verification of its output was recorded; no speedup";
        assert_eq!(status(&unverified), (json!("failed"), json!(note)));
        let ok = settled(t.clone(), json!(true), json!(0), "counts");
        assert_eq!(status(&ok), (json!("ok"), json!("")));
        assert_eq!(field(&ok, "method"), "label (k)");
        let bitmap = settled(t, json!(true), json!(0), "bitmap");
        assert_eq!(field(&bitmap, "method"), "label (k) (bitmap only: computes a different result)");
    }

    fn kernel(name: &str, more: Value) -> Object {
        let mut k = object(json!({"name": name, "rung": name.rsplit_once('-').map(|(r, _)| r), "precision": "f64",
                                  "threads": 1, "pool": false, "isa": "scalar", "one_lane": true}));
        k.extend(object(more));
        k
    }

    fn verified(isa: &str) -> Value {
        json!({"isa": isa, "precision": "f64", "threads": 1, "pixels": 921600, "differing": 0, "allowed": 0,
               "ok": true, "iterations": 40_139_097})
    }

    fn timed(median_s: f64) -> Value {
        json!({"isa": "scalar", "median_s": median_s, "mean_s": median_s, "ci_low_s": median_s, "ci_high_s": median_s,
               "samples": 10, "iterations": null})
    }

    #[test]
    fn a_reference_is_c_and_its_method_says_it_is_no_rung() {
        let labelled = kernel("c-ref-f64", json!({"reference": true, "rung": "hand-written C (not a rung)"}));
        let row = rust_row(&labelled, None, None).expect("a row");
        assert_eq!(
            (field(&row, "language"), field(&row, "method")),
            (&json!("C"), &json!("hand-written C (not a rung) (c-ref-f64)"))
        );
        let bare = kernel("c-ref-f64", json!({"reference": true, "rung": "hand-written C"}));
        let row = rust_row(&bare, None, None).expect("a row");
        assert_eq!(field(&row, "method"), "hand-written C (c-ref-f64) (reference, not a rung)");
        assert_eq!((field(&row, "reference"), field(&row, "skips_work")), (&json!(true), &json!(false)));
        // not runnable in this build: an earlier build's results are not its
        let gone = kernel("c-ref-f64", json!({"available": false}));
        let row = rust_row(&gone, timed(0.1).as_object(), verified("avx2").as_object()).expect("a row");
        assert_eq!((field(&row, "median_s"), field(&row, "verified_ok")), (&Value::Null, &Value::Null));
    }

    #[test]
    fn a_criterion_result_says_its_interval_and_a_round_result_its_rounds() {
        let info = kernel("naive-f64", json!({}));
        let crit = object(json!({"isa": "avx2", "median_s": 0.1, "mean_s": 0.1, "ci_low_s": 0.09, "ci_high_s": 0.11,
                                 "ci_level": 0.995, "samples": 10, "iterations": 7}));
        let row = rust_row(&info, Some(&crit), verified("scalar").as_object()).expect("a row");
        // round(99.5): half to even, as Python's
        assert_eq!(field(&row, "spread_kind"), "100% CI of the median (Criterion)");
        assert_eq!((field(&row, "isa"), field(&row, "iterations")), (&json!("avx2"), &json!(7)));
        let mut crit = object(timed(0.1));
        crit.extend(object(json!({"ci_level": 0.125, "round_times_s": [0.1, 0.1, 0.1], "contended_rounds": 1})));
        let row = rust_row(&info, Some(&crit), verified("scalar").as_object()).expect("a row");
        assert_eq!(field(&row, "spread_kind"), "12% CI of the median (Criterion)");
        assert_eq!(field(&row, "iterations"), &json!(40_139_097)); // the verification's, the result has none
        assert_eq!(field(&row, "round_times_s"), &json!([0.1, 0.1, 0.1]));
        assert_eq!(field(&row, "contended_rounds"), &json!(1));
        crit.insert("ci_level".into(), json!(-0.001));
        let row = rust_row(&info, Some(&crit), None).expect("a row");
        assert_eq!(field(&row, "spread_kind"), "0% CI of the median (Criterion)"); // not -0%
        crit.insert("ci_level".into(), json!("0.95"));
        let err = rust_row(&info, Some(&crit), None).expect_err("a string");
        assert_eq!(err, "a Criterion result's ci_level is '0.95': not a confidence level");
    }

    /// The inputs of `v`, its `timed_in_rounds` (which `finish` sets) among them.
    fn inputs(mut v: Value) -> Inputs {
        let timed = v.as_object_mut().and_then(|m| m.remove("timed_in_rounds")).and_then(|t| t.as_bool());
        Inputs { timed_in_rounds: timed.unwrap_or(false), ..serde_json::from_value(v).expect("inputs") }
    }

    #[test]
    fn rows_in_ladder_order_python_then_rust_then_pyo3() {
        let mut pyo3 = rung("pyo3-fma-f64", 0.2);
        pyo3.insert("isa".into(), Value::Null);
        let mut failed = rung("numpy-vectorize", 4.0);
        failed
            .extend(object(json!({"median_s": null, "min_s": null, "max_s": null, "times_s": [], "error": "crashed"})));
        let table = json!([
            {"name": "python-pure", "label": "pure Python", "language": "Python", "precision": "f64", "computes": "counts"},
            {"name": "cython", "label": "Cython", "language": "Cython", "precision": "f64", "computes": "counts"},
        ]);
        let req = inputs(json!({
            "registry": [kernel("naive-f64", json!({"unavailable": "built without it", "available": false})),
                         kernel("fma-f64", json!({"isa": "fma", "reference": true}))],
            "verify": {"fma-f64": verified("fma"), "x-f64": verified("avx2")},
            "criterion": {"fma-f64": timed(0.1), "y-f64": timed(0.3), "x-f64": timed(0.2)},
            "baselines": {"rungs": [pyo3, rung("python-pure", 5.0), failed], "python_rungs": table},
            "python_rounds": null, "timed_in_rounds": true,
        }));
        let built = build(&req, "canonical").expect("rows");
        let rows: Vec<(String, String, String)> = built
            .rows
            .iter()
            .map(|r| (py_str(field(r, "name")), py_str(field(r, "status")), py_str(field(r, "note"))))
            .collect();
        let row = |n: &str, s: &str, note: &str| (n.to_string(), s.to_string(), note.to_string());
        assert_eq!(
            rows,
            [
                row("python-pure", "ok", ""),
                row("numpy-vectorize", "missing", "crashed"),
                row("cython", "missing", "not in the baselines file"),
                row("naive-f64", "missing", "built without it"),
                row("fma-f64", "ok", ""),
                row("x-f64", "ok", "not in the registry"),
                row(
                    "y-f64",
                    "failed",
                    "NOT VERIFIED: timed, but no verification of its output was recorded; no speedup; not in the registry"
                ),
                row("pyo3-fma-f64", "ok", ""),
            ]
        );
        assert_eq!(built.unlisted, ["x-f64", "y-f64"]); // the verification rows' order, then the results'
        // a pyo3-* row: the path its file records kept aside, its kernel's where the file records none
        assert_eq!(built.recorded_isa, BTreeMap::from([("pyo3-fma-f64".to_string(), Value::Null)]));
        let last = built.rows.last().expect("a row");
        assert_eq!(
            (field(last, "isa"), field(last, "reference"), field(last, "kernel")),
            (&json!("fma"), &json!(true), &json!("fma-f64"))
        );
        // every field in summary.json's order, a row's own after them
        let keys: Vec<&str> = last.0.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(keys, ROW_FIELDS.split_whitespace().chain(["reference"]).collect::<Vec<_>>());
        // described from its verification row (the timed path, the result's), or from its result alone
        let (x, y) = (&built.rows[5], &built.rows[6]);
        assert_eq!(
            (field(x, "isa"), field(x, "threads"), field(x, "method"), field(x, "precision")),
            (&json!("scalar"), &json!("1"), &json!("x-f64"), &json!("f64"))
        );
        assert_eq!((field(y, "isa"), field(y, "threads"), field(y, "precision")), (&json!("scalar"), &NONE, &NONE));
        // without the registry nothing is "not in the registry", and a kernel untimed by Criterion says so
        let req = inputs(json!({"registry": null, "verify": {"x-f64": verified("avx2")}, "criterion": {},
                                "baselines": null, "python_rounds": null, "timed_in_rounds": false}));
        let built = build(&req, "canonical").expect("rows");
        assert!(built.unlisted.is_empty());
        assert_eq!(field(&built.rows[0], "note"), "no Criterion result");
    }
}
