//! The C reference's counts equal the Rust SIMD rung's (`simd-f32`, whole vectors) bit for bit, on
//! every path this CPU has and every tuning of each, on odd shapes, mid-row spans and extreme
//! iteration caps; it agrees with the f64 reference within the f32 tolerance; and it refuses what
//! it was not built for without writing anything.
//!
//! In a build without a C compiler there is nothing to compare: the comparisons find no path, and
//! `the_c_kernel_is_built_where_required` fails if `MANDEL_REQUIRE_C_REFERENCE=1` (scripts/test).

use mandel_c_reference::{Error, Isa, TUNINGS, Tuning, available, available_isas, render_f32_with};
use mandel_core::{Params, Precision, Tolerance, compare, reference};
use mandel_simd::Variant;

/// Every (path, tuning) this build and CPU can run; the scalar path has one (its tuning is ignored).
fn paths() -> Vec<(Isa, Tuning)> {
    let mut paths = Vec::new();
    for &isa in available_isas() {
        match isa.tunings() {
            [] => paths.push((isa, Tuning { vectors: 1, check_every: 1 })),
            tunings => paths.extend(tunings.iter().map(|&t| (isa, t))),
        }
    }
    paths
}

fn params(w: usize, h: usize, x: (f64, f64), y: (f64, f64), it: u64) -> Params {
    Params::new(w, h, x, y, it).unwrap()
}

const CANONICAL_X: (f64, f64) = (-2.0, 0.6);
const CANONICAL_Y: (f64, f64) = (-1.5, 1.5);
/// A view on the set's boundary: most pixels are slow to decide.
const EDGE_X: (f64, f64) = (-0.8, -0.7);
const EDGE_Y: (f64, f64) = (0.05, 0.15);

/// The Rust SIMD rung's counts of the span.
fn rust(p: &Params, start: usize, len: usize) -> Vec<u32> {
    let mut out = vec![u32::MAX; len];
    let isa = mandel_simd::selected_isa();
    mandel_simd::render_span_with(isa, Precision::F32, Variant::WholeVector, p, start, &mut out).unwrap();
    out
}

/// The span rendered by the C kernel into the middle of a buffer of sentinels, which must survive:
/// the C side writes exactly out[0 .. len].
fn c(isa: Isa, tuning: Tuning, p: &Params, start: usize, len: usize) -> Vec<u32> {
    const GUARD: usize = 16;
    const SENTINEL: u32 = 0xDEAD_BEEF;
    let mut buffer = vec![SENTINEL; len + 2 * GUARD];
    render_f32_with(isa, tuning, p, start, &mut buffer[GUARD..GUARD + len]).unwrap();
    let (head, rest) = buffer.split_at(GUARD);
    let (out, tail) = rest.split_at(len);
    assert!(head.iter().chain(tail).all(|&g| g == SENTINEL), "{isa} {tuning}: wrote outside its span");
    out.to_vec()
}

/// Every path and tuning gives the Rust rung's counts for the span, pixel for pixel.
fn assert_equal(p: &Params, start: usize, len: usize) {
    let expected = rust(p, start, len);
    for (isa, tuning) in paths() {
        let got = c(isa, tuning, p, start, len);
        if got != expected {
            let cmp = compare(&expected, &got);
            panic!(
                "{isa} {tuning}, {}x{}/{} span {start}+{len}: {} pixels differ from simd-f32, first (index, rust, c) {:?}",
                p.width(),
                p.height(),
                p.max_iters(),
                cmp.differing,
                cmp.first_difference
            );
        }
    }
}

#[test]
fn the_c_kernel_is_built_where_required() {
    if std::env::var("MANDEL_REQUIRE_C_REFERENCE").is_ok_and(|v| v == "1") {
        assert!(available(), "MANDEL_REQUIRE_C_REFERENCE=1 but this build has no C reference kernel");
        assert!(available_isas().contains(&Isa::Scalar));
    }
}

#[test]
fn equal_to_simd_f32_on_odd_shapes() {
    for (w, h) in [(1, 1), (1, 17), (17, 1), (33, 7), (5, 3), (64, 64)] {
        let p = params(w, h, CANONICAL_X, CANONICAL_Y, 200);
        assert_equal(&p, 0, p.pixels());
    }
    let edge = params(64, 64, EDGE_X, EDGE_Y, 300);
    assert_equal(&edge, 0, edge.pixels());
}

#[test]
fn equal_to_simd_f32_at_the_canonical_size() {
    let p = Params::canonical();
    assert_equal(&p, 0, p.pixels());
}

