//! `docker login` with the password on standard input only.
//!
//! The password goes to docker through a pipe: never on a command line (visible in `ps`) or in
//! the environment of a child (visible in /proc). Any text adf shows from docker is scrubbed of it.

use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

#[derive(Debug)]
pub enum LoginError {
    DockerNotFound(PathBuf),
    /// The registry answered 401: wrong user name or password.
    Refused {
        registry: String,
        user: String,
        detail: String,
    },
    /// Nothing answered: connection refused, unknown host, timeout.
    Unreachable {
        registry: String,
        detail: String,
    },
    /// Any other failure; `detail` is docker's last error line.
    Failed {
        registry: String,
        detail: String,
    },
    Io(String),
}

impl std::fmt::Display for LoginError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::DockerNotFound(p) => write!(
                f,
                "docker CLI `{}` not found: install docker, or point adf at it with --docker PATH or ADF_DOCKER=PATH",
                p.display()
            ),
            Self::Refused { registry, user, detail } => write!(
                f,
                "login to {registry} failed: the registry refused the user name or password (user `{user}`); check both, or use an access token if the registry wants one [docker: {detail}]"
            ),
            Self::Unreachable { registry, detail } => write!(
                f,
                "login to {registry} failed: the registry is unreachable; check the host and port, and that the registry is running [docker: {detail}]"
            ),
            Self::Failed { registry, detail } => {
                write!(f, "login to {registry} failed [docker: {detail}]")?;
                if detail.contains("server gave HTTP response to HTTPS client") {
                    write!(f, "; the registry speaks plain HTTP: add it to \"insecure-registries\" in the engine's daemon.json")?;
                }
                Ok(())
            }
            Self::Io(e) => write!(f, "login failed: {e}"),
        }
    }
}

/// `docker login REGISTRY -u USER --password-stdin`, the password written to its stdin.
pub fn login(docker: &Path, registry: &str, user: &str, password: &str) -> Result<(), LoginError> {
    let mut child = Command::new(docker)
        .args([
            "login",
            "--username",
            user,
            "--password-stdin",
            "--",
            registry,
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| match e.kind() {
            io::ErrorKind::NotFound => LoginError::DockerNotFound(docker.into()),
            _ => LoginError::Io(format!("cannot run {}: {e}", docker.display())),
        })?;
    if let Some(mut stdin) = child.stdin.take() {
        // a docker that quit early closes the pipe: its exit status and stderr say why
        let _ = stdin.write_all(password.as_bytes());
    }
    let out = child
        .wait_with_output()
        .map_err(|e| LoginError::Io(format!("cannot run {}: {e}", docker.display())))?;
    if out.status.success() {
        return Ok(());
    }
    let text = format!(
        "{}\n{}",
        String::from_utf8_lossy(&out.stderr),
        String::from_utf8_lossy(&out.stdout)
    );
    Err(classify(registry, user, &scrub(&text, password)))
}

/// `text` with every occurrence of `secret` replaced by `***`.
pub fn scrub(text: &str, secret: &str) -> String {
    if secret.is_empty() {
        text.to_string()
    } else {
        text.replace(secret, "***")
    }
}

/// Names the failure from docker's (already scrubbed) output.
fn classify(registry: &str, user: &str, text: &str) -> LoginError {
    let lines: Vec<&str> = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    let detail = lines
        .iter()
        .rev()
        .find(|l| l.to_ascii_lowercase().contains("error"))
        .or(lines.last())
        .map_or_else(|| "no output".to_string(), |l| l.to_string());
    let lower = text.to_ascii_lowercase();
    let any = |needles: &[&str]| needles.iter().any(|n| lower.contains(n));
    let registry = registry.to_string();
    if any(&[
        "connection refused",
        "no such host",
        "i/o timeout",
        "no route to host",
        "network is unreachable",
        "temporary failure in name resolution",
    ]) {
        LoginError::Unreachable { registry, detail }
    } else if any(&[
        "unauthorized",
        "status: 401",
        "incorrect username or password",
        "authentication required",
    ]) {
        LoginError::Refused {
            registry,
            user: user.to_string(),
            detail,
        }
    } else {
        LoginError::Failed { registry, detail }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scrub_hides_every_occurrence() {
        assert_eq!(scrub("a pw b pw", "pw"), "a *** b ***");
        assert_eq!(scrub("nothing", ""), "nothing");
    }

    #[test]
    fn failures_are_named() {
        let refused = classify(
            "r:1",
            "u",
            "Error response from daemon: login attempt to http://r:1/v2/ failed with status: 401 Unauthorized\n",
        );
        assert!(
            matches!(&refused, LoginError::Refused { detail, .. } if detail.ends_with("401 Unauthorized"))
        );
        assert!(refused
            .to_string()
            .contains("refused the user name or password"));
        let down = classify(
            "r:1",
            "u",
            "Error response from daemon: Get \"http://r:1/v2/\": dial tcp r:1: connect: connection refused",
        );
        assert!(matches!(down, LoginError::Unreachable { .. }));
        assert!(down.to_string().contains("unreachable"));
        let other = classify("r:1", "u", "WARNING! x\nError: something else\n\n");
        assert!(
            matches!(&other, LoginError::Failed { detail, .. } if detail == "Error: something else")
        );
    }

    #[test]
    fn a_missing_docker_is_named() {
        let e = login(Path::new("/nonexistent/docker"), "r:1", "u", "pw");
        assert!(matches!(e, Err(LoginError::DockerNotFound(_))));
    }
}
