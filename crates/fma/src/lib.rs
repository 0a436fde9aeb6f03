//! Rung: the scalar loop with fused multiply-add, the step Mojo's series calls "FMA".
//!
//! One step of `z = z*z + c` and the escape test, with three FMAs:
//!
//! ```text
//! im2   = im * im
//! mag   = fma(re, re, im2)          // |z|^2, the escape test: mag <= 4
//! re'   = fma(re, re, cx - im2)     // re^2 - im^2 + cx
//! im'   = fma(re + re, im, cy)      // 2 re im + cy
//! ```
//!
//! Six floating-point operations per step instead of the reference's eight, and fewer roundings, so
//! the counts differ from the reference on a few boundary pixels (see `Tolerance::F64_FMA`/`F32`).
//! The SIMD rung does exactly these operations in this order, so this is its scalar twin.
//!
//! # Dispatch
//! `mul_add` only becomes a `vfmadd` instruction in code compiled for a CPU with FMA; otherwise it
//! is a call to libm's `fma`, which is correct but slower than no FMA at all (MEASUREMENTS.md, "Other
//! changes"). So on x86-64 the loop is compiled twice: once inside
//! a `#[target_feature(enable = "fma")]` function, chosen at run time when the CPU has FMA, and once
//! portably (libm) for CPUs without it. rustc never fuses `a*b + c` on its own, so the portable copy
//! is the same arithmetic, only slower. aarch64 always has FMA (`fmadd`). `MANDEL_ISA=scalar` forces
//! the portable copy.

use mandel_core::{Params, Real, fill_span};
use std::sync::OnceLock;

/// Escape count of `c = cx + i cy` with the fused step above.
#[inline(always)]
pub fn escape_count<T: Real>(cx: T, cy: T, max_iters: u32) -> u32 {
    let (mut re, mut im) = (T::ZERO, T::ZERO);
    let mut n = 0;
    while n < max_iters {
        let im2 = im * im;
        if re.mul_add(re, im2) > T::FOUR {
            break;
        }
        let new_re = re.mul_add(re, cx - im2);
        im = (re + re).mul_add(im, cy);
        re = new_re;
        n += 1;
    }
    n
}

#[inline(always)]
fn render_portable<T: Real>(params: &Params, start: usize, out: &mut [u32]) {
    let max_iters = params.max_iters();
    fill_span(params, start, out, |cx, cy| escape_count(T::from_f64(cx), T::from_f64(cy), max_iters));
}

#[cfg(target_arch = "x86_64")]
mod x86 {
    use super::*;

    /// The same loop compiled for FMA: `mul_add` inlines to `vfmadd*` here.
    #[target_feature(enable = "fma")]
    pub fn render_fma<T: Real>(params: &Params, start: usize, out: &mut [u32]) {
        render_portable::<T>(params, start, out)
    }

    pub fn has_fma() -> bool {
        std::arch::is_x86_feature_detected!("fma")
    }
}

/// Whether the hardware-FMA copy runs: the CPU has FMA and `MANDEL_ISA` does not force a path without
/// it (`scalar`, or `sse2`, x86-64's baseline, which has no FMA instruction). Decided once per process
/// and cached, like the SIMD kernels' path: the kernels that dispatch on it (this crate's and
/// `mandel_algorithmic`'s) test a cached bool, never a display string.
pub fn hardware_fma() -> bool {
    static HARDWARE_FMA: OnceLock<bool> = OnceLock::new();
    *HARDWARE_FMA.get_or_init(detect_hardware_fma)
}

fn detect_hardware_fma() -> bool {
    if matches!(mandel_core::forced_isa().as_deref(), Some("scalar" | "sse2")) {
        return false;
    }
    #[cfg(target_arch = "x86_64")]
    {
        x86::has_fma()
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        cfg!(any(target_arch = "aarch64", target_feature = "fma"))
    }
}

/// The path [`render_f32`]/[`render_f64`] take on this CPU, for display: `fma` (hardware) or `scalar`
/// (libm fma). Code that must know which path runs asks [`hardware_fma`].
pub fn isa() -> &'static str {
    if hardware_fma() { "fma" } else { "scalar" }
}

fn render<T: Real>(params: &Params, start: usize, out: &mut [u32]) {
    #[cfg(target_arch = "x86_64")]
    if hardware_fma() {
        // SAFETY: hardware_fma() checked at run time that this CPU has FMA.
        return unsafe { x86::render_fma::<T>(params, start, out) };
    }
    render_portable::<T>(params, start, out)
}

/// [`mandel_core::RenderFn`] in f32.
pub fn render_f32(params: &Params, start: usize, out: &mut [u32]) {
    render::<f32>(params, start, out)
}

/// [`mandel_core::RenderFn`] in f64.
pub fn render_f64(params: &Params, start: usize, out: &mut [u32]) {
    render::<f64>(params, start, out)
}
