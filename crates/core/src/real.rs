use std::ops::{Add, Mul, Neg, Sub};

/// The two float types a rung can compute in. Kept tiny on purpose: just what the escape loops need.
pub trait Real:
    Copy
    + PartialOrd
    + Add<Output = Self>
    + Sub<Output = Self>
    + Mul<Output = Self>
    + Neg<Output = Self>
    + Send
    + Sync
    + 'static
{
    const ZERO: Self;
    const FOUR: Self;
    /// Round an f64 (a pixel's point) to this precision, once.
    fn from_f64(x: f64) -> Self;
    /// Widen to f64, exactly.
    fn to_f64(self) -> f64;
    /// `self * a + b` with a single rounding (an FMA instruction where the code is compiled for one).
    fn mul_add(self, a: Self, b: Self) -> Self;
}

impl Real for f32 {
    const ZERO: f32 = 0.0;
    const FOUR: f32 = 4.0;
    #[inline(always)]
    fn from_f64(x: f64) -> f32 {
        x as f32
    }
    #[inline(always)]
    fn to_f64(self) -> f64 {
        f64::from(self)
    }
    #[inline(always)]
    fn mul_add(self, a: f32, b: f32) -> f32 {
        f32::mul_add(self, a, b)
    }
}

impl Real for f64 {
    const ZERO: f64 = 0.0;
    const FOUR: f64 = 4.0;
    #[inline(always)]
    fn from_f64(x: f64) -> f64 {
        x
    }
    #[inline(always)]
    fn to_f64(self) -> f64 {
        self
    }
    #[inline(always)]
    fn mul_add(self, a: f64, b: f64) -> f64 {
        f64::mul_add(self, a, b)
    }
}
