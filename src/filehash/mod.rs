//! The file-hash cache: blake3 (and, for declared installer checksums, SHA-256) of regular
//! files, computed once per file version and remembered across runs.

mod store;
mod tree;

use store::encode;
pub(crate) use store::{decode, os_bytes};

use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::fs::{self, File, Metadata};
use std::io::{self, Read};
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

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

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Stamp {
    size: u64,
    mtime_ns: i64,
    ctime_ns: i64,
    ino: u64,
    mode: u32,
}

#[derive(Debug, Clone, Copy)]
pub(crate) struct Entry {
    stamp: Stamp,
    pub(crate) hash: [u8; 32],
    /// The SHA-256 of the contents, when it was asked for (a declared installer checksum).
    sha256: Option<[u8; 32]>,
    used_day: u32,
}

impl Stamp {
    #[cfg(unix)]
    pub(crate) fn of(m: &Metadata) -> Stamp {
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
    pub(crate) fn of(m: &Metadata) -> Stamp {
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

/// What hashing one file gave: its fingerprint hash and, when asked for, its SHA-256 (hex).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FileHash {
    pub blake3: String,
    pub sha256: Option<String>,
}

/// Files at least this large are hashed on every core, a part of BLAKE3's tree each (installers).
const LARGE: u64 = 32 << 20;
/// Read size when a file is hashed twice at once (blake3 and SHA-256, one read).
const CHUNK: usize = 8 << 20;

/// The persistent file-hash cache of a project (`.adf/cache/file-hashes.bin`), keyed by
/// absolute path and (size, mtime ns, ctime ns, inode, mode): an unchanged multi-GB installer
/// costs a `stat`, not a read.
pub struct FileHashes {
    cache_path: PathBuf,
    pub(crate) entries: HashMap<PathBuf, Entry>,
    dirty: bool,
    today: u32,
    pub(crate) racy_window_ns: i64,
    pub(crate) stats: HashStats,
    buf: Vec<u8>,
}

impl FileHashes {
    /// Opens the cache under `state_dir`; a missing, unreadable or corrupt cache starts empty.
    pub fn open(state_dir: &Path) -> Self {
        let cache_path = state_dir.join("cache").join("file-hashes.bin");
        let entries = fs::read(&cache_path)
            .ok()
            .and_then(|b| decode(&b))
            .unwrap_or_default();
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default();
        FileHashes {
            cache_path,
            entries,
            dirty: false,
            today: u32::try_from(now.as_secs() / 86_400).unwrap_or(u32::MAX),
            racy_window_ns: RACY_WINDOW_NS,
            stats: HashStats::default(),
            buf: Vec::new(),
        }
    }

    /// Hash of one regular file (symlinks followed), and its SHA-256 too with `sha256`: both
    /// from one read of the file, both cached.
    pub fn hash_file(&mut self, path: &Path, sha256: bool) -> io::Result<FileHash> {
        let path = std::path::absolute(path)?;
        let md = fs::metadata(&path).map_err(|e| at(&path, e))?;
        if !md.is_file() {
            let msg = format!("{}: not a regular file", path.display());
            return Err(io::Error::new(io::ErrorKind::InvalidInput, msg));
        }
        self.hash_regular(&path, &md, true, sha256)
    }

    /// Writes the cache atomically (temp file + rename) if anything changed.
    pub fn save(&self) -> io::Result<()> {
        if !self.dirty {
            return Ok(());
        }
        crate::safe_fs::write_atomic(&self.cache_path, &encode(&self.entries, self.today))
    }

    pub(crate) fn hash_regular(
        &mut self,
        path: &Path,
        md: &Metadata,
        follow: bool,
        want_sha256: bool,
    ) -> io::Result<FileHash> {
        let stamp = Stamp::of(md);
        if let Some(e) = self.entries.get_mut(path) {
            if e.stamp == stamp && (e.sha256.is_some() || !want_sha256) {
                self.stats.cache_hits += 1;
                if e.used_day != self.today {
                    e.used_day = self.today;
                    self.dirty = true;
                }
                return Ok(FileHash {
                    blake3: hex(e.hash),
                    sha256: want_sha256.then(|| e.sha256.map(sha_hex)).flatten(),
                });
            }
        }
        let started = now_ns();
        let (hash, sha256) = self.read_hash(path, stamp, want_sha256)?;
        let after = if follow {
            fs::metadata(path)
        } else {
            fs::symlink_metadata(path)
        };
        let stable = after.is_ok_and(|m| Stamp::of(&m) == stamp);
        let racy = stamp.mtime_ns.max(stamp.ctime_ns) > started.saturating_sub(self.racy_window_ns);
        if stable && !racy {
            let entry = Entry {
                stamp,
                hash,
                sha256,
                used_day: self.today,
            };
            self.entries.insert(path.to_path_buf(), entry);
            self.dirty = true;
        } else if self.entries.remove(path).is_some() {
            self.dirty = true;
        }
        Ok(FileHash {
            blake3: hex(hash),
            sha256: sha256.map(sha_hex),
        })
    }

    /// One read of the file: blake3 over a header (kind, executable bit) and the contents; with
    /// `want_sha256` the SHA-256 of the contents on a second core from the same buffers.
    fn read_hash(
        &mut self,
        path: &Path,
        stamp: Stamp,
        want_sha256: bool,
    ) -> io::Result<([u8; 32], Option<[u8; 32]>)> {
        let header = [
            b"adf-file\0".as_slice(),
            &[u8::from(stamp.mode & 0o111 != 0)],
        ]
        .concat();
        self.stats.files_read += 1;
        if !want_sha256 && stamp.size >= LARGE {
            // every thread of the pool hashes parts of the tree, read from the page cache
            let cores = rayon_core::current_num_threads();
            let file = File::open(path)?;
            let hash = tree::hash(&header, &file, stamp.size, cores)?;
            self.stats.bytes_read += stamp.size;
            return Ok((*hash.as_bytes(), None));
        }
        let mut h = blake3::Hasher::new();
        h.update(&header);
        let mut file = File::open(path)?;
        let size = if want_sha256 { CHUNK } else { 1 << 20 };
        if self.buf.len() < size {
            self.buf = vec![0; size];
        }
        let mut sha = want_sha256.then(Sha256::new);
        loop {
            let n = match read_full(&mut file, &mut self.buf[..size]) {
                Ok(0) => break,
                Ok(n) => n,
                Err(e) => return Err(e),
            };
            let chunk = &self.buf[..n];
            match sha.as_mut() {
                Some(sha) => std::thread::scope(|s| {
                    s.spawn(|| sha.update(chunk));
                    h.update_rayon(chunk);
                }),
                None => {
                    h.update(chunk);
                }
            }
            self.stats.bytes_read += n as u64;
        }
        Ok((*h.finalize().as_bytes(), sha.map(|s| s.finalize().into())))
    }
}

/// Fills `buf` as far as the file goes (fewer bytes only at its end).
fn read_full(file: &mut File, buf: &mut [u8]) -> io::Result<usize> {
    let mut filled = 0;
    while filled < buf.len() {
        match file.read(&mut buf[filled..]) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(filled)
}

fn sha_hex(sha: [u8; 32]) -> String {
    sha.iter().map(|b| format!("{b:02x}")).collect()
}

pub(crate) fn hex(hash: [u8; 32]) -> String {
    blake3::Hash::from(hash).to_hex().to_string()
}

fn now_ns() -> i64 {
    let d = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default();
    i64::try_from(d.as_nanos()).unwrap_or(i64::MAX)
}

pub(crate) fn at(path: &Path, e: io::Error) -> io::Error {
    io::Error::new(e.kind(), format!("{}: {e}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hashes(state: &Path) -> FileHashes {
        let mut h = FileHashes::open(state);
        h.racy_window_ns = 0;
        h
    }

    #[test]
    fn a_declared_checksum_and_the_fingerprint_cost_one_read() {
        let d = tempfile::tempdir().expect("tmp");
        let file = d.path().join("cann.run");
        let data: Vec<u8> = (0..(3 * CHUNK + 12_345)).map(|i| (i % 251) as u8).collect();
        fs::write(&file, &data).expect("write");
        let mut h = hashes(d.path());
        let both = h.hash_file(&file, true).expect("hash");
        assert_eq!(
            both.sha256.as_deref(),
            Some(sha_hex(Sha256::digest(&data).into()).as_str())
        );
        let fingerprint = h.hash_file(&file, false).expect("hash");
        assert_eq!(fingerprint.blake3, both.blake3);
        assert_eq!(
            (h.stats.files_read, h.stats.bytes_read, h.stats.cache_hits),
            (1, data.len() as u64, 1)
        );
        h.save().expect("save");
        // the next run reads nothing: both come from the cache
        let mut next = hashes(d.path());
        assert_eq!(next.hash_file(&file, true).expect("hash"), both);
        assert_eq!(next.stats.files_read, 0);
    }

    #[test]
    fn large_files_hash_the_same_on_every_core() {
        let d = tempfile::tempdir().expect("tmp");
        let file = d.path().join("big.run");
        let data: Vec<u8> = (0..(LARGE as usize + 777))
            .map(|i| (i % 253) as u8)
            .collect();
        fs::write(&file, &data).expect("write");
        // the two-hash read path and the one-subtree-per-core path agree
        let read = hashes(d.path()).hash_file(&file, true).expect("read");
        let split = hashes(d.path()).hash_file(&file, false).expect("split");
        assert_eq!(read.blake3, split.blake3);
        let mut expected = blake3::Hasher::new();
        expected.update(b"adf-file\0");
        expected.update(&[0]);
        expected.update(&data);
        assert_eq!(split.blake3, expected.finalize().to_hex().to_string());
    }
}
