//! What the differential test tries on both sides, and how it turns what they print into
//! comparable text: the Go map order of parameters sorted away, the model store's path
//! and (for quantized weights, which the emulator does not compute) digests masked.

use super::super::roundtrip::{Field, values};
use super::sides::{Said, Side};
use provision::ollama::progress::{ProgressLine, parse_progress, strip_ansi};
use serde_json::{Value, json};

/// One Modelfile to create on both sides.
pub struct Case {
    pub name: String,
    pub modelfile: String,
    pub flags: Vec<String>,
    /// Read back through every `show` view, not only `--modelfile` and the API.
    pub views: bool,
    /// Digests must agree too (not for weights the real quantizer wrote).
    pub exact: bool,
    /// Needs a model another case creates.
    pub after: bool,
    /// The create stream's statuses are compared, not only its exit code and error: not
    /// where the real client fails before its progress display's first 100 ms tick, when
    /// whether it drew anything is a race.
    pub frames: bool,
}

fn case(name: &str, modelfile: &str, flags: &[&str]) -> Case {
    Case {
        name: name.into(),
        modelfile: modelfile.into(),
        flags: flags.iter().map(|f| f.to_string()).collect(),
        views: true,
        exact: !flags.contains(&"-q"),
        after: false,
        frames: true,
    }
}

/// The hostile values of the round trip in every field, as `provision` writes them, then
/// parameters, texts, templates and errors the real 0.5.4 was seen to handle.
pub fn cases() -> Vec<Case> {
    let mut all = Vec::new();
    for (f, field) in Field::ALL.iter().enumerate() {
        for (i, (_, value)) in values().iter().enumerate() {
            if let Ok(written) = provision::modelfile::quote(field.keyword(), value) {
                let modelfile = format!("FROM base\n{} {written}\n", field.keyword());
                let mut c = case(&format!("h{f}-{i}"), &modelfile, &[]);
                c.views = false;
                all.push(c);
            }
        }
    }
    let from_base = [
        (
            "params",
            "PARAMETER num_ctx 1000000\nPARAMETER temperature 0.7\nPARAMETER top_p 0.9\nPARAMETER min_p 0.00001\nPARAMETER seed 42\nPARAMETER stop \"a b\"\nPARAMETER stop <|eot|>\n",
        ),
        (
            "old-params",
            "PARAMETER mirostat 1\nPARAMETER use_mlock true\nPARAMETER penalize_newline true\n",
        ),
        ("tfs-z", "PARAMETER tfs_z 1\n"),
        ("draft-num-predict", "PARAMETER draft_num_predict 4\n"),
        ("bad-int", "PARAMETER num_ctx 4096.0\n"),
        ("bad-float", "PARAMETER temperature 0.7 # c\n"),
        ("bad-bool", "PARAMETER use_mmap maybe\n"),
        (
            "texts",
            "SYSTEM \"\"\"line one\n\nline two\nline three\"\"\"\nLICENSE \"\"\"MIT\nsecond line\nthird\"\"\"\nLICENSE Apache\nMESSAGE user hi\nMESSAGE assistant hello there\n",
        ),
        ("twice", "TEMPLATE a\nTEMPLATE b\nSYSTEM s1\nSYSTEM s2\n"),
        (
            "template",
            "TEMPLATE \"\"\"{{ if .System }}{{ .System }}{{ end }}{{ json .Prompt }}\"\"\"\n",
        ),
        ("template-fn", "TEMPLATE {{ .Prompt | nosuchfn }}\n"),
        ("template-eof", "TEMPLATE {{ if .System }}x\n"),
        ("template-end", "TEMPLATE {{ end }}\n"),
        ("template-open", "TEMPLATE \"\"\"a\n{{ .Prompt\n\"\"\"\n"),
        ("bad-command", "BOGUS x\n"),
        ("bad-role", "MESSAGE robot hi\n"),
        ("lone-cr", "SYSTEM \"\"\"x\ry\"\"\"\n"),
        ("adapter", "ADAPTER ./nope.bin\n"),
    ];
    for (name, body) in from_base {
        let mut c = case(name, &format!("FROM base\n{body}"), &[]);
        c.frames = name != "adapter";
        all.push(c);
    }
    let whole = [
        (
            "crlf-file",
            "FROM base\r\nSYSTEM hello\r\nPARAMETER stop x\r\n",
        ),
        ("bom", "\u{feff}FROM base\nSYSTEM x\n"),
        ("no-from", "SYSTEM x\n"),
        ("missing-gguf", "FROM ./missing.gguf\n"),
        ("unknown-model", "FROM nosuchmodel\n"),
    ];
    for (name, modelfile) in whole {
        all.push(case(name, modelfile, &[]));
    }
    all.push(case("q4", "FROM base\nSYSTEM small\n", &["-q", "q4_K_M"]));
    // Made by llama.cpp's quantizer, refused by it (no importance matrix, a dropped
    // type), or unknown to Ollama.
    for level in [
        "iq3_m", "bf16", "iq2_xxs", "q2_k_s", "q4_1_f16", "IQ9", "q4_k",
    ] {
        all.push(case(&format!("q-{level}"), "FROM base\n", &["-q", level]));
    }
    let mut again = case("q4-again", "FROM q4\n", &["-q", "q8_0"]);
    again.after = true;
    all.push(again);
    all.push(case("bad name!", "FROM base\n", &[]));
    all
}

