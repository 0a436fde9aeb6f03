//! `mandel_ladder`, the Python face of the ladder: every kernel of the registry, called on NumPy
//! memory the caller allocated (the article's "allocate in Python, fill in Rust"), plus the f64
//! reference and the comparison the Python baselines are verified with.
//!
//! Everything the caller hands in is checked before a kernel runs, and every refusal is a Python
//! exception naming the argument at fault: a bad array or bad bounds never reach a kernel, so no call
//! can crash the interpreter or write outside the array. Kernels run with the GIL released
//! (`Python::detach`), so other Python threads keep running while an image renders, and a large
//! render runs in chunks with a look at pending signals between them, so Ctrl-C stops it within a
//! fraction of a second (`fill`).

use mandel_core::mirror::Mirror;
use mandel_core::{
    Comparison, Kernel, MAX_ITERS_CAP, MAX_PIXELS, Params, Precision, RenderFn, Tolerance, compare, reference,
    total_iterations,
};
use mandel_rayon::Split;
use mandel_registry::{KERNELS, KernelInfo, Problem, kernel_names, threads_used};
use numpy::{
    BorrowError, PyArray2, PyArrayDescrMethods, PyArrayDyn, PyArrayMethods, PyReadwriteArray2, PyUntypedArray,
    PyUntypedArrayMethods, dtype,
};
use pyo3::exceptions::{PyMemoryError, PyOverflowError, PyRuntimeError, PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyDict, PyString};

/// The canonical problem ([`Params::canonical`], its one definition): the defaults of every function below.
fn default_x() -> (Float, Float) {
    let (min, max) = Params::canonical().x_range();
    (Float(Ok(min)), Float(Ok(max)))
}
fn default_y() -> (Float, Float) {
    let (min, max) = Params::canonical().y_range();
    (Float(Ok(min)), Float(Ok(max)))
}
fn default_size() -> Int {
    Int(Ok(Params::canonical().width() as i64))
}
fn default_iters() -> Int {
    Int(Ok(i64::from(Params::canonical().max_iters())))
}

fn value_error(message: impl Into<String>) -> PyErr {
    PyValueError::new_err(message.into())
}

fn lookup(name: &str) -> PyResult<&'static Kernel> {
    check_env()?;
    mandel_registry::kernel(name)
        .ok_or_else(|| value_error(format!("unknown kernel {name:?}; known kernels: {}", kernel_names())))
}

/// [`lookup`], for a call that renders: a kernel this build cannot run (the C reference built
/// without a C compiler) is a RuntimeError that says why. The kernel's one-time choices (its tuning's
/// calibration) are made here, before the render (`Kernel::prepare`).
fn lookup_runnable(name: &str) -> PyResult<&'static Kernel> {
    let kernel = lookup(name)?;
    kernel.prepare().map_err(|e| PyRuntimeError::new_err(e.to_string()))?;
    Ok(kernel)
}

