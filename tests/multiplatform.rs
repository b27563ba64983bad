//! Both architectures, one tag: a three-image chain for linux/amd64 and linux/arm64 (arm64 `RUN`
//! steps under qemu) built, verified and pushed as multi-platform indexes, on a classic image
//! store (Docker 20.10) and on a containerd image store (Docker 26 with buildx), against a real
//! registry on 127.0.0.1. Changing the arm64 installer rebuilds the arm64 variants only.

mod common;

use common::*;
use serde_json::Value;
use std::io::Read;
use std::path::Path;

const DOCKERFILE: &str = "\
ARG BASE_IMAGE
FROM ${BASE_IMAGE}
ARG ARCH
ARG LAYER
COPY packages/tool-${ARCH}.txt /tool-${LAYER}
RUN uname -m > /uname-${LAYER}
";

/// The chain; `root_base` is the busybox fixture of the engine (per-arch tags on a classic
/// store, one multi-platform tag on a containerd store).
fn chain(prefix: &str, root_base: &str) -> String {
    format!(
        r#"build_flags: [--network, host]
images:
  base:
    build:
      context: .
      args: {{BASE_IMAGE: "{root_base}", LAYER: base, ARCH: "${{ARCH}}"}}
      platforms: [linux/amd64, linux/arm64]
    installers: [{{path: "packages/tool-${{ARCH}}.txt"}}]
    tags: ["{prefix}/base:1"]
    verify: [{{name: tool, run: "cat /tool-base", expect: "tool for ${{DOCKER_ARCH}}"}}]
  mid:
    depends_on: [base]
    build: {{context: ., args: {{LAYER: mid, ARCH: "${{ARCH}}"}}, platforms: [linux/amd64, linux/arm64]}}
    tags: ["{prefix}/mid:1"]
    verify: [{{name: uname, run: "cat /uname-mid", expect: "${{ARCH}}"}}]
  leaf:
    depends_on: [mid]
    build: {{context: ., args: {{LAYER: leaf, ARCH: "${{ARCH}}"}}, platforms: [linux/amd64, linux/arm64]}}
    tags: ["{prefix}/leaf:1", "{prefix}/leaf:latest"]
"#
    )
}

fn chain_project(prefix: &str, root_base: &str) -> tempfile::TempDir {
    project(&[
        ("dockerfile-compose.yaml", &chain(prefix, root_base)),
        ("Dockerfile", DOCKERFILE),
        ("packages/tool-x86_64.txt", "tool for amd64\n"),
        ("packages/tool-aarch64.txt", "tool for arm64\n"),
    ])
}

fn run(dir: &Path, docker: &str, args: &[&str]) -> Output {
    adf_with(dir, args, &[("ADF_DOCKER", docker)])
}

fn json(port: u16, path: &str) -> Value {
    let (status, _, body) = registry_get(port, path);
    assert_eq!(status, 200, "GET {path}: {body}");
    serde_json::from_str(&body).unwrap_or_else(|e| panic!("{path} ({e}): {body}"))
}

/// The files of a gzip'd layer blob: path → content.
fn layer_files(port: u16, repo: &str, digest: &str) -> Vec<(String, String)> {
    let (status, _, gz) = registry_get_bytes(port, &format!("/v2/{repo}/blobs/{digest}"));
    assert_eq!(status, 200, "layer {digest}");
    let mut archive = tar::Archive::new(flate2::read::GzDecoder::new(&gz[..]));
    let mut out = Vec::new();
    for entry in archive.entries().expect("a tar") {
        let mut entry = entry.expect("an entry");
        let path = entry.path().expect("a path").display().to_string();
        let mut text = String::new();
        let _ = entry.read_to_string(&mut text);
        out.push((path, text));
    }
    out
}

/// Every tag of the chain in the registry is an index of exactly linux/amd64 and linux/arm64,
/// whose manifests' configs say that architecture and whose layers hold that platform's tool.
fn assert_published(port: u16, ns: &str) {
    for (repo, tag, layer) in [
        ("base", "1", "base"),
        ("mid", "1", "mid"),
        ("leaf", "1", "leaf"),
        ("leaf", "latest", "leaf"),
    ] {
        let repo = format!("{ns}/{repo}");
        let index = json(port, &format!("/v2/{repo}/manifests/{tag}"));
        let mut platforms: Vec<(String, String)> = index["manifests"]
            .as_array()
            .unwrap_or_else(|| panic!("{repo}:{tag} is an index: {index}"))
            .iter()
            .map(|m| {
                let p = &m["platform"];
                (
                    format!(
                        "{}/{}",
                        p["os"].as_str().unwrap_or("?"),
                        p["architecture"].as_str().unwrap_or("?")
                    ),
                    m["digest"].as_str().unwrap_or_default().to_string(),
                )
            })
            .collect();
        platforms.sort();
        let names: Vec<&str> = platforms.iter().map(|(p, _)| p.as_str()).collect();
        assert_eq!(
            names,
            ["linux/amd64", "linux/arm64"],
            "{repo}:{tag}: {index}"
        );
        for (platform, digest) in &platforms {
            let arch = platform.trim_start_matches("linux/");
            let manifest = json(port, &format!("/v2/{repo}/manifests/{digest}"));
            let config_digest = manifest["config"]["digest"].as_str().expect("config");
            let config = json(port, &format!("/v2/{repo}/blobs/{config_digest}"));
            assert_eq!(config["architecture"], arch, "{repo}:{tag} {platform}");
            // the layer of the COPY holds this platform's tool
            let tool = format!("tool-{layer}");
            let found = manifest["layers"]
                .as_array()
                .expect("layers")
                .iter()
                .flat_map(|l| layer_files(port, &repo, l["digest"].as_str().unwrap_or_default()))
                .find(|(p, _)| p.trim_start_matches("./") == tool)
                .unwrap_or_else(|| panic!("{repo}:{tag} {platform} has no /{tool}"));
            assert_eq!(
                found.1,
                format!("tool for {arch}\n"),
                "{repo}:{tag} {platform}"
            );
        }
    }
}

