#!/usr/bin/env python3
"""Build the compiled Python rungs into python_baselines/build/: Cython (`cython_rungs.pyx`), Pythran
(`pythran_rungs.py`, twice: one thread and OpenMP) and Mojo (`mojo/mandel_mojo.mojo`, a Python
extension module). scripts/setup runs this with the venv's Python; run.py and the tests only load
what it built.

  build_rungs.py [--tool cython|pythran|mojo ...] [--force] [--strict]

Each tool is built apart, all at the same time (they are independent, and each build is mostly one
compiler at a time), and its lines are printed once all are done, in the order above. A tool that is not
installed, or whose build fails, never stops the others or the ladder: its rungs show `missing` with the
reason (the compiler's last lines, the log file) and the command that installs the tool. What happened
is written to build/status.json, which rungs.py reads. A tool is rebuilt only when its stamp changes: the
source, the tool's version, the flags (and CC, CXX, CFLAGS, CXXFLAGS, CPPFLAGS, LDFLAGS, LDSHARED,
LDCXXSHARED, ~/.pythranrc and the compiler's version), the host CPU for Mojo, the Python and this script; a
module whose stamp no longer matches is not loaded (stale build). Exit status 0, or with --strict 1
when any tool is not built; 2, before building anything, when a tool's log (build/<tool>.log) is there and
is not a regular file, or when a compiler setting has a flag the project's cannot undo or check (below).

Flags: C and C++ with -O3 -ffp-contract=off (no fused multiply-add, so the f64 counts equal the
reference exactly) and -fopenmp for the parallel rungs, for the generic x86-64 (or the platform's
default) target as Python's own extensions are; Mojo with `mojo build`'s defaults (-O3, the host CPU,
as Numba compiles for the host CPU too). The C and C++ flags come last on the compiler's and the
linker's command lines, after CC, CFLAGS, CPPFLAGS, CXXFLAGS, LDFLAGS, LDSHARED and .pythranrc's, so theirs
win whatever those say; a setting with a flag they cannot undo (fast math, a machine option such as
-march=native, in GCC's long spellings too) or that brings in flags unseen (@file, -include, -specs=, -B,
-wrapper, -fplugin; -Wp,... part by part) is refused by name, exit 2, before anything is built.
"""

import argparse
import configparser
import contextlib
import functools
import hashlib
import importlib.metadata
import itertools
import json
import os
import shlex
import shutil
import signal
import stat
import subprocess
import sys
import sysconfig
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from ladderlib.atomic import file_sha256, kind, move_into, write_text

HERE = Path(__file__).resolve().parent
BUILD = HERE / "build"
STATUS = BUILD / "status.json"
STATUS_SCHEMA = "mandel-rung-builds/1"


# Read once, here, while one thread runs: sysconfig fills its variables on first use without a lock, so a
# build thread asking while another fills them got None, which went into the stamp (the load recomputes it
# with the real suffix: the build looked stale) and into the Cython module's file pattern.
EXT_SUFFIX = sysconfig.get_config_var("EXT_SUFFIX")
# The compilers the C and C++ builds run when CC and CXX are not set (setuptools', and Pythran's, default).
DEFAULT_COMPILERS = {"CC": sysconfig.get_config_var("CC") or "cc", "CXX": sysconfig.get_config_var("CXX") or "c++"}

C_FLAGS = ["-O3", "-ffp-contract=off"]
OPENMP = ["-fopenmp"]

# What installs each tool, as the `missing` reason says it.
def _pip():
    """`.venv/bin/pip install` (relative to the repository when the venv is in it)."""
    pip = Path(sys.executable).parent / "pip"
    try:
        pip = pip.relative_to(HERE.parent)
    except ValueError:
        pass
    return f"{pip} install"


