#!/usr/bin/env python3
"""Generate catalog/library.yaml, the model catalog `provision` embeds.

Run `python3 scripts/gen-catalog.py > catalog/library.yaml`. Sources (see
../shared/reference/quantization-and-memory.md, "the reference"):
  * sizes marked `exact: true` are registry-exact blob sizes (reference §2.3 ✔ rows);
  * Llama 3.1 8B/70B, Llama 3.2 3B and Qwen2.5 7B sizes are the reference's computed
    per-tensor sizes (§2.3, llama.cpp mix rules + measured metadata);
  * every other size is estimated from the Llama 3.1 8B computed sizes: the 8B's
    repeating-layer ("body") bits per weight per quant, applied to the model's body
    (params minus its embedding and output matrices), plus the embedding at the
    quant's base type and the output at Q6_K (F16/Q8_0: unchanged) as llama.cpp's mix
    rules place them (§1.3), plus metadata. This equals params × the 8B effective
    bpw / 8 for a model shaped like the 8B, and follows big-vocabulary models (Gemma)
    that a flat bpw gets 6 % wrong. Marked `exact: false`;
  * published quants per family follow §2.2 (third-party list generated from
    ollama.com on 2025-08-09, hence `as_of`);
  * architecture dimensions come from the reference §3.2/§3.6 where it gives them,
    otherwise from the models' published Hugging Face config.json (num_hidden_layers,
    num_attention_heads, num_key_value_heads, head_dim, hidden_size, vocab_size,
    max_position_embeddings); `dims_source` says which.
"""

AS_OF = "2025-08-09"

LEGACY_15 = ["F16", "Q8_0", "Q6_K", "Q5_K_M", "Q5_K_S", "Q5_1", "Q5_0", "Q4_K_M", "Q4_K_S",
             "Q4_1", "Q4_0", "Q3_K_L", "Q3_K_M", "Q3_K_S", "Q2_K"]
NEW_3 = ["F16", "Q8_0", "Q4_K_M"]
LLAMA31_70B_INSTRUCT = [q for q in LEGACY_15 if q != "Q4_1"]
LLAMA33_70B = ["F16", "Q8_0", "Q6_K", "Q5_K_M", "Q5_1", "Q5_0", "Q4_K_M", "Q4_K_S", "Q4_0",
               "Q3_K_M", "Q3_K_S", "Q2_K"]

# Reference §2.3: computed per-tensor sizes (bytes) per quant.
COMPUTED = {
    "llama3.1:8b": dict(zip(LEGACY_15, [16068895872, 8540775552, 6596011136, 5732992128,
        5599298688, 6068339840, 5599298688, 4920738944, 4692673664, 5130257536, 4661216384,
        4321961088, 4018922624, 3664503936, 3179136128])),
    "llama3.2:3b": dict(zip(LEGACY_15, [6433687776, 3421898976, 2643853536, 2322153696,
        2269511904, 2445672672, 2269511904, 2019377376, 1928200416, 2093351136, 1917190368,
        1815347424, 1687159008, 1542848736, 1363935456])),
    "qwen2.5:7b": dict(zip(LEGACY_15, [15237853600, 8098525600, 6254199200, 5444831648,
        5315176864, 5757069728, 5315176864, 4683073952, 4457769376, 4873284000, 4431391136,
        4088459680, 3808391584, 3492368800, 3015940512])),
    "llama3.1:70b": dict(zip(LEGACY_15, [141117891712, 74975028352, 57888121984, 49949795456,
        48657425536, 53001282688, 48657425536, 42520372352, 40347198592, None, 39969711232,
        37140571264, 34267473024, 30912029824, 26375087232])),
}
# Llama 3.3 70B has Llama 3.1 70B's tensor shapes: same computed sizes.
COMPUTED["llama3.3:70b"] = COMPUTED["llama3.1:70b"]

