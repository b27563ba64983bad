//! The typed build spec of an image: what to build and how, every value resolved (the parent's
//! primary tag already injected as the base arg). The plan, the fingerprint, the engine request
//! and every exporter read this; where each value was written is kept on the side, in
//! [`SpecSpans`], for diagnostics only.

use crate::config::{RawBuild, RawSecretSource};
use crate::diag::Span;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Where a build secret's value comes from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SecretSource {
    File(PathBuf),
    /// An environment variable of adf's process; written to a private temporary file for the
    /// build, then removed.
    Env(String),
}

/// The label that describes an image's run-time dependencies hook (and so makes it part of the
/// fingerprint).
pub const RUNTIME_DEPS_LABEL: &str = "adf.runtime-deps";

/// `runtime_deps:`: Python packages installed when a container of the image starts, from a
/// mounted wheelhouse or a package index named by an environment variable.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct RuntimeDeps {
    /// Where the wheelhouse is mounted in the container.
    pub wheelhouse: Option<String>,
    /// A requirements file in the image; without it, every wheel of the wheelhouse.
    pub requirements: Option<String>,
    /// The environment variable that holds the index URL (for an online install).
    pub index_env: Option<String>,
}

impl RuntimeDeps {
    /// `wheelhouse /opt/wheels, requirements /opt/app/requirements.txt, index $PIP_INDEX_URL`.
    pub fn describe(&self) -> String {
        let mut parts = Vec::new();
        if let Some(w) = &self.wheelhouse {
            parts.push(format!("wheelhouse {w}"));
        }
        if let Some(r) = &self.requirements {
            parts.push(format!("requirements {r}"));
        }
        if let Some(i) = &self.index_env {
            parts.push(format!("index ${i}"));
        }
        parts.join(", ")
    }
}

/// A secret an image's build mounts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BuildSecret {
    pub id: String,
    /// `None` when no top-level `secrets:` entry declares the id (a check error).
    pub source: Option<SecretSource>,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct BuildSpec {
    /// The build context directory.
    pub context: PathBuf,
    /// The Dockerfile (relative to the context in the file; here a path adf can open).
    pub dockerfile: PathBuf,
    /// Build args, resolved; with a parent, its primary tag under the base arg.
    pub args: BTreeMap<String, String>,
    /// The Dockerfile stage to build.
    pub target: Option<String>,
    /// `os/arch[/variant]` values, as written.
    pub platforms: Vec<String>,
    pub secrets: Vec<BuildSecret>,
    /// Labels from the file (`adf.fingerprint` is added for the engine request).
    pub labels: BTreeMap<String, String>,
    pub network: Option<String>,
    pub shm_size: Option<String>,
    pub no_cache: bool,
    pub pull: bool,
    /// `--cache-from` sources (`type=registry,ref=...`, `type=local,src=...`, an image).
    pub cache_from: Vec<String>,
    /// `--cache-to` exports (`type=inline`, `type=registry,ref=...`, `type=local,dest=...`).
    pub cache_to: Vec<String>,
    pub extra_hosts: Vec<String>,
    /// `build_flags:` of the file, then of the image, split into words.
    pub flags: Vec<String>,
    /// An entrypoint wrapper layer adf adds on top of the built image.
    pub runtime_deps: Option<RuntimeDeps>,
}

/// Where each value of a spec was written (the config file), for diagnostics.
#[derive(Clone, Debug, Default)]
pub struct SpecSpans {
    /// The `build` key, or the image key when there is none.
    pub build: Span,
    pub context: Span,
    pub dockerfile: Span,
    /// Arg name to the spans of its key and its value, for the args written in the file.
    pub args: BTreeMap<String, (Span, Span)>,
    pub labels: BTreeMap<String, (Span, Span)>,
    pub target: Option<Span>,
    /// One per platform, in order.
    pub platforms: Vec<Span>,
    /// One per secret, in order.
    pub secrets: Vec<Span>,
    /// One per `cache_to` entry, in order (the file's default when the image sets none).
    pub cache_to: Vec<Span>,
}

/// Where a top-level `secrets:` entry takes its value from (`None` when it names no source).
pub fn secret_source(declared: &RawSecretSource, dir: &Path) -> Option<SecretSource> {
    match (&declared.file, &declared.environment) {
        (Some(f), _) => Some(SecretSource::File(dir.join(&f.value))),
        (None, Some(e)) => Some(SecretSource::Env(e.value.clone())),
        _ => None,
    }
}

/// The written args of `build` as a map (later keys win, as in YAML they cannot repeat).
pub fn written_args(build: &RawBuild) -> BTreeMap<String, String> {
    build
        .args
        .iter()
        .map(|(k, v)| (k.value.clone(), v.value.clone()))
        .collect()
}

