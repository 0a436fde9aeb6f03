//! Each input's shape, as data ([`super::Spec`]): a table, laid out by hand (rustfmt would set each field on
//! a line of its own), one line per kind of field as readers.py had them.

use super::{
    Fields, Items, Lit, RATES, STEP_KEYS, Scalar, Spec, TUNINGS, canonical, extension_tunings, family_model,
    kernel_name, measured, null, opt, pair, req, settings, threads, tuning_record,
};

pub const COUNT: Spec = Spec::Is(Scalar::Count);
pub const INT1: Spec = Spec::Is(Scalar::Int1);
pub const NUM: Spec = Spec::Is(Scalar::Num);
pub const NUM0: Spec = Spec::Is(Scalar::Num0);
pub const S: Spec = Spec::Is(Scalar::Seconds);
pub const POS: Spec = Spec::Is(Scalar::Pos);
pub const RATE: Spec = Spec::Is(Scalar::Rate);
pub const FRAC: Spec = Spec::Is(Scalar::Frac);
pub const BOOL: Spec = Spec::Is(Scalar::Bool);
pub const NAME: Spec = Spec::Is(Scalar::Name);
pub const TEXT: Spec = Spec::Is(Scalar::Text);
pub const OBJ: Spec = Spec::Is(Scalar::Obj);

pub const PARAMS: Fields = &[req("width", INT1), req("height", INT1), req("x_min", NUM), req("x_max", NUM),
                             req("y_min", NUM), req("y_max", NUM), req("max_iters", INT1)];
pub const VERIFICATION: Fields = &[
    req("pixels", COUNT), null("differing", COUNT), req("allowed", COUNT), req("ok", BOOL), opt("iterations", COUNT),
    opt("reference_iterations", COUNT), opt("lane_iterations", COUNT), opt("max_abs_diff", COUNT)];
// A kernel as `mandel describe --json` (and every round of `mandel bench`) describes it.
const KERNEL: Fields = &[
    req("name", Spec::Rule(kernel_name)), null("rung", TEXT),
    req("precision", Spec::OneOf(&[Lit::Str("f32"), Lit::Str("f64")])),
    req("threads", INT1), req("pool", BOOL), req("isa", NAME), opt("description", TEXT), opt("unavailable", TEXT),
    opt("reference", BOOL), opt("algorithmic", BOOL), opt("one_lane", BOOL), opt("available", BOOL), opt("fused", BOOL),
    opt("tolerance_max_fraction", FRAC), opt("tolerance_slack_pixels", COUNT)];
pub const REGISTRY: Spec =
    Spec::Items(&Items { label: "kernel", spec: Spec::Obj(&[KERNEL]), unique: true, nonempty: false });
const BENCH_SETTINGS: Spec = Spec::Obj(&[&[req("sample_size", COUNT), req("warm_up_s", S), req("measurement_s", S)]]);
const ROUND_SETTINGS: Fields = &[req("rounds", INT1), req("kernel_s", NUM0), req("min_renders", INT1)];
pub const DESCRIBE: Spec = Spec::Obj(&[&[
    req("schema", Spec::OneOf(&[Lit::Str("mandel-describe/1")])), req("canonical", Spec::Obj(&[PARAMS])),
    req("pool_threads", INT1), req("bench", Spec::Obj(&[&[req("full", BENCH_SETTINGS), req("quick", BENCH_SETTINGS)]])),
    opt("rounds", Spec::Obj(&[&[req("full", Spec::Obj(&[ROUND_SETTINGS])),
                                req("quick", Spec::Obj(&[ROUND_SETTINGS]))]])),
    req("kernels", REGISTRY), opt("rustc", TEXT)]]);
pub const RECORDS: Spec = Spec::Obj(&[&[
    req("schema", Spec::OneOf(&[Lit::Str("mandel-bench-records/1")])), null("criterion", OBJ),
    req("params", Spec::Rule(canonical)),
    req("records", Spec::Items(&Items {
        label: "kernel", unique: true, nonempty: false,
        spec: Spec::Obj(&[KERNEL, &[null("verification", Spec::Obj(&[VERIFICATION])),
                                    opt("criterion_id", NAME)]]) }))]]);
