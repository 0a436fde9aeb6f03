//! Two runs of the ladder on one machine, A (the baseline) and B: did each rung get faster, slower, or
//! not change beyond the noise? The rule, and why it is this one: METHODOLOGY.md, "Comparing two runs".
//!
//! change = B's median / A's median - 1 (-0.20 is 20% less time). Two rows measured in rounds
//! ([`judge_rounds`]): `faster`/`slower` when a Mann-Whitney test of the round times (each round's
//! fastest render; an older set's round medians) gives p < [`ALPHA`] AND the change passes the rung's
//! floor (the wider side's spread, or in interleaved rounds, scripts/ab's, where the rounds'
//! interquartile ranges lie apart the quieter side's); with too few rounds for the test to reach ALPHA
//! with one pair of rounds out of order (4 / C(n1+n2, n1) >= ALPHA: 5+5, 4+6, 3+9 rounds, not 3+12:
//! [`rank_test_decides`]), when the rounds' interquartile ranges lie apart AND the change passes the
//! wider floor. Other rows (Criterion's 95% CI of the median, a Python row's fastest and slowest call):
//! when B's interval lies entirely below/above A's AND the change passes the noise floor (the interval
//! says how stable a few seconds were, not how far a machine drifts between two runs). `no change`
//! otherwise; `missing` when a side has no time, `failed` when a side failed verification;
//! `not re-measured` for a Python row a side took from an earlier run or from another machine (its
//! settings' python_source, python_foreign), or both sides took from one measurement (their
//! python_machine's date and commit): the same numbers re-used are no evidence of no change;
//! `not comparable` for two rows of one name that differ in precision, threads, what they compute or
//! problem; `no verdict` for rows not in rounds timed in fewer than [`MIN_CALLS`] calls on a side (a
//! Python row's `repeats`).
//!
//! scripts/ab asks through `mandel-report verdicts` ([`answer`]): a [`Request`] as JSON on standard input, a
//! [`Report`] as JSON on standard output; scripts/compare ([`crate::compare_results`]) asks [`checked_report`].

use crate::pyfmt::{g, percent, signed_percent};
use crate::pyjson::{self, Py};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// The rank test's level.
pub const ALPHA: f64 = 0.01;

/// Rows not in rounds timed in fewer calls than this on a side get no verdict: one pass of a slow Python
/// rung moves by about as much as the noise floor between two runs of one tree (METHODOLOGY.md's A/A
/// checks), and its min-max interval of one call is a point.
pub const MIN_CALLS: u64 = 3;

/// Up to this many rounds a side the rank test's p is exact; beyond, the normal approximation.
const EXACT_UP_TO: usize = 25;

/// What a rung measures beyond its name: two rows of one name that differ in one of these time different work.
const CONFIG_FIELDS: [&str; 4] = ["precision", "threads_n", "computes", "problem"];

pub const FASTER: &str = "faster";
pub const SLOWER: &str = "slower";
pub const SAME: &str = "no change";
/// The floors unless --noise-floor (METHODOLOGY.md, "Comparing two runs"): of rows not in rounds, the run-to-run
/// drift of an unchanged tree on the project's shared VMs, rounded up; of rows in rounds, the smallest change
/// called faster or slower (scripts/compare's and scripts/ab's).
pub const DEFAULT_NOISE_FLOOR: f64 = 0.10;
pub const ROUNDS_NOISE_FLOOR: f64 = 0.05;
pub const MISSING: &str = "missing";
pub const FAILED: &str = "failed";
pub const STALE: &str = "not re-measured";
pub const UNLIKE: &str = "not comparable";
pub const FEW: &str = "no verdict";
/// The request's and the report's `schema`: a binary and scripts of different versions refuse each other.
pub const SCHEMA: &str = "mandel-report-verdicts/1";
/// Every verdict, in the order the tallies list them.
pub const VERDICTS: [&str; 8] = [FASTER, SLOWER, SAME, MISSING, FAILED, STALE, UNLIKE, FEW];

/// What `mandel-report verdicts` reads: the two runs (each a summary's `rows` and `settings`; other fields are
/// ignored) and the caller's rule settings.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Request {
    /// [`SCHEMA`].
    pub schema: String,
    pub a: Run,
    pub b: Run,
    /// The floor of rows not in rounds, a fraction (0.10: 10%).
    pub noise_floor: f64,
    /// The floor of rows in rounds.
    pub rounds_floor: f64,
    /// Fewest round times that make a row one measured in rounds (the scripts' MIN_ROUNDS).
    pub min_rounds: usize,
    /// A's and B's rounds alternated (scripts/ab), so the quieter side's floor may apply.
    #[serde(default)]
    pub interleaved: bool,
    /// Fail (a CI job) on rungs slower by more than this fraction, and on B failing verification.
    #[serde(default)]
    pub fail_above: Option<f64>,
    /// Fail on rungs timed on one side only.
    #[serde(default)]
    pub fail_on_missing: bool,
}

#[derive(Deserialize)]
pub struct Run {
    pub rows: Vec<Map<String, Value>>,
    #[serde(default)]
    pub settings: Option<Map<String, Value>>,
}

/// What `mandel-report verdicts` writes: an entry per rung of either run, in ladder order, and what the scripts
/// print around them.
#[derive(Serialize)]
pub struct Report {
    /// [`SCHEMA`].
    pub schema: &'static str,
    pub entries: Vec<Entry>,
    /// {verdict: rungs}, of the entries shown, in [`VERDICTS`] order, verdicts no rung got left out.
    pub counts: Counts,
    /// Why a CI job should fail (`fail_above`, `fail_on_missing`).
    pub failures: Vec<String>,
    /// The median change when at least 90% of the changes (8 at least) go one way: the machine's drift.
    pub drift: Option<f64>,
    /// How many entries have a change (the drift's denominator).
    pub changes: usize,
    pub alpha: f64,
    pub min_calls: u64,
}

#[derive(Serialize, Debug, Clone, PartialEq)]
pub struct Entry {
    pub name: String,
    pub verdict: &'static str,
    /// B's median over A's, less 1; None unless both were timed.
    pub change: Option<f64>,
    pub why: String,
    /// `ISA avx512 -> avx2` where the two rows took different instruction-set paths, else "".
    pub isa: String,
    /// Rows in rounds: the rank test's p, the floor applied, whether the rung's own spread set it, and
    /// the rule that decided (`rank` or `interquartile`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub p: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub floor: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub wide: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rule: Option<&'static str>,
    /// Whether the entry counts: a rung missing in both runs (one neither ran) is left out of the tables.
    pub shown: bool,
    /// Per side (A, B): the interval around the median (the row's spread, stretched to hold the median;
    /// None untimed), the round times counted, and the rounds' interquartile spread over the median.
    pub interval: [Option<(f64, f64)>; 2],
    pub rounds: [usize; 2],
    pub spread: [Option<f64>; 2],
}

