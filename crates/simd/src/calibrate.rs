//! Choosing the whole-vector kernel's [`Tuning`] on the CPU that runs, once per process and precision.
//!
//! The best number of vectors in flight depends on the step's latency and on how many instructions of
//! it each cycle can issue, and no fixed choice was best on every CPU measured (trick 6 in the crate
//! docs). So the first render of a precision times every candidate of its path
//! ([`Tuning::candidates`]) on a small calibration image (the canonical view at 320x320, a ninth of
//! the pixels), round-robin, and keeps the one whose fastest round is fastest, once per process; the
//! timing paths make that choice before their clocks start (`mandel_core::Kernel::prepare`).
//! `MANDEL_TUNING` forces a choice (`v4k8`, `f32:v8k8,f64:v6k4`, or `default` for the path's default;
//! one the path does not build is an error, not ignored), e.g. for reproducible comparisons; `mandel tune` prints the whole calibration on the canonical
//! image, and `scripts/ladder` pins the benches to its choice.

use crate::dispatch;
use crate::{Isa, Variant, selected_isa};
use crate::{TUNINGS, Tuning};
use mandel_core::{Params, Precision, TuningName};
use std::ffi::OsStr;
use std::sync::OnceLock;

/// Environment variable that forces the whole-vector kernel's tuning: `v4k8` (see [`Tuning::name`]) or
/// `default`. Unset or empty: calibrate.
pub const TUNING_ENV: &str = "MANDEL_TUNING";

/// Where a chosen tuning came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TuningSource {
    /// Fastest on the calibration image on this CPU.
    Calibrated,
    /// Named by `MANDEL_TUNING`.
    Forced,
    /// `MANDEL_TUNING=default`, or a path with a single instantiation (SSE2, scalar).
    Default,
}

impl TuningSource {
    pub fn as_str(self) -> &'static str {
        match self {
            TuningSource::Calibrated => "calibrated",
            TuningSource::Forced => "forced",
            TuningSource::Default => "default",
        }
    }
}

/// `MANDEL_TUNING`, checked like a flag, for `precision`: `Ok(None)` when unset or empty (calibrate), the
/// tuning it names (or `default`'s), or an error naming the variable and the accepted values. The value
/// is one tuning for both precisions (`v8k8`, `default`), or one per precision (`f32:v8k8,f64:v6k4`; a
/// precision left out is calibrated): how `scripts/ladder` pins the benches to what `mandel tune` chose.
pub fn forced_tuning(isa: Isa, precision: Precision) -> Result<Option<(Tuning, TuningSource)>, String> {
    let Some(value) = std::env::var_os(TUNING_ENV) else { return Ok(None) };
    parse_tuning_os(&value, isa, precision)
}

/// [`forced_tuning`] on the variable's raw value. One that is not UTF-8 names no tuning: it is refused
/// as any other bad value is (as `MANDEL_C_TUNING` refuses it), not taken for unset, which would
/// calibrate instead of running what the user asked for.
pub fn parse_tuning_os(
    value: &OsStr,
    isa: Isa,
    precision: Precision,
) -> Result<Option<(Tuning, TuningSource)>, String> {
    match value.to_str() {
        Some(value) => parse_tuning(value, isa, precision),
        None => Err(not_valid(&value.to_string_lossy(), isa)),
    }
}

/// The error for a `MANDEL_TUNING` that names no tuning: the variable, the value, and what path `isa`
/// accepts (its own tunings: a narrow path's list is not the wide paths').
fn not_valid(value: &str, isa: Isa) -> String {
    format!(
        "{TUNING_ENV}={value:?} is not valid; accepted: default, {} (the {} path's tunings), or per precision as \
         f32:NAME,f64:NAME (no spaces)",
        Tuning::candidates(isa).iter().map(|t| t.name()).collect::<Vec<_>>().join(", "),
        isa.name()
    )
}

/// [`forced_tuning`] on a given value, for path `isa` as it runs ([`selected_isa`]'s, resolved).
///
/// A tuning that `isa` does not build ([`Tuning::candidates`]: the narrow paths build one) is refused
/// with an error naming the variable and the path, as `MANDEL_C_TUNING` refuses a tuning its path does
/// not build: reporting it as forced would record a tuning that never ran, and quietly reporting the
/// path's own instead would hide that the value asked for something else. A precision named twice
/// (`f32:v4k8,f32:v8k8`) is refused too, rather than one of the two silently winning.
pub fn parse_tuning(value: &str, isa: Isa, precision: Precision) -> Result<Option<(Tuning, TuningSource)>, String> {
    let accepted = || not_valid(value, isa);
    let one = |name: &str| -> Result<(Tuning, TuningSource), String> {
        let built = Tuning::candidates(isa);
        // Every path's names, so that one another path builds (the narrow paths' v2k8 is not among
        // TUNINGS) is refused as not this path's, with what this one accepts. Read by the rule
        // MANDEL_C_TUNING is read by (mandel_core::parse_tuning_name).
        let known: Vec<Tuning> = Isa::ALL.iter().flat_map(|&i| Tuning::candidates(i)).chain(TUNINGS).copied().collect();
        let tuning = match mandel_core::parse_tuning_name(name, &known, Tuning::name).ok_or_else(accepted)? {
            TuningName::Default => return Ok((Tuning::default_for(isa), TuningSource::Default)),
            TuningName::Named(tuning) => tuning,
        };
        if !built.contains(&tuning) {
            let names: Vec<String> = built.iter().map(|t| t.name()).collect();
            return Err(format!(
                "{TUNING_ENV}={value:?}: {tuning} is not a tuning of the {} path, which builds only {} \
                 (accepted there: default, {})",
                isa.name(),
                names.join(", "),
                names.join(", ")
            ));
        }
        Ok((tuning, TuningSource::Forced))
    };
    // As written: surrounding whitespace, around the value or its parts, is refused
    // (mandel_core::parse_isa's rule).
    if value.is_empty() {
        return Ok(None);
    }
    if !value.contains(':') {
        return one(value).map(Some);
    }
    let mut found = None;
    let mut named = Vec::new();
    for part in value.split(',') {
        let (p, name) = part.split_once(':').ok_or_else(accepted)?;
        let p = match p.to_ascii_lowercase().as_str() {
            "f32" => Precision::F32,
            "f64" => Precision::F64,
            _ => return Err(accepted()),
        };
        if named.contains(&p) {
            return Err(format!("{TUNING_ENV}={value:?} names {} twice; name each precision at most once", p.as_str()));
        }
        named.push(p);
        let t = one(name)?;
        if p == precision {
            found = Some(t);
        }
    }
    Ok(found)
}

