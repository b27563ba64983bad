//! engine: the one seam between adf and a container engine. Every process adf starts to talk to
//! an engine (build, image queries, tag, containers for verify, push, registry lookups, save,
//! load, login) starts behind the [`Engine`] trait; [`docker::DockerCli`] is the first backend.
//! Owns: command lines, process handling ([`process`]), the engine's error ([`EngineError`]),
//! reading build output ([`progress`]) and the spec → request mapping ([`request`]).
//! Must not: decide what to build, print, or know about the file's syntax.
//!
//! A new backend (another CLI, the Engine API over a socket, buildx bake) is one new module that
//! implements [`Engine`], plus one arm in [`connect`].

pub mod docker;
mod error;
pub mod process;
pub mod progress;
pub mod request;

pub use docker::{scrub, Builder, DockerCli};
pub use error::{classify, last_lines, EngineError, ErrorKind};
pub use request::{BuildRequest, PARENT_LABEL};

use std::collections::{BTreeMap, HashMap};
use std::io::{Read, Write};
use std::path::PathBuf;
use std::sync::atomic::AtomicBool;
use std::time::Duration;

/// An image built by adf (it carries the `adf.fingerprint` label) that a reference points at.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImageInfo {
    pub id: String,
    pub fingerprint: String,
    /// The image ID of the parent it was built FROM (its `adf.parent` label), when adf
    /// recorded one.
    pub parent: Option<String>,
    /// Its filesystem layers (diff IDs), base first.
    pub layers: Vec<String>,
}

/// What the engine says about an image's configuration.
#[derive(Clone, Debug, Default)]
pub struct ImageConfig {
    pub id: String,
    /// Docker's architecture name: `amd64`, `arm64`, ...
    pub arch: String,
    pub env: Vec<(String, String)>,
    pub labels: Vec<(String, String)>,
    pub entrypoint: Vec<String>,
    pub cmd: Vec<String>,
}

/// A freshly built image, held by a private temporary tag until its real tags are applied (an
/// untagged image could be pruned by anyone in between).
#[derive(Clone, Debug)]
pub struct BuiltImage {
    pub id: String,
    pub hold_tag: String,
}

/// A command to run in a throwaway container of an image, without network.
#[derive(Clone, Debug)]
pub struct RunRequest {
    pub image: String,
    /// Run as `/bin/sh -c SCRIPT` through the image's entrypoint.
    pub script: String,
    /// Host devices to pass in (`/dev/davinci0`, ...).
    pub devices: Vec<String>,
    /// Host paths mounted read-only at the same place.
    pub read_only_mounts: Vec<String>,
    pub timeout: Duration,
}

/// A container run for a person (`adf run`): the terminal's streams pass through, the
/// container is removed when it ends.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ContainerRun {
    pub image: String,
    /// The command, replacing the image's `CMD`; empty: the image's own.
    pub command: Vec<String>,
    /// Host devices to pass in (`/dev/davinci0`, ...).
    pub devices: Vec<String>,
    /// Host paths mounted read-only at the same place.
    pub read_only_mounts: Vec<String>,
    /// `/dev/shm`'s size (`16g`), when the container has its own IPC namespace.
    pub shm_size: Option<String>,
    /// IPC namespace: `host`, `private`, `shareable`, `container:NAME`.
    pub ipc: String,
    /// Network: `host`, `none`, `bridge`, a network's name.
    pub network: String,
    /// Keep stdin open and allocate a terminal (stdin is a terminal).
    pub interactive: bool,
    /// More engine flags, passed before the image as they are.
    pub extra_flags: Vec<String>,
}

/// Output (stdout then stderr) and exit code of a command run in an image.
#[derive(Clone, Debug)]
pub struct RunOutput {
    pub code: Option<i32>,
    pub output: String,
    pub timed_out: bool,
}

/// How the engine keeps images locally.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ImageStore {
    /// One platform per local image (Docker's graph drivers: 20.10 and most servers today).
    Classic,
    /// The containerd image store: one local tag can hold every platform.
    Containerd,
}

/// What a registry holds under a reference.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Remote {
    /// The manifest digest.
    Digest(String),
    /// The registry answered that there is no such manifest.
    Missing,
    /// Could not tell (unreachable, a manifest list, a client without the command): push.
    Unknown(String),
}

