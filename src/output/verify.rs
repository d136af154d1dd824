//! The load check as people read it: the server, a row per model (status, real
//! size beside the estimate, placement beside the plan's), then the roster.

use super::table;
use crate::loaded::{AfterAuto, CheckStatus, LoadCheck, Verification};
use crate::size::Binary;

/// The check's table and what it found.
pub fn text(verification: &Verification) -> String {
    let keep = verification
        .keep_alive
        .as_ref()
        .map_or("the server's default".to_string(), |k| k.to_string());
    let mut out = format!(
        "server  {} (Ollama {}), keep_alive {keep}\n\n",
        verification.server, verification.ollama_version
    );
    let header = [
        "MODEL",
        "STATUS",
        "SIZE",
        "ESTIMATE",
        "ERROR",
        "PLACEMENT",
        "PLANNED",
        "CONTEXT",
        "UNTIL",
    ];
    let mut rows = vec![header.map(String::from).to_vec()];
    rows.extend(verification.models.iter().map(row));
    out.push_str(&table(&rows));
    out.push_str(&findings(verification));
    let s = &verification.summary;
    out.push_str(&format!(
        "\n\n{} ok, {} with warnings, {} failed, {} skipped\n",
        s.ok, s.warning, s.failed, s.skipped
    ));
    out
}

/// Each failure and warning under its model, then the roster's residency.
fn findings(verification: &Verification) -> String {
    let mut out = String::new();
    for check in &verification.models {
        for line in check.failures.iter().chain(&check.warnings) {
            out.push_str(&format!("\n{}: {line}", check.name));
        }
    }
    if let Some(roster) = &verification.roster {
        let loaded = verification.models.iter().filter(|c| c.loaded).count();
        let line = if roster.resident_together {
            format!("all {loaded} resident together")
        } else if roster.evicted.is_empty() {
            "not resident together: not every model loaded".to_string()
        } else {
            format!(
                "not resident together: {} evicted",
                roster.evicted.join(", ")
            )
        };
        out.push_str(&format!("\n\nroster (kept loaded together): {line}"));
    }
    out
}

/// What `auto --verify` adds to auto's text: the loads a dry run would send,
/// or the load check.
pub fn after_auto(verified: &AfterAuto) -> String {
    match verified {
        AfterAuto::Planned { steps } => {
            let mut out = "\nthen the load check (--verify):\n".to_string();
            for step in steps {
                out.push_str(&format!("  {step}\n"));
            }
            out
        }
        AfterAuto::Checked(verification) => format!("\n{}", text(verification)),
    }
}

fn row(check: &LoadCheck) -> Vec<String> {
    let dash = || "-".to_string();
    let status = match check.status {
        CheckStatus::Ok => "ok",
        CheckStatus::Warning => "warning",
        CheckStatus::Failed => "failed",
        CheckStatus::Skipped => "skipped",
    };
    vec![
        check.name.clone(),
        status.to_string(),
        check
            .size_bytes
            .map_or_else(dash, |b| Binary(b).to_string()),
        Binary(check.estimated_bytes).to_string(),
        check
            .error_percent
            .map_or_else(dash, |e| format!("{e:+.1}%")),
        check.placement.clone().unwrap_or_else(dash),
        check.planned_placement.clone().unwrap_or_else(dash),
        check.context_length.map_or_else(dash, |c| c.to_string()),
        check.expires_at.as_deref().map_or_else(dash, until),
    ]
}

/// An expiry as people read it: `forever` for Ollama's "never" (a time past
/// the year 2200: `time.Duration(math.MaxInt64)` from now), else to the second.
fn until(expires_at: &str) -> String {
    let year: u32 = expires_at
        .get(..4)
        .and_then(|y| y.parse().ok())
        .unwrap_or(0);
    if year >= 2200 {
        return "forever".to_string();
    }
    match (expires_at.get(..10), expires_at.get(11..19)) {
        (Some(date), Some(time)) => format!("{date} {time}"),
        _ => expires_at.to_string(),
    }
}
