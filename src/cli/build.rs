//! `adf build` and the engine-aware part of `adf plan`.

use super::load;
use super::{GlobalArgs, TextFormat, EXIT_FAILED, EXIT_OK};
use crate::diag::Diagnostic;
use crate::engine::scheduler::{self, Job, Outcome, Status};
use crate::engine::{self, BuildRequest, Builder, Docker, SecretSource};
use crate::model::dockerfile::DockerfileCache;
use crate::model::Project;
use crate::plan::decide::{self, Action, Decision};
use crate::plan::fingerprint::FINGERPRINT_LABEL;
use crate::plan::fingerprint::{save_manifest, Inputs};
use crate::plan::{self, Plan};
use std::collections::HashMap;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

/// Exit code after Ctrl-C (128 + SIGINT).
pub const EXIT_INTERRUPTED: i32 = 130;

pub struct BuildOptions {
    pub targets: Vec<String>,
    pub jobs: Option<usize>,
    pub keep_going: bool,
    pub force: bool,
    pub dry_run: bool,
    pub format: TextFormat,
    pub docker: Option<PathBuf>,
    pub build_flags: Vec<String>,
}

pub fn state_dir(project: &Project) -> PathBuf {
    project.dir.join(".adf")
}

/// What adf knows before building: each planned image's inputs and decision, and what the
/// engine reported for every tag.
pub struct Decided {
    pub inputs: Vec<Inputs>,
    pub decisions: Vec<Decision>,
    pub found: HashMap<String, engine::ImageInfo>,
}

/// Fingerprints and build/fresh decisions; the engine is asked once for every tag.
pub fn decisions(
    project: &Project,
    plan: &Plan,
    docker: Option<&Path>,
    force: bool,
) -> Result<Decided, Box<Diagnostic>> {
    let state = state_dir(project);
    let inputs = decide::inputs(project, plan, &state).map_err(|e| {
        Box::new(
            Diagnostic::error("fingerprint", format!("cannot read build inputs: {e}"))
                .help("check that every build context and installer is readable"),
        )
    })?;
    let refs: Vec<String> = plan
        .images
        .iter()
        .flat_map(|i| i.tags.iter().cloned())
        .collect();
    let found = docker
        .map(|d| engine::inspect_many(d, &refs))
        .unwrap_or_default();
    let existing: HashMap<String, String> = found
        .iter()
        .map(|(k, v)| (k.clone(), v.fingerprint.clone()))
        .collect();
    let decisions = decide::decide(project, plan, &inputs, &existing, force, &state);
    Ok(Decided {
        inputs,
        decisions,
        found,
    })
}

/// Under the legacy builder, BuildKit-only Dockerfile features fail late and obscurely: refuse
/// them before anything starts.
fn legacy_check(
    project: &Project,
    plan: &Plan,
    decisions: &[Decision],
    docker: &Docker,
) -> Result<(), Box<Diagnostic>> {
    if docker.builder != Builder::Legacy {
        return Ok(());
    }
    let mut cache = DockerfileCache::default();
    let mut problems = Vec::new();
    for (p, d) in plan.images.iter().zip(decisions) {
        if d.action != Action::Build {
            continue;
        }
        let img = &project.images[p.index];
        let Some(facts) = cache.get(&img.dockerfile) else {
            continue;
        };
        let file = img
            .dockerfile
            .strip_prefix("./")
            .unwrap_or(&img.dockerfile)
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
        if !img.decl.build.secrets.is_empty() {
            problems.push(format!("image `{}` uses build secrets", img.name));
        }
    }
    if problems.is_empty() {
        return Ok(());
    }
    Err(Box::new(Diagnostic::error(
        "needs-buildkit",
        format!("{} uses the legacy builder ({}), but these need BuildKit:\n    {}", docker.path.display(), docker.builder_reason, problems.join("\n    ")),
    )
    .help("install the buildx plugin, use a docker client older than 23 (it builds with DOCKER_BUILDKIT=1), or point adf at one with --docker PATH; nothing was built")))
}

fn secrets_for(project: &Project, names: &[crate::config::Str]) -> Vec<(String, SecretSource)> {
    names
        .iter()
        .filter_map(|n| project.secrets.iter().find(|s| s.id.value == n.value))
        .filter_map(|s| match (&s.file, &s.environment) {
            (Some(f), _) => Some((
                s.id.value.clone(),
                SecretSource::File(project.dir.join(&f.value)),
            )),
            (None, Some(e)) => Some((s.id.value.clone(), SecretSource::Env(e.value.clone()))),
            _ => None,
        })
        .collect()
}

