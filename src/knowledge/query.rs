//! Questions for `adf compat`: "which CANN and torch_npu for vllm-ascend 0.9.1?".

use serde::Serialize;

use super::model::{component_rank, norm_component, Constraint, KnowledgeBase, Release};
use super::render::{arch_answer, chip_answer, installer_answers};
use super::spec::Spec;
use super::version::Version;
use super::Stack;

/// A question: some components with the versions asked about (component names as in a stack;
/// `vllm-ascend` and `vllm_ascend` are the same).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Query {
    pub components: Stack,
}

impl Query {
    pub fn new() -> Query {
        Query::default()
    }

    /// Add `component = version` to the question.
    pub fn with(mut self, component: &str, version: &str) -> Query {
        self.components
            .insert(norm_component(component), version.trim().to_string());
        self
    }

    /// Parse command-line words `component=version` (`vllm-ascend=0.9.1 cann=8.2.RC1`).
    pub fn parse_args<S: AsRef<str>>(args: &[S]) -> Result<Query, String> {
        let mut q = Query::new();
        for a in args {
            let a = a.as_ref();
            match a.split_once('=') {
                Some((c, v)) if !c.trim().is_empty() && !v.trim().is_empty() => q = q.with(c, v),
                _ => {
                    return Err(format!(
                        "expected component=version, got `{a}` (e.g. vllm-ascend=0.9.1)"
                    ))
                }
            }
        }
        Ok(q)
    }
}

/// What an answer describes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AnswerKind {
    /// A documented release of `component` `version` and what it goes with.
    Release,
    /// A cross-cutting rule (e.g. numpy < 2 under torch_npu on CANN 8.x).
    Rule,
    /// Installer file names of one CANN (or driver) package.
    Installer,
    /// A chip: family, SoC names, aliases.
    Chip,
    /// A CPU architecture and its aliases.
    Arch,
    /// A documented fact (paths, environment, images, caveats).
    Fact,
    /// The knowledge has no entry for the asked version.
    Unknown,
}

/// How a related component relates to the answer's subject.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RelationKind {
    /// A pin or range from package metadata: violating it is an error in `adf check`.
    Requires,
    /// A documented lower bound: below it is an error, above it is fine.
    Minimum,
    /// The version it was documented (tested) with: another version inside a documented range is
    /// an info note, outside every range a warning.
    Paired,
    /// A documented range: inside it is fine.
    Compatible,
    /// Nothing documented: a warning that says what is (`value` is that text).
    Unknown,
    /// Documented as incompatible.
    Conflicts,
    /// Extra data (branch, base image, triton-ascend version …).
    Info,
    /// An installer file name (`component` is `chip/arch` or `arch`).
    File,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Relation {
    pub component: String,
    pub kind: RelationKind,
    /// A version spec (`==2.5.1`, `>=3.9,<3.12`, `8.2.RC1`) or text.
    pub value: String,
    pub note: Option<String>,
    /// Citations when they differ from the answer's own `sources`; otherwise empty.
    pub sources: Vec<String>,
}

/// One answer. JSON shape (stable): `{kind, component, version, variant, matched_by,
/// relations: [{component, kind, value, note, sources}], notes, sources}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Answer {
    pub kind: AnswerKind,
    /// Release: its component; rule: `rule`; installer: the package; chip: `chip`; fact: its topic.
    pub component: String,
    /// Release version, rule id, CANN/driver version of an installer, chip name, or empty.
    pub version: String,
    pub variant: Option<String>,
    /// Which part of the question selected this answer, e.g. `cann=8.3.RC1 (paired)`.
    pub matched_by: String,
    pub relations: Vec<Relation>,
    pub notes: Vec<String>,
    /// Public sources, e.g. `S4 vllm-project/vllm-ascend docs/source/community/versioning_policy.md @…`.
    pub sources: Vec<String>,
}

pub(super) struct Asked {
    pub(super) comp: String,
    pub(super) raw: String,
    pub(super) v: Version,
}

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

/// The asked values plus what the documented rows of those values pin (a vllm-ascend pins its
/// torch_npu, the torch_npu's documented CANN follows): the stack a rule's `when` is judged on.
pub(super) fn implied_stack(kb: &KnowledgeBase, asked: &Stack) -> Stack {
    let mut stack: Stack = asked
        .iter()
        .map(|(c, v)| (norm_component(c), v.trim().to_string()))
        .collect();
    for _ in 0..2 {
        let mut add = Vec::new();
        for (comp, raw) in &stack {
            let v = kb.value(comp, raw);
            for r in kb.releases_matching(comp, &v) {
                for (c, con) in r.requires.iter().chain(&r.paired) {
                    if let (false, Some(pin)) = (stack.contains_key(c), con.spec.single_pin()) {
                        add.push((c.clone(), pin.raw().to_string()));
                    }
                }
            }
        }
        for (c, v) in add {
            stack.entry(c).or_insert(v);
        }
    }
    stack
}

/// Rules whose every `when` component is in `stack` (asked or implied) and holds, and whose
/// `unless` does not hold.
pub(super) fn applicable_rules<'a>(
    kb: &'a KnowledgeBase,
    stack: &'a Stack,
) -> impl Iterator<Item = &'a super::model::Rule> + 'a {
    let holds = move |comp: &str, spec: &Spec| {
        stack
            .get(comp)
            .is_some_and(|raw| spec.eval(&kb.value(comp, raw)) == Some(true))
    };
    kb.rules.iter().filter(move |rule| {
        rule.when.iter().all(|(c, s)| holds(c, s)) && !rule.unless.iter().any(|(c, s)| holds(c, s))
    })
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
