//! Readers for an image's entry under `images:` and for its `build:` section.

use super::reader::Reader;
use super::{RawBuild, RawImage, BUILD_KEYS, IMAGE_KEYS};
use crate::config::sections::{read_installers, read_runtime_deps, read_verify};
use crate::config::yaml::{Node, NodeKind};

pub(super) fn read_image(r: &mut Reader, key_node: &Node, node: &Node) -> Option<RawImage> {
    let key = r.scalar(key_node, "an image name", "python-3.10")?;
    let mut img = RawImage {
        key,
        ..RawImage::default()
    };
    let section = format!("image `{}`", img.key.value);
    let entries = r.map(
        node,
        &section,
        "build: {context: ., dockerfile: Dockerfile}",
    );
    img.build.span = Some(img.key.span);
    for (k, kn, v) in r.known_keys(entries, IMAGE_KEYS, &section) {
        match k {
            "depends_on" => {
                // compose also allows a mapping `{name: {condition: ...}}`: take its keys.
                img.depends_on = match &v.kind {
                    NodeKind::Map(m) => m
                        .iter()
                        .filter_map(|(dk, _)| {
                            r.scalar(dk, "depends_on", "depends_on: [python-3.10]")
                        })
                        .collect(),
                    _ => r.strings(v, "depends_on", "depends_on: [python-3.10]"),
                }
            }
            "build" => read_build(r, kn, v, &mut img.build),
            "tags" => img.tags = r.strings(v, "tags", "tags: [\"org/python:3.10\"]"),
            "matrix" => {
                for (ak, av) in r.map(v, "matrix", "matrix: {chip: [910b, 310p]}") {
                    let Some(axis) = r.scalar(ak, "a matrix axis", "chip") else {
                        continue;
                    };
                    let values = match &av.kind {
                        NodeKind::Seq(_) => r.strings(
                            av,
                            &format!("matrix axis `{}`", axis.value),
                            "chip: [910b, 310p]",
                        ),
                        _ => {
                            r.wrong_shape(
                                av,
                                &format!("matrix axis `{}`", axis.value),
                                "a list of values",
                                "chip: [910b, 310p]",
                            );
                            continue;
                        }
                    };
                    img.matrix.push((axis, values));
                }
            }
            "base_arg" => img.base_arg = r.scalar(v, "base_arg", "base_arg: BASE_IMAGE"),
            "stack" => img.stack = r.pairs(v, "stack", "stack: {python: \"3.10\", cann: 8.2.RC1}"),
            "installers" => img.installers = read_installers(r, v),
            "verify" => img.verify = read_verify(r, v),
            "runtime_deps" => img.runtime_deps = read_runtime_deps(r, v),
            "build_flags" => {
                img.build_flags = r.strings(v, "build_flags", "build_flags: [--network, host]")
            }
            "allow_outside" => img.allow_outside = r.bool(v, "allow_outside"),
            _ => img.description = r.scalar(v, "description", "description: CANN toolkit for 910B"),
        }
    }
    Some(img)
}

fn read_build(r: &mut Reader, key_node: &Node, node: &Node, build: &mut RawBuild) {
    build.span = Some(key_node.span);
    // compose shorthand: `build: ./dir`
    if let NodeKind::Scalar { .. } = node.kind {
        build.context = r.scalar(node, "build", "build: ./dir");
        return;
    }
    let entries = r.map(node, "build", "build: {context: ., dockerfile: Dockerfile}");
    for (k, _, v) in r.known_keys(entries, BUILD_KEYS, "build") {
        match k {
            "context" => build.context = r.scalar(v, "build.context", "context: ."),
            "dockerfile" => {
                build.dockerfile = r.scalar(
                    v,
                    "build.dockerfile",
                    "dockerfile: dockerfiles/python.dockerfile",
                )
            }
            "args" => build.args = r.pairs(v, "build.args", "args: {PYTHON_VERSION: \"3.10\"}"),
            "target" => build.target = r.scalar(v, "build.target", "target: runtime"),
            "platforms" => {
                build.platforms = r.strings(v, "build.platforms", "platforms: [linux/arm64]")
            }
            "secrets" => {
                build.secrets = match &v.kind {
                    // long form: [{source: ca, target: ...}] → the source names
                    NodeKind::Seq(items) => items
                        .iter()
                        .filter_map(|it| match &it.kind {
                            NodeKind::Map(m) => m
                                .iter()
                                .find(|(mk, _)| matches!(&mk.kind, NodeKind::Scalar { value, .. } if value == "source"))
                                .and_then(|(_, mv)| r.scalar(mv, "secrets.source", "source: ca")),
                            _ => r.scalar(it, "each entry of build.secrets", "secrets: [ca]"),
                        })
                        .collect(),
                    _ => r.strings(v, "build.secrets", "secrets: [ca]"),
                }
            }
            "labels" => {
                build.labels = r.pairs(
                    v,
                    "build.labels",
                    "labels: {org.opencontainers.image.vendor: me}",
                )
            }
            "network" => build.network = r.scalar(v, "build.network", "network: host"),
            "shm_size" => build.shm_size = r.scalar(v, "build.shm_size", "shm_size: 2g"),
            "no_cache" => build.no_cache = r.bool(v, "no_cache"),
            "pull" => build.pull = r.bool(v, "pull"),
            "cache_from" => {
                build.cache_from = r.strings(v, "build.cache_from", "cache_from: [org/app:cache]")
            }
            "cache_to" => {
                build.cache_to = r.strings(v, "build.cache_to", "cache_to: [type=inline]")
            }
            _ => {
                build.extra_hosts = r.strings(
                    v,
                    "build.extra_hosts",
                    "extra_hosts: [\"mirror:127.0.0.1\"]",
                )
            }
        }
    }
}
