//! Running an engine client: spawning it in a process group of its own (a missing binary is
//! named), capturing its output within a deadline (a wedged engine is an error naming its
//! socket), following its lines, waiting for it under a stop signal or a deadline (stopping its
//! whole group), and pumping streams in and out of it. Backends build their command lines and leave the process work to this file.

use super::error::{last_lines, EngineError, ErrorKind};
use std::io::{self, BufRead, BufReader, Read, Write};
use std::process::{Child, Command, ExitStatus, Output, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

/// `program arg0 arg1 ...` of a command, for messages and logs.
pub fn describe(cmd: &Command) -> String {
    let mut s = cmd.get_program().to_string_lossy().into_owned();
    for a in cmd.get_args() {
        s.push(' ');
        s.push_str(&a.to_string_lossy());
    }
    s
}

/// The error for a client that could not be started.
pub fn spawn_error(cmd: &Command, err: &io::Error) -> EngineError {
    let program = cmd.get_program().to_string_lossy().into_owned();
    match err.kind() {
        io::ErrorKind::NotFound => EngineError::new(
            ErrorKind::CliNotFound,
            format!("running {program}"),
            format!("docker CLI `{program}` not found"),
        ),
        _ => EngineError::new(
            ErrorKind::Failed,
            format!("running {program}"),
            err.to_string(),
        ),
    }
}

/// Set once adf itself handles SIGINT, SIGTERM and SIGHUP (see [`stop_on_signals`]).
static OWN_GROUPS: AtomicBool = AtomicBool::new(false);

/// From now on clients start in a process group of their own: the command stops them itself
/// when a stop signal arrives (its handler sets the flag its waits watch). Commands that do
/// not leave their clients in adf's group, where a terminal's Ctrl-C reaches them directly.
pub fn stop_on_signals() {
    OWN_GROUPS.store(true, Ordering::SeqCst);
}

/// Starts `cmd`; once [`stop_on_signals`] was called, in a process group of its own, so that
/// stopping it ([`wait`]) reaches what it starts in turn (the buildx plugin of `docker buildx
/// build`), and a terminal's Ctrl-C reaches adf, which stops it, rather than the client.
pub fn spawn(cmd: &mut Command) -> Result<Child, EngineError> {
    use std::os::unix::process::CommandExt;
    if OWN_GROUPS.load(Ordering::SeqCst) {
        cmd.process_group(0);
    }
    cmd.spawn().map_err(|e| spawn_error(cmd, &e))
}

/// Starts `cmd` in adf's own process group, on adf's terminal (`adf run`: the container is the
/// foreground job; Ctrl-C reaches it).
pub fn spawn_foreground(cmd: &mut Command) -> Result<Child, EngineError> {
    cmd.spawn().map_err(|e| spawn_error(cmd, &e))
}

/// How long an engine request that is not a build, push or stream may take to answer
/// (`ADF_ENGINE_TIMEOUT` seconds; 20 by default): a wedged engine socket is an error, not a hang.
pub fn answer_timeout() -> Duration {
    std::env::var("ADF_ENGINE_TIMEOUT")
        .ok()
        .and_then(|v| v.trim().parse::<f64>().ok())
        .filter(|s| s.is_finite() && *s > 0.0 && *s < 86_400.0)
        .map(Duration::from_secs_f64)
        .unwrap_or(Duration::from_secs(20))
}

/// Where the client reaches its engine, for messages: `DOCKER_HOST`, else the current docker
/// context's endpoint (asked without the engine), else the default socket.
pub fn endpoint(client: &std::ffi::OsStr) -> String {
    if let Some(host) = std::env::var("DOCKER_HOST").ok().filter(|h| !h.is_empty()) {
        return host;
    }
    let mut cmd = Command::new(client);
    cmd.args([
        "context",
        "inspect",
        "--format",
        "{{.Endpoints.docker.Host}}",
    ]);
    match output_within(&mut cmd, Some(Duration::from_secs(5))) {
        Ok(o) if o.status.success() && !o.stdout.is_empty() => {
            String::from_utf8_lossy(&o.stdout).trim().to_string()
        }
        _ => "unix:///var/run/docker.sock".to_string(),
    }
}

/// The error for an engine that did not answer `cmd` within `timeout`.
pub fn no_answer(cmd: &Command, timeout: Duration) -> EngineError {
    EngineError::new(
        ErrorKind::NoEngine,
        describe(cmd),
        format!(
            "no answer from the Docker engine at {} within {} s (ADF_ENGINE_TIMEOUT sets the wait)",
            endpoint(cmd.get_program()),
            timeout.as_secs_f64()
        ),
    )
}

/// Runs to the end with no input, within [`answer_timeout`]; the output whatever the exit
/// status.
pub fn output(cmd: &mut Command) -> Result<Output, EngineError> {
    output_within(cmd, Some(answer_timeout()))
}

/// As [`output`], with no time limit: a push or a registry request that may take long.
pub fn output_unbounded(cmd: &mut Command) -> Result<Output, EngineError> {
    output_within(cmd, None)
}

fn output_within(cmd: &mut Command, timeout: Option<Duration>) -> Result<Output, EngineError> {
    cmd.stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = spawn(cmd)?;
    let stdout = collect(child.stdout.take());
    let stderr = collect(child.stderr.take());
    let waited = wait(&mut child, None, timeout).map_err(|e| spawn_error(cmd, &e))?;
    let (stdout, stderr) = (
        stdout.join().unwrap_or_default(),
        stderr.join().unwrap_or_default(),
    );
    match waited {
        Waited::Exited(status) => Ok(Output {
            status,
            stdout,
            stderr,
        }),
        _ => Err(no_answer(cmd, timeout.unwrap_or_default())),
    }
}

/// Runs to the end with no input, within [`answer_timeout`]; stdout on success, otherwise an
/// error with stdout and stderr's last lines. `action` names the request in messages.
pub fn checked(cmd: &mut Command, action: &str) -> Result<String, EngineError> {
    checked_output(output(cmd)?, action)
}

/// As [`checked`], with no time limit (a request to a registry that may take long).
pub fn checked_unbounded(cmd: &mut Command, action: &str) -> Result<String, EngineError> {
    checked_output(output_unbounded(cmd)?, action)
}

fn checked_output(out: Output, action: &str) -> Result<String, EngineError> {
    if out.status.success() {
        return Ok(String::from_utf8_lossy(&out.stdout).into_owned());
    }
    let text = format!(
        "{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    Err(EngineError::from_output(action, out.status.code(), &text))
}

/// How a waited-for child ended.
pub enum Waited {
    Exited(ExitStatus),
    Interrupted,
    TimedOut,
}

/// How long a stopped client may take to end on SIGINT before its group is killed.
const STOP_GRACE: Duration = Duration::from_secs(10);

/// Stops a child started by [`spawn`] and everything in its process group: SIGINT (docker
/// cancels its request), then SIGKILL after [`STOP_GRACE`].
pub fn stop(child: &mut Child) {
    let pid = child.id() as libc::pid_t;
    // SAFETY: getpgid(2) of our own child; no memory is passed
    if unsafe { libc::getpgid(pid) } != pid {
        // in adf's own group: the client alone
        let _ = child.kill();
        let _ = child.wait();
        return;
    }
    let group = -pid;
    // SAFETY: kill(2) with the child's own process group; no memory is passed
    unsafe { libc::kill(group, libc::SIGINT) };
    let start = Instant::now();
    while start.elapsed() < STOP_GRACE {
        if matches!(child.try_wait(), Ok(Some(_)) | Err(_)) {
            break;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    // SAFETY: as above; whatever of the group is left
    unsafe { libc::kill(group, libc::SIGKILL) };
    let _ = child.wait();
}

/// Waits for `child` (started by [`spawn`]), stopping its process group when `interrupted` is
/// set or `timeout` passes.
pub fn wait(
    child: &mut Child,
    interrupted: Option<&AtomicBool>,
    timeout: Option<Duration>,
) -> io::Result<Waited> {
    let start = Instant::now();
    let mut pause = Duration::from_millis(2);
    let exit = ExitNotice::open(child);
    loop {
        if let Some(status) = child.try_wait()? {
            return Ok(Waited::Exited(status));
        }
        let stop = if interrupted.is_some_and(|f| f.load(Ordering::SeqCst)) {
            Some(Waited::Interrupted)
        } else if timeout.is_some_and(|t| start.elapsed() > t) {
            Some(Waited::TimedOut)
        } else {
            None
        };
        if let Some(w) = stop {
            self::stop(child);
            return Ok(w);
        }
        let most = timeout.map_or(STOP_CHECK, |t| t.saturating_sub(start.elapsed()));
        match &exit {
            // woken the moment the child exits; the stop flag is looked at every STOP_CHECK
            Some(notice) => notice.wait(most.min(STOP_CHECK)),
            None => {
                std::thread::sleep(pause.min(most));
                pause = (pause * 2).min(STOP_CHECK);
            }
        }
    }
}

/// How often a wait looks at the stop flag.
const STOP_CHECK: Duration = Duration::from_millis(50);

/// A child's exit as a file descriptor that becomes readable when it exits (Linux 5.3+
/// `pidfd_open`): waiting costs no polling delay. `None` where the kernel has none.
struct ExitNotice(std::os::fd::OwnedFd);

impl ExitNotice {
    fn open(child: &Child) -> Option<Self> {
        use std::os::fd::FromRawFd;
        let pid = libc::pid_t::try_from(child.id()).ok()?;
        // SAFETY: pidfd_open takes a pid and flags and returns a new descriptor or -1.
        let fd = unsafe { libc::syscall(libc::SYS_pidfd_open, pid, 0) };
        let fd = i32::try_from(fd).ok().filter(|&fd| fd >= 0)?;
        // SAFETY: the descriptor was just created and is owned by nothing else.
        Some(ExitNotice(unsafe { std::os::fd::OwnedFd::from_raw_fd(fd) }))
    }

    /// Returns when the child has exited, a signal arrived, or `most` passed.
    fn wait(&self, most: Duration) {
        use std::os::fd::AsRawFd;
        let mut poll = libc::pollfd {
            fd: self.0.as_raw_fd(),
            events: libc::POLLIN,
            revents: 0,
        };
        let ms = libc::c_int::try_from(most.as_millis()).unwrap_or(libc::c_int::MAX);
        // SAFETY: one valid pollfd, for at most `ms` milliseconds.
        unsafe { libc::poll(&mut poll, 1, ms.max(1)) };
    }
}

/// A child's stdout and stderr, for [`follow_lines`].
pub fn output_streams(child: &mut Child) -> Vec<Box<dyn Read + Send>> {
    let out = child
        .stdout
        .take()
        .map(|o| Box::new(o) as Box<dyn Read + Send>);
    let err = child
        .stderr
        .take()
        .map(|e| Box::new(e) as Box<dyn Read + Send>);
    out.into_iter().chain(err).collect()
}

/// Calls `on_line` for every line of every stream, each read on its own thread.
pub fn follow_lines(
    streams: Vec<Box<dyn Read + Send>>,
    on_line: &(dyn Fn(String) + Sync),
    body: impl FnOnce() -> io::Result<Waited>,
) -> io::Result<Waited> {
    std::thread::scope(|s| {
        for stream in streams {
            s.spawn(move || {
                for line in BufReader::new(stream).lines().map_while(Result::ok) {
                    on_line(line);
                }
            });
        }
        body()
    })
}

/// Reads a child's stream to the end on a thread.
pub fn collect(stream: Option<impl Read + Send + 'static>) -> std::thread::JoinHandle<Vec<u8>> {
    std::thread::spawn(move || {
        let mut bytes = Vec::new();
        if let Some(mut s) = stream {
            let _ = s.read_to_end(&mut bytes);
        }
        bytes
    })
}

/// The last lines of a collected stream.
pub fn tail_of(handle: std::thread::JoinHandle<Vec<u8>>) -> Vec<String> {
    last_lines(
        &String::from_utf8_lossy(&handle.join().unwrap_or_default()),
        6,
    )
}

/// Why a [`pump`] stopped early.
pub enum Pumped {
    /// Reading the source failed.
    Read(io::Error),
    /// Writing the sink failed.
    Write(io::Error),
    Stopped,
}

/// Copies `r` into `w` until the end, checking `stop` between chunks; bytes copied.
pub fn pump(r: &mut dyn Read, w: &mut dyn Write, stop: &AtomicBool) -> Result<u64, Pumped> {
    let mut buf = vec![0u8; 256 * 1024];
    let mut n = 0u64;
    loop {
        if stop.load(Ordering::SeqCst) {
            return Err(Pumped::Stopped);
        }
        let k = match r.read(&mut buf) {
            Ok(0) => return w.flush().map(|_| n).map_err(Pumped::Write),
            Ok(k) => k,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(Pumped::Read(e)),
        };
        w.write_all(&buf[..k]).map_err(Pumped::Write)?;
        n += k as u64;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pump_stops_when_asked() {
        let stop = AtomicBool::new(true);
        let mut out = Vec::new();
        assert!(matches!(
            pump(&mut &b"abc"[..], &mut out, &stop),
            Err(Pumped::Stopped)
        ));
        assert!(out.is_empty());
    }

    #[test]
    fn a_missing_client_is_named() {
        let mut cmd = Command::new("/nonexistent/docker");
        let e = output(&mut cmd).expect_err("no such binary");
        assert_eq!(e.kind, ErrorKind::CliNotFound);
        assert!(e.to_string().contains("/nonexistent/docker"));
    }
}
