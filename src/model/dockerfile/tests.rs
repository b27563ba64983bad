use super::*;

#[test]
fn finds_global_and_stage_args() {
    let f = analyze(
        "ARG BASE_IMAGE=ubuntu:22.04\nFROM ${BASE_IMAGE} AS base\nARG PYTHON_VERSION\nRUN echo\n"
            .into(),
    );
    assert!(f.global_args.contains("BASE_IMAGE"));
    assert!(!f.global_args.contains("PYTHON_VERSION"));
    assert!(f.declared_args.contains("PYTHON_VERSION"));
    assert_eq!(f.first_from.as_deref(), Some("${BASE_IMAGE}"));
    assert_eq!(f.stages, vec!["base"]);
    assert!(f.parse_error.is_none());
}

fn paths(text: &str, args: &[(&str, &str)]) -> Option<Vec<String>> {
    let args: BTreeMap<String, String> = args
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    analyze(text.into()).read_paths(&args)
}

#[test]
fn context_sources_are_what_copy_add_and_bind_mounts_read() {
    let text = "ARG BASE_IMAGE\nFROM ${BASE_IMAGE}\nCOPY --chmod=755 scripts/a.sh ./app/ /opt/\nCOPY --from=build /x /y\nADD https://example.invalid/f /f\nRUN --mount=type=bind,source=packages,target=/p \\\n    --mount=type=cache,target=/root/.cache \\\n    sh /p/x\n";
    assert_eq!(
        paths(text, &[]),
        Some(vec![
            "scripts/a.sh".to_string(),
            "app".into(),
            "packages".into()
        ])
    );
    let f = analyze(text.into());
    let lines: Vec<(usize, &str)> = f
        .context_sources
        .iter()
        .map(|s| (s.line, &text[s.offset..s.offset + s.len]))
        .collect();
    assert_eq!(lines, [(3, "scripts/a.sh"), (3, "./app/"), (6, "packages")]);
    assert_eq!(paths("FROM x\nCOPY . /app\n", &[]), None);
    let d = [("D", "inputs/a.txt")];
    assert_eq!(
        paths("FROM x\nARG D\nCOPY ${D} x/$D/ /app\n", &d),
        Some(vec!["inputs/a.txt".to_string(), "x/inputs/a.txt".into()])
    );
    // an undeclared name is empty, as for BuildKit: `${E}` is the whole context
    assert_eq!(paths("FROM x\nCOPY ${E} /app\n", &d), None);
    assert_eq!(paths("FROM x\nARG D\nCOPY ./${D}/.. /app\n", &d), None);
    assert_eq!(
        paths("FROM x\nRUN --mount=type=bind,target=/src ls\n", &[]),
        None
    );
    assert_eq!(paths("FROM x\nRUN echo hi\n", &[]), Some(vec![]));
}

#[test]
fn sources_resolve_as_buildkit_does() {
    // a stage ARG's default, overridden by a build arg
    let df = "FROM x\nARG NAME=a\nCOPY inputs/${NAME}.txt /\n";
    assert_eq!(paths(df, &[]), Some(vec!["inputs/a.txt".into()]));
    assert_eq!(
        paths(df, &[("NAME", "b")]),
        Some(vec!["inputs/b.txt".into()])
    );
    // a global ARG is visible in a stage only when redeclared there
    let global = "ARG NAME=g\nFROM x\nCOPY in/${NAME}.txt /\nARG NAME\nCOPY in/${NAME}.txt /\n";
    assert_eq!(
        paths(global, &[]),
        Some(vec!["in/.txt".into(), "in/g.txt".into()])
    );
    assert_eq!(
        paths(global, &[("NAME", "b")]),
        Some(vec!["in/.txt".into(), "in/b.txt".into()])
    );
    // used before its ARG line: not yet declared
    assert_eq!(
        paths(
            "FROM x\nCOPY ${N:-d}/f /\nARG N=a\nCOPY ${N:-d}/f /\n",
            &[("N", "z")]
        ),
        Some(vec!["d/f".into(), "z/f".into()])
    );
    // defaults refer to earlier ARGs; ENV wins over ARG
    assert_eq!(
        paths(
            "FROM x\nARG A=1\nARG B=v${A}\nENV C=${B}-e\nARG C=ignored\nCOPY \"${B}/${C}\" /\n",
            &[("C", "arg")]
        ),
        Some(vec!["v1/v1-e".into()])
    );
    // each stage has its own scope
    assert_eq!(
        paths("FROM x AS one\nARG A=1\nFROM y\nCOPY a${A}b /\n", &[]),
        Some(vec!["ab".into()])
    );
    // forms adf does not read, and args BuildKit fills in: the whole context counts
    assert_eq!(paths("FROM x\nARG A=ab\nCOPY ${A#a} /\n", &[]), None);
    assert_eq!(
        paths("FROM x\nARG TARGETARCH\nCOPY p/${TARGETARCH} /\n", &[]),
        None
    );
    assert_eq!(
        paths(
            "FROM x\nARG TARGETARCH\nCOPY p/${TARGETARCH} /\n",
            &[("TARGETARCH", "arm64")]
        ),
        Some(vec!["p/arm64".into()])
    );
}