/// How many rungs got each verdict, in [`VERDICTS`] order (a JSON object keeps it: a `Map` would sort).
pub struct Counts(pub Vec<(&'static str, usize)>);

impl Serialize for Counts {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut map = serializer.serialize_map(Some(self.0.len()))?;
        for (verdict, n) in &self.0 {
            map.serialize_entry(verdict, n)?;
        }
        map.end()
    }
}

/// A summary row, as far as the rule reads it.
#[derive(Clone, Copy)]
pub struct Row<'a>(pub &'a Map<String, Value>);

impl<'a> Row<'a> {
    fn f64(&self, key: &str) -> Option<f64> {
        self.0.get(key).and_then(Value::as_f64)
    }
    fn str(&self, key: &str) -> Option<&'a str> {
        self.0.get(key).and_then(Value::as_str)
    }
    fn truthy(&self, key: &str) -> bool {
        self.0.get(key).is_some_and(truthy)
    }
    fn median(&self) -> f64 {
        self.f64("median_s").unwrap_or(f64::NAN)
    }
    /// Timed: verified, with a time.
    pub fn timed(&self) -> bool {
        self.str("status") == Some("ok") && self.truthy("median_s")
    }
    fn failed(&self) -> bool {
        self.str("status") == Some("failed")
    }
    /// Each round's fastest render, or in a set merged before that rule its round medians.
    pub fn round_times(&self) -> Vec<f64> {
        let list = |key| -> Vec<f64> {
            self.0
                .get(key)
                .and_then(Value::as_array)
                .map(|a| a.iter().filter_map(Value::as_f64).collect())
                .unwrap_or_default()
        };
        let fastest = list("round_times_s");
        if fastest.is_empty() { list("round_medians_s") } else { fastest }
    }
    /// The interquartile range of the round times over the median: how far the rung's own rounds,
    /// fresh processes minutes apart, stray from each other. None without round times.
    pub fn round_spread(&self) -> Option<f64> {
        let (q1, q3) = quartiles(&self.round_times())?;
        Some((q3 - q1) / self.median())
    }
    /// (Q1, Q3) of the round times, stretched to hold the median: the interval of a row in rounds.
    fn iqr_interval(&self) -> (f64, f64) {
        let (q1, q3) = quartiles(&self.round_times()).unwrap_or((f64::NAN, f64::NAN));
        (q1.min(self.median()), q3.max(self.median()))
    }
    /// (low, high) seconds around the median: its CI or min-max, else the median itself.
    pub fn interval(&self) -> (f64, f64) {
        let m = self.median();
        match (self.f64("spread_low_s"), self.f64("spread_high_s")) {
            (Some(lo), Some(hi)) => (lo.min(m), hi.max(m)),
            _ => (m, m),
        }
    }
    /// Whether the row comes from the Python baselines (Python, Numba, Cython, the pyo3-* rows...), not
    /// from a run's Rust rounds.
    fn is_python(&self) -> bool {
        !matches!(self.str("language"), None | Some("Rust") | Some("C"))
    }
}

/// Python's truth of a value: not null, false, 0, "" or empty.
fn truthy(v: &Value) -> bool {
    match v {
        Value::Null => false,
        Value::Bool(b) => *b,
        Value::Number(n) => n.as_f64() != Some(0.0),
        Value::String(s) => !s.is_empty(),
        Value::Array(a) => !a.is_empty(),
        Value::Object(o) => !o.is_empty(),
    }
}

/// `statistics.median` of floats ([`pyjson::median`]): the middle value, or the mean of the two middle ones.
pub fn median(values: impl IntoIterator<Item = f64>) -> f64 {
    let v: Vec<Py> = values.into_iter().map(Py::Float).collect();
    pyjson::median(&v).and_then(|m| m.float()).unwrap_or(f64::NAN)
}

/// (Q1, Q3): the medians of the lower and upper halves (an odd count's middle value in neither,
/// [`pyjson::quartiles`]); None for no values.
pub fn quartiles(values: &[f64]) -> Option<(f64, f64)> {
    let v: Vec<Py> = values.iter().copied().map(Py::Float).collect();
    match pyjson::quartiles(&v) {
        (Py::Float(q1), Py::Float(q3)) => Some((q1, q3)),
        _ => None,
    }
}

/// C(n, k), exact; None past u128.
fn checked_comb(n: usize, k: usize) -> Option<u128> {
    let k = k.min(n - k);
    // each step's product of i+1 consecutive numbers is divisible by (i+1)!
    (0..k).try_fold(1u128, |acc, i| Some(acc.checked_mul((n - i) as u128)? / (i + 1) as u128))
}

/// C(n, k) for the exact test's sizes (25 a side at most: C(50, 25) is about 1.3e14).
fn comb(n: usize, k: usize) -> u128 {
    checked_comb(n, k).expect("the exact test's sizes fit u128")
}

/// C(n, k) as a float: exact where it fits u128, else a product of ratios (--rounds' largest counts).
fn comb_f64(n: usize, k: usize) -> f64 {
    checked_comb(n, k)
        .map_or_else(|| (0..k.min(n - k)).fold(1.0, |acc, i| acc * (n - i) as f64 / (i + 1) as f64), |c| c as f64)
}

/// How many orderings of n1 + n2 distinct values give each U (0 ..= n1*n2), the exact null distribution:
/// the largest value is from the first sample (adding n2 to U) or from the second.
fn u_counts(n1: usize, n2: usize) -> Vec<u128> {
    // table[j]: the distribution for (i, j) as i grows, i from 0 to n1
    let mut table: Vec<Vec<u128>> = vec![vec![1]; n2 + 1];
    for i in 1..=n1 {
        let mut next: Vec<Vec<u128>> = vec![vec![1]];
        for j in 1..=n2 {
            let (first, second) = (&table[j], &next[j - 1]);
            next.push(
                (0..=i * j)
                    .map(|u| {
                        let from_first = if u >= j { first.get(u - j).copied().unwrap_or(0) } else { 0 };
                        from_first + second.get(u).copied().unwrap_or(0)
                    })
                    .collect(),
            );
        }
        table = next;
    }
    table.swap_remove(n2)
}

