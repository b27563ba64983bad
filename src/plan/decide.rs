//! Fingerprints for a plan and the build-or-fresh decision with its reason.

use super::context::ContextHasher;
use super::dockerignore::DockerIgnore;
use super::fingerprint::{diff, load_manifest, Change, Inputs};
use super::Plan;
use crate::model::dockerfile::DockerfileCache;
use crate::model::Project;
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};
use std::path::Path;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Action {
    Build,
    /// The local store holds the image with the current fingerprint.
    Fresh,
    /// Not in the local store, but the registry (`registry:` / `--registry`) holds it with the
    /// current fingerprint: not built, not pulled; children build FROM the registry reference.
    #[serde(rename = "fresh (registry)")]
    FreshRegistry,
}

impl Action {
    /// How plans and summaries show it: `build`, `fresh`, `fresh (registry)`.
    pub fn word(self) -> &'static str {
        match self {
            Action::Build => "build",
            Action::Fresh => "fresh",
            Action::FreshRegistry => "fresh (registry)",
        }
    }
}

#[derive(Clone, Debug, Serialize)]
pub struct Decision {
    pub action: Action,
    pub reason: String,
    pub fingerprint: String,
    /// For [`Action::FreshRegistry`]: the registry reference that holds the image.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub registry: Option<String>,
    /// Every input that differs from the build on the image (`--explain`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub changes: Vec<String>,
}

/// Every planned image's inputs and fingerprint, in plan order.
pub struct Hashed {
    pub inputs: Vec<Inputs>,
    pub fingerprints: Vec<String>,
    /// Why the hash cache could not be written, for a warning.
    pub cache_problem: Option<String>,
}

/// Computes every planned image's inputs in build order (parents first, so each child sees its
/// parents' fingerprints). Context hashes are cached under `state_dir`; the cache is optional:
/// when it cannot be written (read-only, full, a planted link) the reason comes back beside the
/// inputs, for a warning.
pub fn inputs(project: &Project, plan: &Plan, state_dir: &Path) -> std::io::Result<Hashed> {
    let mut hasher = ContextHasher::open(state_dir);
    // each planned image's fingerprint, by image index (parents come first)
    let mut fingerprints: Vec<Option<String>> = vec![None; project.images.len()];
    let mut out = Vec::with_capacity(plan.images.len());
    let mut prints = Vec::with_capacity(plan.images.len());
    // many images share a Dockerfile: hash each once
    let mut dockerfile_hashes: HashMap<&Path, String> = HashMap::new();
    let mut dockerfiles = DockerfileCache::default();
    // images sharing a context, a Dockerfile and what it reads from the context see the same
    // files: filter each such context once
    type Seen<'p> = (&'p Path, &'p Path, Option<Vec<String>>);
    let mut contexts: HashMap<Seen, BTreeMap<String, String>> = HashMap::new();
    for planned in &plan.images {
        let img = &project.images[planned.index];
        let spec = &img.spec;
        let dockerfile_hash = match dockerfile_hashes.get(spec.dockerfile.as_path()) {
            Some(h) => h.clone(),
            None => {
                let bytes =
                    crate::safe_fs::read_regular(&spec.dockerfile, crate::safe_fs::MAX_TEXT)?;
                let h = blake3::hash(&bytes).to_hex().to_string();
                dockerfile_hashes.insert(&spec.dockerfile, h.clone());
                h
            }
        };
        // only the context files the Dockerfile reads count (as BuildKit only sends those): a
        // file of another image in a shared context must not make this one stale
        let sources = dockerfiles
            .get(&spec.dockerfile)
            .and_then(|f| f.read_paths(&spec.args));
        let seen = (spec.context.as_path(), spec.dockerfile.as_path(), sources);
        let context = match contexts.get(&seen) {
            Some(c) => c.clone(),
            None => {
                let c = read_context(&mut hasher, &spec.context, &spec.dockerfile, &seen.2)?;
                contexts.insert(seen, c.clone());
                c
            }
        };
        let mut installers = BTreeMap::new();
        for inst in &img.installers {
            let digest = match &inst.sha256 {
                Some(sha) => format!("sha256:{}", sha.value.to_lowercase()),
                None => match hasher.hash_file(&project.dir.join(&inst.path.value), false) {
                    Ok(h) => h.blake3,
                    Err(_) => "missing".to_string(),
                },
            };
            installers.insert(inst.path.value.clone(), digest);
        }
        let parents: BTreeMap<String, String> = img
            .parents
            .iter()
            .filter_map(|&p| {
                let fp = fingerprints.get(p)?.as_ref()?;
                Some((project.images[p].name.clone(), fp.clone()))
            })
            .collect();
        let inputs = Inputs {
            dockerfile: dockerfile_hash,
            context,
            args: spec.args.clone(),
            target: spec.target.clone(),
            platform: spec.platforms.first().cloned(),
            installers,
            parents,
            labels: spec.labels.clone(),
        };
        let fingerprint = inputs.fingerprint();
        if let Some(slot) = fingerprints.get_mut(planned.index) {
            *slot = Some(fingerprint.clone());
        }
        prints.push(fingerprint);
        out.push(inputs);
    }
    let cache_problem = hasher.save().err().map(|e| {
        format!(
            "the hash cache under {} is not written ({e}); the next run hashes again",
            state_dir.display()
        )
    });
    Ok(Hashed {
        inputs: out,
        fingerprints: prints,
        cache_problem,
    })
}

