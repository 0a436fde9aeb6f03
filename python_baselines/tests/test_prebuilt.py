"""scripts/prebuilt, run in a throwaway copy of the repository with stub cargo, maturin and scripts/setup:
it replaces only its own earlier output, never an unrelated file or folder nor the repository, and takes
the binary from where cargo put it (CARGO_TARGET_DIR)."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]

CARGO = """#!/usr/bin/env bash
# stub: `cargo build --release --bin mandel` (or `-p mandel-report`) writes a fake binary where cargo would
out="${CARGO_TARGET_DIR:-target}/release"
name=mandel
[ "$*" = "build --release -p mandel-report" ] && name=mandel-report
mkdir -p "$out"
printf '#!/bin/sh\\necho fake %s\\n' "$name" >"$out/$name"
chmod +x "$out/$name"
"""

MATURIN = f"""#!{sys.executable}
# stub: `maturin build ... -o DIR` writes one wheel holding a fake module
import sys, zipfile, pathlib
out = pathlib.Path(sys.argv[sys.argv.index("-o") + 1])
out.mkdir(parents=True, exist_ok=True)
with zipfile.ZipFile(out / "mandel_ladder-0-cp311-abi3-linux_x86_64.whl", "w") as z:
    z.writestr("mandel_ladder/__init__.py", "FAKE = True\\n")
