//! Acting on one decided model: pull the base tag, create the target, verify it.

use super::{Action, Decision, Progress, verify};
use crate::ollama::{ErrorClass, Interrupt, Ollama, OllamaError};
use crate::plan::PlannedModel;
use crate::size::Decimal;
use anyhow::{Context, Result, anyhow};

/// The `ollama` command lines an action runs; the create's Modelfile is a
/// private temporary file, shown as `<Modelfile>`.
pub fn commands(ollama: &Ollama, model: &PlannedModel, action: Action) -> Vec<String> {
    let tag = model.fit.tag.as_deref().unwrap_or_default();
    let mut lines = Vec::new();
    if action == Action::PullCreate {
        lines.push(ollama.command_line(&["pull", tag]));
    }
    if action.writes() {
        // In the order the wrapper passes them, so the line is the one that runs.
        let mut create = vec!["create", &model.name, "-f", "<Modelfile>"];
        if let Some(level) = model.quantize {
            create.extend(["-q", level.name()]);
        }
        lines.push(ollama.command_line(&create));
        lines.push(ollama.command_line(&["show", &model.name]));
    }
    lines
}

/// Runs the decided action. An interrupted create of a target that did not
/// exist removes whatever was made of it, so no half target is left behind.
pub fn execute(
    ollama: &Ollama,
    progress: &Progress,
    model: &PlannedModel,
    decision: &Decision,
) -> Result<()> {
    let (Some(planned), Some(text), Some(tag), Some(quant)) = (
        &model.modelfile,
        &model.modelfile_text,
        &model.fit.tag,
        model.fit.quantization,
    ) else {
        return Ok(());
    };
    if decision.action == Action::PullCreate {
        let size = Decimal(model.fit.estimate.weights_bytes);
        let mut step = progress.bar(format!("pulling {tag} {size}"));
        let pulled = ollama.pull(tag, Some(&mut |state| step.update(state)));
        step.finish(pulled.is_ok());
        pulled?;
    }
    let quantize = model.quantize.map(|q| q.name());
    let how = quantize.map_or_else(String::new, |q| format!(", quantizing to {q}"));
    let mut step = progress.spinner(format!("creating {} from {tag}{how}", model.name));
    let created = ollama.create(&model.name, text, quantize, Some(&mut |s| step.update(s)));
    step.finish(created.is_ok());
    if let Err(error) = created {
        if matches!(error, OllamaError::Interrupted { .. }) && !decision.existed {
            remove_half_created(ollama, &model.name);
        }
        return Err(error.into());
    }
    let info = ollama.show(&model.name)?;
    verify(
        planned,
        quant.name(),
        info.known_quantization(),
        &info.parameters_section,
    )
    .map_err(|mismatch| anyhow!("created {} but {mismatch}", model.name))
    .context("could not verify the created model")
}

/// Best effort: `ollama rm` of a target an interrupted create may have written,
/// with a fresh interrupt flag (the run's flag is already set).
pub fn remove_half_created(ollama: &Ollama, name: &str) {
    let cleaner = ollama.clone().with_interrupt(Interrupt::new());
    match cleaner.rm(name) {
        Ok(()) => {}
        Err(error) if matches!(error.class(), Some(ErrorClass::ModelNotFound { .. })) => {}
        Err(error) => eprintln!("provision: could not remove the half-created {name}: {error}"),
    }
}
