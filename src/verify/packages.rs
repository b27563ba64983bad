//! Installed Python distributions, read from `*.dist-info/METADATA` and `*.egg-info/PKG-INFO`
//! in the image's filesystem, and the checks on them: stack versions and numpy 1.x under
//! torch_npu.

use super::rootfs::RootFs;
use super::{CheckResult, StackItem};

/// One installed distribution.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Dist {
    /// Normalized (PEP 503): lower case, runs of `-_.` as `-`.
    pub name: String,
    pub version: String,
    /// The `.dist-info` / `.egg-info` directory.
    pub path: String,
    /// The directory holding it (site-packages).
    pub site: String,
}

/// Distribution names that provide a stack component (PEP 503 normalized).
pub const COMPONENT_DISTS: &[(&str, &[&str])] = &[
    ("torch", &["torch"]),
    ("torch_npu", &["torch-npu"]),
    ("numpy", &["numpy"]),
    ("vllm", &["vllm"]),
    ("vllm_ascend", &["vllm-ascend"]),
    (
        "mindspore",
        &["mindspore", "mindspore-ascend", "mindspore-gpu"],
    ),
    ("mindspeed", &["mindspeed"]),
    ("megatron", &["megatron-core"]),
    ("verl", &["verl"]),
    ("transformers", &["transformers"]),
    ("torchvision", &["torchvision"]),
];

pub fn normalize_name(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut sep = false;
    for c in name.trim().chars() {
        if matches!(c, '-' | '_' | '.') {
            sep = true;
        } else {
            if sep && !out.is_empty() {
                out.push('-');
            }
            sep = false;
            out.extend(c.to_lowercase());
        }
    }
    out
}

/// `Name:` and `Version:` from the header block of a METADATA / PKG-INFO file.
fn parse_metadata(text: &str) -> Option<(String, String)> {
    let (mut name, mut version) = (None, None);
    for line in text.lines() {
        if line.trim().is_empty() {
            break;
        }
        if let Some(v) = line.strip_prefix("Name:") {
            name = Some(v.trim().to_string());
        } else if let Some(v) = line.strip_prefix("Version:") {
            version = Some(v.trim().to_string());
        }
    }
    Some((name?, version?))
}

/// Every distribution installed anywhere in the image, sorted by name then path.
pub fn scan(fs: &RootFs) -> Vec<Dist> {
    let mut out = Vec::new();
    for (path, _) in fs.paths() {
        let Some(dir) = path
            .strip_suffix("/METADATA")
            .filter(|d| d.ends_with(".dist-info"))
            .or_else(|| {
                path.strip_suffix("/PKG-INFO")
                    .filter(|d| d.ends_with(".egg-info"))
            })
        else {
            continue;
        };
        let Some((name, version)) = fs.read(path).and_then(parse_metadata) else {
            continue;
        };
        let site = dir.rsplit_once('/').map(|(s, _)| s).unwrap_or("/");
        out.push(Dist {
            name: normalize_name(&name),
            version,
            path: dir.to_string(),
            site: site.to_string(),
        });
    }
    out.sort_by(|a, b| (&a.name, &a.path).cmp(&(&b.name, &b.path)));
    out
}

/// Whether an installed version satisfies a declared one: equal, or the declared version is a
/// prefix ending at a segment boundary (`2.1.0` accepts `2.1.0.post3` and `2.1.0+cpu`; `2.5`
/// accepts `2.5.1`), ignoring a leading `v`.
pub fn version_matches(declared: &str, installed: &str) -> bool {
    let d = declared.trim().trim_start_matches('v').to_ascii_lowercase();
    let i = installed
        .trim()
        .trim_start_matches('v')
        .to_ascii_lowercase();
    if d.is_empty() {
        return false;
    }
    if i == d {
        return true;
    }
    match i.strip_prefix(&d) {
        Some(rest) => rest.starts_with(['.', '+', '-']),
        None => false,
    }
}

fn dist_names(component: &str) -> Option<&'static [&'static str]> {
    COMPONENT_DISTS
        .iter()
        .find(|(c, _)| *c == component)
        .map(|(_, d)| *d)
}

