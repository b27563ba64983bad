//! `adf push` against a real registry on 127.0.0.1: parents first, digest skip, the verify
//! gate, retries while the registry is down.

mod common;

use common::*;
use serde_json::Value;

/// A fresh, empty registry on 127.0.0.1:PORT.
fn fresh_registry(port: u16) {
    let port = port.to_string();
    engine_sh(&["registry-stop", &port, "--purge"]);
    engine_sh(&["registry", &port]);
}

const CHILD: &str =
    "ARG BASE_IMAGE\nFROM ${BASE_IMAGE}\nARG LAYER\nRUN echo ${LAYER} > /layer-${LAYER}\n";

fn chain(prefix: &str, leaf_expect: &str) -> String {
    [
        "build_flags: [--network, host]".to_string(),
        "images:".into(),
        "  base:".into(),
        "    build: {context: ., dockerfile: Dockerfile, args: {BASE_IMAGE: adf-fixture/busybox:1, LAYER: base}}".into(),
        format!("    tags: [\"{prefix}/base:1\", \"{prefix}/base:latest\"]"),
        "    verify: [{name: layer, run: cat /layer-base, expect: base}]".into(),
        "  mid:".into(),
        "    depends_on: [base]".into(),
        "    build: {context: ., dockerfile: Dockerfile, args: {LAYER: mid}}".into(),
        format!("    tags: [\"{prefix}/mid:1\"]"),
        "  leaf:".into(),
        "    depends_on: [mid]".into(),
        "    build: {context: ., dockerfile: Dockerfile, args: {LAYER: leaf}}".into(),
        format!("    tags: [\"{prefix}/leaf:1\"]"),
        format!("    verify: [{{name: layer, run: cat /layer-leaf, expect: \"{leaf_expect}\"}}]"),
    ]
    .join("\n")
        + "\n"
}

fn manifest(out: &Output) -> Vec<Value> {
    serde_json::from_str::<Value>(&out.stdout)
        .unwrap_or_else(|e| panic!("json ({e}): {}\n{}", out.stdout, out.stderr))
        .as_array()
        .cloned()
        .expect("a list")
}

