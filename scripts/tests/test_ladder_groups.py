"""The like-for-like section (ladderlib.groups): rows grouped by the work they do, each timed row with
its time over the fastest of its group; in summary.json (`groups`) and summary.md ("Like for like")."""

import json
import os
import subprocess
from pathlib import Path

import pytest

import ladder_fixtures as fx
import summary_report
from ladderlib import groups
from ladderlib.merge import merge


def row(name, median_s, status="ok", precision="f64", threads="1", language="Rust"):
    return {"name": name, "method": name, "language": language, "precision": precision, "threads": threads,
            "status": status, "median_s": median_s if status == "ok" else None}


def test_each_row_gets_its_time_over_the_fastest_of_its_group():
    rows = [row("numba", 0.105, language="Python"), row("cython", 0.100, language="Cython"),
            row("fma-f64", 0.090), row("pypy", None, status="missing", language="PyPy"),
            row("simd-f32", 0.0043, precision="f32"), row("mojo-simd-f32", 0.0050, precision="f32", language="Mojo"),
            row("rayon-simd-algorithmic-f32", 0.0007, precision="f32")]
    out = {g["id"]: g for g in groups.like_for_like(rows)}
    scalar = out["scalar-f64-1-thread"]
    assert scalar["fastest"] == "fma-f64"
    ratios = {r["name"]: r["vs_fastest"] for r in scalar["rows"]}
    assert ratios["fma-f64"] == 1.0 and abs(ratios["numba"] - 0.105 / 0.090) < 1e-12
    assert ratios["pypy"] is None  # kept, with its status, but no ratio
    assert [r["name"] for r in scalar["rows"]] == ["numba", "cython", "pypy", "fma-f64"]  # the group's order
    simd = out["simd-1-thread"]
    assert simd["fastest"] == "simd-f32" and {r["name"] for r in simd["rows"]} == {"simd-f32", "mojo-simd-f32"}
    # algorithmic rows skip work: in no group
    assert not any(r["name"] == "rayon-simd-algorithmic-f32" for g in out.values() for r in g["rows"])
    assert out["simd-every-core"]["rows"] == [] and out["simd-every-core"]["fastest"] is None


def test_failed_rows_get_no_ratio_and_cannot_be_the_fastest():
    rows = [row("naive-f64", 0.01, status="failed"), row("fma-f64", 0.09)]
    (scalar,) = [g for g in groups.like_for_like(rows) if g["id"] == "scalar-f64-1-thread"]
    assert scalar["fastest"] == "fma-f64"
    assert {r["name"]: r["vs_fastest"] for r in scalar["rows"]} == {"naive-f64": None, "fma-f64": 1.0}


def test_the_summary_has_the_groups_and_the_markdown_section(tmp_path):
    s = merge(fx.MACHINE, "intel-xeon-platinum-8488c-2c", fx.SETTINGS, registry=fx.REGISTRY,
              verify={k["name"]: fx.verify_row(k["name"]) for k in fx.REGISTRY},
              criterion=fx.read_criterion(fx.criterion_tree(tmp_path / "c")), baselines=fx.baselines())
    assert [g["id"] for g in s["groups"]] == [g["id"] for g in groups.GROUPS]
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


def test_fused_rows_are_marked_and_the_every_core_group_has_an_unfused_rust_row():
    rows = [row("cython-prange", 0.060, language="Cython", threads="2"),
            row("rayon-naive-f64", 0.050, threads="pool(2)"), row("rayon-fma-f64", 0.040, threads="pool(2)")]
    (every,) = [g for g in groups.like_for_like(rows) if g["id"] == "scalar-f64-every-core"]
    assert {r["name"]: r["fused"] for r in every["rows"]} == {"cython-prange": False, "rayon-naive-f64": False,
                                                             "rayon-fma-f64": True}
    assert every["fastest"] == "rayon-fma-f64"
    md = "\n".join(summary_report.groups_markdown([every]))
    assert "| method | language | precision | multiply-add | threads |" in md
    lines = {line.split(" | ")[0].lstrip("| "): line.split(" | ") for line in md.splitlines() if line.startswith("| ")}
    assert lines["rayon-naive-f64"][3] == "separate" and lines["rayon-fma-f64"][3] == "fused"
    assert lines["cython-prange"][3] == "separate"
    # A summary.json written before the mark: its group rows lack `fused`, FUSED stands in.
    old = {**every, "rows": [{k: v for k, v in r.items() if k != "fused"} for r in every["rows"]]}
    assert summary_report.groups_markdown([old]) == summary_report.groups_markdown([every])


def test_fused_agrees_with_the_python_rungs_table():
    """groups.FUSED against python_baselines/rungs.py's `fused`, the rule each Python rung is verified by."""
    from python_baselines.rungs import PYTHON_RUNGS
    grouped = {n for g in groups.GROUPS for n in g["rungs"]}
    python = {r["name"]: r.get("fused", False) for r in PYTHON_RUNGS if r["name"] in grouped}
    assert {"numba-fastmath", "cython-prange", "mojo-simd-f32"} <= set(python)
    assert python == {n: n in groups.FUSED for n in python}


def test_fused_agrees_with_the_registry():
    """groups.FUSED against `mandel describe --json`'s `fused` (`Kernel::fused`, which sets the tolerance)."""
    mandel = Path(os.environ.get("MANDEL_BIN") or Path(__file__).resolve().parents[2] / "target" / "release" / "mandel")
    if not mandel.exists():
        pytest.fail(f"{mandel} is missing: build it with `cargo build --release --bin mandel`")
    kernels = {k["name"]: k for k in json.loads(subprocess.run([mandel, "describe", "--json"], capture_output=True,
                                                              text=True, check=True).stdout)["kernels"]}
    grouped = [n for g in groups.GROUPS for n in g["rungs"] if n in kernels]
    assert {"naive-f64", "rayon-naive-f64", "rayon-fma-f64", "simd-f32"} <= set(grouped)
    for n in grouped:
        assert (n in groups.FUSED) == kernels[n]["fused"], n
    assert not (groups.FUSED - {n for g in groups.GROUPS for n in g["rungs"]})  # no stray name


def test_the_rungs_compiled_for_the_host_are_separate_on_a_cpu_without_fma():
    """Numba's fastmath and Mojo fuse a*b + c only where the CPU has FMA instructions: on an x86 CPU without them
    they were still labelled "fused". The Rust FMA kernels fuse in software there, and stay fused."""
    rows = [{"name": n, "method": n, "language": "x", "precision": "f64", "threads": 1, "status": "ok",
             "median_s": 0.1} for n in ("numba", "numba-fastmath", "fma-f64", "mojo-simd-f32", "simd-f32")]

    def labels(machine):
        return {r["name"]: r["fused"] for g in groups.like_for_like(rows, machine) for r in g["rows"]}
    assert labels({"isa_flags": ["sse2", "sse4_1", "avx"]}) == {
        "numba": False, "numba-fastmath": False, "fma-f64": True, "mojo-simd-f32": False, "simd-f32": True}
    for machine in (None, {"isa_flags": ["sse2", "avx2", "fma"]}, {"isa_flags": ["asimd"]}, {}):
        assert labels(machine) == {
            "numba": False, "numba-fastmath": True, "fma-f64": True, "mojo-simd-f32": True, "simd-f32": True}
