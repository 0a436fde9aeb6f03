use crate::{ParamError, Params, Tolerance};
use thiserror::Error;

/// Render pixels `start .. start + out.len()` of the flattened image. The span has been checked
/// against `params` by [`Kernel::render_span`] before this is called.
pub type RenderFn = fn(params: &Params, start: usize, out: &mut [u32]);

/// Like [`RenderFn`], and returns the lane-iterations the render executed: every escape-loop step of
/// every SIMD lane, busy or idle (a scalar kernel has one lane). For kernels whose work is not simply
/// the sum of their counts: SIMD lanes idling after their pixel escaped, or work skipped by an algorithm.
pub type LaneIterationsFn = fn(params: &Params, start: usize, out: &mut [u32]) -> u64;

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

/// Serialized as its name, `f32` or `f64`, as every result file spells it.
impl serde::Serialize for Precision {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
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
    /// It fuses multiply-adds ([`Kernel::fused`]): one rounding fewer per step than the reference's
    /// arithmetic, so its counts are those of the scalar FMA kernel of its precision, not the reference's.
    pub fused: bool,
    /// How far it may differ from the f64 reference: [`Tolerance::of`] its precision and whether it
    /// fuses multiply-adds ([`Kernel::fused`]).
    pub tolerance: Tolerance,
    /// The instruction-set path that will run on this CPU with the current settings (`scalar`,
    /// `fma`, `avx512`, ...). A function, because the choice is made at run time.
    pub isa: fn() -> &'static str,
    pub render_fn: RenderFn,
    /// A render that also counts lane-iterations executed, for kernels where they differ from the
    /// sum of counts; `None` means "one lane, one iteration per count".
    pub lane_iterations_fn: Option<LaneIterationsFn>,
    /// Executes one lane per iteration (scalar code), so its lane-iterations are its iterations, or
    /// those it did not skip; `false` for SIMD kernels, whose idle lanes count too ([`Kernel::vector_lanes`]).
    pub one_lane: bool,
    /// Skips work exactly (closed-form tests, cycle detection): its counts equal brute force's, but it
    /// executes fewer iterations than they stand for ([`Kernel::skipping_work`]). Never read as a
    /// faster loop.
    pub algorithmic: bool,
    /// Not a rung of the article but a yardstick the rungs are measured against (the hand-written C
    /// kernel): the table labels it so, and it is never the "previous rung" of another row.
    pub reference: bool,
    /// Why the kernel cannot run in this build or with these settings (e.g. "built without a C
    /// compiler"), `None` when it can: [`runs_everywhere`] for kernels that always can. Consumers
    /// skip an unavailable kernel, and [`Kernel::render`] and friends refuse it. The first call may
    /// do the kernel's one-time set-up, so that a timed render does not pay for it.
    pub unavailable: fn() -> Option<&'static str>,
    /// The kernel's one-time choices made now (the SIMD kernels' tuning, calibrated at first use),
    /// so that no timed render pays for them: [`Kernel::prepare`] calls it. Does nothing by default.
    pub prepare_fn: fn(),
}

/// [`Kernel::unavailable`] of a kernel that runs on every build and machine.
pub fn runs_everywhere() -> Option<&'static str> {
    None
}

/// [`Kernel::prepare_fn`] of a kernel with nothing to choose at first use.
fn nothing_to_prepare() {}

