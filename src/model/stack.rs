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
    for (arg, value, _, value_span) in image.written_args() {
        if let Some((_, comp)) = WELL_KNOWN_ARGS.iter().find(|(a, _)| *a == arg) {
            out.insert(
                (*comp).to_string(),
                StackEntry {
                    version: value.to_string(),
                    span: value_span,
                    image: index,
                },
            );
        }
    }
    for (comp, version) in &image.stack {
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

/// Every image's effective stack: its own components over those inherited along its base chain
/// (first parent), computed in one pass over the graph's waves (parents first), so deep chains
/// cost one map merge per image. Images on a cycle (reported elsewhere) get only their own.
pub fn all_effective(project: &Project) -> Vec<BTreeMap<String, StackEntry>> {
    let n = project.images.len();
    let mut out: Vec<Option<BTreeMap<String, StackEntry>>> = vec![None; n];
    for wave in project.dag.waves(&vec![true; n], |i| i) {
        for i in wave {
            let mut stack = project.images[i]
                .parents
                .first()
                .and_then(|&p| out[p].clone())
                .unwrap_or_default();
            stack.extend(own(&project.images[i], i));
            out[i] = Some(stack);
        }
    }
    out.into_iter()
        .enumerate()
        .map(|(i, s)| s.unwrap_or_else(|| own(&project.images[i], i)))
        .collect()
}
