//! `adf run`: the docker command built against a fake host root (devices and driver files as
//! plain files), image names of the file resolved, and real runs on the test engine.

mod common;
use common::{adf_with, docker, engine, project};
use std::path::Path;

/// A host root with NPUs 0 and 1, the control devices and the driver files.
fn fake_host() -> tempfile::TempDir {
    project(&[
        ("dev/davinci0", ""),
        ("dev/davinci1", ""),
        ("dev/davinci_manager", ""),
        ("dev/devmm_svm", ""),
        ("dev/hisi_hdc", ""),
        ("dev/null-ish", ""),
        ("usr/local/Ascend/driver/lib64/driver/libascend_hal.so", ""),
        ("usr/local/Ascend/driver/version.info", "Version=24.1.rc2\n"),
        ("usr/local/Ascend/driver/tools/hccn_tool", ""),
        ("usr/local/bin/npu-smi", ""),
        ("usr/local/dcmi/libdcmi.so", ""),
        (
            "etc/ascend_install.info",
            "Driver_Install_Path_Param=/usr/local/Ascend\n",
        ),
    ])
}

fn root(dir: &tempfile::TempDir) -> &str {
    dir.path().to_str().expect("utf-8 temp path")
}

/// `adf ARGS` in `dir` with the printed client pinned to `docker`.
fn adf(dir: &Path, args: &[&str]) -> common::Output {
    adf_with(dir, args, &[("ADF_DOCKER", "docker")])
}

#[test]
fn print_gives_the_devices_and_driver_mounts_as_host_paths() {
    let host = fake_host();
    let cwd = tempfile::tempdir().expect("tempdir");
    let args = [
        "run",
        "--print",
        "--npus",
        "0,1",
        "--host-root",
        root(&host),
        "some/image:1",
        "--",
        "npu-smi",
        "info",
    ];
    let out = adf(cwd.path(), &args);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(out.stderr, "", "nothing is missing on this host");
    assert!(!out.stdout.contains(root(&host)), "{}", out.stdout);
    insta::assert_snapshot!("run_print_npus_0_1", out.stdout);

    // `all` and no --npus give every NPU present: the same command
    let all = adf(cwd.path(), &{
        let mut a = args;
        a[3] = "all";
        a
    });
    assert_eq!(all.stdout, out.stdout);
    let omitted: Vec<&str> = args
        .iter()
        .enumerate()
        .filter(|(i, _)| !matches!(i, 2 | 3))
        .map(|(_, a)| *a)
        .collect();
    assert_eq!(adf(cwd.path(), &omitted).stdout, out.stdout);

    let one = adf(
        cwd.path(),
        &[
            "run",
            "--print",
            "--npus",
            "1",
            "--host-root",
            root(&host),
            "x",
        ],
    );
    assert!(one
        .stdout
        .contains("--device /dev/davinci1 --device /dev/davinci_manager"));
    assert!(!one.stdout.contains("/dev/davinci0"), "{}", one.stdout);
}

#[test]
fn an_npu_the_host_lacks_is_bad_input_naming_what_exists() {
    let host = fake_host();
    let cwd = tempfile::tempdir().expect("tempdir");
    let out = adf(
        cwd.path(),
        &[
            "run",
            "--print",
            "--npus",
            "5",
            "--host-root",
            root(&host),
            "x",
        ],
    );
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert_eq!(out.stdout, "");
    assert!(
        out.stderr.contains("NPU 5 not found") && out.stderr.contains("has NPUs 0, 1"),
        "{}",
        out.stderr
    );
    let bad = adf(cwd.path(), &["run", "--print", "--npus", "0,one", "x"]);
    assert_eq!(bad.code, 2, "{}", bad.stderr);
    assert!(
        bad.stderr.contains("`one` is not an NPU number"),
        "{}",
        bad.stderr
    );
}

