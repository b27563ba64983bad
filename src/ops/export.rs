//! `adf export`: the chain of a target image, from an image the host already is, written out
//! for a host without Docker.

use crate::export::instructions;
use crate::export::script::{self, Stage, Untranslatable};
use crate::model::{Image, Project};
use std::path::{Path, PathBuf};

/// Why nothing was exported.
#[derive(Debug)]
pub enum ExportError {
    /// Bad selection (exit 2): what is wrong, and how to fix it.
    Input { what: String, help: String },
    /// A Dockerfile that cannot be read (exit 2).
    Unreadable { dockerfile: PathBuf, error: String },
    /// A step that cannot be replayed, at its Dockerfile line (exit 2).
    Step {
        dockerfile: PathBuf,
        error: Untranslatable,
    },
}

/// The image a name means: one of the file's images, or the variant of a multi-platform one for
/// `platform` (default: this host's).
fn image<'a>(
    project: &'a Project,
    name: &str,
    platform: Option<&str>,
) -> Result<&'a Image, ExportError> {
    if let Some(i) = project.find(name) {
        return Ok(&project.images[i]);
    }
    let host = format!(
        "linux/{}",
        crate::config::docker_arch(
            crate::config::normalize_arch(std::env::consts::ARCH).unwrap_or("x86_64")
        )
    );
    let want = platform.unwrap_or(&host);
    let members = project.family(name);
    if members.is_empty() {
        let help = match crate::config::schema::reader::did_you_mean(name, project.names()) {
            Some(s) => format!("did you mean `{s}`? `adf list` shows every image"),
            None => "`adf list` shows every image".to_string(),
        };
        return Err(ExportError::Input {
            what: format!("no image `{name}` in the file"),
            help,
        });
    }
    members
        .iter()
        .map(|&m| &project.images[m])
        .find(|img| img.platform.as_deref() == Some(want))
        .ok_or_else(|| ExportError::Input {
            what: format!("`{name}` is not built for {want}"),
            help: format!(
                "name one platform: `{name}@amd64` or `{name}@arm64`, or pass --platform"
            ),
        })
}

/// The script that turns a host that is `from` (or, without it, whatever the chain's first
/// image builds from) into `target`.
pub fn script(
    project: &Project,
    target: &str,
    from: Option<&str>,
    platform: Option<&str>,
    profile: Option<&str>,
) -> Result<String, ExportError> {
    let leaf = image(project, target, platform)?;
    let start = from
        .map(|f| image(project, f, leaf.platform.as_deref()))
        .transpose()?;
    let chain = base_chain(project, leaf, start)?;
    let inherited = inherited(project, start);
    let mut stages = Vec::new();
    for (n, img) in chain.iter().enumerate() {
        let parent = match n {
            0 => start,
            _ => Some(chain[n - 1]),
        };
        let text = crate::safe_fs::read_text(&img.spec.dockerfile, crate::safe_fs::MAX_TEXT)
            .map_err(|e| ExportError::Unreadable {
                dockerfile: img.spec.dockerfile.clone(),
                error: e.to_string(),
            })?;
        let shown = relative(&project.dir, &img.spec.dockerfile);
        let instructions = instructions::read(&text).map_err(|(line, what)| ExportError::Step {
            dockerfile: img.spec.dockerfile.clone(),
            error: Untranslatable {
                dockerfile: shown.clone(),
                line,
                what,
                help: "write the step as RUN lines without a heredoc",
            },
        })?;
        stages.push((img, shown, parent, instructions));
    }
    let stages: Vec<Stage> = stages
        .into_iter()
        .map(|(img, shown, parent, instructions)| Stage {
            name: &img.name,
            dockerfile: shown,
            context: relative(&project.dir, &img.spec.context),
            args: &img.spec.args,
            parent_tags: parent
                .map(|p| {
                    p.tags()
                        .chain(p.published_tags.iter().map(|t| t.value.as_str()))
                        .map(str::to_string)
                        .collect()
                })
                .unwrap_or_default(),
            instructions,
        })
        .collect();
    script::script(
        &stages,
        &leaf.family,
        start.map(|s| s.name.as_str()),
        &inherited,
        profile,
    )
    .map_err(|error| {
        let dockerfile = chain
            .iter()
            .find(|i| relative(&project.dir, &i.spec.dockerfile) == error.dockerfile)
            .map(|i| i.spec.dockerfile.clone())
            .unwrap_or_default();
        ExportError::Step { dockerfile, error }
    })
}