/// Build, verify, push, re-push, change the arm64 installer: the whole flow on one engine.
fn two_platforms_end_to_end(docker: &str, root_base: &str, port: u16, test: &str) {
    let prefix = unique(test);
    let dir = chain_project(&prefix, root_base);
    let b = run(dir.path(), docker, &["build", "--format", "json"]);
    assert_eq!(b.code, 0, "{}\n{}", b.stdout, b.stderr);
    let built = build_statuses(&b);
    assert_eq!(built.len(), 6, "{built:?}");
    assert!(built.iter().all(|(_, s)| s == "built"), "{built:?}");
    for (name, arch, uname) in [
        ("leaf@amd64", "amd64", "x86_64"),
        ("leaf@arm64", "arm64", "aarch64"),
    ] {
        let tag = format!("{prefix}/leaf:1-{arch}");
        assert!(built.iter().any(|(n, _)| n == name), "{built:?}");
        let inspect = docker_with(
            docker,
            &["image", "inspect", "--format", "{{.Architecture}}", &tag],
        );
        assert_eq!(inspect, arch, "{tag}");
        let out = docker_with(
            docker,
            &[
                "run",
                "--rm",
                "--platform",
                &format!("linux/{arch}"),
                &tag,
                "cat",
                "/uname-base",
                "/tool-base",
            ],
        );
        assert_eq!(out, format!("{uname}\ntool for {arch}"), "{tag}");
    }

    let v = run(dir.path(), docker, &["verify", "--format", "json"]);
    assert_eq!(v.code, 0, "{}\n{}", v.stdout, v.stderr);
    let report: Value = serde_json::from_str(&v.stdout).expect("verify json");
    let images = report["images"].as_array().expect("images");
    assert_eq!(images.len(), 6);
    for i in images {
        let name = i["name"].as_str().unwrap_or_default();
        let arch = name.rsplit('@').next().unwrap_or_default();
        assert_eq!(i["arch"], arch, "{name}");
        assert!(i["passed"].as_bool().unwrap_or(false), "{i}");
        let ran: Vec<&str> = i["checks"]
            .as_array()
            .expect("checks")
            .iter()
            .filter(|c| c["status"] == "PASS")
            .filter_map(|c| c["name"].as_str())
            .collect();
        assert!(
            ran.contains(&"verify: tool"),
            "{name} ran its base's check under its platform: {i}"
        );
    }

    let ns = format!("mp{}{port}", std::process::id());
    let to = format!("127.0.0.1:{port}/{ns}");
    let p = run(dir.path(), docker, &["push", "--to", &to]);
    assert_eq!(p.code, 0, "{}\n{}", p.stdout, p.stderr);
    let list: Vec<Value> = serde_json::from_str(&p.stdout).expect("manifest json");
    let indexes: Vec<&Value> = list.iter().filter(|e| e["platforms"].is_array()).collect();
    assert_eq!(indexes.len(), 4, "one index per file tag: {list:?}");
    assert!(indexes
        .iter()
        .all(|e| e["platforms"].as_array().map(Vec::len) == Some(2)));
    assert_published(port, &ns);
    let again = run(dir.path(), docker, &["push", "--to", &to]);
    assert_eq!(again.code, 0, "{}", again.stderr);
    let list: Vec<Value> = serde_json::from_str(&again.stdout).expect("manifest json");
    assert!(list.iter().all(|e| e["status"] == "unchanged"), "{list:?}");

    // the arm64 installer changes: only the arm64 variants are stale, and only they rebuild
    std::fs::write(
        dir.path().join("packages/tool-aarch64.txt"),
        "tool for arm64, v2\n",
    )
    .unwrap();
    let plan = run(dir.path(), docker, &["plan", "--format", "json"]);
    assert_eq!(plan.code, 0, "{}", plan.stderr);
    let plan: Value = serde_json::from_str(&plan.stdout).expect("plan json");
    for i in plan["images"].as_array().expect("images") {
        let name = i["name"].as_str().unwrap_or_default();
        let want = if name.ends_with("@arm64") {
            "build"
        } else {
            "fresh"
        };
        assert_eq!(i["action"], want, "{name}: {i}");
    }
    let b = run(dir.path(), docker, &["build", "--format", "json"]);
    assert_eq!(b.code, 0, "{}", b.stderr);
    for (name, status) in build_statuses(&b) {
        let want = if name.ends_with("@arm64") {
            "built"
        } else {
            "fresh"
        };
        assert_eq!(status, want, "{name}");
    }
    cleanup_with(docker, &prefix);
    cleanup(&to);
}

