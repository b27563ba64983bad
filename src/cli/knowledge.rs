//! `adf knowledge`: keep the compatibility knowledge current (`sync` from a package index's
//! JSON API into the user overlay) and say what is loaded (`status`).

use super::{print_json, TextFormat, EXIT_BAD_INPUT, EXIT_FAILED, EXIT_OK};
use crate::knowledge::sync::{self, http::HttpFetch, inputs, SyncError};
use crate::knowledge::{overlay, KnowledgeBase};
use clap::{Args, Subcommand};

/// Keep the compatibility knowledge current: `sync` from a package index, `status`
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

pub fn run(a: KnowledgeArgs) -> i32 {
    match a.command {
        KnowledgeCommand::Sync(s) => sync_cmd(s),
        KnowledgeCommand::Status(s) => status(s),
    }
}

fn sync_cmd(a: SyncArgs) -> i32 {
    let input = inputs::resolve_index(a.index.as_deref(), |k| std::env::var(k).ok())
        .and_then(|index| Ok((index, inputs::resolve_packages(&a.packages)?)));
    let (index, packages) = match input {
        Ok(x) => x,
        Err(e) => {
            eprintln!("adf: {e}");
            return EXIT_BAD_INPUT;
        }
    };
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
    let st = overlay::status();
    match a.format {
        TextFormat::Json => print_json(&st),
        TextFormat::Text => {
            println!(
                "built-in knowledge: snapshot {} ({} releases, {} rules, {} sources)",
                st.snapshot, st.releases, st.rules, st.sources
            );
            match (&st.overlay, &st.overlay_error) {
                (_, Some(e)) => println!("overlay: cannot be used: {e}"),
                (Some(o), None) => println!(
                    "overlay: synced {} from {} ({} release rows, {} new versions): {}",
                    o.date, o.index, o.releases, o.new_releases, o.path
                ),
                (None, None) => println!(
                    "overlay: none{} (run `adf knowledge sync`)",
                    st.overlay_path
                        .as_ref()
                        .map(|p| format!(" at {}", p.display()))
                        .unwrap_or_default()
                ),
            }
        }
    }
    if st.overlay_error.is_some() {
        EXIT_FAILED
    } else {
        EXIT_OK
    }
}
