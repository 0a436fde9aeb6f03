//! The algorithmic rung's counts equal the brute-force FMA rung's, exactly, everywhere we look.

use mandel_algorithmic::{in_cardioid_or_bulb, render_span};
use mandel_core::{Params, total_iterations};

/// (width, height, x range, y range, max_iters), including regions that cross the cardioid and bulb
/// boundaries, the cusp, and a region full of periodic orbits.
type View = (usize, usize, (f64, f64), (f64, f64), u64);

const VIEWS: &[View] = &[
    (960, 960, (-2.0, 0.6), (-1.5, 1.5), 200),       // canonical
    (240, 240, (-2.0, 0.6), (-1.5, 1.5), 5000),      // canonical view, deep
    (200, 200, (-0.80, -0.70), (-0.05, 0.05), 2000), // neck: cardioid meets bulb
    (200, 200, (0.20, 0.30), (-0.05, 0.05), 3000),   // the cusp at 1/4
    (200, 200, (-1.30, -1.20), (-0.05, 0.05), 1000), // left edge of the period-2 bulb
    (200, 200, (-0.20, -0.05), (0.95, 1.10), 2000),  // period-3 bulb (periodic, not closed-form)
    (150, 150, (-1.80, -1.70), (-0.05, 0.05), 1000), // the period-3 minibrot on the real axis
    (201, 133, (0.30, 0.45), (0.30, 0.65), 500),     // seahorse-ish boundary region
];

fn check<T: mandel_core::Real>(brute: mandel_core::RenderFn) {
    for &(w, h, x, y, it) in VIEWS {
        let p = Params::new(w, h, x, y, it).unwrap();
        let mut expected = vec![0; p.pixels()];
        brute(&p, 0, &mut expected);
        let mut got = vec![0; p.pixels()];
        let executed = render_span::<T>(&p, 0, &mut got);
        let first_diff = expected.iter().zip(&got).position(|(a, b)| a != b);
        assert_eq!(first_diff, None, "{w}x{h} {x:?} {y:?} {it}");
        assert!(executed <= total_iterations(&expected));
    }
}

#[test]
fn f64_equals_fma_f64_exactly() {
    check::<f64>(mandel_fma::render_f64);
}

#[test]
fn f32_equals_fma_f32_exactly() {
    check::<f32>(mandel_fma::render_f32);
}

/// The SIMD algorithmic kernel (`simd-algorithmic-*`, in `mandel_simd`), on every ISA path this CPU
/// has, equals brute force exactly on the same views, and executes fewer lane-iterations than the
/// brute-force counts sum to wherever the cardioid or bulb is in view.
#[test]
fn simd_algorithmic_equals_brute_force_exactly_on_every_path() {
    use mandel_core::Precision;
    use mandel_simd::{Variant, available_isas, lane_count, render_span_with};
    for &(w, h, x, y, it) in VIEWS {
        let p = Params::new(w, h, x, y, it).unwrap();
        for (precision, brute) in [
            (Precision::F32, mandel_fma::render_f32 as mandel_core::RenderFn),
            (Precision::F64, mandel_fma::render_f64),
        ] {
            let mut expected = vec![0; p.pixels()];
            brute(&p, 0, &mut expected);
            for &isa in available_isas() {
                let mut got = vec![u32::MAX; p.pixels()];
                render_span_with(isa, precision, Variant::Algorithmic, &p, 0, &mut got).unwrap();
                let first_diff = expected.iter().zip(&got).position(|(a, b)| a != b);
                assert_eq!(first_diff, None, "{isa} {precision:?} {w}x{h} {x:?} {y:?} {it}");
            }
            let counted = lane_count(mandel_simd::selected_isa(), precision, Variant::Algorithmic, &p);
            assert_eq!(counted.sum_of_counts, total_iterations(&expected));
            if p.x_at(0) < 0.0 && p.x_at(w - 1) > -1.0 && y.0 < 0.0 && y.1 > 0.0 {
                assert!(
                    counted.lane_iterations < counted.sum_of_counts,
                    "{precision:?} {w}x{h} {x:?} {y:?}: {counted:?}"
                );
            }
        }
    }
}

#[test]
fn skips_most_of_the_canonical_work() {
    let p = Params::canonical();
    let mut out = vec![0; p.pixels()];
    let executed = render_span::<f32>(&p, 0, &mut out);
    let total = total_iterations(&out);
    // Most iterations are inside the cardioid/bulb, periodicity takes most of the rest (the figures:
    // MEASUREMENTS.md, "What bounds each rung").
    assert!(executed * 5 < total, "executed {executed} of {total}");
}

#[test]
fn closed_form_regions() {
    assert!(in_cardioid_or_bulb(0.0, 0.0));
    assert!(in_cardioid_or_bulb(-0.5, 0.5));
    assert!(in_cardioid_or_bulb(-1.0, 0.0));
    assert!(in_cardioid_or_bulb(-1.0, 0.2));
    assert!(!in_cardioid_or_bulb(0.26, 0.0)); // outside the cusp
    assert!(!in_cardioid_or_bulb(0.249, 0.0)); // inside, but in the cusp's excluded disk
    assert!(!in_cardioid_or_bulb(-0.75, 0.05)); // the neck, outside both
    assert!(!in_cardioid_or_bulb(-0.1, 0.9)); // escapes
    assert!(!in_cardioid_or_bulb(-0.12, 0.75)); // period-3 bulb: in the set, not closed-form
}

