//! Checks that keep a hostile or careless file from doing harm: image names that are safe as
//! file names, build-arg and label keys that are names, no secrets in args or labels (they are
//! stored in the image), and no path that leads
//! out of the project directory unless the file says so.

use super::{Image, Project};
use crate::diag::Code;
use crate::diag::{Diagnostic, Diagnostics, Sources, Span};
use crate::redact::{credential_in, name_says_secret};
use std::collections::{HashMap, HashSet};
use std::path::{Component, Path, PathBuf};

/// The help every secret diagnostic gives.
const SECRETS_HELP: &str = "build args and labels are stored in the image (its history and config); pass it as a build secret instead: `secrets: {hf: {environment: HF_TOKEN}}` at the top level, `build.secrets: [hf]` in the image, and `RUN --mount=type=secret,id=hf,env=HF_TOKEN ...` in the Dockerfile";

pub fn run(p: &Project, sources: &Sources, diags: &mut Diagnostics) {
    let text = sources.get(p.file).text.as_str();
    let mut seen_names = HashSet::new();
    let root = p.dir.canonicalize().unwrap_or_else(|_| p.dir.clone());
    let mut ignore_files = IgnoreFiles::default();
    for img in &p.images {
        ignore_file(img, &mut ignore_files, diags);
        if seen_names.insert(img.family.as_str()) {
            image_name(img, diags);
        }
        keys(img, diags);
        secrets(img, text, diags);
        outside(&root, img, diags);
    }
}

/// Whether `name` is `[A-Za-z0-9][A-Za-z0-9._-]*`: safe as a log file name and a bake target.
pub fn is_image_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphanumeric())
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
}

fn image_name(img: &Image, diags: &mut Diagnostics) {
    if is_image_name(&img.family) {
        return;
    }
    let shown = img.family.escape_debug().to_string();
    let why = if img.matrix.is_empty() {
        String::new()
    } else {
        let values: Vec<String> = img
            .matrix
            .iter()
            .map(|(k, v)| format!("{k}={}", v.escape_debug()))
            .collect();
        format!(" (with {})", values.join(", "))
    };
    diags.push(
        Diagnostic::error(
            Code::BadImageName,
            format!("image name `{shown}`{why} is not a plain name"),
        )
        .at(img.name_span, "letters, digits, `.`, `_` and `-` only, starting with a letter or digit")
        .help("adf names log files and bake targets after images; rename it (matrix values become part of the name, so they follow the same rule)"),
    );
}

/// A build-arg or label key docker can take: not empty, no `=`, no white space or control
/// character, not starting with `-`.
pub fn is_key(key: &str) -> bool {
    !key.is_empty()
        && !key.starts_with('-')
        && !key
            .chars()
            .any(|c| c == '=' || c.is_whitespace() || c.is_control())
}

fn keys(img: &Image, diags: &mut Diagnostics) {
    let args = img
        .spans
        .args
        .iter()
        .map(|(k, (ks, _))| ("build arg", k, ks));
    let labels = img.spans.labels.iter().map(|(k, (ks, _))| ("label", k, ks));
    for (what, key, span) in args.chain(labels) {
        if is_key(key) {
            continue;
        }
        let shown = key.escape_debug().to_string();
        diags.push(
            Diagnostic::error(
                Code::BadArgName,
                format!("{what} key `{shown}` of image `{}` is not a name", img.family),
            )
            .at(*span, "not a name")
            .help(if key.contains('=') {
                "write the mapping form `NAME: value` (or the list form `- NAME=value`), not `NAME=value` as a key"
            } else {
                "a key is a non-empty name without `=`, spaces or control characters, e.g. `PYTHON_VERSION`"
            }),
        );
    }
}

/// The ignore file a build of `img` uses must be one the build accepts: `plan` and `build`
/// refuse a bad pattern, so `check` says so too (once per file).
/// The ignore files already looked at: by (context, Dockerfile), and the bad ones reported.
#[derive(Default)]
struct IgnoreFiles<'p> {
    pairs: HashSet<(&'p Path, &'p Path)>,
    reported: HashSet<PathBuf>,
}

fn ignore_file<'p>(img: &'p Image, seen: &mut IgnoreFiles<'p>, diags: &mut Diagnostics) {
    use crate::plan::dockerignore::{ignore_file_for, DockerIgnore};
    // many images share a context and a Dockerfile: look at each pair once
    let pair = (img.spec.context.as_path(), img.spec.dockerfile.as_path());
    if !seen.pairs.insert(pair) {
        return;
    }
    if !img.spec.context.is_dir() {
        return; // missing-context
    }
    let problem = match ignore_file_for(&img.spec.context, &img.spec.dockerfile) {
        Ok(None) => return,
        Ok(Some(f)) => match DockerIgnore::load(&f) {
            Ok(_) => return,
            Err(e) => (f, e),
        },
        Err(e) => (img.spec.context.join(".dockerignore"), e),
    };
    if !seen.reported.insert(problem.0.clone()) {
        return;
    }
    diags.push(
        Diagnostic::error(
            Code::BadDockerignore,
            format!("the ignore file of image `{}` cannot be used: {}", img.family, problem.1),
        )
        .at(img.spans.context, "the build context")
        .help("fix the pattern (Go filepath.Match syntax: `*`, `?`, `[a-z]`, `**`; a lone `[` is invalid), or remove the file"),
    );
}

/// What the file says at `span`.
fn written(text: &str, span: Span) -> &str {
    text.get(span.offset..span.offset + span.len).unwrap_or("")
}

