//! Mirror symmetry, an exact work skip for the algorithmic rung: the rows above the real axis are
//! copies of rows below it, whenever their points are exact negations.
//!
//! # Why the counts are equal bit for bit
//! The orbit of the conjugate point `conj(c) = (x, -y)` is the conjugate of `c`'s orbit in floating
//! point too, not only in exact arithmetic. One step with `(re, im)` and `(re, -im)`, `(cx, cy)` and
//! `(cx, -cy)`: `im*im` and everything built from it (`|z|^2`, the new `re`) are the same values;
//! the new `im`, `fma(re + re, im, cy)`, is the exact `2*re*im + cy` negated, and round-to-nearest-even
//! is symmetric about zero, so it rounds to the negation, except when that sum is exactly zero: then
//! both orbits get `+0`. That changes nothing: a zero `im` enters the next step only through `im*im`
//! (a `+0` either way) and `2*re*im` (a zero, added to `cy`, which is not zero in a paired row), and
//! cycle detection compares with float `==`, for which `-0 == +0`. So both orbits escape at the same
//! step, the escape test reads the same `|z|^2`, a cycle closes at the same step, and the closed-form
//! cardioid/bulb test reads `y` only as `y*y`. A NaN's sign is never looked at (every comparison with
//! a NaN is false). This holds on every path, including the exactly emulated FMA of SSE2 and the
//! scalar fallback, under the default rounding mode (round to nearest, ties to even), which Rust
//! code assumes anyway: a host process that switched the FPU to a directed rounding mode would get
//! counts that differ from brute force's run in that mode.
//!
//! # Which rows pair
//! Only rows whose point's `y`, rounded to the kernel's precision, is exactly the negation of another
//! row's: `y_at(row) = y_min + row*dy` is rounded in f64, so a row's mirror image is not always a row.
//! On the canonical image (960 rows over `[-1.5, 1.5]`) every one of the 479 rows above the axis pairs
//! in f32 (row 0, `y = -1.5`, has no partner and row 480 is the axis itself), and 164 do in f64. A
//! view that does not straddle the real axis pairs nothing and renders as before, and so does an
//! image narrower than [`MIN_WIDTH`] pixels (a copy's bookkeeping would outweigh the row).
//!
//! # Within a span
//! A span (a task of a thread pool, a slice from Python) pairs only the whole rows it holds: the
//! source must be rendered before it is copied, and another task's rows may not be. The caller
//! renders the span minus the copied rows ([`Mirror::runs`]) and then copies ([`Mirror::copy`]), or,
//! on a thread pool, has each task copy the sources it rendered ([`Mirror::pairs`]; `mandel_rayon`).

use crate::{Params, Real};
use std::ops::Range;

/// Rows narrower than this are never mirrored: copying them saves less than planning costs (and a
/// tall image of 1-pixel rows would need a row table as large as the image).
pub const MIN_WIDTH: usize = 16;

/// The plan for one span: which of its whole rows are copies, and of which row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mirror {
    start: usize,
    len: usize,
    width: usize,
    /// `(copy, source)` row indices of the image, ascending by copy; both rows lie wholly in the span.
    copies: Vec<(usize, usize)>,
}

impl Mirror {
    /// Plan the span `start .. start + len` for a kernel computing in `T`. The span must have been
    /// checked against `params` ([`Params::check_span`]).
    pub fn plan<T: Real>(params: &Params, start: usize, len: usize) -> Mirror {
        let width = params.width();
        if width < MIN_WIDTH {
            return Mirror { start, len, width, copies: Vec::new() };
        }
        let first = start.div_ceil(width);
        let end = (start + len) / width; // one past the last whole row
        // Only a span whose whole rows straddle the axis can pair any: every other span (most tasks
        // of a pool, whose inner kernel plans again) is answered without building the row table.
        let y = |row: usize| T::from_f64(params.y_at(row));
        if end <= first || !(y(first) < T::ZERO && y(end - 1) > T::ZERO) {
            return Mirror { start, len, width, copies: Vec::new() };
        }
        // The rounded `y` of each whole row; it never decreases with the row, so the possible sources
        // (below the axis) come first and each copy's source is found by bisection.
        let ys: Vec<T> = (first..end).map(y).collect();
        let below = ys.partition_point(|&y| y < T::ZERO);
        let mut copies = Vec::new();
        for (i, &y) in ys.iter().enumerate().skip(below) {
            let target = -y;
            if target.partial_cmp(&T::ZERO) != Some(std::cmp::Ordering::Less) {
                continue; // the axis itself (or a NaN, which pairs with nothing)
            }
            let at = ys[..below].partition_point(|&y| y < target);
            if at < below && ys[at] == target {
                copies.push((first + i, first + at));
            }
        }
        Mirror { start, len, width, copies }
    }

