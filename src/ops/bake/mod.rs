//! The bake backend of `adf build --bake`: adf decides what is stale, BuildKit builds it. The
//! stale images go to one `docker buildx bake` run (the file kept in `.adf/bake.json`): a stale
//! parent as a `target:` context of the same bake, a fresh one as `docker-image://` of a pin tag
//! of its exact image ID (recorded as `adf.parent`), or its registry reference; the engine then
//! says which targets now carry their fingerprint. Progress and logs are per image, as with the
//! default backend.

mod repair;
mod stream;

use super::build::{BuildReporter, Planned};
use super::schedule::{Event, Outcome, Status};
use crate::engine::{Engine, ImageInfo};
use crate::export::bake::{bake_file, BakeImage};
use crate::model::Project;
use crate::plan::decide::Action;
use crate::plan::Plan;
use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicBool, Ordering};

/// Where the bake runs.
#[derive(Clone, Debug, Default)]
pub struct BakeOptions {
    /// `--builder NAME`; the current builder otherwise.
    pub builder: Option<String>,
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
        built_at: None,
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
    /// Per stale image: its args (the base arg pinned to its parent's image) and that image's
    /// ID.
    args: Vec<(BTreeMap<String, String>, Option<String>)>,
}

/// Builds the stale images of `images` (planned, with decisions) in one bake: BuildKit orders
/// and schedules the whole stale graph. A stale parent reaches its children as a `target:`
/// context of the same bake (the very result of that build, which no other run can move); a
/// fresh parent as a pin tag of its exact image ID, recorded as `adf.parent`. A child of a
/// stale image is rebuilt with it. Fresh images keep their image and get any tag they miss;
/// one outcome per planned image.
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
    let mut outcomes: Vec<Option<Outcome>> = vec![None; images.len()];
    let position = plan.positions();
    let parents_of = |i: usize| -> Vec<usize> {
        project.images[plan.images[i].index]
            .parents
            .iter()
            .filter_map(|q| position.get(q).copied())
            .collect()
    };
    // in build order: settle what is fresh; what is stale, and everything below it, bakes
    let mut stale: Vec<usize> = Vec::new();
    for i in 0..plan.images.len() {
        let parents = parents_of(i);
        if parents.iter().any(|q| stale.contains(q)) {
            stale.push(i);
            continue;
        }
        let bad = parents
            .iter()
            .find(|&&q| !outcomes[q].as_ref().is_some_and(|o| o.status.ok()));
        let base = parents.first().and_then(|&q| {
            let id = outcomes[q].as_ref()?.status.image_id()?;
            Some((id, plan.images[q].tags.first()))
        });
        let o = if let Some(&q) = bad {
            settled(Status::Blocked {
                reason: format!("parent `{}` was not built", plan.images[q].name),
            })
        } else if interrupted.load(Ordering::SeqCst) {
            settled(Status::NotStarted)
        } else {
            match settle_fresh(plan, images, i, found, base, engine) {
                Some(o) => o,
                None => {
                    stale.push(i);
                    continue;
                }
            }
        };
        reporter.event(
            images,
            &Event::Finished {
                job: i,
                outcome: o.clone(),
            },
        );
        outcomes[i] = Some(o);
    }
    if !stale.is_empty() && !interrupted.load(Ordering::SeqCst) {
        let batch = Batch {
            project,
            plan,
            images,
            stale,
            position: &position,
        };
        let mut results: BTreeMap<usize, Outcome> =
            bake_batch(&batch, &outcomes, engine, opts, interrupted, reporter)
                .into_iter()
                .collect();
        // each round bakes at least the topmost of them on their parents' exported images
        for _ in 0..batch.stale.len() {
            let redo = repair::off_their_parents(&batch, &results, engine);
            if redo.is_empty() || interrupted.load(Ordering::SeqCst) {
                break;
            }
            let names: Vec<&str> = redo.iter().map(|&i| plan.images[i].name.as_str()).collect();
            reporter.note(&format!(
                "BuildKit built {} on another build of its parent than the image it exported \
                 (its cache held more than one result of a step); baking again on the exported parent",
                names.join(", ")
            ));
            let mut now = outcomes.clone();
            for (&i, o) in &results {
                now[i] = Some(o.clone());
            }
            let again = Batch {
                stale: redo,
                ..batch
            };
            for (i, o) in bake_batch(&again, &now, engine, opts, interrupted, reporter) {
                let first = results.get(&i).and_then(|f| f.started_at);
                let seconds = results.get(&i).map_or(0.0, |f| f.seconds);
                results.insert(
                    i,
                    Outcome {
                        started_at: first.or(o.started_at),
                        seconds: seconds + o.seconds,
                        ..o
                    },
                );
            }
        }
        for (i, o) in results {
            reporter.event(
                images,
                &Event::Finished {
                    job: i,
                    outcome: o.clone(),
                },
            );
            outcomes[i] = Some(o);
        }
    }
    outcomes
        .into_iter()
        .map(|o| o.unwrap_or_else(|| settled(Status::NotStarted)))
        .collect()
}

/// The stale images of a run, in build order.
struct Batch<'a> {
    project: &'a Project,
    plan: &'a Plan,
    images: &'a [Planned],
    stale: Vec<usize>,
    /// Project image index → position in the plan.
    position: &'a HashMap<usize, usize>,
}

