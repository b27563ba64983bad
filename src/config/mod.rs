//! config: read the file, check its schema, interpolate variables, expand matrices.
//!
//! The output is a list of images whose strings are final but not yet typed or cross-checked;
//! that is the model's job.

#[cfg(test)]
mod agreement;
pub mod interp;
pub mod matrix;
mod overrides;
pub mod schema;
mod sections;
pub mod yaml;

pub use interp::set_args::parse_sets;
pub use interp::VarSources;
pub use matrix::Expanded;
pub use schema::{
    RawBuild, RawImage, RawInstaller, RawRuntimeDeps, RawSecretSource, RawVerify, Str,
};

use crate::diag::Code;
use crate::diag::{Diagnostic, Diagnostics, FileId, Sources};
use std::path::{Path, PathBuf};

pub const DEFAULT_FILE: &str = "dockerfile-compose.yaml";
/// The other spelling looked for, after `DEFAULT_FILE`.
pub const DEFAULT_FILE_YML: &str = "dockerfile-compose.yml";
pub const DEFAULT_BASE_ARG: &str = "BASE_IMAGE";

/// The file after interpolation and matrix expansion.
#[derive(Debug)]
pub struct Config {
    pub path: PathBuf,
    /// Directory relative paths in the file are resolved against.
    pub dir: PathBuf,
    pub file: FileId,
    /// `variables:` in written order, each with its value for this run (`--set`, then the
    /// environment, then the default, interpolated).
    pub variables: Vec<(String, String)>,
    pub base_arg: Option<Str>,
    pub build_flags: Vec<Str>,
    pub secrets: Vec<RawSecretSource>,
    /// `ARCH` of this run.
    pub arch: String,
    /// `compat_rules:` files (interpolated, relative to the file's directory).
    pub compat_rules: Vec<Str>,
    /// `registry:` (interpolated): where images are published and looked up.
    pub registry: Option<Str>,
    /// Images, one per matrix combination and platform.
    pub images: Vec<matrix::Expanded>,
}

/// `dockerfile-compose.yaml` (or `.yml`) in the working directory (as a relative name), else in
/// the nearest parent holding one (as an absolute path), up to the filesystem root: as compose
/// looks for its file.
pub fn find_file() -> Option<PathBuf> {
    let names = [DEFAULT_FILE, DEFAULT_FILE_YML];
    if let Some(n) = names.iter().find(|n| Path::new(n).is_file()) {
        return Some(PathBuf::from(n));
    }
    let cwd = std::env::current_dir().ok()?;
    cwd.ancestors()
        .skip(1)
        .find_map(|dir| names.iter().map(|n| dir.join(n)).find(|p| p.is_file()))
}

/// Normalises `ARCH` spellings to the `uname -m` names CANN uses in file names and paths.
pub fn normalize_arch(a: &str) -> Option<&'static str> {
    match a {
        "x86_64" | "amd64" | "x64" => Some("x86_64"),
        "aarch64" | "arm64" => Some("aarch64"),
        _ => None,
    }
}

/// Docker's name for an architecture (`linux/<this>`).
pub fn docker_arch(arch: &str) -> &'static str {
    if arch == "aarch64" {
        "arm64"
    } else {
        "amd64"
    }
}

/// Fills adf's built-in variables: `ARCH` (host, or `--set ARCH=aarch64`), `DOCKER_ARCH`,
/// `TIMESTAMP` (UTC `YYYYMMDDHHMMSS`, fixed for the run) and `GIT_SHA` (short commit of the
/// repository holding the file, `unknown` outside git).
pub fn builtins(vars: &mut VarSources, dir: &Path, timestamp: &str, diags: &mut Diagnostics) {
    let host = normalize_arch(std::env::consts::ARCH).unwrap_or("x86_64");
    let arch = match vars.sets.get("ARCH") {
        Some(a) => match normalize_arch(a) {
            Some(n) => n,
            None => {
                diags.push(
                    Diagnostic::error(
                        Code::BadArch,
                        format!("`--set ARCH={a}` is not an architecture adf knows"),
                    )
                    .help("use ARCH=x86_64 or ARCH=aarch64 (amd64 and arm64 are accepted too)"),
                );
                host
            }
        },
        None => host,
    };
    vars.sets.remove("ARCH");
    vars.builtins.insert("ARCH".into(), arch.into());
    vars.builtins
        .insert("DOCKER_ARCH".into(), docker_arch(arch).into());
    vars.builtins.insert("TIMESTAMP".into(), timestamp.into());
    vars.builtins.insert(
        "GIT_SHA".into(),
        git_sha(dir).unwrap_or_else(|| "unknown".into()),
    );
}

