//! The figures of the reports (summary.md and the console table, scripts/compare's and scripts/ab's
//! tables): `time`, `span`, `speedup`, `rate`, `percent`, `agreement`, `threads`, spelt as the scripts'
//! Python spelt them: a figure reads the same in every report.

use crate::pyfmt::{fixed, grouped_fixed, thousands};
use crate::pyvalue::{py_str, truthy};
use serde_json::Value;

/// What a table shows for a value that is not there.
pub const DASH: &str = "—";

/// A JSON number as Python's float of it; None for null, an absent field, or anything but a number.
pub fn number(v: Option<&Value>) -> Option<f64> {
    v.and_then(Value::as_f64)
}

/// `round(v, decimals)`: Python rounds a float to the nearest decimal of the exact binary value, ties to
/// even, which is what its (and Rust's) fixed formatting writes.
fn round(v: f64, decimals: usize) -> f64 {
    fixed(v, decimals).parse().unwrap_or(v)
}

/// Three significant figures, comparing the rounded value, so 99.98 reads "100", not "100.0".
fn sig(v: f64) -> String {
    if round(v, 1) >= 100.0 {
        fixed(v, 0)
    } else if round(v, 2) >= 10.0 {
        fixed(v, 1)
    } else {
        fixed(v, 2)
    }
}

const UNITS: [(&str, f64); 4] = [("s", 1.0), ("ms", 1e-3), ("µs", 1e-6), ("ns", 1e-9)];

/// The largest unit `seconds` reaches, or the next one up where it rounds to 1000: 0.9996 s is `1.00 s`,
/// not `1000 ms`.
fn unit(seconds: f64) -> (&'static str, f64) {
    let i = UNITS.iter().position(|&(_, scale)| seconds >= scale).unwrap_or(UNITS.len() - 1);
    let rounds_up = i > 0 && sig(seconds / UNITS[i].1).parse::<f64>().is_ok_and(|v| v >= 1000.0);
    UNITS[if rounds_up { i - 1 } else { i }]
}

/// 3 significant figures in the unit that suits: `6.55 s`, `121 ms`, `9.87 ms`, `512 µs`.
pub fn time(seconds: Option<f64>) -> String {
    let Some(seconds) = seconds else { return DASH.into() };
    let (name, scale) = unit(seconds);
    format!("{} {name}", sig(seconds / scale))
}

/// A confidence interval or min-max range in one unit, the high end's: `121–122 ms`.
pub fn span(low: Option<f64>, high: Option<f64>) -> String {
    let (Some(low), Some(high)) = (low, high) else { return DASH.into() };
    let (name, scale) = unit(high);
    format!("{}–{} {name}", sig(low / scale), sig(high / scale))
}

/// `1.03`, `10.58`, `46.48`, `1,234`: two decimals below 100, like the article; below 0.01 three
/// significant figures (`0.00440`), since two decimals would print a real slowdown as `0.00`.
pub fn speedup(x: Option<f64>) -> String {
    let Some(x) = x else { return DASH.into() };
    if 0.0 < x && x < 0.01 {
        let decimals = 2 - x.log10().floor() as i64;
        let text = fixed(x, decimals as usize);
        // 0.009996 rounds up: it reads "0.01", as below
        if text.parse::<f64>().is_ok_and(|v| v < 0.01) {
            return text;
        }
    }
    if round(x, 2) >= 100.0 { grouped_fixed(x, 0) } else { fixed(x, 2) }
}

/// Iterations per second in millions: `1,234.5 M/s`.
pub fn rate(per_s: Option<f64>) -> String {
    per_s.map_or(DASH.into(), |r| format!("{} M/s", grouped_fixed(r / 1e6, 1)))
}

/// A share as a percentage: two decimals below 10%, one above.
pub fn percent(share: Option<f64>) -> String {
    match share {
        None => DASH.into(),
        Some(s) => format!("{}%", fixed(s * 100.0, if s < 0.1 { 2 } else { 1 })),
    }
}

/// `f"{n:,}"` of a count; `str(n)` of anything else a row might hold there.
fn count(v: &Value) -> String {
    v.as_u64().map_or_else(|| py_str(v), thousands)
}

