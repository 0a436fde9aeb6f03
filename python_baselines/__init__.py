"""The Python side of the ladder: the Python rungs (`rungs.PYTHON_RUNGS`), their runner (`python -m
python_baselines.run`, which writes the baselines JSON the ladder merges) and the Numba sweep
(`python -m python_baselines.sweep`). Imports `ladderlib` (the ladder's shared code), never the reverse.

Nothing is imported here: the PyPy rung's driver imports this package under pypy3, without NumPy."""
