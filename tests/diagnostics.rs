//! One test per validation rule: a small project that breaks it, the exit code, the code of the
//! diagnostic, and a snapshot of how it reads (file:line:col, snippet, caret, help).

mod common;
use common::{adf, project};

const DF: &str =
    "ARG BASE_IMAGE\nFROM ${BASE_IMAGE}\nARG PYTHON_VERSION\nRUN echo ${PYTHON_VERSION}\n";

/// Runs `adf check` on `yaml` (with a Dockerfile at dockerfiles/app.dockerfile) and returns
/// (exit code, stderr).
fn check(yaml: &str) -> (i32, String) {
    let dir = project(&[
        ("dockerfile-compose.yaml", yaml),
        ("dockerfiles/app.dockerfile", DF),
    ]);
    let out = adf(dir.path(), &["check"]);
    (out.code, out.stderr)
}

fn expect(name: &str, yaml: &str, code: i32, diag_code: &str) {
    let (exit, stderr) = check(yaml);
    assert_eq!(exit, code, "{name}: {stderr}");
    assert!(
        stderr.contains(&format!("[{diag_code}]")),
        "{name}: expected {diag_code} in\n{stderr}"
    );
    assert!(
        stderr.contains("dockerfile-compose.yaml:"),
        "{name}: no file:line:col in\n{stderr}"
    );
    insta::assert_snapshot!(name, stderr);
}

const B: &str = "build: {context: ., dockerfile: dockerfiles/app.dockerfile}";

#[test]
fn yaml_syntax() {
    expect(
        "yaml_syntax",
        "images:\n  a:\n    tags: [\"x/a:1\"\n",
        2,
        "yaml-syntax",
    );
}

#[test]
fn unknown_key_did_you_mean() {
    expect("unknown_key", &format!("images:\n  a:\n    {B}\n    tags: [x/a:1]\n  b:\n    dependson: [a]\n    {B}\n    tags: [x/b:1]\n"), 2, "unknown-key");
}

#[test]
fn unknown_depends_on_did_you_mean() {
    expect("unknown_depends_on", &format!("images:\n  python-3.10:\n    {B}\n    tags: [x/a:1]\n  b:\n    depends_on: [python-3.1O]\n    {B}\n    tags: [x/b:1]\n"), 2, "unknown-image");
}

#[test]
fn cycle_is_printed_as_a_path() {
    let yaml = format!(
        "images:\n  a:\n    depends_on: [c]\n    {B}\n    tags: [x/a:1]\n  b:\n    depends_on: [a]\n    {B}\n    tags: [x/b:1]\n  c:\n    depends_on: [b]\n    {B}\n    tags: [x/c:1]\n"
    );
    let (exit, stderr) = check(&yaml);
    assert_eq!(exit, 2);
    assert!(
        stderr.contains("dependency cycle: a -> c -> b -> a"),
        "{stderr}"
    );
    insta::assert_snapshot!("cycle", stderr);
}

#[test]
fn duplicate_tag() {
    expect("duplicate_tag", &format!("images:\n  a:\n    {B}\n    tags: [x/a:1]\n  b:\n    {B}\n    tags: [\"docker.io/x/a:1\"]\n"), 2, "duplicate-tag");
}

#[test]
fn bad_references() {
    let long = "t".repeat(129);
    for (name, tag) in [
        ("ref_uppercase", "Xuopoj/python:3.10".to_string()),
        ("ref_bad_tag", "x/a:3.10!".to_string()),
        ("ref_long_tag", format!("x/a:{long}")),
        ("ref_bad_digest", "x/a@sha256:123".to_string()),
    ] {
        expect(
            name,
            &format!("images:\n  a:\n    {B}\n    tags: [\"{tag}\"]\n"),
            2,
            "bad-reference",
        );
    }
}

#[test]
fn bad_registry_prefix() {
    expect(
        "bad_registry",
        &format!("variables: {{ORG: Team}}\nregistry: \"127.0.0.1:5000/${{ORG}}\"\nimages:\n  a:\n    {B}\n    tags: [x/a:1]\n"),
        2,
        "bad-registry",
    );
}

#[test]
fn missing_dockerfile_and_context() {
    expect("missing_dockerfile", "images:\n  a:\n    build: {context: ., dockerfile: dockerfiles/nope.dockerfile}\n    tags: [x/a:1]\n", 2, "missing-dockerfile");
    expect(
        "missing_context",
        "images:\n  a:\n    build: {context: ./nowhere}\n    tags: [x/a:1]\n",
        2,
        "missing-context",
    );
}

