//! The short answer of `adf compat`: what the asked release goes with, one line per component
//! with the relation kind and the source ids, then the releases of other components documented
//! with it, installer names and chips, and a legend of the sources. `--all` is [`render_text`].
//!
//! [`render_text`]: super::render_text

use std::collections::BTreeMap;

use super::load::is_name_component;
use super::model::{norm_component, Constraint, KnowledgeBase, Release};
use super::query::implied::{applicable_rules, implied_stack};
use super::query::Query;
use super::render::render;
use super::version::Version;
use super::Stack;

/// Order of component lines: what a person setting up a stack reads first.
fn rank(c: &str) -> (usize, String) {
    const ORDER: [&str; 16] = [
        "vllm",
        "vllm_ascend",
        "cann",
        "torch",
        "torch_npu",
        "python",
        "numpy",
        "driver",
        "chip",
        "arch",
        "mindspore",
        "mindspeed",
        "megatron",
        "transformers",
        "torchvision",
        "triton_ascend",
    ];
    (
        ORDER.iter().position(|x| *x == c).unwrap_or(ORDER.len()),
        c.to_string(),
    )
}

/// A release documented with the asked value: version, relation kind, source ids.
type Documented = (String, &'static str, Vec<String>);

struct Asked {
    comp: String,
    raw: String,
    v: Version,
}

/// Source ids cited for one relation: its own, else the row's.
fn ids(c: &Constraint, r: &Release) -> Vec<String> {
    if c.source.is_empty() {
        r.source.clone()
    } else {
        c.source.clone()
    }
}

/// Collects the source ids used, in first-use order, for the legend.
#[derive(Default)]
struct Legend(Vec<String>);

impl Legend {
    fn tag(&mut self, ids: &[String]) -> String {
        for id in ids {
            if !self.0.contains(id) {
                self.0.push(id.clone());
            }
        }
        ids.join(" ")
    }
}

/// One line per related component of release `r`, plus the rules that apply to the stack.
fn release_lines(
    kb: &KnowledgeBase,
    r: &Release,
    stack: &Stack,
    legend: &mut Legend,
    out: &mut Vec<String>,
) {
    let mut by_comp: BTreeMap<(usize, String), Vec<String>> = BTreeMap::new();
    let kinds: [(&[(String, Constraint)], &str); 5] = [
        (&r.requires, "requires"),
        (&r.minimum, "minimum"),
        (&r.paired, "paired"),
        (&r.compatible, "compatible"),
        (&r.conflicts, "conflicts"),
    ];
    for (list, kind) in kinds {
        for (comp, c) in list {
            let part = format!("{} ({kind}, {})", c.spec.raw(), legend.tag(&ids(c, r)));
            by_comp.entry(rank(comp)).or_default().push(part);
        }
    }
    for (comp, u) in &r.unknown {
        let src = if u.source.is_empty() {
            &r.source
        } else {
            &u.source
        };
        let part = format!("not documented: {} (unknown, {})", u.text, legend.tag(src));
        by_comp.entry(rank(comp)).or_default().push(part);
    }
    for rule in applicable_rules(kb, stack) {
        for (comp, c) in &rule.requires {
            if *comp == r.component {
                continue;
            }
            let src = if c.source.is_empty() {
                &rule.source
            } else {
                &c.source
            };
            let strength = match c.severity.or(rule.severity) {
                Some(crate::diag::Severity::Warning) => "caution",
                _ => "rule",
            };
            let part = format!(
                "{} ({strength} {}, {})",
                c.spec.raw(),
                rule.id,
                legend.tag(src)
            );
            let parts = by_comp.entry(rank(comp)).or_default();
            if !parts
                .iter()
                .any(|p| p.starts_with(&format!("{} (", c.spec.raw())))
            {
                parts.push(part);
            }
        }
    }
    for ((_, comp), parts) in by_comp {
        out.push(format!("  {comp:<14} {}", parts.join("; ")));
    }
}

/// How release `r` relates to the asked value, if one of its relations names it and holds.
fn relation_to(r: &Release, a: &Asked) -> Option<&'static str> {
    let lists: [(&[(String, Constraint)], &str); 4] = [
        (&r.paired, "paired"),
        (&r.requires, "requires"),
        (&r.minimum, "minimum"),
        (&r.compatible, "compatible"),
    ];
    for (list, kind) in lists {
        if let Some((_, c)) = list.iter().find(|(c, _)| *c == a.comp) {
            match c.spec.eval(&a.v) {
                Some(true) => return Some(kind),
                Some(false) if kind != "compatible" => return None,
                _ => {}
            }
        }
    }
    None
}

