//! The hostile-value round trip on the real 0.5.4: SYSTEM, TEMPLATE, MESSAGE and
//! `stop` values are written into a Modelfile the way `provision` writes them
//! (`provision::modelfile::quote`), created by the real `ollama create -f` (not through
//! `provision`), and read back with `POST /api/show` and `ollama show --modelfile`.
//!
//! The observed table is kept in tests/real_ollama/observed-0.5.4.md between the
//! `roundtrip` markers; this test rebuilds it from the real program and fails when it
//! differs, so a change of the test build (or of provision's quoting) is noticed.
//! `UPDATE_OBSERVED=1` rewrites the table.

use crate::support::real_ollama::Server;
use serde_json::{Value, json};
use std::path::Path;

const START: &str = "<!-- roundtrip:start -->";
const END: &str = "<!-- roundtrip:end -->";

/// The values tried in every field: quotes in every position the lexer cares about,
/// line breaks, edge spaces, comments, non-ASCII and a long value.
pub(super) fn values() -> Vec<(String, String)> {
    let short = [
        "\"x",
        "\"",
        "\"\"",
        "\"\"\"",
        "\"\"\"x",
        "x\"",
        "x\r\ny",
        "a\nb",
        " x",
        "x ",
        "a # b",
        "# x",
        "a\tb",
        "héllo — 日本語 🙂",
    ];
    let mut values: Vec<(String, String)> =
        short.iter().map(|v| (cell(v), v.to_string())).collect();
    let long = "0123456789abcdef".repeat(640);
    values.push(("10 KB: `0123456789abcdef` × 640".into(), long));
    values
}

#[derive(Clone, Copy)]
pub(super) enum Field {
    System,
    Template,
    Message,
    Stop,
}

impl Field {
    pub(super) const ALL: [Field; 4] =
        [Field::System, Field::Template, Field::Message, Field::Stop];

    /// The Modelfile keyword (with role or name) the value follows.
    pub(super) fn keyword(self) -> &'static str {
        match self {
            Field::System => "SYSTEM",
            Field::Template => "TEMPLATE",
            Field::Message => "MESSAGE user",
            Field::Stop => "PARAMETER stop",
        }
    }

    /// What `POST /api/show` returns for this field, `None` when absent.
    fn shown(self, answer: &Value) -> Option<String> {
        let text = |v: &Value| v.as_str().map(String::from);
        match self {
            Field::System => text(&answer["system"]),
            Field::Template => text(&answer["template"]),
            Field::Message => text(&answer["messages"][0]["content"]),
            Field::Stop => {
                let parameters = answer["parameters"].as_str().unwrap_or_default();
                let line = parameters.lines().find(|l| l.starts_with("stop "))?;
                go_unquote(line["stop".len()..].trim())
            }
        }
    }
}

/// One observed round trip, as table cells.
struct Row {
    written: String,
    created: String,
    api: String,
    modelfile: String,
}

#[test]
fn hostile_values_round_trip_as_observed() {
    let Some(server) = Server::start("hostile_values_round_trip_as_observed") else {
        return;
    };
    let gguf = server.installed.get("gguf");
    let base = server.write("Base", &format!("FROM {gguf}\n"));
    server
        .ollama(&["create", "base", "-f", &base.display().to_string()])
        .code(0);
    let values = values();
    let rows: Vec<Vec<Row>> = std::thread::scope(|scope| {
        let workers: Vec<_> = Field::ALL
            .iter()
            .enumerate()
            .map(|(f, &field)| {
                let (server, values) = (&server, &values);
                scope.spawn(move || {
                    let one = |(i, (_, value)): (usize, &(String, String))| {
                        round_trip(server, field, &format!("rt-{f}-{i}"), value)
                    };
                    values.iter().enumerate().map(one).collect()
                })
            })
            .collect();
        workers
            .into_iter()
            .map(|w| w.join().expect("a field's worker"))
            .collect()
    });
    let table = markdown(&values, &rows);
    let doc = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/real_ollama/observed-0.5.4.md");
    let text = std::fs::read_to_string(&doc).expect("observed-0.5.4.md");
    let (before, rest) = text.split_once(START).expect("the start marker");
    let (recorded, after) = rest.split_once(END).expect("the end marker");
    if std::env::var_os("UPDATE_OBSERVED").is_some() {
        std::fs::write(&doc, format!("{before}{START}\n{table}{END}{after}")).expect("rewrite");
        return;
    }
    assert_eq!(
        recorded.trim(),
        table.trim(),
        "the real Ollama no longer behaves as tests/real_ollama/observed-0.5.4.md records \
         (UPDATE_OBSERVED=1 rewrites it); now:\n{table}"
    );
}

