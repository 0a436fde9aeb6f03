//! `mandel bench`: one round of the ladder's measurement (see `mandel_registry::run_round`): every
//! kernel verified against the f64 reference at the canonical size, then timed briefly. `scripts/ladder`
//! runs it once per round, in a fresh process each time, and merges the rounds.

use clap::Args;
use mandel_core::choose::fastest;
use mandel_core::{Kernel, Params, reference};
use mandel_registry::{KERNELS, ROUNDS_FULL, ROUNDS_QUICK, Round, RoundSettings, kernel, kernel_names};
use std::process::ExitCode;

#[derive(Args)]
pub struct BenchArgs {
    /// This round's index: the kernels run in ladder order rotated left by it, so that no kernel
    /// always follows the same one.
    #[arg(long, default_value_t = 0)]
    round: usize,
    /// Kernels to measure (repeatable); all when omitted.
    #[arg(long, short)]
    kernel: Vec<String>,
    /// The quick settings (shorter time per kernel), as `scripts/ladder --quick` uses.
    #[arg(long)]
    quick: bool,
    /// Seconds of timed renders per kernel (default: the full or quick settings').
    #[arg(long)]
    kernel_s: Option<f64>,
    /// Print the round as JSON (`mandel-round/1`) instead of a table.
    #[arg(long)]
    json: bool,
}

pub fn bench(args: BenchArgs) -> Result<ExitCode, String> {
    let mut settings: RoundSettings = if args.quick { ROUNDS_QUICK } else { ROUNDS_FULL };
    if let Some(s) = args.kernel_s {
        if !(s.is_finite() && (0.0..=60.0).contains(&s)) {
            return Err(format!("--kernel-s {s}: must be a number of seconds from 0 to 60"));
        }
        settings.kernel_s = s;
    }
    let kernels: Vec<&'static Kernel> = if args.kernel.is_empty() {
        KERNELS.iter().collect()
    } else {
        let mut picked = Vec::new();
        for name in &args.kernel {
            let k = kernel(name).ok_or_else(|| format!("unknown kernel {name:?}; known: {}", kernel_names()))?;
            if !picked.iter().any(|p: &&Kernel| p.name == k.name) {
                picked.push(k);
            }
        }
        picked
    };
    let params = Params::canonical();
    let expected = reference::render(&params);
    let total = kernels.len();
    let mut done = 0;
    let kernels_done = mandel_registry::run_round(&kernels, &params, &expected, &settings, args.round, |k| {
        done += 1;
        // The round's time as the ladder takes it (ladderlib.rounds): its fastest render.
        let what = match (&k.verification, fastest(&k.times_s)) {
            (_, Some(m)) => format!("{:.3} ms fastest of {} renders", m * 1e3, k.times_s.len()),
            (Some(v), None) => match (v.differing, v.timed_render_differing) {
                (Some(d), _) => format!("NOT TIMED: {d} of {} pixels differ (allowed {})", v.pixels, v.allowed),
                (None, n) => format!(
                    "NOT TIMED: its timed build's counts differ from the verified build's at {} of {} pixels",
                    n.unwrap_or(0),
                    v.pixels
                ),
            },
            (None, None) => format!("NOT TIMED: unavailable: {}", k.kernel.unavailable.unwrap_or("?")),
        };
        eprintln!("round {} [{done}/{total}] {} [{}]: {what}", args.round, k.kernel.name, k.kernel.isa);
    })
    .map_err(|e| e.to_string())?;
    let round = Round {
        schema: "mandel-round/1",
        round: args.round,
        settings,
        params: mandel_registry::Problem::of(&params),
        pool_threads: mandel_registry::pool_threads(),
        tunings: mandel_registry::tunings(),
        kernels: kernels_done,
    };
    let text = if args.json {
        serde_json::to_string_pretty(&round).map_err(|e| e.to_string())?
    } else {
        round
            .kernels
            .iter()
            .map(|k| match fastest(&k.times_s) {
                Some(m) => format!("{:<28} {:<8} {:>10.3} ms", k.kernel.name, k.kernel.isa, m * 1e3),
                None => format!("{:<28} {:<8} {:>13}", k.kernel.name, k.kernel.isa, "not timed"),
            })
            .collect::<Vec<_>>()
            .join("\n")
    };
    mandelbrot_ladder::outln!("{text}");
    Ok(ExitCode::SUCCESS)
}
