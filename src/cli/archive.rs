//! `adf save` and `adf load`: image archives written whole or not at all.

use super::args::EngineArgs;
use super::{fail, project, GlobalArgs, EXIT_BAD_INPUT, EXIT_FAILED, EXIT_OK};
use crate::archive::{ArchiveError, Compression};
use crate::config::schema::reader::did_you_mean;
use crate::ops::transfer::{self as ops, Wanted};
use clap::Args;
use std::path::PathBuf;

pub const SAVE_HELP: &str = "Examples:\n  adf save yolo-910b -o yolo.tar.zst            every tag of a file's image\n  adf save my/img:1 other/img:2 -o both.tar.gz  docker references\n\nThe archive is written to a temporary file and renamed when complete.\nExit: 0 saved, 1 docker failed, 2 bad input (unknown image or extension), 130 interrupted.";
pub const LOAD_HELP: &str = "Examples:\n  adf load -i yolo.tar.zst\n\nCompression is detected from the file's first bytes; image IDs are unchanged.\nExit: 0 loaded, 1 docker refused the archive (damaged or not an image archive), 2 no such file.";

#[derive(Args, Debug)]
pub struct SaveArgs {
    /// Images to save: names of images in the file (every tag of each) or docker references
    /// (repo:tag, image IDs). A name in the file wins over a docker reference spelled the same.
    /// The file is read only when there is one (-f, ADF_FILE, --catalog, or
    /// dockerfile-compose.yaml here or in a parent).
    #[arg(required = true, value_name = "IMAGE")]
    pub images: Vec<String>,
    /// The archive to write: .tar, .tar.gz (.tgz) or .tar.zst (.tzst), chosen by extension.
    /// zstd is the fastest to write and read; gzip is understood everywhere
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    pub output: PathBuf,
    #[command(flatten)]
    pub engine: EngineArgs,
}

#[derive(Args, Debug)]
pub struct LoadArgs {
    /// The archive to load: .tar, .tar.gz (.tgz) or .tar.zst (detected from its first bytes,
    /// whatever its name)
    #[arg(short = 'i', long = "input", value_name = "FILE")]
    pub input: PathBuf,
    #[command(flatten)]
    pub engine: EngineArgs,
}

/// Image names of the file become their tags; anything else is a docker reference. Returns the
/// names the file knows (for suggestions), or `None` when it could not be loaded.
fn resolve(g: &GlobalArgs, images: &[String]) -> Result<(Vec<Wanted>, Option<Vec<String>>), i32> {
    let project = project::has_config(g)
        .then(|| project::load(g).project)
        .flatten();
    let wanted = ops::resolve(project.as_ref(), images).map_err(|image| {
        let file = project::config_path(g).display().to_string();
        fail(
            EXIT_BAD_INPUT,
            &format!("image `{image}` in {file} has no tags"),
            Some("add `tags:` to it, or save a docker reference instead"),
        )
    })?;
    let names = project.map(|p| p.names().map(str::to_string).collect());
    Ok((wanted, names))
}

pub fn save(g: &GlobalArgs, a: SaveArgs) -> i32 {
    if Compression::from_path(&a.output).is_none() {
        return report(crate::archive::bad_extension(&a.output));
    }
    let (wanted, names) = match resolve(g, &a.images) {
        Ok(x) => x,
        Err(code) => return code,
    };
    let stop = super::interrupt_flag();
    let engine = crate::engine::client(&a.engine.options());
    match ops::save(engine.as_ref(), &wanted, &a.output, &stop) {
        Ok(r) => {
            let plural =
                |n: usize, what: &str| format!("{n} {what}{}", if n == 1 { "" } else { "s" });
            eprintln!(
                "adf: saved {} ({}) to {}: {} in {:.1} s",
                plural(r.images, "image"),
                plural(r.tags, "tag"),
                a.output.display(),
                human_size(r.bytes),
                r.elapsed.as_secs_f64()
            );
            EXIT_OK
        }
        Err(ArchiveError::Missing(missing)) => {
            let shown = missing
                .iter()
                .map(|m| {
                    match wanted
                        .iter()
                        .find(|w| &w.reference == m)
                        .and_then(|w| w.image.as_ref())
                    {
                        Some(img) => format!("{m} (tag of `{img}`, not built yet)"),
                        None => m.clone(),
                    }
                })
                .collect();
            let code = report(ArchiveError::Missing(shown));
            for m in missing.iter().filter(|m| !m.contains([':', '/', '@'])) {
                match &names {
                    Some(known) => {
                        if let Some(s) = did_you_mean(m, known.iter().map(String::as_str)) {
                            eprintln!("  note: `{m}` is not an image of the file either; did you mean `{s}`?");
                        }
                    }
                    None if project::has_config(g) => eprintln!(
                        "  note: {} could not be loaded, so `{m}` was not looked up there (run `adf check`)",
                        project::config_path(g).display()
                    ),
                    None => {}
                }
            }
            code
        }
        Err(e) => report(e),
    }
}

pub fn load(a: LoadArgs) -> i32 {
    let stop = super::interrupt_flag();
    let engine = crate::engine::client(&a.engine.options());
    match ops::load(engine.as_ref(), &a.input, &stop) {
        Ok(lines) => {
            for l in &lines {
                println!("{l}");
            }
            if lines.is_empty() {
                eprintln!("adf: loaded {} (docker named no image)", a.input.display());
            }
            EXIT_OK
        }
        Err(e) => report(e),
    }
}

fn report(e: ArchiveError) -> i32 {
    let code = match &e {
        ArchiveError::Interrupted => super::interrupted_exit(),
        e if e.is_bad_input() => EXIT_BAD_INPUT,
        _ => EXIT_FAILED,
    };
    fail(code, &e.to_string(), e.help())
}

/// Decimal units, one decimal: `12.3 MB`.
fn human_size(bytes: u64) -> String {
    let units = ["B", "kB", "MB", "GB", "TB"];
    let mut v = bytes as f64;
    let mut i = 0;
    while v >= 1000.0 && i + 1 < units.len() {
        v /= 1000.0;
        i += 1;
    }
    if i == 0 {
        format!("{bytes} B")
    } else {
        format!("{v:.1} {}", units[i])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_read_like_people_write_them() {
        assert_eq!(human_size(999), "999 B");
        assert_eq!(human_size(12_345_678), "12.3 MB");
        assert_eq!(human_size(2_500_000_000), "2.5 GB");
    }
}
