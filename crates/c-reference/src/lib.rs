//! Reference, not a rung: the Rust SIMD rung's escape loop (`simd-f32`), hand-written in C
//! intrinsics (`src/*.c`), so the ladder shows Rust against hand-tuned C on every machine, in
//! the same run.
//!
//! # Why a reference and not a rung
//! The article's ladder is about what each Rust (or Python) technique adds. This kernel adds no
//! technique: it is the same algorithm as `simd-f32` (same points, the same fused multiply-adds in
//! the same order, vectors of consecutive pixels, the same idle lanes), written the way a C
//! programmer who tunes by hand would write it. Its counts equal `simd-f32`'s bit for bit (the
//! tests assert it on every path this CPU has), so the two times compare code generation and
//! tuning, nothing else: it is the bar the Rust SIMD rung must beat, and the table labels it so.
//!
//! # The C kernel
//! * AVX-512F (`avx512.c`): 16 lanes, the step of `crates/simd/src/avx512.rs` (a sticky `alive`
//!   mask updated by the compare's write-mask, a masked integer op counts): 8 instructions a step in
//!   the loop GCC 12 generates.
//! * AVX2 + FMA (`avx2.c`): 8 lanes, the portable Rust step (a sticky `alive` mask subtracted from
//!   the counts): 10 instructions a step.
//! * scalar (`mandel.c`, with the dispatch): one pixel at a time with `fmaf`, for CPUs without
//!   AVX2+FMA.
//!
//! `V` vectors are in flight and every `K` steps the loop checks whether one has finished; each
//! instantiated `(V, K)` pair is a [`Tuning`] ([`Isa::tunings`]). Checked with `objdump -d` on the
//! objects `cc` builds (GCC 12): on AVX-512 (32 vector registers) the step loop stores nothing at
//! 2, 3, 4, 6 and 8 vectors (at 6 and 8 a few loop-invariant points are read from the stack). On
//! AVX2 (16 registers) the compiler keeps part of the state on the stack from 3 vectors on (3 fit
//! in registers with GCC's `-fno-tree-coalesce-vars`, which `build.rs` gives the AVX-512 file only),
//! yet 4 vectors were the fastest on a Zen 4 core in AVX2 mode (MEASUREMENTS.md, "Other changes"),
//! so 2 to 6 are kept and the calibration picks. Clang 14 builds the same kernel (the tests pass) with an instruction more a
//! step on AVX-512.
//!
//! # Dispatch
//! One build runs everywhere: no `-march=native`; the AVX2 and AVX-512 functions carry their own
//! `target` attributes and the C side picks the widest path with `__builtin_cpu_supports`
//! ([`available_isas`]). [`selected_isa`] takes the widest, or the one `MANDEL_ISA` forces
//! (`avx2`, or `sse2`/`neon`/`scalar` for the scalar path; never a wider one than the CPU has),
//! once per process.
//!
//! # The tuning
//! Which `(V, K)` is fastest depends on the core (FMA latency and ports, registers), so
//! [`render_f32`] does not fix one: the first use in a process times every tuning of the selected
//! path a few times on a small fixed view (a busy 128x32 tile inside the set and a band through the
//! canonical image, tens of milliseconds in all) and keeps the fastest by minimum time
//! ([`calibrate`]). `MANDEL_C_TUNING=v4k8` (or `default`) forces one instead, read by `MANDEL_TUNING`'s
//! rule ([`parse_tuning`]); a value that is not a tuning of the
//! selected path makes the kernel unavailable, with the reason ([`unavailable`]), never ignored.
//! [`tuning`] and [`describe`] say what was chosen.
//!
//! # Lane-iterations
//! [`lane_iterations`] computes from the counts what the kernel executes, idle lanes included (its
//! schedule is deterministic), for the ladder's share of peak: a model of mandel.h's loop, read
//! from the code (the C is not instrumented). The tests check it equals the Rust kernel's
//! instrumented count where the two run the same schedule.
//!
//! # Without a C compiler
//! `build.rs` compiles the C with the `cc` crate. If that fails, the build still succeeds
//! (`cfg(mandel_no_c)`): [`available`] is false, [`unavailable`] says "built without a C compiler",
//! the registry marks both kernels unavailable, and the ladder shows their rows as `missing`.