/// Why [`Kernel::render`] and friends refused to render.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum RenderError {
    #[error(transparent)]
    Params(#[from] ParamError),
    #[error("kernel {kernel} is unavailable: {reason}")]
    Unavailable { kernel: &'static str, reason: &'static str },
    /// A buffer the render needs could not be allocated ([`crate::buffer::zeroed`]).
    #[error(transparent)]
    Memory(#[from] crate::buffer::AllocError),
}

/// The registry's way to write an entry: [`Kernel::new`] with the defaults, then one call per way the
/// kernel differs from them. Every call is `const`, so the registry stays a `static` slice.
impl Kernel {
    /// A kernel with the defaults: a rung (not a reference), available everywhere, one lane per
    /// iteration (lane-iterations are the sum of the counts), no work skipped, and the tolerance of its
    /// precision without fused multiply-adds.
    pub const fn new(
        name: &'static str,
        rung: &'static str,
        description: &'static str,
        precision: Precision,
        threads: Threads,
        isa: fn() -> &'static str,
        render_fn: RenderFn,
    ) -> Kernel {
        Kernel {
            name,
            rung,
            description,
            precision,
            threads,
            fused: false,
            tolerance: Tolerance::of(precision, false),
            isa,
            render_fn,
            lane_iterations_fn: None,
            one_lane: true,
            algorithmic: false,
            reference: false,
            unavailable: runs_everywhere,
            prepare_fn: nothing_to_prepare,
        }
    }

    /// It fuses multiply-adds: the tolerance of its precision with FMA ([`Tolerance::of`]).
    pub const fn fused(mut self) -> Kernel {
        self.fused = true;
        self.tolerance = Tolerance::of(self.precision, true);
        self
    }

    /// It runs SIMD lanes: `count` renders like `render_fn` and returns the lane-iterations executed,
    /// idle lanes included.
    pub const fn vector_lanes(mut self, count: LaneIterationsFn) -> Kernel {
        self.one_lane = false;
        self.lane_iterations_fn = Some(count);
        self
    }

    /// A one-lane kernel whose lane-iterations are not the sum of its counts: `count` renders like
    /// `render_fn` and returns the iterations executed (with [`Kernel::skipping_work`]).
    pub const fn counted_by(mut self, count: LaneIterationsFn) -> Kernel {
        self.lane_iterations_fn = Some(count);
        self
    }

    /// It skips work exactly (see [`Kernel::algorithmic`]); its counter says how much it executed.
    pub const fn skipping_work(mut self) -> Kernel {
        self.algorithmic = true;
        self
    }

    /// A yardstick, not a rung (see [`Kernel::reference`]).
    pub const fn as_reference(mut self) -> Kernel {
        self.reference = true;
        self
    }

    /// It cannot always run: `why` says why not, `None` when it can (see [`Kernel::unavailable`]).
    pub const fn unavailable_when(mut self, why: fn() -> Option<&'static str>) -> Kernel {
        self.unavailable = why;
        self
    }

    /// It makes a choice at first use (a calibration): `prepare` makes it (see [`Kernel::prepare_fn`]).
    pub const fn prepared_by(mut self, prepare: fn()) -> Kernel {
        self.prepare_fn = prepare;
        self
    }

    /// Make the kernel's one-time choices now, before a clock starts: asking [`Kernel::unavailable`]
    /// (the C reference calibrates its tuning then) and [`Kernel::prepare_fn`] (the SIMD kernels'
    /// tuning). Every path that times a render calls this first; `Err` if the kernel cannot run here.
    pub fn prepare(&self) -> Result<(), RenderError> {
        self.check_available()?;
        (self.prepare_fn)();
        Ok(())
    }

    /// `Ok` if the kernel can run here, else [`RenderError::Unavailable`] with the reason.
    pub fn check_available(&self) -> Result<(), RenderError> {
        match (self.unavailable)() {
            None => Ok(()),
            Some(reason) => Err(RenderError::Unavailable { kernel: self.name, reason }),
        }
    }

    /// Render the whole image into `out`, which must hold exactly `params.pixels()` counts. A view
    /// the kernel's precision cannot represent is refused ([`Params::check_precision`]).
    pub fn render(&self, params: &Params, out: &mut [u32]) -> Result<(), RenderError> {
        self.check_available()?;
        params.check_buffer(out.len())?;
        params.check_precision(self.precision)?;
        (self.render_fn)(params, 0, out);
        Ok(())
    }

    /// Render pixels `start .. start + out.len()` of the flattened image.
    pub fn render_span(&self, params: &Params, start: usize, out: &mut [u32]) -> Result<(), RenderError> {
        self.check_available()?;
        params.check_span(start, out.len())?;
        params.check_precision(self.precision)?;
        (self.render_fn)(params, start, out);
        Ok(())
    }

    /// Render the whole image into a new buffer. Does not check [`Kernel::unavailable`] (the
    /// registry's unavailable kernels write 0 everywhere, which no verification passes): check it first.
    ///
    /// # Panics
    /// If the kernel's precision cannot represent `params` ([`Params::check_precision`]): check
    /// first, or call [`Kernel::render`], which returns that error instead.
    pub fn render_vec(&self, params: &Params) -> Vec<u32> {
        if let Err(e) = params.check_precision(self.precision) {
            panic!("{}: {e}", self.name);
        }
        let mut out = vec![0; params.pixels()];
        (self.render_fn)(params, 0, &mut out);
        out
    }

    /// Render the whole image into `out` and return the lane-iterations executed: from
    /// `lane_iterations_fn` if the kernel has one, else the sum of the counts.
    pub fn render_counting(&self, params: &Params, out: &mut [u32]) -> Result<u64, RenderError> {
        self.check_available()?;
        params.check_buffer(out.len())?;
        params.check_precision(self.precision)?;
        Ok(match self.lane_iterations_fn {
            Some(f) => f(params, 0, out),
            None => {
                (self.render_fn)(params, 0, out);
                crate::total_iterations(out)
            }
        })
    }

    /// `name [isa]`, the label benches and the CLI print, e.g. `simd-f32 [avx512]`.
    pub fn label(&self) -> String {
        format!("{} [{}]", self.name, (self.isa)())
    }
}
