//! JSON values as Python's `json.loads` made them, for the input checker ([`crate::check`]), which must say
//! of them what the scripts said: an int of any size, NaN and the infinities (which `json.loads` reads and
//! JSON cannot write), objects in their written order, and Python's `repr`, `str`, `==`, `<` and
//! arithmetic on them. The scripts send what JSON (or serde_json) cannot hold as a marker object
//! (`readers.wire`): `{"$py": "nan"}` (`"inf"`, `"-inf"`), `{"$py": "int", "digits": "-12..."}` for an
//! int past 64 bits, `{"$py": "str", "text": ..., "repr": ...}` for a string whose `repr` escapes more
//! than `str_repr` does (an unprintable non-ASCII character; a lone surrogate, which no Rust string
//! holds: `text` spells it U+10FFFF and its code point in hex, which the scripts turn back in a message),
//! and `{"$py": "dict", "items": [[key, value], ...]}` for an object with such a key or a key `$py` of its
//! own. A value the checker answers with goes back the same way (`Serialize`: `readers._unwire`), but for
//! its strings, sent as their text, which the scripts turn back (the only U+10FFFF in a string is one
//! that spells a code point).

use crate::pyfmt;
use crate::pyvalue::str_repr;
use serde::de::{Deserialize, Deserializer, Error, MapAccess, SeqAccess, Visitor};
use serde::ser::{Serialize, SerializeMap, SerializeSeq, Serializer};
use std::cmp::Ordering;
use std::fmt;

/// A value `json.loads` can return.
#[derive(Clone, Debug)]
pub enum Py {
    None,
    Bool(bool),
    Int(Int),
    Float(f64),
    Str(PyStr),
    List(Vec<Py>),
    /// An object, its keys in the order written.
    Dict(Vec<(PyStr, Py)>),
}

/// `d.get(key)` of a key that is not there.
pub static NONE: Py = Py::None;

/// A string: its text, and Python's `repr` of it where `str_repr` would not write that.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct PyStr {
    pub text: String,
    repr: Option<String>,
}

impl PyStr {
    pub fn repr(&self) -> String {
        self.repr.clone().unwrap_or_else(|| str_repr(&self.text))
    }

    /// Its code points as Python holds them (a lone surrogate as itself, not as the text spells it):
    /// what Python orders strings by.
    pub fn code_points(&self) -> Vec<u32> {
        let mut out = Vec::new();
        let mut chars = self.text.chars();
        while let Some(c) = chars.next() {
            let spelled = (c == '\u{10FFFF}').then(|| chars.clone().take(6).collect::<String>());
            match spelled.and_then(|hex| u32::from_str_radix(&hex, 16).ok().filter(|_| hex.len() == 6)) {
                Some(code) => {
                    out.push(code);
                    chars.nth(5);
                }
                None => out.push(c.into()),
            }
        }
        out
    }
}

impl PyStr {
    /// A string of these code points as `readers.wire` sent it: a lone surrogate and U+10FFFF spelled as
    /// U+10FFFF and the code point in hex, and Python's `repr` kept where it escapes more than `str_repr`
    /// does (a string neither ASCII nor printable).
    pub fn from_code_points(code_points: &[u32]) -> PyStr {
        let mut text = String::new();
        for &c in code_points {
            match char::from_u32(c).filter(|&c| c != '\u{10FFFF}') {
                Some(c) => text.push(c),
                None => text.push_str(&format!("\u{10FFFF}{c:06x}")),
            }
        }
        let marked = !code_points.iter().all(|&c| c < 0x80 || printable(c));
        PyStr { text, repr: marked.then(|| repr_of(code_points)) }
    }

    /// The text itself ([`PyStr::code_points`] as a Rust string); None where it holds a lone surrogate.
    pub fn to_text(&self) -> Option<String> {
        self.code_points().into_iter().map(char::from_u32).collect()
    }
}

/// Python's `repr` of a string of these code points: each unprintable one escaped (`\xNN`, `\uNNNN`,
/// `\UNNNNNNNN`).
fn repr_of(code_points: &[u32]) -> String {
    let has = |q: char| code_points.contains(&u32::from(q));
    let quote = if has('\'') && !has('"') { '"' } else { '\'' };
    let mut out = String::from(quote);
    for &c in code_points {
        match char::from_u32(c) {
            Some(ch) if ch == quote || ch == '\\' => out.extend(['\\', ch]),
            Some('\t') => out.push_str("\\t"),
            Some('\n') => out.push_str("\\n"),
            Some('\r') => out.push_str("\\r"),
            Some(ch) if printable(c) => out.push(ch),
            _ if c <= 0xff => out.push_str(&format!("\\x{c:02x}")),
            _ if c <= 0xffff => out.push_str(&format!("\\u{c:04x}")),
            _ => out.push_str(&format!("\\U{c:08x}")),
        }
    }
    out.push(quote);
    out
}