use mandel_core::{ParamError, Params, Precision};
use std::fmt;
use std::sync::OnceLock;

/// Environment variable that forces a tuning of the C kernel, e.g. `MANDEL_C_TUNING=v4k8`.
pub const TUNING_ENV: &str = "MANDEL_C_TUNING";

/// A path of the C kernel.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Isa {
    /// AVX-512F: 16 f32 lanes, mask-register step.
    Avx512,
    /// AVX2 + FMA: 8 f32 lanes, sticky-mask step.
    Avx2,
    /// Plain C, one pixel at a time, `fmaf`.
    Scalar,
}

impl Isa {
    /// Every path, widest first.
    pub const ALL: [Isa; 3] = [Isa::Avx512, Isa::Avx2, Isa::Scalar];

    /// `avx512`, `avx2` or `scalar`: the names `MANDEL_ISA`, bench ids and tables use.
    pub fn name(self) -> &'static str {
        match self {
            Isa::Avx512 => "avx512",
            Isa::Avx2 => "avx2",
            Isa::Scalar => "scalar",
        }
    }

    /// The number the C side knows the path by (`mandel.h`).
    #[cfg_attr(mandel_no_c, allow(dead_code))]
    fn code(self) -> std::ffi::c_int {
        match self {
            Isa::Avx512 => 2,
            Isa::Avx2 => 1,
            Isa::Scalar => 0,
        }
    }

    /// Vector width in bits, for ordering: a forced path resolves to one no wider.
    fn bits(self) -> u32 {
        match self {
            Isa::Avx512 => 512,
            Isa::Avx2 => 256,
            Isa::Scalar => 0,
        }
    }

    /// Pixels per vector.
    pub fn lanes(self) -> usize {
        match self {
            Isa::Avx512 => 16,
            Isa::Avx2 => 8,
            Isa::Scalar => 1,
        }
    }

    /// The tuning kept unless another is clearly faster (`mandel_core::choose`): the Rust SIMD
    /// kernels' default on the same path (`mandel_simd::Tuning::default_for`, held equal by a test), so
    /// that both sides start from one configuration. `None` on the scalar path.
    pub fn default_tuning(self) -> Option<Tuning> {
        match self {
            Isa::Avx512 => Some(t(4, 8)),
            Isa::Avx2 => Some(t(3, 8)),
            Isa::Scalar => None,
        }
    }

    /// The tunings the C side instantiates for this path (none for the scalar one, which renders
    /// one pixel at a time and ignores the tuning).
    pub fn tunings(self) -> &'static [Tuning] {
        match self {
            Isa::Avx512 => AVX512_TUNINGS,
            Isa::Avx2 => AVX2_TUNINGS,
            Isa::Scalar => &[],
        }
    }

    /// Whether this build and this CPU can run the path.
    pub fn is_available(self) -> bool {
        available_isas().contains(&self)
    }
}

impl fmt::Display for Isa {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// How the SIMD loops run: `vectors` in flight, a check for finished vectors every `check_every`
/// steps. Written `v4k8`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Tuning {
    pub vectors: u8,
    pub check_every: u8,
}

const fn t(vectors: u8, check_every: u8) -> Tuning {
    Tuning { vectors, check_every }
}

// AVX512_TUNINGS, AVX2_TUNINGS and TUNINGS: generated by build.rs from the one list the C functions
// are instantiated from too (`tunings.h`).
include!(concat!(env!("OUT_DIR"), "/tunings.rs"));

impl fmt::Display for Tuning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "v{}k{}", self.vectors, self.check_every)
    }
}

fn names(tunings: &[Tuning]) -> String {
    tunings.iter().map(Tuning::to_string).collect::<Vec<_>>().join(", ")
}

