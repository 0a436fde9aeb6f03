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
    /// SIMD kernel (the measured figures are in the README, "What bounds each rung", and in each
    /// machine's `results/<machine-id>/raw/criterion/`): chunks of 4096 pixels or more beat rows and
    /// small chunks, and two bands balance only because the canonical image is symmetric. Each task
    /// pays a start-up of about a microsecond (its point table, its last partly idle vectors), while
    /// many cores need many tasks to balance: so the chunk follows the pool, 16384 pixels on 2
    /// threads, 4096 on 16.
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
/// `mandel_core::mirror`): the rows that are copies are left out of the split, and copied in parallel
/// once the rest is rendered. Per task, the inner kernel could only pair rows within its own task.
pub fn render_mirrored<T: Real>(params: &Params, start: usize, out: &mut [u32], inner: RenderFn) {
    render_mirrored_counting::<T>(params, start, out, |p, s, o| {
        inner(p, s, o);
        0
    });
}

/// [`render_mirrored`] for an inner render that returns a count (lane-iterations executed): summed.
pub fn render_mirrored_counting<T: Real>(
    params: &Params,
    start: usize,
    out: &mut [u32],
    inner: impl Fn(&Params, usize, &mut [u32]) -> u64 + Sync,
) -> u64 {
    let plan = Mirror::plan::<T>(params, start, out.len());
    let executed = plan
        .runs()
        .into_iter()
        .map(|run| split_and_sum(params, run.start, &mut out[run.start - start..run.end - start], Split::BEST, &inner))
        .sum();
    plan.row_slices(out).into_par_iter().for_each(|(copy, source)| copy.copy_from_slice(source));
    executed
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
