//! What Ollama holds for a plan: one `ollama list`, then `show --modelfile` of
//! each installed target and its base tag (and `show` of a target quantized
//! from a local base), all at once on threads.

use super::Observed;
use crate::name::ModelName;
use crate::ollama::{ErrorClass, Ollama, OllamaError};
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
    let compared = || {
        models
            .iter()
            .zip(&observed)
            .filter(|(model, seen)| needs_shows(model, seen))
            .map(|(model, _)| model)
    };
    let files: Vec<String> = compared()
        .flat_map(|model| {
            [
                model.name.clone(),
                model.fit.tag.clone().unwrap_or_default(),
            ]
        })
        .collect();
    // A target quantized from a local base is also compared by its quantization.
    let quantized: Vec<String> = compared()
        .filter(|model| model.quantize.is_some())
        .map(|model| model.name.clone())
        .collect();
    let (shown, levels) = std::thread::scope(|scope| {
        let levels = scope.spawn(|| show_all(&quantized, |n| ollama.show(n)));
        let shown = show_all(&files, |n| ollama.show_modelfile(n));
        (shown, levels.join().expect("a show thread panicked"))
    });
    let (shown, levels) = (shown?, levels?);
    Ok(models
        .iter()
        .zip(observed)
        .map(|(model, mut seen)| {
            if needs_shows(model, &seen) {
                let tag = model.fit.tag.as_deref().unwrap_or_default();
                seen.target = Some(lookup(&shown, &model.name)?);
                seen.base = Some(lookup(&shown, tag)?);
                if model.quantize.is_some() {
                    let info = lookup(&levels, &model.name)?;
                    seen.target_quantization = info.known_quantization().map(String::from);
                }
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

type Shown<T> = BTreeMap<String, Result<T, String>>;

fn lookup<T: Clone>(shown: &Shown<T>, name: &str) -> Result<T, String> {
    let key = key(name).unwrap_or_default();
    shown
        .get(&key)
        .cloned()
        .unwrap_or_else(|| Err(format!("could not show {name}")))
}

/// `show` of each distinct name, concurrently: with a 50 ms server the
/// inventory then costs two round trips, not one per name.
fn show_all<T: Send>(
    names: &[String],
    show: impl Fn(&str) -> Result<T, OllamaError> + Sync,
) -> Result<Shown<T>, OllamaError> {
    let mut distinct: BTreeMap<String, &str> = BTreeMap::new();
    for name in names {
        if let Some(key) = key(name) {
            distinct.entry(key).or_insert(name);
        }
    }
    let show = &show;
    let results: Vec<(String, Result<T, OllamaError>)> = std::thread::scope(|scope| {
        let handles: Vec<_> = distinct
            .iter()
            .map(|(key, name)| scope.spawn(move || (key.clone(), show(name))))
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
