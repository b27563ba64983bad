//! Snapshot tests of list / graph / plan / check on the fixture stacks.

mod common;
use common::{adf, fixture};

#[test]
fn stack17_loads_and_plans_with_injected_bases() {
    let dir = fixture("stack17");
    let check = adf(&dir, &["check"]);
    assert_eq!(check.code, 0, "{}", check.stderr);
    assert!(
        check.stdout.contains("17 images, 0 errors"),
        "{}",
        check.stdout
    );

    let plan = adf(&dir, &["plan", "--no-engine", "--format", "json"]);
    assert_eq!(plan.code, 0, "{}", plan.stderr);
    let v: serde_json::Value = serde_json::from_str(&plan.stdout).expect("json");
    let images = v["images"].as_array().expect("images");
    assert_eq!(images.len(), 17);
    let yolo = images
        .iter()
        .find(|i| i["name"] == "yolo-910b")
        .expect("yolo-910b");
    assert_eq!(yolo["args"]["BASE_IMAGE"], "xuopoj/pytorch:2.5.1-npu-910b");
    assert_eq!(yolo["base"], "xuopoj/pytorch:2.5.1-npu-910b");
    assert_eq!(yolo["wave"], 3);
    // every child's base is its first parent's primary tag
    for img in images {
        if let Some(parent) = img["depends_on"].as_array().and_then(|d| d.first()) {
            let p = images
                .iter()
                .find(|i| &i["name"] == parent)
                .expect("parent planned");
            assert_eq!(img["args"]["BASE_IMAGE"], p["tags"][0], "{}", img["name"]);
            assert!(img["wave"].as_u64() > p["wave"].as_u64());
        }
    }
    insta::assert_snapshot!(
        "stack17_plan_text",
        adf(&dir, &["plan", "--no-engine"]).stdout
    );
}

#[test]
fn list_outputs() {
    let dir = fixture("stack17");
    insta::assert_snapshot!("stack17_list_table", adf(&dir, &["list"]).stdout);
    insta::assert_snapshot!(
        "stack17_list_json",
        adf(&dir, &["list", "--format", "json"]).stdout
    );
}

#[test]
fn graph_outputs_are_scoped_to_the_target_closure() {
    let dir = fixture("stack17");
    let out = adf(&dir, &["graph", "--target", "yolo-api"]);
    assert_eq!(out.code, 0);
    assert!(
        !out.stdout.contains("cann-310p"),
        "siblings are outside the closure"
    );
    insta::assert_snapshot!("stack17_graph_mermaid_yolo_api", out.stdout);
    insta::assert_snapshot!(
        "stack17_graph_dot_vllm",
        adf(&dir, &["graph", "-t", "vllm-ascend", "--format", "dot"]).stdout
    );
    let json = adf(&dir, &["graph", "--format", "json", "-t", "pytorch-npu-*"]);
    insta::assert_snapshot!("stack17_graph_json_glob", json.stdout);
}

#[test]
fn graph_roles_come_from_edges_not_names() {
    let dir = fixture("stack17");
    let out = adf(&dir, &["graph", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&out.stdout).expect("json");
    let role = |n: &str| {
        v["nodes"]
            .as_array()
            .expect("nodes")
            .iter()
            .find(|x| x["name"] == n)
            .expect("node")["role"]
            .clone()
    };
    assert_eq!(role("python-3.10"), "root");
    assert_eq!(role("cann-910b"), "intermediate");
    assert_eq!(role("cann-a3"), "leaf");
    assert_eq!(role("yolo-910b"), "intermediate", "yolo-api builds on it");
    assert_eq!(role("yolo-api"), "leaf");
}

#[test]
fn seed_format_file_loads_unchanged_and_reports_its_drifts() {
    let dir = fixture("seed-format");
    let out = adf(&dir, &["check"]);
    assert_eq!(out.code, 2);
    insta::assert_snapshot!("seed_format_check", out.stderr);
    // the read-only views still work on the seed file, and exit 2 because of the drifts
    let list = adf(&dir, &["list"]);
    assert_eq!(list.code, 2);
    insta::assert_snapshot!("seed_format_list", list.stdout);
    // plan refuses: a plan with drifted bases would build the wrong thing
    let plan = adf(&dir, &["plan"]);
    assert_eq!(plan.code, 2);
    assert!(plan.stdout.is_empty());
}

#[test]
fn unknown_target_is_bad_input() {
    let out = adf(&fixture("stack17"), &["plan", "--target", "yolo-91b"]);
    assert_eq!(out.code, 2);
    assert!(
        out.stderr.contains("did you mean `yolo-910b`?"),
        "{}",
        out.stderr
    );
}

#[test]
fn check_json_shape() {
    let out = adf(&fixture("seed-format"), &["check", "--format", "json"]);
    assert_eq!(out.code, 2);
    insta::assert_snapshot!("seed_format_check_json", out.stdout);
}

#[test]
fn version_and_help() {
    let dir = fixture("stack17");
    let v = adf(&dir, &["--version"]);
    assert_eq!(v.code, 0);
    assert!(
        v.stdout
            .starts_with(&format!("adf {} (", env!("CARGO_PKG_VERSION"))),
        "{}",
        v.stdout
    );
    let bad = adf(&dir, &["plan", "--format", "yaml"]);
    assert_eq!(bad.code, 2, "bad flags are bad input");
}

#[test]
fn missing_config_file_is_exit_2_with_help() {
    let dir = tempfile::tempdir().expect("tmp");
    let out = adf(dir.path(), &["-f", "nope.yaml", "list"]);
    assert_eq!(out.code, 2);
    assert!(
        out.stderr.contains("cannot read nope.yaml"),
        "{}",
        out.stderr
    );
}
