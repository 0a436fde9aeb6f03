//! The kernels' buffers: the stream of a span's points `c` (both `whole.rs` and `refill.rs`), and the
//! log of finished counts (`refill.rs` only: a whole vector stores its counts directly).

use crate::lanes::Lanes;
use fearless_simd::{Simd, SimdBase};
use mandel_core::Params;

/// A buffer whose first element sits on a 64-byte boundary, so that the whole vectors the whole-vector
/// kernels load from it (at multiples of their lane count) never straddle two cache lines. A
/// `Vec<f32>` is only 4-byte aligned: where the allocator put it decided, run to run, whether every load
/// of the algorithmic kernel split a line, and so the same binary's time on the same image
/// (MEASUREMENTS.md, "Other changes").
struct Aligned<T> {
    data: Vec<T>,
    start: usize,
    len: usize,
}

impl<T: Copy> Aligned<T> {
    /// `len` copies of `value`, the first on a 64-byte boundary.
    fn new(value: T, len: usize) -> Self {
        let extra = 64 / std::mem::size_of::<T>().max(1);
        let data = vec![value; len + extra];
        // align_offset counts elements; it can only fail to find one for a zero-sized T.
        let start = data.as_ptr().align_offset(64).min(extra);
        Aligned { data, start, len }
    }
}

impl<T> Aligned<T> {
    /// Elements `from .. from + n`, without the bounds checks of indexing (which, with the reloads of
    /// the buffer's pointer and length they need, were most of a refill's instructions).
    ///
    /// # Safety
    /// `from + n <= self.len`.
    #[inline(always)]
    unsafe fn run(&self, from: usize, n: usize) -> &[T] {
        debug_assert!(from + n <= self.len);
        // SAFETY: `start + len <= data.len()` (see `new`) and the caller's `from + n <= len`.
        unsafe { std::slice::from_raw_parts(self.data.as_ptr().add(self.start + from), n) }
    }

    /// [`Aligned::run`], mutable.
    ///
    /// # Safety
    /// `from + n <= self.len`.
    #[inline(always)]
    unsafe fn run_mut(&mut self, from: usize, n: usize) -> &mut [T] {
        debug_assert!(from + n <= self.len);
        // SAFETY: as in `run`.
        unsafe { std::slice::from_raw_parts_mut(self.data.as_mut_ptr().add(self.start + from), n) }
    }
}

impl<T> std::ops::Deref for Aligned<T> {
    type Target = [T];
    fn deref(&self) -> &[T] {
        &self.data[self.start..self.start + self.len]
    }
}

impl<T> std::ops::DerefMut for Aligned<T> {
    fn deref_mut(&mut self) -> &mut [T] {
        &mut self.data[self.start..self.start + self.len]
    }
}

/// Pixel index given to padding lanes (past the span's end): their counts are never written.
pub(crate) const PADDING: i32 = -1;

/// The point a padding lane iterates: `|c| > 2`, so it escapes after one step and holds nothing up.
const PADDING_C: f64 = 4.0;

/// Pixels the point buffers hold beyond one window: how many points are computed per refill.
const CHUNK: usize = 1024;

/// The points `c` of the pixels of one span, in order, served through buffers that windows of vectors
/// are loaded from. A point is computed in f64 by [`Params::x_at`]/[`Params::y_at`] and rounded once to
/// `T`, like every other rung's; the x of each column the span touches is computed once per render into
/// a table, so filling the buffers is copying runs of that table (row/column tracked incrementally, no
/// division per pixel). Lanes may straddle rows: the buffer is flat.
///
/// The table holds only the span's own columns, in span order: `xs[k]` is the x of the span's pixel
/// `k`, for `k < min(len, width)`, so pixel `k` of the span uses `xs[k % xs.len()]`. A task of a few
/// thousand pixels of a 16-million-pixel row computes a few thousand x's, not 16 million: the fixed
/// cost of a task does not grow with the image width.
///
/// Past the span's end the buffers hold padding points ([`PADDING`] index), so a vector load never reads
/// past a buffer and never picks up a pixel outside the span.
/// `WITH_INDEX`: whether the buffers also carry each point's pixel index (the refill kernel needs it; the
/// whole-vector kernel knows a vector's pixels from its first one, and skips writing the indices).
pub(crate) struct Points<T: Lanes, const WITH_INDEX: bool> {
    xs: Vec<T>,
    /// Index into `xs` of pixel `next`: `next % xs.len()`, tracked incrementally.
    off: usize,
    params: Params,
    /// Span length, and the span-relative index of the next pixel to put in the buffers.
    len: usize,
    next: usize,
    /// Row and column of pixel `next`; `cy_row` is the rounded y of that row.
    row: usize,
    col: usize,
    cy_row: T,
    cx: Aligned<T>,
    cy: Aligned<T>,
    idx: Aligned<T::Int>,
    /// Next buffer slot to hand out; slots `real_end..` hold padding.
    pos: usize,
    real_end: usize,
    /// Slots a window must have: the most a round of loads reads past `pos`.
    window: usize,
}

