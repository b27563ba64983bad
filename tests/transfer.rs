//! `adf save`, `adf load` and `adf login` against the real engine and a real htpasswd registry
//! on 127.0.0.1:5101 (scripts/engine.sh). Every login test has its own DOCKER_CONFIG.

mod common;

use common::{
    adf_engine, adf_stdin, cleanup, docker, docker_out, engine, engine_sh, image_id, project,
    unique, Output,
};
use std::path::Path;

/// Removes a test's tags when it ends, passed or not.
struct Tags(String);

impl Drop for Tags {
    fn drop(&mut self) {
        cleanup(&self.0);
    }
}

/// A tiny image of the test's own (distinct content, so a distinct ID), tagged `PREFIX:1`.
fn build_image(prefix: &str) -> (String, String) {
    let dockerfile = format!("FROM adf-fixture/busybox:1\nRUN echo {prefix} > /id\n");
    let ctx = project(&[("Dockerfile", &dockerfile)]);
    let tag = format!("{prefix}:1");
    let path = ctx.path().to_str().expect("utf-8 temp path");
    docker_out(&["build", "-q", "--network", "host", "-t", &tag, path]);
    let id = image_id(&tag).expect("the image was built");
    (tag, id)
}

fn files_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .expect("read dir")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

fn show(out: &Output) -> String {
    format!(
        "exit {}\n--- stdout\n{}--- stderr\n{}",
        out.code, out.stdout, out.stderr
    )
}

/// The RepoTags of a docker-archive tar's manifest.json.
fn repo_tags(tar_path: &Path) -> Vec<String> {
    let mut archive = tar::Archive::new(std::fs::File::open(tar_path).expect("open tar"));
    for entry in archive.entries().expect("tar entries") {
        let mut entry = entry.expect("tar entry");
        if entry.path().expect("entry path").to_str() == Some("manifest.json") {
            let v: serde_json::Value = serde_json::from_reader(&mut entry).expect("manifest json");
            let mut tags: Vec<String> = v
                .as_array()
                .expect("manifest is a list")
                .iter()
                .flat_map(|m| m["RepoTags"].as_array().cloned().unwrap_or_default())
                .filter_map(|t| t.as_str().map(str::to_string))
                .collect();
            tags.sort();
            return tags;
        }
    }
    panic!("no manifest.json in {}", tar_path.display());
}

/// save → check the format → rmi → load → the tag is back on the same image ID.
fn round_trip(name: &str, file: &str, is_format: fn(&[u8]) -> bool) {
    engine();
    let prefix = unique(name);
    let _tags = Tags(prefix.clone());
    let (tag, id) = build_image(&prefix);
    let dir = tempfile::tempdir().expect("tempdir");

    let out = adf_engine(dir.path(), &["save", &tag, "-o", file]);
    assert_eq!(out.code, 0, "{}", show(&out));
    let said = format!("adf: saved 1 image (1 tag) to {file}: ");
    assert!(out.stderr.starts_with(&said), "{}", show(&out));
    assert_eq!(files_in(dir.path()), [file], "only the archive is left");
    let bytes = std::fs::read(dir.path().join(file)).expect("archive written");
    assert!(is_format(&bytes), "{file} starts with {:02x?}", &bytes[..8]);

    docker_out(&["rmi", &tag]);
    assert_eq!(image_id(&tag), None, "{tag} was removed");
    let out = adf_engine(dir.path(), &["load", "-i", file]);
    assert_eq!(out.code, 0, "{}", show(&out));
    assert!(
        out.stdout
            .lines()
            .any(|l| l == format!("Loaded image: {tag}")),
        "{}",
        show(&out)
    );
    assert_eq!(
        image_id(&tag),
        Some(id),
        "same image ID after the round trip"
    );
}

#[test]
fn save_and_load_a_plain_tar() {
    round_trip("rt-tar", "img.tar", |b| {
        b.len() > 262 && &b[257..262] == b"ustar" && !b.starts_with(&[0x1f, 0x8b])
    });
}

