//! The recurrent state a layer keeps instead of a KV cache (SSM, RWKV, short-conv),
//! sized as llama.cpp sizes it (`n_embd_r`, `n_embd_s` in `src/llama-hparams.cpp`
//! at 01b77b57).

use super::facts::Keys;
use super::layers::LayerKind;
use serde::{Deserialize, Serialize};

/// Sizes of the recurrent state (SSM, RWKV, short-conv) keys, 0 when absent.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Recurrent {
    pub conv_kernel: u64,
    pub inner_size: u64,
    pub state_size: u64,
    pub group_count: u64,
    pub time_step_rank: u64,
    /// f32 values of state one recurrent layer keeps per sequence: llama.cpp's
    /// `n_embd_r() + n_embd_s()` (`src/llama-hparams.cpp` at 01b77b57).
    pub state_elements: u64,
}

/// The recurrent sizes, when any layer is recurrent. State per layer and sequence:
/// RWKV `token_shift_count * n_embd + n_embd * wkv.head_size`; LFM2
/// `n_embd * (shortconv.l_cache - 1)`; Mamba and the rest
/// `(conv_kernel - 1) * (inner + 2 * groups * state) + state * inner`.
pub(crate) fn recurrent(keys: &Keys<'_>, kinds: &[LayerKind], embd: u64) -> Option<Recurrent> {
    let any = kinds
        .iter()
        .any(|k| matches!(k, LayerKind::Recurrent | LayerKind::RecurrentAndFull));
    if !any {
        return None;
    }
    let get = |k: &str| keys.u64(k).unwrap_or(0);
    let (conv, inner, state, groups) = (
        get("ssm.conv_kernel"),
        get("ssm.inner_size"),
        get("ssm.state_size"),
        get("ssm.group_count"),
    );
    let wkv = get("wkv.head_size");
    let l_cache = get("shortconv.l_cache");
    let state_elements = if wkv > 0 {
        let shift = keys.u64("token_shift_count").unwrap_or(2);
        shift
            .saturating_mul(embd)
            .saturating_add(embd.saturating_mul(wkv))
    } else if l_cache > 0 {
        embd.saturating_mul(l_cache - 1)
    } else {
        let width = inner.saturating_add(groups.saturating_mul(state).saturating_mul(2));
        conv.saturating_sub(1)
            .saturating_mul(width)
            .saturating_add(state.saturating_mul(inner))
    };
    Some(Recurrent {
        conv_kernel: conv,
        inner_size: inner,
        state_size: state,
        group_count: groups,
        time_step_rank: get("ssm.time_step_rank"),
        state_elements,
    })
}

#[cfg(test)]
mod tests {
    use crate::gguf::write::Writer;
    use crate::gguf::{Facts, LayerKind, read_header};

    fn facts(arch: &str, build: impl FnOnce(&mut Writer)) -> Facts {
        let mut w = Writer::new();
        w.kv("general.architecture", arch)
            .kv(&format!("{arch}.block_count"), 2u32)
            .kv(&format!("{arch}.embedding_length"), 2048u32);
        build(&mut w);
        Facts::from_header(&read_header(&w.header()).unwrap()).unwrap()
    }

    #[test]
    fn rwkv_state_is_token_shift_plus_wkv() {
        let f = facts("rwkv7", |w| {
            w.kv("rwkv7.wkv.head_size", 64u32);
        });
        assert!(f.layers.iter().all(|l| l.kind == LayerKind::Recurrent));
        assert_eq!(f.recurrent.unwrap().state_elements, 2 * 2048 + 2048 * 64);
    }

    #[test]
    fn short_conv_state_is_the_conv_cache() {
        let f = facts("lfm2", |w| {
            w.kv("lfm2.shortconv.l_cache", 3u32)
                .kv("lfm2.attention.head_count_kv", vec![0u32, 8]);
        });
        assert_eq!(f.layers[0].kind, LayerKind::Recurrent);
        assert_eq!(f.layers[1].kind, LayerKind::Full);
        assert_eq!(f.recurrent.unwrap().state_elements, 2048 * 2);
    }

    #[test]
    fn attention_only_models_have_no_state() {
        assert_eq!(facts("llama", |_| {}).recurrent, None);
    }
}