#[test]
fn the_first_from_resolves_with_global_args_only() {
    let f = analyze("ARG URL=quay.io/a\nARG VER=8.2\nARG OS=ubuntu\nFROM ${URL}:${VER}-910b-${OS}-py3.12 AS b\nARG LATE=x\n".into());
    let args = |kv: &[(&str, &str)]| -> BTreeMap<String, String> {
        kv.iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    };
    assert_eq!(
        f.resolved_first_from(&args(&[])).as_deref(),
        Some("quay.io/a:8.2-910b-ubuntu-py3.12")
    );
    assert_eq!(
        f.resolved_first_from(&args(&[("VER", "8.3"), ("LATE", "y")]))
            .as_deref(),
        Some("quay.io/a:8.3-910b-ubuntu-py3.12")
    );
    let (line, offset, len) = f.first_from_at.expect("found");
    assert_eq!(line, 4);
    assert_eq!(
        &f.text[offset..offset + len],
        "${URL}:${VER}-910b-${OS}-py3.12"
    );
    // a build arg without a global ARG is not visible in FROM
    let g = analyze("FROM ${BASE}\n".into());
    assert_eq!(g.resolved_first_from(&args(&[("BASE", "a:1")])), None);
}

#[test]
fn empty_arg_defaults_parse() {
    let f =
        analyze("ARG BASE_IMAGE\n# 芯片类型\nFROM ${BASE_IMAGE}\nARG CHIP_TYPE=\nARG X=1\n".into());
    assert!(f.parse_error.is_none(), "{:?}", f.parse_error);
    assert!(f.declared_args.contains("CHIP_TYPE"));
}

#[test]
fn detects_buildkit_only_features() {
    let f = analyze("# syntax=docker/dockerfile:1\nFROM x\nRUN --mount=type=bind,source=p,target=/p ls /p\nCOPY --link a b\n".into());
    assert_eq!(f.syntax.as_deref(), Some("docker/dockerfile:1"));
    let whats: Vec<_> = f
        .buildkit_features
        .iter()
        .map(|b| (b.line, b.what.as_str()))
        .collect();
    assert_eq!(whats, vec![(3, "RUN --mount"), (4, "COPY --link")]);
}

#[test]
fn reads_escape_directive_heredocs_json_copy_and_commented_continuations() {
    // escape=`: a backslash is literal, a backtick continues the line
    let f = analyze("# escape=`\nARG BASE\nFROM ${BASE}\nCOPY files\\a.txt `\n     # between\n     files\\b.txt C:\\dest\\\n".into());
    assert!(f.parse_error.is_none(), "{:?}", f.parse_error);
    assert_eq!(f.escape, '`');
    let raws: Vec<&str> = f.context_sources.iter().map(|s| s.raw.as_str()).collect();
    assert_eq!(raws, ["files\\a.txt", "files\\b.txt"]);
    // heredoc bodies are not instructions; an inline COPY source reads nothing
    let h = "FROM x\nRUN <<EOF\nCOPY . /everything\nEOF\nCOPY <<EOF /etc/app.conf\nkey=1\nEOF\nCOPY app.py /app/\n";
    assert_eq!(paths(h, &[]), Some(vec!["app.py".to_string()]));
    let whats: Vec<_> = analyze(h.into())
        .buildkit_features
        .iter()
        .map(|b| (b.line, b.what.clone()))
        .collect();
    assert_eq!(whats, vec![(2, "heredoc".into()), (5, "heredoc".into())]);
    // JSON form: every source but the destination, expanded
    assert_eq!(
        paths(
            "FROM x\nARG N=a\nCOPY --chmod=644 [\"in/${N}.txt\", \"other dir/f\", \"/dst/\"]\n",
            &[]
        ),
        Some(vec!["in/a.txt".to_string(), "other dir/f".into()])
    );
    // continuation lines with comments in between
    let c = "FROM x\nCOPY a.txt \\\n# one\n\n  # two\n  b.txt /d/\nRUN echo\n";
    assert_eq!(
        paths(c, &[]),
        Some(vec!["a.txt".to_string(), "b.txt".into()])
    );
    assert_eq!(analyze(c.into()).first_run, Some(7));
}

#[test]
fn what_buildkit_refuses_is_a_parse_error() {
    let unknown = analyze("FROM x\nCOPPY a b\n".into());
    assert_eq!(
        unknown.parse_error.as_deref(),
        Some("line 2: unknown instruction `COPPY`")
    );
    assert!(analyze("RUN echo\n".into()).parse_error.is_some());
    assert!(analyze("ARG A=1\n".into())
        .parse_error
        .is_some_and(|e| e.contains("no FROM")));
    // lower-case keywords are fine, and FROM's image is found after the keyword
    let lower = analyze("from f as b\ncopy a /\n".into());
    assert!(lower.parse_error.is_none());
    let (_, offset, len) = lower.first_from_at.expect("found");
    assert_eq!(&lower.text[offset..offset + len], "f");
    assert_eq!(lower.stages, vec!["b"]);
}
