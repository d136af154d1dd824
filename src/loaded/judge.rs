//! Judging what the loads showed against the plan: one [`LoadCheck`] per planned
//! model, and for a concurrent roster whether all stayed resident together.

use super::{CheckStatus, LoadCheck, Observation, Observations, Placement, RosterCheck, planned};
use crate::ollama::api::Running;
use crate::plan::{Plan, PlannedModel};
use crate::size::Binary;

/// An estimate further than this from the real size is a warning.
pub const ERROR_TOLERANCE_PERCENT: f64 = 10.0;

/// The check of every planned model, in plan order, and the roster's when the
/// plan keeps its models loaded together.
pub fn judge(plan: &Plan, observations: &Observations) -> (Vec<LoadCheck>, Option<RosterCheck>) {
    let at_end = plan.concurrent.then_some(observations.at_end.as_slice());
    let checks: Vec<LoadCheck> = plan
        .models
        .iter()
        .map(|model| {
            let seen = observations.models.iter().find(|o| o.name == model.name);
            check(model, seen, at_end)
        })
        .collect();
    let roster = plan.concurrent.then(|| {
        let evicted: Vec<String> = checks
            .iter()
            .filter(|c| c.resident == Some(false))
            .map(|c| c.name.clone())
            .collect();
        let all_loaded = checks.iter().all(|c| c.loaded || !fits(plan, &c.name));
        RosterCheck {
            resident_together: evicted.is_empty() && all_loaded,
            evicted,
        }
    });
    (checks, roster)
}

fn fits(plan: &Plan, name: &str) -> bool {
    plan.models.iter().any(|m| m.name == name && m.fit.fits)
}

/// The estimate the plan made (a measured size it used is not an estimate).
fn estimated(model: &PlannedModel) -> u64 {
    model
        .measured
        .as_ref()
        .map_or(model.fit.estimate.total_bytes, |m| m.estimated_bytes)
}

fn check(
    model: &PlannedModel,
    seen: Option<&Observation>,
    at_end: Option<&[Running]>,
) -> LoadCheck {
    let mut check = unchecked(model);
    let Some(seen) = seen.filter(|_| model.fit.fits) else {
        return check;
    };
    match &seen.load {
        Err(failure) if failure.not_installed => check
            .failures
            .push("not installed: run `provision auto` to create it".to_string()),
        Err(failure) => check
            .failures
            .push(format!("could not load: {}", failure.message)),
        Ok(_) => {
            check.loaded = true;
            check.load_seconds = Some((seen.seconds * 1000.0).round() / 1000.0);
        }
    }
    if check.loaded {
        match &seen.after_load {
            Some(running) => compare(model, running, &mut check),
            None => check
                .failures
                .push("loaded, but `GET /api/ps` does not list it".to_string()),
        }
        if let Some(at_end) = at_end {
            resident(&model.name, at_end, &mut check);
        }
    }
    check.status = if !check.failures.is_empty() {
        CheckStatus::Failed
    } else if !check.warnings.is_empty() {
        CheckStatus::Warning
    } else {
        CheckStatus::Ok
    };
    check
}

/// The check of a model before anything is known of its load: skipped.
fn unchecked(model: &PlannedModel) -> LoadCheck {
    LoadCheck {
        name: model.name.clone(),
        tag: model.fit.tag.clone(),
        quantization: model.fit.quantization,
        status: CheckStatus::Skipped,
        loaded: false,
        size_bytes: None,
        size_vram_bytes: None,
        estimated_bytes: estimated(model),
        error_percent: None,
        placement: None,
        planned_placement: model.fit.run.map(|run| planned(run).to_string()),
        context_length: None,
        planned_num_ctx: model.fit.num_ctx,
        expires_at: None,
        resident: None,
        load_seconds: None,
        digest: None,
        failures: Vec::new(),
        warnings: Vec::new(),
    }
}

/// Whether a model of a concurrent roster is still loaded once all were.
fn resident(name: &str, at_end: &[Running], check: &mut LoadCheck) {
    let resident = at_end.iter().any(|r| r.is(name));
    check.resident = Some(resident);
    if !resident {
        check.failures.push(
            "evicted: not resident once the whole roster was loaded (the server keeps fewer models loaded than the roster has, OLLAMA_MAX_LOADED_MODELS, or they do not fit together)"
                .to_string(),
        );
    }
}

