//! Checking a stack (component → version) against the knowledge.

use crate::diag::Code;
use std::collections::BTreeMap;

use serde::Serialize;

use super::model::{norm_component, KnowledgeBase, Release};
use super::rules::cross_cutting::check_rule;
use super::rules::release_row::check_release;
use super::rules::subject;
use super::version::Version;
use super::Stack;
use crate::diag::Severity;

/// Finding codes (stable, kebab-case).
pub mod codes {
    use crate::diag::Code;
    /// A documented requirement or incompatibility is violated (error unless the rule says otherwise).
    pub const CONFLICT: Code = Code::CompatConflict;
    /// A documented constraint of warning strength is not met (e.g. CANN runtime pip deps).
    pub const CAUTION: Code = Code::CompatCaution;
    /// An exact pin is met only up to the build (`2.5.1` where `==2.5.1.post1` is pinned).
    pub const PIN_VARIANT: Code = Code::CompatPinVariant;
    /// Documented as compatible, but not the documented pair.
    pub const NOT_PAIRED: Code = Code::CompatNotPaired;
    /// The combination is not covered by the knowledge.
    pub const UNKNOWN_COMBINATION: Code = Code::CompatUnknownCombination;
    /// A version (or chip, arch) the knowledge does not know at all.
    pub const UNKNOWN_VERSION: Code = Code::CompatUnknownVersion;
    /// Values that cannot be compared (a commit or branch against a version range).
    pub const UNVERIFIABLE: Code = Code::CompatUnverifiable;
}

/// One problem found in a stack.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Finding {
    pub severity: Severity,
    /// One of [`codes`].
    pub code: Code,
    /// The knowledge entry that fired: `"torch_npu 2.5.1"`, or a rule id.
    pub rule: String,
    pub message: String,
    /// Stack keys involved, spelled as in the stack, so the caller can point at their lines.
    pub components: Vec<String>,
    /// Public sources: `"S1 Ascend/pytorch COMPATIBILITY.en.md @9e73e708 (…); S26 …"`.
    pub source: String,
    pub help: String,
}

/// Something worth knowing that is not a problem: the stack's version differs from the documented
/// pair but lies inside a documented range (compatible, above a minimum), or a combination a
/// documented setup vouches for. Serialises with `"severity": "info"`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Note {
    pub severity: &'static str,
    pub code: Code,
    pub rule: String,
    pub message: String,
    pub components: Vec<String>,
    pub source: String,
}

/// Everything [`KnowledgeBase::assess`] finds: problems (errors first) and info notes.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Assessment {
    pub findings: Vec<Finding>,
    pub notes: Vec<Note>,
}

impl Finding {
    /// `error` or `warning`.
    pub fn severity_word(&self) -> &'static str {
        match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        }
    }
}

pub(super) struct Entry {
    pub(super) key: String,
    pub(super) raw: String,
    pub(super) v: Version,
}

pub(super) struct Ctx<'a> {
    pub(super) kb: &'a KnowledgeBase,
    pub(super) stack: BTreeMap<String, Entry>,
    pub(super) implied: BTreeMap<String, (Version, String)>,
}

impl Ctx<'_> {
    pub(super) fn keys(&self, comps: &[&str]) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for c in comps {
            if let Some(e) = self.stack.get(*c) {
                if !out.contains(&e.key) {
                    out.push(e.key.clone());
                }
            }
        }
        out
    }

    pub(super) fn note(&self, rule: &str, message: String, comps: &[&str], source: String) -> Note {
        Note {
            severity: "info",
            code: codes::NOT_PAIRED,
            rule: rule.to_string(),
            message,
            components: self.keys(comps),
            source,
        }
    }

    pub(super) fn finding(
        &self,
        sev: Severity,
        code: Code,
        rule: &str,
        message: String,
        comps: &[&str],
    ) -> Finding {
        Finding {
            severity: sev,
            code,
            rule: rule.to_string(),
            message,
            components: self.keys(comps),
            source: String::new(),
            help: String::new(),
        }
    }
}

fn score(fs: &(Vec<Finding>, Vec<Note>)) -> (usize, usize, usize) {
    let e =
        fs.0.iter()
            .filter(|f| f.severity == Severity::Error)
            .count();
    (e, fs.0.len() - e, fs.1.len())
}

