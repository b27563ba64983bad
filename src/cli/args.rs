//! Flags shared by several commands, declared once and flattened into each.

use super::ColorWhen;
use crate::engine::EngineOptions;
use clap::{Args, ValueEnum};
use std::path::PathBuf;

#[derive(Args, Debug, Clone, Default)]
pub struct TargetArgs {
    /// Only these images and their ancestors (repeatable; `*` and `?` globs)
    #[arg(long = "target", short = 't', value_name = "IMAGE")]
    pub targets: Vec<String>,
    /// Images to select, as `--target` (bake and compose style)
    #[arg(value_name = "IMAGE")]
    pub images: Vec<String>,
    /// Only these platforms of multi-platform images, e.g. linux/arm64 (repeatable, or comma-separated)
    #[arg(long = "platform", value_name = "OS/ARCH", value_delimiter = ',')]
    pub platforms: Vec<String>,
}

impl TargetArgs {
    /// The selection: the targets, their ancestors, on the platforms asked for.
    pub fn select(
        &self,
        project: &crate::model::Project,
    ) -> Result<Vec<bool>, Box<crate::diag::Diagnostic>> {
        let targets: Vec<String> = self.targets.iter().chain(&self.images).cloned().collect();
        crate::plan::select_platforms(project, &targets, &self.platforms)
    }
}

#[derive(Args, Debug, Clone, Default)]
pub struct EngineArgs {
    /// The docker CLI to use [env: ADF_DOCKER] [default: docker]; DOCKER_HOST picks its engine
    #[arg(long, value_name = "PATH")]
    pub docker: Option<PathBuf>,
}

impl EngineArgs {
    pub fn options(&self) -> EngineOptions {
        EngineOptions {
            docker: self.docker.clone(),
        }
    }
}

/// A number of seconds from 0 to an hour (`--retry-delay`): finite, so `1e30` is a clap error
/// (exit 2) rather than a panic where it becomes a `Duration`.
pub fn seconds_up_to_an_hour(s: &str) -> Result<f64, String> {
    let v: f64 = s
        .trim()
        .parse()
        .map_err(|_| format!("`{s}` is not a number of seconds"))?;
    if v.is_finite() && (0.0..=3600.0).contains(&v) {
        Ok(v)
    } else {
        Err(format!("`{s}` is out of range: give 0 to 3600 seconds"))
    }
}

#[derive(Args, Debug, Clone, Default)]
pub struct JobsArgs {
    /// How many at once (each command says its default)
    #[arg(long, short = 'j', value_name = "N", value_parser = clap::value_parser!(u16).range(1..=256))]
    pub jobs: Option<u16>,
}

impl JobsArgs {
    pub fn or(&self, default: usize) -> usize {
        self.jobs.map(usize::from).unwrap_or(default)
    }
}

#[derive(Args, Debug, Clone, Default)]
pub struct FormatArgs {
    /// Output format
    #[arg(long, value_enum, default_value_t = TextFormat::Text)]
    pub format: TextFormat,
}

#[derive(ValueEnum, Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum TextFormat {
    #[default]
    Text,
    Json,
}

#[derive(Args, Debug, Clone, Default)]
pub struct RegistryArgs {
    /// Registry/namespace prefix (e.g. 127.0.0.1:5000/team) to look up, by fingerprint, images the local store lacks; overrides the file's `registry:`
    #[arg(long, value_name = "PREFIX")]
    pub registry: Option<String>,
    /// Ignore the file's `registry:` (decide from the local store only)
    #[arg(long, conflicts_with = "registry")]
    pub no_registry: bool,
}

impl RegistryArgs {
    /// The prefix in effect: `--registry`, else the file's `registry:` (checked with the file),
    /// none with `--no-registry`. A bad `--registry` is said here; the error is the exit code.
    pub fn prefix(&self, project: &crate::model::Project) -> Result<Option<String>, i32> {
        if self.no_registry {
            return Ok(None);
        }
        match &self.registry {
            Some(p) => match crate::model::reference::check_prefix(p) {
                Ok(()) => Ok(Some(p.clone())),
                Err(why) => {
                    eprintln!("adf: --registry {p:?} is not a registry/namespace prefix: {why}\n  help: for example --registry 127.0.0.1:5000/team or --registry swr.example.com/ai");
                    Err(super::EXIT_BAD_INPUT)
                }
            },
            None => Ok(project.registry.as_ref().map(|r| r.value.clone())),
        }
    }
}

/// Flags every command takes.
#[derive(Args, Debug, Clone, Default)]
pub struct GlobalArgs {
    /// The config file [env: ADF_FILE; default: dockerfile-compose.yaml (or .yml) here or in
    /// the nearest parent]
    #[arg(short = 'f', long = "file", global = true, value_name = "FILE")]
    pub file: Option<PathBuf>,
    /// Use the built-in catalog as the file (`adf init` writes it out to edit)
    #[arg(long, global = true, conflicts_with = "file")]
    pub catalog: bool,
    /// Set a variable (NAME=VALUE, over `variables:` and the environment) or override one
    /// image's build (IMAGE.args.NAME=VALUE, IMAGE.platforms=P[,P], IMAGE.tags=T[,T],
    /// IMAGE.target=STAGE, IMAGE.no_cache=true; IMAGE may be a `*`/`?` glob); repeatable
    #[arg(long = "set", global = true, value_name = "NAME=VALUE")]
    pub set: Vec<String>,
    /// Colour on stderr: auto = when stderr is a terminal, unless NO_COLOR is set or TERM=dumb
    /// (CLICOLOR_FORCE=1 forces it)
    #[arg(long, global = true, value_enum, default_value_t = ColorWhen::Auto, value_name = "WHEN")]
    pub color: ColorWhen,
    /// Print only errors on stderr: no progress, no notes (data on stdout is unchanged)
    #[arg(short = 'q', long, global = true, conflicts_with = "verbose")]
    pub quiet: bool,
    /// Say more on stderr: `build` streams every step of every image with a timestamp (as
    /// --progress plain)
    #[arg(short = 'v', long, global = true)]
    pub verbose: bool,
}
