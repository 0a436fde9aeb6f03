"""scripts/ab's world faked for its tests: a `cargo` first on PATH that leaves a `mandel` where it was asked to build
it, that `mandel` (a Python script answering describe, bench, tune from a JSON config, or a shell line), and scripts/ab
run as a user runs it (`ab`: the wrapper, with the scripts' mandel-report) or on another repository (`ab(repo=...)`:
`mandel-report ab-rounds --repo`). Nothing here times anything."""

import json
import os
import subprocess
import sys
from pathlib import Path

import ladder_fixtures as fx
import verdict_rule as verdict

SCRIPTS = Path(__file__).resolve().parents[1]
REPO = SCRIPTS.parent
BIN = str(verdict.MANDEL_REPORT)
SAME = {"naive-f64": 0.1, "fma-f64": 0.05, "rayon-fma-f64": 0.025}

# The fake `mandel`: `c` its config. SIDE=B in its environment marks B's side (--b-env SIDE=B); with `aa_after`, the
# bench calls after that many are B's (an A/A run's second pass, one binary and environment).
FAKE_MANDEL = """#!{python}
import json, os, sys, time
sys.path[:0] = {path!r}
import ladder_fixtures as fx
c = json.load(open({config!r}))
args = sys.argv[1:]
calls = {calls!r}
with open(calls, "a") as f:
    f.write(" ".join(args) + "\\n")
b = os.environ.get("SIDE") == "B"
if "aa_after" in c:
    b = sum(line.startswith("bench --round") for line in open(calls)) > c["aa_after"]
exec(c.get("before", ""))
if args[:2] == ["bench", "--help"]:
    sys.exit(0)
if args[0] == "describe":
    d = fx.describe(c.get("describe_kernels"))
    if b:
        exec(c.get("describe_b", ""))
    print(json.dumps(d))
elif args[0] == "tune":
    print(c.get("tune", "[]"))
elif args[0] == "bench":
    r = int(args[args.index("--round") + 1])
    kernels = c.get("kernels_b" if b else "kernels_a")
    off = {{k["name"]: None for k in kernels or () if k["unavailable"]}}  # no verification, no times
    data = fx.bench_round(r, c["times_b" if b else "times_a"], kernels=kernels,
                          verifications={{**((c.get("verifications_b") if b else None) or {{}}), **off}})
    for k in data["kernels"]:  # a round's time set exactly: each render a little slower than its first
        t = c.get("round_times_b" if b else "round_times_a", {{}}).get(k["name"])
        if t:
            k["times_s"] = [t[r] * f for f in (1.0, 1.01, 1.02)]
    if b:
        exec(c.get("round_b", ""))
    print(json.dumps(data))
"""


def fake_cargo(tmp_path, mandel=None, writes=True, mode="+x", **config):
    """A `cargo` (in tmp_path/bin, for PATH) that logs its working directory and CARGO_TARGET_DIR, refuses a relative
    one (cargo would resolve it against its working directory) and, with `writes`, leaves a `mandel` in
    <CARGO_TARGET_DIR>/release/: a shell script running `mandel` (a line), else the fake answering from `config`. The
    environment scripts/ab runs in: PATH, and both tunings pinned (no tuning looked for) unless `pinned` is False."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(exist_ok=True)
    log = tmp_path / "cargo.log"
    script = tmp_path / "mandel.sh"
    if mandel is not None:
        script.write_text(f"#!/bin/sh\n{mandel}\n")
    else:
        (tmp_path / "mandel.json").write_text(json.dumps({"times_a": SAME, "times_b": SAME, **config}))
        script.write_text(FAKE_MANDEL.format(python=sys.executable, path=[str(Path(__file__).parent), str(SCRIPTS)],
                                             config=str(tmp_path / "mandel.json"), calls=str(tmp_path / "calls")))
    make = (f'mkdir -p "$CARGO_TARGET_DIR/release"\ncp {script} "$CARGO_TARGET_DIR/release/mandel"\n'
            f'chmod {mode} "$CARGO_TARGET_DIR/release/mandel"\n') if writes else ""
    (bin_dir / "cargo").write_text(f'#!/bin/sh\necho "$(pwd) $CARGO_TARGET_DIR" >> {log}\n'
                                   'case "$CARGO_TARGET_DIR" in /*) ;; *) echo "relative: $CARGO_TARGET_DIR" >&2; '
                                   f'exit 3;; esac\n{make}')
    (bin_dir / "cargo").chmod(0o755)
    return log


def environment(tmp_path, pinned=True, **env):
    """scripts/ab's environment: the fake cargo first on PATH, the target folder tmp_path/t, the scripts'
    mandel-report, the tunings pinned (none looked for) unless not `pinned`; `env` over it (None: unset)."""
    out = {**os.environ, "PATH": f"{tmp_path / 'bin'}{os.pathsep}{os.environ['PATH']}",
           "CARGO_TARGET_DIR": str(tmp_path / "t"), "MANDEL_REPORT_BIN": BIN}
    for var in ("CARGO_BUILD_TARGET", "CARGO_BUILD_TARGET_DIR", "MANDEL_TUNING", "MANDEL_C_TUNING", "MANDEL_ISA"):
        out.pop(var, None)
    if pinned:
        out |= {"MANDEL_TUNING": "f32:v4k8", "MANDEL_C_TUNING": "v4k8"}
    out |= env
    return {k: v for k, v in out.items() if v is not None}


def command(*argv, repo=None, stability=False):
    """scripts/ab's command line (scripts/stability's), or mandel-report's on another repository."""
    if repo is not None:
        return [BIN, "ab-rounds", "--repo", str(repo), "--", *(["--as-stability"] if stability else []), *argv]
    return [str(SCRIPTS / ("stability" if stability else "ab")), *argv]


def ab(tmp_path, *argv, repo=None, stability=False, cwd=None, **env):
    """scripts/ab run to its end: (exit status, stdout, stderr)."""
    proc = subprocess.run(command(*argv, repo=repo, stability=stability), cwd=cwd or tmp_path,
                          env=environment(tmp_path, **env), capture_output=True, text=True, timeout=300)
    return proc.returncode, proc.stdout, proc.stderr


def sides(tmp_path, *argv, **config):
    """scripts/ab on fake rounds, B's marked by --b-env SIDE=B, `config` the fake mandel's: (exit status, stdout)."""
    fake_cargo(tmp_path, **config)
    code, out, err = ab(tmp_path, "--b-env", "SIDE=B", "--rounds", "3", *argv)
    assert "Traceback" not in err, err
    return code, out, err


def unavailable(name, kernels=fx.REGISTRY):
    """The registry with kernel `name` unavailable (an ISA path the machine, or MANDEL_ISA, rules out)."""
    return [{**k, "available": False, "unavailable": "needs avx512"} if k["name"] == name else k for k in kernels]


def calls(tmp_path):
    """The fake mandel's command lines, in order."""
    path = tmp_path / "calls"
    return path.read_text().splitlines() if path.exists() else []


def this_machine():
    """This machine's description and id, as scripts/ab finds them."""
    from ladderlib import machine

    here = machine.describe(REPO)
    return here, machine.machine_id(here)
