"""Rungs compiled ahead of time: Cython, Pythran and Mojo, loaded from python_baselines/build/, where
build_rungs.py (run by scripts/setup) put them and recorded what happened in build/status.json.

- Cython and Pythran: a function from a `Problem` to the counts, like the Numba rungs: the timed call
  makes the pixel grid (`problem.axes()`), allocates the array and fills it.
- Mojo: like the pyo3-* rows, the array is allocated once in Python, untimed, and the timed call is
  the Mojo function filling it (`prepare`), from the points of `problem.axes()`, made with the array.

A tool that is not installed, or whose build failed, makes its rungs `missing` (`missing(tool)`: the
reason and the command that installs it); nothing here ever imports the source files as Python.
"""

import functools
import importlib.util
import json
import os
from pathlib import Path

HERE = Path(__file__).resolve().parent
BUILD = HERE / "build"
STATUS = BUILD / "status.json"
SETUP = "scripts/setup (it runs python_baselines/build_rungs.py)"


class Missing(Exception):
    """A compiled rung that cannot run here: not built, build failed, or its module does not load."""


def _status() -> dict:
    """The tools' entries of build/status.json; {} when it is missing, unreadable or malformed (not an
    object, or its tools not one): not built, and build_rungs.py rewrites it. Missing, naming it, when it is
    not a regular file (a FIFO there blocked every run, `--list` included, for good; build_rungs.py refuses
    to replace it)."""
    from . import build_rungs  # noqa: PLC0415

    try:
        text = build_rungs.read_status_file(STATUS)
        data = json.loads(text) if text is not None else None
    except build_rungs.NotRegularFile as e:
        raise Missing(str(e)) from None
    except (OSError, ValueError):
        return {}
    tools = data.get("tools") if isinstance(data, dict) else None
    return tools if isinstance(tools, dict) else {}


def tool_status(tool: str) -> dict:
    """What build_rungs.py recorded for the tool ({} when it has not run, or recorded something else than
    an object for it, or when build/status.json is not a regular file: `module` says why)."""
    try:
        status = _status().get(tool)
    except Missing:
        return {}
    return status if isinstance(status, dict) else {}


@functools.cache
def current_stamp(tool: str) -> str | None:
    """The stamp build_rungs.py would record for `tool` now (its one definition): a recorded stamp that
    differs is a stale build. None when it cannot be computed (tool not installed, source unreadable)."""
    from . import build_rungs  # noqa: PLC0415 (the standard library and ladderlib.atomic only)

    try:
        return build_rungs.current_stamp(tool)
    except OSError:
        return None


@functools.cache
def module(tool: str, name: str):
    """The built extension module `name` of `tool`, loaded from its file; Missing with the reason."""
    status = _status().get(tool)  # Missing when status.json is not a regular file
    status = status if isinstance(status, dict) else {}
    if not status:
        raise Missing(f"the {tool} rungs are not built: run {SETUP}")
    if not status.get("ok"):
        raise Missing(f"{status.get('error') or f'{tool} build failed'}; install: {status.get('install')}")
    if status.get("stamp") != current_stamp(tool):
        raise Missing(f"stale build: run {SETUP} (the {tool} rungs were built from another source, tool "
                      f"version, Python or compiler settings than these)")
    modules = status.get("modules")
    relative = modules.get(name) if isinstance(modules, dict) else None
    path = HERE / relative if isinstance(relative, str) and relative else None
    if path is None or not path.exists():
        raise Missing(f"the {tool} module {name} is not in {BUILD}: run {SETUP}")
    from . import build_rungs  # noqa: PLC0415

    if not build_rungs.recorded_module_ok(path, status.get("sha256"), name):
        raise Missing(f"stale build: run {SETUP} (the {tool} module {path.name} is not the file build/status.json "
                      "records: a build was interrupted, or the file was replaced since)")
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise Missing(f"{path} is not an extension module")
    try:
        loaded = importlib.util.module_from_spec(spec)  # an extension module is loaded here, already
        spec.loader.exec_module(loaded)
    except ImportError as e:
        raise Missing(f"the {tool} module {path.name} does not load ({e}): rebuild with {SETUP}") from e
    finally:
        _restore_environment()
    return loaded


