//! Numbers spelt as Python's format specifications spell them, so that a line this crate writes reads like
//! the scripts' own lines beside it: `g(x, 2)` is `f"{x:.2g}"`, `percent(x, 1)` is `f"{x:.1%}"`,
//! `signed_percent(x, 1)` is `f"{x:+.1%}"`, `fixed(x, 3)` is `f"{x:.3f}"`, `thousands(n)` is `f"{n:,}"`,
//! `grouped_fixed(x, 1)` is `f"{x:,.1f}"`, and `repr(x)` is `repr(x)` (and `str(x)`) of a float.
//! Rust's fixed and exponent formatting already round as Python does (the exact binary value, ties to
//! even); what differs is the exponent's spelling (`1e-5`, Python `1e-05`), `g`'s choice between the two,
//! and NaN's (`NaN`, Python `nan`), written out here.

/// `f"{x:.{precision}g}"`: `precision` significant digits (0 is taken as 1), trailing zeros dropped,
/// fixed notation for exponents from -4 to precision - 1, else `1.5e-07`.
pub fn g(x: f64, precision: usize) -> String {
    if !x.is_finite() {
        return if x.is_nan() {
            "nan".into()
        } else if x > 0.0 {
            "inf".into()
        } else {
            "-inf".into()
        };
    }
    let p = precision.max(1);
    // the exponent of x rounded to p significant digits (9.99 at 2 digits is 1.0e1)
    let sci = format!("{:.*e}", p - 1, x);
    let (mantissa, exp) = sci.split_once('e').expect("Rust's {:e} always has an exponent");
    let exp: i32 = exp.parse().expect("Rust's exponent is a whole number");
    if -4 <= exp && exp < p as i32 {
        let decimals = (p as i32 - 1 - exp) as usize;
        strip_zeros(format!("{x:.decimals$}"))
    } else {
        let sign = if exp < 0 { '-' } else { '+' };
        format!("{}e{sign}{:02}", strip_zeros(mantissa.to_string()), exp.unsigned_abs())
    }
}

/// `f"{x:.{decimals}f}"`: fixed notation, `nan`, `inf` and `-inf` spelt as Python spells them.
pub fn fixed(x: f64, decimals: usize) -> String {
    if x.is_nan() { "nan".into() } else { format!("{x:.decimals$}") }
}

/// `f"{x:.{decimals}%}"`: x times 100 in fixed notation, then `%`.
pub fn percent(x: f64, decimals: usize) -> String {
    format!("{}%", fixed(x * 100.0, decimals))
}

/// `f"{n:,}"` of an int: its digits in groups of three, joined by commas.
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() * 4 / 3);
    for (i, d) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(d);
    }
    out
}

/// `f"{x:,.{decimals}f}"`: `fixed` with the whole part's digits in groups of three, joined by commas.
pub fn grouped_fixed(x: f64, decimals: usize) -> String {
    let text = fixed(x, decimals);
    if !x.is_finite() {
        return text;
    }
    let (sign, unsigned) = text.strip_prefix('-').map_or(("", text.as_str()), |rest| ("-", rest));
    let (whole, fraction) = unsigned.split_once('.').map_or((unsigned, None), |(w, f)| (w, Some(f)));
    let mut out = sign.to_string();
    for (i, d) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(d);
    }
    if let Some(fraction) = fraction {
        out.push('.');
        out.push_str(fraction);
    }
    out
}

/// `repr(x)` of a float, which `str(x)` and an f-string's `{x}` are too: the shortest digits that read back
/// as x (Rust's `{:e}` finds the same ones), in fixed notation with at least one decimal (`-2.0`) while the
/// decimal point falls from 4 places left of the first digit to 16 right of it, else as `1e-05`, `1e+16`.
pub fn repr(x: f64) -> String {
    if !x.is_finite() {
        return fixed(x, 0);
    }
    if x == 0.0 {
        return if x.is_sign_negative() { "-0.0".into() } else { "0.0".into() };
    }
    let sci = format!("{x:e}");
    let (mantissa, exp) = sci.split_once('e').expect("Rust's {:e} always has an exponent");
    let exp: i32 = exp.parse().expect("Rust's exponent is a whole number");
    let (sign, mantissa) = mantissa.strip_prefix('-').map_or(("", mantissa), |m| ("-", m));
    let (digits, exp) = even_of_a_tie(x, mantissa.replace('.', ""), exp);
    let mantissa = match digits.len() {
        1 => digits.clone(),
        _ => format!("{}.{}", &digits[..1], &digits[1..]),
    };
    // where the decimal point falls, counted from the first digit
    let point = exp + 1;
    if !(-4 < point && point <= 16) {
        let exp_sign = if exp < 0 { '-' } else { '+' };
        return format!("{sign}{mantissa}e{exp_sign}{:02}", exp.unsigned_abs());
    }
    let body = if point <= 0 {
        format!("0.{}{digits}", "0".repeat(point.unsigned_abs() as usize))
    } else if point as usize >= digits.len() {
        format!("{digits}{}.0", "0".repeat(point as usize - digits.len()))
    } else {
        format!("{}.{}", &digits[..point as usize], &digits[point as usize..])
    };
    format!("{sign}{body}")
}

