//! What `scripts/ab` builds and runs ([`crate::ab_cli`]): the working tree's `mandel`, built under the
//! lock `scripts/ladder` holds on the target folder (`.ladder.lock`) and copied to
//! `target/ab/working-tree.<pid>.mandel` (a copy a killed ab left is removed: [`clean_stale_copies`]); a
//! revision's, built in a git worktree under `target/ab/<sha12>` reused only while it is a clean checkout
//! of it ([`checkout_of`]), one build at a time (`.ab.lock`). Also the command's log, its errors and how
//! it runs commands.

use crate::check::py_strip;
use crate::pyfile::{self, kind, pure, strerror};
use std::fs::{self, File};
use std::io::{self, Read, Seek, Write};
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Output, Stdio};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant, SystemTime};

/// Why the command stops: an error (`ab: error: ...`, exit 2) or Ctrl-C (exit 130).
#[derive(Debug)]
pub enum Stop {
    Error(String),
    Interrupted,
}

impl From<String> for Stop {
    fn from(message: String) -> Stop {
        Stop::Error(message)
    }
}

static START: OnceLock<Instant> = OnceLock::new();
static INTERRUPTED: AtomicBool = AtomicBool::new(false);

extern "C" fn on_sigint(_: libc::c_int) {
    INTERRUPTED.store(true, Ordering::SeqCst);
}

/// The clock of the log's prefix started, and Ctrl-C caught (the children it stops too end their
/// command with an error; the command then says it was interrupted, after removing its copy).
pub fn start() {
    START.get_or_init(Instant::now);
    // SAFETY: the handler only stores to an atomic; no SA_RESTART, so that a wait for a lock ends too.
    unsafe {
        let mut action: libc::sigaction = std::mem::zeroed();
        action.sa_sigaction = on_sigint as *const () as libc::sighandler_t;
        libc::sigaction(libc::SIGINT, &action, std::ptr::null_mut());
    }
}

fn interrupted() -> Result<(), Stop> {
    if INTERRUPTED.load(Ordering::SeqCst) { Err(Stop::Interrupted) } else { Ok(()) }
}

/// A line on standard error, after the seconds since the command started.
pub fn log(message: &str) {
    let elapsed = START.get_or_init(Instant::now).elapsed().as_secs_f64();
    eprintln!("[{elapsed:6.1}s] {message}");
}

/// A finished command's status as Python's `returncode`: its exit code, or minus the signal that killed it.
pub fn code(status: ExitStatus) -> i32 {
    status.code().unwrap_or_else(|| -status.signal().unwrap_or(0))
}

fn spawn_error(cmd: &Command, e: &io::Error) -> Stop {
    Stop::Error(format!("{}: {}", cmd.get_program().to_string_lossy(), strerror(e)))
}

/// `subprocess.run(capture_output=True)`: the output of `cmd` (standard input inherited), or the error of a
/// command that cannot be started, naming it.
pub fn capture(cmd: &mut Command) -> Result<Output, Stop> {
    let out = cmd.stdin(Stdio::inherit()).output().map_err(|e| spawn_error(cmd, &e));
    interrupted()?;
    out
}

/// `subprocess.run(check=True)`: `cmd` run, its output shown (standard output dropped with `quiet`);
/// `CMD exited N` when it fails.
fn check_call(cmd: &mut Command, quiet: bool) -> Result<(), Stop> {
    if quiet {
        cmd.stdout(Stdio::null());
    }
    let status = cmd.status().map_err(|e| spawn_error(cmd, &e))?;
    interrupted()?;
    if !status.success() {
        let words: Vec<String> = std::iter::once(cmd.get_program())
            .chain(cmd.get_args())
            .map(|a| a.to_string_lossy().into_owned())
            .collect();
        return Err(Stop::Error(format!("{} exited {}", words.join(" "), code(status))));
    }
    Ok(())
}

/// An OS error on `path`, as Python's OSError names its file.
fn os_error(path: &Path) -> impl Fn(io::Error) -> Stop + '_ {
    move |e| Stop::Error(format!("{}: {}", path.display(), strerror(&e)))
}

