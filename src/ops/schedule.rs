//! Runs builds in dependency order, independent images in parallel (up to `jobs`). A failure
//! blocks the failed image's descendants; without `keep_going` nothing new starts after it.
//! Tags are applied only after an image built successfully, before its children start.

use crate::engine::{BuildRequest, Engine, ErrorKind};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::time::{Duration, Instant, SystemTime};

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

fn finish_fresh(engine: &dyn Engine, job: &Job, id: &str) -> Outcome {
    // a fresh image may still miss a tag that was added to the file: point it at the image
    let status = match engine.tag(id, &job.retag) {
        Err(e) => Status::Failed {
            reason: format!("cannot tag: {e}"),
        },
        Ok(()) => Status::Fresh {
            image_id: id.to_string(),
        },
    };
    let settled = Some(SystemTime::now());
    Outcome {
        status,
        seconds: 0.0,
        tail: vec![],
        started_at: settled,
        finished_at: settled,
    }
}

fn build_and_tag(
    engine: &dyn Engine,
    job: &Job,
    idx: usize,
    interrupted: &AtomicBool,
    tx: &mpsc::Sender<Event>,
) -> Outcome {
    let start = Instant::now();
    let started_at = Some(SystemTime::now());
    let on_step = |step: String| {
        let _ = tx.send(Event::Step { job: idx, step });
    };
    let status = match engine.build(&job.request, interrupted, &on_step) {
        Ok(built) => {
            let id = built.id;
            let tagged = engine.tag(&id, &job.tags);
            engine.untag(&built.hold_tag);
            match tagged {
                Ok(()) => Status::Built { image_id: id },
                Err(e) => Status::Failed {
                    reason: format!("built {id} but cannot tag it: {e}"),
                },
            }
        }
        Err(e) if e.kind == ErrorKind::Interrupted => Status::Interrupted,
        Err(e) => {
            return Outcome {
                status: Status::Failed { reason: e.message },
                seconds: start.elapsed().as_secs_f64(),
                tail: e.tail,
                started_at,
                finished_at: Some(SystemTime::now()),
            };
        }
    };
    Outcome {
        status,
        seconds: start.elapsed().as_secs_f64(),
        tail: vec![],
        started_at,
        finished_at: Some(SystemTime::now()),
    }
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
                        finished_at: now,
                    })
                } else if let Some(id) = &jobs[i].fresh {
                    Some(finish_fresh(engine, &jobs[i], id))
                } else if running < opts.jobs.max(1) {
                    running += 1;
                    state[i] = State::Running;
                    on_event(&Event::Started { job: i });
                    let (job, tx, interrupted) = (&jobs[i], tx.clone(), interrupted);
                    scope.spawn(move || {
                        let outcome = build_and_tag(engine, job, i, interrupted, &tx);
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
    state
        .into_iter()
        .map(|s| match s {
            State::Done(o) => o,
            _ => Outcome::unstarted(Status::NotStarted),
        })
        .collect()
}
