//! Every registered kernel against the f64 reference, on odd sizes and the canonical one. Kernels this
//! build cannot run (the C reference without a C compiler) are skipped, and only references may be.

use mandel_core::{Params, Precision, Tolerance, compare, reference, verify};
use mandel_registry::{KERNELS, available_kernels};

const SIZES: &[(usize, usize, u64)] =
    &[(1, 1, 200), (1, 7, 200), (7, 1, 200), (17, 13, 200), (33, 7, 1000), (960, 960, 20), (960, 960, 50)];

#[test]
fn every_kernel_within_tolerance_on_odd_sizes() {
    for &(w, h, it) in SIZES {
        let p = Params::new(w, h, (-2.0, 0.6), (-1.5, 1.5), it).unwrap();
        for k in available_kernels() {
            if let Err(e) = verify(k, &p) {
                panic!("{w}x{h}/{it}: {e}");
            }
        }
    }
}

#[test]
fn every_kernel_within_tolerance_at_the_canonical_size() {
    let p = Params::canonical();
    let expected = reference::render(&p);
    for k in available_kernels() {
        let cmp = compare(&expected, &k.render_vec(&p));
        assert!(cmp.differing <= k.tolerance.allowed(cmp.pixels), "{}: {cmp:?}", k.label());
        // Exact kernels are exact; f32 ones really do differ a little (MEASUREMENTS.md, "Agreement
        // with the reference"), so a kernel secretly computing in f64 would be caught mislabelled.
        match (k.precision, k.tolerance == Tolerance::EXACT) {
            (_, true) => assert_eq!(cmp.differing, 0, "{}", k.name),
            (Precision::F32, false) => assert!((1_000..3_000).contains(&cmp.differing), "{}: {cmp:?}", k.name),
            (Precision::F64, false) => assert!(cmp.differing < 100, "{}: {cmp:?}", k.name),
        }
    }
}

/// Known points, each rendered as a 1x1 image whose only pixel sits exactly on c.
#[test]
fn every_kernel_known_points() {
    let known: &[((f64, f64), u32)] = &[
        ((0.0, 0.0), 200),
        ((2.0, 0.0), 2),
        ((-2.0, 0.0), 200),
        ((1.0, 0.0), 3),
        ((0.5, 0.0), 5),
        ((0.3, 0.0), 12),
        ((-0.5, 0.5), 200),
        ((-1.0, 0.2), 200),
        ((-1.3, 0.08), 19),
        ((-0.1, 0.9), 24),
    ];
    for k in available_kernels() {
        for &((cx, cy), count) in known {
            let p = Params::new(1, 1, (cx, cx + 1.0), (cy, cy + 1.0), 200).unwrap();
            let mut out = [u32::MAX];
            k.render(&p, &mut out).unwrap();
            assert_eq!(out[0], count, "{} at c = {cx}+{cy}i", k.label());
        }
    }
}

#[test]
fn spans_equal_whole_renders() {
    let p = Params::new(33, 7, (-2.0, 0.6), (-1.5, 1.5), 100).unwrap();
    for k in available_kernels() {
        let whole = k.render_vec(&p);
        let mut pieces = vec![0; p.pixels()];
        for (i, chunk) in pieces.chunks_mut(10).enumerate() {
            k.render_span(&p, i * 10, chunk).unwrap();
        }
        assert_eq!(whole, pieces, "{}", k.name);
    }
}

#[test]
fn wrong_buffers_are_errors_not_writes() {
    let p = Params::new(8, 8, (-2.0, 0.6), (-1.5, 1.5), 10).unwrap();
    for k in KERNELS {
        let mut short = vec![7u32; 63];
        assert!(k.render(&p, &mut short).is_err(), "{}", k.name);
        assert!(short.iter().all(|&c| c == 7), "{} wrote into a refused buffer", k.name);
        let mut span = vec![7u32; 5];
        assert!(k.render_span(&p, 60, &mut span).is_err());
        assert!(span.iter().all(|&c| c == 7));
    }
}

