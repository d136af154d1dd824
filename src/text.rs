//! Text shaping shared by the boundaries and the output: one-line messages.

/// Folds a message onto one line so scripts can rely on `provision: …` being a
/// single line of stderr.
pub fn one_line(message: &str) -> String {
    message.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_messages_to_one_line() {
        assert_eq!(one_line("a\n  b\tc "), "a b c");
    }
}
