//! `adf push`.

use super::args::{EngineArgs, JobsArgs, RegistryArgs, TargetArgs};
use super::{project, GlobalArgs, EXIT_BAD_INPUT, EXIT_FAILED, EXIT_OK};
use crate::model::reference::check_prefix;
use crate::ops::push::{PushError, PushOptions};
use crate::publish::push::Retry;
use clap::Args;
use std::path::PathBuf;
use std::time::Duration;

pub const PUSH_HELP: &str = "\
Examples:
  adf push --to 127.0.0.1:5000/team                  team/x:1 -> 127.0.0.1:5000/team/x:1
  adf push --target yolo-910b --to swr.example.com/ai --manifest pushed.json
  adf push                                           the tags exactly as the file writes them
  adf push --registry 127.0.0.1:5000/team            the registry's images count as published

Before anything is pushed, every selected image (the targets and their ancestors) must be
built from the current inputs (`adf build`) and have passed `adf verify` (a record in
.adf/verify/ for the same image ID and the same expectations, with no FAIL); otherwise nothing
is pushed. --no-verify drops the verification gate, never the build gate.
Parents are pushed before children. A reference whose registry already holds the same digest is
skipped (`unchanged`). Transient failures are retried with exponential backoff; after a failure
no new push starts.
With a registry (`registry:` in the file or --registry PREFIX; it is also the default --to),
an image the local store lacks but the registry holds with its current fingerprint (`fresh
(registry)`, as `adf build --registry` leaves it) is already published there: `unchanged`.
Output: a JSON list of {image, reference, digest, status} on stdout (and in --manifest FILE,
written atomically); progress on stderr. Credentials come from `adf login` / docker's config
and never appear in adf's output.
Exit: 0 all pushed or unchanged, 1 the gate refused or a push failed, 2 bad input.";

#[derive(Args, Debug)]
#[command(mut_arg("jobs", |a| a.help("Pushes running at once [default: 2]")))]
#[command(mut_arg("registry", |a| a.help("Registry/namespace prefix: the default --to, where images the local store lacks count as published when they carry their current fingerprint; overrides the file's `registry:`")))]
pub struct PushArgs {
    #[command(flatten)]
    target: TargetArgs,
    /// Push `ns/repo:tag` as `PREFIX/repo:tag` (e.g. 127.0.0.1:5000/team); default: the tags as written
    #[arg(long, value_name = "PREFIX")]
    to: Option<String>,
    /// Push images that have not passed `adf verify` (they must still be built and fresh)
    #[arg(long)]
    no_verify: bool,
    #[command(flatten)]
    jobs: JobsArgs,
    /// Retries of a transient push failure
    #[arg(long, value_name = "N", default_value_t = 3, value_parser = clap::value_parser!(u32).range(0..=100))]
    retries: u32,
    /// Seconds before the first retry (0 to 3600); doubles each time
    #[arg(long, value_name = "SECONDS", default_value_t = 2.0, value_parser = super::args::seconds_up_to_an_hour)]
    retry_delay: f64,
    /// Also write the JSON list of pushed references to FILE
    #[arg(long, value_name = "FILE")]
    manifest: Option<PathBuf>,
    #[command(flatten)]
    registry: RegistryArgs,
    #[command(flatten)]
    engine: EngineArgs,
}

pub fn run(g: &GlobalArgs, a: PushArgs) -> i32 {
    if let Some((p, why)) =
        a.to.as_deref()
            .and_then(|p| Some((p, check_prefix(p).err()?)))
    {
        eprintln!("adf: --to {p:?} is not a registry/namespace prefix: {why}\n  help: for example --to 127.0.0.1:5000/team or --to swr.example.com/ai");
        return EXIT_BAD_INPUT;
    }
    let project::Selected {
        project,
        loaded,
        selected,
        engine,
    } = match project::select_with_engine(g, &a.target, &a.engine.options()) {
        Ok(s) => s,
        Err(code) => return code,
    };
    let registry = match a.registry.prefix(&project) {
        Ok(r) => r,
        Err(code) => return code,
    };
    let opts = PushOptions {
        to: a.to.or_else(|| registry.clone()),
        registry,
        no_verify: a.no_verify,
        jobs: a.jobs.or(2),
        retry: Retry {
            retries: a.retries,
            delay: Duration::from_secs_f64(a.retry_delay),
        },
    };
    let report = match crate::ops::push::push(
        &project,
        &loaded.sources,
        &selected,
        engine.as_ref(),
        &opts,
        &mut crate::ui::PushLines,
    ) {
        Ok(r) => r,
        Err(PushError::Input { what, help }) => {
            eprintln!("adf: {what}\n  help: {help}");
            return EXIT_BAD_INPUT;
        }
        Err(PushError::Refused { reasons, selected }) => {
            eprintln!(
                "adf: nothing pushed: {} of {selected} selected images cannot be published:",
                reasons.len()
            );
            for r in &reasons {
                eprintln!("  - {r}");
            }
            return EXIT_FAILED;
        }
    };
    super::print_json(&report.entries);
    if let Some(path) = &a.manifest {
        let list = serde_json::json!(report.entries);
        if let Err(e) = crate::ops::write_json_atomically(path, &list) {
            eprintln!("adf: cannot write the manifest {}: {e}", path.display());
            return EXIT_FAILED;
        }
    }
    if report.failed {
        EXIT_FAILED
    } else {
        EXIT_OK
    }
}