/// The shortest digits of `x` (`digits`, the first at 10^`exp`) as Python's repr chooses them: where x lies
/// exactly halfway between two spellings of that length, the one whose last digit is even (David Gay's
/// rule, CPython's), where Rust's `{:e}` takes the one above.
fn even_of_a_tie(x: f64, digits: String, exp: i32) -> (String, i32) {
    // two spellings of 15 digits or fewer never read back as one double (DBL_DIG): no tie to look for
    if digits.len() < 16 {
        return (digits, exp);
    }
    // every digit of x: a double's exact decimal expansion has fewer than 800 significant digits
    let exact = format!("{:.800e}", x.abs());
    let (mantissa, exact_exp) = exact.split_once('e').expect("Rust's {:e} always has an exponent");
    let all = mantissa.replace('.', "");
    let n = digits.len();
    let tie = all.as_bytes().get(n) == Some(&b'5') && all.bytes().skip(n + 1).all(|d| d == b'0');
    let below = &all[..n];
    if tie && (below.as_bytes()[n - 1] - b'0').is_multiple_of(2) {
        return (below.to_string(), exact_exp.parse().expect("Rust's exponent is a whole number"));
    }
    (digits, exp)
}

/// `f"{x:+.{decimals}%}"`: `percent` with its sign always written.
pub fn signed_percent(x: f64, decimals: usize) -> String {
    let text = percent(x, decimals);
    if text.starts_with('-') { text } else { format!("+{text}") }
}

