//! The machine a run happens on, as far as the ladder tells machines apart: its CPU as the first
//! processor of /proc/cpuinfo gives it, the CPUs online and usable, and the id its results folder is
//! named after (`results/<machine-id>`). The scripts add the rest of a machine description (the OS,
//! the Python and Rust builds, the date) and ask for these through `mandel-report check` (kinds `cpu`,
//! `machine_id`, `other_machine`); `scripts/compare` finds this machine's results with [`this_machine_id`].

use crate::pyjson::{Int, Py, PyStr};
use crate::{check, pyfile};
use regex::Regex;
use std::collections::HashMap;
use std::path::Path;
use std::sync::LazyLock;

/// The instruction-set extensions that matter to the ladder's kernels, in the order they are listed.
pub const ISA_FLAGS: [&str; 14] = [
    "sse2",
    "sse4_1",
    "sse4_2",
    "avx",
    "avx2",
    "fma",
    "avx512f",
    "avx512dq",
    "avx512bw",
    "avx512vl",
    "avx512_fp16",
    "asimd",
    "sve",
    "sve2",
];

/// A folder name is at most 255 bytes on common filesystems; a baseline's temporary folders
/// (`.NAME.tmp-PID`) need room beside it, so a machine id (and a baseline name) stays within this.
pub const MAX_NAME: usize = 200;

/// One folder name (a baseline's, a machine id), no path: letters, digits, `.`, `_` and `-`, starting
/// with a letter or digit, at most [`MAX_NAME`] bytes; else why not, naming it as `what`.
pub fn folder_name(name: &PyStr, what: &str) -> Result<(), String> {
    let b = name.text.as_bytes();
    let allowed = |c: &u8| c.is_ascii_alphanumeric() || b"._-".contains(c);
    if !b.first().is_some_and(u8::is_ascii_alphanumeric) || !b.iter().all(allowed) {
        return Err(format!(
            "{what} {}: use letters, digits, '.', '_' and '-' (starting with a letter or digit): one folder name, no path",
            name.repr()
        ));
    }
    if b.len() > MAX_NAME {
        let start = PyStr::from(&name.text[..40]).repr();
        return Err(format!("{what} {start}... is {} characters long: at most {MAX_NAME} (one folder name)", b.len()));
    }
    Ok(())
}

/// The CPU part of a machine description (summary.json's `machine`).
#[derive(Clone, Debug, PartialEq)]
pub struct Cpu {
    pub cpu_model: String,
    pub cpu_family_model: Option<String>,
    /// The CPUs online (Python's `os.cpu_count()`).
    pub cores: Option<u64>,
    /// The CPUs this process may use (its affinity, `taskset`, and a cgroup quota), which the runtimes'
    /// default thread counts follow; fewer than `cores` is said in the summary.
    pub cpus_usable: Option<u64>,
    pub isa_flags: Vec<&'static str>,
}

/// The first processor's fields of a /proc/cpuinfo text: up to the blank line that ends it, the first
/// value of each key.
pub fn cpuinfo(text: &str) -> HashMap<&str, &str> {
    let mut fields = HashMap::new();
    for line in text.lines().skip_while(|l| l.trim().is_empty()).take_while(|l| !l.trim().is_empty()) {
        let (key, value) = line.split_once(':').unwrap_or((line, ""));
        fields.entry(key.trim()).or_insert(value.trim());
    }
    fields
}

/// `text` with each control character a space, trimmed: the summary refuses them, and only after every
/// timing is done.
fn printable(text: &str) -> String {
    let spaced: String = text.chars().map(|c| if c.is_control() { ' ' } else { c }).collect();
    spaced.trim().to_string()
}

