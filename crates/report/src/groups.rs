//! Like for like: the summary's rows grouped by the work they do (the same precision class, scalar or
//! SIMD, one thread or every core), so that tools are compared doing the same work, each row with its time
//! over the fastest of its group ([`like_for_like`]: `mandel-report finish` puts them into summary.json),
//! and summary.md's section of a small table per group ([`markdown`]). A rung absent from the summary is
//! left out; one present but not timed keeps its row (its status says why) without a ratio. Brute-force
//! rows only: the algorithmic rungs skip work and are in no group.

use crate::figures::{DASH, number, threads, time};
use crate::pyfmt::fixed;
use crate::pymath::{div, min_by_key};
use crate::pyvalue::{Ordered, py_str, truthy};
use crate::table::md_table;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

/// The groups: (id, title, rungs in table order), by stable rung names. The first asks "is it the
/// language?": the same scalar loop in each tool.
pub const GROUPS: [(&str, &str, &[&str]); 4] = [
    (
        "scalar-f64-1-thread",
        "compiled scalar f64, one thread",
        &[
            "numba",
            "numba-fastmath",
            "cython",
            "pythran",
            "pypy",
            "mojo-scalar-f64",
            "naive-f64",
            "num-complex-f64",
            "fma-f64",
        ],
    ),
    (
        "scalar-f64-every-core",
        "compiled scalar f64, every core",
        &["numba-parallel", "cython-prange", "pythran-openmp", "rayon-naive-f64", "rayon-fma-f64"],
    ),
    ("simd-1-thread", "SIMD, one thread", &["mojo-simd-f32", "simd-f32", "simd-f64", "c-ref-f32"]),
    (
        "simd-every-core",
        "SIMD on every core",
        &["mojo-parallel-f32", "rayon-simd-f32", "rayon-simd-f64", "rayon-c-ref-f32"],
    ),
];

/// The grouped rungs whose multiply-adds are fused (one rounding for a*b + c: a shorter step, and a few
/// boundary pixels move), marked in their group, since a fused row against an unfused one is not the same
/// work. Stated here because older sets' rows do not record it; tests hold it equal to the registry's
/// `fused` (`mandel describe`) and to python_baselines/rungs.py's.
pub const FUSED: [&str; 12] = [
    "numba-fastmath",
    "mojo-scalar-f64",
    "fma-f64",
    "rayon-fma-f64",
    "mojo-simd-f32",
    "simd-f32",
    "simd-f64",
    "c-ref-f32",
    "mojo-parallel-f32",
    "rayon-simd-f32",
    "rayon-simd-f64",
    "rayon-c-ref-f32",
];

/// Of those, the rungs that fuse only where the CPU has FMA instructions: Numba and Mojo compile for the
/// host, and LLVM emits no fused multiply-add for a CPU without them (the Rust and C kernels fuse in
/// software there).
const FUSED_BY_THE_CPU: [&str; 4] = ["numba-fastmath", "mojo-scalar-f64", "mojo-simd-f32", "mojo-parallel-f32"];

/// A group row's fields, in summary.json's order (`vs_fastest` and `fused` follow).
const ROW_FIELDS: [&str; 7] = ["name", "method", "language", "precision", "threads", "status", "median_s"];

/// Whether the rung `name` fuses its multiply-adds on a machine with these ISA flags (an x86 CPU whose
/// flags lack fma makes the `FUSED_BY_THE_CPU` rungs separate; unknown flags: [`FUSED`] as stated).
pub fn fused(name: &str, isa_flags: &Value) -> bool {
    let has = |flag: &str| isa_flags.as_array().is_some_and(|flags| flags.iter().any(|f| f == flag));
    let no_fma = has("sse2") && !has("fma");
    FUSED.contains(&name) && !(no_fma && FUSED_BY_THE_CPU.contains(&name))
}

/// A group as summary.json holds it, its fields in the file's order.
#[derive(Serialize)]
pub struct Grouped {
    pub id: &'static str,
    pub title: &'static str,
    /// The fastest timed rung's name (null: none timed).
    pub fastest: Value,
    /// Each member's row: `ROW_FIELDS`, `vs_fastest` (its median over the fastest's; null for a row
    /// without a time) and `fused`.
    pub rows: Vec<Ordered>,
}

