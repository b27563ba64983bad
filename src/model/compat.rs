//! Each image's effective stack (its own components over those inherited from its base chain)
//! judged against the compatibility knowledge. A finding is reported at the image that brings in
//! one of the components involved, pointing at the lines of every component, with its source.

use super::stack::{all_effective, StackEntry};
use super::Project;
use crate::diag::{Diagnostic, Diagnostics, Severity};
use crate::knowledge::{KnowledgeBase, Stack};
use std::collections::BTreeMap;

pub fn run(project: &Project, kb: &KnowledgeBase, diags: &mut Diagnostics) {
    // matrix siblings and wide catalogs share stacks: judge each distinct stack once
    let mut memo: std::collections::HashMap<Stack, Vec<crate::knowledge::Finding>> =
        std::collections::HashMap::new();
    let all = all_effective(project);
    for (index, img) in project.images.iter().enumerate() {
        let entries: &BTreeMap<String, StackEntry> = &all[index];
        if entries.is_empty() {
            continue;
        }
        let mut stack: Stack = entries
            .iter()
            .map(|(k, e)| (k.clone(), e.version.clone()))
            .collect();
        stack
            .entry("arch".into())
            .or_insert_with(|| image_arch(project, index));
        let findings = memo
            .entry(stack.clone())
            .or_insert_with(|| kb.check(&stack));
        for finding in findings.iter() {
            let involved: Vec<&StackEntry> = finding
                .components
                .iter()
                .filter_map(|c| entries.get(c))
                .collect();
            // report where the combination is made: at an image declaring one of its parts
            if !involved.iter().any(|e| e.image == index) {
                continue;
            }
            let owner = |e: &StackEntry| project.images[e.image].name.as_str();
            let parts: Vec<String> = finding
                .components
                .iter()
                .filter_map(|c| {
                    entries
                        .get(c)
                        .map(|e| format!("{c} {} (from `{}`)", e.version, owner(e)))
                })
                .collect();
            let message = format!(
                "image `{}`: {}{}",
                img.name,
                finding.message,
                if parts.is_empty() {
                    String::new()
                } else {
                    format!(" [{}]", parts.join(", "))
                }
            );
            let mut d = match finding.severity {
                Severity::Error => Diagnostic::error(finding.code, message),
                Severity::Warning => Diagnostic::warning(finding.code, message),
            };
            let primary = involved.iter().find(|e| e.image == index).map(|e| e.span);
            if let Some(span) = primary {
                d = d.at(span, format!("in image `{}`", img.name));
            }
            for e in involved.iter().filter(|e| Some(e.span) != primary) {
                d = d.also(e.span, format!("from image `{}`", owner(e)));
            }
            let help = if finding.help.is_empty() {
                format!("source: {}", finding.source)
            } else {
                format!("{} (source: {})", finding.help, finding.source)
            };
            diags.push(d.help(help));
        }
    }
}

/// `linux/arm64` → `aarch64`; else the run's ARCH.
fn image_arch(project: &Project, index: usize) -> String {
    project.images[index]
        .spec
        .platforms
        .first()
        .and_then(|p| p.split('/').nth(1))
        .and_then(crate::config::normalize_arch)
        .unwrap_or(project.arch.as_str())
        .to_string()
}
