//! The summary's rows finished (`mandel-report finish`): once [`crate::build`] has built a row per rung
//! from the merge's inputs, their rates, their speedups, their shares of the step ceiling and the FMA
//! peak, and the rows not to compare with their native rows (a pyo3-* row on another ISA path or tuning, a
//! Mojo row of another vector width), blanked or marked.
//!
//! The rows pass through as the scripts built them, every field in its order ([`Ordered`]: summary.json is
//! written in that order, and fields this crate does not read are kept): the rules read and set a few
//! fields by name. Arithmetic is Python's ([`pymath::div`]): the committed summaries hold its floats.

use crate::pymath;
use crate::pyvalue::{Ordered, py_eq, truthy};
use crate::tunings;
use serde::Deserialize;
use serde_json::{Value, json};
use std::collections::{BTreeMap, BTreeSet};

/// The peak's rates a share divides by (the FMA peak's and the step ceiling's, per precision).
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct Rates {
    pub f32_lane_fmas_per_s: Value,
    pub f64_lane_fmas_per_s: Value,
    pub f32_step_lane_iterations_per_s: Value,
    pub f64_step_lane_iterations_per_s: Value,
}

const NONE: Value = Value::Null;

fn field<'a>(r: &'a Ordered, key: &str) -> &'a Value {
    r.get(key).unwrap_or(&NONE)
}

fn text<'a>(r: &'a Ordered, key: &str) -> &'a str {
    field(r, key).as_str().unwrap_or_default()
}

fn name(r: &Ordered) -> &str {
    text(r, "name")
}

fn ok(r: &Ordered) -> bool {
    text(r, "status") == "ok"
}

fn pyo3(r: &Ordered) -> bool {
    crate::build::wrapped_kernel(name(r)).is_some()
}

/// A ratio of two times, null where there is none: finite, as the readers hold every time to 1e-12..1e6 s.
fn ratio(x: Option<f64>) -> Value {
    x.map_or(Value::Null, |x| json!(x))
}

/// A computed figure of row `r`, null where it has none; an error where it is not finite (a time or
/// peak rate at the edge of what the readers allow): JSON has no infinity, and a null would hide it.
fn float(r: &Ordered, key: &str, x: Option<f64>) -> Result<Value, String> {
    match x {
        Some(x) if !x.is_finite() => Err(format!(
            "row {:?} {key} is {}: not a finite number (a time or a peak rate out of range in the inputs)",
            name(r),
            crate::pyfmt::repr(x)
        )),
        x => Ok(x.map_or(Value::Null, |x| json!(x))),
    }
}

/// (work / median_s) / (per_core_s * threads): a rung's share of a per-core ceiling (`per_core_s`, work
/// per second per core); None where an input is missing or zero. Of the FMA peak, work is the
/// lane-iterations (every SIMD lane that ran, one counted against one FMA slot though an iteration needs
/// several: real kernels sit far below 1); of the step ceiling, the useful iterations (a kernel that
/// skips work can pass 1).
pub fn share(work: &Value, median_s: &Value, per_core_s: &Value, threads: &Value) -> Option<f64> {
    if ![work, median_s, per_core_s, threads].into_iter().all(truthy) {
        return None;
    }
    let ceiling = match (per_core_s.as_u64(), threads.as_u64()) {
        // exact, as Python's integers; past u64 the product is converted once, as Python's int / float
        (Some(a), Some(b)) => a.checked_mul(b).map_or_else(|| json!((a as u128 * b as u128) as f64), |p| json!(p)),
        _ => json!(per_core_s.as_f64()? * threads.as_f64()?),
    };
    Some(pymath::div(work, median_s)? / ceiling.as_f64()?)
}

