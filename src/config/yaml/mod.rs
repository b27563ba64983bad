//! A spanned YAML tree built from `yaml-rust2` parser events.
//!
//! We keep our own small tree (instead of a serde target) so that every key and value carries its
//! exact position, duplicate keys are reported instead of silently overwritten, anchors, aliases
//! and `<<` merge keys work as in compose files, and hostile input (deep nesting, alias bombs)
//! ends in a diagnostic instead of a crash.

use crate::diag::Code;
use crate::diag::{Diagnostic, FileId, Span};
use yaml_rust2::parser::Parser;

/// Deeper nesting than this is rejected (real configs need about 6 levels).
pub const MAX_DEPTH: usize = 64;
/// Upper bound of the nodes aliases copy (guards against "billion laughs"); the nodes written
/// out are bounded by the file size cap.
pub const MAX_NODES: usize = 500_000;

mod builder;
mod merge;

use builder::{Builder, Offsets};

#[derive(Clone, Debug, PartialEq)]
pub enum NodeKind {
    /// `plain` is false for quoted and block scalars: only plain scalars can be null or bool.
    Scalar {
        value: String,
        plain: bool,
    },
    Seq(Vec<Node>),
    Map(Vec<(Node, Node)>),
}

#[derive(Clone, Debug, PartialEq)]
pub struct Node {
    pub span: Span,
    pub kind: NodeKind,
}

impl Node {
    pub fn is_null(&self) -> bool {
        matches!(&self.kind, NodeKind::Scalar { value, plain: true } if value.is_empty() || value == "~" || value == "null" || value == "Null" || value == "NULL")
    }

    /// The node as JSON, the way YAML 1.2's core schema types plain scalars (what a JSON
    /// Schema of the file sees): null, true/false, numbers, else strings.
    pub fn to_json(&self) -> serde_json::Value {
        use serde_json::Value;
        match &self.kind {
            _ if self.is_null() => Value::Null,
            NodeKind::Scalar { value, plain: true } => match value.as_str() {
                "true" => Value::Bool(true),
                "false" => Value::Bool(false),
                v => v
                    .parse::<i64>()
                    .map(Value::from)
                    .ok()
                    .or_else(|| {
                        v.parse::<f64>()
                            .ok()
                            .filter(|f| {
                                f.is_finite()
                                    && v.chars().all(|c| c.is_ascii_digit() || ".-+eE".contains(c))
                            })
                            .and_then(|f| serde_json::Number::from_f64(f).map(Value::Number))
                    })
                    .unwrap_or_else(|| Value::String(v.to_string())),
            },
            NodeKind::Scalar { value, .. } => Value::String(value.clone()),
            NodeKind::Seq(items) => Value::Array(items.iter().map(Node::to_json).collect()),
            NodeKind::Map(entries) => Value::Object(
                entries
                    .iter()
                    .map(|(k, v)| {
                        let key = match &k.kind {
                            NodeKind::Scalar { value, .. } => value.clone(),
                            _ => k.to_json().to_string(),
                        };
                        (key, v.to_json())
                    })
                    .collect(),
            ),
        }
    }

    /// What a user calls this kind of node in an error message.
    pub fn kind_name(&self) -> &'static str {
        match &self.kind {
            _ if self.is_null() => "nothing (null)",
            NodeKind::Scalar { .. } => "a scalar",
            NodeKind::Seq(_) => "a list",
            NodeKind::Map(_) => "a mapping",
        }
    }
}

