//! Build-time facts for `adf --version`: the git commit and the knowledge snapshot date.

use std::process::Command;

fn main() {
    println!("cargo:rerun-if-changed=.git/HEAD");
    println!("cargo:rerun-if-changed=.git/refs");
    println!("cargo:rerun-if-changed=knowledge/compat.toml");
    let sha = Command::new("git")
        .args(["rev-parse", "--short", "HEAD"])
        .output()
        .ok()
        .filter(|o| o.status.success())
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "unknown".to_string());
    println!("cargo:rustc-env=ADF_GIT_SHA={sha}");
    let date = std::fs::read_to_string("knowledge/compat.toml")
        .ok()
        .and_then(|text| {
            text.lines().find_map(|l| {
                let rest = l.trim().strip_prefix("snapshot")?.trim_start();
                let value = rest.strip_prefix('=')?.trim();
                let value = value.strip_prefix('"')?;
                Some(value[..value.find('"')?].to_string())
            })
        })
        .unwrap_or_else(|| "unknown".to_string());
    println!("cargo:rustc-env=ADF_KNOWLEDGE_DATE={date}");
}
