//! `adf push`: publish built and verified images, parents first. Everything is checked before
//! the first push: if any selected image is not built, stale, unverified or failed its
//! verification, nothing is pushed.

use super::{load, GlobalArgs, EXIT_BAD_INPUT, EXIT_FAILED, EXIT_OK};
use crate::plan::{self, decide::Action};
use crate::publish::push::{self, Pushed, Retry};
use crate::verify::record;
use clap::Args;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

pub const PUSH_HELP: &str = "\
Examples:
  adf push --to 127.0.0.1:5000/team                  team/x:1 -> 127.0.0.1:5000/team/x:1
  adf push --target yolo-910b --to swr.example.com/ai --manifest pushed.json
  adf push                                           the tags exactly as the file writes them

Before anything is pushed, every selected image (the targets and their ancestors) must be
built from the current inputs (`adf build`) and have passed `adf verify` (a record in
.adf/verify/ for the same image ID and the same expectations, with no FAIL); otherwise nothing
is pushed. --no-verify drops the verification gate, never the build gate.
Parents are pushed before children. A reference whose registry already holds the same digest is
skipped (`unchanged`). Transient failures are retried with exponential backoff; after a failure
no new push starts.
Output: a JSON list of {image, reference, digest, status} on stdout (and in --manifest FILE,
written atomically); progress on stderr. Credentials come from `adf login` / docker's config
and never appear in adf's output.
Exit: 0 all pushed or unchanged, 1 the gate refused or a push failed, 2 bad input.";

#[derive(Args, Debug)]
pub struct PushArgs {
    /// Only these images and their ancestors (repeatable; `*` globs)
    #[arg(long = "target", short = 't', value_name = "IMAGE")]
    pub targets: Vec<String>,
    /// Push `ns/repo:tag` as `PREFIX/repo:tag` (e.g. 127.0.0.1:5000/team); default: the tags as written
    #[arg(long, value_name = "PREFIX")]
    pub to: Option<String>,
    /// Push images that have not passed `adf verify` (they must still be built and fresh)
    #[arg(long)]
    pub no_verify: bool,
    /// Pushes running at once
    #[arg(long, short = 'j', value_name = "N", default_value_t = 2, value_parser = clap::value_parser!(u16).range(1..))]
    pub jobs: u16,
    /// Retries of a transient push failure
    #[arg(long, value_name = "N", default_value_t = 3)]
    pub retries: u32,
    /// Seconds before the first retry; doubles each time
    #[arg(long, value_name = "SECONDS", default_value_t = 2.0)]
    pub retry_delay: f64,
    /// Also write the JSON list of pushed references to FILE
    #[arg(long, value_name = "FILE")]
    pub manifest: Option<PathBuf>,
    /// The docker CLI to use [env: ADF_DOCKER] [default: docker]
    #[arg(long, value_name = "PATH")]
    pub docker: Option<PathBuf>,
}

/// One image to push: its verified ID and where it goes.
struct Item {
    name: String,
    wave: usize,
    image_id: String,
    references: Vec<String>,
}

pub fn run(g: &GlobalArgs, a: PushArgs) -> i32 {
    if let Some(p) = &a.to {
        let probe = format!("{}/x:1", p.trim_end_matches('/'));
        if p.is_empty()
            || p.contains('@')
            || crate::model::reference::Reference::parse(&probe).is_err()
        {
            eprintln!("adf: --to {p:?} is not a registry/namespace prefix\n  help: for example --to 127.0.0.1:5000/team or --to swr.example.com/ai");
            return EXIT_BAD_INPUT;
        }
    }
    if !(a.retry_delay.is_finite() && a.retry_delay >= 0.0) {
        eprintln!("adf: --retry-delay must be a number of seconds, 0 or more");
        return EXIT_BAD_INPUT;
    }
    let load::Selected {
        project,
        loaded,
        selected,
        docker,
    } = match load::select_with_engine(g, &a.targets, a.docker.clone()) {
        Ok(s) => s,
        Err(code) => return code,
    };
    let plan = plan::make(&project, &selected);
    let decided = match super::build::decisions(&project, &plan, Some(&docker), false) {
        Ok(d) => d,
        Err(d) => return super::print_diag_error(*d),
    };
    let subjects = crate::verify::subject::subjects(&project, &loaded.sources, &selected);
    let state = super::build::state_dir(&project);

    // The gate: every image built from current inputs and verified, or nothing is pushed.
    let mut refused = Vec::new();
    let mut items = Vec::new();
    let mut seen: HashMap<String, String> = HashMap::new();
    for (p, d) in plan.images.iter().zip(&decided.decisions) {
        let info = p.tags.first().and_then(|t| decided.found.get(t));
        let (Some(info), Action::Fresh) = (info, d.action) else {
            refused.push(format!(
                "{}: not built from the current inputs ({}); run `adf build`",
                p.name, d.reason
            ));
            continue;
        };
        if !a.no_verify {
            let expected = subjects[p.index].as_ref().map(|s| s.expectations_hash());
            match record::load(&state, &info.id) {
                None => refused.push(format!("{}: not verified; run `adf verify --target {}`", p.name, p.name)),
                Some(r) if !r.has_static() || Some(&r.expectations) != expected.as_ref() => refused.push(format!(
                    "{}: verified against other expectations (stack or verify: changed); run `adf verify --target {}`",
                    p.name, p.name
                )),
                Some(r) if !r.passed() => refused.push(format!(
                    "{}: failed verification: {}",
                    p.name,
                    r.failures().join("; ")
                )),
                Some(_) => {}
            }
        }
        let references: Vec<String> = p
            .tags
            .iter()
            .map(|t| push::destination(t, a.to.as_deref()))
            .collect();
        for r in &references {
            if let Some(other) = seen.insert(r.clone(), p.name.clone()) {
                eprintln!("adf: `{other}` and `{}` would both be pushed as {r}\n  help: give them distinct repository names or tags", p.name);
                return EXIT_BAD_INPUT;
            }
        }
        items.push(Item {
            name: p.name.clone(),
            wave: p.wave,
            image_id: info.id.clone(),
            references,
        });
    }
    if !refused.is_empty() {
        eprintln!(
            "adf: nothing pushed: {} of {} selected images cannot be published:",
            refused.len(),
            plan.images.len()
        );
        for r in &refused {
            eprintln!("  - {r}");
        }
        return EXIT_FAILED;
    }

    let retry = Retry {
        retries: a.retries,
        delay: Duration::from_secs_f64(a.retry_delay),
    };
    let (entries, failed) = push_waves(&docker, &items, &retry, usize::from(a.jobs));
    let list = serde_json::Value::Array(entries);
    super::print_json(&list);
    if let Some(path) = &a.manifest {
        if let Err(e) = write_atomically(path, &list) {
            eprintln!("adf: cannot write the manifest {}: {e}", path.display());
            return EXIT_FAILED;
        }
    }
    if failed {
        EXIT_FAILED
    } else {
        EXIT_OK
    }
}

