//! `scripts/compare` (`mandel-report compare-results`, which the script runs): ladder results compared,
//! several machines side by side or two runs of one machine, read from their summary.json files. The
//! summaries are read as `json.loads` reads them ([`pyloads`]) and checked by the checker ([`check`]), the
//! paths spelled and resolved as pathlib does ([`pyfile`]), the runs judged by [`verdict`] and written up by
//! [`compare`]. Exit 0; 1 when --fail-above or --fail-on-missing finds a rung to fail; 2 for an error.

use crate::compare::{self, Runs, Verdicts};
use crate::pyfile::{self, pure, strerror};
use crate::pyjson::{Py, PyStr};
use crate::pyvalue::str_repr;
use crate::rounds::MIN_ROUNDS;
use crate::summary::Summary;
use crate::verdict::{DEFAULT_NOISE_FLOOR, ROUNDS_NOISE_FLOOR};
use crate::{check, cli, machine, pyfmt, pyloads, verdict};
use clap::{CommandFactory, FromArgMatches, Parser, error::ErrorKind};
use std::ffi::OsString;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

const ABOUT: &str = "\
Compare ladder results (summary.json): several machines side by side, or two runs of one machine.

  scripts/compare results/A results/B [more ...]   machines: per rung each one's time, speedup over its own
                                                   pure Python, ISA path, threads, verification; X/A ratios
  scripts/compare --baseline NAME                  this machine's baseline NAME against its current results
  scripts/compare RUN_A RUN_B                      two runs of one machine: a verdict per rung

Results of different problems or settings are refused unless --allow-different. The script runs
`mandel-report compare-results` (crates/report: the verdicts, tables, sentences and chart): cargo builds it
(seconds; after scripts/ladder, a no-op), or MANDEL_REPORT_BIN names a built one (scripts/prebuilt's copy on
a machine without cargo).";

/// scripts/compare's command line. Paths are OsString: clap's PathBuf refuses an empty one, which [`pure`]
/// takes as `.`.
#[derive(Parser)]
#[command(name = "scripts/compare", bin_name = "scripts/compare", about = ABOUT)]
struct Args {
    /// results folders or their summary.json; the first is the reference (A)
    results: Vec<OsString>,
    /// compare this machine's baseline NAME (A; scripts/ladder --save-baseline NAME) with its current
    /// results (B; or with the one RESULTS given)
    #[arg(long, value_name = "NAME")]
    baseline: Option<String>,
    /// with --baseline: the machine whose results to use (default: this one)
    #[arg(long)]
    machine_id: Option<String>,
    /// with --baseline: the results folder holding baselines/ (default: results/<machine-id>)
    #[arg(long)]
    results_dir: Option<OsString>,
    /// runs: verdicts for two runs of one machine; machines: side by side; auto (default): runs for
    /// --baseline or two results of one machine id
    #[arg(long, value_parser = ["auto", "runs", "machines"], default_value = "auto")]
    mode: String,
    // its help: `parse`'s, which states the floors
    #[arg(long, value_name = "PCT", value_parser = cli::floor_percent)]
    noise_floor: Option<f64>,
    /// runs: exit 1 if a rung is `slower` (past its floor) by more than PCT percent, or fails verification in B
    #[arg(long, value_name = "PCT", value_parser = limit_percent)]
    fail_above: Option<f64>,
    /// runs: also exit 1 if a rung is missing on a side
    #[arg(long)]
    fail_on_missing: bool,
    /// compare results of different problems or settings (or machines, for runs) anyway
    #[arg(long)]
    allow_different: bool,
    /// also write the comparison as markdown here
    #[arg(long)]
    md: Option<OsString>,
    /// write the grouped bar chart here (default: next to --md, .svg)
    #[arg(long)]
    svg: Option<OsString>,
}

/// --fail-above: finite (inf would say "never", which is leaving the flag out).
fn limit_percent(text: &str) -> Result<f64, String> {
    Some(cli::percent(text)?)
        .filter(|v| v.is_finite())
        .ok_or_else(|| format!("must be a finite percentage: {}", cli::py_repr(text)))
}

