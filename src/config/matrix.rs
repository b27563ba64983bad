//! Matrix expansion and interpolation of every string of every image.

use super::interp::{Scope, VarSources};
use super::schema::{RawFile, RawImage, Str};
use crate::diag::Code;
use crate::diag::{Diagnostic, Diagnostics, Span};
use std::collections::HashMap;

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
        &mut b.extra_hosts,
    ] {
        list.iter_mut().for_each(&mut *f);
    }
}

pub fn interpolate(s: &mut Str, scope: &Scope, diags: &mut Diagnostics) {
    match scope.expand(&s.value) {
        Ok(v) => s.value = v,
        Err(e) => diags.push(
            Diagnostic::error(Code::Interpolation, e.to_string())
                .at(s.span, e.to_string())
                .help(e.help()),
        ),
    }
}

/// One image per matrix combination (one for an image without `matrix:`), every string
/// interpolated. Reports empty axes and image names that collide after expansion.
pub fn expand(
    raw: &RawFile,
    sources: &VarSources,
    diags: &mut Diagnostics,
) -> Vec<(RawImage, Vec<(String, String)>)> {
    let mut out = Vec::with_capacity(raw.images.len());
    let base_scope = Scope {
        sources,
        matrix: &[],
    };
    for img in &raw.images {
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
        for combo in cartesian(&axes) {
            let scope = Scope {
                sources,
                matrix: &combo,
            };
            let mut expanded = img.clone();
            expanded.matrix.clear();
            for_each_str(&mut expanded, &mut |s| interpolate(s, &scope, diags));
            out.push((expanded, combo));
        }
    }
    report_duplicate_names(&out, diags);
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

fn report_duplicate_names(images: &[(RawImage, Vec<(String, String)>)], diags: &mut Diagnostics) {
    let mut first: HashMap<&str, Span> = HashMap::with_capacity(images.len());
    for (img, combo) in images {
        if let Some(prev) = first.get(img.key.value.as_str()) {
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
            first.insert(&img.key.value, img.key.span);
        }
    }
}
