//! `adf build`.

use super::args::{EngineArgs, FormatArgs, JobsArgs, RegistryArgs, TargetArgs, TextFormat};
use super::GlobalArgs;
use super::{EXIT_BAD_INPUT, EXIT_FAILED, EXIT_INTERRUPTED, EXIT_OK};
use crate::ops::build::{self, BuildError, BuildOptions};
use clap::Args;
use std::io::IsTerminal;

pub const BUILD_HELP: &str = "\
Examples:
  adf build                                   everything, skipping fresh images
  adf build --target yolo-910b -j 4           one image and its ancestors, 4 at a time
  adf build --keep-going                      after a failure, build all that does not depend on it
  adf build --dry-run                         what would be built, and why
  adf build --build-flag='--network host'     extra docker build flags (or `build_flags:` in the file)
  adf build --bake --builder farm             the stale images as one buildx bake on builder `farm`
  adf build --metadata-file build.json        also write per-image tags, IDs, status, times, logs
  adf build --registry 127.0.0.1:5000/team    skip what that registry holds with the same fingerprint

An image is fresh when its primary tag carries the label adf.fingerprint with the same
fingerprint: a hash of its Dockerfile, the context files it reads (COPY/ADD, RUN bind mounts;
after .dockerignore), resolved args, target, platform, installer hashes and its parents'
fingerprints.
`adf plan --explain` names the input that changed.
With a registry (`registry:` in the file or --registry PREFIX; --no-registry ignores the file's),
an image the local store lacks is looked up as PREFIX/REPO:TAG (the mapping of `adf push --to`):
when its adf.fingerprint label matches it is `fresh (registry)`, neither built nor pulled, and a
child that must build builds FROM that registry reference. Reading labels from a registry
needs the docker buildx plugin (`docker buildx imagetools`); without it, or with the registry
unreachable, adf warns once and decides from the local store only.
cache_from / cache_to (per image under build:, or file-wide) pass --cache-from / --cache-to to
BuildKit; exporting a cache other than the inline one needs a buildx client.

--metadata-file FILE is written (atomically) after every build that started, failed ones too:
{images: {NAME: {tags, image_id?, digest, platform?, status, reason?, started_at, finished_at,
seconds, log?}}, ok}. digest is null: a build pushes nothing (`adf push --manifest` has digests).

Tags move only after an image built successfully; a failed or interrupted build leaves every
tag where it was. Full logs: .adf/logs/IMAGE.log next to the config file.
BuildKit is used when available (buildx plugin, or a pre-23 client with DOCKER_BUILDKIT=1);
otherwise the legacy builder, and BuildKit-only Dockerfile features are refused up front.
With --bake, the stale images go to one `docker buildx bake` (the file is kept in
.adf/bake.json): stale parents are linked as `target:` contexts, fresh ones as docker-image://;
build_flags, network and extra_hosts have no bake equivalent and are left out (said on stderr).
Exit: 0 all built or fresh, 1 an image failed or was blocked (or --metadata-file could not be written),
2 bad input, 130 interrupted.";

#[derive(Args, Debug)]
#[command(mut_arg("jobs", |a| a.help("Builds running at once [default: number of CPUs, at least 2]")))]
pub struct BuildArgs {
    #[command(flatten)]
    target: TargetArgs,
    #[command(flatten)]
    jobs: JobsArgs,
    /// After a failure, still build every image that does not depend on it
    #[arg(long)]
    keep_going: bool,
    /// Rebuild even fresh images
    #[arg(long)]
    force: bool,
    /// Say what would be built and why, build nothing
    #[arg(long)]
    dry_run: bool,
    /// Extra `docker build` flag(s), e.g. --build-flag='--network host' (repeatable)
    #[arg(long = "build-flag", value_name = "FLAG", allow_hyphen_values = true)]
    build_flags: Vec<String>,
    /// Hand the stale images to one `docker buildx bake` (adf decides, BuildKit builds)
    #[arg(long)]
    bake: bool,
    /// The buildx builder for --bake (remote, Kubernetes, multi-node) [default: the current one]
    #[arg(long, value_name = "NAME", requires = "bake")]
    builder: Option<String>,
    /// Write per-image tags, image IDs, status, times and log paths to FILE (JSON), even on failure
    #[arg(long, value_name = "FILE", conflicts_with = "dry_run")]
    metadata_file: Option<std::path::PathBuf>,
    #[command(flatten)]
    registry: RegistryArgs,
    #[command(flatten)]
    engine: EngineArgs,
    #[command(flatten)]
    format: FormatArgs,
    /// Progress on stderr: auto = bars on a terminal, else one `[image]` line per step; tty =
    /// bars; plain = every step of every image with a UTC timestamp; quiet = none (failures
    /// still print) [default: auto; plain with -v, quiet with -q]
    #[arg(long, value_enum, value_name = "MODE")]
    progress: Option<ProgressArg>,
}

/// `--progress`.
#[derive(clap::ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
enum ProgressArg {
    Auto,
    Tty,
    Plain,
    Quiet,
}

fn progress(g: &GlobalArgs, p: Option<ProgressArg>) -> crate::ui::Progress {
    use crate::ui::Progress;
    let auto = || {
        if std::io::stderr().is_terminal() {
            Progress::Bars
        } else {
            Progress::Lines
        }
    };
    match p {
        Some(ProgressArg::Tty) => Progress::Bars,
        Some(ProgressArg::Plain) => Progress::Plain,
        Some(ProgressArg::Quiet) => Progress::Quiet,
        Some(ProgressArg::Auto) => auto(),
        None if g.quiet => Progress::Quiet,
        None if g.verbose => Progress::Plain,
        None => auto(),
    }
}

pub fn run(g: &GlobalArgs, a: BuildArgs) -> i32 {
    if let Some(d) = crate::model::inputs::managed_cli_flag(&a.build_flags) {
        return super::print_diag_error(d);
    }
    let (project, loaded, selected) = match super::selection::require_selected(g, true, &a.target) {
        Ok(x) => x,
        Err(code) => return code,
    };
    let plan = crate::plan::make(&project, &selected);
    let registry = match a.registry.prefix(&project) {
        Ok(r) => r,
        Err(code) => return code,
    };
    let opts = BuildOptions {
        jobs: a.jobs.or(build::default_jobs()),
        keep_going: a.keep_going,
        force: a.force,
        dry_run: a.dry_run,
        cli_flags: a.build_flags,
        bake: a
            .bake
            .then_some(crate::ops::bake::BakeOptions { builder: a.builder }),
        registry,
    };
    let interrupted = super::interrupt_flag();
    let mut view = crate::ui::BuildView::with(progress(g, a.progress));
    let engine = a.engine.options();
    let report = match build::build(&project, &plan, &engine, &opts, &interrupted, &mut view) {
        Ok(r) => r,
        Err(BuildError::Engine(e)) => return super::print_engine_error(&e),
        Err(BuildError::Input(d)) => return super::print_diag_error(*d),
        Err(BuildError::Preflight(diags)) => {
            super::print_diags(&diags, &loaded.sources);
            let n = diags.count(crate::diag::Severity::Error);
            let are = if n == 1 { "is" } else { "are" };
            eprintln!(
                "adf: {} {are} missing; nothing was built",
                super::plural(n, "installer")
            );
            return EXIT_BAD_INPUT;
        }
    };
    if a.dry_run {
        for i in &report.images {
            let action = i.decision.action.word();
            println!("{action:<5} {}  ({})", i.name, i.decision.reason);
        }
        return EXIT_OK;
    }
    let names: Vec<String> = report.images.iter().map(|i| i.name.clone()).collect();
    match a.format.format {
        TextFormat::Text => print!("\n{}", crate::render::build_table(&names, &report.outcomes)),
        TextFormat::Json => super::print_json(&crate::render::build_json(&names, &report.outcomes)),
    }
    let mut written = true;
    if let Some(path) = &a.metadata_file {
        let metadata = crate::render::build_metadata(&plan, &report);
        if let Err(e) = crate::ops::write_json_atomically(path, &metadata) {
            eprintln!(
                "adf: cannot write the metadata file {}: {e}",
                path.display()
            );
            written = false;
        }
    }
    if report.interrupted {
        eprintln!("adf: interrupted; no tag was moved for unfinished images");
        return EXIT_INTERRUPTED;
    }
    if report.ok() && written {
        EXIT_OK
    } else {
        EXIT_FAILED
    }
}