#[test]
fn equal_to_simd_f32_at_extreme_iteration_caps() {
    for it in [1, 1000] {
        for (w, h, x, y) in
            [(33, 7, CANONICAL_X, CANONICAL_Y), (64, 64, EDGE_X, EDGE_Y), (97, 61, CANONICAL_X, CANONICAL_Y)]
        {
            let p = params(w, h, x, y, it);
            assert_equal(&p, 0, p.pixels());
        }
    }
}

/// Spans that start mid-row and have odd lengths: vectors straddle rows from the first one on, and
/// the last one is partial.
#[test]
fn equal_to_simd_f32_on_spans_starting_mid_row() {
    let p = Params::canonical();
    for start in [5, 961, 1023, 460_801] {
        for len in [1, 7, 15, 17, 33, 1001, 4097] {
            assert_equal(&p, start, len);
        }
    }
    // Rows narrower than a vector: one vector spans several rows.
    let narrow = params(3, 50, CANONICAL_X, CANONICAL_Y, 200);
    for (start, len) in [(0, 150), (1, 149), (2, 37), (148, 2)] {
        assert_equal(&narrow, start, len);
    }
}

/// Spans rendered piece by piece equal the whole render (each piece starts a fresh cursor).
#[test]
fn pieces_equal_the_whole() {
    let p = params(33, 7, CANONICAL_X, CANONICAL_Y, 100);
    for (isa, tuning) in paths() {
        let whole = c(isa, tuning, &p, 0, p.pixels());
        let mut pieces = vec![0; p.pixels()];
        for (i, chunk) in pieces.chunks_mut(10).enumerate() {
            render_f32_with(isa, tuning, &p, i * 10, chunk).unwrap();
        }
        assert_eq!(whole, pieces, "{isa} {tuning}");
    }
}

#[test]
fn within_the_f32_tolerance_of_the_f64_reference() {
    for p in [Params::canonical(), params(64, 64, EDGE_X, EDGE_Y, 300), params(17, 13, CANONICAL_X, CANONICAL_Y, 200)] {
        let expected = reference::render(&p);
        for (isa, tuning) in paths() {
            let cmp = compare(&expected, &c(isa, tuning, &p, 0, p.pixels()));
            assert!(cmp.differing <= Tolerance::F32.allowed(cmp.pixels), "{isa} {tuning}: {cmp:?}");
        }
    }
    // The canonical image really is f32: it differs from f64 on ~1,354 pixels (see mandel_core).
    let p = Params::canonical();
    if let Some(&(isa, tuning)) = paths().first() {
        let cmp = compare(&reference::render(&p), &c(isa, tuning, &p, 0, p.pixels()));
        assert!((1_000..3_000).contains(&cmp.differing), "{cmp:?}");
    }
}

#[test]
fn known_points() {
    // (c, count at 200 iterations), each rendered as a 1x1 image whose pixel sits exactly on c.
    let known: &[((f64, f64), u32)] =
        &[((0.0, 0.0), 200), ((2.0, 0.0), 2), ((-2.0, 0.0), 200), ((1.0, 0.0), 3), ((0.3, 0.0), 12), ((-0.1, 0.9), 24)];
    for (isa, tuning) in paths() {
        for &((cx, cy), count) in known {
            let p = params(1, 1, (cx, cx + 1.0), (cy, cy + 1.0), 200);
            assert_eq!(c(isa, tuning, &p, 0, 1), vec![count], "{isa} {tuning} at {cx}+{cy}i");
        }
    }
}

/// Points whose f32 value overflows (|x| near 1e300): c is infinite, the first step makes z
/// infinite, the second escapes. The checked entry points refuse such a view (f32 cannot represent
/// it), so the render functions are compared directly: the arithmetic itself must agree.
#[test]
fn equal_to_simd_f32_where_points_overflow() {
    let p = params(19, 3, (-1e300, 1e300), (-1e300, 1e300), 50);
    let mut out = vec![7u32; p.pixels()];
    let refused = render_f32_with(Isa::Scalar, TUNINGS[0], &p, 0, &mut out);
    assert!(matches!(refused, Err(Error::Params(_) | Error::NotBuilt)), "{refused:?}");
    assert_eq!(out, vec![7u32; p.pixels()]);
    if available() {
        let mut rust = vec![0u32; p.pixels()];
        mandel_simd::render_f32(&p, 0, &mut rust);
        mandel_c_reference::render_f32(&p, 0, &mut out);
        assert_eq!(out, rust);
    }
}

