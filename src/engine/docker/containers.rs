//! Throwaway containers: an image's filesystem read through `docker create` + `docker export`
//! (nothing runs), and commands run without network under a deadline.

use super::DockerCli;
use crate::engine::process::{self, Waited};
use crate::engine::{ContainerRun, EngineError, ErrorKind, RunOutput, RunRequest};
use std::io::Read;
use std::path::Path;
use std::process::Stdio;

/// Removes a container when dropped.
struct Container<'a> {
    cli: &'a DockerCli,
    id: String,
}

impl Drop for Container<'_> {
    fn drop(&mut self) {
        remove(self.cli, &self.id);
    }
}

fn remove(cli: &DockerCli, name: &str) {
    let _ = process::output(
        cli.command()
            .args(["rm", "-f", name])
            .stdout(Stdio::null())
            .stderr(Stdio::null()),
    );
}

pub(super) fn export_filesystem(
    cli: &DockerCli,
    image: &str,
    read: &mut dyn FnMut(&mut dyn Read) -> Result<(), String>,
) -> Result<(), EngineError> {
    let id = cli.checked(&[
        "create",
        "--network",
        "none",
        "--entrypoint",
        "/adf-verify-never-runs",
        image,
    ])?;
    let container = Container {
        cli,
        id: id.trim().to_string(),
    };
    let action = format!("docker export of {image}");
    let mut cmd = cli.command();
    cmd.args(["export", &container.id])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = process::spawn(&mut cmd)?;
    let stderr = process::collect(child.stderr.take());
    let Some(stdout) = child.stdout.take() else {
        return Err(EngineError::new(ErrorKind::Failed, action, "no output"));
    };
    let mut reader = std::io::BufReader::with_capacity(1 << 20, stdout);
    let read_result = read(&mut reader);
    // The archive ends with padding after its end marker: drain it, or docker export fails
    // writing to a closed pipe.
    let _ = std::io::copy(&mut reader, &mut std::io::sink());
    let status = child
        .wait()
        .map_err(|e| EngineError::new(ErrorKind::Failed, &action, e.to_string()))?;
    let tail = process::tail_of(stderr);
    match read_result {
        Ok(()) if status.success() => Ok(()),
        Ok(()) => Err(EngineError {
            tail: tail.clone(),
            ..EngineError::new(ErrorKind::Failed, action, tail.join(" | "))
        }),
        Err(e) => Err(EngineError::new(
            ErrorKind::Stream,
            action,
            format!("cannot read its archive: {e}; {}", tail.join(" | ")),
        )),
    }
}

/// `sh -c SCRIPT` in a fresh container of the image (through its entrypoint, so an entrypoint
/// that loads the CANN environment applies), no network, removed afterwards.
pub(super) fn run(cli: &DockerCli, req: &RunRequest) -> Result<RunOutput, EngineError> {
    static SEQ: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let name = format!(
        "adf-verify-{}-{}",
        std::process::id(),
        SEQ.fetch_add(1, std::sync::atomic::Ordering::SeqCst)
    );
    let mut cmd = cli.command();
    cmd.args(["run", "--rm", "--name", &name, "--network", "none"]);
    for d in &req.devices {
        cmd.args(["--device", d]);
    }
    for m in &req.read_only_mounts {
        cmd.args(["-v", &format!("{m}:{m}:ro")]);
    }
    cmd.args([req.image.as_str(), "/bin/sh", "-c", req.script.as_str()])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = process::spawn(&mut cmd)?;
    let out = process::collect(child.stdout.take());
    let err = process::collect(child.stderr.take());
    let waited = process::wait(&mut child, None, Some(req.timeout));
    if matches!(waited, Ok(Waited::TimedOut)) {
        // killing the client leaves the container running: remove it by name
        remove(cli, &name);
    }
    let waited = waited.map_err(|e| {
        EngineError::new(
            ErrorKind::Failed,
            format!("docker run {}", req.image),
            e.to_string(),
        )
    })?;
    let mut output = String::from_utf8_lossy(&out.join().unwrap_or_default()).into_owned();
    output.push_str(&String::from_utf8_lossy(&err.join().unwrap_or_default()));
    Ok(match waited {
        Waited::Exited(status) => RunOutput {
            code: status.code(),
            output,
            timed_out: false,
        },
        Waited::TimedOut | Waited::Interrupted => RunOutput {
            code: None,
            output,
            timed_out: true,
        },
    })
}

