"""The like-for-like section (ladderlib.groups): rows grouped by the work they do, each timed row with
its time over the fastest of its group; in summary.json (`groups`) and summary.md ("Like for like")."""

import ladder_fixtures as fx
from ladderlib import groups, writers
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
    md = writers.markdown(s)
    assert "## Like for like" in md and "### compiled scalar f64, one thread" in md
    assert md.index("## The ladder") < md.index("## Like for like") < md.index("## Notes")
    assert "| 2.00x |" in md and "| fastest |" in md
    (tmp_path / "out").mkdir()
    writers.write_all(s, tmp_path / "out")
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
