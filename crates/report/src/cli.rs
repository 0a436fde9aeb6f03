//! What `scripts/compare` ([`crate::compare_results`]) and `scripts/ab` ([`crate::ab_cli`]) share on their
//! command lines: clap's settings for argparse's ways, a percentage as both take it, and how an error ends
//! them.

use crate::pyjson::PyStr;
use std::ffi::OsString;
use std::process::ExitCode;

/// A script's arguments parsed by `command` named `prog`, with argparse's ways: an option given twice takes
/// the last, an unambiguous prefix names its option, `-1` is a value.
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

/// A number as Python's `int` and `float` read it: surrounding whitespace (Unicode's, as `trim`) and `_` between
/// digits dropped; None where an `_` is elsewhere.
fn py_number(text: &str) -> Option<String> {
    let b = text.trim().as_bytes();
    let digit_around = |i: usize| i > 0 && b[i - 1].is_ascii_digit() && b.get(i + 1).is_some_and(u8::is_ascii_digit);
    (0..b.len()).all(|i| b[i] != b'_' || digit_around(i)).then(|| text.trim().replace('_', ""))
}

/// Python's `float(text)`: [`py_number`]'s text, `inf` and `nan` taken.
fn py_float(text: &str) -> Option<f64> {
    py_number(text)?.parse().ok()
}

/// argparse's `type=int`: Python's `int(text)`, or its refusal.
pub fn py_int(text: &str) -> Result<i128, String> {
    py_number(text).and_then(|t| t.parse().ok()).ok_or_else(|| format!("invalid int value: {}", py_repr(text)))
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

/// `PROG: error: MESSAGE` on standard error (its spelled code points [`restored`]), and exit status 2.
pub fn error(prog: &str, message: &str) -> ExitCode {
    eprintln!("{prog}: error: {}", restored(message));
    ExitCode::from(2)
}

/// A message as printed: each code point a [`PyStr`] spells (U+10FFFF and its hex) as itself, a lone
/// surrogate as Python's stderr (`backslashreplace`) writes it.
fn restored(message: &str) -> String {
    let spelled = PyStr::from(message).code_points();
    spelled.iter().map(|&c| char::from_u32(c).map_or_else(|| format!("\\u{c:04x}"), String::from)).collect()
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
        assert_eq!((py_int(" +7 "), py_int("1_0"), py_int("-5")), (Ok(7), Ok(10), Ok(-5)));
        assert_eq!(py_int("1__0"), Err("invalid int value: '1__0'".into()));
        assert_eq!(py_int("7.0"), Err("invalid int value: '7.0'".into()));
    }

    #[test]
    fn a_message_spells_what_python_printed() {
        assert_eq!(restored("x \u{10FFFF}00d800 \u{10FFFF}10ffff y"), "x \\ud800 \u{10FFFF} y");
    }
}
