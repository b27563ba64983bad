//! context: the files a `docker build` can see (after `.dockerignore`), hashed, with a
//! persistent cache so an unchanged multi-GB installer costs a `stat`, not a read.
//!
//! A file's hash is blake3 over a small header (kind, executable bit) and its contents; a
//! symlink's is over its target text (links are sent as links, never followed). Directories
//! themselves are not hashed: an empty directory does not change the map.

use super::dockerignore::{ignore_file_for, DockerIgnore};
use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};
use std::ffi::OsStr;
use std::fs::{self, File, Metadata};
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

const CACHE_MAGIC: &[u8; 8] = b"ADFHC\x00\x00\x01";
/// Cache entries unused for this many days are dropped on save.
const EVICT_DAYS: u32 = 30;
/// A file changed this recently may change again within the same timestamp tick; its hash is
/// used for this run but not cached.
const RACY_WINDOW_NS: i64 = 2_000_000_000;

/// What a hasher has cost so far.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct HashStats {
    /// Regular files opened and read.
    pub files_read: u64,
    /// Bytes read from those files.
    pub bytes_read: u64,
    /// Regular files whose hash came from the cache (a `stat`, no read).
    pub cache_hits: u64,
    /// Directories listed.
    pub dirs_walked: u64,
}

/// Hashes build contexts and single files, backed by a cache under the state directory keyed
/// by absolute path and (size, mtime ns, ctime ns, inode, mode). One per run: it also
/// remembers each (context, ignore file) it has hashed.
pub struct ContextHasher {
    cache_path: PathBuf,
    entries: HashMap<PathBuf, Entry>,
    dirty: bool,
    today: u32,
    racy_window_ns: i64,
    memo: HashMap<(PathBuf, Option<PathBuf>), BTreeMap<String, String>>,
    stats: HashStats,
    buf: Vec<u8>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Stamp {
    size: u64,
    mtime_ns: i64,
    ctime_ns: i64,
    ino: u64,
    mode: u32,
}

#[derive(Debug, Clone, Copy)]
struct Entry {
    stamp: Stamp,
    hash: [u8; 32],
    used_day: u32,
}

impl Stamp {
    #[cfg(unix)]
    fn of(m: &Metadata) -> Stamp {
        use std::os::unix::fs::MetadataExt;
        let ns = |s: i64, n: i64| s.saturating_mul(1_000_000_000).saturating_add(n);
        Stamp {
            size: m.size(),
            mtime_ns: ns(m.mtime(), m.mtime_nsec()),
            ctime_ns: ns(m.ctime(), m.ctime_nsec()),
            ino: m.ino(),
            mode: m.mode(),
        }
    }

    #[cfg(not(unix))]
    fn of(m: &Metadata) -> Stamp {
        let mtime = m
            .modified()
            .ok()
            .and_then(|t| t.duration_since(UNIX_EPOCH).ok());
        Stamp {
            size: m.len(),
            mtime_ns: mtime.map_or(0, |d| i64::try_from(d.as_nanos()).unwrap_or(i64::MAX)),
            ctime_ns: 0,
            ino: 0,
            mode: if m.permissions().readonly() {
                0o444
            } else {
                0o644
            },
        }
    }
}

impl ContextHasher {
    /// Opens the cache at `<state_dir>/cache/file-hashes.bin`; a missing, unreadable or corrupt
    /// cache just starts empty.
    pub fn open(state_dir: &Path) -> Self {
        let cache_path = state_dir.join("cache").join("file-hashes.bin");
        let entries = fs::read(&cache_path)
            .ok()
            .and_then(|b| decode(&b))
            .unwrap_or_default();
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default();
        ContextHasher {
            cache_path,
            entries,
            dirty: false,
            today: u32::try_from(now.as_secs() / 86_400).unwrap_or(u32::MAX),
            racy_window_ns: RACY_WINDOW_NS,
            memo: HashMap::new(),
            stats: HashStats::default(),
            buf: Vec::new(),
        }
    }

