//! A file's bytes read as `readers.load_json` reads them: decoded as UTF-8 and parsed by `json.loads`
//! (CPython's scanner: NaN and the infinities, ints of any size, a repeated key's last value), into the
//! values the checker takes ([`Py`]), with Python's messages when they are not JSON; and values written
//! back as `json.dumps` writes them for the reports, refusing what JSON cannot hold. `scripts/compare` reads
//! its summaries here ([`crate::compare_results`]).

use crate::pyjson::{Int, Py, PyStr};

/// Containers nested deeper than this are refused as "nested too deeply": the depth the summaries could
/// have when Python sent them to the checker (serde_json's 128 levels, less the request's own).
pub const MAX_DEPTH: usize = 124;

/// `load_json`'s message for `bytes` that are not a JSON value Python reads (after the file's path and
/// `: `), or the value.
pub fn load(bytes: &[u8]) -> Result<Py, String> {
    let text = std::str::from_utf8(bytes).map_err(|e| format!("not UTF-8: {}", utf8_error(bytes, &e)))?;
    let chars: Vec<char> = text.chars().collect();
    let mut scanner = Scanner { s: &chars, depth: 0 };
    scanner.document().map_err(|e| match e {
        Fail::Deep => "JSON nested too deeply to read".into(),
        Fail::At(msg, pos) => format!("not valid JSON: {}", scanner.located(msg, pos)),
    })
}

/// Python's UnicodeDecodeError text for the first bad sequence.
fn utf8_error(bytes: &[u8], e: &std::str::Utf8Error) -> String {
    let start = e.valid_up_to();
    let (end, why) = match e.error_len() {
        None => (bytes.len(), "unexpected end of data"),
        Some(n) if (0xc2..=0xf4).contains(&bytes[start]) => (start + n, "invalid continuation byte"),
        Some(n) => (start + n, "invalid start byte"),
    };
    if end == start + 1 {
        format!("'utf-8' codec can't decode byte 0x{:02x} in position {start}: {why}", bytes[start])
    } else {
        format!("'utf-8' codec can't decode bytes in position {start}-{}: {why}", end - 1)
    }
}

enum Fail {
    /// A JSONDecodeError: its message and position (in code points).
    At(&'static str, usize),
    /// Python's RecursionError.
    Deep,
}

/// Python's StopIteration from the scanner: "Expecting value" where a value was to start.
fn expecting(pos: usize) -> Fail {
    Fail::At("Expecting value", pos)
}

struct Scanner<'a> {
    s: &'a [char],
    depth: usize,
}