impl<T: Lanes, const WITH_INDEX: bool> Points<T, WITH_INDEX> {
    /// Points of pixels `start .. start + len`; `window` is the number of slots the caller reads past
    /// the current position between two calls of [`Points::ensure`] (vectors per round x lanes).
    pub fn new(params: &Params, start: usize, len: usize, window: usize) -> Self {
        let width = params.width();
        let (row, col) = (start / width, start % width);
        let xs = (0..len.clamp(1, width)).map(|k| T::from_f64(params.x_at((col + k) % width))).collect();
        let size = CHUNK + window;
        let mut points = Points {
            xs,
            off: 0,
            params: *params,
            len,
            next: 0,
            row,
            col,
            cy_row: T::from_f64(params.y_at(row)),
            cx: Aligned::new(T::ZERO, size),
            cy: Aligned::new(T::ZERO, size),
            idx: Aligned::new(T::Int::from(PADDING), if WITH_INDEX { size } else { 0 }),
            pos: 0,
            real_end: 0,
            window,
        };
        points.real_end = points.fill(0);
        points
    }

    /// Make sure `window` slots past the current position are loaded.
    #[inline(always)]
    pub fn ensure(&mut self) {
        if self.pos + self.window > self.cx.len() {
            self.refill();
        }
    }

    /// Inlined, as is [`Points::fill`]: a call here (even a cold one) left LLVM keeping every vector's
    /// state on the stack in the kernels' hot loop, stored and reloaded every `CHECK_EVERY` steps (the
    /// hot loop and the refill code form one loop in its eyes, and a call clobbers every vector
    /// register): trick 10a in the crate docs.
    #[inline(always)]
    fn refill(&mut self) {
        let kept = self.cx.len() - self.pos;
        let kept_real = self.real_end.saturating_sub(self.pos);
        self.cx.copy_within(self.pos.., 0);
        self.cy.copy_within(self.pos.., 0);
        if WITH_INDEX {
            self.idx.copy_within(self.pos.., 0);
        }
        self.pos = 0;
        // Real pixels follow the kept slots only if no padding was among them.
        let written = self.fill(kept);
        self.real_end = kept_real + written;
    }

    /// Write the next pixels (then padding) into slots `at..`; returns how many real pixels it wrote.
    #[inline(always)]
    fn fill(&mut self, mut at: usize) -> usize {
        let first = at;
        let width = self.params.width();
        while at < self.cx.len() && self.next < self.len {
            let run =
                (width - self.col).min(self.len - self.next).min(self.cx.len() - at).min(self.xs.len() - self.off);
            self.cx[at..at + run].copy_from_slice(&self.xs[self.off..self.off + run]);
            self.off += run;
            if self.off == self.xs.len() {
                self.off = 0;
            }
            self.cy[at..at + run].fill(self.cy_row);
            if WITH_INDEX {
                for (k, slot) in self.idx[at..at + run].iter_mut().enumerate() {
                    // Spans hold at most MAX_PIXELS = 2^28 pixels, so a span-relative index fits in i32.
                    *slot = T::Int::from((self.next + k) as i32);
                }
            }
            at += run;
            self.next += run;
            self.col += run;
            if self.col == width {
                self.col = 0;
                self.row += 1;
                self.cy_row = T::from_f64(self.params.y_at(self.row));
            }
        }
        let written = at - first;
        self.cx[at..].fill(T::from_f64(PADDING_C));
        self.cy[at..].fill(T::ZERO);
        if WITH_INDEX {
            self.idx[at..].fill(T::Int::from(PADDING));
        }
        written
    }

    /// Load one vector of points (and their span-relative indices) from the current position, and move
    /// the position on by `take` (at most a vector's lanes): the caller uses the first `take` lanes.
    #[inline(always)]
    pub fn take<S: Simd>(&mut self, simd: S, take: usize) -> (T::F<S>, T::F<S>, T::I<S>) {
        let lanes = <T::F<S> as SimdBase<S>>::LEN;
        let from = self.pos;
        let (cx, cy) = self.take_points(simd, take);
        (cx, cy, T::I::<S>::from_slice(simd, &self.idx[from..from + lanes]))
    }

