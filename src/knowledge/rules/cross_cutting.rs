//! Judging the stack against one cross-cutting `[[rule]]`: when its `when` specs hold (on the
//! stack, or on what the stack implies) and its `unless` does not, what it needs, requires and
//! forbids.

use super::{srcs, with_note};
use crate::diag::Severity;
use crate::knowledge::check::{codes, Ctx, Finding};
use crate::knowledge::model::Rule;

pub(in crate::knowledge) fn check_rule(cx: &Ctx, rule: &Rule) -> Vec<Finding> {
    for (comp, spec) in &rule.unless {
        if let Some(e) = cx.stack.get(comp) {
            if spec.eval(&e.v) == Some(true) {
                return Vec::new();
            }
        }
    }
    let mut implied_notes = Vec::new();
    let mut when_comps: Vec<&str> = Vec::new();
    for (comp, spec) in &rule.when {
        let v = match (cx.stack.get(comp), cx.implied.get(comp)) {
            (Some(e), _) => &e.v,
            // a rule about what the stack must have is about what it has, not what is implied
            (None, Some(_)) if !rule.needs.is_empty() => return Vec::new(),
            (None, Some((v, by))) => {
                implied_notes.push(format!("{comp} {} implied by {by}", v.raw()));
                v
            }
            (None, None) => return Vec::new(),
        };
        if spec.eval(v) != Some(true) {
            return Vec::new();
        }
        when_comps.push(comp);
    }
    let mut out = Vec::new();
    for comp in rule.needs.iter().filter(|c| !cx.stack.contains_key(*c)) {
        let sev = rule.severity.unwrap_or(Severity::Error);
        let code = if sev == Severity::Error {
            codes::CONFLICT
        } else {
            codes::CAUTION
        };
        let msg = format!("{}: the stack has no {comp}", rule.message);
        let mut f = cx.finding(sev, code, &rule.id, with_note(msg, &rule.note), &when_comps);
        f.help = rule
            .help
            .clone()
            .unwrap_or_else(|| format!("add {comp} to the stack"));
        f.source = cx.kb.cite(&rule.source);
        out.push(f);
    }
    let checks = rule
        .requires
        .iter()
        .map(|c| (c, false))
        .chain(rule.conflicts.iter().map(|c| (c, true)));
    for ((comp, con), is_conflict) in checks {
        let Some(e) = cx.stack.get(comp) else {
            continue;
        };
        let hit = con.spec.eval(&e.v);
        let violated = if is_conflict {
            hit == Some(true)
        } else {
            hit == Some(false)
        };
        if !violated {
            continue;
        }
        let sev = con.severity.or(rule.severity).unwrap_or(Severity::Error);
        let code = if sev == Severity::Error {
            codes::CONFLICT
        } else {
            codes::CAUTION
        };
        let verb = if is_conflict {
            "matches"
        } else {
            "does not satisfy"
        };
        let mut msg = format!(
            "{}: {comp} {} {verb} {}",
            rule.message,
            e.raw,
            con.spec.raw()
        );
        if !implied_notes.is_empty() {
            msg.push_str(&format!(" ({})", implied_notes.join(", ")));
        }
        let mut comps = when_comps.clone();
        comps.push(comp);
        let mut f = cx.finding(
            sev,
            code,
            &rule.id,
            with_note(msg, &con.note.clone().or(rule.note.clone())),
            &comps,
        );
        f.help = rule
            .help
            .clone()
            .unwrap_or_else(|| format!("use {comp} {}", con.spec.raw()));
        f.source = cx.kb.cite(srcs(con, &rule.source));
        out.push(f);
    }
    out
}
