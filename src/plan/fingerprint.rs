//! fingerprint: everything an image's build depends on, one canonical hash over it, what changed
//! between two sets of inputs, and the per-fingerprint manifests `adf plan --explain` reads back.

use crate::safe_fs::write_atomic;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::{fmt, fs, io};

/// The image label that carries the fingerprint. It is never part of the fingerprinted labels
/// (a label cannot contain its own hash); [`Inputs::fingerprint`] and [`diff`] skip it.
pub const FINGERPRINT_LABEL: &str = "adf.fingerprint";

/// Version tag of the canonical encoding; changing the encoding must change this.
const ENCODING: &[u8] = b"adf-fingerprint-v1";

/// The inputs of one image build.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Default)]
pub struct Inputs {
    /// Hash of the Dockerfile bytes.
    pub dockerfile: String,
    /// Context files the build can see: relative `/`-separated path to hash.
    pub context: BTreeMap<String, String>,
    /// Resolved build args.
    pub args: BTreeMap<String, String>,
    /// `--target` stage.
    pub target: Option<String>,
    /// `--platform`.
    pub platform: Option<String>,
    /// Installer path to hash.
    pub installers: BTreeMap<String, String>,
    /// Parent image name to its fingerprint.
    pub parents: BTreeMap<String, String>,
    /// Labels set on the image (`adf.fingerprint` excluded).
    pub labels: BTreeMap<String, String>,
}

impl Inputs {
    /// blake3 over a length-prefixed encoding of every field in a fixed order (maps in key
    /// order), as 64 lowercase hex characters. Depends on nothing but the values, so it is the
    /// same on every run and machine.
    pub fn fingerprint(&self) -> String {
        let mut e = Encoder(Vec::with_capacity(1024));
        e.bytes(ENCODING);
        e.field("dockerfile").bytes(self.dockerfile.as_bytes());
        e.field("context").map(self.context.iter());
        e.field("args").map(self.args.iter());
        e.field("target").opt(self.target.as_deref());
        e.field("platform").opt(self.platform.as_deref());
        e.field("installers").map(self.installers.iter());
        e.field("parents").map(self.parents.iter());
        e.field("labels").map(labels(&self.labels));
        // one hash over the whole encoding: the same digest as feeding it piece by piece
        blake3::hash(&e.0).to_hex().to_string()
    }
}

fn labels(m: &BTreeMap<String, String>) -> impl Iterator<Item = (&String, &String)> {
    m.iter().filter(|(k, _)| k.as_str() != FINGERPRINT_LABEL)
}

/// The canonical encoding, gathered before it is hashed.
struct Encoder(Vec<u8>);

impl Encoder {
    fn bytes(&mut self, b: &[u8]) -> &mut Self {
        self.0.extend_from_slice(&(b.len() as u64).to_le_bytes());
        self.0.extend_from_slice(b);
        self
    }

    fn field(&mut self, name: &str) -> &mut Self {
        self.bytes(name.as_bytes())
    }

    fn opt(&mut self, v: Option<&str>) {
        match v {
            None => {
                self.0.push(0);
            }
            Some(s) => {
                self.0.push(1);
                self.bytes(s.as_bytes());
            }
        }
    }

    fn map<'a>(&mut self, entries: impl Iterator<Item = (&'a String, &'a String)>) {
        let entries: Vec<_> = entries.collect();
        self.0
            .extend_from_slice(&(entries.len() as u64).to_le_bytes());
        for (k, v) in entries {
            self.bytes(k.as_bytes()).bytes(v.as_bytes());
        }
    }
}

/// One input that differs between two builds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Change {
    /// The Dockerfile bytes.
    Dockerfile,
    /// A context file (relative path) appeared.
    ContextAdded(String),
    /// A context file disappeared (or is now ignored).
    ContextRemoved(String),
    /// A context file's contents, executable bit or link target changed.
    ContextModified(String),
    /// A build arg; `None` is unset.
    Arg {
        name: String,
        old: Option<String>,
        new: Option<String>,
    },
    /// A parent's fingerprint changed, or the parent was added or removed.
    Parent { name: String },
    /// The build target stage.
    Target,
    /// The platform.
    Platform,
    /// An installer (path) was added, removed or changed.
    Installer(String),
    /// A label (key) was added, removed or changed.
    Label(String),
}

impl fmt::Display for Change {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let value = |v: &Option<String>| match v.as_deref() {
            None => "(unset)".to_string(),
            Some("") => "\"\"".to_string(),
            Some(s) => s.to_string(),
        };
        match self {
            Change::Dockerfile => write!(f, "Dockerfile changed"),
            Change::ContextAdded(p) => write!(f, "context file `{p}` added"),
            Change::ContextRemoved(p) => write!(f, "context file `{p}` removed"),
            Change::ContextModified(p) => write!(f, "context file `{p}` changed"),
            Change::Arg { name, old, new } => {
                write!(f, "arg `{name}` {} -> {}", value(old), value(new))
            }
            Change::Parent { name } => write!(f, "parent `{name}` changed"),
            Change::Target => write!(f, "build target changed"),
            Change::Platform => write!(f, "platform changed"),
            Change::Installer(p) => write!(f, "installer `{p}` changed"),
            Change::Label(k) => write!(f, "label `{k}` changed"),
        }
    }
}

