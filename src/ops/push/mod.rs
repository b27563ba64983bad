//! `adf push`: everything is checked before the first push (every selected image built from the
//! current inputs and verified against the current expectations, or nothing is pushed), then
//! pushes wave by wave, parents first, `jobs` references at once; after a failure nothing new
//! starts.

mod index;

use super::plan::decide;
use super::pool;
use super::registry::consult;
use crate::diag::Sources;
use crate::engine::{Engine, Remote};
use crate::model::Project;
use crate::plan::decide::Action;
use crate::plan::fingerprint::FINGERPRINT_LABEL;
use crate::publish::push::{self, Pushed, Retry};
use crate::verify::record;
use index::{indexes, push_index, Index};
use serde::Serialize;
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

pub struct PushOptions {
    /// `--to PREFIX`: push `ns/repo:tag` as `PREFIX/repo:tag`.
    pub to: Option<String>,
    /// `registry:` / `--registry`: an image the local store lacks but this registry holds with
    /// its current fingerprint is published already (when `to` is this prefix).
    pub registry: Option<String>,
    pub no_verify: bool,
    /// References pushed at once.
    pub jobs: usize,
    pub retry: Retry,
}

/// One reference in the registry, as the manifest lists it.
#[derive(Clone, Debug, Serialize)]
pub struct PushEntry {
    pub image: String,
    pub reference: String,
    pub digest: String,
    /// `pushed` or `unchanged`.
    pub status: &'static str,
    /// For a multi-platform index: each platform and its manifest digest.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub platforms: Vec<PlatformDigest>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PlatformDigest {
    pub platform: String,
    pub digest: String,
}

/// How a push run shows its progress. Called on the calling thread only.
pub trait PushReporter {
    /// A note about one image's push (a retry, a registry that could not be asked).
    fn note(&mut self, image: &str, text: &str);
    /// A note about the whole run (a registry lookup that could not be made).
    fn warning(&mut self, text: &str);
    fn pushed(&mut self, entry: &PushEntry, seconds: f64);
    fn failed(&mut self, image: &str, error: &push::PushError);
    /// Images of later waves left unpushed after a failure.
    fn skipped_waves(&mut self, images: usize);
}

