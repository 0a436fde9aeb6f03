//! `mandel-report check`: every input the ladder, the merge, `scripts/compare` and `scripts/ab` read
//! (scripts/ab, Rust itself, calls the checks directly: [`shape`], [`check_round`], [`check_rounds`]),
//! checked before use, so that a bad field is a message naming the file and the field (the scripts'
//! `InputError`, exit 2), never a KeyError or a wrong row. One checker, here: the files are Rust's
//! (`mandel describe`, `bench`, `tune`, `peak`, `sweep`, `render` print them; crates/report reads the
//! summaries they become), and a rule said once cannot drift from a copy of it. Python keeps reading the
//! bytes (`readers.load_json`: unreadable, not UTF-8, not JSON, a FIFO) and sends what `json.loads` made
//! of them ([`crate::pyjson`]: NaN, an int of any size, a lone surrogate, as the scripts' messages print
//! them); a refusal comes back as its message, which the scripts raise, word for word what they said
//! when the checker was theirs. scripts/compare, Rust itself, reads its summaries as `load_json` did
//! ([`crate::pyloads`]) and calls [`run`].
//!
//! Each file's shape is a [`Spec`] (`schemas`), read by [`check`]: an object's fields (a key required
//! unless `opt`; `null`: required, may be null), a list of one spec, [`Items`] (a list of named
//! items), the values allowed, a [`Scalar`], or a [`Rule`] of its own. What a shape cannot say (the
//! tolerance rule, intervals in order, the canonical problem, the speedups and round times a summary
//! claims) is checked by the rules after the schemas. Every time is a finite number of seconds above 0.

use crate::pyfmt;
use crate::pyjson::{self, Int, Py, PyStr};
use crate::pymath;
use crate::tunings::{tuning_text, tunings_pinned};
use crate::{machine, peaks, rounds, tunings};
use serde::{Deserialize, Serialize};
use std::cmp::Ordering;

/// The request's and the answer's `schema`: a binary and scripts of different versions refuse each other.
pub const SCHEMA: &str = "mandel-report-check/7";

/// What `mandel-report check` reads: checks, made in order, the first refusal ending them.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Request {
    /// [`SCHEMA`].
    pub schema: String,
    pub checks: Vec<Check>,
}

/// One check: what readers.py's function of that name checks (`at`: the words a message names the value
/// by; `path`: the file, or what the value came from).
#[derive(Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Check {
    /// `readers.check`: a value of a named [`Shape`], its keys joined to `at` by `join`.
    Shape { shape: Shape, value: Py, path: PyStr, at: PyStr, join: Join },
    /// `check_round`: one `mandel bench --round N --json`.
    Round { value: Py, path: PyStr, at: PyStr },
    /// raw/rounds.json: its rounds, each a round of one run (`check_rounds`), read as the merge takes them
    /// ([`rounds::read`]).
    Rounds { value: Py, path: PyStr },
    /// raw/records.json (`read_records`): its verification rows and Criterion ids by kernel.
    Records { value: Py, path: PyStr },
    /// run.py's baselines (`check_baselines`).
    Baselines { value: Py, path: PyStr },
    /// A summary (`check_summary`).
    Summary { value: Py, path: PyStr },
    /// One Criterion benchmark's `new/` folder (`read_criterion_bench`): the files read, in order (one the
    /// scripts could not read, and those after it, absent); `kernel`, the one the records say.
    Criterion { estimates: File, benchmark: Option<File>, sample: Option<File>, kernel: Py, dir: PyStr },
    /// What the merge is given in memory (`check_inputs`).
    Inputs { registry: Py, verify: Py, criterion: Py, baselines: Py, peak: Py },
    /// The Python baselines' `pyo3-<kernel>` rungs against the registry's kernels (`check_inputs`, after
    /// `inputs`; `source`, the baselines' name in messages; `foreign`, baselines from another machine).
    Wrapped { registry: Py, verify: Py, criterion: Py, baselines: Py, source: PyStr, foreign: bool },
    /// The tuned families the registry's kernels run that the tune rows `rows` chose none for, the
    /// variables in `user_set` left to the user (`ladder.not_reusable`): [`tunings::unchosen`] answered.
    Unchosen { registry: Py, rows: Py, user_set: Vec<String> },
    /// A sweep (`mandel sweep --json`) or the large image (`mandel render --json`) `what` printed.
    Sweep { value: Py, what: PyStr, large: bool },
    /// The tuning variables ([`tunings::TUNINGS`], `readers.tunings`): nothing checked, the table answered.
    Tunings,
    /// What tune rows from `source` pin (`readers.tuning_pins`): [`tunings::pins`] answered.
    Pins { rows: Py, source: PyStr },
    /// The tie band tune rows were chosen with (`readers.tie_band`): the rows (null: none) checked as the
    /// merge's, [`tunings::tie_band`] answered.
    TieBand { rows: Py },
    /// Two peaks of one run combined (`readers.combine_peaks`): each of a peak's shape, [`peaks::combine`]
    /// answered; `when`, when `after` was measured.
    Peaks { before: Py, after: Py, when: PyStr },
    /// This machine's CPU (`machine.describe`), from the cpuinfo file at `cpuinfo` (none there: none
    /// known): [`machine::cpu`] answered.
    Cpu { cpuinfo: PyStr },
    /// The results folder name of a machine description (`machine.machine_id`): [`machine::machine_id`].
    MachineId { machine: Py },
    /// Why one machine description is not of another (`machine.other_machine`): [`machine::other_machine`].
    OtherMachine { theirs: Py, here: Py },
    /// Why Python baselines are not of this machine and problem (`merge.foreign`): [`machine::foreign`].
    Foreign { baselines: Py, here: Py },
    /// One folder name, a baseline's or a machine id (`baseline.check_folder_name`): [`machine::folder_name`].
    FolderName { name: PyStr, what: PyStr },
    /// The rounds `--rounds` asks for (`scripts/ladder`): from [`rounds::MIN_ROUNDS`] to [`rounds::MAX_ROUNDS`].
    RoundCount { rounds: Py },
    /// Why `folder`/tuning.json is not the machine `here`'s to reuse, or null (`machine.kept_tuning_problem`):
    /// [`machine::kept_tuning_problem`].
    KeptTuning { folder: PyStr, here: Py },
}

/// The shapes the scripts check by name (`readers.check`, `readers.read_describe` and the like).
#[derive(Clone, Copy, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Shape {
    Describe,
    Tune,
    Machine,
    Run,
    Peak,
}

/// A file as read: its path and its value.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct File {
    pub path: PyStr,
    pub value: Py,
}

/// What a Criterion benchmark's files give, in seconds (the scripts take the rest as the files hold it).
#[derive(Serialize)]
pub struct Seconds {
    median_s: f64,
    ci_low_s: f64,
    ci_high_s: f64,
    mean_s: f64,
    samples: Option<usize>,
    min_s: Option<f64>,
    max_s: Option<f64>,
}

/// What a check found besides its file passing: a Criterion benchmark's [`Seconds`], or the values the
/// scripts take from a file it read (the rounds', the records'; what tune rows pin, two peaks combined)
/// or ask of this crate (the tuning variables), as Python values ([`Py`]).
#[derive(Serialize)]
#[serde(untagged)]
pub enum Found {
    Seconds(Seconds),
    Read(Py),
}

/// The answer: each check's result (null, or what it [`Found`]), or the first refusal.
#[derive(Serialize)]
pub struct Answer {
    /// [`SCHEMA`].
    pub schema: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub results: Option<Vec<Option<Found>>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub refused: Option<String>,
}

/// `mandel-report check`: the request's JSON in, the answer's out. A refusal is an answer; an error is a
/// request that is not one.
pub fn answer(text: &str) -> Result<String, String> {
    let req: Request = crate::parse_request(text, "the check request", SCHEMA, |r: &Request| &r.schema)?;
    let answer = match req.checks.iter().map(run).collect::<Result<Vec<_>, _>>() {
        Ok(results) => Answer { schema: SCHEMA, results: Some(results), refused: None },
        Err(message) => Answer { schema: SCHEMA, results: None, refused: Some(message) },
    };
    serde_json::to_string(&answer).map_err(|e| e.to_string())
}

/// One check: its result, or the refusal.
pub fn run(c: &Check) -> Result<Option<Found>, String> {
    let read = |found: Py| Ok(Some(Found::Read(found)));
    match c {
        Check::Shape { shape, value, path, at, join } => self::shape(value, *shape, &path.text, &at.text, *join),
        Check::Round { value, path, at } => check_round(value, &path.text, &at.text),
        Check::Rounds { value, path } => {
            check_rounds(value, &path.text)?;
            return read(rounds::read(value, path));
        }
        Check::Records { value, path } => {
            check_records(value, &path.text)?;
            return read(records(value, path));
        }
        Check::Baselines { value, path } => check_baselines(value, &path.text),
        Check::Summary { value, path } => check_summary(value, &path.text),
        Check::Criterion { estimates, benchmark, sample, kernel, dir } => {
            return Ok(
                criterion(estimates, benchmark.as_ref(), sample.as_ref(), kernel, &dir.text)?.map(Found::Seconds)
            );
        }
        Check::Inputs { registry, verify, criterion, baselines, peak } => {
            check_inputs(registry, verify, criterion, baselines, peak)
        }
        Check::Wrapped { registry, verify, criterion, baselines, source, foreign } => {
            wrapped(registry, [verify, criterion], baselines, &source.text, *foreign)
        }
        Check::Unchosen { registry, rows, user_set } => {
            let missing = tunings::unchosen(registry.items(), rows.items(), user_set);
            return read(Py::List(missing.iter().map(|f| Py::Str(f.as_str().into())).collect()));
        }
        Check::Sweep { value, what, large } => check_sweep(value, &what.text, *large),
        Check::Tunings => return read(tunings::table()),
        Check::Pins { rows, source } => {
            let pins = tunings::pins(rows, &source.text)?;
            let pair =
                |(var, value): (&str, String)| Py::List(vec![Py::Str(var.into()), Py::Str(value.as_str().into())]);
            return read(Py::List(pins.into_iter().map(pair).collect()));
        }
        Check::TieBand { rows } => {
            if !rows.is_none() {
                check(rows, &TUNE, "`mandel tune --json`", "the tune rows", Join::Field)?;
            }
            return read(tunings::tie_band(rows.items()));
        }
        Check::Peaks { before, after, when } => {
            let names = ["the peak so far".to_string(), format!("`mandel peak` {when}")];
            // their shape (what is combined), not the rules between a file's measurements: `before` may be
            // peaks combined already, which the merge checks as the peak file
            check(before, &PEAK, &names[0], "the peak", Join::Root)?;
            check(after, &PEAK, &names[1], "the peak", Join::Root)?;
            return read(peaks::combine(before, after, when, [&names[0], &names[1]])?);
        }
        Check::Cpu { cpuinfo } => {
            let text = std::fs::read(&cpuinfo.text).map(|b| String::from_utf8_lossy(&b).into_owned());
            return read(machine::described(&machine::cpu(&text.unwrap_or_default())));
        }
        Check::MachineId { machine } => return read(Py::Str(machine::machine_id(machine).as_str().into())),
        Check::OtherMachine { theirs, here } => return read(texts(&machine::other_machine(theirs, here))),
        Check::Foreign { baselines, here } => return read(texts(&machine::foreign(baselines, here))),
        Check::FolderName { name, what } => machine::folder_name(name, &what.text),
        Check::RoundCount { rounds } => {
            let range = rounds::MIN_ROUNDS..=rounds::MAX_ROUNDS;
            if !rounds.int().and_then(|n| n.to_u64()).is_some_and(|n| range.contains(&(n as usize))) {
                return Err(format!(
                    "--rounds {}: from {} to {} (a median of fewer rounds does not pass over contention)",
                    rounds.str(),
                    range.start(),
                    range.end()
                ));
            }
            Ok(())
        }
        Check::KeptTuning { folder, here } => {
            let why = machine::kept_tuning_problem(std::path::Path::new(&folder.text), here);
            return read(why.map_or(Py::None, |why| Py::Str(why.as_str().into())));
        }
    }
    .map(|()| None)
}

