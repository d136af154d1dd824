//! The differential test's other commands: errors outside `create`, `list`, loading,
//! `/api/ps` and `ps`, removal.

use super::cases::{created, normalize};
use super::sides::{Said, Side};
use provision::ollama::progress::strip_ansi;
use serde_json::{Value, json};

/// Exit code, stdout and stderr without escape sequences.
fn printed(side: &dyn Side, said: &Said) -> String {
    let text = format!(
        "exit {}: {}{}",
        said.code,
        said.stdout,
        strip_ansi(&said.stderr)
    );
    normalize(side, &text, true)
}

/// Everything but Modelfiles: errors of other commands, `list`, loading, `ps`, removal.
/// `inexact` models (quantized for real; the emulator estimates the size) are listed by
/// name only.
pub fn others(side: &dyn Side, inexact: &[String]) -> Vec<(String, String)> {
    let mut seen = Vec::new();
    for args in [
        &["show", "nosuch"][..],
        &["rm", "nosuch"],
        &["ps"],
        &["show", "-v", "base"],
    ] {
        let said = side.ollama(args);
        seen.push((format!("ollama {}", args.join(" ")), printed(side, &said)));
    }
    for args in [
        &["create", "x", "-f", "/nonexistent/Modelfile"][..],
        &["pull", "nosuch"],
    ] {
        let said = side.ollama(args);
        seen.push((format!("ollama {}", args.join(" ")), created(&said, true)));
    }
    let list = columns(&side.ollama(&["list"]).stdout, &[0, 1, 2, 3]);
    let list: Vec<String> = list
        .lines()
        .map(|row| {
            let mut words: Vec<&str> = row.split(' ').collect();
            if inexact.iter().any(|m| words[0] == format!("{m}:latest")) {
                words.truncate(1);
                words.push("(ID and size of weights quantized for real)");
            }
            words.join(" ")
        })
        .collect();
    seen.push(("ollama list: name, ID, size".into(), list.join("\n")));
    seen.extend(loading(side));
    let said = side.ollama(&["rm", "params"]);
    seen.push(("ollama rm params".into(), printed(side, &said)));
    seen
}

/// The whitespace-separated words at `picks` of every line but `base`'s (its weights
/// layer names the store, so its ID differs), sorted.
fn columns(table: &str, picks: &[usize]) -> String {
    let mut rows: Vec<String> = table
        .lines()
        .filter(|l| !l.starts_with("base:"))
        .map(|l| {
            let words: Vec<&str> = l.split_whitespace().collect();
            let picked = picks.iter().filter_map(|&i| words.get(i).copied());
            picked.collect::<Vec<_>>().join(" ")
        })
        .collect();
    rows.sort();
    rows.join("\n")
}

/// A load without a prompt, `/api/ps`, keep-alive forever and `ps`, a 3-token
/// generation, an unload.
fn loading(side: &dyn Side) -> Vec<(String, String)> {
    // Durations are left out: the 0.5.x runner counts whole milliseconds and omits a
    // zero, so whether a short generation has `eval_duration` depends on the machine.
    let keys = |v: &Value| {
        let keys = v.as_object().map(|m| m.keys());
        let timed = |k: &&String| !k.ends_with("_duration");
        keys.map(|keys| keys.filter(timed).cloned().collect::<Vec<_>>())
    };
    let generate = |body: Value| side.api("POST", "generate", Some(&body));
    let mut seen = Vec::new();
    let (status, load) = generate(json!({"model": "texts"}));
    let text = format!("{status} {:?} {}", keys(&load), load["done_reason"]);
    seen.push(("/api/generate, no prompt".into(), text));
    let (_, ps) = side.api("GET", "ps", None);
    let model = &ps["models"][0];
    let text = format!(
        "{:?} {} {} {}",
        keys(model),
        model["name"],
        model["size_vram"],
        model["details"]
    );
    seen.push(("/api/ps".into(), text));
    generate(json!({"model": "texts", "keep_alive": -1}));
    let (_, ps) = side.api("GET", "ps", None);
    let expires = ps["models"][0]["expires_at"].as_str().unwrap_or_default();
    seen.push((
        "keep_alive -1: expires_at year".into(),
        expires[..4.min(expires.len())].into(),
    ));
    // NAME, ID, PROCESSOR and UNTIL: SIZE is the classic estimate, graph included,
    // which the emulator leaves out (README).
    let ps = side.ollama(&["ps"]).stdout;
    seen.push((
        "ollama ps: loaded forever".into(),
        columns(&ps, &[0, 1, 4, 5, 6]),
    ));
    let ask = json!({"model": "texts", "prompt": "hi", "stream": false,
                     "options": {"num_predict": 3}});
    let (status, answer) = generate(ask);
    // The real test model has random weights and may sample its end token first
    // (`stop`, fewer tokens); the emulator's model is not that model.
    let reason = answer["done_reason"].as_str().unwrap_or_default();
    let count = answer["eval_count"].as_u64().unwrap_or(0);
    let ended = matches!(reason, "stop" | "length") && count <= 3;
    let mut keys = keys(&answer).unwrap_or_default();
    keys.retain(|k| k != "eval_count"); // omitted when the end token comes first
    let text = format!("{status} {keys:?} ended within 3 tokens: {ended}");
    seen.push(("/api/generate, 3 tokens".into(), text));
    let (status, answer) = generate(json!({"model": "texts", "keep_alive": 0}));
    seen.push((
        "/api/generate, keep_alive 0".into(),
        format!("{status} {}", answer["done_reason"]),
    ));
    seen
}
