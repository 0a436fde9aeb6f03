//! Files as the scripts read and named them: a path spelled as Python's `Path` spells it ([`pure`]: no `.`
//! component, no trailing `/`), a symlink resolved as `os.path.realpath` resolves it (a loop left unresolved
//! rather than an error: [`realpath`]), a JSON file read as `readers.load_json` read it ([`load_json`],
//! [`crate::pyloads`] parsing it), an output checked as `atomic.check_output` checked it ([`check_output`]),
//! and an OS error said as Python's `strerror`.

use crate::pyjson::Py;
use std::ffi::{OsStr, OsString};
use std::fs;
use std::io::{self, Read};
use std::os::unix::ffi::{OsStrExt, OsStringExt};
use std::os::unix::fs::{FileTypeExt, OpenOptionsExt};
use std::path::{Path, PathBuf};

fn bytes(p: &Path) -> &[u8] {
    p.as_os_str().as_bytes()
}

fn path(b: Vec<u8>) -> PathBuf {
    PathBuf::from(OsString::from_vec(b))
}

/// `Path(p)`: its `.` components and empty ones dropped (a leading `//` kept, as POSIX allows), `.` for none.
pub fn pure(p: &Path) -> PathBuf {
    let b = bytes(p);
    let mut out = match () {
        _ if b.starts_with(b"//") && !b.starts_with(b"///") => b"//".to_vec(),
        _ if b.starts_with(b"/") => b"/".to_vec(),
        _ => vec![],
    };
    out.extend(b.split(|&c| c == b'/').filter(|s| !s.is_empty() && *s != b".").collect::<Vec<_>>().join(&b'/'));
    path(if out.is_empty() { b".".to_vec() } else { out })
}

/// `Path(p) / name`.
pub fn child(p: &Path, name: &str) -> PathBuf {
    let mut b = bytes(&pure(p)).to_vec();
    if !b.ends_with(b"/") {
        b.push(b'/');
    }
    b.extend(name.as_bytes());
    pure(&path(b))
}

/// `Path(p).name`: the last component, empty for `/` and `.`.
pub fn name(p: &Path) -> Vec<u8> {
    let p = pure(p);
    let last = bytes(&p).rsplit(|&c| c == b'/').next().unwrap_or_default();
    if last == b"." { vec![] } else { last.to_vec() }
}

/// `Path(p).with_suffix(suffix)` of a path with a name: its suffix (from the last `.` not leading the name)
/// replaced.
pub fn with_suffix(p: &Path, suffix: &str) -> PathBuf {
    let (p, name) = (pure(p), name(p));
    let stem = match name.iter().rposition(|&c| c == b'.') {
        Some(i) if i > 0 && i < name.len() - 1 => &name[..i],
        _ => &name[..],
    };
    let mut b = bytes(&p)[..bytes(&p).len() - name.len()].to_vec();
    b.extend(stem);
    b.extend(suffix.as_bytes());
    path(b)
}

/// `posixpath.join(a, b)`.
fn join(a: &[u8], b: &[u8]) -> Vec<u8> {
    if b.starts_with(b"/") {
        return b.to_vec();
    }
    let mut out = a.to_vec();
    if !a.is_empty() && !a.ends_with(b"/") {
        out.push(b'/');
    }
    out.extend(b);
    out
}

/// `posixpath.split(p)`: (head without its trailing slashes unless all slashes, tail).
fn split(p: &[u8]) -> (Vec<u8>, Vec<u8>) {
    let i = p.iter().rposition(|&c| c == b'/').map_or(0, |i| i + 1);
    let (mut head, tail) = (p[..i].to_vec(), p[i..].to_vec());
    if head.iter().any(|&c| c != b'/') {
        while head.ends_with(b"/") {
            head.pop();
        }
    }
    (head, tail)
}

