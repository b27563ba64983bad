//! model: typed images with resolved parents, a typed [`spec::BuildSpec`] each, and every
//! cross-image check (unknown parents, cycles, duplicate tags, reference grammar, missing files,
//! base-image drift, Dockerfile args). Owns no process and prints nothing; the config's raw
//! syntax stops here.

pub mod build_flags;
pub mod cann_image;
pub mod compat;
pub mod dockerfile;
mod from_config;
pub mod inputs;
pub mod installers;
pub mod platform;
pub mod reference;
pub mod spec;
pub mod stack;
mod validate;

pub use from_config::build;

use crate::config::Str;
use crate::diag::{FileId, Span};
use crate::graph::Dag;
use spec::{BuildSpec, SpecSpans};
use std::collections::HashMap;
use std::path::PathBuf;

/// A file the build needs from outside the context (a CANN `.run`), as declared.
#[derive(Debug, Clone)]
pub struct Installer {
    /// Relative to the config file's directory.
    pub path: Str,
    pub sha256: Option<Str>,
    pub url: Option<String>,
    pub hint: Option<String>,
    /// `allow_outside: true`: the file may be outside the project directory.
    pub allow_outside: bool,
}

/// A `verify:` command of an image.
#[derive(Debug, Clone)]
pub struct VerifyCheck {
    pub name: Option<String>,
    pub run: String,
    /// A regex the output must match.
    pub expect: Option<Str>,
}

/// One image after matrix and platform expansion.
#[derive(Debug, Clone)]
pub struct Image {
    /// Unique: the declared name, or `NAME@ARCH` for one platform of a multi-platform image.
    pub name: String,
    pub name_span: Span,
    /// The name as declared (after the matrix): what `depends_on` and `--target` use.
    pub family: String,
    /// The platform this image is built for, when the file lists platforms for it.
    pub platform: Option<String>,
    /// How many platforms the declaration lists (2 or more: this is one variant of them).
    pub variants: usize,
    /// Matrix values that produced this image (empty without `matrix:`).
    pub matrix: Vec<(String, String)>,
    /// `depends_on` as written; the first known one is the base.
    pub depends_on: Vec<Str>,
    /// Indexes of known `depends_on` images, in written order; the first is the base.
    pub parents: Vec<usize>,
    /// The local tags: the file's tags, or per-platform `REPO:TAG-ARCH` for a variant.
    pub tags: Vec<Str>,
    /// The file's tags: what `push` publishes (one multi-platform index for variants).
    pub published_tags: Vec<Str>,
    /// Build arg that receives the parent's primary tag.
    pub base_arg: String,
    /// The base arg as written in `build.args` (name, value), when it is: what `base-drift`
    /// compares with the parent's tags.
    pub written_base: Option<(Str, Str)>,
    /// What to build, resolved.
    pub spec: BuildSpec,
    /// Where the spec's values were written.
    pub spans: SpecSpans,
    /// `stack:` as written (component, version).
    pub stack: Vec<(Str, Str)>,
    pub installers: Vec<Installer>,
    pub verify: Vec<VerifyCheck>,
    pub description: Option<String>,
    /// Where `runtime_deps:` was written, for diagnostics.
    pub runtime_deps_span: Option<Span>,
    /// `allow_outside: true`: the context and Dockerfile may be outside the project directory.
    pub allow_outside: bool,
}

impl Image {
    pub fn tags(&self) -> impl Iterator<Item = &str> {
        self.tags.iter().map(|t| t.value.as_str())
    }

    /// The first tag: what children build FROM and what freshness is checked on.
    pub fn primary_tag(&self) -> Option<&str> {
        self.tags.first().map(|t| t.value.as_str())
    }

    /// The build args as written in the file (name, value), with where each was written. The
    /// base arg shows its written value, not the injected one.
    pub fn written_args(&self) -> impl Iterator<Item = (&str, &str, Span, Span)> {
        self.spans.args.iter().map(|(name, (ks, vs))| {
            let value = match &self.written_base {
                Some((k, v)) if k.value == *name => v.value.as_str(),
                _ => self.spec.args.get(name).map(String::as_str).unwrap_or(""),
            };
            (name.as_str(), value, *ks, *vs)
        })
    }
}

