//! Which layers hold what cache: full attention, a sliding window, a recurrent
//! state, or nothing, from the metadata and the defaults llama.cpp hard-codes.
//!
//! Sources (ggml-org/llama.cpp): `src/llama-model.cpp` at 00342301 (`load_hparams`:
//! the per-architecture `set_swa_pattern` calls and `recurrent_layer_arr` rules),
//! `src/llama-hparams.cpp` at 01b77b57 (`set_swa_pattern`: layer `il` slides when
//! `il % n < n - 1`, or `il % n != 0` when dense comes first; `n_embd_r`/`n_embd_s`),
//! `src/models/gemma4.cpp` at 06e514f6 (a per-layer `sliding_window_pattern` array and
//! `attention.shared_kv_layers`).

use super::header::Header;
use serde::{Deserialize, Serialize};

/// What one layer keeps between tokens.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LayerKind {
    /// Attention over the whole context: a KV entry per position.
    Full,
    /// Sliding-window (or chunked) attention: at most the window plus a batch.
    Sliding,
    /// A recurrent (SSM, linear-attention, short-conv) layer: a fixed state, no KV.
    Recurrent,
    /// Both a recurrent state and full attention (falcon-h1's parallel hybrid).
    RecurrentAndFull,
    /// No cache: an MLP-only block, or a layer that reuses an earlier layer's KV.
    NoCache,
}

/// The kind of every layer and the sliding window (`None` when no layer slides).
pub(crate) fn layer_kinds(
    h: &Header,
    arch: &str,
    head_kv: &[u64],
    ff: &[u64],
) -> (Vec<LayerKind>, Option<u64>) {
    let n = head_kv.len();
    let recurrent = recurrent_layers(h, arch, head_kv, ff);
    let (sliding, window) = sliding_layers(h, arch, n);
    let with_kv = layers_with_kv(h, arch, n);
    let kind = |i: usize| {
        if arch == "falcon-h1" && head_kv[i] > 0 {
            LayerKind::RecurrentAndFull
        } else if recurrent[i] {
            LayerKind::Recurrent
        } else if i >= with_kv || head_kv[i] == 0 {
            LayerKind::NoCache
        } else if sliding[i] {
            LayerKind::Sliding
        } else {
            LayerKind::Full
        }
    };
    let kinds = (0..n).map(kind).collect();
    (kinds, window.filter(|_| sliding.iter().any(|&s| s)))
}

fn key(h: &Header, arch: &str, name: &str) -> Option<u64> {
    h.u64(&format!("{arch}.{name}"))
}

/// `recurrent_layer_arr` as llama.cpp fills it per architecture. An architecture it
/// does not know but whose metadata has SSM or short-conv sizes is taken as a hybrid
/// whose recurrent layers are those without KV heads, as for granitehybrid and lfm2.
fn recurrent_layers(h: &Header, arch: &str, head_kv: &[u64], ff: &[u64]) -> Vec<bool> {
    let n = head_kv.len();
    match arch {
        "mamba" | "mamba2" | "rwkv6" | "rwkv6qwen2" | "rwkv7" | "arwkv7" | "falcon-h1" => {
            vec![true; n]
        }
        "qwen3next" | "qwen35" | "qwen35moe" => {
            let interval = key(h, arch, "full_attention_interval")
                .filter(|&i| i > 0)
                .unwrap_or(4);
            (0..n as u64).map(|i| (i + 1) % interval != 0).collect()
        }
        "nemotron_h" | "nemotron_h_moe" => (0..n).map(|i| head_kv[i] == 0 && ff[i] == 0).collect(),
        "jamba" | "granitehybrid" | "plamo2" | "lfm2" | "lfm2moe" => {
            head_kv.iter().map(|&k| k == 0).collect()
        }
        _ if key(h, arch, "ssm.conv_kernel").is_some()
            || key(h, arch, "shortconv.l_cache").is_some() =>
        {
            head_kv.iter().map(|&k| k == 0).collect()
        }
        _ => vec![false; n],
    }
}

/// `set_swa_pattern(period, dense_first)`.
fn period(n: usize, period: u64, dense_first: bool) -> Vec<bool> {
    (0..n as u64)
        .map(|il| match period {
            0 => true,
            p if dense_first => il % p != 0,
            p => il % p < p - 1,
        })
        .collect()
}

/// Which layers slide, and the window. A `sliding_window_pattern` key (a per-layer
/// bool array, or a scalar period) overrides the architecture's default period.
fn sliding_layers(h: &Header, arch: &str, n: usize) -> (Vec<bool>, Option<u64>) {
    let window = key(h, arch, "attention.sliding_window");
    let (default, window) = match arch {
        "gemma2" => (Some((2, false)), window.or(Some(4096))),
        "gemma3" | "gemma-embedding" => (Some((6, false)), window),
        "gemma3n" => (Some((5, false)), window),
        "cohere2" => (Some((4, false)), window),
        "gpt-oss" | "gptoss" => (Some((2, false)), window),
        // Chunked attention, 3 chunked layers to 1 full, unless the key says 0.
        "llama4" if window != Some(0) => (Some((4, false)), Some(8192)),
        "olmo2" => (Some((4, false)), window),
        "exaone4" if n == 64 => (Some((4, false)), window.or(Some(4096))),
        "smallthinker" if window.is_some_and(|w| w > 0) => (Some((4, true)), Some(4096)),
        _ => (None, window),
    };
    let Some(window) = window.filter(|&w| w > 0) else {
        return (vec![false; n], None);
    };
    let pattern = h.get(&format!("{arch}.attention.sliding_window_pattern"));
    let layers = match (pattern, default) {
        (Some(p), _) if p.as_array().is_some() => {
            let bools = p.as_array().and_then(|a| a.as_bools()).unwrap_or_default();
            (0..n)
                .map(|i| bools.get(i).copied().unwrap_or(false))
                .collect()
        }
        (Some(p), _) if p.as_u64().is_some() => period(n, p.as_u64().unwrap_or(1), false),
        (_, Some((p, dense_first))) => period(n, p, dense_first),
        _ => vec![false; n],
    };
    (layers, Some(window))
}