#[test]
fn refusals_write_nothing() {
    let p = params(8, 8, CANONICAL_X, CANONICAL_Y, 10);
    let built: Vec<Tuning> =
        (0..=9).flat_map(|v| (0..=9).map(move |k| Tuning { vectors: v, check_every: k })).collect();
    for isa in Isa::ALL {
        let mut out = vec![7u32; 8];
        for &tuning in &built {
            let result = render_f32_with(isa, tuning, &p, 0, &mut out);
            let expected_ok =
                available() && isa.is_available() && (isa == Isa::Scalar || isa.tunings().contains(&tuning));
            match result {
                Ok(()) => assert!(expected_ok, "{isa} {tuning} ran"),
                Err(e) => {
                    assert!(!expected_ok, "{isa} {tuning}: {e}");
                    assert_eq!(out, vec![7u32; 8], "{isa} {tuning} wrote before refusing");
                }
            }
            out.fill(7);
        }
        // A span outside the image.
        let mut span = vec![7u32; 5];
        assert!(matches!(render_f32_with(isa, TUNINGS[0], &p, 60, &mut span), Err(Error::Params(_) | Error::NotBuilt)));
        assert_eq!(span, vec![7u32; 5]);
    }
}

/// The lane-iterations that C's schedule implies for its counts ([`lane_iterations`], a model of
/// mandel.h's loop, read from the code: the C kernel is not instrumented) equal those the Rust
/// kernel's instrumented build counts when the two run the same schedule (the same vectors in flight
/// and check interval), for every tuning both have. So the model the C rows' share-of-peak column
/// divides by is the work the Rust kernel measurably does on the same schedule; that C executes
/// exactly that schedule rests on the model. Counts are capped, so a Rust vector kept past its
/// `max_iters` steps (a check that misses a deadline) shows only here.
#[test]
fn lane_iterations_equal_the_rust_kernel_s() {
    use mandel_c_reference::lane_iterations;
    let mut compared = 0;
    for p in [Params::canonical(), params(33, 7, CANONICAL_X, CANONICAL_Y, 1), params(64, 64, EDGE_X, EDGE_Y, 1000)] {
        for (isa, rust_isa) in [(Isa::Avx512, mandel_simd::Isa::Avx512), (Isa::Avx2, mandel_simd::Isa::Avx2)] {
            if !isa.is_available() || !mandel_simd::available_isas().contains(&rust_isa) {
                continue;
            }
            for r in mandel_simd::TUNINGS {
                let tuning = Tuning { vectors: r.vectors() as u8, check_every: r.check_every() as u8 };
                if !isa.tunings().contains(&tuning) {
                    continue;
                }
                let counts = c(isa, tuning, &p, 0, p.pixels());
                let rust = mandel_simd::lane_count_tuned(rust_isa, *r, Precision::F32, Variant::WholeVector, &p);
                assert_eq!(rust.isa, rust_isa);
                assert_eq!(
                    lane_iterations(isa, tuning, p.max_iters(), &counts),
                    rust.lane_iterations,
                    "{isa} {tuning} {p:?}"
                );
                compared += 1;
            }
        }
    }
    // Seven tunings in common on each path (AVX2: v3k8 to v6k8; AVX-512: v3k8, v4, v6 and v8), three views.
    if Isa::Avx2.is_available() && mandel_simd::available_isas().contains(&mandel_simd::Isa::Avx2) {
        assert!(compared >= 3 * 7, "compared {compared} renders");
    }
}

/// The calibration returns one of the path's own tunings (none on the scalar path), and the
/// lane-iterations of the scalar path, or of nothing, are the counts.
#[test]
fn calibration_picks_a_built_tuning() {
    for &isa in available_isas() {
        let picked = mandel_c_reference::calibrate(isa).unwrap();
        match isa {
            Isa::Scalar => assert_eq!(picked, None),
            _ => assert!(picked.is_some_and(|t| isa.tunings().contains(&t)), "{isa}: {picked:?}"),
        }
    }
    let tuning = TUNINGS[0];
    assert_eq!(mandel_c_reference::lane_iterations(Isa::Scalar, tuning, 200, &[3, 200, 1]), 204);
    assert_eq!(mandel_c_reference::lane_iterations(Isa::Avx512, tuning, 200, &[]), 0);
}

/// The C side keeps the Rust SIMD kernels' default tuning on each path (the tie band of
/// `mandel_core::choose` keeps it unless another is clearly faster): both start from one configuration.
#[test]
fn the_default_tunings_are_the_rust_kernels() {
    for (c, rust) in [(Isa::Avx512, mandel_simd::Isa::Avx512), (Isa::Avx2, mandel_simd::Isa::Avx2)] {
        let d = c.default_tuning().expect("a vector path has a default");
        let r = mandel_simd::Tuning::default_for(rust);
        assert_eq!((d.vectors as usize, d.check_every as usize), (r.vectors(), r.check_every()), "{c}");
        assert!(c.tunings().contains(&d), "{c}: the default {d} is instantiated");
    }
    assert_eq!(Isa::Scalar.default_tuning(), None);
}
