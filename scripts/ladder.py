"""The Mandelbrot speedup ladder on this machine, in one command (run it as `scripts/ladder`).

Describes the machine, builds, runs `cargo bench --bench ladder` (Criterion times every Rust kernel
after verifying it), runs the Python baselines, then merges Criterion's own result files, `mandel
list/verify/peak --json` and the baselines JSON into results/<machine-id>/: summary.md, summary.json,
summary.csv, speedup.svg, mandelbrot.png, and raw/ with every input it merged. Nothing is re-timed here.
"""

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from ladderlib import baseline, chart, machine, readers, sweeps, writers  # noqa: E402
from ladderlib.merge import merge  # noqa: E402
from ladderlib.readers import InputError  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
TARGET = Path(os.environ.get("CARGO_TARGET_DIR") or REPO / "target")
MANDEL = TARGET / "release" / "mandel"
START = time.monotonic()


def log(message):
    print(f"[{time.monotonic() - START:6.1f}s] {message}", flush=True)


def stream(args, log_path, env=None):
    """Run a command, printing its output as it comes (with the elapsed time) and keeping a copy."""
    log("$ " + " ".join(map(str, args)))
    with open(log_path, "w", encoding="utf-8") as keep, subprocess.Popen(
        list(map(str, args)), cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        text=True, bufsize=1, errors="replace",
    ) as proc:
        for line in proc.stdout:
            keep.write(line)
            print(f"[{time.monotonic() - START:6.1f}s]   {line.rstrip()}", flush=True)
    return proc.returncode


def mandel_json(args, path):
    """`mandel <args>` whose stdout is JSON, saved to `path`. `verify` exits 1 when a kernel fails and
    still prints its rows, so any exit with output counts; the reader judges the content."""
    log(f"$ mandel {' '.join(args)} > {path.relative_to(REPO) if path.is_relative_to(REPO) else path}")
    proc = subprocess.run([str(MANDEL), *args], cwd=REPO, capture_output=True, text=True)
    if not proc.stdout.strip():
        log(f"  failed (exit {proc.returncode}): {proc.stderr.strip()}")
        return False
    path.write_text(proc.stdout, encoding="utf-8")
    return True


def subcommands():
    """The subcommands this build of `mandel` has, from its --help."""
    proc = subprocess.run([str(MANDEL), "--help"], capture_output=True, text=True)
    return parse_subcommands(proc.stdout)


def parse_subcommands(help_text):
    section = help_text.partition("Commands:")[2].split("\n\n")[0]
    return {line.split()[0] for line in section.splitlines() if line.strip()}


def criterion_settings(quick, source=REPO / "benches" / "ladder.rs"):
    """Sample size, warm-up and measurement time, read from the bench source."""
    text = source.read_text(encoding="utf-8") if source.exists() else ""
    size = re.search(r"sample_size\((\d+)\)", text)
    times = re.search(r"if quick\(\) \{\s*\(([\d.]+),\s*([\d.]+)\)\s*\} else \{\s*\(([\d.]+),\s*([\d.]+)\)", text)
    name = source.relative_to(REPO) if source.is_relative_to(REPO) else source.name
    settings = {"source": str(name), "sample_size": int(size[1]) if size else None}
    if times:
        warm, measure = (times[1], times[2]) if quick else (times[3], times[4])
        settings.update(warm_up_s=float(warm), measurement_s=float(measure))
    return settings


def collect_criterion(src_root, raw, isa_of, since=None):
    """Copy the ladder group's Criterion files (estimates, benchmark, sample) into raw/criterion, the
    same tree shape, leaving out results older than `since` (not from this run); read them back."""
    dest = raw / "criterion"
    shutil.rmtree(dest, ignore_errors=True)
    for r in readers.read_criterion(src_root, isa_of).values():
        if since is not None and r["mtime"] < since:
            log(f"  ignoring {r['full_id']}: left by an earlier run (not timed in this one)")
            continue
        src = Path(r["dir"])
        to = dest / src.relative_to(src_root)
        to.mkdir(parents=True)
        for name in ("estimates.json", "benchmark.json", "sample.json"):
            if (src / name).exists():
                shutil.copy2(src / name, to / name)
    return readers.read_criterion(dest, isa_of)


