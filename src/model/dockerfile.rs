//! What adf needs to know about a Dockerfile: ARGs declared before the first FROM, every ARG
//! declared anywhere, the stages, the first base image, and BuildKit-only features.
//! Parsed with the `dockerfile-parser` crate; parse results are cached per path.

use dockerfile_parser::{Dockerfile, Instruction};
use std::collections::{BTreeMap, BTreeSet, HashMap};
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
    /// What the build reads from the context (COPY/ADD sources, `RUN --mount=type=bind`
    /// sources) as written: [`DockerfileFacts::read_paths`] resolves them per image.
    pub context_sources: Vec<SourceRef>,
    /// The build may read anything in the context (`COPY . .`, JSON-form COPY, heredocs).
    pub reads_everything: bool,
    /// The ARGs before the first FROM, in order.
    pub global_bindings: Vec<Binding>,
    /// The ARG and ENV lines of each stage, in order.
    pub stage_bindings: Vec<Vec<Binding>>,
    /// Where the first FROM's image is written: 1-based line, byte offset, length.
    pub first_from_at: Option<(usize, usize, usize)>,
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

/// One instruction with its continuation lines joined (comments dropped): its 1-based line and
/// the byte offset where it starts.
struct Logical {
    line: usize,
    offset: usize,
    text: String,
}

/// Instructions with continuation lines joined, comments dropped.
fn logical_lines(text: &str) -> Vec<Logical> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let (mut start_line, mut start_offset) = (0, 0);
    let mut offset = 0;
    for (i, raw) in text.split_inclusive('\n').enumerate() {
        let here = offset;
        offset += raw.len();
        let t = raw.trim();
        if t.starts_with('#') || (t.is_empty() && cur.is_empty()) {
            continue;
        }
        if cur.is_empty() {
            start_line = i + 1;
            start_offset = here + (raw.len() - raw.trim_start().len());
        }
        match t.strip_suffix('\\') {
            Some(head) => {
                cur.push_str(head);
                cur.push(' ');
            }
            None => {
                cur.push_str(t);
                out.push(Logical {
                    line: start_line,
                    offset: start_offset,
                    text: std::mem::take(&mut cur),
                });
            }
        }
    }
    if !cur.is_empty() {
        out.push(Logical {
            line: start_line,
            offset: start_offset,
            text: cur,
        });
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

/// An `ARG` or `ENV` of a stage (or an `ARG` before the first FROM), in written order: what a
/// `${NAME}` after it means.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Binding {
    /// `ARG NAME[=default]`: the build arg of that name, else the default (expanded), else, in a
    /// stage, the value of a global ARG of that name; unset without any.
    Arg {
        name: String,
        default: Option<String>,
    },
    /// `ENV NAME=value`: wins over an ARG of the same name, before and after it.
    Env { name: String, value: String },
    /// A name set by a line adf cannot read: unknown from here on.
    Opaque(String),
}

/// A path the build reads from the context: a COPY/ADD source or a `RUN --mount=type=bind`
/// source, as written, with where it is written and the ARG/ENV lines in scope there.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SourceRef {
    /// As written (`inputs/${NAME}.txt`).
    pub raw: String,
    /// `COPY`, `ADD` or `RUN --mount`.
    pub instruction: &'static str,
    /// 1-based line of the instruction.
    pub line: usize,
    /// Byte range of the source in the Dockerfile text.
    pub offset: usize,
    pub len: usize,
    /// The stage (index into [`DockerfileFacts::stage_bindings`]) and how many of its
    /// bindings precede this source.
    stage: usize,
    bindings: usize,
}

/// A variable's value while expanding, as BuildKit has it.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Val {
    Set(String),
    Unset,
    /// adf cannot tell (a line it does not read): the expansion gives up.
    Unknown,
}