fn strip_zeros(text: String) -> String {
    if text.contains('.') { text.trim_end_matches('0').trim_end_matches('.').to_string() } else { text }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Python 3's own output for each case (`f"{x:.{p}g}"`), the edges of g's two notations among them.
    #[test]
    fn g_spells_numbers_as_python_does() {
        let cases: &[(f64, usize, &str)] = &[
            (0.01, 6, "0.01"),
            (0.0001, 6, "0.0001"),
            (0.00001, 6, "1e-05"),
            (0.000123456, 2, "0.00012"),
            (0.0079365, 2, "0.0079"),
            (0.015873, 2, "0.016"),
            (1.0, 2, "1"),
            (9.96, 2, "10"),
            (99.6, 2, "1e+02"),
            (123456.0, 6, "123456"),
            (1234567.0, 6, "1.23457e+06"),
            (0.5, 2, "0.5"),
            (1e-300, 2, "1e-300"),
            (1e300, 6, "1e+300"),
            (0.0, 2, "0"),
            (-0.0, 2, "-0"),
            (-0.25, 1, "-0.2"),
            (0.125, 2, "0.12"),
            (2.5e-7, 2, "2.5e-07"),
            (0.04, 0, "0.04"),
        ];
        for &(x, p, want) in cases {
            assert_eq!(g(x, p), want, "{x} at {p}");
        }
        assert_eq!(g(f64::INFINITY, 2), "inf");
        assert_eq!(g(f64::NAN, 2), "nan");
    }

    #[test]
    fn percentages_are_pythons() {
        assert_eq!(percent(0.05, 0), "5%");
        assert_eq!(percent(0.125, 1), "12.5%");
        assert_eq!(percent(0.0625, 1), "6.2%"); // 6.25 is exact: ties to even, as Python
        assert_eq!(percent(1.0 / 3.0, 1), "33.3%");
        assert_eq!(signed_percent(0.5, 1), "+50.0%");
        assert_eq!(signed_percent(-0.2, 1), "-20.0%");
        assert_eq!(signed_percent(0.0, 1), "+0.0%");
        assert_eq!(percent(0.2, 0), "20%");
        assert_eq!(percent(0.005, 0), "0%"); // 0.5 exactly: ties to even
        assert_eq!(percent(f64::NAN, 0), "nan%");
    }

    /// Python's `repr(x)` of each case: the edges of its two notations among them.
    #[test]
    fn repr_is_pythons() {
        let cases: &[(f64, &str)] = &[
            (1e16, "1e+16"),
            (1e15, "1000000000000000.0"),
            (0.0001, "0.0001"),
            (0.00001, "1e-05"),
            (-2.0, "-2.0"),
            (0.6, "0.6"),
            (1.5e-7, "1.5e-07"),
            (123456789012345678.0, "1.2345678901234568e+17"),
            (0.1 + 0.2, "0.30000000000000004"),
            (-0.0, "-0.0"),
            (0.0, "0.0"),
            (5e-324, "5e-324"),
            (f64::MAX, "1.7976931348623157e+308"),
            (1234.5, "1234.5"),
            (9999999999999998.0, "9999999999999998.0"),
            (0.001, "0.001"),
            (1e22, "1e+22"),
            (2.5, "2.5"),
            (f64::INFINITY, "inf"),
            (f64::NAN, "nan"),
        ];
        for &(x, want) in cases {
            assert_eq!(repr(x), want, "{x:e}");
        }
    }

    /// Where x lies exactly halfway between its two shortest spellings, Python's repr takes the one whose
    /// last digit is even (Rust's `{:e}` rounds the tie up): CPython's repr of each.
    #[test]
    fn a_tie_between_two_shortest_spellings_goes_to_the_even_one() {
        // whole + fraction: the sum is exact (each a double of a quarter or an eighth), where a literal of
        // its exact digits would read as too precise (clippy spells it as Rust's `{:e}` does)
        let cases: &[(f64, f64, &str)] = &[
            (777_919_627_576_715.0, 0.25, "777919627576715.2"),
            (204_325_969_548_861.0, 0.125, "204325969548861.12"),
            (1_462_996_602_514_481.0, 0.25, "1462996602514481.2"),
            (1_462_996_602_514_481.0, 0.75, "1462996602514481.8"),
            (-777_919_627_576_715.0, -0.25, "-777919627576715.2"),
            (2_251_799_813_685_247.0, 0.75, "2251799813685247.8"),
        ];
        for &(whole, fraction, want) in cases {
            let x = whole + fraction;
            assert_eq!(repr(x), want, "{x:e}");
        }
    }

    /// Python's `f"{x:,.{d}f}"` of each case.
    #[test]
    fn grouped_fixed_is_pythons() {
        let cases: &[(f64, usize, &str)] = &[
            (1234.5, 0, "1,234"),
            (1e20, 0, "100,000,000,000,000,000,000"),
            (0.5, 0, "0"),
            (1234567.891, 1, "1,234,567.9"),
            (999.95, 1, "1,000.0"),
            (-1234.5, 1, "-1,234.5"),
            (f64::INFINITY, 0, "inf"),
            (12.0, 0, "12"),
        ];
        for &(x, d, want) in cases {
            assert_eq!(grouped_fixed(x, d), want, "{x} at {d}");
        }
    }

    /// Python's `f"{x:.3f}"` and `f"{n:,}"` of each case.
    #[test]
    fn fixed_and_thousands_are_pythons() {
        assert_eq!(fixed(0.0665, 3), "0.067");
        assert_eq!(fixed(2.0625, 3), "2.062"); // exact in binary: ties to even
        assert_eq!(fixed(-0.0, 3), "-0.000");
        assert_eq!(fixed(-0.0001, 3), "-0.000");
        assert_eq!(fixed(-0.04, 1), "-0.0");
        assert_eq!(fixed(1e20, 3), "100000000000000000000.000");
        assert_eq!(fixed(f64::INFINITY, 3), "inf");
        assert_eq!(fixed(f64::NEG_INFINITY, 1), "-inf");
        assert_eq!(fixed(f64::NAN, 3), "nan");
        assert_eq!(fixed(1.0, 0), "1");
        assert_eq!(fixed(2.5, 0), "2");
        for (n, want) in
            [(0, "0"), (999, "999"), (1000, "1,000"), (2514072, "2,514,072"), (u64::MAX, "18,446,744,073,709,551,615")]
        {
            assert_eq!(thousands(n), want);
        }
    }
}
