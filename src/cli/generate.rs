//! `adf completions` and `adf man`: clap's own generators over adf's command tree.

use super::{fail, Cli, EXIT_FAILED, EXIT_OK};
use clap::CommandFactory;
use std::io::Write;

pub const COMPLETIONS_HELP: &str = "\
Examples:
  adf completions bash > ~/.local/share/bash-completion/completions/adf
  adf completions zsh > ~/.zfunc/_adf            (with fpath+=~/.zfunc before compinit)
  adf completions fish > ~/.config/fish/completions/adf.fish
  adf completions powershell >> $PROFILE";

/// Prints the completion script for `shell` to stdout.
pub fn completions(shell: clap_complete::Shell) -> i32 {
    let mut cmd = Cli::command();
    let mut out = Vec::new();
    clap_complete::generate(shell, &mut cmd, "adf", &mut out);
    let _ = std::io::stdout().write_all(&out);
    EXIT_OK
}

/// Prints the man page (roff) to stdout.
pub fn man() -> i32 {
    let mut out = Vec::new();
    match clap_mangen::Man::new(Cli::command()).render(&mut out) {
        Ok(()) => {
            let _ = std::io::stdout().write_all(&out);
            EXIT_OK
        }
        Err(e) => fail(
            EXIT_FAILED,
            &format!("cannot render the man page: {e}"),
            None,
        ),
    }
}