def optional(read, path, what):
    """(data, None) or (None, why it is missing) for an input the summary can do without."""
    if not path.exists():
        return None, f"{what}: not available"
    try:
        return read(path), None
    except InputError as e:
        log(f"  WARNING: {e}")
        return None, f"{what}: unusable ({e})"


def python_baselines(args, raw):
    dest = raw / "baselines.json"
    if args.baselines:
        shutil.copy(args.baselines, dest)
        return optional(readers.read_baselines, dest, "Python baselines") + (f"merged from {args.baselines}",)
    if args.skip_python:
        if dest.exists():
            log(f"--skip-python: reusing {dest} from an earlier run")
            return optional(readers.read_baselines, dest, "Python baselines") + ("reused from an earlier run",)
        return None, "not run (--skip-python)", None
    script = REPO / "python_baselines" / "run.py"
    if not script.exists():
        return None, "not run: python_baselines/run.py is not in this checkout", None
    dest.unlink(missing_ok=True)
    command = [sys.executable, script, "--out", dest] + (["--quick"] if args.quick else [])
    rc = stream(command, raw / "python.log")
    if rc != 0:
        log(f"  WARNING: python_baselines/run.py exited {rc} (log: {raw / 'python.log'})")
    if not dest.exists():
        return None, f"python_baselines/run.py failed (exit {rc}), see raw/python.log", None
    return optional(readers.read_baselines, dest, "Python baselines") + ("run now",)


def parse_args(argv):
    p = argparse.ArgumentParser(prog="scripts/ladder", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--quick", action="store_true", help="a first look in about a minute: short Criterion "
                   "measurements (MANDEL_BENCH_QUICK=1) and run.py --quick")
    p.add_argument("--skip-python", action="store_true", help="do not run the Python baselines "
                   "(an earlier run's raw/baselines.json is reused if there is one)")
    p.add_argument("--skip-bench", action="store_true", help="do not run Criterion: re-merge the raw results "
                   "already in the output folder (or target/criterion when there are none)")
    p.add_argument("--baselines", type=Path, help="merge this baselines JSON instead of running run.py")
    p.add_argument("--machine-id", help="name of the results folder (default: derived from the CPU and cores)")
    p.add_argument("--out-dir", type=Path, help="where to write (default: results/<machine-id>)")
    p.add_argument("--sweeps", action="store_true", help="also run the cost-growth sweeps (sizes 240..3840 at "
                   "200 iterations, caps 50..5000 at 960x960) for the best brute-force Rust rung, the best scalar "
                   "one and Numba parallel; writes sweeps/ (CSV, JSON, Markdown fits, log-log SVGs). About a minute on 2 cores")
    p.add_argument("--sweep-kernels", type=lambda t: [k.strip() for k in t.split(",") if k.strip()],
                   help="comma-separated Rust kernels to sweep instead of the best brute-force and scalar rungs")
    p.add_argument("--sweep-budget", type=float, help="seconds of timed renders per sweep point "
                   "(default 0.5; 0.05 with --quick); at least 3 renders each")
    p.add_argument("--save-baseline", metavar="NAME", help="keep this run (summary files and raw/) as baseline "
                   "NAME under <results>/baselines/NAME/, for `scripts/compare --baseline NAME`; with --skip-bench, "
                   "the results already there")
    args = p.parse_args(argv)
    if args.save_baseline is not None:
        try:
            baseline.check_name(args.save_baseline)
        except InputError as e:
            p.error(str(e))
    if args.sweep_budget is not None and not args.sweep_budget >= 0:
        p.error("--sweep-budget must be a non-negative number of seconds")
    return args


