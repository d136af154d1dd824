//! The Ollama server settings in `auto`'s text output: one line after the
//! summary, or with `--dry-run` the commands and the drop-in's diff; where they
//! are not applied, the instructions.

use crate::server_env::decide::Mode;
use crate::server_env::session::{Report, Status};

/// The server-settings lines of `auto` (empty when skipped).
pub fn text(report: &Report, dry_run: bool) -> String {
    if report.mode == Mode::Skip {
        return String::new();
    }
    let mut out = format!("\nserver settings: {}\n", headline(report));
    if report.mode == Mode::Print && report.status != Status::InEffect {
        out.push_str(&indented(&report.how));
    }
    if dry_run {
        for command in &report.commands {
            out.push_str(&format!("  $ {command}\n"));
        }
        if let Some(diff) = &report.diff {
            out.push_str(&indented(diff));
        }
    }
    if let Some(file) = &report.file {
        let verb = if dry_run { "would write" } else { "wrote" };
        out.push_str(&format!("  {verb} {}\n", file.display()));
    }
    out
}

fn headline(report: &Report) -> String {
    let (reason, how) = (&report.reason, &report.how);
    match report.status {
        Status::Unchanged => format!("in effect ({how})"),
        Status::Applied => format!("applied ({how}): {reason}"),
        Status::Planned => format!("to change ({how}): {reason}"),
        Status::Failed => format!("FAILED: {}", report.error.as_deref().unwrap_or(reason)),
        Status::InEffect => "in effect".to_string(),
        Status::Printed => format!("not applied by provision: {reason}; set them so:"),
        Status::Skipped => "skipped".to_string(),
    }
}

fn indented(text: &str) -> String {
    text.lines().map(|line| format!("  {line}\n")).collect()
}
