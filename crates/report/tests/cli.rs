//! `mandel-report verdicts` as the scripts run it: JSON in, JSON out, a bad request an error naming it
//! (exit 2), never a panic.

use std::io::Write;
use std::process::{Command, Stdio};

fn verdicts(request: &str) -> (i32, String, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_mandel-report"))
        .arg("verdicts")
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
        let (code, out, err) = verdicts(&request);
        assert_eq!(code, 2, "{request}: {out}");
        assert!(err.starts_with("mandel-report: error: ") && err.contains(said), "{request}: {err}");
    }
}
