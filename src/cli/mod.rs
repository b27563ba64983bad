//! The command line: argument parsing and one function per command. Only this layer prints.

mod load;

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
    },
    /// Check the file: schema, references, graph, files, base-image drift, Dockerfile args
    #[command(
        after_help = "Examples:\n  adf check\n  adf check --set ARCH=aarch64\n  adf check --format json\n\nEvery problem is reported at once as file:line:col with a fix. Exit 0 when there are\nno errors (warnings are printed), 2 otherwise.\nJSON: {errors, warnings, diagnostics: [{severity, code, message, file, line, column, label, help}]}"
    )]
    Check {
        #[arg(long, value_enum, default_value_t = TextFormat::Text)]
        format: TextFormat,
    },
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

fn print_json(v: &serde_json::Value) {
    match serde_json::to_string_pretty(v) {
        Ok(s) => println!("{s}"),
        Err(e) => eprintln!("adf: cannot print JSON: {e}"),
    }
}

fn print_diag_error(d: crate::diag::Diagnostic) -> i32 {
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
        Command::Plan { targets, format } => match load::require_clean(g) {
            Err(code) => code,
            Ok((p, _)) => match plan::select(&p, &targets) {
                Err(d) => print_diag_error(*d),
                Ok(sel) => {
                    let plan = plan::make(&p, &sel);
                    match format {
                        TextFormat::Text => print!("{}", render::plan_text(&plan)),
                        TextFormat::Json => print_json(&serde_json::json!(plan)),
                    }
                    EXIT_OK
                }
            },
        },
    }
}

fn check(g: &GlobalArgs, format: TextFormat) -> i32 {
    let loaded = load::load(g);
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
