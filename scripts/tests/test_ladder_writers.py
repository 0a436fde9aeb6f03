import csv
import math
import json
import xml.etree.ElementTree as ET

import pytest

import ladder_fixtures as fx
import summary_report as report

BAR_W = 460  # a bar at its longest, in pixels (crates/report/src/svg.rs)
from ladderlib import CANONICAL, SUMMARY_SCHEMA, readers, writers
from ladderlib.merge import merge

# summary.csv's columns, in order (crates/report/src/summary.rs, CSV_FIELDS): the row fields with raw numbers.
CSV_FIELDS = ("name method language precision isa threads threads_n computes problem status median_s spread_kind "
              "spread_low_s spread_high_s mean_s repeats compile_s iterations iterations_per_s speedup_vs_python "
              "speedup_vs_previous previous lane_iterations lane_iterations_source step_share peak_share pixels "
              "differing allowed max_abs_diff verified_ok note").split()


def summary(tmp_path, baselines="default"):
    verify = {k["name"]: fx.verify_row(k["name"]) for k in fx.REGISTRY}
    verify["rayon-fma-f64"] = fx.verify_row("rayon-fma-f64", differing=5000, allowed=923, ok=False)
    return merge(fx.MACHINE, "xeon-2c", fx.SETTINGS, registry=fx.REGISTRY, verify=verify,
                 criterion=fx.read_criterion(fx.criterion_tree(tmp_path / "c")),
                 baselines=fx.baselines() if baselines == "default" else baselines,
                 baselines_missing="not run (--skip-python)")


