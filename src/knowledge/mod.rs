//! Ascend compatibility knowledge: which torch_npu goes with which torch, CANN and Python, which
//! vllm-ascend with which vLLM, and so on — each entry with its public source.
//!
//! The data lives in `knowledge/compat.toml` (embedded at build time); users may add their own
//! files in the same format (`knowledge/README.md` describes it). [`KnowledgeBase::check`] judges a
//! [`Stack`] (a known conflict is an error, an undocumented combination a warning) and
//! [`KnowledgeBase::query`] answers `adf compat` questions.

mod brief;
mod check;
mod load;
mod model;
pub mod overlay;
mod query;
mod render;
mod rules;
mod schema;
mod spec;
pub mod sync;
mod version;

#[cfg(test)]
mod tests_check;
#[cfg(test)]
mod tests_facts;
#[cfg(test)]
mod tests_golden;

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::OnceLock;

pub use self::brief::render_brief;
pub use self::check::{codes, Assessment, Finding, Note};
pub use self::model::{KnowledgeBase, OverlayMeta};
pub use self::query::{Answer, AnswerKind, Query, Relation, RelationKind};
pub use self::render::render_text;
pub use crate::diag::Severity;

/// Component → version as the user wrote it. Components: `python`, `cann`, `chip`, `arch`,
/// `torch`, `torch_npu`, `numpy`, `vllm`, `vllm_ascend`, `mindspeed`, `megatron`, `mindspore`,
/// `verl`, `transformers`, `driver` (others, e.g. `torchvision`, `mindspeed_rl`, `verl_npu`, are
/// checked when the knowledge mentions them). `-` and `_` are interchangeable in names.
pub type Stack = BTreeMap<String, String>;

/// The built-in knowledge file.
pub const BUILTIN_NAME: &str = "knowledge/compat.toml";
const BUILTIN_TEXT: &str = include_str!("../../knowledge/compat.toml");

/// One CANN installer file for a given CANN version, chip and architecture.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct InstallerFile {
    /// `toolkit`, `kernels` (named `…-ops` from CANN 8.5.0), `nnal`, `nnae`, `nnrt`.
    pub component: String,
    pub chip: Option<String>,
    pub arch: String,
    pub file: String,
    pub url: Option<String>,
    /// Install order (toolkit 1 → kernels 2 → source set_env → nnal 3), where documented.
    pub order: Option<u32>,
    pub flags: Option<String>,
    pub note: Option<String>,
    pub source: String,
}