"""


def _exe(path, text):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    path.chmod(0o755)


@pytest.fixture
def fake(tmp_path):
    """A copy of the repository holding only scripts/prebuilt and stubs; returns (repo, env)."""
    repo = tmp_path / "repo"
    (repo / "scripts").mkdir(parents=True)
    shutil.copy2(REPO / "scripts" / "prebuilt", repo / "scripts" / "prebuilt")
    _exe(repo / "scripts" / "setup", "#!/bin/sh\nexit 0\n")
    _exe(repo / ".venv" / "bin" / "maturin", MATURIN)
    (repo / "keep.txt").write_text("the repository's own file\n")
    bin_dir = tmp_path / "bin"
    _exe(bin_dir / "cargo", CARGO)
    env = {k: v for k, v in os.environ.items() if k != "CARGO_TARGET_DIR"}
    env["PATH"] = f"{bin_dir}:{env['PATH']}"
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@t", "-c", "commit.gpgsign=false"]
    subprocess.run(["git", "init", "-q"], cwd=repo, check=True)
    subprocess.run(git + ["add", "-A"], cwd=repo, check=True)
    subprocess.run(git + ["commit", "-qm", "fake"], cwd=repo, check=True)
    return repo, env


def _prebuilt(repo, env, *args, cwd=None):
    return subprocess.run([str(repo / "scripts" / "prebuilt"), *args], cwd=cwd or repo, env=env,
                          capture_output=True, text=True, timeout=120)


def _built(out):
    assert os.access(out / "mandel", os.X_OK) and os.access(out / "mandel-report", os.X_OK)
    assert (out / "mandel-report").read_text().endswith("echo fake mandel-report\n")
    assert (out / "py" / "mandel_ladder" / "__init__.py").read_text() == "FAKE = True\n"
    assert (out / ".mandel-prebuilt").is_file()


def test_builds_and_replaces_its_own_earlier_output(fake, tmp_path):
    repo, env = fake
    out = tmp_path / "out"
    first = _prebuilt(repo, env, str(out))
    assert first.returncode == 0, first.stderr
    _built(out)
    (out / "leftover").write_text("from the earlier build\n")
    second = _prebuilt(repo, env, str(out))
    assert second.returncode == 0, second.stderr
    _built(out)
    assert not (out / "leftover").exists()
    # nothing left beside it: no stage, no .old
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bin", "out", "repo"]


def test_default_dir_is_dot_prebuilt(fake):
    repo, env = fake
    r = _prebuilt(repo, env)
    assert r.returncode == 0, r.stderr
    _built(repo / ".prebuilt")
    assert _prebuilt(repo, env).returncode == 0
    _built(repo / ".prebuilt")


def test_refuses_an_existing_file(fake, tmp_path):
    repo, env = fake
    notes = tmp_path / "notes.txt"
    notes.write_text("mine\n")
    r = _prebuilt(repo, env, str(notes))
    assert r.returncode == 2
    assert "not an earlier scripts/prebuilt output" in r.stderr
    assert notes.read_text() == "mine\n"


def test_refuses_an_unrelated_folder(fake, tmp_path):
    repo, env = fake
    photos = tmp_path / "photos"
    photos.mkdir()
    (photos / "a.jpg").write_text("jpeg\n")
    r = _prebuilt(repo, env, str(photos))
    assert r.returncode == 2
    assert (photos / "a.jpg").read_text() == "jpeg\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bin", "photos", "repo"]


@pytest.mark.parametrize("target", [".", "..", "scripts/.."])
def test_refuses_the_repository_or_a_folder_holding_it(fake, target):
    repo, env = fake
    (repo / target / ".mandel-prebuilt").write_text("a marker does not make the repository fair game\n")
    r = _prebuilt(repo, env, target)
    assert r.returncode == 2
    assert "holds this repository" in r.stderr
    assert (repo / "keep.txt").read_text() == "the repository's own file\n"
    assert (repo / "scripts" / "prebuilt").is_file()


def test_leaves_an_unrelated_dir_old_alone(fake, tmp_path):
    repo, env = fake
    out = tmp_path / "out"
    assert _prebuilt(repo, env, str(out)).returncode == 0
    old = tmp_path / "out.old"
    old.mkdir()
    (old / "precious").write_text("not the script's\n")
    r = _prebuilt(repo, env, str(out))
    assert r.returncode == 0, r.stderr
    _built(out)
    assert (old / "precious").read_text() == "not the script's\n"


def test_takes_the_binary_from_cargo_target_dir(fake, tmp_path):
    repo, env = fake
    elsewhere = tmp_path / "cargo-target"
    r = _prebuilt(repo, {**env, "CARGO_TARGET_DIR": str(elsewhere)}, str(tmp_path / "out"))
    assert r.returncode == 0, r.stderr
    assert not (repo / "target").exists()
    for name in ("mandel", "mandel-report"):
        assert (tmp_path / "out" / name).read_bytes() == (elsewhere / "release" / name).read_bytes()


def test_takes_an_empty_folder(fake, tmp_path):
    repo, env = fake
    out = tmp_path / "empty"
    out.mkdir()  # as `mktemp -d` makes it
    r = _prebuilt(repo, env, str(out))
    assert r.returncode == 0, r.stderr
    _built(out)


def test_refuses_a_symlink_even_to_an_earlier_output(fake, tmp_path):
    repo, env = fake
    out = tmp_path / "out"
    assert _prebuilt(repo, env, str(out)).returncode == 0
    (out / "mine").write_text("kept\n")
    (tmp_path / "link").symlink_to(out)
    r = _prebuilt(repo, env, str(tmp_path / "link"))
    assert r.returncode == 2 and "is a symlink" in r.stderr
    assert (out / "mine").read_text() == "kept\n" and (tmp_path / "link").is_symlink()


@pytest.mark.parametrize("spelling", ["link/", "link//", "./link/."])
def test_refuses_a_symlink_however_spelled(fake, tmp_path, spelling):
    repo, env = fake
    out = tmp_path / "out"
    assert _prebuilt(repo, env, str(out)).returncode == 0
    (out / "mine").write_text("kept\n")
    (tmp_path / "link").symlink_to(out)
    r = _prebuilt(repo, env, spelling, cwd=tmp_path)
    assert r.returncode == 2 and "is a symlink" in r.stderr
    assert (out / "mine").read_text() == "kept\n"
