//! `.dockerignore` as BuildKit reads and applies it: Go `filepath.Match` syntax plus `**`,
//! `!` exceptions where the last matching pattern wins, and a pattern that matches a directory
//! excluding everything below it. The reader and the pattern compiler mirror BuildKit's
//! dockerignore reader and moby/patternmatcher, quirks included, so adf sees the files the
//! build sees.

mod pattern;

pub(crate) use pattern::segment_glob;
use pattern::{check_syntax, clean, compile, Kind};
use std::path::{Path, PathBuf};
use std::{fmt, fs, io};

/// A parsed ignore file: patterns in written order.
#[derive(Debug, Clone, Default)]
pub struct DockerIgnore {
    patterns: Vec<Pattern>,
}

#[derive(Debug, Clone)]
struct Pattern {
    /// Cleaned pattern without the `!`.
    text: String,
    exclusion: bool,
    kind: Kind,
}

/// A pattern Docker would refuse (the build would fail with it too).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PatternError {
    /// 1-based line in the ignore file.
    pub line: usize,
    /// The line as written (trimmed).
    pub pattern: String,
    /// What is wrong with it.
    pub message: String,
}

impl fmt::Display for PatternError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "line {}: invalid pattern `{}`: {}",
            self.line, self.pattern, self.message
        )
    }
}

impl std::error::Error for PatternError {}

impl DockerIgnore {
    /// Parses ignore-file text: `#` comments (only at the very start of a line), blank lines,
    /// surrounding whitespace trimmed, a UTF-8 BOM dropped, patterns cleaned like Go's
    /// `filepath.Clean` with a leading `/` removed.
    pub fn parse(text: &str) -> Result<Self, PatternError> {
        let mut patterns = Vec::new();
        for (i, raw) in text.lines().enumerate() {
            let line = if i == 0 {
                raw.strip_prefix('\u{feff}').unwrap_or(raw)
            } else {
                raw
            };
            if line.starts_with('#') {
                continue;
            }
            let mut p = line.trim();
            if p.is_empty() {
                continue;
            }
            let invert = p.starts_with('!');
            if invert {
                p = p[1..].trim();
            }
            let mut p = if p.is_empty() {
                String::new()
            } else {
                clean(p)
            };
            if p.len() > 1 && p.starts_with('/') {
                p.remove(0);
            }
            if invert {
                p.insert(0, '!');
            }
            // What moby/patternmatcher.New does with each line.
            let p = clean(&p);
            let err = |message: &str| PatternError {
                line: i + 1,
                pattern: line.trim().to_string(),
                message: message.to_string(),
            };
            let (exclusion, text) = match p.strip_prefix('!') {
                Some("") => return Err(err("`!` needs a pattern after it")),
                Some(rest) => (true, rest.to_string()),
                None => (false, p),
            };
            check_syntax(&text).map_err(err)?;
            let kind = compile(&text).map_err(|e| err(&e))?;
            patterns.push(Pattern {
                text,
                exclusion,
                kind,
            });
        }
        Ok(DockerIgnore { patterns })
    }

    /// Reads and parses an ignore file; a bad pattern is an `InvalidData` error naming the file.
    pub fn load(path: &Path) -> io::Result<Self> {
        let bytes = crate::safe_fs::read_regular(path, crate::safe_fs::MAX_TEXT)?;
        DockerIgnore::parse(&String::from_utf8_lossy(&bytes)).map_err(|e| {
            io::Error::new(
                io::ErrorKind::InvalidData,
                format!("{}: {e}", path.display()),
            )
        })
    }

    /// No patterns at all.
    pub fn is_empty(&self) -> bool {
        self.patterns.is_empty()
    }

    /// Whether `path` (relative to the context root, `/`-separated, no `./`) is left out of the
    /// build context.
    pub fn is_excluded(&self, path: &str) -> bool {
        self.last_match(path)
            .is_some_and(|i| !self.patterns[i].exclusion)
    }

    /// Whether directory `dir` is excluded and no `!` exception can bring back anything below
    /// it, so a walk need not enter it. Conservative: `false` when unsure.
    pub fn can_skip_dir(&self, dir: &str) -> bool {
        let Some(k) = self.last_match(dir) else {
            return false;
        };
        if self.patterns[k].exclusion {
            return false;
        }
        // Pattern k matches everything below `dir`; only a later exception could undo that.
        !self.patterns[k + 1..]
            .iter()
            .any(|p| p.exclusion && p.may_match_below(dir))
    }

    fn last_match(&self, path: &str) -> Option<usize> {
        self.patterns.iter().rposition(|p| p.hits(path))
    }
}

impl Pattern {
    fn matches(&self, path: &str) -> bool {
        match &self.kind {
            Kind::Exact => path == self.text,
            Kind::Prefix(prefix) => path.starts_with(prefix.as_str()),
            Kind::Suffix(suffix) => {
                path.ends_with(suffix.as_str())
                    || suffix.strip_prefix('/').is_some_and(|s| path == s)
            }
            Kind::Regex(re) => re.is_match(path),
        }
    }

    /// Matches `path` or one of its parent directories.
    fn hits(&self, path: &str) -> bool {
        self.matches(path)
            || path
                .match_indices('/')
                .any(|(i, _)| self.matches(&path[..i]))
    }

    /// Whether some path strictly below `dir` could match. Conservative for `**`, classes and
    /// escapes (which may cross `/` in Docker's regex translation).
    fn may_match_below(&self, dir: &str) -> bool {
        let dsegs: Vec<&str> = dir.split('/').collect();
        for (i, ps) in self.text.split('/').enumerate() {
            if ps.contains("**") || ps.contains('[') || ps.contains('\\') {
                return true;
            }
            let Some(ds) = dsegs.get(i) else {
                return true;
            };
            if !segment_glob(ps, ds) {
                return false;
            }
        }
        false
    }
}

