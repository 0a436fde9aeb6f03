//! The cost-growth sweeps (`scripts/ladder --sweeps`): time against work for a few rungs, fitted and
//! written up. The scripts measure and check the sweeps (`ladderlib/sweeps.py`: `mandel sweep --json`,
//! python_baselines.sweep for Numba parallel, the large image of `mandel render --json`) and ask here,
//! through `mandel-report sweeps` ([`answer`]), for the fits, the CSV's rows, sweeps.md and a log-log
//! chart per axis; they write the files.
//!
//! The fit ([`fit`]): time = a + b x iterations by least squares on relative residuals (so the largest
//! of three decades does not steer the line alone), refitted without one more point (the one whose
//! absence fits the rest best) while a kept point is off by more than [`OFF_LINE`], keeping at least
//! three: an outlier (a small image dominated by thread start-up) is flagged rather than dragging the
//! line. Its floats are computed as the scripts' Python computed them, operation for operation
//! (`pymath`), so that a report written here is the one the committed results hold.

use crate::md::md;
use crate::pyfmt::{fixed, g, percent, thousands};
use crate::pymath::{self, int_div, pow, square, sum};
use crate::svg::{PALETTE, Series, loglog_chart};
use serde::{Deserialize, Serialize, Serializer};
use serde_json::Number;

/// A time under this is no measurement, and its weight 1/time^2 may overflow: a point with one is not
/// fitted, nor drawn on the log axes (the checker's own floor, which refuses such a time in a file).
pub use crate::check::MIN_TIME_S;

/// The relative residual above which a point is off the line.
pub const OFF_LINE: f64 = 0.20;

/// The request's and the answer's `schema`: a binary and scripts of different versions refuse each other.
pub const SCHEMA: &str = "mandel-report-sweeps/2";

/// What `mandel-report sweeps` reads: the sweeps and the large image as the scripts checked them
/// (`sweeps.checked`). Fields of a sweep, a point or the large image that a report does not use are
/// ignored, as the scripts ignore them.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Request {
    /// [`SCHEMA`].
    pub schema: String,
    /// The machine's id, in sweeps.md's heading and the charts' titles.
    pub machine_id: String,
    pub sweeps: Vec<Sweep>,
    /// The large image's `mandel render --json` report, if one was rendered.
    #[serde(default)]
    pub large: Option<Large>,
}

/// One kernel's sweep, as `mandel sweep --json` prints it.
#[derive(Deserialize)]
pub struct Sweep {
    pub kernel: String,
    #[serde(default)]
    pub isa: Option<String>,
    #[serde(default)]
    pub precision: Option<String>,
    #[serde(default)]
    pub threads: Option<u64>,
    pub points: Vec<Point>,
}

/// One problem of a sweep, verified and timed.
#[derive(Deserialize)]
pub struct Point {
    /// What the sweep varied to reach it (`size`, `iters`).
    pub axis: String,
    pub width: u64,
    pub height: u64,
    pub max_iters: u64,
    /// The work: the sum of the image's counts.
    pub iterations: u64,
    /// Seconds, as written (an int stays an int in the CSV, as Python writes it).
    pub median_s: Number,
    pub min_s: Number,
    /// The timed calls (an older output has none).
    #[serde(default)]
    pub times_s: Option<Vec<serde::de::IgnoredAny>>,
}

impl Point {
    fn median(&self) -> f64 {
        self.median_s.as_f64().unwrap_or(f64::NAN)
    }
    /// `median_s / iterations`, a float or an int divided as Python divides it.
    fn seconds_per_iteration(&self) -> f64 {
        match self.median_s.as_u64() {
            Some(whole) => int_div(whole, self.iterations),
            None => self.median() / self.iterations as f64,
        }
    }
}

/// The large image (`mandel render --json`): one render in a fresh process, its paging and CPU times.
#[derive(Deserialize)]
pub struct Large {
    pub kernel: String,
    pub isa: String,
    pub threads: u64,
    pub width: u64,
    pub height: u64,
    pub max_iters: u64,
    pub times_s: Vec<f64>,
    pub paging_s: f64,
    #[serde(default)]
    pub user_s: Option<f64>,
    #[serde(default)]
    pub sys_s: Option<f64>,
    #[serde(default)]
    pub process_user_s: Option<f64>,
    #[serde(default)]
    pub process_sys_s: Option<f64>,
}

