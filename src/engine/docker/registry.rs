//! Registries through the docker CLI: `docker push`, `docker manifest inspect` (with docker's own
//! credentials) and `docker login` with the password on a pipe.

use super::DockerCli;
use crate::engine::process::{self, Waited};
use crate::engine::{EngineError, ErrorKind, Remote};
use crate::model::reference::{is_loopback, registry_of};
use std::collections::BTreeMap;
use std::io::Write;
use std::process::Stdio;
use std::time::Duration;

/// A registry lookup gives up after this long: a black-holed registry must not stall a plan.
const LOOKUP_TIMEOUT: Duration = Duration::from_secs(30);

/// `TAG: digest: sha256:... size: N` from `docker push` output.
pub fn parse_push_digest(output: &str) -> Option<String> {
    output.lines().rev().find_map(|l| {
        let rest = &l[l.find("digest: ")? + "digest: ".len()..];
        rest.split_whitespace().next().map(str::to_string)
    })
}

/// `Descriptor.digest` from `docker manifest inspect -v` output (one platform only).
pub fn parse_inspect(json: &str) -> Option<String> {
    let v: serde_json::Value = serde_json::from_str(json).ok()?;
    v.get("Descriptor")?
        .get("digest")?
        .as_str()
        .map(str::to_string)
}

pub(super) fn push(cli: &DockerCli, reference: &str) -> Result<Option<String>, EngineError> {
    let mut cmd = cli.command();
    cmd.args(["push", reference]);
    let action = process::describe(&cmd);
    let out = process::output_unbounded(&mut cmd)?;
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    if out.status.success() {
        Ok(parse_push_digest(&text))
    } else {
        Err(EngineError::from_output(action, out.status.code(), &text))
    }
}

/// `docker manifest SUBCOMMAND [--insecure for loopback registries]` (plain HTTP there).
fn manifest_command(cli: &DockerCli, args: &[&str], reference: &str) -> std::process::Command {
    let mut cmd = cli.command();
    cmd.arg("manifest").args(args);
    if registry_of(reference).is_some_and(is_loopback) {
        cmd.arg("--insecure");
    }
    cmd.env("DOCKER_CLI_EXPERIMENTAL", "enabled");
    cmd
}

/// The `manifests` of an image index or manifest list, as (platform, digest).
pub fn parse_index(json: &str) -> Option<Vec<(String, String)>> {
    let v: serde_json::Value = serde_json::from_str(json).ok()?;
    let list = v.get("manifests")?.as_array()?;
    Some(
        list.iter()
            .filter_map(|m| {
                let digest = m.get("digest")?.as_str()?;
                let p = m.get("platform")?;
                let mut platform = format!(
                    "{}/{}",
                    p.get("os")?.as_str()?,
                    p.get("architecture")?.as_str()?
                );
                if let Some(variant) = p.get("variant").and_then(|v| v.as_str()) {
                    platform = format!("{platform}/{variant}");
                }
                Some((platform, digest.to_string()))
            })
            .collect(),
    )
}

pub(super) fn push_index(
    cli: &DockerCli,
    reference: &str,
    manifests: &[String],
) -> Result<Option<String>, EngineError> {
    let mut create = manifest_command(cli, &["create", "--amend"], reference);
    create.arg(reference).args(manifests);
    let action = process::describe(&create);
    process::checked_unbounded(&mut create, &action)?;
    let mut push = manifest_command(cli, &["push", "--purge"], reference);
    push.arg(reference);
    let action = process::describe(&push);
    let out = process::checked_unbounded(&mut push, &action)?;
    Ok(out
        .lines()
        .rev()
        .map(str::trim)
        .find(|l| l.starts_with("sha256:"))
        .map(str::to_string))
}

pub(super) fn remote_index(cli: &DockerCli, reference: &str) -> Option<Vec<(String, String)>> {
    let mut cmd = manifest_command(cli, &["inspect"], reference);
    cmd.arg(reference);
    let out = process::output_unbounded(&mut cmd).ok()?;
    if !out.status.success() {
        return None;
    }
    parse_index(&String::from_utf8_lossy(&out.stdout))
}

pub(super) fn remote_digest(cli: &DockerCli, reference: &str) -> Remote {
    let mut cmd = manifest_command(cli, &["inspect", "-v"], reference);
    cmd.arg(reference);
    let out = match process::output_unbounded(&mut cmd) {
        Ok(o) => o,
        Err(e) => return Remote::Unknown(e.message),
    };
    if out.status.success() {
        return match parse_inspect(&String::from_utf8_lossy(&out.stdout)) {
            Some(d) => Remote::Digest(d),
            None => Remote::Unknown("a manifest list or an unreadable answer".into()),
        };
    }
    let stderr = String::from_utf8_lossy(&out.stderr);
    let err = stderr.trim();
    if err.contains("no such manifest") || err.contains("manifest unknown") {
        Remote::Missing
    } else {
        Remote::Unknown(err.lines().last().unwrap_or("").to_string())
    }
}

