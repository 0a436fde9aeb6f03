//! Writing a file so that a crash, a full disk or Ctrl-C never leaves it half-written: the content
//! goes to a temporary file in the target's folder, which is synced and renamed over the target only
//! once it is complete. Whatever was at the path before stays there until then, and the file that
//! replaces it gets its permissions (a new file gets the default ones). [`write_via_temp`]
//! is the one way the CLI and the benches write a file (`.npy`, PNG, bench records); [`stage`] is its
//! first half, for outputs that are replaced together or not at all (`mandel render --npy --png`).
//!
//! What a path writes to (the rule `scripts/ladderlib/atomic.py` applies too): a symlink is followed
//! and its target is replaced (the temporary file is made in the target's folder, so the link stays a
//! link); a path that exists and is not a regular file (a folder, a device such as `/dev/null`, a
//! FIFO, a socket) is refused, since renaming over it would replace it with a regular file; so is a
//! path ending in `/`, or whose last component is `.` or `..`, which names a folder, and a symlink
//! whose target does.

use std::fs;
use std::io::{self, BufWriter};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Symlinks followed before giving up, as the kernel does (Linux's limit).
const MAX_LINKS: usize = 40;

/// The folder `path` lives in (`.` for a bare file name).
pub fn parent_dir(path: &Path) -> &Path {
    match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    }
}

/// Where writing `path` lands: every symlink followed, in a canonical folder (so two spellings of one
/// file resolve alike). The file itself need not exist; its folder must.
pub fn resolve(path: &Path) -> Result<PathBuf, String> {
    names_a_file(path).map_err(|why| format!("it {why}"))?;
    let mut path = path.to_path_buf();
    for _ in 0..MAX_LINKS {
        match fs::symlink_metadata(&path) {
            Ok(meta) if meta.file_type().is_symlink() => {
                let link = fs::read_link(&path).map_err(|e| format!("cannot read the link {}: {e}", path.display()))?;
                // A dangling link to `new/` would otherwise create a file `new`, as a path would.
                names_a_file(&link)
                    .map_err(|why| format!("the link {} points to {}, which {why}", path.display(), link.display()))?;
                path = parent_dir(&path).join(link); // an absolute link replaces the whole path
            }
            Ok(_) => return in_canonical_folder(&path),
            Err(e) if e.kind() == io::ErrorKind::NotFound => return in_canonical_folder(&path),
            Err(e) => return Err(format!("cannot inspect {}: {e}", path.display())),
        }
    }
    Err(format!("too many levels of symbolic links at {}", path.display()))
}

/// `Ok` if `path`, as written, names a file: not ending in `/`, and its last component not `.` or
/// `..`. `Path` drops a trailing `/` and a last `.` from the file name, so `dir/` and `new.png/.`
/// would otherwise write a file `dir` or `new.png` instead of being refused as folders.
fn names_a_file(path: &Path) -> Result<(), String> {
    let bytes = path.as_os_str().as_encoded_bytes();
    let last = bytes.rsplit(|&b| b == b'/').next().unwrap_or_default();
    match last {
        b"" if !bytes.is_empty() => Err("ends with /, so it names a folder, not a file".into()),
        b"." | b".." => Err(format!("ends in `{}`, so it names a folder, not a file", String::from_utf8_lossy(last))),
        _ => Ok(()),
    }
}

fn in_canonical_folder(path: &Path) -> Result<PathBuf, String> {
    let name = path.file_name().ok_or_else(|| format!("{} names no file", path.display()))?;
    let dir = parent_dir(path);
    match fs::canonicalize(dir) {
        Ok(canonical) if canonical.is_dir() => Ok(canonical.join(name)),
        Ok(_) => Err(format!("{} is not a folder", dir.display())),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Err(format!("folder {} does not exist", dir.display())),
        Err(e) => Err(format!("cannot reach folder {}: {e}", dir.display())),
    }
}

/// `Ok` if `target` (resolved) is absent or a regular file; else what it is, refused.
fn check_regular(target: &Path) -> Result<(), String> {
    let meta = match fs::metadata(target) {
        Ok(meta) => meta,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(format!("cannot inspect {}: {e}", target.display())),
    };
    if meta.is_file() {
        return Ok(());
    }
    let what = if meta.is_dir() { "a folder" } else { special_kind(&meta) };
    Err(format!("{} is {what}, not a regular file; it is not replaced", target.display()))
}

