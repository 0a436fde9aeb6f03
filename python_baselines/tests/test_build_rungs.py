"""build_rungs.py builds the tools at the same time: one tool's failure, of any kind, is its own (the others
still build and are recorded), and each tool's lines come out in a fixed order whatever finished first."""

import os
import sys
import threading
import time

from python_baselines import build_rungs


def test_a_failing_tool_leaves_the_others_built_and_the_lines_in_tool_order(tmp_path, monkeypatch, capsys):
    here = tmp_path / "python_baselines"
    build = here / "build"
    monkeypatch.setattr(build_rungs, "HERE", here)
    monkeypatch.setattr(build_rungs, "BUILD", build)
    monkeypatch.setattr(build_rungs, "tool_version", lambda tool: "1.0")
    monkeypatch.setattr(build_rungs, "stamp", lambda tool, version: "k")
    started = threading.Barrier(3, timeout=10)  # all three at once, or the test fails

    def builder(delay, module, error=None):
        def build(tmp, log_path):
            started.wait()
            time.sleep(delay)
            if error is not None:
                raise error
            path = tmp / f"{module}.so"
            path.write_bytes(module.encode())
            return {module: path}
        return build

    monkeypatch.setattr(build_rungs, "BUILDERS", {
        "cython": builder(0.3, "cython_rungs"),
        # not a BuildError nor an OSError: still this tool's failure alone
        "pythran": builder(0.0, "pythran_serial", UnicodeDecodeError("utf-8", b"\xff", 0, 1, "bad byte")),
        "mojo": builder(0.1, "mandel_mojo"),
    })
    got = build_rungs.build_all(["cython", "pythran", "mojo"], {}, force=True)
    assert [got[t]["ok"] for t in ("cython", "pythran", "mojo")] == [True, False, True]
    assert "bad byte" in got["pythran"]["error"]
    assert (build / "cython_rungs.so").read_bytes() == b"cython_rungs"
    assert (build / "mandel_mojo.so").read_bytes() == b"mandel_mojo"
    out = capsys.readouterr().err
    heads = [line for line in out.splitlines() if line.startswith("==> building")]
    assert [h.split()[3] for h in heads] == ["cython", "pythran", "mojo"]  # pythran finished first
    assert not [p for p in build.iterdir() if p.name.startswith(".")]  # no temporary folder left


import json

import pytest


def fake_build(tmp_path, monkeypatch, version=lambda tool: "1.0", made=b"built", before=None):
    """build_rungs pointed at tmp_path/python_baselines/build (made here), every stamp "k", and a cython builder
    that (after `before(tmp, log_path)`, when given) writes `made` as cython_rungs: (the build folder, the list
    the builder appends to at each call)."""
    here = tmp_path / "python_baselines"
    build = here / "build"
    build.mkdir(parents=True, exist_ok=True)
    for name, value in (("HERE", here), ("BUILD", build), ("STATUS", build / "status.json")):
        monkeypatch.setattr(build_rungs, name, value)
    monkeypatch.setattr(build_rungs, "tool_version", version)
    monkeypatch.setattr(build_rungs, "stamp", lambda tool, version: "k")
    builds = []

    def cython(tmp, log_path):
        builds.append(1)
        if before is not None:
            before(tmp, log_path)
        path = tmp / "cython_rungs.so"
        path.write_bytes(made)
        return {"cython_rungs": path}

    monkeypatch.setattr(build_rungs, "BUILDERS", {**build_rungs.BUILDERS, "cython": cython})
    return build, builds


@pytest.mark.parametrize("text", ['[]', '"ok"', '{"schema": "mandel-rung-builds/1", "tools": []}',
                                  '{"schema": "mandel-rung-builds/1", "tools": {"cython": "ok"}}',
                                  '{"schema": "mandel-rung-builds/1", "tools": {"cython": {"ok": true, '
                                  '"stamp": "k", "modules": ["cython_rungs"]}}}'])
def test_a_malformed_status_file_is_rebuilt_and_rewritten(tmp_path, monkeypatch, text):
    build, _ = fake_build(tmp_path, monkeypatch, version=lambda tool: "1.0" if tool == "cython" else None)
    (build / "status.json").write_text(text)
    assert build_rungs.main([]) == 0
    status = json.loads((build / "status.json").read_text())
    assert status["schema"] == "mandel-rung-builds/1"
    assert status["tools"]["cython"]["ok"] is True
    assert status["tools"]["cython"]["modules"] == {"cython_rungs": "build/cython_rungs.so"}
    assert (build / "cython_rungs.so").read_bytes() == b"built"
    assert status["tools"]["pythran"]["ok"] is False and status["tools"]["mojo"]["ok"] is False


