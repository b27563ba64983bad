//! archive: image archives on disk (`adf save` / `adf load`), through gzip or zstd chosen by
//! extension.
//!
//! `save` streams the engine's archive through the encoder into a temporary file next to the
//! output, syncs it and renames it into place, so the output is either complete or untouched.
//! `load` sniffs the compression from the first bytes and streams the decoded tar to the engine.

use crate::engine::{Engine, EngineError, ErrorKind};
use std::fs::File;
use std::io::{self, BufRead, BufReader, BufWriter};
use std::path::Path;
use std::sync::atomic::AtomicBool;
use std::time::{Duration, Instant};

pub mod compression;

pub use compression::{Compression, Encoder, EXTENSIONS};

const BUF: usize = 1 << 20;

#[derive(Debug)]
pub enum ArchiveError {
    /// Bad input (exit 2): what is wrong, and how to fix it.
    Input {
        what: String,
        help: &'static str,
    },
    /// References docker does not have, in the order given (bad input too).
    Missing(Vec<String>),
    /// A failure (exit 1): what failed, docker's last lines included, and a hint if any.
    Failed {
        what: String,
        help: Option<&'static str>,
    },
    Interrupted,
}

impl ArchiveError {
    fn io(what: impl std::fmt::Display, err: io::Error) -> Self {
        let what = format!("cannot {what}: {err}");
        Self::Failed { what, help: None }
    }

    /// An engine failure: what failed, with the engine's words.
    fn engine(e: EngineError, help: Option<&'static str>) -> Self {
        match e.kind {
            ErrorKind::Interrupted => Self::Interrupted,
            ErrorKind::CliNotFound | ErrorKind::NoEngine => Self::Input {
                help: e.help().unwrap_or_default(),
                what: e.to_string(),
            },
            _ => Self::Failed {
                what: e.to_string(),
                help,
            },
        }
    }

    /// Bad input (exit 2) rather than a failure (exit 1).
    pub fn is_bad_input(&self) -> bool {
        matches!(self, Self::Input { .. } | Self::Missing(_))
    }

    /// How to fix it, when there is something to say.
    pub fn help(&self) -> Option<&'static str> {
        match self {
            Self::Input { help, .. } => Some(help),
            Self::Missing(_) => Some(
                "build them first (`adf build -t NAME`), or check the names with `docker image ls`",
            ),
            Self::Failed { help, .. } => *help,
            Self::Interrupted => None,
        }
    }
}

impl std::fmt::Display for ArchiveError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Input { what, .. } | Self::Failed { what, .. } => f.write_str(what),
            Self::Missing(refs) => {
                let refs = refs.join(", ");
                write!(f, "no such image in docker: {refs}; nothing was written")
            }
            Self::Interrupted => f.write_str("interrupted; nothing was written"),
        }
    }
}

/// The error for an output name that is none of [`EXTENSIONS`].
pub fn bad_extension(path: &Path) -> ArchiveError {
    ArchiveError::Input {
        what: format!(
            "{}: unknown archive type (accepted: {EXTENSIONS})",
            path.display()
        ),
        help: "name the file by its format, e.g. -o images.tar.zst (or .tar, .tar.gz)",
    }
}

const LOAD_HELP: &str =
    "is the file a complete image archive, written by `adf save` or `docker save`?";
const CORRUPT_HELP: &str =
    "the file is truncated or damaged: copy it again, or write it again with `adf save`";

pub struct SaveReport {
    /// Distinct image IDs.
    pub images: usize,
    /// References saved (tags, mostly).
    pub tags: usize,
    /// Size of the archive written.
    pub bytes: u64,
    pub elapsed: Duration,
}