/// MANDEL_ISA, RAYON_NUM_THREADS and the tuning variables, checked like arguments: a value the
/// kernels cannot use raises ValueError naming the variable, instead of being ignored.
///
/// The kernels read each of them once per process, at their first use: every dispatching crate caches
/// its path, rayon starts its global pool once, the SIMD kernels take MANDEL_TUNING once per precision
/// and the C reference MANDEL_C_TUNING once, and every choice follows a call of this function. So the
/// values the first call sees are the ones in force for the life of the process, and a later value
/// that selects something else raises ValueError naming the variable: obeyed by whichever kernel (or
/// precision) had not chosen yet and ignored by the others, it would give a mix of paths, pools or
/// tunings in one process, reported as one setting. Values are compared by what they select, as the
/// kernels read them: `AVX2` is `avx2`, `V4K8` is `v4k8` (and `f32:v4k8,f64:v4k8`), empty is unset.
fn check_env() -> PyResult<()> {
    let changed = |var: &str, in_force: Option<String>, unset: &str| {
        let value = std::env::var_os(var).map(|v| v.to_string_lossy().into_owned()).unwrap_or_default();
        value_error(format!(
            "{var}={value:?} differs from the value in force in this process ({}): the kernels chose from it \
             at their first use, once per process, and would not all follow a change; set it before the first \
             call, or start a new process",
            in_force.map_or_else(|| unset.to_string(), |v| format!("{var}={v}"))
        ))
    };
    // The SIMD and C kernels fix their path from MANDEL_ISA as soon as `mandel_registry::check_env` asks
    // for it, before it checks the tuning variables: a call that then fails on a tuning has fixed the
    // path all the same, so the path in force is the first valid MANDEL_ISA seen, not the first call's
    // that succeeded (else a later call under another value ran on the old path, reported as the new).
    mandel_core::check_env().map_err(|e| value_error(e.to_string()))?;
    let isa = mandel_core::env_isa().map_err(|e| value_error(e.to_string()))?;
    static ISA_IN_FORCE: std::sync::OnceLock<Option<&'static str>> = std::sync::OnceLock::new();
    let isa_in_force = *ISA_IN_FORCE.get_or_init(|| isa);
    if isa != isa_in_force {
        return Err(changed(mandel_core::ISA_ENV, isa_in_force.map(str::to_string), "unset: the widest path"));
    }
    mandel_registry::check_env().map_err(value_error)?;
    let now = EnvInForce::now()?;
    static IN_FORCE: std::sync::OnceLock<EnvInForce> = std::sync::OnceLock::new();
    let in_force = IN_FORCE.get_or_init(|| now.clone());
    if now.threads != in_force.threads {
        let threads = in_force.threads.map(|n| n.to_string());
        return Err(changed(mandel_core::THREADS_ENV, threads, "unset: one thread per core"));
    }
    if now.tuning != in_force.tuning {
        return Err(changed(mandel_simd::TUNING_ENV, in_force.tuning_text.clone(), "unset: calibrated"));
    }
    if now.c_tuning != in_force.c_tuning {
        return Err(changed(mandel_c_reference::TUNING_ENV, in_force.c_tuning_text.clone(), "unset: calibrated"));
    }
    Ok(())
}

/// What the variables [`check_env`] fixes select, read by the kernels' own parsers, with the tuning
/// variables' values as set, for the message.
#[derive(Clone)]
struct EnvInForce {
    threads: Option<usize>,
    /// MANDEL_TUNING's tuning for f32 and for f64 on the path that runs (`None`: calibrated).
    tuning: [Option<(mandel_simd::Tuning, mandel_simd::TuningSource)>; 2],
    tuning_text: Option<String>,
    /// MANDEL_C_TUNING's tuning on the C reference's path (`None`: calibrated).
    c_tuning: Option<Option<mandel_c_reference::Tuning>>,
    c_tuning_text: Option<String>,
}

impl EnvInForce {
    fn now() -> PyResult<EnvInForce> {
        let text =
            |var: &str| std::env::var_os(var).map(|v| v.to_string_lossy().into_owned()).filter(|v| !v.is_empty());
        let isa = mandel_simd::selected_isa();
        let tuning = |p| mandel_simd::forced_tuning(isa, p).map_err(value_error);
        let c_tuning = mandel_c_reference::forced_tuning(mandel_c_reference::selected_isa()).map_err(value_error)?;
        Ok(EnvInForce {
            threads: mandel_core::env_threads().map_err(|e| value_error(e.to_string()))?,
            tuning: [tuning(Precision::F32)?, tuning(Precision::F64)?],
            tuning_text: text(mandel_simd::TUNING_ENV),
            c_tuning,
            c_tuning_text: text(mandel_c_reference::TUNING_ENV),
        })
    }
}

/// Refuse a view the kernel's precision cannot represent (f32 beyond its range or resolution).
fn check_view(kernel: &Kernel, params: &Params) -> PyResult<()> {
    params
        .check_precision(kernel.precision)
        .map_err(|e| value_error(format!("{} cannot render this view: {e}", kernel.name)))
}

/// An integer argument. Python ints have no size limit: one beyond i64 is kept as its text, so that
/// the error can name the parameter (pyo3's own OverflowError does not).
struct Int(Result<i64, Bad>);

/// Why a number argument cannot be used, kept until its parameter's name is known ([`Int::get`],
/// [`Float::get`]), so that the message names it (pyo3 names the argument of a failed conversion only
/// in a note, PEP 678).
enum Bad {
    /// Beyond the type's range: the value as text.
    Range(String),
    /// A bool: `width=True` is no size, `max_iters=True` no cap (as the tolerance dicts refuse it).
    Bool(String),
}

