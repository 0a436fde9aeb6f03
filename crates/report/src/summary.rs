//! The summary's human outputs (`mandel-report summary`): summary.md, speedup.svg ([`chart`]), the
//! console table and the machine lines the ladder prints as it starts. The scripts merge the summary
//! (`ladderlib/merge.py` and `mandel-report finish`, the like-for-like groups included), check it (`readers.check_summary`), write
//! summary.json and .csv themselves, and ask here for the rest ([`answer`]), which they write.
//!
//! A summary is read as Python reads its JSON: a field may be absent or null, and a value is written as
//! Python's `str()` would write it (`pyvalue`), so that the texts are the ones the scripts wrote.

use crate::chart;
use crate::differences::CALIBRATED;
use crate::figures::DASH;
use crate::groups::{self, Group};
use crate::md::md;
use crate::pyvalue::{Ordered, ordered_eq, ordered_repr, py_str, truthy};
use crate::table::{RIGHT, cells, md_table, text_table};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The request's and the answer's `schema`: a binary and scripts of different versions refuse each other.
pub const SCHEMA: &str = "mandel-report-summary/3";

/// What `mandel-report summary` reads.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Request {
    /// [`SCHEMA`].
    pub schema: String,
    pub summary: Summary,
}

/// A summary (summary.json's fields the outputs show; the others are ignored). `groups` is the
/// like-for-like section as the merge made it (made here for a summary without it); `rows` and `notes`
/// may be absent when only the machine lines are wanted (the ladder prints them before it measures).
#[derive(Deserialize)]
pub struct Summary {
    pub machine_id: String,
    #[serde(default)]
    pub machine: Value,
    #[serde(default)]
    pub settings: Option<Settings>,
    #[serde(default)]
    pub rows: Vec<Value>,
    #[serde(default, deserialize_with = "groups_or_none")]
    pub groups: Vec<Group>,
    #[serde(default)]
    pub notes: Vec<Value>,
}

/// The groups as recorded; none (made here) where the summary's `groups` is false: absent, null, empty.
fn groups_or_none<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<Vec<Group>, D::Error> {
    let v = Value::deserialize(deserializer)?;
    if truthy(&v) { serde_json::from_value(v).map_err(serde::de::Error::custom) } else { Ok(Vec::new()) }
}

/// The settings the machine lines read. The objects whose keys are listed in order are read in the
/// file's order (`Ordered`); every field may be absent or null.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct Settings {
    pub quick: Value,
    pub criterion: Value,
    pub pool_threads: Value,
    pub params: Option<Ordered>,
    pub python_params: Option<Ordered>,
    pub python_settings: Option<Ordered>,
    pub python_machine: Value,
    pub python_time: Value,
    pub python_source: Value,
    pub rounds: Value,
    pub simd_tuning: Value,
    pub c_tuning: Value,
}

/// What `mandel-report summary` writes.
#[derive(Serialize)]
pub struct Answer {
    /// [`SCHEMA`].
    pub schema: &'static str,
    /// summary.md's text.
    pub markdown: String,
    /// speedup.svg's text.
    pub svg: String,
    /// The ladder's table as the console shows it.
    pub console: String,
    /// The machine and the settings, as (label, value) pairs.
    pub machine_lines: Vec<(String, String)>,
    /// summary.csv's text: a line per row, [`CSV_FIELDS`], raw numbers (seconds, ratios), no formatting.
    pub csv: String,
}

/// summary.csv's columns, in order: the row fields with raw numbers.
pub const CSV_FIELDS: [&str; 32] = [
    "name",
    "method",
    "language",
    "precision",
    "isa",
    "threads",
    "threads_n",
    "computes",
    "problem",
    "status",
    "median_s",
    "spread_kind",
    "spread_low_s",
    "spread_high_s",
    "mean_s",
    "repeats",
    "compile_s",
    "iterations",
    "iterations_per_s",
    "speedup_vs_python",
    "speedup_vs_previous",
    "previous",
    "lane_iterations",
    "lane_iterations_source",
    "step_share",
    "peak_share",
    "pixels",
    "differing",
    "allowed",
    "max_abs_diff",
    "verified_ok",
    "note",
];