/// Two-sided p of the rank sum of `a` over every way to draw len(a) of the pooled values, tied values
/// sharing their mean rank (in half ranks, so that every sum is a whole number): counted tie group by
/// tie group.
fn exact_p_with_ties(a: &[f64], b: &[f64]) -> f64 {
    let n1 = a.len();
    let mut pooled: Vec<f64> = a.iter().chain(b).copied().collect();
    pooled.sort_by(f64::total_cmp);
    // the distinct values, each with its tie count and half rank (twice the mean of the ranks it shares)
    let mut groups: Vec<(f64, usize, i64)> = vec![];
    for (i, &v) in pooled.iter().enumerate() {
        match groups.last_mut() {
            Some(last) if last.0 == v => last.1 += 1,
            _ => groups.push((v, 1, 2 * i as i64)),
        }
    }
    for group in &mut groups {
        group.2 += group.1 as i64 + 1;
    }
    let half_rank = |v: f64| groups.iter().find(|g| g.0 == v).map_or(0, |g| g.2);
    // (values drawn, their half-rank sum): how many draws
    let mut ways: std::collections::HashMap<(usize, i64), u128> = [((0, 0), 1)].into();
    for &(_, t, r) in &groups {
        let mut drawn = std::collections::HashMap::new();
        for (&(k, total), &count) in &ways {
            for j in 0..=t.min(n1 - k) {
                *drawn.entry((k + j, total + j as i64 * r)).or_insert(0) += count * comb(t, j);
            }
        }
        ways = drawn;
    }
    let mid = (n1 * (pooled.len() + 1)) as i64; // the half-rank sum's mean
    let seen = (a.iter().map(|&x| half_rank(x)).sum::<i64>() - mid).abs();
    let hits: u128 =
        ways.iter().filter(|&(&(k, total), _)| k == n1 && (total - mid).abs() >= seen).map(|(_, c)| c).sum();
    hits as f64 / comb(pooled.len(), n1) as f64
}

/// Two-sided p-value of the Mann-Whitney U test of samples `a` and `b`: exact for small samples (25 or
/// fewer a side; with ties, by tie groups), else the normal approximation with the tie and continuity
/// corrections.
pub fn mann_whitney_p(a: &[f64], b: &[f64]) -> f64 {
    let (n1, n2) = (a.len(), b.len());
    if n1 > EXACT_UP_TO || n2 > EXACT_UP_TO {
        return normal_p(a, b);
    }
    let mut all: Vec<f64> = a.iter().chain(b).copied().collect();
    all.sort_by(f64::total_cmp);
    if all.windows(2).any(|w| w[0] == w[1]) {
        return exact_p_with_ties(a, b).min(1.0);
    }
    let u = a.iter().map(|x| b.iter().filter(|&y| x > y).count()).sum::<usize>();
    let tail = u.min(n1 * n2 - u);
    let below: u128 = u_counts(n1, n2)[..=tail].iter().sum();
    ((2 * below) as f64 / comb(n1 + n2, n1) as f64).min(1.0)
}

/// The normal approximation of the two-sided p, with the tie and continuity corrections.
fn normal_p(a: &[f64], b: &[f64]) -> f64 {
    let (n1, n2) = (a.len() as f64, b.len() as f64);
    let mut pooled: Vec<f64> = a.iter().chain(b).copied().collect();
    pooled.sort_by(f64::total_cmp);
    // a value's rank: the average of the ranks its ties share
    let rank_sum: f64 = a
        .iter()
        .map(|&x| {
            let left = pooled.partition_point(|&v| v < x);
            let right = pooled.partition_point(|&v| v <= x);
            (left + right + 1) as f64 / 2.0
        })
        .sum();
    let u = rank_sum - n1 * (n1 + 1.0) / 2.0;
    let mut ties = 0u64;
    let mut i = 0;
    while i < pooled.len() {
        let t = pooled[i..].iter().take_while(|&&v| v == pooled[i]).count() as u64;
        ties += t * t * t - t;
        i += t as usize;
    }
    let n = n1 + n2;
    let var = n1 * n2 / 12.0 * ((n + 1.0) - ties as f64 / (n * (n - 1.0)));
    if var <= 0.0 {
        return 1.0;
    }
    let z = ((u - n1 * n2 / 2.0).abs() - 0.5) / var.sqrt();
    libm::erfc(z.max(0.0) / 2f64.sqrt()).min(1.0)
}

/// The smallest two-sided p the exact test of n1 and n2 distinct values can give: every value of one
/// sample beyond every value of the other, one ordering of C(n1+n2, n1) on each side.
pub fn min_p(n1: usize, n2: usize) -> f64 {
    2.0 / comb_f64(n1 + n2, n1)
}

/// The two-sided p of the exact test of n1 and n2 distinct values when one pair of them is out of order
/// (U = 1): the nearest the test comes to complete separation. One ordering gives U = 0 and one U = 1
/// (either way round), so p = 4 / C(n1+n2, n1): counted, not the exact distribution, which at --rounds'
/// largest counts would be slow to build on every compare.
pub fn p_one_out_of_order(n1: usize, n2: usize) -> f64 {
    (4.0 / comb_f64(n1 + n2, n1)).min(1.0)
}

/// Whether the rank test of n1 and n2 rounds can give p < ALPHA with one pair of rounds out of order.
/// With 3 or 4 rounds a side it cannot reach ALPHA at all (its smallest p is 0.1 at 3+3, 0.029 at 4+4);
/// with 5 a side only at complete separation (p = 0.0079; one round out of place: 0.016), so that one
/// stray round would turn a tenfold slowdown into `no change`. Those are judged by their interquartile
/// ranges instead, which one stray round cannot move past the middle half.
pub fn rank_test_decides(n1: usize, n2: usize) -> bool {
    p_one_out_of_order(n1, n2) < ALPHA
}

/// A verdict without the per-side facts [`verdicts`] adds.
#[derive(Debug, Clone, PartialEq)]
pub struct Judged {
    pub verdict: &'static str,
    pub change: Option<f64>,
    pub why: String,
    /// Rows in rounds: how the rule judged them.
    pub rounds: Option<ByRounds>,
}

/// How two rows in rounds were judged: the rank test's p, the floor applied, whether the rung's own
/// spread set it (`wide`), and the rule that decided (`rank` or `interquartile`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ByRounds {
    pub p: f64,
    pub floor: f64,
    pub wide: bool,
    pub rule: &'static str,
}

fn plain(verdict: &'static str, change: Option<f64>, why: String) -> Judged {
    Judged { verdict, change, why, rounds: None }
}

/// The verdict on two rows measured in rounds (see the module's doc). The rank rule's floor is the rung's
/// own: `noise_floor`, or the wider of the two rows' round spreads. A rung whose rounds stray by 12%
/// within one run (the algorithmic rungs, on a shared VM) also lands further between two runs, which the
/// rank test cannot see: rounds of one run share that run's moment of the machine. But a change can be
/// what spreads one side's rounds (a regression slowing most rounds a lot and a few a little): then that
/// side's spread would raise the bar for the very change that made it. So where the rounds were
/// `interleaved` (scripts/ab's ABBA rounds, which share the machine's drift), rounds apart by rank whose
/// interquartile ranges lie apart too are judged against the quieter side's spread instead: their middle
/// halves already clear each other, and a rung noisy on both sides keeps that noise as its floor. Two
/// separate runs keep the wider floor: the drift between them is as large as a rung's spread, and neither
/// the rank test nor the interquartile ranges see it, so an unchanged noisy rung would clear the quieter
/// side's floor. Too few rounds for the rank test to decide ([`rank_test_decides`]): the interval rule on
/// the rounds' interquartile ranges, with the same floors (the rule says which: `rank` or `interquartile`).
pub fn judge_rounds(a: Row, b: Row, noise_floor: f64, interleaved: bool) -> Judged {
    let p = mann_whitney_p(&a.round_times(), &b.round_times());
    judge_rounds_at(a, b, noise_floor, interleaved, p)
}