/// Expands `$NAME`, `${NAME}`, `${NAME:-word}`, `${NAME-word}`, `${NAME:+word}`,
/// `${NAME+word}` and removes quotes, as BuildKit's shell lexer does for Dockerfile words (an
/// unset name is empty). `None` for a name adf cannot know or a form it does not read.
fn expand(word: &str, vars: &HashMap<String, Val>) -> Option<String> {
    let chars: Vec<char> = word.chars().collect();
    let mut out = String::new();
    let mut i = 0;
    let mut quote: Option<char> = None;
    let lookup = |name: &str| -> Option<Option<String>> {
        match vars.get(name) {
            Some(Val::Set(v)) => Some(Some(v.clone())),
            Some(Val::Unknown) => None,
            Some(Val::Unset) | None => Some(None),
        }
    };
    let is_name = |c: char| c.is_ascii_alphanumeric() || c == '_';
    while i < chars.len() {
        let c = chars[i];
        match (c, quote) {
            ('\'', None) => quote = Some('\''),
            ('\'', Some('\'')) => quote = None,
            ('"', None) => quote = Some('"'),
            ('"', Some('"')) => quote = None,
            (_, Some('\'')) => out.push(c),
            ('\\', _) if i + 1 < chars.len() => {
                i += 1;
                out.push(chars[i]);
            }
            ('$', _) if chars.get(i + 1) == Some(&'{') => {
                let close = chars[i + 2..].iter().position(|&c| c == '}')? + i + 2;
                let inner: String = chars[i + 2..close].iter().collect();
                let name_len = inner.chars().take_while(|&c| is_name(c)).count();
                let (name, modifier) = inner.split_at(name_len);
                if name.is_empty() || modifier.contains('{') {
                    return None;
                }
                let value = lookup(name)?;
                let expanded = match modifier {
                    "" => value.unwrap_or_default(),
                    _ => {
                        let (op, alt) = if let Some(w) = modifier.strip_prefix(":-") {
                            (":-", w)
                        } else if let Some(w) = modifier.strip_prefix(":+") {
                            (":+", w)
                        } else if let Some(w) = modifier.strip_prefix('-') {
                            ("-", w)
                        } else if let Some(w) = modifier.strip_prefix('+') {
                            ("+", w)
                        } else {
                            return None; // `${NAME#pat}` and other forms
                        };
                        let alt = expand(alt, vars)?;
                        match (op, value) {
                            (":-", Some(v)) if !v.is_empty() => v,
                            (":-", _) => alt,
                            ("-", Some(v)) => v,
                            ("-", None) => alt,
                            (":+", Some(v)) if !v.is_empty() => alt,
                            ("+", Some(_)) => alt,
                            _ => String::new(),
                        }
                    }
                };
                out.push_str(&expanded);
                i = close;
            }
            ('$', _)
                if chars
                    .get(i + 1)
                    .is_some_and(|&c| c.is_ascii_alphabetic() || c == '_') =>
            {
                let len = chars[i + 1..].iter().take_while(|&&c| is_name(c)).count();
                let name: String = chars[i + 1..i + 1 + len].iter().collect();
                out.push_str(&lookup(&name)?.unwrap_or_default());
                i += len;
            }
            _ => out.push(c),
        }
        i += 1;
    }
    quote.is_none().then_some(out)
}

/// The values of `bindings` in order, given the build args (and, in a stage, the global ARGs).
fn scope(
    bindings: &[Binding],
    args: &BTreeMap<String, String>,
    globals: Option<&HashMap<String, Val>>,
) -> HashMap<String, Val> {
    let mut vars: HashMap<String, Val> = HashMap::new();
    let mut env: BTreeSet<&str> = BTreeSet::new();
    for b in bindings {
        match b {
            Binding::Arg { name, default } => {
                if env.contains(name.as_str()) {
                    continue; // ENV wins over ARG
                }
                let val = match (args.get(name), default) {
                    (Some(v), _) => Val::Set(v.clone()),
                    (None, Some(d)) => expand(d, &vars).map_or(Val::Unknown, Val::Set),
                    (None, None) => match globals.and_then(|g| g.get(name)) {
                        Some(v) => v.clone(),
                        None if AUTOMATIC_ARGS.contains(&name.as_str()) => Val::Unknown,
                        None => Val::Unset,
                    },
                };
                vars.insert(name.clone(), val);
            }
            Binding::Env { name, value } => {
                let val = expand(value, &vars).map_or(Val::Unknown, Val::Set);
                env.insert(name);
                vars.insert(name.clone(), val);
            }
            Binding::Opaque(name) => {
                vars.insert(name.clone(), Val::Unknown);
            }
        }
    }
    vars
}

