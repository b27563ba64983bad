//! Registry-aware freshness (`registry:` in the file, `--registry` on plan, build and push).
//! An image the local store does not hold with its current fingerprint is looked up in the
//! registry, under the reference `adf push --to PREFIX` publishes it as; when that image's
//! `adf.fingerprint` label is the current fingerprint, it is `fresh (registry)`: not built,
//! not pulled, and the images still to build FROM it get its registry reference as their base.
//! One lookup per distinct reference, several at once; a registry that cannot be asked gives
//! one warning and leaves the local decisions as they are (never a wrong "fresh").

use super::pool;
use crate::engine::{Engine, EngineError, ErrorKind};
use crate::model::reference::registry_of;
use crate::model::Project;
use crate::plan::decide::{Action, Decision};
use crate::plan::fingerprint::FINGERPRINT_LABEL;
use crate::plan::Plan;
use crate::publish::push::destination;
use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicBool, Ordering};

/// Registry lookups running at once (each is one small request; the registry, not the host,
/// is the limit).
const LOOKUPS_AT_ONCE: usize = 8;

/// Where the registry under `prefix` holds the image tagged `tag` locally: the reference
/// `adf push --to PREFIX` publishes it as.
pub fn reference(tag: &str, prefix: &str) -> String {
    destination(tag, Some(prefix))
}

/// One lookup: a registry reference and the platform to read of an index.
type Lookup = (String, Option<String>);

type Labels = Option<BTreeMap<String, String>>;

/// Marks `fresh (registry)` every planned image to build whose registry reference under
/// `prefix` carries its current fingerprint, then points the args of the images still to build
/// that name such a parent's tag (the base arg first of all) at the parent's registry reference.
/// Fingerprints do not change: they are over the parents' fingerprints, not their references.
/// Returns the warnings to show (one per kind of failure, none when every lookup answered).
pub fn consult(
    project: &Project,
    plan: &mut Plan,
    decisions: &mut [Decision],
    engine: &dyn Engine,
    prefix: &str,
) -> Vec<String> {
    // distinct references, each with the planned images (positions) that map to it
    let mut wanted: Vec<(Lookup, Vec<usize>)> = Vec::new();
    let mut seen: HashMap<Lookup, usize> = HashMap::new();
    for (pos, (planned, d)) in plan.images.iter().zip(decisions.iter()).enumerate() {
        let Some(primary) = planned.tags.first() else {
            continue;
        };
        if d.action != Action::Build {
            continue;
        }
        let key = (reference(primary, prefix), planned.platform.clone());
        match seen.get(&key) {
            Some(&at) => wanted[at].1.push(pos),
            None => {
                seen.insert(key.clone(), wanted.len());
                wanted.push((key, vec![pos]));
            }
        }
    }
    let lookups: Vec<&Lookup> = wanted.iter().map(|(l, _)| l).collect();
    let results = look_up(engine, &lookups);
    let mut failures: Vec<EngineError> = Vec::new();
    for ((lookup, positions), result) in wanted.iter().zip(results) {
        let labels = match result {
            Some(Ok(labels)) => labels,
            Some(Err(e)) => {
                failures.push(e);
                continue;
            }
            None => continue, // not asked after the registry proved unreachable
        };
        let published = labels
            .as_ref()
            .and_then(|l| l.get(FINGERPRINT_LABEL))
            .cloned();
        for &pos in positions {
            let d = &mut decisions[pos];
            if published.as_deref() == Some(d.fingerprint.as_str()) {
                d.action = Action::FreshRegistry;
                d.reason = format!("{} in the registry has the same fingerprint", lookup.0);
                d.registry = Some(lookup.0.clone());
                d.changes.clear();
            } else if labels.is_some() {
                d.reason = format!(
                    "{}; {} in the registry is from other inputs",
                    d.reason, lookup.0
                );
            } else {
                d.reason = format!("{}; the registry has no {}", d.reason, lookup.0);
            }
        }
    }
    build_from_registry(project, plan, decisions);
    warnings(prefix, &failures)
}