# Reference §2.3 ✔ rows: registry-exact blob bytes.
EXACT = {
    ("llama3.1:8b", "Q4_K_M"): 4920738944,
    ("llama3.1:8b", "Q8_0"): 8540775552,
    ("llama3.2:3b", "Q4_K_M"): 2019377376,
    ("llama3.2:1b", "Q8_0"): 1321082688,
    ("qwen2.5:7b", "Q4_K_M"): 4683073952,
    ("llama3.3:70b", "Q4_K_M"): 42520398528,
    ("qwen3:30b-a3b", "Q4_K_M"): 18556685856,
}

# Measured tokenizer/metadata bytes (reference §1.4): Llama 3 vocab, Qwen vocab. Other
# vocabularies scale by token count (an estimate).
META_LLAMA3 = 7840640
META_QWEN = 5953952


def metadata(vocab):
    if vocab in (151936, 152064):
        return META_QWEN
    if vocab == 128256:
        return META_LLAMA3
    # Qwen's measured metadata is ~39 bytes per token: use 40 for other tokenizers.
    return vocab * 40


# Block bits of the type token_embd gets per file type, and of output.weight.
EMBED_BITS = {
    "F16": 16, "Q8_0": 8.5, "Q6_K": 6.5625, "Q5_K_M": 5.5, "Q5_K_S": 5.5, "Q5_1": 6.0,
    "Q5_0": 5.5, "Q4_K_M": 4.5, "Q4_K_S": 4.5, "Q4_1": 5.0, "Q4_0": 4.5, "Q3_K_L": 3.4375,
    "Q3_K_M": 3.4375, "Q3_K_S": 3.4375, "Q2_K": 2.625,
}


def output_bits(quant):
    return EMBED_BITS[quant] if quant in ("F16", "Q8_0") else 6.5625


# Llama 3.1 8B: 8,030,261,312 params, 128256 x 4096 embedding and output matrices.
P8B, M8B = 8030261312, 128256 * 4096


def body_bits(quant):
    # file − metadata − token_embd − output, per remaining parameter.
    rest = COMPUTED["llama3.1:8b"][quant] - META_LLAMA3 \
        - M8B * EMBED_BITS[quant] / 8 - M8B * output_bits(quant) / 8
    return rest * 8 / (P8B - 2 * M8B)


def estimated_bytes(params, vocab, embedding, tied, quant):
    matrix = vocab * embedding
    body = params - matrix * (1 if tied else 2)
    total = body * body_bits(quant) / 8 + matrix * output_bits(quant) / 8
    if not tied:
        total += matrix * EMBED_BITS[quant] / 8
    return round(total) + metadata(vocab)


def dims(layers, heads, kv_heads, head_dim, embedding, vocab, context, tied, value_dim=None):
    d = dict(layers=layers, heads=heads, kv_heads=kv_heads, head_dim=head_dim)
    if value_dim is not None:
        d["value_head_dim"] = value_dim
    d.update(embedding=embedding, vocab=vocab, context=context, tied_embeddings=tied)
    return d


def size(name, params, tag, default, quants, d, source, aliases=(), projector=0, vision=0):
    # vision: parameters of a vision tower stored in the same GGUF at F16 (Gemma 3).
    return dict(size=name, params=params, tag=tag, default_quant=default, aliases=list(aliases),
                quants=quants, dims=d, dims_source=source, projector=projector, vision=vision)


GEMMA3_VISION = 419980144
REF = "reference §3.6 + HF config.json"
HF = "HF config.json"

