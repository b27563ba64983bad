//! The fault campaign's items that involve a real build: what BuildKit is sent decides
//! freshness, secrets never reach the build log, and adf's state is never written through a
//! planted symlink.

mod common;
use common::*;

const FIXTURE_BASE: &str = "adf-fixture/busybox:1";

fn data_in(tag: &str) -> String {
    docker_out(&[
        "run",
        "--rm",
        "--network",
        "none",
        tag,
        "cat",
        "/app/data.txt",
    ])
}

/// `ctx/Dockerfile.dockerignore` lets `data.txt` through, `ctx/.dockerignore` leaves it out:
/// BuildKit uses the first, so a change of `data.txt` must rebuild the image. The context is
/// relative to the file (the case that went wrong) and, in a second file, absolute.
#[test]
fn the_dockerfile_specific_ignore_file_decides_what_is_stale() {
    engine();
    let prefix = unique("dfignore");
    let tag = format!("{prefix}/app:1");
    let dir = project(&[
        (
            "ctx/Dockerfile",
            &format!("FROM {FIXTURE_BASE}\nCOPY . /app\n"),
        ),
        ("ctx/.dockerignore", "data.txt\n"),
        ("ctx/Dockerfile.dockerignore", "nothing-to-ignore\n"),
        ("ctx/data.txt", "v1\n"),
    ]);
    let ctx = dir.path().join("ctx");
    for (round, context) in [
        ("relative", "ctx".to_string()),
        ("absolute", ctx.display().to_string()),
    ] {
        let yaml = format!(
            "images:\n  app:\n    build: {{context: \"{context}\"}}\n    tags: [\"{tag}\"]\n"
        );
        std::fs::write(dir.path().join("dockerfile-compose.yaml"), yaml).expect("write");
        let out = adf_engine(dir.path(), &["build", "--format", "json"]);
        assert_eq!(out.code, 0, "{round}: {}", out.stderr);
        let before = data_in(&tag);
        // BuildKit sent data.txt: the Dockerfile-specific file is the one it used
        assert!(!before.is_empty(), "{round}: {before}");
        let next = format!("{round}-{before}");
        std::fs::write(ctx.join("data.txt"), format!("{next}\n")).expect("write");
        let out = adf_engine(dir.path(), &["build", "--format", "json"]);
        assert_eq!(out.code, 0, "{round}: {}", out.stderr);
        assert_eq!(
            statuses(&out).get("app").map(String::as_str),
            Some("built"),
            "{round}: a file BuildKit sends changed, the image is stale: {}",
            out.stderr
        );
        assert_eq!(data_in(&tag), next, "{round}");
    }
    cleanup(&prefix);
}

