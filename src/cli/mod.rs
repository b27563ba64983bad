//! The command line: argument parsing and one function per command. Only this layer prints.

mod build;
mod compat;
mod init;
mod load;
mod publish;
mod transfer;
mod verify;

use crate::diag::{render_json, Diagnostics, Sources, Summary};
use crate::{plan, render};
use clap::{Args, Parser, Subcommand, ValueEnum};
use std::io::IsTerminal;
use std::path::PathBuf;

pub const EXIT_OK: i32 = 0;
pub const EXIT_FAILED: i32 = 1;
pub const EXIT_BAD_INPUT: i32 = 2;

const ABOUT: &str =
    "Build layered container images for Ascend NPU (and CPU) AI stacks from one declarative file.";

const LONG_ABOUT: &str = "\
adf reads dockerfile-compose.yaml (images with depends_on, build.context/dockerfile/args and tags),
checks it, orders the images into build waves and passes each parent's tag to its children as
the base image, so no tag is ever written twice.

Exit codes: 0 success, 1 a build/verify/push failed, 2 bad input (config, flags, missing files).";

const BUILD_HELP: &str = "\
Examples:
  adf build                                   everything, skipping fresh images
  adf build --target yolo-910b -j 4           one image and its ancestors, 4 at a time
  adf build --keep-going                      after a failure, build all that does not depend on it
  adf build --dry-run                         what would be built, and why
  adf build --build-flag='--network host'     extra docker build flags (or `build_flags:` in the file)

An image is fresh when its primary tag carries the label adf.fingerprint with the same
fingerprint: a hash of its Dockerfile, the context files it reads (COPY/ADD, RUN bind mounts;
after .dockerignore), resolved args, target, platform, installer hashes and its parents'
fingerprints.
`adf plan --explain` names the input that changed.

Tags move only after an image built successfully; a failed or interrupted build leaves every
tag where it was. Full logs: .adf/logs/IMAGE.log next to the config file.
BuildKit is used when available (buildx plugin, or a pre-23 client with DOCKER_BUILDKIT=1);
otherwise the legacy builder, and BuildKit-only Dockerfile features are refused up front.
Exit: 0 all built or fresh, 1 an image failed or was blocked, 2 bad input, 130 interrupted.";

const EXAMPLES: &str = "\
Examples:
  adf list                              what can be built
  adf graph --target yolo-910b          how the layers hang together (Mermaid)
  adf check                             is the file sound
  adf plan --target 'cann-*'            build order and resolved args
  adf -f stacks/dev.yaml --set ARCH=aarch64 check";

