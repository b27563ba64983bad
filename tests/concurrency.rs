//! Two `adf build` runs at once against one engine (issue 15, item 1): a child is built FROM the
//! exact parent image its own run decided on, never from whatever the parent's tag points at
//! by the time the child starts; and two runs in one checkout wait for each other.

mod common;
use common::*;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const FIXTURE_BASE: &str = "adf-fixture/busybox:1";

/// parent (content `flavour`) and a slow unrelated image `wait` both come before `child`, so the
/// child starts only after `wait`: a window in which another run can retag the parent.
fn checkout(prefix: &str, flavour: &str, wait_secs: u32) -> tempfile::TempDir {
    let yaml = format!(
        "build_flags: [--network, none]\nimages:\n  parent:\n    build: {{context: parent, args: {{BASE_IMAGE: {FIXTURE_BASE}}}}}\n    tags: [\"{prefix}/parent:1\"]\n  wait:\n    build: {{context: wait, args: {{BASE_IMAGE: {FIXTURE_BASE}}}}}\n    tags: [\"{prefix}/wait:1\"]\n  child:\n    depends_on: [parent, wait]\n    build: {{context: child}}\n    tags: [\"{prefix}/child:1\"]\n"
    );
    let df = "ARG BASE_IMAGE\nFROM ${BASE_IMAGE}\nCOPY . /ctx/\n";
    project(&[
        ("dockerfile-compose.yaml", &yaml),
        ("parent/Dockerfile", df),
        ("parent/flavour", flavour),
        (
            "wait/Dockerfile",
            &format!("{df}RUN echo {prefix} {flavour} && sleep {wait_secs}\n"),
        ),
        ("child/Dockerfile", df),
        ("child/x", "x"),
    ])
}

fn spawn_build(dir: &std::path::Path, args: &[&str]) -> std::process::Child {
    Command::new(adf_bin())
        .args(["build", "--format", "json", "--progress", "plain"])
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env("ADF_DOCKER", docker())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("adf runs")
}

fn finish(child: std::process::Child) -> Output {
    let out = child.wait_with_output().expect("adf ends");
    Output {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

fn file_in(tag: &str, path: &str) -> String {
    docker_out(&["run", "--rm", "--network", "none", tag, "cat", path])
}

#[test]
fn a_child_is_built_on_its_own_runs_parent_while_another_checkout_retags_it() {
    engine();
    let prefix = unique("race");
    let a = checkout(&prefix, "from-a", 12);
    let b = checkout(&prefix, "from-b", 0);
    let run_a = spawn_build(a.path(), &[]);
    // wait until A's parent is tagged (A's child waits for `wait`, still sleeping)
    let start = Instant::now();
    while image_id(&format!("{prefix}/parent:1")).is_none() {
        assert!(
            start.elapsed() < Duration::from_secs(60),
            "A never built its parent"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    // another checkout with other inputs retags the parent before A's child starts
    let out_b = adf_engine(b.path(), &["build", "parent"]);
    assert_eq!(out_b.code, 0, "{}", out_b.stderr);
    assert_eq!(
        file_in(&format!("{prefix}/parent:1"), "/ctx/flavour"),
        "from-b"
    );
    let out_a = finish(run_a);
    assert_eq!(out_a.code, 0, "{}\n{}", out_a.stdout, out_a.stderr);
    // A's child holds A's parent, whatever the parent's tag says now
    assert_eq!(
        file_in(&format!("{prefix}/child:1"), "/ctx/flavour"),
        "from-a",
        "A's child was built on B's parent"
    );
    // A again: its parent is rebuilt (the tag holds B's), and its child is never `fresh` on
    // another parent than the one A's parent tag now points at
    let again = adf_engine(a.path(), &["build", "--format", "json"]);
    assert_eq!(again.code, 0, "{}", again.stderr);
    assert_eq!(
        file_in(&format!("{prefix}/parent:1"), "/ctx/flavour"),
        "from-a"
    );
    assert_eq!(
        file_in(&format!("{prefix}/child:1"), "/ctx/flavour"),
        "from-a"
    );
    let label = docker_out(&[
        "image",
        "inspect",
        "--format",
        "{{index .Config.Labels \"adf.parent\"}}",
        &format!("{prefix}/child:1"),
    ]);
    assert_eq!(Some(label), image_id(&format!("{prefix}/parent:1")));
    cleanup(&prefix);
}

#[test]
fn two_runs_in_one_checkout_take_turns() {
    engine();
    let prefix = unique("turns");
    let dir = checkout(&prefix, "only", 4);
    let first = spawn_build(dir.path(), &[]);
    let lock = dir.path().join(".adf/lock");
    let start = Instant::now();
    while std::fs::read_to_string(&lock).unwrap_or_default().trim() != first.id().to_string() {
        assert!(start.elapsed() < Duration::from_secs(30), "no lock taken");
        std::thread::sleep(Duration::from_millis(50));
    }
    let second = adf_engine(dir.path(), &["build", "--format", "json"]);
    let first_pid = first.id();
    let first = finish(first);
    assert_eq!(first.code, 0, "{}", first.stderr);
    assert_eq!(second.code, 0, "{}", second.stderr);
    assert!(
        second.stderr.contains(&format!(
            "waiting for another adf build in this project (pid {first_pid})"
        )),
        "{}",
        second.stderr
    );
    // the second run decided after the first had built everything
    let fresh: Vec<String> = statuses(&second).into_values().collect();
    assert_eq!(fresh, ["fresh", "fresh", "fresh"], "{}", second.stdout);
    cleanup(&prefix);
}
