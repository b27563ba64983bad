//! `adf knowledge sync`: reads the PyPI JSON API of a package index (`/pypi/NAME/json` for every
//! release and its files, `/pypi/NAME/VERSION/json` and the wheels' core metadata for releases
//! the built-in data does not have) and writes the user overlay ([`super::overlay`]): `requires`
//! relations from `Requires-Dist` (per wheel platform: torch_npu 2.7.1 → torch ==2.7.1 on
//! aarch64, ==2.7.1+cpu on x86_64), Python ranges from the wheels that exist, and for new
//! versions an `unknown` CANN relation (the index says nothing about CANN).
//!
//! Nothing is written unless every answer was read and the new overlay parses; the file is
//! replaced atomically (a temporary file in the same directory, then a rename).

use std::collections::{BTreeMap, BTreeSet};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde_json::Value;

use super::model::{norm_component, KnowledgeBase};
use super::version::Version;

/// Packages synced when none is named: the Ascend packages and their peers.
pub const DEFAULT_PACKAGES: &[&str] = &[
    "torch-npu",
    "vllm-ascend",
    "mindspore",
    "mindspeed",
    "mindspeed-llm",
    "mindspeed-rl",
    "triton-ascend",
];

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

/// Blocking HTTP(S) through `ureq` (proxy from the environment, timeouts).
pub struct HttpFetch {
    agent: ureq::Agent,
}

impl Default for HttpFetch {
    fn default() -> Self {
        HttpFetch {
            agent: ureq::AgentBuilder::new()
                .timeout_connect(Duration::from_secs(15))
                .timeout(Duration::from_secs(120))
                .try_proxy_from_env(true)
                .user_agent(concat!("adf/", env!("CARGO_PKG_VERSION")))
                .build(),
        }
    }
}

