//! Builds adf generates itself: the `runtime_deps:` entrypoint wrapper on top of an image, and
//! on a containerd image store the one local multi-platform image of a multi-platform image's
//! per-platform builds.

use super::build::run_logged;
use super::owned::hold_tag;
use super::{Builder, DockerCli};
use crate::engine::process::Waited;
use crate::engine::{progress, BuildRequest, BuiltImage, EngineError, ErrorKind};
use std::sync::atomic::AtomicBool;

/// The generated last layer of an image with `runtime_deps:`: the entrypoint wrapper on top of
/// the image just built (held by `base`), its entrypoint and command kept.
pub(super) fn wrap(
    cli: &DockerCli,
    req: &BuildRequest,
    base: &str,
    deps: &crate::model::spec::RuntimeDeps,
    interrupted: &AtomicBool,
    on_step: &(dyn Fn(String) + Sync),
) -> Result<BuiltImage, EngineError> {
    use crate::plan::runtime_deps;
    let action = format!("the runtime_deps layer of {}", req.name);
    let io = |e: std::io::Error| EngineError::new(ErrorKind::Failed, &action, e.to_string());
    let config = super::images::image_config(cli, base)?;
    let tmp = super::owned::temp_dir("adf-wrap-").map_err(io)?;
    let script = tmp.path().join("adf-runtime-deps");
    std::fs::write(&script, runtime_deps::wrapper(deps)).map_err(io)?;
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).map_err(io)?;
    }
    let dockerfile = tmp.path().join("Dockerfile");
    let text = runtime_deps::dockerfile(base, &config.entrypoint, &config.cmd);
    std::fs::write(&dockerfile, text).map_err(io)?;
    let iidfile = tmp.path().join("iid");
    let hold = hold_tag();
    let mut args: Vec<String> = vec![
        "build".into(),
        "--file".into(),
        dockerfile.display().to_string(),
        "--iidfile".into(),
        iidfile.display().to_string(),
        "--tag".into(),
        hold.clone(),
    ];
    for t in &req.tags {
        args.extend(["--tag".into(), t.clone()]);
    }
    if cli.info.builder == Builder::BuildKit {
        args.push("--progress=plain".into());
    }
    if cli.info.buildx {
        args.push("--provenance=false".into());
    }
    if let Some(p) = &req.platform {
        args.extend(["--platform".into(), p.clone()]);
    }
    args.push(tmp.path().display().to_string());
    on_step(format!(
        "entrypoint wrapper (runtime_deps: {})",
        deps.describe()
    ));
    let (waited, lines) = run_logged(cli, &args, &[], &req.log, interrupted, on_step)?;
    match waited {
        Waited::Exited(s) if s.success() => {}
        Waited::Exited(s) => {
            return Err(EngineError {
                tail: progress::failing_step_tail(&lines, 15),
                code: s.code(),
                ..EngineError::new(ErrorKind::Failed, action, "docker build failed")
            })
        }
        _ => {
            return Err(EngineError::new(
                ErrorKind::Interrupted,
                action,
                "interrupted",
            ))
        }
    }
    let id = match super::images::image_id(cli, &hold)? {
        Some(id) => id,
        None => std::fs::read_to_string(&iidfile)
            .map_err(io)?
            .trim()
            .to_string(),
    };
    Ok(BuiltImage { id, hold_tag: hold })
}