/// The create stream's last frame and error: `exit N: status | … | Error: …` (without
/// the frame unless `frames`).
pub fn created(said: &Said, frames: bool) -> String {
    let progress = parse_progress(&said.stderr);
    let mut lines: Vec<String> = progress
        .lines
        .iter()
        .filter(|_| frames)
        .map(|line| match line {
            ProgressLine::Status { text, .. } => text.clone(),
            ProgressLine::Bar { label, percent, .. } => format!("{label} {percent}%"),
        })
        .collect();
    lines.extend(progress.error.map(|e| format!("Error: {e}")));
    format!("exit {}: {}", said.code, lines.join(" | "))
}

/// `POST /api/show` without the parts that name the store or the clock; parameters
/// sorted (Go prints a map in random order).
pub fn api_show(side: &dyn Side, model: &str) -> String {
    let (status, mut answer) = side.api("POST", "show", Some(&json!({ "model": model })));
    if let Some(map) = answer.as_object_mut() {
        map.remove("modelfile");
        map.remove("modified_at");
        if let Some(Value::String(text)) = map.get("parameters") {
            let sorted = sorted_lines(text, |_| true);
            map.insert("parameters".into(), Value::String(sorted));
        }
    }
    format!("{status} {answer}")
}

/// An `ollama show` view, with the parameters (random order in Go) sorted.
pub fn shown(said: &Said, flag: &str) -> String {
    let text = match flag {
        "--parameters" => sorted_lines(&said.stdout, |_| true),
        "--modelfile" => sorted_lines(&said.stdout, |l| l.starts_with("PARAMETER ")),
        "" => sorted_section(&said.stdout, "  Parameters"),
        _ => said.stdout.clone(),
    };
    format!("exit {}: {text}{}", said.code, strip_ansi(&said.stderr))
}

/// `text` with the lines that `pick` selects sorted among themselves, in their places.
fn sorted_lines(text: &str, pick: impl Fn(&str) -> bool) -> String {
    let lines: Vec<&str> = text.split('\n').collect();
    let mut picked: Vec<&str> = lines.iter().copied().filter(|l| pick(l)).collect();
    picked.sort_unstable();
    let mut picked = picked.into_iter();
    let out: Vec<&str> = lines
        .iter()
        .map(|l| {
            if pick(l) {
                picked.next().unwrap_or(l)
            } else {
                l
            }
        })
        .collect();
    out.join("\n")
}

/// `text` with the rows of the section under `header` sorted.
fn sorted_section(text: &str, header: &str) -> String {
    let Some((before, rest)) = text.split_once(&format!("{header}\n")) else {
        return text.to_string();
    };
    let (rows, after) = rest.split_once("\n\n").unwrap_or((rest, ""));
    let rows = sorted_lines(rows, |_| true);
    format!("{before}{header}\n{rows}\n\n{after}")
}

/// The side's store path as `<store>`, its scratch directory as `<work>`, and, unless
/// `exact`, every sha256 digest as `sha256:…`.
pub fn normalize(side: &dyn Side, text: &str, exact: bool) -> String {
    let store = side.store().display().to_string();
    let work = side.work().display().to_string();
    let text = text.replace(&store, "<store>").replace(&work, "<work>");
    if exact {
        return text;
    }
    let mut out = String::new();
    let mut rest = text.as_str();
    while let Some(at) = rest.find("sha256") {
        let start = at + "sha256".len() + 1;
        let hex = rest.get(start..).map_or(0, |tail| {
            tail.chars().take_while(char::is_ascii_hexdigit).count()
        });
        if hex == 64 {
            out.push_str(&rest[..start]);
            out.push('…');
            rest = &rest[start + 64..];
        } else {
            out.push_str(&rest[..at + "sha256".len()]);
            rest = &rest[at + "sha256".len()..];
        }
    }
    out + rest
}