impl Scanner<'_> {
    fn at(&self, i: usize) -> Option<char> {
        self.s.get(i).copied()
    }

    fn skip_space(&self, mut i: usize) -> usize {
        while matches!(self.at(i), Some(' ' | '\t' | '\n' | '\r')) {
            i += 1;
        }
        i
    }

    /// JSONDecodeError's text: the message, then where (line, column, and the code point's index).
    fn located(&self, msg: &str, pos: usize) -> String {
        let before = &self.s[..pos.min(self.s.len())];
        let line = before.iter().filter(|&&c| c == '\n').count() + 1;
        let column = pos - before.iter().rposition(|&c| c == '\n').map_or(0, |i| i + 1) + 1;
        format!("{msg}: line {line} column {column} (char {pos})")
    }

    /// `json.loads`: one value, whitespace around it.
    fn document(&mut self) -> Result<Py, Fail> {
        if self.at(0) == Some('\u{feff}') {
            return Err(Fail::At("Unexpected UTF-8 BOM (decode using utf-8-sig)", 0));
        }
        let (value, end) = self.value(self.skip_space(0))?;
        let end = self.skip_space(end);
        if end != self.s.len() {
            return Err(Fail::At("Extra data", end));
        }
        Ok(value)
    }

    /// The value starting at `i`, and where it ends (`scan_once`).
    fn value(&mut self, i: usize) -> Result<(Py, usize), Fail> {
        let word = |w: &str| self.s.get(i..i + w.chars().count()).is_some_and(|s| s.iter().copied().eq(w.chars()));
        match self.at(i) {
            None => Err(expecting(i)),
            Some('"') => self.string(i + 1).map(|(s, end)| (Py::Str(s), end)),
            Some(open @ ('{' | '[')) => {
                if self.depth == MAX_DEPTH {
                    return Err(Fail::Deep);
                }
                self.depth += 1;
                let found = if open == '{' { self.object(i + 1) } else { self.array(i + 1) };
                self.depth -= 1;
                found
            }
            _ if word("null") => Ok((Py::None, i + 4)),
            _ if word("true") => Ok((Py::Bool(true), i + 4)),
            _ if word("false") => Ok((Py::Bool(false), i + 5)),
            _ if word("NaN") => Ok((Py::Float(f64::NAN), i + 3)),
            _ if word("Infinity") => Ok((Py::Float(f64::INFINITY), i + 8)),
            _ if word("-Infinity") => Ok((Py::Float(f64::NEG_INFINITY), i + 9)),
            _ => self.number(i),
        }
    }

    /// A number (`_match_number`): an int, or a float where a fraction or an exponent follows.
    fn number(&self, start: usize) -> Result<(Py, usize), Fail> {
        let digit = |i: usize| self.at(i).is_some_and(|c| c.is_ascii_digit());
        let digits_from = |mut i: usize| {
            while digit(i) {
                i += 1;
            }
            i
        };
        let mut i = start + usize::from(self.at(start) == Some('-'));
        i = match self.at(i) {
            Some('1'..='9') => digits_from(i + 1),
            Some('0') => i + 1,
            _ => return Err(expecting(start)),
        };
        let mut float = false;
        if self.at(i) == Some('.') && digit(i + 1) {
            (float, i) = (true, digits_from(i + 2));
        }
        if matches!(self.at(i), Some('e' | 'E')) {
            let sign = usize::from(matches!(self.at(i + 1), Some('+' | '-')));
            if digit(i + 1 + sign) {
                (float, i) = (true, digits_from(i + 1 + sign));
            }
        }
        let text: String = self.s[start..i].iter().collect();
        let value = if float {
            Py::Float(text.parse().expect("a float's digits"))
        } else {
            Py::Int(Int::parse(&text).expect("an int's digits"))
        };
        Ok((value, i))
    }

    /// A string's body from `start` (after its quote) to its closing quote (`scanstring`): its code points
    /// as a [`PyStr`], and where it ends.
    fn string(&self, start: usize) -> Result<(PyStr, usize), Fail> {
        let mut out: Vec<u32> = Vec::new();
        let mut i = start;
        loop {
            let c = self.at(i).ok_or(Fail::At("Unterminated string starting at", start - 1))?;
            match c {
                '"' => return Ok((PyStr::from_code_points(&out), i + 1)),
                '\\' => {}
                c if u32::from(c) <= 0x1f => return Err(Fail::At("Invalid control character at", i)),
                c => {
                    out.push(c.into());
                    i += 1;
                    continue;
                }
            }
            let escaped = match self.at(i + 1) {
                None => return Err(Fail::At("Unterminated string starting at", start - 1)),
                Some('u') => None,
                Some(e @ ('"' | '\\' | '/')) => Some(e),
                Some('b') => Some('\u{8}'),
                Some('f') => Some('\u{c}'),
                Some('n') => Some('\n'),
                Some('r') => Some('\r'),
                Some('t') => Some('\t'),
                Some(_) => return Err(Fail::At("Invalid \\escape", i)),
            };
            if let Some(e) = escaped {
                out.push(e.into());
                i += 2;
                continue;
            }
            // \uXXXX, and a low surrogate's \uXXXX after a high one: one code point
            let hex = |u: usize| -> Result<u32, Fail> {
                let digits: String = self.s[u + 1..u + 5].iter().collect();
                u32::from_str_radix(&digits, 16)
                    .ok()
                    .filter(|_| digits.chars().all(|d| d.is_ascii_hexdigit()))
                    .ok_or(Fail::At("Invalid \\uXXXX escape", u))
            };
            let u = i + 1;
            if u + 5 >= self.s.len() {
                return Err(Fail::At("Invalid \\uXXXX escape", u));
            }
            let mut code = hex(u)?;
            i = u + 5;
            if (0xd800..0xdc00).contains(&code) && i + 6 < self.s.len() && self.s[i..i + 2] == ['\\', 'u'] {
                let low = hex(i + 1)?;
                if (0xdc00..0xe000).contains(&low) {
                    code = 0x10000 + ((code - 0xd800) << 10) + (low - 0xdc00);
                    i += 6;
                }
            }
            out.push(code);
        }
    }

    fn object(&mut self, open: usize) -> Result<(Py, usize), Fail> {
        let mut items: Vec<(PyStr, Py)> = Vec::new();
        let mut i = self.skip_space(open);
        if self.at(i) == Some('}') {
            return Ok((Py::Dict(items), i + 1));
        }
        loop {
            if self.at(i) != Some('"') {
                return Err(Fail::At("Expecting property name enclosed in double quotes", i));
            }
            let (key, end) = self.string(i + 1)?;
            i = self.skip_space(end);
            if self.at(i) != Some(':') {
                return Err(Fail::At("Expecting ':' delimiter", i));
            }
            let (value, end) = self.value(self.skip_space(i + 1))?;
            // a repeated key: the last value stands, where the first stood (a dict's assignment)
            match items.iter_mut().find(|(k, _)| *k == key) {
                Some(item) => item.1 = value,
                None => items.push((key, value)),
            }
            i = self.skip_space(end);
            match self.at(i) {
                Some('}') => return Ok((Py::Dict(items), i + 1)),
                Some(',') => i = self.skip_space(i + 1),
                _ => return Err(Fail::At("Expecting ',' delimiter", i)),
            }
        }
    }

    fn array(&mut self, open: usize) -> Result<(Py, usize), Fail> {
        let mut items = Vec::new();
        let mut i = self.skip_space(open);
        if self.at(i) == Some(']') {
            return Ok((Py::List(items), i + 1));
        }
        loop {
            let (value, end) = self.value(i)?;
            items.push(value);
            i = self.skip_space(end);
            match self.at(i) {
                Some(']') => return Ok((Py::List(items), i + 1)),
                Some(',') => i = self.skip_space(i + 1),
                _ => return Err(Fail::At("Expecting ',' delimiter", i)),
            }
        }
    }
}

