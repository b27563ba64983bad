//! CI-ready output: `adf build --metadata-file` on a real engine (built, failed, blocked, fresh)
//! and `adf check --format github` (workflow commands), as snapshots.

mod common;
use common::*;

const FIXTURE_BASE: &str = "adf-fixture/busybox:1";

/// root (one platform) -> {a, b}; a -> leaf. `a` fails when FAIL=1.
fn chain(prefix: &str) -> tempfile::TempDir {
    let df = |body: &str| format!("ARG BASE_IMAGE\nFROM ${{BASE_IMAGE}}\nARG FAIL=0\n{body}\n");
    let yaml = format!(
        "build_flags: [--network, host]\nvariables: {{FAIL: \"0\"}}\nimages:\n  root:\n    build: {{context: root, platforms: [linux/amd64], args: {{BASE_IMAGE: {FIXTURE_BASE}}}}}\n    tags: [\"{prefix}/root:1\"]\n  a:\n    depends_on: [root]\n    build: {{context: a, args: {{FAIL: \"${{FAIL}}\"}}}}\n    tags: [\"{prefix}/a:1\", \"{prefix}/a:latest\"]\n  b:\n    depends_on: [root]\n    build: {{context: b}}\n    tags: [\"{prefix}/b:1\"]\n  leaf:\n    depends_on: [a]\n    build: {{context: leaf}}\n    tags: [\"{prefix}/leaf:1\"]\n"
    );
    let root = df("RUN echo root > /root.txt");
    let a = df("RUN test \"$FAIL\" != 1");
    let b = df("RUN echo b > /b.txt");
    let leaf = df("RUN cat /root.txt");
    project(&[
        ("dockerfile-compose.yaml", &yaml),
        ("root/Dockerfile", &root),
        ("a/Dockerfile", &a),
        ("b/Dockerfile", &b),
        ("leaf/Dockerfile", &leaf),
    ])
}

/// The metadata file with its volatile values (tag prefix, image IDs, times, durations, the
/// failing step's text) replaced by placeholders, after checking their form.
fn metadata(dir: &std::path::Path, prefix: &str) -> String {
    let text = std::fs::read_to_string(dir.join("build.json")).expect("metadata file written");
    let mut v: serde_json::Value = serde_json::from_str(&text).expect("metadata is JSON");
    let time = regex::Regex::new(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$").expect("regex");
    let id = regex::Regex::new(r"^sha256:[0-9a-f]{64}$").expect("regex");
    for (name, image) in v["images"].as_object_mut().expect("images by name") {
        let status = image["status"].as_str().expect("status").to_string();
        if let Some(i) = image.get_mut("image_id") {
            assert!(id.is_match(i.as_str().expect("id")), "{name}: {i}");
            *i = "[image id]".into();
        }
        let started = image["started_at"].as_str().map(str::to_string);
        let finished = image["finished_at"].as_str().map(str::to_string);
        match (&started, &finished) {
            (Some(s), Some(f)) => {
                assert!(time.is_match(s) && time.is_match(f), "{name}: {s} {f}");
                assert!(s <= f, "{name}: started {s} after it finished {f}");
                if status == "fresh" {
                    assert_eq!(s, f, "{name}: a fresh image is settled at once");
                }
                image["started_at"] = "[time]".into();
                image["finished_at"] = "[time]".into();
            }
            (None, None) => {}
            _ => panic!("{name}: one of started_at / finished_at is null"),
        }
        let seconds = image["seconds"].as_f64().expect("seconds");
        if status == "built" || status == "failed" {
            assert!(seconds > 0.0, "{name}: {seconds}");
            image["seconds"] = "[seconds]".into();
        }
        if status == "failed" {
            let reason = image["reason"].as_str().expect("reason");
            assert!(!reason.is_empty(), "{name}: a failure says why");
            image["reason"] = "[reason]".into();
        }
        if let Some(log) = image.get("log").and_then(|l| l.as_str()) {
            assert!(dir.join(log).is_file(), "{name}: no log at {log}");
        }
    }
    serde_json::to_string_pretty(&v)
        .expect("json")
        .replace(prefix, "[prefix]")
}

#[test]
fn build_metadata_file_names_every_image_even_after_a_failure() {
    engine();
    let prefix = unique("meta");
    let dir = chain(&prefix);
    let args = |fail: &str| {
        vec![
            "--set".to_string(),
            format!("FAIL={fail}"),
            "build".into(),
            "--keep-going".into(),
            "--metadata-file".into(),
            "build.json".into(),
        ]
    };
    let run = |args: Vec<String>| {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        adf_engine(dir.path(), &args)
    };

    let failed = run(args("1"));
    assert_eq!(failed.code, 1, "{}\n{}", failed.stdout, failed.stderr);
    insta::assert_snapshot!("metadata_failed", metadata(dir.path(), &prefix));

    let fixed = run(args("0"));
    assert_eq!(fixed.code, 0, "{}\n{}", fixed.stdout, fixed.stderr);
    let text = metadata(dir.path(), &prefix);
    insta::assert_snapshot!("metadata_fixed", text);
    // written through a temporary file renamed into place: nothing else is left beside it
    let mut names: Vec<String> = std::fs::read_dir(dir.path())
        .expect("dir")
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n != ".adf")
        .collect();
    names.sort();
    assert_eq!(
        names,
        [
            "a",
            "b",
            "build.json",
            "dockerfile-compose.yaml",
            "leaf",
            "root"
        ]
    );
    // the image IDs are those the tags point at
    let v: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(dir.path().join("build.json")).expect("file"),
    )
    .expect("json");
    for name in ["root", "a", "b", "leaf"] {
        let tag = v["images"][name]["tags"][0].as_str().expect("tag");
        assert_eq!(
            v["images"][name]["image_id"].as_str(),
            image_id(tag).as_deref(),
            "{name}"
        );
    }

    // a metadata file that cannot be written fails the run, after the build
    let unwritable = adf_engine(
        dir.path(),
        &["build", "--metadata-file", "no/such/dir/build.json"],
    );
    assert_eq!(unwritable.code, 1, "{}", unwritable.stderr);
    assert!(
        unwritable
            .stderr
            .contains("cannot write the metadata file no/such/dir/build.json"),
        "{}",
        unwritable.stderr
    );
    cleanup(&prefix);
}