/// Args BuildKit fills in itself (platforms, and the like); adf does not guess their values.
const AUTOMATIC_ARGS: &[&str] = &[
    "TARGETPLATFORM",
    "TARGETOS",
    "TARGETARCH",
    "TARGETVARIANT",
    "BUILDPLATFORM",
    "BUILDOS",
    "BUILDARCH",
    "BUILDVARIANT",
    "BUILDKIT_SYNTAX",
];

/// `ARG A=1 B` / `ENV A=1 B=2` / `ENV A 1`: the bindings of one line.
fn bindings_of(keyword: &str, rest: &str) -> Vec<Binding> {
    let words: Vec<&str> = rest.split_whitespace().collect();
    let balanced = |w: &str| w.matches('"').count() % 2 == 0 && w.matches('\'').count() % 2 == 0;
    let name_of = |w: &str| w.split('=').next().unwrap_or(w).to_string();
    if keyword == "ENV" && words.first().is_some_and(|w| !w.contains('=')) {
        let name = words[0].to_string();
        let value = words[1..].join(" ");
        return vec![Binding::Env { name, value }];
    }
    let all_readable = words.iter().all(|w| balanced(w));
    words
        .iter()
        .map(|w| {
            let name = name_of(w);
            if !all_readable {
                return Binding::Opaque(name);
            }
            let value = w.split_once('=').map(|(_, v)| v.to_string());
            match (keyword, value) {
                ("ARG", default) => Binding::Arg { name, default },
                (_, Some(value)) => Binding::Env { name, value },
                (_, None) => Binding::Opaque(name),
            }
        })
        .collect()
}

impl DockerfileFacts {
    fn globals(&self, args: &BTreeMap<String, String>) -> HashMap<String, Val> {
        scope(&self.global_bindings, args, None)
    }

    /// A source with the build args and the Dockerfile's ARG/ENV lines in scope substituted,
    /// as BuildKit does; `None` when adf cannot tell what it resolves to.
    pub fn resolve_source(
        &self,
        src: &SourceRef,
        args: &BTreeMap<String, String>,
    ) -> Option<String> {
        if !src.raw.contains('$') {
            return expand(&src.raw, &HashMap::new());
        }
        let globals = self.globals(args);
        let bindings = self.stage_bindings.get(src.stage)?;
        let vars = scope(
            &bindings[..src.bindings.min(bindings.len())],
            args,
            Some(&globals),
        );
        expand(&src.raw, &vars)
    }

    /// The context paths a build with `args` reads (each source resolved, as a context path);
    /// `None` (the whole context counts) when it may read anything, a source cannot be
    /// resolved, is the whole context, or climbs out with `..`.
    pub fn read_paths(&self, args: &BTreeMap<String, String>) -> Option<Vec<String>> {
        if self.reads_everything {
            return None;
        }
        self.context_sources
            .iter()
            .map(|s| {
                let expanded = self.resolve_source(s, args)?;
                if expanded.split('/').any(|part| part == "..") {
                    return None;
                }
                context_path(&expanded)
            })
            .collect()
    }

    /// The first FROM with the build args and the global ARGs substituted (only ARGs declared
    /// before the first FROM are visible there); `None` when adf cannot tell.
    pub fn resolved_first_from(&self, args: &BTreeMap<String, String>) -> Option<String> {
        let from = self.first_from.as_deref()?;
        let globals = self.globals(args);
        // BuildKit: a build arg not declared as a global ARG is not visible in FROM
        expand(from, &globals).filter(|f| !f.is_empty())
    }
}

/// What the parse of the instructions yields besides the crate's view: context reads, ARG/ENV
/// scopes, and where the first FROM's image is written.
#[derive(Default)]
struct Scan {
    sources: Vec<SourceRef>,
    reads_everything: bool,
    globals: Vec<Binding>,
    stages: Vec<Vec<Binding>>,
    first_from_at: Option<(usize, usize, usize)>,
}