#[derive(Parser, Debug)]
#[command(name = "adf", version, about = ABOUT, long_about = LONG_ABOUT, after_help = EXAMPLES)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Args, Debug, Clone, Default)]
pub struct GlobalArgs {
    /// The config file [default: ./dockerfile-compose.yaml]
    #[arg(short = 'f', long = "file", global = true, value_name = "FILE")]
    pub file: Option<PathBuf>,
    /// Set a variable, over `variables:` and the environment (repeatable), e.g. --set ARCH=aarch64
    #[arg(long = "set", global = true, value_name = "NAME=VALUE")]
    pub set: Vec<String>,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// List the images the file declares
    #[command(
        after_help = "Examples:\n  adf list\n  adf list --format json | jq -r '.[].name'\n\nJSON: [{name, tags, depends_on}]"
    )]
    List {
        #[arg(long, value_enum, default_value_t = ListFormat::Table)]
        format: ListFormat,
    },
    /// Show how the images depend on each other
    #[command(
        after_help = "Examples:\n  adf graph                                  Mermaid for the whole file\n  adf graph --target yolo-910b --format dot | dot -Tsvg > g.svg\n  adf graph --format json\n\nNodes are styled by role: root (no parent), intermediate, leaf (no child).\nJSON: {nodes: [{name, tags, role}], edges: [{from, to}]} (edges go parent -> child)"
    )]
    Graph {
        /// Only these images and their ancestors (repeatable; `*` globs)
        #[arg(long = "target", short = 't', value_name = "IMAGE")]
        targets: Vec<String>,
        #[arg(long, value_enum, default_value_t = GraphFormat::Mermaid)]
        format: GraphFormat,
    },
    /// Show the build order in waves with every resolved arg
    #[command(
        after_help = "Examples:\n  adf plan\n  adf plan --target yolo-910b --target flask-api\n  adf plan --format json\n\nImages of one wave have no dependency on each other and can build in parallel.\nThe parent's primary tag is passed as the base arg (BASE_IMAGE unless base_arg says otherwise).\nJSON: {images: [{name, wave, tags, depends_on, base, args}]} in build order, wave from 0"
    )]
    Plan {
        /// Only these images and their ancestors (repeatable; `*` globs)
        #[arg(long = "target", short = 't', value_name = "IMAGE")]
        targets: Vec<String>,
        #[arg(long, value_enum, default_value_t = TextFormat::Text)]
        format: TextFormat,
        /// List every input that changed since the image was built (Dockerfile, context files, args, parents)
        #[arg(long)]
        explain: bool,
        /// Do not ask the engine which images are fresh (every image shows as `build`)
        #[arg(long)]
        no_engine: bool,
        /// The docker CLI to use [env: ADF_DOCKER] [default: docker]
        #[arg(long, value_name = "PATH")]
        docker: Option<PathBuf>,
    },
    /// Write the built-in catalog (or one stack of it) out to edit
    #[command(after_help = init::INIT_HELP)]
    Init(init::InitArgs),
    /// Ask the compatibility knowledge (CANN, torch, torch_npu, vLLM, vllm-ascend, MindSpore, ...)
    #[command(after_help = compat::COMPAT_HELP)]
    Compat(compat::CompatArgs),
    /// Build images in dependency order, in parallel, skipping those that are fresh
    #[command(after_help = BUILD_HELP)]
    Build {
        /// Only these images and their ancestors (repeatable; `*` globs)
        #[arg(long = "target", short = 't', value_name = "IMAGE")]
        targets: Vec<String>,
        /// Builds running at once [default: number of CPUs, at least 2]
        #[arg(long, short = 'j', value_name = "N", value_parser = clap::value_parser!(u16).range(1..))]
        jobs: Option<u16>,
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
        /// The docker CLI to use [env: ADF_DOCKER] [default: docker]
        #[arg(long, value_name = "PATH")]
        docker: Option<PathBuf>,
        /// Summary format
        #[arg(long, value_enum, default_value_t = TextFormat::Text)]
        format: TextFormat,
    },
    /// Check the file: schema, references, graph, files, base-image drift, Dockerfile args
    #[command(
        after_help = "Examples:\n  adf check\n  adf check --set ARCH=aarch64\n  adf check --format json\n\nEvery problem is reported at once as file:line:col with a fix. Exit 0 when there are\nno errors (warnings are printed), 2 otherwise.\nJSON: {errors, warnings, diagnostics: [{severity, code, message, file, line, column, label, help}]}"
    )]
    Check {
        #[arg(long, value_enum, default_value_t = TextFormat::Text)]
        format: TextFormat,
    },
    /// Prove what can be proven without an NPU: versions, layout, paths, the file's `verify:` checks
    #[command(after_help = verify::VERIFY_HELP)]
    Verify(verify::VerifyArgs),
    /// Push built and verified images, parents first, skipping those the registry already has
    #[command(after_help = publish::PUSH_HELP)]
    Push(publish::PushArgs),
    /// Log in to a registry; the password is read from standard input only
    #[command(
        after_help = "Examples:\n  printf '%s' \"$PW\" | adf login 127.0.0.1:5001 -u ci --password-stdin\n  adf login swr.example.com -u ci --password-stdin < pw.txt\n\nThe password never goes on a command line (adf's or docker's) and is never logged.\nCredentials are kept by docker (DOCKER_CONFIG, default ~/.docker).\nExit: 0 logged in, 1 refused by the registry, 2 bad input."
    )]
    Login(transfer::LoginArgs),
    /// Save images to one archive (.tar, .tar.gz, .tar.zst)
    #[command(
        after_help = "Examples:\n  adf save yolo-910b -o yolo.tar.zst            every tag of a file's image\n  adf save my/img:1 other/img:2 -o both.tar.gz  docker references\n\nThe archive is written to a temporary file and renamed when complete.\nExit: 0 saved, 1 docker failed, 2 bad input (unknown image or extension), 130 interrupted."
    )]
    Save(transfer::SaveArgs),
    /// Load images from an archive written by `adf save` or `docker save`
    #[command(
        after_help = "Examples:\n  adf load -i yolo.tar.zst\n\nCompression is detected from the file's first bytes; image IDs are unchanged.\nExit: 0 loaded, 1 docker refused the archive (damaged or not an image archive), 2 no such file."
    )]
    Load(transfer::LoadArgs),
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum ListFormat {
    Table,
    Json,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum GraphFormat {
    Mermaid,
    Dot,
    Json,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum TextFormat {
    Text,
    Json,
}

pub(crate) fn print_json(v: &serde_json::Value) {
    match serde_json::to_string_pretty(v) {
        Ok(s) => println!("{s}"),
        Err(e) => eprintln!("adf: cannot print JSON: {e}"),
    }
}

pub(crate) fn print_diag_error(d: crate::diag::Diagnostic) -> i32 {
    let mut ds = Diagnostics::default();
    ds.push(d);
    eprint!(
        "{}",
        crate::diag::render_human(
            &ds,
            &Sources::default(),
            load::color(std::io::stderr().is_terminal())
        )
    );
    EXIT_BAD_INPUT
}

fn exit_for(has_errors: bool) -> i32 {
    if has_errors {
        EXIT_BAD_INPUT
    } else {
        EXIT_OK
    }
}

pub fn run(cli: Cli) -> i32 {
    let g = &cli.global;
    match cli.command {
        Command::Check { format } => check(g, format),
        Command::Compat(a) => compat::run(a),
        Command::Verify(a) => verify::run(g, a),
        Command::Push(a) => publish::run(g, a),
        Command::Login(a) => transfer::login(a),
        Command::Save(a) => transfer::save(g, a),
        Command::Load(a) => transfer::load(a),
        Command::Init(a) => init::run(a),
        Command::List { format } => match load::require_graph(g) {
            Err(code) => code,
            Ok((p, has_errors)) => {
                match format {
                    ListFormat::Table => print!("{}", render::list_table(&p)),
                    ListFormat::Json => print_json(&render::list_json(&p)),
                }
                exit_for(has_errors)
            }
        },
        Command::Graph { targets, format } => match load::require_graph(g) {
            Err(code) => code,
            Ok((p, has_errors)) => match plan::select(&p, &targets) {
                Err(d) => print_diag_error(*d),
                Ok(sel) => {
                    match format {
                        GraphFormat::Mermaid => print!("{}", render::graph::mermaid(&p, &sel)),
                        GraphFormat::Dot => print!("{}", render::graph::dot(&p, &sel)),
                        GraphFormat::Json => print_json(&render::graph::json(&p, &sel)),
                    }
                    exit_for(has_errors)
                }
            },
        },
        Command::Plan {
            targets,
            format,
            explain,
            no_engine,
            docker,
        } => match load::require_clean(g, false) {
            Err(code) => code,
            Ok((p, _)) => match plan::select(&p, &targets) {
                Err(d) => print_diag_error(*d),
                Ok(sel) => {
                    let plan = plan::make(&p, &sel);
                    let decisions = match build::plan_with_decisions(&p, &plan, docker, no_engine) {
                        Ok((d, note)) => {
                            if let Some(n) = note {
                                eprintln!("adf: {n}");
                            }
                            d
                        }
                        Err(d) => return print_diag_error(*d),
                    };
                    match format {
                        TextFormat::Text => {
                            print!("{}", render::plan_text(&plan, Some(&decisions), explain))
                        }
                        TextFormat::Json => print_json(&render::plan_json(&plan, Some(&decisions))),
                    }
                    EXIT_OK
                }
            },
        },
        Command::Build {
            targets,
            jobs,
            keep_going,
            force,
            dry_run,
            build_flags,
            docker,
            format,
        } => build::run(
            g,
            build::BuildOptions {
                targets,
                jobs: jobs.map(usize::from),
                keep_going,
                force,
                dry_run,
                format,
                docker,
                build_flags,
            },
        ),
    }
}

fn check(g: &GlobalArgs, format: TextFormat) -> i32 {
    let loaded = load::load_deep(g);
    let summary = Summary::of(&loaded.diags);
    match format {
        TextFormat::Json => print_json(&render_json(&loaded.diags, &loaded.sources)),
        TextFormat::Text => {
            load::report(&loaded, true);
            let file = load::config_path(g).display().to_string();
            let images = loaded.project.as_ref().map(|p| p.images.len()).unwrap_or(0);
            let verdict = if summary.errors == 0 { "ok" } else { "FAILED" };
            println!(
                "{file}: {verdict}: {images} image{}, {summary}",
                if images == 1 { "" } else { "s" }
            );
        }
    }
    if summary.errors > 0 {
        EXIT_BAD_INPUT
    } else {
        EXIT_OK
    }
}
