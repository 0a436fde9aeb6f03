"""Rung: PyPy. The python-pure rung's own code (pure_python.py on problem.py, unchanged) run by `pypy3`,
another interpreter: run.py cannot time it in its own process, so pypy_driver.py, run under pypy3,
warms the JIT up, times the renders with run.py's own loop (timing.py: the same clock, the same
garbage-collector rule, the same repeat rule and budget) and hands back the times and the first timed
render's counts, which run.py verifies against the Rust reference before it records the times.

PyPy comes from the operating system, not from PyPI (Debian: `apt-get install -y pypy3`); scripts/setup
installs it only when asked (MANDEL_INSTALL_PYPY=1). `MANDEL_PYPY=/path/to/pypy3` picks another one.
Without it the rung is `missing`, with that command.
"""

import contextlib
import functools
import json
import os
import shutil
import signal
import subprocess
import tempfile
import threading
from pathlib import Path

import ladderlib

import python_baselines

# pypy3 runs outside the venv: it finds the two packages through PYTHONPATH, the folders that hold them.
PACKAGES = os.pathsep.join(dict.fromkeys(str(Path(p.__file__).resolve().parents[1]) for p in (python_baselines, ladderlib)))
INSTALL = "apt-get install -y pypy3 (Debian/Ubuntu, as root; or MANDEL_INSTALL_PYPY=1 scripts/setup)"
# The driver's whole run may take the timed renders' budget plus this: the warm-up render and the last
# timed one, past the budget (pure Python under PyPy takes well under a second an image).
TIMEOUT_MARGIN_S = 900


def timeout_s(budget: float) -> float:
    return float(budget) + TIMEOUT_MARGIN_S


def chosen() -> str:
    """MANDEL_PYPY as set ("" when unset or empty)."""
    return os.environ.get("MANDEL_PYPY", "").strip()


def interpreter() -> str | None:
    """MANDEL_PYPY (a path, or a name on PATH) when set, else `pypy3` on PATH; None when there is none. A
    MANDEL_PYPY that is not an executable is None, never replaced by another pypy3."""
    return shutil.which(chosen()) if chosen() else shutil.which("pypy3")


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
    if pypy is None and chosen():
        return (f"MANDEL_PYPY={chosen()} is not an executable (a path to pypy3, or its name on PATH): fix or "
                f"unset MANDEL_PYPY; to install PyPy: {INSTALL}")
    if pypy is None:
        return f"pypy3 not found on PATH; install: {INSTALL}"
    if version(pypy) is None:
        named = " (MANDEL_PYPY)" if chosen() else ""
        return f"{pypy}{named} does not run as PyPy; install: {INSTALL}"
    return None


class _Terminated(BaseException):
    """SIGTERM arrived while the driver ran (not an Exception: run.py must not record it as a failed rung)."""


@contextlib.contextmanager
def _sigterm_unwinds():
    """While the driver runs, SIGTERM unwinds this call instead of ending the process on the spot: the
    driver is killed and the temporary folder removed, then the process ends by SIGTERM as it would have.
    Left alone where SIGTERM is already handled or this is not the main thread (signals go there)."""
    if threading.current_thread() is not threading.main_thread() or signal.getsignal(signal.SIGTERM) != signal.SIG_DFL:
        yield
        return

    def handler(signum, frame):
        signal.signal(signal.SIGTERM, signal.SIG_IGN)  # a second one must not cut the clean-up short
        raise _Terminated()

    signal.signal(signal.SIGTERM, handler)
    try:
        yield
    except _Terminated:
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        os.kill(os.getpid(), signal.SIGTERM)
        raise
    finally:
        signal.signal(signal.SIGTERM, signal.SIG_DFL)


def run_driver(problem, budget: float, min_repeats: int, max_repeats: int, warmup_renders: int):
    """(driver's report, counts as a (height, width) uint32 array). RuntimeError when the driver fails."""
    import numpy as np  # noqa: PLC0415

    pypy = interpreter()
    if pypy is None:
        raise RuntimeError(missing())
    with _sigterm_unwinds(), tempfile.TemporaryDirectory(prefix="mandel-pypy-") as tmp:
        counts_path = Path(tmp) / "counts.u32"
        cmd = [pypy, "-m", "python_baselines.pypy_driver", "--problem", json.dumps(problem.as_dict()), "--counts", str(counts_path),
               "--budget", repr(float(budget)), "--min-repeats", str(min_repeats), "--max-repeats", str(max_repeats),
               "--warmup-renders", str(warmup_renders)]
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout_s(budget),
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
