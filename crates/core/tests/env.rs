//! Issue 12: MANDEL_ISA and RAYON_NUM_THREADS are checked like flags. The parsers are tested on
//! values; tests/cli.rs runs the binary with the variables set.

use mandel_core::{EnvError, ISA_NAMES, MAX_THREADS, parse_isa, parse_threads};

#[test]
fn isa_names_any_case_or_unset() {
    assert_eq!(parse_isa(None), Ok(None));
    assert_eq!(parse_isa(Some("")), Ok(None));
    assert_eq!(parse_isa(Some("  ")), Ok(None));
    assert_eq!(parse_isa(Some("AVX2")), Ok(Some("avx2")));
    assert_eq!(parse_isa(Some(" scalar ")), Ok(Some("scalar")));
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

#[test]
fn threads_like_the_flag_with_the_same_cap() {
    assert_eq!(parse_threads(None), Ok(None));
    assert_eq!(parse_threads(Some("")), Ok(None));
    assert_eq!(parse_threads(Some("1")), Ok(Some(1)));
    assert_eq!(parse_threads(Some(" 4 ")), Ok(Some(4)));
    assert_eq!(parse_threads(Some("1024")), Ok(Some(MAX_THREADS)));
    for bad in ["0", "100000", "1025", "-1", "two", "2.5", "1e3"] {
        let e = parse_threads(Some(bad)).unwrap_err();
        let text = e.to_string();
        assert!(text.starts_with(&format!("RAYON_NUM_THREADS=\"{bad}\"")) && text.contains("1 to 1024"), "{text}");
    }
}