/// `--set NAME=VALUE` must name something the file can use: a `variables:` entry, a built-in,
/// a matrix axis or a `${NAME}` written somewhere in the file. Anything else (a typo, most
/// likely) is a `bad-set` error with a suggestion, never silently ignored.
fn check_set_names(vars: &VarSources, raw: &schema::RawFile, text: &str, diags: &mut Diagnostics) {
    if vars.sets.is_empty() {
        return;
    }
    let mut known: Vec<&str> = interp::set_args::BUILTIN_NAMES.to_vec();
    known.extend(vars.declared.keys().map(String::as_str));
    for img in &raw.images {
        known.extend(img.matrix.iter().map(|(axis, _)| axis.value.as_str()));
    }
    known.extend(referenced_names(text));
    for name in vars.sets.keys() {
        if known.contains(&name.as_str()) {
            continue;
        }
        let help = match schema::reader::did_you_mean(name, known.iter().copied()) {
            Some(s) => format!("did you mean `{s}`? --set takes a name declared under `variables:`, a built-in (ARCH, DOCKER_ARCH, TIMESTAMP, GIT_SHA), a matrix axis or a `${{NAME}}` the file uses"),
            None => format!("declare it under `variables:` (`{name}: value`) and use it as `${{{name}}}`; per-image overrides are IMAGE.args.NAME=VALUE"),
        };
        diags.push(
            Diagnostic::error(
                Code::BadSet,
                format!("`--set {name}=...` names no variable of the file"),
            )
            .help(help),
        );
    }
}

/// Every `NAME` written as `${NAME` in the text.
fn referenced_names(text: &str) -> impl Iterator<Item = &str> {
    text.match_indices("${").filter_map(move |(i, _)| {
        let rest = &text[i + 2..];
        let end = rest
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .unwrap_or(rest.len());
        (end > 0).then(|| &rest[..end])
    })
}

/// Reads the current commit from `.git` without starting a process.
fn git_sha(start: &Path) -> Option<String> {
    let mut dir = start.canonicalize().ok()?;
    loop {
        let git = dir.join(".git");
        if git.is_dir() {
            let head = std::fs::read_to_string(git.join("HEAD")).ok()?;
            let head = head.trim();
            let full = match head.strip_prefix("ref: ") {
                None => head.to_string(),
                Some(r) => match std::fs::read_to_string(git.join(r)) {
                    Ok(s) => s.trim().to_string(),
                    Err(_) => std::fs::read_to_string(git.join("packed-refs"))
                        .ok()?
                        .lines()
                        .find(|l| l.ends_with(&format!(" {r}")))?
                        .split(' ')
                        .next()?
                        .to_string(),
                },
            };
            return (full.len() >= 12 && full.chars().all(|c| c.is_ascii_hexdigit()))
                .then(|| full[..12].to_string());
        }
        if !dir.pop() {
            return None;
        }
    }
}

