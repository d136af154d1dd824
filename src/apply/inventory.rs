//! What Ollama holds for a plan: one `ollama list`, then `show --modelfile` of
//! each installed target and its base tag, all at once on threads.

use super::Observed;
use crate::name::ModelName;
use crate::ollama::{ErrorClass, Ollama, OllamaError, ShownModelfile};
use crate::plan::PlannedModel;
use std::collections::{BTreeMap, HashSet};

/// The observation of each model, in plan order; a model whose `show` failed
/// gets the error instead. A failure that dooms every model (server down,
/// interrupted, timed out) is returned as the error of the whole call.
pub fn observe(
    ollama: &Ollama,
    models: &[PlannedModel],
) -> Result<Vec<Result<Observed, String>>, OllamaError> {
    let observed = listed(ollama, models)?;
    let wanted: Vec<String> = models
        .iter()
        .zip(&observed)
        .filter(|(model, seen)| needs_shows(model, seen))
        .flat_map(|(model, _)| {
            [
                model.name.clone(),
                model.fit.tag.clone().unwrap_or_default(),
            ]
        })
        .collect();
    let shown = show_all(ollama, &wanted)?;
    Ok(models
        .iter()
        .zip(observed)
        .map(|(model, mut seen)| {
            if needs_shows(model, &seen) {
                let tag = model.fit.tag.as_deref().unwrap_or_default();
                seen.target = Some(lookup(&shown, &model.name)?);
                seen.base = Some(lookup(&shown, tag)?);
            }
            Ok(seen)
        })
        .collect())
}

/// `ollama list`: which targets and base tags are installed.
fn listed(ollama: &Ollama, models: &[PlannedModel]) -> Result<Vec<Observed>, OllamaError> {
    let listed: HashSet<String> = ollama
        .list()?
        .iter()
        .filter_map(|entry| key(&entry.name))
        .collect();
    let is_listed = |name: &str| key(name).is_some_and(|k| listed.contains(&k));
    Ok(models
        .iter()
        .map(|model| Observed {
            target_listed: is_listed(&model.name),
            base_listed: model.fit.tag.as_deref().is_some_and(is_listed),
            ..Observed::default()
        })
        .collect())
}

/// The target is compared only when it exists, fits, and its base is installed.
fn needs_shows(model: &PlannedModel, seen: &Observed) -> bool {
    seen.target_listed && seen.base_listed && model.fit.fits && model.modelfile.is_some()
}

fn key(name: &str) -> Option<String> {
    ModelName::parse(name).ok().map(|n| n.key())
}

type Shown = BTreeMap<String, Result<ShownModelfile, String>>;

fn lookup(shown: &Shown, name: &str) -> Result<ShownModelfile, String> {
    let key = key(name).unwrap_or_default();
    shown
        .get(&key)
        .cloned()
        .unwrap_or_else(|| Err(format!("could not show the Modelfile of {name}")))
}

/// `show --modelfile` of each distinct name, concurrently: with a 50 ms
/// server the inventory then costs two round trips, not one per name.
fn show_all(ollama: &Ollama, names: &[String]) -> Result<Shown, OllamaError> {
    let mut distinct: BTreeMap<String, &str> = BTreeMap::new();
    for name in names {
        if let Some(key) = key(name) {
            distinct.entry(key).or_insert(name);
        }
    }
    let results: Vec<(String, Result<ShownModelfile, OllamaError>)> = std::thread::scope(|scope| {
        let handles: Vec<_> = distinct
            .iter()
            .map(|(key, name)| scope.spawn(move || (key.clone(), ollama.show_modelfile(name))))
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("a show thread panicked"))
            .collect()
    });
    let mut shown = Shown::new();
    for (key, result) in results {
        match result {
            Err(error) if dooms_all(&error) => return Err(error),
            result => {
                shown.insert(key, result.map_err(|e| e.to_string()));
            }
        }
    }
    Ok(shown)
}

/// Failures after which no other model can succeed either.
pub fn dooms_all(error: &OllamaError) -> bool {
    matches!(
        error,
        OllamaError::Interrupted { .. }
            | OllamaError::TimedOut { .. }
            | OllamaError::Missing { .. }
    ) || error.class() == Some(&ErrorClass::ServerDown)
}
