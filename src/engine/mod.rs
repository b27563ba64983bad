//! engine: the docker CLI adapter (detection, batched image queries, builds with logs, tags)
//! and the parallel build scheduler. The only layer, with verify/publish, that starts processes.

pub mod detect;
pub mod progress;
pub mod scheduler;

pub use detect::{detect, docker_path, Builder, DetectError, Docker};

use std::collections::{BTreeMap, HashMap};
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::plan::fingerprint::FINGERPRINT_LABEL;

/// What the engine knows about an existing image.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImageInfo {
    pub id: String,
    pub fingerprint: String,
}

/// Where a build secret's value comes from.
#[derive(Clone, Debug)]
pub enum SecretSource {
    File(PathBuf),
    /// Written to a private temporary file for the build, then removed.
    Env(String),
}

/// Everything one `docker build` needs.
#[derive(Clone, Debug, Default)]
pub struct BuildRequest {
    pub name: String,
    pub context: PathBuf,
    pub dockerfile: PathBuf,
    pub args: BTreeMap<String, String>,
    pub labels: BTreeMap<String, String>,
    pub target: Option<String>,
    pub platform: Option<String>,
    pub secrets: Vec<(String, SecretSource)>,
    /// Extra flags (`--network host`, `--shm-size 2g`, ...).
    pub flags: Vec<String>,
    pub log: PathBuf,
}

/// A freshly built image, held by a private temporary tag until its real tags are applied (an
/// untagged image could be pruned by anyone in between).
#[derive(Debug, Clone)]
pub struct BuiltImage {
    pub id: String,
    pub hold_tag: String,
}

fn hold_tag() -> String {
    static COUNTER: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let n = COUNTER.fetch_add(1, Ordering::SeqCst);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    format!("adf-hold/build:{}-{nanos}-{n}", std::process::id())
}

#[derive(Debug)]
pub enum BuildFailure {
    /// docker exited non-zero; the tail of the failing step.
    Failed {
        code: Option<i32>,
        tail: Vec<String>,
    },
    Interrupted,
    Io(String),
}

impl Docker {
    fn command(&self) -> Command {
        let mut c = Command::new(&self.path);
        c.stdin(Stdio::null());
        c.env(
            "DOCKER_BUILDKIT",
            if self.builder == Builder::BuildKit {
                "1"
            } else {
                "0"
            },
        );
        c
    }

    /// Removes a tag (never the image while other tags point at it).
    pub fn untag(&self, tag: &str) {
        let _ = self
            .command()
            .args(["image", "rm", "--no-prune", tag])
            .output();
    }

    pub fn tag(&self, id: &str, tag: &str) -> Result<(), String> {
        let out = self
            .command()
            .args(["tag", id, tag])
            .output()
            .map_err(|e| e.to_string())?;
        if out.status.success() {
            Ok(())
        } else {
            Err(String::from_utf8_lossy(&out.stderr).trim().to_string())
        }
    }

    /// The `docker build` arguments for a request (secrets already resolved to files).
    fn build_args(
        &self,
        req: &BuildRequest,
        iidfile: &Path,
        hold: &str,
        secret_files: &[(String, PathBuf)],
    ) -> Vec<String> {
        let mut a: Vec<String> = vec![
            "build".into(),
            "--file".into(),
            req.dockerfile.display().to_string(),
        ];
        a.extend(["--iidfile".into(), iidfile.display().to_string()]);
        a.extend(["--tag".into(), hold.to_string()]);
        if self.builder == Builder::BuildKit {
            a.push("--progress=plain".into());
        }
        for (k, v) in &req.args {
            a.extend(["--build-arg".into(), format!("{k}={v}")]);
        }
        for (k, v) in &req.labels {
            a.extend(["--label".into(), format!("{k}={v}")]);
        }
        if let Some(t) = &req.target {
            a.extend(["--target".into(), t.clone()]);
        }
        if let Some(p) = &req.platform {
            a.extend(["--platform".into(), p.clone()]);
        }
        for (id, path) in secret_files {
            a.extend(["--secret".into(), format!("id={id},src={}", path.display())]);
        }
        a.extend(req.flags.iter().cloned());
        a.push(req.context.display().to_string());
        a
    }

