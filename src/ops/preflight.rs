//! What must hold before the first build of `adf build` starts, for the images about to build:
//! installers present, BuildKit features under the legacy builder, what the bake backend can
//! do, cache exports the client supports, platforms the engine can run.

use super::backend::Backend;
use super::build::BuildError;
use crate::diag::{Code, Diagnostic, Diagnostics, Severity};
use crate::engine::{Builder, EngineInfo};
use crate::model::dockerfile::DockerfileCache;
use crate::model::Project;
use std::collections::HashSet;

/// Everything that must hold before the first build starts, for the images about to build:
/// installers present, BuildKit features under the legacy builder, what the bake backend can do, cache
/// exports the client supports, platforms the engine can run.
pub(super) fn preflight(
    project: &Project,
    building: &HashSet<usize>,
    engine: &dyn crate::engine::Engine,
    backend: Backend,
) -> Result<(), BuildError> {
    let mut missing = Diagnostics::default();
    crate::model::installers::check_present(
        project,
        &|i| building.contains(&i),
        Severity::Error,
        &mut missing,
    );
    if missing.has_errors() {
        return Err(BuildError::Preflight(missing));
    }
    legacy_check(project, building, engine.info()).map_err(BuildError::Input)?;
    let wrapped: Vec<&str> = building
        .iter()
        .map(|&i| &project.images[i])
        .filter(|img| img.spec.runtime_deps.is_some())
        .map(|img| img.name.as_str())
        .collect();
    if backend == Backend::Bake && !wrapped.is_empty() {
        return Err(BuildError::Input(Box::new(
            Diagnostic::error(
                Code::NeedsBuildkit,
                format!("the bake backend cannot add the runtime_deps entrypoint layer of {}", wrapped.join(", ")),
            )
            .help("build these images with --backend cli (or build the rest with --backend bake and --target); nothing was built"),
        )));
    }
    if backend == Backend::Bake && !engine.info().buildx {
        let info = engine.info();
        return Err(BuildError::Input(Box::new(
            Diagnostic::error(
                Code::NeedsBuildkit,
                format!(
                    "the bake backend needs the buildx plugin, and {} has none ({})",
                    info.client.display(),
                    info.builder_reason
                ),
            )
            .help("install docker-buildx (a client of Docker 23 or later with the plugin), or build with --backend cli; nothing was built"),
        )));
    }
    super::cache::check(project, building, engine.info()).map_err(BuildError::Input)?;
    platform_check(project, building, engine).map_err(BuildError::Input)?;
    Ok(())
}

/// Under the legacy builder, BuildKit-only Dockerfile features fail late and obscurely: refuse
/// them before anything starts.
fn legacy_check(
    project: &Project,
    building: &HashSet<usize>,
    engine: &EngineInfo,
) -> Result<(), Box<Diagnostic>> {
    if engine.builder != Builder::Legacy {
        return Ok(());
    }
    let mut cache = DockerfileCache::default();
    let mut problems = Vec::new();
    let mut indexes: Vec<usize> = building.iter().copied().collect();
    indexes.sort_unstable();
    for i in indexes {
        let img = &project.images[i];
        let dockerfile = &img.spec.dockerfile;
        let Some(facts) = cache.get(dockerfile) else {
            continue;
        };
        let file = dockerfile
            .strip_prefix("./")
            .unwrap_or(dockerfile)
            .display()
            .to_string();
        if let Some(s) = &facts.syntax {
            problems.push(format!("{file}:1: `# syntax={s}` (image `{}`)", img.name));
        }
        for f in &facts.buildkit_features {
            problems.push(format!(
                "{file}:{}: {} (image `{}`)",
                f.line, f.what, img.name
            ));
        }
        if !img.spec.secrets.is_empty() {
            problems.push(format!("image `{}` uses build secrets", img.name));
        }
    }
    if problems.is_empty() {
        return Ok(());
    }
    Err(Box::new(Diagnostic::error(
        Code::NeedsBuildkit,
        format!("{} uses the legacy builder ({}), but these need BuildKit:\n    {}", engine.client.display(), engine.builder_reason, problems.join("\n    ")),
    )
    .help("install the buildx plugin, use a docker client older than 23 (it builds with DOCKER_BUILDKIT=1), or point adf at one with --docker PATH; nothing was built")))
}

/// A build for another architecture runs its `RUN` steps under an emulator: refuse, before
/// anything starts, the platforms this host cannot run.
fn platform_check(
    project: &Project,
    building: &HashSet<usize>,
    engine: &dyn crate::engine::Engine,
) -> Result<(), Box<Diagnostic>> {
    let mut cache = DockerfileCache::default();
    let mut problems: Vec<String> = Vec::new();
    let mut indexes: Vec<usize> = building.iter().copied().collect();
    indexes.sort_unstable();
    for i in indexes {
        let img = &project.images[i];
        let Some(platform) = img.spec.platforms.first() else {
            continue;
        };
        let Some(why) = engine.cannot_build(platform) else {
            continue;
        };
        let Some(line) = cache.get(&img.spec.dockerfile).and_then(|f| f.first_run) else {
            continue; // no RUN step: nothing runs for that platform
        };
        let file = img.spec.dockerfile.display();
        problems.push(format!(
            "`{}` for {platform} ({file}:{line} RUN): {why}",
            img.name
        ));
    }
    if problems.is_empty() {
        return Ok(());
    }
    Err(Box::new(
        Diagnostic::error(
            Code::PlatformUnavailable,
            format!("this host cannot build these platforms:\n    {}", problems.join("\n    ")),
        )
        .help("install an emulator (`apt-get install qemu-user-static binfmt-support`), build on a builder that has the platform natively, or narrow the build with --platform; nothing was built"),
    ))
}
