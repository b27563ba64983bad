//! Installer preflight: every file an image declares under `installers:` is present, and has the
//! declared sha256, before anything is built. Hashes are cached by path, size, mtime and inode,
//! so a multi-GB installer is read once, not on every run.

use super::Project;
use crate::diag::Code;
use crate::diag::{Diagnostic, Diagnostics, Severity};
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::io::Read;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

fn hint_for(inst: &super::Installer) -> String {
    match (&inst.url, &inst.hint) {
        (Some(u), Some(h)) => format!("get it from {u} ({h})"),
        (Some(u), None) => format!("get it from {u}"),
        (None, Some(h)) => h.clone(),
        (None, None) => "place the file there (paths are relative to the config file)".into(),
    }
}

/// Presence of the installers of the images `which` selects (cheap: a stat). `adf check`
/// reports a missing one as a warning (a config can be sound before 2 GB are downloaded); the
/// build preflight, for the images it is about to build, as an error.
pub fn check_present(
    project: &Project,
    which: &dyn Fn(usize) -> bool,
    severity: Severity,
    diags: &mut Diagnostics,
) {
    for img in selected(project, which) {
        for inst in &img.installers {
            let path = project.dir.join(&inst.path.value);
            if let Some(m) = std::fs::metadata(&path).ok().filter(|m| !m.is_file()) {
                diags.push(
                    Diagnostic::error(
                        Code::NotAFile,
                        format!(
                            "installer {} of image `{}` is {}, not a file",
                            inst.path.value,
                            img.name,
                            crate::safe_fs::kind_of(&m)
                        ),
                    )
                    .at(inst.path.span, "not a regular file")
                    .help(hint_for(inst)),
                );
            } else if !path.is_file() {
                let message = format!(
                    "image `{}` needs {}, which is missing",
                    img.name, inst.path.value
                );
                let d = match severity {
                    Severity::Error => Diagnostic::error(Code::MissingInstaller, message),
                    Severity::Warning => Diagnostic::warning(Code::MissingInstaller, message),
                };
                diags.push(d.at(inst.path.span, "not found").help(hint_for(inst)));
            }
        }
    }
}

/// Whether `path` resolves outside the project directory.
fn outside(project: &Project, path: &Path) -> bool {
    let root = project
        .dir
        .canonicalize()
        .unwrap_or_else(|_| project.dir.clone());
    !super::inputs::resolved(path).starts_with(root)
}

fn selected<'a>(
    project: &'a Project,
    which: &'a dyn Fn(usize) -> bool,
) -> impl Iterator<Item = &'a super::Image> {
    project
        .images
        .iter()
        .enumerate()
        .filter(move |(i, _)| which(*i))
        .map(|(_, img)| img)
}

fn cache_file(state_dir: &Path) -> PathBuf {
    state_dir.join("cache").join("sha256.json")
}

fn key(path: &Path, meta: &std::fs::Metadata) -> String {
    format!(
        "{}|{}|{}|{}|{}",
        path.display(),
        meta.len(),
        meta.mtime(),
        meta.mtime_nsec(),
        meta.ino()
    )
}

/// The sha256 of a regular file, read in 1 MB pieces (installers are GBs).
fn sha256_of(path: &Path) -> Result<String, crate::safe_fs::ReadError> {
    let (mut f, _) = crate::safe_fs::open_regular(path)?;
    let io = |error| crate::safe_fs::ReadError::Io {
        path: path.to_path_buf(),
        error,
    };
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let n = match f.read(&mut buf) {
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(io(e)),
        };
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
    }
    Ok(hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect())
}

/// Checks every declared sha256 (present files only; missing ones are reported by
/// [`check_present`]). Each distinct file is hashed once per run and cached across runs.
pub fn check_sha256(
    project: &Project,
    which: &dyn Fn(usize) -> bool,
    state_dir: &Path,
    diags: &mut Diagnostics,
) {
    let cache_path = cache_file(state_dir);
    let mut cache: HashMap<String, String> = std::fs::read(&cache_path)
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok())
        .unwrap_or_default();
    let mut changed = false;
    for img in selected(project, which) {
        for inst in &img.installers {
            let Some(want) = &inst.sha256 else { continue };
            let path = project.dir.join(&inst.path.value);
            let Ok(meta) = std::fs::metadata(&path) else {
                continue;
            };
            // a path outside the project is `path-outside` (not read); a directory or FIFO is
            // `not-a-file` (check_present)
            if !meta.is_file() || (!inst.allow_outside && outside(project, &path)) {
                continue;
            }
            let k = key(&path, &meta);
            let got = match cache.get(&k) {
                Some(h) => h.clone(),
                None => match sha256_of(&path) {
                    Ok(h) => {
                        cache.insert(k, h.clone());
                        changed = true;
                        h
                    }
                    Err(e) => {
                        diags.push(
                            Diagnostic::error(
                                Code::UnreadableInstaller,
                                format!("cannot hash installer {}: {e}", inst.path.value),
                            )
                            .at(inst.path.span, "unreadable")
                            .help("an installer is a regular file adf can read to the end; replace it (it may be truncated or on a failing disk)"),
                        );
                        continue;
                    }
                },
            };
            if !got.eq_ignore_ascii_case(&want.value) {
                diags.push(
                    Diagnostic::error(
                        Code::InstallerChecksum,
                        format!(
                            "{} has sha256 {got}, but image `{}` expects {}",
                            inst.path.value, img.name, want.value
                        ),
                    )
                    .at(want.span, "expected this")
                    .also(inst.path.span, "this file")
                    .help(format!(
                        "the file is corrupt, truncated or another version: {}",
                        hint_for(inst)
                    )),
                );
            }
        }
    }
    if changed {
        if let (Some(dir), Ok(bytes)) = (cache_path.parent(), serde_json::to_vec(&cache)) {
            let tmp = cache_path.with_extension("tmp");
            let _ = std::fs::create_dir_all(dir)
                .and_then(|_| std::fs::write(&tmp, bytes))
                .and_then(|_| std::fs::rename(&tmp, &cache_path));
        }
    }
}
