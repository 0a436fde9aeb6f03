"""Rung: PyPy. The python-pure rung's own code (pure_python.py on problem.py, unchanged) run by `pypy3`,
another interpreter: run.py cannot time it in its own process, so pypy_driver.py, run under pypy3,
warms the JIT up, times the renders with run.py's own loop (timing.py: the same clock, the same
garbage-collector rule, the same repeat rule and budget) and hands back the times and the first timed
render's counts, which run.py verifies against the Rust reference before it records the times.

PyPy comes from the operating system, not from PyPI (Debian: `apt-get install -y pypy3`); scripts/setup
installs it only when asked (MANDEL_INSTALL_PYPY=1). `MANDEL_PYPY=/path/to/pypy3` picks another one.
Without it the rung is `missing`, with that command.
"""

import functools
import json
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import ladderlib

import python_baselines

# pypy3 runs outside the venv: it finds the two packages through PYTHONPATH, the folders that hold them.
PACKAGES = os.pathsep.join(dict.fromkeys(str(Path(p.__file__).resolve().parents[1]) for p in (python_baselines, ladderlib)))
INSTALL = "apt-get install -y pypy3 (Debian/Ubuntu, as root; or MANDEL_INSTALL_PYPY=1 scripts/setup)"
TIMEOUT_S = 900  # the driver's whole run; pure Python under PyPy takes well under a second an image


def interpreter() -> str | None:
    """MANDEL_PYPY, else `pypy3` on PATH; None when there is none."""
    chosen = os.environ.get("MANDEL_PYPY", "").strip()
    return chosen or shutil.which("pypy3")


@functools.cache
def version(pypy: str) -> str | None:
    """PyPy's own version (7.3.11), None when the interpreter does not run or is not PyPy."""
    try:
        proc = subprocess.run([pypy, "-c", "import sys; print('.'.join(map(str, sys.pypy_version_info[:3])))"],
                              capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.SubprocessError):
        return None
    return proc.stdout.strip() if proc.returncode == 0 and proc.stdout.strip() else None


def missing() -> str | None:
    """Why the rung cannot run here, with the command that installs PyPy; None when it can."""
    pypy = interpreter()
    if pypy is None:
        return f"pypy3 not found on PATH; install: {INSTALL}"
    if version(pypy) is None:
        return f"{pypy} does not run as PyPy; install: {INSTALL}"
    return None


def run_driver(problem, budget: float, min_repeats: int, max_repeats: int, warmup_renders: int):
    """(driver's report, counts as a (height, width) uint32 array). RuntimeError when the driver fails."""
    import numpy as np  # noqa: PLC0415

    pypy = interpreter()
    if pypy is None:
        raise RuntimeError(missing())
    with tempfile.TemporaryDirectory(prefix="mandel-pypy-") as tmp:
        counts_path = Path(tmp) / "counts.u32"
        cmd = [pypy, "-m", "python_baselines.pypy_driver", "--problem", json.dumps(problem.as_dict()), "--counts", str(counts_path),
               "--budget", repr(float(budget)), "--min-repeats", str(min_repeats), "--max-repeats", str(max_repeats),
               "--warmup-renders", str(warmup_renders)]
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=TIMEOUT_S,
                              env={**os.environ, "PYTHONPATH": PACKAGES})
        if proc.returncode != 0:
            tail = " | ".join(proc.stderr.strip().splitlines()[-3:])
            raise RuntimeError(f"pypy_driver.py under {pypy} exited {proc.returncode}: {tail}")
        report = json.loads(proc.stdout.strip().splitlines()[-1])
        counts = np.fromfile(counts_path, dtype=np.dtype("=u4"))
    if counts.size != problem.width * problem.height:
        raise RuntimeError(f"pypy_driver.py wrote {counts.size} counts, expected {problem.width * problem.height}")
    return report, counts.reshape(problem.height, problem.width)


def render(problem):
    """One render under PyPy, no warm-up (what the tests compare with the reference)."""
    return run_driver(problem, budget=0.0, min_repeats=1, max_repeats=1, warmup_renders=0)[1]


def measure(problem, budget: float, min_repeats: int, max_repeats: int) -> dict:
    """The runner's measurement of this rung: one warm-up render (the JIT compiles during it; reported
    as compile_s), then the timed renders by run.py's rule, in the driver."""
    report, counts = run_driver(problem, budget, min_repeats, max_repeats, warmup_renders=1)
    return {"times_s": report["times_s"], "result": counts, "compile_s": report["warmup_s"],
            "extra": {"tool_version": report.get("pypy"), "interpreter": interpreter(),
                      "python_version": report.get("python"), "warmup_renders": report.get("warmup_renders")}}
