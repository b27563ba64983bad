//! Build or fresh, for every planned image: fingerprints from the inputs (hashed once, cached
//! under the state directory) against what the engine holds under each primary tag (one query).

use crate::diag::Code;
use crate::diag::Diagnostic;
use crate::engine::{Engine, ImageInfo};
use crate::model::Project;
use crate::plan::decide::{self, Action, Decision};
use crate::plan::fingerprint::Inputs;
use crate::plan::Plan;
use std::collections::HashMap;

/// What adf knows before building: each planned image's inputs and decision, and what the
/// engine reported for every tag.
pub struct Decided {
    pub inputs: Vec<Inputs>,
    pub decisions: Vec<Decision>,
    pub found: HashMap<String, ImageInfo>,
    /// Problems that did not stop the decision (an unwritable cache), for warnings.
    pub warnings: Vec<String>,
}

/// Fingerprints and build/fresh decisions; `engine` (when given) is asked once for every tag.
pub fn decide(
    project: &Project,
    plan: &Plan,
    engine: Option<&dyn Engine>,
    force: bool,
) -> Result<Decided, Box<Diagnostic>> {
    decide_with(project, plan, engine, force, |_| ()).map(|(d, ())| d)
}

/// [`decide`], with `after_hashing` run on this thread once the inputs are hashed, while the
/// engine is still being asked about the tags (work that depends on the fingerprints only).
pub fn decide_with<R>(
    project: &Project,
    plan: &Plan,
    engine: Option<&dyn Engine>,
    force: bool,
    after_hashing: impl FnOnce(&decide::Hashed) -> R,
) -> Result<(Decided, R), Box<Diagnostic>> {
    let state = super::ensure_state_dir(project).unwrap_or_else(|_| super::state_dir(project));
    let refs: Vec<String> = plan
        .images
        .iter()
        .flat_map(|i| i.tags.iter().cloned())
        .collect();
    // the engine is asked what the tags hold while the inputs are hashed
    let (hashed, found) = std::thread::scope(|s| {
        let lookup = s.spawn(|| engine.map(|e| e.built_images(&refs)).unwrap_or_default());
        let hashed = decide::inputs(project, plan, &state).map(|h| {
            let after = after_hashing(&h);
            (h, after)
        });
        (hashed, lookup.join().unwrap_or_default())
    });
    let (hashed, after) = hashed.map_err(|e| {
        Box::new(
            Diagnostic::error(Code::Fingerprint, format!("cannot read build inputs: {e}"))
                .help("check that every build context and installer is readable"),
        )
    })?;
    let existing: HashMap<String, String> = found
        .iter()
        .map(|(k, v)| (k.clone(), v.fingerprint.clone()))
        .collect();
    let mut decisions = decide::decide(project, plan, &hashed, &existing, force, &state);
    built_on_their_parents(project, plan, &found, &mut decisions);
    let decided = Decided {
        inputs: hashed.inputs,
        decisions,
        found,
        warnings: hashed.cache_problem.into_iter().collect(),
    };
    Ok((decided, after))
}

/// The parent image ID `child` was built FROM: its `adf.parent` label; without one (built by
/// `docker buildx bake` from an exported file, or by an older adf), `parent`'s ID when the
/// child's layers start with all of `parent`'s.
pub fn built_on(child: &ImageInfo, parent: Option<&ImageInfo>) -> Option<String> {
    if child.parent.is_some() {
        return child.parent.clone();
    }
    let parent = parent?;
    let extends = !parent.layers.is_empty()
        && child.layers.len() >= parent.layers.len()
        && child.layers.starts_with(&parent.layers);
    extends.then(|| parent.id.clone())
}

/// A fresh image whose base parent is fresh too must have been built FROM the very image the
/// parent's tag holds (its `adf.parent` label): another run, or another checkout sharing the
/// engine, may have moved the parent's tag since. Otherwise it builds again. (A parent that
/// builds is compared once it is built.)
fn built_on_their_parents(
    project: &Project,
    plan: &Plan,
    found: &HashMap<String, ImageInfo>,
    decisions: &mut [Decision],
) {
    let position = plan.positions();
    for pos in 0..plan.images.len() {
        let planned = &plan.images[pos];
        let Some(&parent) = project.images[planned.index]
            .parents
            .first()
            .and_then(|i| position.get(i))
        else {
            continue;
        };
        if decisions[pos].action != Action::Fresh || decisions[parent].action != Action::Fresh {
            continue;
        }
        let image = |p: &crate::plan::PlannedImage| p.tags.first().and_then(|t| found.get(t));
        let (Some(child), Some(base)) = (image(planned), image(&plan.images[parent])) else {
            continue;
        };
        if built_on(child, Some(base)).as_deref() != Some(base.id.as_str()) {
            let d = &mut decisions[pos];
            d.action = Action::Build;
            d.reason = format!(
                "built on another image than {} holds now",
                plan.images[parent]
                    .tags
                    .first()
                    .map(String::as_str)
                    .unwrap_or("its parent")
            );
        }
    }
}

/// `adf plan`'s decisions: with no engine (not asked, or not reachable: `note` says which)
/// every image shows as `build` with that note as its reason.
pub fn plan_decisions(
    project: &Project,
    plan: &Plan,
    engine: Option<&dyn Engine>,
    note: Option<&str>,
) -> Result<Vec<Decision>, Box<Diagnostic>> {
    let mut decisions = decide(project, plan, engine, false)?.decisions;
    if let Some(n) = note {
        for d in &mut decisions {
            d.action = Action::Build;
            d.reason = n.to_string();
        }
    }
    Ok(decisions)
}

#[cfg(test)]
mod tests {
    use super::built_on;
    use crate::engine::ImageInfo;

    fn image(id: &str, parent: Option<&str>, layers: &[&str]) -> ImageInfo {
        ImageInfo {
            id: id.into(),
            fingerprint: "f".into(),
            parent: parent.map(str::to_string),
            layers: layers.iter().map(|l| l.to_string()).collect(),
        }
    }

    #[test]
    fn a_child_is_on_the_parent_its_label_names_or_whose_layers_it_extends() {
        let parent = image("sha256:p", None, &["l1", "l2"]);
        // the label decides, whatever the layers
        let labelled = image("sha256:c", Some("sha256:other"), &["l1", "l2", "l3"]);
        assert_eq!(
            built_on(&labelled, Some(&parent)).as_deref(),
            Some("sha256:other")
        );
        // no label (bake from an exported file, an older adf): the layers
        let extends = image("sha256:c", None, &["l1", "l2", "l3"]);
        assert_eq!(
            built_on(&extends, Some(&parent)).as_deref(),
            Some("sha256:p")
        );
        let elsewhere = image("sha256:c", None, &["l1", "lx", "l3"]);
        assert_eq!(built_on(&elsewhere, Some(&parent)), None);
        assert_eq!(built_on(&extends, None), None);
        assert_eq!(
            built_on(&extends, Some(&image("sha256:e", None, &[]))),
            None
        );
    }
}