/// The labels in `docker buildx imagetools inspect --format '{{json .Image}}'` output: of the
/// image itself, or of an index's image for `platform`. `None`: no image for that platform.
/// A single image whose own platform differs from `platform` counts as none (never a wrong
/// "fresh" for another architecture).
pub fn parse_image_labels(
    json: &str,
    platform: Option<&str>,
) -> Result<Option<BTreeMap<String, String>>, String> {
    let v: serde_json::Value =
        serde_json::from_str(json).map_err(|e| format!("unreadable image config: {e}"))?;
    let obj = v
        .as_object()
        .ok_or_else(|| "unreadable image config: not an object".to_string())?;
    let single = ["config", "rootfs", "architecture"]
        .iter()
        .any(|k| obj.contains_key(*k));
    let image = if single {
        let own = platform_of(&v);
        if let (Some(want), Some(own)) = (platform, own.as_deref()) {
            // `linux/arm64` matches `linux/arm64/v8`, as Docker's platform matcher does
            if !(own == want || own.starts_with(&format!("{want}/"))) {
                return Ok(None);
            }
        }
        &v
    } else {
        let key = match platform {
            Some(p) => p.to_string(),
            // no platform to choose by: only an index of one platform is unambiguous
            None if obj.len() == 1 => obj.keys().next().cloned().unwrap_or_default(),
            None => return Ok(None),
        };
        match obj.get(&key) {
            Some(image) => image,
            None => return Ok(None),
        }
    };
    let labels = image
        .get("config")
        .and_then(|c| c.get("Labels"))
        .and_then(|l| l.as_object())
        .map(|l| {
            l.iter()
                .filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_string())))
                .collect()
        })
        .unwrap_or_default();
    Ok(Some(labels))
}

/// `os/architecture[/variant]` of an image config.
fn platform_of(image: &serde_json::Value) -> Option<String> {
    let os = image.get("os")?.as_str()?;
    let arch = image.get("architecture")?.as_str()?;
    Some(match image.get("variant").and_then(|v| v.as_str()) {
        Some(variant) => format!("{os}/{arch}/{variant}"),
        None => format!("{os}/{arch}"),
    })
}