/// One local multi-platform image from single-platform ones: a `FROM`-only build for every
/// platform at once, each platform's stage the image of that platform (a containerd store
/// keeps the result under one tag).
pub(super) fn combine(
    cli: &DockerCli,
    tags: &[String],
    sources: &[(String, String)],
    interrupted: &AtomicBool,
) -> Result<String, EngineError> {
    let action = format!("combining {}", tags.join(", "));
    let io = |e: std::io::Error| EngineError::new(ErrorKind::Failed, &action, e.to_string());
    let tmp = super::owned::temp_dir("adf-combine-").map_err(io)?;
    // one stage per platform, chosen by the build's own target platform
    let mut dockerfile = String::new();
    for (platform, source) in sources {
        let stage = crate::model::platform::suffix(platform);
        dockerfile.push_str(&format!(
            "FROM --platform={platform} {source} AS adf-{stage}\n"
        ));
    }
    dockerfile.push_str("ARG TARGETARCH\nFROM adf-${TARGETARCH}\n");
    std::fs::write(tmp.path().join("Dockerfile"), dockerfile).map_err(io)?;
    let iidfile = tmp.path().join("iid");
    let platforms: Vec<&str> = sources.iter().map(|(p, _)| p.as_str()).collect();
    let mut args: Vec<String> = vec![
        "buildx".into(),
        "build".into(),
        "--load".into(),
        "--provenance=false".into(),
        "--progress=plain".into(),
        "--platform".into(),
        platforms.join(","),
        "--iidfile".into(),
        iidfile.display().to_string(),
    ];
    for t in tags {
        args.extend(["--tag".into(), t.clone()]);
    }
    args.push(tmp.path().display().to_string());
    let log = tmp.path().join("log");
    let (waited, lines) = run_logged(cli, &args, &[], &log, interrupted, &|_| {})?;
    match waited {
        Waited::Exited(s) if s.success() => {}
        Waited::Exited(s) => {
            return Err(EngineError {
                tail: progress::failing_step_tail(&lines, 10),
                code: s.code(),
                ..EngineError::new(ErrorKind::Failed, action, "docker buildx build failed")
            })
        }
        _ => {
            return Err(EngineError::new(
                ErrorKind::Interrupted,
                action,
                "interrupted",
            ))
        }
    }
    let first = tags.first().map(String::as_str).unwrap_or_default();
    Ok(super::images::image_id(cli, first)?.unwrap_or_default())
}

/// `docker buildx bake -f FILE --load --progress=plain [--builder B] default`.
pub(super) fn bake(
    cli: &DockerCli,
    file: &std::path::Path,
    builder: Option<&str>,
    interrupted: &AtomicBool,
    on_line: &(dyn Fn(String) + Sync),
) -> Result<(), EngineError> {
    let action = "docker buildx bake";
    if !cli.info.buildx {
        return Err(EngineError::new(
            ErrorKind::Failed,
            action,
            format!(
                "{} has no buildx plugin ({}); bake needs one",
                cli.info.client.display(),
                cli.info.builder_reason
            ),
        ));
    }
    let mut cmd = cli.command();
    cmd.args(["buildx", "bake", "--load", "--progress=plain", "-f"])
        .arg(file);
    if let Some(b) = builder {
        cmd.args(["--builder", b]);
    }
    cmd.arg("default")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    let mut child = crate::engine::process::spawn(&mut cmd)?;
    let lines: std::sync::Mutex<Vec<String>> = std::sync::Mutex::new(Vec::new());
    let keep = |line: String| {
        if let Ok(mut l) = lines.lock() {
            l.push(line.clone());
            if l.len() > 4000 {
                l.drain(..2000);
            }
        }
        on_line(line);
    };
    let streams = crate::engine::process::output_streams(&mut child);
    let waited = crate::engine::process::follow_lines(streams, &keep, || {
        crate::engine::process::wait(&mut child, Some(interrupted), None)
    })
    .map_err(|e| EngineError::new(ErrorKind::Failed, action, e.to_string()))?;
    match waited {
        Waited::Exited(s) if s.success() => Ok(()),
        Waited::Exited(s) => {
            let lines = lines.into_inner().unwrap_or_default();
            Err(EngineError {
                tail: progress::failing_step_tail(&lines, 15),
                code: s.code(),
                ..EngineError::new(ErrorKind::Failed, action, "a target failed")
            })
        }
        _ => Err(EngineError::new(
            ErrorKind::Interrupted,
            action,
            "interrupted",
        )),
    }
}
