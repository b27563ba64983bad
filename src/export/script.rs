//! `adf export script`: a POSIX shell script (bash, dash and busybox sh run it) that replays the
//! Dockerfile steps of a chain of images on a host without Docker, one that already "is" the
//! chain's starting image (an AutoDL instance with PyTorch preinstalled).
//!
//! Mapping: `ARG` → a shell variable with adf's resolved value, exported for the steps of its
//! image and unset after it; `ENV` → exported and written to a profile file; `WORKDIR` →
//! `mkdir -p` + `cd`; `RUN` → the image's `SHELL` (default `/bin/sh -c`), bind mounts as links to
//! the project directory, secrets from files named by `ADF_SECRET_<ID>`, caches as directories;
//! `COPY`/`ADD` → copies from the project directory (`ADD` of a local archive unpacks it; of a
//! URL, only with `--checksum`); `USER` → later steps run as that user, who must exist. What
//! cannot be replayed is an error naming the Dockerfile line. Steps that change files leave a
//! marker and are skipped on a second run.

use super::instructions::Instruction;
use crate::shell::quote;
use std::collections::BTreeMap;
use std::fmt::Write;

/// One image of the chain, in build order.
pub struct Stage<'a> {
    pub name: &'a str,
    /// The Dockerfile as shown in messages (relative to the project directory).
    pub dockerfile: String,
    /// The build context, relative to the project directory (`.` for the directory itself).
    pub context: String,
    /// adf's resolved build args.
    pub args: &'a BTreeMap<String, String>,
    /// The tags its first `FROM` may resolve to (the parent's); empty for the starting image.
    pub parent_tags: Vec<String>,
    pub instructions: Vec<Instruction>,
}

/// What the host already is, read from the Dockerfiles of the images it is (the starting image
/// and its ancestors): where its steps run and how.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Inherited {
    pub workdir: Option<String>,
    pub user: Option<String>,
    /// `SHELL [program, flag]`.
    pub shell: Option<(String, String)>,
}

impl Inherited {
    /// Applies one image's `WORKDIR`, `USER` and `SHELL` (in order) to what it inherited.
    pub fn apply(&mut self, instructions: &[Instruction], args: &BTreeMap<String, String>) {
        for ins in instructions {
            match ins.keyword.as_str() {
                "WORKDIR" => {
                    let dir = substitute(&ins.args, args);
                    self.workdir = Some(match (&self.workdir, dir.starts_with('/')) {
                        (Some(base), false) => format!("{}/{dir}", base.trim_end_matches('/')),
                        _ => dir,
                    });
                }
                "USER" => self.user = Some(substitute(&ins.args, args)),
                "SHELL" => {
                    if let Some([p, f]) = ins.exec_form().as_deref() {
                        self.shell = Some((p.clone(), f.clone()));
                    }
                }
                _ => {}
            }
        }
    }
}

/// A step that cannot be replayed on a host.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Untranslatable {
    pub dockerfile: String,
    pub line: usize,
    pub what: String,
    pub help: &'static str,
}

impl std::fmt::Display for Untranslatable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}: {}", self.dockerfile, self.line, self.what)
    }
}

