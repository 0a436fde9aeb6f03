//! The workspace's one fallible allocation of a counts buffer, for every entry point (the CLI, the
//! registry's verification, the Python extension).

/// A buffer of counts could not be allocated: the memory was not to be had (a large image under a
/// memory limit), or the size is beyond what a layout can describe.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AllocError {
    /// The counts asked for.
    pub len: usize,
}

impl std::fmt::Display for AllocError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mib = (self.len as u128 * size_of::<u32>() as u128) >> 20;
        write!(f, "cannot allocate {mib} MiB for {} counts: out of memory", self.len)
    }
}

impl std::error::Error for AllocError {}

/// A zeroed buffer of `len` counts, or why there is none. `vec![0; len]` aborts the process when the
/// memory cannot be had; this says so instead, and like `vec!` it leaves the zeroing to the allocator
/// (calloc: fresh pages are zero), so no page is touched here, and a buffer the caller pages in
/// later (or never reads past a span) costs no more than `vec!`'s.
pub fn zeroed(len: usize) -> Result<Vec<u32>, AllocError> {
    if len == 0 {
        return Ok(Vec::new());
    }
    let layout = std::alloc::Layout::array::<u32>(len).map_err(|_| AllocError { len })?;
    // SAFETY: the layout's size is not zero (len > 0).
    let ptr = unsafe { std::alloc::alloc_zeroed(layout) }.cast::<u32>();
    if ptr.is_null() {
        return Err(AllocError { len });
    }
    // SAFETY: `ptr` comes from the global allocator with the layout of `len` u32s (a Vec's layout of that
    // capacity), and its `len` values are initialised: zero bytes are a u32 of 0.
    Ok(unsafe { Vec::from_raw_parts(ptr, len, len) })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_zeroed_buffer_is_all_zero_and_of_the_length_asked() {
        for len in [0, 1, 1023, 1024, 1025, (3 << 20) / 4 + 17] {
            let counts = zeroed(len).unwrap();
            assert_eq!((counts.len(), counts.capacity()), (len, len));
            assert!(counts.iter().all(|&c| c == 0), "len {len}");
        }
    }

    #[test]
    fn memory_that_cannot_be_had_is_an_error_not_an_abort() {
        // Beyond what a layout can describe, and within it but beyond any machine's address space.
        for len in [usize::MAX / 2, (isize::MAX as usize) / 4 - 1024] {
            let e = zeroed(len).unwrap_err();
            assert_eq!(e, AllocError { len });
            let mib = (len as u128 * 4) >> 20;
            assert_eq!(e.to_string(), format!("cannot allocate {mib} MiB for {len} counts: out of memory"));
        }
    }
}
