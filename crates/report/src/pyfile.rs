//! Files as the scripts read and named them: a path spelled as Python's `Path` spells it ([`pure`]), a
//! symlink resolved as `os.path.realpath` resolves it ([`realpath`]), a JSON file read as
//! `readers.load_json` read it ([`load_json`], [`crate::pyloads`] parsing it), an output checked as
//! `atomic.check_output` checked it ([`check_output`]), and an OS error said as Python's `strerror`.

use crate::pyjson::Py;
use std::ffi::OsString;
use std::fs;
use std::io::{self, Read};
use std::os::unix::ffi::{OsStrExt, OsStringExt};
use std::os::unix::fs::{FileTypeExt, OpenOptionsExt};
use std::path::{Path, PathBuf};

/// `Path(p)` as Python prints it: no empty or `.` components, no trailing `/` (a leading `//` kept).
pub fn pure(p: &Path) -> PathBuf {
    let b = p.as_os_str().as_bytes();
    let mut out = match () {
        _ if b.starts_with(b"//") && !b.starts_with(b"///") => b"//".to_vec(),
        _ if b.starts_with(b"/") => b"/".to_vec(),
        _ => vec![],
    };
    out.extend(b.split(|&c| c == b'/').filter(|s| !s.is_empty() && *s != b".").collect::<Vec<_>>().join(&b'/'));
    PathBuf::from(OsString::from_vec(if out.is_empty() { b".".to_vec() } else { out }))
}

/// `Path(p).absolute()`: against the current folder, not normalised further.
pub fn absolute(p: &Path) -> PathBuf {
    pure(&std::env::current_dir().unwrap_or_default().join(p))
}

/// `os.path.realpath(p)`: every symlink followed as far as the path exists, `..` applied after it; a
/// missing part and what follows kept as written, a loop left unresolved.
pub fn realpath(p: &Path) -> PathBuf {
    let mut out = PathBuf::from("/");
    let mut todo: Vec<OsString> = absolute(p).iter().skip(1).map(OsString::from).collect();
    todo.reverse();
    let mut links = 0;
    while let Some(part) = todo.pop() {
        match part.as_bytes() {
            b"." => continue,
            b".." => {
                out.pop();
                continue;
            }
            _ => {}
        }
        let next = out.join(&part);
        match fs::read_link(&next) {
            Ok(target) if links < 40 => {
                links += 1;
                if target.is_absolute() {
                    out = PathBuf::from("/");
                }
                let mut parts: Vec<OsString> =
                    pure(&target).iter().filter(|c| c.as_bytes() != b"/").map(OsString::from).collect();
                parts.reverse();
                todo.extend(parts);
            }
            _ => out = next,
        }
    }
    out
}

/// Python's `e.strerror`: the OS's words without Rust's ` (os error N)`.
pub fn strerror(e: &io::Error) -> String {
    let text = e.to_string();
    match text.find(" (os error ") {
        Some(i) => text[..i].to_string(),
        None => text,
    }
}

/// What a file is, for messages (`atomic.kind`).
pub fn kind(t: fs::FileType) -> &'static str {
    match () {
        _ if t.is_dir() => "a folder",
        _ if t.is_char_device() => "a character device",
        _ if t.is_block_device() => "a block device",
        _ if t.is_fifo() => "a FIFO",
        _ if t.is_socket() => "a socket",
        _ if t.is_symlink() => "a symlink",
        _ if t.is_file() => "a regular file",
        _ => "something else",
    }
}

/// `readers.load_json`: a regular file's JSON, opened without blocking (a FIFO would hang the reader), or
/// the message naming the file.
pub fn load_json(path: &Path) -> Result<Py, String> {
    let path = pure(path);
    let shown = path.display();
    let cannot = |e: io::Error| format!("{shown}: cannot read: {}", strerror(&e));
    let mut file = fs::OpenOptions::new().read(true).custom_flags(libc::O_NONBLOCK).open(&path).map_err(cannot)?;
    if !file.metadata().map_err(cannot)?.is_file() {
        return Err(format!("{shown}: not a regular file (a FIFO, a device or a socket): refused, not read"));
    }
    let mut bytes = Vec::new();
    file.read_to_end(&mut bytes).map_err(cannot)?;
    crate::pyloads::load(&bytes).map_err(|e| format!("{shown}: {e}"))
}

/// `atomic.check_output(path, what)`: where writing `path` lands (symlinks followed), refused unless it is
/// absent or a regular file in a folder that exists.
pub fn check_output(path: &Path, what: &str) -> Result<PathBuf, String> {
    let (path, target) = (pure(path), realpath(path));
    match fs::metadata(&target) {
        Err(e) if e.kind() == io::ErrorKind::NotFound => {}
        Err(e) => return Err(format!("{}: cannot write the {what} there: {}", path.display(), strerror(&e))),
        Ok(meta) if !meta.is_file() => {
            let via =
                if target != absolute(&path) { format!(" (what {} resolves to)", path.display()) } else { "".into() };
            return Err(format!(
                "{}{via} is {}, not a regular file: refusing to write the {what} there (writes replace regular files only)",
                target.display(),
                kind(meta.file_type())
            ));
        }
        Ok(_) => {}
    }
    let folder = target.parent().unwrap_or(Path::new("/"));
    if !folder.is_dir() {
        return Err(format!(
            "{}: cannot write the {what} there: folder {} does not exist",
            path.display(),
            folder.display()
        ));
    }
    Ok(target)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_spelled_as_python_spells_them() {
        for (given, spelled) in
            [("a//b/./c/", "a/b/c"), ("./x.json", "x.json"), ("", "."), ("//a", "//a"), ("///a", "/a")]
        {
            assert_eq!(pure(Path::new(given)), Path::new(spelled), "{given}");
        }
    }

    #[test]
    fn an_output_that_is_no_file_or_has_no_folder_is_refused() {
        let dir = std::env::temp_dir().join(format!("pyfile-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).unwrap();
        let dir = fs::canonicalize(&dir).unwrap();
        std::os::unix::fs::symlink("sub", dir.join("link")).unwrap();
        fs::create_dir(dir.join("sub")).unwrap();
        assert_eq!(check_output(&dir.join("new.json"), "--out"), Ok(dir.join("new.json")));
        let said = check_output(&dir.join("link"), "--out").unwrap_err();
        assert_eq!(
            said,
            format!(
                "{0}/sub (what {0}/link resolves to) is a folder, not a regular file: refusing to write the --out there \
                 (writes replace regular files only)",
                dir.display()
            )
        );
        let missing = dir.join("gone/x.json");
        assert!(
            check_output(&missing, "--out")
                .unwrap_err()
                .ends_with(&format!("folder {}/gone does not exist", dir.display()))
        );
        assert_eq!(realpath(&dir.join("link/../link/x")), dir.join("sub/x"));
        fs::write(dir.join("bad.json"), "{").unwrap();
        assert_eq!(
            load_json(&dir.join("bad.json")).unwrap_err(),
            format!(
                "{}/bad.json: not valid JSON: Expecting property name enclosed in double quotes: line 1 column 2 (char 1)",
                dir.display()
            )
        );
        assert!(
            load_json(&dir.join("sub"))
                .unwrap_err()
                .ends_with("not a regular file (a FIFO, a device or a socket): refused, not read")
        );
        assert!(load_json(&dir.join("none")).unwrap_err().ends_with("none: cannot read: No such file or directory"));
        fs::remove_dir_all(&dir).unwrap();
    }
}
