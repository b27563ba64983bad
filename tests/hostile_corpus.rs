//! The hostile-input corpus (`tests/hostile/*.yaml`): every file, as the config of a fresh
//! project, through `check` and, when that passes, `plan --no-engine` (or the commands its
//! `# args:` lines give). Each run must exit 0 or 2 within 10 s and under 500 MB of address space, never panic,
//! and write nothing outside its temporary directory.
//!
//! A case file starts with optional comment lines the runner reads:
//! - `# setup: fifo PATH`, `# setup: dir PATH`, `# setup: file PATH TEXT` (`\n` escapes),
//!   `# setup: link PATH -> TARGET`, `# setup: big PATH MB` (a file of MB megabytes)
//! - `# args: ARG<TAB>ARG...`: one adf command line (repeatable) instead of the default three.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const LIMIT: Duration = Duration::from_secs(10);
/// `ulimit -v`, in KB: 500 MB of address space.
const MEMORY_KB: u64 = 500 * 1024;
/// Where a case that tries to escape would write (the corpus names it).
const SENTINEL: &str = "/tmp/adf-hostile-sentinel";

fn corpus() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/hostile");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("tests/hostile")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    files.sort();
    files
}

fn setup(project: &Path, line: &str) {
    let (what, rest) = line.split_once(' ').unwrap_or((line, ""));
    let at = |p: &str| project.join(p);
    match what {
        "fifo" => {
            let st = Command::new("mkfifo")
                .arg(at(rest))
                .status()
                .expect("mkfifo");
            assert!(st.success(), "mkfifo {rest}");
        }
        "dir" => std::fs::create_dir_all(at(rest)).expect("mkdir"),
        "file" => {
            let (path, text) = rest.split_once(' ').unwrap_or((rest, ""));
            std::fs::write(at(path), text.replace("\\n", "\n")).expect("write");
        }
        "link" => {
            let (path, target) = rest.split_once(" -> ").expect("link PATH -> TARGET");
            let _ = std::fs::remove_dir_all(at(path));
            std::os::unix::fs::symlink(target, at(path)).expect("symlink");
        }
        "big" => {
            let (path, mb) = rest.split_once(' ').expect("big PATH MB");
            let mb: usize = mb.parse().expect("MB");
            std::fs::write(at(path), "# padding line\n".repeat(mb * (1 << 20) / 15 + 1))
                .expect("write");
        }
        other => panic!("unknown setup `{other}`"),
    }
}

/// Runs adf under `ulimit -v`, killed after [`LIMIT`]: (exit code or signal, stderr, time).
fn run(project: &Path, home: &Path, args: &[String]) -> (Option<i32>, String, Duration) {
    let mut child = Command::new("sh")
        .arg("-c")
        .arg(format!("ulimit -v {MEMORY_KB} && exec \"$0\" \"$@\""))
        .arg(common::adf_bin())
        .args(args)
        .current_dir(project)
        .env_clear()
        .env("PATH", "/usr/bin:/bin")
        .env("HOME", home)
        .env("TMPDIR", home)
        .env("NO_COLOR", "1")
        .env("SOURCE_DATE_EPOCH", "1700000000")
        // no engine for the corpus: a command that needs one says so (exit 2)
        .env("ADF_DOCKER", "/nonexistent/docker")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("sh runs");
    let stderr = child.stderr.take().expect("stderr");
    let reader = std::thread::spawn(move || {
        use std::io::Read;
        let mut s = String::new();
        let _ = std::io::BufReader::new(stderr)
            .take(1 << 20)
            .read_to_string(&mut s);
        s
    });
    let start = Instant::now();
    let status = loop {
        if let Some(st) = child.try_wait().expect("wait") {
            break Some(st);
        }
        if start.elapsed() > LIMIT {
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    let elapsed = start.elapsed();
    let stderr = reader.join().unwrap_or_default();
    (status.and_then(|s| s.code()), stderr, elapsed)
}

/// Every path under `dir` (not following links), relative.
fn tree(dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            let p = e.path();
            out.push(p.strip_prefix(dir).unwrap_or(&p).display().to_string());
            if e.file_type().is_ok_and(|t| t.is_dir()) {
                stack.push(p);
            }
        }
    }
    out.sort();
    out
}

