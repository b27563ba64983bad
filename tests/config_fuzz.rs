//! A property test of the config reader: random mutations of the committed corpus
//! (`tests/fuzz/config/*.yaml`, plus the hostile corpus) and randomly generated files go through
//! `config::load`, `model::build` and the diagnostic renderer in-process. The property: every
//! input ends (within 5 s) in a project or diagnostics, never a panic or a stack overflow.
//!
//! Seeded and bounded: `ADF_FUZZ_SEED` (default: fixed, so CI is reproducible; `random` for a
//! new one each run) and `ADF_FUZZ_SECS` (default 20). A failing input is written to
//! `target/config-fuzz-failure.yaml` with its seed and case number, to add to the corpus.

use ascend_docker_factory::config::{self, VarSources};
use ascend_docker_factory::diag::{render_human, Diagnostics, Sources};
use ascend_docker_factory::model;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// xorshift64*: small, seedable, good enough to pick mutations.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

/// Pieces that matter to adf's reader: YAML structure, interpolation, adf keys, odd bytes.
const TOKENS: &[&str] = &[
    "${",
    "}",
    "${A:-",
    "$$",
    ": ",
    "- ",
    "[",
    "]",
    "{",
    "}",
    ",",
    "\n",
    "\n  ",
    "\n    ",
    "&a ",
    "*a",
    "<<: ",
    "<<: *a",
    "? ",
    "!!binary ",
    "---\n",
    "'",
    "\"",
    "\\",
    "#",
    "|\n",
    ">-\n",
    "images:",
    "depends_on: [",
    "matrix: {",
    "build: {context: .}",
    "tags: [x/a:1]",
    "args: {",
    "labels: {",
    "installers: [{path: ",
    "verify: [{run: x, expect: ",
    "allow_outside: true",
    "build_flags: [--tag, x]",
    "variables: {A: \"${B}\", B: \"${A}\"}",
    "HF_TOKEN: abc",
    "platforms: [linux/arm64, linux/amd64]",
    "secrets: [s]",
    "..",
    "/etc/passwd",
    "\u{feff}",
    "\u{1b}[2J",
    "\u{0}",
    "\r\n",
    "\t",
    "é",
    "名",
    "\u{202e}",
    "~",
    "null",
    "true",
    "0x1F",
    "99999999999999999999",
];

const KEYS: &[&str] = &[
    "images",
    "build",
    "context",
    "dockerfile",
    "args",
    "tags",
    "depends_on",
    "matrix",
    "variables",
    "secrets",
    "labels",
    "platforms",
    "installers",
    "path",
    "sha256",
    "verify",
    "run",
    "expect",
    "target",
    "base_arg",
    "build_flags",
    "registry",
    "cache_from",
    "cache_to",
    "stack",
    "runtime_deps",
    "allow_outside",
    "x-note",
    "no_cache",
];

/// A random YAML-ish tree with adf's keys.
fn generate(rng: &mut Rng, depth: usize, out: &mut String, indent: usize) {
    let pad = " ".repeat(indent);
    match rng.below(if depth > 5 { 3 } else { 6 }) {
        0 => out.push_str(&format!(" {}\n", rng.pick(TOKENS).replace('\n', " "))),
        1 => out.push_str(&format!(" \"${{{}}}\"\n", rng.pick(KEYS))),
        2 => out.push_str(&format!(" [{}, {}]\n", rng.pick(KEYS), rng.below(1000))),
        3 => {
            out.push('\n');
            for _ in 0..1 + rng.below(4) {
                out.push_str(&format!("{pad}- "));
                generate(rng, depth + 1, out, indent + 2);
            }
        }
        _ => {
            out.push('\n');
            for _ in 0..1 + rng.below(5) {
                out.push_str(&format!("{pad}{}:", rng.pick(KEYS)));
                generate(rng, depth + 1, out, indent + 2);
            }
        }
    }
}

