//! Hostile input never panics: truncated, binary, deeply nested and huge-alias YAML all end in
//! exit 2 with a diagnostic.

mod common;
use common::{adf, fixture, project};

fn check_bytes(bytes: &[u8]) -> common::Output {
    let dir = tempfile::tempdir().expect("tmp");
    std::fs::write(dir.path().join("dockerfile-compose.yaml"), bytes).expect("write");
    adf(dir.path(), &["check"])
}

fn assert_bad_input(out: &common::Output, what: &str) {
    assert_eq!(out.code, 2, "{what}: {}", out.stderr);
    assert!(
        !out.stderr.contains("panicked"),
        "{what} panicked: {}",
        out.stderr
    );
    assert!(
        out.stderr.contains("error["),
        "{what}: no diagnostic: {}",
        out.stderr
    );
}

#[test]
fn every_truncation_of_a_real_file_is_handled() {
    let text = std::fs::read_to_string(fixture("stack17").join("dockerfile-compose.yaml"))
        .expect("fixture");
    let dir = project(&[]);
    // copy the Dockerfiles so truncations that stay valid YAML go on to the later checks
    let src = fixture("stack17").join("dockerfiles");
    std::fs::create_dir_all(dir.path().join("dockerfiles")).expect("mkdir");
    for e in std::fs::read_dir(src).expect("dir").flatten() {
        std::fs::copy(e.path(), dir.path().join("dockerfiles").join(e.file_name())).expect("copy");
    }
    let mut cut = 0;
    while cut < text.len() {
        if text.is_char_boundary(cut) {
            std::fs::write(dir.path().join("dockerfile-compose.yaml"), &text[..cut])
                .expect("write");
            let out = adf(dir.path(), &["check"]);
            assert!(
                out.code == 0 || out.code == 2,
                "cut at {cut}: exit {} {}",
                out.code,
                out.stderr
            );
            assert!(
                !out.stderr.contains("panicked"),
                "cut at {cut}: {}",
                out.stderr
            );
        }
        cut += 97;
    }
}

#[test]
fn binary_input() {
    let bytes: Vec<u8> = (0..4096u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    assert_bad_input(&check_bytes(&bytes), "binary");
    assert_bad_input(
        &check_bytes(b"images:\n  a:\n    tags: [\"\x00\x01\"]\n"),
        "control characters",
    );
}

#[test]
fn deeply_nested_input() {
    let flow = format!("images: {}{}", "[".repeat(100_000), "]".repeat(100_000));
    assert_bad_input(&check_bytes(flow.as_bytes()), "deep flow nesting");
    let mut block = String::from("images:\n");
    for depth in 1..2000 {
        block.push_str(&" ".repeat(depth));
        block.push_str("- \n");
    }
    assert_bad_input(&check_bytes(block.as_bytes()), "deep block nesting");
}

#[test]
fn alias_bomb() {
    let mut src = String::from("x-a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
    for i in 1..15 {
        let p = i - 1;
        src.push_str(&format!("x-a{i}: &a{i} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}]\n"));
    }
    src.push_str("images: {}\n");
    assert_bad_input(&check_bytes(src.as_bytes()), "alias bomb");
}

#[test]
fn wrong_shapes_everywhere() {
    for yaml in [
        "[1, 2]",
        "images: [a, b]",
        "images:\n  a: 3",
        "images:\n  a:\n    build: [x]\n    tags: 3",
        "images:\n  a:\n    tags: {x: y}\n    depends_on: 7\n    matrix: [1]",
        "images:\n  a:\n    build: {args: {A: [1]}}\n    tags: [a/b]",
        "images:\n  a:\n    installers: [{sha256: x}]\n    verify: [{expect: y}]\n    tags: [a/b]",
        "a: b\n---\nc: d\n",
        "images: !!binary aGVsbG8=",
        "images:\n  ? [complex, key]\n  : 1\n",
    ] {
        let out = check_bytes(yaml.as_bytes());
        assert_bad_input(&out, yaml);
    }
}

#[test]
fn empty_file() {
    assert_bad_input(&check_bytes(b""), "empty");
    assert_bad_input(&check_bytes(b"# nothing\n"), "comment only");
}
