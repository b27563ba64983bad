//! Hostile and careless input, one regression test per item of the fault campaign: each ends in
//! exit 2 with a diagnostic that says what to do, never a panic, a wrong build or a leak.

mod common;
use common::{adf, project};

const DF: &str = "ARG BASE_IMAGE=scratch\nFROM ${BASE_IMAGE}\nARG PYTHON_VERSION\n";

fn check(yaml: &str) -> common::Output {
    let dir = project(&[("dockerfile-compose.yaml", yaml), ("Dockerfile", DF)]);
    adf(dir.path(), &["check"])
}

/// Exit 2, the diagnostic `code`, and every one of `words` in stderr; no panic.
fn refused(out: &common::Output, code: &str, words: &[&str]) {
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(!out.stderr.contains("panicked"), "{}", out.stderr);
    assert!(
        out.stderr.contains(&format!("[{code}]")),
        "{code}: {}",
        out.stderr
    );
    for w in words {
        assert!(out.stderr.contains(w), "`{w}` missing: {}", out.stderr);
    }
}

fn image(args: &str) -> String {
    format!("images:\n  a:\n    build: {{context: ., {args}}}\n    tags: [x/a:1]\n")
}

#[test]
fn secret_names_and_credential_values_in_args_and_labels_are_refused() {
    let ghp = format!("ghp_{}", "x7".repeat(18));
    for (args, words) in [
        ("args: {HF_TOKEN: abc}", vec!["`HF_TOKEN`", "secrets:"]),
        ("args: {MYSQL_ROOT_PASSWORD: hunter2}", vec!["is a secret"]),
        ("args: {OPENAI_API_KEY: x}", vec!["is a secret"]),
        ("labels: {com.example.credentials: x}", vec!["label"]),
        // resolved from the environment, it still lands in the image's history
        (
            "args: {HF_TOKEN: \"${HF_TOKEN:-}\"}",
            vec!["resolved when adf runs"],
        ),
        (
            &format!("args: {{REPO_URL: \"https://{ghp}@github.com/o/r\"}}"),
            vec!["credential"],
        ),
        (
            &format!("args: {{GIT_AUTH: \"{ghp}\"}}"),
            vec!["an access token"],
        ),
        (
            "args: {PROXY: \"user:pw@proxy:3128\"}",
            vec!["user:password"],
        ),
    ] {
        let out = check(&image(args));
        refused(&out, "credentials-in-arg", &words);
        assert!(
            out.stderr.contains("dockerfile-compose.yaml:3:"),
            "{}",
            out.stderr
        );
    }
    // not secrets: a name that only starts with a secret word, an empty value, a digest pin
    let out = check(&image(
        "args: {TOKENIZERS_VERSION: \"0.19\", HF_TOKEN: \"\", BASE_IMAGE: \"x/b:1@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\"}",
    ));
    assert!(!out.stderr.contains("credentials-in-arg"), "{}", out.stderr);
}

#[test]
fn build_flags_that_take_over_what_adf_manages_are_refused() {
    for flag in [
        "--tag x/y:1",
        "-t x/y:1",
        "--output=type=local,dest=/tmp/x",
        "-o /tmp/x",
        "--push",
        "--load",
        "--iidfile=/tmp/i",
        "--file other.Dockerfile",
        "--platform=linux/arm64",
        "--metadata-file m.json",
    ] {
        let yaml = format!("build_flags: [\"{flag}\"]\n{}", image("args: {}"));
        refused(
            &check(&yaml),
            "managed-flag",
            &["overrides what adf manages"],
        );
    }
    let yaml = "images:\n  a:\n    build: {context: .}\n    build_flags: [\"--network host\", \"-tfoo\"]\n    tags: [x/a:1]\n";
    refused(&check(yaml), "managed-flag", &["`tags:`"]);
    // on the command line too, before anything is loaded or built
    let dir = project(&[
        ("dockerfile-compose.yaml", &image("args: {}")),
        ("Dockerfile", DF),
    ]);
    let out = adf(dir.path(), &["build", "--build-flag=--push"]);
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(out.stderr.contains("adf push"), "{}", out.stderr);
}

