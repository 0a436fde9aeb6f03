//! Issue 12: MANDEL_ISA and RAYON_NUM_THREADS are checked like flags. The parsers are tested on
//! values; tests/cli.rs runs the binary with the variables set.

use mandel_core::{EnvError, ISA_NAMES, MAX_THREADS, parse_isa, parse_threads};

#[test]
fn isa_names_any_case_or_unset() {
    assert_eq!(parse_isa(None), Ok(None));
    assert_eq!(parse_isa(Some("")), Ok(None));
    assert_eq!(parse_isa(Some("AVX2")), Ok(Some("avx2")));
    // Surrounding whitespace is refused, as RAYON_NUM_THREADS refuses it (rayon does not trim).
    for spaced in ["  ", " scalar ", "avx2\n", "\tsse2"] {
        assert_eq!(parse_isa(Some(spaced)), Err(EnvError::Isa { value: spaced.into() }), "{spaced:?}");
    }
    for name in ISA_NAMES {
        assert_eq!(parse_isa(Some(name)), Ok(Some(name)));
    }
}

#[test]
fn garbage_isa_is_an_error_naming_the_variable_and_the_accepted_values() {
    let e = parse_isa(Some("avx9000")).unwrap_err();
    assert_eq!(e, EnvError::Isa { value: "avx9000".into() });
    let text = e.to_string();
    assert!(text.starts_with("MANDEL_ISA=\"avx9000\""), "{text}");
    assert!(text.contains("avx512, avx2, sse2, neon, scalar"), "{text}");
}

/// Issue 20, 9: rayon parses the variable itself without trimming, so a value is accepted only as
/// rayon reads it: ASCII digits, 1 to 1024. The ladder (scripts/ladder.py) applies the same table.
#[test]
fn threads_like_the_flag_with_the_same_cap() {
    assert_eq!(parse_threads(None), Ok(None));
    assert_eq!(parse_threads(Some("")), Ok(None));
    for (good, n) in [("1", 1), ("4", 4), ("04", 4), ("1024", MAX_THREADS)] {
        assert_eq!(parse_threads(Some(good)), Ok(Some(n)), "{good:?}");
    }
    let bad = [
        "0",
        "100000",
        "1025",
        "-1",
        "+3",
        " 3 ",
        "3\n",
        " ",
        "\t4",
        "two",
        "2.5",
        "1e3",
        "0x4",
        "٣",
        "3 4",
        "99999999999999999999999",
    ];
    for bad in bad {
        let e = parse_threads(Some(bad)).unwrap_err();
        assert_eq!(e, EnvError::Threads { value: bad.into() });
        let text = e.to_string();
        assert!(text.starts_with(&format!("RAYON_NUM_THREADS={bad:?}")) && text.contains("1 to 1024"), "{text}");
    }
}

/// The tuning variables' one rule: case ignored, no spaces around, `default`, or a listed name whole;
/// a number spelled otherwise (`v04k8`, `v+4k8`) or a pair not listed names nothing.
#[test]
fn tuning_names_are_whole_listed_names_or_default() {
    use mandel_core::{TuningName, parse_tuning_name};
    let listed = [(4u8, 8u8), (2, 4)];
    let name = |(v, k): (u8, u8)| format!("v{v}k{k}");
    let parse = |value: &str| parse_tuning_name(value, &listed, name);
    for value in ["v4k8", "V4K8", "v4K8"] {
        assert_eq!(parse(value), Some(TuningName::Named((4, 8))), "{value:?}");
    }
    for value in ["default", "DEFAULT"] {
        assert_eq!(parse(value), Some(TuningName::Default), "{value:?}");
    }
    for bad in [
        "", " v4k8", "default ", "v04k8", "v4k08", "v+4k8", "v4 k8", "v8k8", "v0k0", "v99k99", "4k8", "defaults",
        "f32:v4k8",
    ] {
        assert_eq!(parse(bad), None, "{bad:?}");
    }
}
