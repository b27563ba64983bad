//! `adf build --timings`: a self-contained HTML report of where a build's time went, as
//! `cargo build --timings` writes one. A Gantt chart (inline SVG, no script, no external URL)
//! with one row per image, grouped by wave: queued (waiting for a free job after its parents
//! were done), building, tagging; the critical path outlined; then a table of per-image times
//! and the totals.

use crate::ops::timings::Timings;

/// Escapes text for HTML.
fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

const ROW_HEIGHT: f64 = 22.0;
const LABEL_WIDTH: f64 = 260.0;
const CHART_WIDTH: f64 = 900.0;

const STYLE: &str = "body{font:14px/1.4 system-ui,sans-serif;margin:24px;color:#222}\
h1{font-size:20px}table{border-collapse:collapse;margin-top:16px}\
td,th{padding:2px 10px;border-bottom:1px solid #ddd;text-align:right}\
td:first-child,th:first-child{text-align:left}.crit td{font-weight:bold}\
.legend span{display:inline-block;width:12px;height:12px;margin:0 4px 0 14px;vertical-align:middle}\
svg text{font:12px system-ui,sans-serif}";

fn secs(v: Option<f64>) -> String {
    v.map_or_else(|| "–".to_string(), |s| format!("{s:.2}"))
}

/// The report as one HTML document.
pub fn html(t: &Timings) -> String {
    let critical = t.critical_path();
    let span = t.total_seconds.max(0.001);
    let x = |s: f64| LABEL_WIDTH + (s / span) * CHART_WIDTH;
    let mut order: Vec<usize> = (0..t.rows.len()).collect();
    order.sort_by_key(|&i| t.rows[i].wave);
    let waves = order
        .iter()
        .map(|&i| t.rows[i].wave)
        .max()
        .map_or(0, |w| w + 1);
    let height = ROW_HEIGHT * (order.len() as f64 + waves as f64) + 30.0;
    let mut svg = format!(
        "<svg width=\"{}\" height=\"{height}\" role=\"img\">",
        LABEL_WIDTH + CHART_WIDTH + 20.0
    );
    // the time axis
    let step = [
        0.1, 0.5, 1.0, 2.0, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0, 600.0, 1800.0,
    ]
    .into_iter()
    .find(|s| span / s <= 12.0)
    .unwrap_or(3600.0);
    let mut tick = 0.0;
    while tick <= span {
        svg.push_str(&format!(
            "<line x1=\"{0:.1}\" x2=\"{0:.1}\" y1=\"14\" y2=\"{height}\" stroke=\"#eee\"/><text x=\"{0:.1}\" y=\"11\" text-anchor=\"middle\">{tick}s</text>",
            x(tick)
        ));
        tick += step;
    }
    let mut y = 20.0;
    let mut wave = usize::MAX;
    for &i in &order {
        let r = &t.rows[i];
        if r.wave != wave {
            wave = r.wave;
            svg.push_str(&format!(
                "<text x=\"4\" y=\"{:.1}\" font-weight=\"bold\">wave {wave}</text>",
                y + 15.0
            ));
            y += ROW_HEIGHT;
        }
        let crit = critical.contains(&i);
        svg.push_str(&format!(
            "<text x=\"16\" y=\"{:.1}\">{}</text>",
            y + 15.0,
            esc(&r.name)
        ));
        let bar = |from: Option<f64>, to: Option<f64>, class: &str, color: &str| {
            match (from, to) {
            (Some(a), Some(b)) if b >= a => format!(
                "<rect class=\"{class}\" x=\"{:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"16\" fill=\"{color}\"{}><title>{} {class} {:.2}s</title></rect>",
                x(a),
                y + 3.0,
                ((b - a) / span * CHART_WIDTH).max(2.0),
                if crit && class == "building" { " stroke=\"#d00\" stroke-width=\"2\"" } else { "" },
                esc(&r.name),
                b - a
            ),
            _ => String::new(),
        }
        };
        svg.push_str(&bar(r.ready, r.started, "queued", "#d9d9d9"));
        svg.push_str(&bar(r.started, r.built, "building", "#4a90d9"));
        svg.push_str(&bar(r.built, r.finished, "tagging", "#5cb85c"));
        y += ROW_HEIGHT;
    }
    svg.push_str("</svg>");

    let mut rows_html = String::new();
    for &i in &order {
        let r = &t.rows[i];
        let building = r.started.zip(r.built).map(|(a, b)| b - a);
        let tagging = r.built.zip(r.finished).map(|(a, b)| b - a);
        let queued = r.ready.zip(r.started).map(|(a, b)| b - a);
        rows_html.push_str(&format!(
            "<tr{}><td>{}</td><td>{}</td><td>{}</td><td>{:.3}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            if critical.contains(&i) { " class=\"crit\"" } else { "" },
            esc(&r.name),
            r.wave,
            esc(&r.status),
            r.hash_seconds,
            secs(queued),
            secs(building),
            secs(tagging),
            secs(r.finished)
        ));
    }
    let built = t.rows.iter().filter(|r| r.status == "built").count();
    let critical_names: Vec<String> = critical.iter().map(|&i| esc(&t.rows[i].name)).collect();
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>{title}</title><style>{STYLE}</style></head><body>\
<h1>{title}</h1>\
<p>{total:.2} s in all: {decide:.2} s deciding (file, fingerprints, freshness), then {n} images ({built} built) in {waves} waves, {jobs} at a time ({backend}).</p>\
<p>Critical path ({crit_len}): {path}</p>\
<p class=\"legend\"><span style=\"background:#d9d9d9\"></span>queued <span style=\"background:#4a90d9\"></span>building <span style=\"background:#5cb85c\"></span>tagging <span style=\"border:2px solid #d00\"></span>critical path</p>\
{svg}\
<table><tr><th>image</th><th>wave</th><th>status</th><th>hash s</th><th>queued s</th><th>building s</th><th>tagging s</th><th>done at s</th></tr>{rows_html}</table>\
<p><small>{footer}</small></p></body></html>\n",
        title = esc(&t.title),
        total = t.total_seconds,
        decide = t.decide_seconds,
        n = t.rows.len(),
        jobs = t.jobs,
        backend = esc(&t.backend),
        crit_len = critical.len(),
        path = critical_names.join(" → "),
        footer = esc(&t.footer),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ops::timings::Row;

    fn row(name: &str, wave: usize, parents: Vec<usize>, times: (f64, f64, f64, f64)) -> Row {
        Row {
            name: name.into(),
            wave,
            status: "built".into(),
            parents,
            ready: Some(times.0),
            started: Some(times.1),
            built: Some(times.2),
            finished: Some(times.3),
            hash_seconds: 0.01,
        }
    }

    fn sample() -> Timings {
        Timings {
            title: "adf build <x>".into(),
            rows: vec![
                row("root", 0, vec![], (0.0, 0.0, 1.0, 1.1)),
                row("a", 1, vec![0], (1.1, 1.1, 2.0, 2.1)),
                row("b", 1, vec![0], (1.1, 1.2, 4.0, 4.1)),
                row("leaf", 2, vec![1, 2], (4.1, 4.1, 5.0, 5.2)),
            ],
            decide_seconds: 0.2,
            total_seconds: 5.3,
            jobs: 2,
            backend: "docker build".into(),
            footer: "adf".into(),
        }
    }

    #[test]
    fn the_critical_path_follows_the_last_parent_to_finish() {
        assert_eq!(sample().critical_path(), vec![0, 2, 3]);
        assert_eq!(Timings::default().critical_path(), Vec::<usize>::new());
    }

    #[test]
    fn the_report_is_self_contained_with_one_bar_per_phase() {
        let page = html(&sample());
        assert!(page.starts_with("<!DOCTYPE html>"));
        assert_eq!(page.matches("class=\"building\"").count(), 4);
        assert_eq!(page.matches("class=\"tagging\"").count(), 4);
        assert_eq!(page.matches("stroke=\"#d00\"").count(), 3);
        assert!(page.contains("adf build &lt;x&gt;"));
        assert!(page.contains("root → b → leaf"));
        assert!(!page.contains("http"), "no URL at all");
    }
}
