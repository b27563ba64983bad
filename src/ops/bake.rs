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
    let start = Instant::now();
    let started_at = std::time::SystemTime::now();
    // settled without building: a fresh image at this moment, anything else never started
    let settled = |status: Status| {
        let at = matches!(status, Status::Fresh { .. }).then(std::time::SystemTime::now);
        Outcome {
            status,
            seconds: 0.0,
            tail: Vec::new(),
            started_at: at,
            finished_at: at,
        }
    };
    let stale: Vec<usize> = (0..images.len())
        .filter(|&i| images[i].decision.action == Action::Build)
        .collect();
    let mut outcomes: Vec<Option<Outcome>> = vec![None; images.len()];
    let mut settle = |i: usize, o: Outcome, reporter: &mut dyn BuildReporter| {
        reporter.event(
            images,
            &Event::Finished {
                job: i,
                outcome: o.clone(),
            },
        );
        outcomes[i] = Some(o);
    };
    // fresh images: the image the primary tag holds, every tag pointing at it
    for (i, p) in plan.images.iter().enumerate() {
        match (&images[i].decision.action, &images[i].decision.registry) {
            (Action::Build, _) => continue,
            (Action::FreshRegistry, Some(reference)) => {
                let reference = reference.clone();
                settle(i, settled(Status::FreshRegistry { reference }), reporter);
                continue;
            }
            _ => {}
        }
        let Some(info) = p.tags.first().and_then(|t| found.get(t)) else {
            continue;
        };
        let missing: Vec<String> = p
            .tags
            .iter()
            .filter(|t| found.get(*t).map(|f| &f.id) != Some(&info.id))
            .cloned()
            .collect();
        let status = match engine.tag(&info.id, &missing) {
            Ok(()) => Status::Fresh {
                image_id: info.id.clone(),
            },
            Err(e) => Status::Failed {
                reason: format!("cannot tag: {e}"),
            },
        };
        settle(i, settled(status), reporter);
    }
    if stale.is_empty() {
        return outcomes
            .into_iter()
            .map(|o| o.unwrap_or_else(|| settled(Status::NotStarted)))
            .collect();
    }

    // the bake file: the stale images, fresh parents by their local tags
    let bake_images: Vec<BakeImage> = stale
        .iter()
        .map(|&i| BakeImage {
            image: &project.images[plan.images[i].index],
            fingerprint: &images[i].decision.fingerprint,
            args: &plan.images[i].args,
        })
        .collect();
    // a fresh parent comes from where the child's FROM points: its local tag, or its registry
    // reference for a `fresh (registry)` one
    let mut external = BTreeMap::new();
    for b in &bake_images {
        if let Some(&p) = b.image.parents.first() {
            let parent_stale = stale.iter().any(|&i| plan.images[i].index == p);
            let from = b
                .args
                .get(&b.image.base_arg)
                .map(String::as_str)
                .or(project.images[p].primary_tag());
            if let (false, Some(from)) = (parent_stale, from) {
                external.insert(from.to_string(), format!("docker-image://{from}"));
            }
        }
    }
    for b in &bake_images {
        let left = crate::export::bake::unmapped(b.image);
        if !left.is_empty() {
            reporter.warning(&format!(
                "{}: bake has no {}; left out",
                b.image.name,
                left.join(", ")
            ));
        }
    }
    let defaults: Vec<&crate::model::Image> = bake_images.iter().map(|b| b.image).collect();
    let file_json = bake_file(project, &bake_images, &defaults, &external);
    let state = super::state_dir(project);
    let file = state.join("bake.json");
    let failed_all = |why: String, outcomes: Vec<Option<Outcome>>| {
        outcomes
            .into_iter()
            .map(|o| {
                o.unwrap_or_else(|| {
                    settled(Status::Failed {
                        reason: why.clone(),
                    })
                })
            })
            .collect::<Vec<_>>()
    };
    if let Err(e) = std::fs::create_dir_all(state.join("logs"))
        .and_then(|_| super::write_json_atomically(&file, &file_json))
    {
        return failed_all(format!("cannot write {}: {e}", file.display()), outcomes);
    }
    for &i in &stale {
        let _ = std::fs::File::create(&images[i].log);
        reporter.event(images, &Event::Started { job: i });
    }
    let by_target: HashMap<String, usize> = stale
        .iter()
        .map(|&i| (target_name(&images[i].name), i))
        .collect();

    // one bake; its lines go to each target's log and progress, on this thread
    let (tx, rx) = mpsc::channel::<Line>();
    let result = std::thread::scope(|s| {
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
            engine.bake(&file, opts.builder.as_deref(), interrupted, &on_line)
        });
        let mut common = std::fs::File::create(state.join("logs").join("bake.log")).ok();
        let mut logs: HashMap<usize, Option<std::fs::File>> = HashMap::new();
        for msg in rx {
            match msg {
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
                    if let Some(c) = common.as_mut() {
                        let _ = writeln!(c, "{line}");
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
                }
                Line::Other(line) => {
                    if let Some(c) = common.as_mut() {
                        let _ = writeln!(c, "{line}");
                    }
                }
            }
        }
        worker.join().unwrap_or_else(|_| {
            Err(crate::engine::EngineError::new(
                ErrorKind::Failed,
                "docker buildx bake",
                "the bake thread stopped",
            ))
        })
    });
    let seconds = start.elapsed().as_secs_f64();
    let finished_at = std::time::SystemTime::now();

    // what the engine now holds decides each target's outcome
    let refs: Vec<String> = stale
        .iter()
        .filter_map(|&i| plan.images[i].tags.first().cloned())
        .collect();
    let now = engine.built_images(&refs);
    let mut failed: Vec<usize> = Vec::new();
    for &i in &stale {
        let p = &plan.images[i];
        let built = p
            .tags
            .first()
            .and_then(|t| now.get(t))
            .filter(|info| info.fingerprint == images[i].decision.fingerprint);
        let parent_failed = project.images[p.index]
            .parents
            .iter()
            .any(|&q| failed.iter().any(|&f| plan.images[f].index == q));
        let o = match (built, &result) {
            (Some(info), _) => Outcome {
                status: Status::Built {
                    image_id: info.id.clone(),
                },
                seconds,
                tail: Vec::new(),
                started_at: Some(started_at),
                finished_at: Some(finished_at),
            },
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
                Outcome {
                    status: Status::Failed {
                        reason: format!("docker buildx bake: {}", e.message),
                    },
                    seconds,
                    tail: if mine { e.tail.clone() } else { Vec::new() },
                    started_at: Some(started_at),
                    finished_at: Some(finished_at),
                }
            }
            (None, _) => {
                failed.push(i);
                settled(Status::Failed {
                    reason: "bake finished, but the image does not carry its fingerprint".into(),
                })
            }
        };
        settle(i, o, reporter);
    }
    outcomes
        .into_iter()
        .map(|o| o.unwrap_or_else(|| settled(Status::NotStarted)))
        .collect()
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
