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
    assert!(header.contains("'descr': '<u4'") && header.contains("'shape': (4, 9)"), "{header}");
    assert_eq!((10 + header_len) % 64, 0);
    assert_eq!(bytes.len(), 10 + header_len + 4 * 36);
    assert_eq!(&std::fs::read(&png).unwrap()[..8], b"\x89PNG\r\n\x1a\n");
    std::fs::remove_dir_all(&dir).unwrap();

    let (code, out, _) = mandel(&["verify", "--width", "64", "--height", "48", "--json"]);
    assert_eq!(code, 0);
    assert!(out.contains("\"kernel\": \"naive-f32\"") && out.contains("\"ok\": true"), "{out}");
}