def run_sweeps(args, summary, registry, out, mid):
    """The cost-growth sweeps: the chosen Rust kernels through `mandel sweep`, Numba parallel through
    python_baselines/sweep.py; written under out/sweeps/. Returns False if one failed."""
    budget = args.sweep_budget if args.sweep_budget is not None else (0.05 if args.quick else 0.5)
    known = {k["name"] for k in registry or []}
    kernels = args.sweep_kernels or [k for k in sweeps.pick_kernels(summary, registry) if k]
    if not kernels:
        fallback = ["rayon-simd-f32", "rayon-fma-f32", "fma-f32"]
        kernels = [k for k in fallback if k in known][:1] + (["fma-f32"] if "fma-f32" in known else [])
        log(f"  no timed rows to pick the best rungs from: sweeping {', '.join(kernels)}")
    unknown = [k for k in kernels if known and k not in known]
    if unknown:
        raise InputError(f"--sweep-kernels: unknown kernel(s) {', '.join(unknown)}; known: {', '.join(sorted(known))}")
    dest = out / "sweeps"
    raw = dest / "raw"
    raw.mkdir(parents=True, exist_ok=True)
    results, ok = [], True
    for k in dict.fromkeys(kernels):
        path = raw / f"{k}.json"
        log(f"sweeping {k} (budget {budget:g} s a point)")
        # stdout straight to the file: reading stderr line by line while the JSON piles up in an unread
        # stdout pipe deadlocks once the JSON outgrows the pipe's buffer (64 KiB).
        with open(raw / f"{k}.log", "w", encoding="utf-8") as err, open(path, "w", encoding="utf-8") as sink:
            proc = subprocess.Popen([str(MANDEL), "sweep", "-k", k, "--budget", str(budget), "--json"], cwd=REPO,
                                    stdout=sink, stderr=subprocess.PIPE, text=True, bufsize=1)
            for line in proc.stderr:
                err.write(line)
                log("  " + line.rstrip())
            proc.wait()
        text = path.read_text(encoding="utf-8")
        if proc.returncode != 0:
            log(f"  ERROR: mandel sweep -k {k} exited {proc.returncode} (log: {raw / f'{k}.log'})")
            ok = False
            continue
        results.append(json.loads(text))
    if args.skip_python:
        log("  --skip-python: no Numba parallel sweep")
    else:
        path = raw / "numba-parallel.json"
        log(f"sweeping numba-parallel (budget {budget:g} s a point)")
        rc = stream([sys.executable, REPO / "python_baselines" / "sweep.py", "--budget", budget, "--out", path],
                    raw / "numba-parallel.log")
        if rc == 0 and path.exists():
            results.append(json.loads(path.read_text(encoding="utf-8")))
        else:
            log(f"  ERROR: python_baselines/sweep.py exited {rc} (log: {raw / 'numba-parallel.log'})")
            ok = False
    written = sweeps.write_all(results, dest, mid)
    for f in sweeps.fits(results):
        if "ns_per_iteration" in f:
            log(f"  fit {f['kernel']} {f['axis']}: {f['ns_per_iteration']:.3f} ns/iteration, "
                f"intercept {f['intercept_s'] * 1e3:.3f} ms, R^2 {f['r2']:.4f}, worst point {f['max_rel_residual']:.0%} off")
    log(f"sweeps in {dest}: {', '.join(p.name for p in written)}")
    return ok


