use crate::Params;

/// Fill `out` with `escape(cx, cy)` for pixels `start .. start + out.len()` of the flattened image,
/// walking row and column incrementally (no division per pixel) and computing each point as a product.
///
/// This is the loop skeleton of every scalar rung: the rung supplies only its escape function, so the
/// rungs differ in exactly one place. `#[inline(always)]` lets the escape function inline into the
/// caller, which matters for the FMA rung's `#[target_feature]` wrapper.
///
/// Callers must have checked the span with [`Params::check_span`]; a span past the end panics on the
/// slice index rather than writing out of bounds.
#[inline(always)]
pub fn fill_span(params: &Params, start: usize, out: &mut [u32], mut escape: impl FnMut(f64, f64) -> u32) {
    if out.is_empty() {
        return;
    }
    let width = params.width();
    let mut row = start / width;
    let mut col = start % width;
    let mut cy = params.y_at(row);
    for count in out.iter_mut() {
        *count = escape(params.x_at(col), cy);
        col += 1;
        if col == width {
            col = 0;
            row += 1;
            cy = params.y_at(row);
        }
    }
}
