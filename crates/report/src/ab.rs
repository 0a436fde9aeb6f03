//! scripts/ab's report (`mandel-report ab-rounds` prints it: [`crate::ab_cli`]): the verdicts on two builds or environments timed in
//! rounds on one machine, as a table of each side's time and spread, the change, the rank test's p
//! and the verdict, then the tally, the warnings and the rule. The drift note and each side's speed note
//! ([`crate::speed`]) are made here.

use crate::compare::{Runs, Verdict, drift_note};
use crate::figures::{DASH, time};
use crate::pyfmt::{g, percent, signed_percent};
use crate::pymath::min_by_key;
use crate::pyvalue::{py_str, truthy};
use crate::speed;
use crate::table::text_table;
use serde::Deserialize;
use serde_json::Value;

/// What the report is of.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Request {
    /// The two sides, named, their verdicts and the scripts' notes on them; `rounds_floor` is --noise-floor.
    pub runs: Runs,
    /// How the sides differ in more than their code (said before the table).
    #[serde(default)]
    pub unlike: Vec<String>,
    /// An A/A run (--aa): both sides one build, every verdict other than `no change` a false one.
    #[serde(default)]
    pub aa: bool,
    /// A's rounds all ran before B's (--sequential, --aa), rather than alternating.
    #[serde(default)]
    pub sequential: bool,
}

/// A side's cells: its time and the spread of its rounds, or why it has none.
fn cells(e: &Verdict, side: usize) -> [String; 2] {
    let row = [&e.a, &e.b][side].as_ref().filter(|r| !r.is_null());
    if e.interval[side].is_none() {
        let status = row.and_then(|r| r.get("status")).filter(|s| crate::pyvalue::truthy(s));
        return [status.map_or("missing".into(), py_str), DASH.into()];
    }
    let median = row.and_then(|r| r.get("median_s")).and_then(Value::as_f64);
    // the spread the floor uses
    [time(median), percent(e.spread[side].unwrap_or(f64::NAN), 1)]
}

/// The verdict table; rungs timed on neither side are left out.
fn table(entries: &[Verdict], names: &[String; 2]) -> String {
    let header: Vec<String> = [
        "rung",
        &format!("A ({})", names[0]),
        "A spread",
        &format!("B ({})", names[1]),
        "B spread",
        "change",
        "p",
        "verdict",
    ]
    .map(String::from)
    .to_vec();
    let body: Vec<Vec<String>> = entries
        .iter()
        .filter(|e| e.shown)
        .map(|e| {
            let mut line = vec![e.name.clone()];
            line.extend(cells(e, 0));
            line.extend(cells(e, 1));
            let floor = e.floor.unwrap_or(f64::NAN);
            let wide = if e.wide == Some(true) { format!(" (floor {})", percent(floor, 1)) } else { String::new() };
            line.extend([
                e.change.map_or(DASH.into(), |c| signed_percent(c, 1)),
                e.p.map_or(DASH.into(), |p| g(p, 2)),
                format!("{}{wide}", e.verdict),
            ]);
            line
        })
        .collect();
    text_table(&header, &body, &["A spread", "B spread", "change", "p"])
}

