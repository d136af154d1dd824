//! The human-readable output of `provision auto`: the dry-run script and the
//! summary table.

use super::table;
use crate::plan::Plan;
use crate::steps::{ModelReport, Status, Step, Summary};

/// `--dry-run`: per model the decision, the exact `ollama` commands, and the
/// Modelfile the create would read.
pub fn dry_run(plan: &Plan, reports: &[ModelReport]) -> String {
    let mut out = header(plan);
    for report in reports {
        out.push_str(&format!(
            "\n{}: {} ({})\n",
            report.name,
            report.action.label(),
            report.reason
        ));
        for command in &report.commands {
            out.push_str(&format!("  $ {command}\n"));
        }
        if let Some(text) = report.steps.iter().find_map(Step::modelfile) {
            out.push_str("  <Modelfile>:\n");
            for line in text.lines() {
                out.push_str(&format!("    {line}\n"));
            }
        }
    }
    out
}

/// A row per model (status, quantization, tag, why), then the counts.
pub fn summary(plan: &Plan, reports: &[ModelReport], summary: &Summary) -> String {
    let mut out = header(plan);
    out.push('\n');
    let mut rows = vec![
        ["MODEL", "STATUS", "QUANT", "TAG", "WHY"]
            .map(String::from)
            .to_vec(),
    ];
    let dash = || "-".to_string();
    for report in reports {
        let why = match (&report.error, report.status) {
            (Some(error), _) => error.clone(),
            (None, Status::Planned) => format!("{}: {}", report.action.label(), report.reason),
            (None, _) => report.reason.clone(),
        };
        rows.push(vec![
            report.name.clone(),
            status_label(report.status).to_string(),
            report.quantization.map_or_else(dash, |q| q.to_string()),
            report.tag.clone().unwrap_or_else(dash),
            why,
        ]);
    }
    out.push_str(&table(&rows));
    let mut counts = format!(
        "\n{} created, {} updated, {} unchanged, {} failed, {} skipped",
        summary.created, summary.updated, summary.unchanged, summary.failed, summary.skipped
    );
    if summary.planned > 0 {
        counts.push_str(&format!(", {} to change", summary.planned));
    }
    out.push_str(&counts);
    out.push('\n');
    out
}

fn header(plan: &Plan) -> String {
    let tier = &plan.tier;
    format!(
        "device: {}\ntier: {}-bit {} ({})\nprofile: {} (catalog as of {})\n",
        plan.budget.describe(),
        tier.bits,
        tier.label,
        tier.quantization,
        plan.profile,
        plan.catalog_as_of
    )
}

fn status_label(status: Status) -> &'static str {
    match status {
        Status::Unchanged => "unchanged",
        Status::Created => "created",
        Status::Updated => "updated",
        Status::Failed => "FAILED",
        Status::Skipped => "skipped",
        Status::Planned => "to change",
    }
}