/// The real size and placement beside the plan's.
fn compare(model: &PlannedModel, running: &Running, check: &mut LoadCheck) {
    let (size, vram) = (running.size, running.size_vram);
    check.size_bytes = Some(size);
    check.size_vram_bytes = Some(vram);
    check.context_length = running.context_length.filter(|c| *c > 0);
    check.expires_at = Some(running.expires_at.clone()).filter(|e| !e.is_empty());
    check.digest = Some(running.digest.clone()).filter(|d| !d.is_empty());
    let estimate = check.estimated_bytes;
    if size > 0 {
        let error = (estimate as f64 - size as f64) / size as f64 * 100.0;
        check.error_percent = Some((error * 10.0).round() / 10.0);
        if error.abs() > ERROR_TOLERANCE_PERCENT {
            check.warnings.push(format!(
                "the estimate {} is {error:+.1}% off the real size {} (more than {ERROR_TOLERANCE_PERCENT}%)",
                Binary(estimate),
                Binary(size)
            ));
        }
    }
    let placement = Placement::of(size, vram);
    check.placement = Some(placement.to_string());
    let Some(run) = model.fit.run else { return };
    if placement.as_planned(run) {
        return;
    }
    let both = format!(
        "planned {}, loaded {placement}: {} of {} in GPU memory",
        planned(run),
        Binary(vram),
        Binary(size)
    );
    match run {
        crate::fit::Run::Gpu => check.failures.push(both),
        _ => check.warnings.push(both),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fit::Run;
    use crate::loaded::LoadFailure;
    use crate::ollama::api::{Details, Generated};

    fn plan(concurrent: bool, run: Run) -> Plan {
        let profile = crate::profile::parse(crate::profile::BUILTINS[0].1, "default").unwrap();
        let wanted = ["llama3.2:1b".to_string(), "qwen2.5:0.5b".to_string()];
        let mut plan = crate::plan::for_tests(&profile, (16 << 30, 4), None, &wanted, &[]);
        plan.concurrent = concurrent;
        for model in &mut plan.models {
            model.fit.run = Some(run);
        }
        plan
    }

    fn running(name: &str, size: u64, vram: u64) -> Running {
        Running {
            name: name.to_string(),
            model: String::new(),
            size,
            size_vram: vram,
            digest: "abc".into(),
            details: Details::default(),
            expires_at: "2026-12-01T21:00:00Z".into(),
            context_length: None,
        }
    }

    /// Each model loaded at its estimate, on the GPU when `vram` says so.
    fn observed(plan: &Plan, vram: impl Fn(u64) -> u64) -> Observations {
        let models: Vec<Observation> = plan
            .models
            .iter()
            .map(|m| {
                let size = m.fit.estimate.total_bytes;
                Observation {
                    name: m.name.clone(),
                    load: Ok(Generated::default()),
                    after_load: Some(running(&m.name, size, vram(size))),
                    seconds: 0.5,
                }
            })
            .collect();
        let at_end = models.iter().filter_map(|o| o.after_load.clone()).collect();
        Observations { models, at_end }
    }

    #[test]
    fn a_roster_loaded_as_planned_is_resident_together() {
        let plan = plan(true, Run::Gpu);
        let (checks, roster) = judge(&plan, &observed(&plan, |size| size));
        assert!(
            checks.iter().all(|c| c.status == CheckStatus::Ok),
            "{checks:?}"
        );
        assert_eq!(checks[0].error_percent, Some(0.0));
        assert_eq!(checks[0].placement.as_deref(), Some("100% GPU"));
        assert!(roster.unwrap().resident_together);
    }

    #[test]
    fn an_evicted_model_fails_the_roster() {
        let plan = plan(true, Run::Cpu);
        let mut seen = observed(&plan, |_| 0);
        seen.at_end.remove(0);
        let (checks, roster) = judge(&plan, &seen);
        assert_eq!(checks[0].status, CheckStatus::Failed);
        assert!(
            checks[0].failures[0].starts_with("evicted"),
            "{:?}",
            checks[0]
        );
        assert_eq!(roster.unwrap().evicted, [plan.models[0].name.clone()]);
    }

    #[test]
    fn a_gpu_plan_loaded_split_fails_with_both_numbers() {
        let plan = plan(false, Run::Gpu);
        let (checks, roster) = judge(&plan, &observed(&plan, |size| size / 2));
        assert!(roster.is_none());
        let failure = &checks[0].failures[0];
        assert!(
            failure.starts_with("planned 100% GPU, loaded 50%/50% CPU/GPU: "),
            "{failure}"
        );
        assert!(failure.contains(" in GPU memory"), "{failure}");
    }

    #[test]
    fn a_far_estimate_is_a_warning_and_a_missing_model_a_failure() {
        let plan = plan(false, Run::Cpu);
        let mut seen = observed(&plan, |_| 0);
        let first = seen.models[0].after_load.as_mut().unwrap();
        first.size = first.size * 100 / 125;
        seen.models[1].load = Err(LoadFailure {
            message: "model 'x' not found".into(),
            not_installed: true,
        });
        let (checks, _) = judge(&plan, &seen);
        assert_eq!(checks[0].status, CheckStatus::Warning);
        assert!(
            checks[0].warnings[0].contains("+25.0% off"),
            "{:?}",
            checks[0]
        );
        assert_eq!(checks[1].status, CheckStatus::Failed);
        assert!(checks[1].failures[0].contains("provision auto"));
    }
}
