//! npu: which Ascend NPUs and driver files a host has, and which of them a container gets. The
//! one list of device and driver paths, shared by the NPU tier of `adf verify` and by `adf run`.
//! Pure host logic: reads a directory tree (`/`, or another root standing for a host), never
//! starts a process. Paths handed out are always the host's own (`/dev/davinci0`), whatever root
//! they were found under.

use std::fmt;
use std::path::{Path, PathBuf};

/// Host paths the Ascend driver needs inside the container, mounted read-only at the same place
/// when present (sources S8 and S17 of knowledge/compat.toml; `hccn_tool` from vllm-ascend
/// v0.13.0 on).
pub const DRIVER_MOUNTS: &[&str] = &[
    "/usr/local/dcmi",
    "/usr/local/bin/npu-smi",
    "/usr/local/Ascend/driver/lib64",
    "/usr/local/Ascend/driver/version.info",
    "/usr/local/Ascend/driver/tools/hccn_tool",
    "/etc/ascend_install.info",
];

/// The devices every NPU needs beside its own `/dev/davinciN`.
pub const CONTROL_DEVICES: &[&str] = &["/dev/davinci_manager", "/dev/devmm_svm", "/dev/hisi_hdc"];

/// `/dev/davinciN`: the device of NPU `n`.
pub fn device(n: u32) -> String {
    format!("/dev/davinci{n}")
}

/// A host's filesystem seen from a root directory: `/` for this host, or a copy of another
/// host's `/dev` and driver files.
#[derive(Clone, Debug)]
pub struct HostRoot {
    root: PathBuf,
    /// Where the host's `/dev` is.
    dev: PathBuf,
}

impl HostRoot {
    /// This host; `ADF_NPU_DEV_DIR` replaces `/dev` (for tests).
    pub fn local() -> Self {
        let dev = std::env::var_os("ADF_NPU_DEV_DIR")
            .map(PathBuf::from)
            .unwrap_or_else(|| PathBuf::from("/dev"));
        HostRoot {
            root: PathBuf::from("/"),
            dev,
        }
    }

    /// The host whose `/` is `dir`.
    pub fn at(dir: &Path) -> Self {
        HostRoot {
            root: dir.to_path_buf(),
            dev: dir.join("dev"),
        }
    }

    /// Where the root is, for messages.
    pub fn describe(&self) -> String {
        if self.root == Path::new("/") {
            "this host".to_string()
        } else {
            self.root.display().to_string()
        }
    }

    /// Where the host path `path` (absolute) is under this root.
    fn locate(&self, path: &str) -> PathBuf {
        match path.strip_prefix("/dev/") {
            Some(rest) => self.dev.join(rest),
            None => self.root.join(path.trim_start_matches('/')),
        }
    }

    fn has(&self, path: &str) -> bool {
        self.locate(path).exists()
    }

    /// The numbers of the NPUs present (`/dev/davinciN`), ascending.
    pub fn npus(&self) -> Vec<u32> {
        let mut out: Vec<u32> = std::fs::read_dir(&self.dev)
            .map(|rd| {
                rd.filter_map(|e| e.ok())
                    .filter_map(|e| {
                        let name = e.file_name().to_string_lossy().into_owned();
                        let digits = name.strip_prefix("davinci")?;
                        let all_digits =
                            !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit());
                        all_digits.then(|| digits.parse().ok()).flatten()
                    })
                    .collect()
            })
            .unwrap_or_default();
        out.sort_unstable();
        out.dedup();
        out
    }

    /// The control devices present, as host paths.
    pub fn control_devices(&self) -> Vec<String> {
        present(self, CONTROL_DEVICES)
    }

    /// The driver files and directories present, as host paths.
    pub fn driver_mounts(&self) -> Vec<String> {
        present(self, DRIVER_MOUNTS)
    }
}

