//! `adf compat` answers a person can read: the direct answer first, one line per component with
//! the relation kind and source ids, in at most about 30 lines (snapshots); `--all` for the long
//! form; no internal review notes; a misspelt component is exit 2 with did-you-mean.

mod common;
use common::{adf_with, Output};

/// adf with an empty cache directory: the built-in knowledge only, no synced overlay.
fn compat(args: &[&str]) -> Output {
    let dir = tempfile::tempdir().expect("tmp");
    let cache = dir.path().join("cache");
    let mut all = vec!["compat"];
    all.extend_from_slice(args);
    adf_with(
        dir.path(),
        &all,
        &[("ADF_CACHE_DIR", cache.to_str().expect("utf8"))],
    )
}

fn brief(name: &str, args: &[&str]) {
    let out = compat(args);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let lines = out.stdout.lines().count();
    assert!(
        lines <= 30,
        "`adf compat {}`: {lines} lines",
        args.join(" ")
    );
    insta::assert_snapshot!(name, out.stdout);
}

#[test]
fn default_answers_are_short_and_direct() {
    brief("vllm_ascend_0_9_1", &["--vllm-ascend", "0.9.1"]);
    brief(
        "cann_8_3_rc1_910b",
        &["--cann", "8.3.RC1", "--chip", "910b"],
    );
    brief("torch_npu_2_7_1", &["--torch-npu", "2.7.1"]);
    brief("mindspore_1_8_1", &["--mindspore", "1.8.1"]);
}

#[test]
fn the_vllm_ascend_answer_names_what_a_stack_needs() {
    let out = compat(&["--vllm-ascend", "0.9.1"]);
    let lines: Vec<&str> = out.stdout.lines().collect();
    assert_eq!(lines[0], "vllm_ascend v0.9.1");
    for (comp, text) in [
        ("vllm", "==0.9.1 (requires,"),
        ("cann", "8.2.RC1 (paired,"),
        ("torch", "==2.5.1 (requires,"),
        ("torch_npu", "==2.5.1.post1 (requires,"),
        ("python", ">=3.9,<3.12 (requires,"),
        ("numpy", "<2.0.0 (rule"),
    ] {
        assert!(
            lines
                .iter()
                .any(|l| l.trim_start().starts_with(&format!("{comp} ")) && l.contains(text)),
            "{comp}: {}",
            out.stdout
        );
    }
}

#[test]
fn all_is_the_long_form() {
    let short = compat(&["--cann", "8.3.RC1", "--chip", "910b"]);
    let long = compat(&["--cann", "8.3.RC1", "--chip", "910b", "--all"]);
    assert_eq!(long.code, 0);
    assert!(long.stdout.lines().count() > 3 * short.stdout.lines().count());
    assert!(long.stdout.contains("source: S"), "{}", long.stdout);
}

#[test]
fn no_internal_review_notes() {
    for q in [
        &["--mindspore", "1.8.1", "--all"][..],
        &["--vllm-ascend", "0.7.3rc1", "--chip", "910b", "--all"],
        &["verl=d7944c01", "--cann", "8.2.RC1", "--all"],
        &["verl_npu=2.3.0", "--all"],
        &["--torch-npu", "2.5.1", "--all"],
    ] {
        let out = compat(q);
        for word in ["Seed ", "AGREE", "PARTIAL", "likely a typo", "compat-facts"] {
            assert!(!out.stdout.contains(word), "{q:?}: {word}\n{}", out.stdout);
        }
    }
}

#[test]
fn rules_that_do_not_apply_are_not_shown() {
    // the CANN 8.x numpy rule is not about torch_npu 2.14.0 (no CANN 8 pairing)
    for q in [
        &["--torch-npu", "2.14.0"][..],
        &["--torch-npu", "2.14.0", "--all"],
    ] {
        let out = compat(q);
        assert!(
            !out.stdout.contains("numpy-below-2-torch-npu-cann8"),
            "{}",
            out.stdout
        );
    }
    // CANN 8.5.0 ships no nnae: no installer file name for it
    for q in [&["--cann", "8.5.0"][..], &["--cann", "8.5.0", "--all"]] {
        let out = compat(q);
        assert!(
            !out.stdout.contains("Ascend-cann-nnae_8.5.0"),
            "{}",
            out.stdout
        );
        assert!(out.stdout.contains("not released"), "{}", out.stdout);
    }
}

#[test]
fn help_text_names_the_numpy_pin_mindspeed_allows() {
    let out = compat(&["--check", "torch_npu=2.5.1", "cann=8.2.RC1", "numpy=2.0.0"]);
    assert_eq!(out.code, 2);
    assert!(
        out.stdout.contains("1.26.0 where MindSpeed allows"),
        "{}",
        out.stdout
    );
    assert!(!out.stdout.contains("1.26.x"), "{}", out.stdout);
}

#[test]
fn a_misspelt_component_is_bad_input_with_a_suggestion() {
    let out = compat(&["--check", "torchnpu=2.5.1", "cann=8.2.RC1"]);
    assert_eq!(out.code, 2);
    assert!(
        out.stderr
            .contains("unknown component `torchnpu`; did you mean `torch_npu`?"),
        "{}",
        out.stderr
    );
    let out = compat(&["vlm-ascend=0.9.1"]);
    assert_eq!(out.code, 2);
    assert!(
        out.stderr.contains("did you mean `vllm_ascend`?"),
        "{}",
        out.stderr
    );
}

#[test]
fn check_prints_info_notes_apart_from_problems() {
    let out = compat(&["--check", "vllm_ascend=0.9.1", "cann=8.3.RC1"]);
    assert_eq!(out.code, 0, "{}", out.stdout);
    assert!(out.stdout.contains("no known problem"), "{}", out.stdout);
    assert!(
        out.stdout.contains("note[compat-not-paired]"),
        "{}",
        out.stdout
    );
    let json = compat(&[
        "--check",
        "vllm_ascend=0.9.1",
        "cann=8.3.RC1",
        "--format",
        "json",
    ]);
    let v: serde_json::Value = serde_json::from_str(&json.stdout).expect("json");
    assert_eq!(v["ok"], true);
    assert_eq!(v["notes"][0]["severity"], "info");
}