impl Fetch for HttpFetch {
    fn get(&self, url: &str) -> Result<Option<Vec<u8>>, SyncError> {
        match self.agent.get(url).set("Accept", "application/json").call() {
            Ok(resp) => {
                let mut body = Vec::new();
                resp.into_reader()
                    .take(256 * 1024 * 1024)
                    .read_to_end(&mut body)
                    .map_err(|e| SyncError::Network(format!("reading {url}: {e}")))?;
                Ok(Some(body))
            }
            Err(ureq::Error::Status(404, _)) => Ok(None),
            Err(ureq::Error::Status(code, _)) => {
                Err(SyncError::Network(format!("{url} answered HTTP {code}")))
            }
            Err(ureq::Error::Transport(t)) => {
                Err(SyncError::Network(format!("cannot reach {url}: {t}")))
            }
        }
    }
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

/// The index to sync from: `--index`, else `ADF_PYPI_INDEX`, else `PIP_INDEX_URL` (its
/// `/simple` dropped), as a JSON API base; `env` reads the environment.
pub fn resolve_index(
    arg: Option<&str>,
    env: impl Fn(&str) -> Option<String>,
) -> Result<String, SyncError> {
    let set = |k: &str| env(k).filter(|v| !v.trim().is_empty());
    let url = arg
        .map(str::to_string)
        .or_else(|| set("ADF_PYPI_INDEX"))
        .or_else(|| set("PIP_INDEX_URL"))
        .ok_or_else(|| {
            SyncError::BadInput(
                "no package index to sync from: pass `--index URL` (the JSON API base, where \
                 URL/pypi/torch-npu/json answers), or set ADF_PYPI_INDEX or PIP_INDEX_URL"
                    .into(),
            )
        })?;
    index_base(&url)
}

/// The projects to sync, PEP 503 normalised and deduplicated ([`DEFAULT_PACKAGES`] when none).
pub fn resolve_packages(names: &[String]) -> Result<Vec<String>, SyncError> {
    if names.is_empty() {
        return Ok(DEFAULT_PACKAGES.iter().map(|s| s.to_string()).collect());
    }
    let mut out = Vec::new();
    for n in names {
        let p = project_name(n)
            .ok_or_else(|| SyncError::BadInput(format!("`{n}` is not a package name")))?;
        if !out.contains(&p) {
            out.push(p);
        }
    }
    Ok(out)
}

/// The JSON API base from a pip index URL: a trailing `/simple` or `/simple/` is dropped.
pub fn index_base(url: &str) -> Result<String, SyncError> {
    let url = url.trim();
    if !(url.starts_with("http://") || url.starts_with("https://")) || url.len() < 10 {
        return Err(SyncError::BadInput(format!(
            "`{url}` is not an http(s) URL of a package index"
        )));
    }
    let mut base = url.trim_end_matches('/');
    if let Some(b) = base.strip_suffix("/simple") {
        base = b;
    }
    Ok(base.trim_end_matches('/').to_string())
}

/// A project name as PEP 503 normalises it (`Torch_NPU` → `torch-npu`); `None` if it is not one.
pub fn project_name(name: &str) -> Option<String> {
    let n = name.trim();
    let ok = !n.is_empty()
        && n.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
        && n.starts_with(|c: char| c.is_ascii_alphanumeric());
    ok.then(|| {
        n.to_ascii_lowercase()
            .split(['-', '_', '.'])
            .filter(|p| !p.is_empty())
            .collect::<Vec<_>>()
            .join("-")
    })
}

pub use crate::clock::today;

fn parse_json(url: &str, body: &[u8]) -> Result<Value, SyncError> {
    serde_json::from_slice(body).map_err(|e| {
        SyncError::BadAnswer(format!(
            "{url} is not a PyPI JSON API answer ({e}); is the index URL the JSON API base?"
        ))
    })
}

/// One wheel or sdist of a release.
struct File {
    filename: String,
    url: Option<String>,
    wheel: bool,
    yanked: bool,
    requires_python: Option<String>,
    has_metadata: bool,
}

fn files_of(url: &str, list: &Value) -> Result<Vec<File>, SyncError> {
    let arr = list
        .as_array()
        .ok_or_else(|| SyncError::BadAnswer(format!("{url}: a release's files are not a list")))?;
    Ok(arr
        .iter()
        .filter_map(|f| {
            let filename = f.get("filename")?.as_str()?.to_string();
            let meta = |k: &str| {
                f.get(k)
                    .is_some_and(|v| v.as_bool() == Some(true) || v.is_object())
            };
            Some(File {
                wheel: filename.ends_with(".whl"),
                url: f.get("url").and_then(Value::as_str).map(str::to_string),
                yanked: f.get("yanked").and_then(Value::as_bool).unwrap_or(false),
                requires_python: f
                    .get("requires_python")
                    .and_then(Value::as_str)
                    .filter(|s| !s.trim().is_empty())
                    .map(str::to_string),
                has_metadata: meta("core_metadata") || meta("data-dist-info-metadata"),
                filename,
            })
        })
        .collect())
}

/// Python minor versions, Linux architectures and whether any wheel is version-independent.
fn wheel_tags(files: &[File]) -> (BTreeSet<u32>, BTreeSet<String>, bool) {
    let mut pythons = BTreeSet::new();
    let mut archs = BTreeSet::new();
    let mut universal = false;
    for f in files.iter().filter(|f| f.wheel) {
        let stem = f.filename.trim_end_matches(".whl");
        let parts: Vec<&str> = stem.split('-').collect();
        if parts.len() < 5 {
            continue;
        }
        let (py, abi, plat) = (
            parts[parts.len() - 3],
            parts[parts.len() - 2],
            parts[parts.len() - 1],
        );
        for p in py.split('.') {
            match p.strip_prefix("cp3").and_then(|m| m.parse::<u32>().ok()) {
                Some(minor) if abi != "abi3" => {
                    pythons.insert(minor);
                }
                _ => universal = true,
            }
        }
        for p in plat.split('.') {
            if p.contains("linux") {
                if p.ends_with("x86_64") {
                    archs.insert("x86_64".to_string());
                } else if p.ends_with("aarch64") {
                    archs.insert("aarch64".to_string());
                }
            }
        }
    }
    (pythons, archs, universal)
}

/// `>=3.9,<3.12` for {9, 10, 11}; `3.9.* | 3.11.*` when not contiguous.
fn python_spec(minors: &BTreeSet<u32>) -> Option<String> {
    let (first, last) = (minors.first()?, minors.last()?);
    if (last - first + 1) as usize == minors.len() {
        Some(format!(">=3.{first},<3.{}", last + 1))
    } else {
        Some(
            minors
                .iter()
                .map(|m| format!("3.{m}.*"))
                .collect::<Vec<_>>()
                .join(" | "),
        )
    }
}

/// A PEP 440 specifier set (`>=2.5.1,<2.6`, `==2.14.0.*`, `~=1.2`) in adf's spec grammar, or
/// `None` when it has a clause adf cannot read.
fn pep440_spec(spec: &str) -> Option<String> {
    let mut out = Vec::new();
    for clause in spec.split(',').map(str::trim).filter(|c| !c.is_empty()) {
        let clause = clause.replace(' ', "");
        if let Some(v) = clause.strip_prefix("~=") {
            let nums: Vec<&str> = v.split('.').collect();
            if nums.len() < 2 {
                return None;
            }
            out.push(format!(">={v}"));
            out.push(format!("=={}.*", nums[..nums.len() - 1].join(".")));
        } else if let Some(v) = clause.strip_prefix("===") {
            out.push(format!("=={v}"));
        } else if ["==", "!=", ">=", "<=", ">", "<"]
            .iter()
            .any(|op| clause.starts_with(op))
        {
            out.push(clause);
        } else {
            return None;
        }
    }
    (!out.is_empty()).then(|| out.join(","))
}

/// `Requires-Dist` entries without markers: component → spec (entries with a marker, an extra
/// or no version are left out).
fn requirements(entries: &[String]) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for e in entries {
        if e.contains(';') {
            continue;
        }
        let e = e.trim();
        let name_end = e
            .find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')))
            .unwrap_or(e.len());
        let (name, rest) = e.split_at(name_end);
        let rest = rest.trim();
        if rest.starts_with('[') || name.is_empty() {
            continue;
        }
        let rest = rest.trim_start_matches('(').trim_end_matches(')');
        if let Some(spec) = pep440_spec(rest) {
            out.insert(norm_component(&name.replace('.', "-")), spec);
        }
    }
    out
}