fn mutate(rng: &mut Rng, seeds: &[Vec<u8>]) -> Vec<u8> {
    if rng.below(5) == 0 {
        let mut s = String::from("images:");
        generate(rng, 0, &mut s, 2);
        return s.into_bytes();
    }
    let mut data = rng.pick(seeds).clone();
    for _ in 0..1 + rng.below(8) {
        let at = rng.below(data.len() + 1);
        match rng.below(6) {
            0 if !data.is_empty() => {
                let i = at.min(data.len() - 1);
                data[i] ^= 1 << rng.below(8);
            }
            1 => {
                let end = (at + rng.below(64)).min(data.len());
                data.drain(at..end);
            }
            2 => {
                let end = (at + rng.below(64)).min(data.len());
                let piece = data[at..end].to_vec();
                let to = rng.below(data.len() + 1);
                data.splice(
                    to..to,
                    piece
                        .iter()
                        .copied()
                        .cycle()
                        .take(piece.len() * (1 + rng.below(4))),
                );
            }
            3 => {
                let other = rng.pick(seeds);
                let from = rng.below(other.len() + 1);
                let end = (from + rng.below(200)).min(other.len());
                data.splice(at..at, other[from..end].iter().copied());
            }
            _ => {
                let t = rng.pick(TOKENS).as_bytes().to_vec();
                data.splice(at..at, t);
            }
        }
    }
    data
}

fn seeds() -> Vec<Vec<u8>> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut out = Vec::new();
    for dir in ["tests/fuzz/config", "tests/hostile"] {
        let mut files: Vec<PathBuf> = std::fs::read_dir(root.join(dir))
            .expect("corpus")
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
            .filter(|p| std::fs::metadata(p).is_ok_and(|m| m.len() < 64 * 1024))
            .collect();
        files.sort();
        out.extend(files.iter().map(|f| std::fs::read(f).expect("seed")));
    }
    assert!(out.len() >= 4, "the fuzz corpus is missing");
    out
}

/// Reads `bytes` as the config of the project in `dir`, the way every command does.
fn read(dir: &Path, bytes: &[u8]) -> String {
    let path = dir.join("dockerfile-compose.yaml");
    std::fs::write(&path, bytes).expect("write");
    let mut diags = Diagnostics::default();
    let mut sources = Sources::default();
    let vars = VarSources::default();
    let project = config::load(&path, &mut sources, vars, "20240101000000", &mut diags)
        .map(|cfg| model::build(cfg, &mut sources, &mut diags));
    let text = render_human(&diags, &sources, false);
    format!(
        "{} images, {} bytes of diagnostics",
        project.map_or(0, |p| p.images.len()),
        text.len()
    )
}

#[test]
fn the_config_reader_never_panics_on_mutated_or_generated_files() {
    let seeds = seeds();
    let seed = match std::env::var("ADF_FUZZ_SEED").as_deref() {
        Ok("random") => {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(1, |d| d.as_nanos() as u64)
                | 1
        }
        Ok(s) => s.parse().expect("ADF_FUZZ_SEED is a number or `random`"),
        Err(_) => 0x00AD_F15E_ED00_0001,
    };
    let budget = Duration::from_secs(
        std::env::var("ADF_FUZZ_SECS")
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or(20),
    );
    let dir = tempfile::tempdir().expect("tmp");
    std::fs::write(
        dir.path().join("Dockerfile"),
        "ARG BASE_IMAGE=scratch\nFROM ${BASE_IMAGE}\n",
    )
    .expect("write");
    let mut rng = Rng(seed);
    let start = Instant::now();
    let mut cases = 0u64;
    while start.elapsed() < budget {
        let input = mutate(&mut rng, &seeds);
        cases += 1;
        // adf's main thread has 8 MB of stack; test threads have less: give the reader as much
        let (tx, rx) = std::sync::mpsc::channel();
        let (case_dir, case_input) = (dir.path().to_path_buf(), input.clone());
        let worker = std::thread::Builder::new()
            .stack_size(8 << 20)
            .spawn(move || {
                let r = std::panic::catch_unwind(|| read(&case_dir, &case_input));
                let _ = tx.send(r.map_err(|e| {
                    e.downcast_ref::<String>()
                        .cloned()
                        .or_else(|| e.downcast_ref::<&str>().map(|s| s.to_string()))
                        .unwrap_or_default()
                }));
            })
            .expect("thread");
        let failure = match rx.recv_timeout(Duration::from_secs(5)) {
            Ok(Ok(_)) => None,
            Ok(Err(panic)) => Some(format!("panicked: {panic}")),
            Err(_) => Some("still reading after 5 s".to_string()),
        };
        if let Some(why) = failure {
            let keep =
                Path::new(env!("CARGO_MANIFEST_DIR")).join("target/config-fuzz-failure.yaml");
            let _ = std::fs::write(&keep, &input);
            panic!(
                "case {cases} of seed {seed} {why}; the input is in {} (add it to tests/fuzz/config/)",
                keep.display()
            );
        }
        let _ = worker.join();
    }
    eprintln!(
        "config fuzz: {cases} cases in {:?} (seed {seed})",
        start.elapsed()
    );
    assert!(cases > 10, "only {cases} cases ran");
}
