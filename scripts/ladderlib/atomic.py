"""The one way the Python side writes a file: to a temporary file `.<name>.<pid>.<random>.tmp` in the same folder,
flushed, then renamed over the target, so a crash or Ctrl-C leaves the old file or the complete new one. A symlink's
target is replaced (the link stays); a path that is not a regular file once links are followed is refused
(`NotAFileError`) before anything is written. A folder is replaced whole the same way, by rename (`replace_dir`, or
`staging` then `swap_in`); only a real folder is replaced so (no link followed)."""

import contextlib
import fcntl
import hashlib
import os
import re
import shutil
import stat
import tempfile
import time
from pathlib import Path

from .readers import InputError

WRITTEN = set()  # the targets (symlinks resolved) this process has replaced or created
KINDS = {stat.S_IFDIR: "a folder", stat.S_IFCHR: "a character device", stat.S_IFBLK: "a block device",
         stat.S_IFIFO: "a FIFO", stat.S_IFSOCK: "a socket", stat.S_IFLNK: "a symlink", stat.S_IFREG: "a regular file"}


def kind(mode):
    """What a file's mode (`os.lstat`'s, or `os.stat`'s) says it is, for messages: "a symlink", "a FIFO", ..."""
    return KINDS.get(stat.S_IFMT(mode), "something else")


class NotAFileError(InputError):
    """An output path that exists and is not a regular file (after following symlinks)."""


def check_target(path, what="output"):
    """Where a write to `path` goes (symlinks followed); NotAFileError when that exists and is not a regular file."""
    path = Path(path)
    target = Path(os.path.realpath(path))
    try:
        mode = os.stat(target).st_mode
    except FileNotFoundError:
        return target
    except OSError as e:
        raise NotAFileError(f"{path}: cannot write the {what} there: {e.strerror or e}") from None
    if not stat.S_ISREG(mode):
        via = f" (what {path} resolves to)" if target != path.absolute() else ""
        raise NotAFileError(f"{target}{via} is {kind(mode)}, not a regular file: refusing to write the {what} there "
                            "(writes replace regular files only)")
    return target


def check_output(path, what="output"):
    """`check_target`, and the folder exists: for an output named on the command line, checked before any work."""
    target = check_target(path, what)
    if not target.parent.is_dir():
        raise InputError(f"{path}: cannot write the {what} there: folder {target.parent} does not exist")
    return target


def write_bytes(path, data):
    with replacing(path, binary=True) as f:
        f.write(data)


def write_text(path, text):
    write_bytes(path, text.encode("utf-8"))


def move_into(src, path):
    """Rename the finished file `src` over `path` (copied whole onto another file system); the target."""
    target = check_target(path)
    if os.stat(src).st_dev == os.stat(target.parent).st_dev:
        os.replace(src, target)
        WRITTEN.add(target)
    else:
        write_bytes(target, Path(src).read_bytes())
        os.unlink(src)
    return target


# The process's umask, read once: temporary files are created 0600, and get the mode a plain open()
# would have given them (0666 less the umask) before they are renamed into place.
_UMASK = os.umask(0o022)
os.umask(_UMASK)
TEMP_NAME = re.compile(r"\..+?\.([1-9][0-9]*)\.[A-Za-z0-9_]{8}\.tmp")  # as `replacing` names them (a pid as written)
# A temporary file is a dead writer's only when also untouched this long: a writer in another pid namespace sharing
# the folder (another container) looks dead from here, but a live writer's file is fresh (the longest, a log,
# grows every round). mandel uses the same age (crates/atomic, STALE_AFTER).
STALE_AFTER_S = 3600


def untouched(path):
    """Whether `path` (not followed) went unmodified for STALE_AFTER_S; False when it cannot be read."""
    try:
        return time.time() - os.lstat(path).st_mtime > STALE_AFTER_S
    except OSError:
        return False


def _stale(entry, pid):
    """Whether the directory entry `entry`, a temporary file named with `pid`, was left by a dead writer."""
    return untouched(entry.path) and entry.is_file(follow_symlinks=False) and not pid_alive(pid)