/// What the engine is and how it builds.
#[derive(Clone, Debug, Default)]
pub struct EngineInfo {
    /// The client adf runs, as shown to users.
    pub client: PathBuf,
    pub client_version: String,
    pub server_version: String,
    /// The engine's own architecture (Docker's name: `amd64`, `arm64`), when probed.
    pub server_arch: String,
    pub builder: Builder,
    /// How the builder was chosen (buildx plugin, DOCKER_BUILDKIT=1 on a pre-23 client, ...).
    pub builder_reason: String,
    /// Builds go through the buildx plugin (which would attach provenance attestations, making
    /// every pushed image an index, unless told not to).
    pub buildx: bool,
    /// The buildx plugin's version (`0.13.1`) when builds go through it.
    pub buildx_version: Option<String>,
}

impl EngineInfo {
    /// Builds go through a buildx plugin of at least `major.minor`.
    pub fn buildx_at_least(&self, major: u32, minor: u32) -> bool {
        let Some(v) = self.buildx_version.as_deref().filter(|_| self.buildx) else {
            return false;
        };
        let mut parts = v.trim_start_matches('v').split(['.', '+', '-']);
        let mut next = || parts.next().and_then(|p| p.parse::<u32>().ok());
        match (next(), next()) {
            (Some(a), Some(b)) => (a, b) >= (major, minor),
            _ => false,
        }
    }
}

/// Everything adf asks of a container engine. Implementations are shared by worker threads.
pub trait Engine: Send + Sync {
    /// What the engine is (probed by [`connect`]; empty versions when not probed).
    fn info(&self) -> &EngineInfo;

    /// Builds one image; every output line goes to the request's log, each new step to
    /// `on_step`. The request's tags and a private hold tag point at the new image once the
    /// build succeeded; a failed or interrupted build moves no tag.
    fn build(
        &self,
        req: &BuildRequest,
        interrupted: &AtomicBool,
        on_step: &(dyn Fn(String) + Sync),
    ) -> Result<BuiltImage, EngineError>;

    /// Points every tag at `image`.
    fn tag(&self, image: &str, tags: &[String]) -> Result<(), EngineError>;

    /// Builds the `default` group of a bake file (`docker buildx bake`, images loaded into the
    /// engine), on `builder` or the current one; every output line to `on_line`. The image ID
    /// of each target the engine reports (target name → ID; may be empty).
    fn bake(
        &self,
        file: &std::path::Path,
        builder: Option<&str>,
        interrupted: &AtomicBool,
        on_line: &(dyn Fn(String) + Sync),
    ) -> Result<HashMap<String, String>, EngineError>;

    /// How the engine stores images (asked once, when first needed).
    fn image_store(&self) -> ImageStore;

    /// On a containerd image store: points `tags` at one local multi-platform image made of
    /// `sources` (platform, local single-platform tag); its ID.
    fn combine(
        &self,
        tags: &[String],
        sources: &[(String, String)],
        interrupted: &AtomicBool,
    ) -> Result<String, EngineError>;

    /// Removes tags (in one request), never an image while other tags point at it (best
    /// effort).
    fn untag(&self, tags: &[&str]);

    /// A private tag of this run for the image `id`, to build FROM: BuildKit cannot build
    /// FROM an image ID, and a file's tag can be moved by another run meanwhile. Removed with
    /// [`Engine::untag`] once the build is over.
    fn pin(&self, id: &str) -> Result<String, EngineError>;

    /// Removes the hold and pin tags and temporary directories that runs on this host killed
    /// before they could clean up left behind (never a live run's); how many.
    fn remove_leftovers(&self) -> usize;

    /// The adf-built images (label `adf.fingerprint`) that `refs` point at; refs that point at
    /// nothing adf built are absent.
    fn built_images(&self, refs: &[String]) -> HashMap<String, ImageInfo>;

    /// The image's ID, `None` when the engine has no such image.
    fn image_id(&self, reference: &str) -> Result<Option<String>, EngineError>;

    fn image_config(&self, reference: &str) -> Result<ImageConfig, EngineError>;

    /// Streams the image's filesystem as a tar to `read`, from a container that never starts.
    fn export_filesystem(
        &self,
        image: &str,
        read: &mut dyn FnMut(&mut dyn Read) -> Result<(), String>,
    ) -> Result<(), EngineError>;

