//! Registry-aware freshness and build caches, on real engines against a real registry on
//! 127.0.0.1: a published chain is `fresh (registry)` on an empty store (nothing built, nothing
//! pulled), a changed leaf builds FROM its parent's registry reference, a stopped registry
//! gives one warning and local decisions; `cache_from` / `cache_to` reach BuildKit on Docker 26
//! with buildx and are refused up front where the client cannot export them.

mod common;

use common::*;
use serde_json::Value;
use std::path::Path;

const CHILD: &str =
    "ARG BASE_IMAGE\nFROM ${BASE_IMAGE}\nARG LAYER\nRUN echo ${LAYER} > /layer-${LAYER}\n";

/// For Docker 26 only: RUN without network in the Dockerfile itself (this engine has no bridge),
/// so the file needs no build_flags and the default backend bakes it (buildx 0.13's bake files
/// have no network setting); `ADF_BACKEND=cli` builds it one image at a time.
const CHILD_NO_NETWORK: &str =
    "ARG BASE_IMAGE\nFROM ${BASE_IMAGE}\nARG LAYER\nRUN --network=none echo ${LAYER} > /layer-${LAYER}\n";

/// [`chain`] without build_flags, for [`CHILD_NO_NETWORK`].
fn chain_no_flags(prefix: &str, leaf_layer: &str) -> String {
    chain(prefix, leaf_layer).replacen("build_flags: [--network, host]\n", "", 1)
}

/// A fresh, empty registry on 127.0.0.1:PORT.
fn fresh_registry(port: u16) {
    let port = port.to_string();
    engine_sh(&["registry-stop", &port, "--purge"]);
    engine_sh(&["registry", &port]);
}

fn chain(prefix: &str, leaf_layer: &str) -> String {
    format!(
        r#"build_flags: [--network, host]
images:
  base:
    build: {{context: ., args: {{BASE_IMAGE: "adf-fixture/busybox:1", LAYER: base}}}}
    tags: ["{prefix}/base:1", "{prefix}/base:latest"]
  mid:
    depends_on: [base]
    build: {{context: ., args: {{LAYER: mid}}}}
    tags: ["{prefix}/mid:1"]
  leaf:
    depends_on: [mid]
    build: {{context: ., args: {{LAYER: {leaf_layer}}}}}
    tags: ["{prefix}/leaf:1"]
"#
    )
}

fn run(dir: &Path, docker: &str, args: &[&str]) -> Output {
    adf_with(dir, args, &[("ADF_DOCKER", docker)])
}

fn json(out: &Output) -> Value {
    serde_json::from_str(&out.stdout)
        .unwrap_or_else(|e| panic!("json ({e}): {}\n{}", out.stdout, out.stderr))
}

/// `[(name, action, registry)]` of `adf plan --format json`.
fn actions(out: &Output) -> Vec<(String, String, String)> {
    image_fields(out, ["name", "action", "registry"])
        .into_iter()
        .map(|[n, a, r]| (n, a, r))
        .collect()
}

/// `CLIENT ARGS`, stdout trimmed; `None` when it fails.
fn docker_ok(docker: &str, args: &[&str]) -> Option<String> {
    let (code, out, _) = docker_run_with(docker, args);
    (code == 0).then(|| out.trim().to_string())
}

/// Removes every local tag that starts with one of `prefixes` from the engine `docker` talks to.
fn remove_local(docker: &str, prefixes: &[&str]) {
    let tags = docker_ok(
        docker,
        &["image", "ls", "--format", "{{.Repository}}:{{.Tag}}"],
    )
    .unwrap_or_default();
    let mine: Vec<&str> = tags
        .lines()
        .filter(|t| prefixes.iter().any(|p| t.starts_with(p)))
        .collect();
    if !mine.is_empty() {
        let mut args = vec!["image", "rm", "--force"];
        args.extend(mine);
        docker_run_with(docker, &args);
    }
}

