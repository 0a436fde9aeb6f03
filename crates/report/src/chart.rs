//! speedup.svg: log-scale bars of the speedup over pure Python (over the slowest timed rung when it is
//! missing, the title says so); missing and failed rungs keep their line, with the reason.

use crate::figures::{number, speedup};
use crate::pyvalue::{py_str, truthy};
use crate::svg::{Bar, bar_chart, g_tick};
use serde_json::Value;

/// A bar's colour by its row's language, in legend order: Python (NumPy, Numba); the other ways out of
/// pure Python (Cython, Pythran, PyPy, Mojo: any other language lands here, named in the legend); Rust;
/// Rust called from Python; the C reference. A bar computing a bitmap is grey whatever its language: it
/// is not the same result (its label says "bitmap only"). The legend stays one short line: the chart is
/// as wide as its labels. (kind, its name in the legend, colour)
const KINDS: [(&str, &str, &str); 6] = [
    ("Python", "orange", "#d95f02"),
    ("other", "green", "#1b9e77"),
    ("Rust", "blue", "#1b6ca8"),
    ("Rust via PyO3", "light blue", "#7fb3d5"),
    ("C", "pink", "#e7298a"),
    ("bitmap", "grey", "#bbb"),
];

fn text<'a>(row: &'a Value, key: &str) -> Option<&'a str> {
    row.get(key).and_then(Value::as_str)
}

/// The row's colour group (a kind of [`KINDS`]).
fn kind(row: &Value) -> &'static str {
    if text(row, "computes") == Some("bitmap") {
        return "bitmap";
    }
    let language = text(row, "language");
    KINDS.iter().map(|k| k.0).find(|&k| k != "other" && k != "bitmap" && Some(k) == language).unwrap_or("other")
}

fn colour(kind: &str) -> &'static str {
    KINDS.iter().find(|k| k.0 == kind).map_or("#bbb", |k| k.2)
}

/// What the colour of each of `rows` (the bars drawn) stands for; the 'other' group names its languages.
fn legend(rows: &[&Value]) -> String {
    let mut others: Vec<String> = Vec::new();
    for r in rows.iter().filter(|r| kind(r) == "other") {
        let language = r.get("language").filter(|v| truthy(v)).map_or("unknown".into(), py_str);
        if !others.contains(&language) {
            others.push(language);
        }
    }
    let drawn: Vec<&str> = rows.iter().map(|r| kind(r)).collect();
    let entries = KINDS.iter().filter(|k| drawn.contains(&k.0)).map(|&(k, name, _)| {
        let what = match k {
            "other" => others.join(", "),
            "bitmap" => "bitmap only".into(),
            k => k.into(),
        };
        format!("{name}: {what}")
    });
    entries.collect::<Vec<_>>().join("; ")
}

/// What the bars are relative to (None: nothing timed), and each row's value: its speedup over pure
/// Python where any row has one, else the slowest timed rung's time over its own.
fn chart_values(rows: &[Value]) -> (Option<String>, Vec<Option<f64>>) {
    let vs_python = |r: &Value| number(r.get("speedup_vs_python"));
    if rows.iter().any(|r| vs_python(r).is_some()) {
        return (Some("pure Python".into()), rows.iter().map(vs_python).collect());
    }
    let ok = |r: &Value| text(r, "status") == Some("ok");
    let median = |r: &Value| number(r.get("median_s")).unwrap_or(f64::NAN);
    // max(timed, key=median_s): the first of the slowest
    let mut base: Option<&Value> = None;
    for r in rows.iter().filter(|r| ok(r) && text(r, "computes") == Some("counts")) {
        if base.is_none_or(|b| median(r) > median(b)) {
            base = Some(r);
        }
    }
    let Some(base) = base else { return (None, vec![None; rows.len()]) };
    let values = rows.iter().map(|r| ok(r).then(|| median(base) / median(r))).collect();
    (Some(base.get("name").map_or("None".into(), py_str)), values)
}

/// speedup.svg's text.
pub fn svg(machine_id: &str, rows: &[Value]) -> String {
    let (base, values) = chart_values(rows);
    let subtitle = match base.as_deref() {
        None => "no timed rung".to_string(),
        Some("pure Python") => "speedup over pure Python, log scale".into(),
        Some(base) => {
            format!("speedup over {base}, log scale (pure Python missing: relative to the slowest timed rung)")
        }
    };
    let shown = |v: &Option<f64>| v.is_some_and(|v| v != 0.0);
    let bars: Vec<Bar> = rows
        .iter()
        .zip(&values)
        .map(|(row, &value)| {
            let name = row.get("name").map_or("None".into(), py_str);
            let why = match text(row, "status") {
                Some("failed") => "failed verification",
                Some("missing") => "missing",
                _ => "no comparable speedup",
            };
            let bitmap = text(row, "computes") == Some("bitmap");
            Bar {
                label: if bitmap { format!("{name} (bitmap only)") } else { name.clone() },
                value,
                colour: colour(kind(row)),
                text: if shown(&value) { format!("{}×", speedup(value)) } else { String::new() },
                missing: why.into(),
                attrs: vec![("data-rung", name)],
            }
        })
        .collect();
    let drawn: Vec<&Value> = rows.iter().zip(&values).filter(|(_, v)| shown(v)).map(|(r, _)| r).collect();
    bar_chart(&format!("Mandelbrot speedup ladder, {machine_id}"), &[subtitle, legend(&drawn)], &bars, g_tick("×"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn row(name: &str, language: &str, computes: &str, status: &str, median: Option<f64>) -> Value {
        json!({"name": name, "language": language, "computes": computes, "status": status, "median_s": median,
               "speedup_vs_python": null})
    }

    #[test]
    fn without_pure_python_the_bars_are_over_the_slowest_timed_rung() {
        let rows = [
            row("a", "Rust", "counts", "ok", Some(2.0)),
            row("b", "Cython", "counts", "ok", Some(4.0)),
            row("c", "Rust", "bitmap", "ok", Some(8.0)),
            row("d", "C", "counts", "failed", None),
        ];
        let (base, values) = chart_values(&rows);
        assert_eq!(base.as_deref(), Some("b"));
        assert_eq!(values, [Some(2.0), Some(1.0), Some(0.5), None]);
        let drawn: Vec<&Value> = rows[..3].iter().collect();
        assert_eq!(legend(&drawn), "green: Cython; blue: Rust; grey: bitmap only");
        let text = svg("m", &rows);
        assert!(text.contains("speedup over b, log scale (pure Python missing"), "{text}");
        assert!(text.contains(r##"fill="#a00">failed verification</text>"##), "{text}");
    }

    #[test]
    fn nothing_timed_is_a_chart_that_says_so() {
        let text = svg("m", &[row("d", "C", "counts", "missing", None)]);
        assert!(text.contains(">no timed rung</text>") && !text.contains("class=\"bar\""), "{text}");
    }
}