/// A line through an axis's points: [`fit`].
#[derive(Serialize, Debug, Clone, PartialEq)]
pub struct Fit {
    #[serde(serialize_with = "finite")]
    pub intercept_s: f64,
    #[serde(serialize_with = "finite")]
    pub ns_per_iteration: f64,
    /// The weighted R^2 of the points kept.
    #[serde(serialize_with = "finite")]
    pub r2: f64,
    /// p in time ~ iterations^p: the log-log slope of every point (1.00 is linear).
    #[serde(serialize_with = "finite")]
    pub exponent: f64,
    pub fitted_points: usize,
    #[serde(serialize_with = "finite")]
    pub max_rel_residual: f64,
    /// The points (their index on the axis) more than [`OFF_LINE`] off.
    pub off_line: Vec<usize>,
}

/// sweeps.json's `fits`: one per axis of each sweep, its line or why it has none.
#[derive(Serialize)]
pub struct FitEntry {
    pub kernel: String,
    pub axis: String,
    pub points: usize,
    #[serde(flatten)]
    pub outcome: Outcome,
}

#[derive(Serialize)]
#[serde(untagged)]
pub enum Outcome {
    Fitted(Fit),
    /// Why not (None only where the fitted slope is NaN, which `unfit` does not name: null, as the
    /// scripts wrote it).
    Unfit {
        unfit: Option<String>,
    },
}

/// sweeps.csv's columns, in order.
pub const CSV_COLUMNS: [&str; 16] = [
    "kernel",
    "isa",
    "precision",
    "threads",
    "axis",
    "width",
    "height",
    "pixels",
    "max_iters",
    "iterations",
    "min_s",
    "median_s",
    "timed_calls",
    "ns_per_iteration",
    "fit_s",
    "off_fit",
];

/// A row of sweeps.csv ([`CSV_COLUMNS`]), one per point.
pub struct CsvRow<'a> {
    pub kernel: &'a str,
    pub isa: Option<&'a str>,
    pub precision: Option<&'a str>,
    pub threads: Option<u64>,
    pub axis: &'a str,
    pub width: u64,
    pub height: u64,
    /// width x height, which need not fit 64 bits.
    pub pixels: u128,
    pub max_iters: u64,
    pub iterations: u64,
    pub min_s: &'a Number,
    pub median_s: &'a Number,
    pub timed_calls: usize,
    pub ns_per_iteration: Option<f64>,
    pub fit_s: Option<f64>,
    pub off_fit: bool,
}

impl CsvRow<'_> {
    /// Its cells, [`CSV_COLUMNS`]; a time that came out infinite is refused, never written as a blank.
    fn cells(&self) -> Result<Vec<String>, String> {
        use crate::csv::{cell, optional, text_cell};
        let seconds = |x: Option<f64>| match x {
            Some(x) if !x.is_finite() => Err(not_json(x)),
            x => Ok(optional(x.map(crate::pyfmt::repr))),
        };
        let number = |n: &Number| cell(Some(&serde_json::Value::Number(n.clone())));
        Ok(vec![
            text_cell(self.kernel),
            optional(self.isa.map(text_cell)),
            optional(self.precision.map(text_cell)),
            optional(self.threads),
            text_cell(self.axis),
            self.width.to_string(),
            self.height.to_string(),
            self.pixels.to_string(),
            self.max_iters.to_string(),
            self.iterations.to_string(),
            number(self.min_s),
            number(self.median_s),
            self.timed_calls.to_string(),
            seconds(self.ns_per_iteration)?,
            seconds(self.fit_s)?,
            (if self.off_fit { "True" } else { "False" }).into(),
        ])
    }
}

/// What `mandel-report sweeps` writes: the fits, the CSV and the text files, each by its name.
#[derive(Serialize)]
pub struct Answer {
    /// [`SCHEMA`].
    pub schema: &'static str,
    pub fits: Vec<FitEntry>,
    /// sweeps.csv's text: a line per point, [`CSV_COLUMNS`].
    pub csv: String,
    pub files: Files,
}

/// {name: text} in the order written: sweeps.md, then a chart per axis (a JSON object keeps it).
pub struct Files(pub Vec<(String, String)>);

impl Serialize for Files {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut map = serializer.serialize_map(Some(self.0.len()))?;
        for (name, text) in &self.0 {
            map.serialize_entry(name, text)?;
        }
        map.end()
    }
}