/// `v.get(key)` where it is true (`if v.get(key)`); None for an absent key, a false value, or a `v` that is no
/// object.
pub(crate) fn given<'a>(v: &'a Value, key: &str) -> Option<&'a Value> {
    v.get(key).filter(|v| truthy(v))
}

/// What a Python rung's time is, as a summary says it: its recorded `python_time`, else (a set merged
/// before that was recorded) the median call where the Python rows ran; None where they did not.
pub fn python_time(s: &Settings) -> Option<String> {
    if truthy(&s.python_time) {
        return Some(py_str(&s.python_time));
    }
    s.python_settings.as_ref().is_some_and(|p| !p.0.is_empty()).then(|| "the median call".into())
}

/// What a run pinned a tuning variable to (its record's `value`), or what a run that records none ran on.
pub fn tuning(record: &Value) -> String {
    or(record, "value", CALIBRATED)
}

/// `v.get(key) or default`, as text.
pub(crate) fn or(v: &Value, key: &str, default: &str) -> String {
    given(v, key).map_or(default.into(), py_str)
}

/// `v.get(key, '?')`: a null is written `None`, only an absent key is `?`.
pub(crate) fn or_absent(v: &Value, key: &str) -> String {
    v.get(key).map_or("?".into(), py_str)
}

/// The machine and the settings, as (label, value) pairs.
pub fn machine_lines(summary: &Summary) -> Vec<(String, String)> {
    let m = &summary.machine;
    let default = Settings::default();
    let s = summary.settings.as_ref().unwrap_or(&default);
    let pym = &s.python_machine;
    // the baselines' own record of the interpreter that ran them, else this machine's
    let version = |package: &str| given(pym, package).or(given(m, package)).map_or("not installed".into(), py_str);
    // fewer CPUs usable than the machine has (an affinity, a cgroup quota): a row with more threads shared them
    let cores = given(m, "cores").and_then(Value::as_f64).unwrap_or(0.0);
    let shared = given(m, "cpus_usable").filter(|u| u.as_f64().is_some_and(|u| u < cores)).map_or(String::new(), |u| {
        format!(
            "; this run could use {} (CPU affinity or a cgroup quota): a row with more threads shared them",
            py_str(u)
        )
    });
    let cpu = format!(
        "{} (family/model {}), {} cores{shared}",
        m.get("cpu_model").map_or("None".into(), py_str),
        or(m, "cpu_family_model", "?"),
        m.get("cores").map_or("None".into(), py_str)
    );
    let flags =
        given(m, "isa_flags").and_then(Value::as_array).map(|f| f.iter().map(py_str).collect::<Vec<_>>().join(" "));
    let python = format!(
        "{}, NumPy {}, Numba {}",
        given(pym, "python_build").map_or_else(|| version("python"), py_str),
        version("numpy"),
        version("numba")
    );
    let problem = {
        let params = s.params.as_ref().filter(|p| !p.0.is_empty());
        let mut text = params.map_or_else(canonical_text, problem_text);
        if let Some(pyparams) = s.python_params.as_ref().filter(|p| !p.0.is_empty())
            && !s.params.as_ref().is_some_and(|p| ordered_eq(pyparams, p))
        {
            text += &format!(" (Python rungs: {})", ordered_repr(pyparams));
        }
        text
    };
    let python_timing = s.python_settings.as_ref().map_or(String::new(), |ps| {
        ps.0.iter().map(|(k, v)| format!("{k}={}", py_str(v))).collect::<Vec<_>>().join(", ")
    });
    let python_time = python_time(s).unwrap_or_else(|| "not run".into());
    let mut lines = vec![
        ("machine id", summary.machine_id.clone()),
        ("CPU", cpu),
        ("ISA flags", flags.filter(|f| !f.is_empty()).unwrap_or(DASH.into())),
        ("OS", or(m, "os", DASH)),
        ("Rust", or(m, "rustc", DASH)),
        ("Python", python),
        ("Python rows from", python_source(s)),
        ("date", or(m, "date", DASH)),
        ("git commit", or(m, "git_commit", DASH)),
        ("problem", problem),
        ("mode", if truthy(&s.quick) { "quick (a first look: short measurements)" } else { "full" }.into()),
    ];
    if truthy(&s.criterion) {
        lines.push(("Criterion", criterion_line(&s.criterion)));
    }
    lines.extend([
        ("Rust timing", rounds_line(&s.rounds)),
        ("Python timing", if python_timing.is_empty() { "not run".into() } else { python_timing }),
        ("Python time", python_time),
        ("thread pool", pool(&s.pool_threads)),
        ("SIMD tuning", tuning(&s.simd_tuning)),
        ("C reference tuning", tuning(&s.c_tuning)),
    ]);
    lines.into_iter().map(|(k, v)| (k.to_string(), v)).collect()
}

