//! `mandel`: render one kernel, verify kernels against the reference, list the registry.

mod bench;

use clap::{Args, Parser, Subcommand};
use mandel_core::{Kernel, MAX_THREADS, Params, Precision, Threads, reference, total_iterations};
use mandel_registry::{
    KERNELS, KernelInfo, SWEEP_ITERS, SWEEP_SIZES, Verification, kernel, kernel_names, threads_used, verification,
    verification_into,
};
use mandelbrot_ladder::{atomic, buffer, image, outln};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

#[derive(Parser)]
#[command(name = "mandel", version, about = "The Mandelbrot speedup ladder: render, verify and list kernels")]
#[command(after_help = "Set MANDEL_ISA=avx512|avx2|sse2|neon|scalar (any case) to force a lower instruction-set \
path, RAYON_NUM_THREADS=N (1 to 1024) to size the thread pool of the threaded kernels, MANDEL_TUNING=v8k8 \
(or f32:v8k8,f64:v6k4; see `mandel tune`) or `default` to fix the SIMD kernels' vectors in flight and check \
interval instead of calibrating them at first use, and MANDEL_C_TUNING=v4k8 or `default` to fix the C \
reference's the same way. A tuning must be one the path that runs builds (`mandel tune` lists them); any other \
value of these is an error (exit 2), as a bad flag is.")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// List every kernel in ladder order, with the ISA path it takes on this CPU.
    List {
        /// Print JSON instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// The registry's facts: the canonical problem, the bench settings, every kernel with its flags,
    /// tolerance, ISA path and threads (what scripts/ladder and the Python side read).
    Describe {
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Render one kernel; print the time taken; optionally write the counts (.npy) and an image (.png).
    ///
    /// A view the kernel's precision cannot represent is refused (exit 2): for f32 kernels, bounds
    /// beyond f32's range or a pixel spacing below f32's resolution near the range. Output paths are
    /// checked before rendering, and files are written whole or not at all (a temporary file renamed
    /// into place; with both --npy and --png, both or neither when a write fails; a process killed
    /// between the two renames leaves the new .npy beside the old .png), so an existing file is never
    /// lost to a failed write.
    ///
    /// After rendering, the counts are checked against the f64 reference on up to 4096 pixels (every
    /// pixel of a small image, else pixels spread evenly over it). If more of them differ than the
    /// kernel's tolerance allows on that many pixels, a warning says the kernel does not match the
    /// reference at this view (typical of f32 and FMA kernels at deep zooms with high iteration caps;
    /// `mandel verify` with the same view checks the whole image). The exit status stays 0.
    /// `--no-check` skips this.
    Render(RenderArgs),
    /// Check kernels against the f64 reference; exit non-zero if any differs beyond its tolerance.
    Verify(VerifyArgs),
    /// Time one kernel over growing image sizes and iteration caps (how cost grows with work).
    Sweep(SweepArgs),
    /// Peak fused multiply-add throughput of one core on the SIMD kernels' ISA path, f32 and f64.
    Peak {
        /// ISA path to measure (avx512, avx2, sse2, neon, scalar), one this CPU has (another is an error);
        /// default: the one the SIMD kernels take.
        #[arg(long)]
        isa: Option<String>,
        /// Print JSON instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// The registered single-thread SIMD kernels: lane-iterations executed against the sum of counts,
    /// speed, and efficiency against the measured step ceiling and FMA peak of their ISA path
    /// (MANDEL_ISA forces another).
    ///
    /// Each kernel is first checked against the f64 reference on the whole image (as `mandel verify`
    /// checks it); one outside its tolerance at the view is not timed and gets no row: a line on
    /// stderr names it, and the exit status is 1.
    Lanes(LanesArgs),
    /// One round of the ladder's measurement: every kernel (or those named) verified against the f64
    /// reference at the canonical size, then timed for a short while; `scripts/ladder` runs one process
    /// per round and merges them (the median over the rounds of each round's fastest render).
    Bench(bench::BenchArgs),
    /// The SIMD kernel's and the C reference's tunings (vectors in flight, steps between checks) on
    /// this CPU: every instantiated tuning timed on the canonical image, and the one the kernels use.
    Tune {
        /// ISA path to calibrate (avx512, avx2, sse2, neon, scalar), one this CPU has (another is an
        /// error); default: the one the SIMD kernels take.
        #[arg(long)]
        isa: Option<String>,
        /// Timed renders per tuning and process (round-robin; the fastest counts, and a tuning
        /// replaces the path's default only when more than 2% faster).
        #[arg(long, default_value_t = 5, value_parser = clap::value_parser!(u32).range(1..=100))]
        rounds: u32,
        /// Fresh processes to time the tunings in (each tuning's time: the median over them of each
        /// process's fastest render); a tuning's speed moves from one process to the next on a
        /// shared VM, and with 5 the choice still changed from run to run (METHODOLOGY.md, "The tuning").
        #[arg(long, default_value_t = 9, value_parser = clap::value_parser!(u32).range(1..=50))]
        processes: u32,
        /// Print JSON instead of a table.
        #[arg(long)]
        json: bool,
    },
}

/// The problem; the defaults are the canonical ladder problem ([`Params::canonical`]).
#[derive(Args, Clone)]
struct Problem {
    /// Image width in pixels.
    #[arg(long, default_value_t = Params::canonical().width())]
    width: usize,
    /// Image height in pixels.
    #[arg(long, default_value_t = Params::canonical().height())]
    height: usize,
    /// Left edge of the real axis.
    #[arg(long, default_value_t = Params::canonical().x_range().0, allow_negative_numbers = true)]
    x_min: f64,
    /// Right edge of the real axis.
    #[arg(long, default_value_t = Params::canonical().x_range().1, allow_negative_numbers = true)]
    x_max: f64,
    /// Bottom edge of the imaginary axis.
    #[arg(long, default_value_t = Params::canonical().y_range().0, allow_negative_numbers = true)]
    y_min: f64,
    /// Top edge of the imaginary axis.
    #[arg(long, default_value_t = Params::canonical().y_range().1, allow_negative_numbers = true)]
    y_max: f64,
    /// Iteration cap: a point that has not escaped after this many steps counts as inside.
    #[arg(long, default_value_t = u64::from(Params::canonical().max_iters()))]
    max_iters: u64,
}

impl Problem {
    fn params(&self) -> Result<Params, String> {
        Params::new(self.width, self.height, (self.x_min, self.x_max), (self.y_min, self.y_max), self.max_iters)
            .map_err(|e| format!("invalid parameters: {e}"))
    }
}

#[derive(Args)]
struct RenderArgs {
    /// Kernel name (see `mandel list`).
    #[arg(long, short)]
    kernel: String,
    #[command(flatten)]
    problem: Problem,
    /// Threads for the threaded (rayon) kernels; default: RAYON_NUM_THREADS or the core count.
    #[arg(long, value_parser = clap::value_parser!(u16).range(1..=MAX_THREADS as i64))]
    threads: Option<u16>,
    /// Render this many times and report the fastest and the median.
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..=1000))]
    repeat: u32,
    /// Write the counts here as a .npy file (uint32, shape (height, width)).
    #[arg(long)]
    npy: Option<PathBuf>,
    /// Write a coloured image here (PNG).
    #[arg(long)]
    png: Option<PathBuf>,
    /// Do not check the counts against the f64 reference after rendering.
    #[arg(long)]
    no_check: bool,
    /// Print the timings as JSON (one object) instead of text.
    #[arg(long)]
    json: bool,
}