pub enum PushError {
    /// Bad input (exit 2): what is wrong, and how to fix it.
    Input { what: String, help: &'static str },
    /// The gate: selected images that cannot be published, one reason each (exit 1).
    Refused {
        reasons: Vec<String>,
        selected: usize,
    },
}

pub struct PushReport {
    /// In push order.
    pub entries: Vec<PushEntry>,
    pub failed: bool,
}

/// One image to push: its verified ID and where it goes.
struct Item {
    name: String,
    wave: usize,
    image_id: String,
    references: Vec<String>,
    /// Not in the local store: the registry holds it at every reference already.
    held: bool,
}

enum Progress {
    Note(String, String),
    Pushed(PushEntry, f64),
    Failed(String, push::PushError),
}

pub fn push(
    project: &Project,
    sources: &Sources,
    selected: &[bool],
    engine: &dyn Engine,
    opts: &PushOptions,
    reporter: &mut dyn PushReporter,
) -> Result<PushReport, PushError> {
    let mut plan = crate::plan::make(project, selected);
    let mut decided =
        decide(project, &plan, Some(engine), false).map_err(|d| PushError::Input {
            what: d.message,
            help: "check that every build context and installer is readable",
        })?;
    if let Some(prefix) = &opts.registry {
        let warnings = consult(project, &mut plan, &mut decided.decisions, engine, prefix);
        warnings.iter().for_each(|w| reporter.warning(w));
    }
    let subjects = crate::verify::subject::subjects(project, sources, selected);
    let state = super::ensure_state_dir(project).unwrap_or_else(|_| super::state_dir(project));

    let mut refused = Vec::new();
    let mut items = Vec::new();
    let mut seen: HashMap<String, String> = HashMap::new();
    for (p, d) in plan.images.iter().zip(&decided.decisions) {
        if d.action == Action::FreshRegistry {
            match held(engine, p, d, opts) {
                Ok(item) => items.push(item),
                Err(why) => refused.push(why),
            }
            continue;
        }
        let info = p.tags.first().and_then(|t| decided.found.get(t));
        let (Some(info), Action::Fresh) = (info, d.action) else {
            refused.push(format!(
                "{}: not built from the current inputs ({}); run `adf build`",
                p.name, d.reason
            ));
            continue;
        };
        if !opts.no_verify {
            let expected = subjects[p.index].as_ref().map(|s| s.expectations_hash());
            if let Some(why) = gate(record::load(&state, &info.id), expected, &p.name) {
                refused.push(why);
            }
        }
        let references: Vec<String> = p
            .tags
            .iter()
            .map(|t| push::destination(t, opts.to.as_deref()))
            .collect();
        for r in &references {
            if let Some(other) = seen.insert(r.clone(), p.name.clone()) {
                return Err(PushError::Input {
                    what: format!("`{other}` and `{}` would both be pushed as {r}", p.name),
                    help: "give them distinct repository names or tags",
                });
            }
        }
        items.push(Item {
            name: p.name.clone(),
            wave: p.wave,
            image_id: info.id.clone(),
            references,
            held: false,
        });
    }
    for item in items.iter().filter(|i| i.held) {
        for r in &item.references {
            if let Some(other) = seen.insert(r.clone(), item.name.clone()) {
                return Err(PushError::Input {
                    what: format!("`{other}` and `{}` would both be pushed as {r}", item.name),
                    help: "give them distinct repository names or tags",
                });
            }
        }
    }
    if !refused.is_empty() {
        return Err(PushError::Refused {
            reasons: refused,
            selected: plan.images.len(),
        });
    }
    let indexes = indexes(project, &plan, &items, opts, reporter);
    Ok(push_waves(engine, &items, &indexes, opts, reporter))
}

/// A `fresh (registry)` image: published already when the push goes to that registry and every
/// tag's reference there carries its fingerprint; otherwise why it cannot be pushed from here.
fn held(
    engine: &dyn Engine,
    p: &crate::plan::PlannedImage,
    d: &crate::plan::decide::Decision,
    opts: &PushOptions,
) -> Result<Item, String> {
    let prefix = opts.registry.as_deref().unwrap_or_default();
    let at = d.registry.clone().unwrap_or_default();
    let same = |a: &str, b: &str| a.trim_end_matches('/') == b.trim_end_matches('/');
    if !opts.to.as_deref().is_some_and(|to| same(to, prefix)) {
        return Err(format!(
            "{}: not in the local store, only in the registry as {at}; build it here (`adf build --no-registry --target {0}`) to push it elsewhere",
            p.name
        ));
    }
    let references: Vec<String> = p
        .tags
        .iter()
        .map(|t| super::registry::reference(t, prefix))
        .collect();
    for r in references.iter().filter(|r| **r != at) {
        let labels = engine
            .remote_labels(r, p.platform.as_deref())
            .ok()
            .flatten();
        if labels.as_ref().and_then(|l| l.get(FINGERPRINT_LABEL)) != Some(&d.fingerprint) {
            return Err(format!(
                "{}: not in the local store, and the registry has it as {at} but not as {r}; build it here (`adf build --no-registry --target {0}`) to push that tag",
                p.name
            ));
        }
    }
    Ok(Item {
        name: p.name.clone(),
        wave: p.wave,
        image_id: String::new(),
        references,
        held: true,
    })
}

/// Why a verify record does not let an image through, if it does not.
fn gate(rec: Option<record::Record>, expected: Option<String>, name: &str) -> Option<String> {
    match rec {
        None => Some(format!("{name}: not verified; run `adf verify --target {name}`")),
        Some(r) if !r.has_static() || Some(&r.expectations) != expected.as_ref() => Some(format!(
            "{name}: verified against other expectations (stack or verify: changed); run `adf verify --target {name}`"
        )),
        Some(r) if !r.passed() => Some(format!(
            "{name}: failed verification: {}",
            r.failures().join("; ")
        )),
        Some(_) => None,
    }
}

fn push_waves(
    engine: &dyn Engine,
    items: &[Item],
    indexes: &[Index],
    opts: &PushOptions,
    reporter: &mut dyn PushReporter,
) -> PushReport {
    let failed = AtomicBool::new(false);
    let mut entries: Vec<PushEntry> = Vec::new();
    let waves = items.iter().map(|i| i.wave + 1).max().unwrap_or(0);
    for wave in 0..waves {
        let work: Vec<(&Item, &String)> = items
            .iter()
            .filter(|i| i.wave == wave)
            .flat_map(|i| i.references.iter().map(move |r| (i, r)))
            .collect();
        let results = pool::run(
            &work,
            opts.jobs,
            &failed,
            |(item, reference), events| {
                let start = Instant::now();
                let mut log = |m: String| events.send(Progress::Note(item.name.clone(), m));
                let outcome = if item.held {
                    // in the registry with the current fingerprint already: nothing to push
                    Ok(Pushed::Unchanged(match engine.remote_digest(reference) {
                        Remote::Digest(d) => d,
                        _ => String::new(),
                    }))
                } else {
                    push::push_one(engine, &item.image_id, reference, &opts.retry, &mut log)
                };
                let (digest, status) = match outcome {
                    Ok(Pushed::Pushed(d)) => (d, "pushed"),
                    Ok(Pushed::Unchanged(d)) => (d, "unchanged"),
                    Err(e) => {
                        failed.store(true, Ordering::SeqCst);
                        events.send(Progress::Failed(item.name.clone(), e));
                        return None;
                    }
                };
                let entry = PushEntry {
                    image: item.name.clone(),
                    reference: (*reference).clone(),
                    digest,
                    status,
                    platforms: Vec::new(),
                };
                events.send(Progress::Pushed(
                    entry.clone(),
                    start.elapsed().as_secs_f64(),
                ));
                Some(entry)
            },
            &mut |p| match p {
                Progress::Note(image, text) => reporter.note(&image, &text),
                Progress::Pushed(entry, secs) => reporter.pushed(&entry, secs),
                Progress::Failed(image, e) => reporter.failed(&image, &e),
            },
        );
        entries.extend(results.into_iter().flatten().flatten());
        if !failed.load(Ordering::SeqCst) {
            let pushed: HashMap<String, String> = entries
                .iter()
                .map(|e| (e.reference.clone(), e.digest.clone()))
                .collect();
            for index in indexes.iter().filter(|i| i.wave == wave) {
                let start = Instant::now();
                match push_index(engine, index, &pushed) {
                    Ok(entry) => {
                        reporter.pushed(&entry, start.elapsed().as_secs_f64());
                        entries.push(entry);
                    }
                    Err(e) => {
                        reporter.failed(&index.name, &e);
                        failed.store(true, Ordering::SeqCst);
                        break;
                    }
                }
            }
        }
        if failed.load(Ordering::SeqCst) {
            let left = items.iter().filter(|i| i.wave > wave).count();
            if left > 0 {
                reporter.skipped_waves(left);
            }
            return PushReport {
                entries,
                failed: true,
            };
        }
    }
    PushReport {
        entries,
        failed: false,
    }
}
