//! Tensor bytes and parameters by role: per layer, embedding, output, experts,
//! projector, and what one decoding step reads.

use super::facts::TensorBytes;
use super::header::TensorInfo;
use std::collections::BTreeMap;

/// Sums over a file's tensors.
pub(crate) struct Tally {
    pub(crate) bytes: TensorBytes,
    pub(crate) parameters: u64,
    pub(crate) projector_parameters: u64,
    pub(crate) active_parameters: u64,
    /// Bytes of `blk.N.*` for each of the `layers` layers.
    pub(crate) per_layer: Vec<u64>,
    pub(crate) by_type: BTreeMap<String, u64>,
}

/// Prefixes of the vision/audio tensors Ollama and llama.cpp's mmproj files use.
const PROJECTOR_PREFIXES: [&str; 4] = ["v.", "mm.", "a.", "s."];

/// The layer index of a `blk.N.*` tensor.
fn layer_of(name: &str) -> Option<usize> {
    let rest = name.strip_prefix("blk.")?;
    rest[..rest.find('.')?].parse().ok()
}

/// Expert tensors: `ffn_{gate,up,down,gate_up}_exps.{weight,bias}`. Shared experts
/// (`*_shexp`) run for every token and are not counted here.
fn is_expert(name: &str) -> bool {
    name.contains("_exps.") || name.ends_with("_exps")
}

/// `part * used / count`, without overflow.
fn share(part: u64, used: u64, count: u64) -> u64 {
    if count == 0 {
        return part;
    }
    let scaled = u128::from(part) * u128::from(used.min(count)) / u128::from(count);
    u64::try_from(scaled).unwrap_or(u64::MAX)
}

/// Where a tensor's bytes are counted.
enum Role {
    Projector,
    Embedding,
    Output,
    /// A `blk.N` tensor, and whether it is an expert tensor.
    Layer(usize, bool),
    Other,
}

fn role(name: &str, layers: usize) -> Role {
    if PROJECTOR_PREFIXES.iter().any(|p| name.starts_with(p)) {
        Role::Projector
    } else if name == "token_embd.weight" {
        Role::Embedding
    } else if name == "output.weight" {
        Role::Output
    } else if let Some(i) = layer_of(name).filter(|&i| i < layers) {
        Role::Layer(i, is_expert(name))
    } else {
        Role::Other
    }
}

fn add(sum: &mut u64, n: u64) {
    *sum = sum.saturating_add(n);
}

pub(crate) fn tally(
    tensors: &[TensorInfo],
    layers: usize,
    experts: u64,
    experts_used: u64,
) -> Tally {
    let mut tally = Tally {
        bytes: TensorBytes::default(),
        parameters: 0,
        projector_parameters: 0,
        active_parameters: 0,
        per_layer: vec![0; layers],
        by_type: BTreeMap::new(),
    };
    let tied = !tensors.iter().any(|t| t.name == "output.weight");
    for t in tensors {
        tally.add(t, role(&t.name, layers), tied, (experts_used, experts));
    }
    tally
}

impl Tally {
    /// Counts one tensor; `experts` is (used, count).
    fn add(&mut self, t: &TensorInfo, role: Role, tied: bool, experts: (u64, u64)) {
        let (b, e) = (t.bytes, t.elements);
        add(&mut self.bytes.total, b);
        add(&mut self.parameters, e);
        add(
            self.by_type
                .entry(t.ggml_type.name().to_owned())
                .or_default(),
            b,
        );
        let (read, used) = self.add_to_role(t, role, tied, experts);
        add(&mut self.bytes.read_per_token, read);
        add(&mut self.active_parameters, used);
    }

    /// Adds the tensor to its role's sums, and returns what a decoding step reads
    /// of it, in bytes and in elements.
    fn add_to_role(
        &mut self,
        t: &TensorInfo,
        role: Role,
        tied: bool,
        experts: (u64, u64),
    ) -> (u64, u64) {
        let (b, e) = (t.bytes, t.elements);
        let bytes = &mut self.bytes;
        match role {
            Role::Projector => {
                add(&mut bytes.projector, b);
                add(&mut self.projector_parameters, e);
                (0, 0)
            }
            // A lookup reads one row, unless the embedding is also the output projection.
            Role::Embedding => {
                add(&mut bytes.token_embedding, b);
                if tied { (b, e) } else { (0, 0) }
            }
            Role::Output => {
                add(&mut bytes.output, b);
                (b, e)
            }
            Role::Layer(i, expert) => self.add_to_layer(t, i, expert, experts),
            // Per-layer embedding tables (gemma3n) are lookups too.
            Role::Other => {
                add(&mut bytes.other, b);
                if t.name.starts_with("per_layer_token_embd") {
                    (0, 0)
                } else {
                    (b, e)
                }
            }
        }
    }

    /// Adds a tensor of layer `i`; a step reads only the used share of an expert's.
    fn add_to_layer(
        &mut self,
        t: &TensorInfo,
        i: usize,
        expert: bool,
        (used, count): (u64, u64),
    ) -> (u64, u64) {
        let (b, e) = (t.bytes, t.elements);
        add(&mut self.per_layer[i], b);
        add(&mut self.bytes.layers, b);
        if !expert {
            return (b, e);
        }
        add(&mut self.bytes.experts, b);
        (share(b, used, count), share(e, used, count))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gguf::GgmlType;

    fn t(name: &str, elements: u64) -> TensorInfo {
        TensorInfo {
            name: name.into(),
            dims: vec![elements],
            ggml_type: GgmlType::F16,
            offset: 0,
            elements,
            bytes: elements * 2,
        }
    }

    #[test]
    fn roles_add_up_to_the_total() {
        let tensors = [
            t("token_embd.weight", 100),
            t("output.weight", 100),
            t("blk.0.attn_q.weight", 10),
            t("blk.0.ffn_up_exps.weight", 80),
            t("blk.1.ffn_down_exps.bias", 8),
            t("blk.7.attn_q.weight", 4),
            t("v.blk.0.attn_q.weight", 6),
            t("output_norm.weight", 2),
        ];
        let tally = tally(&tensors, 2, 8, 2);
        let b = &tally.bytes;
        assert_eq!(b.total, 310 * 2);
        assert_eq!(
            b.token_embedding + b.output + b.layers + b.projector + b.other,
            b.total
        );
        assert_eq!(tally.per_layer, [180, 16]);
        assert_eq!(b.experts, 176);
        assert_eq!(b.projector, 12);
        // blk.7 lies beyond the 2 layers: counted as other.
        assert_eq!(b.other, 12);
        // output 100 + q 10 + 1/4 of 88 experts + blk.7 4 + norm 2; no lookup, no projector.
        assert_eq!(tally.active_parameters, 100 + 10 + 22 + 4 + 2);
        assert_eq!(tally.projector_parameters, 6);
    }

    #[test]
    fn a_tied_embedding_is_read_every_token() {
        let tally = tally(
            &[t("token_embd.weight", 100), t("blk.0.attn_q.weight", 10)],
            1,
            0,
            0,
        );
        assert_eq!(tally.bytes.read_per_token, 220);
        assert_eq!(tally.active_parameters, 110);
    }

    #[test]
    fn layer_names_parse_strictly() {
        assert_eq!(layer_of("blk.12.attn_q.weight"), Some(12));
        assert_eq!(layer_of("blk.x.attn_q.weight"), None);
        assert_eq!(layer_of("blk.12"), None);
        assert_eq!(layer_of("v.blk.1.attn_q.weight"), None);
        assert_eq!(share(u64::MAX, 4, 8), u64::MAX / 2);
    }
}
