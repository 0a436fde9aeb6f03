//! The tunings `mandel tune` chooses and the ladder pins (part of `mandel-report check`): which variable
//! each kind of tune row pins, which kernel families it reaches, what a tune file pins (`tuning_pins`) and
//! the tie band it was chosen with (`tie_band`). The scripts set the variables in their children's
//! environments; what they are and what a row pins is said here once, and the scripts ask for it
//! (`readers.tunings`, `readers.tuning_pins`, `readers.tie_band`). Also how a tuning's value is read
//! (`tunings_pinned`, `tuning_text`: the checker holds records to them) and the extension's record of its
//! tunings (`extension_pairs`, which `finish` compares with the rounds').

use crate::check::py_strip;
use crate::pyjson::{Py, PyStr};

/// A tuning variable: the kind of `mandel tune` row that chooses it (its `kernel`), the run.json (and
/// summary settings) key recording what the run pinned it to, the variable (the kernels' `TUNING_ENV`),
/// and the kernel families it pins, as `mandel bench` names them in its rounds' `tunings`.
pub struct Tuning {
    pub kernel: &'static str,
    pub run_key: &'static str,
    pub variable: &'static str,
    pub families: &'static [&'static str],
}

/// The variables, in the order the scripts pin and record them: the only ones a tune file sets.
pub const TUNINGS: [Tuning; 2] = [
    Tuning { kernel: "simd", run_key: "simd_tuning", variable: "MANDEL_TUNING", families: &["simd-f32", "simd-f64"] },
    Tuning { kernel: "c-reference", run_key: "c_tuning", variable: "MANDEL_C_TUNING", families: &["c-reference"] },
];

/// The tie band of rows from before `mandel tune` recorded its `tie_band`: it has written each row's
/// `default` since its band became 2% (mandel_core's `choose::TIE_BAND` then, which may change since);
/// before, the band was 3%, and before that there was none, and a file of either says neither.
pub const TIE_BAND_OF_ROWS_WITH_DEFAULT: f64 = 0.02;

/// The table as the scripts read it (`readers.tunings`): each variable's `run_key`, `variable` and
/// `families`, in order.
pub fn table() -> Py {
    let text = |s: &str| Py::Str(s.into());
    let entry = |t: &Tuning| {
        let families = Py::List(t.families.iter().map(|f| text(f)).collect());
        Py::Dict(vec![
            ("run_key".into(), text(t.run_key)),
            ("variable".into(), text(t.variable)),
            ("families".into(), families),
        ])
    };
    Py::List(TUNINGS.iter().map(entry).collect())
}

/// The variable of a row's kind (its `kernel`: absent, `simd`; null or another kind: none).
fn variable_of(kernel: &Py) -> Option<&'static Tuning> {
    TUNINGS.iter().find(|t| kernel.as_str() == Some(t.kernel))
}