/// `docker save REFS` into `out`, compressed by its extension. Every reference is checked first
/// (nothing is written when one is missing); `out` appears only when complete.
pub fn save(
    engine: &dyn Engine,
    refs: &[String],
    out: &Path,
    stop: &AtomicBool,
) -> Result<SaveReport, ArchiveError> {
    let t0 = Instant::now();
    let compression = Compression::from_path(out).ok_or_else(|| bad_extension(out))?;
    let dir = match out.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let input = |what: String, help| Err(ArchiveError::Input { what, help });
    if out.is_dir() {
        return input(
            format!("{}: is a directory", out.display()),
            "give a file name",
        );
    }
    if !dir.is_dir() {
        return input(
            format!("{}: no such directory", dir.display()),
            "create it first",
        );
    }
    let mut ids = image_ids(engine, refs)?;
    ids.sort();
    ids.dedup();

    let name = out.file_name().unwrap_or_default().to_string_lossy();
    let tmp = tempfile::Builder::new()
        .prefix(&format!(".{name}."))
        .suffix(".partial")
        .tempfile_in(dir)
        .map_err(|e| ArchiveError::io(format_args!("create a file in {}", dir.display()), e))?;
    let write_err = |e| ArchiveError::io(format_args!("write {}", out.display()), e);
    let mut enc = compression
        .encoder(BufWriter::with_capacity(BUF, tmp.as_file()))
        .map_err(write_err)?;
    engine
        .save(refs, &mut enc, stop)
        .map_err(|e| match e.kind {
            ErrorKind::Stream => ArchiveError::Failed {
                what: format!("cannot write {}: {}", out.display(), e.message),
                help: None,
            },
            _ => ArchiveError::engine(e, None),
        })?;
    let file = enc
        .finish()
        .and_then(|b| b.into_inner().map_err(|e| e.into_error()));
    file.and_then(|f| f.sync_all()).map_err(write_err)?;
    tmp.persist(out).map_err(|e| write_err(e.error))?;
    if let Ok(d) = File::open(dir) {
        let _ = d.sync_all(); // the rename itself, on filesystems that allow it
    }
    Ok(SaveReport {
        images: ids.len(),
        tags: refs.len(),
        bytes: std::fs::metadata(out).map(|m| m.len()).unwrap_or(0),
        elapsed: t0.elapsed(),
    })
}

/// Streams `input` (tar, gzip or zstd) to the engine; returns its `Loaded image` lines.
pub fn load(
    engine: &dyn Engine,
    input: &Path,
    stop: &AtomicBool,
) -> Result<Vec<String>, ArchiveError> {
    let shown = input.display();
    // only a regular file: a FIFO or device would stream forever (or block) into the engine
    let (file, _) = crate::safe_fs::open_regular(input).map_err(|err| match err {
        e if e.is_not_found() => ArchiveError::Input {
            what: format!("{shown}: no such file"),
            help: "check the path; `adf save IMAGE -o FILE` writes an archive",
        },
        crate::safe_fs::ReadError::Io { error, .. } => {
            ArchiveError::io(format_args!("read {shown}"), error)
        }
        e => ArchiveError::Input {
            what: e.to_string(),
            help: "give an archive file (`adf save IMAGE -o FILE` writes one)",
        },
    })?;
    let corrupt = |detail: String| ArchiveError::Failed {
        what: format!("{shown}: corrupt archive: {detail}"),
        help: Some(CORRUPT_HELP),
    };
    let mut reader = BufReader::with_capacity(BUF, file);
    let head = reader
        .fill_buf()
        .map_err(|e| ArchiveError::io(format_args!("read {shown}"), e))?;
    if head.is_empty() {
        return Err(corrupt("the file is empty".into()));
    }
    let compression = Compression::sniff(head);
    let mut decoder = compression
        .decoder(reader)
        .map_err(|e| corrupt(e.to_string()))?;
    engine.load(&mut decoder, stop).map_err(|e| match e.kind {
        ErrorKind::Stream => corrupt(format!(
            "not a valid {} stream: {}",
            compression.name(),
            e.message.trim_start_matches("reading the archive: ")
        )),
        _ => ArchiveError::engine(e, Some(LOAD_HELP)),
    })
}

/// The image ID of every reference, or the references the engine does not have.
fn image_ids(engine: &dyn Engine, refs: &[String]) -> Result<Vec<String>, ArchiveError> {
    let (mut ids, mut missing) = (Vec::new(), Vec::new());
    // one at a time, to tell a missing image from any other failure
    for r in refs {
        match engine.image_id(r) {
            Ok(Some(id)) => ids.push(id),
            Ok(None) => missing.push(r.clone()),
            Err(e) => return Err(ArchiveError::engine(e, None)),
        }
    }
    match missing.is_empty() {
        true => Ok(ids),
        false => Err(ArchiveError::Missing(missing)),
    }
}
