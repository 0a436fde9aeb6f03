//! The ladder's table, in summary.md and on the console: its columns ([`COLUMNS`], the article's three
//! first) and the two renderers, aligned plain text ([`text_table`]) and Markdown ([`md_table`]), which
//! scripts/compare's and scripts/ab's tables use too, as the scripts' Python rendered them.

use crate::figures::{DASH, agreement, number, percent, rate, span, speedup, threads, time};
use crate::md::md;
use crate::pyvalue::{py_str, truthy};
use serde_json::Value;

/// A cell of a row: what the column shows for it.
type Cell = fn(&Value) -> String;

fn field<'a>(row: &'a Value, key: &str) -> Option<&'a Value> {
    row.get(key)
}

fn status(row: &Value) -> Option<&str> {
    row.get("status").and_then(Value::as_str)
}

/// `r[key] or DASH`.
fn or_dash(row: &Value, key: &str) -> String {
    field(row, key).filter(|v| truthy(v)).map_or(DASH.into(), py_str)
}

fn seconds(row: &Value, key: &str) -> Option<f64> {
    number(field(row, key))
}

/// The summary table: (header, cell) in the order shown. The article's three columns come first.
pub const COLUMNS: [(&str, Cell); 13] = [
    ("method", |r| field(r, "method").map_or("None".into(), py_str)),
    ("time (median)", |r| if status(r) == Some("missing") { "missing".into() } else { time(seconds(r, "median_s")) }),
    ("speedup", |r| {
        if status(r) == Some("failed") {
            "no (failed verification)".into()
        } else {
            speedup(seconds(r, "speedup_vs_python"))
        }
    }),
    ("vs previous", |r| speedup(seconds(r, "speedup_vs_previous"))),
    ("spread", |r| span(seconds(r, "spread_low_s"), seconds(r, "spread_high_s"))),
    ("language", |r| or_dash(r, "language")),
    ("precision", |r| or_dash(r, "precision")),
    ("ISA", |r| or_dash(r, "isa")),
    ("threads", threads),
    ("iterations/s", |r| rate(seconds(r, "iterations_per_s"))),
    ("of step ceiling", |r| percent(seconds(r, "step_share"))),
    ("of FMA peak", |r| percent(seconds(r, "peak_share"))),
    ("agreement", agreement),
];

/// The columns aligned right: the figures.
pub const RIGHT: [&str; 7] =
    ["time (median)", "speedup", "vs previous", "spread", "iterations/s", "of step ceiling", "of FMA peak"];

/// The table of `rows`: its header and a line of cells per row.
pub fn cells(rows: &[Value]) -> (Vec<String>, Vec<Vec<String>>) {
    let header = COLUMNS.iter().map(|(h, _)| h.to_string()).collect();
    let body = rows.iter().map(|r| COLUMNS.iter().map(|(_, cell)| cell(r)).collect()).collect();
    (header, body)
}

/// Python's `str.isspace`: Unicode's white space and the four information separators U+001C..U+001F.
pub(crate) fn python_space(c: char) -> bool {
    c.is_whitespace() || matches!(c, '\u{1c}'..='\u{1f}')
}

/// Aligned plain text for the console: columns two spaces apart, the `right` ones aligned right, widths
/// counted in characters (as Python's `len`), each line's trailing space trimmed.
pub fn text_table(header: &[String], body: &[Vec<String>], right: &[&str]) -> String {
    let width = |i: usize| {
        std::iter::once(&header[i]).chain(body.iter().map(|r| &r[i])).map(|x| x.chars().count()).max().unwrap_or(0)
    };
    let widths: Vec<usize> = (0..header.len()).map(width).collect();
    let line = |values: &[String]| -> String {
        let cells = values.iter().zip(&widths).zip(header).map(|((v, &w), h)| {
            let pad = " ".repeat(w.saturating_sub(v.chars().count()));
            if right.contains(&h.as_str()) { format!("{pad}{v}") } else { format!("{v}{pad}") }
        });
        cells.collect::<Vec<_>>().join("  ").trim_end_matches(python_space).to_string()
    };
    let rule: Vec<String> = widths.iter().map(|&w| "-".repeat(w)).collect();
    let mut lines = vec![line(header), line(&rule)];
    lines.extend(body.iter().map(|r| line(r)));
    lines.join("\n")
}

/// A Markdown table, every cell escaped (`md`), the `right` columns aligned right.
pub fn md_table(header: &[String], body: &[Vec<String>], right: &[&str]) -> String {
    let rule: Vec<String> =
        header.iter().map(|h| if right.contains(&h.as_str()) { "---:" } else { "---" }.to_string()).collect();
    let row = |cells: &[String]| format!("| {} |", cells.iter().map(|c| md(c)).collect::<Vec<_>>().join(" | "));
    std::iter::once(row(header))
        .chain(std::iter::once(row(&rule)))
        .chain(body.iter().map(|r| row(r)))
        .collect::<Vec<_>>()
        .join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn strings(items: &[&str]) -> Vec<String> {
        items.iter().map(|s| s.to_string()).collect()
    }

    /// What the scripts' Python tables rendered for the same table.
    #[test]
    fn tables_render_as_the_scripts_did() {
        let header = strings(&["name", "time (median)"]);
        let body = vec![strings(&["a|b", "1.00 s"]), strings(&["µlong name", "12 ms"])];
        assert_eq!(
            text_table(&header, &body, &RIGHT),
            "name        time (median)\n----------  -------------\na|b                1.00 s\nµlong name          12 ms"
        );
        assert_eq!(
            md_table(&header, &body, &RIGHT),
            "| name | time (median) |\n| --- | ---: |\n| a\\|b | 1.00 s |\n| µlong name | 12 ms |"
        );
    }

    #[test]
    fn a_row_gets_a_cell_per_column() {
        let row = json!({"name": "k", "method": null, "status": "failed", "median_s": 0.5, "speedup_vs_python": null,
                         "speedup_vs_previous": null, "spread_low_s": 0.4, "spread_high_s": 0.6, "language": "",
                         "precision": "f32", "isa": "avx2", "threads": 2, "iterations_per_s": 4e8,
                         "step_share": 0.05, "peak_share": 0.5, "differing": 5, "allowed": 2, "verified_ok": false});
        let (header, body) = cells(&[row]);
        assert_eq!(header.len(), 13);
        assert_eq!(
            body[0],
            strings(&[
                "None",
                "500 ms",
                "no (failed verification)",
                DASH,
                "400–600 ms",
                DASH,
                "f32",
                "avx2",
                "2",
                "400.0 M/s",
                "5.00%",
                "50.0%",
                "FAIL 5/2"
            ])
        );
    }
}