impl Bad {
    /// A Python bool, or NumPy's (`numpy.bool`, `numpy.bool_` before NumPy 2), which is no int subclass
    /// but converts to a float all the same.
    fn of(obj: Borrowed<'_, '_, PyAny>) -> Option<Bad> {
        let numpy_bool = || {
            let t = obj.get_type();
            let module = t.module().map(|m| m.to_string()).unwrap_or_default();
            let name = t.name().map(|n| n.to_string()).unwrap_or_default();
            module == "numpy" && (name == "bool" || name == "bool_")
        };
        (obj.is_instance_of::<PyBool>() || numpy_bool()).then(|| Bad::Bool(shown(obj)))
    }

    fn error(self, param: &str, range: &str) -> PyErr {
        match self {
            Bad::Range(text) => value_error(format!("{param} is out of {range}, got {text}")),
            Bad::Bool(text) => PyTypeError::new_err(format!("{param} is a bool ({text}), not a number")),
        }
    }
}

impl<'a, 'py> FromPyObject<'a, 'py> for Int {
    type Error = PyErr;

    fn extract(obj: Borrowed<'a, 'py, PyAny>) -> PyResult<Int> {
        if let Some(bad) = Bad::of(obj) {
            return Ok(Int(Err(bad)));
        }
        match obj.extract::<i64>() {
            Ok(v) => Ok(Int(Ok(v))),
            Err(e) if e.is_instance_of::<PyOverflowError>(obj.py()) => Ok(Int(Err(Bad::Range(shown(obj))))),
            Err(e) => Err(e),
        }
    }
}

/// A float argument. A Python int too large for a float is kept as its text, so that the error can
/// name the parameter (pyo3's own OverflowError does not); a wrong type is pyo3's TypeError, whose
/// note (PEP 678) names it.
struct Float(Result<f64, Bad>);

impl<'a, 'py> FromPyObject<'a, 'py> for Float {
    type Error = PyErr;

    fn extract(obj: Borrowed<'a, 'py, PyAny>) -> PyResult<Float> {
        if let Some(bad) = Bad::of(obj) {
            return Ok(Float(Err(bad)));
        }
        match obj.extract::<f64>() {
            Ok(v) => Ok(Float(Ok(v))),
            Err(e) if e.is_instance_of::<PyOverflowError>(obj.py()) => Ok(Float(Err(Bad::Range(shown(obj))))),
            Err(e) => Err(e),
        }
    }
}

impl Float {
    fn get(self, param: &str) -> PyResult<f64> {
        self.0.map_err(|bad| bad.error(param, "the range of a float"))
    }
}

/// A value for an error message: its `str`, shortened past 40 characters (an int of 400 digits).
fn shown(obj: Borrowed<'_, '_, PyAny>) -> String {
    // str() of an int past 4300 digits raises (Python's limit): the error must still name the parameter.
    let Ok(text) = obj.str().map(|s| s.to_string()) else { return "a number too large to print".into() };
    match text.chars().count() {
        n if n > 40 => format!("{}... ({n} characters)", text.chars().take(20).collect::<String>()),
        _ => text,
    }
}

impl Int {
    fn get(self, param: &str) -> PyResult<i64> {
        self.0.map_err(|bad| bad.error(param, "range"))
    }
}

/// A width or height: a negative value is reported as such, not as an overflow.
fn size(param: &str, value: Int) -> PyResult<usize> {
    let value = value.get(param)?;
    usize::try_from(value).map_err(|_| value_error(format!("{param} must be at least 1, got {value}")))
}

/// Validate the problem with the one set of rules every rung shares (`Params::new`).
fn params(width: usize, height: usize, x: (Float, Float), y: (Float, Float), max_iters: Int) -> PyResult<Params> {
    let x = (x.0.get("x_min")?, x.1.get("x_max")?);
    let y = (y.0.get("y_min")?, y.1.get("y_max")?);
    let max_iters = max_iters.get("max_iters")?;
    // Params takes u64: a negative count must be reported as given, not as 0 or as an overflow.
    let iters = u64::try_from(max_iters)
        .map_err(|_| value_error(format!("max_iters must be between 1 and {MAX_ITERS_CAP}, got {max_iters}")))?;
    Params::new(width, height, x, y, iters).map_err(|e| value_error(e.to_string()))
}

