//! Tiered verification of built images (DESIGN §6). Every check ends PASS, FAIL or SKIPPED
//! with a reason; a skip is never a pass.
//!
//! - static: read from outside the container (the engine's filesystem export →
//!   [`rootfs::RootFs`]):
//!   stack versions from `*.dist-info`, numpy 1.x under torch_npu, CANN version file and
//!   `set_env.sh`, PATH / LD_LIBRARY_PATH / PYTHONPATH entries, the ModelArts user; then, in a
//!   container without network, `pip check` and the `verify:` commands of the image and of its
//!   ancestors.
//! - npu: device visible, `torch_npu.npu.is_available()`, a tiny matmul; SKIPPED without
//!   `/dev/davinci*`.

mod command;
pub mod layout;
pub mod npu;
pub mod packages;
pub mod paths;
pub mod record;
pub mod rootfs;
pub mod subject;

use crate::engine::{Engine, ImageConfig};
use command::{pip_check, run_check};
use serde::{Deserialize, Serialize};
use std::time::{Duration, Instant};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Status {
    Pass,
    Fail,
    Skipped,
}

impl std::fmt::Display for Status {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Status::Pass => "PASS",
            Status::Fail => "FAIL",
            Status::Skipped => "SKIPPED",
        })
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Tier {
    Static,
    Npu,
}

impl std::fmt::Display for Tier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Tier::Static => "static",
            Tier::Npu => "npu",
        })
    }
}

/// One check's outcome.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckResult {
    pub tier: Tier,
    pub name: String,
    pub status: Status,
    /// The evidence (PASS, FAIL) or the reason (SKIPPED).
    pub detail: String,
    /// The ancestor whose check this is, when it is not the image's own.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub origin: Option<String>,
}

impl CheckResult {
    fn new(status: Status, name: impl Into<String>, detail: impl Into<String>) -> Self {
        CheckResult {
            tier: Tier::Static,
            name: name.into(),
            status,
            detail: detail.into(),
            origin: None,
        }
    }
    pub fn pass(name: impl Into<String>, detail: impl Into<String>) -> Self {
        Self::new(Status::Pass, name, detail)
    }
    pub fn fail(name: impl Into<String>, detail: impl Into<String>) -> Self {
        Self::new(Status::Fail, name, detail)
    }
    pub fn skipped(name: impl Into<String>, reason: impl Into<String>) -> Self {
        Self::new(Status::Skipped, name, reason)
    }
    fn tier(mut self, tier: Tier) -> Self {
        self.tier = tier;
        self
    }
}

/// A component version the image must provide, and which image declared it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct StackItem {
    pub component: String,
    pub version: String,
    /// e.g. "declared by `pytorch-npu` at dockerfile-compose.yaml:40:7"
    pub declared_by: String,
}

/// A `verify:` command of the image or of an ancestor.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct VerifyCommand {
    pub name: String,
    pub run: String,
    /// A regex the output must match (checked in the file by `adf check`).
    pub expect: Option<String>,
    pub origin: Option<String>,
}

/// What to verify: one image of the file.
#[derive(Clone, Debug, Serialize)]
pub struct Subject {
    pub name: String,
    pub reference: String,
    pub stack: Vec<StackItem>,
    pub commands: Vec<VerifyCommand>,
}

impl Subject {
    /// A hash of what the checks expect: a record only counts for the same expectations. Only
    /// what the checks depend on is hashed (each component and version, each command with its
    /// expectation and origin), never where it was written: a comment or a re-indented file
    /// keeps the records valid.
    pub fn expectations_hash(&self) -> String {
        let stack: Vec<(&str, &str)> = self
            .stack
            .iter()
            .map(|s| (s.component.as_str(), s.version.as_str()))
            .collect();
        let json = serde_json::to_vec(&(stack, &self.commands)).unwrap_or_default();
        blake3::hash(&json).to_hex()[..16].to_string()
    }
}

#[derive(Clone, Debug)]
pub struct Options {
    pub npu: bool,
    pub timeout: Duration,
}

/// One image's verification.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Report {
    pub name: String,
    pub reference: String,
    pub image_id: String,
    pub arch: String,
    pub checks: Vec<CheckResult>,
    pub seconds: f64,
}

impl Report {
    pub fn count(&self, status: Status) -> usize {
        self.checks.iter().filter(|c| c.status == status).count()
    }
    /// No check failed (skips are not failures, and not passes either).
    pub fn passed(&self) -> bool {
        self.count(Status::Fail) == 0
    }
}