// A round's [family, "TUNING (source)"] pairs.
pub const TUNING_PAIRS: Spec = Spec::List(&Spec::Rule(|v, path, at| pair(v, path, at, "tuning")));
pub const ROUND: Spec = Spec::Obj(&[&[
    req("schema", Spec::OneOf(&[Lit::Str("mandel-round/1")])), req("round", COUNT),
    req("settings", Spec::Obj(&[ROUND_SETTINGS])), req("params", Spec::Rule(canonical)), req("pool_threads", INT1),
    req("tunings", TUNING_PAIRS),
    req("kernels", Spec::Items(&Items {
        label: "kernel", unique: false, nonempty: true,
        spec: Spec::Obj(&[KERNEL, &[null("verification", Spec::Obj(&[VERIFICATION])), req("times_s", Spec::List(&S)),
                                    null("activity", Spec::Obj(&[&[req("steal", FRAC), req("others", FRAC)]]))]]),
    }))]]);
// raw/rounds.json: a run's rounds, in order.
pub const ROUNDS: Spec = Spec::Obj(&[&[req("schema", Spec::OneOf(&[Lit::Str("mandel-rounds/1")])),
                                       req("rounds", Spec::List(&OBJ))]]);
pub const TUNE: Spec = Spec::Items(&Items {
    label: "row", unique: false, nonempty: false,
    spec: Spec::Obj(&[&[req("isa", NAME), req("precision", NAME), req("source", NAME), req("chosen", NAME),
                        req("fastest", NAME), opt("kernel", NAME), opt("env", NAME), opt("workload", NAME),
                        opt("default", NAME), opt("tie_band", FRAC),
                        req("times", Spec::List(&Spec::Rule(|v, path, at| pair(v, path, at, "seconds"))))]]) });
pub const MACHINE: Fields = &[
    opt("cpu_model", TEXT), opt("os", TEXT), opt("rustc", TEXT), opt("python", TEXT), opt("python_build", TEXT),
    opt("numpy", TEXT), opt("numba", TEXT), opt("date", TEXT), opt("git_commit", TEXT), opt("hostname", TEXT),
    opt("mandel_ladder", TEXT), opt("cpu_family_model", Spec::Rule(family_model)), opt("cores", INT1),
    opt("cpus_usable", INT1), opt("isa_flags", Spec::List(&TEXT)), opt("load_average", Spec::List(&NUM)),
    opt("load_average_after_bench", Spec::List(&NUM))];
// The machine run.py ran on; the extension's cargo profile labels the pyo3- rows (the notes).
const PYTHON_MACHINE: Spec = Spec::Obj(&[MACHINE, &[opt("mandel_ladder_profile", NAME)]]);
const CRITERION_SETTINGS: Spec = Spec::Obj(&[&[opt("sample_size", COUNT), opt("warm_up_s", S), opt("measurement_s", S),
                                               opt("source", TEXT), opt("samples", TEXT)]]);
// What a Mojo SIMD rung records (f32 lanes: twice the native width of SSE/NEON, AVX2, AVX-512).
const MOJO_SIMD_WIDTHS: Spec = Spec::OneOf(&[Lit::Int(8), Lit::Int(16), Lit::Int(32)]);
const COMPUTES: Spec = Spec::OneOf(&[Lit::Str("counts"), Lit::Str("bitmap")]);
// run.json. Its rounds: describe's (or round 0's) settings, where they came from, and (once taken) how many were
// taken and the tunings they ran on; a set measured with Criterion records none. Its tunings: what the run pinned
// each variable to.
pub const RUN: Spec = Spec::Obj(&[&[
    opt("quick", BOOL), opt("prebuilt", BOOL), opt("criterion", CRITERION_SETTINGS), opt("pool_threads", INT1),
    opt("rounds", Spec::Obj(&[ROUND_SETTINGS, &[opt("source", TEXT), opt("taken", COUNT),
                                                opt("tunings", TUNING_PAIRS)]])),
    opt("python_rounds", Spec::Obj(&[&[req("kernel_s", NUM0), req("min_renders", INT1)]]))],
    TUNING_RECORDS,
    &[opt("python_source", TEXT), opt("python_foreign", TEXT), opt("python_sha256", NAME)]]);
// What a run pinned each tuning variable to, as run.json records it (and a summary's settings, where
// compare holds two runs to one).
const TUNING_RECORDS: Fields = &[
    opt(TUNINGS[0].run_key, Spec::Rule(|v, path, at| tuning_record(TUNINGS[0].variable, v, path, at))),
    opt(TUNINGS[1].run_key, Spec::Rule(|v, path, at| tuning_record(TUNINGS[1].variable, v, path, at))),
];
// {value, source}: what a run pinned a tuning variable to.
pub const TUNING_RECORD: Spec = Spec::Obj(&[&[req("value", NAME), req("source", NAME)]]);
// The older record of the extension's tunings: each variable as it read it (null: unset).
pub const TUNING_VARIABLES: Spec = Spec::Obj(&[&[null(TUNINGS[0].variable, NAME), null(TUNINGS[1].variable, NAME)]]);
pub const PEAK_RATES: Fields =
    &[req(RATES[0], RATE), req(RATES[1], RATE), opt(STEP_KEYS[0], RATE), opt(STEP_KEYS[1], RATE)];
