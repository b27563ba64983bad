//! The two build backends (issue 16): on a client with buildx 0.13 or later `adf build` hands
//! the stale graph to one `docker buildx bake` unless an image needs what bake cannot carry;
//! `--backend cli` keeps one `docker build` per image. Both give the same statuses, the same
//! fingerprints and the same incremental behaviour. A build with nothing to do asks the engine
//! one thing: the image lookup. Docker 26 + buildx 0.13 (and Debian's 20.10 client).

mod common;

use common::*;

/// bake 0.13 has no network setting and this engine no bridge: RUN steps go without network.
const DOCKERFILE: &str = "ARG BASE_IMAGE\nFROM ${BASE_IMAGE}\nARG LAYER\nCOPY f-${LAYER}.txt /f-${LAYER}\nRUN --network=none cat /f-${LAYER} > /copy-${LAYER}\n";

/// Debian's 20.10 client reads no `RUN --network`: a Dockerfile without RUN.
const DOCKERFILE_20: &str =
    "ARG BASE_IMAGE\nFROM ${BASE_IMAGE}\nARG LAYER\nCOPY f-${LAYER}.txt /f-${LAYER}\n";

/// base → mid → {leaf-a, leaf-b}; `extra` is appended to `leaf-b`'s entry.
fn stack(prefix: &str, extra: &str) -> tempfile::TempDir {
    stack_of(prefix, extra, DOCKERFILE)
}

fn stack_of(prefix: &str, extra: &str, dockerfile: &str) -> tempfile::TempDir {
    let yaml = format!(
        r#"images:
  base:
    build: {{context: ., args: {{BASE_IMAGE: adf-fixture/busybox:1, LAYER: base}}}}
    tags: ["{prefix}/base:1"]
  mid:
    depends_on: [base]
    build: {{context: ., args: {{LAYER: mid}}}}
    tags: ["{prefix}/mid:1"]
  leaf-a:
    depends_on: [mid]
    build: {{context: ., args: {{LAYER: leaf-a}}}}
    tags: ["{prefix}/leaf-a:1", "{prefix}/leaf-a:latest"]
  leaf-b:
    depends_on: [mid]
    build: {{context: ., args: {{LAYER: leaf-b}}}}
    tags: ["{prefix}/leaf-b:1"]
{extra}"#
    );
    // inputs of this stack alone, so BuildKit's cache holds the results made here
    let base = format!("base {prefix}\n");
    project(&[
        ("dockerfile-compose.yaml", &yaml),
        ("Dockerfile", dockerfile),
        ("f-base.txt", &base),
        ("f-mid.txt", "mid\n"),
        ("f-leaf-a.txt", "leaf-a\n"),
        ("f-leaf-b.txt", "leaf-b\n"),
    ])
}

fn build(dir: &std::path::Path, docker: &str, extra: &[&str]) -> Output {
    let mut args = vec!["build", "--format", "json"];
    args.extend_from_slice(extra);
    // the test runner's own ADF_BACKEND (CI runs the suite once with `cli`) must not decide here
    adf_with(
        dir,
        &args,
        &[("ADF_DOCKER", docker), ("ADF_BACKEND", "auto")],
    )
}

fn fingerprints(dir: &std::path::Path, docker: &str) -> Vec<String> {
    let out = adf_with(
        dir,
        &["plan", "--format", "json"],
        &[("ADF_DOCKER", docker)],
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    image_fields(&out, ["fingerprint"])
        .into_iter()
        .map(|[f]| f)
        .collect()
}

fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect()
}

