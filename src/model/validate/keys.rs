//! Checks of one image's own settings: build keys, runtime_deps, verify patterns, and a base
//! image that drifts from its parent's.

use crate::config::schema::reader::did_you_mean;
use crate::diag::Code;
use crate::diag::{Diagnostic, Diagnostics};
use crate::model::reference::normalize;
use crate::model::{Image, Project};
use std::collections::HashMap;

/// Every `verify:` `expect` is a regex `adf verify` can use.
pub(super) fn verify_patterns(img: &Image, diags: &mut Diagnostics) {
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

pub(super) fn build_keys(p: &Project, img: &Image, diags: &mut Diagnostics) {
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
pub(super) fn runtime_deps(img: &Image, diags: &mut Diagnostics) {
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

pub(super) fn base_drift(p: &Project, diags: &mut Diagnostics) {
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

/// Whether `tag` is one the image produces (locally or as published).
pub(super) fn produces(img: &Image, tag: &str) -> bool {
    img.tags()
        .chain(img.published_tags.iter().map(|t| t.value.as_str()))
        .any(|t| normalize(t) == normalize(tag))
}
