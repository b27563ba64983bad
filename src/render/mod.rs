//! Text and JSON renderings of lists, plans and reports (pure: data in, string out).

pub mod config;
pub mod graph;
pub mod spec;
pub mod timings;
pub mod verify;

use crate::model::Project;
use crate::ops::schedule::Outcome;
use crate::plan::decide::Decision;
use crate::plan::Plan;
use serde::Serialize;
use unicode_width::UnicodeWidthStr;

/// Words as one POSIX shell line: a word of only safe characters as it is, any other in single
/// quotes (a quote inside as `'\''`).
pub fn shell_line(words: &[String]) -> String {
    words
        .iter()
        .map(|w| crate::shell::word(w))
        .collect::<Vec<_>>()
        .join(" ")
}

/// Left-aligned columns separated by two spaces; the last column is not padded.
/// Columns padded by display width (a CJK character takes two columns).
pub fn table(header: &[&str], rows: &[Vec<String>]) -> String {
    let rows: Vec<Vec<String>> = rows
        .iter()
        .map(|r| {
            r.iter()
                .map(|c| crate::terminal::escape_controls(c).into_owned())
                .collect()
        })
        .collect();
    let rows = rows.as_slice();
    let mut widths: Vec<usize> = header.iter().map(|h| UnicodeWidthStr::width(*h)).collect();
    for row in rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(UnicodeWidthStr::width(cell.as_str()));
        }
    }
    let mut out = String::new();
    let mut line = |cells: Vec<&str>| {
        let last = cells.len().saturating_sub(1);
        let mut s = String::new();
        for (i, cell) in cells.iter().enumerate() {
            s.push_str(cell);
            if i < last {
                s.push_str(&" ".repeat(widths[i] - UnicodeWidthStr::width(*cell) + 2));
            }
        }
        out.push_str(s.trim_end());
        out.push('\n');
    };
    line(header.to_vec());
    for row in rows {
        line(row.iter().map(String::as_str).collect());
    }
    out
}

#[derive(Serialize)]
struct ListEntry<'a> {
    name: &'a str,
    tags: Vec<&'a str>,
    depends_on: Vec<&'a str>,
}

pub fn list_json(p: &Project) -> serde_json::Value {
    let entries: Vec<ListEntry> = p
        .images
        .iter()
        .map(|i| ListEntry {
            name: &i.name,
            tags: i.tags().collect(),
            depends_on: i.depends_on.iter().map(|d| d.value.as_str()).collect(),
        })
        .collect();
    serde_json::json!(entries)
}

pub fn list_table(p: &Project) -> String {
    let rows: Vec<Vec<String>> = p
        .images
        .iter()
        .map(|i| {
            let deps: Vec<&str> = i.depends_on.iter().map(|d| d.value.as_str()).collect();
            vec![
                i.name.clone(),
                i.tags().collect::<Vec<_>>().join(", "),
                if deps.is_empty() {
                    "-".into()
                } else {
                    deps.join(", ")
                },
            ]
        })
        .collect();
    table(&["IMAGE", "TAGS", "DEPENDS ON"], &rows)
}

/// One image of `plan --format json`: the planned image, its build spec, the decision.
#[derive(serde::Serialize)]
pub struct PlanRow<'a> {
    #[serde(flatten)]
    image: &'a crate::plan::PlannedImage,
    #[serde(skip_serializing_if = "Option::is_none")]
    build: Option<spec::BuildView<'a>>,
    #[serde(flatten, skip_serializing_if = "Option::is_none")]
    decision: Option<&'a Decision>,
}

/// `plan --format json`.
#[derive(serde::Serialize)]
pub struct PlanJson<'a> {
    images: Vec<PlanRow<'a>>,
}

