//! Turning counts into files: `.npy` (what NumPy loads) and a coloured PNG.

use crate::atomic::write_via_temp;
use std::path::Path;

/// Write counts as a NumPy `.npy` file: little-endian uint32 (`<u4`), C order, shape (height, width),
/// with the `npyz` crate, written whole ([`write_via_temp`]: a crash or an error leaves either the old
/// file or the whole new one, never a truncated one).
pub fn write_npy(path: &Path, counts: &[u32], height: usize, width: usize) -> std::io::Result<()> {
    assert_eq!(counts.len(), height * width, "write_npy: counts do not fill height x width");
    use npyz::WriterBuilder;
    write_via_temp(path, |out| {
        let mut writer =
            npyz::WriteOptions::new().default_dtype().shape(&[height as u64, width as u64]).writer(out).begin_nd()?;
        writer.extend(counts.iter().copied())?;
        writer.finish()
    })
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

/// Write counts as an 8-bit RGB PNG, row 0 at the bottom so the imaginary axis points up (whole, as
/// [`write_via_temp`] writes).
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
    write_via_temp(path, |file| {
        let mut encoder = png::Encoder::new(file, w, h);
        encoder.set_color(png::ColorType::Rgb);
        encoder.set_depth(png::BitDepth::Eight);
        let mut writer = encoder.write_header().map_err(std::io::Error::other)?;
        writer.write_image_data(&rgb).map_err(std::io::Error::other)?;
        writer.finish().map_err(std::io::Error::other)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn npy_round_trips_through_npyz_and_leaves_no_temporary_file() {
        let dir = std::env::temp_dir().join(format!("mandel-npy-test-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("c.npy");
        let counts: Vec<u32> = (0..12).map(|i| i * 1000 + 7).collect();
        std::fs::write(&path, b"old contents").unwrap();
        write_npy(&path, &counts, 3, 4).unwrap();
        let bytes = std::fs::read(&path).unwrap();
        let npy = npyz::NpyFile::new(&bytes[..]).unwrap();
        assert_eq!(npy.shape(), &[3, 4]);
        assert_eq!(npy.order(), npyz::Order::C);
        assert_eq!(npy.into_vec::<u32>().unwrap(), counts);
        let names: Vec<_> = std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().file_name()).collect();
        assert_eq!(names, vec![std::ffi::OsString::from("c.npy")]);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_failed_write_leaves_nothing_behind() {
        let missing = std::env::temp_dir().join(format!("mandel-npy-missing-{}", std::process::id()));
        assert!(write_npy(&missing.join("c.npy"), &[1, 2], 1, 2).is_err());
        assert!(!missing.exists());
    }
}