def test_the_stamp_does_not_ask_sysconfig_from_a_build_thread(monkeypatch):
    """The stamps are computed in the build threads, all at once; sysconfig fills its variables on first
    use without a lock, so a thread could read EXT_SUFFIX as None while another filled them: that stamp
    never matched the one recomputed at load, and the fresh build was reported stale. The stamp uses the
    suffix read when build_rungs was imported."""
    import sysconfig

    before = {t: build_rungs.stamp(t, "1.0") for t in build_rungs.TOOLS}
    monkeypatch.setattr(sysconfig, "get_config_var", lambda name: None)  # what the racing thread saw
    assert {t: build_rungs.stamp(t, "1.0") for t in build_rungs.TOOLS} == before
    assert build_rungs.EXT_SUFFIX and build_rungs.EXT_SUFFIX.endswith((".so", ".pyd"))


def test_a_module_left_by_an_interrupted_build_is_rebuilt(tmp_path, monkeypatch):
    """A build stopped (SIGTERM) after moving a tool's module into build/ but before status.json was written
    left that module (built from another source) under the earlier record; once the source is restored the
    stamp matches that record again. The module's recorded sha256 does not: it is rebuilt, not up to date."""
    build, builds = fake_build(tmp_path, monkeypatch, version=lambda tool: "1.0" if tool == "cython" else None,
                               made=b"built from the source")
    assert build_rungs.main(["--tool", "cython"]) == 0 and len(builds) == 1
    assert build_rungs.main(["--tool", "cython"]) == 0 and len(builds) == 1  # up to date
    (build / "cython_rungs.so").write_bytes(b"built from an edited source, then interrupted")
    assert build_rungs.main(["--tool", "cython"]) == 0 and len(builds) == 2
    assert (build / "cython_rungs.so").read_bytes() == b"built from the source"
    status = json.loads((build / "status.json").read_text())["tools"]["cython"]
    assert status["sha256"] == {"cython_rungs": build_rungs.file_sha256(build / "cython_rungs.so")}


@pytest.mark.parametrize("make, what", [(os.mkfifo, "a FIFO"), (os.mkdir, "a folder"),
                                        (lambda p: os.symlink(p.parent.parent / "elsewhere.txt", p), "a symlink")])
def test_a_log_path_that_is_not_a_regular_file_is_refused_before_building(tmp_path, monkeypatch, capsys, make, what):
    """A FIFO at build/<tool>.log hung the build for good, a symlink was written through, a folder stopped the
    run with a traceback and no status.json: each is refused by name, exit 2, nothing built nor written."""
    build, builds = fake_build(tmp_path, monkeypatch, before=lambda tmp, log_path: build_rungs.run(
        [sys.executable, "-c", "print('compiled')"], tmp, None, log_path))
    log = build / "cython.log"
    make(log)
    assert build_rungs.main(["--tool", "cython"]) == 2
    err = capsys.readouterr().err
    assert f"build_rungs.py: error: {log} is {what}, not a regular file: remove it" in err and "Traceback" not in err
    assert not builds and not (build / "status.json").exists() and not (tmp_path / "elsewhere.txt").exists()
    # one put there after the check: this tool's build fails, by name, and never blocks nor writes through it
    monkeypatch.setattr(build_rungs, "log_path_problem", lambda path: None)
    assert build_rungs.build("cython", {}, force=True, log=lambda line: None)["ok"] is False
    assert not (tmp_path / "elsewhere.txt").exists()


@pytest.mark.parametrize("make, what", [(os.mkfifo, "a FIFO"), (os.mkdir, "a folder"),
                                        (lambda p: os.symlink(p.parent.parent / "elsewhere.json", p), "a symlink")])
def test_a_status_file_that_is_not_a_regular_file_is_refused_before_building(tmp_path, monkeypatch, capsys,
                                                                           fifo_unblocker, make, what):
    """A FIFO at build/status.json hung `build_rungs.py` for good (read_status() waited for a writer); a folder
    or a symlink there is not this script's to replace. Each is refused by name, exit 2, nothing built, and it
    is left as it was; read_status_file() names it too, without blocking, for one put there after the check."""
    build, builds = fake_build(tmp_path, monkeypatch)
    status = build / "status.json"
    make(status)
    with fifo_unblocker(status):
        assert build_rungs.main(["--tool", "cython"]) == 2
        err = capsys.readouterr().err
        assert f"build_rungs.py: error: {status} is {what}, not a regular file: remove it" in err
        assert "Traceback" not in err and not builds
        assert not (tmp_path / "elsewhere.json").exists() and os.path.lexists(status) and not status.is_file()
        with pytest.raises(build_rungs.NotRegularFile, match=f"is {what}, not a regular file"):
            build_rungs.read_status_file(status)


