//! context: the files a `docker build` can see (after `.dockerignore`), hashed, with a
//! persistent cache so an unchanged multi-GB installer costs a `stat`, not a read.
//!
//! A file's hash is blake3 over a small header (kind, executable bit) and its contents; a
//! symlink's is over its target text (links are sent as links, never followed). Directories
//! themselves are not hashed: an empty directory does not change the map.

use super::dockerignore::{ignore_file_for, DockerIgnore};
use crate::filehash::{at, hex, os_bytes, FileHashes};
pub use crate::filehash::{FileHash, HashStats};
use std::collections::{BTreeMap, HashMap};
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

/// Hashes build contexts and single files, backed by a cache under the state directory keyed
/// by absolute path and (size, mtime ns, ctime ns, inode, mode). One per run: it also
/// remembers each (context, ignore file) it has hashed.
pub struct ContextHasher {
    files: FileHashes,
    memo: HashMap<(PathBuf, Option<PathBuf>), BTreeMap<String, String>>,
    /// (context, Dockerfile) as asked → the absolute context and its ignore file.
    ignore_files: HashMap<(PathBuf, PathBuf), (PathBuf, Option<PathBuf>)>,
    dirs_walked: u64,
}

impl ContextHasher {
    /// Opens the cache at `<state_dir>/cache/file-hashes.bin`; a missing, unreadable or corrupt
    /// cache just starts empty.
    pub fn open(state_dir: &Path) -> Self {
        ContextHasher {
            files: FileHashes::open(state_dir),
            memo: HashMap::new(),
            ignore_files: HashMap::new(),
            dirs_walked: 0,
        }
    }

    /// Counters since `open`.
    pub fn stats(&self) -> HashStats {
        HashStats {
            dirs_walked: self.dirs_walked,
            ..self.files.stats
        }
    }

    /// The files of `context` a build with `dockerfile` (relative to the context, or absolute)
    /// can see: relative `/`-separated path to hex hash. Honours `<Dockerfile>.dockerignore`
    /// next to the Dockerfile, else `<context>/.dockerignore`; always skips `.adf` at the
    /// context root. An invalid ignore pattern is an `InvalidData` error.
    pub fn hash_context(
        &mut self,
        context: &Path,
        dockerfile: &Path,
    ) -> io::Result<BTreeMap<String, String>> {
        // many images share a context and a Dockerfile: resolve each pair once (no getcwd, no
        // ignore-file probes per image)
        let asked = (context.to_path_buf(), dockerfile.to_path_buf());
        let key = match self.ignore_files.get(&asked) {
            Some(k) => k.clone(),
            None => {
                let context = std::path::absolute(context)?;
                let dockerfile = context.join(dockerfile);
                let ignore_file = ignore_file_for(&context, &dockerfile)?;
                self.ignore_files
                    .insert(asked, (context.clone(), ignore_file.clone()));
                (context, ignore_file)
            }
        };
        if let Some(map) = self.memo.get(&key) {
            return Ok(map.clone());
        }
        let rules = match &key.1 {
            Some(p) => DockerIgnore::load(p)?,
            None => DockerIgnore::default(),
        };
        let mut out = BTreeMap::new();
        self.walk(&rules, &key.0, "", &mut out)?;
        self.memo.insert(key, out.clone());
        Ok(out)
    }

    /// Hash of one regular file (symlinks followed), same encoding as context entries; for
    /// installers and other inputs outside a context. With `sha256`, its SHA-256 as well, from
    /// the same read (both cached).
    pub fn hash_file(&mut self, path: &Path, sha256: bool) -> io::Result<FileHash> {
        self.files.hash_file(path, sha256)
    }

    /// Writes the cache atomically (temp file + rename) if anything changed.
    pub fn save(&self) -> io::Result<()> {
        self.files.save()
    }