/// Layers from this index on reuse earlier layers' KV (gemma3n: the first 20 hold
/// KV; gemma4 and others: all but `attention.shared_kv_layers`).
fn layers_with_kv(h: &Header, arch: &str, n: usize) -> usize {
    if arch == "gemma3n" {
        return n.min(20);
    }
    let shared = key(h, arch, "attention.shared_kv_layers").unwrap_or(0);
    n.saturating_sub(usize::try_from(shared).unwrap_or(usize::MAX))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gguf::read_header;
    use crate::gguf::write::Writer;

    fn header(build: impl FnOnce(&mut Writer)) -> Header {
        let mut w = Writer::new();
        build(&mut w);
        read_header(&w.header()).unwrap()
    }

    fn kinds(arch: &str, head_kv: &[u64], build: impl FnOnce(&mut Writer)) -> Vec<LayerKind> {
        let h = header(build);
        layer_kinds(&h, arch, head_kv, &vec![1; head_kv.len()]).0
    }

    #[test]
    fn gemma3_slides_five_layers_of_six() {
        let k = kinds("gemma3", &[8; 12], |w| {
            w.kv("gemma3.attention.sliding_window", 1024u32);
        });
        let full: Vec<usize> = (0..12).filter(|&i| k[i] == LayerKind::Full).collect();
        assert_eq!(full, [5, 11]);
    }

    #[test]
    fn gemma3_without_a_window_has_no_sliding_layers() {
        assert!(
            kinds("gemma3", &[8; 6], |_| {})
                .iter()
                .all(|&k| k == LayerKind::Full)
        );
    }

    #[test]
    fn gpt_oss_and_gemma2_alternate_starting_with_a_sliding_layer() {
        let k = kinds("gpt-oss", &[8; 4], |w| {
            w.kv("gpt-oss.attention.sliding_window", 128u32);
        });
        assert_eq!(
            k,
            [
                LayerKind::Sliding,
                LayerKind::Full,
                LayerKind::Sliding,
                LayerKind::Full
            ]
        );
        let h = header(|_| {});
        assert_eq!(layer_kinds(&h, "gemma2", &[8; 2], &[1; 2]).1, Some(4096));
    }

    #[test]
    fn a_pattern_key_overrides_the_default() {
        let k = kinds("gemma3", &[8; 4], |w| {
            w.kv("gemma3.attention.sliding_window", 512u32).kv(
                "gemma3.attention.sliding_window_pattern",
                vec![true, false, false, true],
            );
        });
        assert_eq!(
            k,
            [
                LayerKind::Sliding,
                LayerKind::Full,
                LayerKind::Full,
                LayerKind::Sliding
            ]
        );
        let k = kinds("cohere2", &[8; 4], |w| {
            w.kv("cohere2.attention.sliding_window", 512u32)
                .kv("cohere2.attention.sliding_window_pattern", 2u32);
        });
        assert_eq!(
            k,
            [
                LayerKind::Sliding,
                LayerKind::Full,
                LayerKind::Sliding,
                LayerKind::Full
            ]
        );
    }

    #[test]
    fn hybrids_mark_recurrent_layers_from_kv_heads() {
        let k = kinds("granitehybrid", &[0, 8, 0], |_| {});
        assert_eq!(
            k,
            [LayerKind::Recurrent, LayerKind::Full, LayerKind::Recurrent]
        );
        let h = header(|_| {});
        let (k, _) = layer_kinds(&h, "nemotron_h", &[0, 0, 8], &[0, 64, 0]);
        assert_eq!(
            k,
            [LayerKind::Recurrent, LayerKind::NoCache, LayerKind::Full]
        );
    }

    #[test]
    fn qwen3next_attends_every_fourth_layer() {
        let k = kinds("qwen3next", &[2; 8], |_| {});
        let full: Vec<usize> = (0..8).filter(|&i| k[i] == LayerKind::Full).collect();
        assert_eq!(full, [3, 7]);
    }

    #[test]
    fn shared_kv_layers_hold_nothing() {
        let k = kinds("gemma4", &[8; 4], |w| {
            w.kv("gemma4.attention.shared_kv_layers", 1u32);
        });
        assert_eq!(k[3], LayerKind::NoCache);
        assert_eq!(kinds("gemma3n", &[8; 22], |_| {})[20], LayerKind::NoCache);
    }
}
