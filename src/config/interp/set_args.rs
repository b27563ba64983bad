//! The `--set` arguments: `NAME=VALUE` variables and `IMAGE.KEY=VALUE` image overrides,
//! parsed into what [`super::VarSources`] holds.

use super::valid_name;

/// The names `--set NAME=VALUE` accepts besides `variables:`, matrix axes and `${NAME}`s.
pub const BUILTIN_NAMES: &[&str] = &["ARCH", "DOCKER_ARCH", "TIMESTAMP", "GIT_SHA"];

/// The keys `--set IMAGE.KEY=VALUE` overrides, as help text names them.
pub const OVERRIDE_KEYS: &[&str] = &["args.NAME", "platforms", "tags", "target", "no_cache"];

/// One `--set IMAGE.KEY=VALUE` (bake's `--set target.key=value`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageOverride {
    /// The whole `--set` argument, for messages.
    pub text: String,
    /// An image name or a `*`/`?` glob.
    pub pattern: String,
    pub key: OverrideKey,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OverrideKey {
    Arg(String, String),
    Platforms(Vec<String>),
    Tags(Vec<String>),
    Target(String),
    NoCache(bool),
}

/// Whether `--set KEY=...` is an image override rather than a variable: variable names hold no
/// `.`.
fn is_override(key: &str) -> bool {
    key.contains('.')
}

fn bad_set(text: &str, what: String, help: String) -> Box<crate::diag::Diagnostic> {
    let d = crate::diag::Diagnostic::error(
        crate::diag::Code::BadSet,
        format!("`--set {text}`: {what}"),
    );
    Box::new(d.help(help))
}

/// Parses one `IMAGE.KEY=VALUE`.
fn parse_override(
    text: &str,
    key: &str,
    value: &str,
) -> Result<ImageOverride, Box<crate::diag::Diagnostic>> {
    let allowed = || {
        format!(
            "the keys --set overrides are IMAGE.{}",
            OVERRIDE_KEYS.join(", IMAGE.")
        )
    };
    let list = |v: &str| -> Vec<String> {
        v.split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .collect()
    };
    let (pattern, key) = match key.find(".args.") {
        Some(i) => {
            let name = &key[i + ".args.".len()..];
            if !valid_name(name) {
                return Err(bad_set(
                    text,
                    format!("`{name}` is not a build arg name"),
                    "for example `--set leaf.args.VERSION=1.2`".into(),
                ));
            }
            (
                &key[..i],
                OverrideKey::Arg(name.to_string(), value.to_string()),
            )
        }
        None => {
            let (pattern, k) = key.rsplit_once('.').unwrap_or(("", key));
            let parsed = match k {
                "platforms" => OverrideKey::Platforms(list(value)),
                "tags" => OverrideKey::Tags(list(value)),
                "target" => OverrideKey::Target(value.to_string()),
                "no_cache" => match value {
                    "true" => OverrideKey::NoCache(true),
                    "false" => OverrideKey::NoCache(false),
                    _ => {
                        return Err(bad_set(
                            text,
                            format!("no_cache is `true` or `false`, not `{value}`"),
                            format!("write `--set {key}=true`"),
                        ))
                    }
                },
                _ => {
                    let keys = ["args", "platforms", "tags", "target", "no_cache"];
                    let help = match crate::config::schema::reader::did_you_mean(k, keys) {
                        Some(s) => format!("did you mean `{s}`? {}", allowed()),
                        None => allowed(),
                    };
                    return Err(bad_set(
                        text,
                        format!("`{k}` is not a key --set overrides"),
                        help,
                    ));
                }
            };
            (pattern, parsed)
        }
    };
    if pattern.is_empty() {
        return Err(bad_set(text, "no image named".into(), allowed()));
    }
    if matches!(&key, OverrideKey::Platforms(v) | OverrideKey::Tags(v) if v.is_empty()) {
        return Err(bad_set(
            text,
            "the list is empty".into(),
            "give at least one value; several are comma-separated".into(),
        ));
    }
    Ok(ImageOverride {
        text: text.to_string(),
        pattern: pattern.to_string(),
        key,
    })
}

/// `--set IMAGE.KEY=VALUE` overrides (the arguments holding a `.` before `=`); errors for
/// keys --set does not override.
pub fn parse_overrides(
    sets: &[String],
    diags: &mut crate::diag::Diagnostics,
) -> Vec<ImageOverride> {
    let mut out = Vec::new();
    for s in sets {
        if let Some((k, v)) = s.split_once('=').filter(|(k, _)| is_override(k)) {
            match parse_override(s, k, v) {
                Ok(o) => out.push(o),
                Err(d) => diags.push(*d),
            }
        }
    }
    out
}

/// `--set NAME=VALUE` values as a map (image overrides, `IMAGE.KEY=VALUE`, are
/// `parse_overrides`'); a value that is not NAME=VALUE is a `bad-set` error.
pub fn parse_sets(
    sets: &[String],
    diags: &mut crate::diag::Diagnostics,
) -> std::collections::BTreeMap<String, String> {
    let mut out = std::collections::BTreeMap::new();
    for s in sets {
        match s.split_once('=') {
            Some((k, _)) if is_override(k) => {}
            Some((k, v)) if !k.is_empty() => {
                out.insert(k.to_string(), v.to_string());
            }
            _ => diags.push(
                crate::diag::Diagnostic::error(
                    crate::diag::Code::BadSet,
                    format!("`--set {s}` is not NAME=VALUE"),
                )
                .help("for example `--set ARCH=aarch64`"),
            ),
        }
    }
    out
}
