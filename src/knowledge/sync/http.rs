//! The HTTP side of a sync: [`HttpFetch`], the blocking `ureq` client behind [`Fetch`].

use std::io::Read;
use std::time::Duration;

use super::{Fetch, SyncError};

/// Blocking HTTP(S) through `ureq` (proxy from the environment, timeouts).
pub struct HttpFetch {
    agent: ureq::Agent,
}

impl Default for HttpFetch {
    fn default() -> Self {
        HttpFetch {
            agent: ureq::AgentBuilder::new()
                .timeout_connect(Duration::from_secs(15))
                .timeout(Duration::from_secs(120))
                .try_proxy_from_env(true)
                .user_agent(concat!("adf/", env!("CARGO_PKG_VERSION")))
                .build(),
        }
    }
}

impl Fetch for HttpFetch {
    fn get(&self, url: &str) -> Result<Option<Vec<u8>>, SyncError> {
        match self.agent.get(url).set("Accept", "application/json").call() {
            Ok(resp) => {
                let mut body = Vec::new();
                resp.into_reader()
                    .take(256 * 1024 * 1024)
                    .read_to_end(&mut body)
                    .map_err(|e| SyncError::Network(format!("reading {url}: {e}")))?;
                Ok(Some(body))
            }
            Err(ureq::Error::Status(404, _)) => Ok(None),
            Err(ureq::Error::Status(code, _)) => {
                Err(SyncError::Network(format!("{url} answered HTTP {code}")))
            }
            Err(ureq::Error::Transport(t)) => {
                Err(SyncError::Network(format!("cannot reach {url}: {t}")))
            }
        }
    }
}