/// Iterations per second and the shares of the peak of each ok row. Lane-iterations: the bench's
/// measured ones (`verify`: the verification rows by kernel), else a one-lane kernel's iterations
/// (`one_lane`: the registry's kernels that run one lane).
pub fn add_rates(
    rows: &mut [Ordered],
    peak: Option<&Rates>,
    one_lane: &BTreeSet<&str>,
    verify: &Ordered,
) -> Result<(), String> {
    for r in rows.iter_mut().filter(|r| ok(r)) {
        let (iterations, median) = (field(r, "iterations").clone(), field(r, "median_s").clone());
        if truthy(&iterations) {
            let rate = float(r, "iterations_per_s", pymath::div(&iterations, &median))?;
            r.set("iterations_per_s", rate);
        }
        let Some(kernel) = field(r, "kernel").as_str().map(String::from) else { continue };
        if let Some(lanes) = verify.get(&kernel).and_then(|v| v.get("lane_iterations")).filter(|v| !v.is_null()) {
            r.set("lane_iterations", lanes.clone());
            r.set("lane_iterations_source", json!("measured"));
        } else if one_lane.contains(kernel.as_str()) && truthy(&iterations) {
            r.set("lane_iterations", iterations.clone());
            r.set("lane_iterations_source", json!("scalar: one lane"));
        }
        let (fma, step) = match (peak, text(r, "precision")) {
            (Some(p), "f32") => (&p.f32_lane_fmas_per_s, &p.f32_step_lane_iterations_per_s),
            (Some(p), "f64") => (&p.f64_lane_fmas_per_s, &p.f64_step_lane_iterations_per_s),
            _ => continue,
        };
        let threads = field(r, "threads_n").clone();
        let peak_share = float(r, "peak_share", share(field(r, "lane_iterations"), &median, fma, &threads))?;
        r.set("peak_share", peak_share);
        let step_share = float(r, "step_share", share(&iterations, &median, step, &threads))?;
        r.set("step_share", step_share);
    }
    Ok(())
}

/// Speedup over pure Python and over the previous rung, only for ok rows and against a row of the same
/// problem. The previous rung of a `pyo3-<kernel>` row is its own `<kernel>` row (what crossing the boundary
/// costs); of any other row the nearest ok row above of the same precision that computes counts, no
/// reference and no pyo3-* row: an f32 row over an f64 one would mix what the rung adds with what the
/// narrower type gives (twice the SIMD lanes). A reference (the hand-written C) neither has nor is a
/// previous rung, nor has a row that does not compute counts (the bitmap: other work).
pub fn add_speedups(rows: &mut [Ordered], pure_python: &str) {
    let base = rows.iter().position(|r| name(r) == pure_python && ok(r));
    // by name, the last of a name standing (a dict's)
    let by_name: BTreeMap<String, usize> =
        rows.iter().enumerate().filter(|(_, r)| ok(r)).map(|(i, r)| (name(r).to_string(), i)).collect();
    let mut rungs: Vec<usize> = Vec::new(); // the ok rows above that may be a previous rung, in order
    for i in 0..rows.len() {
        let r = &rows[i];
        if !ok(r) {
            continue;
        }
        let median = field(r, "median_s").clone();
        let mut set: Vec<(&str, Value)> = Vec::new();
        if let Some(b) = base.map(|b| &rows[b])
            && py_eq(field(b, "problem"), field(r, "problem"))
        {
            set.push(("speedup_vs_python", ratio(pymath::div(field(b, "median_s"), &median))));
        }
        let counts = text(r, "computes") == "counts" && !truthy(field(r, "reference"));
        let previous = if !counts {
            None
        } else if pyo3(r) {
            field(r, "kernel")
                .as_str()
                .and_then(|k| by_name.get(k).copied())
                .filter(|&p| text(&rows[p], "computes") == "counts" && !truthy(field(&rows[p], "reference")))
        } else {
            rungs.iter().rev().copied().find(|&p| py_eq(field(&rows[p], "precision"), field(r, "precision")))
        };
        if let Some(p) = previous.filter(|&p| py_eq(field(&rows[p], "problem"), field(r, "problem"))) {
            set.push(("speedup_vs_previous", ratio(pymath::div(field(&rows[p], "median_s"), &median))));
            set.push(("previous", field(&rows[p], "name").clone()));
        }
        if counts && !pyo3(r) {
            rungs.push(i);
        }
        for (k, v) in set {
            rows[i].set(k, v);
        }
    }
}

