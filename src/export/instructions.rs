//! A Dockerfile as a list of instructions with their line numbers, the way an exporter needs
//! it: continuation lines joined, comments dropped, `--flags` split from the arguments, JSON
//! (exec) forms recognised.

/// One instruction.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Instruction {
    /// 1-based line where it starts.
    pub line: usize,
    /// Upper-case keyword: `RUN`, `COPY`, ...
    pub keyword: String,
    /// `--name=value` flags before the arguments (`--mount=type=bind,...`, `--chmod=755`).
    pub flags: Vec<(String, String)>,
    /// The rest of the line after the flags, as written.
    pub args: String,
}

impl Instruction {
    pub fn flag(&self, name: &str) -> Option<&str> {
        self.flags
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// The JSON-array form (`["a", "b"]`), when the arguments are one.
    pub fn exec_form(&self) -> Option<Vec<String>> {
        let t = self.args.trim();
        if !t.starts_with('[') {
            return None;
        }
        serde_json::from_str(t).ok()
    }
}

/// The instructions of `text`, or the line of a construct that cannot be read (a heredoc).
pub fn read(text: &str) -> Result<Vec<Instruction>, (usize, String)> {
    let mut out = Vec::new();
    let mut current: Option<(usize, String)> = None;
    for (i, raw) in text.lines().enumerate() {
        let line = i + 1;
        let t = raw.trim();
        if t.starts_with('#') || (t.is_empty() && current.is_none()) {
            continue;
        }
        let (start, mut joined) = current.take().unwrap_or((line, String::new()));
        match t.strip_suffix('\\') {
            Some(head) => {
                joined.push_str(head);
                joined.push(' ');
                current = Some((start, joined));
            }
            None => {
                joined.push_str(t);
                out.push(parse(start, &joined)?);
            }
        }
    }
    if let Some((start, joined)) = current {
        out.push(parse(start, &joined)?);
    }
    Ok(out)
}

fn parse(line: usize, joined: &str) -> Result<Instruction, (usize, String)> {
    let joined = joined.trim();
    let (keyword, mut rest) = joined
        .split_once(char::is_whitespace)
        .unwrap_or((joined, ""));
    let mut flags = Vec::new();
    loop {
        rest = rest.trim_start();
        let Some(flag) = rest.strip_prefix("--") else {
            break;
        };
        let end = flag.find(char::is_whitespace).unwrap_or(flag.len());
        let (name, value) = flag[..end].split_once('=').unwrap_or((&flag[..end], ""));
        flags.push((name.to_string(), value.to_string()));
        rest = &flag[end..];
    }
    if rest.contains("<<") && matches!(keyword.to_ascii_uppercase().as_str(), "RUN" | "COPY") {
        return Err((line, "a heredoc cannot be exported".into()));
    }
    Ok(Instruction {
        line,
        keyword: keyword.to_ascii_uppercase(),
        flags,
        args: rest.trim().to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn instructions_with_lines_flags_and_forms() {
        let text = "# c\nARG BASE_IMAGE\nFROM ${BASE_IMAGE}\n\nRUN --mount=type=bind,source=p,target=/p \\\n    --network=none \\\n    sh /p/x\nCOPY [\"a b\", \"/c/\"]\n";
        let got = read(text).expect("reads");
        assert_eq!(got.len(), 4);
        assert_eq!((got[2].line, got[2].keyword.as_str()), (5, "RUN"));
        assert_eq!(got[2].flag("mount"), Some("type=bind,source=p,target=/p"));
        assert_eq!(got[2].flag("network"), Some("none"));
        assert_eq!(got[2].args, "sh /p/x");
        assert_eq!(got[3].exec_form(), Some(vec!["a b".into(), "/c/".into()]));
        assert_eq!(
            read("FROM x\nRUN <<EOF\nhi\nEOF\n"),
            Err((2, "a heredoc cannot be exported".into()))
        );
    }
}