impl KnowledgeBase {
    /// The built-in knowledge, parsed once. A parse failure is a bug in the shipped file (tested).
    pub fn builtin() -> &'static KnowledgeBase {
        static KB: OnceLock<KnowledgeBase> = OnceLock::new();
        KB.get_or_init(|| {
            let mut kb = KnowledgeBase::default();
            if let Err(e) = kb.add_text(BUILTIN_NAME, BUILTIN_TEXT) {
                panic!("built-in compatibility knowledge does not parse (a bug): {e}");
            }
            kb
        })
    }

    /// The built-in knowledge, then the synced overlay (`adf knowledge sync`) when there is one:
    /// what every command reads. An overlay that cannot be read is left out (`adf knowledge
    /// status` says why).
    pub fn current() -> &'static KnowledgeBase {
        static KB: OnceLock<KnowledgeBase> = OnceLock::new();
        KB.get_or_init(|| {
            let mut kb = KnowledgeBase::builtin().clone();
            let _ = kb.add_overlay_if_present();
            kb
        })
    }

    /// Reads the synced overlay, if the cache directory has one. `Ok(false)`: there is none.
    pub fn add_overlay_if_present(&mut self) -> Result<bool, String> {
        let Some(path) = overlay::path() else {
            return Ok(false);
        };
        if !path.is_file() {
            return Ok(false);
        }
        let text = std::fs::read_to_string(&path)
            .map_err(|e| format!("{}: cannot read: {e}", path.display()))?;
        self.add_overlay_text(&path.display().to_string(), &text)?;
        Ok(true)
    }

    /// The built-in knowledge plus one user rules file (same format). Errors name file and line.
    pub fn with_user_file(path: impl AsRef<Path>) -> Result<KnowledgeBase, String> {
        let mut kb = KnowledgeBase::builtin().clone();
        kb.add_user_file(path)?;
        Ok(kb)
    }

    /// Add another user rules file (same format). Errors name file and line.
    pub fn add_user_file(&mut self, path: impl AsRef<Path>) -> Result<(), String> {
        let path = path.as_ref();
        let text =
            crate::safe_fs::read_text(path, crate::safe_fs::MAX_TEXT).map_err(|e| match e {
                crate::safe_fs::ReadError::Io { error, .. } => {
                    format!("{}: cannot read: {error}", path.display())
                }
                other => other.to_string(),
            })?;
        self.add_text(&path.display().to_string(), &text)
    }

    /// Judge a stack: errors for known conflicts, warnings for undocumented combinations.
    /// Errors come first; each finding cites its sources. Info notes: [`KnowledgeBase::assess`].
    pub fn check(&self, stack: &Stack) -> Vec<Finding> {
        check::check(self, stack).findings
    }

    /// [`KnowledgeBase::check`] plus the info notes (a version other than the documented pair but
    /// inside a documented range, a combination vouched for by a documented setup).
    pub fn assess(&self, stack: &Stack) -> Assessment {
        check::check(self, stack)
    }

    /// How many release rows, rules and sources are loaded.
    pub fn counts(&self) -> (usize, usize, usize) {
        (self.releases.len(), self.rules.len(), self.sources.len())
    }

    /// Every component name the knowledge mentions (release subjects, their relations, rules,
    /// facts), for did-you-mean on a misspelt name.
    pub fn component_names(&self) -> Vec<String> {
        let mut names: Vec<String> = ["python", "cann", "chip", "arch", "os", "driver", "glibc"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let mut add = |c: &String| {
            if !names.contains(c) {
                names.push(c.clone());
            }
        };
        for r in &self.releases {
            add(&r.component);
            for (c, _) in r
                .requires
                .iter()
                .chain(&r.minimum)
                .chain(&r.paired)
                .chain(&r.compatible)
                .chain(&r.conflicts)
            {
                add(c);
            }
            for (c, _) in &r.unknown {
                add(c);
            }
        }
        for rule in &self.rules {
            for (c, _) in rule.when.iter().chain(&rule.unless) {
                add(c);
            }
            for (c, _) in rule.requires.iter().chain(&rule.conflicts) {
                add(c);
            }
        }
        for f in &self.facts {
            for c in &f.about {
                add(c);
            }
        }
        names.sort();
        names
    }

    /// Answer a question (see [`Query`]); render with [`render_text`] or serde JSON.
    pub fn query(&self, q: &Query) -> Vec<Answer> {
        query::answers::query(self, q)
    }

    /// The CANN installer files (toolkit, kernels/ops, nnal, nnae …) released for `cann` on `arch`,
    /// with the chip-specific ones for `chip` (none when `chip` is `None`). Unknown CANN → empty.
    pub fn installer_files(
        &self,
        cann: &str,
        chip: Option<&str>,
        arch: &str,
    ) -> Vec<InstallerFile> {
        let v = version::Version::parse(cann);
        let version = self.canonical_version("cann", cann);
        let arch = self.canonical_name("arch", arch);
        let chip = chip.map(|c| self.canonical_name("chip", c));
        let mut out = Vec::new();
        for i in &self.installers {
            if i.version_of != "cann" || !i.available || i.applies.eval(&v) != Some(true) {
                continue;
            }
            if !i.archs.is_empty() && !i.archs.contains(&arch) {
                continue;
            }
            let c = match (&chip, i.chips.is_empty()) {
                (_, true) => None,
                (Some(c), false) if i.chips.contains(c) => Some(c.as_str()),
                _ => continue,
            };
            let (file, url) = render::render(i, &version, c, &arch);
            out.push(InstallerFile {
                component: i.component.clone(),
                chip: c.map(str::to_string),
                arch: arch.clone(),
                file,
                url,
                order: i.order,
                flags: i.flags.clone(),
                note: i.note.clone(),
                source: self.cite(&i.source),
            });
        }
        out.sort_by_key(|f| f.order.unwrap_or(u32::MAX));
        out
    }
}