FAMILIES = [
    dict(name="llama3.1", architecture="llama", default_size="8b", sizes=[
        size("8b", 8030261312, "8b-instruct-{quant}", "Q4_K_M", LEGACY_15,
             dims(32, 32, 8, 128, 4096, 128256, 131072, False), REF),
        size("70b", 70553706496, "70b-instruct-{quant}", "Q4_K_M", LLAMA31_70B_INSTRUCT,
             dims(80, 64, 8, 128, 8192, 128256, 131072, False), REF),
        size("405b", 405853388800, "405b-instruct-{quant}", "Q4_K_M", LEGACY_15,
             dims(126, 128, 8, 128, 16384, 128256, 131072, False), HF),
    ]),
    dict(name="llama3.2", architecture="llama", default_size="3b", sizes=[
        size("1b", 1235814400, "1b-instruct-{quant}", "Q8_0", LEGACY_15,
             dims(16, 32, 8, 64, 2048, 128256, 131072, True), HF),
        size("3b", 3212749824, "3b-instruct-{quant}", "Q4_K_M", LEGACY_15,
             dims(28, 24, 8, 128, 3072, 128256, 131072, True), REF),
    ]),
    dict(name="llama3.3", architecture="llama", default_size="70b", sizes=[
        size("70b", 70553706496, "70b-instruct-{quant}", "Q4_K_M", LLAMA33_70B,
             dims(80, 64, 8, 128, 8192, 128256, 131072, False), REF),
    ]),
    dict(name="qwen2.5", architecture="qwen2", default_size="7b", sizes=[
        size("0.5b", 494032768, "0.5b-instruct-{quant}", "Q4_K_M", LEGACY_15,
             dims(24, 14, 2, 64, 896, 151936, 32768, True), HF),
        size("1.5b", 1543714304, "1.5b-instruct-{quant}", "Q4_K_M", LEGACY_15,
             dims(28, 12, 2, 128, 1536, 151936, 32768, True), HF),
        size("3b", 3085938688, "3b-instruct-{quant}", "Q4_K_M", LEGACY_15,
             dims(36, 16, 2, 128, 2048, 151936, 32768, True), HF),
        size("7b", 7615616512, "7b-instruct-{quant}", "Q4_K_M", LEGACY_15,
             dims(28, 28, 4, 128, 3584, 152064, 32768, False), REF),
        size("14b", 14770033664, "14b-instruct-{quant}", "Q4_K_M", LEGACY_15,
             dims(48, 40, 8, 128, 5120, 152064, 32768, False), HF),
        size("32b", 32763876352, "32b-instruct-{quant}", "Q4_K_M", LEGACY_15,
             dims(64, 40, 8, 128, 5120, 152064, 32768, False), HF),
        size("72b", 72706203648, "72b-instruct-{quant}", "Q4_K_M", LEGACY_15,
             dims(80, 64, 8, 128, 8192, 152064, 32768, False), HF),
    ]),
    dict(name="qwen2.5-coder", architecture="qwen2", default_size="7b", sizes=[
        size("1.5b", 1543714304, "1.5b-instruct-{quant}", "Q4_K_M", LEGACY_15,
             dims(28, 12, 2, 128, 1536, 151936, 32768, True), HF),
        size("3b", 3085938688, "3b-instruct-{quant}", "Q4_K_M", LEGACY_15,
             dims(36, 16, 2, 128, 2048, 151936, 32768, True), HF),
        size("7b", 7615616512, "7b-instruct-{quant}", "Q4_K_M", LEGACY_15,
             dims(28, 28, 4, 128, 3584, 152064, 32768, False), HF),
        size("14b", 14770033664, "14b-instruct-{quant}", "Q4_K_M", LEGACY_15,
             dims(48, 40, 8, 128, 5120, 152064, 32768, False), HF),
        size("32b", 32763876352, "32b-instruct-{quant}", "Q4_K_M", LEGACY_15,
             dims(64, 40, 8, 128, 5120, 152064, 32768, False), HF),
    ]),
    dict(name="qwen3", architecture="qwen3", default_size="8b", sizes=[
        size("0.6b", 751632384, "0.6b-{quant}", "Q4_K_M", NEW_3,
             dims(28, 16, 8, 128, 1024, 151936, 40960, True), HF),
        size("1.7b", 2031739904, "1.7b-{quant}", "Q4_K_M", NEW_3,
             dims(28, 16, 8, 128, 2048, 151936, 40960, True), HF),
        size("4b", 4022468096, "4b-{quant}", "Q4_K_M", NEW_3,
             dims(36, 32, 8, 128, 2560, 151936, 40960, True), HF),
        size("8b", 8190735360, "8b-{quant}", "Q4_K_M", NEW_3,
             dims(36, 32, 8, 128, 4096, 151936, 40960, False), HF),
        size("14b", 14768307200, "14b-{quant}", "Q4_K_M", NEW_3,
             dims(40, 40, 8, 128, 5120, 151936, 40960, False), HF),
        size("30b-a3b", 30532122624, "30b-a3b-{quant}", "Q4_K_M", NEW_3,
             dims(48, 32, 4, 128, 2048, 151936, 40960, False), HF, aliases=["30b"]),
        size("32b", 32762123264, "32b-{quant}", "Q4_K_M", NEW_3,
             dims(64, 64, 8, 128, 5120, 151936, 40960, False), HF),
    ]),
    # mistral:latest is 4.1 GB in `ollama list` (Ollama README table), i.e. Q4_0.
    dict(name="mistral", architecture="llama", default_size="7b", sizes=[
        size("7b", 7248023552, "7b-instruct-v0.3-{quant}", "Q4_0", LEGACY_15,
             dims(32, 32, 8, 128, 4096, 32768, 32768, False), HF),
    ]),
    # gemma2:9b is 5.4 GB, gemma2:2b 1.6 GB, gemma2:27b 16 GB in `ollama list`: Q4_0.
    dict(name="gemma2", architecture="gemma2", default_size="9b", sizes=[
        size("2b", 2614341888, "2b-instruct-{quant}", "Q4_0", LEGACY_15,
             dims(26, 8, 4, 256, 2304, 256000, 8192, True), HF),
        size("9b", 9241705984, "9b-instruct-{quant}", "Q4_0", LEGACY_15,
             dims(42, 16, 8, 256, 3584, 256000, 8192, True), HF),
        size("27b", 27227128320, "27b-instruct-{quant}", "Q4_0", LEGACY_15,
             dims(46, 32, 16, 128, 4608, 256000, 8192, True), HF),
    ]),
    # Gemma 3 (2025): the 4b/12b/27b GGUFs carry the SigLIP vision tower at F16
    # (419,980,144 params = HF total 4,300,079,472 − text-only 3,880,099,328);
    # params include it. With it the estimates match `ollama list` (3.3/8.1/17 GB).
    dict(name="gemma3", architecture="gemma3", default_size="4b", sizes=[
        size("1b", 999885952, "1b-it-{quant}", "Q4_K_M", NEW_3,
             dims(26, 4, 1, 256, 1152, 262144, 32768, True), HF),
        size("4b", 4300079472, "4b-it-{quant}", "Q4_K_M", NEW_3,
             dims(34, 8, 4, 256, 2560, 262208, 131072, True), HF, vision=GEMMA3_VISION),
        size("12b", 12187325040, "12b-it-{quant}", "Q4_K_M", NEW_3,
             dims(48, 16, 8, 256, 3840, 262208, 131072, True), HF, vision=GEMMA3_VISION),
        size("27b", 27432406640, "27b-it-{quant}", "Q4_K_M", NEW_3,
             dims(62, 32, 16, 128, 5376, 262208, 131072, True), HF, vision=GEMMA3_VISION),
    ]),
    # phi3:latest is 2.2 GB (mini, Q4_0); phi3:14b 7.9 GB (medium, Q4_0).
    dict(name="phi3", architecture="phi3", default_size="3.8b", sizes=[
        size("3.8b", 3821079552, "3.8b-mini-4k-instruct-{quant}", "Q4_0", LEGACY_15,
             dims(32, 32, 32, 96, 3072, 32064, 4096, False), HF, aliases=["mini"]),
        size("14b", 13960238080, "14b-medium-4k-instruct-{quant}", "Q4_0", LEGACY_15,
             dims(40, 40, 10, 128, 5120, 32064, 4096, False), HF, aliases=["medium"]),
    ]),
    dict(name="phi4", architecture="phi3", default_size="14b", sizes=[
        size("14b", 14659507200, "14b-{quant}", "Q4_K_M", NEW_3,
             dims(40, 40, 10, 128, 5120, 100352, 16384, False), HF),
    ]),
    # codestral:latest is 12 GB (Q4_0).
    dict(name="codestral", architecture="llama", default_size="22b", sizes=[
        size("22b", 22247282688, "22b-v0.1-{quant}", "Q4_0", LEGACY_15,
             dims(56, 48, 8, 128, 6144, 32768, 32768, False), HF),
    ]),
    # deepseek-coder-v2:latest is 8.9 GB (16b lite, Q4_0). MLA: keys 192, values 128 wide.
    dict(name="deepseek-coder-v2", architecture="deepseek2", default_size="16b", sizes=[
        size("16b", 15706484224, "16b-lite-instruct-{quant}", "Q4_0", LEGACY_15,
             dims(27, 16, 16, 192, 2048, 102400, 163840, False, value_dim=128), HF,
             aliases=["lite"]),
        size("236b", 235741434880, "236b-instruct-{quant}", "Q4_0", LEGACY_15,
             dims(60, 128, 128, 192, 5120, 102400, 163840, False, value_dim=128), HF),
    ]),
    # llava:latest is 4.7 GB = Mistral-7B-based LLM (Q4_0, 4.1 GB) + the f16 CLIP projector.
    dict(name="llava", architecture="llama", default_size="7b", sizes=[
        size("7b", 7241732096, "7b-v1.6-mistral-{quant}", "Q4_0", LEGACY_15,
             dims(32, 32, 8, 128, 4096, 32000, 32768, False), HF, projector=624434344),
    ]),
]


