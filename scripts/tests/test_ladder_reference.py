"""Reference rows (the hand-written C kernels of the registry, `reference: true`): labelled as
references, never the "previous rung" of another row, and `missing` with the reason when the build
cannot run them (built without a C compiler), even if an earlier build left Criterion results."""

import pytest

import ladder_fixtures as fx
import summary_report
from ladderlib.merge import merge

LABEL = "C reference, hand-written intrinsics (not a rung)"


def c_ref(name, available=True, rung=LABEL):
    info = fx.kernel_info(name, "f64", isa="avx512", rung=rung)
    info.update(reference=True, available=available, unavailable=None if available else "built without a C compiler")
    return info


def skipped_row(info):
    """`mandel verify --json`'s row of a kernel it could not run."""
    return {"kernel": info["name"], "isa": "none", "precision": "f32", "skipped": info["unavailable"],
            "pixels": None, "differing": None, "allowed": None, "ok": None}


def summary(tmp_path, registry):
    root = fx.criterion_tree(tmp_path / "c")
    fx.criterion_bench(root, "c-ref-f64", "avx512", 0.04)
    verify = {k["name"]: fx.verify_row(k["name"]) if k.get("available", True) else skipped_row(k) for k in registry}
    s = merge(fx.MACHINE, "m", fx.SETTINGS, registry=registry, verify=verify,
              criterion=fx.read_criterion(root), baselines=fx.baselines())
    return {r["name"]: r for r in s["rows"]}, s


def test_reference_row_is_labelled_and_never_the_previous_rung(tmp_path):
    registry = fx.REGISTRY[:2] + [c_ref("c-ref-f64")] + fx.REGISTRY[2:]
    rows, s = summary(tmp_path, registry)
    ref = rows["c-ref-f64"]
    assert ref["status"] == "ok" and ref["reference"] and ref["language"] == "C"
    assert ref["method"] == f"{LABEL} (c-ref-f64)"
    assert ref["speedup_vs_python"] == pytest.approx(5.0 / 0.04)
    assert ref["speedup_vs_previous"] is None and ref["previous"] is None
    # the rung after it is measured against the rung before it
    assert rows["rayon-fma-f64"]["previous"] == "fma-f64"
    assert rows["rayon-fma-f64"]["speedup_vs_previous"] == pytest.approx(2.0)
    assert any(n.startswith("References, not rungs: c-ref-f64") for n in s["notes"])


def test_reference_without_the_mark_in_its_label_gets_it(tmp_path):
    rows, _ = summary(tmp_path, fx.REGISTRY + [c_ref("c-ref-f64", rung="hand-written C")])
    assert rows["c-ref-f64"]["method"] == "hand-written C (c-ref-f64) (reference, not a rung)"


def test_unavailable_kernel_is_missing_with_its_reason_despite_old_results(tmp_path):
    # its verification row is "skipped", with nulls: accepted by the readers' rules
    rows, s = summary(tmp_path, fx.REGISTRY + [c_ref("c-ref-f64", available=False)])
    row = rows["c-ref-f64"]
    assert row["status"] == "missing" and row["note"] == "built without a C compiler"
    assert row["median_s"] is None and row["speedup_vs_python"] is None  # the stale Criterion result is ignored
    assert "Missing (built without a C compiler): c-ref-f64." in s["notes"]
    cells = dict(zip(*(lambda h, b: (h, b[-1]))(*summary_report.cells([row]))))
    assert cells["time (median)"] == "missing" and cells["method"].startswith(LABEL)


def test_algorithmic_rows_are_explained_in_a_note_naming_them(tmp_path):
    skipping = fx.kernel_info("algorithmic-f64", "f64", isa="fma", algorithmic=True)
    rows, s = summary(tmp_path, fx.REGISTRY + [skipping])
    assert rows["algorithmic-f64"]["skips_work"] and not rows["fma-f64"]["skips_work"]
    note = next(n for n in s["notes"] if n.startswith("Algorithmic rows"))
    assert note.startswith("Algorithmic rows (algorithmic-f64) skip work exactly")
    assert "mirror other rows about the real axis" in note
    _, plain = summary(tmp_path / "plain", fx.REGISTRY)
    assert not any(n.startswith("Algorithmic rows") for n in plain["notes"])
