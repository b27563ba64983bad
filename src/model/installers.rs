//! Installer preflight: every file an image declares under `installers:` is present, and has the
//! declared sha256, before anything is built. Hashes are cached by path, size, mtime and inode,
//! so a multi-GB installer is read once, not on every run.

use super::Project;
use crate::diag::Code;
use crate::diag::{Diagnostic, Diagnostics, Severity};
use std::path::Path;

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

/// Checks every declared sha256 (present files only; missing ones are reported by
/// [`check_present`]). Each file version is read once, for its SHA-256 and its fingerprint
/// hash together, and both are remembered in the project's file-hash cache.
pub fn check_sha256(
    project: &Project,
    which: &dyn Fn(usize) -> bool,
    state_dir: &Path,
    diags: &mut Diagnostics,
) {
    let mut hashes = crate::filehash::FileHashes::open(state_dir);
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
            let got = match hashes.hash_file(&path, true).map(|h| h.sha256) {
                Ok(Some(h)) => h,
                Ok(None) => continue,
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
    // the cache is optional: a run that cannot write it hashes again next time
    let _ = hashes.save();
}
