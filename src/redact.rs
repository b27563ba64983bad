//! What counts as a secret in a build arg, a label or a command line, and how it is hidden.
//!
//! One place for both uses: the model refuses secrets written into `build.args` and
//! `build.labels` (they are stored in the image), and the engine masks them in every command line
//! it logs or prints. Pure functions; no I/O.

use std::sync::LazyLock;

/// What a masked value is shown as.
pub const MASK: &str = "***";

/// Words that make a name a secret's. A name is split into words at `_`, `.`, `-` (and case is
/// ignored); a word that is one of these or ends with one (`HFTOKEN`, `DBPASSWORD`) counts, so
/// `HF_TOKEN` and `MYSQL_ROOT_PASSWORD` do, and `TOKENIZERS_VERSION` or `MAX_TOKENS` do not.
const SECRET_WORDS: &[&str] = &[
    "PASSWORD",
    "PASSWD",
    "TOKEN",
    "SECRET",
    "APIKEY",
    "CREDENTIAL",
    "CREDENTIALS",
];

/// Whether `name` (a build arg or label key) says it holds a secret: one of [`SECRET_WORDS`],
/// or `API` followed by `KEY` (`OPENAI_API_KEY`).
pub fn name_says_secret(name: &str) -> bool {
    let upper = name.to_ascii_uppercase();
    let words: Vec<&str> = upper
        .split(['_', '.', '-', '/'])
        .filter(|w| !w.is_empty())
        .collect();
    words
        .iter()
        .any(|w| SECRET_WORDS.iter().any(|s| w.ends_with(s)))
        || words
            .windows(2)
            .any(|p| p[0].ends_with("API") && p[1] == "KEY")
}

/// Token formats with a fixed prefix, long enough that a version or a package name never
/// matches (`hf_transfer` is a package; `hf_` + 30 letters is a Hugging Face token).
static TOKENS: LazyLock<regex::Regex> = LazyLock::new(|| {
    regex::Regex::new(concat!(
        r"(?:^|[^A-Za-z0-9_])(",
        r"gh[pousr]_[A-Za-z0-9]{30,}",
        r"|github_pat_[A-Za-z0-9_]{30,}",
        r"|glpat-[A-Za-z0-9_-]{20,}",
        r"|hf_[A-Za-z0-9]{30,}",
        r"|(?:AKIA|ASIA)[A-Z0-9]{16}",
        r"|xox[abpr]-[A-Za-z0-9-]{10,}",
        r"|sk-(?:proj-|ant-)?[A-Za-z0-9_-]{20,}",
        r"|sk_live_[A-Za-z0-9]{20,}",
        r"|npm_[A-Za-z0-9]{30,}",
        r"|pypi-[A-Za-z0-9_-]{50,}",
        r"|AIza[A-Za-z0-9_-]{35}",
        r")"
    ))
    .expect("token regex")
});

/// `user:password@host`, with or without a scheme.
static USER_PASSWORD: LazyLock<regex::Regex> = LazyLock::new(|| {
    regex::Regex::new(r"(?:^|[\s=,;(]|://)[A-Za-z0-9._%+~!$&'*-]+:([^\s@/:]+)@[A-Za-z0-9\[]")
        .expect("userinfo regex")
});

/// `https://TOKEN@host`: a user name alone, long and random enough to be a token (a plain user
/// name such as `git@` or `deploy@` is not).
static URL_TOKEN: LazyLock<regex::Regex> = LazyLock::new(|| {
    regex::Regex::new(r"(?i)\bhttps?://([A-Za-z0-9_-]{20,})@").expect("url token regex")
});

/// Where the secret part of each credential in `value` is, with why it is one.
fn secret_spans(value: &str) -> Vec<(std::ops::Range<usize>, &'static str)> {
    let mut out = Vec::new();
    for c in USER_PASSWORD.captures_iter(value) {
        let (Some(whole), Some(secret)) = (c.get(0), c.get(1)) else {
            continue;
        };
        // `image:tag@sha256:...` is a reference pinned by digest, not user:password@host
        let after = &value[whole.end() - 1..];
        if !after.starts_with("sha256:") && !after.starts_with("sha512:") {
            out.push((secret.range(), "user:password in a URL or address"));
        }
    }
    for c in URL_TOKEN.captures_iter(value) {
        if let Some(secret) = c.get(1) {
            out.push((secret.range(), "a token as the user of a URL"));
        }
    }
    for c in TOKENS.captures_iter(value) {
        if let Some(secret) = c.get(1) {
            out.push((secret.range(), "an access token"));
        }
    }
    out
}

/// Why `value` is a credential whatever it is called, or `None`.
pub fn credential_in(value: &str) -> Option<&'static str> {
    secret_spans(value).first().map(|(_, why)| *why)
}