/// `posixpath.normpath`: `.` and empty components dropped, `..` taken lexically.
fn normpath(p: &[u8]) -> Vec<u8> {
    let slashes = match () {
        _ if p.starts_with(b"//") && !p.starts_with(b"///") => 2,
        _ if p.starts_with(b"/") => 1,
        _ => 0,
    };
    let mut parts: Vec<&[u8]> = vec![];
    for part in p.split(|&c| c == b'/').filter(|s| !s.is_empty() && *s != b".") {
        if part != b".." || (slashes == 0 && parts.is_empty()) || parts.last() == Some(&&b".."[..]) {
            parts.push(part);
        } else {
            parts.pop();
        }
    }
    let mut out = vec![b'/'; slashes];
    out.extend(parts.join(&b'/'));
    if out.is_empty() { b".".to_vec() } else { out }
}

/// `os.path.abspath`: joined to the working directory, then [`normpath`].
fn abspath(p: &[u8]) -> Vec<u8> {
    let cwd = std::env::current_dir().unwrap_or_default();
    normpath(&join(bytes(&cwd), p)) // an absolute `p` replaces the working directory
}

/// `Path(p).absolute()`: joined to the working directory, nothing resolved.
pub fn absolute(p: &Path) -> PathBuf {
    let p = pure(p);
    if p.is_absolute() { p } else { pure(&std::env::current_dir().unwrap_or_default().join(p)) }
}

/// `os.path.realpath(p)` (not strict): every symlink followed, a missing component taken as it is, and a
/// loop left where it starts, the rest unresolved.
pub fn realpath(p: &Path) -> PathBuf {
    let mut seen = Vec::new();
    path(abspath(&join_real(vec![], bytes(p), &mut seen).0))
}

/// `posixpath._joinrealpath`: `rest` resolved onto `path`; false where a loop stopped it. `seen`: the links
/// met, with what they resolved to (None while being resolved).
fn join_real(mut path: Vec<u8>, rest: &[u8], seen: &mut Vec<(Vec<u8>, Option<Vec<u8>>)>) -> (Vec<u8>, bool) {
    let mut rest = rest;
    if let Some(r) = rest.strip_prefix(b"/") {
        (rest, path) = (r, b"/".to_vec());
    }
    while !rest.is_empty() {
        let (name, after) = rest.split_at(rest.iter().position(|&c| c == b'/').unwrap_or(rest.len()));
        rest = after.strip_prefix(b"/").unwrap_or(after);
        if name.is_empty() || name == b"." {
            continue;
        }
        if name == b".." {
            path = if path.is_empty() {
                b"..".to_vec()
            } else {
                let (head, tail) = split(&path);
                if tail == b".." { join(&join(&head, b".."), b"..") } else { head }
            };
            continue;
        }
        let new = join(&path, name);
        let at = Path::new(OsStr::from_bytes(&new));
        let link = fs::symlink_metadata(at).is_ok_and(|m| m.is_symlink());
        let target = link.then(|| fs::read_link(at).ok()).flatten();
        let Some(target) = target else {
            path = new;
            continue;
        };
        match seen.iter().find(|(p, _)| *p == new) {
            Some((_, Some(resolved))) => {
                path = resolved.clone();
                continue;
            }
            Some((_, None)) => return (join(&new, rest), false),
            None => {}
        }
        seen.push((new.clone(), None));
        let (resolved, ok) = join_real(path, bytes(&target), seen);
        if !ok {
            return (join(&resolved, rest), false);
        }
        seen.iter_mut().find(|(p, _)| *p == new).expect("seen").1 = Some(resolved.clone());
        path = resolved;
    }
    (path, true)
}

/// `Path(p).resolve()`: [`realpath`], or pathlib's RuntimeError where it ends in a symlink loop.
pub fn resolve(p: &Path) -> Result<PathBuf, String> {
    let real = realpath(p);
    match fs::metadata(&real) {
        Err(e) if e.raw_os_error() == Some(libc::ELOOP) => {
            Err(format!("Symlink loop from {}", crate::pyvalue::str_repr(&real.to_string_lossy())))
        }
        _ => Ok(real),
    }
}

