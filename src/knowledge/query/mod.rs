//! Questions for `adf compat`: "which CANN and torch_npu for vllm-ascend 0.9.1?". The question
//! and answer types are here; [`answers`] answers, [`implied`] says which rules apply.

pub(super) mod answers;
pub(super) mod implied;

use serde::Serialize;

use super::model::norm_component;
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
