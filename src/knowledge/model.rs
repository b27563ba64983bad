//! In-memory form of the knowledge files (see `knowledge/README.md` for the file schema).

use std::collections::BTreeMap;

use super::load::is_name_component;
use super::spec::Spec;
use super::version::Version;
use crate::diag::Severity;

/// One public source (`[[sources]]`).
#[derive(Clone, Debug)]
pub(crate) struct SourceRef {
    pub id: String,
    pub repo: String,
    pub path: String,
    pub reference: Option<String>,
    #[allow(dead_code)]
    pub note: Option<String>,
}

/// One constraint on another component: its spec plus optional own source, note and severity.
#[derive(Clone, Debug)]
pub(crate) struct Constraint {
    pub spec: Spec,
    pub source: Vec<String>,
    pub note: Option<String>,
    pub severity: Option<Severity>,
}

/// An `unknown` relation: nothing is documented for the component; `text` says what is.
#[derive(Clone, Debug)]
pub(crate) struct Unknown {
    pub text: String,
    pub source: Vec<String>,
}

/// One release row. Relation kinds (`knowledge/README.md`): `requires` (a pin or range from
/// package metadata: violated → error), `minimum` (documented lower bound: below → error),
/// `compatible` (a documented range: inside → fine), `paired` (the version it was tested with:
/// another one inside a documented range → info note, outside every range → warning),
/// `unknown` (nothing documented: a warning that says what is), `conflicts` (documented
/// incompatible → error), `info` (data for answers, not checked).
#[derive(Clone, Debug)]
pub(crate) struct Release {
    pub component: String,
    pub version: String,
    pub matcher: Spec,
    pub variant: Option<String>,
    pub requires: Vec<(String, Constraint)>,
    pub minimum: Vec<(String, Constraint)>,
    pub paired: Vec<(String, Constraint)>,
    pub compatible: Vec<(String, Constraint)>,
    pub conflicts: Vec<(String, Constraint)>,
    pub unknown: Vec<(String, Unknown)>,
    pub info: Vec<(String, String)>,
    pub note: Option<String>,
    pub source: Vec<String>,
}

#[derive(Clone, Debug)]
pub(crate) struct Rule {
    pub id: String,
    pub when: Vec<(String, Spec)>,
    /// The rule does not apply when the stack has one of these.
    pub unless: Vec<(String, Spec)>,
    /// Components the stack must have (absent: a finding).
    pub needs: Vec<String>,
    pub requires: Vec<(String, Constraint)>,
    pub conflicts: Vec<(String, Constraint)>,
    pub severity: Option<Severity>,
    pub message: String,
    pub help: Option<String>,
    pub note: Option<String>,
    pub source: Vec<String>,
}

#[derive(Clone, Debug)]
pub(crate) struct Installer {
    pub component: String,
    pub chips: Vec<String>,
    pub archs: Vec<String>,
    pub version_of: String,
    pub applies: Spec,
    pub template: String,
    pub url: Option<String>,
    pub order: Option<u32>,
    pub flags: Option<String>,
    pub available: bool,
    pub note: Option<String>,
    pub source: Vec<String>,
}

#[derive(Clone, Debug)]
pub(crate) struct Fact {
    pub topic: String,
    pub about: Vec<String>,
    pub when: Vec<(String, Spec)>,
    pub text: String,
    pub values: Vec<(String, String)>,
    pub source: Vec<String>,
}

#[derive(Clone, Debug)]
pub(crate) struct Chip {
    pub name: String,
    pub family: String,
    pub marketing: Vec<String>,
    pub socs: Vec<String>,
    pub aliases: Vec<String>,
    pub vllm_ascend_type: Option<String>,
    pub note: Option<String>,
    pub source: Vec<String>,
}

#[derive(Clone, Debug)]
pub(crate) struct Arch {
    pub name: String,
    pub aliases: Vec<String>,
    pub note: Option<String>,
    pub source: Vec<String>,
}

/// Where the synced overlay came from (its `[meta]`).
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct OverlayMeta {
    /// The file it was read from.
    pub path: String,
    /// When it was synced (`YYYY-MM-DD`, UTC).
    pub date: String,
    /// The package index it was read from.
    pub index: String,
    /// Release rows it holds.
    pub releases: usize,
    /// Release rows that added a version the built-in data did not have.
    pub new_releases: usize,
}

/// The compatibility knowledge: the built-in file plus any user rules files.
#[derive(Clone, Debug, Default)]
pub struct KnowledgeBase {
    /// `[meta] snapshot` of the built-in file: the date its sources were read.
    pub(crate) snapshot: Option<String>,
    /// The synced overlay, when one was read.
    pub(crate) overlay: Option<OverlayMeta>,
    pub(crate) sources: BTreeMap<String, SourceRef>,
    pub(crate) chips: Vec<Chip>,
    pub(crate) archs: Vec<Arch>,
    pub(crate) releases: Vec<Release>,
    pub(crate) rules: Vec<Rule>,
    pub(crate) installers: Vec<Installer>,
    pub(crate) facts: Vec<Fact>,
}

/// `vllm-ascend` → `vllm_ascend`, `Torch_NPU` → `torch_npu`.
pub(crate) fn norm_component(c: &str) -> String {
    c.trim().to_ascii_lowercase().replace('-', "_")
}