    /// The `(copy, source)` row pairs, ascending by copy.
    pub fn pairs(&self) -> &[(usize, usize)] {
        &self.copies
    }

    /// The pixel ranges of the span that must be rendered: the span without its copied rows.
    pub fn runs(&self) -> Vec<Range<usize>> {
        let mut runs = Vec::with_capacity(self.copies.len() + 1);
        let mut from = self.start;
        for &(copy, _) in &self.copies {
            let at = copy * self.width;
            if at > from {
                runs.push(from..at);
            }
            from = at + self.width;
        }
        if self.start + self.len > from {
            runs.push(from..self.start + self.len);
        }
        runs
    }

    /// Split the span's buffer (pixels `start .. start + len`) into `(copy, source)` row slices.
    fn row_slices<'a>(&self, out: &'a mut [u32]) -> Vec<(&'a mut [u32], &'a [u32])> {
        assert_eq!(out.len(), self.len, "the buffer is not the planned span");
        if self.copies.is_empty() {
            return Vec::new();
        }
        let first = self.start.div_ceil(self.width);
        let head = first * self.width - self.start;
        let rows = out[head..].chunks_exact_mut(self.width);
        // Each whole row is either a copy (its source's index noted) or a possible source.
        let mut sources: Vec<Option<&[u32]>> = Vec::new();
        let mut copies: Vec<(&mut [u32], usize)> = Vec::with_capacity(self.copies.len());
        let mut next = self.copies.iter().peekable();
        for (i, row) in rows.enumerate() {
            match next.next_if(|&&(copy, _)| copy == first + i) {
                Some(&(_, source)) => {
                    copies.push((row, source - first));
                    sources.push(None);
                }
                None => sources.push(Some(row)),
            }
        }
        copies.into_iter().map(|(row, source)| (row, sources[source].expect("a source row is never a copy"))).collect()
    }

    /// Copy every source row into its copy, on the calling thread.
    pub fn copy(&self, out: &mut [u32]) {
        for (copy, source) in self.row_slices(out) {
            copy.copy_from_slice(source);
        }
    }
}

/// Render the span `start .. start + out.len()` (checked against `params`) with `render` on every run
/// the [`Mirror`] plan leaves, then copy the mirrored rows, all on the calling thread. Returns the sum
/// of what `render` returned (the lane-iterations it executed).
pub fn render_mirrored<T: Real>(
    params: &Params,
    start: usize,
    out: &mut [u32],
    mut render: impl FnMut(&Params, usize, &mut [u32]) -> u64,
) -> u64 {
    let plan = Mirror::plan::<T>(params, start, out.len());
    let mut executed = 0;
    for run in plan.runs() {
        executed += render(params, run.start, &mut out[run.start - start..run.end - start]);
    }
    plan.copy(out);
    executed
}

#[cfg(test)]
mod tests {
    use super::*;

    fn view(y_min: f64, y_max: f64, width: usize, height: usize) -> Params {
        Params::new(width, height, (-2.0, 0.6), (y_min, y_max), 50).unwrap()
    }

    #[test]
    fn canonical_rows_pair_as_documented() {
        let p = Params::canonical();
        let f32_plan = Mirror::plan::<f32>(&p, 0, p.pixels());
        assert_eq!(f32_plan.pairs().len(), 479);
        assert!(f32_plan.pairs().iter().all(|&(copy, source)| copy + source == 960));
        assert_eq!(f32_plan.runs(), vec![0..481 * 960]);
        assert_eq!(Mirror::plan::<f64>(&p, 0, p.pixels()).pairs().len(), 164);
    }

