"""Outputs given hostile text or numbers in the inputs: a rung label or CPU model with a line break or '|', settings
that are not finite, degenerate sweeps. Nothing written may break its format (a Markdown table, JSON, SVG, CSV)."""

import csv
import io
import json
import math
import re
import xml.etree.ElementTree as ET

import pytest

import compare_report
import ladder_fixtures as fx
import summary_report
import sweeps_report as report
from ladderlib import CANONICAL, baseline, machine, readers, sweeps, writers
from ladderlib.readers import InputError
from ladderlib.merge import merge

from test_ladder_compare import make_summary
from test_ladder_sweeps import sweep

SVG = "{http://www.w3.org/2000/svg}"
EVIL_CPU = "Evil | CPU\n\n# Heading <b>&amp;"
EVIL_LABEL = "=1+2|pure\nPython"


def summary(tmp_path):
    verify = {k["name"]: fx.verify_row(k["name"]) for k in fx.REGISTRY}
    s = merge({**fx.MACHINE, "cpu_model": EVIL_CPU}, "xeon-2c", fx.SETTINGS, registry=fx.REGISTRY, verify=verify,
              criterion=fx.read_criterion(fx.criterion_tree(tmp_path / "c")), baselines=fx.baselines(),
              baselines_missing="not run (--skip-python)")
    s["rows"][0]["method"] = EVIL_LABEL
    s["rows"][0]["isa"] = "a\r\nb|c"
    s["notes"].append("a note\n# Injected heading")
    return s


def assert_safe_markdown(md):
    """One heading per title the writer meant, no HTML from data, and every table row with its header's cells."""
    assert not re.search(r"^#+ (Heading|Injected)", md, re.M)
    assert "<b>" not in md
    header_cells = None
    for line in md.splitlines():
        if not line.startswith("|"):
            header_cells = None
            continue
        cells = len(re.findall(r"(?<!\\)\|", line))
        header_cells = header_cells or cells
        assert cells == header_cells, line


def test_summary_markdown_escapes_labels_cpu_model_and_notes(tmp_path):
    md = summary_report.markdown(summary(tmp_path))
    assert_safe_markdown(md)
    assert "Evil \\| CPU  # Heading &lt;b>&amp;amp;" in md
    assert "=1+2\\|pure Python" in md and "- a note # Injected heading" in md


def test_compare_markdown_escapes_the_legend_and_the_table(tmp_path):
    a, b = make_summary(tmp_path, "a", 1.0), make_summary(tmp_path, "b", 2.0)
    for s in (a, b):
        s["machine"]["cpu_model"] = EVIL_CPU
        s["rows"][0]["method"] = s["rows"][0]["name"] = EVIL_LABEL
    assert_safe_markdown(compare_report.text([a, b], md=True))


def test_sweeps_markdown_escapes_kernel_names():
    s = sweep("k|<b>&amp;\n# Heading")
    md = report.markdown([s], "m")
    assert_safe_markdown(md)
    assert "| k\\|&lt;b>&amp;amp; # Heading |" in md


def test_a_set_without_params_is_the_canonical_problem(tmp_path):
    a, b = make_summary(tmp_path, "a", 1.0), make_summary(tmp_path, "b", 1.0)
    del a["settings"]["params"]
    b["settings"]["params"] = {**CANONICAL, "width": 100, "height": 100}
    diffs = compare_report.differences([a, b])
    assert len(diffs) == 1 and diffs[0].startswith("problem (Rust): {") and diffs[0].endswith("in B (machine-b)")
    assert "'width': 960" in diffs[0] and "'width': 100" in diffs[0]
    b["settings"]["params"] = dict(CANONICAL)
    assert compare_report.differences([a, b]) == []


def test_sets_are_compared_with_the_first_that_has_a_setting(tmp_path):
    a, b, c = (make_summary(tmp_path, t, 1.0) for t in "abc")
    a["settings"]["python_settings"] = None  # A ran no Python
    b["settings"]["python_settings"] = {**(b["settings"]["python_settings"] or {}), "budget_s": 1.0}
    c["settings"]["python_settings"] = {**(c["settings"]["python_settings"] or {}), "budget_s": 9.0}
    assert compare_report.differences([a, b, c]) == ["Python budget_s: 1.0 in B, 9.0 in C (machine-c)"]


