//! What Ollama holds, asked once per run: one `ollama list`, then the `ollama
//! show` calls planning and deciding need, several at once. Every command that
//! asks Ollama about its models for planning goes through here.

use crate::levels::installed::{Gathered, Scope, copies};
use crate::name::ModelName;
use crate::ollama::{
    ErrorClass, ListEntry, Ollama, OllamaError, ShowInfo, ShownModelfile, Verbose,
};
use crate::plan::{Chosen, LocalBase, PlannedModel};
use crate::steps::Observed;
use std::collections::{BTreeMap, HashSet};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

/// At most this many `ollama show` run at once.
const MAX_SHOWS: usize = 8;

/// The models `ollama list` printed, and the program to ask about them.
#[derive(Debug)]
pub struct Inventory {
    ollama: Ollama,
    entries: Vec<ListEntry>,
    listed: HashSet<String>,
    /// What `ollama -v` reported: the server's version, else the client's.
    version: Option<String>,
}

impl Inventory {
    /// Runs `ollama list` (the one list of the run) and, at the same time, `ollama
    /// -v`, whose version decides the rules the run plans by.
    pub fn read(ollama: &Ollama) -> Result<Inventory, OllamaError> {
        let (entries, version) = std::thread::scope(|scope| {
            let version = scope.spawn(|| ollama.version().ok());
            let entries = ollama.list();
            (entries, version.join().ok().flatten())
        });
        let entries = entries?;
        let listed = entries.iter().filter_map(|e| key(&e.name)).collect();
        Ok(Inventory {
            ollama: ollama.clone(),
            entries,
            listed,
            version: version.and_then(|v| v.server.or(v.client)),
        })
    }

    /// The version `ollama -v` reported (the server's, else the client's).
    pub fn version(&self) -> Option<&str> {
        self.version.as_deref()
    }

    /// Each listed name with its ID (the first 12 digits of its manifest digest).
    pub fn ids(&self) -> Vec<(String, String)> {
        let ids = self.entries.iter().map(|e| (e.name.clone(), e.id.clone()));
        ids.collect()
    }

    /// Whether `ollama list` shows `name` (names compare as Ollama compares them).
    pub fn is_listed(&self, name: &str) -> bool {
        key(name).is_some_and(|k| self.listed.contains(&k))
    }

    /// A new `ollama list` (after a run changed what Ollama holds).
    pub fn reread(&self) -> Result<Inventory, OllamaError> {
        Inventory::read(&self.ollama)
    }

    /// How command lines show the `ollama` program.
    pub fn program(&self) -> String {
        self.ollama.program()
    }

    /// The rows `ollama list` printed, newest first.
    pub fn entries(&self) -> &[ListEntry] {
        &self.entries
    }

    /// `ollama show --modelfile` of each name, several at once; results in order.
    pub fn modelfiles(&self, names: &[String]) -> Vec<Result<ShownModelfile, String>> {
        concurrently(names, |name| self.ollama.show_modelfile(name))
            .into_iter()
            .map(|shown| shown.map_err(|e| e.to_string()))
            .collect()
    }

    /// `ollama show NAME`.
    pub fn show(&self, name: &str) -> Result<ShowInfo, OllamaError> {
        self.ollama.show(name)
    }

    /// `ollama show --verbose NAME`: an installed model's GGUF metadata and tensors.
    pub fn show_verbose(&self, name: &str) -> Result<(ShowInfo, Verbose), OllamaError> {
        self.ollama.show_verbose(name)
    }

    /// What Ollama reports about each base the catalog does not know (a user's
    /// own import). A base Ollama does not list is left out, so the plan fails on
    /// it with the catalog's suggestions, as for a typo.
    pub fn local_bases(&self, selection: &[Chosen]) -> Vec<LocalBase> {
        let unknown = unknown_bases(selection);
        let names: Vec<String> = unknown.into_iter().filter(|n| self.is_listed(n)).collect();
        let shows = concurrently(&names, |name| self.ollama.show(name));
        names
            .into_iter()
            .zip(shows)
            .map(|(name, show)| LocalBase {
                name,
                show: show.map_err(|e| e.to_string()),
            })
            .collect()
    }

    /// The installed copies of a model (the rows of `list-quants`): `show` of
    /// every candidate `ollama list` printed.
    pub fn installed(&self, scope: Scope) -> Gathered {
        let entries: Vec<ListEntry> = self
            .entries
            .iter()
            .filter(|e| scope.candidate(&e.name))
            .cloned()
            .collect();
        let names: Vec<String> = entries.iter().map(|e| e.name.clone()).collect();
        let shows = concurrently(&names, |name| self.ollama.show(name))
            .into_iter()
            .map(|show| show.map_err(|e| e.to_string()))
            .collect();
        copies(scope, &entries, shows)
    }