def logging_compiler(tmp_path):
    """A compiler that writes each command line it is given (one argument a line, "--" between calls) to the
    returned log and fails: what build_rungs hands the compiler, without compiling."""
    log = tmp_path / "argv.log"
    cc = tmp_path / "fake-cc"
    cc.write_text(f"#!/bin/sh\nprintf '%s\\n' -- \"$@\" >> '{log}'\nexit 1\n")
    cc.chmod(0o755)
    return cc, log


def last(prefix, args):
    return [a for a in args if a.startswith(prefix)][-1]


@pytest.mark.parametrize("tool, package", [("cython", "Cython"), ("pythran", "pythran")])
def test_the_project_flags_come_after_the_users_on_the_compiler_command_line(tmp_path, monkeypatch, tool, package):
    """setuptools puts CPPFLAGS after CFLAGS: given through CFLAGS, the Cython build's -O3 -ffp-contract=off
    came before the user's, and CPPFLAGS=-ffp-contract=fast (or -O0) won, fusing multiply-adds in rows
    labelled separate. Both builds now hand the compiler the project's flags last."""
    pytest.importorskip(package)
    cc, log = logging_compiler(tmp_path)
    for name, value in (("CC", cc), ("CXX", cc), ("CFLAGS", "-O1 -ffp-contract=on"),
                        ("CPPFLAGS", "-O0 -ffp-contract=fast"), ("CXXFLAGS", "-O2 -ffp-contract=fast")):
        monkeypatch.setenv(name, str(value))
    work = tmp_path / "work"
    work.mkdir()
    with pytest.raises(build_rungs.BuildError):
        build_rungs.BUILDERS[tool](work, tmp_path / "build.log")
    compiles = [call for call in log.read_text().split("--\n") if "\n-c\n" in f"\n{call}"]
    assert compiles, log.read_text()
    args = compiles[0].splitlines()
    assert "-O0" in args and "-ffp-contract=fast" in args  # the user's flags are there, and lose
    assert (last("-O", args), last("-ffp-contract=", args)) == ("-O3", "-ffp-contract=off")


@pytest.mark.parametrize("name, value, tools, refused", [
    ("CPPFLAGS", "-DNDEBUG -ffast-math", ["cython"], "-ffast-math"),
    ("CFLAGS", "-O2 -march=native -pipe", ["cython", "mojo"], "-march=native"),
    ("CC", "gcc -mfma", ["cython"], "-mfma"),
    ("CXXFLAGS", "-funsafe-math-optimizations", ["pythran"], "-funsafe-math-optimizations"),
    ("LDFLAGS", "-ffast-math", ["pythran"], "-ffast-math"),
    # GCC's long spellings: --X is read as -fX, --machine-X as -mX
    ("CFLAGS", "-O2 --fast-math", ["cython"], "--fast-math"),
    ("CPPFLAGS", "--machine-arch=native", ["cython"], "--machine-arch=native"),
    ("CFLAGS", "--machine arch=native", ["cython"], "--machine"),
    ("CXXFLAGS", "--unsafe-math-optimizations", ["pythran"], "--unsafe-math-optimizations"),
    # the link command setuptools runs, for Pythran's build too: its first word is the program
    ("LDSHARED", "gcc -pthread -shared -ffast-math", ["cython"], "-ffast-math"),
    ("LDSHARED", "gcc -shared -march=native", ["pythran"], "-march=native"),
    ("LDCXXSHARED", "g++ -shared -ffast-math", ["pythran"], "-ffast-math"),
    # clang's fast math, and GCC's other value-changing ones
    ("CFLAGS", "-ffp-model=fast", ["cython"], "-ffp-model=fast"),
    ("CFLAGS", "-fapprox-func", ["cython"], "-fapprox-func"),
    ("CFLAGS", "-fno-honor-nans", ["cython"], "-fno-honor-nans"),
    ("CFLAGS", "-fno-honor-infinities", ["cython"], "-fno-honor-infinities"),
    ("CFLAGS", "-fsingle-precision-constant", ["cython"], "-fsingle-precision-constant"),
    ("CFLAGS", "-fcx-limited-range", ["cython"], "-fcx-limited-range"),
    # flags that bring in others unseen
    ("CFLAGS", "@flags.rsp", ["cython"], "@flags.rsp"),
    ("CPPFLAGS", "-include fast.h", ["cython"], "-include"),
    ("CPPFLAGS", "--include=fast.h", ["cython"], "--include=fast.h"),
    ("CXXFLAGS", "-imacros fast.h", ["pythran"], "-imacros"),
    ("CFLAGS", "-specs=fast.specs", ["cython"], "-specs=fast.specs"),
    ("CPPFLAGS", "-Wp,-include,fast.h", ["cython"], "-Wp,-include,fast.h"),
    ("CPPFLAGS", "-Xpreprocessor -imacros=fast.h", ["cython"], "-Xpreprocessor -imacros=fast.h"),
    ("LDFLAGS", "-Xlinker /usr/lib/gcc/x86_64-linux-gnu/12/crtfastmath.o", ["cython"],
     "-Xlinker /usr/lib/gcc/x86_64-linux-gnu/12/crtfastmath.o"),
    ("LDFLAGS", "-Wl,@link.rsp", ["cython"], "-Wl,@link.rsp"),
    ("LDFLAGS", "/usr/lib/gcc/x86_64-linux-gnu/12/crtfastmath.o", ["cython"],
     "/usr/lib/gcc/x86_64-linux-gnu/12/crtfastmath.o"),
])
def test_a_flag_the_project_flags_cannot_undo_is_refused_by_name_before_building(tmp_path, monkeypatch, capsys,
                                                                               name, value, tools, refused):
    """Fast math and machine options stay whatever comes after them: such a variable is refused, named with
    its flag, exit 2, nothing built and status.json not written."""
    build, builds = fake_build(tmp_path, monkeypatch)
    monkeypatch.setattr(build_rungs, "BUILDERS", {t: lambda tmp, log_path: builds.append(t) for t in build_rungs.TOOLS})
    monkeypatch.setenv("PYTHRANRC", str(tmp_path / "no-pythranrc"))
    monkeypatch.setenv(name, value)
    assert build_rungs.main([a for t in tools for a in ("--tool", t)]) == 2
    err = capsys.readouterr().err
    assert f"build_rungs.py: error: {name} has {refused}, which " in err and "cannot undo" in err
    assert not builds and not (build / "status.json").exists()