/// What the tune rows `rows` pin: each variable (in the order its kind's first row comes) and its value,
/// the rows' `fastest`: MANDEL_TUNING takes `precision:tuning` pairs, MANDEL_C_TUNING one tuning; a
/// variable left out when no row of its kind timed any. A row naming another variable than its kind's
/// (`env`) is refused, never obeyed: a tune file must not set PATH. Only the fields the rule reads are
/// read, as the scripts read them (a row from before rows named their kind is `simd`'s); one it cannot
/// read (a row no object, a timed row without its `precision` or `fastest`) is refused too.
pub fn pins(rows: &Py, source: &str) -> Result<Vec<(&'static str, String)>, String> {
    let rows = match rows {
        Py::List(rows) => &rows[..],
        // an empty object or string, which Python enumerates as it would a list: no row, nothing pinned
        Py::Dict(_) | Py::Str(_) if !rows.truthy() => &[],
        _ => return Err(format!("{source}: the tune rows should be a list, found {}", rows.repr())),
    };
    let simd = Py::Str(PyStr::from("simd"));
    let mut pins: Vec<(&'static str, Vec<Py>)> = Vec::new();
    for (i, r) in rows.iter().enumerate() {
        if !matches!(r, Py::Dict(_)) {
            return Err(format!("{source}: row #{i} should be a JSON object, found {}", r.type_name()));
        }
        let field = |key: &str| match r.has(key) {
            true => Ok(r.get(key)),
            false => Err(format!("{source}: row #{i} lacks key(s) {key}")),
        };
        let kernel = if r.has("kernel") { r.get("kernel") } else { &simd };
        if matches!(kernel, Py::List(_) | Py::Dict(_)) {
            return Err(format!("{source}: row #{i} kernel should be a name, found {}", kernel.repr()));
        }
        let tuning = variable_of(kernel);
        let env = r.get("env");
        if !env.is_none() && tuning.is_none_or(|t| env.as_str() != Some(t.variable)) {
            let (kernel, env) = (kernel.str(), env.repr());
            let own = tuning.map_or("one the ladder sets", |t| t.variable);
            return Err(format!(
                "{source}: row #{i} ({kernel}) names the variable {env}, not {own}: refused, nothing is set from it"
            ));
        }
        let Some(tuning) = tuning else { continue };
        if !field("times")?.truthy() {
            continue;
        }
        let pin = if tuning.kernel == "simd" {
            let precision = field("precision")?.str();
            Py::Str(PyStr::from(format!("{precision}:{}", field("fastest")?.str()).as_str()))
        } else {
            field("fastest")?.clone()
        };
        match pins.iter_mut().find(|(var, _)| *var == tuning.variable) {
            Some((_, values)) => values.push(pin),
            None => pins.push((tuning.variable, vec![pin])),
        }
    }
    // each variable's pins joined, once every row is read: a `fastest` no string is refused then
    let joined = |(var, values): (&'static str, Vec<Py>)| {
        let names: Option<Vec<&str>> = values.iter().map(Py::as_str).collect();
        let Some(names) = names else {
            let found = values.iter().find(|v| v.as_str().is_none()).map(Py::repr).unwrap_or_default();
            return Err(format!("{source}: a row pinning {var} has the fastest tuning {found}, which is no name"));
        };
        Ok((var, names.join(",")))
    };
    pins.into_iter().map(joined).collect()
}

/// The tuned family whose tuning a kernel runs (`mandel bench`'s names, [`Tuning::families`]): the C
/// reference's, or the whole-vector SIMD kernels' of its precision (`simd-f32`, `rayon-simd-f64`); none for
/// the refill and algorithmic variants, which run one fixed tuning per path that no variable reaches, nor for
/// the scalar kernels.
pub fn family(kernel: &str, reference: bool) -> Option<String> {
    if reference {
        return Some("c-reference".into());
    }
    match kernel.split('-').collect::<Vec<_>>()[..] {
        [.., "simd", precision @ ("f32" | "f64")] => Some(format!("simd-{precision}")),
        _ => None,
    }
}

/// The tuned families the registry's kernels run (`registry`, `mandel describe`'s; a family whose variable
/// is in `user_set`, the user's to pin, left out) that no timed row of the tune rows `rows` chose, in
/// order: a kept tuning without a choice for one would leave it to whatever each process calibrates.
pub fn unchosen(registry: &[Py], rows: &[Py], user_set: &[String]) -> Vec<String> {
    let user: Vec<&str> = TUNINGS
        .iter()
        .filter(|t| user_set.iter().any(|v| v == t.variable))
        .flat_map(|t| t.families.iter().copied())
        .collect();
    // a kernel named twice counts as its last entry, as the scripts' dict of the registry held it
    let last = |i: usize, k: &Py| !registry[i + 1..].iter().any(|later| later.get("name").py_eq(k.get("name")));
    let tuned = registry.iter().enumerate().filter(|&(i, k)| last(i, k)).filter_map(|(_, k)| {
        family(&k.get("name").str(), k.get("reference").truthy()).filter(|f| !user.contains(&f.as_str()))
    });
    // a row that timed nothing pins nothing (`pins`)
    let chosen: Vec<String> = rows
        .iter()
        .filter(|r| r.get("times").truthy())
        .map(|r| match r.get("kernel").as_str() {
            Some("c-reference") => "c-reference".to_string(),
            _ => format!("simd-{}", r.get("precision").str()),
        })
        .collect();
    let mut missing: Vec<String> = tuned.filter(|f| !chosen.contains(f)).collect();
    missing.sort_by(|a, b| a.chars().cmp(b.chars()));
    missing.dedup();
    missing
}

/// The tie band `mandel tune` chose `rows` (checked; null: none) with, a fraction as the rows hold it, as
/// far as they say: the band every row records; where some record one, one band for them all, else not
/// known; where none does, [`TIE_BAND_OF_ROWS_WITH_DEFAULT`] when every row has its `default`. None when
/// unknown.
pub fn tie_band(rows: &[Py]) -> Py {
    let mut recorded: Vec<&Py> = Vec::new(); // a set, as Python's: equal numbers once, the first kept
    for band in rows.iter().map(|r| r.get("tie_band")) {
        if !recorded.iter().any(|b| b.py_eq(band)) {
            recorded.push(band);
        }
    }
    if recorded.iter().any(|b| !b.is_none()) {
        return match recorded[..] {
            [band] => band.clone(),
            _ => Py::None, // several bands, or some rows without one: not one to state
        };
    }
    let all_default = !rows.is_empty() && rows.iter().all(|r| !r.get("default").is_none());
    if all_default { Py::Float(TIE_BAND_OF_ROWS_WITH_DEFAULT) } else { Py::None }
}

/// mandel_registry::tunings' words: `v4k8 (forced)`, `[a-z0-9][a-z0-9 ]* \([a-z ]+\)`.
pub(crate) fn tuning_text(s: &str) -> bool {
    let Some((tuning, source)) = s.split_once(" (") else { return false };
    let Some(source) = source.strip_suffix(')') else { return false };
    let lower = |c: char| c.is_ascii_lowercase() || c == ' ';
    tuning.starts_with(|c: char| c.is_ascii_lowercase() || c.is_ascii_digit())
        && tuning.chars().all(|c| lower(c) || c.is_ascii_digit())
        && !source.is_empty()
        && source.chars().all(lower)
}

/// Each family `var`=`value` pins and the tuning it pins it to (None where it pins none: the process
/// calibrates its own), read as `mandel_simd::parse_tuning` reads it but for surrounding spaces, which a
/// record trims: any ASCII case, MANDEL_TUNING one name for both precisions or `f32:NAME,f64:NAME`;
/// empty pins nothing. None for a value that names no tuning.
pub(crate) fn tunings_pinned(var: &str, value: &str) -> Option<Vec<(&'static str, Option<String>)>> {
    let families = TUNINGS.iter().find(|t| t.variable == var).expect("a tuning variable").families;
    // `default`, or Rust's names, with no leading zero (v04k8 is none)
    let number = |n: &str| n.starts_with(|c: char| ('1'..='9').contains(&c)) && n.bytes().all(|b| b.is_ascii_digit());
    let name = |s: &str| {
        s == "default"
            || s.strip_prefix('v').and_then(|s| s.split_once('k')).is_some_and(|(v, k)| number(v) && number(k))
    };
    if !value.is_ascii() {
        return None; // Rust folds ASCII case only: a Kelvin sign is no k
    }
    let value = py_strip(value).to_ascii_lowercase();
    if value.is_empty() || !value.contains(':') {
        let pinned = (!value.is_empty()).then(|| value.clone());
        return (value.is_empty() || name(&value)).then(|| families.iter().map(|f| (*f, pinned.clone())).collect());
    }
    if var != TUNINGS[0].variable {
        return None;
    }
    let mut out: Vec<(&'static str, Option<String>)> = families.iter().map(|f| (*f, None)).collect();
    for part in value.split(',') {
        let (precision, tuning) = part.split_once(':')?;
        let (family, tuning) = (format!("simd-{}", py_strip(precision)), py_strip(tuning));
        let slot = out.iter_mut().find(|(f, _)| *f == family)?;
        if slot.1.is_some() || !name(tuning) {
            return None;
        }
        slot.1 = Some(tuning.to_string());
    }
    Some(out)
}

/// run.py's `extension_tunings` as [family, "TUNING (source)"] pairs (`mandel-report finish`'s Python
/// tunings). The older record of the variables gives the families a variable pinned to a named tuning; not
/// those it left unset (calibrated) or pinned to `default` (the path's own, which it does not name): their
/// tuning stays unknown.
pub fn extension_pairs(value: &Py) -> Vec<(String, String)> {
    if let Py::List(pairs) = value {
        return pairs.iter().filter_map(|p| Some((p.items().first()?.str(), p.items().get(1)?.str()))).collect();
    }
    let pinned = TUNINGS.iter().flat_map(|t| {
        tunings_pinned(t.variable, value.get(t.variable).as_str().unwrap_or_default()).unwrap_or_default()
    });
    pinned
        .filter_map(|(family, t)| Some((family.into(), format!("{} (forced)", t.filter(|t| t != "default")?))))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows(text: &str) -> Py {
        serde_json::from_str(text).expect("JSON")
    }

    /// A tune row of `kernel` (None: a row from before rows named theirs) on `precision`, `fastest` timed
    /// unless `fastest` is empty.
    fn row(kernel: Option<&str>, precision: &str, fastest: &str) -> String {
        let kernel = kernel.map_or(String::new(), |k| format!(r#""kernel": "{k}", "#));
        let times = if fastest.is_empty() { String::new() } else { format!(r#"["{fastest}", 0.1]"#) };
        format!(r#"{{{kernel}"precision": "{precision}", "fastest": "{fastest}", "times": [{times}]}}"#)
    }

    /// A review: the refill and algorithmic SIMD kernels were taken for tuned ones, but they run one fixed
    /// tuning per path, which no variable reaches.
    #[test]
    fn only_the_whole_vector_simd_and_c_kernels_have_a_tuned_family() {
        let kernels = ["simd-f32", "rayon-simd-f64", "simd-f32-refill", "simd-algorithmic-f32"];
        let families: Vec<_> = kernels.iter().map(|k| family(k, false)).collect();
        assert_eq!(families, [Some("simd-f32".into()), Some("simd-f64".into()), None, None]);
        assert_eq!(family("rayon-simd-algorithmic-f32", false), None);
        assert_eq!(family("naive-f64", false), None);
        assert_eq!(family("c-ref-f32", true), Some("c-reference".into()));
        assert_eq!(family("simd", false), None);
    }

    #[test]
    fn a_kept_tuning_lacks_the_families_no_timed_row_chose() {
        let registry = rows(
            r#"[{"name": "simd-f32"}, {"name": "rayon-simd-f64"}, {"name": "c-ref-f32", "reference": true},
                {"name": "naive-f64"}, {"name": "simd-f32-refill"}]"#,
        );
        let tune = |text: &str| rows(text).items().to_vec();
        let simd_f32 = tune(&format!("[{}]", row(Some("simd"), "f32", "v4k8")));
        let missing = unchosen(registry.items(), &simd_f32, &[]);
        assert_eq!(missing, ["c-reference", "simd-f64"]);
        // the user's variable pins its families: not the kept tuning's to choose
        assert_eq!(unchosen(registry.items(), &simd_f32, &["MANDEL_C_TUNING".into()]), ["simd-f64"]);
        let all = tune(&format!(
            "[{}, {}, {}]",
            row(None, "f32", "v4k8"),
            row(Some("simd"), "f64", "v4k4"),
            row(Some("c-reference"), "f32", "v6k8")
        ));
        assert!(unchosen(registry.items(), &all, &[]).is_empty());
        // a row that timed nothing chose nothing
        let untimed = tune(&format!("[{}, {}]", row(None, "f32", "v4k8"), row(Some("simd"), "f64", "")));
        assert_eq!(unchosen(&registry.items()[..2], &untimed, &[]), ["simd-f64"]);
    }

    #[test]
    fn the_variables_are_those_the_kernels_read() {
        assert_eq!(TUNINGS.map(|t| t.variable), [mandel_simd::TUNING_ENV, mandel_c_reference::TUNING_ENV]);
    }

    #[test]
    fn each_variable_pins_its_kinds_fastest_in_the_order_its_first_row_comes() {
        let rows = rows(&format!(
            "[{}, {}, {}, {}]",
            row(Some("c-reference"), "f32", "v6k4"),
            row(None, "f32", "v4k8"),
            row(Some("simd"), "f64", "v5k8"),
            row(Some("simd"), "f64", ""), // a path without tunings: nothing to pin
        ));
        let pins = pins(&rows, "t.json").expect("pins");
        assert_eq!(pins, [("MANDEL_C_TUNING", "v6k4".to_string()), ("MANDEL_TUNING", "f32:v4k8,f64:v5k8".into())]);
        assert_eq!(super::pins(&Py::List(vec![]), "t.json"), Ok(vec![]));
    }

    #[test]
    fn a_row_naming_another_variable_than_its_kinds_is_refused() {
        let named = |kernel: &str, env: &str| {
            let text = format!(r#"[{{"kernel": {kernel}, "env": "{env}", "times": []}}]"#);
            pins(&rows(&text), "t.json")
        };
        assert_eq!(named(r#""simd""#, "MANDEL_TUNING"), Ok(vec![]));
        assert_eq!(
            named(r#""simd""#, "PATH"),
            Err("t.json: row #0 (simd) names the variable 'PATH', not MANDEL_TUNING: refused, nothing is set from it"
                .into())
        );
        assert_eq!(
            named(r#""c-reference""#, "MANDEL_TUNING").unwrap_err(),
            "t.json: row #0 (c-reference) names the variable 'MANDEL_TUNING', not MANDEL_C_TUNING: refused, nothing \
             is set from it"
        );
        // a kind the ladder knows no variable of (a null kind too): any variable it names is refused
        for (kernel, said) in [(r#""gpu""#, "(gpu)"), ("null", "(None)")] {
            let refused = named(kernel, "MANDEL_TUNING").unwrap_err();
            assert!(refused.contains(&format!("{said} names the variable 'MANDEL_TUNING', not one the ladder sets")));
        }
    }

    /// What the scripts read of a row is read as they read it (any value: `str()` of it), and what they
    /// could not read is refused, naming the row.
    #[test]
    fn a_row_is_read_only_as_far_as_the_rule_reads_it() {
        let pinned = |text: &str| pins(&rows(text), "t.json");
        assert_eq!(
            pinned(r#"[{"precision": 32, "fastest": null, "times": [1]}]"#),
            Ok(vec![("MANDEL_TUNING", "32:None".into())])
        );
        assert_eq!(pinned(r#"[{"kernel": 5, "times": 1}, {"kernel": "simd", "times": []}]"#), Ok(vec![]));
        assert_eq!((pinned("{}"), pinned(r#""""#)), (Ok(vec![]), Ok(vec![])));
        for (text, said) in [
            (r#"{"a": 1}"#, "t.json: the tune rows should be a list, found {'a': 1}"),
            ("[[]]", "t.json: row #0 should be a JSON object, found list"),
            (r#"[{"kernel": ["simd"]}]"#, "t.json: row #0 kernel should be a name, found ['simd']"),
            (r#"[{"kernel": "simd"}]"#, "t.json: row #0 lacks key(s) times"),
            (r#"[{"times": [1], "fastest": "v4k8"}]"#, "t.json: row #0 lacks key(s) precision"),
            (r#"[{"kernel": "c-reference", "times": [1]}]"#, "t.json: row #0 lacks key(s) fastest"),
            (
                r#"[{"kernel": "c-reference", "times": [1], "fastest": 4}, {"env": "PATH"}]"#,
                "t.json: row #1 (simd) names the variable 'PATH', not MANDEL_TUNING: refused, nothing is set from it",
            ),
            (
                r#"[{"kernel": "c-reference", "times": [1], "fastest": 4}]"#,
                "t.json: a row pinning MANDEL_C_TUNING has the fastest tuning 4, which is no name",
            ),
        ] {
            assert_eq!(pinned(text), Err(said.to_string()), "{text}");
        }
    }

    #[test]
    fn the_tie_band_is_the_one_every_row_records_else_two_percent_where_every_row_has_its_default() {
        let band = |text: &str| tie_band(rows(text).items()).repr();
        let (old, default) = (r#"{"times": []}"#, r#"{"default": "v3k8"}"#);
        assert_eq!(band(&format!("[{default}, {default}]")), "0.02");
        assert_eq!(band(&format!("[{old}, {default}]")), "None"); // a row from before: not known
        assert_eq!(band("[]"), "None");
        let recorded = |b: &str| format!(r#"{{"default": "v3k8", "tie_band": {b}}}"#);
        assert_eq!(band(&format!("[{}, {}]", recorded("0.025"), recorded("0.025"))), "0.025");
        assert_eq!(band(&format!("[{}, {}]", recorded("0.025"), recorded("0.03"))), "None"); // two bands
        assert_eq!(band(&format!("[{}, {default}]", recorded("0.025"))), "None"); // not the inferred 2%
        // equal bands are one (Python's set), the first as written
        assert_eq!(band(&format!("[{}, {}]", recorded("0"), recorded("0.0"))), "0");
        assert_eq!(band(&format!("[{}, {}]", recorded("1.0"), recorded("1"))), "1.0");
    }

    #[test]
    fn tunings_read_as_the_records_trim_them() {
        let simd = |v| tunings_pinned("MANDEL_TUNING", v).map(|p| p.into_iter().map(|(_, t)| t).collect::<Vec<_>>());
        let some = |a: Option<&str>, b: Option<&str>| Some(vec![a.map(String::from), b.map(String::from)]);
        for (value, pinned) in [
            ("", some(None, None)),
            (" ", some(None, None)),
            ("v4k8", some(Some("v4k8"), Some("v4k8"))),
            (" V4K8\u{1c}", some(Some("v4k8"), Some("v4k8"))),
            ("v04k8", None),
            ("f32:v4k8", some(Some("v4k8"), None)),
            ("f32:v4k8, f64 : v8k4", some(Some("v4k8"), Some("v8k4"))),
            ("f32:v4k8,f32:v4k8", None),
            ("default", some(Some("default"), Some("default"))),
            ("f16:v4k8", None),
            ("v4\u{212a}8", None),
            ("v4k8,", None),
            ("f32:", None),
        ] {
            assert_eq!(simd(value), pinned, "{value:?}");
        }
        assert!(tunings_pinned("MANDEL_C_TUNING", "f32:v4k8").is_none());
        let pairs = extension_pairs(&rows(r#"{"MANDEL_TUNING": "f32:V4K8,f64:default", "MANDEL_C_TUNING": "v3k4"}"#));
        assert_eq!(
            pairs,
            [("simd-f32".into(), "v4k8 (forced)".into()), ("c-reference".into(), "v3k4 (forced)".into())]
        );
        assert!(tuning_text("v4k8 (forced)") && tuning_text("one pixel at a time (scalar path)"));
        assert!(!tuning_text("v4k8") && !tuning_text("V4k8 (forced)") && !tuning_text(" v4k8 (forced)"));
    }
}
