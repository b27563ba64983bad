//! Cross-image checks. Each rule reports with the span of the offending value and a fix.

use super::dockerfile::{DockerfileCache, DockerfileFacts, PREDEFINED_ARGS};
use super::reference::{normalize, Reference};
use super::{Image, Project};
use crate::config::schema::did_you_mean;
use crate::diag::Code;
use crate::diag::{Diagnostic, Diagnostics, FileId, Sources, Span};
use crate::plan::dockerignore::{ignore_file_for, segment_glob, DockerIgnore};
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// `sources` receives each Dockerfile a diagnostic points into.
pub fn run(p: &Project, sources: &mut Sources, diags: &mut Diagnostics) {
    // the compatibility checks read only the project: they run beside the others, and their
    // findings come last, as when they ran last
    std::thread::scope(|s| {
        let compat = s.spawn(|| {
            let mut found = Diagnostics::default();
            if let Some(kb) = knowledge(p, &mut found) {
                super::compat::run(p, &kb, &mut found);
            }
            found
        });
        file_checks(p, sources, diags);
        match compat.join() {
            Ok(found) => diags.extend(found),
            Err(panic) => std::panic::resume_unwind(panic),
        }
    });
}

/// Every check but the compatibility ones, in order.
fn file_checks(p: &Project, sources: &mut Sources, diags: &mut Diagnostics) {
    depends_on(p, diags);
    cycles(p, diags);
    tags(p, diags);
    registry(p, diags);
    let mut files = FileChecks::default();
    for img in &p.images {
        files.check(img, diags);
        build_keys(p, img, diags);
        runtime_deps(img, diags);
        verify_patterns(img, diags);
    }
    base_drift(p, diags);
    super::inputs::run(p, sources, diags);
    let mut texts = DockerfileTexts {
        sources,
        ids: HashMap::new(),
    };
    dockerfile_args(p, &mut files.dockerfiles, &mut texts, diags);
    super::installers::check_present(p, &|_| true, crate::diag::Severity::Warning, diags);
}

/// The built-in knowledge (then the synced overlay) plus the file's `compat_rules:`.
fn knowledge(p: &Project, diags: &mut Diagnostics) -> Option<crate::knowledge::KnowledgeBase> {
    let mut kb = crate::knowledge::KnowledgeBase::current().clone();
    for rules in &p.compat_rules {
        if let Err(e) = kb.add_user_file(p.dir.join(&rules.value)) {
            diags.push(
                Diagnostic::error(Code::CompatRules, format!("cannot use compatibility rules {}: {e}", rules.value))
                    .at(rules.span, "this rules file")
                    .help("the format is that of knowledge/compat.toml (see knowledge/README.md); paths are relative to the config file"),
            );
            return None;
        }
    }
    Some(kb)
}

fn depends_on(p: &Project, diags: &mut Diagnostics) {
    for img in &p.images {
        let mut seen: Vec<&str> = Vec::new();
        for dep in &img.depends_on {
            if seen.contains(&dep.value.as_str()) {
                diags.push(
                    Diagnostic::warning(
                        Code::DuplicateDependsOn,
                        format!(
                            "`{}` is listed twice in depends_on of `{}`",
                            dep.value, img.family
                        ),
                    )
                    .at(dep.span, "listed again")
                    .help("remove the repeated entry"),
                );
                continue;
            }
            seen.push(&dep.value);
            if p.family(&dep.value).is_empty() {
                let mut d = Diagnostic::error(
                    Code::UnknownImage,
                    format!(
                        "image `{}` depends on unknown image `{}`",
                        img.family, dep.value
                    ),
                );
                d = match did_you_mean(&dep.value, p.names()) {
                    Some(s) => d.at(dep.span, format!("did you mean `{s}`?")).help(format!("change it to `{s}`, or declare an image named `{}`", dep.value)),
                    None => d.at(dep.span, "no such image").help("depends_on names image ids (the keys under `images:`); run `adf list` to see them"),
                };
                diags.push(d);
            }
        }
    }
}

