//! What `provision inspect` shows about one model: its facts, where each came from,
//! and its memory at a few contexts. Pure: the estimate is passed in.

use super::Source;
use crate::catalog::{Family, ModelSize, Resolved};
use crate::estimate::Estimate;
use crate::gguf::{CacheType, Facts, LayerKind, Recurrent};
use crate::quant::Quant;
use serde::Serialize;

/// The contexts memory is shown at, besides the native one.
pub const CONTEXTS: [u32; 3] = [2048, 8192, 32768];

/// The model to report on and where its facts came from.
pub struct Subject<'a> {
    /// The name as asked (or the file).
    pub model: &'a str,
    pub resolved: Resolved<'a>,
    pub shape: Source,
    /// The file or URL the header was read from.
    pub read_from: Option<String>,
    pub probed: bool,
    pub notes: Vec<String>,
}

/// The `inspect --json` object (without its `schema_version`).
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub model: String,
    /// The full name of the level reported (`gemma4:12b-it-q8_0`).
    pub name: String,
    pub facts_source: Source,
    pub read_from: Option<String>,
    pub catalog_as_of: String,
    pub architecture: String,
    pub quantization: Quant,
    pub parameters: u64,
    /// Parameters a token uses (MoE), when it differs.
    pub active_parameters: Option<u64>,
    pub weights_bytes: u64,
    pub weights_exact: bool,
    pub weights_source: Source,
    /// Separate projector and adapter blobs loaded with the model.
    pub projector_bytes: u64,
    /// Vision/audio weights inside the model file.
    pub vision_bytes: u64,
    pub projector_type: Option<String>,
    pub context_length: u64,
    pub block_count: u64,
    pub layers: LayerCounts,
    pub sliding_window: Option<u64>,
    pub head_count: u64,
    /// The KV head counts the layers have, distinct, largest first.
    pub head_count_kv: Vec<u64>,
    pub key_length: u64,
    pub value_length: u64,
    /// f16 KV bytes one more position costs over all layers.
    pub kv_bytes_per_token: u64,
    pub expert_count: u64,
    pub expert_used_count: u64,
    pub recurrent: Option<Recurrent>,
    pub levels: Vec<Level>,
    /// The tags were probed by convention: other levels may exist.
    pub tags_probed: bool,
    pub memory: Vec<Memory>,
    pub notes: Vec<String>,
}

/// How many layers hold what.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct LayerCounts {
    pub full: u64,
    pub sliding: u64,
    pub recurrent: u64,
    pub no_cache: u64,
}

/// One published (or installed) level.
#[derive(Debug, Clone, Serialize)]
pub struct Level {
    pub quant: Quant,
    pub tag: String,
    pub bytes: u64,
    pub exact: bool,
    pub source: Source,
    /// How fast it decodes here at [`Report::speed_ctx`], when that is known.
    pub speed: Option<crate::speed::Speed>,
}

/// The estimate at one context.
#[derive(Debug, Clone, Serialize)]
pub struct Memory {
    pub context: u32,
    pub native: bool,
    pub total_bytes: u64,
    pub weights_bytes: u64,
    pub kv_cache_bytes: u64,
    pub graph_bytes: u64,
}

impl Report {
    /// The report of `subject`, with `estimate(context)` the memory at a context.
    pub fn build(
        subject: Subject,
        catalog_as_of: &str,
        estimate: impl Fn(u32) -> Estimate,
    ) -> Report {
        let Resolved {
            family,
            size,
            quant,
            ..
        } = subject.resolved;
        let level = size.quant(quant);
        let shape = Shape::of(size);
        Report {
            model: subject.model.to_string(),
            name: subject.resolved.name(),
            facts_source: subject.shape,
            read_from: subject.read_from,
            catalog_as_of: catalog_as_of.to_string(),
            architecture: size.architecture(family).to_string(),
            quantization: quant,
            parameters: size.params,
            active_parameters: size.dims.active_params.filter(|a| *a != size.params),
            weights_bytes: level.map_or(0, |l| l.bytes),
            weights_exact: level.is_some_and(|l| l.exact),
            weights_source: level.map_or(subject.shape, Source::of),
            projector_bytes: size.projector_bytes,
            vision_bytes: size.dims.vision_bytes.unwrap_or(0),
            projector_type: shape.projector_type,
            context_length: u64::from(size.dims.context),
            block_count: u64::from(size.dims.layers),
            layers: shape.layers,
            sliding_window: shape.sliding_window,
            head_count: u64::from(size.dims.heads),
            head_count_kv: shape.head_count_kv,
            key_length: u64::from(size.dims.head_dim),
            value_length: u64::from(size.dims.value_head_dim.unwrap_or(size.dims.head_dim)),
            kv_bytes_per_token: shape.kv_bytes_per_token,
            expert_count: u64::from(size.dims.experts.unwrap_or(0)),
            expert_used_count: u64::from(size.dims.experts_used.unwrap_or(0)),
            recurrent: shape.recurrent,
            levels: levels(family, size),
            tags_probed: subject.probed,
            memory: memory(size.dims.context, estimate),
            notes: subject.notes,
        }
    }
}

