"""The parts of the ladder (ladderlib.ladder) that do not need cargo: how the Python baselines are found
or reported missing, --prebuilt, and the tuning pins."""

import argparse
import json
import os

import pytest

import ladder_fixtures as fx
from verdict_rule import MANDEL_REPORT
from ladderlib import ladder
from ladderlib import readers
from ladderlib.readers import InputError


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


def test_prebuilt_needs_mandel(tmp_path, capsys):
    with pytest.raises(SystemExit):
        ladder.parse_args(["--prebuilt", str(tmp_path)])
    assert "no executable mandel there" in capsys.readouterr().err
    exe = tmp_path / "mandel"
    exe.write_text("#!/bin/sh\n")
    exe.chmod(0o755)
    assert ladder.parse_args(["--prebuilt", str(tmp_path)]).prebuilt == tmp_path


def test_pin_env_pins_the_fastest_tunings_unless_the_user_set_them(monkeypatch):
    rows = [{"precision": "f32", "fastest": "v5k8", "times": [["v5k8", 0.005]]},
            {"precision": "f64", "fastest": "v6k4", "times": [["v6k4", 0.01]]},
            {"precision": "f32", "fastest": "", "times": []}]  # a path without tunings
    # Set, then unset: monkeypatch records only a variable it changes, and pin_env writes os.environ itself.
    monkeypatch.setenv("MANDEL_TUNING", "")
    monkeypatch.delenv("MANDEL_TUNING")
    got = ladder.pin_env("MANDEL_TUNING", readers.tuning_pins(rows).get("MANDEL_TUNING"))
    assert got == {"value": "f32:v5k8,f64:v6k4", "source": "mandel tune"}
    assert os.environ["MANDEL_TUNING"] == "f32:v5k8,f64:v6k4"
    monkeypatch.setenv("MANDEL_TUNING", "v4k8")
    got = ladder.pin_env("MANDEL_TUNING", readers.tuning_pins(rows).get("MANDEL_TUNING"))
    assert got == {"value": "v4k8", "source": "MANDEL_TUNING set by the user"}
    monkeypatch.delenv("MANDEL_C_TUNING", raising=False)
    assert ladder.pin_env("MANDEL_C_TUNING", readers.tuning_pins([]).get("MANDEL_C_TUNING")) is None


def test_tuning_pins_refuse_a_tune_row_naming_another_variable(tmp_path):
    """`mandel tune` rows name their variable (`env`, Rust's TUNING_ENV): one that names another is refused, never
    set (a tune file must not set PATH); tune.json written before rows named it (the committed sets') pins the same."""
    rows = [{"kernel": "simd", "env": "MANDEL_TUNING", "isa": "avx2", "precision": "f32", "source": "calibrated",
             "chosen": "v4k8", "fastest": "v4k8", "times": [["v4k8", 0.1]]},
            {"kernel": "c-reference", "env": "MANDEL_C_TUNING", "isa": "avx2", "precision": "f32",
             "source": "calibrated", "chosen": "v6k4", "fastest": "v6k4", "times": [["v6k4", 0.1]]}]
    path = tmp_path / "tune.json"
    path.write_text(json.dumps(rows))
    expected = {"MANDEL_TUNING": "f32:v4k8", "MANDEL_C_TUNING": "v6k4"}
    assert readers.tuning_pins(readers.read_tune(path), path) == expected
    assert readers.tuning_pins([{k: v for k, v in r.items() if k != "env"} for r in rows]) == expected
    for i, env in ((0, "PATH"), (1, "MANDEL_TUNING")):
        bad = [dict(r) for r in rows]
        bad[i]["env"] = env
        with pytest.raises(readers.InputError, match=rf"{path}: row #{i} .*names the variable '{env}'"):
            readers.tuning_pins(bad, path)


