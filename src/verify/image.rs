//! The engine side of verification: an image's config, its filesystem (via `docker create` +
//! `docker export`, nothing runs) and commands run in a throwaway container without network.

use super::rootfs::RootFs;
use std::io::Read;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// What `docker image inspect` says about an image.
#[derive(Clone, Debug, Default)]
pub struct ImageConfig {
    pub id: String,
    pub arch: String,
    pub env: Vec<(String, String)>,
    pub labels: Vec<(String, String)>,
}

pub fn inspect(docker: &Path, reference: &str) -> Result<ImageConfig, String> {
    let out = Command::new(docker)
        .args(["image", "inspect", "--format", "{{json .}}", reference])
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("cannot run {}: {e}", docker.display()))?;
    if !out.status.success() {
        return Err(format!(
            "no image {reference} on this engine (run `adf build` first)"
        ));
    }
    let v: serde_json::Value = serde_json::from_slice(&out.stdout)
        .map_err(|e| format!("unreadable `docker image inspect` output: {e}"))?;
    let config = &v["Config"];
    let env = config["Env"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|e| e.as_str()?.split_once('='))
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect()
        })
        .unwrap_or_default();
    let labels = config["Labels"]
        .as_object()
        .map(|m| {
            m.iter()
                .map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_string()))
                .collect()
        })
        .unwrap_or_default();
    Ok(ImageConfig {
        id: v["Id"].as_str().unwrap_or_default().to_string(),
        arch: v["Architecture"].as_str().unwrap_or_default().to_string(),
        env,
        labels,
    })
}

/// Removes a container when dropped.
struct Container<'a> {
    docker: &'a Path,
    id: String,
}

impl Drop for Container<'_> {
    fn drop(&mut self) {
        let _ = Command::new(self.docker)
            .args(["rm", "-f", &self.id])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
    }
}

/// The image's filesystem, streamed from `docker export` of a created (never started)
/// container.
pub fn export(docker: &Path, image_id: &str) -> Result<RootFs, String> {
    let out = Command::new(docker)
        .args([
            "create",
            "--network",
            "none",
            "--entrypoint",
            "/adf-verify-never-runs",
            image_id,
        ])
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("cannot run {}: {e}", docker.display()))?;
    if !out.status.success() {
        return Err(format!(
            "docker create failed: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        ));
    }
    let container = Container {
        docker,
        id: String::from_utf8_lossy(&out.stdout).trim().to_string(),
    };
    let mut child = Command::new(docker)
        .args(["export", &container.id])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot run docker export: {e}"))?;
    let stdout = child.stdout.take().ok_or("docker export has no output")?;
    let mut reader = std::io::BufReader::with_capacity(1 << 20, stdout);
    let fs = RootFs::from_tar(&mut reader);
    // The archive ends with padding after its end marker: drain it, or docker export fails
    // writing to a closed pipe.
    let _ = std::io::copy(&mut reader, &mut std::io::sink());
    let mut err = String::new();
    if let Some(mut e) = child.stderr.take() {
        let _ = e.read_to_string(&mut err);
    }
    let status = child.wait().map_err(|e| e.to_string())?;
    match fs {
        Ok(fs) if status.success() => Ok(fs),
        Ok(_) => Err(format!("docker export failed: {}", err.trim())),
        Err(e) => Err(format!(
            "cannot read docker export's archive: {e}; {}",
            err.trim()
        )),
    }
}

/// Output (stdout then stderr) and exit code of a command run in the image.
pub struct RunOutput {
    pub code: Option<i32>,
    pub output: String,
    pub timed_out: bool,
}

/// `sh -c SCRIPT` in a fresh container of the image (through its entrypoint, so an entrypoint
/// that loads the CANN environment applies), no network, removed afterwards.
pub fn run(
    docker: &Path,
    image_id: &str,
    script: &str,
    extra: &[String],
    timeout: Duration,
) -> Result<RunOutput, String> {
    static SEQ: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let name = format!(
        "adf-verify-{}-{}",
        std::process::id(),
        SEQ.fetch_add(1, std::sync::atomic::Ordering::SeqCst)
    );
    let mut cmd = Command::new(docker);
    cmd.args(["run", "--rm", "--name", &name, "--network", "none"])
        .args(extra)
        .args([image_id, "/bin/sh", "-c", script])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cmd
        .spawn()
        .map_err(|e| format!("cannot run {}: {e}", docker.display()))?;
    let mut out_pipe = child.stdout.take();
    let mut err_pipe = child.stderr.take();
    let out_reader = std::thread::spawn(move || {
        let mut s = Vec::new();
        if let Some(p) = out_pipe.as_mut() {
            let _ = p.read_to_end(&mut s);
        }
        s
    });
    let err_reader = std::thread::spawn(move || {
        let mut s = Vec::new();
        if let Some(p) = err_pipe.as_mut() {
            let _ = p.read_to_end(&mut s);
        }
        s
    });
    let start = Instant::now();
    let mut timed_out = false;
    let status = loop {
        match child.try_wait() {
            Ok(Some(st)) => break Some(st),
            Ok(None) if start.elapsed() > timeout => {
                timed_out = true;
                let _ = Command::new(docker)
                    .args(["rm", "-f", &name])
                    .stdin(Stdio::null())
                    .stdout(Stdio::null())
                    .stderr(Stdio::null())
                    .status();
                let _ = child.kill();
                break child.wait().ok();
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(20)),
            Err(e) => return Err(e.to_string()),
        }
    };
    let mut output = String::from_utf8_lossy(&out_reader.join().unwrap_or_default()).into_owned();
    output.push_str(&String::from_utf8_lossy(
        &err_reader.join().unwrap_or_default(),
    ));
    Ok(RunOutput {
        code: status.and_then(|s| s.code()),
        output,
        timed_out,
    })
}

/// The host's Docker architecture.
pub fn host_arch() -> &'static str {
    match std::env::consts::ARCH {
        "x86_64" => "amd64",
        "aarch64" => "arm64",
        other => other,
    }
}

/// Why an image of `arch` cannot run here, if it cannot: another architecture with no binfmt
/// emulator registered.
pub fn cannot_run(arch: &str) -> Option<String> {
    if arch.is_empty() || arch == host_arch() {
        return None;
    }
    let qemu = match arch {
        "arm64" => "qemu-aarch64",
        "amd64" => "qemu-x86_64",
        other => other,
    };
    let registered = Path::new("/proc/sys/fs/binfmt_misc").join(qemu).exists();
    (!registered).then(|| {
        format!(
            "a linux/{arch} image cannot run on this linux/{} host: no {qemu} binfmt emulator is registered",
            host_arch()
        )
    })
}
