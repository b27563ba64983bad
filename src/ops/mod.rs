//! ops: one function per command that runs the whole of it and returns a typed report. The
//! command line turns flags into options, calls one op and renders its report; progress reaches
//! the terminal through the reporter trait each op defines (implemented in `ui`), called on the
//! calling thread only.
//!
//! 1. [`plan::decide`]: fingerprints every planned image (inputs hashed once, cached) and asks
//!    the engine once which tags already hold adf-built images: build or fresh, with a reason.
//!    With a registry (`registry:` / `--registry`), [`registry::consult`] looks up what the
//!    local store lacks: an image published with its current fingerprint is `fresh (registry)`.
//! 2. [`build::build`]: installer preflight and BuildKit-only features checked before anything
//!    starts; each stale image's [`crate::model::spec::BuildSpec`] becomes an engine request;
//!    [`schedule`] runs them parents first, `jobs` at a time, tags moving only after success.
//! 3. [`verify::verify`]: each image's tiers through the engine, recorded per image ID.
//! 4. [`push::push`]: the build and verify gate for every selected image, then pushes, parents
//!    first, through the [`pool`].
//! 5. [`transfer`]: save, load and login; [`init`]: the built-in catalog, written out;
//!    [`run`]: one image in a container with the host's NPUs.
//!
//! Must not: print, parse flags, or spawn processes (the engine does).

pub mod backend;
pub mod bake;
pub mod build;
mod build_jobs;
pub mod cache;
mod combine;
pub mod export;
pub mod init;
pub mod lock;
pub mod plan;
pub mod pool;
mod preflight;
pub mod push;
pub mod registry;
pub mod run;
pub mod schedule;
pub mod timings;
pub mod transfer;
pub mod verify;

use crate::model::Project;
use std::path::PathBuf;

/// Where adf keeps its state for a project: logs, hash caches, input manifests, verify records.
pub fn state_dir(project: &Project) -> PathBuf {
    project.dir.join(crate::safe_fs::STATE_DIR)
}

/// Creates the state dir (and its parents) if missing, with a `.gitignore` of `*` so that git
/// ignores it, as cargo's `target/` does.
/// A `.adf` that is a symlink (or a link on the way into it) is an error: adf never writes
/// through one (see [`crate::safe_fs`]).
pub fn ensure_state_dir(project: &Project) -> std::io::Result<PathBuf> {
    let dir = state_dir(project);
    crate::safe_fs::create_dir_checked(&dir)?;
    let ignore = dir.join(".gitignore");
    if std::fs::symlink_metadata(&ignore).is_err() {
        crate::safe_fs::write_atomic(&ignore, b"*\n")?;
    }
    Ok(dir)
}

/// Symlinks in adf's state directory (`.adf` itself, or anything in it): adf never writes
/// through them, and says so before anything starts (exit 2).
pub fn unsafe_state(project: &Project) -> Vec<crate::diag::Diagnostic> {
    crate::safe_fs::links_in_state(&state_dir(project))
        .into_iter()
        .map(|link| {
            let target = std::fs::read_link(&link)
                .map(|t| t.display().to_string())
                .unwrap_or_else(|_| "?".into());
            crate::diag::Diagnostic::error(
                crate::diag::Code::UnsafeState,
                format!(
                    "{} is a symbolic link (to {target}): adf does not write through links in its state directory",
                    link.display()
                ),
            )
            .help("remove it (adf recreates what it needs there); to keep state elsewhere, move the whole project, not .adf")
        })
        .collect()
}

/// UTC `YYYYMMDDHHMMSS` for `${TIMESTAMP}` and records; `SOURCE_DATE_EPOCH` pins it
/// (reproducible builds).
pub fn timestamp() -> String {
    let secs = std::env::var("SOURCE_DATE_EPOCH")
        .ok()
        .and_then(|s| s.parse::<u64>().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_secs())
                .unwrap_or(0)
        });
    let (year, month, day, h, m, s) = crate::clock::utc(secs);
    format!("{year:04}{month:02}{day:02}{h:02}{m:02}{s:02}")
}

/// RFC 3339 in UTC with milliseconds, e.g. `2024-05-01T12:03:04.567Z` (build metadata).
pub fn rfc3339(t: std::time::SystemTime) -> String {
    let d = t.duration_since(std::time::UNIX_EPOCH).unwrap_or_default();
    let (year, month, day, h, m, s) = crate::clock::utc(d.as_secs());
    format!(
        "{year:04}-{month:02}-{day:02}T{h:02}:{m:02}:{s:02}.{:03}Z",
        d.subsec_millis()
    )
}

/// Writes `value` as pretty JSON to a temporary file beside `path`, then renames it: the file is
/// whole or untouched. The directory must exist (a `--metadata-file` in a directory nobody made
/// is a mistake to report, not to paper over).
pub fn write_json_atomically(
    path: &std::path::Path,
    value: &serde_json::Value,
) -> std::io::Result<()> {
    let dir = path.parent().filter(|d| !d.as_os_str().is_empty());
    if let Some(d) = dir.filter(|d| !d.is_dir()) {
        let what = format!("{}: no such directory", d.display());
        return Err(std::io::Error::new(std::io::ErrorKind::NotFound, what));
    }
    let mut bytes = serde_json::to_vec_pretty(value)?;
    bytes.push(b'\n');
    crate::safe_fs::write_atomic(path, &bytes)
}

#[cfg(test)]
mod tests {
    use std::time::{Duration, UNIX_EPOCH};

    #[test]
    fn rfc3339_is_utc_with_milliseconds() {
        let t = UNIX_EPOCH + Duration::from_millis(1_700_000_000_123);
        assert_eq!(super::rfc3339(t), "2023-11-14T22:13:20.123Z");
        let leap = UNIX_EPOCH + Duration::from_secs(951_782_400); // 2000-02-29
        assert_eq!(super::rfc3339(leap), "2000-02-29T00:00:00.000Z");
    }
}
