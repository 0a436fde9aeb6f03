"""The parts of scripts/ladder.py that do not need cargo: collecting Criterion's files, the bench
settings, and how the Python baselines are found or reported missing."""

import argparse
import os

import pytest

import ladder_fixtures as fx
import ladder  # scripts/ladder.py
from ladderlib.readers import InputError


def test_collect_copies_this_runs_results_and_leaves_stale_ones_out(tmp_path):
    src, raw = tmp_path / "target-criterion", tmp_path / "raw"
    fx.criterion_tree(src)
    stale = src / "ladder" / "fma-f64" / "fma" / "new" / "estimates.json"
    os.utime(stale, (1000, 1000))  # left by an earlier run, e.g. the kernel now fails verification
    got = ladder.collect_criterion(src, raw, {}, since=2000)
    assert sorted(got) == ["naive-f64", "rayon-fma-f64"]
    copied = raw / "criterion" / "ladder" / "naive-f64" / "scalar" / "new"
    assert sorted(p.name for p in copied.iterdir()) == ["benchmark.json", "estimates.json", "sample.json"]
    assert got["naive-f64"]["median_s"] == pytest.approx(0.1)
    assert got["naive-f64"]["dir"] == str(copied)


def test_criterion_settings_parsed_from_a_bench_source(tmp_path):
    src = fx.write_json(tmp_path / "ladder.rs", "group.sample_size(20);\n"
                        "let (warm_up, measure) = if quick() { (0.5, 2.0) } else { (2.0, 5.0) };\n")
    assert ladder.criterion_settings(True, src) == {"source": "ladder.rs", "sample_size": 20,
                                                    "warm_up_s": 0.5, "measurement_s": 2.0}
    assert ladder.criterion_settings(False, src)["measurement_s"] == 5.0
    assert ladder.criterion_settings(False, tmp_path / "none.rs") == {"source": "none.rs", "sample_size": None}


def test_criterion_settings_of_this_repository_are_found():
    quick, full = ladder.criterion_settings(True), ladder.criterion_settings(False)
    assert quick["source"] == "benches/ladder.rs" and quick["sample_size"] >= 10
    assert 0 < quick["measurement_s"] < full["measurement_s"] and 0 < quick["warm_up_s"] <= full["warm_up_s"]


def test_subcommands_from_clap_help():
    text = ("The Mandelbrot speedup ladder\n\nUsage: mandel <COMMAND>\n\nCommands:\n"
            "  list    List every kernel\n  peak    Measure the peak\n  help    Print this message\n\n"
            "Options:\n  -h, --help  Print help\n")
    assert ladder.parse_subcommands(text) == {"list", "peak", "help"}
    assert ladder.parse_subcommands("no commands here") == set()


def args(**kw):
    return argparse.Namespace(**{"baselines": None, "skip_python": False, "quick": False, **kw})


def test_python_skipped_is_missing_with_the_reason(tmp_path):
    data, why, source = ladder.python_baselines(args(skip_python=True), tmp_path)
    assert data is None and why == "not run (--skip-python)" and source is None


def test_python_baselines_given_on_the_command_line(tmp_path):
    given = fx.write_json(tmp_path / "given.json", fx.baselines())
    raw = tmp_path / "raw"
    raw.mkdir()
    data, why, source = ladder.python_baselines(args(baselines=given), raw)
    assert why is None and data["rungs"][0]["name"] == "python-pure"
    assert (raw / "baselines.json").exists() and source == f"merged from {given}"
    # a later --skip-python run reuses the copy in raw/
    data, why, source = ladder.python_baselines(args(skip_python=True), raw)
    assert data["rungs"][3]["median_s"] == 0.5 and source == "reused from an earlier run"


def test_malformed_baselines_are_an_error_naming_the_file_and_replace_nothing(tmp_path):
    # Issue 12: garbage baselines used to give a summary with every Python row missing, exit 0.
    given = fx.write_json(tmp_path / "given.json", "[1, 2")
    raw = tmp_path / "raw"
    raw.mkdir()
    earlier = fx.write_json(raw / "baselines.json", fx.baselines())
    before = earlier.read_bytes()
    with pytest.raises(InputError, match=r"given\.json: not valid JSON"):
        ladder.python_baselines(args(baselines=given), raw)
    assert earlier.read_bytes() == before


def test_prebuilt_needs_both_executables(tmp_path, capsys):
    with pytest.raises(SystemExit):
        ladder.parse_args(["--prebuilt", str(tmp_path)])
    assert "no executable mandel, ladder-bench there" in capsys.readouterr().err
    for name in ("mandel", "ladder-bench"):
        exe = tmp_path / name
        exe.write_text("#!/bin/sh\n")
        exe.chmod(0o755)
    assert ladder.parse_args(["--prebuilt", str(tmp_path)]).prebuilt == tmp_path


def test_pin_env_pins_the_fastest_tunings_unless_the_user_set_them(monkeypatch):
    rows = [{"precision": "f32", "fastest": "v5k8", "times": [["v5k8", 0.005]]},
            {"precision": "f64", "fastest": "v6k4", "times": [["v6k4", 0.01]]},
            {"precision": "f32", "fastest": "", "times": []}]  # a path without tunings
    monkeypatch.delenv("MANDEL_TUNING", raising=False)
    got = ladder.pin_env("MANDEL_TUNING", rows, lambda r: f"{r['precision']}:{r['fastest']}")
    assert got == {"value": "f32:v5k8,f64:v6k4", "source": "mandel tune"}
    assert os.environ["MANDEL_TUNING"] == "f32:v5k8,f64:v6k4"
    monkeypatch.setenv("MANDEL_TUNING", "v4k8")
    got = ladder.pin_env("MANDEL_TUNING", rows, lambda r: f"{r['precision']}:{r['fastest']}")
    assert got == {"value": "v4k8", "source": "MANDEL_TUNING set by the user"}
    monkeypatch.delenv("MANDEL_C_TUNING", raising=False)
    assert ladder.pin_env("MANDEL_C_TUNING", [], lambda r: r["fastest"]) is None
