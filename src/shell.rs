//! POSIX shell quoting, for every script and command line adf writes out.

/// `s` single-quoted for a POSIX shell: `it's` → `'it'\''s'`.
pub fn quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', r"'\''"))
}

/// `s` as one shell word: bare when it has only safe characters, single-quoted otherwise.
pub fn word(s: &str) -> String {
    let safe = !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./:=,@%+".contains(c));
    if safe {
        s.to_string()
    } else {
        quote(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoting() {
        assert_eq!(quote("it's"), r"'it'\''s'");
        assert_eq!(word("/dev/davinci0"), "/dev/davinci0");
        assert_eq!(word("a b"), "'a b'");
        assert_eq!(word(""), "''");
    }
}
