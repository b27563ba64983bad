//! The bake backend of `adf build --bake`: adf decides what is stale, BuildKit builds it. The
//! stale images go to one `docker buildx bake` run as one bake file (`.adf/bake.json`), each
//! stale parent linked as `target:`, each fresh parent as `docker-image://`; the engine then
//! says which targets now carry their fingerprint. Progress and logs are per image, as with the
//! default backend.

use super::build::{BuildReporter, Planned};
use super::schedule::{Event, Outcome, Status};
use crate::engine::{Engine, ErrorKind, ImageInfo};
use crate::export::bake::{bake_file, target_name, BakeImage};
use crate::model::Project;
use crate::plan::decide::Action;
use crate::plan::Plan;
use std::collections::{BTreeMap, HashMap};
use std::io::Write;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::time::Instant;

/// Where the bake runs.
#[derive(Clone, Debug, Default)]
pub struct BakeOptions {
    /// `--builder NAME`; the current builder otherwise.
    pub builder: Option<String>,
}

enum Line {
    /// An output line of one target's build.
    Target(usize, String),
    Other(String),
}

/// `#12 [mid 2/3] RUN ...` → (`mid`, the rest).
fn target_of(line: &str) -> Option<(&str, &str)> {
    let rest = line.strip_prefix('#')?;
    let (_, rest) = rest.split_once(' ')?;
    let inner = rest.strip_prefix('[')?;
    let end = inner.find(']')?;
    let name = inner[..end].split_whitespace().next()?;
    Some((name, &inner[end + 1..]))
}

/// An outcome settled without building: a fresh image at this moment, anything else never
/// started.
fn settled(status: Status) -> Outcome {
    let at = matches!(status, Status::Fresh { .. } | Status::FreshRegistry { .. })
        .then(std::time::SystemTime::now);
    Outcome {
        status,
        seconds: 0.0,
        tail: Vec::new(),
        started_at: at,
        finished_at: at,
    }
}

/// What one bake run is about.
struct BakeRun<'a> {
    project: &'a Project,
    plan: &'a Plan,
    images: &'a [Planned],
    /// Positions (in the plan) of the stale images.
    stale: Vec<usize>,
}

/// Builds the stale images of `images` (planned, with decisions) in one bake; one outcome per
/// planned image. Fresh images keep their image and get any tag they miss.
#[allow(clippy::too_many_arguments)]
pub fn run(
    project: &Project,
    plan: &Plan,
    images: &[Planned],
    found: &HashMap<String, ImageInfo>,
    engine: &dyn Engine,
    opts: &BakeOptions,
    interrupted: &AtomicBool,
    reporter: &mut dyn BuildReporter,
) -> Vec<Outcome> {
    let stale: Vec<usize> = (0..images.len())
        .filter(|&i| images[i].decision.action == Action::Build)
        .collect();
    let run = BakeRun {
        project,
        plan,
        images,
        stale,
    };
    let mut outcomes = settle_fresh(&run, found, engine, reporter);
    if run.stale.is_empty() {
        return finish(outcomes);
    }
    let file = match write_file(&run, reporter) {
        Ok(f) => f,
        Err(why) => {
            for &i in &run.stale {
                outcomes[i] = Some(settled(Status::Failed {
                    reason: why.clone(),
                }));
            }
            return finish(outcomes);
        }
    };
    for &i in &run.stale {
        let _ = std::fs::File::create(&images[i].log);
        reporter.event(images, &Event::Started { job: i });
    }
    let start = Instant::now();
    let started_at = std::time::SystemTime::now();
    let result = stream(&run, engine, &file, opts, interrupted, reporter);
    let span = (
        start.elapsed().as_secs_f64(),
        started_at,
        std::time::SystemTime::now(),
    );
    for (i, o) in read_back(&run, engine, &result, span, interrupted) {
        reporter.event(
            images,
            &Event::Finished {
                job: i,
                outcome: o.clone(),
            },
        );
        outcomes[i] = Some(o);
    }
    finish(outcomes)
}

fn finish(outcomes: Vec<Option<Outcome>>) -> Vec<Outcome> {
    outcomes
        .into_iter()
        .map(|o| o.unwrap_or_else(|| settled(Status::NotStarted)))
        .collect()
}

