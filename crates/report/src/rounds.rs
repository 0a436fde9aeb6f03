//! The Rust rungs measured in rounds (`mandel bench`, one process per round; why: crates/registry/src/rounds.rs
//! and METHODOLOGY.md), read once [`crate::check`] has checked them to be rounds of one run: per kernel,
//! verified only if every round passed (else the first failing round's verification kept); a round's time
//! its fastest render ([`ROUND_TIME`]), the row's time the median of the round times, their interquartile
//! range the spread; a round contended when others used more than [`CONTENDED`] of the CPUs while the
//! kernel was timed. For the merge (raw/rounds.json: [`read`]) and for scripts/ab, whose two sides' rounds
//! become rows its verdicts judge, with how the sides differ in more than their code ([`sides`]).
//!
//! The values are Python's, as `json.loads` made them ([`Py`]): a time stays the int or float the file
//! holds, a median of two ints is their exact mean, every dict keeps the order the scripts built it in
//! (summary.json is written from them).

use crate::pyjson::{self, Int, Py, PyStr};
use crate::pymath;
use std::cmp::Ordering;

/// Fewest rounds a median of rounds is taken over: a row's time from rounds, a Python rung's calls cut into
/// rounds, the rank test of a verdict.
pub const MIN_ROUNDS: usize = 3;
/// Most rounds `--rounds` takes (scripts/ladder, scripts/ab): `mandel bench` is one round per process and refuses
/// no count, so the range is said here once for both.
pub const MAX_ROUNDS: usize = 99;

/// Share of the machine's CPU time used by others (processes, steal) above which a kernel's round counts
/// as contended: one busy neighbour on a 2-core VM is 0.5; the ladder's own bookkeeping stays far below.
pub const CONTENDED: f64 = 0.10;

/// What a round's time is, as the summary's settings record it (`finish` words it; older sets: the
/// round's median render, [`crate::summary`]). The fastest: interference only ever slows a render, and a
/// neighbour that takes the CPU for a few hundred renders made the medians of two runs of one build
/// disagree (see METHODOLOGY.md, "A round's time").
pub const ROUND_TIME: &str = "fastest render";

fn text(s: &str) -> Py {
    Py::Str(s.into())
}

fn int(n: usize) -> Py {
    Py::Int(Int::from_u128(n as u128))
}

/// A dict of `entries`, in order (each key once).
fn dict<'a>(entries: impl IntoIterator<Item = (&'a str, Py)>) -> Py {
    Py::Dict(entries.into_iter().map(|(k, v)| (k.into(), v)).collect())
}

/// A bench record's verification as the merge takes it (a kernel not run: `skipped`); `source`, the file it
/// came from, names it in the merge's messages (none where empty). The verification's own keys come last,
/// each in place of a key of the same name before it (`{**head, **verification}`).
pub fn verify_row(r: &Py, source: &PyStr) -> Py {
    let mut row =
        dict([("kernel", "name"), ("isa", "isa"), ("precision", "precision")].map(|(k, f)| (k, r.get(f).clone())));
    if !source.text.is_empty() {
        row.set("source".into(), Py::Str(source.clone()));
    }
    let v = r.get("verification");
    if v.is_none() {
        let why = r.get("unavailable");
        row.set("skipped".into(), if why.truthy() { why.clone() } else { text("unavailable") });
        for key in ["pixels", "differing", "allowed", "ok"] {
            row.set(key.into(), Py::None);
        }
        return row;
    }
    row.set("threads".into(), r.get("threads").clone());
    for (key, value) in v.entries() {
        row.set(key.clone(), value.clone());
    }
    row
}