/// Blanks a row's comparisons with its native row: `keys` set to None.
fn blank(r: &mut Ordered, keys: &[&str]) {
    for k in keys {
        r.set(k, Value::Null);
    }
}

/// A pyo3-* row on another ISA path than its kernel's native row: its name, its path, the native row's.
pub type OtherIsa = (String, Value, Value);

/// `pyo3-<kernel>` rows whose ISA path (`recorded`: as their baselines file records it) is not their native
/// row's, or either is unknown (e.g. Python baselines merged from a run that took AVX-512 into one forced
/// to AVX2): their vs previous, lane-iterations (counted on the native path) and shares of the ceiling and
/// the peak (measured on it) are blanked. Each, in row order.
pub fn blank_other_isa(rows: &mut [Ordered], recorded: &BTreeMap<String, Value>) -> Vec<OtherIsa> {
    let native: BTreeMap<String, Value> =
        rows.iter().filter(|r| !pyo3(r)).map(|r| (name(r).to_string(), field(r, "isa").clone())).collect();
    let mut out = Vec::new();
    for r in rows.iter_mut() {
        let Some(ours) = recorded.get(name(r)).filter(|_| ok(r)) else { continue };
        let theirs = field(r, "kernel").as_str().and_then(|k| native.get(k)).cloned().unwrap_or(Value::Null);
        if !ours.is_null() && py_eq(ours, &theirs) {
            continue;
        }
        let keys = ["speedup_vs_previous", "previous", "peak_share", "step_share", "lane_iterations"];
        blank(r, &[keys.as_slice(), &["lane_iterations_source"]].concat());
        out.push((name(r).to_string(), ours.clone(), theirs));
    }
    out
}

/// {family: {tuning}} from [family, "TUNING (source)"] pairs, a round's or the extension's: whether a
/// tuning was forced or calibrated does not change what ran.
pub fn resolved(pairs: &[(String, String)]) -> BTreeMap<&str, BTreeSet<&str>> {
    let mut out: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for (family, text) in pairs {
        out.entry(family).or_default().insert(text.split_once(" (").map_or(text.as_str(), |(t, _)| t));
    }
    out
}

/// What [`blank_other_tuning`] found: the rows blanked (name, family, Python's tuning, the Rust rows'),
/// those whose tuning is unknown, and whether any tuned pyo3-* row's tuning differs or is unknown.
#[derive(Default)]
pub struct OtherTuning {
    pub blanked: Vec<(String, String, String, String)>,
    pub unknown: Vec<String>,
    pub differs: bool,
}

