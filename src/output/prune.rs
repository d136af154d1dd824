//! The human-readable output of `provision prune` and `auto --prune`.

use super::table;
use crate::prune::{BytesSource, Kind, PruneReport, RemovalStatus};
use crate::size::Decimal;

/// What was (or would be) removed, with its size and why; the bytes freed and
/// where that number comes from; the targets left in place; what stays.
pub fn text(report: &PruneReport, dry_run: bool) -> String {
    let mut out = removals(report, dry_run);
    if !report.unnamed_targets.is_empty() {
        let names: Vec<&str> = report
            .unnamed_targets
            .iter()
            .map(|i| i.name.as_str())
            .collect();
        out.push_str(&format!(
            "created by provision, no longer in the profile (remove with --prune-targets): {}\n",
            names.join(", ")
        ));
    }
    for kept in &report.kept {
        out.push_str(&format!("kept {}: {}\n", kept.name, kept.reason));
    }
    if !report.forgotten.is_empty() {
        out.push_str(&format!(
            "no longer installed, forgotten: {}\n",
            report.forgotten.join(", ")
        ));
    }
    out
}

/// A row per removal, then the bytes freed and where the number comes from.
fn removals(report: &PruneReport, dry_run: bool) -> String {
    if report.removals.is_empty() {
        return "nothing to prune\n".to_string();
    }
    let mut rows = vec![
        ["REMOVE", "KIND", "SIZE", "STATUS", "WHY"]
            .map(String::from)
            .to_vec(),
    ];
    for removal in &report.removals {
        let why = removal.error.as_ref().unwrap_or(&removal.item.reason);
        rows.push(vec![
            removal.item.name.clone(),
            kind(removal.item.kind).to_string(),
            Decimal(removal.item.bytes).to_string(),
            status(removal.status).to_string(),
            why.clone(),
        ]);
    }
    let verb = if dry_run { "would free" } else { "freed" };
    let freed = Decimal(report.freed_bytes);
    let source = source(report.bytes_source);
    format!("{}{verb} {freed} ({source})\n", table(&rows))
}

fn kind(kind: Kind) -> &'static str {
    match kind {
        Kind::Base => "base",
        Kind::Target => "target",
    }
}

fn status(status: RemovalStatus) -> &'static str {
    match status {
        RemovalStatus::Planned => "to remove",
        RemovalStatus::Removed => "removed",
        RemovalStatus::Failed => "FAILED",
    }
}

fn source(source: BytesSource) -> &'static str {
    match source {
        BytesSource::Manifests => "exact, from the manifests",
        BytesSource::List => "from the SIZE column of ollama list",
    }
}
