//! Image archives: `docker save` / `docker load` through gzip or zstd, chosen by extension.
//!
//! `save` streams `docker save` through the encoder into a temporary file next to the output,
//! syncs it and renames it into place, so the output is either complete or untouched. `load`
//! sniffs the compression from the first bytes and streams the decoded tar into `docker load`.

use std::fs::File;
use std::io::{self, BufRead, BufReader, BufWriter, Read, Write};
use std::path::Path;
use std::process::{Child, ChildStdout, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

pub use super::compression::{Compression, Encoder, EXTENSIONS};

const BUF: usize = 1 << 20;
const TAIL_LINES: usize = 6;

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

    fn docker(what: &str, tail: &[String], help: Option<&'static str>) -> Self {
        let what = match tail {
            [] => format!("{what} failed"),
            _ => format!("{what} failed: {}", tail.join(" | ")),
        };
        Self::Failed { what, help }
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

const NO_DOCKER: &str =
    "install docker, or point adf at the CLI with --docker PATH or ADF_DOCKER=PATH";
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
    docker: &Path,
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
    let mut ids = image_ids(docker, refs)?;
    ids.sort();
    ids.dedup();

    let name = out.file_name().unwrap_or_default().to_string_lossy();
    let tmp = tempfile::Builder::new()
        .prefix(&format!(".{name}."))
        .suffix(".partial")
        .tempfile_in(dir)
        .map_err(|e| ArchiveError::io(format_args!("create a file in {}", dir.display()), e))?;
    let write_err = |e| ArchiveError::io(format_args!("write {}", out.display()), e);

    let mut child = spawn(docker, &["save", "--"], refs, Stdio::null(), Stdio::piped())?;
    let tail = tail_of(child.stderr.take());
    // docker's tar through the encoder into the temporary file (a function, so that nothing
    // borrowing `tmp` outlives the match below)
    let encode = |stdout: Option<ChildStdout>| match stdout {
        Some(mut stdout) => compression
            .encoder(BufWriter::with_capacity(BUF, tmp.as_file()))
            .map_err(Pumped::Write)
            .and_then(|mut enc| pump(&mut stdout, &mut enc, stop).map(|_| enc)),
        None => Err(Pumped::Read(io::Error::other("no pipe from docker save"))),
    };
    let enc = match encode(child.stdout.take()) {
        Ok(enc) => enc,
        Err(e) => {
            let tail = abort(child, tail);
            return Err(match e {
                Pumped::Stopped => ArchiveError::Interrupted,
                Pumped::Write(e) => write_err(e),
                Pumped::Read(_) => ArchiveError::docker("docker save", &tail, None),
            });
        }
    };
    let ok = child.wait().map(|s| s.success()).unwrap_or(false);
    let tail = tail.join().unwrap_or_default();
    if stop.load(Ordering::SeqCst) {
        return Err(ArchiveError::Interrupted);
    }
    if !ok {
        return Err(ArchiveError::docker("docker save", &tail, None));
    }
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

/// Streams `input` (tar, gzip or zstd) into `docker load`; returns docker's `Loaded image` lines.
pub fn load(docker: &Path, input: &Path, stop: &AtomicBool) -> Result<Vec<String>, ArchiveError> {
    let shown = input.display();
    let file = File::open(input).map_err(|err| match err.kind() {
        io::ErrorKind::NotFound => ArchiveError::Input {
            what: format!("{shown}: no such file"),
            help: "check the path; `adf save IMAGE -o FILE` writes an archive",
        },
        _ => ArchiveError::io(format_args!("read {shown}"), err),
    })?;
    if file.metadata().map(|m| m.is_dir()).unwrap_or(false) {
        let what = format!("{shown}: is a directory");
        return Err(ArchiveError::Input {
            what,
            help: "give an archive file",
        });
    }
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

    let mut child = spawn(docker, &["load"], &[], Stdio::piped(), Stdio::piped())?;
    let tail = tail_of(child.stderr.take());
    let out = child.stdout.take().map(|mut o| {
        std::thread::spawn(move || {
            let mut s = String::new();
            let _ = o.read_to_string(&mut s);
            s
        })
    });
    let pumped = match child.stdin.take() {
        Some(mut stdin) => pump(&mut decoder, &mut stdin, stop),
        None => Err(Pumped::Write(io::Error::other("no pipe to docker load"))),
    };
    match pumped {
        Err(Pumped::Stopped) => {
            abort(child, tail);
            return Err(ArchiveError::Interrupted);
        }
        Err(Pumped::Read(e)) => {
            abort(child, tail);
            return Err(corrupt(format!(
                "not a valid {} stream: {e}",
                compression.name()
            )));
        }
        // a write error means docker load quit early: its exit status and stderr say why
        Ok(_) | Err(Pumped::Write(_)) => {}
    }
    let ok = child.wait().map(|s| s.success()).unwrap_or(false);
    let tail = tail.join().unwrap_or_default();
    let out = out.and_then(|h| h.join().ok()).unwrap_or_default();
    if stop.load(Ordering::SeqCst) {
        return Err(ArchiveError::Interrupted);
    }
    if !ok {
        return Err(ArchiveError::docker("docker load", &tail, Some(LOAD_HELP)));
    }
    Ok(out
        .lines()
        .filter(|l| l.starts_with("Loaded image"))
        .map(str::to_string)
        .collect())
}

/// The image ID of every reference, or the references docker does not have.
fn image_ids(docker: &Path, refs: &[String]) -> Result<Vec<String>, ArchiveError> {
    let (mut ids, mut missing) = (Vec::new(), Vec::new());
    // one at a time, to tell a missing image from any other failure
    for r in refs {
        let args = ["image", "inspect", "--format", "{{.Id}}", "--", r];
        let child = spawn(docker, &args, &[], Stdio::null(), Stdio::piped())?;
        let out = child
            .wait_with_output()
            .map_err(|e| ArchiveError::io("run docker", e))?;
        let err = String::from_utf8_lossy(&out.stderr);
        if out.status.success() {
            ids.push(String::from_utf8_lossy(&out.stdout).trim().to_string());
        } else if err.to_ascii_lowercase().contains("no such image") {
            missing.push(r.clone());
        } else {
            let tail = last_lines(&err);
            return Err(ArchiveError::docker("docker image inspect", &tail, None));
        }
    }
    match missing.is_empty() {
        true => Ok(ids),
        false => Err(ArchiveError::Missing(missing)),
    }
}

fn spawn(
    docker: &Path,
    args: &[&str],
    refs: &[String],
    stdin: Stdio,
    stdout: Stdio,
) -> Result<Child, ArchiveError> {
    let mut cmd = Command::new(docker);
    cmd.args(args)
        .args(refs)
        .stdin(stdin)
        .stdout(stdout)
        .stderr(Stdio::piped());
    cmd.spawn().map_err(|err| match err.kind() {
        io::ErrorKind::NotFound => ArchiveError::Input {
            what: format!("docker CLI `{}` not found", docker.display()),
            help: NO_DOCKER,
        },
        _ => ArchiveError::io(format_args!("run {}", docker.display()), err),
    })
}

fn last_lines(text: &str) -> Vec<String> {
    let lines: Vec<&str> = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    lines[lines.len().saturating_sub(TAIL_LINES)..]
        .iter()
        .map(|l| l.to_string())
        .collect()
}

/// Reads a child's stderr to the end on a thread; yields its last lines.
fn tail_of(stderr: Option<impl Read + Send + 'static>) -> JoinHandle<Vec<String>> {
    std::thread::spawn(move || {
        let mut bytes = Vec::new();
        if let Some(mut s) = stderr {
            let _ = s.read_to_end(&mut bytes);
        }
        last_lines(&String::from_utf8_lossy(&bytes))
    })
}

/// Stops a child whose stream is no longer wanted; its stderr tail.
fn abort(mut child: Child, tail: JoinHandle<Vec<String>>) -> Vec<String> {
    let _ = child.kill();
    let _ = child.wait();
    tail.join().unwrap_or_default()
}

enum Pumped {
    Read(io::Error),
    Write(io::Error),
    Stopped,
}

/// Copies `r` into `w` until the end, checking `stop` between chunks; bytes copied.
fn pump(r: &mut dyn Read, w: &mut dyn Write, stop: &AtomicBool) -> Result<u64, Pumped> {
    let mut buf = vec![0u8; 256 * 1024];
    let mut n = 0u64;
    loop {
        if stop.load(Ordering::SeqCst) {
            return Err(Pumped::Stopped);
        }
        let k = match r.read(&mut buf) {
            Ok(0) => return w.flush().map(|_| n).map_err(Pumped::Write),
            Ok(k) => k,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(Pumped::Read(e)),
        };
        w.write_all(&buf[..k]).map_err(Pumped::Write)?;
        n += k as u64;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pump_stops_when_asked() {
        let stop = AtomicBool::new(true);
        let mut out = Vec::new();
        assert!(matches!(
            pump(&mut &b"abc"[..], &mut out, &stop),
            Err(Pumped::Stopped)
        ));
        assert!(out.is_empty());
    }
}
