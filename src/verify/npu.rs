//! The NPU tier: needs `/dev/davinci*` on the host and torch_npu in the stack; SKIPPED (with
//! the reason) otherwise, never passed.

use super::{run_check, CheckResult, Options, Subject, VerifyCommand};
use crate::engine::{Engine, ImageConfig};
use std::path::Path;

/// Host paths the Ascend driver needs inside the container (sources S17 and S8 of
/// knowledge/compat.toml), mounted when present.
const DRIVER_MOUNTS: &[&str] = &[
    "/usr/local/dcmi",
    "/usr/local/bin/npu-smi",
    "/usr/local/Ascend/driver/lib64",
    "/usr/local/Ascend/driver/version.info",
    "/etc/ascend_install.info",
];
const CONTROL_DEVICES: &[&str] = &["/dev/davinci_manager", "/dev/devmm_svm", "/dev/hisi_hdc"];

/// `/dev/davinci0`, `/dev/davinci1`, ... on this host (`ADF_NPU_DEV_DIR` replaces `/dev`).
pub fn devices() -> Vec<String> {
    let dir = std::env::var("ADF_NPU_DEV_DIR").unwrap_or_else(|_| "/dev".into());
    let mut out: Vec<String> = std::fs::read_dir(&dir)
        .map(|rd| {
            rd.filter_map(|e| e.ok())
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .filter(|n| {
                    n.strip_prefix("davinci").is_some_and(|rest| {
                        !rest.is_empty() && rest.bytes().all(|b| b.is_ascii_digit())
                    })
                })
                .map(|n| format!("{dir}/{n}"))
                .collect()
        })
        .unwrap_or_default();
    out.sort();
    out
}

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
    let found = devices();
    if found.is_empty() {
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
    let devices: Vec<String> = found
        .iter()
        .map(String::as_str)
        .chain(CONTROL_DEVICES.iter().copied())
        .filter(|d| Path::new(d).exists())
        .map(str::to_string)
        .collect();
    let mounts: Vec<String> = DRIVER_MOUNTS
        .iter()
        .filter(|m| Path::new(m).exists())
        .map(|m| m.to_string())
        .collect();
    all.iter()
        .map(|c| {
            let name = c.name.clone();
            run_check(engine, &config.id, name, c, &devices, &mounts, opts.timeout)
        })
        .collect()
}
