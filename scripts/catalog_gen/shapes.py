"""A model's tensors from its architecture, and the size of its GGUF at a file type.

Tensor names and shapes follow llama.cpp's converter (`convert_hf_to_gguf.py`,
`gguf-py/gguf/tensor_mapping.py`) and Ollama's (`convert/convert_*.go`): ne0 is the
row length. 1-D tensors, norms, biases and MoE router weights stay F32; everything
else is quantized by the rules in ggml.py. Size = Σ tensor bytes (each padded to the
GGUF alignment of 32) + metadata (tokenizer and other key/values, tensor infos).
"""

from dataclasses import dataclass, field

from . import ggml

ALIGN = 32


@dataclass
class Arch:
    """What the tensor list of a model depends on (HF config.json / GGUF header)."""
    arch: str
    layers: int
    embd: int
    heads: int
    kv_heads: int
    head_dim: int
    ffn: int
    vocab: int
    context: int
    tied: bool
    tokenizer: str
    value_dim: int = 0
    qkv_bias: bool = False
    qk_norm: bool = False
    post_norms: bool = False
    fused_qkv: bool = False
    fused_gate_up: bool = False
    rope_freqs: bool = False
    experts: int = 0
    experts_used: int = 0
    expert_ffn: int = 0
    shared_ffn: int = 0
    dense_layers: int = 0
    moe_every: int = 1
    mla: dict = None
    attn_bias: bool = False
    sinks: bool = False
    swa_window: int = 0
    swa_layers: int = 0
    vision_params: int = 0
    vision_type: str = "F16"
    embd_type: str = ""
    extra: list = field(default_factory=list)
    quantizer: str = "llama.cpp"

    @property
    def gqa(self):
        return self.heads // self.kv_heads

    @property
    def type_70b(self):
        # llama-model.cpp: llama and qwen2 with 80 blocks load as LLM_TYPE_70B.
        return self.arch in ("llama", "qwen2") and self.layers == 80

    @property
    def has_output(self):
        return not self.tied

    @property
    def n_attn_v(self):
        return self.layers


def _attention(a, p):
    e, dk, dv = a.embd, a.head_dim, a.value_dim or a.head_dim
    t = [(p + "attn_norm.weight", [e])]
    if a.mla:
        m = a.mla
        qk = m["nope"] + m["rope"]
        if m.get("q_lora"):
            t += [(p + "attn_q_a.weight", [e, m["q_lora"]]),
                  (p + "attn_q_a_norm.weight", [m["q_lora"]]),
                  (p + "attn_q_b.weight", [m["q_lora"], a.heads * qk])]
        else:
            t += [(p + "attn_q.weight", [e, a.heads * qk])]
        t += [(p + "attn_kv_a_mqa.weight", [e, m["kv_lora"] + m["rope"]]),
              (p + "attn_kv_a_norm.weight", [m["kv_lora"]]),
              (p + "attn_kv_b.weight", [m["kv_lora"], a.heads * (m["nope"] + m["v"])]),
              (p + "attn_output.weight", [a.heads * m["v"], e])]
        return t
    if a.fused_qkv:
        t.append((p + "attn_qkv.weight", [e, (a.heads + 2 * a.kv_heads) * dk]))
    else:
        t += [(p + "attn_q.weight", [e, a.heads * dk]),
              (p + "attn_k.weight", [e, a.kv_heads * dk]),
              (p + "attn_v.weight", [e, a.kv_heads * dv])]
    if a.qkv_bias or a.attn_bias:
        t += [(p + "attn_q.bias", [a.heads * dk]), (p + "attn_k.bias", [a.kv_heads * dk]),
              (p + "attn_v.bias", [a.kv_heads * dv])]
    if a.qk_norm:
        t += [(p + "attn_q_norm.weight", [dk]), (p + "attn_k_norm.weight", [dk])]
    t.append((p + "attn_output.weight", [a.heads * dv, e]))
    if a.attn_bias:
        t.append((p + "attn_output.bias", [e]))
    if a.sinks:
        t.append((p + "attn_sinks.weight", [a.heads]))
    if a.post_norms:
        t.append((p + "post_attention_norm.weight", [e]))
    return t