#[cfg(unix)]
fn special_kind(meta: &fs::Metadata) -> &'static str {
    use std::os::unix::fs::FileTypeExt;
    let t = meta.file_type();
    match () {
        _ if t.is_char_device() => "a character device",
        _ if t.is_block_device() => "a block device",
        _ if t.is_fifo() => "a FIFO",
        _ if t.is_socket() => "a socket",
        _ => "something other than a file",
    }
}

#[cfg(not(unix))]
fn special_kind(_: &fs::Metadata) -> &'static str {
    "something other than a file"
}

/// Whether `a` and `b` write the same file: the same resolved path, or, both existing, the same file
/// (device and inode: hard links, case-insensitive names).
pub fn same_file(a: &Path, b: &Path) -> Result<bool, String> {
    let (a, b) = (resolve(a)?, resolve(b)?);
    if a == b {
        return Ok(true);
    }
    #[cfg(unix)]
    if let (Ok(ma), Ok(mb)) = (fs::metadata(&a), fs::metadata(&b)) {
        use std::os::unix::fs::MetadataExt;
        return Ok((ma.dev(), ma.ino()) == (mb.dev(), mb.ino()));
    }
    Ok(false)
}

/// Bytes of the target's name kept in a temporary file's name: with the dots, a pid of up to 10
/// digits, a counter of up to 3 and `.tmp` (20 bytes), the name stays under the usual 255-byte limit
/// of a file name, which a target's own name may already be close to.
const TEMP_NAME_PART: usize = 200;

/// A new, empty temporary file next to `target`, `.<name>.<pid>.<n>.tmp`, open for writing; `<name>`
/// is the target's name cut to its first [`TEMP_NAME_PART`] bytes (the pid and counter keep it unique).
/// Temporary files of the same target left by a writer that is gone (killed) are removed first.
fn temp_file(target: &Path) -> io::Result<(PathBuf, fs::File)> {
    let name = target
        .file_name()
        .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "the path names no file"))?
        .to_string_lossy();
    let mut cut = name.len().min(TEMP_NAME_PART);
    while !name.is_char_boundary(cut) {
        cut -= 1;
    }
    let name = &name[..cut];
    let dir = parent_dir(target);
    remove_stale_temps(dir, name);
    for n in 0..1000u32 {
        let tmp = dir.join(format!(".{name}.{}.{n}.tmp", std::process::id()));
        match fs::OpenOptions::new().write(true).create_new(true).open(&tmp) {
            Ok(file) => return Ok((tmp, file)),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(e),
        }
    }
    Err(io::Error::new(io::ErrorKind::AlreadyExists, "no free temporary file name"))
}

/// The pid of the writer of `file` if it is a temporary file of the target whose temporary name part is
/// `name` ([`temp_file`]'s pattern exactly: `.<name>.<pid>.<n>.tmp`, `<n>` up to 3 digits).
fn temp_pid(file: &str, name: &str) -> Option<u32> {
    let rest = file.strip_prefix('.')?.strip_prefix(name)?.strip_prefix('.')?.strip_suffix(".tmp")?;
    let (pid, n) = rest.split_once('.')?;
    // Spelled as `temp_file` spells it: no sign, no leading zero.
    let pid = pid.parse::<u32>().ok().filter(|p| p.to_string() == pid)?;
    ((1..=3).contains(&n.len()) && n.bytes().all(|b| b.is_ascii_digit())).then_some(pid)
}

/// How long a temporary file must have gone untouched to count as a dead writer's: a writer in another
/// pid namespace sharing the folder (another container) looks gone from here, but a live writer's file
/// is fresh. `scripts/ladderlib/atomic.py` uses the same age (`STALE_AFTER_S`).
const STALE_AFTER: Duration = Duration::from_secs(3600);

