//! Global options and the generator commands: --color, -q, --progress, completions, man.

mod common;
use common::*;

const BROKEN: &str =
    "images:\n  a:\n    build: {context: .}\n    depends_on: [nope]\n    tags: [x/a:1]\n";

fn broken_check(args: &[&str], env: &[(&str, &str)]) -> Output {
    let dir = project(&[
        ("dockerfile-compose.yaml", BROKEN),
        ("Dockerfile", "FROM scratch\n"),
    ]);
    let mut all = args.to_vec();
    all.push("check");
    let out = adf_with(dir.path(), &all, env);
    assert_eq!(out.code, 2, "{}", out.stderr);
    out
}

fn ansi(s: &str) -> bool {
    s.contains("\u{1b}[")
}

#[test]
fn color_flag_and_environment() {
    let plain_env = [("NO_COLOR", ""), ("TERM", "xterm")];
    let out = broken_check(&["--color", "always"], &[("TERM", "xterm")]);
    assert!(
        ansi(&out.stderr),
        "--color always (even with NO_COLOR=1): {}",
        out.stderr
    );
    let out = broken_check(
        &["--color", "never"],
        &[("NO_COLOR", ""), ("CLICOLOR_FORCE", "1")],
    );
    assert!(!ansi(&out.stderr), "--color never: {}", out.stderr);
    let out = broken_check(&[], &[("NO_COLOR", "1"), ("CLICOLOR_FORCE", "1")]);
    assert!(!ansi(&out.stderr), "NO_COLOR=1: {}", out.stderr);
    let out = broken_check(
        &[],
        &[("NO_COLOR", ""), ("CLICOLOR_FORCE", "1"), ("TERM", "xterm")],
    );
    assert!(ansi(&out.stderr), "CLICOLOR_FORCE=1: {}", out.stderr);
    // auto, not a terminal: none
    let out = broken_check(&[], &plain_env);
    assert!(!ansi(&out.stderr), "auto, not a TTY: {}", out.stderr);
    // the flag works after the subcommand too (global)
    let dir = project(&[
        ("dockerfile-compose.yaml", BROKEN),
        ("Dockerfile", "FROM scratch\n"),
    ]);
    let out = adf_with(dir.path(), &["check", "--color=always"], &[]);
    assert!(ansi(&out.stderr), "{}", out.stderr);
}

#[test]
fn quiet_suppresses_notes_but_not_data() {
    let dir = fixture("stack17");
    let loud = adf(&dir, &["plan", "--no-engine"]);
    assert_eq!(loud.code, 0, "{}", loud.stderr);
    assert!(loud.stderr.contains("adf: "), "{}", loud.stderr);
    let quiet = adf(&dir, &["-q", "plan", "--no-engine"]);
    assert_eq!(quiet.code, 0, "{}", quiet.stderr);
    assert!(
        !quiet.stderr.lines().any(|l| l.starts_with("adf:")),
        "{}",
        quiet.stderr
    );
    assert_eq!(quiet.stdout, loud.stdout);
    // errors still print
    let dir = project(&[
        ("dockerfile-compose.yaml", BROKEN),
        ("Dockerfile", "FROM scratch\n"),
    ]);
    let out = adf(dir.path(), &["--quiet", "check"]);
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("nope"), "{}", out.stderr);
}

#[test]
fn completions_and_man_need_no_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = adf(dir.path(), &["completions", "bash"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let head: Vec<&str> = out.stdout.lines().take(10).collect();
    insta::assert_snapshot!("completions_bash_head", head.join("\n"));
    for shell in ["zsh", "fish", "powershell"] {
        let out = adf(dir.path(), &["completions", shell]);
        assert_eq!(out.code, 0, "{shell}: {}", out.stderr);
        assert!(out.stdout.contains("adf"), "{shell}");
    }
    let bad = adf(dir.path(), &["completions", "tcsh"]);
    assert_eq!(bad.code, 2);

    let man = adf(dir.path(), &["man"]);
    assert_eq!(man.code, 0, "{}", man.stderr);
    // clap_mangen opens with its two-line `Aq` string preamble, then the title
    let first = man
        .stdout
        .lines()
        .find(|l| !l.starts_with(".ie") && !l.starts_with(".el"))
        .expect("a line");
    assert!(first.starts_with(".TH adf 1"), "{}", &man.stdout[..200]);
    assert!(
        man.stdout.contains("\\-\\-color"),
        "global options are documented"
    );
}

#[test]
fn progress_quiet_build_prints_no_image_lines() {
    let _ = engine();
    let prefix = unique("progressq");
    let yaml = format!(
        "build_flags: [--network, host]\nimages:\n  one:\n    build: {{context: ., args: {{BASE_IMAGE: adf-fixture/busybox:1}}}}\n    tags: [\"{prefix}/one:1\"]\n"
    );
    let dir = project(&[
        ("dockerfile-compose.yaml", &yaml),
        (
            "Dockerfile",
            "ARG BASE_IMAGE\nFROM ${BASE_IMAGE}\nRUN echo hi > /hi.txt\n",
        ),
    ]);
    let out = adf_engine(dir.path(), &["build", "--progress", "quiet"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        !out.stderr.lines().any(|l| l.starts_with('[')),
        "{}",
        out.stderr
    );
    assert!(
        out.stdout.contains("one"),
        "the summary table stays: {}",
        out.stdout
    );

    // plain: timestamped `[image]` lines
    let out = adf_engine(dir.path(), &["build", "--force", "--progress", "plain"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let stamped = regex::Regex::new(r"^\d\d:\d\d:\d\d \[one\] ").expect("re");
    assert!(
        out.stderr.lines().any(|l| stamped.is_match(l)),
        "{}",
        out.stderr
    );
    cleanup(&prefix);
}