/// Check that `obj` is a 2-D, C-contiguous, aligned, writeable, native-endian uint32 array and
/// borrow it mutably. Each refusal names `param` and says what to pass instead.
fn counts_array<'py>(param: &str, obj: &Bound<'py, PyAny>) -> PyResult<PyReadwriteArray2<'py, u32>> {
    let untyped = obj.cast::<PyUntypedArray>().map_err(|_| {
        let type_name = obj.get_type().name().map_or_else(|_| "?".to_string(), |n| n.to_string());
        PyTypeError::new_err(format!(
            "{param} must be a numpy.ndarray of dtype uint32, got {type_name}; \
             allocate it with numpy.empty((height, width), dtype=numpy.uint32)"
        ))
    })?;
    let py = obj.py();
    if !untyped.dtype().is_equiv_to(&dtype::<u32>(py)) {
        return Err(PyTypeError::new_err(format!(
            "{param} must have dtype uint32 (native byte order), got {}",
            untyped.dtype()
        )));
    }
    if untyped.ndim() != 2 {
        return Err(value_error(format!(
            "{param} must be 2-dimensional, shape (height, width), got shape {:?}",
            untyped.shape()
        )));
    }
    // Kernels write a flat row-major slice: any other layout would put counts in the wrong places.
    if !untyped.is_c_contiguous() {
        return Err(value_error(format!(
            "{param} must be C-contiguous (row-major), got strides {:?} for shape {:?}; \
             allocate it with numpy.empty((height, width), dtype=numpy.uint32)",
            untyped.strides(),
            untyped.shape()
        )));
    }
    if !untyped.is_aligned() {
        return Err(value_error(format!("{param} must be aligned for uint32; its data pointer is not")));
    }
    let array = untyped.cast::<PyArray2<u32>>()?;
    array.try_readwrite().map_err(|e| match e {
        BorrowError::NotWriteable => value_error(format!("{param} is read-only ({param}.flags.writeable is False)")),
        other => value_error(format!("{param} cannot be written: {other}")),
    })
}

/// A zeroed vector of `len` counts ([`mandel_core::buffer::zeroed`], calloc's: no page touched
/// before the render writes it), or MemoryError: `vec![0; len]` aborts the interpreter when the
/// memory cannot be had (a large image under a memory limit).
fn zeroed(len: usize) -> PyResult<Vec<u32>> {
    mandel_core::buffer::zeroed(len).map_err(|e| PyMemoryError::new_err(e.to_string()))
}

/// A uint32 array of any shape and layout, read as a flat row-major vector when it is not one already.
/// An unaligned array (a field of a packed structured array) is refused as [`render`] refuses one: numpy
/// reads it, but a Rust reference to its elements would be misaligned, and reads through one are wrong.
fn read_counts(param: &str, obj: &Bound<'_, PyAny>) -> PyResult<(Vec<usize>, Vec<u32>)> {
    let array = obj.cast::<PyArrayDyn<u32>>().map_err(|_| {
        PyTypeError::new_err(format!("{param} must be a numpy.ndarray of dtype uint32 (native byte order)"))
    })?;
    if !array.is_aligned() {
        return Err(value_error(format!(
            "{param} must be aligned for uint32; its data pointer or strides are not (pass {param}.copy(), which is)"
        )));
    }
    let view = array.try_readonly()?;
    let mut counts = Vec::new();
    counts.try_reserve_exact(view.len()).map_err(|_| {
        PyMemoryError::new_err(format!("cannot copy {param}: {}", mandel_core::AllocError { len: view.len() }))
    })?;
    // as_slice also accepts Fortran order, whose memory order is not the row-major pixel order.
    match view.as_slice() {
        Ok(slice) if array.is_c_contiguous() => counts.extend_from_slice(slice),
        _ => counts.extend(view.as_array().iter().copied()),
    }
    Ok((view.shape().to_vec(), counts))
}

fn comparison_dict<'py>(py: Python<'py>, c: &Comparison) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    d.set_item("pixels", c.pixels)?;
    d.set_item("differing", c.differing)?;
    d.set_item("max_abs_diff", c.max_abs_diff)?;
    d.set_item("first_difference", c.first_difference)?;
    Ok(d)
}

/// `value` as Python sees it: its serde JSON (the document `mandel describe --json` prints) parsed by
/// Python's `json.loads`, so the CLI and the extension hand out one shape, built in one place.
fn to_python<'py, T: serde::Serialize>(py: Python<'py>, value: &T) -> PyResult<Bound<'py, PyAny>> {
    let text = serde_json::to_string(value).map_err(|e| PyRuntimeError::new_err(e.to_string()))?;
    py.import("json")?.call_method1("loads", (text,))
}

