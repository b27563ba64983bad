//! Version strings as people write them, normalised and compared.
//!
//! Accepted shapes (all case-insensitive): `8.2.RC1` = `8.2.rc1`, `v0.9.1`, `2.5.1.post1`,
//! `2.5.1.post1.dev20250528`, `0.11.0rc3`, `9.1.0-beta.3`, `8.1.RC1.alpha002`, `2.7.1+cpu`
//! (local part), `3.10`, `core_r0.8.0` / `releases/v0.9.1` / `py3.10` (a letter prefix before the
//! first digit is dropped), git commits (`1cdd0abd…`, hex, ≥ 7 characters) and `version@commit`.
//! Anything else (`main`, `2.1.0_core_r0.8.0`) is kept as an opaque, lower-cased string that only
//! compares equal to itself.
//!
//! Ordering follows PEP 440 closely: `dev < alpha < beta < rc < final < post`, missing release
//! numbers are zero (`3.10` = `3.10.0`), and CANN's `8.0.RC3` is a pre-release of `8.0.0`.

use std::cmp::Ordering;

/// One qualifier kind, in sort order. `Final` is what a missing qualifier compares as.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Qual {
    Dev,
    Alpha,
    Beta,
    Rc,
    Final,
    Post,
}

#[derive(Clone, Debug, PartialEq, Eq)]
struct Release {
    nums: Vec<u64>,
    quals: Vec<(Qual, u64)>,
    local: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Kind {
    Release(Release),
    Opaque(String),
    /// Only a commit was given.
    CommitOnly,
}

/// A parsed version string.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Version {
    raw: String,
    kind: Kind,
    commit: Option<String>,
}

/// A git commit (prefix): 7–40 hex digits and nothing else (`38217877` counts, `3.10` does not).
fn is_commit(s: &str) -> bool {
    (7..=40).contains(&s.len()) && s.chars().all(|c| c.is_ascii_hexdigit())
}

impl Version {
    pub fn parse(text: &str) -> Version {
        let raw = text.trim().to_string();
        let lower = raw.to_ascii_lowercase();
        let (vpart, commit) = match lower.split_once('@') {
            Some((v, c)) if is_commit(c.trim()) => {
                (v.trim().to_string(), Some(c.trim().to_string()))
            }
            _ => (lower.clone(), None),
        };
        if commit.is_none() && is_commit(&vpart) {
            return Version {
                raw,
                kind: Kind::CommitOnly,
                commit: Some(vpart),
            };
        }
        let kind = if vpart.is_empty() && commit.is_some() {
            Kind::CommitOnly
        } else {
            match parse_release(&vpart) {
                Some(r) => Kind::Release(r),
                None => Kind::Opaque(vpart),
            }
        };
        Version { raw, kind, commit }
    }

    /// A name compared only for (case-insensitive) equality, e.g. a chip or an architecture.
    pub fn name(text: &str) -> Version {
        let raw = text.trim().to_string();
        Version {
            kind: Kind::Opaque(raw.to_ascii_lowercase()),
            raw,
            commit: None,
        }
    }

    /// The text as written.
    pub fn raw(&self) -> &str {
        &self.raw
    }

    /// Release numbers (`[8, 2]` for `8.2.RC1`), if this is an ordered version.
    pub fn release_numbers(&self) -> Option<&[u64]> {
        match &self.kind {
            Kind::Release(r) => Some(&r.nums),
            _ => None,
        }
    }

    /// Exact equality as a `==` pin means it: local parts are ignored when `pin` has none, commits
    /// match by prefix. `None` when the two cannot be compared (a commit against a bare version,
    /// a branch name against a number).
    pub fn matches_pin(&self, pin: &Version) -> Option<bool> {
        if let (Some(a), Some(b)) = (&self.commit, &pin.commit) {
            return Some(a.starts_with(b.as_str()) || b.starts_with(a.as_str()));
        }
        match (&self.kind, &pin.kind) {
            (Kind::Release(a), Kind::Release(b)) => {
                Some(cmp_core(a, b) == Ordering::Equal && (b.local.is_none() || a.local == b.local))
            }
            (Kind::Opaque(a), Kind::Opaque(b)) => Some(a == b),
            _ => None,
        }
    }

    /// Ordering, ignoring local parts and commits; `None` for opaque or commit-only versions.
    pub fn compare(&self, other: &Version) -> Option<Ordering> {
        match (&self.kind, &other.kind) {
            (Kind::Release(a), Kind::Release(b)) => Some(cmp_core(a, b)),
            _ => None,
        }
    }