fn present(host: &HostRoot, paths: &[&str]) -> Vec<String> {
    paths
        .iter()
        .filter(|p| host.has(p))
        .map(|p| p.to_string())
        .collect()
}

/// Which NPUs a container should get.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum NpuChoice {
    /// Every NPU present (`all`); none present is an error.
    All,
    /// No NPU and nothing of the driver (`none`).
    None,
    /// These NPUs (`0,1`); each must be present.
    List(Vec<u32>),
}

impl std::str::FromStr for NpuChoice {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        match s.trim() {
            "all" => return Ok(NpuChoice::All),
            "none" => return Ok(NpuChoice::None),
            _ => {}
        }
        let mut list: Vec<u32> = Vec::new();
        for part in s.split(',').map(str::trim) {
            let n = part.parse::<u32>().map_err(|_| {
                format!("`{part}` is not an NPU number: give `all`, `none` or numbers like 0,1")
            })?;
            if !list.contains(&n) {
                list.push(n);
            }
        }
        Ok(NpuChoice::List(list))
    }
}

/// What a container gets of a host's NPUs: the NPUs, every device to pass in and the driver
/// paths to mount read-only, all as host paths.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Access {
    pub npus: Vec<u32>,
    pub devices: Vec<String>,
    pub mounts: Vec<String>,
    /// What is missing for the NPUs to work, said on stderr (never fatal).
    pub warnings: Vec<String>,
}

/// Why the NPUs asked for cannot be given.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum NpuError {
    /// Asked-for NPUs that are not there, and the host's NPUs.
    Missing {
        missing: Vec<u32>,
        present: Vec<u32>,
        host: String,
    },
}

impl fmt::Display for NpuError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            NpuError::Missing {
                missing,
                present,
                host,
            } => {
                let has = if present.is_empty() {
                    "has no NPU (no /dev/davinci*)".to_string()
                } else {
                    format!("has {}", npu_list(present))
                };
                if missing.is_empty() {
                    write!(f, "--npus all: {host} {has}")
                } else {
                    write!(f, "{} not found: {host} {has}", npu_list(missing))
                }
            }
        }
    }
}

/// `NPU 3` or `NPUs 0, 1`.
pub fn npu_list(npus: &[u32]) -> String {
    let numbers: Vec<String> = npus.iter().map(u32::to_string).collect();
    let word = if npus.len() == 1 { "NPU" } else { "NPUs" };
    format!("{word} {}", numbers.join(", "))
}

