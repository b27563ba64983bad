//! The catalog's CANN recipe really builds on the local engine, on a busybox base made offline,
//! with a fake self-extracting toolkit installer: no installer byte ends up in a layer, the env
//! paths the recipe sets exist, and a component asked for without its installer fails the build.

mod common;
use common::*;
use std::path::Path;

const PAYLOAD_BYTES: usize = 6 * 1024 * 1024;

fn arch() -> &'static str {
    if cfg!(target_arch = "aarch64") {
        "aarch64"
    } else {
        "x86_64"
    }
}

/// A shell installer honouring `--install --quiet --install-for-all --install-path=DIR` that lays
/// out `<DIR>/ascend-toolkit/<version>/` with a version file, and `<DIR>/ascend-toolkit/set_env.sh`,
/// followed by an incompressible payload (as real `.run` files carry their archive).
fn fake_toolkit(version: &str) -> Vec<u8> {
    let script = format!(
        r#"#!/bin/sh
path=/usr/local/Ascend
for a in "$@"; do
  case "$a" in
    --install-path=*) path=${{a#--install-path=}} ;;
    --install|--quiet|--install-for-all|--full) ;;
    *) echo "fake toolkit: unknown option $a" >&2; exit 2 ;;
  esac
done
home=$path/ascend-toolkit/{version}
mkdir -p "$home/lib64" "$home/bin" "$home/python/site-packages" "$home/opp" "$home/$(uname -m)-linux/devlib"
echo "Version={version}" > "$home/version.cfg"
ln -sfn {version} "$path/ascend-toolkit/latest"
printf 'export ASCEND_TOOLKIT_HOME=%s\n' "$path/ascend-toolkit/latest" > "$path/ascend-toolkit/set_env.sh"
exit 0
"#
    );
    let mut bytes = script.into_bytes();
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    bytes.extend((0..PAYLOAD_BYTES).map(|_| {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        (x >> 24) as u8
    }));
    bytes
}

fn catalog_project(prefix: &str, components: &str, declare_installers: bool) -> tempfile::TempDir {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("catalog");
    let dir = tempfile::tempdir().expect("tmp");
    std::fs::create_dir_all(dir.path().join("dockerfiles")).expect("mkdir");
    std::fs::copy(
        root.join("dockerfiles/cann.dockerfile"),
        dir.path().join("dockerfiles/cann.dockerfile"),
    )
    .expect("copy");
    let scripts = dir.path().join("scripts");
    std::fs::create_dir_all(&scripts).expect("mkdir");
    for e in std::fs::read_dir(root.join("scripts"))
        .expect("scripts")
        .flatten()
    {
        std::fs::copy(e.path(), scripts.join(e.file_name())).expect("copy");
    }
    std::fs::create_dir_all(dir.path().join("packages")).expect("mkdir");
    std::fs::write(
        dir.path().join(format!(
            "packages/Ascend-cann-toolkit_8.2.RC1_linux-{}.run",
            arch()
        )),
        fake_toolkit("8.2.RC1"),
    )
    .expect("installer");
    let installers = if declare_installers {
        "    installers:\n      - {path: \"packages/Ascend-cann-toolkit_8.2.RC1_linux-${ARCH}.run\"}\n      - {path: \"packages/Ascend-cann-nnal_8.2.RC1_linux-${ARCH}.run\", hint: \"download nnal 8.2.RC1 for ${ARCH}\"}\n"
    } else {
        ""
    };
    let yaml = format!(
        "build_flags: [--network, host]\nimages:\n  cann:\n    build:\n      context: .\n      dockerfile: dockerfiles/cann.dockerfile\n      args: {{BASE_IMAGE: \"adf-fixture/busybox:1\", CANN_VERSION: 8.2.RC1, CHIP_TYPE: 910b, INSTALL_COMPONENTS: \"{components}\"}}\n    tags: [\"{prefix}/cann:8.2rc1-910b\"]\n    stack: {{cann: 8.2.RC1, chip: 910b}}\n{installers}"
    );
    std::fs::write(dir.path().join("dockerfile-compose.yaml"), yaml).expect("yaml");
    dir
}

fn size(tag: &str) -> u64 {
    docker_out(&["image", "inspect", "--format", "{{.Size}}", tag])
        .parse()
        .expect("size")
}

