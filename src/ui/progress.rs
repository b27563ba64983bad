//! Line reporters for verify and push: one `[image] ...` line per event on stderr.

use crate::ops::push::{PushEntry, PushReporter};
use crate::ops::verify::VerifyReporter;
use crate::publish::push::PushError;
use crate::verify::{Report, Status, Subject};

/// `adf verify`'s progress.
pub struct VerifyLines;

impl VerifyReporter for VerifyLines {
    fn verifying(&mut self, subject: &Subject) {
        eprintln!("[{}] verifying {}", subject.name, subject.reference);
    }

    fn verified(&mut self, r: &Report) {
        eprintln!(
            "[{}] {} PASS, {} FAIL, {} SKIPPED ({:.1}s)",
            r.name,
            r.count(Status::Pass),
            r.count(Status::Fail),
            r.count(Status::Skipped),
            r.seconds
        );
    }

    fn warning(&mut self, text: &str) {
        eprintln!("adf: {}", crate::terminal::escape_controls(text));
    }
}

/// `adf push`'s progress.
pub struct PushLines;

impl PushReporter for PushLines {
    fn note(&mut self, image: &str, text: &str) {
        eprintln!("[{image}] {}", crate::terminal::escape_controls(text));
    }

    fn warning(&mut self, text: &str) {
        eprintln!("adf: warning: {}", crate::terminal::escape_controls(text));
    }

    fn pushed(&mut self, e: &PushEntry, seconds: f64) {
        match e.status {
            "unchanged" => eprintln!(
                "[{}] {} unchanged: the registry has {}",
                e.image, e.reference, e.digest
            ),
            _ => eprintln!(
                "[{}] {} pushed {} ({seconds:.1}s)",
                e.image, e.reference, e.digest
            ),
        }
    }

    fn failed(&mut self, image: &str, error: &PushError) {
        let error = error.to_string();
        eprintln!(
            "adf: [{image}] {}",
            crate::terminal::escape_controls(&error)
        );
    }

    fn skipped_waves(&mut self, images: usize) {
        eprintln!(
            "adf: {images} image{} of later waves not pushed",
            if images == 1 { "" } else { "s" }
        );
    }
}
