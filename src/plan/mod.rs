//! plan: which images to build, in which waves, with which fully resolved args (the parent's
//! primary tag injected as the base arg).

pub mod context;
pub mod decide;
pub mod dockerignore;
pub mod fingerprint;
pub mod runtime_deps;

use crate::config::schema::reader::did_you_mean;
use crate::diag::Code;
use crate::diag::Diagnostic;
use crate::model::dockerfile::DockerfileCache;
use crate::model::Project;
use serde::Serialize;
use std::collections::BTreeMap;

/// One image of the plan, in build order.
#[derive(Debug, Clone, Serialize)]
pub struct PlannedImage {
    #[serde(skip)]
    pub index: usize,
    pub name: String,
    /// The platform it is built for, when the file lists platforms for it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub platform: Option<String>,
    pub wave: usize,
    pub tags: Vec<String>,
    pub depends_on: Vec<String>,
    /// What the image builds FROM: the parent's primary tag, the explicit base arg, or the
    /// Dockerfile's literal first FROM; `null` when unknown.
    pub base: Option<String>,
    pub args: BTreeMap<String, String>,
    /// The layer adf adds on top (`runtime_deps:`): the entrypoint wrapper and what it installs.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub runtime_deps: Option<crate::model::spec::RuntimeDeps>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Plan {
    pub images: Vec<PlannedImage>,
}

impl Plan {
    /// Project image index → position in the plan, for the planned images.
    pub fn positions(&self) -> std::collections::HashMap<usize, usize> {
        self.images
            .iter()
            .enumerate()
            .map(|(pos, p)| (p.index, pos))
            .collect()
    }

    pub fn waves(&self) -> usize {
        self.images.last().map(|i| i.wave + 1).unwrap_or(0)
    }
}

/// Targets (names or `*` globs) to the selection: the targets and their ancestors. No targets
/// selects everything. A declared name selects every platform of it.
pub fn select(project: &Project, targets: &[String]) -> Result<Vec<bool>, Box<Diagnostic>> {
    select_platforms(project, targets, &[])
}

/// [`select`], narrowed to `platforms` (`--platform`; empty: all): a multi-platform image's
/// other variants, and their ancestors, are left out.
pub fn select_platforms(
    project: &Project,
    targets: &[String],
    platforms: &[String],
) -> Result<Vec<bool>, Box<Diagnostic>> {
    if targets.is_empty() && platforms.is_empty() {
        return Ok(vec![true; project.images.len()]);
    }
    let on_platform = |i: usize| match &project.images[i].platform {
        Some(p) if !platforms.is_empty() => platforms.contains(p),
        _ => true,
    };
    let mut roots = Vec::new();
    if targets.is_empty() {
        roots.extend((0..project.images.len()).filter(|&i| on_platform(i)));
    }
    for t in targets {
        let matched: Vec<usize> = (0..project.images.len())
            .filter(|&i| {
                let img = &project.images[i];
                crate::glob::matches(t, &img.name) || crate::glob::matches(t, &img.family)
            })
            .collect();
        if matched.is_empty() {
            let help = match did_you_mean(t, project.names()) {
                Some(s) => format!("did you mean `{s}`? `adf list` shows every image"),
                None => "`adf list` shows every image; `*` matches any part of a name (`--target 'cann-*'`)".to_string(),
            };
            let d = Diagnostic::error(
                Code::UnknownTarget,
                format!("no image matches target `{t}`"),
            )
            .help(help);
            return Err(Box::new(d));
        }
        roots.extend(matched.into_iter().filter(|&i| on_platform(i)));
    }
    for p in platforms {
        let built = roots
            .iter()
            .any(|&i| project.images[i].platform.as_deref() == Some(p.as_str()));
        if !built {
            let d = Diagnostic::error(
                Code::UnknownTarget,
                format!("no selected image is built for `{p}`"),
            )
            .help("--platform narrows the `platforms:` an image lists; `adf plan` shows each image's platform");
            return Err(Box::new(d));
        }
    }
    Ok(project.dag.closure(&roots))
}

/// Orders the selection into waves and resolves every image's args. Call only on a project
/// without errors (no cycles).
pub fn make(project: &Project, selected: &[bool]) -> Plan {
    let waves = project
        .dag
        .waves(selected, |i| project.images[i].name.as_str());
    let mut dockerfiles = DockerfileCache::default();
    let mut images = Vec::new();
    for (wave, members) in waves.into_iter().enumerate() {
        for i in members {
            let img = &project.images[i];
            let args = img.spec.args.clone();
            // with a parent, the model injected its primary tag as the base arg; a Dockerfile
            // that does not declare it builds FROM what its first FROM resolves to
            let facts = dockerfiles.get(&img.spec.dockerfile);
            let base = match facts {
                Some(f) if !f.global_args.contains(&img.base_arg) => f
                    .resolved_first_from(&args)
                    .or_else(|| args.get(&img.base_arg).cloned()),
                _ => args.get(&img.base_arg).cloned().or_else(|| {
                    facts
                        .and_then(|f| f.first_from.clone())
                        .filter(|f| !f.contains('$'))
                }),
            };
            images.push(PlannedImage {
                index: i,
                name: img.name.clone(),
                platform: img.spec.platforms.first().cloned(),
                wave,
                tags: img.tags().map(str::to_string).collect(),
                depends_on: img.depends_on.iter().map(|d| d.value.clone()).collect(),
                base,
                args,
                runtime_deps: img.spec.runtime_deps.clone(),
            });
        }
    }
    Plan { images }
}
