//! JSON values as the scripts' Python sees them once `json.loads` has read them: `str(v)` of each
//! ([`py_str`]: what an f-string writes), whether it is true (`if v`, `v or default`: [`truthy`]), `==`
//! ([`py_eq`]: 1 equals 1.0), and an object that keeps its keys in the order written ([`Ordered`];
//! serde_json's map sorts them, and a dict's `str()` and `items()` follow the file's order).

use crate::pyfmt::repr;
use serde::de::{Deserialize, Deserializer, MapAccess, Visitor};
use serde::ser::{Serialize, SerializeMap, Serializer};
use serde_json::Value;
use std::fmt;

/// A JSON object as a Python dict: its keys in the order written.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Ordered(pub Vec<(String, Value)>);

impl Ordered {
    pub fn get(&self, key: &str) -> Option<&Value> {
        self.0.iter().find(|(k, _)| k == key).map(|(_, v)| v)
    }

    /// `d[key] = value`: in its place where the key is there, else last (as a dict does).
    pub fn set(&mut self, key: &str, value: Value) {
        match self.0.iter_mut().find(|(k, _)| k == key) {
            Some(entry) => entry.1 = value,
            None => self.0.push((key.to_string(), value)),
        }
    }
}

/// Written back in its order: a dict the scripts write into a file (summary.json) keeps its keys' order.
impl Serialize for Ordered {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.0.len()))?;
        for (k, v) in &self.0 {
            map.serialize_entry(k, v)?;
        }
        map.end()
    }
}

impl<'de> Deserialize<'de> for Ordered {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Keys;
        impl<'de> Visitor<'de> for Keys {
            type Value = Ordered;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Ordered, A::Error> {
                let mut entries: Vec<(String, Value)> = Vec::new();
                while let Some((key, value)) = map.next_entry::<String, Value>()? {
                    // a repeated key: the last one stands, where the first stood (as json.loads does)
                    match entries.iter_mut().find(|(k, _)| *k == key) {
                        Some(entry) => entry.1 = value,
                        None => entries.push((key, value)),
                    }
                }
                Ok(Ordered(entries))
            }
        }
        deserializer.deserialize_map(Keys)
    }
}

/// `str(v)`: a string as it is, an int in digits, a float as `repr`, `True`, `False`, `None`, and a
/// list or an object as Python writes one (`[1, 'a']`, `{'k': 2.0}`).
pub fn py_str(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => py_repr(other),
    }
}

/// `repr(v)`: as `py_str`, but a string quoted. A nested object's keys come sorted (serde_json's map):
/// only an [`Ordered`] keeps the file's order ([`ordered_repr`]).
pub fn py_repr(v: &Value) -> String {
    match v {
        Value::Null => "None".into(),
        Value::Bool(true) => "True".into(),
        Value::Bool(false) => "False".into(),
        Value::Number(n) => match (n.as_i64(), n.as_u64()) {
            (Some(i), _) => i.to_string(),
            (_, Some(u)) => u.to_string(),
            _ => repr(n.as_f64().unwrap_or(f64::NAN)),
        },
        Value::String(s) => str_repr(s),
        Value::Array(items) => format!("[{}]", items.iter().map(py_repr).collect::<Vec<_>>().join(", ")),
        Value::Object(map) => dict_repr(map.iter()),
    }
}

/// `str(d)` of a dict read in order.
pub fn ordered_repr(map: &Ordered) -> String {
    dict_repr(map.0.iter().map(|(k, v)| (k, v)))
}

/// `{'k': v, ...}` of these entries, in their order.
fn dict_repr<'a>(entries: impl Iterator<Item = (&'a String, &'a Value)>) -> String {
    let entries = entries.map(|(k, v)| format!("{}: {}", str_repr(k), py_repr(v)));
    format!("{{{}}}", entries.collect::<Vec<_>>().join(", "))
}

/// `repr(s)` of a string: in single quotes, double quotes where it holds `'` and no `"`; a backslash,
/// the quote, tab, line feed and carriage return escaped, and the other control characters (C0, DEL,
/// C1), the no-break space and the soft hyphen as `\xNN`. Python also escapes other characters it
/// deems unprintable (U+2028, unassigned code points), which the scripts' values do not hold.
pub(crate) fn str_repr(s: &str) -> String {
    let quote = if s.contains('\'') && !s.contains('"') { '"' } else { '\'' };
    let mut out = String::with_capacity(s.len() + 2);
    out.push(quote);
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            c if c == quote => {
                out.push('\\');
                out.push(c);
            }
            c if matches!(u32::from(c), 0..0x20 | 0x7f..=0xa0 | 0xad) => {
                out.push_str(&format!("\\x{:02x}", u32::from(c)))
            }
            c => out.push(c),
        }
    }
    out.push(quote);
    out
}

