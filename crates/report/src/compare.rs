//! scripts/compare's outputs (`mandel-report compare`): several machines side by side (a table of each
//! one's times, speedups, ISA paths and checks, the ratios to the first, their geometric means and what
//! may skew them), or two runs of one machine with the verdicts of `mandel-report verdicts`; as console
//! text, as Markdown, and as a grouped bar chart (SVG). The scripts read and check the summaries and judge
//! the runs; what differs between the sets ([`crate::differences`]), the drift note and each run's speed
//! note ([`crate::speed`]) are made here, and the differences returned, which the scripts refuse on.
//!
//! A summary is read as Python reads its JSON (`pyvalue`), so that the texts are the ones the scripts
//! wrote: the committed results/machines.md and .svg are this module's output.

use crate::differences::{self, python_machine};
use crate::figures::{DASH, agreement, number, span, speedup, threads, time};
use crate::md::md;
use crate::pyfmt::{fixed, g, percent, signed_percent};
use crate::pymath::sum;
use crate::pyvalue::{Ordered, py_str, truthy};
use crate::speed;
use crate::summary::{Summary, given, or, or_absent};
use crate::svg::{Bar, BarGroup, PALETTE, grouped_bar_chart};
use crate::table::{md_table, text_table};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The request's and the answer's `schema`: a binary and scripts of different versions refuse each other.
pub const SCHEMA: &str = "mandel-report-compare/2";

/// What `mandel-report compare` reads.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Request {
    /// [`SCHEMA`].
    pub schema: String,
    /// The summaries compared, A first, as the scripts read and checked them.
    pub sets: Vec<Summary>,
    /// Whether the sets must be of one machine, its tunings and interpreter too ([`differences`]): two runs.
    #[serde(default)]
    pub same_machine: bool,
    /// Two runs of one machine (A and B); absent for machines side by side.
    #[serde(default)]
    pub runs: Option<Runs>,
    /// Whether to write the Markdown too, and the chart.
    #[serde(default)]
    pub markdown: bool,
    #[serde(default)]
    pub svg: bool,
}

/// Two runs of one machine: their verdicts and what the scripts found in their rounds.
#[derive(Deserialize)]
pub struct Runs {
    /// What A and B are (their paths, or the baseline's name).
    pub names: [String; 2],
    /// `mandel-report verdicts`' answer on A and B.
    pub report: Verdicts,
    pub noise_floor: f64,
    pub rounds_floor: f64,
}

/// The verdicts' fields these outputs show.
#[derive(Deserialize)]
pub struct Verdicts {
    pub entries: Vec<Verdict>,
    /// Each verdict's count, in the report's order.
    pub counts: Ordered,
    pub alpha: Value,
    pub min_calls: Value,
    /// The median change when at least 90% of the changes go one way ([`drift_note`]).
    pub drift: Option<f64>,
    /// How many entries have a change.
    #[serde(default)]
    pub changes: Value,
}

impl Verdicts {
    /// `mandel-report verdicts`' report on two runs as these outputs read it, each entry with its rows on A
    /// and B (`a`, `b`: the runs' rows, found by name).
    pub fn from_report(report: crate::verdict::Report, a: &[Value], b: &[Value]) -> Verdicts {
        let find = |rows: &[Value], rung: &str| rows.iter().find(|r| name(r) == rung).cloned();
        let entries = report.entries.into_iter().map(|e| Verdict {
            a: find(a, &e.name),
            b: find(b, &e.name),
            verdict: e.verdict.into(),
            rule: e.rule.map(Into::into),
            rounds: e.rounds.map(|n| n as u64),
            name: e.name,
            change: e.change,
            why: e.why,
            isa: e.isa,
            shown: e.shown,
            interval: e.interval,
            spread: e.spread,
            p: e.p,
            floor: e.floor,
            wide: e.wide,
        });
        Verdicts {
            entries: entries.collect(),
            counts: Ordered(report.counts.0.into_iter().map(|(v, n)| (v.to_string(), Value::from(n))).collect()),
            alpha: Value::from(report.alpha),
            min_calls: Value::from(report.min_calls),
            drift: report.drift,
            changes: Value::from(report.changes),
        }
    }
}

/// What scripts/compare makes of a drift: two runs of the ladder did not alternate.
const DRIFT_ADVICE: &str = "A code change rarely moves every row, scalar ones included: the machine probably changed \
speed between the runs, and verdicts near that change may be its doing. Compare builds with scripts/ab, which \
interleaves them.";

/// The warning when every rung moved one way (the report's `drift`: 90% of the changes, 8 at least), or
/// None: `timed` says where the changes were timed, `advice` what to make of it (scripts/ab has its own).
pub fn drift_note(report: &Verdicts, timed: &str, advice: &str) -> Option<String> {
    let d = report.drift?;
    Some(format!(
        "every rung moved the same way: {} in at least 90% of the {} timed {timed}, median {}. {advice}",
        if d < 0.0 { "faster" } else { "slower" },
        py_str(&report.changes),
        signed_percent(d, 1)
    ))
}

/// One rung's verdict (`verdict::Entry`), with its rows on A and B (`a`, `b`: None where absent), as the
/// scripts' `compare.judged` joins them.
#[derive(Deserialize)]
pub struct Verdict {
    pub name: String,
    pub a: Option<Value>,
    pub b: Option<Value>,
    pub verdict: String,
    pub change: Option<f64>,
    pub why: String,
    pub isa: String,
    pub shown: bool,
    pub interval: [Option<(f64, f64)>; 2],
    pub spread: [Option<f64>; 2],
    pub rounds: [u64; 2],
    pub p: Option<f64>,
    pub floor: Option<f64>,
    pub wide: Option<bool>,
    pub rule: Option<String>,
}

/// What `mandel-report compare` writes.
#[derive(Serialize)]
pub struct Answer {
    /// [`SCHEMA`].
    pub schema: &'static str,
    /// What differs between the sets' problems and settings ([`differences`]): the scripts refuse to
    /// compare them unless told to (`--allow-different`), and the machines' summary says it.
    pub differences: Vec<String>,
    /// The comparison as the console shows it.
    pub text: String,
    /// The comparison as Markdown, when asked for.
    pub markdown: Option<String>,
    /// The grouped bar chart, when asked for.
    pub svg: Option<String>,
}