#[test]
fn names_are_unique_and_stable() {
    let mut names: Vec<_> = KERNELS.iter().map(|k| k.name).collect();
    names.sort();
    names.dedup();
    assert_eq!(names.len(), KERNELS.len());
    for n in ["naive-f32", "naive-f64", "num-complex-f64", "fma-f32", "fma-f64"] {
        assert!(mandel_registry::kernel(n).is_some(), "{n} missing from the registry");
    }
}

/// Kernels with a lane-iteration counter: their counts are their render's, and what they report
/// executed is plausible (the algorithmic rung skips most of the canonical image's work).
#[test]
fn lane_iteration_counters() {
    let p = Params::canonical();
    let expected = reference::render(&p);
    for k in available_kernels() {
        let mut out = vec![0; p.pixels()];
        let lanes = k.render_counting(&p, &mut out).unwrap();
        assert_eq!(out, k.render_vec(&p), "{}", k.name);
        let sum = mandel_core::total_iterations(&out);
        if k.lane_iterations_fn.is_none() {
            assert_eq!(lanes, sum, "{}", k.name);
        } else if k.algorithmic {
            // Most iterations lie in the cardioid and the period-2 bulb alone (MEASUREMENTS.md, "What
            // bounds each rung"); the SIMD kernel executes more than the scalar one: lanes idle in
            // vectors that straddle the set.
            assert!(lanes < sum / 2, "{}: {lanes} of {sum}", k.name);
        } else {
            // SIMD lanes: never fewer steps than useful ones.
            assert!(lanes >= sum, "{}: {lanes} < {sum}", k.name);
        }
        assert!(compare(&expected, &out).differing <= k.tolerance.allowed(p.pixels()));
    }
}

/// Only references may be unavailable (a rung always runs), and an unavailable kernel refuses to
/// render, naming why. `MANDEL_REQUIRE_C_REFERENCE=1` (scripts/test) requires the C reference.
#[test]
fn only_references_may_be_unavailable() {
    let require_c = std::env::var("MANDEL_REQUIRE_C_REFERENCE").is_ok_and(|v| v == "1");
    let p = Params::new(4, 4, (-2.0, 0.6), (-1.5, 1.5), 10).unwrap();
    for k in KERNELS {
        match (k.unavailable)() {
            None => assert!(k.render(&p, &mut [0; 16]).is_ok(), "{}", k.name),
            Some(reason) => {
                assert!(k.reference, "{} is a rung, yet unavailable: {reason}", k.name);
                assert!(!require_c, "MANDEL_REQUIRE_C_REFERENCE=1 but {} is unavailable: {reason}", k.name);
                let mut out = [7u32; 16];
                let e = k.render(&p, &mut out).unwrap_err();
                assert!(e.to_string().contains(reason), "{e}");
                assert_eq!(out, [7; 16]);
            }
        }
    }
    assert!(KERNELS.iter().any(|k| k.reference), "the C reference kernels are registered");
}

/// The C reference kernels, as registered (calibrated tuning, the rayon split), give simd-f32's
/// counts bit for bit at the canonical size (crates/c-reference tests every path and tuning).
#[test]
fn c_references_equal_simd_f32() {
    let p = Params::canonical();
    let simd = mandel_registry::kernel("simd-f32").unwrap().render_vec(&p);
    for name in ["c-ref-f32", "rayon-c-ref-f32"] {
        let k = mandel_registry::kernel(name).unwrap();
        assert!(k.reference && k.precision == Precision::F32, "{name}");
        if (k.unavailable)().is_none() {
            let mut out = vec![0; p.pixels()];
            k.render(&p, &mut out).unwrap();
            assert!(out == simd, "{name}: {:?}", compare(&simd, &out));
        }
    }
}

