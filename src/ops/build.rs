//! `adf build`: decide what is stale, probe the engine only when something is, choose the
//! backend (`backend.rs`), refuse what cannot work before anything starts (`preflight.rs`),
//! then bake the stale graph or turn each stale image's spec into an engine request run in
//! dependency order; multi-platform images are combined afterwards (`combine.rs`).

pub use super::backend::{Backend, Chosen};
use super::plan::{decide_with, Decided};
use super::schedule::{self, Event, Job, Outcome, Status};
use crate::diag::{Diagnostic, Diagnostics};
use crate::engine::{self, BuildRequest, EngineInfo, EngineOptions};
use crate::model::Project;
use crate::plan::decide::{Action, Decision};
use crate::plan::fingerprint::{has_manifest, save_manifest};
use crate::plan::Plan;
use std::collections::{HashMap, HashSet};
use std::path::PathBuf;
use std::sync::atomic::AtomicBool;

pub struct BuildOptions {
    /// Builds running at once (at least 1).
    pub jobs: usize,
    pub keep_going: bool,
    pub force: bool,
    /// Decide and report; build nothing.
    pub dry_run: bool,
    /// `--build-flag` values.
    pub cli_flags: Vec<String>,
    /// How the stale images reach the engine: `None` chooses ([`super::backend::choose`]).
    pub backend: Option<Backend>,
    /// Where a bake runs (`--builder`).
    pub bake: super::bake::BakeOptions,
    /// The registry/namespace prefix to look up what the local store lacks (`registry:` or
    /// `--registry`); not asked with `force`.
    pub registry: Option<String>,
}

/// One planned image as the reporter first sees it.
pub struct Planned {
    pub name: String,
    pub log: PathBuf,
    pub decision: Decision,
}

/// How a build run shows its progress. Called on the calling thread only.
pub trait BuildReporter {
    /// The images in build order, before the first build starts; `engine` and `backend` when
    /// something will be built (the engine is probed only then).
    fn start(&mut self, images: &[Planned], jobs: usize, engine: Option<(&EngineInfo, &Chosen)>);
    fn event(&mut self, images: &[Planned], event: &Event);
    fn warning(&mut self, text: &str);
    /// Something the run waits for (another run holding the project lock).
    fn note(&mut self, text: &str) {
        self.warning(text)
    }
    /// A containerd image store now holds `tags` with every platform of `image`.
    fn combined(&mut self, image: &str, tags: &[String], platforms: &[String]);
}

/// Why nothing was built (bad input: exit 2).
pub enum BuildError {
    /// The engine cannot be used (no client, no daemon).
    Engine(engine::EngineError),
    /// One problem, not tied to a place in the file.
    Input(Box<Diagnostic>),
    /// Problems at places in the file (missing or corrupt installers).
    Preflight(Diagnostics),
}

pub struct BuildReport {
    pub images: Vec<Planned>,
    /// `None` when nothing was built (no engine asked beyond the image lookup).
    pub backend: Option<Chosen>,
    /// One per image; empty for a dry run.
    pub outcomes: Vec<Outcome>,
    pub interrupted: bool,
    /// Multi-platform tags a containerd image store could not be given (all platforms built).
    pub combine_failures: Vec<String>,
}

impl BuildReport {
    pub fn ok(&self) -> bool {
        self.outcomes.iter().all(|o| o.status.ok()) && self.combine_failures.is_empty()
    }
}

impl BuildReport {
    /// Interrupted before anything was decided.
    fn interrupted() -> Self {
        BuildReport {
            images: Vec::new(),
            backend: None,
            outcomes: Vec::new(),
            interrupted: true,
            combine_failures: Vec::new(),
        }
    }
}

/// Most builds that run at once by default.
pub const MAX_DEFAULT_JOBS: usize = 16;

/// Builds at once when `-j` is not given: the plan's widest wave (the most images that can
/// build together), at least 2 and at most [`MAX_DEFAULT_JOBS`]. Not the number of CPUs: a
/// build mostly waits on downloads, installers and BuildKit, which schedules its own steps.
pub fn default_jobs(plan: &Plan) -> usize {
    let mut per_wave: HashMap<usize, usize> = HashMap::new();
    for img in &plan.images {
        *per_wave.entry(img.wave).or_default() += 1;
    }
    per_wave
        .values()
        .copied()
        .max()
        .unwrap_or(1)
        .clamp(2, MAX_DEFAULT_JOBS)
}