/// A kernel's results over its rounds (`ks`: its record in each round; `chosen`: the first failing one,
/// else the first), as the merge takes them; None where it was not run, failed a round or was timed in none.
fn result(name: &PyStr, ks: &[&Py], chosen: &Py) -> Option<Py> {
    let first = ks[0];
    let timed: Vec<&Py> = ks.iter().copied().filter(|k| k.get("times_s").truthy()).collect();
    if first.get("verification").is_none() || failed(chosen) || timed.is_empty() {
        return None;
    }
    // each round's time: its fastest render (ROUND_TIME)
    let times: Vec<Py> =
        timed.iter().filter_map(|k| pyjson::pick(k.get("times_s").items(), Ordering::Less).cloned()).collect();
    let all: Vec<Py> = timed.iter().flat_map(|k| k.get("times_s").items()).cloned().collect();
    let (q1, q3) = pyjson::quartiles(&times);
    let acts: Vec<&Py> = timed.iter().map(|k| k.get("activity")).filter(|a| !a.is_none()).collect();
    let median_of = |key: &str| {
        let values: Vec<Py> = acts.iter().map(|a| a.get(key).clone()).collect();
        pyjson::median(&values).unwrap_or(Py::None)
    };
    let busy = acts.iter().filter(|a| pyjson::add(a.get("others"), a.get("steal")).gt(&Py::Float(CONTENDED)));
    let n = timed.len();
    // the mean by fsum, correctly rounded: the same under every CPython (3.12 changed sum())
    let mean = pymath::fsum(times.iter().map(|t| t.float().unwrap_or(f64::NAN))) / times.len() as f64;
    let or_none = |v: Py| if acts.is_empty() { Py::None } else { v };
    Some(dict([
        ("kernel", Py::Str(name.clone())),
        ("isa", first.get("isa").clone()),
        ("median_s", pyjson::median(&times).unwrap_or(Py::None)),
        ("ci_low_s", q1),
        ("ci_high_s", q3),
        ("mean_s", Py::Float(mean)),
        ("min_s", pyjson::pick(&all, Ordering::Less).cloned().unwrap_or(Py::None)),
        ("max_s", pyjson::pick(&all, Ordering::Greater).cloned().unwrap_or(Py::None)),
        ("samples", int(n)),
        ("renders", int(all.len())),
        // a round's verification may count no iterations
        ("iterations", chosen.get("verification").get("iterations").clone()),
        ("spread_kind", text(&format!("interquartile range of {n} rounds' fastest renders"))),
        ("round_times_s", Py::List(times)),
        ("contended_rounds", or_none(int(busy.count()))),
        ("others_median", or_none(median_of("others"))),
        ("steal_median", or_none(median_of("steal"))),
    ]))
}

/// Whether a kernel's record failed its verification (one not run did not).
fn failed(k: &Py) -> bool {
    let v = k.get("verification");
    v.truthy() && !v.get("ok").truthy()
}

/// Each kernel's records over the rounds, in round 0's order (every round has its kernels: `check_rounds`).
fn by_kernel(rounds: &[Py]) -> Vec<Vec<&Py>> {
    let n = rounds.iter().map(|r| r.get("kernels").items().len()).min().unwrap_or(0);
    (0..n).map(|j| rounds.iter().map(|r| &r.get("kernels").items()[j]).collect()).collect()
}

/// A string of the rounds (a kernel's name, a dict's key; a tuning's words) as a [`PyStr`]: `check_rounds`
/// held each to a string.
fn string(v: &Py) -> PyStr {
    match v {
        Py::Str(s) => s.clone(),
        other => other.str().as_str().into(),
    }
}

/// Python's `sorted(set(items))` of strings (or tuples of them: `key` gives each's code points): each once,
/// in Python's order.
fn sorted_set<T>(items: impl IntoIterator<Item = T>, key: impl Fn(&T) -> Vec<Vec<u32>>) -> Vec<T> {
    let mut out: Vec<T> = items.into_iter().collect();
    out.sort_by_key(|t| key(t));
    out.dedup_by(|a, b| key(a) == key(b));
    out
}

/// raw/rounds.json, checked (`check_rounds`), as the merge takes it: [the first round's records (its
/// kernels, the tunings of every round, the pool, the number of rounds), the verification rows by kernel,
/// the results by kernel].
pub fn read(data: &Py, path: &PyStr) -> Py {
    let rounds = data.get("rounds").items();
    let (mut verify, mut results) = (Py::Dict(Vec::new()), Py::Dict(Vec::new()));
    for ks in by_kernel(rounds) {
        let name = string(ks[0].get("name"));
        let chosen = ks.iter().copied().find(|k| failed(k)).unwrap_or(ks[0]);
        verify.set(name.clone(), verify_row(chosen, path));
        if let Some(r) = result(&name, &ks, chosen) {
            results.set(name, r);
        }
    }
    let pairs = rounds.iter().flat_map(|r| r.get("tunings").items()).cloned();
    let tunings = sorted_set(pairs, |t| t.items().iter().map(|s| string(s).code_points()).collect());
    let first = rounds.first().unwrap_or(&pyjson::NONE);
    let records = dict([
        ("schema", data.get("schema").clone()),
        ("records", first.get("kernels").clone()),
        ("tunings", Py::List(tunings)),
        ("pool_threads", first.get("pool_threads").clone()),
        ("rounds", int(rounds.len())),
    ]);
    Py::List(vec![records, verify, results])
}