/// Why the C kernel did not render.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum Error {
    #[error("built without a C compiler")]
    NotBuilt,
    #[error("this CPU cannot run the C kernel's {0} path")]
    IsaUnavailable(Isa),
    #[error("tuning {tuning} is not built for the {isa} path (built: {})", names(isa.tunings()))]
    TuningNotBuilt { isa: Isa, tuning: Tuning },
    #[error("the C kernel refused the view (code {0})")]
    Refused(i32),
    #[error(transparent)]
    Params(#[from] ParamError),
}

#[cfg(not(mandel_no_c))]
mod ffi {
    use std::ffi::c_int;

    /// `mandel_c_view` in `mandel.h`: the problem as [`mandel_core::Params`] holds it.
    #[repr(C)]
    pub struct View {
        pub x_min: f64,
        pub dx: f64,
        pub y_min: f64,
        pub dy: f64,
        pub width: usize,
        pub max_iters: u32,
    }

    unsafe extern "C" {
        /// The widest path the CPU supports: 2 AVX-512F, 1 AVX2+FMA, 0 scalar. No preconditions.
        pub safe fn mandel_c_best_isa() -> c_int;
        /// Renders pixels `start .. start + len` into `out[0 .. len]`; 0, or a negative code
        /// without writing anything.
        pub fn mandel_c_render_f32(
            isa: c_int,
            vectors: c_int,
            check_every: c_int,
            view: *const View,
            start: usize,
            out: *mut u32,
            len: usize,
        ) -> c_int;
    }
}

/// Whether this build has the C kernel (false when it was built without a C compiler).
pub fn available() -> bool {
    cfg!(not(mandel_no_c))
}

/// The paths this build and CPU can run, widest first (empty without the C kernel). Detected once.
pub fn available_isas() -> &'static [Isa] {
    static AVAILABLE: OnceLock<&'static [Isa]> = OnceLock::new();
    AVAILABLE.get_or_init(detect)
}

#[cfg(not(mandel_no_c))]
fn detect() -> &'static [Isa] {
    match ffi::mandel_c_best_isa() {
        2 => &[Isa::Avx512, Isa::Avx2, Isa::Scalar],
        1 => &[Isa::Avx2, Isa::Scalar],
        _ => &[Isa::Scalar],
    }
}

#[cfg(mandel_no_c)]
fn detect() -> &'static [Isa] {
    &[]
}

/// The path [`render_f32`] takes: the widest available, or the one `MANDEL_ISA` forces, resolved to
/// the widest available path no wider than it (`sse2`, `neon` and `scalar` mean the scalar path; an
/// unknown name is ignored, as the Rust SIMD kernels do). `None` without the C kernel. Chosen once.
pub fn selected_isa() -> Option<Isa> {
    static SELECTED: OnceLock<Option<Isa>> = OnceLock::new();
    *SELECTED.get_or_init(|| {
        let bits = match mandel_core::forced_isa().as_deref() {
            Some("avx512") => 512,
            Some("avx2") => 256,
            Some("sse2" | "neon" | "scalar") => 0,
            _ => u32::MAX,
        };
        available_isas().iter().copied().find(|isa| isa.bits() <= bits)
    })
}

/// The path [`render_f32`] takes, for [`mandel_core::Kernel::isa`]: `avx512`, `avx2`, `scalar`, or
/// `none` without the C kernel.
pub fn isa() -> &'static str {
    selected_isa().map_or("none", Isa::name)
}

/// Render pixels `start .. start + out.len()` on path `isa` with `tuning` (ignored on the scalar
/// path). Refuses a path this CPU or build lacks, a tuning not built for the path, a span outside
/// the image and a view f32 cannot represent (as `mandel_simd::render_span_with` does), without
/// writing anything. For tests, calibration and comparisons.
pub fn render_f32_with(isa: Isa, tuning: Tuning, params: &Params, start: usize, out: &mut [u32]) -> Result<(), Error> {
    params.check_precision(Precision::F32)?;
    render(isa, tuning, params, start, out)
}

