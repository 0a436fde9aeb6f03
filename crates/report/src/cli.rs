//! What `scripts/compare` ([`crate::compare_results`]) and `scripts/ab` ([`crate::ab_cli`]) share on their
//! command lines: clap's settings for argparse's ways, and a percentage as both take it.

use crate::pyjson::PyStr;
use std::ffi::OsString;

/// A script's arguments parsed by `command` named `prog`, with argparse's ways, as the scripts had them: an
/// option given twice takes the last, an unambiguous prefix names its option, `-1` is a value.
pub fn matches(command: clap::Command, prog: &str, argv: Vec<OsString>) -> clap::error::Result<clap::ArgMatches> {
    command
        .args_override_self(true)
        .infer_long_args(true)
        .allow_negative_numbers(true)
        .try_get_matches_from(std::iter::once(OsString::from(prog)).chain(argv))
}

/// Python's `repr` of a string.
pub fn py_repr(s: &str) -> String {
    PyStr::from_code_points(&s.chars().map(u32::from).collect::<Vec<_>>()).repr()
}

/// Python's `float(text)`: surrounding whitespace (Unicode's, as `trim`), `_` between digits, `inf`, `nan`.
fn py_float(text: &str) -> Option<f64> {
    let text = text.trim();
    let b = text.as_bytes();
    let digit_around = |i: usize| i > 0 && b[i - 1].is_ascii_digit() && b.get(i + 1).is_some_and(u8::is_ascii_digit);
    if (0..b.len()).any(|i| b[i] == b'_' && !digit_around(i)) {
        return None;
    }
    text.replace('_', "").parse().ok()
}

/// A percentage (`5`, `5%`) as a fraction, 0 or more.
pub fn percent(text: &str) -> Result<f64, String> {
    let value = py_float(text.trim_end_matches('%')).ok_or_else(|| format!("not a percentage: {}", py_repr(text)))?;
    if value.is_nan() || value < 0.0 {
        return Err(format!("must be 0 or more: {}", py_repr(text)));
    }
    Ok(value / 100.0)
}

/// A noise floor (both scripts' --noise-floor): below 100 (at 100 or more nothing could be `faster`: no
/// change takes more than all of the time away).
pub fn floor_percent(text: &str) -> Result<f64, String> {
    Some(percent(text)?).filter(|&v| v < 1.0).ok_or_else(|| format!("a percentage below 100: {}", py_repr(text)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentages_are_read_as_python_reads_them_and_held_to_their_ranges() {
        for (text, value) in [("5", 0.05), ("5%", 0.05), (" 7 ", 0.07), ("1_0", 0.1), ("0", 0.0), ("99.5", 0.995)] {
            assert_eq!(floor_percent(text), Ok(value), "{text}");
        }
        for (text, why) in [
            ("100", "a percentage below 100: '100'"),
            ("inf", "a percentage below 100: 'inf'"),
            ("-1", "must be 0 or more: '-1'"),
            ("nan", "must be 0 or more: 'nan'"),
            ("five", "not a percentage: 'five'"),
            ("_1", "not a percentage: '_1'"),
            ("1__0", "not a percentage: '1__0'"),
        ] {
            assert_eq!(floor_percent(text), Err(why.into()), "{text}");
        }
    }
}