/// Asks the registry for every lookup, [`LOOKUPS_AT_ONCE`] at a time. After an answer that
/// says no other lookup can work (no way to ask, registry unreachable) the rest are not
/// started (`None`).
fn look_up(engine: &dyn Engine, lookups: &[&Lookup]) -> Vec<Option<Result<Labels, EngineError>>> {
    let stop = AtomicBool::new(false);
    pool::run(
        lookups,
        LOOKUPS_AT_ONCE,
        &stop,
        |(reference, platform), _: &pool::Events<()>| {
            let r = engine.remote_labels(reference, platform.as_deref());
            if let Err(e) = &r {
                if matches!(e.kind, ErrorKind::Unsupported | ErrorKind::Unreachable) {
                    stop.store(true, Ordering::SeqCst);
                }
            }
            r
        },
        &mut |_| {},
    )
}

/// The images still to build that name a `fresh (registry)` parent's tag in an arg get the
/// parent's registry reference there instead (the base arg, and any other arg naming it).
fn build_from_registry(project: &Project, plan: &mut Plan, decisions: &[Decision]) {
    let position = plan.positions();
    for pos in 0..plan.images.len() {
        if decisions[pos].action != Action::Build {
            continue;
        }
        let img = &project.images[plan.images[pos].index];
        for parent in &img.parents {
            let Some(&pp) = position.get(parent) else {
                continue;
            };
            let (Action::FreshRegistry, Some(remote)) =
                (decisions[pp].action, decisions[pp].registry.as_ref())
            else {
                continue;
            };
            let local: Vec<&str> = project.images[*parent].tags().collect();
            let planned = &mut plan.images[pos];
            for value in planned.args.values_mut() {
                if local.contains(&value.as_str()) {
                    *value = remote.clone();
                }
            }
            if let Some(base) = planned.args.get(&img.base_arg) {
                planned.base = Some(base.clone());
            }
        }
    }
}

/// One warning per kind of failure, saying what adf did instead.
fn warnings(prefix: &str, failures: &[EngineError]) -> Vec<String> {
    let registry = registry_of(&format!("{}/x", prefix.trim_end_matches('/')))
        .unwrap_or("docker.io")
        .to_string();
    let mut by_kind: Vec<(ErrorKind, usize, &EngineError)> = Vec::new();
    for e in failures {
        match by_kind.iter_mut().find(|(k, _, _)| *k == e.kind) {
            Some((_, n, _)) => *n += 1,
            None => by_kind.push((e.kind, 1, e)),
        }
    }
    by_kind
        .into_iter()
        .map(|(kind, n, e)| {
            let images = if n == 1 { "1 image".to_string() } else { format!("{n} images") };
            match kind {
                ErrorKind::Unsupported => format!(
                    "registry freshness ({prefix}) is off: {}; deciding from the local store only",
                    e.message
                ),
                ErrorKind::Unreachable => format!(
                    "the registry {registry} cannot be reached ({}); deciding from the local store only",
                    e.message
                ),
                ErrorKind::Denied => format!(
                    "the registry {registry} refused to show {images} ({}); run `adf login {registry} -u USER --password-stdin` if it needs credentials; deciding those from the local store",
                    e.message
                ),
                _ => format!(
                    "cannot read {images} from the registry {registry} ({}); deciding those from the local store",
                    e.message
                ),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_warning_per_kind_of_failure() {
        let e = |kind, m: &str| EngineError::new(kind, "reading", m);
        let w = warnings(
            "127.0.0.1:5070/ns",
            &[
                e(ErrorKind::Unreachable, "connection refused"),
                e(ErrorKind::Denied, "no basic auth credentials"),
                e(ErrorKind::Denied, "no basic auth credentials"),
            ],
        );
        assert_eq!(w.len(), 2, "{w:?}");
        assert_eq!(w[0], "the registry 127.0.0.1:5070 cannot be reached (connection refused); deciding from the local store only");
        assert!(w[1].contains("refused to show 2 images"), "{}", w[1]);
        assert!(warnings("team", &[e(ErrorKind::Unreachable, "x")])[0].contains("docker.io"));
        assert_eq!(
            reference("org/app:1", "127.0.0.1:5000/team/"),
            "127.0.0.1:5000/team/app:1"
        );
    }
}
