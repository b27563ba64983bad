//! One `.dockerignore` pattern as moby/patternmatcher reads it: cleaned like Go's `path.Clean`,
//! checked for the syntax errors Go's `filepath.Match` reports, and compiled to an exact,
//! prefix, suffix or regex match.

use regex::Regex;

/// How a compiled pattern matches a path.
#[derive(Debug, Clone)]
pub(super) enum Kind {
    Exact,
    Prefix(String),
    Suffix(String),
    Regex(Regex),
}

/// Go's `path.Clean` for `/`-separated paths.
pub(super) fn clean(path: &str) -> String {
    let rooted = path.starts_with('/');
    let mut out: Vec<&str> = Vec::new();
    for comp in path.split('/') {
        match comp {
            "" | "." => {}
            ".." if out.last().is_some_and(|l| *l != "..") => {
                out.pop();
            }
            ".." if rooted => {}
            c => out.push(c),
        }
    }
    let joined = out.join("/");
    match (rooted, joined.is_empty()) {
        (true, _) => format!("/{joined}"),
        (false, true) => ".".to_string(),
        (false, false) => joined,
    }
}

/// The syntax errors Go's `filepath.Match` reports: unterminated or malformed `[...]`, a
/// trailing `\`.
pub(super) fn check_syntax(p: &str) -> Result<(), &'static str> {
    let mut it = p.chars().peekable();
    while let Some(c) = it.next() {
        match c {
            '\\' => {
                it.next().ok_or("trailing `\\`")?;
            }
            '[' => {
                it.next_if_eq(&'^');
                let mut nrange = 0;
                loop {
                    match it.peek() {
                        None => return Err("unterminated `[`"),
                        Some(']') if nrange > 0 => {
                            it.next();
                            break;
                        }
                        _ => {}
                    }
                    class_char(&mut it)?;
                    if it.next_if_eq(&'-').is_some() {
                        class_char(&mut it)?;
                    }
                    nrange += 1;
                }
            }
            _ => {}
        }
    }
    Ok(())
}

fn class_char(it: &mut std::iter::Peekable<std::str::Chars<'_>>) -> Result<(), &'static str> {
    match it.next() {
        None => Err("unterminated `[`"),
        Some('-' | ']') => Err("malformed character class"),
        Some('\\') => it.next().map(|_| ()).ok_or("trailing `\\`"),
        Some(_) => Ok(()),
    }
    .and_then(|()| it.peek().map(|_| ()).ok_or("unterminated `[`"))
}

#[derive(PartialEq, Clone, Copy)]
enum Ty {
    Exact,
    Prefix,
    Suffix,
    Regex,
}

/// moby/patternmatcher's translation of a pattern into a match kind / regex.
pub(super) fn compile(p: &str) -> Result<Kind, String> {
    let chars: Vec<char> = p.chars().collect();
    let mut re = String::from("^");
    let mut ty = Ty::Exact;
    let mut i = 0;
    let mut first = true;
    while i < chars.len() {
        let ch = chars[i];
        i += 1;
        if ch == '*' && chars.get(i) == Some(&'*') {
            i += 1;
            if chars.get(i) == Some(&'/') {
                i += 1;
            }
            if i == chars.len() {
                if ty == Ty::Exact {
                    ty = Ty::Prefix;
                } else {
                    re.push_str(".*");
                    ty = Ty::Regex;
                }
            } else {
                re.push_str("(.*/)?");
                ty = Ty::Regex;
            }
            if first {
                ty = Ty::Suffix;
            }
        } else if ch == '*' {
            re.push_str("[^/]*");
            ty = Ty::Regex;
        } else if ch == '?' {
            re.push_str("[^/]");
            ty = Ty::Regex;
        } else if ".+()|{}$".contains(ch) {
            re.push('\\');
            re.push(ch);
        } else if ch == '\\' {
            re.push('\\');
            if let Some(&next) = chars.get(i) {
                re.push(next);
                i += 1;
                ty = Ty::Regex;
            }
        } else {
            if ch == '[' || ch == ']' {
                ty = Ty::Regex;
            }
            re.push(ch);
        }
        first = false;
    }
    Ok(match ty {
        Ty::Exact => Kind::Exact,
        Ty::Prefix => Kind::Prefix(p.strip_suffix("**").unwrap_or(p).to_string()),
        Ty::Suffix => Kind::Suffix(p.strip_prefix("**").unwrap_or(p).to_string()),
        Ty::Regex => {
            re.push('$');
            Kind::Regex(Regex::new(&re).map_err(|e| e.to_string())?)
        }
    })
}

/// `*` and `?` within one path segment.
pub(crate) fn segment_glob(pat: &str, s: &str) -> bool {
    let (p, s): (Vec<char>, Vec<char>) = (pat.chars().collect(), s.chars().collect());
    // reach[j]: s[..j] matched by the pattern so far.
    let mut reach = vec![false; s.len() + 1];
    reach[0] = true;
    for &pc in &p {
        let mut next = vec![false; s.len() + 1];
        for j in 0..=s.len() {
            if !reach[j] {
                continue;
            }
            match pc {
                '*' => next[j..].iter_mut().for_each(|r| *r = true),
                '?' if j < s.len() => next[j + 1] = true,
                c if j < s.len() && s[j] == c => next[j + 1] = true,
                _ => {}
            }
        }
        reach = next;
    }
    reach[s.len()]
}
