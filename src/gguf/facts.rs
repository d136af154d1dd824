//! The facts about a model that memory and speed estimates need, derived from its
//! GGUF header the way llama.cpp's `load_hparams` (`src/llama-model.cpp` at 00342301)
//! and gpustack's gguf-parser-go (`file_architecture.go` at 8dc7a622) read them.

mod attention;

use super::header::Header;
use super::layers::LayerKind;
use super::recurrent::{Recurrent, recurrent};
use super::tally;
use super::types::file_type_name;
use crate::quant::Quant;
use attention::Attention;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;

/// More layers than any real model has by two orders of magnitude; a larger
/// `block_count` is refused instead of sizing per-layer tables by it.
const MAX_LAYERS: u64 = 16384;

/// What kind of file the header describes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    /// A language model.
    Model,
    /// A vision/audio projector (`clip` architecture), loaded beside a model.
    Projector,
    /// A LoRA or control-vector adapter (`general.type = adapter`).
    Adapter,
}

/// One layer (`blk.N`): its cache kind, heads and weight bytes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Layer {
    pub kind: LayerKind,
    pub head_count: u64,
    pub head_count_kv: u64,
    /// Bytes of the `blk.N.*` tensors.
    pub bytes: u64,
}

/// Tensor bytes by role; `layers + token_embedding + output + projector + other = total`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct TensorBytes {
    pub total: u64,
    pub token_embedding: u64,
    /// The output projection; 0 when it is tied to the token embedding.
    pub output: u64,
    /// All `blk.N.*` tensors.
    pub layers: u64,
    /// Expert tensors (`*_exps`), part of `layers`.
    pub experts: u64,
    /// Vision/audio tensors (`v.*`, `mm.*`, `a.*`, `s.*`), inside a model file or a projector.
    pub projector: u64,
    /// Norms, rope factors and anything else.
    pub other: u64,
    /// Bytes a decoding step reads: every text weight except embedding lookups, and of
    /// the experts only `expert_used_count / expert_count`.
    pub read_per_token: u64,
}

/// Model facts from one GGUF header.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Facts {
    pub kind: Kind,
    pub architecture: String,
    pub name: Option<String>,
    /// `general.file_type` and its name (`15`, `Q4_K_M`).
    pub file_type: Option<u64>,
    pub file_type_name: Option<String>,
    /// Sum of every tensor's elements.
    pub parameters: u64,
    /// Elements of the vision/audio tensors, part of `parameters`.
    pub projector_parameters: u64,
    /// Parameters a decoding step uses (see [`TensorBytes::read_per_token`]).
    pub active_parameters: u64,
    pub block_count: u64,
    /// The native context (`<arch>.context_length`).
    pub context_length: Option<u64>,
    pub embedding_length: Option<u64>,
    pub vocab_size: Option<u64>,
    /// Key and value head sizes (default `embedding_length / head_count`).
    pub key_length: u64,
    pub value_length: u64,
    /// Head sizes on sliding-window layers where they differ (gemma4).
    pub key_length_swa: u64,
    pub value_length_swa: u64,
    /// Positions a sliding layer attends to, when any layer slides.
    pub sliding_window: Option<u64>,
    pub expert_count: u64,
    pub expert_used_count: u64,
    pub recurrent: Option<Recurrent>,
    /// `clip.projector_type` of a projector.
    pub projector_type: Option<String>,
    pub layers: Vec<Layer>,
    pub bytes: TensorBytes,
    /// The compute graph of a vision tower inside the file, as Ollama sizes it
    /// (0 without one).
    #[serde(default)]
    pub vision_graph_bytes: u64,
    /// Whether the output projection is the token embedding (no `output.weight`).
    #[serde(default)]
    pub tied_embeddings: bool,
    /// Tensor bytes by ggml type name.
    pub bytes_by_type: BTreeMap<String, u64>,
}

/// Why facts could not be derived from a header that parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FactsError(String);

impl fmt::Display for FactsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for FactsError {}

/// Metadata keys under the architecture's prefix.
pub(crate) struct Keys<'h> {
    pub(crate) header: &'h Header,
    pub(crate) arch: &'h str,
}

impl Keys<'_> {
    pub(crate) fn u64(&self, key: &str) -> Option<u64> {
        self.header.u64(&format!("{}.{key}", self.arch))
    }

    /// A per-layer key: a scalar for every layer, or an array (missing entries 0, as
    /// llama.cpp's zero-filled `get_key_or_arr`); `None` when absent.
    fn per_layer(&self, key: &str, n: usize) -> Result<Option<Vec<u64>>, FactsError> {
        let full = format!("{}.{key}", self.arch);
        let Some(value) = self.header.get(&full) else {
            return Ok(None);
        };
        if let Some(v) = value.as_u64() {
            return Ok(Some(vec![v; n]));
        }
        let array = value.as_array().and_then(|a| a.as_u64s());
        let mut values = array
            .ok_or_else(|| FactsError(format!("{full:?} is not a count or an array of counts")))?;
        values.resize(n, 0);
        Ok(Some(values))
    }
}