/// `baseline.check_folder_name`: one folder name, or why not ([`machine::folder_name`]).
fn check_folder_name(name: &str, what: &str) -> Result<(), String> {
    machine::folder_name(&name.into(), what)
}

/// The arguments, or clap's message and exit 2 (0 for --help), the checks between options included.
fn parse(argv: Vec<OsString>) -> Args {
    let noise = format!(
        "runs: a change must exceed this to be faster/slower, a percentage below 100 (default: {}% for rows in \
         rounds, or a rung's wider spread of rounds; {}% for others)",
        pyfmt::g(ROUNDS_NOISE_FLOOR * 100.0, 6),
        pyfmt::g(DEFAULT_NOISE_FLOOR * 100.0, 6)
    );
    let mut command = Args::command().mut_arg("noise_floor", |a| a.help(noise));
    let matches = cli::matches(command.clone(), "scripts/compare", argv).unwrap_or_else(|e| e.exit());
    let args = Args::from_arg_matches(&matches).unwrap_or_else(|e| e.exit());
    let refused = match () {
        _ if args.baseline.is_some() && args.results.len() > 1 => {
            Some("--baseline takes at most one RESULTS (the B side)".into())
        }
        _ if args.baseline.is_none() && args.results.is_empty() => {
            Some("give results folders (or summary.json files) to compare, or --baseline NAME".into())
        }
        _ if args.baseline.is_none() && (args.machine_id.is_some() || args.results_dir.is_some()) => {
            let flag = if args.machine_id.is_some() { "--machine-id" } else { "--results-dir" };
            Some(format!("{flag} picks the machine whose baseline --baseline NAME compares: give --baseline too"))
        }
        _ if args.mode == "machines" && args.noise_floor.is_some() => {
            Some("--noise-floor judges two runs of one machine (--mode runs), not machines side by side".into())
        }
        _ => args.machine_id.as_deref().and_then(|id| check_folder_name(id, "--machine-id").err()),
    };
    if let Some(message) = refused {
        command.error(ErrorKind::ArgumentConflict, message).exit();
    }
    args
}

/// scripts/compare: its arguments in (`repo`: the repository, whose `results/<machine-id>` holds this
/// machine's results), its exit status out.
pub fn main(repo: &Path, argv: Vec<OsString>) -> ExitCode {
    let args = parse(argv);
    run(repo, &args).unwrap_or_else(|message| cli::error("compare", &message))
}

/// `Path(p) / "summary.json"` where `p` is a folder.
fn summary_file(p: &Path) -> PathBuf {
    if p.is_dir() { pyfile::child(p, "summary.json") } else { pure(p) }
}

