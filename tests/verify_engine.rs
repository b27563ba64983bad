//! `adf verify` against the real engine: fixture images that break each static rule FAIL with
//! the rule and the evidence; good images PASS; the NPU tier is SKIPPED on this host.

mod common;

use common::*;
use serde_json::Value;

/// A fake but faithful Ascend layout on busybox: Python 3.10 dist-infos, CANN 8.0.RC2 toolkit,
/// set_env.sh, PATH and LD_LIBRARY_PATH entries. The fake python3 answers `pip check`.
pub const BASE_DOCKERFILE: &str = r#"ARG BASE_IMAGE
FROM ${BASE_IMAGE}
RUN set -e; sp=/usr/local/lib/python3.10/site-packages; mkdir -p /usr/local/bin; \
    for p in torch-2.1.0 torch_npu-2.1.0.post6 numpy-1.26.4 pip-24.0; do n=${p%-*}; v=${p##*-}; \
      mkdir -p $sp/$p.dist-info; printf 'Metadata-Version: 2.1\nName: %s\nVersion: %s\n\n' $n $v > $sp/$p.dist-info/METADATA; done; \
    printf '#!/bin/sh\necho "No broken requirements found."\n' > /usr/local/bin/python3.10; \
    chmod +x /usr/local/bin/python3.10; ln -s python3.10 /usr/local/bin/python3; \
    t=/usr/local/Ascend/ascend-toolkit; mkdir -p $t/8.0.RC2/x86_64-linux/lib64 $t/8.0.RC2/bin; \
    printf 'package_name=Ascend-cann-toolkit\nversion=8.0.RC2\n' > $t/8.0.RC2/x86_64-linux/ascend_toolkit_install.info; \
    ln -s 8.0.RC2 $t/latest; echo "export ASCEND_TOOLKIT_HOME=$t/latest" > $t/set_env.sh; echo base-ok > /etc/marker
ENV PATH=/usr/local/Ascend/ascend-toolkit/latest/bin:/usr/local/bin:/bin \
    LD_LIBRARY_PATH=/usr/local/Ascend/ascend-toolkit/latest/x86_64-linux/lib64
"#;

pub const CHILD_DOCKERFILE: &str = r#"ARG BASE_IMAGE
FROM ${BASE_IMAGE}
ARG SCRIPT=true
ARG LD_EXTRA=""
RUN sh -c "$SCRIPT"
ENV LD_LIBRARY_PATH=${LD_EXTRA}${LD_LIBRARY_PATH}
"#;

const SP: &str = "/usr/local/lib/python3.10/site-packages";

fn config(prefix: &str) -> String {
    // `extra` closes the args map (after more args) and may add build keys (labels).
    let child = |name: &str, script: &str, extra: &str| {
        format!(
            "  {name}:\n    depends_on: [base]\n    build: {{context: ., dockerfile: child.Dockerfile, args: {{SCRIPT: '{script}'{extra}}}\n    tags: [\"{prefix}/{name}:1\"]\n"
        )
    };
    let meta = |dir: &str, name: &str, v: &str| {
        format!("mkdir -p {SP}/{dir}.dist-info && printf \"Name: {name}\\nVersion: {v}\\n\\n\" > {SP}/{dir}.dist-info/METADATA")
    };
    let mut s = format!(
        "build_flags: [--network, host]\nimages:\n  base:\n    build: {{context: ., dockerfile: base.Dockerfile, args: {{BASE_IMAGE: adf-fixture/busybox:1}}}}\n    tags: [\"{prefix}/base:1\"]\n    stack: {{python: \"3.10\", cann: 8.0.RC2, torch: 2.1.0, torch_npu: 2.1.0.post6, numpy: 1.26.4}}\n    verify:\n      - {{name: marker, run: cat /etc/marker, expect: base-ok}}\n"
    );
    s += &child("good", "echo app > /app", "}");
    s += "    verify:\n      - {name: app file, run: cat /app, expect: \"^app\"}\n";
    // A child that replaces one installed distribution by another version.
    let swap = |old: &str, new: &str, name: &str, v: &str| {
        format!("rm -rf {SP}/{old}.dist-info && {}", meta(new, name, v))
    };
    s += &child(
        "numpy2",
        &swap("numpy-1.26.4", "numpy-2.1.0", "numpy", "2.1.0"),
        "}",
    );
    s += &child(
        "no-setenv",
        "rm /usr/local/Ascend/ascend-toolkit/set_env.sh",
        "}",
    );
    s += &child(
        "wrong-arch",
        "mkdir -p /usr/local/Ascend/ascend-toolkit/latest/aarch64-linux/lib64",
        ", LD_EXTRA: \"/usr/local/Ascend/ascend-toolkit/latest/aarch64-linux/lib64:\"}",
    );
    s += &child(
        "downgrade",
        &swap(
            "torch_npu-2.1.0.post6",
            "torch_npu-2.0.0",
            "torch_npu",
            "2.0.0",
        ),
        "}",
    );
    s += &child(
        "modelarts",
        "echo ma-user:x:1001:1001::/home/ma-user:/bin/sh >> /etc/passwd",
        "}, labels: {com.huaweicloud.modelarts.user: \"ma-user:1000:100\"}",
    );
    s += &child("marker-broken", "echo changed > /etc/marker", "}");
    s
}

fn check<'a>(report: &'a Value, image: &str, name: &str) -> &'a Value {
    let img = report["images"]
        .as_array()
        .and_then(|a| a.iter().find(|i| i["name"] == image))
        .unwrap_or_else(|| panic!("no image {image} in {report}"));
    img["checks"]
        .as_array()
        .and_then(|c| c.iter().find(|c| c["name"] == name))
        .unwrap_or_else(|| panic!("no check {name:?} for {image}: {}", img["checks"]))
}