#[test]
fn save_and_load_a_gzip_tar() {
    round_trip("rt-gz", "img.tar.gz", |b| b.starts_with(&[0x1f, 0x8b]));
}

#[test]
fn save_and_load_a_zstd_tar() {
    round_trip("rt-zst", "img.tar.zst", |b| {
        b.starts_with(&[0x28, 0xb5, 0x2f, 0xfd])
    });
}

#[test]
fn save_of_a_file_image_saves_all_its_tags() {
    engine();
    let prefix = unique("save-config");
    let _tags = Tags(prefix.clone());
    let (a, b) = (format!("{prefix}/app:a"), format!("{prefix}/app:b"));
    for t in [&a, &b] {
        docker_out(&["tag", "adf-fixture/busybox:1", t]);
    }
    let yaml =
        format!("images:\n  app:\n    build: {{context: .}}\n    tags: [\"{a}\", \"{b}\"]\n");
    let dir = project(&[
        ("dockerfile-compose.yaml", &yaml),
        ("Dockerfile", "FROM adf-fixture/busybox:1\n"),
    ]);

    let out = adf_engine(dir.path(), &["save", "app", "-o", "app.tar"]);
    assert_eq!(out.code, 0, "{}", show(&out));
    assert!(
        out.stderr
            .starts_with("adf: saved 1 image (2 tags) to app.tar: "),
        "{}",
        show(&out)
    );
    assert_eq!(
        repo_tags(&dir.path().join("app.tar")),
        [a.clone(), b.clone()]
    );

    // with -f from elsewhere, mixed with a docker reference
    let elsewhere = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("dockerfile-compose.yaml");
    let file = file.to_str().expect("utf-8 temp path");
    let args = [
        "-f",
        file,
        "save",
        "app",
        "adf-fixture/busybox:1",
        "-o",
        "x.tar",
    ];
    let out = adf_engine(elsewhere.path(), &args);
    assert_eq!(out.code, 0, "{}", show(&out));
    assert!(
        out.stderr.contains("saved 1 image (3 tags)"),
        "{}",
        show(&out)
    );
    let mut want = vec![a, b, "adf-fixture/busybox:1".to_string()];
    want.sort();
    assert_eq!(repo_tags(&elsewhere.path().join("x.tar")), want);
}

#[test]
fn save_never_reads_the_built_in_catalog() {
    engine();
    let dir = tempfile::tempdir().expect("tempdir");
    // an image of the built-in catalog, not built here
    let out = adf_engine(dir.path(), &["save", "python-3.11", "-o", "x.tar"]);
    assert_eq!(out.code, 2, "{}", show(&out));
    assert!(
        out.stderr.contains("no such image in docker: python-3.11;"),
        "{}",
        show(&out)
    );
    assert!(!out.stderr.contains("catalog"), "{}", show(&out));
    assert!(files_in(dir.path()).is_empty());
}

#[test]
fn save_with_a_missing_image_writes_nothing() {
    engine();
    let missing = format!("{}:1", unique("missing"));
    let dir = tempfile::tempdir().expect("tempdir");
    let args = [
        "save",
        "adf-fixture/busybox:1",
        &missing,
        "-o",
        "out.tar.zst",
    ];
    let out = adf_engine(dir.path(), &args);
    assert_eq!(out.code, 2, "{}", show(&out));
    let said = format!("adf: error: no such image in docker: {missing}; nothing was written\n");
    assert!(out.stderr.starts_with(&said), "{}", show(&out));
    assert!(
        files_in(dir.path()).is_empty(),
        "{:?}",
        files_in(dir.path())
    );
}

#[test]
fn save_refuses_an_unknown_extension() {
    engine();
    let dir = tempfile::tempdir().expect("tempdir");
    for name in ["out.zip", "out.tar.xz", "out"] {
        let out = adf_engine(dir.path(), &["save", "adf-fixture/busybox:1", "-o", name]);
        assert_eq!(out.code, 2, "{}", show(&out));
        let said = format!("adf: error: {name}: unknown archive type (accepted: .tar, .tar.gz (.tgz) or .tar.zst (.tzst))");
        assert!(out.stderr.starts_with(&said), "{}", show(&out));
    }
    assert!(files_in(dir.path()).is_empty());
}