/// JSON has no NaN or infinity (the scripts write sweeps.json with allow_nan=False): a report that would
/// hold one is refused, never written as null.
fn finite<S: Serializer>(x: &f64, serializer: S) -> Result<S::Ok, S::Error> {
    if x.is_finite() { serializer.serialize_f64(*x) } else { Err(serde::ser::Error::custom(not_json(*x))) }
}

fn not_json(x: f64) -> String {
    format!("a fit or a point came out as {x}, which JSON cannot hold")
}

// --- the fit ----------------------------------------------------------------------------------------

/// time = a + b * x through the points `keep`, minimising relative residuals (else absolute ones):
/// (a, b, weighted R^2).
fn line(xs: &[f64], ts: &[f64], keep: &[usize], relative: bool) -> (f64, f64, f64) {
    let w: Vec<f64> = keep.iter().map(|&i| if relative { 1.0 / square(ts[i]) } else { 1.0 }).collect();
    let weighted = || keep.iter().copied().zip(w.iter().copied());
    let sw = sum(w.iter().copied());
    let mx = sum(weighted().map(|(i, w)| w * xs[i])) / sw;
    let mt = sum(weighted().map(|(i, w)| w * ts[i])) / sw;
    let sxx = sum(weighted().map(|(i, w)| w * square(xs[i] - mx)));
    let slope = if sxx > 0.0 { sum(weighted().map(|(i, w)| w * (xs[i] - mx) * (ts[i] - mt))) / sxx } else { 0.0 };
    let intercept = mt - slope * mx;
    let ss_tot = sum(weighted().map(|(i, w)| w * square(ts[i] - mt)));
    let ss_res = sum(weighted().map(|(i, w)| w * square(ts[i] - intercept - slope * xs[i])));
    (intercept, slope, if ss_tot > 0.0 { 1.0 - ss_res / ss_tot } else { 1.0 })
}

/// The line through the points `keep` ([`line`]) and every point's relative residual from it.
fn residuals(xs: &[f64], ts: &[f64], keep: &[usize]) -> (f64, f64, f64, Vec<f64>) {
    let (intercept, slope, r2) = line(xs, ts, keep, true);
    let rel = xs.iter().zip(ts).map(|(&x, &t)| (t - intercept - slope * x).abs() / t).collect();
    (intercept, slope, r2, rel)
}

/// The sum of squared relative residuals of the points `keep` from their line.
fn spread(xs: &[f64], ts: &[f64], keep: &[usize]) -> f64 {
    let rel = residuals(xs, ts, keep).3;
    sum(keep.iter().map(|&i| square(rel[i])))
}

/// Why no line can be drawn through `points` at all, or None.
fn unplaceable(points: &[&Point]) -> Option<String> {
    if points.len() < 2 {
        return Some("fewer than two points".into());
    }
    // Relative residuals and logarithms need positive times and work; a zero time (a timer too coarse for
    // the point) cannot be fitted, nor one so small that its weight 1/time^2 overflows.
    if points.iter().any(|p| !(p.median() >= MIN_TIME_S && p.iterations > 0)) {
        return Some(format!("a point's time under {} s or its work not positive", g(MIN_TIME_S, 6)));
    }
    if points.iter().all(|p| p.iterations == points[0].iterations) {
        return Some("no spread in work: every point did the same iterations".into());
    }
    None
}

/// [`fit`]'s line, on points that are not [`unplaceable`].
fn line_of(points: &[&Point]) -> Fit {
    let n = points.len();
    let xs: Vec<f64> = points.iter().map(|p| p.iterations as f64).collect();
    let ts: Vec<f64> = points.iter().map(|p| p.median()).collect();
    let mut keep: Vec<usize> = (0..n).collect();
    let (intercept, slope, r2, rel) = loop {
        let (intercept, slope, r2, rel) = residuals(&xs, &ts, &keep);
        let worst = pymath::max(keep.iter().map(|&i| rel[i])).expect("at least two points kept");
        if worst <= OFF_LINE || keep.len() <= 3 {
            break (intercept, slope, r2, rel);
        }
        // Leave out the point whose absence leaves the rest closest to their line, not the one farthest
        // from this line: a point far off bends it until a good one looks worst; and the largest subset
        // that passes can be two slow points bending the line towards them, a good point dropped instead.
        let without = |i: usize| keep.iter().copied().filter(|&j| j != i).collect::<Vec<_>>();
        let dropped = pymath::min_by_key(keep.iter().copied(), |i| spread(&xs, &ts, &without(i)))
            .expect("more than three points kept");
        keep.retain(|&j| j != dropped);
    };
    // The log-log slope of all points by ordinary least squares: how time grows with work, whatever the
    // offset (never `line`'s 0.0 for work without spread: `unplaceable` refused that).
    let logs = |v: &[f64]| v.iter().map(|x| x.ln()).collect::<Vec<_>>();
    let exponent = line(&logs(&xs), &logs(&ts), &(0..n).collect::<Vec<_>>(), false).1;
    Fit {
        intercept_s: intercept,
        ns_per_iteration: slope * 1e9,
        r2,
        exponent,
        fitted_points: keep.len(),
        max_rel_residual: pymath::max(rel.iter().copied()).expect("at least two points"),
        off_line: rel.iter().enumerate().filter(|&(_, &r)| r > OFF_LINE).map(|(i, _)| i).collect(),
    }
}

