//! `scripts/ab` and `scripts/stability` (`mandel-report ab-rounds --repo REPO -- ARGS...`): an interleaved A/B
//! measurement of the Rust kernels, and the A/A stability check. The builds, their locks and the
//! revision's worktree are [`crate::ab_build`]'s; the rounds' checks and rows ([`check`], [`rounds`]), the
//! tunings ([`tunings`]), the machine ([`machine`]), the verdicts ([`verdict`]) and the report ([`ab`]) are
//! this crate's, called here. clap parses the options ([`parse`]); the log lines go to standard error
//! ([`ab_build::log`]), the report to standard output, the rounds and verdicts to --out.

use crate::ab_build::{self, Stop, log};
use crate::check::py_strip;
use crate::compare::{Runs, Verdicts};
use crate::pyfile::{self, pure};
use crate::pyjson::{Int, Py, PyStr};
use crate::{ab, check, cli, machine, pyfmt, rounds, tunings, verdict};
use clap::{CommandFactory, FromArgMatches, Parser, error::ErrorKind};
use serde_json::Value;
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use std::time::Instant;

use crate::verdict::{DEFAULT_NOISE_FLOOR, ROUNDS_NOISE_FLOOR};
/// --rounds' range (the ladder's too: crates/report/src/rounds.rs), as an int on the command line.
const MIN_ROUNDS: i128 = rounds::MIN_ROUNDS as i128;
const MAX_ROUNDS: i128 = rounds::MAX_ROUNDS as i128;
/// raw/rounds.json's schema, which each side's rounds take in --out.
const ROUNDS_SCHEMA: &str = "mandel-rounds/1";
/// The first argument scripts/stability passes: the command then parses as scripts/stability (its name, its
/// help, only the options an A/A check takes), so that `scripts/stability --help` describes it.
pub const STABILITY: &str = "--as-stability";

const AB_DOC: &str =
    "Interleaved A/B measurement of the Rust kernels, and the A/A stability check (`scripts/ab`, `scripts/stability`).

  scripts/ab --a-rev REV                 REV's `mandel` (built in a git worktree under target/ab/) against the
                                         working tree's
  scripts/ab --b-env MANDEL_TUNING=default
                                         one binary, two environments (the path's default tuning against the
                                         chosen one, MANDEL_ISA=avx2, ...)
  scripts/stability                      `--aa`: the working tree against itself, two passes back to back: how
                                         many verdicts an unchanged tree gets on this machine

A and B run `mandel bench --round N` alternately (ABBA: A first in even rounds), so a contention episode or
a clock change hits both alike: on a shared machine the trustworthy way to compare two builds. The verdicts
are `scripts/compare`'s rule for rows measured in rounds (`mandel-report verdicts`). Both sides get the same SIMD
and C tunings: the environment's, else results/<machine-id>/tuning.json, else `mandel tune` run once now.
Exit status: 0; 1 with `--fail-on-verdict` when a rung is not `no change` (failing or missing included); 2 for
bad arguments, a failed round or command (one that cannot be run, or prints no JSON) or a file that cannot be
written.";

const STABILITY_DOC: &str =
    "The A/A stability check (`scripts/stability`, the same as `scripts/ab --aa`): the working tree's Rust
kernels measured in two passes of rounds, back to back, judged by `scripts/compare`'s verdict rule; prints each
rung's spread and how many verdicts other than `no change` (each a false verdict: the code did not change) this
machine gives. Run it on a new machine before trusting a verdict there. Both passes get the same SIMD and C
tunings: the environment's, else results/<machine-id>/tuning.json, else `mandel tune` run once now.
Exit status: 0; 1 with `--fail-on-verdict` when a rung is not `no change`; 2 for bad arguments, a failed round or
command, or a file that cannot be written.";

/// The options scripts/stability takes too: an A/A check's.
#[derive(clap::Args, Debug, Default, PartialEq)]
pub struct Common {
    /// rounds per side (default: the ladder's, 15; 5 with --quick)
    #[arg(long, value_parser = cli::py_int)]
    pub rounds: Option<i128>,
    /// the quick settings: a first look
    #[arg(long)]
    pub quick: bool,
    /// only these kernels (repeatable)
    #[arg(short, long)]
    pub kernel: Vec<String>,
    // its help: `parse`'s, which states the default floor
    #[arg(long, value_name = "PCT", value_parser = cli::floor_percent)]
    pub noise_floor: Option<f64>,
    /// also write the result (both sides' rounds, the verdicts) as JSON here
    #[arg(long)]
    pub out: Option<OsString>,
    /// exit 1 if any rung is not `no change`: faster, slower, failing verification or not timed on a side (a
    /// rung timed on neither, e.g. an ISA the machine lacks, is left out)
    #[arg(long)]
    pub fail_on_verdict: bool,
}

