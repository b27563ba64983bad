//! Checks against the files on disk: each Dockerfile is there and parses, the sources its
//! COPY/ADD steps name are in the context, the args it reads are given.

use super::keys::produces;
use crate::config::schema::reader::did_you_mean;
use crate::diag::Code;
use crate::diag::{Diagnostic, Diagnostics, FileId, Sources, Span};
use crate::model::dockerfile::{DockerfileCache, DockerfileFacts, PREDEFINED_ARGS};
use crate::model::{Image, Project};
use crate::plan::dockerignore::{ignore_file_for, segment_glob, DockerIgnore};
use std::collections::HashMap;
use std::path::{Path, PathBuf};

#[derive(Default)]
pub(super) struct FileChecks {
    dirs: HashMap<PathBuf, bool>,
    files: HashMap<PathBuf, Option<(Code, String, &'static str)>>,
    pub(super) dockerfiles: DockerfileCache,
}

impl FileChecks {
    pub(super) fn check(&mut self, img: &Image, diags: &mut Diagnostics) {
        let context_ok = *self
            .dirs
            .entry(img.spec.context.clone())
            .or_insert_with(|| img.spec.context.is_dir());
        if !context_ok {
            diags.push(
                Diagnostic::error(
                    Code::MissingContext,
                    format!(
                        "build context `{}` of image `{}` is not a directory",
                        img.spec.context.display(),
                        img.family
                    ),
                )
                .at(img.spans.context, "no such directory")
                .help("build.context is relative to the config file's directory"),
            );
            return;
        }
        let problem = self
            .files
            .entry(img.spec.dockerfile.clone())
            .or_insert_with(|| dockerfile_problem(&img.spec.dockerfile))
            .clone();
        let Some((code, what, label)) = problem else {
            return;
        };
        diags.push(
            Diagnostic::error(
                code,
                format!(
                    "Dockerfile `{}` of image `{}` {what}",
                    img.spec.dockerfile.display(),
                    img.family
                ),
            )
            .at(img.spans.dockerfile, label)
            .help(
                "build.dockerfile is a regular file, relative to build.context (compose semantics)",
            ),
        );
    }
}

/// What is wrong with a Dockerfile path (code, message end, label), or `None`.
pub(super) fn dockerfile_problem(path: &Path) -> Option<(Code, String, &'static str)> {
    match std::fs::metadata(path) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Some((
            Code::MissingDockerfile,
            "does not exist".into(),
            "no such file",
        )),
        Err(e) => Some((
            Code::MissingDockerfile,
            format!("cannot be read: {e}"),
            "unreadable",
        )),
        Ok(m) if !m.is_file() => Some((
            Code::NotAFile,
            format!("is {}, not a file", crate::safe_fs::kind_of(&m)),
            "not a regular file",
        )),
        Ok(m) if m.len() > crate::safe_fs::MAX_TEXT => Some((
            Code::FileTooLarge,
            format!(
                "is {} MB, more than the {} MB adf reads",
                m.len().div_ceil(1 << 20),
                crate::safe_fs::MAX_TEXT >> 20
            ),
            "too large for a Dockerfile",
        )),
        Ok(_) => None,
    }
}

/// Adds each Dockerfile to the diagnostics' sources once, when a diagnostic points into it.
pub(super) struct DockerfileTexts<'a> {
    pub(super) sources: &'a mut Sources,
    pub(super) ids: HashMap<PathBuf, FileId>,
}

impl DockerfileTexts<'_> {
    fn span(
        &mut self,
        path: &Path,
        shown: &str,
        facts: &DockerfileFacts,
        offset: usize,
        len: usize,
    ) -> Span {
        let sources = &mut *self.sources;
        let file = *self
            .ids
            .entry(path.to_path_buf())
            .or_insert_with(|| sources.add(shown, facts.text.as_str().to_string()));
        Span { file, offset, len }
    }
}

/// What a source finds in the build context.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Found {
    Yes,
    /// Only files `.dockerignore` leaves out.
    Ignored,
    No,
}