/// [`render_f32_with`] without the precision check, which [`mandel_core::Kernel::render`] makes
/// before a [`mandel_core::RenderFn`] runs: the registered render computes whatever view it is given.
fn render(isa: Isa, tuning: Tuning, params: &Params, start: usize, out: &mut [u32]) -> Result<(), Error> {
    if !available() {
        return Err(Error::NotBuilt);
    }
    params.check_span(start, out.len())?;
    if !isa.is_available() {
        return Err(Error::IsaUnavailable(isa));
    }
    if isa != Isa::Scalar && !isa.tunings().contains(&tuning) {
        return Err(Error::TuningNotBuilt { isa, tuning });
    }
    call_c(isa, tuning, params, start, out)
}

#[cfg(not(mandel_no_c))]
fn call_c(isa: Isa, tuning: Tuning, params: &Params, start: usize, out: &mut [u32]) -> Result<(), Error> {
    let view = ffi::View {
        x_min: params.x_range().0,
        dx: params.dx(),
        y_min: params.y_range().0,
        dy: params.dy(),
        width: params.width(),
        max_iters: params.max_iters(),
    };
    // SAFETY: `view` lives across the call. `out` is an exclusive borrow of `out.len()` u32s, passed
    // as its own pointer and length, and the C side writes only out[0 .. len] (the last, partial
    // vector of a span is stored lane by lane). The span lies inside the image (checked by the
    // caller), so the C side's rows and columns stay inside it. The C side itself refuses a path the
    // CPU lacks, so no unsupported instruction can run.
    let code = unsafe {
        ffi::mandel_c_render_f32(
            isa.code(),
            tuning.vectors.into(),
            tuning.check_every.into(),
            &view,
            start,
            out.as_mut_ptr(),
            out.len(),
        )
    };
    match code {
        0 => Ok(()),
        -1 => Err(Error::IsaUnavailable(isa)),
        -2 => Err(Error::TuningNotBuilt { isa, tuning }),
        code => Err(Error::Refused(code)),
    }
}

#[cfg(mandel_no_c)]
fn call_c(_: Isa, _: Tuning, _: &Params, _: usize, _: &mut [u32]) -> Result<(), Error> {
    Err(Error::NotBuilt)
}

/// Time every tuning of `isa` on a small fixed view and choose by its fastest round with the tie band of
/// [`mandel_core::choose`], which keeps the path's [`Isa::default_tuning`] (`None` for the scalar path,
/// which has no tuning). Each round times every tuning once, in turn, so a burst of load
/// on a shared machine hits all of them.
pub fn calibrate(isa: Isa) -> Result<Option<Tuning>, Error> {
    const ROUNDS: usize = 5;
    // A tile where every pixel runs all 200 steps (inside the main cardioid): the step loop alone.
    let busy = Params::new(128, 32, (-0.3, -0.2), (-0.1, 0.1), 200)?;
    // 32 rows through the middle of the canonical image: escapes of every length, refills, the edge.
    let canonical = Params::canonical();
    let band = (464 * canonical.width(), 32 * canonical.width());
    let times = time_tunings(isa, &[(&busy, 0, busy.pixels()), (&canonical, band.0, band.1)], ROUNDS)?;
    Ok(isa.default_tuning().map(|default| mandel_core::choose::choose(&times, default)))
}

/// Every tuning of `isa`, timed on `spans` (params, start, length) `rounds` times, round-robin (so a
/// burst of load on a shared machine hits all of them), after one untimed warm-up render
/// ([`mandel_core::choose::time_round_robin`]); per tuning, the fastest round's seconds. Empty
/// for the scalar path, which has no tuning. [`calibrate`] and `mandel tune` both time through this.
pub fn time_tunings(isa: Isa, spans: &[(&Params, usize, usize)], rounds: usize) -> Result<Vec<(Tuning, f64)>, Error> {
    let mut out = vec![0u32; spans.iter().map(|s| s.2).max().unwrap_or(0)];
    // Preceded by one untimed render (the buffer's page faults, the process's start: not a tuning's).
    mandel_core::choose::time_round_robin(isa.tunings(), rounds, |tuning| {
        spans.iter().try_for_each(|&(params, start, len)| render_f32_with(isa, tuning, params, start, &mut out[..len]))
    })
}