/// The labels of the image under `reference`, read by `docker buildx imagetools inspect` (the
/// manifest and config only, nothing pulled). The docker CLI without buildx has no command
/// that reads a remote image's config: that is [`ErrorKind::Unsupported`].
pub(super) fn remote_labels(
    cli: &DockerCli,
    reference: &str,
    platform: Option<&str>,
) -> Result<Option<BTreeMap<String, String>>, EngineError> {
    let action = format!("reading the labels of {reference}");
    if !cli.has_imagetools() {
        return Err(EngineError::new(
            ErrorKind::Unsupported,
            action,
            format!(
                "{} has no buildx plugin (`docker buildx imagetools` reads an image's labels in a registry; the docker CLI alone cannot without pulling the image)",
                cli.info.client.display()
            ),
        ));
    }
    let mut cmd = cli.command();
    cmd.args(["buildx", "imagetools", "inspect", reference])
        .args(["--format", "{{json .Image}}"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = process::spawn(&mut cmd)?;
    let (out, err) = (
        process::collect(child.stdout.take()),
        process::collect(child.stderr.take()),
    );
    let waited = process::wait(&mut child, None, Some(LOOKUP_TIMEOUT))
        .map_err(|e| EngineError::new(ErrorKind::Failed, &action, e.to_string()))?;
    let (out, err) = (
        String::from_utf8_lossy(&out.join().unwrap_or_default()).into_owned(),
        String::from_utf8_lossy(&err.join().unwrap_or_default()).into_owned(),
    );
    let status = match waited {
        Waited::Exited(status) => status,
        Waited::Interrupted | Waited::TimedOut => {
            let why = format!("no answer in {} s", LOOKUP_TIMEOUT.as_secs());
            return Err(EngineError::new(ErrorKind::Unreachable, action, why));
        }
    };
    if status.success() {
        let platform = platform.map(str::to_string).or_else(|| {
            let arch = &cli.info.server_arch;
            (!arch.is_empty()).then(|| format!("linux/{arch}"))
        });
        return parse_image_labels(&out, platform.as_deref())
            .map_err(|why| EngineError::new(ErrorKind::Failed, action, why));
    }
    if err.lines().any(|l| l.trim_end().ends_with(": not found")) {
        return Ok(None);
    }
    let mut e = EngineError::from_output(action, status.code(), &err);
    e.message = e.message.trim_start_matches("ERROR: ").to_string();
    Err(e)
}

/// `docker login REGISTRY -u USER --password-stdin`, the password written to its stdin. The
/// error's text never contains the password.
pub(super) fn login(
    cli: &DockerCli,
    registry: &str,
    user: &str,
    password: &str,
) -> Result<(), EngineError> {
    let mut cmd = cli.command();
    cmd.args([
        "login",
        "--username",
        user,
        "--password-stdin",
        "--",
        registry,
    ])
    .stdin(Stdio::piped())
    .stdout(Stdio::piped())
    .stderr(Stdio::piped());
    let action = format!("docker login {registry}");
    cli.reachable()?;
    let mut child = process::spawn(&mut cmd)?;
    if let Some(mut stdin) = child.stdin.take() {
        // a docker that quit early closes the pipe: its exit status and stderr say why
        let _ = stdin.write_all(password.as_bytes());
    }
    let out = child
        .wait_with_output()
        .map_err(|e| EngineError::new(crate::engine::ErrorKind::Failed, &action, e.to_string()))?;
    if out.status.success() {
        return Ok(());
    }
    let text = format!(
        "{}\n{}",
        String::from_utf8_lossy(&out.stderr),
        String::from_utf8_lossy(&out.stdout)
    );
    Err(EngineError::from_output(
        action,
        out.status.code(),
        &scrub(&text, password),
    ))
}

/// `text` when it does not contain `secret`; otherwise a note that it was withheld. Masking
/// each occurrence would still tell the password by where the `***` appear (a one-letter
/// password turns every such letter into `***`).
pub fn scrub(text: &str, secret: &str) -> String {
    if secret.is_empty() || !text.contains(secret) {
        text.to_string()
    } else {
        "(the message is not shown: it contains the password)".to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn push_output_and_manifests() {
        let out = "The push refers to repository [127.0.0.1:5000/a]\n39339a9fcb51: Pushed\n1: digest: sha256:7cd3 size: 736\n";
        assert_eq!(parse_push_digest(out).as_deref(), Some("sha256:7cd3"));
        assert_eq!(parse_push_digest("nothing"), None);
        let one = r#"{"Ref":"x","Descriptor":{"mediaType":"m","digest":"sha256:abc","size":1}}"#;
        assert_eq!(parse_inspect(one).as_deref(), Some("sha256:abc"));
        assert_eq!(parse_inspect("[{}]"), None);
        assert_eq!(parse_inspect("not json"), None);
        let list = r#"{"schemaVersion":2,"manifests":[{"digest":"sha256:a","platform":{"architecture":"amd64","os":"linux"}},{"digest":"sha256:b","platform":{"architecture":"arm","os":"linux","variant":"v7"}}]}"#;
        assert_eq!(
            parse_index(list),
            Some(vec![
                ("linux/amd64".into(), "sha256:a".into()),
                ("linux/arm/v7".into(), "sha256:b".into())
            ])
        );
        assert_eq!(parse_index(one), None);
    }

    #[test]
    fn labels_of_an_image_or_of_an_index_platform() {
        let one = r#"{"architecture":"amd64","os":"linux","config":{"Labels":{"adf.fingerprint":"f1","x":"y"}}}"#;
        let labels = parse_image_labels(one, Some("linux/amd64"))
            .unwrap()
            .unwrap();
        assert_eq!(
            labels.get("adf.fingerprint").map(String::as_str),
            Some("f1")
        );
        assert_eq!(parse_image_labels(one, None).unwrap().unwrap().len(), 2);
        assert_eq!(parse_image_labels(one, Some("linux/arm64")), Ok(None));
        let unlabelled =
            r#"{"architecture":"arm64","variant":"v8","os":"linux","config":{"Labels":null}}"#;
        assert_eq!(
            parse_image_labels(unlabelled, Some("linux/arm64")),
            Ok(Some(BTreeMap::new()))
        );
        let index = r#"{"linux/amd64":{"architecture":"amd64","os":"linux","config":{"Labels":{"adf.fingerprint":"a"}}},"linux/arm64":{"architecture":"arm64","os":"linux","config":{"Labels":{"adf.fingerprint":"b"}}}}"#;
        let arm = parse_image_labels(index, Some("linux/arm64"))
            .unwrap()
            .unwrap();
        assert_eq!(arm.get("adf.fingerprint").map(String::as_str), Some("b"));
        assert_eq!(parse_image_labels(index, Some("linux/s390x")), Ok(None));
        assert_eq!(parse_image_labels(index, None), Ok(None), "ambiguous");
        assert!(parse_image_labels("not json", None).is_err());
    }

    #[test]
    fn scrub_hides_every_occurrence() {
        let hidden = scrub("a pw b pw", "pw");
        assert!(
            !hidden.contains("pw") && !hidden.contains("***"),
            "{hidden}"
        );
        // a short password would show by where the masks fall: nothing of the text is kept
        let hidden = scrub("Error: unauthorized: incorrect username or password", "o");
        assert!(
            !hidden.contains("Err") && !hidden.contains("***"),
            "{hidden}"
        );
        assert_eq!(scrub("nothing", ""), "nothing");
        assert_eq!(scrub("denied", "secret"), "denied");
    }
}
