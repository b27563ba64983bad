//! What adf needs to know about a Dockerfile: ARGs declared before the first FROM, every ARG
//! declared anywhere, the stages, the first base image, and BuildKit-only features.
//! Parsed with the `dockerfile-parser` crate; parse results are cached per path.

use dockerfile_parser::{Dockerfile, Instruction};
use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Build args Docker accepts without an ARG line (proxy settings).
pub const PREDEFINED_ARGS: &[&str] = &[
    "HTTP_PROXY",
    "http_proxy",
    "HTTPS_PROXY",
    "https_proxy",
    "FTP_PROXY",
    "ftp_proxy",
    "NO_PROXY",
    "no_proxy",
    "ALL_PROXY",
    "all_proxy",
];

/// A BuildKit-only construct, with its 1-based line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BuildkitFeature {
    pub line: usize,
    pub what: String,
}

#[derive(Clone, Debug, Default)]
pub struct DockerfileFacts {
    pub text: Arc<String>,
    /// ARGs before the first FROM (those are the only ones a FROM line can use).
    pub global_args: BTreeSet<String>,
    /// Every ARG declared anywhere.
    pub declared_args: BTreeSet<String>,
    /// The image of the first FROM as written (`${BASE_IMAGE}`, `ubuntu:22.04`).
    pub first_from: Option<String>,
    /// Stage names (`FROM x AS name`).
    pub stages: Vec<String>,
    /// `# syntax=` directive value, if any.
    pub syntax: Option<String>,
    pub buildkit_features: Vec<BuildkitFeature>,
    /// Set when the parser could not read the file; the other fields are then best effort.
    pub parse_error: Option<String>,
    /// Context paths the build can read (COPY/ADD sources, `RUN --mount=type=bind` sources), a
    /// source with a build arg kept as written (`packages/tool-${ARCH}.run`: [`expand_sources`]
    /// resolves it per image); `None` when it may read anything (`COPY . .`, unparsed syntax).
    pub context_sources: Option<Vec<String>>,
    /// The 1-based line of the first `RUN` step: a build for another architecture needs an
    /// emulator (or a native builder) from there on.
    pub first_run: Option<usize>,
}

/// Reads the parser directives at the top of the file (`# syntax=...`).
fn syntax_directive(text: &str) -> Option<String> {
    for line in text.lines() {
        let t = line.trim();
        let Some(comment) = t.strip_prefix('#') else {
            break;
        };
        if let Some((k, v)) = comment.split_once('=') {
            if k.trim().eq_ignore_ascii_case("syntax") {
                return Some(v.trim().to_string());
            }
        } else {
            break;
        }
    }
    None
}

/// Finds BuildKit-only flags by scanning instruction starts (works even where the parser fails).
fn scan_buildkit_features(text: &str) -> Vec<BuildkitFeature> {
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let t = line.trim_start();
        let upper: String = t.chars().take(5).collect::<String>().to_ascii_uppercase();
        if upper.starts_with("RUN ") && t[4..].trim_start().starts_with("--mount") {
            out.push(BuildkitFeature {
                line: i + 1,
                what: "RUN --mount".into(),
            });
        }
        if upper.starts_with("RUN ") && t[4..].trim_start().starts_with("--network") {
            out.push(BuildkitFeature {
                line: i + 1,
                what: "RUN --network".into(),
            });
        }
        if upper.starts_with("RUN ") && t[4..].trim_start().starts_with("--security") {
            out.push(BuildkitFeature {
                line: i + 1,
                what: "RUN --security".into(),
            });
        }
        if (upper.starts_with("COPY ") || upper.starts_with("ADD ")) && t.contains("--link") {
            out.push(BuildkitFeature {
                line: i + 1,
                what: "COPY --link".into(),
            });
        }
        if (upper.starts_with("RUN ") || upper.starts_with("COPY ")) && t.contains("<<") {
            out.push(BuildkitFeature {
                line: i + 1,
                what: "heredoc".into(),
            });
        }
    }
    out
}

/// `ARG NAME=` (an empty default, valid for Docker) trips the parser crate: give it `ARG NAME=""`,
/// which means the same. Line and byte positions of everything else stay put.
fn parser_friendly(text: &str) -> std::borrow::Cow<'_, str> {
    let needs = text.lines().any(|l| {
        let t = l.trim_end();
        t.get(..4).is_some_and(|p| p.eq_ignore_ascii_case("ARG ")) && t.ends_with('=')
    });
    if !needs {
        return std::borrow::Cow::Borrowed(text);
    }
    let fixed: Vec<String> = text
        .split('\n')
        .map(|l| {
            let t = l.trim_end();
            if t.get(..4).is_some_and(|p| p.eq_ignore_ascii_case("ARG ")) && t.ends_with('=') {
                format!("{t}\"\"")
            } else {
                l.to_string()
            }
        })
        .collect();
    std::borrow::Cow::Owned(fixed.join("\n"))
}

