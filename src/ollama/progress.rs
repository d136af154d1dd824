//! Parser for the stderr progress of `ollama create` and `ollama pull`: ANSI-redrawn
//! frames (even without a TTY) followed by an optional `Error:` block.

/// Marks the start of a frame since v0.5.12 (synchronized update begin).
const FRAME_START: &str = "\x1b[?2026h";
/// Shows the cursor again at the end of every frame, in all eras.
const FRAME_END: &str = "\x1b[?25h";
/// Hides the cursor at the start of every frame, in all eras.
const HIDE_CURSOR: &str = "\x1b[?25l";
const SPINNER: &str = "⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏";

/// One line of a frame.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProgressLine {
    /// A spinner line; `running` while it still shows a spinner character.
    Status { text: String, running: bool },
    /// A bar such as `pulling dde5aa3fc5ff: 100% ▕██▏ 2.0 GB`; `rest` is the
    /// suffix (the total size once finished, `cur/max rate eta` while running).
    Bar {
        label: String,
        percent: u32,
        rest: String,
    },
}

/// The state shown by the last frame, and the error that followed it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProgressState {
    pub lines: Vec<ProgressLine>,
    /// The `Error:` message (without the prefix), with any following lines.
    pub error: Option<String>,
}

impl ProgressState {
    /// The text of the last status line, if the frame ends with one.
    pub fn last_status(&self) -> Option<&str> {
        match self.lines.last()? {
            ProgressLine::Status { text, .. } => Some(text),
            ProgressLine::Bar { .. } => None,
        }
    }

    /// True when the final frame ends in `success` and no error followed.
    pub fn succeeded(&self) -> bool {
        self.error.is_none() && self.last_status() == Some("success")
    }
}

/// Removes CSI escape sequences (`ESC [ params letter`).
pub fn strip_ansi(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\x1b' && chars.peek() == Some(&'[') {
            chars.next();
            while let Some(&p) = chars.peek() {
                chars.next();
                if p.is_ascii_alphabetic() {
                    break;
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// The `Error:` message: the first `Error: ` line plus any lines after it.
pub fn error_message(stderr: &str) -> Option<String> {
    let clean = strip_ansi(stderr);
    let start = clean.lines().position(|line| line.starts_with("Error: "))?;
    let mut lines: Vec<&str> = clean.lines().skip(start).collect();
    lines[0] = &lines[0]["Error: ".len()..];
    Some(lines.join("\n").trim_end().to_string())
}

fn parse_bar(line: &str) -> Option<ProgressLine> {
    let marker = line.find("% ▕")?;
    let close = line.rfind('▏')?;
    let head = &line[..marker];
    // After the last character that is not a digit (which may be several bytes).
    let digits_at = head
        .char_indices()
        .rfind(|(_, c)| !c.is_ascii_digit())
        .map_or(0, |(i, c)| i + c.len_utf8());
    let percent = head[digits_at..].parse().ok()?;
    let label = head[..digits_at].trim_end();
    let label = label
        .strip_suffix("...")
        .or_else(|| label.strip_suffix(':'))
        .unwrap_or(label);
    let rest = line.get(close + '▏'.len_utf8()..)?.trim();
    Some(ProgressLine::Bar {
        label: label.to_string(),
        percent,
        rest: rest.to_string(),
    })
}

fn parse_line(line: &str) -> ProgressLine {
    if let Some(bar) = parse_bar(line) {
        return bar;
    }
    let text = line.trim_end();
    match text.chars().last() {
        Some(c) if SPINNER.contains(c) => ProgressLine::Status {
            text: text[..text.len() - c.len_utf8()].trim_end().to_string(),
            running: true,
        },
        _ => ProgressLine::Status {
            text: text.to_string(),
            running: false,
        },
    }
}

/// The raw text of the last frame: after the last frame marker (or, before
/// v0.5.12, after the last cursor-hide sequence).
fn last_frame(stderr: &str) -> &str {
    let start = stderr
        .rfind(FRAME_START)
        .or_else(|| stderr.rfind(HIDE_CURSOR));
    start.map_or(stderr, |i| &stderr[i..])
}

/// Parses captured stderr into the last frame's lines and the error.
pub fn parse_progress(stderr: &str) -> ProgressState {
    let frame = strip_ansi(last_frame(stderr));
    let lines = frame
        .lines()
        .take_while(|line| !line.starts_with("Error: "))
        .filter(|line| !line.trim().is_empty())
        .map(parse_line)
        .collect();
    ProgressState {
        lines,
        error: error_message(stderr),
    }
}

/// Parses the newest complete frame of a stream still being written, if any.
pub fn parse_partial(stderr: &str) -> Option<ProgressState> {
    let end = stderr.rfind(FRAME_END)?;
    Some(parse_progress(&stderr[..end]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bar_glyph_before_the_percent_is_not_cut_in_half() {
        // Found by `never_panics`: the digits start after a 3-byte character.
        assert_eq!(parse_bar("▏% ▕"), None);
        assert!(parse_bar("pulling ▏7% ▕██▏ 1 MB").is_some());
    }
    use proptest::prelude::*;

    #[test]
    fn finished_bars_and_statuses() {
        let bar = "pulling dde5aa3fc5ff: 100% ▕██████████████████▏ 2.0 GB                         ";
        let expected = ProgressLine::Bar {
            label: "pulling dde5aa3fc5ff".into(),
            percent: 100,
            rest: "2.0 GB".into(),
        };
        assert_eq!(parse_line(bar), expected);
        let old =
            parse_line("pulling dde5aa3fc5ff...  45% ▕████      ▏ 1.0 GB/2.0 GB  10 MB/s  1m");
        assert!(
            matches!(old, ProgressLine::Bar { label, percent: 45, .. } if label == "pulling dde5aa3fc5ff")
        );
        let spinning = ProgressLine::Status {
            text: "writing manifest".into(),
            running: true,
        };
        assert_eq!(parse_line("writing manifest ⠙ "), spinning);
    }

    #[test]
    fn an_error_after_the_frame() {
        let stderr = "\x1b[?2026h\x1b[?25l\x1b[1Gpulling manifest \x1b[K\x1b[?25h\x1b[?2026l\nError: pull model manifest: file does not exist\n";
        let state = parse_progress(stderr);
        assert_eq!(state.last_status(), Some("pulling manifest"));
        assert_eq!(
            state.error.as_deref(),
            Some("pull model manifest: file does not exist")
        );
        assert!(!state.succeeded());
    }

    #[test]
    fn partial_streams_use_the_last_complete_frame() {
        let stderr = "\x1b[?2026h\x1b[?25l\x1b[1Ga ⠋ \x1b[K\x1b[?25h\x1b[?2026l\x1b[?2026h\x1b[?25l\x1b[1Ga \x1b[K\nb";
        let state = parse_partial(stderr).unwrap();
        assert_eq!(
            state.lines,
            [ProgressLine::Status {
                text: "a".into(),
                running: true
            }]
        );
        assert_eq!(parse_partial("no frame yet"), None);
    }

    proptest! {
        #[test]
        fn never_panics(text in "(\\PC|\n|\x1b|\\[|\\?|▕|▏|%){0,120}") {
            let _ = parse_progress(&text);
            let _ = parse_partial(&text);
        }
    }
}
