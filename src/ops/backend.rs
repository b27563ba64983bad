//! Which way `adf build` hands the stale images to the engine: one `docker buildx bake` for the
//! whole stale graph, or one `docker build` per image.

use super::build::BuildOptions;
use crate::engine::EngineInfo;
use crate::model::Project;
use std::collections::HashSet;

/// How the stale images reach the engine.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    /// One `docker build` (or `docker buildx build`) per image, adf scheduling them (`-j`).
    Cli,
    /// One `docker buildx bake` for the whole stale part of the graph, BuildKit scheduling it.
    Bake,
}

impl Backend {
    pub fn word(self) -> &'static str {
        match self {
            Backend::Cli => "docker build",
            Backend::Bake => "buildx bake",
        }
    }
}

/// The oldest buildx whose bake adf drives by default.
pub const BAKE_MIN_BUILDX: (u32, u32) = (0, 13);

/// The backend when none is asked for, and why: bake where the engine builds through buildx
/// 0.13 or later and bake can express every image about to build; `docker build` per image
/// otherwise (no buildx, `--keep-going`, `--build-flag`, or an image with `build_flags`,
/// `network`, `extra_hosts` or `runtime_deps`, which buildx 0.13's bake files cannot carry).
pub fn choose(
    project: &Project,
    building: &HashSet<usize>,
    info: &EngineInfo,
    opts: &BuildOptions,
) -> (Backend, String) {
    if let Some(b) = opts.backend {
        return (b, "asked for".to_string());
    }
    if !info.buildx {
        return (Backend::Cli, format!("no buildx: {}", info.builder_reason));
    }
    let (major, minor) = BAKE_MIN_BUILDX;
    if !info.buildx_at_least(major, minor) {
        let v = info.buildx_version.as_deref().unwrap_or("?");
        return (
            Backend::Cli,
            format!("buildx {v} is older than {major}.{minor}"),
        );
    }
    if opts.keep_going {
        let why = "--keep-going: a bake stops at the first failure";
        return (Backend::Cli, why.to_string());
    }
    if !opts.cli_flags.is_empty() {
        return (Backend::Cli, "--build-flag has no bake form".to_string());
    }
    let mut indexes: Vec<usize> = building.iter().copied().collect();
    indexes.sort_unstable();
    for i in indexes {
        let img = &project.images[i];
        if let Some(what) = crate::export::bake::unmapped(img).first() {
            return (Backend::Cli, format!("`{}` has {what}", img.name));
        }
    }
    let v = info.buildx_version.as_deref().unwrap_or("?");
    (Backend::Bake, format!("buildx {v}"))
}

/// The backend a run used and why.
#[derive(Clone, Debug)]
pub struct Chosen {
    pub backend: Backend,
    pub reason: String,
}
