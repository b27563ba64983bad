//! Static checks on the image's layout: the Python the stack names, CANN's version file and
//! `set_env.sh`, and the ModelArts user.

use super::paths::env_value;
use super::rootfs::RootFs;
use super::{CheckResult, StackItem};

/// The label that marks an image for ModelArts: `user:uid:gid`.
pub const MODELARTS_LABEL: &str = "com.huaweicloud.modelarts.user";
/// ModelArts runs images as this user (DESIGN §6).
pub const MODELARTS_USER: &str = "ma-user:1000:100";

const CANN_HOMES: &[&str] = &[
    "/usr/local/Ascend/ascend-toolkit",
    "/usr/local/Ascend/nnae",
    "/usr/local/Ascend/cann",
];

/// `python3` on the image's PATH is the stack's `python` X.Y.
pub fn python(fs: &RootFs, env: &[(String, String)], stack: &[StackItem]) -> Option<CheckResult> {
    let item = stack.iter().find(|s| s.component == "python")?;
    let want: String = item
        .version
        .split('.')
        .take(2)
        .collect::<Vec<_>>()
        .join(".");
    let name = format!("python {}", item.version);
    let path = env_value(env, "PATH")
        .unwrap_or("/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
    for dir in path.split(':').filter(|d| d.starts_with('/')) {
        let candidate = format!("{}/python3", dir.trim_end_matches('/'));
        let Some(real) = fs.resolve(&candidate) else {
            continue;
        };
        let file = real.rsplit('/').next().unwrap_or("");
        let sibling = format!("{}/python{want}", dir.trim_end_matches('/'));
        let ok = file == format!("python{want}")
            || fs.is_file(&sibling) && fs.resolve(&sibling) == Some(real.clone());
        return Some(if ok {
            CheckResult::pass(name, format!("{candidate} -> {real}"))
        } else {
            CheckResult::fail(
                name,
                format!(
                    "python3 on PATH is {candidate} -> {real}, not python{want}; the stack says {} ({})",
                    item.version, item.declared_by
                ),
            )
        });
    }
    Some(CheckResult::fail(
        name,
        format!(
            "no python3 in any PATH directory ({path}); the stack says {} ({})",
            item.version, item.declared_by
        ),
    ))
}

/// `version=8.0.RC2`, `Version=8.0.RC2` or `..._version=[7.3.0.1.231:8.0.RC2]`.
fn versions_in(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for line in text.lines() {
        let Some((key, value)) = line.split_once('=') else {
            continue;
        };
        let key = key.trim().to_ascii_lowercase();
        let value = value.trim().trim_matches('"');
        if key == "version" {
            out.push(value.to_string());
        } else if key.ends_with("_version") {
            if let Some(v) = value
                .strip_prefix('[')
                .and_then(|v| v.strip_suffix(']'))
                .and_then(|v| v.rsplit_once(':'))
            {
                out.push(v.1.to_string());
            }
        }
    }
    out
}

/// Version files under one CANN home: `latest/version.cfg`, `latest/*install.info`,
/// `latest/<arch>-linux/*install.info`.
fn version_files(fs: &RootFs, home: &str) -> Vec<(String, Vec<String>)> {
    let latest = format!("{home}/latest");
    let mut dirs = vec![latest.clone()];
    for child in fs.children(&latest) {
        if child.ends_with("-linux") {
            dirs.push(format!("{latest}/{child}"));
        }
    }
    let mut out = Vec::new();
    for dir in dirs {
        for child in fs.children(&dir) {
            if child == "version.cfg" || child.ends_with("install.info") {
                let path = format!("{dir}/{child}");
                if let Some(text) = fs.read(&path) {
                    let v = versions_in(text);
                    if !v.is_empty() {
                        out.push((path, v));
                    }
                }
            }
        }
    }
    out
}

/// CANN's `set_env.sh` and a version file that names the stack's CANN version.
pub fn cann(fs: &RootFs, stack: &[StackItem]) -> Vec<CheckResult> {
    let Some(item) = stack.iter().find(|s| s.component == "cann") else {
        return Vec::new();
    };
    let homes: Vec<&str> = CANN_HOMES
        .iter()
        .copied()
        .filter(|h| fs.is_dir(h))
        .collect();
    let set_env: Vec<String> = homes
        .iter()
        .map(|h| format!("{h}/set_env.sh"))
        .filter(|p| fs.is_file(p))
        .collect();
    let env_check =
        if set_env.is_empty() {
            CheckResult::fail(
                "CANN set_env.sh",
                format!(
                "no set_env.sh in {}: the CANN install is incomplete (the stack says CANN {}, {})",
                if homes.is_empty() { CANN_HOMES.join(", ") } else { homes.join(", ") },
                item.version,
                item.declared_by
            ),
            )
        } else {
            CheckResult::pass("CANN set_env.sh", set_env.join(", "))
        };
    let files: Vec<(String, Vec<String>)> =
        homes.iter().flat_map(|h| version_files(fs, h)).collect();
    let version_name = format!("CANN version {}", item.version);
    let version_check = if files.is_empty() {
        CheckResult::fail(
            version_name,
            format!(
                "no CANN version file (latest/version.cfg or *install.info under {}); the stack says CANN {} ({})",
                CANN_HOMES.join(", "),
                item.version,
                item.declared_by
            ),
        )
    } else {
        let want = item.version.to_ascii_lowercase();
        let evidence: Vec<String> = files
            .iter()
            .map(|(p, v)| format!("{p}: {}", v.join(", ")))
            .collect();
        if files
            .iter()
            .any(|(_, v)| v.iter().any(|x| x.to_ascii_lowercase() == want))
        {
            CheckResult::pass(version_name, evidence.join("; "))
        } else {
            CheckResult::fail(
                version_name,
                format!(
                    "the image has CANN {} but the stack says {} ({})",
                    evidence.join("; "),
                    item.version,
                    item.declared_by
                ),
            )
        }
    };
    vec![env_check, version_check]
}

/// `user:uid:gid` from the ModelArts label, when the image targets ModelArts.
pub fn modelarts(
    fs: &RootFs,
    labels: &[(String, String)],
    stack: &[StackItem],
) -> Option<CheckResult> {
    let spec = labels
        .iter()
        .find(|(k, _)| k == MODELARTS_LABEL)
        .map(|(_, v)| v.as_str())
        .or_else(|| {
            stack
                .iter()
                .any(|s| s.component == "platform" && s.version.eq_ignore_ascii_case("modelarts"))
                .then_some(MODELARTS_USER)
        })?;
    let mut parts = spec.split(':');
    let (user, uid, gid) = (
        parts.next().unwrap_or("ma-user"),
        parts.next().unwrap_or("1000"),
        parts.next().unwrap_or("100"),
    );
    let name = format!("ModelArts user {user} {uid}:{gid}");
    let Some(passwd) = fs.read("/etc/passwd") else {
        return Some(CheckResult::fail(name, "the image has no /etc/passwd"));
    };
    let line = passwd.lines().find(|l| l.split(':').next() == Some(user));
    Some(match line {
        None => CheckResult::fail(name, format!("no user {user} in /etc/passwd")),
        Some(l) => {
            let f: Vec<&str> = l.split(':').collect();
            if f.get(2) == Some(&uid) && f.get(3) == Some(&gid) {
                CheckResult::pass(name, format!("/etc/passwd: {l}"))
            } else {
                CheckResult::fail(
                    name,
                    format!("/etc/passwd has `{l}`: ModelArts needs uid {uid} gid {gid}"),
                )
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::super::rootfs::tests::fs_of;
    use super::super::Status;
    use super::*;

    fn item(c: &str, v: &str) -> StackItem {
        StackItem {
            component: c.into(),
            version: v.into(),
            declared_by: "image `cann`".into(),
        }
    }

    #[test]
    fn cann_version_file_and_set_env() {
        let good = fs_of(&[
            (
                "usr/local/Ascend/ascend-toolkit/8.0.RC2/x86_64-linux/ascend_toolkit_install.info",
                "package_name=Ascend-cann-toolkit\nversion=8.0.RC2\n",
            ),
            ("usr/local/Ascend/ascend-toolkit/latest", "->8.0.RC2"),
            ("usr/local/Ascend/ascend-toolkit/set_env.sh", "export X=1\n"),
        ]);
        let r = cann(&good, &[item("cann", "8.0.RC2")]);
        assert_eq!(
            r.iter().map(|c| c.status).collect::<Vec<_>>(),
            [Status::Pass, Status::Pass],
            "{r:?}"
        );
        let r = cann(&good, &[item("cann", "8.1.RC1")]);
        assert_eq!(r[1].status, Status::Fail);
        assert!(
            r[1].detail.contains("8.0.RC2") && r[1].detail.contains("8.1.RC1"),
            "{}",
            r[1].detail
        );

        let no_env = fs_of(&[
            (
                "usr/local/Ascend/ascend-toolkit/8.0.RC2/version.cfg",
                "runtime_running_version=[7.3.0.1.231:8.0.RC2]\n",
            ),
            ("usr/local/Ascend/ascend-toolkit/latest", "->8.0.RC2"),
        ]);
        let r = cann(&no_env, &[item("cann", "8.0.RC2")]);
        assert_eq!(r[0].status, Status::Fail);
        assert!(r[0].detail.contains("no set_env.sh"), "{}", r[0].detail);
        assert_eq!(r[1].status, Status::Pass, "{}", r[1].detail);
        assert!(cann(&no_env, &[]).is_empty());
    }

    #[test]
    fn python_and_modelarts_user() {
        let fs = fs_of(&[
            ("usr/local/bin/python3.10", "elf"),
            ("usr/local/bin/python3", "->python3.10"),
            (
                "etc/passwd",
                "root:x:0:0::/root:/bin/sh\nma-user:x:1000:100::/home/ma-user:/bin/bash\n",
            ),
        ]);
        let e = vec![("PATH".to_string(), "/usr/local/bin:/usr/bin".to_string())];
        assert_eq!(
            python(&fs, &e, &[item("python", "3.10")]).map(|c| c.status),
            Some(Status::Pass)
        );
        let r = python(&fs, &e, &[item("python", "3.11")]).expect("applies");
        assert_eq!(r.status, Status::Fail);
        assert!(r.detail.contains("python3.10"), "{}", r.detail);
        assert!(python(&fs, &e, &[]).is_none());

        let labels = vec![(MODELARTS_LABEL.to_string(), MODELARTS_USER.to_string())];
        assert_eq!(
            modelarts(&fs, &labels, &[]).map(|c| c.status),
            Some(Status::Pass)
        );
        let wrong = fs_of(&[("etc/passwd", "ma-user:x:1001:1001::/home/ma-user:/bin/sh\n")]);
        let r = modelarts(&wrong, &labels, &[]).expect("applies");
        assert_eq!(r.status, Status::Fail);
        assert!(r.detail.contains("uid 1000 gid 100"), "{}", r.detail);
        assert!(modelarts(&wrong, &[], &[]).is_none());
    }
}
