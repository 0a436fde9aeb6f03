//! The peak's rates (`mandel peak` writes them; [`crate::check`] checks them, [`crate::notes`] states
//! them) and how two measurements of one run combine (part of `mandel-report check`, which
//! `readers.combine_peaks` asks): each rate the higher, since a busy neighbour only ever lowers a
//! ceiling, a step ceiling with the tuning it was measured at, and every measurement kept.

use crate::pyjson::{Py, PyStr};

/// `mandel peak`'s FMA rates (lane-FMAs per second, every lane busy).
pub const RATES: [&str; 2] = ["f32_lane_fmas_per_s", "f64_lane_fmas_per_s"];
/// Its step ceilings (lane-iterations per second of the kernels' own step, every lane busy): absent from
/// builds before they were measured.
pub const STEP_KEYS: [&str; 2] = ["f32_step_lane_iterations_per_s", "f64_step_lane_iterations_per_s"];

/// What the first measurement of a combined peak is called: the one made before the benches.
const FIRST: &str = "before the benches";

/// `before` (a peak, or peaks combined already) and `after` (a peak measured later in the run, `when`),
/// both of a peak's shape, as one peak: `before`'s keys in its order, each rate both give the higher (a
/// step ceiling taken from `after` with its tuning), and `measured`: `before`'s measurements (or `before`
/// itself, measured first) and `after`'s. None for peaks of different ISA paths, whose rates are not of
/// one kernel. A step ceiling both have the key of must be a rate in both: `{name}: ...` names the one
/// that has none.
pub fn combine(before: &Py, after: &Py, when: &PyStr, names: [&str; 2]) -> Result<Py, String> {
    if !before.get("isa").py_eq(after.get("isa")) {
        return Ok(Py::None);
    }
    let steps = STEP_KEYS.into_iter().filter(|k| before.has(k) && after.has(k));
    let rates: Vec<&str> = RATES.into_iter().chain(steps).collect();
    let mut out = before.entries().to_vec();
    let mut set = |key: &str, value: &Py| {
        let key = PyStr::from(key);
        match out.iter_mut().find(|(k, _)| *k == key) {
            Some((_, v)) => *v = value.clone(),
            None => out.push((key, value.clone())),
        }
    };
    for &key in &rates {
        if let Some((name, _)) = names.iter().zip([before, after]).find(|(_, peak)| peak.get(key).is_none()) {
            return Err(format!(
                "{name}: {key} is null: no rate to take the higher of (a build without the step ceiling leaves \
                 the key out)"
            ));
        }
        if after.get(key).gt(before.get(key)) {
            set(key, after.get(key));
            let tuning = key.replace("_lane_iterations_per_s", "_tuning");
            if tuning != key && after.has(&tuning) {
                set(&tuning, after.get(&tuning));
            }
        }
    }
    let measurement = |when: Py, peak: &Py| {
        let rates = rates.iter().map(|k| (PyStr::from(*k), peak.get(k).clone()));
        Py::Dict([(PyStr::from("when"), when)].into_iter().chain(rates).collect())
    };
    let mut measured = match before.get("measured") {
        earlier if earlier.truthy() => earlier.items().to_vec(),
        _ => vec![measurement(Py::Str(FIRST.into()), before)],
    };
    measured.push(measurement(Py::Str(when.clone()), after));
    set("measured", &Py::List(measured));
    Ok(Py::Dict(out))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A peak on `isa`: its FMA rates, and step ceilings (with their tunings) where given.
    fn peak(isa: &str, fmas: f64, steps: Option<(f64, f64)>) -> Py {
        let steps = steps.map_or(String::new(), |(f32, f64)| {
            format!(
                r#", "f32_step_lane_iterations_per_s": {f32:?}, "f64_step_lane_iterations_per_s": {f64:?},
                   "f32_step_tuning": "v4k8", "f64_step_tuning": "v4k8""#
            )
        });
        let text =
            format!(r#"{{"isa": "{isa}", "f32_lane_fmas_per_s": {fmas:?}, "f64_lane_fmas_per_s": 2.5e10{steps}}}"#);
        serde_json::from_str(&text).expect("JSON")
    }

    fn combined(before: &Py, after: &Py) -> Py {
        combine(before, after, &"after the benches".into(), ["before", "after"]).expect("combined")
    }

    #[test]
    fn each_rate_the_higher_a_step_ceiling_with_its_tuning_and_every_measurement_kept() {
        let before = peak("avx2", 5e10, Some((8.2e9, 5.1e9)));
        let mut after = peak("avx2", 6e10, Some((10.3e9, 5e9)));
        if let Py::Dict(entries) = &mut after {
            entries
                .iter_mut()
                .filter(|(k, _)| k.text == "f32_step_tuning")
                .for_each(|(_, v)| *v = Py::Str("v5k8".into()));
        }
        let both = combined(&before, &after);
        assert_eq!(
            both.repr(),
            "{'isa': 'avx2', 'f32_lane_fmas_per_s': 60000000000.0, 'f64_lane_fmas_per_s': 25000000000.0, \
             'f32_step_lane_iterations_per_s': 10300000000.0, 'f64_step_lane_iterations_per_s': 5100000000.0, \
             'f32_step_tuning': 'v5k8', 'f64_step_tuning': 'v4k8', 'measured': [\
             {'when': 'before the benches', 'f32_lane_fmas_per_s': 50000000000.0, 'f64_lane_fmas_per_s': 25000000000.0, \
             'f32_step_lane_iterations_per_s': 8200000000.0, 'f64_step_lane_iterations_per_s': 5100000000.0}, \
             {'when': 'after the benches', 'f32_lane_fmas_per_s': 60000000000.0, 'f64_lane_fmas_per_s': 25000000000.0, \
             'f32_step_lane_iterations_per_s': 10300000000.0, 'f64_step_lane_iterations_per_s': 5000000000.0}]}"
        );
        // a third measurement joins the two; a build before the step ceiling: the FMA rates alone
        let third = combine(&both, &peak("avx2", 7e10, None), &"after the Python rows".into(), ["b", "a"]).expect("ok");
        let whens: Vec<String> = third.get("measured").items().iter().map(|m| m.get("when").str()).collect();
        assert_eq!(whens, ["before the benches", "after the benches", "after the Python rows"]);
        assert_eq!(third.get("measured").items()[2].entries().len(), 3);
        assert!(combined(&before, &peak("avx512", 6e10, None)).is_none());
    }

    #[test]
    fn a_null_step_ceiling_is_refused_not_compared() {
        let mut after = peak("avx2", 6e10, Some((1e10, 5e9)));
        if let Py::Dict(entries) = &mut after {
            entries.iter_mut().filter(|(k, _)| k.text == STEP_KEYS[1]).for_each(|(_, v)| *v = Py::None);
        }
        let refused = combine(&peak("avx2", 5e10, Some((1e10, 5e9))), &after, &"x".into(), ["before", "after"]);
        assert!(refused.as_ref().is_err_and(|e| e.starts_with("after: f64_step_lane_iterations_per_s is null: ")));
    }
}