/// `docker ARGS` on a given client, stdout trimmed; panics with stderr on failure.
fn docker_with(docker: &str, args: &[&str]) -> String {
    let out = std::process::Command::new(docker)
        .args(args)
        .output()
        .expect("docker runs");
    assert!(
        out.status.success(),
        "{docker} {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

#[test]
fn classic_store_builds_verifies_and_publishes_both_platforms() {
    let docker = engine();
    engine_sh(&["fixtures-multiarch"]);
    const PORT: u16 = 5060;
    engine_sh(&["registry-stop", &PORT.to_string(), "--purge"]);
    engine_sh(&["registry", &PORT.to_string()]);
    two_platforms_end_to_end(
        &docker,
        "adf-fixture/busybox:1-${DOCKER_ARCH}",
        PORT,
        "mp-classic",
    );
    engine_sh(&["registry-stop", &PORT.to_string(), "--purge"]);
}

#[test]
fn containerd_store_keeps_both_platforms_under_one_local_tag() {
    engine();
    let docker = engine_sh(&["modern"]);
    engine_sh(&["fixtures-multiarch", &docker]);
    const PORT: u16 = 5061;
    engine_sh(&["registry-stop", &PORT.to_string(), "--purge"]);
    engine_sh(&["registry", &PORT.to_string()]);
    let prefix = unique("mp-one-tag");
    let dir = chain_project(&prefix, "adf-fixture/busybox:1");
    let b = run(dir.path(), &docker, &["build"]);
    assert_eq!(b.code, 0, "{}\n{}", b.stdout, b.stderr);
    assert!(
        b.stderr.contains(&format!("[leaf] {prefix}/leaf:1, {prefix}/leaf:latest: one local image for linux/amd64, linux/arm64")),
        "{}",
        b.stderr
    );
    for (arch, uname) in [("amd64", "x86_64"), ("arm64", "aarch64")] {
        let out = docker_with(
            &docker,
            &[
                "run",
                "--rm",
                "--platform",
                &format!("linux/{arch}"),
                &format!("{prefix}/leaf:latest"),
                "cat",
                "/uname-leaf",
                "/tool-base",
            ],
        );
        assert_eq!(
            out,
            format!("{uname}\ntool for {arch}"),
            "one local tag, {arch}"
        );
    }
    cleanup_with(&docker, &prefix);
    two_platforms_end_to_end(&docker, "adf-fixture/busybox:1", PORT, "mp-containerd");
    engine_sh(&["registry-stop", &PORT.to_string(), "--purge"]);
}

#[test]
fn a_platform_this_host_cannot_run_is_refused_before_anything_builds() {
    let docker = engine();
    engine_sh(&["fixtures-multiarch"]);
    let prefix = unique("mp-no-emulator");
    let dir = chain_project(&prefix, "adf-fixture/busybox:1-${DOCKER_ARCH}");
    let no_binfmt = tempfile::tempdir().expect("tempdir");
    let out = adf_with(
        dir.path(),
        &["build"],
        &[
            ("ADF_DOCKER", &docker),
            ("ADF_BINFMT_DIR", no_binfmt.path().to_str().expect("utf-8")),
        ],
    );
    assert_eq!(out.code, 2, "{}\n{}", out.stdout, out.stderr);
    assert!(
        out.stderr.contains("platform-unavailable"),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr.contains("`base@arm64` for linux/arm64"),
        "{}",
        out.stderr
    );
    assert!(out.stderr.contains("qemu-user-static"), "{}", out.stderr);
    assert!(
        !out.stderr.contains("@amd64"),
        "amd64 needs no emulator: {}",
        out.stderr
    );
    assert_eq!(
        image_id(&format!("{prefix}/base:1-amd64")),
        None,
        "nothing was built"
    );
    // narrowed to the platform the host runs, the same build goes through
    let out = adf_with(
        dir.path(),
        &["build", "--platform", "linux/amd64", "--format", "json"],
        &[
            ("ADF_DOCKER", &docker),
            ("ADF_BINFMT_DIR", no_binfmt.path().to_str().expect("utf-8")),
        ],
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    let names: Vec<String> = build_statuses(&out).into_iter().map(|(n, _)| n).collect();
    assert_eq!(names, ["base@amd64", "mid@amd64", "leaf@amd64"]);
    cleanup(&prefix);
}
