//! `adf knowledge sync`: reads the PyPI JSON API of a package index (`/pypi/NAME/json` for every
//! release and its files, `/pypi/NAME/VERSION/json` and the wheels' core metadata for releases
//! the built-in data does not have) and writes the user overlay ([`super::overlay`]): `requires`
//! relations from `Requires-Dist` (per wheel platform: torch_npu 2.7.1 → torch ==2.7.1 on
//! aarch64, ==2.7.1+cpu on x86_64), Python ranges from the wheels that exist, and for new
//! versions an `unknown` CANN relation (the index says nothing about CANN).
//!
//! Nothing is written unless every answer was read and the new overlay parses; the file is
//! replaced atomically (a temporary file in the same directory, then a rename).

pub mod http;
pub mod inputs;
mod overlay_row;
mod pypi;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde_json::Value;

use super::model::{norm_component, KnowledgeBase};
use super::version::Version;
use overlay_row::{cann_unknown_for, toml_str, Row};
use pypi::{
    files_of, metadata_requires, parse_json, pep440_spec, python_spec, requirements, wheel_tags,
    File,
};

/// At most this many releases per package get their own requests (`/pypi/NAME/VERSION/json`
/// and core metadata), newest first: the index is asked about what adf does not know, not
/// walked in bulk.
pub const MAX_NEW_PER_PACKAGE: usize = 40;

/// Why a sync failed. `Network` and `BadAnswer` are exit 1 (the operation failed; the input
/// may be right and a retry may work), `BadInput` exit 2 (the index URL or a name is wrong).
#[derive(Debug)]
pub enum SyncError {
    Network(String),
    BadAnswer(String),
    BadInput(String),
}

impl std::fmt::Display for SyncError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SyncError::Network(m) | SyncError::BadAnswer(m) | SyncError::BadInput(m) => {
                f.write_str(m)
            }
        }
    }
}

/// GET `url`: `Ok(None)` for 404, the body otherwise.
pub trait Fetch {
    fn get(&self, url: &str) -> Result<Option<Vec<u8>>, SyncError>;
}

/// What was synced for one package.
#[derive(Clone, Debug, serde::Serialize)]
pub struct PackageReport {
    pub name: String,
    /// False when the index has no such project (404).
    pub found: bool,
    pub releases: usize,
    /// Releases the built-in data does not have.
    pub new_releases: Vec<String>,
    /// New releases not asked about (over [`MAX_NEW_PER_PACKAGE`]).
    pub skipped: usize,
}

#[derive(Clone, Debug, serde::Serialize)]
pub struct SyncReport {
    pub index: String,
    pub date: String,
    pub path: PathBuf,
    pub packages: Vec<PackageReport>,
}

pub use crate::clock::today;

