//! Faults around adf rather than in the file (issue 15, items 8, 11 and 12): a wedged engine
//! socket, closed or full output streams, SIGTERM and SIGHUP during a build, and what a run
//! killed with SIGKILL leaves behind.

mod common;
use common::*;
use std::os::unix::process::ExitStatusExt;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const FIXTURE_BASE: &str = "adf-fixture/busybox:1";

/// root, then `slow` on it (a RUN that sleeps `secs`).
fn slow_stack(prefix: &str, secs: u32) -> tempfile::TempDir {
    let yaml = format!(
        "build_flags: [--network, none]\nimages:\n  root:\n    build: {{context: root, args: {{BASE_IMAGE: {FIXTURE_BASE}}}}}\n    tags: [\"{prefix}/root:1\"]\n  slow:\n    depends_on: [root]\n    build: {{context: slow}}\n    tags: [\"{prefix}/slow:1\"]\n"
    );
    let df = "ARG BASE_IMAGE\nFROM ${BASE_IMAGE}\nCOPY . /ctx/\n";
    project(&[
        ("dockerfile-compose.yaml", &yaml),
        ("root/Dockerfile", df),
        ("root/x", prefix),
        (
            "slow/Dockerfile",
            &format!("{df}RUN echo {prefix} && sleep {secs}\n"),
        ),
    ])
}

/// `(pid, ppid, process group)` of every process.
fn processes() -> Vec<(u32, u32, i32)> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir("/proc").expect("proc").flatten() {
        let Ok(pid) = entry.file_name().to_string_lossy().parse::<u32>() else {
            continue;
        };
        let Ok(stat) = std::fs::read_to_string(entry.path().join("stat")) else {
            continue;
        };
        let Some((_, rest)) = stat.rsplit_once(')') else {
            continue;
        };
        let f: Vec<&str> = rest.split_whitespace().collect();
        if let (Some(ppid), Some(pgrp)) = (f.get(1), f.get(2)) {
            out.push((pid, ppid.parse().unwrap_or(0), pgrp.parse().unwrap_or(0)));
        }
    }
    out
}

/// The local tags of adf's own (hold and pin) that carry `pid` as their owner.
fn owned_tags(pid: u32) -> Vec<String> {
    let listed = docker_out(&[
        "image",
        "ls",
        "--filter",
        "reference=adf-hold/build",
        "--filter",
        "reference=adf-pin/*",
        "--format",
        "{{.Repository}}:{{.Tag}}",
    ]);
    listed
        .lines()
        .filter(|t| t.contains(&format!("-{pid}-")))
        .map(str::to_string)
        .collect()
}

fn temp_dirs(pid: u32) -> Vec<String> {
    std::fs::read_dir(std::env::temp_dir())
        .expect("tmp")
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(&format!("adf-build-{pid}-")))
        .collect()
}