/// The images from `start` (exclusive) down to `leaf` along first parents, in build order.
fn base_chain<'a>(
    project: &'a Project,
    leaf: &'a Image,
    start: Option<&'a Image>,
) -> Result<Vec<&'a Image>, ExportError> {
    let mut chain: Vec<&Image> = vec![leaf];
    while let Some(&p) = chain[chain.len() - 1].parents.first() {
        let parent = &project.images[p];
        if start.is_some_and(|s| std::ptr::eq(s, parent)) {
            chain.reverse();
            return Ok(chain);
        }
        chain.push(parent);
    }
    if let Some(s) = start {
        let path: Vec<&str> = chain.iter().rev().map(|i| i.name.as_str()).collect();
        return Err(ExportError::Input {
            what: format!(
                "`{}` is not on the base chain of `{}` ({})",
                s.name,
                leaf.name,
                path.join(" -> ")
            ),
            help: "--from names an image the target builds on (its parent, grandparent, ...)"
                .into(),
        });
    }
    chain.reverse();
    Ok(chain)
}

/// Where the host's steps run: what the starting image and its ancestors set up.
fn inherited(project: &Project, start: Option<&Image>) -> script::Inherited {
    let mut inherited = script::Inherited::default();
    let Some(s) = start else {
        return inherited;
    };
    let mut above = vec![s];
    while let Some(&p) = above[above.len() - 1].parents.first() {
        above.push(&project.images[p]);
    }
    for img in above.iter().rev() {
        if let Ok(text) = crate::safe_fs::read_text(&img.spec.dockerfile, crate::safe_fs::MAX_TEXT)
        {
            if let Ok(ins) = instructions::read(&text) {
                inherited.apply(&ins, &img.spec.args);
            }
        }
    }
    inherited
}

/// `path` relative to `dir` (`.` for `dir` itself), `/`-separated.
fn relative(dir: &Path, path: &Path) -> String {
    let rel = path.strip_prefix(dir).unwrap_or(path);
    let s = rel.to_string_lossy().replace('\\', "/");
    let s = s.trim_start_matches("./").to_string();
    if s.is_empty() || s == "." {
        ".".to_string()
    } else {
        s
    }
}

/// The bake file of the selection (every image a target, parents linked as `target:`), and a
/// warning per image for what bake cannot express.
pub fn bake(
    project: &Project,
    selected: &[bool],
) -> Result<(serde_json::Value, Vec<String>), ExportError> {
    let plan = crate::plan::make(project, selected);
    let decided =
        super::plan::decide(project, &plan, None, false).map_err(|d| ExportError::Input {
            what: d.message,
            help: "check that every build context and installer is readable".into(),
        })?;
    let images: Vec<crate::export::bake::BakeImage> = plan
        .images
        .iter()
        .zip(&decided.decisions)
        .map(|(p, d)| crate::export::bake::BakeImage {
            image: &project.images[p.index],
            fingerprint: &d.fingerprint,
            args: &p.args,
            parent: None,
        })
        .collect();
    let warnings = images
        .iter()
        .filter_map(|b| {
            let left = crate::export::bake::unmapped(b.image);
            (!left.is_empty()).then(|| {
                format!(
                    "{}: bake has no {}; left out",
                    b.image.name,
                    left.join(", ")
                )
            })
        })
        .collect();
    // the default group: the selection's leaves, the targets asked for (building them builds
    // the rest)
    let leaves: Vec<&Image> = plan
        .images
        .iter()
        .filter(|p| {
            !plan
                .images
                .iter()
                .any(|c| project.images[c.index].parents.contains(&p.index))
        })
        .map(|p| &project.images[p.index])
        .collect();
    let file = crate::export::bake::bake_file(project, &images, &leaves, &Default::default());
    Ok((file, warnings))
}
