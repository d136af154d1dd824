//! Progress of pulls and creates on stderr: indicatif bars on a terminal, one
//! plain line per step otherwise, nothing with `--quiet`.

use crate::ollama::{ProgressLine, ProgressState};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::IsTerminal;

/// Where progress goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    Quiet,
    Lines,
    Bars,
}

/// The progress reporter of one run.
#[derive(Debug, Clone, Copy)]
pub struct Progress {
    mode: Mode,
}

/// One pull or create in progress.
pub struct Step {
    bar: Option<ProgressBar>,
}

impl Progress {
    /// Bars when stderr is a terminal, plain lines when not, nothing when `quiet`.
    pub fn new(quiet: bool) -> Progress {
        let mode = if quiet {
            Mode::Quiet
        } else if std::io::stderr().is_terminal() {
            Mode::Bars
        } else {
            Mode::Lines
        };
        Progress { mode }
    }

    /// Starts a step: `pulling llama3.1:8b-instruct-q4_K_M 4.9 GB`.
    pub fn start(&self, text: String) -> Step {
        match self.mode {
            Mode::Quiet => Step { bar: None },
            Mode::Lines => {
                eprintln!("{text}");
                Step { bar: None }
            }
            Mode::Bars => {
                let bar = ProgressBar::with_draw_target(Some(100), ProgressDrawTarget::stderr());
                let style = ProgressStyle::with_template(
                    "{prefix} [{bar:30.cyan/blue}] {pos:>3}% {wide_msg}",
                )
                .expect("a valid progress template")
                .progress_chars("=> ");
                bar.set_style(style);
                bar.set_prefix(text);
                Step { bar: Some(bar) }
            }
        }
    }

    /// A line of information (not an error): suppressed by `--quiet`.
    pub fn note(&self, text: &str) {
        if self.mode != Mode::Quiet {
            eprintln!("{text}");
        }
    }
}

impl Step {
    /// Shows the newest frame: the percent of its last bar, its last status.
    pub fn update(&mut self, state: &ProgressState) {
        let Some(bar) = &self.bar else { return };
        match state.lines.last() {
            Some(ProgressLine::Bar { label, percent, .. }) => {
                bar.set_position(u64::from(*percent));
                bar.set_message(label.clone());
            }
            Some(ProgressLine::Status { text, .. }) => bar.set_message(text.clone()),
            None => {}
        }
    }

    /// Ends the step, leaving the line on screen.
    pub fn finish(self) {
        if let Some(bar) = self.bar {
            bar.abandon();
        }
    }
}