def test_a_re_merge_takes_the_machine_id_from_the_kept_machine_description(tmp_path, monkeypatch):
    """A set measured on another machine and re-merged here (--skip-bench, no --machine-id) keeps that machine's
    id, derived from its raw/machine.json, not this CPU's; --machine-id still names it."""
    from test_ladder_robust import installed

    fake = installed(tmp_path, monkeypatch)
    other = {**fx.MACHINE, "cpu_model": "AMD EPYC 9R14 96-Core Processor", "cores": 4}
    monkeypatch.setattr(ladder.machine, "describe", lambda repo: dict(other))
    argv = ["--out-dir", str(fake.out), "--skip-python"]
    assert ladder.guarded(ladder.main, argv) == 0  # measured "there"

    def machine_id():
        return json.loads((fake.out / "summary.json").read_text())["machine_id"]
    assert machine_id() == "amd-epyc-9r14-4c"
    monkeypatch.setattr(ladder.machine, "describe", lambda repo: dict(fx.MACHINE))  # re-merged "here"
    assert ladder.guarded(ladder.main, [*argv, "--skip-bench"]) == 0
    assert machine_id() == "amd-epyc-9r14-4c"
    assert ladder.guarded(ladder.main, [*argv, "--skip-bench", "--machine-id", "named"]) == 0
    assert machine_id() == "named"
    assert ladder.guarded(ladder.main, argv) == 0  # measured here again: this CPU's id
    assert machine_id() == "intel-xeon-platinum-8488c-2c"


def test_the_rust_line_names_the_compiler_that_built_the_binary(tmp_path, monkeypatch):
    """`mandel describe --json` says which rustc built it; the machine description (and the summary's "Rust"
    line) takes that, not this machine's `rustc -V`: a --prebuilt binary was built elsewhere. A re-merge keeps
    what the measured run recorded."""
    from test_ladder_robust import installed

    fake = installed(tmp_path, monkeypatch)
    fake.describe_text = json.dumps({**json.loads(fake.describe_text), "rustc": "rustc 1.90.0 (built elsewhere)"})
    assert ladder.guarded(ladder.main, ["--out-dir", str(fake.out), "--skip-python"]) == 0
    assert json.loads((fake.out / "raw" / "machine.json").read_text())["rustc"] == "rustc 1.90.0 (built elsewhere)"
    assert "| Rust | rustc 1.90.0 (built elsewhere) |" in (fake.out / "summary.md").read_text()
    fake.describe_text = json.dumps({**json.loads(fake.describe_text), "rustc": "rustc 2.0.0"})
    assert ladder.guarded(ladder.main, ["--out-dir", str(fake.out), "--skip-python", "--skip-bench"]) == 0
    assert "| Rust | rustc 1.90.0 (built elsewhere) |" in (fake.out / "summary.md").read_text()


def test_a_re_merge_with_prebuilt_keeps_how_the_measured_binary_was_built(tmp_path, monkeypatch):
    """`--prebuilt` says the binary timed was built elsewhere; a --skip-bench re-merge times nothing, so a
    --prebuilt given then must not relabel a cargo-built measurement (nor the reverse)."""
    from test_ladder_robust import installed

    fake = installed(tmp_path, monkeypatch)
    prebuilt = tmp_path / "prebuilt"
    prebuilt.mkdir()
    (prebuilt / "mandel").write_text("#!/bin/sh\nexit 0\n")
    (prebuilt / "mandel").chmod(0o755)
    (prebuilt / "mandel-report").symlink_to(MANDEL_REPORT)  # which writes the summary up

    def settings():
        return json.loads((fake.out / "summary.json").read_text())["settings"]
    assert ladder.guarded(ladder.main, ["--out-dir", str(fake.out), "--skip-python"]) == 0
    assert not settings().get("prebuilt")
    argv = ["--out-dir", str(fake.out), "--skip-python", "--skip-bench", "--prebuilt", str(prebuilt)]
    assert ladder.guarded(ladder.main, argv) == 0
    assert not settings().get("prebuilt")
    assert ladder.guarded(ladder.main, argv[:3] + argv[4:]) == 0  # measured with --prebuilt
    assert settings()["prebuilt"] is True
    assert ladder.guarded(ladder.main, ["--out-dir", str(fake.out), "--skip-python", "--skip-bench"]) == 0
    assert settings()["prebuilt"] is True