/// This machine's [`Cpu`], its CPU read from `cpuinfo` (the text of /proc/cpuinfo; empty where there is
/// none, as off Linux).
pub fn cpu(cpuinfo_text: &str) -> Cpu {
    let info = cpuinfo(cpuinfo_text);
    let field = |key| info.get(key).copied().filter(|v: &&str| !v.is_empty()); // an empty one is none
    let flags: Vec<&str> = field("flags").or(field("Features")).unwrap_or("").split_whitespace().collect();
    // An Arm CPU has no model name: its implementer and part tell one core design from another (a Neoverse
    // N1 from a V1), which the architecture's name alone would give one machine id.
    let arm = field("CPU implementer")
        .zip(field("CPU part"))
        .map(|(i, p)| format!("{} (CPU implementer {i}, part {p})", std::env::consts::ARCH));
    let model = printable(&field("model name").map(String::from).or(arm).unwrap_or(std::env::consts::ARCH.into()));
    Cpu {
        cpu_model: if model.is_empty() { "unknown CPU".into() } else { model },
        cpu_family_model: info.get("cpu family").zip(info.get("model")).map(|(f, m)| format!("{f}/{m}")),
        cores: cores_online(),
        cpus_usable: cpus_usable(),
        isa_flags: ISA_FLAGS.into_iter().filter(|f| flags.contains(f)).collect(),
    }
}

fn cores_online() -> Option<u64> {
    // SAFETY: sysconf reads a system value and touches no memory of ours.
    let n = unsafe { libc::sysconf(libc::_SC_NPROCESSORS_ONLN) };
    u64::try_from(n).ok().filter(|&n| n > 0)
}

/// Rust's count of the CPUs a process may use: its affinity and a cgroup CPU quota (a container's), which
/// the kernels' thread pools follow too (`mandel describe`'s `threads.cores`).
fn cpus_usable() -> Option<u64> {
    std::thread::available_parallelism().ok().map(|n| n.get() as u64)
}

/// The trademarks, clock and words that say nothing of which CPU it is.
static NOISE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?i)\((r|tm|c)\)|\b(cpu|processor|with .*graphics|\d+-core)\b|@.*$").unwrap());
static NOT_NAME: LazyLock<Regex> = LazyLock::new(|| Regex::new("[^a-z0-9]+").unwrap());

/// `intel-xeon-platinum-8488c-2c`: the CPU model of a machine description without trademarks and clock,
/// then the cores; a model without a number (some hypervisors) gets its family/model's model. One
/// folder name however long the model (at most [`MAX_NAME`]).
pub fn machine_id(machine: &Py) -> String {
    let field = |key| Some(machine.get(key)).filter(|v| v.truthy()).map(Py::str);
    let model = NOISE.replace_all(&field("cpu_model").unwrap_or_else(|| "unknown".into()), " ").to_lowercase();
    let mut name = NOT_NAME.replace_all(&model, "-").trim_matches('-').to_string();
    if name.is_empty() {
        name = "cpu".into();
    }
    if let Some(family_model) = field("cpu_family_model").filter(|_| !name.contains(|c: char| c.is_ascii_digit())) {
        let model = family_model.rsplit('/').next().unwrap_or_default().to_lowercase();
        name += &format!("-m{}", NOT_NAME.replace_all(&model, "-").trim_matches('-'));
    }
    let suffix = format!("-{}c", field("cores").unwrap_or_else(|| "0".into()));
    let mut cut = MAX_NAME.saturating_sub(suffix.len()).min(name.len());
    while !name.is_char_boundary(cut) {
        cut -= 1; // the name is ASCII but for what a hand-made family/model may add
    }
    format!("{}{suffix}", name[..cut].trim_end_matches('-'))
}

/// `cpu` as a machine description's fields (what the scripts take, and [`machine_id`] reads).
pub fn described(cpu: &Cpu) -> Py {
    let text = |s: &str| Py::Str(PyStr::from(s));
    let count = |n: Option<u64>| n.map_or(Py::None, |n| Py::Int(Int::from_u128(n.into())));
    Py::Dict(vec![
        ("cpu_model".into(), text(&cpu.cpu_model)),
        ("cpu_family_model".into(), cpu.cpu_family_model.as_deref().map_or(Py::None, text)),
        ("cores".into(), count(cpu.cores)),
        ("cpus_usable".into(), count(cpu.cpus_usable)),
        ("isa_flags".into(), Py::List(cpu.isa_flags.iter().map(|f| text(f)).collect())),
    ])
}

/// This machine's description ([`described`] of its /proc/cpuinfo).
pub fn this_machine() -> Py {
    described(&cpu(&std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default()))
}

/// The results folder name `scripts/ladder` gives this machine.
pub fn this_machine_id() -> String {
    machine_id(&this_machine())
}

