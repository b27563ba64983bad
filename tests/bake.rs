//! adf decides, BuildKit builds: `adf export bake` writes a bake file that `docker buildx bake`
//! builds into the images `adf build` would make (same fingerprint labels, same tags), and
//! `adf build --bake` hands only the stale part of the graph to one bake. Docker 26 + buildx.

mod common;

use common::*;
use serde_json::Value;

/// bake 0.13 has no network setting and this engine no bridge: RUN steps go without network.
const DOCKERFILE: &str = "ARG BASE_IMAGE\nFROM ${BASE_IMAGE}\nARG LAYER\nCOPY f-${LAYER}.txt /f-${LAYER}\nRUN --network=none cat /f-${LAYER} > /copy-${LAYER}\n";

fn chain(prefix: &str, mid2_dockerfile: &str) -> tempfile::TempDir {
    let yaml = format!(
        r#"images:
  base:
    build: {{context: ., args: {{BASE_IMAGE: adf-fixture/busybox:1, LAYER: base}}}}
    tags: ["{prefix}/base:1"]
  mid:
    depends_on: [base]
    build: {{context: ., args: {{LAYER: mid}}}}
    tags: ["{prefix}/mid:1"]
  mid2:
    depends_on: [mid]
    build: {{context: ., dockerfile: {mid2_dockerfile}, args: {{LAYER: mid2}}}}
    tags: ["{prefix}/mid2:1"]
  leaf:
    depends_on: [mid2]
    build: {{context: ., args: {{LAYER: leaf}}}}
    tags: ["{prefix}/leaf:1", "{prefix}/leaf:latest"]
"#
    );
    // inputs of this stack alone: BuildKit's cache holds one result of each step (with two,
    // from another test's `--no-cache` or a concurrent build, a raw bake of the exported file
    // may put a child on another copy of its parent, which adf then rebuilds)
    let base = format!("base {prefix}\n");
    project(&[
        ("dockerfile-compose.yaml", &yaml),
        ("Dockerfile", DOCKERFILE),
        (
            "Failing.Dockerfile",
            "ARG BASE_IMAGE\nFROM ${BASE_IMAGE}\nRUN --network=none false\n",
        ),
        ("f-base.txt", &base),
        ("f-mid.txt", "mid\n"),
        ("f-mid2.txt", "mid2\n"),
        ("f-leaf.txt", "leaf\n"),
    ])
}

fn run(dir: &std::path::Path, docker: &str, args: &[&str]) -> Output {
    adf_with(dir, args, &[("ADF_DOCKER", docker)])
}

/// (name, action, fingerprint) of each image of `adf plan --format json`.
fn plan(dir: &std::path::Path, docker: &str) -> Vec<[String; 3]> {
    let out = run(dir, docker, &["plan", "--format", "json"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    image_fields(&out, ["name", "action", "fingerprint"])
}

#[test]
fn an_exported_bake_file_builds_what_adf_build_would() {
    let docker = modern();
    let prefix = unique("bake-export");
    let dir = chain(&prefix, "Dockerfile");
    let e = run(dir.path(), &docker, &["export", "bake", "-o", "bake.json"]);
    assert_eq!(e.code, 0, "{}", e.stderr);
    let file: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("bake.json")).unwrap())
            .unwrap();
    assert_eq!(
        file["group"]["default"]["targets"],
        serde_json::json!(["leaf"])
    );
    assert_eq!(
        file["target"]["mid"]["contexts"][format!("{prefix}/base:1")],
        "target:base"
    );
    let (code, _, err) = docker_run_with(
        &docker,
        &[
            "buildx",
            "bake",
            "-f",
            dir.path().join("bake.json").to_str().unwrap(),
            "--load",
            "--progress=plain",
            "default",
        ],
    );
    assert_eq!(code, 0, "{err}");
    let planned = plan(dir.path(), &docker);
    assert_eq!(planned.len(), 4);
    for [name, action, fingerprint] in &planned {
        assert_eq!(
            action, "fresh",
            "{name}: bake made the image adf would have built"
        );
        let label = docker_run_with(
            &docker,
            &[
                "image",
                "inspect",
                "--format",
                "{{index .Config.Labels \"adf.fingerprint\"}}",
                &format!("{prefix}/{name}:1"),
            ],
        )
        .1;
        assert_eq!(label.trim(), fingerprint, "{name}");
    }
    let (code, _, _) = docker_run_with(
        &docker,
        &["image", "inspect", &format!("{prefix}/leaf:latest")],
    );
    assert_eq!(code, 0, "every tag");
    cleanup_with(&docker, &prefix);
}

