//! Pushing one reference: tag the verified image ID, skip when the registry already holds the
//! same digest, otherwise push with retries and exponential backoff on transient failures.

use crate::engine::{Engine, EngineError, Remote};
use crate::model::reference::{registry_of, repository_of};
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
        if let Some(reg) = registry_of(&self.reference) {
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

/// Tags `image_id` as `reference` and makes the registry hold it.
pub fn push_one(
    engine: &dyn Engine,
    image_id: &str,
    reference: &str,
    retry: &Retry,
    log: &mut dyn FnMut(String),
) -> Result<Pushed, PushError> {
    let fail = |attempts, e: EngineError| PushError {
        reference: reference.to_string(),
        attempts,
        transient: e.is_transient(),
        message: e.message,
    };
    engine
        .tag(image_id, &[reference.to_string()])
        .map_err(|e| PushError {
            transient: false,
            ..fail(0, e)
        })?;
    let repository = repository_of(reference);
    let local = engine.local_digest(image_id, repository);
    match (engine.remote_digest(reference), &local) {
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
        match engine.push(reference) {
            Ok(digest) => {
                let digest = digest
                    .or_else(|| engine.local_digest(image_id, repository))
                    .unwrap_or_default();
                return Ok(Pushed::Pushed(digest));
            }
            Err(e) if !e.is_transient() || attempt > retry.retries => return Err(fail(attempt, e)),
            Err(e) => {
                log(format!(
                    "push of {reference} failed ({}); attempt {} of {} in {:.1}s",
                    e.message,
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
