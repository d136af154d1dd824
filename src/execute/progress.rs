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
pub struct Task {
    bar: Option<ProgressBar>,
}

impl Progress {
    /// Bars when stderr is a terminal that can redraw (`redraws`: TERM is set and
    /// not `dumb`, since indicatif draws nothing otherwise), plain lines when not,
    /// nothing when `quiet`.
    pub fn new(quiet: bool, redraws: bool) -> Progress {
        let mode = if quiet {
            Mode::Quiet
        } else if std::io::stderr().is_terminal() && redraws {
            Mode::Bars
        } else {
            Mode::Lines
        };
        Progress { mode }
    }

    /// Starts a step with a bar (a pull: `pulling llama3.1:8b-instruct-q4_K_M 4.9 GB`).
    pub fn bar(&self, text: String) -> Task {
        self.step(text, "{prefix} [{bar:30.cyan/blue}] {pos:>3}%")
    }

    /// Starts a step with a spinner and the latest status (a create).
    pub fn spinner(&self, text: String) -> Task {
        self.step(text, "{prefix} {spinner} {msg}")
    }

    fn step(&self, text: String, template: &str) -> Task {
        match self.mode {
            Mode::Quiet => Task { bar: None },
            Mode::Lines => {
                eprintln!("{text}");
                Task { bar: None }
            }
            Mode::Bars => {
                let bar = ProgressBar::with_draw_target(Some(100), ProgressDrawTarget::stderr());
                let style = ProgressStyle::with_template(template)
                    .expect("a valid progress template")
                    .progress_chars("=> ");
                bar.set_style(style);
                bar.set_prefix(text);
                bar.enable_steady_tick(std::time::Duration::from_millis(100));
                Task { bar: Some(bar) }
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

impl Task {
    /// Shows the newest frame: the least advanced of its bars (a pull is done
    /// when every layer is), and its last status.
    pub fn update(&mut self, state: &ProgressState) {
        let Some(bar) = &self.bar else { return };
        let least = state
            .lines
            .iter()
            .filter_map(|line| match line {
                ProgressLine::Bar { percent, .. } => Some(u64::from(*percent)),
                ProgressLine::Status { .. } => None,
            })
            .min();
        if let Some(percent) = least {
            bar.set_position(percent);
        }
        if let Some(status) = state.last_status() {
            bar.set_message(status.to_string());
        }
    }

    /// Ends the step, leaving its line on screen; `done` fills the bar.
    pub fn finish(self, done: bool) {
        if let Some(bar) = self.bar {
            if done {
                bar.set_position(100);
                bar.set_message("done");
            }
            bar.abandon();
            // indicatif leaves the cursor after the last frame; end that line.
            if !bar.is_hidden() {
                eprintln!();
            }
        }
    }
}
