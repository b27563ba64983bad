//! The file's schema: turns the spanned YAML tree into raw, not yet interpolated structs,
//! reporting unknown keys (with did-you-mean) and wrong shapes, all at once.

use super::sections::{read_installers, read_runtime_deps, read_secret_sources, read_verify};
use super::yaml::{Node, NodeKind};
use crate::diag::Code;
use crate::diag::{Diagnostic, Diagnostics, Span, Spanned};

pub type Str = Spanned<String>;
pub type Pairs = Vec<(Str, Str)>;

#[derive(Debug, Default)]
pub struct RawFile {
    pub variables: Pairs,
    pub base_arg: Option<Str>,
    pub build_flags: Vec<Str>,
    pub secrets: Vec<RawSecretSource>,
    /// Extra compatibility rules files (same format as knowledge/compat.toml).
    pub compat_rules: Vec<Str>,
    /// `registry:`: the registry/namespace prefix images are published under (as `push --to`).
    pub registry: Option<Str>,
    /// File-level build cache defaults, for images that set none.
    pub cache_from: Vec<Str>,
    pub cache_to: Vec<Str>,
    pub images: Vec<RawImage>,
    /// Span of the `images` key, for errors about the whole section.
    pub images_span: Option<Span>,
}

#[derive(Debug, Clone)]
pub struct RawSecretSource {
    pub id: Str,
    pub file: Option<Str>,
    pub environment: Option<Str>,
}

#[derive(Debug, Clone, Default)]
pub struct RawImage {
    pub key: Str,
    pub depends_on: Vec<Str>,
    pub matrix: Vec<(Str, Vec<Str>)>,
    pub base_arg: Option<Str>,
    pub build: RawBuild,
    pub tags: Vec<Str>,
    pub stack: Pairs,
    pub installers: Vec<RawInstaller>,
    pub verify: Vec<RawVerify>,
    pub runtime_deps: Option<RawRuntimeDeps>,
    pub build_flags: Vec<Str>,
    pub description: Option<Str>,
    /// `allow_outside: true`: the context and Dockerfile may resolve outside the project.
    pub allow_outside: Option<Spanned<bool>>,
}

#[derive(Debug, Clone, Default)]
pub struct RawBuild {
    /// Span of the `build` key (or the image key when absent).
    pub span: Option<Span>,
    pub context: Option<Str>,
    pub dockerfile: Option<Str>,
    pub args: Pairs,
    pub target: Option<Str>,
    pub platforms: Vec<Str>,
    pub secrets: Vec<Str>,
    pub labels: Pairs,
    pub network: Option<Str>,
    pub shm_size: Option<Str>,
    pub no_cache: Option<Spanned<bool>>,
    pub pull: Option<Spanned<bool>>,
    pub cache_from: Vec<Str>,
    pub cache_to: Vec<Str>,
    pub extra_hosts: Vec<Str>,
}

#[derive(Debug, Clone)]
pub struct RawInstaller {
    pub span: Span,
    pub path: Str,
    pub sha256: Option<Str>,
    pub url: Option<Str>,
    pub hint: Option<Str>,
    /// `allow_outside: true`: the path may resolve outside the project.
    pub allow_outside: bool,
}

/// `runtime_deps:` of an image: Python packages installed when its container starts.
#[derive(Debug, Clone)]
pub struct RawRuntimeDeps {
    pub span: Span,
    pub wheelhouse: Option<Str>,
    pub requirements: Option<Str>,
    pub index_env: Option<Str>,
}

#[derive(Debug, Clone)]
pub struct RawVerify {
    pub span: Span,
    pub name: Option<Str>,
    pub run: Str,
    pub expect: Option<Str>,
}

pub const TOP_KEYS: &[&str] = &[
    "version",
    "name",
    "variables",
    "base_arg",
    "build_flags",
    "secrets",
    "compat_rules",
    "registry",
    "cache_from",
    "cache_to",
    "images",
];
pub const IMAGE_KEYS: &[&str] = &[
    "depends_on",
    "build",
    "tags",
    "matrix",
    "base_arg",
    "stack",
    "installers",
    "verify",
    "runtime_deps",
    "build_flags",
    "description",
    "allow_outside",
];
pub const BUILD_KEYS: &[&str] = &[
    "context",
    "dockerfile",
    "args",
    "target",
    "platforms",
    "secrets",
    "labels",
    "network",
    "shm_size",
    "no_cache",
    "pull",
    "cache_from",
    "cache_to",
    "extra_hosts",
];
pub(super) const INSTALLER_KEYS: &[&str] = &["path", "sha256", "url", "hint", "allow_outside"];
pub(super) const VERIFY_KEYS: &[&str] = &["name", "run", "expect"];
pub(super) const RUNTIME_DEPS_KEYS: &[&str] = &["wheelhouse", "requirements", "index_env"];
pub(super) const SECRET_KEYS: &[&str] = &["file", "environment"];