/// `pyo3-<kernel>` rows of a tuned kernel (its family: [`crate::tunings::family`] of the row's `kernel` and
/// `reference`, which the rows were built with) whose tuning through Python (`python`: the baselines' `extension_tunings`) is not the Rust rows' (`rust`: the
/// rounds' `tunings`): their vs previous, lane-iterations and share of the FMA peak (counted on the Rust
/// row's schedule) are blanked; the step ceiling's share (useful iterations) stays. Where a side records
/// no tuning for the family or the rounds ran more than one (unpinned), nothing is blanked and the row's
/// tuning is unknown. Rows in `skip` (blank_other_isa's already) are left alone.
pub fn blank_other_tuning(
    rows: &mut [Ordered],
    rust: &[(String, String)],
    python: &[(String, String)],
    skip: &BTreeSet<String>,
) -> OtherTuning {
    let (ours, theirs) = (resolved(rust), resolved(python));
    let mut out = OtherTuning::default();
    let none = BTreeSet::new();
    for r in rows.iter_mut() {
        let kernel = field(r, "kernel").as_str().unwrap_or_default();
        let Some(family) = tunings::family(kernel, truthy(field(r, "reference"))).filter(|_| pyo3(r) && ok(r)) else {
            continue;
        };
        let (py, rs) = (theirs.get(family.as_str()).unwrap_or(&none), ours.get(family.as_str()).unwrap_or(&none));
        if py.len() == 1 && py == rs {
            continue;
        }
        out.differs = true; // or unknown: the tuning note then claims the run's tuning for the Rust rows only
        if skip.contains(name(r)) {
            continue;
        }
        let (Some(p), Some(t)) = (py.first().filter(|_| py.len() == 1), rs.first().filter(|_| rs.len() == 1)) else {
            out.unknown.push(name(r).to_string());
            continue;
        };
        blank(r, &["speedup_vs_previous", "previous", "peak_share", "lane_iterations", "lane_iterations_source"]);
        out.blanked.push((name(r).to_string(), family.clone(), p.to_string(), t.to_string()));
    }
    out
}

/// The vector width of each SIMD path the Rust and C kernels take (`mandel describe`'s ISA names).
const VECTOR_BITS: [(&str, u64); 4] = [("avx512", 512), ("avx2", 256), ("sse2", 128), ("neon", 128)];

fn vector_bits(isa: &str) -> Option<u64> {
    VECTOR_BITS.iter().find(|(p, _)| *p == isa).map(|&(_, b)| b)
}