/// Issue 12: the closed form read `inf <= inf` as inside for points beyond f32's range (or whose
/// square overflows f64), giving `max_iters` where brute force and the reference escape at step 1.
#[test]
fn non_finite_points_are_never_inside() {
    for (x, y) in [
        (0.0, f64::INFINITY),
        (0.0, f64::NEG_INFINITY),
        (1.0, f64::INFINITY),
        (f64::NEG_INFINITY, 0.0),
        (f64::INFINITY, f64::INFINITY),
        (0.0, 1e200), // finite, but y*y overflows to inf
        (-0.5, 1e160),
        (f64::NAN, 0.0),
        (0.0, f64::NAN),
    ] {
        assert!(!in_cardioid_or_bulb(x, y), "({x}, {y}) taken for a cardioid/bulb point");
    }
    assert_eq!(mandel_algorithmic::escape_count::<f32>(0.0, f32::INFINITY, 200).0, 1);
    assert_eq!(mandel_algorithmic::escape_count::<f64>(0.0, 1e200, 200).0, 1);
}

/// Views whose points (in f32) or whose first squares (in f64) are infinite: the scalar and SIMD
/// algorithmic kernels equal brute force, which equals the f64 reference there (every point but 0
/// escapes at its first step). Called through the unchecked render functions: the registered f32
/// kernels refuse these views (`Params::check_precision`), the kernels themselves must still be right.
#[test]
fn views_with_non_finite_values_equal_brute_force_and_the_reference() {
    use mandel_core::Precision;
    use mandel_simd::Variant;
    for r in [1e300, 1e200, 1e160, 1e40, 1e20] {
        let p = Params::new(64, 64, (-r, r), (-r, r), 200).unwrap();
        let reference = mandel_core::reference::render(&p);
        for (name, brute, algorithmic) in [
            (
                "f32",
                mandel_fma::render_f32 as mandel_core::RenderFn,
                mandel_algorithmic::render_f32 as mandel_core::RenderFn,
            ),
            ("f64", mandel_fma::render_f64, |p, s, o| {
                render_span::<f64>(p, s, o);
            }),
            ("simd f32", mandel_fma::render_f32, mandel_simd::render_f32_algorithmic),
            ("simd f64", mandel_fma::render_f64, |p, s, o| {
                let isa = mandel_simd::selected_isa();
                mandel_simd::render_span_with(isa, Precision::F64, Variant::Algorithmic, p, s, o).unwrap();
            }),
        ] {
            let mut expected = vec![0; p.pixels()];
            brute(&p, 0, &mut expected);
            assert_eq!(expected, reference, "brute force {name} at +-{r:e}");
            let mut got = vec![u32::MAX; p.pixels()];
            algorithmic(&p, 0, &mut got);
            let first_diff = expected.iter().zip(&got).position(|(a, b)| a != b);
            assert_eq!(first_diff, None, "algorithmic {name} at +-{r:e}");
        }
    }
}

/// 161 rows `y = -1.25 + row/64` (exact in f32 and f64): row 80 is the axis and row `r` mirrors
/// `160 - r`, so every row above the axis is a copy, wherever the span holds both rows whole. 64
/// columns: on 3 threads a task is 64 rows, so the copies are handed between several tasks.
fn mirrored_view() -> Params {
    Params::new(64, 161, (-2.0, 0.6), (-1.25, 1.265625), 300).unwrap()
}

/// Spans that start and end mid-row, hold some pairs of mirrored rows whole and cut others: every
/// algorithmic kernel (scalar, SIMD on every path, on a pool) equals brute force exactly.
#[test]
fn mirrored_spans_equal_brute_force() {
    use mandel_core::mirror::Mirror;
    use mandel_simd::{Variant, available_isas, render_span_with};
    let p = mirrored_view();
    let spans = [(0, p.pixels()), (13, 4000), (3213, 4480), (64 * 70 + 3, 64 * 20), (37, 10000), (0, 39), (10241, 63)];
    assert_eq!(Mirror::plan::<f32>(&p, 0, p.pixels()).pairs().len(), 80);
    assert_eq!(Mirror::plan::<f64>(&p, 3213, 4480).pairs().len(), 29); // rows 51..=119 whole: 81..=109 copy 79..=51
    for (precision, brute) in [
        (mandel_core::Precision::F32, mandel_fma::render_f32 as mandel_core::RenderFn),
        (mandel_core::Precision::F64, mandel_fma::render_f64),
    ] {
        let mut expected = vec![0; p.pixels()];
        brute(&p, 0, &mut expected);
        for (start, len) in spans {
            let want = &expected[start..start + len];
            let mut got = vec![u32::MAX; len];
            match precision {
                mandel_core::Precision::F32 => render_span::<f32>(&p, start, &mut got),
                mandel_core::Precision::F64 => render_span::<f64>(&p, start, &mut got),
            };
            assert_eq!(got, want, "scalar {precision:?} {start}+{len}");
            for &isa in available_isas() {
                let mut got = vec![u32::MAX; len];
                render_span_with(isa, precision, Variant::Algorithmic, &p, start, &mut got).unwrap();
                assert_eq!(got, want, "{isa} {precision:?} {start}+{len}");
            }
            for threads in [1, 3] {
                let mut got = vec![u32::MAX; len];
                mandel_rayon::with_threads(threads, || match precision {
                    mandel_core::Precision::F32 => {
                        mandel_rayon::render_mirrored::<f32>(&p, start, &mut got, mandel_simd::render_f32_algorithmic)
                    }
                    mandel_core::Precision::F64 => {
                        mandel_rayon::render_mirrored::<f64>(&p, start, &mut got, |p, s, o| {
                            render_span::<f64>(p, s, o);
                        })
                    }
                })
                .unwrap();
                assert_eq!(got, want, "{threads} threads {precision:?} {start}+{len}");
            }
        }
    }
}