# Loading a Mojo extension starts Mojo's Python interop, which sets these in the C environment (not in
# os.environ): PYTHONEXECUTABLE (the interpreter it found on PATH, not the venv's), PYTHONPATH=":" and
# MOJO_PYTHON_LIBRARY. Every process started afterwards (run.py's subprocesses, pypy3, the tests') would
# inherit them and run outside the venv; they are put back as os.environ still has them.
MOJO_ENVIRONMENT = ("PYTHONEXECUTABLE", "PYTHONPATH", "PYTHONHOME", "MOJO_PYTHON_LIBRARY")


def _restore_environment():
    for name in MOJO_ENVIRONMENT:
        if name in os.environ:
            os.putenv(name, os.environ[name])
        else:
            os.unsetenv(name)


MODULES = {"cython": ["cython_rungs"], "pythran": ["pythran_serial", "pythran_openmp"], "mojo": ["mandel_mojo"]}


def missing(tool: str) -> str | None:
    """Why the tool's rungs cannot run here, with what installs or builds it; None when they can."""
    try:
        for name in MODULES[tool]:
            module(tool, name)
    except Missing as e:
        return str(e)
    return None


def version(tool: str) -> str | None:
    return tool_status(tool).get("version")


def build_seconds(tool: str) -> float | None:
    return tool_status(tool).get("build_s")


# --- Cython and Pythran: the whole function, pixel grid and allocation included ------------------------


def cython(problem):
    return module("cython", "cython_rungs").image(*problem.axes(), problem.max_iters)


def cython_parallel(problem):
    return module("cython", "cython_rungs").image_parallel(*problem.axes(), problem.max_iters)


def pythran(problem):
    return module("pythran", "pythran_serial").image(*problem.axes(), problem.max_iters)


def pythran_openmp(problem):
    return module("pythran", "pythran_openmp").image(*problem.axes(), problem.max_iters)


def cores() -> int:
    """The cores this process may use, by Rust's rule (`std::thread::available_parallelism`: affinity
    and cgroup quota, which `os.cpu_count()` ignores): `mandel describe`'s threads.cores, through the
    extension. What a runtime with no thread count of its own set runs on."""
    import mandel_ladder  # noqa: PLC0415

    return mandel_ladder.describe()["threads"]["cores"]


OMP_THREADS_MAX = 1024  # as NUMBA_NUM_THREADS and RAYON_NUM_THREADS


def omp_environment_error() -> str | None:
    """Why OMP_NUM_THREADS cannot be used, or None. libgomp reads it when it is loaded and fails badly on a
    bad one: a huge count aborts the whole process (out of memory) with every result so far lost, and
    `abc`, `0` or `-1` are ignored with a warning, the rungs silently running on another count than asked.
    OpenMP takes a comma-separated list (one count per nesting level): each must follow
    NUMBA_NUM_THREADS's rule. The runners check it first, before libgomp is loaded. GCC 13's libgomp also reads
    OMP_NUM_THREADS_ALL (the host's count when the plain one is unset), _DEV and _DEV_<n>: each follows the same rule."""
    for name, value in sorted(_omp_spellings("OMP_NUM_THREADS")):
        if not (value == "" or all(v.isascii() and v.isdigit() and 1 <= int(v) <= OMP_THREADS_MAX
                                   for v in value.split(","))):
            return (f"{name}={value!r} must be a whole number of threads from 1 to {OMP_THREADS_MAX}, or a "
                    "comma-separated list of them, one per nesting level (digits only, no sign or spaces), or "
                    "unset/empty for one per core")
    return omp_team_error() or omp_placement_error() or omp_stack_error()


OMP_STACK_MAX = 1 << 30  # bytes a thread: far above what the rungs need (they recurse nowhere)


