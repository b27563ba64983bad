//! The engine's build request, and the one function that turns a model [`BuildSpec`] into it
//! (as bake's `toBuildOpt` turns a target into build options). Backends render a request into
//! their own command line; nothing else reads a spec to build.

use crate::model::spec::{split_words, BuildSpec, SecretSource};
use crate::plan::fingerprint::FINGERPRINT_LABEL;
use std::collections::BTreeMap;
use std::path::PathBuf;

/// The label that records the ID of the parent image a child was built FROM.
pub const PARENT_LABEL: &str = "adf.parent";

/// One image build: the spec, and what adf adds to it for this run.
#[derive(Clone, Debug, Default)]
pub struct BuildRequest {
    /// The image's name in the file (logs, messages).
    pub name: String,
    pub spec: BuildSpec,
    /// The `adf.fingerprint` label's value.
    pub fingerprint: String,
    /// The platform to build for, when the spec names one.
    pub platform: Option<String>,
    /// `--build-flag` of the command line, split into words, passed last.
    pub cli_flags: Vec<String>,
    /// Where the full build output goes.
    pub log: PathBuf,
    /// The ID of the parent image the base arg points at (recorded as `adf.parent`).
    pub parent: Option<String>,
    /// The image's tags, applied by the build itself when (and only when) it succeeds.
    pub tags: Vec<String>,
}

impl BuildRequest {
    /// The request for building `spec` as image `name` with `fingerprint` as its label.
    pub fn from_spec(
        name: &str,
        spec: &BuildSpec,
        fingerprint: &str,
        log: PathBuf,
        cli_flags: &[String],
    ) -> Self {
        BuildRequest {
            name: name.to_string(),
            spec: spec.clone(),
            fingerprint: fingerprint.to_string(),
            platform: spec.platforms.first().cloned(),
            cli_flags: split_words(cli_flags),
            log,
            parent: None,
            tags: Vec::new(),
        }
    }

    /// The spec's labels plus `adf.fingerprint` (and `adf.parent`).
    pub fn labels(&self) -> BTreeMap<String, String> {
        let mut labels = self.spec.labels.clone();
        labels.insert(FINGERPRINT_LABEL.into(), self.fingerprint.clone());
        if let Some(parent) = &self.parent {
            labels.insert(PARENT_LABEL.into(), parent.clone());
        }
        labels
    }

    /// Every secret with a source, by id (an undeclared one is a check error before any build).
    pub fn secrets(&self) -> impl Iterator<Item = (&str, &SecretSource)> {
        self.spec
            .secrets
            .iter()
            .filter_map(|s| Some((s.id.as_str(), s.source.as_ref()?)))
    }
}