    /// [`Points::take`] without bounds checks: the refill kernel's path, taken at every refill.
    ///
    /// # Safety
    /// `WITH_INDEX`, and a vector's lanes past the current position are within the buffers: true after
    /// [`Points::ensure`] as long as the loads since then moved the position on by at most
    /// `window` minus a vector's lanes.
    #[inline(always)]
    pub unsafe fn take_unchecked<S: Simd>(&mut self, simd: S, take: usize) -> (T::F<S>, T::F<S>, T::I<S>) {
        const { assert!(WITH_INDEX) };
        let lanes = <T::F<S> as SimdBase<S>>::LEN;
        let from = self.pos;
        debug_assert!(take <= lanes && from + lanes <= self.cx.len && self.idx.len == self.cx.len);
        self.pos += take;
        // SAFETY: the three buffers have the same length (`WITH_INDEX`), and the caller guarantees
        // `from + lanes` is within it.
        unsafe {
            (
                T::F::<S>::from_slice(simd, self.cx.run(from, lanes)),
                T::F::<S>::from_slice(simd, self.cy.run(from, lanes)),
                T::I::<S>::from_slice(simd, self.idx.run(from, lanes)),
            )
        }
    }

    /// [`Points::take`] without the indices.
    #[inline(always)]
    pub fn take_points<S: Simd>(&mut self, simd: S, take: usize) -> (T::F<S>, T::F<S>) {
        let lanes = <T::F<S> as SimdBase<S>>::LEN;
        let (from, to) = (self.pos, self.pos + lanes);
        self.pos += take;
        (T::F::<S>::from_slice(simd, &self.cx[from..to]), T::F::<S>::from_slice(simd, &self.cy[from..to]))
    }

    /// Every pixel of the span has been handed out: only padding is left.
    #[inline(always)]
    pub fn exhausted(&self) -> bool {
        self.next == self.len && self.pos >= self.real_end
    }
}

/// Finished pixels as (span-relative index, count) pairs, appended a vector at a time by compressing the
/// finished lanes to the front; written into the output by [`Log::flush`], padding skipped and counts
/// capped at `max_iters`.
pub(crate) struct Log<T: Lanes> {
    idx: Aligned<T::Int>,
    n: Aligned<T::Int>,
    len: usize,
    /// Entries above which [`Log::full`] says to flush.
    limit: usize,
}

impl<T: Lanes> Log<T> {
    /// A log that is full after `limit` entries and can take `window` more before it is flushed.
    pub fn new(limit: usize, window: usize) -> Self {
        let size = limit + window;
        Log { idx: Aligned::new(T::Int::from(PADDING), size), n: Aligned::new(T::Int::from(0), size), len: 0, limit }
    }

    /// Append the `count` lanes of `idx`/`n` selected by `mask`, without bounds checks (taken at
    /// every refill).
    ///
    /// # Safety
    /// The log was not [`Log::full`] when the current round of pushes began, and the round pushes at
    /// most `window` lanes in all (a vector's lanes a push), `window` as given to [`Log::new`].
    #[inline(always)]
    pub unsafe fn push<S: Simd>(&mut self, idx: T::I<S>, n: T::I<S>, mask: T::M<S>, count: usize) {
        let lanes = <T::I<S> as SimdBase<S>>::LEN;
        let from = self.len;
        // SAFETY: the caller's contract keeps `from + lanes <= limit + window`, the buffers' length.
        unsafe {
            idx.compress(mask).store_slice(self.idx.run_mut(from, lanes));
            n.compress(mask).store_slice(self.n.run_mut(from, lanes));
        }
        self.len += count;
    }

    #[inline(always)]
    pub fn full(&self) -> bool {
        self.len >= self.limit
    }

    /// Write the logged counts into `out` (indexed by span-relative pixel) and empty the log.
    /// Inlined: a call, even a cold one, in the refill kernel's loop puts every vector's state on the
    /// stack in its hot loop (trick 10a in the crate docs).
    #[inline(always)]
    pub fn flush(&mut self, out: &mut [u32], max_iters: u32) {
        for (&idx, &n) in self.idx[..self.len].iter().zip(&self.n[..self.len]) {
            let (idx, n): (i64, i64) = (idx.into(), n.into());
            if idx >= 0 {
                out[idx as usize] = n.min(i64::from(max_iters)) as u32;
            }
        }
        self.len = 0;
    }
}
