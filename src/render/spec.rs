//! An image's build spec and its whole declaration as JSON: what `plan --format json` carries
//! per image and what `adf config` prints.

use crate::model::spec::{BuildSpec, SecretSource, RUNTIME_DEPS_LABEL};
use crate::model::{Image, Project};
use serde_json::{json, Map, Value};
use std::collections::BTreeMap;
use std::path::Path;

/// `path` relative to `base` (`.`, `./ctx`), or as it is when outside it.
pub fn relative(path: &Path, base: &Path) -> String {
    let path = path.strip_prefix("./").unwrap_or(path);
    let base = base.strip_prefix("./").unwrap_or(base);
    match path.strip_prefix(base) {
        Ok(rest) if rest.as_os_str().is_empty() => ".".to_string(),
        Ok(rest) => format!("./{}", rest.display()),
        Err(_) if base == Path::new(".") && path.is_relative() => {
            format!("./{}", path.display())
        }
        Err(_) => path.display().to_string(),
    }
}

fn put(map: &mut Map<String, Value>, key: &str, value: Value) {
    let empty = match &value {
        Value::Null => true,
        Value::Array(a) => a.is_empty(),
        Value::Object(o) => o.is_empty(),
        Value::Bool(b) => !b,
        _ => false,
    };
    if !empty {
        map.insert(key.to_string(), value);
    }
}

fn no(b: &bool) -> bool {
    !*b
}

/// The build spec, paths relative to the config file's directory `dir` (the Dockerfile relative
/// to the context, as the file writes it). Empty values are left out; with `adf_labels` the
/// labels adf derives (the run-time dependencies hook) are kept.
#[derive(serde::Serialize)]
pub struct BuildView<'a> {
    context: String,
    dockerfile: String,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    args: &'a BTreeMap<String, String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    target: Option<&'a str>,
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    platforms: &'a [String],
    #[serde(skip_serializing_if = "Vec::is_empty")]
    secrets: Vec<&'a str>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    labels: BTreeMap<&'a str, &'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    network: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    shm_size: Option<&'a str>,
    #[serde(skip_serializing_if = "no")]
    no_cache: bool,
    #[serde(skip_serializing_if = "no")]
    pull: bool,
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    cache_from: &'a [String],
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    cache_to: &'a [String],
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    extra_hosts: &'a [String],
}

impl<'a> BuildView<'a> {
    pub fn new(spec: &'a BuildSpec, dir: &Path, adf_labels: bool) -> Self {
        let dockerfile = spec
            .dockerfile
            .strip_prefix(&spec.context)
            .map(|p| p.display().to_string())
            .unwrap_or_else(|_| spec.dockerfile.display().to_string());
        BuildView {
            context: relative(&spec.context, dir),
            dockerfile,
            args: &spec.args,
            target: spec.target.as_deref(),
            platforms: &spec.platforms,
            secrets: spec.secrets.iter().map(|s| s.id.as_str()).collect(),
            labels: spec
                .labels
                .iter()
                .filter(|(k, _)| adf_labels || k.as_str() != RUNTIME_DEPS_LABEL)
                .map(|(k, v)| (k.as_str(), v.as_str()))
                .collect(),
            network: spec.network.as_deref(),
            shm_size: spec.shm_size.as_deref(),
            no_cache: spec.no_cache,
            pull: spec.pull,
            cache_from: &spec.cache_from,
            cache_to: &spec.cache_to,
            extra_hosts: &spec.extra_hosts,
        }
    }
}

/// One image as `adf config` shows it: everything resolved (matrix values, variables, the
/// parent's tag under the base arg, defaults), in the file's own keys.
pub fn image_json(p: &Project, img: &Image) -> Value {
    let mut m = Map::new();
    put(&mut m, "description", json!(img.description));
    let parents: Vec<&str> = img.depends_on.iter().map(|d| d.value.as_str()).collect();
    put(&mut m, "depends_on", json!(parents));
    let matrix: Map<String, Value> = img
        .matrix
        .iter()
        .map(|(k, v)| (k.clone(), json!(v)))
        .collect();
    put(&mut m, "x-adf-matrix", Value::Object(matrix));
    m.insert("base_arg".into(), json!(img.base_arg));
    m.insert(
        "build".into(),
        json!(BuildView::new(&img.spec, &p.dir, false)),
    );
    let tags: Vec<&str> = img.tags().collect();
    m.insert("tags".into(), json!(tags));
    if img.published_tags.len() != img.tags.len()
        || img
            .published_tags
            .iter()
            .zip(&img.tags)
            .any(|(a, b)| a.value != b.value)
    {
        let published: Vec<&str> = img
            .published_tags
            .iter()
            .map(|t| t.value.as_str())
            .collect();
        m.insert("x-adf-published-tags".into(), json!(published));
    }
    put(&mut m, "build_flags", json!(img.spec.flags));
    let stack: Map<String, Value> = img
        .stack
        .iter()
        .map(|(k, v)| (k.value.clone(), json!(v.value)))
        .collect();
    put(&mut m, "stack", Value::Object(stack));
    let installers: Vec<Value> = img
        .installers
        .iter()
        .map(|i| {
            let mut o = Map::new();
            o.insert("path".into(), json!(i.path.value));
            put(&mut o, "sha256", json!(i.sha256.as_ref().map(|s| &s.value)));
            put(&mut o, "url", json!(i.url));
            put(&mut o, "hint", json!(i.hint));
            Value::Object(o)
        })
        .collect();
    put(&mut m, "installers", json!(installers));
    let verify: Vec<Value> = img
        .verify
        .iter()
        .map(|v| {
            let mut o = Map::new();
            put(&mut o, "name", json!(v.name));
            o.insert("run".into(), json!(v.run));
            put(&mut o, "expect", json!(v.expect.as_ref().map(|e| &e.value)));
            Value::Object(o)
        })
        .collect();
    put(&mut m, "verify", json!(verify));
    if let Some(d) = &img.spec.runtime_deps {
        m.insert("runtime_deps".into(), json!(d));
    }
    Value::Object(m)
}

/// Where a build secret comes from, as the file declares it (never its value).
pub fn secret_json(source: &SecretSource, dir: &Path) -> Value {
    match source {
        SecretSource::File(f) => json!({ "file": relative(f, dir) }),
        SecretSource::Env(e) => json!({ "environment": e }),
    }
}

#[cfg(test)]
mod tests {
    use super::relative;
    use std::path::Path;

    #[test]
    fn paths_are_shown_relative_to_the_file() {
        assert_eq!(relative(Path::new("./ctx"), Path::new(".")), "./ctx");
        assert_eq!(relative(Path::new("."), Path::new(".")), ".");
        assert_eq!(relative(Path::new("/p/a/b"), Path::new("/p")), "./a/b");
        assert_eq!(relative(Path::new("/q/b"), Path::new("/p")), "/q/b");
        assert_eq!(relative(Path::new("/p"), Path::new("/p")), ".");
    }
}
