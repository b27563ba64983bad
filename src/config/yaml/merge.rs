//! A mapping's entries: `<<` merge keys applied as compose does, duplicate keys reported.

use super::*;
use crate::diag::Code;
use crate::diag::{Diagnostic, Span};

/// Applies `<<` merge keys (local keys win) and rejects duplicate keys.
pub(super) fn merge_and_check(
    entries: Vec<(Node, Node)>,
) -> Result<Vec<(Node, Node)>, Box<Diagnostic>> {
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
pub(super) const LINEAR_KEY_SCAN: usize = 16;

/// The first complex or duplicate key of a mapping without `<<`, in written order.
pub(super) fn check_keys(entries: &[(Node, Node)]) -> Result<(), Box<Diagnostic>> {
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
pub(super) fn merge_keys(entries: Vec<(Node, Node)>) -> Result<Vec<(Node, Node)>, Box<Diagnostic>> {
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