/// What a container gets for `choice` (`None`: not said, every NPU present, or none with a
/// warning when the host has none).
pub fn access(host: &HostRoot, choice: Option<&NpuChoice>) -> Result<Access, NpuError> {
    let present = host.npus();
    let missing_error = |missing: Vec<u32>| NpuError::Missing {
        missing,
        present: present.clone(),
        host: host.describe(),
    };
    let npus = match choice {
        Some(NpuChoice::None) => return Ok(Access::default()),
        None if present.is_empty() => {
            return Ok(Access {
                warnings: vec![format!(
                    "{} has no NPU (no /dev/davinci*): running without Ascend devices",
                    host.describe()
                )],
                ..Access::default()
            })
        }
        Some(NpuChoice::All) if present.is_empty() => return Err(missing_error(Vec::new())),
        None | Some(NpuChoice::All) => present.clone(),
        Some(NpuChoice::List(list)) => {
            let missing: Vec<u32> = list
                .iter()
                .copied()
                .filter(|n| !present.contains(n))
                .collect();
            if !missing.is_empty() {
                return Err(missing_error(missing));
            }
            list.clone()
        }
    };
    let controls = host.control_devices();
    let mut warnings: Vec<String> = CONTROL_DEVICES
        .iter()
        .filter(|d| !controls.iter().any(|c| c == *d))
        .map(|d| {
            format!(
                "{} has no {d}: the NPUs may not work in the container",
                host.describe()
            )
        })
        .collect();
    let mounts = host.driver_mounts();
    if mounts.is_empty() {
        warnings.push(format!(
            "{} has none of the Ascend driver paths ({}): the image must bring its own driver libraries",
            host.describe(),
            DRIVER_MOUNTS.join(", ")
        ));
    }
    let devices = npus.iter().map(|&n| device(n)).chain(controls).collect();
    Ok(Access {
        npus,
        devices,
        mounts,
        warnings,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fake(npus: &[u32], controls: bool, driver: bool) -> tempfile::TempDir {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::create_dir_all(dir.path().join("dev")).expect("dev");
        for n in npus {
            std::fs::write(dir.path().join(format!("dev/davinci{n}")), "").expect("npu");
        }
        if controls {
            for d in CONTROL_DEVICES {
                std::fs::write(dir.path().join(d.trim_start_matches('/')), "").expect("ctl");
            }
        }
        if driver {
            let lib = dir.path().join("usr/local/Ascend/driver/lib64");
            std::fs::create_dir_all(lib).expect("lib64");
            std::fs::write(dir.path().join("usr/local/Ascend/driver/version.info"), "")
                .expect("version");
        }
        dir
    }

    #[test]
    fn npus_are_numbers_in_order() {
        let dir = fake(&[10, 2, 0], true, false);
        std::fs::write(dir.path().join("dev/davinciX"), "").expect("noise");
        assert_eq!(HostRoot::at(dir.path()).npus(), vec![0, 2, 10]);
    }

    #[test]
    fn paths_are_the_hosts_own() {
        let dir = fake(&[0, 1], true, true);
        let a = access(&HostRoot::at(dir.path()), Some(&NpuChoice::List(vec![1]))).expect("ok");
        assert_eq!(
            a.devices,
            [
                "/dev/davinci1",
                "/dev/davinci_manager",
                "/dev/devmm_svm",
                "/dev/hisi_hdc"
            ]
        );
        assert_eq!(
            a.mounts,
            [
                "/usr/local/Ascend/driver/lib64",
                "/usr/local/Ascend/driver/version.info"
            ]
        );
        assert!(a.warnings.is_empty(), "{:?}", a.warnings);
    }

    #[test]
    fn choices() {
        let dir = fake(&[0, 1], true, true);
        let host = HostRoot::at(dir.path());
        assert_eq!(access(&host, None).expect("all").npus, vec![0, 1]);
        assert_eq!(access(&host, Some(&NpuChoice::None)), Ok(Access::default()));
        let e = access(&host, Some(&NpuChoice::List(vec![1, 5]))).expect_err("5");
        assert!(e.to_string().starts_with("NPU 5 not found: "), "{e}");
        assert!(e.to_string().ends_with("has NPUs 0, 1"), "{e}");

        let empty = fake(&[], false, false);
        let host = HostRoot::at(empty.path());
        let a = access(&host, None).expect("runs without");
        assert!(a.devices.is_empty() && a.mounts.is_empty());
        assert!(a.warnings[0].contains("has no NPU"), "{:?}", a.warnings);
        let e = access(&host, Some(&NpuChoice::All)).expect_err("none there");
        assert!(e.to_string().starts_with("--npus all: "), "{e}");
    }

    #[test]
    fn missing_control_devices_and_driver_are_warned() {
        let dir = fake(&[0], false, false);
        let a = access(&HostRoot::at(dir.path()), None).expect("ok");
        assert_eq!(a.devices, ["/dev/davinci0"]);
        assert_eq!(a.warnings.len(), 4, "{:?}", a.warnings);
    }

    #[test]
    fn parses_choices() {
        assert_eq!("all".parse(), Ok(NpuChoice::All));
        assert_eq!("none".parse(), Ok(NpuChoice::None));
        assert_eq!("0, 1,1".parse(), Ok(NpuChoice::List(vec![0, 1])));
        assert!("0,x".parse::<NpuChoice>().is_err());
        assert!("".parse::<NpuChoice>().is_err());
    }
}
