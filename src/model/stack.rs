//! Component versions an image provides: its `stack:`, else inferred from well-known build
//! args, and inherited along the base-image chain (first parent). An image without a parent
//! whose base is an official CANN image (`…/cann:8.2.rc1-910b-ubuntu22.04-py3.11`) starts from
//! what that tag says: cann, chip, os and python.

use super::dockerfile::DockerfileCache;
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

/// The external base image of an image without a parent, as its first FROM resolves with its
/// build args, and where to point at it: the written arg that names it, else the image's key.
pub fn base_reference(image: &Image, dockerfiles: &mut DockerfileCache) -> Option<(String, Span)> {
    if !image.parents.is_empty() {
        return None;
    }
    let from = match dockerfiles.get(&image.spec.dockerfile) {
        Some(facts) => facts.resolved_first_from(&image.spec.args)?,
        None => image.spec.args.get(&image.base_arg)?.clone(),
    };
    let span = image
        .written_args()
        .find(|(_, value, _, _)| !value.is_empty() && from.contains(value))
        .map(|(_, _, _, value_span)| value_span)
        .unwrap_or(image.name_span);
    Some((from, span))
}

/// What an official CANN base image's tag says (cann, chip, os, python) for an image without a
/// parent; empty for any other base.
pub fn from_base_image(
    image: &Image,
    index: usize,
    dockerfiles: &mut DockerfileCache,
) -> BTreeMap<String, StackEntry> {
    let Some((reference, span)) = base_reference(image, dockerfiles) else {
        return BTreeMap::new();
    };
    let Some(tag) = super::cann_image::parse(&reference) else {
        return BTreeMap::new();
    };
    [
        ("cann", tag.cann),
        ("chip", tag.chip),
        ("os", tag.os),
        ("python", tag.python),
    ]
    .into_iter()
    .map(|(c, version)| {
        (
            c.to_string(),
            StackEntry {
                version,
                span,
                image: index,
            },
        )
    })
    .collect()
}

/// Every image's effective stack: its own components over those inherited along its base chain
/// (first parent), computed in one pass over the graph's waves (parents first), so deep chains
/// cost one map merge per image. An image without a parent starts from what its official CANN
/// base image's tag says. Images on a cycle (reported elsewhere) get only their own.
pub fn all_effective(project: &Project) -> Vec<BTreeMap<String, StackEntry>> {
    let n = project.images.len();
    let mut dockerfiles = DockerfileCache::default();
    let mut out: Vec<Option<BTreeMap<String, StackEntry>>> = vec![None; n];
    for wave in project.dag.waves(&vec![true; n], |i| i) {
        for i in wave {
            let image = &project.images[i];
            let mut stack = match image.parents.first() {
                Some(&p) => out[p].clone().unwrap_or_default(),
                None => from_base_image(image, i, &mut dockerfiles),
            };
            stack.extend(own(image, i));
            out[i] = Some(stack);
        }
    }
    out.into_iter()
        .enumerate()
        .map(|(i, s)| s.unwrap_or_else(|| own(&project.images[i], i)))
        .collect()
}