#[test]
fn build_bake_hands_only_the_stale_part_to_bake() {
    let docker = modern();
    let prefix = unique("bake-build");
    let dir = chain(&prefix, "Dockerfile");
    let first = run(
        dir.path(),
        &docker,
        &["build", "--bake", "--format", "json"],
    );
    assert_eq!(first.code, 0, "{}\n{}", first.stdout, first.stderr);
    assert!(
        build_statuses(&first).iter().all(|(_, s)| s == "built"),
        "{}",
        first.stdout
    );

    std::fs::write(dir.path().join("f-mid.txt"), "mid, changed\n").unwrap();
    let second = run(
        dir.path(),
        &docker,
        &["build", "--bake", "--format", "json"],
    );
    assert_eq!(second.code, 0, "{}", second.stderr);
    assert_eq!(
        build_statuses(&second),
        [
            ("base".to_string(), "fresh".to_string()),
            ("mid".into(), "built".into()),
            ("mid2".into(), "built".into()),
            ("leaf".into(), "built".into())
        ]
    );
    let file: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join(".adf/bake.json")).unwrap())
            .unwrap();
    let mut targets: Vec<&String> = file["target"]
        .as_object()
        .expect("targets")
        .keys()
        .collect();
    targets.sort();
    // one bake for the whole stale part: mid FROM the exact image of the fresh base (a pin tag
    // of its ID, recorded as adf.parent), mid2 and leaf FROM their parents' results in the same
    // bake (`target:` contexts), never through a tag another run could move
    assert_eq!(targets, ["leaf", "mid", "mid2"], "only the stale images");
    let base_id = image_id_with(&docker, &format!("{prefix}/base:1")).expect("base");
    let pin = format!("adf-pin/{}:", base_id.trim_start_matches("sha256:"));
    let context = |target: &str| -> (String, String) {
        let contexts = file["target"][target]["contexts"]
            .as_object()
            .expect("contexts");
        let (from, source) = contexts.iter().next().expect("one context");
        (from.clone(), source.as_str().expect("string").to_string())
    };
    let (from, source) = context("mid");
    assert!(from.starts_with(&pin), "{from}");
    assert_eq!(source, format!("docker-image://{from}"));
    assert_eq!(file["target"]["mid"]["labels"]["adf.parent"], base_id);
    assert_eq!(context("mid2").1, "target:mid");
    assert_eq!(context("leaf").1, "target:mid2");
    assert_eq!(file["target"]["leaf"]["labels"]["adf.parent"], "");
    // the same result as the default backend: everything is fresh for a plain plan
    let replanned = plan(dir.path(), &docker);
    assert!(
        replanned.iter().all(|[_, a, _]| a == "fresh"),
        "{replanned:?}\n{}",
        run(dir.path(), &docker, &["plan", "--explain"]).stdout
    );
    let out = docker_run_with(
        &docker,
        &[
            "run",
            "--rm",
            &format!("{prefix}/leaf:1"),
            "cat",
            "/copy-mid",
        ],
    );
    assert_eq!(out.1.trim(), "mid, changed");
    cleanup_with(&docker, &prefix);
}

#[test]
fn a_failed_bake_target_blocks_its_descendants() {
    let docker = modern();
    let prefix = unique("bake-fail");
    let dir = chain(&prefix, "Failing.Dockerfile");
    let out = run(
        dir.path(),
        &docker,
        &["build", "--bake", "--format", "json"],
    );
    assert_eq!(out.code, 1, "{}\n{}", out.stdout, out.stderr);
    let got = build_statuses(&out);
    let status = |n: &str| {
        got.iter()
            .find(|(name, _)| name == n)
            .map(|(_, s)| s.as_str())
    };
    assert_eq!(status("mid2"), Some("failed"), "{got:?}");
    assert_eq!(status("leaf"), Some("blocked"), "{got:?}");
    assert_eq!(
        image_id_with(&docker, &format!("{prefix}/leaf:1")),
        None,
        "no tag for what did not build"
    );
    cleanup_with(&docker, &prefix);
}

#[test]
fn the_catalog_exports_a_bake_file_bake_reads() {
    let docker = modern();
    let work = tempfile::tempdir().expect("tempdir");
    let cache = tempfile::tempdir().expect("cache");
    let init = adf_with(
        work.path(),
        &["init"],
        &[("XDG_CACHE_HOME", cache.path().to_str().unwrap())],
    );
    assert_eq!(init.code, 0, "{}", init.stderr);
    let e = run(work.path(), &docker, &["export", "bake", "-o", "bake.json"]);
    assert_eq!(e.code, 0, "{}", e.stderr);
    let (code, out, err) = docker_run_with(
        &docker,
        &[
            "buildx",
            "bake",
            "-f",
            work.path().join("bake.json").to_str().unwrap(),
            "--print",
            "default",
        ],
    );
    assert_eq!(code, 0, "{err}");
    let printed: Value = serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}"));
    let n = printed["target"].as_object().map(|t| t.len()).unwrap_or(0);
    assert!(n >= 30, "every catalog image a target: {n}");
}

#[test]
fn bake_without_buildx_is_refused_before_anything_builds() {
    let docker = engine(); // Debian's 20.10 client: BuildKit through DOCKER_BUILDKIT=1, no buildx
    let prefix = unique("bake-no-buildx");
    let dir = chain(&prefix, "Dockerfile");
    let out = run(dir.path(), &docker, &["build", "--bake"]);
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(
        out.stderr
            .contains("the bake backend needs the buildx plugin"),
        "{}",
        out.stderr
    );
    assert_eq!(
        image_id(&format!("{prefix}/base:1")),
        None,
        "nothing was built"
    );
}