fn cycles(p: &Project, diags: &mut Diagnostics) {
    for cycle in p.dag.cycles(|i| p.images[i].name.as_str()) {
        let names: Vec<&str> = cycle.iter().map(|&i| p.images[i].family.as_str()).collect();
        let (from, to) = (&p.images[cycle[0]], &p.images[cycle[1]]);
        let span = from
            .depends_on
            .iter()
            .find(|d| d.value == to.family)
            .map(|d| d.span)
            .unwrap_or(from.name_span);
        diags.push(
            Diagnostic::error(Code::Cycle, format!("dependency cycle: {}", names.join(" -> ")))
                .at(span, format!("`{}` depends on `{}` here", from.family, to.family))
                .help("an image cannot be built from its own descendant; remove one of these depends_on entries"),
        );
    }
}

fn tags(p: &Project, diags: &mut Diagnostics) {
    let mut first_by_ref: HashMap<String, (&str, crate::diag::Span)> = HashMap::new();
    // one image of each declaration: variants share the file's tags
    let first_of_family = p
        .images
        .iter()
        .enumerate()
        .filter(|(i, img)| p.family(&img.family).first() == Some(i))
        .map(|(_, img)| img);
    for img in first_of_family {
        if img.published_tags.is_empty() {
            diags.push(
                Diagnostic::error(Code::NoTags, format!("image `{}` has no tags", img.family))
                    .at(img.name_span, "needs at least one tag")
                    .help(format!("add `tags: [\"org/{}:latest\"]`; the first tag is what children build FROM", img.family)),
            );
        }
        // a tag whose interpolation failed was reported already
        for tag in img
            .published_tags
            .iter()
            .filter(|t| !t.value.contains("${"))
        {
            match Reference::parse(&tag.value) {
                Err(e) => diags.push(
                    Diagnostic::error(
                        Code::BadReference,
                        format!("`{}` is not a valid image reference: {e}", tag.value),
                    )
                    .at(tag.span, e.to_string())
                    .help(e.help()),
                ),
                Ok(r) if r.digest.is_some() => diags.push(
                    Diagnostic::error(
                        Code::BadReference,
                        format!("tag `{}` carries a digest", tag.value),
                    )
                    .at(tag.span, "a build cannot produce a chosen digest")
                    .help("drop the `@sha256:...` part"),
                ),
                Ok(r) => {
                    let key = r.normalized();
                    if let Some((other, first_span)) = first_by_ref.get(&key) {
                        diags.push(
                            Diagnostic::error(Code::DuplicateTag, format!("tag `{}` is produced by both `{other}` and `{}`", tag.value, img.family))
                                .at(tag.span, "produced again here")
                                .also(*first_span, format!("first produced by `{other}`"))
                                .help("each tag must belong to one image, or the later build silently replaces the earlier one"),
                        );
                    } else {
                        first_by_ref.insert(key, (img.family.as_str(), tag.span));
                    }
                }
            }
        }
    }
}

/// `registry:` must be a prefix that makes `PREFIX/repo:tag` references (as `push --to`).
fn registry(p: &Project, diags: &mut Diagnostics) {
    // a value whose interpolation failed was reported already
    let Some(r) = p.registry.as_ref().filter(|r| !r.value.contains("${")) else {
        return;
    };
    if let Err(why) = super::reference::check_prefix(&r.value) {
        diags.push(
            Diagnostic::error(
                Code::BadRegistry,
                format!("`{}` is not a registry/namespace prefix: {why}", r.value),
            )
            .at(r.span, why)
            .help("write a registry host[:port] with an optional namespace, e.g. `registry: 127.0.0.1:5000/team` or `registry: swr.example.com/ai`; `org/app:1` is looked up as PREFIX/app:1, as `adf push --to PREFIX` publishes it"),
        );
    }
}

