//! An image's filesystem read from outside: the tar stream of `docker export` reduced to an
//! index of paths (with symlink targets) plus the contents of the few small files the static
//! checks read. Nothing in the image runs, so this works for arm64 images on an x86 host and for
//! images whose Python or shell is broken.

use std::collections::HashMap;
use std::io::Read;

/// Files larger than this are never kept in memory.
const MAX_KEPT: u64 = 1 << 20;
/// Symlink hops before a path counts as a loop (Linux uses 40).
const MAX_HOPS: usize = 40;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Node {
    Dir,
    File,
    Symlink(String),
    Other,
}

#[derive(Debug, Default)]
pub struct RootFs {
    nodes: HashMap<String, Node>,
    contents: HashMap<String, String>,
}

/// Whether a file's content is worth keeping: package metadata, users and groups, CANN version
/// files.
pub fn wanted(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path);
    let parent = path.rsplit_once('/').map(|(p, _)| p).unwrap_or("");
    (name == "METADATA" && parent.ends_with(".dist-info"))
        || (name == "PKG-INFO" && parent.ends_with(".egg-info"))
        || path == "/etc/passwd"
        || path == "/etc/group"
        || name == "version.cfg"
        || name == "version.info"
        || (name.starts_with("ascend_") && name.ends_with("_install.info"))
}

/// `./usr/bin/` → `/usr/bin`
fn normalize(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len() + 1);
    for part in raw.split('/') {
        if part.is_empty() || part == "." {
            continue;
        }
        out.push('/');
        out.push_str(part);
    }
    if out.is_empty() {
        out.push('/');
    }
    out
}

impl RootFs {
    /// Reads a tar stream (as `docker export` writes it).
    pub fn from_tar<R: Read>(reader: R) -> std::io::Result<RootFs> {
        let mut fs = RootFs::default();
        fs.nodes.insert("/".into(), Node::Dir);
        let mut archive = tar::Archive::new(reader);
        for entry in archive.entries()? {
            let mut entry = entry?;
            let path = normalize(&String::from_utf8_lossy(&entry.path_bytes()));
            let kind = entry.header().entry_type();
            let node = if kind.is_dir() {
                Node::Dir
            } else if kind.is_symlink() {
                let target = entry
                    .link_name_bytes()
                    .map(|b| String::from_utf8_lossy(&b).into_owned())
                    .unwrap_or_default();
                Node::Symlink(target)
            } else if kind.is_file() || kind.is_hard_link() || kind.is_contiguous() {
                Node::File
            } else {
                Node::Other
            };
            if kind.is_file() && entry.size() <= MAX_KEPT && wanted(&path) {
                let mut text = String::new();
                if entry.read_to_string(&mut text).is_ok() {
                    fs.contents.insert(path.clone(), text);
                }
            } else if kind.is_hard_link() && wanted(&path) {
                if let Ok(Some(target)) = entry.link_name() {
                    let target = normalize(&target.to_string_lossy());
                    if let Some(text) = fs.contents.get(&target).cloned() {
                        fs.contents.insert(path.clone(), text);
                    }
                }
            }
            // Parent directories are implied even when the archive omits them.
            let mut dir = path.as_str();
            while let Some((parent, _)) = dir.rsplit_once('/') {
                let parent = if parent.is_empty() { "/" } else { parent };
                if fs.nodes.contains_key(parent) {
                    break;
                }
                fs.nodes.insert(parent.to_string(), Node::Dir);
                dir = parent;
            }
            fs.nodes.insert(path, node);
        }
        Ok(fs)
    }

    /// Every path (unresolved), for scanning.
    pub fn paths(&self) -> impl Iterator<Item = (&str, &Node)> {
        self.nodes.iter().map(|(k, v)| (k.as_str(), v))
    }

    pub fn len(&self) -> usize {
        self.nodes.len()
    }

    pub fn is_empty(&self) -> bool {
        self.nodes.len() <= 1
    }

    /// The path with every symlink followed, or None when it does not exist (or loops).
    pub fn resolve(&self, path: &str) -> Option<String> {
        let mut hops = 0;
        self.resolve_in("/", path, &mut hops)
    }

    fn resolve_in(&self, base: &str, path: &str, hops: &mut usize) -> Option<String> {
        let mut cur = if path.starts_with('/') {
            String::from("/")
        } else {
            base.to_string()
        };
        for part in path.split('/') {
            match part {
                "" | "." => continue,
                ".." => {
                    cur = match cur.rsplit_once('/') {
                        Some(("", _)) | None => "/".into(),
                        Some((p, _)) => p.to_string(),
                    };
                    continue;
                }
                _ => {}
            }
            let next = if cur == "/" {
                format!("/{part}")
            } else {
                format!("{cur}/{part}")
            };
            match self.nodes.get(&next)? {
                Node::Symlink(target) => {
                    *hops += 1;
                    if *hops > MAX_HOPS {
                        return None;
                    }
                    cur = self.resolve_in(&cur, target, hops)?;
                }
                _ => cur = next,
            }
        }
        Some(cur)
    }

