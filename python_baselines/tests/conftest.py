"""Shared fixtures of the python_baselines tests."""

import contextlib
import errno
import os
import threading

import pytest


@pytest.fixture
def fifo_unblocker():
    """`with fifo_unblocker(path):` opens the FIFO at `path` for writing, then closes it, whenever a reader
    waits on it: a read that blocks on the FIFO (the bug under test) then ends, with no data, and the test
    fails on what followed instead of hanging the whole suite. A reader that does not block is unaffected."""
    @contextlib.contextmanager
    def unblock(path):
        done = threading.Event()

        def writer():
            while not done.wait(0.05):
                try:
                    os.close(os.open(path, os.O_WRONLY | os.O_NONBLOCK))
                except OSError as e:
                    if e.errno != errno.ENXIO:  # ENXIO: no reader yet
                        return

        thread = threading.Thread(target=writer, daemon=True)
        thread.start()
        try:
            yield
        finally:
            done.set()
            thread.join()

    return unblock