#[derive(Default)]
struct FileChecks {
    dirs: HashMap<PathBuf, bool>,
    files: HashMap<PathBuf, Option<(Code, String, &'static str)>>,
    dockerfiles: DockerfileCache,
}

impl FileChecks {
    fn check(&mut self, img: &Image, diags: &mut Diagnostics) {
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
fn dockerfile_problem(path: &Path) -> Option<(Code, String, &'static str)> {
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

/// Every `verify:` `expect` is a regex `adf verify` can use.
fn verify_patterns(img: &Image, diags: &mut Diagnostics) {
    for v in &img.verify {
        let Some(expect) = &v.expect else { continue };
        if let Err(e) = regex::Regex::new(&expect.value) {
            let detail = e.to_string();
            let last = detail
                .lines()
                .last()
                .unwrap_or("invalid")
                .trim()
                .trim_start_matches("error: ")
                .to_string();
            diags.push(
                Diagnostic::error(Code::BadExpect, format!("`expect` of image `{}` is not a valid regex: {last}", img.family))
                    .at(expect.span, "not a regex")
                    .help("escape regex characters with a backslash (in YAML double quotes: `\\\\.`), or use single quotes"),
            );
        }
    }
}

fn build_keys(p: &Project, img: &Image, diags: &mut Diagnostics) {
    for (plat, span) in img.spec.platforms.iter().zip(&img.spans.platforms) {
        let parts: Vec<&str> = plat.split('/').collect();
        let ok = (2..=3).contains(&parts.len())
            && parts
                .iter()
                .all(|s| !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'));
        if !ok {
            diags.push(
                Diagnostic::error(Code::BadPlatform, format!("`{plat}` is not a platform"))
                    .at(*span, "expected os/arch[/variant]")
                    .help("for example `linux/amd64` or `linux/arm64`; `linux/${DOCKER_ARCH}` follows ARCH"),
            );
        }
    }
    for (s, span) in img.spec.secrets.iter().zip(&img.spans.secrets) {
        if s.source.is_none() && !p.secret_ids.contains(&s.id) {
            let known: Vec<&str> = p.secret_ids.iter().map(String::as_str).collect();
            diags.push(
                Diagnostic::error(
                    Code::UnknownSecret,
                    format!(
                        "image `{}` uses secret `{}`, which is not declared",
                        img.family, s.id
                    ),
                )
                .at(*span, "not declared under top-level `secrets:`")
                .help(match did_you_mean(&s.id, known.iter().copied()) {
                    Some(k) => format!("did you mean `{k}`?"),
                    None => format!(
                        "declare it: `secrets: {{{}: {{file: PATH}}}}` or `{{environment: VAR}}`",
                        s.id
                    ),
                }),
            );
        }
    }
    for inst in &img.installers {
        if let Some(sha) = &inst.sha256 {
            if sha.value.len() != 64 || !sha.value.chars().all(|c| c.is_ascii_hexdigit()) {
                diags.push(
                    Diagnostic::error(
                        Code::BadSha256,
                        format!("installer sha256 `{}` is not 64 hex digits", sha.value),
                    )
                    .at(sha.span, "not a sha256")
                    .help(format!("compute it with `sha256sum {}`", inst.path.value)),
                );
            }
        }
    }
}

/// `runtime_deps:` names absolute paths in the image, an environment variable, and something to
/// install from.
fn runtime_deps(img: &Image, diags: &mut Diagnostics) {
    let (Some(d), Some(span)) = (&img.spec.runtime_deps, img.runtime_deps_span) else {
        return;
    };
    let mut problems = Vec::new();
    for (key, path) in [
        ("wheelhouse", &d.wheelhouse),
        ("requirements", &d.requirements),
    ] {
        if let Some(p) = path.as_deref().filter(|p| !p.starts_with('/')) {
            problems.push(format!("`{key}: {p}` is not an absolute path in the image"));
        }
    }
    if let Some(v) = &d.index_env {
        let ok = v
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
            && v.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
        if !ok {
            problems.push(format!(
                "`index_env: {v}` is not an environment variable name"
            ));
        }
        if d.requirements.is_none() {
            problems
                .push("`index_env` needs `requirements` (what to install from the index)".into());
        }
    }
    if d.wheelhouse.is_none() && d.requirements.is_none() {
        problems.push("nothing to install: give `wheelhouse`, `requirements` or both".into());
    }
    for p in problems {
        diags.push(
            Diagnostic::error(Code::BadRuntimeDeps, format!("runtime_deps of image `{}`: {p}", img.family))
                .at(span, "here")
                .help("runtime_deps: {wheelhouse: /opt/wheels, requirements: /opt/app/requirements.txt, index_env: PIP_INDEX_URL}"),
        );
    }
}

fn base_drift(p: &Project, diags: &mut Diagnostics) {
    let mut producer: HashMap<String, usize> = HashMap::new();
    for (i, img) in p.images.iter().enumerate() {
        // a published tag spelled as a local one (every image without platforms) is not
        // normalized twice
        let published = img
            .published_tags
            .iter()
            .map(|t| t.value.as_str())
            .filter(|t| !img.tags().any(|local| local == *t));
        for t in img.tags().chain(published) {
            producer.entry(normalize(t)).or_insert(i);
        }
    }
    for img in &p.images {
        let Some((arg, value)) = &img.written_base else {
            continue;
        };
        let produced_by = producer
            .get(&normalize(&value.value))
            .map(|&i| &p.images[i]);
        match img.parents.first().map(|&i| &p.images[i]) {
            Some(parent) => {
                if parent
                    .tags()
                    .chain(parent.published_tags.iter().map(|t| t.value.as_str()))
                    .any(|t| normalize(t) == normalize(&value.value))
                {
                    continue;
                }
                let primary = parent.primary_tag().unwrap_or("?");
                let mut d = Diagnostic::error(
                    Code::BaseDrift,
                    format!(
                        "`{}` of image `{}` is `{}`, which its parent `{}` does not produce",
                        arg.value, img.family, value.value, parent.family
                    ),
                )
                .at(
                    value.span,
                    format!("`{}` produces `{primary}`", parent.family),
                );
                d = match produced_by {
                    Some(other) if other.family != parent.family => d.help(format!(
                        "`{}` is produced by `{}`: make that the first depends_on entry, or remove `{}` from args and adf passes `{primary}`",
                        value.value, other.family, arg.value
                    )),
                    _ => d.help(format!("remove `{}` from args: adf passes the parent's primary tag `{primary}` itself", arg.value)),
                };
                diags.push(d);
            }
            None => {
                if let Some(other) = produced_by.filter(|o| o.name != img.family) {
                    diags.push(
                        Diagnostic::error(
                            Code::MissingDependsOn,
                            format!("image `{}` builds FROM `{}`, produced by `{}`, without depending on it", img.family, value.value, other.family),
                        )
                        .at(value.span, format!("produced by `{}`", other.family))
                        .help(format!("add `depends_on: [{}]` (then drop `{}`: adf passes the tag itself)", other.family, arg.value)),
                    );
                }
            }
        }
    }
}

/// Adds each Dockerfile to the diagnostics' sources once, when a diagnostic points into it.
struct DockerfileTexts<'a> {
    sources: &'a mut Sources,
    ids: HashMap<PathBuf, FileId>,
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

/// Whether `tag` is one the image produces (locally or as published).
fn produces(img: &Image, tag: &str) -> bool {
    img.tags()
        .chain(img.published_tags.iter().map(|t| t.value.as_str()))
        .any(|t| normalize(t) == normalize(tag))
}

/// What a source finds in the build context.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Found {
    Yes,
    /// Only files `.dockerignore` leaves out.
    Ignored,
    No,
}

/// Whether `path` (context-relative, `/`-separated; segments may be globs as COPY takes
/// them) matches something the build sees.
fn find_in_context(context: &Path, path: &str, rules: &DockerIgnore) -> Found {
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
fn missing_sources(
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
            .and_then(|e| super::dockerfile::context_path(&e))
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

fn dockerfile_args(
    p: &Project,
    cache: &mut DockerfileCache,
    texts: &mut DockerfileTexts,
    diags: &mut Diagnostics,
) {
    let root = p.dir.canonicalize().unwrap_or_else(|_| p.dir.clone());
    for img in &p.images {
        // a Dockerfile outside the project is `path-outside`: not read
        if !img.allow_outside && !super::inputs::resolves_under(&img.spec.dockerfile, &root) {
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
                || !super::inputs::is_key(k)
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
