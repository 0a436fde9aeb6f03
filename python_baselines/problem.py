"""The problem every baseline solves, and its pixel grid, computed once here for all rungs.

Pixel (row, col) stands for c = (x_min + col*dx) + i(y_min + row*dy) with dx = (x_max - x_min)/width:
a product in f64, never an accumulation, exactly as `mandel_core::Params::point` does in Rust, so the
baselines start from bit-for-bit the same points as the Rust reference.

NumPy is imported where the arrays are made, not with this module: the PyPy rung's driver
(pypy_driver.py) imports this module and `pure_python` unchanged under `pypy3`, which has no NumPy.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from ladderlib import CANONICAL  # the Python side's one copy of Params::canonical


@dataclass(frozen=True)
class Problem:
    """Image size, rectangle of the complex plane, iteration cap. The defaults are the canonical ladder problem
    (`ladderlib.CANONICAL`, which a test holds equal to the extension's `canonical()`, i.e. Rust's).

    Not validated here: the runner renders the Rust reference first, whose checks (`Params::new`) refuse
    bad values with a message naming the parameter.
    """

    width: int = CANONICAL["width"]
    height: int = CANONICAL["height"]
    x_min: float = CANONICAL["x_min"]
    x_max: float = CANONICAL["x_max"]
    y_min: float = CANONICAL["y_min"]
    y_max: float = CANONICAL["y_max"]
    max_iters: int = CANONICAL["max_iters"]

    def as_dict(self) -> dict:
        return asdict(self)

    def xs(self) -> list[float]:
        """Real parts of the columns' points, as Python floats."""
        dx = (self.x_max - self.x_min) / self.width
        return [self.x_min + col * dx for col in range(self.width)]

    def ys(self) -> list[float]:
        """Imaginary parts of the rows' points, as Python floats."""
        dy = (self.y_max - self.y_min) / self.height
        return [self.y_min + row * dy for row in range(self.height)]

    def axes(self) -> tuple[np.ndarray, np.ndarray]:
        """xs and ys as float64 arrays (the same values: arange is exact, then one product and one sum)."""
        import numpy as np  # noqa: PLC0415 (see the module docs)

        dx = (self.x_max - self.x_min) / self.width
        dy = (self.y_max - self.y_min) / self.height
        return self.x_min + np.arange(self.width) * dx, self.y_min + np.arange(self.height) * dy

    def complex_grid(self) -> np.ndarray:
        """The points c as a (height, width) complex128 array. Real and imaginary parts are assigned,
        not computed as xs + 1j*ys, so no complex arithmetic can touch them."""
        import numpy as np  # noqa: PLC0415 (see the module docs)

        xs, ys = self.axes()
        c = np.empty((self.height, self.width), dtype=np.complex128)
        c.real = xs[np.newaxis, :]
        c.imag = ys[:, np.newaxis]
        return c
