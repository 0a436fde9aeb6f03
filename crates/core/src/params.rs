use crate::Precision;
use thiserror::Error;

/// Largest image accepted: 2^28 pixels (1 GiB of u32 counts). Far above the 3840x3840 sweeps, far
/// below what would make an allocation fail or a `usize` product overflow on a 64-bit machine.
pub const MAX_PIXELS: usize = 1 << 28;

/// Largest iteration cap accepted. Counts are u32 and the SIMD rungs keep per-lane counts in 32-bit
/// integers; one million also keeps a single pixel's worst case (about a millisecond) from looking like a hang.
pub const MAX_ITERS_CAP: u32 = 1_000_000;

/// Why a set of parameters was refused. Every variant names the parameter at fault.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum ParamError {
    #[error("{param} must be a finite number, got {value}")]
    NonFinite { param: &'static str, value: f64 },
    #[error("{axis}_min must be less than {axis}_max, got {axis}_min = {min}, {axis}_max = {max}")]
    EmptyRange { axis: &'static str, min: f64, max: f64 },
    #[error("{param} must be at least 1, got 0")]
    ZeroSize { param: &'static str },
    #[error("width x height = {width} x {height} is more than the cap of {cap} pixels")]
    TooManyPixels { width: usize, height: usize, cap: usize },
    #[error("max_iters must be between 1 and {cap}, got {value}")]
    MaxIters { value: u64, cap: u32 },
    #[error(
        "pixel spacing {param} = {value:e} is too small to tell neighbouring pixels apart in f64; widen the range or use fewer pixels"
    )]
    SpacingTooSmall { param: &'static str, value: f64 },
    #[error(
        "{param} = {value:e} is outside the finite range of {precision} (largest magnitude {max:e}): \
         {precision} kernels cannot represent this view; use an f64 kernel or a smaller range"
    )]
    OutsidePrecision { param: &'static str, value: f64, precision: &'static str, max: f64 },
    #[error(
        "pixel spacing {param} = {value:e} is too small to tell neighbouring pixels apart in {precision} \
         (its resolution near this range is {resolution:e}): use an f64 kernel, widen the range or use fewer pixels"
    )]
    SpacingBelowPrecision { param: &'static str, value: f64, precision: &'static str, resolution: f64 },
    #[error("output buffer has {got} elements, expected width x height = {expected}")]
    BufferLength { expected: usize, got: usize },
    #[error("span {start}..{end} lies outside the image of {pixels} pixels")]
    SpanOutOfRange { start: usize, end: usize, pixels: usize },
}

/// Validated problem parameters. The fields are private so that a `Params` value is always valid:
/// kernels never re-check them.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Params {
    width: usize,
    height: usize,
    x_min: f64,
    x_max: f64,
    y_min: f64,
    y_max: f64,
    max_iters: u32,
    dx: f64,
    dy: f64,
}

impl Params {
    /// The canonical ladder problem: 960x960 pixels, 200 iterations, x in [-2.0, 0.6], y in [-1.5, 1.5].
    pub fn canonical() -> Params {
        Params::new(960, 960, (-2.0, 0.6), (-1.5, 1.5), 200).expect("canonical parameters are valid")
    }

    /// Validate and build. `max_iters` is taken as u64 so that out-of-range values coming from a CLI
    /// or Python are reported, not silently truncated.
    pub fn new(
        width: usize,
        height: usize,
        (x_min, x_max): (f64, f64),
        (y_min, y_max): (f64, f64),
        max_iters: u64,
    ) -> Result<Params, ParamError> {
        for (param, value) in [("x_min", x_min), ("x_max", x_max), ("y_min", y_min), ("y_max", y_max)] {
            if !value.is_finite() {
                return Err(ParamError::NonFinite { param, value });
            }
        }
        if x_min >= x_max {
            return Err(ParamError::EmptyRange { axis: "x", min: x_min, max: x_max });
        }
        if y_min >= y_max {
            return Err(ParamError::EmptyRange { axis: "y", min: y_min, max: y_max });
        }
        if width == 0 {
            return Err(ParamError::ZeroSize { param: "width" });
        }
        if height == 0 {
            return Err(ParamError::ZeroSize { param: "height" });
        }
        match width.checked_mul(height) {
            Some(n) if n <= MAX_PIXELS => {}
            _ => return Err(ParamError::TooManyPixels { width, height, cap: MAX_PIXELS }),
        }
        if max_iters == 0 || max_iters > u64::from(MAX_ITERS_CAP) {
            return Err(ParamError::MaxIters { value: max_iters, cap: MAX_ITERS_CAP });
        }
        // Subtraction of two finite numbers can still overflow to infinity (e.g. -1e308 .. 1e308).
        let dx = (x_max - x_min) / width as f64;
        let dy = (y_max - y_min) / height as f64;
        for (param, value) in [("dx", dx), ("dy", dy)] {
            if !value.is_finite() {
                return Err(ParamError::NonFinite { param, value });
            }
        }
        // A spacing below what f64 resolves near the range would map distinct pixels to one point.
        for (param, value, lo, hi) in [("dx", dx, x_min, x_max), ("dy", dy, y_min, y_max)] {
            let ulp = lo.abs().max(hi.abs()) * f64::EPSILON;
            if value <= ulp {
                return Err(ParamError::SpacingTooSmall { param, value });
            }
        }
        Ok(Params { width, height, x_min, x_max, y_min, y_max, max_iters: max_iters as u32, dx, dy })
    }