#[test]
fn push_chain_parents_first_then_skip_and_gate() {
    engine();
    const PORT: u16 = 5002;
    fresh_registry(PORT);
    let prefix = unique("push");
    let ns = format!("chain{}", std::process::id());
    let to = format!("127.0.0.1:{PORT}/{ns}");
    let dir = project(&[
        ("dockerfile-compose.yaml", &chain(&prefix, "leaf")),
        ("Dockerfile", CHILD),
    ]);

    // Not built yet: refused, nothing pushed.
    let p = adf_engine(dir.path(), &["push", "--to", &to]);
    assert_eq!(p.code, 1, "{}", p.stderr);
    assert!(
        p.stderr
            .contains("nothing pushed: 3 of 3 selected images cannot be published"),
        "{}",
        p.stderr
    );
    assert!(
        p.stderr.contains("base: not built from the current inputs"),
        "{}",
        p.stderr
    );

    let b = adf_engine(dir.path(), &["build"]);
    assert_eq!(b.code, 0, "{}", b.stderr);
    // Built but not verified: refused.
    let p = adf_engine(dir.path(), &["push", "--to", &to]);
    assert_eq!(p.code, 1);
    assert!(
        p.stderr
            .contains("leaf: not verified; run `adf verify --target leaf`"),
        "{}",
        p.stderr
    );
    let v = adf_engine(dir.path(), &["verify"]);
    assert_eq!(v.code, 0, "{}\n{}", v.stdout, v.stderr);

    let manifest_file = dir.path().join("pushed.json");
    let p = adf_engine(
        dir.path(),
        &["push", "--to", &to, "--manifest", "pushed.json"],
    );
    assert_eq!(p.code, 0, "{}\n{}", p.stdout, p.stderr);
    let list = manifest(&p);
    let refs: Vec<&str> = list
        .iter()
        .map(|e| e["reference"].as_str().unwrap())
        .collect();
    assert_eq!(
        refs,
        [
            format!("{to}/base:1"),
            format!("{to}/base:latest"),
            format!("{to}/mid:1"),
            format!("{to}/leaf:1")
        ],
        "parents first"
    );
    assert!(list.iter().all(|e| e["status"] == "pushed"), "{list:?}");
    let file: Vec<Value> =
        serde_json::from_str(&std::fs::read_to_string(&manifest_file).expect("manifest written"))
            .expect("json");
    assert_eq!(file, list);
    // The stderr lines show the order too.
    let pos = |s: &str| {
        p.stderr
            .find(&format!("{to}/{s} pushed"))
            .unwrap_or_else(|| panic!("{s}: {}", p.stderr))
    };
    assert!(
        pos("base:1") < pos("mid:1") && pos("mid:1") < pos("leaf:1"),
        "{}",
        p.stderr
    );

    // The registry's API shows each manifest with the digest adf reported.
    for e in &list {
        let reference = e["reference"].as_str().unwrap();
        let (repo, tag) = reference[format!("127.0.0.1:{PORT}/").len()..]
            .rsplit_once(':')
            .unwrap();
        let (status, digest, _) = registry_get(PORT, &format!("/v2/{repo}/manifests/{tag}"));
        assert_eq!(status, 200, "{reference}");
        assert_eq!(digest.as_deref(), e["digest"].as_str(), "{reference}");
    }
    let (_, _, tags) = registry_get(PORT, &format!("/v2/{ns}/base/tags/list"));
    assert!(
        tags.contains("\"1\"") && tags.contains("\"latest\""),
        "{tags}"
    );

    // A second push skips everything: the digests match.
    let again = adf_engine(dir.path(), &["push", "--to", &to]);
    assert_eq!(again.code, 0, "{}", again.stderr);
    let list2 = manifest(&again);
    assert!(
        list2.iter().all(|e| e["status"] == "unchanged"),
        "{list2:?}"
    );
    assert_eq!(
        list2.iter().map(|e| &e["digest"]).collect::<Vec<_>>(),
        list.iter().map(|e| &e["digest"]).collect::<Vec<_>>()
    );

    // One image fails verification: nothing at all is pushed to a new namespace.
    std::fs::write(
        dir.path().join("dockerfile-compose.yaml"),
        chain(&prefix, "something-else"),
    )
    .unwrap();
    let v = adf_engine(dir.path(), &["verify"]);
    assert_eq!(v.code, 1, "{}", v.stdout);
    let other = format!("127.0.0.1:{PORT}/other{}", std::process::id());
    let p = adf_engine(dir.path(), &["push", "--to", &other]);
    assert_eq!(p.code, 1, "{}\n{}", p.stdout, p.stderr);
    assert!(p.stderr.contains("nothing pushed: 1 of 3"), "{}", p.stderr);
    assert!(
        p.stderr.contains(
            "leaf: failed verification: verify: layer: output does not match /something-else/"
        ),
        "{}",
        p.stderr
    );
    let (_, _, catalog) = registry_get(PORT, "/v2/_catalog");
    assert!(!catalog.contains("other"), "{catalog}");
    // --no-verify drops that gate (never the build gate).
    let p = adf_engine(
        dir.path(),
        &["push", "--to", &other, "--no-verify", "--target", "mid"],
    );
    assert_eq!(p.code, 0, "{}", p.stderr);
    assert_eq!(manifest(&p).len(), 3, "base (2 tags) and mid");

    cleanup(&prefix);
    cleanup(&to);
    cleanup(&other);
}