    fn run(&self, req: &RunRequest) -> Result<RunOutput, EngineError>;

    /// The command line that runs `req`, program first (what `run_container` starts; `adf run
    /// --print` shows it).
    fn run_command_line(&self, req: &ContainerRun) -> Vec<String>;

    /// Runs `req` in the foreground with this process's stdin, stdout and stderr; the
    /// container's exit code (the client's: 125 and up are the engine's own failures; 128 + N
    /// for a client killed by signal N).
    fn run_container(&self, req: &ContainerRun) -> Result<i32, EngineError>;

    /// Why an image of Docker architecture `arch` cannot run on the engine, if it cannot.
    fn cannot_run(&self, arch: &str) -> Option<String>;

    /// Why the engine cannot build `RUN` steps for `platform` (`linux/arm64`), if it cannot.
    fn cannot_build(&self, platform: &str) -> Option<String>;

    /// Pushes a local tag to its registry; the manifest digest when the engine says it.
    fn push(&self, reference: &str) -> Result<Option<String>, EngineError>;

    /// The digest a registry holds under `reference`, asked with the engine's credentials.
    fn remote_digest(&self, reference: &str) -> Remote;

    /// The labels of the image a registry holds under `reference` (of an index: its image for
    /// `platform`, `os/arch[/variant]`, or the engine's own platform), asked with the engine's
    /// credentials, nothing pulled. `Ok(None)`: the registry has no such manifest. An error
    /// says it could not tell: unreachable, refused, or a client with no way to ask
    /// ([`ErrorKind::Unsupported`]).
    fn remote_labels(
        &self,
        reference: &str,
        platform: Option<&str>,
    ) -> Result<Option<BTreeMap<String, String>>, EngineError>;

    /// Makes `reference` a multi-platform image index of `manifests` (references already in the
    /// same registry); the index digest when the engine says it.
    fn push_index(
        &self,
        reference: &str,
        manifests: &[String],
    ) -> Result<Option<String>, EngineError>;

    /// The platforms and manifest digests of the index a registry holds under `reference`;
    /// `None` when it holds none (or no index) or cannot be asked.
    fn remote_index(&self, reference: &str) -> Option<Vec<(String, String)>>;

    /// The digest the local `image` has in `repository` (from an earlier push or pull).
    fn local_digest(&self, image: &str, repository: &str) -> Option<String>;

    /// Writes an archive of `refs` to `out` (stopping when `stop` is set).
    fn save(
        &self,
        refs: &[String],
        out: &mut dyn Write,
        stop: &AtomicBool,
    ) -> Result<(), EngineError>;

    /// Loads an archive read from `input`; the engine's `Loaded image` lines.
    fn load(&self, input: &mut dyn Read, stop: &AtomicBool) -> Result<Vec<String>, EngineError>;

    /// Stores credentials for `registry`; the password reaches the engine through a pipe only.
    fn login(&self, registry: &str, user: &str, password: &str) -> Result<(), EngineError>;
}

/// How to reach the engine: the one place that knows `--docker`, `ADF_DOCKER` and (through the
/// client's environment) `DOCKER_HOST`.
#[derive(Clone, Debug, Default)]
pub struct EngineOptions {
    /// `--docker PATH`.
    pub docker: Option<PathBuf>,
}

impl EngineOptions {
    /// `--docker PATH`, else `ADF_DOCKER`, else `docker` on PATH.
    pub fn client(&self) -> PathBuf {
        self.docker
            .clone()
            .or_else(|| std::env::var_os("ADF_DOCKER").map(PathBuf::from))
            .unwrap_or_else(|| PathBuf::from("docker"))
    }
}

/// The engine, probed: its client runs and reaches a daemon (`DOCKER_HOST` or the default
/// socket), and its builder is chosen.
pub fn connect(opts: &EngineOptions) -> Result<Box<dyn Engine>, EngineError> {
    Ok(Box::new(DockerCli::detect(opts.client())?))
}

/// The engine's client without a probe, for commands that do not build (login, save, load):
/// a missing client or daemon is reported by the first request.
pub fn client(opts: &EngineOptions) -> Box<dyn Engine> {
    Box::new(DockerCli::unprobed(opts.client()))
}
