//! ui: the terminal side of the ops' reporters. Builds: progress bars on a TTY, prefixed lines
//! otherwise, and the summary table; verify and push: one prefixed line per event. Status goes
//! to stderr, data to stdout.

mod progress;

pub use progress::{PushLines, VerifyLines};

use crate::engine::EngineInfo;
use crate::ops::build::{Backend, BuildReporter, Chosen, Planned};
use crate::ops::schedule::{Event, Outcome, Status};
use crate::render::short_id;
use indicatif::{MultiProgress, ProgressBar, ProgressStyle};
use std::time::Duration;

static QUIET: std::sync::OnceLock<bool> = std::sync::OnceLock::new();

/// Records `-q/--quiet` for the process (the first call wins).
pub fn set_quiet(quiet: bool) {
    let _ = QUIET.set(quiet);
}

/// Whether informational stderr lines (progress, `adf: ...` notes) are suppressed.
pub fn quiet() -> bool {
    QUIET.get().copied().unwrap_or(false)
}

/// Prints an informational `adf: TEXT` line on stderr unless `--quiet`.
pub fn note(text: &str) {
    if !quiet() {
        eprintln!("adf: {}", crate::terminal::escape_controls(text));
    }
}

/// How `adf build` shows progress (`--progress`, resolved).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Progress {
    /// Progress bars (a terminal).
    Bars,
    /// One `[image] ...` line per event (CI logs).
    Lines,
    /// Like `Lines`, each line with a UTC timestamp.
    Plain,
    /// No progress; failures still print.
    Quiet,
}

pub struct BuildView {
    tty: bool,
    mode: Progress,
    names: Vec<String>,
    logs: Vec<String>,
    bars: Option<(MultiProgress, Vec<Option<ProgressBar>>)>,
}

impl BuildView {
    /// `tty`: draw progress bars; otherwise print one line per event (CI logs).
    pub fn new(tty: bool) -> Self {
        Self::with(if tty { Progress::Bars } else { Progress::Lines })
    }

    /// A view in the given mode.
    pub fn with(mode: Progress) -> Self {
        BuildView {
            tty: mode == Progress::Bars,
            mode,
            names: Vec::new(),
            logs: Vec::new(),
            bars: None,
        }
    }

    fn line(&self, text: String) {
        // build output is the engine's and the Dockerfile's: no escape sequence gets through
        let text = crate::terminal::escape_controls(&text).into_owned();
        let text = if self.mode == Progress::Plain {
            stamp(&text)
        } else {
            text
        };
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
                    // started again (a bake repairing a child): the same spinner
                    Some((_, bars)) if bars[*job].is_some() => {
                        if let Some(pb) = &bars[*job] {
                            pb.set_message("starting again");
                        }
                    }
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
                    None if self.mode == Progress::Quiet => {}
                    None => self.line(format!("[{name}] building")),
                }
            }
            Event::Step { job, step } => match &self.bars {
                Some((_, bars)) => {
                    if let Some(pb) = &bars[*job] {
                        pb.set_message(crate::terminal::escape_controls(step).into_owned());
                    }
                }
                None if self.mode == Progress::Quiet => {}
                None => self.line(format!("[{}] {step}", self.names[*job])),
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
        if self.mode == Progress::Quiet && !matches!(o.status, Status::Failed { .. }) {
            return;
        }
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
    fn start(&mut self, images: &[Planned], jobs: usize, engine: Option<(&EngineInfo, &Chosen)>) {
        self.names = images.iter().map(|i| i.name.clone()).collect();
        self.logs = images.iter().map(|i| i.log.display().to_string()).collect();
        self.bars = self
            .tty
            .then(|| (MultiProgress::new(), vec![None; images.len()]));
        let to_build = images
            .iter()
            .filter(|i| i.decision.action == crate::plan::decide::Action::Build)
            .count();
        if self.mode == Progress::Quiet || quiet() {
            return;
        }
        let s = if images.len() == 1 { "" } else { "s" };
        let counted = format!("{} image{s}", images.len());
        let Some((engine, chosen)) = engine.filter(|_| to_build > 0) else {
            eprintln!("adf: {counted}, nothing to build");
            return;
        };
        let how = match chosen.backend {
            Backend::Bake => "one buildx bake".to_string(),
            Backend::Cli => format!("docker build, {jobs} at once"),
        };
        eprintln!(
            "adf: {counted}, {to_build} to build: {how} ({}) via {} ({}: {})",
            chosen.reason,
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

    fn note(&mut self, text: &str) {
        if self.mode != Progress::Quiet && !quiet() {
            self.line(format!("adf: {text}"));
        }
    }

    fn combined(&mut self, image: &str, tags: &[String], platforms: &[String]) {
        if self.mode == Progress::Quiet {
            return;
        }
        self.line(format!(
            "[{image}] {}: one local image for {}",
            tags.join(", "),
            platforms.join(", ")
        ));
    }
}

/// `HH:MM:SS TEXT` (UTC) on each line of `text`.
fn stamp(text: &str) -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let (h, m, s) = ((secs / 3600) % 24, (secs / 60) % 60, secs % 60);
    text.lines()
        .map(|l| format!("{h:02}:{m:02}:{s:02} {l}"))
        .collect::<Vec<_>>()
        .join("\n")
}
