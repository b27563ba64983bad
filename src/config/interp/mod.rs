//! `${NAME}` / `${NAME:-default}` / `$$` interpolation.
//!
//! A name resolves, first match wins, from: the image's matrix axis, `--set NAME=VALUE`, the
//! environment (only for names declared under `variables:`, so a build never depends on a
//! stray environment variable by accident), the `variables:` default, adf's built-in variables
//! (`ARCH`, `DOCKER_ARCH`, `TIMESTAMP`, `GIT_SHA`), and finally the inline `:-default`.
//!
//! Here: the sources (`VarSources`) and the expansion itself (`Scope`); the `--set` arguments
//! are parsed in [`set_args`], expansion errors are [`error::InterpError`].

pub mod error;
pub mod set_args;

use error::{InterpError, MAX_NESTING};
use set_args::ImageOverride;
use std::collections::{BTreeMap, HashMap};

/// Where values come from. Built once per run.
#[derive(Debug, Default, Clone)]
pub struct VarSources {
    /// `--set NAME=VALUE`, highest priority after matrix axes.
    pub sets: BTreeMap<String, String>,
    /// Snapshot of the process environment.
    pub env: HashMap<String, String>,
    /// `variables:` defaults as written (they may interpolate too).
    pub declared: BTreeMap<String, String>,
    /// adf's own variables.
    pub builtins: BTreeMap<String, String>,
    /// `--set IMAGE.KEY=VALUE`: per-image build overrides, applied before interpolation.
    pub overrides: Vec<ImageOverride>,
}

fn valid_name(n: &str) -> bool {
    let mut chars = n.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// Index of the `}` closing an expansion whose body starts `s`, skipping nested `${...}`.
fn closing_brace(s: &str) -> Option<usize> {
    let bytes = s.as_bytes();
    let mut depth = 0usize;
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'$' if bytes.get(i + 1) == Some(&b'{') => {
                depth += 1;
                i += 1;
            }
            b'}' if depth == 0 => return Some(i),
            b'}' => depth -= 1,
            _ => {}
        }
        i += 1;
    }
    None
}

pub struct Scope<'a> {
    pub sources: &'a VarSources,
    pub matrix: &'a [(String, String)],
}