    /// What Ollama holds for each planned model, in plan order: `show
    /// --modelfile` of each installed target and its base tag (and `show` of a
    /// target quantized from a local base), all at once. A model whose `show`
    /// failed gets the error instead; a failure that dooms every model (server
    /// down, interrupted, timed out) is the error of the whole call.
    pub fn observe(
        &self,
        models: &[PlannedModel],
    ) -> Result<Vec<Result<Observed, String>>, OllamaError> {
        let observed: Vec<Observed> = models.iter().map(|m| self.listed_for(m)).collect();
        let compared: Vec<&PlannedModel> = models
            .iter()
            .zip(&observed)
            .filter(|(model, seen)| needs_shows(model, seen))
            .map(|(model, _)| model)
            .collect();
        let files: Vec<String> = compared
            .iter()
            .flat_map(|m| [m.name.clone(), m.fit.tag.clone().unwrap_or_default()])
            .collect();
        // A target quantized from a local base is also compared by its level.
        let quantized: Vec<String> = compared
            .iter()
            .filter(|m| m.quantize.is_some())
            .map(|m| m.name.clone())
            .collect();
        let (shown, levels) = std::thread::scope(|scope| {
            let levels = scope.spawn(|| shown(&quantized, |n| self.ollama.show(n)));
            let files = shown(&files, |n| self.ollama.show_modelfile(n));
            (files, levels.join().expect("a show thread panicked"))
        });
        let (shown, levels) = (shown?, levels?);
        Ok(models
            .iter()
            .zip(observed)
            .map(|(model, seen)| with_shows(model, seen, &shown, &levels))
            .collect())
    }

    fn listed_for(&self, model: &PlannedModel) -> Observed {
        Observed {
            target_listed: self.is_listed(&model.name),
            base_listed: model.fit.tag.as_deref().is_some_and(|t| self.is_listed(t)),
            ..Observed::default()
        }
    }
}

/// The bases of `selection` the catalog does not know, each once.
fn unknown_bases(selection: &[Chosen]) -> Vec<String> {
    let catalog = crate::catalog::Catalog::bundled();
    let mut unknown: Vec<String> = Vec::new();
    for chosen in selection {
        let base = &chosen.model.base;
        if catalog.resolve(base).is_err() && !unknown.contains(base) {
            unknown.push(base.clone());
        }
    }
    unknown
}

/// Every base `local_bases` would ask about, when Ollama cannot be asked: each
/// carries the reason, so the plan reports those models as not plannable.
pub fn unreadable_bases(selection: &[Chosen], why: &str) -> Vec<LocalBase> {
    unknown_bases(selection)
        .into_iter()
        .map(|name| LocalBase {
            name,
            show: Err(why.to_string()),
        })
        .collect()
}

/// Whether any base of `selection` is outside the catalog (planning then needs
/// to ask Ollama about it).
pub fn needs_ollama(selection: &[Chosen]) -> bool {
    !unknown_bases(selection).is_empty()
}

/// The target is compared only when it exists, fits, and its base is installed.
fn needs_shows(model: &PlannedModel, seen: &Observed) -> bool {
    seen.target_listed && seen.base_listed && model.fit.fits && model.modelfile.is_some()
}

fn with_shows(
    model: &PlannedModel,
    mut seen: Observed,
    files: &Shown<ShownModelfile>,
    levels: &Shown<ShowInfo>,
) -> Result<Observed, String> {
    if needs_shows(model, &seen) {
        let tag = model.fit.tag.as_deref().unwrap_or_default();
        seen.target = Some(lookup(files, &model.name)?);
        seen.base = Some(lookup(files, tag)?);
        if model.quantize.is_some() {
            let info = lookup(levels, &model.name)?;
            seen.target_quantization = info.known_quantization().map(String::from);
        }
    }
    Ok(seen)
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

/// `show` of each distinct name, several at once: with a 50 ms server the
/// inventory then costs two round trips, not one per name.
fn shown<T: Send>(
    names: &[String],
    show: impl Fn(&str) -> Result<T, OllamaError> + Sync,
) -> Result<Shown<T>, OllamaError> {
    let mut distinct: BTreeMap<String, String> = BTreeMap::new();
    for name in names {
        if let Some(key) = key(name) {
            distinct.entry(key).or_insert_with(|| name.clone());
        }
    }
    let (keys, names): (Vec<String>, Vec<String>) = distinct.into_iter().unzip();
    let mut found = Shown::new();
    for (key, result) in keys.into_iter().zip(concurrently(&names, show)) {
        match result {
            Err(error) if dooms_all(&error) => return Err(error),
            result => {
                found.insert(key, result.map_err(|e| e.to_string()));
            }
        }
    }
    Ok(found)
}

/// Runs `call` on each name, [`MAX_SHOWS`] at a time; results in name order.
pub(crate) fn concurrently<T: Send>(names: &[String], call: impl Fn(&str) -> T + Sync) -> Vec<T> {
    let next = AtomicUsize::new(0);
    let results: Mutex<Vec<Option<T>>> = Mutex::new((0..names.len()).map(|_| None).collect());
    std::thread::scope(|scope| {
        for _ in 0..names.len().min(MAX_SHOWS) {
            scope.spawn(|| {
                loop {
                    let index = next.fetch_add(1, Ordering::Relaxed);
                    let Some(name) = names.get(index) else { break };
                    let result = call(name);
                    results.lock().unwrap_or_else(|p| p.into_inner())[index] = Some(result);
                }
            });
        }
    });
    results
        .into_inner()
        .unwrap_or_else(|p| p.into_inner())
        .into_iter()
        .map(|r| r.expect("every name was called"))
        .collect()
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn calls_run_concurrently_and_come_back_in_order() {
        let names: Vec<String> = (0..20).map(|i| format!("m{i}")).collect();
        let results = concurrently(&names, |n| n.to_uppercase());
        assert_eq!(results[0], "M0");
        assert_eq!(results[19], "M19");
        assert_eq!(results.len(), 20);
    }
}