/// Starts `adf build` and waits until `slow` builds FROM the pin of root's image.
fn start_slow_build(dir: &std::path::Path) -> Child {
    let child = Command::new(adf_bin())
        .args(["build", "--progress", "plain"])
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env("ADF_DOCKER", docker())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("adf runs");
    let log = dir.join(".adf/logs/slow.log");
    let start = Instant::now();
    while !std::fs::read_to_string(&log).is_ok_and(|l| l.contains("sleep")) {
        assert!(
            start.elapsed() < Duration::from_secs(60),
            "slow never started"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    std::thread::sleep(Duration::from_millis(500));
    child
}

fn signal(pid: u32, sig: &str) {
    let st = Command::new("kill")
        .args([&format!("-{sig}"), &pid.to_string()])
        .status()
        .expect("kill");
    assert!(st.success());
}

#[test]
fn sigterm_and_sighup_stop_the_build_like_ctrl_c() {
    engine();
    for (sig, code) in [("TERM", 143), ("HUP", 129)] {
        let prefix = unique(&format!("sig{}", sig.to_lowercase()));
        let dir = slow_stack(&prefix, 60);
        let mut child = start_slow_build(dir.path());
        let pid = child.id();
        let clients: Vec<i32> = processes()
            .into_iter()
            .filter(|p| p.1 == pid)
            .map(|p| p.2)
            .collect();
        assert!(!clients.is_empty(), "no engine client under adf");
        assert!(!owned_tags(pid).is_empty(), "slow builds FROM a pin tag");
        assert!(!temp_dirs(pid).is_empty());
        signal(pid, sig);
        let started = Instant::now();
        let status = loop {
            if let Some(st) = child.try_wait().expect("wait") {
                break st;
            }
            if started.elapsed() > Duration::from_secs(30) {
                let _ = child.kill();
                panic!("SIG{sig}: adf did not stop");
            }
            std::thread::sleep(Duration::from_millis(100));
        };
        assert_eq!(
            (status.code(), status.signal()),
            (Some(code), None),
            "SIG{sig}: exit 128 + signal"
        );
        // the engine clients (and their process groups) are gone, and so are the pin tag and
        // the temporary directory
        let left: Vec<(u32, u32, i32)> = processes()
            .into_iter()
            .filter(|p| clients.contains(&p.2))
            .collect();
        assert!(left.is_empty(), "SIG{sig}: left running: {left:?}");
        assert_eq!(owned_tags(pid), Vec::<String>::new(), "SIG{sig}");
        assert_eq!(temp_dirs(pid), Vec::<String>::new(), "SIG{sig}");
        assert_eq!(image_id(&format!("{prefix}/slow:1")), None);
        cleanup(&prefix);
    }
}

#[test]
fn a_later_run_removes_what_a_run_killed_with_sigkill_left() {
    engine();
    let prefix = unique("sigkill");
    let dir = slow_stack(&prefix, 60);
    let mut child = start_slow_build(dir.path());
    let pid = child.id();
    let clients: Vec<(u32, u32, i32)> = processes().into_iter().filter(|p| p.1 == pid).collect();
    signal(pid, "KILL");
    let _ = child.wait();
    // the orphaned client too, as a CI runner tearing the job down would (its own group only,
    // never this test's)
    // SAFETY: getpgrp(2) has no arguments
    let own = unsafe { libc::getpgrp() };
    for (client, _, group) in clients {
        let target = if group == own {
            client.to_string()
        } else {
            format!("-{group}")
        };
        let _ = Command::new("kill").args(["-KILL", "--", &target]).status();
    }
    assert!(
        !owned_tags(pid).is_empty(),
        "the killed run left its pin tag"
    );
    assert!(
        !temp_dirs(pid).is_empty(),
        "the killed run left its temp dir"
    );
    let out = adf_engine(dir.path(), &["build", "root"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(owned_tags(pid), Vec::<String>::new());
    assert_eq!(temp_dirs(pid), Vec::<String>::new());
    cleanup(&prefix);
}

/// A unix socket that accepts connections and never answers.
fn wedged_socket() -> (String, std::thread::JoinHandle<()>) {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    let path = std::env::temp_dir().join(format!("adf-wedged-{}-{nanos}.sock", std::process::id()));
    let listener = std::os::unix::net::UnixListener::bind(&path).expect("bind");
    let handle = std::thread::spawn(move || {
        let mut held = Vec::new();
        for conn in listener.incoming().flatten() {
            held.push(conn);
        }
    });
    (path.display().to_string(), handle)
}

#[test]
fn a_wedged_engine_socket_is_exit_2_naming_it_within_seconds() {
    let (socket, _server) = wedged_socket();
    let dir = project(&[
        (
            "dockerfile-compose.yaml",
            "images:\n  a:\n    build: {context: .}\n    tags: [adf-test/wedged:1]\n",
        ),
        ("Dockerfile", "FROM scratch\n"),
        ("in.tar", "not an archive"),
    ]);
    let host = format!("unix://{socket}");
    let cases: [&[&str]; 6] = [
        &["build"],
        &["verify"],
        &["push", "--no-verify"],
        &["save", "adf-test/wedged:1", "-o", "out.tar"],
        &["load", "-i", "in.tar"],
        &["login", "127.0.0.1:5120", "-u", "u", "--password-stdin"],
    ];
    for args in cases {
        let mut child = Command::new(adf_bin())
            .args(args)
            .current_dir(dir.path())
            .env("NO_COLOR", "1")
            .env("ADF_DOCKER", docker())
            .env("DOCKER_HOST", &host)
            .env("ADF_ENGINE_TIMEOUT", "2")
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("adf runs");
        if let Some(mut stdin) = child.stdin.take() {
            let _ = std::io::Write::write_all(&mut stdin, b"password\n");
        }
        let started = Instant::now();
        let status = loop {
            if let Some(st) = child.try_wait().expect("wait") {
                break st;
            }
            if started.elapsed() > Duration::from_secs(30) {
                let _ = child.kill();
                panic!("adf {args:?} hangs on a wedged engine socket");
            }
            std::thread::sleep(Duration::from_millis(100));
        };
        let mut stderr = String::new();
        if let Some(mut e) = child.stderr.take() {
            let _ = std::io::Read::read_to_string(&mut e, &mut stderr);
        }
        assert!(
            started.elapsed() < Duration::from_secs(15),
            "adf {args:?}: {:?}",
            started.elapsed()
        );
        assert_eq!(status.code(), Some(2), "adf {args:?}: {stderr}");
        assert!(stderr.contains(&host), "adf {args:?}: {stderr}");
    }
}

/// Runs `adf ARGS` with `stdout` as its standard output.
fn adf_to(stdout: Stdio, args: &[&str]) -> (Option<i32>, String) {
    let out = Command::new(adf_bin())
        .args(args)
        .env("NO_COLOR", "1")
        .env("RUST_BACKTRACE", "1")
        .stdout(stdout)
        .stderr(Stdio::piped())
        .output()
        .expect("adf runs");
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn a_closed_or_full_stdout_ends_quietly() {
    // a pipe whose reader is gone before adf writes (`adf list | head -0`)
    let (reader, writer) = {
        let mut fds = [0; 2];
        // SAFETY: pipe(2) fills two descriptors that are owned right below
        assert_eq!(unsafe { libc::pipe(fds.as_mut_ptr()) }, 0);
        use std::os::fd::FromRawFd;
        // SAFETY: fresh descriptors from pipe(2), owned once each
        unsafe {
            (
                std::fs::File::from_raw_fd(fds[0]),
                std::fs::File::from_raw_fd(fds[1]),
            )
        }
    };
    drop(reader);
    let (code, stderr) = adf_to(Stdio::from(writer), &["--catalog", "list"]);
    assert_eq!(code, Some(141), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(!stderr.contains("Broken pipe"), "{stderr}");

    // a full disk (`adf plan > /dev/full`)
    let full = std::fs::OpenOptions::new()
        .write(true)
        .open("/dev/full")
        .expect("/dev/full");
    let (code, stderr) = adf_to(Stdio::from(full), &["--catalog", "plan", "--no-engine"]);
    assert_eq!(code, Some(1), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(
        stderr.contains("adf: error: cannot write to stdout: No space left on device"),
        "{stderr}"
    );
}

#[test]
fn an_environment_secret_reaches_the_build_and_nothing_else() {
    engine();
    let prefix = unique("envsecret");
    let yaml = format!(
        "build_flags: [--network, none]\nsecrets:\n  token: {{environment: ADF_TEST_SECRET_TOKEN}}\nimages:\n  a:\n    build: {{context: ., args: {{BASE_IMAGE: {FIXTURE_BASE}}}, secrets: [token], no_cache: true}}\n    tags: [\"{prefix}/a:1\"]\n"
    );
    let dir = project(&[
        ("dockerfile-compose.yaml", &yaml),
        (
            "Dockerfile",
            "ARG BASE_IMAGE\nFROM ${BASE_IMAGE}\nRUN --mount=type=secret,id=token wc -c < /run/secrets/token > /len\n",
        ),
    ]);
    // a secret mount does not change BuildKit's cache key: no_cache above keeps a layer cached
    // by an earlier run (another value, another length) out of this one
    let value = format!("s3cr3t-{:010}", std::process::id());
    let out = adf_with(
        dir.path(),
        &["build"],
        &[("ADF_DOCKER", &docker()), ("ADF_TEST_SECRET_TOKEN", &value)],
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    let len = docker_out(&["run", "--rm", &format!("{prefix}/a:1"), "cat", "/len"]);
    assert_eq!(len.trim(), value.len().to_string());
    let log = std::fs::read_to_string(dir.path().join(".adf/logs/a.log")).expect("log");
    assert!(
        log.contains("--secret id=token,env=ADF_TEST_SECRET_TOKEN"),
        "{log}"
    );
    assert!(!log.contains(&value));
    let history = docker_out(&["history", "--no-trunc", &format!("{prefix}/a:1")]);
    assert!(!history.contains(&value));
    cleanup(&prefix);
}