fn split_flags(flags: &[String]) -> Vec<String> {
    flags
        .iter()
        .flat_map(|f| f.split_whitespace().map(str::to_string).collect::<Vec<_>>())
        .collect()
}

fn jobs_for(
    project: &Project,
    plan: &Plan,
    inputs: &[Inputs],
    decisions: &[Decision],
    found: &HashMap<String, engine::ImageInfo>,
    extra_flags: &[String],
) -> Vec<Job> {
    let state = state_dir(project);
    let position: HashMap<usize, usize> = plan
        .images
        .iter()
        .enumerate()
        .map(|(pos, p)| (p.index, pos))
        .collect();
    plan.images
        .iter()
        .zip(inputs.iter().zip(decisions))
        .map(|(p, (_, d))| {
            let img = &project.images[p.index];
            let b = &img.decl.build;
            let mut flags = split_flags(&project.build_flags);
            flags.extend(split_flags(
                &img.decl
                    .build_flags
                    .iter()
                    .map(|f| f.value.clone())
                    .collect::<Vec<_>>(),
            ));
            if let Some(n) = &b.network {
                flags.extend(["--network".to_string(), n.value.clone()]);
            }
            if let Some(s) = &b.shm_size {
                flags.extend(["--shm-size".to_string(), s.value.clone()]);
            }
            if b.no_cache.as_ref().is_some_and(|v| v.value) {
                flags.push("--no-cache".into());
            }
            if b.pull.as_ref().is_some_and(|v| v.value) {
                flags.push("--pull".into());
            }
            for c in &b.cache_from {
                flags.extend(["--cache-from".to_string(), c.value.clone()]);
            }
            for h in &b.extra_hosts {
                flags.extend(["--add-host".to_string(), h.value.clone()]);
            }
            flags.extend(split_flags(extra_flags));
            let mut labels: std::collections::BTreeMap<String, String> = b
                .labels
                .iter()
                .map(|(k, v)| (k.value.clone(), v.value.clone()))
                .collect();
            labels.insert(FINGERPRINT_LABEL.into(), d.fingerprint.clone());
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
                request: BuildRequest {
                    name: p.name.clone(),
                    context: img.context.clone(),
                    dockerfile: img.dockerfile.clone(),
                    args: p.args.clone(),
                    labels,
                    target: b.target.as_ref().map(|t| t.value.clone()),
                    platform: b.platforms.first().map(|x| x.value.clone()),
                    secrets: secrets_for(project, &b.secrets),
                    flags,
                    log: state.join("logs").join(format!("{}.log", p.name)),
                },
            }
        })
        .collect()
}

fn interrupt_flag() -> Arc<AtomicBool> {
    let flag = Arc::new(AtomicBool::new(false));
    let f = flag.clone();
    // a second handler cannot be installed (tests run several builds in one process): ignore
    let _ = ctrlc::set_handler(move || f.store(true, Ordering::SeqCst));
    flag
}