/// Which ignore file applies to a build: `<Dockerfile-name>.dockerignore` next to the Dockerfile
/// (BuildKit), else `<context>/.dockerignore`, else none. One that exists but is not a file
/// (a directory, say) is an error, as it is for Docker.
pub fn ignore_file_for(context: &Path, dockerfile: &Path) -> io::Result<Option<PathBuf>> {
    let is_file = |p: &Path| match fs::metadata(p) {
        Ok(m) if m.is_file() => Ok(true),
        Ok(_) => Err(io::Error::new(
            io::ErrorKind::InvalidData,
            format!("{}: not a file", p.display()),
        )),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(false),
        Err(e) => Err(e),
    };
    if let Some(name) = dockerfile.file_name() {
        let mut n = name.to_os_string();
        n.push(".dockerignore");
        let specific = dockerfile.with_file_name(n);
        if is_file(&specific)? {
            return Ok(Some(specific));
        }
    }
    let root = context.join(".dockerignore");
    Ok(is_file(&root)?.then_some(root))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn excluded(ignore: &str, path: &str) -> bool {
        DockerIgnore::parse(ignore)
            .expect("valid")
            .is_excluded(path)
    }

    #[test]
    fn match_table() {
        let table: &[(&str, &str, bool)] = &[
            ("foo", "foo", true),
            ("foo", "foo/bar/baz", true),
            ("foo", "a/foo", false),
            ("/foo", "foo/x", true),
            ("./foo/", "foo/x", true),
            ("*.py", "a.py", true),
            ("*.py", "d/a.py", false),
            ("*/*.py", "d/a.py", true),
            ("**/*.py", "a.py", true),
            ("**/*.py", "d/e/a.py", true),
            ("**/*.py", "d/e/a.pyc", false),
            ("**/node_modules", "x/node_modules/y", true),
            ("a/**/b", "a/b", true),
            ("a/**/b", "a/x/y/b", true),
            ("a/**/b", "ab", false),
            ("pkg/**", "pkg/x", true),
            ("pkg/**", "pkg", false),
            ("**", "anything/at/all", true),
            ("fo?", "foo", true),
            ("fo?", "fo/", false),
            ("[a-c]at", "bat", true),
            ("[^a-c]at", "bat", false),
            ("a.b", "axb", false),
            ("a\\*b", "a*b", true),
            ("a\\*b", "axb", false),
            ("# not a comment", "# not a comment", false),
            (" # pattern", "# pattern", true),
            ("x/../y", "y", true),
            ("packages\n!packages/keep.txt", "packages/keep.txt", false),
            ("packages\n!packages/keep.txt", "packages/other", true),
            ("*\n!src\nsrc/*.tmp", "src/a.tmp", true),
            ("*\n!src\nsrc/*.tmp", "src/a.rs", false),
            ("!keep\n*", "keep", true),
            ("\u{feff}foo", "foo", true),
            ("foo\r\nbar", "bar", true),
        ];
        for (ignore, path, want) in table {
            assert_eq!(excluded(ignore, path), *want, "{ignore:?} vs {path:?}");
        }
    }

    #[test]
    fn bad_patterns_are_errors_not_panics() {
        for bad in ["[", "a[", "[]", "x\n!", "a\\", "[a-]", "[z-a]"] {
            let e = DockerIgnore::parse(bad).expect_err(bad);
            assert!(e.line >= 1, "{e}");
        }
        assert!(DockerIgnore::parse("#only\n\n   \n")
            .expect("ok")
            .is_empty());
    }

    #[test]
    fn skip_dir_only_without_possible_exceptions() {
        let ig = DockerIgnore::parse("packages\n*.log\n!*.md\n!keep/**").expect("ok");
        assert!(ig.can_skip_dir("packages"));
        assert!(!ig.can_skip_dir("src"), "not excluded");
        let ig = DockerIgnore::parse("packages\n!packages/cann/*.run").expect("ok");
        assert!(!ig.can_skip_dir("packages"));
        assert!(!ig.can_skip_dir("packages/cann"));
        assert!(ig.can_skip_dir("packages/torch"));
        let ig = DockerIgnore::parse("!**/keep\npackages").expect("ok");
        assert!(
            ig.can_skip_dir("packages"),
            "earlier exceptions are overridden"
        );
        let ig = DockerIgnore::parse("packages\n!**/keep").expect("ok");
        assert!(!ig.can_skip_dir("packages"));
    }

    #[test]
    fn dockerfile_specific_ignore_file_wins() {
        let dir = tempfile::tempdir().expect("tempdir");
        let ctx = dir.path();
        let df = ctx.join("docker/app.Dockerfile");
        fs::create_dir_all(ctx.join("docker")).expect("mkdir");
        assert_eq!(ignore_file_for(ctx, &df).expect("io"), None);
        fs::write(ctx.join(".dockerignore"), "x").expect("write");
        assert_eq!(
            ignore_file_for(ctx, &df).expect("io"),
            Some(ctx.join(".dockerignore"))
        );
        fs::write(ctx.join("docker/app.Dockerfile.dockerignore"), "y").expect("write");
        assert_eq!(
            ignore_file_for(ctx, &df).expect("io"),
            Some(ctx.join("docker/app.Dockerfile.dockerignore"))
        );
        fs::create_dir(ctx.join("docker/Dockerfile.dockerignore")).expect("mkdir");
        assert!(ignore_file_for(ctx, &ctx.join("docker/Dockerfile")).is_err());
    }
}