/// A table: its header, its lines of cells, and the columns aligned right.
type Table = (Vec<String>, Vec<Vec<String>>, Vec<String>);

/// The label of the `i`th set: A, B, C...
pub(crate) fn tag(i: usize) -> String {
    char::from_u32('A' as u32 + i as u32).map_or("?".into(), String::from)
}

fn name(row: &Value) -> &str {
    row.get("name").and_then(Value::as_str).unwrap_or("")
}

/// The set's row of a rung (the scripts check that each rung has one at most).
fn row<'a>(set: &'a Summary, rung: &str) -> Option<&'a Value> {
    set.rows.iter().find(|r| name(r) == rung)
}

fn status(row: Option<&Value>) -> Option<&str> {
    row.and_then(|r| r.get("status")).and_then(Value::as_str)
}

fn ok(row: Option<&Value>) -> bool {
    status(row) == Some("ok")
}

fn median(row: Option<&Value>) -> Option<f64> {
    number(row.and_then(|r| r.get("median_s")))
}

/// `geomean`: the geometric mean of the positive values; None for none.
pub fn geomean(values: &[Option<f64>]) -> Option<f64> {
    let positive: Vec<f64> = values.iter().flatten().copied().filter(|&v| v > 0.0).collect();
    (!positive.is_empty()).then(|| (sum(positive.iter().map(|v| v.ln())) / positive.len() as f64).exp())
}

/// One rung across the sets: its row on each (None where a set lacks it), the time ratio of each set to
/// the first and the ratio of their speedups over their own pure Python (None unless both timed it; the
/// first's own is None), and whether their ISA paths or thread counts differ.
pub struct Rung<'a> {
    pub name: String,
    pub rows: Vec<Option<&'a Value>>,
    pub time_ratios: Vec<Option<f64>>,
    pub speedup_ratios: Vec<Option<f64>>,
    pub isa_differs: bool,
    pub threads_differ: bool,
}

/// The items, each once, in the order they first come (`dict.fromkeys`).
fn unique<T: PartialEq>(items: impl IntoIterator<Item = T>) -> Vec<T> {
    let mut seen = Vec::new();
    for item in items {
        if !seen.contains(&item) {
            seen.push(item);
        }
    }
    seen
}

/// The distinct values of `key` the rows give, its false values (None, "", 0) left out.
fn distinct<'a>(rows: &[Option<&'a Value>], key: &str) -> Vec<&'a Value> {
    unique(rows.iter().flatten().filter_map(|r| given(r, key)))
}

/// The rungs of every set, in order of first appearance, joined across the sets.
pub fn compare(sets: &[Summary]) -> Vec<Rung<'_>> {
    let names = unique(sets.iter().flat_map(|s| &s.rows).map(name));
    let speedup_of = |r: Option<&Value>| number(r.and_then(|r| r.get("speedup_vs_python"))).filter(|&v| v != 0.0);
    names
        .into_iter()
        .map(|rung| {
            let rows: Vec<Option<&Value>> = sets.iter().map(|s| row(s, rung)).collect();
            let first = rows[0];
            let (mut time_ratios, mut speedup_ratios) = (vec![None], vec![None]);
            for &r in &rows[1..] {
                let both = ok(first) && ok(r);
                time_ratios.push(both.then(|| median(r).zip(median(first)).map(|(b, a)| b / a)).flatten());
                let ratio = speedup_of(r).zip(speedup_of(first)).map(|(b, a)| b / a);
                speedup_ratios.push(ratio.filter(|_| both));
            }
            Rung {
                name: rung.to_string(),
                isa_differs: distinct(&rows, "isa").len() > 1,
                threads_differ: distinct(&rows, "threads_n").len() > 1,
                rows,
                time_ratios,
                speedup_ratios,
            }
        })
        .collect()
}

/// Timed and verified: ok, and not said to fail verification.
fn verified(row: Option<&Value>) -> bool {
    ok(row) && row.and_then(|r| r.get("verified_ok")) != Some(&Value::Bool(false))
}

/// A geometric mean and how many rungs it is over.
pub type Mean = (Option<f64>, usize);

/// The geometric means of one set against the first, over the rungs both timed and verified.
#[derive(Debug, PartialEq)]
pub struct Means {
    /// Of its time over A's: over all of them, those on the same ISA path on both, those on different ones.
    pub all: Mean,
    pub same_isa: Mean,
    pub isa_differs: Mean,
    /// Of its speedup over its own pure Python over A's.
    pub speedup: Mean,
}

/// Two rows on different ISA paths: both recorded, and different (an unrecorded path, an older set's
/// Mojo rows, differs from none).
fn isa_differs(a: Option<&Value>, b: Option<&Value>) -> bool {
    match (a.and_then(|r| given(r, "isa")), b.and_then(|r| given(r, "isa"))) {
        (Some(a), Some(b)) => a != b,
        _ => false,
    }
}

/// Per set after the first, its tag and its [`Means`].
pub fn geomeans(sets: &[Summary]) -> Vec<(String, Means)> {
    let rungs = compare(sets);
    (1..sets.len())
        .map(|i| {
            let shared: Vec<&Rung> = rungs.iter().filter(|e| verified(e.rows[0]) && verified(e.rows[i])).collect();
            // `same_isa`: Some(whether the rows' paths must be the same), None for either
            let gm = |speedups: bool, same_isa: Option<bool>| -> Mean {
                let values: Vec<Option<f64>> = shared
                    .iter()
                    .filter(|e| same_isa.is_none_or(|same| same != isa_differs(e.rows[0], e.rows[i])))
                    .map(|e| if speedups { e.speedup_ratios[i] } else { e.time_ratios[i] })
                    .filter(|v| v.is_some_and(|v| v != 0.0))
                    .collect();
                (geomean(&values), values.len())
            };
            let means = Means {
                all: gm(false, None),
                same_isa: gm(false, Some(true)),
                isa_differs: gm(false, Some(false)),
                speedup: gm(true, None),
            };
            (tag(i), means)
        })
        .collect()
}

