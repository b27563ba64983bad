//! What one adf run owns in the engine and on disk while it builds: hold tags (a new image until
//! its real tags are applied), pin tags (a parent's exact image, to build FROM) and temporary
//! directories. Each name carries this host and this process's id, so a later run can remove
//! what a run killed with SIGKILL left behind, and never what a live run still uses.

use super::DockerCli;
use crate::engine::process;
use std::sync::atomic::{AtomicU64, Ordering};

/// Repository of hold tags.
const HOLD_REPO: &str = "adf-hold/build";
/// Repository prefix of pin tags: `adf-pin/<image id hex>:<owner>`.
const PIN_REPO: &str = "adf-pin/";
/// Prefixes of the temporary directories adf creates (then `<pid>-`).
const TEMP_PREFIXES: &[&str] = &["adf-build-", "adf-wrap-", "adf-combine-", "adf-bake-"];

/// 8 hex digits naming this host and its pid namespace (tags are shared by every client of an
/// engine, containers on one socket included): only pids of the same namespace are compared.
fn host() -> &'static str {
    static HOST: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    HOST.get_or_init(|| {
        let name = std::fs::read_to_string("/proc/sys/kernel/hostname")
            .ok()
            .or_else(|| std::env::var("HOSTNAME").ok())
            .unwrap_or_default();
        let pid_ns = std::fs::read_link("/proc/self/ns/pid")
            .map(|p| p.display().to_string())
            .unwrap_or_default();
        let id = format!("{}\n{pid_ns}", name.trim());
        blake3::hash(id.as_bytes()).to_hex()[..8].to_string()
    })
}

/// `<host>-<pid>-<nanos>-<n>`: unique to this run and this call.
fn owner_tag() -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let n = COUNTER.fetch_add(1, Ordering::SeqCst);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    format!("{}-{}-{nanos}-{n}", host(), std::process::id())
}

/// A new hold tag of this run.
pub(super) fn hold_tag() -> String {
    format!("{HOLD_REPO}:{}", owner_tag())
}

/// A new pin tag of this run for image `id` (`sha256:<hex>`).
pub(super) fn pin_tag(id: &str) -> String {
    let hex: String = id
        .trim()
        .trim_start_matches("sha256:")
        .chars()
        .filter(|c| c.is_ascii_hexdigit())
        .map(|c| c.to_ascii_lowercase())
        .collect();
    format!("{PIN_REPO}{hex}:{}", owner_tag())
}

/// A temporary directory of this run: `<prefix><pid>-XXXXXX` (prefix from [`TEMP_PREFIXES`]),
/// private (0700) and removed when dropped.
pub(super) fn temp_dir(prefix: &str) -> std::io::Result<tempfile::TempDir> {
    tempfile::Builder::new()
        .prefix(&format!("{prefix}{}-", std::process::id()))
        .tempdir()
}

/// The process `pid` of this host is gone.
fn dead(pid: u32) -> bool {
    pid != std::process::id() && !std::path::Path::new(&format!("/proc/{pid}")).exists()
}

/// The owner part of a tag names this host and a process that is gone.
fn left_by_dead_run(tag: &str) -> bool {
    let Some((_, owner)) = tag.rsplit_once(':') else {
        return false;
    };
    let mut parts = owner.split('-');
    parts.next() == Some(host()) && parts.next().and_then(|p| p.parse().ok()).is_some_and(dead)
}

/// Removes the hold and pin tags and temporary directories of runs on this host that ended
/// without cleaning up (killed with SIGKILL, a crash). Best effort; how many were removed.
pub(super) fn remove_leftovers(cli: &DockerCli) -> usize {
    let mut removed = 0;
    let listed = process::output(cli.command().args([
        "image",
        "ls",
        "--filter",
        &format!("reference={HOLD_REPO}"),
        "--filter",
        &format!("reference={PIN_REPO}*"),
        "--format",
        "{{.Repository}}:{{.Tag}}",
    ]));
    if let Ok(out) = listed {
        let text = String::from_utf8_lossy(&out.stdout);
        let dead: Vec<&str> = text
            .lines()
            .map(str::trim)
            .filter(|t| left_by_dead_run(t))
            .collect();
        crate::engine::Engine::untag(cli, &dead);
        removed += dead.len();
    }
    let Ok(entries) = std::fs::read_dir(std::env::temp_dir()) else {
        return removed;
    };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let Some(rest) = TEMP_PREFIXES.iter().find_map(|p| name.strip_prefix(p)) else {
            continue;
        };
        let pid = rest.split('-').next().and_then(|p| p.parse::<u32>().ok());
        // only directories (never follow a link planted under the temp dir)
        let is_dir = entry.file_type().is_ok_and(|t| t.is_dir());
        if is_dir && pid.is_some_and(dead) && std::fs::remove_dir_all(entry.path()).is_ok() {
            removed += 1;
        }
    }
    removed
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_carry_the_owner() {
        let pin = pin_tag("sha256:ABCdef01\n");
        assert!(pin.starts_with("adf-pin/abcdef01:"), "{pin}");
        let hold = hold_tag();
        assert!(hold.starts_with("adf-hold/build:"), "{hold}");
        // this run's own tags are never leftovers
        assert!(!left_by_dead_run(&hold));
        let pid_gone = format!("adf-hold/build:{}-4194305-1-0", host());
        assert!(left_by_dead_run(&pid_gone));
        assert!(!left_by_dead_run("adf-hold/build:0000zzzz-4194305-1-0"));
        assert!(!left_by_dead_run("adf-hold/build"));
    }
}