/// [`judge_rounds`] given the rank test's p (tests set it at the edges).
fn judge_rounds_at(a: Row, b: Row, noise_floor: f64, interleaved: bool, p: f64) -> Judged {
    let change = b.median() / a.median() - 1.0;
    let (na, nb) = (a.round_times().len(), b.round_times().len());
    let (spread_a, spread_b) = (a.round_spread().unwrap_or(f64::NAN), b.round_spread().unwrap_or(f64::NAN));
    let floor = noise_floor.max(spread_a).max(spread_b);
    let quiet = noise_floor.max(spread_a.min(spread_b)); // the quieter side's: a change cannot raise it
    let named = |f: f64| {
        if f > noise_floor {
            format!("{} floor (the rounds' interquartile spread)", percent(f, 1))
        } else {
            format!("{} floor", percent(f, 0))
        }
    };
    let left_out = || {
        let (noisy, spread) = if spread_a > spread_b { ("A", spread_a) } else { ("B", spread_b) };
        format!("{noisy}'s spread of {} left out, as the change may be what spread it", percent(spread, 1))
    };
    // `wide`: the rung's own spread set the floor; the tables say so
    let judged = |verdict, floor: f64, why: String, rule| Judged {
        verdict,
        change: Some(change),
        why,
        rounds: Some(ByRounds { p, floor, wide: floor > noise_floor, rule }),
    };
    let ((a_lo, a_hi), (b_lo, b_hi)) = (a.iqr_interval(), b.iqr_interval());
    let apart = b_hi < a_lo || b_lo > a_hi; // the median is inside each interval: apart in the change's direction
    let called = if change > 0.0 { SLOWER } else { FASTER };
    let p2 = g(p, 2);
    if !rank_test_decides(na, nb) {
        // the p one pair out of order would give, not these rounds' own: at 5+5 complete separation
        // reaches p < ALPHA, yet one stray round would not
        let rule = format!(
            "interquartile ranges, as with {na}+{nb} rounds one pair out of order gives p={}, not below {} (these \
             rounds: p={p2}, the least possible {})",
            g(p_one_out_of_order(na, nb), 2),
            g(ALPHA, 6),
            g(min_p(na, nb), 2)
        );
        if apart && change.abs() > floor {
            return judged(called, floor, format!("beyond the {}; rule: {rule}", named(floor)), "interquartile");
        }
        if interleaved && apart && change.abs() > quiet {
            let why = format!("beyond the {}; {}; rule: {rule}", named(quiet), left_out());
            return judged(called, quiet, why, "interquartile");
        }
        let within = if apart { format!("within the {}", named(floor)) } else { "ranges overlap".into() };
        return judged(SAME, floor, format!("{within}; rule: {rule}"), "interquartile");
    }
    if p < ALPHA && change.abs() > floor {
        return judged(called, floor, format!("rounds apart (p={p2}), beyond the {}", named(floor)), "rank");
    }
    if interleaved && p < ALPHA && apart && change.abs() > quiet {
        let why = format!(
            "rounds apart (p={p2}) and their interquartile ranges too, beyond the {}; {}",
            named(quiet),
            left_out()
        );
        return judged(called, quiet, why, "rank");
    }
    let why =
        if p < ALPHA { format!("within the {} (p={p2})", named(floor)) } else { format!("rounds overlap (p={p2})") };
    judged(SAME, floor, why, "rank")
}

/// The verdict on one rung. Two rows measured in rounds (`min_rounds` round times each) are judged by
/// [`judge_rounds`] with `rounds_floor` (and `interleaved`: whether their rounds alternated); others by
/// their intervals and `noise_floor`.
pub fn judge(a: Option<Row>, b: Option<Row>, req: &Request) -> Judged {
    let sides = [("A", a), ("B", b)];
    let failed: Vec<&str> = sides.iter().filter(|(_, r)| r.is_some_and(|r| r.failed())).map(|s| s.0).collect();
    if !failed.is_empty() {
        return plain(FAILED, None, format!("failed verification in {}", failed.join(" and ")));
    }
    let missing: Vec<&str> = sides.iter().filter(|(_, r)| !r.is_some_and(|r| r.timed())).map(|s| s.0).collect();
    let (Some(a), Some(b), true) = (a, b, missing.is_empty()) else {
        return plain(MISSING, None, format!("not timed in {}", missing.join(" and ")));
    };
    if a.round_times().len() >= req.min_rounds && b.round_times().len() >= req.min_rounds {
        return judge_rounds(a, b, req.rounds_floor, req.interleaved);
    }
    let change = b.median() / a.median() - 1.0;
    // repeats: a Python row's calls; 0 or absent, not counted in calls (Criterion's)
    let calls: Vec<String> = [("A", a), ("B", b)]
        .iter()
        .filter_map(|(side, row)| {
            let n = row.0.get("repeats").and_then(Value::as_u64).filter(|&n| n != 0)?;
            (n < MIN_CALLS).then(|| format!("{n} call{} in {side}", if n != 1 { "s" } else { "" }))
        })
        .collect();
    if !calls.is_empty() {
        let why = format!(
            "{}: fewer than {MIN_CALLS} a side cannot tell a change from one pass's noise",
            calls.join(" and ")
        );
        return plain(FEW, Some(change), why);
    }
    let ((a_lo, a_hi), (b_lo, b_hi)) = (a.interval(), b.interval());
    if b_hi < a_lo && change < -req.noise_floor {
        return plain(FASTER, Some(change), "B's interval below A's, beyond the noise floor".into());
    }
    if b_lo > a_hi && change > req.noise_floor {
        return plain(SLOWER, Some(change), "B's interval above A's, beyond the noise floor".into());
    }
    let apart = b_hi < a_lo || b_lo > a_hi;
    let why = if apart { "intervals apart, within the noise floor" } else { "intervals overlap" };
    plain(SAME, Some(change), why.into())
}

/// Python's `str` of a row's field, as the messages show it.
fn shown_value(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Bool(true) => "True".into(),
        Value::Bool(false) => "False".into(),
        Value::Null => "None".into(),
        other => other.to_string(),
    }
}