pub fn run(g: &GlobalArgs, o: BuildOptions) -> i32 {
    let (project, loaded) = match load::require_clean(g, true) {
        Ok(x) => x,
        Err(code) => return code,
    };
    let selected = match plan::select(&project, &o.targets) {
        Ok(s) => s,
        Err(d) => return super::print_diag_error(*d),
    };
    let plan = plan::make(&project, &selected);
    // ask the engine what it is while the inputs are hashed and the tags looked up
    let path = engine::docker_path(o.docker.clone());
    let (detected, decided) = std::thread::scope(|s| {
        let detect = s.spawn(|| engine::detect(path.clone()));
        let decided = decisions(&project, &plan, Some(&path), o.force);
        let detected = detect
            .join()
            .unwrap_or_else(|_| Err(engine::DetectError::NotFound(path.display().to_string())));
        (detected, decided)
    });
    let docker = match detected {
        Ok(d) => d,
        Err(e) => {
            return super::print_diag_error(
                Diagnostic::error("no-engine", e.to_string()).help(e.help()),
            )
        }
    };
    let Decided {
        inputs,
        decisions,
        found,
    } = match decided {
        Ok(x) => x,
        Err(d) => return super::print_diag_error(*d),
    };
    // installer preflight: every installer of an image about to be built is here
    let building: std::collections::HashSet<usize> = plan
        .images
        .iter()
        .zip(&decisions)
        .filter(|(_, d)| d.action == Action::Build)
        .map(|(p, _)| p.index)
        .collect();
    let mut preflight = crate::diag::Diagnostics::default();
    crate::model::installers::check_present(
        &project,
        &|i| building.contains(&i),
        crate::diag::Severity::Error,
        &mut preflight,
    );
    if preflight.has_errors() {
        let color = load::color(std::io::stderr().is_terminal());
        eprint!(
            "{}",
            crate::diag::render_human(&preflight, &loaded.sources, color)
        );
        let n = preflight.count(crate::diag::Severity::Error);
        eprintln!(
            "adf: {n} installer{} missing; nothing was built",
            if n == 1 { " is" } else { "s are" }
        );
        return super::EXIT_BAD_INPUT;
    }
    if let Err(d) = legacy_check(&project, &plan, &decisions, &docker) {
        return super::print_diag_error(*d);
    }
    let jobs = jobs_for(&project, &plan, &inputs, &decisions, &found, &o.build_flags);
    let names: Vec<String> = jobs.iter().map(|j| j.name.clone()).collect();
    if o.dry_run {
        for (j, d) in jobs.iter().zip(&decisions) {
            println!(
                "{:<5} {}  ({})",
                if d.action == Action::Build {
                    "build"
                } else {
                    "fresh"
                },
                j.name,
                d.reason
            );
        }
        return EXIT_OK;
    }
    let state = state_dir(&project);
    let to_build = decisions
        .iter()
        .filter(|d| d.action == Action::Build)
        .count();
    eprintln!(
        "adf: {} image{}, {to_build} to build, {} jobs, {} via {} ({})",
        jobs.len(),
        if jobs.len() == 1 { "" } else { "s" },
        o.jobs.unwrap_or_else(default_jobs),
        docker.path.display(),
        docker.builder,
        docker.builder_reason
    );
    let logs: Vec<String> = jobs
        .iter()
        .map(|j| j.request.log.display().to_string())
        .collect();
    let mut view = crate::ui::BuildView::new(names.clone(), logs, std::io::stderr().is_terminal());
    let interrupted = interrupt_flag();
    let opts = scheduler::Options {
        jobs: o.jobs.unwrap_or_else(default_jobs),
        keep_going: o.keep_going,
    };
    let outcomes = scheduler::run(&docker, &jobs, opts, &interrupted, &mut |ev| {
        view.handle(ev)
    });
    for ((outcome, inputs), job) in outcomes.iter().zip(&inputs).zip(&jobs) {
        if matches!(outcome.status, Status::Built { .. }) {
            if let Err(e) = save_manifest(&state, &job.name, inputs) {
                eprintln!(
                    "adf: warning: cannot record the inputs of {} for --explain: {e}",
                    job.name
                );
            }
        }
    }
    print_summary(&names, &outcomes, o.format);
    if interrupted.load(Ordering::SeqCst) {
        eprintln!("adf: interrupted; no tag was moved for unfinished images");
        return EXIT_INTERRUPTED;
    }
    if outcomes.iter().all(|o| o.status.ok()) {
        EXIT_OK
    } else {
        EXIT_FAILED
    }
}

pub fn default_jobs() -> usize {
    std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(2)
        .max(2)
}

fn print_summary(names: &[String], outcomes: &[Outcome], format: TextFormat) {
    match format {
        TextFormat::Text => print!("\n{}", crate::ui::summary_table(names, outcomes)),
        TextFormat::Json => {
            let images: Vec<serde_json::Value> = names
                .iter()
                .zip(outcomes)
                .map(|(n, o)| {
                    let mut v = serde_json::json!({ "name": n });
                    if let (Some(obj), Ok(serde_json::Value::Object(status))) =
                        (v.as_object_mut(), serde_json::to_value(&o.status))
                    {
                        obj.extend(status);
                        obj.insert(
                            "seconds".into(),
                            serde_json::json!((o.seconds * 10.0).round() / 10.0),
                        );
                    }
                    v
                })
                .collect();
            let ok = outcomes.iter().all(|o| o.status.ok());
            super::print_json(&serde_json::json!({ "ok": ok, "images": images }));
        }
    }
}

/// Adds `action`, `reason`, `fingerprint` (and with `explain`, `changes`) to each plan entry.
pub fn plan_with_decisions(
    project: &Project,
    plan: &Plan,
    docker_flag: Option<PathBuf>,
    no_engine: bool,
) -> Result<(Vec<Decision>, Option<String>), Box<Diagnostic>> {
    let (docker, note) = if no_engine {
        (None, Some("engine not asked (--no-engine)".to_string()))
    } else {
        match engine::detect(engine::docker_path(docker_flag)) {
            Ok(d) => (Some(d), None),
            Err(e) => (None, Some(format!("engine not reachable: {e}"))),
        }
    };
    let mut decisions = decisions(
        project,
        plan,
        docker.as_ref().map(|d| d.path.as_path()),
        false,
    )?
    .decisions;
    if let Some(n) = &note {
        for d in &mut decisions {
            d.action = Action::Build;
            d.reason = n.clone();
        }
    }
    Ok((decisions, note))
}
