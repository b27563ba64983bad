//! ui: the terminal side of the ops' reporters. Builds: progress bars on a TTY, prefixed lines
//! otherwise, and the summary table; verify and push: one prefixed line per event. Status goes
//! to stderr, data to stdout.

mod progress;

pub use progress::{PushLines, VerifyLines};

use crate::engine::EngineInfo;
use crate::ops::build::{BuildReporter, Planned};
use crate::ops::schedule::{Event, Outcome, Status};
use crate::render::short_id;
use indicatif::{MultiProgress, ProgressBar, ProgressStyle};
use std::time::Duration;

pub struct BuildView {
    tty: bool,
    names: Vec<String>,
    logs: Vec<String>,
    bars: Option<(MultiProgress, Vec<Option<ProgressBar>>)>,
}

impl BuildView {
    /// `tty`: draw progress bars; otherwise print one line per event (CI logs).
    pub fn new(tty: bool) -> Self {
        BuildView {
            tty,
            names: Vec::new(),
            logs: Vec::new(),
            bars: None,
        }
    }

    fn line(&self, text: String) {
        match &self.bars {
            Some((mp, _)) => {
                let _ = mp.println(text);
            }
            None => eprintln!("{text}"),
        }
    }

    fn handle(&mut self, ev: &Event) {
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
            Status::FreshRegistry { reference } => {
                format!("[{name}] fresh (registry): {reference}, not pulled")
            }
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

impl BuildReporter for BuildView {
    fn start(&mut self, images: &[Planned], jobs: usize, engine: &EngineInfo) {
        self.names = images.iter().map(|i| i.name.clone()).collect();
        self.logs = images.iter().map(|i| i.log.display().to_string()).collect();
        self.bars = self
            .tty
            .then(|| (MultiProgress::new(), vec![None; images.len()]));
        let to_build = images
            .iter()
            .filter(|i| i.decision.action == crate::plan::decide::Action::Build)
            .count();
        eprintln!(
            "adf: {} image{}, {to_build} to build, {jobs} jobs, {} via {} ({})",
            images.len(),
            if images.len() == 1 { "" } else { "s" },
            engine.client.display(),
            engine.builder,
            engine.builder_reason
        );
    }

    fn event(&mut self, _: &[Planned], event: &Event) {
        self.handle(event);
    }

    fn warning(&mut self, text: &str) {
        self.line(format!("adf: warning: {text}"));
    }

    fn combined(&mut self, image: &str, tags: &[String], platforms: &[String]) {
        self.line(format!(
            "[{image}] {}: one local image for {}",
            tags.join(", "),
            platforms.join(", ")
        ));
    }
}
