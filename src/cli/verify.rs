//! `adf verify`: tiered checks of built images, recorded for `adf push`.

use super::{load, GlobalArgs, TextFormat, EXIT_FAILED, EXIT_OK};
use crate::plan;
use crate::verify::{self, record, Options, Report, Status, Subject};
use clap::Args;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
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
pub struct VerifyArgs {
    /// Only these images and their ancestors (repeatable; `*` globs)
    #[arg(long = "target", short = 't', value_name = "IMAGE")]
    pub targets: Vec<String>,
    /// Also run the NPU tier (device, torch_npu.npu.is_available(), a tiny matmul)
    #[arg(long)]
    pub npu: bool,
    /// Count SKIPPED as failed: exit 1 unless every check really passed
    #[arg(long)]
    pub strict: bool,
    /// Images verified at once [default: 2]
    #[arg(long, short = 'j', value_name = "N", value_parser = clap::value_parser!(u16).range(1..))]
    pub jobs: Option<u16>,
    /// Seconds each command in the image may run
    #[arg(long, value_name = "SECONDS", default_value_t = 300)]
    pub timeout: u64,
    #[arg(long, value_enum, default_value_t = TextFormat::Text)]
    pub format: TextFormat,
    /// The docker CLI to use [env: ADF_DOCKER] [default: docker]
    #[arg(long, value_name = "PATH")]
    pub docker: Option<PathBuf>,
}

pub fn run(g: &GlobalArgs, a: VerifyArgs) -> i32 {
    let load::Selected {
        project,
        loaded,
        selected,
        docker,
    } = match load::select_with_engine(g, &a.targets, a.docker.clone()) {
        Ok(s) => s,
        Err(code) => return code,
    };
    let by_index = verify::subject::subjects(&project, &loaded.sources, &selected);
    let order = plan::make(&project, &selected);
    let subjects: Vec<Subject> = order
        .images
        .iter()
        .filter_map(|p| by_index[p.index].clone())
        .collect();
    let opts = Options {
        npu: a.npu,
        timeout: Duration::from_secs(a.timeout.max(1)),
    };
    let jobs = a.jobs.map(usize::from).unwrap_or(2);
    let reports = verify_all(&docker, &subjects, &opts, jobs);

    let state = super::build::state_dir(&project);
    let at = load::timestamp();
    for (s, r) in subjects.iter().zip(&reports) {
        let rec = record::Record {
            expectations: s.expectations_hash(),
            at: at.clone(),
            report: r.clone(),
        };
        if let Err(e) = record::save(&state, &rec) {
            eprintln!(
                "adf: cannot record the result of `{}` in {}: {e}",
                s.name,
                state.display()
            );
        }
    }
    match a.format {
        TextFormat::Text => print!("{}", render_text(&reports)),
        TextFormat::Json => super::print_json(&render_json(&reports)),
    }
    let failed = reports.iter().any(|r| !r.passed());
    let skipped = reports.iter().any(|r| r.count(Status::Skipped) > 0);
    if failed || (a.strict && skipped) {
        EXIT_FAILED
    } else {
        EXIT_OK
    }
}

/// Verifies `jobs` images at once; reports come back in the subjects' order.
fn verify_all(docker: &Path, subjects: &[Subject], opts: &Options, jobs: usize) -> Vec<Report> {
    let next = AtomicUsize::new(0);
    let results: Mutex<Vec<Option<Report>>> = Mutex::new(vec![None; subjects.len()]);
    std::thread::scope(|s| {
        for _ in 0..jobs.min(subjects.len()).max(1) {
            s.spawn(|| loop {
                let i = next.fetch_add(1, Ordering::SeqCst);
                let Some(subject) = subjects.get(i) else {
                    break;
                };
                eprintln!("[{}] verifying {}", subject.name, subject.reference);
                let r = verify::verify(docker, subject, opts);
                eprintln!(
                    "[{}] {} PASS, {} FAIL, {} SKIPPED ({:.1}s)",
                    subject.name,
                    r.count(Status::Pass),
                    r.count(Status::Fail),
                    r.count(Status::Skipped),
                    r.seconds
                );
                if let Ok(mut all) = results.lock() {
                    all[i] = Some(r);
                }
            });
        }
    });
    results
        .into_inner()
        .unwrap_or_default()
        .into_iter()
        .flatten()
        .collect()
}

fn short_id(id: &str) -> &str {
    let hex = id.strip_prefix("sha256:").unwrap_or(id);
    &hex[..hex.len().min(12)]
}

pub fn render_text(reports: &[Report]) -> String {
    let mut out = String::new();
    let (mut pass, mut fail, mut skip) = (0, 0, 0);
    for r in reports {
        let verdict = if r.passed() { "passed" } else { "FAILED" };
        out.push_str(&format!(
            "{}  {}  {}  linux/{}  {verdict}\n",
            r.name,
            r.reference,
            if r.image_id.is_empty() {
                "-"
            } else {
                short_id(&r.image_id)
            },
            if r.arch.is_empty() { "?" } else { &r.arch }
        ));
        let width = r
            .checks
            .iter()
            .map(|c| label(c).chars().count())
            .max()
            .unwrap_or(0);
        for c in &r.checks {
            out.push_str(&format!(
                "  {:<7}  {:<6}  {:<width$}  {}\n",
                c.status.to_string(),
                c.tier.to_string(),
                label(c),
                c.detail
            ));
        }
        pass += r.count(Status::Pass);
        fail += r.count(Status::Fail);
        skip += r.count(Status::Skipped);
        out.push('\n');
    }
    let images_failed = reports.iter().filter(|r| !r.passed()).count();
    out.push_str(&format!(
        "{} image{}: {} passed, {images_failed} failed; checks: {pass} PASS, {fail} FAIL, {skip} SKIPPED{}\n",
        reports.len(),
        if reports.len() == 1 { "" } else { "s" },
        reports.len() - images_failed,
        if skip > 0 { " (skipped checks proved nothing)" } else { "" }
    ));
    out
}

fn label(c: &verify::CheckResult) -> String {
    match &c.origin {
        Some(o) => format!("{} (from {o})", c.name),
        None => c.name.clone(),
    }
}

pub fn render_json(reports: &[Report]) -> serde_json::Value {
    let images: Vec<serde_json::Value> = reports
        .iter()
        .map(|r| {
            serde_json::json!({
                "name": r.name,
                "reference": r.reference,
                "image_id": r.image_id,
                "arch": r.arch,
                "passed": r.passed(),
                "checks": r.checks,
                "seconds": (r.seconds * 10.0).round() / 10.0,
            })
        })
        .collect();
    serde_json::json!({
        "ok": reports.iter().all(Report::passed),
        "images": images,
    })
}
