//! The human-readable output of `provision outdated` and `auto --update`.

use super::table;
use crate::outdated::{Status, TagStatus};

/// A row per base tag in use: its ID here, the registry's, the status, and the
/// models built on it; then what to run.
pub fn text(statuses: &[TagStatus]) -> String {
    if statuses.is_empty() {
        return "no library tag of the profile is installed\n".to_string();
    }
    let mut rows = vec![
        ["TAG", "LOCAL", "REGISTRY", "STATUS", "MODELS"]
            .map(String::from)
            .to_vec(),
    ];
    for status in statuses {
        let remote = match (&status.registry_digest, &status.detail) {
            (Some(digest), _) => digest.get(..12).unwrap_or(digest).to_string(),
            (None, Some(detail)) => detail.clone(),
            (None, None) => "-".to_string(),
        };
        rows.push(vec![
            status.tag.clone(),
            status.local_id.clone(),
            remote,
            label(status.status).to_string(),
            status.targets.join(", "),
        ]);
    }
    let mut out = table(&rows);
    let outdated = statuses
        .iter()
        .filter(|s| s.status == Status::Outdated)
        .count();
    if outdated > 0 {
        out.push_str(&format!(
            "{outdated} outdated: `provision auto --update` pulls them again and re-creates their models\n"
        ));
    }
    out
}

fn label(status: Status) -> &'static str {
    match status {
        Status::Current => "current",
        Status::Outdated => "OUTDATED",
        Status::NotFound => "not in the registry",
        Status::Unknown => "unknown",
    }
}
