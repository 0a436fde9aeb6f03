//! Writing a file so that a crash, a full disk or Ctrl-C never leaves it half-written: the content
//! goes to a temporary file in the same folder, which is synced and renamed over the target only
//! once it is complete. Whatever was at the path before stays there until then.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

/// The folder `path` lives in (`.` for a bare file name).
pub fn parent_dir(path: &Path) -> &Path {
    match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    }
}

/// A new, empty temporary file next to `path`: `.<name>.<pid>.<n>.tmp`.
fn temp_file(path: &Path) -> io::Result<PathBuf> {
    let name = path
        .file_name()
        .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "the path names no file"))?
        .to_string_lossy();
    let dir = parent_dir(path);
    for n in 0..1000u32 {
        let tmp = dir.join(format!(".{name}.{}.{n}.tmp", std::process::id()));
        match fs::OpenOptions::new().write(true).create_new(true).open(&tmp) {
            Ok(_) => return Ok(tmp),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(e),
        }
    }
    Err(io::Error::new(io::ErrorKind::AlreadyExists, "no free temporary file name"))
}

/// Check, before any work, that `path` can be written: it is not a folder, its folder exists, and a
/// new file can be created there (one is created and removed).
pub fn check_writable(path: &Path) -> Result<(), String> {
    if path.is_dir() {
        return Err("it is a folder, not a file".into());
    }
    let dir = parent_dir(path);
    if !dir.is_dir() {
        return Err(format!("folder {} does not exist", dir.display()));
    }
    let tmp = temp_file(path).map_err(|e| format!("cannot create a file in {}: {e}", dir.display()))?;
    fs::remove_file(&tmp).map_err(|e| format!("cannot remove the test file {}: {e}", tmp.display()))
}

/// Write `path` through `write`, which must write a complete file at the path it is given: a
/// temporary file in the same folder, synced and renamed over `path` once `write` succeeded. On any
/// error the temporary file is removed and `path` is left exactly as it was.
pub fn write_via_temp(path: &Path, write: impl FnOnce(&Path) -> io::Result<()>) -> io::Result<()> {
    if path.is_dir() {
        return Err(io::Error::new(io::ErrorKind::InvalidInput, "it is a folder, not a file"));
    }
    let tmp = temp_file(path)?;
    let result = write(&tmp).and_then(|()| fs::File::open(&tmp)?.sync_all()).and_then(|()| fs::rename(&tmp, path));
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result
}