/// Remove the temporary files in `dir` of the target whose temporary name part is `name` whose writer
/// is gone: a killed write leaves its temporary file, which nothing else would ever remove. A writer
/// counts as gone when no process has its pid in this process's view (`/proc`, Linux only; without
/// `/proc` mounted nothing is removed, since every writer would look gone) and its file is older than
/// [`STALE_AFTER`]. A pid reused since only keeps a file; this process's own pid counts as gone, as in
/// the Python scripts: a container gives `mandel` the same pid each run, and this one's files are fresh.
fn remove_stale_temps(dir: &Path, name: &str) {
    if !cfg!(target_os = "linux") || !Path::new("/proc/self").exists() {
        return;
    }
    let Ok(entries) = fs::read_dir(dir) else { return };
    for entry in entries.flatten() {
        let file = entry.file_name();
        let Some(pid) = file.to_str().and_then(|f| temp_pid(f, name)) else { continue };
        let gone = pid == std::process::id() || !Path::new("/proc").join(pid.to_string()).exists();
        let old = entry.metadata().ok().and_then(|m| m.modified().ok()).and_then(|t| t.elapsed().ok());
        if gone && old.is_some_and(|age| age > STALE_AFTER) && entry.file_type().is_ok_and(|t| t.is_file()) {
            let _ = fs::remove_file(entry.path());
        }
    }
}

/// Give the new file `file` the permissions of `target` when it exists: the rename replaces the
/// file, and a file the user made private (`chmod 600`) must not come back readable by everyone.
fn keep_mode(target: &Path, file: &fs::File) -> io::Result<()> {
    match fs::metadata(target) {
        Ok(meta) => file.set_permissions(meta.permissions()),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(e),
    }
}

/// Check, before any work, that `path` can be written by the rule above: its folder exists, it is not
/// a folder, a device or anything but a regular file (after following symlinks), and a new file can
/// be created next to its target (one is created and removed). Returns the target.
pub fn check_writable(path: &Path) -> Result<PathBuf, String> {
    let target = resolve(path)?;
    check_regular(&target)?;
    let dir = parent_dir(&target);
    let (tmp, _) = temp_file(&target).map_err(|e| format!("cannot create a file in {}: {e}", dir.display()))?;
    fs::remove_file(&tmp).map_err(|e| format!("cannot remove the test file {}: {e}", tmp.display()))?;
    Ok(target)
}

/// [`check_writable`] for a path whose folder may not exist yet (the benches' records file): the
/// missing folders are made first, and removed again when the path is then refused, so a refused path
/// leaves nothing on disk. A path that names a folder is refused before anything is made.
pub fn check_writable_making_folder(path: &Path) -> Result<PathBuf, String> {
    names_a_file(path).map_err(|why| format!("it {why}"))?;
    // The folders to make, deepest first. A path such as `new/../sub` needs `new` made before it can
    // be resolved, and only then turns out to name a folder: that is what the removal undoes.
    let missing: Vec<&Path> = parent_dir(path)
        .ancestors()
        .take_while(|d| {
            !d.as_os_str().is_empty() && fs::symlink_metadata(d).is_err_and(|e| e.kind() == io::ErrorKind::NotFound)
        })
        .collect();
    let made = match missing.first() {
        Some(deepest) => {
            fs::create_dir_all(deepest).map_err(|e| format!("cannot make folder {}: {e}", deepest.display()))
        }
        None => Ok(()),
    };
    made.and_then(|()| check_writable(path)).inspect_err(|_| {
        // Deepest first; `remove_dir` removes only an empty folder, and none that was there before is listed.
        for dir in &missing {
            let _ = fs::remove_dir(dir);
        }
    })
}

/// Write `path` whole: [`stage`] it, then [`Staged::commit`] it. On any error the temporary file is
/// removed and the target is left exactly as it was.
pub fn write_via_temp(path: &Path, write: impl FnOnce(&mut BufWriter<fs::File>) -> io::Result<()>) -> io::Result<()> {
    stage(path, write)?.commit()
}

/// A file written whole beside its target, not yet in place: [`Staged::commit`] renames it over the
/// target; dropped uncommitted (an error, a panic, another output that failed), it is removed and the
/// target is left as it was. Outputs that go together are all or nothing when every one is staged
/// before any is committed.
#[must_use = "a staged file is removed unless it is committed"]
pub struct Staged {
    /// Empty once committed.
    tmp: PathBuf,
    target: PathBuf,
}

impl Staged {
    /// Rename the file over its target (removing it if that fails).
    pub fn commit(mut self) -> io::Result<()> {
        let tmp = std::mem::take(&mut self.tmp);
        fs::rename(&tmp, &self.target).inspect_err(|_| {
            let _ = fs::remove_file(&tmp);
        })
    }
}

