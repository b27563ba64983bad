//! `adf export script`.

use super::{print_diags, GlobalArgs, EXIT_BAD_INPUT, EXIT_FAILED, EXIT_OK};
use crate::diag::{Code, Diagnostic, Diagnostics, Span};
use crate::ops::export::{self, ExportError};
use clap::{Args, Subcommand};
use std::path::PathBuf;

pub const EXPORT_HELP: &str = "\
Examples:
  adf export script --target vllm-ascend-0.9.1-910b --from pytorch-npu-2.5.1-910b -o install.sh
  sh install.sh /path/to/checkout        on the host (an AutoDL instance that already has PyTorch)

The script replays the Dockerfile steps of every image from --from (exclusive) down to --target:
ARG values as adf resolves them, ENV exported and kept in a profile file (/etc/profile.d/adf-IMAGE.sh,
or --profile / ADF_PROFILE), WORKDIR as mkdir -p + cd, RUN through the image's SHELL (bind mounts
read from the checkout, secrets from the files named by ADF_SECRET_<ID>), COPY/ADD from the
checkout. Steps that change files leave a marker (ADF_STATE) and are skipped on a second run. What
cannot be replayed (COPY --from, a second FROM, ADD of a URL without --checksum, ONBUILD, a
heredoc) is an error naming the Dockerfile line; a USER that does not exist stops the script.
Exit: 0 written, 2 bad input or a step that cannot be exported.";

#[derive(Args, Debug)]
pub struct ExportArgs {
    #[command(subcommand)]
    what: ExportCommand,
}

#[derive(Subcommand, Debug)]
enum ExportCommand {
    /// A shell script that replays a chain of images on a host without Docker
    Script(ScriptArgs),
    /// A `docker buildx bake` file (JSON): one target per image, parents as `target:` contexts
    Bake(BakeArgs),
}

#[derive(Args, Debug)]
struct BakeArgs {
    #[command(flatten)]
    target: super::args::TargetArgs,
    /// Write the file to FILE instead of standard output
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    output: Option<PathBuf>,
}

#[derive(Args, Debug)]
struct ScriptArgs {
    /// The image the script ends at
    #[arg(long = "target", short = 't', value_name = "IMAGE")]
    target: String,
    /// The image the host already is (exclusive); default: the whole base chain
    #[arg(long, value_name = "IMAGE")]
    from: Option<String>,
    /// Which platform of a multi-platform image [default: this host's]
    #[arg(long, value_name = "OS/ARCH")]
    platform: Option<String>,
    /// The profile file ENV goes to [default: /etc/profile.d/adf-IMAGE.sh]
    #[arg(long, value_name = "PATH")]
    profile: Option<String>,
    /// Write the script to FILE (executable) instead of standard output
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    output: Option<PathBuf>,
}

pub fn run(g: &GlobalArgs, a: ExportArgs) -> i32 {
    let a = match a.what {
        ExportCommand::Script(a) => a,
        ExportCommand::Bake(b) => return bake(g, b),
    };
    let chain = super::args::TargetArgs {
        targets: vec![a.target.clone()],
        ..Default::default()
    };
    let (project, mut loaded, _) = match super::selection::require_selected(g, false, &chain) {
        Ok(x) => x,
        Err(code) => return code,
    };
    let script = match export::script(
        &project,
        &a.target,
        a.from.as_deref(),
        a.platform.as_deref(),
        a.profile.as_deref(),
    ) {
        Ok(s) => s,
        Err(ExportError::Input { what, help }) => {
            return super::print_diag_error(Diagnostic::error(Code::NotExportable, what).help(help))
        }
        Err(ExportError::Unreadable { dockerfile, error }) => {
            let what = format!("cannot read {}: {error}", dockerfile.display());
            return super::print_diag_error(Diagnostic::error(Code::NotExportable, what));
        }
        Err(ExportError::Step { dockerfile, error }) => {
            let text = crate::safe_fs::read_text(&dockerfile, crate::safe_fs::MAX_TEXT)
                .unwrap_or_default();
            let offset: usize = text
                .split_inclusive('\n')
                .take(error.line - 1)
                .map(str::len)
                .sum();
            let len = text[offset..].find('\n').unwrap_or(text.len() - offset);
            let file = loaded.sources.add(error.dockerfile.clone(), text);
            let span = Span { file, offset, len };
            let mut ds = Diagnostics::default();
            ds.push(
                Diagnostic::error(Code::NotExportable, format!("{error}"))
                    .at(span, "cannot be replayed on a host")
                    .help(error.help),
            );
            print_diags(&ds, &loaded.sources);
            eprintln!("adf: nothing was written");
            return EXIT_BAD_INPUT;
        }
    };
    match &a.output {
        None => print!("{script}"),
        Some(path) => {
            if let Err(e) = write_file(path, &script, 0o755) {
                eprintln!("adf: cannot write {}: {e}", path.display());
                return EXIT_FAILED;
            }
            eprintln!(
                "adf: wrote {}; run it as `sh {} PROJECT_DIR`",
                path.display(),
                path.display()
            );
        }
    }
    EXIT_OK
}

fn bake(g: &GlobalArgs, a: BakeArgs) -> i32 {
    let (project, _, selected) = match super::selection::require_selected(g, false, &a.target) {
        Ok(x) => x,
        Err(code) => return code,
    };
    let (file, warnings) = match export::bake(&project, &selected) {
        Ok(x) => x,
        Err(ExportError::Input { what, help }) => {
            return super::print_diag_error(Diagnostic::error(Code::NotExportable, what).help(help))
        }
        Err(e) => {
            return super::print_diag_error(Diagnostic::error(
                Code::NotExportable,
                format!("{e:?}"),
            ))
        }
    };
    for w in &warnings {
        eprintln!("adf: warning: {w}");
    }
    let text = serde_json::to_string_pretty(&file).unwrap_or_default() + "\n";
    match &a.output {
        None => print!("{text}"),
        Some(path) => {
            if let Err(e) = write_file(path, &text, 0o644) {
                eprintln!("adf: cannot write {}: {e}", path.display());
                return EXIT_FAILED;
            }
            eprintln!(
                "adf: wrote {}; build it with `docker buildx bake -f {} --load`",
                path.display(),
                path.display()
            );
        }
    }
    EXIT_OK
}

/// Written to a temporary file beside `path` and renamed: whole or absent.
fn write_file(path: &std::path::Path, text: &str, mode: u32) -> std::io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let mut tmp = tempfile::NamedTempFile::new_in(&dir)?;
    std::io::Write::write_all(&mut tmp, text.as_bytes())?;
    tmp.as_file()
        .set_permissions(std::fs::Permissions::from_mode(mode))?;
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}