pub(crate) fn check(kb: &KnowledgeBase, stack: &Stack) -> Assessment {
    let mut cx = Ctx {
        kb,
        stack: BTreeMap::new(),
        implied: BTreeMap::new(),
    };
    for (key, raw) in stack {
        let comp = norm_component(key);
        if raw.trim().is_empty() || comp.is_empty() {
            continue;
        }
        let v = kb.value(&comp, raw);
        cx.stack.insert(
            comp,
            Entry {
                key: key.clone(),
                raw: raw.trim().to_string(),
                v,
            },
        );
    }
    let mut out: Vec<Finding> = Vec::new();
    let mut notes: Vec<Note> = Vec::new();
    let chips = (
        kb.chips.iter().map(|c| c.name.clone()).collect::<Vec<_>>(),
        kb.chips.iter().flat_map(|c| c.source.clone()),
    );
    let archs = (
        kb.archs.iter().map(|a| a.name.clone()).collect::<Vec<_>>(),
        kb.archs.iter().flat_map(|a| a.source.clone()),
    );
    for (comp, (known, ids)) in [
        ("chip", (chips.0, chips.1.collect::<Vec<_>>())),
        ("arch", (archs.0, archs.1.collect())),
    ] {
        if let Some(e) = cx.stack.get(comp) {
            if !known.contains(&kb.canonical_name(comp, &e.raw)) {
                let mut f = cx.finding(
                    Severity::Warning,
                    codes::UNKNOWN_VERSION,
                    comp,
                    format!("unknown {comp} `{}`", e.raw),
                    &[comp],
                );
                f.help = format!("known: {}", known.join(", "));
                f.source = kb.cite(&dedup(ids));
                out.push(f);
            }
        }
    }
    let mut implied = BTreeMap::new();
    for (comp, e) in &cx.stack {
        if !kb.has_family(comp) {
            continue;
        }
        let rows: Vec<&Release> = kb.releases_matching(comp, &e.v).collect();
        if rows.is_empty() {
            let near = kb.nearest_versions(comp, &e.v, 8);
            let msg = match kb.newer_than_known(comp, &e.v) {
                true => format!(
                    "{comp} {} is newer than adf's knowledge of {}; run `adf knowledge sync`",
                    e.raw,
                    kb.knowledge_date()
                ),
                false => format!(
                    "unknown combination: the knowledge has no entry for {comp} {}",
                    e.raw
                ),
            };
            let mut f = cx.finding(
                Severity::Warning,
                codes::UNKNOWN_VERSION,
                comp,
                msg,
                &[comp],
            );
            f.help = format!("known {comp} versions nearby: {}", near.join(", "));
            let ids = kb
                .releases
                .iter()
                .filter(|r| r.component == *comp && near.contains(&r.version));
            f.source = kb.cite(&dedup(ids.flat_map(|r| r.source.iter().cloned()).collect()));
            out.push(f);
            continue;
        }
        // Several rows for one version are alternative documented setups: judge by the best one.
        let (best, (findings, found_notes)) = rows
            .iter()
            .map(|r| (*r, check_release(&cx, r)))
            .min_by_key(|(_, f)| score(f))
            .unwrap_or((rows[0], (Vec::new(), Vec::new())));
        out.extend(findings);
        notes.extend(found_notes);
        for (c, con) in best.requires.iter().chain(&best.paired) {
            if let (false, Some(pin)) = (cx.stack.contains_key(c), con.spec.single_pin()) {
                implied
                    .entry(c.clone())
                    .or_insert_with(|| (pin.clone(), subject(best)));
            }
        }
    }
    cx.implied = implied;
    for rule in &kb.rules {
        out.extend(check_rule(&cx, rule));
    }
    out.extend(check_chip(&cx));
    let mut seen = Vec::new();
    out.retain(|f| {
        let k = (f.severity, f.code, f.message.clone());
        let new = !seen.contains(&k);
        seen.push(k);
        new
    });
    out.sort_by_key(|f| f.severity);
    let mut seen = Vec::new();
    notes.retain(|n| {
        let new = !seen.contains(&n.message);
        seen.push(n.message.clone());
        new
    });
    Assessment {
        findings: out,
        notes,
    }
}

/// A chip without a kernels/ops package for the stack's CANN, when CANN has packages for others.
fn check_chip(cx: &Ctx) -> Option<Finding> {
    let (chip, cann) = (cx.stack.get("chip")?, cx.stack.get("cann")?);
    let name = cx.kb.canonical_name("chip", &chip.raw);
    let kernels: Vec<_> = cx
        .kb
        .installers
        .iter()
        .filter(|i| {
            i.component == "kernels" && i.available && i.applies.eval(&cann.v) == Some(true)
        })
        .collect();
    if kernels.is_empty() || kernels.iter().any(|i| i.chips.contains(&name)) {
        return None;
    }
    let mut chips: Vec<&str> = kernels
        .iter()
        .flat_map(|i| i.chips.iter().map(String::as_str))
        .collect();
    chips.dedup();
    let msg = format!(
        "unknown combination: no kernels/ops package is known for chip {} on CANN {}",
        chip.raw, cann.raw
    );
    let mut f = cx.finding(
        Severity::Warning,
        codes::UNKNOWN_COMBINATION,
        "installers",
        msg,
        &["chip", "cann"],
    );
    f.help = format!(
        "CANN {} has kernels/ops packages for: {}",
        cann.raw,
        chips.join(", ")
    );
    f.source = cx.kb.cite(&dedup(
        kernels
            .iter()
            .flat_map(|i| i.source.iter().cloned())
            .collect(),
    ));
    Some(f)
}

pub(super) fn dedup(ids: Vec<String>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for id in ids {
        if !out.contains(&id) {
            out.push(id);
        }
    }
    out
}
