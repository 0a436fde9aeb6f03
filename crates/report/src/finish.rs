//! `mandel-report finish`: the merge's second half. The scripts (`ladderlib/merge.py`) read and check the
//! inputs; one request here builds a row per rung from them ([`crate::build`]), finishes the rows
//! ([`crate::rows`]: rates, speedups, shares, the rows not compared with their native rows), writes the
//! summary's notes ([`crate::notes`] and the notes on those rows), so that the rows the notes describe are
//! the rows summary.json holds, makes the like-for-like groups ([`crate::groups`]) and says what a row's
//! time is, for the summary's settings (the rules' own words: [`crate::rounds::ROUND_TIME`],
//! [`build::python_time`]). One subcommand, not
//! `rows` and `notes`: the notes read the finished rows and what building and finishing them found.

use crate::build::{self, Inputs};
use crate::groups::{self, Grouped};
use crate::notes::{self, Peak};
use crate::pyjson::Py;
use crate::pyvalue::{Ordered, py_str, truthy};
use crate::rounds;
use crate::rows::{self, Rates};
use crate::speed;
use crate::tunings;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::BTreeSet;

/// The request's and the answer's `schema`: a binary and scripts of different versions refuse each other.
pub const SCHEMA: &str = "mandel-report-finish/7";

/// What `mandel-report finish` reads: the inputs the rows are built from, those the rules read, and the
/// notes' part.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Request {
    /// [`SCHEMA`].
    pub schema: String,
    /// The registry, the verification rows, the results, the Python baselines' rungs and how a Python
    /// rung's calls are judged: what the rows are built from.
    pub inputs: Inputs,
    /// `mandel peak`'s result as merged (null: none).
    pub peak: Option<Value>,
    /// The tunings the extension ran, as the baselines record them (either record: [`tunings::extension_pairs`]).
    pub python_tunings: Py,
    /// The machine's ISA flags (`asimd`: an Arm CPU, whose 128-bit path is NEON).
    pub isa_flags: Value,
    pub notes: notes::Request,
}

/// What `mandel-report finish` writes: the rows finished, in order, every note, and the groups.
#[derive(Serialize)]
pub struct Answer {
    /// [`SCHEMA`].
    pub schema: &'static str,
    pub rows: Vec<Ordered>,
    pub notes: Vec<String>,
    /// What a Rust row's time is, for the summary's settings (`rounds.round_time`): a round's
    /// [`rounds::ROUND_TIME`], where the kernels were timed in rounds (null: by Criterion).
    pub round_time: Option<&'static str>,
    /// What a Python row's time is, for the summary's settings ([`build::python_time`]; null: none said).
    pub python_time: Option<String>,
    /// The like-for-like groups of the finished rows ([`groups::like_for_like`]).
    pub groups: Vec<Grouped>,
}

fn parse<T: serde::de::DeserializeOwned>(v: Value, what: &str) -> Result<T, String> {
    serde_json::from_value(v).map_err(|e| format!("the finish request's {what}: {e}"))
}

