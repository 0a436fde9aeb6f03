//! `mandel-report`: the ladder's reports on its results, for the scripts. A binary of its own, apart from
//! `mandel`: building it never replaces the `mandel` a ladder is timing, and takes seconds.

use clap::{Parser, Subcommand};
use std::ffi::OsString;
use std::io::Read;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Parser)]
#[command(name = "mandel-report", version, about = "The Mandelbrot ladder's reports on its results, for its scripts")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// The verdict rule on two runs of one machine (scripts/ab; scripts/compare applies it in-process): a
    /// request on standard input (JSON: the two runs' rows and settings, the floors, min_rounds, and
    /// whether the rounds alternated), a verdict per rung on standard output (JSON). The rule:
    /// METHODOLOGY.md, "Comparing two runs". Every request and answer carries its `schema` (`mandel-report
    /// schemas`).
    Verdicts,
    /// The cost-growth sweeps (scripts/ladder --sweeps): a request on standard input (JSON: the machine id,
    /// the sweeps and the large image as the scripts checked them), on standard output (JSON) the fits,
    /// sweeps.csv's rows, and the text of sweeps.md and of a log-log chart per axis, which the scripts
    /// write. The fit: METHODOLOGY.md, "Sweeps".
    Sweeps,
    /// The summary's human outputs (scripts/ladder): a request on standard input (JSON: the summary as the
    /// scripts merged and checked it, its like-for-like groups filled in), on standard output (JSON) the
    /// text of summary.md and speedup.svg, the console table and the machine lines, which the scripts
    /// print and write.
    Summary,
    /// The merge's second half (scripts/ladder's merge): a request on standard input (JSON: the inputs as
    /// the merge checked them, registry, verification rows, results and Python baselines, the peak, what
    /// the merge knows of the missing inputs, and the scripts' rules the notes name), on standard output
    /// (JSON) a row per rung, built and finished (rates, speedups, shares, rows not compared blanked or
    /// marked), the summary's notes and the like-for-like groups, in order.
    Finish,
    /// scripts/compare's outputs, for the tests of them (scripts/compare makes them in-process): a request
    /// on standard input (JSON: the summaries compared, whether they must be of one machine, and for two
    /// runs of one machine their verdicts), on standard output (JSON) what differs between them, the
    /// console text, the Markdown and the grouped bar chart (SVG), which scripts/compare prints and writes.
    Compare,
    /// Every input the scripts read, checked (`ladderlib/readers.py`): a request on standard input (JSON:
    /// checks, each a value the scripts read and what it is), on standard output (JSON) each check's result,
    /// or the first refusal's message, which the scripts raise as their error naming the file and field.
    Check,
    /// scripts/compare itself, which runs it: ladder results compared, machines side by side or two runs
    /// of one machine, printed and written (`scripts/compare --help`). `--repo`: the repository, whose
    /// results/<machine-id> holds this machine's results; then, after `--`, scripts/compare's arguments.
    CompareResults(Script),
    /// scripts/ab and scripts/stability themselves, which run it: two builds or environments timed in
    /// interleaved rounds and judged (`scripts/ab --help`). `--repo`: the repository, whose working tree is
    /// built; then, after `--`, the script's arguments.
    AbRounds(Script),
    /// The schemas this binary reads and writes, one per subcommand above (JSON): the scripts check them
    /// when they find the binary, so that one of another version is refused before any work, not after.
    Schemas,
}

/// A script run by its subcommand: the repository, then, after `--`, the script's own arguments.
#[derive(clap::Args)]
struct Script {
    #[arg(long)]
    repo: PathBuf,
    #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
    args: Vec<OsString>,
}

fn main() -> ExitCode {
    let report = match Cli::parse().command {
        Command::Verdicts => mandel_report::verdict::answer,
        Command::Sweeps => mandel_report::sweeps::answer,
        Command::Summary => mandel_report::summary::answer,
        Command::Finish => mandel_report::finish::answer,
        Command::Compare => mandel_report::compare::answer,
        Command::Check => mandel_report::check::answer,
        Command::CompareResults(s) => return mandel_report::compare_results::main(&s.repo, s.args),
        Command::AbRounds(s) => return mandel_report::ab_cli::main(&s.repo, s.args),
        Command::Schemas => {
            let schemas = [
                mandel_report::verdict::SCHEMA,
                mandel_report::sweeps::SCHEMA,
                mandel_report::summary::SCHEMA,
                mandel_report::finish::SCHEMA,
                mandel_report::compare::SCHEMA,
                mandel_report::check::SCHEMA,
            ];
            println!("{}", serde_json::json!(schemas));
            return ExitCode::SUCCESS;
        }
    };
    let mut request = String::new();
    let answer = std::io::stdin()
        .read_to_string(&mut request)
        .map_err(|e| format!("reading the request from standard input: {e}"))
        .and_then(|_| report(&request));
    match answer {
        Ok(report) => {
            println!("{report}");
            ExitCode::SUCCESS
        }
        Err(message) => {
            eprintln!("mandel-report: error: {message}");
            ExitCode::from(2)
        }
    }
}