/// Double-quoted for the shell: `$VAR` and `${VAR}` expand (as Docker expands them), nothing
/// else does.
fn expanding(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        if matches!(c, '"' | '\\' | '`') {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('"');
    out
}

/// A path with variables expanded and glob characters live: quoted piecewise.
fn globbing(s: &str) -> String {
    let mut out = String::new();
    let mut plain = String::new();
    for c in s.chars() {
        if matches!(c, '*' | '?') {
            if !plain.is_empty() {
                out.push_str(&expanding(&plain));
                plain.clear();
            }
            out.push(c);
        } else {
            plain.push(c);
        }
    }
    if !plain.is_empty() {
        out.push_str(&expanding(&plain));
    }
    out
}

const PRELUDE: &str = r#"set -eu
(set -o pipefail) 2>/dev/null && set -o pipefail
if [ $# -ne 1 ] || [ ! -d "$1" ]; then
    echo "usage: $0 PROJECT_DIR   (the directory of dockerfile-compose.yaml)" >&2
    exit 2
fi
ADF_ROOT=$(cd "$1" && pwd)
mkdir -p "$ADF_STATE/env" "$(dirname "$ADF_PROFILE")"
[ -f "$ADF_PROFILE" ] || : >"$ADF_PROFILE"
# every ENV is computed from the host's own values, as they were before the first run
for adf_f in "$ADF_STATE"/env/*; do
    [ -e "$adf_f" ] || continue
    adf_n=${adf_f##*/}
    case "$adf_n" in
    *.unset) unset "${adf_n%.unset}" ;;
    *) adf_v=$(cat "$adf_f"; echo x); export "$adf_n=${adf_v%x}" ;;
    esac
done
ADF_SHELL_0=/bin/sh
ADF_SHELL_1=-c
ADF_USER=

