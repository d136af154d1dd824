"""GGML block types, llama.cpp file types and llama.cpp's per-tensor type choice.

Block sizes: ggml/src/ggml.c `type_traits` (shared/reference/quantization-and-memory.md
§1.1). Type choice: llama.cpp `src/llama-quant.cpp` `llama_tensor_get_type` as vendored
in ollama/ollama at tag v0.12.10 (llama/llama.cpp/src/llama-quant.cpp, llama.cpp
commit 7049736b2dd9011bf819e298b844ebbc4b5afdc9), read 2026-08-28. Only the rules
for the file types the Ollama library publishes are ported.
"""

# ggml type -> (weights per block, bytes per block)
BLOCK = {
    "F32": (1, 4), "F16": (1, 2), "BF16": (1, 2),
    "Q4_0": (32, 18), "Q4_1": (32, 20), "Q5_0": (32, 22), "Q5_1": (32, 24),
    "Q8_0": (32, 34), "IQ4_NL": (32, 18), "MXFP4": (32, 17),
    "Q2_K": (256, 84), "Q3_K": (256, 110), "Q4_K": (256, 144),
    "Q5_K": (256, 176), "Q6_K": (256, 210),
}

# llama_ftype (as Ollama names it) -> default ggml type (`llama_model_quantize_impl`).
DEFAULT_TYPE = {
    "F16": "F16", "BF16": "BF16", "Q8_0": "Q8_0", "Q6_K": "Q6_K",
    "Q5_K_M": "Q5_K", "Q5_K_S": "Q5_K", "Q5_1": "Q5_1", "Q5_0": "Q5_0",
    "Q4_K_M": "Q4_K", "Q4_K_S": "Q4_K", "Q4_1": "Q4_1", "Q4_0": "Q4_0",
    "Q3_K_L": "Q3_K", "Q3_K_M": "Q3_K", "Q3_K_S": "Q3_K", "Q2_K": "Q2_K",
}

# convert_incompatible_tensor: the type used when a row is not a whole number of blocks.
FALLBACK = {"Q2_K": "IQ4_NL", "Q3_K": "IQ4_NL", "Q4_K": "Q5_0", "Q5_K": "Q5_1",
            "Q6_K": "Q8_0"}


def nbytes(ggml_type, shape):
    """Bytes of a tensor of that type and shape (ne0 is the row length)."""
    block, size = BLOCK[ggml_type]
    elements = 1
    for n in shape:
        elements *= n
    if shape[0] % block:
        raise ValueError(f"{ggml_type} cannot hold rows of {shape[0]}")
    return elements // block * size


def use_more_bits(i, n):
    return i < n // 8 or i >= 7 * n // 8 or (i - n // 8) % 3 == 2


class Quantizer:
    """llama_tensor_get_type over one model's tensors, in file order."""

    def __init__(self, ftype, model):
        self.ftype = ftype
        self.model = model
        self.i_attn_v = 0
        self.n_attn_v = model.n_attn_v
        self.i_ffn_down = 0

    def type_of(self, name, shape, layer):
        ftype, model = self.ftype, self.model
        new = DEFAULT_TYPE[ftype]
        if ftype in ("F16", "BF16"):
            return new
        experts = model.experts
        if name == "output.weight" or (not model.has_output and name == "token_embd.weight"):
            if shape[0] % BLOCK[new][0]:
                return "Q8_0"
            return self._fit(new if new == "Q8_0" else "Q6_K", shape)
        if name == "token_embd.weight":
            return self._fit(new, shape)
        if "attn_v.weight" in name:
            new = self._attn_v(new)
            self.i_attn_v += 1
        elif "attn_k.weight" in name:
            if experts == 8:
                new = "Q8_0"
        elif "ffn_down" in name:
            new = self._ffn_down(new, layer)
            self.i_ffn_down += 1
        elif "attn_output.weight" in name:
            new = self._attn_output(new)
        elif "attn_qkv.weight" in name:
            if ftype in ("Q3_K_M", "Q3_K_L"):
                new = "Q4_K"
            elif ftype == "Q4_K_M":
                new = "Q5_K"
            elif ftype == "Q5_K_M":
                new = "Q6_K"
        return self._fit(new, shape)

    def _attn_v(self, new):
        ftype, model, i = self.ftype, self.model, self.i_attn_v
        if ftype == "Q2_K":
            new = "Q4_K" if model.gqa >= 4 else "Q3_K"
        elif ftype == "Q3_K_M":
            new = "Q5_K" if i < 2 else "Q4_K"
        elif ftype == "Q3_K_L":
            new = "Q5_K"
        elif ftype in ("Q4_K_M", "Q5_K_M") and use_more_bits(i, self.n_attn_v):
            new = "Q6_K"
        elif ftype == "Q4_K_S" and i < 4:
            new = "Q5_K"
        if model.type_70b and new in ("Q3_K", "Q4_K"):
            new = "Q5_K"
        if model.experts == 8:
            new = "Q8_0"
        return new

    def _ffn_down(self, new, layer):
        ftype, n = self.ftype, self.model.layers
        # Dense models count ffn_down tensors; MoE models read the layer from the name.
        i = layer if self.model.experts > 1 else self.i_ffn_down
        if ftype == "Q2_K":
            return "Q3_K"
        if ftype == "Q3_K_M":
            return "Q5_K" if i < n // 16 else "Q4_K"
        if ftype == "Q3_K_L":
            return "Q5_K"
        if ftype == "Q4_K_M":
            return "Q6_K" if use_more_bits(i, n) else new
        if ftype == "Q5_K_M" and use_more_bits(i, n):
            return "Q6_K"
        if ftype == "Q4_K_S" and i < n // 8:
            return "Q5_K"
        return new

    def _attn_output(self, new):
        ftype = self.ftype
        if self.model.experts == 8:
            if ftype in ("Q2_K", "Q3_K_S", "Q3_K_M", "Q4_K_S", "Q4_K_M"):
                return "Q5_K"
            return new
        return {"Q2_K": "Q3_K", "Q3_K_M": "Q4_K", "Q3_K_L": "Q5_K"}.get(ftype, new)

    @staticmethod
    def _fit(new, shape):
        if shape[0] % BLOCK[new][0] == 0:
            return new
        new = FALLBACK[new]
        return new if shape[0] % BLOCK[new][0] == 0 else "F16"