/// How [`render_f32`] runs in this process: the path, the tuning and where the tuning came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Selection {
    pub isa: Isa,
    /// `None` on the scalar path.
    pub tuning: Option<Tuning>,
    /// Where the tuning came from, as the SIMD kernels say it: `forced` (`MANDEL_C_TUNING` names one),
    /// `default` (it says `default`: the path's own) or `calibrated`.
    pub source: &'static str,
}

/// The selection, made once per process (calibrating unless `MANDEL_C_TUNING` forces a tuning), or
/// why the kernel cannot run.
/// [`selection`]'s choice, made once per process.
static SELECTION: OnceLock<Result<Selection, String>> = OnceLock::new();

fn selection() -> &'static Result<Selection, String> {
    SELECTION.get_or_init(|| {
        let isa = selected_isa().ok_or_else(|| Error::NotBuilt.to_string())?;
        match forced_tuning_with_source(Some(isa))? {
            Some((tuning, source)) => Ok(Selection { isa, tuning, source }),
            None => {
                let tuning = calibrate(isa).map_err(|e| format!("calibration failed: {e}"))?;
                Ok(Selection { isa, tuning, source: "calibrated" })
            }
        }
    })
}

/// `MANDEL_C_TUNING` read for path `isa` (`None`: built without C, where only the name is checked):
/// `Ok(None)` when unset or empty (calibrate), `Ok(Some(None))` on the scalar path (no vectors to
/// tune), `Ok(Some(Some(tuning)))`, or an error naming the variable and what the path accepts.
///
/// The rule is `MANDEL_TUNING`'s ([`mandel_core::parse_tuning_name`]): `default` (the path's
/// [`Isa::default_tuning`]) or one of [`TUNINGS`] by name, any case, no spaces around. A tuning
/// the path does not build is refused on every path, the scalar one included (it builds none, so
/// only `default` is accepted there): taking it there would record a forced tuning that never ran.
pub fn parse_tuning(value: &str, isa: Option<Isa>) -> Result<Option<Option<Tuning>>, String> {
    parse_tuning_with_source(value, isa).map(|forced| forced.map(|(tuning, _)| tuning))
}

