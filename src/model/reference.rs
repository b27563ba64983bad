//! Docker image references (`[domain/]path[:tag][@digest]`), validated against the grammar of
//! `distribution/reference`, with the normalisation Docker applies when comparing them.

use std::fmt;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reference {
    pub domain: Option<String>,
    pub path: String,
    pub tag: Option<String>,
    pub digest: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RefError {
    Empty,
    Uppercase(String),
    BadComponent(String),
    BadDomain(String),
    BadTag(String),
    TagTooLong(usize),
    BadDigest(String),
    NameTooLong(usize),
}

impl fmt::Display for RefError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RefError::Empty => write!(f, "empty image reference"),
            RefError::Uppercase(p) => write!(f, "repository name `{p}` has upper-case letters"),
            RefError::BadComponent(c) => write!(f, "repository path component `{c}` is not valid"),
            RefError::BadDomain(d) => write!(f, "registry `{d}` is not a valid host[:port]"),
            RefError::BadTag(t) => write!(f, "tag `{t}` has characters Docker does not allow"),
            RefError::TagTooLong(n) => {
                write!(f, "tag is {n} characters long; Docker allows at most 128")
            }
            RefError::BadDigest(d) => write!(f, "digest `{d}` is not valid"),
            RefError::NameTooLong(n) => write!(
                f,
                "repository name is {n} characters long; Docker allows at most 255"
            ),
        }
    }
}

impl RefError {
    pub fn help(&self) -> String {
        match self {
            RefError::Empty => "write a reference such as `org/python:3.10`".into(),
            RefError::Uppercase(p) => format!("repository names are lower case: `{}`", p.to_lowercase()),
            RefError::BadComponent(_) => {
                "path components use lower-case letters and digits, separated by `.`, `_`, `__` or dashes, and do not start or end with a separator".into()
            }
            RefError::BadDomain(_) => "a registry is a host name or IP with an optional `:port`, e.g. `127.0.0.1:5000`".into(),
            RefError::BadTag(_) => "a tag starts with a letter, digit or `_` and continues with letters, digits, `_`, `.` or `-`".into(),
            RefError::TagTooLong(_) => "shorten the tag to 128 characters or fewer".into(),
            RefError::BadDigest(_) => "a digest looks like `sha256:` followed by 64 hex digits".into(),
            RefError::NameTooLong(_) => "shorten the repository name".into(),
        }
    }
}

fn is_lower_alnum(c: char) -> bool {
    c.is_ascii_lowercase() || c.is_ascii_digit()
}

/// `alpha-numeric (separator alpha-numeric)*` with separators `.`, `_`, `__`, `-+`.
fn valid_path_component(c: &str) -> bool {
    let b = c.as_bytes();
    if b.is_empty() || !is_lower_alnum(b[0] as char) || !is_lower_alnum(b[b.len() - 1] as char) {
        return false;
    }
    let mut i = 0;
    while i < b.len() {
        let ch = b[i] as char;
        if is_lower_alnum(ch) {
            i += 1;
            continue;
        }
        let start = i;
        while i < b.len() && !is_lower_alnum(b[i] as char) {
            i += 1;
        }
        let sep = &c[start..i];
        let ok = sep == "." || sep == "_" || sep == "__" || sep.chars().all(|s| s == '-');
        if !ok {
            return false;
        }
    }
    true
}

fn valid_domain(d: &str) -> bool {
    let (host, port) = match d.rsplit_once(':') {
        Some((h, p)) if !h.starts_with('[') || h.ends_with(']') => (h, Some(p)),
        _ => (d, None),
    };
    if let Some(p) = port {
        if p.is_empty() || !p.chars().all(|c| c.is_ascii_digit()) {
            return false;
        }
    }
    if host.starts_with('[') && host.ends_with(']') {
        return host[1..host.len() - 1]
            .chars()
            .all(|c| c.is_ascii_hexdigit() || c == ':');
    }
    !host.is_empty()
        && host.split('.').all(|part| {
            !part.is_empty()
                && part.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
                && !part.starts_with('-')
                && !part.ends_with('-')
        })
}

fn valid_tag(t: &str) -> bool {
    let mut chars = t.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphanumeric() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.' || c == '-')
}