/// The plan as JSON: `{images: [...]}`, each image with its full build spec under `build`
/// (context and Dockerfile relative to the file's directory, secret names only, never values)
/// and the decision's fields. Serialized straight from the plan (no intermediate `Value`:
/// 10,000 images print in a few milliseconds more than the text plan).
pub fn plan_json<'a>(
    project: &'a crate::model::Project,
    plan: &'a Plan,
    decisions: Option<&'a [Decision]>,
) -> PlanJson<'a> {
    let images = plan
        .images
        .iter()
        .enumerate()
        .map(|(pos, img)| PlanRow {
            image: img,
            build: project
                .images
                .get(img.index)
                .map(|i| spec::BuildView::new(&i.spec, &project.dir, true)),
            decision: decisions.and_then(|d| d.get(pos)),
        })
        .collect();
    PlanJson { images }
}

/// The plan as text; with decisions each image shows `build`/`fresh` and why (all changed
/// inputs with `explain`).
pub fn plan_text(plan: &Plan, decisions: Option<&[Decision]>, explain: bool) -> String {
    let n = plan.images.len();
    let waves = plan.waves();
    let mut out = format!(
        "{n} image{} in {waves} wave{} (images of one wave can build together)\n",
        if n == 1 { "" } else { "s" },
        if waves == 1 { "" } else { "s" }
    );
    let mut current = usize::MAX;
    for (pos, img) in plan.images.iter().enumerate() {
        if img.wave != current {
            current = img.wave;
            out.push_str(&format!("\nwave {current}\n"));
        }
        let decision = decisions.and_then(|d| d.get(pos));
        match decision {
            Some(d) => {
                let action = d.action.word();
                out.push_str(&format!(
                    "  {action} {}  ->  {}  ({})\n",
                    img.name,
                    img.tags.join(", "),
                    d.reason
                ));
                if explain {
                    for c in &d.changes {
                        out.push_str(&format!("      changed: {c}\n"));
                    }
                    out.push_str(&format!("      fingerprint {}\n", d.fingerprint));
                }
            }
            None => out.push_str(&format!("  {}  ->  {}\n", img.name, img.tags.join(", "))),
        }
        let from = match (&img.base, img.depends_on.first()) {
            (Some(b), Some(parent)) => format!("{b} (from {parent})"),
            (Some(b), None) => b.clone(),
            (None, _) => "(as the Dockerfile says)".into(),
        };
        out.push_str(&format!("      FROM {from}\n"));
        if img.depends_on.len() > 1 {
            out.push_str(&format!("      after {}\n", img.depends_on[1..].join(", ")));
        }
        if !img.args.is_empty() {
            let args: Vec<String> = img.args.iter().map(|(k, v)| format!("{k}={v}")).collect();
            out.push_str(&format!("      args {}\n", args.join(" ")));
        }
        if let Some(d) = &img.runtime_deps {
            out.push_str(&format!(
                "      + layer {}: installs at start ({})\n",
                crate::plan::runtime_deps::WRAPPER_PATH,
                d.describe()
            ));
        }
    }
    out
}

/// The first 12 hex digits of an image ID.
pub fn short_id(id: &str) -> &str {
    let id = id.strip_prefix("sha256:").unwrap_or(id);
    &id[..id.len().min(12)]
}

/// IMAGE / STATUS / TIME / IMAGE ID
pub fn build_table(names: &[String], outcomes: &[Outcome]) -> String {
    let rows: Vec<Vec<String>> = names
        .iter()
        .zip(outcomes)
        .map(|(n, o)| {
            let time = if o.seconds > 0.0 {
                format!("{:.1}s", o.seconds)
            } else {
                "-".into()
            };
            vec![
                n.clone(),
                o.status.word().to_string(),
                time,
                o.status.image_id().map(short_id).unwrap_or("-").to_string(),
            ]
        })
        .collect();
    table(&["IMAGE", "STATUS", "TIME", "IMAGE ID"], &rows)
}