/// The images not to build: `fresh (registry)` ones as they are, local fresh ones with every
/// tag pointing at their image.
fn settle_fresh(
    run: &BakeRun,
    found: &HashMap<String, ImageInfo>,
    engine: &dyn Engine,
    reporter: &mut dyn BuildReporter,
) -> Vec<Option<Outcome>> {
    let mut outcomes: Vec<Option<Outcome>> = vec![None; run.images.len()];
    for (i, p) in run.plan.images.iter().enumerate() {
        let decision = &run.images[i].decision;
        let status = match (&decision.action, &decision.registry) {
            (Action::Build, _) => continue,
            (Action::FreshRegistry, Some(reference)) => Status::FreshRegistry {
                reference: reference.clone(),
            },
            _ => {
                let Some(info) = p.tags.first().and_then(|t| found.get(t)) else {
                    continue;
                };
                let missing: Vec<String> = p
                    .tags
                    .iter()
                    .filter(|t| found.get(*t).map(|f| &f.id) != Some(&info.id))
                    .cloned()
                    .collect();
                match engine.tag(&info.id, &missing) {
                    Ok(()) => Status::Fresh {
                        image_id: info.id.clone(),
                    },
                    Err(e) => Status::Failed {
                        reason: format!("cannot tag: {e}"),
                    },
                }
            }
        };
        let o = settled(status);
        reporter.event(
            run.images,
            &Event::Finished {
                job: i,
                outcome: o.clone(),
            },
        );
        outcomes[i] = Some(o);
    }
    outcomes
}

/// `.adf/bake.json`: the stale images; a fresh parent comes from where the child's FROM points
/// (its local tag, or its registry reference for a `fresh (registry)` one).
fn write_file(
    run: &BakeRun,
    reporter: &mut dyn BuildReporter,
) -> Result<std::path::PathBuf, String> {
    let (project, plan) = (run.project, run.plan);
    let bake_images: Vec<BakeImage> = run
        .stale
        .iter()
        .map(|&i| BakeImage {
            image: &project.images[plan.images[i].index],
            fingerprint: &run.images[i].decision.fingerprint,
            args: &plan.images[i].args,
        })
        .collect();
    let mut external = BTreeMap::new();
    for b in &bake_images {
        let left = crate::export::bake::unmapped(b.image);
        if !left.is_empty() {
            reporter.warning(&format!(
                "{}: bake has no {}; left out",
                b.image.name,
                left.join(", ")
            ));
        }
        let Some(&p) = b.image.parents.first() else {
            continue;
        };
        let parent_stale = run.stale.iter().any(|&i| plan.images[i].index == p);
        let from = b
            .args
            .get(&b.image.base_arg)
            .map(String::as_str)
            .or(project.images[p].primary_tag());
        if let (false, Some(from)) = (parent_stale, from) {
            external.insert(from.to_string(), format!("docker-image://{from}"));
        }
    }
    let defaults: Vec<&crate::model::Image> = bake_images.iter().map(|b| b.image).collect();
    let json = bake_file(project, &bake_images, &defaults, &external);
    let state = super::ensure_state_dir(project).unwrap_or_else(|_| super::state_dir(project));
    let file = state.join("bake.json");
    std::fs::create_dir_all(state.join("logs"))
        .and_then(|_| super::write_json_atomically(&file, &json))
        .map_err(|e| format!("cannot write {}: {e}", file.display()))?;
    Ok(file)
}

