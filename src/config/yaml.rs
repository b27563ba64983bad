//! A spanned YAML tree built from `yaml-rust2` parser events.
//!
//! We keep our own small tree (instead of a serde target) so that every key and value carries its
//! exact position, duplicate keys are reported instead of silently overwritten, anchors, aliases
//! and `<<` merge keys work as in compose files, and hostile input (deep nesting, alias bombs)
//! ends in a diagnostic instead of a crash.

use crate::diag::Code;
use crate::diag::{Diagnostic, FileId, Span};
use yaml_rust2::parser::{Event, MarkedEventReceiver, Parser};
use yaml_rust2::scanner::{Marker, TScalarStyle};

/// Deeper nesting than this is rejected (real configs need about 6 levels).
pub const MAX_DEPTH: usize = 64;
/// Upper bound of the nodes aliases copy (guards against "billion laughs"); the nodes written
/// out are bounded by the file size cap.
pub const MAX_NODES: usize = 500_000;

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

/// Maps the parser's character indexes to byte offsets (they differ once a file has non-ASCII
/// text, such as Chinese comments).
struct Offsets<'a> {
    text: &'a str,
    char_to_byte: Option<Vec<usize>>,
}

impl<'a> Offsets<'a> {
    fn new(text: &'a str) -> Self {
        let char_to_byte = (!text.is_ascii()).then(|| {
            let mut v: Vec<usize> = text.char_indices().map(|(b, _)| b).collect();
            v.push(text.len());
            v
        });
        Offsets { text, char_to_byte }
    }

    fn byte(&self, char_index: usize) -> usize {
        match &self.char_to_byte {
            Some(v) => v.get(char_index).copied().unwrap_or(self.text.len()),
            None => char_index.min(self.text.len()),
        }
    }
}

enum Frame {
    Seq {
        start: usize,
        anchor: usize,
        items: Vec<Node>,
    },
    Map {
        start: usize,
        anchor: usize,
        entries: Vec<(Node, Node)>,
        pending_key: Option<Node>,
    },
}

struct Builder<'a> {
    file: FileId,
    offsets: Offsets<'a>,
    stack: Vec<Frame>,
    anchors: Vec<(usize, Node)>,
    root: Option<Node>,
    documents: usize,
    /// Nodes copied by aliases so far.
    alias_nodes: usize,
    error: Option<Diagnostic>,
}

impl Builder<'_> {
    fn span_at(&self, byte: usize, len: usize) -> Span {
        Span {
            file: self.file,
            offset: byte,
            len,
        }
    }

    fn fail(&mut self, d: Diagnostic) {
        if self.error.is_none() {
            self.error = Some(d);
        }
    }

    fn scalar_span(&self, marker: &Marker, value: &str, style: TScalarStyle) -> Span {
        let start = self.offsets.byte(marker.index());
        let len = match style {
            TScalarStyle::Plain => value.len(),
            TScalarStyle::SingleQuoted | TScalarStyle::DoubleQuoted => value.len() + 2,
            _ => 1,
        };
        // Keep the caret on the line it starts on.
        let rest = &self.offsets.text[start.min(self.offsets.text.len())..];
        let line_len = rest.find('\n').unwrap_or(rest.len());
        self.span_at(start, len.min(line_len).max(1))
    }

    fn add(&mut self, node: Node, anchor: usize) {
        if self.error.is_some() {
            return;
        }
        if anchor != 0 {
            self.anchors.push((anchor, node.clone()));
        }
        match self.stack.last_mut() {
            None => {
                if self.root.is_none() {
                    self.root = Some(node);
                }
            }
            Some(Frame::Seq { items, .. }) => items.push(node),
            Some(Frame::Map {
                entries,
                pending_key,
                ..
            }) => match pending_key.take() {
                None => *pending_key = Some(node),
                Some(key) => entries.push((key, node)),
            },
        }
    }

    fn open(&mut self, frame: Frame, marker: &Marker) {
        if self.stack.len() >= MAX_DEPTH {
            let span = self.span_at(self.offsets.byte(marker.index()), 1);
            self.fail(
                Diagnostic::error(Code::YamlTooDeep, format!("YAML nested deeper than {MAX_DEPTH} levels"))
                    .at(span, "too deep here")
                    .help("a dockerfile-compose.yaml needs only a handful of levels; check for runaway brackets or indentation"),
            );
        }
        self.stack.push(frame);
    }
}