PIP = _pip()
TOOLS = {
    "cython": {"source": "cython_rungs.pyx", "modules": ["cython_rungs"], "package": "cython",
               "install": f"{PIP} -r python_baselines/requirements.txt (scripts/setup does it)"},
    "pythran": {"source": "pythran_rungs.py", "modules": ["pythran_serial", "pythran_openmp"], "package": "pythran",
                "install": f"{PIP} -r python_baselines/requirements.txt (scripts/setup does it)"},
    "mojo": {"source": "mojo/mandel_mojo.mojo", "modules": ["mandel_mojo"], "package": "mojo-compiler",
             "install": f"{PIP} -r python_baselines/requirements-mojo.txt (scripts/setup does it)"},
}


def log(message):
    print(message, file=sys.stderr, flush=True)


class NotRegularFile(Exception):
    """A file this script reads (build/status.json) that is there and not a regular file; the message names it."""


def not_regular_problem(path, why):
    """Why `path` cannot be used if it is there and not a regular file (a symlink not followed), or None."""
    try:
        mode = os.lstat(path).st_mode
    except OSError:
        return None
    return None if stat.S_ISREG(mode) else f"{path} is {kind(mode)}, not a regular file: remove it ({why})"


STATUS_WHY = "build_rungs.py records the builds there, and the runners read it"


def read_status_file(path):
    """The text of `path`, None when it is absent; NotRegularFile when it is not a regular file. Opened without
    following a symlink (ELOOP) nor waiting for a FIFO's writer (a plain read of one blocked for good), then
    checked to be a regular file (a FIFO or a folder opens)."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except FileNotFoundError:
        return None
    except OSError as e:
        raise NotRegularFile(not_regular_problem(path, STATUS_WHY) or f"{path}: {e.strerror or e}") from None
    mode = os.fstat(fd).st_mode
    if not stat.S_ISREG(mode):
        os.close(fd)
        raise NotRegularFile(f"{path} is {kind(mode)}, not a regular file: remove it ({STATUS_WHY})")
    with os.fdopen(fd, "rb") as f:
        return f.read().decode("utf-8")


def read_status():
    """The tools' entries of build/status.json, those that are objects; {} when it is missing, unreadable,
    of another schema or malformed: every tool is then built (or found not installed) and the file rewritten.
    NotRegularFile when it is not a regular file, which is never read nor replaced."""
    try:
        text = read_status_file(STATUS)
        data = json.loads(text) if text is not None else None
    except (OSError, ValueError):
        return {}
    tools = data.get("tools") if isinstance(data, dict) and data.get("schema") == STATUS_SCHEMA else None
    if not isinstance(tools, dict):
        return {}
    return {tool: entry for tool, entry in tools.items() if isinstance(entry, dict)}


def package_version(name):
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return None


def mojo_binary():
    """The venv's `mojo` (next to this Python), else one on PATH; None when there is none."""
    local = Path(sys.executable).parent / "mojo"
    return str(local) if local.exists() else shutil.which("mojo")


class BuildError(Exception):
    def __init__(self, message, output=""):
        super().__init__(message)
        self.output = output


# The builds run in threads, and only the main thread sees Ctrl-C: it sets STOPPING and kills the
# commands still running (RUNNING), each in a process group of its own so that the compilers it started
# go too (they hold its output open), so that each build fails at once and removes its temporary folder.
STOPPING = threading.Event()
RUNNING = set()
RUNNING_LOCK = threading.Lock()


def stop_running():
    # A second Ctrl-C while the builds are being stopped would leave some of them running: ignored now.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    STOPPING.set()
    with RUNNING_LOCK:
        for proc in RUNNING:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)


def log_path_problem(path):
    """Why a tool's log cannot be written at `path`, or None (absent, or a regular file). The log is this
    script's own file in build/: a FIFO there hung the build for good (Ctrl-C ignored while it waited for a
    reader), a symlink was written through, a folder stopped the whole run with a traceback."""
    try:
        mode = os.lstat(path).st_mode
    except FileNotFoundError:
        return None
    except OSError as e:
        return f"{path}: cannot write the build log there: {e.strerror or e}"
    if stat.S_ISREG(mode):
        return None
    return f"{path} is {kind(mode)}, not a regular file: remove it (the build writes its log there)"


