"""Describe the machine a run happens on, and derive the id its results folder is named after."""

import datetime
import importlib.metadata
import itertools
import os
import platform
import re
import socket
import subprocess
import sys
from pathlib import Path

from .readers import InputError, read_machine

# The instruction-set extensions that matter to the ladder's kernels, in the order they are listed.
ISA_FLAGS = ["sse2", "sse4_1", "sse4_2", "avx", "avx2", "fma", "avx512f", "avx512dq", "avx512bw", "avx512vl",
             "avx512_fp16", "asimd", "sve", "sve2"]


def cpuinfo(path="/proc/cpuinfo"):
    """The first processor's fields of /proc/cpuinfo (empty where there is none)."""
    fields = {}
    try:
        text = Path(path).read_text(encoding="utf-8", errors="replace")
    except OSError:
        return fields
    lines = itertools.dropwhile(lambda line: not line.strip(), text.splitlines())
    for line in itertools.takewhile(str.strip, lines):  # up to the blank line that ends the first processor
        key, _, value = line.partition(":")
        fields.setdefault(key.strip(), value.strip())
    return fields


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


def describe(repo, info=None):
    """The machine description every summary starts with."""
    info = cpuinfo() if info is None else info
    flags = set((info.get("flags") or info.get("Features") or "").split())
    return {
        "cpu_model": printable(info.get("model name") or platform.processor() or platform.machine())
        or "unknown CPU",
        "cpu_family_model": f"{info['cpu family']}/{info['model']}" if "cpu family" in info and "model" in info else None,
        "cores": os.cpu_count(),
        # The CPUs this process may run on (its affinity: `taskset`), which the runtimes' default thread counts
        # follow; fewer than `cores` is said in the summary, where a row's threads may outnumber them.
        "cpus_usable": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None,
        "isa_flags": [f for f in ISA_FLAGS if f in flags],
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


_NOISE = re.compile(r"\((r|tm|c)\)|\b(cpu|processor|with .*graphics|\d+-core)\b|@.*$", re.I)


def machine_id(machine):
    """`intel-xeon-platinum-8488c-2c`: the CPU model without trademarks and clock, then the cores; a model without a
    number (some hypervisors) gets the family/model's model."""
    model = _NOISE.sub(" ", machine.get("cpu_model") or "unknown").lower()
    name = re.sub(r"[^a-z0-9]+", "-", model).strip("-") or "cpu"
    if not re.search(r"\d", name) and machine.get("cpu_family_model"):
        name += "-m" + re.sub(r"[^a-z0-9]+", "-", machine["cpu_family_model"].split("/")[-1].lower()).strip("-")
    from .baseline import MAX_NAME  # baseline imports this module
    suffix = f"-{machine.get('cores') or 0}c"
    return name[:MAX_NAME - len(suffix)].rstrip("-") + suffix  # one folder name, however long the model


def other_machine(theirs, machine):
    """Why the machine description `theirs` is not of this `machine` (CPU model, cores, family/model, machine id):
    empty when they match; one that records no CPU counts as another machine."""
    if not isinstance(theirs, dict) or not theirs.get("cpu_model"):
        return ["the file does not record the machine it was measured on"]
    reasons = []
    if theirs.get("cpu_model") != machine.get("cpu_model"):
        reasons.append(f"CPU {theirs.get('cpu_model')!r} there, {machine.get('cpu_model')!r} here")
    if theirs.get("cores") != machine.get("cores"):
        reasons.append(f"{theirs.get('cores')} cores there, {machine.get('cores')} here")
    there, here = theirs.get("cpu_family_model"), machine.get("cpu_family_model")
    if there and here and there != here:
        reasons.append(f"CPU family/model {there} there, {here} here")
    id_there = machine_id({**theirs, "cpu_family_model": there or here})
    if not reasons and id_there != machine_id(machine):
        reasons.append(f"machine id {id_there} there, {machine_id(machine)} here")
    return reasons


def kept_tuning_problem(folder, desc):
    """Why `folder`/tuning.json is not this machine's (`desc`) to reuse, or None: it must be the tuning the set in
    `folder`/raw ran with (raw/tune.json, byte for byte: a run stopped after swapping in its raw/ but before writing
    tuning.json leaves another's), on this CPU (a folder name can be two CPUs', `machine_id`)."""
    try:
        reasons = other_machine(read_machine(folder / "raw" / "machine.json"), desc)
    except (InputError, OSError) as e:
        return f"the CPU that chose it is unknown ({e})"
    if reasons:
        return f"chosen on another machine: {'; '.join(reasons)}"
    try:
        paired = (folder / "raw" / "tune.json").read_bytes() == (folder / "tuning.json").read_bytes()
    except OSError:
        paired = False
    return None if paired else "it is not the tuning the set in raw/ ran with (raw/tune.json differs or is missing)"
