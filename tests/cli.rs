//! The `mandel` binary: bad arguments give a clear message and exit 2, never a panic.

use std::process::Command;

fn mandel(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_mandel")).args(args).output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn bad_arguments_name_the_parameter() {
    let cases: &[(&[&str], &str)] = &[
        (&["render", "-k", "naive-f64", "--width", "0"], "width"),
        (&["render", "-k", "naive-f64", "--x-min", "1", "--x-max", "0"], "x_min must be less than x_max"),
        (&["render", "-k", "naive-f64", "--y-min", "NaN"], "y_min must be a finite number"),
        (&["render", "-k", "naive-f64", "--max-iters", "0"], "max_iters"),
        (&["render", "-k", "naive-f64", "--max-iters", "99999999999"], "max_iters"),
        (&["render", "-k", "naive-f64", "--width", "100000", "--height", "100000"], "cap"),
        (&["render", "-k", "no-such-kernel"], "unknown kernel"),
        (&["verify", "-k", "no-such-kernel"], "unknown kernel"),
        (&["render", "-k", "naive-f64", "--width=-3"], "--width"),
    ];
    for (args, needle) in cases {
        let (code, _, err) = mandel(args);
        assert_eq!(code, 2, "{args:?}: {err}");
        assert!(err.contains(needle), "{args:?}: expected {needle:?} in {err:?}");
        assert!(!err.contains("panicked"), "{args:?}: {err}");
    }
}

#[test]
fn render_writes_npy_and_png_and_verify_passes() {
    let dir = std::env::temp_dir().join(format!("mandel-cli-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let npy = dir.join("c.npy");
    let png = dir.join("c.png");
    let (code, out, err) = mandel(&[
        "render",
        "-k",
        "naive-f64",
        "--width",
        "9",
        "--height",
        "4",
        "--x-min=-2.0",
        "--x-max",
        "0.6",
        "--npy",
        npy.to_str().unwrap(),
        "--png",
        png.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("naive-f64 [scalar] on 1 thread(s): 9x4"), "{out}");
    let bytes = std::fs::read(&npy).unwrap();
    assert_eq!(&bytes[..8], b"\x93NUMPY\x01\x00");
    let header_len = u16::from_le_bytes([bytes[8], bytes[9]]) as usize;
    let header = std::str::from_utf8(&bytes[10..10 + header_len]).unwrap();
    assert!(header.contains("'descr': '<u4'") && header.contains("'fortran_order': False"), "{header}");
    assert_eq!((10 + header_len) % 64, 0);
    assert_eq!(bytes.len(), 10 + header_len + 4 * 36);
    // read back: the shape, and the counts equal the f64 reference's (naive-f64 is exact)
    let file = npyz::NpyFile::new(&bytes[..]).unwrap();
    assert_eq!(file.shape(), &[4, 9]);
    let params = mandel_core::Params::new(9, 4, (-2.0, 0.6), (-1.5, 1.5), 200).unwrap();
    assert_eq!(file.into_vec::<u32>().unwrap(), mandel_core::reference::render(&params));
    assert_eq!(&std::fs::read(&png).unwrap()[..8], b"\x89PNG\r\n\x1a\n");
    std::fs::remove_dir_all(&dir).unwrap();

    let (code, out, _) = mandel(&["verify", "--width", "64", "--height", "48", "--json"]);
    assert_eq!(code, 0);
    assert!(out.contains("\"kernel\": \"naive-f32\"") && out.contains("\"ok\": true"), "{out}");
}

#[test]
fn sweep_reports_every_point_with_its_iterations() {
    let (code, out, err) = mandel(&[
        "sweep",
        "-k",
        "fma-f64",
        "--sizes",
        "8,16",
        "--iters",
        "10,20,30",
        "--iters-size",
        "12",
        "--budget",
        "0",
        "--json",
    ]);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let points = v["points"].as_array().unwrap();
    let shape: Vec<(&str, u64, u64)> = points
        .iter()
        .map(|p| (p["axis"].as_str().unwrap(), p["width"].as_u64().unwrap(), p["max_iters"].as_u64().unwrap()))
        .collect();
    assert_eq!(shape, [("size", 8, 200), ("size", 16, 200), ("iters", 12, 10), ("iters", 12, 20), ("iters", 12, 30)]);
    for p in points {
        // Iterations are the sum of the counts: the reference's, since fma-f64 differs on no pixel here.
        let params = mandel_core::Params::new(
            p["width"].as_u64().unwrap() as usize,
            p["height"].as_u64().unwrap() as usize,
            (-2.0, 0.6),
            (-1.5, 1.5),
            p["max_iters"].as_u64().unwrap(),
        )
        .unwrap();
        let expected = mandel_core::total_iterations(&mandel_core::reference::render(&params));
        assert_eq!(p["differing"].as_u64(), Some(0));
        assert_eq!(p["iterations"].as_u64(), Some(expected));
        assert!(p["times_s"].as_array().unwrap().len() >= 3);
    }
    let (code, _, err) = mandel(&["sweep", "-k", "fma-f64", "--sizes", "0", "--iters", "10"]);
    assert_eq!(code, 2);
    assert!(err.contains("width"), "{err}");
}

/// `mandel peak --json` and `mandel lanes --json`: the shapes scripts/ladder reads, with values that
/// add up (lanes per vector of the path named, rates positive, lane-iterations at least the useful ones
/// for brute force and fewer for the algorithmic variant where the cardioid is in view).
#[test]
fn peak_and_lanes_report_what_the_ladder_reads() {
    let (code, out, err) = mandel(&["peak", "--json"]);
    assert_eq!(code, 0, "{err}");
    let peak: serde_json::Value = serde_json::from_str(&out).unwrap();
    let isa = mandel_simd::Isa::from_name(peak["isa"].as_str().unwrap()).unwrap();
    assert_eq!(peak["f32_lanes"], isa.f32_lanes());
    assert_eq!(peak["f64_lanes"], isa.f64_lanes());
    assert!(peak["f32_lane_fmas_per_s"].as_f64().unwrap() > 1e8);
    assert!(peak["f64_lane_fmas_per_s"].as_f64().unwrap() > 1e8);

    let (code, out, err) = mandel(&["lanes", "--width", "97", "--height", "61", "--repeat", "1", "--json"]);
    assert_eq!(code, 0, "{err}");
    let rows: Vec<serde_json::Value> = serde_json::from_str(&out).unwrap();
    assert_eq!(rows.len(), 6, "{out}");
    for r in &rows {
        let (lanes, useful) = (r["lane_iterations"].as_u64().unwrap(), r["sum_of_counts"].as_u64().unwrap());
        let skipped = r["skipped_fraction"].as_f64().unwrap();
        if r["variant"] == "algorithmic" {
            assert!(lanes < useful, "{r}");
            assert!((skipped - (1.0 - lanes as f64 / useful as f64)).abs() < 1e-12, "{r}");
        } else {
            assert!(lanes >= useful, "{r}");
            assert_eq!(skipped, 0.0, "{r}");
        }
        assert!(r["seconds"].as_f64().unwrap() > 0.0);
    }
    let (code, _, err) = mandel(&["peak", "--isa", "avx9000"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("unknown ISA"), "{err}");
}