def pid_alive(pid):
    """Whether process `pid` runs. Not this process's own pid: a leftover carrying it (a container gives the
    ladder the same pid each time) was left by a run before this one, since nothing is left before the scans."""
    if pid == os.getpid():
        return False
    try:
        os.kill(pid, 0)
    except (ProcessLookupError, OverflowError, ValueError):  # no such process, or no such pid at all
        return False
    except PermissionError:  # another user's: alive
        pass
    return True


def clean_stale(folder):
    """Remove the temporary files in `folder` whose writing process is gone (`_stale`); the paths removed."""
    removed = []
    with contextlib.suppress(OSError):
        for entry in os.scandir(folder):
            m = TEMP_NAME.fullmatch(entry.name)
            if m and _stale(entry, int(m[1])):
                with contextlib.suppress(OSError):
                    os.unlink(entry.path)
                    removed.append(Path(entry.path))
    return removed


def clean_stale_of(path):
    """Remove the temporary files of the target `path` (`replacing`'s names for it exactly) whose writing process
    is gone (`_stale`): a killed write leaves one, which nothing else removes outside the ladder's folders
    (`clean_stale`). `mandel` does the same for its own (crates/atomic)."""
    pattern = re.compile(re.escape(f".{path.name}.") + r"([1-9][0-9]*)\.[A-Za-z0-9_]{8}\.tmp")  # a pid as written
    with contextlib.suppress(OSError):
        for entry in os.scandir(path.parent):
            m = pattern.fullmatch(entry.name)
            if m and _stale(entry, int(m[1])):
                with contextlib.suppress(OSError):
                    os.unlink(entry.path)