/// `value` with every credential [`credential_in`] finds replaced by [`MASK`].
pub fn mask_credentials(value: &str) -> String {
    let mut spans: Vec<std::ops::Range<usize>> =
        secret_spans(value).into_iter().map(|(r, _)| r).collect();
    if spans.is_empty() {
        return value.to_string();
    }
    spans.sort_by_key(|r| r.start);
    let mut out = String::with_capacity(value.len());
    let mut at = 0;
    for r in spans {
        if r.start < at {
            at = at.max(r.end);
            continue;
        }
        out.push_str(&value[at..r.start]);
        out.push_str(MASK);
        at = r.end;
    }
    out.push_str(&value[at..]);
    out
}

/// One command-line word, masked: the value of `NAME=VALUE` when NAME says secret, and any
/// credential inside.
fn mask_word(word: &str, after_kv_flag: bool) -> String {
    if after_kv_flag {
        if let Some((name, value)) = word.split_once('=') {
            if name_says_secret(name) && !value.is_empty() {
                return format!("{name}={MASK}");
            }
        }
    }
    mask_credentials(word)
}

/// A command line (program arguments, without the program) as it may be logged or printed:
/// the values of `--build-arg`/`--label`/`--env` pairs whose name says secret, and every
/// credential, are `***`.
pub fn command_line(args: &[String]) -> String {
    let mut out = Vec::with_capacity(args.len());
    let mut kv_next = false;
    for a in args {
        let kv_flag = matches!(a.as_str(), "--build-arg" | "--label" | "--env" | "-e");
        let inline = ["--build-arg=", "--label=", "--env="]
            .iter()
            .find_map(|p| a.strip_prefix(p).map(|rest| (*p, rest)));
        match inline {
            Some((prefix, rest)) => out.push(format!("{prefix}{}", mask_word(rest, true))),
            None => out.push(mask_word(a, kv_next)),
        }
        kv_next = kv_flag;
    }
    out.join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_names_by_word() {
        for n in [
            "HF_TOKEN",
            "GITHUB_TOKEN",
            "DB_PASSWORD",
            "MYSQL_ROOT_PASSWORD",
            "pip.password",
            "CLIENT_SECRET",
            "AWS_SECRET_ACCESS_KEY",
            "OPENAI_API_KEY",
            "APIKEY",
            "GOOGLE_CREDENTIALS",
            "HFTOKEN",
            "passwd",
        ] {
            assert!(name_says_secret(n), "{n}");
        }
        for n in [
            "TOKENIZERS_VERSION",
            "MAX_TOKENS",
            "SECRETARY",
            "PYTHON_VERSION",
            "KEYRING",
            "org.opencontainers.image.source",
            "PASSWORDLESS",
        ] {
            assert!(!name_says_secret(n), "{n}");
        }
    }

    #[test]
    fn credentials_in_values() {
        let ghp = format!("ghp_{}", "a1B2".repeat(9));
        let hf = format!("hf_{}", "x".repeat(34));
        for v in [
            "http://user:s3cret@proxy:8080".to_string(),
            "user:s3cret@proxy.example.com:3128".to_string(),
            format!("https://{ghp}@github.com/org/repo.git"),
            format!("https://oauth2{}@gitlab.example.com/x", "q".repeat(20)),
            ghp.clone(),
            format!("token={hf}"),
            format!("github_pat_{}", "A1_".repeat(12)),
            format!("glpat-{}", "z".repeat(20)),
            "AKIAIOSFODNN7EXAMPLE".to_string(),
            format!("xoxb-{}", "1234567890-abc"),
            format!("sk-{}", "k".repeat(40)),
        ] {
            assert!(credential_in(&v).is_some(), "{v}");
            assert!(!mask_credentials(&v).contains("s3cret"), "{v}");
        }
        for v in [
            "3.10",
            "ubuntu:22.04",
            "127.0.0.1:5000/ai/python:3.10",
            "git@github.com:org/repo.git",
            "ssh://git@github.com/org/repo",
            "https://deploy@example.com/x",
            "hf_transfer",
            "sk-learn",
            "x/python@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
            "https://mirrors.example.com/simple",
            "type=registry,ref=127.0.0.1:5000/cache:amd64",
            "${HF_ENDPOINT}",
            "ubuntu:22.04@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
        ] {
            assert_eq!(credential_in(v), None, "{v}");
        }
    }

    #[test]
    fn command_lines_hide_secret_values() {
        let args: Vec<String> = [
            "build",
            "--build-arg",
            "HF_TOKEN=abc",
            "--build-arg",
            "PROXY=http://u:pw123@proxy:3128",
            "--label=DB_PASSWORD=hunter2",
            "--build-arg",
            "PYTHON_VERSION=3.10",
            "ctx",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        let line = command_line(&args);
        assert_eq!(
            line,
            "build --build-arg HF_TOKEN=*** --build-arg PROXY=http://u:***@proxy:3128 \
             --label=DB_PASSWORD=*** --build-arg PYTHON_VERSION=3.10 ctx"
        );
    }
}
