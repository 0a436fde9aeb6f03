//! `scripts/ab` and `scripts/stability` (`mandel-report ab-rounds --repo REPO -- ARGS...`): an interleaved A/B
//! measurement of the Rust kernels, and the A/A stability check. The builds, their locks and the
//! revision's worktree are [`crate::ab_build`]'s; the rounds' checks and rows ([`check`], [`rounds`]), the
//! tunings ([`tunings`]), the machine ([`machine`]), the verdicts ([`verdict`]) and the report ([`ab`]) are
//! this crate's, called here. The command line, the log lines, the messages and exit statuses are the
//! ones the Python script (ladderlib/ab.py) had: its help text and argparse's rules ([`parse`]).

use crate::ab_build::{self, Stop, log, strip};
use crate::compare::{Runs, Verdicts};
use crate::pyfile::pure;
use crate::pyjson::{Int, Py, PyStr};
use crate::{ab, check, machine, pyfmt, rounds, tunings, verdict};
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

const AB_USAGE: &str = "usage: scripts/ab [-h] [--a-rev REV] [--a-env VAR=VALUE] [--b-env VAR=VALUE]
                  [--aa] [--sequential] [--rounds ROUNDS] [--quick]
                  [-k KERNEL] [--noise-floor PCT] [--out OUT]
                  [--fail-on-verdict]";
const STABILITY_USAGE: &str = "usage: scripts/stability [-h] [--rounds ROUNDS] [--quick] [-k KERNEL]
                         [--noise-floor PCT] [--out OUT] [--fail-on-verdict]";

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

/// An option: its strings, its value's name (None: a flag), whether scripts/stability takes it, and its help
/// as argparse laid it out (80 columns).
struct Opt {
    strings: &'static [&'static str],
    value: Option<&'static str>,
    aa: bool,
    help: &'static str,
}

