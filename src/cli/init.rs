//! `adf init`: write the built-in catalog (or one stack of it) out to edit.

use super::{EXIT_BAD_INPUT, EXIT_OK};
use crate::ops::init as ops;
use crate::render;
use clap::Args;
use std::path::PathBuf;

#[derive(Args, Debug)]
pub struct InitArgs {
    /// Only this stack: a catalog image (or a `*`/`?` glob) and everything it builds on (repeatable)
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
    let catalog = match ops::catalog() {
        Ok(c) => c,
        Err(e) => {
            eprintln!("adf: {e}");
            return EXIT_BAD_INPUT;
        }
    };
    if a.list {
        let rows: Vec<Vec<String>> = ops::stacks(&catalog)
            .into_iter()
            .map(|(name, description)| vec![name, description])
            .collect();
        print!("{}", render::table(&["STACK", "DESCRIPTION"], &rows));
        return EXIT_OK;
    }
    let text = match ops::compose_text(&catalog, &a.stacks) {
        Ok(t) => t,
        Err(d) => return super::print_diag_error(*d),
    };
    let dest = a.dir.unwrap_or_else(|| PathBuf::from("."));
    match crate::catalog::write_out(&dest, &text, a.force) {
        Ok(written) => {
            crate::ui::note(&format!(
                "wrote {} files to {}",
                written.len(),
                dest.display()
            ));
            eprintln!("next: put the CANN installers in {}/packages/ (`adf check` lists them), then `adf build`", dest.display());
            EXIT_OK
        }
        Err(e) => {
            eprintln!("adf: {e}; nothing was written");
            EXIT_BAD_INPUT
        }
    }
}