/// The stale images in one bake: a base parent outside the bake pinned by its image ID, one
/// inside it linked as `target:`; the outcome of each.
fn bake_batch(
    batch: &Batch,
    outcomes: &[Option<Outcome>],
    engine: &dyn Engine,
    opts: &BakeOptions,
    interrupted: &AtomicBool,
    reporter: &mut dyn BuildReporter,
) -> Vec<(usize, Outcome)> {
    let (project, plan) = (batch.project, batch.plan);
    let mut pins = Vec::new();
    let mut args = Vec::new();
    let mut failed = Vec::new();
    for &i in &batch.stale {
        let p = &plan.images[i];
        let img = &project.images[p.index];
        let mut a = p.args.clone();
        let base = img
            .parents
            .first()
            .and_then(|q| batch.position.get(q).copied())
            .filter(|q| !batch.stale.contains(q))
            .and_then(|q| outcomes[q].as_ref()?.status.image_id())
            .filter(|_| a.contains_key(&img.base_arg));
        if let Some(id) = base {
            match engine.pin(id) {
                Ok(pin) => {
                    a.insert(img.base_arg.clone(), pin.clone());
                    pins.push(pin);
                }
                Err(e) => failed.push((i, format!("cannot pin the parent image {id}: {e}"))),
            }
        }
        args.push((a, base.map(str::to_string)));
    }
    let out: Vec<(usize, Outcome)> = if failed.is_empty() {
        let run = BakeRun {
            project,
            plan,
            images: batch.images,
            stale: batch.stale.clone(),
            args,
        };
        bake_stale(&run, engine, opts, interrupted, reporter)
    } else {
        let not_started = batch
            .stale
            .iter()
            .filter(|i| !failed.iter().any(|f| f.0 == **i));
        let not_started: Vec<(usize, Outcome)> = not_started
            .map(|&i| (i, settled(Status::NotStarted)))
            .collect();
        failed
            .into_iter()
            .map(|(i, reason)| (i, settled(Status::Failed { reason })))
            .chain(not_started)
            .collect()
    };
    let pins: Vec<&str> = pins.iter().map(String::as_str).collect();
    engine.untag(&pins);
    out
}

/// Writes the bake file of `run`, runs it and reads back what each stale image became.
fn bake_stale(
    run: &BakeRun,
    engine: &dyn Engine,
    opts: &BakeOptions,
    interrupted: &AtomicBool,
    reporter: &mut dyn BuildReporter,
) -> Vec<(usize, Outcome)> {
    let images = run.images;
    let file = match write_file(run, reporter) {
        Ok(f) => f,
        Err(why) => {
            let failed = |&i: &usize| {
                let reason = why.clone();
                (i, settled(Status::Failed { reason }))
            };
            return run.stale.iter().map(failed).collect();
        }
    };
    for &i in &run.stale {
        let _ = crate::safe_fs::create_file(&images[i].log);
        reporter.event(images, &Event::Started { job: i });
    }
    let started_at = std::time::SystemTime::now();
    let (result, spans) = stream::stream(run, engine, &file, opts, interrupted, reporter);
    let bake = (started_at, std::time::SystemTime::now());
    stream::read_back(run, engine, &result, bake, &spans, interrupted)
}

/// A fresh image settled without building (`None`: it builds): `fresh (registry)` as it is; a
/// local one with every tag pointing at its image, unless it was built FROM another image than
/// its base parent's now (`base`: that image's ID and the parent's primary tag).
fn settle_fresh(
    plan: &Plan,
    images: &[Planned],
    i: usize,
    found: &HashMap<String, ImageInfo>,
    base: Option<(&str, Option<&String>)>,
    engine: &dyn Engine,
) -> Option<Outcome> {
    let p = &plan.images[i];
    let decision = &images[i].decision;
    let status = match (&decision.action, &decision.registry) {
        (Action::Build, _) => return None,
        (Action::FreshRegistry, Some(reference)) => Status::FreshRegistry {
            reference: reference.clone(),
        },
        _ => {
            let info = p.tags.first().and_then(|t| found.get(t))?;
            let on = |(id, tag): (&str, Option<&String>)| {
                let known = tag.and_then(|t| found.get(t));
                super::schedule::still_on(engine, Some(info), id, tag, known)
            };
            if base.is_some_and(|b| !on(b)) {
                return None;
            }
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
    Some(settled(status))
}

/// `.adf/bake.json`: the stale images; a parent among them is linked as `target:`, any other
/// comes from where the child's FROM points (the pin tag of its image, or its registry
/// reference for a `fresh (registry)` one).
fn write_file(
    run: &BakeRun,
    reporter: &mut dyn BuildReporter,
) -> Result<std::path::PathBuf, String> {
    let (project, plan) = (run.project, run.plan);
    let bake_images: Vec<BakeImage> = run
        .stale
        .iter()
        .zip(&run.args)
        .map(|(&i, (args, parent))| BakeImage {
            image: &project.images[plan.images[i].index],
            fingerprint: &run.images[i].decision.fingerprint,
            args,
            parent: parent.as_deref(),
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
        if run.stale.iter().any(|&i| plan.images[i].index == p) {
            continue; // built by this bake: linked as `target:`
        }
        let from = b
            .args
            .get(&b.image.base_arg)
            .map(String::as_str)
            .or(project.images[p].primary_tag());
        if let Some(from) = from {
            external.insert(from.to_string(), format!("docker-image://{from}"));
        }
    }
    let defaults: Vec<&crate::model::Image> = bake_images.iter().map(|b| b.image).collect();
    let json = bake_file(project, &bake_images, &defaults, &external);
    let state = super::ensure_state_dir(project).unwrap_or_else(|_| super::state_dir(project));
    let file = state.join("bake.json");
    crate::safe_fs::create_dir_checked(&state.join("logs"))
        .and_then(|_| super::write_json_atomically(&file, &json))
        .map_err(|e| format!("cannot write {}: {e}", file.display()))?;
    Ok(file)
}
