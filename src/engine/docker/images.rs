//! Image queries: which tags point at adf-built images (one or two engine calls however many
//! tags), an image's ID, config and repo digests.

use super::DockerCli;
use crate::engine::{
    process, EngineError, ErrorKind, ImageConfig, ImageInfo, ImageStore, PARENT_LABEL,
};
use crate::model::reference::normalize;
use crate::plan::fingerprint::FINGERPRINT_LABEL;
use std::collections::HashMap;

/// An image's layers as JSON, for `docker image inspect --format`.
const LAYERS: &str = "{{json .RootFS.Layers}}";

/// Up to this many refs are inspected directly (the daemon answers each ref separately).
const DIRECT_INSPECT_MAX: usize = 64;

/// Few refs: one `docker image inspect` of them. Many: one `docker image ls` of adf's images,
/// then one inspect of the distinct image IDs involved, so the cost does not grow with the refs.
pub(super) fn built_images(cli: &DockerCli, refs: &[String]) -> HashMap<String, ImageInfo> {
    let mut out = HashMap::new();
    if refs.is_empty() {
        return out;
    }
    // missing refs make docker exit non-zero while still printing the others
    let run = |args: &[&str], more: &[String]| {
        process::output(cli.command().args(args).args(more))
            .ok()
            .filter(|o| o.status.success() || !o.stdout.is_empty())
            .map(|o| String::from_utf8_lossy(&o.stdout).into_owned())
            .unwrap_or_default()
    };
    let label = format!(
        "{{{{index .Config.Labels \"{FINGERPRINT_LABEL}\"}}}}|{{{{index .Config.Labels \"{PARENT_LABEL}\"}}}}"
    );
    if refs.len() <= DIRECT_INSPECT_MAX {
        let format = format!("{{{{.Id}}}}|{label}|{LAYERS}|{{{{json .RepoTags}}}}");
        let wanted: HashMap<String, &String> = refs.iter().map(|r| (normalize(r), r)).collect();
        for line in run(&["image", "inspect", "--format", &format], refs).lines() {
            let mut parts = line.splitn(5, '|');
            let (Some(id), Some(fp), Some(parent), Some(layers), Some(tags)) = (
                parts.next(),
                parts.next(),
                parts.next(),
                parts.next(),
                parts.next(),
            ) else {
                continue;
            };
            if fp.is_empty() || fp == "<no value>" {
                continue; // not built by adf
            }
            for t in serde_json::from_str::<Vec<String>>(tags).unwrap_or_default() {
                if let Some(r) = wanted.get(&normalize(&t)) {
                    let info = ImageInfo {
                        id: id.to_string(),
                        fingerprint: fp.to_string(),
                        parent: label_value(parent),
                        layers: serde_json::from_str(layers).unwrap_or_default(),
                    };
                    out.insert((*r).clone(), info);
                }
            }
        }
        return out;
    }
    let filter = format!("label={FINGERPRINT_LABEL}");
    let listed = run(
        &[
            "image",
            "ls",
            "--no-trunc",
            "--filter",
            &filter,
            "--format",
            "{{.Repository}}:{{.Tag}}|{{.ID}}",
        ],
        &[],
    );
    let id_by_tag: HashMap<String, String> = listed
        .lines()
        .filter_map(|l| l.split_once('|'))
        .map(|(t, id)| (normalize(t), id.to_string()))
        .collect();
    let wanted: Vec<(&String, &String)> = refs
        .iter()
        .filter_map(|r| id_by_tag.get(&normalize(r)).map(|id| (r, id)))
        .collect();
    let mut ids: Vec<String> = wanted.iter().map(|(_, id)| (*id).clone()).collect();
    ids.sort();
    ids.dedup();
    if ids.is_empty() {
        return out;
    }
    let format = format!("{{{{.Id}}}}|{label}|{LAYERS}");
    let infos: HashMap<String, ImageInfo> = run(&["image", "inspect", "--format", &format], &ids)
        .lines()
        .filter_map(|l| {
            let mut parts = l.splitn(4, '|');
            let info = ImageInfo {
                id: parts.next()?.to_string(),
                fingerprint: parts.next()?.to_string(),
                parent: label_value(parts.next()?),
                layers: serde_json::from_str(parts.next()?).unwrap_or_default(),
            };
            Some((info.id.clone(), info))
        })
        .collect();
    for (r, id) in wanted {
        if let Some(info) = infos.get(id) {
            let info = info.clone();
            out.insert(r.clone(), info);
        }
    }
    out
}

