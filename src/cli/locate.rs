//! Where the file is: `--catalog`, `-f`, `ADF_FILE`, or the nearest `dockerfile-compose.yaml`
//! from the working directory up. Never the built-in catalog unless asked for.

use super::GlobalArgs;
use crate::config;
use crate::diag::{Code, Diagnostic};
use std::path::PathBuf;

/// The name of the environment variable naming the file (as compose's `COMPOSE_FILE`).
pub const FILE_ENV: &str = "ADF_FILE";

/// Where the file is: `--catalog` (the built-in catalog, said once on stderr), `-f FILE`,
/// `ADF_FILE`, else `dockerfile-compose.yaml` (or `.yml`) in the working directory or the
/// nearest parent holding one. `Err` is the `no-config` diagnostic: adf never falls back to the
/// catalog silently.
pub fn locate(args: &GlobalArgs) -> Result<PathBuf, Box<Diagnostic>> {
    if args.catalog {
        return catalog_path();
    }
    if let Some(f) = &args.file {
        return Ok(f.clone());
    }
    if let Some(f) = std::env::var_os(FILE_ENV).filter(|f| !f.is_empty()) {
        return Ok(PathBuf::from(f));
    }
    config::find_file().ok_or_else(|| {
        Box::new(
            Diagnostic::error(
                Code::NoConfig,
                format!(
                    "no {} here or in any parent; `adf init` writes one",
                    config::DEFAULT_FILE
                ),
            )
            .help(format!(
                "pass `-f FILE` or set {FILE_ENV}=FILE, or use the built-in catalog: `adf --catalog list`"
            )),
        )
    })
}

/// The built-in catalog written out to the cache (said once on stderr).
fn catalog_path() -> Result<PathBuf, Box<Diagnostic>> {
    static CATALOG: std::sync::OnceLock<Result<PathBuf, String>> = std::sync::OnceLock::new();
    let catalog = CATALOG.get_or_init(|| match crate::catalog::materialize() {
        Ok(p) => {
            eprintln!(
                "adf: using the built-in catalog ({}); `adf init` writes it out to edit",
                p.display()
            );
            Ok(p)
        }
        Err(e) => Err(e.to_string()),
    });
    catalog.clone().map_err(|e| {
        Box::new(
            Diagnostic::error(
                Code::ConfigUnreadable,
                format!("the built-in catalog cannot be written out: {e}"),
            )
            .help("check that the cache directory ($XDG_CACHE_HOME or ~/.cache) is writable"),
        )
    })
}

/// The file's path for messages: the one `locate` finds, else the default name.
pub fn config_path(args: &GlobalArgs) -> PathBuf {
    locate(args).unwrap_or_else(|_| PathBuf::from(config::DEFAULT_FILE))
}

/// Whether there is a file to read at all (`-f`, `ADF_FILE`, `--catalog`, or one found here
/// or in a parent): commands that also take docker references read it only then.
pub fn has_config(args: &GlobalArgs) -> bool {
    locate(args).is_ok()
}