/// Runs every tier asked for on one image.
pub fn verify(engine: &dyn Engine, subject: &Subject, opts: &Options) -> Report {
    let start = Instant::now();
    let mut report = Report {
        name: subject.name.clone(),
        reference: subject.reference.clone(),
        image_id: String::new(),
        arch: String::new(),
        checks: Vec::new(),
        seconds: 0.0,
    };
    match engine.image_config(&subject.reference) {
        Err(e) if e.kind == crate::engine::ErrorKind::NoSuchImage => {
            report.checks.push(CheckResult::fail(
                "image present",
                format!(
                    "no image {} on this engine (run `adf build` first)",
                    subject.reference
                ),
            ))
        }
        Err(e) => report
            .checks
            .push(CheckResult::fail("image present", e.to_string())),
        Ok(config) => {
            report.image_id = config.id.clone();
            report.arch = config.arch.clone();
            report.checks = static_tier(engine, subject, &config, opts);
            if opts.npu {
                report.checks.extend(
                    npu::tier(engine, subject, &config, opts)
                        .into_iter()
                        .map(|c| c.tier(Tier::Npu)),
                );
            }
        }
    }
    report.seconds = start.elapsed().as_secs_f64();
    report
}

fn static_tier(
    engine: &dyn Engine,
    subject: &Subject,
    config: &ImageConfig,
    opts: &Options,
) -> Vec<CheckResult> {
    let mut out = Vec::new();
    let fs = match filesystem(engine, &config.id) {
        Ok(fs) => fs,
        Err(e) => {
            out.push(CheckResult::fail("filesystem readable", e));
            return out;
        }
    };
    let dists = packages::scan(&fs);
    out.extend(layout::python(&fs, &config.env, &subject.stack));
    out.extend(packages::stack_versions(&dists, &subject.stack));
    out.extend(packages::numpy_under_torch_npu(&dists));
    out.extend(layout::cann(&fs, &subject.stack));
    out.extend(paths::env_paths(&fs, &config.env, &config.arch));
    out.extend(layout::modelarts(&fs, &config.labels, &subject.stack));

    let cannot_run = engine.cannot_run(&config.arch);
    let has_python = !dists.is_empty() || subject.stack.iter().any(|s| s.component == "python");
    if has_python {
        out.push(pip_check(
            engine,
            config,
            &dists,
            cannot_run.as_deref(),
            opts,
        ));
    }
    for c in &subject.commands {
        let mut r = match &cannot_run {
            Some(why) => CheckResult::skipped(format!("verify: {}", c.name), why.clone()),
            None => run_check(
                engine,
                &config.id,
                format!("verify: {}", c.name),
                c,
                &[],
                &[],
                opts.timeout,
            ),
        };
        r.origin = c.origin.clone();
        out.push(r);
    }
    out
}

/// The image's filesystem, read from the engine's export of a container that never starts.
fn filesystem(engine: &dyn Engine, image_id: &str) -> Result<rootfs::RootFs, String> {
    let mut fs = None;
    engine
        .export_filesystem(image_id, &mut |tar| {
            fs = Some(rootfs::RootFs::from_tar(tar).map_err(|e| e.to_string())?);
            Ok(())
        })
        .map_err(|e| e.to_string())?;
    fs.ok_or_else(|| "the engine exported nothing".to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn subject(declared_by: &str, version: &str, run: &str) -> Subject {
        Subject {
            name: "a".into(),
            reference: "x/a:1".into(),
            stack: vec![StackItem {
                component: "torch".into(),
                version: version.into(),
                declared_by: declared_by.into(),
            }],
            commands: vec![VerifyCommand {
                name: "c".into(),
                run: run.into(),
                expect: None,
                origin: None,
            }],
        }
    }

    #[test]
    fn expectations_are_keyed_by_meaning_not_position() {
        let at_line_3 = subject("declared by `a` at f.yaml:3:5", "2.5.1", "true");
        let at_line_9 = subject("declared by `a` at f.yaml:9:7", "2.5.1", "true");
        assert_eq!(at_line_3.expectations_hash(), at_line_9.expectations_hash());
        let other_version = subject("declared by `a` at f.yaml:3:5", "2.6.0", "true");
        assert_ne!(
            at_line_3.expectations_hash(),
            other_version.expectations_hash()
        );
        let other_command = subject("declared by `a` at f.yaml:3:5", "2.5.1", "false");
        assert_ne!(
            at_line_3.expectations_hash(),
            other_command.expectations_hash()
        );
    }
}