#[test]
fn image_names_after_the_matrix_are_plain() {
    let yaml = "images:\n  \"app-${v}\":\n    matrix: {v: [\"1\", \"../../x\"]}\n    build: {context: .}\n    tags: [\"x/a:${v}1\"]\n";
    let out = check(yaml);
    refused(&out, "bad-image-name", &["app-../../x", "v=../../x"]);
    // control characters never reach the terminal raw
    let out = check("images:\n  \"a\\e[2Jb\":\n    build: {context: .}\n    tags: [x/a:1]\n");
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(!out.stderr.contains('\u{1b}'), "{:?}", out.stderr);
}

#[test]
fn paths_outside_the_project_need_allow_outside() {
    let outside = tempfile::tempdir().expect("tmp");
    std::fs::write(outside.path().join("Dockerfile"), DF).expect("write");
    std::fs::write(outside.path().join("shadow.run"), "x").expect("write");
    let o = outside.path().display();
    let dir = project(&[("Dockerfile", DF), ("sub/keep", "")]);
    std::os::unix::fs::symlink(outside.path(), dir.path().join("link")).expect("symlink");
    for (build, what) in [
        (format!("{{context: {o}}}"), "the build context"),
        (
            "{context: .., dockerfile: Dockerfile}".to_string(),
            "the build context",
        ),
        (
            "{context: ., dockerfile: link/Dockerfile}".to_string(),
            "the Dockerfile",
        ),
        (
            "{context: sub, dockerfile: ../../x/Dockerfile}".to_string(),
            "the Dockerfile",
        ),
    ] {
        let yaml = format!("images:\n  a:\n    build: {build}\n    tags: [x/a:1]\n");
        std::fs::write(dir.path().join("dockerfile-compose.yaml"), &yaml).expect("write");
        let out = adf(dir.path(), &["check"]);
        refused(&out, "path-outside", &[what, "allow_outside: true"]);
    }
    let yaml = "images:\n  a:\n    build: {context: .}\n    installers: [{path: link/shadow.run}]\n    tags: [x/a:1]\n";
    std::fs::write(dir.path().join("dockerfile-compose.yaml"), yaml).expect("write");
    refused(
        &adf(dir.path(), &["check"]),
        "path-outside",
        &["an installer"],
    );
    // opting in, per image and per installer
    let yaml = format!("images:\n  a:\n    allow_outside: true\n    build: {{context: {o}}}\n    installers: [{{path: link/shadow.run, allow_outside: true}}]\n    tags: [x/a:1]\n");
    std::fs::write(dir.path().join("dockerfile-compose.yaml"), &yaml).expect("write");
    let out = adf(dir.path(), &["check"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
}

#[test]
fn nesting_and_matrix_products_are_capped() {
    let deep = format!("{}x{}", "${N:-".repeat(50_000), "}".repeat(50_000));
    let yaml = format!("images:\n  a:\n    build: {{context: .}}\n    tags: [\"x/a:{deep}\"]\n");
    refused(&check(&yaml), "interpolation", &["deeper than"]);
    let axis = (0..40)
        .map(|i| format!("\"{i}\""))
        .collect::<Vec<_>>()
        .join(", ");
    let yaml = format!("images:\n  \"a-${{x}}-${{y}}\":\n    matrix: {{x: [{axis}], y: [{axis}]}}\n    build: {{context: .}}\n    tags: [\"x/a:${{x}}-${{y}}\"]\n");
    refused(
        &check(&yaml),
        "matrix-too-large",
        &["1600 images", "40 x 40"],
    );
}

#[test]
fn numeric_flags_are_range_checked() {
    let dir = project(&[
        ("dockerfile-compose.yaml", &image("args: {}")),
        ("Dockerfile", DF),
    ]);
    for args in [
        &["push", "--retry-delay", "1e30"][..],
        &["push", "--retry-delay", "-1"],
        &["push", "--retry-delay", "NaN"],
        &["push", "--retries", "4294967295"],
        &["verify", "--timeout", "18446744073709551615"],
        &["build", "-j", "0"],
        &["build", "-j", "100000"],
    ] {
        let out = adf(dir.path(), args);
        assert_eq!(out.code, 2, "{args:?}: {}", out.stderr);
        assert!(!out.stderr.contains("panicked"), "{args:?}: {}", out.stderr);
    }
}

#[test]
fn misleading_messages_are_fixed() {
    // a chain of variables longer than 16 is no cycle; a real cycle is named as one
    let mut vars: Vec<String> = (0..20)
        .map(|i| format!("V{i}: \"${{V{}}}\"", i + 1))
        .collect();
    vars.push("V20: end".into());
    let yaml = format!(
        "variables: {{{}}}\nimages:\n  a:\n    build: {{context: .}}\n    tags: [\"x/a:${{V0}}\"]\n",
        vars.join(", ")
    );
    let out = check(&yaml);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let yaml = "variables: {A: \"${B}\", B: \"${A}\"}\nimages:\n  a:\n    build: {context: .}\n    tags: [\"x/a:${A}\"]\n";
    refused(&check(yaml), "interpolation", &["A -> B -> A"]);
    // `<<` of a list that holds something else than mappings
    let yaml =
        "x-s: &s [a, b]\nimages:\n  a:\n    <<: *s\n    build: {context: .}\n    tags: [x/a:1]\n";
    refused(&check(yaml), "yaml-merge", &["list of mappings"]);
    // a UTF-8 byte order mark is no part of the first key
    let out = check(&format!("\u{feff}{}", image("args: {}")));
    assert_eq!(out.code, 0, "{}", out.stderr);
    // a .dockerignore pattern plan would refuse: check refuses it too
    let dir = project(&[
        ("dockerfile-compose.yaml", &image("args: {}")),
        ("Dockerfile", DF),
        (".dockerignore", "ok\n[\n"),
    ]);
    refused(
        &adf(dir.path(), &["check"]),
        "bad-dockerignore",
        &["line 2", "`[`"],
    );
    // build-arg and label keys are names: an error, not an unused-arg warning
    refused(
        &check(&image("args: {\"A=B\": x}")),
        "bad-arg-name",
        &["`A=B`"],
    );
    refused(
        &check(&image("labels: {\"\": x}")),
        "bad-arg-name",
        &["label key ``"],
    );
}

/// Runs adf in `dir` and kills it after `secs`: a hang is a failure, not a stuck test run.
fn adf_within(dir: &std::path::Path, args: &[&str], secs: u64) -> common::Output {
    use std::io::Read;
    let mut child = std::process::Command::new(common::adf_bin())
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env("ADF_DOCKER", common::docker())
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("adf runs");
    let start = std::time::Instant::now();
    let status = loop {
        if let Some(st) = child.try_wait().expect("wait") {
            break st;
        }
        if start.elapsed() > std::time::Duration::from_secs(secs) {
            let _ = child.kill();
            let _ = child.wait();
            panic!("adf {args:?} still runs after {secs} s");
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    };
    let (mut stdout, mut stderr) = (String::new(), String::new());
    child
        .stdout
        .take()
        .map(|mut s| s.read_to_string(&mut stdout));
    child
        .stderr
        .take()
        .map(|mut s| s.read_to_string(&mut stderr));
    common::Output {
        code: status.code().unwrap_or(-1),
        stdout,
        stderr,
    }
}

fn mkfifo(path: &std::path::Path) {
    let st = std::process::Command::new("mkfifo")
        .arg(path)
        .status()
        .expect("mkfifo");
    assert!(st.success());
}

#[test]
fn only_regular_files_are_read_and_sizes_are_capped() {
    let dir = project(&[("Dockerfile", DF), ("rules.toml", "")]);
    let d = dir.path();
    mkfifo(&d.join("fifo.yaml"));
    mkfifo(&d.join("Fifo.dockerfile"));
    mkfifo(&d.join("installer.run"));
    mkfifo(&d.join("rules.fifo"));
    std::fs::create_dir(d.join("Dir.dockerfile")).expect("mkdir");
    // a config that is a FIFO, a device, a directory, too large
    for (file, words) in [
        ("fifo.yaml", vec!["fifo.yaml is a FIFO", "[not-a-file]"]),
        ("/dev/zero", vec!["/dev/zero is a device"]),
        (".", vec!["is a directory"]),
    ] {
        let out = adf_within(d, &["-f", file, "check"], 10);
        assert_eq!(out.code, 2, "{file}: {}", out.stderr);
        for w in words {
            assert!(out.stderr.contains(w), "{file}: {w}: {}", out.stderr);
        }
    }
    let big = format!("images: {{}}\n{}", "# padding\n".repeat(2 << 20));
    std::fs::write(d.join("big.yaml"), big).expect("write");
    let out = adf_within(d, &["-f", "big.yaml", "check"], 10);
    refused(
        &out,
        "file-too-large",
        &["big.yaml is 21 MB, more than the 16 MB adf reads"],
    );
    // Dockerfiles: a directory is no longer "does not exist"; a FIFO does not hang check
    for (df, words) in [
        ("Dir.dockerfile", vec!["is a directory, not a file"]),
        (
            "Fifo.dockerfile",
            vec!["is a FIFO (named pipe), not a file"],
        ),
    ] {
        let yaml = format!(
            "images:\n  a:\n    build: {{context: ., dockerfile: {df}}}\n    tags: [x/a:1]\n"
        );
        std::fs::write(d.join("dockerfile-compose.yaml"), yaml).expect("write");
        for args in [&["check"][..], &["plan", "--no-engine"]] {
            refused(&adf_within(d, args, 10), "not-a-file", &words);
        }
    }
    std::fs::write(d.join("Huge.dockerfile"), "# x\n".repeat(1_200_000)).expect("write");
    let yaml =
        "images:\n  a:\n    build: {context: ., dockerfile: Huge.dockerfile}\n    tags: [x/a:1]\n";
    std::fs::write(d.join("dockerfile-compose.yaml"), yaml).expect("write");
    refused(
        &adf_within(d, &["check"], 10),
        "file-too-large",
        &["Huge.dockerfile"],
    );
    // an installer or a rules file that is a FIFO
    let yaml = "compat_rules: [rules.fifo]\nimages:\n  a:\n    build: {context: .}\n    installers: [{path: installer.run, sha256: 0000000000000000000000000000000000000000000000000000000000000000}]\n    tags: [x/a:1]\n";
    std::fs::write(d.join("dockerfile-compose.yaml"), yaml).expect("write");
    let out = adf_within(d, &["check"], 10);
    refused(
        &out,
        "not-a-file",
        &["installer installer.run of image `a` is a FIFO"],
    );
    assert!(
        out.stderr.contains("rules.fifo is a FIFO"),
        "{}",
        out.stderr
    );
    // adf load reads a regular archive only
    let out = adf_within(d, &["load", "-i", "installer.run"], 10);
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(out.stderr.contains("is a FIFO"), "{}", out.stderr);
    let out = adf_within(d, &["load", "-i", "/dev/zero"], 10);
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(out.stderr.contains("is a device"), "{}", out.stderr);
}

#[test]
fn init_replaces_a_planted_link_instead_of_writing_through_it() {
    let dir = tempfile::tempdir().expect("tmp");
    let victim = dir.path().join("victim");
    std::fs::write(&victim, "keep\n").expect("write");
    let dest = dir.path().join("stack");
    std::fs::create_dir(&dest).expect("mkdir");
    std::os::unix::fs::symlink(&victim, dest.join("dockerfile-compose.yaml")).expect("link");
    let out = adf(dir.path(), &["init", "--force", "stack"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(std::fs::read_to_string(&victim).expect("read"), "keep\n");
    let written = dest.join("dockerfile-compose.yaml");
    assert!(!std::fs::symlink_metadata(&written)
        .expect("stat")
        .file_type()
        .is_symlink());
    assert!(std::fs::read_to_string(&written)
        .expect("read")
        .contains("images:"));
}