/// `bool(v)`: None, False, 0, an empty string, list or object are false.
pub fn truthy(v: &Value) -> bool {
    match v {
        Value::Null => false,
        Value::Bool(b) => *b,
        Value::Number(n) => n.as_f64().is_some_and(|x| x != 0.0),
        Value::String(s) => !s.is_empty(),
        Value::Array(items) => !items.is_empty(),
        Value::Object(map) => !map.is_empty(),
    }
}

/// `a == b` in Python: numbers by value (1 == 1.0, True == 1), lists item by item, objects by their keys
/// whatever the order.
pub fn py_eq(a: &Value, b: &Value) -> bool {
    let number = |v: &Value| match v {
        Value::Bool(b) => Some(f64::from(u8::from(*b))),
        Value::Number(n) => n.as_f64(),
        _ => None,
    };
    match (a, b) {
        (Value::Array(x), Value::Array(y)) => x.len() == y.len() && x.iter().zip(y).all(|(x, y)| py_eq(x, y)),
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len() && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| py_eq(v, w)))
        }
        // two ints compare exactly, whatever their size
        _ if a.is_u64() && b.is_u64() => a.as_u64() == b.as_u64(),
        _ if a.is_i64() && b.is_i64() => a.as_i64() == b.as_i64(),
        _ => match (number(a), number(b)) {
            (Some(x), Some(y)) => x == y,
            _ => a == b,
        },
    }
}

/// `a == b` of two dicts read in order: the same keys, each value `py_eq`.
pub fn ordered_eq(a: &Ordered, b: &Ordered) -> bool {
    a.0.len() == b.0.len() && a.0.iter().all(|(k, v)| b.get(k).is_some_and(|w| py_eq(v, w)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// Python's `str(json.loads(text))` of each case.
    #[test]
    fn str_is_pythons() {
        for (text, want) in [
            ("null", "None"),
            ("true", "True"),
            ("false", "False"),
            ("5", "5"),
            ("-3", "-3"),
            ("18446744073709551615", "18446744073709551615"),
            ("0.25", "0.25"),
            ("1e5", "100000.0"),
            ("1e-05", "1e-05"),
            ("\"a b\"", "a b"),
            ("[1, \"z\\n\\u0085\\u00a0é\\\\\", null]", "[1, 'z\\n\\x85\\xa0é\\\\', None]"),
            ("{\"b\": 1, \"a\": \"it's\"}", "{'a': \"it's\", 'b': 1}"),
            ("[\"x\\\"y'\"]", "['x\"y\\'']"),
        ] {
            assert_eq!(py_str(&serde_json::from_str(text).expect("JSON")), want, "{text}");
        }
    }

    #[test]
    fn an_ordered_object_keeps_the_files_order() {
        let map: Ordered = serde_json::from_str(r#"{"width": 1200, "x_min": -2.0, "a": 1, "width": 7}"#).expect("JSON");
        assert_eq!(ordered_repr(&map), "{'width': 7, 'x_min': -2.0, 'a': 1}");
        let same: Ordered = serde_json::from_str(r#"{"a": 1.0, "x_min": -2, "width": 7}"#).expect("JSON");
        assert!(ordered_eq(&map, &same));
        let other: Ordered = serde_json::from_str(r#"{"a": 1, "x_min": -2.0, "width": 8}"#).expect("JSON");
        assert!(!ordered_eq(&map, &other));
    }

    #[test]
    fn truth_and_equality_are_pythons() {
        for falsy in [json!(null), json!(false), json!(0), json!(0.0), json!(""), json!([]), json!({})] {
            assert!(!truthy(&falsy), "{falsy}");
        }
        for true_ in [json!(true), json!(1), json!(-0.5), json!(" "), json!([0]), json!({"a": null})] {
            assert!(truthy(&true_), "{true_}");
        }
        assert!(py_eq(&json!(1), &json!(1.0)));
        assert!(py_eq(&json!(true), &json!(1)));
        assert!(py_eq(&json!({"a": [1, 2.0]}), &json!({"a": [1.0, 2]})));
        assert!(!py_eq(&json!("1"), &json!(1)));
        assert!(!py_eq(&json!(u64::MAX), &json!(u64::MAX - 1)));
        assert!(!py_eq(&json!(null), &json!(0)));
    }
}