/// scripts/ab's command line. Paths are OsString: clap's PathBuf refuses an empty one, which [`pure`] takes as `.`.
#[derive(Parser, Debug, Default, PartialEq)]
#[command(name = "scripts/ab", bin_name = "scripts/ab", about = AB_DOC)]
pub struct Args {
    /// A is `mandel` built from this git revision (default: the working tree's, like B); it must have `mandel
    /// bench`
    #[arg(long, value_name = "REV")]
    pub a_rev: Option<String>,
    /// set VAR for A's rounds (repeatable)
    #[arg(long, value_name = "VAR=VALUE", value_parser = assignment)]
    pub a_env: Vec<(String, String)>,
    /// set VAR for B's rounds (repeatable)
    #[arg(long, value_name = "VAR=VALUE", value_parser = assignment)]
    pub b_env: Vec<(String, String)>,
    /// the A/A stability check, scripts/stability (implies --sequential)
    #[arg(long)]
    pub aa: bool,
    /// all of A's rounds, then all of B's (two ladders back to back) instead of alternating
    #[arg(long)]
    pub sequential: bool,
    #[command(flatten)]
    pub common: Common,
}

/// scripts/stability's: scripts/ab --aa, with only the options an A/A check takes.
#[derive(Parser)]
#[command(name = "scripts/stability", bin_name = "scripts/stability", about = STABILITY_DOC)]
struct Stability {
    #[command(flatten)]
    common: Common,
}

/// `VAR=VALUE`: a name of letters, digits and underscores, and its value (empty: the variable cleared).
fn assignment(text: &str) -> Result<(String, String), String> {
    match text.split_once('=') {
        Some((name, value))
            if !name.is_empty()
                && name.replace('_', "").chars().all(char::is_alphanumeric)
                && !name.replace('_', "").is_empty() =>
        {
            Ok((name.into(), value.into()))
        }
        _ => Err(format!("{}: expected VAR=VALUE", cli::py_repr(text))),
    }
}

/// The command line (scripts/stability's after its first argument, [`STABILITY`]), parsed and checked, --out
/// included; clap's error (exit 2) or the help asked for (exit 0).
pub fn parse(mut argv: Vec<OsString>) -> clap::error::Result<Args> {
    let stability = argv.first().is_some_and(|a| a == STABILITY);
    let command = if stability { Stability::command() } else { Args::command() };
    let noise = format!(
        "smallest change called faster/slower, in percent as scripts/compare takes it (default {}; a rung whose \
         rounds spread wider gets that spread as its floor)",
        pyfmt::g(ROUNDS_NOISE_FLOOR * 100.0, 6)
    );
    let mut command = command.mut_arg("noise_floor", |a| a.help(noise));
    let prog = command.get_name().to_string();
    let matches = cli::matches(command.clone(), &prog, argv.split_off(usize::from(stability)))?;
    let mut args = if stability {
        Args { aa: true, common: Stability::from_arg_matches(&matches)?.common, ..Args::default() }
    } else {
        Args::from_arg_matches(&matches)?
    };
    args.sequential |= args.aa;
    let mut refuse = |message: String| Err(command.error(ErrorKind::ValueValidation, message));
    if args.aa && (args.a_rev.is_some() || !args.a_env.is_empty() || !args.b_env.is_empty()) {
        return refuse("--aa compares the working tree with itself: no --a-rev, --a-env or --b-env".into());
    }
    if let Some(n) = args.common.rounds.filter(|n| !(MIN_ROUNDS..=MAX_ROUNDS).contains(n)) {
        return refuse(format!("--rounds {n}: from {MIN_ROUNDS} to {MAX_ROUNDS}"));
    }
    if let Some(Err(why)) = args.common.out.as_deref().map(|out| pyfile::check_output(out.as_ref(), "--out")) {
        return refuse(why);
    }
    Ok(args)
}

/// The rounds of A and B in order: ABBA (A first in even rounds), or all of A's then all of B's.
pub fn plan(n: usize, sequential: bool) -> Vec<(char, usize)> {
    if sequential {
        return ['A', 'B'].into_iter().flat_map(|side| (0..n).map(move |r| (side, r))).collect();
    }
    (0..n).flat_map(|r| if r % 2 == 0 { [('A', r), ('B', r)] } else { [('B', r), ('A', r)] }).collect()
}

