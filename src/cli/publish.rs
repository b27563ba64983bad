//! `adf push`: publish built and verified images, parents first.

use super::{GlobalArgs, EXIT_FAILED};
use clap::Args;
use std::path::PathBuf;

pub const PUSH_HELP: &str = "";

#[derive(Args, Debug)]
pub struct PushArgs {
    /// Only these images and their ancestors (repeatable; `*` globs)
    #[arg(long = "target", short = 't', value_name = "IMAGE")]
    pub targets: Vec<String>,
    /// Push `ns/repo:tag` as `PREFIX/repo:tag` (e.g. 127.0.0.1:5000/team)
    #[arg(long, value_name = "PREFIX")]
    pub to: Option<String>,
    /// The docker CLI to use [env: ADF_DOCKER] [default: docker]
    #[arg(long, value_name = "PATH")]
    pub docker: Option<PathBuf>,
}

pub fn run(_g: &GlobalArgs, _a: PushArgs) -> i32 {
    EXIT_FAILED
}
