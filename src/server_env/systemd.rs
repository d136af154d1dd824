//! The systemd side as text: the drop-in `provision` writes, and what
//! `systemctl show` prints about the `ollama` unit.

use std::collections::BTreeMap;

/// The unit the official installer creates (`scripts/install.sh` at v0.33.0-rc2
/// writes `/etc/systemd/system/ollama.service`).
pub const UNIT: &str = "ollama";

/// The drop-in directory of that unit, relative to the root.
pub const DROP_IN_DIR: &str = "etc/systemd/system/ollama.service.d";

/// The drop-in `provision` owns; other drop-ins are never touched.
pub const DROP_IN_NAME: &str = "50-provision.conf";

/// The properties `provision` asks `systemctl show` for.
pub const PROPERTIES: &str = "LoadState,ActiveState,MainPID,NeedDaemonReload,Environment";

/// The drop-in holding exactly these variables, in this order.
pub fn render_drop_in(variables: &[(&str, &str)]) -> String {
    let mut text = String::from(
        "# The Ollama server settings provision's plan needs, rewritten by every `provision auto`.\n\
         # To manage them yourself: run it with --server-env print (or skip) and remove this file.\n\
         [Service]\n",
    );
    for (name, value) in variables {
        text.push_str(&format!(
            "Environment=\"{}={}\"\n",
            unit_escape(name),
            unit_escape(value)
        ));
    }
    text
}

/// A value inside a double-quoted unit-file word: `\` and `"` escaped, `%`
/// doubled (systemd expands `%` specifiers in `Environment=`).
fn unit_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '%' => out.push_str("%%"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            c => out.push(c),
        }
    }
    out
}

/// The `NAME=value` assignments of a drop-in's `Environment=` lines, later ones
/// winning; other lines are ignored. Reads what [`render_drop_in`] writes and
/// hand edits in the same style (quoted or bare words).
pub fn drop_in_assignments(text: &str) -> BTreeMap<String, String> {
    let mut found = BTreeMap::new();
    for line in text.lines() {
        let Some(value) = line.trim().strip_prefix("Environment=") else {
            continue;
        };
        for word in words(&value.replace("%%", "%")).unwrap_or_default() {
            if let Some((name, value)) = word.split_once('=') {
                found.insert(name.to_string(), value.to_string());
            }
        }
    }
    found
}

/// What `systemctl show ollama` said about the unit.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UnitState {
    /// `loaded`, `not-found`, `masked`, …
    pub load_state: String,
    /// `active`, `inactive`, `failed`, `activating`, …
    pub active_state: String,
    /// The server's process, when it runs.
    pub main_pid: Option<u32>,
    /// A unit file or drop-in changed since the last `daemon-reload`.
    pub need_reload: bool,
    /// The `Environment=` assignments systemd loaded.
    pub environment: BTreeMap<String, String>,
}

impl UnitState {
    /// Whether the unit exists (the installer's layout).
    pub fn loaded(&self) -> bool {
        self.load_state == "loaded"
    }

    /// Whether its server is running (or starting).
    pub fn running(&self) -> bool {
        matches!(
            self.active_state.as_str(),
            "active" | "activating" | "reloading"
        )
    }
}

/// Parses `systemctl show -p …` output (`Key=value` lines, any order).
pub fn parse_show(text: &str) -> Result<UnitState, String> {
    let mut state = UnitState::default();
    for line in text.lines() {
        let Some((key, value)) = line.split_once('=') else {
            continue;
        };
        match key {
            "LoadState" => state.load_state = value.to_string(),
            "ActiveState" => state.active_state = value.to_string(),
            "MainPID" => state.main_pid = value.parse().ok().filter(|pid| *pid > 0),
            "NeedDaemonReload" => state.need_reload = value == "yes",
            "Environment" => {
                for word in words(value)? {
                    if let Some((name, value)) = word.split_once('=') {
                        state
                            .environment
                            .insert(name.to_string(), value.to_string());
                    }
                }
            }
            _ => {}
        }
    }
    Ok(state)
}

/// Splits a space-separated list of words as systemd prints and reads them:
/// bare words, or double-quoted words with backslash escapes (`\"`, `\\`,
/// `` \` ``, `\$`, C escapes `\n`, `\t`, `\xHH`, octal `\NNN`). `systemctl show`
/// quotes each string with `shell_maybe_quote()` (`src/basic/escape.c`,
/// printed by `src/shared/bus-print-properties.c`).
pub fn words(text: &str) -> Result<Vec<String>, String> {
    let mut words = Vec::new();
    let mut chars = text.chars().peekable();
    loop {
        while chars.next_if(|c| c.is_ascii_whitespace()).is_some() {}
        if chars.peek().is_none() {
            return Ok(words);
        }
        let mut word = String::new();
        while let Some(c) = chars.next_if(|c| !c.is_ascii_whitespace()) {
            match c {
                '"' => quoted(&mut chars, &mut word)?,
                '\\' => word.push(escaped(&mut chars)?),
                c => word.push(c),
            }
        }
        words.push(word);
    }
}

