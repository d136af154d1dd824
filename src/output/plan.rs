//! `plan` as people read it: the device and tier, a row per model with the reason
//! under it, then the roster total and the server settings.

use super::table;
use crate::plan::{Plan, PlannedModel};
use crate::probe::bandwidth::{Bandwidth, Rate, Source};
use crate::size::Binary;
use crate::speed::{EFFICIENCY, SpeedSource, rounded};

/// The plan as people read it; `bandwidth` is what speeds were predicted
/// from, when they were.
pub fn text(plan: &Plan, bandwidth: Option<&Bandwidth>) -> String {
    let tier = &plan.tier;
    let mut out = table(&[
        vec!["device".to_string(), plan.budget.describe()],
        vec![
            "tier".to_string(),
            format!(
                "{}-bit {} ({}): {}",
                tier.bits, tier.label, tier.quantization, tier.reason
            ),
        ],
        vec![
            "profile".to_string(),
            format!("{} (catalog as of {})", plan.profile, plan.catalog_as_of),
        ],
        vec!["ollama".to_string(), plan.ollama.describe()],
    ]);
    out.push('\n');
    let mut rows = vec![
        [
            "MODEL", "BASE", "QUANT", "TAG", "WEIGHTS", "KV CACHE", "TOTAL", "FITS", "TOK/S",
            "NUM_CTX", "THREADS", "NUM_GPU",
        ]
        .map(String::from)
        .to_vec(),
    ];
    rows.extend(plan.models.iter().map(model_row));
    out.push_str(&table(&rows));
    if let Some(bandwidth) = bandwidth {
        out.push_str(&format!("\n{}\n", speed_legend(plan, bandwidth)));
    }
    out.push_str(&reasons(plan));
    if let Some(roster) = &plan.roster {
        out.push_str(&format!(
            "\nroster (kept loaded together): {} of budget {}, {} left free: {}\n",
            Binary(roster.total_bytes),
            Binary(roster.budget_bytes),
            Binary(roster.buffer_bytes),
            roster.reason
        ));
    }
    if !plan.server_settings.is_empty() {
        out.push_str("\nOllama server settings:\n");
        let rows: Vec<Vec<String>> = plan
            .server_settings
            .iter()
            .map(|s| vec![format!("  {}={}", s.name, s.value), s.reason.clone()])
            .collect();
        out.push_str(&table(&rows));
    }
    out
}

/// Each model's reason, then its warnings.
fn reasons(plan: &Plan) -> String {
    let mut out = String::new();
    for model in &plan.models {
        out.push_str(&format!("\n{}: {}\n", model.name, model.fit.reason));
        for warning in &model.warnings {
            out.push_str(&format!("{}: warning: {warning}\n", model.name));
        }
    }
    out
}

fn model_row(model: &PlannedModel) -> Vec<String> {
    let fit = &model.fit;
    let estimate = &fit.estimate;
    let dash = || "-".to_string();
    let param = |name: &str| {
        model
            .modelfile
            .as_ref()
            .and_then(|f| f.get(name))
            .map_or_else(dash, |v| v.to_string())
    };
    vec![
        model.name.clone(),
        model.base.clone(),
        fit.quantization.map_or_else(dash, |q| q.to_string()),
        fit.tag.clone().unwrap_or_else(dash),
        Binary(estimate.weights_bytes).to_string(),
        Binary(estimate.kv_cache_bytes).to_string(),
        Binary(estimate.total_bytes).to_string(),
        if fit.fits { "yes" } else { "no" }.to_string(),
        tokens_per_s(model),
        if fit.fits {
            fit.num_ctx.to_string()
        } else {
            dash()
        },
        param("num_thread"),
        param("num_gpu"),
    ]
}

/// The TOK/S cell: `~2.1` predicted, `3.4 measured`, `-` unknown.
fn tokens_per_s(model: &PlannedModel) -> String {
    match model.fit.speed {
        Some(speed) if speed.source == SpeedSource::Measured => {
            format!("{} measured", rounded(speed.decode_tokens_per_s))
        }
        Some(speed) => format!("~{}", rounded(speed.decode_tokens_per_s)),
        None => "-".to_string(),
    }
}

/// What TOK/S means and what it was predicted from.
fn speed_legend(plan: &Plan, bandwidth: &Bandwidth) -> String {
    let on_gpu = !plan.budget.gpus.is_empty();
    let (figure, source, what) = match bandwidth.gpus.first().filter(|_| on_gpu) {
        Some(_) => {
            let gpu = bandwidth
                .gpus
                .iter()
                .max_by_key(|g| g.bytes_per_s)
                .expect("a GPU");
            (
                gpu.bytes_per_s,
                gpu.source,
                format!("the GPU's ({})", gpu.name),
            )
        }
        None => (
            bandwidth.cpu.bytes_per_s,
            bandwidth.cpu.source,
            "RAM".to_string(),
        ),
    };
    let origin = match source {
        Source::Override => "set by --bandwidth",
        Source::Measured => "measured now",
        Source::Remembered => "measured here before",
        Source::Table => "known part",
        Source::Unknown => "unknown",
    };
    match figure {
        Some(bytes) => format!(
            "TOK/S: decode tokens/s at the end of a full num_ctx; ~ predicted from {what} bandwidth {} ({origin}) × efficiency {EFFICIENCY} (corrected by `provision bench` measurements here when there are some); measured: timed by `provision bench`",
            Rate(bytes)
        ),
        None => format!(
            "TOK/S: unknown: {what} bandwidth is unknown here; give --bandwidth (e.g. --bandwidth 100GB/s)"
        ),
    }
}
