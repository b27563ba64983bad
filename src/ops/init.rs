//! `adf init`: the built-in catalog loaded as a project, its stacks, and one stack (with every
//! layer under it) cut out of the catalog's file to write out.

use crate::config::{self, VarSources};
use crate::diag::{Diagnostic, Diagnostics, Sources};
use crate::model::{self, Project};
use crate::{catalog, plan};
use std::collections::BTreeSet;

/// The catalog as a project, with its file's text.
pub struct Catalog {
    pub project: Project,
    pub text: String,
}

pub fn catalog() -> Result<Catalog, String> {
    let compose = catalog::materialize()
        .map_err(|e| format!("cannot write out the built-in catalog: {e}"))?;
    let mut sources = Sources::default();
    let mut diags = Diagnostics::default();
    let vars = VarSources {
        env: std::env::vars().collect(),
        ..VarSources::default()
    };
    let cfg = config::load(
        &compose,
        &mut sources,
        vars,
        &super::timestamp(),
        &mut diags,
    )
    .ok_or("the built-in catalog does not load (a bug)")?;
    let project = model::build(cfg, &mut sources, &mut diags);
    let text = sources.get(project.file).text.to_string();
    Ok(Catalog { project, text })
}

/// The catalog's stacks (its leaf images, by declared name: a multi-platform one once) with
/// their descriptions.
pub fn stacks(c: &Catalog) -> Vec<(String, String)> {
    let p = &c.project;
    let all = vec![true; p.images.len()];
    let mut out: Vec<(String, String)> = Vec::new();
    for i in (0..p.images.len()).filter(|&i| p.dag.role(i, &all) == crate::graph::Role::Leaf) {
        let img = &p.images[i];
        if !out.iter().any(|(name, _)| *name == img.family) {
            out.push((
                img.family.clone(),
                img.description.clone().unwrap_or_default(),
            ));
        }
    }
    out
}

/// The catalog's file with only the images `targets` select and everything they build on (the
/// whole file when `targets` is empty).
pub fn compose_text(c: &Catalog, targets: &[String]) -> Result<String, Box<Diagnostic>> {
    if targets.is_empty() {
        return Ok(c.text.clone());
    }
    let p = &c.project;
    let selected = plan::select(p, targets)?;
    let all: Vec<usize> = p.images.iter().map(|i| i.name_span.offset).collect();
    // a kept matrix block brings all its combinations: keep their parents' blocks too
    let mut keep: BTreeSet<usize> = p
        .images
        .iter()
        .enumerate()
        .filter(|(i, _)| selected[*i])
        .map(|(_, img)| img.name_span.offset)
        .collect();
    loop {
        let before = keep.len();
        let parents: Vec<usize> = p
            .images
            .iter()
            .filter(|img| keep.contains(&img.name_span.offset))
            .flat_map(|img| img.parents.iter().map(|&q| p.images[q].name_span.offset))
            .collect();
        keep.extend(parents);
        if keep.len() == before {
            break;
        }
    }
    let keep: Vec<usize> = keep.into_iter().collect();
    Ok(catalog::filter_images(&c.text, &all, &keep))
}