/// Display order of components: the stack's own order first, then alphabetical.
pub(crate) fn component_rank(c: &str) -> (usize, &str) {
    const ORDER: [&str; 15] = [
        "vllm",
        "vllm_ascend",
        "cann",
        "driver",
        "chip",
        "arch",
        "python",
        "torch",
        "torch_npu",
        "numpy",
        "transformers",
        "megatron",
        "mindspeed",
        "mindspore",
        "verl",
    ];
    (ORDER.iter().position(|x| *x == c).unwrap_or(ORDER.len()), c)
}

impl KnowledgeBase {
    /// Parse a stack or query value for `component` (names for chip/arch, versions otherwise).
    pub(crate) fn value(&self, component: &str, text: &str) -> Version {
        if is_name_component(component) {
            Version::name(&self.canonical_name(component, text))
        } else {
            Version::parse(text)
        }
    }

    /// Chip and architecture aliases (`910B2` → `910b`, `arm64` → `aarch64`).
    pub(crate) fn canonical_name(&self, component: &str, text: &str) -> String {
        let t = text.trim().to_ascii_lowercase();
        match component {
            "chip" => self
                .chips
                .iter()
                .find(|c| {
                    c.name == t
                        || c.aliases.contains(&t)
                        || c.socs.iter().any(|s| s.eq_ignore_ascii_case(&t))
                })
                .map(|c| c.name.clone())
                .unwrap_or(t),
            "arch" => self
                .archs
                .iter()
                .find(|a| a.name == t || a.aliases.contains(&t))
                .map(|a| a.name.clone())
                .unwrap_or(t),
            _ => t,
        }
    }

    /// "S1 Ascend/pytorch COMPATIBILITY.en.md @9e73e708 (2026-08-21, master); S26 …".
    pub(crate) fn cite(&self, ids: &[String]) -> String {
        ids.iter()
            .map(|id| self.cite_one(id))
            .collect::<Vec<_>>()
            .join("; ")
    }

    pub(crate) fn cite_one(&self, id: &str) -> String {
        match self.sources.get(id) {
            Some(s) => match &s.reference {
                Some(r) => format!("{} {} {} @{}", s.id, s.repo, s.path, r),
                None => format!("{} {} {}", s.id, s.repo, s.path),
            },
            None => id.to_string(),
        }
    }

    /// Release rows whose subject is `component` and whose version matches `v`.
    pub(crate) fn releases_matching<'a>(
        &'a self,
        component: &'a str,
        v: &'a Version,
    ) -> impl Iterator<Item = &'a Release> + 'a {
        self.releases
            .iter()
            .filter(move |r| r.component == component && r.matcher.eval(v) == Some(true))
    }

    /// Components that have release rows (a version of one of these that no row matches is an
    /// "unknown combination").
    pub(crate) fn has_family(&self, component: &str) -> bool {
        self.releases.iter().any(|r| r.component == component)
    }

    /// Whether `v` is newer than every known version of the family (so the knowledge is behind).
    pub(crate) fn newer_than_known(&self, component: &str, v: &Version) -> bool {
        let mut any = false;
        for r in self.releases.iter().filter(|r| r.component == component) {
            match v.compare(&Version::parse(&r.version)) {
                Some(std::cmp::Ordering::Greater) => any = true,
                Some(_) => return false,
                None => {}
            }
        }
        any
    }

    /// The date the knowledge is current to: the overlay's sync date, else the built-in snapshot.
    pub fn knowledge_date(&self) -> String {
        self.overlay
            .as_ref()
            .map(|o| o.date.clone())
            .or_else(|| self.snapshot.clone())
            .unwrap_or_else(|| "unknown".into())
    }

    /// The built-in snapshot date (`[meta] snapshot`).
    pub fn snapshot_date(&self) -> Option<&str> {
        self.snapshot.as_deref()
    }

    /// The synced overlay read after the built-in data, if any.
    pub fn overlay(&self) -> Option<&OverlayMeta> {
        self.overlay.as_ref()
    }

    /// Known versions of a family, nearest to `v` first (at most `n`).
    pub(crate) fn nearest_versions(&self, component: &str, v: &Version, n: usize) -> Vec<String> {
        let mut known: Vec<(usize, usize, &str)> = Vec::new();
        for (i, r) in self
            .releases
            .iter()
            .enumerate()
            .filter(|(_, r)| r.component == component)
        {
            if !known.iter().any(|k| k.2 == r.version) {
                known.push((v.shared_prefix(&Version::parse(&r.version)), i, &r.version));
            }
        }
        known.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
        known.into_iter().take(n).map(|k| k.2.to_string()).collect()
    }

    /// The version as the knowledge spells it (`8.2.rc1` → `8.2.RC1`), for file names.
    pub(crate) fn canonical_version(&self, component: &str, raw: &str) -> String {
        let v = Version::parse(raw);
        self.releases
            .iter()
            .filter(|r| r.component == component)
            .map(|r| Version::parse(&r.version))
            .find(|k| k.matches_pin(&v) == Some(true) && v.matches_pin(k) == Some(true))
            .map(|k| k.raw().to_string())
            .unwrap_or_else(|| raw.trim().to_string())
    }
}
