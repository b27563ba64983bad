//! The globs `--target`, `--set IMAGE.KEY=...` and `adf init --target` take: `*` matches any run
//! of characters, `?` any one character, everything else itself.

/// Whether `name` matches `pattern`, in time linear in their lengths times the number of `*`s
/// (the classic wildcard match that remembers only the last `*`; no backtracking blow-up on a
/// hostile pattern).
pub fn matches(pattern: &str, name: &str) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    let n: Vec<char> = name.chars().collect();
    let (mut pi, mut ni) = (0, 0);
    // the last `*` seen, and where in `name` it started matching
    let mut star: Option<(usize, usize)> = None;
    while ni < n.len() {
        match p.get(pi) {
            Some('*') => {
                star = Some((pi, ni));
                pi += 1;
            }
            Some(&c) if c == '?' || c == n[ni] => {
                pi += 1;
                ni += 1;
            }
            _ => match star {
                // let the last `*` take one more character and try again after it
                Some((sp, sn)) => {
                    star = Some((sp, sn + 1));
                    pi = sp + 1;
                    ni = sn + 1;
                }
                None => return false,
            },
        }
    }
    p[pi..].iter().all(|&c| c == '*')
}

#[cfg(test)]
mod tests {
    use super::matches;

    #[test]
    fn stars_and_question_marks() {
        assert!(matches("cann-*", "cann-8.2rc1-910b"));
        assert!(matches("*-910b", "yolo-910b"));
        assert!(matches("c*-*-910b", "cann-8.2rc1-910b"));
        assert!(!matches("cann-*", "pytorch-npu"));
        assert!(matches("yolo", "yolo"));
        assert!(!matches("yolo", "yolo2"));
        assert!(!matches("a*a", "a"));
        assert!(matches("*", ""));
        assert!(matches("**", "abc"));
        assert!(matches("py3.1?", "py3.10"));
        assert!(!matches("py3.1?", "py3.1"));
        assert!(matches("a*b*c", "aXbYbZc"));
        assert!(!matches("a*b*c", "aXbYbZ"));
    }

    #[test]
    fn a_hostile_pattern_is_quick() {
        let name = "a".repeat(5000);
        let pattern = format!("{}b", "a*".repeat(200));
        assert!(!matches(&pattern, &name));
    }
}
