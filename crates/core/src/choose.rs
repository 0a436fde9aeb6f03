//! The one rule for choosing a tuning from timings (the SIMD kernels' and the C reference's).
//!
//! On a shared VM one process's ranking is mostly luck: four runs of an early rule (best time of 5, in
//! one process) chose four different tunings. So every candidate is timed in interleaved rounds
//! (round-robin, so a slow moment hits all of them alike); a process's time for it is its [`fastest`]
//! round (interference only ever slows a render: the ladder's rule for a round), `mandel tune` takes
//! the [`median`] of that over fresh processes, and a tie band keeps the default: a candidate replaces
//! it only when its time is more than [`TIE_BAND`] below the default's.

/// How much faster than the default (as a fraction of the default's time) a candidate must be to be
/// chosen instead of it.
pub const TIE_BAND: f64 = 0.02;

/// The median of `times` (the mean of the middle two for an even count); `None` when empty or when a
/// time is not finite.
pub fn median(times: &[f64]) -> Option<f64> {
    if times.iter().any(|t| !t.is_finite()) {
        return None;
    }
    let mut t = times.to_vec();
    t.sort_by(f64::total_cmp);
    let n = t.len();
    match n {
        0 => None,
        _ if n % 2 == 1 => Some(t[n / 2]),
        _ => Some((t[n / 2 - 1] + t[n / 2]) / 2.0),
    }
}

/// The fastest of `times`; `None` when empty or when a time is not finite.
pub fn fastest(times: &[f64]) -> Option<f64> {
    if times.is_empty() || times.iter().any(|t| !t.is_finite()) {
        return None;
    }
    Some(times.iter().copied().fold(f64::INFINITY, f64::min))
}

/// The chosen candidate: the fastest, unless `default` is within [`TIE_BAND`] of it (or no candidate
/// has a time). `timed` pairs each candidate with its seconds.
pub fn choose<T: Copy + PartialEq>(timed: &[(T, f64)], default: T) -> T {
    let fastest = timed.iter().filter(|(_, s)| s.is_finite()).min_by(|a, b| a.1.total_cmp(&b.1));
    let Some(&(best, best_s)) = fastest else { return default };
    match timed.iter().find(|(t, _)| *t == default) {
        Some(&(_, default_s)) if default_s.is_finite() && best_s >= default_s * (1.0 - TIE_BAND) => default,
        _ => best,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_stays_within_the_band_and_loses_beyond_it() {
        // 1.9% faster than the default: a tie, the default stays.
        assert_eq!(choose(&[("a", 1.000), ("b", 0.981), ("c", 1.2)], "a"), "a");
        // 2.1% faster: chosen.
        assert_eq!(choose(&[("a", 1.000), ("b", 0.979), ("c", 1.2)], "a"), "b");
        // The default is the fastest.
        assert_eq!(choose(&[("a", 0.9), ("b", 1.0)], "a"), "a");
        // No default among the candidates: the fastest.
        assert_eq!(choose(&[("b", 1.0), ("c", 0.99)], "a"), "c");
        // Nothing timed: the default.
        assert_eq!(choose::<&str>(&[], "a"), "a");
        assert_eq!(choose(&[("b", f64::NAN)], "a"), "a");
    }

    #[test]
    fn fastest_of_the_rounds() {
        assert_eq!(fastest(&[3.0, 1.0, 2.0]), Some(1.0));
        assert_eq!(fastest(&[]), None);
        assert_eq!(fastest(&[1.0, f64::NAN]), None);
        assert_eq!(fastest(&[1.0, f64::INFINITY]), None);
    }

    #[test]
    fn medians() {
        assert_eq!(median(&[3.0, 1.0, 2.0]), Some(2.0));
        assert_eq!(median(&[4.0, 1.0, 2.0, 3.0]), Some(2.5));
        assert_eq!(median(&[]), None);
        assert_eq!(median(&[1.0, f64::NAN]), None);
    }
}
