//! Cross-image checks. Each rule reports with the span of the offending value and a fix. Here:
//! the graph (depends_on, cycles), tags and the registry prefix; `keys`: one image's own
//! settings; `files`: Dockerfiles and build contexts on disk; the compatibility checks
//! (`model::compat`) beside them on a second thread.

use super::reference::Reference;
use super::Project;
use crate::config::schema::reader::did_you_mean;
use crate::diag::Code;
use crate::diag::{Diagnostic, Diagnostics, Sources};
use std::collections::HashMap;

mod files;
mod keys;

use files::{dockerfile_args, DockerfileTexts, FileChecks};
use keys::{base_drift, build_keys, runtime_deps, verify_patterns};

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