/// The short answer (see the module doc); empty when the knowledge has nothing on the question.
pub fn render_brief(kb: &KnowledgeBase, q: &Query) -> String {
    let asked: Vec<Asked> = q
        .components
        .iter()
        .map(|(c, raw)| {
            let comp = norm_component(c);
            Asked {
                v: kb.value(&comp, raw),
                raw: raw.trim().to_string(),
                comp,
            }
        })
        .collect();
    let stack = implied_stack(kb, &q.components);
    let mut legend = Legend::default();
    let mut out: Vec<String> = Vec::new();
    let mut direct: Vec<usize> = Vec::new();
    for a in &asked {
        let rows: Vec<(usize, &Release)> = kb
            .releases
            .iter()
            .enumerate()
            .filter(|(_, r)| r.component == a.comp && r.matcher.eval(&a.v) == Some(true))
            .collect();
        if rows.is_empty() && kb.has_family(&a.comp) {
            let near = kb.nearest_versions(&a.comp, &a.v, 6).join(", ");
            if kb.newer_than_known(&a.comp, &a.v) {
                out.push(format!(
                    "{} {}: newer than adf's knowledge of {}; run `adf knowledge sync`",
                    a.comp,
                    a.raw,
                    kb.knowledge_date()
                ));
            } else {
                out.push(format!("{} {}: no entry in adf's knowledge", a.comp, a.raw));
            }
            out.push(format!("  known nearby: {near}"));
        }
        for (i, r) in rows {
            let variant = r
                .variant
                .as_ref()
                .map(|v| format!(" [{v}]"))
                .unwrap_or_default();
            out.push(format!("{} {}{variant}", r.component, r.version));
            release_lines(kb, r, &stack, &mut legend, &mut out);
            direct.push(i);
        }
        if a.comp == "chip" {
            let name = kb.canonical_name("chip", &a.raw);
            if let Some(c) = kb.chips.iter().find(|c| c.name == name) {
                let mut more = Vec::new();
                if let Some(t) = &c.vllm_ascend_type {
                    more.push(format!("vllm-ascend {t}"));
                }
                if !c.aliases.is_empty() {
                    more.push(format!("aliases {}", c.aliases.join(", ")));
                }
                out.push(format!(
                    "chip {}: {}{} ({})",
                    c.name,
                    c.family,
                    if more.is_empty() {
                        String::new()
                    } else {
                        format!("; {}", more.join("; "))
                    },
                    legend.tag(&c.source)
                ));
            } else {
                out.push(format!("chip {}: not a chip adf knows", a.raw));
            }
        }
    }
    // Releases of other components documented with what was asked, one line per component.
    let mut reverse: BTreeMap<(usize, String), Vec<Documented>> = BTreeMap::new();
    for (i, r) in kb.releases.iter().enumerate() {
        if direct.contains(&i) || asked.iter().any(|a| a.comp == r.component) {
            continue;
        }
        let kinds: Vec<Option<&'static str>> = asked.iter().map(|a| relation_to(r, a)).collect();
        if kinds.iter().all(Option::is_none) {
            continue;
        }
        if asked.iter().any(|a| contradicts(r, a)) {
            continue;
        }
        let kind = kinds.iter().flatten().next().copied().unwrap_or("paired");
        let label = r.version.clone();
        let list = reverse.entry(rank(&r.component)).or_default();
        if !list.iter().any(|(v, _, _)| *v == label) {
            list.push((label, kind, r.source.clone()));
        }
    }
    if !reverse.is_empty() {
        out.push("documented with it:".into());
    }
    for ((_, comp), list) in reverse {
        let mut groups: Vec<(&str, Vec<&str>, Vec<String>)> = Vec::new();
        for (v, kind, src) in &list {
            match groups.iter_mut().find(|g| g.0 == *kind) {
                Some(g) => {
                    g.1.push(v);
                    for s in src {
                        if !g.2.contains(s) {
                            g.2.push(s.clone());
                        }
                    }
                }
                None => groups.push((kind, vec![v], src.clone())),
            }
        }
        let parts: Vec<String> = groups
            .iter()
            .map(|(kind, vs, src)| {
                let shown: Vec<&str> = vs.iter().take(6).copied().collect();
                let more = if vs.len() > 6 {
                    format!(" +{} more", vs.len() - 6)
                } else {
                    String::new()
                };
                format!("{}{more} ({kind}, {})", shown.join(", "), legend.tag(src))
            })
            .collect();
        out.push(format!("  {comp:<14} {}", parts.join("; ")));
    }
    installer_lines(kb, &asked, &mut legend, &mut out);
    if out.is_empty() {
        return String::new();
    }
    // the legend: one entry per repository or site, with the ids citing it
    let mut by_repo: Vec<(String, Vec<&str>)> = Vec::new();
    for id in &legend.0 {
        let repo = kb
            .sources
            .get(id)
            .map(|s| s.repo.clone())
            .unwrap_or_default();
        match by_repo.iter_mut().find(|(r, _)| *r == repo) {
            Some((_, ids)) => ids.push(id),
            None => by_repo.push((repo, vec![id])),
        }
    }
    let legend_items: Vec<String> = by_repo
        .iter()
        .map(|(repo, ids)| format!("{} {repo}", ids.join(" ")))
        .collect();
    let mut line = String::from("sources:");
    for item in legend_items {
        if line.len() + item.len() + 2 > 100 {
            out.push(line);
            line = String::from("        ");
        }
        line.push(' ');
        line.push_str(&item);
        line.push(';');
    }
    if line.trim_end_matches(';').trim() != "sources:" {
        out.push(line.trim_end_matches(';').to_string());
    }
    out.push(
        "(--all: every matching release, rule, fact and installer, with notes and full citations)"
            .into(),
    );
    let mut s = out.join("\n");
    s.push('\n');
    s
}