/// The line through an axis's `points`, or None where they cannot be fitted ([`unfit`] says why).
pub fn fit(points: &[&Point]) -> Option<Fit> {
    if unplaceable(points).is_some() {
        return None;
    }
    Some(line_of(points)).filter(|f| f.ns_per_iteration > 0.0)
}

/// Why `points` cannot be fitted, or None when they can.
pub fn unfit(points: &[&Point]) -> Option<String> {
    if let Some(why) = unplaceable(points) {
        return Some(why);
    }
    // a cost that falls as work grows is no line to report
    (line_of(points).ns_per_iteration <= 0.0)
        .then(|| "time does not grow with work: the fitted cost per iteration is not positive".into())
}

/// The time the line gives for `iterations`.
fn predict(f: &Fit, iterations: f64) -> f64 {
    f.intercept_s + f.ns_per_iteration * 1e-9 * iterations
}

// --- the sweeps, axis by axis -----------------------------------------------------------------------

/// One axis of one sweep: its points in the sweep's order, and their fit.
pub struct Axis<'a> {
    pub sweep: &'a Sweep,
    pub name: &'a str,
    pub points: Vec<&'a Point>,
    pub fit: Option<Fit>,
}

/// A sweep's points by axis, the axes in the order their first point comes.
fn axes(sweep: &Sweep) -> Vec<(&str, Vec<&Point>)> {
    let mut out: Vec<(&str, Vec<&Point>)> = Vec::new();
    for p in &sweep.points {
        match out.iter_mut().find(|(axis, _)| *axis == p.axis) {
            Some((_, points)) => points.push(p),
            None => out.push((&p.axis, vec![p])),
        }
    }
    out
}

/// Every axis of every sweep, fitted.
pub fn fitted(sweeps: &[Sweep]) -> Vec<Axis<'_>> {
    let mut out = Vec::new();
    for sweep in sweeps {
        for (name, points) in axes(sweep) {
            out.push(Axis { sweep, name, fit: fit(&points), points });
        }
    }
    out
}

/// sweeps.json's `fits`.
pub fn fits(axes: &[Axis]) -> Vec<FitEntry> {
    axes.iter()
        .map(|a| FitEntry {
            kernel: a.sweep.kernel.clone(),
            axis: a.name.to_string(),
            points: a.points.len(),
            outcome: match &a.fit {
                Some(f) => Outcome::Fitted(f.clone()),
                None => Outcome::Unfit { unfit: unfit(&a.points) },
            },
        })
        .collect()
}

/// sweeps.csv's rows: every point, with its cost per iteration and the time its line gives.
pub fn csv_rows<'a>(axes: &[Axis<'a>]) -> Vec<CsvRow<'a>> {
    let mut rows = Vec::new();
    for a in axes {
        let s = a.sweep;
        for (i, p) in a.points.iter().enumerate() {
            rows.push(CsvRow {
                kernel: &s.kernel,
                isa: s.isa.as_deref(),
                precision: s.precision.as_deref(),
                threads: s.threads,
                axis: a.name,
                width: p.width,
                height: p.height,
                pixels: u128::from(p.width) * u128::from(p.height),
                max_iters: p.max_iters,
                iterations: p.iterations,
                min_s: &p.min_s,
                median_s: &p.median_s,
                timed_calls: p.times_s.as_ref().map_or(0, Vec::len),
                ns_per_iteration: (p.iterations > 0).then(|| p.seconds_per_iteration() * 1e9),
                fit_s: a.fit.as_ref().map(|f| predict(f, p.iterations as f64)),
                off_fit: a.fit.as_ref().is_some_and(|f| f.off_line.contains(&i)),
            });
        }
    }
    rows
}

