//! Everything `provision` prints: the JSON schema version, stdout, the one writer of
//! error and warning lines, the table renderer, and each command's text.

pub mod auto;
pub mod bench;
pub mod device;
pub mod inspect;
pub mod outdated;
pub mod plan;
pub mod prune;
pub mod quants;
pub mod server_env;
mod table;
pub mod verify;

pub use table::{Align, aligned, table};

use crate::exit;
use anyhow::Context;
use serde::Serialize;
use std::io::{self, Write};
use std::process::ExitCode;

/// The `schema_version` of every JSON object `provision` prints. Bumped when a
/// field changes meaning or disappears.
pub const SCHEMA_VERSION: u32 = 1;

/// Writes to stdout. A closed pipe is an error the caller turns into a quiet
/// exit 0 (see [`report`]); any other failure names stdout.
pub fn print(text: &str) -> anyhow::Result<()> {
    let mut out = io::stdout().lock();
    out.write_all(text.as_bytes())
        .and_then(|()| out.flush())
        .context("could not write to standard output")
}

/// Prints one pretty JSON object and a newline.
pub fn json<T: Serialize + ?Sized>(value: &T) -> anyhow::Result<()> {
    print(&(serde_json::to_string_pretty(value)? + "\n"))
}

/// `provision: <message>` on stderr, folded to one line.
pub fn error(message: &str) {
    line(&crate::text::one_line(message));
}

/// `provision: warning: <message>` on stderr, folded to one line.
pub fn warn(message: &str) {
    line(&format!("warning: {}", crate::text::one_line(message)));
}

fn line(message: &str) {
    let _ = writeln!(io::stderr(), "provision: {message}");
}

/// Prints the error that ended a run (unless stdout was a closed pipe) and picks
/// the exit code.
pub fn report(error: &anyhow::Error) -> ExitCode {
    let code = exit::code_of(error);
    if !exit::is_broken_pipe(error) {
        self::error(&format!("{error:#}"));
    }
    ExitCode::from(code)
}