#[test]
fn static_rules_fail_with_evidence_and_good_images_pass() {
    engine();
    let prefix = unique("verify");
    let cfg = config(&prefix);
    let dir = project(&[
        ("dockerfile-compose.yaml", &cfg),
        ("base.Dockerfile", BASE_DOCKERFILE),
        ("child.Dockerfile", CHILD_DOCKERFILE),
    ]);
    let b = adf_engine(dir.path(), &["build", "-j", "4"]);
    assert_eq!(b.code, 0, "build: {}\n{}", b.stdout, b.stderr);

    let v = adf_engine(dir.path(), &["verify", "--format", "json", "-j", "4"]);
    assert_eq!(
        v.code, 1,
        "some images break rules: {}\n{}",
        v.stdout, v.stderr
    );
    let r: Value = serde_json::from_str(&v.stdout).expect("json");

    // The good images pass every check, including the ancestor's `verify:` command.
    for good in ["base", "good"] {
        let img = r["images"]
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["name"] == good)
            .unwrap();
        assert_eq!(img["passed"], true, "{good}: {img}");
    }
    for (name, detail) in [
        (
            "python 3.10",
            "/usr/local/bin/python3 -> /usr/local/bin/python3.10",
        ),
        ("torch_npu 2.1.0.post6", "torch_npu-2.1.0.post6.dist-info"),
        (
            "numpy 1.x under torch_npu",
            "numpy 1.26.4 beside torch_npu 2.1.0.post6",
        ),
        (
            "CANN set_env.sh",
            "/usr/local/Ascend/ascend-toolkit/set_env.sh",
        ),
        (
            "CANN version 8.0.RC2",
            "ascend_toolkit_install.info: 8.0.RC2",
        ),
        ("LD_LIBRARY_PATH entries exist", "1 entry, all present"),
        ("pip check", "exited 0"),
    ] {
        let c = check(&r, "good", name);
        assert_eq!(c["status"], "PASS", "{c}");
        assert!(c["detail"].as_str().unwrap().contains(detail), "{c}");
    }
    let inherited = check(&r, "good", "verify: marker");
    assert_eq!(
        (inherited["status"].as_str(), inherited["origin"].as_str()),
        (Some("PASS"), Some("base"))
    );

    // Each broken image fails the rule it breaks, naming the evidence.
    for (image, name, evidence) in [
        ("numpy2", "numpy 1.x under torch_npu", "numpy 2.1.0 at /usr/local/lib/python3.10/site-packages/numpy-2.1.0.dist-info beside torch_npu 2.1.0.post6"),
        ("no-setenv", "CANN set_env.sh", "no set_env.sh in /usr/local/Ascend/ascend-toolkit"),
        ("wrong-arch", "LD_LIBRARY_PATH entries exist", "/usr/local/Ascend/ascend-toolkit/latest/aarch64-linux/lib64 is for aarch64, but the image is linux/amd64"),
        ("downgrade", "torch_npu 2.1.0.post6", "installed 2.0.0 but the stack says 2.1.0.post6 (declared by `base` at dockerfile-compose.yaml:"),
        ("modelarts", "ModelArts user ma-user 1000:100", "ModelArts needs uid 1000 gid 100"),
        ("marker-broken", "verify: marker", "output does not match /base-ok/: changed"),
    ] {
        let c = check(&r, image, name);
        assert_eq!(c["status"], "FAIL", "{image}: {c}");
        assert!(c["detail"].as_str().unwrap().contains(evidence), "{image}: {c}");
        let img = r["images"].as_array().unwrap().iter().find(|i| i["name"] == image).unwrap();
        assert_eq!(img["passed"], false);
        // Only the rule it breaks (and the consequences named below) fails.
        let failed: Vec<&str> = img["checks"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|c| c["status"] == "FAIL")
            .map(|c| c["name"].as_str().unwrap())
            .collect();
        let expected: &[&str] = match image {
            "numpy2" => &["numpy 1.26.4", "numpy 1.x under torch_npu"],
            _ => &[name],
        };
        assert_eq!(failed, expected, "{image}: {img}");
    }
    assert_eq!(
        check(&r, "marker-broken", "verify: marker")["origin"],
        "base"
    );

    // The NPU tier is SKIPPED here (no /dev/davinci*), never passed; --strict makes that fail.
    let npu = adf_engine(dir.path(), &["verify", "--target", "good", "--npu"]);
    assert_eq!(npu.code, 0, "{}\n{}", npu.stdout, npu.stderr);
    assert!(
        npu.stdout.contains("SKIPPED  npu     NPU visible"),
        "{}",
        npu.stdout
    );
    assert!(
        npu.stdout.contains("no /dev/davinci* on this host"),
        "{}",
        npu.stdout
    );
    assert!(
        npu.stdout
            .contains("23 PASS, 0 FAIL, 6 SKIPPED (skipped checks proved nothing)"),
        "{}",
        npu.stdout
    );
    let redacted = regex::Regex::new(r"(adf-test/verify-[0-9a-z-]+)|\b[0-9a-f]{12}\b")
        .unwrap()
        .replace_all(&npu.stdout, "<X>")
        .into_owned();
    insta::assert_snapshot!("verify_npu_skipped", redacted);
    let strict = adf_engine(
        dir.path(),
        &["verify", "--target", "good", "--npu", "--strict"],
    );
    assert_eq!(strict.code, 1, "{}", strict.stdout);

    // A missing image is a FAIL too, not a skip.
    docker_out(&["rmi", &format!("{prefix}/good:1")]);
    let gone = adf_engine(
        dir.path(),
        &["verify", "--target", "good", "--format", "json"],
    );
    assert_eq!(gone.code, 1);
    let r: Value = serde_json::from_str(&gone.stdout).expect("json");
    assert_eq!(check(&r, "good", "image present")["status"], "FAIL");

    cleanup(&prefix);
}

