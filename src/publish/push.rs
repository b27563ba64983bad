//! Pushing one reference: tag the verified image ID, skip when the registry already holds the
//! same digest, otherwise `docker push` with retries and exponential backoff on transient
//! failures.

use super::registry::{self, Remote};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

/// `ns/repo:tag` under `PREFIX`: `PREFIX/repo:tag` (the last path component and the tag).
pub fn destination(tag: &str, prefix: Option<&str>) -> String {
    let Some(prefix) = prefix else {
        return tag.to_string();
    };
    let last = tag.rsplit('/').next().unwrap_or(tag);
    format!("{}/{last}", prefix.trim_end_matches('/'))
}

#[derive(Clone, Debug)]
pub struct Retry {
    /// Attempts after the first.
    pub retries: u32,
    /// The first wait; it doubles after each attempt.
    pub delay: Duration,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Pushed {
    /// Pushed; the manifest digest.
    Pushed(String),
    /// The registry already had this digest.
    Unchanged(String),
}

#[derive(Clone, Debug)]
pub struct PushError {
    pub reference: String,
    pub attempts: u32,
    pub message: String,
    pub transient: bool,
}

impl std::fmt::Display for PushError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "pushing {} failed after {} attempt{}: {}",
            self.reference,
            self.attempts,
            if self.attempts == 1 { "" } else { "s" },
            self.message
        )?;
        if let Some(reg) = registry::registry_of(&self.reference) {
            if self.transient {
                write!(f, " (is the registry at {reg} up and reachable?)")?;
            } else {
                write!(
                    f,
                    " (run `adf login {reg} -u USER --password-stdin` if it needs credentials)"
                )?;
            }
        }
        Ok(())
    }
}

/// Failures that another attempt will not fix.
pub fn is_permanent(message: &str) -> bool {
    let m = message.to_ascii_lowercase();
    [
        "unauthorized",
        "denied",
        "authentication required",
        "no basic auth credentials",
        "name invalid",
        "manifest invalid",
        "invalid reference format",
        "no such image",
        "does not exist locally",
    ]
    .iter()
    .any(|p| m.contains(p))
}

/// `TAG: digest: sha256:... size: N` from `docker push` output.
pub fn parse_push_digest(output: &str) -> Option<String> {
    output.lines().rev().find_map(|l| {
        let rest = &l[l.find("digest: ")? + "digest: ".len()..];
        rest.split_whitespace().next().map(str::to_string)
    })
}

fn docker(docker: &Path, args: &[&str]) -> Result<String, String> {
    let out = Command::new(docker)
        .args(args)
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("cannot run {}: {e}", docker.display()))?;
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    if out.status.success() {
        Ok(text)
    } else {
        let last = text
            .lines()
            .rev()
            .find(|l| !l.trim().is_empty())
            .unwrap_or("docker failed")
            .trim()
            .to_string();
        Err(last)
    }
}

/// Tags `image_id` as `reference` and makes the registry hold it.
pub fn push_one(
    docker_path: &Path,
    image_id: &str,
    reference: &str,
    retry: &Retry,
    log: &mut dyn FnMut(String),
) -> Result<Pushed, PushError> {
    let fail = |attempts, message: String, transient| PushError {
        reference: reference.to_string(),
        attempts,
        message,
        transient,
    };
    docker(docker_path, &["tag", image_id, reference]).map_err(|e| fail(0, e, false))?;
    let repository = registry::repository_of(reference);
    let local = registry::local_digest(docker_path, image_id, repository);
    match (registry::remote_digest(docker_path, reference), &local) {
        (Remote::Digest(remote), Some(local)) if remote == *local => {
            return Ok(Pushed::Unchanged(remote));
        }
        (Remote::Unknown(why), _) if !why.is_empty() => {
            log(format!(
                "cannot ask the registry for {reference} ({why}); pushing"
            ));
        }
        _ => {}
    }
    let mut delay = retry.delay;
    let mut attempt = 0;
    loop {
        attempt += 1;
        match docker(docker_path, &["push", reference]) {
            Ok(out) => {
                let digest = parse_push_digest(&out)
                    .or_else(|| registry::local_digest(docker_path, image_id, repository))
                    .unwrap_or_default();
                return Ok(Pushed::Pushed(digest));
            }
            Err(e) if is_permanent(&e) => return Err(fail(attempt, e, false)),
            Err(e) if attempt > retry.retries => return Err(fail(attempt, e, true)),
            Err(e) => {
                log(format!(
                    "push of {reference} failed ({e}); attempt {} of {} in {:.1}s",
                    attempt + 1,
                    retry.retries + 1,
                    delay.as_secs_f64()
                ));
                std::thread::sleep(delay);
                delay = delay.saturating_mul(2);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn destinations() {
        assert_eq!(
            destination("adf/base:1", Some("127.0.0.1:5000/team")),
            "127.0.0.1:5000/team/base:1"
        );
        assert_eq!(
            destination("reg.io:443/a/b/c:2", Some("127.0.0.1:5000/")),
            "127.0.0.1:5000/c:2"
        );
        assert_eq!(destination("plain:1", Some("r.io")), "r.io/plain:1");
        assert_eq!(destination("adf/base:1", None), "adf/base:1");
    }

    #[test]
    fn push_output_and_error_classes() {
        let out = "The push refers to repository [127.0.0.1:5000/a]\n39339a9fcb51: Pushed\n1: digest: sha256:7cd3 size: 736\n";
        assert_eq!(parse_push_digest(out).as_deref(), Some("sha256:7cd3"));
        assert_eq!(parse_push_digest("nothing"), None);
        assert!(is_permanent("unauthorized: authentication required"));
        assert!(is_permanent(
            "denied: requested access to the resource is denied"
        ));
        assert!(!is_permanent("Get \"http://127.0.0.1:5000/v2/\": dial tcp 127.0.0.1:5000: connect: connection refused"));
    }

    #[test]
    fn errors_say_what_to_do() {
        let e = PushError {
            reference: "127.0.0.1:5003/a:1".into(),
            attempts: 3,
            message: "connection refused".into(),
            transient: true,
        };
        assert_eq!(e.to_string(), "pushing 127.0.0.1:5003/a:1 failed after 3 attempts: connection refused (is the registry at 127.0.0.1:5003 up and reachable?)");
    }
}