/// Python's `e.strerror` of an OS error (C's `strerror`), else the error's text.
pub fn strerror(e: &io::Error) -> String {
    let text = e.to_string();
    match e.raw_os_error() {
        Some(code) => text.strip_suffix(&format!(" (os error {code})")).unwrap_or(&text).to_string(),
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

/// `atomic.pid_alive`: whether process `pid` (as written, digits only) runs; this process's own pid is a
/// leftover of an earlier one that had it (a container), and a pid no process can have runs nowhere.
pub fn pid_alive(pid: &str) -> bool {
    let Some(pid) = pid.parse::<libc::pid_t>().ok().filter(|_| pid.bytes().all(|b| b.is_ascii_digit())) else {
        return false;
    };
    // SAFETY: signal 0 checks that the process exists and sends nothing.
    pid != std::process::id() as libc::pid_t
        && (unsafe { libc::kill(pid, 0) } == 0 || io::Error::last_os_error().raw_os_error() == Some(libc::EPERM))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(p: PathBuf) -> String {
        p.to_string_lossy().into_owned()
    }

    #[test]
    fn paths_are_spelled_as_pathlib_spells_them() {
        for (given, spelled) in
            [("//a/./b/", "//a/b"), ("///a", "/a"), ("", "."), ("a/..", "a/.."), ("./x", "x"), ("a//b/./c/", "a/b/c")]
        {
            assert_eq!(s(pure(Path::new(given))), spelled, "{given}");
        }
        for (given, svg) in [("x.", "x..svg"), (".md", ".md.svg"), ("a.b.md", "a.b.svg"), ("d/c.md/", "d/c.svg")] {
            assert_eq!(s(with_suffix(Path::new(given), ".svg")), svg, "{given}");
        }
        assert_eq!(
            (name(Path::new("/")), name(Path::new(".")), name(Path::new(".."))),
            (vec![], vec![], b"..".to_vec())
        );
        assert_eq!((s(child(Path::new("."), "x")), s(child(Path::new("/"), "x"))), ("x".into(), "/x".into()));
        assert_eq!(normpath(b"/a/../../b/./c//"), b"/b/c");
        assert_eq!(normpath(b"../a/../.."), b"../..");
    }

    /// Symlinks resolved as `os.path.realpath` resolves them, loops included, and `resolve`'s refusal of
    /// a path ending in one (the cases as Python 3.11 answers them).
    #[test]
    fn links_resolve_as_realpath_resolves_them() {
        let dir = std::env::temp_dir().join(format!("mandel-pyfile-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(dir.join("d")).unwrap();
        let dir = fs::canonicalize(&dir).unwrap();
        for (link, target) in [("loop", "loop"), ("a", "b"), ("b", "a"), ("d/l2", "../loop"), ("f", "d")] {
            std::os::unix::fs::symlink(target, dir.join(link)).unwrap();
        }
        let real = |p: &str| s(realpath(&dir.join(p))).strip_prefix(&s(dir.clone())).unwrap().to_string();
        for (given, resolved) in [
            ("loop", "/loop"),
            ("loop/x", "/loop/x"),
            ("a", "/a"),
            ("d/l2", "/loop"),
            ("d/l2/../y", "/y"),
            ("f/x", "/d/x"),
        ] {
            assert_eq!(real(given), resolved, "{given}");
        }
        assert_eq!(resolve(&dir.join("b/c")), Err(format!("Symlink loop from '{}/b/c'", dir.display())));
        assert_eq!(resolve(&dir.join("d/l2/../y")), Ok(dir.join("y")));
        fs::remove_dir_all(&dir).unwrap();
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

    #[test]
    fn a_pid_runs_unless_it_is_this_process_or_none_can_have_it() {
        assert!(!pid_alive(&std::process::id().to_string()), "this process's own pid is a leftover's");
        assert!(!pid_alive("99999999999") && !pid_alive("4194305") && !pid_alive("+1") && pid_alive("1"));
    }
}
