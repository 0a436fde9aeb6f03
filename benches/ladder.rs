//! The ladder benches: every registered kernel at the canonical problem (`Params::canonical()`) in one
//! Criterion group, `ladder`.
//!
//! Before a kernel is timed it is verified against the f64 reference at the same size, once: the one
//! render that verifies it also counts its lane-iterations and its iterations (Criterion's
//! throughput, so Criterion prints iterations per second). A kernel outside its tolerance is reported
//! and never timed; so is a kernel this build cannot run (the C reference, built without a C
//! compiler), with the reason.
//!
//! The bench owns its results: after each kernel it writes the records of the run so far
//! (`mandel_registry::Records`: the kernel as the registry describes it, its verification, the id of
//! the Criterion benchmark that timed it) to `MANDEL_BENCH_RECORDS`, by default
//! `ladder-records.json` in Criterion's output directory. `scripts/ladder` merges that file with
//! Criterion's estimates of the benchmarks it names.
//!
//! Bench ids are `ladder/<kernel>/<isa>`: the ISA path that ran is part of the result's name.
//! Two more groups show what threads add on top of the best brute-force single-thread kernel
//! ([`PARALLEL_INNER`]):
//! - `load-balance/<split>`: the same kernel on the whole pool, split into bands (one per thread),
//!   rows, or fine-grained chunks of pixels;
//! - `threads/<n>`: the registered split on pools of 1, 2, ... up to the core count (a thread-scaling
//!   sweep; `MANDEL_BENCH_MAX_THREADS`, 1 to 1024, raises or lowers the top and sizes
//!   `load-balance`'s pool).
//!
//! Sample size, warm-up and measurement time are `mandel_registry::BENCH_FULL`, or `BENCH_QUICK` under
//! `MANDEL_BENCH_QUICK=1` (a first look, which also skips the plots; `0` or unset: the full run). A
//! value of either variable outside these is an error naming it, as a bad `MANDEL_ISA` is.
//!
//! Otherwise Criterion writes its HTML report, `target/criterion/report/index.html` (one page per
//! group and benchmark), drawn by plotters' SVG backend: no gnuplot, no font library needed.

