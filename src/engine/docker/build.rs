//! `docker build`: a request rendered into flags, run with its output in the log, the new image
//! held by a private tag.

use super::{Builder, DockerCli};
use crate::engine::process::{self, Waited};
use crate::engine::{progress, BuildRequest, BuiltImage, EngineError, ErrorKind, ImageStore};
use crate::model::spec::{CacheEntry, SecretSource};
use std::io::Write;
use std::path::Path;
use std::process::Stdio;
use std::sync::atomic::AtomicBool;
use std::sync::Mutex;

/// Lines of output kept for the failing step's tail.
const KEPT_LINES: usize = 4000;

/// The `docker build` arguments for a request: a secret from a file as `src=`, one from the
/// environment as `env=` (its value never touches the disk or the command line).
pub(super) fn arguments(
    info: &crate::engine::EngineInfo,
    req: &BuildRequest,
    iidfile: &Path,
    hold: &str,
) -> Vec<String> {
    let spec = &req.spec;
    let mut a: Vec<String> = vec![
        "build".into(),
        "--file".into(),
        spec.dockerfile.display().to_string(),
    ];
    a.extend(["--iidfile".into(), iidfile.display().to_string()]);
    a.extend(["--tag".into(), hold.to_string()]);
    if spec.runtime_deps.is_none() {
        // the image's own tags move when the build succeeds, in the same call (an image with
        // runtime_deps gets them on its generated last layer)
        for t in &req.tags {
            a.extend(["--tag".into(), t.clone()]);
        }
    }
    if info.builder == Builder::BuildKit {
        a.push("--progress=plain".into());
    }
    if info.buildx {
        // one image per platform, as the classic builder makes: a provenance attestation would
        // turn every pushed platform image into an index of its own
        a.push("--provenance=false".into());
    }
    for (k, v) in &spec.args {
        a.extend(["--build-arg".into(), format!("{k}={v}")]);
    }
    for (k, v) in &req.labels() {
        a.extend(["--label".into(), format!("{k}={v}")]);
    }
    if let Some(t) = &spec.target {
        a.extend(["--target".into(), t.clone()]);
    }
    if let Some(p) = &req.platform {
        a.extend(["--platform".into(), p.clone()]);
    }
    for (id, source) in req.secrets() {
        let secret = match source {
            SecretSource::File(path) => format!("id={id},src={}", path.display()),
            SecretSource::Env(var) => format!("id={id},env={var}"),
        };
        a.extend(["--secret".into(), secret]);
    }
    a.extend(spec.flags.iter().cloned());
    if let Some(n) = &spec.network {
        a.extend(["--network".into(), n.clone()]);
    }
    if let Some(s) = &spec.shm_size {
        a.extend(["--shm-size".into(), s.clone()]);
    }
    if spec.no_cache {
        a.push("--no-cache".into());
    }
    if spec.pull {
        a.push("--pull".into());
    }
    for c in &spec.cache_from {
        // `docker build` without buildx takes an image, not BuildKit's `type=registry,ref=`
        let source = match CacheEntry::parse(c) {
            CacheEntry {
                kind: "registry",
                reference: Some(r),
            } if !info.buildx => r.to_string(),
            _ => c.clone(),
        };
        a.extend(["--cache-from".into(), source]);
    }
    if info.buildx {
        for c in &spec.cache_to {
            a.extend(["--cache-to".into(), c.clone()]);
        }
    } else if spec
        .cache_to
        .iter()
        .any(|c| CacheEntry::parse(c).kind == "inline")
    {
        // the inline cache of a pre-23 client's BuildKit (other kinds are refused before)
        a.extend(["--build-arg".into(), "BUILDKIT_INLINE_CACHE=1".into()]);
    }
    for h in &spec.extra_hosts {
        a.extend(["--add-host".into(), h.clone()]);
    }
    a.extend(req.cli_flags.iter().cloned());
    a.push(spec.context.display().to_string());
    a
}

/// Secrets from the environment reach BuildKit as `env=` sources, never through a file: the
/// variables the build's secrets name but adf's environment lacks, set empty for the client
/// (as an empty secret file was before).
fn unset_secret_vars(req: &BuildRequest) -> Vec<(String, String)> {
    req.secrets()
        .filter_map(|(_, src)| match src {
            SecretSource::Env(var) if std::env::var_os(var).is_none() => {
                Some((var.clone(), String::new()))
            }
            _ => None,
        })
        .collect()
}