/// Copies of a component, those in the stack's Python first (`python3.10` in the path).
fn installed<'a>(dists: &'a [Dist], component: &str, python: Option<&str>) -> Vec<&'a Dist> {
    let Some(names) = dist_names(component) else {
        return Vec::new();
    };
    let mut found: Vec<&Dist> = dists
        .iter()
        .filter(|d| names.contains(&d.name.as_str()))
        .collect();
    if let Some(py) = python {
        let marker = format!("/python{py}/");
        if found.iter().any(|d| d.path.contains(&marker)) {
            found.retain(|d| d.path.contains(&marker));
        }
    }
    found
}

/// One check per stack component adf can see in the image's site-packages.
pub fn stack_versions(dists: &[Dist], stack: &[StackItem]) -> Vec<CheckResult> {
    let python = stack
        .iter()
        .find(|s| s.component == "python")
        .map(|s| s.version.as_str());
    let mut out = Vec::new();
    for item in stack {
        if dist_names(&item.component).is_none() {
            continue;
        }
        let name = format!("{} {}", item.component, item.version);
        let copies = installed(dists, &item.component, python);
        let declared = format!("the stack says {} ({})", item.version, item.declared_by);
        if copies.is_empty() {
            out.push(CheckResult::fail(
                name,
                format!(
                    "{} is not installed: no {}-*.dist-info in any site-packages; {declared}",
                    item.component,
                    dist_names(&item.component)
                        .and_then(|n| n.first())
                        .map(|n| n.replace('-', "_"))
                        .unwrap_or_default()
                ),
            ));
            continue;
        }
        let evidence: Vec<String> = copies
            .iter()
            .map(|d| format!("{} at {}", d.version, d.path))
            .collect();
        let wrong: Vec<&&Dist> = copies
            .iter()
            .filter(|d| !version_matches(&item.version, &d.version))
            .collect();
        if wrong.is_empty() {
            out.push(CheckResult::pass(name, evidence.join("; ")));
        } else {
            out.push(CheckResult::fail(
                name,
                format!(
                    "installed {} but {declared}: {}",
                    wrong[0].version,
                    evidence.join("; ")
                ),
            ));
        }
    }
    out
}

/// torch_npu needs numpy 1.x: every site-packages with torch_npu must hold a numpy below 2.
pub fn numpy_under_torch_npu(dists: &[Dist]) -> Option<CheckResult> {
    let npu: Vec<&Dist> = dists.iter().filter(|d| d.name == "torch-npu").collect();
    if npu.is_empty() {
        return None;
    }
    let name = "numpy 1.x under torch_npu".to_string();
    let mut evidence = Vec::new();
    for t in &npu {
        let numpy: Vec<&Dist> = dists
            .iter()
            .filter(|d| d.name == "numpy" && d.site == t.site)
            .collect();
        if numpy.is_empty() {
            return Some(CheckResult::fail(
                name,
                format!(
                    "torch_npu {} at {} has no numpy beside it in {}: install numpy<2",
                    t.version, t.path, t.site
                ),
            ));
        }
        for n in numpy {
            let major: u64 = n
                .version
                .split('.')
                .next()
                .and_then(|m| m.parse().ok())
                .unwrap_or(0);
            if major >= 2 {
                return Some(CheckResult::fail(
                    name,
                    format!(
                        "numpy {} at {} beside torch_npu {} at {}: torch_npu needs numpy 1.x \
                         (pin numpy<2 in the layer that installs it)",
                        n.version, n.path, t.version, t.path
                    ),
                ));
            }
            evidence.push(format!(
                "numpy {} beside torch_npu {} in {}",
                n.version, t.version, t.site
            ));
        }
    }
    Some(CheckResult::pass(name, evidence.join("; ")))
}

#[cfg(test)]
mod tests {
    use super::super::rootfs::tests::fs_of;
    use super::super::Status;
    use super::*;

    const SITE: &str = "usr/local/lib/python3.10/site-packages";

    fn meta(name: &str, version: &str) -> String {
        format!(
            "Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n\nlong text\nVersion: 9\n"
        )
    }

