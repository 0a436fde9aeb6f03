//! The one rule for choosing a tuning from timings (the SIMD kernels' and the C reference's).
//!
//! On a shared VM one process's ranking is mostly luck: four runs of an early rule (best time of 5, in
//! one process) chose four different tunings. So every candidate is timed in interleaved rounds
//! (round-robin, so a slow moment hits all of them alike); a process's time for it is its [`fastest`]
//! round (interference only ever slows a render: the ladder's rule for a round), `mandel tune` takes
//! the [`median`] of that over fresh processes, and a tie band keeps the default: a candidate replaces
//! it only when its time is more than [`TIE_BAND`] below the default's. [`time_round_robin`] is that
//! timing, shared by both calibrations.

use std::time::Instant;

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

/// Time every candidate `rounds` times (at least once), round-robin, with `render`; per candidate,
/// in `candidates` order, its [`fastest`] round's seconds (infinite when a time is not finite).
///
/// One untimed render of the first candidate comes before the first timed one: without it the first
/// timed render pays for the process's start (the output buffer's first page faults, cold caches and
/// clocks), which with one round stands as that candidate's time. An error from any render, the
/// warm-up included, ends the timing and is returned.
pub fn time_round_robin<T: Copy, E>(
    candidates: &[T],
    rounds: usize,
    mut render: impl FnMut(T) -> Result<(), E>,
) -> Result<Vec<(T, f64)>, E> {
    let Some(&first) = candidates.first() else { return Ok(Vec::new()) };
    render(first)?;
    let mut all = vec![Vec::with_capacity(rounds.max(1)); candidates.len()];
    for _ in 0..rounds.max(1) {
        for (times, &candidate) in all.iter_mut().zip(candidates) {
            let started = Instant::now();
            render(candidate)?;
            times.push(started.elapsed().as_secs_f64());
        }
    }
    Ok(candidates.iter().copied().zip(all.iter().map(|t| fastest(t).unwrap_or(f64::INFINITY))).collect())
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
    fn round_robin_warms_up_once_then_times_every_candidate_each_round() {
        let mut calls = Vec::new();
        let timed = time_round_robin(&["a", "b", "c"], 2, |c| {
            calls.push(c);
            Ok::<(), ()>(())
        })
        .unwrap();
        // The untimed warm-up render of the first candidate, then the rounds in turn.
        assert_eq!(calls, ["a", "a", "b", "c", "a", "b", "c"]);
        assert_eq!(timed.iter().map(|&(c, _)| c).collect::<Vec<_>>(), ["a", "b", "c"]);
        assert!(timed.iter().all(|&(_, s)| s.is_finite() && s >= 0.0));
        // One round (`mandel tune --rounds 1`) still renders once before the clock starts; zero rounds is one.
        for rounds in [0, 1] {
            let mut calls = Vec::new();
            time_round_robin(&[7, 8], rounds, |c| {
                calls.push(c);
                Ok::<(), ()>(())
            })
            .unwrap();
            assert_eq!(calls, [7, 7, 8]);
        }
    }

    #[test]
    fn round_robin_stops_at_the_first_error_and_times_nothing_without_candidates() {
        let mut calls = 0;
        let failed = time_round_robin(&[1, 2], 3, |_| {
            calls += 1;
            if calls == 1 { Err("warm-up failed") } else { Ok(()) }
        });
        assert_eq!(failed, Err("warm-up failed"));
        assert_eq!(calls, 1);
        let mut calls = 0;
        let timed = time_round_robin::<u8, ()>(&[], 3, |_| {
            calls += 1;
            Ok(())
        });
        assert_eq!(timed, Ok(vec![]));
        assert_eq!(calls, 0);
    }

    #[test]
    fn medians() {
        assert_eq!(median(&[3.0, 1.0, 2.0]), Some(2.0));
        assert_eq!(median(&[4.0, 1.0, 2.0, 3.0]), Some(2.5));
        assert_eq!(median(&[]), None);
        assert_eq!(median(&[1.0, f64::NAN]), None);
    }
}
