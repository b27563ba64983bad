//! The multi-platform tags of a push: one index per file tag of an image whose platforms were
//! all pushed, made after its platforms' images, `unchanged` when the registry lists the same
//! manifests already.

use super::{Item, PlatformDigest, PushEntry, PushOptions, PushReporter};
use crate::engine::Engine;
use crate::model::Project;
use crate::publish::push;
use std::collections::HashMap;

/// A multi-platform tag: after its platforms' images are pushed (as `references`), an index of
/// them is made under `reference`.
pub(super) struct Index {
    pub(super) name: String,
    pub(super) wave: usize,
    pub(super) reference: String,
    /// (platform, pushed reference of that platform's image)
    pub(super) sources: Vec<(String, String)>,
}

/// The multi-platform tags to publish: one per file tag of every image whose platforms are all
/// selected (with only some selected, the index is left as it is, and that is said).
pub(super) fn indexes(
    project: &Project,
    plan: &crate::plan::Plan,
    items: &[Item],
    opts: &PushOptions,
    reporter: &mut dyn PushReporter,
) -> Vec<Index> {
    let mut out = Vec::new();
    let mut done: Vec<&str> = Vec::new();
    for p in &plan.images {
        let img = &project.images[p.index];
        if img.variants < 2 || done.contains(&img.family.as_str()) {
            continue;
        }
        done.push(&img.family);
        let members = project.family(&img.family);
        let pushed: Vec<(&Item, &str)> = members
            .iter()
            .filter_map(|&m| {
                let item = items.iter().find(|i| i.name == project.images[m].name)?;
                Some((item, project.images[m].platform.as_deref()?))
            })
            .collect();
        if pushed.len() < members.len() {
            reporter.note(
                &img.family,
                &format!(
                    "only {} of its {} platforms selected: its multi-platform tags are left as they are",
                    pushed.len(),
                    members.len()
                ),
            );
            continue;
        }
        let wave = pushed.iter().map(|(i, _)| i.wave).max().unwrap_or(0);
        for (k, tag) in img.published_tags.iter().enumerate() {
            let sources = pushed
                .iter()
                .filter_map(|(item, platform)| {
                    Some((platform.to_string(), item.references.get(k)?.clone()))
                })
                .collect();
            out.push(Index {
                name: img.family.clone(),
                wave,
                reference: push::destination(&tag.value, opts.to.as_deref()),
                sources,
            });
        }
    }
    out
}

/// Makes the index after its platforms' images were pushed (`pushed`: reference → digest);
/// `unchanged` when the registry's index already lists exactly these manifests.
pub(super) fn push_index(
    engine: &dyn Engine,
    index: &Index,
    pushed: &HashMap<String, String>,
) -> Result<PushEntry, push::PushError> {
    let mut platforms: Vec<PlatformDigest> = index
        .sources
        .iter()
        .map(|(platform, source)| PlatformDigest {
            platform: platform.clone(),
            digest: pushed.get(source).cloned().unwrap_or_default(),
        })
        .collect();
    platforms.sort_by(|a, b| a.platform.cmp(&b.platform));
    let wanted: Vec<(String, String)> = platforms
        .iter()
        .map(|p| (p.platform.clone(), p.digest.clone()))
        .collect();
    let before = engine.remote_index(&index.reference).map(|mut l| {
        l.sort();
        l
    });
    let sources: Vec<String> = index.sources.iter().map(|(_, s)| s.clone()).collect();
    let digest = engine
        .push_index(&index.reference, &sources)
        .map_err(|e| push::PushError {
            reference: index.reference.clone(),
            attempts: 1,
            transient: e.is_transient(),
            message: e.message,
        })?
        .unwrap_or_default();
    Ok(PushEntry {
        image: index.name.clone(),
        reference: index.reference.clone(),
        digest,
        status: if before.as_ref() == Some(&wanted) {
            "unchanged"
        } else {
            "pushed"
        },
        platforms,
    })
}