/// A row's time: `missing`, `FAILED`, or its median.
fn time_cell(row: Option<&Value>) -> String {
    match status(row) {
        None | Some("missing") => "missing".into(),
        Some("failed") => "FAILED".into(),
        _ => time(median(row)),
    }
}

/// The verification of a row, short: ok, FAIL d/allowed (FAIL alone without a count), or a dash when
/// unknown.
pub fn check(row: Option<&Value>) -> String {
    match row.and_then(|r| r.get("verified_ok")).filter(|v| !v.is_null()) {
        None => DASH.into(),
        Some(v) if truthy(v) => "ok".into(),
        Some(_) => agreement(row.unwrap_or(&Value::Null)),
    }
}

fn ratio(q: Option<f64>) -> String {
    q.map_or(DASH.into(), |q| fixed(q, 2))
}

/// The rows' precisions, each once (`f32/f64` where the sets differ).
fn precision(rows: &[Option<&Value>]) -> String {
    let seen: Vec<String> = distinct(rows, "precision").into_iter().map(py_str).collect();
    if seen.is_empty() { DASH.into() } else { seen.join("/") }
}

/// The machines' table: per rung its precision, each set's time, speedup, ISA, threads and check, each
/// set's ratios to the first, and a note where their ISA paths or thread counts differ.
pub fn table(sets: &[Summary]) -> Table {
    let tags: Vec<String> = (0..sets.len()).map(tag).collect();
    let mut header = vec!["rung".to_string(), "precision".into()];
    for t in &tags {
        header.extend(["time", "speedup", "ISA", "threads", "check"].map(|col| format!("{t} {col}")));
    }
    for col in ["time", "speedup"] {
        header.extend(tags[1..].iter().map(|t| format!("{t}/{} {col}", tags[0])));
    }
    header.push("note".into());
    let body = compare(sets)
        .iter()
        .map(|e| {
            let mut line = vec![e.name.clone(), precision(&e.rows)];
            for &row in &e.rows {
                let r = row.unwrap_or(&Value::Null); // a rung the set lacks: missing, dashes
                line.extend([
                    time_cell(row),
                    speedup(number(r.get("speedup_vs_python"))),
                    or(r, "isa", DASH),
                    threads(r),
                    check(row),
                ]);
            }
            line.extend(e.time_ratios[1..].iter().chain(&e.speedup_ratios[1..]).map(|&q| ratio(q)));
            let notes = [("ISA differs", e.isa_differs), ("threads differ", e.threads_differ)];
            line.push(notes.iter().filter(|n| n.1).map(|n| n.0).collect::<Vec<_>>().join(", "));
            line
        })
        .collect();
    let right = header.iter().filter(|h| h.ends_with(" time") || h.ends_with(" speedup")).cloned().collect();
    (header, body, right)
}

/// The SIMD paths a set's rows took (e.g. `avx512`), each once, in the rows' order.
pub fn simd_paths(set: &Summary) -> Vec<String> {
    let paths = set.rows.iter().filter_map(|r| given(r, "isa")).map(py_str);
    unique(paths.filter(|isa| !["scalar", "fma"].contains(&isa.as_str())))
}

/// `, load average 0.12 at start, 1.40 after the benches`: other jobs on the machine show here.
pub fn load(machine: &Value) -> String {
    let first =
        |key: &str| given(machine, key).and_then(|v| v.get(0)).map(|v| fixed(v.as_f64().unwrap_or(f64::NAN), 2));
    let parts: Vec<String> = [("load_average", "at start"), ("load_average_after_bench", "after the benches")]
        .iter()
        .filter_map(|&(key, when)| first(key).map(|v| format!("{v} {when}")))
        .collect();
    if parts.is_empty() { String::new() } else { format!(", load average {}", parts.join(", ")) }
}

/// A setting of the set (null where it has no settings).
fn settings_value(set: &Summary, pick: fn(&crate::summary::Settings) -> &Value) -> &Value {
    set.settings.as_ref().map_or(&Value::Null, pick)
}

/// A line per set: its tag, machine id, CPU, cores, SIMD paths, thread pool, date, commit and load.
pub fn legend(sets: &[Summary]) -> Vec<String> {
    sets.iter()
        .enumerate()
        .map(|(i, s)| {
            let m = &s.machine;
            let paths = simd_paths(s);
            let quick = if truthy(settings_value(s, |st| &st.quick)) { " (quick)" } else { "" };
            format!(
                "{} = {}: {} (family/model {}), {} cores, SIMD path {}, thread pool {}, {}, commit {}{quick}{}",
                tag(i),
                s.machine_id,
                or_absent(m, "cpu_model"),
                or(m, "cpu_family_model", "?"),
                or_absent(m, "cores"),
                if paths.is_empty() { "none".into() } else { paths.join(", ") },
                Some(settings_value(s, |st| &st.pool_threads)).filter(|v| truthy(v)).map_or("?".into(), py_str),
                or_absent(m, "date"),
                or_absent(m, "git_commit"),
                load(m)
            )
        })
        .collect()
}

/// The interpreter a set's Python rows ran on: its build (recorded since machine.python_build) and
/// `Python <version>`, each where known; None for a set without a timed pure Python, whose ladder's
/// interpreter ran no row.
pub fn interpreter(set: &Summary) -> Option<(Option<String>, Option<String>)> {
    if !set.rows.iter().any(|r| name(r) == "python-pure" && ok(Some(r))) {
        return None;
    }
    let pym = python_machine(set);
    let build = given(pym, "python_build").map(py_str);
    // a set that records only the build: its version is the build's own (`CPython 3.11.7 (...)`), so that
    // it is compared with a set that records only a version
    let version = given(pym, "python").map(py_str).or_else(|| build.as_deref().and_then(build_version));
    Some((build, version.map(|v| format!("Python {v}"))))
}

