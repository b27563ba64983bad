//! `docker save` into a writer and `docker load` from a reader, streamed, stoppable.

use super::DockerCli;
use crate::engine::process::{self, Pumped};
use crate::engine::{EngineError, ErrorKind};
use std::io::{self, Read, Write};
use std::process::{Child, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};

fn stream_error(action: &str, side: &str, e: io::Error) -> EngineError {
    EngineError::new(ErrorKind::Stream, action, format!("{side}: {e}"))
}

/// Stops a child whose stream is no longer wanted; its stderr's last lines.
fn abort(mut child: Child, stderr: std::thread::JoinHandle<Vec<u8>>) -> Vec<String> {
    let _ = child.kill();
    let _ = child.wait();
    process::tail_of(stderr)
}

fn failed(action: &str, tail: Vec<String>) -> EngineError {
    let message = if tail.is_empty() {
        "no output".to_string()
    } else {
        tail.join(" | ")
    };
    EngineError {
        kind: crate::engine::classify(&message),
        tail,
        ..EngineError::new(ErrorKind::Failed, action, message)
    }
}

pub(super) fn save(
    cli: &DockerCli,
    refs: &[String],
    out: &mut dyn Write,
    stop: &AtomicBool,
) -> Result<(), EngineError> {
    let action = "docker save";
    cli.reachable()?;
    let mut cmd = cli.command();
    cmd.args(["save", "--"])
        .args(refs)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = process::spawn(&mut cmd)?;
    let stderr = process::collect(child.stderr.take());
    let pumped = match child.stdout.take() {
        Some(mut stdout) => process::pump(&mut stdout, out, stop),
        None => Err(Pumped::Read(io::Error::other("no pipe from docker save"))),
    };
    if let Err(p) = pumped {
        let tail = abort(child, stderr);
        return Err(match p {
            Pumped::Stopped => EngineError::new(ErrorKind::Interrupted, action, "interrupted"),
            Pumped::Write(e) => stream_error(action, "writing the archive", e),
            Pumped::Read(_) => failed(action, tail),
        });
    }
    let ok = child.wait().map(|s| s.success()).unwrap_or(false);
    let tail = process::tail_of(stderr);
    if stop.load(Ordering::SeqCst) {
        return Err(EngineError::new(
            ErrorKind::Interrupted,
            action,
            "interrupted",
        ));
    }
    if ok {
        Ok(())
    } else {
        Err(failed(action, tail))
    }
}

pub(super) fn load(
    cli: &DockerCli,
    input: &mut dyn Read,
    stop: &AtomicBool,
) -> Result<Vec<String>, EngineError> {
    let action = "docker load";
    cli.reachable()?;
    let mut cmd = cli.command();
    cmd.arg("load")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = process::spawn(&mut cmd)?;
    let stderr = process::collect(child.stderr.take());
    let stdout = process::collect(child.stdout.take());
    let pumped = match child.stdin.take() {
        Some(mut stdin) => process::pump(input, &mut stdin, stop),
        None => Err(Pumped::Write(io::Error::other("no pipe to docker load"))),
    };
    match pumped {
        Err(Pumped::Stopped) => {
            abort(child, stderr);
            return Err(EngineError::new(
                ErrorKind::Interrupted,
                action,
                "interrupted",
            ));
        }
        Err(Pumped::Read(e)) => {
            abort(child, stderr);
            return Err(stream_error(action, "reading the archive", e));
        }
        // a write error means docker load quit early: its exit status and stderr say why
        Ok(_) | Err(Pumped::Write(_)) => {}
    }
    let ok = child.wait().map(|s| s.success()).unwrap_or(false);
    let tail = process::tail_of(stderr);
    let out = String::from_utf8_lossy(&stdout.join().unwrap_or_default()).into_owned();
    if stop.load(Ordering::SeqCst) {
        return Err(EngineError::new(
            ErrorKind::Interrupted,
            action,
            "interrupted",
        ));
    }
    if !ok {
        return Err(failed(action, tail));
    }
    Ok(out
        .lines()
        .filter(|l| l.starts_with("Loaded image"))
        .map(str::to_string)
        .collect())
}