@pytest.mark.parametrize("bad", [float("nan"), float("inf"), [1], {"a": 1}, "a\x00b"])
def test_baselines_settings_must_be_finite_json_scalars(tmp_path, bad):
    data = fx.baselines()
    data["settings"]["budget_s"] = bad
    path = fx.write_json(tmp_path / "baselines.json", json.dumps(data))
    with pytest.raises(InputError, match=r"settings\.budget_s should be a finite number"):
        readers.read_baselines(path)
    s = make_summary(tmp_path, "a", 1.0)
    s["settings"]["python_settings"] = {"budget_s": bad}
    with pytest.raises(InputError, match=r"python_settings\.budget_s"):
        readers.check_summary(s)


def test_nothing_non_finite_is_written_as_json(tmp_path):
    s = make_summary(tmp_path, "a", 1.0)
    s["peak"] = {"isa": "avx2", "f32_lane_fmas_per_s": float("nan")}  # not a field the reader checks one by one
    with pytest.raises(ValueError):
        writers.json_text(s)
    with pytest.raises(InputError, match="holds a number JSON cannot"):  # asked of mandel-report: a message
        sweeps.write_all(report.MANDEL_REPORT, [{**sweep("k"), "note": float("inf")}], tmp_path / "sw", "m")
    assert not (tmp_path / "sw" / "sweeps.json").exists()


def flat(points, t):
    return [{**p, "iterations": 1000, "median_s": t} for p in points]


@pytest.mark.parametrize("case, reason", [
    (lambda pts: flat(pts, 0.01), "no spread in work"),
    (lambda pts: pts[:1], "fewer than two points"),
    (lambda pts: [{**p, "median_s": 0.0} for p in pts], "time under"),
    (lambda pts: [{**p, "median_s": 5e-324} for p in pts], "time under"),
    # one point the log axes cannot place: the chart fitted the rest, the table none
    (lambda pts: [{**pts[0], "median_s": 0.0}, *pts[1:]], "time under"),
    # the larger image faster: a line of negative cost (-8 ns/iteration) was printed as "linear within 20%"
    (lambda pts: [{**p, "iterations": n, "median_s": t} for p, n, t in zip(pts, (10**6, 2 * 10**6), (0.010, 0.002))],
     "time does not grow with work"),
])
def test_a_sweep_that_cannot_be_fitted_says_why_without_nan(tmp_path, case, reason):
    s = sweep("k")
    s["points"] = case([p for p in s["points"] if p["axis"] == "size"])
    assert report.fit(s["points"]) is None
    files, _ = sweeps.write_all(report.MANDEL_REPORT, [s], tmp_path, "m")
    doc = json.loads((tmp_path / "sweeps.json").read_text())  # valid JSON: no NaN
    assert reason in doc["fits"][0]["unfit"] and "exponent" not in doc["fits"][0]
    md = (tmp_path / "sweeps.md").read_text()
    assert "no fit: " in md and reason in md and "nan" not in md and "% of the smallest" not in md
    assert_safe_markdown(md)
    assert {f.name for f in files} >= {"sweeps.json", "sweeps.csv", "sweeps.md", "sweep-size.svg"}
    chart = (tmp_path / "sweep-size.svg").read_text()
    assert 'class="fit"' not in chart and "linear fit" not in chart  # no line where the table has none


def test_a_tiny_but_measurable_time_fits_without_overflow():
    pts = [p for p in sweep("k", ns=1e-9)["points"] if p["axis"] == "iters"]  # times around 1e-12 s and up
    pts = [{**p, "median_s": p["median_s"] + 1e-12} for p in pts]
    f = report.fit(pts)
    assert f is not None and all(math.isfinite(v) for v in (f["exponent"], f["r2"], f["ns_per_iteration"]))


def test_sweep_chart_quotes_a_kernel_name_in_its_attribute():
    text = report.svg([sweep('k" onload="x')], "size")
    paths = [e for e in ET.fromstring(text).iter(SVG + "path") if e.get("class") == "series"]
    assert [p.get("data-kernel") for p in paths] == ['k" onload="x'] and paths[0].get("onload") is None


@pytest.mark.parametrize("value", [5e-324, 1e-320, 1.7e308])
def test_bar_charts_draw_extreme_times_without_a_math_error(value):
    speedups = [{"name": n, "language": "Rust", "computes": "counts", "status": "ok", "median_s": 1.0,
                 "speedup_vs_python": v} for n, v in (("a", value), ("b", 0.1))]
    ET.fromstring(summary_report.svg({"rows": speedups}))  # speedup.svg (crates/report)
    ET.fromstring(compare_report.chart([{"rows": [{"name": "a", "status": "ok", "median_s": value}]}]))  # compare's