/// Writes `value` into `field` of a Modelfile `FROM base`, creates `name` with the real
/// CLI and reads the field back both ways.
fn round_trip(server: &Server, field: Field, name: &str, value: &str) -> Row {
    let written = match provision::modelfile::quote(field.keyword(), value) {
        Ok(written) => written,
        Err(refused) => {
            let refused = format!("refused: {}", refused.reason);
            return Row {
                written: refused,
                created: "-".into(),
                api: "-".into(),
                modelfile: "-".into(),
            };
        }
    };
    let path = server.write(name, &format!("FROM base\n{} {written}\n", field.keyword()));
    let create = server.ollama(&["create", name, "-f", &path.display().to_string()]);
    let mut row = Row {
        written: cell(&written),
        created: String::new(),
        api: "-".into(),
        modelfile: "-".into(),
    };
    if create.code != 0 {
        let error = create
            .stderr
            .lines()
            .find_map(|l| l.strip_prefix("Error: "));
        row.created = format!("fails: `{}`", error.unwrap_or("no Error: line"));
        return row;
    }
    row.created = "yes".into();
    let (status, answer) = server.api("show", &json!({ "model": name }));
    assert_eq!(status, 200, "show {name}: {answer}");
    row.api = match field.shown(&answer) {
        Some(back) if back == value => "exact".into(),
        Some(back) => format!("changed: {}", cell(&back)),
        None => "absent".into(),
    };
    let shown = server.ollama(&["show", "--modelfile", name]).code(0).stdout;
    row.modelfile = match field_lines(&shown, field.keyword()) {
        Some(lines) => cell(&lines),
        None => "absent".into(),
    };
    row
}

/// The lines of `shown` from the one starting with `keyword` up to the next instruction.
fn field_lines(shown: &str, keyword: &str) -> Option<String> {
    let start = shown.find(&format!("\n{keyword} "))? + 1;
    let keywords = [
        "FROM ",
        "TEMPLATE ",
        "SYSTEM ",
        "PARAMETER ",
        "MESSAGE ",
        "LICENSE ",
    ];
    let rest = &shown[start..];
    let mut end = rest.find('\n').unwrap_or(rest.len());
    while end < rest.len() {
        let next = &rest[end + 1..];
        if next.is_empty() || keywords.iter().any(|k| next.starts_with(k)) {
            break;
        }
        end += 1 + next.find('\n').unwrap_or(next.len());
    }
    Some(rest[..end].trim_end_matches('\n').to_string())
}

/// A value as a table cell: in a code span, with `\\`, CR, LF and TAB escaped and a
/// leading or trailing space shown as `␠`; long ones cut.
fn cell(text: &str) -> String {
    if text.is_empty() {
        return "(empty)".into();
    }
    let mut shown = String::new();
    let last = text.chars().count() - 1;
    for (i, c) in text.chars().enumerate() {
        match c {
            '\\' => shown.push_str("\\\\"),
            '\r' => shown.push_str("\\r"),
            '\n' => shown.push_str("\\n"),
            '\t' => shown.push_str("\\t"),
            ' ' if i == 0 || i == last => shown.push('␠'),
            c => shown.push(c),
        }
    }
    if shown.chars().count() <= 60 {
        return format!("`{shown}`");
    }
    let head: String = shown.chars().take(40).collect();
    format!("`{head}…` ({} chars)", text.chars().count())
}

fn markdown(values: &[(String, String)], rows: &[Vec<Row>]) -> String {
    let mut table = String::from(
        "| field | value | written by provision as | `ollama create` | `POST /api/show` | \
         `ollama show --modelfile` |\n|---|---|---|---|---|---|\n",
    );
    for (field, rows) in Field::ALL.iter().zip(rows) {
        for ((label, _), row) in values.iter().zip(rows) {
            table += &format!(
                "| {} | {label} | {} | {} | {} | {} |\n",
                field.keyword(),
                row.written,
                row.created,
                row.api,
                row.modelfile
            );
        }
    }
    table
}

/// Go's `%#v` of a string (`strconv.Quote`): `"…"` with `\"`, `\\`, `\n`, `\r`, `\t`,
/// `\xNN` and `\uNNNN` escapes.
fn go_unquote(text: &str) -> Option<String> {
    let inner = text.strip_prefix('"')?.strip_suffix('"')?;
    let mut out = String::new();
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        let hex = |chars: &mut std::str::Chars, n| {
            let digits: String = chars.take(n).collect();
            u32::from_str_radix(&digits, 16)
                .ok()
                .and_then(char::from_u32)
        };
        out.push(match chars.next()? {
            'n' => '\n',
            'r' => '\r',
            't' => '\t',
            'x' => hex(&mut chars, 2)?,
            'u' => hex(&mut chars, 4)?,
            'U' => hex(&mut chars, 8)?,
            other => other,
        });
    }
    Some(out)
}