/// Reads and expands the file at `path`. Returns `None` when nothing usable could be read
/// (the reason is in `diags`).
pub fn load(
    path: &Path,
    sources: &mut Sources,
    mut vars: VarSources,
    timestamp: &str,
    diags: &mut Diagnostics,
) -> Option<Config> {
    let display = path.display().to_string();
    let bytes = match crate::safe_fs::read_regular(path, crate::safe_fs::MAX_CONFIG) {
        Ok(b) => b,
        Err(e) => {
            use crate::safe_fs::ReadError;
            let (code, help) = match &e {
                _ if e.is_not_found() => (Code::ConfigUnreadable, format!("run adf where `{DEFAULT_FILE}` lives, pass `-f FILE`, or write one with `adf init`")),
                ReadError::NotRegular { .. } => (Code::NotAFile, "pass the YAML file itself with `-f FILE`".to_string()),
                ReadError::TooLarge { .. } => (Code::FileTooLarge, "a config is a few KB; is this really the YAML file?".to_string()),
                ReadError::Io { .. } => (Code::ConfigUnreadable, "check the path and its permissions".to_string()),
            };
            diags.push(Diagnostic::error(code, e.to_string()).help(help));
            return None;
        }
    };
    let text = match String::from_utf8(bytes) {
        Ok(t) => t,
        Err(e) => {
            diags.push(
                Diagnostic::error(
                    Code::ConfigNotUtf8,
                    format!(
                        "{display} is not UTF-8 text (invalid byte at offset {})",
                        e.utf8_error().valid_up_to()
                    ),
                )
                .help("save the file as UTF-8; is this really the YAML file?"),
            );
            return None;
        }
    };
    // a UTF-8 byte order mark (Windows editors write one) is no part of the YAML
    let text = match text.strip_prefix('\u{feff}') {
        Some(rest) => rest.to_string(),
        None => text,
    };
    let file = sources.add(display.clone(), text);
    let text = sources.get(file).text.clone();
    let root = match yaml::parse(file, &text) {
        Ok(Some(root)) => root,
        Ok(None) => {
            diags.push(
                Diagnostic::error(Code::ConfigEmpty, format!("{display} is empty"))
                    .help("declare images under `images:`; `adf init` writes a starting point"),
            );
            return None;
        }
        Err(d) => {
            diags.push(*d);
            return None;
        }
    };
    let mut raw = schema::read(&root, diags);
    drop(root);
    let dir = path
        .parent()
        .map(Path::to_path_buf)
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or_else(|| PathBuf::from("."));
    vars.declared = raw
        .variables
        .iter()
        .map(|(k, v)| (k.value.clone(), v.value.clone()))
        .collect();
    check_set_names(&vars, &raw, &text, diags);
    builtins(&mut vars, &dir, timestamp, diags);
    let scope = interp::Scope {
        sources: &vars,
        matrix: &[],
    };
    let variables = raw
        .variables
        .iter()
        .map(|(k, v)| {
            let value = scope
                .expand(&format!("${{{}}}", k.value))
                .unwrap_or_else(|_| v.value.clone());
            (k.value.clone(), value)
        })
        .collect();
    let mut base_arg = raw.base_arg.clone();
    if let Some(b) = base_arg.as_mut() {
        matrix::interpolate(b, &scope, diags);
    }
    let mut build_flags = raw.build_flags.clone();
    build_flags
        .iter_mut()
        .for_each(|f| matrix::interpolate(f, &scope, diags));
    let mut secrets = raw.secrets.clone();
    for s in &mut secrets {
        for v in [&mut s.file, &mut s.environment].into_iter().flatten() {
            matrix::interpolate(v, &scope, diags);
        }
    }
    let mut compat_rules = raw.compat_rules.clone();
    compat_rules
        .iter_mut()
        .for_each(|f| matrix::interpolate(f, &scope, diags));
    let mut registry = raw.registry.clone();
    if let Some(r) = registry.as_mut() {
        matrix::interpolate(r, &scope, diags);
    }
    let arch = vars
        .builtins
        .get("ARCH")
        .cloned()
        .unwrap_or_else(|| "x86_64".into());
    let images = matrix::expand(&mut raw, &vars, diags);
    Some(Config {
        path: path.to_path_buf(),
        dir,
        file,
        variables,
        base_arg,
        build_flags,
        secrets,
        arch,
        compat_rules,
        registry,
        images,
    })
}