/// Lines of text, as the scripts take them.
fn texts(lines: &[String]) -> Py {
    Py::List(lines.iter().map(|r| Py::Str(r.as_str().into())).collect())
}

/// `readers.check`: Ok if `value` is of `shape`, else the message naming `path` and the field.
pub fn shape(value: &Py, shape: Shape, path: &str, at: &str, join: Join) -> Checked {
    let spec = match shape {
        Shape::Describe => DESCRIBE,
        Shape::Tune => TUNE,
        Shape::Machine => Spec::Obj(&[MACHINE]),
        Shape::Run => RUN,
        Shape::Peak => Spec::Rule(peak),
    };
    check(value, &spec, path, at, join)
}

// --- the checker -----------------------------------------------------------------------------------

/// Ok, or the message: `{path}: {at} ...`.
pub type Checked = Result<(), String>;

/// `return Err(format!(...))`: a refusal, in the words of its message.
macro_rules! refuse {
    ($($message:tt)*) => {
        return Err(format!($($message)*))
    };
}

/// A rule of its own: (value, path, at).
pub type Rule = fn(&Py, &str, &str) -> Checked;

/// A value's shape.
#[derive(Clone, Copy)]
pub enum Spec {
    Is(Scalar),
    /// One of these values, of its type.
    OneOf(&'static [Lit]),
    /// An object: its fields, in order, from one or more parts (readers.py's `{**A, **B}`).
    Obj(&'static [Fields]),
    /// A list, each item of this spec.
    List(&'static Spec),
    Items(&'static Items),
    Rule(Rule),
}

pub type Fields = &'static [(&'static str, Field)];

#[derive(Clone, Copy)]
pub struct Field {
    spec: Spec,
    presence: Presence,
}

#[derive(Clone, Copy, PartialEq)]
enum Presence {
    Required,
    /// Required, may be null ("|null").
    Nullable,
    /// May be absent or null ("?").
    Optional,
}

const fn req(key: &'static str, spec: Spec) -> (&'static str, Field) {
    (key, Field { spec, presence: Presence::Required })
}

const fn null(key: &'static str, spec: Spec) -> (&'static str, Field) {
    (key, Field { spec, presence: Presence::Nullable })
}

const fn opt(key: &'static str, spec: Spec) -> (&'static str, Field) {
    (key, Field { spec, presence: Presence::Optional })
}

/// A list of named items, each named in messages `label 'name'` (else `label #index`).
pub struct Items {
    label: &'static str,
    spec: Spec,
    unique: bool,
    nonempty: bool,
}

/// A value allowed: a string or an int.
#[derive(Clone, Copy)]
pub enum Lit {
    Str(&'static str),
    Int(i64),
}

impl Lit {
    fn matches(self, v: &Py) -> bool {
        match (self, v) {
            (Lit::Str(s), Py::Str(t)) => *t == PyStr::from(s),
            (Lit::Int(n), Py::Int(i)) => *i == Int::from(n),
            _ => false,
        }
    }
    fn repr(self) -> String {
        match self {
            Lit::Str(s) => Py::Str(s.into()).repr(),
            Lit::Int(n) => n.to_string(),
        }
    }
}

/// How a key joins `at`: alone (a file's top level), after a space (`rung 'x' key`), after a dot.
#[derive(Clone, Copy, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Join {
    Root,
    Item,
    Field,
}

/// A time outside these is no measurement of a render (a timer's tick, a unit mistaken, a hung run), and
/// log scales, ratios and 1/time^2 weights then meet denormals or overflow.
pub const MIN_TIME_S: f64 = 1e-12;
const MAX_TIME_S: f64 = 1e6;

/// The scalar types.
#[derive(Clone, Copy)]
pub enum Scalar {
    Count,
    Int1,
    Num,
    Num0,
    Seconds,
    Pos,
    Rate,
    Frac,
    Bool,
    /// No control characters at all, not blank.
    Name,
    /// A label or a note: tab and newline allowed.
    Text,
    Obj,
}

impl Scalar {
    fn ok(self, v: &Py) -> bool {
        let at_least = |x: f64| matches!(v.cmp_num(&Py::Float(x)), Some(Ordering::Greater | Ordering::Equal));
        let at_most = |x: f64| matches!(v.cmp_num(&Py::Float(x)), Some(Ordering::Less | Ordering::Equal));
        match self {
            Scalar::Count => v.int().is_some_and(|i| !i.is_negative()),
            Scalar::Int1 => v.int().is_some_and(|i| !i.is_negative() && !i.is_zero()),
            Scalar::Num => real(v),
            Scalar::Num0 => real(v) && at_least(0.0),
            Scalar::Seconds => real(v) && at_least(MIN_TIME_S) && at_most(MAX_TIME_S),
            Scalar::Pos | Scalar::Rate => real(v) && v.gt(&Py::Float(0.0)),
            Scalar::Frac => real(v) && at_least(0.0) && at_most(1.0),
            Scalar::Bool => matches!(v, Py::Bool(_)),
            Scalar::Name => v.as_str().is_some_and(|s| !py_strip(s).is_empty() && clean(s, "")),
            Scalar::Text => v.as_str().is_some_and(|s| clean(s, "\t\n")),
            Scalar::Obj => matches!(v, Py::Dict(_)),
        }
    }

    fn what(self) -> &'static str {
        match self {
            Scalar::Count => "a whole number, 0 or more",
            Scalar::Int1 => "a whole number, 1 or more",
            Scalar::Num => "a finite number",
            Scalar::Num0 => "a finite number, 0 or more",
            Scalar::Seconds => "a time in seconds from 1e-12 to 1e+06",
            Scalar::Pos => "a positive, finite number",
            Scalar::Rate => "a positive, finite rate",
            Scalar::Frac => "a fraction from 0 to 1",
            Scalar::Bool => "true or false",
            Scalar::Name => "a non-empty string without control characters",
            Scalar::Text => "a string without control characters",
            Scalar::Obj => "a JSON object",
        }
    }
}

/// A finite number, not a bool; an int too large for a float is none (every reader makes it one).
fn real(v: &Py) -> bool {
    match v {
        Py::Int(i) => i.to_f64().is_some(),
        Py::Float(x) => x.is_finite(),
        _ => false,
    }
}

/// No control character (Unicode's Cc) but those `allowed`.
fn clean(s: &str, allowed: &str) -> bool {
    !s.chars().any(|c| c.is_control() && !allowed.contains(c))
}

/// `s.strip()` ([`crate::table::python_space`]).
pub(crate) fn py_strip(s: &str) -> &str {
    s.trim_matches(crate::table::python_space)
}

/// Ok if `v` is what `spec` describes, else `{path}: {at} ...`.
pub fn check(v: &Py, spec: &Spec, path: &str, at: &str, join: Join) -> Checked {
    let fail = |what: String| Err(format!("{path}: {at} {what}"));
    match spec {
        Spec::Is(scalar) if !scalar.ok(v) => fail(format!("should be {}, found {}", scalar.what(), v.repr())),
        Spec::Is(_) => Ok(()),
        Spec::OneOf(values) if !values.iter().any(|l| l.matches(v)) => {
            let expected: Vec<String> = values.iter().map(|l| l.repr()).collect();
            fail(format!("is {}, expected {}", v.repr(), expected.join(" or ")))
        }
        Spec::OneOf(_) => Ok(()),
        Spec::Obj(parts) => {
            if !matches!(v, Py::Dict(_)) {
                return fail(format!("should be a JSON object, found {}", v.type_name()));
            }
            let fields = || parts.iter().flat_map(|part| part.iter());
            let missing: Vec<&str> =
                fields().filter(|(k, f)| f.presence != Presence::Optional && !v.has(k)).map(|(k, _)| *k).collect();
            if !missing.is_empty() {
                return fail(format!("lacks key(s) {}", missing.join(", ")));
            }
            for (key, field) in fields() {
                let value = v.get(key);
                if value.is_none() && field.presence != Presence::Required {
                    continue;
                }
                let at = match join {
                    Join::Root => key.to_string(),
                    Join::Item => format!("{at} {key}"),
                    Join::Field => format!("{at}.{key}"),
                };
                check(value, &field.spec, path, &at, Join::Field)?;
            }
            Ok(())
        }
        Spec::List(_) | Spec::Items(_) if !matches!(v, Py::List(_)) => {
            fail(format!("should be a list, found {}", v.repr()))
        }
        Spec::List(item) => {
            v.items().iter().enumerate().try_for_each(|(i, x)| check(x, item, path, &format!("{at}[{i}]"), Join::Field))
        }
        Spec::Items(items) => {
            if items.nonempty && v.items().is_empty() {
                return fail("should be a non-empty list".into());
            }
            let mut seen: Vec<&Py> = Vec::new();
            for (i, item) in v.items().iter().enumerate() {
                let name = item.get("name");
                let at = match name {
                    Py::Str(s) => format!("{} {}", items.label, s.repr()),
                    _ => format!("{} #{i}", items.label),
                };
                check(item, &items.spec, path, &at, Join::Item)?;
                if items.unique && seen.iter().any(|s| s.py_eq(name)) {
                    refuse!("{path}: {} appears twice", name.repr());
                }
                seen.push(name);
            }
            Ok(())
        }
        Spec::Rule(rule) => rule(v, path, at),
    }
}

/// The bounds of an interval, in order where given.
fn ordered(obj: &Py, keys: &[&str], path: &str, at: &str) -> Checked {
    let given: Vec<(&str, &Py)> = keys.iter().map(|k| (*k, obj.get(k))).filter(|(_, v)| !v.is_none()).collect();
    for pair in given.windows(2) {
        let ((k1, low), (k2, high)) = (pair[0], pair[1]);
        if low.gt(high) {
            let (at, low, high) =
                (if at.is_empty() { String::new() } else { format!("{at} ") }, low.repr(), high.repr());
            refuse!("{path}: {at}{k1} ({low}) is above {k2} ({high})");
        }
    }
    Ok(())
}

// --- the schemas -----------------------------------------------------------------------------------

#[rustfmt::skip]
mod schemas;
use schemas::*;

// The tuning variables (crates/report/src/tunings.rs) and the peak's rates (peaks.rs), which the schemas name.
use peaks::{RATES, STEP_KEYS};
use tunings::TUNINGS;

// --- the rules a shape cannot say ------------------------------------------------------------------

/// The canonical problem (`Params::canonical()`), as a dict of its parameters.
pub(crate) fn canonical_params() -> Py {
    let p = mandel_core::Params::canonical();
    let (int, float) = (|n: u64| Py::Int(Int::from_u128(n.into())), Py::Float);
    let (x, y) = (p.x_range(), p.y_range());
    let entries = [
        ("width", int(p.width() as u64)),
        ("height", int(p.height() as u64)),
        ("x_min", float(x.0)),
        ("x_max", float(x.1)),
        ("y_min", float(y.0)),
        ("y_max", float(y.1)),
        ("max_iters", int(p.max_iters().into())),
    ];
    Py::Dict(entries.into_iter().map(|(k, v)| (k.into(), v)).collect())
}

/// Its pixels.
fn canonical_pixels() -> Int {
    Int::from_u128(mandel_core::Params::canonical().pixels() as u128)
}

fn canonical(v: &Py, path: &str, at: &str) -> Checked {
    check(v, &Spec::Obj(&[PARAMS]), path, at, Join::Field)?;
    let canonical = canonical_params();
    if canonical.entries().iter().any(|(k, c)| !v.get(&k.text).py_eq(c)) {
        let (v, canonical) = (v.str(), canonical.str());
        refuse!("{path}: {at} is {v}, not the canonical problem {canonical} the ladder merges");
    }
    Ok(())
}

/// A [name, value] pair: a round's [family, "TUNING (source)"] (`second` "tuning"), `mandel tune`'s
/// [tuning, seconds] ("seconds").
fn pair(v: &Py, path: &str, at: &str, second: &str) -> Checked {
    let [name @ Py::Str(_), value] = v.items() else {
        refuse!("{path}: {at} should be a [name, {second}] pair, found {}", v.repr());
    };
    check(name, &NAME, path, at, Join::Field)?;
    let at = format!("{at} {}", name.repr());
    check(value, if second == "seconds" { &S } else { &TEXT }, path, &at, Join::Field)?;
    if second == "tuning" && !tuning_text(value.as_str().unwrap_or_default()) {
        refuse!("{path}: {at} should be a tuning and its source, such as 'v4k8 (forced)', found {}", value.repr());
    }
    Ok(())
}

/// run.py's `extension_tunings`: [family, "TUNING (source)"] pairs, as a round records them; or, in files
/// written before that (2026-12-03), each tuning variable as the extension read it (null: unset).
fn extension_tunings(v: &Py, path: &str, at: &str) -> Checked {
    if matches!(v, Py::List(_)) {
        return check(v, &TUNING_PAIRS, path, at, Join::Field);
    }
    check(v, &TUNING_VARIABLES, path, at, Join::Field)?;
    let mut extra: Vec<&str> = v.entries().iter().map(|(k, _)| k.text.as_str()).collect();
    extra.retain(|k| !TUNINGS.iter().any(|t| t.variable == *k));
    if !extra.is_empty() {
        extra.sort();
        let (extra, (simd, c)) = (extra.join(", "), (TUNINGS[0].variable, TUNINGS[1].variable));
        refuse!("{path}: {at} has {extra}: only {simd}, {c} are recorded");
    }
    for var in TUNINGS.map(|t| t.variable) {
        if v.get(var).as_str().is_some_and(|value| tunings_pinned(var, value).is_none()) {
            let value = v.get(var).repr();
            refuse!(
                "{path}: {at}.{var} is {value}, which names no tuning (accepted: a tuning such as v4k8, default, and \
                 for MANDEL_TUNING f32:NAME,f64:NAME)"
            );
        }
    }
    Ok(())
}

/// run.json's record of what the run pinned `var` to: {value, source}, the value one the kernels read.
fn tuning_record(var: &str, v: &Py, path: &str, at: &str) -> Checked {
    check(v, &TUNING_RECORD, path, at, Join::Field)?;
    if tunings_pinned(var, v.get("value").as_str().unwrap_or_default()).is_none() {
        refuse!("{path}: {at}.value is {}, which names no tuning {var} takes", v.get("value").repr());
    }
    Ok(())
}

/// A Rust kernel's name: a name, and not one of the extension's rows (`pyo3-<kernel>`), which the merge
/// would take it for (its own `previous`, blanked as if on another path).
fn kernel_name(v: &Py, path: &str, at: &str) -> Checked {
    check(v, &NAME, path, at, Join::Field)?;
    if crate::build::wrapped_kernel(v.as_str().unwrap_or_default()).is_some() {
        refuse!(
            "{path}: {at} is {}: pyo3- names the kernels called through the extension, not a Rust kernel",
            v.repr()
        );
    }
    Ok(())
}

fn family_model(v: &Py, path: &str, at: &str) -> Checked {
    check(v, &TEXT, path, at, Join::Field)?;
    if !v.as_str().unwrap_or_default().contains('/') {
        refuse!("{path}: {at} should be FAMILY/MODEL, found {}", v.repr());
    }
    Ok(())
}

/// Settings recorded as they were (the baselines' own): an object of JSON scalars, every number finite,
/// since they are written back into summary.json and shown in summary.md.
fn settings(v: &Py, path: &str, at: &str) -> Checked {
    check(v, &OBJ, path, at, Join::Field)?;
    for (key, value) in v.entries() {
        let scalar = match value {
            Py::None | Py::Bool(_) => true,
            Py::Str(s) => clean(&s.text, ""),
            number => real(number),
        };
        if !scalar {
            let value = value.repr();
            refuse!(
                "{path}: {at}.{key} should be a finite number, a string without control characters, true, false or \
                 null, found {value}"
            );
        }
    }
    Ok(())
}

/// A row's threads: a label (`pool(2)`) or a whole number.
fn threads(v: &Py, path: &str, at: &str) -> Checked {
    if matches!(v, Py::Str(_)) { Ok(()) } else { check(v, &INT1, path, at, Join::Field) }
}

/// The measurements a combined peak (`combine_peaks`) was made of: before and after the benches, and where
/// the Python rows were timed in the same run, after them.
fn measured(v: &Py, path: &str, at: &str) -> Checked {
    if !(matches!(v, Py::List(_)) && (2..=3).contains(&v.items().len())) {
        refuse!("{path}: {at} should list the two or three measurements combined, found {}", v.repr());
    }
    check(v, &MEASUREMENTS, path, at, Join::Field)
}

/// A peak file: its rates, the step ceilings for both precisions or neither, and, where it was measured
/// more than once (`measured`), each rate the highest of its measurements, which each give the same rates.
fn peak(v: &Py, path: &str, at: &str) -> Checked {
    check(v, &PEAK, path, at, Join::Root)?;
    let given = |m: &Py| -> Vec<&str> { STEP_KEYS.iter().copied().filter(|k| !m.get(k).is_none()).collect() };
    let listed = |keys: &[&str]| match keys {
        [] => "none".to_string(),
        keys => Py::List(keys.iter().map(|k| Py::Str((*k).into())).collect()).repr(),
    };
    let steps = given(v);
    if let [one] = steps[..] {
        let other = STEP_KEYS.iter().find(|k| **k != one).expect("two step keys");
        refuse!("{path}: {one} without {other}: one measurement gives the step ceiling of both precisions");
    }
    let measured = v.get("measured").items();
    for (i, m) in measured.iter().enumerate() {
        if given(m) != steps {
            let (has, file) = (listed(&given(m)), listed(&steps));
            refuse!(
                "{path}: measurement #{i} gives the step ceilings {has}, the file {file}: the measurements of one run \
                 give the same rates"
            );
        }
    }
    for key in if measured.is_empty() { vec![] } else { RATES.iter().chain(&steps).copied().collect() } {
        let rates: Vec<Py> = measured.iter().map(|m| m.get(key).clone()).collect();
        let top = pyjson::pick(&rates, Ordering::Greater).expect("measurements");
        if !v.get(key).py_eq(top) {
            let [value, top] = [v.get(key), top].map(|x| pyfmt::g(x.float().unwrap_or(f64::NAN), 6));
            refuse!(
                "{path}: {key} is {value}, not the highest of its measurements ({top}): every share divides by that"
            );
        }
    }
    Ok(())
}

/// A kernel's or rung's tolerance rule: `slack_pixels + floor(max_fraction * pixels)` (mandel_core's
/// `Tolerance::allowed`).
struct Tolerance {
    max_fraction: Py,
    slack_pixels: Py,
}

/// mandel_core's Tolerance::F32, the loosest rule of `Tolerance::of`: a Python rung whose file does not
/// record its rule may allow no more than this.
fn loosest() -> Tolerance {
    let t = mandel_core::Tolerance::F32;
    Tolerance { max_fraction: Py::Float(t.max_fraction), slack_pixels: Py::Int(Int::from_u128(t.slack_pixels as u128)) }
}

/// A registry kernel's rule, where it records one; a rung's (`rung`: its `tolerance` object's keys).
fn tolerance_of(kernel: &Py) -> Option<Tolerance> {
    let (max_fraction, slack_pixels) = (kernel.get("tolerance_max_fraction"), kernel.get("tolerance_slack_pixels"));
    (!max_fraction.is_none() && !slack_pixels.is_none())
        .then(|| Tolerance { max_fraction: max_fraction.clone(), slack_pixels: slack_pixels.clone() })
}

impl Tolerance {
    /// The pixels it allows of `pixels` (checked: whole numbers 0 or more, a fraction from 0 to 1), as
    /// Python computes them (an int fraction exactly, a float one times the pixels made a float); an error
    /// naming `{path}: {at}` for pixels too many for a float (CPython raised OverflowError).
    fn allowed(&self, pixels: &Py, path: &str, at: &str) -> Result<Int, String> {
        let zero = Int::from(0);
        let (n, slack) = (pixels.int().unwrap_or(&zero), self.slack_pixels.int().unwrap_or(&zero));
        let share = match &self.max_fraction {
            Py::Int(whole) => whole.mul(n),
            fraction => match n.to_f64() {
                Some(n) => Int::floor(fraction.float().unwrap_or(0.0) * n),
                None => refuse!("{path}: {at}.pixels is {n}, more than a float holds: no tolerance rule applies to it"),
            },
        };
        Ok(slack.add(&share))
    }
}

/// A verification the merge can trust: `ok` exactly `differing <= allowed`, `pixels` the problem's,
/// `allowed` the tolerance rule's when `tolerance` is known.
fn check_verification(v: &Py, path: &str, at: &str, pixels: Option<&Int>, tolerance: Option<Tolerance>) -> Checked {
    check(v, &Spec::Obj(&[VERIFICATION]), path, at, Join::Field)?;
    let (ok, differing, allowed, n) = (v.get("ok").truthy(), v.get("differing"), v.get("allowed"), v.get("pixels"));
    if differing.is_none() {
        // the output could not be compared (wrong shape): a failure, said so
        if ok {
            refuse!("{path}: {at}.ok is true without a count of differing pixels");
        }
        return Ok(());
    }
    let (d, a, n_) = (differing.str(), allowed.str(), n.str());
    if ok == differing.gt(allowed) {
        refuse!("{path}: {at}.ok is {ok} but {d} pixels differ, {a} allowed: the file contradicts itself");
    }
    if let Some(pixels) = pixels.filter(|p| n.int() != Some(p)) {
        refuse!("{path}: {at}.pixels is {n_}, the problem has {pixels} pixels");
    }
    if let Some(rule) = tolerance {
        let rule_allows = rule.allowed(n, path, at)?;
        if allowed.int() != Some(&rule_allows) {
            refuse!("{path}: {at}.allowed is {a}, the tolerance rule allows {rule_allows} of {n_} pixels");
        }
    }
    if differing.gt(n) {
        refuse!("{path}: {at}.differing ({d}) exceeds pixels ({n_})");
    }
    Ok(())
}

/// One `mandel bench --round N --json`: the canonical problem, every kernel verified (or unavailable and
/// untimed), every verified kernel timed, every timed one passing.
pub fn check_round(data: &Py, path: &str, at: &str) -> Checked {
    check(data, &ROUND, path, at, Join::Item)?;
    for k in data.get("kernels").items() {
        let (at, v, timed) =
            (format!("{at} {}", k.get("name").repr()), k.get("verification"), k.get("times_s").truthy());
        if v.is_none() {
            if timed || !k.get("unavailable").truthy() {
                refuse!("{path}: {at} has no verification: it must be unavailable and untimed");
            }
            continue;
        }
        check_verification(v, path, &format!("{at} verification"), Some(&canonical_pixels()), tolerance_of(k))?;
        let ok = v.get("ok").truthy();
        if timed && !ok {
            refuse!("{path}: {at} is timed but failed verification");
        }
        if ok && !timed {
            // `mandel bench` times every kernel it verified, min_renders at least
            refuse!(
                "{path}: {at} is verified but not timed (times_s is empty): a round times every kernel that passes \
                 verification"
            );
        }
    }
    Ok(())
}

/// What a round says of a kernel besides its measurement: the same in every round of one run.
const MEASURED: [&str; 3] = ["verification", "times_s", "activity"];

/// raw/rounds.json: rounds, each checked, all of one run: numbered in order, one kernel list, round 0's
/// settings, pool and kernel descriptions (the tunings may differ: unpinned, each process calibrates its own).
pub fn check_rounds(data: &Py, path: &str) -> Checked {
    check(data, &ROUNDS, path, "the rounds", Join::Root)?;
    let rounds = data.get("rounds").items();
    let Some(first) = rounds.first() else { refuse!("{path}: rounds should be a non-empty list") };
    for (i, r) in rounds.iter().enumerate() {
        check_round(r, path, &format!("round #{i}"))?;
    }
    let names = |r: &Py| Py::List(r.get("kernels").items().iter().map(|k| k.get("name").clone()).collect());
    for (i, r) in rounds.iter().enumerate() {
        if !r.get("round").py_eq(&Py::Int(Int::from(i as i64))) {
            let round = r.get("round").str();
            refuse!(
                "{path}: round #{i} 'round' is {round}: the rounds should be numbered 0, 1, ... in order, each once"
            );
        }
        if i == 0 {
            continue; // not compared with itself: an unchecked NaN field is not equal to itself
        }
        if !names(r).py_eq(&names(first)) {
            refuse!("{path}: round #{i} measured other kernels than round #0");
        }
        for key in ["settings", "pool_threads"] {
            if !r.get(key).py_eq(first.get(key)) {
                let (now, then) = (r.get(key).repr(), first.get(key).repr());
                refuse!(
                    "{path}: round #{i} '{key}' is {now}, round #0's {then}: the rounds of one run share their settings"
                );
            }
        }
        for (k, k0) in r.get("kernels").items().iter().zip(first.get("kernels").items()) {
            // one problem, one tolerance: one allowance in every round (the merge checks the kept round's
            // against the registry's rule, so no other round can pass on an allowance of its own)
            let name = k.get("name").repr();
            let (v, v0) = (k.get("verification"), k0.get("verification"));
            if v.has("allowed") && v0.has("allowed") && !v.get("allowed").py_eq(v0.get("allowed")) {
                let (now, then) = (v.get("allowed").str(), v0.get("allowed").str());
                refuse!(
                    "{path}: {name} verification.allowed is {now} in round #{i}, {then} in round #0: one kernel has \
                     one tolerance"
                );
            }
            if !k.get("isa").py_eq(k0.get("isa")) {
                let mut isas = vec![k.get("isa").clone(), k0.get("isa").clone()];
                isas.sort_by(|a, b| a.as_str().cmp(&b.as_str()));
                refuse!("{path}: {name} ran on different ISA paths in different rounds: {}", Py::List(isas).repr());
            }
            let mut keys: Vec<&PyStr> = k.entries().iter().chain(k0.entries()).map(|(key, _)| key).collect();
            keys.sort();
            keys.dedup();
            for key in keys.into_iter().filter(|key| !MEASURED.contains(&key.text.as_str())) {
                if !k.lookup(key).py_eq(k0.lookup(key)) {
                    let (key, now, then) = (key.repr(), k.lookup(key).repr(), k0.lookup(key).repr());
                    refuse!(
                        "{path}: {name} {key} is {now} in round #{i}, {then} in round #0: one kernel is described \
                         alike in every round"
                    );
                }
            }
        }
    }
    Ok(())
}

/// The bench records of a set measured with Criterion, before rounds.
fn check_records(data: &Py, path: &str) -> Checked {
    check(data, &RECORDS, path, "the bench records", Join::Root)?;
    for r in data.get("records").items() {
        let (name, v) = (r.get("name").repr(), r.get("verification"));
        if !v.is_none() {
            check_verification(v, path, &format!("{name} verification"), Some(&canonical_pixels()), tolerance_of(r))?;
        } else if !r.get("unavailable").truthy() {
            refuse!("{path}: {name} has no verification and is not unavailable");
        } else if !r.get("criterion_id").is_none() {
            refuse!(
                "{path}: {name} criterion_id names a timing but its verification is null: only a verified kernel's \
                 time is merged"
            );
        }
    }
    Ok(())
}

/// The bench records' (checked) [verification rows by kernel, Criterion ids by kernel (those timed)].
fn records(data: &Py, path: &PyStr) -> Py {
    let (mut verify, mut ids) = (Py::Dict(Vec::new()), Py::Dict(Vec::new()));
    for r in data.get("records").items() {
        let Py::Str(name) = r.get("name") else { continue }; // a name: check_records
        if !r.get("criterion_id").is_none() {
            ids.set(name.clone(), r.get("criterion_id").clone());
        }
        verify.set(name.clone(), rounds::verify_row(r, path));
    }
    Py::List(vec![verify, ids])
}

/// run.py's JSON: every rung once, its times in order, a time only with a passed verification of the
/// problem's pixels, each verification's `allowed` its tolerance rule's.
fn check_baselines(data: &Py, path: &str) -> Checked {
    check(data, &BASELINES, path, "the baselines file", Join::Root)?;
    if data.has("extension_tunings") && data.get("extension_tunings").is_none() {
        // absent: a file from before it
        refuse!("{path}: extension_tunings is null: it lists the tunings that ran, [] if none");
    }
    let params = Some(data.get("params")).filter(|p| p.truthy()).cloned().unwrap_or_else(canonical_params);
    let side = |key| params.get(key).int().cloned().unwrap_or(Int::from(0));
    let pixels = Py::Int(side("width").mul(&side("height")));
    for rung in data.get("rungs").items() {
        let at = format!("rung {}", rung.get("name").repr());
        ordered(rung, &["min_s", "median_s", "max_s"], path, &at)?;
        check_calls(rung, path, &at)?;
        if !rung.get("simd_width").is_none() && !rung.get("name").as_str().unwrap_or_default().starts_with("mojo-") {
            refuse!("{path}: {at} has simd_width: only the Mojo SIMD rungs record one");
        }
        let v = rung.get("verification");
        let timed = !rung.get("median_s").is_none() || rung.get("times_s").truthy();
        if !v.is_none() {
            check_rung_verification(rung, v, path, &at, &pixels)?;
            // as a Rust round (check_round): a wrong answer is not a data point, whatever its time
            if timed && !v.get("ok").truthy() {
                refuse!(
                    "{path}: {at} is timed (median_s, times_s) but failed verification: only a verified rung's time \
                     is merged"
                );
            }
        } else if timed {
            refuse!(
                "{path}: {at} has a time (median_s, times_s) but its verification is null: only a verified rung's \
                 time is merged"
            );
        }
    }
    Ok(())
}

/// A Python rung's verification: `allowed` its recorded tolerance rule's, and never more than the loosest
/// rule any kernel has ([`loosest`]), so that no tolerance a file claims lets a wrong image pass.
fn check_rung_verification(rung: &Py, v: &Py, path: &str, at: &str, pixels: &Py) -> Checked {
    let recorded = rung.get("tolerance");
    let rule = (!recorded.is_none()).then(|| Tolerance {
        max_fraction: recorded.get("max_fraction").clone(),
        slack_pixels: recorded.get("slack_pixels").clone(),
    });
    let at = format!("{at} verification");
    check_verification(v, path, &at, pixels.int(), rule)?;
    if v.get("differing").is_none() {
        return Ok(()); // not compared: failed whatever it allowed (check_verification)
    }
    let rule = loosest();
    let most = rule.allowed(v.get("pixels"), path, &at)?;
    if v.get("allowed").int().is_some_and(|a| *a > most) {
        let said = if recorded.is_none() { "no recorded tolerance" } else { "its recorded tolerance" };
        let (allowed, n) = (v.get("allowed").str(), v.get("pixels").str());
        let (fraction, slack) = (pyfmt::g(rule.max_fraction.float().unwrap_or_default(), 6), rule.slack_pixels.str());
        refuse!(
            "{path}: {at}.allowed is {allowed} ({said}), above the {most} of {n} pixels the loosest tolerance of any \
             kernel allows ({fraction} of the pixels + {slack})"
        );
    }
    Ok(())
}

/// A rung's calls (`times_s`) as run.py's `measure` records them: their fastest the min_s, their slowest
/// the max_s, their median the median_s, their count the repeats, where the file gives those; the merge
/// takes the row's time from the calls and its spread from min_s and max_s, so a file whose fields
/// disagree is refused.
fn check_calls(rung: &Py, path: &str, at: &str) -> Checked {
    let (times, repeats) = (rung.get("times_s").items(), rung.get("repeats"));
    if rung.get("times_s").is_none() {
        return Ok(());
    }
    if !repeats.is_none() && !repeats.py_eq(&Py::Int(Int::from(times.len() as i64))) {
        refuse!("{path}: {at} lists {} calls (times_s), repeats says {}", times.len(), repeats.str());
    }
    if !rung.get("median_s").is_none() && times.is_empty() {
        refuse!("{path}: {at} has a time (median_s) but no calls (times_s is empty)");
    }
    let picks = [
        ("median_s", "median", pyjson::median(times)),
        ("min_s", "min", pyjson::pick(times, Ordering::Less).cloned()),
        ("max_s", "max", pyjson::pick(times, Ordering::Greater).cloned()),
    ];
    for (key, pick, picked) in picks {
        if let Some(picked) = picked.filter(|p| !rung.get(key).is_none() && !rung.get(key).py_eq(p)) {
            let (value, picked) = (rung.get(key).repr(), picked.repr());
            refuse!(
                "{path}: {at} {key} is {value}, the {pick} of its times_s is {picked}: the file contradicts itself"
            );
        }
    }
    Ok(())
}

/// A summary as written or compared: each rung once, every time positive and finite or null, intervals
/// in order, every ok row timed, verified and agreeing with its own rounds and speedups.
pub(crate) fn check_summary(data: &Py, path: &str) -> Checked {
    check(data, &SUMMARY, path, "the summary", Join::Root)?;
    let rows = data.get("rows").items();
    for row in rows {
        let at = format!("row {}", row.get("name").repr());
        ordered(row, &["spread_low_s", "spread_high_s"], path, &at)?;
        if row.get("status").as_str() == Some("ok") {
            if row.get("median_s").is_none() {
                refuse!("{path}: {at} is ok without a time (median_s)");
            }
            // ok means verified (build.rs, settle): every committed summary's ok rows say true
            if !matches!(row.get("verified_ok"), Py::Bool(true)) {
                let said = if row.get("verified_ok").is_none() { "null" } else { "false" };
                refuse!("{path}: {at} is ok but verified_ok is {said}: only a verified row is ok");
            }
            let (differing, allowed) = (row.get("differing"), row.get("allowed"));
            if differing.gt(allowed) {
                // (None is no number: not greater)
                let (d, a) = (differing.str(), allowed.str());
                refuse!("{path}: {at} is ok but {d} pixels differ, {a} allowed: the file contradicts itself");
            }
        }
        check_round_times(row, path, &at)?;
    }
    check_speedups(rows, path)
}

/// Every speedup a summary's rows claims, as the merge computes it (rows.rs) from the rows' medians:
/// within this of the named row's median over its own. Which row is previous is the merge's rule, not
/// checked here.
const SPEEDUP_RTOL: f64 = 1e-9;

fn check_speedups(rows: &[Py], path: &str) -> Checked {
    let by_name = |name: &Py| rows.iter().rev().find(|r| r.get("name").py_eq(name));
    let python = Py::Str(crate::build::PURE_PYTHON.into());
    for row in rows {
        let (at, status) = (format!("row {}", row.get("name").repr()), row.get("status"));
        let claims = ["speedup_vs_python", "speedup_vs_previous"].into_iter().find(|k| !row.get(k).is_none());
        if let Some(claim) = claims.filter(|_| status.as_str() != Some("ok")) {
            let (status, claimed) = (status.str(), row.get(claim).repr());
            refuse!("{path}: {at} is {status} but claims {claim} {claimed}: only an ok row has a speedup");
        }
        for (key, named) in [("speedup_vs_python", &python), ("speedup_vs_previous", row.get("previous"))] {
            let claimed = row.get(key);
            if claimed.is_none() {
                continue;
            }
            let ok_row = |other: &&Py| {
                other.get("status").as_str() == Some("ok") && other.get("problem").py_eq(row.get("problem"))
            };
            let Some(other) = by_name(named).filter(ok_row) else {
                let (claimed, named) = (claimed.repr(), named.repr());
                refuse!("{path}: {at} claims {key} {claimed} but its divisor ({named}) is no ok row of its problem");
            };
            let expected = pyjson::div(other.get("median_s"), row.get("median_s"));
            if (claimed.float().unwrap_or(f64::NAN) - expected).abs() > SPEEDUP_RTOL * expected.abs() {
                let (claimed, named, expected) = (claimed.repr(), named.repr(), pyfmt::repr(expected));
                refuse!(
                    "{path}: {at} {key} is {claimed}, {named}'s median over its own is {expected}: the file contradicts \
                     itself"
                );
            }
        }
    }
    Ok(())
}

/// A row measured in rounds: its time the median of its rounds' times and its spread their quartiles,
/// exactly as the rounds are read ([`rounds::read`]; round_medians_s: a set merged before a round's time
/// was its fastest render, by the same rule), so that no verdict reads a time its own rounds contradict.
fn check_round_times(row: &Py, path: &str, at: &str) -> Checked {
    let Some(key) = ["round_times_s", "round_medians_s"].into_iter().find(|k| row.get(k).truthy()) else {
        return Ok(());
    };
    let (times, median_s) = (row.get(key).items(), row.get("median_s"));
    if median_s.is_none() {
        return Ok(());
    }
    let median = pyjson::median(times).expect("a round time");
    if !median_s.py_eq(&median) {
        let (median_s, median) = (median_s.repr(), median.repr());
        refuse!(
            "{path}: {at} median_s is {median_s}, the median of its {key} is {median}: the file contradicts itself"
        );
    }
    let (q1, q3) = pyjson::quartiles(times);
    let (low, high) = (row.get("spread_low_s"), row.get("spread_high_s"));
    if !low.py_eq(&q1) || !high.py_eq(&q3) {
        let [low, high, q1, q3] = [low, high, &q1, &q3].map(Py::repr);
        refuse!(
            "{path}: {at} spread is {low} to {high}, the quartiles of its {key} are {q1} to {q3}: the file contradicts \
             itself"
        );
    }
    let busy = row.get("contended_rounds");
    if busy.gt(&Py::Int(Int::from(times.len() as i64))) {
        let (busy, n) = (busy.str(), times.len());
        refuse!("{path}: {at} contended_rounds is {busy}, of {n} rounds: the file contradicts itself");
    }
    Ok(())
}

/// One Criterion benchmark's files: the median and its CI, the mean, and where sample.json is there the
/// per-sample min and max, in seconds; and the benchmark the one the records say (`kernel`, where given).
/// None where the benchmark's file could not be read (the scripts say why).
fn criterion(est: &File, bench: Option<&File>, sample: Option<&File>, kernel: &Py, dir: &str) -> CheckedSeconds {
    check(&est.value, &ESTIMATES, &est.path.text, "the estimates", Join::Root)?;
    let Some(bench) = bench else { return Ok(None) };
    check(&bench.value, &BENCHMARK, &bench.path.text, "the benchmark", Join::Root)?;
    let (median, mean) = (est.value.get("median"), est.value.get("mean"));
    let ci = median.get("confidence_interval");
    ordered(ci, &["lower_bound", "upper_bound"], &est.path.text, "median.confidence_interval")?;
    let elements = bench.value.get("throughput").get("Elements");
    if !elements.is_none() {
        check(elements, &COUNT, &bench.path.text, "throughput.Elements", Join::Field)?;
    }
    let ns = |v: &Py| v.float().unwrap_or(f64::NAN) * 1e-9;
    let mut seconds = Seconds {
        median_s: ns(median.get("point_estimate")),
        ci_low_s: ns(ci.get("lower_bound")),
        ci_high_s: ns(ci.get("upper_bound")),
        mean_s: ns(mean.get("point_estimate")),
        samples: None,
        min_s: None,
        max_s: None,
    };
    if let Some(File { path, value }) = sample {
        check(value, &SAMPLE, &path.text, "the samples", Join::Root)?;
        let (iters, times) = (value.get("iters").items(), value.get("times").items());
        if iters.len() != times.len() {
            refuse!("{path}: 'iters' and 'times' should be lists of the same length");
        }
        let per_iter: Vec<f64> = times.iter().zip(iters).map(|(t, i)| pyjson::div(t, i) * 1e-9).collect();
        if !per_iter.is_empty() {
            seconds.samples = Some(per_iter.len());
            seconds.min_s = pymath::min_by_key(per_iter.iter().copied(), |x| x);
            seconds.max_s = pymath::max(per_iter.iter().copied());
        }
    }
    let holds = bench.value.get("function_id");
    if !kernel.is_none() && !holds.py_eq(kernel) {
        refuse!("{dir}: holds {}, the records say {}", holds.repr(), kernel.repr());
    }
    Ok(Some(seconds))
}

type CheckedSeconds = Result<Option<Seconds>, String>;

/// The rules above, applied to what the merge is given in memory: the registry, the verification rows and
/// Criterion results by kernel, the baselines, the peak.
fn check_inputs(registry: &Py, verify: &Py, criterion: &Py, baselines: &Py, peak_file: &Py) -> Checked {
    if !registry.is_none() {
        check(registry, &REGISTRY, "the registry", "the registry", Join::Field)?;
    }
    let rows = "the verification rows";
    check(verify, &OBJ, rows, "the rows keyed by kernel", Join::Field)?;
    for (name, row) in verify.entries() {
        let at = format!("kernel {}", name.repr());
        check(row, &VERIFY_ROW, rows, &at, Join::Item)?;
        if !(row.get("ok").is_none() && matches!(row.get("skipped"), Py::Str(_))) {
            check(row, &VERIFIED_COUNTS, rows, &at, Join::Item)?;
            check_verification(row, rows, &at, None, None)?;
        }
    }
    check(criterion, &OBJ, "the Criterion results", "the results keyed by kernel", Join::Field)?;
    for (name, result) in criterion.entries() {
        let path = format!("the Criterion result of {}", name.repr());
        check(result, &CRITERION_RESULT, &path, "the result", Join::Root)?;
        ordered(result, &["ci_low_s", "ci_high_s"], &path, "")?;
        ordered(result, &["min_s", "max_s"], &path, "")?;
    }
    if !registry.is_none() {
        check_registry(registry, verify)?;
    }
    if !baselines.is_none() {
        check_baselines(baselines, "the Python baselines")?;
    }
    if !peak_file.is_none() {
        peak(peak_file, "`mandel peak --json`", "the peak file")?;
        // measured under the same environment as the rounds, so on the whole-vector kernel's path: another
        // path's ceiling would make every share of it another machine's, in effect (a hand-edited or mixed-up
        // file)
        let simd = verify.get("simd-f32").get("isa");
        if simd.truthy() && !peak_file.get("isa").py_eq(simd) {
            let (isa, simd) = (peak_file.get("isa").repr(), simd.repr());
            refuse!(
                "the peak file: isa is {isa}, but simd-f32 ran on {simd}: its step ceiling and FMA peak are another \
                 path's"
            );
        }
    }
    Ok(())
}

/// The Python baselines' rungs against the Rust kernels they may be taken for (`registry`, and the kernels
/// of the verification rows and results, `measured`): none named like one (its row would be two rows'), and
/// each `pyo3-<kernel>` rung of a registry kernel wrapping it: the same precision and threads (precision
/// alone for `foreign` baselines, which ran on that machine's pool), else its row would show one kernel's
/// time with another's width (a share of the ceiling of the wrong precision, or divided by the wrong thread
/// count); its verification held to that kernel's tolerance rule.
fn wrapped(registry: &Py, measured: [&Py; 2], baselines: &Py, source: &str, foreign: bool) -> Checked {
    let rungs = baselines.get("rungs").items();
    // a kernel named twice in the registry is its last entry, as the scripts' dict of it held it
    let kernel = |name: &str| registry.items().iter().rev().find(|k| k.get("name").as_str() == Some(name));
    let rust = |name: &str| kernel(name).is_some() || measured.iter().any(|d| d.has(name));
    let clash: Vec<String> = rungs.iter().map(|r| r.get("name").str()).filter(|name| rust(name)).collect();
    if !clash.is_empty() {
        refuse!(
            "the Python baselines name rung(s) {} like Rust kernels (Python rungs are named python-*, numpy-*, \
             numba-*, pyo3-<kernel>)",
            clash.join(", ")
        );
    }
    for rung in rungs {
        let Some(wrapped) = rung.get("name").as_str().and_then(crate::build::wrapped_kernel) else { continue };
        if let Some(k) = kernel(wrapped) {
            for field in if foreign { &["precision"][..] } else { &["precision", "threads"] } {
                let (theirs, ours) = (rung.get(field), k.get(field));
                if !theirs.is_none() && !theirs.py_eq(ours) {
                    let (rung, theirs, kernel, ours) =
                        (rung.get("name").repr(), theirs.repr(), k.get("name").repr(), ours.repr());
                    refuse!(
                        "{source}: rung {rung} {field} is {theirs}, the registry's {kernel} (`mandel describe`) has \
                         {ours}: not the kernel it wraps"
                    );
                }
            }
            let v = rung.get("verification");
            if v.truthy() {
                let at = format!("rung {} verification", rung.get("name").repr());
                check_verification(v, source, &at, None, tolerance_of(k))?;
            }
        }
    }
    Ok(())
}

/// Each verification row read from a run's bench files (`source`: raw/rounds.json, raw/records.json) against
/// its registry kernel (`mandel describe`, raw/describe.json): `allowed` the kernel's tolerance rule of its
/// pixels, and the precision, threads and ISA path the registry gives it. The ladder runs describe and the
/// bench in one environment (MANDEL_ISA, MANDEL_THREADS) on one build and keeps both in raw/, so every
/// committed set agrees, ISA path included; a row that does not was not measured as the registry describes
/// (or was edited), and merged it would show a tolerance, width or path the run never had. A row handed to
/// the merge without a source is the caller's to vouch for (no file to name).
fn check_registry(registry: &Py, verify: &Py) -> Checked {
    for (name, row) in verify.entries() {
        let kernel = registry.items().iter().rev().find(|k| matches!(k.get("name"), Py::Str(s) if s == name));
        let source = row.get("source");
        // not from a file, not in the registry (a note says so), or not run (nothing measured to disagree)
        let Some(kernel) = kernel.filter(|_| !source.is_none() && row.get("skipped").is_none()) else { continue };
        let (source, name) = (source.str(), name.repr());
        for field in ["precision", "threads", "isa"] {
            if row.has(field) && !row.get(field).py_eq(kernel.get(field)) {
                let (row, registry) = (row.get(field).repr(), kernel.get(field).repr());
                refuse!(
                    "{source}: kernel {name} {field} is {row}, the registry (`mandel describe`) says {registry}: not \
                     the kernel it describes"
                );
            }
        }
        if let Some(rule) = tolerance_of(kernel) {
            let rule_allows = rule.allowed(row.get("pixels"), &source, &format!("kernel {name} verification"))?;
            if row.get("allowed").int() != Some(&rule_allows) {
                let (allowed, n) = (row.get("allowed").str(), row.get("pixels").str());
                refuse!(
                    "{source}: kernel {name} verification.allowed is {allowed}, the registry's tolerance rule allows \
                     {rule_allows} of {n} pixels"
                );
            }
        }
    }
    Ok(())
}

/// A sweep or the large image as printed: its shape, every point verified (differing <= allowed) and the
/// large image's check (where it has one) passed, no count past mandel's 64 bits, no more iterations than
/// the pixels can do (`what`: the command that printed it).
fn check_sweep(data: &Py, what: &str, large: bool) -> Checked {
    check(data, if large { &LARGE } else { &SWEEP }, what, "the output", Join::Root)?;
    let c = data.get("check");
    if large && !c.is_none() && (!c.get("ok").truthy() || c.get("differing").gt(c.get("allowed"))) {
        let [differing, checked, allowed, ok] = ["differing", "checked", "allowed", "ok"].map(|k| c.get(k).str());
        refuse!(
            "{what}: failed its check against the reference ({differing} of {checked} pixels differ, {allowed} \
             allowed, ok {ok}): the times of counts that are not the reference's are never reported"
        );
    }
    if large && !data.get("iterations").is_none() {
        possible(data, what, "the image")?;
    }
    // mandel's sizes and counts are 64-bit, as mandel-report reads them: a larger one is no output of mandel's
    let points = if large { &[][..] } else { data.get("points").items() };
    let at = |i| format!("point #{i}");
    let all = points.iter().enumerate().map(|(i, p)| (at(i), p));
    for (at, obj) in std::iter::once(("the sweep".to_string(), data)).chain(all) {
        for key in ["width", "height", "max_iters", "threads"] {
            if obj.get(key).int().is_some_and(|n| *n > Int::from_u128(u64::MAX.into())) {
                refuse!("{what}: {at} {key} is above 2^64 - 1");
            }
        }
    }
    for (i, p) in points.iter().enumerate() {
        ordered(p, &["min_s", "median_s"], what, &at(i))?;
        if p.has("times_s") && p.get("times_s").is_none() {
            // absent is allowed (older outputs), null is not a list
            refuse!("{what}: point #{i} times_s should be a list of times in seconds, found None");
        }
        possible(p, what, &at(i))?;
        let (differing, allowed) = (p.get("differing"), p.get("allowed"));
        if differing.gt(allowed) {
            // (None is no number: not greater)
            let (d, a) = (differing.str(), allowed.str());
            refuse!(
                "{what}: point #{i} failed verification ({d} pixels differ, {a} allowed): a point outside its \
                 tolerance is never fitted"
            );
        }
    }
    Ok(())
}

/// Unless `p`'s iterations are work its pixels can do: no pixel counts past max_iters, and mandel sums
/// counts in 64 bits (beyond either, a float of it may also overflow in the fit).
fn possible(p: &Py, what: &str, at: &str) -> Checked {
    let zero = Int::from(0);
    let int = |key| p.get(key).int().unwrap_or(&zero);
    let most = int("width").mul(int("height")).mul(int("max_iters")).min(Int::from_u128(u64::MAX.into()));
    let digits = int("iterations").to_string();
    if *int("iterations") > most {
        let shown = if digits.len() <= 30 { digits } else { format!("about 10^{}", digits.len() - 1) };
        refuse!(
            "{what}: {at} iterations ({shown}) is above {most}, width x height x max_iters (at most 2^64 - 1): more \
             work than its pixels can do"
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn py(text: &str) -> Py {
        serde_json::from_str(text).expect("JSON")
    }

    #[track_caller]
    fn refused(checked: Checked) -> String {
        checked.expect_err("refused")
    }

    /// Each message is readers.py's, as CPython printed it.
    #[test]
    fn each_scalar_says_what_it_wants_and_what_it_found() {
        let is = |spec: Spec, value: &str| check(&py(value), &spec, "p", "w", Join::Field);
        for (spec, value, said) in [
            (COUNT, "-1", "a whole number, 0 or more, found -1"),
            (INT1, "0", "a whole number, 1 or more, found 0"),
            (INT1, "true", "a whole number, 1 or more, found True"),
            (NUM, r#"{"$py": "nan"}"#, "a finite number, found nan"),
            (NUM, r#"{"$py": "-inf"}"#, "a finite number, found -inf"),
            (NUM0, "-0.5", "a finite number, 0 or more, found -0.5"),
            (S, "1e-13", "a time in seconds from 1e-12 to 1e+06, found 1e-13"),
            (
                S,
                r#"{"$py": "int", "digits": "1000000000000000000000000000000"}"#,
                "a time in seconds from 1e-12 to 1e+06, found 1000000000000000000000000000000",
            ),
            (POS, "0", "a positive, finite number, found 0"),
            (RATE, "true", "a positive, finite rate, found True"),
            (FRAC, "1.5", "a fraction from 0 to 1, found 1.5"),
            (BOOL, "1", "true or false, found 1"),
            (NAME, "\" \"", "a non-empty string without control characters, found ' '"),
            (NAME, "\"a\\u0001\"", "a non-empty string without control characters, found 'a\\x01'"),
            (TEXT, "\"a\\u0000\"", "a string without control characters, found 'a\\x00'"),
            (OBJ, "[]", "a JSON object, found []"),
        ] {
            assert_eq!(refused(is(spec, value)), format!("p: w should be {said}"), "{value}");
        }
        for (spec, value) in [(S, "1000000"), (FRAC, "1"), (TEXT, "\"a\\tb\\n\""), (NAME, "\"é\""), (NUM, "-1e300")] {
            assert!(is(spec, value).is_ok(), "{value}");
        }
        // an int no float holds is no finite number (CPython's math.isfinite raised OverflowError on it)
        let huge = format!(r#"{{"$py": "int", "digits": "{}"}}"#, "9".repeat(400));
        assert!(refused(is(NUM, &huge)).starts_with("p: w should be a finite number, found 999"));
    }

    #[test]
    fn objects_lists_items_and_values_allowed() {
        let at = |value: &str, spec: Spec, join| check(&py(value), &spec, "p", "w", join);
        const F: Spec = Spec::OneOf(&[Lit::Str("f32"), Lit::Str("f64")]);
        assert_eq!(refused(at("\"f16\"", F, Join::Field)), "p: w is 'f16', expected 'f32' or 'f64'");
        const W: Spec = Spec::OneOf(&[Lit::Int(8), Lit::Int(16), Lit::Int(32)]);
        assert_eq!(refused(at("8.0", W, Join::Field)), "p: w is 8.0, expected 8 or 16 or 32");
        const A: Spec = Spec::Obj(&[&[req("a", COUNT)], &[opt("b", COUNT), null("c", COUNT)]]);
        assert_eq!(refused(at("[1]", A, Join::Field)), "p: w should be a JSON object, found list");
        assert_eq!(refused(at(r#"{"b": 1}"#, A, Join::Field)), "p: w lacks key(s) a, c");
        assert_eq!(
            refused(at(r#"{"a": null, "c": 1}"#, A, Join::Field)),
            "p: w.a should be a whole number, 0 or more, found None"
        );
        assert!(at(r#"{"a": 0, "b": null, "c": null}"#, A, Join::Field).is_ok());
        const NESTED: Spec = Spec::Obj(&[&[req("a", Spec::Obj(&[&[req("b", COUNT)]]))]]);
        for (join, at_) in [(Join::Root, "a.b"), (Join::Item, "w a.b"), (Join::Field, "w.a.b")] {
            let said = refused(at(r#"{"a": {"b": -1}}"#, NESTED, join));
            assert_eq!(said, format!("p: {at_} should be a whole number, 0 or more, found -1"));
        }
        const COUNTS: Spec = Spec::List(&COUNT);
        assert_eq!(refused(at("\"x\"", COUNTS, Join::Field)), "p: w should be a list, found 'x'");
        assert_eq!(
            refused(at("[0, -1]", COUNTS, Join::Field)),
            "p: w[1] should be a whole number, 0 or more, found -1"
        );
        const KERNELS: Spec = Spec::Items(&Items {
            label: "kernel",
            spec: Spec::Obj(&[&[req("name", NAME), req("threads", INT1)]]),
            unique: true,
            nonempty: true,
        });
        assert_eq!(refused(at("[]", KERNELS, Join::Field)), "p: w should be a non-empty list");
        let said = refused(at(r#"[{"name": "a", "threads": 0}]"#, KERNELS, Join::Field));
        assert_eq!(said, "p: kernel 'a' threads should be a whole number, 1 or more, found 0");
        assert_eq!(refused(at(r#"[{"threads": 1}]"#, KERNELS, Join::Field)), "p: kernel #0 lacks key(s) name");
        let twice = r#"[{"name": "a", "threads": 1}, {"name": "a", "threads": 2}]"#;
        assert_eq!(refused(at(twice, KERNELS, Join::Field)), "p: 'a' appears twice");
    }

    #[test]
    fn a_verification_holds_ok_to_its_counts_the_problem_and_the_tolerance_rule() {
        let v = |extra: &str| py(&format!(r#"{{"pixels": 100, "differing": 2, "allowed": 3, "ok": true{extra}}}"#));
        let rule = || Some(Tolerance { max_fraction: py("0.01"), slack_pixels: py("2") });
        let said = |v: Py, pixels: Option<&Int>, rule| refused(check_verification(&v, "p", "v", pixels, rule));
        assert_eq!(
            said(v(r#", "differing": 4"#), None, None),
            "p: v.ok is true but 4 pixels differ, 3 allowed: the file contradicts itself"
        );
        assert_eq!(
            said(v(r#", "ok": false"#), None, None),
            "p: v.ok is false but 2 pixels differ, 3 allowed: the file contradicts itself"
        );
        assert_eq!(
            said(v(r#", "differing": null"#), None, None),
            "p: v.ok is true without a count of differing pixels"
        );
        assert!(check_verification(&v(r#", "differing": null, "ok": false"#), "p", "v", None, None).is_ok());
        assert_eq!(said(v(""), Some(&canonical_pixels()), None), "p: v.pixels is 100, the problem has 921600 pixels");
        assert!(check_verification(&v(""), "p", "v", None, rule()).is_ok()); // 2 + floor(0.01 * 100)
        let over = v(r#", "differing": 200, "allowed": 300"#);
        assert_eq!(said(over, None, None), "p: v.differing (200) exceeds pixels (100)");
        // ints past 64 bits, a float of the pixels multiplied as Python multiplies it
        let big = v(r#", "allowed": {"$py": "int", "digits": "1000000000000000000000000000000"},
                       "pixels": {"$py": "int", "digits": "100000000000000000000000000000000"}"#);
        assert_eq!(
            said(big, None, rule()),
            "p: v.allowed is 1000000000000000000000000000000, the tolerance rule allows \
             1000000000000000019884624838658 of 100000000000000000000000000000000 pixels"
        );
        let whole = Some(Tolerance { max_fraction: py("1"), slack_pixels: py("2") });
        assert!(check_verification(&v(r#", "allowed": 102, "differing": 2"#), "p", "v", None, whole).is_ok());
    }

    fn summary(rows: &str) -> Checked {
        check_summary(
            &py(&format!(r#"{{"schema": "mandel-ladder-summary/1", "machine_id": "m", "rows": [{rows}]}}"#)),
            "s",
        )
    }

    fn row(name: &str, median: &str, extra: &str) -> String {
        format!(r#"{{"name": "{name}", "status": "ok", "median_s": {median}, "verified_ok": true{extra}}}"#)
    }

    #[test]
    fn a_summarys_speedups_follow_from_its_medians() {
        let python = row("python-pure", "10", "");
        let said = refused(summary(&format!("{python}, {}", row("a", "2", r#", "speedup_vs_python": 5.000001"#))));
        assert_eq!(
            said,
            "s: row 'a' speedup_vs_python is 5.000001, 'python-pure''s median over its own is 5.0: the file contradicts itself"
        );
        assert!(summary(&format!("{python}, {}", row("a", "2", r#", "speedup_vs_python": 5.0000000001"#))).is_ok());
        assert!(
            summary(&format!("{python}, {}", row("a", "3", r#", "speedup_vs_python": 3.3333333333333335"#))).is_ok()
        );
        let failed = r#"{"name": "a", "status": "failed", "median_s": null, "speedup_vs_previous": 2.0}"#;
        let said = refused(summary(&format!("{python}, {failed}")));
        assert_eq!(said, "s: row 'a' is failed but claims speedup_vs_previous 2.0: only an ok row has a speedup");
        let said = refused(summary(&row("a", "2", r#", "speedup_vs_previous": 2.0, "previous": "b""#)));
        assert_eq!(said, "s: row 'a' claims speedup_vs_previous 2.0 but its divisor ('b') is no ok row of its problem");
    }

    #[test]
    fn a_summarys_times_are_those_of_its_rounds() {
        let said = refused(summary(&row("a", "2", r#", "round_times_s": [3, 1, 2]"#)));
        assert_eq!(
            said,
            "s: row 'a' spread is None to None, the quartiles of its round_times_s are 1 to 3: the file contradicts itself"
        );
        assert!(
            summary(&row("a", "2", r#", "round_times_s": [3, 1, 2], "spread_low_s": 1, "spread_high_s": 3"#)).is_ok()
        );
        let said = refused(summary(&row("a", "2", r#", "round_times_s": [3, 1, 2, 4]"#)));
        assert_eq!(
            said,
            "s: row 'a' median_s is 2, the median of its round_times_s is 2.5: the file contradicts itself"
        );
        let four =
            r#", "round_times_s": [3, 1, 2, 4], "spread_low_s": 1.5, "spread_high_s": 3.5, "contended_rounds": "#;
        let said = refused(summary(&row("a", "2.5", &format!("{four}5"))));
        assert_eq!(said, "s: row 'a' contended_rounds is 5, of 4 rounds: the file contradicts itself");
        assert!(summary(&row("a", "2.5", &format!("{four}4"))).is_ok());
        for (extra, said) in [
            (r#", "verified_ok": null"#, "is ok but verified_ok is null: only a verified row is ok"),
            (r#", "verified_ok": false"#, "is ok but verified_ok is false: only a verified row is ok"),
            (r#", "differing": 3, "allowed": 2"#, "is ok but 3 pixels differ, 2 allowed: the file contradicts itself"),
            (r#", "spread_low_s": 3, "spread_high_s": 2"#, "spread_low_s (3) is above spread_high_s (2)"),
        ] {
            assert_eq!(refused(summary(&row("a", "2", extra))), format!("s: row 'a' {said}"));
        }
        assert_eq!(refused(summary(&row("a", "null", ""))), "s: row 'a' is ok without a time (median_s)");
    }

    #[test]
    fn a_peak_gives_both_step_ceilings_or_neither_and_the_highest_of_its_measurements() {
        let m = r#"{"when": "x", "f32_lane_fmas_per_s": 8e9, "f64_lane_fmas_per_s": 4e9}"#;
        let file = |extra: &str| {
            py(&format!(
                r#"{{"isa": "avx2", "f32_lane_fmas_per_s": 8e9, "f64_lane_fmas_per_s": 4e9, "measured": [{m}, {m}]{extra}}}"#
            ))
        };
        let said = |extra: &str| peak(&file(extra), "peak.json", "the peak file");
        assert!(said("").is_ok());
        assert_eq!(
            refused(said(r#", "f32_lane_fmas_per_s": 7e9"#)),
            "peak.json: f32_lane_fmas_per_s is 7e+09, not the highest of its measurements (8e+09): every share divides by that"
        );
        assert_eq!(
            refused(said(r#", "f32_lane_fmas_per_s": 8000000001"#)),
            "peak.json: f32_lane_fmas_per_s is 8e+09, not the highest of its measurements (8e+09): every share divides by that"
        );
        assert_eq!(
            refused(said(r#", "f32_step_lane_iterations_per_s": 1e9, "measured": null"#)),
            "peak.json: f32_step_lane_iterations_per_s without f64_step_lane_iterations_per_s: one measurement gives the step ceiling of both precisions"
        );
        assert_eq!(
            refused(said(&format!(r#", "measured": [{m}]"#))),
            format!("peak.json: measured should list the two or three measurements combined, found [{}]", py(m).repr())
        );
        let steps = r#", "f32_step_lane_iterations_per_s": 1e9, "f64_step_lane_iterations_per_s": 1e9"#;
        assert_eq!(
            refused(said(steps)),
            "peak.json: measurement #0 gives the step ceilings none, the file ['f32_step_lane_iterations_per_s', 'f64_step_lane_iterations_per_s']: the measurements of one run give the same rates"
        );
    }

    fn baselines(rung: &str, extra: &str) -> Checked {
        check_baselines(&py(&format!(r#"{{"schema": "mandel-baselines/1", "rungs": [{rung}]{extra}}}"#)), "b")
    }

    fn rung(median: &str, extra: &str) -> String {
        let v = r#"{"pixels": 921600, "differing": 0, "allowed": 0, "ok": true}"#;
        format!(r#"{{"name": "numba", "median_s": {median}, "verification": {v}{extra}}}"#)
    }

    #[test]
    fn a_python_rungs_calls_verification_and_tunings() {
        let loose = r#", "verification": {"pixels": 921600, "differing": 9219, "allowed": 9219, "ok": true}"#;
        assert_eq!(
            refused(baselines(&rung("null", loose), "")),
            "b: rung 'numba' verification.allowed is 9219 (no recorded tolerance), above the 9218 of 921600 pixels the loosest tolerance of any kernel allows (0.01 of the pixels + 2)"
        );
        let calls = r#", "times_s": [1, 3, 2, 2.5], "min_s": 1, "max_s": 3"#;
        assert_eq!(
            refused(baselines(&rung("2", calls), "")),
            "b: rung 'numba' median_s is 2, the median of its times_s is 2.25: the file contradicts itself"
        );
        assert_eq!(
            refused(baselines(&rung("2.25", &format!("{calls}, \"repeats\": 3")), "")),
            "b: rung 'numba' lists 4 calls (times_s), repeats says 3"
        );
        assert!(baselines(&rung("2", r#", "times_s": [1, 3, 2], "min_s": 1.0, "max_s": 3"#), "").is_ok());
        for (extra, said) in [
            (
                ", \"extension_tunings\": null",
                "b: extension_tunings is null: it lists the tunings that ran, [] if none",
            ),
            (
                r#", "extension_tunings": {"MANDEL_TUNING": " V4K8 ", "MANDEL_C_TUNING": null, "Z": 1, "A": 2}"#,
                "b: extension_tunings has A, Z: only MANDEL_TUNING, MANDEL_C_TUNING are recorded",
            ),
            (
                r#", "extension_tunings": {"MANDEL_TUNING": "f32:v4k8,f32:v4k8", "MANDEL_C_TUNING": null}"#,
                "b: extension_tunings.MANDEL_TUNING is 'f32:v4k8,f32:v4k8', which names no tuning (accepted: a tuning such as v4k8, default, and for MANDEL_TUNING f32:NAME,f64:NAME)",
            ),
            (
                r#", "extension_tunings": [["simd-f32", "v4k8"]]"#,
                "b: extension_tunings[0] 'simd-f32' should be a tuning and its source, such as 'v4k8 (forced)', found 'v4k8'",
            ),
            (
                r#", "params": {"width": 10, "height": 960, "x_min": -2.0, "x_max": 0.6, "y_min": -1.5, "y_max": 1.5, "max_iters": 200}"#,
                "b: rung 'numba' verification.pixels is 921600, the problem has 9600 pixels",
            ),
            (
                r#", "settings": {"a": [1]}"#,
                "b: settings.a should be a finite number, a string without control characters, true, false or null, found [1]",
            ),
        ] {
            assert_eq!(refused(baselines(&rung("null", ""), extra)), said);
        }
    }

    #[test]
    fn the_canonical_problem_and_the_work_a_sweep_can_do() {
        let params = r#"{"width": 960, "height": 960, "x_min": -2.0, "x_max": 0.7, "y_min": -1.5, "y_max": 1.5, "max_iters": 200, "extra": 1}"#;
        assert_eq!(
            refused(canonical(&py(params), "r", "params")),
            "r: params is {'width': 960, 'height': 960, 'x_min': -2.0, 'x_max': 0.7, 'y_min': -1.5, 'y_max': 1.5, 'max_iters': 200, 'extra': 1}, not the canonical problem {'width': 960, 'height': 960, 'x_min': -2.0, 'x_max': 0.6, 'y_min': -1.5, 'y_max': 1.5, 'max_iters': 200} the ladder merges"
        );
        assert!(canonical(&py(&params.replace("0.7", "0.6").replace("-2.0", "-2")), "r", "params").is_ok());
        let point = |extra: &str| {
            py(&format!(
                r#"{{"kernel": "k", "points": [{{"axis": "size", "width": 2, "height": 2, "max_iters": 5, "iterations": 20, "median_s": 1.0, "min_s": 0.5{extra}}}]}}"#
            ))
        };
        let said = |extra| refused(check_sweep(&point(extra), "mandel sweep", false));
        assert!(check_sweep(&point(""), "mandel sweep", false).is_ok());
        let suffix = "is above 20, width x height x max_iters (at most 2^64 - 1): more work than its pixels can do";
        assert_eq!(said(r#", "iterations": 21"#), format!("mandel sweep: point #0 iterations (21) {suffix}"));
        let huge = format!(r#", "iterations": {{"$py": "int", "digits": "1{}"}}"#, "0".repeat(400));
        assert_eq!(said(&huge), format!("mandel sweep: point #0 iterations (about 10^400) {suffix}"));
        assert_eq!(
            said(r#", "width": {"$py": "int", "digits": "18446744073709551616"}"#),
            "mandel sweep: point #0 width is above 2^64 - 1"
        );
        assert_eq!(said(r#", "min_s": 2.0"#), "mandel sweep: point #0 min_s (2.0) is above median_s (1.0)");
        assert_eq!(
            said(r#", "differing": 3, "allowed": 2"#),
            "mandel sweep: point #0 failed verification (3 pixels differ, 2 allowed): a point outside its tolerance is never fitted"
        );
        assert_eq!(
            said(r#", "times_s": null"#),
            "mandel sweep: point #0 times_s should be a list of times in seconds, found None"
        );
        let large = r#"{"kernel": "k", "isa": "avx2", "threads": 2, "width": 4, "height": 4, "max_iters": 10, "iterations": 5, "times_s": [1.0], "paging_s": 0, "check": {"checked": 4096, "differing": 50, "allowed": 42, "ok": true}}"#;
        assert_eq!(
            refused(check_sweep(&py(large), "r", true)),
            "r: failed its check against the reference (50 of 4096 pixels differ, 42 allowed, ok True): the times of counts that are not the reference's are never reported"
        );
    }
}