/// The context paths a Dockerfile reads (`None` when it may read anything), and the ARG/ENV
/// lines of each stage.
fn scan(text: &str) -> Scan {
    let mut out = Scan::default();
    for logical in logical_lines(text) {
        let line = logical.text.as_str();
        let mut words = line.split_whitespace();
        let Some(keyword) = words.next().map(str::to_ascii_uppercase) else {
            continue;
        };
        let rest: Vec<&str> = words.collect();
        let in_stage = !out.stages.is_empty();
        let stage = out.stages.len().saturating_sub(1);
        let bound = out.stages.last().map_or(0, Vec::len);
        let at = |word: &str| {
            let body = text.get(logical.offset..).unwrap_or("");
            let offset = body
                .find(word)
                .map_or(logical.offset, |i| logical.offset + i);
            (offset, word.len())
        };
        let source = |raw: &str, instruction: &'static str| {
            let (offset, len) = at(raw);
            SourceRef {
                raw: raw.to_string(),
                instruction,
                line: logical.line,
                offset,
                len,
                stage,
                bindings: bound,
            }
        };
        match keyword.as_str() {
            "FROM" => {
                if out.first_from_at.is_none() {
                    if let Some(image) = rest.iter().find(|w| !w.starts_with("--")) {
                        let (offset, len) = at(image);
                        out.first_from_at = Some((logical.line, offset, len));
                    }
                }
                out.stages.push(Vec::new());
            }
            "ARG" | "ENV" => {
                let b = bindings_of(&keyword, &rest.join(" "));
                match out.stages.last_mut() {
                    Some(stage) => stage.extend(b),
                    None if keyword == "ARG" => out.globals.extend(b),
                    None => {}
                }
            }
            "COPY" | "ADD" if in_stage => {
                if rest.iter().any(|w| w.starts_with("--from")) {
                    continue; // from another stage or image
                }
                let args: Vec<&str> = rest
                    .iter()
                    .copied()
                    .filter(|w| !w.starts_with("--"))
                    .collect();
                if args.iter().any(|w| w.starts_with('[') || w.contains("<<")) {
                    out.reads_everything = true; // JSON form or heredoc: not worth guessing
                    continue;
                }
                let instruction = if keyword == "COPY" { "COPY" } else { "ADD" };
                for src in args.iter().take(args.len().saturating_sub(1)) {
                    if src.contains("://") || src.starts_with("git@") {
                        continue; // remote source
                    }
                    if !src.contains('$') && context_path(src).is_none() {
                        out.reads_everything = true;
                        continue;
                    }
                    out.sources.push(source(src, instruction));
                }
            }
            "RUN" if in_stage => {
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
                    if !src.contains('$') && context_path(src).is_none() {
                        out.reads_everything = true;
                        continue;
                    }
                    out.sources.push(source(src, "RUN --mount"));
                }
            }
            _ => {}
        }
    }
    out
}

