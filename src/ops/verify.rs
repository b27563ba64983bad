//! `adf verify`: every selected image's tiers, `jobs` images at once, each result recorded per
//! image ID for `adf push`.

use super::pool;
use crate::diag::Sources;
use crate::engine::Engine;
use crate::model::Project;
use crate::verify::{self, record, Options, Report, Subject};
use std::sync::atomic::AtomicBool;

pub struct VerifyOptions {
    pub checks: Options,
    /// Images verified at once.
    pub jobs: usize,
}

/// How a verify run shows its progress. Called on the calling thread only.
pub trait VerifyReporter {
    fn verifying(&mut self, subject: &Subject);
    fn verified(&mut self, report: &Report);
    fn warning(&mut self, text: &str);
}

enum Progress {
    Started(usize),
    Done(Report),
}

/// Verifies the selected images (in build order) and records each result.
pub fn verify(
    project: &Project,
    sources: &Sources,
    selected: &[bool],
    engine: &dyn Engine,
    opts: &VerifyOptions,
    reporter: &mut dyn VerifyReporter,
) -> Vec<Report> {
    let by_index = verify::subject::subjects(project, sources, selected);
    let order = crate::plan::make(project, selected);
    let subjects: Vec<Subject> = order
        .images
        .iter()
        .filter_map(|p| by_index[p.index].clone())
        .collect();
    let indexed: Vec<(usize, &Subject)> = subjects.iter().enumerate().collect();
    let reports = pool::run(
        &indexed,
        opts.jobs,
        &AtomicBool::new(false),
        |(i, subject), events| {
            events.send(Progress::Started(*i));
            let r = verify::verify(engine, subject, &opts.checks);
            events.send(Progress::Done(r.clone()));
            r
        },
        &mut |p| match p {
            Progress::Started(i) => reporter.verifying(&subjects[i]),
            Progress::Done(r) => reporter.verified(&r),
        },
    );
    let reports: Vec<Report> = reports.into_iter().flatten().collect();
    let state = super::ensure_state_dir(project).unwrap_or_else(|_| super::state_dir(project));
    let at = super::timestamp();
    for (s, r) in subjects.iter().zip(&reports) {
        let rec = record::Record {
            expectations: s.expectations_hash(),
            at: at.clone(),
            report: r.clone(),
        };
        if let Err(e) = record::save(&state, &rec) {
            reporter.warning(&format!(
                "cannot record the result of `{}` in {}: {e}",
                s.name,
                state.display()
            ));
        }
    }
    reports
}
