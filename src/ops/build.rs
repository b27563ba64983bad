//! `adf build`: decide what is stale, refuse what cannot work before anything starts (missing
//! installers, BuildKit-only features under the legacy builder), turn each stale image's spec
//! into an engine request and run them in dependency order.

use super::plan::{decide_with, Decided};
use super::schedule::{self, Event, Job, Outcome, Status};
use crate::diag::Code;
use crate::diag::{Diagnostic, Diagnostics, Severity};
use crate::engine::{self, BuildRequest, Builder, EngineInfo, EngineOptions};
use crate::model::dockerfile::DockerfileCache;
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
    /// How the stale images reach the engine: `None` chooses ([`choose_backend`]).
    pub backend: Option<Backend>,
    /// Where a bake runs (`--builder`).
    pub bake: super::bake::BakeOptions,
    /// The registry/namespace prefix to look up what the local store lacks (`registry:` or
    /// `--registry`); not asked with `force`.
    pub registry: Option<String>,
}

/// How the stale images reach the engine.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    /// One `docker build` (or `docker buildx build`) per image, adf scheduling them (`-j`).
    Cli,
    /// One `docker buildx bake` for the whole stale part of the graph, BuildKit scheduling it.
    Bake,
}

impl Backend {
    pub fn word(self) -> &'static str {
        match self {
            Backend::Cli => "docker build",
            Backend::Bake => "buildx bake",
        }
    }
}

/// The oldest buildx whose bake adf drives by default.
pub const BAKE_MIN_BUILDX: (u32, u32) = (0, 13);

