//! Version specifications used in the knowledge file.
//!
//! Grammar: `spec := alt ("|" alt)*`, `alt := clause ("," clause)*`,
//! `clause := "*" | op? version | op? prefix ".*"`, `op := == | != | >= | <= | > | <`.
//! A bare version means `==`. A trailing `.*` or `.x` matches every version with that release
//! prefix (`8.*`, `25.5.X`, `3.10.*`). `*` alone means "present, any version".
//! Examples: `==2.5.1`, `>=3.9,<3.12`, `2.7.1 | 2.7.1.post1`, `<2.0.0`, `8.*`.

use std::cmp::Ordering;

use super::version::Version;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Op {
    Eq,
    Ne,
    Ge,
    Le,
    Gt,
    Lt,
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Clause {
    Any,
    Cmp(Op, Version),
    Prefix { negate: bool, nums: Vec<u64> },
}

/// A parsed specification; [`Spec::eval`] answers yes / no / cannot tell.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Spec {
    raw: String,
    alts: Vec<Vec<Clause>>,
}

impl Spec {
    /// Parse `text`; `names` makes versions plain names (chips, architectures).
    pub fn parse(text: &str, names: bool) -> Result<Spec, String> {
        let raw = text.trim().to_string();
        if raw.is_empty() {
            return Err("empty version spec".into());
        }
        let mut alts = Vec::new();
        for alt in raw.split('|').map(str::trim).filter(|a| !a.is_empty()) {
            let mut clauses = Vec::new();
            for clause in alt.split(',').map(str::trim) {
                clauses
                    .push(parse_clause(clause, names).map_err(|e| format!("{e} in spec '{raw}'"))?);
            }
            alts.push(clauses);
        }
        if alts.is_empty() {
            return Err(format!("no alternatives in spec '{raw}'"));
        }
        Ok(Spec { raw, alts })
    }

    /// The spec as written.
    pub fn raw(&self) -> &str {
        &self.raw
    }

    /// `Some(true)` if `v` satisfies the spec, `Some(false)` if not, `None` if it cannot be
    /// compared (a branch name or commit against a range).
    pub fn eval(&self, v: &Version) -> Option<bool> {
        let mut unknown = false;
        for alt in &self.alts {
            let mut res = Some(true);
            for c in alt {
                match eval_clause(c, v) {
                    Some(false) => {
                        res = Some(false);
                        break;
                    }
                    None => res = None,
                    Some(true) => {}
                }
            }
            match res {
                Some(true) => return Some(true),
                None => unknown = true,
                Some(false) => {}
            }
        }
        if unknown {
            None
        } else {
            Some(false)
        }
    }

    /// The versions of the `==` alternatives, if every alternative is a single `==` pin.
    pub fn exact_pins(&self) -> Option<Vec<&Version>> {
        self.alts
            .iter()
            .map(|alt| match alt.as_slice() {
                [Clause::Cmp(Op::Eq, v)] => Some(v),
                _ => None,
            })
            .collect()
    }

    /// The single pinned version, if the spec is exactly one `==` pin (used to infer values).
    pub fn single_pin(&self) -> Option<&Version> {
        match self.exact_pins()?.as_slice() {
            [v] => Some(v),
            _ => None,
        }
    }
}

fn parse_clause(text: &str, names: bool) -> Result<Clause, String> {
    if text == "*" {
        return Ok(Clause::Any);
    }
    let ops = [
        ("==", Op::Eq),
        ("!=", Op::Ne),
        (">=", Op::Ge),
        ("<=", Op::Le),
        (">", Op::Gt),
        ("<", Op::Lt),
        ("=", Op::Eq),
    ];
    let (op, rest) = ops
        .iter()
        .find_map(|(s, op)| text.strip_prefix(s).map(|r| (*op, r.trim())))
        .unwrap_or((Op::Eq, text));
    if rest.is_empty() {
        return Err(format!("missing version after operator in '{text}'"));
    }
    if !names {
        let lower = rest.to_ascii_lowercase();
        if let Some(prefix) = lower
            .strip_suffix(".*")
            .or_else(|| lower.strip_suffix(".x"))
        {
            let nums: Option<Vec<u64>> = prefix.split('.').map(|p| p.parse().ok()).collect();
            return match (op, nums) {
                (Op::Eq | Op::Ne, Some(nums)) if !nums.is_empty() => Ok(Clause::Prefix {
                    negate: op == Op::Ne,
                    nums,
                }),
                _ => Err(format!(
                    "wildcard '{rest}' needs a numeric prefix and == or !="
                )),
            };
        }
    }
    let v = if names {
        Version::name(rest)
    } else {
        Version::parse(rest)
    };
    if op != Op::Eq && op != Op::Ne && v.release_numbers().is_none() {
        return Err(format!(
            "'{rest}' is not an ordered version, only == and != apply"
        ));
    }
    Ok(Clause::Cmp(op, v))
}

fn eval_clause(c: &Clause, v: &Version) -> Option<bool> {
    match c {
        Clause::Any => Some(true),
        Clause::Prefix { negate, nums } => v.has_prefix(nums).map(|b| b != *negate),
        Clause::Cmp(Op::Eq, p) => v.matches_pin(p),
        Clause::Cmp(Op::Ne, p) => v.matches_pin(p).map(|b| !b),
        Clause::Cmp(op, p) => {
            let o = v.compare(p)?;
            Some(match op {
                Op::Ge => o != Ordering::Less,
                Op::Le => o != Ordering::Greater,
                Op::Gt => o == Ordering::Greater,
                _ => o == Ordering::Less,
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(spec: &str, v: &str) -> Option<bool> {
        Spec::parse(spec, false)
            .expect("spec parses")
            .eval(&Version::parse(v))
    }

    #[test]
    fn ranges_pins_and_alternatives() {
        assert_eq!(ok(">=3.9,<3.12", "3.11"), Some(true));
        assert_eq!(ok(">=3.9,<3.12", "3.11.13"), Some(true));
        assert_eq!(ok(">=3.9,<3.12", "3.12"), Some(false));
        assert_eq!(ok("==2.5.1", "2.5.1.post1"), Some(false));
        assert_eq!(ok("2.7.1 | 2.7.1.post1", "2.7.1.post1"), Some(true));
        assert_eq!(ok("<2.0.0", "1.26.4"), Some(true));
        assert_eq!(ok("<2", "2.1.2"), Some(false));
        assert_eq!(ok("8.*", "8.2.rc1"), Some(true));
        assert_eq!(ok("8.*", "9.0.0"), Some(false));
        assert_eq!(ok("25.5.X", "25.5.1"), Some(true));
        assert_eq!(ok("*", "anything"), Some(true));
        assert_eq!(ok(">=0.12.1", "main"), None);
        assert_eq!(ok(">=0.7.3,<=0.19.1rc1", "v0.9.1"), Some(true));
        assert_eq!(ok(">=0.7.3,<=0.19.1rc1", "0.20.2rc1"), Some(false));
    }

    #[test]
    fn names_and_errors() {
        let s = Spec::parse("910b | a3", true).expect("parses");
        assert_eq!(s.eval(&Version::name("A3")), Some(true));
        assert_eq!(s.eval(&Version::name("310p")), Some(false));
        assert!(Spec::parse("", false).is_err());
        assert!(Spec::parse(">=", false).is_err());
        assert!(Spec::parse(">=main", false).is_err());
        assert!(Spec::parse(">=8.*", false).is_err());
        assert_eq!(
            Spec::parse("==2.5.1.post1", false)
                .expect("parses")
                .single_pin()
                .map(|v| v.raw()),
            Some("2.5.1.post1")
        );
    }
}