/// Runs `docker ARGS` with every output line in `log`, each new step to `on_step`; how it ended
/// and its last lines.
pub(super) fn run_logged(
    cli: &DockerCli,
    args: &[String],
    env: &[(String, String)],
    log: &Path,
    interrupted: &AtomicBool,
    on_step: &(dyn Fn(String) + Sync),
) -> Result<(Waited, Vec<String>), EngineError> {
    let action = format!("{} build", cli.info.client.display());
    let io = |e: std::io::Error| EngineError::new(ErrorKind::Failed, &action, e.to_string());
    let file = crate::safe_fs::append_file(log).map_err(io)?;
    let log = Mutex::new(file);
    if let Ok(mut f) = log.lock() {
        let line = crate::redact::command_line(args);
        let _ = writeln!(f, "$ {} {line}", cli.info.client.display());
    }
    let buildkit = cli.info.builder == Builder::BuildKit;
    let mut cmd = cli.command();
    cmd.env("DOCKER_BUILDKIT", if buildkit { "1" } else { "0" })
        .envs(env.iter().map(|(k, v)| (k, v)))
        .args(args)
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
    let streams = process::output_streams(&mut child);
    let waited = process::follow_lines(streams, &on_line, || {
        process::wait(&mut child, Some(interrupted), None)
    })
    .map_err(io)?;
    Ok((waited, lines.into_inner().unwrap_or_default()))
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
        crate::safe_fs::create_dir_checked(dir).map_err(io)?;
    }
    let tmp = super::owned::temp_dir("adf-build-").map_err(io)?;
    let iidfile = tmp.path().join("iid");
    let hold = super::owned::hold_tag();
    let args = arguments(&cli.info, req, &iidfile, &hold);
    // a fresh log for this build (run_logged appends: a generated layer adds to it)
    crate::safe_fs::create_file(&req.log).map_err(io)?;
    let env = unset_secret_vars(req);
    let (waited, lines) = run_logged(cli, &args, &env, &req.log, interrupted, on_step)?;
    let status = match waited {
        Waited::Exited(status) => status,
        Waited::Interrupted | Waited::TimedOut => {
            // stopped late, the image may exist under the hold tag already
            crate::engine::Engine::untag(cli, &[hold.as_str()]);
            return Err(EngineError::new(
                ErrorKind::Interrupted,
                action,
                "interrupted",
            ));
        }
    };
    if !status.success() {
        let code = status.code();
        let message = format!(
            "docker build exited with {}",
            code.map(|c| c.to_string())
                .unwrap_or_else(|| "a signal".into())
        );
        return Err(EngineError {
            tail: progress::failing_step_tail(&lines, 15),
            code,
            ..EngineError::new(ErrorKind::Failed, action, message)
        });
    }
    let mut id = std::fs::read_to_string(&iidfile).map_err(io)?;
    if cli.info.buildx && crate::engine::Engine::image_store(cli) == ImageStore::Containerd {
        // without attestations buildx writes the config digest, which a containerd image store
        // does not know images by: ask the engine what the hold tag is (a classic store's IDs
        // are config digests)
        if let Some(real) = super::images::image_id(cli, &hold)? {
            id = real;
        }
    }
    let built = match id.trim() {
        "" => {
            return Err(EngineError::new(
                ErrorKind::Failed,
                action,
                "docker wrote no image ID",
            ))
        }
        id => BuiltImage {
            id: id.to_string(),
            hold_tag: hold,
        },
    };
    match &req.spec.runtime_deps {
        None => Ok(built),
        Some(deps) => {
            let wrapped =
                super::layers::wrap(cli, req, &built.hold_tag, deps, interrupted, on_step);
            crate::engine::Engine::untag(cli, &[built.hold_tag.as_str()]);
            wrapped
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::spec::{BuildSecret, BuildSpec};

    #[test]
    fn a_request_renders_file_flags_first_and_command_line_flags_last() {
        let spec = BuildSpec {
            context: "ctx".into(),
            dockerfile: "ctx/Dockerfile".into(),
            args: [("BASE_IMAGE".to_string(), "x/base:1".to_string())].into(),
            target: Some("runtime".into()),
            platforms: vec!["linux/arm64".into()],
            labels: [("team".to_string(), "ai".to_string())].into(),
            secrets: vec![
                BuildSecret {
                    id: "pip".into(),
                    source: Some(SecretSource::File("pip.conf".into())),
                },
                BuildSecret {
                    id: "undeclared".into(),
                    source: None,
                },
            ],
            network: Some("host".into()),
            no_cache: true,
            cache_from: vec!["x/cache".into()],
            flags: vec!["--shm-size".into(), "1g".into()],
            ..BuildSpec::default()
        };
        let req = BuildRequest::from_spec(
            "leaf",
            &spec,
            "f1",
            "log".into(),
            &["--pull --quiet".to_string()],
        );
        assert_eq!(req.secrets().count(), 1);
        let info = crate::engine::EngineInfo::default();
        let args = arguments(&info, &req, Path::new("iid"), "hold");
        assert_eq!(
            args.join(" "),
            "build --file ctx/Dockerfile --iidfile iid --tag hold --progress=plain \
             --build-arg BASE_IMAGE=x/base:1 --label adf.fingerprint=f1 --label team=ai \
             --target runtime --platform linux/arm64 --secret id=pip,src=pip.conf \
             --shm-size 1g --network host --no-cache --cache-from x/cache --pull --quiet ctx"
        );
        let legacy = crate::engine::EngineInfo {
            builder: Builder::Legacy,
            ..Default::default()
        };
        let legacy = arguments(&legacy, &req, Path::new("iid"), "hold");
        assert!(!legacy.contains(&"--progress=plain".to_string()));
        let buildx = crate::engine::EngineInfo {
            buildx: true,
            ..Default::default()
        };
        let buildx = arguments(&buildx, &req, Path::new("iid"), "hold");
        assert!(buildx.contains(&"--provenance=false".to_string()));
    }

    #[test]
    fn an_environment_secret_reaches_buildkit_as_env_never_as_a_file() {
        let spec = BuildSpec {
            context: "ctx".into(),
            dockerfile: "ctx/Dockerfile".into(),
            secrets: vec![BuildSecret {
                id: "token".into(),
                source: Some(SecretSource::Env("ADF_TEST_UNSET_TOKEN_VAR".into())),
            }],
            ..BuildSpec::default()
        };
        let req = BuildRequest::from_spec("a", &spec, "f", "log".into(), &[]);
        let info = crate::engine::EngineInfo::default();
        let line = arguments(&info, &req, Path::new("iid"), "hold").join(" ");
        assert!(
            line.contains("--secret id=token,env=ADF_TEST_UNSET_TOKEN_VAR"),
            "{line}"
        );
        // unset: an empty secret, as before
        assert_eq!(
            unset_secret_vars(&req),
            [("ADF_TEST_UNSET_TOKEN_VAR".to_string(), String::new())]
        );
    }

    #[test]
    fn caches_are_rendered_for_the_client() {
        let spec = BuildSpec {
            context: "ctx".into(),
            dockerfile: "ctx/Dockerfile".into(),
            cache_from: vec!["type=registry,ref=r.io/a/cache:1".into()],
            cache_to: vec!["type=inline".into()],
            ..BuildSpec::default()
        };
        let req = BuildRequest::from_spec("a", &spec, "f", "log".into(), &[]);
        let line = |info: &crate::engine::EngineInfo| {
            arguments(info, &req, Path::new("iid"), "hold").join(" ")
        };
        let buildx = crate::engine::EngineInfo {
            buildx: true,
            ..Default::default()
        };
        assert!(line(&buildx)
            .contains("--cache-from type=registry,ref=r.io/a/cache:1 --cache-to type=inline ctx"));
        // a pre-23 client: an image to import, the inline cache as a build arg
        let old = line(&crate::engine::EngineInfo::default());
        assert!(
            old.contains("--cache-from r.io/a/cache:1 --build-arg BUILDKIT_INLINE_CACHE=1 ctx"),
            "{old}"
        );
        assert!(!old.contains("--cache-to"));
    }
}
