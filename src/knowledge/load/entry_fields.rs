//! Reading one entry's fields: source ids, specs, constraints, `unknown` relations, `when`
//! conditions and severities, each error prefixed with the entry's `file:line`.

use std::collections::BTreeMap;

use super::is_name_component;
use crate::diag::Severity;
use crate::knowledge::model::{norm_component, Constraint, KnowledgeBase, Unknown};
use crate::knowledge::schema::{ConstraintDef, Constraints, OneOrMany, UnknownDef};
use crate::knowledge::spec::Spec;

pub(super) fn severity(s: &str) -> Result<Severity, String> {
    match s.to_ascii_lowercase().as_str() {
        "error" => Ok(Severity::Error),
        "warning" => Ok(Severity::Warning),
        other => Err(format!(
            "severity must be \"error\" or \"warning\", not \"{other}\""
        )),
    }
}

pub(super) struct Ctx<'a> {
    pub(super) kb: &'a KnowledgeBase,
    pub(super) at: String,
}

impl Ctx<'_> {
    pub(super) fn err(&self, msg: impl std::fmt::Display) -> String {
        format!("{}: {msg}", self.at)
    }

    pub(super) fn sources(&self, s: OneOrMany) -> Result<Vec<String>, String> {
        let ids = s.into_vec();
        if ids.is_empty() {
            return Err(self.err("`source` must name at least one [[sources]] id"));
        }
        for id in &ids {
            if !self.kb.sources.contains_key(id) {
                return Err(self.err(format!(
                    "unknown source id `{id}` (declare it in [[sources]])"
                )));
            }
        }
        Ok(ids)
    }

    pub(super) fn spec(&self, component: &str, text: &str) -> Result<Spec, String> {
        Spec::parse(text, is_name_component(component))
            .map_err(|e| self.err(format!("{component}: {e}")))
    }

    pub(super) fn constraints(
        &self,
        field: &str,
        defs: Constraints,
    ) -> Result<Vec<(String, Constraint)>, String> {
        let mut out = Vec::new();
        for (comp, def) in defs {
            let comp = norm_component(&comp);
            let (spec, source, note, sev) = match def {
                ConstraintDef::Short(s) => (s.joined(" | "), None, None, None),
                ConstraintDef::Full(f) => (f.spec.joined(" | "), f.source, f.note, f.severity),
            };
            let spec = if field == "minimum" {
                let v = spec.trim();
                if v.starts_with(['<', '>', '=', '!', '*']) || v.contains([',', '|']) {
                    return Err(self.err(format!(
                        "{comp}: `minimum` takes one version (the documented lower bound), not the spec '{v}'"
                    )));
                }
                self.spec(&comp, &format!(">={v}"))
            } else {
                self.spec(&comp, &spec)
            }
            .map_err(|e| format!("{e} (in `{field}`)"))?;
            let source = match source {
                Some(s) => self.sources(s)?,
                None => Vec::new(),
            };
            let severity = sev
                .map(|s| severity(&s))
                .transpose()
                .map_err(|e| self.err(e))?;
            out.push((
                comp,
                Constraint {
                    spec,
                    source,
                    note,
                    severity,
                },
            ));
        }
        Ok(out)
    }

    pub(super) fn unknowns(
        &self,
        defs: BTreeMap<String, UnknownDef>,
    ) -> Result<Vec<(String, Unknown)>, String> {
        let mut out = Vec::new();
        for (comp, def) in defs {
            let (text, source) = match def {
                UnknownDef::Short(t) => (t, Vec::new()),
                UnknownDef::Full(f) => (
                    f.note,
                    match f.source {
                        Some(s) => self.sources(s)?,
                        None => Vec::new(),
                    },
                ),
            };
            if text.trim().is_empty() {
                return Err(self.err(format!(
                    "{comp}: an `unknown` relation says what *is* documented (a non-empty text)"
                )));
            }
            out.push((norm_component(&comp), Unknown { text, source }));
        }
        Ok(out)
    }

    pub(super) fn when(
        &self,
        defs: BTreeMap<String, String>,
    ) -> Result<Vec<(String, Spec)>, String> {
        defs.into_iter()
            .map(|(c, s)| {
                let c = norm_component(&c);
                let spec = self.spec(&c, &s)?;
                Ok((c, spec))
            })
            .collect()
    }
}