/// Instructions with continuation lines joined, comments dropped.
fn logical_lines(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    for line in text.lines() {
        let t = line.trim();
        if t.starts_with('#') || (t.is_empty() && cur.is_empty()) {
            continue;
        }
        match t.strip_suffix('\\') {
            Some(head) => {
                cur.push_str(head);
                cur.push(' ');
            }
            None => {
                cur.push_str(t);
                out.push(std::mem::take(&mut cur));
            }
        }
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

/// A source as a context-relative path (`./a/` → `a`); `None` for the whole context.
pub fn context_path(src: &str) -> Option<String> {
    let p = src
        .trim_matches('"')
        .trim_start_matches("./")
        .trim_start_matches('/')
        .trim_end_matches('/');
    (!p.is_empty() && p != ".").then(|| p.to_string())
}

/// The sources of [`DockerfileFacts::context_sources`] with `${NAME}` / `$NAME` replaced by the
/// image's build args, as context paths; `None` (the whole context counts) when a name is not
/// among `args`, a path climbs out with `..`, or a source is the whole context.
pub fn expand_sources(
    sources: &[String],
    args: &std::collections::BTreeMap<String, String>,
) -> Option<Vec<String>> {
    static NAME: std::sync::OnceLock<Option<regex::Regex>> = std::sync::OnceLock::new();
    let name_re = NAME
        .get_or_init(|| {
            regex::Regex::new(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}|\$([A-Za-z_][A-Za-z0-9_]*)").ok()
        })
        .as_ref()?;
    sources
        .iter()
        .map(|s| {
            if !s.contains('$') {
                return Some(s.clone());
            }
            let mut missing = false;
            let expanded = name_re.replace_all(s, |c: &regex::Captures| {
                let name = c
                    .get(1)
                    .or(c.get(2))
                    .map(|m| m.as_str())
                    .unwrap_or_default();
                args.get(name).cloned().unwrap_or_else(|| {
                    missing = true;
                    String::new()
                })
            });
            if missing || expanded.split('/').any(|part| part == "..") {
                return None;
            }
            context_path(&expanded)
        })
        .collect()
}

/// The context paths a Dockerfile reads, or `None` when it may read anything.
fn context_sources(text: &str) -> Option<Vec<String>> {
    let mut out = Vec::new();
    for line in logical_lines(text) {
        let mut words = line.split_whitespace();
        let Some(keyword) = words.next().map(str::to_ascii_uppercase) else {
            continue;
        };
        let rest: Vec<&str> = words.collect();
        match keyword.as_str() {
            "COPY" | "ADD" => {
                if rest.iter().any(|w| w.starts_with("--from")) {
                    continue; // from another stage or image
                }
                let args: Vec<&str> = rest
                    .iter()
                    .copied()
                    .filter(|w| !w.starts_with("--"))
                    .collect();
                if args.iter().any(|w| w.starts_with('[') || w.contains("<<")) {
                    return None; // JSON form or heredoc: not worth guessing
                }
                for src in args.iter().take(args.len().saturating_sub(1)) {
                    if src.contains("://") || src.starts_with("git@") {
                        continue; // remote source
                    }
                    if src.contains('$') {
                        out.push(src.trim_matches('"').to_string());
                        continue;
                    }
                    out.push(context_path(src)?);
                }
            }
            "RUN" => {
                for flag in rest.iter().take_while(|w| w.starts_with("--")) {
                    let Some(spec) = flag.strip_prefix("--mount=") else {
                        continue;
                    };
                    let fields: Vec<(&str, &str)> = spec
                        .split(',')
                        .filter_map(|kv| kv.split_once('='))
                        .collect();
                    let get = |k: &str| fields.iter().find(|(key, _)| *key == k).map(|(_, v)| *v);
                    if get("type").unwrap_or("bind") != "bind" || get("from").is_some() {
                        continue;
                    }
                    let src = get("source").or(get("src")).unwrap_or(".");
                    if src.contains('$') {
                        out.push(src.to_string());
                        continue;
                    }
                    out.push(context_path(src)?);
                }
            }
            _ => {}
        }
    }
    Some(out)
}

pub fn analyze(text: String) -> DockerfileFacts {
    let mut facts = DockerfileFacts {
        syntax: syntax_directive(&text),
        buildkit_features: scan_buildkit_features(&text),
        context_sources: context_sources(&text),
        first_run: text
            .lines()
            .position(|l| {
                l.split_whitespace()
                    .next()
                    .is_some_and(|w| w.eq_ignore_ascii_case("RUN"))
            })
            .map(|i| i + 1),
        ..DockerfileFacts::default()
    };
    match Dockerfile::parse(&parser_friendly(&text)) {
        Ok(df) => {
            facts.global_args = df
                .global_args
                .iter()
                .map(|a| a.name.content.clone())
                .collect();
            for ins in &df.instructions {
                match ins {
                    Instruction::Arg(a) => {
                        facts.declared_args.insert(a.name.content.clone());
                    }
                    Instruction::From(f) => {
                        if facts.first_from.is_none() {
                            facts.first_from = Some(f.image.content.clone());
                        }
                        if let Some(alias) = &f.alias {
                            facts.stages.push(alias.content.clone());
                        }
                    }
                    _ => {}
                }
            }
        }
        Err(e) => {
            let msg = e.to_string();
            facts.parse_error = Some(msg.lines().next().unwrap_or("parse error").to_string());
            // best effort: plain line scan so later checks still have something to go on
            let mut seen_from = false;
            for line in text.lines() {
                let mut words = line.split_whitespace();
                match words.next().map(str::to_ascii_uppercase).as_deref() {
                    Some("ARG") => {
                        if let Some(n) = words.next() {
                            let name = n.split('=').next().unwrap_or(n).to_string();
                            if !seen_from {
                                facts.global_args.insert(name.clone());
                            }
                            facts.declared_args.insert(name);
                        }
                    }
                    Some("FROM") => {
                        let mut rest = words.filter(|w| !w.starts_with("--"));
                        if !seen_from {
                            facts.first_from = rest.next().map(str::to_string);
                        }
                        seen_from = true;
                    }
                    _ => {}
                }
            }
        }
    }
    facts.text = Arc::new(text);
    facts
}

/// Reads each Dockerfile once, however many images use it.
#[derive(Default)]
pub struct DockerfileCache {
    entries: HashMap<PathBuf, Option<Arc<DockerfileFacts>>>,
}

impl DockerfileCache {
    /// `None` when the file cannot be read (a missing file is reported elsewhere).
    pub fn get(&mut self, path: &Path) -> Option<Arc<DockerfileFacts>> {
        self.entries
            .entry(path.to_path_buf())
            .or_insert_with(|| {
                std::fs::read_to_string(path)
                    .ok()
                    .map(|t| Arc::new(analyze(t)))
            })
            .clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_global_and_stage_args() {
        let f = analyze("ARG BASE_IMAGE=ubuntu:22.04\nFROM ${BASE_IMAGE} AS base\nARG PYTHON_VERSION\nRUN echo\n".into());
        assert!(f.global_args.contains("BASE_IMAGE"));
        assert!(!f.global_args.contains("PYTHON_VERSION"));
        assert!(f.declared_args.contains("PYTHON_VERSION"));
        assert_eq!(f.first_from.as_deref(), Some("${BASE_IMAGE}"));
        assert_eq!(f.stages, vec!["base"]);
        assert!(f.parse_error.is_none());
    }

    #[test]
    fn context_sources_are_what_copy_add_and_bind_mounts_read() {
        let f = analyze("ARG BASE_IMAGE\nFROM ${BASE_IMAGE}\nCOPY --chmod=755 scripts/a.sh ./app/ /opt/\nCOPY --from=build /x /y\nADD https://example.invalid/f /f\nRUN --mount=type=bind,source=packages,target=/p \\\n    --mount=type=cache,target=/root/.cache \\\n    sh /p/x\n".into());
        assert_eq!(
            f.context_sources,
            Some(vec![
                "scripts/a.sh".to_string(),
                "app".into(),
                "packages".into()
            ])
        );
        assert_eq!(
            analyze("FROM x\nCOPY . /app\n".into()).context_sources,
            None
        );
        assert_eq!(
            analyze("FROM x\nARG D\nCOPY ${D} /app\n".into()).context_sources,
            Some(vec!["${D}".to_string()])
        );
        let args = [("D".to_string(), "inputs/a.txt".to_string())].into();
        assert_eq!(
            expand_sources(&["${D}".to_string(), "x/$D/".into()], &args),
            Some(vec!["inputs/a.txt".to_string(), "x/inputs/a.txt".into()])
        );
        assert_eq!(expand_sources(&["${E}".to_string()], &args), None);
        assert_eq!(expand_sources(&["./${D}/..".to_string()], &args), None);
        assert_eq!(
            analyze("FROM x\nRUN --mount=type=bind,target=/src ls\n".into()).context_sources,
            None
        );
        assert_eq!(
            analyze("FROM x\nRUN echo hi\n".into()).context_sources,
            Some(vec![])
        );
    }

    #[test]
    fn empty_arg_defaults_parse() {
        let f = analyze(
            "ARG BASE_IMAGE\n# 芯片类型\nFROM ${BASE_IMAGE}\nARG CHIP_TYPE=\nARG X=1\n".into(),
        );
        assert!(f.parse_error.is_none(), "{:?}", f.parse_error);
        assert!(f.declared_args.contains("CHIP_TYPE"));
    }

    #[test]
    fn detects_buildkit_only_features() {
        let f = analyze("# syntax=docker/dockerfile:1\nFROM x\nRUN --mount=type=bind,source=p,target=/p ls /p\nCOPY --link a b\n".into());
        assert_eq!(f.syntax.as_deref(), Some("docker/dockerfile:1"));
        let whats: Vec<_> = f
            .buildkit_features
            .iter()
            .map(|b| (b.line, b.what.as_str()))
            .collect();
        assert_eq!(whats, vec![(3, "RUN --mount"), (4, "COPY --link")]);
    }
}