impl Scope<'_> {
    /// `chain`: the declared variables being expanded, outermost first (for cycles).
    fn lookup(&self, name: &str, chain: &mut Vec<String>) -> Result<Option<String>, InterpError> {
        if let Some((_, v)) = self.matrix.iter().find(|(k, _)| k == name) {
            return Ok(Some(v.clone()));
        }
        let s = self.sources;
        if let Some(v) = s.sets.get(name) {
            return Ok(Some(v.clone()));
        }
        if let Some(default) = s.declared.get(name) {
            if let Some(v) = s.env.get(name) {
                return Ok(Some(v.clone()));
            }
            if let Some(start) = chain.iter().position(|n| n == name) {
                let mut cycle: Vec<String> = chain[start..]
                    .iter()
                    .filter(|n| !n.is_empty())
                    .cloned()
                    .collect();
                cycle.push(name.to_string());
                return Err(InterpError::Recursive(cycle));
            }
            chain.push(name.to_string());
            let value = self.expand_at(default, chain);
            chain.pop();
            return value.map(Some);
        }
        Ok(s.builtins.get(name).cloned())
    }

    pub fn all_names(&self) -> Vec<&str> {
        let s = self.sources;
        self.matrix
            .iter()
            .map(|(k, _)| k.as_str())
            .chain(s.sets.keys().map(String::as_str))
            .chain(s.declared.keys().map(String::as_str))
            .chain(s.builtins.keys().map(String::as_str))
            .collect()
    }

    pub fn expand(&self, input: &str) -> Result<String, InterpError> {
        self.expand_at(input, &mut Vec::new())
    }

    /// `chain` holds one entry per level of nesting (a variable's name, or `""` for an inline
    /// default), so its length is the depth.
    fn expand_at(&self, input: &str, chain: &mut Vec<String>) -> Result<String, InterpError> {
        if !input.contains('$') {
            return Ok(input.to_string());
        }
        if chain.len() >= MAX_NESTING {
            return Err(InterpError::TooDeep);
        }
        let mut out = String::with_capacity(input.len());
        let mut rest = input;
        while let Some(pos) = rest.find('$') {
            out.push_str(&rest[..pos]);
            let after = &rest[pos + 1..];
            if let Some(tail) = after.strip_prefix('$') {
                out.push('$');
                rest = tail;
            } else if let Some(body_start) = after.strip_prefix('{') {
                let end = closing_brace(body_start).ok_or(InterpError::Unclosed)?;
                let body = &body_start[..end];
                out.push_str(&self.resolve(body, chain)?);
                rest = &body_start[end + 1..];
            } else {
                // a lone `$` (for example `$HOME` meant for a shell in the image) stays as written
                out.push('$');
                rest = after;
            }
        }
        out.push_str(rest);
        Ok(out)
    }

    fn resolve(&self, body: &str, chain: &mut Vec<String>) -> Result<String, InterpError> {
        let (name, default) = match body.split_once(":-") {
            Some((n, d)) => (n, Some(d)),
            None => (body, None),
        };
        if !valid_name(name) {
            return Err(
                if name.contains([':', '?', '+', '#', '%', '/']) || body.contains(['?', '#', '%']) {
                    InterpError::Unsupported(body.to_string())
                } else {
                    InterpError::BadName(name.to_string())
                },
            );
        }
        match self.lookup(name, chain)? {
            Some(v) if !(v.is_empty() && default.is_some()) => Ok(v),
            _ => match default {
                // the inline default is itself interpolated, and may use env for undeclared names
                Some(d) => match self.sources.env.get(name).filter(|v| !v.is_empty()) {
                    Some(v) => Ok(v.clone()),
                    None => {
                        chain.push(String::new());
                        let value = self.expand_at(d, chain);
                        chain.pop();
                        value
                    }
                },
                None => Err(InterpError::Unknown {
                    name: name.to_string(),
                    suggestion: crate::config::schema::reader::did_you_mean(name, self.all_names())
                        .map(str::to_string),
                }),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sources() -> VarSources {
        let mut s = VarSources::default();
        s.declared.insert("ORG".into(), "xuopoj".into());
        s.declared.insert("REPO".into(), "${ORG}/python".into());
        s.declared.insert("LOOP".into(), "${LOOP}".into());
        s.builtins.insert("ARCH".into(), "x86_64".into());
        s
    }

    #[test]
    fn expands_names_defaults_and_dollars() {
        let s = sources();
        let scope = Scope {
            sources: &s,
            matrix: &[],
        };
        assert_eq!(
            scope.expand("${ORG}/cann:${ARCH}").unwrap(),
            "xuopoj/cann:x86_64"
        );
        assert_eq!(scope.expand("${REPO}:3.10").unwrap(), "xuopoj/python:3.10");
        assert_eq!(scope.expand("${MISSING:-dflt}").unwrap(), "dflt");
        assert_eq!(
            scope.expand("cost $$5 and $HOME").unwrap(),
            "cost $5 and $HOME"
        );
        assert_eq!(scope.expand("${MISSING:-${ORG}}").unwrap(), "xuopoj");
    }

    #[test]
    fn priority_matrix_set_env_default() {
        let mut s = sources();
        s.env.insert("ORG".into(), "from-env".into());
        let scope = Scope {
            sources: &s,
            matrix: &[],
        };
        assert_eq!(scope.expand("${ORG}").unwrap(), "from-env");
        s.sets.insert("ORG".into(), "from-set".into());
        let scope = Scope {
            sources: &s,
            matrix: &[],
        };
        assert_eq!(scope.expand("${ORG}").unwrap(), "from-set");
        let m = vec![("ORG".to_string(), "from-matrix".to_string())];
        let scope = Scope {
            sources: &s,
            matrix: &m,
        };
        assert_eq!(scope.expand("${ORG}").unwrap(), "from-matrix");
    }

    #[test]
    fn env_does_not_leak_into_undeclared_names() {
        let mut s = sources();
        s.env.insert("HOSTNAME".into(), "box".into());
        let scope = Scope {
            sources: &s,
            matrix: &[],
        };
        assert!(matches!(
            scope.expand("${HOSTNAME}"),
            Err(InterpError::Unknown { .. })
        ));
        assert_eq!(scope.expand("${HOSTNAME:-x}").unwrap(), "box");
    }

    #[test]
    fn errors() {
        let s = sources();
        let scope = Scope {
            sources: &s,
            matrix: &[],
        };
        assert_eq!(scope.expand("${ORG"), Err(InterpError::Unclosed));
        assert!(matches!(
            scope.expand("${1X}"),
            Err(InterpError::BadName(_))
        ));
        assert!(matches!(
            scope.expand("${X:?boom}"),
            Err(InterpError::Unsupported(_))
        ));
        assert!(matches!(
            scope.expand("${LOOP}"),
            Err(InterpError::Recursive(_))
        ));
        assert_eq!(
            scope.expand("${LOOP}").map_err(|e| e.to_string()),
            Err("variable `LOOP` refers to itself".to_string())
        );
        match scope.expand("${ORGG}") {
            Err(InterpError::Unknown { suggestion, .. }) => {
                assert_eq!(suggestion.as_deref(), Some("ORG"))
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_long_chain_is_no_cycle_and_a_cycle_is_named() {
        let mut s = VarSources::default();
        // V0 -> V1 -> ... -> V20 = "end": deeper than the old limit of 16, no cycle
        for i in 0..20 {
            s.declared
                .insert(format!("V{i}"), format!("${{V{}}}", i + 1));
        }
        s.declared.insert("V20".into(), "end".into());
        s.declared.insert("A".into(), "${B}".into());
        s.declared.insert("B".into(), "x-${C:-${A}}".into());
        let scope = Scope {
            sources: &s,
            matrix: &[],
        };
        assert_eq!(scope.expand("${V0}").unwrap(), "end");
        assert_eq!(
            scope.expand("${A}").map_err(|e| e.to_string()),
            Err("variables refer to each other in a cycle: A -> B -> A".to_string())
        );
    }

    #[test]
    fn nesting_is_capped_without_overflowing_the_stack() {
        let s = VarSources::default();
        let scope = Scope {
            sources: &s,
            matrix: &[],
        };
        let deep = format!("{}x{}", "${N:-".repeat(100_000), "}".repeat(100_000));
        assert_eq!(scope.expand(&deep), Err(InterpError::TooDeep));
        let ok = format!("{}x{}", "${N:-".repeat(20), "}".repeat(20));
        assert_eq!(scope.expand(&ok).unwrap(), "x");
        let mut s = VarSources::default();
        for i in 0..100 {
            s.declared
                .insert(format!("V{i}"), format!("${{V{}}}", i + 1));
        }
        s.declared.insert("V100".into(), "end".into());
        let scope = Scope {
            sources: &s,
            matrix: &[],
        };
        assert_eq!(scope.expand("${V0}"), Err(InterpError::TooDeep));
    }
}