/// Syncs `packages` from `index` (a JSON API base) and writes the overlay to `dest`. The
/// overlay is checked by reading it over `builtin` before it replaces the old one.
pub fn sync(
    builtin: &KnowledgeBase,
    index: &str,
    packages: &[String],
    date: &str,
    fetch: &dyn Fetch,
    dest: &Path,
) -> Result<SyncReport, SyncError> {
    let mut reports = Vec::new();
    let mut rows: Vec<Row> = Vec::new();
    for name in packages {
        let component = norm_component(name);
        let url = format!("{index}/pypi/{name}/json");
        let Some(body) = fetch.get(&url)? else {
            reports.push(PackageReport {
                name: name.clone(),
                found: false,
                releases: 0,
                new_releases: Vec::new(),
                skipped: 0,
            });
            continue;
        };
        let doc = parse_json(&url, &body)?;
        let releases = doc
            .get("releases")
            .and_then(Value::as_object)
            .ok_or_else(|| SyncError::BadAnswer(format!("{url}: no `releases` in the answer")))?;
        let mut versions: Vec<(Version, String, Vec<File>)> = Vec::new();
        for (v, list) in releases {
            let files = files_of(&url, list)?;
            if files.is_empty() || files.iter().all(|f| f.yanked) {
                continue;
            }
            versions.push((Version::parse(v), v.clone(), files));
        }
        // newest first, so the per-release requests go to the newest unknown releases
        versions.sort_by(|a, b| b.0.compare(&a.0).unwrap_or(std::cmp::Ordering::Equal));
        let mut report = PackageReport {
            name: name.clone(),
            found: true,
            releases: versions.len(),
            new_releases: Vec::new(),
            skipped: 0,
        };
        for (v, raw, files) in versions {
            let owned: Vec<File> = files.into_iter().filter(|f| !f.yanked).collect();
            let (pythons, archs, universal) = wheel_tags(&owned);
            let has_sdist = owned.iter().any(|f| !f.wheel);
            let known = builtin.releases_matching(&component, &v).next().is_some();
            let mut row = Row {
                component: component.clone(),
                version: raw.clone(),
                requires: BTreeMap::new(),
                info: BTreeMap::new(),
                unknown_cann: false,
            };
            if !universal && !has_sdist {
                if let Some(p) = python_spec(&pythons) {
                    row.requires.insert("python".into(), p);
                }
            }
            if !pythons.is_empty() {
                let tags: Vec<String> = pythons.iter().map(|m| format!("cp3{m}")).collect();
                row.info.insert(
                    "pypi_wheels".into(),
                    format!(
                        "{} ({})",
                        tags.join(", "),
                        archs.iter().cloned().collect::<Vec<_>>().join(", ")
                    ),
                );
            }
            if !has_sdist && !archs.is_empty() && archs.len() < 2 {
                row.requires.insert(
                    "arch".into(),
                    archs.iter().cloned().collect::<Vec<_>>().join(" | "),
                );
            }
            if known {
                if !row.requires.is_empty() {
                    rows.push(row);
                }
                continue;
            }
            report.new_releases.push(raw.clone());
            if report.new_releases.len() > MAX_NEW_PER_PACKAGE {
                report.skipped += 1;
                continue;
            }
            if let Some(rp) = owned.iter().find_map(|f| f.requires_python.clone()) {
                if let Some(spec) = pep440_spec(&rp) {
                    row.requires.entry("python".into()).or_insert(spec);
                }
            }
            // Requires-Dist: the release's, and each wheel platform's where the index has it
            let vurl = format!("{index}/pypi/{name}/{raw}/json");
            let mut by_platform: BTreeMap<String, BTreeMap<String, String>> = BTreeMap::new();
            if let Some(body) = fetch.get(&vurl)? {
                let vdoc = parse_json(&vurl, &body)?;
                let dist: Vec<String> = vdoc
                    .pointer("/info/requires_dist")
                    .and_then(Value::as_array)
                    .map(|a| {
                        a.iter()
                            .filter_map(|x| x.as_str().map(str::to_string))
                            .collect()
                    })
                    .unwrap_or_default();
                by_platform.insert("any".into(), requirements(&dist));
            }
            for arch in &archs {
                let wheel = owned.iter().find(|f| {
                    f.wheel
                        && f.has_metadata
                        && f.filename.contains(arch.as_str())
                        && f.url.is_some()
                });
                if let Some(w) = wheel {
                    let murl = format!("{}.metadata", w.url.as_deref().unwrap_or_default());
                    if let Some(body) = fetch.get(&murl)? {
                        let text = String::from_utf8_lossy(&body);
                        by_platform.insert(arch.clone(), requirements(&metadata_requires(&text)));
                    }
                }
            }
            let mut merged: BTreeMap<String, Vec<String>> = BTreeMap::new();
            for reqs in by_platform.values() {
                for (c, s) in reqs {
                    let list = merged.entry(c.clone()).or_default();
                    if !list.contains(s) {
                        list.push(s.clone());
                    }
                }
            }
            for (c, specs) in merged {
                if c == component {
                    continue;
                }
                if specs.len() > 1 {
                    let per: Vec<String> = by_platform
                        .iter()
                        .filter_map(|(p, r)| r.get(&c).map(|s| format!("{p}: {s}")))
                        .collect();
                    row.info.insert(format!("{c}_by_wheel"), per.join("; "));
                }
                row.requires.insert(c, specs.join(" | "));
            }
            row.unknown_cann = cann_unknown_for(&component);
            rows.push(row);
        }
        reports.push(report);
    }
    if !reports.is_empty() && reports.iter().all(|r| !r.found) {
        return Err(SyncError::BadInput(format!(
            "none of {} is on {index}: is it the JSON API base (the URL under which /pypi/NAME/json answers)?",
            packages.join(", ")
        )));
    }
    let mut text = format!(
        "# Written by `adf knowledge sync` on {date} from {index}. Read after adf's built-in\n\
         # knowledge; replaced by the next sync. Format: knowledge/README.md of adf.\n\
         schema = 1\n\n[meta]\nsynced = {}\nindex = {}\npackages = [{}]\n\n\
         [[sources]]\nid = \"SYNC\"\nrepo = {}\npath = \"/pypi/<name>/json, /pypi/<name>/<version>/json\"\nref = {}\n\
         note = \"PyPI JSON API read by adf knowledge sync\"\n\n",
        toml_str(date),
        toml_str(index),
        packages
            .iter()
            .map(|p| toml_str(p))
            .collect::<Vec<_>>()
            .join(", "),
        toml_str(index),
        toml_str(date),
    );
    for r in &rows {
        text.push_str(&r.to_toml());
        text.push('\n');
    }
    // the new overlay must read cleanly over the built-in data before it replaces the old one
    let mut check = builtin.clone();
    check
        .add_overlay_text(&dest.display().to_string(), &text)
        .map_err(|e| SyncError::BadAnswer(format!("the synced data does not read back: {e}")))?;
    crate::safe_fs::write_atomic(dest, text.as_bytes())
        .map_err(|e| SyncError::Network(format!("cannot write {}: {e}", dest.display())))?;
    Ok(SyncReport {
        index: index.to_string(),
        date: date.to_string(),
        path: dest.to_path_buf(),
        packages: reports,
    })
}
