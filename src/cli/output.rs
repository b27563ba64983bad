//! What every command prints the same way: JSON on stdout, diagnostics and failures on stderr,
//! each returning the exit code it stands for.

use super::{project, EXIT_BAD_INPUT};
use crate::diag::{Code, Diagnostic, Diagnostics, Sources};
use crate::engine::EngineError;
use std::io::IsTerminal;

/// Pretty JSON and a newline on stdout, written as it is serialized (a 50,000-image plan is
/// 40 MB: no copy of it in memory). A failed write ends the command as `println!` does.
pub(crate) fn print_json(v: &impl serde::Serialize) {
    use std::io::Write;
    let mut out = std::io::BufWriter::with_capacity(1 << 16, std::io::stdout().lock());
    let written = match serde_json::to_writer_pretty(&mut out, v) {
        Ok(()) => out.write_all(b"\n").and_then(|()| out.flush()),
        Err(e) if e.is_io() => Err(e.into()),
        Err(e) => {
            // none of adf's values fails to serialize; were one to, say so after what was
            // written
            let _ = out.flush();
            eprintln!("adf: cannot print JSON: {e}");
            Ok(())
        }
    };
    if let Err(e) = written {
        panic!("failed printing to stdout: {e}");
    }
}

/// Prints one diagnostic not tied to the file; the bad-input exit code.
pub(crate) fn print_diag_error(d: Diagnostic) -> i32 {
    let mut ds = Diagnostics::default();
    ds.push(d);
    print_diags(&ds, &Sources::default());
    EXIT_BAD_INPUT
}

pub(crate) fn print_diags(ds: &Diagnostics, sources: &Sources) {
    let color = project::color(std::io::stderr().is_terminal());
    eprint!("{}", crate::diag::render_human(ds, sources, color));
}

/// An engine that cannot be used at all (no client, no daemon): bad input.
pub(crate) fn print_engine_error(e: &EngineError) -> i32 {
    let mut d = Diagnostic::error(Code::NoEngine, e.to_string());
    if let Some(h) = e.help() {
        d = d.help(h);
    }
    print_diag_error(d)
}

pub(crate) fn plural(n: usize, word: &str) -> String {
    format!("{n} {word}{}", if n == 1 { "" } else { "s" })
}

/// Prints `adf: error: WHAT` and `  help: HOW`; returns `code`.
pub(crate) fn fail(code: i32, what: &str, help: Option<&str>) -> i32 {
    eprintln!("adf: error: {}", crate::terminal::escape_controls(what));
    if let Some(h) = help {
        eprintln!("  help: {}", crate::terminal::escape_controls(h));
    }
    code
}
