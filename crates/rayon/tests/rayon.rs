use mandel_core::{Params, reference};
use mandel_rayon::{Split, current_threads, render_split, with_threads};
use std::collections::BTreeSet;
use std::sync::Mutex;

const SPLITS: &[Split] =
    &[Split::Bands, Split::Rows, Split::Chunks(1), Split::Chunks(7), Split::Chunks(1024), Split::Auto];

#[test]
fn every_split_equals_the_inner_kernel() {
    for &(w, h) in &[(1, 1), (1, 17), (17, 1), (33, 7), (960, 64)] {
        let p = Params::new(w, h, (-2.0, 0.6), (-1.5, 1.5), 100).unwrap();
        let expected = reference::render(&p);
        for threads in [1, 2, 3] {
            for &split in SPLITS {
                let mut out = vec![u32::MAX; p.pixels()];
                with_threads(threads, || render_split(&p, 0, &mut out, reference::render_span, split)).unwrap();
                assert_eq!(out, expected, "{w}x{h}, {threads} threads, {split:?}");
            }
        }
    }
}

#[test]
fn spans_starting_mid_row_are_cut_at_image_boundaries() {
    let p = Params::new(33, 7, (-2.0, 0.6), (-1.5, 1.5), 100).unwrap();
    let expected = reference::render(&p);
    for &split in SPLITS {
        for (start, len) in [(5, 100), (32, 2), (0, 0), (200, 31)] {
            let mut out = vec![u32::MAX; len];
            with_threads(2, || render_split(&p, start, &mut out, reference::render_span, split)).unwrap();
            assert_eq!(out, expected[start..start + len], "{split:?} {start}+{len}");
        }
    }
}

/// Pool thread indices seen by `recording_render` (a `RenderFn` is a plain fn, so it records here).
static SEEN: Mutex<BTreeSet<usize>> = Mutex::new(BTreeSet::new());

fn recording_render(p: &Params, start: usize, out: &mut [u32]) {
    SEEN.lock().unwrap().insert(rayon::current_thread_index().expect("runs on a pool thread"));
    // Slow enough that every thread of the pool gets to steal some tasks.
    std::thread::sleep(std::time::Duration::from_micros(200));
    reference::render_span(p, start, out)
}

#[test]
fn thread_count_is_honoured() {
    let p = Params::new(64, 64, (-2.0, 0.6), (-1.5, 1.5), 50).unwrap();
    for n in [1, 2, 3, 5] {
        assert_eq!(with_threads(n, current_threads).unwrap(), n);
        SEEN.lock().unwrap().clear();
        let mut out = vec![0; p.pixels()];
        with_threads(n, || render_split(&p, 0, &mut out, recording_render, Split::Chunks(16))).unwrap();
        assert_eq!(out, reference::render(&p));
        let seen = SEEN.lock().unwrap().clone();
        // Every task ran on one of the pool's n threads, and with 256 sleepy tasks all n took part.
        assert_eq!(seen, (0..n).collect::<BTreeSet<_>>(), "{n} threads");
    }
}

#[test]
fn task_sizes() {
    let p = Params::canonical();
    assert_eq!(Split::Bands.task_pixels(&p, 2), 480 * 960);
    assert_eq!(Split::Bands.task_pixels(&p, 7), 138 * 960);
    assert_eq!(Split::Rows.task_pixels(&p, 2), 960);
    assert_eq!(Split::Chunks(256).task_pixels(&p, 2), 256);
    assert_eq!(Split::Chunks(0).task_pixels(&p, 2), 1);
    assert_eq!(Split::BEST.name(), "auto");
    // Auto: 16 tasks a thread, a multiple of 64, within 4096..=16384 pixels.
    assert_eq!(Split::Auto.task_pixels(&p, 2), 16384);
    assert_eq!(Split::Auto.task_pixels(&p, 4), 14400);
    assert_eq!(Split::Auto.task_pixels(&p, 16), 4096);
    let small = Params::new(33, 7, (-2.0, 0.6), (-1.5, 1.5), 200).unwrap();
    assert_eq!(Split::Auto.task_pixels(&small, 2), 4096);
}