/// One backend through a full build, a no-op, and a change in the middle of the graph: what
/// each run reported, and the fingerprints at the end.
/// Both backends use the same tags (a child's fingerprint covers its parent's tag).
fn scenario(
    docker: &str,
    backend: &str,
    prefix: &str,
) -> (Vec<Vec<(String, String)>>, Vec<String>) {
    let dir = stack(prefix, "");
    let flag = ["--backend", backend];
    let mut seen = Vec::new();
    let first = build(dir.path(), docker, &flag);
    assert_eq!(first.code, 0, "{}\n{}", first.stdout, first.stderr);
    let word = if backend == "bake" {
        "4 to build: one buildx bake (asked for)"
    } else {
        "4 to build: docker build, 2 at once (asked for)"
    };
    assert!(first.stderr.contains(word), "{}", first.stderr);
    seen.push(build_statuses(&first));
    // what the next run will decide, and why (for the message when it is not a no-op)
    let explained = adf_with(
        dir.path(),
        &["plan", "--explain"],
        &[("ADF_DOCKER", docker)],
    );
    let again = build(dir.path(), docker, &flag);
    assert_eq!(again.code, 0, "{}", again.stderr);
    assert!(
        again.stderr.contains("4 images, nothing to build"),
        "the run after the first build:\n{}\nthe first build:\n{}\nadf plan --explain between them:\n{}{}",
        again.stderr,
        first.stderr,
        explained.stdout,
        explained.stderr
    );
    seen.push(build_statuses(&again));
    std::fs::write(dir.path().join("f-mid.txt"), "mid, changed\n").unwrap();
    let changed = build(dir.path(), docker, &flag);
    assert_eq!(changed.code, 0, "{}", changed.stderr);
    seen.push(build_statuses(&changed));
    let (code, out, err) = docker_run_with(
        docker,
        &[
            "run",
            "--rm",
            "--network",
            "none",
            &format!("{prefix}/leaf-b:1"),
            "cat",
            "/copy-mid",
        ],
    );
    assert_eq!((code, out.trim()), (0, "mid, changed"), "{err}");
    let prints = fingerprints(dir.path(), docker);
    cleanup_with(docker, prefix);
    (seen, prints)
}

#[test]
fn both_backends_build_skip_and_rebuild_alike() {
    let docker = modern();
    let prefix = unique("backend-both");
    let (cli, cli_prints) = scenario(&docker, "cli", &prefix);
    let (bake, bake_prints) = scenario(&docker, "bake", &prefix);
    let built = pairs(&[
        ("base", "built"),
        ("mid", "built"),
        ("leaf-a", "built"),
        ("leaf-b", "built"),
    ]);
    let fresh = pairs(&[
        ("base", "fresh"),
        ("mid", "fresh"),
        ("leaf-a", "fresh"),
        ("leaf-b", "fresh"),
    ]);
    let changed = pairs(&[
        ("base", "fresh"),
        ("mid", "built"),
        ("leaf-a", "built"),
        ("leaf-b", "built"),
    ]);
    assert_eq!(cli, [built.clone(), fresh.clone(), changed.clone()]);
    assert_eq!(bake, cli, "the same statuses with either backend");
    assert_eq!(bake_prints, cli_prints, "the same fingerprints");
}

#[test]
fn auto_bakes_on_buildx_unless_an_image_needs_the_cli() {
    let docker = modern();
    let prefix = unique("backend-auto");
    let dir = stack(&prefix, "");
    let out = build(dir.path(), &docker, &[]);
    assert_eq!(out.code, 0, "{}\n{}", out.stdout, out.stderr);
    assert!(
        out.stderr
            .contains("4 to build: one buildx bake (buildx 0.13"),
        "{}",
        out.stderr
    );
    assert!(dir.path().join(".adf/bake.json").is_file());
    cleanup_with(&docker, &prefix);

    // an image with build_flags: bake 0.13 cannot carry them, so every image goes through the cli
    let prefix = unique("backend-auto-flags");
    let dir = stack(&prefix, "    build_flags: [--network, none]\n");
    let out = build(dir.path(), &docker, &[]);
    assert_eq!(out.code, 0, "{}\n{}", out.stdout, out.stderr);
    assert!(
        out.stderr.contains(
            "4 to build: docker build, 2 at once (`leaf-b` has build_flags `--network none`)"
        ),
        "{}",
        out.stderr
    );
    // --keep-going asks for what a bake cannot do (go on after a failure)
    std::fs::write(dir.path().join("f-leaf-a.txt"), "changed\n").unwrap();
    let out = build(dir.path(), &docker, &["--keep-going"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        out.stderr
            .contains("(--keep-going: a bake stops at the first failure)"),
        "{}",
        out.stderr
    );
    cleanup_with(&docker, &prefix);
}

#[test]
fn without_buildx_auto_is_the_cli() {
    engine();
    // Debian's 20.10 client (BuildKit through DOCKER_BUILDKIT=1), whichever client the other
    // engine tests drive
    let docker = "/usr/bin/docker";
    let prefix = unique("backend-20");
    let dir = stack_of(&prefix, "", DOCKERFILE_20);
    let out = build(dir.path(), docker, &[]);
    assert_eq!(out.code, 0, "{}\n{}", out.stdout, out.stderr);
    assert!(
        out.stderr
            .contains("4 to build: docker build, 2 at once (no buildx: client 20.10"),
        "{}",
        out.stderr
    );
    cleanup_with(docker, &prefix);
}

/// A `docker` that records each command line before running the real client (it builds nothing
/// itself: every request reaches the real engine).
fn recording_client(docker: &str, log: &std::path::Path) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    let script = format!(
        "#!/bin/sh\nprintf '%s\\n' \"$*\" >> '{}'\nexec '{docker}' \"$@\"\n",
        log.display()
    );
    let path = dir.path().join("docker");
    std::fs::write(&path, script).unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    dir
}