/// `mandel render --json`: the renders' times, and the CPU time they and the whole process took.
#[derive(Serialize)]
struct RenderReport {
    kernel: &'static str,
    isa: &'static str,
    threads: usize,
    width: usize,
    height: usize,
    max_iters: u32,
    iterations: u64,
    times_s: Vec<f64>,
    /// Paging the counts buffer in, before the clock.
    paging_s: f64,
    /// User and system CPU time per timed render (all threads). Their split is tick-sampled: under
    /// [`CPU_SPLIT_MIN_S`] of CPU over the timed renders, only their sum means anything.
    user_s: Option<f64>,
    sys_s: Option<f64>,
    /// User and system CPU time of this whole process, from its start to the report.
    process_user_s: Option<f64>,
    process_sys_s: Option<f64>,
    /// The sampled check against the f64 reference ([`sampled_check`]); absent with `--no-check`. A
    /// reader must not take the times of a render whose check is not `ok`: its counts are not the
    /// reference's, so the times are of another computation.
    #[serde(skip_serializing_if = "Option::is_none")]
    check: Option<Check>,
}

/// `render`'s check of its counts against the f64 reference: pixels checked, how many differ, how many
/// the kernel's tolerance allows of that many, and whether they are within it.
#[derive(Clone, Copy, Serialize)]
struct Check {
    checked: usize,
    differing: usize,
    allowed: usize,
    ok: bool,
}

#[derive(Args)]
struct VerifyArgs {
    /// Kernels to check (repeatable); all when omitted.
    #[arg(long, short)]
    kernel: Vec<String>,
    #[command(flatten)]
    problem: Problem,
    /// Threads for the threaded (rayon) kernels; default: RAYON_NUM_THREADS or the core count.
    #[arg(long, value_parser = clap::value_parser!(u16).range(1..=MAX_THREADS as i64))]
    threads: Option<u16>,
    /// Print JSON instead of a table.
    #[arg(long)]
    json: bool,
}

#[derive(Args)]
struct SweepArgs {
    /// Kernel name (see `mandel list`).
    #[arg(long, short)]
    kernel: String,
    /// Square image sizes for the size sweep (at --size-iters iterations).
    #[arg(long, value_delimiter = ',', default_values_t = SWEEP_SIZES)]
    sizes: Vec<usize>,
    /// Iteration cap of the size sweep.
    #[arg(long, default_value_t = u64::from(Params::canonical().max_iters()))]
    size_iters: u64,
    /// Iteration caps for the iteration sweep (at --iters-size pixels square).
    #[arg(long, value_delimiter = ',', default_values_t = SWEEP_ITERS.map(u64::from))]
    iters: Vec<u64>,
    /// Square image size of the iteration sweep.
    #[arg(long, default_value_t = Params::canonical().width())]
    iters_size: usize,
    /// Seconds of repeated timed renders per point (at least 3, after the untimed render that verifies it).
    #[arg(long, default_value_t = 0.5)]
    budget: f64,
    /// Threads for the threaded (rayon) kernels; default: RAYON_NUM_THREADS or the core count.
    #[arg(long, value_parser = clap::value_parser!(u16).range(1..=MAX_THREADS as i64))]
    threads: Option<u16>,
    /// Print JSON instead of a table.
    #[arg(long)]
    json: bool,
}

#[derive(Serialize)]
struct SweepPoint {
    axis: &'static str,
    width: usize,
    height: usize,
    max_iters: u32,
    iterations: u64,
    differing: usize,
    allowed: usize,
    times_s: Vec<f64>,
    median_s: f64,
    min_s: f64,
}

#[derive(Serialize)]
struct SweepResult {
    kernel: &'static str,
    isa: &'static str,
    precision: &'static str,
    threads: usize,
    points: Vec<SweepPoint>,
}

#[derive(Args)]
struct LanesArgs {
    #[command(flatten)]
    problem: Problem,
    /// Time each kernel this many times and keep the fastest.
    #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(u32).range(1..=1000))]
    repeat: u32,
    /// Print JSON instead of a table.
    #[arg(long)]
    json: bool,
}

#[derive(Serialize, Deserialize, Clone)]
struct TuneRow {
    /// `simd` (the Rust SIMD kernels: MANDEL_TUNING) or `c-reference` (MANDEL_C_TUNING).
    kernel: String,
    /// The variable that pins this row's kernel, so that the ladder reads it instead of restating it.
    env: String,
    isa: String,
    precision: String,
    /// `calibrated`, `forced` (MANDEL_TUNING) or `default`.
    source: String,
    /// The path's default: kept unless another tuning is more than the tie band faster.
    default: String,
    /// The tuning this process's kernels use (chosen on the calibration image at first use).
    chosen: String,
    /// The choice on this command's workload: the fastest by `times`, unless the path's default is
    /// within the tie band (`mandel_core::choose`). What `scripts/ladder` pins.
    fastest: String,
    /// The tie band `fastest` was chosen with (`mandel_core::choose::TIE_BAND`), recorded so that the summary
    /// states the rule of the run that chose it, not today's.
    tie_band: f64,
    workload: String,
    /// Every tuning's time on the workload, seconds: its fastest round in one process; with several
    /// processes, the median of their fastest rounds.
    times: Vec<(String, f64)>,
}

#[derive(Serialize)]
struct VerifyRow {
    kernel: &'static str,
    isa: &'static str,
    precision: &'static str,
    threads: usize,
    /// The bench's verification (`mandel_registry::verification`), the one comparison rule.
    #[serde(flatten)]
    v: Verification,
}

