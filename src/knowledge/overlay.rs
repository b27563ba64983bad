//! The user overlay written by `adf knowledge sync`: a knowledge file (same schema) in the user's
//! cache directory, read after the built-in data. Its rows for a version the built-in data has
//! add their relations to that version's rows; rows for new versions are added.

use std::path::PathBuf;

use super::load::Join;
use super::model::{KnowledgeBase, OverlayMeta};

/// File name of the overlay inside the cache directory.
pub const FILE_NAME: &str = "knowledge-overlay.toml";

/// adf's cache directory: `ADF_CACHE_DIR`, else `$XDG_CACHE_HOME/adf`, else `~/.cache/adf`.
pub fn cache_dir() -> Option<PathBuf> {
    let non_empty = |k: &str| std::env::var_os(k).filter(|v| !v.is_empty());
    if let Some(d) = non_empty("ADF_CACHE_DIR") {
        return Some(PathBuf::from(d));
    }
    if let Some(d) = non_empty("XDG_CACHE_HOME") {
        return Some(PathBuf::from(d).join("adf"));
    }
    non_empty("HOME").map(|h| PathBuf::from(h).join(".cache").join("adf"))
}

/// Where the overlay is (whether or not it exists).
pub fn path() -> Option<PathBuf> {
    cache_dir().map(|d| d.join(FILE_NAME))
}

impl KnowledgeBase {
    /// Reads an overlay's text (its `[meta]` must say when and from which index it was synced).
    pub(crate) fn add_overlay_text(&mut self, name: &str, text: &str) -> Result<(), String> {
        let table: toml::Table = text
            .parse()
            .map_err(|e: toml::de::Error| format!("{name}: {}", e.message().trim()))?;
        let meta = table.get("meta").and_then(|m| m.as_table());
        let get = |k: &str| {
            meta.and_then(|m| m.get(k))
                .and_then(|v| v.as_str())
                .map(str::to_string)
        };
        let (Some(date), Some(index)) = (get("synced"), get("index")) else {
            return Err(format!(
                "{name}: not an overlay of `adf knowledge sync` ([meta] needs synced and index)"
            ));
        };
        let before = self.releases.len();
        let mut kb = self.clone();
        let new_releases = kb.add_text_joined(name, text, Join::Merge)?;
        let releases = table
            .get("release")
            .and_then(|r| r.as_array())
            .map_or(0, Vec::len);
        debug_assert!(kb.releases.len() >= before);
        kb.overlay = Some(OverlayMeta {
            path: name.to_string(),
            date,
            index,
            releases,
            new_releases,
        });
        *self = kb;
        Ok(())
    }
}

/// What `adf knowledge status` reports.
#[derive(Clone, Debug, serde::Serialize)]
pub struct Status {
    /// `[meta] snapshot` of the built-in data.
    pub snapshot: String,
    pub releases: usize,
    pub rules: usize,
    pub sources: usize,
    /// Where the overlay is or would be.
    pub overlay_path: Option<PathBuf>,
    pub overlay: Option<OverlayMeta>,
    /// Why the overlay there cannot be used.
    pub overlay_error: Option<String>,
}

/// The built-in snapshot and the overlay's state, read afresh.
pub fn status() -> Status {
    let builtin = KnowledgeBase::builtin();
    let (releases, rules, sources) = builtin.counts();
    let mut kb = builtin.clone();
    let (overlay, overlay_error) = match kb.add_overlay_if_present() {
        Ok(true) => (kb.overlay().cloned(), None),
        Ok(false) => (None, None),
        Err(e) => (None, Some(e)),
    };
    Status {
        snapshot: builtin.snapshot_date().unwrap_or("unknown").to_string(),
        releases,
        rules,
        sources,
        overlay_path: path(),
        overlay,
        overlay_error,
    }
}
