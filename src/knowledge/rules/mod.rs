//! Evaluating one release row or one rule against a stack: release rows in [`release_row`],
//! cross-cutting rules in [`cross_cutting`], and here what both use to word and cite a finding.

pub(super) mod cross_cutting;
pub(super) mod release_row;

use super::check::{codes, Ctx, Finding};
use super::model::{Constraint, Release};
use crate::diag::Severity;

pub(super) fn subject(r: &Release) -> String {
    match &r.variant {
        Some(v) => format!("{} {} [{}]", r.component, r.version, v),
        None => format!("{} {}", r.component, r.version),
    }
}

fn with_note(msg: String, note: &Option<String>) -> String {
    match note {
        Some(n) => format!("{msg} ({n})"),
        None => msg,
    }
}

fn srcs<'a>(c: &'a Constraint, fallback: &'a [String]) -> &'a [String] {
    if c.source.is_empty() {
        fallback
    } else {
        &c.source
    }
}

fn find<'a>(list: &'a [(String, Constraint)], comp: &str) -> Option<&'a Constraint> {
    list.iter().find(|(c, _)| c == comp).map(|(_, c)| c)
}

/// A broken requirement or a matched conflict: `compat-conflict` as an error, `compat-caution`
/// where the entry lowers it to a warning.
fn conflict_finding(
    cx: &Ctx,
    con: &Constraint,
    subj: &str,
    msg: String,
    comps: &[&str],
) -> Finding {
    let sev = con.severity.unwrap_or(Severity::Error);
    let code = if sev == Severity::Error {
        codes::CONFLICT
    } else {
        codes::CAUTION
    };
    cx.finding(sev, code, subj, with_note(msg, &con.note), comps)
}