    fn walk(
        &mut self,
        rules: &DockerIgnore,
        dir: &Path,
        rel: &str,
        out: &mut BTreeMap<String, String>,
    ) -> io::Result<()> {
        self.dirs_walked += 1;
        for entry in fs::read_dir(dir).map_err(|e| at(dir, e))? {
            let entry = entry.map_err(|e| at(dir, e))?;
            let name = entry.file_name();
            let name = name.to_string_lossy();
            if rel.is_empty() && name == ".adf" {
                continue;
            }
            let child = match rel {
                "" => name.into_owned(),
                _ => format!("{rel}/{name}"),
            };
            let path = entry.path();
            let ft = entry.file_type().map_err(|e| at(&path, e))?;
            let hashed = if ft.is_dir() {
                if !rules.can_skip_dir(&child) {
                    self.walk(rules, &path, &child, out)?;
                }
                continue;
            } else if !(ft.is_file() || ft.is_symlink()) || rules.is_excluded(&child) {
                continue;
            } else if ft.is_symlink() {
                hash_symlink(&path)
            } else {
                entry
                    .metadata()
                    .and_then(|md| self.files.hash_regular(&path, &md, false, false))
                    .map(|h| h.blake3)
            };
            match hashed {
                Ok(h) => {
                    out.insert(child, h);
                }
                // Deleted between listing and reading: not part of the context.
                Err(e) if e.kind() == io::ErrorKind::NotFound => {}
                Err(e) => return Err(at(&path, e)),
            }
        }
        Ok(())
    }
}

