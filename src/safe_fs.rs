//! How adf touches files a cloned repository or a planted link controls.
//!
//! Reading: only regular files are read as config, Dockerfile, ignore or rules file (a FIFO
//! would block forever, a device never ends), and only up to a size cap.
//! Writing: everything under `.adf` (logs, records, caches, manifests) is created without
//! following a symlink, in directories checked not to be symlinks, so a planted
//! `.adf/logs/x.log -> ~/.bashrc` cannot make adf write elsewhere.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Read};
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};

/// The most adf reads of a config file.
pub const MAX_CONFIG: u64 = 16 << 20;
/// The most adf reads of a Dockerfile, an ignore file or a compatibility rules file.
pub const MAX_TEXT: u64 = 4 << 20;

/// Why a file could not be read as one.
#[derive(Debug)]
pub enum ReadError {
    /// It is there but is a directory, FIFO, socket or device.
    NotRegular {
        path: PathBuf,
        kind: &'static str,
    },
    TooLarge {
        path: PathBuf,
        size: u64,
        cap: u64,
    },
    Io {
        path: PathBuf,
        error: io::Error,
    },
}

impl ReadError {
    pub fn is_not_found(&self) -> bool {
        matches!(self, ReadError::Io { error, .. } if error.kind() == io::ErrorKind::NotFound)
    }
}

impl std::fmt::Display for ReadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ReadError::NotRegular { path, kind } => {
                write!(f, "{} is {kind}, not a regular file", path.display())
            }
            ReadError::TooLarge { path, size, cap } => write!(
                f,
                "{} is {} MB, more than the {} MB adf reads",
                path.display(),
                size.div_ceil(1 << 20),
                cap >> 20
            ),
            ReadError::Io { path, error } => write!(f, "cannot read {}: {error}", path.display()),
        }
    }
}

impl std::error::Error for ReadError {}

impl From<ReadError> for io::Error {
    fn from(e: ReadError) -> Self {
        let kind = match &e {
            ReadError::Io { error, .. } => error.kind(),
            _ => io::ErrorKind::InvalidInput,
        };
        io::Error::new(kind, e.to_string())
    }
}

/// What a file that is not a regular one is, in words.
pub fn kind_of(meta: &fs::Metadata) -> &'static str {
    use std::os::unix::fs::FileTypeExt;
    let t = meta.file_type();
    if t.is_dir() {
        "a directory"
    } else if t.is_fifo() {
        "a FIFO (named pipe)"
    } else if t.is_socket() {
        "a socket"
    } else if t.is_char_device() || t.is_block_device() {
        "a device"
    } else {
        "not a regular file"
    }
}

/// Opens `path` (symlinks followed) when it is a regular file: the check is made on the open
/// file, which is opened non-blocking so a FIFO cannot hang adf.
pub fn open_regular(path: &Path) -> Result<(File, u64), ReadError> {
    let io_err = |error| ReadError::Io {
        path: path.to_path_buf(),
        error,
    };
    let file = OpenOptions::new()
        .read(true)
        .custom_flags(nix_o_nonblock())
        .open(path)
        .map_err(io_err)?;
    let meta = file.metadata().map_err(io_err)?;
    if !meta.is_file() {
        return Err(ReadError::NotRegular {
            path: path.to_path_buf(),
            kind: kind_of(&meta),
        });
    }
    Ok((file, meta.len()))
}

/// `O_NONBLOCK` on Linux (and the other Unixes adf builds on).
const fn nix_o_nonblock() -> i32 {
    if cfg!(any(
        target_os = "macos",
        target_os = "ios",
        target_os = "freebsd"
    )) {
        0x0004
    } else {
        0o4000
    }
}

/// The bytes of the regular file `path`, at most `cap` of them (a larger file is an error).
pub fn read_regular(path: &Path, cap: u64) -> Result<Vec<u8>, ReadError> {
    let (file, size) = open_regular(path)?;
    let too_large = |size| ReadError::TooLarge {
        path: path.to_path_buf(),
        size,
        cap,
    };
    if size > cap {
        return Err(too_large(size));
    }
    let mut bytes = Vec::with_capacity(size as usize);
    file.take(cap + 1)
        .read_to_end(&mut bytes)
        .map_err(|error| ReadError::Io {
            path: path.to_path_buf(),
            error,
        })?;
    if bytes.len() as u64 > cap {
        return Err(too_large(bytes.len() as u64));
    }
    Ok(bytes)
}

/// [`read_regular`] as UTF-8 text (invalid sequences replaced).
pub fn read_text(path: &Path, cap: u64) -> Result<String, ReadError> {
    read_regular(path, cap).map(|b| match String::from_utf8(b) {
        Ok(s) => s,
        Err(e) => String::from_utf8_lossy(e.as_bytes()).into_owned(),
    })
}

/// `O_NOFOLLOW` on Linux (and the other Unixes adf builds on).
const fn o_nofollow() -> i32 {
    if cfg!(any(
        target_os = "macos",
        target_os = "ios",
        target_os = "freebsd"
    )) {
        0x0100
    } else {
        0o400000
    }
}

fn planted_link(path: &Path) -> io::Error {
    io::Error::new(
        io::ErrorKind::InvalidInput,
        format!(
            "{} is a symbolic link: adf does not write through links in its state directory (remove it; adf recreates what it needs)",
            path.display()
        ),
    )
}