def test_csv_text_cells_cannot_be_formulas():
    rows = [{"name": "=1+2", "method": "+x", "language": "-y", "precision": "@z", "isa": "\tw", "note": "ok -",
             "median_s": -0.5, "iterations": -3, "threads": "—"}]
    cells = next(csv.DictReader(io.StringIO(summary_report.answer({"rows": rows})["csv"])))
    assert [cells[k] for k in ("name", "method", "language", "precision", "isa", "note")] == \
        ["'=1+2", "'+x", "'-y", "'@z", "'\tw", "ok -"]
    assert cells["median_s"] == "-0.5" and cells["iterations"] == "-3" and cells["threads"] == "—"


def test_describe_replaces_control_characters_in_the_cpu_model(tmp_path):
    info = tmp_path / "cpuinfo"
    info.write_text("model name\t: Evil\x1b[31m CPU\x00 9000\x7f\ncpu family\t: 6\nmodel\t: 1\n")
    desc = machine.describe(tmp_path, info)
    assert desc["cpu_model"] == "Evil [31m CPU  9000"
    readers.check(desc, "machine", "describe", "machine")  # what the summary will accept


def test_machine_id_is_one_folder_name_however_odd_or_long_the_model():
    long = machine.machine_id({"cpu_model": "Xeon 9" * 100, "cores": 16})
    assert len(long) == 200 and long.endswith("-16c")  # MAX_NAME (crates/report/src/machine.rs)
    assert baseline.check_folder_name(long, "id") == long
    odd = machine.machine_id({"cpu_model": "Virtual CPU", "cpu_family_model": "6/../x y", "cores": 2})
    assert baseline.check_folder_name(odd, "id") == odd == "virtual-mx-y-2c"


def test_a_derived_machine_id_that_is_no_folder_name_is_refused_before_any_work(tmp_path, monkeypatch):
    from ladderlib import ladder
    monkeypatch.setattr(ladder.machine, "describe", lambda repo: dict(fx.MACHINE))
    monkeypatch.setattr(ladder.machine, "machine_id", lambda desc: "../evil")
    with pytest.raises(InputError, match=r"derived from the CPU model.*--machine-id"):
        ladder.main(["--skip-bench", "--skip-python", "--out-dir", str(tmp_path / "set")])
    assert not (tmp_path / "set").exists()


def test_times_outside_what_a_render_can_take_are_refused(tmp_path):
    for bad in (5e-324, 1e-13, 2e6):
        data = fx.baselines()
        data["rungs"][0]["median_s"] = bad
        path = fx.write_json(tmp_path / "b.json", json.dumps(data))
        with pytest.raises(InputError, match=r"median_s should be a time in seconds from 1e-12 to 1e\+06"):
            readers.read_baselines(path)


def test_compare_writes_no_markdown_when_the_chart_fails(tmp_path):
    """Every text is made before either file is written: a comparison that fails once the summaries are read (here
    B's machine holds a NaN no check reads, which the reports cannot take) writes no markdown, no chart."""
    a = tmp_path / "a" / "summary.json"
    a.parent.mkdir()
    a.write_text(writers.json_text(make_summary(tmp_path, "a", 1.0)))
    b = tmp_path / "b" / "summary.json"
    b.parent.mkdir()
    bad = make_summary(tmp_path, "b", 2.0)
    bad["machine"]["extra"] = math.nan
    b.write_text(json.dumps(bad))
    code, out, err = compare_report.compare(a, b, "--md", tmp_path / "m.md", "--svg", tmp_path / "m.svg")
    assert (code, out) == (2, "") and "holds a number JSON cannot carry: nan" in err
    assert not (tmp_path / "m.md").exists() and not (tmp_path / "m.svg").exists()


def test_six_sets_get_six_colours(tmp_path):
    sets = [make_summary(tmp_path, t, 1.0 + i) for i, t in enumerate("abcdef")]
    legend = [e for e in ET.fromstring(compare_report.chart(sets)).iter(SVG + "rect") if e.get("class") == "legend"]
    assert len({e.get("fill") for e in legend}) == 6
