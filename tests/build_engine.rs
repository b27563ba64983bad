//! `adf build` against the real local dockerd (started by scripts/engine.sh): order, parallelism,
//! freshness, incremental rebuilds, failures, Ctrl-C and the legacy builder.

mod common;
use common::*;
use std::collections::BTreeMap;
use std::time::{Duration, Instant};

const FIXTURE_BASE: &str = "adf-fixture/busybox:1";

/// root -> {a, b} ; a -> leaf ; each image has its own context directory.
fn stack(prefix: &str, extra_run: &str) -> Vec<(String, String)> {
    let df = |body: &str| {
        format!("ARG BASE_IMAGE\nFROM ${{BASE_IMAGE}}\nARG FAIL=0\nCOPY . /ctx/\n{body}\n")
    };
    let yaml = format!(
        "build_flags: [--network, host]\nvariables: {{FAIL: \"0\"}}\nimages:\n  root:\n    build: {{context: root, args: {{BASE_IMAGE: {FIXTURE_BASE}}}}}\n    tags: [\"{prefix}/root:1\"]\n  a:\n    depends_on: [root]\n    build: {{context: a, args: {{FAIL: \"${{FAIL}}\"}}}}\n    tags: [\"{prefix}/a:1\", \"{prefix}/a:latest\"]\n  b:\n    depends_on: [root]\n    build: {{context: b}}\n    tags: [\"{prefix}/b:1\"]\n  leaf:\n    depends_on: [a]\n    build: {{context: leaf}}\n    tags: [\"{prefix}/leaf:1\"]\n"
    );
    let timed =
        format!("RUN cat /proc/uptime > /t_start && {extra_run} && cat /proc/uptime > /t_end");
    vec![
        ("dockerfile-compose.yaml".into(), yaml),
        ("root/Dockerfile".into(), df("RUN echo root > /root.txt")),
        ("root/file.txt".into(), format!("root of {prefix}\n")),
        (
            "a/Dockerfile".into(),
            df(&format!("RUN test \"$FAIL\" != 1\n{timed}")),
        ),
        ("a/file.txt".into(), "a\n".into()),
        ("b/Dockerfile".into(), df(&timed)),
        ("b/file.txt".into(), "b\n".into()),
        ("leaf/Dockerfile".into(), df("RUN cat /root.txt")),
        ("leaf/file.txt".into(), "leaf\n".into()),
    ]
}

fn write(files: &[(String, String)]) -> tempfile::TempDir {
    let refs: Vec<(&str, &str)> = files
        .iter()
        .map(|(a, b)| (a.as_str(), b.as_str()))
        .collect();
    project(&refs)
}

fn uptime_pair(tag: &str) -> (f64, f64) {
    let out = docker_out(&[
        "run",
        "--rm",
        "--network",
        "none",
        tag,
        "cat",
        "/t_start",
        "/t_end",
    ]);
    let nums: Vec<f64> = out
        .lines()
        .filter_map(|l| l.split_whitespace().next()?.parse().ok())
        .collect();
    (nums[0], nums[1])
}

fn expect(out: &Output, want: &[(&str, &str)]) -> BTreeMap<String, String> {
    let statuses = statuses(out);
    for (name, status) in want {
        assert_eq!(
            statuses.get(*name).map(String::as_str),
            Some(*status),
            "{name} in {statuses:?}\n{}",
            out.stderr
        );
    }
    statuses
}

