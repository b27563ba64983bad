//! The steps that touch files: `RUN` (with its mounts) and `COPY`/`ADD`, as shell lines.

use super::instructions::Instruction;
use super::script::Stage;
use super::words::{expanding, globbing, substitute};
use crate::shell::quote;
use std::collections::BTreeMap;
use std::fmt::Write;

/// A step's marker: the image, the step and every value it depends on.
pub fn step_key(stage: &Stage, ins: &Instruction) -> String {
    let mut h = blake3::Hasher::new();
    h.update(ins.keyword.as_bytes());
    h.update(ins.args.as_bytes());
    for (k, v) in &ins.flags {
        h.update(k.as_bytes());
        h.update(v.as_bytes());
    }
    for (k, v) in stage.args {
        h.update(k.as_bytes());
        h.update(v.as_bytes());
    }
    format!("{}-{}", ins.line, &h.finalize().to_hex()[..16])
}

pub type StepError = (String, &'static str);

pub fn run_step(
    stage: &Stage,
    ins: &Instruction,
    ctx: &str,
    out: &mut String,
) -> Result<(), StepError> {
    let mut setup = Vec::new();
    let mut teardown = Vec::new();
    for (flag, value) in &ins.flags {
        if flag != "mount" {
            continue; // --network, --security: the host's own
        }
        let fields: BTreeMap<&str, &str> = value
            .split(',')
            .filter_map(|kv| kv.split_once('='))
            .collect();
        let target = fields
            .get("target")
            .or(fields.get("dst"))
            .or(fields.get("destination"));
        match fields.get("type").copied().unwrap_or("bind") {
            "bind" => {
                if fields.contains_key("from") {
                    return Err((
                        "a bind mount from another stage or image".into(),
                        "a host has no build stages: put the files in the project directory",
                    ));
                }
                let source = fields
                    .get("source")
                    .or(fields.get("src"))
                    .copied()
                    .unwrap_or(".");
                let Some(target) = target else {
                    return Err(("a bind mount without target".into(), "add target=PATH"));
                };
                let src = format!("{ctx}/{}", substitute(source, stage.args));
                setup.push(format!("[ -e {t} ] || {{ mkdir -p \"$(dirname {t})\" && ln -s {s} {t} && adf_links=\"$adf_links {t}\"; }}", t = expanding(target), s = expanding(&src)));
            }
            "secret" => {
                let Some(id) = fields.get("id").copied() else {
                    return Err(("a secret mount without id".into(), "add id=NAME"));
                };
                let target = target
                    .map(|t| t.to_string())
                    .unwrap_or_else(|| format!("/run/secrets/{id}"));
                let var = format!(
                    "ADF_SECRET_{}",
                    id.to_ascii_uppercase().replace(['-', '.'], "_")
                );
                setup.push(format!("[ -n \"${{{var}:-}}\" ] || {{ echo \"adf: build secret {id}: set {var} to the file that holds it\" >&2; exit 1; }}"));
                setup.push(format!(
                    "mkdir -p \"$(dirname {t})\" && (umask 077 && cp \"${var}\" {t})",
                    t = expanding(&target)
                ));
                teardown.push(format!("rm -f {}", expanding(&target)));
            }
            "cache" | "tmpfs" => {
                if let Some(t) = target {
                    setup.push(format!("mkdir -p {}", expanding(t)));
                }
            }
            other => {
                return Err((
                    format!("a `{other}` mount"),
                    "use bind, secret or cache mounts",
                ))
            }
        }
    }
    let _ = writeln!(out, "adf_links=");
    for s in &setup {
        let _ = writeln!(out, "{s}");
    }
    match ins.exec_form() {
        Some(argv) => {
            let words: Vec<String> = argv.iter().map(|a| quote(a)).collect();
            let _ = writeln!(out, "{}", words.join(" "));
        }
        None => {
            let _ = writeln!(out, "adf_run {}", quote(&ins.args));
        }
    }
    for t in &teardown {
        let _ = writeln!(out, "{t}");
    }
    let _ = writeln!(
        out,
        "    for adf_l in $adf_links; do rm -f \"$adf_l\"; done"
    );
    Ok(())
}

pub fn copy_step(stage: &Stage, ins: &Instruction) -> Result<String, StepError> {
    let words: Vec<String> = match ins.exec_form() {
        Some(w) => w,
        None => ins.args.split_whitespace().map(str::to_string).collect(),
    };
    if words.len() < 2 {
        return Err((
            format!("{} needs a source and a destination", ins.keyword),
            "write COPY SRC... DEST",
        ));
    }
    let (sources, dest) = words.split_at(words.len() - 1);
    let mut out = String::new();
    let mut copied = Vec::new();
    for src in sources {
        let src = substitute(src, stage.args);
        if src.contains("://") {
            if ins.keyword != "ADD" {
                return Err((
                    "COPY of a URL".into(),
                    "use ADD --checksum=sha256:... URL DEST",
                ));
            }
            let Some(sum) = ins.flag("checksum").and_then(|c| c.strip_prefix("sha256:")) else {
                return Err((
                    format!("ADD of `{src}` without --checksum"),
                    "add --checksum=sha256:HEX so the download can be checked",
                ));
            };
            let _ = writeln!(out, "adf_get=$(mktemp)");
            let _ = writeln!(out, "if command -v curl >/dev/null; then curl -fsSL {u} -o \"$adf_get\"; else wget -qO \"$adf_get\" {u}; fi", u = quote(&src));
            let _ = writeln!(out, "echo \"{sum}  $adf_get\" | sha256sum -c - >/dev/null || {{ echo \"adf: {src}: wrong sha256\" >&2; exit 1; }}");
            copied.push("\"$adf_get\"".to_string());
            continue;
        }
        let path = crate::model::dockerfile::context_path(&src).unwrap_or_default();
        let archive = ins.keyword == "ADD"
            && [".tar", ".tar.gz", ".tgz", ".tar.xz", ".tar.bz2"]
                .iter()
                .any(|e| path.ends_with(e));
        let full = if path.is_empty() {
            "$ADF_CTX".to_string()
        } else {
            format!("$ADF_CTX/{path}")
        };
        if archive {
            let _ = writeln!(
                out,
                "mkdir -p {d} && tar -xf {} -C {d}",
                expanding(&full),
                d = expanding(dest[0].as_str())
            );
            continue;
        }
        copied.push(globbing(&full));
    }
    if !copied.is_empty() {
        let dest = substitute(&dest[0], stage.args);
        let _ = writeln!(out, "adf_copy {} {}", copied.join(" "), expanding(&dest));
        let targets = if copied.len() > 1 || dest.ends_with('/') {
            None
        } else {
            Some(expanding(&dest))
        };
        if let Some(mode) = ins.flag("chmod") {
            match &targets {
                Some(t) => {
                    let _ = writeln!(out, "chmod -R {mode} {t}");
                }
                None => {
                    return Err((
                        "--chmod with several sources or a directory destination".into(),
                        "copy one source to a full destination path when you set --chmod",
                    ))
                }
            }
        }
        if let Some(owner) = ins.flag("chown") {
            if let Some(t) = &targets {
                let _ = writeln!(out, "chown -R {} {t}", quote(owner));
            }
        }
    }
    Ok(out)
}