#[test]
fn a_dry_run_writes_no_metadata_file() {
    let dir = project(&[("dockerfile-compose.yaml", "images: {}\n")]);
    let out = adf(
        dir.path(),
        &["build", "--dry-run", "--metadata-file", "build.json"],
    );
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(out.stderr.contains("cannot be used with"), "{}", out.stderr);
    assert!(!dir.path().join("build.json").exists());
}

const DF: &str =
    "ARG BASE_IMAGE\nFROM ${BASE_IMAGE}\nARG PYTHON_VERSION\nRUN echo ${PYTHON_VERSION}\n";

#[test]
fn check_as_github_annotations() {
    // one warning (an arg the Dockerfile does not declare) and one error (an unknown key)
    let yaml = "images:\n  py:\n    build: {context: ., dockerfile: dockerfiles/app.dockerfile, args: {BASE_IMAGE: ubuntu:22.04, PYTHON_VERSON: \"3.10\"}}\n    tags: [x/py:1]\n    colour: red\n";
    let dir = project(&[
        ("dockerfile-compose.yaml", yaml),
        ("dockerfiles/app.dockerfile", DF),
    ]);
    let out = adf(dir.path(), &["check", "--format", "github"]);
    assert_eq!(out.code, 2, "an error: exit 2 as with other formats");
    assert_eq!(out.stderr, "");
    insta::assert_snapshot!("check_github", out.stdout);

    // warnings only: exit 0; a problem without a place has no file/line/col
    std::fs::write(
        dir.path().join("dockerfile-compose.yaml"),
        yaml.replace("    colour: red\n", ""),
    )
    .expect("write");
    let warn = adf(dir.path(), &["check", "--format", "github"]);
    assert_eq!(warn.code, 0, "{}", warn.stdout);
    assert!(
        warn.stdout
            .starts_with("::warning file=dockerfile-compose.yaml,line=3,col="),
        "{}",
        warn.stdout
    );
    let missing = adf(
        dir.path(),
        &["-f", "nope.yaml", "check", "--format", "github"],
    );
    assert_eq!(missing.code, 2);
    assert!(
        missing
            .stdout
            .starts_with("::error title=adf config-unreadable::cannot read nope.yaml"),
        "{}",
        missing.stdout
    );
}
