//! A machine whose speed changed during the rounds. Such a change moves the kernels together, in the same
//! rounds: a VM was seen alternating between two speeds 25% apart (METHODOLOGY.md, "A VM with two
//! speeds"). Each round's factor is the median, over the kernels timed in every round, of its time over
//! the kernel's median; a warning is given when the middle half of the factors spans over [`SPEED_MOVED`]
//! and three quarters of the kernels moved together. The summary's notes (the Rust rounds: `finish`),
//! `scripts/compare --mode runs` and `scripts/ab` (each side's rounds) say it.

use crate::pyfmt::percent;
use crate::pyvalue::truthy;
use crate::verdict::{median, quartiles};
use serde_json::Value;

/// A machine at one speed spans a few percent (METHODOLOGY.md has the committed sets'); past this a quarter
/// of the rounds or more ran at another speed, which every interquartile range (a verdict's floor) carries,
/// and the medians too once those rounds are many. A few slow rounds move neither, and pass unnamed.
pub const SPEED_MOVED: f64 = 1.10;
/// Fewer kernels and a round's factor is one kernel's own noise, which its own spread already carries.
pub const MIN_KERNELS: usize = 6;

/// How the machine's speed moved during the rounds.
#[derive(Debug, PartialEq)]
pub struct Change {
    /// Q3/Q1 of the round factors, over [`SPEED_MOVED`].
    pub span: f64,
    /// The rounds whose factor is nearer Q3 than Q1.
    pub slow: Vec<usize>,
    /// How many kernels were slower in those than in the others by over half the span.
    pub moved: usize,
    pub kernels: usize,
}

/// (each round's factor, the round times used), or None for fewer than four rounds or [`MIN_KERNELS`]
/// rows. Only ok rows timed in every round count: a kernel untimed in a round has its later times shifted
/// by one. The readers hold a summary's times finite and positive; a row whose times are not (a merge's
/// input the readers do not check) is left out, as no time of a round.
pub fn round_factors<'a>(rows: impl IntoIterator<Item = &'a Value>) -> Option<(Vec<f64>, Vec<Vec<f64>>)> {
    let times: Vec<Vec<f64>> = rows
        .into_iter()
        .filter(|r| r.get("status").is_some_and(|s| s == "ok"))
        .filter_map(|r| r.get("round_times_s").filter(|t| truthy(t))?.as_array())
        .map(|t| t.iter().map(|x| x.as_f64().unwrap_or(f64::NAN)).collect::<Vec<f64>>())
        .filter(|t| t.iter().all(|x| x.is_finite() && *x > 0.0))
        .collect();
    let n = times.iter().map(Vec::len).max().unwrap_or(0);
    let times: Vec<Vec<f64>> = times.into_iter().filter(|t| t.len() == n).collect();
    if n < 4 || times.len() < MIN_KERNELS {
        return None;
    }
    let medians: Vec<f64> = times.iter().map(|t| median(t.iter().copied())).collect();
    let factors = (0..n).map(|i| median(times.iter().zip(&medians).map(|(t, m)| t[i] / m))).collect();
    Some((factors, times))
}

/// None, or how the machine's speed moved during the rounds. None as well for fewer than [`MIN_KERNELS`]
/// kernels, or when fewer than three quarters of them moved: then it was theirs, not the machine's.
pub fn speed_change<'a>(rows: impl IntoIterator<Item = &'a Value>) -> Option<Change> {
    let (factors, times) = round_factors(rows)?;
    let (q1, q3) = quartiles(&factors)?;
    if q3 / q1 <= SPEED_MOVED {
        return None;
    }
    let (slow, fast): (Vec<usize>, Vec<usize>) = (0..factors.len()).partition(|&i| factors[i] > (q1 + q3) / 2.0);
    if slow.is_empty() || fast.is_empty() {
        return None; // (finite factors have both: Q3 is above the middle, Q1 not)
    }
    let moved = times
        .iter()
        .filter(|t| {
            median(slow.iter().map(|&i| t[i])) / median(fast.iter().map(|&i| t[i])) > 1.0 + (q3 / q1 - 1.0) / 2.0
        })
        .count();
    if moved * 4 < times.len() * 3 {
        return None;
    }
    Some(Change { span: q3 / q1, slow, moved, kernels: times.len() })
}