/// The closest known word, when it is close enough to be a plausible typo.
pub fn did_you_mean<'a>(word: &str, known: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    known
        .into_iter()
        .map(|k| {
            (
                strsim::jaro_winkler(&word.to_lowercase(), &k.to_lowercase()),
                k,
            )
        })
        .filter(|(score, _)| *score >= 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, k)| k)
}

pub(super) struct Reader<'a> {
    pub(super) diags: &'a mut Diagnostics,
}

impl Reader<'_> {
    pub(super) fn wrong_shape(&mut self, node: &Node, what: &str, expected: &str, example: &str) {
        self.diags.push(
            Diagnostic::error(
                Code::WrongType,
                format!("{what} must be {expected}, found {}", node.kind_name()),
            )
            .at(node.span, format!("expected {expected}"))
            .help(format!("write it like: {example}")),
        );
    }

    pub(super) fn map<'n>(
        &mut self,
        node: &'n Node,
        what: &str,
        example: &str,
    ) -> &'n [(Node, Node)] {
        match &node.kind {
            NodeKind::Map(m) => m,
            _ if node.is_null() => &[],
            _ => {
                self.wrong_shape(node, what, "a mapping", example);
                &[]
            }
        }
    }

    /// Reports keys not in `known` (keys starting with `x-` are extension fields and ignored).
    pub(super) fn known_keys<'n>(
        &mut self,
        entries: &'n [(Node, Node)],
        known: &[&str],
        section: &str,
    ) -> Vec<(&'n str, &'n Node, &'n Node)> {
        let mut out = Vec::new();
        for (k, v) in entries {
            let NodeKind::Scalar { value: key, .. } = &k.kind else {
                continue;
            };
            if key.starts_with("x-") {
                continue;
            }
            if known.contains(&key.as_str()) {
                out.push((key.as_str(), k, v));
                continue;
            }
            let mut d = Diagnostic::error(
                Code::UnknownKey,
                format!("unknown key `{key}` in {section}"),
            );
            d = match (key.as_str(), did_you_mean(key, known.iter().copied())) {
                ("services", _) => d.at(k.span, "not an adf key").help("adf reads images from `images:` (compose's `services:` describes containers, not images)"),
                (_, Some(s)) => d.at(k.span, format!("did you mean `{s}`?")).help(format!("rename it to `{s}`, or prefix it with `x-` to keep it as a note adf ignores")),
                _ => d.at(k.span, "not recognised").help(format!("known keys here: {}; prefix custom keys with `x-`", known.join(", "))),
            };
            self.diags.push(d);
        }
        out
    }

    pub(super) fn scalar(&mut self, node: &Node, what: &str, example: &str) -> Option<Str> {
        match &node.kind {
            NodeKind::Scalar { value, .. } if !node.is_null() => {
                Some(Spanned::new(value.clone(), node.span))
            }
            _ => {
                self.wrong_shape(node, what, "a string", example);
                None
            }
        }
    }

    /// [`Reader::scalar`] whose `what` is written only for a diagnostic.
    pub(super) fn scalar_of(
        &mut self,
        node: &Node,
        what: impl FnOnce() -> String,
        example: &str,
    ) -> Option<Str> {
        match &node.kind {
            NodeKind::Scalar { value, .. } if !node.is_null() => {
                Some(Spanned::new(value.clone(), node.span))
            }
            _ => self.scalar(node, &what(), example),
        }
    }

    pub(super) fn bool(&mut self, node: &Node, what: &str) -> Option<Spanned<bool>> {
        match &node.kind {
            NodeKind::Scalar { value, plain: true } if value == "true" || value == "false" => {
                Some(Spanned::new(value == "true", node.span))
            }
            _ => {
                self.wrong_shape(node, what, "true or false", &format!("{what}: true"));
                None
            }
        }
    }

    /// A list of strings; a single string is accepted as a one-item list.
    pub(super) fn strings(&mut self, node: &Node, what: &str, example: &str) -> Vec<Str> {
        match &node.kind {
            NodeKind::Seq(items) => items
                .iter()
                .filter_map(|n| self.scalar_of(n, || format!("each entry of {what}"), example))
                .collect(),
            NodeKind::Scalar { .. } if !node.is_null() => {
                self.scalar(node, what, example).into_iter().collect()
            }
            _ if node.is_null() => Vec::new(),
            _ => {
                self.wrong_shape(node, what, "a list of strings", example);
                Vec::new()
            }
        }
    }

    /// `KEY: value` mapping, or compose's list form `["KEY=value"]`.
    pub(super) fn pairs(&mut self, node: &Node, what: &str, example: &str) -> Pairs {
        match &node.kind {
            NodeKind::Map(entries) => {
                let mut out = Vec::new();
                for (k, v) in entries {
                    let Some(key) = self.scalar_of(k, || format!("a key of {what}"), example)
                    else {
                        continue;
                    };
                    if v.is_null() {
                        self.diags.push(
                            Diagnostic::error(Code::MissingValue, format!("`{}` in {what} has no value", key.value))
                                .at(k.span, "no value")
                                .help(format!("give it a value (`{}: \"...\"`) or take it from a variable (`{0}: ${{{0}}}`)", key.value)),
                        );
                        continue;
                    }
                    if let Some(val) =
                        self.scalar_of(v, || format!("`{}` in {what}", key.value), example)
                    {
                        out.push((key, val));
                    }
                }
                out
            }
            NodeKind::Seq(items) => {
                let mut out = Vec::new();
                for item in items {
                    let Some(s) = self.scalar_of(item, || format!("each entry of {what}"), example)
                    else {
                        continue;
                    };
                    match s.value.split_once('=') {
                        Some((k, v)) => {
                            let key_span = Span {
                                len: k.len().max(1),
                                ..s.span
                            };
                            out.push((
                                Spanned::new(k.to_string(), key_span),
                                Spanned::new(v.to_string(), s.span),
                            ));
                        }
                        None => self.diags.push(
                            Diagnostic::error(
                                Code::MissingValue,
                                format!("`{}` in {what} has no `=value`", s.value),
                            )
                            .at(s.span, "expected KEY=value")
                            .help(format!(
                                "write it as `{}=...` or use the mapping form",
                                s.value
                            )),
                        ),
                    }
                }
                out
            }
            _ if node.is_null() => Vec::new(),
            _ => {
                self.wrong_shape(node, what, "a mapping", example);
                Vec::new()
            }
        }
    }
}