    fn item(c: &str, v: &str) -> StackItem {
        StackItem {
            component: c.into(),
            version: v.into(),
            declared_by: "image `base`".into(),
        }
    }

    #[test]
    fn names_and_versions() {
        assert_eq!(normalize_name("Torch_NPU"), "torch-npu");
        assert_eq!(normalize_name("vllm.ascend"), "vllm-ascend");
        assert!(version_matches("2.1.0", "2.1.0.post3"));
        assert!(version_matches("2.5.1", "2.5.1+cpu"));
        assert!(version_matches("2.5", "2.5.1"));
        assert!(version_matches("v0.9.1", "0.9.1"));
        assert!(!version_matches("2.1.0", "2.1.01"));
        assert!(!version_matches("2.1.0", "2.0.0"));
        assert!(!version_matches("", "1"));
    }

    #[test]
    fn stack_versions_pass_and_fail_with_evidence() {
        let np = meta("numpy", "2.1.0");
        let tn = meta("torch_npu", "2.1.0.post3");
        let fs = fs_of(&[
            (&format!("{SITE}/numpy-2.1.0.dist-info/METADATA"), &np),
            (
                &format!("{SITE}/torch_npu-2.1.0.post3.dist-info/METADATA"),
                &tn,
            ),
        ]);
        let dists = scan(&fs);
        assert_eq!(dists.len(), 2);
        let r = stack_versions(
            &dists,
            &[
                item("python", "3.10"),
                item("torch_npu", "2.1.0"),
                item("numpy", "1.26.4"),
                item("torch", "2.1.0"),
                item("cann", "8.0.RC2"),
            ],
        );
        assert_eq!(r.len(), 3, "{r:?}");
        assert_eq!(r[0].status, Status::Pass);
        assert_eq!(r[1].status, Status::Fail);
        assert!(
            r[1].detail
                .contains("installed 2.1.0 but the stack says 1.26.4"),
            "{}",
            r[1].detail
        );
        assert!(r[1].detail.contains("numpy-2.1.0.dist-info"));
        assert_eq!(r[2].status, Status::Fail);
        assert!(r[2].detail.contains("not installed"));

        let n = numpy_under_torch_npu(&dists).expect("applies");
        assert_eq!(n.status, Status::Fail);
        assert!(n.detail.contains("numpy 2.1.0"), "{}", n.detail);
        assert!(n.detail.contains("torch_npu 2.1.0.post3"));
    }

    #[test]
    fn numpy_rule_passes_for_1x_and_skips_without_torch_npu() {
        let np = meta("numpy", "1.26.4");
        let tn = meta("torch-npu", "2.1.0");
        let fs = fs_of(&[
            (&format!("{SITE}/numpy-1.26.4.dist-info/METADATA"), &np),
            (&format!("{SITE}/torch_npu-2.1.0.dist-info/METADATA"), &tn),
        ]);
        assert_eq!(
            numpy_under_torch_npu(&scan(&fs)).map(|c| c.status),
            Some(Status::Pass)
        );
        let fs = fs_of(&[(
            &format!("{SITE}/numpy-2.0.0.dist-info/METADATA"),
            &meta("numpy", "2.0.0"),
        )]);
        assert!(numpy_under_torch_npu(&scan(&fs)).is_none());
    }

    #[test]
    fn egg_info_counts_and_the_stack_python_wins() {
        let fs = fs_of(&[
            (
                "usr/lib/python3/dist-packages/numpy-1.21.5.egg-info/PKG-INFO",
                &meta("numpy", "1.21.5"),
            ),
            (
                &format!("{SITE}/numpy-1.26.4.dist-info/METADATA"),
                &meta("numpy", "1.26.4"),
            ),
        ]);
        let dists = scan(&fs);
        let r = stack_versions(&dists, &[item("python", "3.10"), item("numpy", "1.26.4")]);
        assert_eq!(r[0].status, Status::Pass, "{r:?}");
        let r = stack_versions(&dists, &[item("numpy", "1.26.4")]);
        assert_eq!(
            r[0].status,
            Status::Fail,
            "without a python, every copy counts"
        );
    }
}
