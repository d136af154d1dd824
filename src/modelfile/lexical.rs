//! Ollama's character classes and `unquote` (`parser/parser.go`), shared by the
//! grammar and the quoting that must satisfy it.

/// Upstream `unquote`: strips `"""…"""` or `"…"`; `None` while a quote is open.
pub(crate) fn unquote(text: &str) -> Option<String> {
    if text.starts_with("\"\"\"") {
        return (text.len() >= 6 && text.ends_with("\"\"\""))
            .then(|| text[3..text.len() - 3].to_string());
    }
    if text.starts_with('"') {
        return (text.len() >= 2 && text.ends_with('"')).then(|| text[1..text.len() - 1].into());
    }
    Some(text.to_string())
}

pub(crate) fn is_space(rune: char) -> bool {
    rune == ' ' || rune == '\t'
}

pub(crate) fn is_newline(rune: char) -> bool {
    rune == '\r' || rune == '\n'
}

/// Go's `strconv.IsPrint`: letters, marks, numbers, punctuation, symbols and the
/// ASCII space. Upstream silently drops every other rune outside the cases above.
/// The tables are Unicode 15.0.0, as in Go 1.21 to 1.26; a rune assigned later
/// counts as unassigned, so it is refused rather than risked.
pub(crate) fn is_print(rune: char) -> bool {
    use unicode_general_category::{GeneralCategory as G, get_general_category};
    if rune == ' ' {
        return true;
    }
    !matches!(
        get_general_category(rune),
        G::Control
            | G::Format
            | G::Surrogate
            | G::PrivateUse
            | G::Unassigned
            | G::SpaceSeparator
            | G::LineSeparator
            | G::ParagraphSeparator
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn printable_follows_go() {
        for c in ['a', 'é', '€', '😀', '\u{301}', ' ', '"'] {
            assert!(is_print(c), "{c:?}");
        }
        // U+1C89, a Cyrillic letter of Unicode 16, is unassigned for Go's tables.
        for c in [
            '\t', '\u{a0}', '\u{ad}', '\u{200b}', '\u{feff}', '\u{e000}', '\u{7f}', '\u{1c89}',
            '\u{2028}',
        ] {
            assert!(!is_print(c), "{c:?}");
        }
    }

    #[test]
    fn unquote_is_upstreams() {
        assert_eq!(unquote("\"\"\"a\"\"\""), Some("a".into()));
        assert_eq!(unquote("\"\"\"\""), None);
        assert_eq!(unquote("\"a\"b\""), Some("a\"b".into()));
        assert_eq!(unquote("\"open"), None);
        assert_eq!(unquote("bare\""), Some("bare\"".into()));
    }
}
