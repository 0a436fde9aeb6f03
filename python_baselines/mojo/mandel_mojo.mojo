# Rungs: Mojo. The Mojo series' Mandelbrot ("How Mojo gets a 35,000x speedup over Python") and
# Modular's examples/mojo/mandelbrot.mojo, ported to the project's one escape definition and built as
# a Python extension module (`mojo build mandel_mojo.mojo --emit shared-lib`, Mojo 0.25.7.0): the
# counts array and the points' axes are made in Python (NumPy) and the array filled here, like the
# pyo3-* rows.
#
# - scalar_f64: the series' "adding types" step, `fn mandelbrot_kernel(c: ComplexFloat64) -> Int`,
#   one pixel at a time. The stdlib's ComplexFloat64 multiplies and takes the squared norm with fused
#   multiply-adds (z*z + c is (fma(re, re, -im*im) + cx, fma(re, im, im*re) + cy)), so this rung is
#   fused, though not fma-f64's arithmetic: on the reference's points it moves a few deep boundary
#   pixels.
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
# - The points: read from `Problem.axes()`, the f64 grid every other rung uses, and rounded to f32 for
#   the f32 rungs; the example computed them in f32 from `min + i*scale`. Computing them here in f64 is
#   not enough: Mojo marks its float operations `contract`, so LLVM fuses `min + i*scale` into one FMA
#   and the points leave the project's grid (the real-axis row off 0). The SIMD step's `cx - y2` stays
#   a subtraction (the built loop has fma-f32's three FMAs per step), so on the same points the f32
#   rungs give fma-f32's counts, bit for bit (a test holds them equal).
# - The problem is an argument (width, height, the axes, max_iters), not aliases, so the tests can
#   render other views; the output is uint32.
# - Mojo 0.25.7 spellings: `simd_width_of`, `SIMD[DType.bool, w](fill=True)`, `.le(4)`,
#   `.reduce_or()` in place of `any(t)`, the pointer's origin.

from algorithm import parallelize, vectorize
from complex import ComplexFloat64, ComplexSIMD
from os import abort
from python import Python, PythonObject
from python.bindings import PythonModuleBuilder
from runtime.asyncrt import parallelism_level
from sys import simd_width_of

alias float_type = DType.float32
alias int_type = DType.uint32
alias simd_width = 2 * simd_width_of[float_type]()

alias Counts = UnsafePointer[Scalar[int_type], MutAnyOrigin]
alias Axis = UnsafePointer[Float64, MutAnyOrigin]


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
# (width, height, xs address, ys address, max_iters), xs and ys being `Problem.axes()`, the points'
# real and imaginary parts in f64: read, never computed here (see "The points" above).
struct View(Copyable, Movable):
    var out: Counts
    var width: Int
    var height: Int
    var xs: Axis
    var ys: Axis
    var max_iters: Int

    fn __init__(out self, out_address: PythonObject, view: PythonObject) raises:
        self.out = out_address.unsafe_get_as_pointer[int_type]()
        self.width = Int(view[0])
        self.height = Int(view[1])
        self.xs = view[2].unsafe_get_as_pointer[DType.float64]()
        self.ys = view[3].unsafe_get_as_pointer[DType.float64]()
        self.max_iters = Int(view[4])


# One row, as the example's `worker`: `compute_vector` on `simd_width` pixels at a time, `vectorize`
# taking the last columns in narrower steps when the width is not a multiple.
fn worker_row(v: View, row: Int):
    var cy = v.ys[row].cast[float_type]()

    @parameter
    fn compute_vector[simd_width: Int](col: Int):
        var cx = v.xs.load[width=simd_width](col).cast[float_type]()
        var c = ComplexSIMD[float_type, simd_width](cx, SIMD[float_type, simd_width](cy))
        v.out.store(row * v.width + col, mandelbrot_kernel_SIMD(c, v.max_iters))

    vectorize[compute_vector, simd_width](v.width)


fn scalar_f64(out_address: PythonObject, view: PythonObject) raises -> PythonObject:
    var v = View(out_address, view)
    for row in range(v.height):
        var cy = v.ys[row]
        for col in range(v.width):
            v.out[row * v.width + col] = mandelbrot_kernel(ComplexFloat64(v.xs[col], cy), v.max_iters)
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