#[test]
fn nothing_to_build_asks_the_engine_one_thing() {
    let docker = modern();
    let prefix = unique("backend-noop");
    let dir = stack(&prefix, "");
    let out = build(dir.path(), &docker, &[]);
    assert_eq!(out.code, 0, "{}\n{}", out.stdout, out.stderr);
    let log = dir.path().join("calls.log");
    let client = recording_client(&docker, &log);
    let recorded = client.path().join("docker");
    let again = build(dir.path(), recorded.to_str().unwrap(), &[]);
    assert_eq!(again.code, 0, "{}", again.stderr);
    let calls = std::fs::read_to_string(&log).unwrap_or_default();
    let calls: Vec<&str> = calls.lines().collect();
    assert_eq!(calls.len(), 1, "{calls:#?}");
    assert!(calls[0].starts_with("image inspect "), "{calls:#?}");
    // a stale image: the engine is probed (versions, buildx) before anything builds
    std::fs::write(&log, "").unwrap();
    std::fs::write(dir.path().join("f-leaf-b.txt"), "changed\n").unwrap();
    let stale = build(dir.path(), recorded.to_str().unwrap(), &[]);
    assert_eq!(stale.code, 0, "{}", stale.stderr);
    let calls = std::fs::read_to_string(&log).unwrap_or_default();
    assert!(calls.lines().any(|l| l.starts_with("version")), "{calls}");
    assert!(
        calls.lines().any(|l| l.starts_with("buildx bake")),
        "{calls}"
    );
    cleanup_with(&docker, &prefix);
}

#[test]
fn a_backend_that_does_not_exist_is_bad_input() {
    let dir = stack("adf-test/backend-bad", "");
    let out = adf_with(dir.path(), &["build"], &[("ADF_BACKEND", "fast")]);
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(
        out.stderr
            .contains("ADF_BACKEND=fast is not a backend; use auto, cli or bake"),
        "{}",
        out.stderr
    );
    let out = adf(
        dir.path(),
        &["build", "--backend", "cli", "--builder", "farm"],
    );
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(
        out.stderr.contains("--builder names a buildx builder"),
        "{}",
        out.stderr
    );
    let out = adf(dir.path(), &["build", "--backend", "fast"]);
    assert_eq!(out.code, 2, "{}", out.stderr);
}

/// BuildKit solves a `target:` parent again inside its child's build. When its cache holds two
/// results of the parent's steps (here: the same inputs built again with `--no-cache`), the
/// child can come out on the other copy: equal files, other layers, none of them shared with
/// the exported parent. adf bakes such a child again on the exported parent: every child's
/// layers extend its parent's, and the next run has nothing to build.
#[test]
fn a_child_baked_on_another_copy_of_its_parent_is_baked_again() {
    let docker = modern();
    let prefix = unique("backend-copy");
    let dir = stack(&prefix, "");
    let first = build(dir.path(), &docker, &["--backend", "bake"]);
    assert_eq!(first.code, 0, "{}", first.stderr);
    cleanup_with(&docker, &prefix);
    let again = build(
        dir.path(),
        &docker,
        &["--backend", "cli", "--build-flag=--no-cache"],
    );
    assert_eq!(again.code, 0, "{}", again.stderr);
    cleanup_with(&docker, &prefix);
    let baked = build(dir.path(), &docker, &["--backend", "bake"]);
    assert_eq!(baked.code, 0, "{}", baked.stderr);
    eprintln!(
        "baked again: {}",
        baked.stderr.contains("baking again on the exported parent")
    );
    let layers = |name: &str| -> Vec<String> {
        let (code, out, err) = docker_run_with(
            &docker,
            &[
                "image",
                "inspect",
                "--format",
                "{{json .RootFS.Layers}}",
                &format!("{prefix}/{name}:1"),
            ],
        );
        assert_eq!(code, 0, "{err}");
        serde_json::from_str(out.trim()).expect("layers")
    };
    let (base, mid) = (layers("base"), layers("mid"));
    assert!(mid.starts_with(&base), "mid is not on base");
    for leaf in ["leaf-a", "leaf-b"] {
        assert!(layers(leaf).starts_with(&mid), "{leaf} is not on mid");
    }
    let noop = build(dir.path(), &docker, &["--backend", "bake"]);
    assert!(
        noop.stderr.contains("4 images, nothing to build"),
        "{}",
        noop.stderr
    );
    cleanup_with(&docker, &prefix);
}
