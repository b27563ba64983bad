//! Helpers shared by the CLI tests: run the real `adf` binary in a directory.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;

pub struct Output {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

pub fn adf_bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_adf"))
}

/// Runs adf in `dir` with no colour and the given extra environment.
pub fn adf_with(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(adf_bin());
    // no knowledge overlay a developer may have synced: tests see the built-in data only
    // (tests of the overlay pass their own ADF_CACHE_DIR, which wins)
    let no_overlay = Path::new(env!("CARGO_TARGET_TMPDIR")).join("adf-no-overlay");
    cmd.args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env("ADF_CACHE_DIR", no_overlay)
        .env_remove("ORG");
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().expect("adf runs");
    Output {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// Runs adf with a deterministic environment (fixed TIMESTAMP).
pub fn adf(dir: &Path, args: &[&str]) -> Output {
    adf_with(dir, args, &[("SOURCE_DATE_EPOCH", "1700000000")])
}

pub fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

/// A temporary project: `files` are (relative path, content).
pub fn project(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    for (path, content) in files {
        let p = dir.path().join(path);
        std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
        std::fs::write(p, content).expect("write");
    }
    dir
}

/// The docker CLI the engine tests drive (BuildKit-capable Debian client by default).
pub fn docker() -> String {
    std::env::var("ADF_TEST_DOCKER").unwrap_or_else(|_| "/usr/bin/docker".into())
}

/// Starts the local engine and the fixture base image once per test binary (idempotent).
pub fn engine() -> String {
    static UP: std::sync::Once = std::sync::Once::new();
    UP.call_once(|| {
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/engine.sh");
        let st = Command::new("bash")
            .arg(script)
            .arg("up")
            .status()
            .expect("engine.sh runs");
        assert!(st.success(), "scripts/engine.sh up failed");
    });
    docker()
}

/// `docker ARGS`, stdout trimmed; panics with stderr on failure.
pub fn docker_out(args: &[&str]) -> String {
    let out = Command::new(docker())
        .args(args)
        .env("DOCKER_BUILDKIT", "1")
        .output()
        .expect("docker runs");
    assert!(
        out.status.success(),
        "docker {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

/// The image ID a tag points at, if any.
pub fn image_id(tag: &str) -> Option<String> {
    let out = Command::new(docker())
        .args(["image", "inspect", "--format", "{{.Id}}", tag])
        .output()
        .ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
}

/// Runs adf with the test engine.
pub fn adf_engine(dir: &Path, args: &[&str]) -> Output {
    adf_with(dir, args, &[("ADF_DOCKER", &docker())])
}

/// A unique, valid repository prefix for one test's tags.
pub fn unique(test: &str) -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    format!("adf-test/{test}-{}-{nanos}", std::process::id())
}

/// Removes every tag under a test prefix (best effort).
pub fn cleanup(prefix: &str) {
    let out = Command::new(docker())
        .args(["image", "ls", "--format", "{{.Repository}}:{{.Tag}}"])
        .output();
    if let Ok(out) = out {
        let tags: Vec<String> = String::from_utf8_lossy(&out.stdout)
            .lines()
            .filter(|l| l.starts_with(prefix))
            .map(str::to_string)
            .collect();
        if !tags.is_empty() {
            let _ = Command::new(docker())
                .arg("rmi")
                .arg("-f")
                .args(&tags)
                .output();
        }
    }
}

/// Status of each image from `adf build --format json`.
pub fn statuses(out: &Output) -> std::collections::BTreeMap<String, String> {
    image_fields(out, ["name", "status"])
        .into_iter()
        .map(|[name, status]| (name, status))
        .collect()
}

/// The string fields `keys` of each image of an `adf ... --format json` report or plan, in its
/// order (a missing field is empty).
pub fn image_fields<const N: usize>(out: &Output, keys: [&str; N]) -> Vec<[String; N]> {
    let v: serde_json::Value = serde_json::from_str(&out.stdout)
        .unwrap_or_else(|e| panic!("json ({e}): {}\n{}", out.stdout, out.stderr));
    v["images"]
        .as_array()
        .expect("images")
        .iter()
        .map(|i| keys.map(|k| i[k].as_str().unwrap_or_default().to_string()))
        .collect()
}

/// Runs adf like `adf_with`, with `input` on its standard input (a pipe, never a terminal).
pub fn adf_stdin(dir: &Path, args: &[&str], env: &[(&str, &str)], input: &[u8]) -> Output {
    use std::io::Write;
    let mut cmd = Command::new(adf_bin());
    cmd.args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env_remove("ORG")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    for (k, v) in env {
        cmd.env(k, v);
    }
    let mut child = cmd.spawn().expect("adf runs");
    if let Some(mut stdin) = child.stdin.take() {
        // adf may refuse before reading: a closed pipe is fine
        let _ = stdin.write_all(input);
    }
    let out = child.wait_with_output().expect("adf runs");
    Output {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// `scripts/engine.sh` (or `ADF_ENGINE_SH`) with `args`; its stdout, trimmed. Panics on failure.
pub fn engine_sh(args: &[&str]) -> String {
    let script = std::env::var("ADF_ENGINE_SH")
        .map(PathBuf::from)
        .unwrap_or_else(|_| Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/engine.sh"));
    let out = Command::new("bash")
        .arg(&script)
        .args(args)
        .output()
        .expect("engine.sh runs");
    assert!(
        out.status.success(),
        "engine.sh {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

/// GET on a registry's API on 127.0.0.1:PORT: status, Docker-Content-Digest, body bytes. Asks
/// for every manifest type (without the docker v2 types a registry may convert manifests).
pub fn registry_get_bytes(port: u16, path: &str) -> (u16, Option<String>, Vec<u8>) {
    use std::io::{Read, Write};
    let mut s = std::net::TcpStream::connect(("127.0.0.1", port)).expect("registry answers");
    let accept = "application/vnd.docker.distribution.manifest.v2+json, application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.list.v2+json, application/vnd.oci.image.index.v1+json";
    write!(s, "GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nAccept: {accept}\r\nConnection: close\r\n\r\n").expect("request");
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).expect("response");
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .unwrap_or(raw.len());
    let head = String::from_utf8_lossy(&raw[..split]).into_owned();
    let body = raw.get(split + 4..).unwrap_or_default().to_vec();
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    let digest = head.lines().find_map(|l| {
        l.to_ascii_lowercase()
            .starts_with("docker-content-digest:")
            .then(|| l[22..].trim().to_string())
    });
    (status, digest, body)
}

/// [`registry_get_bytes`] with the body as text.
pub fn registry_get(port: u16, path: &str) -> (u16, Option<String>, String) {
    let (status, digest, body) = registry_get_bytes(port, path);
    (status, digest, String::from_utf8_lossy(&body).into_owned())
}

/// `CLIENT ARGS`: exit code, stdout, stderr (whatever the exit code).
pub fn docker_run_with(docker: &str, args: &[&str]) -> (i32, String, String) {
    let out = Command::new(docker)
        .args(args)
        .output()
        .expect("docker runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// The image ID a tag points at on the engine `docker` talks to, if any.
pub fn image_id_with(docker: &str, tag: &str) -> Option<String> {
    let (code, out, _) = docker_run_with(docker, &["image", "inspect", "--format", "{{.Id}}", tag]);
    (code == 0).then(|| out.trim().to_string())
}

/// Removes every tag under `prefix` from the engine `docker` talks to (best effort).
pub fn cleanup_with(docker: &str, prefix: &str) {
    let (_, tags, _) = docker_run_with(
        docker,
        &["image", "ls", "--format", "{{.Repository}}:{{.Tag}}"],
    );
    let mine: Vec<&str> = tags.lines().filter(|t| t.starts_with(prefix)).collect();
    if !mine.is_empty() {
        let mut args = vec!["image", "rm", "--force"];
        args.extend(mine);
        let _ = docker_run_with(docker, &args);
    }
}

/// The Docker 26 engine (buildx 0.13, containerd image store) with its busybox fixtures for
/// both architectures: its client's path.
pub fn modern() -> String {
    engine();
    let docker = engine_sh(&["modern"]);
    engine_sh(&["fixtures-multiarch", &docker]);
    docker
}

/// (name, status) of each image of `adf build --format json`, in build order.
pub fn build_statuses(out: &Output) -> Vec<(String, String)> {
    image_fields(out, ["name", "status"])
        .into_iter()
        .map(|[name, status]| (name, status))
        .collect()
}
