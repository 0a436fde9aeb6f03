//! Issue 20, 4: `mandel render` timed the SIMD kernels' first-use calibration, reporting many times the
//! render's time (MEASUREMENTS.md, "Other changes"). Every timing path calls `Kernel::prepare` before its clock starts; this checks
//! that prepare makes the choice. A test binary of its own, so that nothing rendered before it.

use mandel_core::Precision::{F32, F64};
use mandel_registry::{kernel, tunings};
use mandel_simd::is_chosen;

#[test]
fn prepare_makes_the_simd_kernels_tuning_choice() {
    assert!(!is_chosen(F32) && !is_chosen(F64), "nothing has rendered yet");
    assert_eq!(tunings(), vec![], "asking for the tunings that ran chooses none");
    // A kernel without a first-use choice leaves the SIMD choice alone.
    kernel("naive-f32").unwrap().prepare().unwrap();
    assert!(!is_chosen(F32));
    kernel("simd-f32").unwrap().prepare().unwrap();
    assert!(is_chosen(F32) && !is_chosen(F64), "simd-f32 chose its f32 tuning, and only that");
    let chosen = format!("{} ({})", mandel_simd::tuning(F32), mandel_simd::chosen(F32).source.as_str());
    assert_eq!(tunings(), vec![("simd-f32".to_string(), chosen)]);
    kernel("rayon-simd-f64").unwrap().prepare().unwrap();
    assert!(is_chosen(F64));
    assert_eq!(tunings().iter().map(|(f, _)| f.as_str()).collect::<Vec<_>>(), ["simd-f32", "simd-f64"]);
}