#[derive(Debug)]
pub struct Project {
    pub path: PathBuf,
    pub dir: PathBuf,
    pub file: FileId,
    pub images: Vec<Image>,
    pub by_name: HashMap<String, usize>,
    /// Declared name → its images (one, or one per platform), in file order.
    pub families: HashMap<String, Vec<usize>>,
    pub dag: Dag,
    /// Top-level secret ids (every image's spec has its sources resolved already).
    pub secret_ids: Vec<String>,
    /// The run's target architecture (`ARCH`): `x86_64` or `aarch64`.
    pub arch: String,
    /// User compatibility rules files (`compat_rules:`), resolved against the file's directory.
    pub compat_rules: Vec<crate::config::Str>,
    /// `registry:` as written (interpolated): the registry/namespace prefix images are
    /// published under and, for freshness, looked up in (`--registry` overrides it).
    pub registry: Option<crate::config::Str>,
    /// `variables:` with their values for this run, in written order (for `adf config`).
    pub variables: Vec<(String, String)>,
    /// The file's `base_arg:` (the default of images that set none).
    pub base_arg: Option<String>,
    /// Top-level `secrets:`: each id with where its value comes from.
    pub secrets: Vec<spec::BuildSecret>,
}

impl Project {
    pub fn find(&self, name: &str) -> Option<usize> {
        self.by_name.get(name).copied()
    }

    /// The images of a declared name: one, or one per platform.
    pub fn family(&self, name: &str) -> &[usize] {
        self.families.get(name).map(Vec::as_slice).unwrap_or(&[])
    }

    /// Image names, for did-you-mean suggestions.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.images.iter().map(|i| i.name.as_str())
    }

    /// The images whose declaration in the file holds `span` (one image, or each platform of
    /// it); empty for a span outside every image's block (top-level keys, other files). A
    /// block runs from its key to the next image's key; the last one to the last value adf
    /// read from it.
    pub fn owners(&self, span: Span) -> Vec<usize> {
        if span.file != self.file {
            return Vec::new();
        }
        let mut keys: Vec<usize> = self.images.iter().map(|i| i.name_span.offset).collect();
        keys.sort_unstable();
        keys.dedup();
        let Some(&start) = keys.iter().rev().find(|&&k| k <= span.offset) else {
            return Vec::new();
        };
        let next = keys.iter().find(|&&k| k > start).copied();
        let owners: Vec<usize> = (0..self.images.len())
            .filter(|&i| self.images[i].name_span.offset == start)
            .collect();
        let end = match next {
            Some(n) => n,
            None => owners
                .iter()
                .flat_map(|&i| self.images[i].written_spans())
                .filter(|s| s.file == self.file && s.offset >= start)
                .map(|s| s.offset + s.len)
                .max()
                .unwrap_or(start),
        };
        if span.offset < end || span.offset == start {
            owners
        } else {
            Vec::new()
        }
    }
}

impl Image {
    /// Every span adf keeps of this image's declaration.
    fn written_spans(&self) -> Vec<Span> {
        let s = &self.spans;
        let mut out = vec![self.name_span, s.build, s.context, s.dockerfile];
        out.extend(s.args.values().flat_map(|(k, v)| [*k, *v]));
        out.extend(s.labels.values().flat_map(|(k, v)| [*k, *v]));
        out.extend(s.target);
        out.extend(s.platforms.iter().chain(&s.secrets).chain(&s.cache_to));
        out.extend(self.depends_on.iter().map(|d| d.span));
        out.extend(self.tags.iter().chain(&self.published_tags).map(|t| t.span));
        out.extend(self.stack.iter().flat_map(|(k, v)| [k.span, v.span]));
        for i in &self.installers {
            out.push(i.path.span);
            out.extend(i.sha256.as_ref().map(|s| s.span));
        }
        out.extend(
            self.verify
                .iter()
                .filter_map(|v| v.expect.as_ref().map(|e| e.span)),
        );
        out.extend(self.runtime_deps_span);
        out
    }
}
