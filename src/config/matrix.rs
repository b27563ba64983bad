//! Matrix and platform expansion, and interpolation of every string of every image.
//!
//! An image that lists platforms is interpolated once per platform, with `ARCH` and
//! `DOCKER_ARCH` set from that platform (`linux/arm64`: `aarch64` and `arm64`), so installers,
//! args and stacks follow the architecture they are built for.

use super::interp::{Scope, VarSources};
use super::overrides::{report_unmatched, with_overrides};
use super::schema::{RawFile, RawImage, Str};
use crate::diag::Code;
use crate::diag::{Diagnostic, Diagnostics, Span};
use std::collections::HashMap;

/// The most images one matrix entry may expand to (the product of its axes' lengths): a typo or
/// a hostile file must not make adf allocate millions of images.
pub const MAX_MATRIX_PRODUCT: usize = 1024;

/// Calls `f` on every interpolatable string of an image.
fn for_each_str(img: &mut RawImage, f: &mut dyn FnMut(&mut Str)) {
    f(&mut img.key);
    img.depends_on.iter_mut().for_each(&mut *f);
    if let Some(s) = img.base_arg.as_mut() {
        f(s);
    }
    img.tags.iter_mut().for_each(&mut *f);
    img.build_flags.iter_mut().for_each(&mut *f);
    if let Some(s) = img.description.as_mut() {
        f(s);
    }
    img.stack.iter_mut().for_each(|(_, v)| f(v));
    for inst in &mut img.installers {
        f(&mut inst.path);
        for s in [&mut inst.sha256, &mut inst.url, &mut inst.hint]
            .into_iter()
            .flatten()
        {
            f(s);
        }
    }
    if let Some(d) = img.runtime_deps.as_mut() {
        for s in [&mut d.wheelhouse, &mut d.requirements, &mut d.index_env]
            .into_iter()
            .flatten()
        {
            f(s);
        }
    }
    for v in &mut img.verify {
        f(&mut v.run);
        for s in [&mut v.name, &mut v.expect].into_iter().flatten() {
            f(s);
        }
    }
    let b = &mut img.build;
    for s in [
        &mut b.context,
        &mut b.dockerfile,
        &mut b.target,
        &mut b.network,
        &mut b.shm_size,
    ]
    .into_iter()
    .flatten()
    {
        f(s);
    }
    b.args.iter_mut().for_each(|(_, v)| f(v));
    b.labels.iter_mut().for_each(|(_, v)| f(v));
    for list in [
        &mut b.platforms,
        &mut b.secrets,
        &mut b.cache_from,
        &mut b.cache_to,
        &mut b.extra_hosts,
    ] {
        list.iter_mut().for_each(&mut *f);
    }
}

pub fn interpolate(s: &mut Str, scope: &Scope, diags: &mut Diagnostics) {
    // nothing to substitute: the value stays as it is (no copy of it)
    if !s.value.contains('$') {
        return;
    }
    match scope.expand(&s.value) {
        Ok(v) => s.value = v,
        Err(e) => diags.push(
            Diagnostic::error(Code::Interpolation, e.to_string())
                .at(s.span, e.to_string())
                .help(e.help()),
        ),
    }
}

/// One image of the file after expansion: one matrix combination, one platform.
#[derive(Debug, Clone)]
pub struct Expanded {
    pub image: RawImage,
    /// The matrix values that produced it (empty without `matrix:`).
    pub matrix: Vec<(String, String)>,
    /// The platform this copy is for, when the image lists platforms (its `build.platforms`
    /// then holds just this one).
    pub platform: Option<String>,
    /// How many platforms the image lists (its copies share its name and tags).
    pub platforms: usize,
}