pub fn analyze(text: String) -> DockerfileFacts {
    let mut facts = DockerfileFacts {
        syntax: syntax_directive(&text),
        buildkit_features: scan_buildkit_features(&text),
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
    let scanned = scan(&text);
    facts.context_sources = scanned.sources;
    facts.reads_everything = scanned.reads_everything;
    facts.global_bindings = scanned.globals;
    facts.stage_bindings = scanned.stages;
    facts.first_from_at = scanned.first_from_at;
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

    fn paths(text: &str, args: &[(&str, &str)]) -> Option<Vec<String>> {
        let args: BTreeMap<String, String> = args
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        analyze(text.into()).read_paths(&args)
    }

    #[test]
    fn context_sources_are_what_copy_add_and_bind_mounts_read() {
        let text = "ARG BASE_IMAGE\nFROM ${BASE_IMAGE}\nCOPY --chmod=755 scripts/a.sh ./app/ /opt/\nCOPY --from=build /x /y\nADD https://example.invalid/f /f\nRUN --mount=type=bind,source=packages,target=/p \\\n    --mount=type=cache,target=/root/.cache \\\n    sh /p/x\n";
        assert_eq!(
            paths(text, &[]),
            Some(vec![
                "scripts/a.sh".to_string(),
                "app".into(),
                "packages".into()
            ])
        );
        let f = analyze(text.into());
        let lines: Vec<(usize, &str)> = f
            .context_sources
            .iter()
            .map(|s| (s.line, &text[s.offset..s.offset + s.len]))
            .collect();
        assert_eq!(lines, [(3, "scripts/a.sh"), (3, "./app/"), (6, "packages")]);
        assert_eq!(paths("FROM x\nCOPY . /app\n", &[]), None);
        let d = [("D", "inputs/a.txt")];
        assert_eq!(
            paths("FROM x\nARG D\nCOPY ${D} x/$D/ /app\n", &d),
            Some(vec!["inputs/a.txt".to_string(), "x/inputs/a.txt".into()])
        );
        // an undeclared name is empty, as for BuildKit: `${E}` is the whole context
        assert_eq!(paths("FROM x\nCOPY ${E} /app\n", &d), None);
        assert_eq!(paths("FROM x\nARG D\nCOPY ./${D}/.. /app\n", &d), None);
        assert_eq!(
            paths("FROM x\nRUN --mount=type=bind,target=/src ls\n", &[]),
            None
        );
        assert_eq!(paths("FROM x\nRUN echo hi\n", &[]), Some(vec![]));
    }

    #[test]
    fn sources_resolve_as_buildkit_does() {
        // a stage ARG's default, overridden by a build arg
        let df = "FROM x\nARG NAME=a\nCOPY inputs/${NAME}.txt /\n";
        assert_eq!(paths(df, &[]), Some(vec!["inputs/a.txt".into()]));
        assert_eq!(
            paths(df, &[("NAME", "b")]),
            Some(vec!["inputs/b.txt".into()])
        );
        // a global ARG is visible in a stage only when redeclared there
        let global = "ARG NAME=g\nFROM x\nCOPY in/${NAME}.txt /\nARG NAME\nCOPY in/${NAME}.txt /\n";
        assert_eq!(
            paths(global, &[]),
            Some(vec!["in/.txt".into(), "in/g.txt".into()])
        );
        assert_eq!(
            paths(global, &[("NAME", "b")]),
            Some(vec!["in/.txt".into(), "in/b.txt".into()])
        );
        // used before its ARG line: not yet declared
        assert_eq!(
            paths(
                "FROM x\nCOPY ${N:-d}/f /\nARG N=a\nCOPY ${N:-d}/f /\n",
                &[("N", "z")]
            ),
            Some(vec!["d/f".into(), "z/f".into()])
        );
        // defaults refer to earlier ARGs; ENV wins over ARG
        assert_eq!(
            paths(
                "FROM x\nARG A=1\nARG B=v${A}\nENV C=${B}-e\nARG C=ignored\nCOPY \"${B}/${C}\" /\n",
                &[("C", "arg")]
            ),
            Some(vec!["v1/v1-e".into()])
        );
        // each stage has its own scope
        assert_eq!(
            paths("FROM x AS one\nARG A=1\nFROM y\nCOPY a${A}b /\n", &[]),
            Some(vec!["ab".into()])
        );
        // forms adf does not read, and args BuildKit fills in: the whole context counts
        assert_eq!(paths("FROM x\nARG A=ab\nCOPY ${A#a} /\n", &[]), None);
        assert_eq!(
            paths("FROM x\nARG TARGETARCH\nCOPY p/${TARGETARCH} /\n", &[]),
            None
        );
        assert_eq!(
            paths(
                "FROM x\nARG TARGETARCH\nCOPY p/${TARGETARCH} /\n",
                &[("TARGETARCH", "arm64")]
            ),
            Some(vec!["p/arm64".into()])
        );
    }

    #[test]
    fn the_first_from_resolves_with_global_args_only() {
        let f = analyze("ARG URL=quay.io/a\nARG VER=8.2\nARG OS=ubuntu\nFROM ${URL}:${VER}-910b-${OS}-py3.12 AS b\nARG LATE=x\n".into());
        let args = |kv: &[(&str, &str)]| -> BTreeMap<String, String> {
            kv.iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect()
        };
        assert_eq!(
            f.resolved_first_from(&args(&[])).as_deref(),
            Some("quay.io/a:8.2-910b-ubuntu-py3.12")
        );
        assert_eq!(
            f.resolved_first_from(&args(&[("VER", "8.3"), ("LATE", "y")]))
                .as_deref(),
            Some("quay.io/a:8.3-910b-ubuntu-py3.12")
        );
        let (line, offset, len) = f.first_from_at.expect("found");
        assert_eq!(line, 4);
        assert_eq!(
            &f.text[offset..offset + len],
            "${URL}:${VER}-910b-${OS}-py3.12"
        );
        // a build arg without a global ARG is not visible in FROM
        let g = analyze("FROM ${BASE}\n".into());
        assert_eq!(g.resolved_first_from(&args(&[("BASE", "a:1")])), None);
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