/// `{ok, images: [{name, status, image_id?, reason?, seconds}]}`.
pub fn build_json(names: &[String], outcomes: &[Outcome]) -> serde_json::Value {
    let images: Vec<serde_json::Value> = names
        .iter()
        .zip(outcomes)
        .map(|(n, o)| {
            let mut v = serde_json::json!({ "name": n });
            if let (Some(obj), Ok(serde_json::Value::Object(status))) =
                (v.as_object_mut(), serde_json::to_value(&o.status))
            {
                obj.extend(status);
                obj.insert(
                    "seconds".into(),
                    serde_json::json!((o.seconds * 10.0).round() / 10.0),
                );
            }
            v
        })
        .collect();
    let ok = outcomes.iter().all(|o| o.status.ok());
    serde_json::json!({ "ok": ok, "images": images })
}

/// The `--metadata-file` of `adf build`: `{images: {NAME: {tags, image_id?, digest, platform?,
/// status, reason?, started_at, finished_at, seconds, log?}}, ok}` in build order. `digest` is
/// always null (a build pushes nothing; `adf push --manifest` has the digests); `log` only for
/// images that were built or failed.
pub fn build_metadata(plan: &Plan, report: &crate::ops::build::BuildReport) -> serde_json::Value {
    use crate::ops::schedule::Status;
    let time = |t: Option<std::time::SystemTime>| t.map(crate::ops::rfc3339);
    let mut images = serde_json::Map::new();
    for ((p, planned), o) in plan.images.iter().zip(&report.images).zip(&report.outcomes) {
        let mut v = serde_json::Map::new();
        v.insert("tags".into(), serde_json::json!(p.tags));
        if let Some(id) = o.status.image_id() {
            v.insert("image_id".into(), serde_json::json!(id));
        }
        v.insert("digest".into(), serde_json::Value::Null);
        if let Some(platform) = &p.platform {
            v.insert("platform".into(), serde_json::json!(platform));
        }
        // `status` (and `reason` for failed and blocked images), as in the build JSON
        if let Ok(serde_json::Value::Object(status)) = serde_json::to_value(&o.status) {
            v.extend(status.into_iter().filter(|(k, _)| k != "image_id"));
        }
        v.insert("started_at".into(), serde_json::json!(time(o.started_at)));
        v.insert("finished_at".into(), serde_json::json!(time(o.finished_at)));
        v.insert(
            "seconds".into(),
            serde_json::json!((o.seconds * 10.0).round() / 10.0),
        );
        let ran = planned.decision.action == crate::plan::decide::Action::Build;
        if matches!(o.status, Status::Built { .. })
            || ran && matches!(o.status, Status::Failed { .. })
        {
            v.insert(
                "log".into(),
                serde_json::json!(planned.log.display().to_string()),
            );
        }
        images.insert(planned.name.clone(), serde_json::Value::Object(v));
    }
    serde_json::json!({ "images": images, "ok": report.ok() })
}

#[cfg(test)]
mod tests {
    use super::shell_line;

    #[test]
    fn tables_align_by_display_width() {
        let rows = vec![
            vec!["镜像-910b".to_string(), "x".to_string()],
            vec!["ab".to_string(), "y".to_string()],
        ];
        let out = super::table(&["NAME", "TAG"], &rows);
        let cols: Vec<usize> = out
            .lines()
            .map(|l| {
                let i = l.rfind(' ').expect("two columns") + 1;
                unicode_width::UnicodeWidthStr::width(&l[..i])
            })
            .collect();
        assert_eq!(cols, vec![11, 11, 11], "{out}");
    }

    #[test]
    fn shell_lines_quote_only_what_needs_it() {
        let words: Vec<String> = ["docker", "-v", "/a:/a:ro", "sh", "-c", "echo 'hi' $X", ""]
            .iter()
            .map(|w| w.to_string())
            .collect();
        assert_eq!(
            shell_line(&words),
            r#"docker -v /a:/a:ro sh -c 'echo '\''hi'\'' $X' ''"#
        );
    }
}
