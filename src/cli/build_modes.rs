//! The modes of `adf build`: which backend (`--backend`, `ADF_BACKEND`) and how progress shows
//! (`--progress`).

use super::GlobalArgs;
use super::EXIT_BAD_INPUT;
use crate::ops::build::Backend;
use std::io::IsTerminal;

/// `--backend`.
#[derive(clap::ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum BackendArg {
    Auto,
    Cli,
    Bake,
}

/// `--backend`, else `--bake`/`--builder`, else `ADF_BACKEND`: `None` lets adf choose. A bad
/// `ADF_BACKEND` is exit 2; `--builder` with the cli backend too.
pub(super) fn backend(
    backend: Option<BackendArg>,
    bake: bool,
    builder: Option<&str>,
) -> Result<Option<Backend>, i32> {
    let from_env = || match std::env::var("ADF_BACKEND").ok().as_deref().map(str::trim) {
        None | Some("") | Some("auto") => Ok(None),
        Some("cli") => Ok(Some(BackendArg::Cli)),
        Some("bake") => Ok(Some(BackendArg::Bake)),
        Some(other) => {
            let other = crate::terminal::escape_controls(other);
            eprintln!("adf: error: ADF_BACKEND={other} is not a backend; use auto, cli or bake");
            Err(EXIT_BAD_INPUT)
        }
    };
    let asked = match (backend, bake, builder) {
        (Some(b), _, _) => Some(b),
        (None, true, _) | (None, _, Some(_)) => Some(BackendArg::Bake),
        (None, false, None) => from_env()?,
    };
    if asked == Some(BackendArg::Cli) && builder.is_some() {
        eprintln!("adf: error: --builder names a buildx builder for the bake backend; drop it or use --backend bake");
        return Err(EXIT_BAD_INPUT);
    }
    Ok(match asked {
        None | Some(BackendArg::Auto) => None,
        Some(BackendArg::Cli) => Some(Backend::Cli),
        Some(BackendArg::Bake) => Some(Backend::Bake),
    })
}

/// `--progress`.
#[derive(clap::ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum ProgressArg {
    Auto,
    Tty,
    Plain,
    Quiet,
}

pub(super) fn progress(g: &GlobalArgs, p: Option<ProgressArg>) -> crate::ui::Progress {
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
