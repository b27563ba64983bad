//! `adf login`: the password from standard input only, never on a command line or in a message.

use super::args::EngineArgs;
use super::{fail, EXIT_BAD_INPUT, EXIT_FAILED, EXIT_OK};
use crate::engine::scrub;
use crate::ops::transfer as ops;
use clap::Args;
use std::io::{IsTerminal, Read};

pub const LOGIN_HELP: &str = "Examples:\n  printf '%s' \"$PW\" | adf login 127.0.0.1:5001 -u ci --password-stdin\n  adf login swr.example.com -u ci --password-stdin < pw.txt\n\nThe password never goes on a command line (adf's or docker's) and is never logged.\nCredentials are kept by docker (DOCKER_CONFIG, default ~/.docker).\nExit: 0 logged in, 1 refused by the registry, 2 bad input.";

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

pub fn run(a: LoginArgs) -> i32 {
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
    fn the_password_flag_never_shows_its_value() {
        assert_eq!(format!("{:?}", Some(Redacted)), "Some(***)");
    }
}