/// The registry's facts, exactly the document `mandel describe --json` prints (`mandel_registry::describe`),
/// as a dict: schema, canonical, pool_threads, bench, rounds, kernels (flat `KernelInfo`s), isa_names,
/// threads ({env, max, pool, cores}: the thread rule and its value in this process), tolerances (the
/// rule for every precision with and without fused multiply-adds) and sweep (`mandel sweep`'s grid).
#[pyfunction]
fn describe(py: Python<'_>) -> PyResult<Bound<'_, PyAny>> {
    check_env()?;
    to_python(py, &mandel_registry::describe())
}

/// Every registered kernel, in ladder order: `describe()["kernels"]`, the `KernelInfo` of
/// `mandel describe --json` (name, rung, precision, threads, pool, isa, description,
/// tolerance_max_fraction, tolerance_slack_pixels, fused, reference, algorithmic, one_lane, available,
/// unavailable). Rendering an unavailable kernel raises RuntimeError.
#[pyfunction]
fn kernels(py: Python<'_>) -> PyResult<Bound<'_, PyAny>> {
    check_env()?;
    let infos: Vec<KernelInfo> = KERNELS.iter().map(KernelInfo::of).collect();
    to_python(py, &infos)
}

/// The tuning each tuned kernel family has resolved in this process so far (`mandel_registry::tunings`:
/// the SIMD families once one of their kernels ran, the C reference's from `describe()` on): a list of
/// [family, "TUNING (source)"] pairs, as each round of `mandel bench` records its own. run.py records it
/// after its pyo3- rows ran; the merge compares it with the Rust rows'.
#[pyfunction]
fn tunings(py: Python<'_>) -> PyResult<Bound<'_, PyAny>> {
    to_python(py, &mandel_registry::tunings())
}

/// The canonical ladder problem (`Params::canonical`, its one definition): `describe()["canonical"]`,
/// a dict with width, height, x_min, x_max, y_min, y_max and max_iters, the defaults of every
/// function of this module.
#[pyfunction]
fn canonical(py: Python<'_>) -> PyResult<Bound<'_, PyAny>> {
    to_python(py, &Problem::of(&Params::canonical()))
}

/// The tolerance of a kernel computing in `precision` ("f32" or "f64"), with (`fused`) or without
/// fused multiply-adds: {max_fraction, slack_pixels}, by the rule every Rust kernel follows
/// (`Tolerance::of`). The Python rungs take theirs from here, and `allowed` applies it.
#[pyfunction]
#[pyo3(signature = (precision, fused = false))]
fn tolerance<'py>(py: Python<'py>, precision: &str, fused: bool) -> PyResult<Bound<'py, PyAny>> {
    let precision = match precision {
        "f32" => Precision::F32,
        "f64" => Precision::F64,
        other => return Err(value_error(format!("precision must be \"f32\" or \"f64\", got {other:?}"))),
    };
    to_python(py, &Tolerance::of(precision, fused))
}

/// Fill `out`, a caller-allocated uint32 array of shape (height, width), with kernel `name`'s escape
/// counts over the rectangle [x_min, x_max] x [y_min, y_max]. The image size is `out`'s shape.
/// Runs with the GIL released: do not use `out` from another thread until the call returns. Returns None.
#[pyfunction]
#[pyo3(signature = (name, out, x_min = default_x().0, x_max = default_x().1, y_min = default_y().0, y_max = default_y().1, max_iters = default_iters()))]
#[allow(clippy::too_many_arguments)] // mirrors Params::new, one Python keyword per parameter
fn render(
    py: Python<'_>,
    name: &str,
    out: &Bound<'_, PyAny>,
    x_min: Float,
    x_max: Float,
    y_min: Float,
    y_max: Float,
    max_iters: Int,
) -> PyResult<()> {
    let kernel = lookup_runnable(name)?;
    let mut array = counts_array("out", out)?;
    let (height, width) = (array.shape()[0], array.shape()[1]);
    let params = params(width, height, (x_min, x_max), (y_min, y_max), max_iters)?;
    check_view(kernel, &params)?;
    // The shape was checked against Params above: the slice is the whole image.
    fill(py, &params, array.as_slice_mut()?, &Renderer::of(kernel))
}

/// How [`fill`] renders: a span renderer, the threads it runs on, and the precision of the rows it
/// mirrors (an algorithmic kernel's, see [`fill`]).
struct Renderer {
    render: RenderFn,
    threads: usize,
    mirrors: Option<Precision>,
}

impl Renderer {
    fn of(kernel: &Kernel) -> Renderer {
        let mirrors = kernel.algorithmic.then_some(kernel.precision);
        Renderer { render: kernel.render_fn, threads: threads_used(kernel), mirrors }
    }

    fn reference() -> Renderer {
        Renderer { render: reference::render_span, threads: 1, mirrors: None }
    }
}

/// Capped iterations (pixels x max_iters, the most a render can cost) one thread renders between two
/// looks at pending signals: a fraction of a second at the slowest kernel (naive-f64; MEASUREMENTS.md,
/// "Costs outside the render"), so Ctrl-C stops a render promptly.
const CHUNK_WORK: u64 = 1 << 25;

/// Renders of at most this many capped iterations a thread run in one piece: the canonical image
/// (960 x 960 x 200 capped iterations), which the Python rungs time, renders as the benches render it.
const UNCHUNKED_WORK: u64 = 1 << 28;

/// Render the whole image `params` into `out`, the GIL released. A render of more than
/// [`UNCHUNKED_WORK`] capped iterations a thread runs in chunks of [`CHUNK_WORK`] a thread (the
/// threads of a pooled kernel each take one), and between chunks pending signals are handled
/// (`Python::check_signals`, on the thread holding the GIL): Ctrl-C raises KeyboardInterrupt there.
/// Chunks change no count: every kernel renders any span of the image alike. An algorithmic kernel's
/// mirrored rows (`mandel_core::mirror`) are planned here over the whole image, as the kernel plans
/// them on a whole image, so that chunks, which could pair only their own rows, lose none of them.
fn fill(py: Python<'_>, params: &Params, out: &mut [u32], r: &Renderer) -> PyResult<()> {
    // The threads that run at once: a pool larger than the CPUs (RAYON_NUM_THREADS=64 on 2) takes no
    // more work a second, so sizing the pieces by it made Ctrl-C wait for the whole render. Read once:
    // it reads the cgroup files, which every timed pyo3- call would otherwise pay.
    static CORES: std::sync::OnceLock<usize> = std::sync::OnceLock::new();
    let cores = *CORES.get_or_init(mandel_registry::cores);
    let threads = r.threads.clamp(1, cores);
    let work = params.pixels() as u64 * u64::from(params.max_iters());
    if work <= UNCHUNKED_WORK * threads as u64 {
        py.detach(|| (r.render)(params, 0, out));
        return Ok(());
    }
    let per_thread = usize::try_from(CHUNK_WORK / u64::from(params.max_iters())).unwrap_or(1).max(1);
    let chunk = per_thread * threads;
    let plan = match r.mirrors {
        Some(Precision::F32) => Some(Mirror::plan::<f32>(params, 0, out.len())),
        Some(Precision::F64) => Some(Mirror::plan::<f64>(params, 0, out.len())),
        None => None,
    };
    let whole = std::iter::once(0..out.len()).collect();
    let runs = plan.as_ref().map_or(whole, Mirror::runs);
    for run in runs {
        for start in run.clone().step_by(chunk) {
            let piece = &mut out[start..(start + chunk).min(run.end)];
            py.detach(|| match threads {
                1 => (r.render)(params, start, piece),
                // Tasks of `per_thread` pixels: the kernel's own split would leave a chunk smaller than
                // its smallest task (4096 pixels) to one thread.
                _ => mandel_rayon::render_split(params, start, piece, r.render, Split::Chunks(per_thread)),
            });
            py.check_signals()?;
        }
    }
    if let Some(plan) = plan {
        plan.copy(out);
    }
    Ok(())
}

/// Render `params` into a new (height, width) uint32 array with [`fill`]. The array is numpy.zeros':
/// memory that cannot be had is its MemoryError (`PyArray2::zeros` panics instead).
fn new_counts<'py>(py: Python<'py>, params: &Params, r: &Renderer) -> PyResult<Bound<'py, PyArray2<u32>>> {
    let shape = (params.height(), params.width());
    let array = py.import("numpy")?.getattr("zeros")?.call1((shape, "uint32"))?.cast_into::<PyArray2<u32>>()?;
    fill(py, params, array.try_readwrite()?.as_slice_mut()?, r)?;
    Ok(array)
}

