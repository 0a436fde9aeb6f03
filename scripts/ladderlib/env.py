"""The environment variables the kernels read, checked like flags before any work, with `mandel`'s rules
(mandel_core's `check_env`, mandel_simd's `parse_tuning`, mandel_c_reference's `Tuning::parse`): one
parser per variable, used by `scripts/ladder`, `python_baselines/run.py` and `sweep.py`. Each raises
`InputError` naming the variable."""

import json
import os
import re

from .readers import InputError

# What MANDEL_ISA and RAYON_NUM_THREADS accept: mandel_core's ISA_NAMES and MAX_THREADS.
ISA_NAMES = ("avx512", "avx2", "sse2", "neon", "scalar")
MAX_THREADS = 1024

_TUNING = re.compile(r"v\d+k\d+", re.I)


def rayon_threads(environ=os.environ):
    """RAYON_NUM_THREADS: ASCII digits only (no sign, no space, no newline), 1 to MAX_THREADS; unset or
    empty: None (one thread per core). rayon itself does not trim, so neither does this."""
    value = environ.get("RAYON_NUM_THREADS")
    if value is None or value == "":
        return None
    if not (value.isascii() and value.isdigit() and 1 <= int(value) <= MAX_THREADS):
        raise InputError(f"RAYON_NUM_THREADS={json.dumps(value)} must be a whole number of threads from 1 to {MAX_THREADS} "
                         "(digits only: no sign, no spaces), or unset/empty for one per core")
    return int(value)


def isa(environ=os.environ):
    value = (environ.get("MANDEL_ISA") or "").strip()
    if value and value.lower() not in ISA_NAMES:
        raise InputError(f'MANDEL_ISA="{value}" is not an instruction-set path; accepted (any case): '
                         f"{', '.join(ISA_NAMES)}, or unset/empty for the widest path this CPU has")
    return value.lower() or None


def simd_tuning(environ=os.environ):
    """MANDEL_TUNING: `vNkM` or `default` for both precisions, or `f32:NAME,f64:NAME`; unset/empty: None.
    Only the form is checked here: whether the build has that tuning, `mandel describe` says (exit 2)."""
    value = environ.get("MANDEL_TUNING")
    if value is None or not value.strip():
        return None

    def one(name):
        return name.strip().lower() == "default" or _TUNING.fullmatch(name.strip())

    text = value.strip()
    ok = one(text) if ":" not in text else all(
        len(part.split(":")) == 2 and part.split(":")[0].strip().lower() in ("f32", "f64") and one(part.split(":")[1])
        for part in text.split(","))
    if not ok:
        raise InputError(f"MANDEL_TUNING={json.dumps(value)} is not valid; accepted: a tuning (vNkM: N vectors in flight, "
                         "a check every M steps, e.g. v4k8), default, or per precision as f32:NAME,f64:NAME, or "
                         "unset/empty to calibrate")
    return text


def c_tuning(environ=os.environ):
    """MANDEL_C_TUNING: one tuning `vNkM`; unset/empty: None."""
    value = environ.get("MANDEL_C_TUNING")
    if value is None or not value.strip():
        return None
    if not _TUNING.fullmatch(value.strip()):
        raise InputError(f"MANDEL_C_TUNING={json.dumps(value)} is not a tuning (vectors and steps between checks, e.g. "
                         "v4k8), or unset/empty to calibrate")
    return value.strip()


def check(environ=os.environ):
    """Every variable above; returns the pool size RAYON_NUM_THREADS asks for (None: unset)."""
    isa(environ)
    simd_tuning(environ)
    c_tuning(environ)
    return rayon_threads(environ)


def tuning_pins(rows):
    """The MANDEL_TUNING and MANDEL_C_TUNING values that pin what `mandel tune --json` chose (its
    `fastest`), from the rows that timed tunings: {variable: value}, a variable left out when no row
    of its kind timed any. How `scripts/ladder` and `scripts/ab` pin their processes."""
    simd = ",".join(f"{r['precision']}:{r['fastest']}" for r in rows if r.get("kernel", "simd") == "simd" and r["times"])
    c = ",".join(r["fastest"] for r in rows if r.get("kernel") == "c-reference" and r["times"])
    return {var: value for var, value in (("MANDEL_TUNING", simd), ("MANDEL_C_TUNING", c)) if value}
