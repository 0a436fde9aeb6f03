use mandel_core::{MAX_ITERS_CAP, MAX_PIXELS, ParamError, Params};

fn p(w: usize, h: usize, x: (f64, f64), y: (f64, f64), it: u64) -> Result<Params, ParamError> {
    Params::new(w, h, x, y, it)
}

#[test]
fn canonical_mapping_is_a_product() {
    let c = Params::canonical();
    assert_eq!((c.width(), c.height(), c.max_iters(), c.pixels()), (960, 960, 200, 921_600));
    assert_eq!(c.dx(), 2.6 / 960.0);
    assert_eq!(c.dy(), 3.0 / 960.0);
    assert_eq!(c.point(0, 0), (-2.0, -1.5));
    // The last column sits one spacing short of x_max: pixels are left/bottom-anchored.
    assert_eq!(c.point(959, 959), (-2.0 + 959.0 * (2.6 / 960.0), -1.5 + 959.0 * (3.0 / 960.0)));
    assert_eq!(c.point(480, 0).1, 0.0);
}

#[test]
fn non_finite_bounds_are_named() {
    for (i, name) in ["x_min", "x_max", "y_min", "y_max"].iter().enumerate() {
        for bad in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
            let mut b = [-2.0, 0.6, -1.5, 1.5];
            b[i] = bad;
            let err = p(10, 10, (b[0], b[1]), (b[2], b[3]), 10).unwrap_err();
            assert!(matches!(err, ParamError::NonFinite { param, .. } if param == *name), "{err}");
            assert!(err.to_string().contains(name));
        }
    }
}

#[test]
fn empty_ranges_are_named() {
    let e = p(10, 10, (0.6, -2.0), (-1.5, 1.5), 10).unwrap_err();
    assert_eq!(e, ParamError::EmptyRange { axis: "x", min: 0.6, max: -2.0 });
    assert!(e.to_string().contains("x_min must be less than x_max"));
    let e = p(10, 10, (-2.0, 0.6), (1.0, 1.0), 10).unwrap_err();
    assert_eq!(e, ParamError::EmptyRange { axis: "y", min: 1.0, max: 1.0 });
}

#[test]
fn sizes_are_checked() {
    assert_eq!(p(0, 10, (0.0, 1.0), (0.0, 1.0), 10).unwrap_err(), ParamError::ZeroSize { param: "width" });
    assert_eq!(p(10, 0, (0.0, 1.0), (0.0, 1.0), 10).unwrap_err(), ParamError::ZeroSize { param: "height" });
    let e = p(1 << 15, 1 << 14, (0.0, 1.0), (0.0, 1.0), 10).unwrap_err();
    assert!(matches!(e, ParamError::TooManyPixels { cap: MAX_PIXELS, .. }), "{e}");
    // A product that overflows usize is refused, not wrapped.
    let e = p(usize::MAX, 3, (0.0, 1.0), (0.0, 1.0), 10).unwrap_err();
    assert!(matches!(e, ParamError::TooManyPixels { .. }), "{e}");
    assert!(p(1 << 14, 1 << 14, (0.0, 1.0), (0.0, 1.0), 10).is_ok());
}

#[test]
fn iteration_cap_is_checked() {
    let e = p(4, 4, (0.0, 1.0), (0.0, 1.0), 0).unwrap_err();
    assert_eq!(e, ParamError::MaxIters { value: 0, cap: MAX_ITERS_CAP });
    assert!(e.to_string().contains("max_iters"));
    let too_many = u64::from(MAX_ITERS_CAP) + 1;
    assert_eq!(
        p(4, 4, (0.0, 1.0), (0.0, 1.0), too_many).unwrap_err(),
        ParamError::MaxIters { value: too_many, cap: MAX_ITERS_CAP }
    );
    assert_eq!(p(4, 4, (0.0, 1.0), (0.0, 1.0), u64::from(MAX_ITERS_CAP)).unwrap().max_iters(), MAX_ITERS_CAP);
}