fn valid_digest(d: &str) -> bool {
    let Some((alg, hex)) = d.split_once(':') else {
        return false;
    };
    let alg_ok = !alg.is_empty()
        && alg.split(['+', '.', '-', '_']).all(|p| {
            let mut c = p.chars();
            matches!(c.next(), Some(f) if f.is_ascii_alphabetic())
                && c.all(|x| x.is_ascii_alphanumeric())
        });
    let hex_ok = hex.len() >= 32 && hex.chars().all(|c| c.is_ascii_hexdigit());
    let sha_ok = alg != "sha256"
        || (hex.len() == 64
            && hex
                .chars()
                .all(|c| c.is_ascii_digit() || ('a'..='f').contains(&c)));
    alg_ok && hex_ok && sha_ok
}

impl Reference {
    pub fn parse(s: &str) -> Result<Reference, RefError> {
        if s.is_empty() {
            return Err(RefError::Empty);
        }
        let (rest, digest) = match s.split_once('@') {
            Some((r, d)) => {
                if !valid_digest(d) {
                    return Err(RefError::BadDigest(d.to_string()));
                }
                (r, Some(d.to_string()))
            }
            None => (s, None),
        };
        // a `:` after the last `/` starts the tag (a `:` before it is a registry port)
        let last_slash = rest.rfind('/').map(|i| i + 1).unwrap_or(0);
        let (name, tag) = match rest[last_slash..].find(':') {
            Some(i) => (&rest[..last_slash + i], Some(&rest[last_slash + i + 1..])),
            None => (rest, None),
        };
        if let Some(t) = tag {
            if t.len() > 128 {
                return Err(RefError::TagTooLong(t.len()));
            }
            if !valid_tag(t) {
                return Err(RefError::BadTag(t.to_string()));
            }
        }
        if name.is_empty() {
            return Err(RefError::Empty);
        }
        let (domain, path) = match name.split_once('/') {
            // Docker would read an upper-case first component as a registry host; nobody means
            // that, so (stricter than Docker) only `.`, `:` or `localhost` make a registry.
            Some((first, rest)) if first.contains(['.', ':']) || first == "localhost" => {
                (Some(first), rest)
            }
            _ => (None, name),
        };
        if let Some(d) = domain {
            if !valid_domain(d) {
                return Err(RefError::BadDomain(d.to_string()));
            }
        }
        if path.len() > 255 {
            return Err(RefError::NameTooLong(path.len()));
        }
        for comp in path.split('/') {
            if comp.chars().any(|c| c.is_ascii_uppercase()) {
                return Err(RefError::Uppercase(path.to_string()));
            }
            if !valid_path_component(comp) {
                return Err(RefError::BadComponent(comp.to_string()));
            }
        }
        Ok(Reference {
            domain: domain.map(str::to_string),
            path: path.to_string(),
            tag: tag.map(str::to_string),
            digest,
        })
    }

    /// Docker's fully qualified form: `docker.io/library/ubuntu:latest` for `ubuntu`.
    pub fn normalized(&self) -> String {
        let domain = self.domain.as_deref().unwrap_or("docker.io");
        let path = if domain == "docker.io" && !self.path.contains('/') {
            format!("library/{}", self.path)
        } else {
            self.path.clone()
        };
        let mut out = format!("{domain}/{path}");
        match (&self.tag, &self.digest) {
            (Some(t), _) => out.push_str(&format!(":{t}")),
            (None, None) => out.push_str(":latest"),
            _ => {}
        }
        if let Some(d) = &self.digest {
            out.push_str(&format!("@{d}"));
        }
        out
    }
}

/// Normalised form for comparisons; invalid references compare as written.
pub fn normalize(s: &str) -> String {
    Reference::parse(s)
        .map(|r| r.normalized())
        .unwrap_or_else(|_| s.to_string())
}

/// The registry part of a reference, or None for Docker Hub.
pub fn registry_of(reference: &str) -> Option<&str> {
    let (first, rest) = reference.split_once('/')?;
    let is_registry = first.contains('.') || first.contains(':') || first == "localhost";
    (is_registry && !rest.is_empty()).then_some(first)
}

/// `127.0.0.1:5000/team/app:1` → `127.0.0.1:5000/team/app` (no tag, no digest).
pub fn repository_of(reference: &str) -> &str {
    let no_digest = reference.split('@').next().unwrap_or(reference);
    match no_digest.rfind(':') {
        Some(i) if !no_digest[i..].contains('/') => &no_digest[..i],
        _ => no_digest,
    }
}

/// Why `prefix` is not a registry/namespace prefix (`127.0.0.1:5000/team`, `swr.example.com/ai`)
/// under which `PREFIX/repo:tag` is a valid reference: what `push --to` and `registry:` take.
pub fn check_prefix(prefix: &str) -> Result<(), String> {
    if prefix.trim().is_empty() {
        return Err("the prefix is empty".into());
    }
    if prefix.contains('@') {
        return Err("a prefix cannot carry a digest".into());
    }
    let probe = format!("{}/x:1", prefix.trim_end_matches('/'));
    // the message names the probe's path: name the prefix's instead
    Reference::parse(&probe)
        .map(drop)
        .map_err(|e| e.to_string().replace("/x`", "`"))
}