def open_log(path, append):
    """The tool's log, opened for writing without following a symlink nor waiting on a FIFO (it could have
    been put there since the check); BuildError when it is not a regular file."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_NOFOLLOW | os.O_NONBLOCK | (os.O_APPEND if append else os.O_TRUNC)
    try:
        fd = os.open(path, flags, 0o644)
    except OSError as e:
        raise BuildError(log_path_problem(path) or f"{path}: cannot write the build log: {e.strerror or e}") from None
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        raise BuildError(log_path_problem(path) or f"{path} is not a regular file")
    return open(fd, "a" if append else "w", encoding="utf-8")


def run(cmd, cwd, env=None, log_path=None):
    """Run a build command; BuildError with its output's last lines when it fails."""
    with RUNNING_LOCK:
        if STOPPING.is_set():
            raise BuildError("interrupted")
        proc = subprocess.Popen([str(c) for c in cmd], cwd=cwd, env={**os.environ, **(env or {})},
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, errors="replace",
                                start_new_session=True)
        RUNNING.add(proc)
    try:
        stdout, stderr = proc.communicate()
    finally:
        with RUNNING_LOCK:
            RUNNING.discard(proc)
    if STOPPING.is_set():
        raise BuildError("interrupted")
    output = f"$ {' '.join(map(str, cmd))}\n{stdout}{stderr}"
    if log_path is not None:
        with open_log(log_path, append=True) as f:
            f.write(output + "\n")
    if proc.returncode != 0:
        tail = "\n".join(line for line in output.strip().splitlines()[-6:])
        raise BuildError(f"{Path(str(cmd[0])).name} exited {proc.returncode}", tail)
    return output


# What `cythonize -i -3` does, with the project's flags as the extension's extra_compile_args and
# extra_link_args: setuptools puts those last on the compiler's and the linker's command lines, after CC,
# CFLAGS and then CPPFLAGS from the environment, so the last -O and -ffp-contract are ours. Given through
# CFLAGS they came before CPPFLAGS, and CPPFLAGS=-ffp-contract=fast built fused multiply-adds into rows
# labelled separate. On the link line too, for a -flto build, which optimizes again at link time.
CYTHON_SETUP = """\
import json, sys
from Cython.Build import cythonize
from setuptools import Extension, setup
flags = json.loads(sys.argv[1])
extension = Extension("cython_rungs", ["cython_rungs.pyx"], extra_compile_args=flags, extra_link_args=flags)
setup(script_name="setup.py", script_args=["build_ext", "--inplace"],
      ext_modules=cythonize([extension], language_level=3))
"""


def build_cython(tmp, log_path):
    shutil.copy(HERE / "cython_rungs.pyx", tmp)
    run([sys.executable, "-c", CYTHON_SETUP, json.dumps(C_FLAGS + OPENMP)], tmp, None, log_path)
    built = sorted(tmp.glob("cython_rungs*" + EXT_SUFFIX))
    if not built:
        raise BuildError("cythonize built no extension module")
    return {"cython_rungs": built[0]}


def build_pythran(tmp, log_path):
    # Pythran's command-line flags are its extension's last extra_compile_args and extra_link_args: after its
    # own -O2, .pythranrc's cflags and CXXFLAGS, all after CFLAGS and CPPFLAGS, so the last -O and
    # -ffp-contract are ours there too.
    shutil.copy(HERE / "pythran_rungs.py", tmp)
    out = {}
    for module, extra in (("pythran_serial", []), ("pythran_openmp", OPENMP)):
        path = tmp / f"{module}.so"
        run([sys.executable, "-c", "import sys; from pythran.run import run; sys.argv[0] = 'pythran'; run()",
             *C_FLAGS, *extra, "-o", path, "pythran_rungs.py"], tmp, None, log_path)
        out[module] = path
    return out


def build_mojo(tmp, log_path):
    mojo = mojo_binary()
    path = tmp / "mandel_mojo.so"
    run([mojo, "build", HERE / "mojo" / "mandel_mojo.mojo", "--emit", "shared-lib", "-o", path], tmp, None, log_path)
    return {"mandel_mojo": path}


BUILDERS = {"cython": build_cython, "pythran": build_pythran, "mojo": build_mojo}


