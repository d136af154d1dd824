//! `provision modelfile MODEL`: print the Modelfile `provision auto` would create
//! for MODEL on this device, so `provision modelfile llama3.1:8b > Modelfile &&
//! ollama create mine -f Modelfile` works by hand.

use crate::cli::ModelfileArgs;
use crate::context::Context;
use crate::exit::{Outcome, UsageError};
use crate::modelfile::{Modelfile, Parameter};
use crate::output;
use anyhow::{Result, bail};

/// What the command line changes on top of the plan.
pub struct Edits<'a> {
    pub set: &'a [String],
    pub system: Option<&'a str>,
}

pub fn run(ctx: &Context, args: &ModelfileArgs) -> Result<Outcome> {
    if ctx.json() {
        // The Modelfile is the output; `plan --json` carries it as `modelfile_text`.
        return Err(UsageError(
            "--json does not apply to `modelfile`: it prints a Modelfile \
             (`plan MODEL --json` has it as modelfile_text)"
                .into(),
        )
        .into());
    }
    let plan = super::plan(ctx, std::slice::from_ref(&args.model), None)?;
    let ollama = plan.ollama.version;
    let edits = Edits {
        set: &args.set,
        system: args.system.as_deref(),
    };
    let Some(model) = plan.models.into_iter().next() else {
        bail!("the plan holds no model");
    };
    let Some(mut file) = model.modelfile else {
        bail!(
            "{} does not fit this device, so there is no Modelfile to write: {} \
             (plan for other hardware with --ram/--vram/--cores, or force a tier with --tier)",
            model.base,
            model.fit.reason
        );
    };
    apply(&mut file, &edits)?;
    // The plan checked the profile's values; what --set/--system changed is the
    // user's input, checked against the same Ollama version.
    let warnings = crate::ollama::rules::modelfile::check(ollama, &file)
        .map_err(|e| UsageError(format!("--set/--system: {e}")))?;
    for warning in &warnings {
        output::warn(warning);
    }
    output::print(&ctx.renderer()?.render(&file)?)?;
    Ok(Outcome::Success)
}

/// `--set name=value` (typed like a PARAMETER line; unknown names list the valid
/// ones) and `--system TEXT`. Errors here are the user's input: exit 2.
fn apply(file: &mut Modelfile, edits: &Edits) -> Result<()> {
    for assignment in edits.set {
        let parameter = Parameter::from_assignment(assignment)
            .map_err(|e| UsageError(format!("--set {assignment}: {e:#}")))?;
        file.set(&parameter.name, parameter.value);
    }
    if let Some(system) = edits.system {
        crate::modelfile::quote("SYSTEM", system)
            .map_err(|e| UsageError(format!("--system: {e}")))?;
        file.system = Some(system.to_string());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::modelfile::ParamValue;

    fn file() -> Modelfile {
        Modelfile::parse("FROM llama3.1:8b-instruct-q4_K_M\nPARAMETER num_ctx 4096\n").unwrap()
    }

    #[test]
    fn set_replaces_and_types_values() {
        let mut file = file();
        let set = ["num_ctx=8192".to_string(), "temperature=0.5".to_string()];
        apply(
            &mut file,
            &Edits {
                set: &set,
                system: Some("Be brief."),
            },
        )
        .unwrap();
        assert_eq!(file.get("num_ctx"), Some(&ParamValue::Int(8192)));
        assert_eq!(file.get("temperature"), Some(&ParamValue::Float(0.5)));
        assert_eq!(file.system.as_deref(), Some("Be brief."));
    }

    #[test]
    fn bad_assignments_are_usage_errors_naming_the_flag() {
        for bad in ["num_ctxx=1", "num_ctx=lots", "num_ctx"] {
            let set = [bad.to_string()];
            let error = apply(
                &mut file(),
                &Edits {
                    set: &set,
                    system: None,
                },
            )
            .unwrap_err();
            assert!(error.downcast_ref::<UsageError>().is_some(), "{bad}");
            assert!(
                error.to_string().starts_with(&format!("--set {bad}: ")),
                "{error}"
            );
        }
    }

    #[test]
    fn a_system_prompt_that_cannot_be_written_is_refused() {
        let error = apply(
            &mut file(),
            &Edits {
                set: &[],
                system: Some("x\n\"\"\"\nFROM evil"),
            },
        )
        .unwrap_err();
        assert!(error.to_string().starts_with("--system: "), "{error}");
    }
}