#[test]
fn registry_down_retries_then_fails_and_rerun_completes() {
    engine();
    const PORT: u16 = 5003;
    fresh_registry(PORT);
    engine_sh(&["registry-stop", &PORT.to_string()]);
    let prefix = unique("retry");
    let to = format!("127.0.0.1:{PORT}/retry{}", std::process::id());
    let dir = project(&[
        ("dockerfile-compose.yaml", &chain(&prefix, "leaf")),
        ("Dockerfile", CHILD),
    ]);
    assert_eq!(adf_engine(dir.path(), &["build"]).code, 0);
    assert_eq!(adf_engine(dir.path(), &["verify"]).code, 0);

    // Down: two retries, then exit 1 with a clear error; nothing after base is tried.
    let p = adf_engine(
        dir.path(),
        &[
            "push",
            "--to",
            &to,
            "--retries",
            "2",
            "--retry-delay",
            "0.1",
        ],
    );
    assert_eq!(p.code, 1, "{}\n{}", p.stdout, p.stderr);
    assert!(p.stderr.contains("attempt 3 of 3"), "{}", p.stderr);
    assert!(
        p.stderr.contains("failed after 3 attempts")
            && p.stderr.contains(&format!(
                "(is the registry at 127.0.0.1:{PORT} up and reachable?)"
            )),
        "{}",
        p.stderr
    );
    assert!(p.stderr.contains("not pushed"), "{}", p.stderr);
    assert!(!p.stderr.contains("leaf:1 pushed"), "{}", p.stderr);

    // Comes back during the backoff: the same push completes.
    let restart = std::thread::spawn(move || {
        std::thread::sleep(std::time::Duration::from_millis(1500));
        engine_sh(&["registry", &PORT.to_string()]);
    });
    let p = adf_engine(
        dir.path(),
        &["push", "--to", &to, "--retries", "5", "--retry-delay", "1"],
    );
    restart.join().expect("restarted");
    assert_eq!(p.code, 0, "{}\n{}", p.stdout, p.stderr);
    assert!(p.stderr.contains("attempt 2 of 6"), "{}", p.stderr);
    assert_eq!(manifest(&p).len(), 4);
    let (status, _, _) = registry_get(
        PORT,
        &format!("/v2/retry{}/leaf/manifests/1", std::process::id()),
    );
    assert_eq!(status, 200);

    cleanup(&prefix);
    cleanup(&to);
}