/// Why the machine description `theirs` is not of `here` (CPU model, cores, family/model, machine id):
/// empty when they match; one that records no CPU counts as another machine.
pub fn other_machine(theirs: &Py, here: &Py) -> Vec<String> {
    if !matches!(theirs, Py::Dict(_)) || !theirs.get("cpu_model").truthy() {
        return vec!["the file does not record the machine it was measured on".into()];
    }
    let mut reasons = Vec::new();
    let [model, model_here] = [theirs, here].map(|m| m.get("cpu_model"));
    if !model.py_eq(model_here) {
        reasons.push(format!("CPU {} there, {} here", model.repr(), model_here.repr()));
    }
    let [cores, cores_here] = [theirs, here].map(|m| m.get("cores"));
    if !cores.py_eq(cores_here) {
        reasons.push(format!("{} cores there, {} here", cores.str(), cores_here.str()));
    }
    let [there, family_here] = [theirs, here].map(|m| m.get("cpu_family_model"));
    if there.truthy() && family_here.truthy() && !there.py_eq(family_here) {
        reasons.push(format!("CPU family/model {} there, {} here", there.str(), family_here.str()));
    }
    // Their id with their family/model, or ours where they record none.
    let mut theirs_filled = theirs.clone();
    theirs_filled.set("cpu_family_model".into(), if there.truthy() { there } else { family_here }.clone());
    let (id_there, id_here) = (machine_id(&theirs_filled), machine_id(here));
    if reasons.is_empty() && id_there != id_here {
        reasons.push(format!("machine id {id_there} there, {id_here} here"));
    }
    reasons
}

/// `canonical`, or `WxH/N [x_min,x_max]x[y_min,y_max]` for problem parameters (absent ones the
/// canonical problem's) that differ from the canonical problem: what the Python rows say they solved.
pub fn problem_label(params: &Py) -> String {
    let mut merged = crate::check::canonical_params();
    let canonical = merged.clone();
    for (key, value) in params.entries() {
        merged.set(key.clone(), value.clone());
    }
    if merged.py_eq(&canonical) {
        return "canonical".into();
    }
    let p = |key| merged.get(key).str();
    format!(
        "{}x{}/{} [{},{}]x[{},{}]",
        p("width"),
        p("height"),
        p("max_iters"),
        p("x_min"),
        p("x_max"),
        p("y_min"),
        p("y_max")
    )
}

/// Why Python baselines (their `machine` and `params` as run.py records them) are not of this machine
/// (`here`) and of the canonical problem the Rust rungs are timed on: empty when they are. Baselines that
/// do not record their machine are another machine's.
pub fn foreign(baselines: &Py, here: &Py) -> Vec<String> {
    let mut reasons = other_machine(baselines.get("machine"), here);
    let label = problem_label(baselines.get("params"));
    if label != "canonical" {
        reasons.push(format!("problem {label}, not the canonical one the Rust rungs are timed on"));
    }
    reasons
}