/// Loopback registries are the ones dockerd allows over plain HTTP by default.
pub fn is_loopback(registry: &str) -> bool {
    let host = registry
        .rsplit_once(':')
        .filter(|(_, port)| port.bytes().all(|b| b.is_ascii_digit()))
        .map(|(h, _)| h)
        .unwrap_or(registry);
    host == "localhost" || host.starts_with("127.") || host == "[::1]"
}

#[cfg(test)]
mod prefix_tests {
    use super::check_prefix;

    #[test]
    fn prefixes() {
        for ok in [
            "127.0.0.1:5000/team",
            "swr.example.com/ai/",
            "team",
            "localhost:5000",
        ] {
            assert_eq!(check_prefix(ok), Ok(()), "{ok}");
        }
        for bad in [
            "",
            "Reg.io/Team",
            "r.io/a@sha256:00",
            "r.io/team:1",
            "r.io//x",
        ] {
            assert!(check_prefix(bad).is_err(), "{bad}");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn valid_references() {
        for ok in [
            "ubuntu",
            "ubuntu:22.04",
            "xuopoj/python:3.10",
            "swr.cn-south-1.myhuaweicloud.com/org1/cann:8.2rc1-910b",
            "127.0.0.1:5000/adf/python:3.10",
            "localhost/a/b",
            "a__b/c-d---e.f_g:Tag_1.0-x",
            "ubuntu@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
            "v0.11.0rc2",
        ] {
            assert!(Reference::parse(ok).is_ok(), "{ok}");
        }
    }

    #[test]
    fn invalid_references() {
        let long_tag = format!("a:{}", "x".repeat(129));
        type Case<'a> = (&'a str, fn(&RefError) -> bool);
        let cases: Vec<Case> = vec![
            ("", |e| matches!(e, RefError::Empty)),
            ("Xuopoj/python:3.10", |e| {
                matches!(e, RefError::Uppercase(_))
            }),
            ("xuopoj/Python", |e| matches!(e, RefError::Uppercase(_))),
            ("xuopoj/python:3.10!", |e| matches!(e, RefError::BadTag(_))),
            ("xuopoj/python:.x", |e| matches!(e, RefError::BadTag(_))),
            (&long_tag, |e| matches!(e, RefError::TagTooLong(129))),
            ("a/-b", |e| matches!(e, RefError::BadComponent(_))),
            ("a/b..c", |e| matches!(e, RefError::BadComponent(_))),
            ("a//b", |e| matches!(e, RefError::BadComponent(_))),
            ("ubuntu@sha256:abc", |e| matches!(e, RefError::BadDigest(_))),
            ("reg.io:port/a", |e| matches!(e, RefError::BadDomain(_))),
        ];
        for (input, check) in cases {
            let err = Reference::parse(input).expect_err(input);
            assert!(check(&err), "{input}: {err:?}");
        }
    }

    #[test]
    fn normalisation() {
        assert_eq!(normalize("ubuntu"), "docker.io/library/ubuntu:latest");
        assert_eq!(
            normalize("xuopoj/python:3.10"),
            "docker.io/xuopoj/python:3.10"
        );
        assert_eq!(
            normalize("docker.io/xuopoj/python:3.10"),
            normalize("xuopoj/python:3.10")
        );
        assert_eq!(normalize("127.0.0.1:5000/a:1"), "127.0.0.1:5000/a:1");
    }

    #[test]
    fn registries_and_repositories() {
        assert_eq!(registry_of("127.0.0.1:5000/a/b:1"), Some("127.0.0.1:5000"));
        assert_eq!(registry_of("localhost/a"), Some("localhost"));
        assert_eq!(registry_of("team/app:1"), None);
        assert_eq!(registry_of("app"), None);
        assert_eq!(
            repository_of("127.0.0.1:5000/team/app:1"),
            "127.0.0.1:5000/team/app"
        );
        assert_eq!(
            repository_of("127.0.0.1:5000/team/app"),
            "127.0.0.1:5000/team/app"
        );
        assert_eq!(repository_of("app@sha256:ab"), "app");
        assert!(is_loopback("127.0.0.1:5000"));
        assert!(is_loopback("localhost"));
        assert!(!is_loopback("swr.example.com"));
        assert!(!is_loopback("10.0.0.1:5000"));
    }
}