/// Summary-like rows (name, status, isa, median_s, spread, round times, contended rounds) of one side's
/// rounds, read as [`read`] reads them; `side` names it (the rows' machine_id, the messages' file).
fn side_rows(doc: &Py, side: &str) -> Py {
    let read = read(doc, &side.into());
    let [_, verify, results] = read.items() else { unreachable!("read's three parts") };
    let rows = verify.entries().iter().map(|(name, v)| {
        let res = results.lookup(name);
        let status = if matches!(v.get("ok"), Py::Bool(false)) {
            "failed"
        } else if res.truthy() {
            "ok"
        } else {
            "missing"
        };
        let mut row = dict([("name", Py::Str(name.clone())), ("status", text(status)), ("isa", v.get("isa").clone())]);
        row.set("median_s".into(), Py::None);
        if res.truthy() {
            for (key, from) in [
                ("median_s", "median_s"),
                ("spread_low_s", "ci_low_s"),
                ("spread_high_s", "ci_high_s"),
                ("round_times_s", "round_times_s"),
                ("contended_rounds", "contended_rounds"),
            ] {
                row.set(key.into(), res.get(from).clone());
            }
        }
        row
    });
    dict([("machine_id", text(side)), ("rows", Py::List(rows.collect()))])
}

/// `a == b` of two values `json.loads` made, as Python compares them: every NaN it reads is one object
/// (the json module's), and a list or a dict holding it equals one holding it too, as Python compares
/// their items by identity first.
fn alike(a: &Py, b: &Py) -> bool {
    match (a, b) {
        (Py::Float(x), Py::Float(y)) if x.is_nan() && y.is_nan() => true,
        (Py::List(a), Py::List(b)) => a.len() == b.len() && a.iter().zip(b).all(|(x, y)| alike(x, y)),
        (Py::Dict(a), Py::Dict(b)) => {
            a.len() == b.len() && a.iter().all(|(k, v)| b.iter().any(|(k2, w)| k == k2 && alike(v, w)))
        }
        _ => a.py_eq(b),
    }
}

/// How scripts/ab's sides' rounds (checked) differ in what they ran, not in their times: one line each (pool
/// threads, ISA paths, tunings), the values of each side named; refused where their round settings differ
/// (each round's time would be of other renders: no A/B means that).
fn differences(a: &Py, b: &Py) -> Result<Vec<String>, String> {
    let first = [a, b].map(|doc| doc.get("rounds").items().first().unwrap_or(&pyjson::NONE));
    let [sa, sb] = first.map(|r| r.get("settings"));
    if !alike(sa, sb) {
        return Err(format!(
            "A and B did not time the same work: their rounds' settings are {} in A, {} in B",
            sa.repr(),
            sb.repr()
        ));
    }
    let mut lines = Vec::new();
    let [pa, pb] = first.map(|r| r.get("pool_threads"));
    if !alike(pa, pb) {
        lines.push(format!(
            "pool threads: A {}, B {} (the threaded rungs' change is of the pool too)",
            pa.str(),
            pb.str()
        ));
    }
    let [isa_a, isa_b] = first.map(|r| {
        let mut isa = Py::Dict(Vec::new());
        for k in r.get("kernels").items() {
            isa.set(string(k.get("name")), k.get("isa").clone());
        }
        isa
    });
    // (A's path, B's) and the rungs that took them, in A's order
    let mut paths: Vec<((&Py, &Py), Vec<String>)> = Vec::new();
    for (name, pa) in isa_a.entries() {
        let pb = isa_b.lookup(name);
        if pb.is_none() || alike(pa, pb) {
            continue;
        }
        match paths.iter_mut().find(|((x, y), _)| alike(x, pa) && alike(y, pb)) {
            Some((_, names)) => names.push(name.text.clone()),
            None => paths.push(((pa, pb), vec![name.text.clone()])),
        }
    }
    lines.extend(
        paths.iter().map(|((pa, pb), names)| format!("ISA path: A {}, B {}: {}", pa.str(), pb.str(), names.join(", "))),
    );
    let [ta, tb] = [a, b].map(|doc| {
        let each = doc.get("rounds").items().iter().flat_map(|r| r.get("tunings").items());
        let named: Vec<PyStr> =
            each.map(|t| format!("{} {}", t.items()[0].str(), t.items()[1].str()).as_str().into()).collect();
        sorted_set(named, |s| vec![s.code_points()]).into_iter().map(|s| s.text).collect::<Vec<_>>()
    });
    if ta != tb {
        let listed = |t: &[String]| if t.is_empty() { "none".to_string() } else { t.join(", ") };
        lines.push(format!("tunings: A {}; B {}", listed(&ta), listed(&tb)));
    }
    Ok(lines)
}

