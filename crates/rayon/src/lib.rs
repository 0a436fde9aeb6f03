//! Rung: threads. Any single-thread kernel ([`RenderFn`]) spread over a rayon pool.
//!
//! The cost of a pixel is wildly uneven: points inside the set run all `max_iters` iterations,
//! points far outside escape after one or two. Rows through the middle of the canonical image cost
//! many times the rows at its top and bottom, so *how* the image is split decides how well the
//! threads are used (part 3 of Modular's Mojo series is about exactly this). [`Split`] names the
//! ways compared in the `load-balance` bench group:
//!
//! 1. [`Split::Bands`]: one contiguous band of rows per thread, decided up front: no stealing can
//!    fix a band that holds more of the set. (On the canonical image two bands happen to balance,
//!    because the image is symmetric about the real axis; three or more do not.)
//! 2. [`Split::Rows`]: one task per row; rayon's work stealing balances them.
//! 3. [`Split::Chunks`]: fixed-size runs of pixels of the flattened image, finer than rows: more
//!    tasks, better balance, more scheduling overhead per pixel.
//!
//! Kernels render spans of the flattened image (see `mandel_core`), so every split is just a
//! different chunking of the output slice; the inner kernel never knows it runs on a thread.
//!
//! The pool is rayon's global one (sized by `RAYON_NUM_THREADS`, else the core count) or whatever
//! pool the caller installs around the call: [`with_threads`] runs a closure on a pool of `n`
//! threads, which is how the thread-scaling bench sweeps 1..N.

use mandel_core::mirror::Mirror;
use mandel_core::{LaneIterationsFn, Params, Real, RenderFn};
use rayon::prelude::*;

/// How the image is cut into tasks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Split {
    /// One contiguous band of rows per pool thread.
    Bands,
    /// One task per image row.
    Rows,
    /// Tasks of this many consecutive pixels.
    Chunks(usize),
    /// Chunks sized to the pool: about [`AUTO_TASKS_PER_THREAD`] tasks a thread, between
    /// [`AUTO_MIN_PIXELS`] and [`AUTO_MAX_PIXELS`] pixels, a multiple of 64 (whole vectors).
    Auto,
}

/// [`Split::Auto`]: enough tasks a thread for work stealing to even out rows that cost 200x more
/// than others.
pub const AUTO_TASKS_PER_THREAD: usize = 16;
/// [`Split::Auto`]'s smallest task: below this the per-task start-up (the SIMD kernel's point table,
/// its last partly idle vectors, the task itself) shows.
pub const AUTO_MIN_PIXELS: usize = 4096;
/// [`Split::Auto`]'s largest task: larger ones did not pay on 2 cores.
pub const AUTO_MAX_PIXELS: usize = 16384;

impl Split {
    /// The split the registered rayon kernels use, chosen from the `load-balance` bench group on the
    /// SIMD kernel (the measured figures are in MEASUREMENTS.md, "What bounds each rung", and in each
    /// machine's `results/<machine-id>/raw/criterion/`): chunks of 4096 pixels or more beat rows and
    /// small chunks, and two bands balance only because the canonical image is symmetric. Each task
    /// pays a start-up (its point table, its last partly idle vectors; MEASUREMENTS.md's `Split::Auto`
    /// row), while many cores need many tasks to balance: so the chunk follows the pool, 16384 pixels
    /// on 2 threads, 4096 on 16.
    pub const BEST: Split = Split::Auto;

    /// Short name for bench ids and tables: `bands`, `rows`, `chunks-1024`.
    pub fn name(self) -> String {
        match self {
            Split::Bands => "bands".into(),
            Split::Rows => "rows".into(),
            Split::Chunks(n) => format!("chunks-{n}"),
            Split::Auto => "auto".into(),
        }
    }

    /// Pixels per task for an image of `params` on a pool of `threads` threads.
    pub fn task_pixels(self, params: &Params, threads: usize) -> usize {
        match self {
            Split::Bands => params.height().div_ceil(threads.max(1)) * params.width(),
            Split::Rows => params.width(),
            Split::Chunks(n) => n,
            Split::Auto => (params.pixels() / (AUTO_TASKS_PER_THREAD * threads.max(1)))
                .next_multiple_of(64)
                .clamp(AUTO_MIN_PIXELS, AUTO_MAX_PIXELS),
        }
        .max(1)
    }
}

/// Render pixels `start .. start + out.len()` with `inner`, split by `split` over the current pool.
///
/// Task boundaries are counted from the start of the image, not of the span, so a task never
/// straddles two rows more than it must (`Rows` tasks are whole rows even for a span starting
/// mid-row: its first task is the rest of that row).
pub fn render_split(params: &Params, start: usize, out: &mut [u32], inner: RenderFn, split: Split) {
    split_and_sum(params, start, out, split, |p, s, o| {
        inner(p, s, o);
        0
    });
}

/// [`render_split`] for an inner render that returns a count (lane-iterations executed): the
/// tasks' counts are summed.
pub fn render_split_counting(
    params: &Params,
    start: usize,
    out: &mut [u32],
    inner: LaneIterationsFn,
    split: Split,
) -> u64 {
    split_and_sum(params, start, out, split, inner)
}

