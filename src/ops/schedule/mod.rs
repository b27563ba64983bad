//! Runs builds in dependency order, independent images in parallel (up to `jobs`). A failure
//! blocks the failed image's descendants; without `keep_going` nothing new starts after it.
//! Tags are applied only after an image built successfully, before its children start.

mod build_one;

use crate::engine::{BuildRequest, Engine};
use build_one::{build_and_tag, finish_fresh, Owned};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::time::{Duration, SystemTime};

/// One image to bring up to date.
#[derive(Clone, Debug)]
pub struct Job {
    pub name: String,
    /// Positions (in the job list) of the images this one waits for.
    pub parents: Vec<usize>,
    pub tags: Vec<String>,
    pub request: BuildRequest,
    /// `Some(image id)` when the image is fresh: nothing is built.
    pub fresh: Option<String>,
    /// For a fresh image, its tags that do not point at it yet (a tag added to the file).
    pub retag: Vec<String>,
    /// `Some(reference)` when the registry holds the image fresh: nothing is built or pulled.
    pub registry: Option<String>,
    /// The parent (position) whose image the base arg names: the child is built FROM that
    /// exact image, pinned, never from the parent's tag (another run may move it meanwhile).
    pub base: Option<Base>,
    /// For a fresh image: what the engine holds under its primary tag (the parent it was built
    /// FROM, its layers).
    pub image: Option<crate::engine::ImageInfo>,
}

/// The arg through which a child gets its parent's image.
#[derive(Clone, Debug)]
pub struct Base {
    /// Position of the parent in the job list.
    pub parent: usize,
    /// The base arg (`BASE_IMAGE`).
    pub arg: String,
}

#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase", tag = "status")]
pub enum Status {
    Built {
        image_id: String,
    },
    Fresh {
        image_id: String,
    },
    /// Held fresh by the registry under `reference`; not in the local store.
    #[serde(rename = "fresh (registry)")]
    FreshRegistry {
        reference: String,
    },
    Failed {
        reason: String,
    },
    /// A parent failed or was not built.
    Blocked {
        reason: String,
    },
    /// Stopped by Ctrl-C (running) or not started after a failure / Ctrl-C.
    Interrupted,
    #[serde(rename = "not-started")]
    NotStarted,
}

impl Status {
    pub fn ok(&self) -> bool {
        matches!(
            self,
            Status::Built { .. } | Status::Fresh { .. } | Status::FreshRegistry { .. }
        )
    }

    pub fn word(&self) -> &'static str {
        match self {
            Status::Built { .. } => "built",
            Status::Fresh { .. } => "fresh",
            Status::FreshRegistry { .. } => "fresh (registry)",
            Status::Failed { .. } => "failed",
            Status::Blocked { .. } => "blocked",
            Status::Interrupted => "interrupted",
            Status::NotStarted => "not started",
        }
    }

    pub fn image_id(&self) -> Option<&str> {
        match self {
            Status::Built { image_id } | Status::Fresh { image_id } => Some(image_id),
            _ => None,
        }
    }
}

#[derive(Clone, Debug)]
pub struct Outcome {
    pub status: Status,
    pub seconds: f64,
    /// Tail of the failing step, for failures.
    pub tail: Vec<String>,
    /// When the job started (a fresh image: when it was settled); `None` if it never started.
    pub started_at: Option<SystemTime>,
    /// When building ended and tagging began: the engine's build returned (with its tags
    /// applied), or a bake target's first `exporting to` line; `None` if nothing was built.
    pub built_at: Option<SystemTime>,
    /// When the job ended (a fresh image: when it was settled); `None` if it never started.
    pub finished_at: Option<SystemTime>,
}

impl Outcome {
    /// An image that never started (blocked, not started), with no time spent.
    fn unstarted(status: Status) -> Outcome {
        Outcome {
            status,
            seconds: 0.0,
            tail: vec![],
            started_at: None,
            built_at: None,
            finished_at: None,
        }
    }
}

#[derive(Debug)]
pub enum Event {
    Started { job: usize },
    Step { job: usize, step: String },
    Finished { job: usize, outcome: Outcome },
}

#[derive(Clone, Copy, Debug)]
pub struct Options {
    pub jobs: usize,
    pub keep_going: bool,
}

enum State {
    Pending,
    Running,
    Done(Outcome),
}

/// The local image ID of `job`'s base parent, once it is built or fresh (a `fresh (registry)`
/// parent is named by its registry reference instead: `None`).
fn base_image<'a>(job: &Job, state: &'a [State]) -> Option<&'a str> {
    match &state[job.base.as_ref()?.parent] {
        State::Done(o) => o.status.image_id(),
        _ => None,
    }
}

/// A fresh job is still fresh once its base parent is settled: it was built FROM the very
/// image the parent is now (a rebuilt parent usually is the same image, from the cache; if not,
/// or if another run moved the parent's tag, the child builds again).
fn on_its_parent(engine: &dyn Engine, jobs: &[Job], job: &Job, state: &[State]) -> bool {
    let (Some(id), Some(base)) = (base_image(job, state), &job.base) else {
        return true;
    };
    let parent = &jobs[base.parent];
    still_on(
        engine,
        job.image.as_ref(),
        id,
        parent.tags.first(),
        parent.image.as_ref(),
    )
}

