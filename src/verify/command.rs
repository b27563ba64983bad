//! Checks run in a container of the image (no network): `pip check`, and a `verify:` command
//! judged by its exit code and, with `expect:`, a regex over its output.

use super::{packages, CheckResult, Options, VerifyCommand};
use crate::engine::{Engine, ImageConfig, RunRequest};
use std::time::Duration;

/// `python3 -m pip check` in the image; SKIPPED when it cannot run or pip is not installed.
pub(super) fn pip_check(
    engine: &dyn Engine,
    config: &ImageConfig,
    dists: &[packages::Dist],
    cannot_run: Option<&str>,
    opts: &Options,
) -> CheckResult {
    const NAME: &str = "pip check";
    if let Some(why) = cannot_run {
        return CheckResult::skipped(NAME, why);
    }
    if !dists.iter().any(|d| d.name == "pip") {
        return CheckResult::skipped(NAME, "pip is not installed in the image");
    }
    let cmd = VerifyCommand {
        name: NAME.into(),
        run: "python3 -m pip check".into(),
        expect: None,
        origin: None,
    };
    run_check(
        engine,
        &config.id,
        NAME.into(),
        &cmd,
        &[],
        &[],
        opts.timeout,
    )
}

/// Runs `c` in the image (with host `devices` and read-only `mounts`) and judges its exit code
/// and output; the check is reported as `name`.
pub(crate) fn run_check(
    engine: &dyn Engine,
    image_id: &str,
    name: String,
    c: &VerifyCommand,
    devices: &[String],
    mounts: &[String],
    timeout: Duration,
) -> CheckResult {
    let req = RunRequest {
        image: image_id.to_string(),
        script: c.run.clone(),
        devices: devices.to_vec(),
        read_only_mounts: mounts.to_vec(),
        timeout,
    };
    let mut out = match engine.run(&req) {
        Ok(o) => o,
        Err(e) => return CheckResult::fail(name, e.to_string()),
    };
    // A command that exits 0 with no output at all where output is expected: the client can
    // lose a fast container's output (seen with a containerd image store); ask once more.
    if out.code == Some(0) && out.output.trim().is_empty() && c.expect.is_some() {
        if let Ok(again) = engine.run(&req) {
            out = again;
        }
    }
    if out.timed_out {
        return CheckResult::fail(
            name,
            format!("`{}` did not finish within {} s", c.run, timeout.as_secs()),
        );
    }
    if out.code != Some(0) {
        return CheckResult::fail(
            name,
            format!(
                "`{}` exited with {}: {}",
                c.run,
                out.code
                    .map(|c| c.to_string())
                    .unwrap_or_else(|| "a signal".into()),
                tail(&out.output, 5)
            ),
        );
    }
    match &c.expect {
        None => CheckResult::pass(name, format!("`{}` exited 0", c.run)),
        Some(pattern) => match regex::Regex::new(pattern) {
            Err(e) => CheckResult::fail(name, format!("expect is not a valid regex: {e}")),
            Ok(re) => match re.find(&out.output) {
                Some(m) => CheckResult::pass(
                    name,
                    format!("output matches /{pattern}/: {}", m.as_str().trim()),
                ),
                None => CheckResult::fail(
                    name,
                    format!(
                        "output does not match /{pattern}/: {}",
                        tail(&out.output, 5)
                    ),
                ),
            },
        },
    }
}

/// The last lines of a command's output, for a failure message.
fn tail(output: &str, lines: usize) -> String {
    crate::engine::last_lines(output, lines).join(" | ")
}
