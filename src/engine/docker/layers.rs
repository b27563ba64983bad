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

/// `docker buildx bake -f FILE --load --progress=plain --metadata-file M [--builder B]
/// default`; the image ID of each target the metadata names (target name → ID).
pub(super) fn bake(
    cli: &DockerCli,
    file: &std::path::Path,
    builder: Option<&str>,
    interrupted: &AtomicBool,
    on_line: &(dyn Fn(String) + Sync),
) -> Result<std::collections::HashMap<String, String>, EngineError> {
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
    let io = |e: std::io::Error| EngineError::new(ErrorKind::Failed, action, e.to_string());
    let tmp = super::owned::temp_dir("adf-bake-").map_err(io)?;
    let metadata = tmp.path().join("metadata.json");
    let mut cmd = cli.command();
    cmd.args([
        "buildx",
        "bake",
        "--load",
        "--progress=plain",
        "--metadata-file",
    ])
    .arg(&metadata)
    .arg("-f")
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
    let waited = std::thread::scope(|s| {
        // which ID the metadata's digests are depends on the store: asked while the bake runs
        s.spawn(|| crate::engine::Engine::image_store(cli));
        crate::engine::process::follow_lines(streams, &keep, || {
            crate::engine::process::wait(&mut child, Some(interrupted), None)
        })
    })
    .map_err(|e| EngineError::new(ErrorKind::Failed, action, e.to_string()))?;
    match waited {
        Waited::Exited(s) if s.success() => {
            let store = crate::engine::Engine::image_store(cli);
            Ok(std::fs::read(&metadata)
                .map(|bytes| built_ids(&bytes, store))
                .unwrap_or_default())
        }
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

/// Target name → image ID from bake's metadata file: on a containerd image store an image is
/// known by its manifest digest (`containerimage.digest`), on a classic store by its config
/// digest (`containerimage.config.digest`).
fn built_ids(
    metadata: &[u8],
    store: crate::engine::ImageStore,
) -> std::collections::HashMap<String, String> {
    let key = match store {
        crate::engine::ImageStore::Containerd => "containerimage.digest",
        crate::engine::ImageStore::Classic => "containerimage.config.digest",
    };
    let Ok(serde_json::Value::Object(targets)) = serde_json::from_slice(metadata) else {
        return Default::default();
    };
    targets
        .iter()
        .filter_map(|(target, m)| Some((target.clone(), m.get(key)?.as_str()?.to_string())))
        .filter(|(_, id)| id.starts_with("sha256:"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::ImageStore;

    #[test]
    fn bake_metadata_names_each_targets_image_by_the_stores_id() {
        let metadata = br#"{"a1": {"containerimage.config.digest": "sha256:c1", "containerimage.digest": "sha256:m1"},
            "root": {"containerimage.config.digest": "sha256:c2", "containerimage.digest": "sha256:m2"},
            "odd": {"containerimage.digest": 3}}"#;
        let containerd = built_ids(metadata, ImageStore::Containerd);
        assert_eq!(containerd.get("a1").map(String::as_str), Some("sha256:m1"));
        assert_eq!(
            containerd.get("root").map(String::as_str),
            Some("sha256:m2")
        );
        assert_eq!(containerd.len(), 2);
        let classic = built_ids(metadata, ImageStore::Classic);
        assert_eq!(classic.get("a1").map(String::as_str), Some("sha256:c1"));
        assert!(built_ids(b"not json", ImageStore::Classic).is_empty());
    }
}
