//! SIGINT, SIGTERM (CI cancellation, `timeout`) and SIGHUP (the terminal went away) all ask the
//! running command to stop: the ops stop their child processes (by process group), remove hold
//! and pin tags and temporary directories, and adf exits 128 + the signal (130, 143, 129).
//! A write to a closed stdout or stderr (`adf list | head -1`, a full disk) ends quietly too.

use std::sync::atomic::{AtomicBool, AtomicI32, Ordering};
use std::sync::{Arc, OnceLock};

static FLAG: OnceLock<Arc<AtomicBool>> = OnceLock::new();
/// The first stop signal received (0: none).
static SIGNAL: AtomicI32 = AtomicI32::new(0);

extern "C" fn on_signal(sig: libc::c_int) {
    // async-signal-safe: atomics only
    let _ = SIGNAL.compare_exchange(0, sig, Ordering::SeqCst, Ordering::SeqCst);
    if let Some(flag) = FLAG.get() {
        flag.store(true, Ordering::SeqCst);
    }
}

/// The flag SIGINT, SIGTERM and SIGHUP set (the ops stop their children when it is set); the
/// handlers are installed on the first call. One flag per process.
pub(crate) fn interrupt_flag() -> Arc<AtomicBool> {
    static INSTALL: std::sync::Once = std::sync::Once::new();
    let flag = FLAG
        .get_or_init(|| Arc::new(AtomicBool::new(false)))
        .clone();
    INSTALL.call_once(|| {
        crate::engine::process::stop_on_signals();
        for sig in [libc::SIGINT, libc::SIGTERM, libc::SIGHUP] {
            // SAFETY: a zeroed sigaction with a handler that only touches atomics; SA_RESTART
            // keeps blocking reads and waits going after the signal
            unsafe {
                let mut action: libc::sigaction = std::mem::zeroed();
                action.sa_sigaction = on_signal as *const () as libc::sighandler_t;
                action.sa_flags = libc::SA_RESTART;
                libc::sigemptyset(&mut action.sa_mask);
                libc::sigaction(sig, &action, std::ptr::null_mut());
            }
        }
    });
    flag
}

/// The exit code of a command stopped by a signal: 128 + the signal (130 for Ctrl-C).
pub(crate) fn interrupted_exit() -> i32 {
    match SIGNAL.load(Ordering::SeqCst) {
        0 => super::EXIT_INTERRUPTED,
        sig => 128 + sig,
    }
}

/// How writing to stdout or stderr failed, when it did (set by the panic hook).
static OUTPUT_FAILED: OnceLock<String> = OnceLock::new();

/// `println!` and `eprintln!` panic when the stream is closed or full: such a panic prints
/// nothing (no message, no backtrace); [`exit_after_panic`] turns it into an exit code. Other
/// panics are reported as usual.
pub fn quiet_output_errors() {
    let default = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let message = info
            .payload()
            .downcast_ref::<String>()
            .map(String::as_str)
            .or_else(|| info.payload().downcast_ref::<&str>().copied())
            .unwrap_or("");
        if message.starts_with("failed printing to std") {
            let _ = OUTPUT_FAILED.set(message.to_string());
            return;
        }
        default(info);
    }));
}

/// The exit code after `cli::run` panicked: a stop signal's, 141 (128 + SIGPIPE, as a shell
/// reports a reader that went away) for a closed pipe, 1 for another write failure (said on
/// stderr when it still works), 101 for a real panic.
pub fn exit_after_panic() -> i32 {
    let Some(message) = OUTPUT_FAILED.get() else {
        return 101;
    };
    if SIGNAL.load(Ordering::SeqCst) != 0 {
        return interrupted_exit();
    }
    if message.contains("Broken pipe") || message.contains("os error 32") {
        return 128 + libc::SIGPIPE;
    }
    let what = message.trim_start_matches("failed printing to ");
    let _ = std::io::Write::write_all(
        &mut std::io::stderr(),
        format!("adf: error: cannot write to {what}\n").as_bytes(),
    );
    super::EXIT_FAILED
}