/// Python's `str.isprintable` of one code point: not a control, format, surrogate, private-use or
/// unassigned character, nor a separator other than the space. Unassigned code points are known here
/// only as whole ranges (the noncharacters, the planes' unassigned ends): one inside an assigned block
/// counts as printable, which Python would escape.
fn printable(c: u32) -> bool {
    const NOT: [(u32, u32); 27] = [
        (0x00, 0x1f),
        (0x7f, 0xa0),
        (0xad, 0xad),
        (0x600, 0x605),
        (0x61c, 0x61c),
        (0x6dd, 0x6dd),
        (0x70f, 0x70f),
        (0x890, 0x891),
        (0x8e2, 0x8e2),
        (0x1680, 0x1680),
        (0x180e, 0x180e),
        (0x2000, 0x200f),
        (0x2028, 0x202f),
        (0x205f, 0x2064),
        (0x2066, 0x206f),
        (0x3000, 0x3000),
        (0xd800, 0xf8ff),
        (0xfdd0, 0xfdef),
        (0xfeff, 0xfeff),
        (0xfff9, 0xfffb),
        (0x110bd, 0x110bd),
        (0x110cd, 0x110cd),
        (0x13430, 0x13438),
        (0x1bca0, 0x1bca3),
        (0x1d173, 0x1d17a),
        (0x2fa1e, 0x2ffff),
        (0x3134b, 0xe00ff),
    ];
    c < 0xe01f0 && c & 0xfffe != 0xfffe && !NOT.iter().any(|&(lo, hi)| (lo..=hi).contains(&c))
}

impl From<&str> for PyStr {
    fn from(text: &str) -> PyStr {
        PyStr { text: text.to_string(), repr: None }
    }
}

impl fmt::Display for PyStr {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl Py {
    /// `d.get(key)`: the value, or None where `self` has no such key (or is no object).
    pub fn get(&self, key: &str) -> &Py {
        match self {
            Py::Dict(items) => items.iter().find(|(k, _)| k.text == key && k.repr.is_none()).map_or(&NONE, |(_, v)| v),
            _ => &NONE,
        }
    }

    /// `d.get(key)` of a key as read (a string of any kind).
    pub fn lookup(&self, key: &PyStr) -> &Py {
        self.entries().iter().find(|(k, _)| k == key).map_or(&NONE, |(_, v)| v)
    }

    /// `d[key] = value` of an object: in its place where the key is there, else last (as a dict does).
    pub fn set(&mut self, key: PyStr, value: Py) {
        if let Py::Dict(items) = self {
            match items.iter_mut().find(|(k, _)| *k == key) {
                Some(entry) => entry.1 = value,
                None => items.push((key, value)),
            }
        }
    }

    /// `key in d`.
    pub fn has(&self, key: &str) -> bool {
        matches!(self, Py::Dict(items) if items.iter().any(|(k, _)| k.text == key && k.repr.is_none()))
    }

    pub fn is_none(&self) -> bool {
        matches!(self, Py::None)
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            Py::Str(s) => Some(&s.text),
            _ => None,
        }
    }

    /// The items of a list (none for anything else).
    pub fn items(&self) -> &[Py] {
        match self {
            Py::List(items) => items,
            _ => &[],
        }
    }

    /// The entries of an object (none for anything else).
    pub fn entries(&self) -> &[(PyStr, Py)] {
        match self {
            Py::Dict(items) => items,
            _ => &[],
        }
    }

    /// An int (not a bool: Python's `isinstance(v, int) and not isinstance(v, bool)`).
    pub fn int(&self) -> Option<&Int> {
        match self {
            Py::Int(i) => Some(i),
            _ => None,
        }
    }

