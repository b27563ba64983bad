//! `build_flags:` and `--build-flag` words that would take over what adf manages (where the
//! image goes, its tags, its Dockerfile, its platforms): each is refused with what to use instead.

use crate::config::Str;
use crate::diag::Code;
use crate::diag::{Diagnostic, Diagnostics};
use std::collections::HashSet;

/// The `docker build` flags adf decides itself, with what to use instead.
const MANAGED_FLAGS: &[(&str, Option<char>, &str)] = &[
    (
        "--output",
        Some('o'),
        "adf loads each image into the engine; publish with `adf push`, export with `adf save`",
    ),
    (
        "--push",
        None,
        "publish with `adf push` (after `adf verify`)",
    ),
    ("--load", None, "adf loads every image it builds"),
    (
        "--tag",
        Some('t'),
        "set the image's `tags:` in the file (`--set IMAGE.tags=...` for one run)",
    ),
    (
        "--iidfile",
        None,
        "adf records image IDs itself; `adf build --metadata-file FILE` writes them for CI",
    ),
    ("--file", Some('f'), "set `build.dockerfile` in the file"),
    (
        "--platform",
        None,
        "set `build.platforms` in the file, or narrow with `adf build --platform`",
    ),
    (
        "--metadata-file",
        None,
        "use `adf build --metadata-file FILE`",
    ),
];

/// The managed flag a build-flag word is (`--tag`, `--tag=x`, `-t`, `-tx`), with the advice.
pub fn managed_flag(word: &str) -> Option<(&'static str, &'static str)> {
    MANAGED_FLAGS.iter().find_map(|(long, short, instead)| {
        let is_long = word == *long || word.starts_with(&format!("{long}="));
        let is_short = short.is_some_and(|c| {
            !word.starts_with("--") && word.strip_prefix('-').is_some_and(|r| r.starts_with(c))
        });
        (is_long || is_short).then_some((*long, *instead))
    })
}

/// `build_flags:` entries (each may hold several words) that override what adf manages.
pub fn check_flags<'a>(flags: impl IntoIterator<Item = &'a Str>, diags: &mut Diagnostics) {
    let mut seen = HashSet::new();
    for f in flags {
        if !seen.insert((f.span.file, f.span.offset)) {
            continue; // one entry of an image repeated by its matrix or platforms
        }
        for word in f.value.split_whitespace() {
            if let Some((flag, instead)) = managed_flag(word) {
                diags.push(
                    Diagnostic::error(
                        Code::ManagedFlag,
                        format!("build flag `{word}` overrides what adf manages ({flag})"),
                    )
                    .at(f.span, "adf sets this itself")
                    .help(instead),
                );
            }
        }
    }
}

/// `--build-flag` words that override what adf manages: the first, as a diagnostic.
pub fn managed_cli_flag(flags: &[String]) -> Option<Diagnostic> {
    let word = flags
        .iter()
        .flat_map(|f| f.split_whitespace())
        .find(|w| managed_flag(w).is_some())?;
    let (flag, instead) = managed_flag(word)?;
    Some(
        Diagnostic::error(
            Code::ManagedFlag,
            format!("--build-flag `{word}` overrides what adf manages ({flag})"),
        )
        .help(instead),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn managed_flags_in_every_spelling() {
        for w in [
            "--output",
            "--output=type=local,dest=/",
            "-o",
            "-otype=tar",
            "--push",
            "--load",
            "--tag",
            "--tag=x:1",
            "-t",
            "-tx:1",
            "--iidfile=/tmp/x",
            "--file",
            "-f",
            "-fD",
            "--platform=linux/arm64",
            "--metadata-file",
        ] {
            assert!(managed_flag(w).is_some(), "{w}");
        }
        for w in [
            "--network",
            "host",
            "--no-cache",
            "--pull",
            "--build-arg",
            "--target",
            "x-t",
        ] {
            assert_eq!(managed_flag(w), None, "{w}");
        }
    }
}
