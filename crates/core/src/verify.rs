use crate::{Kernel, Params, Precision, reference};
use thiserror::Error;

/// How far a kernel's counts may differ from the f64 reference.
///
/// Counts of pixels near the set's boundary are chaotic: one rounding difference (f32 instead of
/// f64, or a fused multiply-add) can move such a pixel's escape by any number of iterations, up to
/// `max_iters`. So the tolerance bounds *how many* pixels may differ, never by how much:
/// at most `slack_pixels + max_fraction * pixels`. The slack lets a tiny image hold one or two
/// boundary pixels without a fraction becoming meaningless.
///
/// How many pixels each precision moves on the canonical image and at a deep zoom: MEASUREMENTS.md,
/// "Agreement with the reference".
///
/// Limits of the f32 tolerance: it holds for views like the canonical one and the tests' fixed
/// views. On a small view that is mostly boundary (tests/proptest.rs), or zoomed in on the boundary,
/// where f32's 24-bit mantissa is a large part of the pixel spacing, far more pixels differ: such
/// views need f64, and the verification says so instead of passing them.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct Tolerance {
    pub max_fraction: f64,
    pub slack_pixels: usize,
}

impl Tolerance {
    /// Bit-for-bit the same counts: f64 kernels that do the reference's arithmetic in its order.
    pub const EXACT: Tolerance = Tolerance { max_fraction: 0.0, slack_pixels: 0 };
    /// f64 with fused multiply-add: one fewer rounding per step moves a few boundary pixels.
    pub const F64_FMA: Tolerance = Tolerance { max_fraction: 0.001, slack_pixels: 2 };
    /// f32 (with or without FMA): a small fraction of the canonical image differs; 1% leaves room
    /// for views that hold more boundary than the canonical one, while still catching a broken
    /// kernel (an off-by-one in the loop moves nearly every pixel).
    pub const F32: Tolerance = Tolerance { max_fraction: 0.01, slack_pixels: 2 };

    /// The tolerance of a kernel computing in `precision`, with (`fused`) or without fused
    /// multiply-adds: the one rule, which the registry's kernels and the Python rungs follow.
    pub const fn of(precision: Precision, fused: bool) -> Tolerance {
        match (precision, fused) {
            (Precision::F64, false) => Tolerance::EXACT,
            (Precision::F64, true) => Tolerance::F64_FMA,
            (Precision::F32, _) => Tolerance::F32,
        }
    }

    /// The number of differing pixels allowed in an image of `pixels` pixels. An allowance beyond
    /// `usize::MAX` (only a caller's own tolerance gets there: see [`Tolerance::checked_allowed`])
    /// is `usize::MAX`, every pixel: it saturates instead of wrapping round to a small allowance.
    pub fn allowed(&self, pixels: usize) -> usize {
        self.checked_allowed(pixels).unwrap_or(usize::MAX)
    }

    /// [`Tolerance::allowed`], `None` when `slack_pixels + floor(max_fraction * pixels)` exceeds
    /// `usize::MAX`: a tolerance from outside (the extension's `allowed`) can ask for that.
    pub fn checked_allowed(&self, pixels: usize) -> Option<usize> {
        // `as` saturates a float beyond usize's range; the sum is where it can overflow.
        self.slack_pixels.checked_add((self.max_fraction * pixels as f64).floor() as usize)
    }
}

/// How two count buffers differ.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Comparison {
    pub pixels: usize,
    pub differing: usize,
    pub max_abs_diff: u32,
    /// The first differing pixel: (index, reference count, candidate count).
    pub first_difference: Option<(usize, u32, u32)>,
}

/// Compare a candidate's counts with the reference's, pixel by pixel.
///
/// # Panics
/// If the two slices differ in length (a programming error, not bad input).
pub fn compare(reference: &[u32], candidate: &[u32]) -> Comparison {
    assert_eq!(reference.len(), candidate.len(), "compare: buffers differ in length");
    let mut cmp = Comparison { pixels: reference.len(), ..Comparison::default() };
    for (i, (&r, &c)) in reference.iter().zip(candidate).enumerate() {
        if r != c {
            cmp.differing += 1;
            cmp.max_abs_diff = cmp.max_abs_diff.max(r.abs_diff(c));
            cmp.first_difference.get_or_insert((i, r, c));
        }
    }
    cmp
}

/// The total number of escape-loop iterations an image stands for: the sum of its counts.
pub fn total_iterations(counts: &[u32]) -> u64 {
    counts.iter().map(|&c| u64::from(c)).sum()
}

#[derive(Debug, Clone, PartialEq, Error)]
#[error(
    "kernel {kernel} differs from the f64 reference on {} of {} pixels (allowed {allowed}), by up to {} iterations; first at pixel {:?}",
    comparison.differing, comparison.pixels, comparison.max_abs_diff, comparison.first_difference
)]
pub struct VerifyError {
    pub kernel: String,
    pub comparison: Comparison,
    pub allowed: usize,
}

/// Render `params` with `kernel` and with the reference, and check the kernel stays within its
/// tolerance. The benches call this before timing anything: a wrong kernel is an error, not a data point.
pub fn verify(kernel: &Kernel, params: &Params) -> Result<Comparison, VerifyError> {
    let expected = reference::render(params);
    let got = kernel.render_vec(params);
    let comparison = compare(&expected, &got);
    let allowed = kernel.tolerance.allowed(comparison.pixels);
    if comparison.differing <= allowed {
        Ok(comparison)
    } else {
        Err(VerifyError { kernel: kernel.label(), comparison, allowed })
    }
}