/// The like-for-like group "compiled scalar f64, every core" compares Rust with Cython, Pythran and
/// Numba, none of which fuse: its unfused Rust row must be naive-f64 on the pool, exact and unfused,
/// the same counts bit for bit (rayon-fma-f64, the fused row, may differ).
#[test]
fn rayon_naive_f64_is_naive_f64_on_every_core() {
    let p = Params::canonical();
    let naive = mandel_registry::kernel("naive-f64").unwrap();
    let k = mandel_registry::kernel("rayon-naive-f64").expect("rayon-naive-f64 in the registry");
    assert!(!k.fused && k.tolerance == Tolerance::EXACT && k.precision == Precision::F64);
    assert_eq!((k.threads, (k.isa)()), (mandel_core::Threads::Pool, "scalar"));
    assert!(!k.algorithmic && !k.reference && k.one_lane);
    let out = k.render_vec(&p);
    assert!(out == naive.render_vec(&p), "{:?}", compare(&naive.render_vec(&p), &out));
    assert!(out == reference::render(&p));
}

/// Issue 12: views an f32 kernel cannot represent (below f32's resolution, or beyond its range) are
/// refused by every f32 kernel, naming the parameter and the precision, and nothing is written; f64
/// kernels render them. (Before, the first view gave one constant count on every f32 kernel.)
#[test]
fn f32_kernels_refuse_views_beyond_f32_and_write_nothing() {
    let deep = Params::new(64, 64, (-0.7436438875, -0.7436438865), (0.1318259037, 0.1318259047), 2000).unwrap();
    let huge = Params::new(64, 64, (-1e300, 1e300), (-1e300, 1e300), 200).unwrap();
    for (p, needle) in [(&deep, "pixel spacing dx"), (&huge, "x_min")] {
        for k in available_kernels() {
            let mut out = vec![7u32; p.pixels()];
            let result = k.render(p, &mut out);
            let span = k.render_span(p, 0, &mut out[..10]);
            let counting = k.render_counting(p, &mut out);
            match k.precision {
                Precision::F32 => {
                    for r in [result, span, counting.map(|_| ())] {
                        let e = r.unwrap_err().to_string();
                        assert!(e.contains(needle) && e.contains("f32"), "{}: {e}", k.name);
                    }
                    assert!(out.iter().all(|&c| c == 7), "{} wrote into a refused buffer", k.name);
                }
                Precision::F64 => {
                    result.unwrap();
                    span.unwrap();
                    counting.unwrap();
                }
            }
        }
    }
}

/// Every kernel handles non-finite intermediate values like the reference: on views whose points
/// (in f32) or whose squares (in f64) overflow, every kernel's counts equal the reference's exactly
/// (every point but 0 escapes at its first step). The render functions are called directly, below
/// the f32 kernels' refusal of such views: the arithmetic itself must be right. Before the fix the
/// algorithmic f32 kernels counted infinite points as inside (200 where the reference says 1).
#[test]
fn every_kernel_equals_the_reference_where_values_overflow() {
    for r in [1e300, 1e160, 1e40, 3e38, 1e20] {
        for (w, h) in [(64, 64), (33, 17)] {
            let p = Params::new(w, h, (-r, r), (-r, r), 200).unwrap();
            let expected = reference::render(&p);
            for k in available_kernels() {
                let mut got = vec![u32::MAX; p.pixels()];
                (k.render_fn)(&p, 0, &mut got);
                let cmp = compare(&expected, &got);
                assert_eq!(cmp.differing, 0, "{} at +-{r:e} {w}x{h}: {cmp:?}", k.label());
            }
        }
    }
}

/// The registry's flags agree with what the kernels do: a one-lane kernel that skips nothing has no
/// lane counter (its lane-iterations are its counts), SIMD and algorithmic kernels have one, and every
/// tolerance is the rule's for the kernel's precision (`Tolerance::of`, fused or not).
#[test]
fn flags_agree_with_the_kernels() {
    for k in KERNELS {
        assert_eq!(k.lane_iterations_fn.is_some(), !k.one_lane || k.algorithmic, "{}", k.name);
        let rule = [false, true].map(|fused| Tolerance::of(k.precision, fused));
        assert!(rule.contains(&k.tolerance), "{}: {:?}", k.name, k.tolerance);
    }
}
