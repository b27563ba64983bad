//! `runtime_deps:`: the entrypoint wrapper adf adds installs a wheel from a mounted wheelhouse
//! when a real container starts, does not install again when it restarts, and stops the
//! container with a message when a wheel is broken.

mod common;

use common::*;

/// Builds `adfprobe-1.0-py3-none-any.whl` (a module printing its version) into `dir` with the
/// fixture's own Python.
fn make_wheel(docker: &str, dir: &std::path::Path) {
    let script = r#"
import zipfile, hashlib, base64
files = {
    "adfprobe/__init__.py": "VERSION = '1.0'\n",
    "adfprobe-1.0.dist-info/METADATA": "Metadata-Version: 2.1\nName: adfprobe\nVersion: 1.0\n",
    "adfprobe-1.0.dist-info/WHEEL": "Wheel-Version: 1.0\nGenerator: adf-test\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
}
record = []
for name, text in files.items():
    digest = base64.urlsafe_b64encode(hashlib.sha256(text.encode()).digest()).rstrip(b"=").decode()
    record.append(f"{name},sha256={digest},{len(text.encode())}")
record.append("adfprobe-1.0.dist-info/RECORD,,")
files["adfprobe-1.0.dist-info/RECORD"] = "\n".join(record) + "\n"
with zipfile.ZipFile("/w/adfprobe-1.0-py3-none-any.whl", "w") as z:
    for name, text in files.items():
        z.writestr(name, text)
"#;
    let mount = format!("{}:/w", dir.display());
    let args = [
        "run",
        "--rm",
        "--network",
        "none",
        "-v",
        &mount,
        "adf-fixture/python:3",
        "python3",
        "-c",
        script,
    ];
    let (code, _, err) = docker_run_with(docker, &args);
    assert_eq!(code, 0, "{err}");
}

#[test]
fn wheels_install_once_at_start_and_a_broken_one_stops_the_container() {
    let docker = engine();
    engine_sh(&["fixtures-python"]);
    let prefix = unique("rtdeps");
    let dir = project(&[
        (
            "dockerfile-compose.yaml",
            &format!(
                "images:\n  app:\n    build: {{context: ., args: {{BASE_IMAGE: adf-fixture/python:3}}}}\n    tags: [\"{prefix}/app:1\"]\n    runtime_deps: {{wheelhouse: /opt/wheels}}\n"
            ),
        ),
        (
            "Dockerfile",
            "ARG BASE_IMAGE\nFROM ${BASE_IMAGE}\nENTRYPOINT [\"python3\", \"-c\"]\nCMD [\"import adfprobe; print('probe', adfprobe.VERSION)\"]\n",
        ),
    ]);
    let plan = adf(dir.path(), &["plan", "--no-engine"]);
    assert!(
        plan.stdout.contains(
            "+ layer /usr/local/bin/adf-runtime-deps: installs at start (wheelhouse /opt/wheels)"
        ),
        "{}",
        plan.stdout
    );
    let b = adf_engine(dir.path(), &["build"]);
    assert_eq!(b.code, 0, "{}", b.stderr);
    let image = format!("{prefix}/app:1");
    let entrypoint = docker_out(&[
        "image",
        "inspect",
        "--format",
        "{{json .Config.Entrypoint}} {{json .Config.Cmd}}",
        &image,
    ]);
    assert_eq!(
        entrypoint,
        r#"["/usr/local/bin/adf-runtime-deps","python3","-c"] ["import adfprobe; print('probe', adfprobe.VERSION)"]"#,
        "the image's own entrypoint and command are kept"
    );

    // without a wheelhouse the wrapper does nothing and the command runs (and fails: no module)
    let (code, _, err) = docker_run_with(&docker, &["run", "--rm", "--network", "none", &image]);
    assert_ne!(code, 0);
    assert!(err.contains("No module named 'adfprobe'"), "{err}");

    let wheels = tempfile::tempdir().expect("tempdir");
    make_wheel(&docker, wheels.path());
    let mount = format!("{}:/opt/wheels:ro", wheels.path().display());
    let name = format!("adf-rtdeps-{}", std::process::id());
    let (code, out, err) = docker_run_with(
        &docker,
        &[
            "run",
            "--name",
            &name,
            "--network",
            "none",
            "-v",
            &mount,
            &image,
        ],
    );
    assert_eq!(code, 0, "{out}\n{err}");
    assert!(
        err.contains("adf-runtime-deps: installed adfprobe-1.0"),
        "{err}"
    );
    assert_eq!(out.trim(), "probe 1.0");
    // a restart: the stamp says it is done, and nothing is said about installing
    let (code, out, err) = docker_run_with(&docker, &["start", "-a", &name]);
    assert_eq!(code, 0, "{out}\n{err}");
    assert!(!err.contains("installed"), "no reinstall on restart: {err}");
    assert_eq!(out.trim(), "probe 1.0");
    let _ = docker_run_with(&docker, &["rm", "-f", &name]);

    // a broken wheel stops the container with a message, before the service starts
    std::fs::write(
        wheels.path().join("broken-1.0-py3-none-any.whl"),
        "not a zip",
    )
    .unwrap();
    let (code, out, err) = docker_run_with(
        &docker,
        &["run", "--rm", "--network", "none", "-v", &mount, &image],
    );
    assert_ne!(code, 0, "{out}\n{err}");
    assert!(
        err.contains("adf-runtime-deps: pip install") && err.contains("the container stops"),
        "{err}"
    );
    assert!(!out.contains("probe"), "the command did not start: {out}");
    cleanup(&prefix);
}