/// Kernel `name`'s escape counts in a new uint32 array of shape (height, width).
#[pyfunction]
#[pyo3(signature = (name, width = default_size(), height = default_size(), x_min = default_x().0, x_max = default_x().1, y_min = default_y().0, y_max = default_y().1, max_iters = default_iters()))]
#[allow(clippy::too_many_arguments)] // mirrors Params::new, one Python keyword per parameter
fn render_new<'py>(
    py: Python<'py>,
    name: &str,
    width: Int,
    height: Int,
    x_min: Float,
    x_max: Float,
    y_min: Float,
    y_max: Float,
    max_iters: Int,
) -> PyResult<Bound<'py, PyArray2<u32>>> {
    let kernel = lookup_runnable(name)?;
    let params = params(size("width", width)?, size("height", height)?, (x_min, x_max), (y_min, y_max), max_iters)?;
    check_view(kernel, &params)?;
    new_counts(py, &params, &Renderer::of(kernel))
}

/// The f64 reference's escape counts (the definition every rung is verified against), in a new
/// uint32 array of shape (height, width).
#[pyfunction]
#[pyo3(signature = (width = default_size(), height = default_size(), x_min = default_x().0, x_max = default_x().1, y_min = default_y().0, y_max = default_y().1, max_iters = default_iters()))]
#[pyo3(name = "reference")]
#[allow(clippy::too_many_arguments)] // mirrors Params::new, one Python keyword per parameter
fn reference_counts<'py>(
    py: Python<'py>,
    width: Int,
    height: Int,
    x_min: Float,
    x_max: Float,
    y_min: Float,
    y_max: Float,
    max_iters: Int,
) -> PyResult<Bound<'py, PyArray2<u32>>> {
    let params = params(size("width", width)?, size("height", height)?, (x_min, x_max), (y_min, y_max), max_iters)?;
    new_counts(py, &params, &Renderer::reference())
}

