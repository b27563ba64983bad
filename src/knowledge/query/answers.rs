//! Answering a question, in this order: the release rows of the asked versions (or what is known
//! near them) and the asked chip or architecture, the other rows that accept the asked versions,
//! the rules that apply, installer files, and facts.

use super::implied::{applicable_rules, implied_stack};
use super::{Answer, AnswerKind, Asked, Query, Relation, RelationKind};
use crate::knowledge::model::{component_rank, norm_component, Constraint, KnowledgeBase, Release};
use crate::knowledge::render::{arch_answer, chip_answer, installer_answers};
use crate::knowledge::spec::Spec;

fn relations(kb: &KnowledgeBase, r: &Release) -> Vec<Relation> {
    let mut out = Vec::new();
    let groups: [(&[(String, Constraint)], RelationKind); 5] = [
        (&r.requires, RelationKind::Requires),
        (&r.minimum, RelationKind::Minimum),
        (&r.paired, RelationKind::Paired),
        (&r.compatible, RelationKind::Compatible),
        (&r.conflicts, RelationKind::Conflicts),
    ];
    for (list, kind) in groups {
        for (comp, c) in list {
            out.push(Relation {
                component: comp.clone(),
                kind,
                value: c.spec.raw().to_string(),
                note: c.note.clone(),
                sources: c.source.iter().map(|s| kb.cite_one(s)).collect(),
            });
        }
    }
    for (comp, u) in &r.unknown {
        out.push(Relation {
            component: comp.clone(),
            kind: RelationKind::Unknown,
            value: u.text.clone(),
            note: None,
            sources: u.source.iter().map(|s| kb.cite_one(s)).collect(),
        });
    }
    for (k, v) in &r.info {
        out.push(Relation {
            component: k.clone(),
            kind: RelationKind::Info,
            value: v.clone(),
            note: None,
            sources: Vec::new(),
        });
    }
    // Stable sort: kinds stay in the order above, components in stack order within a kind.
    out.sort_by(|a, b| {
        (a.kind as u8, component_rank(&a.component))
            .cmp(&(b.kind as u8, component_rank(&b.component)))
    });
    out
}

fn release_answer(kb: &KnowledgeBase, r: &Release, matched_by: String) -> Answer {
    Answer {
        kind: AnswerKind::Release,
        component: r.component.clone(),
        version: r.version.clone(),
        variant: r.variant.clone(),
        matched_by,
        relations: relations(kb, r),
        notes: r.note.iter().cloned().collect(),
        sources: r.source.iter().map(|s| kb.cite_one(s)).collect(),
    }
}

/// Whether release `r` accepts `comp = v` as documented (requires met and, if paired, paired).
/// `None` if `r` says nothing about `comp`.
fn accepts(r: &Release, a: &Asked) -> Option<bool> {
    if r.component == a.comp {
        return Some(r.matcher.eval(&a.v) == Some(true));
    }
    // nothing documented for the asked component: not an answer to the question
    if r.unknown.iter().any(|(c, _)| *c == a.comp) {
        return Some(false);
    }
    let req = r
        .requires
        .iter()
        .find(|(c, _)| *c == a.comp)
        .map(|(_, c)| c);
    let pair = r.paired.iter().find(|(c, _)| *c == a.comp).map(|(_, c)| c);
    let min = r.minimum.iter().find(|(c, _)| *c == a.comp).map(|(_, c)| c);
    let con = r
        .conflicts
        .iter()
        .find(|(c, _)| *c == a.comp)
        .map(|(_, c)| c);
    if req.is_none() && pair.is_none() && min.is_none() {
        return None;
    }
    let holds = |c: Option<&Constraint>| c.map(|c| c.spec.eval(&a.v) == Some(true));
    Some(
        holds(req) != Some(false)
            && holds(min) != Some(false)
            && holds(pair) != Some(false)
            && holds(con) != Some(true),
    )
}

/// Whether a rule or fact is shown: with `when` conditions, at least one of their components is
/// asked and every asked one satisfies them (unasked ones are neutral); without, one of `about` is
/// asked.
fn when_selects(when: &[(String, Spec)], about: &[String], asked: &[Asked]) -> bool {
    if when.is_empty() {
        return about.iter().any(|c| asked.iter().any(|a| &a.comp == c));
    }
    let mut hit = false;
    for (comp, spec) in when {
        if let Some(a) = asked.iter().find(|a| &a.comp == comp) {
            if spec.eval(&a.v) != Some(true) {
                return false;
            }
            hit = true;
        }
    }
    hit
}

