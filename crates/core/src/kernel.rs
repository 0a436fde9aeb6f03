use crate::{ParamError, Params, Tolerance};

/// Render pixels `start .. start + out.len()` of the flattened image. The span has been checked
/// against `params` by [`Kernel::render_span`] before this is called.
pub type RenderFn = fn(params: &Params, start: usize, out: &mut [u32]);

/// Floating-point precision a kernel iterates in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Precision {
    F32,
    F64,
}

impl Precision {
    pub fn as_str(self) -> &'static str {
        match self {
            Precision::F32 => "f32",
            Precision::F64 => "f64",
        }
    }
}

/// How many threads a kernel uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Threads {
    /// The calling thread only.
    One,
    /// A rayon pool: the global one, sized by `RAYON_NUM_THREADS` or the core count, or the pool
    /// the caller installs around the call.
    Pool,
}

/// One rung of the ladder: a named, labelled render function with its verification tolerance.
/// Every consumer (benches, tests, CLI, Python) iterates the registry of these values instead of
/// naming kernels by hand.
#[derive(Debug, Clone, Copy)]
pub struct Kernel {
    /// Stable identifier, used on the command line, in bench ids and result files: e.g. `naive-f32`.
    pub name: &'static str,
    /// The ladder rung it belongs to, for the table: e.g. `naive struct Complex`.
    pub rung: &'static str,
    /// One line on what the kernel does differently from the rung below it.
    pub description: &'static str,
    pub precision: Precision,
    pub threads: Threads,
    /// How far it may differ from the f64 reference (see [`Tolerance`] for the rules).
    pub tolerance: Tolerance,
    /// The instruction-set path that will run on this CPU with the current settings (`scalar`,
    /// `fma`, `avx512`, ...). A function, because the choice is made at run time.
    pub isa: fn() -> &'static str,
    pub render_fn: RenderFn,
}

impl Kernel {
    /// Render the whole image into `out`, which must hold exactly `params.pixels()` counts.
    pub fn render(&self, params: &Params, out: &mut [u32]) -> Result<(), ParamError> {
        params.check_buffer(out.len())?;
        (self.render_fn)(params, 0, out);
        Ok(())
    }

    /// Render pixels `start .. start + out.len()` of the flattened image.
    pub fn render_span(&self, params: &Params, start: usize, out: &mut [u32]) -> Result<(), ParamError> {
        params.check_span(start, out.len())?;
        (self.render_fn)(params, start, out);
        Ok(())
    }

    /// Render the whole image into a new buffer.
    pub fn render_vec(&self, params: &Params) -> Vec<u32> {
        let mut out = vec![0; params.pixels()];
        (self.render_fn)(params, 0, &mut out);
        out
    }

    /// `name [isa]`, the label benches and the CLI print, e.g. `simd-f32 [avx512]`.
    pub fn label(&self) -> String {
        format!("{} [{}]", self.name, (self.isa)())
    }
}
