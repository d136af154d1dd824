//! `plan` as people read it: the device and tier, a row per model with the reason
//! under it, then the roster total and the server settings.

use super::table;
use crate::plan::{Plan, PlannedModel};
use crate::probe::bandwidth::{Bandwidth, Rate, Source};
use crate::size::Binary;
use crate::speed::EFFICIENCY;

/// The plan as people read it; `bandwidth` is what speeds were predicted
/// from, when they were.
pub fn text(plan: &Plan, bandwidth: Option<&Bandwidth>) -> String {
    let mut out = heading(plan);
    out.push('\n');
    out.push_str(&models_table(plan));
    if let Some(bandwidth) = bandwidth {
        out.push_str(&format!("\n{}\n", speed_legend(plan, bandwidth)));
    }
    for model in &plan.models {
        out.push_str(&model_notes(model, &plan.catalog_as_of));
    }
    out.push_str(&download_line(plan));
    if let Some(roster) = &plan.roster {
        out.push_str(&format!(
            "\nroster (kept loaded together): {} of budget {}, {} left free: {}\n",
            Binary(roster.total_bytes),
            Binary(roster.budget_bytes),
            Binary(roster.buffer_bytes),
            roster.reason
        ));
    }
    out.push_str(&server_settings(plan));
    out
}

/// The device, tier, profile and Ollama the plan was made for.
fn heading(plan: &Plan) -> String {
    let tier = &plan.tier;
    table(&[
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
    ])
}

fn models_table(plan: &Plan) -> String {
    let mut rows = vec![
        [
            "MODEL", "BASE", "QUANT", "TAG", "WEIGHTS", "KV CACHE", "TOTAL", "FITS", "TOK/S",
            "NUM_CTX", "THREADS", "NUM_GPU",
        ]
        .map(String::from)
        .to_vec(),
    ];
    rows.extend(plan.models.iter().map(model_row));
    table(&rows)
}

/// The lines under the table for one model: why this fit, where its facts came
/// from, and its warnings.
fn model_notes(model: &PlannedModel, catalog_as_of: &str) -> String {
    let mut out = format!("\n{}: {}\n", model.name, model.fit.reason);
    let sources = model.provenance.describe(catalog_as_of);
    out.push_str(&format!("{}: {sources}\n", model.name));
    for warning in &model.warnings {
        out.push_str(&format!("{}: warning: {warning}\n", model.name));
    }
    out
}

/// The Ollama server variables the plan needs, with why; nothing when none.
fn server_settings(plan: &Plan) -> String {
    if plan.server_settings.is_empty() {
        return String::new();
    }
    let rows: Vec<Vec<String>> = plan
        .server_settings
        .iter()
        .map(|s| vec![format!("  {}={}", s.name, s.value), s.reason.clone()])
        .collect();
    format!("\nOllama server settings:\n{}", table(&rows))
}

/// `download  up to 4.6 GiB for 1 tag (…)`: what `auto` would pull, at most.
fn download_line(plan: &Plan) -> String {
    let mut tags: Vec<(&str, u64)> = Vec::new();
    for model in &plan.models {
        if let (Some(tag), Some(bytes), true) =
            (&model.fit.tag, model.fit.download_bytes, model.fit.fits)
            && !tags.iter().any(|(t, _)| t == tag)
        {
            tags.push((tag, bytes));
        }
    }
    if tags.is_empty() {
        return String::new();
    }
    let total = tags.iter().map(|(_, b)| *b).fold(0, u64::saturating_add);
    let plural = if tags.len() == 1 { "" } else { "s" };
    format!(
        "\ndownload: up to {} for {} tag{plural} (catalog sizes; tags already pulled download nothing; \
         `auto` checks the model store's free space first)\n",
        Binary(total),
        tags.len()
    )
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
        crate::speed::cell(model.fit.speed.as_ref()),
        if fit.fits {
            fit.num_ctx.to_string()
        } else {
            dash()
        },
        param("num_thread"),
        param("num_gpu"),
    ]
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
