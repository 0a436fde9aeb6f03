# shellcheck shell=bash
# `mandel-report SUBCOMMAND --repo REPO -- ARGS...` run for the script that sources this file as
#   . "$(dirname "$0")/report-bin.sh" NAME SUBCOMMAND "$@"
# its errors said as NAME's (exit 2). The binary: MANDEL_REPORT_BIN's (scripts/test's build; scripts/prebuilt's
# copy on a machine without cargo), else the release build, which cargo brings up to date first under the target
# folder's .ladder.lock, as ladderlib/cargo.py builds it: never while a ladder times.
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)"
name=$1 subcommand=$2
shift 2
fail() { echo "$name: error: $*" >&2; exit 2; }
if [[ -n ${MANDEL_REPORT_BIN:-} ]]; then
    bin=$MANDEL_REPORT_BIN
    if [[ $bin =~ ^[[:space:]]|[[:space:]]$ || ! -f $bin || ! -x $bin ]]; then
        fail "MANDEL_REPORT_BIN='$bin': not an executable file (the path of a built mandel-report, without leading or" \
            "trailing spaces)"
    fi
    [[ $bin == */* ]] || bin=./$bin # a bare name would be looked up on PATH, not here
else
    [[ -z ${CARGO_BUILD_TARGET:-} ]] || fail "CARGO_BUILD_TARGET=$CARGO_BUILD_TARGET: cargo would build for that" \
        "target, into a folder of its own; these scripts build and run mandel for this machine: unset it"
    # cargo would resolve a relative target folder against the repository, where it runs: the caller's is meant
    target=${CARGO_TARGET_DIR:-${CARGO_BUILD_TARGET_DIR:-$repo/target}}
    [[ $target == /* ]] || target=$PWD/$target
    lock=$target/.ladder.lock
    mkdir -p "$target"
    [[ -L $lock || (-e $lock && ! -f $lock) ]] && fail "$lock is not a regular file: refusing to use it as the lock file"
    exec 9<>"$lock"
    if ! flock -n 9; then
        holder=$(tr -dc 0-9 <"$lock")
        echo "waiting for the ladder or scripts/ab${holder:+ (pid $holder)} using $target, to build mandel-report" \
            "without disturbing its timing" >&2
        flock 9
    fi
    echo $$ >"$lock" # the holder, for whoever waits
    (cd "$repo" && CARGO_TARGET_DIR=$target cargo build --release -q -p mandel-report) ||
        fail "cargo build --release -q -p mandel-report failed (or set MANDEL_REPORT_BIN to a built mandel-report)"
    exec 9>&-
    bin=$target/release/mandel-report
    [[ -x $bin ]] || fail "cargo build succeeded but $bin is not there (does a cargo config set build.target?" \
        "these scripts build for this machine)"
fi
# A binary of another version than these scripts has no such subcommand: said so, not as clap's "unrecognized".
"$bin" help "$subcommand" >/dev/null 2>&1 || fail "$bin has no $subcommand: a mandel-report of another version" \
    "than these scripts (rebuild it: cargo build --release -p mandel-report; scripts/prebuilt for a --prebuilt folder)"
exec "$bin" "$subcommand" --repo "$repo" -- "$@"
