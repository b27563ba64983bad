//! The layout's promises, checked on the source tree: only `src/engine/` starts engine
//! processes, and command modules stay thin.

use std::path::Path;

fn rust_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("source dir").flatten() {
        let path = entry.path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

fn sources() -> Vec<(String, String)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    rust_files(&root.join("src"), &mut files);
    files.sort();
    files
        .into_iter()
        .map(|p| {
            let rel = p.strip_prefix(root).expect("under the root");
            let text = std::fs::read_to_string(&p).expect("readable");
            (rel.to_string_lossy().replace('\\', "/"), text)
        })
        .collect()
}

#[test]
fn only_the_engine_starts_processes() {
    let all = sources();
    assert!(all
        .iter()
        .any(|(p, t)| p.starts_with("src/engine/") && t.contains("Command::new")));
    let outside: Vec<&String> = all
        .iter()
        .filter(|(p, t)| !p.starts_with("src/engine/") && t.contains("Command::new"))
        .map(|(p, _)| p)
        .collect();
    assert!(
        outside.is_empty(),
        "processes started outside src/engine/: {outside:?}"
    );
}

#[test]
fn command_modules_stay_thin() {
    let fat: Vec<String> = sources()
        .iter()
        .filter(|(p, _)| p.starts_with("src/cli/"))
        .map(|(p, t)| (p, t.lines().count()))
        .filter(|(_, n)| *n > 200)
        .map(|(p, n)| format!("{p}: {n} lines"))
        .collect();
    assert!(fat.is_empty(), "move the work into src/ops/: {fat:?}");
}