@contextlib.contextmanager
def replacing(path, binary=False, keep_partial=False):
    """A file (text unless `binary`) written under a temporary name, renamed over `path` when the block ends,
    whatever was written. When the block raises, the earlier file stays and the temporary one is deleted, or with
    `keep_partial` (logs: where a run stopped) kept as `<name>.partial`."""
    path = check_target(path)
    clean_stale_of(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.{os.getpid()}.", suffix=".tmp", dir=path.parent)
    os.chmod(tmp, 0o666 & ~_UMASK)
    try:
        with os.fdopen(fd, "wb") if binary else os.fdopen(fd, "w", encoding="utf-8") as f:
            yield f
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
        WRITTEN.add(path)
    except BaseException:
        # Keeping the partial log is a courtesy: its failure (a folder there) must not hide why the block stopped.
        if keep_partial:
            with contextlib.suppress(OSError, NotAFileError):
                os.replace(tmp, check_target(path.with_name(path.name + ".partial"), "partial log"))
        with contextlib.suppress(OSError):  # already gone when kept
            os.unlink(tmp)
        raise


SWAP_NAME = re.compile(r"\.(.+)\.(tmp|old)-(\d+)")  # as `staging` and `swap_in` name folders


def check_dir(path, what="folder"):
    """`path` itself (no link followed) is a folder or absent; InputError otherwise: replacing it whole by rename
    would replace a link, a file or a device with a folder."""
    path = Path(path)
    try:
        mode = os.lstat(path).st_mode
    except FileNotFoundError:
        return path
    except OSError as e:
        raise InputError(f"{path}: cannot replace the {what} there: {e.strerror or e}") from None
    if not stat.S_ISDIR(mode):
        raise InputError(f"{path} is {kind(mode)}, not a folder: refusing to replace it with the {what} (only a real "
                         "folder is replaced whole)")
    return path


def remove(path):
    """Remove `path`, a folder with its contents or anything else, never following a link; quiet when it is gone
    or cannot be removed. (shutil.rmtree opens a FIFO it is given, and waits forever.)"""
    try:
        is_dir = stat.S_ISDIR(os.lstat(path).st_mode)
    except OSError:
        return
    if is_dir:
        shutil.rmtree(path, ignore_errors=True)
    else:
        with contextlib.suppress(OSError):
            os.unlink(path)


def staging(dest):
    """A new empty folder `.NAME.tmp-PID` beside the folder `dest`, to fill and then `swap_in`."""
    dest = Path(dest)
    tmp = dest.parent / f".{dest.name}.tmp-{os.getpid()}"
    remove(tmp)
    tmp.mkdir()
    return tmp


def swap_in(tmp, dest, keep=False):
    """The filled folder `tmp` renamed to `dest` (`check_dir`: a real folder or absent), the earlier one moved aside
    as `.NAME.old-PID` and removed once the new one is in place; when a rename fails the earlier one is put back
    (and `tmp` left to the caller). A process killed between the two renames leaves `.NAME.old-PID` without NAME,
    for the next run to rename back (`repair_swaps`). The files this process wrote into `tmp` count as written
    at their new place. The folder; with `keep`, (the folder, where the earlier one was kept: `.NAME.kept-PID`,
    left to the caller, who puts it back or removes it)."""
    dest = check_dir(Path(dest))
    old = dest.parent / f".{dest.name}.{'kept' if keep else 'old'}-{os.getpid()}"
    remove(old)
    src = Path(os.path.realpath(tmp))
    try:
        if os.path.lexists(dest):
            os.rename(dest, old)
        os.rename(tmp, dest)
    except BaseException:
        if os.path.lexists(old) and not os.path.lexists(dest):
            os.rename(old, dest)
        raise
    now = Path(os.path.realpath(dest))
    WRITTEN.update(now / p.relative_to(src) for p in list(WRITTEN) if p.is_relative_to(src))
    if keep:
        return dest, old
    remove(old)
    return dest


def replace_dir(dest, fill):
    """The folder `dest` (`check_dir`) replaced whole: `fill(tmp)` fills a new `staging` folder beside it, then
    `swap_in`. When `fill` or a rename fails, the new folder is removed and the earlier one stays. The folder."""
    dest = check_dir(Path(dest))
    tmp = staging(dest)
    try:
        fill(tmp)
        swap_in(tmp, dest)
    except BaseException:
        remove(tmp)
        raise
    return dest


def repair_swaps(folder):
    """Finish or undo what killed swaps (their process gone) left in `folder`: a `.NAME.old-PID` without NAME is
    renamed back to NAME (the swap stopped between its two renames); beside NAME it is removed, as is an unfinished
    `.NAME.tmp-PID`. The names repaired."""
    repaired = []
    with contextlib.suppress(FileNotFoundError, NotADirectoryError):
        for p in sorted(Path(folder).iterdir()):
            m = SWAP_NAME.fullmatch(p.name)
            if not m or not stat.S_ISDIR(os.lstat(p).st_mode) or pid_alive(int(m[3])):
                continue
            dest = p.parent / m[1]
            if m[2] == "old" and not os.path.lexists(dest):
                os.rename(p, dest)
                repaired.append(m[1])
            else:
                remove(p)
    return repaired


def lock_file(path, busy):
    """The regular file `path` (created when absent) opened under an exclusive flock, this pid written in it; the
    lock lasts while the file is open. A link there is never followed (its target would be truncated) and a FIFO
    never waited on. When another process holds it, `busy(its pid as written, or "")` is called: it raises to
    refuse (the ladder), or returns to wait for the lock (scripts/ab's builds)."""
    def not_regular(mode):
        return InputError(f"{path} is {kind(mode)}, not a regular file: refusing to use it as the lock file")
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC, 0o644)
    except OSError as e:
        if os.path.lexists(path) and not stat.S_ISREG(mode := os.lstat(path).st_mode):
            raise not_regular(mode) from None
        raise InputError(f"{path}: cannot open the lock file: {e.strerror or e}") from None
    if not stat.S_ISREG(mode := os.fstat(fd).st_mode):  # before fdopen: a FIFO cannot be opened "r+" as text
        os.close(fd)
        raise not_regular(mode)
    f = os.fdopen(fd, "r+", encoding="utf-8")
    try:
        try:
            fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            busy(f.read().strip())
            fcntl.flock(f, fcntl.LOCK_EX)
        f.seek(0)
        f.truncate()
        f.write(f"{os.getpid()}\n")
        f.flush()
    except BaseException:
        f.close()
        raise
    return f


def file_sha256(path):
    """The file's sha256, hex: what tells a file from another with the same name (build_rungs' modules, the
    baselines file a run merged)."""
    with open(path, "rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()
