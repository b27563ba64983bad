//! model: typed images with resolved parents, paths and references, and every cross-image check
//! (unknown parents, cycles, duplicate tags, reference grammar, missing files, base-image drift,
//! Dockerfile args).

pub mod compat;
pub mod dockerfile;
pub mod installers;
pub mod reference;
pub mod stack;
mod validate;

use crate::config::{self, Config, RawImage, RawSecretSource, Str};
use crate::diag::{Diagnostics, FileId, Span};
use crate::graph::Dag;
use std::collections::HashMap;
use std::path::PathBuf;

/// One image after matrix expansion.
#[derive(Debug, Clone)]
pub struct Image {
    pub name: String,
    pub name_span: Span,
    /// The declaration with every string interpolated.
    pub decl: RawImage,
    /// Matrix values that produced this image (empty without `matrix:`).
    pub matrix: Vec<(String, String)>,
    /// Indexes of known `depends_on` images, in written order; the first is the base.
    pub parents: Vec<usize>,
    /// Build arg that receives the parent's primary tag.
    pub base_arg: String,
    pub context: PathBuf,
    pub dockerfile: PathBuf,
    /// Span to point at for context / dockerfile problems.
    pub context_span: Span,
    pub dockerfile_span: Span,
}

impl Image {
    pub fn tags(&self) -> impl Iterator<Item = &str> {
        self.decl.tags.iter().map(|t| t.value.as_str())
    }

    /// The first tag: what children build FROM and what freshness is checked on.
    pub fn primary_tag(&self) -> Option<&str> {
        self.decl.tags.first().map(|t| t.value.as_str())
    }

    /// The explicitly written value of the base arg, if any.
    pub fn explicit_base(&self) -> Option<&(Str, Str)> {
        self.decl
            .build
            .args
            .iter()
            .find(|(k, _)| k.value == self.base_arg)
    }
}

#[derive(Debug)]
pub struct Project {
    pub path: PathBuf,
    pub dir: PathBuf,
    pub file: FileId,
    pub images: Vec<Image>,
    pub by_name: HashMap<String, usize>,
    pub dag: Dag,
    pub build_flags: Vec<String>,
    pub secrets: Vec<RawSecretSource>,
    /// The run's target architecture (`ARCH`): `x86_64` or `aarch64`.
    pub arch: String,
    /// User compatibility rules files (`compat_rules:`), resolved against the file's directory.
    pub compat_rules: Vec<crate::config::Str>,
}

impl Project {
    pub fn find(&self, name: &str) -> Option<usize> {
        self.by_name.get(name).copied()
    }

    /// Image names, for did-you-mean suggestions.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.images.iter().map(|i| i.name.as_str())
    }
}

/// Types the config and runs every check. The project is returned even when errors were
/// reported (so `check` can say everything at once); callers decide whether to go on.
pub fn build(cfg: Config, diags: &mut Diagnostics) -> Project {
    let top_base_arg = cfg
        .base_arg
        .as_ref()
        .map(|b| b.value.clone())
        .unwrap_or_else(|| config::DEFAULT_BASE_ARG.to_string());
    let mut by_name = HashMap::with_capacity(cfg.images.len());
    let mut images = Vec::with_capacity(cfg.images.len());
    for (decl, matrix) in cfg.images {
        if by_name.contains_key(&decl.key.value) {
            continue; // reported by matrix expansion
        }
        let context_rel = decl
            .build
            .context
            .as_ref()
            .map(|c| c.value.clone())
            .unwrap_or_else(|| ".".into());
        let context = cfg.dir.join(&context_rel);
        let dockerfile_rel = decl
            .build
            .dockerfile
            .as_ref()
            .map(|d| d.value.clone())
            .unwrap_or_else(|| "Dockerfile".into());
        let dockerfile = context.join(&dockerfile_rel);
        let fallback = decl.build.span.unwrap_or(decl.key.span);
        let image = Image {
            name: decl.key.value.clone(),
            name_span: decl.key.span,
            base_arg: decl
                .base_arg
                .as_ref()
                .map(|b| b.value.clone())
                .unwrap_or_else(|| top_base_arg.clone()),
            context,
            dockerfile,
            context_span: decl
                .build
                .context
                .as_ref()
                .map(|c| c.span)
                .unwrap_or(fallback),
            dockerfile_span: decl
                .build
                .dockerfile
                .as_ref()
                .map(|d| d.span)
                .unwrap_or(fallback),
            parents: Vec::new(),
            matrix,
            decl,
        };
        by_name.insert(image.name.clone(), images.len());
        images.push(image);
    }
    for img in &mut images {
        img.parents = img
            .decl
            .depends_on
            .iter()
            .filter_map(|d| by_name.get(&d.value).copied())
            .collect();
    }
    let dag = Dag::new(images.iter().map(|i| i.parents.clone()).collect());
    let project = Project {
        path: cfg.path,
        dir: cfg.dir,
        file: cfg.file,
        images,
        by_name,
        dag,
        build_flags: cfg.build_flags.into_iter().map(|f| f.value).collect(),
        secrets: cfg.secrets,
        arch: cfg.arch,
        compat_rules: cfg.compat_rules,
    };
    validate::run(&project, diags);
    project
}
