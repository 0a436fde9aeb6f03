//! Arithmetic as the scripts' CPython does it, where Rust's obvious spelling can round differently in the
//! last bit, so that a report computed here is the one the scripts computed, byte for byte: `sum` and
//! `math.fsum` of floats, `x ** y` (C's `pow`, which LLVM would otherwise rewrite: `pow(x, 2.0)` as `x * x`,
//! `pow(10.0, y)` as `exp10(y)`), an int divided by an int (correctly rounded, whatever their size), a
//! power of ten as an int made a float, and `min`/`max`, which keep the first of equals.
//!
//! "Byte for byte" holds against the same C library on the same CPU: glibc picks an FMA or a plain
//! `pow`/`log` at run time, so a machine without FMA (or another libm) may differ from the committed
//! files in the last digit of a fit, as the Python did. `black_box` keeps LLVM from rewriting `pow` in
//! practice; it is documented as best-effort, and the tests would show a rewrite (the committed
//! sweeps re-render byte for byte).

use std::hint::black_box;

/// `sum(xs)` of floats as CPython 3.11 adds them: left to right, from the int 0 (so a lone -0.0 sums to
/// 0.0). Python 3.12 compensates its float sums, which differs in the last digits; the committed sweeps
/// were fitted by 3.11's.
pub fn sum(xs: impl IntoIterator<Item = f64>) -> f64 {
    xs.into_iter().fold(0.0, |s, x| s + x)
}

/// `math.fsum(xs)` of finite floats whose sum does not overflow: the exact sum, rounded once (half to
/// even). CPython's algorithm (Shewchuk's exact partials, then the half-even fix-up across the last
/// two), so the result is CPython's bit for bit, under every version: unlike `sum`, it was never
/// changed. (CPython raises on an intermediate overflow and sums NaN and the infinities apart: no
/// caller here has either.)
pub fn fsum(xs: impl IntoIterator<Item = f64>) -> f64 {
    // the partials: non-overlapping, in increasing magnitude, summing exactly to the values so far
    let mut partials: Vec<f64> = Vec::new();
    for mut x in xs {
        let mut kept = 0;
        for j in 0..partials.len() {
            let mut y = partials[j];
            if x.abs() < y.abs() {
                std::mem::swap(&mut x, &mut y);
            }
            let hi = x + y;
            let lo = y - (hi - x);
            if lo != 0.0 {
                partials[kept] = lo;
                kept += 1;
            }
            x = hi;
        }
        partials.truncate(kept);
        if x != 0.0 {
            partials.push(x);
        }
    }
    let Some(mut hi) = partials.pop() else { return 0.0 };
    // from the top, while the sum stays exact
    let mut lo = 0.0;
    while let Some(y) = partials.pop() {
        let x = hi;
        hi = x + y;
        lo = y - (hi - x);
        if lo != 0.0 {
            break;
        }
    }
    // a rounding that went half down where the partials below say the rest lies beyond the half: up
    if let Some(&below) = partials.last()
        && ((lo < 0.0 && below < 0.0) || (lo > 0.0 && below > 0.0))
    {
        let y = lo * 2.0;
        let x = hi + y;
        if y == x - hi {
            hi = x;
        }
    }
    hi
}

/// `x ** y` of two floats: C's `pow` (CPython's special cases, a zero exponent, a base of 1, agree with
/// it for the finite values the sweeps raise). The operands are opaque to LLVM, which would replace some
/// constant exponents and bases by other functions that may round otherwise.
pub fn pow(x: f64, y: f64) -> f64 {
    black_box(x).powf(black_box(y))
}

/// `x ** 2` of a float: `pow(|x|, 2.0)` (CPython squares the magnitude of a negative base itself), not
/// `x * x`, which is not always the same in its last bit.
pub fn square(x: f64) -> f64 {
    pow(x.abs(), 2.0)
}

/// `a / b` of two Python ints (b > 0): the quotient correctly rounded to the nearest float, ties to even.
/// Below 2^53 both are exact floats and a float division is that; above, a float of each would round
/// before the division does.
pub fn int_div(a: u64, b: u64) -> f64 {
    const EXACT: u64 = 1 << 53;
    if a <= EXACT && b <= EXACT {
        return a as f64 / b as f64;
    }
    if a == 0 {
        return 0.0;
    }
    let bits = |v: u128| 128 - v.leading_zeros() as i32;
    // Scaled so that the integer quotient has 55 or 56 bits: 53 kept, two or three to round with, and
    // the remainder says whether anything lies beyond them.
    let s = 55 - (bits(a as u128) - bits(b as u128));
    let (num, den) = if s >= 0 { ((a as u128) << s, b as u128) } else { (a as u128, (b as u128) << -s) };
    let (q, inexact) = (num / den, num % den != 0);
    let extra = bits(q) - 53;
    let (mut mantissa, low, half) = (q >> extra, q & ((1 << extra) - 1), 1u128 << (extra - 1));
    if low > half || (low == half && (inexact || mantissa & 1 == 1)) {
        mantissa += 1;
    }
    // mantissa <= 2^53 and the power of two between 2^-118 and 2^11: both exact, and so their product
    mantissa as f64 * f64::from_bits(((1023 + extra - s) as u64) << 52)
}

