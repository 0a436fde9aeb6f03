//! The counts buffer of `mandel render`, paged in before the clock starts.
//!
//! A fresh `vec![0; n]` of a large image is mapped but not yet backed by memory: the kernel's first
//! write to each 4 KiB page takes a page fault, inside the timed render and, for a threaded kernel,
//! on whichever thread gets there first. [`paged_in`] asks Linux for transparent huge pages on the
//! buffer (one fault per 2 MiB instead of 512, where the system allows them: `madvise` mode or
//! `always` in /sys/kernel/mm/transparent_hugepage/enabled), then touches every page from every
//! thread of the pool, so the timed renders write to memory that is already there.
//! MEASUREMENTS.md ("Large images") has what each step is worth.

use mandel_core::buffer::{AllocError, zeroed};
use rayon::prelude::*;

/// Pages touched per task when faulting the buffer in: large enough to cover a huge page.
const CHUNK_BYTES: usize = 2 << 20;
/// The smallest page the buffer may be mapped with: one write per page faults it in.
const PAGE_BYTES: usize = 4096;

/// A zeroed buffer of `len` counts ([`zeroed`]: an error, not an abort, when the memory cannot be
/// had), every page already faulted in (in parallel on the global rayon pool).
pub fn paged_in(len: usize) -> Result<Vec<u32>, AllocError> {
    let mut counts = zeroed(len)?;
    advise_huge_pages(&mut counts);
    let per_chunk = CHUNK_BYTES / size_of::<u32>();
    let per_page = PAGE_BYTES / size_of::<u32>();
    counts.par_chunks_mut(per_chunk).for_each(|chunk| {
        for i in (0..chunk.len()).step_by(per_page) {
            // A volatile write: the compiler knows a fresh allocation reads zero and could drop a
            // plain store of zero, and the point is the fault, not the value.
            unsafe { std::ptr::write_volatile(&mut chunk[i], 0) };
        }
    });
    Ok(counts)
}

#[cfg(target_os = "linux")]
fn advise_huge_pages(counts: &mut [u32]) {
    const HUGE: usize = 2 << 20;
    let start = counts.as_mut_ptr() as usize;
    let end = start + std::mem::size_of_val(counts);
    // madvise wants a page-aligned start; only whole huge pages inside the buffer can be huge.
    let first = start.next_multiple_of(HUGE);
    let last = end / HUGE * HUGE;
    if last > first {
        // A refusal (THP off, an old kernel) only means 4 KiB pages: nothing to report.
        unsafe { libc::madvise(first as *mut libc::c_void, last - first, libc::MADV_HUGEPAGE) };
    }
}

#[cfg(not(target_os = "linux"))]
fn advise_huge_pages(_counts: &mut [u32]) {}

/// This process's user and system CPU time so far, in seconds (all threads), where the OS reports them.
pub fn cpu_times() -> Option<(f64, f64)> {
    #[cfg(unix)]
    {
        let mut usage = std::mem::MaybeUninit::<libc::rusage>::zeroed();
        if unsafe { libc::getrusage(libc::RUSAGE_SELF, usage.as_mut_ptr()) } != 0 {
            return None;
        }
        let usage = unsafe { usage.assume_init() };
        let secs = |t: libc::timeval| t.tv_sec as f64 + t.tv_usec as f64 * 1e-6;
        Some((secs(usage.ru_utime), secs(usage.ru_stime)))
    }
    #[cfg(not(unix))]
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_paged_in_buffer_is_all_zero_and_of_the_length_asked() {
        for len in [0, 1, 1023, 1024, 1025, (3 << 20) / 4 + 17] {
            let counts = paged_in(len).unwrap();
            assert_eq!(counts.len(), len);
            assert!(counts.iter().all(|&c| c == 0), "len {len}");
        }
    }

    #[test]
    fn memory_that_cannot_be_had_is_an_error_not_an_abort() {
        let len = (isize::MAX as usize) / 4 - 1024;
        assert_eq!(paged_in(len).unwrap_err(), AllocError { len });
    }

    #[test]
    fn cpu_times_grow_with_work() {
        let (user0, sys0) = cpu_times().expect("getrusage");
        let mut x = 0u64;
        let t = std::time::Instant::now();
        while t.elapsed().as_millis() < 50 {
            x = std::hint::black_box(x.wrapping_mul(6364136223846793005).wrapping_add(1));
        }
        let (user1, sys1) = cpu_times().expect("getrusage");
        assert!(user1 + sys1 > user0 + sys0, "{user0}+{sys0} -> {user1}+{sys1}");
    }
}