/// Refuses CARGO_BUILD_TARGET: cargo would build for that target into a folder of its own, a binary that
/// may not run here.
pub fn check_host_build() -> Result<(), Stop> {
    match std::env::var("CARGO_BUILD_TARGET") {
        Ok(triple) if !triple.is_empty() => Err(Stop::Error(format!(
            "CARGO_BUILD_TARGET={triple}: cargo would build for that target, into a folder of its own; these scripts \
             build and run mandel for this machine: unset it"
        ))),
        _ => Ok(()),
    }
}

/// The cargo target folder, absolute: CARGO_TARGET_DIR, else CARGO_BUILD_TARGET_DIR, against the folder
/// the command started in (cargo would resolve it against its own, the repository or a worktree); else
/// `repo`/target. Every cargo call is given it.
pub fn target_dir(repo: &Path) -> PathBuf {
    let given = ["CARGO_TARGET_DIR", "CARGO_BUILD_TARGET_DIR"]
        .iter()
        .find_map(|v| std::env::var_os(v).filter(|g| !g.is_empty()));
    match given {
        Some(given) => pyfile::absolute(Path::new(&given)),
        None => repo.join("target"),
    }
}

/// `binary` after a cargo build that succeeded; an error when cargo put it elsewhere (a config's build.target).
fn built(binary: PathBuf, what: &str) -> Result<PathBuf, Stop> {
    if !binary.is_file() {
        return Err(Stop::Error(format!(
            "{what}: cargo build succeeded but {} is not there (does a cargo config set build.target? these scripts \
             build for this machine)",
            binary.display()
        )));
    }
    Ok(binary)
}

fn cargo_build(cwd: &Path, target: &Path) -> Result<(), Stop> {
    let mut cmd = Command::new("cargo");
    cmd.args(["build", "--release", "--bin", "mandel"]).current_dir(cwd).env("CARGO_TARGET_DIR", target);
    check_call(&mut cmd, false)
}

/// `atomic.lock_file`: the regular file `path` (made when absent) under an exclusive flock, this pid written
/// in it, held while the file is open. A link there is never followed, a FIFO never waited on. When another
/// process holds it, `busy` is told its pid as written ("" if none), and the lock is waited for.
pub fn lock_file(path: &Path, busy: impl FnOnce(&str)) -> Result<File, Stop> {
    let not_regular = |t: fs::FileType| {
        Stop::Error(format!(
            "{} is {}, not a regular file: refusing to use it as the lock file",
            path.display(),
            kind(t)
        ))
    };
    let opened = fs::OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .mode(0o644)
        .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK)
        .open(path);
    let mut file = match opened {
        Ok(file) => file,
        Err(e) => {
            return Err(match fs::symlink_metadata(path) {
                Ok(meta) if !meta.is_file() => not_regular(meta.file_type()),
                _ => Stop::Error(format!("{}: cannot open the lock file: {}", path.display(), strerror(&e))),
            });
        }
    };
    let meta = file.metadata().map_err(os_error(path))?;
    if !meta.is_file() {
        return Err(not_regular(meta.file_type()));
    }
    if file.try_lock().is_err() {
        let mut holder = String::new();
        let _ = file.read_to_string(&mut holder);
        busy(py_strip(&holder));
        if let Err(e) = file.lock() {
            interrupted()?;
            return Err(os_error(path)(e));
        }
    }
    file.rewind()
        .and_then(|()| file.set_len(0))
        .and_then(|()| writeln!(file, "{}", std::process::id()))
        .map_err(os_error(path))?;
    Ok(file)
}

/// `lock_file`'s `busy`: says that ab waits for `who` (the pid the lock holds, where written) `place`.
fn waiting<'a>(who: &'a str, place: &'a str) -> impl FnOnce(&str) + 'a {
    move |holder| {
        let pid = if holder.is_empty() { String::new() } else { format!(" (pid {holder})") };
        log(&format!("waiting for {who}{pid} {place}"));
    }
}

/// How long a copy must have gone untouched to count as a dead ab's: an ab in another pid namespace (another
/// container sharing the folder) looks dead from here, but touches its copy every round. The scripts'
/// temporary files use the same age (`atomic.STALE_AFTER_S`).
const STALE_AFTER: Duration = Duration::from_secs(3600);

/// Whether `path` (not followed) went unmodified for [`STALE_AFTER`]; false when it cannot be read.
fn untouched(path: &Path) -> bool {
    let age = fs::symlink_metadata(path).and_then(|m| m.modified()).map(|t| SystemTime::now().duration_since(t));
    matches!(age, Ok(Ok(age)) if age > STALE_AFTER)
}

