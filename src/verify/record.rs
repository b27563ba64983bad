//! Verification records, one per image ID under `.adf/verify/`, so `adf push` can ask whether
//! an image passed: the same image, verified against the same expectations, with no FAIL.

use super::{Report, Status, Tier};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Record {
    /// [`super::Subject::expectations_hash`] at the time of the run.
    pub expectations: String,
    /// UTC `YYYYMMDDHHMMSS`.
    pub at: String,
    pub report: Report,
}

impl Record {
    pub fn passed(&self) -> bool {
        self.report.passed()
    }
    /// The static tier ran (a record of an NPU-only run would not prove anything static).
    pub fn has_static(&self) -> bool {
        self.report.checks.iter().any(|c| c.tier == Tier::Static)
    }
    pub fn failures(&self) -> Vec<String> {
        self.report
            .checks
            .iter()
            .filter(|c| c.status == Status::Fail)
            .map(|c| format!("{}: {}", c.name, c.detail))
            .collect()
    }
}

fn path(state_dir: &Path, image_id: &str) -> PathBuf {
    let hex = image_id.strip_prefix("sha256:").unwrap_or(image_id);
    state_dir.join("verify").join(format!("{hex}.json"))
}

/// Written to a temporary file and renamed: a record is whole or absent.
pub fn save(state_dir: &Path, record: &Record) -> std::io::Result<()> {
    if record.report.image_id.is_empty() {
        return Ok(());
    }
    let target = path(state_dir, &record.report.image_id);
    let bytes = serde_json::to_vec_pretty(record)?;
    crate::safe_fs::write_atomic(&target, &bytes)
}

pub fn load(state_dir: &Path, image_id: &str) -> Option<Record> {
    let text = std::fs::read_to_string(path(state_dir, image_id)).ok()?;
    serde_json::from_str(&text).ok()
}

#[cfg(test)]
mod tests {
    use super::super::CheckResult;
    use super::*;

    #[test]
    fn round_trip_and_verdict() {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut report = Report {
            name: "a".into(),
            reference: "x/a:1".into(),
            image_id: "sha256:abc".into(),
            arch: "amd64".into(),
            checks: vec![
                CheckResult::pass("p", "ok"),
                CheckResult::skipped("s", "no device"),
            ],
            seconds: 1.0,
        };
        let rec = Record {
            expectations: "h".into(),
            at: "20261123000000".into(),
            report: report.clone(),
        };
        save(dir.path(), &rec).expect("saves");
        let back = load(dir.path(), "sha256:abc").expect("loads");
        assert!(back.passed() && back.has_static());
        report.checks.push(CheckResult::fail("f", "bad"));
        let rec = Record { report, ..rec };
        save(dir.path(), &rec).expect("saves");
        let back = load(dir.path(), "sha256:abc").expect("loads");
        assert!(!back.passed());
        assert_eq!(back.failures(), ["f: bad"]);
        assert!(load(dir.path(), "sha256:other").is_none());
    }
}
