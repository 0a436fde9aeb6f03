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

/// `render_mirrored`: 401 rows `y = -1.5625 + row/128` (exact), so row `r` mirrors `400 - r`; with
/// 64 columns, tasks are 64 rows (4096 pixels), so the copies are spread over several tasks. The f64
/// reference is itself conjugate-symmetric, so the result must equal its plain render.
#[test]
fn mirrored_renders_equal_plain_ones() {
    use mandel_rayon::render_mirrored;
    let p = Params::new(64, 401, (-2.0, 0.6), (-1.5625, 1.5703125), 100).unwrap();
    assert_eq!(mandel_core::mirror::Mirror::plan::<f64>(&p, 0, p.pixels()).pairs().len(), 200);
    let expected = reference::render(&p);
    for threads in [1, 2, 3, 5] {
        for (start, len) in [(0, p.pixels()), (5, 20000), (64 * 150 + 7, 64 * 120), (64 * 100, 64 * 201), (70, 30)] {
            let mut out = vec![u32::MAX; len];
            with_threads(threads, || render_mirrored::<f64>(&p, start, &mut out, reference::render_span)).unwrap();
            assert_eq!(out, expected[start..start + len], "{threads} threads, {start}+{len}");
        }
    }
    // Rows that are copies are never handed to the inner render, the rest is, once, in several tasks.
    let rendered = Mutex::new(Vec::new());
    let mut out = vec![0; p.pixels()];
    with_threads(3, || {
        mandel_rayon::render_mirrored_counting::<f64>(&p, 0, &mut out, |_, start, o| {
            rendered.lock().unwrap().push(start..start + o.len());
            0
        })
    })
    .unwrap();
    let mut rendered = rendered.into_inner().unwrap();
    rendered.sort_by_key(|r| r.start);
    assert!(rendered.len() >= 4, "one task per 64 rows: {rendered:?}");
    assert_eq!(rendered.iter().map(|r| r.len()).sum::<usize>(), 201 * 64);
    assert!(rendered.windows(2).all(|w| w[0].end <= w[1].start));
    assert_eq!(rendered.last().unwrap().end, 201 * 64, "rows 201..401 are all copies");
}