    /// `type(v).__name__`.
    pub fn type_name(&self) -> &'static str {
        match self {
            Py::None => "NoneType",
            Py::Bool(_) => "bool",
            Py::Int(_) => "int",
            Py::Float(_) => "float",
            Py::Str(_) => "str",
            Py::List(_) => "list",
            Py::Dict(_) => "dict",
        }
    }

    /// `repr(v)`.
    pub fn repr(&self) -> String {
        match self {
            Py::None => "None".into(),
            Py::Bool(b) => if *b { "True" } else { "False" }.into(),
            Py::Int(i) => i.to_string(),
            Py::Float(x) => pyfmt::repr(*x),
            Py::Str(s) => s.repr(),
            Py::List(items) => format!("[{}]", items.iter().map(Py::repr).collect::<Vec<_>>().join(", ")),
            Py::Dict(items) => {
                let entries: Vec<String> = items.iter().map(|(k, v)| format!("{}: {}", k.repr(), v.repr())).collect();
                format!("{{{}}}", entries.join(", "))
            }
        }
    }

    /// `str(v)`: what an f-string writes.
    pub fn str(&self) -> String {
        match self {
            Py::Str(s) => s.text.clone(),
            other => other.repr(),
        }
    }

    /// `bool(v)`.
    pub fn truthy(&self) -> bool {
        match self {
            Py::None => false,
            Py::Bool(b) => *b,
            Py::Int(i) => !i.is_zero(),
            Py::Float(x) => *x != 0.0,
            Py::Str(s) => !s.text.is_empty(),
            Py::List(items) => !items.is_empty(),
            Py::Dict(items) => !items.is_empty(),
        }
    }

    /// A number's `float(v)`: None for anything else, and for an int too large (Python's OverflowError).
    pub fn float(&self) -> Option<f64> {
        match self {
            Py::Bool(b) => Some(f64::from(u8::from(*b))),
            Py::Int(i) => i.to_f64(),
            Py::Float(x) => Some(*x),
            _ => None,
        }
    }

    /// `a < b` and the like of two numbers (a bool is 0 or 1), exactly as Python compares them (an int
    /// with a float too); None where either is no number, or NaN.
    pub fn cmp_num(&self, other: &Py) -> Option<Ordering> {
        let as_int = |v: &Py| match v {
            Py::Bool(b) => Some(Int::from(i64::from(*b))),
            Py::Int(i) => Some(i.clone()),
            _ => None,
        };
        match (self, other) {
            (Py::Float(a), Py::Float(b)) => a.partial_cmp(b),
            (Py::Float(a), b) => as_int(b).and_then(|b| b.cmp_float(*a)).map(Ordering::reverse),
            (a, Py::Float(b)) => as_int(a).and_then(|a| a.cmp_float(*b)),
            (a, b) => Some(as_int(a)?.cmp(&as_int(b)?)),
        }
    }

    /// `a > b` of two numbers.
    pub fn gt(&self, other: &Py) -> bool {
        self.cmp_num(other) == Some(Ordering::Greater)
    }

    /// `a == b`: numbers by value (1 == 1.0 == True, NaN equal to nothing), lists item by item, objects by
    /// their keys whatever the order.
    pub fn py_eq(&self, other: &Py) -> bool {
        match (self, other) {
            (Py::None, Py::None) => true,
            (Py::Str(a), Py::Str(b)) => a == b,
            (Py::List(a), Py::List(b)) => a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x.py_eq(y)),
            (Py::Dict(a), Py::Dict(b)) => {
                a.len() == b.len() && a.iter().all(|(k, v)| b.iter().any(|(k2, w)| k == k2 && v.py_eq(w)))
            }
            (a, b) => a.cmp_num(b) == Some(Ordering::Equal),
        }
    }
}

/// `a + b` of two numbers: an int where both are ints, else a float.
pub fn add(a: &Py, b: &Py) -> Py {
    match (a, b) {
        (Py::Int(x), Py::Int(y)) => Py::Int(x.add(y)),
        _ => Py::Float(a.float().unwrap_or(f64::NAN) + b.float().unwrap_or(f64::NAN)),
    }
}

/// `a / b` of two numbers: two ints correctly rounded, whatever their size, else as floats.
pub fn div(a: &Py, b: &Py) -> f64 {
    match (a, b) {
        (Py::Int(x), Py::Int(y)) => x.div(y),
        _ => a.float().unwrap_or(f64::NAN) / b.float().unwrap_or(f64::NAN),
    }
}

/// `min(values)`, `max(values)` (`pick` Less, Greater): the first of equals.
pub fn pick(values: &[Py], pick: Ordering) -> Option<&Py> {
    values.iter().reduce(|best, v| if v.cmp_num(best) == Some(pick) { v } else { best })
}

/// `statistics.median(values)` of numbers: the middle one as it is (an int stays an int), or the two middle
/// ones' sum halved; None for none. An int too large for a float beside a float gives NaN where Python
/// raises `OverflowError` (no checked input holds one: a time or a share is a finite float's size).
pub fn median(values: &[Py]) -> Option<Py> {
    let mut v: Vec<&Py> = values.iter().collect();
    v.sort_by(|a, b| a.cmp_num(b).unwrap_or(Ordering::Equal)); // stable, as sorted()
    let n = v.len();
    match n {
        0 => None,
        _ if n % 2 == 1 => Some(v[n / 2].clone()),
        _ => Some(Py::Float(div(&add(v[n / 2 - 1], v[n / 2]), &Py::Int(Int::from(2))))),
    }
}