/// A secret passed around the file's checks (`--build-flag`) is built, but the build log shows
/// `***` where its value would be.
#[test]
fn the_build_log_never_holds_a_secret_value() {
    engine();
    let prefix = unique("logsecret");
    let value = format!("hf_{}", "Zq9".repeat(12));
    let dir = project(&[
        ("Dockerfile", &format!("FROM {FIXTURE_BASE}\nARG HF_TOKEN\nARG MIRROR\nRUN echo building\n")),
        (
            "dockerfile-compose.yaml",
            &format!("build_flags: [--network, host]\nimages:\n  app:\n    build: {{context: .}}\n    tags: [\"{prefix}/app:1\"]\n"),
        ),
    ]);
    let out = adf_engine(
        dir.path(),
        &[
            "build",
            "--build-flag",
            &format!("--build-arg HF_TOKEN={value}"),
            "--build-flag",
            "--build-arg=MIRROR=https://bob:pa55word@mirror.example/simple",
        ],
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    let log = std::fs::read_to_string(dir.path().join(".adf/logs/app.log")).expect("log");
    assert!(log.contains("HF_TOKEN=***"), "{log}");
    assert!(log.contains("bob:***@mirror.example"), "{log}");
    for leak in [value.as_str(), "pa55word"] {
        assert!(!log.contains(leak), "{leak} in the log:\n{log}");
        assert!(!out.stderr.contains(leak) && !out.stdout.contains(leak));
    }
    cleanup(&prefix);
}

fn one_image(prefix: &str) -> tempfile::TempDir {
    project(&[
        ("Dockerfile", &format!("FROM {FIXTURE_BASE}\nCOPY f /f\n")),
        ("f", "1\n"),
        (
            "dockerfile-compose.yaml",
            &format!(
                "images:\n  app:\n    build: {{context: .}}\n    tags: [\"{prefix}/app:1\"]\n"
            ),
        ),
    ])
}

/// A planted `.adf/logs/app.log -> victim`, or a `.adf` that links elsewhere: refused before
/// anything runs, and nothing is written through the link.
#[test]
fn adf_never_writes_through_a_planted_link() {
    engine();
    let prefix = unique("planted");
    let dir = one_image(&prefix);
    let outside = tempfile::tempdir().expect("tmp");
    let victim = outside.path().join("victim");
    std::fs::write(&victim, "keep\n").expect("write");
    std::fs::create_dir_all(dir.path().join(".adf/logs")).expect("mkdir");
    std::os::unix::fs::symlink(&victim, dir.path().join(".adf/logs/app.log")).expect("link");
    for args in [&["build"][..], &["plan"], &["check"], &["verify"]] {
        let out = adf_engine(dir.path(), args);
        assert_eq!(out.code, 2, "{args:?}: {}", out.stderr);
        assert!(
            out.stderr.contains("[unsafe-state]"),
            "{args:?}: {}",
            out.stderr
        );
        assert!(
            out.stderr.contains("app.log is a symbolic link"),
            "{}",
            out.stderr
        );
    }
    assert_eq!(std::fs::read_to_string(&victim).expect("read"), "keep\n");
    assert!(
        image_id(&format!("{prefix}/app:1")).is_none(),
        "nothing was built"
    );
    // `.adf` itself a link to another directory
    std::fs::remove_dir_all(dir.path().join(".adf")).expect("rm");
    std::os::unix::fs::symlink(outside.path(), dir.path().join(".adf")).expect("link");
    let out = adf_engine(dir.path(), &["build"]);
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(
        out.stderr.contains(".adf is a symbolic link"),
        "{}",
        out.stderr
    );
    let written: Vec<_> = std::fs::read_dir(outside.path())
        .expect("dir")
        .flatten()
        .map(|e| e.file_name())
        .collect();
    assert_eq!(written, [std::ffi::OsString::from("victim")]);
    cleanup(&prefix);
}

/// The hash caches are optional: a `.adf/cache` adf cannot write (here a file where the
/// directory should be) is a warning, and the build goes on.
#[test]
fn an_unwritable_cache_is_a_warning_not_a_failure() {
    engine();
    let prefix = unique("nocache");
    let dir = one_image(&prefix);
    std::fs::create_dir_all(dir.path().join(".adf")).expect("mkdir");
    std::fs::write(dir.path().join(".adf/cache"), "not a directory").expect("write");
    // files changed within the last 2 s (by mtime or ctime) are not cached: let them settle
    std::thread::sleep(std::time::Duration::from_millis(2200));
    let out = adf_engine(dir.path(), &["build", "--format", "json"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(statuses(&out).get("app").map(String::as_str), Some("built"));
    assert!(
        out.stderr.contains("hash cache") && out.stderr.contains("not written"),
        "{}",
        out.stderr
    );
    cleanup(&prefix);
}

/// A build whose output holds terminal escape sequences (clear screen, set title): adf shows
/// the failing step's lines escaped, never raw.
#[test]
fn build_output_reaches_the_terminal_escaped() {
    engine();
    let prefix = unique("escapes");
    let dir = project(&[
        (
            "Dockerfile",
            &format!("FROM {FIXTURE_BASE}\nRUN printf 'x\\033[2J\\033]0;pwned\\007y\\n'; exit 3\n"),
        ),
        (
            "dockerfile-compose.yaml",
            &format!("build_flags: [--network, host]\nimages:\n  app:\n    build: {{context: .}}\n    tags: [\"{prefix}/app:1\"]\n"),
        ),
    ]);
    let out = adf_engine(dir.path(), &["build"]);
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(
        out.stderr.contains("pwned"),
        "the failing step's output is shown: {}",
        out.stderr
    );
    assert!(
        !out.stderr.contains('\u{1b}'),
        "raw escape: {:?}",
        out.stderr
    );
    assert!(!out.stderr.contains('\u{7}'), "raw bell: {:?}", out.stderr);
    cleanup(&prefix);
}
