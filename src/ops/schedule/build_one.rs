//! One job of a run: a fresh image's missing tags pointed at it, or a build FROM its base
//! parent (through the parent's hold tag, or a pin of its ID), and the private tags the run
//! holds until it ends.

use super::{Event, Job, Outcome, Status};
use crate::engine::{Engine, ErrorKind};
use std::sync::atomic::AtomicBool;
use std::sync::mpsc;
use std::time::{Instant, SystemTime};

/// A fresh image settled: the tags it misses pointed at it.
pub(super) fn finish_fresh(engine: &dyn Engine, job: &Job, id: &str) -> Outcome {
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
        built_at: None,
        finished_at: settled,
    }
}

/// The private tags a run holds until it ends: each built image's hold tag (its children
/// build FROM it, and a containerd image store keeps an image only while a tag names it, so
/// another run moving the image's own tag cannot take it away) and the pins of fresh parents.
/// Removed in one request when the run is over.
pub(super) struct Owned {
    /// Per job: the hold tag of the image it built.
    holds: std::sync::Mutex<Vec<Option<String>>>,
    pins: std::sync::Mutex<Vec<String>>,
}

impl Owned {
    pub(super) fn new(jobs: usize) -> Self {
        Owned {
            holds: std::sync::Mutex::new(vec![None; jobs]),
            pins: std::sync::Mutex::default(),
        }
    }

    fn hold_of(&self, job: usize) -> Option<String> {
        self.holds.lock().ok()?.get(job).cloned().flatten()
    }

    pub(super) fn release(self, engine: &dyn Engine) {
        let holds = self.holds.into_inner().unwrap_or_default();
        let pins = self.pins.into_inner().unwrap_or_default();
        let all: Vec<&str> = holds
            .iter()
            .flatten()
            .chain(&pins)
            .map(String::as_str)
            .collect();
        engine.untag(&all);
    }
}

/// Builds `job` FROM its base parent's image `parent` (when that is a local image): through the
/// parent's hold tag when this run built it, else through a new pin tag of its ID. The build
/// points the job's tags at the result.
pub(super) fn build_and_tag(
    engine: &dyn Engine,
    job: &Job,
    parent: Option<&str>,
    idx: usize,
    owned: &Owned,
    interrupted: &AtomicBool,
    tx: &mpsc::Sender<Event>,
) -> Outcome {
    let start = Instant::now();
    let started_at = Some(SystemTime::now());
    let on_step = |step: String| {
        let _ = tx.send(Event::Step { job: idx, step });
    };
    let mut request = std::borrow::Cow::Borrowed(&job.request);
    if let (Some(base), Some(id)) = (&job.base, parent) {
        let from = match owned.hold_of(base.parent) {
            Some(hold) => hold,
            None => match engine.pin(id) {
                Ok(pin) => {
                    if let Ok(mut pins) = owned.pins.lock() {
                        pins.push(pin.clone());
                    }
                    pin
                }
                Err(e) => {
                    let reason = format!("cannot pin the parent image {id}: {e}");
                    return Outcome::unstarted(Status::Failed { reason });
                }
            },
        };
        let r = request.to_mut();
        r.spec.args.insert(base.arg.clone(), from);
        r.parent = Some(id.to_string());
    }
    let result = engine.build(&request, interrupted, &on_step);
    let built_at = SystemTime::now();
    if let (Ok(built), Ok(mut holds)) = (&result, owned.holds.lock()) {
        if let Some(h) = holds.get_mut(idx) {
            *h = Some(built.hold_tag.clone());
        }
    }
    let status = match result {
        Ok(built) => Status::Built { image_id: built.id },
        Err(e) if e.kind == ErrorKind::Interrupted => Status::Interrupted,
        Err(e) => {
            return Outcome {
                status: Status::Failed { reason: e.message },
                seconds: start.elapsed().as_secs_f64(),
                tail: e.tail,
                started_at,
                built_at: Some(built_at),
                finished_at: Some(SystemTime::now()),
            };
        }
    };
    Outcome {
        status,
        seconds: start.elapsed().as_secs_f64(),
        tail: vec![],
        started_at,
        built_at: Some(built_at),
        finished_at: Some(SystemTime::now()),
    }
}