def test_csv_columns_and_values(tmp_path):
    s = summary(tmp_path)
    report.write_all(s, tmp_path)
    with open(tmp_path / "summary.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    assert list(rows[0]) == CSV_FIELDS
    assert [r["name"] for r in rows] == [r["name"] for r in s["rows"]]
    naive = next(r for r in rows if r["name"] == "naive-f64")
    assert float(naive["median_s"]) == pytest.approx(0.1)
    assert float(naive["speedup_vs_python"]) == pytest.approx(50.0)
    assert naive["status"] == "ok" and naive["previous"] == "numba"
    failed = next(r for r in rows if r["name"] == "rayon-fma-f64")
    assert failed["status"] == "failed" and failed["speedup_vs_python"] == ""


def test_json_round_trip(tmp_path):
    s = summary(tmp_path)
    report.write_all(s, tmp_path)
    data = json.loads((tmp_path / "summary.json").read_text())
    assert data["schema"] == SUMMARY_SCHEMA and data["machine_id"] == "xeon-2c"
    assert data == json.loads(json.dumps(s))  # the whole summary, nothing dropped or renamed
    fma = next(r for r in data["rows"] if r["name"] == "fma-f64")
    assert set(CSV_FIELDS) <= set(fma)
    assert fma["speedup_vs_python"] == pytest.approx(100.0) and fma["speedup_vs_previous"] == pytest.approx(2.0)


def test_markdown_has_machine_settings_table_and_notes(tmp_path):
    md = report.markdown(summary(tmp_path))
    assert "| CPU | Intel(R) Xeon(R) Platinum 8488C (family/model 6/143), 2 cores |" in md
    assert "sample size 10, warm-up 1.0 s, measurement 3.0 s" in md
    header = "| " + " | ".join(report.cells([])[0]) + " |"
    assert header in md
    assert md.startswith("# The Mandelbrot speedup ladder on xeon-2c")
    assert "| pure Python (python-pure) | 5.00 s | 1.00 | — | 5.00–5.10 s | Python | f64 |" in md
    assert "| naive (naive-f64) | 100 ms | 50.00 | 5.00 | 99.0–101 ms | Rust | f64 | scalar | 1 | 401.4 M/s |" in md
    assert "| Numba @njit fastmath (numba-fastmath) | missing | — |" in md
    assert "no (failed verification)" in md and "FAIL 5,000/923" in md
    assert "## Notes" in md and "JIT warm-up (PyPy's warm-up render), excluded from the times: numba 0.80 s." in md


def test_markdown_says_where_the_python_rows_came_from(tmp_path):
    s = summary(tmp_path)
    s["settings"].update(python_source="merged from results/m/raw/baselines.json",
                         python_machine={**fx.MACHINE, "date": "2026-11-20T08:00:00Z", "git_commit": "def456"})
    assert ("| Python rows from | merged from results/m/raw/baselines.json; baselines of 2026-11-20T08:00:00Z, "
            "commit def456 |") in report.markdown(s)
    s["settings"].update(python_source=None, python_machine=None)  # an older set: the rows, but no record
    assert ("| Python rows from | source not recorded; their date and commit not in this summary "
            "(raw/baselines.json may have them) |") in report.markdown(s)
    none = summary(tmp_path / "none", baselines=None)
    assert "| Python rows from | none (the notes say why) |" in report.markdown(none)
    assert "Python rungs missing:" in report.markdown(none)  # the notes say why


def test_the_python_line_names_the_interpreters_build_where_recorded(tmp_path):
    s = summary(tmp_path)
    assert "| Python | 3.11.7, NumPy " in report.markdown(s)  # a set from before the build was recorded
    s["settings"]["python_machine"] = {**fx.MACHINE, "python_build": "CPython 3.11.7 (GCC 12.2.0; /usr)"}
    assert "| Python | CPython 3.11.7 (GCC 12.2.0; /usr), NumPy " in report.markdown(s)
    import sys

    from ladderlib import machine

    build = machine.describe(".")["python_build"]
    # the installation a venv was made from, not the venv (two venvs of one interpreter are one build)
    assert build.startswith(f"CPython {sys.version_info.major}.{sys.version_info.minor}.") and build.endswith(
        f"; {sys.base_prefix})"), build
    assert sys.prefix == sys.base_prefix or sys.prefix not in build


def test_console_table_is_aligned(tmp_path):
    lines = report.console_table(summary(tmp_path)).splitlines()
    assert lines[0].startswith("method") and "speedup" in lines[0]
    assert len(lines) == 2 + len(summary(tmp_path)["rows"])
    assert lines[0].index("time (median)") < lines[0].index("speedup") < lines[0].index("agreement")


def bars(svg_text):
    root = ET.fromstring(svg_text)
    ns = "{http://www.w3.org/2000/svg}"
    return root, [r for r in root.iter(f"{ns}rect") if r.get("class") == "bar"]


def test_svg_is_xml_with_one_bar_per_timed_rung(tmp_path):
    s = summary(tmp_path)
    report.write_all(s, tmp_path)
    root, rects = bars((tmp_path / "speedup.svg").read_text())
    present = [r["name"] for r in s["rows"] if r["status"] == "ok"]
    assert [r.get("data-rung") for r in rects] == present
    assert len(present) == 7  # 4 Python, 2 Rust (rayon failed), 1 pyo3
    widths = {r.get("data-rung"): float(r.get("width")) for r in rects}
    # log scale: 1x..100x over the bar area, so 100x (fma-f64) fills it, 10x half of it
    assert widths["fma-f64"] == pytest.approx(BAR_W, abs=0.1)
    assert widths["numba"] == pytest.approx(BAR_W / 2, abs=0.1)
    assert widths["numpy-vectorize"] == pytest.approx(BAR_W * math.log10(1.25) / 2, abs=0.1)
    texts = [t.text for t in root.iter("{http://www.w3.org/2000/svg}text")]
    assert "100×" in texts and "1.25×" in texts and "failed verification" in texts and "missing" in texts
    assert any("speedup over pure Python" in (t or "") for t in texts)


def test_svg_colours_each_bar_by_its_language_and_the_legend_names_them():
    def row(name, language, speedup, computes="counts", status="ok"):
        return {"name": name, "language": language, "speedup_vs_python": speedup if status == "ok" else None,
                "computes": computes, "status": status, "median_s": 1.0}

    rows = [row("python-pure", "Python", 1.0), row("numpy-masked-bitmap", "Python", 9.0, computes="bitmap"),
            row("cython", "Cython", 79.0), row("pypy", "PyPy", 57.0), row("mojo-simd-f32", "Mojo", 1395.0),
            row("pythran", "Pythran", None, status="missing"),  # no bar: not in the legend
            row("naive-f64", "Rust", 77.0), row("c-ref-f32", "C", 1800.0),
            row("pyo3-naive-f64", "Rust via PyO3", 76.0)]
    root, rects = bars(report.svg({"machine_id": "m", "rows": rows}))
    fills = {r.get("data-rung"): r.get("fill") for r in rects}
    assert fills == {"python-pure": "#d95f02", "numpy-masked-bitmap": "#bbb", "cython": "#1b9e77",
                     "pypy": "#1b9e77", "mojo-simd-f32": "#1b9e77", "naive-f64": "#1b6ca8",
                     "c-ref-f32": "#e7298a", "pyo3-naive-f64": "#7fb3d5"}
    texts = [t.text for t in root.iter("{http://www.w3.org/2000/svg}text")]
    assert ("orange: Python; green: Cython, PyPy, Mojo; blue: Rust; light blue: Rust via PyO3; pink: C; "
            "grey: bitmap only") in texts
    only_rust = [row("naive-f64", "Rust", 1.0), row("fma-f64", "Rust", 2.0)]
    assert "blue: Rust" in [t.text for t in ET.fromstring(report.svg({"machine_id": "m", "rows": only_rust})).iter(
        "{http://www.w3.org/2000/svg}text")]


def test_svg_without_python_is_relative_to_the_slowest_rung(tmp_path):
    s = summary(tmp_path, baselines=None)
    root, rects = bars(report.svg(s))
    assert [r.get("data-rung") for r in rects] == ["naive-f64", "fma-f64"]
    texts = [t.text for t in root.iter("{http://www.w3.org/2000/svg}text")]
    assert "2.00×" in texts and any("speedup over naive-f64" in (t or "") and "pure Python missing" in t for t in texts)


def test_the_committed_charts_are_what_the_chart_module_draws():
    """speedup.svg and summary.md of every committed result set, redrawn from its summary.json, byte for byte."""
    results = fx.Path(__file__).resolve().parents[2] / "results"
    checked = 0
    for path in sorted(results.glob("*/speedup.svg")):
        data = json.loads((path.parent / "summary.json").read_text(encoding="utf-8"))
        assert report.svg(data) == path.read_text(encoding="utf-8"), path
        assert report.markdown(data) == (path.parent / "summary.md").read_text(encoding="utf-8"), path
        checked += 1
    assert checked >= 6


def test_a_run_restricted_to_fewer_cpus_than_the_machine_has_says_so(tmp_path):
    """Under `taskset -c 0` on a 2-core machine the summary said "2 cores" while rows labelled 2 threads shared one
    CPU: the machine description now records the CPUs the run could use, and the CPU line says so when fewer."""
    import shutil
    import subprocess
    import sys

    doc = summary(tmp_path)
    cpu = dict(report.machine_lines(doc))["CPU"]
    assert "could use" not in cpu
    doc["machine"] = {**doc["machine"], "cores": 2, "cpus_usable": 1}
    readers.check_summary(json.loads(writers.json_text(doc)))
    cpu = dict(report.machine_lines(doc))["CPU"]
    assert cpu.endswith("2 cores; this run could use 1 (CPU affinity or a cgroup quota): a row with more threads "
                        "shared them"), cpu
    if shutil.which("taskset"):
        out = subprocess.run(["taskset", "-c", "0", sys.executable, "-c",
                              "from ladderlib import machine; print(machine.describe('.')['cpus_usable'])"],
                             capture_output=True, text=True, timeout=60, check=True).stdout
        assert out.strip() == "1"


def test_the_summary_write_ups_edges_a_mutation_check_left(tmp_path):
    """Five mutants of the Rust write-up survived every test (a review of the port): each edge below kills one."""
    def lines(settings=None, machine=None):
        return dict(report.machine_lines({"rows": [], "machine": {**fx.MACHINE, **(machine or {})},
                                          "settings": {**fx.SETTINGS, **(settings or {})}}))

    # every CPU usable is no restriction to report; one fewer is
    assert "this run could use" not in lines(machine={"cores": 2, "cpus_usable": 2})["CPU"]
    assert "this run could use 1" in lines(machine={"cores": 2, "cpus_usable": 1})["CPU"]
    # the Python rungs' problem, the Rust rungs' up to key order and 1 vs 1.0, is not repeated
    same = dict(reversed(list({**CANONICAL, "width": 960.0}.items())))
    assert "(Python rungs:" not in lines({"params": CANONICAL, "python_params": same})["problem"]
    assert "(Python rungs:" in lines({"params": CANONICAL, "python_params": {**CANONICAL, "width": 961}})["problem"]
    # an older set's rounds record their count as `rounds` (no `taken`)
    rust = lines({"rounds": {"rounds": 7, "kernel_s": 0.25, "min_renders": 3}})["Rust timing"]
    assert rust.startswith("7 rounds (one `mandel bench` process each")
    # the console table's lines end where their text does, an empty last column included
    s = summary(tmp_path)
    table = report.console_table(s)
    assert all(line == line.rstrip() for line in table.splitlines())
    # pure Python missing: the chart is relative to the slowest timed rung, the first of equally slow ones
    two = [{**r, "speedup_vs_python": None} for r in s["rows"] if r["status"] == "ok" and r["computes"] == "counts"][:2]
    two[0]["median_s"] = two[1]["median_s"] = 1.0
    svg = report.svg({"rows": two})
    assert f"speedup over {two[0]['name']}, log scale" in svg and f"speedup over {two[1]['name']}, log" not in svg