    pub fn width(&self) -> usize {
        self.width
    }
    pub fn height(&self) -> usize {
        self.height
    }
    /// `width * height`, the length every output buffer must have.
    pub fn pixels(&self) -> usize {
        self.width * self.height
    }
    pub fn x_range(&self) -> (f64, f64) {
        (self.x_min, self.x_max)
    }
    pub fn y_range(&self) -> (f64, f64) {
        (self.y_min, self.y_max)
    }
    pub fn max_iters(&self) -> u32 {
        self.max_iters
    }
    /// Pixel spacing along x: `(x_max - x_min) / width`.
    pub fn dx(&self) -> f64 {
        self.dx
    }
    /// Pixel spacing along y: `(y_max - y_min) / height`.
    pub fn dy(&self) -> f64 {
        self.dy
    }

    /// Real part of the points of column `col`: `x_min + col*dx` (a product, never an accumulation).
    #[inline(always)]
    pub fn x_at(&self, col: usize) -> f64 {
        self.x_min + col as f64 * self.dx
    }
    /// Imaginary part of the points of row `row`: `y_min + row*dy`.
    #[inline(always)]
    pub fn y_at(&self, row: usize) -> f64 {
        self.y_min + row as f64 * self.dy
    }
    /// The point `c` of pixel `(row, col)`, in f64.
    #[inline(always)]
    pub fn point(&self, row: usize, col: usize) -> (f64, f64) {
        (self.x_at(col), self.y_at(row))
    }

    /// Check that a kernel computing in `precision` can represent this view. [`Params::new`] already
    /// holds every view to f64's limits; f32 has its own: every bound must be finite in f32, and the
    /// pixel spacing must exceed f32's resolution near the range (`spacing > max(|lo|, |hi|) *
    /// f32::EPSILON`, the analogue of the f64 check in `new`). Below it neighbouring pixels round to
    /// the same f32 point and an f32 kernel returns a meaningless, blocky image; beyond f32's range
    /// the points themselves are infinite. [`crate::Kernel::render`] and its siblings call this, and
    /// refuse such views with the error naming the parameter and the precision.
    pub fn check_precision(&self, precision: Precision) -> Result<(), ParamError> {
        if precision == Precision::F64 {
            return Ok(());
        }
        let name = precision.as_str();
        let bounds = [("x_min", self.x_min), ("x_max", self.x_max), ("y_min", self.y_min), ("y_max", self.y_max)];
        for (param, value) in bounds {
            if !(value as f32).is_finite() {
                return Err(ParamError::OutsidePrecision { param, value, precision: name, max: f64::from(f32::MAX) });
            }
        }
        for (param, value, lo, hi) in [("dx", self.dx, self.x_min, self.x_max), ("dy", self.dy, self.y_min, self.y_max)]
        {
            let resolution = lo.abs().max(hi.abs()) * f64::from(f32::EPSILON);
            if value <= resolution {
                return Err(ParamError::SpacingBelowPrecision { param, value, precision: name, resolution });
            }
        }
        Ok(())
    }

    /// Check that a whole-image buffer has the right length.
    pub fn check_buffer(&self, len: usize) -> Result<(), ParamError> {
        if len == self.pixels() { Ok(()) } else { Err(ParamError::BufferLength { expected: self.pixels(), got: len }) }
    }

    /// Check that pixels `start .. start + len` lie inside the image.
    pub fn check_span(&self, start: usize, len: usize) -> Result<(), ParamError> {
        match start.checked_add(len) {
            Some(end) if end <= self.pixels() => Ok(()),
            end => Err(ParamError::SpanOutOfRange { start, end: end.unwrap_or(usize::MAX), pixels: self.pixels() }),
        }
    }
}