#[test]
fn builds_in_order_in_parallel_then_everything_is_fresh() {
    engine();
    let prefix = unique("order");
    let dir = write(&stack(&prefix, "sleep 2"));
    let first = adf_engine(dir.path(), &["build", "--format", "json", "-j", "4"]);
    assert_eq!(first.code, 0, "{}\n{}", first.stdout, first.stderr);
    expect(
        &first,
        &[
            ("root", "built"),
            ("a", "built"),
            ("b", "built"),
            ("leaf", "built"),
        ],
    );
    // a and b are independent: their sleeping steps overlapped in time
    let (a0, a1) = uptime_pair(&format!("{prefix}/a:1"));
    let (b0, b1) = uptime_pair(&format!("{prefix}/b:1"));
    assert!(
        a0 < b1 && b0 < a1,
        "a [{a0}, {a1}] and b [{b0}, {b1}] did not overlap"
    );
    // both tags of a point at the same image, built FROM root's image
    assert_eq!(
        image_id(&format!("{prefix}/a:1")),
        image_id(&format!("{prefix}/a:latest"))
    );
    let log = std::fs::read_to_string(dir.path().join(".adf/logs/leaf.log")).expect("leaf log");
    // FROM the exact image of a this run built (the run's private hold tag of it, never a's
    // own tag, which another run could move meanwhile), recorded as adf.parent
    let a_id = image_id(&format!("{prefix}/a:1")).expect("a built");
    assert!(
        log.contains("BASE_IMAGE=adf-hold/build:")
            && log.contains(&format!("--label adf.parent={a_id}")),
        "leaf built from a's image of this run: {log}"
    );
    // the run's private tags are gone once it is over
    let hold = log
        .split_whitespace()
        .find_map(|w| w.strip_prefix("BASE_IMAGE="))
        .expect("the base arg");
    assert_eq!(image_id(hold), None, "{hold} removed");

    // the engine query gives the same answer for few refs (direct inspect) and many (list first)
    let real: Vec<String> = ["root:1", "a:1", "a:latest", "b:1", "leaf:1"]
        .iter()
        .map(|t| format!("{prefix}/{t}"))
        .collect();
    let mut many = real.clone();
    many.extend((0..80).map(|i| format!("{prefix}/absent:{i}")));
    use ascend_docker_factory::engine::{DockerCli, Engine};
    let engine = DockerCli::unprobed(docker().into());
    let few = engine.built_images(&real);
    let lots = engine.built_images(&many);
    assert_eq!(few.len(), 5, "{few:?}");
    assert_eq!(few, lots);
    assert!(few.values().all(|i| i.fingerprint.len() == 64));

    let started = Instant::now();
    let second = adf_engine(dir.path(), &["build", "--format", "json"]);
    assert_eq!(second.code, 0, "{}", second.stderr);
    expect(
        &second,
        &[
            ("root", "fresh"),
            ("a", "fresh"),
            ("b", "fresh"),
            ("leaf", "fresh"),
        ],
    );
    assert!(started.elapsed() < Duration::from_secs(10));
    let plan = adf_engine(dir.path(), &["plan", "--format", "json"]);
    assert!(
        plan.stdout.matches("\"action\": \"fresh\"").count() == 4,
        "{}",
        plan.stdout
    );
    cleanup(&prefix);
}