/// One side's binary and its environment (the variables set over the inherited ones).
struct Side {
    mandel: PathBuf,
    env: Vec<(String, String)>,
}

/// `mandel describe --json` of one side's binary (its refusal of a bad environment variable an error with
/// its message), and -k checked against its kernels before anything is built after it or measured.
fn describe(mandel: &Path, kernels: &[String], side: &str, env: Option<&[(String, String)]>) -> Result<Py, Stop> {
    let mut cmd = Command::new(mandel);
    cmd.args(["describe", "--json"]).envs(env.unwrap_or_default().iter().map(|(k, v)| (k, v)));
    let out = ab_build::capture(&mut cmd)?;
    let shown = mandel.display();
    if !out.status.success() {
        return Err(Stop::Error(format!(
            "{side}: {shown} describe --json exited {}: {} (a side's --a-env/--b-env VAR= clears a variable the shell sets)",
            ab_build::code(out.status),
            py_strip(&String::from_utf8_lossy(&out.stderr))
        )));
    }
    let facts = printed_json(&out.stdout, &format!("{side}: {shown} describe --json"))?;
    let what = format!("{shown} describe --json");
    check::shape(&facts, check::Shape::Describe, &what, "its output", check::Join::Root)?;
    let known: Vec<String> = facts.get("kernels").items().iter().map(|k| k.get("name").str()).collect();
    let unknown: Vec<&str> = kernels.iter().filter(|k| !known.contains(k)).map(String::as_str).collect();
    if !unknown.is_empty() {
        return Err(Stop::Error(format!(
            "-k {}: not a kernel of {side}'s mandel ({shown}); known: {}",
            unknown.join(", "),
            known.join(", ")
        )));
    }
    Ok(facts)
}

/// What a command printed, as JSON; an error naming the command when it is not.
pub fn printed_json(stdout: &[u8], command: &str) -> Result<Py, Stop> {
    let text = String::from_utf8_lossy(stdout);
    crate::pyloads::load(text.as_bytes()).map_err(|e| {
        Stop::Error(match e.strip_prefix("not valid JSON: ") {
            Some(why) => {
                let head: String = py_strip(&text).chars().take(200).collect();
                format!("{command} printed no JSON ({why}): {}", cli::py_repr(&head))
            }
            None => format!("{command} printed {e}"),
        })
    })
}

/// Whether the environment sets `var` (to something other than empty).
fn env_set(var: &str) -> bool {
    std::env::var_os(var).is_some_and(|v| !v.is_empty())
}

/// The machine's tunings (`mandel tune` rows) and where they come from: its kept choice
/// (results/<machine-id>/tuning.json, where [`machine::kept_tuning_problem`] finds none), else `mandel tune`
/// now; none when the environment pins every variable.
fn tune_rows(repo: &Path, mandel: &Path) -> Result<(Py, Option<String>), Stop> {
    if tunings::TUNINGS.iter().all(|t| env_set(t.variable)) {
        return Ok((Py::List(vec![]), None));
    }
    let here = machine::this_machine();
    let folder = repo.join("results").join(machine::machine_id(&here));
    let stored = folder.join("tuning.json");
    let why = if stored.exists() { machine::kept_tuning_problem(&folder, &here) } else { None };
    let shown = stored.display().to_string();
    if stored.exists() && why.is_none() {
        let rows = pyfile::load_json(&stored)?;
        check::shape(&rows, check::Shape::Tune, &shown, "`mandel tune --json`", check::Join::Root)?;
        return Ok((rows, Some(shown)));
    }
    let why = why.map_or(String::new(), |why| format!(" ({shown}: {why})"));
    log(&format!("no tuning kept for this machine{why}: `mandel tune` (once, for both sides)"));
    let out = ab_build::capture(Command::new(mandel).args(["tune", "--json"]))?;
    let what = format!("{} tune --json", mandel.display());
    if !out.status.success() {
        let err = last(py_strip(&String::from_utf8_lossy(&out.stderr)), 400);
        return Err(Stop::Error(format!("{what} exited {}: {err}", ab_build::code(out.status))));
    }
    let rows = printed_json(&out.stdout, &what)?;
    check::shape(&rows, check::Shape::Tune, &what, "its output", check::Join::Root)?;
    Ok((rows, Some("mandel tune".into())))
}