/// Every difference from `old` to `new`: Dockerfile, parents, args, target, platform,
/// installers, labels, then context files in path order. Nothing is truncated.
pub fn diff(old: &Inputs, new: &Inputs) -> Vec<Change> {
    let mut out = Vec::new();
    if old.dockerfile != new.dockerfile {
        out.push(Change::Dockerfile);
    }
    for name in changed_keys(&old.parents, &new.parents) {
        out.push(Change::Parent { name });
    }
    for name in changed_keys(&old.args, &new.args) {
        let (o, n) = (old.args.get(&name).cloned(), new.args.get(&name).cloned());
        out.push(Change::Arg {
            name,
            old: o,
            new: n,
        });
    }
    if old.target != new.target {
        out.push(Change::Target);
    }
    if old.platform != new.platform {
        out.push(Change::Platform);
    }
    out.extend(changed_keys(&old.installers, &new.installers).map(Change::Installer));
    out.extend(
        changed_keys(&old.labels, &new.labels)
            .filter(|k| k != FINGERPRINT_LABEL)
            .map(Change::Label),
    );
    for path in changed_keys(&old.context, &new.context) {
        out.push(
            match (
                old.context.contains_key(&path),
                new.context.contains_key(&path),
            ) {
                (false, _) => Change::ContextAdded(path),
                (_, false) => Change::ContextRemoved(path),
                _ => Change::ContextModified(path),
            },
        );
    }
    out
}

/// Keys whose values differ (or that exist on one side only), in key order.
fn changed_keys<'a>(
    a: &'a BTreeMap<String, String>,
    b: &'a BTreeMap<String, String>,
) -> impl Iterator<Item = String> + 'a {
    let keys: BTreeSet<&String> = a.keys().chain(b.keys()).collect();
    keys.into_iter().filter(|k| a.get(*k) != b.get(*k)).cloned()
}

#[derive(Serialize)]
struct ManifestOut<'a> {
    format: u32,
    image: &'a str,
    fingerprint: &'a str,
    inputs: &'a Inputs,
}

#[derive(Deserialize)]
struct ManifestIn {
    inputs: Inputs,
}

/// `<state_dir>/manifests/<fingerprint>.json`, only for a well-formed fingerprint (the value
/// may come from an image label: it must not be able to point anywhere else).
fn manifest_path(state_dir: &Path, fingerprint: &str) -> Option<PathBuf> {
    let well_formed = fingerprint.len() == 64
        && fingerprint
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
    well_formed.then(|| {
        state_dir
            .join("manifests")
            .join(format!("{fingerprint}.json"))
    })
}

/// The inputs of `fingerprint` were recorded here: an image with it was built (or found
/// fresh) in this checkout before.
pub fn has_manifest(state_dir: &Path, fingerprint: &str) -> bool {
    manifest_path(state_dir, fingerprint).is_some_and(|p| p.symlink_metadata().is_ok())
}

/// Records `inputs` under their fingerprint (atomic write) so a later `--explain` can diff
/// against them.
pub fn save_manifest(state_dir: &Path, image: &str, inputs: &Inputs) -> io::Result<()> {
    let fingerprint = inputs.fingerprint();
    let path = manifest_path(state_dir, &fingerprint)
        .ok_or_else(|| io::Error::other("malformed fingerprint"))?;
    let manifest = ManifestOut {
        format: 1,
        image,
        fingerprint: &fingerprint,
        inputs,
    };
    let json = serde_json::to_vec(&manifest).map_err(io::Error::other)?;
    write_atomic(&path, &json)
}