def tool_version(tool):
    """The installed tool's version, or None when it is not installed."""
    if tool == "mojo":
        mojo = mojo_binary()
        if mojo is None:
            return None
        try:
            proc = subprocess.run([mojo, "--version"], capture_output=True, text=True, timeout=60)
        except (OSError, subprocess.SubprocessError):
            return None
        return proc.stdout.strip().removeprefix("Mojo ").split()[0] if proc.returncode == 0 and proc.stdout else None
    return package_version(TOOLS[tool]["package"])


# The environment the C and C++ builds read (setuptools for Cython, Pythran's own driver): a build made
# under other flags or another compiler is another build.
# LDSHARED is the link command distutils' customize_compiler uses (for Pythran's build too): it carries
# compiler flags onto the link line (-ffast-math there links crtfastmath). LDCXXSHARED, the C++ link command,
# is not read by this venv's distutils; it is checked and stamped too, as the same kind of setting, in case a
# newer setuptools (one with a separate C++ linker) reads it. What else customize_compiler reads carries
# nothing these builds use: CPP only preprocesses (build_ext never calls it), AR, ARFLAGS and RANLIB make
# static archives (none is made), CCSHARED comes from sysconfig, not the environment.
BUILD_ENVIRONMENT = ("CC", "CXX", "CFLAGS", "CXXFLAGS", "CPPFLAGS", "LDFLAGS", "LDSHARED", "LDCXXSHARED")
# Variables whose first word is the program run, not a flag.
PROGRAM_VARIABLES = ("CC", "CXX", "LDSHARED", "LDCXXSHARED")


# Flags that the project's, put last, cannot undo: fast math (its reassociation and finite-math
# assumptions stay whatever -ffp-contract says; -Ofast is undone, a later -O3 replaces it) changes the
# arithmetic the counts are labelled with (and -ffast-math on the link line sets flush-to-zero for the
# whole process); a machine option (-m: -march=native, -mfma, -mfpmath=387) builds for another target or
# unit than the generic one the rows state. Such a setting is refused, by name, before anything is built.
# Besides GCC's, clang's spellings of the same (-ffp-model=fast and =aggressive imply them). Also refused,
# from `gcc --help=optimizers`: -fsingle-precision-constant (double constants rounded to float) and
# -fcx-limited-range / -fcx-fortran-rules (another complex multiply and divide). Accepted, as they change no
# value these loops compute: -fno-math-errno and -fno-trapping-math (no errno, no trap: the same results),
# -frounding-math, -fsignaling-nans and -ffloat-store (they only forbid optimizations),
# -fexcess-precision= (x87 and _Float16 only; -mfpmath=387 is refused as a machine option).
FAST_MATH = ("-ffast-math", "-funsafe-math-optimizations", "-fassociative-math", "-freciprocal-math",
             "-ffinite-math-only", "-fno-signed-zeros", "-fsingle-precision-constant", "-fcx-limited-range",
             "-fcx-fortran-rules", "-ffp-model=fast", "-ffp-model=aggressive", "-fapprox-func",
             "-fno-honor-nans", "-fno-honor-infinities")
# Flags that bring in others this script cannot see, so cannot check: a response file (@file), a forced
# header (-include, -imacros: `#pragma GCC optimize("fast-math")` in it), a specs file (-specs, or one found in
# a -B/--prefix folder), a program run in front of every compiler pass (-wrapper), a compiler plugin, options
# handed to the preprocessor past the driver (-Xpreprocessor: -include again). Refused by name, whatever they
# bring. (-Wp,... is checked part by part: distributions pass -D_FORTIFY_SOURCE that way.)
SMUGGLERS = ("-include", "-imacros", "-specs", "-Xpreprocessor", "@", "-B", "-fprefix", "-wrapper", "-fplugin")
# What each C tool's build reads: setuptools (Cython) CC, CFLAGS, CPPFLAGS, LDFLAGS, LDSHARED; Pythran those
# (its build is setuptools' too), CXX, CXXFLAGS, LDCXXSHARED and .pythranrc's [compiler] cflags and ldflags.
TOOL_ENVIRONMENT = {"cython": ("CC", "CFLAGS", "CPPFLAGS", "LDFLAGS", "LDSHARED", "LDCXXSHARED"),
                    "pythran": BUILD_ENVIRONMENT}
