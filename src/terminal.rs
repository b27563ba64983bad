//! Text on its way to a terminal: control characters written into a file (an image name, a tag,
//! a Dockerfile line) must not move the cursor, clear the screen or retitle the window.

use std::borrow::Cow;

fn is_control(c: char) -> bool {
    c.is_control() && c != '\n' && c != '\t'
}

/// `s` with every control character but newline and tab written as an escape (`\u{1b}`).
pub fn escape_controls(s: &str) -> Cow<'_, str> {
    if !s.chars().any(is_control) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if is_control(c) {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// `s` with every control character but newline and tab replaced by `?` bytes, keeping every
/// byte offset (snippets of a file point into it by offset).
pub fn mask_controls(s: &str) -> Cow<'_, str> {
    if !s.chars().any(is_control) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if is_control(c) {
            out.extend(std::iter::repeat_n('?', c.len_utf8()));
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn controls_are_escaped_or_masked() {
        assert_eq!(escape_controls("a\u{1b}[2Jb\n"), "a\\u{1b}[2Jb\n");
        assert_eq!(escape_controls("plain"), "plain");
        let masked = mask_controls("a\u{1b}b\u{9b}c");
        assert_eq!(masked, "a?b??c");
        assert_eq!(masked.len(), "a\u{1b}b\u{9b}c".len());
    }
}
