//! The read-only views: `adf list`, `graph`, `plan` and `check`.

use super::args::{EngineArgs, RegistryArgs, TargetArgs, TextFormat};
use super::{print_diag_error, print_json, project, GlobalArgs, EXIT_BAD_INPUT, EXIT_OK};
use crate::diag::{render_github, render_json, Summary};
use crate::{ops, plan, render};
use clap::{Args, ValueEnum};

pub const LIST_HELP: &str = "Examples:\n  adf list\n  adf list --format json | jq -r '.[].name'\n\nJSON: [{name, tags, depends_on}]";
pub const GRAPH_HELP: &str = "Examples:\n  adf graph                                  Mermaid for the whole file\n  adf graph --target yolo-910b --format dot | dot -Tsvg > g.svg\n  adf graph --format json\n\nNodes are styled by role: root (no parent), intermediate, leaf (no child).\nJSON: {nodes: [{name, tags, role}], edges: [{from, to}]} (edges go parent -> child)";
pub const PLAN_HELP: &str = "Examples:\n  adf plan\n  adf plan --target yolo-910b --target flask-api\n  adf plan --format json\n  adf plan --registry 127.0.0.1:5000/team     also look up in that registry what the local store lacks\n\nImages of one wave have no dependency on each other and can build in parallel.\nThe parent's primary tag is passed as the base arg (BASE_IMAGE unless base_arg says otherwise).\nWith a registry (`registry:` or --registry PREFIX), an image the local store lacks whose\nPREFIX/REPO:TAG carries the same fingerprint is `fresh (registry)`; a child to build then\nbuilds FROM that registry reference (needs the docker buildx plugin to read the labels).\nJSON: {images: [{name, wave, tags, depends_on, base, args, build, action, reason, fingerprint, registry?}]}\nin build order, wave from 0; action is build, fresh or `fresh (registry)`; build is the full\nbuild spec (context, dockerfile, args, target, platforms, secret names, labels, network,\nshm_size, no_cache, pull, cache_from, cache_to, extra_hosts)";
pub const CHECK_HELP: &str = "Examples:\n  adf check\n  adf check --set ARCH=aarch64\n  adf check --format json\n  adf check --format github      GitHub Actions annotations (::error file=F,line=L,col=C,...)\n\nEvery problem is reported at once as file:line:col with a fix. Exit 0 when there are\nno errors (warnings are printed), 2 otherwise.\nJSON: {errors, warnings, diagnostics: [{severity, code, message, file, line, column, label, help}]}";

#[derive(Args, Debug)]
pub struct ListArgs {
    #[arg(long, value_enum, default_value_t = ListFormat::Table)]
    format: ListFormat,
}

#[derive(Args, Debug)]
pub struct GraphArgs {
    #[command(flatten)]
    target: TargetArgs,
    #[arg(long, value_enum, default_value_t = GraphFormat::Mermaid)]
    format: GraphFormat,
}

#[derive(Args, Debug)]
pub struct PlanArgs {
    #[command(flatten)]
    target: TargetArgs,
    #[arg(long, value_enum, default_value_t = TextFormat::Text)]
    format: TextFormat,
    /// List every input that changed since the image was built (Dockerfile, context files, args, parents)
    #[arg(long)]
    explain: bool,
    /// Do not ask the engine which images are fresh (every image shows as `build`)
    #[arg(long)]
    no_engine: bool,
    #[command(flatten)]
    registry: RegistryArgs,
    #[command(flatten)]
    engine: EngineArgs,
}

