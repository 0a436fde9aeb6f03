use mandel_core::{Comparison, Params, Tolerance, compare, reference, total_iterations};

/// Counts worked out by hand or with an independent Python loop (same semantics, f64).
pub const KNOWN: &[((f64, f64), u32, u32)] = &[
    // (c, count at 200 iterations, count at 1000)
    ((0.0, 0.0), 200, 1000),  // the origin never moves
    ((2.0, 0.0), 2, 2),       // 0 -> 2 (|z|^2 = 4, still in) -> 6 -> out
    ((-2.0, 0.0), 200, 1000), // 0 -> -2 -> 2 -> 2 ...: the tip of the set stays on |z| = 2
    ((-2.0001, 0.0), 1, 1),   // just past the tip
    ((1.0, 0.0), 3, 3),
    ((0.5, 0.0), 5, 5),
    ((0.25, 0.0), 200, 1000), // the cardioid's cusp
    ((0.26, 0.0), 30, 30),    // just outside the cusp: slow escape
    ((0.3, 0.0), 12, 12),
    ((-0.5, 0.5), 200, 1000), // main cardioid
    ((-1.0, 0.0), 200, 1000), // centre of the period-2 bulb
    ((-1.0, 0.2), 200, 1000), // period-2 bulb
    ((-0.75, 0.05), 63, 63),  // the neck between cardioid and bulb, just outside
    ((-0.75, 0.1), 33, 33),
    ((-1.3, 0.08), 19, 19),
    ((0.0, 1.0), 200, 1000), // i is preperiodic
    ((-0.1, 0.9), 24, 24),
];

#[test]
fn reference_known_points() {
    for &((cx, cy), at200, at1000) in KNOWN {
        assert_eq!(reference::escape_count(cx, cy, 200), at200, "c = {cx}+{cy}i at 200");
        assert_eq!(reference::escape_count(cx, cy, 1000), at1000, "c = {cx}+{cy}i at 1000");
    }
}

#[test]
fn reference_image_matches_point_function_and_canonical_total() {
    let p = Params::new(17, 13, (-2.0, 0.6), (-1.5, 1.5), 50).unwrap();
    let img = reference::render(&p);
    for row in 0..13 {
        for col in 0..17 {
            let (cx, cy) = p.point(row, col);
            assert_eq!(img[row * 17 + col], reference::escape_count(cx, cy, 50));
        }
    }
    // The canonical image's total: 40,139,097 iterations in f64 (issue #3 quotes 40.1 M).
    assert_eq!(total_iterations(&reference::render(&Params::canonical())), 40_139_097);
}

#[test]
fn spans_stitch_into_the_whole_image() {
    let p = Params::new(7, 5, (-2.0, 0.6), (-1.5, 1.5), 100).unwrap();
    let whole = reference::render(&p);
    let mut pieces = vec![0; p.pixels()];
    for (i, chunk) in pieces.chunks_mut(3).enumerate() {
        reference::render_span(&p, i * 3, chunk);
    }
    assert_eq!(whole, pieces);
}

#[test]
fn compare_counts_and_tolerance() {
    let a = [1, 2, 3, 4, 5];
    let b = [1, 9, 3, 4, 0];
    let c = compare(&a, &b);
    assert_eq!(c, Comparison { pixels: 5, differing: 2, max_abs_diff: 7, first_difference: Some((1, 2, 9)) });
    assert_eq!(Tolerance::EXACT.allowed(1_000_000), 0);
    assert_eq!(Tolerance::EXACT.allowed(usize::MAX / 2), 0);
    assert!(Tolerance::F32.allowed(100) > 0);
    assert_eq!(Tolerance::F32.allowed(921_600), 2 + 9_216);
    assert_eq!(Tolerance::F32.allowed(1), 2);
}

/// A tolerance from outside (the extension's `allowed` takes any slack) whose allowance exceeds
/// `usize::MAX`: `checked_allowed` says so, `allowed` saturates; neither panics nor wraps round.
#[test]
fn an_allowance_beyond_usize_is_refused_or_saturated() {
    let huge = Tolerance { max_fraction: 1.0, slack_pixels: usize::MAX };
    assert_eq!(huge.checked_allowed(10), None);
    assert_eq!(huge.allowed(10), usize::MAX);
    assert_eq!(huge.checked_allowed(0), Some(usize::MAX));
    let all = Tolerance { max_fraction: 1.0, slack_pixels: 2 };
    assert_eq!(all.checked_allowed(usize::MAX - 2), None);
    assert_eq!(all.checked_allowed(10), Some(12));
    assert_eq!(Tolerance::F32.checked_allowed(921_600), Some(2 + 9_216));
}
