//! Running one bake: its output lines sorted into each image's log and progress, and what the
//! engine holds afterwards read back as each image's outcome.

use super::{settled, BakeOptions, BakeRun};
use crate::engine::{Engine, ErrorKind};
use crate::export::bake::target_name;
use crate::ops::build::BuildReporter;
use crate::ops::schedule::{Event, Outcome, Status};
use std::collections::HashMap;
use std::io::Write;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::time::SystemTime;

enum Line {
    /// An output line of one target's build.
    Target(usize, String),
    Other(String),
}

/// When one target's lines came: the first, the first of its export (`exporting to image`,
/// `naming to`), the last.
#[derive(Clone, Copy, Debug)]
pub(super) struct Span {
    pub first: SystemTime,
    pub export: Option<SystemTime>,
    pub last: SystemTime,
}

/// `#12 ...` → 12.
fn vertex_of(line: &str) -> Option<u32> {
    line.strip_prefix('#')?.split(' ').next()?.parse().ok()
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

/// Runs the bake; each line goes to its image's log and progress (on this thread) and to
/// `.adf/logs/bake.log`; a vertex's later lines (`#12 DONE 2.1s`) to the image its first line
/// named. Also when each image's lines came.
pub(super) fn stream(
    run: &BakeRun,
    engine: &dyn Engine,
    file: &std::path::Path,
    opts: &BakeOptions,
    interrupted: &AtomicBool,
    reporter: &mut dyn BuildReporter,
) -> (
    Result<HashMap<String, String>, crate::engine::EngineError>,
    HashMap<usize, Span>,
) {
    let mut spans: HashMap<usize, Span> = HashMap::new();
    let images = run.images;
    let by_target: HashMap<String, usize> = run
        .stale
        .iter()
        .map(|&i| (target_name(&images[i].name), i))
        .collect();
    let only = match run.stale.as_slice() {
        [one] => Some(*one),
        _ => None,
    };
    let state = crate::ops::state_dir(run.project);
    let (tx, rx) = mpsc::channel::<Line>();
    let result = std::thread::scope(|s| {
        let worker = s.spawn(|| {
            let tx = std::sync::Mutex::new((tx, HashMap::<u32, usize>::new()));
            let on_line = |line: String| {
                let Ok(mut guard) = tx.lock() else {
                    return;
                };
                let (tx, vertices) = &mut *guard;
                let named = target_of(&line).and_then(|(t, _)| by_target.get(t).copied());
                let vertex = vertex_of(&line);
                if let (Some(job), Some(v)) = (named, vertex) {
                    vertices.insert(v, job);
                }
                // a bake of one target does not prefix its steps with the target's name
                let named = named.or(only);
                let msg = match named.or_else(|| vertex.and_then(|v| vertices.get(&v).copied())) {
                    Some(job) => Line::Target(job, line),
                    None => Line::Other(line),
                };
                let _ = tx.send(msg);
            };
            engine.bake(file, opts.builder.as_deref(), interrupted, &on_line)
        });
        let mut common = crate::safe_fs::create_file(&state.join("logs").join("bake.log")).ok();
        let mut logs: HashMap<usize, Option<std::fs::File>> = HashMap::new();
        for msg in rx {
            let line = match msg {
                Line::Other(line) => line,
                Line::Target(job, line) => {
                    let now = SystemTime::now();
                    let span = spans.entry(job).or_insert(Span {
                        first: now,
                        export: None,
                        last: now,
                    });
                    span.last = now;
                    if span.export.is_none()
                        && (line.contains(" exporting to ") || line.contains(" naming to "))
                    {
                        span.export = Some(now);
                    }
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
    });
    (result, spans)
}

/// What the engine holds after the bake decides each stale image's outcome: its tag carries
/// its fingerprint (built), or it failed, or a parent of it did (blocked). `bake`: when the
/// bake started and ended; `spans`: when each image's lines came (its own times, within it).
pub(super) fn read_back(
    run: &BakeRun,
    engine: &dyn Engine,
    result: &Result<HashMap<String, String>, crate::engine::EngineError>,
    bake: (SystemTime, SystemTime),
    spans: &HashMap<usize, Span>,
    interrupted: &AtomicBool,
) -> Vec<(usize, Outcome)> {
    let (project, plan) = (run.project, run.plan);
    // the image each target built, as the bake's metadata says (a bake that succeeded); the
    // engine is asked only about the others
    let reported = |i: usize| {
        let ids = result.as_ref().ok()?;
        ids.get(&target_name(&run.images[i].name)).cloned()
    };
    let refs: Vec<String> = run
        .stale
        .iter()
        .filter(|&&i| reported(i).is_none())
        .filter_map(|&i| plan.images[i].tags.first().cloned())
        .collect();
    let now = match refs.is_empty() {
        true => HashMap::new(),
        false => engine.built_images(&refs),
    };
    let ran = |i: usize, status, tail| {
        let (started, built, finished) = match spans.get(&i) {
            Some(s) => (s.first, s.export.unwrap_or(s.last), s.last),
            None => (bake.0, bake.1, bake.1),
        };
        let seconds = finished
            .duration_since(started)
            .map_or(0.0, |d| d.as_secs_f64());
        Outcome {
            status,
            seconds,
            tail,
            started_at: Some(started),
            built_at: Some(built),
            finished_at: Some(finished),
        }
    };
    let mut failed: Vec<usize> = Vec::new();
    let mut out = Vec::new();
    for &i in &run.stale {
        let p = &plan.images[i];
        let built = reported(i).or_else(|| {
            p.tags
                .first()
                .and_then(|t| now.get(t))
                .filter(|info| info.fingerprint == run.images[i].decision.fingerprint)
                .map(|info| info.id.clone())
        });
        let parent_failed = project.images[p.index]
            .parents
            .iter()
            .any(|&q| failed.iter().any(|&f| plan.images[f].index == q));
        let o = match (built, result) {
            (Some(image_id), _) => ran(i, Status::Built { image_id }, Vec::new()),
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
                    i,
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