fn pool(threads: &Value) -> String {
    if threads.is_null() { "unknown".into() } else { format!("{} threads", py_str(threads)) }
}

/// Where the Python rows came from: run now, reused, or merged from another file, and the baselines' own
/// date and commit (their machine record's), which may be older than the Rust rows'.
fn python_source(s: &Settings) -> String {
    let pym = &s.python_machine;
    if s.python_source.is_null() && s.python_params.is_none() && !truthy(pym) {
        return "none (the notes say why)".into(); // not run, or run and failed
    }
    let (date, commit) = (given(pym, "date"), given(pym, "git_commit"));
    let recorded = if date.is_some() || commit.is_some() {
        format!(
            "baselines of {}, commit {}",
            date.map_or("an unrecorded date".into(), py_str),
            commit.map_or("unrecorded".into(), py_str)
        )
    } else {
        "their date and commit not in this summary (raw/baselines.json may have them)".into()
    };
    let source = if truthy(&s.python_source) { py_str(&s.python_source) } else { "source not recorded".into() };
    format!("{source}; {recorded}")
}

/// The problem in words, from its parameters (the scripts' check requires each).
fn problem_text(params: &Ordered) -> String {
    let p = |key: &str| params.get(key).map_or("None".into(), py_str);
    format!(
        "{}x{} pixels, {} iterations max, x in [{}, {}], y in [{}, {}]",
        p("width"),
        p("height"),
        p("max_iters"),
        p("x_min"),
        p("x_max"),
        p("y_min"),
        p("y_max")
    )
}

/// The canonical problem's words (a summary that records no parameters was merged for it).
fn canonical_text() -> String {
    let c = mandel_core::Params::canonical();
    let ((x_min, x_max), (y_min, y_max)) = (c.x_range(), c.y_range());
    let r = crate::pyfmt::repr;
    format!(
        "{}x{} pixels, {} iterations max, x in [{}, {}], y in [{}, {}]",
        c.width(),
        c.height(),
        c.max_iters(),
        r(x_min),
        r(x_max),
        r(y_min),
        r(y_max)
    )
}

/// What a round's time is in a summary with these rounds' settings: a summary that records none was merged
/// when it was the round's median render.
pub(crate) fn round_time(rounds: &Value) -> String {
    rounds.get("round_time").map_or("median render".into(), py_str)
}

/// How the Rust rows were timed: the rounds' settings.
fn rounds_line(r: &Value) -> String {
    if !truthy(r) {
        return "not in rounds (an older result set: see Criterion)".into();
    }
    let taken = r.get("taken").or(r.get("rounds")).map_or("?".into(), py_str);
    let round_time = round_time(r);
    format!(
        "{taken} rounds (one `mandel bench` process each, the kernel order rotated each round), {} s and at least \
         {} renders per kernel and round, after a verification render and a warm-up render; a round's time its \
         {round_time}, the row's the median of the round times, and their interquartile range",
        or_absent(r, "kernel_s"),
        or_absent(r, "min_renders"),
    )
}

