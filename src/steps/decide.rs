//! The per-model decision of `auto`: a pure function of the planned model and of
//! what Ollama reported about its target and its base tag, giving the action, its
//! reason and the steps that carry it out.

use super::compare::{changes, quantized_changes};
use super::{Action, Expect, Step};
use crate::modelfile::Modelfile;
use crate::ollama::ShownModelfile;
use crate::plan::PlannedModel;

/// What Ollama holds for one planned model.
#[derive(Debug, Clone, Default)]
pub struct Observed {
    /// Whether `ollama list` shows the target name.
    pub target_listed: bool,
    /// Whether `ollama list` shows the planned base tag.
    pub base_listed: bool,
    /// `show --modelfile` of the target, read when target and base are both listed.
    pub target: Option<ShownModelfile>,
    /// `show --modelfile` of the base tag, read with the target's.
    pub base: Option<ShownModelfile>,
    /// The quantization `ollama show` reports for the target, read with its
    /// Modelfile when the plan quantizes a local base (its blob is new).
    pub target_quantization: Option<String>,
}

/// What `auto` will do with one model, why, and the steps that do it.
#[derive(Debug, Clone, PartialEq)]
pub struct Decision {
    pub action: Action,
    pub reason: String,
    /// Whether the target existed before (a create then replaces it).
    pub existed: bool,
    /// Pull (when the base is not installed), create and verify; none when the
    /// action writes nothing.
    pub steps: Vec<Step>,
}

/// Decides one model (see the module comment). `force` allows replacing a target
/// that `provision` does not own.
pub fn decide(model: &PlannedModel, observed: &Observed, force: bool) -> Decision {
    let existed = observed.target_listed;
    let decision = |action, reason: String| Decision {
        action,
        reason,
        existed,
        steps: steps(model, action, existed),
    };
    let (Some(planned), Some(tag), true) = (&model.modelfile, &model.fit.tag, model.fit.fits)
    else {
        return decision(Action::DoesNotFit, model.fit.reason.clone());
    };
    // A level other than the tier's is said wherever the model is written.
    let decision = |action: Action, reason: String| match (&model.quantize_note, action.writes()) {
        (Some(note), true) => decision(action, format!("{reason}; {note}")),
        _ => decision(action, reason),
    };
    let build = if observed.base_listed {
        Action::Create
    } else {
        Action::PullCreate
    };
    if !existed {
        return decision(build, "not installed".to_string());
    }
    let changes = installed_changes(model, planned, tag, observed);
    if changes.is_empty() {
        decision(Action::Unchanged, "up to date".to_string())
    } else if !owned(model) && !force {
        let reason = format!(
            "{} exists and provision does not own it (not under {}/ and not named by the profile); pass --force to replace it",
            model.name,
            crate::name::PROVISION_NAMESPACE
        );
        decision(Action::NotOwned, reason)
    } else {
        decision(build, changes.join("; "))
    }
}

/// What differs between the installed target and what `create` would make now.
fn installed_changes(
    model: &PlannedModel,
    planned: &Modelfile,
    tag: &str,
    observed: &Observed,
) -> Vec<String> {
    match (&observed.target, &observed.base) {
        (Some(target), Some(base)) => match model.quantize {
            None => changes(planned, target, base, tag),
            Some(level) => {
                let shown = observed.target_quantization.as_deref();
                quantized_changes(planned, target, base, level, shown)
            }
        },
        // Without the base its blob cannot be compared: build from it again.
        _ => vec![format!("planned base {tag} is not installed")],
    }
}

/// Whether `auto` may replace this target: it is in the `provision/` namespace,
/// or the profile names it.
pub fn owned(model: &PlannedModel) -> bool {
    model.named_by_profile || crate::name::in_provision_namespace(&model.name)
}

