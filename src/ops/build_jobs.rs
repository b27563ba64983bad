//! The scheduler's jobs of a build: one per planned image (its engine request, or the image ID
//! when it is fresh), and how many run at once when `-j` is not given.

use super::build::Planned;
use super::schedule::{self, Job};
use crate::engine::BuildRequest;
use crate::model::Project;
use crate::plan::decide::Action;
use crate::plan::Plan;
use std::collections::HashMap;

/// Most builds that run at once by default.
pub const MAX_DEFAULT_JOBS: usize = 16;

/// Builds at once when `-j` is not given: the plan's widest wave (the most images that can
/// build together), at least 2 and at most [`MAX_DEFAULT_JOBS`]. Not the number of CPUs: a
/// build mostly waits on downloads, installers and BuildKit, which schedules its own steps.
pub fn default_jobs(plan: &Plan) -> usize {
    let mut per_wave: HashMap<usize, usize> = HashMap::new();
    for img in &plan.images {
        *per_wave.entry(img.wave).or_default() += 1;
    }
    per_wave
        .values()
        .copied()
        .max()
        .unwrap_or(1)
        .clamp(2, MAX_DEFAULT_JOBS)
}

/// One scheduler job per planned image: its engine request, or the image ID when fresh.
pub(super) fn jobs_for(
    project: &Project,
    plan: &Plan,
    images: &[Planned],
    found: &HashMap<String, crate::engine::ImageInfo>,
    cli_flags: &[String],
) -> Vec<Job> {
    let position = plan.positions();
    plan.images
        .iter()
        .zip(images)
        .map(|(p, planned)| {
            let img = &project.images[p.index];
            let d = &planned.decision;
            let fresh = (d.action == Action::Fresh)
                .then(|| {
                    p.tags
                        .first()
                        .and_then(|t| found.get(t))
                        .map(|i| i.id.clone())
                })
                .flatten();
            let retag = match &fresh {
                Some(id) => p
                    .tags
                    .iter()
                    .filter(|t| found.get(*t).map(|i| &i.id) != Some(id))
                    .cloned()
                    .collect(),
                None => Vec::new(),
            };
            let mut request = BuildRequest::from_spec(
                &p.name,
                &img.spec,
                &d.fingerprint,
                planned.log.clone(),
                cli_flags,
            );
            // the plan's args: the model's, or a `fresh (registry)` parent's registry reference
            request.spec.args = p.args.clone();
            // the build itself points the image's tags at the result, only if it succeeds
            request.tags = p.tags.clone();
            let base = img
                .parents
                .first()
                .and_then(|i| position.get(i).copied())
                .filter(|_| request.spec.args.contains_key(&img.base_arg))
                .map(|parent| schedule::Base {
                    parent,
                    arg: img.base_arg.clone(),
                });
            let image = p.tags.first().and_then(|t| found.get(t)).cloned();
            Job {
                name: p.name.clone(),
                parents: img
                    .parents
                    .iter()
                    .filter_map(|i| position.get(i).copied())
                    .collect(),
                tags: p.tags.clone(),
                fresh,
                retag,
                registry: d
                    .registry
                    .clone()
                    .filter(|_| d.action == Action::FreshRegistry),
                request,
                base,
                image,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::PlannedImage;

    fn plan(waves: &[usize]) -> Plan {
        let images = waves
            .iter()
            .enumerate()
            .map(|(i, &wave)| PlannedImage {
                index: i,
                name: format!("i{i}"),
                platform: None,
                wave,
                tags: vec![],
                depends_on: vec![],
                base: None,
                args: Default::default(),
                runtime_deps: None,
            })
            .collect();
        Plan { images }
    }

    #[test]
    fn default_jobs_follow_the_widest_wave() {
        assert_eq!(default_jobs(&plan(&[0, 1, 2])), 2);
        let fan: Vec<usize> = std::iter::once(0)
            .chain(std::iter::repeat_n(1, 24))
            .collect();
        assert_eq!(default_jobs(&plan(&fan)), MAX_DEFAULT_JOBS);
        assert_eq!(default_jobs(&plan(&[0, 1, 1, 1, 1, 1, 2])), 5);
        assert_eq!(default_jobs(&plan(&[])), 2);
    }
}
