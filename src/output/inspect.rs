//! `inspect` as people read it: the facts of one model with their source, its levels,
//! and its memory at a few contexts.

use super::table;
use crate::facts::Source;
use crate::facts::report::Report;
use crate::size::Binary;

/// The report as people read it; `speed_ctx` is the context the levels' speeds
/// are for, when they are known.
pub fn text(report: &Report, speed_ctx: Option<u32>) -> String {
    let mut out = format!(
        "{}: facts from {}{}\n\n",
        report.name,
        report.facts_source.describe(&report.catalog_as_of),
        report
            .read_from
            .as_ref()
            .map(|r| format!(" ({r})"))
            .unwrap_or_default()
    );
    out.push_str(&table(&facts(report)));
    out.push_str(&levels(report));
    if let (Some(ctx), true) = (speed_ctx, report.levels.iter().any(|l| l.speed.is_some())) {
        out.push_str(&format!(
            "TOK/S: predicted decode tokens/s here, whole at num_ctx {ctx} (see `provision plan`)\n"
        ));
    }
    out.push_str(&memory(report));
    for note in &report.notes {
        out.push_str(&format!("note: {note}\n"));
    }
    out
}

/// The published (or installed) levels, a row each.
fn levels(report: &Report) -> String {
    let mut out = "\nlevels".to_string();
    if report.tags_probed {
        out.push_str(" (tags probed by convention; the list may be incomplete)");
    }
    out.push('\n');
    let speeds = report.levels.iter().any(|l| l.speed.is_some());
    let mut header = vec!["QUANT", "TAG", "SIZE", "SOURCE"];
    if speeds {
        header.push("TOK/S");
    }
    let mut rows = vec![header.into_iter().map(String::from).collect()];
    rows.extend(report.levels.iter().map(|l| {
        let exact = if l.exact { "" } else { " (estimated)" };
        let mut row = vec![
            format!("  {}", l.quant),
            l.tag.clone(),
            format!("{}{exact}", Binary(l.bytes)),
            l.source.describe(&report.catalog_as_of),
        ];
        if speeds {
            row.push(crate::speed::cell(l.speed.as_ref()));
        }
        row
    }));
    out.push_str(&table(&rows));
    out
}

/// The estimate at each context, a row each.
fn memory(report: &Report) -> String {
    let mut rows = vec![
        ["CONTEXT", "TOTAL", "WEIGHTS", "KV CACHE", "GRAPH"]
            .map(String::from)
            .to_vec(),
    ];
    rows.extend(report.memory.iter().map(|m| {
        let native = if m.native { " (native)" } else { "" };
        vec![
            format!("  {}{native}", m.context),
            Binary(m.total_bytes).to_string(),
            Binary(m.weights_bytes).to_string(),
            Binary(m.kv_cache_bytes).to_string(),
            Binary(m.graph_bytes).to_string(),
        ]
    }));
    format!(
        "\nmemory (this device, the profile's settings)\n{}",
        table(&rows)
    )
}

fn facts(r: &Report) -> Vec<Vec<String>> {
    let dash = || "-".to_string();
    let mut rows = vec![
        ("architecture", r.architecture.clone()),
        ("quantization", r.quantization.to_string()),
        ("parameters", params(r)),
        ("weights", weights(r)),
        ("context", format!("{} (native)", r.context_length)),
        ("layers", layers(r)),
        (
            "sliding window",
            r.sliding_window.map_or_else(dash, |w| w.to_string()),
        ),
        ("attention heads", r.head_count.to_string()),
        ("KV heads", join(&r.head_count_kv)),
        (
            "key/value length",
            format!("{}/{}", r.key_length, r.value_length),
        ),
        (
            "KV bytes per token",
            format!("{} (f16)", Binary(r.kv_bytes_per_token)),
        ),
        ("experts", experts(r)),
        ("recurrent layers", recurrent(r)),
        ("projector", projector(r)),
    ];
    if r.facts_source == Source::Catalog {
        rows.push((
            "note",
            "catalog dimensions; no GGUF header was read".to_string(),
        ));
    }
    rows.into_iter()
        .map(|(k, v)| vec![k.to_string(), v])
        .collect()
}

fn weights(r: &Report) -> String {
    format!(
        "{}, {}, from {}",
        Binary(r.weights_bytes),
        if r.weights_exact {
            "exact"
        } else {
            "estimated"
        },
        r.weights_source.describe(&r.catalog_as_of)
    )
}

fn params(r: &Report) -> String {
    let billions = |n: u64| format!("{:.2}B", n as f64 / 1e9);
    match r.active_parameters {
        Some(active) => format!(
            "{} ({} active per token)",
            billions(r.parameters),
            billions(active)
        ),
        None => billions(r.parameters),
    }
}

fn layers(r: &Report) -> String {
    let l = &r.layers;
    let parts = [
        (l.full, "full attention"),
        (l.sliding, "sliding window"),
        (l.recurrent, "recurrent"),
        (l.no_cache, "without cache"),
    ];
    let kinds: Vec<String> = parts
        .iter()
        .filter(|(n, _)| *n > 0)
        .map(|(n, what)| format!("{n} {what}"))
        .collect();
    format!("{} ({})", r.block_count, kinds.join(", "))
}

fn join(values: &[u64]) -> String {
    let text: Vec<String> = values.iter().map(u64::to_string).collect();
    text.join(", ")
}

fn experts(r: &Report) -> String {
    match r.expert_count {
        0 => "-".to_string(),
        n => format!("{n}, {} per token", r.expert_used_count),
    }
}

fn recurrent(r: &Report) -> String {
    match (&r.recurrent, r.layers.recurrent) {
        (Some(state), n) if n > 0 => format!("{n}, {} f32 state values each", state.state_elements),
        _ => "-".to_string(),
    }
}

fn projector(r: &Report) -> String {
    let mut parts = Vec::new();
    if r.vision_bytes > 0 {
        parts.push(format!("{} in the model file", Binary(r.vision_bytes)));
    }
    if r.projector_bytes > 0 {
        parts.push(format!("{} in separate blobs", Binary(r.projector_bytes)));
    }
    if let Some(kind) = &r.projector_type {
        parts.push(kind.clone());
    }
    if parts.is_empty() {
        "-".to_string()
    } else {
        parts.join(", ")
    }
}
