//! The ladder benches: every registered kernel at the canonical problem (960x960, 200 iterations,
//! x in [-2.0, 0.6], y in [-1.5, 1.5]) in one Criterion group, `ladder`.
//!
//! Before a kernel is timed it is verified against the f64 reference at the same size; a kernel
//! outside its tolerance is reported and skipped, never timed; so is a kernel this build cannot run
//! (the C reference, built without a C compiler), with the reason. Throughput is the kernel's own total
//! iteration count (sum of its counts), so Criterion prints iterations per second.
//!
//! Bench ids are `ladder/<kernel>/<isa>`: the ISA path that ran is part of the result's name.
//! Two more groups show what threads add on top of the best single-thread kernel
//! ([`PARALLEL_INNER`]):
//! - `load-balance/<split>`: the same kernel on the whole pool, split into bands (one per thread),
//!   rows, or fine-grained chunks of pixels;
//! - `threads/<n>`: the registered split on pools of 1, 2, ... up to the core count (a thread-scaling
//!   sweep; `MANDEL_BENCH_MAX_THREADS` raises or lowers the top).
//!
//! `MANDEL_BENCH_QUICK=1` shortens warm-up and measurement for a first look, and skips the plots.
//!
//! Otherwise Criterion writes its HTML report, `target/criterion/report/index.html` (one page per
//! group and benchmark), drawn by plotters' SVG backend: no gnuplot, no font library needed.

use criterion::{BenchmarkId, Criterion, PlottingBackend, Throughput, criterion_group, criterion_main};
use mandel_core::{Params, total_iterations, verify};
use mandel_rayon::{Split, render_split};
use mandelbrot_ladder::{KERNELS, PARALLEL_INNER, kernel};
use std::hint::black_box;
use std::time::Duration;

fn quick() -> bool {
    std::env::var("MANDEL_BENCH_QUICK").is_ok_and(|v| v != "0" && !v.is_empty())
}

/// Sample size, warm-up and measurement time of every group. The slow rungs take ~100 ms a render:
/// 10 samples keep a full run to a few seconds per kernel while Criterion still reports a
/// confidence interval.
fn configure<M: criterion::measurement::Measurement>(group: &mut criterion::BenchmarkGroup<'_, M>) {
    // MANDEL_ISA and RAYON_NUM_THREADS are checked like flags: a value the kernels cannot use aborts
    // the run before anything is timed (a garbage MANDEL_ISA would otherwise time the widest path
    // under a name the user did not ask for).
    if let Err(e) = mandelbrot_ladder::check_env() {
        eprintln!("ladder bench: error: {e}");
        std::process::exit(2);
    }
    group.sample_size(10);
    let (warm_up, measure) = if quick() { (0.3, 1.0) } else { (1.0, 3.0) };
    group.warm_up_time(Duration::from_secs_f64(warm_up));
    group.measurement_time(Duration::from_secs_f64(measure));
}

fn ladder(c: &mut Criterion) {
    let params = Params::canonical();
    let mut group = c.benchmark_group("ladder");
    configure(&mut group);
    let mut out = vec![0u32; params.pixels()];
    for kernel in KERNELS {
        // Also makes a kernel's one-time choices (the C reference calibrates its tuning) before timing.
        if let Some(reason) = (kernel.unavailable)() {
            eprintln!("NOT TIMED: {} is unavailable: {reason}", kernel.name);
            continue;
        }
        if kernel.reference {
            eprintln!("{} is a reference, not a rung: {}", kernel.name, mandel_c_reference::describe());
        }
        match verify(kernel, &params) {
            Ok(cmp) => eprintln!(
                "verified {}: {} of {} pixels differ from the f64 reference (allowed {})",
                kernel.label(),
                cmp.differing,
                cmp.pixels,
                kernel.tolerance.allowed(cmp.pixels)
            ),
            Err(e) => {
                eprintln!("NOT TIMED: {e}");
                continue;
            }
        }
        let iterations = total_iterations(&kernel.render_vec(&params));
        group.throughput(Throughput::Elements(iterations));
        group.bench_function(BenchmarkId::new(kernel.name, (kernel.isa)()), |b| {
            b.iter(|| kernel.render(black_box(&params), black_box(&mut out)))
        });
    }
    group.finish();
}

/// A pool of `n` threads; `install` around each render costs microseconds against milliseconds.
fn pool(n: usize) -> rayon::ThreadPool {
    rayon::ThreadPoolBuilder::new().num_threads(n).build().expect("thread pool")
}

fn max_threads() -> usize {
    std::env::var("MANDEL_BENCH_MAX_THREADS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
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

/// Plots (and so the HTML report) by plotters, whether or not gnuplot is installed, so every machine
/// draws the same report; none under `MANDEL_BENCH_QUICK`.
fn config() -> Criterion {
    let c = Criterion::default().plotting_backend(PlottingBackend::Plotters);
    if quick() { c.without_plots() } else { c }
}

criterion_group! {
    name = benches;
    config = config();
    targets = ladder, load_balance, thread_scaling
}
criterion_main!(benches);