adf_step() { echo "[$1] $2" >&2; }
adf_quote() { printf "'%s'" "$(printf '%s' "$1" | sed "s/'/'\\\\''/g")"; }
# NAME VALUE: exported for what follows, and kept in the profile for later shells
adf_env() {
    if [ ! -e "$ADF_STATE/env/$1" ] && [ ! -e "$ADF_STATE/env/$1.unset" ]; then
        eval "adf_isset=\${$1+set} adf_old=\${$1-}"
        if [ -n "$adf_isset" ]; then printf '%s' "$adf_old" >"$ADF_STATE/env/$1"; else : >"$ADF_STATE/env/$1.unset"; fi
    fi
    export "$1=$2"
    { grep -v "^export $1=" "$ADF_PROFILE" || true; } >"$ADF_PROFILE.adf-tmp"
    printf 'export %s=%s\n' "$1" "$(adf_quote "$2")" >>"$ADF_PROFILE.adf-tmp"
    mv "$ADF_PROFILE.adf-tmp" "$ADF_PROFILE"
}
adf_done() { [ -e "$ADF_STATE/$1" ]; }
adf_mark() { : >"$ADF_STATE/$1"; }
# COMMAND...: one RUN step, through the image's SHELL, as its USER
adf_run() {
    if [ -n "$ADF_USER" ] && [ "$ADF_USER" != root ] && [ "$ADF_USER" != 0 ]; then
        su -p -s "$ADF_SHELL_0" "$ADF_USER" -c "$*"
    else
        "$ADF_SHELL_0" "$ADF_SHELL_1" "$*"
    fi
}
# SRC... DEST (the last one): COPY semantics (a directory's contents, into DEST/ when it ends
# with / or several sources are given)
adf_copy() {
    eval "adf_dest=\${$#}"
    adf_n=$(($# - 1))
    adf_into=
    case "$adf_dest" in */) adf_into=1 ;; esac
    [ "$adf_n" -gt 1 ] && adf_into=1
    while [ "$adf_n" -gt 0 ]; do
        adf_src=$1
        shift
        adf_n=$((adf_n - 1))
        [ -e "$adf_src" ] || { echo "adf: COPY source $adf_src does not exist" >&2; exit 1; }
        if [ -d "$adf_src" ]; then
            mkdir -p "$adf_dest"
            cp -a "$adf_src/." "$adf_dest/"
        elif [ -n "$adf_into" ] || [ -d "$adf_dest" ]; then
            mkdir -p "$adf_dest"
            cp -a "$adf_src" "$adf_dest/"
        else
            mkdir -p "$(dirname "$adf_dest")"
            cp -a "$adf_src" "$adf_dest"
        fi
    done
}
"#;

/// The script for `stages` (in build order). `target` names the image it ends at; `from` the
/// image the host already is, if any.
pub fn script(
    stages: &[Stage],
    target: &str,
    from: Option<&str>,
    inherited: &Inherited,
    profile: Option<&str>,
) -> Result<String, Untranslatable> {
    let mut out = String::new();
    let names: Vec<&str> = stages.iter().map(|s| s.name).collect();
    let _ = writeln!(out, "#!/bin/sh");
    let _ = writeln!(
        out,
        "# Written by `adf export script`: replays {} on a host without Docker{}.",
        names.join(" -> "),
        from.map(|f| format!(" that already is `{f}`"))
            .unwrap_or_default()
    );
    let _ = writeln!(
        out,
        "#   sh {target}.sh PROJECT_DIR      (runs with bash, dash or busybox sh)"
    );
    let _ = writeln!(out, "# PROJECT_DIR holds dockerfile-compose.yaml: COPY/ADD sources and bind mounts come from it.");
    let _ = writeln!(
        out,
        "# ADF_PROFILE: where every ENV is kept (default /etc/profile.d/adf-{target}.sh);"
    );
    let _ = writeln!(out, "# ADF_STATE: step markers, so a second run skips what is done (default /var/lib/adf/{target});");
    let _ = writeln!(
        out,
        "# ADF_SECRET_<ID>: the file holding build secret <ID> (upper case, - as _)."
    );
    let profile = profile
        .map(str::to_string)
        .unwrap_or_else(|| format!("/etc/profile.d/adf-{target}.sh"));
    let _ = writeln!(out, "ADF_PROFILE=${{ADF_PROFILE:-{profile}}}");
    let _ = writeln!(out, "ADF_STATE=${{ADF_STATE:-/var/lib/adf/{target}}}");
    out.push_str(PRELUDE);
    if let Some(dir) = &inherited.workdir {
        let _ = writeln!(out, "cd {}", quote(dir));
    }
    if let Some(user) = &inherited.user {
        let _ = writeln!(
            out,
            "ADF_USER={}",
            quote(user.split(':').next().unwrap_or(user))
        );
    }
    if let Some((program, flag)) = &inherited.shell {
        let _ = writeln!(
            out,
            "ADF_SHELL_0={}; ADF_SHELL_1={}",
            quote(program),
            quote(flag)
        );
    }
    for stage in stages {
        stage_script(stage, &mut out)?;
    }
    let _ = writeln!(
        out,
        "\necho \"adf: {target} is in place; new shells read $ADF_PROFILE\" >&2"
    );
    Ok(out)
}

fn stage_script(stage: &Stage, out: &mut String) -> Result<(), Untranslatable> {
    let err = |line: usize, what: String, help: &'static str| Untranslatable {
        dockerfile: stage.dockerfile.clone(),
        line,
        what,
        help,
    };
    let name = stage.name;
    let _ = writeln!(out, "\n# ---- {name} ({})", stage.dockerfile);
    let ctx = if stage.context == "." {
        "$ADF_ROOT".to_string()
    } else {
        format!("$ADF_ROOT/{}", stage.context)
    };
    let _ = writeln!(out, "ADF_CTX={}", expanding(&ctx));
    let mut declared: Vec<String> = Vec::new();
    let mut froms = 0;
    // ARGs before the first FROM are for FROM lines only, never in the steps' environment
    let total = stage.instructions.len();
    for (n, ins) in stage.instructions.iter().enumerate() {
        let line = ins.line;
        let marker = quote(&format!("{name}-{}", step_key(stage, ins)));
        let step = |out: &mut String| {
            let shown: String = format!("{} {}", ins.keyword, ins.args)
                .chars()
                .take(100)
                .collect();
            let _ = writeln!(
                out,
                "adf_step {} {}",
                quote(name),
                quote(&format!(
                    "step {}/{total} ({}:{line}) {shown}",
                    n + 1,
                    stage.dockerfile
                ))
            );
        };
        match ins.keyword.as_str() {
            "ARG" if froms == 0 => {}
            "ARG" => {
                for (arg, default) in arg_decls(&ins.args) {
                    let value = match stage.args.get(&arg) {
                        Some(v) => quote(v),
                        None => expanding(default.as_deref().unwrap_or("")),
                    };
                    let _ = writeln!(out, "{arg}={value}; export {arg}");
                    declared.push(arg);
                }
            }
            "FROM" => {
                froms += 1;
                if froms > 1 {
                    return Err(err(line, format!("a second stage (`FROM {}`) cannot be replayed on a host", ins.args), "export the image's final stage only: build the other stage as an image of its own"));
                }
                let image = ins.args.split_whitespace().next().unwrap_or_default();
                let resolved = substitute(image, stage.args);
                if !stage.parent_tags.is_empty() && !stage.parent_tags.contains(&resolved) {
                    return Err(err(
                        line,
                        format!("`FROM {image}` is `{resolved}`, an image outside the chain"),
                        "the chain's images must build FROM their parent (the base arg adf passes)",
                    ));
                }
                step(out);
            }
            "ENV" => {
                step(out);
                for (k, v) in env_pairs(&ins.args) {
                    let _ = writeln!(out, "adf_env {} {}", quote(&k), expanding(&v));
                }
            }
            "WORKDIR" => {
                step(out);
                let _ = writeln!(
                    out,
                    "mkdir -p {dir} && cd {dir}",
                    dir = expanding(&ins.args)
                );
            }
            "SHELL" => {
                let Some(shell) = ins.exec_form().filter(|s| s.len() == 2) else {
                    return Err(err(line, "SHELL must be a JSON array of a program and one flag, e.g. [\"/bin/bash\", \"-c\"]".into(), "write SHELL [\"/bin/bash\", \"-c\"]"));
                };
                step(out);
                let _ = writeln!(
                    out,
                    "ADF_SHELL_0={}; ADF_SHELL_1={}",
                    quote(&shell[0]),
                    quote(&shell[1])
                );
            }
            "USER" => {
                step(out);
                let user = ins.args.split(':').next().unwrap_or_default().trim();
                let _ = writeln!(out, "if ! id {u} >/dev/null 2>&1; then echo \"adf: {}:{line}: USER {u}: no such user on this host\" >&2; exit 1; fi", stage.dockerfile, u = expanding(user));
                let _ = writeln!(out, "ADF_USER={}", expanding(user));
            }
            "RUN" => {
                step(out);
                let _ = writeln!(out, "if ! adf_done {marker}; then");
                run_step(stage, ins, &ctx, out).map_err(|(what, help)| err(line, what, help))?;
                let _ = writeln!(out, "    adf_mark {marker}\nfi");
            }
            "COPY" | "ADD" => {
                if let Some(from) = ins.flag("from") {
                    return Err(err(line, format!("`{} --from={from}` copies from another stage or image", ins.keyword), "a host has no build stages: build that content into an image of the chain, or install it with RUN"));
                }
                step(out);
                let _ = writeln!(out, "if ! adf_done {marker}; then");
                copy_step(stage, ins)
                    .map_err(|(what, help)| err(line, what, help))?
                    .lines()
                    .for_each(|l| {
                        let _ = writeln!(out, "    {l}");
                    });
                let _ = writeln!(out, "    adf_mark {marker}\nfi");
            }
            "ONBUILD" => {
                return Err(err(
                    line,
                    "ONBUILD runs in a later build, which a host does not have".into(),
                    "move the step into the Dockerfile of the image that needs it",
                ));
            }
            "VOLUME" => {
                step(out);
                for dir in ins
                    .exec_form()
                    .unwrap_or_else(|| ins.args.split_whitespace().map(str::to_string).collect())
                {
                    let _ = writeln!(out, "mkdir -p {}", expanding(&dir));
                }
            }
            // image metadata: nothing to do on a host
            _ => {
                let _ = writeln!(
                    out,
                    "# {} {} (image metadata: nothing to replay)",
                    ins.keyword, ins.args
                );
            }
        }
    }
    if !declared.is_empty() {
        // the stage's ARGs end with it; an ENV of the same name lives on in the profile
        let _ = writeln!(out, "unset {}\n. \"$ADF_PROFILE\"", declared.join(" "));
    }
    Ok(())
}

