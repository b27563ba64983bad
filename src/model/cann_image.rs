//! Official CANN base images are not opaque: a reference with the public tag scheme
//! `<registry>/…/cann:<cann>-<chip>-<os>-py<X.Y>[-devel]` (quay.io/ascend/cann,
//! ascendai/cann, the AscendHub mirror, or any other registry with the same scheme) tells the
//! image's CANN version, chip, OS and Python.

use regex::Regex;
use std::sync::OnceLock;

/// What an official CANN image tag says.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CannTag {
    /// As the knowledge spells it: `8.2.RC1`, `8.5.0`, `9.1.0-beta.1`.
    pub cann: String,
    pub chip: String,
    pub os: String,
    /// `3.11`.
    pub python: String,
}

fn tag_re() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(
            r"(?i)^(\d+\.\d+\.(?:rc\d+|\d+)(?:[.-](?:alpha|beta)\.?\d+)?)-([0-9a-z]+)-([a-z]+[0-9][0-9.]*)-py(\d+\.\d+)(?:-devel)?$",
        )
        .expect("valid regex")
    })
}

/// Parses an image reference; `None` unless its repository is named `cann` and its tag follows
/// the public scheme.
pub fn parse(reference: &str) -> Option<CannTag> {
    let reference = reference.trim();
    let without_digest = reference.split('@').next().unwrap_or(reference);
    let (repo, tag) = match without_digest.rsplit_once(':') {
        Some((r, t)) if !t.contains('/') => (r, t),
        _ => return None,
    };
    if repo.rsplit('/').next() != Some("cann") {
        return None;
    }
    let caps = tag_re().captures(tag)?;
    let cann = caps[1]
        .split('.')
        .map(|part| {
            if part.len() > 2 && part[..2].eq_ignore_ascii_case("rc") {
                format!("RC{}", &part[2..])
            } else {
                part.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join(".");
    Some(CannTag {
        cann,
        chip: caps[2].to_ascii_lowercase(),
        os: caps[3].to_ascii_lowercase(),
        python: caps[4].to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tag(cann: &str, chip: &str, os: &str, python: &str) -> Option<CannTag> {
        Some(CannTag {
            cann: cann.into(),
            chip: chip.into(),
            os: os.into(),
            python: python.into(),
        })
    }

    #[test]
    fn official_tags_on_every_registry() {
        assert_eq!(
            parse("quay.io/ascend/cann:8.2.rc1-910b-ubuntu22.04-py3.11"),
            tag("8.2.RC1", "910b", "ubuntu22.04", "3.11")
        );
        assert_eq!(
            parse("swr.cn-south-1.myhuaweicloud.com/ascendhub/cann:8.3.rc1-a3-ubuntu22.04-py3.11"),
            tag("8.3.RC1", "a3", "ubuntu22.04", "3.11")
        );
        assert_eq!(
            parse("ascendai/cann:8.0.0-910b-openeuler22.03-py3.10"),
            tag("8.0.0", "910b", "openeuler22.03", "3.10")
        );
        assert_eq!(
            parse("registry.example:5000/mirror/ascend/cann:9.1.0-beta.1-310p-ubuntu22.04-py3.12"),
            tag("9.1.0-beta.1", "310p", "ubuntu22.04", "3.12")
        );
        assert_eq!(
            parse("quay.io/ascend/cann:9.0.1-950-ubuntu22.04-py3.12-devel@sha256:abcd"),
            tag("9.0.1", "950", "ubuntu22.04", "3.12")
        );
    }

    #[test]
    fn other_references_are_opaque() {
        for r in [
            "ubuntu:22.04",
            "quay.io/ascend/cann:latest",
            "quay.io/ascend/vllm-ascend:v0.9.1",
            "quay.io/ascend/cannx:8.2.rc1-910b-ubuntu22.04-py3.11",
            "quay.io/ascend/cann",
            "localhost:5000/cann",
            "${BASE_IMAGE}",
        ] {
            assert_eq!(parse(r), None, "{r}");
        }
    }
}