/// The quartiles of the rounds' times ([`crate::rounds`], and the check of a summary's spread, which holds a
/// file to them): the medians of the lower and upper halves (an odd count's middle value in neither).
pub fn quartiles(values: &[Py]) -> (Py, Py) {
    let mut v = values.to_vec();
    v.sort_by(|a, b| a.cmp_num(b).unwrap_or(Ordering::Equal));
    let n = v.len();
    match n {
        0 => (Py::None, Py::None),
        1 => (v[0].clone(), v[0].clone()),
        _ => (median(&v[..n / 2]).unwrap_or(Py::None), median(&v[n.div_ceil(2)..]).unwrap_or(Py::None)),
    }
}

impl<'de> Deserialize<'de> for Py {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Py, D::Error> {
        struct Value;
        impl<'de> Visitor<'de> for Value {
            type Value = Py;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a JSON value")
            }
            fn visit_unit<E: Error>(self) -> Result<Py, E> {
                Ok(Py::None)
            }
            fn visit_bool<E: Error>(self, b: bool) -> Result<Py, E> {
                Ok(Py::Bool(b))
            }
            fn visit_i64<E: Error>(self, i: i64) -> Result<Py, E> {
                Ok(Py::Int(Int::from(i)))
            }
            fn visit_u64<E: Error>(self, u: u64) -> Result<Py, E> {
                Ok(Py::Int(Int::from_u128(u.into())))
            }
            fn visit_f64<E: Error>(self, x: f64) -> Result<Py, E> {
                Ok(Py::Float(x))
            }
            fn visit_str<E: Error>(self, s: &str) -> Result<Py, E> {
                Ok(Py::Str(s.into()))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Py, A::Error> {
                let mut items = Vec::new();
                while let Some(item) = seq.next_element()? {
                    items.push(item);
                }
                Ok(Py::List(items))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Py, A::Error> {
                let mut items: Vec<(PyStr, Py)> = Vec::new();
                while let Some((key, value)) = map.next_entry::<String, Py>()? {
                    // a repeated key: the last one stands, where the first stood (as json.loads does)
                    match items.iter_mut().find(|(k, _)| k.text == key) {
                        Some(entry) => entry.1 = value,
                        None => items.push((key.as_str().into(), value)),
                    }
                }
                let marker = Py::Dict(items);
                if !marker.has("$py") {
                    return Ok(marker);
                }
                match marker.get("$py").as_str() {
                    Some("nan") => Some(Py::Float(f64::NAN)),
                    Some("inf") => Some(Py::Float(f64::INFINITY)),
                    Some("-inf") => Some(Py::Float(f64::NEG_INFINITY)),
                    Some("int") => marker.get("digits").as_str().and_then(Int::parse).map(Py::Int),
                    Some("str") => marker
                        .get("text")
                        .as_str()
                        .zip(marker.get("repr").as_str())
                        .map(|(text, repr)| Py::Str(PyStr { text: text.to_string(), repr: Some(repr.to_string()) })),
                    Some("dict") => marker
                        .get("items")
                        .items()
                        .iter()
                        .map(|pair| match pair.items() {
                            [Py::Str(k), v] => Some((k.clone(), v.clone())),
                            _ => None,
                        })
                        .collect::<Option<_>>()
                        .map(Py::Dict),
                    _ => None,
                }
                .ok_or_else(|| A::Error::custom(format!("not a value the scripts mark: {}", marker.repr())))
            }
        }
        deserializer.deserialize_any(Value)
    }
}

/// A value as the scripts read it back (`readers._unwire`): JSON where JSON holds it, else the marker
/// the scripts sent it as; a string as its text.
impl Serialize for Py {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Py::None => serializer.serialize_unit(),
            Py::Bool(b) => serializer.serialize_bool(*b),
            Py::Int(i) => match (i.to_i64(), i.to_u64()) {
                (Some(v), _) => serializer.serialize_i64(v),
                (_, Some(v)) => serializer.serialize_u64(v),
                _ => {
                    let mut map = serializer.serialize_map(Some(2))?;
                    map.serialize_entry("$py", "int")?;
                    map.serialize_entry("digits", &i.to_string())?;
                    map.end()
                }
            },
            Py::Float(x) if x.is_finite() => serializer.serialize_f64(*x),
            Py::Float(x) => {
                let mut map = serializer.serialize_map(Some(1))?;
                map.serialize_entry("$py", &pyfmt::repr(*x))?;
                map.end()
            }
            Py::Str(s) => serializer.serialize_str(&s.text),
            Py::List(items) => {
                let mut seq = serializer.serialize_seq(Some(items.len()))?;
                for item in items {
                    seq.serialize_element(item)?;
                }
                seq.end()
            }
            // a key "$py" of its own: marked, as the scripts sent it (no other key needs it: a string goes as text)
            Py::Dict(items) if items.iter().any(|(k, _)| k.text == "$py") => {
                let pairs: Vec<(&str, &Py)> = items.iter().map(|(k, v)| (k.text.as_str(), v)).collect();
                let mut map = serializer.serialize_map(Some(2))?;
                map.serialize_entry("$py", "dict")?;
                map.serialize_entry("items", &pairs)?;
                map.end()
            }
            Py::Dict(items) => {
                let mut map = serializer.serialize_map(Some(items.len()))?;
                for (k, v) in items {
                    map.serialize_entry(&k.text, v)?;
                }
                map.end()
            }
        }
    }
}