/// `precision f64 -> f32; threads_n 1 -> 2` where two rows of one name measure different work (fields
/// either side leaves unrecorded are not compared), else "".
fn config_difference(a: Option<Row>, b: Option<Row>) -> String {
    let (Some(a), Some(b)) = (a, b) else { return String::new() };
    // numbers by value, as Python compares them (1 == 1.0)
    let same = |x: &Value, y: &Value| x == y || x.as_f64().is_some_and(|x| Some(x) == y.as_f64());
    let differ = |k: &&str| match (a.0.get(*k), b.0.get(*k)) {
        (Some(x), Some(y)) if !x.is_null() && !y.is_null() && !same(x, y) => {
            Some(format!("{k} {} -> {}", shown_value(x), shown_value(y)))
        }
        _ => None,
    };
    CONFIG_FIELDS.iter().filter_map(differ).collect::<Vec<_>>().join("; ")
}

/// `ISA avx512 -> avx2` when the two rows took different instruction-set paths.
fn isa_note(a: Option<Row>, b: Option<Row>) -> String {
    match (a.and_then(|r| r.str("isa")), b.and_then(|r| r.str("isa"))) {
        (Some(x), Some(y)) if !x.is_empty() && !y.is_empty() && x != y => format!("ISA {x} -> {y}"),
        _ => String::new(),
    }
}

fn setting<'a>(run: &'a Run, key: &str) -> Option<&'a Value> {
    run.settings.as_ref()?.get(key)
}

/// Why a run's Python rows were not measured in its own run, or None: reused from an earlier run, or
/// taken from another machine or problem (--allow-foreign-baselines).
fn stale_python(run: &Run) -> Option<String> {
    let mut why = vec![];
    if let Some(source) = setting(run, "python_source").and_then(Value::as_str).filter(|s| s.starts_with("reused")) {
        why.push(source.to_string());
    }
    if let Some(foreign) = setting(run, "python_foreign").filter(|v| truthy(v)) {
        why.push(format!("from another machine or problem ({})", shown_value(foreign)));
    }
    (!why.is_empty()).then(|| why.join("; "))
}

/// Which run of the Python baselines a run's Python rows come from: their machine record's date and
/// commit (None where it records no date).
fn python_measurement(run: &Run) -> Option<(Value, Value)> {
    let pym = setting(run, "python_machine")?.as_object()?;
    let date = pym.get("date").filter(|d| truthy(d))?;
    Some((date.clone(), pym.get("git_commit").cloned().unwrap_or(Value::Null)))
}

/// The run's row of rung `name`.
fn find<'a>(run: &'a Run, name: &str) -> Option<&'a Map<String, Value>> {
    run.rows.iter().find(|r| r.get("name").and_then(Value::as_str) == Some(name))
}

/// One entry per rung of either run, in ladder order (A's rungs, then B's new ones).
pub fn verdicts(req: &Request) -> Vec<Entry> {
    let mut names: Vec<&str> = vec![];
    for row in req.a.rows.iter().chain(&req.b.rows) {
        if let Some(name) = row.get("name").and_then(Value::as_str).filter(|n| !names.contains(n)) {
            names.push(name);
        }
    }
    let mut stale: Vec<String> = [("A", &req.a), ("B", &req.b)]
        .iter()
        .filter_map(|(side, run)| Some(format!("{side}'s Python rows {}", stale_python(run)?)))
        .collect();
    if let Some(shared) = python_measurement(&req.a).filter(|m| Some(m) == python_measurement(&req.b).as_ref()) {
        // e.g. both merged with --baselines of one file
        stale.push(format!(
            "A and B share one measurement of the Python rows (baselines of {})",
            shown_value(&shared.0)
        ));
    }
    names
        .into_iter()
        .map(|name| {
            let (a, b) = (find(&req.a, name).map(Row), find(&req.b, name).map(Row));
            let mut got = judge(a, b, req);
            let judged = got.verdict != MISSING && got.verdict != FAILED;
            let unlike = config_difference(a, b);
            if judged && !unlike.is_empty() {
                got = plain(UNLIKE, None, format!("the rows measure different work: {unlike}"));
            } else if judged
                && !stale.is_empty()
                && (a.is_some_and(|r| r.is_python()) || b.is_some_and(|r| r.is_python()))
            {
                got = plain(STALE, None, stale.join("; "));
            }
            let timed = |r: Option<Row>| r.is_some_and(|r| r.timed());
            let side = |r: Option<Row>| {
                let rounds = r.map_or(0, |r| r.round_times().len());
                (
                    r.filter(|r| r.timed()).map(|r| r.interval()),
                    rounds,
                    r.filter(|r| r.timed()).and_then(|r| r.round_spread()),
                )
            };
            let ((ia, ra, sa), (ib, rb, sb)) = (side(a), side(b));
            let by = got.rounds;
            Entry {
                name: name.to_string(),
                shown: timed(a) || timed(b) || got.verdict != MISSING,
                verdict: got.verdict,
                change: got.change,
                why: got.why,
                isa: isa_note(a, b),
                p: by.map(|r| r.p),
                floor: by.map(|r| r.floor),
                wide: by.map(|r| r.wide),
                rule: by.map(|r| r.rule),
                interval: [ia, ib],
                rounds: [ra, rb],
                spread: [sa, sb],
            }
        })
        .collect()
}

/// Why a CI job should fail: rungs slower by more than `fail_above` (a fraction), rungs failing
/// verification in B (with `fail_above` set; whatever A did: B is the code under test), and missing
/// rungs (with `fail_on_missing`).
pub fn failures(entries: &[Entry], req: &Request) -> Vec<String> {
    let (a, b) = (&req.a, &req.b);
    let failed_in = |run: &Run, name: &str| find(run, name).is_some_and(|r| Row(r).failed());
    let mut out = vec![];
    for e in entries {
        match req.fail_above {
            Some(limit) if e.verdict == SLOWER && e.change.is_some_and(|c| c > limit) => out.push(format!(
                "{}: {} slower (threshold {})",
                e.name,
                signed_percent(e.change.unwrap_or_default(), 1),
                percent(limit, 0)
            )),
            Some(_) if e.verdict == FAILED && failed_in(b, &e.name) => out.push(format!(
                "{}: fails verification in B{}",
                e.name,
                if failed_in(a, &e.name) { " (and in A)" } else { "" }
            )),
            _ if req.fail_on_missing && e.verdict == MISSING => out.push(format!("{}: {}", e.name, e.why)),
            _ => {}
        }
    }
    out
}

/// The whole machine's drift between two runs, or None: when at least 90% of the rungs timed in both (and
/// at least 8 of them) changed in the same direction, the median change. On a shared VM two runs back to
/// back can differ by a few percent in every row, scalar ones included, which no code change does; the
/// verdicts stay as they are, and this says how far to discount those near it.
pub fn drift(entries: &[Entry]) -> Option<f64> {
    let changes: Vec<f64> = entries.iter().filter_map(|e| e.change).collect();
    let up = changes.iter().filter(|&&c| c > 0.0).count();
    let down = changes.iter().filter(|&&c| c < 0.0).count();
    if changes.len() < 8 || (up.max(down) as f64) < 0.9 * changes.len() as f64 {
        return None;
    }
    Some(median(changes))
}

