"""Issue 20, class "write targets": what a write goes to. A symlink is followed and its target replaced
whole (the link stays a link); a path that exists and is not a regular file (device, FIFO, socket,
folder) is refused naming it, before any work; stale temporaries of killed writes are cleaned.
Everything here happens in temporary folders (the tests run as root: never /dev/null itself)."""

import json
import os
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from ladderlib import atomic
from ladderlib.atomic import NotAFileError

ROOT = os.geteuid() == 0


def dev_null_copy(folder):
    """A character device like /dev/null (1, 3), made inside `folder`; skip unless root."""
    if not ROOT:
        pytest.skip("mknod needs root")
    path = Path(folder) / "null"
    os.mknod(path, 0o666 | stat.S_IFCHR, os.makedev(1, 3))
    return path


def fifo(folder):
    path = Path(folder) / "fifo"
    os.mkfifo(path)
    return path


def test_a_symlink_is_written_through_and_stays_a_link(tmp_path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    target = elsewhere / "real.json"
    target.write_text("old")
    link = tmp_path / "link.json"
    link.symlink_to(target)
    atomic.write_text(link, "new")
    assert link.is_symlink() and os.readlink(link) == str(target)
    assert target.read_text() == "new"
    assert not [p for p in tmp_path.rglob("*.tmp")]  # the temporary file was renamed in the target's folder


def test_a_dangling_symlink_creates_its_target(tmp_path):
    link = tmp_path / "link.json"
    link.symlink_to(tmp_path / "made.json")
    atomic.write_text(link, "x")
    assert link.is_symlink() and (tmp_path / "made.json").read_text() == "x"


@pytest.mark.parametrize("make,kind", [(fifo, "a FIFO"), (dev_null_copy, "a character device"),
                                       (lambda d: d, "a folder")])
def test_what_is_not_a_regular_file_is_refused_and_left_as_it_was(tmp_path, make, kind):
    folder = tmp_path / "d"
    folder.mkdir()
    path = make(folder)
    mode = os.lstat(path).st_mode
    with pytest.raises(NotAFileError, match=kind) as info:
        atomic.write_text(path, "data")
    assert str(path) in str(info.value)
    assert os.lstat(path).st_mode == mode  # still a device / FIFO / folder
    assert not [p for p in folder.iterdir() if p.name.endswith(".tmp")]
    # through a symlink too: the link's target is what counts
    link = tmp_path / "link"
    link.symlink_to(path)
    with pytest.raises(NotAFileError, match=kind):
        atomic.check_target(link)
    assert link.is_symlink()


def test_move_into_replaces_a_symlinks_target(tmp_path):
    target = tmp_path / "sub" / "records.json"
    target.parent.mkdir()
    target.write_text("old")
    link = tmp_path / "records.json"
    link.symlink_to(target)
    new = tmp_path / "records.new.json"
    new.write_text("new")
    atomic.move_into(new, link)
    assert link.is_symlink() and target.read_text() == "new" and not new.exists()


def _dead_pid():
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def test_stale_temporaries_of_killed_writes_are_cleaned_and_nothing_else(tmp_path):
    other = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])  # another live process
    dead, alive = _dead_pid(), other.pid
    stale = tmp_path / f".summary.json.{dead}.abcd1234.tmp"
    live = tmp_path / f".summary.json.{alive}.abcd1234.tmp"
    # this process's own pid: left by an earlier process that had it (a container's ladder gets one pid each
    # time), since nothing of this one's is there before the scan
    earlier = tmp_path / f".summary.md.{os.getpid()}.abcd1234.tmp"
    earlier.write_text("x")
    mine = tmp_path / ".notes.tmp"  # not our naming pattern
    no_pid = tmp_path / ".summary.md.zz_9abcd.tmp"  # no pid: whose it is cannot be known, so it stays
    fresh = tmp_path / f".summary.csv.{dead}.abcd1234.tmp"  # touched within the hour: perhaps another pid
    for p in (stale, live, mine, no_pid, fresh):  # namespace's live writer, which looks dead from here
        p.write_text("x")
    for p in (stale, live, mine, no_pid, earlier):
        os.utime(p, (time.time() - atomic.STALE_AFTER_S - 60,) * 2)
    try:
        assert sorted(atomic.clean_stale(tmp_path)) == sorted([stale, earlier])
        assert live.exists() and mine.exists() and no_pid.exists() and fresh.exists()
    finally:
        other.kill()
        other.wait()