    /// Same release numbers but a different pre/post/dev/local build (`2.5.1` vs `2.5.1.post1`).
    pub fn same_release_as(&self, other: &Version) -> bool {
        match (&self.kind, &other.kind) {
            (Kind::Release(a), Kind::Release(b)) => cmp_nums(&a.nums, &b.nums) == Ordering::Equal,
            _ => false,
        }
    }

    /// Whether the release numbers start with `prefix` (for `8.*`, `25.5.X`).
    pub fn has_prefix(&self, prefix: &[u64]) -> Option<bool> {
        match &self.kind {
            Kind::Release(r) => Some(
                prefix
                    .iter()
                    .enumerate()
                    .all(|(i, p)| r.nums.get(i).copied().unwrap_or(0) == *p),
            ),
            _ => None,
        }
    }

    /// Rough distance used to suggest nearby known versions: length of the shared release prefix.
    pub fn shared_prefix(&self, other: &Version) -> usize {
        match (self.release_numbers(), other.release_numbers()) {
            (Some(a), Some(b)) => a.iter().zip(b).take_while(|(x, y)| x == y).count(),
            _ => 0,
        }
    }
}

fn cmp_nums(a: &[u64], b: &[u64]) -> Ordering {
    let n = a.len().max(b.len());
    for i in 0..n {
        let o = a
            .get(i)
            .copied()
            .unwrap_or(0)
            .cmp(&b.get(i).copied().unwrap_or(0));
        if o != Ordering::Equal {
            return o;
        }
    }
    Ordering::Equal
}

fn cmp_core(a: &Release, b: &Release) -> Ordering {
    let o = cmp_nums(&a.nums, &b.nums);
    if o != Ordering::Equal {
        return o;
    }
    let n = a.quals.len().max(b.quals.len());
    for i in 0..n {
        let qa = a.quals.get(i).copied().unwrap_or((Qual::Final, 0));
        let qb = b.quals.get(i).copied().unwrap_or((Qual::Final, 0));
        let o = qa.cmp(&qb);
        if o != Ordering::Equal {
            return o;
        }
    }
    Ordering::Equal
}

enum Tok {
    Num(u64),
    Word(String),
    Sep,
}

fn tokens(s: &str) -> Option<Vec<Tok>> {
    let mut out = Vec::new();
    let chars: Vec<char> = s.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c.is_ascii_digit() {
            let start = i;
            while i < chars.len() && chars[i].is_ascii_digit() {
                i += 1;
            }
            let text: String = chars[start..i].iter().collect();
            out.push(Tok::Num(text.parse().ok()?));
        } else if c.is_ascii_alphabetic() {
            let start = i;
            while i < chars.len() && chars[i].is_ascii_alphabetic() {
                i += 1;
            }
            out.push(Tok::Word(chars[start..i].iter().collect()));
        } else if matches!(c, '.' | '-' | '_') {
            out.push(Tok::Sep);
            i += 1;
        } else {
            return None;
        }
    }
    Some(out)
}

fn qual_of(word: &str) -> Option<Qual> {
    Some(match word {
        "dev" => Qual::Dev,
        "alpha" => Qual::Alpha,
        "beta" => Qual::Beta,
        "rc" => Qual::Rc,
        "post" => Qual::Post,
        _ => return None,
    })
}

