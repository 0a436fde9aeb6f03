//! The ladder's reports on its results, computed here so that every script reads one rule: the verdict
//! on two runs of one machine ([`verdict`], `mandel-report verdicts`), which `scripts/compare` and `scripts/ab`
//! apply; the cost-growth sweeps' fits, tables and charts ([`sweeps`], `mandel-report sweeps`), which
//! `scripts/ladder --sweeps` asks for; the summary's human outputs, summary.md, speedup.svg, the console table
//! and the machine lines ([`summary`], `mandel-report summary`), which `scripts/ladder` asks for wherever it
//! writes a summary; the merge's second half, the rows built and finished, the summary's notes and
//! like-for-like groups ([`finish`], [`build`], [`rows`], [`notes`], [`speed`], [`groups`], `mandel-report
//! finish`), which the merge asks for; `scripts/compare` itself ([`compare_results`], `mandel-report
//! compare-results`: the summaries read as Python read them, [`pyloads`], [`pyfile`]) and its comparisons,
//! machines side by side or two runs of one, and what must match between them ([`compare`],
//! [`differences`]); `scripts/ab` and `scripts/stability` whole, two builds timed in interleaved rounds and
//! judged ([`ab_cli`], [`ab_build`], `mandel-report ab-rounds`), and their report ([`ab`]),
//! what the two command lines share in [`cli`]; and every input the scripts read, checked
//! ([`check`], `mandel-report check`), which `ladderlib.readers` asks for.
//! Their words and numbers are Python's (`pyfmt`, `pymath`, `md`, and for the checker `pyjson`): the
//! scripts print them beside their own, and the committed results hold what the scripts computed.

pub mod ab;
pub mod ab_build;
pub mod ab_cli;
pub mod build;
pub mod chart;
pub mod check;
pub mod cli;
pub mod compare;
pub mod compare_results;
pub mod csv;
pub mod differences;
pub mod figures;
pub mod finish;
pub mod groups;
pub mod machine;
pub mod md;
pub mod notes;
pub mod peaks;
pub mod pyfile;
pub mod pyfmt;
pub mod pyjson;
pub mod pyloads;
pub mod pymath;
pub mod pyvalue;
pub mod rounds;
pub mod rows;
pub mod speed;
pub mod summary;
pub mod svg;
pub mod sweeps;
pub mod table;
pub mod tunings;
pub mod verdict;

/// A request's JSON, parsed, its `schema` (`schema_of`) the one this subcommand reads: a binary and
/// scripts of different versions refuse each other by name. `what` names the request in messages.
pub fn parse_request<T: serde::de::DeserializeOwned>(
    text: &str,
    what: &str,
    schema: &str,
    schema_of: fn(&T) -> &str,
) -> Result<T, String> {
    let req: T = serde_json::from_str(text).map_err(|e| format!("{what}: {e}"))?;
    if schema_of(&req) != schema {
        return Err(format!(
            "{what} is {:?}, this mandel-report reads {schema:?}: the scripts and the binary are of different \
             versions (rebuild it: cargo build --release -p mandel-report, or scripts/prebuilt for a --prebuilt folder)",
            schema_of(&req)
        ));
    }
    Ok(req)
}

/// A fresh folder for one test, canonical (messages name resolved paths).
#[cfg(test)]
pub(crate) fn scratch(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("mandel-report-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::canonicalize(&dir).unwrap()
}
