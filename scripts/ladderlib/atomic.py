"""Every file the ladder scripts write goes through here: written to a temporary file in the same
folder, flushed to disk, then renamed over the target, so a crash or Ctrl-C leaves either the old
file or the complete new one, never a truncated one."""

import contextlib
import os
import tempfile
from pathlib import Path


def write_bytes(path, data):
    with replacing(path, binary=True) as f:
        f.write(data)


def write_text(path, text):
    write_bytes(path, text.encode("utf-8"))


# The process's umask, read once: temporary files are created 0600, and get the mode a plain open()
# would have given them (0666 less the umask) before they are renamed into place.
_UMASK = os.umask(0o022)
os.umask(_UMASK)


def partial_path(path):
    """Where `replacing(..., keep_partial=True)` leaves what an interrupted block had written."""
    path = Path(path)
    return path.with_name(path.name + ".partial")


@contextlib.contextmanager
def replacing(path, binary=False, keep_partial=False):
    """A file to write, whole or as things happen (a command's log), under a temporary name in `path`'s
    folder: renamed over `path` when the block ends, whatever was written (the log of a command that
    failed is this run's log). When the block raises (Ctrl-C, SIGTERM, a failed write) the earlier
    file stays as it was, and what was written is deleted, or with `keep_partial` (logs: the evidence
    of where a run stopped) kept beside it as `<name>.partial`. Text (UTF-8) unless `binary`."""
    path = Path(path)
    if path.is_dir():
        raise IsADirectoryError(f"{path} is a directory, not a file to write")
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent or ".")
    os.chmod(tmp, 0o666 & ~_UMASK)
    try:
        with os.fdopen(fd, "wb") if binary else os.fdopen(fd, "w", encoding="utf-8") as f:
            yield f
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            if keep_partial:
                os.replace(tmp, partial_path(path))
            else:
                os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