#[derive(Args, Debug)]
pub struct CheckArgs {
    /// Output format (github: one workflow command per problem, for GitHub Actions)
    #[arg(long, value_enum, default_value_t = CheckFormat::Text)]
    format: CheckFormat,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
enum CheckFormat {
    Text,
    Json,
    Github,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
enum ListFormat {
    Table,
    Json,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
enum GraphFormat {
    Mermaid,
    Dot,
    Json,
}

fn exit_for(has_errors: bool) -> i32 {
    if has_errors {
        EXIT_BAD_INPUT
    } else {
        EXIT_OK
    }
}

pub fn list(g: &GlobalArgs, a: ListArgs) -> i32 {
    let (p, has_errors) = match project::require_graph(g) {
        Ok(x) => x,
        Err(code) => return code,
    };
    match a.format {
        ListFormat::Table => print!("{}", render::list_table(&p)),
        ListFormat::Json => print_json(&render::list_json(&p)),
    }
    exit_for(has_errors)
}

pub fn graph(g: &GlobalArgs, a: GraphArgs) -> i32 {
    let (p, has_errors) = match project::require_graph(g) {
        Ok(x) => x,
        Err(code) => return code,
    };
    let sel = match a.target.select(&p) {
        Ok(s) => s,
        Err(d) => return print_diag_error(*d),
    };
    match a.format {
        GraphFormat::Mermaid => print!("{}", render::graph::mermaid(&p, &sel)),
        GraphFormat::Dot => print!("{}", render::graph::dot(&p, &sel)),
        GraphFormat::Json => print_json(&render::graph::json(&p, &sel)),
    }
    exit_for(has_errors)
}

pub fn plan(g: &GlobalArgs, a: PlanArgs) -> i32 {
    // the engine probe (a few `docker` processes) needs nothing from the file: it runs while
    // the file is read, and is waited for on every path (no probe outlives the command)
    let probe = (!a.no_engine).then(|| {
        let options = a.engine.options();
        std::thread::spawn(move || crate::engine::connect(&options))
    });
    let engine_of = |probe: Option<std::thread::JoinHandle<_>>| match probe {
        None => (None, Some("engine not asked (--no-engine)".to_string())),
        Some(handle) => match handle.join() {
            Ok(Ok(e)) => (Some(e), None),
            Ok(Err(e)) => (None, Some(format!("engine not reachable: {e}"))),
            Err(panic) => std::panic::resume_unwind(panic),
        },
    };
    let (p, _, sel) = match super::selection::require_selected(g, false, &a.target) {
        Ok(x) => x,
        Err(code) => {
            drop(engine_of(probe));
            return code;
        }
    };
    let registry = match a.registry.prefix(&p) {
        Ok(r) => r,
        Err(code) => {
            drop(engine_of(probe));
            return code;
        }
    };
    let mut plan = plan::make(&p, &sel);
    let (engine, note): (Option<Box<dyn crate::engine::Engine>>, Option<String>) = engine_of(probe);
    if let Some(n) = &note {
        crate::ui::note(n);
    }
    let mut decisions =
        match ops::plan::plan_decisions(&p, &plan, engine.as_deref(), note.as_deref()) {
            Ok(d) => d,
            Err(d) => return print_diag_error(*d),
        };
    if let (Some(prefix), Some(e)) = (&registry, engine.as_deref()) {
        for w in ops::registry::consult(&p, &mut plan, &mut decisions, e, prefix) {
            eprintln!("adf: warning: {w}");
        }
    }
    match a.format {
        TextFormat::Text => print!("{}", render::plan_text(&plan, Some(&decisions), a.explain)),
        TextFormat::Json => print_json(&render::plan_json(&p, &plan, Some(&decisions))),
    }
    // the process ends here: freeing a 50,000-image project piece by piece costs more than
    // anything else at the end of a plan, and the OS takes the memory back at once
    std::mem::forget((p, plan, decisions));
    EXIT_OK
}

pub fn check(g: &GlobalArgs, a: CheckArgs) -> i32 {
    let loaded = project::load_deep(g);
    let summary = Summary::of(&loaded.diags);
    match a.format {
        CheckFormat::Json => print_json(&render_json(&loaded.diags, &loaded.sources)),
        CheckFormat::Github => print!("{}", render_github(&loaded.diags, &loaded.sources)),
        CheckFormat::Text => {
            project::report(&loaded, true);
            if project::no_config(&loaded) {
                return EXIT_BAD_INPUT;
            }
            let file = project::config_path(g).display().to_string();
            let images = loaded.project.as_ref().map(|p| p.images.len()).unwrap_or(0);
            let verdict = if summary.errors == 0 { "ok" } else { "FAILED" };
            println!(
                "{file}: {verdict}: {}, {summary}",
                super::plural(images, "image")
            );
        }
    }
    exit_for(summary.errors > 0)
}