/// `image` (a fresh child) was built FROM the parent image `id` (tagged `parent_tag`): its
/// `adf.parent` label says so, or without one (a child of a `target:` parent in a bake) its
/// layers extend that image's. `known`: what the run's first lookup found under the parent's
/// tag; the engine is asked again only when that is another image.
pub fn still_on(
    engine: &dyn Engine,
    image: Option<&crate::engine::ImageInfo>,
    id: &str,
    parent_tag: Option<&String>,
    known: Option<&crate::engine::ImageInfo>,
) -> bool {
    let Some(image) = image else {
        return false;
    };
    if image.parent.is_some() {
        return image.parent.as_deref() == Some(id);
    }
    let parent = match known.filter(|k| k.id == id) {
        Some(k) => Some(k.clone()),
        None => parent_tag.and_then(|t| {
            let now = engine.built_images(std::slice::from_ref(t));
            now.get(t).filter(|i| i.id == id).cloned()
        }),
    };
    super::plan::built_on(image, parent.as_ref()).as_deref() == Some(id)
}

/// Runs every job; `on_event` is called on the calling thread, in order.
pub fn run(
    engine: &dyn Engine,
    jobs: &[Job],
    opts: Options,
    interrupted: &AtomicBool,
    on_event: &mut dyn FnMut(&Event),
) -> Vec<Outcome> {
    let mut state: Vec<State> = jobs.iter().map(|_| State::Pending).collect();
    let owned = Owned::new(jobs.len());
    let (tx, rx) = mpsc::channel::<Event>();
    let mut stop_new = false;
    std::thread::scope(|scope| {
        loop {
            if interrupted.load(Ordering::SeqCst) {
                stop_new = true;
            }
            // settle pending jobs whose parents are done
            let mut running = state.iter().filter(|s| matches!(s, State::Running)).count();
            for i in 0..jobs.len() {
                if !matches!(state[i], State::Pending) {
                    continue;
                }
                let parents_done = jobs[i]
                    .parents
                    .iter()
                    .all(|&p| matches!(state[p], State::Done(_)));
                if !parents_done {
                    continue;
                }
                let bad_parent = jobs[i].parents.iter().find_map(|&p| match &state[p] {
                    State::Done(o) if !o.status.ok() => Some(jobs[p].name.clone()),
                    _ => None,
                });
                let outcome = if let Some(parent) = bad_parent {
                    Some(Outcome::unstarted(Status::Blocked {
                        reason: format!("parent `{parent}` was not built"),
                    }))
                } else if stop_new {
                    Some(Outcome::unstarted(Status::NotStarted))
                } else if let Some(reference) = &jobs[i].registry {
                    let now = Some(std::time::SystemTime::now());
                    Some(Outcome {
                        status: Status::FreshRegistry {
                            reference: reference.clone(),
                        },
                        seconds: 0.0,
                        tail: vec![],
                        started_at: now,
                        built_at: None,
                        finished_at: now,
                    })
                } else if let Some(id) = jobs[i]
                    .fresh
                    .as_ref()
                    .filter(|_| on_its_parent(engine, jobs, &jobs[i], &state))
                {
                    Some(finish_fresh(engine, &jobs[i], id))
                } else if running < opts.jobs.max(1) {
                    running += 1;
                    state[i] = State::Running;
                    on_event(&Event::Started { job: i });
                    let parent = base_image(&jobs[i], &state).map(str::to_string);
                    let (job, tx, interrupted, owned) = (&jobs[i], tx.clone(), interrupted, &owned);
                    scope.spawn(move || {
                        let outcome = build_and_tag(
                            engine,
                            job,
                            parent.as_deref(),
                            i,
                            owned,
                            interrupted,
                            &tx,
                        );
                        let _ = tx.send(Event::Finished { job: i, outcome });
                    });
                    None
                } else {
                    None
                };
                if let Some(o) = outcome {
                    if matches!(o.status, Status::Failed { .. }) && !opts.keep_going {
                        stop_new = true;
                    }
                    on_event(&Event::Finished {
                        job: i,
                        outcome: o.clone(),
                    });
                    state[i] = State::Done(o);
                }
            }
            if state.iter().all(|s| matches!(s, State::Done(_))) {
                break;
            }
            match rx.recv_timeout(Duration::from_millis(100)) {
                Ok(Event::Finished { job, outcome }) => {
                    if matches!(outcome.status, Status::Failed { .. }) && !opts.keep_going {
                        stop_new = true;
                    }
                    on_event(&Event::Finished {
                        job,
                        outcome: outcome.clone(),
                    });
                    state[job] = State::Done(outcome);
                }
                Ok(ev) => on_event(&ev),
                Err(_) => {}
            }
        }
    });
    owned.release(engine);
    state
        .into_iter()
        .map(|s| match s {
            State::Done(o) => o,
            _ => Outcome::unstarted(Status::NotStarted),
        })
        .collect()
}