/// `path` removed, a folder with its contents or anything else, never following a link; quiet when it is gone
/// or cannot be removed.
pub fn remove(path: &Path) {
    match fs::symlink_metadata(path) {
        Ok(meta) if meta.is_dir() => drop(fs::remove_dir_all(path)),
        Ok(_) => drop(fs::remove_file(path)),
        Err(_) => {}
    }
}

/// The copies in `folder` a killed ab left: its pid gone, untouched for an hour. The paths removed.
pub fn clean_stale_copies(folder: &Path) -> Vec<PathBuf> {
    let mut removed = Vec::new();
    for entry in fs::read_dir(folder).into_iter().flatten().flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let Some(pid) = name.strip_prefix("working-tree.").and_then(|n| n.strip_suffix(".mandel")) else { continue };
        let pid = pid.split('.').next().unwrap_or_default();
        if !pyfile::pid_alive(pid) && untouched(&entry.path()) {
            remove(&entry.path());
            removed.push(entry.path());
        }
    }
    removed
}

/// `binary` copied to `kept`, executable: ab's own file, removed first, so that a link or anything else
/// there is not written through.
fn keep_copy(binary: &Path, kept: PathBuf) -> Result<PathBuf, Stop> {
    remove(&kept);
    let bytes = fs::read(binary).map_err(os_error(binary))?;
    mandel_atomic::write_via_temp(&kept, |out| out.write_all(&bytes)).map_err(os_error(&kept))?;
    fs::set_permissions(&kept, fs::Permissions::from_mode(0o755)).map_err(os_error(&kept))?;
    Ok(kept)
}

/// `atomic.write_text`: `path` written whole (a temporary file renamed over it), refused unless a regular file.
pub fn write_text(path: &Path, text: &str) -> Result<(), Stop> {
    pyfile::check_output(path, "output")?;
    mandel_atomic::write_via_temp(path, |out| out.write_all(text.as_bytes())).map_err(os_error(&pure(path)))
}

/// The copy in use touched (each round): another ab's clean-up keeps a copy touched within the hour.
pub fn touch(path: &Path) {
    let _ = File::open(path).and_then(|f| f.set_modified(SystemTime::now()));
}

/// The working tree's `mandel`, built, then copied to `target/ab/working-tree.<pid>.mandel`, under the lock
/// scripts/ladder holds on the target folder for its whole run (waited for here): this build would
/// otherwise replace the binary a ladder is measuring, and a ladder started during ab's rounds rebuilds
/// target/release/mandel, not the copy ab runs. The caller removes the copy.
pub fn build_working_tree(repo: &Path, target: &Path) -> Result<PathBuf, Stop> {
    fs::create_dir_all(target).map_err(os_error(target))?;
    let lock = fs::canonicalize(target).map_err(os_error(target))?.join(".ladder.lock");
    let place = format!("using {}", target.display());
    let _held = lock_file(&lock, waiting("the ladder or scripts/ab", &place))?;
    log("building the working tree's mandel (cargo build --release --bin mandel)");
    cargo_build(repo, target)?;
    let binary = built(target.join("release").join("mandel"), "the working tree")?;
    let folder = target.join("ab");
    fs::create_dir_all(&folder).map_err(os_error(&folder))?;
    clean_stale_copies(&folder);
    keep_copy(&binary, folder.join(format!("working-tree.{}.mandel", std::process::id())))
}

/// `git -C tree ARGS`'s output, trimmed; None when it fails.
fn git(tree: &Path, args: &[&str]) -> Option<String> {
    let out = Command::new("git").arg("-C").arg(tree).args(args).stdin(Stdio::null()).output().ok()?;
    out.status.success().then(|| py_strip(&String::from_utf8_lossy(&out.stdout)).to_string())
}

/// Whether `tree` is a clean checkout of `sha` of its own: a worktree at that very folder (git would
/// otherwise find the repository around it, whose HEAD may be `sha` too), HEAD at `sha`, nothing changed
/// or added. An interrupted checkout or a hand-edited one is not: built and labelled as the revision, it
/// would be wrong.
pub fn checkout_of(tree: &Path, sha: &str) -> bool {
    if !tree.join(".git").exists() {
        return false;
    }
    let top = git(tree, &["rev-parse", "--show-toplevel"]);
    let same = |top: String| fs::canonicalize(top).ok() == fs::canonicalize(tree).ok();
    top.is_some_and(same)
        && git(tree, &["rev-parse", "HEAD"]).as_deref() == Some(sha)
        && git(tree, &["status", "--porcelain"]).as_deref() == Some("")
}

