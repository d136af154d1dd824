//! `auto --update`: the models built on a republished tag get new steps: pull
//! the tag again, then re-create and verify the model.

use super::TagStatus;
use crate::plan::Plan;
use crate::state::key;
use crate::steps::{self, Action, ModelReport, Observed, Status};

/// Rewrites the report of every model whose base tag is in `outdated`, unless it
/// does not fit or is not `provision`'s to replace (without `force`). A base
/// several models share is pulled once. Returns how many reports changed.
pub fn refresh(
    plan: &Plan,
    reports: &mut [ModelReport],
    outdated: &[&TagStatus],
    force: bool,
    program: &str,
) -> usize {
    let mut changed = 0;
    for (model, report) in plan.models.iter().zip(reports.iter_mut()) {
        let Some(tag) = &model.fit.tag else { continue };
        let Some(status) = outdated.iter().find(|s| key(&s.tag) == key(tag)) else {
            continue;
        };
        let existed = match report.status {
            Status::Unchanged => true,
            Status::Planned => report.replaces(),
            _ => continue,
        };
        // What `decide` does when the base is missing is exactly this: pull it,
        // then create (replacing the model when it exists, if it may).
        let seen = Observed {
            target_listed: existed,
            base_listed: false,
            ..Observed::default()
        };
        let decision = steps::decide(model, &seen, force);
        if decision.action != Action::PullCreate {
            continue;
        }
        let before = (report.status == Status::Planned).then(|| report.reason.clone());
        *report = ModelReport::new(model, &decision, program);
        report.reason = updated(status, before);
        changed += 1;
    }
    steps::share_pulls_among(reports, program);
    changed
}

fn updated(status: &TagStatus, before: Option<String>) -> String {
    let remote = status.registry_digest.as_deref().unwrap_or("?");
    let short = remote.get(..12).unwrap_or(remote);
    let why = format!(
        "{} changed in the registry ({} → {short})",
        status.tag, status.local_id
    );
    match before {
        Some(before) => format!("{why}; {before}"),
        None => why,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::outdated::Status as TagState;
    use crate::steps::{Decision, Step};

    fn planned() -> Plan {
        let profile = crate::profile::parse(crate::profile::BUILTINS[0].1, "default").unwrap();
        let wanted = ["llama3.2:1b".to_string()];
        crate::plan::for_tests(&profile, (16 << 30, 4), None, &wanted, &[])
    }

    fn status(tag: &str) -> TagStatus {
        TagStatus {
            tag: tag.into(),
            local_id: "0123456789ab".into(),
            registry_digest: Some("f".repeat(64)),
            digest_source: None,
            status: TagState::Outdated,
            detail: None,
            targets: vec![],
        }
    }

    fn unchanged(plan: &Plan) -> ModelReport {
        let decision = Decision {
            action: Action::Unchanged,
            reason: "up to date".into(),
            existed: true,
            steps: vec![],
        };
        ModelReport::new(&plan.models[0], &decision, "ollama")
    }

    #[test]
    fn a_model_on_an_outdated_tag_is_pulled_and_recreated() {
        let plan = planned();
        let tag = plan.models[0].fit.tag.clone().unwrap();
        let mut reports = vec![unchanged(&plan)];
        let statuses = [status(&tag)];
        let outdated: Vec<&TagStatus> = statuses.iter().collect();
        assert_eq!(refresh(&plan, &mut reports, &outdated, false, "ollama"), 1);
        let report = &reports[0];
        assert_eq!(
            (report.action, report.status),
            (Action::PullCreate, Status::Planned)
        );
        assert!(matches!(&report.steps[0], Step::Pull { tag: t, .. } if *t == tag));
        assert!(report.replaces());
        assert_eq!(report.steps.len(), 3);
        assert!(
            report.reason.contains("0123456789ab → ffffffffffff"),
            "{}",
            report.reason
        );
    }

    #[test]
    fn other_tags_and_models_that_are_not_ours_are_left_alone() {
        let mut plan = planned();
        let mut reports = vec![unchanged(&plan)];
        let statuses = [status("other:tag")];
        let outdated: Vec<&TagStatus> = statuses.iter().collect();
        assert_eq!(refresh(&plan, &mut reports, &outdated, false, "ollama"), 0);
        let tag = plan.models[0].fit.tag.clone().unwrap();
        plan.models[0].name = "mine:latest".into();
        plan.models[0].named_by_profile = false;
        let statuses = [status(&tag)];
        let outdated: Vec<&TagStatus> = statuses.iter().collect();
        assert_eq!(refresh(&plan, &mut reports, &outdated, false, "ollama"), 0);
        assert_eq!(reports[0].status, Status::Unchanged);
    }
}
