//! Known models from what was read: an installed blob's facts, `ollama show --verbose`,
//! or the registry's manifests and header, laid over the catalog entry when there is one.

use super::remote::Fetched;
use super::shape::{Unlisted, exact, overlay};
use super::store::Installed;
use super::{Known, Source, probe, shown};
use crate::catalog::{Family, ModelSize, QuantSize, Resolved};
use crate::gguf::Facts;
use crate::inventory::Inventory;
use crate::name::ModelName;
use crate::quant::Quant;
use crate::registry::{ADAPTER_MEDIA_TYPE, PROJECTOR_MEDIA_TYPE, RemoteTag};

/// An installed model read from the store.
pub fn installed(
    name: &str,
    parsed: &ModelName,
    listed: Option<Resolved>,
    found: &Installed,
) -> Result<Known, String> {
    let read = Read {
        facts: &found.facts,
        bytes: Some(found.model_bytes),
        projector_bytes: found.projector_bytes,
        adapter_bytes: found.adapter_bytes,
        read_from: found.blob.display().to_string(),
        notes: Vec::new(),
    };
    read.into_installed(name, parsed, listed)
}

/// An installed model as `ollama show --verbose` describes it (the store was not
/// readable): the weights size is the tensors' bytes, or unknown without them.
pub fn shown(name: &str, parsed: &ModelName, inventory: &Inventory) -> Result<Known, String> {
    let (_, verbose) = inventory.show_verbose(name).map_err(|e| e.to_string())?;
    let (facts, notes) = shown::facts_of(&verbose)?;
    let bytes = (facts.bytes.total > 0).then_some(facts.bytes.total);
    let read = Read {
        facts: &facts,
        bytes,
        projector_bytes: 0,
        adapter_bytes: 0,
        read_from: format!("ollama show --verbose {name}"),
        notes,
    };
    read.into_installed(name, parsed, None)
}

/// A GGUF file on disk, as a model of one level: its own, at the file's size.
pub fn file(path: &std::path::Path) -> Result<Known, String> {
    let facts = super::store::read_file(path)?;
    let shown = path.display().to_string();
    let own = own_level(&shown, &facts)?;
    let len = std::fs::metadata(path)
        .map_err(|e| format!("could not read {shown}: {e}"))?
        .len();
    let stem = path
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or("model")
        .to_string();
    let level = exact(own, len, Source::File, None);
    let (family, size) = Unlisted {
        family: stem.clone(),
        size: "file".to_string(),
        tag: "file".to_string(),
        quant: own,
        facts: &facts,
        projector_bytes: 0,
        levels: vec![level],
    }
    .entry();
    Ok(Known {
        name: shown.clone(),
        family,
        size,
        quant: own,
        pinned: true,
        shape: Source::File,
        read_from: shown,
        local: true,
        probed: false,
        adapter_bytes: 0,
        notes: Vec::new(),
    })
}

/// What an installed model's reading gave.
struct Read<'a> {
    facts: &'a Facts,
    /// The model blob's bytes (the weights' when only those are known).
    bytes: Option<u64>,
    projector_bytes: u64,
    adapter_bytes: u64,
    read_from: String,
    notes: Vec<String>,
}

impl Read<'_> {
    fn into_installed(
        self,
        name: &str,
        parsed: &ModelName,
        listed: Option<Resolved>,
    ) -> Result<Known, String> {
        let own = own_level(name, self.facts)?;
        let bytes = self.bytes.unwrap_or_else(|| estimated(self.facts, own));
        let mut level = exact(own, bytes, Source::Installed, None);
        level.exact = self.bytes.is_some();
        let (family, size, quant, pinned, local) = match listed {
            Some(r) => {
                let (family, size) = overlay(r.family, r.size, self.facts, &[level]);
                (family, size, r.quant, r.quant_pinned, false)
            }
            None => {
                let (family, size) = unlisted(parsed, self.facts, own, vec![level], 0);
                (family, size, own, false, true)
            }
        };
        let mut size = size;
        size.projector_bytes = self.projector_bytes.saturating_add(self.adapter_bytes);
        Ok(Known {
            name: name.to_string(),
            family,
            size,
            quant,
            pinned,
            shape: Source::Installed,
            read_from: self.read_from,
            local,
            probed: false,
            adapter_bytes: self.adapter_bytes,
            notes: self.notes,
        })
    }
}

