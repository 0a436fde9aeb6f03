//! `mandel-report verdicts`, `sweeps`, `summary`, `finish` and the others as the scripts run them: JSON in, JSON out, a bad
//! request an error naming it (exit 2), never a panic.

use std::io::Write;
use std::process::{Command, Stdio};

fn report(command: &str, request: &str) -> (i32, String, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_mandel-report"))
        .arg(command)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("mandel-report runs");
    child.stdin.take().expect("stdin").write_all(request.as_bytes()).expect("request written");
    let out = child.wait_with_output().expect("mandel-report ends");
    let text = |b: Vec<u8>| String::from_utf8(b).expect("UTF-8");
    (out.status.code().unwrap_or(-1), text(out.stdout), text(out.stderr))
}

/// `command` refuses `request`: exit 2 and an error naming what is wrong (`said`), never a panic.
fn refused(command: &str, request: &str, said: &str) {
    let (code, out, err) = report(command, request);
    assert_eq!(code, 2, "{request}: {out}");
    assert!(err.starts_with("mandel-report: error: ") && err.contains(said), "{request}: {err}");
}

fn verdicts(request: &str) -> (i32, String, String) {
    report("verdicts", request)
}

fn row(name: &str, times: &[f64]) -> String {
    let mut sorted = times.to_vec();
    sorted.sort_by(f64::total_cmp);
    let median = sorted[sorted.len() / 2];
    format!(r#"{{"name": "{name}", "status": "ok", "median_s": {median}, "round_times_s": {times:?}}}"#)
}

#[test]
fn a_request_gets_a_verdict_per_rung_in_ladder_order() {
    let a = [1.0, 1.01, 1.02, 0.99, 1.0, 1.01, 0.98];
    let b: Vec<f64> = a.iter().map(|t| t * 1.5).collect();
    let request = format!(
        r#"{{"schema": "mandel-report-verdicts/1", "a": {{"rows": [{}, {}]}}, "b": {{"rows": [{}]}}, "noise_floor": 0.1, "rounds_floor": 0.05,
            "min_rounds": 3}}"#,
        row("x", &a),
        row("y", &a),
        row("x", &b)
    );
    let (code, out, err) = verdicts(&request);
    assert_eq!(code, 0, "{err}");
    let report: serde_json::Value = serde_json::from_str(&out).expect("JSON");
    let entries = report["entries"].as_array().expect("entries");
    assert_eq!(entries[0]["name"], "x");
    assert_eq!(entries[0]["verdict"], "slower");
    assert!((entries[0]["change"].as_f64().expect("a change") - 0.5).abs() < 1e-12);
    assert_eq!(entries[0]["rule"], "rank");
    assert_eq!(entries[1]["name"], "y");
    assert_eq!(entries[1]["verdict"], "missing");
    assert_eq!(entries[1]["why"], "not timed in B");
    // in the tallies' order (faster, slower, no change, missing, ...), not sorted by name
    assert!(out.contains(r#""counts":{"slower":1,"missing":1}"#), "{out}");
}

#[test]
fn a_bad_request_is_an_error_naming_it() {
    let ok = r#""schema": "mandel-report-verdicts/1", "noise_floor": 0.1, "rounds_floor": 0.05, "min_rounds": 3"#;
    let with_rows = |a: &str| format!(r#"{{{ok}, "a": {{"rows": [{a}]}}, "b": {{"rows": []}}}}"#);
    for (request, said) in [
        ("".to_string(), "EOF while parsing"),
        ("[]".into(), "expected struct Request"),
        ("{}".into(), "missing field `schema`"),
        (
            with_rows("").replace("verdicts/1", "verdicts/0"),
            r#"is "mandel-report-verdicts/0", this mandel-report reads"#,
        ),
        (with_rows("").replace("\"min_rounds\": 3", "\"min_rounds\": 0"), "min_rounds must be 1"),
        (with_rows("").replace("0.1,", "1.5,"), "noise_floor 1.5"),
        (with_rows("").replace("\"min_rounds\": 3", "\"min_rounds\": 3, \"x\": 1"), "unknown field `x`"),
        (with_rows(r#"{"name": 1}"#), "a.rows[0] has no name"),
        (with_rows(r#"{"name": "k"}, {"name": "k"}"#), "a.rows[1] has no name, or one of an earlier row"),
        (with_rows(r#"{"name": "k", "median_s": NaN}"#), "expected value"),
        (
            with_rows(r#"{"name": "k", "median_s": "1"}"#),
            r#"a.rows[0] (k): median_s should be a time in seconds, found "1""#,
        ),
        (with_rows(r#"{"name": "k", "repeats": 2.5}"#), "repeats should be a whole number of calls, found 2.5"),
        (with_rows(r#"{"name": "k", "threads_n": true}"#), "threads_n should be a whole number of threads, found true"),
        (with_rows(r#"{"name": "k", "round_times_s": [1.0, -1.0]}"#), "round_times_s should be a list of times"),
    ] {
        refused("verdicts", &request, said);
    }
}

fn sweeps(request: &str) -> (i32, String, String) {
    report("sweeps", request)
}

#[test]
fn a_sweeps_request_gets_the_fits_the_rows_and_the_files() {
    let points: Vec<String> = [240u64, 480, 960]
        .iter()
        .map(|&n| {
            let iterations = n * n * 50;
            let t = 1e-9 * iterations as f64;
            format!(
                r#"{{"axis": "size", "width": {n}, "height": {n}, "max_iters": 200, "iterations": {iterations},
                    "median_s": {t}, "min_s": {t}, "times_s": [{t}, {t}, {t}], "differing": 0, "allowed": 0}}"#
            )
        })
        .collect();
    let request = format!(
        r#"{{"schema": "mandel-report-sweeps/2", "machine_id": "m", "sweeps": [{{"kernel": "k", "isa": "avx2", "precision": "f32", "threads": 1,
            "points": [{}]}}], "large": null}}"#,
        points.join(", ")
    );
    let (code, out, err) = sweeps(&request);
    assert_eq!(code, 0, "{err}");
    let answer: serde_json::Value = serde_json::from_str(&out).expect("JSON");
    let fit = &answer["fits"][0];
    assert_eq!(
        (&fit["kernel"], &fit["axis"], &fit["points"], &fit["fitted_points"]),
        (&"k".into(), &"size".into(), &3.into(), &3.into())
    );
    assert!((fit["ns_per_iteration"].as_f64().expect("a slope") - 1.0).abs() < 1e-9);
    let csv: Vec<&str> = answer["csv"].as_str().expect("csv").lines().collect();
    assert_eq!(csv.len(), 1 + 3);
    assert!(csv[3].starts_with("k,avx2,f32,1,size,960,960,921600,200,"), "{}", csv[3]);
    assert!(answer["files"]["sweeps.md"].as_str().expect("md").starts_with("# Cost-growth sweeps on m\n"));
    assert!(answer["files"]["sweep-size.svg"].as_str().expect("svg").contains(r#"<path class="fit""#));
}

#[test]
fn a_bad_sweeps_request_is_an_error_naming_it() {
    let point = r#"{"axis": "size", "width": 2, "height": 2, "max_iters": 5, "iterations": 10, "median_s": 1e-3, "min_s": 1e-3}"#;
    let with = |field: &str| {
        format!(
            r#"{{"schema": "mandel-report-sweeps/2", "machine_id": "m", "sweeps": [{{"kernel": "k", "points": [{point}]}}]{field}}}"#
        )
    };
    let large = r#""large": {"kernel": "k", "isa": "avx2", "threads": 2, "width": 8, "height": 8, "max_iters": 5, "paging_s": 0.0, "times_s": []}"#;
    for (request, said) in [
        (String::new(), "EOF while parsing"),
        ("[]".into(), "expected struct Request"),
        ("{}".into(), "missing field `schema`"),
        (r#"{"schema": "mandel-report-sweeps/2"}"#.into(), "missing field `machine_id`"),
        (with(r#", "x": 1"#), "unknown field `x`"),
        (
            r#"{"schema": "mandel-report-sweeps/2", "machine_id": "m", "sweeps": [{"points": []}]}"#.into(),
            "missing field `kernel`",
        ),
        (r#"{"schema": "mandel-report-sweeps/0", "machine_id": "m", "sweeps": []}"#.into(), "this mandel-report reads"),
        (with("").replace(r#""iterations": 10"#, r#""iterations": -1"#), "invalid value: integer `-1`"),
        (with("").replace(r#""iterations": 10"#, r#""iterations": 1e6"#), "expected u64"),
        (with("").replace(r#""median_s": 1e-3"#, r#""median_s": NaN"#), "expected value"),
        (with("").replace(r#""median_s": 1e-3"#, r#""median_s": "1""#), "expected a JSON number"),
        (with("").replace(r#", "min_s": 1e-3"#, ""), "missing field `min_s`"),
        (with(&format!(", {large}")), "large.times_s is empty"),
        // a time the scripts refuse (over 1e6 s): its nanoseconds per iteration overflow, which JSON cannot
        // hold; refused, never written as null
        (
            with("")
                .replace(r#""median_s": 1e-3"#, r#""median_s": 1e300"#)
                .replace(r#""iterations": 10"#, r#""iterations": 1"#),
            "came out as inf, which JSON cannot hold",
        ),
    ] {
        refused("sweeps", &request, said);
    }
}

fn summary(request: &str) -> (i32, String, String) {
    report("summary", request)
}

#[test]
fn a_summary_request_gets_the_markdown_the_chart_the_table_and_the_machine_lines() {
    let row = |name: &str, language: &str, median: f64, speedup: f64| {
        format!(
            r#"{{"name": "{name}", "method": "{name} loop", "language": "{language}", "status": "ok", "computes": "counts",
                "median_s": {median}, "speedup_vs_python": {speedup}, "verified_ok": true, "differing": 0, "allowed": 0}}"#
        )
    };
    let request = format!(
        r#"{{"schema": "mandel-report-summary/3", "summary": {{"machine_id": "m|1", "machine": {{"cores": 2}},
            "settings": {{"python_settings": {{"z": true, "a": 1e-05}}, "pool_threads": null}},
            "rows": [{}, {}], "groups": [], "notes": ["a <b>note</b>"]}}}}"#,
        row("python-pure", "Python", 5.0, 1.0),
        row("naive-f64", "Rust", 0.1, 50.0)
    );
    let (code, out, err) = summary(&request);
    assert_eq!(code, 0, "{err}");
    let answer: serde_json::Value = serde_json::from_str(&out).expect("JSON");
    assert_eq!(answer["schema"], "mandel-report-summary/3");
    let md = answer["markdown"].as_str().expect("markdown");
    assert!(md.starts_with("# The Mandelbrot speedup ladder on m\\|1\n"), "{md}");
    assert!(md.contains("| Python timing | z=True, a=1e-05 |"), "{md}"); // in the request's order
    assert!(md.contains("| naive-f64 loop | 100 ms | 50.00 |"), "{md}");
    assert!(md.contains("- a &lt;b>note&lt;/b>\n"), "{md}");
    let svg = answer["svg"].as_str().expect("svg");
    assert!(svg.contains(r#"<rect class="bar" data-rung="naive-f64""#) && svg.contains(">50.00×</text>"), "{svg}");
    let console = answer["console"].as_str().expect("console");
    assert!(console.starts_with("method            time (median)  speedup"), "{console}");
    let lines = answer["machine_lines"].as_array().expect("lines");
    assert_eq!(lines[0], serde_json::json!(["machine id", "m|1"]));
    assert_eq!(lines[1], serde_json::json!(["CPU", "None (family/model ?), 2 cores"]));
    assert!(lines.contains(&serde_json::json!(["thread pool", "unknown"])), "{lines:?}");
}

#[test]
fn a_bad_summary_request_is_an_error_naming_it() {
    let with = |summary: &str| format!(r#"{{"schema": "mandel-report-summary/3", "summary": {summary}}}"#);
    for (request, said) in [
        (String::new(), "EOF while parsing"),
        ("[]".into(), "expected struct Request"),
        ("{}".into(), "missing field `schema`"),
        (with("{}"), "missing field `machine_id`"),
        (with(r#"{"machine_id": 5}"#), "invalid type: integer `5`, expected a string"),
        (with(r#"{"machine_id": "m", "rows": {}}"#), "invalid type: map, expected a sequence"),
        (with(r#"{"machine_id": "m", "settings": {"python_settings": [1]}}"#), "expected a JSON object"),
        (with(r#"{"machine_id": "m", "groups": [{"rows": []}]}"#), "missing field `title`"),
        (with(r#"{"machine_id": "m"}, "x": 1"#), "unknown field `x`"),
        (with(r#"{"machine_id": "m"}"#).replace("summary/3", "summary/0"), "this mandel-report reads"),
    ] {
        refused("summary", &request, said);
    }
}

#[test]
fn a_finish_request_gets_the_rows_and_the_notes_and_a_bad_one_an_error() {
    let request = |schema: &str, peak: &str| {
        format!(
            r#"{{"schema": "{schema}", "inputs": {{"registry": [], "verify": {{}},
                "criterion": {{"x-f64": {{"isa": "avx2", "median_s": 0.5, "mean_s": 0.5, "ci_low_s": 0.4,
                "ci_high_s": 0.6, "spread_kind": "interquartile range"}}}},
                "baselines": {{"rungs": [{{"name": "python-pure", "zz": [1, 2.0], "median_s": 2.0,
                "compile_s": 1.005, "verification": {{"pixels": 4, "differing": 0, "allowed": 0, "ok": true}}}}]}},
                "python_rounds": null}}, "peak": {peak}, "python_tunings": null, "isa_flags": null,
                "notes": {{"settings": {{}}, "registry_missing": null, "py_reason": "", "tie_band": null}}}}"#
        )
    };
    let (code, out, err) = report("finish", &request("mandel-report-finish/7", "null"));
    assert_eq!(code, 0, "{err}");
    let answer: serde_json::Value = serde_json::from_str(&out).expect("JSON");
    assert_eq!(answer["schema"], "mandel-report-finish/7");
    // timed by Criterion, no rounds the Python calls are cut into: no words for what a row's time is
    assert_eq!((&answer["round_time"], &answer["python_time"]), (&serde_json::Value::Null, &serde_json::Value::Null));
    // the rows built, every field in summary.json's order (a rung's fields the rows do not hold left out), and
    // finished: the speedup set
    let row = out.split(r#""rows":[{"#).nth(1).expect("a row");
    assert!(row.starts_with(r#""name":"python-pure","method":"python-pure","language":"Python","#), "{out}");
    assert!(row.contains(r#""compile_s":1.005,"iterations":null,"iterations_per_s":null,"speedup_vs_python":1.0,"#));
    assert!(!row.contains("zz"), "{out}");
    let names: Vec<&str> = answer["rows"].as_array().expect("rows").iter().filter_map(|r| r["name"].as_str()).collect();
    assert_eq!(names, ["python-pure", "x-f64"]);
    let notes: Vec<&str> = answer["notes"].as_array().expect("notes").iter().filter_map(|n| n.as_str()).collect();
    assert!(notes[0].starts_with("Timed or verified but not in the registry: x-f64 (kept"), "{notes:?}");
    assert!(notes.iter().any(|n| n.ends_with("excluded from the times: python-pure 1.00 s.")), "{notes:?}"); // 1.005
    assert!(!notes.iter().any(|n| n.contains("speed changed")), "{notes:?}"); // no rounds: nothing to warn of
    let groups: Vec<&str> =
        answer["groups"].as_array().expect("groups").iter().filter_map(|g| g["id"].as_str()).collect();
    assert_eq!(groups, ["scalar-f64-1-thread", "scalar-f64-every-core", "simd-1-thread", "simd-every-core"]);
    for (request, said) in [
        (request("mandel-report-finish/2", "null"), "this mandel-report reads"),
        (request("mandel-report-finish/7", r#"{"isa": "avx2"}"#), "missing field `f32_lane_fmas_per_s`"),
        (
            request("mandel-report-finish/7", "null").replace(r#""settings": {}"#, r#""settings": {}, "x": 1"#),
            "unknown field `x`",
        ),
        (
            request("mandel-report-finish/7", "null")
                .replace(r#""python_rounds": null"#, r#""python_rounds": null, "x": 1"#),
            "unknown field `x`",
        ),
    ] {
        refused("finish", &request, said);
    }
}

fn compare(request: &str) -> (i32, String, String) {
    report("compare", request)
}

#[test]
fn a_compare_request_gets_the_text_and_what_else_it_asks_for() {
    let set = |id: &str, median: f64| {
        format!(
            r#"{{"machine_id": "{id}", "machine": {{"cores": 2, "git_commit": "abc"}}, "settings": null,
                "rows": [{{"name": "k|1", "status": "ok", "median_s": {median}, "isa": "avx2", "verified_ok": true}}]}}"#
        )
    };
    let request = |markdown: bool, same_machine: bool| {
        format!(
            r#"{{"schema": "mandel-report-compare/2", "sets": [{}, {}], "same_machine": {same_machine},
                "markdown": {markdown}, "svg": false}}"#,
            set("a", 0.1),
            set("b", 0.3)
        )
    };
    let (code, out, err) = compare(&request(true, false));
    assert_eq!(code, 0, "{err}");
    let answer: serde_json::Value = serde_json::from_str(&out).expect("JSON");
    assert_eq!(answer["schema"], "mandel-report-compare/2");
    let text = answer["text"].as_str().expect("text");
    assert!(
        text.starts_with("A = a: ? (family/model ?), 2 cores, SIMD path avx2, thread pool ?, ?, commit abc\n"),
        "{text}"
    );
    assert!(text.ends_with("verified: 3.00 (same ISA path 3.00 over 1)"), "{text}");
    let md = answer["markdown"].as_str().expect("markdown");
    assert!(
        md.starts_with("# The Mandelbrot speedup ladder across machines\n") && md.contains("| k\\|1 | — | 100 ms |")
    );
    assert!(answer["svg"].is_null());
    assert_eq!(answer["differences"], serde_json::json!([]));
    // one machine asked for: the two ids differ, their core counts do not
    let (_, out, _) = compare(&request(false, true));
    let answer: serde_json::Value = serde_json::from_str(&out).expect("JSON");
    assert_eq!(answer["differences"], serde_json::json!(["machine id: a in A, b in B (b)"]));
    let (code, out, _) = compare(&request(false, false));
    assert_eq!(code, 0);
    assert!(serde_json::from_str::<serde_json::Value>(&out).expect("JSON")["markdown"].is_null());
}

#[test]
fn a_bad_compare_request_is_an_error_naming_it() {
    let with = |rest: &str| format!(r#"{{"schema": "mandel-report-compare/2", {rest}}}"#);
    for (request, said) in [
        ("{}".to_string(), "missing field `schema`"),
        (with(r#""sets": []"#), "give one set or more"),
        (with(r#""sets": [{"machine_id": "m"}], "runs": null, "x": 1"#), "unknown field `x`"),
        (with(r#""sets": [{"machine_id": "m"}]"#).replace("compare/2", "compare/0"), "this mandel-report reads"),
    ] {
        refused("compare", &request, said);
    }
}

#[test]
fn a_check_request_gets_each_result_or_the_first_refusal_and_a_bad_one_an_error() {
    let request = |checks: &str| format!(r#"{{"schema": "mandel-report-check/7", "checks": [{checks}]}}"#);
    let tune =
        r#"{"kind": "shape", "shape": "tune", "value": [], "path": "t.json", "at": "the tune rows", "join": "root"}"#;
    let bad = r#"{"kind": "shape", "shape": "run", "value": {"quick": {"$py": "nan"}}, "path": "r.json", "at": "run", "join": "root"}"#;
    let (code, out, _) = report("check", &request(tune));
    assert_eq!((code, out.trim()), (0, r#"{"schema":"mandel-report-check/7","results":[null]}"#));
    let (code, out, _) = report("check", &request(&format!("{tune}, {bad}, {bad}")));
    let refusal = r#"{"schema":"mandel-report-check/7","refused":"r.json: quick should be true or false, found nan"}"#;
    assert_eq!((code, out.trim()), (0, refusal));
    for (request, said) in [
        (request(r#"{"kind": "shape", "shape": "nothing"}"#), "unknown variant `nothing`"),
        (
            request(r#"{"kind": "round", "value": {"$py": "tuple"}, "path": "p", "at": "w"}"#),
            "not a value the scripts mark",
        ),
        (request("").replace("check/7", "check/6"), "this mandel-report reads"),
    ] {
        refused("check", &request, said);
    }
}

#[test]
fn a_check_request_answers_the_tunings_what_tune_rows_pin_their_tie_band_and_two_peaks_combined() {
    let request = |checks: &str| format!(r#"{{"schema": "mandel-report-check/7", "checks": [{checks}]}}"#);
    let row = r#"{"kernel": "simd", "isa": "avx2", "precision": "f32", "source": "calibrated", "chosen": "v4k8",
                  "fastest": "v5k8", "default": "v4k8", "times": [["v5k8", 0.1]]}"#;
    let peak = |f32: f64| format!(r#"{{"isa": "avx2", "f32_lane_fmas_per_s": {f32:?}, "f64_lane_fmas_per_s": 2e10}}"#);
    let checks = [
        r#"{"kind": "tunings"}"#.to_string(),
        format!(r#"{{"kind": "pins", "rows": [{row}], "source": "t.json"}}"#),
        format!(r#"{{"kind": "tie_band", "rows": [{row}]}}"#),
        r#"{"kind": "tie_band", "rows": null}"#.into(),
        format!(
            r#"{{"kind": "peaks", "before": {}, "after": {}, "when": "after the benches"}}"#,
            peak(5e10),
            peak(6e10)
        ),
    ];
    let (code, out, err) = report("check", &request(&checks.join(", ")));
    assert_eq!(code, 0, "{err}");
    let answer: serde_json::Value = serde_json::from_str(&out).expect("JSON");
    assert_eq!(
        answer["results"],
        serde_json::json!([
            [{"run_key": "simd_tuning", "variable": "MANDEL_TUNING", "families": ["simd-f32", "simd-f64"]},
             {"run_key": "c_tuning", "variable": "MANDEL_C_TUNING", "families": ["c-reference"]}],
            [["MANDEL_TUNING", "f32:v5k8"]],
            0.02,
            null,
            {"isa": "avx2", "f32_lane_fmas_per_s": 6e10, "f64_lane_fmas_per_s": 2e10, "measured": [
                {"when": "before the benches", "f32_lane_fmas_per_s": 5e10, "f64_lane_fmas_per_s": 2e10},
                {"when": "after the benches", "f32_lane_fmas_per_s": 6e10, "f64_lane_fmas_per_s": 2e10}]},
        ])
    );
    // the combined peak keeps the earlier one's order, `measured` last
    assert!(out.contains(r#"{"isa":"avx2","f32_lane_fmas_per_s":60000000000.0,"f64_lane_fmas_per_s":2"#), "{out}");
    // a row the rule cannot read, a peak not one: refused, in the words of what they came from
    let unread = r#"{"kind": "pins", "rows": [{"precision": "f32", "times": [1]}], "source": "t.json"}"#;
    let (_, out, _) = report("check", &request(unread));
    assert!(out.contains(r#""refused":"t.json: row #0 lacks key(s) fastest""#), "{out}");
    let after = r#"{"isa": "avx2", "f32_lane_fmas_per_s": 0, "f64_lane_fmas_per_s": 2e10}"#;
    let peaks =
        format!(r#"{{"kind": "peaks", "before": {}, "after": {after}, "when": "after the benches"}}"#, peak(5e10));
    let (_, out, _) = report("check", &request(&peaks));
    assert!(
        out.contains(r#""refused":"`mandel peak` after the benches: f32_lane_fmas_per_s should be a positive"#),
        "{out}"
    );
    // a peak that is no object, or lacks a key: the message names what it is, as the peak file's does
    for (before, after, said) in [
        ("7".to_string(), peak(6e10), "the peak so far: the peak should be a JSON object, found int"),
        (
            peak(5e10),
            r#"{"isa": "avx2"}"#.to_string(),
            "`mandel peak` x: the peak lacks key(s) f32_lane_fmas_per_s, f64_lane_fmas_per_s",
        ),
    ] {
        let peaks = format!(r#"{{"kind": "peaks", "before": {before}, "after": {after}, "when": "x"}}"#);
        let (_, out, _) = report("check", &request(&peaks));
        assert!(out.contains(&format!(r#""refused":"{said}""#)), "{out}");
    }
}