/// The report on a request: the verdicts, their tally, the failures and the drift.
pub fn report(req: &Request) -> Report {
    let entries = verdicts(req);
    let counts = VERDICTS
        .iter()
        .map(|&v| (v, entries.iter().filter(|e| e.shown && e.verdict == v).count()))
        .filter(|&(_, n)| n > 0)
        .collect();
    Report {
        schema: SCHEMA,
        failures: failures(&entries, req),
        drift: drift(&entries),
        changes: entries.iter().filter(|e| e.change.is_some()).count(),
        counts: Counts(counts),
        entries,
        alpha: ALPHA,
        min_calls: MIN_CALLS,
    }
}

/// The fields the rule reads, each absent, null or of the type a summary gives it: a row of another shape
/// is refused, naming the field, rather than judged as something else (`"median_s": "1"` timed, a
/// `repeats` of 2.5 not counted as calls).
fn check_row(row: &Map<String, Value>) -> Result<(), String> {
    let times = |v: &Value| v.as_array().is_some_and(|a| a.iter().all(|t| t.as_f64().is_some_and(|t| t > 0.0)));
    /// A field, what it should be, and the test of a value.
    type Rule = (&'static str, &'static str, fn(&Value) -> bool);
    let rules: [Rule; 13] = [
        ("status", "text", Value::is_string),
        ("language", "text", Value::is_string),
        ("isa", "text", Value::is_string),
        ("precision", "text", Value::is_string),
        ("computes", "text", Value::is_string),
        ("problem", "text", Value::is_string),
        ("median_s", "a time in seconds", |v| v.as_f64().is_some_and(|t| t >= 0.0)),
        ("spread_low_s", "a time in seconds", |v| v.as_f64().is_some_and(|t| t >= 0.0)),
        ("spread_high_s", "a time in seconds", |v| v.as_f64().is_some_and(|t| t >= 0.0)),
        ("round_times_s", "a list of times in seconds", times),
        ("round_medians_s", "a list of times in seconds", times),
        ("repeats", "a whole number of calls", Value::is_u64),
        ("threads_n", "a whole number of threads", Value::is_u64),
    ];
    for (key, what, ok) in rules {
        if let Some(v) = row.get(key).filter(|v| !v.is_null() && !ok(v)) {
            return Err(format!("{key} should be {what}, found {v}"));
        }
    }
    Ok(())
}

/// `mandel-report verdicts`: the request's JSON text in, the report's out; an error naming what is wrong.
pub fn answer(request: &str) -> Result<String, String> {
    let req: Request = crate::parse_request(request, "the verdicts' request", SCHEMA, |r: &Request| &r.schema)?;
    serde_json::to_string(&checked_report(&req)?).map_err(|e| format!("the verdicts' report: {e}"))
}

/// The [`report`] on a request whose settings and rows it checks first: an error naming what is wrong.
pub fn checked_report(req: &Request) -> Result<Report, String> {
    for (what, v) in [("noise_floor", req.noise_floor), ("rounds_floor", req.rounds_floor)] {
        if !(0.0..1.0).contains(&v) {
            return Err(format!("the verdicts' request: {what} {v} is not a fraction from 0 up to 1"));
        }
    }
    if req.fail_above.is_some_and(|f| !f.is_finite() || f < 0.0) {
        return Err("the verdicts' request: fail_above must be a finite fraction of 0 or more".into());
    }
    for (side, run) in [("a", &req.a), ("b", &req.b)] {
        let mut seen = std::collections::HashSet::new();
        for (i, row) in run.rows.iter().enumerate() {
            let name = row.get("name").and_then(Value::as_str);
            if !name.is_some_and(|n| seen.insert(n)) {
                return Err(format!("the verdicts' request: {side}.rows[{i}] has no name, or one of an earlier row"));
            }
            check_row(row)
                .map_err(|e| format!("the verdicts' request: {side}.rows[{i}] ({}): {e}", name.unwrap_or("")))?;
        }
    }
    if req.min_rounds < 1 {
        return Err("the verdicts' request: min_rounds must be 1 or more".into());
    }
    Ok(report(req))
}

#[cfg(test)]
mod tests {
    //! The statistics and the rule's edges, where a Python test could not reach them through
    //! `mandel-report verdicts` (a p set by hand, the exact distribution); the rule on rows is tested
    //! through the binary, as the scripts call it (scripts/tests).
    use super::*;
    use serde_json::json;

    fn map(v: Value) -> Map<String, Value> {
        v.as_object().expect("an object").clone()
    }

    /// Equal within 1e-12 of `want` (relative).
    fn close(got: f64, want: f64) -> bool {
        (got - want).abs() <= 1e-12 * want.abs()
    }

    fn request(a: Value, b: Value) -> Request {
        let req = json!({"schema": SCHEMA, "a": a, "b": b, "noise_floor": 0.1, "rounds_floor": 0.05, "min_rounds": 3});
        serde_json::from_value(req).expect("a request")
    }

    /// A row in rounds with these round times (its median theirs).
    fn timed_rounds(name: &str, times: &[f64]) -> Value {
        let mut sorted = times.to_vec();
        sorted.sort_by(f64::total_cmp);
        json!({"name": name, "status": "ok", "median_s": median(sorted.iter().copied()), "round_times_s": times})
    }

    #[test]
    fn a_time_read_back_is_the_time_written() {
        // serde_json's default parser reads this one ulp off; a round time or median one ulp off moves a
        // change across a floor it sits on (the workspace's serde_json has float_roundtrip for this)
        let text = "1.9539753359497594";
        assert_eq!(serde_json::from_str::<f64>(text).expect("a float"), 1.9539753359497594);
        let req = request(json!({"rows": [{"name": "k", "median_s": 1.9539753359497594}]}), json!({"rows": []}));
        assert_eq!(Row(&req.a.rows[0]).median().to_bits(), 1.9539753359497594f64.to_bits());
    }

    #[test]
    fn ninety_nine_rounds_a_side_take_the_normal_approximation() {
        // --rounds' largest count: the exact distribution is never built (it would not fit u128)
        let a: Vec<f64> = (0..99).map(|i| 1.0 + f64::from(i) / 1000.0).collect();
        let b: Vec<f64> = (0..99).map(|i| 1.2 + f64::from(i) / 1000.0).collect();
        let req = request(json!({"rows": [timed_rounds("k", &a)]}), json!({"rows": [timed_rounds("k", &b)]}));
        let got = judge(Some(Row(&req.a.rows[0])), Some(Row(&req.b.rows[0])), &req);
        assert_eq!((got.verdict, got.rounds.expect("rounds").rule), (SLOWER, "rank"));
        assert!(got.rounds.expect("rounds").p < 1e-30);
        // 4 / C(198, 99), C by its logarithm: an independent route to the same number
        let ln_comb: f64 = (1..=99).map(|i| (f64::from(99 + i)).ln() - f64::from(i).ln()).sum();
        assert!((p_one_out_of_order(99, 99) / (4.0 * (-ln_comb).exp()) - 1.0).abs() < 1e-9);
    }

