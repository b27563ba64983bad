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
pub const MAX_CONFIG: u64 = 8 << 20;
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
}