/// Why `folder`/tuning.json is not this machine's (`here`, a machine description) to reuse, or None: it
/// must be the tuning the set in `folder`/raw ran with (raw/tune.json, byte for byte: a run stopped after
/// swapping in its raw/ but before writing tuning.json leaves another's), on this CPU (a folder name can
/// be two CPUs', [`machine_id`]). The ladder (`--retune` unless given) and scripts/ab both ask this.
pub fn kept_tuning_problem(folder: &Path, here: &Py) -> Option<String> {
    let folder = pyfile::pure(folder);
    let file = folder.join("raw").join("machine.json");
    let read = pyfile::load_json(&file).and_then(|theirs| {
        let (shape, join) = (check::Shape::Machine, check::Join::Root);
        check::shape(&theirs, shape, &file.to_string_lossy(), "the machine description", join).map(|()| theirs)
    });
    match read.map(|theirs| other_machine(&theirs, here)) {
        Err(e) => return Some(format!("the CPU that chose it is unknown ({e})")),
        Ok(reasons) if !reasons.is_empty() => {
            return Some(format!("chosen on another machine: {}", reasons.join("; ")));
        }
        Ok(_) => {}
    }
    let [raw, kept] = [folder.join("raw").join("tune.json"), folder.join("tuning.json")].map(std::fs::read);
    let paired = matches!((raw, kept), (Ok(raw), Ok(kept)) if raw == kept);
    (!paired).then(|| "it is not the tuning the set in raw/ ran with (raw/tune.json differs or is missing)".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn machine(model: &str, family_model: Option<&str>, cores: u64) -> Py {
        let cpu = Cpu {
            cpu_model: model.into(),
            cpu_family_model: family_model.map(Into::into),
            cores: Some(cores),
            cpus_usable: None,
            isa_flags: vec![],
        };
        described(&cpu)
    }

    #[test]
    fn the_id_is_the_model_without_trademarks_then_the_cores() {
        let cases = [
            ("Intel(R) Xeon(R) Platinum 8488C", 2, "intel-xeon-platinum-8488c-2c"),
            ("AMD EPYC 9R14 96-Core Processor", 16, "amd-epyc-9r14-16c"),
            ("Intel(R) Core(TM) i7-8550U CPU @ 1.80GHz", 8, "intel-core-i7-8550u-8c"),
            ("AMD Ryzen 7 5800U with Radeon Graphics", 16, "amd-ryzen-7-5800u-16c"),
            ("", 4, "unknown-4c"),
            ("(R)", 1, "cpu-1c"),
            // as Python 3.11 computed them with machine.py's rule
            ("11th Gen Intel(R) Core(TM) i7-1165G7 @ 2.80GHz", 8, "11th-gen-intel-core-i7-1165g7-8c"),
            ("AMD Ryzen 7 PRO 4750U with Radeon Graphics", 16, "amd-ryzen-7-pro-4750u-16c"),
            ("Apple M2 (cpu)", 8, "apple-m2-8c"),
            ("QEMU Virtual CPU version 2.5+", 1, "qemu-virtual-version-2-5-1c"),
        ];
        for (model, cores, want) in cases {
            assert_eq!(machine_id(&machine(model, None, cores)), want, "{model}");
        }
    }

    #[test]
    fn a_model_without_a_number_takes_its_family_models_model() {
        assert_eq!(machine_id(&machine("AMD EPYC", Some("26/2"), 2)), "amd-epyc-m2-2c");
        assert_eq!(machine_id(&machine("Intel(R) Xeon(R) Processor", Some("6/167"), 2)), "intel-xeon-m167-2c");
        assert_eq!(machine_id(&machine("Virtual CPU", Some("6/../x y"), 2)), "virtual-mx-y-2c");
        assert_eq!(machine_id(&machine("AMD EPYC 7B13", Some("25/1"), 2)), "amd-epyc-7b13-2c");
        assert_eq!(machine_id(&machine("Processorx cpu_y", Some("6/Z 9"), 2)), "processorx-cpu-y-mz-9-2c");
    }

    #[test]
    fn a_long_model_is_cut_to_one_folder_name() {
        let id = machine_id(&machine(&"Xeon 9".repeat(100), None, 16));
        assert_eq!(id.len(), MAX_NAME);
        assert!(id.ends_with("-16c") && !id.contains("--"), "{id}");
    }

    #[test]
    fn cpuinfo_gives_the_first_processors_fields() {
        let text = "\nprocessor\t: 0\nmodel name\t: Test CPU 9000\ncpu family\t: 6\nmodel\t\t: 143\n\
                    flags\t\t: fpu sse2 avx2 fma avx512f\n\nprocessor\t: 1\nmodel name\t: Other\n";
        let cpu = cpu(text);
        assert_eq!(cpu.cpu_model, "Test CPU 9000");
        assert_eq!(cpu.cpu_family_model.as_deref(), Some("6/143"));
        assert_eq!(cpu.isa_flags, ["sse2", "avx2", "fma", "avx512f"]);
        assert!(cpu.cores.is_some_and(|n| n >= 1));
        let evil = super::cpu("model name\t: Evil\x1b[31m CPU\x00 9000\x7f\n");
        assert_eq!(evil.cpu_model, "Evil [31m CPU  9000");
        assert_eq!(super::cpu("").cpu_model, std::env::consts::ARCH);
        // Arm's cpuinfo: no model name, its implementer and part name the core design
        let [n1, v1] = ["0xd0c", "0xd40"]
            .map(|part| super::cpu(&format!("processor\t: 0\nCPU implementer\t: 0x41\nCPU part\t: {part}\n")));
        assert_eq!(n1.cpu_model, format!("{} (CPU implementer 0x41, part 0xd0c)", std::env::consts::ARCH));
        let ids = [n1, v1].map(|cpu| machine_id(&described(&Cpu { cores: Some(2), ..cpu })));
        assert_ne!(ids[0], ids[1]);
        assert!(ids[0].ends_with("-implementer-0x41-part-0xd0c-2c"), "{}", ids[0]);
    }

    #[test]
    fn a_kept_tuning_is_this_machines_only_with_its_raw_twin_on_this_cpu() {
        let dir = std::env::temp_dir().join(format!("kept-tuning-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("raw")).unwrap();
        let here = machine("AMD EPYC", Some("26/2"), 2);
        let write = |name: &str, text: &str| std::fs::write(dir.join(name), text).unwrap();
        let why = || kept_tuning_problem(&dir, &here);
        assert!(why().unwrap().starts_with("the CPU that chose it is unknown ("), "{:?}", why());
        assert!(why().unwrap().ends_with("raw/machine.json: cannot read: No such file or directory)"));
        write("raw/machine.json", r#"{"cpu_model": "AMD EPYC", "cpu_family_model": "25/1", "cores": 2}"#);
        assert_eq!(why().unwrap(), "chosen on another machine: CPU family/model 25/1 there, 26/2 here");
        write("raw/machine.json", r#"{"cpu_model": "AMD EPYC", "cpu_family_model": "26/2", "cores": 2}"#);
        let unpaired = "it is not the tuning the set in raw/ ran with (raw/tune.json differs or is missing)";
        assert_eq!(why().unwrap(), unpaired);
        write("tuning.json", "[]");
        write("raw/tune.json", "[] ");
        assert_eq!(why().unwrap(), unpaired);
        write("raw/tune.json", "[]");
        assert_eq!(why(), None);
        write("raw/machine.json", r#"{"cpu_model": 7}"#);
        assert!(why().unwrap().contains("raw/machine.json: cpu_model should be a string"), "{:?}", why());
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn another_machine_is_named_by_what_differs() {
        let here = machine("AMD EPYC", Some("26/2"), 2);
        assert!(other_machine(&here, &here).is_empty());
        assert_eq!(
            other_machine(&machine("AMD EPYC", Some("25/1"), 16), &here),
            ["16 cores there, 2 here", "CPU family/model 25/1 there, 26/2 here"]
        );
        assert_eq!(other_machine(&machine("Intel Xeon", None, 2), &here), ["CPU 'Intel Xeon' there, 'AMD EPYC' here"]);
        assert_eq!(other_machine(&Py::None, &here), ["the file does not record the machine it was measured on"]);
    }

    #[test]
    fn baselines_of_another_problem_or_machine_are_foreign() {
        let here = machine("AMD EPYC", Some("26/2"), 2);
        let params = |json: &str| serde_json::from_str::<Py>(json).unwrap();
        assert_eq!(problem_label(&Py::None), "canonical");
        assert_eq!(problem_label(&params(r#"{"width": 960.0, "x_min": -2}"#)), "canonical");
        assert_eq!(problem_label(&params(r#"{"width": 64, "max_iters": 50}"#)), "64x960/50 [-2.0,0.6]x[-1.5,1.5]");
        assert_eq!(problem_label(&params(r#"{"dtype": "f32"}"#)), "960x960/200 [-2.0,0.6]x[-1.5,1.5]");
        let baselines = Py::Dict(vec![("machine".into(), here.clone()), ("params".into(), params(r#"{"height": 8}"#))]);
        assert_eq!(
            foreign(&baselines, &machine("AMD EPYC", Some("26/2"), 16)),
            [
                "2 cores there, 16 here",
                "problem 960x8/200 [-2.0,0.6]x[-1.5,1.5], not the canonical one the Rust rungs \
              are timed on"
            ]
        );
        assert!(foreign(&baselines, &here).len() == 1 && foreign(&Py::Dict(vec![]), &here).len() == 1);
    }
}