    #[test]
    fn the_exact_test_stops_at_twenty_five_a_side() {
        let a: Vec<f64> = (0..26).map(f64::from).collect();
        let b: Vec<f64> = (0..26).map(|i| f64::from(i) + 13.5).collect();
        assert_eq!(mann_whitney_p(&a, &b), normal_p(&a, &b));
        let (a, b) = (&a[..25], &b[..25]);
        assert_ne!(mann_whitney_p(a, b), normal_p(a, b));
    }

    /// A row in rounds, like scripts/tests' `row`: n round medians around `median` (times 1 + shift),
    /// spread evenly over +-spread/2.
    fn rounds_row(median: f64, spread: f64, shift: f64) -> Map<String, Value> {
        let n = 15usize;
        let meds: Vec<f64> = (0..n)
            .map(|i| median * (1.0 + shift) * (1.0 + spread * (((i * 7) % n) as f64 - (n / 2) as f64) / n as f64))
            .collect();
        let mut sorted = meds.clone();
        sorted.sort_by(f64::total_cmp);
        map(
            json!({"name": "k", "status": "ok", "median_s": super::median(sorted.iter().copied()), "round_medians_s": meds}),
        )
    }

    #[test]
    fn mann_whitney_exact_and_approximate() {
        assert!(close(mann_whitney_p(&[1., 2., 3., 4., 5.], &[6., 7., 8., 9., 10.]), 2.0 / 252.0));
        assert!(close(mann_whitney_p(&[1., 2., 3.], &[1., 2., 3.]), 1.0));
        // 25 a side is still exact: fully separated, the one ordering of C(50, 25) on each side (the
        // normal approximation would say about 1e-9, a million times more)
        let low: Vec<f64> = (0..25).map(f64::from).collect();
        let high: Vec<f64> = (25..50).map(f64::from).collect();
        assert!(close(mann_whitney_p(&low, &high), 2.0 / comb(50, 25) as f64));
        // 26 a side: the normal approximation; fully separated samples are far below any level
        let low: Vec<f64> = (0..26).map(f64::from).collect();
        let high: Vec<f64> = (100..126).map(f64::from).collect();
        assert!(mann_whitney_p(&low, &high) < 1e-8);
    }

    #[test]
    fn the_normal_approximation_with_ties_by_hand() {
        // a = 1 2 2 3, b = 2 4 5 6: the three 2s share rank 3, R1 = 1+3+3+5 = 12, U = 12 - 10 = 2, mean 8;
        // var = 4*4/12 * ((8+1) - (3^3-3)/(8*7)); z = (|2 - 8| - 0.5) / sqrt(var)
        let var: f64 = 16.0 / 12.0 * (9.0 - 24.0 / 56.0);
        let want = libm::erfc(5.5 / var.sqrt() / 2f64.sqrt());
        for (a, b) in [([1., 2., 2., 3.], [2., 4., 5., 6.]), ([2., 4., 5., 6.], [1., 2., 2., 3.])] {
            assert!(close(normal_p(&a, &b), want));
        }
        assert_eq!(mann_whitney_p(&[1.0; 26], &[1.0; 26]), 1.0); // all tied: no evidence at all
    }

    /// Two-sided p of a's mean-rank sum over every split of the pooled values, listed one by one.
    fn p_by_enumeration(a: &[f64], b: &[f64]) -> f64 {
        let pooled: Vec<f64> = a.iter().chain(b).copied().collect();
        let rank = |v: f64| {
            let at: Vec<usize> = {
                let mut s = pooled.clone();
                s.sort_by(f64::total_cmp);
                (0..s.len()).filter(|&i| s[i] == v).map(|i| i + 1).collect()
            };
            at.iter().sum::<usize>() as f64 / at.len() as f64
        };
        let ranks: Vec<f64> = pooled.iter().map(|&v| rank(v)).collect();
        let mean = a.len() as f64 * (pooled.len() + 1) as f64 / 2.0;
        let seen = (ranks[..a.len()].iter().sum::<f64>() - mean).abs();
        let (mut hits, mut splits) = (0u64, 0u64);
        for mask in 0u32..(1 << pooled.len()) {
            if mask.count_ones() as usize == a.len() {
                splits += 1;
                let sum: f64 = (0..pooled.len()).filter(|i| mask >> i & 1 == 1).map(|i| ranks[i]).sum();
                hits += u64::from((sum - mean).abs() >= seen - 1e-9);
            }
        }
        hits as f64 / splits as f64
    }

    #[test]
    fn small_samples_with_ties_get_the_exact_p() {
        // The normal approximation gave p = 0.0098 here, below ALPHA (a verdict); the exact p is 1/99.
        let (a, b) = ([0., 0., 0., 1., 2., 2., 2.], [2., 3., 4., 5., 6.]);
        assert!(close(mann_whitney_p(&a, &b), 1.0 / 99.0) && mann_whitney_p(&a, &b) > ALPHA);
        let mut state = 7u64;
        let mut next = |n: u64| {
            state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            (state >> 33) % n
        };
        for _ in 0..60 {
            let a: Vec<f64> = (0..1 + next(6)).map(|_| next(5) as f64).collect();
            let b: Vec<f64> = (0..1 + next(6)).map(|_| next(5) as f64).collect();
            let want = p_by_enumeration(&a, &b).min(1.0);
            assert!(close(mann_whitney_p(&a, &b), want), "{a:?} {b:?}");
        }
    }

    #[test]
    fn the_rank_test_decides_only_where_one_pair_out_of_order_still_reaches_alpha() {
        for (n1, n2, decides) in [
            (3, 3, false),
            (4, 4, false),
            (4, 5, false),
            (3, 9, false),
            (4, 6, false),
            (5, 5, false),
            (3, 12, true),
            (4, 8, true),
            (5, 6, true),
            (15, 15, true),
        ] {
            assert_eq!(rank_test_decides(n1, n2), decides, "{n1}+{n2}");
            // the smallest p the exact test gives, B's rounds all above A's, is the one computed
            let a: Vec<f64> = (0..n1).map(|i| 1.0 + i as f64 / 100.0).collect();
            let mut b: Vec<f64> = (0..n2).map(|i| 2.0 + i as f64 / 100.0).collect();
            assert!(close(mann_whitney_p(&a, &b), min_p(n1, n2)));
            // and so is the p with B's lowest round just below A's highest: one pair out of order
            b[0] = a[n1 - 1] - 0.001;
            let near = mann_whitney_p(&a, &b);
            assert!(close(near, p_one_out_of_order(n1, n2)) && (near < ALPHA) == decides);
        }
        assert!(close(min_p(3, 3), 0.1) && close(min_p(4, 4), 2.0 / 70.0));
    }