fn node_count(n: &Node) -> usize {
    match &n.kind {
        NodeKind::Scalar { .. } => 1,
        NodeKind::Seq(items) => 1 + items.iter().map(node_count).sum::<usize>(),
        NodeKind::Map(entries) => {
            1 + entries
                .iter()
                .map(|(k, v)| node_count(k) + node_count(v))
                .sum::<usize>()
        }
    }
}

impl MarkedEventReceiver for Builder<'_> {
    fn on_event(&mut self, ev: Event, marker: Marker) {
        if self.error.is_some() {
            return;
        }
        match ev {
            Event::DocumentStart => {
                self.documents += 1;
                if self.documents > 1 {
                    let span = self.span_at(self.offsets.byte(marker.index()), 3);
                    self.fail(
                        Diagnostic::error(
                            Code::YamlMultipleDocuments,
                            "the file holds more than one YAML document",
                        )
                        .at(span, "second document starts here")
                        .help("keep every image under one `images:` mapping in a single document"),
                    );
                }
            }
            Event::Scalar(value, style, anchor, _tag) => {
                let span = self.scalar_span(&marker, &value, style);
                let plain = style == TScalarStyle::Plain;
                self.add(
                    Node {
                        span,
                        kind: NodeKind::Scalar { value, plain },
                    },
                    anchor,
                );
            }
            Event::SequenceStart(anchor, _) => {
                let start = self.offsets.byte(marker.index());
                self.open(
                    Frame::Seq {
                        start,
                        anchor,
                        items: Vec::new(),
                    },
                    &marker,
                );
            }
            Event::MappingStart(anchor, _) => {
                let start = self.offsets.byte(marker.index());
                self.open(
                    Frame::Map {
                        start,
                        anchor,
                        entries: Vec::new(),
                        pending_key: None,
                    },
                    &marker,
                );
            }
            Event::SequenceEnd | Event::MappingEnd => {
                let Some(frame) = self.stack.pop() else {
                    return;
                };
                let (node, anchor) = match frame {
                    Frame::Seq {
                        start,
                        anchor,
                        items,
                    } => {
                        let span = items
                            .first()
                            .map(|n| n.span)
                            .unwrap_or(self.span_at(start, 1));
                        (
                            Node {
                                span,
                                kind: NodeKind::Seq(items),
                            },
                            anchor,
                        )
                    }
                    Frame::Map {
                        start,
                        anchor,
                        entries,
                        ..
                    } => {
                        let span = entries
                            .first()
                            .map(|(k, _)| k.span)
                            .unwrap_or(self.span_at(start, 1));
                        match merge_and_check(entries) {
                            Ok(entries) => (
                                Node {
                                    span,
                                    kind: NodeKind::Map(entries),
                                },
                                anchor,
                            ),
                            Err(d) => return self.fail(*d),
                        }
                    }
                };
                self.add(node, anchor);
            }
            Event::Alias(id) => {
                let span = self.span_at(self.offsets.byte(marker.index()), 1);
                let Some(node) = self
                    .anchors
                    .iter()
                    .rev()
                    .find(|(a, _)| *a == id)
                    .map(|(_, n)| n.clone())
                else {
                    return self.fail(
                        Diagnostic::error(Code::YamlAlias, "alias refers to an unknown anchor")
                            .at(span, "unknown anchor"),
                    );
                };
                self.alias_nodes += node_count(&node);
                if self.alias_nodes > MAX_NODES {
                    return self.fail(
                        Diagnostic::error(Code::YamlTooLarge, "aliases expand to too many nodes")
                            .at(span, "expansion passes the limit here")
                            .help(format!(
                                "adf stops at {MAX_NODES} nodes; reduce nested aliases"
                            )),
                    );
                }
                let node = Node {
                    span,
                    kind: node.kind,
                };
                self.add(node, 0);
            }
            Event::Nothing | Event::StreamStart | Event::StreamEnd | Event::DocumentEnd => {}
        }
    }
}

/// Applies `<<` merge keys (local keys win) and rejects duplicate keys.
fn merge_and_check(entries: Vec<(Node, Node)>) -> Result<Vec<(Node, Node)>, Box<Diagnostic>> {
    let merges = entries
        .iter()
        .any(|(k, _)| matches!(&k.kind, NodeKind::Scalar { value, plain: true } if value == "<<"));
    if merges {
        return merge_keys(entries);
    }
    check_keys(&entries)?;
    Ok(entries)
}

