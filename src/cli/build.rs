//! `adf build`.

use super::args::{EngineArgs, FormatArgs, JobsArgs, RegistryArgs, TargetArgs, TextFormat};
use super::build_modes;
use super::GlobalArgs;
use super::{EXIT_BAD_INPUT, EXIT_FAILED, EXIT_OK};
use crate::ops::build::{self, BuildError, BuildOptions};
use clap::Args;

pub const BUILD_HELP: &str = include_str!("build_help.txt");

#[derive(Args, Debug)]
#[command(mut_arg("jobs", |a| a.help("Builds running at once [default: the widest wave of the plan, 2 to 16]")))]
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
    /// Extra `docker build` flag(s), e.g. --build-flag='--network host' (repeatable); flags adf
    /// manages (--tag, --output, --push, --load, --iidfile, --file, --platform,
    /// --metadata-file) are refused
    #[arg(long = "build-flag", value_name = "FLAG", allow_hyphen_values = true)]
    build_flags: Vec<String>,
    /// How the stale images reach the engine: auto = one `docker buildx bake` for the whole
    /// stale graph where the client has buildx 0.13 or later and bake can carry every image
    /// about to build, else one `docker build` per image; bake; cli [env: ADF_BACKEND]
    /// [default: auto]
    #[arg(long, value_enum, value_name = "BACKEND")]
    backend: Option<build_modes::BackendArg>,
    /// Same as --backend bake
    #[arg(long, hide = true, conflicts_with = "backend")]
    bake: bool,
    /// The buildx builder the bake backend uses (remote, Kubernetes, multi-node); implies
    /// --backend bake when none is given [default: the current one]
    #[arg(long, value_name = "NAME")]
    builder: Option<String>,
    /// Write per-image tags, image IDs, status, times and log paths to FILE (JSON), even on failure
    #[arg(long, value_name = "FILE", conflicts_with = "dry_run")]
    metadata_file: Option<std::path::PathBuf>,
    /// Write an HTML report of where the time went: a Gantt chart by wave, the critical path,
    /// per-image times [default FILE: .adf/timings/adf-timings-TIMESTAMP.html]
    #[arg(long, value_name = "FILE", num_args = 0..=1, require_equals = true, conflicts_with = "dry_run")]
    timings: Option<Option<std::path::PathBuf>>,
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
    progress: Option<build_modes::ProgressArg>,
}

pub fn run(g: &GlobalArgs, a: BuildArgs) -> i32 {
    let started = std::time::SystemTime::now();
    if let Some(d) = crate::model::build_flags::managed_cli_flag(&a.build_flags) {
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
    let backend = match build_modes::backend(a.backend, a.bake, a.builder.as_deref()) {
        Ok(b) => b,
        Err(code) => return code,
    };
    let opts = BuildOptions {
        jobs: a.jobs.or(build::default_jobs(&plan)),
        keep_going: a.keep_going,
        force: a.force,
        dry_run: a.dry_run,
        cli_flags: a.build_flags,
        backend,
        bake: crate::ops::bake::BakeOptions { builder: a.builder },
        registry,
    };
    let interrupted = super::interrupt_flag();
    let mut view = crate::ui::BuildView::with(build_modes::progress(g, a.progress));
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
    if let Some(to) = &a.timings {
        let backend = report.backend.as_ref().map_or("none", |c| c.backend.word());
        let t = crate::ops::timings::from_report(&plan, &report, started, opts.jobs, backend);
        match crate::ops::timings::write(&project, &t, to.as_deref()) {
            Ok(path) => crate::ui::note(&format!("timings: {}", path.display())),
            Err(e) => {
                eprintln!("adf: cannot write the timings report: {e}");
                written = false;
            }
        }
    }
    if report.interrupted {
        eprintln!("adf: interrupted; no tag was moved for unfinished images");
        return super::interrupted_exit();
    }
    if report.ok() && written {
        EXIT_OK
    } else {
        EXIT_FAILED
    }
}