/// `mandel` of `rev`, built in a detached git worktree under `target/ab/<sha12>` with its own target folder
/// (kept between uses: a second A/B against the same revision builds nothing), reused only while it is a
/// clean checkout of the revision ([`checkout_of`]), else checked out anew; copied beside it.
pub fn build_revision(repo: &Path, target: &Path, rev: &str) -> Result<PathBuf, Stop> {
    let mut cmd = Command::new("git");
    cmd.args(["rev-parse", "--verify", &format!("{rev}^{{commit}}")]).current_dir(repo);
    let out = capture(&mut cmd)?;
    if !out.status.success() {
        let why = String::from_utf8_lossy(&out.stderr);
        let why = py_strip(&why);
        return Err(Stop::Error(format!(
            "--a-rev {}: not a commit of this repository ({why})",
            crate::cli::py_repr(rev)
        )));
    }
    let sha = String::from_utf8_lossy(&out.stdout);
    let sha = py_strip(&sha);
    let short = sha.chars().take(12).collect::<String>();
    let folder = target.join("ab");
    let tree = folder.join(&short);
    // beside the worktree, not in it: an untracked file there would make it unclean
    let kept = folder.join(format!("{short}.mandel"));
    fs::create_dir_all(&folder).map_err(os_error(&folder))?;
    // another ab's lock waited for: runs against revisions share these worktrees and their target folder,
    // where one's build could replace release/mandel between another's build and its copy
    let place = format!("building in {}", folder.display());
    let _held = lock_file(&folder.join(".ab.lock"), waiting("another scripts/ab", &place))?;
    if !checkout_of(&tree, sha) {
        if fs::symlink_metadata(&tree).is_ok() {
            log(&format!(
                "{} is not a clean checkout of {short} (interrupted, moved or edited): removing it",
                tree.display()
            ));
            remove(&tree);
            check_call(Command::new("git").args(["worktree", "prune"]).current_dir(repo), false)?;
        }
        log(&format!("checking out {rev} ({short}) in {}", tree.display()));
        let mut add = Command::new("git");
        add.args(["worktree", "add", "--detach", "--force"]).arg(&tree).arg(sha).current_dir(repo);
        check_call(&mut add, true)?;
    }
    log(&format!("building {rev}'s mandel in {} (fat LTO: minutes the first time)", tree.display()));
    cargo_build(&tree, &folder.join("target"))?;
    let binary = built(folder.join("target").join("release").join("mandel"), &format!("--a-rev {rev}"))?;
    let help = capture(Command::new(&binary).args(["bench", "--help"]))?;
    if !help.status.success() {
        return Err(Stop::Error(format!(
            "--a-rev {rev}: its mandel has no `bench` subcommand (revisions before rounds cannot be measured this \
             way; compare result sets with scripts/compare instead)"
        )));
    }
    // a copy: the next build of another revision reuses the target folder
    keep_copy(&binary, kept)
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::scratch;

    fn aged(path: &Path, seconds: u64) {
        let when = SystemTime::now() - Duration::from_secs(seconds);
        File::options().write(true).open(path).unwrap().set_modified(when).unwrap();
    }

    #[test]
    fn only_a_dead_abs_copy_untouched_for_an_hour_is_removed() {
        let dir = scratch("stale");
        let names = [
            "working-tree.999999999.mandel", // dead, old: removed
            "working-tree.999999998.mandel", // dead, fresh: perhaps another pid namespace's, running it
            "working-tree.1.mandel",         // alive (init), old: kept
            "working-tree.x.mandel",         // no pid, old: removed
            "other.999999999.mandel",        // not ab's: kept
        ];
        for name in names {
            fs::write(dir.join(name), "").unwrap();
            if name != names[1] {
                aged(&dir.join(name), 3700);
            }
        }
        let own = dir.join(format!("working-tree.{}.mandel", std::process::id()));
        fs::write(&own, "").unwrap();
        aged(&own, 3700); // this pid's own, left by an earlier run in a container: removed
        let mut removed: Vec<String> =
            clean_stale_copies(&dir).iter().map(|p| p.file_name().unwrap().to_string_lossy().into_owned()).collect();
        removed.sort();
        let mut want =
            vec![names[0].to_string(), names[3].to_string(), own.file_name().unwrap().to_string_lossy().into()];
        want.sort();
        assert_eq!(removed, want);
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_copy_replaces_what_is_at_its_name_and_is_executable() {
        let dir = scratch("copy");
        fs::write(dir.join("built"), "binary").unwrap();
        fs::write(dir.join("precious"), "keep me").unwrap();
        std::os::unix::fs::symlink(dir.join("precious"), dir.join("kept")).unwrap();
        let kept = keep_copy(&dir.join("built"), dir.join("kept")).unwrap();
        assert_eq!(fs::read_to_string(dir.join("precious")).unwrap(), "keep me");
        let meta = fs::symlink_metadata(&kept).unwrap();
        assert!(meta.is_file() && meta.permissions().mode() & 0o777 == 0o755);
        fs::write(dir.join("built"), "rebuilt").unwrap(); // a later build: the copy stays what it was
        assert_eq!(fs::read_to_string(&kept).unwrap(), "binary");
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_held_lock_is_waited_for_and_its_holder_named() {
        let dir = scratch("lock");
        let path = dir.join(".ladder.lock");
        let mut held = lock_file(&path, |_| panic!("free")).unwrap();
        held.rewind().unwrap();
        let mut text = String::new();
        held.read_to_string(&mut text).unwrap();
        assert_eq!(text, format!("{}\n", std::process::id()));
        let (tx, rx) = std::sync::mpsc::channel();
        let waiter = std::thread::spawn(move || {
            let _second = lock_file(&path, |holder| tx.send(holder.to_string()).unwrap()).unwrap();
        });
        // the second open file description waits (flock is per open file), naming the holder first
        assert_eq!(rx.recv_timeout(Duration::from_secs(10)).unwrap(), std::process::id().to_string());
        drop(held);
        waiter.join().unwrap();
        std::os::unix::fs::symlink("elsewhere", dir.join("link.lock")).unwrap();
        let Err(Stop::Error(said)) = lock_file(&dir.join("link.lock"), |_| {}) else { panic!("a link used") };
        assert!(
            said.ends_with("link.lock is a symlink, not a regular file: refusing to use it as the lock file"),
            "{said}"
        );
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_checkout_is_clean_only_at_its_own_folder_at_the_revision_untouched() {
        let dir = fs::canonicalize(scratch("git")).unwrap();
        let git = |cwd: &Path, args: &[&str]| {
            let out = Command::new("git")
                .args(["-c", "user.name=t", "-c", "user.email=t@t"])
                .args(args)
                .current_dir(cwd)
                .output()
                .unwrap();
            assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
            String::from_utf8_lossy(&out.stdout).trim().to_string()
        };
        let repo = dir.join("repo");
        fs::create_dir(&repo).unwrap();
        git(&repo, &["init", "-q"]);
        fs::write(repo.join("a.txt"), "1").unwrap();
        git(&repo, &["add", "a.txt"]);
        git(&repo, &["commit", "-qm", "1"]);
        let sha = git(&repo, &["rev-parse", "HEAD"]);
        let tree = dir.join("tree");
        git(&repo, &["worktree", "add", "-q", "--detach", tree.to_str().unwrap(), &sha]);
        assert!(checkout_of(&tree, &sha));
        assert!(!checkout_of(&tree, &"0".repeat(40)));
        fs::write(tree.join("new.txt"), "added").unwrap();
        assert!(!checkout_of(&tree, &sha));
        fs::remove_file(tree.join("new.txt")).unwrap();
        fs::write(tree.join("a.txt"), "edited").unwrap();
        assert!(!checkout_of(&tree, &sha));
        // a folder inside the repository with an empty .git: git finds the repository around it
        let inner = repo.join("inner");
        fs::create_dir_all(inner.join(".git")).unwrap();
        assert!(!checkout_of(&inner, &sha));
        assert!(!checkout_of(&dir.join("none"), &sha));
        fs::remove_dir_all(&dir).unwrap();
    }
}