/// Reads the document root. Every problem goes to `diags`; what could be read is returned.
pub fn read(root: &Node, diags: &mut Diagnostics) -> RawFile {
    let mut r = Reader { diags };
    let mut file = RawFile::default();
    let top = r.map(
        root,
        "the file",
        "images:\n  python-3.10:\n    build: {context: ., dockerfile: Dockerfile}",
    );
    let mut saw_images = false;
    for (key, k, v) in r.known_keys(top, TOP_KEYS, "the top level") {
        match key {
            "version" | "name" => {}
            "variables" => {
                file.variables = r.pairs(v, "variables", "variables: {REGISTRY: xuopoj}")
            }
            "base_arg" => file.base_arg = r.scalar(v, "base_arg", "base_arg: BASE_IMAGE"),
            "build_flags" => {
                file.build_flags = r.strings(v, "build_flags", "build_flags: [--network, host]")
            }
            "secrets" => file.secrets = read_secret_sources(&mut r, v),
            "compat_rules" => {
                file.compat_rules =
                    r.strings(v, "compat_rules", "compat_rules: [rules/our-lab.toml]")
            }
            "registry" => file.registry = r.scalar(v, "registry", "registry: 127.0.0.1:5000/team"),
            "cache_from" => {
                file.cache_from = r.strings(
                    v,
                    "cache_from",
                    "cache_from: [\"type=registry,ref=swr.example.com/ai/cache\"]",
                )
            }
            "cache_to" => file.cache_to = r.strings(v, "cache_to", "cache_to: [type=inline]"),
            "images" => {
                saw_images = true;
                file.images_span = Some(k.span);
                let images = r.map(v, "images", "images:\n  python-3.10: {...}");
                for (ik, iv) in images {
                    if let Some(img) = read_image(&mut r, ik, iv) {
                        file.images.push(img);
                    }
                }
            }
            _ => {}
        }
    }
    if !saw_images && matches!(root.kind, NodeKind::Map(_)) {
        r.diags.push(
            Diagnostic::error(Code::NoImages, "the file has no `images:` section")
                .at(root.span, "top level starts here")
                .help("declare images under `images:`; `adf init` writes a starting point"),
        );
    }
    file
}