pub(crate) fn query(kb: &KnowledgeBase, q: &Query) -> Vec<Answer> {
    let asked: Vec<Asked> = q
        .components
        .iter()
        .map(|(c, raw)| {
            let comp = norm_component(c);
            let v = kb.value(&comp, raw);
            Asked {
                comp,
                raw: raw.trim().to_string(),
                v,
            }
        })
        .collect();
    let mut out = Vec::new();
    let mut shown: Vec<usize> = Vec::new();
    for a in &asked {
        let mut any = false;
        for (i, r) in kb.releases.iter().enumerate() {
            if r.component == a.comp && r.matcher.eval(&a.v) == Some(true) {
                out.push(release_answer(kb, r, format!("{}={}", a.comp, a.raw)));
                shown.push(i);
                any = true;
            }
        }
        if !any && kb.has_family(&a.comp) {
            out.push(Answer {
                kind: AnswerKind::Unknown,
                component: a.comp.clone(),
                version: a.raw.clone(),
                variant: None,
                matched_by: format!("{}={}", a.comp, a.raw),
                relations: Vec::new(),
                notes: {
                    let mut n = Vec::new();
                    if kb.newer_than_known(&a.comp, &a.v) {
                        n.push(format!(
                            "newer than adf's knowledge of {}; run `adf knowledge sync`",
                            kb.knowledge_date()
                        ));
                    }
                    n.push(format!(
                        "known versions nearby: {}",
                        kb.nearest_versions(&a.comp, &a.v, 8).join(", ")
                    ));
                    n
                },
                sources: Vec::new(),
            });
        }
        if a.comp == "chip" {
            out.extend(chip_answer(kb, a));
        }
        if a.comp == "arch" {
            out.extend(arch_answer(kb, a));
        }
    }
    let mut reverse: Vec<(usize, Answer)> = Vec::new();
    for (i, r) in kb
        .releases
        .iter()
        .enumerate()
        .filter(|(i, _)| !shown.contains(i))
    {
        let verdicts: Vec<(&Asked, Option<bool>)> =
            asked.iter().map(|a| (a, accepts(r, a))).collect();
        if verdicts.iter().any(|(_, v)| *v == Some(false)) {
            continue;
        }
        let by: Vec<String> = verdicts
            .iter()
            .filter(|(_, v)| *v == Some(true))
            .map(|(a, _)| format!("{}={}", a.comp, a.raw))
            .collect();
        if !by.is_empty() {
            reverse.push((i, release_answer(kb, r, by.join(" "))));
        }
    }
    reverse.sort_by(|a, b| {
        component_rank(&a.1.component)
            .cmp(&component_rank(&b.1.component))
            .then(a.0.cmp(&b.0))
    });
    out.extend(reverse.into_iter().map(|(_, a)| a));
    let implied = implied_stack(kb, &q.components);
    for rule in applicable_rules(kb, &implied) {
        {
            let mut relations: Vec<Relation> = Vec::new();
            for (kind, list) in [
                (RelationKind::Requires, &rule.requires),
                (RelationKind::Conflicts, &rule.conflicts),
            ] {
                for (comp, c) in list {
                    relations.push(Relation {
                        component: comp.clone(),
                        kind,
                        value: c.spec.raw().to_string(),
                        note: c.note.clone(),
                        sources: c.source.iter().map(|s| kb.cite_one(s)).collect(),
                    });
                }
            }
            let when: Vec<String> = rule
                .when
                .iter()
                .map(|(c, s)| format!("{c} {}", s.raw()))
                .collect();
            let mut notes = vec![format!("when {}: {}", when.join(", "), rule.message)];
            notes.extend(rule.note.iter().cloned());
            out.push(Answer {
                kind: AnswerKind::Rule,
                component: "rule".into(),
                version: rule.id.clone(),
                variant: None,
                matched_by: when.join(", "),
                relations,
                notes,
                sources: rule.source.iter().map(|s| kb.cite_one(s)).collect(),
            });
        }
    }
    out.extend(installer_answers(kb, &asked));
    for f in &kb.facts {
        if when_selects(&f.when, &f.about, &asked) {
            let relations = f
                .values
                .iter()
                .map(|(k, v)| Relation {
                    component: k.clone(),
                    kind: RelationKind::Info,
                    value: v.clone(),
                    note: None,
                    sources: Vec::new(),
                })
                .collect();
            let when: Vec<String> = f
                .when
                .iter()
                .map(|(c, s)| format!("{c} {}", s.raw()))
                .collect();
            out.push(Answer {
                kind: AnswerKind::Fact,
                component: f.topic.clone(),
                version: String::new(),
                variant: None,
                matched_by: if when.is_empty() {
                    format!("about {}", f.about.join(", "))
                } else {
                    when.join(", ")
                },
                relations,
                notes: vec![f.text.clone()],
                sources: f.source.iter().map(|s| kb.cite_one(s)).collect(),
            });
        }
    }
    out
}