pub const PEAK: Spec = Spec::Obj(&[&[req("isa", NAME)], PEAK_RATES, &[opt("measured", Spec::Rule(measured))]]);
pub const MEASUREMENTS: Spec = Spec::Items(&Items {
    label: "measurement", spec: Spec::Obj(&[PEAK_RATES]), unique: false, nonempty: false });
const PYTHON_RUNG: Fields = &[
    req("name", NAME), null("median_s", S), opt("min_s", S), opt("max_s", S), opt("times_s", Spec::List(&S)),
    opt("rung", TEXT), opt("language", TEXT), opt("precision", TEXT), opt("isa", TEXT), opt("kernel", TEXT),
    opt("description", TEXT), opt("error", TEXT),
    opt("threads", INT1), opt("compile_s", NUM0), opt("iterations", COUNT), opt("repeats", COUNT),
    opt("computes", COMPUTES), opt("verification", Spec::Obj(&[VERIFICATION])),
    // the rule its verification's `allowed` follows (run.py: rungs.py's, mandel_ladder.tolerance); absent from files
    // written before it was recorded
    opt("tolerance", Spec::Obj(&[&[req("max_fraction", FRAC), req("slack_pixels", COUNT)]])),
    // a Mojo SIMD rung's vector width in f32 lanes (twice its build's native width); absent before
    opt("simd_width", MOJO_SIMD_WIDTHS)];
pub const BASELINES: Spec = Spec::Obj(&[&[
    req("schema", Spec::OneOf(&[Lit::Str("mandel-baselines/1")])),
    req("rungs", Spec::Items(&Items { label: "rung", spec: Spec::Obj(&[PYTHON_RUNG]), unique: true, nonempty: false })),
    opt("machine", PYTHON_MACHINE), opt("settings", Spec::Rule(settings)), opt("params", Spec::Obj(&[PARAMS])),
    // the tunings the pyo3- rows' kernels ran, as a round's (rows.rs); absent from older files
    opt("extension_tunings", Spec::Rule(extension_tunings)),
    // run.py's table of every Python rung, run or not, in ladder order
    opt("python_rungs", Spec::Items(&Items {
        label: "Python rung", unique: true, nonempty: false,
        spec: Spec::Obj(&[&[req("name", NAME), req("label", NAME), req("language", NAME), req("precision", NAME),
                            req("computes", COMPUTES)]]) }))]]);
// A row of summary.json (crates/report/src/build.rs): every time and ratio positive and finite, or null.
const ROW: Fields = &[
    req("name", NAME), req("status", Spec::OneOf(&[Lit::Str("ok"), Lit::Str("failed"), Lit::Str("missing")])),
    null("median_s", S), opt("threads", Spec::Rule(threads)),
    opt("method", TEXT), opt("language", TEXT), opt("precision", TEXT), opt("isa", TEXT), opt("computes", TEXT),
    opt("problem", TEXT), opt("kernel", TEXT), opt("spread_kind", TEXT), opt("previous", TEXT),
    opt("lane_iterations_source", TEXT), opt("note", TEXT),
    opt("mean_s", S), opt("spread_low_s", S), opt("spread_high_s", S),
    opt("iterations_per_s", POS), opt("speedup_vs_python", POS), opt("speedup_vs_previous", POS),
    opt("peak_share", POS), opt("step_share", POS),
    opt("repeats", COUNT), opt("iterations", COUNT), opt("lane_iterations", COUNT), opt("pixels", COUNT),
    opt("differing", COUNT), opt("allowed", COUNT), opt("max_abs_diff", COUNT), opt("threads_n", COUNT),
    opt("contended_rounds", COUNT),
    opt("verified_ok", BOOL), opt("reference", BOOL), opt("skips_work", BOOL),
    // each round's fastest render; round_medians_s: a set merged before that rule (the verdict rule reads either)
    opt("compile_s", NUM0), opt("simd_width", MOJO_SIMD_WIDTHS), opt("round_times_s", Spec::List(&S)),
    opt("round_medians_s", Spec::List(&S)), opt("others_median", FRAC), opt("steal_median", FRAC)];
