"""Named baselines of one machine: `scripts/ladder --save-baseline NAME` keeps a copy of a run's results
(FILES and raw/, every input the summary merged) under results/<machine-id>/baselines/NAME/, and
`scripts/compare --baseline NAME` compares it with the machine's current results (crates/report/src/
compare_results.rs finds it, finishing a killed save first as `repair` does). A save goes into a temporary
folder next to its place, then is renamed into place, so an interrupted save leaves no half baseline; saving
under an existing name replaces it.
"""

import contextlib
import os
import shutil
import stat
from pathlib import Path

from . import atomic, readers
from .readers import InputError

FILES = ["summary.json", "summary.csv", "summary.md", "speedup.svg"]


def check_folder_name(name, what):
    """The name itself, or InputError: one folder name (a baseline's, a machine id), no path (the rule:
    crates/report/src/machine.rs, `folder_name`)."""
    readers.ask({"kind": "folder_name", "name": name, "what": what})
    return name


def check_name(name):
    return check_folder_name(name, "baseline name")


def folder(results_dir, name):
    return Path(results_dir) / "baselines" / check_name(name)


def save(results_dir, name):
    """Copy the run in `results_dir` (its summary files and raw/) to results_dir/baselines/NAME/."""
    results_dir = Path(results_dir)
    dest = folder(results_dir, name)
    if not (results_dir / "summary.json").exists():
        raise InputError(f"{results_dir}: no summary.json to keep as baseline {name!r}")
    if odd := not_files(results_dir):
        raise InputError(f"{results_dir}: not saved as baseline {name!r}: " + "; ".join(odd)
                         + " (a save copies files, folders and links, nothing else)")
    dest.parent.mkdir(parents=True, exist_ok=True)
    repair(results_dir)

    def fill(tmp):
        for f in FILES:
            if (results_dir / f).exists():
                shutil.copy2(results_dir / f, tmp / f)
        if (results_dir / "raw").is_dir():
            # Links kept as links: a link to a folder or to /dev/zero would otherwise be copied whole, or forever.
            # But a link to a regular file is copied as the file: a baseline is a snapshot, and a relative link
            # would dangle under baselines/NAME/raw, an absolute one follow its target's later changes.
            shutil.copytree(results_dir / "raw", tmp / "raw", symlinks=True)
            for top, _, entries in os.walk(tmp / "raw"):
                for entry in entries:
                    copy = Path(top) / entry
                    source = results_dir / "raw" / copy.relative_to(tmp / "raw")
                    if copy.is_symlink() and source.is_file():
                        copy.unlink()
                        shutil.copy2(source, copy)

    return atomic.replace_dir(dest, fill)


def not_files(results_dir):
    """What a save could not copy, one "PATH is a FIFO" each: FILES that are not regular files (their links
    followed: copied as files), and anything under raw/ that is not a file, a folder or a link (kept as a link).
    A FIFO would hang the copy or fail it half done; a device would be read whole."""
    results_dir = Path(results_dir)
    odd = []
    for f in FILES:
        with contextlib.suppress(FileNotFoundError):
            if not stat.S_ISREG(mode := os.stat(results_dir / f).st_mode):
                odd.append(f"{results_dir / f} is {atomic.kind(mode)}")
    raw = results_dir / "raw"
    for top, dirs, files in os.walk(raw) if raw.is_dir() else ():
        for entry in dirs + files:
            path = Path(top) / entry
            mode = os.lstat(path).st_mode
            if not (stat.S_ISREG(mode) or stat.S_ISDIR(mode) or stat.S_ISLNK(mode)):
                odd.append(f"{path} is {atomic.kind(mode)}")
    return odd


def repair(results_dir):
    """Finish or undo what a killed `save` left in results_dir/baselines/ (`atomic.repair_swaps`)."""
    return atomic.repair_swaps(Path(results_dir) / "baselines")