/// Decides, checks, then builds what is stale; `interrupted` is set by Ctrl-C. The engine is
/// probed (and the backend chosen) only when something will be built.
pub fn build(
    project: &Project,
    plan: &Plan,
    engine_opts: &EngineOptions,
    opts: &BuildOptions,
    interrupted: &AtomicBool,
    reporter: &mut dyn BuildReporter,
) -> Result<BuildReport, BuildError> {
    // two runs in one checkout take turns: each decides on what the other left
    let _lock = match opts.dry_run {
        true => None,
        false => match super::lock::take(project, interrupted, &mut |t| reporter.note(t))
            .map_err(BuildError::Input)?
        {
            Some(lock) => Some(lock),
            None => return Ok(BuildReport::interrupted()),
        },
    };
    // the image lookup needs no probe: when nothing is stale, one `docker image inspect` is
    // all the engine is asked (an engine that is down shows as nothing found, then the probe
    // below names the problem). When an image's fingerprint was never recorded in this
    // checkout it will almost surely build: the probe then runs while the tags are looked up.
    let client = engine::client(engine_opts);
    let state = super::ensure_state_dir(project).unwrap_or_else(|_| super::state_dir(project));
    let likely_stale = |h: &crate::plan::decide::Hashed| {
        opts.force || h.fingerprints.iter().any(|f| !has_manifest(&state, f))
    };
    let (decided, early) = decide_with(project, plan, Some(client.as_ref()), opts.force, |h| {
        likely_stale(h).then(|| probe(engine_opts, opts.dry_run))
    })
    .map_err(BuildError::Input)?;
    let Decided {
        inputs,
        mut decisions,
        found,
        warnings,
    } = decided;
    warnings.iter().for_each(|w| reporter.warning(w));
    let consult = opts.registry.as_deref().filter(|_| !opts.force);
    let multi_platform = plan
        .images
        .iter()
        .any(|p| project.images[p.index].variants > 1);
    let stale = decisions.iter().any(|d| d.action == Action::Build);
    let probed = match early {
        Some(probed) => Some(probed?),
        None if stale || consult.is_some() || multi_platform => {
            Some(probe(engine_opts, opts.dry_run)?)
        }
        None => None,
    };
    let engine: &dyn crate::engine::Engine = match &probed {
        Some(e) => e.as_ref(),
        None => client.as_ref(),
    };
    // the last run that built in this checkout did not end (killed with SIGKILL): remove what
    // it left even when nothing builds now (a probed engine did already)
    let unfinished = UnfinishedRun(state.join(UNFINISHED_RUN));
    if probed.is_none() && !opts.dry_run && unfinished.present() {
        engine.remove_leftovers();
        unfinished.clear();
    }
    // the registry's answers can change the plan: children of `fresh (registry)` parents
    // build FROM the registry reference
    let mut plan = std::borrow::Cow::Borrowed(plan);
    if let Some(prefix) = consult {
        let warnings =
            super::registry::consult(project, plan.to_mut(), &mut decisions, engine, prefix);
        warnings.iter().for_each(|w| reporter.warning(w));
    }
    let plan = &*plan;
    let building: HashSet<usize> = plan
        .images
        .iter()
        .zip(&decisions)
        .filter(|(_, d)| d.action == Action::Build)
        .map(|(p, _)| p.index)
        .collect();
    let chosen = probed.as_ref().filter(|_| !building.is_empty()).map(|e| {
        let (backend, reason) = super::backend::choose(project, &building, e.info(), opts);
        Chosen { backend, reason }
    });
    if let Some(c) = &chosen {
        super::preflight::preflight(project, &building, engine, c.backend)?;
    }

    let images: Vec<Planned> = plan
        .images
        .iter()
        .zip(decisions)
        .map(|(p, decision)| Planned {
            name: p.name.clone(),
            log: state.join("logs").join(format!("{}.log", p.name)),
            decision,
        })
        .collect();
    if opts.dry_run {
        return Ok(BuildReport {
            images,
            backend: chosen,
            outcomes: Vec::new(),
            interrupted: false,
            combine_failures: Vec::new(),
        });
    }
    if chosen.is_some() {
        unfinished.mark();
    }
    let jobs = jobs_for(project, plan, &images, &found, &opts.cli_flags);
    reporter.start(
        &images,
        opts.jobs,
        chosen.as_ref().map(|c| (engine.info(), c)),
    );
    let sched = schedule::Options {
        jobs: opts.jobs,
        keep_going: opts.keep_going,
    };
    let outcomes = match chosen.as_ref().map(|c| c.backend) {
        Some(Backend::Bake) => super::bake::run(
            project,
            plan,
            &images,
            &found,
            engine,
            &opts.bake,
            interrupted,
            reporter,
        ),
        _ => schedule::run(engine, &jobs, sched, interrupted, &mut |ev| {
            reporter.event(&images, ev)
        }),
    };
    for ((outcome, inputs), image) in outcomes.iter().zip(&inputs).zip(&images) {
        // a fresh image built elsewhere (pulled, another checkout) is recorded once too: its
        // fingerprint is then known here, and the next no-op run starts no early probe
        let record = match outcome.status {
            Status::Built { .. } => true,
            Status::Fresh { .. } => !has_manifest(&state, &image.decision.fingerprint),
            _ => false,
        };
        if record {
            if let Err(e) = save_manifest(&state, &image.name, inputs) {
                reporter.warning(&format!(
                    "cannot record the inputs of {} for --explain: {e}",
                    image.name
                ));
            }
        }
    }
    let combine_failures = if interrupted.load(std::sync::atomic::Ordering::SeqCst) {
        Vec::new()
    } else {
        super::combine::combine(project, plan, &outcomes, engine, interrupted, reporter)
    };
    if chosen.is_some() {
        unfinished.clear();
    }
    Ok(BuildReport {
        images,
        backend: chosen,
        outcomes,
        interrupted: interrupted.load(std::sync::atomic::Ordering::SeqCst),
        combine_failures,
    })
}