// --- sweeps.md --------------------------------------------------------------------------------------

/// One sentence on where a fit is not linear, and which way each flagged point is off.
pub fn describe_fit(f: &Fit, points: &[&Point]) -> String {
    if f.off_line.is_empty() {
        let mut text = format!(
            "linear within {} everywhere (worst point {} off)",
            percent(OFF_LINE, 0),
            percent(f.max_rel_residual, 0)
        );
        let smallest = pymath::min_by_key(points.iter().copied(), |p| p.iterations).expect("points");
        let share = f.intercept_s / smallest.median();
        if share > 0.1 {
            text += &format!(
                "; a fixed part of {} ms (work that does not grow with the iterations, e.g. per pixel or per \
                 call) is {} of the smallest problem's time",
                fixed(f.intercept_s * 1e3, 3),
                percent(share, 0)
            );
        }
        if f.exponent > 1.02 {
            text +=
                &format!("; the cost per iteration grows with the work (time ~ iterations^{})", fixed(f.exponent, 3));
        }
        return text;
    }
    let mut work: Vec<u64> = points.iter().map(|p| p.iterations).collect();
    work.sort_unstable();
    let median_work = work[points.len() / 2];
    let parts: Vec<String> = f
        .off_line
        .iter()
        .map(|&i| {
            let p = points[i];
            let slower = p.median() > predict(f, p.iterations as f64);
            let way = if slower { "slower" } else { "faster" };
            let why = if slower && p.iterations <= median_work {
                "a small problem: fixed costs (thread start-up, per-call set-up) are not amortised"
            } else if slower {
                "a large problem: memory traffic or cache misses raise the cost per iteration"
            } else {
                "cheaper per iteration than the rest of the sweep"
            };
            format!("{}x{}/{} {way} than the line ({why})", p.width, p.height, p.max_iters)
        })
        .collect();
    parts.join("; ")
}

/// sweeps.md without the large image: a table of the fits, then every point.
pub fn markdown(axes: &[Axis], rows: &[CsvRow], machine_id: &str) -> String {
    let mut out = vec![
        format!("# Cost-growth sweeps on {}", md(machine_id)),
        String::new(),
        "Time against total iterations (sum of counts), fitted as time = a + b x iterations by least squares on \
         relative residuals (every point weighs alike across three decades). Exponent: p in time ~ \
         iterations^p (log-log slope; 1.00 is linear). Points more than 20% off the fit (relative to their own \
         time) are flagged; the fit leaves out points, one at a time, while one it keeps is that far off."
            .to_string(),
        String::new(),
        "| kernel | threads | axis | points | ns/iteration (slope) | intercept | R² | exponent | worst point off \
         | where not linear |"
            .to_string(),
        "| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |".to_string(),
    ];
    for a in axes {
        let threads = a.sweep.threads.map_or("None".to_string(), |t| t.to_string());
        let n = a.points.len();
        let mut row = format!("| {} | {} | {} | {n} ", md(&a.sweep.kernel), md(&threads), md(a.name));
        match &a.fit {
            Some(f) => {
                row += &format!(
                    "| {} | {} ms | {} | {} | {} | fitted on {} of {n} points; {} |",
                    fixed(f.ns_per_iteration, 3),
                    fixed(f.intercept_s * 1e3, 3),
                    fixed(f.r2, 4),
                    fixed(f.exponent, 3),
                    percent(f.max_rel_residual, 0),
                    f.fitted_points,
                    md(&describe_fit(f, &a.points))
                )
            }
            None => {
                row += &format!(
                    "{}| no fit: {} |",
                    "| — ".repeat(5),
                    md(&unfit(&a.points).unwrap_or_else(|| "None".into()))
                )
            }
        }
        out.push(row);
    }
    out.extend(
        ["", "## Points", "", "| kernel | axis | size | max_iters | iterations | median | ns/iteration |"]
            .map(String::from),
    );
    out.push("| --- | --- | ---: | ---: | ---: | ---: | ---: |".into());
    for r in rows {
        let ns = r.ns_per_iteration.map_or("—".to_string(), |ns| fixed(ns, 3));
        out.push(format!(
            "| {} | {} | {}x{} | {} | {} | {} ms | {ns}{} |",
            md(r.kernel),
            md(r.axis),
            r.width,
            r.height,
            r.max_iters,
            thousands(r.iterations),
            fixed(r.median_s.as_f64().unwrap_or(f64::NAN) * 1e3, 3),
            if r.off_fit { " (off fit)" } else { "" }
        ));
    }
    out.join("\n") + "\n"
}