#[test]
fn a_published_chain_is_fresh_in_the_registry_and_a_changed_leaf_builds_from_it() {
    let docker = modern();
    const PORT: u16 = 5071;
    fresh_registry(PORT);
    let prefix = unique("regfresh");
    let reg = format!("127.0.0.1:{PORT}/rf{}", std::process::id());
    let dir = project(&[
        ("dockerfile-compose.yaml", &chain_no_flags(&prefix, "leaf")),
        ("Dockerfile", CHILD_NO_NETWORK),
    ]);
    let b = run(dir.path(), &docker, &["build"]);
    assert_eq!(b.code, 0, "{}\n{}", b.stdout, b.stderr);
    let backend = match std::env::var("ADF_BACKEND").as_deref() {
        Ok("cli") => "docker build, 2 at once (asked for)",
        _ => "one buildx bake (buildx 0.13",
    };
    assert!(b.stderr.contains(backend), "{}", b.stderr);
    let p = run(dir.path(), &docker, &["push", "--no-verify", "--to", &reg]);
    assert_eq!(p.code, 0, "{}\n{}", p.stdout, p.stderr);

    // a CI runner's empty store: no local image of the chain at all
    remove_local(&docker, &[&prefix, &reg]);
    for name in ["base", "mid", "leaf"] {
        assert_eq!(
            docker_ok(
                &docker,
                &["image", "inspect", &format!("{prefix}/{name}:1")]
            ),
            None,
            "{name} removed"
        );
    }
    let registry = ["--registry", reg.as_str()];

    // plan and build: everything `fresh (registry)`, nothing built, nothing pulled
    let plan = run(
        dir.path(),
        &docker,
        &[&["plan", "--format", "json"][..], &registry].concat(),
    );
    assert_eq!(plan.code, 0, "{}", plan.stderr);
    let want: Vec<(String, String, String)> = ["base", "mid", "leaf"]
        .iter()
        .map(|n| {
            (
                n.to_string(),
                "fresh (registry)".into(),
                format!("{reg}/{n}:1"),
            )
        })
        .collect();
    assert_eq!(actions(&plan), want);
    let text = run(dir.path(), &docker, &[&["plan"][..], &registry].concat());
    assert!(
        text.stdout.contains("fresh (registry) leaf") && !text.stdout.contains("  build "),
        "{}",
        text.stdout
    );
    let b = run(
        dir.path(),
        &docker,
        &[&["build", "--format", "json"][..], &registry].concat(),
    );
    assert_eq!(b.code, 0, "{}\n{}", b.stdout, b.stderr);
    let all_remote: Vec<(String, String)> = ["base", "mid", "leaf"]
        .iter()
        .map(|n| (n.to_string(), "fresh (registry)".into()))
        .collect();
    assert_eq!(build_statuses(&b), all_remote);
    assert!(
        b.stderr
            .contains(&format!("[mid] fresh (registry): {reg}/mid:1, not pulled"))
            && b.stderr.contains("adf: 3 images, nothing to build"),
        "{}",
        b.stderr
    );
    let summary = run(dir.path(), &docker, &[&["build"][..], &registry].concat());
    assert!(
        summary.stdout.contains("leaf   fresh (registry)"),
        "{}",
        summary.stdout
    );
    for name in ["base", "mid", "leaf"] {
        assert_eq!(
            docker_ok(&docker, &["image", "inspect", &format!("{reg}/{name}:1")]),
            None,
            "{name} was not pulled"
        );
    }

    // the leaf's input changes: only the leaf builds, FROM its parent's registry reference
    std::fs::write(
        dir.path().join("dockerfile-compose.yaml"),
        chain_no_flags(&prefix, "leaf2"),
    )
    .unwrap();
    let plan = run(
        dir.path(),
        &docker,
        &[&["plan", "--format", "json"][..], &registry].concat(),
    );
    let leaf = json(&plan)["images"][2].clone();
    assert_eq!(leaf["action"], "build", "{leaf}");
    assert_eq!(leaf["base"], format!("{reg}/mid:1"), "{leaf}");
    let fingerprint = leaf["fingerprint"]
        .as_str()
        .expect("fingerprint")
        .to_string();
    let b = run(
        dir.path(),
        &docker,
        &[&["build", "--format", "json"][..], &registry].concat(),
    );
    assert_eq!(b.code, 0, "{}\n{}", b.stdout, b.stderr);
    assert_eq!(
        build_statuses(&b),
        [
            ("base".to_string(), "fresh (registry)".to_string()),
            ("mid".into(), "fresh (registry)".into()),
            ("leaf".into(), "built".into())
        ]
    );
    let log = std::fs::read_to_string(dir.path().join(".adf/logs/leaf.log")).expect("leaf log");
    if std::env::var("ADF_BACKEND").as_deref() == Ok("cli") {
        assert!(
            log.contains(&format!("--build-arg BASE_IMAGE={reg}/mid:1 ")),
            "{log}"
        );
        assert!(log.contains(&format!("FROM {reg}/mid:1")), "{log}");
    } else {
        // the bake file: the leaf alone, its FROM resolved to the registry reference
        let file = std::fs::read_to_string(dir.path().join(".adf/bake.json")).expect("bake file");
        let file: Value = serde_json::from_str(&file).expect("bake json");
        let targets: Vec<&String> = file["target"]
            .as_object()
            .expect("targets")
            .keys()
            .collect();
        assert_eq!(targets, ["leaf"], "{file}");
        let mid = format!("{reg}/mid:1");
        assert_eq!(
            file["target"]["leaf"]["args"]["BASE_IMAGE"],
            mid.as_str(),
            "{file}"
        );
        assert_eq!(
            file["target"]["leaf"]["contexts"][&mid],
            format!("docker-image://{mid}"),
            "{file}"
        );
        assert!(
            log.contains(&format!("[context {mid}] load metadata for {mid}")),
            "{log}"
        );
    }
    // its fingerprint is the one a local build computes (over the parents' fingerprints, not
    // their references): the image carries it, and the next plan finds it fresh locally
    let label = docker_ok(
        &docker,
        &[
            "image",
            "inspect",
            "--format",
            "{{index .Config.Labels \"adf.fingerprint\"}}",
            &format!("{prefix}/leaf:1"),
        ],
    );
    assert_eq!(label.as_deref(), Some(fingerprint.as_str()));
    let local_plan = run(
        dir.path(),
        &docker,
        &["plan", "--no-registry", "--format", "json"],
    );
    assert_eq!(json(&local_plan)["images"][2]["fingerprint"], fingerprint);
    let plan = run(
        dir.path(),
        &docker,
        &[&["plan", "--format", "json"][..], &registry].concat(),
    );
    let got: Vec<String> = actions(&plan).into_iter().map(|(_, a, _)| a).collect();
    assert_eq!(got, ["fresh (registry)", "fresh (registry)", "fresh"]);

    // push to the same registry: the registry's parents are `unchanged`, the leaf is pushed
    let p = run(
        dir.path(),
        &docker,
        &[&["push", "--no-verify"][..], &registry].concat(),
    );
    assert_eq!(p.code, 0, "{}\n{}", p.stdout, p.stderr);
    let entries: Vec<(String, String)> = json(&p)
        .as_array()
        .expect("a list")
        .iter()
        .map(|e| {
            let s = |k: &str| e[k].as_str().unwrap_or_default().to_string();
            (s("reference"), s("status"))
        })
        .collect();
    assert_eq!(
        entries,
        [
            (format!("{reg}/base:1"), "unchanged".to_string()),
            (format!("{reg}/base:latest"), "unchanged".into()),
            (format!("{reg}/mid:1"), "unchanged".into()),
            (format!("{reg}/leaf:1"), "pushed".into()),
        ]
    );

    // the registry stops: one warning, and the local store decides (base and mid build again)
    engine_sh(&["registry-stop", &PORT.to_string()]);
    let b = run(
        dir.path(),
        &docker,
        &[&["build", "--format", "json"][..], &registry].concat(),
    );
    assert_eq!(b.code, 0, "{}\n{}", b.stdout, b.stderr);
    let warning = format!("adf: warning: the registry 127.0.0.1:{PORT} cannot be reached");
    assert_eq!(b.stderr.matches(&warning).count(), 1, "{}", b.stderr);
    assert!(
        b.stderr.contains("deciding from the local store only"),
        "{}",
        b.stderr
    );
    // leaf was built FROM the registry's mid; the mid just built here is another image (same
    // fingerprint, other layers), so leaf builds again on it: a child is fresh only on the very
    // image its parent's tag holds
    assert_eq!(
        build_statuses(&b),
        [
            ("base".to_string(), "built".to_string()),
            ("mid".into(), "built".into()),
            ("leaf".into(), "built".into())
        ]
    );
    // everything fresh locally: the registry is not asked at all
    let plan = run(
        dir.path(),
        &docker,
        &[&["plan", "--format", "json"][..], &registry].concat(),
    );
    assert_eq!(plan.code, 0, "{}", plan.stderr);
    assert!(!plan.stderr.contains("warning"), "{}", plan.stderr);
    assert!(
        actions(&plan).iter().all(|(_, a, _)| a == "fresh"),
        "{}",
        plan.stdout
    );
    // the leaf leaves the store: plan asks, warns once, and says build
    remove_local(&docker, &[&format!("{prefix}/leaf")]);
    let plan = run(
        dir.path(),
        &docker,
        &[&["plan", "--format", "json"][..], &registry].concat(),
    );
    assert_eq!(plan.code, 0, "{}", plan.stderr);
    assert_eq!(plan.stderr.matches(&warning).count(), 1, "{}", plan.stderr);
    let got: Vec<String> = actions(&plan).into_iter().map(|(_, a, _)| a).collect();
    assert_eq!(got, ["fresh", "fresh", "build"]);

    remove_local(&docker, &[&prefix, &reg]);
    engine_sh(&["registry-stop", &PORT.to_string(), "--purge"]);
}