fn read_image(r: &mut Reader, key_node: &Node, node: &Node) -> Option<RawImage> {
    let key = r.scalar(key_node, "an image name", "python-3.10")?;
    let mut img = RawImage {
        key,
        ..RawImage::default()
    };
    let section = format!("image `{}`", img.key.value);
    let entries = r.map(
        node,
        &section,
        "build: {context: ., dockerfile: Dockerfile}",
    );
    img.build.span = Some(img.key.span);
    for (k, kn, v) in r.known_keys(entries, IMAGE_KEYS, &section) {
        match k {
            "depends_on" => {
                // compose also allows a mapping `{name: {condition: ...}}`: take its keys.
                img.depends_on = match &v.kind {
                    NodeKind::Map(m) => m
                        .iter()
                        .filter_map(|(dk, _)| {
                            r.scalar(dk, "depends_on", "depends_on: [python-3.10]")
                        })
                        .collect(),
                    _ => r.strings(v, "depends_on", "depends_on: [python-3.10]"),
                }
            }
            "build" => read_build(r, kn, v, &mut img.build),
            "tags" => img.tags = r.strings(v, "tags", "tags: [\"org/python:3.10\"]"),
            "matrix" => {
                for (ak, av) in r.map(v, "matrix", "matrix: {chip: [910b, 310p]}") {
                    let Some(axis) = r.scalar(ak, "a matrix axis", "chip") else {
                        continue;
                    };
                    let values = match &av.kind {
                        NodeKind::Seq(_) => r.strings(
                            av,
                            &format!("matrix axis `{}`", axis.value),
                            "chip: [910b, 310p]",
                        ),
                        _ => {
                            r.wrong_shape(
                                av,
                                &format!("matrix axis `{}`", axis.value),
                                "a list of values",
                                "chip: [910b, 310p]",
                            );
                            continue;
                        }
                    };
                    img.matrix.push((axis, values));
                }
            }
            "base_arg" => img.base_arg = r.scalar(v, "base_arg", "base_arg: BASE_IMAGE"),
            "stack" => img.stack = r.pairs(v, "stack", "stack: {python: \"3.10\", cann: 8.2.RC1}"),
            "installers" => img.installers = read_installers(r, v),
            "verify" => img.verify = read_verify(r, v),
            "runtime_deps" => img.runtime_deps = read_runtime_deps(r, v),
            "build_flags" => {
                img.build_flags = r.strings(v, "build_flags", "build_flags: [--network, host]")
            }
            "allow_outside" => img.allow_outside = r.bool(v, "allow_outside"),
            _ => img.description = r.scalar(v, "description", "description: CANN toolkit for 910B"),
        }
    }
    Some(img)
}

fn read_build(r: &mut Reader, key_node: &Node, node: &Node, build: &mut RawBuild) {
    build.span = Some(key_node.span);
    // compose shorthand: `build: ./dir`
    if let NodeKind::Scalar { .. } = node.kind {
        build.context = r.scalar(node, "build", "build: ./dir");
        return;
    }
    let entries = r.map(node, "build", "build: {context: ., dockerfile: Dockerfile}");
    for (k, _, v) in r.known_keys(entries, BUILD_KEYS, "build") {
        match k {
            "context" => build.context = r.scalar(v, "build.context", "context: ."),
            "dockerfile" => {
                build.dockerfile = r.scalar(
                    v,
                    "build.dockerfile",
                    "dockerfile: dockerfiles/python.dockerfile",
                )
            }
            "args" => build.args = r.pairs(v, "build.args", "args: {PYTHON_VERSION: \"3.10\"}"),
            "target" => build.target = r.scalar(v, "build.target", "target: runtime"),
            "platforms" => {
                build.platforms = r.strings(v, "build.platforms", "platforms: [linux/arm64]")
            }
            "secrets" => {
                build.secrets = match &v.kind {
                    // long form: [{source: ca, target: ...}] → the source names
                    NodeKind::Seq(items) => items
                        .iter()
                        .filter_map(|it| match &it.kind {
                            NodeKind::Map(m) => m
                                .iter()
                                .find(|(mk, _)| matches!(&mk.kind, NodeKind::Scalar { value, .. } if value == "source"))
                                .and_then(|(_, mv)| r.scalar(mv, "secrets.source", "source: ca")),
                            _ => r.scalar(it, "each entry of build.secrets", "secrets: [ca]"),
                        })
                        .collect(),
                    _ => r.strings(v, "build.secrets", "secrets: [ca]"),
                }
            }
            "labels" => {
                build.labels = r.pairs(
                    v,
                    "build.labels",
                    "labels: {org.opencontainers.image.vendor: me}",
                )
            }
            "network" => build.network = r.scalar(v, "build.network", "network: host"),
            "shm_size" => build.shm_size = r.scalar(v, "build.shm_size", "shm_size: 2g"),
            "no_cache" => build.no_cache = r.bool(v, "no_cache"),
            "pull" => build.pull = r.bool(v, "pull"),
            "cache_from" => {
                build.cache_from = r.strings(v, "build.cache_from", "cache_from: [org/app:cache]")
            }
            "cache_to" => {
                build.cache_to = r.strings(v, "build.cache_to", "cache_to: [type=inline]")
            }
            _ => {
                build.extra_hosts = r.strings(
                    v,
                    "build.extra_hosts",
                    "extra_hosts: [\"mirror:127.0.0.1\"]",
                )
            }
        }
    }
}