/// scripts/ab's sides, `a` and `b` (each its rounds, checked as raw/rounds.json is: `check_rounds`): [A's
/// rows, B's rows, how the sides differ (lines)], or the refusal of round settings that differ.
pub fn sides(a: &Py, b: &Py) -> Result<Py, String> {
    let rows = [side_rows(a, "A"), side_rows(b, "B")];
    let unlike = differences(a, b)?;
    let [ra, rb] = rows;
    Ok(Py::List(vec![ra, rb, Py::List(unlike.iter().map(String::as_str).map(text).collect())]))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn py(text: &str) -> Py {
        serde_json::from_str(text).expect("JSON")
    }

    /// A kernel's record in one round: `times` its renders, `activity` (others, steal) or null.
    fn kernel(name: &str, times: &str, activity: &str, verification: &str) -> String {
        format!(
            r#"{{"name": "{name}", "rung": null, "precision": "f64", "threads": 1, "pool": false, "isa": "fma",
                "verification": {verification}, "times_s": {times}, "activity": {activity}}}"#
        )
    }

    const PASSED: &str = r#"{"pixels": 921600, "differing": 0, "allowed": 0, "ok": true, "iterations": 7}"#;

    fn activity(others: &str, steal: &str) -> String {
        format!(r#"{{"others": {others}, "steal": {steal}}}"#)
    }

    /// Rounds of `kernels` (each round's records, one list per round).
    fn rounds(kernels: &[Vec<String>], tunings: &[&str]) -> Py {
        let rounds: Vec<String> = kernels
            .iter()
            .enumerate()
            .map(|(i, ks)| {
                format!(
                    r#"{{"round": {i}, "pool_threads": 2, "tunings": {}, "kernels": [{}]}}"#,
                    tunings.get(i).unwrap_or(&"[]"),
                    ks.join(", ")
                )
            })
            .collect();
        py(&format!(r#"{{"schema": "mandel-rounds/1", "rounds": [{}]}}"#, rounds.join(", ")))
    }

    fn part(read: &Py, i: usize, name: &str) -> Py {
        read.items()[i].get(name).clone()
    }

    /// The values the scripts' `read_rounds` gave before it moved here, as CPython computed them
    /// (statistics.median, math.fsum, the first of equals).
    #[test]
    fn a_row_is_the_median_of_its_rounds_fastest_renders_with_their_quartiles() {
        let quiet = activity("0.05", "0.05"); // 0.1: not above CONTENDED
        let data = rounds(
            &[
                vec![kernel("k", "[0.3, 0.1, 0.2]", &quiet, PASSED)],
                vec![kernel("k", "[0.5, 0.5, 0.5]", &activity("0.07", "0.04"), PASSED)],
                vec![kernel("k", "[0.11, 0.1]", &activity("1", "0"), PASSED)],
                vec![kernel("k", "[0.12]", "null", PASSED)],
                vec![kernel("k", "[0.3, 0.4]", &activity("0", "0.0"), PASSED)],
            ],
            &[],
        );
        let r = part(&read(&data, &"rounds.json".into()), 2, "k");
        let keys: Vec<&str> = r.entries().iter().map(|(k, _)| k.text.as_str()).collect();
        assert_eq!(
            keys.join(" "),
            "kernel isa median_s ci_low_s ci_high_s mean_s min_s max_s samples renders iterations spread_kind \
             round_times_s contended_rounds others_median steal_median"
        );
        assert_eq!(r.get("round_times_s").repr(), "[0.1, 0.5, 0.1, 0.12, 0.3]");
        assert_eq!(r.get("median_s").repr(), "0.12");
        assert_eq!((r.get("ci_low_s").repr(), r.get("ci_high_s").repr()), ("0.1".into(), "0.4".into()));
        assert_eq!(r.get("mean_s").repr(), "0.22400000000000003"); // fsum: sum() says 0.22399999999999998
        assert_eq!((r.get("min_s").repr(), r.get("max_s").repr()), ("0.1".into(), "0.5".into()));
        assert_eq!((r.get("samples").repr(), r.get("renders").repr()), ("5".into(), "11".into()));
        assert_eq!(r.get("spread_kind").str(), "interquartile range of 5 rounds' fastest renders");
        // 0.07 + 0.04 is above 0.10, 0.05 + 0.05 is not; a round without activity is not counted
        assert_eq!(r.get("contended_rounds").repr(), "2");
        assert_eq!(
            (r.get("others_median").repr(), r.get("steal_median").repr()),
            ("0.060000000000000005".into(), "0.02".into())
        );
        assert_eq!(r.get("iterations").repr(), "7");
    }

    #[test]
    fn ints_stay_ints_and_a_median_of_two_is_their_mean() {
        let data = rounds(
            &[
                vec![kernel("k", "[2, 1]", "null", r#"{"pixels": 1, "differing": 0, "allowed": 0, "ok": true}"#)],
                vec![kernel("k", "[2]", "null", PASSED)],
            ],
            &[],
        );
        let r = part(&read(&data, &"p".into()), 2, "k");
        assert_eq!(r.get("round_times_s").repr(), "[1, 2]");
        assert_eq!((r.get("median_s").repr(), r.get("min_s").repr()), ("1.5".into(), "1".into()));
        assert_eq!((r.get("ci_low_s").repr(), r.get("ci_high_s").repr()), ("1".into(), "2".into()));
        assert_eq!(r.get("mean_s").repr(), "1.5");
        // no activity in any round, no iterations in the first round's verification
        for key in ["contended_rounds", "others_median", "steal_median", "iterations"] {
            assert!(r.get(key).is_none(), "{key}");
        }
    }

    #[test]
    fn a_failing_round_is_the_verification_kept_and_no_result() {
        let failed = r#"{"pixels": 921600, "differing": 9, "allowed": 0, "ok": false, "kernel": "other"}"#;
        let data = rounds(&[vec![kernel("k", "[0.1]", "null", PASSED)], vec![kernel("k", "[]", "null", failed)]], &[]);
        let read = read(&data, &"rounds.json".into());
        // the verification's own keys replace those of the row before them, in place
        assert_eq!(
            part(&read, 1, "k").repr(),
            "{'kernel': 'other', 'isa': 'fma', 'precision': 'f64', 'source': 'rounds.json', 'threads': 1, \
             'pixels': 921600, 'differing': 9, 'allowed': 0, 'ok': False}"
        );
        assert!(read.items()[2].entries().is_empty());
    }

    #[test]
    fn a_kernel_not_run_is_skipped_and_unnamed_sources_are_left_out() {
        let off = r#"{"name": "k", "precision": "f32", "threads": 1, "isa": "avx512", "verification": null,
                      "times_s": [], "activity": null, "unavailable": "needs avx512"}"#;
        let row = verify_row(&py(off), &"".into());
        assert_eq!(
            row.repr(),
            "{'kernel': 'k', 'isa': 'avx512', 'precision': 'f32', 'skipped': 'needs avx512', 'pixels': None, \
             'differing': None, 'allowed': None, 'ok': None}"
        );
        let data = rounds(&[vec![off.to_string()]], &[]);
        assert!(read(&data, &"p".into()).items()[2].entries().is_empty());
    }

    #[test]
    fn the_records_are_the_first_rounds_with_every_rounds_tunings_once_in_pythons_order() {
        let k = || kernel("k", "[0.1]", "null", PASSED);
        // a lone surrogate (U+DC80, as the scripts spell it) sorts before U+E000, as Python orders them
        let surrogate = "\u{10FFFF}00dc80";
        let tunings = [
            r#"[["\ue000", "v1k1 (forced)"], ["simd-f32", "v4k8 (forced)"]]"#.to_string(),
            format!(r#"[["simd-f32", "v4k8 (forced)"], ["{surrogate}", "v2k2 (forced)"], ["simd-f32", "v2k4 (a)"]]"#),
        ];
        let data = rounds(&[vec![k()], vec![k()]], &[&tunings[0], &tunings[1]]);
        let read = read(&data, &"p".into());
        let records = &read.items()[0];
        let said: Vec<String> = records
            .get("tunings")
            .items()
            .iter()
            .map(|t| format!("{} {}", t.items()[0].str(), t.items()[1].str()))
            .collect();
        assert_eq!(
            said,
            [
                "simd-f32 v2k4 (a)",
                "simd-f32 v4k8 (forced)",
                &format!("{surrogate} v2k2 (forced)"),
                "\u{e000} v1k1 (forced)"
            ]
        );
        assert_eq!(records.get("rounds").repr(), "2");
        assert_eq!(records.get("records").items().len(), 1);
    }

    fn side(pool: u32, isa: &str, settings: &str, tunings: &str) -> Py {
        let k = |name: &str| {
            format!(
                r#"{{"name": "{name}", "precision": "f64", "threads": 1, "isa": "{isa}", "verification": {PASSED},
                    "times_s": [0.1], "activity": null}}"#
            )
        };
        py(&format!(
            r#"{{"rounds": [{{"settings": {settings}, "pool_threads": {pool}, "tunings": {tunings},
                             "kernels": [{}, {}]}}]}}"#,
            k("a"),
            k("b")
        ))
    }

    /// What scripts/ab's `side_rows` and `differences` gave before they moved here, as CPython gave them.
    #[test]
    fn the_sides_rows_and_how_they_differ() {
        let settings = r#"{"rounds": 1, "kernel_s": 0.25, "min_renders": 3}"#;
        let a = side(2, "fma", settings, r#"[["simd-f32", "v4k8 (forced)"]]"#);
        let b = side(1, "sse2", settings, "[]");
        let found = sides(&a, &b).expect("the same work");
        assert_eq!(
            found.items()[0].repr(),
            "{'machine_id': 'A', 'rows': [{'name': 'a', 'status': 'ok', 'isa': 'fma', 'median_s': 0.1, \
             'spread_low_s': 0.1, 'spread_high_s': 0.1, 'round_times_s': [0.1], 'contended_rounds': None}, \
             {'name': 'b', 'status': 'ok', 'isa': 'fma', 'median_s': 0.1, 'spread_low_s': 0.1, 'spread_high_s': 0.1, \
             'round_times_s': [0.1], 'contended_rounds': None}]}"
        );
        assert_eq!(
            found.items()[2].repr(),
            "[\"pool threads: A 2, B 1 (the threaded rungs' change is of the pool too)\", 'ISA path: A fma, B sse2: a, \
             b', 'tunings: A simd-f32 v4k8 (forced); B none']"
        );
        assert!(sides(&a, &a).expect("alike").items()[2].items().is_empty());
        let other = side(2, "fma", r#"{"rounds": 1, "kernel_s": 0.25, "min_renders": 9}"#, "[]");
        assert_eq!(
            sides(&a, &other).expect_err("refused"),
            "A and B did not time the same work: their rounds' settings are {'rounds': 1, 'kernel_s': 0.25, \
             'min_renders': 3} in A, {'rounds': 1, 'kernel_s': 0.25, 'min_renders': 9} in B"
        );
        // json.loads's NaN is one object: settings holding it are equal to settings holding it
        let nan = r#"{"rounds": 1, "kernel_s": 0.25, "min_renders": 3, "x": {"$py": "nan"}}"#;
        assert!(sides(&side(2, "fma", nan, "[]"), &side(2, "fma", nan, "[]")).is_ok());
    }

    #[test]
    fn a_failed_side_is_failed_and_an_untimed_one_missing() {
        let settings = r#"{"rounds": 1}"#;
        let mut a = side(2, "fma", settings, "[]");
        if let Py::Dict(doc) = &mut a
            && let Py::List(rounds) = &mut doc[0].1
            && let Py::Dict(round) = &mut rounds[0]
            && let Py::List(kernels) = &mut round[3].1
        {
            kernels[0].set("verification".into(), py(r#"{"pixels": 1, "differing": 2, "allowed": 0, "ok": false}"#));
            kernels[0].set("times_s".into(), py("[]"));
            kernels[1].set("times_s".into(), py("[]"));
        }
        let rows = sides(&a, &a).expect("alike");
        let rows = rows.items()[0].get("rows").items();
        assert_eq!(rows[0].repr(), "{'name': 'a', 'status': 'failed', 'isa': 'fma', 'median_s': None}");
        assert_eq!(rows[1].repr(), "{'name': 'b', 'status': 'missing', 'isa': 'fma', 'median_s': None}");
    }
}