/// The warning for [`speed_change`] of `rows`, during the `what` ("Rust rounds", "rounds of A"), or None.
pub fn speed_note<'a>(rows: impl IntoIterator<Item = &'a Value>, what: &str) -> Option<String> {
    let c = speed_change(rows)?;
    let slow: Vec<String> = c.slow.iter().map(usize::to_string).collect();
    Some(format!(
        "WARNING: the machine's speed changed during the {what}: the middle half of the rounds spans {}, in {} of \
         {} kernels together (the slower: round #{}), where a machine at one speed spans a few percent. Every \
         interquartile range carries that change, and the medians too when the slower rounds are many: rerun \
         before trusting these times against another run's.",
        percent(c.span - 1.0, 0),
        c.moved,
        c.kernels,
        slow.join(", #")
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// Rows whose round i took factors[i] times the row's base, each kernel with its own noise (+-noise,
    /// from a fixed sequence).
    fn rows_from(factors: &[f64], medians: &[f64], noise: f64) -> Vec<Value> {
        let mut state = 1u64;
        let mut uniform = move || {
            state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            (state >> 11) as f64 / (1u64 << 53) as f64 * 2.0 - 1.0
        };
        let rows = medians.iter().enumerate().map(|(j, m)| {
            let times: Vec<f64> = factors.iter().map(|f| m * f * (1.0 + noise * uniform())).collect();
            json!({"name": format!("k{j}"), "status": "ok", "round_times_s": times})
        });
        rows.collect()
    }

    const MEDIANS: [f64; 6] = [0.1, 0.05, 0.025, 0.2, 0.004, 0.01];

    fn alternating(times: usize) -> Vec<f64> {
        [1.0, 1.3].repeat(times)
    }

    #[test]
    fn rounds_that_alternate_between_two_speeds_are_named_with_their_span() {
        let c = speed_change(&rows_from(&[1.0, 1.33, 1.0, 1.33, 1.0, 1.33, 1.0, 1.0], &MEDIANS, 0.02)).unwrap();
        assert_eq!((c.slow, c.moved, c.kernels), (vec![1, 3, 5], 6, 6));
        assert!((c.span / 1.33 - 1.0).abs() < 0.05, "{}", c.span);
        // Python's text for the same rounds
        assert_eq!(
            speed_note(&rows_from(&[1.0, 1.25, 1.25, 1.0, 1.0], &MEDIANS, 0.0), "Rust rounds").unwrap(),
            "WARNING: the machine's speed changed during the Rust rounds: the middle half of the rounds spans 25%, \
             in 6 of 6 kernels together (the slower: round #1, #2), where a machine at one speed spans a few \
             percent. Every interquartile range carries that change, and the medians too when the slower rounds \
             are many: rerun before trusting these times against another run's."
        );
    }

    #[test]
    fn a_drift_or_three_close_speeds_are_a_change_too() {
        let drift: Vec<f64> = (0..15).map(|i| 1.0 + 0.5 * f64::from(i) / 14.0).collect();
        let steps = [[1.0; 5], [1.08; 5], [1.17; 5]].concat();
        for factors in [drift, steps] {
            assert!(speed_change(&rows_from(&factors, &MEDIANS, 0.005)).unwrap().span > 1.15);
        }
    }

    #[test]
    fn one_speed_a_few_slow_rounds_a_small_gap_or_few_rounds_are_no_change() {
        let cases: [Vec<f64>; 6] = [
            vec![1.0; 15],
            // one speed, noisy
            vec![1.0, 1.02, 0.98, 1.04, 0.97, 1.01, 1.03, 0.99, 1.0, 1.02, 0.975, 1.035, 1.044, 1.017, 1.02],
            // two slow rounds of 15: neither the median nor the quartiles move
            [vec![1.0; 6], vec![1.3, 1.3], vec![1.0; 7]].concat(),
            vec![1.0, 1.0, 1.6, 1.0, 1.0, 1.0],    // one slow round
            vec![1.0, 1.09, 1.0, 1.09, 1.0, 1.09], // two groups, but only 9% apart: within SPEED_MOVED
            vec![1.0, 1.5, 1.0],                   // three rounds: too few to tell
        ];
        for factors in cases {
            assert_eq!(speed_change(&rows_from(&factors, &MEDIANS, 0.005)), None, "{factors:?}");
            assert_eq!(speed_note(&rows_from(&factors, &MEDIANS, 0.0), "rounds"), None, "{factors:?}");
        }
    }

    /// Fewer than six kernels, or fewer than three quarters of them slower in the slower rounds: their own
    /// noise, which their spreads carry (a review: three kernels of one-speed rounds gave a 15% 'change').
    #[test]
    fn a_few_kernels_noise_is_theirs_not_the_machines() {
        for n in 1..MIN_KERNELS {
            assert_eq!(speed_change(&rows_from(&alternating(4), &vec![0.1; n], 0.0)), None);
        }
        let mut rows = rows_from(&[1.0; 8], &MEDIANS, 0.0);
        let slow_down = |r: &mut Value| {
            let times: Vec<f64> = r["round_times_s"].as_array().unwrap().iter().map(|t| t.as_f64().unwrap()).collect();
            r["round_times_s"] = json!(times.iter().zip(alternating(4)).map(|(t, f)| t * f).collect::<Vec<_>>());
        };
        rows[..4].iter_mut().for_each(slow_down); // four of six: the factor moves, but not three quarters
        assert_eq!(speed_change(&rows), None);
        slow_down(&mut rows[4]);
        let c = speed_change(&rows).unwrap();
        assert_eq!((c.moved, c.kernels), (5, 6));
    }

    #[test]
    fn a_kernel_that_moved_by_less_than_half_the_span_did_not_move_with_the_machine() {
        let mut rows = rows_from(&alternating(4), &MEDIANS, 0.0);
        rows[5]["round_times_s"] = json!([1.0, 1.05].repeat(4).iter().map(|f| 0.01 * f).collect::<Vec<_>>());
        assert_eq!(speed_change(&rows).unwrap().moved, 5); // 5%, against a span of 30%
    }

    /// A span of exactly SPEED_MOVED is one speed; just past it, a change.
    #[test]
    fn the_span_must_pass_speed_moved() {
        let at = |factor: f64| speed_change(&rows_from(&[1.0, factor].repeat(4), &MEDIANS, 0.0));
        assert_eq!(at(1.1), None);
        assert!(at(1.1000001).is_some());
    }

    /// Times the readers would refuse (null, a string, 0) in a merge's input: that row is no time of a round,
    /// never a panic (a review found `finish` exiting 101).
    #[test]
    fn a_row_whose_times_are_not_times_is_left_out() {
        let mut rows = rows_from(&[1.0, 1.3].repeat(4), &MEDIANS, 0.0);
        rows[0]["round_times_s"][3] = Value::Null;
        rows[1]["round_times_s"][0] = json!("0.1");
        assert_eq!(round_factors(&rows), None); // four kernels left
        rows.extend(rows_from(&[1.0, 1.3].repeat(4), &MEDIANS[..2], 0.0));
        assert_eq!(speed_change(&rows).unwrap().kernels, 6);
    }

    #[test]
    fn only_kernels_timed_in_every_round_count() {
        let mut rows = rows_from(&alternating(4), &MEDIANS, 0.0);
        rows.push(json!({"name": "short", "status": "ok", "round_times_s": vec![0.1; 7]})); // shifted
        let flip = [0.1, 9.0].repeat(4);
        rows.push(json!({"name": "failed", "status": "failed", "round_times_s": flip}));
        rows.push(json!({"name": "none"}));
        assert_eq!(speed_change(&rows).unwrap().kernels, 6);
    }

    #[test]
    fn the_committed_sets_ran_at_one_speed() {
        let results = concat!(env!("CARGO_MANIFEST_DIR"), "/../../results");
        let mut seen = 0;
        for set in std::fs::read_dir(results).expect("results/") {
            let path = set.expect("an entry").path().join("summary.json");
            if let Ok(text) = std::fs::read_to_string(&path) {
                let summary: Value = serde_json::from_str(&text).expect("a summary");
                assert_eq!(speed_change(summary["rows"].as_array().unwrap()), None, "{}", path.display());
                seen += 1;
            }
        }
        assert!(seen >= 6, "{seen} sets");
    }
}
