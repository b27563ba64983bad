//! `adf login`, `adf save` and `adf load`: moving images by hand, done safely.

use super::args::EngineArgs;
use super::{project, GlobalArgs, EXIT_BAD_INPUT, EXIT_FAILED, EXIT_INTERRUPTED, EXIT_OK};
use crate::archive::{self, ArchiveError, Compression};
use crate::config::{schema::did_you_mean, DEFAULT_FILE};
use crate::engine::scrub;
use crate::ops::transfer::{self as ops, Wanted};
use clap::Args;
use std::io::{IsTerminal, Read};
use std::path::{Path, PathBuf};

pub const LOGIN_HELP: &str = "Examples:\n  printf '%s' \"$PW\" | adf login 127.0.0.1:5001 -u ci --password-stdin\n  adf login swr.example.com -u ci --password-stdin < pw.txt\n\nThe password never goes on a command line (adf's or docker's) and is never logged.\nCredentials are kept by docker (DOCKER_CONFIG, default ~/.docker).\nExit: 0 logged in, 1 refused by the registry, 2 bad input.";
pub const SAVE_HELP: &str = "Examples:\n  adf save yolo-910b -o yolo.tar.zst            every tag of a file's image\n  adf save my/img:1 other/img:2 -o both.tar.gz  docker references\n\nThe archive is written to a temporary file and renamed when complete.\nExit: 0 saved, 1 docker failed, 2 bad input (unknown image or extension), 130 interrupted.";
pub const LOAD_HELP: &str = "Examples:\n  adf load -i yolo.tar.zst\n\nCompression is detected from the file's first bytes; image IDs are unchanged.\nExit: 0 loaded, 1 docker refused the archive (damaged or not an image archive), 2 no such file.";
/// Longer than any password or token; a bigger stdin is the wrong file.
const MAX_PASSWORD: u64 = 64 * 1024;

#[derive(Args, Debug)]
pub struct LoginArgs {
    /// The registry host[:port], e.g. 127.0.0.1:5001 or swr.cn-south-1.example.com
    pub registry: String,
    /// The user name
    #[arg(short = 'u', long = "username")]
    pub username: String,
    /// Read the password from standard input (the only way adf accepts one); one trailing
    /// newline is dropped
    #[arg(long)]
    pub password_stdin: bool,
    /// Refused: a password on the command line leaks into shell history and `ps`
    #[arg(short = 'p', long = "password", value_name = "VALUE", hide = true)]
    pub password: Option<Redacted>,
    #[command(flatten)]
    pub engine: EngineArgs,
}

/// A value that is never shown, not even by `{:?}`.
#[derive(Clone)]
pub struct Redacted;

impl std::str::FromStr for Redacted {
    type Err = std::convert::Infallible;
    fn from_str(_: &str) -> Result<Self, Self::Err> {
        Ok(Redacted)
    }
}

impl std::fmt::Debug for Redacted {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("***")
    }
}