fn hash_symlink(path: &Path) -> io::Result<String> {
    let target = fs::read_link(path)?;
    let mut h = blake3::Hasher::new();
    h.update(b"adf-link\0");
    h.update(&os_bytes(target.as_os_str()));
    Ok(hex(*h.finalize().as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs::{create_dir_all, write};

    /// A context with visible files, an ignored `packages/` tree, an ignored log and `.adf/`.
    fn fixture() -> tempfile::TempDir {
        let d = tempfile::tempdir().expect("tempdir");
        let p = d.path();
        for dir in ["app", "packages/cann/x", "packages/torch", ".adf/logs"] {
            create_dir_all(p.join(dir)).expect("mkdir");
        }
        let files = [
            ("Dockerfile", "FROM scratch\n"),
            (".dockerignore", "packages\n*.log\n"),
            ("app/main.py", "print(1)\n"),
            ("debug.log", "noise"),
            ("packages/cann/x/big.run", "installer"),
            (".adf/logs/a.log", "log"),
        ];
        for (f, text) in files {
            write(p.join(f), text).expect("write");
        }
        d
    }

    fn hasher(state: &Path) -> ContextHasher {
        let mut h = ContextHasher::open(state);
        h.files.racy_window_ns = 0;
        h
    }

    fn hash(ctx: &Path) -> BTreeMap<String, String> {
        let state = tempfile::tempdir().expect("tempdir");
        hasher(state.path())
            .hash_context(ctx, Path::new("Dockerfile"))
            .expect("hash")
    }

    #[test]
    fn visible_files_count_ignored_and_adf_do_not() {
        let d = fixture();
        let ctx = d.path();
        let base = hash(ctx);
        let keys: Vec<&str> = base.keys().map(String::as_str).collect();
        assert_eq!(keys, [".dockerignore", "Dockerfile", "app/main.py"]);
        write(ctx.join("packages/cann/x/big.run"), "other installer").expect("write");
        write(ctx.join("debug.log"), "more noise").expect("write");
        write(ctx.join(".adf/logs/a.log"), "more log").expect("write");
        write(ctx.join(".adf/new"), "state").expect("write");
        assert_eq!(hash(ctx), base);
        write(ctx.join("app/main.py"), "print(2)\n").expect("write");
        let changed = hash(ctx);
        assert_ne!(changed["app/main.py"], base["app/main.py"]);
        assert_eq!(changed["Dockerfile"], base["Dockerfile"]);
        #[cfg(unix)]
        {
            use std::os::unix::fs::{symlink, PermissionsExt};
            let main = ctx.join("app/main.py");
            fs::set_permissions(&main, fs::Permissions::from_mode(0o755)).expect("chmod");
            assert_ne!(hash(ctx)["app/main.py"], changed["app/main.py"], "exec bit");
            symlink("main.py", ctx.join("app/link")).expect("symlink");
            let with_link = hash(ctx);
            fs::remove_file(ctx.join("app/link")).expect("rm");
            symlink("other.py", ctx.join("app/link")).expect("symlink");
            assert_ne!(hash(ctx)["app/link"], with_link["app/link"], "link target");
        }
    }

    #[test]
    fn dockerfile_specific_ignore_takes_precedence() {
        let d = fixture();
        write(d.path().join("Dockerfile.dockerignore"), "app\n").expect("write");
        let keys: Vec<String> = hash(d.path()).into_keys().collect();
        assert!(keys.contains(&"packages/cann/x/big.run".to_string()));
        assert!(keys.contains(&"debug.log".to_string()));
        assert!(!keys
            .iter()
            .any(|k| k.starts_with("app/") || k.starts_with(".adf")));
    }

    #[test]
    fn ignored_dirs_are_not_walked_unless_an_exception_reaches_in() {
        let d = fixture();
        let state = tempfile::tempdir().expect("tempdir");
        let mut h = hasher(state.path());
        h.hash_context(d.path(), Path::new("Dockerfile"))
            .expect("hash");
        assert_eq!(h.stats().dirs_walked, 2, "root and app/ only");
        write(
            d.path().join(".dockerignore"),
            "packages\n!packages/cann/x/*.run",
        )
        .expect("w");
        let mut h = hasher(state.path());
        let map = h
            .hash_context(d.path(), Path::new("Dockerfile"))
            .expect("hash");
        assert!(map.contains_key("packages/cann/x/big.run"));
        assert_eq!(h.stats().dirs_walked, 5, "packages/torch is skipped");
        h.hash_context(d.path(), Path::new("Dockerfile"))
            .expect("hash");
        assert_eq!(
            h.stats().dirs_walked,
            5,
            "memo: same context hashed once per run"
        );
    }

    #[test]
    fn cache_hit_costs_no_read() {
        let d = fixture();
        let state = tempfile::tempdir().expect("tempdir");
        let df = Path::new("Dockerfile");
        let mut h = hasher(state.path());
        let first = h.hash_context(d.path(), df).expect("hash");
        assert_eq!(h.stats().files_read, 3);
        h.save().expect("save");
        let mut h = hasher(state.path());
        assert_eq!(h.hash_context(d.path(), df).expect("hash"), first);
        assert_eq!((h.stats().files_read, h.stats().cache_hits), (0, 3));
        // A poisoned cache is believed: proof that the contents were not read again.
        let mut h = hasher(state.path());
        h.files.entries.values_mut().for_each(|e| e.hash = [7; 32]);
        let poisoned = h.hash_context(d.path(), df).expect("hash");
        assert!(poisoned.values().all(|v| v == &"07".repeat(32)));
        // A changed file is read again, the others are not.
        write(d.path().join("app/main.py"), "print('changed')\n").expect("write");
        let mut h = hasher(state.path());
        let again = h.hash_context(d.path(), df).expect("hash");
        assert_eq!(h.stats().files_read, 1);
        assert_ne!(again["app/main.py"], first["app/main.py"]);
        let file = h
            .hash_file(&d.path().join("Dockerfile"), false)
            .expect("hash");
        assert_eq!(file.blake3, first["Dockerfile"]);
        assert_eq!(h.stats().files_read, 1, "hash_file shares the cache");
    }

    #[test]
    fn racy_files_are_not_cached() {
        let d = fixture();
        let state = tempfile::tempdir().expect("tempdir");
        let mut h = ContextHasher::open(state.path());
        h.hash_file(&d.path().join("Dockerfile"), false)
            .expect("hash");
        h.save().expect("save");
        let mut h = ContextHasher::open(state.path());
        h.hash_file(&d.path().join("Dockerfile"), false)
            .expect("hash");
        assert_eq!(h.stats().files_read, 1, "just-written file re-read");
    }

    #[test]
    fn corrupt_cache_is_ignored_and_errors_are_io_errors() {
        let d = fixture();
        let state = tempfile::tempdir().expect("tempdir");
        let mut h = hasher(state.path());
        h.hash_context(d.path(), Path::new("Dockerfile"))
            .expect("hash");
        h.save().expect("save");
        let cache = state.path().join("cache/file-hashes.bin");
        let good = fs::read(&cache).expect("read");
        assert_eq!(crate::filehash::decode(&good).map(|m| m.len()), Some(3));
        for bad in [&good[..good.len() - 1], &b"garbage"[..], &[][..]] {
            write(&cache, bad).expect("write");
            assert!(ContextHasher::open(state.path()).files.entries.is_empty());
        }
        assert!(h.hash_file(d.path(), false).is_err(), "directory");
        assert!(h.hash_file(&d.path().join("nope"), false).is_err());
        write(d.path().join(".dockerignore"), "[").expect("write");
        let err = hasher(state.path()).hash_context(d.path(), Path::new("Dockerfile"));
        assert_eq!(err.map_err(|e| e.kind()), Err(io::ErrorKind::InvalidData));
    }
}