fn run(repo: &Path, args: &Args) -> Result<ExitCode, String> {
    let (md, svg) = (args.md.as_deref().map(|p| pure(p.as_ref())), args.svg.as_deref().map(|p| pure(p.as_ref())));
    for (flag, out) in [("--md", &md), ("--svg", &svg)] {
        out.as_deref().map_or(Ok(()), |out| check_output_path(flag, out))?;
    }
    let svg_path = svg.clone().or_else(|| md.as_deref().map(|md| pyfile::with_suffix(md, ".svg")));
    if let (Some(md), Some(chart)) = (&md, &svg_path)
        && same_file(md, chart)
    {
        let how = match &svg {
            Some(_) => format!("--svg {}", chart.display()),
            None => format!("the chart's default path, --md with .svg ({})", chart.display()),
        };
        return Err(format!(
            "--md {} and {how} are one file: the chart would overwrite the markdown; give them different paths",
            md.display()
        ));
    }
    let paths = input_paths(repo, args)?; // the baseline's and the results folder's summaries too: never an output
    let compared: Vec<PathBuf> = paths.iter().map(|p| summary_file(p)).collect();
    for (flag, out) in [("--md", &md), ("--svg", &svg_path)] {
        if let Some(out) = out {
            check_writable(out, &compared).map_err(|e| format!("cannot write {flag} {}: {e}", out.display()))?;
        }
    }
    let summaries = paths.iter().map(|p| read_summary(p)).collect::<Result<Vec<_>, _>>()?;
    let ids: Vec<&Py> = summaries.iter().map(|s| s.value.get("machine_id")).collect();
    let runs_mode = judges_runs(&args.mode, args.baseline.is_some(), &ids);
    if runs_mode && summaries.len() != 2 {
        return Err("comparing runs takes exactly two results".into());
    }
    if !runs_mode && (args.fail_above.is_some() || args.fail_on_missing || args.noise_floor.is_some()) {
        return Err("--noise-floor/--fail-above/--fail-on-missing judge two runs of one machine (--mode runs): these \
                    results are of different machines"
            .into());
    }
    let sets = summaries.iter().map(Read::summary).collect::<Result<Vec<_>, _>>()?;
    let (mut runs, mut bad) = (None, vec![]);
    if runs_mode {
        let names = match &args.baseline {
            None => [summaries[0].source(), summaries[1].source()],
            Some(name) => {
                let b = args.results.first().map_or("current".into(), |r| pure(r.as_ref()).display().to_string());
                [format!("baseline {name}"), b]
            }
        };
        let floor = args.noise_floor.unwrap_or(DEFAULT_NOISE_FLOOR);
        let rounds_floor = args.noise_floor.unwrap_or(ROUNDS_NOISE_FLOOR);
        let request = verdict::Request {
            schema: verdict::SCHEMA.into(),
            a: summaries[0].run()?,
            b: summaries[1].run()?,
            noise_floor: floor,
            rounds_floor,
            min_rounds: MIN_ROUNDS,
            interleaved: false,
            fail_above: args.fail_above,
            fail_on_missing: args.fail_on_missing,
        };
        let report = verdict::checked_report(&request)?;
        bad.clone_from(&report.failures);
        let report = Verdicts::from_report(report, &sets[0].rows, &sets[1].rows);
        runs = Some(Runs { names, report, noise_floor: floor, rounds_floor });
    }
    // every text made before either file is written: a chart that cannot be drawn leaves no new markdown
    // beside an old chart
    let out = compare::render(&sets, runs_mode, runs.as_ref(), md.is_some(), svg_path.is_some())?;
    let mut stdout = std::io::stdout().lock();
    let mut say = |text: String| writeln!(stdout, "{text}").map_err(|e| format!("standard output: {}", strerror(&e)));
    if !out.differences.is_empty() {
        let what: Vec<String> = out.differences.iter().map(|d| format!("  - {d}")).collect();
        if !args.allow_different {
            return Err(format!(
                "the results differ in problem or settings:\n{}\nTheir times are not comparable; pass \
                 --allow-different to compare them anyway.",
                what.join("\n")
            ));
        }
        say(format!("warning: comparing results that differ (--allow-different):\n{}\n", what.join("\n")))?;
    }
    say(out.text)?;
    if let (Some(md), Some(text)) = (&md, &out.markdown) {
        write_output("--md", md, text)?;
    }
    if !bad.is_empty() {
        say(format!("\nFAIL: {}", bad.join("; ")))?;
    }
    if let Some(md) = &md {
        say(format!("\nmarkdown written to {}", md.display()))?;
    }
    if let (Some(chart), Some(text)) = (&svg_path, &out.svg) {
        write_output("--svg", chart, text)?;
        say(format!("chart written to {}", chart.display()))?;
    }
    Ok(if bad.is_empty() { ExitCode::SUCCESS } else { ExitCode::from(1) })
}

/// Whether `--mode` (`mode`) judges two runs of one machine rather than setting machines side by side: auto
/// does for a baseline, or two results of one machine id (`ids`: each summary's).
fn judges_runs(mode: &str, baseline: bool, ids: &[&Py]) -> bool {
    match mode {
        "auto" => baseline || matches!(ids, [a, b] if a.py_eq(b)),
        mode => mode == "runs",
    }
}