/// `a / b` of two JSON numbers as Python divides them: two ints correctly rounded ([`int_div`]), else
/// as floats (an int made the nearest float first). None where either is no number or `b` is zero
/// (the scripts never divide by zero: their callers test for it).
pub fn div(a: &serde_json::Value, b: &serde_json::Value) -> Option<f64> {
    match (a.as_u64(), b.as_u64()) {
        (Some(x), Some(y)) if y > 0 => Some(int_div(x, y)),
        _ => Some(a.as_f64()? / b.as_f64().filter(|&y| y != 0.0)?),
    }
}

/// `10 ** k` made a float where Python would: the int 10^k correctly rounded for k >= 0 (`math.log10`
/// of an int converts it so), C's `pow(10.0, k)` for k < 0 (an int to a negative power is a float
/// power in Python).
pub fn int_pow10(k: i32) -> f64 {
    if k >= 0 { format!("1e{k}").parse().expect("1eK is a float") } else { pow(10.0, f64::from(k)) }
}

/// `max(xs)`: the first value no later one is greater than (`None` for none).
pub fn max(xs: impl IntoIterator<Item = f64>) -> Option<f64> {
    xs.into_iter().reduce(|best, x| if x > best { x } else { best })
}

/// `min(items, key=key)`: the first item whose key no later one's is below.
pub fn min_by_key<T: Copy, K: PartialOrd>(items: impl IntoIterator<Item = T>, key: impl Fn(T) -> K) -> Option<T> {
    let mut best: Option<(T, K)> = None;
    for item in items {
        let k = key(item);
        if best.as_ref().is_none_or(|(_, b)| k < *b) {
            best = Some((item, k));
        }
    }
    best.map(|(item, _)| item)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// CPython 3.11's own answers (`a / b` of ints, `float(10 ** k)`, `10 ** k`).
    #[test]
    fn ints_divide_as_python_does() {
        let cases: &[(u64, u64, f64)] = &[
            (1, 3, 1.0 / 3.0),
            (6349719915, 2514072, 6349719915.0 / 2514072.0),
            (u64::MAX, 3, 6.148914691236517e18),
            (u64::MAX, u64::MAX - 1, 1.0),
            ((1 << 53) + 1, 1, 9007199254740992.0),
            ((1 << 53) + 3, 1, 9007199254740996.0),
            ((1 << 54) + 3, 2, 9007199254740994.0),
            (18446744073709551557, 9007199254740993, 2047.9999999999998),
            (12345678901234567891, 98765432109, 124999998.86204687),
            (3, u64::MAX, 1.6263032587282567e-19),
            (0, u64::MAX, 0.0),
        ];
        for &(a, b, want) in cases {
            assert_eq!(int_div(a, b).to_bits(), want.to_bits(), "{a} / {b}");
        }
    }

    /// CPython's `math.fsum` of each (its own tests' cases among them).
    #[test]
    fn fsum_is_the_exact_sum_rounded_once() {
        let cases: &[(&[f64], f64)] = &[
            (&[], 0.0),
            (&[0.1, 0.2, 0.3], 0.6),
            (&[1e16, 1.0, -1e16], 1.0),
            (&[1e-16, 1.0, 1e16], 1.0000000000000002e16), // the half-even fix-up across partials
            (&[1.0, 1e100, 1.0, -1e100], 2.0),
            (&[0.1; 10], 1.0),
            (&[1.7976931348623157e308, -1.7976931348623157e308, 1.0], 1.0),
            (&[2.0f64.powi(53), -0.5, -2.0f64.powi(-54)], 9007199254740991.0),
            (&[0.3, 0.1, 0.7, 0.9, 0.1], 2.1),
        ];
        for &(xs, want) in cases {
            assert_eq!(fsum(xs.iter().copied()).to_bits(), want.to_bits(), "{xs:?}");
        }
        assert!(fsum([-0.0]).is_sign_positive()); // as CPython: the partials drop a zero
    }

    #[test]
    fn powers_of_ten_are_pythons() {
        assert_eq!(int_pow10(0), 1.0);
        assert_eq!(int_pow10(22), 1e22);
        assert_eq!(int_pow10(23), 1e23); // 10^23 is no float: the nearest, as the literal
        assert_eq!(int_pow10(300), 1e300);
        assert_eq!(int_pow10(-3), pow(10.0, -3.0));
    }

    #[test]
    fn sums_min_and_max_keep_pythons_order() {
        assert_eq!(sum([0.1, 0.2, 0.3]), 0.6000000000000001); // left to right: 3.11's sum
        assert_eq!(sum([1e16, 1.0, -1e16]), 0.0);
        assert!(sum([-0.0]).is_sign_positive());
        assert_eq!(sum([]), 0.0);
        assert_eq!(max([1.0, 3.0, 2.0]), Some(3.0));
        assert_eq!(max([]), None);
        assert_eq!(min_by_key([5, 6, 7], |i| if i == 5 { 2.0 } else { 1.0 }), Some(6)); // the first of equals
        assert_eq!(square(-3.0), 9.0);
    }
}