/// sweeps.md's lines on the large image (`mandel render --json`).
pub fn large_markdown(r: &Large) -> Vec<String> {
    let mut times = r.times_s.clone();
    times.sort_by(|a, b| a.partial_cmp(b).unwrap_or(std::cmp::Ordering::Equal)); // stable, as Python's
    let per = match (r.user_s, r.sys_s) {
        (Some(user), Some(sys)) => format!("; per render user {} s, sys {} s", fixed(user, 3), fixed(sys, 3)),
        _ => String::new(),
    };
    let whole = match (r.process_user_s, r.process_sys_s) {
        (Some(user), Some(sys)) if user + sys > 0.0 => format!(
            "; the whole process: user {} s, sys {} s ({} system time)",
            fixed(user, 3),
            fixed(sys, 3),
            percent(sys / (user + sys), 1)
        ),
        _ => String::new(),
    };
    vec![
        String::new(),
        "## Large image".into(),
        String::new(),
        format!(
            "`{}` ({}, {} thread(s)) on {}x{} at {} iterations, in a fresh process: render {} s{per}; the counts \
             paged in before the clock in {} s{whole}.",
            md(&r.kernel),
            md(&r.isa),
            md(&r.threads.to_string()),
            r.width,
            r.height,
            r.max_iters,
            fixed(times[times.len() / 2], 3),
            fixed(r.paging_s, 3)
        ),
    ]
}

// --- the charts -------------------------------------------------------------------------------------

/// What an axis swept: `sizes 240..3840 px square, 200 iterations`.
pub fn axis_title(sweeps: &[Sweep], axis: &str) -> String {
    let pts: Vec<&Point> = sweeps.iter().flat_map(|s| &s.points).filter(|p| p.axis == axis).collect();
    let span = |mut v: Vec<u64>| {
        v.sort_unstable();
        (v[0], v[v.len() - 1])
    };
    match (axis, pts.first()) {
        ("size", Some(first)) => {
            let (lo, hi) = span(pts.iter().map(|p| p.width).collect());
            format!("sizes {lo}..{hi} px square, {} iterations", first.max_iters)
        }
        ("iters", Some(first)) => {
            let (lo, hi) = span(pts.iter().map(|p| p.max_iters).collect());
            format!("caps {lo}..{hi} iterations, {}x{}", first.width, first.height)
        }
        _ => axis.to_string(),
    }
}

/// Log-log plot of median time against iterations on one axis: a series per kernel, the fit dashed.
pub fn svg(axes: &[Axis], axis: &str, title: &str) -> String {
    let mut series: Vec<Series> = Vec::new();
    for a in axes.iter().filter(|a| a.name == axis) {
        // Log axes: a point with no time (or none measurable) or no work cannot be placed.
        let pts: Vec<&Point> =
            a.points.iter().copied().filter(|p| p.iterations > 0 && p.median() >= MIN_TIME_S).collect();
        if pts.is_empty() {
            continue;
        }
        // every point fitted, as the tables fit them: one unplaceable point means no fit anywhere
        let line = a.fit.as_ref().map(|f| {
            // a + b*x is curved on log-log axes unless a = 0: drawn through 33 points, where positive
            let lo = pts.iter().map(|p| p.iterations).min().expect("points");
            let hi = pts.iter().map(|p| p.iterations).max().expect("points");
            let ratio = int_div(hi, lo);
            (0..33)
                .map(|j| lo as f64 * pow(ratio, f64::from(j) / 32.0))
                .map(|x| (x, predict(f, x)))
                .filter(|&(_, t)| t > 0.0)
                .collect::<Vec<_>>()
        });
        series.push(Series {
            name: a.sweep.kernel.clone(),
            colour: PALETTE[series.len() % PALETTE.len()],
            points: pts.iter().map(|p| (p.iterations as f64, p.median())).collect(),
            fit: line,
        });
    }
    let any_fit = series.iter().any(|s| s.fit.as_ref().is_some_and(|f| !f.is_empty()));
    loglog_chart(
        title,
        &series,
        "total iterations (sum of counts)",
        "median time",
        |k| format!("1e{k}"),
        |k| format!("{} s", g(pow(10.0, f64::from(k)), 6)),
        any_fit.then_some("dashed: linear fit"),
    )
}

// --- the request ------------------------------------------------------------------------------------