def test_what_the_project_flags_undo_is_built_and_a_tool_refuses_only_what_it_reads(tmp_path, monkeypatch):
    """-Ofast, -O0 and -ffp-contract=fast are undone by the -O3 -ffp-contract=off after them; CXXFLAGS is
    Pythran's alone; .pythranrc's cflags are Pythran's too, refused there."""
    monkeypatch.setenv("CPPFLAGS", "-Ofast -O0 -ffp-contract=fast -I/opt/include -fPIC -m64 -mtune=haswell "
                       "-fno-math-errno -fno-trapping-math --param=max-unroll-times=4 -iquote inc")
    monkeypatch.setenv("LDSHARED", "gcc -pthread -shared")
    monkeypatch.setenv("LDFLAGS", "-Wl,-rpath,/opt/lib -Xlinker --as-needed")
    monkeypatch.setenv("CXXFLAGS", "-march=native")
    rc = tmp_path / "pythranrc"
    rc.write_text("[compiler]\ncflags=-std=c++17 -ffast-math\n")
    monkeypatch.setenv("PYTHRANRC", str(rc))
    assert build_rungs.flag_problems(["cython", "mojo"]) == []
    assert [p.split(", which")[0] for p in build_rungs.flag_problems(["pythran"])] == [
        "CXXFLAGS has -march=native", f"{rc} [compiler] cflags has -ffast-math"]


def test_the_stamp_changes_with_the_compiler_flags_in_the_environment(monkeypatch):
    """A module built under other flags is another build: rebuilt, and refused at load until then."""
    monkeypatch.delenv("CPPFLAGS", raising=False)
    before = {t: build_rungs.stamp(t, "1.0") for t in ("cython", "pythran")}
    monkeypatch.setenv("CPPFLAGS", "-ffp-contract=fast")
    after = {t: build_rungs.stamp(t, "1.0") for t in ("cython", "pythran")}
    assert all(before[t] != after[t] for t in before)


def test_the_stamp_changes_with_the_link_command_in_the_environment(monkeypatch):
    """setuptools links with LDSHARED (Pythran's build too): a module linked with LDSHARED="gcc -shared
    -ffast-math" (crtfastmath, flush-to-zero) counted as up to date once the variable was gone."""
    monkeypatch.delenv("LDSHARED", raising=False)
    monkeypatch.delenv("LDCXXSHARED", raising=False)
    before = {t: build_rungs.stamp(t, "1.0") for t in ("cython", "pythran")}
    monkeypatch.setenv("LDSHARED", "gcc -pthread -shared -ffast-math")
    after = {t: build_rungs.stamp(t, "1.0") for t in ("cython", "pythran")}
    assert all(before[t] != after[t] for t in before)