/// `ARCH` and `DOCKER_ARCH` for a platform `os/arch[/variant]`, when its arch is one adf knows.
pub fn arch_vars(platform: &str) -> Option<[(String, String); 2]> {
    let arch = platform.split('/').nth(1)?;
    let normalized = super::normalize_arch(arch)?;
    Some([
        ("ARCH".to_string(), normalized.to_string()),
        (
            "DOCKER_ARCH".to_string(),
            super::docker_arch(normalized).to_string(),
        ),
    ])
}

/// Gives the image the file's `cache_from` / `cache_to` for each it does not set itself
/// (interpolated later with the image's own variables, so `${DOCKER_ARCH}` follows its
/// platform).
fn add_cache_defaults(img: &mut RawImage, raw: &RawFile) {
    if img.build.cache_from.is_empty() && !raw.cache_from.is_empty() {
        img.build.cache_from = raw.cache_from.clone();
    }
    if img.build.cache_to.is_empty() && !raw.cache_to.is_empty() {
        img.build.cache_to = raw.cache_to.clone();
    }
}

/// One image per matrix combination and platform (one for an image with neither), every
/// string interpolated. Reports empty axes and image names that collide after expansion.
/// The file's images are moved out of `raw` (the last copy of each is the declaration itself).
pub fn expand(raw: &mut RawFile, sources: &VarSources, diags: &mut Diagnostics) -> Vec<Expanded> {
    let mut out = Vec::with_capacity(raw.images.len());
    let base_scope = Scope {
        sources,
        matrix: &[],
    };
    let mut used = vec![false; sources.overrides.len()];
    for mut img in std::mem::take(&mut raw.images) {
        add_cache_defaults(&mut img, raw);
        let mut axes: Vec<(String, Vec<String>)> = Vec::new();
        let mut ok = true;
        for (axis, values) in &img.matrix {
            if values.is_empty() {
                diags.push(
                    Diagnostic::error(
                        Code::EmptyMatrixAxis,
                        format!(
                            "matrix axis `{}` of image `{}` has no values",
                            axis.value, img.key.value
                        ),
                    )
                    .at(axis.span, "empty axis")
                    .help(format!(
                        "list at least one value, e.g. `{}: [910b]`, or remove the axis",
                        axis.value
                    )),
                );
                ok = false;
                continue;
            }
            let mut vals = Vec::with_capacity(values.len());
            for v in values {
                let mut v = v.clone();
                interpolate(&mut v, &base_scope, diags);
                vals.push(v.value);
            }
            axes.push((axis.value.clone(), vals));
        }
        if !ok {
            continue;
        }
        let product = axes
            .iter()
            .try_fold(1usize, |n, (_, v)| n.checked_mul(v.len()));
        if product.is_none_or(|n| n > MAX_MATRIX_PRODUCT) {
            let sizes: Vec<String> = axes.iter().map(|(_, v)| v.len().to_string()).collect();
            let size =
                product.map_or_else(|| "more than usize::MAX".to_string(), |n| n.to_string());
            let span = img.matrix.first().map_or(img.key.span, |(a, _)| a.span);
            diags.push(
                Diagnostic::error(
                    Code::MatrixTooLarge,
                    format!(
                        "the matrix of image `{}` expands to {size} images ({}), more than the {MAX_MATRIX_PRODUCT} adf builds from one entry",
                        img.key.value,
                        sizes.join(" x ")
                    ),
                )
                .at(span, format!("{size} combinations"))
                .help("split the entry, or drop axis values nobody builds"),
            );
            continue;
        }
        let combos = cartesian(&axes);
        let last_combo = combos.len().saturating_sub(1);
        for (combo_index, combo) in combos.into_iter().enumerate() {
            let scope = Scope {
                sources,
                matrix: &combo,
            };
            let mut overridden = match with_overrides(&img, &scope, &sources.overrides, &mut used) {
                std::borrow::Cow::Owned(o) => Some(o),
                std::borrow::Cow::Borrowed(_) => None,
            };
            let mut platforms: Vec<Str> = Vec::new();
            for p in &overridden.as_ref().unwrap_or(&img).build.platforms {
                let mut p = p.clone();
                interpolate(&mut p, &scope, diags);
                if !platforms.iter().any(|q| q.value == p.value) {
                    platforms.push(p);
                }
            }
            // a copy of the image for each output, but the last one takes it
            let mut copy = |last_of_combo: bool| match overridden.as_mut() {
                Some(o) if last_of_combo => std::mem::take(o),
                Some(o) => o.clone(),
                None if last_of_combo && combo_index == last_combo => std::mem::take(&mut img),
                None => img.clone(),
            };
            if platforms.is_empty() {
                let mut expanded = copy(true);
                expanded.matrix.clear();
                for_each_str(&mut expanded, &mut |s| interpolate(s, &scope, diags));
                out.push(Expanded {
                    image: expanded,
                    matrix: combo,
                    platform: None,
                    platforms: 0,
                });
                continue;
            }
            for (pi, p) in platforms.iter().enumerate() {
                let mut vars = combo.clone();
                if let Some(arch) = arch_vars(&p.value) {
                    vars.extend(arch);
                }
                let scope = Scope {
                    sources,
                    matrix: &vars,
                };
                let mut expanded = copy(pi + 1 == platforms.len());
                expanded.matrix.clear();
                expanded.build.platforms.clear();
                for_each_str(&mut expanded, &mut |s| interpolate(s, &scope, diags));
                expanded.build.platforms = vec![p.clone()];
                out.push(Expanded {
                    image: expanded,
                    matrix: combo.clone(),
                    platform: Some(p.value.clone()),
                    platforms: platforms.len(),
                });
            }
        }
    }
    report_duplicate_names(&out, diags);
    report_unmatched(&sources.overrides, &used, &out, diags);
    out
}

