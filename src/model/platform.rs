//! Platforms as an axis: an image that lists two or more platforms becomes one model image per
//! platform (a variant), named `IMAGE@ARCH` and tagged `REPO:TAG-ARCH` locally; its file tags
//! are published as one multi-platform index. Each variant builds from its parent's variant of
//! the same platform.

use super::Image;
use crate::diag::{Code, Diagnostic, Diagnostics};
use std::collections::HashMap;

/// `linux/arm64` → `arm64`; `linux/arm/v7` → `arm-v7`: the suffix of a variant's name and tags.
pub fn suffix(platform: &str) -> String {
    platform.split('/').skip(1).collect::<Vec<_>>().join("-")
}

/// This host's architecture as a platform suffix (Docker's name): `amd64`, `arm64`, ...
pub fn host_suffix() -> &'static str {
    match std::env::consts::ARCH {
        "x86_64" => "amd64",
        "aarch64" => "arm64",
        other => other,
    }
}

/// A variant's local tag: `REPO:TAG` → `REPO:TAG-arm64` (`REPO` alone is `REPO:latest`).
pub fn variant_tag(tag: &str, suffix: &str) -> String {
    let last = tag.rsplit('/').next().unwrap_or(tag);
    if last.contains(':') {
        format!("{tag}-{suffix}")
    } else {
        format!("{tag}:latest-{suffix}")
    }
}

/// The images of each declared name (one, or one per platform), in file order.
pub fn families(images: &[Image]) -> HashMap<String, Vec<usize>> {
    let mut out: HashMap<String, Vec<usize>> = HashMap::new();
    for (i, img) in images.iter().enumerate() {
        out.entry(img.family.clone()).or_default().push(i);
    }
    out
}

/// Each image's parents: for every `depends_on` name, the variant of that image built for the
/// same platform. A platform the parent does not provide is an error at the `depends_on` entry.
pub fn resolve_parents(
    images: &[Image],
    families: &HashMap<String, Vec<usize>>,
    diags: &mut Diagnostics,
) -> Vec<Vec<usize>> {
    images
        .iter()
        .map(|img| {
            let mut parents = Vec::new();
            for dep in &img.depends_on {
                let Some(members) = families.get(&dep.value) else {
                    continue; // unknown-image, reported by validate
                };
                let parent_platforms: Vec<&str> = members
                    .iter()
                    .filter_map(|&m| images[m].platform.as_deref())
                    .collect();
                let found = match &img.platform {
                    None => members.first().copied(),
                    Some(_) if parent_platforms.is_empty() && img.variants < 2 => {
                        members.first().copied()
                    }
                    Some(p) => members
                        .iter()
                        .copied()
                        .find(|&m| images[m].platform.as_deref() == Some(p.as_str())),
                };
                match found {
                    Some(parent) => parents.push(parent),
                    None => {
                        let platform = img.platform.as_deref().unwrap_or_default();
                        let provided = if parent_platforms.is_empty() {
                            "no platforms (the engine's default only)".to_string()
                        } else {
                            parent_platforms.join(", ")
                        };
                        diags.push(
                            Diagnostic::error(
                                Code::PlatformMismatch,
                                format!(
                                    "`{}` is built for {platform}, which its parent `{}` does not provide ({provided})",
                                    img.family, dep.value
                                ),
                            )
                            .at(
                                img.spans.platforms.first().copied().unwrap_or(dep.span),
                                format!("`{}` does not provide this platform", dep.value),
                            )
                            .also(dep.span, format!("`{}` lists {provided}", dep.value))
                            .help(format!(
                                "add `{platform}` to the `platforms:` of `{}`, or drop it from `{}`",
                                dep.value, img.family
                            )),
                        );
                    }
                }
            }
            parents
        })
        .collect()
}

/// A multi-platform image is published as one index per file tag: its tags must be the same
/// for every platform (`${ARCH}` in a tag would make them differ).
pub fn check_tags(
    images: &[Image],
    families: &HashMap<String, Vec<usize>>,
    diags: &mut Diagnostics,
) {
    for members in families.values().filter(|m| m.len() > 1) {
        let first = &images[members[0]];
        for &m in &members[1..] {
            let other = &images[m];
            let differs = first
                .published_tags
                .iter()
                .zip(&other.published_tags)
                .find(|(a, b)| a.value != b.value);
            if let Some((a, b)) = differs {
                diags.push(
                    Diagnostic::error(
                        Code::PlatformTag,
                        format!(
                            "tag of `{}` is `{}` for {} but `{}` for {}",
                            first.family,
                            a.value,
                            first.platform.as_deref().unwrap_or_default(),
                            b.value,
                            other.platform.as_deref().unwrap_or_default()
                        ),
                    )
                    .at(a.span, "differs between platforms")
                    .help("a multi-platform image is published as one tag holding every platform: drop `${ARCH}`/`${DOCKER_ARCH}` from its tags (adf tags each platform's local image REPO:TAG-ARCH itself)"),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn variant_names_and_tags() {
        assert_eq!(suffix("linux/arm64"), "arm64");
        assert_eq!(suffix("linux/arm/v7"), "arm-v7");
        assert_eq!(variant_tag("a/b:1", "arm64"), "a/b:1-arm64");
        assert_eq!(
            variant_tag("127.0.0.1:5000/b", "amd64"),
            "127.0.0.1:5000/b:latest-amd64"
        );
    }
}
