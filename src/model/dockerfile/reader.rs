//! The Dockerfile reader: parser directives (`# syntax=`, `# escape=`), instructions with their
//! continuation lines joined (comment and empty lines inside a continuation dropped, as
//! BuildKit does), heredoc bodies (`<<EOF`, `<<-EOF`, `<<"EOF"`) taken out of the instruction
//! stream, and the JSON form of an instruction's arguments. Positions are 1-based lines and
//! byte offsets into the original text.

/// The parser directives at the top of the file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Directives {
    /// `# syntax=docker/dockerfile:1`
    pub syntax: Option<String>,
    /// `# escape=\`` (a backtick) or the default backslash.
    pub escape: char,
}

/// A heredoc of an instruction: `<<EOF` ... `EOF`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Heredoc {
    pub name: String,
    pub body: String,
}

/// One instruction as BuildKit reads it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Instruction {
    /// Upper case: `FROM`, `COPY`, ...
    pub keyword: String,
    /// 1-based line of the keyword.
    pub line: usize,
    /// Byte offset of the keyword.
    pub offset: usize,
    /// Byte offset just past the instruction's last line (heredoc bodies not counted).
    pub end: usize,
    /// Everything after the keyword, continuation lines joined (the escape character and the
    /// line break removed, as BuildKit does).
    pub rest: String,
    pub heredocs: Vec<Heredoc>,
}

impl Instruction {
    /// The leading `--flag[=value]` words, then the rest.
    pub fn flags_and_args(&self) -> (Vec<&str>, &str) {
        let mut flags = Vec::new();
        let mut rest = self.rest.trim_start();
        while rest.starts_with("--") {
            let end = rest.find(char::is_whitespace).unwrap_or(rest.len());
            flags.push(&rest[..end]);
            rest = rest[end..].trim_start();
        }
        (flags, rest.trim_end())
    }

    /// The arguments after the flags: the JSON form (`["a", "b"]`) when it is valid JSON, else
    /// the words split on white space (BuildKit falls back the same way).
    pub fn args(&self) -> (Vec<String>, bool) {
        let (_, rest) = self.flags_and_args();
        if rest.starts_with('[') {
            if let Ok(list) = serde_json::from_str::<Vec<String>>(rest) {
                return (list, true);
            }
        }
        (rest.split_whitespace().map(str::to_string).collect(), false)
    }
}

/// Instructions whose arguments may open heredocs.
const HEREDOC_INSTRUCTIONS: &[&str] = &["RUN", "COPY", "ADD"];

/// Every instruction BuildKit knows.
pub const INSTRUCTIONS: &[&str] = &[
    "ADD",
    "ARG",
    "CMD",
    "COPY",
    "ENTRYPOINT",
    "ENV",
    "EXPOSE",
    "FROM",
    "HEALTHCHECK",
    "LABEL",
    "MAINTAINER",
    "ONBUILD",
    "RUN",
    "SHELL",
    "STOPSIGNAL",
    "USER",
    "VOLUME",
    "WORKDIR",
];

/// Reads the parser directives: `# key=value` lines at the very top (the first line that is
/// not one ends them, as in BuildKit).
pub fn directives(text: &str) -> Directives {
    let mut out = Directives {
        syntax: None,
        escape: '\\',
    };
    for line in text.trim_start_matches('\u{feff}').lines() {
        let Some(comment) = line.trim().strip_prefix('#') else {
            break;
        };
        let Some((key, value)) = comment.split_once('=') else {
            break;
        };
        let key = key.trim();
        if key.contains(char::is_whitespace) {
            break;
        }
        let value = value.trim();
        match key.to_ascii_lowercase().as_str() {
            "syntax" => out.syntax = Some(value.to_string()),
            "escape" if value == "`" => out.escape = '`',
            "escape" => out.escape = '\\',
            _ => {}
        }
    }
    out
}

/// The heredocs an instruction's arguments open, in order: (name, strip leading tabs).
fn heredoc_openers(rest: &str) -> Vec<(String, bool)> {
    let mut out = Vec::new();
    let mut i = 0;
    let bytes = rest.as_bytes();
    while let Some(pos) = rest[i..].find("<<") {
        let mut j = i + pos + 2;
        let strip = bytes.get(j) == Some(&b'-');
        if strip {
            j += 1;
        }
        let quote = match bytes.get(j) {
            Some(&q) if q == b'"' || q == b'\'' => {
                j += 1;
                Some(q)
            }
            _ => None,
        };
        let start = j;
        while bytes
            .get(j)
            .is_some_and(|b| b.is_ascii_alphanumeric() || *b == b'_')
        {
            j += 1;
        }
        let name = &rest[start..j];
        let closed = match quote {
            Some(q) => bytes.get(j) == Some(&q),
            None => true,
        };
        if !name.is_empty() && closed && !name.starts_with(|c: char| c.is_ascii_digit()) {
            out.push((name.to_string(), strip));
        }
        i = (j + usize::from(quote.is_some())).min(rest.len());
    }
    out
}

/// The line without its trailing line break (and `\r`).
fn bare(raw: &str) -> &str {
    raw.trim_end_matches('\n').trim_end_matches('\r')
}