/// The last `n` characters of `text` (Python's `text[-n:]`).
fn last(text: &str, n: usize) -> String {
    let count = text.chars().count();
    text.chars().skip(count.saturating_sub(n)).collect()
}

/// One side's environment: the tunings of the ISA paths its kernels take (a tuning of another path is not
/// one this side builds), a variable the environment sets kept, then the side's own --a-env/--b-env.
fn side_env(
    mandel: &Path,
    extra: &[(String, String)],
    (rows, source): (&Py, Option<&str>),
    kernels: &[String],
    side: &str,
) -> Result<Vec<(String, String)>, Stop> {
    let paths: Vec<Py> = describe(mandel, kernels, side, Some(extra))?
        .get("kernels")
        .items()
        .iter()
        .map(|k| k.get("isa").clone())
        .collect();
    let rows = Py::List(rows.items().iter().filter(|r| paths.iter().any(|p| p.py_eq(r.get("isa")))).cloned().collect());
    let source_text = source.unwrap_or("None");
    let pins: Vec<(String, String)> = tunings::pins(&rows, source_text)?
        .into_iter()
        .filter(|(var, _)| !env_set(var) && !extra.iter().any(|(k, _)| k == var))
        .map(|(var, value)| (var.to_string(), value))
        .collect();
    let listed: Vec<String> = pins.iter().map(|(k, v)| format!("{k}={v}")).collect();
    let listed = if listed.is_empty() { "none pinned".to_string() } else { listed.join(", ") };
    log(&format!("tunings for {side} ({}): {listed}", source.unwrap_or("the environment")));
    let env: Vec<(String, String)> = extra.iter().chain(&pins).cloned().collect();
    if !pins.is_empty() {
        // a kept choice this side's build does not have: named before any round, with where it came from
        describe(mandel, kernels, side, Some(&env)).map_err(|e| match e {
            Stop::Error(e) => Stop::Error(format!(
                "{e}; the tuning came from {source_text} (`scripts/ladder --retune` chooses again)"
            )),
            stop => stop,
        })?;
    }
    Ok(env)
}

/// Refuses sides whose `mandel describe` (each under its own environment) says they would time different
/// work: another problem, or other round settings (`mode`'s). A difference of ISA, pool or tuning may be an
/// A/B's point, and is noted instead ([`rounds::sides`]).
fn same_work(facts_a: &Py, facts_b: &Py, mode: &str) -> Result<(), Stop> {
    let rounds_of = |f: &Py| {
        let r = f.get("rounds");
        if r.truthy() { r.get(mode).clone() } else { Py::None }
    };
    let settings = format!("the {mode} round settings");
    for (name, a, b) in [
        ("the problem", facts_a.get("canonical").clone(), facts_b.get("canonical").clone()),
        (settings.as_str(), rounds_of(facts_a), rounds_of(facts_b)),
    ] {
        if !a.is_none() && !b.is_none() && !a.py_eq(&b) {
            return Err(Stop::Error(format!(
                "A and B would not time the same work: {name} is {} in A, {} in B (their `mandel describe --json`); \
                 a verdict between them would not be of the code",
                a.str(),
                b.str()
            )));
        }
    }
    Ok(())
}

/// One round of a side: `mandel bench --round R --json`, checked.
fn run_round(side: &Side, r: usize, args: &Args) -> Result<Py, Stop> {
    if side.mandel.file_name().is_some_and(|n| n.to_string_lossy().starts_with("working-tree.")) {
        // in use: another ab's clean-up keeps a copy touched within the hour, whatever its pid namespace
        ab_build::touch(&side.mandel);
    }
    let mut cmd = Command::new(&side.mandel);
    cmd.args(["bench", "--round", &r.to_string(), "--json"]).envs(side.env.iter().map(|(k, v)| (k, v)));
    if args.common.quick {
        cmd.arg("--quick");
    }
    cmd.args(args.common.kernel.iter().flat_map(|k| ["-k", k]));
    let out = ab_build::capture(&mut cmd)?;
    let shown = side.mandel.display();
    if !out.status.success() {
        let err = last(py_strip(&String::from_utf8_lossy(&out.stderr)), 400);
        return Err(Stop::Error(format!("round {r}: {shown} bench exited {}: {err}", ab_build::code(out.status))));
    }
    let data = printed_json(&out.stdout, &format!("round {r}: {shown} bench"))?;
    check::check_round(&data, &shown.to_string(), &format!("round {r}"))?;
    Ok(data)
}