/// Parses `text` into a spanned tree. An empty document yields `Ok(None)`.
pub fn parse(file: FileId, text: &str) -> Result<Option<Node>, Box<Diagnostic>> {
    let mut builder = Builder {
        file,
        offsets: Offsets::new(text),
        stack: Vec::new(),
        anchors: Vec::new(),
        root: None,
        documents: 0,
        alias_nodes: 0,
        error: None,
    };
    let mut parser = Parser::new_from_str(text);
    let result = parser.load(&mut builder, true);
    if let Some(d) = builder.error {
        return Err(Box::new(d));
    }
    if let Err(e) = result {
        let m = e.marker();
        let mut start = builder.offsets.byte(m.index());
        if start >= text.trim_end().len() {
            // at end of input: point at the last thing written, so the snippet shows it
            let end = text.trim_end().len();
            start = text[..end]
                .char_indices()
                .last()
                .map(|(i, _)| i)
                .unwrap_or(0);
        }
        let span = Span {
            file,
            offset: start,
            len: 1,
        };
        let unquoted_interpolation = text.get(start.saturating_sub(1)..start + 1) == Some("${")
            || text.get(start..start + 2) == Some("${");
        let help = if unquoted_interpolation {
            "inside `[...]` or `{...}` YAML reads `{` as a mapping: quote the string, e.g. `[\"cann-${chip}\"]`"
        } else {
            "check indentation, a missing `:` or an unclosed bracket or quote near this position"
        };
        return Err(Box::new(
            Diagnostic::error(Code::YamlSyntax, format!("YAML syntax error: {}", e.info()))
                .at(span, "here")
                .help(help),
        ));
    }
    Ok(builder.root)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_ok(src: &str) -> Node {
        parse(FileId(0), src)
            .expect("parses")
            .expect("has a document")
    }

    fn map_keys(n: &Node) -> Vec<String> {
        match &n.kind {
            NodeKind::Map(m) => m
                .iter()
                .map(|(k, _)| match &k.kind {
                    NodeKind::Scalar { value, .. } => value.clone(),
                    _ => String::new(),
                })
                .collect(),
            _ => vec![],
        }
    }

    #[test]
    fn spans_point_at_scalars() {
        let src = "images:\n  python:\n    tags: [\"a/b:1\"]\n";
        let root = parse_ok(src);
        let NodeKind::Map(m) = &root.kind else {
            panic!("map")
        };
        let NodeKind::Map(images) = &m[0].1.kind else {
            panic!("map")
        };
        assert_eq!(&src[images[0].0.span.offset..][..6], "python");
        let NodeKind::Map(py) = &images[0].1.kind else {
            panic!("map")
        };
        let NodeKind::Seq(tags) = &py[0].1.kind else {
            panic!("seq")
        };
        assert_eq!(
            &src[tags[0].span.offset..tags[0].span.offset + tags[0].span.len],
            "\"a/b:1\""
        );
    }

    #[test]
    fn non_ascii_comments_keep_byte_offsets() {
        let src = "# 镜像定义\nimages:\n  python: {}\n";
        let root = parse_ok(src);
        let NodeKind::Map(m) = &root.kind else {
            panic!("map")
        };
        assert_eq!(&src[m[0].0.span.offset..][..6], "images");
    }

    #[test]
    fn duplicate_keys_are_errors() {
        let err = parse(FileId(0), "a: 1\nb: 2\na: 3\n").unwrap_err();
        assert_eq!(err.code.as_str(), "duplicate-key");
        assert_eq!(err.primary.unwrap().span.offset, 10);
    }

    #[test]
    fn anchors_and_merge_keys() {
        let src = "x-base: &base\n  a: 1\n  b: 2\nimg:\n  <<: *base\n  b: 3\n";
        let root = parse_ok(src);
        let NodeKind::Map(m) = &root.kind else {
            panic!("map")
        };
        assert_eq!(map_keys(&m[1].1), vec!["b", "a"]);
    }

    #[test]
    fn syntax_errors_have_positions() {
        let err = parse(FileId(0), "a: [1, 2\n").unwrap_err();
        assert_eq!(err.code.as_str(), "yaml-syntax");
        assert!(err.primary.is_some());
    }

    #[test]
    fn deep_nesting_is_rejected() {
        let src = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
        let err = parse(FileId(0), &src).unwrap_err();
        assert!(
            err.code == Code::YamlTooDeep || err.code == Code::YamlSyntax,
            "{}",
            err.code
        );
    }

    #[test]
    fn alias_bombs_are_rejected() {
        let mut src = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 1..12 {
            let p = i - 1;
            src.push_str(&format!("a{i}: &a{i} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}]\n"));
        }
        let err = parse(FileId(0), &src).unwrap_err();
        assert_eq!(err.code.as_str(), "yaml-too-large");
    }

    #[test]
    fn empty_file_has_no_document() {
        assert!(parse(FileId(0), "").unwrap().is_none());
        assert!(parse(FileId(0), "# only a comment\n").unwrap().is_none());
    }
}
