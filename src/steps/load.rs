//! The load check as steps: load each planned model through the API, together
//! for a concurrent roster, one at a time (unloaded after its check) otherwise,
//! so each sees the memory the plan gave it.

use super::Step;
use crate::ollama::KeepAlive;
use crate::plan::Plan;
use crate::profile::Profile;

/// The `keep_alive` of the loads: the profile's, else forever for a roster
/// kept loaded together (as the plan's `OLLAMA_KEEP_ALIVE=-1`), else none (the
/// server's default).
pub fn keep_alive(profile: &Profile, plan: &Plan) -> Option<KeepAlive> {
    profile
        .keep_alive
        .clone()
        .or_else(|| plan.concurrent.then(KeepAlive::forever))
}

/// The steps that load the plan's fitting models whose names pass `include`.
pub fn load_steps(
    plan: &Plan,
    keep_alive: Option<&KeepAlive>,
    include: impl Fn(&str) -> bool,
) -> Vec<Step> {
    let mut steps = Vec::new();
    for model in plan
        .models
        .iter()
        .filter(|m| m.fit.fits && include(&m.name))
    {
        steps.push(Step::Load {
            name: model.name.clone(),
            keep_alive: keep_alive.cloned(),
        });
        if !plan.concurrent {
            steps.push(Step::Unload {
                name: model.name.clone(),
            });
        }
    }
    steps
}

/// A load or unload as the request it sends: `POST /api/generate
/// {"keep_alive":-1,"model":"chat"}`.
pub(super) fn request_line(step: &Step) -> Option<String> {
    let body = match step {
        Step::Load { name, keep_alive } => {
            let mut body = serde_json::json!({ "model": name });
            if let Some(keep_alive) = keep_alive {
                body["keep_alive"] = keep_alive.to_json();
            }
            body
        }
        Step::Unload { name } => serde_json::json!({ "model": name, "keep_alive": 0 }),
        _ => return None,
    };
    Some(format!("POST /api/generate {body}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plan(concurrent: bool) -> (Profile, Plan) {
        let profile = crate::profile::parse(crate::profile::BUILTINS[0].1, "default").unwrap();
        let wanted = ["llama3.2:1b".to_string(), "qwen2.5:0.5b".to_string()];
        let mut plan = crate::plan::for_tests(&profile, (16 << 30, 4), None, &wanted, &[]);
        plan.concurrent = concurrent;
        (profile, plan)
    }

    #[test]
    fn a_concurrent_roster_is_loaded_together_and_kept() {
        let (profile, plan) = plan(true);
        let keep = keep_alive(&profile, &plan);
        let steps = load_steps(&plan, keep.as_ref(), |_| true);
        let lines: Vec<String> = steps.iter().map(|s| s.to_string()).collect();
        assert_eq!(
            lines,
            [
                r#"POST /api/generate {"keep_alive":-1,"model":"provision/llama3.2:1b"}"#,
                r#"POST /api/generate {"keep_alive":-1,"model":"provision/qwen2.5:0.5b"}"#,
            ]
        );
        assert!(!steps[0].writes());
    }

    #[test]
    fn other_rosters_load_one_model_at_a_time() {
        let (mut profile, plan) = plan(false);
        assert_eq!(keep_alive(&profile, &plan), None);
        profile.keep_alive = Some(KeepAlive::parse("10m").unwrap());
        let keep = keep_alive(&profile, &plan);
        let steps = load_steps(&plan, keep.as_ref(), |name| name.contains("qwen"));
        let lines: Vec<String> = steps.iter().map(|s| s.to_string()).collect();
        assert_eq!(
            lines,
            [
                r#"POST /api/generate {"keep_alive":"10m","model":"provision/qwen2.5:0.5b"}"#,
                r#"POST /api/generate {"keep_alive":0,"model":"provision/qwen2.5:0.5b"}"#,
            ]
        );
    }
}