/// Pushes wave by wave (parents first), `jobs` references at once; after a failure nothing new
/// starts. Returns the manifest entries in push order and whether anything failed.
fn push_waves(
    docker: &Path,
    items: &[Item],
    retry: &Retry,
    jobs: usize,
) -> (Vec<serde_json::Value>, bool) {
    let failed = AtomicBool::new(false);
    let mut entries = Vec::new();
    let waves = items
        .iter()
        .map(|i| i.wave)
        .max()
        .map(|w| w + 1)
        .unwrap_or(0);
    for wave in 0..waves {
        let work: Vec<(&Item, &String)> = items
            .iter()
            .filter(|i| i.wave == wave)
            .flat_map(|i| i.references.iter().map(move |r| (i, r)))
            .collect();
        let results: Mutex<Vec<Option<serde_json::Value>>> = Mutex::new(vec![None; work.len()]);
        let next = AtomicUsize::new(0);
        std::thread::scope(|s| {
            for _ in 0..jobs.min(work.len()).max(1) {
                s.spawn(|| loop {
                    let i = next.fetch_add(1, Ordering::SeqCst);
                    let Some((item, reference)) = work.get(i) else { break };
                    if failed.load(Ordering::SeqCst) {
                        break;
                    }
                    let start = Instant::now();
                    let name = item.name.clone();
                    let mut log = |m: String| eprintln!("[{name}] {m}");
                    let outcome = push::push_one(docker, &item.image_id, reference, retry, &mut log);
                    let secs = start.elapsed().as_secs_f64();
                    let entry = match outcome {
                        Ok(Pushed::Pushed(d)) => {
                            eprintln!("[{}] {reference} pushed {d} ({secs:.1}s)", item.name);
                            Some(serde_json::json!({"image": item.name, "reference": reference, "digest": d, "status": "pushed"}))
                        }
                        Ok(Pushed::Unchanged(d)) => {
                            eprintln!("[{}] {reference} unchanged: the registry has {d}", item.name);
                            Some(serde_json::json!({"image": item.name, "reference": reference, "digest": d, "status": "unchanged"}))
                        }
                        Err(e) => {
                            eprintln!("adf: [{}] {e}", item.name);
                            failed.store(true, Ordering::SeqCst);
                            None
                        }
                    };
                    if let Ok(mut r) = results.lock() {
                        r[i] = entry;
                    }
                });
            }
        });
        entries.extend(
            results
                .into_inner()
                .unwrap_or_default()
                .into_iter()
                .flatten(),
        );
        if failed.load(Ordering::SeqCst) {
            let left = items.iter().filter(|i| i.wave > wave).count();
            if left > 0 {
                eprintln!(
                    "adf: {left} image{} of later waves not pushed",
                    if left == 1 { "" } else { "s" }
                );
            }
            return (entries, true);
        }
    }
    (entries, false)
}

fn write_atomically(path: &Path, value: &serde_json::Value) -> std::io::Result<()> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let mut tmp = tempfile::NamedTempFile::new_in(&dir)?;
    serde_json::to_writer_pretty(&mut tmp, value)?;
    std::io::Write::write_all(&mut tmp, b"\n")?;
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}