/// The report on a [`Request`] (JSON), as JSON: [`Answer`].
pub fn answer(request: &str) -> Result<String, String> {
    let req: Request = crate::parse_request(request, "the sweeps' request", SCHEMA, |r: &Request| &r.schema)?;
    if req.large.as_ref().is_some_and(|l| l.times_s.is_empty()) {
        return Err("the sweeps' request: large.times_s is empty (the large image's report has no render)".into());
    }
    let axes = fitted(&req.sweeps);
    let rows = csv_rows(&axes);
    let mut text = markdown(&axes, &rows, &req.machine_id);
    if let Some(large) = &req.large {
        text += &large_markdown(large).join("\n");
        text += "\n";
    }
    let mut files = vec![("sweeps.md".to_string(), text)];
    let mut names: Vec<&str> = req.sweeps.iter().flat_map(|s| s.points.iter().map(|p| p.axis.as_str())).collect();
    names.sort_unstable();
    names.dedup();
    for axis in names {
        let title = format!("Time vs work, {} ({})", axis_title(&req.sweeps, axis), req.machine_id);
        files.push((format!("sweep-{axis}.svg"), svg(&axes, axis, &title)));
    }
    let cells = rows.iter().map(CsvRow::cells).collect::<Result<Vec<_>, _>>();
    let csv = crate::csv::text(&CSV_COLUMNS, cells.map_err(|e| format!("the sweeps' report: {e}"))?, "\n");
    let answer = Answer { schema: SCHEMA, fits: fits(&axes), csv, files: Files(files) };
    serde_json::to_string(&answer).map_err(|e| format!("the sweeps' report: {e}"))
}

#[cfg(test)]
mod tests {
    //! The fit's arithmetic and the report's shape; the fit on sweeps like the ladder's, the tables and
    //! the charts are tested through the binary, as the scripts ask it (scripts/tests/sweeps_report.py).
    use super::*;
    use serde_json::{Value, json};

    /// Points of one axis, time = overhead + ns * iterations, the (index, factor) pairs off the line.
    fn points(ns: f64, overhead: f64, bump: &[(usize, f64)]) -> Vec<Point> {
        let mut out: Vec<Point> = [240u64, 480, 960, 1920, 3840]
            .iter()
            .map(|&n| {
                let iterations = n * n * 200 / 4;
                let t = overhead + ns * 1e-9 * iterations as f64;
                serde_json::from_value(json!({"axis": "size", "width": n, "height": n, "max_iters": 200,
                    "iterations": iterations, "median_s": t, "min_s": t}))
                .expect("a point")
            })
            .collect();
        for &(i, factor) in bump {
            out[i].median_s = Number::from_f64(out[i].median() * factor).expect("finite");
        }
        out
    }

    fn refs(points: &[Point]) -> Vec<&Point> {
        points.iter().collect()
    }

    #[test]
    fn an_exact_line_is_recovered() {
        let pts = points(2.5, 1e-4, &[]);
        let f = fit(&refs(&pts)).expect("a line");
        assert!((f.ns_per_iteration - 2.5).abs() < 2.5e-9 && (f.intercept_s - 1e-4).abs() < 1e-10);
        assert!((f.r2 - 1.0).abs() < 1e-12 && f.off_line.is_empty() && f.max_rel_residual < 1e-9);
        assert!(0.9 < f.exponent && f.exponent < 1.0, "a fixed cost bends the log-log slope below 1");
        assert_eq!(f.fitted_points, 5);
    }

    #[test]
    fn a_point_off_the_line_is_left_out_and_flagged() {
        let pts = points(1.0, 0.0, &[(0, 3.0)]);
        let f = fit(&refs(&pts)).expect("a line");
        assert_eq!((f.off_line.clone(), f.fitted_points), (vec![0], 4));
        assert!((f.ns_per_iteration - 1.0).abs() < 0.05);
        assert!(describe_fit(&f, &refs(&pts)).starts_with("240x240/200 slower than the line (a small problem"));
    }

    #[test]
    fn three_points_are_kept_however_far_the_others_are() {
        // four of five far off, each its own way: any three still hold one off their line, and the fit stops
        // leaving out at three, flagging the ones off
        let pts = points(1.0, 0.0, &[(1, 4.0), (2, 0.2), (3, 6.0), (4, 0.05)]);
        let f = fit(&refs(&pts)).expect("a line");
        assert_eq!(f.fitted_points, 3);
        assert!(!f.off_line.is_empty());
    }