# GCC's driver reads its long spellings as the short ones: --machine-X (--machine=X, --machine X) as -mX,
# the few named below as theirs, and any other --X as -fX (--fast-math is -ffast-math). Each word is checked
# as GCC reads it.
LONG_SPELLINGS = {"--include": "-include", "--imacros": "-imacros", "--specs": "-specs",
                  "--for-linker": "-Xlinker"}


def normalised(flag):
    """`flag` as GCC's driver reads it: its long (--) spellings as the short ones."""
    if not flag.startswith("--"):
        return flag
    if flag == "--machine":  # its option in the next word: a machine option whatever it is
        return "-m"
    for prefix in ("--machine-", "--machine="):
        if flag.startswith(prefix):
            return "-m" + flag[len(prefix):]
    name, sep, value = flag.partition("=")
    if name == "--for-linker" and sep:
        return "-Wl," + value
    if name in LONG_SPELLINGS:
        return LONG_SPELLINGS[name] + (sep + value if name == "--specs" else "")
    return "-f" + flag[2:]


def flag_settings(tool):
    """{where: its flags} for what `tool`'s build reads: the variables (CC, CXX, LDSHARED, LDCXXSHARED: the
    words after the program's name) and, for Pythran, .pythranrc's flags."""
    settings = {}
    for name in TOOL_ENVIRONMENT.get(tool, ()):
        value = os.environ.get(name, "")
        try:
            words = shlex.split(value)
        except ValueError:
            words = value.split()
        settings[name] = words[1:] if name in PROGRAM_VARIABLES else words
    if tool == "pythran":
        cfg = pythranrc_config()
        for key in ("cflags", "ldflags"):
            with contextlib.suppress(ValueError):
                settings[f"{pythranrc_path()} [compiler] {key}"] = shlex.split(cfg.get("compiler", key, fallback=""))
        # libs become -l<lib> on the link line (`:crtfastmath.o` links fast math's flush-to-zero object)
        with contextlib.suppress(ValueError):
            settings[f"{pythranrc_path()} [compiler] libs"] = [
                f"-l{lib}" for lib in shlex.split(cfg.get("compiler", "libs", fallback=""))]
    return settings


# Machine options that change no instruction the rows run: the x86-64 default word size, the generic target
# the rows state (-march=x86-64), frame pointers (distributions' default flags), and scheduling alone
# (-mtune, which conda's CFLAGS carry beside the -march that is refused).
HARMLESS_MACHINE_FLAGS = ("-m64", "-march=x86-64", "-momit-leaf-frame-pointer", "-mno-omit-leaf-frame-pointer")


# Variables that change, unseen by these checks, what a C or C++ build runs with: another sysconfig data module
# (its CFLAGS, OPT and CC are setuptools' defaults), GCC's search for its own passes and specs (as -B does) and
# clang's rewrite of every command line. Refused whenever set, for the Cython and Pythran builds (the C
# reference, built by cargo's `cc`, is not checked here).
HIDDEN_SETTINGS = ("_PYTHON_SYSCONFIGDATA_NAME", "GCC_EXEC_PREFIX", "COMPILER_PATH", "CCC_OVERRIDE_OPTIONS")


