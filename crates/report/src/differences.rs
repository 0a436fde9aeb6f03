//! What must match for two result sets to be compared: the problem and the settings their times were
//! taken under (how a row's time is made, Criterion's and the Python runner's settings), and for two runs
//! of one machine the machine itself, its tunings and its interpreter. `scripts/compare` refuses sets that
//! differ unless `--allow-different`, and the machines' summary says how they differ.

use crate::compare::tag;
use crate::pyvalue::{Ordered, ordered_eq, ordered_repr, py_eq, py_str, truthy};
use crate::summary::{self, Settings, Summary, round_time};
use serde_json::{Value, json};

/// What a run with no tuning recorded ran on (each process calibrates its own): a configuration of its
/// own, not an absence (the machine lines say it too).
pub const CALIBRATED: &str = "calibrated in each process";

/// A setting's value: a JSON value, or a dict in the order written (a problem's parameters).
enum Setting {
    Plain(Value),
    Dict(Ordered),
}

impl Setting {
    fn text(&self) -> String {
        match self {
            Setting::Plain(v) => py_str(v),
            Setting::Dict(d) => ordered_repr(d),
        }
    }
    fn same(&self, other: &Setting) -> bool {
        match (self, other) {
            (Setting::Plain(a), Setting::Plain(b)) => py_eq(a, b),
            (Setting::Dict(a), Setting::Dict(b)) => ordered_eq(a, b),
            _ => false,
        }
    }
}

/// The machine record the Python rows ran under: the baselines' own, else (an older set) the ladder's,
/// which ran them.
pub fn python_machine(set: &Summary) -> &Value {
    let recorded = set.settings.as_ref().map(|st| &st.python_machine).filter(|m| truthy(m));
    recorded.or(Some(&set.machine).filter(|m| truthy(m))).unwrap_or(&Value::Null)
}

/// The canonical problem, as a dict in `Params`' order (a set that records no parameters ran it).
fn canonical() -> Ordered {
    let c = mandel_core::Params::canonical();
    let ((x_min, x_max), (y_min, y_max)) = (c.x_range(), c.y_range());
    let pairs = [
        ("width", json!(c.width())),
        ("height", json!(c.height())),
        ("x_min", json!(x_min)),
        ("x_max", json!(x_max)),
        ("y_min", json!(y_min)),
        ("y_max", json!(y_max)),
        ("max_iters", json!(c.max_iters())),
    ];
    Ordered(pairs.into_iter().map(|(k, v)| (k.to_string(), v)).collect())
}

/// `v.get(key)` of an object (null for anything else or an absent key).
fn get(v: &Value, key: &str) -> Value {
    v.get(key).cloned().unwrap_or(Value::Null)
}

/// The [family, tuning] pairs the rounds ran on, as one text (None for a set that records none).
fn round_tunings(rounds: &Value) -> Value {
    let Value::Array(pairs) = get(rounds, "tunings") else { return Value::Null };
    let mut pairs: Vec<(String, String)> =
        pairs.iter().map(|p| (py_str(&get_at(p, 0)), py_str(&get_at(p, 1)))).collect();
    pairs.sort();
    let text: Vec<String> = pairs.iter().map(|(family, tuning)| format!("{family}={tuning}")).collect();
    json!(if text.is_empty() { "none".to_string() } else { text.join(", ") })
}

fn get_at(v: &Value, i: usize) -> Value {
    v.get(i).cloned().unwrap_or(Value::Null)
}