/// An arm64 image on this amd64 host, made without emulation (`FROM scratch` + `ADD` of a
/// rootfs): the static checks read it from outside; what must run in it is SKIPPED unless an
/// emulator is registered; a library path for the other architecture FAILs.
#[test]
fn arm64_images_are_checked_from_outside() {
    engine();
    let prefix = unique("verify-arm64");
    let dir = project(&[("Dockerfile", "FROM scratch\nADD rootfs.tar /\nARG LIB_ARCH=aarch64\nENV PATH=/usr/local/bin LD_LIBRARY_PATH=/usr/local/Ascend/ascend-toolkit/latest/${LIB_ARCH}-linux/lib64\n")]);
    let mut b = tar::Builder::new(Vec::new());
    let mut add = |path: &str, body: Option<&str>, link: Option<&str>| {
        let mut h = tar::Header::new_gnu();
        h.set_mode(0o755);
        match (body, link) {
            (_, Some(target)) => {
                h.set_entry_type(tar::EntryType::Symlink);
                h.set_size(0);
                b.append_link(&mut h, path, target).unwrap();
            }
            (Some(text), None) => {
                h.set_size(text.len() as u64);
                b.append_data(&mut h, path, text.as_bytes()).unwrap();
            }
            (None, None) => {
                h.set_entry_type(tar::EntryType::Directory);
                h.set_size(0);
                b.append_data(&mut h, path, std::io::empty()).unwrap();
            }
        }
    };
    for (dist, name, version) in [
        ("torch_npu-2.1.0.post6", "torch_npu", "2.1.0.post6"),
        ("numpy-1.26.4", "numpy", "1.26.4"),
    ] {
        add(
            &format!("{}/{dist}.dist-info/METADATA", &SP[1..]),
            Some(&format!("Name: {name}\nVersion: {version}\n\n")),
            None,
        );
    }
    add("usr/local/bin/python3.10", Some("not an x86 binary"), None);
    add("usr/local/bin/python3", None, Some("python3.10"));
    add(
        "usr/local/Ascend/ascend-toolkit/8.0.RC2/aarch64-linux/lib64/",
        None,
        None,
    );
    add(
        "usr/local/Ascend/ascend-toolkit/8.0.RC2/x86_64-linux/lib64/",
        None,
        None,
    );
    add(
        "usr/local/Ascend/ascend-toolkit/8.0.RC2/aarch64-linux/ascend_toolkit_install.info",
        Some("version=8.0.RC2\n"),
        None,
    );
    add(
        "usr/local/Ascend/ascend-toolkit/latest",
        None,
        Some("8.0.RC2"),
    );
    add(
        "usr/local/Ascend/ascend-toolkit/set_env.sh",
        Some("export A=1\n"),
        None,
    );
    std::fs::write(dir.path().join("rootfs.tar"), b.into_inner().unwrap()).unwrap();
    let image = |name: &str, lib: &str| {
        format!("  {name}:\n    build: {{context: ., platforms: [linux/arm64], args: {{LIB_ARCH: {lib}}}}}\n    tags: [\"{prefix}/{name}:1\"]\n    stack: {{python: \"3.10\", cann: 8.0.RC2, torch_npu: 2.1.0.post6, numpy: 1.26.4}}\n    verify: [{{name: runs, run: \"true\"}}]\n")
    };
    let yaml = format!(
        "images:\n{}{}",
        image("arm", "aarch64"),
        image("mixed", "x86_64")
    );
    std::fs::write(dir.path().join("dockerfile-compose.yaml"), yaml).unwrap();
    let b = adf_engine(dir.path(), &["build"]);
    assert_eq!(b.code, 0, "{}\n{}", b.stdout, b.stderr);
    assert_eq!(
        docker_out(&[
            "image",
            "inspect",
            "--format",
            "{{.Architecture}}",
            &format!("{prefix}/arm:1")
        ]),
        "arm64"
    );

    // as on a host without an arm64 emulator (ADF_BINFMT_DIR stands for binfmt_misc)
    let no_binfmt = tempfile::tempdir().expect("tempdir");
    let no_binfmt = no_binfmt.path().to_str().expect("utf-8").to_string();
    let verify = |args: &[&str]| {
        adf_with(
            dir.path(),
            args,
            &[("ADF_DOCKER", &docker()), ("ADF_BINFMT_DIR", &no_binfmt)],
        )
    };
    let v = verify(&["verify", "--format", "json"]);
    let r: Value = serde_json::from_str(&v.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}\n{}", v.stdout, v.stderr));
    for name in [
        "python 3.10",
        "torch_npu 2.1.0.post6",
        "numpy 1.x under torch_npu",
        "CANN set_env.sh",
        "CANN version 8.0.RC2",
        "LD_LIBRARY_PATH entries exist",
    ] {
        assert_eq!(
            check(&r, "arm", name)["status"],
            "PASS",
            "{}",
            check(&r, "arm", name)
        );
    }
    let mixed = check(&r, "mixed", "LD_LIBRARY_PATH entries exist");
    assert_eq!(mixed["status"], "FAIL");
    assert!(
        mixed["detail"]
            .as_str()
            .unwrap()
            .contains("x86_64-linux/lib64 is for x86_64, but the image is linux/arm64"),
        "{mixed}"
    );
    for (name, why) in [
        ("verify: runs", "cannot run on this linux/amd64 host"),
        ("pip check", "no qemu-aarch64 binfmt emulator"),
    ] {
        let c = check(&r, "arm", name);
        assert_eq!(c["status"], "SKIPPED", "{c}");
        assert!(c["detail"].as_str().unwrap().contains(why), "{c}");
    }
    assert_eq!(
        v.code, 1,
        "mixed fails; skips alone would not: {}",
        v.stderr
    );
    let arm_only = verify(&["verify", "--target", "arm"]);
    assert_eq!(arm_only.code, 0, "{}", arm_only.stdout);
    cleanup(&prefix);
}