/// A model from the registry's answers.
pub fn registry(
    name: &str,
    parsed: &ModelName,
    listed: Option<Resolved>,
    fetched: &Fetched,
) -> Result<Known, String> {
    let facts = &fetched.facts;
    let asked = own_level(name, facts)?;
    let levels = registry_levels(parsed, fetched, asked);
    let tag = &fetched.tag;
    let extra = beside_model_bytes(tag);
    let (family, size, quant, pinned) = match listed {
        Some(r) => {
            let (family, size) = listed_registry_entry(r.family, r.size, facts, levels, extra);
            (family, size, r.quant, r.quant_pinned)
        }
        None => {
            let (family, size) = unlisted(parsed, facts, asked, levels, extra);
            let pinned = probe::quant_of_tag(&parsed.tag).is_some();
            (family, size, asked, pinned)
        }
    };
    let mut notes = Vec::new();
    if fetched.stale {
        notes.push("the registry did not answer: its manifest as cached earlier".to_string());
    }
    Ok(Known {
        name: name.to_string(),
        family,
        size,
        quant,
        pinned,
        shape: Source::Registry,
        read_from: fetched.read_from.clone(),
        local: false,
        probed: fetched.probed,
        adapter_bytes: tag.bytes_of(ADAPTER_MEDIA_TYPE),
        notes,
    })
}

/// The levels the registry answered for: the asked tag's (at `asked`, its file's own
/// level), then each sibling tag whose level its name says, or that shares the asked
/// tag's model blob.
fn registry_levels(parsed: &ModelName, fetched: &Fetched, asked: Quant) -> Vec<QuantSize> {
    let model_digest = |t: &RemoteTag| {
        t.layer(crate::registry::MODEL_MEDIA_TYPE)
            .map(|l| l.digest.clone())
    };
    let own_digest = model_digest(&fetched.tag);
    let mut levels = vec![exact(
        asked,
        fetched.tag.model_bytes,
        Source::Registry,
        Some(parsed.tag.clone()),
    )];
    for (tag, remote) in &fetched.found {
        let same_blob = own_digest.is_some() && model_digest(remote) == own_digest;
        let quant = probe::quant_of_tag(tag).or(same_blob.then_some(asked));
        if let Some(quant) = quant {
            levels.push(exact(
                quant,
                remote.model_bytes,
                Source::Registry,
                Some(tag.clone()),
            ));
        }
    }
    levels
}

/// The projector and adapter blobs a tag loads beside its model blob.
fn beside_model_bytes(tag: &RemoteTag) -> u64 {
    tag.bytes_of(PROJECTOR_MEDIA_TYPE)
        .saturating_add(tag.bytes_of(ADAPTER_MEDIA_TYPE))
}

/// A catalog entry with the registry's levels laid over it.
fn listed_registry_entry(
    family: &Family,
    size: &ModelSize,
    facts: &Facts,
    mut levels: Vec<QuantSize>,
    projector_bytes: u64,
) -> (Family, ModelSize) {
    for level in &mut levels {
        // The catalog spells its own tags; keep its scheme for levels it lists.
        if size.quant(level.quant).is_some() {
            level.tag = None;
        }
    }
    let (family, mut size) = overlay(family, size, facts, &levels);
    size.projector_bytes = projector_bytes;
    (family, size)
}

/// The file's own level, which the project must know to plan it.
fn own_level(name: &str, facts: &Facts) -> Result<Quant, String> {
    match (facts.quant(), facts.file_type_name.as_deref()) {
        (Some(quant), _) => Ok(quant),
        (None, Some(other)) => Err(format!(
            "{name} is {other}, a quantization provision does not know"
        )),
        (None, None) => Err(format!(
            "{name} has no general.file_type in its GGUF header"
        )),
    }
}

/// Weights bytes when only the parameter count is known.
fn estimated(facts: &Facts, quant: Quant) -> u64 {
    (facts.parameters as f64 * quant.bits_per_weight() / 8.0) as u64
}

/// A family and size for a name the catalog does not know.
fn unlisted(
    parsed: &ModelName,
    facts: &Facts,
    quant: Quant,
    levels: Vec<QuantSize>,
    projector_bytes: u64,
) -> (Family, ModelSize) {
    let shortest = parsed.display_shortest();
    let family = shortest
        .rsplit_once(':')
        .map_or(shortest.as_str(), |(f, _)| f)
        .to_string();
    Unlisted {
        family,
        size: probe::size_of_tag(&parsed.tag).unwrap_or_else(|| parsed.tag.clone()),
        tag: parsed.tag.clone(),
        quant,
        facts,
        projector_bytes,
        levels,
    }
    .entry()
}
