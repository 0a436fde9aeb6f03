//! Turning counts into files: `.npy` (what NumPy loads) and a coloured PNG.

use std::io::Write;
use std::path::Path;

/// Write counts as a NumPy `.npy` file: little-endian uint32, C order, shape (height, width).
///
/// The format is version 1.0 of the NPY spec: magic, header length, a Python-dict header padded with
/// spaces to a multiple of 64 bytes and ended by a newline, then the raw data.
pub fn write_npy(path: &Path, counts: &[u32], height: usize, width: usize) -> std::io::Result<()> {
    assert_eq!(counts.len(), height * width, "write_npy: counts do not fill height x width");
    let dict = format!("{{'descr': '<u4', 'fortran_order': False, 'shape': ({height}, {width}), }}");
    // 6 magic + 2 version + 2 length bytes precede the header.
    let unpadded = 10 + dict.len() + 1;
    let padding = (64 - unpadded % 64) % 64;
    let header = format!("{dict}{}\n", " ".repeat(padding));
    let mut file = std::io::BufWriter::new(std::fs::File::create(path)?);
    file.write_all(b"\x93NUMPY\x01\x00")?;
    file.write_all(&(header.len() as u16).to_le_bytes())?;
    file.write_all(header.as_bytes())?;
    for &c in counts {
        file.write_all(&c.to_le_bytes())?;
    }
    file.flush()
}

/// The colour of a count: matplotlib's "hot" map (black, red, yellow, white) under a 0.3 power norm,
/// as in the article's plot; points that never escaped are black.
pub fn colour(count: u32, max_iters: u32) -> [u8; 3] {
    if count >= max_iters {
        return [0, 0, 0];
    }
    let t = (f64::from(count) / f64::from(max_iters)).powf(0.3);
    // "hot": red rises over the first 3/8, green over the next 3/8, blue over the last 1/4.
    let r = (t / 0.375).min(1.0);
    let g = ((t - 0.375) / 0.375).clamp(0.0, 1.0);
    let b = ((t - 0.75) / 0.25).clamp(0.0, 1.0);
    [r, g, b].map(|v| (v * 255.0).round() as u8)
}

/// Write counts as an 8-bit RGB PNG, row 0 at the bottom so the imaginary axis points up.
pub fn write_png(path: &Path, counts: &[u32], height: usize, width: usize, max_iters: u32) -> std::io::Result<()> {
    assert_eq!(counts.len(), height * width, "write_png: counts do not fill height x width");
    let w = u32::try_from(width).map_err(std::io::Error::other)?;
    let h = u32::try_from(height).map_err(std::io::Error::other)?;
    let mut rgb = Vec::with_capacity(counts.len() * 3);
    for row in counts.chunks_exact(width).rev() {
        for &c in row {
            rgb.extend_from_slice(&colour(c, max_iters));
        }
    }
    let file = std::io::BufWriter::new(std::fs::File::create(path)?);
    let mut encoder = png::Encoder::new(file, w, h);
    encoder.set_color(png::ColorType::Rgb);
    encoder.set_depth(png::BitDepth::Eight);
    let mut writer = encoder.write_header().map_err(std::io::Error::other)?;
    writer.write_image_data(&rgb).map_err(std::io::Error::other)?;
    writer.finish().map_err(std::io::Error::other)
}