fn secrets(img: &Image, text: &str, diags: &mut Diagnostics) {
    let labels = img.spans.labels.iter().map(|(k, (ks, vs))| {
        let value = img.spec.labels.get(k).map(String::as_str).unwrap_or("");
        ("label", k.as_str(), value, *ks, *vs)
    });
    let args = img
        .written_args()
        .map(|(k, v, ks, vs)| ("build arg", k, v, ks, vs));
    for (what, key, value, _, v_span) in args.chain(labels) {
        let source = written(text, v_span).trim_matches(|c| c == '"' || c == '\'');
        if name_says_secret(key) && !(value.is_empty() && source.is_empty()) {
            let from = if source.contains("${") {
                format!(" (`{source}`, resolved when adf runs)")
            } else {
                String::new()
            };
            diags.push(
                Diagnostic::error(
                    Code::CredentialsInArg,
                    format!("{what} `{key}` of image `{}` is a secret{from}: it would be stored in the image", img.family),
                )
                .at(v_span, "a secret's value in a build arg or label")
                .help(SECRETS_HELP),
            );
        } else if let Some(why) = credential_in(value) {
            diags.push(
                Diagnostic::error(
                    Code::CredentialsInArg,
                    format!(
                        "{what} `{key}` of image `{}` carries a credential ({why})",
                        img.family
                    ),
                )
                .at(v_span, why)
                .help(SECRETS_HELP),
            );
        }
    }
}

/// `path` without `.` and with `..` applied, for a path that does not exist (yet).
fn lexical(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

/// Where `path` really is: symlinks resolved for the part that exists, `..` applied to the rest.
/// Remembered for the run: thousands of images share a few contexts and Dockerfiles.
pub fn resolved(path: &Path) -> PathBuf {
    with_resolved(path, Path::to_path_buf)
}

/// Whether `path` resolves (as [`resolved`] says) to `root` or somewhere under it.
pub fn resolves_under(path: &Path, root: &Path) -> bool {
    with_resolved(path, |real| real.starts_with(root))
}

/// `f` of what `path` resolves to, resolving each path once per run.
fn with_resolved<T>(path: &Path, f: impl FnOnce(&Path) -> T) -> T {
    use std::sync::{Mutex, OnceLock};
    static SEEN: OnceLock<Mutex<HashMap<PathBuf, PathBuf>>> = OnceLock::new();
    let seen = SEEN.get_or_init(Default::default);
    if let Ok(m) = seen.lock() {
        if let Some(real) = m.get(path) {
            return f(real);
        }
    }
    let real = resolve(path);
    let answer = f(&real);
    if let Ok(mut m) = seen.lock() {
        m.insert(path.to_path_buf(), real);
    }
    answer
}

fn resolve(path: &Path) -> PathBuf {
    if let Ok(p) = path.canonicalize() {
        return p;
    }
    let abs = match std::env::current_dir() {
        Ok(cwd) if path.is_relative() => lexical(&cwd.join(path)),
        _ => lexical(path),
    };
    let mut existing = abs.as_path();
    let mut rest = Vec::new();
    while let Some(parent) = existing.parent() {
        if let Some(name) = existing.file_name() {
            rest.push(name.to_os_string());
        }
        existing = parent;
        if let Ok(real) = existing.canonicalize() {
            return rest.iter().rev().fold(real, |acc, n| acc.join(n));
        }
    }
    abs
}

fn outside(root: &Path, img: &Image, diags: &mut Diagnostics) {
    let mut report = |what: &str, path: &Path, span: Span, opt_in: &str| {
        if resolves_under(path, root) {
            return;
        }
        let real = resolved(path);
        diags.push(
            Diagnostic::error(
                Code::PathOutside,
                format!(
                    "{what} of image `{}` resolves outside the project directory: {}",
                    img.family,
                    real.display()
                ),
            )
            .at(span, "outside the project")
            .help(format!(
                "keep it under {} (a cloned file must not make adf read the host's files); if this is intended, add `allow_outside: true` to {opt_in}",
                root.display()
            )),
        );
    };
    if !img.allow_outside {
        report(
            "the build context",
            &img.spec.context,
            img.spans.context,
            "the image",
        );
        report(
            "the Dockerfile",
            &img.spec.dockerfile,
            img.spans.dockerfile,
            "the image",
        );
    }
    for inst in img.installers.iter().filter(|i| !i.allow_outside) {
        let path = root.join(&inst.path.value);
        report("an installer", &path, inst.path.span, "the installer entry");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn image_names() {
        for n in ["a", "cann-910b", "py3.10", "A_b", "9x"] {
            assert!(is_image_name(n), "{n}");
        }
        for n in ["", "-a", ".a", "a/b", "../x", "a b", "a\u{1b}[2J", "é"] {
            assert!(!is_image_name(n), "{n}");
        }
    }

    #[test]
    fn keys_are_names() {
        assert!(is_key("PYTHON_VERSION") && is_key("org.opencontainers.image.source"));
        for k in ["", "A=B", "A B", "-x", "a\nb"] {
            assert!(!is_key(k), "{k:?}");
        }
    }

    #[test]
    fn resolved_follows_links_and_dots() {
        let d = tempfile::tempdir().expect("tmp");
        let root = d.path().canonicalize().expect("canon");
        std::fs::create_dir(root.join("p")).expect("mkdir");
        std::os::unix::fs::symlink("/etc", root.join("p/etc")).expect("link");
        assert_eq!(resolved(&root.join("p/../x/y")), root.join("x/y"));
        assert_eq!(
            resolved(&root.join("p/etc/nothing-here")),
            Path::new("/etc/nothing-here")
        );
    }
}