def quant_bytes(key, params, d, quant, vision=0):
    exact = EXACT.get((key, quant))
    if exact is not None:
        return exact, True
    computed = COMPUTED.get(key, {}).get(quant)
    if computed is not None:
        return computed, False
    text = estimated_bytes(params - vision, d["vocab"], d["embedding"], d["tied_embeddings"], quant)
    return text + vision * 2, False


def emit():
    out = []
    w = out.append
    w("# The Ollama library models provision knows, generated by scripts/gen-catalog.py")
    w("# (do not edit by hand: change the script and run")
    w("#   python3 scripts/gen-catalog.py > catalog/library.yaml).")
    w("# Published quants as of the date below (third-party list generated from ollama.com).")
    w("# Sizes: `exact: true` = registry blob bytes; otherwise computed from tensor shapes")
    w("# or estimated from Llama 3.1 8B's bits per weight and the model's shapes.")
    w("# dims_source says where each model's architecture dimensions come from.")
    w(f"as_of: {AS_OF}")
    w("families:")
    for fam in FAMILIES:
        w(f"  - name: {fam['name']}")
        w(f"    architecture: {fam['architecture']}")
        w(f"    default_size: \"{fam['default_size']}\"")
        w("    sizes:")
        for s in fam["sizes"]:
            key = f"{fam['name']}:{s['size']}"
            d = s["dims"]
            w(f"      - size: \"{s['size']}\"")
            w(f"        params: {s['params']}")
            w(f"        tag: \"{s['tag']}\"")
            if s["aliases"]:
                w(f"        aliases: [{', '.join(repr(a).replace(chr(39), chr(34)) for a in s['aliases'])}]")
            w(f"        default_quant: {s['default_quant']}")
            if s["projector"]:
                w(f"        projector_bytes: {s['projector']}")
            w(f"        # dims from {s['dims_source']}")
            w("        dims: {" + ", ".join(f"{k}: {str(v).lower()}" for k, v in d.items()) + "}")
            w("        quants:")
            for q in s["quants"]:
                b, exact = quant_bytes(key, s["params"], d, q, s["vision"])
                w(f"          - {{quant: {q}, bytes: {b}, exact: {str(exact).lower()}}}")
    return "\n".join(out) + "\n"


if __name__ == "__main__":
    import sys
    sys.stdout.write(emit())
