//! Model facts as the planner reads every model: a catalog-shaped, owned family and
//! size whose dimensions come from the GGUF header and whose sizes carry their source.

use super::Source;
use crate::catalog::{Dims, Family, ModelSize, QuantSize};
use crate::gguf::{Facts, LayerKind};
use crate::quant::Quant;

/// The catalog's dimensions of a model, read from its facts. Counts are clamped into
/// `u32` (a header's counts come from outside); a per-layer head count is the largest
/// any layer has, the layer count is every block's.
pub fn dims(facts: &Facts) -> Dims {
    let clamp = |v: u64| u32::try_from(v).unwrap_or(u32::MAX);
    let max = |f: &dyn Fn(&crate::gguf::Layer) -> u64| facts.layers.iter().map(f).max();
    let sliding = facts
        .layers
        .iter()
        .filter(|l| l.kind == LayerKind::Sliding)
        .count();
    let moe = facts.expert_count > 0;
    Dims {
        layers: clamp(facts.block_count),
        heads: clamp(max(&|l| l.head_count).unwrap_or(0)),
        kv_heads: clamp(max(&|l| l.head_count_kv).unwrap_or(0)),
        head_dim: clamp(facts.key_length),
        value_head_dim: (facts.value_length != facts.key_length).then(|| clamp(facts.value_length)),
        embedding: clamp(facts.embedding_length.unwrap_or(0)),
        vocab: clamp(facts.vocab_size.unwrap_or(0)),
        context: clamp(facts.context_length.unwrap_or(0)),
        tied_embeddings: facts.bytes.output == 0,
        sliding_window: facts.sliding_window.filter(|_| sliding > 0).map(&clamp),
        sliding_window_layers: (sliding > 0).then(|| clamp(sliding as u64)),
        experts: moe.then(|| clamp(facts.expert_count)),
        experts_used: moe.then(|| clamp(facts.expert_used_count)),
        active_params: moe.then_some(facts.active_parameters),
        vision_bytes: (facts.bytes.projector > 0).then_some(facts.bytes.projector),
    }
}

/// A published level with its exact size and where that size came from.
pub fn exact(quant: Quant, bytes: u64, source: Source, tag: Option<String>) -> QuantSize {
    QuantSize {
        quant,
        bytes,
        exact: true,
        source: Some(source.id().to_string()),
        tag,
    }
}

/// A model the catalog does not know, as one family with one size: `levels` are the
/// tags found with their exact sizes, `quant` the level of the name asked.
pub struct Unlisted<'a> {
    /// `gemma4`, `hf.co/user/repo`: what goes before `:` in a tag.
    pub family: String,
    /// The size label (`12b`), or the tag when there is none.
    pub size: String,
    /// The tag asked for.
    pub tag: String,
    pub quant: Quant,
    pub facts: &'a Facts,
    pub projector_bytes: u64,
    pub levels: Vec<QuantSize>,
}

impl Unlisted<'_> {
    /// The owned family and size.
    pub fn entry(self) -> (Family, ModelSize) {
        let family = Family {
            name: self.family,
            architecture: self.facts.architecture.clone(),
            default_size: self.size.clone(),
            sizes: Vec::new(),
        };
        let size = ModelSize {
            size: self.size,
            params: self.facts.parameters,
            tag: self.tag,
            aliases: Vec::new(),
            default_quant: self.quant,
            projector_bytes: self.projector_bytes,
            architecture: None,
            dims_source: None,
            dims: dims(self.facts),
            quants: sorted(self.levels),
            facts: Some(Box::new(self.facts.clone())),
        };
        (family, size)
    }
}