/// The version a build names after its first word: `CPython 3.11.7 (GCC ...)` is 3.11.7
/// (`re.match(r"\S+ (\d+\.\d+\.\d+)", build)`).
fn build_version(build: &str) -> Option<String> {
    let word = build.find(char::is_whitespace).filter(|&n| n > 0)?;
    let rest = build[word..].strip_prefix(' ')?;
    let mut end = 0;
    for part in 0..3 {
        let digits = rest[end..].find(|c: char| !c.is_ascii_digit()).unwrap_or(rest.len() - end);
        if digits == 0 {
            return None;
        }
        end += digits;
        if part < 2 {
            end += rest[end..].strip_prefix('.').map(|_| 1)?;
        }
    }
    Some(rest[..end].to_string())
}

/// The sentences under the machines' table: the geometric means, and what may skew them: settings,
/// code, interpreters or ISA paths that differ.
pub fn summary_lines(sets: &[Summary], differences: &[String]) -> Vec<String> {
    let a = tag(0);
    let mut out = Vec::new();
    for (t, g) in geomeans(sets) {
        let (Some(gm), n) = g.all else {
            out.push(format!("{t}/{a}: no rung timed and verified on both"));
            continue;
        };
        let mut text =
            format!("geometric mean of {t}/{a} time over the {n} rungs both timed and verified: {}", fixed(gm, 2));
        let parts: Vec<String> = [("same ISA path", g.same_isa), ("ISA differs", g.isa_differs)]
            .iter()
            .filter_map(|&(label, (v, k))| v.map(|v| format!("{label} {} over {k}", fixed(v, 2))))
            .collect();
        if !parts.is_empty() {
            text += &format!(" ({})", parts.join("; "));
        }
        if let (Some(v), k) = g.speedup {
            text += &format!("; of {t}/{a} speedup over its own pure Python: {} over {k}", fixed(v, 2));
        }
        out.push(text);
    }
    if !differences.is_empty() {
        out.push(format!("The sets differ in settings, so a ratio also measures that: {}.", differences.join("; ")));
    }
    out.extend(commit_sentence(sets));
    out.extend(interpreter_sentence(sets));
    let differ: Vec<String> = compare(sets).into_iter().filter(|e| e.isa_differs).map(|e| e.name).collect();
    if !differ.is_empty() {
        out.push(format!(
            "ISA differs on {} rungs ({}): their ratio mixes the hardware with the instruction set (e.g. AVX2 \
             against AVX-512 lanes), not the machine alone.",
            differ.len(),
            differ.join(", ")
        ));
    }
    out
}

/// The warning when the sets ran different code, or code not recorded.
fn commit_sentence(sets: &[Summary]) -> Option<String> {
    let commits: Vec<String> = sets.iter().map(|s| or(&s.machine, "git_commit", "?")).collect();
    let named = commits.iter().enumerate().map(|(i, c)| format!("{} {c}", tag(i))).collect::<Vec<_>>().join(", ");
    if commits.iter().any(|c| *c != commits[0]) {
        Some(format!(
            "The sets ran different code (commits {named}): a ratio also measures whatever changed in between (a \
             kernel made faster, an exact skip added), not the machines alone; compare sets of one commit for that."
        ))
    } else if commits.iter().any(|c| c == "?") {
        Some(format!(
            "The sets' code is unknown (commits {named}): they may have run different code, and a ratio then also \
             measures whatever changed in between."
        ))
    } else {
        None
    }
}

/// The warning when the sets' Python rows ran on different interpreters: builds compared where recorded
/// (a set from before they were: its version alone), versions everywhere.
fn interpreter_sentence(sets: &[Summary]) -> Option<String> {
    let builds: Vec<(String, Option<String>, Option<String>)> =
        sets.iter().enumerate().filter_map(|(i, s)| interpreter(s).map(|(b, v)| (tag(i), b, v))).collect();
    let differ = |values: Vec<&String>| values.iter().any(|v| *v != values[0]);
    let builds_differ = differ(builds.iter().filter_map(|b| b.1.as_ref()).collect());
    if !builds_differ && !differ(builds.iter().filter_map(|b| b.2.as_ref()).collect()) {
        return None;
    }
    let named = builds.iter().map(|(t, build, version)| match build {
        Some(build) => format!("{t} {build}"),
        None => format!("{t} {} (build not recorded)", version.as_deref().unwrap_or("Python")),
    });
    Some(format!(
        "The sets' Python rows ran on different interpreters ({}): every speedup over pure Python also measures the \
         interpreter's build, which moves pure Python by itself (MEASUREMENTS.md); compare times, or the speedups of \
         one build.",
        named.collect::<Vec<_>>().join(", ")
    ))
}

/// What the machines' Markdown says under its sentences.
pub const EXPLAIN: &str = "Speedup is over pure Python on the same machine; X/A time is machine X's median over \
machine A's (above 1: slower than A); X/A speedup is X's speedup over its own pure Python over A's. precision: the \
rung's (A/B where the results differ). check: verification against the f64 reference. Missing: the rung did not \
run there; FAILED: it failed verification. The geometric means take the rungs timed and verified on both.";

/// A comparison as console text, or as Markdown under a `title`: the legend, the table, the sentences,
/// and in Markdown what the table's words mean (`explain`).
pub fn document(
    legend: &[String],
    (header, body, right): &Table,
    lines: &[String],
    title: Option<&str>,
    explain: Option<&str>,
) -> String {
    let right: Vec<&str> = right.iter().map(String::as_str).collect();
    let Some(title) = title else {
        let mut out = legend.to_vec();
        out.extend([String::new(), text_table(header, body, &right), String::new()]);
        out.extend(lines.iter().cloned());
        return out.join("\n");
    };
    let mut out = vec![format!("# {}", md(title)), String::new()];
    out.extend(legend.iter().map(|x| format!("- {}", md(x))));
    out.extend([String::new(), md_table(header, body, &right), String::new()]);
    out.extend(lines.iter().map(|x| format!("- {}", md(x))));
    if let Some(explain) = explain {
        out.extend([String::new(), explain.to_string()]);
    }
    out.push(String::new());
    out.join("\n")
}

