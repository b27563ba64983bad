//! The file's schema: turns the spanned YAML tree into raw, not yet interpolated structs,
//! reporting unknown keys (with did-you-mean) and wrong shapes, all at once.
//!
//! Here: the raw structs, the keys each section knows, and [`read`], the reader of the document
//! root. The shape checks are in [`reader`]; an image's entry and its `build:` are read in
//! `image`, the other nested sections in `config/sections.rs`.

mod image;
pub mod reader;

use super::sections::read_secret_sources;
use super::yaml::{Node, NodeKind};
use crate::diag::Code;
use crate::diag::{Diagnostic, Diagnostics, Span, Spanned};
use image::read_image;
use reader::Reader;

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
