"""Named baselines (ladderlib.baseline, `scripts/ladder --save-baseline NAME`)."""

import json
import os

import pytest

import ladder_fixtures as fx
from compare_report import compare
from ladderlib import ladder
from ladderlib import baseline, machine
from ladderlib.readers import InputError


def results(tmp_path, median):
    out = tmp_path / "results" / "m"
    fx.write_json(out / "summary.json", {"schema": "mandel-ladder-summary/1", "machine_id": "m", "rows": [],
                                         "median": median})
    (out / "summary.md").write_text(f"# {median}\n")
    fx.criterion_bench(out / "raw" / "criterion", "naive-f64", "scalar", median)
    (out / "sweeps").mkdir()
    (out / "sweeps" / "sweeps.md").write_text("not kept")
    return out


def test_save_copies_the_summary_and_raw_inputs(tmp_path):
    out = results(tmp_path, 0.1)
    dest = baseline.save(out, "before")
    assert dest == out / "baselines" / "before"
    assert sorted(p.name for p in dest.iterdir()) == ["raw", "summary.json", "summary.md"]
    assert json.loads((dest / "summary.json").read_text())["median"] == 0.1
    est = dest / "raw" / "criterion" / "ladder" / "naive-f64" / "scalar" / "new" / "estimates.json"
    assert json.loads(est.read_text())["median"]["point_estimate"] == pytest.approx(0.1e9)


def test_saving_under_an_existing_name_replaces_it_whole(tmp_path):
    out = results(tmp_path, 0.1)
    baseline.save(out, "b1")
    (out / "summary.md").unlink()
    fx.write_json(out / "summary.json", {"median": 0.2})
    dest = baseline.save(out, "b1")
    assert json.loads((dest / "summary.json").read_text()) == {"median": 0.2}
    assert not (dest / "summary.md").exists()  # not left over from the old baseline
    assert sorted(p.name for p in (out / "baselines").iterdir()) == ["b1"]  # no temporary folders


def test_names_are_single_folder_names():
    for bad in ["", "../x", "a/b", ".hidden", "-x", "with space"]:
        with pytest.raises(InputError, match="baseline name"):
            baseline.check_name(bad)
    assert baseline.check_name("main-2026.11_25") == "main-2026.11_25"
    with pytest.raises(SystemExit):
        ladder.parse_args(["--save-baseline", "../x"])
    assert ladder.parse_args(["--save-baseline", "before"]).save_baseline == "before"


def test_nothing_to_save_and_unknown_baselines_are_clear_errors(tmp_path):
    with pytest.raises(InputError, match="no summary.json to keep as baseline 'x'"):
        baseline.save(tmp_path, "x")
    code, _, err = compare("--baseline", "x", "--results-dir", tmp_path)
    assert code == 2 and err == (f"compare: error: no baseline 'x' in {tmp_path / 'baselines'} (none saved there yet; "
                                 "make one with scripts/ladder --save-baseline NAME)\n")


def test_compare_finds_the_baseline_the_ladder_saved_in_its_default_folder(tmp_path, monkeypatch):
    """The default places agree end to end: `scripts/ladder --save-baseline NAME` (no --out-dir, no
    --machine-id) saves under the results folder it names after this machine, and `scripts/compare
    --baseline NAME` (no --results-dir, no --machine-id) finds it there: machine.py's id and
    mandel-report's, of this machine's CPU."""
    from test_ladder_robust import installed

    here = machine.describe(tmp_path)
    installed(tmp_path, monkeypatch)
    cpu = {k: here[k] for k in ("cpu_model", "cpu_family_model", "cores")}
    monkeypatch.setattr(ladder.machine, "describe", lambda repo: {**fx.MACHINE, **cpu})
    monkeypatch.setattr(ladder, "REPO", tmp_path / "repo")
    assert ladder.guarded(ladder.main, ["--skip-python", "--save-baseline", "before"]) == 0
    (folder,) = (tmp_path / "repo" / "results").iterdir()
    assert folder.name == machine.machine_id(here)
    assert (folder / "baselines" / "before" / "summary.json").exists()
    code, out, err = compare("--baseline", "before", repo=tmp_path / "repo")
    assert code == 0, err
    assert f"A (baseline before) = {folder.name}" in out and f"B (current) = {folder.name}" in out


def test_a_fifo_in_raw_is_refused_by_name_before_anything_is_written(tmp_path):
    # copytree opened it (shutil.Error after a half copy, or a hang on a FIFO a writer holds open)
    out = results(tmp_path, 0.1)
    os.mkfifo(out / "raw" / "criterion" / "pipe")
    with pytest.raises(InputError, match=r"raw/criterion/pipe is a FIFO"):
        baseline.save(out, "b1")
    assert not (out / "baselines").exists()
    os.mkfifo(tmp_path / "fifo")
    (out / "raw" / "criterion" / "pipe").unlink()
    (out / "summary.md").unlink()
    (out / "summary.md").symlink_to(tmp_path / "fifo")  # a summary file is copied as a file: its link followed
    with pytest.raises(InputError, match=r"summary.md is a FIFO"):
        baseline.save(out, "b1")
    assert not (out / "baselines").exists()


def test_links_in_raw_are_kept_as_links_not_copied_whole(tmp_path):
    out = results(tmp_path, 0.1)
    big = tmp_path / "elsewhere"
    (big / "inner").mkdir(parents=True)
    (big / "inner" / "data").write_text("not this run's")
    (out / "raw" / "folder-link").symlink_to(big)
    # a device was read whole (/dev/zero: until the disk filled); /dev/null stands in, harmless if read
    (out / "raw" / "device").symlink_to("/dev/null")
    os.mkfifo(tmp_path / "fifo")
    (out / "raw" / "fifo-link").symlink_to(tmp_path / "fifo")
    dest = baseline.save(out, "b1")
    assert os.readlink(dest / "raw" / "folder-link") == str(big)
    assert os.readlink(dest / "raw" / "device") == "/dev/null"
    assert os.readlink(dest / "raw" / "fifo-link") == str(tmp_path / "fifo")
    assert (dest / "raw" / "criterion").is_dir() and not (dest / "raw" / "criterion").is_symlink()


def test_a_link_to_a_file_in_raw_is_saved_as_the_file(tmp_path):
    """A baseline is a snapshot: a relative link would dangle under baselines/NAME/raw, an absolute one would
    follow its target's later changes."""
    out = results(tmp_path, 0.1)
    (tmp_path / "elsewhere.json").write_text('{"kept": 1}')
    (out / "raw" / "relative.json").symlink_to(os.path.relpath(tmp_path / "elsewhere.json", out / "raw"))
    (out / "raw" / "absolute.json").symlink_to(tmp_path / "elsewhere.json")
    dest = baseline.save(out, "b1")
    (tmp_path / "elsewhere.json").write_text('{"changed": 2}')
    for name in ("relative.json", "absolute.json"):
        assert not (dest / "raw" / name).is_symlink()
        assert (dest / "raw" / name).read_text() == '{"kept": 1}'
