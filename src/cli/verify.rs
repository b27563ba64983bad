//! `adf verify`.

use super::args::{EngineArgs, FormatArgs, JobsArgs, TargetArgs, TextFormat};
use super::{project, GlobalArgs, EXIT_FAILED, EXIT_OK};
use crate::ops::verify::VerifyOptions;
use crate::verify::{Options, Status};
use clap::Args;
use std::time::Duration;

pub const VERIFY_HELP: &str = "\
Examples:
  adf verify                               every image's static checks
  adf verify --target vllm-ascend-910b     one image and its ancestors
  adf verify --npu                         also the NPU tier (needs /dev/davinci*)
  adf verify --format json | jq '.images[] | select(.passed | not)'

Tiers (each check ends PASS, FAIL or SKIPPED with a reason; SKIPPED is never a pass):
  static  read from outside the image (docker create + export; nothing runs, so arm64 images
          are checked on x86 hosts too): stack versions from *.dist-info (python, torch,
          torch_npu, numpy, vllm, vllm_ascend, mindspore, ...), numpy 1.x beside torch_npu,
          CANN version file and set_env.sh, every PATH / LD_LIBRARY_PATH / PYTHONPATH entry of
          the image config exists and is for the image's architecture, ModelArts user
          (label com.huaweicloud.modelarts.user, e.g. ma-user:1000:100). Then, in a container
          with --network none: `pip check` and the `verify:` commands (`run`, optional `expect`
          regex) of the image AND of all its ancestors, so a child that downgrades a parent's
          package fails. Images of another architecture skip what must run without emulation.
  npu     (--npu) npu-smi, torch_npu.npu.is_available(), a tiny matmul: SKIPPED without
          /dev/davinci* on this host or torch_npu in the stack.

Results are recorded per image ID in .adf/verify/ next to the file; `adf push` only publishes
images whose record has no FAIL.
Exit: 0 no check failed (skips are listed), 1 a check failed (or, with --strict, was skipped),
2 bad input.";

#[derive(Args, Debug)]
#[command(mut_arg("jobs", |a| a.help("Images verified at once [default: 2]")))]
pub struct VerifyArgs {
    #[command(flatten)]
    target: TargetArgs,
    /// Also run the NPU tier (device, torch_npu.npu.is_available(), a tiny matmul)
    #[arg(long)]
    npu: bool,
    /// Count SKIPPED as failed: exit 1 unless every check really passed
    #[arg(long)]
    strict: bool,
    #[command(flatten)]
    jobs: JobsArgs,
    /// Seconds each command in the image may run (1 to 86400)
    #[arg(long, value_name = "SECONDS", default_value_t = 300, value_parser = clap::value_parser!(u64).range(1..=86_400))]
    timeout: u64,
    #[command(flatten)]
    format: FormatArgs,
    #[command(flatten)]
    engine: EngineArgs,
}

pub fn run(g: &GlobalArgs, a: VerifyArgs) -> i32 {
    let project::Selected {
        project,
        loaded,
        selected,
        engine,
    } = match project::select_with_engine(g, &a.target, &a.engine.options()) {
        Ok(s) => s,
        Err(code) => return code,
    };
    let opts = VerifyOptions {
        checks: Options {
            npu: a.npu,
            timeout: Duration::from_secs(a.timeout.max(1)),
        },
        jobs: a.jobs.or(2),
    };
    let reports = crate::ops::verify::verify(
        &project,
        &loaded.sources,
        &selected,
        engine.as_ref(),
        &opts,
        &mut crate::ui::VerifyLines,
    );
    match a.format.format {
        TextFormat::Text => print!("{}", crate::render::verify::text(&reports)),
        TextFormat::Json => super::print_json(&crate::render::verify::json(&reports)),
    }
    let failed = reports.iter().any(|r| !r.passed());
    let skipped = reports.iter().any(|r| r.count(Status::Skipped) > 0);
    if failed || (a.strict && skipped) {
        EXIT_FAILED
    } else {
        EXIT_OK
    }
}
