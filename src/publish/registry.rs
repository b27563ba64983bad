//! What a registry and the local engine know about a pushed reference: the remote manifest
//! digest (`docker manifest inspect`, which uses docker's own credentials) and the local
//! image's repo digests.

use std::path::Path;
use std::process::{Command, Stdio};

/// The registry part of a reference, or None for Docker Hub.
pub fn registry_of(reference: &str) -> Option<&str> {
    let (first, rest) = reference.split_once('/')?;
    let is_registry = first.contains('.') || first.contains(':') || first == "localhost";
    (is_registry && !rest.is_empty()).then_some(first)
}

/// `127.0.0.1:5000/team/app:1` → `127.0.0.1:5000/team/app` (no tag, no digest).
pub fn repository_of(reference: &str) -> &str {
    let no_digest = reference.split('@').next().unwrap_or(reference);
    match no_digest.rfind(':') {
        Some(i) if !no_digest[i..].contains('/') => &no_digest[..i],
        _ => no_digest,
    }
}

/// Loopback registries are the ones dockerd allows over plain HTTP by default.
pub fn is_loopback(registry: &str) -> bool {
    let host = registry
        .rsplit_once(':')
        .filter(|(_, port)| port.bytes().all(|b| b.is_ascii_digit()))
        .map(|(h, _)| h)
        .unwrap_or(registry);
    host == "localhost" || host.starts_with("127.") || host == "[::1]"
}

/// What the registry holds under a reference.
#[derive(Debug, PartialEq, Eq)]
pub enum Remote {
    /// The manifest digest.
    Digest(String),
    /// The registry answered that there is no such manifest.
    Missing,
    /// Could not tell (unreachable, manifest list, CLI without `docker manifest`): push.
    Unknown(String),
}

/// `Descriptor.digest` from `docker manifest inspect -v` output (one platform only).
pub fn parse_inspect(json: &str) -> Option<String> {
    let v: serde_json::Value = serde_json::from_str(json).ok()?;
    v.get("Descriptor")?
        .get("digest")?
        .as_str()
        .map(str::to_string)
}

pub fn remote_digest(docker: &Path, reference: &str) -> Remote {
    let mut cmd = Command::new(docker);
    cmd.args(["manifest", "inspect", "-v"]);
    if registry_of(reference).is_some_and(is_loopback) {
        cmd.arg("--insecure");
    }
    let out = match cmd
        .arg(reference)
        .env("DOCKER_CLI_EXPERIMENTAL", "enabled")
        .stdin(Stdio::null())
        .output()
    {
        Ok(o) => o,
        Err(e) => return Remote::Unknown(e.to_string()),
    };
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    if out.status.success() {
        return match parse_inspect(&stdout) {
            Some(d) => Remote::Digest(d),
            None => Remote::Unknown("a manifest list or an unreadable answer".into()),
        };
    }
    let err = stderr.trim();
    if err.contains("no such manifest") || err.contains("manifest unknown") {
        Remote::Missing
    } else {
        Remote::Unknown(err.lines().last().unwrap_or("").to_string())
    }
}

/// The digest the local image has in `repository` (from an earlier push or pull).
pub fn local_digest(docker: &Path, image: &str, repository: &str) -> Option<String> {
    let out = Command::new(docker)
        .args([
            "image",
            "inspect",
            "--format",
            "{{json .RepoDigests}}",
            image,
        ])
        .stdin(Stdio::null())
        .output()
        .ok()?;
    let list: Vec<String> = serde_json::from_slice(&out.stdout).ok()?;
    list.iter()
        .filter_map(|d| d.split_once('@'))
        .find(|(repo, _)| *repo == repository)
        .map(|(_, digest)| digest.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references() {
        assert_eq!(registry_of("127.0.0.1:5000/a/b:1"), Some("127.0.0.1:5000"));
        assert_eq!(registry_of("localhost/a"), Some("localhost"));
        assert_eq!(registry_of("team/app:1"), None);
        assert_eq!(registry_of("app"), None);
        assert_eq!(
            repository_of("127.0.0.1:5000/team/app:1"),
            "127.0.0.1:5000/team/app"
        );
        assert_eq!(
            repository_of("127.0.0.1:5000/team/app"),
            "127.0.0.1:5000/team/app"
        );
        assert_eq!(repository_of("app@sha256:ab"), "app");
        assert!(is_loopback("127.0.0.1:5000"));
        assert!(is_loopback("localhost"));
        assert!(!is_loopback("swr.example.com"));
        assert!(!is_loopback("10.0.0.1:5000"));
    }

    #[test]
    fn parses_manifest_inspect() {
        let one = r#"{"Ref":"x","Descriptor":{"mediaType":"m","digest":"sha256:abc","size":1}}"#;
        assert_eq!(parse_inspect(one).as_deref(), Some("sha256:abc"));
        assert_eq!(parse_inspect("[{}]"), None);
        assert_eq!(parse_inspect("not json"), None);
    }
}
