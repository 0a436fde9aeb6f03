"""Issue 13, "results flow one way": every registered kernel reaches the summary. The registry is
Rust's (`mandel_registry::KERNELS`); the extension lists it, the bench writes one record per kernel
(checked in Rust: crates/registry), and the merge of those records gives every kernel a Rust row and
every extension kernel a pyo3 row, in registry order, with the registry's integer threads."""

import json
import os
import subprocess
from pathlib import Path

import pytest

import ladder_fixtures as fx
import summary_report
from ladderlib import CANONICAL
from ladderlib.merge import merge

m = pytest.importorskip("mandel_ladder")
# The `mandel` binary of the build under test: scripts/test names its test profile's (MANDEL_BIN).
MANDEL = Path(os.environ.get("MANDEL_BIN") or Path(__file__).resolve().parents[2] / "target" / "release" / "mandel")


def registry():
    """The registry as the extension lists it: `mandel describe --json`'s kernels, the one shape."""
    return m.kernels()


def test_every_registered_kernel_is_in_the_records_the_table_and_the_extension(tmp_path):
    kernels = registry()
    names = [k["name"] for k in kernels]
    from ladderlib import ROUNDS_SCHEMA, readers

    allowed = {k["name"]: fx.allowed(k["tolerance_max_fraction"], k["tolerance_slack_pixels"], 921600)
               for k in kernels}
    verifications = {k["name"]: fx.verification(allowed=allowed[k["name"]]) if k["available"] else None
                     for k in kernels}
    medians = {k["name"]: 0.01 for k in kernels if k["available"]}
    taken = [fx.bench_round(r, medians, kernels=kernels, verifications=verifications) for r in range(3)]
    data, verify, results = readers.read_rounds({"schema": ROUNDS_SCHEMA, "rounds": taken}, tmp_path / "rounds.json")
    assert [r["name"] for r in data["records"]] == names
    # as run.py writes them: each with its kernel's precision and threads (the merge refuses others)
    pyo3 = [{**fx.rung(f"pyo3-{k['name']}", 0.02, language="Rust via PyO3"), "precision": k["precision"],
             "threads": k["threads"]} for k in kernels]
    for r in pyo3:
        r["verification"]["allowed"] = allowed[r["name"][len("pyo3-"):]]
    summary = merge(dict(fx.MACHINE), "m", fx.SETTINGS, registry=kernels, verify=verify, criterion=results,
                    baselines=fx.baselines([fx.rung("python-pure", 5.0)] + pyo3))
    rows = {r["name"]: r for r in summary["rows"]}
    rust = [r["name"] for r in summary["rows"] if r["language"] in ("Rust", "C")]
    assert rust == names, "every registered kernel, in registry order, once"
    for k in kernels:
        row = rows[k["name"]]
        assert row["threads_n"] == k["threads"] and row["threads"] == (f"pool({k['threads']})" if k["pool"] else "1")
        assert row["status"] == ("ok" if k["available"] else "missing"), row
        assert rows[f"pyo3-{k['name']}"]["kernel"] == k["name"]
    table = summary_report.markdown(summary)
    for n in names:
        assert f"({n})" in table and f"(pyo3-{n})" in table, n
    assert "—" in table  # a figure a row lacks


def test_the_extension_lists_what_mandel_describe_lists():
    """The extension and the CLI hand out one document (`mandel_registry::describe`): same kernels,
    order, flags, tolerances and rules; and the canonical problem is ladderlib's. (Needs the `mandel`
    binary: MANDEL_BIN, which scripts/test sets, else target/release/mandel.)"""
    if not MANDEL.exists():
        pytest.fail(f"{MANDEL} is missing: build it with `cargo build --release --bin mandel`")
    out = subprocess.run([MANDEL, "describe", "--json"], capture_output=True, text=True, check=True).stdout
    described, ours = json.loads(out), m.describe()
    assert described["canonical"] == CANONICAL == m.canonical()
    for doc in (described, ours):  # the pool's size is each process's own
        del doc["pool_threads"], doc["threads"]["pool"]
        for k in doc["kernels"]:
            del k["threads"]
    assert described == ours
