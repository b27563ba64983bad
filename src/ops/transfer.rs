//! Moving images by hand: `adf save` (names of the file become their tags), `adf load`, and
//! `adf login` with a password that never reaches a command line or a message.

use crate::archive::{self, ArchiveError, SaveReport};
use crate::engine::{Engine, EngineError, ErrorKind};
use crate::model::Project;
use std::path::Path;
use std::sync::atomic::AtomicBool;

/// A reference to save and, when it came from the file, the image it is a tag of.
pub struct Wanted {
    pub reference: String,
    pub image: Option<String>,
}

/// Image names of the file become their tags; anything else is a docker reference. Errors name
/// an image of the file that has no tags.
pub fn resolve(project: Option<&Project>, images: &[String]) -> Result<Vec<Wanted>, String> {
    let mut wanted: Vec<Wanted> = Vec::new();
    for arg in images {
        // a declared name is every platform of it; `NAME@ARCH` is one
        let found: Vec<&crate::model::Image> = project
            .map(|p| {
                let members = match p.find(arg) {
                    Some(i) => vec![i],
                    None => p.family(arg).to_vec(),
                };
                members.into_iter().map(|i| &p.images[i]).collect()
            })
            .unwrap_or_default();
        let refs: Vec<(String, Option<String>)> = match found.is_empty() {
            false => {
                let tags: Vec<_> = found
                    .iter()
                    .flat_map(|img| img.tags())
                    .map(|t| (t.to_string(), Some(arg.clone())))
                    .collect();
                if tags.is_empty() {
                    return Err(arg.clone());
                }
                tags
            }
            true => vec![(arg.clone(), None)],
        };
        for (reference, image) in refs {
            if !wanted.iter().any(|w| w.reference == reference) {
                wanted.push(Wanted { reference, image });
            }
        }
    }
    Ok(wanted)
}

pub fn save(
    engine: &dyn Engine,
    wanted: &[Wanted],
    out: &Path,
    stop: &AtomicBool,
) -> Result<SaveReport, ArchiveError> {
    let refs: Vec<String> = wanted.iter().map(|w| w.reference.clone()).collect();
    archive::save(engine, &refs, out, stop)
}

pub fn load(
    engine: &dyn Engine,
    input: &Path,
    stop: &AtomicBool,
) -> Result<Vec<String>, ArchiveError> {
    archive::load(engine, input, stop)
}

/// Why a login failed, in words that say what to do.
#[derive(Debug)]
pub struct LoginError {
    pub registry: String,
    pub user: String,
    pub error: Box<EngineError>,
}

impl LoginError {
    /// Bad input (exit 2) rather than a failure (exit 1).
    pub fn is_bad_input(&self) -> bool {
        matches!(
            self.error.kind,
            ErrorKind::CliNotFound | ErrorKind::NoEngine
        )
    }
}

impl std::fmt::Display for LoginError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let (registry, detail) = (&self.registry, &self.error.message);
        match self.error.kind {
            ErrorKind::CliNotFound => {
                write!(f, "{detail}: {}", self.error.help().unwrap_or_default())
            }
            ErrorKind::Denied => write!(
                f,
                "login to {registry} failed: the registry refused the user name or password (user `{}`); check both, or use an access token if the registry wants one [docker: {detail}]",
                self.user
            ),
            ErrorKind::Unreachable => write!(
                f,
                "login to {registry} failed: the registry is unreachable; check the host and port, and that the registry is running [docker: {detail}]"
            ),
            _ => {
                write!(f, "login to {registry} failed [docker: {detail}]")?;
                if detail.contains("server gave HTTP response to HTTPS client") {
                    write!(f, "; the registry speaks plain HTTP: add it to \"insecure-registries\" in the engine's daemon.json")?;
                }
                Ok(())
            }
        }
    }
}

pub fn login(
    engine: &dyn Engine,
    registry: &str,
    user: &str,
    password: &str,
) -> Result<(), LoginError> {
    engine
        .login(registry, user, password)
        .map_err(|error| LoginError {
            registry: registry.to_string(),
            user: user.to_string(),
            error: Box::new(error),
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn failure(output: &str) -> LoginError {
        LoginError {
            registry: "r:1".into(),
            user: "u".into(),
            error: Box::new(EngineError::from_output(
                "docker login r:1",
                Some(1),
                output,
            )),
        }
    }

    #[test]
    fn failures_are_named() {
        let refused = failure(
            "Error response from daemon: login attempt to http://r:1/v2/ failed with status: 401 Unauthorized\n",
        );
        assert!(refused.error.message.ends_with("401 Unauthorized"));
        assert!(refused
            .to_string()
            .contains("refused the user name or password"));
        let down = failure(
            "Error response from daemon: Get \"http://r:1/v2/\": dial tcp r:1: connect: connection refused",
        );
        assert!(down.to_string().contains("unreachable"));
        let other = failure("WARNING! x\nError: something else\n\n");
        assert_eq!(
            other.to_string(),
            "login to r:1 failed [docker: Error: something else]"
        );
    }

    #[test]
    fn a_missing_docker_is_named() {
        let engine = crate::engine::DockerCli::unprobed("/nonexistent/docker".into());
        let e = login(&engine, "r:1", "u", "pw").expect_err("no client");
        assert!(e.is_bad_input());
        assert!(e.to_string().contains("/nonexistent/docker"));
    }
}
