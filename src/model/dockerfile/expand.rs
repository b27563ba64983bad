//! Dockerfile words as BuildKit's shell lexer expands them, and the ARG/ENV scope they see.

use super::Binding;
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// A variable's value while expanding, as BuildKit has it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) enum Val {
    Set(String),
    Unset,
    /// adf cannot tell (a line it does not read): the expansion gives up.
    Unknown,
}

/// Expands `$NAME`, `${NAME}`, `${NAME:-word}`, `${NAME-word}`, `${NAME:+word}`,
/// `${NAME+word}` and removes quotes, as BuildKit's shell lexer does for Dockerfile words (an
/// unset name is empty). `None` for a name adf cannot know or a form it does not read.
pub(super) fn expand(word: &str, vars: &HashMap<String, Val>, escape: char) -> Option<String> {
    let chars: Vec<char> = word.chars().collect();
    let mut out = String::new();
    let mut i = 0;
    let mut quote: Option<char> = None;
    let lookup = |name: &str| -> Option<Option<String>> {
        match vars.get(name) {
            Some(Val::Set(v)) => Some(Some(v.clone())),
            Some(Val::Unknown) => None,
            Some(Val::Unset) | None => Some(None),
        }
    };
    let is_name = |c: char| c.is_ascii_alphanumeric() || c == '_';
    while i < chars.len() {
        let c = chars[i];
        match (c, quote) {
            ('\'', None) => quote = Some('\''),
            ('\'', Some('\'')) => quote = None,
            ('"', None) => quote = Some('"'),
            ('"', Some('"')) => quote = None,
            (_, Some('\'')) => out.push(c),
            (c, _) if c == escape && i + 1 < chars.len() => {
                i += 1;
                out.push(chars[i]);
            }
            ('$', _) if chars.get(i + 1) == Some(&'{') => {
                let close = chars[i + 2..].iter().position(|&c| c == '}')? + i + 2;
                let inner: String = chars[i + 2..close].iter().collect();
                let name_len = inner.chars().take_while(|&c| is_name(c)).count();
                let (name, modifier) = inner.split_at(name_len);
                if name.is_empty() || modifier.contains('{') {
                    return None;
                }
                let value = lookup(name)?;
                let expanded = match modifier {
                    "" => value.unwrap_or_default(),
                    _ => {
                        let (op, alt) = if let Some(w) = modifier.strip_prefix(":-") {
                            (":-", w)
                        } else if let Some(w) = modifier.strip_prefix(":+") {
                            (":+", w)
                        } else if let Some(w) = modifier.strip_prefix('-') {
                            ("-", w)
                        } else if let Some(w) = modifier.strip_prefix('+') {
                            ("+", w)
                        } else {
                            return None; // `${NAME#pat}` and other forms
                        };
                        let alt = expand(alt, vars, escape)?;
                        match (op, value) {
                            (":-", Some(v)) if !v.is_empty() => v,
                            (":-", _) => alt,
                            ("-", Some(v)) => v,
                            ("-", None) => alt,
                            (":+", Some(v)) if !v.is_empty() => alt,
                            ("+", Some(_)) => alt,
                            _ => String::new(),
                        }
                    }
                };
                out.push_str(&expanded);
                i = close;
            }
            ('$', _)
                if chars
                    .get(i + 1)
                    .is_some_and(|&c| c.is_ascii_alphabetic() || c == '_') =>
            {
                let len = chars[i + 1..].iter().take_while(|&&c| is_name(c)).count();
                let name: String = chars[i + 1..i + 1 + len].iter().collect();
                out.push_str(&lookup(&name)?.unwrap_or_default());
                i += len;
            }
            _ => out.push(c),
        }
        i += 1;
    }
    quote.is_none().then_some(out)
}

/// The values of `bindings` in order, given the build args (and, in a stage, the global ARGs).
pub(super) fn scope(
    bindings: &[Binding],
    escape: char,
    args: &BTreeMap<String, String>,
    globals: Option<&HashMap<String, Val>>,
) -> HashMap<String, Val> {
    let mut vars: HashMap<String, Val> = HashMap::new();
    let mut env: BTreeSet<&str> = BTreeSet::new();
    for b in bindings {
        match b {
            Binding::Arg { name, default } => {
                if env.contains(name.as_str()) {
                    continue; // ENV wins over ARG
                }
                let val = match (args.get(name), default) {
                    (Some(v), _) => Val::Set(v.clone()),
                    (None, Some(d)) => expand(d, &vars, escape).map_or(Val::Unknown, Val::Set),
                    (None, None) => match globals.and_then(|g| g.get(name)) {
                        Some(v) => v.clone(),
                        None if AUTOMATIC_ARGS.contains(&name.as_str()) => Val::Unknown,
                        None => Val::Unset,
                    },
                };
                vars.insert(name.clone(), val);
            }
            Binding::Env { name, value } => {
                let val = expand(value, &vars, escape).map_or(Val::Unknown, Val::Set);
                env.insert(name);
                vars.insert(name.clone(), val);
            }
            Binding::Opaque(name) => {
                vars.insert(name.clone(), Val::Unknown);
            }
        }
    }
    vars
}

/// Args BuildKit fills in itself (platforms, and the like); adf does not guess their values.
pub(super) const AUTOMATIC_ARGS: &[&str] = &[
    "TARGETPLATFORM",
    "TARGETOS",
    "TARGETARCH",
    "TARGETVARIANT",
    "BUILDPLATFORM",
    "BUILDOS",
    "BUILDARCH",
    "BUILDVARIANT",
    "BUILDKIT_SYNTAX",
];

/// `ARG A=1 B` / `ENV A=1 B=2` / `ENV A 1`: the bindings of one line.
pub(super) fn bindings_of(keyword: &str, rest: &str) -> Vec<Binding> {
    let words: Vec<&str> = rest.split_whitespace().collect();
    let balanced = |w: &str| w.matches('"').count() % 2 == 0 && w.matches('\'').count() % 2 == 0;
    let name_of = |w: &str| w.split('=').next().unwrap_or(w).to_string();
    if keyword == "ENV" && words.first().is_some_and(|w| !w.contains('=')) {
        let name = words[0].to_string();
        let value = words[1..].join(" ");
        return vec![Binding::Env { name, value }];
    }
    let all_readable = words.iter().all(|w| balanced(w));
    words
        .iter()
        .map(|w| {
            let name = name_of(w);
            if !all_readable {
                return Binding::Opaque(name);
            }
            let value = w.split_once('=').map(|(_, v)| v.to_string());
            match (keyword, value) {
                ("ARG", default) => Binding::Arg { name, default },
                (_, Some(value)) => Binding::Env { name, value },
                (_, None) => Binding::Opaque(name),
            }
        })
        .collect()
}