/// A forced tuning and where it came from, as the SIMD kernels say it: `default` where the value names
/// the path's own, else `forced`.
type Forced = (Option<Tuning>, &'static str);

/// [`parse_tuning`], with the tuning's source.
fn parse_tuning_with_source(value: &str, isa: Option<Isa>) -> Result<Option<Forced>, String> {
    if value.is_empty() {
        return Ok(None);
    }
    let accepted = match isa.map(|isa| (isa, isa.tunings())) {
        None => format!("{}, {}", mandel_core::DEFAULT_TUNING, names(TUNINGS)),
        Some((isa, [])) => format!("{} (the C reference's {isa} path builds no tuning)", mandel_core::DEFAULT_TUNING),
        Some((isa, built)) => {
            format!("{}, {} (the C reference's {isa} path's tunings)", mandel_core::DEFAULT_TUNING, names(built))
        }
    };
    let name = mandel_core::parse_tuning_name(value, TUNINGS, |t: Tuning| t.to_string())
        .ok_or_else(|| format!("{TUNING_ENV}={value:?} is not valid; accepted: {accepted}"))?;
    let source = if name == mandel_core::TuningName::Default { "default" } else { "forced" };
    let Some(isa) = isa else { return Ok(Some((None, source))) };
    match name {
        mandel_core::TuningName::Default => Ok(Some((isa.default_tuning(), source))),
        mandel_core::TuningName::Named(tuning) if isa.tunings().contains(&tuning) => Ok(Some((Some(tuning), source))),
        mandel_core::TuningName::Named(tuning) => Err(format!(
            "{TUNING_ENV}={value:?}: {tuning} is not a tuning of the C reference's {isa} path; accepted: {accepted}"
        )),
    }
}

/// [`parse_tuning`] on the variable as set for `isa` (`None`: unset). Not Unicode: kept lossily, so that it
/// names no tuning and is refused, never read as unset. Public for the extension's check that the
/// variable has not changed since the kernels read it.
pub fn forced_tuning(isa: Option<Isa>) -> Result<Option<Option<Tuning>>, String> {
    forced_tuning_with_source(isa).map(|forced| forced.map(|(tuning, _)| tuning))
}

/// [`forced_tuning`], with the tuning's source ([`parse_tuning_with_source`]).
fn forced_tuning_with_source(isa: Option<Isa>) -> Result<Option<Forced>, String> {
    match std::env::var_os(TUNING_ENV) {
        None => Ok(None),
        Some(value) => parse_tuning_with_source(&value.to_string_lossy(), isa),
    }
}

/// `MANDEL_C_TUNING`, checked like a flag without calibrating anything: an error naming the variable
/// if it is set to something that is not a tuning of the selected path (in a build without C, not a
/// tuning at all). For the entry points' environment checks (`mandel_registry::check_env`).
pub fn check_tuning_env() -> Result<(), String> {
    forced_tuning(selected_isa()).map(drop)
}

/// Why [`render_f32`] cannot run in this process (`None` when it can): built without a C compiler,
/// or a `MANDEL_C_TUNING` that is not a tuning of the selected path. The first call makes the
/// selection (calibrating: tens of milliseconds), so a timed render never pays for it. For
/// [`mandel_core::Kernel::unavailable`].
pub fn unavailable() -> Option<&'static str> {
    selection().as_ref().err().map(String::as_str)
}

/// The tuning [`render_f32`] uses (`None` on the scalar path or when it cannot run).
pub fn tuning() -> Option<Tuning> {
    selection().as_ref().ok().and_then(|s| s.tuning)
}

/// The full selection (`None` when the kernel cannot run: see [`unavailable`]).
pub fn selection_made() -> Option<Selection> {
    selection().as_ref().ok().copied()
}

/// The selection if this process has made it already, without making it (`None` too when the kernel
/// cannot run): what reports the tuning that ran, where asking must not calibrate a kernel that did not.
pub fn selection_if_made() -> Option<Selection> {
    SELECTION.get().and_then(|s| s.as_ref().ok().copied())
}

/// One line on how [`render_f32`] runs here, for the CLI and the benches, e.g. `avx512, 4 vectors
/// in flight, a check every 8 steps (calibrated)`.
pub fn describe() -> String {
    match selection() {
        Err(reason) => format!("unavailable: {reason}"),
        Ok(Selection { isa, tuning: None, .. }) => format!("{isa}, one pixel at a time"),
        Ok(Selection { isa, tuning: Some(t), source }) => format!(
            "{isa}, {} vectors of {} pixels in flight, a check every {} steps ({}; {TUNING_ENV}={t})",
            t.vectors,
            isa.lanes(),
            t.check_every,
            source,
        ),
    }
}

/// [`mandel_core::RenderFn`]: f32 on [`selected_isa`] with the process's [`tuning`] (the registered
/// `c-ref-f32`). A kernel that cannot run (see [`unavailable`]: the registry checks it first) writes
/// 0 everywhere, a count no pixel has (every pixel takes at least one step), so no verification passes it.
pub fn render_f32(params: &Params, start: usize, out: &mut [u32]) {
    let rendered = match selection() {
        Ok(s) => render(s.isa, s.tuning.unwrap_or(t(1, 1)), params, start, out).is_ok(),
        Err(_) => false,
    };
    if !rendered {
        out.fill(0);
    }
}