fn split_and_sum(
    params: &Params,
    start: usize,
    out: &mut [u32],
    split: Split,
    inner: impl Fn(&Params, usize, &mut [u32]) -> u64 + Sync,
) -> u64 {
    let task = split.task_pixels(params, rayon::current_num_threads());
    // Cut the span at multiples of `task` counted from pixel 0: first a head up to the next
    // boundary, then whole tasks.
    let head_len = ((task - start % task) % task).min(out.len());
    let (head, rest) = out.split_at_mut(head_len);
    let body_start = start + head_len;
    let (a, b) = rayon::join(
        || inner(params, start, head),
        || {
            rest.par_chunks_mut(task)
                .with_max_len(1) // one chunk = one task: rayon must not re-batch them.
                .enumerate()
                .map(|(i, chunk)| inner(params, body_start + i * task, chunk))
                .sum::<u64>()
        },
    );
    a + b
}

/// [`render_split`] with [`Split::BEST`] ([`Split::Auto`]): what the registered rayon kernels call.
pub fn render(params: &Params, start: usize, out: &mut [u32], inner: RenderFn) {
    render_split(params, start, out, inner, Split::BEST)
}

/// [`render_split_counting`] with [`Split::BEST`].
pub fn render_counting(params: &Params, start: usize, out: &mut [u32], inner: LaneIterationsFn) -> u64 {
    render_split_counting(params, start, out, inner, Split::BEST)
}

/// [`render`] for a kernel computing in `T` that skips mirrored rows (the algorithmic rungs, see
/// `mandel_core::mirror`). The inner kernel, given one task, could only pair rows within that task;
/// here the rows that are copies are left out of the split, and the task that renders a source row
/// copies it, right after rendering it (while it is in that core's cache). Tasks are cut at row
/// boundaries for that, [`Split::BEST`]'s size rounded up to whole rows, and at every copy row: where
/// copies alternate with unpaired rows (an f64 view whose `y` do not round symmetrically) tasks
/// shrink to single rows. The f32 views tried pair every row (the canonical image's copies are one
/// block), and the registered rayon algorithmic kernels are f32.
pub fn render_mirrored<T: Real>(params: &Params, start: usize, out: &mut [u32], inner: RenderFn) {
    render_mirrored_counting::<T>(params, start, out, |p, s, o| {
        inner(p, s, o);
        0
    });
}

/// One task of [`render_mirrored_counting`]: pixels `start ..` into `out`, then each copy row gets
/// the rendered row at its offset in `out`.
struct MirroredTask<'a> {
    start: usize,
    out: &'a mut [u32],
    copies: Vec<(&'a mut [u32], usize)>,
}

/// [`render_mirrored`] for an inner render that returns a count (lane-iterations executed): summed.
/// (Each task copies its own rows: a parallel copy after the render was far slower than the same copy
/// on one thread, cause not found; MEASUREMENTS.md, "Other changes".)
pub fn render_mirrored_counting<T: Real>(
    params: &Params,
    start: usize,
    out: &mut [u32],
    inner: impl Fn(&Params, usize, &mut [u32]) -> u64 + Sync,
) -> u64 {
    let plan = Mirror::plan::<T>(params, start, out.len());
    if plan.pairs().is_empty() {
        return split_and_sum(params, start, out, Split::BEST, inner);
    }
    let width = params.width();
    let task_rows = Split::BEST.task_pixels(params, rayon::current_num_threads()).div_ceil(width);
    let end = start + out.len();
    // Cut the span, in order, into tasks (whole rows, but for the span's partial first and last row)
    // and copy rows; pairs are ascending by copy row, like the cuts.
    let (mut tasks, mut copy_rows) = (Vec::<MirroredTask>::new(), Vec::new());
    let mut pairs = plan.pairs().iter().peekable();
    let (mut rest, mut at) = (out, start);
    while at < end {
        let next_copy = pairs.peek().map_or(end, |&&(copy, _)| copy * width);
        let cut = if at == next_copy {
            width
        } else {
            let boundary = (at / width / task_rows + 1) * task_rows * width;
            boundary.min(next_copy).min(end) - at
        };
        let (piece, tail) = std::mem::take(&mut rest).split_at_mut(cut);
        if at == next_copy {
            let (_, source) = pairs.next().expect("peeked");
            copy_rows.push((piece, source * width));
        } else {
            tasks.push(MirroredTask { start: at, out: piece, copies: Vec::new() });
        }
        (rest, at) = (tail, at + cut);
    }
    // Give each copy row to the task holding its source row (whole, since tasks are cut at rows).
    for (row, source) in copy_rows {
        let holder = tasks.partition_point(|t| t.start <= source) - 1;
        let offset = source - tasks[holder].start;
        tasks[holder].copies.push((row, offset));
    }
    tasks
        .into_par_iter()
        .with_max_len(1) // one task at a time, as in `split_and_sum`
        .map(|task| {
            let executed = inner(params, task.start, task.out);
            for (row, offset) in task.copies {
                row.copy_from_slice(&task.out[offset..offset + width]);
            }
            executed
        })
        .sum()
}

/// Run `f` on a fresh rayon pool of `threads` threads (every rayon kernel called inside uses it).
pub fn with_threads<R: Send>(threads: usize, f: impl FnOnce() -> R + Send) -> Result<R, rayon::ThreadPoolBuildError> {
    let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build()?;
    Ok(pool.install(f))
}

/// Threads of the pool a rayon kernel called here would use.
pub fn current_threads() -> usize {
    rayon::current_num_threads()
}
