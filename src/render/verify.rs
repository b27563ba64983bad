//! Verify reports as text and JSON.

use crate::verify::{self, Report, Status};

/// Each image's checks, then one summary line.
pub fn text(reports: &[Report]) -> String {
    let mut out = String::new();
    let (mut pass, mut fail, mut skip) = (0, 0, 0);
    for r in reports {
        let verdict = if r.passed() { "passed" } else { "FAILED" };
        out.push_str(&format!(
            "{}  {}  {}  linux/{}  {verdict}\n",
            r.name,
            r.reference,
            if r.image_id.is_empty() {
                "-"
            } else {
                super::short_id(&r.image_id)
            },
            if r.arch.is_empty() { "?" } else { &r.arch }
        ));
        let width = r
            .checks
            .iter()
            .map(|c| label(c).chars().count())
            .max()
            .unwrap_or(0);
        for c in &r.checks {
            out.push_str(&format!(
                "  {:<7}  {:<6}  {:<width$}  {}\n",
                c.status.to_string(),
                c.tier.to_string(),
                label(c),
                c.detail
            ));
        }
        pass += r.count(Status::Pass);
        fail += r.count(Status::Fail);
        skip += r.count(Status::Skipped);
        out.push('\n');
    }
    let images_failed = reports.iter().filter(|r| !r.passed()).count();
    out.push_str(&format!(
        "{} image{}: {} passed, {images_failed} failed; checks: {pass} PASS, {fail} FAIL, {skip} SKIPPED{}\n",
        reports.len(),
        if reports.len() == 1 { "" } else { "s" },
        reports.len() - images_failed,
        if skip > 0 { " (skipped checks proved nothing)" } else { "" }
    ));
    out
}

fn label(c: &verify::CheckResult) -> String {
    match &c.origin {
        Some(o) => format!("{} (from {o})", c.name),
        None => c.name.clone(),
    }
}

/// `{ok, images: [{name, reference, image_id, arch, passed, checks, seconds}]}`.
pub fn json(reports: &[Report]) -> serde_json::Value {
    let images: Vec<serde_json::Value> = reports
        .iter()
        .map(|r| {
            serde_json::json!({
                "name": r.name,
                "reference": r.reference,
                "image_id": r.image_id,
                "arch": r.arch,
                "passed": r.passed(),
                "checks": r.checks,
                "seconds": (r.seconds * 10.0).round() / 10.0,
            })
        })
        .collect();
    serde_json::json!({
        "ok": reports.iter().all(Report::passed),
        "images": images,
    })
}