#[test]
fn a_context_change_rebuilds_that_image_and_its_descendants_only() {
    engine();
    let prefix = unique("incr");
    let dir = write(&stack(&prefix, "true"));
    assert_eq!(adf_engine(dir.path(), &["build"]).code, 0);
    std::fs::write(dir.path().join("a/file.txt"), "a changed\n").expect("edit");
    // an ignored file does not count
    std::fs::write(dir.path().join("b/.dockerignore"), "scratch/\n").expect("ignore");
    std::fs::create_dir_all(dir.path().join("b/scratch")).expect("mkdir");
    std::fs::write(dir.path().join("b/scratch/x"), "noise").expect("noise");
    let explain = adf_engine(dir.path(), &["plan", "--explain"]);
    assert!(
        explain.stdout.contains("a/file.txt") || explain.stdout.contains("file.txt"),
        "{}",
        explain.stdout
    );
    let out = adf_engine(dir.path(), &["build", "--format", "json"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    // b's context gained .dockerignore itself (a visible file), so b rebuilds too; root stays
    expect(
        &out,
        &[("root", "fresh"), ("a", "built"), ("leaf", "built")],
    );
    cleanup(&prefix);
}

#[test]
fn a_failing_run_blocks_descendants_and_keeps_old_tags() {
    engine();
    let prefix = unique("fail");
    let dir = write(&stack(&prefix, "true"));
    assert_eq!(adf_engine(dir.path(), &["build"]).code, 0);
    let old_a = image_id(&format!("{prefix}/a:1")).expect("a built");
    std::fs::write(dir.path().join("b/file.txt"), "b changed\n").expect("edit");
    let out = adf_engine(
        dir.path(),
        &[
            "--set",
            "FAIL=1",
            "build",
            "--keep-going",
            "--format",
            "json",
        ],
    );
    assert_eq!(out.code, 1, "{}\n{}", out.stdout, out.stderr);
    expect(
        &out,
        &[
            ("root", "fresh"),
            ("a", "failed"),
            ("leaf", "blocked"),
            ("b", "built"),
        ],
    );
    assert!(
        out.stderr.contains("[a] FAILED") && out.stderr.contains(".adf/logs/a.log"),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr.contains("test \"$FAIL\" != 1") || out.stderr.contains("exit code: 1"),
        "failing step shown: {}",
        out.stderr
    );
    assert_eq!(
        image_id(&format!("{prefix}/a:1")).as_deref(),
        Some(old_a.as_str()),
        "old tag untouched"
    );
    assert_eq!(
        image_id(&format!("{prefix}/a:latest")).as_deref(),
        Some(old_a.as_str())
    );
    cleanup(&prefix);
}

#[test]
fn without_keep_going_nothing_new_starts_after_a_failure() {
    engine();
    let prefix = unique("stop");
    let dir = write(&stack(&prefix, "true"));
    // a fails at once; b (independent) may already be running and finishes, leaf never starts
    let out = adf_engine(
        dir.path(),
        &["--set", "FAIL=1", "build", "-j", "1", "--format", "json"],
    );
    assert_eq!(out.code, 1);
    let s = expect(
        &out,
        &[("root", "built"), ("a", "failed"), ("leaf", "blocked")],
    );
    assert!(s["b"] == "not-started" || s["b"] == "built", "{s:?}");
    cleanup(&prefix);
}

#[test]
fn ctrl_c_leaves_tags_untouched_and_the_next_run_completes() {
    engine();
    let prefix = unique("sigint");
    let dir = write(&stack(&prefix, "sleep ${SLEEP:-0}"));
    assert_eq!(adf_engine(dir.path(), &["build"]).code, 0);
    let old_b = image_id(&format!("{prefix}/b:1")).expect("b");
    // make b slow and changed
    let df = std::fs::read_to_string(dir.path().join("b/Dockerfile")).expect("df");
    std::fs::write(
        dir.path().join("b/Dockerfile"),
        df.replace("sleep ${SLEEP:-0}", "sleep 30"),
    )
    .expect("write");
    let mut child = std::process::Command::new(adf_bin())
        .args(["build", "--target", "b"])
        .current_dir(dir.path())
        .env("ADF_DOCKER", docker())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("spawn");
    let log = dir.path().join(".adf/logs/b.log");
    let deadline = Instant::now() + Duration::from_secs(30);
    while !std::fs::read_to_string(&log)
        .map(|l| l.contains("sleep 30"))
        .unwrap_or(false)
    {
        assert!(Instant::now() < deadline, "build never reached the sleep");
        std::thread::sleep(Duration::from_millis(100));
    }
    std::thread::sleep(Duration::from_millis(500));
    let pid = child.id().to_string();
    assert!(std::process::Command::new("kill")
        .args(["-INT", &pid])
        .status()
        .expect("kill")
        .success());
    let started = Instant::now();
    let status = child.wait().expect("wait");
    assert!(
        started.elapsed() < Duration::from_secs(15),
        "adf stopped promptly"
    );
    assert_eq!(status.code(), Some(130));
    assert_eq!(
        image_id(&format!("{prefix}/b:1")).as_deref(),
        Some(old_b.as_str()),
        "tag untouched"
    );
    // the next run completes the work
    std::fs::write(
        dir.path().join("b/Dockerfile"),
        df.replace("sleep ${SLEEP:-0}", "sleep 1"),
    )
    .expect("write");
    let out = adf_engine(dir.path(), &["build", "--target", "b", "--format", "json"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    expect(&out, &[("root", "fresh"), ("b", "built")]);
    assert_ne!(image_id(&format!("{prefix}/b:1")), Some(old_b));
    cleanup(&prefix);
}

#[test]
fn run_mount_under_the_legacy_builder_is_refused_up_front() {
    engine();
    let prefix = unique("legacy");
    let yaml = format!("images:\n  m:\n    build: {{context: ., args: {{BASE_IMAGE: {FIXTURE_BASE}}}}}\n    tags: [\"{prefix}/m:1\"]\n");
    let dir = project(&[
        ("dockerfile-compose.yaml", &yaml),
        ("Dockerfile", "ARG BASE_IMAGE\nFROM ${BASE_IMAGE}\nRUN --mount=type=bind,source=.,target=/src ls /src\n"),
    ]);
    // the newer CLI without buildx falls back to the legacy builder; elsewhere force it
    let legacy_cli = std::path::Path::new("/usr/local/bin/docker");
    let mut cmd = std::process::Command::new(adf_bin());
    cmd.args(["build"])
        .current_dir(dir.path())
        .env("NO_COLOR", "1");
    if legacy_cli.exists()
        && std::process::Command::new(legacy_cli)
            .args(["buildx", "version"])
            .output()
            .map(|o| !o.status.success())
            .unwrap_or(false)
    {
        cmd.env("ADF_DOCKER", legacy_cli);
    } else {
        cmd.env("ADF_DOCKER", docker()).env("ADF_BUILDER", "legacy");
    }
    let out = cmd.output().expect("runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("needs-buildkit") && stderr.contains("Dockerfile:3: RUN --mount"),
        "{stderr}"
    );
    assert!(
        image_id(&format!("{prefix}/m:1")).is_none(),
        "nothing built"
    );
    assert!(
        !dir.path().join(".adf/logs/m.log").exists(),
        "no build started"
    );
}

#[test]
fn in_a_shared_context_only_the_files_an_image_reads_count() {
    engine();
    let prefix = unique("shared");
    // the seed's style: every image builds from context `.`, each with its own Dockerfile
    let yaml = format!(
        "build_flags: [--network, host]\nimages:\n  base:\n    build: {{context: ., dockerfile: dockerfiles/base.dockerfile, args: {{BASE_IMAGE: {FIXTURE_BASE}}}}}\n    tags: [\"{prefix}/base:1\"]\n  x:\n    depends_on: [base]\n    build: {{context: ., dockerfile: dockerfiles/x.dockerfile}}\n    tags: [\"{prefix}/x:1\"]\n  y:\n    depends_on: [base]\n    build: {{context: ., dockerfile: dockerfiles/y.dockerfile}}\n    tags: [\"{prefix}/y:1\"]\n"
    );
    let dir = project(&[
        ("dockerfile-compose.yaml", &yaml),
        ("dockerfiles/base.dockerfile", &format!("ARG BASE_IMAGE\nFROM ${{BASE_IMAGE}}\nRUN echo {prefix} > /id\n")),
        ("dockerfiles/x.dockerfile", "ARG BASE_IMAGE\nFROM ${BASE_IMAGE}\nCOPY x/ /x/\n"),
        ("dockerfiles/y.dockerfile", "ARG BASE_IMAGE\nFROM ${BASE_IMAGE}\nRUN --mount=type=bind,source=y,target=/y cp -r /y /y-copy\n"),
        ("x/app.txt", "x\n"),
        ("y/app.txt", "y\n"),
    ]);
    assert_eq!(adf_engine(dir.path(), &["build"]).code, 0);
    std::fs::write(dir.path().join("y/app.txt"), "y changed\n").expect("edit");
    std::fs::write(
        dir.path().join("dockerfiles/x.dockerfile"),
        "ARG BASE_IMAGE\nFROM ${BASE_IMAGE}\nCOPY x/ /x/\nRUN true\n",
    )
    .expect("edit");
    let out = adf_engine(dir.path(), &["build", "--format", "json"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    expect(&out, &[("base", "fresh"), ("x", "built"), ("y", "built")]);
    // and a file nobody reads changes nothing
    std::fs::write(dir.path().join("notes.md"), "unrelated\n").expect("edit");
    let out = adf_engine(dir.path(), &["build", "--format", "json"]);
    expect(&out, &[("base", "fresh"), ("x", "fresh"), ("y", "fresh")]);
    cleanup(&prefix);
}

#[test]
fn twelve_images_of_one_dockerfile_rebuild_only_where_their_input_changed() {
    engine();
    let prefix = unique("cascade");
    // twelve images, one context, one Dockerfile: each copies `inputs/${NAME}.txt`; i06..i11
    // build on i00..i05; i00 leaves NAME to the ARG's default
    let mut yaml = "build_flags: [--network, host]\nimages:\n".to_string();
    let mut files = vec![(
        "dockerfiles/item.dockerfile".to_string(),
        "ARG BASE_IMAGE\nFROM ${BASE_IMAGE}\nARG NAME=i00\nCOPY inputs/${NAME}.txt /in/\n"
            .to_string(),
    )];
    for k in 0..12 {
        let name = format!("i{k:02}");
        let (deps, base) = if k < 6 {
            (String::new(), format!(", BASE_IMAGE: {FIXTURE_BASE}"))
        } else {
            (format!("    depends_on: [i{:02}]\n", k - 6), String::new())
        };
        let arg = if k == 0 { "" } else { "NAME: " };
        let value = if k == 0 { "" } else { name.as_str() };
        let base = if k == 0 {
            base.trim_start_matches(", ").to_string()
        } else {
            base
        };
        yaml.push_str(&format!(
            "  {name}:\n{deps}    build: {{context: ., dockerfile: dockerfiles/item.dockerfile, args: {{{arg}{value}{base}}}}}\n    tags: [\"{prefix}/{name}:1\"]\n"
        ));
        files.push((format!("inputs/{name}.txt"), format!("{name}\n")));
    }
    files.push(("dockerfile-compose.yaml".into(), yaml));
    let dir = write(&files);
    let out = adf_engine(dir.path(), &["build", "--format", "json"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    std::fs::write(dir.path().join("inputs/i02.txt"), "i02 changed\n").expect("edit");
    std::fs::write(dir.path().join("inputs/unread.txt"), "nobody reads it\n").expect("edit");
    let plan = adf_engine(dir.path(), &["plan", "--format", "json"]);
    assert_eq!(plan.code, 0, "{}", plan.stderr);
    let v: serde_json::Value = serde_json::from_str(&plan.stdout).expect("json");
    let building: Vec<&str> = v["images"]
        .as_array()
        .expect("images")
        .iter()
        .filter(|i| i["action"] == "build")
        .filter_map(|i| i["name"].as_str())
        .collect();
    assert_eq!(building, ["i02", "i08"], "{}", plan.stdout);
    let out = adf_engine(dir.path(), &["build", "--format", "json"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let statuses = statuses(&out);
    for (name, status) in &statuses {
        let want = if name == "i02" || name == "i08" {
            "built"
        } else {
            "fresh"
        };
        assert_eq!(status, want, "{name} in {statuses:?}");
    }
    assert_eq!(statuses.len(), 12, "{statuses:?}");
    cleanup(&prefix);
}