/// The report: how the sides differ, the table, the tally, the warnings, and the rule.
pub fn text(req: &Request) -> String {
    let runs = &req.runs;
    let (report, names) = (&runs.report, &runs.names);
    let (entries, alpha) = (&report.entries, py_str(&report.alpha));
    let mut out = Vec::new();
    if !req.unlike.is_empty() {
        out.push("note: A and B differ in more than their code: each verdict below is of these differences too".into());
        out.extend(req.unlike.iter().map(|line| format!("  {line}")));
        out.push(String::new());
    }
    out.push(table(entries, names));
    let tally = report.counts.0.iter().map(|(v, n)| format!("{} {v}", py_str(n))).collect::<Vec<_>>().join(", ");
    out.extend([String::new(), format!("verdicts: {}", if tally.is_empty() { "none" } else { &tally })]);
    let neither: Vec<&str> = entries.iter().filter(|e| !e.shown).map(|e| e.name.as_str()).collect();
    if !neither.is_empty() {
        out.push(format!("timed on neither side (left out): {}", neither.join(", ")));
    }
    let advice = if req.aa {
        "The code did not change: the machine changed speed between the passes, and each verdict near that change is \
         its doing, a false one."
    } else if req.sequential {
        "A's rounds all ran before B's: the machine may have changed speed between them, and verdicts near that \
         change may be its doing. Without --sequential the rounds alternate, and such a change hits both sides alike."
    } else {
        "The rounds alternated, so a change of the machine's speed hit both sides alike: a shift of every rung is more \
         likely a difference of the sides that every kernel feels (the build, its profile, the environment) than \
         drift."
    };
    out.extend(drift_note(report, "on both sides", advice).map(|note| format!("note: {note}")));
    // a side whose rounds ran at another speed in part
    let sides = [0, 1].map(|i| entries.iter().filter_map(move |e| [&e.a, &e.b][i].as_ref().filter(|r| truthy(r))));
    let notes = [0, 1].map(|i| speed::speed_note(sides[i].clone(), &format!("rounds of {}", names[i])));
    out.extend(notes.into_iter().flatten());
    let unchecked: Vec<&str> =
        (0..2).filter(|&i| speed::round_factors(sides[i].clone()).is_none()).map(|i| names[i].as_str()).collect();
    if !unchecked.is_empty() {
        out.push(format!(
            "note: whether the machine's speed changed during the rounds of {} is not checked: that needs {} kernels \
             timed in every round, and 4 rounds",
            unchecked.join(" and of "),
            speed::MIN_KERNELS
        ));
    }
    if req.aa {
        let counted: Vec<&Verdict> = entries.iter().filter(|e| e.shown).collect();
        let off = counted.iter().filter(|e| e.verdict != "no change").count();
        let timed = entries.iter().filter_map(|e| e.change.map(|c| (e, c)));
        // the first of the largest, as Python's max
        let worst = min_by_key(timed, |(_, c): (&Verdict, f64)| -c.abs()).map_or(String::new(), |(e, c)| {
            format!("; the largest difference between the passes: {} {}", e.name, signed_percent(c, 1))
        });
        out.push(format!(
            "A/A: {off} of {} rungs got a verdict other than `no change` (each a false verdict: the code did not \
             change){worst}",
            counted.len()
        ));
    }
    let floor_rule = if req.sequential {
        "the passes ran one after the other, and drift apart by as much as that spread, so the wider side's counts"
    } else {
        "where both sides' interquartile ranges lie apart, the quieter side's spread (the rounds alternated, so the \
         machine's drift hit both alike; a change may be what spread the other side)"
    };
    out.push(format!(
        "rule: a Mann-Whitney test of the round times (each round's fastest render) at p < {alpha} and a change beyond \
         {}% or, where wider, the rung's spread on either side; spread = interquartile range of the round times over \
         their median; {floor_rule}",
        g(runs.rounds_floor * 100.0, 6)
    ));
    let few: Vec<&Verdict> = entries.iter().filter(|e| e.rule.as_deref() == Some("interquartile")).collect();
    if let Some(first) = few.first() {
        out.push(format!(
            "  with {}+{} rounds the rank test cannot reach p < {alpha} with one pair of rounds out of order: {} rungs \
             were judged instead by their interquartile ranges (apart, and the change beyond the floor)",
            first.rounds[0],
            first.rounds[1],
            few.len()
        ));
    }
    out.join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn entry(name: &str, verdict: &str, change: Option<f64>, extra: Value) -> Value {
        let row = |median: f64| json!({"name": name, "status": "ok", "median_s": median});
        let mut e = json!({"name": name, "a": row(1.0), "b": change.map(|c| row(1.0 + c)), "verdict": verdict,
                           "change": change, "why": "", "isa": "", "shown": true,
                           "interval": [[0.9, 1.1], change.map(|_| [0.9, 1.1])], "spread": [0.02, 0.25],
                           "rounds": [5, 5], "p": 0.0123, "floor": 0.25, "wide": false, "rule": "rank"});
        e.as_object_mut().expect("an object").extend(extra.as_object().expect("an object").clone());
        e
    }

    fn request(entries: Value, aa: bool, sequential: bool, unlike: &[&str]) -> Request {
        // the counts in the report's order, which a `json!` object would sort
        serde_json::from_str(&format!(
            r#"{{"aa": {aa}, "sequential": {sequential}, "unlike": {},
                "runs": {{"names": ["HEAD", "tree"], "noise_floor": 0.1, "rounds_floor": 0.05,
                          "report": {{"entries": {entries}, "counts": {{"slower": 1, "no change": 2}},
                                      "alpha": 0.01, "min_calls": 3}}}}}}"#,
            json!(unlike)
        ))
        .expect("a request")
    }

    #[test]
    fn the_report_has_the_table_the_tally_and_the_rule() {
        let entries = json!([
            entry("k", "slower", Some(0.5), json!({"wide": true})),
            entry("m", "no change", Some(-0.75), json!({"rule": "interquartile"})),
            entry("n", "missing", None, json!({"b": {"name": "n", "status": "failed"}, "p": null})),
            entry("gone", "no change", None, json!({"shown": false})),
        ]);
        let text = text(&request(entries, true, false, &["threads: 2 in A, 1 in B"]));
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(
            lines[..3],
            [
                "note: A and B differ in more than their code: each verdict below is of these \
                                  differences too",
                "  threads: 2 in A, 1 in B",
                ""
            ]
        );
        assert_eq!(lines[3], "rung  A (HEAD)  A spread  B (tree)  B spread  change      p  verdict");
        assert_eq!(lines[5], "k     1.00 s        2.0%  1.50 s       25.0%  +50.0%  0.012  slower (floor 25.0%)");
        assert_eq!(lines[7], "n     1.00 s        2.0%  failed           —       —      —  missing");
        assert_eq!(lines[8..10], ["", "verdicts: 1 slower, 2 no change"]);
        assert_eq!(lines[10], "timed on neither side (left out): gone");
        assert!(
            lines[11].starts_with("note: whether the machine's speed changed during the rounds of HEAD and of tree")
        );
        // the largest change, whatever its sign
        assert_eq!(
            lines[12],
            "A/A: 2 of 3 rungs got a verdict other than `no change` (each a false verdict: the code did not change); \
             the largest difference between the passes: m -75.0%"
        );
        assert!(lines[13].contains("at p < 0.01 and a change beyond 5% or") && lines[13].ends_with("the other side)"));
        assert!(lines[14].starts_with("  with 5+5 rounds the rank test cannot reach p < 0.01 with one pair of rounds"));
        assert_eq!(lines.len(), 15);
    }

    #[test]
    fn sequential_passes_keep_the_wider_floor_and_an_empty_run_says_so() {
        let text = text(&request(json!([]), false, true, &[]));
        assert!(text.starts_with("rung  A (HEAD)"), "{text}");
        assert!(text.contains("\n\nverdicts: 1 slower, 2 no change\n"), "{text}");
        assert!(text.ends_with("drift apart by as much as that spread, so the wider side's counts"), "{text}");
        assert!(!text.contains("A/A"), "{text}");
    }
}