#[test]
fn cann_recipe_builds_without_installer_bytes_and_its_env_paths_exist() {
    engine();
    let prefix = unique("cann");
    let dir = catalog_project(&prefix, "toolkit", false);
    let out = adf_engine(dir.path(), &["build"]);
    assert_eq!(out.code, 0, "{}\n{}", out.stdout, out.stderr);
    let tag = format!("{prefix}/cann:8.2rc1-910b");
    let grown = size(&tag) - size("adf-fixture/busybox:1");
    assert!(
        grown < (PAYLOAD_BYTES as u64) / 4,
        "the image grew by {grown} bytes: installer bytes were copied into a layer"
    );
    // every directory on PATH / LD_LIBRARY_PATH / PYTHONPATH / ASCEND_* exists in the image
    let env = docker_out(&[
        "image",
        "inspect",
        "--format",
        "{{join .Config.Env \"\\n\"}}",
        &tag,
    ]);
    let mut dirs = Vec::new();
    for line in env.lines() {
        let Some((k, v)) = line.split_once('=') else {
            continue;
        };
        if ["PATH", "LD_LIBRARY_PATH", "PYTHONPATH"].contains(&k)
            || (k.starts_with("ASCEND_") && k.ends_with("_PATH") || k == "ASCEND_TOOLKIT_HOME")
        {
            dirs.extend(v.split(':').filter(|d| !d.is_empty()).map(str::to_string));
        }
    }
    assert!(
        dirs.iter()
            .any(|d| d.contains("/usr/local/Ascend/ascend-toolkit")),
        "{env}"
    );
    let script = dirs
        .iter()
        .map(|d| format!("test -d '{d}' || echo MISSING {d};"))
        .collect::<String>();
    let missing = docker_out(&[
        "run",
        "--rm",
        "--network",
        "none",
        "--entrypoint",
        "/bin/sh",
        &tag,
        "-c",
        &script,
    ]);
    assert!(
        missing.is_empty(),
        "env paths missing in the image: {missing}"
    );
    let files = docker_out(&["run", "--rm", "--network", "none", "--entrypoint", "/bin/sh", &tag, "-c", "cat /usr/local/Ascend/ascend-toolkit/latest/version.cfg; test -f /usr/local/Ascend/ascend-toolkit/set_env.sh && echo set_env; ls /tmp/adf 2>/dev/null | wc -l"]);
    assert!(
        files.contains("Version=8.2.RC1") && files.contains("set_env"),
        "{files}"
    );
    // `adf verify` proves the same from outside the image, and the catalog's own verify: runs.
    let v = adf_engine(dir.path(), &["verify", "--format", "json"]);
    assert_eq!(v.code, 0, "{}\n{}", v.stdout, v.stderr);
    let r: serde_json::Value = serde_json::from_str(&v.stdout).expect("json");
    let checks = r["images"][0]["checks"].as_array().expect("checks").clone();
    for name in [
        "CANN set_env.sh",
        "CANN version 8.2.RC1",
        "PATH entries exist",
        "LD_LIBRARY_PATH entries exist",
        "PYTHONPATH entries exist",
    ] {
        let c = checks
            .iter()
            .find(|c| c["name"] == name)
            .unwrap_or_else(|| panic!("{name}: {checks:?}"));
        assert_eq!(c["status"], "PASS", "{c}");
    }
    cleanup(&prefix);
}

#[test]
fn a_component_without_its_installer_fails_the_build() {
    engine();
    let prefix = unique("cann-missing");
    let dir = catalog_project(&prefix, "toolkit,nnal", false);
    let out = adf_engine(dir.path(), &["build"]);
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(
        out.stderr.contains("missing CANN 8.2.RC1 installer"),
        "{}",
        out.stderr
    );
    assert!(image_id(&format!("{prefix}/cann:8.2rc1-910b")).is_none());
}

#[test]
fn declared_installers_are_checked_before_any_build() {
    engine();
    let prefix = unique("cann-preflight");
    let dir = catalog_project(&prefix, "toolkit,nnal", true);
    // check: the file is sound, the missing installer is listed with where to get it
    let check = adf_engine(dir.path(), &["check"]);
    assert_eq!(check.code, 0, "{}", check.stderr);
    assert!(
        check.stderr.contains("warning[missing-installer]")
            && check.stderr.contains("download nnal 8.2.RC1"),
        "{}",
        check.stderr
    );
    // build: exit 2, the list, nothing started
    let out = adf_engine(dir.path(), &["build"]);
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(
        out.stderr.contains("error[missing-installer]") && out.stderr.contains("nothing was built"),
        "{}",
        out.stderr
    );
    assert!(!dir.path().join(".adf/logs/cann.log").exists());
    // a corrupted installer (wrong sha256) is an error for check too
    let yaml = std::fs::read_to_string(dir.path().join("dockerfile-compose.yaml")).expect("yaml");
    let yaml = yaml.replace(
        "_linux-${ARCH}.run\"}\n      - {path: \"packages/Ascend-cann-nnal",
        &format!(
            "_linux-${{ARCH}}.run\", sha256: \"{}\"}}\n      - {{path: \"packages/Ascend-cann-nnal",
            "ab".repeat(32)
        ),
    );
    std::fs::write(dir.path().join("dockerfile-compose.yaml"), yaml).expect("yaml");
    let corrupt = adf_engine(dir.path(), &["check"]);
    assert_eq!(corrupt.code, 2, "{}", corrupt.stderr);
    assert!(
        corrupt.stderr.contains("error[installer-checksum]"),
        "{}",
        corrupt.stderr
    );
}