/// Rows that record their SIMD width (the Mojo SIMD rungs: `simd_width` f32 lanes, twice the native
/// width of the CPU `mojo build` compiled for, whatever MANDEL_ISA says) get the ISA path that width
/// implies; where it is not the width of the whole-vector Rust SIMD rows' path (a run forced to AVX2 on
/// an AVX-512 CPU), their method says so, in the main table and the like-for-like groups. Returns (name,
/// bits, the Rust rows' paths) for each such row. `arm`: the machine has `asimd` (128 bits is NEON).
pub fn mark_other_width(rows: &mut [Ordered], arm: bool) -> Vec<(String, u64, Vec<String>)> {
    // the whole-vector Rust SIMD rows' path: the one the groups rank Mojo against (the C rows may have another)
    let paths: BTreeSet<String> = rows
        .iter()
        .filter(|r| text(r, "language") == "Rust" && !pyo3(r))
        .filter(|r| vector_bits(text(r, "isa")).is_some())
        .filter(|r| tunings::family(name(r), false).is_some()) // simd-f32, rayon-simd-f64: the tuned whole-vector kernels
        .map(|r| text(r, "isa").to_string())
        .collect();
    let paths: Vec<String> = paths.into_iter().collect();
    let mut out = Vec::new();
    for r in rows.iter_mut() {
        let width = field(r, "simd_width").clone();
        if !truthy(&width) || !ok(r) {
            continue;
        }
        let Some(lanes) = width.as_i64() else { continue };
        let bits = lanes.div_euclid(2) * 32; // Python's // floors
        if !truthy(field(r, "isa")) {
            let isa = match bits {
                512 => json!("avx512"),
                256 => json!("avx2"),
                128 => json!(if arm { "neon" } else { "sse2" }),
                _ => Value::Null,
            };
            r.set("isa", isa);
        }
        if !paths.is_empty() && paths.iter().any(|p| vector_bits(p).map(|b| b as i64) != Some(bits)) {
            let method = format!("{} [{bits}-bit vectors, not the Rust rows' {}]", text(r, "method"), paths.join("/"));
            r.set("method", json!(method));
            out.push((name(r).to_string(), bits as u64, paths.clone()));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Rows from JSON objects (their fields in the order written).
    fn rows(v: Value) -> Vec<Ordered> {
        serde_json::from_value::<Vec<Value>>(v)
            .expect("rows")
            .into_iter()
            .map(|r| serde_json::from_str(&r.to_string()).expect("a row"))
            .collect()
    }

    fn row(name: &str, precision: &str, median_s: f64) -> Value {
        let kernel = crate::build::wrapped_kernel(name).unwrap_or(name);
        json!({"name": name, "precision": precision, "median_s": median_s, "status": "ok", "computes": "counts",
               "problem": "canonical", "kernel": kernel, "speedup_vs_python": null, "speedup_vs_previous": null,
               "previous": null})
    }

    fn with(mut r: Value, over: Value) -> Value {
        for (k, v) in over.as_object().expect("an object") {
            r[k] = v.clone();
        }
        r
    }

    fn get<'a>(rows: &'a [Ordered], n: &str, key: &str) -> &'a Value {
        field(rows.iter().find(|r| name(r) == n).expect("the row"), key)
    }

    #[test]
    fn a_share_is_work_per_second_over_the_ceiling_times_threads() {
        // 40e6 lane-iterations in 0.1 s = 4e8/s, against 1e9 lane FMAs/s per core on 2 threads
        assert_eq!(share(&json!(40e6), &json!(0.1), &json!(1e9), &json!(2)), Some((40e6 / 0.1) / (1e9 * 2.0)));
        // 40.14 M useful iterations in 5 ms against a step ceiling of 10 G/s per core: 40.14% on 2 threads
        let step = share(&json!(40_140_000), &json!(0.005), &json!(10e9), &json!(2)).expect("a share");
        assert!((step - 0.4014).abs() < 1e-12, "{step}");
        assert_eq!(
            share(&json!(40_140_000), &json!(0.005), &json!(10e9), &json!(1)),
            Some(40_140_000.0 / 0.005 / 10e9)
        );
        for missing in [
            [Value::Null, json!(0.1), json!(1e9), json!(1)],
            [json!(1), Value::Null, json!(1e9), json!(1)],
            [json!(1), json!(0.1), Value::Null, json!(1)],
        ] {
            assert_eq!(share(&missing[0], &missing[1], &missing[2], &missing[3]), None);
        }
        assert_eq!(share(&json!(1), &json!(0.005), &json!(10e9), &Value::Null), None);
    }

    #[test]
    fn the_previous_rung_has_the_same_precision_and_a_pyo3_row_its_own_kernel() {
        let mut rows = rows(json!([
            row("python-pure", "f64", 8.0),
            row("naive-f32", "f32", 0.13),
            row("naive-f64", "f64", 0.1),
            with(row("c-ref-f64", "f64", 0.01), json!({"reference": true})),
            with(row("mask-f64", "f64", 0.02), json!({"computes": "bitmap"})),
            row("pyo3-naive-f32", "f32", 0.2),
            row("simd-f64", "f64", 0.05),
            with(row("other", "f64", 0.04), json!({"problem": "small"})),
        ]));
        add_speedups(&mut rows, "python-pure");
        let prev = |n: &str| (get(&rows, n, "previous").clone(), get(&rows, n, "speedup_vs_previous").clone());
        assert_eq!(prev("naive-f64"), (json!("python-pure"), json!(8.0 / 0.1)));
        assert_eq!(prev("naive-f32"), (Value::Null, Value::Null)); // no f32 row above: never an f64 one
        assert_eq!(prev("c-ref-f64"), (Value::Null, Value::Null)); // a reference has none and is none
        assert_eq!(prev("mask-f64"), (Value::Null, Value::Null)); // nor has a bitmap
        assert_eq!(prev("simd-f64"), (json!("naive-f64"), json!(0.1 / 0.05))); // not c-ref, mask or pyo3
        assert_eq!(prev("pyo3-naive-f32"), (json!("naive-f32"), json!(0.13 / 0.2)));
        assert_eq!(prev("other"), (Value::Null, Value::Null)); // another problem: no ratio
        assert_eq!(get(&rows, "other", "speedup_vs_python"), &Value::Null);
        assert_eq!(get(&rows, "mask-f64", "speedup_vs_python"), &json!(8.0 / 0.02));
    }

    /// Each row's (previous, speedup_vs_previous).
    fn previous(rows: &[Ordered]) -> BTreeMap<String, (Value, Value)> {
        let pair = |r: &Ordered| (field(r, "previous").clone(), field(r, "speedup_vs_previous").clone());
        rows.iter().map(|r| (name(r).to_string(), pair(r))).collect()
    }

    #[test]
    fn the_previous_rung_skips_other_precisions_references_and_bitmaps_and_a_pyo3_row_has_its_kernel() {
        let reference = json!({"reference": true});
        let mut rows = rows(json!([
            row("python-pure", "f64", 8.0),
            row("mojo-simd-f32", "f32", 0.006),
            row("naive-f32", "f32", 0.13),
            row("naive-f64", "f64", 0.108),
            row("fma-f64", "f64", 0.09),
            row("simd-f32", "f32", 0.004),
            with(row("c-ref-f32", "f32", 0.002), reference.clone()),
            with(row("simd-f64", "f64", 0.008), json!({"computes": "bitmap"})),
            row("rayon-simd-f64", "f64", 0.004),
            row("rayon-simd-f32", "f32", 0.002),
            row("pyo3-naive-f32", "f32", 0.131),
            row("pyo3-fma-f64", "f64", 0.0905),
            row("pyo3-simd-f32", "f32", 0.0041),
            with(row("pyo3-c-ref-f32", "f32", 0.0021), reference),
        ]));
        add_speedups(&mut rows, "python-pure");
        let prev = previous(&rows);
        let none = (Value::Null, Value::Null);
        let of = |p: &str, x: f64| (json!(p), json!(x));
        assert_eq!(prev["python-pure"], none);
        assert_eq!(prev["mojo-simd-f32"], none); // no f32 row above: not divided by an f64 one
        assert_eq!(prev["naive-f32"], of("mojo-simd-f32", 0.006 / 0.13));
        assert_eq!(prev["naive-f64"], of("python-pure", 8.0 / 0.108));
        assert_eq!(prev["simd-f32"], of("naive-f32", 0.13 / 0.004)); // not fma-f64, the row above
        assert_eq!(prev["c-ref-f32"], none); // a reference neither has nor is a previous rung
        assert_eq!(prev["simd-f64"], none); // a bitmap row has none...
        assert_eq!(prev["rayon-simd-f64"], of("fma-f64", 0.09 / 0.004)); // ...and is none
        assert_eq!(prev["rayon-simd-f32"], of("simd-f32", 2.0));
        assert_eq!(prev["pyo3-naive-f32"], of("naive-f32", 0.13 / 0.131)); // not rayon-simd-f32
        assert_eq!(prev["pyo3-fma-f64"], of("fma-f64", 0.09 / 0.0905));
        assert_eq!(prev["pyo3-simd-f32"], of("simd-f32", 0.004 / 0.0041));
        assert_eq!(prev["pyo3-c-ref-f32"], none);
    }

    #[test]
    fn a_pyo3_row_whose_kernel_did_not_run_has_no_previous_rung() {
        let mut rows = rows(json!([
            with(row("naive-f32", "f32", 0.13), json!({"status": "failed"})),
            row("fma-f32", "f32", 0.09),
            row("pyo3-naive-f32", "f32", 0.131),
            row("pyo3-fma-f32", "f32", 0.091),
            row("pyo3-simd-f32", "f32", 0.0041),
        ]));
        add_speedups(&mut rows, "python-pure");
        // neither the row above nor another kernel stands in for the missing one; a pyo3 row is no one's previous
        let prev: Vec<Value> = rows.iter().map(|r| field(r, "previous").clone()).collect();
        assert_eq!(prev, [Value::Null, Value::Null, Value::Null, json!("fma-f32"), Value::Null]);
    }

    #[test]
    fn a_pyo3_row_is_no_previous_rung_and_has_none_of_a_bitmap_or_reference_kernel() {
        let mut rows = rows(json!([
            row("numba", "f64", 0.5),
            row("pyo3-fma-f64", "f64", 0.2),
            row("fma-f64", "f64", 0.1),
            with(row("mask-f64", "f64", 0.05), json!({"computes": "bitmap"})),
            with(row("c-ref-f64", "f64", 0.04), json!({"reference": true})),
            row("pyo3-mask-f64", "f64", 0.06),
            row("pyo3-c-ref-f64", "f64", 0.05),
        ]));
        add_speedups(&mut rows, "python-pure");
        let prev = previous(&rows);
        // fma-f64 is divided by numba, not by the pyo3-fma-f64 row between them: a pyo3 row measures the boundary
        // crossing, it is no rung any other row climbs from
        assert_eq!(prev["fma-f64"], (json!("numba"), json!(0.5 / 0.1)));
        // a bitmap kernel or a reference through the extension: no "previous" of its own kernel to cross from
        assert_eq!(prev["pyo3-mask-f64"].0, Value::Null);
        assert_eq!(prev["pyo3-c-ref-f64"].0, Value::Null);
    }

    #[test]
    fn rates_count_one_lane_kernels_and_the_measured_lanes() {
        let mut rows = rows(json!([
            with(row("naive-f64", "f64", 0.1), json!({"iterations": 40_000_000, "threads_n": 1})),
            with(row("simd-f64", "f64", 0.01), json!({"iterations": 40_000_000, "threads_n": 2})),
        ]));
        let one_lane = BTreeSet::from(["naive-f64"]);
        let verify: Ordered =
            serde_json::from_value(json!({"simd-f64": {"lane_iterations": 60_000_000}})).expect("verify");
        let peak: Rates = serde_json::from_value(json!({"f64_lane_fmas_per_s": 4e9})).expect("a peak");
        add_rates(&mut rows, Some(&peak), &one_lane, &verify).expect("finite");
        assert_eq!(get(&rows, "naive-f64", "iterations_per_s"), &json!(4e8));
        assert_eq!(get(&rows, "naive-f64", "lane_iterations_source"), &json!("scalar: one lane"));
        assert_eq!(get(&rows, "simd-f64", "lane_iterations"), &json!(60_000_000));
        assert_eq!(get(&rows, "simd-f64", "peak_share"), &json!((60e6 / 0.01) / (4e9 * 2.0)));
        assert_eq!(get(&rows, "simd-f64", "step_share"), &Value::Null); // no step ceiling in this peak
    }

    #[test]
    fn a_share_past_what_json_holds_is_an_error_and_a_ceiling_past_u64_a_number() {
        let mut rows =
            rows(json!([with(row("simd-f64", "f64", 0.01), json!({"iterations": 40_000_000, "threads_n": 2}))]));
        let one_lane = BTreeSet::from(["simd-f64"]);
        let tiny: Rates = serde_json::from_value(json!({"f64_lane_fmas_per_s": 1e-300})).expect("a peak");
        let err = add_rates(&mut rows, Some(&tiny), &one_lane, &Ordered::default()).expect_err("an infinite share");
        assert_eq!(
            err,
            "row \"simd-f64\" peak_share is inf: not a finite number (a time or a peak rate out of range in the inputs)"
        );
        // Python multiplies integers exactly: 1e19 lane FMAs/s on 2 threads is past u64, still a ceiling
        let huge = json!(10_000_000_000_000_000_000_u64);
        assert_eq!(share(&json!(4e7), &json!(0.01), &huge, &json!(2)), Some(4e9 / 2e19));
    }

    #[test]
    fn a_pyo3_row_on_another_isa_or_tuning_is_not_compared() {
        let pyo3 = |n: &str| with(row(n, "f32", 0.2), json!({"speedup_vs_previous": 1.5, "lane_iterations": 9}));
        let mut rows = rows(json!([
            with(row("simd-f32", "f32", 0.1), json!({"isa": "avx512"})),
            with(pyo3("pyo3-simd-f32"), json!({"isa": "avx2"})),
            with(row("naive-f32", "f32", 0.1), json!({"isa": "scalar"})),
            with(pyo3("pyo3-naive-f32"), json!({"isa": "scalar"})),
        ]));
        let recorded = BTreeMap::from([
            ("pyo3-simd-f32".to_string(), json!("avx2")),
            ("pyo3-naive-f32".to_string(), json!("scalar")),
        ]);
        let other = blank_other_isa(&mut rows, &recorded);
        assert_eq!(other, [("pyo3-simd-f32".to_string(), json!("avx2"), json!("avx512"))]);
        assert_eq!(get(&rows, "pyo3-simd-f32", "speedup_vs_previous"), &Value::Null);
        assert_eq!(get(&rows, "pyo3-naive-f32", "speedup_vs_previous"), &json!(1.5)); // the same path: kept
        let mut rows = rows_of_tuning();
        let pair = |t: &str| vec![("simd-f32".to_string(), t.to_string())];
        let none = BTreeSet::new();
        let same = blank_other_tuning(&mut rows, &pair("v4k8 (forced)"), &pair("v4k8 (tune)"), &none);
        assert!(same.blanked.is_empty() && same.unknown.is_empty() && !same.differs);
        let other = blank_other_tuning(&mut rows, &pair("v4k8 (forced)"), &pair("v6k4 (forced)"), &none);
        assert_eq!(other.blanked, [("pyo3-simd-f32".into(), "simd-f32".into(), "v6k4".into(), "v4k8".into())]);
        assert_eq!(get(&rows, "pyo3-simd-f32", "lane_iterations"), &Value::Null);
        let mut rows = rows_of_tuning();
        let unknown = blank_other_tuning(&mut rows, &pair("v4k8 (forced)"), &[], &none);
        assert_eq!((unknown.unknown, unknown.differs), (vec!["pyo3-simd-f32".to_string()], true));
        assert_eq!(get(&rows, "pyo3-simd-f32", "lane_iterations"), &json!(9)); // unknown: not blanked
    }

    fn rows_of_tuning() -> Vec<Ordered> {
        rows(json!([
            row("simd-f32", "f32", 0.1),
            // its family from its kernel, as the rows are built (`kernel`, `reference`)
            with(
                row("pyo3-simd-f32", "f32", 0.2),
                json!({"lane_iterations": 9, "kernel": "simd-f32", "reference": false})
            )
        ]))
    }

    #[test]
    fn a_mojo_row_of_another_width_is_marked() {
        let mojo =
            |w: u64| with(row("mojo-simd-f32", "f32", 0.1), json!({"simd_width": w, "method": "Mojo", "isa": null}));
        let rust = with(row("rayon-simd-f32", "f32", 0.1), json!({"language": "Rust", "isa": "avx2"}));
        let mut same = rows(json!([rust.clone(), mojo(16)]));
        assert!(mark_other_width(&mut same, false).is_empty());
        assert_eq!(get(&same, "mojo-simd-f32", "isa"), &json!("avx2"));
        let mut wider = rows(json!([rust, mojo(32)]));
        assert_eq!(mark_other_width(&mut wider, false), [("mojo-simd-f32".into(), 512, vec!["avx2".to_string()])]);
        assert_eq!(get(&wider, "mojo-simd-f32", "method"), &json!("Mojo [512-bit vectors, not the Rust rows' avx2]"));
        let mut arm = rows(json!([mojo(8)]));
        assert!(mark_other_width(&mut arm, true).is_empty()); // no Rust SIMD row: nothing to differ from
        assert_eq!(get(&arm, "mojo-simd-f32", "isa"), &json!("neon"));
    }
}
