//! summary.csv and sweeps.csv, written as Python's `csv` module (QUOTE_MINIMAL) writes them: a field is
//! quoted when it holds the delimiter, the quote or a character of the line terminator, a quote inside
//! doubled. A cell is Python's `str()` of the value, empty for null; text that a spreadsheet would run as
//! a formula (CSV injection) gets a leading `'` (a number stays a number).

use crate::pyvalue::py_str;
use serde_json::Value;

/// A text cell starting with one of these is a formula to a spreadsheet.
const FORMULA_START: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// The CSV text of `rows` (each a cell per column of `header`), each line ended by `terminator`.
pub fn text(header: &[&str], rows: impl IntoIterator<Item = Vec<String>>, terminator: &str) -> String {
    let line = |cells: Vec<String>| {
        let quoted: Vec<String> = cells.iter().map(|c| field(c, terminator)).collect();
        quoted.join(",") + terminator
    };
    let mut out = line(header.iter().map(|h| h.to_string()).collect());
    out.extend(rows.into_iter().map(line));
    out
}

fn field(cell: &str, terminator: &str) -> String {
    if cell.contains(|c| c == ',' || c == '"' || terminator.contains(c)) {
        format!("\"{}\"", cell.replace('"', "\"\""))
    } else {
        cell.to_string()
    }
}

/// A value's cell: null empty, text as [`text_cell`].
pub fn cell(v: Option<&Value>) -> String {
    match v {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(s)) => text_cell(s),
        Some(v) => py_str(v),
    }
}

/// A text's cell: one a spreadsheet would run as a formula quoted with `'`.
pub fn text_cell(s: &str) -> String {
    if s.starts_with(FORMULA_START) { format!("'{s}") } else { s.to_string() }
}

/// The cell of what may be missing: empty when it is.
pub fn optional<T: ToString>(v: Option<T>) -> String {
    v.map_or(String::new(), |v| v.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn fields_are_quoted_as_pythons_csv_module_quotes_them() {
        let row = ["a\rb", "c\nd", "e,f", "g\"h", " i", "", "1.0"].map(String::from).to_vec();
        let header = ["1", "2", "3", "4", "5", "6", "7"];
        assert_eq!(
            text(&header, [row.clone()], "\r\n"),
            "1,2,3,4,5,6,7\r\n\"a\rb\",\"c\nd\",\"e,f\",\"g\"\"h\", i,,1.0\r\n"
        );
        // with "\n" ending the lines, a carriage return is no reason to quote
        assert!(text(&header, [row], "\n").ends_with("a\rb,\"c\nd\",\"e,f\",\"g\"\"h\", i,,1.0\n"));
    }

    #[test]
    fn a_cell_is_pythons_str_and_text_never_a_formula() {
        let cells: Vec<String> = [json!(null), json!("=1+2"), json!("-x"), json!("\tw"), json!(-0.5), json!(-3)]
            .iter()
            .map(|v| cell(Some(v)))
            .collect();
        assert_eq!(cells, ["", "'=1+2", "'-x", "'\tw", "-0.5", "-3"]);
        assert_eq!(
            (cell(None), cell(Some(&json!(true))), cell(Some(&json!(2.0)))),
            ("".into(), "True".into(), "2.0".into())
        );
    }
}