#[rustfmt::skip]
const OPTS: [Opt; 12] = [
    Opt { strings: &["-h", "--help"], value: None, aa: true, help:
"  -h, --help            show this help message and exit" },
    Opt { strings: &["--a-rev"], value: Some("REV"), aa: false, help:
"  --a-rev REV           A is `mandel` built from this git revision (default:
                        the working tree's, like B); it must have `mandel
                        bench`" },
    Opt { strings: &["--a-env"], value: Some("VAR=VALUE"), aa: false, help:
"  --a-env VAR=VALUE     set VAR for A's rounds (repeatable)" },
    Opt { strings: &["--b-env"], value: Some("VAR=VALUE"), aa: false, help:
"  --b-env VAR=VALUE     set VAR for B's rounds (repeatable)" },
    Opt { strings: &["--aa"], value: None, aa: false, help:
"  --aa                  the A/A stability check, scripts/stability (implies
                        --sequential)" },
    Opt { strings: &["--sequential"], value: None, aa: false, help:
"  --sequential          all of A's rounds, then all of B's (two ladders back
                        to back) instead of alternating" },
    Opt { strings: &["--rounds"], value: Some("ROUNDS"), aa: true, help:
"  --rounds ROUNDS       rounds per side (default: the ladder's, 15; 5 with
                        --quick)" },
    Opt { strings: &["--quick"], value: None, aa: true, help:
"  --quick               the quick settings: a first look" },
    Opt { strings: &["-k", "--kernel"], value: Some("KERNEL"), aa: true, help:
"  -k KERNEL, --kernel KERNEL
                        only these kernels (repeatable)" },
    Opt { strings: &["--noise-floor"], value: Some("PCT"), aa: true, help:
"  --noise-floor PCT     smallest change called faster/slower, in percent as
                        scripts/compare takes it (default 5; a rung whose
                        rounds spread wider gets that spread as its floor)" },
    Opt { strings: &["--out"], value: Some("OUT"), aa: true, help:
"  --out OUT             also write the result (both sides' rounds, the
                        verdicts) as JSON here" },
    Opt { strings: &["--fail-on-verdict"], value: None, aa: true, help:
"  --fail-on-verdict     exit 1 if any rung is not `no change`: faster, slower,
                        failing verification or not timed on a side (a rung
                        timed on neither, e.g. an ISA the machine lacks, is
                        left out)" },
];

/// The command line, parsed and checked.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Args {
    pub a_rev: Option<String>,
    pub a_env: Vec<(String, String)>,
    pub b_env: Vec<(String, String)>,
    pub aa: bool,
    pub sequential: bool,
    pub rounds: Option<i128>,
    pub quick: bool,
    pub kernel: Vec<String>,
    pub noise_floor: f64,
    pub out: Option<PathBuf>,
    pub fail_on_verdict: bool,
}

/// Why parsing stopped: the help asked for (printed, exit 0) or an error (usage and message, exit 2).
#[derive(Debug, PartialEq)]
pub enum Parsed {
    Help(String),
    Error(String),
}

/// Python's `repr` of a string.
pub fn py_repr(s: &str) -> String {
    PyStr::from_code_points(&s.chars().map(u32::from).collect::<Vec<_>>()).repr()
}

/// Python's `int(text)`: spaces around, a sign, digits with single underscores between them.
fn py_int(text: &str) -> Option<i128> {
    let t = check::py_strip(text);
    let digits = t.strip_prefix(['+', '-']).unwrap_or(t);
    let ok = !digits.is_empty() && !digits.starts_with('_') && !digits.ends_with('_') && !digits.contains("__");
    let clean: String = t.chars().filter(|&c| c != '_').collect();
    if !ok || !digits.chars().all(|c| c.is_ascii_digit() || c == '_') {
        return None;
    }
    // past i128 it is out of --rounds' range either way
    Some(clean.parse::<i128>().unwrap_or(if clean.starts_with('-') { i128::MIN } else { i128::MAX }))
}

/// Python's `float(text)`: spaces around, `inf`, `infinity`, `nan` in any case, underscores between digits.
fn py_float(text: &str) -> Option<f64> {
    let t = check::py_strip(text);
    let b = t.as_bytes();
    let underscores_ok = (0..b.len())
        .all(|i| b[i] != b'_' || (i > 0 && i + 1 < b.len() && b[i - 1].is_ascii_digit() && b[i + 1].is_ascii_digit()));
    let clean: String = t.chars().filter(|&c| c != '_').collect();
    let word = clean.trim_start_matches(['+', '-']).to_ascii_lowercase();
    let numeric = clean.chars().all(|c| c.is_ascii_digit() || "+-.eE".contains(c));
    (underscores_ok && (numeric || ["inf", "infinity", "nan"].contains(&word.as_str())))
        .then(|| clean.parse().ok())
        .flatten()
}

/// compare.py's `percent`: a percentage (a trailing `%` allowed) of 0 or more, as a fraction.
fn percent(text: &str) -> Result<f64, String> {
    let value = py_float(text.trim_end_matches('%')).ok_or_else(|| format!("not a percentage: {}", py_repr(text)))?;
    if value.is_nan() || value < 0.0 {
        return Err(format!("must be 0 or more: {}", py_repr(text)));
    }
    Ok(value / 100.0)
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
        _ => Err(format!("{}: expected VAR=VALUE", py_repr(text))),
    }
}

/// Whether argparse takes `arg` as a value (not an option): not starting with `-`, or `-` alone, a negative
/// number, or holding a space, and no option's prefix.
fn is_value(arg: &str, opts: &[&Opt]) -> bool {
    let negative = |s: &str| {
        let d = &s[1..];
        (!d.is_empty() && d.chars().all(|c| c.is_ascii_digit()))
            || d.split_once('.').is_some_and(|(a, b)| {
                a.chars().all(|c| c.is_ascii_digit()) && !b.is_empty() && b.chars().all(|c| c.is_ascii_digit())
            })
    };
    if !arg.starts_with('-') || arg == "-" {
        return true;
    }
    if arg == "--" || matches!(find(arg, opts), Ok(Some(_)) | Err(_)) {
        return false;
    }
    negative(arg) || arg.contains(' ')
}

/// An option as named on the command line: the option, the string naming it, a value attached to it.
type Named<'a> = (&'a Opt, &'static str, Option<String>);

/// argparse's `_parse_optional`: the option `arg` names (exactly, by its `--name=` part, by a unique prefix
/// of a long option, or a short one with its value attached) and its attached value; None for an unknown
/// option; the ambiguity of a prefix that several options start with.
fn find<'a>(arg: &str, opts: &[&'a Opt]) -> Result<Option<Named<'a>>, String> {
    let strings = || opts.iter().flat_map(|o| o.strings.iter().map(move |s| (*o, *s)));
    if let Some((o, s)) = strings().find(|(_, s)| *s == arg) {
        return Ok(Some((o, s, None)));
    }
    if let Some((name, value)) = arg.split_once('=')
        && let Some((o, s)) = strings().find(|(_, s)| *s == name)
    {
        return Ok(Some((o, s, Some(value.into()))));
    }
    let found: Vec<Named> = if arg.starts_with("--") {
        let (prefix, value) = arg.split_once('=').map_or((arg, None), |(p, v)| (p, Some(v.to_string())));
        strings().filter(|(_, s)| s.starts_with(prefix)).map(|(o, s)| (o, s, value.clone())).collect()
    } else {
        let (short, attached) = arg.split_at(arg.char_indices().nth(2).map_or(arg.len(), |(i, _)| i));
        let each = |(o, s): (&'a Opt, &'static str)| match () {
            _ if s == short => Some((o, s, Some(attached.to_string()))),
            _ if s.starts_with(arg) => Some((o, s, None)),
            _ => None,
        };
        strings().filter_map(each).collect()
    };
    match found.len() {
        0 => Ok(None),
        1 => Ok(found.into_iter().next()),
        _ => {
            let names: Vec<&str> = found.iter().map(|f| f.1).collect();
            Err(format!("ambiguous option: {arg} could match {}", names.join(", ")))
        }
    }
}

/// ab.py's `parse_args` on `argv` (scripts/stability's first argument [`STABILITY`]): argparse's rules, the
/// options' types, then the checks between them and of --out.
pub fn parse(argv: &[String]) -> Result<Args, Parsed> {
    let stability = argv.first().map(String::as_str) == Some(STABILITY);
    let argv = if stability { &argv[1..] } else { argv };
    let (prog, usage, doc) = if stability {
        ("scripts/stability", STABILITY_USAGE, STABILITY_DOC)
    } else {
        ("scripts/ab", AB_USAGE, AB_DOC)
    };
    let opts: Vec<&Opt> = OPTS.iter().filter(|o| o.aa || !stability).collect();
    let error = |message: String| Parsed::Error(format!("{usage}\n{prog}: error: {message}"));
    let mut args = Args { noise_floor: ROUNDS_NOISE_FLOOR, ..Args::default() };
    // argparse tells options from values before it takes any: an ambiguous prefix anywhere is the first error
    for arg in argv.iter().take_while(|a| *a != "--").filter(|a| a.starts_with('-') && a.len() > 1) {
        find(arg, &opts).map_err(error)?;
    }
    let mut extras: Vec<&str> = Vec::new();
    let mut rest = argv.iter().map(String::as_str);
    let mut only_values = false;
    let mut pending: Option<Named> = None;
    // flags chained before another short option (`-hk X`): taken once it parses, as argparse takes them
    let mut chained: Vec<&str> = Vec::new();
    loop {
        let (opt, string, attached) = match pending.take() {
            Some(p) => p,
            None => {
                for flag in chained.drain(..) {
                    set_flag(&mut args, flag).map_err(|()| Parsed::Help(help(usage, doc, &opts)))?;
                }
                let Some(arg) = rest.next() else { break };
                if only_values || is_value(arg, &opts) {
                    extras.push(arg);
                    continue;
                }
                if arg == "--" {
                    // what follows is values, none of them this command's; the `--` itself too (argparse)
                    (only_values, extras) = (true, [extras, vec![arg]].concat());
                    continue;
                }
                match find(arg, &opts).map_err(error)? {
                    Some(found) => found,
                    None => {
                        extras.push(arg);
                        continue;
                    }
                }
            }
        };
        let name = opt.strings.join("/");
        let Some(_) = opt.value else {
            // a flag: a value attached to a short one is more short flags (`-hk X`), else refused
            if let Some(more) = attached {
                let next = format!("-{}", more.chars().next().unwrap_or_default());
                match (string.len() == 2 && !more.is_empty(), opts.iter().find(|o| o.strings.contains(&next.as_str())))
                {
                    (true, Some(o)) => {
                        let tail: String = more.chars().skip(1).collect();
                        pending = Some((o, o.strings[0], (!tail.is_empty()).then_some(tail)));
                        chained.push(string);
                        continue;
                    }
                    _ => return Err(error(format!("argument {name}: ignored explicit argument {}", py_repr(&more)))),
                }
            }
            set_flag(&mut args, string).map_err(|()| Parsed::Help(help(usage, doc, &opts)))?;
            continue;
        };
        let value = match attached {
            Some(v) => v,
            None => match rest.clone().next() {
                Some(next) if next != "--" && is_value(next, &opts) => {
                    rest.next();
                    next.to_string()
                }
                _ => return Err(error(format!("argument {name}: expected one argument"))),
            },
        };
        let invalid = |why: String| error(format!("argument {name}: {why}"));
        match opt.strings[0] {
            "--a-rev" => args.a_rev = Some(value),
            "--a-env" => args.a_env.push(assignment(&value).map_err(invalid)?),
            "--b-env" => args.b_env.push(assignment(&value).map_err(invalid)?),
            "--rounds" => {
                args.rounds =
                    Some(py_int(&value).ok_or_else(|| invalid(format!("invalid int value: {}", py_repr(&value))))?);
            }
            "-k" => args.kernel.push(value),
            "--noise-floor" => args.noise_floor = percent(&value).map_err(invalid)?,
            _ => args.out = Some(PathBuf::from(value)),
        }
    }
    if !extras.is_empty() {
        return Err(error(format!("unrecognized arguments: {}", extras.join(" "))));
    }
    if stability {
        (args.aa, args.sequential) = (true, true);
    }
    if args.aa && (args.a_rev.is_some() || !args.a_env.is_empty() || !args.b_env.is_empty()) {
        return Err(error("--aa compares the working tree with itself: no --a-rev, --a-env or --b-env".into()));
    }
    args.sequential |= args.aa;
    if let Some(n) = args.rounds.filter(|n| !(MIN_ROUNDS..=MAX_ROUNDS).contains(n)) {
        return Err(error(format!("--rounds {n}: from {MIN_ROUNDS} to {MAX_ROUNDS}")));
    }
    if args.noise_floor.is_nan() || args.noise_floor >= 1.0 {
        return Err(error(format!("--noise-floor {}: a percentage below 100", pyfmt::g(args.noise_floor * 100.0, 6))));
    }
    if let Some(out) = &args.out {
        crate::pyfile::check_output(out, "--out").map_err(error)?;
    }
    Ok(args)
}

/// A flag's action; Err for --help.
fn set_flag(args: &mut Args, flag: &str) -> Result<(), ()> {
    match flag {
        "-h" | "--help" => return Err(()),
        "--aa" => args.aa = true,
        "--sequential" => args.sequential = true,
        "--quick" => args.quick = true,
        _ => args.fail_on_verdict = true,
    }
    Ok(())
}

fn help(usage: &str, doc: &str, opts: &[&Opt]) -> String {
    let options: Vec<&str> = opts.iter().map(|o| o.help).collect();
    format!("{usage}\n\n{doc}\n\noptions:\n{}", options.join("\n"))
}

/// The rounds of A and B in order: ABBA (A first in even rounds), or all of A's then all of B's.
pub fn plan(n: usize, sequential: bool) -> Vec<(char, usize)> {
    if sequential {
        return ['A', 'B'].into_iter().flat_map(|side| (0..n).map(move |r| (side, r))).collect();
    }
    (0..n).flat_map(|r| if r % 2 == 0 { [('A', r), ('B', r)] } else { [('B', r), ('A', r)] }).collect()
}

/// A key's value of a JSON object `json.loads` made.
fn field<'a>(v: &'a Py, key: &str) -> &'a Py {
    v.get(key)
}

/// One side's binary, how it was described and its environment (the variables set over the inherited ones).
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
            strip(&String::from_utf8_lossy(&out.stderr))
        )));
    }
    let facts = printed_json(&out.stdout, &format!("{side}: {shown} describe --json"))?;
    let what = format!("{shown} describe --json");
    check::shape(&facts, check::Shape::Describe, &what, "its output", check::Join::Root)?;
    let known: Vec<String> = field(&facts, "kernels").items().iter().map(|k| k.get("name").str()).collect();
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
                let head: String = strip(&text).chars().take(200).collect();
                format!("{command} printed no JSON ({why}): {}", py_repr(&head))
            }
            None => format!("{command} printed {e}"),
        })
    })
}

/// The machine's tunings (`mandel tune` rows) and where they come from: its kept choice
/// (results/<machine-id>/tuning.json, where [`machine::kept_tuning_problem`] finds none), else `mandel tune`
/// now; none when the environment pins every variable.
fn tune_rows(repo: &Path, mandel: &Path) -> Result<(Py, Option<String>), Stop> {
    let set = |var: &str| std::env::var_os(var).is_some_and(|v| !v.is_empty());
    if tunings::TUNINGS.iter().all(|t| set(t.variable)) {
        return Ok((Py::List(vec![]), None));
    }
    let here = machine::described(&machine::cpu(&std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default()));
    let stored = repo.join("results").join(machine::machine_id(&here)).join("tuning.json");
    let why =
        if stored.exists() { machine::kept_tuning_problem(stored.parent().expect("a folder"), &here) } else { None };
    let shown = stored.display().to_string();
    if stored.exists() && why.is_none() {
        let rows = crate::pyfile::load_json(&stored)?;
        check::shape(&rows, check::Shape::Tune, &shown, "`mandel tune --json`", check::Join::Root)?;
        return Ok((rows, Some(shown)));
    }
    let why = why.map_or(String::new(), |why| format!(" ({shown}: {why})"));
    log(&format!("no tuning kept for this machine{why}: `mandel tune` (once, for both sides)"));
    let out = ab_build::capture(Command::new(mandel).args(["tune", "--json"]))?;
    let what = format!("{} tune --json", mandel.display());
    if !out.status.success() {
        let err = last(&strip(&String::from_utf8_lossy(&out.stderr)), 400);
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
    let paths: Vec<Py> = field(&describe(mandel, kernels, side, Some(extra))?, "kernels")
        .items()
        .iter()
        .map(|k| k.get("isa").clone())
        .collect();
    let rows = Py::List(rows.items().iter().filter(|r| paths.iter().any(|p| p.py_eq(r.get("isa")))).cloned().collect());
    let source_text = source.unwrap_or("None");
    let set = |var: &str| std::env::var_os(var).is_some_and(|v| !v.is_empty());
    let pins: Vec<(String, String)> = tunings::pins(&rows, source_text)?
        .into_iter()
        .filter(|(var, _)| !set(var) && !extra.iter().any(|(k, _)| k == var))
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
    if args.quick {
        cmd.arg("--quick");
    }
    cmd.args(args.kernel.iter().flat_map(|k| ["-k", k]));
    let out = ab_build::capture(&mut cmd)?;
    let shown = side.mandel.display();
    if !out.status.success() {
        let err = last(&strip(&String::from_utf8_lossy(&out.stderr)), 400);
        return Err(Stop::Error(format!("round {r}: {shown} bench exited {}: {err}", ab_build::code(out.status))));
    }
    let data = printed_json(&out.stdout, &format!("round {r}: {shown} bench"))?;
    check::check_round(&data, &shown.to_string(), &format!("round {r}"))?;
    Ok(data)
}

/// `mandel-report ab-rounds`: the repository's folder (the wrapper's) and the command line.
pub fn main(repo: &Path, argv: Vec<OsString>) -> ExitCode {
    ab_build::start();
    let argv: Vec<String> = argv.into_iter().map(|a| a.to_string_lossy().into_owned()).collect();
    let args = match parse(&argv) {
        Ok(args) => args,
        Err(Parsed::Help(text)) => {
            println!("{text}");
            return ExitCode::SUCCESS;
        }
        Err(Parsed::Error(text)) => {
            eprintln!("{text}");
            return ExitCode::from(2);
        }
    };
    let repo = std::fs::canonicalize(repo).unwrap_or_else(|_| repo.to_path_buf());
    match run(&repo, &args) {
        Ok(code) => ExitCode::from(code),
        Err(Stop::Error(message)) => {
            eprintln!("ab: error: {message}");
            ExitCode::from(2)
        }
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
    let facts = describe(b_mandel, &args.kernel, "the working tree", None)?;
    let a_mandel = match &args.a_rev {
        Some(rev) => {
            let built = ab_build::build_revision(repo, target, rev)?;
            describe(&built, &args.kernel, &format!("revision {rev}"), None)?;
            built
        }
        None => b_mandel.to_path_buf(),
    };
    let mode = if args.quick { "quick" } else { "full" };
    let n = match args.rounds {
        Some(n) => n as usize,
        None => facts.get("rounds").get(mode).get("rounds").int().and_then(Int::to_u64).unwrap_or(0) as usize,
    };
    let (rows, source) = tune_rows(repo, b_mandel)?;
    let tuned = (&rows, source.as_deref());
    let a = Side { env: side_env(&a_mandel, &args.a_env, tuned, &args.kernel, "A")?, mandel: a_mandel };
    let b = Side { env: side_env(b_mandel, &args.b_env, tuned, &args.kernel, "B")?, mandel: b_mandel.to_path_buf() };
    same_work(
        &describe(&a.mandel, &args.kernel, "A", Some(&a.env))?,
        &describe(&b.mandel, &args.kernel, "B", Some(&b.env))?,
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
        rounds_floor: args.noise_floor,
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
    let runs = Runs {
        names: names.clone(),
        report: verdicts,
        noise_floor: DEFAULT_NOISE_FLOOR,
        rounds_floor: args.noise_floor,
    };
    let request = ab::Request {
        schema: ab::SCHEMA.into(),
        runs,
        unlike: unlike.clone(),
        aa: args.aa,
        sequential: args.sequential,
    };
    println!("{}", ab::text(&request));
    write_out(args, &names, &unlike, &docs, Some(kept))?;
    Ok(if args.fail_on_verdict && off > 0 { 1 } else { 0 })
}

/// --out: both sides' rounds and their verdicts (null where none could be made), schema mandel-ab/1.
fn write_out(
    args: &Args,
    names: &[String; 2],
    unlike: &[String],
    docs: &[Py; 2],
    verdicts: Option<Vec<Py>>,
) -> Result<(), Stop> {
    let Some(out) = &args.out else { return Ok(()) };
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

    fn args(argv: &[&str]) -> Result<Args, Parsed> {
        parse(&argv.iter().map(|s| s.to_string()).collect::<Vec<_>>())
    }

    fn refused(argv: &[&str]) -> String {
        match args(argv) {
            Err(Parsed::Error(text)) => text.lines().last().unwrap_or_default().to_string(),
            other => panic!("{argv:?}: {other:?}"),
        }
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
    fn options_are_read_by_argparses_rules() {
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
        assert_eq!(got.rounds, Some(7));
        assert_eq!(got.kernel, ["simd-f32", "naive-f64"]);
        assert_eq!(got.b_env, [("MANDEL_ISA".to_string(), String::new())]);
        assert!((got.noise_floor - 0.025).abs() < 1e-12 && !got.sequential);
        assert_eq!(args(&[]).unwrap().noise_floor, ROUNDS_NOISE_FLOOR);
        assert_eq!(
            refused(&["--a", "x"]),
            "scripts/ab: error: ambiguous option: --a could match --a-rev, --a-env, --aa"
        );
        assert_eq!(refused(&["--rounds"]), "scripts/ab: error: argument --rounds: expected one argument");
        assert_eq!(refused(&["--rounds", "x"]), "scripts/ab: error: argument --rounds: invalid int value: 'x'");
        assert_eq!(refused(&["--rounds", "-5"]), "scripts/ab: error: --rounds -5: from 3 to 99");
        assert_eq!(refused(&["--rounds", "100"]), "scripts/ab: error: --rounds 100: from 3 to 99");
        assert_eq!(refused(&["-k"]), "scripts/ab: error: argument -k/--kernel: expected one argument");
        assert_eq!(refused(&["--a-env", "1 2"]), "scripts/ab: error: argument --a-env: '1 2': expected VAR=VALUE");
        assert_eq!(refused(&["--aa=1"]), "scripts/ab: error: argument --aa: ignored explicit argument '1'");
        assert_eq!(refused(&["--bogus", "x"]), "scripts/ab: error: unrecognized arguments: --bogus x");
        assert_eq!(refused(&["--noise-floor", "100"]), "scripts/ab: error: --noise-floor 100: a percentage below 100");
        assert_eq!(
            refused(&["--noise-floor", "-1"]),
            "scripts/ab: error: argument --noise-floor: must be 0 or more: '-1'"
        );
        assert_eq!(
            refused(&["--noise-floor", "nan"]),
            "scripts/ab: error: argument --noise-floor: must be 0 or more: 'nan'"
        );
        assert_eq!(
            refused(&["--noise-floor", "five"]),
            "scripts/ab: error: argument --noise-floor: not a percentage: 'five'"
        );
        assert_eq!(
            refused(&["--aa", "--b-env", "A=1"]),
            "scripts/ab: error: --aa compares the working tree with itself: no --a-rev, --a-env or --b-env"
        );
    }

    #[test]
    fn stability_takes_only_the_options_of_an_a_a_check_and_has_its_own_help() {
        let got = args(&[STABILITY, "--rounds", "3"]).unwrap();
        assert!(got.aa && got.sequential && got.a_rev.is_none() && got.rounds == Some(3));
        assert_eq!(
            refused(&[STABILITY, "--a-rev", "HEAD"]),
            "scripts/stability: error: unrecognized arguments: --a-rev HEAD"
        );
        let Err(Parsed::Help(text)) = args(&[STABILITY, "--quick", "-h"]) else { panic!("no help") };
        assert!(
            text.starts_with("usage: scripts/stability [-h] [--rounds ROUNDS]")
                && text.contains("The A/A stability check")
        );
        assert!(!text.contains("--a-rev") && !text.contains("--sequential"));
        let Err(Parsed::Help(text)) = args(&["--help"]) else { panic!("no help") };
        assert!(text.contains("  --a-rev REV ") && text.contains("scripts/ab --b-env MANDEL_TUNING=default"));
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
