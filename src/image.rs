//! Turning counts into files: `.npy` (what NumPy loads) and a coloured PNG.

use crate::atomic::{Staged, stage};
use std::path::Path;

/// Write counts as a NumPy `.npy` file (format version 1.0): little-endian uint32 (`<u4`), C order,
/// shape (height, width), staged ([`stage`]: written whole beside `path`, which [`Staged::commit`]
/// replaces; a crash or an error leaves either the old file or the whole new one, never a truncated one).
///
/// Written here, not with a crate: the `.npy` crates also read, and parse the header's Python literal
/// with a parser generator, big integers and a stack-growing assembly crate, compiled in every clean
/// build for a header of one line (MEASUREMENTS.md, "Costs outside the render"). The format: <https://numpy.org/doc/stable/reference/generated/numpy.lib.format.html>.
pub fn stage_npy(path: &Path, counts: &[u32], height: usize, width: usize) -> std::io::Result<Staged> {
    assert_eq!(counts.len(), height * width, "stage_npy: counts do not fill height x width");
    let mut header = format!("{{'descr': '<u4', 'fortran_order': False, 'shape': ({height}, {width}), }}");
    // Magic (6 bytes), version (2), header length (2), then the header padded with spaces and ended by a
    // newline so that the data starts on a multiple of 64 bytes, as NumPy writes it.
    let unpadded = 10 + header.len() + 1;
    header.extend(std::iter::repeat_n(' ', unpadded.next_multiple_of(64) - unpadded));
    header.push('\n');
    let header_len = u16::try_from(header.len()).map_err(std::io::Error::other)?;
    stage(path, |out| {
        use std::io::Write;
        out.write_all(b"\x93NUMPY\x01\x00")?;
        out.write_all(&header_len.to_le_bytes())?;
        out.write_all(header.as_bytes())?;
        // In rows: the data is written in pieces of a bounded size, not copied whole.
        let mut row = Vec::with_capacity(4 * width);
        for chunk in counts.chunks(width.max(1)) {
            row.clear();
            row.extend(chunk.iter().flat_map(|c| c.to_le_bytes()));
            out.write_all(&row)?;
        }
        Ok(())
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

/// What the PNG encoder allocates beyond its row buffers, with room to spare: the deflate
/// compressor's state (a few hundred KiB), the chunk buffer and the temporary file's buffer.
const ENCODER_BYTES: usize = 2 << 20;

/// Write counts as an 8-bit RGB PNG, row 0 at the bottom so the imaginary axis points up (staged, as
/// [`stage_npy`] is).
pub fn stage_png(path: &Path, counts: &[u32], height: usize, width: usize, max_iters: u32) -> std::io::Result<Staged> {
    assert_eq!(counts.len(), height * width, "stage_png: counts do not fill height x width");
    let w = u32::try_from(width).map_err(std::io::Error::other)?;
    let h = u32::try_from(height).map_err(std::io::Error::other)?;
    // The RGB copy is three bytes a pixel beside the counts: memory that cannot be had is an error
    // before the temporary file exists (`Vec::with_capacity` would abort the process instead).
    let out_of_memory = |bytes: usize, what: &str| {
        std::io::Error::new(
            std::io::ErrorKind::OutOfMemory,
            format!("cannot allocate {} MiB for {what}: out of memory", bytes >> 20),
        )
    };
    let bytes = counts.len().saturating_mul(3);
    let mut rgb = Vec::new();
    rgb.try_reserve_exact(bytes).map_err(|_| out_of_memory(bytes, "the image's RGB pixels"))?;
    // The encoder's own allocations come after the temporary file exists, and one that fails aborts
    // the process there, leaving the file behind: so first make sure that much more can be had, by
    // taking it and giving it back (an address-space limit, `ulimit -v`, is what refuses it).
    let encoder = ENCODER_BYTES + 4 * (width.saturating_mul(3) + 1);
    let mut probe = Vec::<u8>::new();
    probe.try_reserve_exact(encoder).map_err(|_| out_of_memory(encoder, "the PNG encoder"))?;
    drop(probe);
    for row in counts.chunks_exact(width).rev() {
        for &c in row {
            rgb.extend_from_slice(&colour(c, max_iters));
        }
    }
    stage(path, |file| {
        let mut encoder = png::Encoder::new(file, w, h);
        encoder.set_color(png::ColorType::Rgb);
        encoder.set_depth(png::BitDepth::Eight);
        let mut writer = encoder.write_header().map_err(std::io::Error::other)?;
        // Streamed: the encoder compresses into the file as it goes, in buffers of a few rows.
        // `write_image_data` compresses the whole image into a growing vector first, an allocation of
        // unknown size that aborts the process when it fails, with the temporary file left behind.
        let mut stream = writer.stream_writer().map_err(std::io::Error::other)?;
        std::io::Write::write_all(&mut stream, &rgb)?;
        stream.finish().map_err(std::io::Error::other)?;
        writer.finish().map_err(std::io::Error::other)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The header NumPy's own writer gives for this shape, byte for byte, then the counts little-endian;
    /// and no temporary file left. (NumPy reads the file back in scripts/tests/test_input_validation.py.)
    #[test]
    fn npy_is_numpy_s_header_then_the_counts_and_leaves_no_temporary_file() {
        let dir = std::env::temp_dir().join(format!("mandel-npy-test-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("c.npy");
        let counts: Vec<u32> = (0..12).map(|i| i * 1000 + 7).collect();
        std::fs::write(&path, b"old contents").unwrap();
        stage_npy(&path, &counts, 3, 4).unwrap().commit().unwrap();
        let bytes = std::fs::read(&path).unwrap();
        // np.save(f, np.zeros((3, 4), "<u4")): 10 bytes, 118 of header, the data at byte 128.
        let header = "{'descr': '<u4', 'fortran_order': False, 'shape': (3, 4), }";
        let expected_header = format!("{header}{}\n", " ".repeat(117 - header.len()));
        assert_eq!(&bytes[..10], b"\x93NUMPY\x01\x00\x76\x00");
        assert_eq!(std::str::from_utf8(&bytes[10..128]).unwrap(), expected_header);
        let data: Vec<u32> = bytes[128..].chunks_exact(4).map(|b| u32::from_le_bytes(b.try_into().unwrap())).collect();
        assert_eq!(data, counts);
        let names: Vec<_> = std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().file_name()).collect();
        assert_eq!(names, vec![std::ffi::OsString::from("c.npy")]);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    /// The streamed PNG decodes to the colours of the counts, row 0 at the bottom.
    #[test]
    fn png_decodes_to_the_colours_of_the_counts_bottom_up() {
        let dir = std::env::temp_dir().join(format!("mandel-png-test-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("c.png");
        let (height, width, max_iters) = (37, 301, 50);
        let counts: Vec<u32> = (0..height * width).map(|i| (i as u32 * 7919) % (max_iters + 1)).collect();
        stage_png(&path, &counts, height, width, max_iters).unwrap().commit().unwrap();
        let decoder = png::Decoder::new(std::io::BufReader::new(std::fs::File::open(&path).unwrap()));
        let mut reader = decoder.read_info().unwrap();
        let mut pixels = vec![0; reader.output_buffer_size().unwrap()];
        let info = reader.next_frame(&mut pixels).unwrap();
        assert_eq!((info.width, info.height, info.color_type), (width as u32, height as u32, png::ColorType::Rgb));
        let expected: Vec<u8> =
            counts.chunks_exact(width).rev().flatten().flat_map(|&c| colour(c, max_iters)).collect();
        assert_eq!(pixels, expected);
        let names: Vec<_> = std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().file_name()).collect();
        assert_eq!(names, vec![std::ffi::OsString::from("c.png")]);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_failed_write_leaves_nothing_behind() {
        let missing = std::env::temp_dir().join(format!("mandel-npy-missing-{}", std::process::id()));
        assert!(stage_npy(&missing.join("c.npy"), &[1, 2], 1, 2).is_err());
        assert!(!missing.exists());
    }
}