impl Drop for Staged {
    fn drop(&mut self) {
        if !self.tmp.as_os_str().is_empty() {
            let _ = fs::remove_file(&self.tmp);
        }
    }
}

/// Write what `path` is to hold, without replacing it yet: `write` fills a buffered writer on one new
/// temporary file in the target's folder, which is then flushed and synced (once). Symlinks are
/// followed and anything but a regular file is refused (see the module docs). On any error the
/// temporary file is removed.
pub fn stage(path: &Path, write: impl FnOnce(&mut BufWriter<fs::File>) -> io::Result<()>) -> io::Result<Staged> {
    let refused = |why: String| io::Error::new(io::ErrorKind::InvalidInput, why);
    let target = resolve(path).map_err(refused)?;
    check_regular(&target).map_err(refused)?;
    let (tmp, file) = temp_file(&target)?;
    let staged = Staged { tmp, target };
    let mut out = BufWriter::new(file);
    keep_mode(&staged.target, out.get_ref())
        .and_then(|()| write(&mut out))
        .and_then(|()| out.into_inner().map_err(io::IntoInnerError::into_error))
        .and_then(|file| file.sync_all())?;
    Ok(staged)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    /// A fresh folder for one test.
    fn scratch(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("mandel-atomic-{name}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).unwrap();
        dir
    }

    fn write(path: &Path, text: &str) -> io::Result<()> {
        write_via_temp(path, |out| out.write_all(text.as_bytes()))
    }

    #[cfg(unix)]
    #[test]
    fn a_symlink_is_written_through_and_stays_a_link() {
        let dir = scratch("link");
        fs::create_dir(dir.join("real")).unwrap();
        fs::write(dir.join("real/out.json"), "old").unwrap();
        std::os::unix::fs::symlink("real/out.json", dir.join("link.json")).unwrap();
        assert_eq!(check_writable(&dir.join("link.json")), Ok(fs::canonicalize(&dir).unwrap().join("real/out.json")));
        write(&dir.join("link.json"), "new").unwrap();
        assert!(fs::symlink_metadata(dir.join("link.json")).unwrap().file_type().is_symlink());
        assert_eq!(fs::read_to_string(dir.join("real/out.json")).unwrap(), "new");
        // A dangling link: its target is created. A loop is refused.
        std::os::unix::fs::symlink("real/new.json", dir.join("dangling")).unwrap();
        write(&dir.join("dangling"), "made").unwrap();
        assert_eq!(fs::read_to_string(dir.join("real/new.json")).unwrap(), "made");
        std::os::unix::fs::symlink("loop", dir.join("loop")).unwrap();
        assert!(write(&dir.join("loop"), "x").unwrap_err().to_string().contains("too many levels"));
        let names: Vec<_> = fs::read_dir(dir.join("real")).unwrap().map(|e| e.unwrap().file_name()).collect();
        assert_eq!(names.len(), 2, "temporary files left: {names:?}");
        fs::remove_dir_all(&dir).unwrap();
    }

    /// Issue 20, 1: renaming over a device node made it a regular file. What is not a regular file
    /// is refused, by the check and by the write, and left as it was.
    #[cfg(unix)]
    #[test]
    fn what_is_not_a_regular_file_is_refused_and_left_alone() {
        use std::os::unix::fs::FileTypeExt;
        let dir = scratch("special");
        let mut cases = vec![(dir.join("sub"), "a folder"), (dir.join("fifo"), "a FIFO")];
        fs::create_dir(dir.join("sub")).unwrap();
        assert!(std::process::Command::new("mkfifo").arg(dir.join("fifo")).status().unwrap().success());
        // A device node needs root (everything here runs as root; elsewhere the case is skipped).
        let root = std::process::Command::new("id").arg("-u").output().is_ok_and(|o| o.stdout == b"0\n");
        if root {
            let made = std::process::Command::new("mknod").arg(dir.join("null")).args(["c", "1", "3"]).status();
            assert!(made.unwrap().success());
            cases.push((dir.join("null"), "a character device"));
        }
        std::os::unix::fs::symlink("fifo", dir.join("to-fifo")).unwrap();
        cases.push((dir.join("to-fifo"), "a FIFO"));
        for (path, what) in cases {
            let err = check_writable(&path).unwrap_err();
            assert!(err.contains(&format!("is {what}, not a regular file")), "{}: {err}", path.display());
            let err = write(&path, "x").unwrap_err();
            assert!(err.to_string().contains(what), "{}: {err}", path.display());
        }
        assert!(fs::metadata(dir.join("fifo")).unwrap().file_type().is_fifo());
        if root {
            assert!(fs::metadata(dir.join("null")).unwrap().file_type().is_char_device());
        }
        assert!(fs::symlink_metadata(dir.join("to-fifo")).unwrap().file_type().is_symlink());
        fs::remove_dir_all(&dir).unwrap();
    }

    /// A write that fails half-way (here after some bytes) leaves the old file and no temporary file;
    /// one that succeeds leaves the new file alone in its folder.
    #[test]
    fn a_failed_write_leaves_the_old_file_and_a_good_one_only_the_new() {
        let dir = scratch("fail");
        let path = dir.join("out.npy");
        fs::write(&path, "old").unwrap();
        let failed = write_via_temp(&path, |out| {
            out.write_all(&[1u8; 100_000])?;
            Err(io::Error::other("disk full"))
        });
        assert_eq!(failed.unwrap_err().to_string(), "disk full");
        assert_eq!(fs::read_to_string(&path).unwrap(), "old");
        write(&path, "new").unwrap();
        assert_eq!(fs::read_to_string(&path).unwrap(), "new");
        let names: Vec<_> = fs::read_dir(&dir).unwrap().map(|e| e.unwrap().file_name()).collect();
        assert_eq!(names, vec![std::ffi::OsString::from("out.npy")], "temporary files left");
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_trailing_slash_or_a_missing_folder_is_refused() {
        let dir = scratch("slash");
        let slash = format!("{}/missing/", dir.display());
        assert!(check_writable(Path::new(&slash)).unwrap_err().contains("ends with /"));
        assert!(write(Path::new(&slash), "x").is_err());
        assert!(check_writable(&dir.join("missing/x.npy")).unwrap_err().contains("does not exist"));
        assert_eq!(fs::read_dir(&dir).unwrap().count(), 0, "nothing was created");
        fs::remove_dir_all(&dir).unwrap();
    }

    /// A name near the 255-byte limit is written: the temporary file's name keeps only the start of
    /// it (a 240-character name made a temporary name too long to create). Multi-byte characters are
    /// cut at a character boundary.
    #[test]
    fn a_long_file_name_is_written() {
        let dir = scratch("long");
        for name in ["a".repeat(240) + ".npy", "€".repeat(85)] {
            assert!(name.len() <= 255, "{}", name.len());
            let path = dir.join(&name);
            assert_eq!(check_writable(&path), Ok(fs::canonicalize(&dir).unwrap().join(&name)));
            write(&path, "x").unwrap();
            write(&path, "y").unwrap();
            assert_eq!(fs::read_to_string(&path).unwrap(), "y");
            let (tmp, _) = temp_file(&path).unwrap();
            let tmp_name = tmp.file_name().unwrap().to_str().unwrap().to_owned();
            fs::remove_file(&tmp).unwrap();
            assert!(tmp_name.len() <= 255 && tmp_name.ends_with(".tmp"), "{tmp_name}");
            let cut = (0..=TEMP_NAME_PART).rev().find(|&i| name.is_char_boundary(i)).unwrap();
            assert!(cut > TEMP_NAME_PART - 3 && tmp_name.starts_with(&format!(".{}.", &name[..cut])), "{tmp_name}");
        }
        assert_eq!(fs::read_dir(&dir).unwrap().count(), 2, "no temporary file left");
        fs::remove_dir_all(&dir).unwrap();
    }

    /// Replacing a file keeps its permissions (it was made anew with the default mode); a new file
    /// gets the default.
    #[cfg(unix)]
    #[test]
    fn a_replaced_file_keeps_its_permissions() {
        use std::os::unix::fs::PermissionsExt;
        let dir = scratch("mode");
        let mode = |p: &Path| fs::metadata(p).unwrap().permissions().mode() & 0o7777;
        for wanted in [0o600, 0o640, 0o444, 0o755] {
            let path = dir.join(format!("priv-{wanted:o}.npy"));
            fs::write(&path, "old").unwrap();
            fs::set_permissions(&path, fs::Permissions::from_mode(wanted)).unwrap();
            write(&path, "new").unwrap();
            assert_eq!(fs::read_to_string(&path).unwrap(), "new");
            assert_eq!(mode(&path), wanted, "{}", path.display());
        }
        // Through a link: the target's mode, and the link stays a link.
        fs::write(dir.join("real"), "old").unwrap();
        fs::set_permissions(dir.join("real"), fs::Permissions::from_mode(0o600)).unwrap();
        std::os::unix::fs::symlink("real", dir.join("link")).unwrap();
        write(&dir.join("link"), "new").unwrap();
        assert_eq!(mode(&dir.join("real")), 0o600);
        write(&dir.join("fresh"), "x").unwrap();
        assert_eq!(mode(&dir.join("fresh")) & 0o111, 0, "a new file is not executable");
        fs::remove_dir_all(&dir).unwrap();
    }

    /// `Path` drops a trailing `/` and a last `.`: a path or a link target naming a folder that way
    /// must be refused, not written as the file before it (`new.png/.` wrote `new.png`; a dangling
    /// link to `nonexist/` created `nonexist`).
    #[cfg(unix)]
    #[test]
    fn a_last_dot_or_a_link_to_a_folder_name_is_refused() {
        let dir = scratch("dots");
        for name in ["new1.png/.", "new2.png/..", "."] {
            let path = dir.join(name);
            let err = check_writable(&path).unwrap_err();
            assert!(err.contains("names a folder"), "{name}: {err}");
            assert!(write(&path, "x").is_err(), "{name}");
        }
        for (link, target) in [("dangdir", "nonexist/"), ("dot", "made.png/."), ("up", "made.png/.."), ("dots", "..")] {
            std::os::unix::fs::symlink(target, dir.join(link)).unwrap();
            let err = check_writable(&dir.join(link)).unwrap_err();
            assert!(err.contains(&format!("points to {target}, which ends")), "{link}: {err}");
            assert!(write(&dir.join(link), "x").is_err(), "{link}");
        }
        let mut names: Vec<_> = fs::read_dir(&dir).unwrap().map(|e| e.unwrap().file_name()).collect();
        names.sort();
        assert_eq!(names, ["dangdir", "dot", "dots", "up"], "only the links: nothing was created");
        fs::remove_dir_all(&dir).unwrap();
    }

    /// Staged files replace nothing until committed: one dropped (another output failed) leaves its
    /// target as it was and no temporary file.
    #[test]
    fn a_staged_file_replaces_its_target_only_when_committed() {
        let dir = scratch("staged");
        let (a, b) = (dir.join("a.npy"), dir.join("b.png"));
        fs::write(&a, "old a").unwrap();
        fs::write(&b, "old b").unwrap();
        let staged_a = stage(&a, |out| out.write_all(b"new a")).unwrap();
        let staged_b = stage(&b, |out| out.write_all(b"new b")).unwrap();
        assert_eq!(fs::read_dir(&dir).unwrap().count(), 4, "two targets, two temporary files");
        drop(staged_b);
        assert_eq!(fs::read_to_string(&a).unwrap(), "old a");
        staged_a.commit().unwrap();
        assert_eq!(
            (fs::read_to_string(&a).unwrap(), fs::read_to_string(&b).unwrap()),
            ("new a".into(), "old b".into())
        );
        assert_eq!(fs::read_dir(&dir).unwrap().count(), 2, "no temporary file left");
        fs::remove_dir_all(&dir).unwrap();
    }

    /// A killed write left its temporary file beside the target for ever. The next write of the same
    /// target removes those whose writer is gone and that are an hour old, and nothing else: not a live
    /// writer's, not a fresh one, not another target's, not a name that only looks like one.
    #[cfg(target_os = "linux")]
    #[test]
    fn a_dead_writer_s_temporary_file_is_removed_by_the_next_write() {
        let dir = scratch("stale");
        // A pid no process has: above the kernel's pid_max (at most 2^22).
        let dead = 4_194_305;
        let live = std::process::Command::new("sleep").arg("30").spawn().unwrap();
        let stale = format!(".a.npy.{dead}.0.tmp");
        // This process's pid, an hour old: left by an earlier process that had it (a container).
        let mine = format!(".a.npy.{}.5.tmp", std::process::id());
        let kept = [
            format!(".a.npy.{}.3.tmp", live.id()),
            format!(".b.npy.{dead}.0.tmp"),
            format!(".a.npy.{dead}.x.tmp"),
            format!(".a.npy.{dead}.0.tmp.bak"),
            format!(".a.npy.0{dead}.0.tmp"),
            format!(".a.npy.+{dead}.0.tmp"),
            format!("a.npy.{dead}.0.tmp"),
        ];
        let hour_ago = std::time::SystemTime::now() - STALE_AFTER - Duration::from_secs(60);
        for name in kept.iter().chain([&stale, &mine]) {
            fs::write(dir.join(name), "left").unwrap();
            fs::File::options().write(true).open(dir.join(name)).unwrap().set_modified(hour_ago).unwrap();
        }
        // Touched within the hour: perhaps a live writer in another pid namespace, which looks gone here.
        let fresh = format!(".a.npy.{dead}.7.tmp");
        fs::write(dir.join(&fresh), "writing").unwrap();
        write(&dir.join("a.npy"), "new").unwrap();
        let mut left: Vec<_> =
            fs::read_dir(&dir).unwrap().map(|e| e.unwrap().file_name().into_string().unwrap()).collect();
        left.sort();
        let mut expected: Vec<String> = kept.iter().cloned().chain(["a.npy".to_string(), fresh]).collect();
        expected.sort();
        assert_eq!(left, expected);
        let mut live = live;
        live.kill().unwrap();
        live.wait().unwrap();
        fs::remove_dir_all(&dir).unwrap();
    }

    /// The benches made the records' folder before checking the path: a path refused once the folder
    /// existed (`new/../sub` names a folder, `new/../fifo` a FIFO) left `new` behind. A refused path
    /// now leaves nothing made; an accepted one gets its folders.
    #[cfg(unix)]
    #[test]
    fn a_refused_path_leaves_no_folder_made() {
        let dir = scratch("mkdir");
        fs::create_dir(dir.join("sub")).unwrap();
        assert!(std::process::Command::new("mkfifo").arg(dir.join("fifo")).status().unwrap().success());
        for (path, why) in [
            ("new/../sub", "is a folder"),
            ("new/deeper/../../fifo", "is a FIFO"),
            ("new/x.json/..", "names a folder"),
            ("new/x.json/", "names a folder"),
        ] {
            let err = check_writable_making_folder(&dir.join(path)).unwrap_err();
            assert!(err.contains(why), "{path}: {err}");
            assert!(!dir.join("new").exists(), "{path}: a folder was made");
        }
        let made = check_writable_making_folder(&dir.join("new/deeper/x.json")).unwrap();
        assert_eq!(made, fs::canonicalize(&dir).unwrap().join("new/deeper/x.json"));
        assert!(dir.join("new/deeper").is_dir() && !made.exists());
        fs::remove_dir_all(&dir).unwrap();
    }

    /// Issue 20, 2: `a.npy` and `./a.npy` were taken for two files.
    #[cfg(unix)]
    #[test]
    fn two_spellings_of_one_file_are_the_same_file() {
        let dir = scratch("same");
        let a = dir.join("a.npy");
        assert_eq!(same_file(&a, &dir.join("./a.npy")), Ok(true), "neither exists yet");
        assert_eq!(
            same_file(&a, &dir.join("sub/../a.npy")),
            Err(format!("folder {} does not exist", dir.join("sub/..").display()))
        );
        fs::create_dir(dir.join("sub")).unwrap();
        assert_eq!(same_file(&a, &dir.join("sub/../a.npy")), Ok(true));
        assert_eq!(same_file(&a, &dir.join("b.npy")), Ok(false));
        std::os::unix::fs::symlink("a.npy", dir.join("link")).unwrap();
        assert_eq!(same_file(&a, &dir.join("link")), Ok(true), "a link to a file not yet written");
        fs::write(&a, "x").unwrap();
        fs::hard_link(&a, dir.join("hard")).unwrap();
        assert_eq!(same_file(&dir.join("hard"), &dir.join("link")), Ok(true));
        fs::remove_dir_all(&dir).unwrap();
    }
}
