//! The engine's build request, and the one function that turns a model [`BuildSpec`] into it
//! (as bake's `toBuildOpt` turns a target into build options). Backends render a request into
//! their own command line; nothing else reads a spec to build.

use crate::model::spec::{split_words, BuildSpec, SecretSource};
use crate::plan::fingerprint::FINGERPRINT_LABEL;
use std::collections::BTreeMap;
use std::path::PathBuf;

/// Everything one image build needs, engine-neutral.
#[derive(Clone, Debug, Default)]
pub struct BuildRequest {
    /// The image's name in the file (logs, messages).
    pub name: String,
    pub context: PathBuf,
    pub dockerfile: PathBuf,
    /// Resolved build args, the parent's tag injected as the base arg.
    pub args: BTreeMap<String, String>,
    /// The file's labels plus `adf.fingerprint`.
    pub labels: BTreeMap<String, String>,
    pub target: Option<String>,
    pub platform: Option<String>,
    /// Build secrets by id, each with where its value comes from.
    pub secrets: Vec<(String, SecretSource)>,
    pub network: Option<String>,
    pub shm_size: Option<String>,
    pub no_cache: bool,
    pub pull: bool,
    pub cache_from: Vec<String>,
    pub extra_hosts: Vec<String>,
    /// `build_flags:` of the file and of the image, split into words, passed first.
    pub file_flags: Vec<String>,
    /// `--build-flag` of the command line, passed last.
    pub cli_flags: Vec<String>,
    /// Where the full build output goes.
    pub log: PathBuf,
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
        let mut labels = spec.labels.clone();
        labels.insert(FINGERPRINT_LABEL.into(), fingerprint.to_string());
        BuildRequest {
            name: name.to_string(),
            context: spec.context.clone(),
            dockerfile: spec.dockerfile.clone(),
            args: spec.args.clone(),
            labels,
            target: spec.target.clone(),
            platform: spec.platforms.first().cloned(),
            secrets: spec
                .secrets
                .iter()
                .filter_map(|s| Some((s.id.clone(), s.source.clone()?)))
                .collect(),
            network: spec.network.clone(),
            shm_size: spec.shm_size.clone(),
            no_cache: spec.no_cache,
            pull: spec.pull,
            cache_from: spec.cache_from.clone(),
            extra_hosts: spec.extra_hosts.clone(),
            file_flags: spec.flags.clone(),
            cli_flags: split_words(cli_flags),
            log,
        }
    }
}
