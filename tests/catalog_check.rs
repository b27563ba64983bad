//! The built-in catalog: zero errors for the whole file and for every stack written out by
//! `adf init --stack`, on both architectures; `--catalog`; init never clobbers.

mod common;
use common::adf_bin;
use std::path::Path;
use std::process::Command;

fn run(dir: &Path, cache: &Path, args: &[&str]) -> (i32, String, String) {
    let out = Command::new(adf_bin())
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env("XDG_CACHE_HOME", cache)
        .output()
        .expect("adf runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn every_stack_checks_clean_on_both_architectures() {
    let work = tempfile::tempdir().expect("tmp");
    let cache = tempfile::tempdir().expect("cache");
    let (code, stdout, stderr) = run(work.path(), cache.path(), &["init", "--list"]);
    assert_eq!(code, 0, "{stderr}");
    // a multi-platform stack is listed once, by its declared name (which `init --stack` takes
    // for all of its platforms)
    let stacks: Vec<String> = stdout
        .lines()
        .skip(1)
        .filter_map(|l| l.split_whitespace().next())
        .map(str::to_string)
        .collect();
    assert!(stacks.iter().all(|s| !s.contains('@')), "{stdout}");
    assert!(stacks.len() >= 10, "{stdout}");
    for required in [
        "yolo-910b",
        "flask-api",
        "msit-msmodelslim",
        "modelarts-mindspore-1.8.1",
        "autodl-vllm-0.7.3-910b",
        "mindspeed-rl-verl-npu-910b",
        "verl-cann8.2rc1-910b",
    ] {
        assert!(
            stacks.iter().any(|s| s == required),
            "catalog lacks {required}: {stacks:?}"
        );
    }
    for stack in &stacks {
        let dir = work.path().join(stack);
        let (code, _, stderr) = run(
            work.path(),
            cache.path(),
            &["init", "--stack", stack, dir.to_str().expect("utf8")],
        );
        assert_eq!(code, 0, "init {stack}: {stderr}");
    }
    for arch in ["x86_64", "aarch64"] {
        let set = format!("ARCH={arch}");
        // the whole catalog, asked for with --catalog (there is no config file here)
        let (code, stdout, stderr) = run(
            work.path(),
            cache.path(),
            &["--catalog", "--set", &set, "check"],
        );
        assert_eq!(code, 0, "catalog on {arch}: {stderr}");
        assert!(stderr.contains("using the built-in catalog"), "{stderr}");
        assert!(stdout.contains(" 0 errors"), "{stdout}");
        for stack in &stacks {
            let (code, stdout, stderr) = run(
                &work.path().join(stack),
                cache.path(),
                &["--set", &set, "check"],
            );
            assert_eq!(code, 0, "{stack} on {arch}: {stderr}");
            assert!(stdout.contains(" 0 errors"), "{stdout}");
        }
    }
}

#[test]
fn catalog_recipes_follow_the_rules() {
    let cache = tempfile::tempdir().expect("cache");
    let work = tempfile::tempdir().expect("tmp");
    let (_, plan, stderr) = run(
        work.path(),
        cache.path(),
        &[
            "--catalog",
            "--set",
            "ARCH=aarch64",
            "plan",
            "--no-engine",
            "--format",
            "json",
            "-t",
            "modelarts-*",
        ],
    );
    let v: serde_json::Value =
        serde_json::from_str(&plan).unwrap_or_else(|e| panic!("{e}: {stderr}"));
    let images = v["images"].as_array().expect("images");
    let ma = images
        .iter()
        .find(|i| i["name"] == "modelarts-mindspore-1.8.1")
        .expect("modelarts image");
    let tags: Vec<&str> = ma["tags"]
        .as_array()
        .expect("tags")
        .iter()
        .filter_map(|t| t.as_str())
        .collect();
    assert!(
        tags.iter()
            .any(|t| t.len() > 14 && t.chars().rev().take(14).all(|c| c.is_ascii_digit())),
        "ModelArts tags are timestamped: {tags:?}"
    );
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("catalog");
    let all_text: String = walk(&root)
        .iter()
        .map(|p| std::fs::read_to_string(p).unwrap_or_default())
        .collect();
    assert!(
        all_text.contains("1000") && all_text.contains("ma-user"),
        "ModelArts user ma-user 1000:100"
    );
    assert!(
        !all_text.contains("# syntax="),
        "no syntax directive (fails without a registry)"
    );
    let compose = std::fs::read_to_string(root.join("dockerfile-compose.yaml")).expect("compose");
    for pin in [
        "core_v0.12.1",
        "796871d7",
        "1cdd0abd",
        "8365f70e925",
        "2.3.0",
    ] {
        assert!(
            compose.contains(pin) || all_text.contains(pin),
            "MindSpeed-RL pin {pin}"
        );
    }
    assert!(
        all_text.contains("LD_PRELOAD") && all_text.to_lowercase().contains("expandable_segments"),
        "jemalloc and expandable segments"
    );
    // proxies only as secrets: no ARG or ENV of a proxy in any Dockerfile
    for p in walk(&root.join("dockerfiles")) {
        let text = std::fs::read_to_string(&p).unwrap_or_default();
        for line in text.lines() {
            let l = line.trim_start().to_lowercase();
            assert!(
                !((l.starts_with("arg ") || l.starts_with("env ")) && l.contains("proxy")),
                "{}: {line}",
                p.display()
            );
        }
    }
}

fn walk(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p);
        }
    }
    out
}

#[test]
fn init_never_overwrites_and_writes_nothing_on_refusal() {
    let cache = tempfile::tempdir().expect("cache");
    let work = tempfile::tempdir().expect("tmp");
    std::fs::write(work.path().join("dockerfile-compose.yaml"), "mine\n").expect("write");
    let (code, _, stderr) = run(work.path(), cache.path(), &["init"]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("nothing was written"), "{stderr}");
    assert_eq!(
        std::fs::read_to_string(work.path().join("dockerfile-compose.yaml")).expect("read"),
        "mine\n"
    );
    assert!(!work.path().join("dockerfiles").exists());
}