/// `mandel-report ab-rounds`: the repository's folder (the wrapper's) and the command line.
pub fn main(repo: &Path, argv: Vec<OsString>) -> ExitCode {
    ab_build::start();
    let args = parse(argv).unwrap_or_else(|e| e.exit());
    let repo = std::fs::canonicalize(repo).unwrap_or_else(|_| repo.to_path_buf());
    match run(&repo, &args) {
        Ok(code) => ExitCode::from(code),
        Err(Stop::Error(message)) => cli::error("ab", &message),
        Err(Stop::Interrupted) => {
            eprintln!("\nab: interrupted");
            ExitCode::from(130)
        }
    }
}

/// The build of the working tree, the measurement, and the copy removed whatever happened.
fn run(repo: &Path, args: &Args) -> Result<u8, Stop> {
    ab_build::check_host_build()?;
    let target = ab_build::target_dir(repo);
    let b_mandel = ab_build::build_working_tree(repo, &target)?;
    let measured = measure(repo, &target, args, &b_mandel);
    let _ = std::fs::remove_file(&b_mandel);
    measured
}

/// The rounds of A and B, interleaved, and the report; the exit status.
fn measure(repo: &Path, target: &Path, args: &Args, b_mandel: &Path) -> Result<u8, Stop> {
    let facts = describe(b_mandel, &args.common.kernel, "the working tree", None)?;
    let a_mandel = match &args.a_rev {
        Some(rev) => {
            let built = ab_build::build_revision(repo, target, rev)?;
            describe(&built, &args.common.kernel, &format!("revision {rev}"), None)?;
            built
        }
        None => b_mandel.to_path_buf(),
    };
    let mode = if args.common.quick { "quick" } else { "full" };
    let rounds_floor = args.common.noise_floor.unwrap_or(ROUNDS_NOISE_FLOOR);
    let n = match args.common.rounds {
        Some(n) => n as usize,
        None => facts.get("rounds").get(mode).get("rounds").int().and_then(Int::to_u64).unwrap_or(0) as usize,
    };
    let (rows, source) = tune_rows(repo, b_mandel)?;
    let tuned = (&rows, source.as_deref());
    let a = Side { env: side_env(&a_mandel, &args.a_env, tuned, &args.common.kernel, "A")?, mandel: a_mandel };
    let b =
        Side { env: side_env(b_mandel, &args.b_env, tuned, &args.common.kernel, "B")?, mandel: b_mandel.to_path_buf() };
    same_work(
        &describe(&a.mandel, &args.common.kernel, "A", Some(&a.env))?,
        &describe(&b.mandel, &args.common.kernel, "B", Some(&b.env))?,
        mode,
    )?;
    let env_text = |env: &[(String, String)]| env.iter().map(|(k, v)| format!(" {k}={v}")).collect::<String>();
    let names = if args.aa {
        ["pass 1".to_string(), "pass 2".to_string()]
    } else {
        let a_name = args.a_rev.as_ref().map_or("working tree".to_string(), |rev| format!("rev {rev}"));
        [a_name + &env_text(&args.a_env), format!("working tree{}", env_text(&args.b_env))]
    };
    log(&format!(
        "{}: {n} rounds a side, {}; A = {}, B = {}; machine {}",
        if args.aa { "A/A" } else { "A/B" },
        if args.sequential { "A then B" } else { "alternating (ABBA)" },
        names[0],
        names[1],
        machine::this_machine_id()
    ));
    let plan = plan(n, args.sequential);
    let mut taken: [Vec<Py>; 2] = [vec![], vec![]];
    for (i, &(side, r)) in plan.iter().enumerate() {
        let started = Instant::now();
        let (which, at) = if side == 'A' { (&a, 0) } else { (&b, 1) };
        taken[at].push(run_round(which, r, args)?);
        log(&format!("  {}/{}: {side} round {r} in {:.1} s", i + 1, plan.len(), started.elapsed().as_secs_f64()));
    }
    let docs = taken.map(|rounds| {
        Py::Dict(vec![("schema".into(), Py::Str(ROUNDS_SCHEMA.into())), ("rounds".into(), Py::List(rounds))])
    });
    // each side's rows, as a summary's, and how the sides' rounds differ (pool, ISA paths, tunings: noted) or
    // refused (round settings)
    check::check_rounds(&docs[0], "A")?;
    check::check_rounds(&docs[1], "B")?;
    let sides = rounds::sides(&docs[0], &docs[1])?;
    let [ra, rb, unlike] = sides.items() else { unreachable!("sides' three parts") };
    let unlike: Vec<String> = unlike.items().iter().map(Py::str).collect();
    let rows_of = |side: &Py| -> Vec<Value> {
        serde_json::to_value(side.get("rows")).ok().and_then(|v| v.as_array().cloned()).unwrap_or_default()
    };
    let (a_rows, b_rows) = (rows_of(ra), rows_of(rb));
    let run = |rows: &[Value]| verdict::Run {
        rows: rows.iter().filter_map(|r| r.as_object().cloned()).collect(),
        settings: None,
    };
    let request = verdict::Request {
        schema: verdict::SCHEMA.into(),
        a: run(&a_rows),
        b: run(&b_rows),
        noise_floor: DEFAULT_NOISE_FLOOR,
        rounds_floor,
        min_rounds: MIN_ROUNDS as usize,
        // the quieter side's floor only where the rounds alternated: separate passes drift apart
        interleaved: !args.sequential,
        fail_above: None,
        fail_on_missing: false,
    };
    let report = match verdict::checked_report(&request) {
        Ok(report) => report,
        Err(e) => {
            write_out(args, &names, &unlike, &docs, None)?; // the rounds, minutes of them, kept without verdicts
            return Err(Stop::Error(e));
        }
    };
    let kept: Vec<Py> = report
        .entries
        .iter()
        .map(|e| {
            let num = |x: Option<f64>| x.map_or(Py::None, Py::Float);
            Py::Dict(vec![
                ("name".into(), Py::Str(e.name.as_str().into())),
                ("verdict".into(), Py::Str(e.verdict.into())),
                ("change".into(), num(e.change)),
                ("p".into(), num(e.p)),
                ("floor".into(), num(e.floor)),
            ])
        })
        .collect();
    let verdicts = Verdicts::from_report(report, &a_rows, &b_rows);
    let off = verdicts.entries.iter().filter(|e| e.shown && e.verdict != verdict::SAME).count();
    let runs = Runs { names: names.clone(), report: verdicts, noise_floor: DEFAULT_NOISE_FLOOR, rounds_floor };
    let request = ab::Request { runs, unlike: unlike.clone(), aa: args.aa, sequential: args.sequential };
    println!("{}", ab::text(&request));
    write_out(args, &names, &unlike, &docs, Some(kept))?;
    Ok(if args.common.fail_on_verdict && off > 0 { 1 } else { 0 })
}