    /// Runs one build. Every output line goes to the log file; step changes go to `on_step`.
    /// Returns the new image ID. No tag is touched here.
    pub fn build(
        &self,
        req: &BuildRequest,
        interrupted: &AtomicBool,
        on_step: &(dyn Fn(String) + Sync),
    ) -> Result<BuiltImage, BuildFailure> {
        let io = |e: std::io::Error| BuildFailure::Io(e.to_string());
        if let Some(dir) = req.log.parent() {
            std::fs::create_dir_all(dir).map_err(io)?;
        }
        let tmp = tempfile::Builder::new()
            .prefix("adf-build-")
            .tempdir()
            .map_err(io)?;
        let iidfile = tmp.path().join("iid");
        let mut secret_files = Vec::new();
        for (id, src) in &req.secrets {
            match src {
                SecretSource::File(p) => secret_files.push((id.clone(), p.clone())),
                SecretSource::Env(var) => {
                    let path = tmp.path().join(format!("secret-{id}"));
                    write_private(&path, std::env::var(var).unwrap_or_default().as_bytes())
                        .map_err(io)?;
                    secret_files.push((id.clone(), path));
                }
            }
        }
        let hold = hold_tag();
        let args = self.build_args(req, &iidfile, &hold, &secret_files);
        let log = Arc::new(Mutex::new(std::fs::File::create(&req.log).map_err(io)?));
        if let Ok(mut f) = log.lock() {
            let _ = writeln!(f, "$ {} {}", self.path.display(), args.join(" "));
        }
        let mut child = self
            .command()
            .args(&args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(io)?;
        let lines: Arc<Mutex<Vec<String>>> = Arc::new(Mutex::new(Vec::new()));
        let status = std::thread::scope(|s| {
            for stream in [
                child
                    .stdout
                    .take()
                    .map(|o| Box::new(o) as Box<dyn std::io::Read + Send>),
                child
                    .stderr
                    .take()
                    .map(|e| Box::new(e) as Box<dyn std::io::Read + Send>),
            ]
            .into_iter()
            .flatten()
            {
                let (log, lines) = (log.clone(), lines.clone());
                s.spawn(move || {
                    for line in BufReader::new(stream).lines().map_while(Result::ok) {
                        if let Ok(mut f) = log.lock() {
                            let _ = writeln!(f, "{line}");
                        }
                        if let Some(step) = progress::step_of(&line) {
                            on_step(step);
                        }
                        if let Ok(mut l) = lines.lock() {
                            l.push(line);
                            if l.len() > 4000 {
                                l.drain(..2000);
                            }
                        }
                    }
                });
            }
            loop {
                if interrupted.load(Ordering::SeqCst) {
                    let _ = child.kill();
                    let _ = child.wait();
                    return None;
                }
                match child.try_wait() {
                    Ok(Some(status)) => return Some(status),
                    Ok(None) => std::thread::sleep(Duration::from_millis(50)),
                    Err(_) => return None,
                }
            }
        });
        let Some(status) = status else {
            return Err(BuildFailure::Interrupted);
        };
        if !status.success() {
            let lines = lines.lock().map(|l| l.clone()).unwrap_or_default();
            return Err(BuildFailure::Failed {
                code: status.code(),
                tail: progress::failing_step_tail(&lines, 15),
            });
        }
        let id = std::fs::read_to_string(&iidfile)
            .map_err(io)?
            .trim()
            .to_string();
        if id.is_empty() {
            return Err(BuildFailure::Io("docker wrote no image ID".into()));
        }
        Ok(BuiltImage { id, hold_tag: hold })
    }
}

/// Up to this many refs are inspected directly (the daemon answers each ref separately).
const DIRECT_INSPECT_MAX: usize = 64;

/// The images adf built (label `adf.fingerprint`) that `refs` point at, by the CLI at `docker`.
/// Few refs: one `docker image inspect` of them. Many: one `docker image ls` of adf's images, then
/// one inspect of the distinct image IDs involved, so the cost does not grow with the refs.
pub fn inspect_many(docker: &Path, refs: &[String]) -> HashMap<String, ImageInfo> {
    let mut out = HashMap::new();
    if refs.is_empty() {
        return out;
    }
    let run = |args: &[&str], more: &[String]| {
        Command::new(docker)
            .stdin(Stdio::null())
            .args(args)
            .args(more)
            .output()
            .ok()
            .filter(|o| o.status.success() || !o.stdout.is_empty())
            .map(|o| String::from_utf8_lossy(&o.stdout).into_owned())
            .unwrap_or_default()
    };
    let label = format!("{{{{index .Config.Labels \"{FINGERPRINT_LABEL}\"}}}}");
    if refs.len() <= DIRECT_INSPECT_MAX {
        // few refs: one inspect of the refs themselves is the cheapest (missing ones are skipped)
        let format = format!("{{{{.Id}}}}|{label}|{{{{json .RepoTags}}}}");
        let wanted: HashMap<String, &String> = refs
            .iter()
            .map(|r| (crate::model::reference::normalize(r), r))
            .collect();
        for line in run(&["image", "inspect", "--format", &format], refs).lines() {
            let mut parts = line.splitn(3, '|');
            let (Some(id), Some(fp), Some(tags)) = (parts.next(), parts.next(), parts.next())
            else {
                continue;
            };
            if fp.is_empty() || fp == "<no value>" {
                continue; // not built by adf
            }
            for t in serde_json::from_str::<Vec<String>>(tags).unwrap_or_default() {
                if let Some(r) = wanted.get(&crate::model::reference::normalize(&t)) {
                    out.insert(
                        (*r).clone(),
                        ImageInfo {
                            id: id.to_string(),
                            fingerprint: fp.to_string(),
                        },
                    );
                }
            }
        }
        return out;
    }
    let filter = format!("label={FINGERPRINT_LABEL}");
    let listed = run(
        &[
            "image",
            "ls",
            "--no-trunc",
            "--filter",
            &filter,
            "--format",
            "{{.Repository}}:{{.Tag}}|{{.ID}}",
        ],
        &[],
    );
    let id_by_tag: HashMap<String, String> = listed
        .lines()
        .filter_map(|l| l.split_once('|'))
        .map(|(t, id)| (crate::model::reference::normalize(t), id.to_string()))
        .collect();
    let wanted: Vec<(&String, &String)> = refs
        .iter()
        .filter_map(|r| {
            id_by_tag
                .get(&crate::model::reference::normalize(r))
                .map(|id| (r, id))
        })
        .collect();
    let mut ids: Vec<String> = wanted.iter().map(|(_, id)| (*id).clone()).collect();
    ids.sort();
    ids.dedup();
    if ids.is_empty() {
        return out;
    }
    let format = format!("{{{{.Id}}}}|{label}");
    let fingerprints: HashMap<String, String> =
        run(&["image", "inspect", "--format", &format], &ids)
            .lines()
            .filter_map(|l| l.split_once('|'))
            .map(|(id, fp)| (id.to_string(), fp.to_string()))
            .collect();
    for (r, id) in wanted {
        if let Some(fp) = fingerprints.get(id) {
            out.insert(
                r.clone(),
                ImageInfo {
                    id: id.clone(),
                    fingerprint: fp.clone(),
                },
            );
        }
    }
    out
}

fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::os::unix::fs::OpenOptionsExt;
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)?;
    f.write_all(bytes)
}