def omp_stack_error() -> str | None:
    """Why OMP_STACKSIZE (or GOMP_STACKSIZE) would fail libgomp, or None: a size libgomp cannot give every thread
    (100000G) made the run exit with only "libgomp: Thread creation failed", naming nothing. libgomp reads a whole
    number with an optional B, K, M or G suffix (K without one)."""
    for name in ("OMP_STACKSIZE", "GOMP_STACKSIZE"):
        value = os.environ.get(name, "")
        if not value.strip():
            continue
        digits, unit = value.strip().rstrip("bBkKmMgG"), value.strip()[-1:].lower()
        scale = {"b": 1, "k": 1 << 10, "m": 1 << 20, "g": 1 << 30}.get(unit, 1 << 10)
        if not (digits.isascii() and digits.isdigit() and 0 < int(digits) * scale <= OMP_STACK_MAX) \
                or len(value.strip()) - len(digits) > 1:
            return (f"{name}={value!r} must be a thread stack size OpenMP can give every thread: a whole number with "
                    f"an optional B, K, M or G suffix, at most 1G, or unset")
    return None


def omp_placement_error() -> str | None:
    """Why an OpenMP variable would bind the team's threads to places, or None. Binding can put the whole team on
    fewer CPUs than it has threads (OMP_PROC_BIND=master: every thread on the first one's place; OMP_PLACES={0} or
    GOMP_CPU_AFFINITY=0: on CPU 0), and the rows would say N threads of a team that shared one core (MEASUREMENTS.md,
    "Every way out of Python"). Which
    bindings are harmless depends on the places libgomp derives, so every one is refused, by name."""
    bad = [f"{name}={value!r}" for name, value in sorted(_omp_spellings("OMP_PROC_BIND"))
           if value.strip().lower() not in ("", "false")]
    # OMP_PROC_BIND=false (the plain spelling) binds nothing, whatever the places say: libgomp ignores them then.
    if os.environ.get("OMP_PROC_BIND", "").strip().lower() != "false":
        bad += [f"{name}={value!r}" for name, value in sorted(_omp_spellings("OMP_PLACES")) if value.strip()]
        if os.environ.get("GOMP_CPU_AFFINITY", "").strip():
            bad.append(f"GOMP_CPU_AFFINITY={os.environ['GOMP_CPU_AFFINITY']!r}")
    if not bad:
        return None
    return ("the OpenMP parallel rungs (and Numba's on its omp layer) would have their threads bound to places, which "
            "can put several on one CPU while the threads column counts them all: " + ", ".join(bad) +
            " (unset it, or set OMP_PROC_BIND=false, which binds nothing)")


def omp_team_error() -> str | None:
    """Why an OpenMP variable would run the OpenMP parallel regions (the Cython and Pythran OpenMP rungs, Numba's
    omp layer) on fewer threads than OMP_NUM_THREADS (else one per CPU) asks, or None: OMP_THREAD_LIMIT caps every
    team, OMP_MAX_ACTIVE_LEVELS=0 runs every region on one thread, and OMP_DYNAMIC=true lets libgomp pick fewer
    threads by the load average. The Cython and Pythran rows' threads column is the team measured inside a parallel
    region (`openmp_threads`), so it would show the smaller team, but not the run asked for; Numba's
    column is its own count (NUMBA_NUM_THREADS), which none of these change, so on the omp layer it would say more
    threads than ran. So they are refused, by name. GCC 13's libgomp also reads each with a suffix (_ALL: every
    device, the host included when the plain one is unset; _DEV and _DEV_<n>: the offload devices), so every
    variable named with one of them as prefix is checked."""
    bad = []
    for name, value in sorted(_omp_spellings("OMP_THREAD_LIMIT")):
        if value != "":
            bad.append(f"{name}={value!r} (caps every team: unset it, and set OMP_NUM_THREADS for fewer threads)")
    for name, value in sorted(_omp_spellings("OMP_DYNAMIC")):
        if value.strip().lower() not in ("", "false"):
            bad.append(f"{name}={value!r} (lets the runtime run fewer threads: unset it or set it to false)")
    for name, value in sorted(_omp_spellings("OMP_MAX_ACTIVE_LEVELS")):
        if not (value == "" or (value.isascii() and value.isdigit() and int(value) >= 1)):
            bad.append(f"{name}={value!r} (below 1 runs every parallel region on one thread: unset it or set a "
                       "whole number from 1)")
    if not bad:
        return None
    return ("the OpenMP parallel rungs would run on fewer threads than OMP_NUM_THREADS (else one per CPU) asks, and "
            "Numba's on its omp layer on fewer than its threads column says: " + "; ".join(bad))


