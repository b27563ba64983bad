//! Terminal presentation of builds: progress bars on a TTY, prefixed lines otherwise, and the
//! summary table. Fed by scheduler events; status goes to stderr, the summary to stdout.

use crate::engine::scheduler::{Event, Outcome, Status};
use indicatif::{MultiProgress, ProgressBar, ProgressStyle};
use std::time::Duration;

pub struct BuildView {
    names: Vec<String>,
    logs: Vec<String>,
    bars: Option<(MultiProgress, Vec<Option<ProgressBar>>)>,
}

fn short_id(id: &str) -> &str {
    let id = id.strip_prefix("sha256:").unwrap_or(id);
    &id[..id.len().min(12)]
}

impl BuildView {
    /// `tty`: draw progress bars; otherwise print one line per event (CI logs).
    pub fn new(names: Vec<String>, logs: Vec<String>, tty: bool) -> Self {
        let bars = tty.then(|| (MultiProgress::new(), vec![None; names.len()]));
        BuildView { names, logs, bars }
    }

    fn line(&self, text: String) {
        match &self.bars {
            Some((mp, _)) => {
                let _ = mp.println(text);
            }
            None => eprintln!("{text}"),
        }
    }

    pub fn handle(&mut self, ev: &Event) {
        match ev {
            Event::Started { job } => {
                let name = self.names[*job].clone();
                match &mut self.bars {
                    Some((mp, bars)) => {
                        let pb = mp.add(ProgressBar::new_spinner());
                        let style = ProgressStyle::with_template(
                            "{spinner} {prefix:.bold} {elapsed:>4} {wide_msg}",
                        )
                        .unwrap_or_else(|_| ProgressStyle::default_spinner());
                        pb.set_style(style);
                        pb.set_prefix(name);
                        pb.set_message("starting");
                        pb.enable_steady_tick(Duration::from_millis(120));
                        bars[*job] = Some(pb);
                    }
                    None => eprintln!("[{name}] building"),
                }
            }
            Event::Step { job, step } => match &self.bars {
                Some((_, bars)) => {
                    if let Some(pb) = &bars[*job] {
                        pb.set_message(step.clone());
                    }
                }
                None => eprintln!("[{}] {step}", self.names[*job]),
            },
            Event::Finished { job, outcome } => {
                if let Some((_, bars)) = &mut self.bars {
                    if let Some(pb) = bars[*job].take() {
                        pb.finish_and_clear();
                    }
                }
                self.finished(*job, outcome);
            }
        }
    }

    fn finished(&self, job: usize, o: &Outcome) {
        let name = &self.names[job];
        let text = match &o.status {
            Status::Built { image_id } => format!(
                "[{name}] built in {:.1}s ({})",
                o.seconds,
                short_id(image_id)
            ),
            Status::Fresh { image_id } => format!("[{name}] fresh ({})", short_id(image_id)),
            Status::Failed { reason } => {
                let mut t = format!("[{name}] FAILED after {:.1}s: {reason}", o.seconds);
                for l in &o.tail {
                    t.push_str(&format!("\n[{name}] | {l}"));
                }
                t.push_str(&format!("\n[{name}] full log: {}", self.logs[job]));
                t
            }
            Status::Blocked { reason } => format!("[{name}] blocked: {reason}"),
            Status::Interrupted => format!("[{name}] interrupted; its tags were not touched"),
            Status::NotStarted => format!("[{name}] not started"),
        };
        self.line(text);
    }
}

/// IMAGE / STATUS / TIME / IMAGE ID
pub fn summary_table(names: &[String], outcomes: &[Outcome]) -> String {
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
    crate::render::table(&["IMAGE", "STATUS", "TIME", "IMAGE ID"], &rows)
}
