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
    assert!(header.contains("'shape': (4, 9)"), "{header}");
    // the counts, little-endian, equal the f64 reference's (naive-f64 is exact)
    let counts: Vec<u32> =
        bytes[10 + header_len..].chunks_exact(4).map(|b| u32::from_le_bytes(b.try_into().unwrap())).collect();
    let params = mandel_core::Params::new(9, 4, (-2.0, 0.6), (-1.5, 1.5), 200).unwrap();
    assert_eq!(counts, mandel_core::reference::render(&params));
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
    // Every registered single-thread SIMD kernel that runs here, in registry order, and no other.
    let simd: Vec<&str> = mandel_registry::available_kernels()
        .filter(|k| k.threads == mandel_core::Threads::One && !k.one_lane)
        .map(|k| k.name)
        .collect();
    assert_eq!(rows.iter().map(|r| r["kernel"].as_str().unwrap()).collect::<Vec<_>>(), simd, "{out}");
    for r in &rows {
        let (lanes, useful) = (r["lane_iterations"].as_u64().unwrap(), r["sum_of_counts"].as_u64().unwrap());
        let skipped = r["skipped_fraction"].as_f64().unwrap();
        if mandel_registry::kernel(r["kernel"].as_str().unwrap()).unwrap().algorithmic {
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

/// `--isa` naming a path this CPU lacks is refused (exit 2) naming it: `peak --isa neon` on x86
/// measured sse2 instead, exit 0, its output never mentioning neon.
#[test]
fn isa_flag_refuses_a_path_this_cpu_lacks() {
    // A 128-bit path of the other architecture: never available here, and MANDEL_ISA would run ours.
    let (missing, instead) = if cfg!(target_arch = "aarch64") { ("sse2", "neon") } else { ("neon", "sse2") };
    for command in ["peak", "tune"] {
        let (code, out, err) = mandel_env(&[command, "--isa", missing], &[]);
        assert_eq!(code, 2, "{command}: {out}{err}");
        assert_eq!(out, "", "{command}: nothing measured");
        assert!(err.contains(&format!("--isa {missing}: this CPU has no {missing} path")), "{command}: {err}");
        assert!(err.contains(&format!("MANDEL_ISA={missing}, a ceiling, would run {instead}")), "{command}: {err}");
    }
    // A path it has is still measured, under its own name.
    let (code, out, err) = mandel_env(&["peak", "--isa", "scalar", "--json"], &[]);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["isa"], "scalar", "{out}");
}

/// `mandel` with extra environment variables (the test's own MANDEL_ISA/RAYON_NUM_THREADS removed).
fn mandel_env(args: &[&str], env: &[(&str, &str)]) -> (i32, String, String) {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_mandel"));
    cmd.args(args).env_remove("MANDEL_ISA").env_remove("RAYON_NUM_THREADS");
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// The C reference in the CLI: `list --json` marks it a reference and says whether it is available.
/// A MANDEL_C_TUNING that is not a tuning of the path is an error for every command (exit 2, naming
/// the variable), as a bad MANDEL_TUNING is (issue 20, 9: the ladder relies on `mandel describe`).
#[test]
fn c_reference_in_list_render_and_verify() {
    let (code, out, err) = mandel(&["list", "--json"]);
    assert_eq!(code, 0, "{err}");
    let list: Vec<serde_json::Value> = serde_json::from_str(&out).unwrap();
    for k in &list {
        let reference = k["name"].as_str().unwrap().contains("c-ref");
        assert_eq!(k["reference"], reference, "{k}");
        assert_eq!(k["available"].as_bool().unwrap(), k["unavailable"].is_null(), "{k}");
        assert!(reference || k["available"] == true, "{k}");
    }
    if mandel_c_reference::available() {
        let (code, out, err) = mandel(&["render", "-k", "c-ref-f32", "--width", "33", "--height", "7"]);
        assert_eq!(code, 0, "{err}");
        assert!(out.contains(&format!("c-ref-f32 [{}] on 1 thread(s): 33x7", mandel_c_reference::isa())), "{out}");
    }

    for value in ["v99k1", "junk"] {
        for args in [&["render", "-k", "c-ref-f32", "--width", "8", "--height", "8"][..], &["describe", "--json"]] {
            let (code, out, err) = mandel_env(args, &[("MANDEL_C_TUNING", value)]);
            assert_eq!(code, 2, "{value} {args:?}: {err}");
            assert!(err.contains(&format!("MANDEL_C_TUNING=\"{value}\"")), "{err}");
            assert!(out.is_empty() && !err.contains("panicked"), "{out}{err}");
        }
    }
}

/// A fresh folder for one test's files.
fn scratch(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("mandel-cli-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

const DEEP: [&str; 10] = [
    "--x-min=-0.7436438875",
    "--x-max=-0.7436438865",
    "--y-min",
    "0.1318259037",
    "--y-max",
    "0.1318259047",
    "--max-iters",
    "2000",
    "--width=64",
    "--height=64",
];

/// Issue 12, 4.1: below f32's resolution every f32 kernel returned a constant image with exit 0.
/// Now f32 kernels refuse the view (exit 2, naming the spacing and the precision); f64 renders it.
#[test]
fn f32_kernels_refuse_a_view_below_f32_resolution() {
    for k in ["naive-f32", "fma-f32", "simd-f32", "rayon-simd-algorithmic-f32"] {
        let (code, out, err) = mandel(&[&["render", "-k", k][..], &DEEP].concat());
        assert_eq!(code, 2, "{k}: {out}{err}");
        assert!(err.contains(&format!("{k} cannot render this view: pixel spacing dx")), "{err}");
        assert!(err.contains("in f32") && err.contains("use an f64 kernel"), "{err}");
        assert!(out.is_empty(), "{k} rendered before refusing: {out}");
    }
    let (code, _, err) = mandel(&[&["verify", "-k", "naive-f32"][..], &DEEP].concat());
    assert_eq!(code, 2, "{err}");
    let (code, out, err) = mandel(&[&["render", "-k", "naive-f64"][..], &DEEP].concat());
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("naive-f64 [scalar]"), "{out}");
}

/// Issue 12, 4.2: algorithmic-f32 counted points beyond f32's range as inside (200 where the
/// reference says 1) with exit 0. f32 kernels now refuse such bounds, naming the parameter; the
/// arithmetic itself is fixed too (tests/kernels.rs).
#[test]
fn f32_kernels_refuse_bounds_beyond_f32_range() {
    let huge =
        ["--width", "64", "--height", "64", "--x-min=-1e300", "--x-max", "1e300", "--y-min=-1e300", "--y-max", "1e300"];
    for k in ["algorithmic-f32", "rayon-algorithmic-f32", "simd-algorithmic-f32"] {
        let (code, _, err) = mandel(&[&["verify", "-k", k][..], &huge].concat());
        assert_eq!(code, 2, "{k}: {err}");
        assert!(err.contains("x_min = -1e300 is outside the finite range of f32"), "{err}");
    }
    let (code, out, err) =
        mandel(&[&["verify", "-k", "naive-f64", "-k", "fma-f64", "-k", "simd-f64"][..], &huge].concat());
    assert_eq!(code, 0, "{out}{err}");
}

/// Issue 12, 4.3: at a deep zoom the f32 and f64-FMA kernels do not match the reference, and render
/// said nothing. Now it warns (exit 0: the counts are what the kernel computes), and not for an
/// exact kernel, nor with --no-check.
#[test]
fn render_warns_when_the_kernel_does_not_match_the_reference_at_the_view() {
    let zoom = [
        "--x-min=-0.7436",
        "--x-max=-0.7435",
        "--y-min",
        "0.1318",
        "--y-max",
        "0.1319",
        "--max-iters",
        "2000",
        "--width=64",
        "--height=64",
    ];
    for k in ["fma-f64", "fma-f32", "simd-f32"] {
        let (code, _, err) = mandel(&[&["render", "-k", k][..], &zoom].concat());
        assert_eq!(code, 0, "{err}");
        assert!(
            err.contains("warning:") && err.contains("does not match the f64 reference at this view"),
            "{k}: {err}"
        );
        let (_, _, err) = mandel(&[&["render", "--no-check", "-k", k][..], &zoom].concat());
        assert!(!err.contains("warning"), "{k}: {err}");
    }
    let (code, _, err) = mandel(&[&["render", "-k", "naive-f64"][..], &zoom].concat());
    assert_eq!(code, 0, "{err}");
    assert!(!err.contains("warning"), "{err}");
    // The canonical view (sampled: 921,600 pixels) raises no warning for an f32 kernel.
    let (code, _, err) = mandel(&["render", "-k", "simd-f32"]);
    assert_eq!(code, 0, "{err}");
    assert!(!err.contains("warning"), "{err}");
}

/// Issue 12, 5.3/5.4: garbage MANDEL_ISA and RAYON_NUM_THREADS were ignored, and 100000 threads were
/// started. Both are now checked like flags: exit 2 naming the variable and what it accepts.
#[test]
fn environment_variables_are_checked_like_flags() {
    let small = ["render", "-k", "rayon-fma-f32", "--width", "10", "--height", "10"];
    for (var, value, needle) in [
        (
            "MANDEL_ISA",
            "avx9000",
            "MANDEL_ISA=\"avx9000\" is not an instruction-set path; accepted (any case, no spaces): avx512, avx2, sse2, neon, scalar",
        ),
        (
            "RAYON_NUM_THREADS",
            "100000",
            "RAYON_NUM_THREADS=\"100000\" must be a whole number of threads from 1 to 1024",
        ),
        ("RAYON_NUM_THREADS", "lots", "RAYON_NUM_THREADS=\"lots\""),
        ("RAYON_NUM_THREADS", "0", "RAYON_NUM_THREADS=\"0\""),
        // Issue 20, 9: rayon does not trim, so these gave its default pool, not 3 threads.
        ("RAYON_NUM_THREADS", " 3 ", "RAYON_NUM_THREADS=\" 3 \""),
        ("RAYON_NUM_THREADS", "3\n", "RAYON_NUM_THREADS=\"3\\n\""),
        ("RAYON_NUM_THREADS", "+3", "RAYON_NUM_THREADS=\"+3\""),
    ] {
        for args in [&small[..], &["list"][..]] {
            let (code, out, err) = mandel_env(args, &[(var, value)]);
            assert_eq!(code, 2, "{var}={value} {args:?}: {out}{err}");
            assert!(err.contains(needle), "{err}");
            assert!(out.is_empty(), "{out}");
        }
    }
    let (code, out, err) = mandel_env(&["list"], &[("MANDEL_ISA", "SCALAR")]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("simd-f32") && out.contains("scalar"), "{out}");
    let (code, out, err) = mandel_env(&small, &[("RAYON_NUM_THREADS", "2"), ("MANDEL_ISA", "")]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("on 2 thread(s)"), "{out}");
}

/// Issue 12, 5.2: output paths were checked only after rendering. Now before: nothing is printed
/// about a render that would have been thrown away.
#[test]
fn output_paths_are_checked_before_rendering() {
    let dir = scratch("paths");
    let missing = dir.join("nodir").join("x.npy");
    for (flag, path, needle) in [
        ("--npy", missing.to_str().unwrap(), "does not exist"),
        ("--png", missing.to_str().unwrap(), "does not exist"),
        ("--npy", dir.to_str().unwrap(), "is a folder"),
    ] {
        let (code, out, err) = mandel(&["render", "-k", "naive-f64", flag, path]);
        assert_eq!(code, 2, "{err}");
        assert!(err.contains(&format!("cannot write {flag}")) && err.contains(needle), "{err}");
        assert!(out.is_empty(), "rendered before checking the path: {out}");
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

/// Issue 12, 5.1: `--npy` over an existing file on a full disk destroyed the old file and left a
/// truncated .npy. The write now goes through a temporary file: a failed write leaves the old file
/// byte for byte and no temporary file behind. The full disk is a file-size limit (ulimit -f) with
/// SIGXFSZ ignored, so the write fails with EFBIG as it would with ENOSPC.
#[test]
fn a_failed_write_keeps_the_old_file() {
    let dir = scratch("fulldisk");
    for flag in ["--npy", "--png"] {
        let path = dir.join(format!("old{}", flag.replace('-', ".")));
        std::fs::write(&path, b"the previous result").unwrap();
        let out = Command::new("sh")
            .arg("-c")
            .arg("trap '' XFSZ; ulimit -f 2; exec \"$0\" \"$@\"")
            .arg(env!("CARGO_BIN_EXE_mandel"))
            .args(["render", "-k", "naive-f64", "--width", "300", "--height", "300", flag, path.to_str().unwrap()])
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{flag}: {err}");
        assert!(err.contains("cannot write") && err.contains("nothing was written there"), "{err}");
        assert_eq!(std::fs::read(&path).unwrap(), b"the previous result", "{flag}: the old file was damaged");
        let left: Vec<_> = std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().file_name()).collect();
        assert_eq!(left.len(), 1 + usize::from(flag == "--png"), "temporary files left behind: {left:?}");
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

/// A MANDEL_TUNING that is not UTF-8 is refused as a bad name is (exit 2, naming the variable), not
/// taken for unset, which would calibrate instead.
#[cfg(unix)]
#[test]
fn mandel_tuning_not_utf8_is_refused() {
    use std::os::unix::ffi::OsStrExt;
    let raw = std::ffi::OsStr::from_bytes(b"v4k8\xff");
    let out = Command::new(env!("CARGO_BIN_EXE_mandel")).args(["list"]).env("MANDEL_TUNING", raw).output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("MANDEL_TUNING=\"v4k8\u{fffd}\" is not valid"), "{err}");
    assert!(out.stdout.is_empty(), "{err}");
}

/// A forced MANDEL_TUNING is one the path that runs builds: on the scalar path (one whole-vector
/// tuning, v2k8) another is refused naming the variable and the path, never recorded as forced while
/// the path runs its own; the path's own and `default` are taken. A precision named twice, and a
/// MANDEL_C_TUNING with a sign, are refused too.
#[test]
fn forced_tunings_must_be_the_paths_own_and_named_once() {
    let bench = ["bench", "-k", "simd-f32", "-k", "simd-f64", "--kernel-s", "0", "--json"];
    let (code, out, err) = mandel_env(&bench, &[("MANDEL_ISA", "scalar"), ("MANDEL_TUNING", "v12k8")]);
    assert_eq!(code, 2, "{out}{err}");
    assert!(err.contains("MANDEL_TUNING=\"v12k8\"") && err.contains("the scalar path"), "{err}");
    assert!(out.is_empty(), "{out}");
    for (value, source) in [("v2k8", "v2k8 (forced)"), ("default", "v2k8 (default)")] {
        let (code, out, err) = mandel_env(&bench, &[("MANDEL_ISA", "scalar"), ("MANDEL_TUNING", value)]);
        assert_eq!(code, 0, "{value}: {err}");
        let round: serde_json::Value = serde_json::from_str(&out).unwrap();
        for kernel in ["simd-f32", "simd-f64"] {
            let row = round["tunings"].as_array().unwrap().iter().find(|t| t[0] == kernel).unwrap().clone();
            assert_eq!(row, serde_json::json!([kernel, source]), "{value}: {round}");
        }
    }
    // The C reference on the scalar path has no tuning: said so, not "calibrated" (a review).
    if mandel_c_reference::available() {
        let c_bench = ["bench", "-k", "c-ref-f32", "--kernel-s", "0", "--json"];
        let (code, out, err) = mandel_env(&c_bench, &[("MANDEL_ISA", "scalar")]);
        assert_eq!(code, 0, "{err}");
        let round: serde_json::Value = serde_json::from_str(&out).unwrap();
        assert_eq!(
            round["tunings"],
            serde_json::json!([["c-reference", "one pixel at a time (scalar path)"]]),
            "{round}"
        );
        // `default` is the path's own tuning, said as the SIMD kernels say it, not "forced" (a review).
        for (value, source) in [("default", " (default)"), ("DEFAULT", " (default)"), ("", " (calibrated)")] {
            let (code, out, err) = mandel_env(&c_bench, &[("MANDEL_C_TUNING", value)]);
            assert_eq!(code, 0, "{err}");
            let round: serde_json::Value = serde_json::from_str(&out).unwrap();
            let text = round["tunings"][0][1].as_str().unwrap_or_default().to_string();
            assert!(text.ends_with(source), "{value:?}: {round}");
        }
    }
    for (var, value) in
        [("MANDEL_TUNING", "f32:v4k8,f32:v8k8"), ("MANDEL_C_TUNING", "v+4k+8"), ("MANDEL_C_TUNING", "v03k8")]
    {
        let (code, out, err) = mandel_env(&["describe", "--json"], &[(var, value)]);
        assert_eq!(code, 2, "{var}={value}: {out}{err}");
        assert!(err.contains(&format!("{var}={value:?}")) && out.is_empty(), "{err}");
    }
    // MANDEL_C_TUNING by the same rule: `default` taken on every path, a tuning the path does not
    // build refused on the scalar path too (it builds none).
    for isa in ["", "scalar"] {
        let (code, out, err) =
            mandel_env(&["describe", "--json"], &[("MANDEL_ISA", isa), ("MANDEL_C_TUNING", "default")]);
        assert_eq!(code, 0, "{isa}: {out}{err}");
    }
    if mandel_c_reference::available() {
        let (code, out, err) =
            mandel_env(&["describe", "--json"], &[("MANDEL_ISA", "scalar"), ("MANDEL_C_TUNING", "v4k8")]);
        assert_eq!(code, 2, "{out}{err}");
        assert!(err.contains("MANDEL_C_TUNING=\"v4k8\"") && err.contains("scalar path"), "{err}");
        assert!(
            err.contains("accepted: default (the C reference's scalar path builds no tuning)") && out.is_empty(),
            "{err}"
        );
    }
}

/// MANDEL_TUNING is checked like a flag: a name that is not an instantiated tuning is exit 2 naming
/// the variable; a valid one is what `mandel tune` reports as the kernels' choice.
#[test]
fn mandel_tuning_is_checked_and_used() {
    let bad = Command::new(env!("CARGO_BIN_EXE_mandel")).args(["list"]).env("MANDEL_TUNING", "v99k3").output().unwrap();
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("MANDEL_TUNING"), "{}", String::from_utf8_lossy(&bad.stderr));
    let good = Command::new(env!("CARGO_BIN_EXE_mandel"))
        .args(["tune", "--rounds", "1", "--processes", "2", "--json"])
        .env("MANDEL_TUNING", "v4k8")
        .output()
        .unwrap();
    assert!(good.status.success(), "{}", String::from_utf8_lossy(&good.stderr));
    let rows: serde_json::Value = serde_json::from_slice(&good.stdout).unwrap();
    let rows = rows.as_array().unwrap();
    // The C reference's tunings are timed too (MANDEL_TUNING does not apply to them).
    if mandel_c_reference::available() {
        let c = rows.iter().find(|r| r["kernel"] == "c-reference").expect("a c-reference row");
        assert_eq!(c["env"], "MANDEL_C_TUNING", "{c}");
        assert!(!c["times"].as_array().unwrap().is_empty() || c["isa"] == "scalar", "{c}");
    }
    for row in rows.iter().filter(|r| r["kernel"] == "simd") {
        assert_eq!(row["env"], "MANDEL_TUNING", "{row}");
        // The band the choice was made with, for the summary's note.
        assert_eq!(row["tie_band"].as_f64(), Some(mandel_core::choose::TIE_BAND), "{row}");
        let wide = matches!(row["isa"].as_str(), Some("avx512" | "avx2" | "neon"));
        if wide {
            assert_eq!(row["chosen"], "v4k8", "{row}");
            assert_eq!(row["source"], "forced", "{row}");
            assert_eq!(row["times"].as_array().unwrap().len(), mandel_simd::TUNINGS.len(), "{row}");
            // The choice over the median of both processes' fastest rounds: the default unless another is
            // clearly faster.
            let isa = mandel_simd::Isa::from_name(row["isa"].as_str().unwrap()).unwrap();
            let default = mandel_simd::Tuning::default_for(isa).name();
            assert_eq!(row["default"], default.as_str(), "{row}");
            let times = row["times"].as_array().unwrap();
            let time = |name: &str| times.iter().find(|t| t[0] == name).unwrap()[1].as_f64().unwrap();
            let best = times.iter().map(|t| t[1].as_f64().unwrap()).fold(f64::INFINITY, f64::min);
            let fastest = row["fastest"].as_str().unwrap();
            let kept = fastest == default && time(&default) * (1.0 - mandel_core::choose::TIE_BAND) <= best;
            assert!(kept || time(fastest) == best, "{row}");
        }
    }
}

/// `mandel describe --json`: the registry's facts the ladder and the Python side read instead of
/// restating them: the canonical problem, the bench settings, and every registered kernel in ladder
/// order with integer threads, its flags and its tolerance; `list --json` reports the same kernels.
#[test]
fn describe_reports_the_registry_s_facts() {
    let (code, out, err) = mandel_env(&["describe", "--json"], &[("RAYON_NUM_THREADS", "3")]);
    assert_eq!(code, 0, "{err}");
    let d: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(d["schema"], "mandel-describe/1");
    let p = mandel_core::Params::canonical();
    let c = &d["canonical"];
    assert_eq!((c["width"].as_u64(), c["height"].as_u64()), (Some(p.width() as u64), Some(p.height() as u64)));
    assert_eq!((c["x_min"].as_f64().unwrap(), c["x_max"].as_f64().unwrap()), p.x_range());
    assert_eq!((c["y_min"].as_f64().unwrap(), c["y_max"].as_f64().unwrap()), p.y_range());
    assert_eq!(c["max_iters"].as_u64(), Some(u64::from(p.max_iters())));
    assert_eq!(d["pool_threads"], 3);
    let full = &d["bench"]["full"];
    assert_eq!(full["sample_size"].as_u64(), Some(mandel_registry::BENCH_FULL.sample_size as u64));
    assert_eq!(full["measurement_s"].as_f64(), Some(mandel_registry::BENCH_FULL.measurement_s));
    assert_eq!(d["bench"]["quick"]["warm_up_s"].as_f64(), Some(mandel_registry::BENCH_QUICK.warm_up_s));
    let kernels = d["kernels"].as_array().unwrap();
    assert_eq!(kernels.len(), mandel_registry::KERNELS.len());
    for (k, r) in kernels.iter().zip(mandel_registry::KERNELS) {
        assert_eq!(k["name"], r.name);
        assert_eq!(k["precision"], r.precision.as_str());
        assert_eq!(k["pool"], r.threads == mandel_core::Threads::Pool);
        assert_eq!(k["threads"], if r.threads == mandel_core::Threads::Pool { 3 } else { 1 }, "{k}");
        assert_eq!((k["reference"].as_bool(), k["algorithmic"].as_bool()), (Some(r.reference), Some(r.algorithmic)));
        assert_eq!(k["one_lane"], r.one_lane);
        assert_eq!(k["tolerance_max_fraction"].as_f64(), Some(r.tolerance.max_fraction));
        assert_eq!(k["tolerance_slack_pixels"].as_u64(), Some(r.tolerance.slack_pixels as u64));
    }
    let (code, out, err) = mandel_env(&["list", "--json"], &[("RAYON_NUM_THREADS", "3")]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(serde_json::from_str::<serde_json::Value>(&out).unwrap(), d["kernels"]);
    // The facts Python reads instead of restating them: ISA names, the thread rule, the tolerance
    // rule, the sweep grid.
    assert_eq!(d["isa_names"], serde_json::json!(mandel_core::ISA_NAMES));
    // The compiler that built this binary, which the summary names (not the ladder machine's rustc).
    let rustc = std::process::Command::new(std::env::var("RUSTC").unwrap_or_else(|_| "rustc".into()))
        .arg("-V")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string());
    assert!(d["rustc"].as_str().is_some_and(|v| v.starts_with("rustc ")), "{}", d["rustc"]);
    if let Some(version) = rustc.ok().filter(|v| !v.is_empty()) {
        assert_eq!(d["rustc"], version.as_str());
    }
    let cores = std::thread::available_parallelism().map_or(1, usize::from);
    assert_eq!(d["threads"], serde_json::json!({"env": "RAYON_NUM_THREADS", "max": 1024, "pool": 3, "cores": cores}));
    let tolerances = d["tolerances"].as_array().unwrap();
    assert_eq!(tolerances.len(), 4);
    for t in tolerances {
        let precision = if t["precision"] == "f32" { mandel_core::Precision::F32 } else { mandel_core::Precision::F64 };
        let rule = mandel_core::Tolerance::of(precision, t["fused"].as_bool().unwrap());
        assert_eq!(
            (t["max_fraction"].as_f64(), t["slack_pixels"].as_u64()),
            (Some(rule.max_fraction), Some(rule.slack_pixels as u64))
        );
    }
    for r in mandel_registry::KERNELS {
        let fused = r.tolerance != mandel_core::Tolerance::of(r.precision, false);
        assert!(tolerances.iter().any(|t| t["precision"] == r.precision.as_str() && t["fused"] == fused), "{}", r.name);
    }
    let sweep = &d["sweep"];
    assert_eq!(sweep["sizes"], serde_json::json!([240, 480, 960, 1920, 3840]));
    assert_eq!(sweep["iters"], serde_json::json!([50, 100, 200, 500, 1000, 2000, 5000]));
    assert_eq!((sweep["size_iters"].as_u64(), sweep["iters_size"].as_u64()), (Some(200), Some(960)));
    // `mandel sweep` runs that grid by default.
    let (code, help, _) = mandel(&["sweep", "--help"]);
    assert_eq!(code, 0);
    assert!(
        help.contains("[default: 240 480 960 1920 3840]") && help.contains("[default: 50 100 200 500 1000 2000 5000]"),
        "{help}"
    );
    assert!(help.contains("[default: 200]") && help.contains("[default: 960]"), "{help}");
    // The large image: the Benchmarks Game's problem, by a registered f64 kernel on the pool.
    let large = &sweep["large"];
    let k = mandel_registry::kernel(large["kernel"].as_str().unwrap()).expect("a registered kernel");
    assert!(k.precision == mandel_core::Precision::F64 && !matches!(k.threads, mandel_core::Threads::One));
    let p = &large["problem"];
    let field = |f: &str| p[f].as_f64().unwrap();
    assert_eq!((field("width"), field("height"), field("max_iters")), (16000.0, 16000.0, 51.0));
    assert_eq!((field("x_min"), field("x_max"), field("y_min"), field("y_max")), (-1.5, 0.5, -1.0, 1.0));
}

#[test]
fn render_json_reports_every_time_and_the_cpu_time() {
    let (code, out, err) =
        mandel(&["render", "-k", "naive-f64", "--width", "64", "--height", "48", "--repeat", "3", "--json"]);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).expect("stdout is the JSON report alone");
    let params = mandel_core::Params::new(64, 48, (-2.0, 0.6), (-1.5, 1.5), 200).unwrap();
    let expected = mandel_core::total_iterations(&mandel_core::reference::render(&params));
    assert_eq!((v["kernel"].as_str(), v["iterations"].as_u64()), (Some("naive-f64"), Some(expected)));
    assert_eq!((v["width"].as_u64(), v["height"].as_u64(), v["max_iters"].as_u64()), (Some(64), Some(48), Some(200)));
    let times = v["times_s"].as_array().unwrap();
    assert_eq!(times.len(), 3);
    assert!(times.iter().all(|t| t.as_f64().unwrap() > 0.0));
    assert!(v["paging_s"].as_f64().unwrap() >= 0.0);
    if cfg!(unix) {
        // The process's CPU time includes the renders' (and the reference check's).
        let per_render = v["user_s"].as_f64().unwrap() + v["sys_s"].as_f64().unwrap();
        let process = v["process_user_s"].as_f64().unwrap() + v["process_sys_s"].as_f64().unwrap();
        assert!(process >= per_render * 3.0 - 1e-6, "{out}");
    }
}

/// A render of a few ms gets no user/sys split in its text: the OS samples it by clock ticks (up to
/// 10 ms), so it read "0.0% sys" or "100.0% sys" by chance. The JSON keeps both fields.
#[test]
fn a_short_render_prints_no_user_sys_split() {
    let args = ["render", "-k", "naive-f64", "--width", "16", "--height", "16", "--repeat", "2"];
    let (code, out, err) = mandel(&args);
    assert_eq!(code, 0, "{err}");
    if cfg!(unix) {
        assert!(out.contains("(user/sys split not shown: "), "{out}");
        assert!(out.contains("under 100 ms, and the OS splits it by clock ticks of up to 10 ms)"), "{out}");
        assert!(!out.contains("% sys"), "{out}");
    }
    let (code, out, err) = mandel(&[&args[..], &["--json"]].concat());
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert!(v.get("user_s").is_some() && v.get("sys_s").is_some(), "{out}");
}

// --- Issue 20: write targets, checks before the work, output to a reader that went away ---

/// `mandel render` with `--npy`/`--png` into `dir`.
fn render_to(outputs: &[(&str, &std::path::Path)]) -> (i32, String, String) {
    let mut args = vec!["render", "-k", "naive-f64", "--width", "8", "--height", "8"];
    for (flag, path) in outputs {
        args.extend([*flag, path.to_str().unwrap()]);
    }
    mandel(&args)
}

/// Issue 20, 1: the rename over the output path made a device node or a FIFO a regular file, and
/// replaced a symlink instead of writing through it. Now what is not a regular file (after following
/// symlinks) is refused before rendering and left as it was; a symlink's target is written.
#[cfg(unix)]
#[test]
fn write_targets_symlinks_are_followed_and_what_is_not_a_file_is_refused() {
    use std::os::unix::fs::FileTypeExt;
    let dir = scratch("targets");
    let mut refused = vec![(dir.join("fifo"), "a FIFO"), (dir.join("sub"), "a folder")];
    assert!(Command::new("mkfifo").arg(dir.join("fifo")).status().unwrap().success());
    std::fs::create_dir(dir.join("sub")).unwrap();
    // Everything here runs as root; elsewhere the device case is skipped (mknod needs root).
    let root = Command::new("id").arg("-u").output().is_ok_and(|o| o.stdout == b"0\n");
    if root {
        assert!(Command::new("mknod").arg(dir.join("null")).args(["c", "1", "3"]).status().unwrap().success());
        refused.push((dir.join("null"), "a character device"));
    }
    std::os::unix::fs::symlink("fifo", dir.join("to-fifo")).unwrap();
    refused.push((dir.join("to-fifo"), "a FIFO"));
    for (path, what) in &refused {
        for flag in ["--npy", "--png"] {
            let (code, out, err) = render_to(&[(flag, path)]);
            assert_eq!(code, 2, "{flag} {}: {out}{err}", path.display());
            assert!(err.contains(&format!("cannot write {flag} {}", path.display())), "{err}");
            assert!(err.contains(&format!("is {what}, not a regular file")), "{err}");
            assert!(out.is_empty(), "rendered before refusing: {out}");
        }
    }
    assert!(std::fs::metadata(dir.join("fifo")).unwrap().file_type().is_fifo());
    if root {
        assert!(std::fs::metadata(dir.join("null")).unwrap().file_type().is_char_device());
    }
    // A symlink (here dangling: its target is created) is written through and stays a link.
    std::fs::create_dir(dir.join("real")).unwrap();
    std::os::unix::fs::symlink("real/c.npy", dir.join("link.npy")).unwrap();
    let (code, _, err) = render_to(&[("--npy", &dir.join("link.npy"))]);
    assert_eq!(code, 0, "{err}");
    assert!(std::fs::symlink_metadata(dir.join("link.npy")).unwrap().file_type().is_symlink());
    assert_eq!(&std::fs::read(dir.join("real/c.npy")).unwrap()[..6], b"\x93NUMPY");
    let left: Vec<_> = std::fs::read_dir(dir.join("real")).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert_eq!(left, ["c.npy"], "temporary files left behind");
    std::fs::remove_dir_all(&dir).unwrap();
}

/// Issue 20, 2 and 10: `--npy a.npy --png ./a.npy` wrote a PNG into a.npy (the check compared
/// strings), and `--npy missing-dir/` rendered before failing. Both are refused before rendering.
#[cfg(unix)]
#[test]
fn one_file_under_two_spellings_and_a_folder_path_are_refused_before_rendering() {
    let dir = scratch("spellings");
    std::fs::create_dir(dir.join("sub")).unwrap();
    std::os::unix::fs::symlink("a.npy", dir.join("link")).unwrap();
    let a = dir.join("a.npy");
    for other in [dir.join("./a.npy"), dir.join("sub/../a.npy"), dir.join("link")] {
        let (code, out, err) = render_to(&[("--npy", &a), ("--png", &other)]);
        assert_eq!(code, 2, "{}: {out}{err}", other.display());
        assert!(err.contains("name the same file"), "{err}");
        assert!(out.is_empty(), "{out}");
    }
    assert!(!a.exists());
    let slash = std::path::PathBuf::from(format!("{}/missing-dir/", dir.display()));
    let (code, out, err) = render_to(&[("--npy", &slash)]);
    assert_eq!(code, 2, "{out}{err}");
    assert!(err.contains("ends with /") && out.is_empty(), "{out}{err}");
    assert!(!dir.join("missing-dir").exists());
    std::fs::remove_dir_all(&dir).unwrap();
}

/// Issue 20, 10: `sweep --sizes 240,960,99999` timed the first points, then failed on the last.
/// Every point is checked before any is timed: nothing is printed about a point.
#[test]
fn sweep_checks_every_point_before_timing_any() {
    for (args, needle) in [
        (&["--sizes", "8,16,99999"][..], "sweep point 99999x99999/200"),
        (&["--iters", "10,0"][..], "sweep point 960x960/0"),
    ] {
        let (code, out, err) =
            mandel(&[&["sweep", "-k", "fma-f64", "--sizes", "8", "--budget", "0"][..], args].concat());
        assert_eq!(code, 2, "{args:?}: {err}");
        assert!(err.contains(needle), "{err}");
        assert!(!err.contains("sweep fma-f64:") && out.is_empty(), "a point ran before the check: {out}{err}");
    }
}

/// Issue 20, 8: `mandel list | (exec 0<&-; sleep .2)` panicked on the broken pipe (exit 101). A reader
/// that went away now ends the program quietly with 141, as a tool stopped by SIGPIPE ends.
#[test]
fn output_to_a_reader_that_went_away_ends_quietly() {
    for args in
        [&["list"][..], &["describe", "--json"], &["verify", "-k", "naive-f64", "--width", "8", "--height", "8"]]
    {
        let (reader, writer) = std::io::pipe().unwrap();
        drop(reader); // closed before mandel writes: every write fails with EPIPE
        let out = Command::new(env!("CARGO_BIN_EXE_mandel")).args(args).stdout(writer).output().unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(141), "{args:?}: {err}");
        assert!(err.is_empty(), "{args:?}: {err}");
    }
}

/// Review, s30: `mandel lanes` timed every kernel and reported its speed without checking its counts,
/// so at a deep zoom it printed rows for kernels `mandel verify` fails on that view (simd-f32: 321
/// pixels differ, 42 allowed). Each kernel is now verified first by `mandel verify`'s rule: one that
/// fails has no row, a line on stderr with verify's numbers, and the exit status is 1; the others are
/// still reported (at 500 iterations the f64 kernels pass here and the f32 ones do not).
#[test]
fn lanes_reports_only_kernels_that_match_the_reference_at_the_view() {
    let view = ["--width", "64", "--height", "64", "--x-min", "-0.7436", "--x-max", "-0.7432", "--y-min", "0.1314"];
    let view = [&view[..], &["--y-max", "0.1318"]].concat();
    let simd: Vec<&str> = mandel_registry::available_kernels()
        .filter(|k| k.threads == mandel_core::Threads::One && !k.one_lane)
        .map(|k| k.name)
        .collect();
    for iters in ["5000", "500"] {
        let problem = [&view[..], &["--max-iters", iters]].concat();
        let kernel_flags: Vec<&str> = simd.iter().flat_map(|k| ["-k", k]).collect();
        let (_, out, err) = mandel(&[&["verify", "--json"][..], &problem, &kernel_flags].concat());
        let verified: Vec<serde_json::Value> = serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {err}"));
        let failing: Vec<&serde_json::Value> = verified.iter().filter(|r| r["ok"] == false).collect();
        let passing: Vec<&str> =
            verified.iter().filter(|r| r["ok"] == true).map(|r| r["kernel"].as_str().unwrap()).collect();
        assert!(failing.iter().any(|r| r["kernel"] == "simd-f32"), "{iters}: {out}");

        let (code, out, err) = mandel(&[&["lanes", "--repeat", "1", "--json"][..], &problem].concat());
        assert_eq!(code, 1, "{iters}: {out}{err}");
        let rows: Vec<serde_json::Value> = serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {err}"));
        assert_eq!(rows.iter().map(|r| r["kernel"].as_str().unwrap()).collect::<Vec<_>>(), passing, "{iters}: {err}");
        for r in &failing {
            let line = format!(
                "mandel: error: {} [{}] at 64x64/{iters}: {} pixels differ from the reference, allowed {}; not timed",
                r["kernel"].as_str().unwrap(),
                r["isa"].as_str().unwrap(),
                r["differing"],
                r["allowed"]
            );
            assert!(err.lines().any(|l| l.starts_with(&line)), "{iters}: no {line:?} in {err}");
        }
        assert_eq!(err.lines().count(), failing.len(), "{iters}: {err}");

        // The table says the same: no row for a failing kernel, the same lines on stderr.
        let (code, out, text_err) = mandel(&[&["lanes", "--repeat", "1"][..], &problem].concat());
        assert_eq!((code, text_err.as_str()), (1, err.as_str()), "{iters}");
        let named: Vec<&str> = out.lines().skip(1).filter_map(|l| l.split_whitespace().next()).collect();
        assert_eq!(named[..named.len() - 1], passing[..], "{iters}: {out}");
    }
}

/// Review 31, 3: `render --json` reported times for a kernel that failed its sampled reference check, the
/// failure only a warning on standard error. The check is in the report now (absent with --no-check).
#[test]
fn render_json_carries_its_reference_check() {
    let view = [
        "--width",
        "200",
        "--height",
        "200",
        "--x-min=-0.74543",
        "--x-max=-0.74540",
        "--y-min",
        "0.11300",
        "--y-max",
        "0.11303",
        "--max-iters",
        "1000",
        "--json",
    ];
    let report = |k: &str, extra: &[&str]| {
        let (code, out, err) = mandel(&[&["render", "-k", k][..], extra, &view].concat());
        assert_eq!(code, 0, "{err}");
        (serde_json::from_str::<serde_json::Value>(&out).unwrap(), err)
    };
    // 40,000 pixels, every 10th checked: 4,000, of which f32's tolerance allows 2 + 1%.
    let (r, err) = report("simd-f32", &[]);
    let check = &r["check"];
    assert_eq!((check["checked"].as_u64(), check["allowed"].as_u64()), (Some(4000), Some(42)), "{r}");
    assert!(check["differing"].as_u64().unwrap() > 42 && check["ok"] == false, "{r}");
    assert!(err.contains("does not match the f64 reference"), "{err}");
    let (r, err) = report("naive-f64", &[]);
    assert_eq!(r["check"], serde_json::json!({"checked": 4000, "differing": 0, "allowed": 0, "ok": true}));
    assert!(!err.contains("warning"), "{err}");
    let (r, _) = report("simd-f32", &["--no-check"]);
    assert!(r.get("check").is_none() && r["times_s"].as_array().unwrap().len() == 1, "{r}");
}

/// Review 31, 2: an image within the pixel cap but beyond the memory to be had aborted the process
/// ("memory allocation failed", SIGABRT). It is an error naming the size now, exit 2.
#[test]
#[cfg(target_os = "linux")]
fn render_beyond_the_memory_limit_is_an_error_not_an_abort() {
    let out = Command::new("sh")
        .args(["-c", "ulimit -v 600000 && exec \"$0\" \"$@\"", env!("CARGO_BIN_EXE_mandel")])
        .args(["render", "-k", "naive-f64", "--width", "16384", "--height", "16384"])
        .env("RAYON_NUM_THREADS", "1")
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("mandel: error: 16384x16384 pixels: cannot allocate 1024 MiB for 268435456 counts: out of memory"),
        "{err}"
    );
}

/// `mandel --help` names every variable the entry points check (the tuning variables included), as the
/// README's list does.
#[test]
fn help_names_every_checked_variable() {
    let (code, help, err) = mandel(&["--help"]);
    assert_eq!(code, 0, "{err}");
    let help = help.split_whitespace().collect::<Vec<_>>().join(" ");
    for var in ["MANDEL_ISA=", "RAYON_NUM_THREADS=", "MANDEL_TUNING=", "MANDEL_C_TUNING="] {
        assert!(help.contains(var), "{var} missing: {help}");
    }
    assert!(help.contains("MANDEL_C_TUNING=v4k8 or `default`"), "{help}");
}

/// `mandel` under an address-space limit of `kib` KiB (`ulimit -v`), one rayon thread: (exit status, stderr).
#[cfg(target_os = "linux")]
fn limited(kib: u64, args: &[&str]) -> (Option<i32>, String) {
    let out = Command::new("sh")
        // A time limit too: under a very tight limit a panic's backtrace can fail to allocate and hang.
        .args(["-c", &format!("ulimit -v {kib} && exec timeout 120 \"$0\" \"$@\""), env!("CARGO_BIN_EXE_mandel")])
        .args(args)
        .env("RAYON_NUM_THREADS", "1")
        .env_remove("RUST_BACKTRACE")
        .output()
        .unwrap();
    (out.status.code(), String::from_utf8_lossy(&out.stderr).into_owned())
}

/// The least memory limit, to `resolution` KiB, between 1 MiB and 4 GiB, under which `mandel args` exits 0
/// (bisected; `clean` runs after each try, removing what it wrote).
fn least_limit(args: &[&str], resolution: u64, mut clean: impl FnMut()) -> u64 {
    let (mut fails, mut works) = (1024u64, 4 << 20);
    assert_eq!(limited(works, args).0, Some(0));
    clean();
    while works - fails > resolution {
        let mid = (fails + works) / 2;
        match limited(mid, args).0 {
            Some(0) => works = mid,
            _ => fails = mid,
        }
        clean();
    }
    works
}

/// Review 31-f, 1a: the sweep's verification allocated the instrumented render's buffer with `vec!`,
/// so a point whose reference and timed buffers fitted but whose third did not aborted (SIGABRT).
#[test]
#[cfg(target_os = "linux")]
fn a_sweep_point_beyond_the_memory_limit_is_an_error_not_an_abort() {
    // Three buffers of 308 MiB: two fit under 800 MiB, the third (verification's) does not.
    let args = ["sweep", "-k", "naive-f64", "--sizes", "9000", "--size-iters", "1", "--iters", "1"];
    let (code, err) = limited(820_000, &[&args[..], &["--iters-size", "16", "--budget", "0.01"]].concat());
    assert_eq!(code, Some(2), "{err}");
    let message = "mandel: error: sweep point 9000x9000/1: cannot allocate 308 MiB for 81000000 counts: out of memory";
    assert!(err.contains(message), "{err}");
}

/// Review 31-f, 1c: `mandel verify` rendered the reference into a `vec!`, which aborted on an image
/// beyond the memory to be had.
#[test]
#[cfg(target_os = "linux")]
fn verify_beyond_the_memory_limit_is_an_error_not_an_abort() {
    let (code, err) =
        limited(600_000, &["verify", "-k", "naive-f64", "--width", "16384", "--height", "16384", "--max-iters", "1"]);
    assert_eq!(code, Some(2), "{err}");
    let message = "mandel: error: 16384x16384 pixels: cannot allocate 1024 MiB for 268435456 counts: out of memory";
    assert!(err.contains(message), "{err}");
}

/// Review 31-f, 1b: `--png` aborted when the RGB copy could not be allocated, and, with a little more
/// memory, when the encoder's buffers could not (after the temporary file existed, which stayed).
/// Below the least memory a render with `--png` needs, every limit is an error naming the file, exit
/// 2, with nothing left in the folder: found by bisection (the process's own size differs between
/// machines), then the limits just under it are tried one by one.
#[test]
#[cfg(target_os = "linux")]
fn png_beyond_the_memory_limit_is_an_error_and_leaves_no_file() {
    let dir = std::env::temp_dir().join(format!("mandel-png-limit-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let png = dir.join("a.png");
    let args = ["render", "-k", "naive-f64", "--width", "2000", "--height", "2000", "--max-iters", "2", "--no-check"];
    let args = [&args[..], &["--png", png.to_str().unwrap()]].concat();
    let left = || std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().file_name()).collect::<Vec<_>>();
    // The least limit (to 64 KiB) that renders and writes the PNG.
    let works = least_limit(&args, 64, || {
        for name in left() {
            let _ = std::fs::remove_file(dir.join(name));
        }
    });
    let mut rgb_refused = 0;
    for kib in (works.saturating_sub(4096)..works).step_by(128) {
        let (code, err) = limited(kib, &args);
        assert!(left().is_empty(), "at {kib} KiB: {:?} left behind ({err})", left());
        if code == Some(0) {
            std::fs::remove_file(&png).unwrap();
            continue;
        }
        assert_eq!(code, Some(2), "at {kib} KiB: {err}");
        let written = format!("mandel: error: cannot write {}: cannot allocate ", png.display());
        assert!(err.contains(&written) || err.contains("2000x2000 pixels: cannot allocate"), "at {kib} KiB: {err}");
        assert!(err.contains("out of memory (nothing was written there)") || !err.contains(&written), "{err}");
        rgb_refused += usize::from(err.contains("cannot allocate 11 MiB for the image's RGB pixels: out of memory"));
    }
    assert!(rgb_refused > 0, "no limit tried refused the RGB copy (the least that works: {works} KiB)");
    std::fs::remove_dir_all(&dir).unwrap();
}

/// `--npy A --png B` replaced A and then failed on B (here: no memory for the PNG's pixels), leaving
/// a new A beside no B. The outputs are all or nothing now: both are written beside their targets
/// first and renamed into place only once both are written, so A keeps its old contents, and no
/// temporary file is left.
#[test]
#[cfg(target_os = "linux")]
fn npy_and_png_are_written_all_or_nothing() {
    let dir = scratch("both");
    let (npy, png) = (dir.join("a.npy"), dir.join("a.png"));
    let npy_only = ["render", "-k", "naive-f64", "--width=3000", "--height=3000", "--max-iters=1", "--no-check"];
    let npy_only = [&npy_only[..], &["--npy", npy.to_str().unwrap()]].concat();
    let both = [&npy_only[..], &["--png", png.to_str().unwrap()]].concat();
    // The least limit (to 1 MiB) that renders and writes the counts alone; 8 MiB above it, the counts
    // are written (staged) but the PNG's 25 MiB of RGB pixels cannot be had.
    let works = least_limit(&npy_only, 1024, || ());
    std::fs::write(&npy, b"the previous result").unwrap();
    let (code, err) = limited(works + 8192, &both);
    assert_eq!(code, Some(2), "{err}");
    let message = format!("cannot write {}: cannot allocate 25 MiB for the image's RGB pixels", png.display());
    assert!(err.contains(&message), "{err}");
    let kept = std::fs::read(&npy).unwrap() == b"the previous result";
    assert!(kept, "the counts were written without the image");
    let left: Vec<_> = std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert_eq!(left, ["a.npy"], "temporary files left behind");
    std::fs::remove_dir_all(&dir).unwrap();
}

/// `MANDEL_ISA=" avx2"` was trimmed and taken while `RAYON_NUM_THREADS=" 2"` was refused (rayon reads
/// that one itself, untrimmed, so " 2" would give its default pool). One rule now: a value is taken as
/// written, and surrounding whitespace in any variable is an error naming the variable and the value.
#[test]
fn surrounding_whitespace_is_refused_in_every_variable() {
    for (var, value) in [
        ("MANDEL_ISA", " scalar"),
        ("MANDEL_ISA", "scalar\n"),
        ("MANDEL_ISA", " "),
        ("RAYON_NUM_THREADS", " 2"),
        ("MANDEL_TUNING", " default"),
        ("MANDEL_TUNING", "f32:default, f64:default"),
        ("MANDEL_TUNING", "\t"),
        ("MANDEL_C_TUNING", "default "),
        ("MANDEL_C_TUNING", " "),
    ] {
        let (code, out, err) = mandel_env(&["list"], &[(var, value)]);
        assert_eq!(code, 2, "{var}={value:?}: {out}{err}");
        assert!(err.contains(&format!("{var}={value:?}")) && out.is_empty(), "{err}");
    }
}
