//! Build caches (`cache_from` / `cache_to`, per image or file-wide): refuse, before anything
//! builds, the caches the chosen builder cannot import or export. A buildx client passes every
//! kind to BuildKit; a pre-23 client's BuildKit (`DOCKER_BUILDKIT=1`) imports registry caches
//! and exports the inline cache only (the engine renders them as an image `--cache-from` and
//! `BUILDKIT_INLINE_CACHE=1`); the legacy builder imports images and exports nothing.

use crate::diag::{Code, Diagnostic};
use crate::engine::{Builder, EngineInfo};
use crate::model::spec::CacheEntry;
use crate::model::Project;
use std::collections::HashSet;

/// Why the builder cannot use a cache entry, if it cannot.
fn unsupported(engine: &EngineInfo, entry: &str, export: bool) -> Option<&'static str> {
    if engine.buildx {
        return None;
    }
    let e = CacheEntry::parse(entry);
    match (engine.builder, export, e.kind) {
        (_, false, "registry") if e.reference.is_some() => None,
        (Builder::BuildKit, true, "inline") => None,
        (Builder::Legacy, true, _) => Some("the legacy builder exports no build cache"),
        (Builder::BuildKit, true, _) => {
            Some("`docker build` without buildx has no --cache-to (only the inline cache)")
        }
        (_, false, _) => Some("without buildx only registry caches (an image) can be imported"),
    }
}

/// Every `cache_to` (and `cache_from`) of the images to build that the builder cannot use:
/// one error naming each image, before anything starts.
pub fn check(
    project: &Project,
    building: &HashSet<usize>,
    engine: &EngineInfo,
) -> Result<(), Box<Diagnostic>> {
    let mut indexes: Vec<usize> = building.iter().copied().collect();
    indexes.sort_unstable();
    let mut problems = Vec::new();
    for i in indexes {
        let img = &project.images[i];
        let entries = img.spec.cache_to.iter().map(|c| ("cache_to", c, true));
        let entries = entries.chain(img.spec.cache_from.iter().map(|c| ("cache_from", c, false)));
        for (key, entry, export) in entries {
            if let Some(why) = unsupported(engine, entry, export) {
                problems.push(format!("image `{}`: {key} `{entry}`: {why}", img.name));
            }
        }
    }
    if problems.is_empty() {
        return Ok(());
    }
    Err(Box::new(
        Diagnostic::error(
            Code::CacheUnsupported,
            format!(
                "{} builds with the {} ({}), which cannot use these build caches:\n    {}",
                engine.client.display(),
                engine.builder,
                engine.builder_reason,
                problems.join("\n    ")
            ),
        )
        .help("use a docker client with the buildx plugin (Docker 23 or later; --docker PATH or ADF_DOCKER), or keep to `cache_to: [type=inline]` and registry `cache_from` with this one; nothing was built"),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_each_builder_can_use() {
        let buildx = EngineInfo {
            buildx: true,
            ..EngineInfo::default()
        };
        let old = EngineInfo::default(); // BuildKit, no buildx: a pre-23 client
        let legacy = EngineInfo {
            builder: Builder::Legacy,
            ..EngineInfo::default()
        };
        let registry = "type=registry,ref=r.io/a/cache:1";
        for (entry, export) in [
            (registry, true),
            ("type=local,dest=/c", true),
            ("type=gha", false),
        ] {
            assert_eq!(unsupported(&buildx, entry, export), None, "{entry}");
        }
        assert_eq!(unsupported(&old, "type=inline", true), None);
        assert_eq!(unsupported(&old, registry, false), None);
        assert_eq!(unsupported(&old, "r.io/a:1", false), None);
        assert!(unsupported(&old, registry, true).is_some());
        assert!(unsupported(&old, "type=local,src=/c", false).is_some());
        assert!(unsupported(&legacy, "type=inline", true).is_some());
        assert_eq!(unsupported(&legacy, registry, false), None);
    }
}