use criterion::{BenchmarkId, Criterion, PlottingBackend, Throughput, criterion_group, criterion_main};
use mandel_core::{Params, reference, total_iterations};
use mandel_rayon::{Split, render_split};
use mandel_registry::{KERNELS, PARALLEL_INNER, Record, Records, bench_quick, kernel};
use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Sample size, warm-up and measurement time of every group (the registry's settings).
fn configure<M: criterion::measurement::Measurement>(group: &mut criterion::BenchmarkGroup<'_, M>) {
    let settings = if bench_quick() { mandel_registry::BENCH_QUICK } else { mandel_registry::BENCH_FULL };
    group.sample_size(settings.sample_size);
    group.warm_up_time(Duration::from_secs_f64(settings.warm_up_s));
    group.measurement_time(Duration::from_secs_f64(settings.measurement_s));
}

/// Where the records go: `MANDEL_BENCH_RECORDS`, else `ladder-records.json` in Criterion's output
/// directory (`CRITERION_HOME`, else `$CARGO_TARGET_DIR/criterion`, else `target/criterion`).
fn records_path() -> PathBuf {
    // Cargo runs a bench in its package's folder, benches/: a relative MANDEL_BENCH_RECORDS is taken from
    // the workspace root, where `cargo bench` is run (joining an absolute path keeps it as it is).
    let workspace = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    if let Some(path) = std::env::var_os("MANDEL_BENCH_RECORDS").filter(|p| !p.is_empty()) {
        return workspace.join(path);
    }
    // Beside Criterion's results, found as Criterion finds its folder: CRITERION_HOME, else
    // CARGO_TARGET_DIR as given, else the workspace's target folder (which Criterion asks cargo for).
    let criterion = std::env::var_os("CRITERION_HOME").map(PathBuf::from).unwrap_or_else(|| {
        std::env::var_os("CARGO_TARGET_DIR").map_or_else(|| workspace.join("target"), PathBuf::from).join("criterion")
    });
    criterion.join("ladder-records.json")
}

/// Check, before any kernel is verified or timed, that the records can be written there: its folder
/// is made if missing, and a path that is a device, a folder or anything but a regular file (after
/// following symlinks) aborts the run (`mandelbrot_ladder::atomic`'s rule), leaving no folder made.
fn check_records_path(path: &Path) {
    if let Err(why) = mandelbrot_ladder::atomic::check_writable_making_folder(path) {
        eprintln!("ladder bench: error: cannot write the records to {}: {why}", path.display());
        std::process::exit(2);
    }
}

/// Write the records whole (a temporary file renamed into place); a failure aborts the run.
fn write_records(records: &Records, path: &Path) {
    let text = serde_json::to_string_pretty(records).expect("records serialize") + "\n";
    if let Err(e) =
        mandelbrot_ladder::atomic::write_via_temp(path, |out| std::io::Write::write_all(out, text.as_bytes()))
    {
        eprintln!("ladder bench: error: cannot write the records to {}: {e}", path.display());
        std::process::exit(2);
    }
}

fn ladder(c: &mut Criterion) {
    let params = Params::canonical();
    let mut group = c.benchmark_group("ladder");
    configure(&mut group);
    let path = records_path();
    check_records_path(&path);
    let mut records = Records::new(bench_quick(), &params);
    let expected = reference::render(&params);
    let mut out = vec![0u32; params.pixels()];
    for kernel in KERNELS {
        // Asking `unavailable` (Record::verified does) also makes a kernel's one-time choices (the C
        // reference calibrates its tuning) before timing.
        let mut record = Record::verified(kernel, &params, &expected).expect("the canonical view suits every kernel");
        if let Some(reason) = record.kernel.unavailable {
            eprintln!("NOT TIMED: {} is unavailable: {reason}", kernel.name);
        } else if let Some(v) = record.verification {
            if kernel.reference {
                eprintln!("{} is a reference, not a rung: {}", kernel.name, mandel_c_reference::describe());
            }
            if v.ok {
                eprintln!(
                    "verified {}: {} of {} pixels differ from the f64 reference (allowed {})",
                    kernel.label(),
                    v.differing.unwrap_or(0),
                    v.pixels,
                    v.allowed
                );
                let id = BenchmarkId::new(kernel.name, (kernel.isa)());
                let mut timed = false;
                group.throughput(Throughput::Elements(v.iterations));
                group.bench_function(id, |b| {
                    timed = true; // not called when a bench filter leaves the kernel out
                    b.iter(|| kernel.render(black_box(&params), black_box(&mut out)))
                });
                record.criterion_id = timed.then(|| format!("ladder/{}/{}", kernel.name, (kernel.isa)()));
            } else if let Some(differing) = v.differing {
                eprintln!(
                    "NOT TIMED: {} differs from the f64 reference on {differing} of {} pixels (allowed {})",
                    kernel.label(),
                    v.pixels,
                    v.allowed
                );
            } else {
                eprintln!(
                    "NOT TIMED: {}'s timed build differs from its verified build on {} of {} pixels",
                    kernel.label(),
                    v.timed_render_differing.unwrap_or(0),
                    v.pixels
                );
            }
        }
        records.records.push(record);
        write_records(&records, &path);
    }
    group.finish();
}

/// A pool of `n` threads; `install` around each render costs microseconds against milliseconds.
fn pool(n: usize) -> rayon::ThreadPool {
    rayon::ThreadPoolBuilder::new().num_threads(n).build().expect("thread pool")
}

fn max_threads() -> usize {
    mandel_registry::bench_max_threads()
}

fn load_balance(c: &mut Criterion) {
    let params = Params::canonical();
    let inner = kernel(PARALLEL_INNER).expect("PARALLEL_INNER names a registered kernel");
    let threads = max_threads();
    let pool = pool(threads);
    let mut group = c.benchmark_group("load-balance");
    configure(&mut group);
    group.throughput(Throughput::Elements(total_iterations(&inner.render_vec(&params))));
    let mut out = vec![0u32; params.pixels()];
    for split in [
        Split::Bands,
        Split::Rows,
        Split::Auto,
        Split::Chunks(16384),
        Split::Chunks(4096),
        Split::Chunks(1024),
        Split::Chunks(256),
    ] {
        let id = BenchmarkId::new(split.name(), format!("{}-{threads}t", inner.name));
        group.bench_function(id, |b| {
            b.iter(|| pool.install(|| render_split(black_box(&params), 0, black_box(&mut out), inner.render_fn, split)))
        });
    }
    group.finish();
}

fn thread_scaling(c: &mut Criterion) {
    let params = Params::canonical();
    let inner = kernel(PARALLEL_INNER).expect("PARALLEL_INNER names a registered kernel");
    let mut group = c.benchmark_group("threads");
    configure(&mut group);
    group.throughput(Throughput::Elements(total_iterations(&inner.render_vec(&params))));
    let mut out = vec![0u32; params.pixels()];
    for n in 1..=max_threads() {
        let pool = pool(n);
        group.bench_function(BenchmarkId::new(inner.name, n), |b| {
            b.iter(|| {
                pool.install(|| render_split(black_box(&params), 0, black_box(&mut out), inner.render_fn, Split::BEST))
            })
        });
    }
    group.finish();
}

/// Every variable the kernels and the benches read, checked like flags before anything runs (Criterion
/// calls [`config`] first): a value they cannot use aborts the run (exit 2) naming it. A garbage
/// MANDEL_ISA would otherwise time the widest path under a name the user did not ask for, and a
/// MANDEL_BENCH_QUICK or MANDEL_BENCH_MAX_THREADS read loosely would time other settings than asked.
fn check_env() {
    if let Err(e) = mandel_registry::check_env().and_then(|()| mandel_registry::check_bench_env()) {
        eprintln!("ladder bench: error: {e}");
        std::process::exit(2);
    }
}

/// Plots (and so the HTML report) by plotters, whether or not gnuplot is installed, so every machine
/// draws the same report; none under `MANDEL_BENCH_QUICK`.
fn config() -> Criterion {
    check_env();
    let c = Criterion::default().plotting_backend(PlottingBackend::Plotters);
    if bench_quick() { c.without_plots() } else { c }
}

criterion_group! {
    name = benches;
    config = config();
    targets = ladder, load_balance, thread_scaling
}
criterion_main!(benches);