/// The groups of `rows` on a machine with these ISA flags.
pub fn like_for_like(rows: &[Value], isa_flags: &Value) -> Vec<Grouped> {
    let field = |r: &Value, k: &str| r.get(k).cloned().unwrap_or(Value::Null);
    let timed = |r: &Value| field(r, "status") == "ok" && truthy(&field(r, "median_s"));
    GROUPS
        .iter()
        .map(|&(id, title, rungs)| {
            // the last row of a name, as a dict keyed by name keeps
            let members: Vec<&Value> =
                rungs.iter().filter_map(|n| rows.iter().rev().find(|r| field(r, "name") == *n)).collect();
            let fastest = min_by_key(members.iter().copied().filter(|r| timed(r)), |r| {
                field(r, "median_s").as_f64().unwrap_or(f64::NAN)
            });
            let row = |r: &&Value| {
                let mut row = Ordered(ROW_FIELDS.iter().map(|k| (k.to_string(), field(r, k))).collect());
                let ratio =
                    fastest.filter(|_| timed(r)).and_then(|f| div(&field(r, "median_s"), &field(f, "median_s")));
                row.set("vs_fastest", json!(ratio));
                row.set("fused", json!(fused(field(r, "name").as_str().unwrap_or_default(), isa_flags)));
                row
            };
            Grouped {
                id,
                title,
                fastest: fastest.map_or(Value::Null, |f| field(f, "name")),
                rows: members.iter().map(row).collect(),
            }
        })
        .collect()
}

impl From<Grouped> for Group {
    fn from(g: Grouped) -> Group {
        let rows = g.rows.iter().map(|r| serde_json::to_value(r).expect("a row of JSON values")).collect();
        Group { title: json!(g.title), rows }
    }
}

