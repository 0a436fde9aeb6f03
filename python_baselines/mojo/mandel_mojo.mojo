# Rungs: Mojo. The Mojo series' Mandelbrot ("How Mojo gets a 35,000x speedup over Python") and
# Modular's examples/mojo/mandelbrot.mojo, ported to the project's one escape definition and built as
# a Python extension module (`mojo build mandel_mojo.mojo --emit shared-lib`, Mojo 0.25.7.0): the
# counts array is allocated in Python (NumPy) and filled here, like the pyo3-* rows.
#
# - scalar_f64: the series' "adding types" step, `fn mandelbrot_kernel(c: ComplexFloat64) -> Int`,
#   one pixel at a time. The stdlib's ComplexFloat64 multiplies and takes the squared norm with fused
#   multiply-adds, so this rung is fused, like fma-f64 (a few boundary pixels move).
# - simd_f32: the example's `mandelbrot_kernel_SIMD`, f32 at its width, twice the native SIMD width
#   (`2 * simd_width_of[DType.float32]()`: 16 lanes with AVX2, 32 with AVX-512), each row's columns
#   walked by `vectorize`, one thread.
# - parallel_f32: the same rows spread by `parallelize[worker](rows, rows)`, one work item per row on
#   Mojo's runtime threads, as the example does.
#
# What changed from Modular's program, and why:
# - The escape definition: z from 0, |z|^2 <= 4 tested before each step, and a lane that escaped
#   stays escaped (the mask `t` accumulates). The example set `t` afresh each step and counted
#   |z|^2 <= 4 after its update: its total was 40,112,336 on the canonical image, not 40,139,097.
# - The points: c = min_x + col*scale_x in f64, then rounded to f32 (the project's grid, bit for bit:
#   Mojo does not contract a*b + c into an FMA unless asked); the example computed them in f32.
# - The problem is an argument (width, height, window, max_iters), not aliases, so the tests can
#   render other views; the output is uint32.
# - Mojo 0.25.7 spellings: `simd_width_of`, `SIMD[DType.bool, w](fill=True)`, `.le(4)`,
#   `.reduce_or()` in place of `any(t)`, the pointer's origin.

from algorithm import parallelize, vectorize
from complex import ComplexFloat64, ComplexSIMD
from math import iota
from os import abort
from python import Python, PythonObject
from python.bindings import PythonModuleBuilder
from runtime.asyncrt import parallelism_level
from sys import simd_width_of

alias float_type = DType.float32
alias int_type = DType.uint32
alias simd_width = 2 * simd_width_of[float_type]()

alias Counts = UnsafePointer[Scalar[int_type], MutAnyOrigin]


@export
fn PyInit_mandel_mojo() -> PythonObject:
    try:
        var m = PythonModuleBuilder("mandel_mojo")
        m.def_function[scalar_f64]("scalar_f64", docstring="scalar_f64(out_address, view): one thread, f64")
        m.def_function[simd_f32]("simd_f32", docstring="simd_f32(out_address, view): SIMD f32, one thread")
        m.def_function[parallel_f32]("parallel_f32", docstring="parallel_f32(out_address, view): SIMD f32, rows in parallel")
        m.def_function[info]("info", docstring="info(): (SIMD width in f32 lanes, worker threads)")
        return m.finalize()
    except e:
        return abort[PythonObject](String("error creating the Python module mandel_mojo: ", e))


# The series' "adding types" kernel, with our definition: z from 0, test before the step.
fn mandelbrot_kernel(c: ComplexFloat64, max_iters: Int) -> Int:
    var z = ComplexFloat64(0, 0)
    for i in range(max_iters):
        if z.squared_norm() > 4:
            return i
        z = z * z + c
    return max_iters


# The example's vectorized kernel. `t` (lanes still running) accumulates; the loop stops when no lane
# runs, and each lane's count is the number of steps it ran.
fn mandelbrot_kernel_SIMD[
    simd_width: Int
](c: ComplexSIMD[float_type, simd_width], max_iters: Int) -> SIMD[int_type, simd_width]:
    var cx = c.re
    var cy = c.im
    var x = SIMD[float_type, simd_width](0)
    var y = SIMD[float_type, simd_width](0)
    var y2: SIMD[float_type, simd_width]
    var iters = SIMD[int_type, simd_width](0)
    var t = SIMD[DType.bool, simd_width](fill=True)
    for _ in range(max_iters):
        y2 = y * y
        t = t & x.fma(x, y2).le(4)  # |z|^2 <= 4, before the step
        if not t.reduce_or():
            break
        iters = t.select(iters + 1, iters)
        y = x.fma(y + y, cy)
        x = x.fma(x, cx - y2)
    return iters


# The problem, as Python hands it over: the counts array's address, then
# (width, height, x_min, x_max, y_min, y_max, max_iters).
struct View(Copyable, Movable):
    var out: Counts
    var width: Int
    var height: Int
    var min_x: Float64
    var min_y: Float64
    var scale_x: Float64
    var scale_y: Float64
    var max_iters: Int

    fn __init__(out self, out_address: PythonObject, view: PythonObject) raises:
        self.out = out_address.unsafe_get_as_pointer[int_type]()
        self.width = Int(view[0])
        self.height = Int(view[1])
        self.min_x = Float64(view[2])
        var max_x = Float64(view[3])
        self.min_y = Float64(view[4])
        var max_y = Float64(view[5])
        self.max_iters = Int(view[6])
        self.scale_x = (max_x - self.min_x) / self.width
        self.scale_y = (max_y - self.min_y) / self.height


# One row, as the example's `worker`: `compute_vector` on `simd_width` pixels at a time, `vectorize`
# taking the last columns in narrower steps when the width is not a multiple.
fn worker_row(v: View, row: Int):
    var cy = (v.min_y + row * v.scale_y).cast[float_type]()

    @parameter
    fn compute_vector[simd_width: Int](col: Int):
        var cx = (v.min_x + (col + iota[DType.float64, simd_width]()) * v.scale_x).cast[float_type]()
        var c = ComplexSIMD[float_type, simd_width](cx, SIMD[float_type, simd_width](cy))
        v.out.store(row * v.width + col, mandelbrot_kernel_SIMD(c, v.max_iters))

    vectorize[compute_vector, simd_width](v.width)


fn scalar_f64(out_address: PythonObject, view: PythonObject) raises -> PythonObject:
    var v = View(out_address, view)
    for row in range(v.height):
        var cy = v.min_y + row * v.scale_y
        for col in range(v.width):
            var cx = v.min_x + col * v.scale_x
            v.out[row * v.width + col] = mandelbrot_kernel(ComplexFloat64(cx, cy), v.max_iters)
    return PythonObject(None)


fn simd_f32(out_address: PythonObject, view: PythonObject) raises -> PythonObject:
    var v = View(out_address, view)
    for row in range(v.height):
        worker_row(v, row)
    return PythonObject(None)


fn parallel_f32(out_address: PythonObject, view: PythonObject) raises -> PythonObject:
    var v = View(out_address, view)

    @parameter
    fn worker(row: Int):
        worker_row(v, row)

    parallelize[worker](v.height, v.height)
    return PythonObject(None)


fn info() raises -> PythonObject:
    return Python.tuple(simd_width, parallelism_level())
