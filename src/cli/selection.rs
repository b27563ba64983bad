//! The start of commands that work on a selection (`plan`, `build`): errors in images outside
//! the selected targets' closure are counted, not shown, and do not stop the command.

use super::args::TargetArgs;
use super::project::{load, load_deep, report, Loaded};
use super::GlobalArgs;
use crate::diag::{Diagnostics, Severity, Summary};
use crate::model::Project;

/// The project, its `target` selection and what was loaded, when nothing the selection needs
/// is in error. Problems are printed; the error is the exit code.
pub fn require_selected(
    args: &GlobalArgs,
    deep: bool,
    target: &TargetArgs,
) -> Result<(Project, Loaded, Vec<bool>), i32> {
    let mut loaded = if deep { load_deep(args) } else { load(args) };
    let structural = loaded
        .diags
        .sorted()
        .iter()
        .any(|d| d.severity == Severity::Error && d.code.is_structural());
    let (project, selected) = match loaded.project.take() {
        Some(p) if !structural => match target.select(&p) {
            Ok(sel) => (p, sel),
            Err(d) => {
                report(&loaded, false);
                return Err(super::print_diag_error(*d));
            }
        },
        _ => {
            report(&loaded, false);
            return Err(nothing_done(&loaded.diags));
        }
    };
    // an error belongs to an image when it points into that image's block (or, from a
    // Dockerfile, names the image's block as well); errors of no image always count
    let outside = |d: &crate::diag::Diagnostic| {
        let in_file = d
            .primary
            .as_ref()
            .is_some_and(|l| l.span.file == project.file);
        let owners = d
            .primary
            .iter()
            .chain(d.secondary.iter().filter(|_| !in_file))
            .map(|l| project.owners(l.span))
            .find(|o| !o.is_empty())
            .unwrap_or_default();
        d.severity == Severity::Error && !owners.is_empty() && owners.iter().all(|&i| !selected[i])
    };
    let mut kept = Diagnostics::default();
    let mut elsewhere = 0;
    for d in loaded.diags.sorted() {
        if outside(d) {
            elsewhere += 1;
        } else {
            kept.push(d.clone());
        }
    }
    loaded.diags = kept;
    report(&loaded, false);
    if loaded.diags.has_errors() {
        return Err(nothing_done(&loaded.diags));
    }
    if elsewhere > 0 {
        eprintln!(
            "adf: {} in images outside the selection; `adf check` shows them",
            super::plural(elsewhere, "error")
        );
    }
    Ok((project, loaded, selected))
}

fn nothing_done(diags: &Diagnostics) -> i32 {
    let s = Summary::of(diags);
    eprintln!("adf: {}; nothing done", super::plural(s.errors, "error"));
    super::EXIT_BAD_INPUT
}
