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
}

/// Fingerprints and build/fresh decisions; `engine` (when given) is asked once for every tag.
pub fn decide(
    project: &Project,
    plan: &Plan,
    engine: Option<&dyn Engine>,
    force: bool,
) -> Result<Decided, Box<Diagnostic>> {
    let state = super::ensure_state_dir(project).unwrap_or_else(|_| super::state_dir(project));
    let inputs = decide::inputs(project, plan, &state).map_err(|e| {
        Box::new(
            Diagnostic::error(Code::Fingerprint, format!("cannot read build inputs: {e}"))
                .help("check that every build context and installer is readable"),
        )
    })?;
    let refs: Vec<String> = plan
        .images
        .iter()
        .flat_map(|i| i.tags.iter().cloned())
        .collect();
    let found = engine.map(|e| e.built_images(&refs)).unwrap_or_default();
    let existing: HashMap<String, String> = found
        .iter()
        .map(|(k, v)| (k.clone(), v.fingerprint.clone()))
        .collect();
    let decisions = decide::decide(project, plan, &inputs, &existing, force, &state);
    Ok(Decided {
        inputs,
        decisions,
        found,
    })
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