    /// What a path is after following symlinks.
    pub fn kind(&self, path: &str) -> Option<&Node> {
        self.nodes.get(&self.resolve(path)?)
    }

    pub fn is_dir(&self, path: &str) -> bool {
        self.kind(path) == Some(&Node::Dir)
    }

    pub fn is_file(&self, path: &str) -> bool {
        self.kind(path) == Some(&Node::File)
    }

    pub fn exists(&self, path: &str) -> bool {
        self.kind(path).is_some()
    }

    /// The kept content of a file (see [`wanted`]), symlinks followed.
    pub fn read(&self, path: &str) -> Option<&str> {
        let real = self.resolve(path)?;
        self.contents
            .get(&real)
            .or_else(|| self.contents.get(path))
            .map(String::as_str)
    }

    /// Direct children of a directory (symlinks followed for the directory itself).
    pub fn children(&self, dir: &str) -> Vec<String> {
        let Some(real) = self.resolve(dir) else {
            return Vec::new();
        };
        let prefix = if real == "/" {
            "/".to_string()
        } else {
            format!("{real}/")
        };
        let mut out: Vec<String> = self
            .nodes
            .keys()
            .filter_map(|k| k.strip_prefix(&prefix))
            .filter(|rest| !rest.is_empty() && !rest.contains('/'))
            .map(str::to_string)
            .collect();
        out.sort();
        out
    }
}

#[cfg(test)]
pub mod tests {
    use super::*;

    /// A tar archive from (path, content or `->target` for a symlink, trailing `/` for a dir).
    pub fn tar_of(entries: &[(&str, &str)]) -> Vec<u8> {
        let mut b = tar::Builder::new(Vec::new());
        for (path, content) in entries {
            let mut h = tar::Header::new_gnu();
            h.set_mode(0o755);
            if let Some(target) = content.strip_prefix("->") {
                h.set_entry_type(tar::EntryType::Symlink);
                h.set_size(0);
                b.append_link(&mut h, path, target).expect("link");
            } else if path.ends_with('/') {
                h.set_entry_type(tar::EntryType::Directory);
                h.set_size(0);
                b.append_data(&mut h, path, std::io::empty()).expect("dir");
            } else {
                h.set_entry_type(tar::EntryType::Regular);
                h.set_size(content.len() as u64);
                b.append_data(&mut h, path, content.as_bytes())
                    .expect("file");
            }
        }
        b.into_inner().expect("tar")
    }

    pub fn fs_of(entries: &[(&str, &str)]) -> RootFs {
        RootFs::from_tar(&tar_of(entries)[..]).expect("reads")
    }

    #[test]
    fn resolves_relative_and_absolute_symlinks() {
        let fs = fs_of(&[
            ("usr/local/Ascend/ascend-toolkit/8.0.RC2/lib64/", ""),
            ("usr/local/Ascend/ascend-toolkit/latest", "->8.0.RC2"),
            (
                "usr/local/Ascend/ascend-toolkit/8.0.RC2/version.cfg",
                "Version=8.0.RC2\n",
            ),
            ("opt/cann", "->/usr/local/Ascend/ascend-toolkit/latest"),
            ("loop/a", "->b"),
            ("loop/b", "->a"),
        ]);
        assert!(fs.is_dir("/usr/local/Ascend/ascend-toolkit/latest/lib64"));
        assert!(fs.is_dir("/opt/cann/lib64"));
        assert!(fs.is_dir("/opt/cann/../latest/lib64"));
        assert_eq!(fs.read("/opt/cann/version.cfg"), Some("Version=8.0.RC2\n"));
        assert!(!fs.exists("/loop/a"));
        assert!(!fs.exists("/usr/local/Ascend/nnae"));
        assert!(fs.is_dir("/usr/local"), "implied parent directories exist");
        assert_eq!(
            fs.children("/usr/local/Ascend/ascend-toolkit"),
            ["8.0.RC2", "latest"]
        );
    }

    #[test]
    fn keeps_only_wanted_contents() {
        let fs = fs_of(&[
            ("etc/passwd", "root:x:0:0::/root:/bin/sh\n"),
            ("etc/hostname", "box\n"),
            (
                "usr/lib/python3/site-packages/numpy-1.26.4.dist-info/METADATA",
                "Name: numpy\n",
            ),
        ]);
        assert!(fs.read("/etc/passwd").is_some());
        assert!(fs.read("/etc/hostname").is_none());
        assert!(fs.is_file("/etc/hostname"));
        assert!(fs
            .read("/usr/lib/python3/site-packages/numpy-1.26.4.dist-info/METADATA")
            .is_some());
    }
}