/// Whether `path` (context-relative, `/`-separated; segments may be globs as COPY takes
/// them) matches something the build sees.
pub(super) fn find_in_context(context: &Path, path: &str, rules: &DockerIgnore) -> Found {
    let segs: Vec<&str> = path
        .split('/')
        .filter(|s| !s.is_empty() && *s != ".")
        .collect();
    fn walk(dir: &Path, rel: &str, segs: &[&str], rules: &DockerIgnore) -> Found {
        let Some((seg, rest)) = segs.split_first() else {
            return Found::No;
        };
        let names: Vec<String> = if seg.contains(['*', '?', '[', '\\']) {
            match std::fs::read_dir(dir) {
                Ok(entries) => entries
                    .flatten()
                    .map(|e| e.file_name().to_string_lossy().into_owned())
                    .filter(|n| segment_glob(seg, n))
                    .collect(),
                Err(_) => Vec::new(),
            }
        } else {
            vec![seg.to_string()]
        };
        let mut best = Found::No;
        for name in names {
            let child = dir.join(&name);
            let Ok(md) = std::fs::metadata(&child).or_else(|_| std::fs::symlink_metadata(&child))
            else {
                continue;
            };
            let child_rel = if rel.is_empty() {
                name
            } else {
                format!("{rel}/{name}")
            };
            let found = if rest.is_empty() {
                if rel.is_empty() && child_rel == ".adf" {
                    Found::Ignored
                } else if !rules.is_excluded(&child_rel)
                    || (md.is_dir() && !rules.can_skip_dir(&child_rel))
                {
                    Found::Yes
                } else {
                    Found::Ignored
                }
            } else if md.is_dir() {
                walk(&child, &child_rel, rest, rules)
            } else {
                Found::No
            };
            match found {
                Found::Yes => return Found::Yes,
                Found::Ignored => best = Found::Ignored,
                Found::No => {}
            }
        }
        best
    }
    if segs.is_empty() {
        return Found::Yes;
    }
    walk(context, "", &segs, rules)
}

/// A COPY/ADD or bind-mount source that matches nothing in the build context (after
/// `.dockerignore`): the build would fail there.
pub(super) fn missing_sources(
    p: &Project,
    img: &Image,
    facts: &DockerfileFacts,
    shown: &str,
    texts: &mut DockerfileTexts,
    diags: &mut Diagnostics,
) {
    if facts.context_sources.is_empty() || !img.spec.context.is_dir() {
        return;
    }
    let rules = match ignore_file_for(&img.spec.context, &img.spec.dockerfile) {
        Ok(None) => DockerIgnore::default(),
        Ok(Some(f)) => match DockerIgnore::load(&f) {
            Ok(r) => r,
            Err(_) => return, // the build refuses the ignore file; said elsewhere
        },
        Err(_) => return,
    };
    let context_shown = img
        .spec
        .context
        .strip_prefix(&p.dir)
        .ok()
        .map(|c| c.display().to_string())
        .filter(|c| !c.is_empty())
        .unwrap_or_else(|| ".".to_string());
    for src in &facts.context_sources {
        let Some(path) = facts
            .resolve_source(src, &img.spec.args)
            .and_then(|e| crate::model::dockerfile::context_path(&e))
        else {
            continue;
        };
        if path.split('/').any(|part| part == "..") {
            continue;
        }
        // a declared installer that is not there yet is `missing-installer`'s to say
        let installer = img
            .installers
            .iter()
            .any(|i| p.dir.join(&i.path.value) == img.spec.context.join(&path));
        let found = find_in_context(&img.spec.context, &path, &rules);
        if found == Found::Yes || installer {
            continue;
        }
        let span = texts.span(&img.spec.dockerfile, shown, facts, src.offset, src.len);
        let what = if found == Found::Ignored {
            "is excluded by .dockerignore"
        } else if path.contains(['*', '?', '[']) {
            "matches nothing in the build context"
        } else {
            "is not in the build context"
        };
        let (label, message) = if src.raw.contains('$') {
            (
                format!("`{}` is `{path}` for `{}`", src.raw, img.family),
                format!(
                    "{} source `{}` of image `{}` is `{path}`, which {what}",
                    src.instruction, src.raw, img.family
                ),
            )
        } else {
            (
                match found {
                    Found::Ignored => "left out by .dockerignore",
                    _ => "nothing in the context matches",
                }
                .to_string(),
                format!(
                    "{} source `{path}` of image `{}` {what}",
                    src.instruction, img.family
                ),
            )
        };
        diags.push(
            Diagnostic::error(Code::MissingSource, message)
            .at(span, label)
            .also(img.spans.dockerfile, format!("the Dockerfile of `{}`", img.family))
            .help(format!(
                "sources are relative to the build context `{context_shown}`: add the file, correct the path or the build args, or change .dockerignore; the build would fail at this line"
            )),
        );
    }
}