fn one_case(file: &Path) -> Vec<String> {
    let text = std::fs::read(file).expect("case");
    let name = file
        .file_name()
        .unwrap_or_default()
        .to_string_lossy()
        .into_owned();
    let root = tempfile::tempdir().expect("tmp");
    // the project is two levels down, so `../..` escapes land in `root`, where they are seen
    let project = root.path().join("w/p");
    let home = root.path().join("home");
    std::fs::create_dir_all(project.join("dockerfiles")).expect("mkdir");
    std::fs::create_dir_all(&home).expect("mkdir");
    std::fs::write(project.join("dockerfile-compose.yaml"), &text).expect("write");
    let df = "ARG BASE_IMAGE=scratch\nFROM ${BASE_IMAGE}\nARG PYTHON_VERSION\nCOPY . /app\n";
    std::fs::write(project.join("Dockerfile"), df).expect("write");
    std::fs::write(project.join("dockerfiles/app.dockerfile"), df).expect("write");
    let mut commands: Vec<Vec<String>> = Vec::new();
    for line in String::from_utf8_lossy(&text).lines() {
        if let Some(s) = line.strip_prefix("# setup: ") {
            setup(&project, s);
        } else if let Some(a) = line.strip_prefix("# args: ") {
            commands.push(a.split('\t').map(str::to_string).collect());
        } else if !line.starts_with('#') {
            break;
        }
    }
    // by default `check`, and when it passes `plan --no-engine` too (a file check refuses
    // stops every command at the same load, so running them all would only cost time)
    let default = commands.is_empty();
    if default {
        commands.push(vec!["check".to_string()]);
    }
    let before_root = tree(root.path());
    let mut problems = Vec::new();
    let mut i = 0;
    while i < commands.len() {
        let args = commands[i].clone();
        i += 1;
        let (code, stderr, took) = run(&project, &home, &args);
        if default && code == Some(0) && args[0] == "check" {
            commands.push(vec!["plan".to_string(), "--no-engine".to_string()]);
        }
        let what = format!(
            "{name}: adf {}",
            args.join(" ").chars().take(80).collect::<String>()
        );
        match code {
            None if took >= LIMIT => {
                problems.push(format!("{what}: still running after {LIMIT:?}"))
            }
            None => problems.push(format!(
                "{what}: killed by a signal (memory over {MEMORY_KB} KB?)\n{stderr}"
            )),
            Some(0 | 2) => {}
            Some(c) => problems.push(format!("{what}: exit {c}\n{stderr}")),
        }
        if stderr.contains("panicked") || stderr.contains("RUST_BACKTRACE") {
            problems.push(format!("{what}: panicked\n{stderr}"));
        }
    }
    // nothing new beside the project (its own `.adf` is fine), nothing at the sentinel
    let outside: Vec<String> = tree(root.path())
        .into_iter()
        .filter(|p| !p.starts_with("w/p/") && !p.starts_with("home/"))
        .filter(|p| !before_root.contains(p))
        .collect();
    if !outside.is_empty() {
        problems.push(format!("{name}: wrote outside the project: {outside:?}"));
    }
    if Path::new(SENTINEL).exists() {
        problems.push(format!("{name}: wrote {SENTINEL}"));
        let _ = std::fs::remove_dir_all(SENTINEL);
        let _ = std::fs::remove_file(SENTINEL);
    }
    problems
}

#[test]
fn every_hostile_file_ends_in_exit_0_or_2_quickly_and_writes_nothing_outside() {
    let files = corpus();
    assert!(files.len() >= 100, "the corpus has {} files", files.len());
    // two at a time: the machine is shared
    let (even, odd): (Vec<_>, Vec<_>) = files.iter().enumerate().partition(|(i, _)| i % 2 == 0);
    let half =
        |part: Vec<(usize, &PathBuf)>| part.into_iter().map(|(_, f)| f.clone()).collect::<Vec<_>>();
    let (a, b) = (half(even), half(odd));
    let other = std::thread::spawn(move || b.iter().flat_map(|f| one_case(f)).collect::<Vec<_>>());
    let mut problems: Vec<String> = a.iter().flat_map(|f| one_case(f)).collect();
    problems.extend(other.join().expect("worker"));
    assert!(
        problems.is_empty(),
        "{} problems:\n{}",
        problems.len(),
        problems.join("\n")
    );
}
