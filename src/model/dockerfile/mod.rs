//! What adf needs to know about a Dockerfile: ARGs declared before the first FROM, every ARG
//! declared anywhere, the stages, the first base image, what the build reads from the context,
//! and BuildKit-only features. Read by adf's own reader ([`reader`]: parser directives including
//! `escape`, continuations with comments in between, heredocs, JSON forms), because the
//! Dockerfile crates do not read heredocs or the escape directive; parse results are cached per
//! path.

mod expand;
pub mod reader;
mod scan;

use expand::{expand, scope, Val};
pub use scan::analyze;
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

#[derive(Clone, Debug)]
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
    /// The escape character (`# escape=`): a backslash unless the file says a backtick.
    pub escape: char,
    pub buildkit_features: Vec<BuildkitFeature>,
    /// Set when the reader found something BuildKit would refuse (an unknown instruction, no
    /// FROM); the other fields are then best effort.
    pub parse_error: Option<String>,
    /// What the build reads from the context (COPY/ADD sources, `RUN --mount=type=bind`
    /// sources) as written: [`DockerfileFacts::read_paths`] resolves them per image.
    pub context_sources: Vec<SourceRef>,
    /// The build may read anything in the context (`COPY . .`, a source adf cannot resolve).
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

impl DockerfileFacts {
    fn globals(&self, args: &BTreeMap<String, String>) -> HashMap<String, Val> {
        scope(&self.global_bindings, self.escape, args, None)
    }

    /// A source with the build args and the Dockerfile's ARG/ENV lines in scope substituted,
    /// as BuildKit does; `None` when adf cannot tell what it resolves to.
    pub fn resolve_source(
        &self,
        src: &SourceRef,
        args: &BTreeMap<String, String>,
    ) -> Option<String> {
        if !src.raw.contains('$') {
            return expand(&src.raw, &HashMap::new(), self.escape);
        }
        let globals = self.globals(args);
        let bindings = self.stage_bindings.get(src.stage)?;
        let vars = scope(
            &bindings[..src.bindings.min(bindings.len())],
            self.escape,
            args,
            Some(&globals),
        );
        expand(&src.raw, &vars, self.escape)
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
        expand(from, &globals, self.escape).filter(|f| !f.is_empty())
    }
}

/// Reads each Dockerfile once, however many images use it.
#[derive(Default)]
pub struct DockerfileCache {
    entries: HashMap<PathBuf, Option<Arc<DockerfileFacts>>>,
}

impl DockerfileCache {
    /// `None` when the file cannot be read (a missing file is reported elsewhere).
    pub fn get(&mut self, path: &Path) -> Option<Arc<DockerfileFacts>> {
        if let Some(facts) = self.entries.get(path) {
            return facts.clone();
        }
        self.entries
            .entry(path.to_path_buf())
            .or_insert_with(|| {
                crate::safe_fs::read_text(path, crate::safe_fs::MAX_TEXT)
                    .ok()
                    .map(|t| Arc::new(analyze(t)))
            })
            .clone()
    }
}

#[cfg(test)]
mod tests;
