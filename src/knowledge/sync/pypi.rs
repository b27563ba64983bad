//! Reading PyPI JSON API answers in adf's terms: a release's files, the Python versions and
//! architectures of its wheels, and `Requires-Dist` (from the JSON or a wheel's core metadata) as
//! adf specs.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use super::SyncError;
use crate::knowledge::model::norm_component;

pub(super) fn parse_json(url: &str, body: &[u8]) -> Result<Value, SyncError> {
    serde_json::from_slice(body).map_err(|e| {
        SyncError::BadAnswer(format!(
            "{url} is not a PyPI JSON API answer ({e}); is the index URL the JSON API base?"
        ))
    })
}

/// One wheel or sdist of a release.
pub(super) struct File {
    pub(super) filename: String,
    pub(super) url: Option<String>,
    pub(super) wheel: bool,
    pub(super) yanked: bool,
    pub(super) requires_python: Option<String>,
    pub(super) has_metadata: bool,
}

pub(super) fn files_of(url: &str, list: &Value) -> Result<Vec<File>, SyncError> {
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
pub(super) fn wheel_tags(files: &[File]) -> (BTreeSet<u32>, BTreeSet<String>, bool) {
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
pub(super) fn python_spec(minors: &BTreeSet<u32>) -> Option<String> {
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
pub(super) fn pep440_spec(spec: &str) -> Option<String> {
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
pub(super) fn requirements(entries: &[String]) -> BTreeMap<String, String> {
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
pub(super) fn metadata_requires(text: &str) -> Vec<String> {
    text.lines()
        .take_while(|l| !l.trim().is_empty())
        .filter_map(|l| l.strip_prefix("Requires-Dist:"))
        .map(|s| s.trim().to_string())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::knowledge::sync::today;

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
