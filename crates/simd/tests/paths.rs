//! Every ISA path this CPU can run, forced one by one through the explicit API, against its scalar twin
//! (`mandel_fma`, the same operations in the same order): the counts must be identical, pixel for pixel.

use mandel_core::{Params, Precision, Tolerance, compare, reference};
use mandel_simd::{Isa, Variant, available_isas, render_span_with};

const PRECISIONS: [Precision; 2] = [Precision::F32, Precision::F64];

fn twin(precision: Precision, params: &Params, start: usize, len: usize) -> Vec<u32> {
    let mut out = vec![0; len];
    match precision {
        Precision::F32 => mandel_fma::render_f32(params, start, &mut out),
        Precision::F64 => mandel_fma::render_f64(params, start, &mut out),
    }
    out
}

fn simd(isa: Isa, precision: Precision, variant: Variant, params: &Params, start: usize, len: usize) -> Vec<u32> {
    // Poison the buffer: a pixel the kernel forgets to write shows up as a difference.
    let mut out = vec![u32::MAX; len];
    let ran = render_span_with(isa, precision, variant, params, start, &mut out).unwrap();
    assert_eq!(ran, isa, "{isa} is available, so it must be the path that ran");
    out
}

/// Check every path, precision and variant on pixels `start .. start + len` of `params`.
fn check_span(params: &Params, start: usize, len: usize) {
    for &isa in available_isas() {
        for precision in PRECISIONS {
            let expected = twin(precision, params, start, len);
            for variant in Variant::ALL {
                let got = simd(isa, precision, variant, params, start, len);
                let cmp = compare(&expected, &got);
                assert_eq!(
                    cmp.differing,
                    0,
                    "{isa} {precision:?} {variant:?}: {}x{}/{} span {start}+{len}: {cmp:?}",
                    params.width(),
                    params.height(),
                    params.max_iters()
                );
            }
        }
    }
}

fn params(w: usize, h: usize, it: u64) -> Params {
    Params::new(w, h, (-2.0, 0.6), (-1.5, 1.5), it).unwrap()
}

#[test]
fn every_path_equals_its_scalar_twin_on_odd_sizes() {
    for (w, h, it) in [(1, 1, 200), (1, 17, 200), (17, 1, 200), (33, 7, 200), (33, 7, 1000), (5, 3, 1), (960, 960, 20)]
    {
        let p = params(w, h, it);
        check_span(&p, 0, p.pixels());
    }
}

#[test]
fn every_path_equals_its_scalar_twin_on_spans() {
    let p = params(33, 7, 300);
    let n = p.pixels();
    // Spans starting mid-row and mid-vector, shorter than a vector, one pixel, straddling rows, the tail.
    for (start, len) in [(5, 1), (5, 3), (13, 40), (31, 5), (1, n - 1), (n - 7, 7), (100, 61), (0, 16), (17, 33)] {
        check_span(&p, start, len);
    }
}

#[test]
fn every_path_equals_its_scalar_twin_at_the_canonical_size() {
    let p = Params::canonical();
    check_span(&p, 0, p.pixels());
}

#[test]
fn every_path_stays_within_tolerance_of_the_f64_reference() {
    for p in [Params::canonical(), params(33, 7, 1000)] {
        let expected = reference::render(&p);
        for &isa in available_isas() {
            for (precision, tolerance) in [(Precision::F32, Tolerance::F32), (Precision::F64, Tolerance::F64_FMA)] {
                for variant in Variant::ALL {
                    let got = simd(isa, precision, variant, &p, 0, p.pixels());
                    let cmp = compare(&expected, &got);
                    assert!(cmp.differing <= tolerance.allowed(cmp.pixels), "{isa} {precision:?} {variant:?}: {cmp:?}");
                }
            }
        }
    }
}

