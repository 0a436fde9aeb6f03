//! summary.md's like-for-like section: a small table per group of rungs doing the same work, each row's
//! time over the fastest of its group. The groups themselves (which rungs, the ratios, which fuse their
//! multiply-adds) are the scripts' (`ladderlib/groups.py`: the merge writes them into summary.json); this
//! writes them up.

use crate::figures::{DASH, number, threads, time};
use crate::pyfmt::fixed;
use crate::pyvalue::{py_str, truthy};
use crate::table::md_table;
use serde::Deserialize;
use serde_json::Value;

/// A group as summary.json holds it: its title and rows (each with `vs_fastest` and `fused`, which the
/// scripts fill in for an older set that does not record it).
#[derive(Deserialize)]
pub struct Group {
    pub title: Value,
    #[serde(default)]
    pub rows: Vec<Value>,
}

const INTRO: &str = "Rows grouped by the work they do, so that tools are compared doing the same thing: time over \
the fastest of its group (1.25x: a quarter slower). Two differences stay inside a group, marked: the multiply-add \
column says whether a row fuses them (FMA: one rounding for a*b + c, a shorter step), so compare fused rows with \
fused ones and separate with separate; and f32 and f64 share the SIMD groups: read the precision. Mojo rows are \
called from Python (the array allocated in NumPy, like the pyo3-* rows), the Rust and C rows natively by the bench.";

/// A row's time over its group's fastest: `fastest` for the fastest itself.
fn ratio(v: Option<f64>) -> String {
    match v {
        None => DASH.into(),
        Some(1.0) => "fastest".into(),
        Some(v) => format!("{}x", fixed(v, 2)),
    }
}

fn or_dash(row: &Value, key: &str) -> String {
    row.get(key).filter(|v| truthy(v)).map_or(DASH.into(), py_str)
}

/// The section's lines: its heading and introduction, then a heading and a table per group with rows.
pub fn markdown(groups: &[Group]) -> Vec<String> {
    let mut lines = vec!["## Like for like".to_string(), String::new(), INTRO.to_string(), String::new()];
    let header: Vec<String> =
        ["method", "language", "precision", "multiply-add", "threads", "time (median)", "vs fastest"]
            .map(String::from)
            .to_vec();
    for g in groups.iter().filter(|g| !g.rows.is_empty()) {
        lines.push(format!("### {}", py_str(&g.title)));
        lines.push(String::new());
        let body: Vec<Vec<String>> = g
            .rows
            .iter()
            .map(|r| {
                let status = r.get("status").map_or("None".into(), py_str);
                vec![
                    r.get("method").map_or("None".into(), py_str),
                    or_dash(r, "language"),
                    or_dash(r, "precision"),
                    if r.get("fused").is_some_and(truthy) { "fused" } else { "separate" }.into(),
                    threads(r),
                    if status == "missing" || status == "failed" { status } else { time(number(r.get("median_s"))) },
                    ratio(number(r.get("vs_fastest"))),
                ]
            })
            .collect();
        lines.push(md_table(&header, &body, &["time (median)", "vs fastest"]));
        lines.push(String::new());
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// What the scripts' Python wrote for the same group (groups.markdown, before the port).
    #[test]
    fn a_group_is_a_table_of_its_rows() {
        let group: Group = serde_json::from_value(json!({"title": "SIMD, one thread", "rows": [
            {"name": "simd-f32", "method": "SIMD f32", "language": "Rust", "precision": "f32", "threads": 1,
             "status": "ok", "median_s": 0.01, "vs_fastest": 1.0, "fused": true},
            {"name": "c-ref-f32", "method": "C", "language": null, "precision": "f32", "threads": 1,
             "status": "failed", "median_s": null, "vs_fastest": null, "fused": false},
            {"name": "x", "method": "X", "language": "Rust", "precision": "f64", "threads": "pool(2)",
             "status": "ok", "median_s": 0.0125, "vs_fastest": 1.25}]}))
        .expect("a group");
        let empty: Group = serde_json::from_value(json!({"title": "none", "rows": []})).expect("a group");
        let lines = markdown(&[group, empty]);
        assert_eq!(lines.len(), 8);
        assert_eq!(lines[4], "### SIMD, one thread");
        assert_eq!(
            lines[6],
            "| method | language | precision | multiply-add | threads | time (median) | vs fastest |\n\
             | --- | --- | --- | --- | --- | ---: | ---: |\n\
             | SIMD f32 | Rust | f32 | fused | 1 | 10.0 ms | fastest |\n\
             | C | — | f32 | separate | 1 | failed | — |\n\
             | X | Rust | f64 | separate | pool(2) | 12.5 ms | 1.25x |"
        );
    }
}
