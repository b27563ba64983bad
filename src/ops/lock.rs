//! The project lock (`.adf/lock`): two `adf build` runs in one checkout take turns instead of
//! racing for the same tags. An advisory `flock(2)` on the file, released by the kernel however the
//! holder ends (even SIGKILL); the holder's pid is written in it for the message of the waiter.

use crate::diag::{Code, Diagnostic};
use crate::model::Project;
use std::fs::File;
use std::io::{Read, Seek, Write};
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

/// Held while a build runs; dropping it releases the lock.
pub struct ProjectLock {
    _file: File,
}

/// How taking the lock ended.
pub enum Locked {
    Held(ProjectLock),
    /// Interrupted while waiting for another run.
    Interrupted,
}

/// The lock of `project` (`.adf/lock`), waited for while another run holds it; `None` when
/// interrupted meanwhile; an error when it cannot be taken at all.
pub fn take(
    project: &Project,
    interrupted: &AtomicBool,
    on_wait: &mut dyn FnMut(&str),
) -> Result<Option<ProjectLock>, Box<Diagnostic>> {
    let locked =
        super::ensure_state_dir(project).and_then(|state| acquire(&state, interrupted, on_wait));
    match locked {
        Ok(Locked::Held(lock)) => Ok(Some(lock)),
        Ok(Locked::Interrupted) => Ok(None),
        Err(e) => {
            let lock = super::state_dir(project).join("lock");
            Err(Box::new(
                Diagnostic::error(Code::Fingerprint, format!("cannot lock {}: {e}", lock.display()))
                    .help("adf keeps its state in .adf next to the file: make it a writable directory (not a symlink); nothing was built"),
            ))
        }
    }
}

/// `flock(LOCK_EX | LOCK_NB)`: `false` when another open file holds it.
fn try_lock(file: &File) -> std::io::Result<bool> {
    use std::os::fd::AsRawFd;
    // SAFETY: flock on a descriptor this File owns; no memory is passed
    if unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) } == 0 {
        return Ok(true);
    }
    let e = std::io::Error::last_os_error();
    match e.raw_os_error() {
        Some(libc::EWOULDBLOCK) => Ok(false),
        Some(libc::EINTR) => Ok(false),
        _ => Err(e),
    }
}

/// Takes `<state_dir>/lock`, waiting for another run that holds it (`on_wait` is told once,
/// with its pid), until `interrupted` is set. An error: the lock file cannot be opened (or is a
/// symlink), or the file system cannot lock it.
pub fn acquire(
    state_dir: &Path,
    interrupted: &AtomicBool,
    on_wait: &mut dyn FnMut(&str),
) -> std::io::Result<Locked> {
    use std::os::unix::fs::OpenOptionsExt;
    let mut file = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .mode(0o600)
        .custom_flags(libc::O_NOFOLLOW)
        .open(state_dir.join("lock"))?;
    let mut told = false;
    loop {
        match try_lock(&file) {
            Ok(true) => break,
            Ok(false) => {}
            Err(e) => return Err(e),
        }
        if !told {
            let mut holder = String::new();
            let _ = file.read_to_string(&mut holder);
            let pid = match holder.trim() {
                "" => String::new(),
                pid => format!(" (pid {pid})"),
            };
            on_wait(&format!(
                "waiting for another adf build in this project{pid}…"
            ));
            told = true;
        }
        if interrupted.load(Ordering::SeqCst) {
            return Ok(Locked::Interrupted);
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    file.set_len(0)?;
    file.rewind()?;
    writeln!(file, "{}", std::process::id())?;
    Ok(Locked::Held(ProjectLock { _file: file }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_holder_waits_and_is_told_the_pid() {
        let dir = tempfile::tempdir().expect("tempdir");
        let never = AtomicBool::new(false);
        let first = acquire(dir.path(), &never, &mut |_| panic!("no wait")).expect("locks");
        assert!(matches!(first, Locked::Held(_)));
        let stop = AtomicBool::new(true);
        let mut said = Vec::new();
        let second = acquire(dir.path(), &stop, &mut |m| said.push(m.to_string())).expect("waits");
        assert!(matches!(second, Locked::Interrupted));
        let pid = std::process::id();
        assert_eq!(
            said,
            [format!(
                "waiting for another adf build in this project (pid {pid})…"
            )]
        );
        drop(first);
        let third = acquire(dir.path(), &never, &mut |_| panic!("free")).expect("locks");
        assert!(matches!(third, Locked::Held(_)));
    }

    #[test]
    fn a_symlinked_lock_is_refused() {
        let dir = tempfile::tempdir().expect("tempdir");
        let target = dir.path().join("elsewhere");
        std::os::unix::fs::symlink(&target, dir.path().join("lock")).expect("symlink");
        let never = AtomicBool::new(false);
        assert!(acquire(dir.path(), &never, &mut |_| {}).is_err());
        assert!(!target.exists());
    }
}