pub(super) fn dockerfile_args(
    p: &Project,
    cache: &mut DockerfileCache,
    texts: &mut DockerfileTexts,
    diags: &mut Diagnostics,
) {
    let root = p.dir.canonicalize().unwrap_or_else(|_| p.dir.clone());
    for img in &p.images {
        // a Dockerfile outside the project is `path-outside`: not read
        if !img.allow_outside && !crate::model::inputs::resolves_under(&img.spec.dockerfile, &root)
        {
            continue;
        }
        let Some(facts) = cache.get(&img.spec.dockerfile) else {
            continue;
        };
        let shown = img
            .spec
            .dockerfile
            .strip_prefix("./")
            .unwrap_or(&img.spec.dockerfile)
            .display()
            .to_string();
        if let Some(err) = &facts.parse_error {
            diags.push(
                Diagnostic::warning(
                    Code::DockerfileParse,
                    format!("could not fully parse {shown}: {err}"),
                )
                .at(
                    img.spans.dockerfile,
                    "argument checks for this file are best effort",
                )
                .help("docker may still build it; adf's checks of its ARG lines are approximate"),
            );
        }
        if let (Some(stage), Some(stage_span)) = (&img.spec.target, img.spans.target) {
            if facts.parse_error.is_none() && !facts.stages.contains(stage) {
                diags.push(
                    Diagnostic::error(
                        Code::UnknownStage,
                        format!("build.target `{stage}` is not a stage of {shown}"),
                    )
                    .at(stage_span, "no `FROM ... AS` with this name")
                    .help(if facts.stages.is_empty() {
                        "the Dockerfile names no stages; remove build.target".to_string()
                    } else {
                        format!("stages: {}", facts.stages.join(", "))
                    }),
                );
            }
        }
        missing_sources(p, img, &facts, &shown, texts, diags);
        let uses_base = !img.parents.is_empty() || img.written_base.is_some();
        // a FROM composed of other args (`${URL}:${VERSION}-py3.12`) is the base when it
        // resolves to the parent's tag, and drift when it resolves to anything else
        let composed = facts
            .first_from
            .as_deref()
            .filter(|f| f.contains('$'))
            .and_then(|_| facts.resolved_first_from(&img.spec.args));
        let parent = img.parents.first().map(|&i| &p.images[i]);
        if let (false, Some(from), Some(parent), Some((_, offset, len))) = (
            facts.global_args.contains(&img.base_arg),
            &composed,
            parent,
            facts.first_from_at,
        ) {
            if !produces(parent, from) {
                let primary = parent.primary_tag().unwrap_or("?");
                let dep = img
                    .depends_on
                    .first()
                    .map(|d| d.span)
                    .unwrap_or(img.name_span);
                let span = texts.span(&img.spec.dockerfile, &shown, &facts, offset, len);
                diags.push(
                    Diagnostic::error(
                        Code::BaseDrift,
                        format!(
                            "the first FROM of {shown} is `{from}` for image `{}`, which its parent `{}` does not produce",
                            img.family, parent.family
                        ),
                    )
                    .at(span, format!("`{from}` with the args of `{}`", img.family))
                    .also(dep, format!("`{}` produces `{primary}`", parent.family))
                    .help(format!(
                        "set the args this FROM is made of so that it is `{primary}`, or write `ARG {0}` before it and `FROM ${{{0}}}`: adf passes the parent's tag itself",
                        img.base_arg
                    )),
                );
            }
        } else if uses_base && !facts.global_args.contains(&img.base_arg) {
            let span = img
                .depends_on
                .first()
                .map(|d| d.span)
                .or(img.written_base.as_ref().map(|(k, _)| k.span))
                .unwrap_or(img.name_span);
            let from = facts.first_from.as_deref().unwrap_or("?");
            diags.push(
                Diagnostic::warning(Code::BaseArgUndeclared, format!("{shown} never declares `ARG {}` before its first FROM", img.base_arg))
                    .at(span, format!("`{}` builds FROM `{from}`, not from this base", img.family))
                    .help(format!("start the Dockerfile with `ARG {0}` and `FROM ${{{0}}}`, or set `base_arg:` to the arg it uses", img.base_arg)),
            );
        }
        for (k, _, k_span, _) in img.written_args() {
            if k == img.base_arg
                || facts.declared_args.contains(k)
                || PREDEFINED_ARGS.contains(&k)
                || !crate::model::inputs::is_key(k)
            {
                continue;
            }
            let hint = did_you_mean(k, facts.declared_args.iter().map(String::as_str));
            diags.push(
                Diagnostic::warning(Code::UnusedBuildArg, format!("build arg `{k}` of image `{}` is never declared in {shown}", img.family))
                    .at(k_span, "the Dockerfile has no `ARG` for it")
                    .help(match hint {
                        Some(h) => format!("did you mean `{h}`? Otherwise add `ARG {k}` to the Dockerfile or drop the arg"),
                        None => format!("add `ARG {k}` to the Dockerfile, or drop the arg"),
                    }),
            );
        }
    }
}