/// Mappings up to this many entries look for duplicate keys by comparing each with those
/// before it (most mappings of a config hold a handful of keys); larger ones use a hash map.
const LINEAR_KEY_SCAN: usize = 16;

/// The first complex or duplicate key of a mapping without `<<`, in written order.
fn check_keys(entries: &[(Node, Node)]) -> Result<(), Box<Diagnostic>> {
    let mut seen: std::collections::HashMap<&str, Span> = std::collections::HashMap::new();
    for (i, (key, _)) in entries.iter().enumerate() {
        let NodeKind::Scalar {
            value: key_text, ..
        } = &key.kind
        else {
            return Err(Box::new(
                Diagnostic::error(Code::YamlComplexKey, "mapping keys must be plain strings")
                    .at(key.span, "this key is a list or mapping"),
            ));
        };
        let first = if entries.len() <= LINEAR_KEY_SCAN {
            entries[..i].iter().find_map(|(k, _)| match &k.kind {
                NodeKind::Scalar { value, .. } if value == key_text => Some(k.span),
                _ => None,
            })
        } else {
            match seen.entry(key_text.as_str()) {
                std::collections::hash_map::Entry::Occupied(o) => Some(*o.get()),
                std::collections::hash_map::Entry::Vacant(v) => {
                    v.insert(key.span);
                    None
                }
            }
        };
        if let Some(first) = first {
            return Err(Box::new(
                Diagnostic::error(Code::DuplicateKey, format!("duplicate key `{key_text}`"))
                    .at(key.span, "written again here")
                    .also(first, "first written here")
                    .help("YAML keeps only one of them; remove or rename one"),
            ));
        }
    }
    Ok(())
}

/// [`merge_and_check`] for a mapping with `<<` keys.
fn merge_keys(entries: Vec<(Node, Node)>) -> Result<Vec<(Node, Node)>, Box<Diagnostic>> {
    let mut out: Vec<(Node, Node)> = Vec::with_capacity(entries.len());
    let mut merged: Vec<(Node, Node)> = Vec::new();
    let mut seen: std::collections::HashMap<String, Span> = std::collections::HashMap::new();
    for (key, value) in entries {
        let key_text = match &key.kind {
            NodeKind::Scalar { value, .. } => value.clone(),
            _ => {
                return Err(Box::new(
                    Diagnostic::error(Code::YamlComplexKey, "mapping keys must be plain strings")
                        .at(key.span, "this key is a list or mapping"),
                ))
            }
        };
        if key_text == "<<" && matches!(&key.kind, NodeKind::Scalar { plain: true, .. }) {
            let sources = match value.kind {
                NodeKind::Map(m) => vec![m],
                NodeKind::Seq(items) => {
                    let mut maps = Vec::with_capacity(items.len());
                    for n in items {
                        match n.kind {
                            NodeKind::Map(m) => maps.push(m),
                            _ => {
                                return Err(Box::new(
                                    Diagnostic::error(
                                        Code::YamlMerge,
                                        "`<<` must merge a mapping or a list of mappings",
                                    )
                                    .at(n.span, "not a mapping")
                                    .help("merge an anchored mapping (`<<: *base`) or a list of them (`<<: [*a, *b]`); a list of scalars merges nothing"),
                                ))
                            }
                        }
                    }
                    maps
                }
                _ => {
                    return Err(Box::new(
                        Diagnostic::error(
                            Code::YamlMerge,
                            "`<<` must merge a mapping or a list of mappings",
                        )
                        .at(value.span, "not a mapping"),
                    ))
                }
            };
            for m in sources {
                merged.extend(m);
            }
            continue;
        }
        if let Some(first) = seen.get(&key_text) {
            return Err(Box::new(
                Diagnostic::error(Code::DuplicateKey, format!("duplicate key `{key_text}`"))
                    .at(key.span, "written again here")
                    .also(*first, "first written here")
                    .help("YAML keeps only one of them; remove or rename one"),
            ));
        }
        seen.insert(key_text, key.span);
        out.push((key, value));
    }
    for (key, value) in merged {
        if let NodeKind::Scalar { value: k, .. } = &key.kind {
            if !seen.contains_key(k) {
                seen.insert(k.clone(), key.span);
                out.push((key, value));
            }
        }
    }
    Ok(out)
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
