//! Go's `strconv.Unquote` for double-quoted strings, as printed by `%#v`.

/// Unquotes a Go double-quoted string literal; None when it is not one.
pub fn unquote(text: &str) -> Option<String> {
    let inner = text.strip_prefix('"')?.strip_suffix('"')?;
    let mut out = String::with_capacity(inner.len());
    let mut bytes: Vec<u8> = Vec::new();
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        match c {
            '"' => return None,
            '\\' => escape(&mut chars, &mut bytes, &mut out)?,
            c => {
                flush(&mut bytes, &mut out);
                out.push(c);
            }
        }
    }
    flush(&mut bytes, &mut out);
    Some(out)
}

/// `\xNN` and octal escapes are bytes; runs of them are decoded as UTF-8 together.
fn flush(bytes: &mut Vec<u8>, out: &mut String) {
    if !bytes.is_empty() {
        out.push_str(&String::from_utf8_lossy(bytes));
        bytes.clear();
    }
}

fn escape(chars: &mut std::str::Chars<'_>, bytes: &mut Vec<u8>, out: &mut String) -> Option<()> {
    let c = chars.next()?;
    let simple = match c {
        'a' => Some('\u{7}'),
        'b' => Some('\u{8}'),
        'f' => Some('\u{c}'),
        'n' => Some('\n'),
        'r' => Some('\r'),
        't' => Some('\t'),
        'v' => Some('\u{b}'),
        '\\' => Some('\\'),
        '"' => Some('"'),
        _ => None,
    };
    if let Some(s) = simple {
        flush(bytes, out);
        out.push(s);
        return Some(());
    }
    match c {
        'x' => bytes.push(u8::from_str_radix(&take(chars, 2)?, 16).ok()?),
        '0'..='7' => {
            let digits = format!("{c}{}", take(chars, 2)?);
            bytes.push(u8::try_from(u32::from_str_radix(&digits, 8).ok()?).ok()?);
        }
        'u' | 'U' => {
            let width = if c == 'u' { 4 } else { 8 };
            let code = u32::from_str_radix(&take(chars, width)?, 16).ok()?;
            flush(bytes, out);
            out.push(char::from_u32(code)?);
        }
        _ => return None,
    }
    Some(())
}

fn take(chars: &mut std::str::Chars<'_>, n: usize) -> Option<String> {
    let taken: String = chars.by_ref().take(n).collect();
    (taken.chars().count() == n && taken.chars().all(|c| c.is_ascii_hexdigit())).then_some(taken)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn unescapes_every_form() {
        assert_eq!(unquote(r#""<|eot_id|>""#).unwrap(), "<|eot_id|>");
        assert_eq!(unquote(r#""a\"b\\c\nd\te""#).unwrap(), "a\"b\\c\nd\te");
        assert_eq!(unquote(r#""\x41\u00e9\U0001F600""#).unwrap(), "Aé😀");
        assert_eq!(unquote(r#""\xc3\xa9""#).unwrap(), "é");
        assert_eq!(unquote(r#""\101""#).unwrap(), "A");
        assert_eq!(unquote(r#""""#).unwrap(), "");
    }

    #[test]
    fn rejects_malformed_literals() {
        for bad in [
            r#""open"#, r#"bare"#, r#""\q""#, r#""\x4""#, r#""a"b""#, r#""\""#,
        ] {
            assert_eq!(unquote(bad), None, "{bad}");
        }
    }

    proptest! {
        #[test]
        fn never_panics(text in "\\PC{0,40}") {
            let _ = unquote(&text);
            let _ = unquote(&format!("\"{text}\""));
        }

        #[test]
        fn inverts_debug_quoting_of_ascii(text in "[ -~\n\t]{0,30}") {
            let quoted = format!("{text:?}");
            prop_assert_eq!(unquote(&quoted).unwrap(), text);
        }
    }
}
