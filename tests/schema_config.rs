//! `adf config` (the resolved file), `adf schema` (its JSON Schema) and the agreement of the
//! schema with the checker: the catalog and every fixture validate, and the shapes the checker
//! refuses the schema refuses too.

mod common;
use common::{adf, adf_with, fixture, project};
use serde_json::Value;
use std::path::Path;

fn schema() -> jsonschema::Validator {
    let text = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("catalog/adf.schema.json"),
    )
    .expect("schema");
    let v: Value = serde_json::from_str(&text).expect("json");
    jsonschema::validator_for(&v).expect("a valid JSON Schema")
}

/// The file as JSON, read by adf's own YAML reader (anchors and merge keys resolved).
fn as_json(text: &str) -> Value {
    let mut sources = ascend_docker_factory::diag::Sources::default();
    let file = sources.add("f.yaml".to_string(), text.to_string());
    let root = ascend_docker_factory::config::yaml::parse(file, text)
        .ok()
        .flatten()
        .expect("YAML");
    root.to_json()
}

fn errors(validator: &jsonschema::Validator, doc: &Value) -> Vec<String> {
    validator
        .iter_errors(doc)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect()
}

#[test]
fn the_catalog_and_every_fixture_validate() {
    let v = schema();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let files = [
        root.join("catalog/dockerfile-compose.yaml"),
        root.join("demo/dockerfile-compose.yaml"),
        fixture("stack17").join("dockerfile-compose.yaml"),
        fixture("seed-format").join("dockerfile-compose.yaml"),
    ];
    for f in files {
        let text = std::fs::read_to_string(&f).expect("read");
        let errs = errors(&v, &as_json(&text));
        assert!(errs.is_empty(), "{}: {errs:?}", f.display());
    }
}

/// Codes of the reader's shape errors: what a schema can say too.
const SHAPE_CODES: &[&str] = &[
    "unknown-key",
    "wrong-type",
    "missing-key",
    "missing-value",
    "secret-source",
    "no-images",
];

