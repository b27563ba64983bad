//! The one error type of the engine seam: what adf asked the engine to do, what kind of failure
//! it was, and the engine's own words.

use std::fmt;

/// What went wrong, in terms the callers act on (retry, exit code, hint).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ErrorKind {
    /// The engine's command-line client is not installed where adf looked.
    CliNotFound,
    /// The client runs but cannot reach an engine (no daemon, wrong `DOCKER_HOST`).
    NoEngine,
    /// An image or reference the engine does not have.
    NoSuchImage,
    /// A registry refused the credentials or the access (another attempt will not help).
    Denied,
    /// A registry refused the name or the manifest (another attempt will not help).
    Invalid,
    /// A registry could not be reached (another attempt may help).
    Unreachable,
    /// The engine's client cannot do what was asked (a command or plugin it lacks).
    Unsupported,
    /// Stopped by Ctrl-C.
    Interrupted,
    /// adf's own side of a stream failed (the file written or read), not the engine.
    Stream,
    /// Anything else the engine reported.
    Failed,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EngineError {
    pub kind: ErrorKind,
    /// What adf asked for, e.g. `docker push 127.0.0.1:5000/a:1`.
    pub action: String,
    /// The engine's message: its last meaningful output line, or the OS error.
    pub message: String,
    /// The engine's last output lines (for a build: the failing step), oldest first.
    pub tail: Vec<String>,
    /// The client's exit code, when it exited.
    pub code: Option<i32>,
}

impl EngineError {
    pub fn new(kind: ErrorKind, action: impl Into<String>, message: impl Into<String>) -> Self {
        EngineError {
            kind,
            action: action.into(),
            message: message.into(),
            tail: Vec::new(),
            code: None,
        }
    }

    /// A failed client run: its kind read from its output, its last lines kept.
    pub fn from_output(action: impl Into<String>, code: Option<i32>, output: &str) -> Self {
        let tail = last_lines(output, 6);
        let message = tail
            .iter()
            .rev()
            .find(|l| l.to_ascii_lowercase().contains("error"))
            .or(tail.last())
            .cloned()
            .unwrap_or_else(|| "no output".into());
        EngineError {
            kind: classify(output),
            action: action.into(),
            message,
            tail,
            code,
        }
    }

    /// Another attempt could succeed.
    pub fn is_transient(&self) -> bool {
        matches!(self.kind, ErrorKind::Unreachable | ErrorKind::Failed)
    }

    /// How to fix it, when the kind says.
    pub fn help(&self) -> Option<&'static str> {
        match self.kind {
            ErrorKind::CliNotFound => Some(
                "install docker, or point adf at the CLI with --docker PATH or ADF_DOCKER=PATH",
            ),
            ErrorKind::NoEngine => Some(
                "start dockerd (bash scripts/engine.sh up starts a local one), or set DOCKER_HOST",
            ),
            _ => None,
        }
    }
}

impl fmt::Display for EngineError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.kind {
            ErrorKind::CliNotFound => f.write_str(&self.message),
            ErrorKind::NoEngine => write!(f, "{}: {}", self.action, self.message),
            ErrorKind::Interrupted => write!(f, "{}: interrupted", self.action),
            _ => write!(f, "{} failed: {}", self.action, self.message),
        }
    }
}

impl std::error::Error for EngineError {}

/// The last `max` non-empty lines of an output, trimmed, oldest first: the one tail helper.
pub fn last_lines(text: &str, max: usize) -> Vec<String> {
    let lines: Vec<&str> = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    lines[lines.len().saturating_sub(max)..]
        .iter()
        .map(|l| l.to_string())
        .collect()
}

/// Reads an engine or registry failure's kind from its output.
pub fn classify(output: &str) -> ErrorKind {
    let m = output.to_ascii_lowercase();
    let any = |needles: &[&str]| needles.iter().any(|n| m.contains(n));
    if any(&["no such image", "does not exist locally", "no such object"]) {
        ErrorKind::NoSuchImage
    } else if any(&[
        "cannot connect to the docker daemon",
        "is the docker daemon running",
    ]) {
        ErrorKind::NoEngine
    } else if any(&[
        "unauthorized",
        "denied",
        "authentication required",
        "no basic auth credentials",
        "incorrect username or password",
        "status: 401",
    ]) {
        ErrorKind::Denied
    } else if any(&[
        "name invalid",
        "manifest invalid",
        "invalid reference format",
    ]) {
        ErrorKind::Invalid
    } else if any(&[
        "connection refused",
        "no such host",
        "i/o timeout",
        "no route to host",
        "network is unreachable",
        "temporary failure in name resolution",
    ]) {
        ErrorKind::Unreachable
    } else {
        ErrorKind::Failed
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_from_engine_words() {
        assert_eq!(
            classify("unauthorized: authentication required"),
            ErrorKind::Denied
        );
        assert_eq!(
            classify("denied: requested access to the resource is denied"),
            ErrorKind::Denied
        );
        assert_eq!(
            classify("Get \"http://127.0.0.1:5000/v2/\": dial tcp 127.0.0.1:5000: connect: connection refused"),
            ErrorKind::Unreachable
        );
        assert_eq!(
            classify("Error: No such image: x/y:1"),
            ErrorKind::NoSuchImage
        );
        assert_eq!(classify("something odd"), ErrorKind::Failed);
    }

    #[test]
    fn the_message_is_the_engines_error_line() {
        let e = EngineError::from_output(
            "docker login r:1",
            Some(1),
            "WARNING! x\nError: something else\n\n",
        );
        assert_eq!(e.message, "Error: something else");
        assert_eq!(e.tail, ["WARNING! x", "Error: something else"]);
        assert_eq!(
            e.to_string(),
            "docker login r:1 failed: Error: something else"
        );
        assert_eq!(last_lines("a\n\n b \nc\n", 2), ["b", "c"]);
    }
}