/// The mirrored rows are copied, not rendered: the canonical image executes exactly what its rows
/// up to the axis (0..=480) do alone, in the scalar and the SIMD kernel alike.
#[test]
fn the_canonical_image_renders_only_its_lower_half() {
    use mandel_core::Precision;
    use mandel_simd::{Variant, render_counting};
    let p = Params::canonical();
    let half = 481 * p.width();
    let (mut whole, mut lower) = (vec![0; p.pixels()], vec![0; half]);
    assert_eq!(render_span::<f32>(&p, 0, &mut whole), render_span::<f32>(&p, 0, &mut lower));
    assert_eq!(whole[..half], lower[..]);
    let simd_whole = render_counting(Precision::F32, Variant::Algorithmic, &p, 0, &mut whole);
    let simd_lower = render_counting(Precision::F32, Variant::Algorithmic, &p, 0, &mut lower);
    assert_eq!(simd_whole, simd_lower);
}

/// Points just inside the main cardioid and the period-2 bulb, from 1e-7 to 1e-2 inside (in the
/// attracting cycle's multiplier `rho`, which is 1 on the boundary), round both boundaries, and the
/// point of issue 20 (3e-9 inside the bulb, where brute-force f32 escapes after 56,271 iterations):
/// there rounding noise can carry a brute-force orbit out, so a closed-form test without a margin
/// gave `max_iters` where brute force escapes.
fn near_the_boundaries() -> Vec<(f64, f64)> {
    let mut points = vec![(-1.0016192197799683, 0.24999475479125977)];
    for i in 0..32 {
        // Angles round each boundary, short of the cusp (angle 0 of the cardioid).
        let theta = 0.1 + (std::f64::consts::TAU - 0.2) * f64::from(i) / 31.0;
        for rho in [1.0 - 1e-7, 1.0 - 1e-5, 1.0 - 1e-3, 1.0 - 1e-2] {
            // Cardioid: c = mu/2 - mu^2/4 with mu = rho e^(i theta) (the fixed point's multiplier).
            let (mx, my) = (rho * theta.cos(), rho * theta.sin());
            points.push((mx / 2.0 - (mx * mx - my * my) / 4.0, my / 2.0 - mx * my / 2.0));
            // Bulb: c = -1 + mu/4 (the 2-cycle's multiplier is 4(c + 1)).
            points.push((-1.0 + mx / 4.0, my / 4.0));
        }
    }
    points
}

/// Issue 20, 6: at a high iteration cap, the scalar and SIMD algorithmic kernels equal their
/// brute-force twins bit for bit on points just inside the cardioid and the bulb (one-pixel images,
/// the pixel being the point), in f32 and f64.
#[test]
fn algorithmic_kernels_equal_brute_force_just_inside_the_boundaries_at_high_caps() {
    use mandel_core::Precision;
    use mandel_simd::{Variant, render_span_with, selected_isa};
    let brute =
        [(Precision::F32, mandel_fma::render_f32 as mandel_core::RenderFn), (Precision::F64, mandel_fma::render_f64)];
    let mut escaped = 0;
    for (x, y) in near_the_boundaries() {
        let p = Params::new(1, 1, (x, x + 1e-3), (y, y + 1e-3), 1_000_000).unwrap();
        for (precision, brute) in brute {
            let mut expected = [0];
            brute(&p, 0, &mut expected);
            escaped += usize::from(expected[0] < p.max_iters());
            let mut scalar = [0];
            match precision {
                Precision::F32 => render_span::<f32>(&p, 0, &mut scalar),
                Precision::F64 => render_span::<f64>(&p, 0, &mut scalar),
            };
            assert_eq!(scalar, expected, "scalar algorithmic {precision:?} at ({x}, {y})");
            let mut simd = [0];
            render_span_with(selected_isa(), precision, Variant::Algorithmic, &p, 0, &mut simd).unwrap();
            assert_eq!(simd, expected, "SIMD algorithmic {precision:?} at ({x}, {y})");
        }
    }
    // Some of these interior points do escape under rounding: the test is not vacuous.
    assert!(escaped > 0);
}
