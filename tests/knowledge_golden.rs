//! Zero false alarms: the built-in catalog (every stack, both architectures) checks with no
//! compatibility error and no compatibility warning. Known conflicts still error.

mod common;
use common::adf_with;

fn catalog_check(arch: &str) -> serde_json::Value {
    let work = tempfile::tempdir().expect("tmp");
    let cache = tempfile::tempdir().expect("tmp");
    let set = format!("ARCH={arch}");
    let cache_dir = cache.path().to_str().expect("utf8");
    let out = adf_with(
        work.path(),
        &["--catalog", "--set", &set, "check", "--format", "json"],
        &[("XDG_CACHE_HOME", cache_dir), ("ADF_CACHE_DIR", cache_dir)],
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    serde_json::from_str(&out.stdout).expect("json")
}

#[test]
fn every_catalog_stack_has_no_compat_error_or_warning() {
    for arch in ["x86_64", "aarch64"] {
        let v = catalog_check(arch);
        let compat: Vec<String> = v["diagnostics"]
            .as_array()
            .expect("diagnostics")
            .iter()
            .filter(|d| d["code"].as_str().is_some_and(|c| c.starts_with("compat-")))
            .map(|d| format!("{} {}: {}", d["severity"], d["code"], d["message"]))
            .collect();
        assert!(compat.is_empty(), "{arch}:\n{}", compat.join("\n"));
    }
}

#[test]
fn known_conflicts_still_error() {
    let dir = tempfile::tempdir().expect("tmp");
    let cache = dir.path().to_str().expect("utf8");
    for pairs in [
        &["torch_npu=2.5.1", "torch=2.7.1"][..],
        &["vllm_ascend=0.9.1", "torch_npu=2.7.1"],
        &["torch_npu=2.5.1", "python=3.12"],
        &["cann=9.1.0", "driver=25.0.RC1"],
        &["torch_npu=2.5.1", "cann=8.2.RC1", "numpy=2.1.0"],
        &["vllm_ascend=0.9.1", "cann=8.1.RC1"],
    ] {
        let mut args = vec!["compat", "--check"];
        args.extend_from_slice(pairs);
        let out = adf_with(dir.path(), &args, &[("ADF_CACHE_DIR", cache)]);
        assert_eq!(out.code, 2, "{pairs:?}: {}", out.stdout);
        assert!(
            out.stdout.contains("error[compat-conflict]"),
            "{}",
            out.stdout
        );
    }
}
