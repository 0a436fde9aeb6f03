//! The f64 scalar reference: the escape-time semantics of the crate docs, written as plainly as
//! possible, with no fused operations. Every kernel is verified against it.

use crate::{Params, fill_span};

/// Escape count of the single point `c = cx + i cy`.
#[inline(always)]
pub fn escape_count(cx: f64, cy: f64, max_iters: u32) -> u32 {
    let (mut re, mut im) = (0.0f64, 0.0f64);
    let mut n = 0;
    while n < max_iters && re * re + im * im <= 4.0 {
        // z*z + c, written out: (re^2 - im^2 + cx) + i(2 re im + cy).
        let new_re = re * re - im * im + cx;
        im = 2.0 * re * im + cy;
        re = new_re;
        n += 1;
    }
    n
}

/// Render pixels `start .. start + out.len()` with the reference.
pub fn render_span(params: &Params, start: usize, out: &mut [u32]) {
    let max_iters = params.max_iters();
    fill_span(params, start, out, |cx, cy| escape_count(cx, cy, max_iters));
}

/// Render the whole image with the reference into a new buffer.
pub fn render(params: &Params) -> Vec<u32> {
    let mut out = vec![0; params.pixels()];
    render_span(params, 0, &mut out);
    out
}

/// [`render`], or an error when the buffer cannot be allocated ([`crate::buffer::zeroed`]) rather
/// than an abort: for the entry points, where the image's size is the user's.
pub fn try_render(params: &Params) -> Result<Vec<u32>, crate::AllocError> {
    let mut out = crate::buffer::zeroed(params.pixels())?;
    render_span(params, 0, &mut out);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn try_render_gives_render_s_counts() {
        let params = Params::new(23, 17, (-2.0, 0.5), (-1.25, 1.25), 100).unwrap();
        let counts = try_render(&params).unwrap();
        assert_eq!(counts, render(&params));
        assert_eq!(counts.len(), 23 * 17);
        assert!(counts.contains(&100) && counts.iter().any(|&c| c < 100), "{counts:?}");
    }
}