/// The steps of an action: pull the base tag (for `pull+create`), create the
/// target from the rendered Modelfile, verify it with `ollama show`.
fn steps(model: &PlannedModel, action: Action, existed: bool) -> Vec<Step> {
    let (Some(planned), Some(text), Some(tag), Some(quant), true) = (
        &model.modelfile,
        &model.modelfile_text,
        &model.fit.tag,
        model.fit.quantization,
        action.writes(),
    ) else {
        return Vec::new();
    };
    let mut steps = Vec::new();
    if action == Action::PullCreate {
        steps.push(Step::Pull {
            tag: tag.clone(),
            bytes: Some(model.fit.estimate.weights_bytes),
        });
    }
    steps.push(Step::Create {
        name: model.name.clone(),
        from: tag.clone(),
        modelfile: text.clone(),
        quantize: model.quantize,
        replaces: existed,
    });
    steps.push(Step::Verify {
        name: model.name.clone(),
        expect: Expect::planned(quant, planned),
    });
    steps
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ollama::show_modelfile::parse_shown_modelfile;
    use crate::quant::Quant;
    use crate::steps::expected;

    const BASE: &str = "# Modelfile generated by \"ollama show\"\n# FROM llama3.2:1b-instruct-q8_0\n\nFROM /s/blobs/sha256-aaa\nTEMPLATE \"{{ .Prompt }}\"\nPARAMETER stop <|eot_id|>\nPARAMETER stop <|eom_id|>\nLICENSE \"x\"\n\n";

    fn planned_model(name: &str, named: bool) -> PlannedModel {
        let profile = crate::profile::parse(crate::profile::BUILTINS[0].1, "default").unwrap();
        let wanted = ["llama3.2:1b".to_string()];
        let plan = crate::plan::for_tests(&profile, (8 << 30, 4), None, &wanted, &[]);
        let mut model = plan.models[0].clone();
        model.name = name.to_string();
        model.named_by_profile = named;
        model
    }

    /// The target as `create` would have made it from `planned` on BASE.
    fn installed(planned: &Modelfile, edit: impl Fn(&mut String)) -> ShownModelfile {
        let mut text = String::from("FROM /s/blobs/sha256-aaa\nTEMPLATE \"{{ .Prompt }}\"\n");
        if let Some(system) = &planned.system {
            text.push_str(&format!("SYSTEM {system:?}\n"));
        }
        // Reverse order: `show --modelfile` prints parameters in random order.
        let mut params: Vec<_> = expected(planned, &parse_shown_modelfile(BASE).unwrap())
            .parameters
            .into_iter()
            .collect();
        params.reverse();
        for p in params {
            text.push_str(&format!("PARAMETER {} {:?}\n", p.name, p.value.to_string()));
        }
        edit(&mut text);
        parse_shown_modelfile(&text).unwrap()
    }

    fn observed(target: Option<ShownModelfile>, base_listed: bool) -> Observed {
        Observed {
            target_listed: target.is_some(),
            base_listed,
            base: (target.is_some() && base_listed).then(|| parse_shown_modelfile(BASE).unwrap()),
            target,
            target_quantization: None,
        }
    }

    #[test]
    fn missing_target_is_created_pulling_the_base_when_needed() {
        let model = planned_model("provision/llama3.2:1b", false);
        let d = decide(&model, &observed(None, false), false);
        assert_eq!((d.action, d.existed), (Action::PullCreate, false));
        let d = decide(&model, &observed(None, true), false);
        assert_eq!(d.action, Action::Create);
    }

    #[test]
    fn an_identical_target_is_unchanged_whatever_the_parameter_order() {
        let model = planned_model("provision/llama3.2:1b", false);
        let file = model.modelfile.clone().unwrap();
        let d = decide(
            &model,
            &observed(Some(installed(&file, |_| {})), true),
            false,
        );
        assert_eq!(d.action, Action::Unchanged, "{}", d.reason);
    }

    #[test]
    fn a_changed_parameter_is_reported_with_old_and_new_values() {
        let model = planned_model("provision/llama3.2:1b", false);
        let file = model.modelfile.clone().unwrap();
        let ctx = file.get("num_ctx").unwrap().to_string();
        let target = installed(&file, |t| {
            *t = t.replace(&format!("num_ctx \"{ctx}\""), "num_ctx 9999")
        });
        let d = decide(&model, &observed(Some(target), true), false);
        assert_eq!(d.action, Action::Create);
        assert_eq!(d.reason, format!("num_ctx 9999 → {ctx}"));
        assert!(d.existed);
    }

    #[test]
    fn other_weights_or_a_missing_base_are_changes() {
        let model = planned_model("provision/llama3.2:1b", false);
        let file = model.modelfile.clone().unwrap();
        let target = installed(&file, |t| *t = t.replace("sha256-aaa", "sha256-bbb"));
        let d = decide(&model, &observed(Some(target), true), false);
        assert_eq!(d.reason, "weights differ from llama3.2:1b-instruct-q8_0");
        let target = installed(&file, |_| {});
        let d = decide(&model, &observed(Some(target), false), false);
        assert_eq!(d.action, Action::PullCreate);
        assert_eq!(
            d.reason,
            "planned base llama3.2:1b-instruct-q8_0 is not installed"
        );
    }

    #[test]
    fn an_inherited_template_must_still_be_the_bases() {
        let model = planned_model("provision/llama3.2:1b", false);
        let file = model.modelfile.clone().unwrap();
        let target = installed(&file, |t| *t = t.replace("{{ .Prompt }}", "custom"));
        let d = decide(&model, &observed(Some(target), true), false);
        assert!(d.reason.starts_with("template \"custom\""), "{}", d.reason);
    }

    #[test]
    fn changing_a_target_provision_does_not_own_needs_force() {
        let model = planned_model("mine:latest", false);
        let file = model.modelfile.clone().unwrap();
        let target = installed(&file, |t| t.push_str("PARAMETER top_k 3\n"));
        let d = decide(&model, &observed(Some(target.clone()), true), false);
        assert_eq!(d.action, Action::NotOwned);
        assert!(d.reason.contains("--force"), "{}", d.reason);
        let d = decide(&model, &observed(Some(target.clone()), true), true);
        assert_eq!(d.action, Action::Create);
        let named = planned_model("mine:latest", true);
        assert_eq!(
            decide(&named, &observed(Some(target), true), false).action,
            Action::Create
        );
        assert!(owned(&planned_model("provision/x:1b", false)));
    }

    #[test]
    fn a_quantized_target_is_compared_by_its_level_not_its_blob() {
        let model = planned_model("provision/llama3.2:1b", false);
        let file = model.modelfile.clone().unwrap();
        let base = parse_shown_modelfile(BASE).unwrap();
        let target = installed(&file, |t| *t = t.replace("sha256-aaa", "sha256-new"));
        let changes = |shown| quantized_changes(&file, &target, &base, Quant::Q4KM, shown);
        assert_eq!(changes(Some("Q4_K_M")), Vec::<String>::new());
        assert_eq!(changes(Some("Q8_0")), ["quantization Q8_0 → Q4_K_M"]);
        assert_eq!(changes(None), ["quantization unknown → Q4_K_M"]);
        let edited = installed(&file, |t| t.push_str("PARAMETER top_k 3\n"));
        let found = quantized_changes(&file, &edited, &base, Quant::Q4KM, Some("Q4_K_M"));
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(found[0].starts_with("top_k"), "{found:?}");
    }

    #[test]
    fn a_quantize_note_is_said_when_the_model_is_written() {
        let mut model = planned_model("provision/llama3.2:1b", false);
        model.quantize_note = Some("Q4_K_S is the nearest".to_string());
        let d = decide(&model, &observed(None, true), false);
        assert_eq!(d.reason, "not installed; Q4_K_S is the nearest");
    }

    #[test]
    fn a_model_that_does_not_fit_is_not_touched() {
        let mut model = planned_model("provision/llama3.2:1b", false);
        model.fit.fits = false;
        let d = decide(&model, &observed(None, false), false);
        assert_eq!(d.action, Action::DoesNotFit);
    }
}