/// Lane-iterations (every lane of every vector step, busy or idle, padding included) that a render
/// of a span on `isa` with `tuning` executes, computed from the span's `counts`: the schedule is
/// deterministic. A vector of `lanes` consecutive pixels runs until its last lane escapes (a count
/// `n` escapes at step `n + 1`; padding at step 2) or `max_iters` steps, rounded up to the next
/// check; finished vectors are refilled in order; every vector slot steps until the last one is
/// done, so the total is vectors x lanes x steps of the loop. The scalar path executes the counts.
/// (The Rust kernel counts its own with an instrumented build; the tests check the two agree.)
pub fn lane_iterations(isa: Isa, tuning: Tuning, max_iters: u32, counts: &[u32]) -> u64 {
    if isa == Isa::Scalar || counts.is_empty() {
        return mandel_core::total_iterations(counts);
    }
    let (k, lanes) = (u64::from(tuning.check_every.max(1)), isa.lanes());
    let steps = |need: u64| need.min(u64::from(max_iters)).div_ceil(k) * k;
    let padding = steps(2);
    let mut vectors = counts.chunks(lanes).map(|c| {
        let real = c.iter().map(|&n| u64::from(n) + 1).max().unwrap_or(0);
        steps(if c.len() < lanes { real.max(2) } else { real })
    });
    // Each slot: the step its vector finishes at, and whether it holds pixels (not only padding).
    let mut slots: Vec<(u64, bool)> =
        (0..tuning.vectors.max(1)).map(|_| vectors.next().map_or((padding, false), |d| (d, true))).collect();
    loop {
        let now = slots.iter().map(|s| s.0).min().unwrap_or(0);
        for slot in slots.iter_mut().filter(|s| s.0 == now) {
            *slot = vectors.next().map_or((now + padding, false), |d| (now + d, true));
        }
        if slots.iter().all(|s| !s.1) {
            return slots.len() as u64 * lanes as u64 * now;
        }
    }
}