/// The summaries (or folders holding one) compared, A first: the results given, or the baseline's summary
/// and the current results (the one RESULTS given, else the results folder).
fn input_paths(repo: &Path, args: &Args) -> Result<Vec<PathBuf>, String> {
    let Some(name) = &args.baseline else {
        return Ok(args.results.iter().map(|r| pure(r.as_ref())).collect());
    };
    let results_dir = match (&args.results_dir, &args.machine_id) {
        (Some(dir), _) => pure(dir.as_ref()),
        (None, id) => pure(&repo.join("results").join(match id {
            Some(id) => id.clone(),
            None => machine::this_machine_id(),
        })),
    };
    let current = args.results.first().map_or_else(|| results_dir.clone(), |r| pure(r.as_ref()));
    Ok(vec![baseline_summary(&results_dir, name)?, current])
}

/// results_dir/baselines/NAME/summary.json, after finishing what a killed save left
/// ([`repair_swaps`]), or why there is none, naming the baselines there are.
fn baseline_summary(results_dir: &Path, name: &str) -> Result<PathBuf, String> {
    check_folder_name(name, "baseline name")?;
    let base = pyfile::child(results_dir, "baselines");
    let path = pyfile::child(&pyfile::child(&base, name), "summary.json");
    if !path.exists() {
        repair_swaps(&base)?; // a save killed between its two renames left the earlier one as .NAME.old-PID
    }
    if path.exists() {
        return Ok(path);
    }
    let mut have: Vec<String> = std::fs::read_dir(&base)
        .into_iter()
        .flatten()
        .flatten()
        .filter(|e| e.path().is_dir())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| !n.starts_with('.'))
        .collect();
    have.sort();
    let there = if have.is_empty() {
        "none saved there yet; make one with scripts/ladder --save-baseline NAME".into()
    } else {
        format!("baselines there: {}", have.join(", "))
    };
    Err(format!("no baseline {} in {} ({there})", str_repr(name), base.display()))
}

/// `atomic.repair_swaps`: in `folder`, a `.NAME.old-PID` whose process is gone is renamed back to NAME where
/// NAME is missing (the save stopped between its two renames), else removed, as is a `.NAME.tmp-PID`.
fn repair_swaps(folder: &Path) -> Result<(), String> {
    let Ok(entries) = std::fs::read_dir(folder) else { return Ok(()) };
    let mut names: Vec<OsString> = entries.flatten().map(|e| e.file_name()).collect();
    names.sort();
    for entry in names.iter().filter_map(|n| n.to_str()) {
        let Some((dest, kind, pid)) = swap_name(entry) else { continue };
        let path = folder.join(entry);
        if !std::fs::symlink_metadata(&path).is_ok_and(|m| m.is_dir()) || pyfile::pid_alive(pid) {
            continue;
        }
        let dest = folder.join(dest);
        if kind == "old" && std::fs::symlink_metadata(&dest).is_err() {
            std::fs::rename(&path, &dest).map_err(|e| format!("{}: {}", path.display(), strerror(&e)))?;
        } else {
            let _ = std::fs::remove_dir_all(&path);
        }
    }
    Ok(())
}

/// `.NAME.tmp-PID` or `.NAME.old-PID` (as `atomic.staging` and `swap_in` name them): (NAME, tmp or old, PID).
fn swap_name(entry: &str) -> Option<(&str, &str, &str)> {
    let (rest, pid) = entry.strip_prefix('.')?.rsplit_once('-')?;
    let (dest, kind) = rest.rsplit_once('.')?;
    let ok = !dest.is_empty()
        && ["tmp", "old"].contains(&kind)
        && !pid.is_empty()
        && pid.bytes().all(|b| b.is_ascii_digit());
    ok.then_some((dest, kind, pid))
}

