"""Like for like: the summary's rows grouped by the work they do (the same precision class, scalar or
SIMD, one thread or every core), so that tools are compared doing the same work, each row with its time
over the fastest of its group. A rung absent from the summary is left out; one present but not timed
keeps its row (its status says why) without a ratio. Brute-force rows only: the algorithmic rungs skip
work and are in no group.
"""


# Stable rung names. The first group asks "is it the language?": the same scalar loop in each tool.
GROUPS = [
    {"id": "scalar-f64-1-thread", "title": "compiled scalar f64, one thread",
     "rungs": ["numba", "numba-fastmath", "cython", "pythran", "pypy", "mojo-scalar-f64", "naive-f64",
               "num-complex-f64", "fma-f64"]},
    {"id": "scalar-f64-every-core", "title": "compiled scalar f64, every core",
     "rungs": ["numba-parallel", "cython-prange", "pythran-openmp", "rayon-naive-f64", "rayon-fma-f64"]},
    {"id": "simd-1-thread", "title": "SIMD, one thread",
     "rungs": ["mojo-simd-f32", "simd-f32", "simd-f64", "c-ref-f32"]},
    {"id": "simd-every-core", "title": "SIMD on every core",
     "rungs": ["mojo-parallel-f32", "rayon-simd-f32", "rayon-simd-f64", "rayon-c-ref-f32"]},
]

# The grouped rungs whose multiply-adds are fused (one rounding for a*b + c: a shorter step, and a few boundary
# pixels move), marked in their group, since a fused row against an unfused one is not the same work. Stated
# here because older sets' rows do not record it; tests hold it equal to the registry (`mandel describe`'s `fused`)
# and to python_baselines/rungs.py's `fused`.
FUSED = frozenset({"numba-fastmath", "mojo-scalar-f64", "fma-f64", "rayon-fma-f64", "mojo-simd-f32", "simd-f32",
                   "simd-f64", "c-ref-f32", "mojo-parallel-f32", "rayon-simd-f32", "rayon-simd-f64",
                   "rayon-c-ref-f32"})

# Of those, the rungs that fuse only where the CPU has FMA instructions: Numba and Mojo compile for the host, and
# LLVM emits no fused multiply-add for a CPU without them (the Rust and C kernels fuse in software there).
FUSED_BY_THE_CPU = frozenset({"numba-fastmath", "mojo-scalar-f64", "mojo-simd-f32", "mojo-parallel-f32"})

ROW_FIELDS = ["name", "method", "language", "precision", "threads", "status", "median_s"]


def fused(name, machine=None):
    """Whether the rung `name` fuses its multiply-adds on `machine` (its description: an x86 CPU whose ISA flags
    lack fma makes the FUSED_BY_THE_CPU rungs separate; unknown flags: FUSED as stated)."""
    flags = (machine or {}).get("isa_flags")
    no_fma = flags is not None and "sse2" in flags and "fma" not in flags
    return name in FUSED and not (no_fma and name in FUSED_BY_THE_CPU)


def like_for_like(rows, machine=None):
    """The groups as they go into summary.json: per group its id, title, the fastest timed rung and
    its rows, each with `vs_fastest` = its median / the fastest median (1.0 for the fastest; None
    for a row without a time) and `fused` (its multiply-adds fused on `machine`: `fused`)."""
    by_name = {r["name"]: r for r in rows}
    out = []
    for g in GROUPS:
        members = [by_name[n] for n in g["rungs"] if n in by_name]
        timed = [r for r in members if r.get("status") == "ok" and r.get("median_s")]
        fastest = min(timed, key=lambda r: r["median_s"]) if timed else None
        out.append({"id": g["id"], "title": g["title"], "fastest": fastest["name"] if fastest else None,
                    "rows": [{**{k: r.get(k) for k in ROW_FIELDS},
                              "vs_fastest": r["median_s"] / fastest["median_s"] if r in timed else None,
                              "fused": fused(r["name"], machine)}
                             for r in members]})
    return out
