//! An official CANN base image is not opaque: its tag gives the stack cann, chip, os and python,
//! so a layer on it is checked like any other (a conflict found through the tag alone).

mod common;
use common::{adf_with, project};

fn check(yaml: &str, dockerfile: &str) -> common::Output {
    let dir = project(&[
        ("dockerfile-compose.yaml", yaml),
        ("Dockerfile", dockerfile),
    ]);
    let cache = dir.path().join(".cache-empty");
    adf_with(
        dir.path(),
        &["check"],
        &[("ADF_CACHE_DIR", cache.to_str().expect("utf8"))],
    )
}

const VLLM_ARGS: &str = "ARG VLLM_VERSION\nARG VLLM_ASCEND_VERSION\nRUN true\n";

#[test]
fn a_conflict_found_through_the_base_tag_alone() {
    // vllm-ascend 0.9.1 needs CANN >= 8.2.RC1 and Python < 3.12: the tag says 8.0.0 and 3.12
    let df = format!("FROM quay.io/ascend/cann:8.0.0-910b-ubuntu22.04-py3.12\n{VLLM_ARGS}");
    let yaml = "images:\n  vllm:\n    build: {context: ., args: {VLLM_VERSION: \"0.9.1\", VLLM_ASCEND_VERSION: \"0.9.1\"}}\n    tags: [x/vllm:1]\n";
    let out = check(yaml, &df);
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(
        out.stderr.contains("error[compat-conflict]"),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr.contains("needs cann >=8.2.RC1") && out.stderr.contains("cann 8.0.0"),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr.contains("python >=3.9,<3.12") && out.stderr.contains("python 3.12"),
        "{}",
        out.stderr
    );
}

#[test]
fn the_base_arg_names_the_tag_and_children_inherit_it() {
    // the base is written as a build arg (the AscendHub mirror) and a child adds vllm-ascend
    let df = format!("ARG BASE_IMAGE\nFROM ${{BASE_IMAGE}}\n{VLLM_ARGS}");
    let yaml = |tag: &str| {
        format!(
            "images:\n  cann:\n    build: {{context: ., args: {{BASE_IMAGE: \"swr.cn-south-1.myhuaweicloud.com/ascendhub/cann:{tag}\"}}}}\n    tags: [x/cann:1]\n  vllm:\n    depends_on: [cann]\n    build: {{context: ., args: {{VLLM_VERSION: \"0.9.1\", VLLM_ASCEND_VERSION: \"0.9.1\"}}}}\n    tags: [x/vllm:1]\n"
        )
    };
    let good = check(&yaml("8.2.rc1-910b-ubuntu22.04-py3.11"), &df);
    assert_eq!(good.code, 0, "{}", good.stderr);
    assert!(!good.stderr.contains("compat-"), "{}", good.stderr);
    let bad = check(&yaml("8.1.rc1-910b-ubuntu22.04-py3.10"), &df);
    assert_eq!(bad.code, 2, "{}", bad.stderr);
    assert!(
        bad.stderr.contains("needs cann >=8.2.RC1") && bad.stderr.contains("(from `cann`)"),
        "{}",
        bad.stderr
    );
    // the diagnostic points at the written tag
    assert!(
        bad.stderr.contains("8.1.rc1-910b-ubuntu22.04-py3.10"),
        "{}",
        bad.stderr
    );
}

#[test]
fn a_written_stack_wins_over_the_tag_and_other_bases_stay_opaque() {
    let df = format!("FROM quay.io/ascend/cann:8.0.0-910b-ubuntu22.04-py3.12\n{VLLM_ARGS}");
    let yaml = "images:\n  vllm:\n    build: {context: ., args: {VLLM_VERSION: \"0.9.1\", VLLM_ASCEND_VERSION: \"0.9.1\"}}\n    tags: [x/vllm:1]\n    stack: {cann: \"8.2.RC1\", python: \"3.11\"}\n";
    let out = check(yaml, &df);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let opaque = format!("FROM ubuntu:22.04\n{VLLM_ARGS}");
    let yaml = "images:\n  vllm:\n    build: {context: ., args: {VLLM_VERSION: \"0.9.1\", VLLM_ASCEND_VERSION: \"0.9.1\"}}\n    tags: [x/vllm:1]\n";
    let out = check(yaml, &opaque);
    assert_eq!(out.code, 0, "{}", out.stderr);
}
