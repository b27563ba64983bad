//! `adf knowledge`: keep the compatibility knowledge current (`sync` from a package index's
//! JSON API into the user overlay) and say what is loaded (`status`).

use super::{print_json, TextFormat, EXIT_BAD_INPUT, EXIT_FAILED, EXIT_OK};
use crate::knowledge::sync::{self, HttpFetch, SyncError, DEFAULT_PACKAGES};
use crate::knowledge::{overlay, KnowledgeBase};
use clap::{Args, Subcommand};

#[derive(Args, Debug)]
pub struct KnowledgeArgs {
    #[command(subcommand)]
    pub command: KnowledgeCommand,
}

#[derive(Subcommand, Debug)]
pub enum KnowledgeCommand {
    /// Read release metadata from a package index (PyPI JSON API) into the user overlay
    #[command(after_help = SYNC_HELP)]
    Sync(SyncArgs),
    /// The built-in snapshot date, the overlay's date, index and counts
    Status(StatusArgs),
}

#[derive(Args, Debug)]
pub struct SyncArgs {
    /// The index's JSON API base (where /pypi/NAME/json answers) [env: ADF_PYPI_INDEX, else
    /// PIP_INDEX_URL without its trailing /simple]
    #[arg(long, value_name = "URL")]
    pub index: Option<String>,
    /// A project to sync (repeatable) [default: torch-npu vllm-ascend mindspore mindspeed
    /// mindspeed-llm mindspeed-rl triton-ascend]
    #[arg(long = "package", value_name = "NAME")]
    pub packages: Vec<String>,
    #[arg(long, value_enum, default_value_t = TextFormat::Text)]
    pub format: TextFormat,
}

#[derive(Args, Debug)]
pub struct StatusArgs {
    #[arg(long, value_enum, default_value_t = TextFormat::Text)]
    pub format: TextFormat,
}

pub const SYNC_HELP: &str = "\
Examples:
  adf knowledge sync --index https://mirror.example/pypi         the JSON API base of an index
  PIP_INDEX_URL=https://mirror.example/pypi/simple adf knowledge sync
  adf knowledge sync --index URL --package torch-npu --package vllm-ascend
  adf knowledge status

For each project, /pypi/NAME/json gives every release and its files (Python range and
platforms from the wheels that exist); releases adf's built-in data lacks are read from
/pypi/NAME/VERSION/json and the wheels' metadata (Requires-Dist: torch_npu X pins torch X, the
x86_64 wheels torch X+cpu). The overlay is written to the cache directory (ADF_CACHE_DIR, else
$XDG_CACHE_HOME/adf, else ~/.cache/adf) as knowledge-overlay.toml, atomically, with the date and
index as its source, and every adf command reads it after the built-in data.

Exit codes: 0 synced; 1 the index could not be reached or gave a bad answer (the old overlay is
left as it was); 2 no index given, a bad URL or name, or none of the projects is on the index.";

/// `--index`, else `ADF_PYPI_INDEX`, else `PIP_INDEX_URL` (its `/simple` dropped).
fn index_url(arg: &Option<String>) -> Option<String> {
    let env = |k: &str| std::env::var(k).ok().filter(|v| !v.trim().is_empty());
    arg.clone()
        .or_else(|| env("ADF_PYPI_INDEX"))
        .or_else(|| env("PIP_INDEX_URL"))
}

pub fn run(a: KnowledgeArgs) -> i32 {
    match a.command {
        KnowledgeCommand::Sync(s) => sync_cmd(s),
        KnowledgeCommand::Status(s) => status(s),
    }
}