/// `0/0 ok`, `1,368/9,218 ok`, `FAIL 20,000/923`: pixels differing from the reference / allowed.
pub fn agreement(row: &Value) -> String {
    let differing = row.get("differing").filter(|v| !v.is_null());
    let Some(differing) = differing else {
        // a failure without a count: the output could not be compared
        return if row.get("verified_ok") == Some(&Value::Bool(false)) { "FAIL".into() } else { DASH.into() };
    };
    let allowed = row.get("allowed").filter(|v| !v.is_null()).map_or(DASH.into(), count);
    let differing = count(differing);
    if row.get("verified_ok").is_some_and(truthy) {
        format!("{differing}/{allowed} ok")
    } else {
        format!("FAIL {differing}/{allowed}")
    }
}

/// A row's threads: its label or count.
pub fn threads(row: &Value) -> String {
    row.get("threads").filter(|v| !v.is_null()).map_or(DASH.into(), py_str)
}

#[cfg(test)]
mod tests {
    //! Each expected value is what the scripts' Python printed for the same input.
    use super::*;
    use serde_json::json;

    #[test]
    fn times_take_the_unit_they_round_into() {
        let cases: &[(f64, &str)] = &[
            (0.9996, "1.00 s"),
            (0.0009996, "1.00 ms"),
            (9.996e-7, "1.00 µs"),
            (0.9994, "999 ms"),
            (999.6, "1000 s"),
            (6.55, "6.55 s"),
            (0.121, "121 ms"),
            (0.00987, "9.87 ms"),
            (0.000512, "512 µs"),
            (99.98, "100 s"),
            (5e-13, "0.00 ns"),
            (1e6, "1000000 s"),
            (12.345, "12.3 s"),
            (0.1414, "141 ms"),
            (0.009871, "9.87 ms"),
            (9.996, "10.0 s"),
        ];
        for &(seconds, want) in cases {
            assert_eq!(time(Some(seconds)), want, "{seconds}");
        }
        assert_eq!(time(None), DASH);
        assert_eq!(span(Some(0.9), Some(0.9996)), "0.90–1.00 s");
        assert_eq!(span(Some(0.121), Some(0.1224)), "121–122 ms");
        assert_eq!(span(Some(0.099), Some(0.101)), "99.0–101 ms");
        assert_eq!(span(Some(0.09998), Some(0.104)), "100–104 ms");
        assert_eq!(span(None, Some(1.0)), DASH);
    }

    #[test]
    fn speedups_keep_a_slowdown_readable() {
        let cases: &[(f64, &str)] = &[
            (1.03, "1.03"),
            (10.584, "10.58"),
            (10.58, "10.58"),
            (99.996, "100"),
            (1234.4, "1,234"),
            (0.0044, "0.00440"),
            (0.009996, "0.01"),
            (0.00999, "0.00999"),
            (1e-7, "0.000000100"),
            (0.01, "0.01"),
            (123456789.0, "123,456,789"),
            (46.48, "46.48"),
            (99.999, "100"),
            (0.0000123, "0.0000123"),
            (0.0123, "0.01"),
        ];
        for &(x, want) in cases {
            assert_eq!(speedup(Some(x)), want, "{x}");
        }
        assert_eq!(speedup(None), DASH);
    }

    #[test]
    fn rates_percentages_agreement_and_threads() {
        assert_eq!(rate(Some(4.0e8)), "400.0 M/s");
        assert_eq!(rate(Some(1.23456e10)), "12,345.6 M/s");
        assert_eq!(percent(Some(0.2)), "20.0%");
        assert_eq!(percent(Some(0.0123)), "1.23%");
        assert_eq!(percent(None), DASH);
        assert_eq!(agreement(&json!({"differing": 0, "allowed": 0, "verified_ok": true})), "0/0 ok");
        assert_eq!(agreement(&json!({"differing": 1368, "allowed": 9218, "verified_ok": true})), "1,368/9,218 ok");
        assert_eq!(agreement(&json!({"differing": 20000, "allowed": 923, "verified_ok": false})), "FAIL 20,000/923");
        assert_eq!(agreement(&json!({"differing": 3, "allowed": null})), "FAIL 3/—");
        assert_eq!(agreement(&json!({"differing": null, "verified_ok": false})), "FAIL");
        assert_eq!(agreement(&json!({"verified_ok": null})), DASH);
        assert_eq!(threads(&json!({"threads": "pool(2)"})), "pool(2)");
        assert_eq!(threads(&json!({"threads": 4})), "4");
        assert_eq!(threads(&json!({})), DASH);
    }
}
