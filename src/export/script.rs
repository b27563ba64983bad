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
use super::steps::{copy_step, run_step, step_key, StepError};
use super::words::{arg_decls, env_pairs, expanding, substitute};
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

/// The helpers every script starts with.
const PRELUDE: &str = include_str!("prelude.sh");

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

/// One instruction as shell lines: `announce` prints the step as it runs, `marked` skips it
/// when its marker exists (the steps that change files).
struct Translation {
    announce: bool,
    marked: bool,
    body: String,
}

impl Translation {
    fn quiet(body: String) -> Self {
        Translation {
            announce: false,
            marked: false,
            body,
        }
    }
    fn step(body: String) -> Self {
        Translation {
            announce: true,
            marked: false,
            body,
        }
    }
    fn marked(body: String) -> Self {
        Translation {
            announce: true,
            marked: true,
            body,
        }
    }
}

/// What a stage's earlier instructions set up for the later ones.
#[derive(Default)]
struct StageState {
    froms: usize,
    /// ARGs declared in the stage (unset when it ends).
    declared: Vec<String>,
}

fn stage_script(stage: &Stage, out: &mut String) -> Result<(), Untranslatable> {
    let name = stage.name;
    let _ = writeln!(out, "\n# ---- {name} ({})", stage.dockerfile);
    let ctx = if stage.context == "." {
        "$ADF_ROOT".to_string()
    } else {
        format!("$ADF_ROOT/{}", stage.context)
    };
    let _ = writeln!(out, "ADF_CTX={}", expanding(&ctx));
    let mut state = StageState::default();
    let total = stage.instructions.len();
    for (n, ins) in stage.instructions.iter().enumerate() {
        let t = translate(stage, ins, &ctx, &mut state).map_err(|(what, help)| Untranslatable {
            dockerfile: stage.dockerfile.clone(),
            line: ins.line,
            what,
            help,
        })?;
        if t.announce {
            let shown: String = format!("{} {}", ins.keyword, ins.args)
                .chars()
                .take(100)
                .collect();
            let what = format!(
                "step {}/{total} ({}:{}) {shown}",
                n + 1,
                stage.dockerfile,
                ins.line
            );
            let _ = writeln!(out, "adf_step {} {}", quote(name), quote(&what));
        }
        if t.marked {
            let marker = quote(&format!("{name}-{}", step_key(stage, ins)));
            let _ = writeln!(out, "if ! adf_done {marker}; then");
            for l in t.body.lines() {
                let _ = writeln!(out, "    {l}");
            }
            let _ = writeln!(out, "    adf_mark {marker}\nfi");
        } else {
            out.push_str(&t.body);
        }
    }
    if !state.declared.is_empty() {
        // the stage's ARGs end with it; an ENV of the same name lives on in the profile
        let _ = writeln!(
            out,
            "unset {}\n. \"$ADF_PROFILE\"",
            state.declared.join(" ")
        );
    }
    Ok(())
}

fn translate(
    stage: &Stage,
    ins: &Instruction,
    ctx: &str,
    state: &mut StageState,
) -> Result<Translation, StepError> {
    let mut body = String::new();
    Ok(match ins.keyword.as_str() {
        // ARGs before the first FROM are for FROM lines only, never in the steps' environment
        "ARG" if state.froms == 0 => Translation::quiet(body),
        "ARG" => {
            for (arg, default) in arg_decls(&ins.args) {
                let value = match stage.args.get(&arg) {
                    Some(v) => quote(v),
                    None => expanding(default.as_deref().unwrap_or("")),
                };
                let _ = writeln!(body, "{arg}={value}; export {arg}");
                state.declared.push(arg);
            }
            Translation::quiet(body)
        }
        "FROM" => {
            state.froms += 1;
            from(stage, ins, state.froms)?;
            Translation::step(body)
        }
        "ENV" => {
            for (k, v) in env_pairs(&ins.args) {
                let _ = writeln!(body, "adf_env {} {}", quote(&k), expanding(&v));
            }
            Translation::step(body)
        }
        "WORKDIR" => {
            let dir = expanding(&ins.args);
            Translation::step(format!("mkdir -p {dir} && cd {dir}\n"))
        }
        "SHELL" => match ins.exec_form().as_deref() {
            Some([program, flag]) => Translation::step(format!(
                "ADF_SHELL_0={}; ADF_SHELL_1={}\n",
                quote(program),
                quote(flag)
            )),
            _ => {
                return Err((
                    "SHELL must be a JSON array of a program and one flag".into(),
                    "write SHELL [\"/bin/bash\", \"-c\"]",
                ))
            }
        },
        "USER" => {
            let user = expanding(ins.args.split(':').next().unwrap_or_default().trim());
            let _ = writeln!(body, "if ! id {user} >/dev/null 2>&1; then echo \"adf: {}:{}: USER {user}: no such user on this host\" >&2; exit 1; fi", stage.dockerfile, ins.line);
            let _ = writeln!(body, "ADF_USER={user}");
            Translation::step(body)
        }
        "RUN" => {
            run_step(stage, ins, ctx, &mut body)?;
            Translation::marked(body)
        }
        "COPY" | "ADD" => {
            if let Some(from) = ins.flag("from") {
                return Err((format!("`{} --from={from}` copies from another stage or image", ins.keyword), "a host has no build stages: build that content into an image of the chain, or install it with RUN"));
            }
            Translation::marked(copy_step(stage, ins)?)
        }
        "ONBUILD" => {
            return Err((
                "ONBUILD runs in a later build, which a host does not have".into(),
                "move the step into the Dockerfile of the image that needs it",
            ));
        }
        "VOLUME" => {
            let dirs = ins
                .exec_form()
                .unwrap_or_else(|| ins.args.split_whitespace().map(str::to_string).collect());
            for dir in dirs {
                let _ = writeln!(body, "mkdir -p {}", expanding(&dir));
            }
            Translation::step(body)
        }
        // image metadata: nothing to do on a host
        _ => Translation::quiet(format!(
            "# {} {} (image metadata: nothing to replay)\n",
            ins.keyword, ins.args
        )),
    })
}

/// A stage's `FROM`: the first must be the parent (or, at the start, anything); a second stage
/// cannot be replayed.
fn from(stage: &Stage, ins: &Instruction, nth: usize) -> Result<(), StepError> {
    if nth > 1 {
        return Err((
            format!(
                "a second stage (`FROM {}`) cannot be replayed on a host",
                ins.args
            ),
            "export the image's final stage only: build the other stage as an image of its own",
        ));
    }
    let image = ins.args.split_whitespace().next().unwrap_or_default();
    let resolved = substitute(image, stage.args);
    if !stage.parent_tags.is_empty() && !stage.parent_tags.contains(&resolved) {
        return Err((
            format!("`FROM {image}` is `{resolved}`, an image outside the chain"),
            "the chain's images must build FROM their parent (the base arg adf passes)",
        ));
    }
    Ok(())
}
