//! A child baked on another build of its parent than the one exported. A `target:` context
//! makes BuildKit solve the parent again inside the child's build; the two solves share steps
//! only when the cache gives both the same result. When the cache holds several results for a
//! step (an earlier build of the same inputs whose image was removed, say), the child can come
//! out on an equal but different copy of its parent: its layers do not extend the exported
//! parent's, it shares none of the parent's RUN layers when pushed, and the next run would
//! rebuild it. Such children (and what was baked on them) are baked again on the parent's
//! exported image, pinned by its ID.

use super::Batch;
use crate::engine::Engine;
use crate::ops::plan::built_on;
use crate::ops::schedule::Outcome;
use std::collections::BTreeMap;

/// The images of `batch` (positions in the plan, build order) that must be baked again: a
/// built child whose base parent was built by the same bake and whose layers do not extend that
/// parent's exported image, and every image of the batch below one. One image lookup of the
/// images in question.
pub(super) fn off_their_parents(
    batch: &Batch,
    results: &BTreeMap<usize, Outcome>,
    engine: &dyn Engine,
) -> Vec<usize> {
    let (project, plan) = (batch.project, batch.plan);
    let id = |i: usize| results.get(&i).and_then(|o| o.status.image_id());
    let base_of = |i: usize| {
        let q = *project.images[plan.images[i].index].parents.first()?;
        batch.position.get(&q).copied()
    };
    // (child, parent) pairs linked inside this bake, both built
    let linked: Vec<(usize, usize)> = batch
        .stale
        .iter()
        .filter_map(|&i| {
            let q = base_of(i).filter(|q| batch.stale.contains(q))?;
            (id(i).is_some() && id(q).is_some()).then_some((i, q))
        })
        .collect();
    if linked.is_empty() {
        return Vec::new();
    }
    // the bake named each image by its tags: looked up by its primary tag, and compared only
    // when that still holds the image the bake reported
    let tag = |i: usize| plan.images[i].tags.first();
    let mut refs: Vec<String> = Vec::new();
    for &(i, q) in &linked {
        for t in [i, q].into_iter().filter_map(tag) {
            if !refs.contains(t) {
                refs.push(t.clone());
            }
        }
    }
    let found = engine.built_images(&refs);
    let info = |i: usize| {
        let f = found.get(tag(i)?)?;
        (Some(f.id.as_str()) == id(i)).then_some(f)
    };
    let mut redo: Vec<usize> = Vec::new();
    for &i in &batch.stale {
        let below_redo = project.images[plan.images[i].index]
            .parents
            .iter()
            .filter_map(|q| batch.position.get(q))
            .any(|q| redo.contains(q));
        let off = linked.iter().find(|l| l.0 == i).is_some_and(|&(_, q)| {
            let (Some(child), Some(parent)) = (info(i), info(q)) else {
                return false; // nothing to compare: left as built
            };
            built_on(child, Some(parent)).as_deref() != Some(parent.id.as_str())
        });
        if below_redo || off {
            redo.push(i);
        }
    }
    redo
}