/// The inputs recorded for `fingerprint`; `None` when malformed, missing, unreadable, or not
/// matching the fingerprint (corrupt, or written by another encoding version).
pub fn load_manifest(state_dir: &Path, fingerprint: &str) -> Option<Inputs> {
    let bytes = fs::read(manifest_path(state_dir, fingerprint)?).ok()?;
    let manifest: ManifestIn = serde_json::from_slice(&bytes).ok()?;
    (manifest.inputs.fingerprint() == fingerprint).then_some(manifest.inputs)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn map(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    fn sample() -> Inputs {
        Inputs {
            dockerfile: "d1".into(),
            context: map(&[("app/main.py", "c1"), ("Dockerfile", "c2")]),
            args: map(&[("TORCH_VERSION", "2.5.1"), ("BASE", "cann:8.0")]),
            target: Some("runtime".into()),
            platform: Some("linux/arm64".into()),
            installers: map(&[("pkgs/cann.run", "i1")]),
            parents: map(&[("cann-910b", "p1")]),
            labels: map(&[("org.opencontainers.image.title", "torch")]),
        }
    }

    #[test]
    fn fingerprint_is_stable() {
        let fp = sample().fingerprint();
        assert_eq!(fp, sample().clone().fingerprint());
        assert_eq!(fp.len(), 64);
        assert!(fp
            .bytes()
            .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase()));
        // Pinned: a change here means every existing image looks stale. Bump ENCODING then.
        assert_eq!(
            fp,
            "d7a0fac1457ab3ffeefc6a676eaa1778f34200a9c06a74146572f030ad7163ed"
        );
        assert_eq!(Inputs::default().fingerprint().len(), 64);
    }

    #[test]
    fn every_field_changes_the_fingerprint() {
        let edits: Vec<fn(&mut Inputs)> = vec![
            |i| i.dockerfile.push('x'),
            |i| drop(i.context.insert("app/new.py".into(), "c3".into())),
            |i| drop(i.context.insert("app/main.py".into(), "c9".into())),
            |i| drop(i.args.insert("TORCH_VERSION".into(), "2.7.1".into())),
            |i| i.target = None,
            |i| i.target = Some(String::new()),
            |i| i.platform = Some("linux/amd64".into()),
            |i| drop(i.installers.insert("pkgs/cann.run".into(), "i2".into())),
            |i| drop(i.parents.insert("cann-910b".into(), "p2".into())),
            |i| drop(i.labels.insert("extra".into(), String::new())),
            // Same strings, different boundaries or fields: the encoding must tell them apart.
            |i| i.args = map(&[("TORCH_VERSION2.5.1", ""), ("BASE", "cann:8.0")]),
            |i| std::mem::swap(&mut i.installers, &mut i.parents),
        ];
        let mut seen = BTreeSet::from([sample().fingerprint()]);
        for (n, edit) in edits.iter().enumerate() {
            let mut i = sample();
            edit(&mut i);
            assert!(seen.insert(i.fingerprint()), "edit {n} did not change it");
        }
        let mut i = sample();
        i.labels.insert(FINGERPRINT_LABEL.into(), "whatever".into());
        assert_eq!(i.fingerprint(), sample().fingerprint());
        assert!(diff(&sample(), &i).is_empty());
    }

    #[test]
    fn diff_lists_every_change_readably() {
        let old = sample();
        let mut new = sample();
        new.dockerfile = "d2".into();
        new.parents.insert("cann-910b".into(), "p2".into());
        new.args.insert("TORCH_VERSION".into(), "2.7.1".into());
        new.args.remove("BASE");
        new.args.insert("EMPTY".into(), String::new());
        new.target = None;
        new.platform = None;
        new.installers.clear();
        new.labels.clear();
        new.context.insert("app/main.py".into(), "changed".into());
        new.context.remove("Dockerfile");
        new.context.insert("app/z.py".into(), "c".into());
        let text: Vec<String> = diff(&old, &new).iter().map(ToString::to_string).collect();
        assert_eq!(
            text,
            [
                "Dockerfile changed",
                "parent `cann-910b` changed",
                "arg `BASE` cann:8.0 -> (unset)",
                "arg `EMPTY` (unset) -> \"\"",
                "arg `TORCH_VERSION` 2.5.1 -> 2.7.1",
                "build target changed",
                "platform changed",
                "installer `pkgs/cann.run` changed",
                "label `org.opencontainers.image.title` changed",
                "context file `Dockerfile` removed",
                "context file `app/main.py` changed",
                "context file `app/z.py` added",
            ]
        );
        assert!(diff(&old, &old).is_empty());
    }

    #[test]
    fn manifests_round_trip_and_reject_bad_input() {
        let state = tempfile::tempdir().expect("tempdir");
        let s = state.path();
        let inputs = sample();
        let fp = inputs.fingerprint();
        assert_eq!(load_manifest(s, &fp), None);
        save_manifest(s, "torch", &inputs).expect("save");
        assert_eq!(load_manifest(s, &fp), Some(inputs.clone()));
        assert_eq!(load_manifest(s, &fp.to_uppercase()), None);
        assert_eq!(load_manifest(s, "../../etc/passwd"), None);
        let path = s.join("manifests").join(format!("{fp}.json"));
        let text = fs::read_to_string(&path).expect("read");
        fs::write(&path, text.replace("2.5.1", "2.5.2")).expect("write");
        assert_eq!(load_manifest(s, &fp), None, "tampered");
        fs::write(&path, "{not json").expect("write");
        assert_eq!(load_manifest(s, &fp), None, "corrupt");
    }
}