    /// Counters since `open`.
    pub fn stats(&self) -> HashStats {
        self.stats
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
        let context = std::path::absolute(context)?;
        let dockerfile = context.join(dockerfile);
        let ignore_file = ignore_file_for(&context, &dockerfile)?;
        let key = (context, ignore_file);
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
    /// installers and other inputs outside a context.
    pub fn hash_file(&mut self, path: &Path) -> io::Result<String> {
        let path = std::path::absolute(path)?;
        let md = fs::metadata(&path).map_err(|e| at(&path, e))?;
        if !md.is_file() {
            let msg = format!("{}: not a regular file", path.display());
            return Err(io::Error::new(io::ErrorKind::InvalidInput, msg));
        }
        self.hash_regular(&path, &md, true)
    }

    /// Writes the cache atomically (temp file + rename) if anything changed.
    pub fn save(&self) -> io::Result<()> {
        if !self.dirty {
            return Ok(());
        }
        write_atomic(&self.cache_path, &encode(&self.entries, self.today))
    }

    fn walk(
        &mut self,
        rules: &DockerIgnore,
        dir: &Path,
        rel: &str,
        out: &mut BTreeMap<String, String>,
    ) -> io::Result<()> {
        self.stats.dirs_walked += 1;
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
                    .and_then(|md| self.hash_regular(&path, &md, false))
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

    fn hash_regular(&mut self, path: &Path, md: &Metadata, follow: bool) -> io::Result<String> {
        let stamp = Stamp::of(md);
        if let Some(e) = self.entries.get_mut(path) {
            if e.stamp == stamp {
                self.stats.cache_hits += 1;
                if e.used_day != self.today {
                    e.used_day = self.today;
                    self.dirty = true;
                }
                return Ok(hex(e.hash));
            }
        }
        let started = now_ns();
        let hash = self.read_hash(path, stamp.mode & 0o111 != 0)?;
        let after = if follow {
            fs::metadata(path)
        } else {
            fs::symlink_metadata(path)
        };
        let stable = after.is_ok_and(|m| Stamp::of(&m) == stamp);
        let racy = stamp.mtime_ns.max(stamp.ctime_ns) > started.saturating_sub(self.racy_window_ns);
        if stable && !racy {
            let used_day = self.today;
            let entry = Entry {
                stamp,
                hash,
                used_day,
            };
            self.entries.insert(path.to_path_buf(), entry);
            self.dirty = true;
        } else if self.entries.remove(path).is_some() {
            self.dirty = true;
        }
        Ok(hex(hash))
    }

    fn read_hash(&mut self, path: &Path, executable: bool) -> io::Result<[u8; 32]> {
        let mut file = File::open(path)?;
        let mut h = blake3::Hasher::new();
        h.update(b"adf-file\0");
        h.update(&[u8::from(executable)]);
        if self.buf.is_empty() {
            self.buf = vec![0; 1 << 20];
        }
        loop {
            match file.read(&mut self.buf) {
                Ok(0) => break,
                Ok(n) => {
                    h.update(&self.buf[..n]);
                    self.stats.bytes_read += n as u64;
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
        self.stats.files_read += 1;
        Ok(*h.finalize().as_bytes())
    }
}

fn hash_symlink(path: &Path) -> io::Result<String> {
    let target = fs::read_link(path)?;
    let mut h = blake3::Hasher::new();
    h.update(b"adf-link\0");
    h.update(&os_bytes(target.as_os_str()));
    Ok(hex(*h.finalize().as_bytes()))
}

fn hex(hash: [u8; 32]) -> String {
    blake3::Hash::from(hash).to_hex().to_string()
}

fn now_ns() -> i64 {
    let d = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default();
    i64::try_from(d.as_nanos()).unwrap_or(i64::MAX)
}

fn at(path: &Path, e: io::Error) -> io::Error {
    io::Error::new(e.kind(), format!("{}: {e}", path.display()))
}

/// Writes `bytes` to `path` via a temp file in the same directory and a rename, creating the
/// directory first.
pub(crate) fn write_atomic(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    fs::create_dir_all(dir)?;
    let mut tmp = tempfile::NamedTempFile::new_in(dir)?;
    tmp.write_all(bytes)?;
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}

#[cfg(unix)]
fn os_bytes(s: &OsStr) -> Cow<'_, [u8]> {
    use std::os::unix::ffi::OsStrExt;
    Cow::Borrowed(s.as_bytes())
}

#[cfg(not(unix))]
fn os_bytes(s: &OsStr) -> Cow<'_, [u8]> {
    match s.to_string_lossy() {
        Cow::Borrowed(b) => Cow::Borrowed(b.as_bytes()),
        Cow::Owned(o) => Cow::Owned(o.into_bytes()),
    }
}

#[cfg(unix)]
fn path_from_bytes(b: &[u8]) -> PathBuf {
    use std::os::unix::ffi::OsStrExt;
    PathBuf::from(OsStr::from_bytes(b))
}

#[cfg(not(unix))]
fn path_from_bytes(b: &[u8]) -> PathBuf {
    PathBuf::from(String::from_utf8_lossy(b).into_owned())
}

/// Cache file: magic, count, entries (path, stamp, used day, hash), blake3 of all that.
fn encode(entries: &HashMap<PathBuf, Entry>, today: u32) -> Vec<u8> {
    let mut body = Vec::new();
    let mut count = 0u64;
    for (path, e) in entries {
        let p = os_bytes(path.as_os_str());
        let Ok(len) = u32::try_from(p.len()) else {
            continue;
        };
        if e.used_day.saturating_add(EVICT_DAYS) < today {
            continue;
        }
        count += 1;
        body.extend_from_slice(&len.to_le_bytes());
        body.extend_from_slice(&p);
        let s = e.stamp;
        body.extend_from_slice(&s.size.to_le_bytes());
        body.extend_from_slice(&s.mtime_ns.to_le_bytes());
        body.extend_from_slice(&s.ctime_ns.to_le_bytes());
        body.extend_from_slice(&s.ino.to_le_bytes());
        body.extend_from_slice(&s.mode.to_le_bytes());
        body.extend_from_slice(&e.used_day.to_le_bytes());
        body.extend_from_slice(&e.hash);
    }
    let mut out = Vec::with_capacity(body.len() + 48);
    out.extend_from_slice(CACHE_MAGIC);
    out.extend_from_slice(&count.to_le_bytes());
    out.extend_from_slice(&body);
    let sum = blake3::hash(&out);
    out.extend_from_slice(sum.as_bytes());
    out
}

fn decode(bytes: &[u8]) -> Option<HashMap<PathBuf, Entry>> {
    let (body, sum) = bytes.split_at(bytes.len().checked_sub(32)?);
    if blake3::hash(body).as_bytes() != sum {
        return None;
    }
    let mut r = body;
    let mut take = |n: usize| -> Option<&[u8]> {
        let (a, b) = r.split_at_checked(n)?;
        r = b;
        Some(a)
    };
    if take(8)? != CACHE_MAGIC {
        return None;
    }
    let u64_of = |b: &[u8]| b.try_into().ok().map(u64::from_le_bytes);
    let u32_of = |b: &[u8]| b.try_into().ok().map(u32::from_le_bytes);
    let i64_of = |b: &[u8]| b.try_into().ok().map(i64::from_le_bytes);
    let count = u64_of(take(8)?)?;
    let mut map = HashMap::with_capacity(usize::try_from(count.min(1 << 20)).ok()?);
    for _ in 0..count {
        let len = usize::try_from(u32_of(take(4)?)?).ok()?;
        let path = path_from_bytes(take(len)?);
        let stamp = Stamp {
            size: u64_of(take(8)?)?,
            mtime_ns: i64_of(take(8)?)?,
            ctime_ns: i64_of(take(8)?)?,
            ino: u64_of(take(8)?)?,
            mode: u32_of(take(4)?)?,
        };
        let used_day = u32_of(take(4)?)?;
        let hash = take(32)?.try_into().ok()?;
        map.insert(
            path,
            Entry {
                stamp,
                hash,
                used_day,
            },
        );
    }
    take(1).is_none().then_some(map)
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
        h.racy_window_ns = 0;
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
        h.entries.values_mut().for_each(|e| e.hash = [7; 32]);
        let poisoned = h.hash_context(d.path(), df).expect("hash");
        assert!(poisoned.values().all(|v| v == &"07".repeat(32)));
        // A changed file is read again, the others are not.
        write(d.path().join("app/main.py"), "print('changed')\n").expect("write");
        let mut h = hasher(state.path());
        let again = h.hash_context(d.path(), df).expect("hash");
        assert_eq!(h.stats().files_read, 1);
        assert_ne!(again["app/main.py"], first["app/main.py"]);
        let file = h.hash_file(&d.path().join("Dockerfile")).expect("hash");
        assert_eq!(file, first["Dockerfile"]);
        assert_eq!(h.stats().files_read, 1, "hash_file shares the cache");
    }

    #[test]
    fn racy_files_are_not_cached() {
        let d = fixture();
        let state = tempfile::tempdir().expect("tempdir");
        let mut h = ContextHasher::open(state.path());
        h.hash_file(&d.path().join("Dockerfile")).expect("hash");
        h.save().expect("save");
        let mut h = ContextHasher::open(state.path());
        h.hash_file(&d.path().join("Dockerfile")).expect("hash");
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
        assert_eq!(decode(&good).map(|m| m.len()), Some(3));
        for bad in [&good[..good.len() - 1], &b"garbage"[..], &[][..]] {
            write(&cache, bad).expect("write");
            assert!(ContextHasher::open(state.path()).entries.is_empty());
        }
        assert!(h.hash_file(d.path()).is_err(), "directory");
        assert!(h.hash_file(&d.path().join("nope")).is_err());
        write(d.path().join(".dockerignore"), "[").expect("write");
        let err = hasher(state.path()).hash_context(d.path(), Path::new("Dockerfile"));
        assert_eq!(err.map_err(|e| e.kind()), Err(io::ErrorKind::InvalidData));
    }
}
