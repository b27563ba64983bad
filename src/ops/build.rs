//! `adf build`: decide what is stale, probe the engine only when something is, choose the
//! backend (`backend.rs`), refuse what cannot work before anything starts (`preflight.rs`),
//! then bake the stale graph or turn each stale image's spec into an engine request run in
//! dependency order; multi-platform images are combined afterwards (`combine.rs`).

pub use super::backend::{Backend, Chosen};
use super::build_jobs::jobs_for;
pub use super::build_jobs::{default_jobs, MAX_DEFAULT_JOBS};
use super::plan::{decide_with, Decided};
use super::schedule::{self, Event, Outcome, Status};
use crate::diag::{Diagnostic, Diagnostics};
use crate::engine::{self, EngineInfo, EngineOptions};
use crate::model::Project;
use crate::plan::decide::{Action, Decision};
use crate::plan::fingerprint::{has_manifest, save_manifest};
use crate::plan::Plan;
use std::collections::HashSet;
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