def main(argv=None):
    args = parse_args(argv)
    log("describing the machine")
    desc = machine.describe(REPO)
    mid = args.machine_id or machine.machine_id(desc)
    out = args.out_dir or REPO / "results" / mid
    raw = out / "raw"
    raw.mkdir(parents=True, exist_ok=True)
    run_file = raw / "run.json"
    if args.skip_bench and (raw / "machine.json").exists():
        log(f"--skip-bench: the results in {raw} were measured on the machine described there")
        desc = readers.load_json(raw / "machine.json")
    run = {"quick": args.quick, "criterion": criterion_settings(args.quick),
           "pool_threads": int(os.environ.get("RAYON_NUM_THREADS") or desc.get("cores") or 1)}
    if args.skip_bench and run_file.exists():
        run = readers.load_json(run_file)
    for label, value in writers.machine_lines({"machine_id": mid, "machine": desc, "settings": {**run, "params": None}})[:8]:
        log(f"  {label}: {value}")

    log("building the release binary")
    if stream(["cargo", "build", "--release", "--bin", "mandel"], raw / "build.log") != 0:
        log("ERROR: cargo build failed; see the output above")
        return 1

    failed = False
    commands = subcommands()
    if not (args.skip_bench and (raw / "list.json").exists()):
        mandel_json(["list", "--json"], raw / "list.json")
    if not (args.skip_bench and (raw / "verify.json").exists()):
        log("verifying every kernel against the f64 reference")
        mandel_json(["verify", "--json"], raw / "verify.json")
    for sub in ("peak", "lanes"):
        if sub in commands and not (args.skip_bench and (raw / f"{sub}.json").exists()):
            log(f"measuring with `mandel {sub}`")
            mandel_json([sub, "--json"], raw / f"{sub}.json")
        elif sub not in commands:
            log(f"`mandel {sub}` is not in this build: shown as missing")

    registry, registry_missing = optional(readers.read_list, raw / "list.json", "`mandel list --json`")
    verify, _ = optional(readers.read_verify, raw / "verify.json", "`mandel verify --json`")
    peak, _ = optional(readers.read_peak, raw / "peak.json", "`mandel peak --json`")
    lanes_rows, _ = optional(readers.load_json, raw / "lanes.json", "`mandel lanes --json`")
    isa_of = {k["name"]: k["isa"] for k in registry or []}

    if args.skip_bench:
        have_raw = bool(readers.criterion_dirs(raw / "criterion"))
        src = raw / "criterion" if have_raw else TARGET / "criterion"
        log(f"--skip-bench: merging the Criterion results in {src}")
        criterion = readers.read_criterion(src, isa_of) if have_raw else collect_criterion(src, raw, isa_of)
    else:
        log("running the Criterion ladder" + (" (quick)" if args.quick else "") + ": every kernel verified, then timed")
        env = {**os.environ, **({"MANDEL_BENCH_QUICK": "1"} if args.quick else {})}
        started = time.time() - 1
        if stream(["cargo", "bench", "--bench", "ladder"], raw / "bench.log", env=env) != 0:
            # Go on: what Criterion finished is merged, the rest shows as missing; the exit status says it.
            log("ERROR: cargo bench failed; see the output above. Merging what it finished.")
            failed = True
        criterion = collect_criterion(TARGET / "criterion", raw, isa_of, since=started)
        desc["load_average_after_bench"] = machine.load_average()
    run.setdefault("criterion", {})
    samples = sorted({r["samples"] for r in criterion.values() if r.get("samples")})
    run["criterion"]["samples"] = "–".join(map(str, samples[:1] + samples[-1:] if len(samples) > 1 else samples))
    run_file.write_text(json.dumps(run, indent=2) + "\n", encoding="utf-8")
    (raw / "machine.json").write_text(json.dumps(desc, indent=2) + "\n", encoding="utf-8")

    log("Python baselines")
    baselines, baselines_missing, python_source = python_baselines(args, raw)
    if baselines is None:
        log(f"  Python rungs missing: {baselines_missing}")
    run["python_source"] = python_source

    log("rendering the canonical image")
    subprocess.run([str(MANDEL), "render", "-k", "naive-f64", "--png", str(out / "mandelbrot.png")], cwd=REPO,
                   check=False, stdout=subprocess.DEVNULL)

    log("merging")
    summary = merge(desc, mid, run, registry=registry, verify=verify, criterion=criterion, baselines=baselines,
                    baselines_missing=baselines_missing or "", peak=peak,
                    lanes=readers.lane_iterations(registry, verify, lanes_rows),
                    registry_missing=registry_missing or "")
    writers.write_all(summary, out)
    chart.write_svg(summary, out / "speedup.svg")
    print()
    print(writers.console_table(summary))
    print()
    for note in summary["notes"]:
        print(f"- {note}")
    print()
    log(f"results in {out}: summary.md, summary.json, summary.csv, speedup.svg, mandelbrot.png, raw/")
    if args.sweeps and not run_sweeps(args, summary, registry, out, mid):
        failed = True
    if args.save_baseline and failed:
        log(f"not saving baseline {args.save_baseline!r}: this run failed")
    elif args.save_baseline:
        log(f"saved as baseline {args.save_baseline!r}: {baseline.save(out, args.save_baseline)}")
    return 1 if failed else 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except InputError as e:
        print(f"ladder: error: {e}", file=sys.stderr)
        sys.exit(2)
    except KeyboardInterrupt:
        sys.exit(130)