/// A label's value from `{{index .Config.Labels "..."}}`: `None` when the image has none.
fn label_value(text: &str) -> Option<String> {
    let t = text.trim();
    (!t.is_empty() && t != "<no value>").then(|| t.to_string())
}

/// The platforms of the current buildx builder (`Platforms:` of `docker buildx inspect`);
/// empty when it cannot tell.
pub(super) fn builder_platforms(cli: &DockerCli) -> Vec<String> {
    let Ok(out) = cli.checked(&["buildx", "inspect"]) else {
        return Vec::new();
    };
    out.lines()
        .find_map(|l| l.trim().strip_prefix("Platforms:"))
        .map(|list| {
            list.split(',')
                .map(|p| p.trim().trim_end_matches('*').to_string())
                .filter(|p| !p.is_empty())
                .collect()
        })
        .unwrap_or_default()
}

/// The containerd image store shows as the `io.containerd.snapshotter` driver.
pub(super) fn image_store(cli: &DockerCli) -> ImageStore {
    match cli.checked(&["info", "--format", "{{json .DriverStatus}}"]) {
        Ok(s) if s.contains("io.containerd.snapshotter") => ImageStore::Containerd,
        _ => ImageStore::Classic,
    }
}

pub(super) fn image_id(cli: &DockerCli, reference: &str) -> Result<Option<String>, EngineError> {
    match cli.checked(&["image", "inspect", "--format", "{{.Id}}", "--", reference]) {
        Ok(id) => Ok(Some(id.trim().to_string())),
        Err(e) if e.kind == ErrorKind::NoSuchImage => Ok(None),
        Err(e) => Err(e),
    }
}

pub(super) fn image_config(cli: &DockerCli, reference: &str) -> Result<ImageConfig, EngineError> {
    let json = cli.checked(&[
        "image",
        "inspect",
        "--format",
        "{{json .}}",
        "--",
        reference,
    ])?;
    parse_config(&json).map_err(|e| {
        EngineError::new(
            ErrorKind::Failed,
            format!("docker image inspect {reference}"),
            format!("unreadable output: {e}"),
        )
    })
}

fn parse_config(json: &str) -> Result<ImageConfig, serde_json::Error> {
    let v: serde_json::Value = serde_json::from_str(json)?;
    let config = &v["Config"];
    let env = config["Env"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|e| e.as_str()?.split_once('='))
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect()
        })
        .unwrap_or_default();
    let labels = config["Labels"]
        .as_object()
        .map(|m| {
            m.iter()
                .map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_string()))
                .collect()
        })
        .unwrap_or_default();
    let strings = |v: &serde_json::Value| -> Vec<String> {
        v.as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|s| s.as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default()
    };
    Ok(ImageConfig {
        id: v["Id"].as_str().unwrap_or_default().to_string(),
        arch: v["Architecture"].as_str().unwrap_or_default().to_string(),
        env,
        labels,
        entrypoint: strings(&config["Entrypoint"]),
        cmd: strings(&config["Cmd"]),
    })
}

pub(super) fn local_digest(cli: &DockerCli, image: &str, repository: &str) -> Option<String> {
    let out = cli
        .checked(&[
            "image",
            "inspect",
            "--format",
            "{{json .RepoDigests}}",
            image,
        ])
        .ok()?;
    let list: Vec<String> = serde_json::from_str(out.trim()).ok()?;
    list.iter()
        .filter_map(|d| d.split_once('@'))
        .find(|(repo, _)| *repo == repository)
        .map(|(_, digest)| digest.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_an_image_config() {
        let c = parse_config(
            r#"{"Id":"sha256:ab","Architecture":"arm64","Config":{"Env":["PATH=/bin","A=b=c"],"Labels":{"l":"v"}}}"#,
        )
        .expect("parses");
        assert_eq!(c.id, "sha256:ab");
        assert_eq!(c.arch, "arm64");
        assert_eq!(
            c.env,
            [("PATH".into(), "/bin".into()), ("A".into(), "b=c".into())]
        );
        assert_eq!(c.labels, [("l".into(), "v".into())]);
    }
}
