//! [`Reader`]: reads a YAML node as the shape the schema expects (mapping, string, bool, list
//! of strings, `KEY: value` pairs), reporting wrong shapes and unknown keys, and
//! [`did_you_mean`], the closest known word for a misspelt one.

use super::{Pairs, Str};
use crate::config::yaml::{Node, NodeKind};
use crate::diag::Code;
use crate::diag::{Diagnostic, Diagnostics, Span, Spanned};

/// The closest known word, when it is close enough to be a plausible typo.
pub fn did_you_mean<'a>(word: &str, known: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    known
        .into_iter()
        .map(|k| {
            (
                strsim::jaro_winkler(&word.to_lowercase(), &k.to_lowercase()),
                k,
            )
        })
        .filter(|(score, _)| *score >= 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, k)| k)
}

pub(in crate::config) struct Reader<'a> {
    pub(in crate::config) diags: &'a mut Diagnostics,
}

impl Reader<'_> {
    pub(in crate::config) fn wrong_shape(
        &mut self,
        node: &Node,
        what: &str,
        expected: &str,
        example: &str,
    ) {
        self.diags.push(
            Diagnostic::error(
                Code::WrongType,
                format!("{what} must be {expected}, found {}", node.kind_name()),
            )
            .at(node.span, format!("expected {expected}"))
            .help(format!("write it like: {example}")),
        );
    }

    pub(in crate::config) fn map<'n>(
        &mut self,
        node: &'n Node,
        what: &str,
        example: &str,
    ) -> &'n [(Node, Node)] {
        match &node.kind {
            NodeKind::Map(m) => m,
            _ if node.is_null() => &[],
            _ => {
                self.wrong_shape(node, what, "a mapping", example);
                &[]
            }
        }
    }

    /// Reports keys not in `known` (keys starting with `x-` are extension fields and ignored).
    pub(in crate::config) fn known_keys<'n>(
        &mut self,
        entries: &'n [(Node, Node)],
        known: &[&str],
        section: &str,
    ) -> Vec<(&'n str, &'n Node, &'n Node)> {
        let mut out = Vec::new();
        for (k, v) in entries {
            let NodeKind::Scalar { value: key, .. } = &k.kind else {
                continue;
            };
            if key.starts_with("x-") {
                continue;
            }
            if known.contains(&key.as_str()) {
                out.push((key.as_str(), k, v));
                continue;
            }
            let mut d = Diagnostic::error(
                Code::UnknownKey,
                format!("unknown key `{key}` in {section}"),
            );
            d = match (key.as_str(), did_you_mean(key, known.iter().copied())) {
                ("services", _) => d.at(k.span, "not an adf key").help("adf reads images from `images:` (compose's `services:` describes containers, not images)"),
                (_, Some(s)) => d.at(k.span, format!("did you mean `{s}`?")).help(format!("rename it to `{s}`, or prefix it with `x-` to keep it as a note adf ignores")),
                _ => d.at(k.span, "not recognised").help(format!("known keys here: {}; prefix custom keys with `x-`", known.join(", "))),
            };
            self.diags.push(d);
        }
        out
    }

    pub(in crate::config) fn scalar(
        &mut self,
        node: &Node,
        what: &str,
        example: &str,
    ) -> Option<Str> {
        match &node.kind {
            NodeKind::Scalar { value, .. } if !node.is_null() => {
                Some(Spanned::new(value.clone(), node.span))
            }
            _ => {
                self.wrong_shape(node, what, "a string", example);
                None
            }
        }
    }

    /// [`Reader::scalar`] whose `what` is written only for a diagnostic.
    pub(in crate::config) fn scalar_of(
        &mut self,
        node: &Node,
        what: impl FnOnce() -> String,
        example: &str,
    ) -> Option<Str> {
        match &node.kind {
            NodeKind::Scalar { value, .. } if !node.is_null() => {
                Some(Spanned::new(value.clone(), node.span))
            }
            _ => self.scalar(node, &what(), example),
        }
    }

    pub(in crate::config) fn bool(&mut self, node: &Node, what: &str) -> Option<Spanned<bool>> {
        match &node.kind {
            NodeKind::Scalar { value, plain: true } if value == "true" || value == "false" => {
                Some(Spanned::new(value == "true", node.span))
            }
            _ => {
                self.wrong_shape(node, what, "true or false", &format!("{what}: true"));
                None
            }
        }
    }

    /// A list of strings; a single string is accepted as a one-item list.
    pub(in crate::config) fn strings(
        &mut self,
        node: &Node,
        what: &str,
        example: &str,
    ) -> Vec<Str> {
        match &node.kind {
            NodeKind::Seq(items) => items
                .iter()
                .filter_map(|n| self.scalar_of(n, || format!("each entry of {what}"), example))
                .collect(),
            NodeKind::Scalar { .. } if !node.is_null() => {
                self.scalar(node, what, example).into_iter().collect()
            }
            _ if node.is_null() => Vec::new(),
            _ => {
                self.wrong_shape(node, what, "a list of strings", example);
                Vec::new()
            }
        }
    }

    /// `KEY: value` mapping, or compose's list form `["KEY=value"]`.
    pub(in crate::config) fn pairs(&mut self, node: &Node, what: &str, example: &str) -> Pairs {
        match &node.kind {
            NodeKind::Map(entries) => {
                let mut out = Vec::new();
                for (k, v) in entries {
                    let Some(key) = self.scalar_of(k, || format!("a key of {what}"), example)
                    else {
                        continue;
                    };
                    if v.is_null() {
                        self.diags.push(
                            Diagnostic::error(Code::MissingValue, format!("`{}` in {what} has no value", key.value))
                                .at(k.span, "no value")
                                .help(format!("give it a value (`{}: \"...\"`) or take it from a variable (`{0}: ${{{0}}}`)", key.value)),
                        );
                        continue;
                    }
                    if let Some(val) =
                        self.scalar_of(v, || format!("`{}` in {what}", key.value), example)
                    {
                        out.push((key, val));
                    }
                }
                out
            }
            NodeKind::Seq(items) => {
                let mut out = Vec::new();
                for item in items {
                    let Some(s) = self.scalar_of(item, || format!("each entry of {what}"), example)
                    else {
                        continue;
                    };
                    match s.value.split_once('=') {
                        Some((k, v)) => {
                            let key_span = Span {
                                len: k.len().max(1),
                                ..s.span
                            };
                            out.push((
                                Spanned::new(k.to_string(), key_span),
                                Spanned::new(v.to_string(), s.span),
                            ));
                        }
                        None => self.diags.push(
                            Diagnostic::error(
                                Code::MissingValue,
                                format!("`{}` in {what} has no `=value`", s.value),
                            )
                            .at(s.span, "expected KEY=value")
                            .help(format!(
                                "write it as `{}=...` or use the mapping form",
                                s.value
                            )),
                        ),
                    }
                }
                out
            }
            _ if node.is_null() => Vec::new(),
            _ => {
                self.wrong_shape(node, what, "a mapping", example);
                Vec::new()
            }
        }
    }
}
