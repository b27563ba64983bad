//! Shared start of every command: find the file, collect variables, run config → model.

use super::GlobalArgs;
use crate::config::{self, VarSources};
use crate::diag::{render_human, Diagnostic, Diagnostics, Sources, Summary};
use crate::model::{self, Project};
use std::io::IsTerminal;
use std::path::PathBuf;

pub struct Loaded {
    pub project: Option<Project>,
    pub diags: Diagnostics,
    pub sources: Sources,
}

/// UTC `YYYYMMDDHHMMSS` for `${TIMESTAMP}`; `SOURCE_DATE_EPOCH` pins it (reproducible builds).
pub fn timestamp() -> String {
    let secs = std::env::var("SOURCE_DATE_EPOCH")
        .ok()
        .and_then(|s| s.parse::<u64>().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_secs())
                .unwrap_or(0)
        });
    let days = (secs / 86_400) as i64;
    let rem = secs % 86_400;
    // civil-from-days (Howard Hinnant)
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}{month:02}{day:02}{:02}{:02}{:02}",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

fn parse_sets(
    sets: &[String],
    diags: &mut Diagnostics,
) -> std::collections::BTreeMap<String, String> {
    let mut out = std::collections::BTreeMap::new();
    for s in sets {
        match s.split_once('=') {
            Some((k, v)) if !k.is_empty() => {
                out.insert(k.to_string(), v.to_string());
            }
            _ => diags.push(
                Diagnostic::error("bad-set", format!("`--set {s}` is not NAME=VALUE"))
                    .help("for example `--set ARCH=aarch64`"),
            ),
        }
    }
    out
}

/// The config path: `-f FILE`, else `dockerfile-compose.yaml` (or `.yml`) in the working dir,
/// else the built-in catalog (said once on stderr).
pub fn config_path(args: &GlobalArgs) -> PathBuf {
    if let Some(f) = &args.file {
        return f.clone();
    }
    let yaml = PathBuf::from(config::DEFAULT_FILE);
    let yml = PathBuf::from("dockerfile-compose.yml");
    if yaml.exists() {
        return yaml;
    }
    if yml.exists() {
        return yml;
    }
    static CATALOG: std::sync::OnceLock<Option<PathBuf>> = std::sync::OnceLock::new();
    let catalog = CATALOG.get_or_init(|| match crate::catalog::materialize() {
        Ok(p) => {
            eprintln!(
                "adf: no {} here; using the built-in catalog ({}); `adf init` writes it out to edit",
                config::DEFAULT_FILE,
                p.display()
            );
            Some(p)
        }
        Err(e) => {
            eprintln!("adf: no {} here, and the built-in catalog cannot be written out: {e}", config::DEFAULT_FILE);
            None
        }
    });
    catalog.clone().unwrap_or(yaml)
}

/// Loads and checks the file. `deep` also verifies installer sha256 sums (reads big files once;
/// cached by path, size, mtime and inode): for `check` and `build`.
pub fn load_deep(args: &GlobalArgs) -> Loaded {
    let mut loaded = load(args);
    if let Some(p) = &loaded.project {
        crate::model::installers::check_sha256(
            p,
            &|_| true,
            &p.dir.join(".adf"),
            &mut loaded.diags,
        );
    }
    loaded
}

pub fn load(args: &GlobalArgs) -> Loaded {
    let mut diags = Diagnostics::default();
    let mut sources = Sources::default();
    let vars = VarSources {
        sets: parse_sets(&args.set, &mut diags),
        env: std::env::vars().collect(),
        ..VarSources::default()
    };
    let path = config_path(args);
    let project = config::load(&path, &mut sources, vars, &timestamp(), &mut diags)
        .map(|cfg| model::build(cfg, &mut diags));
    Loaded {
        project,
        diags,
        sources,
    }
}

pub fn color(stream_is_tty: bool) -> bool {
    stream_is_tty && std::env::var_os("NO_COLOR").is_none()
}

