//! Finding the docker CLI and deciding between BuildKit and the legacy builder.

use std::path::PathBuf;
use std::process::{Command, Stdio};

#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Builder {
    BuildKit,
    Legacy,
}

impl std::fmt::Display for Builder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Builder::BuildKit => "BuildKit",
            Builder::Legacy => "legacy builder",
        })
    }
}

/// The docker CLI adf drives.
#[derive(Clone, Debug)]
pub struct Docker {
    pub path: PathBuf,
    pub client_version: String,
    pub server_version: String,
    pub builder: Builder,
    /// How BuildKit was found (buildx plugin or DOCKER_BUILDKIT=1 on a pre-23 client).
    pub builder_reason: String,
}

#[derive(Debug)]
pub enum DetectError {
    NotFound(String),
    NoEngine { path: PathBuf, detail: String },
}

impl std::fmt::Display for DetectError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            DetectError::NotFound(p) => write!(f, "docker CLI `{p}` not found"),
            DetectError::NoEngine { path, detail } => write!(
                f,
                "{} cannot reach a Docker engine: {detail}",
                path.display()
            ),
        }
    }
}

impl DetectError {
    pub fn help(&self) -> &'static str {
        match self {
            DetectError::NotFound(_) => {
                "install docker, or point adf at the CLI with --docker PATH or ADF_DOCKER=PATH"
            }
            DetectError::NoEngine { .. } => {
                "start dockerd (bash scripts/engine.sh up starts a local one), or set DOCKER_HOST"
            }
        }
    }
}

fn major(version: &str) -> u32 {
    version
        .split('.')
        .next()
        .and_then(|m| m.trim_start_matches('v').parse().ok())
        .unwrap_or(0)
}

/// `--docker PATH`, else `ADF_DOCKER`, else `docker` on PATH.
pub fn docker_path(flag: Option<PathBuf>) -> PathBuf {
    flag.or_else(|| std::env::var_os("ADF_DOCKER").map(PathBuf::from))
        .unwrap_or_else(|| PathBuf::from("docker"))
}

pub fn detect(path: PathBuf) -> Result<Docker, DetectError> {
    let out = Command::new(&path)
        .args([
            "version",
            "--format",
            "{{.Client.Version}}|{{.Server.Version}}",
        ])
        .stdin(Stdio::null())
        .output()
        .map_err(|_| DetectError::NotFound(path.display().to_string()))?;
    let text = String::from_utf8_lossy(&out.stdout).trim().to_string();
    let (client, server) = text.split_once('|').unwrap_or((text.as_str(), ""));
    if !out.status.success() || server.is_empty() || server.starts_with('<') {
        let detail = String::from_utf8_lossy(&out.stderr)
            .lines()
            .find(|l| !l.trim().is_empty())
            .unwrap_or("no answer")
            .to_string();
        return Err(DetectError::NoEngine { path, detail });
    }
    let (client, server) = (client.to_string(), server.to_string());
    let forced = std::env::var("ADF_BUILDER").ok();
    let buildx = || {
        Command::new(&path)
            .args(["buildx", "version"])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .map(|s| s.success())
            .unwrap_or(false)
    };
    let (builder, reason) = match forced.as_deref() {
        Some("legacy") => (Builder::Legacy, "ADF_BUILDER=legacy".to_string()),
        Some("buildkit") => (Builder::BuildKit, "ADF_BUILDER=buildkit".to_string()),
        _ if major(&server) < 18 => (
            Builder::Legacy,
            format!("engine {server} predates BuildKit"),
        ),
        // a pre-23 client builds with BuildKit under DOCKER_BUILDKIT=1: no need to probe buildx
        _ if major(&client) < 23 => (
            Builder::BuildKit,
            format!("client {client} with DOCKER_BUILDKIT=1"),
        ),
        _ if buildx() => (Builder::BuildKit, "buildx plugin".to_string()),
        _ => (
            Builder::Legacy,
            format!("client {client} has no buildx plugin"),
        ),
    };
    Ok(Docker {
        path,
        client_version: client,
        server_version: server,
        builder,
        builder_reason: reason,
    })
}