#[test]
fn load_of_a_missing_file_is_bad_input() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = adf_engine(dir.path(), &["load", "-i", "nope.tar.zst"]);
    assert_eq!(out.code, 2, "{}", show(&out));
    assert!(
        out.stderr
            .starts_with("adf: error: nope.tar.zst: no such file"),
        "{}",
        show(&out)
    );
}

#[test]
fn load_of_a_damaged_archive_fails_clearly() {
    engine();
    let dir = tempfile::tempdir().expect("tempdir");
    let out = adf_engine(
        dir.path(),
        &["save", "adf-fixture/busybox:1", "-o", "f.tar.gz"],
    );
    assert_eq!(out.code, 0, "{}", show(&out));
    let whole = std::fs::read(dir.path().join("f.tar.gz")).expect("archive");
    std::fs::write(dir.path().join("cut.tar.gz"), &whole[..whole.len() / 2]).expect("write");
    std::fs::write(dir.path().join("junk.tar"), "not an archive\n").expect("write");
    std::fs::write(dir.path().join("empty.tar"), "").expect("write");

    let out = adf_engine(dir.path(), &["load", "-i", "cut.tar.gz"]);
    assert_eq!(out.code, 1, "{}", show(&out));
    let said = "adf: error: cut.tar.gz: corrupt archive: not a valid gzip stream";
    assert!(out.stderr.starts_with(said), "{}", show(&out));
    let out = adf_engine(dir.path(), &["load", "-i", "junk.tar"]);
    assert_eq!(out.code, 1, "{}", show(&out));
    assert!(
        out.stderr.starts_with("adf: error: docker load failed: "),
        "{}",
        show(&out)
    );
    let out = adf_engine(dir.path(), &["load", "-i", "empty.tar"]);
    assert_eq!(out.code, 1, "{}", show(&out));
    assert!(
        out.stderr
            .contains("empty.tar: corrupt archive: the file is empty"),
        "{}",
        show(&out)
    );
}

// ---- login ----------------------------------------------------------------------------------

const REGISTRY: &str = "127.0.0.1:5101";
const PASSWORD: &str = "s3cret-pw";
/// base64("alice:s3cret-pw"), as docker stores it.
const AUTH: &str = "YWxpY2U6czNjcmV0LXB3";

fn auth_registry() {
    static UP: std::sync::Once = std::sync::Once::new();
    UP.call_once(|| {
        engine();
        engine_sh(&["registry", "5101", "--auth", "alice:s3cret-pw"]);
    });
}

/// `adf ARGS` with `input` on stdin and a private DOCKER_CONFIG.
fn login(config: &Path, args: &[&str], input: &str) -> Output {
    let config = config.to_str().expect("utf-8 temp path");
    let env = [
        ("ADF_DOCKER", docker()),
        ("DOCKER_CONFIG", config.to_string()),
    ];
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    adf_stdin(Path::new(config), args, &env, input.as_bytes())
}

fn stored_auth(config: &Path) -> Option<String> {
    let text = std::fs::read_to_string(config.join("config.json")).ok()?;
    let v: serde_json::Value = serde_json::from_str(&text).ok()?;
    v["auths"][REGISTRY]["auth"].as_str().map(str::to_string)
}

fn assert_not_echoed(out: &Output, secret: &str) {
    assert!(
        !out.stdout.contains(secret) && !out.stderr.contains(secret),
        "the password was echoed:\n{}",
        show(out)
    );
}