/// Runs the bake; each line goes to its image's log and progress (on this thread) and to
/// `.adf/logs/bake.log`.
fn stream(
    run: &BakeRun,
    engine: &dyn Engine,
    file: &std::path::Path,
    opts: &BakeOptions,
    interrupted: &AtomicBool,
    reporter: &mut dyn BuildReporter,
) -> Result<(), crate::engine::EngineError> {
    let images = run.images;
    let by_target: HashMap<String, usize> = run
        .stale
        .iter()
        .map(|&i| (target_name(&images[i].name), i))
        .collect();
    let state = super::state_dir(run.project);
    let (tx, rx) = mpsc::channel::<Line>();
    std::thread::scope(|s| {
        let worker = s.spawn(|| {
            let tx = std::sync::Mutex::new(tx);
            let on_line = |line: String| {
                let msg = match target_of(&line).and_then(|(t, _)| by_target.get(t)) {
                    Some(&job) => Line::Target(job, line),
                    None => Line::Other(line),
                };
                if let Ok(tx) = tx.lock() {
                    let _ = tx.send(msg);
                }
            };
            engine.bake(file, opts.builder.as_deref(), interrupted, &on_line)
        });
        let mut common = std::fs::File::create(state.join("logs").join("bake.log")).ok();
        let mut logs: HashMap<usize, Option<std::fs::File>> = HashMap::new();
        for msg in rx {
            let line = match msg {
                Line::Other(line) => line,
                Line::Target(job, line) => {
                    let log = logs.entry(job).or_insert_with(|| {
                        std::fs::OpenOptions::new()
                            .append(true)
                            .create(true)
                            .open(&images[job].log)
                            .ok()
                    });
                    if let Some(log) = log.as_mut() {
                        let _ = writeln!(log, "{line}");
                    }
                    if let Some(step) = crate::engine::progress::step_of(&line) {
                        // `[mid 2/3] RUN ...` → `[2/3] RUN ...`: the image is named already
                        let target = target_name(&images[job].name);
                        let step = step.replacen(&format!("[{target} "), "[", 1).replacen(
                            &format!("[{target}] "),
                            "",
                            1,
                        );
                        reporter.event(images, &Event::Step { job, step });
                    }
                    line
                }
            };
            if let Some(c) = common.as_mut() {
                let _ = writeln!(c, "{line}");
            }
        }
        worker.join().unwrap_or_else(|_| {
            let why = "the bake thread stopped";
            Err(crate::engine::EngineError::new(
                ErrorKind::Failed,
                "docker buildx bake",
                why,
            ))
        })
    })
}

/// What the engine holds after the bake decides each stale image's outcome: its tag carries
/// its fingerprint (built), or it failed, or a parent of it did (blocked). `span`: seconds,
/// start and end.
fn read_back(
    run: &BakeRun,
    engine: &dyn Engine,
    result: &Result<(), crate::engine::EngineError>,
    span: (f64, std::time::SystemTime, std::time::SystemTime),
    interrupted: &AtomicBool,
) -> Vec<(usize, Outcome)> {
    let (seconds, started_at, finished_at) = span;
    let (project, plan) = (run.project, run.plan);
    let refs: Vec<String> = run
        .stale
        .iter()
        .filter_map(|&i| plan.images[i].tags.first().cloned())
        .collect();
    let now = engine.built_images(&refs);
    let ran = |status, tail| Outcome {
        status,
        seconds,
        tail,
        started_at: Some(started_at),
        finished_at: Some(finished_at),
    };
    let mut failed: Vec<usize> = Vec::new();
    let mut out = Vec::new();
    for &i in &run.stale {
        let p = &plan.images[i];
        let built = p
            .tags
            .first()
            .and_then(|t| now.get(t))
            .filter(|info| info.fingerprint == run.images[i].decision.fingerprint);
        let parent_failed = project.images[p.index]
            .parents
            .iter()
            .any(|&q| failed.iter().any(|&f| plan.images[f].index == q));
        let o = match (built, result) {
            (Some(info), _) => ran(
                Status::Built {
                    image_id: info.id.clone(),
                },
                Vec::new(),
            ),
            (None, _) if interrupted.load(Ordering::SeqCst) => settled(Status::Interrupted),
            (None, _) if parent_failed => {
                failed.push(i);
                settled(Status::Blocked {
                    reason: "a parent was not built".into(),
                })
            }
            (None, Err(e)) if e.kind != ErrorKind::Interrupted => {
                failed.push(i);
                let target = target_name(&p.name);
                let mine = e
                    .tail
                    .iter()
                    .any(|l| target_of(l).is_some_and(|(t, _)| t == target));
                let reason = format!("docker buildx bake: {}", e.message);
                ran(
                    Status::Failed { reason },
                    if mine { e.tail.clone() } else { Vec::new() },
                )
            }
            (None, _) => {
                failed.push(i);
                let reason = "bake finished, but the image does not carry its fingerprint".into();
                settled(Status::Failed { reason })
            }
        };
        out.push((i, o));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::target_of;

    #[test]
    fn lines_are_attributed_to_their_target() {
        assert_eq!(target_of("#12 [mid 2/3] RUN x"), Some(("mid", " RUN x")));
        assert_eq!(
            target_of("#7 [base] exporting to image"),
            Some(("base", " exporting to image"))
        );
        assert_eq!(
            target_of("#1 [internal] load local bake definitions").map(|t| t.0),
            Some("internal")
        );
        assert_eq!(target_of("#5 0.123 hi"), None);
    }
}