/// A spec from an interpolated `build:` section. `dir` is the config file's directory; the base
/// arg is injected by the model once parents are known.
pub fn from_raw(
    build: &RawBuild,
    runtime_deps: Option<&crate::config::RawRuntimeDeps>,
    image_flags: &[String],
    file_flags: &[String],
    declared_secrets: &[RawSecretSource],
    dir: &Path,
    fallback: Span,
) -> (BuildSpec, SpecSpans) {
    let context = dir.join(
        build
            .context
            .as_ref()
            .map(|c| c.value.as_str())
            .unwrap_or("."),
    );
    let dockerfile = context.join(
        build
            .dockerfile
            .as_ref()
            .map(|d| d.value.as_str())
            .unwrap_or("Dockerfile"),
    );
    let build_span = build.span.unwrap_or(fallback);
    let values = |items: &[crate::config::Str]| items.iter().map(|s| s.value.clone()).collect();
    let spec = BuildSpec {
        context,
        dockerfile,
        args: written_args(build),
        target: build.target.as_ref().map(|t| t.value.clone()),
        platforms: values(&build.platforms),
        secrets: build
            .secrets
            .iter()
            .map(|id| BuildSecret {
                id: id.value.clone(),
                source: declared_secrets
                    .iter()
                    .find(|s| s.id.value == id.value)
                    .and_then(|s| secret_source(s, dir)),
            })
            .collect(),
        labels: build
            .labels
            .iter()
            .map(|(k, v)| (k.value.clone(), v.value.clone()))
            .collect(),
        network: build.network.as_ref().map(|n| n.value.clone()),
        shm_size: build.shm_size.as_ref().map(|s| s.value.clone()),
        no_cache: build.no_cache.as_ref().is_some_and(|v| v.value),
        pull: build.pull.as_ref().is_some_and(|v| v.value),
        cache_from: values(&build.cache_from),
        cache_to: values(&build.cache_to),
        extra_hosts: values(&build.extra_hosts),
        flags: split_words(&[file_flags, image_flags].concat()),
        runtime_deps: runtime_deps.map(|d| RuntimeDeps {
            wheelhouse: d.wheelhouse.as_ref().map(|s| s.value.clone()),
            requirements: d.requirements.as_ref().map(|s| s.value.clone()),
            index_env: d.index_env.as_ref().map(|s| s.value.clone()),
        }),
    };
    let mut spec = spec;
    if let Some(d) = &spec.runtime_deps {
        spec.labels.insert(RUNTIME_DEPS_LABEL.into(), d.describe());
    }
    let spans = SpecSpans {
        build: build_span,
        context: build.context.as_ref().map(|c| c.span).unwrap_or(build_span),
        dockerfile: build
            .dockerfile
            .as_ref()
            .map(|d| d.span)
            .unwrap_or(build_span),
        args: build
            .args
            .iter()
            .map(|(k, v)| (k.value.clone(), (k.span, v.span)))
            .collect(),
        labels: build
            .labels
            .iter()
            .map(|(k, v)| (k.value.clone(), (k.span, v.span)))
            .collect(),
        target: build.target.as_ref().map(|t| t.span),
        platforms: build.platforms.iter().map(|p| p.span).collect(),
        secrets: build.secrets.iter().map(|s| s.span).collect(),
        cache_to: build.cache_to.iter().map(|s| s.span).collect(),
    };
    (spec, spans)
}

/// `build_flags: ["--network host"]` is two words for the engine.
pub fn split_words(flags: &[String]) -> Vec<String> {
    flags
        .iter()
        .flat_map(|f| f.split_whitespace().map(str::to_string))
        .collect()
}

/// A `cache_from` / `cache_to` entry as BuildKit reads it: `type=T,key=value,...`, or an image
/// reference alone (a registry cache).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CacheEntry<'a> {
    /// `registry`, `inline`, `local`, `gha`, ... (`registry` when only a `ref=` is given).
    pub kind: &'a str,
    /// The `ref=` of a registry cache (or the reference written alone).
    pub reference: Option<&'a str>,
}

impl<'a> CacheEntry<'a> {
    pub fn parse(entry: &'a str) -> Self {
        let entry = entry.trim();
        if !entry.contains('=') {
            return CacheEntry {
                kind: "registry",
                reference: Some(entry),
            };
        }
        let field = |key: &str| {
            entry
                .split(',')
                .filter_map(|f| f.trim().split_once('='))
                .find(|(k, _)| *k == key)
                .map(|(_, v)| v)
        };
        CacheEntry {
            kind: field("type").unwrap_or("registry"),
            reference: field("ref"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::CacheEntry;

    #[test]
    fn cache_entries() {
        let e = CacheEntry::parse("type=registry,ref=r.io/a/cache:1,mode=max");
        assert_eq!((e.kind, e.reference), ("registry", Some("r.io/a/cache:1")));
        let e = CacheEntry::parse("r.io/a:1");
        assert_eq!((e.kind, e.reference), ("registry", Some("r.io/a:1")));
        assert_eq!(CacheEntry::parse("type=inline").kind, "inline");
        assert_eq!(CacheEntry::parse("ref=r.io/a:1").kind, "registry");
        let e = CacheEntry::parse("type=local,dest=/tmp/c");
        assert_eq!((e.kind, e.reference), ("local", None));
    }
}