impl Facts {
    /// Derives the facts from a header.
    pub fn from_header(h: &Header) -> Result<Facts, FactsError> {
        let arch = h
            .architecture()
            .ok_or_else(|| FactsError("no general.architecture key".into()))?;
        let keys = Keys { header: h, arch };
        let (kind, block_count, embedding_length) = shape(&keys)?;
        let n = decoder_layers(kind, block_count);
        let attention = Attention::read(&keys, n, embedding_length)?;
        let expert_count = keys.u64("expert_count").unwrap_or(0);
        let expert_used_count = keys.u64("expert_used_count").unwrap_or(0);
        let tally = tally::tally(&h.tensors, n, expert_count, expert_used_count);
        let file_type = h.u64("general.file_type");
        Ok(Facts {
            kind,
            architecture: arch.to_owned(),
            name: h.str("general.name").map(str::to_owned),
            file_type,
            file_type_name: file_type.and_then(file_type_name).map(str::to_owned),
            parameters: tally.parameters,
            projector_parameters: tally.projector_parameters,
            active_parameters: tally.active_parameters,
            block_count,
            context_length: keys.u64("context_length"),
            embedding_length,
            vocab_size: vocab_size(&keys),
            key_length: attention.key_length,
            value_length: attention.value_length,
            key_length_swa: attention.key_length_swa,
            value_length_swa: attention.value_length_swa,
            sliding_window: attention.window,
            expert_count,
            expert_used_count,
            recurrent: recurrent(&keys, &attention.kinds, embedding_length.unwrap_or(0)),
            projector_type: projector_type(h),
            layers: attention.layers(&tally.per_layer),
            bytes: tally.bytes,
            vision_graph_bytes: super::vision::vision_graph_bytes(&keys),
            tied_embeddings: !h.tensors.iter().any(|t| t.name == "output.weight"),
            bytes_by_type: tally.by_type,
        })
    }

    /// The file type as one of the project's quantization levels, when it is one.
    pub fn quant(&self) -> Option<Quant> {
        self.file_type_name.as_deref()?.parse().ok()
    }

    /// Bytes a decoding step reads from the weights (MoE: only the experts used).
    pub fn weights_read_per_token(&self) -> u64 {
        self.bytes.read_per_token
    }
}

/// The file's kind, its layer count and embedding width (a projector's are its
/// vision tower's).
fn shape(keys: &Keys<'_>) -> Result<(Kind, u64, Option<u64>), FactsError> {
    let h = keys.header;
    let kind = match (keys.arch, h.str("general.type")) {
        ("clip", _) => Kind::Projector,
        (_, Some("adapter")) => Kind::Adapter,
        _ => Kind::Model,
    };
    let (block_count, embedding_length) = if kind == Kind::Projector {
        let blocks = h
            .u64("clip.vision.block_count")
            .or(h.u64("clip.audio.block_count"));
        (blocks, h.u64("clip.vision.embedding_length"))
    } else {
        (keys.u64("block_count"), keys.u64("embedding_length"))
    };
    let block_count = block_count.unwrap_or(0);
    if block_count > MAX_LAYERS {
        return Err(FactsError(format!(
            "block_count {block_count} is more than {MAX_LAYERS} layers"
        )));
    }
    Ok((kind, block_count, embedding_length))
}

/// Layers read one by one: only a model's. A projector's blocks are its vision
/// tower's, and an adapter's tensors are deltas for another model's layers.
fn decoder_layers(kind: Kind, block_count: u64) -> usize {
    match kind {
        Kind::Model => block_count as usize,
        Kind::Projector | Kind::Adapter => 0,
    }
}

/// `<arch>.vocab_size`, else the length of the tokenizer's token list.
fn vocab_size(keys: &Keys<'_>) -> Option<u64> {
    keys.u64("vocab_size").or_else(|| {
        keys.header
            .get("tokenizer.ggml.tokens")
            .and_then(|v| v.as_array())
            .map(|a| a.len)
    })
}

/// A projector's type, under either key converters have written it.
fn projector_type(h: &Header) -> Option<String> {
    h.str("clip.projector_type")
        .or(h.str("clip.vision.projector_type"))
        .map(str::to_owned)
}