def _dense_ffn(a, p, width, suffix=""):
    e = a.embd
    if a.fused_gate_up:
        return [(p + "ffn_up" + suffix + ".weight", [e, 2 * width]),
                (p + "ffn_down" + suffix + ".weight", [width, e])]
    return [(p + "ffn_gate" + suffix + ".weight", [e, width]),
            (p + "ffn_up" + suffix + ".weight", [e, width]),
            (p + "ffn_down" + suffix + ".weight", [width, e])]


def _ffn(a, i, p):
    e = a.embd
    t = [(p + "ffn_norm.weight", [e])]
    moe = a.experts > 1 and i >= a.dense_layers and (i + 1) % a.moe_every == 0
    if not moe:
        t += _dense_ffn(a, p, a.ffn)
    else:
        n, w = a.experts, a.expert_ffn
        t += [(p + "ffn_gate_inp.weight", [e, n]),
              (p + "ffn_gate_exps.weight", [e, w, n]),
              (p + "ffn_up_exps.weight", [e, w, n]),
              (p + "ffn_down_exps.weight", [w, e, n])]
        if a.attn_bias:
            t += [(p + "ffn_gate_inp.bias", [n]), (p + "ffn_gate_exps.bias", [w, n]),
                  (p + "ffn_up_exps.bias", [w, n]), (p + "ffn_down_exps.bias", [e, n])]
        if a.shared_ffn:
            t += _dense_ffn(a, p, a.shared_ffn, "_shexp")
    if a.post_norms:
        t.append((p + "post_ffw_norm.weight", [e]))
    return t


def tensors(a):
    """(name, shape, layer) of every tensor, in file order."""
    out = [("token_embd.weight", [a.embd, a.vocab], -1)]
    if a.rope_freqs:
        out.append(("rope_freqs.weight", [a.head_dim // 2], -1))
    for i in range(a.layers):
        p = f"blk.{i}."
        out += [(n, s, i) for n, s in _attention(a, p) + _ffn(a, i, p)]
    out.append(("output_norm.weight", [a.embd], -1))
    if not a.tied:
        out.append(("output.weight", [a.embd, a.vocab], -1))
    out += [(n, s, -1) for n, s in a.extra]
    return out


def _quantizable(name, shape):
    return (name.endswith("weight") and len(shape) >= 2 and "_norm.weight" not in name
            and "ffn_gate_inp" not in name and "attn_sinks" not in name)


def tensor_bytes(a, ftype):
    """Σ tensor bytes (padded), the number of tensors, and their info bytes."""
    q = ggml.Quantizer(ftype, a)
    data = infos = count = 0
    for name, shape, layer in tensors(a):
        if _quantizable(name, shape):
            if ftype == "MXFP4":
                kind = "MXFP4" if len(shape) == 3 else a.vision_type
            elif ftype == "QAT":
                kind = "F16" if name == "token_embd.weight" else "Q4_0"
            elif (name == "token_embd.weight" and a.embd_type
                  and ftype not in ("F16", "BF16", "Q8_0")):
                kind = a.embd_type
            else:
                kind = q.type_of(name, shape, layer)
        else:
            kind = "F32"
        size = ggml.nbytes(kind, shape)
        data += -(-size // ALIGN) * ALIGN
        infos += 8 + len(name) + 4 + 8 * len(shape) + 4 + 8
        count += 1
    return data, count, infos


def file_bytes(a, ftype, metadata):
    """Estimated GGUF file bytes: tensors + vision tower + metadata (key/values)."""
    data, _, infos = tensor_bytes(a, ftype)
    vision = a.vision_params * ggml.BLOCK[a.vision_type][1]
    return data + vision + infos + metadata