impl<'de> Deserialize<'de> for PyStr {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<PyStr, D::Error> {
        match Py::deserialize(deserializer)? {
            Py::Str(s) => Ok(s),
            other => Err(D::Error::custom(format!("a string expected, found {}", other.repr()))),
        }
    }
}

/// The sum of two magnitudes' decimal digits.
fn magnitude_add(a: &str, b: &str) -> String {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    let (mut out, mut carry) = (Vec::new(), 0);
    for i in 0..a.len().max(b.len()) {
        let digit = |d: &[u8]| d.len().checked_sub(i + 1).map_or(0, |j| d[j] - b'0');
        let sum = digit(a) + digit(b) + carry;
        out.push(b'0' + sum % 10);
        carry = sum / 10;
    }
    out.push(b'0' + carry);
    out.iter().rev().map(|&d| d as char).collect()
}

/// `a - b` of two magnitudes' decimal digits (no leading zeros), `a` the larger or equal.
fn magnitude_sub(a: &str, b: &str) -> String {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    let (mut out, mut borrow) = (Vec::new(), 0i8);
    for i in 0..a.len() {
        let digit = |d: &[u8]| d.len().checked_sub(i + 1).map_or(0, |j| (d[j] - b'0') as i8);
        let mut diff = digit(a) - digit(b) - borrow;
        borrow = i8::from(diff < 0);
        diff += 10 * borrow;
        out.push(b'0' + diff as u8);
    }
    out.iter().rev().map(|&d| d as char).collect()
}

/// How two magnitudes' decimal digits (no leading zeros) compare.
fn magnitude_cmp(a: &str, b: &str) -> Ordering {
    a.len().cmp(&b.len()).then_with(|| a.cmp(b))
}

/// A Python int of any size: its sign and its decimal digits (no leading zero; zero is "0", not negative).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Int {
    neg: bool,
    digits: String,
}

impl From<i64> for Int {
    fn from(v: i64) -> Int {
        Int::parse(&v.to_string()).expect("an i64's digits")
    }
}

impl Int {
    pub fn from_u128(v: u128) -> Int {
        Int::parse(&v.to_string()).expect("a u128's digits")
    }

    /// Decimal digits, `-` first where negative.
    pub fn parse(text: &str) -> Option<Int> {
        let (neg, digits) = text.strip_prefix('-').map_or((false, text), |d| (true, d));
        if digits.is_empty() || !digits.bytes().all(|d| d.is_ascii_digit()) {
            return None;
        }
        let digits = digits.trim_start_matches('0');
        Some(Int { neg: neg && !digits.is_empty(), digits: if digits.is_empty() { "0" } else { digits }.to_string() })
    }

    pub fn is_zero(&self) -> bool {
        self.digits == "0"
    }

    pub fn is_negative(&self) -> bool {
        self.neg
    }

    pub fn to_u64(&self) -> Option<u64> {
        if self.neg { None } else { self.digits.parse().ok() }
    }

    pub fn to_i64(&self) -> Option<i64> {
        self.to_string().parse().ok()
    }

    /// `float(i)`, correctly rounded; None where Python raises OverflowError.
    pub fn to_f64(&self) -> Option<f64> {
        self.to_string().parse::<f64>().ok().filter(|x| x.is_finite())
    }