/// `Requires-Dist:` lines of a core metadata file.
fn metadata_requires(text: &str) -> Vec<String> {
    text.lines()
        .take_while(|l| !l.trim().is_empty())
        .filter_map(|l| l.strip_prefix("Requires-Dist:"))
        .map(|s| s.trim().to_string())
        .collect()
}

fn toml_str(s: &str) -> String {
    toml::Value::String(s.to_string()).to_string()
}

/// Components whose new releases say nothing about CANN on the index.
fn cann_unknown_for(component: &str) -> bool {
    matches!(
        component,
        "torch_npu" | "vllm_ascend" | "mindspore" | "mindspeed" | "mindspeed_llm" | "mindspeed_rl"
    )
}

/// One release row of the overlay, as TOML.
struct Row {
    component: String,
    version: String,
    requires: BTreeMap<String, String>,
    info: BTreeMap<String, String>,
    unknown_cann: bool,
}

impl Row {
    fn to_toml(&self) -> String {
        let table = |m: &BTreeMap<String, String>| {
            let items: Vec<String> = m
                .iter()
                .map(|(k, v)| format!("{} = {}", toml_key(k), toml_str(v)))
                .collect();
            format!("{{ {} }}", items.join(", "))
        };
        let mut s = format!(
            "[[release]]\ncomponent = {}\nversion = {}\n",
            toml_str(&self.component),
            toml_str(&self.version)
        );
        if !self.requires.is_empty() {
            s.push_str(&format!("requires = {}\n", table(&self.requires)));
        }
        if self.unknown_cann {
            s.push_str(&format!(
                "unknown = {{ cann = {} }}\n",
                toml_str("the package index lists this release but publishes no CANN pairing for it; see the project's release notes")
            ));
        }
        if !self.info.is_empty() {
            s.push_str(&format!("info = {}\n", table(&self.info)));
        }
        s.push_str("source = [\"SYNC\"]\n");
        s
    }
}

fn toml_key(k: &str) -> String {
    if k.chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
    {
        k.to_string()
    } else {
        toml_str(k)
    }
}

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn index_urls_and_names() {
        assert_eq!(
            index_base("https://mirror.example/pypi/simple/")
                .ok()
                .as_deref(),
            Some("https://mirror.example/pypi")
        );
        assert_eq!(
            index_base("http://127.0.0.1:5130/").ok().as_deref(),
            Some("http://127.0.0.1:5130")
        );
        assert!(index_base("mirror.example/simple").is_err());
        assert_eq!(project_name("Torch_NPU").as_deref(), Some("torch-npu"));
        assert_eq!(project_name("../etc"), None);
        assert_eq!(project_name("a b"), None);
    }

    #[test]
    fn requirements_and_wheel_tags() {
        let r = requirements(&[
            "torch==2.7.1+cpu".into(),
            "torch (==2.5.1+cpu)".into(),
            "numpy".into(),
            "pyyaml ; extra == \"x\"".into(),
            "triton-ascend ==3.2.1".into(),
            "packaging~=23.1".into(),
        ]);
        assert_eq!(r.get("torch").map(String::as_str), Some("==2.5.1+cpu"));
        assert_eq!(r.get("triton_ascend").map(String::as_str), Some("==3.2.1"));
        assert_eq!(
            r.get("packaging").map(String::as_str),
            Some(">=23.1,==23.*")
        );
        assert!(!r.contains_key("numpy") && !r.contains_key("pyyaml"));
        let files = [
            "torch_npu-2.5.1-cp39-cp39-manylinux_2_17_aarch64.manylinux2014_aarch64.whl",
            "torch_npu-2.5.1-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl",
            "torch_npu-2.5.1-cp310-cp310-manylinux_2_17_x86_64.whl",
        ]
        .iter()
        .map(|f| File {
            filename: f.to_string(),
            url: None,
            wheel: true,
            yanked: false,
            requires_python: None,
            has_metadata: false,
        })
        .collect::<Vec<_>>();
        let (py, archs, universal) = wheel_tags(&files);
        assert_eq!(python_spec(&py).as_deref(), Some(">=3.9,<3.12"));
        assert_eq!(archs.len(), 2);
        assert!(!universal);
        let gap: BTreeSet<u32> = [9, 11].into_iter().collect();
        assert_eq!(python_spec(&gap).as_deref(), Some("3.9.* | 3.11.*"));
        assert_eq!(today().len(), 10);
    }
}