#[test]
fn a_client_without_buildx_warns_and_decides_from_the_local_store() {
    let docker = engine();
    let prefix = unique("regfresh-old");
    let dir = project(&[
        ("dockerfile-compose.yaml", &chain(&prefix, "leaf")),
        ("Dockerfile", CHILD),
    ]);
    // the file's registry: no lookup can be made with this client (nothing is contacted)
    let yaml = format!("registry: 127.0.0.1:5073/ns\n{}", chain(&prefix, "leaf"));
    std::fs::write(dir.path().join("dockerfile-compose.yaml"), yaml).unwrap();
    let b = run(dir.path(), &docker, &["build", "--format", "json"]);
    assert_eq!(b.code, 0, "{}\n{}", b.stdout, b.stderr);
    assert!(
        build_statuses(&b).iter().all(|(_, s)| s == "built"),
        "{}",
        b.stdout
    );
    let warning = format!("adf: warning: registry freshness (127.0.0.1:5073/ns) is off: {docker} has no buildx plugin");
    assert_eq!(b.stderr.matches(&warning).count(), 1, "{}", b.stderr);
    // --no-registry ignores the file's registry: no warning
    let b = run(dir.path(), &docker, &["build", "--no-registry"]);
    assert_eq!(b.code, 0, "{}", b.stderr);
    assert!(!b.stderr.contains("warning"), "{}", b.stderr);
    // a --registry that is no prefix is bad input
    let b = run(dir.path(), &docker, &["plan", "--registry", "Reg.io/Team"]);
    assert_eq!(b.code, 2, "{}", b.stderr);
    assert!(
        b.stderr
            .contains("--registry \"Reg.io/Team\" is not a registry/namespace prefix"),
        "{}",
        b.stderr
    );
    cleanup(&prefix);
}

