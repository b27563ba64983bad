//! Compatibility checks on real config files (errors name both images and lines and cite the
//! source), `adf compat` answers, and the installer preflight.

mod common;
use common::{adf, project};

const DF: &str = "ARG BASE_IMAGE\nFROM ${BASE_IMAGE}\nARG TORCH_VERSION\nARG TORCH_NPU_VERSION\nARG CANN_VERSION\nARG PYTHON_VERSION\nARG NUMPY_VERSION\n";

fn check(yaml: &str) -> common::Output {
    let dir = project(&[("dockerfile-compose.yaml", yaml), ("Dockerfile", DF)]);
    adf(dir.path(), &["check"])
}

fn stack(torch: &str, torch_npu: &str, cann: &str, python: &str, extra: &str) -> String {
    format!(
        "images:\n  py:\n    build: {{context: ., args: {{BASE_IMAGE: ubuntu:22.04, PYTHON_VERSION: \"{python}\"}}}}\n    tags: [x/py:1]\n  cann:\n    depends_on: [py]\n    build: {{context: ., args: {{CANN_VERSION: {cann}}}}}\n    tags: [x/cann:1]\n  torch:\n    depends_on: [cann]\n    build: {{context: ., args: {{TORCH_VERSION: {torch}, TORCH_NPU_VERSION: {torch_npu}{extra}}}}}\n    tags: [x/torch:1]\n"
    )
}

#[test]
fn torch_npu_over_the_wrong_torch_is_an_error_citing_its_source() {
    let out = check(&stack("2.7.1", "2.5.1", "8.2.RC1", "3.10", ""));
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(
        out.stderr.contains("error[compat-conflict]: image `torch`"),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr.contains("torch_npu 2.5.1 (from `torch`)"),
        "{}",
        out.stderr
    );
    assert!(out.stderr.contains("source: S1"), "{}", out.stderr);
    assert!(
        out.stderr.contains("dockerfile-compose.yaml:11:"),
        "points at the line: {}",
        out.stderr
    );
}

#[test]
fn numpy_2_under_cann_8_torch_npu_is_an_error() {
    let out = check(&stack(
        "2.5.1",
        "2.5.1",
        "8.2.RC1",
        "3.10",
        ", NUMPY_VERSION: 2.1.0",
    ));
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(out.stderr.contains("numpy"), "{}", out.stderr);
}

#[test]
fn python_3_12_with_torch_npu_2_5_1_is_an_error_naming_the_parent_image() {
    let out = check(&stack("2.5.1", "2.5.1", "8.2.RC1", "3.12", ""));
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(
        out.stderr.contains("python 3.12 (from `py`)"),
        "{}",
        out.stderr
    );
}

#[test]
fn a_compatible_but_unpaired_cann_is_not_a_warning() {
    // torch_npu 2.5.1 pairs with CANN 8.1.RC1; PTA 7.0.0 lists 8.3.RC1 as compatible
    let out = check(&stack("2.5.1", "2.5.1", "8.3.RC1", "3.10", ""));
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(!out.stderr.contains("compat-"), "{}", out.stderr);
    // an undocumented CANN still warns, naming the pair
    let out = check(&stack("2.5.1", "2.5.1", "9.0.0", "3.10", ""));
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        out.stderr.contains("warning[compat-unknown-combination]")
            && out.stderr.contains("8.1.RC1"),
        "{}",
        out.stderr
    );
}

#[test]
fn compat_answers_from_the_same_data() {
    let dir = tempfile::tempdir().expect("tmp");
    let out = adf(
        dir.path(),
        &["compat", "--vllm-ascend", "0.9.1", "--format", "json"],
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    let v: serde_json::Value = serde_json::from_str(&out.stdout).expect("json");
    let first = &v["answers"][0];
    assert_eq!(first["component"], "vllm_ascend");
    let rel = |c: &str, kind: &str| {
        first["relations"]
            .as_array()
            .expect("relations")
            .iter()
            .find(|r| r["component"] == c && r["kind"] == kind)
            .map(|r| r["value"].as_str().unwrap_or("").to_string())
    };
    assert_eq!(rel("vllm", "requires").as_deref(), Some("==0.9.1"));
    assert_eq!(rel("cann", "paired").as_deref(), Some("8.2.RC1"));
    assert_eq!(rel("cann", "minimum").as_deref(), Some(">=8.2.RC1"));
    assert_eq!(
        rel("torch_npu", "requires").as_deref(),
        Some("==2.5.1.post1")
    );
    let conflict = adf(
        dir.path(),
        &["compat", "--check", "vllm_ascend=0.9.1", "torch_npu=2.7.1"],
    );
    assert_eq!(conflict.code, 2, "{}", conflict.stdout);
    assert!(conflict.stdout.contains("source: S"), "{}", conflict.stdout);
    let nothing = adf(dir.path(), &["compat"]);
    assert_eq!(nothing.code, 2);
}

#[test]
fn installer_preflight_lists_missing_and_corrupt_files() {
    let good = "fake toolkit installer\n";
    let sha = "0".repeat(64);
    let yaml = format!(
        "images:\n  cann:\n    build: {{context: ., args: {{BASE_IMAGE: ubuntu:22.04}}}}\n    tags: [x/cann:1]\n    installers:\n      - path: packages/toolkit_${{ARCH}}.run\n        sha256: \"{sha}\"\n        hint: download CANN toolkit 8.2.RC1 for ${{ARCH}}\n      - path: packages/kernels.run\n        url: https://example.invalid/kernels\n"
    );
    let arch = if cfg!(target_arch = "aarch64") {
        "aarch64"
    } else {
        "x86_64"
    };
    let dir = project(&[
        ("dockerfile-compose.yaml", &yaml),
        ("Dockerfile", DF),
        (&format!("packages/toolkit_{arch}.run"), good),
    ]);
    let out = adf(dir.path(), &["check"]);
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(
        out.stderr.contains("[missing-installer]") && out.stderr.contains("packages/kernels.run"),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr
            .contains("get it from https://example.invalid/kernels"),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr.contains("[installer-checksum]"),
        "corrupt file reported: {}",
        out.stderr
    );
    // and the build refuses before asking for any engine work
    let build = common::adf(dir.path(), &["build", "--dry-run"]);
    assert_eq!(build.code, 2);
    assert!(!dir.path().join(".adf/logs").exists(), "nothing built");
}