/// The backend when none is asked for, and why: bake where the engine builds through buildx
/// 0.13 or later and bake can express every image about to build; `docker build` per image
/// otherwise (no buildx, `--keep-going`, `--build-flag`, or an image with `build_flags`,
/// `network`, `extra_hosts` or `runtime_deps`, which buildx 0.13's bake files cannot carry).
pub fn choose_backend(
    project: &Project,
    building: &HashSet<usize>,
    info: &EngineInfo,
    opts: &BuildOptions,
) -> (Backend, String) {
    if let Some(b) = opts.backend {
        return (b, "asked for".to_string());
    }
    if !info.buildx {
        return (Backend::Cli, format!("no buildx: {}", info.builder_reason));
    }
    let (major, minor) = BAKE_MIN_BUILDX;
    if !info.buildx_at_least(major, minor) {
        let v = info.buildx_version.as_deref().unwrap_or("?");
        return (
            Backend::Cli,
            format!("buildx {v} is older than {major}.{minor}"),
        );
    }
    if opts.keep_going {
        let why = "--keep-going: a bake stops at the first failure";
        return (Backend::Cli, why.to_string());
    }
    if !opts.cli_flags.is_empty() {
        return (Backend::Cli, "--build-flag has no bake form".to_string());
    }
    let mut indexes: Vec<usize> = building.iter().copied().collect();
    indexes.sort_unstable();
    for i in indexes {
        let img = &project.images[i];
        if let Some(what) = crate::export::bake::unmapped(img).first() {
            return (Backend::Cli, format!("`{}` has {what}", img.name));
        }
    }
    let v = info.buildx_version.as_deref().unwrap_or("?");
    (Backend::Bake, format!("buildx {v}"))
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

/// The backend a run used and why.
#[derive(Clone, Debug)]
pub struct Chosen {
    pub backend: Backend,
    pub reason: String,
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
        let (backend, reason) = choose_backend(project, &building, e.info(), opts);
        Chosen { backend, reason }
    });
    if let Some(c) = &chosen {
        preflight(project, &building, engine, c.backend)?;
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
        combine(project, plan, &outcomes, engine, interrupted, reporter)
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

/// Everything that must hold before the first build starts, for the images about to build:
/// installers present, BuildKit features under the legacy builder, what the bake backend can do, cache
/// exports the client supports, platforms the engine can run.
fn preflight(
    project: &Project,
    building: &HashSet<usize>,
    engine: &dyn crate::engine::Engine,
    backend: Backend,
) -> Result<(), BuildError> {
    let mut missing = Diagnostics::default();
    crate::model::installers::check_present(
        project,
        &|i| building.contains(&i),
        Severity::Error,
        &mut missing,
    );
    if missing.has_errors() {
        return Err(BuildError::Preflight(missing));
    }
    legacy_check(project, building, engine.info()).map_err(BuildError::Input)?;
    let wrapped: Vec<&str> = building
        .iter()
        .map(|&i| &project.images[i])
        .filter(|img| img.spec.runtime_deps.is_some())
        .map(|img| img.name.as_str())
        .collect();
    if backend == Backend::Bake && !wrapped.is_empty() {
        return Err(BuildError::Input(Box::new(
            Diagnostic::error(
                Code::NeedsBuildkit,
                format!("the bake backend cannot add the runtime_deps entrypoint layer of {}", wrapped.join(", ")),
            )
            .help("build these images with --backend cli (or build the rest with --backend bake and --target); nothing was built"),
        )));
    }
    if backend == Backend::Bake && !engine.info().buildx {
        let info = engine.info();
        return Err(BuildError::Input(Box::new(
            Diagnostic::error(
                Code::NeedsBuildkit,
                format!(
                    "the bake backend needs the buildx plugin, and {} has none ({})",
                    info.client.display(),
                    info.builder_reason
                ),
            )
            .help("install docker-buildx (a client of Docker 23 or later with the plugin), or build with --backend cli; nothing was built"),
        )));
    }
    super::cache::check(project, building, engine.info()).map_err(BuildError::Input)?;
    platform_check(project, building, engine).map_err(BuildError::Input)?;
    Ok(())
}

/// On a containerd image store, every multi-platform image whose platforms all built (or were
/// fresh) gets its file tags as one local multi-platform image, made again when a platform was
/// rebuilt or the tag is missing. A classic store keeps the per-platform tags only (the index
/// is made by `adf push`).
fn combine(
    project: &Project,
    plan: &Plan,
    outcomes: &[Outcome],
    engine: &dyn crate::engine::Engine,
    interrupted: &AtomicBool,
    reporter: &mut dyn BuildReporter,
) -> Vec<String> {
    let mut failures = Vec::new();
    let mut done: HashSet<&str> = HashSet::new();
    let outcome_of = |i: usize| {
        plan.images
            .iter()
            .position(|p| p.index == i)
            .map(|pos| &outcomes[pos].status)
    };
    for p in &plan.images {
        let img = &project.images[p.index];
        if img.variants < 2 || !done.insert(img.family.as_str()) {
            continue;
        }
        let members = project.family(&img.family);
        let statuses: Vec<Option<&Status>> = members.iter().map(|&m| outcome_of(m)).collect();
        if statuses.iter().any(|s| !s.is_some_and(Status::ok)) {
            continue; // not all platforms selected, or one failed
        }
        let remote = |s: &Option<&Status>| matches!(s, Some(Status::FreshRegistry { .. }));
        if statuses.iter().any(remote) {
            if statuses
                .iter()
                .any(|s| matches!(s, Some(Status::Built { .. })))
            {
                reporter.warning(&format!("{}: some of its platforms are only in the registry: its local multi-platform tags are left as they are", img.family));
            }
            continue;
        }
        if engine.image_store() != crate::engine::ImageStore::Containerd {
            return failures;
        }
        let tags: Vec<String> = img.published_tags.iter().map(|t| t.value.clone()).collect();
        let rebuilt = statuses
            .iter()
            .any(|s| matches!(s, Some(Status::Built { .. })));
        let missing = tags
            .first()
            .is_some_and(|t| !matches!(engine.image_id(t), Ok(Some(_))));
        if !(rebuilt || missing) {
            continue;
        }
        let platforms = members
            .iter()
            .filter_map(|&m| project.images[m].platform.as_ref());
        if platforms.clone().any(|p| p.split('/').count() > 2) {
            reporter.warning(&format!(
                "{}: platforms with a variant (linux/arm/v7) are kept as per-platform tags only",
                img.family
            ));
            continue;
        }
        // each platform's exact image (a pin tag of its ID), not its tag: another run may
        // have moved that since
        let mut pins = Vec::new();
        let sources: Vec<(String, String)> = members
            .iter()
            .filter_map(|&m| {
                let v = &project.images[m];
                let pinned = outcome_of(m)
                    .and_then(Status::image_id)
                    .and_then(|id| engine.pin(id).ok());
                pins.extend(pinned.clone());
                let source = pinned.or_else(|| v.primary_tag().map(str::to_string))?;
                Some((v.platform.clone()?, source))
            })
            .collect();
        let combined = engine.combine(&tags, &sources, interrupted);
        let pins: Vec<&str> = pins.iter().map(String::as_str).collect();
        engine.untag(&pins);
        match combined {
            Ok(_) => {
                let platforms: Vec<String> = sources.into_iter().map(|(p, _)| p).collect();
                reporter.combined(&img.family, &tags, &platforms);
            }
            Err(e) => {
                reporter.warning(&format!("{}: {e}", img.family));
                failures.push(img.family.clone());
            }
        }
    }
    failures
}

/// Under the legacy builder, BuildKit-only Dockerfile features fail late and obscurely: refuse
/// them before anything starts.
fn legacy_check(
    project: &Project,
    building: &HashSet<usize>,
    engine: &EngineInfo,
) -> Result<(), Box<Diagnostic>> {
    if engine.builder != Builder::Legacy {
        return Ok(());
    }
    let mut cache = DockerfileCache::default();
    let mut problems = Vec::new();
    let mut indexes: Vec<usize> = building.iter().copied().collect();
    indexes.sort_unstable();
    for i in indexes {
        let img = &project.images[i];
        let dockerfile = &img.spec.dockerfile;
        let Some(facts) = cache.get(dockerfile) else {
            continue;
        };
        let file = dockerfile
            .strip_prefix("./")
            .unwrap_or(dockerfile)
            .display()
            .to_string();
        if let Some(s) = &facts.syntax {
            problems.push(format!("{file}:1: `# syntax={s}` (image `{}`)", img.name));
        }
        for f in &facts.buildkit_features {
            problems.push(format!(
                "{file}:{}: {} (image `{}`)",
                f.line, f.what, img.name
            ));
        }
        if !img.spec.secrets.is_empty() {
            problems.push(format!("image `{}` uses build secrets", img.name));
        }
    }
    if problems.is_empty() {
        return Ok(());
    }
    Err(Box::new(Diagnostic::error(
        Code::NeedsBuildkit,
        format!("{} uses the legacy builder ({}), but these need BuildKit:\n    {}", engine.client.display(), engine.builder_reason, problems.join("\n    ")),
    )
    .help("install the buildx plugin, use a docker client older than 23 (it builds with DOCKER_BUILDKIT=1), or point adf at one with --docker PATH; nothing was built")))
}

/// A build for another architecture runs its `RUN` steps under an emulator: refuse, before
/// anything starts, the platforms this host cannot run.
fn platform_check(
    project: &Project,
    building: &HashSet<usize>,
    engine: &dyn crate::engine::Engine,
) -> Result<(), Box<Diagnostic>> {
    let mut cache = DockerfileCache::default();
    let mut problems: Vec<String> = Vec::new();
    let mut indexes: Vec<usize> = building.iter().copied().collect();
    indexes.sort_unstable();
    for i in indexes {
        let img = &project.images[i];
        let Some(platform) = img.spec.platforms.first() else {
            continue;
        };
        let Some(why) = engine.cannot_build(platform) else {
            continue;
        };
        let Some(line) = cache.get(&img.spec.dockerfile).and_then(|f| f.first_run) else {
            continue; // no RUN step: nothing runs for that platform
        };
        let file = img.spec.dockerfile.display();
        problems.push(format!(
            "`{}` for {platform} ({file}:{line} RUN): {why}",
            img.name
        ));
    }
    if problems.is_empty() {
        return Ok(());
    }
    Err(Box::new(
        Diagnostic::error(
            Code::PlatformUnavailable,
            format!("this host cannot build these platforms:\n    {}", problems.join("\n    ")),
        )
        .help("install an emulator (`apt-get install qemu-user-static binfmt-support`), build on a builder that has the platform natively, or narrow the build with --platform; nothing was built"),
    ))
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
