//! Issue 20, 4: `mandel render` timed the SIMD kernels' first-use calibration, reporting many times the
//! render's time (MEASUREMENTS.md, "Other changes"). Every timing path calls `Kernel::prepare` before its clock starts; this checks
//! that prepare makes the choice. A test binary of its own, so that nothing rendered before it.

use mandel_core::Precision::{F32, F64};
use mandel_registry::kernel;
use mandel_simd::is_chosen;

#[test]
fn prepare_makes_the_simd_kernels_tuning_choice() {
    assert!(!is_chosen(F32) && !is_chosen(F64), "nothing has rendered yet");
    // A kernel without a first-use choice leaves the SIMD choice alone.
    kernel("naive-f32").unwrap().prepare().unwrap();
    assert!(!is_chosen(F32));
    kernel("simd-f32").unwrap().prepare().unwrap();
    assert!(is_chosen(F32) && !is_chosen(F64), "simd-f32 chose its f32 tuning, and only that");
    kernel("rayon-simd-f64").unwrap().prepare().unwrap();
    assert!(is_chosen(F64));
}
