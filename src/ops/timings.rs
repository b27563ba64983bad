//! Where a build's time went: per image when it could start, started, finished building and
//! was tagged, its hashing time, and the critical path. `adf build --timings` renders it.

use super::build::BuildReport;
use crate::plan::Plan;
use std::collections::HashMap;
use std::time::{Duration, SystemTime};

/// One image of the run. Times are seconds since the run started.
#[derive(Clone, Debug, PartialEq)]
pub struct Row {
    pub name: String,
    pub wave: usize,
    /// `built`, `fresh`, `failed`, `blocked`, ...
    pub status: String,
    /// Indexes (into the rows) of its parents.
    pub parents: Vec<usize>,
    /// When it could start (its parents were done); `None` if it never could.
    pub ready: Option<f64>,
    pub started: Option<f64>,
    /// When the engine's build ended (tagging starts).
    pub built: Option<f64>,
    pub finished: Option<f64>,
    /// Seconds spent hashing its inputs (the fingerprint).
    pub hash_seconds: f64,
}

/// The whole run.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Timings {
    pub title: String,
    pub rows: Vec<Row>,
    /// Seconds from the start to the first build (reading the file, fingerprints, freshness).
    pub decide_seconds: f64,
    pub total_seconds: f64,
    pub jobs: usize,
    pub backend: String,
    /// `adf 0.1.0 (commit, knowledge date)` and the date of the run.
    pub footer: String,
}

impl Timings {
    /// The rows on the critical path: from the image that finished last, back through the
    /// parent that finished last before it could start.
    pub fn critical_path(&self) -> Vec<usize> {
        let end = |i: usize| self.rows[i].finished.unwrap_or(f64::MIN);
        let Some(mut at) = (0..self.rows.len())
            .filter(|&i| self.rows[i].finished.is_some())
            .max_by(|&a, &b| end(a).total_cmp(&end(b)))
        else {
            return Vec::new();
        };
        let mut path = vec![at];
        while let Some(p) = self.rows[at]
            .parents
            .iter()
            .copied()
            .filter(|&p| self.rows[p].finished.is_some())
            .max_by(|&a, &b| end(a).total_cmp(&end(b)))
        {
            path.push(p);
            at = p;
        }
        path.reverse();
        path
    }
}

/// Seconds from `start` to `t`.
fn since(start: SystemTime, t: Option<SystemTime>) -> Option<f64> {
    t.map(|t| {
        t.duration_since(start)
            .unwrap_or(Duration::ZERO)
            .as_secs_f64()
    })
}

/// The timings of a finished run that started at `start` (before the file was read).
pub fn from_report(
    plan: &Plan,
    report: &BuildReport,
    start: SystemTime,
    jobs: usize,
    backend: &str,
) -> Timings {
    let index: HashMap<&str, usize> = plan
        .images
        .iter()
        .enumerate()
        .map(|(i, p)| (p.name.as_str(), i))
        .collect();
    let first_start = report
        .outcomes
        .iter()
        .filter_map(|o| since(start, o.started_at))
        .min_by(f64::total_cmp);
    let mut rows: Vec<Row> = Vec::with_capacity(plan.images.len());
    for (p, o) in plan.images.iter().zip(&report.outcomes) {
        let parents: Vec<usize> = p
            .depends_on
            .iter()
            .filter_map(|d| index.get(d.as_str()).copied())
            .collect();
        let started = since(start, o.started_at);
        let finished = since(start, o.finished_at);
        let ready = if parents.is_empty() {
            first_start
        } else {
            parents
                .iter()
                .map(|&q| rows.get(q).and_then(|r: &Row| r.finished))
                .try_fold(0.0_f64, |acc, f| f.map(|f| acc.max(f)))
        };
        rows.push(Row {
            name: p.name.clone(),
            wave: p.wave,
            status: o.status.word().to_string(),
            parents,
            ready: ready.zip(started).map(|(r, s)| r.min(s)),
            started,
            built: since(start, o.built_at).or(finished),
            finished,
            hash_seconds: 0.0,
        });
    }
    let end = SystemTime::now();
    Timings {
        title: format!("adf build: {} images", rows.len()),
        decide_seconds: first_start.unwrap_or_else(|| since(start, Some(end)).unwrap_or(0.0)),
        total_seconds: since(start, Some(end)).unwrap_or(0.0),
        rows,
        jobs,
        backend: backend.to_string(),
        footer: format!(
            "adf {} · started {}",
            env!("CARGO_PKG_VERSION"),
            super::rfc3339(start)
        ),
    }
}

/// Renders the report and writes it to `to`, or (without one) to
/// `.adf/timings/adf-timings-TIMESTAMP.html` with a copy as `.adf/timings/adf-timings.html`.
/// Returns where it was written.
pub fn write(
    project: &crate::model::Project,
    timings: &Timings,
    to: Option<&std::path::Path>,
) -> std::io::Result<std::path::PathBuf> {
    let page = crate::render::timings::html(timings);
    if let Some(to) = to {
        crate::safe_fs::write_atomic(to, page.as_bytes())?;
        return Ok(to.to_path_buf());
    }
    let dir = super::ensure_state_dir(project)?.join("timings");
    crate::safe_fs::create_dir_checked(&dir)?;
    let path = dir.join(format!("adf-timings-{}.html", super::timestamp()));
    crate::safe_fs::write_atomic(&path, page.as_bytes())?;
    crate::safe_fs::write_atomic(&dir.join("adf-timings.html"), page.as_bytes())?;
    Ok(path)
}