    /// Every pair is an exact negation, and every row that has a partner is found: the counts were
    /// computed independently (NumPy, the same `y_min + row*dy` in f64, cast to float32).
    #[test]
    fn pairs_are_exact_negations_and_all_are_found() {
        let views = [
            (-1.5, 1.5, 961, 480, 180),
            (-1.0, 1.0, 1000, 499, 281),
            (-0.1, 0.1, 960, 479, 275),
            (-1.5, 1.5, 7, 3, 0),
            (-1.5, 1.5, 100, 49, 22),
        ];
        for (y_min, y_max, h, in_f32, in_f64) in views {
            let p = view(y_min, y_max, MIN_WIDTH, h);
            let f64_pairs = Mirror::plan::<f64>(&p, 0, p.pixels()).pairs().to_vec();
            assert_eq!(f64_pairs.len(), in_f64, "{h} rows over [{y_min}, {y_max}] in f64");
            for (copy, source) in f64_pairs {
                assert_eq!(p.y_at(copy), -p.y_at(source));
                assert!(p.y_at(copy) > 0.0);
            }
            let f32_pairs = Mirror::plan::<f32>(&p, 0, p.pixels()).pairs().to_vec();
            assert_eq!(f32_pairs.len(), in_f32, "{h} rows over [{y_min}, {y_max}] in f32");
            for (copy, source) in f32_pairs {
                assert_eq!(p.y_at(copy) as f32, -(p.y_at(source) as f32));
            }
        }
    }

    #[test]
    fn narrow_images_are_not_mirrored() {
        let p = view(-1.5, 1.5, MIN_WIDTH - 1, 961);
        assert!(Mirror::plan::<f32>(&p, 0, p.pixels()).pairs().is_empty());
        assert_eq!(Mirror::plan::<f32>(&view(-1.5, 1.5, MIN_WIDTH, 961), 0, 961 * MIN_WIDTH).pairs().len(), 480);
    }

    #[test]
    fn a_view_off_the_axis_pairs_nothing() {
        let p = view(0.1, 1.1, MIN_WIDTH, 100);
        let plan = Mirror::plan::<f32>(&p, 0, p.pixels());
        assert!(plan.pairs().is_empty());
        assert_eq!(plan.runs(), vec![0..100 * MIN_WIDTH]);
    }

    #[test]
    fn a_span_pairs_only_its_whole_rows() {
        // 11 rows y = -1.25 + row/4 (exact): 0..=4 below the axis, 5 on it, 6..=10 above; r pairs with 10 - r.
        const W: usize = MIN_WIDTH;
        let p = view(-1.25, 1.5, W, 11);
        assert_eq!(Mirror::plan::<f32>(&p, 0, 11 * W).pairs().len(), 5);
        // Pixels 2W + 10 .. 8W + 2: whole rows 3..=7 (rows 2 and 8 are partial).
        let (start, end) = (2 * W + 10, 8 * W + 2);
        let plan = Mirror::plan::<f32>(&p, start, end - start);
        assert_eq!(plan.pairs(), &[(6, 4), (7, 3)]);
        assert_eq!(plan.runs(), vec![start..6 * W, 8 * W..end]);
        // Rendering writes each pixel's own index; copying then fills rows 6 and 7.
        let mut out = vec![0; end - start];
        let executed = render_mirrored::<f32>(&p, start, &mut out, |_, s, o| {
            for (k, v) in o.iter_mut().enumerate() {
                *v = (s + k) as u32;
            }
            o.len() as u64
        });
        assert_eq!(executed as usize, (6 * W - start) + (end - 8 * W));
        let row = |r: usize| (r * W..(r + 1) * W).map(|v| v as u32).collect::<Vec<u32>>();
        let expected = [
            ((start..3 * W).map(|v| v as u32).collect()),
            row(3),
            row(4),
            row(5),
            row(4),
            row(3),
            (8 * W..end).map(|v| v as u32).collect(),
        ]
        .concat();
        assert_eq!(out, expected);
    }

    #[test]
    fn spans_shorter_than_a_row() {
        const W: usize = MIN_WIDTH;
        let p = view(-1.5, 1.5, W, 9);
        for (start, len) in [(0, 0), (3, 4), (W - 1, 2), (8 * W, W)] {
            let plan = Mirror::plan::<f32>(&p, start, len);
            assert!(plan.pairs().is_empty(), "one row at most, which has no partner in the span");
            let mut out = vec![0; len];
            render_mirrored::<f32>(&p, start, &mut out, |_, _, o| {
                o.fill(1);
                0
            });
            assert!(out.iter().all(|&v| v == 1));
        }
    }
}
