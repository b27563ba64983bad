//! The NPU tier: needs `/dev/davinci*` on the host and torch_npu in the stack; SKIPPED (with
//! the reason) otherwise, never passed. The devices and driver mounts are [`crate::npu`]'s, the
//! same `adf run` passes (`ADF_NPU_DEV_DIR` replaces `/dev` for discovery).

use super::command::run_check;
use super::{CheckResult, Options, Subject, VerifyCommand};
use crate::engine::{Engine, ImageConfig};
use crate::npu::{self as host, HostRoot};

fn checks() -> Vec<VerifyCommand> {
    let cmd = |name: &str, run: &str, expect: &str| VerifyCommand {
        name: name.into(),
        run: run.into(),
        expect: Some(expect.into()),
        origin: None,
    };
    vec![
        cmd("NPU visible", "npu-smi info", "(?i)npu"),
        cmd(
            "torch_npu.npu.is_available()",
            "python3 -c 'import torch, torch_npu; print(\"available=\" + str(torch_npu.npu.is_available()))'",
            "available=True",
        ),
        cmd(
            "tiny matmul on the NPU",
            "python3 -c 'import torch, torch_npu; a = torch.ones(2, 2).npu(); print(\"sum=\" + str((a @ a).cpu().sum().item()))'",
            "sum=8\\.0",
        ),
    ]
}

pub fn tier(
    engine: &dyn Engine,
    subject: &Subject,
    config: &ImageConfig,
    opts: &Options,
) -> Vec<CheckResult> {
    let all = checks();
    let skip_all = |why: String| -> Vec<CheckResult> {
        all.iter()
            .map(|c| CheckResult::skipped(c.name.clone(), why.clone()))
            .collect()
    };
    let host = HostRoot::local();
    if host.npus().is_empty() {
        return skip_all(
            "no /dev/davinci* on this host: the NPU tier needs an Ascend device".into(),
        );
    }
    if !subject.stack.iter().any(|s| s.component == "torch_npu") {
        return skip_all("torch_npu is not in this image's stack".into());
    }
    if let Some(why) = engine.cannot_run(&config.arch) {
        return skip_all(why);
    }
    // every NPU present, the control devices and driver paths beside them: as `adf run` gives them
    let access = match host::access(&host, Some(&host::NpuChoice::All)) {
        Ok(a) => a,
        Err(e) => return skip_all(e.to_string()),
    };
    let (devices, mounts) = (access.devices, access.mounts);
    all.iter()
        .map(|c| {
            let name = c.name.clone();
            run_check(engine, &config.id, name, c, &devices, &mounts, opts.timeout)
        })
        .collect()
}