#[derive(Args, Debug)]
pub struct SaveArgs {
    /// Images to save: names of images in the file (every tag of each) or docker references
    /// (repo:tag, image IDs). A name in the file wins over a docker reference spelled the same.
    /// The file is read only when -f is given or dockerfile-compose.yaml is in this directory.
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

/// Prints `adf: error: WHAT` and `  help: HOW`; returns `code`.
fn fail(code: i32, what: &str, help: Option<&str>) -> i32 {
    eprintln!("adf: error: {what}");
    if let Some(h) = help {
        eprintln!("  help: {h}");
    }
    code
}

pub fn login(a: LoginArgs) -> i32 {
    let hint = format!(
        "pipe it in, e.g. printf '%s' \"$PW\" | adf login {} -u {} --password-stdin",
        a.registry, a.username
    );
    let bad = |what: &str| fail(EXIT_BAD_INPUT, what, Some(&hint));
    if a.password.is_some() {
        return bad("a password on the command line leaks into shell history and `ps`; use --password-stdin");
    }
    if !a.password_stdin {
        return bad("adf reads the password only from standard input: add --password-stdin and pipe the password in");
    }
    if a.registry.trim().is_empty() || a.registry.starts_with('-') {
        return bad(&format!("`{}` is not a registry host[:port]", a.registry));
    }
    if a.username.trim().is_empty() {
        return bad("the user name is empty");
    }
    let stdin = std::io::stdin();
    if stdin.is_terminal() {
        return bad("standard input is a terminal, and adf does not prompt for passwords: pipe the password in");
    }
    let password = match read_password(stdin.lock()) {
        Ok(p) => p,
        Err(why) => return bad(why),
    };
    let engine = crate::engine::client(&a.engine.options());
    match ops::login(engine.as_ref(), &a.registry, &a.username, &password) {
        Ok(()) => {
            eprintln!(
                "{}",
                scrub(
                    &format!("adf: logged in to {} as {}", a.registry, a.username),
                    &password
                )
            );
            EXIT_OK
        }
        Err(e) => {
            let code = if e.is_bad_input() {
                EXIT_BAD_INPUT
            } else {
                EXIT_FAILED
            };
            eprintln!("adf: error: {}", scrub(&e.to_string(), &password));
            code
        }
    }
}

/// The password from `r`: one trailing newline (`\n` or `\r\n`) dropped; empty, multi-line,
/// non-UTF-8 or huge input refused.
fn read_password(r: impl Read) -> Result<String, &'static str> {
    let mut bytes = Vec::new();
    r.take(MAX_PASSWORD + 1)
        .read_to_end(&mut bytes)
        .map_err(|_| "cannot read the password from standard input")?;
    if bytes.len() as u64 > MAX_PASSWORD {
        return Err("standard input is longer than 64 KiB: that is not a password");
    }
    let mut s =
        String::from_utf8(bytes).map_err(|_| "the password on standard input is not UTF-8 text")?;
    if s.ends_with('\n') {
        s.pop();
        if s.ends_with('\r') {
            s.pop();
        }
    }
    if s.is_empty() {
        return Err("the password on standard input is empty");
    }
    if s.contains(['\n', '\r']) {
        return Err("the password on standard input has more than one line");
    }
    Ok(s)
}

/// Whether the file may be consulted at all: never the built-in catalog.
fn has_config(g: &GlobalArgs) -> bool {
    g.file.is_some()
        || Path::new(DEFAULT_FILE).exists()
        || Path::new("dockerfile-compose.yml").exists()
}

/// Image names of the file become their tags; anything else is a docker reference. Returns the
/// names the file knows (for suggestions), or `None` when it could not be loaded.
fn resolve(g: &GlobalArgs, images: &[String]) -> Result<(Vec<Wanted>, Option<Vec<String>>), i32> {
    let project = has_config(g).then(|| project::load(g).project).flatten();
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
        return report(archive::bad_extension(&a.output));
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
                    None if has_config(g) => eprintln!(
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
        ArchiveError::Interrupted => EXIT_INTERRUPTED,
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
    fn password_drops_one_newline_and_refuses_the_odd() {
        assert_eq!(read_password(&b"pw\n"[..]), Ok("pw".into()));
        assert_eq!(read_password(&b"pw\r\n"[..]), Ok("pw".into()));
        assert_eq!(read_password(&b" p w "[..]), Ok(" p w ".into()));
        assert!(read_password(&b""[..]).is_err());
        assert!(read_password(&b"\n"[..]).is_err());
        assert!(read_password(&b"pw\n\n"[..]).is_err());
        assert!(read_password(&b"a\nb"[..]).is_err());
        assert!(read_password(&[0xff, 0xfe][..]).is_err());
        assert!(read_password(&vec![b'x'; 70_000][..]).is_err());
    }

    #[test]
    fn sizes_read_like_people_write_them() {
        assert_eq!(human_size(999), "999 B");
        assert_eq!(human_size(12_345_678), "12.3 MB");
        assert_eq!(human_size(2_500_000_000), "2.5 GB");
    }

    #[test]
    fn the_password_flag_never_shows_its_value() {
        assert_eq!(format!("{:?}", Some(Redacted)), "Some(***)");
    }
}
