//! The serde shape of a knowledge file (documented in `knowledge/README.md`).

use std::collections::BTreeMap;

use serde::Deserialize;
use toml::Spanned;

#[derive(Deserialize)]
#[serde(untagged)]
pub(super) enum OneOrMany {
    One(String),
    Many(Vec<String>),
}

impl OneOrMany {
    pub(super) fn into_vec(self) -> Vec<String> {
        match self {
            OneOrMany::One(s) => s.split_whitespace().map(str::to_string).collect(),
            OneOrMany::Many(v) => v,
        }
    }
    pub(super) fn joined(self, sep: &str) -> String {
        match self {
            OneOrMany::One(s) => s,
            OneOrMany::Many(v) => v.join(sep),
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct FullConstraint {
    pub(super) spec: OneOrMany,
    pub(super) source: Option<OneOrMany>,
    pub(super) note: Option<String>,
    pub(super) severity: Option<String>,
}

#[derive(Deserialize)]
#[serde(untagged)]
pub(super) enum ConstraintDef {
    Short(OneOrMany),
    Full(FullConstraint),
}

pub(super) type Constraints = BTreeMap<String, ConstraintDef>;

/// An `unknown` relation: what *is* documented, as text, optionally with its own source.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct FullUnknown {
    pub(super) note: String,
    pub(super) source: Option<OneOrMany>,
}

#[derive(Deserialize)]
#[serde(untagged)]
pub(super) enum UnknownDef {
    Short(String),
    Full(FullUnknown),
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct SourceDef {
    pub(super) id: String,
    pub(super) repo: String,
    pub(super) path: String,
    #[serde(rename = "ref")]
    pub(super) reference: Option<String>,
    pub(super) note: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct ChipDef {
    pub(super) name: String,
    pub(super) family: String,
    #[serde(default)]
    pub(super) marketing: Vec<String>,
    #[serde(default)]
    pub(super) socs: Vec<String>,
    #[serde(default)]
    pub(super) aliases: Vec<String>,
    pub(super) vllm_ascend_type: Option<String>,
    pub(super) note: Option<String>,
    pub(super) source: OneOrMany,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct ArchDef {
    pub(super) name: String,
    #[serde(default)]
    pub(super) aliases: Vec<String>,
    pub(super) note: Option<String>,
    pub(super) source: OneOrMany,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct ReleaseDef {
    pub(super) component: String,
    pub(super) version: String,
    #[serde(rename = "match")]
    pub(super) matcher: Option<String>,
    pub(super) variant: Option<String>,
    #[serde(default)]
    pub(super) requires: Constraints,
    #[serde(default)]
    pub(super) paired: Constraints,
    #[serde(default)]
    pub(super) minimum: Constraints,
    #[serde(default)]
    pub(super) compatible: Constraints,
    #[serde(default)]
    pub(super) conflicts: Constraints,
    #[serde(default)]
    pub(super) unknown: BTreeMap<String, UnknownDef>,
    #[serde(default)]
    pub(super) info: BTreeMap<String, OneOrMany>,
    pub(super) note: Option<String>,
    pub(super) source: OneOrMany,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RuleDef {
    pub(super) id: String,
    pub(super) when: BTreeMap<String, String>,
    #[serde(default)]
    pub(super) unless: BTreeMap<String, String>,
    #[serde(default)]
    pub(super) needs: Vec<String>,
    #[serde(default)]
    pub(super) requires: Constraints,
    #[serde(default)]
    pub(super) conflicts: Constraints,
    pub(super) severity: Option<String>,
    pub(super) message: String,
    pub(super) help: Option<String>,
    pub(super) note: Option<String>,
    pub(super) source: OneOrMany,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct InstallerDef {
    pub(super) component: String,
    #[serde(default)]
    pub(super) chips: Vec<String>,
    #[serde(default)]
    pub(super) archs: Vec<String>,
    pub(super) cann: Option<String>,
    pub(super) driver: Option<String>,
    pub(super) template: String,
    pub(super) version_of: Option<String>,
    pub(super) url: Option<String>,
    pub(super) order: Option<u32>,
    pub(super) flags: Option<String>,
    pub(super) available: Option<bool>,
    pub(super) note: Option<String>,
    pub(super) source: OneOrMany,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct FactDef {
    pub(super) topic: String,
    #[serde(default)]
    pub(super) about: Vec<String>,
    #[serde(default)]
    pub(super) when: BTreeMap<String, String>,
    pub(super) text: String,
    #[serde(default)]
    pub(super) values: BTreeMap<String, OneOrMany>,
    pub(super) source: OneOrMany,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct FileDef {
    pub(super) schema: u32,
    #[serde(default)]
    pub(super) meta: toml::Table,
    #[serde(default)]
    pub(super) sources: Vec<Spanned<SourceDef>>,
    #[serde(default)]
    pub(super) chip: Vec<Spanned<ChipDef>>,
    #[serde(default)]
    pub(super) arch: Vec<Spanned<ArchDef>>,
    #[serde(default)]
    pub(super) release: Vec<Spanned<ReleaseDef>>,
    #[serde(default)]
    pub(super) rule: Vec<Spanned<RuleDef>>,
    #[serde(default)]
    pub(super) installer: Vec<Spanned<InstallerDef>>,
    #[serde(default)]
    pub(super) fact: Vec<Spanned<FactDef>>,
}