/// `mandel verify` of a kernel that cannot run here: the checked row's keys, null, and the reason.
#[derive(Serialize)]
struct SkippedRow {
    kernel: &'static str,
    isa: &'static str,
    precision: &'static str,
    skipped: &'static str,
    pixels: Option<usize>,
    differing: Option<usize>,
    allowed: Option<usize>,
    ok: Option<bool>,
}

/// A row of `mandel verify`: checked against the reference, or skipped.
#[derive(Serialize)]
#[serde(untagged)]
enum VerifyEntry {
    Checked(VerifyRow),
    Skipped(SkippedRow),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    // MANDEL_ISA and RAYON_NUM_THREADS are checked like flags: a value the kernels cannot use is an
    // error before anything runs, never silently ignored (rayon would start 100,000 threads).
    if let Err(e) = mandel_registry::check_env() {
        eprintln!("mandel: error: {e}");
        return ExitCode::from(2);
    }
    let threads = match &cli.command {
        Command::Render(a) => a.threads,
        Command::Verify(a) => a.threads,
        Command::Sweep(a) => a.threads,
        Command::List { .. }
        | Command::Describe { .. }
        | Command::Peak { .. }
        | Command::Lanes(_)
        | Command::Bench(_)
        | Command::Tune { .. } => None,
    };
    let result = match threads {
        // Everything runs inside a pool of the asked size, so the rayon kernels use exactly it.
        Some(n) => mandel_rayon::with_threads(usize::from(n), || run(cli))
            .unwrap_or_else(|e| Err(format!("cannot start {n} threads: {e}"))),
        None => run(cli),
    };
    match result {
        Ok(code) => code,
        Err(message) => {
            eprintln!("mandel: error: {message}");
            ExitCode::from(2)
        }
    }
}

fn lookup(name: &str) -> Result<&'static mandel_core::Kernel, String> {
    kernel(name).ok_or_else(|| format!("unknown kernel {name:?}; known kernels: {}", kernel_names()))
}

/// Refuse a view the kernel's precision cannot represent, naming the kernel, before any rendering.
fn check_view(k: &Kernel, params: &Params) -> Result<(), String> {
    params.check_precision(k.precision).map_err(|e| format!("{} cannot render this view: {e}", k.name))
}

/// Check an output path before any work (see [`atomic::check_writable`]): its folder exists, and it is
/// not a folder, a device or anything but a regular file once symlinks are followed.
fn check_output(flag: &str, path: &Path) -> Result<(), String> {
    atomic::check_writable(path).map(drop).map_err(|why| format!("cannot write {flag} {}: {why}", path.display()))
}

/// Pixels `render` checks against the reference: all of a smaller image, else this many spread over it.
const CHECK_PIXELS: usize = 4096;

/// Recompute up to [`CHECK_PIXELS`] pixels with the f64 reference and compare them with `counts`
/// (every pixel of a smaller image, else that many spread evenly over it).
fn sampled_check(k: &Kernel, params: &Params, counts: &[u32]) -> Check {
    let step = counts.len().div_ceil(CHECK_PIXELS).max(1);
    let (mut checked, mut differing) = (0usize, 0usize);
    for (i, &count) in counts.iter().enumerate().step_by(step) {
        let (x, y) = params.point(i / params.width(), i % params.width());
        checked += 1;
        differing += usize::from(reference::escape_count(x, y, params.max_iters()) != count);
    }
    let allowed = k.tolerance.allowed(checked);
    Check { checked, differing, allowed, ok: differing <= allowed }
}

/// [`sampled_check`]'s result on an image of `pixels` pixels as a warning, where more pixels differ
/// than the kernel's tolerance allows on that many.
fn reference_warning(k: &Kernel, check: &Check, pixels: usize) -> Option<String> {
    let Check { checked, differing, allowed, ok } = *check;
    let which =
        if checked == pixels { "every pixel".to_string() } else { format!("{checked} pixels spread over the image") };
    (!ok).then(|| {
        format!(
            "{} does not match the f64 reference at this view: {differing} of {checked} pixels differ ({which} \
             checked; its tolerance allows {allowed}). Its counts here are not the reference's: use an f64 kernel \
             without FMA (naive-f64, num-complex-f64) for this view, or `mandel verify` with the same view for \
             the whole image.",
            k.label()
        )
    })
}

/// The ISA path named on the command line, or the one the SIMD kernels take by default. A named path
/// this CPU lacks is refused: `--isa` names the path to measure, and its numbers reported for another
/// path would be misread as its own. `MANDEL_ISA` differs on purpose: a ceiling on every kernel's path
/// (the C reference's too), it resolves to the widest path no wider ([`mandel_simd::Isa::resolve`]),
/// and the outputs name the path that ran; the error says which that would be.
fn simd_isa(name: Option<&str>) -> Result<mandel_simd::Isa, String> {
    let Some(name) = name else { return Ok(mandel_simd::selected_isa()) };
    let names = |isas: &[mandel_simd::Isa]| isas.iter().map(|i| i.name()).collect::<Vec<_>>().join(", ");
    let isa = mandel_simd::Isa::from_name(name)
        .ok_or_else(|| format!("unknown ISA {name:?}; known: {}", names(&mandel_simd::Isa::ALL)))?;
    match isa.resolve() {
        ran if ran == isa => Ok(isa),
        ran => Err(format!(
            "--isa {isa}: this CPU has no {isa} path (its paths: {}); MANDEL_ISA={isa}, a ceiling, would run {ran}",
            names(mandel_simd::available_isas())
        )),
    }
}

fn to_json<T: Serialize>(value: &T) -> Result<String, String> {
    serde_json::to_string_pretty(value).map_err(|e| e.to_string())
}

fn run(cli: Cli) -> Result<ExitCode, String> {
    match cli.command {
        Command::List { json } => list(json),
        Command::Describe { json } => describe(json),
        Command::Render(args) => render(args),
        Command::Sweep(args) => sweep(args),
        Command::Verify(args) => verify(args),
        Command::Peak { isa, json } => peak(isa.as_deref(), json),
        Command::Tune { isa, rounds, processes, json } => tune_command(isa.as_deref(), rounds, processes, json),
        Command::Lanes(args) => lanes(args),
        Command::Bench(args) => bench::bench(args),
    }
}