/// Creates `dir` and its missing parents, refusing any that is a symlink (checked with
/// `lstat`, each component created with `mkdir`, which never follows a link).
pub fn create_dir_checked(dir: &Path) -> io::Result<()> {
    let mut at = PathBuf::new();
    for c in dir.components() {
        at.push(c);
        match fs::symlink_metadata(&at) {
            // a link above the project (`/tmp` on macOS, a home on another disk) is the
            // user's; only links adf could have been tricked by matter: those under `.adf`
            Ok(m) if m.file_type().is_symlink() && under_state(&at) => {
                return Err(planted_link(&at))
            }
            Ok(_) => {}
            Err(e) if e.kind() == io::ErrorKind::NotFound => match fs::create_dir(&at) {
                Ok(()) => {}
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {}
                Err(e) => return Err(io::Error::new(e.kind(), format!("{}: {e}", at.display()))),
            },
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

/// Whether `path` is `.adf` or inside one.
fn under_state(path: &Path) -> bool {
    path.components().any(|c| c.as_os_str() == STATE_DIR)
}

/// The name of adf's state directory beside the file.
pub const STATE_DIR: &str = ".adf";

fn open_nofollow(path: &Path, opts: &mut OpenOptions) -> io::Result<File> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        create_dir_checked(dir)?;
    }
    opts.custom_flags(o_nofollow()).open(path).map_err(|e| {
        // ELOOP: the last component is a symlink
        if e.raw_os_error() == Some(40) || e.raw_os_error() == Some(62) {
            planted_link(path)
        } else {
            io::Error::new(e.kind(), format!("{}: {e}", path.display()))
        }
    })
}

/// Creates (or truncates) `path` for writing, never through a symlink; its directories are
/// created as [`create_dir_checked`] does.
pub fn create_file(path: &Path) -> io::Result<File> {
    open_nofollow(
        path,
        OpenOptions::new().write(true).create(true).truncate(true),
    )
}

/// Opens `path` for appending (created if missing), never through a symlink.
pub fn append_file(path: &Path) -> io::Result<File> {
    open_nofollow(path, OpenOptions::new().append(true).create(true))
}

/// Writes `bytes` to `path` through a new temporary file in the same (checked) directory and a
/// rename: the file is whole or untouched, and a symlink at `path` is replaced, not followed.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    create_dir_checked(&dir)?;
    let mut tmp = tempfile::NamedTempFile::new_in(&dir)?;
    std::io::Write::write_all(&mut tmp, bytes)?;
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}

/// The symlinks in the state directory `dir`: `dir` itself, or anything inside it (to a small
/// depth; adf's state is flat). Empty when there are none or `dir` does not exist.
pub fn links_in_state(dir: &Path) -> Vec<PathBuf> {
    fn walk(dir: &Path, depth: usize, out: &mut Vec<PathBuf>) {
        let Ok(entries) = fs::read_dir(dir) else {
            return;
        };
        for e in entries.flatten().take(100_000) {
            let Ok(t) = e.file_type() else { continue };
            if t.is_symlink() {
                out.push(e.path());
            } else if t.is_dir() && depth < 4 {
                walk(&e.path(), depth + 1, out);
            }
        }
    }
    let mut out = Vec::new();
    match fs::symlink_metadata(dir) {
        Ok(m) if m.file_type().is_symlink() => out.push(dir.to_path_buf()),
        Ok(m) if m.is_dir() => walk(dir, 0, &mut out),
        _ => {}
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_regular_files_under_the_cap_are_read() {
        let d = tempfile::tempdir().expect("tmp");
        let file = d.path().join("f");
        fs::write(&file, "abc").expect("write");
        assert_eq!(read_regular(&file, 10).expect("read"), b"abc");
        assert!(matches!(
            read_regular(&file, 2),
            Err(ReadError::TooLarge { size: 3, .. })
        ));
        let err = read_regular(d.path(), 10).expect_err("a directory");
        assert!(err.to_string().contains("is a directory"), "{err}");
        assert!(read_regular(&d.path().join("none"), 10)
            .expect_err("missing")
            .is_not_found());
        let dev = read_regular(Path::new("/dev/zero"), 10).expect_err("a device");
        assert!(dev.to_string().contains("a device"), "{dev}");
    }

    #[test]
    fn writes_never_follow_a_planted_link() {
        let d = tempfile::tempdir().expect("tmp");
        let state = d.path().join(".adf");
        let victim = d.path().join("victim");
        fs::write(&victim, "keep").expect("write");
        create_dir_checked(&state.join("logs")).expect("mkdir");
        std::os::unix::fs::symlink(&victim, state.join("logs/a.log")).expect("link");
        let err = create_file(&state.join("logs/a.log")).expect_err("a link");
        assert!(err.to_string().contains("is a symbolic link"), "{err}");
        assert!(append_file(&state.join("logs/a.log")).is_err());
        assert_eq!(fs::read_to_string(&victim).expect("read"), "keep");
        // a linked directory on the way is refused too
        std::os::unix::fs::symlink(d.path(), state.join("cache")).expect("link");
        assert!(write_atomic(&state.join("cache/x.json"), b"{}").is_err());
        assert!(create_dir_checked(&state.join("cache/sub")).is_err());
        assert_eq!(links_in_state(&state).len(), 2);
        // write_atomic replaces a link at the target instead of writing through it
        let plain = d.path().join("plain");
        create_dir_checked(&plain).expect("mkdir");
        std::os::unix::fs::symlink(&victim, plain.join("out")).expect("link");
        write_atomic(&plain.join("out"), b"new").expect("write");
        assert_eq!(fs::read_to_string(&victim).expect("read"), "keep");
        assert_eq!(fs::read_to_string(plain.join("out")).expect("read"), "new");
    }
}
