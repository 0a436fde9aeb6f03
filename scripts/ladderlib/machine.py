"""Describe the machine a run happens on, and derive the id its results folder is named after."""

import datetime
import importlib.metadata
import os
import platform
import re
import socket
import subprocess
import sys

from .readers import ask


def _command(args, cwd=None):
    try:
        out = subprocess.run(args, cwd=cwd, capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout.strip() if out.returncode == 0 else None


def _version(package):
    try:
        return importlib.metadata.version(package)
    except importlib.metadata.PackageNotFoundError:
        return None


def git_commit(repo):
    commit = _command(["git", "rev-parse", "--short=12", "HEAD"], cwd=repo)
    if commit and _command(["git", "status", "--porcelain", "--untracked-files=no"], cwd=repo):
        commit += "-dirty"
    return commit


def printable(text):
    """`text` with each control character a space: the summary refuses them, and only after every timing is done."""
    return re.sub(r"[\x00-\x1f\x7f-\x9f]", " ", text or "").strip()


def describe(repo, cpuinfo="/proc/cpuinfo"):
    """The machine description every summary starts with: the CPU as crates/report/src/machine.rs reads it (model,
    family/model, the CPUs online and usable, the ISA extensions that matter), then the software and the date."""
    return {
        **ask({"kind": "cpu", "cpuinfo": str(cpuinfo)})[0],
        "os": platform.platform(),
        "rustc": _command(["rustc", "-V"]),
        "python": platform.python_version(),
        # The interpreter's build: two builds of one version differ on pure Python, the denominator of every
        # speedup (MEASUREMENTS.md, "Every way out of Python").
        "python_build": python_build(),
        "numpy": _version("numpy"),
        "numba": _version("numba"),
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "git_commit": git_commit(repo),
        "hostname": socket.gethostname(),
        "load_average": load_average(),
    }


def python_build():
    """`CPython 3.11.7 (GCC 12.2.0; /root/.pyenv/versions/3.11.7)`: the implementation and its version (with its
    ABI flags: `d` a debug build, `t` a free-threaded one; another implementation's own release too), the compiler
    that built it and where it is installed (a venv's base): what tells two builds of one version apart."""
    impl = sys.implementation
    details = [f"{impl.name} {'.'.join(map(str, impl.version[:3]))}"] if impl.name != "cpython" else []
    details += [c for c in [platform.python_compiler().strip()] if c] + [sys.base_prefix]
    return printable(f"{platform.python_implementation()} {platform.python_version()}{getattr(sys, 'abiflags', '')} "
                     f"({'; '.join(details)})")


def load_average():
    """The 1, 5 and 15-minute load averages, None where the OS has none."""
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except (AttributeError, OSError):
        return None


def machine_id(machine):
    """`intel-xeon-platinum-8488c-2c`, the results folder name of a machine description (the rule:
    crates/report/src/machine.rs)."""
    return ask({"kind": "machine_id", "machine": machine})[0]


def other_machine(theirs, machine):
    """Why the machine description `theirs` is not of this `machine`: empty when they match."""
    return ask({"kind": "other_machine", "theirs": theirs, "here": machine})[0]


def kept_tuning_problem(folder, desc):
    """Why `folder`/tuning.json is not this machine's (`desc`) to reuse, or None: not the tuning the set in `folder`/raw
    ran with, or not on this CPU (the rule: crates/report/src/machine.rs, which scripts/ab applies too)."""
    return ask({"kind": "kept_tuning", "folder": str(folder), "here": desc})[0]