/// `.adf/unfinished-run`: present while a run builds. Runs in a checkout take turns (the
/// lock), so a run that finds it knows the one before was killed before it could remove its
/// hold and pin tags and temporary directories.
const UNFINISHED_RUN: &str = "unfinished-run";

struct UnfinishedRun(PathBuf);

impl UnfinishedRun {
    fn present(&self) -> bool {
        self.0.symlink_metadata().is_ok()
    }

    /// Best effort: without it a later no-op run leaves the leftovers to the next build.
    fn mark(&self) {
        let _ = crate::safe_fs::write_atomic(&self.0, std::process::id().to_string().as_bytes());
    }

    fn clear(&self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

/// The engine, probed (versions, builder, buildx): only when something will be built. The
/// leftovers of runs killed with SIGKILL (hold and pin tags, temporary directories) are removed
/// then.
fn probe(
    engine_opts: &EngineOptions,
    dry_run: bool,
) -> Result<Box<dyn crate::engine::Engine>, BuildError> {
    std::thread::scope(|s| {
        // beside the version probe: it only touches what dead runs left
        if !dry_run {
            s.spawn(|| engine::client(engine_opts).remove_leftovers());
        }
        engine::connect(engine_opts).map_err(BuildError::Engine)
    })
}

/// One scheduler job per planned image: its engine request, or the image ID when fresh.
fn jobs_for(
    project: &Project,
    plan: &Plan,
    images: &[Planned],
    found: &HashMap<String, crate::engine::ImageInfo>,
    cli_flags: &[String],
) -> Vec<Job> {
    let position = plan.positions();
    plan.images
        .iter()
        .zip(images)
        .map(|(p, planned)| {
            let img = &project.images[p.index];
            let d = &planned.decision;
            let fresh = (d.action == Action::Fresh)
                .then(|| {
                    p.tags
                        .first()
                        .and_then(|t| found.get(t))
                        .map(|i| i.id.clone())
                })
                .flatten();
            let retag = match &fresh {
                Some(id) => p
                    .tags
                    .iter()
                    .filter(|t| found.get(*t).map(|i| &i.id) != Some(id))
                    .cloned()
                    .collect(),
                None => Vec::new(),
            };
            let mut request = BuildRequest::from_spec(
                &p.name,
                &img.spec,
                &d.fingerprint,
                planned.log.clone(),
                cli_flags,
            );
            // the plan's args: the model's, or a `fresh (registry)` parent's registry reference
            request.spec.args = p.args.clone();
            // the build itself points the image's tags at the result, only if it succeeds
            request.tags = p.tags.clone();
            let base = img
                .parents
                .first()
                .and_then(|i| position.get(i).copied())
                .filter(|_| request.spec.args.contains_key(&img.base_arg))
                .map(|parent| schedule::Base {
                    parent,
                    arg: img.base_arg.clone(),
                });
            let image = p.tags.first().and_then(|t| found.get(t)).cloned();
            Job {
                name: p.name.clone(),
                parents: img
                    .parents
                    .iter()
                    .filter_map(|i| position.get(i).copied())
                    .collect(),
                tags: p.tags.clone(),
                fresh,
                retag,
                registry: d
                    .registry
                    .clone()
                    .filter(|_| d.action == Action::FreshRegistry),
                request,
                base,
                image,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::PlannedImage;

    fn plan(waves: &[usize]) -> Plan {
        let images = waves
            .iter()
            .enumerate()
            .map(|(i, &wave)| PlannedImage {
                index: i,
                name: format!("i{i}"),
                platform: None,
                wave,
                tags: vec![],
                depends_on: vec![],
                base: None,
                args: Default::default(),
                runtime_deps: None,
            })
            .collect();
        Plan { images }
    }

    #[test]
    fn default_jobs_follow_the_widest_wave() {
        assert_eq!(default_jobs(&plan(&[0, 1, 2])), 2);
        let fan: Vec<usize> = std::iter::once(0)
            .chain(std::iter::repeat_n(1, 24))
            .collect();
        assert_eq!(default_jobs(&plan(&fan)), MAX_DEFAULT_JOBS);
        assert_eq!(default_jobs(&plan(&[0, 1, 1, 1, 1, 1, 2])), 5);
        assert_eq!(default_jobs(&plan(&[])), 2);
    }
}