/// The widest path this CPU has is the one the kernels take (unless `MANDEL_ISA` forces another), and
/// a forced path the CPU lacks falls back to one it has, never wider.
#[test]
fn dispatch_picks_the_widest_available_path() {
    let available = available_isas();
    assert_eq!(*available.last().unwrap(), Isa::Scalar, "the scalar level is always available");
    #[cfg(target_arch = "x86_64")]
    {
        let expect = if std::arch::is_x86_feature_detected!("avx512f")
            && std::arch::is_x86_feature_detected!("avx512bw")
            && std::arch::is_x86_feature_detected!("avx512vl")
        {
            Isa::Avx512
        } else if std::arch::is_x86_feature_detected!("avx2") && std::arch::is_x86_feature_detected!("fma") {
            Isa::Avx2
        } else {
            Isa::Sse2
        };
        assert_eq!(available[0], expect);
        if std::arch::is_x86_feature_detected!("avx2") && std::arch::is_x86_feature_detected!("fma") {
            // The tests that run every available path would otherwise skip AVX2's step unnoticed.
            assert!(available.contains(&Isa::Avx2), "AVX2 and FMA detected, AVX2 path not available");
        }
        assert!(available.contains(&Isa::Sse2), "SSE2 is x86-64's baseline");
        assert!(!available.contains(&Isa::Neon));
        assert_eq!(Isa::Neon.resolve(), Isa::Sse2, "a forced 128-bit path resolves to the 128-bit path here");
    }
    #[cfg(target_arch = "aarch64")]
    assert_eq!(available[0], Isa::Neon);
    if std::env::var_os("MANDEL_ISA").is_none() {
        assert_eq!(mandel_simd::selected_isa(), available[0]);
        assert_eq!(mandel_simd::isa(), available[0].name());
    }
    for isa in Isa::ALL {
        assert!(available_isas().contains(&isa.resolve()));
        assert_eq!(Isa::from_name(&isa.name().to_uppercase()), Some(isa));
    }
    assert_eq!(Isa::from_name("avx9000"), None);
    // Spaces are refused, as in MANDEL_ISA (mandel_core::env_isa): `--isa " sse2"` is no path.
    assert_eq!(Isa::from_name(" sse2"), None);
}

/// Lane accounting: the instrumented kernel gives the same counts, executes at least the useful steps,
/// and a whole multiple of a vector's lanes; at one tuning, whole vectors waste more than refilled
/// lanes at the canonical size (refilling exists to cut that waste).
#[test]
fn lane_counts_add_up() {
    let p = Params::canonical();
    for &isa in available_isas() {
        for precision in PRECISIONS {
            let lanes = match precision {
                Precision::F32 => isa.f32_lanes(),
                Precision::F64 => isa.f64_lanes(),
            } as u64;
            // Whole vectors at the path's default tuning: the calibrated one may check every 4 steps,
            // which on some CPUs wastes fewer lanes than refilling does.
            let t = mandel_simd::Tuning::default_for(isa.resolve());
            let whole = mandel_simd::lane_count_tuned(isa, t, precision, Variant::WholeVector, &p);
            let refill = mandel_simd::lane_count(isa, precision, Variant::Refill, &p);
            let twin_sum = mandel_core::total_iterations(&twin(precision, &p, 0, p.pixels()));
            for c in [whole, refill] {
                assert_eq!(c.sum_of_counts, twin_sum, "{isa} {precision:?}");
                assert!(c.lane_iterations >= c.sum_of_counts, "{isa} {precision:?}: {c:?}");
                assert_eq!(c.lane_iterations % lanes, 0, "{isa} {precision:?}: {c:?}");
            }
            assert!(refill.lane_iterations < whole.lane_iterations, "{isa} {precision:?}: {refill:?} vs {whole:?}");
            assert!(
                refill.sum_of_counts as f64 > 0.90 * refill.lane_iterations as f64,
                "{isa} {precision:?}: {refill:?}"
            );
        }
    }
}

/// The peak micro-benchmark runs on the path asked for and computes what it claims: `acc = acc*a + b`
/// with a = 0.5, b = 1 converges to 2 in every chain.
#[test]
fn peak_chains_compute_their_recurrence() {
    for &isa in available_isas() {
        for precision in PRECISIONS {
            let (ran, lanes, sum) = mandel_simd::fma_chains(isa, precision, 200);
            assert_eq!(ran, isa);
            let expect_lanes = match precision {
                Precision::F32 => isa.f32_lanes(),
                Precision::F64 => isa.f64_lanes(),
            };
            assert_eq!(lanes, expect_lanes);
            // 12 chains x lanes, each converged to 2 (error 2^-200 of the start, below rounding).
            assert_eq!(sum, 2.0 * 12.0 * lanes as f64, "{isa} {precision:?}");
        }
    }
}

/// Every instantiated whole-vector tuning (vectors in flight, steps between checks) of every path gives
/// the scalar twin's counts: the tuning may change the speed, never a count. Each path runs its own
/// candidates only ([`mandel_simd::TUNINGS`] on the wide paths, the default alone on SSE2 and the
/// scalar level, which ignore any other).
#[test]
fn every_tuning_equals_the_scalar_twin() {
    let views = [
        (params(33, 7, 300), 0, 231),
        (params(33, 7, 300), 13, 40),
        (params(1, 17, 1000), 0, 17),
        (params(5, 3, 1), 0, 15),
        (params(240, 240, 200), 0, 240 * 240),
        (params(240, 240, 200), 1000, 7777),
    ];
    for &isa in available_isas() {
        for precision in PRECISIONS {
            for &tuning in mandel_simd::Tuning::candidates(isa) {
                for (p, start, len) in &views {
                    let expected = twin(precision, p, *start, *len);
                    let mut got = vec![u32::MAX; *len];
                    mandel_simd::render_span_tuned(isa, tuning, precision, Variant::WholeVector, p, *start, &mut got)
                        .unwrap();
                    let cmp = compare(&expected, &got);
                    assert_eq!(cmp.differing, 0, "{isa} {precision:?} {tuning}: span {start}+{len}: {cmp:?}");
                }
            }
        }
    }
}