#[test]
fn unknown_variable() {
    expect(
        "unknown_variable",
        &format!("variables: {{ORG: x}}\nimages:\n  a:\n    {B}\n    tags: [\"${{ORGG}}/a:1\"]\n"),
        2,
        "interpolation",
    );
}

#[test]
fn empty_matrix_axis() {
    expect("empty_matrix_axis", &format!("images:\n  a-${{chip}}:\n    matrix: {{chip: []}}\n    {B}\n    tags: [\"x/a:${{chip}}\"]\n"), 2, "empty-matrix-axis");
}

#[test]
fn duplicate_ids_after_matrix() {
    expect("duplicate_ids_after_matrix", &format!("images:\n  cann:\n    matrix: {{chip: [910b, 310p]}}\n    {B}\n    tags: [\"x/cann:${{chip}}\"]\n"), 2, "duplicate-image");
}

#[test]
fn base_drift_and_missing_depends_on() {
    let yaml = format!(
        "images:\n  py:\n    {B}\n    tags: [x/py:1]\n  torch:\n    depends_on: [py]\n    build: {{context: ., dockerfile: dockerfiles/app.dockerfile, args: {{BASE_IMAGE: x/py:0}}}}\n    tags: [x/torch:1]\n  app:\n    build: {{context: ., dockerfile: dockerfiles/app.dockerfile, args: {{BASE_IMAGE: x/torch:1}}}}\n    tags: [x/app:1]\n"
    );
    let (exit, stderr) = check(&yaml);
    assert_eq!(exit, 2);
    assert!(
        stderr.contains("[base-drift]") && stderr.contains("[missing-depends-on]"),
        "{stderr}"
    );
    insta::assert_snapshot!("base_drift", stderr);
}

#[test]
fn dockerfile_arg_warnings_do_not_fail() {
    let dir = project(&[
        ("dockerfile-compose.yaml", "images:\n  py:\n    build: {context: ., dockerfile: plain.dockerfile, args: {BASE_IMAGE: ubuntu:22.04, PYTHON_VERSON: \"3.10\"}}\n    tags: [x/py:1]\n"),
        ("plain.dockerfile", "FROM ubuntu:22.04\nARG PYTHON_VERSION\n"),
    ]);
    let out = adf(dir.path(), &["check"]);
    assert_eq!(out.code, 0, "warnings only: {}", out.stderr);
    assert!(
        out.stderr.contains("[base-arg-undeclared]") && out.stderr.contains("[unused-build-arg]"),
        "{}",
        out.stderr
    );
    assert!(out.stderr.contains("did you mean `PYTHON_VERSION`?"));
    insta::assert_snapshot!("dockerfile_arg_warnings", out.stderr);
}

#[test]
fn credentials_in_build_args() {
    expect(
        "credentials_in_arg",
        "images:\n  a:\n    build: {context: ., dockerfile: dockerfiles/app.dockerfile, args: {HTTPS_PROXY: \"http://p_atlas:secret@10.0.0.1:8080\"}}\n    tags: [x/a:1]\n",
        2,
        "credentials-in-arg",
    );
}

#[test]
fn every_problem_is_reported_at_once() {
    let yaml = "images:\n  a:\n    build: {context: ./nowhere}\n    tags: [Bad/a:1]\n    colour: red\n  b:\n    depends_on: [zz]\n    build: {context: .}\n    tags: [x/b:1]\n";
    let (exit, stderr) = check(yaml);
    assert_eq!(exit, 2);
    for code in [
        "missing-context",
        "bad-reference",
        "unknown-key",
        "unknown-image",
        "missing-dockerfile",
    ] {
        assert!(
            stderr.contains(&format!("[{code}]")),
            "missing {code} in {stderr}"
        );
    }
}

#[test]
fn x_keys_anchors_and_compose_forms_are_accepted() {
    let yaml = "x-common: &common\n  context: .\n  dockerfile: dockerfiles/app.dockerfile\nimages:\n  a:\n    x-note: anything\n    build:\n      <<: *common\n      args: [\"PYTHON_VERSION=3.10\", \"BASE_IMAGE=ubuntu:22.04\"]\n    tags: [x/a:1]\n  b:\n    depends_on: {a: {condition: service_started}}\n    build: *common\n    tags: [x/b:1]\n";
    let (exit, stderr) = check(yaml);
    assert_eq!(exit, 0, "{stderr}");
}