/// The grouped bar chart: rungs down, a bar per set (its median time), log scale; a rung no set ran is
/// left out. `names`: the legend's, else each set's tag, machine id and SIMD paths.
pub fn chart(sets: &[Summary], names: Option<&[String]>) -> String {
    let names: Vec<String> = names.map_or_else(
        || {
            let label = |(i, s): (usize, &Summary)| {
                let paths = simd_paths(s);
                let paths = if paths.is_empty() { "scalar".into() } else { paths.join(", ") };
                format!("{}: {} ({paths})", tag(i), s.machine_id)
            };
            sets.iter().enumerate().map(label).collect()
        },
        <[String]>::to_vec,
    );
    let series: Vec<(String, &'static str)> =
        names.into_iter().enumerate().map(|(i, n)| (n, PALETTE[i % PALETTE.len()])).collect();
    let groups: Vec<BarGroup> = compare(sets)
        .into_iter()
        .filter(|e| !e.rows.iter().all(|&r| r.is_none() || status(r) == Some("missing")))
        .map(|e| {
            let bars = e.rows.iter().enumerate().map(|(i, &row)| {
                let value = median(row).filter(|_| ok(row));
                Bar {
                    label: String::new(),
                    value,
                    colour: series[i % series.len()].1,
                    text: value.map_or(String::new(), |v| time(Some(v))),
                    missing: if status(row) == Some("failed") { "FAILED" } else { "missing" }.into(),
                    attrs: vec![("data-rung", e.name.clone()), ("data-side", tag(i))],
                }
            });
            let label = if e.isa_differs { format!("{} (ISA differs)", e.name) } else { e.name.clone() };
            BarGroup { label, bars: bars.collect() }
        })
        .collect();
    let ids: Vec<&str> = sets.iter().map(|s| s.machine_id.as_str()).collect();
    let notes = ["median time of one render per rung, log scale: shorter is faster".to_string()];
    grouped_bar_chart(&format!("Mandelbrot ladder: {}", ids.join(" vs ")), &notes, &series, &groups, decade)
}

/// A power of ten of seconds as a tick label: `1 ms`, `10 ms`, `100 ms`, `1 s`.
pub fn decade(seconds: f64) -> String {
    time(Some(seconds)).replace(".00 ", " ").replace(".0 ", " ")
}

/// The machines side by side: console text, or Markdown (`markdown`).
pub fn machines_text(sets: &[Summary], differences: &[String], markdown: bool) -> String {
    let title = markdown.then_some("The Mandelbrot speedup ladder across machines");
    document(&legend(sets), &table(sets), &summary_lines(sets, differences), title, Some(EXPLAIN))
}

// --- two runs of one machine ---------------------------------------------------------------------

/// The verdicts whose reason the table's note gives (the others' is in the rule under it).
const EXPLAINED: [&str; 5] = ["missing", "failed", "not re-measured", "not comparable", "no verdict"];

/// The verdict table; rungs timed in neither run are left out.
pub fn runs_table(entries: &[Verdict]) -> Table {
    let interval = |side: Option<(f64, f64)>| side.map_or(DASH.into(), |(lo, hi)| span(Some(lo), Some(hi)));
    let body = entries
        .iter()
        .filter(|e| e.shown)
        .map(|e| {
            let mut note: Vec<String> = if e.isa.is_empty() { vec![] } else { vec![e.isa.clone()] };
            if EXPLAINED.contains(&e.verdict.as_str()) || e.why.starts_with("intervals apart") {
                note.push(e.why.clone());
            }
            if e.wide == Some(true) {
                note.push(format!("floor {}: its rounds' spread", percent(e.floor.unwrap_or(f64::NAN), 1)));
            }
            if e.rule.as_deref() == Some("interquartile") {
                note.push(format!(
                    "{}+{} rounds: judged by their interquartile ranges, not the rank test",
                    e.rounds[0], e.rounds[1]
                ));
            }
            vec![
                e.name.clone(),
                time_cell(e.a.as_ref()),
                interval(e.interval[0]),
                time_cell(e.b.as_ref()),
                interval(e.interval[1]),
                ratio(e.change.map(|c| c + 1.0)),
                e.change.map_or(DASH.into(), |c| signed_percent(c, 1)),
                e.verdict.clone(),
                note.join("; "),
            ]
        })
        .collect();
    let header: Vec<String> =
        ["rung", "A time", "A interval", "B time", "B interval", "B/A", "change", "verdict", "note"]
            .map(String::from)
            .to_vec();
    let right = header[1..7].to_vec();
    (header, body, right)
}

/// The 1-minute load average after the benches when it exceeds the cores, else None. The benches run at
/// most one thread per core, so more runnable threads than cores means other jobs probably ran: a hint,
/// not proof (the average lags, and a job that took one core during a threaded rung only may leave it
/// under).
pub fn busy(set: &Summary) -> Option<f64> {
    let after = given(&set.machine, "load_average_after_bench").and_then(|v| v.get(0)).and_then(Value::as_f64)?;
    let cores = given(&set.machine, "cores").and_then(Value::as_f64)?;
    (after > cores).then_some(after)
}

/// The sentences under the verdict table: the tally, the geometric mean, the warnings, and the rule.
pub fn runs_summary(runs: &Runs, sets: &[Summary]) -> Vec<String> {
    let (report, alpha) = (&runs.report, py_str(&runs.report.alpha));
    let entries = &report.entries;
    let tally = report.counts.0.iter().map(|(v, n)| format!("{} {v}", py_str(n))).collect::<Vec<_>>().join(", ");
    let mut out =
        vec![if tally.is_empty() { "verdicts: none (no rung timed)".into() } else { format!("verdicts: {tally}") }];
    let both: Vec<Option<f64>> = entries.iter().filter_map(|e| e.change).map(|c| Some(c + 1.0)).collect();
    if let Some(gm) = geomean(&both) {
        out.push(format!(
            "geometric mean of B/A time over the {} rungs timed in both: {} ({})",
            both.len(),
            fixed(gm, 3),
            signed_percent(gm - 1.0, 1)
        ));
    }
    out.extend(drift_note(report, "in both", DRIFT_ADVICE));
    let neither: Vec<&str> = entries.iter().filter(|e| !e.shown).map(|e| e.name.as_str()).collect();
    if !neither.is_empty() {
        out.push(format!("timed in neither run (left out): {}", neither.join(", ")));
    }
    for (i, s) in sets.iter().enumerate().take(2) {
        if let Some(load) = busy(s) {
            out.push(format!(
                "{} ran on a busy machine (load average {} on {} cores after the benches, above the cores): other \
                 jobs probably took CPU time from the timed code, and its verdicts may reflect them as much as the \
                 code. Rerun both on a quiet machine.",
                tag(i),
                fixed(load, 2),
                or_absent(&s.machine, "cores")
            ));
        }
        // a change within one run, which the drift note (between the runs) cannot tell apart
        out.extend(speed::speed_note(&s.rows, &format!("rounds of {}", tag(i))));
    }
    let unchecked: Vec<String> =
        (0..2).filter(|&i| sets.get(i).is_none_or(|s| speed::round_factors(&s.rows).is_none())).map(tag).collect();
    if !unchecked.is_empty() {
        out.push(format!(
            "whether the machine's speed changed during the rounds of {} is not checked: that needs {} rows timed in \
             every one of 4 rounds or more",
            unchecked.join(" and of "),
            speed::MIN_KERNELS
        ));
    }
    out.push(format!(
        "rule: rows measured in rounds (both sides): faster/slower when a Mann-Whitney test of the round times gives \
         p < {alpha} AND the change exceeds {}% or, where wider, either side's spread (the interquartile range of its \
         round times over their median): two separate runs drift apart by as much as that spread, so the wider side's \
         counts (scripts/ab, whose rounds alternate, may use the quieter side's); other rows: when B's interval \
         (Criterion's 95% CI of the median; Python: min-max of the timed calls) does not overlap A's AND the change \
         exceeds {}%, and no verdict for fewer than {} calls a side; otherwise no change (METHODOLOGY.md, 'Comparing \
         two runs')",
        g(runs.rounds_floor * 100.0, 6),
        g(runs.noise_floor * 100.0, 6),
        py_str(&report.min_calls)
    ));
    let few = entries.iter().filter(|e| e.rule.as_deref() == Some("interquartile")).count();
    if few > 0 {
        out.push(format!(
            "{few} of the rows in rounds had too few rounds for the rank test to reach p < {alpha} with one pair of \
             rounds out of order (4 / C(n1+n2, n1) >= {alpha}: 5+5, 4+6 or 3+9 rounds, not 3+12): those are \
             faster/slower when their rounds' interquartile ranges do not overlap AND the change exceeds the rung's \
             floor"
        ));
    }
    out
}

/// Two runs with their verdicts: console text, or Markdown (`markdown`).
pub fn runs_text(runs: &Runs, sets: &[Summary], markdown: bool) -> String {
    let legend: Vec<String> = legend(sets)
        .iter()
        .zip(&runs.names)
        .enumerate()
        .map(|(i, (line, name))| line.replacen(&format!("{} = ", tag(i)), &format!("{} ({name}) = ", tag(i)), 1))
        .collect();
    let title = sets.get(1).map(|b| format!("Two runs of the ladder on {}", b.machine_id)).filter(|_| markdown);
    document(&legend, &runs_table(&runs.report.entries), &runs_summary(runs, sets), title.as_deref(), None)
}

/// `mandel-report compare`: the request (JSON) in, the answer (JSON) out.
pub fn answer(request: &str) -> Result<String, String> {
    let req: Request = crate::parse_request(request, "the comparison's request", SCHEMA, |r: &Request| &r.schema)?;
    if req.sets.is_empty() || (req.runs.is_some() && req.sets.len() != 2) {
        return Err("the comparison's request: give one set or more, two for runs".into());
    }
    let differences = differences::differences(&req.sets, req.same_machine);
    let render = |markdown: bool| match &req.runs {
        Some(runs) => runs_text(runs, &req.sets, markdown),
        None => machines_text(&req.sets, &differences, markdown),
    };
    let names =
        req.runs.as_ref().map(|r| r.names.iter().zip(["A", "B"]).map(|(n, t)| format!("{t}: {n}")).collect::<Vec<_>>());
    let answer = Answer {
        schema: SCHEMA,
        text: render(false),
        differences: differences.clone(),
        markdown: req.markdown.then(|| render(true)),
        svg: req.svg.then(|| chart(&req.sets, names.as_deref())),
    };
    serde_json::to_string(&answer).map_err(|e| format!("the comparison: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn row(name: &str, median: f64, isa: &str) -> Value {
        json!({"name": name, "status": "ok", "median_s": median, "isa": isa, "verified_ok": true})
    }

    fn set(id: &str, rows: Vec<Value>, machine: Value, settings: Value) -> Summary {
        serde_json::from_value(json!({"machine_id": id, "rows": rows, "machine": machine, "settings": settings}))
            .expect("a summary")
    }

    fn machines(rows: [Vec<Value>; 2]) -> Vec<Summary> {
        rows.into_iter().map(|r| set("m", r, json!({}), json!(null))).collect()
    }

    #[test]
    fn geomean_takes_positive_values_only() {
        let close = |got: Option<f64>, want: f64| assert!((got.expect("a mean") - want).abs() < 1e-12, "{got:?}");
        close(geomean(&[Some(2.0), Some(8.0)]), 4.0);
        close(geomean(&[Some(0.5), Some(2.0), Some(1.0)]), 1.0);
        close(geomean(&[Some(10.0); 5]), 10.0);
        close(geomean(&[Some(2.0), Some(8.0), Some(-1.0), Some(0.0), None]), 4.0);
        assert_eq!(geomean(&[]), None);
        assert_eq!(geomean(&[None, Some(0.0)]), None);
        assert_eq!(geomean(&[Some(-1.0)]), None);
    }

    /// The means split by ISA path; an unrecorded path differs from none; a failed rung leaves them.
    #[test]
    fn geomeans_split_the_rungs_by_isa_path() {
        let mut sets = machines([
            vec![row("a", 1.0, "scalar"), row("b", 1.0, "avx512"), row("c", 1.0, "avx2"), row("d", 1.0, "x")],
            vec![row("a", 2.0, "scalar"), row("b", 8.0, "avx2"), row("c", 0.5, ""), row("d", 3.0, "x")],
        ]);
        sets[1].rows[3]["status"] = json!("failed");
        let (tag, m) = geomeans(&sets).pop().expect("B");
        assert_eq!(tag, "B");
        let approx = |(v, n): Mean| (v.map(|v| (v * 1e9).round() / 1e9), n);
        assert_eq!(approx(m.all), (Some(2.0), 3)); // (2 * 8 * 0.5) ** (1/3)
        assert_eq!(approx(m.same_isa), (Some(1.0), 2)); // a and c: c's path unrecorded on B
        assert_eq!(approx(m.isa_differs), (Some(8.0), 1));
        assert_eq!(m.speedup, (None, 0));
        let lines = summary_lines(&sets, &[]);
        assert_eq!(
            lines[0],
            "geometric mean of B/A time over the 3 rungs both timed and verified: 2.00 (same ISA path 1.00 over 2; \
             ISA differs 8.00 over 1)"
        );
        assert!(lines[2].starts_with("ISA differs on 1 rungs (b): their ratio mixes"), "{lines:?}");
        assert_eq!(
            summary_lines(&machines([vec![row("a", 1.0, "")], vec![]]), &[])[0],
            "B/A: no rung timed and verified on both"
        );
    }

    fn with_python(id: &str, python_machine: Value) -> Summary {
        set(id, vec![row("python-pure", 5.0, "")], json!({}), json!({"python_machine": python_machine}))
    }

    #[test]
    fn the_interpreter_is_the_build_else_its_version() {
        let build = "CPython 3.11.7 (GCC 12.2.0; /usr)";
        assert_eq!(
            interpreter(&with_python("m", json!({"python_build": build}))),
            Some((Some(build.into()), Some("Python 3.11.7".into())))
        );
        assert_eq!(
            interpreter(&with_python("m", json!({"python": "3.12.3"}))),
            Some((None, Some("Python 3.12.3".into())))
        );
        assert_eq!(
            interpreter(&with_python("m", json!({"python_build": "weird"}))),
            Some((Some("weird".into()), None))
        );
        // an older set's baselines record no machine: the ladder's, which ran them, stands in
        let older = set("m", vec![row("python-pure", 5.0, "")], json!({"python": "3.10.1"}), json!({}));
        assert_eq!(interpreter(&older), Some((None, Some("Python 3.10.1".into()))));
        // no timed pure Python: no interpreter ran a row
        let untimed = set("m", vec![row("numba", 1.0, "")], json!({}), json!({"python_machine": {"python": "3.10.1"}}));
        assert_eq!(interpreter(&untimed), None);
        for (text, want) in [
            ("CPython 3.11.7 (x)", Some("3.11.7")),
            ("PyPy 7.3.15.2", Some("7.3.15")),
            ("CPython 3.11", None),
            (" CPython 3.11.7", None),
            ("CPython  3.11.7", None),
            ("CPython\t3.11.7", None),
        ] {
            assert_eq!(build_version(text).as_deref(), want, "{text}");
        }
    }

    #[test]
    fn interpreters_that_differ_are_named_with_what_each_recorded() {
        let sets = [
            with_python("a", json!({"python_build": "CPython 3.11.7 (GCC; /opt)"})),
            with_python("b", json!({"python": "3.12.3"})),
            set("c", vec![], json!({}), json!({})), // no pure Python: not named
        ];
        let line = interpreter_sentence(&sets).expect("they differ");
        assert!(
            line.starts_with(
                "The sets' Python rows ran on different interpreters (A CPython 3.11.7 (GCC; /opt), B Python 3.12.3 \
                 (build not recorded)): every speedup"
            ),
            "{line}"
        );
        // one build, one side lacking it, the same version: one interpreter
        let same = [
            with_python("a", json!({"python_build": "CPython 3.11.7 (GCC; /usr)"})),
            with_python("b", json!({"python": "3.11.7"})),
        ];
        assert_eq!(interpreter_sentence(&same), None);
    }

    #[test]
    fn commits_that_differ_or_are_unknown_are_said() {
        let with_commit = |c: Value| set("m", vec![], json!({"git_commit": c}), json!(null));
        let sentence = |commits: [Value; 2]| commit_sentence(&commits.map(with_commit));
        assert_eq!(sentence([json!("abc"), json!("abc")]), None);
        assert!(
            sentence([json!("abc"), json!("def-dirty")])
                .is_some_and(|s| s.starts_with("The sets ran different code (commits A abc, B def-dirty): a ratio"))
        );
        assert!(
            sentence([json!(null), json!("")])
                .is_some_and(|s| s.starts_with("The sets' code is unknown (commits A ?, B ?): they may have run"))
        );
        assert!(
            sentence([json!("abc"), json!(null)]).is_some_and(|s| s.contains("different code (commits A abc, B ?)"))
        );
    }

    #[test]
    fn a_machine_is_busy_when_its_load_after_the_benches_exceeds_its_cores() {
        let with_load = |machine: Value| set("m", vec![], machine, json!(null));
        assert_eq!(busy(&with_load(json!({"cores": 2, "load_average_after_bench": [4.31, 3.2, 1.7]}))), Some(4.31));
        assert_eq!(busy(&with_load(json!({"cores": 2, "load_average_after_bench": [2.0, 3.2, 1.7]}))), None);
        assert_eq!(busy(&with_load(json!({"load_average_after_bench": [9.0]}))), None); // cores unknown
        assert_eq!(busy(&with_load(json!({"cores": 2, "load_average_after_bench": []}))), None);
        let legend =
            legend(&[with_load(json!({"cores": 2, "load_average": [0.1, 0.2], "load_average_after_bench": [4.31]}))]);
        let tail = "2 cores, SIMD path none, thread pool ?, ?, commit ?, load average 0.10 at start, 4.31 after the \
                    benches";
        assert!(legend[0].ends_with(tail), "{legend:?}");
    }

    #[test]
    fn the_check_column_says_fail_once() {
        // a failure without a pixel count (the output could not be compared)
        let failed = json!({"status": "failed", "verified_ok": false, "differing": null});
        assert_eq!(check(Some(&failed)), "FAIL");
        assert_eq!(check(Some(&json!({"verified_ok": false, "differing": 20000, "allowed": 923}))), "FAIL 20,000/923");
        assert_eq!(check(Some(&json!({"verified_ok": true, "differing": 5, "allowed": 9}))), "ok");
        assert_eq!(check(Some(&json!({"name": "x"}))), DASH);
        assert_eq!(check(None), DASH);
    }

    #[test]
    fn decades_of_seconds_drop_their_zeros() {
        let ticks: Vec<String> = (-6..2).map(|k| decade(crate::pymath::pow(10.0, f64::from(k)))).collect();
        assert_eq!(ticks, ["1 µs", "10 µs", "100 µs", "1 ms", "10 ms", "100 ms", "1 s", "10 s"]);
    }

    #[test]
    fn the_chart_has_a_bar_per_timed_row_and_leaves_out_a_rung_no_set_ran() {
        let mut sets = machines([vec![row("a", 0.1, "avx2"), row("b", 0.2, "")], vec![row("a", 0.2, "avx512")]]);
        sets[0].rows.push(json!({"name": "c", "status": "missing", "median_s": null}));
        sets[1].rows.push(json!({"name": "d", "status": "failed", "median_s": null}));
        let svg = chart(&sets, None);
        assert_eq!(svg.matches(r#"class="bar""#).count(), 3);
        assert!(svg.contains(r#"data-rung="a" data-side="B""#) && svg.contains(">a (ISA differs)</text>"), "{svg}");
        assert!(svg.contains(">A: m (avx2)</text>") && svg.contains(">B: m (avx512)</text>"), "{svg}");
        assert!(svg.contains(">FAILED</text>") && !svg.contains(">c</text>"), "{svg}");
    }

    fn verdict(name: &str, verdict: &str, change: Option<f64>, rule: Option<&str>) -> Value {
        let b = change.map(|c| row(name, 1.0 + c, ""));
        json!({"name": name, "a": row(name, 1.0, ""), "b": b, "verdict": verdict, "change": change, "why": "w",
               "isa": "", "shown": change.is_some(), "interval": [[1.0, 1.1], null], "spread": [0.1, null],
               "rounds": [5, 5], "p": 0.5, "floor": 0.05, "wide": false, "rule": rule})
    }

    #[test]
    fn the_runs_summary_tallies_warns_and_states_its_rule() {
        // the counts in the report's order, which a `json!` object would sort
        let entries =
            json!([verdict("a", "slower", Some(0.5), Some("interquartile")), verdict("b", "no change", None, None)]);
        let runs: Runs = serde_json::from_str(&format!(
            r#"{{"names": ["x", "y"], "noise_floor": 0.1, "rounds_floor": 0.05,
                "report": {{"entries": {entries}, "counts": {{"slower": 1, "no change": 1}}, "alpha": 0.01, "drift": 0.2, "changes": 9,
                            "min_calls": 3}}}}"#
        ))
        .expect("runs");
        // B's rounds alternate between two speeds, 30% apart, in six kernels
        let times = [1.0, 1.3].repeat(4);
        let alternating = |k: usize| json!({"name": format!("k{k}"), "status": "ok", "round_times_s": times});
        let b_rows = [vec![row("a", 1.5, "")], (0..6).map(alternating).collect()].concat();
        let sets = [
            set("m", vec![row("a", 1.0, "")], json!({"cores": 2, "load_average_after_bench": [2.5]}), json!(null)),
            set("m", b_rows, json!({"cores": 2}), json!(null)),
        ];
        let lines = runs_summary(&runs, &sets);
        assert_eq!(lines[0], "verdicts: 1 slower, 1 no change");
        assert_eq!(lines[1], "geometric mean of B/A time over the 1 rungs timed in both: 1.500 (+50.0%)");
        assert!(lines[2].starts_with(
            "every rung moved the same way: slower in at least 90% of the 9 timed in both, median +20.0%. A code change"
        ));
        assert_eq!(lines[3], "timed in neither run (left out): b");
        assert!(lines[4].starts_with("A ran on a busy machine (load average 2.50 on 2 cores after"), "{lines:?}");
        assert!(
            lines[5].starts_with(
                "WARNING: the machine's speed changed during the rounds of B: the middle half of \
             the rounds spans 30%, in 6 of 6 kernels"
            ),
            "{lines:?}"
        );
        assert!(lines[6].starts_with(
            "whether the machine's speed changed during the rounds of A is not checked: that needs 6 rows"
        ));
        assert!(
            lines[7].contains("p < 0.01 AND the change exceeds 5% or")
                && lines[7].contains("exceeds 10%, and no verdict for fewer than 3 calls")
        );
        assert!(lines[8].starts_with("1 of the rows in rounds had too few rounds"), "{lines:?}");
        let (_, body, _) = runs_table(&runs.report.entries);
        assert_eq!(
            body,
            [[
                "a",
                "1.00 s",
                "1.00–1.10 s",
                "1.50 s",
                DASH,
                "1.50",
                "+50.0%",
                "slower",
                "5+5 rounds: judged by their interquartile ranges, not the rank test"
            ]]
        );
        assert!(runs_text(&runs, &sets, true).starts_with("# Two runs of the ladder on m\n\n- A (x) = m: ?"));
    }
}