    /// `math.floor(x)` of a finite float, exactly (Rust writes a float's exact digits when asked for them).
    pub fn floor(x: f64) -> Int {
        Int::parse(&format!("{:.0}", x.floor())).expect("a float's digits")
    }

    /// `a + b`.
    pub fn add(&self, other: &Int) -> Int {
        if self.neg == other.neg {
            return Int::signed(self.neg, &magnitude_add(&self.digits, &other.digits));
        }
        // opposite signs: the larger magnitude less the smaller, with the larger's sign
        let (big, small) = match magnitude_cmp(&self.digits, &other.digits) {
            Ordering::Less => (other, self),
            _ => (self, other),
        };
        Int::signed(big.neg, &magnitude_sub(&big.digits, &small.digits))
    }

    /// An int of sign `neg` and decimal `digits` (leading zeros allowed; zero is never negative).
    fn signed(neg: bool, digits: &str) -> Int {
        let sign = if neg { "-" } else { "" };
        Int::parse(&format!("{sign}{digits}")).expect("digits")
    }

    /// `a * b`.
    pub fn mul(&self, other: &Int) -> Int {
        let (a, b) = (self.digits.as_bytes(), other.digits.as_bytes());
        let mut sums = vec![0u64; a.len() + b.len()];
        for (i, x) in a.iter().rev().enumerate() {
            for (j, y) in b.iter().rev().enumerate() {
                sums[i + j] += u64::from(x - b'0') * u64::from(y - b'0');
            }
        }
        let mut carry = 0;
        let mut digits: Vec<u8> = sums
            .iter()
            .map(|s| {
                let t = s + carry;
                carry = t / 10;
                b'0' + (t % 10) as u8
            })
            .collect();
        digits.reverse();
        Int::signed(self.neg != other.neg, std::str::from_utf8(&digits).expect("digits"))
    }

    /// `a - b` of two ints, a >= b >= 0.
    fn sub(&self, other: &Int) -> Int {
        Int::signed(false, &magnitude_sub(&self.digits, &other.digits))
    }

    /// `a / b` (b not zero): the exact quotient correctly rounded to a float, as Python divides two ints.
    /// Its decimal digits, as many as any float's halfway point can have (767) and more, then a last 1
    /// where a remainder is left, read as a float: that rounds as the exact quotient does.
    pub fn div(&self, by: &Int) -> f64 {
        let by_abs = Int { neg: false, digits: by.digits.clone() };
        let (mut text, mut rest, mut significant) = (String::new(), Int::from(0), 0);
        let fraction = std::iter::once(b'.').chain(std::iter::repeat(b'0'));
        for digit in self.digits.bytes().chain(fraction) {
            if digit == b'.' {
                text.push('.');
                continue;
            }
            if text.contains('.') && (rest.is_zero() || significant >= 800) {
                break;
            }
            rest = Int::parse(&format!("{}{}", rest.digits, char::from(digit))).expect("digits");
            let mut q = 0;
            while rest >= by_abs {
                rest = rest.sub(&by_abs);
                q += 1;
            }
            significant += usize::from(q > 0 || significant > 0);
            text.push(char::from(b'0' + q));
        }
        if !rest.is_zero() {
            text.push('1');
        }
        let x: f64 = text.parse().expect("decimal digits are a float");
        if self.neg != by.neg { -x } else { x }
    }

    /// `i < x` and the like, exactly (Python's int and float comparison); None for NaN.
    pub fn cmp_float(&self, x: f64) -> Option<Ordering> {
        if x.is_nan() {
            return None;
        }
        if x.is_infinite() {
            return Some(if x > 0.0 { Ordering::Less } else { Ordering::Greater });
        }
        Some(match self.cmp(&Int::floor(x)) {
            Ordering::Equal if x != x.floor() => Ordering::Less,
            other => other,
        })
    }
}

impl Ord for Int {
    fn cmp(&self, other: &Int) -> Ordering {
        let magnitude = || magnitude_cmp(&self.digits, &other.digits);
        match (self.neg, other.neg) {
            (false, true) => Ordering::Greater,
            (true, false) => Ordering::Less,
            (false, false) => magnitude(),
            (true, true) => magnitude().reverse(),
        }
    }
}

