//! Where the file is found: the working directory or the nearest parent (as compose looks),
//! `ADF_FILE`, `-f`; no file anywhere is exit 2, and the built-in catalog only with `--catalog`.

mod common;
use common::{adf_bin, project};
use std::path::Path;
use std::process::Command;

struct Out {
    code: i32,
    stdout: String,
    stderr: String,
}

/// adf in `dir` with no colour, no inherited `ADF_FILE`, and `env` on top.
fn run(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Out {
    let mut cmd = Command::new(adf_bin());
    cmd.args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env("SOURCE_DATE_EPOCH", "1700000000")
        .env_remove("ADF_FILE");
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().expect("adf runs");
    Out {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

const FILE: &str = "\
images:
  base:
    build: {context: ctx}
    tags: [\"acme/base:1\"]
    installers:
      - {path: packages/x.run, sha256: \"SHA\"}
";

/// A project whose image has an installer with a sha256 (so `check` writes `.adf/cache` once
/// the file is older than the 2 s racy window),
/// and an empty `sub/deeper` directory.
fn tree() -> tempfile::TempDir {
    let sha = "98ea6e4f216f2fb4b69fff9b3a44842c38686ca685f3f55dc48c5d3fb1107be4"; // "hi\n"
    project(&[
        ("dockerfile-compose.yaml", &FILE.replace("SHA", sha)),
        ("ctx/Dockerfile", "FROM busybox\n"),
        ("packages/x.run", "hi\n"),
        ("sub/deeper/.keep", ""),
    ])
}

#[test]
fn the_file_is_found_in_a_parent_and_state_lives_next_to_it() {
    let dir = tree();
    let deeper = dir.path().join("sub/deeper");
    // a file changed in the last 2 s is hashed but not cached (it may change again within the
    // same timestamp tick): let the installer age so that `check` caches its hash
    std::thread::sleep(std::time::Duration::from_millis(2100));
    let out = run(&deeper, &["check"], &[]);
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    assert!(
        out.stdout.contains("ok: 1 image, 0 errors"),
        "{}",
        out.stdout
    );
    // relative paths (context, installers) resolved against the file's directory
    assert!(!out.stderr.contains("error"), "{}", out.stderr);
    assert!(dir.path().join(".adf").is_dir(), "state next to the file");
    assert!(
        !deeper.join(".adf").exists(),
        "no state in the subdirectory"
    );
    let list = run(&deeper, &["list"], &[]);
    assert_eq!(list.code, 0, "{}", list.stderr);
    assert!(list.stdout.contains("acme/base:1"), "{}", list.stdout);
}

#[test]
fn a_yml_file_is_found_too() {
    let dir = project(&[
        (
            "dockerfile-compose.yml",
            "images:\n  a:\n    build: {context: .}\n    tags: [\"x/a:1\"]\n",
        ),
        ("Dockerfile", "FROM busybox\n"),
        ("sub/.keep", ""),
    ]);
    let out = run(&dir.path().join("sub"), &["list"], &[]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(out.stdout.contains("x/a:1"), "{}", out.stdout);
}

#[test]
fn adf_file_names_the_file_and_dash_f_wins_over_it() {
    let dir = tree();
    let other = project(&[
        (
            "other.yaml",
            "images:\n  other:\n    build: {context: .}\n    tags: [\"x/other:1\"]\n",
        ),
        ("Dockerfile", "FROM busybox\n"),
    ]);
    let elsewhere = tempfile::tempdir().expect("tmp");
    let file = dir.path().join("dockerfile-compose.yaml");
    let env = [("ADF_FILE", file.to_str().expect("utf8"))];
    let out = run(elsewhere.path(), &["list"], &env);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(out.stdout.contains("acme/base:1"), "{}", out.stdout);
    let other_file = other.path().join("other.yaml");
    let out = run(
        elsewhere.path(),
        &["-f", other_file.to_str().expect("utf8"), "list"],
        &env,
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(out.stdout.contains("x/other:1"), "{}", out.stdout);
    assert!(!out.stdout.contains("acme/base"), "{}", out.stdout);
    // ADF_FILE wins over a file in the working directory
    let out = run(other.path(), &["list"], &env);
    assert!(out.stdout.contains("acme/base:1"), "{}", out.stdout);
}

/// A temporary directory none of whose parents holds a file (checked, not assumed).
fn lonely_dir() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tmp");
    for d in dir.path().ancestors() {
        for n in ["dockerfile-compose.yaml", "dockerfile-compose.yml"] {
            assert!(
                !d.join(n).exists(),
                "{} exists: the test needs a tree without one",
                d.join(n).display()
            );
        }
    }
    dir
}

#[test]
fn no_file_anywhere_is_exit_2_and_never_the_catalog() {
    let dir = lonely_dir();
    for args in [
        &["list"][..],
        &["check"],
        &["plan", "--no-engine"],
        &["build"],
    ] {
        let out = run(dir.path(), args, &[]);
        assert_eq!(out.code, 2, "{args:?}: {}", out.stderr);
        assert!(
            out.stderr.contains(
                "no dockerfile-compose.yaml here or in any parent; `adf init` writes one"
            ),
            "{args:?}: {}",
            out.stderr
        );
        assert!(
            !out.stderr.contains("using the built-in catalog"),
            "{}",
            out.stderr
        );
        assert!(out.stdout.is_empty(), "{args:?}: {}", out.stdout);
    }
    insta::assert_snapshot!("no_config_list", run(dir.path(), &["list"], &[]).stderr);
    let json = run(dir.path(), &["check", "--format", "json"], &[]);
    assert_eq!(json.code, 2);
    assert!(json.stdout.contains("\"no-config\""), "{}", json.stdout);
}

#[test]
fn the_catalog_is_used_when_asked() {
    let dir = lonely_dir();
    let cache = tempfile::tempdir().expect("cache");
    let env = [("XDG_CACHE_HOME", cache.path().to_str().expect("utf8"))];
    let out = run(dir.path(), &["--catalog", "list"], &env);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        out.stderr.contains("using the built-in catalog"),
        "{}",
        out.stderr
    );
    assert!(out.stdout.contains("python-3.11"), "{}", out.stdout);
    let both = run(dir.path(), &["--catalog", "-f", "x.yaml", "list"], &env);
    assert_eq!(both.code, 2, "--catalog and -f conflict: {}", both.stderr);
}

#[test]
fn commands_without_a_file_still_work_without_one() {
    let dir = lonely_dir();
    let out = run(dir.path(), &["compat", "--vllm-ascend", "0.9.1"], &[]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(out.stdout.contains("torch_npu"), "{}", out.stdout);
    let out = run(dir.path(), &["init", "--list"], &[]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(out.stdout.contains("STACK"), "{}", out.stdout);
    // `run --print` of a docker reference reads no file
    let out = run(
        dir.path(),
        &[
            "run",
            "--print",
            "--npus",
            "none",
            "busybox:1",
            "--",
            "true",
        ],
        &[],
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(out.stdout.contains("busybox:1"), "{}", out.stdout);
    assert!(!out.stderr.contains("no-config"), "{}", out.stderr);
}