/// The rows finished and the notes, the merge's own (not compared, not in the registry) among them.
pub fn finish(mut req: Request) -> Result<Answer, String> {
    // The settings say how the Rust rows were timed: in rounds (with the tunings they ran), else by Criterion.
    let rounds = req.notes.settings.others.get("rounds").filter(|r| truthy(r)).cloned();
    req.inputs.timed_in_rounds = rounds.is_some();
    let rust_tunings: Option<Vec<(String, String)>> =
        match rounds.as_ref().and_then(|r| r.get("tunings")).filter(|t| !t.is_null()) {
            Some(t) => Some(parse(t.clone(), "settings' rounds.tunings")?),
            None => None,
        };
    let python_params = req.notes.settings.others.get("python_params").cloned().unwrap_or_default();
    req.notes.python_problem = crate::machine::problem_label(&parse(python_params, "python_params")?);
    let built = build::build(&req.inputs, &req.notes.python_problem)?;
    let mut rows = built.rows;
    let rates: Option<Rates> = req.peak.clone().map(|p| parse(p, "peak")).transpose()?;
    let peak: Option<Peak> = req.peak.map(|p| parse(p, "peak")).transpose()?;
    let registry = req.inputs.registry.as_deref().unwrap_or_default();
    let one_lane: BTreeSet<&str> = registry
        .iter()
        .filter(|k| k.get("one_lane").is_some_and(truthy))
        .filter_map(|k| k.get("name")?.as_str())
        .collect();
    rows::add_rates(&mut rows, rates.as_ref(), &one_lane, &req.inputs.verify)?;
    rows::add_speedups(&mut rows, build::PURE_PYTHON);
    let other_isa = rows::blank_other_isa(&mut rows, &built.recorded_isa);
    let skip: BTreeSet<String> = other_isa.iter().map(|(name, _, _)| name.clone()).collect();
    let (rust, python) = (rust_tunings.unwrap_or_default(), tunings::extension_pairs(&req.python_tunings));
    let tuning = rows::blank_other_tuning(&mut rows, &rust, &python, &skip);
    let arm = match &req.isa_flags {
        Value::Array(flags) => flags.iter().any(|f| f == "asimd"),
        _ => false,
    };
    let other_width = rows::mark_other_width(&mut rows, arm);
    let typed: Vec<notes::Row> = rows
        .iter()
        .map(|r| parse(serde_json::to_value(r).map_err(|e| e.to_string())?, "rows"))
        .collect::<Result<_, _>>()?;
    let values: Vec<Value> =
        rows.iter().map(serde_json::to_value).collect::<Result<_, _>>().map_err(|e| e.to_string())?;
    req.notes.speed_note = speed::speed_note(&values, "Rust rounds");
    req.notes.have_registry = req.inputs.registry.is_some();
    req.notes.have_baselines = req.inputs.baselines.is_some();
    let mut out = notes::notes(&req.notes, &typed, peak.as_ref(), tuning.differs)?;
    let recorded = |v: &Value| if truthy(v) { py_str(v) } else { "ISA not recorded".into() };
    if !other_isa.is_empty() {
        let each: Vec<String> = other_isa
            .iter()
            .map(|(n, ours, native)| format!("{n} ({} against {})", recorded(ours), recorded(native)))
            .collect();
        out.push(format!(
            "Not compared with their native rows (no vs previous, no share of the step ceiling or FMA peak): {}. \
             Through Python they took another instruction-set path than the native row of their kernel (or one of \
             the two paths is not recorded): the ratio would mix the boundary's cost with the path's, and the \
             ceiling, the peak and the lane-iterations were measured on the native row's path.",
            each.join(", ")
        ));
    }
    if !tuning.blanked.is_empty() {
        let each: Vec<String> = tuning
            .blanked
            .iter()
            .map(|(n, family, py, rust)| format!("{n} ({family}: {py} through Python, {rust} in the Rust rows)"))
            .collect();
        out.push(format!(
            "Not compared with their native rows (no vs previous, no lane-iterations, no share of the FMA peak): {}. \
             Through Python the kernel ran another tuning than its Rust row: the ratio would mix the boundary's \
             cost with the tuning's, and the lane-iterations were counted on the Rust row's tuning.",
            each.join(", ")
        ));
    }
    if !tuning.unknown.is_empty() {
        out.push(format!(
            "The tuning of {} is unknown: their baselines file predates run.py recording the tunings the extension \
             ran (extension_tunings), or the Rust rounds record none (timed by Criterion) or more than one \
             (unpinned, each process calibrated its own). Their 'vs previous' and lane-iterations (counted on the \
             Rust rows' tuning) hold only if the extension ran the Rust rows' tuning, which the files cannot show; \
             rerun the ladder to know.",
            tuning.unknown.join(", ")
        ));
    }
    if !other_width.is_empty() {
        let each: Vec<String> = other_width
            .iter()
            .map(|(n, bits, paths)| format!("{n} ({bits}-bit vectors against {})", paths.join("/")))
            .collect();
        out.push(format!(
            "Not on the Rust and C rows' SIMD path: {}. Mojo compiles for the host CPU and ignores MANDEL_ISA, so \
             where the run forced another path (or the build lacks the host's widest) they ran another vector width \
             than the rows they are ranked with in the like-for-like groups: the gap there is partly the width's.",
            each.join(", ")
        ));
    }
    if !built.unlisted.is_empty() {
        out.insert(
            0,
            format!(
                "Timed or verified but not in the registry: {} (kept, after the registry's kernels).",
                built.unlisted.join(", ")
            ),
        );
    }
    let groups = groups::like_for_like(&values, &req.isa_flags);
    // what a row's time is, in the words of the rule that makes it (compare refuses to judge runs whose rules differ)
    let round_time = req.inputs.timed_in_rounds.then_some(rounds::ROUND_TIME);
    let python_time = build::python_time(&req.inputs);
    Ok(Answer { schema: SCHEMA, rows, notes: out, round_time, python_time, groups })
}

/// `mandel-report finish`: the request (JSON) in, the answer (JSON) out.
pub fn answer(request: &str) -> Result<String, String> {
    let req: Request = crate::parse_request(request, "the finish request", SCHEMA, |r: &Request| &r.schema)?;
    serde_json::to_string(&finish(req)?).map_err(|e| format!("the finished rows: {e}"))
}
