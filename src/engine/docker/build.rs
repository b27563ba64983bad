//! `docker build`: a request rendered into flags, run with its output in the log, the new image
//! held by a private tag.

use super::{Builder, DockerCli};
use crate::engine::process::{self, Waited};
use crate::engine::{progress, BuildRequest, BuiltImage, EngineError, ErrorKind};
use crate::model::spec::SecretSource;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;

/// Lines of output kept for the failing step's tail.
const KEPT_LINES: usize = 4000;

fn hold_tag() -> String {
    static COUNTER: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let n = COUNTER.fetch_add(1, Ordering::SeqCst);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    format!("adf-hold/build:{}-{nanos}-{n}", std::process::id())
}

/// The `docker build` arguments for a request (secrets already resolved to files).
pub(super) fn arguments(
    builder: Builder,
    req: &BuildRequest,
    iidfile: &Path,
    hold: &str,
    secret_files: &[(String, PathBuf)],
) -> Vec<String> {
    let mut a: Vec<String> = vec![
        "build".into(),
        "--file".into(),
        req.dockerfile.display().to_string(),
    ];
    a.extend(["--iidfile".into(), iidfile.display().to_string()]);
    a.extend(["--tag".into(), hold.to_string()]);
    if builder == Builder::BuildKit {
        a.push("--progress=plain".into());
    }
    for (k, v) in &req.args {
        a.extend(["--build-arg".into(), format!("{k}={v}")]);
    }
    for (k, v) in &req.labels {
        a.extend(["--label".into(), format!("{k}={v}")]);
    }
    if let Some(t) = &req.target {
        a.extend(["--target".into(), t.clone()]);
    }
    if let Some(p) = &req.platform {
        a.extend(["--platform".into(), p.clone()]);
    }
    for (id, path) in secret_files {
        a.extend(["--secret".into(), format!("id={id},src={}", path.display())]);
    }
    a.extend(req.file_flags.iter().cloned());
    if let Some(n) = &req.network {
        a.extend(["--network".into(), n.clone()]);
    }
    if let Some(s) = &req.shm_size {
        a.extend(["--shm-size".into(), s.clone()]);
    }
    if req.no_cache {
        a.push("--no-cache".into());
    }
    if req.pull {
        a.push("--pull".into());
    }
    for c in &req.cache_from {
        a.extend(["--cache-from".into(), c.clone()]);
    }
    for h in &req.extra_hosts {
        a.extend(["--add-host".into(), h.clone()]);
    }
    a.extend(req.cli_flags.iter().cloned());
    a.push(req.context.display().to_string());
    a
}

fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::os::unix::fs::OpenOptionsExt;
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)?;
    f.write_all(bytes)
}

/// Runs one build. Every output line goes to the log file; step changes go to `on_step`.
pub(super) fn build(
    cli: &DockerCli,
    req: &BuildRequest,
    interrupted: &AtomicBool,
    on_step: &(dyn Fn(String) + Sync),
) -> Result<BuiltImage, EngineError> {
    let action = format!("docker build of {}", req.name);
    let io = |e: std::io::Error| EngineError::new(ErrorKind::Failed, &action, e.to_string());
    if let Some(dir) = req.log.parent() {
        std::fs::create_dir_all(dir).map_err(io)?;
    }
    let tmp = tempfile::Builder::new()
        .prefix("adf-build-")
        .tempdir()
        .map_err(io)?;
    let iidfile = tmp.path().join("iid");
    let mut secret_files = Vec::new();
    for (id, src) in &req.secrets {
        match src {
            SecretSource::File(p) => secret_files.push((id.clone(), p.clone())),
            SecretSource::Env(var) => {
                let path = tmp.path().join(format!("secret-{id}"));
                write_private(&path, std::env::var(var).unwrap_or_default().as_bytes())
                    .map_err(io)?;
                secret_files.push((id.clone(), path));
            }
        }
    }
    let hold = hold_tag();
    let args = arguments(cli.info.builder, req, &iidfile, &hold, &secret_files);
    let log = Mutex::new(std::fs::File::create(&req.log).map_err(io)?);
    if let Ok(mut f) = log.lock() {
        let _ = writeln!(f, "$ {} {}", cli.info.client.display(), args.join(" "));
    }
    let buildkit = cli.info.builder == Builder::BuildKit;
    let mut cmd = cli.command();
    cmd.env("DOCKER_BUILDKIT", if buildkit { "1" } else { "0" })
        .args(&args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = process::spawn(&mut cmd)?;
    let lines: Mutex<Vec<String>> = Mutex::new(Vec::new());
    let on_line = |line: String| {
        if let Ok(mut f) = log.lock() {
            let _ = writeln!(f, "{line}");
        }
        if let Some(step) = progress::step_of(&line) {
            on_step(step);
        }
        if let Ok(mut l) = lines.lock() {
            l.push(line);
            if l.len() > KEPT_LINES {
                l.drain(..KEPT_LINES / 2);
            }
        }
    };
    let streams: Vec<Box<dyn Read + Send>> = [
        child
            .stdout
            .take()
            .map(|o| Box::new(o) as Box<dyn Read + Send>),
        child
            .stderr
            .take()
            .map(|e| Box::new(e) as Box<dyn Read + Send>),
    ]
    .into_iter()
    .flatten()
    .collect();
    let waited = process::follow_lines(streams, &on_line, || {
        process::wait(&mut child, Some(interrupted), None)
    })
    .map_err(io)?;
    let status = match waited {
        Waited::Exited(status) => status,
        Waited::Interrupted | Waited::TimedOut => {
            return Err(EngineError::new(
                ErrorKind::Interrupted,
                &action,
                "interrupted",
            ))
        }
    };
    if !status.success() {
        let lines = lines.into_inner().unwrap_or_default();
        let tail = progress::failing_step_tail(&lines, 15);
        let code = status.code();
        let message = format!(
            "docker build exited with {}",
            code.map(|c| c.to_string())
                .unwrap_or_else(|| "a signal".into())
        );
        return Err(EngineError {
            tail,
            code,
            ..EngineError::new(ErrorKind::Failed, action, message)
        });
    }
    let id = std::fs::read_to_string(&iidfile)
        .map_err(io)?
        .trim()
        .to_string();
    if id.is_empty() {
        return Err(EngineError::new(
            ErrorKind::Failed,
            action,
            "docker wrote no image ID",
        ));
    }
    Ok(BuiltImage { id, hold_tag: hold })
}