def flag_problems(tools):
    """Why the environment cannot build `tools` with the flags their rows state: one line per setting that
    holds a flag the project's cannot undo, naming both; [] when none."""
    readers = {}
    for tool in tools:
        for where, flags in flag_settings(tool).items():
            bad, smuggling = [], []
            # -Wp,a,b hands a and b to the preprocessor: each checked as a flag of its own, named as given
            words = [(p, flag) for flag in flags for p in (flag.split(",")[1:] if flag.startswith("-Wp,") else [flag])]
            for i, (word, flag) in enumerate(words):
                f = normalised(word)
                if f in FAST_MATH or (f.startswith("-m") and f not in HARMLESS_MACHINE_FLAGS
                                      and not f.startswith("-mtune=")):
                    bad.append(flag)
                elif f.startswith(SMUGGLERS) or linked_fast_math(f, words[i + 1][0] if i + 1 < len(words) else ""):
                    smuggling.append(flag)
            for kind_, found in (("undo", bad), ("smuggle", smuggling)):
                if found:
                    readers.setdefault((where, " ".join(dict.fromkeys(found)), kind_), []).append(tool)
    c_tools = [t for t in tools if t in TOOL_ENVIRONMENT]
    problems = [f"{name} is set ({os.environ[name]!r}): it changes what the {' and '.join(c_tools)} "
                f"{'builds run' if len(c_tools) > 1 else 'build runs'}, unseen by these checks: build without it"
                for name in HIDDEN_SETTINGS if c_tools and os.environ.get(name)]
    for (where, bad, kind_), users in readers.items():
        whose = f"{' and '.join(users)} builds'" if len(users) > 1 else f"{users[0]} build's"
        what = ("which brings in flags or code unseen here (a response file, a forced header's pragmas, a specs "
                "file, options past the driver, fast math's link object) that the" if kind_ == "smuggle"
                else "which the")
        problems.append(f"{where} has {bad}, {what} {whose} own flags ({' '.join(C_FLAGS)}, for the generic "
                        f"target: what the rows state), given after it, cannot undo: build without it")
    return problems


def linked_fast_math(flag, following):
    """Whether `flag` (normalised) links what -ffast-math would: crtfastmath.o (it sets flush-to-zero for the
    whole process), itself or through the linker (-Xlinker with the next word, -Wl,...), or hands the linker
    a fast-math flag or a response file."""
    if flag == "-Xlinker":
        passed = [following]
    elif flag.startswith("-Wl,"):
        passed = flag.split(",")[1:]
    else:
        return "crtfastmath" in os.path.basename(flag)
    return any("crtfastmath" in p or p.startswith("@") or normalised(p) in FAST_MATH for p in passed)


def pythranrc_path():
    """Where Pythran reads its user configuration (pythran.config.get_paths_cfg): $PYTHRANRC, else
    .pythranrc in $XDG_CONFIG_HOME or $HOME."""
    path = os.environ.get("PYTHRANRC")
    if path is None:
        base = os.environ.get("XDG_CONFIG_HOME") or os.environ.get("HOME") or "~"
        path = os.path.expanduser(os.path.join(base, ".pythranrc"))
    return path


def pythranrc_config():
    """.pythranrc parsed (empty when absent or unreadable as an INI file)."""
    cfg = configparser.ConfigParser(interpolation=None)
    with contextlib.suppress(configparser.Error, UnicodeDecodeError):
        cfg.read_string(pythranrc().decode())
    return cfg


def pythranrc_compiler():
    """The C++ compiler .pythranrc names ([compiler] CXX), which Pythran runs when CXX is unset; "" if none."""
    return pythranrc_config().get("compiler", "CXX", fallback="").strip()


def pythranrc():
    """The user configuration Pythran reads (its compiler, flags, BLAS), found as Pythran finds it
    (pythran.config.get_paths_cfg): $PYTHRANRC, else .pythranrc in $XDG_CONFIG_HOME or $HOME; b"" if none."""
    try:
        return Path(pythranrc_path()).read_bytes()
    except OSError:
        return b""


LAUNCHERS = ("ccache", "sccache", "distcc", "env", "nice", "icecc")


@functools.cache
def compiler_version(command):
    """The first line of `command --version` (the compiler a C or C++ build runs, first word of CC or CXX):
    another compiler, or another release of it, makes another build. "" when it does not run."""
    try:
        # the compiler, not a launcher in front of it (CC="ccache gcc": gcc's version, not ccache's)
        words = [w for w in shlex.split(command) if "=" not in w]
        while words and os.path.basename(words[0]) in LAUNCHERS:
            words = words[1:]
        args = words[:1]
        proc = subprocess.run([*args, "--version"], capture_output=True, text=True, timeout=30) if args else None
    except (OSError, ValueError, subprocess.SubprocessError):
        return ""
    return proc.stdout.strip().partition("\n")[0] if proc is not None and proc.returncode == 0 else ""