/// `json.dumps(value, allow_nan=False)` as the reports read it back (serde_json): the value's JSON, or
/// what JSON cannot hold (NaN, an infinity, an int past a float's range, a lone surrogate), as Python
/// writes it.
pub fn dumps(value: &Py) -> Result<String, String> {
    let mut out = String::new();
    write_json(value, &mut out)?;
    Ok(out)
}

fn write_json(value: &Py, out: &mut String) -> Result<(), String> {
    let cannot = |what: &str, v: &Py| Err(format!("{what} JSON cannot carry: {}", v.repr()));
    match value {
        Py::None => out.push_str("null"),
        Py::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Py::Int(i) if i.to_i64().is_none() && i.to_u64().is_none() && i.to_f64().is_none() => {
            return cannot("a number", value);
        }
        Py::Int(i) => out.push_str(&i.to_string()),
        Py::Float(x) if !x.is_finite() => return cannot("a number", value),
        Py::Float(x) => out.push_str(&crate::pyfmt::repr(*x)),
        Py::Str(s) => {
            let text = s.to_text().ok_or_else(|| format!("a string JSON cannot carry: {}", s.repr()))?;
            out.push_str(&serde_json::to_string(&text).map_err(|e| e.to_string())?);
        }
        Py::List(items) => {
            out.push('[');
            for (n, item) in items.iter().enumerate() {
                out.push_str(if n == 0 { "" } else { "," });
                write_json(item, out)?;
            }
            out.push(']');
        }
        Py::Dict(items) => {
            out.push('{');
            for (n, (key, item)) in items.iter().enumerate() {
                out.push_str(if n == 0 { "" } else { "," });
                write_json(&Py::Str(key.clone()), out)?;
                out.push(':');
                write_json(item, out)?;
            }
            out.push('}');
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(text: &str) -> String {
        load(text.as_bytes()).err().unwrap_or_else(|| panic!("{text:?} was read"))
    }

    /// Each of Python 3.11's JSONDecodeError messages, at the position `json.loads` gives it.
    #[test]
    fn what_is_not_json_is_said_as_python_says_it() {
        for (text, said) in [
            ("", "Expecting value: line 1 column 1 (char 0)"),
            ("  ", "Expecting value: line 1 column 3 (char 2)"),
            ("[", "Expecting value: line 1 column 2 (char 1)"),
            ("[1,]", "Expecting value: line 1 column 4 (char 3)"),
            ("{", "Expecting property name enclosed in double quotes: line 1 column 2 (char 1)"),
            ("{\"a\":1,}", "Expecting property name enclosed in double quotes: line 1 column 8 (char 7)"),
            ("{\"a\" 1}", "Expecting ':' delimiter: line 1 column 6 (char 5)"),
            ("[1 2]", "Expecting ',' delimiter: line 1 column 4 (char 3)"),
            ("nul", "Expecting value: line 1 column 1 (char 0)"),
            ("-", "Expecting value: line 1 column 1 (char 0)"),
            ("-Inf", "Expecting value: line 1 column 1 (char 0)"),
            ("1.", "Extra data: line 1 column 2 (char 1)"),
            ("1e", "Extra data: line 1 column 2 (char 1)"),
            ("01", "Extra data: line 1 column 2 (char 1)"),
            ("{} x", "Extra data: line 1 column 4 (char 3)"),
            ("\"a\u{1}\"", "Invalid control character at: line 1 column 3 (char 2)"),
            ("\"abc", "Unterminated string starting at: line 1 column 1 (char 0)"),
            ("\"\\q\"", "Invalid \\escape: line 1 column 2 (char 1)"),
            ("\"\\u12\"", "Invalid \\uXXXX escape: line 1 column 3 (char 2)"),
            ("\"\\u12x4\"", "Invalid \\uXXXX escape: line 1 column 3 (char 2)"),
            ("\"\\ud800\\u12x4\"", "Invalid \\uXXXX escape: line 1 column 9 (char 8)"),
            ("\u{feff}{}", "Unexpected UTF-8 BOM (decode using utf-8-sig): line 1 column 1 (char 0)"),
            ("{\n  \"é\": [1,\n  2 3]}", "Expecting ',' delimiter: line 3 column 5 (char 17)"),
        ] {
            assert_eq!(err(text), format!("not valid JSON: {said}"), "{text:?}");
        }
        assert_eq!(
            load(b"{\"a\": \xff}").unwrap_err(),
            "not UTF-8: 'utf-8' codec can't decode byte 0xff in position 6: invalid start byte"
        );
        assert_eq!(
            load(b"\xe2\x82").unwrap_err(),
            "not UTF-8: 'utf-8' codec can't decode bytes in position 0-1: unexpected end of data"
        );
        for (bytes, said) in [
            (&b"\"\xe2(\""[..], "byte 0xe2 in position 1: invalid continuation byte"),
            (b"\xed\xa0\x80", "byte 0xed in position 0: invalid continuation byte"),
            (b"\xf0\x90\x80x", "bytes in position 0-2: invalid continuation byte"),
            (b"\xc0\xaf", "byte 0xc0 in position 0: invalid start byte"),
        ] {
            assert_eq!(load(bytes).unwrap_err(), format!("not UTF-8: 'utf-8' codec can't decode {said}"));
        }
    }

    /// The values `json.loads` makes: NaN and the infinities, ints of any size, a repeated key's last
    /// value in its first place, a surrogate pair joined and a lone one kept (spelled as `readers.wire`
    /// spelled it), and nesting up to [`MAX_DEPTH`].
    #[test]
    fn values_are_read_as_python_reads_them() {
        let read = |text: &str| load(text.as_bytes()).unwrap_or_else(|e| panic!("{text}: {e}")).repr();
        assert_eq!(read("[NaN, Infinity, -Infinity, -0, 1E2, 123456789012345678901234567890]"), {
            "[nan, inf, -inf, 0, 100.0, 123456789012345678901234567890]"
        });
        assert_eq!(read(r#"{"a": 1, "b": 2, "a": 3}"#), "{'a': 3, 'b': 2}");
        assert_eq!(read(r#""\ud83d\ude00 \ud800 \u2028 \/""#), r"'😀 \ud800 \u2028 /'");
        let nested = |n: usize| "[".repeat(n) + &"]".repeat(n);
        assert!(load(nested(MAX_DEPTH).as_bytes()).is_ok());
        assert_eq!(err(&nested(MAX_DEPTH + 1)), "JSON nested too deeply to read");
    }

    #[test]
    fn what_json_cannot_hold_is_refused_when_written_back() {
        let dumped = |text: &str| dumps(&load(text.as_bytes()).expect("JSON"));
        assert_eq!(dumped(r#"{"a": [1, 2.5, -0.0, 1e300, "x\n", null, true]}"#).unwrap(), {
            r#"{"a":[1,2.5,-0.0,1e+300,"x\n",null,true]}"#
        });
        assert_eq!(dumped("[1, NaN]").unwrap_err(), "a number JSON cannot carry: nan");
        assert_eq!(dumped(&"9".repeat(400)).unwrap_err(), format!("a number JSON cannot carry: {}", "9".repeat(400)));
        assert_eq!(dumped(r#"{"\ud800": 1}"#).unwrap_err(), r"a string JSON cannot carry: '\ud800'");
        assert_eq!(dumped(r#""\udbff\udfff""#).unwrap(), "\"\u{10ffff}\"");
    }
}