/// What only the facts tell, or the catalog's dimensions stand in for.
struct Shape {
    layers: LayerCounts,
    sliding_window: Option<u64>,
    head_count_kv: Vec<u64>,
    kv_bytes_per_token: u64,
    recurrent: Option<Recurrent>,
    projector_type: Option<String>,
}

impl Shape {
    /// From the header's facts when they were read, else from the catalog's dimensions.
    fn of(size: &ModelSize) -> Shape {
        match size.facts.as_deref() {
            Some(facts) => Shape::of_facts(facts),
            None => Shape::of_dims(size),
        }
    }

    fn of_facts(facts: &Facts) -> Shape {
        let mut layers = LayerCounts::default();
        for layer in &facts.layers {
            let count = match layer.kind {
                LayerKind::Full => &mut layers.full,
                LayerKind::Sliding => &mut layers.sliding,
                LayerKind::Recurrent | LayerKind::RecurrentAndFull => &mut layers.recurrent,
                LayerKind::NoCache => &mut layers.no_cache,
            };
            *count += 1;
        }
        let mut heads: Vec<u64> = facts.layers.iter().map(|l| l.head_count_kv).collect();
        heads.sort_unstable_by(|a, b| b.cmp(a));
        heads.dedup();
        Shape {
            layers,
            sliding_window: facts.sliding_window,
            head_count_kv: heads,
            kv_bytes_per_token: facts.kv_bytes_per_token(CacheType::F16),
            recurrent: facts.recurrent.clone(),
            projector_type: facts.projector_type.clone(),
        }
    }

    fn of_dims(size: &ModelSize) -> Shape {
        let d = &size.dims;
        let sliding = u64::from(d.sliding_window_layers.unwrap_or(0));
        let width = u64::from(d.head_dim) + u64::from(d.value_head_dim.unwrap_or(d.head_dim));
        Shape {
            layers: LayerCounts {
                full: u64::from(d.layers).saturating_sub(sliding),
                sliding,
                ..LayerCounts::default()
            },
            sliding_window: d.sliding_window.map(u64::from),
            head_count_kv: vec![u64::from(d.kv_heads)],
            kv_bytes_per_token: u64::from(d.layers) * u64::from(d.kv_heads) * width * 2,
            recurrent: None,
            projector_type: None,
        }
    }
}

/// Every level the size lists, named by the tag that pulls it.
fn levels(family: &Family, size: &ModelSize) -> Vec<Level> {
    size.quants
        .iter()
        .map(|q| Level {
            quant: q.quant,
            tag: format!("{}:{}", family.name, size.tag_for(q.quant)),
            bytes: q.bytes,
            exact: q.exact,
            source: Source::of(q),
            speed: None,
        })
        .collect()
}

/// The estimate at each of [`CONTEXTS`] below the native context, then the native one.
fn memory(native: u32, estimate: impl Fn(u32) -> Estimate) -> Vec<Memory> {
    let mut contexts: Vec<u32> = CONTEXTS.iter().copied().filter(|c| *c < native).collect();
    if native > 0 {
        contexts.push(native);
    }
    contexts
        .into_iter()
        .map(|context| {
            let e = estimate(context);
            Memory {
                context,
                native: context == native,
                total_bytes: e.total_bytes,
                weights_bytes: e.weights_bytes,
                kv_cache_bytes: e.kv_cache_bytes,
                graph_bytes: e.graph_bytes,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::Catalog;

    #[test]
    fn a_catalog_model_reports_its_dimensions_and_the_catalog_as_source() {
        let resolved = Catalog::bundled().resolve("llama3.1:8b").unwrap();
        let subject = Subject {
            model: "llama3.1:8b",
            resolved,
            shape: Source::Catalog,
            read_from: None,
            probed: false,
            notes: Vec::new(),
        };
        let report = Report::build(subject, "2026-08-28", |ctx| Estimate {
            total_bytes: u64::from(ctx),
            ..Estimate::default()
        });
        assert_eq!(report.block_count, 32);
        assert_eq!(report.kv_bytes_per_token, 128 << 10);
        assert_eq!(report.layers.full, 32);
        let contexts: Vec<u32> = report.memory.iter().map(|m| m.context).collect();
        assert_eq!(contexts, [2048, 8192, 32768, 131072]);
        assert!(report.memory[3].native);
        assert_eq!(report.weights_source, Source::Catalog);
    }
}