/// Compare two uint32 count arrays of the same shape, pixel by pixel: a dict with pixels,
/// differing, max_abs_diff and first_difference ((flat index, reference count, candidate count) or None).
#[pyfunction]
#[pyo3(name = "compare")]
fn compare_counts<'py>(
    py: Python<'py>,
    reference: &Bound<'py, PyAny>,
    candidate: &Bound<'py, PyAny>,
) -> PyResult<Bound<'py, PyDict>> {
    let (ref_shape, expected) = read_counts("reference", reference)?;
    let (cand_shape, got) = read_counts("candidate", candidate)?;
    if ref_shape != cand_shape {
        return Err(value_error(format!(
            "reference and candidate must have the same shape, got {ref_shape:?} and {cand_shape:?}"
        )));
    }
    comparison_dict(py, &py.detach(|| compare(&expected, &got)))
}

/// A tolerance dict as [`tolerance`] returns it ({max_fraction, slack_pixels}, a Python rung's), checked
/// key by key: a missing key, a value of another type (a bool among them: True is not 1 pixel) or out of
/// range is a ValueError naming the key.
fn tolerance_of(dict: &Bound<'_, PyDict>) -> PyResult<Tolerance> {
    let item = |key: &str| {
        dict.get_item(key)?.ok_or_else(|| {
            value_error(format!(
                "the tolerance dict lacks {key:?}; tolerance() returns one with max_fraction and slack_pixels"
            ))
        })
    };
    let not_bool = |v: &Bound<'_, PyAny>| !v.is_instance_of::<PyBool>();
    let fraction = item("max_fraction")?;
    let max_fraction = Some(&fraction)
        .filter(|v| not_bool(v))
        .and_then(|v| v.extract::<f64>().ok())
        .filter(|f| (0.0..=1.0).contains(f))
        .ok_or_else(|| {
            value_error(format!("max_fraction must be a number from 0 to 1, got {}", shown(fraction.as_borrowed())))
        })?;
    let slack = item("slack_pixels")?;
    let slack_pixels =
        Some(&slack).filter(|v| not_bool(v)).and_then(|v| v.extract::<usize>().ok()).ok_or_else(|| {
            value_error(format!(
                "slack_pixels must be a whole number of pixels, 0 or more, got {}",
                shown(slack.as_borrowed())
            ))
        })?;
    Ok(Tolerance { max_fraction, slack_pixels })
}