/// Prints diagnostics to stderr. With `warnings_in_full` false only errors are shown in full
/// and warnings are counted (commands other than `check`).
pub fn report(loaded: &Loaded, warnings_in_full: bool) {
    let mut shown = Diagnostics::default();
    for d in loaded.diags.sorted() {
        if warnings_in_full || d.severity == crate::diag::Severity::Error {
            shown.push(d.clone());
        }
    }
    let text = render_human(
        &shown,
        &loaded.sources,
        color(std::io::stderr().is_terminal()),
    );
    eprint!("{text}");
    let summary = Summary::of(&loaded.diags);
    if !warnings_in_full && summary.errors == 0 && summary.warnings > 0 {
        eprintln!(
            "adf: {} warning{} (run `adf check` to see them)",
            summary.warnings,
            if summary.warnings == 1 { "" } else { "s" }
        );
    }
}

/// Error codes after which the image graph itself cannot be trusted.
const STRUCTURAL: &[&str] = &[
    "yaml-syntax",
    "yaml-too-deep",
    "yaml-too-large",
    "yaml-alias",
    "yaml-merge",
    "yaml-complex-key",
    "yaml-multiple-documents",
    "duplicate-key",
    "wrong-type",
    "unknown-key",
    "unknown-image",
    "cycle",
    "duplicate-image",
    "interpolation",
    "no-images",
    "config-empty",
    "config-unreadable",
    "config-not-utf8",
];

/// For read-only views (`list`, `graph`): the project when its graph is sound, even if other
/// errors exist (they are printed; the caller exits 2 after showing the view).
pub fn require_graph(args: &GlobalArgs) -> Result<(Project, bool), i32> {
    let mut loaded = load(args);
    report(&loaded, false);
    let structural = loaded
        .diags
        .sorted()
        .iter()
        .any(|d| d.severity == crate::diag::Severity::Error && STRUCTURAL.contains(&d.code));
    let has_errors = loaded.diags.has_errors();
    if has_errors {
        let s = Summary::of(&loaded.diags);
        eprintln!(
            "adf: {} error{} (run `adf check`)",
            s.errors,
            if s.errors == 1 { "" } else { "s" }
        );
    }
    match loaded.project.take() {
        Some(p) if !structural => Ok((p, has_errors)),
        _ => Err(super::EXIT_BAD_INPUT),
    }
}

/// The project when it loaded without errors; otherwise diagnostics are printed and `None`.
pub fn require_clean(args: &GlobalArgs, deep: bool) -> Result<(Project, Loaded), i32> {
    let mut loaded = if deep { load_deep(args) } else { load(args) };
    report(&loaded, false);
    if loaded.diags.has_errors() {
        let s = Summary::of(&loaded.diags);
        eprintln!(
            "adf: {} error{}; nothing done",
            s.errors,
            if s.errors == 1 { "" } else { "s" }
        );
        return Err(super::EXIT_BAD_INPUT);
    }
    match loaded.project.take() {
        Some(p) => Ok((p, loaded)),
        None => Err(super::EXIT_BAD_INPUT),
    }
}

/// A clean project, the selection of `targets` (with ancestors) and a reachable docker engine:
/// the start of `verify` and `push`. Problems are printed; the error is the exit code.
pub struct Selected {
    pub project: Project,
    pub loaded: Loaded,
    pub selected: Vec<bool>,
    pub docker: PathBuf,
}

pub fn select_with_engine(
    args: &GlobalArgs,
    targets: &[String],
    docker: Option<PathBuf>,
) -> Result<Selected, i32> {
    let (project, loaded) = require_clean(args, false)?;
    let selected =
        crate::plan::select(&project, targets).map_err(|d| super::print_diag_error(*d))?;
    let docker = crate::engine::detect(crate::engine::docker_path(docker)).map_err(|e| {
        eprintln!("adf: {e}\n  help: {}", e.help());
        super::EXIT_BAD_INPUT
    })?;
    Ok(Selected {
        project,
        loaded,
        selected,
        docker: docker.path,
    })
}
