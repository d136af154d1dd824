//! `provision bench` as people read it: a row per model with its load time,
//! prompt and decode speed, and where it ran.

use super::{Align, aligned};
use crate::bench::BenchRow;
use crate::size::Binary;

/// The server, then the table.
pub fn text(server: &str, version: &str, rows: &[BenchRow]) -> String {
    let mut out = format!(
        "server  {server} (Ollama {version}); {} tokens from a fixed prompt, seed {}, temperature 0\n\n",
        crate::bench::NUM_PREDICT,
        crate::bench::SEED
    );
    let mut table = vec![
        [
            "MODEL",
            "QUANT",
            "LOAD",
            "PROMPT TOK/S",
            "DECODE TOK/S",
            "TOKENS",
            "SIZE",
            "PLACEMENT",
        ]
        .map(String::from)
        .to_vec(),
    ];
    table.extend(rows.iter().map(row));
    let right = [
        Align::Left,
        Align::Left,
        Align::Right,
        Align::Right,
        Align::Right,
        Align::Right,
        Align::Right,
    ];
    out.push_str(&aligned(&table, &right));
    for row in rows {
        if let Some(error) = &row.error {
            out.push_str(&format!("\n{}: {error}", row.name));
        }
    }
    if rows.iter().any(|r| r.error.is_some()) {
        out.push('\n');
    }
    out
}

fn row(row: &BenchRow) -> Vec<String> {
    let dash = || "-".to_string();
    let rate = |r: Option<f64>| r.map_or_else(dash, |r| format!("{r:.1}"));
    let speed = row.speed.as_ref();
    let load = speed.map_or_else(dash, |s| match row.warm {
        true => "warm".to_string(),
        false => format!("{:.2}s", s.load_seconds),
    });
    vec![
        row.name.clone(),
        row.quantization.map_or_else(dash, |q| q.to_string()),
        load,
        rate(speed.and_then(|s| s.prompt_tokens_per_s)),
        rate(speed.and_then(|s| s.decode_tokens_per_s)),
        speed.map_or_else(dash, |s| s.decode_tokens.to_string()),
        row.size_bytes.map_or_else(dash, |b| Binary(b).to_string()),
        row.placement.clone().unwrap_or_else(dash),
    ]
}