/// `check_output_path`: an output path that names no file, refused before anything else: a folder's
/// spelling (`.`, `/`, `..`), or a symlink loop.
fn check_output_path(flag: &str, out: &Path) -> Result<(), String> {
    let refused = |why: String| Err(format!("cannot write {flag} {}: {why}", out.display()));
    if [&b""[..], b".", b".."].contains(&&pyfile::name(out)[..]) {
        return refused("it names a folder, not a file".into());
    }
    if let Err(why) = pyfile::resolve(out) {
        return refused(why);
    }
    match std::fs::metadata(out) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => refused(strerror(&e)),
        _ => Ok(()), // a new file: check_writable says whether its folder exists
    }
}

/// Whether two paths name one file: one spelling once links are resolved, or one inode (a hard link). A
/// path that cannot be resolved (a symlink loop) names no file another path names.
fn same_file(one: &Path, other: &Path) -> bool {
    let (Ok(a), Ok(b)) = (pyfile::resolve(one), pyfile::resolve(other)) else { return false };
    a == b || {
        use std::os::unix::fs::MetadataExt;
        match (std::fs::metadata(one), std::fs::metadata(other)) {
            (Ok(a), Ok(b)) => (a.dev(), a.ino()) == (b.dev(), b.ino()),
            _ => false,
        }
    }
}

/// `check_writable`: an output refused before anything is read or printed: one of the files compared
/// (writing it would overwrite an input), a folder, device or FIFO (a symlink is written through), a
/// missing folder.
fn check_writable(out: &Path, compared: &[PathBuf]) -> Result<(), String> {
    if let Some(input) = compared.iter().find(|p| same_file(out, p)) {
        return Err(format!(
            "it is {}, one of the summaries compared: writing it would overwrite that input",
            input.display()
        ));
    }
    let target = pyfile::realpath(out);
    let kind = match std::fs::metadata(&target) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => return Err(format!("{}: cannot write the output there: {}", out.display(), strerror(&e))),
        Ok(meta) => Some(meta.file_type()),
    };
    if let Some(kind) = kind.filter(|k| !k.is_file()) {
        let what = pyfile::kind(kind);
        let via = if target == pyfile::absolute(out) {
            String::new()
        } else {
            format!(" (what {} resolves to)", out.display())
        };
        return Err(format!(
            "{}{via} is {what}, not a regular file: refusing to write the output there (writes replace regular files only)",
            target.display()
        ));
    }
    let folder = target.parent().unwrap_or(Path::new("/"));
    if !folder.is_dir() {
        return Err(format!("folder {} does not exist", folder.display()));
    }
    Ok(())
}

/// Write a whole file or none (crates/atomic); a failure is a clear error, exit 2.
fn write_output(flag: &str, path: &Path, text: &str) -> Result<(), String> {
    mandel_atomic::write_via_temp(path, |out| out.write_all(text.as_bytes()))
        .map_err(|e| format!("cannot write {flag} {}: {}", path.display(), strerror(&e)))
}

/// A summary as read and checked: its file and value.
struct Read {
    path: PathBuf,
    value: Py,
}

/// `readers.read_summary`: a summary.json (or the folder holding one), every field compare reads checked.
fn read_summary(p: &Path) -> Result<Read, String> {
    let path = summary_file(p);
    let value = pyfile::load_json(&path)?;
    check::check_summary(&value, &path.display().to_string())?;
    Ok(Read { path, value })
}

impl Read {
    /// What the summary says it came from (its own `source`), else its path.
    fn source(&self) -> String {
        match self.value.get("source") {
            Py::None if !self.value.has("source") => self.path.display().to_string(),
            source => source.str(),
        }
    }