/// --out: both sides' rounds and their verdicts (null where none could be made), schema mandel-ab/1.
fn write_out(
    args: &Args,
    names: &[String; 2],
    unlike: &[String],
    docs: &[Py; 2],
    verdicts: Option<Vec<Py>>,
) -> Result<(), Stop> {
    let Some(out) = args.common.out.as_deref().map(Path::new) else { return Ok(()) };
    let texts = |v: &[String]| Py::List(v.iter().map(|s| Py::Str(s.as_str().into())).collect());
    let doc = Py::Dict(vec![
        ("schema".into(), Py::Str("mandel-ab/1".into())),
        ("names".into(), texts(names)),
        ("sequential".into(), Py::Bool(args.sequential)),
        ("differences".into(), texts(unlike)),
        ("a".into(), docs[0].clone()),
        ("b".into(), docs[1].clone()),
        ("verdicts".into(), verdicts.map_or(Py::None, Py::List)),
    ]);
    let mut text = String::new();
    dumps(&doc, 0, &mut text);
    text.push('\n');
    ab_build::write_text(out, &text)?;
    log(&format!("written: {}", pure(out).display()));
    Ok(())
}

/// `json.dumps(value, indent=1)`: ASCII only (others escaped), NaN and the infinities as Python writes them.
pub fn dumps(v: &Py, depth: usize, out: &mut String) {
    let newline = |out: &mut String, depth: usize| {
        out.push('\n');
        out.push_str(&" ".repeat(depth));
    };
    match v {
        Py::None => out.push_str("null"),
        Py::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Py::Int(i) => out.push_str(&i.to_string()),
        Py::Float(x) if x.is_nan() => out.push_str("NaN"),
        Py::Float(x) if x.is_infinite() => out.push_str(if *x > 0.0 { "Infinity" } else { "-Infinity" }),
        Py::Float(x) => out.push_str(&pyfmt::repr(*x)),
        Py::Str(s) => string(s, out),
        Py::List(items) if items.is_empty() => out.push_str("[]"),
        Py::Dict(items) if items.is_empty() => out.push_str("{}"),
        Py::List(items) => {
            out.push('[');
            for (n, item) in items.iter().enumerate() {
                out.push_str(if n == 0 { "" } else { "," });
                newline(out, depth + 1);
                dumps(item, depth + 1, out);
            }
            newline(out, depth);
            out.push(']');
        }
        Py::Dict(items) => {
            out.push('{');
            for (n, (key, item)) in items.iter().enumerate() {
                out.push_str(if n == 0 { "" } else { "," });
                newline(out, depth + 1);
                string(key, out);
                out.push_str(": ");
                dumps(item, depth + 1, out);
            }
            newline(out, depth);
            out.push('}');
        }
    }
}

