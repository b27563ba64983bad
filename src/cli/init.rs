//! `adf init`: write the built-in catalog (or one stack of it) out to edit.

use super::{EXIT_BAD_INPUT, EXIT_OK};
use crate::config::{self, VarSources};
use crate::diag::{Diagnostics, Sources};
use crate::{catalog, model, plan, render};
use clap::Args;
use std::path::PathBuf;

#[derive(Args, Debug)]
pub struct InitArgs {
    /// Only this stack: a catalog image (or `*` glob) and everything it builds on (repeatable)
    #[arg(long = "stack", value_name = "IMAGE")]
    pub stacks: Vec<String>,
    /// List the catalog's stacks (its leaf images) and exit
    #[arg(long)]
    pub list: bool,
    /// Overwrite files that exist and differ
    #[arg(long)]
    pub force: bool,
    /// Where to write [default: .]
    pub dir: Option<PathBuf>,
}

pub const INIT_HELP: &str = "\
Examples:
  adf init --list                              the stacks of the built-in catalog
  adf init                                     the whole catalog into the current directory
  adf init --stack vllm-ascend-0.9.1-910b my-stack
                                               one stack and the layers under it
  adf init --stack 'yolo-*' --stack flask-api .

Writes dockerfile-compose.yaml, dockerfiles/, scripts/, README.md and an empty packages/ for
the CANN installers (`adf check` lists the ones each image needs and where to get them).
Files that exist and differ are never overwritten without --force; nothing is written then.";

pub fn run(a: InitArgs) -> i32 {
    let compose = match catalog::materialize() {
        Ok(p) => p,
        Err(e) => {
            eprintln!("adf: cannot write out the built-in catalog: {e}");
            return EXIT_BAD_INPUT;
        }
    };
    let mut sources = Sources::default();
    let mut diags = Diagnostics::default();
    let vars = VarSources {
        env: std::env::vars().collect(),
        ..VarSources::default()
    };
    let Some(cfg) = config::load(
        &compose,
        &mut sources,
        vars,
        &crate::ops::timestamp(),
        &mut diags,
    ) else {
        eprintln!("adf: the built-in catalog does not load (a bug)");
        return EXIT_BAD_INPUT;
    };
    let project = model::build(cfg, &mut diags);
    let text = sources.get(project.file).text.clone();
    if a.list {
        let all = vec![true; project.images.len()];
        let rows: Vec<Vec<String>> = (0..project.images.len())
            .filter(|&i| project.dag.role(i, &all) == crate::graph::Role::Leaf)
            .map(|i| {
                let img = &project.images[i];
                vec![
                    img.name.clone(),
                    img.description.clone().unwrap_or_default(),
                ]
            })
            .collect();
        print!("{}", render::table(&["STACK", "DESCRIPTION"], &rows));
        return EXIT_OK;
    }
    let compose_text = if a.stacks.is_empty() {
        text.to_string()
    } else {
        let selected = match plan::select(&project, &a.stacks) {
            Ok(s) => s,
            Err(d) => return super::print_diag_error(*d),
        };
        let all: Vec<usize> = project.images.iter().map(|i| i.name_span.offset).collect();
        // a kept matrix block brings all its combinations: keep their parents' blocks too
        let mut keep: std::collections::BTreeSet<usize> = project
            .images
            .iter()
            .enumerate()
            .filter(|(i, _)| selected[*i])
            .map(|(_, img)| img.name_span.offset)
            .collect();
        loop {
            let before = keep.len();
            let parents: Vec<usize> = project
                .images
                .iter()
                .filter(|img| keep.contains(&img.name_span.offset))
                .flat_map(|img| {
                    img.parents
                        .iter()
                        .map(|&p| project.images[p].name_span.offset)
                })
                .collect();
            keep.extend(parents);
            if keep.len() == before {
                break;
            }
        }
        let keep: Vec<usize> = keep.into_iter().collect();
        catalog::filter_images(&text, &all, &keep)
    };
    let dest = a.dir.unwrap_or_else(|| PathBuf::from("."));
    match catalog::write_out(&dest, &compose_text, a.force) {
        Ok(written) => {
            eprintln!("adf: wrote {} files to {}", written.len(), dest.display());
            eprintln!("next: put the CANN installers in {}/packages/ (`adf check` lists them), then `adf build`", dest.display());
            EXIT_OK
        }
        Err(e) => {
            eprintln!("adf: {e}; nothing was written");
            EXIT_BAD_INPUT
        }
    }
}