def test_a_mandel_report_of_another_version_is_refused_before_anything_is_staged(tmp_path, monkeypatch):
    """A --prebuilt folder from an older scripts/prebuilt: its mandel-report lacks a subcommand these scripts ask.
    Refused when found, before the build log, the staging folder or raw.failed/ are touched (a review: the first call
    came after staging, and settling the failed run replaced raw.failed/ with an empty folder)."""
    from test_ladder_robust import installed

    fake = installed(tmp_path, monkeypatch)
    assert ladder.guarded(ladder.main, ["--out-dir", str(fake.out), "--skip-python"]) == 0
    (fake.out / "raw.failed").mkdir()
    (fake.out / "raw.failed" / "kept.json").write_text("{}\n")
    prebuilt = tmp_path / "prebuilt"
    prebuilt.mkdir()
    (prebuilt / "mandel").write_text("#!/bin/sh\nexit 0\n")
    (prebuilt / "mandel").chmod(0o755)
    (prebuilt / "mandel-report").write_text("#!/bin/sh\necho 'error: unrecognized subcommand' >&2\nexit 2\n")
    (prebuilt / "mandel-report").chmod(0o755)
    before = sorted(p.name for p in fake.out.iterdir())
    argv = ["--out-dir", str(fake.out), "--skip-python", "--prebuilt", str(prebuilt)]
    assert ladder.guarded(ladder.main, argv) == 2
    assert sorted(p.name for p in fake.out.iterdir()) == before
    assert [p.name for p in (fake.out / "raw.failed").iterdir()] == ["kept.json"]


def test_the_ladder_builds_mandel_report_under_its_own_lock_without_waiting_for_itself(tmp_path, monkeypatch):
    """Without MANDEL_REPORT_BIN the ladder has cargo build mandel-report, holding the target folder's lock as it does
    for mandel: a build that took the lock again would wait for the ladder itself, for ever (`locked=True`)."""
    import threading

    from test_ladder_robust import installed

    fake = installed(tmp_path, monkeypatch)
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "cargo").write_text(f'#!/bin/sh\nmkdir -p "$CARGO_TARGET_DIR/release"\n'
                                   f'cp {MANDEL_REPORT} "$CARGO_TARGET_DIR/release/mandel-report"\n')
    (bin_dir / "cargo").chmod(0o755)
    monkeypatch.delenv("MANDEL_REPORT_BIN", raising=False)
    monkeypatch.setenv("PATH", f"{bin_dir}:{os.environ['PATH']}")
    monkeypatch.setenv("CARGO_TARGET_DIR", str(ladder.TARGET))  # the folder the ladder locks
    done = []
    # in a thread (ladder.main, not `guarded`, whose signal handlers need the main thread), so that a ladder
    # waiting for itself fails the test rather than hanging it
    run = threading.Thread(target=lambda: done.append(ladder.main(["--out-dir", str(fake.out), "--skip-python"])),
                           daemon=True)
    run.start()
    run.join(20)
    assert done == [0], "the ladder waited for its own lock" if not done else done
    assert (ladder.TARGET / "release" / "mandel-report").is_file()


@pytest.mark.parametrize("skip_bench", [False, True])
def test_prebuilt_asks_its_own_mandel_report_for_a_baseline_name_too(tmp_path, monkeypatch, skip_bench):
    """`--prebuilt DIR` runs DIR's mandel-report for every check: --save-baseline's name checked again once the results
    folder is known asked cargo's (`cargo.report`), which on a machine without cargo failed, and with cargo waited
    forever for the build folder's lock this very run holds."""
    from ladderlib import cargo
    from test_ladder_robust import installed

    fake = installed(tmp_path, monkeypatch)
    prebuilt = tmp_path / "prebuilt"
    prebuilt.mkdir()
    (prebuilt / "mandel").write_text("#!/bin/sh\nexit 0\n")
    (prebuilt / "mandel").chmod(0o755)
    (prebuilt / "mandel-report").symlink_to(MANDEL_REPORT)
    argv = ["--out-dir", str(fake.out), "--skip-python"]
    assert ladder.guarded(ladder.main, argv) == 0  # a set to re-merge

    def cargos(repo):
        raise AssertionError("cargo.report asked during a --prebuilt run")
    monkeypatch.setattr(cargo, "report", cargos)
    monkeypatch.delenv("MANDEL_REPORT_BIN", raising=False)
    argv += ["--prebuilt", str(prebuilt), "--save-baseline", "b1"] + (["--skip-bench"] if skip_bench else [])
    assert ladder.guarded(ladder.main, argv) == 0
    assert (fake.out / "baselines" / "b1" / "summary.json").is_file()