#[test]
fn variables_env_and_set_overrides() {
    let yaml = format!("variables: {{ORG: fromfile}}\nimages:\n  a:\n    {B}\n    tags: [\"${{ORG}}/a:${{ARCH}}\"]\n");
    let dir = project(&[
        ("dockerfile-compose.yaml", &yaml),
        ("dockerfiles/app.dockerfile", DF),
    ]);
    let list = |extra: &[&str], env: Option<&str>| {
        let mut cmd = std::process::Command::new(common::adf_bin());
        cmd.current_dir(dir.path())
            .args(extra)
            .args(["list", "--format", "json"]);
        match env {
            Some(v) => cmd.env("ORG", v),
            None => cmd.env_remove("ORG"),
        };
        let out = cmd.output().expect("runs");
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
        v[0]["tags"][0].as_str().expect("tag").to_string()
    };
    assert!(list(&[], None).starts_with("fromfile/a:"));
    assert!(list(&[], Some("fromenv")).starts_with("fromenv/a:"));
    assert_eq!(
        list(
            &["--set", "ORG=fromset", "--set", "ARCH=arm64"],
            Some("fromenv")
        ),
        "fromset/a:aarch64"
    );
}

#[test]
fn verify_expect_must_be_a_regex() {
    expect(
        "bad_expect",
        &format!("images:\n  a:\n    {B}\n    tags: [x/a:1]\n    verify:\n      - {{name: torch, run: pip show torch, expect: \"Version: (2.1\"}}\n"),
        2,
        "bad-expect",
    );
}

#[test]
fn a_child_platform_its_parent_lacks() {
    let yaml = "images:\n  base:\n    build: {context: ., dockerfile: dockerfiles/app.dockerfile, platforms: [linux/amd64]}\n    tags: [x/base:1]\n  app:\n    depends_on: [base]\n    build: {context: ., dockerfile: dockerfiles/app.dockerfile, platforms: [linux/amd64, linux/arm64]}\n    tags: [x/app:1]\n";
    expect("platform_mismatch", yaml, 2, "platform-mismatch");
}

