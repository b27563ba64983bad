//! What a sync reads from: the index URL (`--index` or the environment, as a JSON API base) and
//! the project names (PEP 503 normalised, [`DEFAULT_PACKAGES`] when none is named).

use super::SyncError;

/// Packages synced when none is named: the Ascend packages and their peers.
pub const DEFAULT_PACKAGES: &[&str] = &[
    "torch-npu",
    "vllm-ascend",
    "mindspore",
    "mindspeed",
    "mindspeed-llm",
    "mindspeed-rl",
    "triton-ascend",
];

/// The index to sync from: `--index`, else `ADF_PYPI_INDEX`, else `PIP_INDEX_URL` (its
/// `/simple` dropped), as a JSON API base; `env` reads the environment.
pub fn resolve_index(
    arg: Option<&str>,
    env: impl Fn(&str) -> Option<String>,
) -> Result<String, SyncError> {
    let set = |k: &str| env(k).filter(|v| !v.trim().is_empty());
    let url = arg
        .map(str::to_string)
        .or_else(|| set("ADF_PYPI_INDEX"))
        .or_else(|| set("PIP_INDEX_URL"))
        .ok_or_else(|| {
            SyncError::BadInput(
                "no package index to sync from: pass `--index URL` (the JSON API base, where \
                 URL/pypi/torch-npu/json answers), or set ADF_PYPI_INDEX or PIP_INDEX_URL"
                    .into(),
            )
        })?;
    index_base(&url)
}

/// The projects to sync, PEP 503 normalised and deduplicated ([`DEFAULT_PACKAGES`] when none).
pub fn resolve_packages(names: &[String]) -> Result<Vec<String>, SyncError> {
    if names.is_empty() {
        return Ok(DEFAULT_PACKAGES.iter().map(|s| s.to_string()).collect());
    }
    let mut out = Vec::new();
    for n in names {
        let p = project_name(n)
            .ok_or_else(|| SyncError::BadInput(format!("`{n}` is not a package name")))?;
        if !out.contains(&p) {
            out.push(p);
        }
    }
    Ok(out)
}

/// The JSON API base from a pip index URL: a trailing `/simple` or `/simple/` is dropped.
pub fn index_base(url: &str) -> Result<String, SyncError> {
    let url = url.trim();
    if !(url.starts_with("http://") || url.starts_with("https://")) || url.len() < 10 {
        return Err(SyncError::BadInput(format!(
            "`{url}` is not an http(s) URL of a package index"
        )));
    }
    let mut base = url.trim_end_matches('/');
    if let Some(b) = base.strip_suffix("/simple") {
        base = b;
    }
    Ok(base.trim_end_matches('/').to_string())
}

/// A project name as PEP 503 normalises it (`Torch_NPU` → `torch-npu`); `None` if it is not one.
pub fn project_name(name: &str) -> Option<String> {
    let n = name.trim();
    let ok = !n.is_empty()
        && n.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
        && n.starts_with(|c: char| c.is_ascii_alphanumeric());
    ok.then(|| {
        n.to_ascii_lowercase()
            .split(['-', '_', '.'])
            .filter(|p| !p.is_empty())
            .collect::<Vec<_>>()
            .join("-")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn index_urls_and_names() {
        assert_eq!(
            index_base("https://mirror.example/pypi/simple/")
                .ok()
                .as_deref(),
            Some("https://mirror.example/pypi")
        );
        assert_eq!(
            index_base("http://127.0.0.1:5130/").ok().as_deref(),
            Some("http://127.0.0.1:5130")
        );
        assert!(index_base("mirror.example/simple").is_err());
        assert_eq!(project_name("Torch_NPU").as_deref(), Some("torch-npu"));
        assert_eq!(project_name("../etc"), None);
        assert_eq!(project_name("a b"), None);
    }
}