def _omp_spellings(base: str):
    """(name, value) of every variable that is `base` or `base` with a suffix (`base`_ALL, _DEV, _DEV_<n>)."""
    return [(name, value) for name, value in os.environ.items() if name == base or name.startswith(base + "_")]


def openmp_threads() -> int:
    """The threads an OpenMP rung runs on: the team libgomp forms (OMP_NUM_THREADS, else one per CPU this
    process may run on, less what a team-shrinking variable takes away), asked inside a parallel region
    through the Cython module when it is built."""
    try:
        return module("cython", "cython_rungs").threads()
    except Missing:
        try:
            return max(1, int(os.environ.get("OMP_NUM_THREADS", "").split(",")[0]))
        except ValueError:
            return cores()


# --- Mojo: the array allocated in Python, filled in Mojo ------------------------------------------------


def check_f32_view(problem, out, name: str) -> None:
    """Refuse a view f32 cannot represent (bounds beyond its range, pixels closer than its resolution:
    neighbouring columns would be one point), as the pyo3 f32 kernels do, with the very same rule
    (`Params::check_precision`) and message, naming the rung: ValueError. It runs through the extension:
    an f32 kernel's render with one iteration, into `out`, the rung's own array (which it also writes)."""
    import mandel_ladder  # noqa: PLC0415

    kernel = next(k["name"] for k in mandel_ladder.kernels() if k["precision"] == "f32")
    bounds = {k: v for k, v in problem.as_dict().items() if k not in ("width", "height", "max_iters")}
    try:
        mandel_ladder.render(kernel, out, **bounds, max_iters=1)
    except ValueError as e:
        text, prefix = str(e), f"{kernel} cannot render this view: "
        if text.startswith(prefix):
            raise ValueError(f"{name} cannot render this view: {text[len(prefix):]}") from None
        raise


def _mojo(function: str):
    name = "mojo-" + function.replace("_", "-")

    def prepare(problem):
        import numpy as np  # noqa: PLC0415

        fill = getattr(module("mojo", "mandel_mojo"), function)
        out = np.empty((problem.height, problem.width), dtype=np.uint32)
        assert out.flags.c_contiguous and out.flags.writeable
        if function.endswith("_f32"):
            check_f32_view(problem, out, name)  # before any timing: such a view is refused, never timed
        out.fill(0)  # every page written now, untimed, as for the pyo3 rungs (rungs._pyo3)
        # The points come from the project's grid, as the Cython and Pythran rungs' do: Mojo computing
        # x_min + col*dx itself contracts it into one fused multiply-add, a different grid (the
        # real axis's row off 0). Made here, untimed, like the array; `call` holds them (its default)
        # as long as Mojo may read them through their addresses.
        xs, ys = problem.axes()
        assert xs.dtype == ys.dtype == np.float64 and xs.flags.c_contiguous and ys.flags.c_contiguous
        view = (int(problem.width), int(problem.height), xs.ctypes.data, ys.ctypes.data, int(problem.max_iters))
        address = out.ctypes.data

        def call(_axes=(xs, ys)):
            fill(address, view)
            return out

        return call

    return prepare


mojo_scalar_f64 = _mojo("scalar_f64")
mojo_simd_f32 = _mojo("simd_f32")
mojo_parallel_f32 = _mojo("parallel_f32")


def mojo_threads() -> int:
    """Mojo's runtime worker threads (`parallelism_level()`), which `parallelize` runs the rows on."""
    return int(module("mojo", "mandel_mojo").info()[1])


def mojo_simd_width() -> int:
    """The SIMD rungs' width in f32 lanes: twice the native width, as Modular's example."""
    return int(module("mojo", "mandel_mojo").info()[0])
