//! The ladder benches: every registered kernel at the canonical problem (960x960, 200 iterations,
//! x in [-2.0, 0.6], y in [-1.5, 1.5]) in one Criterion group, `ladder`.
//!
//! Before a kernel is timed it is verified against the f64 reference at the same size; a kernel
//! outside its tolerance is reported and skipped, never timed. Throughput is the kernel's own total
//! iteration count (sum of its counts), so Criterion prints iterations per second.
//!
//! Bench ids are `ladder/<kernel>/<isa>`: the ISA path that ran is part of the result's name.
//! `MANDEL_BENCH_QUICK=1` shortens warm-up and measurement for a first look.

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use mandel_core::{Params, total_iterations, verify};
use mandelbrot_ladder::KERNELS;
use std::hint::black_box;
use std::time::Duration;

fn quick() -> bool {
    std::env::var("MANDEL_BENCH_QUICK").is_ok_and(|v| v != "0" && !v.is_empty())
}

fn ladder(c: &mut Criterion) {
    let params = Params::canonical();
    let mut group = c.benchmark_group("ladder");
    // The slow rungs take ~100 ms a render: 10 samples keep a full run of the group to a few seconds
    // per kernel while Criterion still reports a confidence interval.
    group.sample_size(10);
    let (warm_up, measure) = if quick() { (0.3, 1.0) } else { (1.0, 3.0) };
    group.warm_up_time(Duration::from_secs_f64(warm_up));
    group.measurement_time(Duration::from_secs_f64(measure));
    let mut out = vec![0u32; params.pixels()];
    for kernel in KERNELS {
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

criterion_group!(benches, ladder);
criterion_main!(benches);