/// `docker run` of a container for a person, without the program: removed at the end, the
/// terminal's streams when stdin is one, devices and read-only mounts, then the extra flags, the
/// image and its command.
pub(super) fn run_args(req: &ContainerRun) -> Vec<String> {
    let mut args: Vec<String> = vec!["run".into(), "--rm".into()];
    if req.interactive {
        args.push("-it".into());
    }
    args.extend(["--ipc".into(), req.ipc.clone()]);
    if let Some(size) = &req.shm_size {
        args.extend(["--shm-size".into(), size.clone()]);
    }
    args.extend(["--network".into(), req.network.clone()]);
    for d in &req.devices {
        args.extend(["--device".into(), d.clone()]);
    }
    for m in &req.read_only_mounts {
        args.extend(["-v".into(), format!("{m}:{m}:ro")]);
    }
    args.extend(req.extra_flags.iter().cloned());
    args.push(req.image.clone());
    args.extend(req.command.iter().cloned());
    args
}

/// Runs the container in the foreground with adf's own stdin, stdout and stderr; the client's
/// exit code (docker run exits with the container's).
pub(super) fn run_container(cli: &DockerCli, req: &ContainerRun) -> Result<i32, EngineError> {
    let mut cmd = cli.command();
    cmd.args(run_args(req))
        .stdin(Stdio::inherit())
        .stdout(Stdio::inherit())
        .stderr(Stdio::inherit());
    let mut child = process::spawn_foreground(&mut cmd)?;
    // Ctrl-C reaches docker too, which passes it to the container: wait for it to end
    let status = child.wait().map_err(|e| {
        EngineError::new(
            ErrorKind::Failed,
            format!("docker run {}", req.image),
            e.to_string(),
        )
    })?;
    Ok(status.code().unwrap_or_else(|| {
        use std::os::unix::process::ExitStatusExt;
        128 + status.signal().unwrap_or(0)
    }))
}

/// The host's Docker architecture.
pub fn host_arch() -> &'static str {
    crate::model::platform::host_suffix()
}

/// Why an image of `arch` cannot run on the engine, if it cannot: another architecture than
/// the engine's, with no binfmt emulator registered (`ADF_BINFMT_DIR` replaces
/// `/proc/sys/fs/binfmt_misc`). Only a local engine's emulators can be seen: for one behind a
/// remote `DOCKER_HOST` this says nothing, and the engine answers for itself.
pub(super) fn cannot_run(info: &crate::engine::EngineInfo, arch: &str) -> Option<String> {
    let engine_arch = if info.server_arch.is_empty() {
        host_arch()
    } else {
        info.server_arch.as_str()
    };
    if arch.is_empty() || arch == engine_arch {
        return None;
    }
    let remote =
        std::env::var("DOCKER_HOST").is_ok_and(|h| !h.is_empty() && !h.starts_with("unix://"));
    if remote || engine_arch != host_arch() {
        return None;
    }
    let qemu = match arch {
        "arm64" => "qemu-aarch64".to_string(),
        "amd64" => "qemu-x86_64".to_string(),
        "386" => "qemu-i386".to_string(),
        "loong64" => "qemu-loongarch64".to_string(),
        other => format!("qemu-{other}"),
    };
    let dir = std::env::var_os("ADF_BINFMT_DIR")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| Path::new("/proc/sys/fs/binfmt_misc").to_path_buf());
    let registered = dir.join(&qemu).exists();
    (!registered).then(|| {
        format!(
            "a linux/{arch} image cannot run on this linux/{} host: no {qemu} binfmt emulator is registered",
            host_arch()
        )
    })
}
