//! Shared start of every command: find the file, collect variables, run config → model, print
//! the diagnostics, and (for commands that need one) reach the engine.

pub use super::locate::{config_path, has_config, locate};
use super::GlobalArgs;
use crate::config::{self, VarSources};
use crate::diag::{render_human, Code, Diagnostics, Sources, Summary};
use crate::engine::{Engine, EngineOptions};
use crate::model::{self, Project};
use std::io::IsTerminal;

pub struct Loaded {
    pub project: Option<Project>,
    pub diags: Diagnostics,
    pub sources: Sources,
}

/// Loads and checks the file. `deep` also verifies installer sha256 sums (reads big files once;
/// cached by path, size, mtime and inode): for `check` and `build`.
pub fn load_deep(args: &GlobalArgs) -> Loaded {
    let mut loaded = load(args);
    if let Some(p) = &loaded.project {
        crate::model::installers::check_sha256(
            p,
            &|_| true,
            &p.dir.join(".adf"),
            &mut loaded.diags,
        );
    }
    loaded
}

pub fn load(args: &GlobalArgs) -> Loaded {
    let mut diags = Diagnostics::default();
    let mut sources = Sources::default();
    let vars = VarSources {
        sets: config::parse_sets(&args.set, &mut diags),
        overrides: config::interp::set_args::parse_overrides(&args.set, &mut diags),
        env: std::env::vars().collect(),
        ..VarSources::default()
    };
    let path = match locate(args) {
        Ok(p) => p,
        Err(d) => {
            diags.push(*d);
            return Loaded {
                project: None,
                diags,
                sources,
            };
        }
    };
    let project = config::load(
        &path,
        &mut sources,
        vars,
        &crate::ops::timestamp(),
        &mut diags,
    )
    .map(|cfg| model::build(cfg, &mut sources, &mut diags));
    if let Some(p) = &project {
        crate::ops::unsafe_state(p)
            .into_iter()
            .for_each(|d| diags.push(d));
    }
    Loaded {
        project,
        diags,
        sources,
    }
}

/// Whether to colour a stream (`--color`, NO_COLOR, CLICOLOR_FORCE, TERM=dumb, its TTY-ness).
pub fn color(stream_is_tty: bool) -> bool {
    super::color::enabled(stream_is_tty)
}

/// Prints diagnostics to stderr. With `warnings_in_full` false only errors are shown in full
/// and warnings are counted (commands other than `check`).
pub fn report(loaded: &Loaded, warnings_in_full: bool) {
    let mut shown = Diagnostics::default();
    for d in loaded.diags.sorted() {
        if warnings_in_full || d.severity == crate::diag::Severity::Error {
            shown.push(d.clone());
        }
    }
    let text = render_human(
        &shown,
        &loaded.sources,
        color(std::io::stderr().is_terminal()),
    );
    eprint!("{text}");
    let summary = Summary::of(&loaded.diags);
    if !warnings_in_full && summary.errors == 0 && summary.warnings > 0 {
        crate::ui::note(&format!(
            "{} warning{} (run `adf check` to see them)",
            summary.warnings,
            if summary.warnings == 1 { "" } else { "s" }
        ));
    }
}

/// Whether the load stopped because there is no file at all (nothing more to say then).
pub fn no_config(loaded: &Loaded) -> bool {
    loaded
        .diags
        .sorted()
        .iter()
        .any(|d| d.code == Code::NoConfig)
}

/// For read-only views (`list`, `graph`): the project when its graph is sound, even if other
/// errors exist (they are printed; the caller exits 2 after showing the view).
pub fn require_graph(args: &GlobalArgs) -> Result<(Project, bool), i32> {
    let mut loaded = load(args);
    report(&loaded, false);
    if loaded.project.is_none() && no_config(&loaded) {
        return Err(super::EXIT_BAD_INPUT);
    }
    let structural = loaded
        .diags
        .sorted()
        .iter()
        .any(|d| d.severity == crate::diag::Severity::Error && d.code.is_structural());
    let has_errors = loaded.diags.has_errors();
    if has_errors {
        let s = Summary::of(&loaded.diags);
        eprintln!(
            "adf: {} error{} (run `adf check`)",
            s.errors,
            if s.errors == 1 { "" } else { "s" }
        );
    }
    match loaded.project.take() {
        Some(p) if !structural => Ok((p, has_errors)),
        _ => Err(super::EXIT_BAD_INPUT),
    }
}

/// A project clean where the selection of `targets` (with ancestors) is concerned, that
/// selection and a reachable engine: the start of `verify` and `push`. Problems are printed; the error is the exit code.
pub struct Selected {
    pub project: Project,
    pub loaded: Loaded,
    pub selected: Vec<bool>,
    pub engine: Box<dyn Engine>,
}

pub fn select_with_engine(
    args: &GlobalArgs,
    target: &super::args::TargetArgs,
    engine: &EngineOptions,
) -> Result<Selected, i32> {
    let (project, loaded, selected) = super::selection::require_selected(args, false, target)?;
    let engine = connect(engine)?;
    Ok(Selected {
        project,
        loaded,
        selected,
        engine,
    })
}

/// The probed engine, or the exit code after saying why not.
pub fn connect(opts: &EngineOptions) -> Result<Box<dyn Engine>, i32> {
    crate::engine::connect(opts).map_err(|e| super::print_engine_error(&e))
}
