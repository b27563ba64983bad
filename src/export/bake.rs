//! A `docker buildx bake` file (its JSON form) from the build specs: one target per image, each
//! parent linked as a named context `target:<parent>` (BuildKit orders and schedules the graph
//! and never builds a child against a stale or missing parent tag), or, for a parent that is
//! not in the file, `docker-image://<tag>`; a `default` group of the requested images.

use crate::model::spec::SecretSource;
use crate::model::{Image, Project};
use crate::plan::fingerprint::FINGERPRINT_LABEL;
use serde_json::{json, Map, Value};
use std::collections::BTreeMap;

/// What to write: images (by index in the project) with their fingerprints.
pub struct BakeImage<'a> {
    pub image: &'a Image,
    pub fingerprint: &'a str,
    /// Its build args as planned (the base arg may name a registry reference, or the pin tag
    /// of its parent's image).
    pub args: &'a BTreeMap<String, String>,
    /// The parent image ID its base arg pins (the `adf.parent` label), when adf builds it.
    pub parent: Option<&'a str>,
}

/// The bake target name of an image (`[A-Za-z0-9_-]`, as bake requires): `cann-8.2rc1@arm64` →
/// `cann-8_2rc1_arm64`.
pub fn target_name(image: &str) -> String {
    image
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// Settings of a spec that bake cannot express, for a warning.
pub fn unmapped(image: &Image) -> Vec<String> {
    let s = &image.spec;
    let mut out = Vec::new();
    if !s.flags.is_empty() {
        out.push(format!("build_flags `{}`", s.flags.join(" ")));
    }
    if let Some(n) = &s.network {
        out.push(format!("network `{n}`"));
    }
    if !s.extra_hosts.is_empty() {
        out.push("extra_hosts".to_string());
    }
    if s.runtime_deps.is_some() {
        out.push("runtime_deps (the entrypoint wrapper layer)".to_string());
    }
    out
}

/// The bake file. `images` in build order; `default` names the images the group builds;
/// `external` maps a parent tag that is not a target of the file to the reference its context
/// comes from (`docker-image://...`).
pub fn bake_file(
    project: &Project,
    images: &[BakeImage],
    default: &[&Image],
    external: &BTreeMap<String, String>,
) -> Value {
    let in_file = |i: usize| {
        images
            .iter()
            .any(|b| std::ptr::eq(b.image, &project.images[i]))
    };
    let mut targets = Map::new();
    for b in images {
        let img = b.image;
        let spec = &img.spec;
        let mut labels = spec.labels.clone();
        labels.insert(FINGERPRINT_LABEL.into(), b.fingerprint.to_string());
        // a parent built by this same bake (`target:`) has no ID yet: the label is set empty,
        // as labels are inherited and the parent's own `adf.parent` names another image (the
        // child is then judged by its layers)
        let linked = img.parents.first().is_some_and(|&p| in_file(p));
        match b.parent {
            Some(parent) => {
                labels.insert(crate::engine::PARENT_LABEL.into(), parent.to_string());
            }
            None if linked => {
                labels.insert(crate::engine::PARENT_LABEL.into(), String::new());
            }
            None => {}
        }
        let mut t = Map::new();
        // absolute: bake resolves a relative context from where it runs, not from the file
        let context = std::fs::canonicalize(&spec.context)
            .unwrap_or_else(|_| spec.context.clone())
            .display()
            .to_string();
        t.insert("context".into(), json!(context));
        let dockerfile = spec
            .dockerfile
            .strip_prefix(&spec.context)
            .map(|p| p.to_path_buf())
            .or_else(|_| {
                let context = std::fs::canonicalize(&spec.context)?;
                let file = std::fs::canonicalize(&spec.dockerfile)?;
                file.strip_prefix(context)
                    .map(|p| p.to_path_buf())
                    .map_err(std::io::Error::other)
            })
            .map(|p| p.display().to_string())
            .unwrap_or_else(|_| spec.dockerfile.display().to_string());
        t.insert("dockerfile".into(), json!(dockerfile));
        t.insert("args".into(), json!(b.args));
        t.insert("labels".into(), json!(labels));
        t.insert("tags".into(), json!(img.tags().collect::<Vec<_>>()));
        if !spec.platforms.is_empty() {
            t.insert("platforms".into(), json!(spec.platforms));
        }
        if let Some(stage) = &spec.target {
            t.insert("target".into(), json!(stage));
        }
        let secrets: Vec<String> = spec
            .secrets
            .iter()
            .filter_map(|s| match s.source.as_ref()? {
                SecretSource::File(p) => {
                    let p = std::fs::canonicalize(p).unwrap_or_else(|_| p.clone());
                    Some(format!("id={},src={}", s.id, p.display()))
                }
                SecretSource::Env(v) => Some(format!("id={},env={v}", s.id)),
            })
            .collect();
        if !secrets.is_empty() {
            t.insert("secret".into(), json!(secrets));
        }
        if !spec.cache_from.is_empty() {
            t.insert("cache-from".into(), json!(spec.cache_from));
        }
        if !spec.cache_to.is_empty() {
            t.insert("cache-to".into(), json!(spec.cache_to));
        }
        if let Some(s) = &spec.shm_size {
            t.insert("shm-size".into(), json!(s));
        }
        if spec.no_cache {
            t.insert("no-cache".into(), json!(true));
        }
        if spec.pull {
            t.insert("pull".into(), json!(true));
        }
        // one image per platform, as adf builds them: no provenance index around it
        t.insert("attest".into(), json!(["type=provenance,disabled=true"]));
        let mut contexts = Map::new();
        if let Some(&p) = img.parents.first() {
            let parent = &project.images[p];
            // keyed by what the child's FROM resolves to: its base arg as planned
            let from = b
                .args
                .get(&img.base_arg)
                .map(String::as_str)
                .or(parent.primary_tag());
            if let Some(from) = from {
                let source = match external.get(from) {
                    Some(r) => r.clone(),
                    None if in_file(p) => format!("target:{}", target_name(&parent.name)),
                    None => format!("docker-image://{from}"),
                };
                contexts.insert(from.to_string(), json!(source));
            }
        }
        if !contexts.is_empty() {
            t.insert("contexts".into(), Value::Object(contexts));
        }
        targets.insert(target_name(&img.name), Value::Object(t));
    }
    let group: Vec<String> = default.iter().map(|i| target_name(&i.name)).collect();
    json!({
        "group": {"default": {"targets": group}},
        "target": targets,
    })
}

#[cfg(test)]
mod tests {
    use super::target_name;

    #[test]
    fn target_names_are_what_bake_accepts() {
        assert_eq!(
            target_name("cann-8.2rc1-910b@arm64"),
            "cann-8_2rc1-910b_arm64"
        );
        assert_eq!(target_name("a_b-c"), "a_b-c");
    }
}