/// A JSON string as `json.dumps` writes it (`ensure_ascii`): past ASCII as `\uXXXX`, in surrogate pairs
/// beyond the first plane.
fn string(s: &PyStr, out: &mut String) {
    out.push('"');
    for c in s.code_points() {
        match char::from_u32(c) {
            Some('"') => out.push_str("\\\""),
            Some('\\') => out.push_str("\\\\"),
            Some('\n') => out.push_str("\\n"),
            Some('\r') => out.push_str("\\r"),
            Some('\t') => out.push_str("\\t"),
            Some('\u{8}') => out.push_str("\\b"),
            Some('\u{c}') => out.push_str("\\f"),
            Some(ch) if (0x20..0x7f).contains(&c) => out.push(ch),
            _ if c > 0xffff => {
                let v = c - 0x10000;
                out.push_str(&format!("\\u{:04x}\\u{:04x}", 0xd800 + (v >> 10), 0xdc00 + (v & 0x3ff)));
            }
            _ => out.push_str(&format!("\\u{c:04x}")),
        }
    }
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(argv: &[&str]) -> clap::error::Result<Args> {
        parse(argv.iter().map(OsString::from).collect())
    }

    /// The message of a refused command line (usage errors exit 2), without clap's usage lines.
    fn refused(argv: &[&str]) -> String {
        let e = args(argv).expect_err(&format!("{argv:?} taken"));
        assert_eq!(e.exit_code(), 2, "{argv:?}");
        e.to_string().lines().next().unwrap_or_default().to_string()
    }

    #[test]
    fn abba_puts_a_first_in_even_rounds_and_sequential_runs_a_then_b() {
        let abba = plan(4, false);
        let order: String = abba.iter().map(|(s, r)| format!("{s}{r}")).collect();
        assert_eq!(order, "A0B0B1A1A2B2B3A3");
        let order: String = plan(3, true).iter().map(|(s, r)| format!("{s}{r}")).collect();
        assert_eq!(order, "A0A1A2B0B1B2");
        assert!(plan(0, false).is_empty());
    }

    #[test]
    fn options_are_read_as_scripts_ab_read_them() {
        let got = args(&[
            "--rou",
            "7",
            "-ksimd-f32",
            "--kernel=naive-f64",
            "--b-env",
            "MANDEL_ISA=",
            "--noise-floor",
            "2.5%",
        ])
        .unwrap();
        assert_eq!(got.common.rounds, Some(7));
        assert_eq!(got.common.kernel, ["simd-f32", "naive-f64"]);
        assert_eq!(got.b_env, [("MANDEL_ISA".to_string(), String::new())]);
        assert!((got.common.noise_floor.unwrap() - 0.025).abs() < 1e-12 && !got.sequential);
        assert_eq!(args(&["--quick", "--quick", "--rounds", "5", "--rounds", "4"]).unwrap().common.rounds, Some(4));
        assert!(args(&["--aa"]).unwrap().sequential);
        assert_eq!(args(&[]).unwrap(), Args::default());
        // clap's own words for a usage error: the option named, exit 2
        for (argv, said) in [
            (&["--a", "x"][..], "'--a'"),
            (&["--rounds"], "--rounds"),
            (&["--rounds", "x"], "invalid value 'x' for '--rounds <ROUNDS>': invalid int value: 'x'"),
            (&["-k"], "--kernel"),
            (&["--aa=1"], "--aa"),
            (&["--bogus", "x"], "'--bogus'"),
            (&["--a-env", "1 2"], "'1 2': expected VAR=VALUE"),
            (&["--noise-floor", "100"], "'--noise-floor <PCT>': a percentage below 100: '100'"),
            (&["--noise-floor", "-1"], "must be 0 or more: '-1'"),
            (&["--noise-floor", "nan"], "must be 0 or more: 'nan'"),
            (&["--noise-floor", "five"], "not a percentage: 'five'"),
        ] {
            assert!(refused(argv).contains(said), "{argv:?}: {}", refused(argv));
        }
        // the checks past the options' own, scripts/ab's words
        assert_eq!(refused(&["--rounds", "-5"]), "error: --rounds -5: from 3 to 99");
        assert_eq!(refused(&["--rounds", "100"]), "error: --rounds 100: from 3 to 99");
        assert_eq!(
            refused(&["--aa", "--b-env", "A=1"]),
            "error: --aa compares the working tree with itself: no --a-rev, --a-env or --b-env"
        );
        assert!(
            refused(&["--out", "/"]).ends_with("refusing to write the --out there (writes replace regular files only)")
        );
    }

    #[test]
    fn stability_takes_only_the_options_of_an_a_a_check_and_has_its_own_help() {
        let got = args(&[STABILITY, "--rounds", "3"]).unwrap();
        assert!(got.aa && got.sequential && got.a_rev.is_none() && got.common.rounds == Some(3));
        assert!(refused(&[STABILITY, "--a-rev", "HEAD"]).contains("'--a-rev'"));
        let help = |argv: &[&str]| {
            let e = args(argv).expect_err("no help");
            assert_eq!((e.kind(), e.exit_code()), (ErrorKind::DisplayHelp, 0));
            e.to_string()
        };
        let text = help(&[STABILITY, "--quick", "-h"]);
        assert!(text.starts_with("The A/A stability check") && text.contains("Usage: scripts/stability [OPTIONS]"));
        assert!(!text.contains("--a-rev") && !text.contains("--sequential") && !text.contains(STABILITY));
        let text = help(&["--help"]);
        assert!(text.contains("  --a-rev <REV> ") && text.contains("scripts/ab --b-env MANDEL_TUNING=default"));
        assert!(text.contains("(default 5; a rung whose rounds spread wider gets that spread as its floor)"));
    }

    #[test]
    fn sides_that_would_time_other_work_are_refused() {
        let facts = |iters: u64, kernel_s: &str| -> Py {
            serde_json::from_str(&format!(
                r#"{{"canonical": {{"max_iters": {iters}}}, "rounds": {{"full": {{"kernel_s": {kernel_s}}}, "quick": {{"kernel_s": 0.5}}}}}}"#
            ))
            .unwrap()
        };
        assert!(same_work(&facts(200, "2.0"), &facts(200, "2.0"), "full").is_ok());
        let Err(Stop::Error(said)) = same_work(&facts(200, "2.0"), &facts(100, "2.0"), "full") else { panic!() };
        assert!(
            said.starts_with("A and B would not time the same work: the problem is {'max_iters': 200} in A"),
            "{said}"
        );
        let Err(Stop::Error(said)) = same_work(&facts(200, "2.0"), &facts(200, "1.0"), "full") else { panic!() };
        assert!(said.contains("the full round settings is {'kernel_s': 2.0} in A, {'kernel_s': 1.0} in B"), "{said}");
        assert!(same_work(&facts(200, "2.0"), &facts(200, "1.0"), "quick").is_ok());
    }

    #[test]
    fn out_is_written_as_json_dumps_writes_it() {
        let v: Py =
            serde_json::from_str(r#"{"a": [1, 2.5, "é😀\n"], "b": {}, "c": [], "d": null, "e": 1e-7}"#).unwrap();
        let mut text = String::new();
        dumps(&v, 0, &mut text);
        assert_eq!(
            text,
            "{\n \"a\": [\n  1,\n  2.5,\n  \"\\u00e9\\ud83d\\ude00\\n\"\n ],\n \"b\": {},\n \"c\": [],\n \"d\": null,\n \"e\": 1e-07\n}"
        );
    }

    #[test]
    fn what_is_not_json_is_named_with_its_command() {
        let said = |text: &str| match printed_json(text.as_bytes(), "m describe --json") {
            Err(Stop::Error(e)) => e,
            _ => panic!("{text} read"),
        };
        assert_eq!(
            said("  not json\n"),
            "m describe --json printed no JSON (Expecting value: line 1 column 3 (char 2)): 'not json'"
        );
        assert_eq!(said(&"[".repeat(200000)), "m describe --json printed JSON nested too deeply to read");
    }
}
