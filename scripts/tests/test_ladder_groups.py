"""The like-for-like section (crates/report/src/groups.rs): rows grouped by the work they do, each timed row with
its time over the fastest of its group; in summary.json (`groups`) and summary.md ("Like for like")."""

import json
import os
import subprocess
from pathlib import Path

import pytest

import ladder_fixtures as fx
import summary_report
from ladderlib.merge import merge


def test_the_summary_has_the_groups_and_the_markdown_section(tmp_path):
    s = merge(fx.MACHINE, "intel-xeon-platinum-8488c-2c", fx.SETTINGS, registry=fx.REGISTRY,
              verify={k["name"]: fx.verify_row(k["name"]) for k in fx.REGISTRY},
              criterion=fx.read_criterion(fx.criterion_tree(tmp_path / "c")), baselines=fx.baselines())
    assert [g["id"] for g in s["groups"]] == ["scalar-f64-1-thread", "scalar-f64-every-core", "simd-1-thread",
                                              "simd-every-core"]
    (scalar,) = [g for g in s["groups"] if g["id"] == "scalar-f64-1-thread"]
    assert scalar["fastest"] == "fma-f64"  # 0.05 s, against naive-f64's 0.1 and numba's 0.5
    ratios = {r["name"]: r["vs_fastest"] for r in scalar["rows"]}
    assert abs(ratios["naive-f64"] - 2.0) < 1e-9 and abs(ratios["numba"] - 10.0) < 1e-9
    assert ratios["cython"] is None  # expected but not in the baselines: missing
    md = summary_report.markdown(s)
    assert "## Like for like" in md and "### compiled scalar f64, one thread" in md
    assert md.index("## The ladder") < md.index("## Like for like") < md.index("## Notes")
    assert "| 2.00x |" in md and "| fastest |" in md
    (tmp_path / "out").mkdir()
    summary_report.write_all(s, tmp_path / "out")
    assert '"groups"' in (tmp_path / "out" / "summary.json").read_text()


def test_a_rung_the_baselines_lack_keeps_its_language_and_precision(tmp_path):
    s = merge(fx.MACHINE, "intel-xeon-platinum-8488c-2c", fx.SETTINGS, registry=fx.REGISTRY,
              verify={k["name"]: fx.verify_row(k["name"]) for k in fx.REGISTRY},
              criterion=fx.read_criterion(fx.criterion_tree(tmp_path / "c")), baselines=fx.baselines())
    rows = {r["name"]: r for r in s["rows"]}
    assert rows["mojo-simd-f32"]["status"] == "missing"
    assert (rows["mojo-simd-f32"]["language"], rows["mojo-simd-f32"]["precision"]) == ("Mojo", "f32")
    assert (rows["pythran"]["language"], rows["pythran"]["precision"]) == ("Pythran", "f64")
    assert rows["numpy-vectorize"]["language"] == "Python"


def grouped_fused(registry):
    """{rung: fused} of every grouped rung a merge of `registry` and python_baselines/rungs.py's table lists (rows
    missing: each is in its group all the same), on a machine whose CPU fuses (fx.MACHINE has fma)."""
    from python_baselines.rungs import PYTHON_RUNGS
    table = [{"name": r["name"], "label": r["name"], "language": r.get("language", "Python"),
              "precision": r.get("precision", "f64"), "computes": r.get("computes", "counts")} for r in PYTHON_RUNGS]
    s = merge(fx.MACHINE, "m", fx.SETTINGS, registry=registry,
              baselines={**fx.baselines(rungs=[]), "python_rungs": table})
    return {r["name"]: r["fused"] for g in s["groups"] for r in g["rows"]}


def test_fused_agrees_with_the_python_rungs_table():
    """The groups' fused marks (crates/report/src/groups.rs FUSED) against python_baselines/rungs.py's `fused`,
    the rule each Python rung is verified by."""
    from python_baselines.rungs import PYTHON_RUNGS
    fused = grouped_fused([])
    python = {r["name"]: r.get("fused", False) for r in PYTHON_RUNGS if r["name"] in fused}
    assert {"numba-fastmath", "cython-prange", "mojo-simd-f32"} <= set(python)
    assert python == {n: fused[n] for n in python}


def test_fused_agrees_with_the_registry():
    """The groups' fused marks against `mandel describe --json`'s `fused` (`Kernel::fused`, which sets the
    tolerance)."""
    mandel = Path(os.environ.get("MANDEL_BIN") or Path(__file__).resolve().parents[2] / "target" / "release" / "mandel")
    if not mandel.exists():
        pytest.fail(f"{mandel} is missing: build it with `cargo build --release --bin mandel`")
    kernels = json.loads(subprocess.run([mandel, "describe", "--json"], capture_output=True, text=True,
                                        check=True).stdout)["kernels"]
    fused = grouped_fused(kernels)
    grouped = [k for k in kernels if k["name"] in fused]
    assert {"naive-f64", "rayon-naive-f64", "rayon-fma-f64", "simd-f32"} <= {k["name"] for k in grouped}
    for k in grouped:
        assert fused[k["name"]] == k["fused"], k["name"]