/// How many pixels of an image of `pixels` pixels may differ from the reference: for kernel `whose`
/// (a str), or under a tolerance dict ({max_fraction, slack_pixels}, from `tolerance()`).
/// `Tolerance::allowed`, the one rule: slack_pixels + floor(max_fraction * pixels).
#[pyfunction]
fn allowed(whose: &Bound<'_, PyAny>, pixels: Int) -> PyResult<usize> {
    let tolerance = if let Ok(name) = whose.cast::<PyString>() {
        lookup(name.to_str()?)?.tolerance
    } else if let Ok(dict) = whose.cast::<PyDict>() {
        tolerance_of(dict)?
    } else {
        let type_name = whose.get_type().name().map_or_else(|_| "?".to_string(), |n| n.to_string());
        return Err(PyTypeError::new_err(format!(
            "whose must be a kernel name (str) or a tolerance dict (from tolerance()), got {type_name}"
        )));
    };
    let value = pixels.get("pixels")?;
    let pixels = usize::try_from(value)
        .map_err(|_| value_error(format!("pixels must be a number of pixels, 0 or more, got {value}")))?;
    tolerance.checked_allowed(pixels).ok_or_else(|| {
        value_error(format!(
            "slack_pixels {} plus max_fraction {} of {pixels} pixels exceeds the largest pixel count ({})",
            tolerance.slack_pixels,
            tolerance.max_fraction,
            usize::MAX
        ))
    })
}

/// Render with kernel `name` and with the reference, and compare: a dict with kernel, isa, pixels,
/// differing, max_abs_diff, first_difference, allowed, ok, iterations and reference_iterations.
#[pyfunction]
#[pyo3(signature = (name, width = default_size(), height = default_size(), x_min = default_x().0, x_max = default_x().1, y_min = default_y().0, y_max = default_y().1, max_iters = default_iters()))]
#[allow(clippy::too_many_arguments)] // mirrors Params::new, one Python keyword per parameter
fn verify<'py>(
    py: Python<'py>,
    name: &str,
    width: Int,
    height: Int,
    x_min: Float,
    x_max: Float,
    y_min: Float,
    y_max: Float,
    max_iters: Int,
) -> PyResult<Bound<'py, PyDict>> {
    let kernel = lookup_runnable(name)?;
    let params = params(size("width", width)?, size("height", height)?, (x_min, x_max), (y_min, y_max), max_iters)?;
    check_view(kernel, &params)?;
    let (mut expected, mut got) = (zeroed(params.pixels())?, zeroed(params.pixels())?);
    fill(py, &params, &mut expected, &Renderer::reference())?;
    fill(py, &params, &mut got, &Renderer::of(kernel))?;
    let c = compare(&expected, &got);
    let allowed = kernel.tolerance.allowed(c.pixels);
    let d = comparison_dict(py, &c)?;
    d.set_item("kernel", kernel.name)?;
    d.set_item("isa", (kernel.isa)())?;
    d.set_item("allowed", allowed)?;
    d.set_item("ok", c.differing <= allowed)?;
    d.set_item("iterations", total_iterations(&got))?;
    d.set_item("reference_iterations", total_iterations(&expected))?;
    Ok(d)
}

#[pymodule]
fn mandel_ladder(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    // `release` for the ladder's builds (scripts/setup), `ci` after scripts/test (build.rs).
    m.add("BUILD_PROFILE", env!("MANDEL_BUILD_PROFILE"))?;
    m.add("MAX_ITERS_CAP", MAX_ITERS_CAP)?;
    m.add("MAX_PIXELS", MAX_PIXELS)?;
    m.add_function(wrap_pyfunction!(describe, m)?)?;
    m.add_function(wrap_pyfunction!(canonical, m)?)?;
    m.add_function(wrap_pyfunction!(tolerance, m)?)?;
    m.add_function(wrap_pyfunction!(kernels, m)?)?;
    m.add_function(wrap_pyfunction!(tunings, m)?)?;
    m.add_function(wrap_pyfunction!(render, m)?)?;
    m.add_function(wrap_pyfunction!(render_new, m)?)?;
    m.add_function(wrap_pyfunction!(reference_counts, m)?)?;
    m.add_function(wrap_pyfunction!(compare_counts, m)?)?;
    m.add_function(wrap_pyfunction!(allowed, m)?)?;
    m.add_function(wrap_pyfunction!(verify, m)?)?;
    Ok(())
}
