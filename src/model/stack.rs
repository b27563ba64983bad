//! Component versions an image provides: its `stack:`, else inferred from well-known build
//! args, and inherited along the base-image chain (first parent).

use super::{Image, Project};
use crate::diag::Span;
use std::collections::BTreeMap;

/// Build args whose value names a component version.
pub const WELL_KNOWN_ARGS: &[(&str, &str)] = &[
    ("PYTHON_VERSION", "python"),
    ("CANN_VERSION", "cann"),
    ("CHIP_TYPE", "chip"),
    ("TORCH_VERSION", "torch"),
    ("TORCH_NPU_VERSION", "torch_npu"),
    ("NUMPY_VERSION", "numpy"),
    ("VLLM_VERSION", "vllm"),
    ("VLLM_ASCEND_VERSION", "vllm_ascend"),
    ("MINDSPORE_VERSION", "mindspore"),
    ("MINDSPEED_VERSION", "mindspeed"),
    ("MEGATRON_VERSION", "megatron"),
    ("VERL_VERSION", "verl"),
    ("TRANSFORMERS_VERSION", "transformers"),
    ("DRIVER_VERSION", "driver"),
];

/// Where a component version came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StackEntry {
    pub version: String,
    pub span: Span,
    /// The image that declares it (this one or an ancestor).
    pub image: usize,
}

/// The image's own components: `stack:` entries win over inferred args.
pub fn own(image: &Image, index: usize) -> BTreeMap<String, StackEntry> {
    let mut out = BTreeMap::new();
    for (arg, value) in &image.decl.build.args {
        if let Some((_, comp)) = WELL_KNOWN_ARGS.iter().find(|(a, _)| *a == arg.value) {
            out.insert(
                (*comp).to_string(),
                StackEntry {
                    version: value.value.clone(),
                    span: value.span,
                    image: index,
                },
            );
        }
    }
    for (comp, version) in &image.decl.stack {
        out.insert(
            comp.value.clone(),
            StackEntry {
                version: version.value.clone(),
                span: version.span,
                image: index,
            },
        );
    }
    out
}

/// Own components over those inherited from the base chain.
pub fn effective(project: &Project, index: usize) -> BTreeMap<String, StackEntry> {
    let mut chain = vec![index];
    let mut cur = index;
    while let Some(&parent) = project.images[cur].parents.first() {
        if chain.contains(&parent) {
            break; // a cycle, reported elsewhere
        }
        chain.push(parent);
        cur = parent;
    }
    let mut out = BTreeMap::new();
    for &i in chain.iter().rev() {
        out.extend(own(&project.images[i], i));
    }
    out
}