type Chars<'a> = std::iter::Peekable<std::str::Chars<'a>>;

/// The rest of a double-quoted run, up to its closing quote.
fn quoted(chars: &mut Chars, word: &mut String) -> Result<(), String> {
    loop {
        match chars.next() {
            Some('"') => return Ok(()),
            Some('\\') => word.push(escaped(chars)?),
            Some(c) => word.push(c),
            None => return Err("an unterminated quoted string".to_string()),
        }
    }
}

/// The character a backslash escape stands for.
fn escaped(chars: &mut Chars) -> Result<char, String> {
    let c = chars.next().ok_or("a trailing backslash")?;
    let simple = match c {
        'n' => Some('\n'),
        't' => Some('\t'),
        'r' => Some('\r'),
        'a' => Some('\x07'),
        'b' => Some('\x08'),
        'f' => Some('\x0c'),
        'v' => Some('\x0b'),
        'x' => None,
        '0'..='7' => None,
        c => Some(c),
    };
    if let Some(c) = simple {
        return Ok(c);
    }
    let (radix, len, mut digits) = match c {
        'x' => (16, 2, String::new()),
        _ => (8, 2, c.to_string()),
    };
    for _ in 0..len {
        digits.push(chars.next().ok_or("a short escape")?);
    }
    u32::from_str_radix(&digits, radix)
        .ok()
        .and_then(char::from_u32)
        .ok_or_else(|| format!("a bad escape \\{c}{digits}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn parses_show_output_with_systemds_quoting() {
        // As systemd 255 prints it for the installer's unit plus a drop-in.
        let text = "LoadState=loaded\nActiveState=active\nMainPID=812\nNeedDaemonReload=no\n\
            Environment=\"PATH=/usr/local/bin:/usr/bin\" OLLAMA_KEEP_ALIVE=-1 \"OLLAMA_X=a b\\\"c\\$d\" E=\n";
        let state = parse_show(text).unwrap();
        assert!(state.loaded() && state.running() && !state.need_reload);
        assert_eq!(state.main_pid, Some(812));
        let env = &state.environment;
        assert_eq!(env["PATH"], "/usr/local/bin:/usr/bin");
        assert_eq!(env["OLLAMA_KEEP_ALIVE"], "-1");
        assert_eq!(env["OLLAMA_X"], "a b\"c$d");
        assert_eq!(env["E"], "");
        let gone =
            parse_show("LoadState=not-found\nActiveState=inactive\nMainPID=0\nEnvironment=\n");
        let gone = gone.unwrap();
        assert!(!gone.loaded() && !gone.running() && gone.main_pid.is_none());
        assert!(parse_show("Environment=\"A=1\n").is_err());
    }

    #[test]
    fn c_escapes_are_read() {
        assert_eq!(
            words(r#""a\tb" "\x41\101" \\"#).unwrap(),
            ["a\tb", "AA", "\\"]
        );
        assert!(words(r"\x4").is_err());
    }

    #[test]
    fn the_drop_in_is_one_quoted_line_per_variable_and_reads_back() {
        let text = render_drop_in(&[("OLLAMA_KEEP_ALIVE", "-1"), ("OLLAMA_X", "50%\"\\")]);
        assert!(text.contains("[Service]\nEnvironment=\"OLLAMA_KEEP_ALIVE=-1\"\n"));
        assert!(
            text.ends_with("Environment=\"OLLAMA_X=50%%\\\"\\\\\"\n"),
            "{text}"
        );
        let back = drop_in_assignments(&text);
        assert_eq!(back["OLLAMA_KEEP_ALIVE"], "-1");
        assert_eq!(back["OLLAMA_X"], "50%\"\\");
        let edited = drop_in_assignments("[Service]\nEnvironment=A=1 \"B=2 3\"\nEnvironment=A=4\n");
        assert_eq!(edited["A"], "4");
        assert_eq!(edited["B"], "2 3");
    }

    proptest! {
        /// Any value survives the drop-in and systemctl's quoting.
        #[test]
        fn values_round_trip(value in "[ -~\t]{0,24}") {
            let text = render_drop_in(&[("OLLAMA_X", &value)]);
            prop_assert_eq!(&drop_in_assignments(&text)["OLLAMA_X"], &value);
            let quoted = format!("\"OLLAMA_X={}\"", value.replace('\\', "\\\\").replace('"', "\\\"")
                .replace('$', "\\$").replace('`', "\\`").replace('\t', "\\t"));
            let shown = parse_show(&format!("Environment={quoted}\n")).unwrap();
            prop_assert_eq!(&shown.environment["OLLAMA_X"], &value);
        }
    }
}