def cpuinfo(path="/proc/cpuinfo"):
    """The first processor's fields of /proc/cpuinfo (empty where there is none). The ladder's machine
    description reads it in Rust (crates/report/src/machine.rs); this is the text the Mojo stamp hashes."""
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


def host_cpu():
    """The CPU `mojo build` compiles for (the host's: its model and every instruction-set flag, as the kernel
    reports them), which its module then needs: it has no runtime dispatch, so a build copied to another CPU
    could run instructions that CPU lacks (SIGILL), or lanes sized for another one."""
    info = cpuinfo()
    return "\0".join(info.get(k, "") for k in ("vendor_id", "cpu family", "model", "model name", "flags",
                                                 "CPU implementer", "CPU part", "Features"))


def stamp(tool, version):
    """What the tool's build depends on, hashed: the tool's version, the flags, the Python, the source and
    this script, and for the C tools the compiler environment (and Pythran's configuration). build()
    records it; compiled_rungs recomputes it when it loads a module, so a build whose inputs changed
    since is stale, never timed as the current one. Mojo's also has the host CPU (it compiles for it); the C
    tools' the compiler's `--version` line (run once per compiler and process)."""
    h = hashlib.sha256()
    for part in (tool, version, " ".join(C_FLAGS + OPENMP), sys.version, EXT_SUFFIX):
        h.update(str(part).encode() + b"\0")
    h.update((HERE / TOOLS[tool]["source"]).read_bytes())
    h.update(Path(__file__).read_bytes())
    if tool in ("cython", "pythran"):
        for name in BUILD_ENVIRONMENT:
            h.update(f"{name}={os.environ.get(name, '')}".encode() + b"\0")
        compiler = "CC" if tool == "cython" else "CXX"
        command = os.environ.get(compiler) or (tool == "pythran" and pythranrc_compiler()) or DEFAULT_COMPILERS[compiler]
        h.update(compiler_version(command).encode() + b"\0")
    if tool == "mojo":
        h.update(host_cpu().encode() + b"\0")
    if tool == "pythran":
        h.update(pythranrc())
    return h.hexdigest()[:16]


def recorded_module_ok(path, digests, module):
    """Whether `path` holds the bytes status.json recorded for `module` (`digests`: its sha256 entry). A module whose
    bytes are not those built with the recorded stamp (a build interrupted after moving its modules in, before
    status.json was written; a copied or edited file) is stale, rebuilt here and refused at load."""
    expected = digests.get(module) if isinstance(digests, dict) else None
    if not isinstance(expected, str):
        return False
    try:
        return file_sha256(path) == expected
    except OSError:
        return False


def current_stamp(tool):
    """The stamp a build of `tool` made now would record; None when the tool is not installed."""
    version = tool_version(tool)
    return None if version is None else stamp(tool, version)