/// The files of `context` a build with `dockerfile` sees (hashed), only those in `sources`
/// when the Dockerfile's reads are known.
fn read_context(
    hasher: &mut ContextHasher,
    context: &Path,
    dockerfile: &Path,
    sources: &Option<Vec<String>>,
) -> std::io::Result<BTreeMap<String, String>> {
    // the spec's Dockerfile is relative to the working directory (as the context is), and
    // hash_context takes it relative to the context: pass it absolute
    let mut files = std::path::absolute(dockerfile)
        .and_then(|dockerfile| hasher.hash_context(context, &dockerfile))
        .map_err(|e| {
            std::io::Error::new(
                e.kind(),
                format!("build context {}: {e}", context.display()),
            )
        })?;
    if let Some(sources) = sources {
        // an odd source pattern keeps the whole context (never under-count)
        if let Ok(read) = DockerIgnore::parse(&sources.join("\n")) {
            files.retain(|path, _| read.is_excluded(path));
        }
    }
    Ok(files)
}

/// `existing`: primary tag → the fingerprint label of the adf-built image it points at; absent
/// when no image built by adf has that tag.
pub fn decide(
    project: &Project,
    plan: &Plan,
    hashed: &Hashed,
    existing: &HashMap<String, String>,
    force: bool,
    state_dir: &Path,
) -> Vec<Decision> {
    let inputs = &hashed.inputs;
    // each image's Dockerfile path relative to its context, when it lies inside it
    let dockerfile_rel: Vec<Option<String>> = project
        .images
        .iter()
        .map(|i| {
            i.spec
                .dockerfile
                .strip_prefix(&i.spec.context)
                .ok()
                .map(|p| p.to_string_lossy().replace('\\', "/"))
        })
        .collect();
    let decide_one = |((planned, inputs), fingerprint): (
        (&super::PlannedImage, &Inputs),
        &String,
    )| {
        let fingerprint = fingerprint.clone();
        let primary = planned.tags.first().cloned().unwrap_or_default();
        let (action, reason, changes) = match existing.get(&primary) {
            _ if force => (Action::Build, "forced (--force)".to_string(), vec![]),
            None => (
                Action::Build,
                format!("no image built by adf is tagged {primary}"),
                vec![],
            ),
            Some(fp) if *fp == fingerprint => {
                (Action::Fresh, format!("{primary} is up to date"), vec![])
            }
            Some(fp) => match load_manifest(state_dir, fp) {
                Some(old) => {
                    // the Dockerfile usually sits in its context: report it once, as the Dockerfile
                    let changes: Vec<String> = diff(&old, inputs)
                            .iter()
                            .filter(|c| !matches!(c, Change::ContextModified(p) if dockerfile_rel.get(planned.index).is_some_and(|d| d.as_deref() == Some(p.as_str()))))
                            .map(|c| c.to_string())
                            .collect();
                    let first = changes
                        .first()
                        .cloned()
                        .unwrap_or_else(|| "inputs changed".into());
                    let more = if changes.len() > 1 {
                        format!(" (+{} more)", changes.len() - 1)
                    } else {
                        String::new()
                    };
                    (Action::Build, format!("{first}{more}"), changes)
                }
                None => (
                    Action::Build,
                    format!("{primary} was built from other inputs (no record of them here)"),
                    vec![],
                ),
            },
        };
        Decision {
            action,
            reason,
            fingerprint,
            registry: None,
            changes,
        }
    };
    // each decision stands alone: a large plan decides in two halves at once
    let n = plan.images.len().min(inputs.len());
    if n < PARALLEL_FROM {
        return plan
            .images
            .iter()
            .zip(inputs)
            .zip(&hashed.fingerprints)
            .map(decide_one)
            .collect();
    }
    let half = n / 2;
    std::thread::scope(|s| {
        let second = s.spawn(|| {
            plan.images[half..n]
                .iter()
                .zip(&inputs[half..n])
                .zip(&hashed.fingerprints[half..n])
                .map(decide_one)
                .collect::<Vec<_>>()
        });
        let mut decisions: Vec<Decision> = plan.images[..half]
            .iter()
            .zip(&inputs[..half])
            .zip(&hashed.fingerprints[..half])
            .map(decide_one)
            .collect();
        match second.join() {
            Ok(rest) => decisions.extend(rest),
            Err(panic) => std::panic::resume_unwind(panic),
        }
        decisions
    })
}

/// Plans of fewer images decide on one thread.
const PARALLEL_FROM: usize = 2048;