#[test]
fn a_host_without_npus_runs_without_devices_after_a_warning() {
    let empty = tempfile::tempdir().expect("tempdir");
    let cwd = tempfile::tempdir().expect("tempdir");
    let out = adf(
        cwd.path(),
        &[
            "run",
            "--print",
            "--host-root",
            root(&empty),
            "x",
            "sh",
            "-c",
            "echo 'a b'",
        ],
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(
        out.stdout,
        "docker run --rm --ipc host --network host x sh -c 'echo '\\''a b'\\'''\n"
    );
    assert!(
        out.stderr.contains("warning: ") && out.stderr.contains("has no NPU"),
        "{}",
        out.stderr
    );
    // asking for NPUs there is an error; `none` is quiet
    let all = adf(
        cwd.path(),
        &[
            "run",
            "--print",
            "--npus",
            "all",
            "--host-root",
            root(&empty),
            "x",
        ],
    );
    assert_eq!(all.code, 2, "{}", all.stderr);
    assert!(all.stderr.contains("has no NPU"), "{}", all.stderr);
    let none = adf(
        cwd.path(),
        &[
            "run",
            "--print",
            "--npus",
            "none",
            "--host-root",
            root(&empty),
            "x",
        ],
    );
    assert_eq!((none.code, none.stderr.as_str()), (0, ""));
    // --shm-size only means something with a private IPC namespace
    let private = adf(
        cwd.path(),
        &[
            "run",
            "--print",
            "--npus",
            "none",
            "--ipc",
            "private",
            "--network",
            "none",
            "--shm-size",
            "32g",
            "--run-flag",
            "-e HCCL_DEBUG=1",
            "x",
        ],
    );
    assert_eq!(
        private.stdout,
        "docker run --rm --ipc private --shm-size 32g --network none -e HCCL_DEBUG=1 x\n"
    );
}

#[test]
fn a_missing_host_root_is_bad_input() {
    let cwd = tempfile::tempdir().expect("tempdir");
    let out = adf(
        cwd.path(),
        &[
            "run",
            "--print",
            "--host-root",
            "/nonexistent/adf-root",
            "x",
        ],
    );
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(out.stderr.contains("is not a directory"), "{}", out.stderr);
}

const FILE: &str = "\
images:
  base:
    build: {context: .}
    tags: [\"team/base:1\", \"team/base:latest\"]
  multi:
    build: {context: ., platforms: [linux/amd64, linux/arm64]}
    tags: [\"team/multi:2\"]
  fixture:
    build: {context: .}
    tags: [\"adf-fixture/busybox:1\"]
  unbuilt:
    build: {context: .}
    tags: [\"adf-test/run-never-built:1\"]
";

fn file_project() -> tempfile::TempDir {
    project(&[
        ("dockerfile-compose.yaml", FILE),
        ("Dockerfile", "FROM adf-fixture/busybox:1\n"),
    ])
}

/// The image a printed command runs (its last word without a command).
fn printed_image(dir: &Path, args: &[&str]) -> String {
    let mut all = vec!["run", "--print", "--npus", "none"];
    all.extend(args);
    let out = adf(dir, &all);
    assert_eq!(out.code, 0, "{args:?}: {}", out.stderr);
    out.stdout
        .split_whitespace()
        .last()
        .expect("a command")
        .to_string()
}

#[test]
fn image_names_of_the_file_run_their_primary_tag() {
    let dir = file_project();
    let host = match std::env::consts::ARCH {
        "aarch64" => "arm64",
        _ => "amd64",
    };
    assert_eq!(printed_image(dir.path(), &["base"]), "team/base:1");
    assert_eq!(
        printed_image(dir.path(), &["multi"]),
        format!("team/multi:2-{host}")
    );
    assert_eq!(
        printed_image(dir.path(), &["multi@arm64"]),
        "team/multi:2-arm64"
    );
    assert_eq!(printed_image(dir.path(), &["other/img:3"]), "other/img:3");

    // the file is read only from this directory or with -f
    let elsewhere = tempfile::tempdir().expect("tempdir");
    assert_eq!(printed_image(elsewhere.path(), &["base"]), "base");
    let file = dir.path().join("dockerfile-compose.yaml");
    let file = file.to_str().expect("utf-8");
    assert_eq!(
        printed_image(elsewhere.path(), &["-f", file, "base"]),
        "team/base:1"
    );
}

#[test]
fn a_real_run_returns_the_containers_exit_code() {
    engine();
    let empty = tempfile::tempdir().expect("tempdir");
    let cwd = tempfile::tempdir().expect("tempdir");
    let env = [("ADF_DOCKER", docker())];
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let args = [
        "run",
        "adf-fixture/busybox:1",
        "--host-root",
        root(&empty),
        "--",
        "sh",
        "-c",
        "echo ran-in-container; exit 3",
    ];
    let out = adf_with(cwd.path(), &args, &env);
    assert_eq!(out.code, 3, "{}\n{}", out.stdout, out.stderr);
    assert_eq!(out.stdout, "ran-in-container\n");
    assert!(out.stderr.contains("has no NPU"), "{}", out.stderr);

    // an image of the file runs its tag; one that is not built is bad input, nothing runs
    let dir = file_project();
    let ok = adf_with(
        dir.path(),
        &["run", "--npus", "none", "fixture", "--", "true"],
        &env,
    );
    assert_eq!((ok.code, ok.stderr.as_str()), (0, ""));
    let unbuilt = adf_with(dir.path(), &["run", "--npus", "none", "unbuilt"], &env);
    assert_eq!(unbuilt.code, 2, "{}", unbuilt.stderr);
    assert!(
        unbuilt.stderr.contains("`unbuilt` is not built")
            && unbuilt.stderr.contains("adf build -t unbuilt"),
        "{}",
        unbuilt.stderr
    );
}