/// `mandel list`: the registry in ladder order (`--json`: the kernels of `mandel describe --json`).
fn list(json: bool) -> Result<ExitCode, String> {
    let infos: Vec<KernelInfo> = KERNELS.iter().map(KernelInfo::of).collect();
    if json {
        outln!("{}", to_json(&infos)?);
    } else {
        outln!("{:<20} {:<22} {:<5} {:<7} {:<8} description", "name", "rung", "prec", "threads", "isa");
        for i in &infos {
            let description = match i.unavailable {
                Some(reason) => format!("UNAVAILABLE ({reason}): {}", i.description),
                None => i.description.to_string(),
            };
            let threads = if i.pool { format!("pool({})", i.threads) } else { i.threads.to_string() };
            outln!(
                "{:<20} {:<22} {:<5} {:<7} {:<8} {}",
                i.name,
                i.rung,
                i.precision.as_str(),
                threads,
                i.isa,
                description
            );
        }
        outln!("C reference: {}", mandel_c_reference::describe());
    }
    Ok(ExitCode::SUCCESS)
}

/// `mandel describe`: the registry's facts (canonical problem, bench settings, every kernel with its
/// flags and tolerance), for the ladder and the Python side to read instead of restating them.
fn describe(json: bool) -> Result<ExitCode, String> {
    let d = mandel_registry::describe();
    if json {
        outln!("{}", to_json(&d)?);
    } else {
        let c = d.canonical;
        outln!(
            "canonical problem: {}x{}, {} iterations, x in [{}, {}], y in [{}, {}]",
            c.width,
            c.height,
            c.max_iters,
            c.x_min,
            c.x_max,
            c.y_min,
            c.y_max
        );
        let (f, q) = (d.bench.full, d.bench.quick);
        outln!(
            "bench: sample size {}, warm-up {} s, measurement {} s (quick: {}, {} s, {} s)",
            f.sample_size,
            f.warm_up_s,
            f.measurement_s,
            q.sample_size,
            q.warm_up_s,
            q.measurement_s
        );
        let t = d.threads;
        outln!("thread pool: {} threads ({}, 1 to {}; unset: {} cores)", t.pool, t.env, t.max, t.cores);
        outln!("MANDEL_ISA: {} (any case), or unset for the widest path", d.isa_names.join(", "));
        for r in &d.tolerances {
            let fused = if r.fused { "fused" } else { "unfused" };
            outln!(
                "tolerance {} {fused}: {} + {:.1}% of the pixels",
                r.precision.as_str(),
                r.slack_pixels,
                r.max_fraction * 100.0
            );
        }
        let s = &d.sweep;
        outln!(
            "sweep grid: sizes {:?} at {} iterations, caps {:?} at {}x{}",
            s.sizes,
            s.size_iters,
            s.iters,
            s.iters_size,
            s.iters_size
        );
        for k in &d.kernels {
            let flags: Vec<&str> =
                [(k.reference, "reference"), (k.algorithmic, "algorithmic"), (k.one_lane, "one lane")]
                    .into_iter()
                    .filter_map(|(on, name)| on.then_some(name))
                    .collect();
            outln!(
                "{:<28} {} {:<7} tolerance {} + {:.1}%  {}",
                k.name,
                k.precision.as_str(),
                k.isa,
                k.tolerance_slack_pixels,
                k.tolerance_max_fraction * 100.0,
                flags.join(", ")
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// `mandel render`: time one kernel, warn if it strays from the reference, write the files asked for.
fn render(args: RenderArgs) -> Result<ExitCode, String> {
    let k = lookup(&args.kernel)?;
    let params = args.problem.params()?;
    check_view(k, &params)?;
    // Output paths are checked before the work, not after it.
    if let Some(path) = &args.npy {
        check_output("--npy", path)?;
    }
    if let Some(path) = &args.png {
        check_output("--png", path)?;
    }
    if let (Some(npy), Some(png)) = (&args.npy, &args.png)
        && atomic::same_file(npy, png)?
    {
        return Err(format!("--npy {} and --png {} name the same file", npy.display(), png.display()));
    }
    // The kernel's one-time choices (its tuning's calibration) are made before the clock starts.
    k.prepare().map_err(|e| e.to_string())?;
    // One buffer for every repeat, paged in before the clock: the timed renders pay no page faults.
    let paging = Instant::now();
    let mut counts = buffer::paged_in(params.pixels()).map_err(|e| too_large(&params, e))?;
    let paging = paging.elapsed().as_secs_f64();
    let before = buffer::cpu_times();
    let mut times = Vec::with_capacity(args.repeat as usize);
    for _ in 0..args.repeat {
        let t = Instant::now();
        k.render(&params, &mut counts).map_err(|e| e.to_string())?;
        times.push(t.elapsed().as_secs_f64());
    }
    let cpu = before.zip(buffer::cpu_times()).map(|((u0, s0), (u1, s1))| (u1 - u0, s1 - s0));
    let n = times.len() as f64;
    let process = buffer::cpu_times();
    // Checked before the report: the JSON carries the check, so that no reader takes failed counts' times.
    let check = (!args.no_check).then(|| sampled_check(k, &params, &counts));
    let report = RenderReport {
        kernel: k.name,
        isa: (k.isa)(),
        threads: threads_used(k),
        width: params.width(),
        height: params.height(),
        max_iters: params.max_iters(),
        iterations: total_iterations(&counts),
        times_s: times,
        paging_s: paging,
        user_s: cpu.map(|(u, _)| u / n),
        sys_s: cpu.map(|(_, s)| s / n),
        process_user_s: process.map(|(u, _)| u),
        process_sys_s: process.map(|(_, s)| s),
        check,
    };
    if args.json {
        outln!("{}", to_json(&report)?);
    } else {
        print_render(k, &report, counts.len());
    }
    if let Some(warning) = check.and_then(|c| reference_warning(k, &c, counts.len())) {
        eprintln!("mandel: warning: {warning}");
    }
    write_outputs(&args, &params, &counts)?;
    Ok(ExitCode::SUCCESS)
}

/// The fastest and the median (the mean of the middle two of an even count) of timed renders: at least
/// one, each a finite duration (`Instant::elapsed`).
fn fastest_and_median(times: &[f64]) -> (f64, f64) {
    let fastest = mandel_core::choose::fastest(times).expect("at least one finite time");
    (fastest, mandel_core::choose::median(times).expect("at least one finite time"))
}

/// `render`'s text report: the times, and the CPU time per image against the paging before the clock.
fn print_render(k: &Kernel, r: &RenderReport, pixels: usize) {
    let (fastest, median) = fastest_and_median(&r.times_s);
    outln!(
        "{} on {} thread(s): {}x{}, max_iters {}: min {:.3} ms, median {:.3} ms over {} run(s); {} iterations ({:.1} M iterations/s)",
        k.label(),
        r.threads,
        r.width,
        r.height,
        r.max_iters,
        fastest * 1e3,
        median * 1e3,
        r.times_s.len(),
        r.iterations,
        r.iterations as f64 / fastest / 1e6,
    );
    if let (Some(user), Some(sys)) = (r.user_s, r.sys_s) {
        outln!(
            "{}; {:.3} ms paging in the {} MiB of counts before the clock",
            cpu_per_image(user, sys, r.times_s.len()),
            r.paging_s * 1e3,
            (pixels * size_of::<u32>()) >> 20,
        );
    }
}

/// CPU time of the timed renders (all of them) below which `render` does not split it into user and sys.
/// The OS divides CPU time between the two by which mode each clock tick (1 to 10 ms, CONFIG_HZ) found
/// the process in, so under 10 ticks of the coarsest clock the split is off by 10% of the total or more,
/// and on a render of a few ms it is one tick's guess (all user or all sys); the total stays meaningful.
const CPU_SPLIT_MIN_S: f64 = 0.1;

/// `render`'s text for the CPU time per image (`user`, `sys`: per image, over `renders` timed renders).
fn cpu_per_image(user: f64, sys: f64, renders: usize) -> String {
    let total = (user + sys) * renders as f64;
    if total < CPU_SPLIT_MIN_S {
        return format!(
            "cpu per image: {:.3} ms (user/sys split not shown: {:.1} ms of CPU in all, under {} ms, and the OS \
             splits it by clock ticks of up to 10 ms)",
            (user + sys) * 1e3,
            total * 1e3,
            CPU_SPLIT_MIN_S * 1e3
        );
    }
    format!(
        "cpu per image: user {:.3} ms, sys {:.3} ms ({:.1}% sys)",
        user * 1e3,
        sys * 1e3,
        100.0 * sys / (user + sys).max(f64::MIN_POSITIVE)
    )
}

/// `render`'s `--npy`/`--png`: all or nothing. Each is written whole beside its target first, and
/// they are renamed into place only once both are written, so a failed write (a full disk, no memory
/// for the PNG) leaves every target as it was (the paths were checked before rendering). A kill between
/// the two renames (microseconds) is not covered: the first is then in place, the second not.
fn write_outputs(args: &RenderArgs, params: &Params, counts: &[u32]) -> Result<(), String> {
    // With --json, standard output is the report alone: what was written is said on standard error.
    let say = |line: String| if args.json { eprintln!("{line}") } else { outln!("{line}") };
    let failed =
        |path: &Path, e: std::io::Error| format!("cannot write {}: {e} (nothing was written there)", path.display());
    let (height, width) = (params.height(), params.width());
    let mut staged = Vec::new();
    if let Some(path) = &args.npy {
        staged.push(("counts", path, image::stage_npy(path, counts, height, width).map_err(|e| failed(path, e))?));
    }
    if let Some(path) = &args.png {
        let png = image::stage_png(path, counts, height, width, params.max_iters()).map_err(|e| failed(path, e))?;
        staged.push(("image", path, png));
    }
    for (what, path, file) in staged {
        // A rename fails only if the target was changed since the check (made a folder): the outputs
        // before it are in place, the ones after it are dropped with the loop's iterator, removed.
        file.commit().map_err(|e| format!("cannot write {}: {e}", path.display()))?;
        say(format!("{what} written to {}", path.display()));
    }
    Ok(())
}

/// A buffer of the image that cannot be allocated, as the error names it: the image's size, then why.
fn too_large(params: &Params, e: mandel_core::AllocError) -> String {
    format!("{}x{} pixels: {e}", params.width(), params.height())
}

/// A render that failed: a buffer beyond the memory here names the image's size ([`too_large`]).
fn render_failed(params: &Params, e: mandel_core::RenderError) -> String {
    match e {
        mandel_core::RenderError::Memory(e) => too_large(params, e),
        e => e.to_string(),
    }
}

/// `mandel verify`: every kernel asked for against the f64 reference; exit 1 if one is outside its tolerance.
fn verify(args: VerifyArgs) -> Result<ExitCode, String> {
    let params = args.problem.params()?;
    let kernels = if args.kernel.is_empty() {
        KERNELS.iter().collect::<Vec<_>>()
    } else {
        args.kernel.iter().map(|n| lookup(n)).collect::<Result<Vec<_>, _>>()?
    };
    for k in &kernels {
        check_view(k, &params)?;
    }
    let expected = reference::try_render(&params).map_err(|e| too_large(&params, e))?;
    // In the order asked; a kernel that cannot run here is skipped (not failed), with the reason.
    let mut rows = Vec::new();
    for k in kernels {
        if let Some(reason) = (k.unavailable)() {
            rows.push(VerifyEntry::Skipped(SkippedRow {
                kernel: k.name,
                isa: (k.isa)(),
                precision: k.precision.as_str(),
                skipped: reason,
                pixels: None,
                differing: None,
                allowed: None,
                ok: None,
            }));
            continue;
        }
        let v = verification(k, &params, &expected).map_err(|e| render_failed(&params, e))?;
        rows.push(VerifyEntry::Checked(VerifyRow {
            kernel: k.name,
            isa: (k.isa)(),
            precision: k.precision.as_str(),
            threads: threads_used(k),
            v,
        }));
    }
    if args.json {
        outln!("{}", to_json(&rows)?);
    } else {
        outln!(
            "{:<24} {:<8} {:>10} {:>10} {:>9} {:>13} {:>15}  verdict",
            "kernel",
            "isa",
            "differing",
            "allowed",
            "max diff",
            "iterations",
            "lane-iterations"
        );
        for row in &rows {
            match row {
                VerifyEntry::Checked(r) => outln!(
                    "{:<24} {:<8} {:>10} {:>10} {:>9} {:>13} {:>15}  {}",
                    r.kernel,
                    r.isa,
                    r.v.differing.map_or_else(|| "-".to_string(), |d| d.to_string()),
                    r.v.allowed,
                    r.v.max_abs_diff,
                    r.v.iterations,
                    r.v.lane_iterations,
                    match (r.v.ok, r.v.timed_render_differing) {
                        (true, _) => "ok".to_string(),
                        (false, Some(n)) =>
                            format!("FAIL: its timed build differs from the verified one at {n} pixels"),
                        (false, None) => "FAIL".to_string(),
                    }
                ),
                VerifyEntry::Skipped(r) => {
                    outln!("{:<24} {:<8} {:>60}  skipped: {}", r.kernel, r.isa, "", r.skipped)
                }
            }
        }
    }
    let failed = rows.iter().any(|row| matches!(row, VerifyEntry::Checked(r) if !r.v.ok));
    Ok(if failed { ExitCode::FAILURE } else { ExitCode::SUCCESS })
}

/// `mandel peak`: one core's FMA peak and step ceiling on a SIMD path.
fn peak(isa: Option<&str>, json: bool) -> Result<ExitCode, String> {
    let peak = mandel_simd::measure_peak(simd_isa(isa)?);
    if json {
        outln!("{}", serde_json::to_string(&peak).map_err(|e| e.to_string())?);
    } else {
        outln!(
            "peak FMA throughput, one core, {}: f32 {:.1} G lane-FMA/s ({} lanes), f64 {:.1} G lane-FMA/s ({} lanes)",
            peak.isa,
            peak.f32_lane_fmas_per_s / 1e9,
            peak.f32_lanes,
            peak.f64_lane_fmas_per_s / 1e9,
            peak.f64_lanes
        );
        outln!(
            "step ceiling, one core, {}: f32 {:.2} G lane-iterations/s ({}), f64 {:.2} G lane-iterations/s ({}): \
             the kernel's escape step on always-busy vectors, nothing else",
            peak.isa,
            peak.f32_step_lane_iterations_per_s / 1e9,
            peak.f32_step_tuning,
            peak.f64_step_lane_iterations_per_s / 1e9,
            peak.f64_step_tuning
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// `mandel tune`: every tuning's time on the canonical image, and the one the kernels use.
fn tune_command(isa: Option<&str>, rounds: u32, processes: u32, json: bool) -> Result<ExitCode, String> {
    simd_isa(isa)?; // refused here, not once per child process
    let rows = match processes {
        1 => tune(isa, rounds, &Params::canonical())?,
        n => tune_in_processes(isa, rounds, n)?,
    };
    if json {
        outln!("{}", to_json(&rows)?);
    } else {
        for r in &rows {
            let times: Vec<String> = r.times.iter().map(|(t, s)| format!("{t} {:.3} ms", s * 1e3)).collect();
            outln!(
                "{} {} {}: {}",
                r.kernel,
                r.isa,
                r.precision,
                if times.is_empty() { "one instantiation".into() } else { times.join(", ") }
            );
            outln!("  {}; this process's kernels use {} ({})", tune_choice(r), r.chosen, r.source);
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// `mandel tune`'s text for a row's choice (the JSON's `fastest`, a name the Python readers keep), said
/// as what it is: the fastest time, or the path's default kept by the tie band, which need not be.
fn tune_choice(r: &TuneRow) -> String {
    let band = format!("{}%", (r.tie_band * 1000.0).round() / 10.0); // 0.02 -> "2%", 0.025 -> "2.5%"
    let fastest = r.times.iter().filter(|(_, s)| s.is_finite()).min_by(|a, b| a.1.total_cmp(&b.1));
    let why = match fastest.map(|(name, _)| name) {
        None => "the only tuning".to_string(),
        Some(f) if *f == r.fastest && *f == r.default => "fastest, and the default".to_string(),
        Some(f) if *f == r.fastest => format!("fastest, more than {band} faster than the default {}", r.default),
        Some(f) if r.fastest == r.default => format!("default, within {band} of the fastest {f}"),
        Some(f) => format!("the fastest is {f}"), // not `choose`'s rule: said, not hidden
    };
    format!("tune's choice on {}: {} ({why})", r.workload, r.fastest)
}

/// `mandel lanes`: for every registered single-thread SIMD kernel, lane-iterations executed (its
/// instrumented render) against useful ones, and speed against the step ceiling and the FMA peak of
/// the path the kernels take (`MANDEL_ISA` forces another).
///
/// Each kernel is verified against the f64 reference before it is timed, as `mandel sweep` does and
/// by `mandel verify`'s rule ([`verification_into`]): a kernel outside its tolerance at the view is
/// not timed and has no row (its speed would be that of wrong counts); a line on stderr says why, and
/// the exit status is 1, as `mandel verify`'s.
fn lanes(args: LanesArgs) -> Result<ExitCode, String> {
    let params = args.problem.params()?;
    let kernels: Vec<&Kernel> =
        KERNELS.iter().filter(|k| k.threads == Threads::One && !k.one_lane && (k.unavailable)().is_none()).collect();
    for k in &kernels {
        check_view(k, &params)?;
        k.prepare().map_err(|e| e.to_string())?; // one-time choices before any clock starts
    }
    let peak = mandel_simd::measure_peak(mandel_simd::selected_isa());
    let expected = reference::try_render(&params).map_err(|e| too_large(&params, e))?;
    let mut rows = Vec::new();
    let mut failed = Vec::new();
    let mut out = mandel_core::buffer::zeroed(params.pixels()).map_err(|e| too_large(&params, e))?;
    for k in kernels {
        // The instrumented render (lane-iterations) compared with the reference, and the timed build's
        // counts with it: the warm-up render of `out` too.
        let v = verification_into(k, &params, &expected, &mut out).map_err(|e| render_failed(&params, e))?;
        if !v.ok {
            failed.push(format!(
                "{}; not timed (`mandel verify` with the same view checks it)",
                verification_failure(k, &params, &v)
            ));
            continue;
        }
        let mut seconds = f64::INFINITY;
        for _ in 0..args.repeat {
            let t = Instant::now();
            k.render(&params, &mut out).map_err(|e| e.to_string())?;
            seconds = seconds.min(t.elapsed().as_secs_f64());
        }
        rows.push(mandel_simd::LaneReport::new(
            k.name,
            (k.isa)(),
            k.precision,
            v.lane_iterations,
            v.iterations,
            seconds,
            &peak,
        ));
    }
    if args.json {
        outln!("{}", to_json(&rows)?);
    } else {
        print_lanes(&rows, &peak);
    }
    for line in &failed {
        eprintln!("mandel: error: {line}");
    }
    Ok(if failed.is_empty() { ExitCode::SUCCESS } else { ExitCode::FAILURE })
}

/// Why `k` failed its verification `v` at `params` (`mandel sweep`'s error, `mandel lanes`' line).
fn verification_failure(k: &Kernel, params: &Params, v: &Verification) -> String {
    let at = format!("{} at {}x{}/{}", k.label(), params.width(), params.height(), params.max_iters());
    match (v.differing, v.timed_render_differing) {
        (_, Some(n)) => format!("{at}: its timed build differs from the verified one at {n} pixels"),
        (Some(d), None) => format!("{at}: {d} pixels differ from the reference, allowed {}", v.allowed),
        (None, None) => format!("{at}: failed verification"),
    }
}

fn print_lanes(rows: &[mandel_simd::LaneReport], peak: &mandel_simd::Peak) {
    outln!(
        "{:<20} {:<7} {:>14} {:>14} {:>12} {:>9} {:>11} {:>8} {:>8}",
        "kernel",
        "isa",
        "lane-iters",
        "sum of counts",
        "wasted",
        "min ms",
        "G lane-it/s",
        "of step",
        "of FMA"
    );
    for r in rows {
        // An algorithmic kernel executes fewer lane-iterations than the counts add up to.
        let wasted = match r.skipped_fraction > 0.0 {
            true => format!("skips {:.1}%", r.skipped_fraction * 100.0),
            false => format!("{:.1}%", r.wasted_fraction * 100.0),
        };
        outln!(
            "{:<20} {:<7} {:>14} {:>14} {:>12} {:>9.3} {:>11.2} {:>7.1}% {:>7.1}%",
            r.kernel,
            r.isa,
            r.lane_iterations,
            r.sum_of_counts,
            wasted,
            r.seconds * 1e3,
            r.lane_iterations_per_s / 1e9,
            r.step_share * 100.0,
            r.efficiency * 100.0
        );
    }
    outln!(
        "one core, {}: step ceiling f32 {:.2} / f64 {:.2} G lane-iterations/s (\"of step\": useful iterations \
         against it); FMA peak f32 {:.1} / f64 {:.1} G lane-FMA/s (\"of FMA\": all lane-iterations against it)",
        peak.isa,
        peak.f32_step_lane_iterations_per_s / 1e9,
        peak.f64_step_lane_iterations_per_s / 1e9,
        peak.f32_lane_fmas_per_s / 1e9,
        peak.f64_lane_fmas_per_s / 1e9
    );
}

/// `mandel tune --processes N`: `mandel tune` run in N fresh processes, one after the other, each
/// tuning's time the median of the processes' fastest renders, and the choice made on those
/// (`mandel_core::choose`). On a shared VM a tuning's speed moves from one process to the next
/// (METHODOLOGY.md, "The tuning"), so one process's ranking is not the machine's.
fn tune_in_processes(isa: Option<&str>, rounds: u32, processes: u32) -> Result<Vec<TuneRow>, String> {
    let exe = std::env::current_exe().map_err(|e| format!("cannot find the mandel binary to run: {e}"))?;
    let mut runs: Vec<Vec<TuneRow>> = Vec::new();
    for i in 0..processes {
        let mut command = std::process::Command::new(&exe);
        command.args(["tune", "--json", "--processes", "1", "--rounds", &rounds.to_string()]);
        if let Some(isa) = isa {
            command.args(["--isa", isa]);
        }
        let out = command.output().map_err(|e| format!("cannot run {}: {e}", exe.display()))?;
        if !out.status.success() {
            return Err(format!("mandel tune (process {}): {}", i + 1, String::from_utf8_lossy(&out.stderr).trim()));
        }
        let rows: Vec<TuneRow> = serde_json::from_slice(&out.stdout).map_err(|e| format!("mandel tune output: {e}"))?;
        eprintln!("mandel tune: process {}/{processes} done", i + 1);
        runs.push(rows);
    }
    let mut combined = runs[0].clone();
    for (j, row) in combined.iter_mut().enumerate() {
        let mut times = Vec::new();
        for (name, _) in &row.times {
            let each: Vec<f64> = runs
                .iter()
                .filter_map(|run| run.get(j)?.times.iter().find(|(n, _)| n == name).map(|&(_, s)| s))
                .collect();
            times.push((name.clone(), mandel_core::choose::median(&each).unwrap_or(f64::INFINITY)));
        }
        if !times.is_empty() {
            let named: Vec<(&str, f64)> = times.iter().map(|(n, s)| (n.as_str(), *s)).collect();
            row.fastest = mandel_core::choose::choose(&named, row.default.as_str()).to_string();
        }
        row.times = times;
    }
    Ok(combined)
}

/// `mandel tune`: every tuning timed on `params` (the canonical image by default), per precision.
fn tune(isa: Option<&str>, rounds: u32, params: &Params) -> Result<Vec<TuneRow>, String> {
    let isa = simd_isa(isa)?;
    let mut rows = tune_simd(isa, rounds, params);
    rows.extend(tune_c(rounds, params)?);
    Ok(rows)
}

/// The C reference's tunings on its selected path, timed like the SIMD kernels' (round-robin, the
/// fastest of `rounds`, the same choice rule), so that the ladder can pin both on the same workload.
fn tune_c(rounds: u32, params: &Params) -> Result<Option<TuneRow>, String> {
    let (Some(isa), Some(selection)) = (mandel_c_reference::selected_isa(), mandel_c_reference::selection_made())
    else {
        return Ok(None); // built without C, or MANDEL_C_TUNING names no tuning: `mandel list` says why
    };
    let times = mandel_c_reference::time_tunings(isa, &[(params, 0, params.pixels())], rounds as usize)
        .map_err(|e| e.to_string())?;
    if times.is_empty() {
        return Ok(None);
    }
    let fastest = isa.default_tuning().map(|default| mandel_core::choose::choose(&times, default));
    Ok(Some(TuneRow {
        kernel: "c-reference".into(),
        env: mandel_c_reference::TUNING_ENV.into(),
        isa: mandel_c_reference::isa().into(),
        precision: "f32".into(),
        source: selection.source.into(),
        default: isa.default_tuning().map(|t| t.to_string()).unwrap_or_default(),
        chosen: selection.tuning.map(|t| t.to_string()).unwrap_or_default(),
        fastest: fastest.map(|t| t.to_string()).unwrap_or_default(),
        tie_band: mandel_core::choose::TIE_BAND,
        workload: format!("{}x{}/{}", params.width(), params.height(), params.max_iters()),
        times: times.iter().map(|(t, s)| (t.to_string(), *s)).collect(),
    }))
}

fn tune_simd(isa: mandel_simd::Isa, rounds: u32, params: &Params) -> Vec<TuneRow> {
    [Precision::F32, Precision::F64]
        .into_iter()
        .map(|precision| {
            let c = mandel_simd::calibrate(isa, precision, params, rounds as usize);
            let chosen = mandel_simd::chosen(precision);
            // The process's own choice applies to the selected path; on another path, the fastest here.
            let (chosen_name, source) = match chosen.isa == c.isa {
                true => (chosen.tuning.name(), chosen.source.as_str()),
                false => (c.tuning.name(), c.source.as_str()),
            };
            TuneRow {
                kernel: "simd".into(),
                env: mandel_simd::TUNING_ENV.into(),
                isa: c.isa.name().into(),
                precision: precision.as_str().into(),
                source: source.into(),
                default: mandel_simd::Tuning::default_for(c.isa).name(),
                chosen: chosen_name,
                fastest: c.tuning.name(),
                tie_band: mandel_core::choose::TIE_BAND,
                workload: c.workload,
                times: c.times.iter().map(|(t, s)| (t.name(), *s)).collect(),
            }
        })
        .collect()
}

fn sweep(args: SweepArgs) -> Result<ExitCode, String> {
    let k = lookup(&args.kernel)?;
    if !(args.budget.is_finite() && args.budget >= 0.0) {
        return Err(format!("--budget must be a non-negative number of seconds, got {}", args.budget));
    }
    // Every point is checked before any is timed: a bad last point is an error before the work.
    let canonical = Params::canonical();
    let problems = args
        .sizes
        .iter()
        .map(|&n| ("size", n, args.size_iters))
        .chain(args.iters.iter().map(|&it| ("iters", args.iters_size, it)))
        .map(|(axis, n, iters)| {
            let params = Params::new(n, n, canonical.x_range(), canonical.y_range(), iters)
                .map_err(|e| format!("sweep point {n}x{n}/{iters}: {e}"))?;
            check_view(k, &params)?;
            Ok((axis, n, iters, params))
        })
        .collect::<Result<Vec<_>, String>>()?;
    k.prepare().map_err(|e| e.to_string())?; // one-time choices before any clock starts
    let mut points = Vec::new();
    for (axis, n, iters, params) in problems {
        eprintln!("sweep {}: {axis} {n}x{n}, {iters} iterations ...", k.name);
        // Verify before timing: a point outside the kernel's tolerance is an error, not a data point.
        // A point too large for the memory here is an error naming it, not an abort (`buffer::zeroed`,
        // and `verification_into`'s own buffer).
        let point = |e: &dyn std::fmt::Display| format!("sweep point {n}x{n}/{iters}: {e}");
        let expected = reference::try_render(&params).map_err(|e| point(&e))?;
        // `mandel verify`'s rule (and `mandel lanes`'): the timed build's counts must also be the verified ones.
        let mut out = mandel_core::buffer::zeroed(params.pixels()).map_err(|e| point(&e))?;
        let v = verification_into(k, &params, &expected, &mut out).map_err(|e| point(&e))?;
        let (true, Some(differing)) = (v.ok, v.differing) else {
            return Err(verification_failure(k, &params, &v));
        };
        let mut times =
            mandel_registry::time_renders(k, &params, &mut out, args.budget, 3).map_err(|e| e.to_string())?;
        let (min_s, median_s) = fastest_and_median(&times);
        times.shrink_to_fit();
        points.push(SweepPoint {
            axis,
            width: n,
            height: n,
            max_iters: params.max_iters(),
            iterations: total_iterations(&out),
            differing,
            allowed: v.allowed,
            median_s,
            min_s,
            times_s: times,
        });
    }
    let result = SweepResult {
        kernel: k.name,
        isa: (k.isa)(),
        precision: k.precision.as_str(),
        threads: threads_used(k),
        points,
    };
    if args.json {
        outln!("{}", serde_json::to_string_pretty(&result).map_err(|e| e.to_string())?);
    } else {
        outln!("{} on {} thread(s)", k.label(), result.threads);
        outln!(
            "{:<6} {:>11} {:>9} {:>14} {:>12} {:>14}",
            "axis",
            "size",
            "max_iters",
            "iterations",
            "median ms",
            "ns/iteration"
        );
        for p in &result.points {
            outln!(
                "{:<6} {:>11} {:>9} {:>14} {:>12.3} {:>14.3}",
                p.axis,
                format!("{}x{}", p.width, p.height),
                p.max_iters,
                p.iterations,
                p.median_s * 1e3,
                p.median_s * 1e9 / p.iterations.max(1) as f64
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_median_of_an_even_count_is_the_mean_of_the_middle_two() {
        // `sweep`'s median_s and `render`'s text took the upper middle time of an even count.
        assert_eq!(fastest_and_median(&[4.0, 1.0, 3.0, 2.0]), (1.0, 2.5));
        assert_eq!(fastest_and_median(&[3.0, 1.0, 2.0]), (1.0, 2.0));
        assert_eq!(fastest_and_median(&[0.5]), (0.5, 0.5));
    }

    #[test]
    fn render_splits_cpu_time_only_over_enough_clock_ticks() {
        // 3 renders of 1 ms: 3 ms of CPU, under a tick of a 100 Hz clock: the split is noise.
        let short = cpu_per_image(0.0, 0.001, 3);
        assert_eq!(
            short,
            "cpu per image: 1.000 ms (user/sys split not shown: 3.0 ms of CPU in all, under 100 ms, and the OS \
             splits it by clock ticks of up to 10 ms)"
        );
        // 2 renders of 75 ms: 150 ms of CPU, 15 ticks or more.
        assert_eq!(cpu_per_image(0.060, 0.015, 2), "cpu per image: user 60.000 ms, sys 15.000 ms (20.0% sys)");
    }

    fn tune_row(default: &str, fastest: &str, times: &[(&str, f64)]) -> TuneRow {
        TuneRow {
            kernel: "simd".into(),
            env: "MANDEL_TUNING".into(),
            isa: "avx2".into(),
            precision: "f32".into(),
            source: "calibrated".into(),
            default: default.into(),
            chosen: fastest.into(),
            fastest: fastest.into(),
            tie_band: mandel_core::choose::TIE_BAND,
            workload: "960x960/200".into(),
            times: times.iter().map(|&(n, s)| (n.to_string(), s)).collect(),
        }
    }

    #[test]
    fn tune_labels_a_default_kept_by_the_tie_band_as_the_default_not_the_fastest() {
        // v5k4 is 1% faster: the band keeps v4k8, which the text called "fastest".
        let kept = tune_row("v4k8", "v4k8", &[("v4k8", 0.100), ("v5k4", 0.099)]);
        assert_eq!(tune_choice(&kept), "tune's choice on 960x960/200: v4k8 (default, within 2% of the fastest v5k4)");
        let faster = tune_row("v4k8", "v5k4", &[("v4k8", 0.100), ("v5k4", 0.090)]);
        assert_eq!(
            tune_choice(&faster),
            "tune's choice on 960x960/200: v5k4 (fastest, more than 2% faster than the default v4k8)"
        );
        let both = tune_row("v4k8", "v4k8", &[("v4k8", 0.090), ("v5k4", 0.100)]);
        assert_eq!(tune_choice(&both), "tune's choice on 960x960/200: v4k8 (fastest, and the default)");
        let one = tune_row("v4k4", "v4k4", &[]);
        assert_eq!(tune_choice(&one), "tune's choice on 960x960/200: v4k4 (the only tuning)");
    }
}
