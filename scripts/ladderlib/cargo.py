"""Where cargo puts the release `mandel` (and `mandel-report`), as the scripts that build it and then run it must
agree; and the `mandel-report` the scripts ask for the verdicts, the sweeps' fits, the summary's notes and its
write-up (`report_binary`, `speaks`, `ask_report`).

Cargo resolves a relative CARGO_TARGET_DIR against its own working directory, which the scripts set (the
repository), while Python would resolve it against the caller's: the two
would name different folders, and the script would run another (stale) binary than the one just built, or none.
So the folder is resolved once, as the user means it (against the directory the command was started in), and
every cargo call is given that absolute path."""

import functools
import json
import os
import subprocess
import sys
from pathlib import Path

from . import atomic
from .readers import InputError


def target_dir(repo, environ=os.environ):
    """The cargo target folder of `repo`'s builds, absolute: CARGO_TARGET_DIR, else CARGO_BUILD_TARGET_DIR (the
    environment's form of a config's build.target-dir, which cargo resolves against its working directory too),
    each relative to the current directory; else repo/target. An empty variable is as unset."""
    given = environ.get("CARGO_TARGET_DIR") or environ.get("CARGO_BUILD_TARGET_DIR")
    return Path.cwd() / given if given else Path(repo) / "target"


def build_env(target, environ=os.environ):
    """The environment of a cargo build whose binary must land in `target`/release/: CARGO_TARGET_DIR set to it,
    absolute. Cargo takes that variable before any config's build.target-dir, so a cargo config cannot move the
    binary elsewhere either."""
    return {**environ, "CARGO_TARGET_DIR": str(target)}


def check_host_build(environ=os.environ):
    """Refuses CARGO_BUILD_TARGET: it makes cargo build for that target into <target>/<triple>/release/, a binary
    that may not run here at all; the scripts run the host's build (unset it for them)."""
    if triple := environ.get("CARGO_BUILD_TARGET"):
        raise InputError(f"CARGO_BUILD_TARGET={triple}: cargo would build for that target, into a folder of its own; "
                         "these scripts build and run mandel for this machine: unset it")


def built(binary, what):
    """`binary` after a cargo build that succeeded; an InputError when cargo put it elsewhere (a cargo config's
    build.target puts it under a folder named for the target)."""
    if not Path(binary).is_file():
        raise InputError(f"{what}: cargo build succeeded but {binary} is not there (does a cargo config set "
                         "build.target? these scripts build for this machine)")
    return binary


def report_binary(repo, environ=os.environ, locked=False):
    """`mandel-report` (crates/report: summary.md and speedup.svg, the sweeps' fits and charts, the checks), checked
    to read the scripts' schemas (`speaks`): MANDEL_REPORT_BIN where set (scripts/test names its test build;
    scripts/prebuilt's copy, which `scripts/ladder --prebuilt DIR` takes from DIR itself), else `repo`'s release
    build, cargo building it first where it is not up to date (seconds; a no-op when it is). A binary of its own, so
    this build never replaces the `mandel` a running ladder times; and it waits for the target folder's
    `.ladder.lock`, as scripts/ab's builds do, so that it never builds while a ladder times (`locked`: the caller
    holds that lock). scripts/compare and scripts/ab, bash scripts, find and build it by the same rules."""
    if given := environ.get("MANDEL_REPORT_BIN"):
        path = Path(given)
        if given != given.strip() or not path.is_file() or not os.access(path, os.X_OK):
            raise InputError(f"MANDEL_REPORT_BIN={given!r}: not an executable file (the path of a built "
                             "mandel-report, without leading or trailing spaces)")
        return speaks(path.resolve())  # a bare name would be looked up on PATH, not here
    check_host_build(environ)
    target = target_dir(repo, environ)
    command = ["cargo", "build", "--release", "-p", "mandel-report"]
    try:
        if locked:
            subprocess.run(command, cwd=repo, env=build_env(target, environ), check=True)
        else:
            target.mkdir(parents=True, exist_ok=True)
            with atomic.lock_file(target.resolve() / ".ladder.lock", lambda pid: print(
                    f"waiting for the ladder or scripts/ab{f' (pid {pid})' if pid else ''} using {target}, to build "
                    "mandel-report without disturbing its timing", file=sys.stderr, flush=True)):
                subprocess.run(command, cwd=repo, env=build_env(target, environ), check=True)
    except (OSError, subprocess.CalledProcessError) as e:
        raise InputError(f"{' '.join(command)}, for the reports on results: {e} (or set MANDEL_REPORT_BIN to a built "
                         "mandel-report)") from None
    return speaks(built(target / "release" / "mandel-report", " ".join(command)))


