//! `adf verify`: tiered checks of built images, recorded for `adf push`.

use super::{GlobalArgs, TextFormat, EXIT_FAILED};
use clap::Args;
use std::path::PathBuf;

pub const VERIFY_HELP: &str = "";

#[derive(Args, Debug)]
pub struct VerifyArgs {
    /// Only these images and their ancestors (repeatable; `*` globs)
    #[arg(long = "target", short = 't', value_name = "IMAGE")]
    pub targets: Vec<String>,
    /// Also run the NPU tier (device, torch_npu.npu.is_available(), a tiny matmul)
    #[arg(long)]
    pub npu: bool,
    #[arg(long, value_enum, default_value_t = TextFormat::Text)]
    pub format: TextFormat,
    /// The docker CLI to use [env: ADF_DOCKER] [default: docker]
    #[arg(long, value_name = "PATH")]
    pub docker: Option<PathBuf>,
}

pub fn run(_g: &GlobalArgs, _a: VerifyArgs) -> i32 {
    EXIT_FAILED
}