/// [`mandel_core::LaneIterationsFn`]: [`render_f32`], returning the lane-iterations it executed
/// ([`lane_iterations`]; 0 when the kernel cannot run).
pub fn render_f32_counting(params: &Params, start: usize, out: &mut [u32]) -> u64 {
    render_f32(params, start, out);
    match selection() {
        Ok(s) => lane_iterations(s.isa, s.tuning.unwrap_or(t(1, 1)), params.max_iters(), out),
        Err(_) => 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// MANDEL_C_TUNING by MANDEL_TUNING's rule: `default` or a listed name whole (any case, no spaces
    /// around); a number spelled otherwise or a pair no path builds is refused naming the
    /// variable and what the path accepts, on every path, with or without the C build.
    #[test]
    fn tunings_parse_by_the_one_rule_on_every_path() {
        let accepted = [
            (
                Some(Isa::Avx512),
                format!("default, {} (the C reference's avx512 path's tunings)", names(AVX512_TUNINGS)),
            ),
            (Some(Isa::Avx2), format!("default, {} (the C reference's avx2 path's tunings)", names(AVX2_TUNINGS))),
            (Some(Isa::Scalar), "default (the C reference's scalar path builds no tuning)".to_string()),
            (None, format!("default, {}", names(TUNINGS))),
        ];
        for (isa, accepted) in &accepted {
            assert_eq!(parse_tuning("", *isa), Ok(None));
            for bad in [
                "v03k8", "v3k08", "v+3k8", "v3 k8", "v0k0", "v99k99", "v12k4", "junk", "f32:v4k8", "defaults", "  ",
                " default",
            ] {
                let err = parse_tuning(bad, *isa).unwrap_err();
                assert_eq!(err, format!("MANDEL_C_TUNING={bad:?} is not valid; accepted: {accepted}"));
            }
        }
        for isa in [Isa::Avx512, Isa::Avx2] {
            assert_eq!(parse_tuning("default", isa.into()), Ok(Some(isa.default_tuning())));
            assert_eq!(parse_tuning("DEFAULT", isa.into()), Ok(Some(isa.default_tuning())));
            for &tuning in isa.tunings() {
                assert_eq!(parse_tuning(&tuning.to_string(), isa.into()), Ok(Some(Some(tuning))));
                assert_eq!(parse_tuning(&tuning.to_string().to_uppercase(), isa.into()), Ok(Some(Some(tuning))));
            }
        }
        assert_eq!(parse_tuning("V3K8", Some(Isa::Avx2)), Ok(Some(Some(t(3, 8)))));
        // No C build checks the name only.
        assert_eq!(parse_tuning("v4k8", None), Ok(Some(None)));
        assert_eq!(parse_tuning("default", None), Ok(Some(None)));
    }

    /// A listed tuning the path does not build is refused, naming the variable, the path and what it
    /// accepts: the scalar path builds none, so only `default` is taken there.
    #[test]
    fn tunings_the_path_does_not_build_are_refused() {
        assert_eq!(parse_tuning("default", Some(Isa::Scalar)), Ok(Some(None)));
        for &tuning in TUNINGS {
            let err = parse_tuning(&tuning.to_string(), Some(Isa::Scalar)).unwrap_err();
            assert_eq!(
                err,
                format!(
                    "MANDEL_C_TUNING=\"{tuning}\": {tuning} is not a tuning of the C reference's scalar path; \
                     accepted: default (the C reference's scalar path builds no tuning)"
                )
            );
        }
        for isa in [Isa::Avx512, Isa::Avx2] {
            let other = TUNINGS.iter().find(|t| !isa.tunings().contains(t)).expect("the lists differ");
            let err = parse_tuning(&other.to_string(), Some(isa)).unwrap_err();
            let expected = format!(
                "MANDEL_C_TUNING=\"{other}\": {other} is not a tuning of the C reference's {isa} path; accepted: \
                 default, {} (the C reference's {isa} path's tunings)",
                names(isa.tunings())
            );
            assert_eq!(err, expected);
        }
    }

    /// The C side instantiates exactly the tunings the Rust side lists, on every SIMD path this CPU
    /// has: asked directly (past the Rust check), its lookup finds a function for each listed pair
    /// and refuses every other one.
    #[test]
    fn the_c_side_instantiates_exactly_the_listed_tunings() {
        let p = Params::new(3, 1, (-2.0, 0.6), (-1.5, 1.5), 20).unwrap();
        for isa in available_isas().iter().copied().filter(|&isa| isa != Isa::Scalar) {
            for vectors in 0..=12 {
                for check_every in 0..=17 {
                    let tuning = t(vectors, check_every);
                    let mut out = [7u32; 3];
                    let result = call_c(isa, tuning, &p, 0, &mut out);
                    if isa.tunings().contains(&tuning) {
                        assert_eq!(result, Ok(()), "{isa} {tuning}");
                        assert!(out.iter().all(|&n| (1..=20).contains(&n)), "{isa} {tuning}: {out:?}");
                    } else {
                        assert_eq!(result, Err(Error::TuningNotBuilt { isa, tuning }), "{isa} {tuning}");
                        assert_eq!(out, [7; 3], "{isa} {tuning}: a refused call wrote");
                    }
                }
            }
        }
    }

    /// The build without a C compiler (`CC=/bin/false cargo test -p mandel-c-reference`): every
    /// entry point says so, and the registered render writes zeros, which no verification passes.
    #[cfg(mandel_no_c)]
    #[test]
    fn without_a_c_compiler_the_kernel_is_unavailable() {
        assert!(!available());
        assert!(available_isas().is_empty());
        assert_eq!((selected_isa(), isa()), (None, "none"));
        assert_eq!(unavailable(), Some("built without a C compiler"));
        assert_eq!((tuning(), selection_made(), selection_if_made()), (None, None, None));
        let p = Params::new(5, 3, (-2.0, 0.6), (-1.5, 1.5), 50).unwrap();
        let mut out = vec![7u32; 15];
        assert_eq!(render_f32_with(Isa::Scalar, t(2, 4), &p, 0, &mut out), Err(Error::NotBuilt));
        assert_eq!(out, vec![7u32; 15]);
        render_f32(&p, 0, &mut out);
        assert_eq!(out, vec![0u32; 15]);
    }
}