/// Reads the instructions of a Dockerfile.
pub fn instructions(text: &str, escape: char) -> Vec<Instruction> {
    let lines: Vec<(usize, &str)> = {
        let mut offset = 0;
        text.split_inclusive('\n')
            .map(|raw| {
                let here = offset;
                offset += raw.len();
                (here, raw)
            })
            .collect()
    };
    let mut out = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let (offset, raw) = lines[i];
        let line = bare(raw);
        let t = line.trim_start();
        if t.is_empty() || t.starts_with('#') {
            i += 1;
            continue;
        }
        let lead = line.len() - t.len();
        let keyword_len = t.find(char::is_whitespace).unwrap_or(t.len());
        let keyword = t[..keyword_len].to_ascii_uppercase();
        let start_line = i + 1;
        let mut rest = String::new();
        let mut piece = &t[keyword_len..];
        let mut end;
        loop {
            end = lines[i].0 + lines[i].1.len();
            let trimmed = piece.trim_end();
            match trimmed.strip_suffix(escape) {
                Some(head) if i + 1 < lines.len() => {
                    rest.push_str(head);
                    i += 1;
                    // comment and empty lines inside a continuation are skipped
                    while i < lines.len() {
                        let next = bare(lines[i].1).trim_start();
                        if next.is_empty() || next.starts_with('#') {
                            i += 1;
                        } else {
                            break;
                        }
                    }
                    match lines.get(i) {
                        Some((_, raw)) => piece = bare(raw),
                        None => break,
                    }
                }
                Some(head) => {
                    rest.push_str(head);
                    break;
                }
                None => {
                    rest.push_str(piece);
                    break;
                }
            }
        }
        i += 1;
        let mut heredocs = Vec::new();
        if HEREDOC_INSTRUCTIONS.contains(&keyword.as_str()) {
            for (name, strip) in heredoc_openers(&rest) {
                let mut body = String::new();
                while i < lines.len() {
                    let raw = lines[i].1;
                    i += 1;
                    let content = bare(raw);
                    let compared = if strip {
                        content.trim_start_matches('\t')
                    } else {
                        content
                    };
                    if compared == name {
                        break;
                    }
                    body.push_str(if strip { compared } else { content });
                    body.push('\n');
                }
                heredocs.push(Heredoc { name, body });
            }
        }
        out.push(Instruction {
            keyword,
            line: start_line,
            offset: offset + lead,
            end,
            rest: rest.trim().to_string(),
            heredocs,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str) -> Vec<Instruction> {
        instructions(text, directives(text).escape)
    }

    #[test]
    fn continuations_skip_comment_and_empty_lines() {
        let text = "FROM x\nRUN apt-get update && \\\n    # a comment\n\n    apt-get install -y \\\n      curl\nCOPY a /b\n";
        let ins = read(text);
        let kw: Vec<(&str, usize)> = ins.iter().map(|i| (i.keyword.as_str(), i.line)).collect();
        assert_eq!(kw, [("FROM", 1), ("RUN", 2), ("COPY", 7)]);
        assert_eq!(
            ins[1].rest,
            "apt-get update &&     apt-get install -y       curl"
        );
        assert_eq!(&text[ins[2].offset..ins[2].end], "COPY a /b\n");
    }

    #[test]
    fn the_escape_directive_changes_the_continuation_character() {
        let text = "# escape=`\nFROM x\nCOPY a\\b `\n  c:\\d\\ /e\nRUN echo \\\n";
        let d = directives(text);
        assert_eq!(d.escape, '`');
        let ins = instructions(text, d.escape);
        assert_eq!(ins.len(), 3);
        assert_eq!(ins[1].rest, "a\\b   c:\\d\\ /e");
        assert_eq!(ins[2].rest, "echo \\");
        // a directive after a comment is just a comment
        assert_eq!(directives("# hello\n# escape=`\nFROM x\n").escape, '\\');
        assert_eq!(
            directives("# syntax=docker/dockerfile:1\n# escape=`\n").syntax,
            Some("docker/dockerfile:1".into())
        );
    }

    #[test]
    fn heredoc_bodies_are_not_instructions() {
        let text = "FROM x\nRUN <<EOF\nCOPY not/an/instruction /\nEOF\nCOPY <<-\"A\" <<'B' /dest/\n\tfirst\n\tA\nsecond\nB\nCOPY real /r\n";
        let ins = read(text);
        let kw: Vec<&str> = ins.iter().map(|i| i.keyword.as_str()).collect();
        assert_eq!(kw, ["FROM", "RUN", "COPY", "COPY"]);
        assert_eq!(ins[1].heredocs[0].body, "COPY not/an/instruction /\n");
        assert_eq!(
            ins[2].heredocs,
            vec![
                Heredoc {
                    name: "A".into(),
                    body: "first\n".into()
                },
                Heredoc {
                    name: "B".into(),
                    body: "second\n".into()
                }
            ]
        );
        assert_eq!(ins[3].line, 10);
    }

    #[test]
    fn json_form_arguments() {
        let ins = read("COPY --chown=1:1 [\"a b\", \"c\", \"/d/\"]\nCOPY [not json /x\n");
        assert_eq!(ins[0].flags_and_args().0, vec!["--chown=1:1"]);
        assert_eq!(
            ins[0].args(),
            (vec!["a b".to_string(), "c".into(), "/d/".into()], true)
        );
        assert_eq!(
            ins[1].args(),
            (vec!["[not".to_string(), "json".into(), "/x".into()], false)
        );
    }
}