/// The settings a set's times depend on, each by name (None: not recorded, so an older set is not refused
/// for lacking it); `same_machine` adds the machine, its tunings and its interpreter.
fn view(set: &Summary, same_machine: bool) -> Vec<(&'static str, Option<Setting>)> {
    let default = Settings::default();
    let st = set.settings.as_ref().unwrap_or(&default);
    let plain = |v: Value| Some(v).filter(|v| !v.is_null()).map(Setting::Plain);
    let (crit, py) = (&st.criterion, st.python_settings.as_ref());
    let py_get = |k: &str| py.and_then(|p| p.get(k)).cloned().unwrap_or(Value::Null);
    let rust_timing = if truthy(&st.rounds) {
        format!("rounds, a round's time its {}", round_time(&st.rounds))
    } else {
        "Criterion".into()
    };
    let python_time = summary::python_time(st).map_or(Value::Null, Value::from);
    let mut out = vec![
        (
            "problem (Rust)",
            Some(Setting::Dict(st.params.clone().filter(|p| !p.0.is_empty()).unwrap_or_else(canonical))),
        ),
        ("problem (Python)", st.python_params.clone().map(Setting::Dict)),
        ("quick mode", Some(Setting::Plain(json!(truthy(&st.quick))))),
        ("Criterion sample_size", plain(get(crit, "sample_size"))),
        ("Criterion warm_up_s", plain(get(crit, "warm_up_s"))),
        ("Criterion measurement_s", plain(get(crit, "measurement_s"))),
        ("Python quick", plain(py_get("quick"))),
        ("Python budget_s", plain(py_get("budget_s"))),
        ("Python min_repeats", plain(py_get("min_repeats"))),
        ("Python max_repeats", plain(py_get("max_repeats"))),
        ("Rust timing", plain(json!(rust_timing))),
        ("Python time", plain(python_time)),
    ];
    if same_machine {
        let m = &set.machine;
        let tuning = |t: &Value| json!(summary::tuning(t));
        let pym = python_machine(set);
        out.extend([
            ("machine id", plain(json!(set.machine_id))),
            ("CPU", plain(get(m, "cpu_model"))),
            // the family/model too: a VM often names only "AMD EPYC", which a Zen 3 and a Zen 4 share
            ("CPU family/model", plain(get(m, "cpu_family_model"))),
            ("cores", plain(get(m, "cores"))),
            ("thread pool", plain(st.pool_threads.clone())),
            // two runs on different tunings measure different configurations
            ("SIMD tuning", plain(tuning(&st.simd_tuning))),
            ("C reference tuning", plain(tuning(&st.c_tuning))),
            ("rounds' tunings", plain(round_tunings(&st.rounds))),
            // pure Python, every speedup's denominator, moves with the interpreter's build
            ("Python version", plain(get(pym, "python"))),
            ("Python build", plain(get(pym, "python_build"))),
            ("rounds' time per kernel", plain(get(&st.rounds, "kernel_s"))),
        ]);
    }
    out
}

/// What differs between the sets' problems and settings, each against the first set that has it, as
/// lines. A setting absent from one side (e.g. no Python run there) is not a difference: its rows are
/// missing. `same_machine`: two runs of one machine.
pub fn differences(sets: &[Summary], same_machine: bool) -> Vec<String> {
    let views: Vec<_> = sets.iter().map(|s| view(s, same_machine)).collect();
    let mut out = Vec::new();
    let mut first: Vec<(&str, String, &Setting)> = Vec::new();
    for (i, view) in views.iter().enumerate() {
        for (key, value) in view {
            let Some(value) = value else { continue };
            match first.iter().find(|(k, _, _)| k == key) {
                None => first.push((key, tag(i), value)),
                Some((_, at, v)) if !v.same(value) => out.push(format!(
                    "{key}: {} in {at}, {} in {} ({})",
                    v.text(),
                    value.text(),
                    tag(i),
                    sets[i].machine_id
                )),
                Some(_) => {}
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(id: &str, machine: Value, settings: Value) -> Summary {
        serde_json::from_value(json!({"machine_id": id, "machine": machine, "settings": settings})).expect("a set")
    }

    #[test]
    fn each_setting_is_held_to_the_first_set_that_has_it() {
        let sets = [
            set("a", json!({}), json!({"python_settings": null})),
            set("b", json!({}), json!({"python_settings": {"budget_s": 1.0}})),
            set("c", json!({}), json!({"python_settings": {"budget_s": 9}})),
        ];
        // A lacks it (its Python rows are missing): B is the reference, and 1 equals 1.0
        assert_eq!(differences(&sets, false), ["Python budget_s: 1.0 in B, 9 in C (c)"]);
        let one = [
            set("b", json!({}), json!({"python_settings": {"budget_s": 1.0}})),
            set("c", json!({}), json!({"python_settings": {"budget_s": 1}})),
        ];
        assert_eq!(differences(&one, false), Vec::<String>::new());
    }

    #[test]
    fn two_runs_of_one_machine_hold_its_settings_too() {
        let rounds = |kernel_s: f64| json!({"rounds": {"kernel_s": kernel_s, "round_time": "fastest render"}});
        let sets = [set("m", json!({"cores": 2}), rounds(0.5)), set("m", json!({"cores": 2.0}), rounds(0.4))];
        assert_eq!(differences(&sets, true), ["rounds' time per kernel: 0.5 in A, 0.4 in B (m)"]);
        assert_eq!(differences(&sets, false), Vec::<String>::new()); // two machines: the rounds' rule only
        // the problem's parameters compared as dicts (any key order), a set without them the canonical one's
        let params = json!({"params": {"max_iters": 200, "height": 960, "width": 960, "x_min": -2.0, "x_max": 0.6,
                                       "y_min": -1.5, "y_max": 1.5}});
        assert_eq!(
            differences(&[set("a", json!({}), params), set("b", json!({}), json!({}))], false),
            Vec::<String>::new()
        );
        // no tuning recorded is a configuration of its own
        let tuned = set("m", json!({}), json!({"simd_tuning": {"value": "v4k8"}}));
        assert_eq!(
            differences(&[tuned, set("m", json!({}), json!({}))], true),
            ["SIMD tuning: v4k8 in A, calibrated in each process in B (m)"]
        );
    }
}