    #[test]
    fn a_point_below_the_line_is_called_cheaper() {
        let pts = points(1.0, 0.0, &[(3, 0.5)]);
        let f = fit(&refs(&pts)).expect("a line");
        assert_eq!(f.off_line, vec![3]);
        assert_eq!(
            describe_fit(&f, &refs(&pts)),
            "1920x1920/200 faster than the line (cheaper per iteration than the rest of the sweep)"
        );
    }

    #[test]
    fn points_without_a_line_say_why() {
        let pts = points(1.0, 0.0, &[]);
        assert_eq!(unfit(&refs(&pts[..1])).as_deref(), Some("fewer than two points"));
        let mut zero = points(1.0, 0.0, &[]);
        zero[2].median_s = Number::from_f64(0.0).expect("finite");
        assert_eq!(unfit(&refs(&zero)).as_deref(), Some("a point's time under 1e-12 s or its work not positive"));
        let mut same = points(1.0, 0.0, &[]);
        for p in &mut same {
            p.iterations = 1000;
        }
        assert!(unfit(&refs(&same)).is_some_and(|why| why.starts_with("no spread in work")));
        let falling = points(1.0, 0.0, &[(4, 1e-3)]);
        let falling = refs(&falling[3..]);
        assert!(fit(&falling).is_none());
        assert!(unfit(&falling).is_some_and(|why| why.starts_with("time does not grow with work")));
        assert_eq!(unfit(&refs(&pts)), None);
    }

    #[test]
    fn a_whole_number_of_seconds_divides_as_python_divides_ints() {
        let p: Point = serde_json::from_value(json!({"axis": "size", "width": 1, "height": 1, "max_iters": 1,
            "iterations": 11652879636272361973u64, "median_s": 1, "min_s": 1}))
        .expect("a point");
        // Python's 1 / 11652879636272361973, correctly rounded; as floats the divisor rounds first
        assert_eq!(p.seconds_per_iteration(), 8.5815698026028e-20);
        assert_eq!(1.0 / p.iterations as f64, 8.581569802602801e-20);
    }

    #[test]
    fn the_answer_holds_the_fits_the_rows_and_a_file_per_axis_in_order() {
        let pts: Vec<Value> = points(1.0, 0.0, &[])
            .iter()
            .map(|p| {
                json!({"axis": p.axis, "width": p.width, "height": p.height, "max_iters": p.max_iters,
                "iterations": p.iterations, "median_s": p.median_s, "min_s": 1, "extra": [1]})
            })
            .chain([json!({"axis": "iters", "width": 9, "height": 9, "max_iters": 5, "iterations": 405,
                "median_s": 2e-6, "min_s": 1e-6, "times_s": [1e-6, 2e-6]})])
            .collect();
        let request = json!({"schema": SCHEMA, "machine_id": "m", "sweeps": [{"kernel": "k", "threads": 2, "points": pts}],
            "large": {"kernel": "k", "isa": "avx2", "threads": 2, "width": 8, "height": 8, "max_iters": 5,
                "times_s": [2.0, 1.0, 3.0], "paging_s": 0.5, "process_user_s": 1, "process_sys_s": 1}});
        let text = answer(&request.to_string()).expect("an answer");
        // in the order written (a serde_json Map would sort them)
        let at = |name: &str| text.find(&format!(r#""{name}":"#)).expect(name);
        assert!(at("sweeps.md") < at("sweep-iters.svg") && at("sweep-iters.svg") < at("sweep-size.svg"));
        let answer: Value = serde_json::from_str(&text).expect("JSON");
        assert_eq!(answer["fits"][0]["axis"], "size");
        assert_eq!(answer["fits"][1]["unfit"], "fewer than two points");
        let csv: Vec<Vec<&str>> =
            answer["csv"].as_str().expect("text").lines().map(|l| l.split(',').collect()).collect();
        assert_eq!(csv[0], CSV_COLUMNS);
        assert_eq!(csv[1][10], "1"); // an int stays an int
        assert_eq!((csv[6][12], csv[6][14]), ("2", "")); // timed calls, and no fit
        let md = answer["files"]["sweeps.md"].as_str().expect("text");
        assert!(md.contains("| k | 2 | iters | 1 | — | — | — | — | — | no fit: fewer than two points |"), "{md}");
        assert!(
            md.ends_with(
                "render 2.000 s; the counts paged in before the clock in 0.500 s; the whole process: \
                              user 1.000 s, sys 1.000 s (50.0% system time).\n"
            ),
            "{md}"
        );
    }
}