def report(repo):
    """`report_binary(repo)`, found once per process (and MANDEL_REPORT_BIN's value): the readers ask it to check every
    input a command reads, some before the command asks for its own reports."""
    return _found(repo, os.environ.get("MANDEL_REPORT_BIN"))


@functools.cache
def _found(repo, given):
    return report_binary(repo)


# What the scripts ask `mandel-report` (a request and its answer carry one of these: `ask_report`).
# A command's version goes up when what it reads or answers changes (summary/2: it makes the like-for-like groups a
# summary lacks; finish/2: it makes the groups and the rounds' speed note; finish/3: it builds the rows from the
# checked inputs; compare/2, ab/2: they make each side's speed note, the drift note and compare the differences;
# finish/4: it words what a row's time is; check/2: it reads the rounds and the bench records it checks; finish/5:
# it knows the peak's rates and the tuning variables; check/3: it answers the tunings, what tune rows pin and their
# tie band, and two peaks combined; check/5: it holds the pyo3-* rungs to the kernels they wrap; finish/6: it finds
# each pyo3-* row's tuned family itself; check/6: it describes the CPU and names machines, and says
# which Python baselines are foreign; finish/7: it labels the Python rows' problem;
# summary/3, sweeps/2: they write the CSV too; check/7: it says whether a kept tuning is this machine's; scripts/ab's report is
# no longer asked for: `ab-rounds` makes it).
VERSIONS = {"verdicts": 1, "sweeps": 2, "summary": 3, "finish": 7, "compare": 2, "check": 7}
SCHEMAS = [f"mandel-report-{command}/{version}" for command, version in VERSIONS.items()]


def speaks(mandel_report):
    """`mandel_report`, once it says (`mandel-report schemas`) that it reads every one of SCHEMAS: a binary of another
    version (a stale MANDEL_REPORT_BIN or --prebuilt folder) is refused when found, before any work, not after it."""
    try:
        proc = subprocess.run([mandel_report, "schemas"], capture_output=True, text=True, encoding="utf-8",
                              errors="replace")
        spoken = json.loads(proc.stdout) if proc.returncode == 0 else []
    except (OSError, ValueError):
        spoken = []
    if missing := [s for s in SCHEMAS if not isinstance(spoken, list) or s not in spoken]:
        raise InputError(f"{mandel_report} does not read {', '.join(missing)}: a mandel-report of another version "
                         "than these scripts (rebuild it: cargo build --release -p mandel-report; scripts/prebuilt "
                         "for a --prebuilt folder)")
    return mandel_report


# A report is milliseconds of work; a binary that has not answered in this long never will (a hung one would
# otherwise hang the ladder at its end, or scripts/ab).
ANSWER_TIMEOUT_S = 120


def ask_report(mandel_report, command, request):
    """`mandel-report COMMAND`'s answer to `request` (a dict, sent as JSON with its schema, mandel-report-COMMAND/N
    of `VERSIONS`, which the answer must carry too: a binary of another version is refused by name). Every failure is
    an InputError naming the command: one that cannot start, exits non-zero or is killed, or prints no such answer,
    or a request with a NaN or an infinity (JSON has neither)."""
    schema = f"mandel-report-{command}/{VERSIONS[command]}"
    said = f"{mandel_report} {command}"
    try:
        text = json.dumps({"schema": schema, **request}, allow_nan=False)
    except ValueError as e:  # JSON has no NaN or infinity: a summary's field (one the readers do not check) held one
        raise InputError(f"{said}: the request holds a number JSON cannot: {e}") from None
    try:
        proc = subprocess.run([mandel_report, command], input=text, capture_output=True, text=True, encoding="utf-8",
                              errors="replace", timeout=ANSWER_TIMEOUT_S)
    except OSError as e:
        raise InputError(f"{said}: {e}") from None
    except subprocess.TimeoutExpired:
        raise InputError(f"{said} gave no answer in {ANSWER_TIMEOUT_S} s (a report takes well under a second)") from None
    if proc.returncode != 0:
        how = f"was killed by signal {-proc.returncode}" if proc.returncode < 0 else f"exited {proc.returncode}"
        raise InputError(f"{said} {how}: {proc.stderr.strip() or 'no message'}")
    try:
        answer = json.loads(proc.stdout)
    except ValueError as e:
        raise InputError(f"{said} printed no JSON ({e}): {proc.stdout[:200]!r}") from None
    if not isinstance(answer, dict) or answer.get("schema") != schema:
        raise InputError(f"{said} printed no {schema} answer (a binary of another version? rebuild it: cargo build "
                         f"--release -p mandel-report): {proc.stdout[:200]!r}")
    return answer
