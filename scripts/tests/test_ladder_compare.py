import json

import pytest

import ladder_fixtures as fx
from ladderlib import compare, readers, writers
from ladderlib.merge import merge
from ladderlib.readers import InputError


def write_summary(tmp_path, tag, scale, drop=()):
    root = tmp_path / f"crit-{tag}"
    fx.criterion_tree(root)
    crit = {k: v for k, v in readers.read_criterion(root).items() if k not in drop}
    for r in crit.values():
        r["median_s"] *= scale
    base = fx.baselines([fx.rung("python-pure", 5.0 * scale), fx.rung("numba", 0.5 * scale)])
    s = merge({**fx.MACHINE}, f"machine-{tag}", fx.SETTINGS, registry=fx.REGISTRY, criterion=crit,
              verify={k["name"]: fx.verify_row(k["name"]) for k in fx.REGISTRY}, baselines=base)
    path = tmp_path / tag / "summary.json"
    path.parent.mkdir()
    writers.write_json(s, path)
    return path


def test_ratios_and_missing_rungs(tmp_path):
    a = compare.read_summary(write_summary(tmp_path, "a", 1.0))
    b = compare.read_summary(write_summary(tmp_path, "b", 2.0, drop={"fma-f64"}))
    entries = {e["name"]: e for e in compare.compare([a, b])}
    assert entries["naive-f64"]["time_ratios"] == [None, pytest.approx(2.0)]
    assert entries["python-pure"]["time_ratios"][1] == pytest.approx(2.0)
    assert entries["fma-f64"]["rows"][1]["status"] == "missing"
    assert entries["fma-f64"]["time_ratios"] == [None, None]
    header, body, _ = compare.table([a, b])
    assert header == ["rung", "A time", "A speedup", "B time", "B speedup", "B/A time"]
    lines = {row[0]: row for row in body}
    assert lines["naive-f64"] == ["naive-f64", "100 ms", "50.00", "200 ms", "50.00", "2.00"]
    assert lines["fma-f64"] == ["fma-f64", "50.0 ms", "100", "missing", "—", "—"]
    assert lines["numpy-vectorize"][1] == "missing" and lines["numpy-vectorize"][3] == "missing"


def test_rung_absent_from_one_file_is_missing(tmp_path):
    a = compare.read_summary(write_summary(tmp_path, "a", 1.0))
    b = compare.read_summary(write_summary(tmp_path, "b", 0.5))
    b["rows"] = [r for r in b["rows"] if r["name"] != "rayon-fma-f64"]
    lines = {row[0]: row for row in compare.table([b, a])[1]}
    assert lines["rayon-fma-f64"] == ["rayon-fma-f64", "missing", "—", "25.0 ms", "200", "—"]
    assert lines["naive-f64"][-1] == "2.00"  # A (0.1 s) over B (0.05 s)


def test_cli_prints_and_writes_markdown(tmp_path, capsys):
    import compare as cli  # scripts/compare.py

    a, b = write_summary(tmp_path, "a", 1.0), write_summary(tmp_path, "b", 3.0)
    assert cli.main([str(a), str(b), "--md", str(tmp_path / "cmp.md")]) == 0
    out = capsys.readouterr().out
    assert "A = machine-a" in out and "B/A time" in out and "3.00" in out
    md = (tmp_path / "cmp.md").read_text()
    assert "| naive-f64 | 100 ms | 50.00 | 300 ms | 50.00 | 3.00 |" in md


def test_wrong_schema_is_a_clear_error(tmp_path, capsys):
    bad = fx.write_json(tmp_path / "x" / "summary.json", {"schema": "mandel-baselines/1", "machine_id": "x",
                                                           "rows": []})
    with pytest.raises(InputError, match=r"x/summary\.json: schema is 'mandel-baselines/1'"):
        compare.read_summary(bad)
    import compare as cli

    assert cli.main([str(bad)]) == 2
    assert "compare: error:" in capsys.readouterr().err


# --- issue 12: --md never overwrites an input, a bad --md or a bad summary is a clear error ---


def test_compare_md_never_overwrites_an_input(tmp_path, capsys):
    import compare as cli  # scripts/compare.py

    a, b = write_summary(tmp_path, "a", 1.0), write_summary(tmp_path, "b", 2.0)
    before = b.read_bytes()
    assert cli.main([str(a), str(b), "--md", str(b)]) == 2
    assert f"cannot write --md {b}" in capsys.readouterr().err
    assert b.read_bytes() == before
    # the same file through another spelling of its path
    other = tmp_path / "b" / ".." / "b" / "summary.json"
    assert cli.main([str(a), str(b), "--md", str(other)]) == 2
    assert b.read_bytes() == before


def test_compare_md_into_a_missing_folder_is_a_clear_error(tmp_path, capsys):
    import compare as cli

    a = write_summary(tmp_path, "a", 1.0)
    assert cli.main([str(a), "--md", str(tmp_path / "nodir" / "x.md")]) == 2
    err = capsys.readouterr().err
    assert "compare: error: cannot write --md" in err and "does not exist" in err and "Traceback" not in err


def test_compare_refuses_a_summary_with_a_negative_time(tmp_path):
    path = write_summary(tmp_path, "a", 1.0)
    data = json.loads(path.read_text())
    data["rows"][0]["median_s"] = -1.0
    path.write_text(json.dumps(data))
    with pytest.raises(InputError, match=r"median_s should be a positive, finite time, found -1.0"):
        compare.read_summary(path)