/// `${TIMESTAMP}` is fixed once per run: the build run tags its own time, and the push run
/// pushes the verified image under the push run's time; `${GIT_SHA}` is the checkout's commit.
#[test]
fn timestamp_and_git_sha_tags_are_resolved_per_run() {
    engine();
    const PORT: u16 = 5004;
    fresh_registry(PORT);
    let prefix = unique("stamp");
    let to = format!("127.0.0.1:{PORT}/stamp{}", std::process::id());
    let yaml = format!(
        "build_flags: [--network, host]\nimages:\n  one:\n    build: {{context: ., dockerfile: Dockerfile, args: {{BASE_IMAGE: adf-fixture/busybox:1, LAYER: one}}}}\n    tags: [\"{prefix}/one:1\", \"{prefix}/one:1-${{TIMESTAMP}}\", \"{prefix}/one:${{GIT_SHA}}\"]\n"
    );
    let sha = "0123456789abcdef0123456789abcdef01234567";
    let dir = project(&[
        ("dockerfile-compose.yaml", &yaml),
        ("Dockerfile", CHILD),
        (".git/HEAD", "ref: refs/heads/main\n"),
        (".git/refs/heads/main", &format!("{sha}\n")),
    ]);
    let env = |epoch: &'static str| {
        [
            ("ADF_DOCKER", docker()),
            ("SOURCE_DATE_EPOCH", epoch.to_string()),
        ]
    };
    let run = |args: &[&str], epoch: &'static str| {
        let e = env(epoch);
        let e: Vec<(&str, &str)> = e.iter().map(|(k, v)| (*k, v.as_str())).collect();
        adf_with(dir.path(), args, &e)
    };
    assert_eq!(run(&["build"], "1700000000").code, 0);
    assert!(
        image_id(&format!("{prefix}/one:1-20231114221320")).is_some(),
        "the build run's stamp"
    );
    assert!(
        image_id(&format!("{prefix}/one:0123456789ab")).is_some(),
        "12 hex of the commit"
    );
    assert_eq!(run(&["verify"], "1700000050").code, 0);
    let p = run(&["push", "--to", &to], "1700000100");
    assert_eq!(p.code, 0, "{}", p.stderr);
    let refs: Vec<String> = manifest(&p)
        .iter()
        .map(|e| e["reference"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(
        refs,
        [
            format!("{to}/one:1"),
            format!("{to}/one:1-20231114221500"),
            format!("{to}/one:0123456789ab")
        ]
    );
    let id = image_id(&format!("{prefix}/one:1"));
    assert_eq!(
        image_id(&format!("{to}/one:1-20231114221500")),
        id,
        "the verified image"
    );
    cleanup(&prefix);
    cleanup(&to);
}

/// A registry with htpasswd auth: refused without credentials (no retries), then `adf login`
/// with the password on stdin, push and a digest-skipping second push; the password shows
/// nowhere in adf's output or state.
#[test]
fn push_to_an_auth_registry_after_login() {
    engine();
    const PORT: u16 = 5005;
    const PASSWORD: &str = "pa55-Word-never-shown";
    engine_sh(&["registry-stop", "5005", "--purge"]);
    engine_sh(&["registry", "5005", "--auth", &format!("bob:{PASSWORD}")]);
    let prefix = unique("auth");
    let to = format!("127.0.0.1:{PORT}/auth{}", std::process::id());
    let dir = project(&[
        ("dockerfile-compose.yaml", &chain(&prefix, "leaf")),
        ("Dockerfile", CHILD),
    ]);
    let config = tempfile::tempdir().expect("docker config dir");
    let d = docker();
    let env = [
        ("ADF_DOCKER", d.as_str()),
        ("DOCKER_CONFIG", config.path().to_str().expect("utf-8")),
    ];
    assert_eq!(adf_with(dir.path(), &["build"], &env).code, 0);
    assert_eq!(adf_with(dir.path(), &["verify"], &env).code, 0);

    let p = adf_with(dir.path(), &["push", "--to", &to, "--target", "base"], &env);
    assert_eq!(p.code, 1, "{}", p.stderr);
    assert!(
        p.stderr.contains("failed after 1 attempt:"),
        "not retried: {}",
        p.stderr
    );
    assert!(
        p.stderr.contains(&format!(
            "run `adf login 127.0.0.1:{PORT} -u USER --password-stdin`"
        )),
        "{}",
        p.stderr
    );

    let login = adf_stdin(
        dir.path(),
        &[
            "login",
            &format!("127.0.0.1:{PORT}"),
            "-u",
            "bob",
            "--password-stdin",
        ],
        &env,
        format!("{PASSWORD}\n").as_bytes(),
    );
    assert_eq!(login.code, 0, "{}", login.stderr);
    let p = adf_with(dir.path(), &["push", "--to", &to], &env);
    assert_eq!(p.code, 0, "{}", p.stderr);
    assert!(manifest(&p).iter().all(|e| e["status"] == "pushed"));
    let again = adf_with(dir.path(), &["push", "--to", &to], &env);
    assert_eq!(again.code, 0, "{}", again.stderr);
    assert!(
        manifest(&again).iter().all(|e| e["status"] == "unchanged"),
        "{}",
        again.stdout
    );

    for out in [&login, &p, &again] {
        assert!(!out.stdout.contains(PASSWORD) && !out.stderr.contains(PASSWORD));
    }
    let grep = std::process::Command::new("grep")
        .args(["-r", "-l", PASSWORD])
        .arg(dir.path())
        .output()
        .expect("grep");
    assert!(
        grep.stdout.is_empty(),
        "password found in {}",
        String::from_utf8_lossy(&grep.stdout)
    );
    cleanup(&prefix);
    cleanup(&to);
    engine_sh(&["registry-stop", "5005", "--purge"]);
}

/// Every line indented twice as deep, under a new comment line: the same YAML, with every value
/// at another line and column.
fn comment_and_reindent(yaml: &str) -> String {
    let body: String = yaml
        .lines()
        .map(|l| {
            let n = l.len() - l.trim_start_matches(' ').len();
            format!("{}{}\n", " ".repeat(2 * n), &l[n..])
        })
        .collect();
    format!("# verified before this comment and the 4-space indentation were added\n{body}")
}

/// A verify record counts for what the checks expect, not for where the file says it: after a
/// comment at the top and a re-indent, `adf push` still accepts the verified images; a changed
/// `verify:` command or stack version makes it refuse, and nothing is pushed.
#[test]
fn verify_records_survive_comments_and_reindent() {
    engine();
    const PORT: u16 = 5007;
    fresh_registry(PORT);
    let prefix = unique("reindent");
    let to = format!("127.0.0.1:{PORT}/reindent{}", std::process::id());
    let other = format!("127.0.0.1:{PORT}/refused{}", std::process::id());
    // The leaf declares torch 2.5.1 and its image holds a torch 2.5.1 dist-info: verify checks
    // that version (PASS), so the stack is part of what the record vouches for.
    let leaf_build = "dockerfile: Dockerfile, args: {LAYER: leaf}}";
    let yaml = chain(&prefix, "leaf").replace(
        leaf_build,
        "dockerfile: Leaf.Dockerfile, args: {LAYER: leaf}}\n    stack: {torch: \"2.5.1\"}",
    );
    assert!(yaml.contains("Leaf.Dockerfile"), "{yaml}");
    let site = "/usr/local/lib/python3.10/site-packages";
    let leaf_dockerfile =
        format!("{CHILD}COPY torch-2.5.1.dist-info {site}/torch-2.5.1.dist-info\n");
    let dir = project(&[
        ("dockerfile-compose.yaml", &yaml),
        ("Dockerfile", CHILD),
        ("Leaf.Dockerfile", &leaf_dockerfile),
        (
            "torch-2.5.1.dist-info/METADATA",
            "Metadata-Version: 2.1\nName: torch\nVersion: 2.5.1\n",
        ),
    ]);
    let file = dir.path().join("dockerfile-compose.yaml");

    let b = adf_engine(dir.path(), &["build"]);
    assert_eq!(b.code, 0, "{}", b.stderr);
    let v = adf_engine(dir.path(), &["verify", "--format", "json"]);
    assert_eq!(v.code, 0, "{}\n{}", v.stdout, v.stderr);
    let report: Value = serde_json::from_str(&v.stdout).expect("verify json");
    let leaf = report["images"]
        .as_array()
        .expect("images")
        .iter()
        .find(|i| i["name"] == "leaf")
        .expect("leaf verified");
    assert!(
        leaf["checks"]
            .as_array()
            .expect("checks")
            .iter()
            .any(|c| c["name"] == "torch 2.5.1" && c["status"] == "PASS"),
        "the stack version is checked: {leaf}"
    );

    // A comment line on top and 4-space indentation: every line and column moves, nothing else.
    let moved = comment_and_reindent(&yaml);
    assert!(
        moved.starts_with("# ")
            && moved.contains("\n    base:\n        build: {")
            && moved.contains("\n        stack: {torch: \"2.5.1\"}\n"),
        "{moved}"
    );
    std::fs::write(&file, &moved).unwrap();
    let c = adf_engine(dir.path(), &["check"]);
    assert_eq!(c.code, 0, "still valid: {}\n{}", c.stdout, c.stderr);
    let p = adf_engine(dir.path(), &["push", "--to", &to]);
    assert_eq!(
        p.code, 0,
        "the records still count: {}\n{}",
        p.stdout, p.stderr
    );
    let list = manifest(&p);
    assert_eq!(list.len(), 4, "{list:?}");
    assert!(list.iter().all(|e| e["status"] == "pushed"), "{list:?}");
    let catalog = || {
        let (status, _, body) = registry_get(PORT, "/v2/_catalog");
        assert_eq!(status, 200, "{body}");
        serde_json::from_str::<Value>(&body).expect("catalog json")["repositories"].clone()
    };
    let pushed = catalog();
    assert_eq!(pushed.as_array().map(Vec::len), Some(3), "{pushed}");

    // What the checks expect changes: refused, and the registry gains nothing.
    let changed_run = moved.replace("run: cat /layer-leaf,", "run: cat /layer-leaf && true,");
    let changed_stack = moved.replace("torch: \"2.5.1\"", "torch: \"2.5.2\"");
    for (what, text) in [
        ("verify run", changed_run),
        ("stack version", changed_stack),
    ] {
        assert_ne!(text, moved, "{what}: the edit applies");
        std::fs::write(&file, &text).unwrap();
        let p = adf_engine(dir.path(), &["push", "--to", &other]);
        assert_eq!(p.code, 1, "{what}: {}\n{}", p.stdout, p.stderr);
        assert!(
            p.stderr
                .contains("nothing pushed: 1 of 3 selected images cannot be published"),
            "{what}: {}",
            p.stderr
        );
        assert!(
            p.stderr
                .contains("leaf: verified against other expectations"),
            "{what}: {}",
            p.stderr
        );
        assert!(p.stdout.trim().is_empty(), "{what}: {}", p.stdout);
        assert_eq!(catalog(), pushed, "{what}: nothing pushed");
    }

    // Back to the moved file: the same records count again, and the registry has it all.
    std::fs::write(&file, &moved).unwrap();
    let again = adf_engine(dir.path(), &["push", "--to", &to]);
    assert_eq!(again.code, 0, "{}", again.stderr);
    assert!(
        manifest(&again).iter().all(|e| e["status"] == "unchanged"),
        "{}",
        again.stdout
    );

    cleanup(&prefix);
    cleanup(&to);
    cleanup(&other);
    engine_sh(&["registry-stop", &PORT.to_string(), "--purge"]);
}
