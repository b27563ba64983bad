//! The tree built from the parser's events: spans from the markers' character offsets,
//! anchors and aliases (bounded), depth limits.

use super::merge::merge_and_check;
use super::*;
use crate::diag::Code;
use crate::diag::{Diagnostic, FileId, Span};
use yaml_rust2::parser::{Event, MarkedEventReceiver};
use yaml_rust2::scanner::{Marker, TScalarStyle};

/// Maps the parser's character indexes to byte offsets (they differ once a file has non-ASCII
/// text, such as Chinese comments).
pub(super) struct Offsets<'a> {
    pub(super) text: &'a str,
    pub(super) char_to_byte: Option<Vec<usize>>,
}

impl<'a> Offsets<'a> {
    pub(super) fn new(text: &'a str) -> Self {
        let char_to_byte = (!text.is_ascii()).then(|| {
            let mut v: Vec<usize> = text.char_indices().map(|(b, _)| b).collect();
            v.push(text.len());
            v
        });
        Offsets { text, char_to_byte }
    }

    pub(super) fn byte(&self, char_index: usize) -> usize {
        match &self.char_to_byte {
            Some(v) => v.get(char_index).copied().unwrap_or(self.text.len()),
            None => char_index.min(self.text.len()),
        }
    }
}

pub(super) enum Frame {
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

pub(super) struct Builder<'a> {
    pub(super) file: FileId,
    pub(super) offsets: Offsets<'a>,
    pub(super) stack: Vec<Frame>,
    pub(super) anchors: Vec<(usize, Node)>,
    pub(super) root: Option<Node>,
    pub(super) documents: usize,
    /// Nodes copied by aliases so far.
    pub(super) alias_nodes: usize,
    pub(super) error: Option<Diagnostic>,
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

pub(super) fn node_count(n: &Node) -> usize {
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