fn sync_cmd(a: SyncArgs) -> i32 {
    let Some(url) = index_url(&a.index) else {
        eprintln!(
            "adf: no package index to sync from: pass `--index URL` (the JSON API base, where \
             URL/pypi/torch-npu/json answers), or set ADF_PYPI_INDEX or PIP_INDEX_URL"
        );
        return EXIT_BAD_INPUT;
    };
    let index = match sync::index_base(&url) {
        Ok(i) => i,
        Err(e) => {
            eprintln!("adf: {e}");
            return EXIT_BAD_INPUT;
        }
    };
    let names: Vec<String> = if a.packages.is_empty() {
        DEFAULT_PACKAGES.iter().map(|s| s.to_string()).collect()
    } else {
        a.packages.clone()
    };
    let mut packages = Vec::new();
    for n in &names {
        match sync::project_name(n) {
            Some(p) if !packages.contains(&p) => packages.push(p),
            Some(_) => {}
            None => {
                eprintln!("adf: `{n}` is not a package name");
                return EXIT_BAD_INPUT;
            }
        }
    }
    let Some(dest) = overlay::path() else {
        eprintln!("adf: no cache directory: set ADF_CACHE_DIR (or XDG_CACHE_HOME or HOME)");
        return EXIT_BAD_INPUT;
    };
    let date = sync::today();
    let fetch = HttpFetch::default();
    match sync::sync(
        KnowledgeBase::builtin(),
        &index,
        &packages,
        &date,
        &fetch,
        &dest,
    ) {
        Ok(report) => {
            match a.format {
                TextFormat::Json => print_json(&report),
                TextFormat::Text => {
                    for p in &report.packages {
                        if !p.found {
                            println!("{:<14} not on this index", p.name);
                            continue;
                        }
                        let new = if p.new_releases.is_empty() {
                            "none new to adf".to_string()
                        } else {
                            let shown: Vec<&str> =
                                p.new_releases.iter().take(8).map(String::as_str).collect();
                            let more = p.new_releases.len().saturating_sub(8);
                            format!(
                                "new to adf: {}{}",
                                shown.join(", "),
                                if more > 0 {
                                    format!(" +{more}")
                                } else {
                                    String::new()
                                }
                            )
                        };
                        println!("{:<14} {} releases; {new}", p.name, p.releases);
                        if p.skipped > 0 {
                            println!(
                                "{:<14} {} older new releases not read (at most {} per sync)",
                                "",
                                p.skipped,
                                sync::MAX_NEW_PER_PACKAGE
                            );
                        }
                    }
                    println!(
                        "synced {} from {} → {}",
                        report.date,
                        report.index,
                        report.path.display()
                    );
                }
            }
            EXIT_OK
        }
        Err(e) => {
            let code = match e {
                SyncError::BadInput(_) => EXIT_BAD_INPUT,
                SyncError::Network(_) | SyncError::BadAnswer(_) => EXIT_FAILED,
            };
            eprintln!("adf: knowledge sync failed: {e}");
            if dest.is_file() {
                eprintln!("adf: the overlay {} is unchanged", dest.display());
            }
            code
        }
    }
}

fn status(a: StatusArgs) -> i32 {
    let builtin = KnowledgeBase::builtin();
    let (releases, rules, sources) = builtin.counts();
    let snapshot = builtin.snapshot_date().unwrap_or("unknown").to_string();
    let path = overlay::path();
    let mut kb = builtin.clone();
    let overlay = match kb.add_overlay_if_present() {
        Ok(true) => Ok(kb.overlay().cloned()),
        Ok(false) => Ok(None),
        Err(e) => Err(e),
    };
    match a.format {
        TextFormat::Json => print_json(&serde_json::json!({
            "builtin": {"snapshot": snapshot, "releases": releases, "rules": rules, "sources": sources},
            "overlay": match &overlay { Ok(o) => serde_json::json!(o), Err(_) => serde_json::Value::Null },
            "overlay_path": path,
            "overlay_error": overlay.as_ref().err(),
        })),
        TextFormat::Text => {
            println!(
                "built-in knowledge: snapshot {snapshot} ({releases} releases, {rules} rules, {sources} sources)"
            );
            match &overlay {
                Ok(Some(o)) => println!(
                    "overlay: synced {} from {} ({} release rows, {} new versions): {}",
                    o.date, o.index, o.releases, o.new_releases, o.path
                ),
                Ok(None) => println!(
                    "overlay: none{} (run `adf knowledge sync`)",
                    path.map(|p| format!(" at {}", p.display()))
                        .unwrap_or_default()
                ),
                Err(e) => println!("overlay: cannot be used: {e}"),
            }
        }
    }
    if overlay.is_err() {
        EXIT_FAILED
    } else {
        EXIT_OK
    }
}
