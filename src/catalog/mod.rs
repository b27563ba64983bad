//! The built-in catalog (`catalog/` of this repository, embedded in the binary): every stack of
//! the design as a `dockerfile-compose.yaml` with its Dockerfiles and scripts. Used when no config
//! file is present, and written out to edit by `adf init`.

use include_dir::{include_dir, Dir};
use std::io;
use std::path::{Path, PathBuf};

static CATALOG: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/catalog");

/// Every embedded file as (relative path, contents), in a stable order.
pub fn files() -> Vec<(PathBuf, &'static [u8])> {
    fn walk(dir: &'static Dir<'static>, out: &mut Vec<(PathBuf, &'static [u8])>) {
        for f in dir.files() {
            out.push((f.path().to_path_buf(), f.contents()));
        }
        // adf's own state (a developer may have run adf inside catalog/) is not catalog content
        for d in dir.dirs().filter(|d| !d.path().starts_with(".adf")) {
            walk(d, out);
        }
    }
    let mut out = Vec::new();
    walk(&CATALOG, &mut out);
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out
}

/// A short hash of the catalog's contents: its cache directory's name changes with it.
fn digest() -> String {
    let mut h = blake3::Hasher::new();
    for (path, bytes) in files() {
        h.update(path.to_string_lossy().as_bytes());
        h.update(&(bytes.len() as u64).to_le_bytes());
        h.update(bytes);
    }
    h.finalize().to_hex()[..12].to_string()
}

fn cache_root() -> PathBuf {
    std::env::var_os("XDG_CACHE_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache")))
        .unwrap_or_else(std::env::temp_dir)
        .join("adf")
}

fn set_executable(path: &Path) -> io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    // scripts executable, everything else readable (a file renamed into place starts 0600)
    let mode = if path.extension().is_some_and(|e| e == "sh") {
        0o755
    } else {
        0o644
    };
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))
}

/// The catalog on disk (a cache directory, written once per catalog version), so that builds
/// have real contexts. Returns its `dockerfile-compose.yaml`.
pub fn materialize() -> io::Result<PathBuf> {
    let dir = cache_root().join(format!("catalog-{}", digest()));
    let compose = dir.join("dockerfile-compose.yaml");
    if compose.is_file() {
        return Ok(compose);
    }
    let parent = dir.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(parent)?;
    let tmp = tempfile::Builder::new()
        .prefix(".catalog-")
        .tempdir_in(parent)?;
    for (rel, bytes) in files() {
        let path = tmp.path().join(&rel);
        if let Some(p) = path.parent() {
            std::fs::create_dir_all(p)?;
        }
        std::fs::write(&path, bytes)?;
        set_executable(&path)?;
    }
    std::fs::create_dir_all(tmp.path().join("packages"))?;
    let staged = tmp.keep();
    if std::fs::rename(&staged, &dir).is_err() {
        // another adf got there first: use theirs
        let _ = std::fs::remove_dir_all(&staged);
    }
    Ok(compose)
}

/// Writes the catalog's support files (Dockerfiles, scripts, README) and `compose_text` as
/// `dockerfile-compose.yaml` into `dest`. Existing files are never overwritten unless `force`;
/// the check happens before anything is written, so a refusal leaves `dest` untouched.
pub fn write_out(dest: &Path, compose_text: &str, force: bool) -> Result<Vec<PathBuf>, String> {
    let mut planned: Vec<(PathBuf, Vec<u8>)> = files()
        .into_iter()
        .filter(|(rel, _)| rel != Path::new("dockerfile-compose.yaml"))
        .map(|(rel, bytes)| (rel, bytes.to_vec()))
        .collect();
    planned.push((
        PathBuf::from("dockerfile-compose.yaml"),
        compose_text.as_bytes().to_vec(),
    ));
    if !force {
        let clashes: Vec<String> = planned
            .iter()
            .filter(|(rel, bytes)| std::fs::read(dest.join(rel)).is_ok_and(|old| old != *bytes))
            .map(|(rel, _)| rel.display().to_string())
            .collect();
        if !clashes.is_empty() {
            return Err(format!(
                "these files exist in {} and differ: {} (use --force to overwrite)",
                dest.display(),
                clashes.join(", ")
            ));
        }
    }
    let mut written = Vec::new();
    for (rel, bytes) in planned {
        let path = dest.join(&rel);
        if let Some(p) = path.parent() {
            std::fs::create_dir_all(p).map_err(|e| format!("{}: {e}", p.display()))?;
        }
        // a new file renamed over the old one: a symlink planted in `dest` is replaced, not
        // written through
        crate::safe_fs::write_atomic(&path, &bytes)
            .map_err(|e| format!("{}: {e}", path.display()))?;
        set_executable(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        written.push(rel);
    }
    std::fs::create_dir_all(dest.join("packages")).map_err(|e| e.to_string())?;
    Ok(written)
}

/// Keeps only the image blocks of `text` whose key starts at one of `keep_offsets` (byte offsets
/// of image keys); everything before the first image key (variables, anchors, comments) stays.
pub fn filter_images(text: &str, all_offsets: &[usize], keep_offsets: &[usize]) -> String {
    let line_start = |o: usize| {
        text[..o.min(text.len())]
            .rfind('\n')
            .map(|i| i + 1)
            .unwrap_or(0)
    };
    let mut starts: Vec<usize> = all_offsets.iter().map(|&o| line_start(o)).collect();
    starts.sort_unstable();
    starts.dedup();
    let keep: Vec<usize> = keep_offsets.iter().map(|&o| line_start(o)).collect();
    let Some(&first) = starts.first() else {
        return text.to_string();
    };
    let mut out = text[..first].to_string();
    for (i, &s) in starts.iter().enumerate() {
        let end = starts.get(i + 1).copied().unwrap_or(text.len());
        if keep.contains(&s) {
            out.push_str(&text[s..end]);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_catalog_is_embedded() {
        let f = files();
        assert!(f
            .iter()
            .any(|(p, _)| p == Path::new("dockerfile-compose.yaml")));
        assert!(f.iter().any(|(p, _)| p.starts_with("dockerfiles")));
    }

    #[test]
    fn filtering_keeps_the_preamble_and_chosen_blocks() {
        let text = "variables: {A: 1}\nimages:\n  a:\n    tags: [x]\n\n  b:\n    tags: [y]\n  c:\n    tags: [z]\n";
        let offs: Vec<usize> = ["  a:", "  b:", "  c:"]
            .iter()
            .map(|k| text.find(k).unwrap_or(0) + 2)
            .collect();
        let out = filter_images(text, &offs, &[offs[0], offs[2]]);
        assert_eq!(
            out,
            "variables: {A: 1}\nimages:\n  a:\n    tags: [x]\n\n  c:\n    tags: [z]\n"
        );
    }

    #[test]
    fn every_catalog_dockerfile_reads_cleanly() {
        let dockerfiles: Vec<_> = files()
            .into_iter()
            .filter(|(p, _)| p.extension().is_some_and(|e| e == "dockerfile"))
            .collect();
        assert!(dockerfiles.len() >= 10, "{}", dockerfiles.len());
        for (path, bytes) in dockerfiles {
            let text = String::from_utf8(bytes.to_vec()).expect("utf-8");
            let facts = crate::model::dockerfile::analyze(text);
            assert_eq!(facts.parse_error, None, "{}", path.display());
            assert!(facts.first_from.is_some(), "{}", path.display());
            assert!(
                !facts.reads_everything,
                "{} reads the whole context",
                path.display()
            );
        }
    }
}