pub const SUMMARY: Spec = Spec::Obj(&[&[
    req("schema", Spec::OneOf(&[Lit::Str("mandel-ladder-summary/1")])), req("machine_id", NAME),
    req("rows", Spec::Items(&Items { label: "row", spec: Spec::Obj(&[ROW]), unique: true, nonempty: false })),
    opt("machine", Spec::Obj(&[MACHINE])), opt("peak", OBJ),
    opt("settings", Spec::Obj(&[&[
        opt("quick", BOOL), opt("criterion", CRITERION_SETTINGS), opt("pool_threads", INT1),
        opt("params", Spec::Obj(&[PARAMS])), opt("python_params", Spec::Obj(&[PARAMS])),
        opt("python_settings", Spec::Rule(settings)), opt("python_machine", PYTHON_MACHINE), opt("python_time", TEXT),
        opt("python_source", TEXT), opt("python_foreign", TEXT)],
        TUNING_RECORDS,
        // the tunings the rounds ran on: compare sets them side by side
        &[opt("rounds", Spec::Obj(&[&[opt("round_time", TEXT), opt("tunings", TUNING_PAIRS)]]))]]))]]);
// A Criterion result as the merge takes it (seconds): read_criterion_bench's, or the rounds'.
pub const CRITERION_RESULT: Spec = Spec::Obj(&[&[
    req("median_s", S), null("ci_low_s", S), null("ci_high_s", S), null("mean_s", S), opt("min_s", S), opt("max_s", S),
    opt("iterations", COUNT), opt("samples", COUNT), req("isa", NAME), opt("ci_level", FRAC)]]);
// A verification row the merge takes, keyed by kernel; a kernel the build cannot run says `skipped` (why).
pub const VERIFY_ROW: Spec = Spec::Obj(&[&[
    null("pixels", COUNT), null("differing", COUNT), null("allowed", COUNT), null("ok", BOOL), opt("skipped", TEXT),
    opt("iterations", COUNT), opt("reference_iterations", COUNT), opt("lane_iterations", COUNT),
    opt("max_abs_diff", COUNT)]]);
// A verification row of a kernel that ran: its counts (differing null: an output that could not be compared, a
// failure check_verification holds it to).
pub const VERIFIED_COUNTS: Spec =
    Spec::Obj(&[&[req("pixels", COUNT), null("differing", COUNT), req("allowed", COUNT)]]);
// A Criterion benchmark's files.
pub const ESTIMATES: Spec = Spec::Obj(&[&[
    req("median", Spec::Obj(&[&[req("point_estimate", POS), req("confidence_interval", Spec::Obj(&[&[
        req("lower_bound", POS), req("upper_bound", POS), opt("confidence_level", FRAC)]]))]])),
    req("mean", Spec::Obj(&[&[req("point_estimate", POS)]]))]]);
pub const BENCHMARK: Spec = Spec::Obj(&[&[req("full_id", NAME), req("function_id", NAME), req("value_str", NAME),
                                          opt("throughput", OBJ)]]);
pub const SAMPLE: Spec = Spec::Obj(&[&[req("iters", Spec::List(&POS)), req("times", Spec::List(&POS))]]);
// A sweep as `mandel sweep --json` and python_baselines.sweep print it, and the large image as `mandel render --json`
// reports it.
const POINT: Spec = Spec::Obj(&[&[
    req("axis", Spec::OneOf(&[Lit::Str("size"), Lit::Str("iters")])), req("width", INT1), req("height", INT1),
    req("max_iters", INT1), req("iterations", COUNT), opt("differing", COUNT), opt("allowed", COUNT),
    req("median_s", S), req("min_s", S), opt("times_s", Spec::List(&S))]]);
pub const SWEEP: Spec = Spec::Obj(&[&[
    req("kernel", NAME), opt("isa", TEXT), opt("precision", TEXT), opt("threads", INT1),
    req("points", Spec::Items(&Items { label: "point", spec: POINT, unique: false, nonempty: true }))]]);
pub const LARGE: Spec = Spec::Obj(&[&[
    req("kernel", NAME), req("isa", NAME), req("threads", INT1), req("width", INT1), req("height", INT1),
    req("max_iters", INT1), opt("iterations", COUNT),
    req("times_s", Spec::Items(&Items { label: "time", spec: S, unique: false, nonempty: true })),
    req("paging_s", NUM0), opt("user_s", NUM0), opt("sys_s", NUM0), opt("process_user_s", NUM0),
    opt("process_sys_s", NUM0),
    // the render's sampled check against the f64 reference; absent from a report older than it
    opt("check", Spec::Obj(&[&[req("checked", INT1), req("differing", COUNT), req("allowed", COUNT),
                               req("ok", BOOL)]]))]]);