/// How an older set's rows were timed: Criterion's settings.
fn criterion_line(crit: &Value) -> String {
    let samples = given(crit, "samples").map_or(String::new(), |s| format!(", samples taken per kernel {}", py_str(s)));
    format!(
        "sample size {}, warm-up {} s, measurement {} s{samples} (from {}); median and its 95% CI",
        or_absent(crit, "sample_size"),
        or_absent(crit, "warm_up_s"),
        or_absent(crit, "measurement_s"),
        crit.get("source").map_or("the bench source".into(), py_str),
    )
}

/// summary.md's text.
pub fn markdown(summary: &Summary, lines: &[(String, String)]) -> String {
    let (header, body) = cells(&summary.rows);
    let mut out = vec![format!("# The Mandelbrot speedup ladder on {}", md(&summary.machine_id)), String::new()];
    out.extend(["| | |".to_string(), "|---|---|".to_string()]);
    out.extend(lines.iter().map(|(k, v)| format!("| {} | {} |", md(k), md(v))));
    out.extend([String::new(), "## The ladder".into(), String::new(), md_table(&header, &body, &RIGHT), String::new()]);
    out.extend(groups::markdown(&summary.groups));
    out.extend(["## Notes".to_string(), String::new()]);
    out.extend(summary.notes.iter().map(|n| format!("- {}", md(&py_str(n)))));
    out.extend([
        String::new(),
        "How this is measured and what to keep in mind: METHODOLOGY.md at the repository root.".into(),
        String::new(),
    ]);
    out.join("\n")
}

/// The ladder's table as the console shows it.
pub fn console_table(rows: &[Value]) -> String {
    let (header, body) = cells(rows);
    text_table(&header, &body, &RIGHT)
}

/// `mandel-report summary`: the request (JSON) in, the answer (JSON) out.
pub fn answer(request: &str) -> Result<String, String> {
    let mut req: Request = crate::parse_request(request, "the summary's request", SCHEMA, |r: &Request| &r.schema)?;
    if req.summary.groups.is_empty() {
        // a summary merged before the groups were recorded (or a hand-made one): made now
        let flags = req.summary.machine.get("isa_flags").cloned().unwrap_or_default();
        req.summary.groups = groups::like_for_like(&req.summary.rows, &flags).into_iter().map(Group::from).collect();
    }
    let summary = &req.summary;
    let lines = machine_lines(summary);
    let answer = Answer {
        schema: SCHEMA,
        markdown: markdown(summary, &lines),
        svg: chart::svg(&summary.machine_id, &summary.rows),
        console: console_table(&summary.rows),
        machine_lines: lines,
        csv: crate::csv::text(
            &CSV_FIELDS,
            summary.rows.iter().map(|r| CSV_FIELDS.iter().map(|k| crate::csv::cell(r.get(k))).collect()),
            "\r\n",
        ),
    };
    serde_json::to_string(&answer).map_err(|e| format!("the summary's report: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A summary whose `groups` is false (absent, null, empty: `summary.get("groups") or ...` in the scripts
    /// that wrote them) gets them made from its rows, on the machine's flags.
    #[test]
    fn a_summary_without_groups_gets_them_made() {
        for groups in ["", r#", "groups": null"#, r#", "groups": []"#, r#", "groups": {}"#] {
            let request = format!(
                r#"{{"schema": "{SCHEMA}", "summary": {{"machine_id": "m", "machine": {{"isa_flags": ["sse2"]}},
                    "rows": [{{"name": "numba-fastmath", "method": "numba", "status": "ok", "median_s": 0.5}},
                             {{"name": "naive-f64", "method": "naive", "status": "ok", "median_s": 0.25}}]{groups}}}}}"#
            );
            let answer: Value = serde_json::from_str(&answer(&request).expect("an answer")).expect("JSON");
            let md = answer["markdown"].as_str().expect("markdown");
            // no FMA on this CPU: Numba's fastmath row is separate
            assert!(md.contains("| numba | — | — | separate | — | 500 ms | 2.00x |"), "{groups}: {md}");
        }
    }
}