fn parse_release(s: &str) -> Option<Release> {
    // Drop a letter prefix before the first digit: "v0.9.1", "core_r0.8.0", "releases/v0.9.1".
    let first_digit = s.find(|c: char| c.is_ascii_digit())?;
    let prefix = &s[..first_digit];
    if !prefix
        .chars()
        .all(|c| c.is_ascii_alphabetic() || matches!(c, '_' | '-' | '/' | ' '))
    {
        return None;
    }
    let rest = &s[first_digit..];
    let (main, local) = match rest.split_once('+') {
        Some((m, l))
            if !l.is_empty() && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '.') =>
        {
            (m, Some(l.to_string()))
        }
        Some(_) => return None,
        None => (rest, None),
    };
    let toks = tokens(main)?;
    let mut nums = Vec::new();
    let mut quals = Vec::new();
    let mut i = 0;
    // Release numbers: Num (Sep Num)*
    while i < toks.len() {
        match &toks[i] {
            Tok::Num(n) if quals.is_empty() => {
                nums.push(*n);
                i += 1;
                match toks.get(i) {
                    Some(Tok::Sep) if matches!(toks.get(i + 1), Some(Tok::Num(_))) => i += 1,
                    _ => break,
                }
            }
            _ => break,
        }
    }
    // Qualifiers: (Sep? Word (Sep? Num)?)*
    while i < toks.len() {
        if let Tok::Sep = toks[i] {
            i += 1;
        }
        let Some(Tok::Word(w)) = toks.get(i) else {
            return None;
        };
        let q = qual_of(w)?;
        i += 1;
        let mut n = 0;
        if let Some(Tok::Sep) = toks.get(i) {
            if let Some(Tok::Num(v)) = toks.get(i + 1) {
                n = *v;
                i += 2;
            }
        } else if let Some(Tok::Num(v)) = toks.get(i) {
            n = *v;
            i += 1;
        }
        quals.push((q, n));
    }
    if nums.is_empty() {
        return None;
    }
    Some(Release { nums, quals, local })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn assert_ascending(order: &[&str]) {
        for w in order.windows(2) {
            assert_eq!(
                v(w[0]).compare(&v(w[1])),
                Some(Ordering::Less),
                "{} < {}",
                w[0],
                w[1]
            );
        }
    }

    fn v(s: &str) -> Version {
        Version::parse(s)
    }

    #[test]
    fn case_and_prefixes_normalise() {
        assert_eq!(v("8.2.RC1").matches_pin(&v("8.2.rc1")), Some(true));
        assert_eq!(v("v0.9.1").matches_pin(&v("0.9.1")), Some(true));
        assert_eq!(v("core_v0.12.1").matches_pin(&v("0.12.1")), Some(true));
        assert_eq!(v("core_r0.8.0").matches_pin(&v("0.8.0")), Some(true));
        assert_eq!(v("releases/v0.9.1").matches_pin(&v("0.9.1")), Some(true));
        assert_eq!(v("3.10").matches_pin(&v("3.10.0")), Some(true));
        assert_eq!(v("2.7.1+cpu").matches_pin(&v("2.7.1")), Some(true));
        assert_eq!(v("2.7.1").matches_pin(&v("2.7.1+cpu")), Some(false));
    }

    #[test]
    fn ordering_follows_pep440_and_cann() {
        let order = [
            "8.0.RC1",
            "8.0.RC2.beta1",
            "8.0.RC2",
            "8.0.RC3",
            "8.0.0",
            "8.1.RC1.alpha002",
            "8.1.RC1",
            "8.2.RC1",
            "8.3.RC2",
            "8.5.0",
            "9.1.0-beta.3",
            "9.1.0",
        ];
        assert_ascending(&order);
        let order = [
            "2.5.1.dev20250308",
            "2.5.1",
            "2.5.1.post1.dev20250528",
            "2.5.1.post1",
            "2.5.1.post2",
            "2.6.0rc1",
            "2.6.0",
        ];
        assert_ascending(&order);
        assert_eq!(v("0.11.0rc3").compare(&v("0.11.0")), Some(Ordering::Less));
        assert_eq!(v("v0.9.1-dev").compare(&v("0.9.1")), Some(Ordering::Less));
    }

    #[test]
    fn commits_and_opaque() {
        let c = v("1cdd0abd75e40936ad31721c092f57c695dd72c4");
        assert_eq!(c.matches_pin(&v("1cdd0abd")), Some(true));
        assert_eq!(c.matches_pin(&v("0.12.1")), None);
        let vc = v("0.10.1@38217877aa70041c0115ee367b75197af9cbc5ad");
        assert_eq!(v("0.10.1").matches_pin(&vc), Some(true));
        assert_eq!(v("38217877").matches_pin(&vc), Some(true));
        assert_eq!(v("0.10.0").matches_pin(&vc), Some(false));
        let ms = v("2.1.0_core_r0.8.0");
        assert_eq!(ms.matches_pin(&v("2.1.0_CORE_R0.8.0")), Some(true));
        assert_eq!(ms.matches_pin(&v("2.2.0_core_r0.12.1")), Some(false));
        assert_eq!(v("main").compare(&v("1.0")), None);
        assert!(v("2.5.1").same_release_as(&v("2.5.1.post1")));
        assert!(!v("2.5.1").same_release_as(&v("2.7.1")));
        assert_eq!(
            v("2.9.0.post1+git4c901a4").matches_pin(&v("2.9.0.post1")),
            Some(true)
        );
    }
}