fn shape_errors(text: &str) -> Vec<String> {
    let dir = project(&[
        ("dockerfile-compose.yaml", text),
        ("Dockerfile", "ARG BASE_IMAGE=busybox\nFROM ${BASE_IMAGE}\n"),
    ]);
    let out = adf(dir.path(), &["check", "--format", "json"]);
    let v: Value = serde_json::from_str(&out.stdout).expect("json");
    v["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .iter()
        .filter(|d| d["severity"] == "error")
        .filter_map(|d| d["code"].as_str())
        .filter(|c| SHAPE_CODES.contains(c))
        .map(str::to_string)
        .collect()
}

#[test]
fn the_schema_and_the_checker_agree() {
    let v = schema();
    let good = [
        "images:\n  a:\n    build: .\n    tags: [a:1]\n",
        "version: \"1.0\"\nname: p\nvariables: {V: 1}\nbase_arg: B\nbuild_flags: --network=host\nregistry: 127.0.0.1:5000/t\ncache_from: [x]\ncache_to: type=inline\ncompat_rules: []\nsecrets:\n  ca: {file: ca.pem}\n  tok: {environment: TOKEN}\nx-notes: anything\nimages:\n  a:\n    description: base\n    build:\n      context: .\n      dockerfile: Dockerfile\n      args: [\"A=1\", \"B=2\"]\n      target: t\n      platforms: linux/amd64\n      secrets: [{source: ca, target: /ca}]\n      labels: {k: v}\n      network: host\n      shm_size: 2g\n      no_cache: true\n      pull: false\n      extra_hosts: [\"h:127.0.0.1\"]\n    tags: [\"a:1\"]\n    matrix: {py: [\"3.10\", 3.11]}\n    stack: {python: \"3.10\"}\n    installers: [{path: p.run, sha256: abc, url: u, hint: h}]\n    verify: [\"true\", {name: n, run: r, expect: e}]\n    runtime_deps: {wheelhouse: /w, requirements: /r, index_env: I}\n    build_flags: [--pull]\n  b:\n    depends_on: {a: {condition: x}}\n    build: {context: .}\n    tags: b:1\n",
    ];
    for text in good {
        assert_eq!(shape_errors(text), Vec::<String>::new(), "checker: {text}");
        assert_eq!(
            errors(&v, &as_json(text)),
            Vec::<String>::new(),
            "schema: {text}"
        );
    }
    let bad = [
        "imagez: {}\n",
        "images:\n  a:\n    biuld: .\n",
        "images:\n  a:\n    build: {contxt: .}\n",
        "images:\n  a:\n    build: .\n    tags: {x: y}\n",
        "images:\n  a:\n    build: {no_cache: maybe}\n",
        "images:\n  a:\n    installers: [{sha256: abc}]\n",
        "images:\n  a:\n    verify: [{name: n}]\n",
        "images:\n  a:\n    matrix: {py: \"3.10\"}\n",
        "secrets: {ca: {}}\nimages: {}\n",
        "images:\n  a:\n    runtime_deps: {wheels: /w}\n",
        "images:\n  a:\n    build: {args: [\"NOVALUE\"]}\n",
        "images: [a, b]\n",
    ];
    for text in bad {
        assert!(!shape_errors(text).is_empty(), "checker accepts: {text}");
        assert!(
            !errors(&v, &as_json(text)).is_empty(),
            "schema accepts: {text}"
        );
    }
}

#[test]
fn schema_prints_the_file_init_writes_next_to_the_config() {
    let out = adf(&fixture("stack17"), &["schema"]);
    assert_eq!(out.code, 0);
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let file = std::fs::read_to_string(root.join("catalog/adf.schema.json")).expect("read");
    assert_eq!(out.stdout, file);
    let head: Vec<&str> = out.stdout.lines().take(8).collect();
    insta::assert_snapshot!("schema_head", head.join("\n"));

    let work = tempfile::tempdir().expect("tmp");
    let cache = tempfile::tempdir().expect("cache");
    let dest = work.path().join("s");
    let cache_dir = cache.path().to_str().expect("utf8");
    let init = adf_with(
        work.path(),
        &["init", "--stack", "flask-api", "s"],
        &[("XDG_CACHE_HOME", cache_dir)],
    );
    assert_eq!(init.code, 0, "{}", init.stderr);
    let compose = std::fs::read_to_string(dest.join("dockerfile-compose.yaml")).expect("read");
    assert_eq!(
        compose.lines().next(),
        Some("# yaml-language-server: $schema=./adf.schema.json")
    );
    assert_eq!(
        std::fs::read_to_string(dest.join("adf.schema.json")).expect("schema written"),
        file
    );
}

#[test]
fn config_shows_the_resolved_file() {
    let dir = fixture("stack17");
    let yaml = adf(&dir, &["config"]);
    assert_eq!(yaml.code, 0, "{}", yaml.stderr);
    insta::assert_snapshot!("config_stack17_yaml", yaml.stdout);
    let json = adf(&dir, &["config", "--format", "json", "yolo-910b"]);
    assert_eq!(json.code, 0, "{}", json.stderr);
    let v: Value = serde_json::from_str(&json.stdout).expect("json");
    let names: Vec<&String> = v["images"].as_object().expect("images").keys().collect();
    assert_eq!(
        names,
        ["python-3.10", "cann-910b", "pytorch-npu-910b", "yolo-910b"]
    );
    // the parent's tag is injected under the base arg
    assert_eq!(
        v["images"]["yolo-910b"]["build"]["args"]["BASE_IMAGE"],
        "xuopoj/pytorch:2.5.1-npu-910b"
    );
    // --set reaches the variables and every use of them
    let set = adf(&dir, &["--set", "ORG=acme", "config", "--format", "json"]);
    let v: Value = serde_json::from_str(&set.stdout).expect("json");
    assert_eq!(v["variables"]["ORG"], "acme");
    assert_eq!(v["images"]["python-3.10"]["tags"][0], "acme/python:3.10");

    // the resolved file reads back and plans the same
    let work = tempfile::tempdir().expect("tmp");
    for entry in std::fs::read_dir(&dir).expect("fixture") {
        let entry = entry.expect("entry");
        let to = work.path().join(entry.file_name());
        if entry.path().is_dir() {
            copy_dir(&entry.path(), &to);
        } else {
            std::fs::copy(entry.path(), &to).expect("copy");
        }
    }
    std::fs::write(work.path().join("resolved.yaml"), &yaml.stdout).expect("write");
    let original = adf(work.path(), &["plan", "--no-engine"]);
    let resolved = adf(work.path(), &["-f", "resolved.yaml", "plan", "--no-engine"]);
    assert_eq!(resolved.code, 0, "{}", resolved.stderr);
    assert_eq!(original.stdout, resolved.stdout);
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for entry in std::fs::read_dir(from).expect("read_dir") {
        let entry = entry.expect("entry");
        let dest = to.join(entry.file_name());
        if entry.path().is_dir() {
            copy_dir(&entry.path(), &dest);
        } else {
            std::fs::copy(entry.path(), &dest).expect("copy");
        }
    }
}

#[test]
fn plan_json_carries_each_full_build_spec() {
    let dir = project(&[
        (
            "dockerfile-compose.yaml",
            "secrets:\n  ca: {file: ca.pem}\nimages:\n  a:\n    build:\n      context: ctx\n      dockerfile: app.dockerfile\n      target: run\n      platforms: [linux/amd64]\n      secrets: [ca]\n      labels: {team: ml}\n      network: host\n      cache_from: [\"type=registry,ref=127.0.0.1:5000/c\"]\n      cache_to: [type=inline]\n    tags: [\"a:1\"]\n",
        ),
        ("ca.pem", "not a real certificate"),
        ("ctx/app.dockerfile", "FROM busybox AS run\nRUN --mount=type=secret,id=ca true\n"),
    ]);
    let out = adf(dir.path(), &["plan", "--no-engine", "--format", "json"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let v: Value = serde_json::from_str(&out.stdout).expect("json");
    let build = &v["images"][0]["build"];
    assert_eq!(
        build,
        &serde_json::json!({
            "context": "./ctx",
            "dockerfile": "app.dockerfile",
            "target": "run",
            "platforms": ["linux/amd64"],
            "secrets": ["ca"],
            "labels": {"team": "ml"},
            "network": "host",
            "cache_from": ["type=registry,ref=127.0.0.1:5000/c"],
            "cache_to": ["type=inline"]
        })
    );
    assert!(!out.stdout.contains("not a real certificate"));
}
