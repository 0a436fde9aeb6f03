"""How the numba-parallel rung shares the image's rows out among Numba's threads: interleaved
(`numba_rungs.thread_rows`), so that no thread's share is much more work than the mean. Numba's prange over the
rows themselves gives each thread one contiguous block, and the Mandelbrot set's work is in the middle rows
(MEASUREMENTS.md, "How `numba-parallel` shares out its rows")."""

import json
import os
import subprocess
import sys

import mandel_ladder as m
import numpy as np
import pytest

from python_baselines.numba_rungs import thread_rows
from python_baselines.problem import Problem


@pytest.mark.parametrize("height", [1, 7, 13, 960])
@pytest.mark.parametrize("threads", [1, 2, 3, 16, 1024])
def test_the_slots_share_out_every_row_once(height, threads):
    rows = [r for slot in range(threads) for r in thread_rows(height, threads, slot)]
    assert sorted(rows) == list(range(height))


def test_every_thread_gets_close_to_the_mean_work_on_the_canonical_problem():
    """Work a row: the reference's escape counts summed over it (the steps the kernel takes there)."""
    problem = Problem()
    work = m.reference(**problem.as_dict()).astype(np.int64).sum(axis=1)
    for threads in (2, 4, 8, 16):
        shares = [work[list(thread_rows(problem.height, threads, slot))].sum() for slot in range(threads)]
        assert max(shares) / np.mean(shares) < 1.1, (threads, shares)


def test_the_parallel_kernel_runs_each_slot_on_one_thread():
    """The rung's own loop (`_image_loop(..., parallel=True)`) around an escape function that returns the id of
    the thread running it: each slot of `thread_rows` is rendered by one thread, and more than one thread works.
    In a fresh process with 4 threads on Numba's workqueue layer (always there; a static schedule)."""
    pytest.importorskip("numba")
    code = """
import json, numba, numpy as np
from python_baselines import numba_rungs
thread = numba.njit(cache=False)(lambda c, max_iters: numba.get_thread_id())
image = numba_rungs._image_loop(thread, parallel=True)(np.zeros(3), np.zeros(37), 1)
print(json.dumps(image.tolist()))
"""
    env = {**os.environ, "NUMBA_NUM_THREADS": "4", "NUMBA_THREADING_LAYER": "workqueue"}
    proc = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    image = json.loads(proc.stdout.splitlines()[-1])
    assert all(len(set(row)) == 1 for row in image)
    by_row = [row[0] for row in image]
    for slot in range(4):
        assert len({by_row[r] for r in thread_rows(37, 4, slot)}) == 1, (slot, by_row)
    assert len(set(by_row)) > 1, by_row