/// A catalog entry with the facts of one of its files laid over it: the dimensions
/// and architecture from the header, and the exact sizes found (`levels`) in place
/// of the catalog's for those levels.
pub fn overlay(
    family: &Family,
    size: &ModelSize,
    facts: &Facts,
    levels: &[QuantSize],
) -> (Family, ModelSize) {
    let mut family = family.clone();
    family.architecture = facts.architecture.clone();
    let mut size = size.clone();
    let context = size.dims.context;
    size.dims = dims(facts);
    if facts.context_length.is_none() {
        size.dims.context = context;
    }
    size.architecture = None;
    size.params = facts.parameters;
    size.facts = Some(Box::new(facts.clone()));
    for level in levels {
        match size.quants.iter_mut().find(|q| q.quant == level.quant) {
            Some(q) => {
                q.bytes = level.bytes;
                q.exact = true;
                q.source = level.source.clone();
            }
            None => size.quants.push(level.clone()),
        }
    }
    size.quants = sorted(std::mem::take(&mut size.quants));
    (family, size)
}

/// Levels highest precision first, one per quantization (the first wins).
fn sorted(mut levels: Vec<QuantSize>) -> Vec<QuantSize> {
    let mut seen = Vec::new();
    levels.retain(|q| {
        let new = !seen.contains(&q.quant);
        seen.push(q.quant);
        new
    });
    levels.sort_by_key(|q| std::cmp::Reverse(q.quant));
    levels
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::Catalog;
    use crate::gguf::{self, fixtures};

    fn facts(writer: gguf::write::Writer) -> Facts {
        let header = gguf::read_header(&writer.header()).unwrap();
        Facts::from_header(&header).unwrap()
    }

    #[test]
    fn dimensions_come_from_the_header() {
        let gemma = dims(&facts(fixtures::gemma3_12b()));
        assert_eq!((gemma.layers, gemma.heads, gemma.kv_heads), (48, 16, 8));
        assert_eq!((gemma.head_dim, gemma.value_head_dim), (256, None));
        assert_eq!(
            (gemma.sliding_window, gemma.sliding_window_layers),
            (Some(1024), Some(40))
        );
        assert!(gemma.tied_embeddings);
        assert!(gemma.vision_bytes.unwrap() > 0);
        let gpt = dims(&facts(fixtures::gpt_oss_20b()));
        assert_eq!((gpt.experts, gpt.experts_used), (Some(32), Some(4)));
        assert!(!gpt.tied_embeddings);
        assert_eq!(gpt.context, 131_072);
    }

    #[test]
    fn an_unlisted_model_is_one_family_with_its_found_levels() {
        let facts = facts(fixtures::deepseek_r1_8b());
        let levels = vec![
            exact(Quant::Q4KM, 5_000, Source::Registry, Some("8b".into())),
            exact(Quant::F16, 16_000, Source::Registry, Some("8b-fp16".into())),
        ];
        let (family, size) = Unlisted {
            family: "mine".into(),
            size: "8b".into(),
            tag: "8b".into(),
            quant: Quant::Q4KM,
            facts: &facts,
            projector_bytes: 0,
            levels,
        }
        .entry();
        assert_eq!(family.architecture, "qwen3");
        assert_eq!(size.quants[0].quant, Quant::F16);
        assert_eq!(size.tag_for(Quant::F16), "8b-fp16");
        assert_eq!(size.tag_for(Quant::Q4KM), "8b");
        assert_eq!(Source::of(&size.quants[1]), Source::Registry);
        assert!(size.facts.is_some());
    }

    #[test]
    fn an_overlay_keeps_the_catalog_levels_it_has_no_size_for() {
        let resolved = Catalog::bundled().resolve("llama3.1:8b").unwrap();
        let facts = facts(fixtures::llama31_8b());
        let found = [exact(Quant::Q4KM, 4_920_734_016, Source::Installed, None)];
        let (_, size) = overlay(resolved.family, resolved.size, &facts, &found);
        let q4 = size.quant(Quant::Q4KM).unwrap();
        assert_eq!(
            (q4.bytes, Source::of(q4)),
            (4_920_734_016, Source::Installed)
        );
        let q8 = size.quant(Quant::Q8_0).unwrap();
        assert_eq!(Source::of(q8), Source::Catalog);
        assert_eq!(size.quants.len(), resolved.size.quants.len());
        assert_eq!(size.dims.layers, 32);
    }
}