/// Tuning names round-trip through the one rule `MANDEL_TUNING` is read by
/// (`mandel_core::parse_tuning_name`), and nothing else is accepted.
#[test]
fn tuning_names_round_trip() {
    use mandel_core::TuningName;
    let parse = |name: &str| mandel_core::parse_tuning_name(name, mandel_simd::TUNINGS, mandel_simd::Tuning::name);
    for &t in mandel_simd::TUNINGS {
        assert_eq!(parse(&t.name()), Some(TuningName::Named(t)));
        assert!(t.vectors() >= 1 && t.check_every() >= 1);
    }
    assert_eq!(tuning("V4K8").map(|t| (t.vectors(), t.check_every())), Some((4, 8)));
    assert_eq!(parse("Default"), Some(TuningName::Default));
    for bad in ["", "v4", "v0k8", "v04k8", "v4k8x", "v99k8", "4,8", " V4K8 ", " Default"] {
        assert_eq!(parse(bad), None, "{bad:?}");
    }
    for &isa in available_isas() {
        let d = mandel_simd::Tuning::default_for(isa);
        assert!(mandel_simd::Tuning::candidates(isa).contains(&d), "{isa}: {d}");
    }
}

/// The tuning of [`mandel_simd::TUNINGS`] named `name`, by `MANDEL_TUNING`'s rule.
fn tuning(name: &str) -> Option<mandel_simd::Tuning> {
    match mandel_core::parse_tuning_name(name, mandel_simd::TUNINGS, mandel_simd::Tuning::name)? {
        mandel_core::TuningName::Named(t) => Some(t),
        mandel_core::TuningName::Default => None,
    }
}

/// A span that is a small part of one very wide row renders only its own pixels' points: the counts are
/// the twin's (this also covers the point table starting mid-row and wrapping round to the next row).
#[test]
fn narrow_span_of_a_wide_image() {
    let p = Params::new(1 << 20, 2, (-2.0, 0.6), (-1.5, 1.5), 50).unwrap();
    for (start, len) in [((1 << 20) - 100, 300), (12345, 4096), ((1 << 21) - 64, 64)] {
        check_span(&p, start, len);
    }
}

/// MANDEL_ISA is validated against mandel_core's list of names: it must be exactly this crate's.
#[test]
fn core_isa_names_are_the_paths() {
    let names: Vec<&str> = Isa::ALL.iter().map(|i| i.name()).collect();
    assert_eq!(names, mandel_core::ISA_NAMES);
}

/// MANDEL_TUNING's syntax: one tuning, `default`, or one per precision; anything else is an error
/// naming the variable.
#[test]
fn tuning_values_parse_or_are_refused() {
    use mandel_simd::{TuningSource, parse_tuning};
    let isa = Isa::Avx2;
    let t = |name: &str| tuning(name).unwrap();
    assert_eq!(parse_tuning("", isa, Precision::F32), Ok(None));
    assert_eq!(parse_tuning("v8k8", isa, Precision::F64), Ok(Some((t("v8k8"), TuningSource::Forced))));
    assert_eq!(
        parse_tuning("default", isa, Precision::F32),
        Ok(Some((mandel_simd::Tuning::default_for(isa), TuningSource::Default)))
    );
    let both = "f32:v8k8,F64:v6k4";
    assert_eq!(parse_tuning(both, isa, Precision::F32), Ok(Some((t("v8k8"), TuningSource::Forced))));
    assert_eq!(parse_tuning(both, isa, Precision::F64), Ok(Some((t("v6k4"), TuningSource::Forced))));
    assert_eq!(parse_tuning("f64:v6k4", isa, Precision::F32), Ok(None));
    // Surrounding whitespace, around the value or a part, is refused (mandel_core::parse_isa's rule).
    for bad in
        ["v99k8", "f16:v8k8", "f32:", "f32:v8k8,f64:bogus", "f32=v8k8", "v8k8,", " v8k8 ", "f32:v8k8, f64:v6k4", " "]
    {
        let err = parse_tuning(bad, isa, Precision::F32).unwrap_err();
        assert!(err.contains("MANDEL_TUNING"), "{bad}: {err}");
    }
}

