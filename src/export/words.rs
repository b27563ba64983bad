//! Dockerfile words for the shell: quoting that keeps `$VAR` expansion (as Docker expands
//! variables) or globs, `ARG` and `ENV` forms, and build args substituted where adf knows them.

use std::collections::BTreeMap;

/// Double-quoted for the shell: `$VAR` and `${VAR}` expand (as Docker expands them), nothing
/// else does.
pub fn expanding(s: &str) -> String {
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
pub fn globbing(s: &str) -> String {
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

/// `ARG A B=1` → (A, None), (B, Some("1")).
pub fn arg_decls(args: &str) -> Vec<(String, Option<String>)> {
    args.split_whitespace()
        .map(|w| match w.split_once('=') {
            Some((k, v)) => (k.to_string(), Some(v.trim_matches('"').to_string())),
            None => (w.to_string(), None),
        })
        .collect()
}

/// `ENV A=1 B="x y"` or the old `ENV A 1 2`.
pub fn env_pairs(args: &str) -> Vec<(String, String)> {
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
pub fn substitute(s: &str, args: &BTreeMap<String, String>) -> String {
    let mut out = s.to_string();
    for (k, v) in args {
        out = out
            .replace(&format!("${{{k}}}"), v)
            .replace(&format!("${k}"), v);
    }
    out
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