#[test]
fn overflowing_and_degenerate_spacings_are_refused() {
    let e = p(4, 4, (-1e308, 1e308), (0.0, 1.0), 10).unwrap_err();
    assert!(matches!(e, ParamError::NonFinite { param: "dx", .. }), "{e}");
    let e = p(1000, 4, (1.0, 1.0 + 1e-14), (0.0, 1.0), 10).unwrap_err();
    assert!(matches!(e, ParamError::SpacingTooSmall { param: "dx", .. }), "{e}");
}

#[test]
fn buffers_and_spans_are_checked() {
    let c = Params::new(7, 3, (0.0, 1.0), (0.0, 1.0), 10).unwrap();
    assert!(c.check_buffer(21).is_ok());
    assert_eq!(c.check_buffer(20).unwrap_err(), ParamError::BufferLength { expected: 21, got: 20 });
    assert!(c.check_span(20, 1).is_ok());
    assert!(c.check_span(21, 0).is_ok());
    assert!(matches!(c.check_span(20, 2).unwrap_err(), ParamError::SpanOutOfRange { end: 22, .. }));
    assert!(matches!(c.check_span(usize::MAX, 2).unwrap_err(), ParamError::SpanOutOfRange { .. }));
}

/// Issue 12: below f32's resolution every f32 kernel returned one constant count (922 at this view).
/// The view is fine for f64 and refused for f32, naming the spacing and the precision.
#[test]
fn views_below_f32_resolution_are_refused_for_f32_only() {
    use mandel_core::Precision;
    let deep = p(64, 64, (-0.7436438875, -0.7436438865), (0.1318259037, 0.1318259047), 2000).unwrap();
    assert_eq!(deep.check_precision(Precision::F64), Ok(()));
    let e = deep.check_precision(Precision::F32).unwrap_err();
    assert!(matches!(e, ParamError::SpacingBelowPrecision { param: "dx", precision: "f32", .. }), "{e}");
    let text = e.to_string();
    assert!(text.contains("dx") && text.contains("f32") && text.contains("use an f64 kernel"), "{text}");
    // y alone too fine: the error names dy.
    let e = p(4, 64, (-2.0, 0.5), (0.1318259037, 0.1318259047), 10).unwrap().check_precision(Precision::F32);
    assert!(matches!(e, Err(ParamError::SpacingBelowPrecision { param: "dy", .. })), "{e:?}");
    // The canonical view and an ordinary zoom are fine in f32.
    assert_eq!(Params::canonical().check_precision(Precision::F32), Ok(()));
    let zoom = p(64, 64, (-0.7436, -0.7435), (0.1318, 0.1319), 2000).unwrap();
    assert_eq!(zoom.check_precision(Precision::F32), Ok(()));
}

#[test]
fn bounds_beyond_f32_range_are_refused_for_f32_only() {
    use mandel_core::Precision;
    let huge = p(64, 64, (-1e300, 1e300), (-1e300, 1e300), 200).unwrap();
    assert_eq!(huge.check_precision(Precision::F64), Ok(()));
    let e = huge.check_precision(Precision::F32).unwrap_err();
    assert!(matches!(e, ParamError::OutsidePrecision { param: "x_min", precision: "f32", .. }), "{e}");
    assert!(e.to_string().contains("outside the finite range of f32"), "{e}");
    // Only y beyond the range: y_min is named. f32::MAX itself is still finite.
    let e = p(4, 4, (-2.0, 0.5), (-1.0, 1e39), 10).unwrap().check_precision(Precision::F32);
    assert!(matches!(e, Err(ParamError::OutsidePrecision { param: "y_max", .. })), "{e:?}");
    let edge = p(4, 4, (-f64::from(f32::MAX), f64::from(f32::MAX)), (-1.0, 1.0), 10).unwrap();
    assert_eq!(edge.check_precision(Precision::F32), Ok(()));
}
