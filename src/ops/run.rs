//! `adf run`: one image (of the file, or any reference) in a container with the host's Ascend
//! NPUs, control devices and driver paths ([`crate::npu`]), removed when it ends.
//! [`prepare`] resolves the image and the devices into the engine's request without starting
//! anything; [`run`] prints its command line or runs it.

use crate::engine::{ContainerRun, Engine, EngineError};
use crate::model::{platform, Project};
use crate::npu::{self, HostRoot, NpuChoice, NpuError};
use std::fmt;
use std::path::PathBuf;

/// `/dev/shm`'s size when the container has its own IPC namespace.
pub const DEFAULT_SHM_SIZE: &str = "16g";
/// Host IPC: HCCL and multi-process PyTorch share memory through it.
pub const DEFAULT_IPC: &str = "host";
/// Host network: serving ports and HCCL reach the host's interfaces as they are.
pub const DEFAULT_NETWORK: &str = "host";

#[derive(Clone, Debug)]
pub struct RunOptions {
    /// An image name of the file (`NAME`, `NAME@arm64`) or a docker reference.
    pub image: String,
    /// Replaces the image's `CMD`; empty: the image's own.
    pub command: Vec<String>,
    /// `None`: every NPU present (none present: a warning, no devices).
    pub npus: Option<NpuChoice>,
    /// Where the host's `/` is for device and driver discovery (`None`: `/`).
    pub host_root: Option<PathBuf>,
    pub shm_size: String,
    pub ipc: String,
    pub network: String,
    /// Keep stdin open with a terminal (stdin is one).
    pub interactive: bool,
    /// More engine flags, as words, before the image.
    pub extra_flags: Vec<String>,
}

/// What will run.
#[derive(Clone, Debug)]
pub struct Prepared {
    pub request: ContainerRun,
    /// The image of the file it runs, when it is one.
    pub image: Option<String>,
    pub npus: Vec<u32>,
    /// Said on stderr before anything runs.
    pub warnings: Vec<String>,
}

/// What `run` did.
pub enum Outcome {
    /// The command line, program first (`--print`).
    Printed(Vec<String>),
    /// The container's exit code.
    Exited(i32),
}

#[derive(Debug)]
pub enum RunError {
    /// An image of the file without `tags:`.
    NoTags(String),
    /// A multi-platform image with no variant for this host; the variants' names.
    NoVariant {
        name: String,
        host: String,
        variants: Vec<String>,
    },
    /// `--host-root` is not a directory.
    HostRoot(PathBuf),
    Npu(NpuError),
    /// An image of the file whose tag holds no image yet.
    NotBuilt {
        image: String,
        reference: String,
    },
    Engine(EngineError),
}

impl fmt::Display for RunError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RunError::NoTags(name) => write!(f, "image `{name}` of the file has no tags"),
            RunError::NoVariant {
                name,
                host,
                variants,
            } => write!(
                f,
                "`{name}` has no variant for this host's platform linux/{host} (it has {})",
                variants.join(", ")
            ),
            RunError::HostRoot(dir) => {
                write!(f, "--host-root {} is not a directory", dir.display())
            }
            RunError::Npu(e) => e.fmt(f),
            RunError::NotBuilt { image, reference } => {
                write!(f, "`{image}` is not built: the engine has no {reference}")
            }
            RunError::Engine(e) => e.fmt(f),
        }
    }
}

impl RunError {
    /// How to fix it.
    pub fn help(&self) -> Option<String> {
        match self {
            RunError::NoTags(_) => Some("add `tags:` to it, or run a docker reference".into()),
            RunError::NoVariant { variants, .. } => variants
                .first()
                .map(|v| format!("name one variant, e.g. `adf run {v}` (runs under emulation)")),
            RunError::HostRoot(_) => {
                Some("give a directory holding a host's dev/ and usr/local/Ascend/".into())
            }
            RunError::Npu(_) => Some(
                "choose from the NPUs present with --npus, or --npus none to run without".into(),
            ),
            RunError::NotBuilt { image, .. } => Some(format!("build it: adf build -t {image}")),
            RunError::Engine(e) => e.help().map(str::to_string),
        }
    }

    /// Nothing ran because of what was asked (exit 2) rather than an engine failure.
    pub fn is_bad_input(&self) -> bool {
        match self {
            RunError::Engine(e) => e.help().is_some(),
            _ => true,
        }
    }
}

/// The reference to run for `name` and, when it is an image of the file, that image's name: a
/// file's name is its primary tag (a multi-platform name: the variant for this host); anything
/// else is a docker reference.
pub fn resolve(
    project: Option<&Project>,
    name: &str,
) -> Result<(String, Option<String>), RunError> {
    let Some(p) = project else {
        return Ok((name.to_string(), None));
    };
    let index = match p.find(name) {
        Some(i) => i,
        None => {
            let members = p.family(name);
            if members.is_empty() {
                return Ok((name.to_string(), None));
            }
            let host = platform::host_suffix();
            let on_host = members.iter().copied().find(|&m| {
                p.images[m]
                    .platform
                    .as_deref()
                    .map(platform::suffix)
                    .as_deref()
                    == Some(host)
            });
            on_host.ok_or_else(|| RunError::NoVariant {
                name: name.to_string(),
                host: host.to_string(),
                variants: members.iter().map(|&m| p.images[m].name.clone()).collect(),
            })?
        }
    };
    let img = &p.images[index];
    let tag = img
        .primary_tag()
        .ok_or_else(|| RunError::NoTags(img.name.clone()))?;
    Ok((tag.to_string(), Some(img.name.clone())))
}

/// The request for `opts`: the image resolved, the NPUs chosen under the host root.
pub fn prepare(project: Option<&Project>, opts: &RunOptions) -> Result<Prepared, RunError> {
    let (reference, image) = resolve(project, &opts.image)?;
    let host = match &opts.host_root {
        Some(dir) if !dir.is_dir() => return Err(RunError::HostRoot(dir.clone())),
        Some(dir) => HostRoot::at(dir),
        None => HostRoot::local(),
    };
    let access = npu::access(&host, opts.npus.as_ref()).map_err(RunError::Npu)?;
    // with the host's (or another container's) IPC namespace, /dev/shm is theirs: no size to set
    let own_ipc = opts.ipc != "host" && !opts.ipc.starts_with("container:");
    let request = ContainerRun {
        image: reference,
        command: opts.command.clone(),
        devices: access.devices,
        read_only_mounts: access.mounts,
        shm_size: own_ipc.then(|| opts.shm_size.clone()),
        ipc: opts.ipc.clone(),
        network: opts.network.clone(),
        interactive: opts.interactive,
        extra_flags: opts.extra_flags.clone(),
    };
    Ok(Prepared {
        request,
        image,
        npus: access.npus,
        warnings: access.warnings,
    })
}

/// Prints the command line (`print`), or runs the container: its exit code. An image of the
/// file must be built first (a docker reference may be pulled by the engine).
pub fn run(engine: &dyn Engine, prepared: &Prepared, print: bool) -> Result<Outcome, RunError> {
    let req = &prepared.request;
    if print {
        return Ok(Outcome::Printed(engine.run_command_line(req)));
    }
    if let Some(image) = &prepared.image {
        if engine
            .image_id(&req.image)
            .map_err(RunError::Engine)?
            .is_none()
        {
            return Err(RunError::NotBuilt {
                image: image.clone(),
                reference: req.image.clone(),
            });
        }
    }
    engine
        .run_container(req)
        .map(Outcome::Exited)
        .map_err(RunError::Engine)
}