def test_a_write_removes_its_targets_temporaries_left_by_killed_writers_and_nothing_else(tmp_path):
    """A killed write left its temporary file beside the target for ever (outside the folders the ladder scans).
    The next write of that target removes those whose writer is gone (this process's own pid included: an earlier
    process had it) and that went untouched for an hour; not a live writer's, not a fresh one, not another target's,
    not a name that only looks like one."""
    other = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])  # another live process
    dead = _dead_pid()
    stale, earlier = f".a.json.{dead}.abcd1234.tmp", f".a.json.{os.getpid()}.abcd1234.tmp"
    kept = [f".a.json.{other.pid}.abcd1234.tmp", f".b.json.{dead}.abcd1234.tmp",
            f".a.json.{dead}.abcd.tmp", f".a.json.{dead}.abcd1234.tmp.bak", f".x.a.json.{dead}.abcd1234.tmp",
            f".a.json.0{dead}.abcd1234.tmp"]
    for name in [stale, earlier, *kept]:
        (tmp_path / name).write_text("left")
        os.utime(tmp_path / name, (time.time() - atomic.STALE_AFTER_S - 60,) * 2)
    fresh = f".a.json.{dead}.abcd5678.tmp"  # touched within the hour: kept (perhaps a live writer elsewhere)
    (tmp_path / fresh).write_text("writing")
    try:
        atomic.write_text(tmp_path / "a.json", "new")
        assert sorted(p.name for p in tmp_path.iterdir()) == sorted([*kept, fresh, "a.json"])
    finally:
        other.kill()
        other.wait()


def test_a_write_names_its_temporary_with_the_pid(tmp_path, monkeypatch):
    seen = []
    real = atomic.tempfile.mkstemp

    def spy(**kw):
        fd, name = real(**kw)
        seen.append(Path(name).name)
        return fd, name

    monkeypatch.setattr(atomic.tempfile, "mkstemp", spy)
    atomic.write_text(tmp_path / "a.json", "x")
    assert atomic.TEMP_NAME.fullmatch(seen[0])[1] == str(os.getpid())


# --- the ladder: checked before any work ----------------------------------------------------------


def test_the_ladder_refuses_a_result_path_that_is_a_fifo_before_any_work(fake_ladder, capsys):
    fake, run_ladder = fake_ladder  # the ladder with its commands faked
    out = fake.out
    (out / "raw").mkdir(parents=True)
    fifo_path = out / "summary.json"
    os.mkfifo(fifo_path)
    assert run_ladder("--skip-bench", "--skip-python") == 2
    err = capsys.readouterr().err
    assert f"{fifo_path} is a FIFO, not a regular file" in err
    assert fake.calls == []  # nothing built, described or timed
    assert stat.S_ISFIFO(os.lstat(fifo_path).st_mode)


def test_the_ladder_writes_through_a_symlinked_summary(fake_ladder):
    fake, run_ladder = fake_ladder
    assert run_ladder("--skip-bench") == 0
    kept = fake.out.parent / "kept-summary.json"
    os.replace(fake.out / "summary.json", kept)
    (fake.out / "summary.json").symlink_to(kept)
    assert run_ladder("--skip-bench") == 0
    assert (fake.out / "summary.json").is_symlink()
    assert json.loads(kept.read_text())["schema"] == "mandel-ladder-summary/1"


@pytest.fixture
def fake_ladder(tmp_path, monkeypatch):
    from test_ladder_robust import installed
    from ladderlib import ladder

    f = installed(tmp_path, monkeypatch)
    return f, lambda *argv: ladder.guarded(ladder.main, ["--out-dir", str(f.out), *argv])


def test_compare_md_to_a_fifo_is_refused(tmp_path):
    from compare_report import compare
    from test_ladder_compare import write_summary

    a = write_summary(tmp_path, "a", 1.0)
    b = write_summary(tmp_path, "b", 2.0)
    target = fifo(tmp_path)
    code, _, err = compare(a, b, "--md", target)
    assert code == 2 and "is a FIFO, not a regular file" in err
    assert stat.S_ISFIFO(os.lstat(target).st_mode)


# --- an output in a folder that does not exist: refused before the work, not a traceback after it ---


def test_check_output_wants_the_folder_to_exist(tmp_path):
    with pytest.raises(atomic.InputError, match="folder .*no-such-folder does not exist"):
        atomic.check_output(tmp_path / "no-such-folder" / "x.json", "--out")
    (tmp_path / "file").write_text("")
    with pytest.raises(atomic.InputError, match="Not a directory|is not a folder"):
        atomic.check_output(tmp_path / "file" / "x.json", "--out")
    assert atomic.check_output(tmp_path / "x.json", "--out") == tmp_path / "x.json"
    link = tmp_path / "link"
    link.symlink_to(tmp_path / "gone" / "x.json")  # a dangling link into a missing folder
    with pytest.raises(atomic.InputError, match="does not exist"):
        atomic.check_output(link, "--out")


def test_ab_out_in_a_missing_folder_is_refused_before_measuring(tmp_path):
    import ab_fakes as fake

    log = fake.fake_cargo(tmp_path)
    code, _, err = fake.ab(tmp_path, "--out", str(tmp_path / "missing" / "ab.json"))
    assert code == 2 and "does not exist" in err and not log.exists()


def test_sweep_out_in_a_missing_folder_is_refused_before_timing(tmp_path):
    out = tmp_path / "missing" / "sweep.json"
    r = subprocess.run([sys.executable, "-m", "python_baselines.sweep",
                        "--sizes", "8", "--iters", "5", "--iters-size", "8", "--budget", "0", "--out", str(out)],
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 2 and "does not exist" in r.stderr and "Traceback" not in r.stderr, r.stderr