/// A forced tuning is one the path builds: the narrow paths build one whole-vector tuning, so another
/// is refused naming the variable and the path (never recorded as forced while the path runs its own),
/// while `default` and the path's own tuning are taken. A precision named twice is refused.
#[test]
fn tuning_values_the_path_does_not_build_or_named_twice_are_refused() {
    use mandel_simd::{Tuning, TuningSource, parse_tuning};
    for isa in [Isa::Sse2, Isa::Scalar] {
        let own = Tuning::default_for(isa);
        assert_eq!(Tuning::candidates(isa), &[own][..]);
        assert_eq!(parse_tuning(&own.name(), isa, Precision::F32), Ok(Some((own, TuningSource::Forced))));
        assert_eq!(parse_tuning("default", isa, Precision::F64), Ok(Some((own, TuningSource::Default))));
        let other = mandel_simd::TUNINGS.iter().find(|t| **t != own).unwrap().name();
        for value in [other.clone(), format!("f32:{other}"), format!("f64:default,f32:{other}")] {
            let err = parse_tuning(&value, isa, Precision::F32).unwrap_err();
            let path = format!("the {} path", isa.name());
            assert!(err.contains("MANDEL_TUNING") && err.contains(&path), "{isa:?} {value}: {err}");
        }
    }
    for twice in ["f32:v4k8,f32:v8k8", "f64:v4k8,F64:v4k8", "f32:v4k8,f64:v8k8,f32:default"] {
        for precision in [Precision::F32, Precision::F64] {
            let err = parse_tuning(twice, Isa::Avx2, precision).unwrap_err();
            assert!(err.contains("MANDEL_TUNING") && err.contains("twice"), "{twice}: {err}");
        }
    }
}

/// MANDEL_TUNING's raw value: UTF-8 parses as above; anything else is refused with the same error as a
/// bad name (the variable named, the value shown), never read as unset.
#[cfg(unix)]
#[test]
fn non_utf8_tuning_values_are_refused() {
    use mandel_simd::{TuningSource, parse_tuning_os};
    use std::ffi::OsStr;
    use std::os::unix::ffi::OsStrExt;
    let isa = Isa::Avx2;
    let v8k8 = tuning("v8k8").unwrap();
    assert_eq!(parse_tuning_os(OsStr::new("v8k8"), isa, Precision::F32), Ok(Some((v8k8, TuningSource::Forced))));
    assert_eq!(parse_tuning_os(OsStr::new(""), isa, Precision::F32), Ok(None));
    for bad in [&b"v8k8\xff"[..], b"\xff", b"f32:v8k8,f64:\xfe"] {
        for precision in [Precision::F32, Precision::F64] {
            let err = parse_tuning_os(OsStr::from_bytes(bad), isa, precision).unwrap_err();
            assert!(err.starts_with("MANDEL_TUNING=\"") && err.contains("\u{fffd}"), "{bad:?}: {err}");
            assert!(err.contains("is not valid; accepted: default, v"), "{bad:?}: {err}");
        }
    }
}

/// A refusal says what the path that runs accepts: the narrow paths' own tuning (v2k8) on a wide path
/// is not that path's (the wide paths' list given), and a name no path builds lists the running
/// path's own tunings, not another path's.
#[test]
fn tuning_refusals_list_what_the_path_accepts() {
    use mandel_simd::{TUNINGS, Tuning, parse_tuning};
    let names = |ts: &[Tuning]| ts.iter().map(|t| t.name()).collect::<Vec<_>>().join(", ");
    let narrow = Tuning::default_for(Isa::Sse2).name();
    assert!(!TUNINGS.iter().any(|t| t.name() == narrow), "{narrow} is the narrow paths' own");
    for isa in [Isa::Avx512, Isa::Avx2, Isa::Neon] {
        let err = parse_tuning(&narrow, isa, Precision::F32).unwrap_err();
        let expected = format!(
            "MANDEL_TUNING={narrow:?}: {narrow} is not a tuning of the {} path, which builds only {} (accepted there: \
             default, {})",
            isa.name(),
            names(TUNINGS),
            names(TUNINGS)
        );
        assert_eq!(err, expected);
    }
    for isa in [Isa::Sse2, Isa::Scalar] {
        let err = parse_tuning("v04k8", isa, Precision::F64).unwrap_err();
        let expected = format!(
            "MANDEL_TUNING=\"v04k8\" is not valid; accepted: default, {narrow} (the {} path's tunings), or per \
             precision as f32:NAME,f64:NAME (no spaces)",
            isa.name()
        );
        assert_eq!(err, expected);
    }
}