def build(tool, previous, force, log=log):
    """Build `tool` unless it is up to date; its status entry. Its progress goes to `log`."""
    spec = TOOLS[tool]
    if STOPPING.is_set():
        raise BuildError("interrupted")
    version = tool_version(tool)
    if version is None:
        return {"ok": False, "version": None, "error": f"{spec['package']} is not installed",
                "install": spec["install"]}
    key = stamp(tool, version)
    old = previous.get(tool) or {}
    modules = old.get("modules")
    if (not force and old.get("ok") is True and old.get("stamp") == key and isinstance(modules, dict)
            and set(modules) == set(spec["modules"])
            and all(isinstance(p, str) and recorded_module_ok(BUILD / Path(p).name, old.get("sha256"), m)
                    for m, p in modules.items())):
        log(f"==> {tool} {version}: up to date")
        return old
    if STOPPING.is_set():  # interrupted while asking the tool's version: its earlier log is kept
        raise BuildError("interrupted")
    BUILD.mkdir(parents=True, exist_ok=True)
    log_path = BUILD / f"{tool}.log"
    log(f"==> building the {tool} rungs ({spec['package']} {version}) ...")
    start = time.perf_counter()
    try:
        open_log(log_path, append=False).close()
        with tempfile.TemporaryDirectory(prefix=f".{tool}-", dir=BUILD) as tmp:
            built = BUILDERS[tool](Path(tmp), log_path)
            modules, digests = {}, {}
            for module, path in built.items():
                digests[module] = file_sha256(path)
                dest = BUILD / Path(path).name
                move_into(path, dest)  # the old module is replaced whole
                modules[module] = str(dest.relative_to(HERE))
    except Exception as e:  # any failure is this tool's alone: the others go on (InputError: a target not a file)
        output = getattr(e, "output", "")
        log("\n".join(filter(None, [f"    FAILED: {e}", output, f"    (log: {log_path})"])))
        return {"ok": False, "version": version, "stamp": key, "error": f"the {tool} build failed ({e}; "
                f"log: {log_path.relative_to(HERE.parent)})", "output": output, "install": spec["install"]}
    seconds = time.perf_counter() - start
    log(f"    built {', '.join(modules)} in {seconds:.1f} s")
    return {"ok": True, "version": version, "stamp": key, "modules": modules, "sha256": digests,
            "build_s": round(seconds, 2),
            "error": None, "install": spec["install"]}


def build_all(names, previous, force):
    """Build the tools `names` concurrently; their status entries. Each tool's lines are printed once all
    are done, in the order of `names`, whatever finished first (also when interrupted)."""
    lines = {tool: [] for tool in names}
    pool = ThreadPoolExecutor(max_workers=len(names) or 1, thread_name_prefix="build")
    try:
        futures = {tool: pool.submit(build, tool, previous, force, lines[tool].append) for tool in names}
        return {tool: future.result() for tool, future in futures.items()}
    except BaseException:
        stop_running()
        raise
    finally:
        pool.shutdown(wait=True)
        for tool in names:
            for line in lines[tool]:
                log(line)


def interrupt(signum, frame):
    raise KeyboardInterrupt(f"signal {signal.Signals(signum).name}")


def main(argv=None):
    p = argparse.ArgumentParser(prog="build_rungs.py", description=__doc__.split("\n\n")[0])
    p.add_argument("--tool", action="append", choices=sorted(TOOLS), help="build only these (repeatable)")
    p.add_argument("--force", action="store_true", help="rebuild even when up to date")
    p.add_argument("--strict", action="store_true", help="exit 1 when a tool is not built")
    args = p.parse_args(argv)
    # SIGTERM (scripts/setup stopping its background build) stops the builds as Ctrl-C does: compilers
    # killed, temporary folders removed, status.json left as it was.
    signal.signal(signal.SIGTERM, interrupt)
    problems = [why for why in (log_path_problem(BUILD / f"{t}.log") for t in args.tool or list(TOOLS)) if why]
    # status.json too: a FIFO there hung read_status() for good, and a folder or symlink is not this script's
    # to replace.
    problems += filter(None, [not_regular_problem(STATUS, STATUS_WHY)])
    problems += flag_problems(args.tool or list(TOOLS))
    try:
        previous = read_status() if not problems else {}
    except NotRegularFile as e:  # put there since the check
        problems.append(str(e))
    if problems:  # before building anything: status.json is left as it was
        for why in problems:
            log(f"build_rungs.py: error: {why}")
        return 2
    tools = dict(previous)
    tools.update(build_all(args.tool or list(TOOLS), previous, args.force))
    BUILD.mkdir(parents=True, exist_ok=True)
    write_text(STATUS, json.dumps({"schema": STATUS_SCHEMA, "python": sys.version.split()[0], "tools": tools},
                                  indent=2) + "\n")
    failed = [t for t in (args.tool or list(TOOLS)) if not tools[t]["ok"]]
    for t in failed:
        log(f"    {t}: not built: {tools[t]['error']}; install: {tools[t]['install']}")
    return 1 if args.strict and failed else 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt as e:
        log(f"build_rungs.py: interrupted ({str(e) or 'SIGINT'}); the builds stopped, status.json unchanged")
        sys.exit(130)