/// Both precisions' `MANDEL_TUNING`, checked (for the entry points' environment checks).
pub fn check_tuning_env(isa: Isa) -> Result<(), String> {
    forced_tuning(isa, Precision::F32)?;
    forced_tuning(isa, Precision::F64)?;
    Ok(())
}

/// The whole-vector kernel's tuning for one path and precision, and how it was chosen.
#[derive(Debug, Clone, PartialEq)]
pub struct Calibration {
    pub isa: Isa,
    pub precision: Precision,
    pub tuning: Tuning,
    pub source: TuningSource,
    /// Every tuning timed (the fastest of its renders, seconds), in [`TUNINGS`] order; empty unless calibrated.
    pub times: Vec<(Tuning, f64)>,
    /// What was calibrated on: `320x320/200`.
    pub workload: String,
}

/// Time every whole-vector tuning of `isa` (resolved; [`Tuning::candidates`]) in `precision` on
/// `params`, `rounds` renders each, round-robin (so a slow moment of a shared machine hits every
/// candidate alike) after one untimed warm-up render ([`mandel_core::choose::time_round_robin`]), and choose by each one's fastest render, with a tie band that keeps the path's
/// default ([`mandel_core::choose`]).
pub fn calibrate(isa: Isa, precision: Precision, params: &Params, rounds: usize) -> Calibration {
    let isa = isa.resolve();
    let workload = format!("{}x{}/{}", params.width(), params.height(), params.max_iters());
    let candidates = Tuning::candidates(isa);
    if candidates.len() == 1 {
        let tuning = Tuning::default_for(isa);
        return Calibration { isa, precision, tuning, source: TuningSource::Default, times: vec![], workload };
    }
    let mut out = vec![0u32; params.pixels()];
    // Preceded by one untimed render (the buffer's page faults, the process's start: not a tuning's).
    let Ok(times) = mandel_core::choose::time_round_robin(candidates, rounds, |tuning| {
        match precision {
            Precision::F32 => dispatch::render::<f32>(isa, tuning, Variant::WholeVector, params, 0, &mut out, None),
            Precision::F64 => dispatch::render::<f64>(isa, tuning, Variant::WholeVector, params, 0, &mut out, None),
        };
        Ok::<(), std::convert::Infallible>(())
    });
    let tuning = mandel_core::choose::choose(&times, Tuning::default_for(isa));
    Calibration { isa, precision, tuning, source: TuningSource::Calibrated, times, workload }
}

/// The calibration image: the canonical view at a ninth of its pixels.
pub fn calibration_params() -> Params {
    let c = Params::canonical();
    Params::new(320, 320, c.x_range(), c.y_range(), u64::from(c.max_iters())).expect("valid by construction")
}

/// The tuning the `render_*` functions use in `precision` on [`selected_isa`]: `MANDEL_TUNING`'s if it
/// names one, else calibrated at first use (an invalid `MANDEL_TUNING` is reported by the CLI and the
/// benches before any render, see [`forced_tuning`]; here it falls back to calibration). Once per process.
pub fn chosen(precision: Precision) -> &'static Calibration {
    chosen_cell(precision).get_or_init(|| {
        let isa = selected_isa();
        match forced_tuning(isa, precision) {
            Ok(Some((tuning, source))) => {
                Calibration { isa, precision, tuning, source, times: vec![], workload: String::new() }
            }
            _ => calibrate(isa, precision, &calibration_params(), 5),
        }
    })
}

/// Where [`chosen`] keeps each precision's choice.
fn chosen_cell(precision: Precision) -> &'static OnceLock<Calibration> {
    static F32: OnceLock<Calibration> = OnceLock::new();
    static F64: OnceLock<Calibration> = OnceLock::new();
    match precision {
        Precision::F32 => &F32,
        Precision::F64 => &F64,
    }
}

/// Whether this process has made [`chosen`]'s choice for `precision` yet: how the tests check that
/// the timing paths make it before their clocks start (`mandel_core::Kernel::prepare`).
pub fn is_chosen(precision: Precision) -> bool {
    chosen_cell(precision).get().is_some()
}

/// [`chosen`]'s tuning.
pub fn tuning(precision: Precision) -> Tuning {
    chosen(precision).tuning
}
