//! The image config's search paths: every PATH / LD_LIBRARY_PATH / PYTHONPATH entry exists in
//! the image and belongs to the image's architecture.

use super::rootfs::RootFs;
use super::CheckResult;

/// Docker's default PATH: the builder sets it on every image, whether the directories exist or
/// not (busybox or distroless images lack some), so their absence is not the image's doing.
const DEFAULT_PATH: &[&str] = &[
    "/usr/local/sbin",
    "/usr/local/bin",
    "/usr/sbin",
    "/usr/bin",
    "/sbin",
    "/bin",
];

pub fn env_value<'a>(env: &'a [(String, String)], name: &str) -> Option<&'a str> {
    env.iter()
        .rev()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

/// The architecture names a path may carry, by Docker architecture.
fn arch_names(arch: &str) -> &'static [&'static str] {
    match arch {
        "amd64" => &["x86_64", "amd64"],
        "arm64" => &["aarch64", "arm64"],
        _ => &[],
    }
}

/// Every entry of PATH, LD_LIBRARY_PATH and PYTHONPATH in the image config exists, and none
/// names the other architecture.
pub fn env_paths(fs: &RootFs, env: &[(String, String)], arch: &str) -> Vec<CheckResult> {
    let mine = arch_names(arch);
    let others: Vec<&str> = ["amd64", "arm64"]
        .iter()
        .filter(|a| **a != arch)
        .flat_map(|a| arch_names(a).iter().copied())
        .collect();
    let mut out = Vec::new();
    for var in ["PATH", "LD_LIBRARY_PATH", "PYTHONPATH"] {
        let Some(value) = env_value(env, var) else {
            continue;
        };
        let mut problems = Vec::new();
        let mut count = 0;
        let mut standard_absent = 0;
        for entry in value.split(':').filter(|e| !e.is_empty()) {
            count += 1;
            let segments: Vec<&str> = entry.split(['/', '-', '.']).collect();
            let foreign = others
                .iter()
                .find(|o| segments.contains(o) && !mine.iter().any(|m| segments.contains(m)));
            if let Some(o) = foreign {
                problems.push(format!("{entry} is for {o}, but the image is linux/{arch}"));
            } else if entry.contains('$') {
                problems.push(format!("{entry} holds an unexpanded variable"));
            } else if !entry.starts_with('/') {
                problems.push(format!(
                    "{entry} is relative: it depends on the working directory"
                ));
            } else if !fs.is_dir(entry)
                && var == "PATH"
                && DEFAULT_PATH.contains(&entry.trim_end_matches('/'))
            {
                standard_absent += 1;
            } else if !fs.is_dir(entry) {
                problems.push(if fs.exists(entry) {
                    format!("{entry} is not a directory")
                } else {
                    format!("{entry} does not exist in the image")
                });
            }
        }
        let name = format!("{var} entries exist");
        out.push(if problems.is_empty() {
            CheckResult::pass(
                name,
                if standard_absent == 0 {
                    format!("{count} {}, all present", if count == 1 { "entry" } else { "entries" })
                } else {
                    format!(
                        "{} of {count} entries present; {standard_absent} of Docker's default PATH absent (not required)",
                        count - standard_absent
                    )
                },
            )
        } else {
            CheckResult::fail(name, problems.join("; "))
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::super::rootfs::tests::fs_of;
    use super::super::Status;
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn env_paths_exist_and_match_the_architecture() {
        let fs = fs_of(&[
            ("usr/bin/", ""),
            ("usr/local/Ascend/toolkit/aarch64-linux/lib64/", ""),
            ("usr/local/Ascend/toolkit/x86_64-linux/lib64/", ""),
        ]);
        let e = env(&[
            ("PATH", "/usr/bin:/opt/missing/bin"),
            ("LD_LIBRARY_PATH", "/usr/local/Ascend/toolkit/aarch64-linux/lib64:/usr/local/Ascend/toolkit/x86_64-linux/lib64:"),
        ]);
        let r = env_paths(&fs, &e, "amd64");
        assert_eq!(r.len(), 2);
        assert_eq!(r[0].status, Status::Fail);
        assert!(
            r[0].detail.contains("/opt/missing/bin does not exist"),
            "{}",
            r[0].detail
        );
        assert_eq!(r[1].status, Status::Fail);
        assert!(
            r[1].detail
                .contains("aarch64-linux/lib64 is for aarch64, but the image is linux/amd64"),
            "{}",
            r[1].detail
        );
        assert!(!r[1].detail.contains("x86_64-linux"), "{}", r[1].detail);
        let r = env_paths(&fs, &e, "arm64");
        assert!(
            r[1].detail
                .contains("x86_64-linux/lib64 is for x86_64, but the image is linux/arm64"),
            "{}",
            r[1].detail
        );
        let r = env_paths(&fs, &env(&[("PATH", "/usr/bin")]), "amd64");
        assert_eq!(r[0].status, Status::Pass);
    }
}
