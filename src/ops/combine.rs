//! On a containerd image store, one local multi-platform image per multi-platform image of the
//! file, after `adf build`.

use super::build::BuildReporter;
use super::schedule::{Outcome, Status};
use crate::model::Project;
use crate::plan::Plan;
use std::collections::HashSet;
use std::sync::atomic::AtomicBool;

/// On a containerd image store, every multi-platform image whose platforms all built (or were
/// fresh) gets its file tags as one local multi-platform image, made again when a platform was
/// rebuilt or the tag is missing. A classic store keeps the per-platform tags only (the index
/// is made by `adf push`).
pub(super) fn combine(
    project: &Project,
    plan: &Plan,
    outcomes: &[Outcome],
    engine: &dyn crate::engine::Engine,
    interrupted: &AtomicBool,
    reporter: &mut dyn BuildReporter,
) -> Vec<String> {
    let mut failures = Vec::new();
    let mut done: HashSet<&str> = HashSet::new();
    let outcome_of = |i: usize| {
        plan.images
            .iter()
            .position(|p| p.index == i)
            .map(|pos| &outcomes[pos].status)
    };
    for p in &plan.images {
        let img = &project.images[p.index];
        if img.variants < 2 || !done.insert(img.family.as_str()) {
            continue;
        }
        let members = project.family(&img.family);
        let statuses: Vec<Option<&Status>> = members.iter().map(|&m| outcome_of(m)).collect();
        if statuses.iter().any(|s| !s.is_some_and(Status::ok)) {
            continue; // not all platforms selected, or one failed
        }
        let remote = |s: &Option<&Status>| matches!(s, Some(Status::FreshRegistry { .. }));
        if statuses.iter().any(remote) {
            if statuses
                .iter()
                .any(|s| matches!(s, Some(Status::Built { .. })))
            {
                reporter.warning(&format!("{}: some of its platforms are only in the registry: its local multi-platform tags are left as they are", img.family));
            }
            continue;
        }
        if engine.image_store() != crate::engine::ImageStore::Containerd {
            return failures;
        }
        let tags: Vec<String> = img.published_tags.iter().map(|t| t.value.clone()).collect();
        let rebuilt = statuses
            .iter()
            .any(|s| matches!(s, Some(Status::Built { .. })));
        let missing = tags
            .first()
            .is_some_and(|t| !matches!(engine.image_id(t), Ok(Some(_))));
        if !(rebuilt || missing) {
            continue;
        }
        let platforms = members
            .iter()
            .filter_map(|&m| project.images[m].platform.as_ref());
        if platforms.clone().any(|p| p.split('/').count() > 2) {
            reporter.warning(&format!(
                "{}: platforms with a variant (linux/arm/v7) are kept as per-platform tags only",
                img.family
            ));
            continue;
        }
        // each platform's exact image (a pin tag of its ID), not its tag: another run may
        // have moved that since
        let mut pins = Vec::new();
        let sources: Vec<(String, String)> = members
            .iter()
            .filter_map(|&m| {
                let v = &project.images[m];
                let pinned = outcome_of(m)
                    .and_then(Status::image_id)
                    .and_then(|id| engine.pin(id).ok());
                pins.extend(pinned.clone());
                let source = pinned.or_else(|| v.primary_tag().map(str::to_string))?;
                Some((v.platform.clone()?, source))
            })
            .collect();
        let combined = engine.combine(&tags, &sources, interrupted);
        let pins: Vec<&str> = pins.iter().map(String::as_str).collect();
        engine.untag(&pins);
        match combined {
            Ok(_) => {
                let platforms: Vec<String> = sources.into_iter().map(|(p, _)| p).collect();
                reporter.combined(&img.family, &tags, &platforms);
            }
            Err(e) => {
                reporter.warning(&format!("{}: {e}", img.family));
                failures.push(img.family.clone());
            }
        }
    }
    failures
}