#[test]
fn arch_variables_follow_each_platform() {
    let dir = project(&[
        (
            "dockerfile-compose.yaml",
            "images:\n  base:\n    build:\n      context: .\n      dockerfile: dockerfiles/app.dockerfile\n      args: {BASE_IMAGE: \"busybox:${DOCKER_ARCH}\", PYTHON_VERSION: \"${ARCH}\"}\n      platforms: [linux/amd64, linux/arm64]\n    tags: [x/base:1]\n",
        ),
        ("dockerfiles/app.dockerfile", DF),
    ]);
    let out = adf(
        dir.path(),
        &[
            "--set",
            "ARCH=aarch64",
            "plan",
            "--no-engine",
            "--format",
            "json",
        ],
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    let plan: serde_json::Value = serde_json::from_str(&out.stdout).expect("json");
    let got: Vec<(String, String, String, String)> = plan["images"]
        .as_array()
        .expect("images")
        .iter()
        .map(|i| {
            let s = |v: &serde_json::Value| v.as_str().unwrap_or_default().to_string();
            (
                s(&i["name"]),
                s(&i["platform"]),
                s(&i["args"]["PYTHON_VERSION"]),
                s(&i["tags"][0]),
            )
        })
        .collect();
    let want = [
        ("base@amd64", "linux/amd64", "x86_64", "x/base:1-amd64"),
        ("base@arm64", "linux/arm64", "aarch64", "x/base:1-arm64"),
    ];
    let want: Vec<(String, String, String, String)> = want
        .iter()
        .map(|(a, b, c, d)| (a.to_string(), b.to_string(), c.to_string(), d.to_string()))
        .collect();
    assert_eq!(got, want, "ARCH follows the platform, not --set ARCH");
    let one = adf(
        dir.path(),
        &[
            "plan",
            "--no-engine",
            "--platform",
            "linux/arm64",
            "--format",
            "json",
        ],
    );
    assert_eq!(one.code, 0, "{}", one.stderr);
    assert!(
        one.stdout.contains("base@arm64") && !one.stdout.contains("base@amd64"),
        "{}",
        one.stdout
    );
    let none = adf(
        dir.path(),
        &["plan", "--no-engine", "--platform", "linux/s390x"],
    );
    assert_eq!(none.code, 2, "{}", none.stderr);
    assert!(
        none.stderr
            .contains("no selected image is built for `linux/s390x`"),
        "{}",
        none.stderr
    );
}

#[test]
fn a_multi_platform_tag_must_not_follow_the_platform() {
    let yaml = "images:\n  base:\n    build: {context: ., dockerfile: dockerfiles/app.dockerfile, platforms: [linux/amd64, linux/arm64]}\n    tags: [\"x/base:1-${ARCH}\"]\n";
    expect("platform_tag", yaml, 2, "platform-tag");
}

#[test]
fn a_source_that_matches_nothing_is_an_error_at_the_dockerfile_line() {
    let dir = project(&[
        ("dockerfile-compose.yaml", "images:\n  a:\n    build: {context: ., dockerfile: app.dockerfile, args: {NAME: a}}\n    tags: [x/a:1]\n  c:\n    build: {context: ., dockerfile: app.dockerfile, args: {NAME: c}}\n    tags: [x/c:1]\n"),
        ("app.dockerfile", "FROM busybox\nARG NAME=z\nCOPY inputs/${NAME}.txt /in/\nCOPY data/*.csv /d/\nRUN --mount=type=bind,source=secret.txt,target=/s \\\n    cat /s\n"),
        ("inputs/a.txt", "a"),
        ("data/x.csv", "1"),
        ("secret.txt", "s"),
        (".dockerignore", "secret.txt\n"),
    ]);
    let out = adf(dir.path(), &["check"]);
    assert_eq!(out.code, 2, "{}", out.stderr);
    // `c` reads inputs/c.txt (absent); `a` finds its file; the glob matches; the bind source
    // is there but left out of the context
    assert_eq!(
        out.stderr.matches("[missing-source]").count(),
        3,
        "{}",
        out.stderr
    );
    assert!(out.stderr.contains("app.dockerfile:3:"), "{}", out.stderr);
    assert!(out.stderr.contains("app.dockerfile:5:"), "{}", out.stderr);
    assert!(!out.stderr.contains("inputs/a.txt"), "{}", out.stderr);
    insta::assert_snapshot!("missing_source", out.stderr);
    // with the file there, and the default in play for an image without the arg, all is well
    std::fs::write(dir.path().join("inputs/c.txt"), "c").expect("write");
    std::fs::write(dir.path().join(".dockerignore"), "").expect("write");
    let out = adf(dir.path(), &["check"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
}

const COMPOSED: &str = "ARG QUAY=quay.io/ascend/cann\nARG CANN_VERSION=8.2\nARG BASE_OS=ubuntu22.04\nFROM ${QUAY}:${CANN_VERSION}-910b-${BASE_OS}-py3.12\nRUN true\n";

#[test]
fn a_from_composed_of_args_is_the_base_when_it_resolves_to_the_parents_tag() {
    let yaml = "images:\n  cann:\n    build: {context: ., dockerfile: base.dockerfile}\n    tags: [quay.io/ascend/cann:8.3-910b-ubuntu22.04-py3.12]\n  vllm:\n    depends_on: [cann]\n    build: {context: ., dockerfile: vllm.dockerfile, args: {CANN_VERSION: \"8.3\"}}\n    tags: [x/vllm:1]\n";
    let dir = project(&[
        ("dockerfile-compose.yaml", yaml),
        ("base.dockerfile", "FROM busybox\n"),
        ("vllm.dockerfile", COMPOSED),
    ]);
    let out = adf(dir.path(), &["check"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        !out.stderr.contains("base-arg-undeclared"),
        "{}",
        out.stderr
    );
    let plan = adf(dir.path(), &["plan", "--no-engine", "--format", "json"]);
    assert_eq!(plan.code, 0, "{}", plan.stderr);
    let v: serde_json::Value = serde_json::from_str(&plan.stdout).expect("json");
    let vllm = v["images"]
        .as_array()
        .expect("images")
        .iter()
        .find(|i| i["name"] == "vllm")
        .expect("vllm planned");
    assert_eq!(
        vllm["base"],
        "quay.io/ascend/cann:8.3-910b-ubuntu22.04-py3.12"
    );

    // without the override it is 8.2: not what the parent produces
    let drift = yaml.replace(", args: {CANN_VERSION: \"8.3\"}", "");
    let dir = project(&[
        ("dockerfile-compose.yaml", &drift),
        ("base.dockerfile", "FROM busybox\n"),
        ("vllm.dockerfile", COMPOSED),
    ]);
    let out = adf(dir.path(), &["check"]);
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(out.stderr.contains("[base-drift]"), "{}", out.stderr);
    assert!(
        !out.stderr.contains("base-arg-undeclared"),
        "{}",
        out.stderr
    );
    insta::assert_snapshot!("base_drift_composed_from", out.stderr);
}

#[test]
fn errors_outside_the_selection_do_not_block_plan() {
    let yaml = "images:\n  base:\n    build: {context: ., dockerfile: base.dockerfile}\n    tags: [x/base:1]\n  good:\n    depends_on: [base]\n    build: {context: ., dockerfile: app.dockerfile}\n    tags: [x/good:1]\n  bad:\n    depends_on: [base]\n    build: {context: ., dockerfile: nowhere.dockerfile}\n    tags: [x/Bad:1]\n";
    let dir = project(&[
        ("dockerfile-compose.yaml", yaml),
        ("base.dockerfile", "FROM busybox\n"),
        ("app.dockerfile", DF),
    ]);
    let out = adf(dir.path(), &["plan", "--no-engine", "--target", "good"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        out.stderr
            .contains("adf: 2 errors in images outside the selection; `adf check` shows them"),
        "{}",
        out.stderr
    );
    assert!(
        !out.stderr.contains("[missing-dockerfile]"),
        "{}",
        out.stderr
    );
    assert!(out.stdout.contains("x/good:1"), "{}", out.stdout);
    // the same for every command that works on a selection
    for args in [
        &["config", "good"][..],
        &["export", "bake", "good"],
        &["export", "script", "--target", "good"],
    ] {
        let out = adf(dir.path(), args);
        assert_eq!(out.code, 0, "{args:?}: {}", out.stderr);
        assert!(
            out.stderr
                .contains("2 errors in images outside the selection"),
            "{args:?}: {}",
            out.stderr
        );
        assert!(out.stdout.contains("good"), "{args:?}: {}", out.stdout);
    }
    for command in ["verify", "push"] {
        // no engine here: the selection passes, then the engine is missing
        let out = adf(
            dir.path(),
            &[command, "good", "--docker", "/nonexistent/docker"],
        );
        assert_eq!(out.code, 2, "{command}: {}", out.stderr);
        assert!(
            out.stderr
                .contains("2 errors in images outside the selection"),
            "{command}: {}",
            out.stderr
        );
        assert!(
            !out.stderr.contains("nothing done"),
            "{command}: {}",
            out.stderr
        );
    }
    // the whole file, or the broken image itself, is still refused
    for args in [
        &["plan", "--no-engine"][..],
        &["plan", "--no-engine", "--target", "bad"],
    ] {
        let out = adf(dir.path(), args);
        assert_eq!(out.code, 2, "{args:?}: {}", out.stderr);
        assert!(
            out.stderr.contains("[missing-dockerfile]"),
            "{}",
            out.stderr
        );
        assert!(
            out.stderr.contains("2 errors; nothing done"),
            "{}",
            out.stderr
        );
    }
    let out = adf(dir.path(), &["check"]);
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(
        out.stderr.contains("[missing-dockerfile]") && out.stderr.contains("[bad-reference]"),
        "{}",
        out.stderr
    );
    // an error in an ancestor of the target blocks it
    let broken_base = yaml
        .replace("x/base:1", "x/Base:1")
        .replace("x/Bad:1", "x/bad:1");
    let dir = project(&[
        ("dockerfile-compose.yaml", &broken_base),
        ("base.dockerfile", "FROM busybox\n"),
        ("app.dockerfile", DF),
    ]);
    let out = adf(dir.path(), &["plan", "--no-engine", "--target", "good"]);
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(out.stderr.contains("[bad-reference]"), "{}", out.stderr);
    // as does a structural error anywhere
    let structural = yaml.replace(
        "depends_on: [base]\n    build: {context: ., dockerfile: nowhere",
        "depends_on: [bsae]\n    build: {context: ., dockerfile: nowhere",
    );
    let dir = project(&[
        ("dockerfile-compose.yaml", &structural),
        ("base.dockerfile", "FROM busybox\n"),
        ("app.dockerfile", DF),
    ]);
    let out = adf(dir.path(), &["plan", "--no-engine", "--target", "good"]);
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(out.stderr.contains("[unknown-image]"), "{}", out.stderr);
}