fn cartesian(axes: &[(String, Vec<String>)]) -> Vec<Vec<(String, String)>> {
    let mut combos: Vec<Vec<(String, String)>> = vec![Vec::new()];
    for (axis, values) in axes {
        let mut next = Vec::with_capacity(combos.len() * values.len());
        for combo in &combos {
            for v in values {
                let mut c = combo.clone();
                c.push((axis.clone(), v.clone()));
                next.push(c);
            }
        }
        combos = next;
    }
    combos
}

fn report_duplicate_names(images: &[Expanded], diags: &mut Diagnostics) {
    let mut first: HashMap<(&str, Option<&str>), Span> = HashMap::with_capacity(images.len());
    for e in images {
        let (img, combo) = (&e.image, &e.matrix);
        let key = (img.key.value.as_str(), e.platform.as_deref());
        if let Some(prev) = first.get(&key) {
            let axes: Vec<String> = combo.iter().map(|(k, _)| format!("${{{k}}}")).collect();
            let help = if axes.is_empty() {
                "give each image a unique name".to_string()
            } else {
                format!(
                    "put every matrix axis into the image name, e.g. `name-{}`",
                    axes.join("-")
                )
            };
            let mut d = Diagnostic::error(
                Code::DuplicateImage,
                format!(
                    "image name `{}` occurs twice after matrix expansion",
                    img.key.value
                ),
            )
            .at(img.key.span, "expands to a name that already exists")
            .help(help);
            if *prev != img.key.span {
                d = d.also(*prev, "first defined here");
            }
            diags.push(d);
        } else {
            first.insert(key, img.key.span);
        }
    }
}

#[cfg(test)]
mod platform_tests {
    use super::arch_vars;

    #[test]
    fn each_platform_sets_its_own_arch() {
        let vars = |p: &str| arch_vars(p).map(|[a, d]| (a.1, d.1));
        assert_eq!(
            vars("linux/arm64"),
            Some(("aarch64".into(), "arm64".into()))
        );
        assert_eq!(vars("linux/amd64"), Some(("x86_64".into(), "amd64".into())));
        assert_eq!(vars("linux/s390x"), None);
        assert_eq!(vars("nonsense"), None);
    }
}