impl PartialOrd for Int {
    fn partial_cmp(&self, other: &Int) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl fmt::Display for Int {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        write!(f, "{}{}", if self.neg { "-" } else { "" }, self.digits)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn int(text: &str) -> Int {
        Int::parse(text).expect("digits")
    }

    fn py(text: &str) -> Py {
        serde_json::from_str(text).expect("JSON")
    }

    #[test]
    fn ints_of_any_size_read_write_and_compare_as_pythons() {
        for text in ["0", "7", "-7", "18446744073709551616", "-100000000000000000000000000000", "4294967296"] {
            assert_eq!(int(text).to_string(), text);
        }
        assert_eq!(int("-0").to_string(), "0");
        assert!(Int::parse("1e5").is_none() && Int::parse("").is_none() && Int::parse("-").is_none());
        assert!(int("-5") < int("3") && int("-5") < int("-4") && int("10000000000000000000000") > int("9"));
        assert_eq!(int("100000000000000000000000000000").mul(&int("3")).to_string(), "300000000000000000000000000000");
        assert_eq!(int("18446744073709551615").add(&int("1")).to_string(), "18446744073709551616");
        assert_eq!(int("-4").mul(&int("0")).to_string(), "0");
        assert_eq!(int("18446744073709551615").to_u64(), Some(u64::MAX));
        assert_eq!(int("18446744073709551616").to_u64(), None);
    }

    /// CPython's `float(i)`, `math.floor(x)`, `a / b` and `i < x`.
    #[test]
    fn ints_meet_floats_as_in_python() {
        assert_eq!(int("100000000000000000000000").to_f64(), Some(1e23));
        assert_eq!(int(&"9".repeat(309)).to_f64(), None); // OverflowError
        assert_eq!(Int::floor(1e23).to_string(), "99999999999999991611392");
        assert_eq!(Int::floor(-2.5).to_string(), "-3");
        assert_eq!(Int::floor(9216.000000000002).to_string(), "9216");
        assert_eq!(int("1").div(&int("3")), 1.0 / 3.0);
        assert_eq!(int("100000000000000000000000000000").div(&int("7")), 1.4285714285714285e28);
        // a float of the int first would round twice: 1.8906834195565488e25
        assert_eq!(int("562043460131575312157944432150").div(&int("29727")), 1.890683419556549e25);
        assert_eq!(int("9007199254740993").div(&int("1")), 9007199254740992.0); // a tie: to even
        assert_eq!(int("9007199254740995").div(&int("1")), 9007199254740996.0);
        assert_eq!(int("18446744073709551557").div(&int("9007199254740993")), 2047.9999999999998);
        assert_eq!(int("3").div(&int("18446744073709551615")), 1.6263032587282567e-19);
        assert_eq!(int("9007199254740993").cmp_float(9007199254740992.0), Some(Ordering::Greater));
        assert_eq!(int("2").cmp_float(2.5), Some(Ordering::Less));
        assert_eq!(int("3").cmp_float(2.5), Some(Ordering::Greater));
        assert_eq!(int("-3").cmp_float(-2.5), Some(Ordering::Less));
        assert_eq!(int("5").cmp_float(f64::NAN), None);
        assert_eq!(int(&"9".repeat(400)).cmp_float(f64::INFINITY), Some(Ordering::Less));
    }

    #[test]
    fn marked_values_read_as_python_holds_them() {
        let v = py(r#"[{"$py": "nan"}, {"$py": "-inf"}, {"$py": "int", "digits": "-100000000000000000000000"},
                       {"$py": "str", "text": "a\udbff\udfff00dc80", "repr": "'a\\udc80'"},
                       {"$py": "dict", "items": [["$py", 1], ["b", 2.0]]}, {"z": 1, "a": [true, null]}]"#);
        assert_eq!(
            v.repr(),
            "[nan, -inf, -100000000000000000000000, 'a\\udc80', {'$py': 1, 'b': 2.0}, {'z': 1, 'a': [True, None]}]"
        );
        assert_eq!(v.items()[3].str(), "a\u{10FFFF}00dc80");
        assert!(serde_json::from_str::<Py>(r#"{"$py": "int", "digits": "x"}"#).is_err());
        assert!(serde_json::from_str::<Py>(r#"{"$py": "tuple"}"#).is_err());
    }

    /// What `readers._unwire` reads back: JSON where it holds the value, the scripts' markers where not, a string
    /// as its text.
    #[test]
    fn values_go_back_as_the_scripts_sent_them() {
        let sent = r#"[{"$py": "nan"}, {"$py": "-inf"}, {"$py": "int", "digits": "-100000000000000000000000"},
                       18446744073709551615, -9223372036854775808, -0.0, 2.0, true, null,
                       {"$py": "str", "text": "a\udbff\udfff00dc80", "repr": "'a\\udc80'"},
                       {"$py": "dict", "items": [["$py", 1], ["b", [2]]]}, {"z": {}, "a": "\u00e9"}]"#;
        assert_eq!(
            serde_json::to_string(&py(sent)).expect("JSON"),
            concat!(
                r#"[{"$py":"nan"},{"$py":"-inf"},{"$py":"int","digits":"-100000000000000000000000"},"#,
                r#"18446744073709551615,-9223372036854775808,-0.0,2.0,true,null,"a"#,
                "\u{10FFFF}",
                r#"00dc80",{"$py":"dict","items":[["$py",1],["b",[2]]]},{"z":{},"a":"é"}]"#
            )
        );
        assert_eq!(PyStr::from("a\u{10FFFF}00dc80b\u{10FFFF}10ffff").code_points(), [0x61, 0xdc80, 0x62, 0x10ffff]);
    }

    #[test]
    fn equality_truth_and_order_are_pythons() {
        assert!(py("1").py_eq(&py("1.0")) && py("true").py_eq(&py("1")) && !py("\"1\"").py_eq(&py("1")));
        assert!(py(r#"{"a": [1, 2.0], "b": null}"#).py_eq(&py(r#"{"b": null, "a": [1.0, 2]}"#)));
        assert!(!py(r#"{"$py": "nan"}"#).py_eq(&py(r#"{"$py": "nan"}"#)));
        assert!(!py("null").py_eq(&py("0")) && !py("[1]").py_eq(&py("[1, 2]")));
        for falsy in ["null", "false", "0", "0.0", "\"\"", "[]", "{}"] {
            assert!(!py(falsy).truthy(), "{falsy}");
        }
        assert_eq!(py("[\"x\", 1]").type_name(), "list");
        assert_eq!(py("{\"k\": 1}").get("k").repr(), "1");
        assert!(py("{\"k\": 1}").get("j").is_none() && py("[1]").get("k").is_none());
    }

    #[test]
    fn medians_and_quartiles_keep_an_ints_type() {
        let values = |text| match py(text) {
            Py::List(items) => items,
            _ => unreachable!(),
        };
        assert_eq!(median(&values("[3, 1, 2]")).expect("some").repr(), "2");
        assert_eq!(median(&values("[3, 1, 2, 4]")).expect("some").repr(), "2.5");
        assert_eq!(median(&values("[1, 3.0]")).expect("some").repr(), "2.0");
        assert!(median(&[]).is_none());
        let (q1, q3) = quartiles(&values("[5, 1, 4, 2, 3]"));
        assert_eq!((q1.repr(), q3.repr()), ("1.5".into(), "4.5".into()));
        let (q1, q3) = quartiles(&values("[0.5]"));
        assert_eq!((q1.repr(), q3.repr()), ("0.5".into(), "0.5".into()));
        assert_eq!(pick(&values("[2, 1.0, 1, 3]"), Ordering::Less).expect("some").repr(), "1.0"); // the first of equals
        assert_eq!(pick(&values("[2, 3.0, 3]"), Ordering::Greater).expect("some").repr(), "3.0");
        assert_eq!(div(&py("6"), &py("4")), 1.5);
        assert_eq!(add(&py("1"), &py("2")).repr(), "3");
    }

    /// A review: the sum of two ints added their magnitudes whatever their signs (a debug assertion only),
    /// so a median of negative ints was wrong.
    #[test]
    fn ints_add_with_their_signs() {
        let int = |digits: &str| Py::Int(Int::parse(digits).expect("digits"));
        let sum = |a: &str, b: &str| add(&int(a), &int(b)).repr();
        assert_eq!(sum("-5", "-2"), "-7");
        assert_eq!(sum("-2", "9"), "7");
        assert_eq!(sum("9", "-12"), "-3");
        assert_eq!(sum("1000", "-1000"), "0");
        assert_eq!(sum("100000000000000000000000", "-1"), "99999999999999999999999");
        assert_eq!(sum("-100000000000000000000000", "99999999999999999999999"), "-1");
        let values = |text| match py(text) {
            Py::List(items) => items,
            _ => unreachable!(),
        };
        // Python: statistics.median([-5, -2, 9, 11]) == 3.5, of [-589000000000000000000000, -5] -2.945e+23;
        // the quartiles of [-4, -1, 3, 8], -2.5 and 5.5
        assert_eq!(median(&values("[-5, -2, 9, 11]")).expect("some").repr(), "3.5");
        let huge = [int("-589000000000000000000000"), int("-5")];
        assert_eq!(median(&huge).expect("some").repr(), "-2.945e+23");
        let (q1, q3) = quartiles(&values("[-4, -1, 3, 8]"));
        assert_eq!((q1.repr(), q3.repr()), ("-2.5".into(), "5.5".into()));
    }
}
