//! Answers that are not release rows (chips, archs, installers) and the plain-text rendering.

use super::model::{Installer, KnowledgeBase};
use super::query::{Answer, AnswerKind, Asked, Relation, RelationKind};

pub(super) fn chip_answer(kb: &KnowledgeBase, a: &Asked) -> Option<Answer> {
    let name = kb.canonical_name("chip", &a.raw);
    let c = kb.chips.iter().find(|c| c.name == name)?;
    let mut relations = vec![Relation {
        component: "family".into(),
        kind: RelationKind::Info,
        value: c.family.clone(),
        note: None,
        sources: Vec::new(),
    }];
    for (k, list) in [
        ("marketing", &c.marketing),
        ("socs", &c.socs),
        ("aliases", &c.aliases),
    ] {
        if !list.is_empty() {
            relations.push(Relation {
                component: k.into(),
                kind: RelationKind::Info,
                value: list.join(", "),
                note: None,
                sources: Vec::new(),
            });
        }
    }
    if let Some(t) = &c.vllm_ascend_type {
        relations.push(Relation {
            component: "vllm_ascend_type".into(),
            kind: RelationKind::Info,
            value: t.clone(),
            note: None,
            sources: Vec::new(),
        });
    }
    Some(Answer {
        kind: AnswerKind::Chip,
        component: "chip".into(),
        version: c.name.clone(),
        variant: None,
        matched_by: format!("chip={}", a.raw),
        relations,
        notes: c.note.iter().cloned().collect(),
        sources: c.source.iter().map(|s| kb.cite_one(s)).collect(),
    })
}

pub(super) fn arch_answer(kb: &KnowledgeBase, a: &Asked) -> Option<Answer> {
    let name = kb.canonical_name("arch", &a.raw);
    let x = kb.archs.iter().find(|x| x.name == name)?;
    let aliases = Relation {
        component: "aliases".into(),
        kind: RelationKind::Info,
        value: x.aliases.join(", "),
        note: None,
        sources: Vec::new(),
    };
    Some(Answer {
        kind: AnswerKind::Arch,
        component: "arch".into(),
        version: x.name.clone(),
        variant: None,
        matched_by: format!("arch={}", a.raw),
        relations: vec![aliases],
        notes: x.note.iter().cloned().collect(),
        sources: x.source.iter().map(|s| kb.cite_one(s)).collect(),
    })
}

/// Installer file name of `i` for one version, chip and arch.
pub(crate) fn render(
    i: &Installer,
    version: &str,
    chip: Option<&str>,
    arch: &str,
) -> (String, Option<String>) {
    let fill = |t: &str| {
        t.replace("{version}", version)
            .replace("{arch}", arch)
            .replace("{chip}", chip.unwrap_or("{chip}"))
    };
    let file = fill(&i.template);
    let url = i.url.as_deref().map(|u| fill(u).replace("{file}", &file));
    (file, url)
}

pub(super) fn installer_answers(kb: &KnowledgeBase, asked: &[Asked]) -> Vec<Answer> {
    let get = |c: &str| asked.iter().find(|a| a.comp == c);
    let mut out = Vec::new();
    for i in &kb.installers {
        let Some(a) = get(&i.version_of) else {
            continue;
        };
        if i.applies.eval(&a.v) != Some(true) {
            continue;
        }
        let version = kb.canonical_version(&i.version_of, &a.raw);
        let chips: Vec<Option<&str>> = match get("chip") {
            _ if i.chips.is_empty() => vec![None],
            Some(c) => {
                let name = kb.canonical_name("chip", &c.raw);
                i.chips
                    .iter()
                    .filter(|x| **x == name)
                    .map(|x| Some(x.as_str()))
                    .collect()
            }
            None => i.chips.iter().map(|x| Some(x.as_str())).collect(),
        };
        let archs: Vec<&str> = match get("arch") {
            _ if i.archs.is_empty() => vec!["*"],
            Some(x) => i
                .archs
                .iter()
                .filter(|y| **y == kb.canonical_name("arch", &x.raw))
                .map(String::as_str)
                .collect(),
            None => i.archs.iter().map(String::as_str).collect(),
        };
        let mut relations = Vec::new();
        let mut notes = Vec::new();
        if !i.available {
            notes.push(format!("not released for {} {version}", i.version_of));
            notes.extend(i.note.iter().cloned());
            out.push(Answer {
                kind: AnswerKind::Installer,
                component: i.component.clone(),
                version,
                variant: None,
                matched_by: format!("{}={} ({})", a.comp, a.raw, i.applies.raw()),
                relations,
                notes,
                sources: i.source.iter().map(|s| kb.cite_one(s)).collect(),
            });
            continue;
        }
        for chip in &chips {
            for arch in &archs {
                let (file, url) = render(i, &version, *chip, arch);
                let label = match chip {
                    Some(c) => format!("{c}/{arch}"),
                    None => arch.to_string(),
                };
                relations.push(Relation {
                    component: label,
                    kind: RelationKind::File,
                    value: file,
                    note: url,
                    sources: Vec::new(),
                });
            }
        }
        if relations.is_empty() {
            continue;
        }
        notes.extend(i.order.map(|o| format!("install order: {o}")));
        notes.extend(i.flags.as_ref().map(|f| format!("flags: {f}")));
        notes.extend(i.note.iter().cloned());
        out.push(Answer {
            kind: AnswerKind::Installer,
            component: i.component.clone(),
            version,
            variant: if i.chips.is_empty() {
                None
            } else {
                Some(i.chips.join(", "))
            },
            matched_by: format!("{}={} ({})", a.comp, a.raw, i.applies.raw()),
            relations,
            notes,
            sources: i.source.iter().map(|s| kb.cite_one(s)).collect(),
        });
    }
    out
}

/// Plain-text rendering for `adf compat`.
pub fn render_text(answers: &[Answer]) -> String {
    let mut s = String::new();
    for a in answers {
        let head = match a.kind {
            AnswerKind::Release => format!("{} {}", a.component, a.version),
            AnswerKind::Rule => format!("rule {}", a.version),
            AnswerKind::Installer => {
                format!("installer {} (CANN/driver {})", a.component, a.version)
            }
            AnswerKind::Chip => format!("chip {}", a.version),
            AnswerKind::Arch => format!("arch {}", a.version),
            AnswerKind::Fact => format!("fact [{}]", a.component),
            AnswerKind::Unknown => format!("unknown: no entry for {} {}", a.component, a.version),
        };
        let variant = a
            .variant
            .as_ref()
            .map(|v| format!(" [{v}]"))
            .unwrap_or_default();
        s.push_str(&format!("{head}{variant}  (matched {})\n", a.matched_by));
        for r in &a.relations {
            let kind = format!("{:?}", r.kind).to_ascii_lowercase();
            s.push_str(&format!("  {kind:<10} {:<16} {}", r.component, r.value));
            if let Some(n) = &r.note {
                s.push_str(&format!("  ({n})"));
            }
            if !r.sources.is_empty() {
                s.push_str(&format!("  [{}]", r.sources.join("; ")));
            }
            s.push('\n');
        }
        for n in &a.notes {
            s.push_str(&format!("  note: {n}\n"));
        }
        for src in &a.sources {
            s.push_str(&format!("  source: {src}\n"));
        }
        s.push('\n');
    }
    s
}