/// Whether release `r` says the asked value is outside what it requires or is paired with.
fn contradicts(r: &Release, a: &Asked) -> bool {
    let broken = |list: &[(String, Constraint)]| {
        list.iter()
            .any(|(c, con)| *c == a.comp && con.spec.eval(&a.v) == Some(false))
    };
    if r.unknown.iter().any(|(c, _)| *c == a.comp) {
        return true;
    }
    if is_name_component(&a.comp) {
        return broken(&r.requires);
    }
    broken(&r.requires) || broken(&r.minimum)
}

/// One line per CANN (or driver) installer package for the asked version and chip.
fn installer_lines(
    kb: &KnowledgeBase,
    asked: &[Asked],
    legend: &mut Legend,
    out: &mut Vec<String>,
) {
    let get = |c: &str| asked.iter().find(|a| a.comp == c);
    let chip = get("chip").map(|c| kb.canonical_name("chip", &c.raw));
    let mut lines = Vec::new();
    for i in &kb.installers {
        let Some(a) = get(&i.version_of) else {
            continue;
        };
        if i.applies.eval(&a.v) != Some(true) {
            continue;
        }
        let version = kb.canonical_version(&i.version_of, &a.raw);
        let chips: Vec<Option<&str>> = if i.chips.is_empty() {
            vec![None]
        } else {
            match &chip {
                Some(c) if i.chips.contains(c) => vec![Some(c.as_str())],
                Some(_) => continue,
                None => i.chips.iter().map(|c| Some(c.as_str())).collect(),
            }
        };
        let src = legend.tag(&i.source);
        if !i.available {
            lines.push(format!(
                "  {:<14} not released for {} {version} ({src})",
                i.component, i.version_of
            ));
            continue;
        }
        let arch = if i.archs.is_empty() {
            "*".to_string()
        } else {
            format!("{{{}}}", i.archs.join(","))
        };
        let files: Vec<String> = chips
            .iter()
            .map(|c| render(i, &version, *c, &arch).0)
            .collect();
        let shown: Vec<String> = files.iter().take(3).cloned().collect();
        let more = if files.len() > 3 {
            format!(" +{} more chips", files.len() - 3)
        } else {
            String::new()
        };
        lines.push(format!(
            "  {:<14} {}{more} ({src})",
            i.component,
            shown.join(", ")
        ));
    }
    if !lines.is_empty() {
        out.push("installers:".into());
        out.extend(lines);
    }
}
