//! Judging the stack against one release row: its requirements, minimums and conflicts (errors),
//! and its paired, compatible and unknown relations (warnings when nothing documents the
//! combination, info notes when a range or another documented setup covers it).

use super::{conflict_finding, find, srcs, subject, with_note};
use crate::diag::Severity;
use crate::knowledge::check::{codes, Ctx, Finding, Note};
use crate::knowledge::model::{Constraint, KnowledgeBase, Release};
use crate::knowledge::version::Version;

/// Other releases of the same component whose `field` constraint on `comp` accepts `v`.
fn alternatives(kb: &KnowledgeBase, r: &Release, paired: bool, comp: &str, v: &Version) -> String {
    let mut names: Vec<&str> = Vec::new();
    for other in kb
        .releases
        .iter()
        .filter(|o| o.component == r.component && o.version != r.version)
    {
        let list = if paired {
            &other.paired
        } else {
            &other.requires
        };
        if find(list, comp).and_then(|c| c.spec.eval(v)) == Some(true)
            && !names.contains(&other.version.as_str())
        {
            names.push(&other.version);
        }
    }
    if names.is_empty() {
        return String::new();
    }
    let more = if names.len() > 6 { ", …" } else { "" };
    let shown: Vec<&str> = names.into_iter().take(6).collect();
    format!(
        "; {} releases documented with {comp} {}: {}{more}",
        r.component,
        v.raw(),
        shown.join(", ")
    )
}

/// What a release row documents about `comp`, for messages: "cann 8.1.RC1 (paired), 8.0.RC2 |
/// … (compatible), >=8.0.0 (minimum)".
fn documented(r: &Release, comp: &str) -> String {
    let mut parts: Vec<String> = Vec::new();
    for (list, kind) in [
        (&r.paired, "paired"),
        (&r.compatible, "compatible"),
        (&r.minimum, "minimum"),
        (&r.requires, "requires"),
    ] {
        if let Some(c) = find(list, comp) {
            parts.push(format!("{} ({kind})", c.spec.raw()));
        }
    }
    if let Some((_, u)) = r.unknown.iter().find(|(c, _)| c == comp) {
        parts.push(u.text.clone());
    }
    format!("{comp} {}", parts.join(", "))
}

/// Another release row of the stack (a documented setup) whose paired or compatible relations
/// name both `a` and `b` with the stack's versions: that setup vouches for the combination.
fn vouched_by(cx: &Ctx, a: &str, b: &str) -> Option<(String, Vec<String>)> {
    let accepts = |r: &Release, comp: &str| -> bool {
        let Some(e) = cx.stack.get(comp) else {
            return false;
        };
        if r.component == comp {
            return r.matcher.eval(&e.v) == Some(true);
        }
        [&r.paired, &r.compatible]
            .iter()
            .any(|list| find(list, comp).and_then(|c| c.spec.eval(&e.v)) == Some(true))
    };
    for (comp, e) in &cx.stack {
        if comp == a || comp == b {
            continue;
        }
        for r in cx.kb.releases_matching(comp, &e.v) {
            if accepts(r, a) && accepts(r, b) {
                return Some((subject(r), r.source.clone()));
            }
        }
    }
    None
}