/// A group as summary.json holds it: its title and rows (each with `vs_fastest`, and `fused` unless the set
/// was merged before it was recorded: [`FUSED`] stands in).
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
                    if r.get("fused")
                        .map_or_else(|| FUSED.iter().any(|n| r.get("name").is_some_and(|v| v == n)), truthy)
                    {
                        "fused"
                    } else {
                        "separate"
                    }
                    .into(),
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
    use std::collections::BTreeMap;

    fn row(name: &str, median_s: Option<f64>, status: &str, precision: &str) -> Value {
        json!({"name": name, "method": name, "language": "x", "precision": precision, "threads": "1",
               "status": status, "median_s": median_s})
    }

    fn by_id(groups: Vec<Grouped>) -> BTreeMap<&'static str, Grouped> {
        groups.into_iter().map(|g| (g.id, g)).collect()
    }

    fn field(g: &Grouped, key: &str) -> BTreeMap<String, Value> {
        g.rows.iter().map(|r| (py_str(r.get("name").unwrap()), r.get(key).unwrap().clone())).collect()
    }

    #[test]
    fn each_row_gets_its_time_over_the_fastest_of_its_group() {
        let rows = [
            row("numba", Some(0.105), "ok", "f64"),
            row("cython", Some(0.100), "ok", "f64"),
            row("fma-f64", Some(0.090), "ok", "f64"),
            row("pypy", None, "missing", "f64"),
            row("simd-f32", Some(0.0043), "ok", "f32"),
            row("mojo-simd-f32", Some(0.0050), "ok", "f32"),
            row("rayon-simd-algorithmic-f32", Some(0.0007), "ok", "f32"),
        ];
        let out = by_id(like_for_like(&rows, &Value::Null));
        let scalar = &out["scalar-f64-1-thread"];
        assert_eq!(scalar.fastest, "fma-f64");
        let ratios = field(scalar, "vs_fastest");
        assert_eq!(ratios["fma-f64"], 1.0);
        assert_eq!(ratios["numba"], 0.105 / 0.090);
        assert_eq!(ratios["pypy"], Value::Null); // kept, with its status, but no ratio
        let names: Vec<_> = scalar.rows.iter().map(|r| py_str(r.get("name").unwrap())).collect();
        assert_eq!(names, ["numba", "cython", "pypy", "fma-f64"]); // the group's order
        let simd = &out["simd-1-thread"];
        assert_eq!(simd.fastest, "simd-f32");
        assert_eq!(field(simd, "name").len(), 2);
        // algorithmic rows skip work: in no group
        assert!(out.values().all(|g| !field(g, "name").contains_key("rayon-simd-algorithmic-f32")));
        assert!(out["simd-every-core"].rows.is_empty() && out["simd-every-core"].fastest.is_null());
        // summary.json's field order
        let keys: Vec<_> = scalar.rows[0].0.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(keys, [&ROW_FIELDS[..], &["vs_fastest", "fused"]].concat());
    }

    #[test]
    fn failed_rows_get_no_ratio_and_cannot_be_the_fastest() {
        let rows = [row("naive-f64", Some(0.01), "failed", "f64"), row("fma-f64", Some(0.09), "ok", "f64")];
        let out = by_id(like_for_like(&rows, &Value::Null));
        assert_eq!(out["scalar-f64-1-thread"].fastest, "fma-f64");
        let ratios = field(&out["scalar-f64-1-thread"], "vs_fastest");
        assert_eq!((&ratios["naive-f64"], &ratios["fma-f64"]), (&Value::Null, &json!(1.0)));
    }

    #[test]
    fn fused_rows_are_marked_and_an_old_group_without_the_mark_reads_the_same() {
        let rows = [
            row("cython-prange", Some(0.060), "ok", "f64"),
            row("rayon-naive-f64", Some(0.050), "ok", "f64"),
            row("rayon-fma-f64", Some(0.040), "ok", "f64"),
        ];
        let out = by_id(like_for_like(&rows, &Value::Null));
        let every = &out["scalar-f64-every-core"];
        let fused = field(every, "fused");
        assert_eq!(fused["cython-prange"], false);
        assert_eq!(fused["rayon-naive-f64"], false);
        assert_eq!(fused["rayon-fma-f64"], true);
        assert_eq!(every.fastest, "rayon-fma-f64");
        let marked = markdown(&[Group::from(
            by_id(like_for_like(&rows, &Value::Null)).remove("scalar-f64-every-core").unwrap(),
        )]);
        assert!(marked[6].contains("| rayon-fma-f64 | x | f64 | fused |"));
        assert!(marked[6].contains("| rayon-naive-f64 | x | f64 | separate |"));
        // a summary.json written before the mark: FUSED stands in
        let mut old = Group::from(by_id(like_for_like(&rows, &Value::Null)).remove("scalar-f64-every-core").unwrap());
        for r in &mut old.rows {
            r.as_object_mut().unwrap().remove("fused");
        }
        assert_eq!(markdown(&[old]), marked);
    }

    /// Numba's fastmath and Mojo fuse a*b + c only where the CPU has FMA instructions: on an x86 CPU without
    /// them they are separate. The Rust FMA kernels fuse in software there, and stay fused.
    #[test]
    fn the_rungs_compiled_for_the_host_are_separate_on_a_cpu_without_fma() {
        let names = ["numba", "numba-fastmath", "fma-f64", "mojo-simd-f32", "simd-f32"];
        let rows: Vec<Value> = names.iter().map(|n| row(n, Some(0.1), "ok", "f64")).collect();
        let labels = |flags: Value| -> Vec<Value> {
            let all: BTreeMap<String, Value> =
                like_for_like(&rows, &flags).iter().flat_map(|g| field(g, "fused")).collect();
            names.iter().map(|n| all[*n].clone()).collect()
        };
        assert_eq!(labels(json!(["sse2", "sse4_1", "avx"])), [false, false, true, false, true]);
        for flags in [Value::Null, json!(["sse2", "avx2", "fma"]), json!(["asimd"]), json!([])] {
            assert_eq!(labels(flags), [false, true, true, true, true]);
        }
    }

    #[test]
    fn every_fused_rung_is_in_a_group() {
        for name in FUSED {
            assert!(GROUPS.iter().any(|(_, _, rungs)| rungs.contains(&name)), "{name}");
        }
    }

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
