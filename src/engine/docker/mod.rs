//! The Docker CLI backend: finds the client, probes the daemon, chooses between BuildKit and the
//! legacy builder, and implements [`Engine`] with one `docker` command line per request.
//! Command lines live in the files beside this one: builds, image queries, containers,
//! registries, archives.

mod archive;
mod build;
mod containers;
mod images;
mod layers;
mod owned;
mod registry;

pub use registry::scrub;

use super::process;
use super::{
    BuildRequest, BuiltImage, ContainerRun, Engine, EngineError, EngineInfo, ErrorKind,
    ImageConfig, ImageInfo, ImageStore, Remote, RunOutput, RunRequest,
};
use std::collections::{BTreeMap, HashMap};
use std::io::{Read, Write};
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::atomic::AtomicBool;

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Builder {
    #[default]
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
pub struct DockerCli {
    info: EngineInfo,
    store: std::sync::OnceLock<ImageStore>,
    /// The buildx builder's platforms (`docker buildx inspect`), asked once when needed.
    builder_platforms: std::sync::OnceLock<Vec<String>>,
    /// The client has `docker buildx imagetools` (asked once when needed).
    imagetools: std::sync::OnceLock<bool>,
}

fn major(version: &str) -> u32 {
    version
        .split('.')
        .next()
        .and_then(|m| m.trim_start_matches('v').parse().ok())
        .unwrap_or(0)
}

impl DockerCli {
    /// The client at `path`, not asked anything yet.
    pub fn unprobed(path: PathBuf) -> Self {
        DockerCli {
            info: EngineInfo {
                client: path,
                ..EngineInfo::default()
            },
            store: std::sync::OnceLock::new(),
            builder_platforms: std::sync::OnceLock::new(),
            imagetools: std::sync::OnceLock::new(),
        }
    }

    /// Asks the client and its daemon for their versions and chooses the builder: `ADF_BUILDER`
    /// forces one; a daemon older than 18 has no BuildKit; a client older than 23 builds with
    /// BuildKit under `DOCKER_BUILDKIT=1`; a newer one needs the buildx plugin.
    pub fn detect(path: PathBuf) -> Result<Self, EngineError> {
        let mut cli = DockerCli::unprobed(path);
        // `docker buildx version` answers in about as long as `docker version`: ask both at once
        // (its answer is used only for a client of 23 or later)
        let probe = DockerCli::unprobed(cli.info.client.clone());
        let buildx_probe = std::thread::spawn(move || probe.buildx_plugin());
        let client = cli.info.client.display().to_string();
        let out = process::output(cli.command().args([
            "version",
            "--format",
            "{{.Client.Version}}|{{.Server.Version}}|{{.Server.Arch}}",
        ]))
        .map_err(|e| EngineError {
            action: client,
            ..e
        })?;
        let text = String::from_utf8_lossy(&out.stdout).trim().to_string();
        let mut parts = text.splitn(3, '|');
        let (client, server) = (parts.next().unwrap_or(""), parts.next().unwrap_or(""));
        cli.info.server_arch = parts.next().unwrap_or("").trim().to_string();
        if !out.status.success() || server.is_empty() || server.starts_with('<') {
            let detail = String::from_utf8_lossy(&out.stderr)
                .lines()
                .find(|l| !l.trim().is_empty())
                .unwrap_or("no answer")
                .to_string();
            return Err(EngineError::new(
                ErrorKind::NoEngine,
                cli.info.client.display().to_string(),
                format!("cannot reach a Docker engine: {detail}"),
            ));
        }
        let (client, server) = (client.to_string(), server.to_string());
        let mut probe = Some(buildx_probe);
        let mut plugin = None;
        let mut buildx = || {
            plugin = probe.take().and_then(|p| p.join().ok()).flatten();
            plugin.is_some()
        };
        let (builder, reason) = match std::env::var("ADF_BUILDER").ok().as_deref() {
            Some("legacy") => (Builder::Legacy, "ADF_BUILDER=legacy".to_string()),
            Some("buildkit") => (Builder::BuildKit, "ADF_BUILDER=buildkit".to_string()),
            _ if major(&server) < 18 => (
                Builder::Legacy,
                format!("engine {server} predates BuildKit"),
            ),
            // a pre-23 client builds with BuildKit under DOCKER_BUILDKIT=1: no need to probe
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
        cli.info.client_version = client;
        cli.info.server_version = server;
        cli.info.buildx = builder == Builder::BuildKit && reason == "buildx plugin";
        cli.info.buildx_version = plugin.filter(|_| cli.info.buildx);
        cli.info.builder = builder;
        cli.info.builder_reason = reason;
        Ok(cli)
    }

    /// Before a request with no time limit (a stream, a login): an engine that does not answer
    /// within [`process::answer_timeout`] is an error naming its socket (one that is down is
    /// left to the request to report).
    pub(super) fn reachable(&self) -> Result<(), EngineError> {
        let mut cmd = self.command();
        cmd.args(["version", "--format", "{{.Server.Version}}"]);
        match process::output(&mut cmd) {
            Err(e) if e.kind == ErrorKind::NoEngine => Err(EngineError {
                action: self.info.client.display().to_string(),
                ..e
            }),
            _ => Ok(()),
        }
    }

    /// The version `docker buildx version` answers (`github.com/docker/buildx 0.13.1+ds1 …`:
    /// `0.13.1+ds1`); `None` when the client has no plugin. An answer without a version still
    /// counts as a plugin (`?`).
    fn buildx_plugin(&self) -> Option<String> {
        let out = self
            .command()
            .args(["buildx", "version"])
            .stderr(Stdio::null())
            .output()
            .ok()
            .filter(|o| o.status.success())?;
        let text = String::from_utf8_lossy(&out.stdout);
        let version = text
            .split_whitespace()
            .nth(1)
            .filter(|v| {
                v.trim_start_matches('v')
                    .starts_with(|c: char| c.is_ascii_digit())
            })
            .unwrap_or("?");
        Some(version.trim_start_matches('v').to_string())
    }

    /// `docker buildx imagetools` works: builds go through buildx, or a client that builds
    /// without it (a pre-23 one) still has the plugin.
    fn has_imagetools(&self) -> bool {
        self.info.buildx
            || *self
                .imagetools
                .get_or_init(|| self.buildx_plugin().is_some())
    }

    /// A `docker` command with no input.
    fn command(&self) -> Command {
        let mut c = Command::new(&self.info.client);
        c.stdin(Stdio::null());
        c
    }

    /// Runs `docker ARGS` to the end: stdout, or the error with docker's words.
    fn checked(&self, args: &[&str]) -> Result<String, EngineError> {
        let mut cmd = self.command();
        cmd.args(args);
        let action = process::describe(&cmd);
        process::checked(&mut cmd, &action)
    }
}

impl Engine for DockerCli {
    fn info(&self) -> &EngineInfo {
        &self.info
    }

    fn build(
        &self,
        req: &BuildRequest,
        interrupted: &AtomicBool,
        on_step: &(dyn Fn(String) + Sync),
    ) -> Result<BuiltImage, EngineError> {
        build::build(self, req, interrupted, on_step)
    }

    fn tag(&self, image: &str, tags: &[String]) -> Result<(), EngineError> {
        tags.iter()
            .try_for_each(|t| self.checked(&["tag", image, t]).map(drop))
    }

    fn bake(
        &self,
        file: &std::path::Path,
        builder: Option<&str>,
        interrupted: &AtomicBool,
        on_line: &(dyn Fn(String) + Sync),
    ) -> Result<HashMap<String, String>, EngineError> {
        layers::bake(self, file, builder, interrupted, on_line)
    }

    fn image_store(&self) -> ImageStore {
        *self.store.get_or_init(|| images::image_store(self))
    }

    fn combine(
        &self,
        tags: &[String],
        sources: &[(String, String)],
        interrupted: &AtomicBool,
    ) -> Result<String, EngineError> {
        layers::combine(self, tags, sources, interrupted)
    }

    fn untag(&self, tags: &[&str]) {
        if !tags.is_empty() {
            let mut cmd = self.command();
            cmd.args(["image", "rm", "--no-prune"]).args(tags);
            let _ = process::output(&mut cmd);
        }
    }

    fn pin(&self, id: &str) -> Result<String, EngineError> {
        let pin = owned::pin_tag(id);
        self.checked(&["tag", id, &pin])?;
        Ok(pin)
    }

    fn remove_leftovers(&self) -> usize {
        owned::remove_leftovers(self)
    }

    fn built_images(&self, refs: &[String]) -> HashMap<String, ImageInfo> {
        images::built_images(self, refs)
    }

    fn image_id(&self, reference: &str) -> Result<Option<String>, EngineError> {
        images::image_id(self, reference)
    }

    fn image_config(&self, reference: &str) -> Result<ImageConfig, EngineError> {
        images::image_config(self, reference)
    }

    fn export_filesystem(
        &self,
        image: &str,
        read: &mut dyn FnMut(&mut dyn Read) -> Result<(), String>,
    ) -> Result<(), EngineError> {
        containers::export_filesystem(self, image, read)
    }

    fn run(&self, req: &RunRequest) -> Result<RunOutput, EngineError> {
        containers::run(self, req)
    }

    fn run_command_line(&self, req: &ContainerRun) -> Vec<String> {
        std::iter::once(self.info.client.display().to_string())
            .chain(containers::run_args(req))
            .collect()
    }

    fn run_container(&self, req: &ContainerRun) -> Result<i32, EngineError> {
        containers::run_container(self, req)
    }

    fn cannot_run(&self, arch: &str) -> Option<String> {
        containers::cannot_run(&self.info, arch)
    }

    fn cannot_build(&self, platform: &str) -> Option<String> {
        if !self.info.buildx {
            let arch = platform.split('/').nth(1).unwrap_or_default();
            return containers::cannot_run(&self.info, arch);
        }
        let platforms = self
            .builder_platforms
            .get_or_init(|| images::builder_platforms(self));
        (!platforms.is_empty() && !platforms.iter().any(|p| p == platform)).then(|| {
            format!(
                "the buildx builder cannot build {platform} (it has {}); no emulator for it is registered on its host",
                platforms.join(", ")
            )
        })
    }

    fn push(&self, reference: &str) -> Result<Option<String>, EngineError> {
        registry::push(self, reference)
    }

    fn remote_digest(&self, reference: &str) -> Remote {
        registry::remote_digest(self, reference)
    }

    fn remote_labels(
        &self,
        reference: &str,
        platform: Option<&str>,
    ) -> Result<Option<BTreeMap<String, String>>, EngineError> {
        registry::remote_labels(self, reference, platform)
    }

    fn push_index(
        &self,
        reference: &str,
        manifests: &[String],
    ) -> Result<Option<String>, EngineError> {
        registry::push_index(self, reference, manifests)
    }

    fn remote_index(&self, reference: &str) -> Option<Vec<(String, String)>> {
        registry::remote_index(self, reference)
    }

    fn local_digest(&self, image: &str, repository: &str) -> Option<String> {
        images::local_digest(self, image, repository)
    }

    fn save(
        &self,
        refs: &[String],
        out: &mut dyn Write,
        stop: &AtomicBool,
    ) -> Result<(), EngineError> {
        archive::save(self, refs, out, stop)
    }

    fn load(&self, input: &mut dyn Read, stop: &AtomicBool) -> Result<Vec<String>, EngineError> {
        archive::load(self, input, stop)
    }

    fn login(&self, registry: &str, user: &str, password: &str) -> Result<(), EngineError> {
        registry::login(self, registry, user, password)
    }
}
