//! From the reader's instructions to [`DockerfileFacts`]: ARGs and stages, the first FROM, the
//! context paths COPY/ADD and bind mounts read, ARG/ENV scopes, BuildKit-only features.

use super::expand::bindings_of;
use super::reader::{self, Instruction};
use super::{context_path, BuildkitFeature, DockerfileFacts, SourceRef};
use std::sync::Arc;

/// Reads a Dockerfile's text.
pub fn analyze(text: String) -> DockerfileFacts {
    let directives = reader::directives(&text);
    let instructions = reader::instructions(&text, directives.escape);
    let mut facts = DockerfileFacts {
        text: Arc::new(String::new()),
        global_args: Default::default(),
        declared_args: Default::default(),
        first_from: None,
        stages: Vec::new(),
        syntax: directives.syntax,
        escape: directives.escape,
        buildkit_features: Vec::new(),
        parse_error: None,
        context_sources: Vec::new(),
        reads_everything: false,
        global_bindings: Vec::new(),
        stage_bindings: Vec::new(),
        first_from_at: None,
        first_run: None,
    };
    for ins in &instructions {
        read_instruction(&text, ins, &mut facts);
    }
    if facts.parse_error.is_none() && facts.stage_bindings.is_empty() {
        facts.parse_error = Some("no FROM instruction: the file has no build stage".into());
    }
    facts.text = Arc::new(text);
    facts
}

/// Where `word` is written inside the instruction (byte offset, length); the keyword when it
/// cannot be found (a JSON string with escapes).
fn position(text: &str, ins: &Instruction, word: &str) -> (usize, usize) {
    let start = ins.offset + ins.keyword.len();
    let body = text.get(start..ins.end).unwrap_or("");
    match body.find(word) {
        Some(i) if !word.is_empty() => (start + i, word.len()),
        _ => (ins.offset, ins.keyword.len()),
    }
}

fn read_instruction(text: &str, ins: &Instruction, facts: &mut DockerfileFacts) {
    let keyword = ins.keyword.as_str();
    let in_stage = !facts.stage_bindings.is_empty();
    if !reader::INSTRUCTIONS.contains(&keyword) {
        facts.parse_error.get_or_insert_with(|| {
            format!("line {}: unknown instruction `{}`", ins.line, ins.keyword)
        });
        return;
    }
    if !in_stage && keyword != "FROM" && keyword != "ARG" {
        facts.parse_error.get_or_insert_with(|| {
            format!(
                "line {}: `{keyword}` before the first FROM (only ARG may come first)",
                ins.line
            )
        });
    }
    let (flags, _) = ins.flags_and_args();
    features(ins, &flags, facts);
    match keyword {
        "FROM" => from(text, ins, facts),
        "ARG" | "ENV" => {
            let bindings = bindings_of(keyword, &ins.rest);
            if keyword == "ARG" {
                for b in &bindings {
                    if let super::Binding::Arg { name, .. } = b {
                        facts.declared_args.insert(name.clone());
                        if !in_stage {
                            facts.global_args.insert(name.clone());
                        }
                    }
                }
            }
            match facts.stage_bindings.last_mut() {
                Some(stage) => stage.extend(bindings),
                None if keyword == "ARG" => facts.global_bindings.extend(bindings),
                None => {}
            }
        }
        "COPY" | "ADD" if in_stage => copy_sources(text, ins, &flags, facts),
        "RUN" if in_stage => {
            facts.first_run.get_or_insert(ins.line);
            for spec in flags.iter().filter_map(|f| f.strip_prefix("--mount=")) {
                bind_mount(text, ins, spec, facts);
            }
        }
        _ => {}
    }
}

fn features(ins: &Instruction, flags: &[&str], facts: &mut DockerfileFacts) {
    let mut add = |what: &str| {
        facts.buildkit_features.push(BuildkitFeature {
            line: ins.line,
            what: what.to_string(),
        })
    };
    let has = |name: &str| flags.iter().any(|f| f.split('=').next() == Some(name));
    match ins.keyword.as_str() {
        "RUN" => {
            for (flag, what) in [
                ("--mount", "RUN --mount"),
                ("--network", "RUN --network"),
                ("--security", "RUN --security"),
            ] {
                if has(flag) {
                    add(what);
                }
            }
        }
        "COPY" | "ADD" if has("--link") => add("COPY --link"),
        _ => {}
    }
    if !ins.heredocs.is_empty() {
        add("heredoc");
    }
}

fn from(text: &str, ins: &Instruction, facts: &mut DockerfileFacts) {
    let (_, rest) = ins.flags_and_args();
    let words: Vec<&str> = rest.split_whitespace().collect();
    match words.first() {
        None => {
            facts
                .parse_error
                .get_or_insert_with(|| format!("line {}: FROM without an image", ins.line));
        }
        Some(image) if facts.first_from.is_none() => {
            facts.first_from = Some(image.to_string());
            let (offset, len) = position(text, ins, image);
            facts.first_from_at = Some((ins.line, offset, len));
        }
        Some(_) => {}
    }
    if let [_, as_kw, alias] = words.as_slice() {
        if as_kw.eq_ignore_ascii_case("as") {
            facts.stages.push(alias.to_string());
        }
    }
    facts.stage_bindings.push(Vec::new());
}

fn source(
    text: &str,
    ins: &Instruction,
    raw: &str,
    what: &'static str,
    facts: &DockerfileFacts,
) -> SourceRef {
    let (offset, len) = position(text, ins, raw);
    SourceRef {
        raw: raw.to_string(),
        instruction: what,
        line: ins.line,
        offset,
        len,
        stage: facts.stage_bindings.len().saturating_sub(1),
        bindings: facts.stage_bindings.last().map_or(0, Vec::len),
    }
}

fn copy_sources(text: &str, ins: &Instruction, flags: &[&str], facts: &mut DockerfileFacts) {
    if flags.iter().any(|f| f.starts_with("--from")) {
        return; // from another stage or image
    }
    let what = if ins.keyword == "COPY" { "COPY" } else { "ADD" };
    let (args, _) = ins.args();
    let inline: Vec<&str> = ins.heredocs.iter().map(|h| h.name.as_str()).collect();
    for src in args.iter().take(args.len().saturating_sub(1)) {
        if src.contains("://") || src.starts_with("git@") {
            continue; // remote source
        }
        let opener = src.trim_start_matches("<<").trim_start_matches('-');
        let opener = opener.trim_matches(|c| c == '"' || c == '\'');
        if src.starts_with("<<") && inline.contains(&opener) {
            continue; // a heredoc: the file is written inline
        }
        if !src.contains('$') && context_path(src).is_none() {
            facts.reads_everything = true;
            continue;
        }
        let s = source(text, ins, src, what, facts);
        facts.context_sources.push(s);
    }
}

fn bind_mount(text: &str, ins: &Instruction, spec: &str, facts: &mut DockerfileFacts) {
    let fields: Vec<(&str, &str)> = spec
        .split(',')
        .filter_map(|kv| kv.split_once('='))
        .collect();
    let get = |k: &str| fields.iter().find(|(key, _)| *key == k).map(|(_, v)| *v);
    if get("type").unwrap_or("bind") != "bind" || get("from").is_some() {
        return;
    }
    let src = get("source").or(get("src")).unwrap_or(".");
    if !src.contains('$') && context_path(src).is_none() {
        facts.reads_everything = true;
        return;
    }
    let s = source(text, ins, src, "RUN --mount", facts);
    facts.context_sources.push(s);
}