#[test]
fn login_with_the_right_password_stores_credentials() {
    auth_registry();
    let config = tempfile::tempdir().expect("tempdir");
    let args = ["login", REGISTRY, "-u", "alice", "--password-stdin"];
    // one trailing newline, as `echo "$PW" |` gives, is not part of the password
    let out = login(config.path(), &args, &format!("{PASSWORD}\n"));
    assert_eq!(out.code, 0, "{}", show(&out));
    assert_eq!(
        out.stderr,
        format!("adf: logged in to {REGISTRY} as alice\n")
    );
    assert_eq!(out.stdout, "");
    assert_not_echoed(&out, PASSWORD);
    assert_eq!(stored_auth(config.path()).as_deref(), Some(AUTH));
}

#[test]
fn login_with_a_wrong_password_is_refused_without_echo() {
    auth_registry();
    let config = tempfile::tempdir().expect("tempdir");
    let wrong = "wr0ng-Passw0rd-7731";
    let args = ["login", REGISTRY, "-u", "alice", "--password-stdin"];
    let out = login(config.path(), &args, wrong);
    assert_eq!(out.code, 1, "{}", show(&out));
    let said = format!("adf: error: login to {REGISTRY} failed: the registry refused the user name or password (user `alice`)");
    assert!(out.stderr.starts_with(&said), "{}", show(&out));
    assert!(out.stderr.contains("401 Unauthorized"), "{}", show(&out));
    assert_not_echoed(&out, wrong);
    assert_eq!(stored_auth(config.path()), None);
}

#[test]
fn login_to_an_unreachable_registry_says_so() {
    engine();
    let config = tempfile::tempdir().expect("tempdir");
    // port 1 on loopback: nothing listens, the connection is refused at once
    let args = ["login", "127.0.0.1:1", "-u", "alice", "--password-stdin"];
    let out = login(config.path(), &args, "whatever-pw-5532");
    assert_eq!(out.code, 1, "{}", show(&out));
    let said = "adf: error: login to 127.0.0.1:1 failed: the registry is unreachable";
    assert!(out.stderr.starts_with(said), "{}", show(&out));
    assert!(out.stderr.contains("connection refused"), "{}", show(&out));
    assert_not_echoed(&out, "whatever-pw-5532");
}

#[test]
fn login_refuses_a_password_on_the_command_line() {
    let config = tempfile::tempdir().expect("tempdir");
    let secret = "hunter2-on-the-cmdline";
    for args in [
        vec!["login", REGISTRY, "-u", "alice", "-p", secret],
        vec![
            "login",
            REGISTRY,
            "-u",
            "alice",
            "--password",
            secret,
            "--password-stdin",
        ],
        vec![
            "login",
            REGISTRY,
            "-u",
            "alice",
            &format!("--password={secret}"),
        ],
    ] {
        let out = login(config.path(), &args, PASSWORD);
        assert_eq!(out.code, 2, "{}", show(&out));
        assert!(
            out.stderr.starts_with("adf: error: a password on the command line leaks into shell history and `ps`; use --password-stdin"),
            "{}",
            show(&out)
        );
        assert_not_echoed(&out, secret);
    }
    assert_eq!(stored_auth(config.path()), None);
}

#[test]
fn login_without_password_stdin_explains_how() {
    let config = tempfile::tempdir().expect("tempdir");
    let out = login(config.path(), &["login", REGISTRY, "-u", "alice"], PASSWORD);
    assert_eq!(out.code, 2, "{}", show(&out));
    assert!(
        out.stderr
            .starts_with("adf: error: adf reads the password only from standard input"),
        "{}",
        show(&out)
    );
    let example = format!("printf '%s' \"$PW\" | adf login {REGISTRY} -u alice --password-stdin");
    assert!(out.stderr.contains(&example), "{}", show(&out));
    assert_eq!(stored_auth(config.path()), None);
}

#[test]
fn login_refuses_an_empty_password() {
    let config = tempfile::tempdir().expect("tempdir");
    let args = ["login", REGISTRY, "-u", "alice", "--password-stdin"];
    for input in ["", "\n"] {
        let out = login(config.path(), &args, input);
        assert_eq!(out.code, 2, "{}", show(&out));
        assert!(
            out.stderr
                .starts_with("adf: error: the password on standard input is empty"),
            "{}",
            show(&out)
        );
    }
}