    /// The summary's `keys` read as a `T` through their JSON: the one way its values reach the reports,
    /// which refuse what JSON cannot hold (a NaN in a field no check reads).
    fn parsed<T: serde::de::DeserializeOwned>(&self, keys: &[&str]) -> Result<T, String> {
        let items = keys.iter().filter(|k| self.value.has(k)).map(|&k| (PyStr::from(k), self.value.get(k).clone()));
        let text =
            pyloads::dumps(&Py::Dict(items.collect())).map_err(|e| format!("{} holds {e}", self.path.display()))?;
        serde_json::from_str(&text).map_err(|e| format!("{}: {e}", self.path.display()))
    }

    /// The set the comparison writes up: its machine, rows and settings.
    fn summary(&self) -> Result<Summary, String> {
        self.parsed(&["machine_id", "machine", "rows", "settings"])
    }

    /// The run the verdicts read: its rows and settings.
    fn run(&self) -> Result<verdict::Run, String> {
        self.parsed(&["rows", "settings"])
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;

    use crate::scratch;

    #[test]
    fn fail_above_is_a_finite_percentage() {
        assert_eq!(limit_percent("1e6"), Ok(1e4));
        assert_eq!(limit_percent("1e999"), Err("must be a finite percentage: '1e999'".into()));
        assert_eq!(limit_percent("100"), Ok(1.0));
    }

    #[test]
    fn folder_names_are_one_folder_each() {
        for good in ["main-2026.11_25", "a", "A9"] {
            assert_eq!(check_folder_name(good, "baseline name"), Ok(()));
        }
        for bad in ["", "../x", "a/b", ".hidden", "-x", "with space", "é"] {
            let err = check_folder_name(bad, "baseline name").unwrap_err();
            assert!(err.starts_with(&format!("baseline name {}: use letters", str_repr(bad))), "{err}");
        }
        let long = "a".repeat(crate::machine::MAX_NAME + 1);
        assert_eq!(
            check_folder_name(&long, "--machine-id"),
            Err(format!("--machine-id '{}'... is 201 characters long: at most 200 (one folder name)", "a".repeat(40)))
        );
    }

    #[test]
    fn auto_mode_judges_a_baseline_or_two_results_of_one_machine_as_runs() {
        let (m, n) = (Py::Str("m".into()), Py::Str("n".into()));
        assert!(judges_runs("auto", false, &[&m, &m]));
        assert!(!judges_runs("auto", false, &[&m, &n]));
        assert!(!judges_runs("auto", false, &[&m, &m, &m]));
        assert!(judges_runs("auto", true, &[&m, &n]));
        assert!(judges_runs("runs", false, &[&m, &n, &m]));
        assert!(!judges_runs("machines", true, &[&m, &m]));
    }

    /// An output that names no file, one of the inputs (by any spelling or a hard link), or anything but a
    /// regular file once links are followed, is refused with what it is; a link to a file is written through.
    #[test]
    fn outputs_are_checked_before_any_work() {
        let dir = scratch("outputs");
        let input = dir.join("a.json");
        fs::write(&input, "{}").unwrap();
        fs::hard_link(&input, dir.join("hard")).unwrap();
        fs::create_dir(dir.join("sub")).unwrap();
        std::os::unix::fs::symlink("loop", dir.join("loop")).unwrap();
        std::os::unix::fs::symlink("a.json", dir.join("link")).unwrap();
        std::os::unix::fs::symlink("sub", dir.join("linkdir")).unwrap();
        std::os::unix::fs::symlink("/dev/null", dir.join("null")).unwrap();
        assert!(std::process::Command::new("mkfifo").arg(dir.join("fifo")).status().unwrap().success());
        let named = |p: &str| check_output_path("--md", &pure(&dir.join(p))).err().unwrap_or_default();
        for folder in [".", "..", "/", "", "./."] {
            let refused = check_output_path("--svg", &pure(Path::new(folder)));
            assert_eq!(
                refused,
                Err(format!("cannot write --svg {}: it names a folder, not a file", pure(Path::new(folder)).display()))
            );
        }
        assert_eq!(named("sub/."), "", "Path drops the last `.`: sub, a folder, which check_writable refuses");
        assert!(named("loop").ends_with(&format!(": Symlink loop from '{}'", dir.join("loop").display())));
        assert!(named("a.json/x").ends_with(": Not a directory"));
        assert_eq!(named("new.md"), "");
        let writable =
            |p: &str| check_writable(&pure(&dir.join(p)), std::slice::from_ref(&input)).err().unwrap_or_default();
        for same in ["a.json", "./sub/../a.json", "hard", "link"] {
            assert!(writable(same).starts_with(&format!("it is {}, one of the summaries", input.display())), "{same}");
        }
        assert!(writable("fifo").ends_with(
            "fifo is a FIFO, not a regular file: refusing to write the output there (writes replace regular files only)"
        ));
        assert_eq!(
            writable("null"),
            format!(
                "/dev/null (what {} resolves to) is a character device, not a regular file: refusing to write the output there (writes replace regular files only)",
                dir.join("null").display()
            )
        );
        assert!(writable("linkdir").contains("sub (what ") && writable("linkdir").contains("is a folder"));
        assert_eq!(writable("none/x.md"), format!("folder {} does not exist", dir.join("none").display()));
        assert_eq!((writable("new.md"), writable("sub/x.md")), (String::new(), String::new()));
        assert!(same_file(&dir.join("link"), &dir.join("hard")) && !same_file(&dir.join("loop"), &dir.join("loop")));
        fs::remove_dir_all(&dir).unwrap();
    }

    /// A baseline is found under baselines/NAME; a save killed between its two renames is finished first
    /// (its earlier copy renamed back), a dead save's temporary copy removed, a live one's left; a missing
    /// baseline names those there are.
    #[test]
    fn a_baseline_is_found_after_a_killed_save_is_repaired() {
        let dir = scratch("baselines");
        let base = dir.join("baselines");
        let dead = 4_194_305; // above the kernel's pid_max (at most 2^22): no process has it
        let live = std::process::Command::new("sleep").arg("30").spawn().unwrap();
        for folder in [
            format!(".before.old-{dead}"),
            format!(".before.tmp-{dead}"),
            format!(".x.old-{}", live.id()),
            "kept".into(),
            ".hidden".into(),
        ] {
            fs::create_dir_all(base.join(folder)).unwrap();
        }
        fs::write(base.join(format!(".before.old-{dead}/summary.json")), "{}").unwrap();
        fs::write(base.join("file"), "").unwrap();
        assert_eq!(baseline_summary(&dir, "before"), Ok(base.join("before/summary.json")));
        let mut left: Vec<String> =
            fs::read_dir(&base).unwrap().map(|e| e.unwrap().file_name().into_string().unwrap()).collect();
        left.sort();
        assert_eq!(
            left,
            [".hidden".into(), format!(".x.old-{}", live.id()), "before".into(), "file".into(), "kept".into()]
        );
        assert_eq!(
            baseline_summary(&dir, "after"),
            Err(format!("no baseline 'after' in {} (baselines there: before, kept)", base.display()))
        );
        assert_eq!(
            baseline_summary(&dir.join("none"), "x"),
            Err(format!(
                "no baseline 'x' in {} (none saved there yet; make one with scripts/ladder --save-baseline NAME)",
                dir.join("none/baselines").display()
            ))
        );
        assert!(baseline_summary(&dir, "../x").unwrap_err().starts_with("baseline name '../x': use letters"));
        let mut live = live;
        live.kill().unwrap();
        live.wait().unwrap();
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_swap_folder_is_named_as_atomic_py_names_it() {
        assert_eq!(swap_name(".a-b.old-12"), Some(("a-b", "old", "12")));
        assert_eq!(swap_name(".x.y.tmp-7"), Some(("x.y", "tmp", "7")));
        for other in ["..old-1", ".x.old-", ".x.old-1a", ".x.kept-1", "x.old-1", ".x.old-12-3"] {
            assert_eq!(swap_name(other), None, "{other}");
        }
    }
}