/// Judges the stack against one release row: errors and warnings, and info notes.
pub(in crate::knowledge) fn check_release(cx: &Ctx, r: &Release) -> (Vec<Finding>, Vec<Note>) {
    let kb = cx.kb;
    let subj = subject(r);
    let mut out = Vec::new();
    let mut notes = Vec::new();
    let mut flagged: Vec<&str> = Vec::new();
    let hard = r
        .requires
        .iter()
        .map(|c| (c, false))
        .chain(r.minimum.iter().map(|c| (c, true)));
    for ((comp, con), is_minimum) in hard {
        let Some(e) = cx.stack.get(comp) else {
            continue;
        };
        let mut f = match con.spec.eval(&e.v) {
            Some(true) => continue,
            Some(false) => {
                let variant = !is_minimum
                    && con
                        .spec
                        .exact_pins()
                        .is_some_and(|p| p.iter().any(|p| p.same_release_as(&e.v)));
                if variant {
                    let msg = format!(
                        "{subj} pins {comp} {}, the stack has {comp} {} (same release, different build): \
                         installing {} replaces it or fails to resolve",
                        con.spec.raw(),
                        e.raw,
                        r.component
                    );
                    let mut f = cx.finding(
                        Severity::Warning,
                        codes::PIN_VARIANT,
                        &subj,
                        with_note(msg, &con.note),
                        &[&r.component, comp],
                    );
                    f.help = format!("use {comp} {} exactly", con.spec.raw());
                    f
                } else {
                    let needs = if is_minimum { "needs" } else { "requires" };
                    let kind = if is_minimum {
                        " (documented minimum)"
                    } else {
                        ""
                    };
                    let msg = format!(
                        "{subj} {needs} {comp} {}{kind}, but the stack has {comp} {}",
                        con.spec.raw(),
                        e.raw
                    );
                    let mut f = conflict_finding(cx, con, &subj, msg, &[&r.component, comp]);
                    f.help = format!(
                        "use {comp} {}{}",
                        con.spec.raw(),
                        alternatives(kb, r, false, comp, &e.v)
                    );
                    f
                }
            }
            None => {
                if let Some((by, ids)) = vouched_by(cx, &r.component, comp) {
                    let msg = format!(
                        "{comp} {} cannot be compared with {} ({subj}), but {by} documents this combination",
                        e.raw,
                        con.spec.raw()
                    );
                    notes.push(cx.note(&subj, msg, &[&r.component, comp], kb.cite(&ids)));
                    flagged.push(comp);
                    continue;
                }
                let msg = format!(
                    "cannot verify {comp} {} against {subj}: it requires {comp} {}",
                    e.raw,
                    con.spec.raw()
                );
                let mut f = cx.finding(
                    Severity::Warning,
                    codes::UNVERIFIABLE,
                    &subj,
                    msg,
                    &[&r.component, comp],
                );
                f.help = format!(
                    "write {comp} as a version so it can be checked against {}",
                    con.spec.raw()
                );
                f
            }
        };
        f.source = kb.cite(srcs(con, &r.source));
        out.push(f);
        flagged.push(comp);
    }
    for (comp, con) in &r.conflicts {
        let Some(e) = cx.stack.get(comp) else {
            continue;
        };
        if con.spec.eval(&e.v) == Some(true) {
            let msg = format!(
                "{subj} is documented as incompatible with {comp} {} (the stack has {})",
                con.spec.raw(),
                e.raw
            );
            let mut f = conflict_finding(cx, con, &subj, msg, &[&r.component, comp]);
            f.help = match find(&r.paired, comp) {
                Some(p) => format!("use {comp} {}", p.spec.raw()),
                None => format!("use a {comp} outside {}", con.spec.raw()),
            };
            f.source = kb.cite(srcs(con, &r.source));
            out.push(f);
            flagged.push(comp);
        }
    }
    // The soft kinds: paired, compatible, unknown (minimum and requires count as ranges here).
    let mut soft: Vec<&str> = Vec::new();
    for c in r
        .paired
        .iter()
        .chain(&r.compatible)
        .map(|(c, _)| c.as_str())
        .chain(r.unknown.iter().map(|(c, _)| c.as_str()))
    {
        if !soft.contains(&c) {
            soft.push(c);
        }
    }
    for comp in soft {
        let Some(e) = cx.stack.get(comp) else {
            continue;
        };
        if flagged.contains(&comp) {
            continue;
        }
        let paired = find(&r.paired, comp);
        if paired.and_then(|p| p.spec.eval(&e.v)) == Some(true) {
            continue;
        }
        let holds = |c: Option<&Constraint>| c.and_then(|c| c.spec.eval(&e.v)) == Some(true);
        let compat = find(&r.compatible, comp);
        let covered: Option<(String, &Constraint)> = if holds(compat) {
            compat.map(|c| (format!("listed as compatible ({})", c.spec.raw()), c))
        } else if holds(find(&r.minimum, comp)) {
            find(&r.minimum, comp).map(|c| {
                (
                    format!("at or above the documented minimum ({})", c.spec.raw()),
                    c,
                )
            })
        } else if holds(find(&r.requires, comp)) {
            find(&r.requires, comp)
                .map(|c| (format!("inside the required range ({})", c.spec.raw()), c))
        } else {
            None
        };
        let mut ids: Vec<String> = paired
            .map(|p| srcs(p, &r.source).to_vec())
            .unwrap_or_default();
        if let Some((why, c)) = covered {
            let Some(p) = paired else {
                continue;
            };
            ids.extend(
                srcs(c, &r.source)
                    .iter()
                    .filter(|i| !ids.contains(i))
                    .cloned()
                    .collect::<Vec<_>>(),
            );
            let msg = format!(
                "{comp} {} is {why} for {subj}; the documented pair is {comp} {}",
                e.raw,
                p.spec.raw()
            );
            notes.push(cx.note(
                &subj,
                with_note(msg, &c.note),
                &[&r.component, comp],
                kb.cite(&ids),
            ));
            continue;
        }
        if let Some((by, vouch_ids)) = vouched_by(cx, &r.component, comp) {
            let msg = format!(
                "{comp} {} is not what {subj} documents ({}), but {by} documents this combination",
                e.raw,
                documented(r, comp)
            );
            notes.push(cx.note(&subj, msg, &[&r.component, comp], kb.cite(&vouch_ids)));
            continue;
        }
        let unknown = r.unknown.iter().find(|(c, _)| c == comp).map(|(_, u)| u);
        let more: Vec<String> = compat
            .map(|c| srcs(c, &r.source).to_vec())
            .unwrap_or_default()
            .into_iter()
            .chain(unknown.map(|u| u.source.clone()).unwrap_or_default())
            .collect();
        for id in more {
            if !ids.contains(&id) {
                ids.push(id);
            }
        }
        if ids.is_empty() {
            ids = r.source.clone();
        }
        let msg = match (paired, unknown) {
            (None, Some(u)) if compat.is_none() => format!(
                "not documented: nothing documents {subj} with {comp} {}; {}",
                e.raw, u.text
            ),
            _ => format!(
                "not documented: {subj} is documented with {}; {comp} {} is not covered",
                documented(r, comp),
                e.raw
            ),
        };
        let mut f = cx.finding(
            Severity::Warning,
            codes::UNKNOWN_COMBINATION,
            &subj,
            with_note(msg, &paired.and_then(|p| p.note.clone())),
            &[&r.component, comp],
        );
        f.help = match paired {
            Some(p) => format!(
                "the documented pair is {comp} {}{}",
                p.spec.raw(),
                alternatives(kb, r, true, comp, &e.v)
            ),
            None => format!("what is documented: {}", documented(r, comp)),
        };
        f.source = kb.cite(&ids);
        out.push(f);
    }
    (out, notes)
}