    #[test]
    fn p_of_one_pair_out_of_order_is_the_exact_distributions() {
        for n1 in 1..9 {
            for n2 in 1..9 {
                let exact = (2 * u_counts(n1, n2)[..2].iter().sum::<u128>()) as f64 / comb(n1 + n2, n1) as f64;
                assert!(close(p_one_out_of_order(n1, n2), exact.min(1.0)), "{n1}+{n2}");
            }
        }
        assert!(rank_test_decides(99, 99));
    }

    #[test]
    fn p_equal_to_alpha_is_no_change_just_below_it_a_verdict() {
        let (a, b) = (rounds_row(0.01, 0.02, 0.0), rounds_row(0.01, 0.02, 0.5));
        assert_eq!(judge_rounds_at(Row(&a), Row(&b), 0.05, false, ALPHA).verdict, SAME);
        assert_eq!(judge_rounds_at(Row(&a), Row(&b), 0.05, false, ALPHA * 0.999).verdict, SLOWER);
    }

    #[test]
    fn a_rung_whose_rounds_stray_gets_their_spread_as_its_floor() {
        let apart = 1e-6; // the rank test says apart
        let a = rounds_row(0.01, 0.3, 0.0);
        let wide = Row(&a).round_spread().expect("rounds");
        assert!(0.10 < wide && wide < 0.20); // well past the 5% floor
        let within = rounds_row(0.01, 0.3, wide * 0.9);
        let got = judge_rounds_at(Row(&a), Row(&within), 0.05, false, apart);
        assert_eq!(got.verdict, SAME);
        assert!(close(got.rounds.expect("rounds").floor, wide) && got.why.contains("interquartile"));
        let beyond = rounds_row(0.01, 0.3, wide * 1.1);
        assert_eq!(judge_rounds_at(Row(&a), Row(&beyond), 0.05, false, apart).verdict, SLOWER);
        // either side's spread counts: tight A, wide B
        let tight = rounds_row(0.01, 0.001, 0.0);
        let (wide_b, tight_b) = (rounds_row(0.01, 0.3, 0.08), rounds_row(0.01, 0.001, 0.08));
        assert_eq!(judge_rounds_at(Row(&tight), Row(&wide_b), 0.05, false, apart).verdict, SAME);
        assert_eq!(judge_rounds_at(Row(&tight), Row(&tight_b), 0.05, false, apart).verdict, SLOWER);
    }

    #[test]
    fn a_rung_absent_from_both_runs_is_missing_in_both() {
        let req = request(json!({"rows": []}), json!({"rows": []}));
        let got = judge(None, None, &req);
        assert_eq!((got.verdict, got.why.as_str(), got.change), (MISSING, "not timed in A and B", None));
    }

    #[test]
    fn the_interval_always_holds_the_median() {
        let interval = |v: Value| Row(&map(v)).interval();
        assert_eq!(interval(json!({"median_s": 1.0, "spread_low_s": 1.1, "spread_high_s": 1.2})), (1.0, 1.2));
        assert_eq!(interval(json!({"median_s": 1.3, "spread_low_s": 1.1, "spread_high_s": 1.2})), (1.1, 1.3));
        assert_eq!(interval(json!({"median_s": 1.0, "spread_low_s": null, "spread_high_s": 1.2})), (1.0, 1.0));
    }

    #[test]
    fn an_isa_note_needs_both_paths_and_a_failed_row_is_not_timed() {
        let (avx512, avx2, none) =
            (map(json!({"isa": "avx512"})), map(json!({"isa": "avx2"})), map(json!({"isa": null})));
        assert_eq!(isa_note(Some(Row(&avx512)), Some(Row(&avx2))), "ISA avx512 -> avx2");
        assert_eq!(isa_note(Some(Row(&avx512)), Some(Row(&none))), "");
        assert_eq!(isa_note(None, Some(Row(&avx2))), "");
        let failed = map(json!({"status": "failed", "median_s": 1.0}));
        let ok = map(json!({"status": "ok", "median_s": 1.0}));
        assert!(!Row(&failed).timed() && Row(&ok).timed());
    }

    fn entries(changes: &[Option<f64>]) -> Vec<Entry> {
        changes
            .iter()
            .map(|&change| Entry {
                name: "r".into(),
                verdict: SAME,
                change,
                why: String::new(),
                isa: String::new(),
                p: None,
                floor: None,
                wide: None,
                rule: None,
                shown: true,
                interval: [None, None],
                rounds: [0, 0],
                spread: [None, None],
            })
            .collect()
    }

    fn drift_of(changes: &[f64]) -> Option<f64> {
        drift(&entries(&changes.iter().map(|&c| Some(c)).collect::<Vec<_>>()))
    }

    #[test]
    fn a_drift_of_every_rung_is_named_and_a_real_change_is_not() {
        // A measured A/A (Zen 4, two passes back to back): every rung faster in the second pass.
        let aa = [
            -0.018, -0.043, -0.020, -0.042, -0.016, -0.014, -0.023, -0.027, -0.039, -0.040, -0.010, -0.017, -0.064,
            -0.061, -0.025, -0.025, -0.115, -0.042, -0.116, -0.097,
        ];
        assert!(close(drift_of(&aa).expect("a drift"), (-0.039 + -0.027) / 2.0));
        // A measured A/B (MANDEL_ISA=avx2): half the rungs slower, the others unmoved either way.
        let ab = [
            0.011, -0.011, -0.013, -0.035, -0.012, -0.001, 0.185, 0.206, 0.149, 0.338, -0.014, -0.006, 0.272, 0.278,
            0.391, 0.355, 0.027, -0.011, 0.515, 0.412,
        ];
        assert_eq!(drift_of(&ab), None);
        // 18 of 20 the same way is the edge; 17 is not; too few rungs say nothing; untimed rungs do not count.
        let mixed = |n: usize, c: f64, rest: f64| [vec![c; n], vec![rest; 20 - n]].concat();
        assert_eq!(drift_of(&mixed(18, 0.03, -0.01)), Some(0.03));
        assert_eq!(drift_of(&mixed(17, 0.03, -0.01)), None);
        assert_eq!(drift_of(&[0.05; 7]), None);
        // an unmoved rung (change exactly 0) moved neither way: 17 faster of 20 is not a drift
        assert_eq!(drift_of(&mixed(17, -0.03, 0.0)), None);
        assert_eq!(drift_of(&mixed(17, 0.03, 0.0)), None);
        let untimed = [vec![Some(0.05); 8], vec![None; 5]].concat();
        assert_eq!(drift(&entries(&untimed)), Some(0.05));
    }
}