fn cached(prefix: &str, port: u16, cache_to: &str) -> String {
    format!(
        r#"build_flags: [--network, host]
cache_to: [type=inline]
images:
  a:
    build:
      context: .
      args: {{BASE_IMAGE: "adf-fixture/busybox:1", LAYER: a}}
      cache_from: ["type=registry,ref=127.0.0.1:{port}/cache/a:1"]
    tags: ["{prefix}/a:1"]
  b:
    depends_on: [a]
    build:
      context: .
      args: {{LAYER: b}}
      cache_to: ["{cache_to}"]
    tags: ["{prefix}/b:1"]
"#
    )
}

#[test]
fn build_caches_reach_buildkit_and_are_refused_where_they_cannot_work() {
    let modern = modern();
    const PORT: u16 = 5072;
    fresh_registry(PORT);
    let prefix = unique("cache");
    let export = format!("type=registry,ref=127.0.0.1:{PORT}/cache/b:1,mode=max");
    let dir = project(&[
        ("dockerfile-compose.yaml", &cached(&prefix, PORT, &export)),
        ("Dockerfile", CHILD),
    ]);

    // Docker 26 with buildx: every cache is passed to BuildKit, and the registry gets b's cache
    let b = run(dir.path(), &modern, &["build"]);
    assert_eq!(b.code, 0, "{}\n{}", b.stdout, b.stderr);
    let log = |name: &str| {
        std::fs::read_to_string(dir.path().join(format!(".adf/logs/{name}.log"))).expect("log")
    };
    let a = log("a");
    let line = a.lines().next().unwrap_or_default();
    assert!(
        line.contains(&format!(
            "--cache-from type=registry,ref=127.0.0.1:{PORT}/cache/a:1 --cache-to type=inline"
        )),
        "{line}"
    );
    assert!(
        a.contains(&format!(
            "importing cache manifest from 127.0.0.1:{PORT}/cache/a:1"
        )),
        "{a}"
    );
    let b_log = log("b");
    assert!(
        b_log
            .lines()
            .next()
            .unwrap_or_default()
            .contains(&format!("--cache-to {export}")),
        "{b_log}"
    );
    let (status, _, body) = registry_get(PORT, "/v2/cache/b/manifests/1");
    assert_eq!(status, 200, "b's cache is in the registry: {body}");

    // the Docker 20.10 client (BuildKit without buildx): no --cache-to; refused before any build
    let old = engine();
    let out = run(dir.path(), &old, &["build"]);
    assert_eq!(out.code, 2, "{}\n{}", out.stdout, out.stderr);
    assert!(out.stderr.contains("[cache-unsupported]"), "{}", out.stderr);
    assert!(
        out.stderr.contains(&format!(
            "image `b`: cache_to `{export}`: `docker build` without buildx has no --cache-to"
        )),
        "{}",
        out.stderr
    );
    assert!(out.stderr.contains("buildx plugin"), "{}", out.stderr);
    assert!(
        !out.stderr.contains("image `a`"),
        "inline is fine: {}",
        out.stderr
    );
    assert_eq!(
        image_id(&format!("{prefix}/a:1")),
        None,
        "nothing was built"
    );
    // the inline cache and a registry cache source work there (as BUILDKIT_INLINE_CACHE=1 and
    // an image to import)
    std::fs::write(
        dir.path().join("dockerfile-compose.yaml"),
        cached(&prefix, PORT, "type=inline"),
    )
    .unwrap();
    let out = run(dir.path(), &old, &["build"]);
    assert_eq!(out.code, 0, "{}\n{}", out.stdout, out.stderr);
    let line = log("a").lines().next().unwrap_or_default().to_string();
    assert!(
        line.contains(&format!(
            "--cache-from 127.0.0.1:{PORT}/cache/a:1 --build-arg BUILDKIT_INLINE_CACHE=1"
        )),
        "{line}"
    );

    cleanup(&prefix);
    remove_local(&modern, &[&prefix]);
    engine_sh(&["registry-stop", &PORT.to_string(), "--purge"]);
}
