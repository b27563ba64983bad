//! What each image must prove: its effective stack (own and inherited) and the `verify:`
//! commands of the image and of every ancestor, ancestors first.

use super::{StackItem, Subject, VerifyCommand};
use crate::diag::Sources;
use crate::model::{stack, Project};

/// One subject per selected image, indexed like `project.images` (None when not selected or
/// without a tag to verify).
pub fn subjects(project: &Project, sources: &Sources, selected: &[bool]) -> Vec<Option<Subject>> {
    let stacks = stack::all_effective(project);
    let where_ = |span: crate::diag::Span| {
        let (line, col) = sources.line_col(span);
        format!("{}:{line}:{col}", sources.get(span.file).name)
    };
    project
        .images
        .iter()
        .enumerate()
        .map(|(i, img)| {
            if !selected.get(i).copied().unwrap_or(false) {
                return None;
            }
            let reference = img.primary_tag()?.to_string();
            let stack = stacks[i]
                .iter()
                .map(|(component, e)| StackItem {
                    component: component.clone(),
                    version: e.version.clone(),
                    declared_by: format!(
                        "declared by `{}` at {}",
                        project.images[e.image].name,
                        where_(e.span)
                    ),
                })
                .collect();
            // Ancestors in build order (parents before children), then the image itself.
            let closure = project.dag.closure(&[i]);
            let mut commands = Vec::new();
            for wave in project
                .dag
                .waves(&closure, |j| project.images[j].name.clone())
            {
                for j in wave {
                    let origin = (j != i).then(|| project.images[j].name.clone());
                    for (n, v) in project.images[j].verify.iter().enumerate() {
                        commands.push(VerifyCommand {
                            name: v.name.clone().unwrap_or_else(|| format!("check {}", n + 1)),
                            run: v.run.clone(),
                            expect: v.expect.as_ref().map(|s| s.value.clone()),
                            origin: origin.clone(),
                        });
                    }
                }
            }
            Some(Subject {
                name: img.name.clone(),
                reference,
                stack,
                commands,
            })
        })
        .collect()
}
