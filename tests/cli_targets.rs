//! Positional targets (`adf plan A B` = `--target A --target B`), `.adf/.gitignore`, `--version`.

mod common;
use common::{adf, fixture};

fn plan_names(out: &common::Output) -> Vec<String> {
    assert_eq!(out.code, 0, "{}", out.stderr);
    let v: serde_json::Value = serde_json::from_str(&out.stdout).expect("json");
    v["images"]
        .as_array()
        .expect("images")
        .iter()
        .map(|i| i["name"].as_str().expect("name").to_string())
        .collect()
}

#[test]
fn positional_targets_equal_target_flags() {
    let dir = fixture("stack17");
    let base = ["plan", "--no-engine", "--format", "json"];
    let flags = adf(
        &dir,
        &[
            &base[..],
            &["--target", "yolo-cpu", "--target", "flask-api"],
        ]
        .concat(),
    );
    let positional = adf(&dir, &[&base[..], &["yolo-cpu", "flask-api"]].concat());
    let mixed = adf(
        &dir,
        &[&base[..], &["yolo-cpu", "--target", "flask-api"]].concat(),
    );
    let names = plan_names(&flags);
    assert!(names.contains(&"yolo-cpu".to_string()), "{names:?}");
    assert!(names.contains(&"flask-api".to_string()), "{names:?}");
    assert!(names.len() < 17, "{names:?}");
    assert_eq!(positional.stdout, flags.stdout);
    assert_eq!(mixed.stdout, flags.stdout);
    let one = plan_names(&adf(&dir, &[&base[..], &["yolo-cpu"]].concat()));
    assert!(one.len() < names.len(), "{one:?}");
}

#[test]
fn positional_targets_on_graph_and_export_bake() {
    let dir = fixture("stack17");
    for cmd in [&["graph", "--format", "json"][..], &["export", "bake"][..]] {
        let flags = adf(&dir, &[cmd, &["--target", "yolo-cpu"]].concat());
        let positional = adf(&dir, &[cmd, &["yolo-cpu"]].concat());
        assert_eq!(flags.code, 0, "{cmd:?}: {}", flags.stderr);
        assert_eq!(positional.stdout, flags.stdout, "{cmd:?}");
    }
}

#[test]
fn unknown_positional_target_is_bad_input() {
    let out = adf(&fixture("stack17"), &["plan", "--no-engine", "yolo-91b"]);
    assert_eq!(out.code, 2);
    assert!(
        out.stderr.contains("did you mean `yolo-910b`?"),
        "{}",
        out.stderr
    );
}

#[test]
fn state_dir_is_git_ignored() {
    let dir = tempfile::tempdir().expect("tempdir");
    for entry in std::fs::read_dir(fixture("stack17")).expect("fixture") {
        let entry = entry.expect("entry");
        if entry.file_name() != ".adf" {
            copy(&entry.path(), &dir.path().join(entry.file_name()));
        }
    }
    let out = adf(dir.path(), &["plan", "--no-engine"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let ignore = std::fs::read_to_string(dir.path().join(".adf/.gitignore")).expect(".gitignore");
    assert_eq!(ignore.trim(), "*");
}

fn copy(from: &std::path::Path, to: &std::path::Path) {
    if from.is_dir() {
        std::fs::create_dir_all(to).expect("mkdir");
        for entry in std::fs::read_dir(from).expect("dir") {
            let entry = entry.expect("entry");
            copy(&entry.path(), &to.join(entry.file_name()));
        }
    } else {
        std::fs::copy(from, to).expect("copy");
    }
}

#[test]
fn version_names_commit_and_knowledge_date() {
    let out = adf(&fixture("stack17"), &["--version"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let re = regex::Regex::new(
        r"^adf 0\.1\.0 \(([0-9a-f]{4,}|unknown), knowledge \d{4}-\d{2}-\d{2}\)\n$",
    )
    .expect("regex");
    assert!(re.is_match(&out.stdout), "{:?}", out.stdout);
}
