//! The file-hash cache on disk (`.adf/cache/file-hashes.bin`): magic, count, entries (path,
//! stamp, used day, hash, optional sha256), blake3 of all that. A file that fails any check
//! decodes to nothing and the cache starts empty.

use super::{Entry, Stamp};
use std::borrow::Cow;
use std::collections::HashMap;
use std::ffi::OsStr;
use std::path::PathBuf;

const CACHE_MAGIC: &[u8; 8] = b"ADFHC\x00\x00\x02";
/// Cache entries unused for this many days are dropped on save.
const EVICT_DAYS: u32 = 30;

#[cfg(unix)]
pub(crate) fn os_bytes(s: &OsStr) -> Cow<'_, [u8]> {
    use std::os::unix::ffi::OsStrExt;
    Cow::Borrowed(s.as_bytes())
}

#[cfg(not(unix))]
pub(crate) fn os_bytes(s: &OsStr) -> Cow<'_, [u8]> {
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

/// The cache file's bytes; entries unused for `EVICT_DAYS` are left out.
pub(super) fn encode(entries: &HashMap<PathBuf, Entry>, today: u32) -> Vec<u8> {
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
        match &e.sha256 {
            Some(s) => {
                body.push(1);
                body.extend_from_slice(s);
            }
            None => body.push(0),
        }
    }
    let mut out = Vec::with_capacity(body.len() + 48);
    out.extend_from_slice(CACHE_MAGIC);
    out.extend_from_slice(&count.to_le_bytes());
    out.extend_from_slice(&body);
    let sum = blake3::hash(&out);
    out.extend_from_slice(sum.as_bytes());
    out
}

pub(crate) fn decode(bytes: &[u8]) -> Option<HashMap<PathBuf, Entry>> {
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
        let sha256 = match take(1)? {
            [0] => None,
            [1] => Some(take(32)?.try_into().ok()?),
            _ => return None,
        };
        map.insert(
            path,
            Entry {
                stamp,
                hash,
                sha256,
                used_day,
            },
        );
    }
    take(1).is_none().then_some(map)
}
