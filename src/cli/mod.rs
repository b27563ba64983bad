//! The command line: flags into options, one op per command, its report rendered. Only this
//! layer (and the `ui` reporters it hands to ops) prints. Exit codes are defined here, once.

mod archive;
mod args;
mod build;
mod build_modes;
mod color;
mod compat;
mod describe;
mod export;
mod generate;
mod init;
mod knowledge;
mod locate;
mod login;
mod output;
mod project;
mod push;
mod run;
mod selection;
pub mod signals;
mod verify;
mod views;

pub use args::{GlobalArgs, TextFormat};
pub use color::ColorWhen;
pub(crate) use output::{
    fail, plural, print_diag_error, print_diags, print_engine_error, print_json,
};

use clap::{Parser, Subcommand};

/// Everything asked for worked.
pub const EXIT_OK: i32 = 0;
/// A build, verify or push failed (or was refused by the gate).
pub const EXIT_FAILED: i32 = 1;
/// Bad input: the file, a flag, a missing file or engine; nothing was done.
pub const EXIT_BAD_INPUT: i32 = 2;
/// Stopped by Ctrl-C (128 + SIGINT).
pub const EXIT_INTERRUPTED: i32 = 130;

const ABOUT: &str =
    "Build layered container images for Ascend NPU (and CPU) AI stacks from one declarative file.";

const LONG_ABOUT: &str = "\
adf reads dockerfile-compose.yaml (images with depends_on, build.context/dockerfile/args and tags),
checks it, orders the images into build waves and passes each parent's tag to its children as
the base image, so no tag is ever written twice.

The file is -f FILE, else $ADF_FILE, else dockerfile-compose.yaml (or .yml) in the current
directory or the nearest parent; relative paths in it, and adf's state (.adf/), are next to it.
Without one adf stops (exit 2); --catalog uses the built-in catalog instead.

Exit codes: 0 success, 1 a build/verify/push failed, 2 bad input (config, flags, missing files,
no engine), 130/143/129 stopped by SIGINT/SIGTERM/SIGHUP, 141 stdout or stderr closed.
ADF_ENGINE_TIMEOUT: seconds an engine request (not a build) may take to answer (20).";

const EXAMPLES: &str = "\
Examples:
  adf list                              what can be built
  adf graph --target yolo-910b          how the layers hang together (Mermaid)
  adf check                             is the file sound
  adf plan --target 'cann-*'            build order and resolved args
  adf -f stacks/dev.yaml --set ARCH=aarch64 check
  adf --set 'leaf.tags=acme/leaf:dev' --set '*.platforms=linux/arm64' plan
  adf --catalog list                    the built-in catalog's images";

/// `adf --version`: the package version, the commit built from and the knowledge snapshot date.
const VERSION: &str = concat!(
    env!("CARGO_PKG_VERSION"),
    " (",
    env!("ADF_GIT_SHA"),
    ", knowledge ",
    env!("ADF_KNOWLEDGE_DATE"),
    ")"
);

#[derive(Parser, Debug)]
#[command(name = "adf", version = VERSION, about = ABOUT, long_about = LONG_ABOUT, after_help = EXAMPLES)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// List the images the file declares
    #[command(after_help = views::LIST_HELP)]
    List(views::ListArgs),
    /// Show how the images depend on each other
    #[command(after_help = views::GRAPH_HELP)]
    Graph(views::GraphArgs),
    /// Show the build order in waves with every resolved arg
    #[command(after_help = views::PLAN_HELP)]
    Plan(views::PlanArgs),
    /// Print the fully resolved file (variables, matrix, platforms, injected bases) as YAML or JSON
    #[command(after_help = describe::CONFIG_HELP)]
    Config(describe::ConfigArgs),
    /// Print the JSON Schema of dockerfile-compose.yaml (for editors)
    #[command(after_help = describe::SCHEMA_HELP)]
    Schema,
    /// Write the built-in catalog (or one stack of it) out to edit
    #[command(after_help = init::INIT_HELP)]
    Init(init::InitArgs),
    /// Ask the compatibility knowledge (CANN, torch, torch_npu, vLLM, vllm-ascend, MindSpore, ...)
    #[command(after_help = compat::COMPAT_HELP)]
    Compat(compat::CompatArgs),
    Knowledge(knowledge::KnowledgeArgs),
    /// Build images in dependency order, in parallel, skipping those that are fresh
    #[command(after_help = build::BUILD_HELP)]
    Build(build::BuildArgs),
    /// Check the file: schema, references, graph, files, base-image drift, Dockerfile args
    #[command(after_help = views::CHECK_HELP)]
    Check(views::CheckArgs),
    /// Prove what can be proven without an NPU: versions, layout, paths, the file's `verify:` checks
    #[command(after_help = verify::VERIFY_HELP)]
    Verify(verify::VerifyArgs),
    /// Push built and verified images, parents first, skipping those the registry already has
    #[command(after_help = push::PUSH_HELP)]
    Push(push::PushArgs),
    /// Log in to a registry; the password is read from standard input only
    #[command(after_help = login::LOGIN_HELP)]
    Login(login::LoginArgs),
    /// Save images to one archive (.tar, .tar.gz, .tar.zst)
    #[command(after_help = archive::SAVE_HELP)]
    Save(archive::SaveArgs),
    /// Load images from an archive written by `adf save` or `docker save`
    #[command(after_help = archive::LOAD_HELP)]
    Load(archive::LoadArgs),
    /// Write what adf knows out for other tools: `script` replays a chain on a host without Docker
    #[command(after_help = export::EXPORT_HELP)]
    Export(export::ExportArgs),
    /// Run an image with the host's Ascend NPUs and driver mounted (or print the docker command)
    #[command(after_help = run::RUN_HELP)]
    Run(run::RunArgs),
    /// Print a shell completion script (bash, zsh, fish, powershell) to stdout
    #[command(after_help = generate::COMPLETIONS_HELP)]
    Completions {
        /// The shell
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print adf's man page (roff) to stdout
    #[command(after_help = "Example:\n  adf man > ~/.local/share/man/man1/adf.1")]
    Man,
}

pub fn run(cli: Cli) -> i32 {
    let g = &cli.global;
    color::set_color(g.color);
    crate::ui::set_quiet(g.quiet);
    match cli.command {
        Command::List(a) => views::list(g, a),
        Command::Graph(a) => views::graph(g, a),
        Command::Plan(a) => views::plan(g, a),
        Command::Config(a) => describe::config(g, a),
        Command::Schema => describe::schema(),
        Command::Check(a) => views::check(g, a),
        Command::Init(a) => init::run(a),
        Command::Compat(a) => compat::run(a),
        Command::Knowledge(a) => knowledge::run(a),
        Command::Build(a) => build::run(g, a),
        Command::Verify(a) => verify::run(g, a),
        Command::Push(a) => push::run(g, a),
        Command::Login(a) => login::run(a),
        Command::Save(a) => archive::save(g, a),
        Command::Load(a) => archive::load(a),
        Command::Export(a) => export::run(g, a),
        Command::Run(a) => run::run(g, a),
        Command::Completions { shell } => generate::completions(shell),
        Command::Man => generate::man(),
    }
}

pub(crate) use signals::{interrupt_flag, interrupted_exit};