@pytest.mark.parametrize("name, value, refused", [
    ("CFLAGS", "-O2 -B/tmp/evil/", "-B/tmp/evil/"),  # a specs file in that folder: -ffast-math past ours
    ("CFLAGS", "--prefix=/tmp/evil", "--prefix=/tmp/evil"),
    ("CPPFLAGS", "-wrapper /tmp/w", "-wrapper"),  # a program run in front of every pass
    ("CFLAGS", "-fplugin=/tmp/p.so", "-fplugin=/tmp/p.so"),
    ("CPPFLAGS", "-Wp,-DX,-include,fast.h", "-Wp,-DX,-include,fast.h"),
])
def test_a_flag_that_brings_in_unseen_flags_is_refused(monkeypatch, name, value, refused):
    """A final review's bypasses: a -B folder's specs file and -wrapper put -ffast-math after the project's flags
    (a Cython module built so set flush-to-zero for the whole process); -Wp,... is read part by part."""
    monkeypatch.setenv("PYTHRANRC", "/nonexistent/pythranrc")
    monkeypatch.setenv(name, value)
    (problem,) = build_rungs.flag_problems(["cython"])
    assert problem.startswith(f"{name} has {refused}, which brings in flags or code unseen here")


@pytest.mark.parametrize("name", build_rungs.HIDDEN_SETTINGS)
def test_a_variable_that_swaps_the_compilers_or_sysconfigs_settings_is_refused(monkeypatch, name):
    """Another sysconfig data module brings its own CFLAGS, GCC_EXEC_PREFIX and COMPILER_PATH other passes and
    specs, CCC_OVERRIDE_OPTIONS a rewritten command line: none of it seen by the flag checks."""
    monkeypatch.setenv("PYTHRANRC", "/nonexistent/pythranrc")
    monkeypatch.setenv(name, "/tmp/x")
    assert build_rungs.flag_problems(["cython", "pythran"]) == [
        f"{name} is set ('/tmp/x'): it changes what the cython and pythran builds run, unseen by these checks: "
        "build without it"]
    assert build_rungs.flag_problems(["mojo"]) == []  # no C build
    monkeypatch.setenv(name, "")
    assert build_rungs.flag_problems(["cython"]) == []


def test_pythranrc_libs_linking_fast_math_are_refused(tmp_path, monkeypatch):
    """.pythranrc's [compiler] libs become -l<lib>: `:crtfastmath.o` linked fast math's flush-to-zero."""
    rc = tmp_path / "pythranrc"
    rc.write_text("[compiler]\nlibs=m :crtfastmath.o\n")
    monkeypatch.setenv("PYTHRANRC", str(rc))
    (problem,) = build_rungs.flag_problems(["pythran"])
    assert problem.startswith(f"{rc} [compiler] libs has -l:crtfastmath.o, which brings in")
    rc.write_text("[compiler]\nlibs=m\n")
    assert build_rungs.flag_problems(["pythran"]) == []


def test_distributions_default_flags_are_accepted(monkeypatch):
    """Frame pointers, the generic -march the rows state, and macros through -Wp change no computed value."""
    monkeypatch.setenv("PYTHRANRC", "/nonexistent/pythranrc")
    monkeypatch.setenv("CFLAGS", "-O2 -g -fno-omit-frame-pointer -mno-omit-leaf-frame-pointer -march=x86-64 "
                                 "-Wp,-D_FORTIFY_SOURCE=3 -Wp,-D_GLIBCXX_ASSERTIONS -fstack-protector-strong")
    assert build_rungs.flag_problems(["cython", "pythran"]) == []


def test_the_stamp_names_the_compiler_behind_a_launcher_and_pythranrc_s(tmp_path, monkeypatch):
    """CC="ccache gcc" stamped ccache's version, so a new gcc under ccache did not make the build stale; and with
    CXX unset, Pythran runs .pythranrc's CXX, whose version is stamped now."""
    assert build_rungs.compiler_version("ccache gcc") == build_rungs.compiler_version("gcc") != ""
    assert build_rungs.compiler_version("env FOO=1 gcc") == build_rungs.compiler_version("gcc")
    monkeypatch.delenv("CXX", raising=False)
    rc = tmp_path / "pythranrc"
    rc.write_text("[compiler]\nCXX=/nonexistent/c++\n")
    monkeypatch.setenv("PYTHRANRC", str(rc))
    assert build_rungs.pythranrc_compiler() == "/nonexistent/c++"