/// A step's marker: the image, the step and every value it depends on.
fn step_key(stage: &Stage, ins: &Instruction) -> String {
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

/// `ARG A B=1` → (A, None), (B, Some("1")).
fn arg_decls(args: &str) -> Vec<(String, Option<String>)> {
    args.split_whitespace()
        .map(|w| match w.split_once('=') {
            Some((k, v)) => (k.to_string(), Some(v.trim_matches('"').to_string())),
            None => (w.to_string(), None),
        })
        .collect()
}

/// `ENV A=1 B="x y"` or the old `ENV A 1 2`.
fn env_pairs(args: &str) -> Vec<(String, String)> {
    let first = args.split_whitespace().next().unwrap_or_default();
    if !first.contains('=') {
        let (k, v) = args.split_once(char::is_whitespace).unwrap_or((args, ""));
        return vec![(k.to_string(), v.trim().to_string())];
    }
    let mut out = Vec::new();
    let mut rest = args.trim();
    while let Some((k, after)) = rest.split_once('=') {
        let (value, next) = if let Some(q) = after.strip_prefix('"') {
            let end = q.find('"').unwrap_or(q.len());
            (q[..end].to_string(), q.get(end + 1..).unwrap_or(""))
        } else {
            let end = after.find(char::is_whitespace).unwrap_or(after.len());
            (after[..end].to_string(), &after[end..])
        };
        out.push((k.trim().to_string(), value));
        rest = next.trim();
    }
    out
}

/// `${NAME}` / `$NAME` replaced by `args`; unknown names left as written.
fn substitute(s: &str, args: &BTreeMap<String, String>) -> String {
    let mut out = s.to_string();
    for (k, v) in args {
        out = out
            .replace(&format!("${{{k}}}"), v)
            .replace(&format!("${k}"), v);
    }
    out
}

type StepError = (String, &'static str);

fn run_step(
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
    let _ = writeln!(out, "    adf_links=");
    for s in &setup {
        let _ = writeln!(out, "    {s}");
    }
    match ins.exec_form() {
        Some(argv) => {
            let words: Vec<String> = argv.iter().map(|a| quote(a)).collect();
            let _ = writeln!(out, "    {}", words.join(" "));
        }
        None => {
            let _ = writeln!(out, "    adf_run {}", quote(&ins.args));
        }
    }
    for t in &teardown {
        let _ = writeln!(out, "    {t}");
    }
    let _ = writeln!(
        out,
        "    for adf_l in $adf_links; do rm -f \"$adf_l\"; done"
    );
    Ok(())
}

fn copy_step(stage: &Stage, ins: &Instruction) -> Result<String, StepError> {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn env_forms() {
        assert_eq!(
            env_pairs("A=1 B=\"x y\""),
            [("A".into(), "1".into()), ("B".into(), "x y".into())]
        );
        assert_eq!(
            env_pairs("PATH /opt/bin:$PATH"),
            [("PATH".into(), "/opt/bin:$PATH".into())]
        );
        assert_eq!(
            arg_decls("A B=1"),
            [("A".into(), None), ("B".into(), Some("1".into()))]
        );
    }

    #[test]
    fn quoting() {
        assert_eq!(expanding("a \"$B\" `c`"), r#""a \"$B\" \`c\`""#);
        assert_eq!(globbing("$ADF_CTX/a*.txt"), "\"$ADF_CTX/a\"*\".txt\"");
    }
}
