"""The families, sizes, tags and architectures of the catalog, each with its sources.

Architecture numbers are GGUF header values (block_count, embedding_length,
attention.head_count[_kv], key_length, feed_forward_length, vocabulary, context_length);
`dims` names where they were read. Published quants and tag schemes are from the
ollama.com tag list of 2025-08-09 ("tags-2508") unless a size says otherwise.
"""

from .shapes import Arch

LEGACY_15 = ["F16", "Q8_0", "Q6_K", "Q5_K_M", "Q5_K_S", "Q5_1", "Q5_0", "Q4_K_M", "Q4_K_S",
             "Q4_1", "Q4_0", "Q3_K_L", "Q3_K_M", "Q3_K_S", "Q2_K"]
NEW_3 = ["F16", "Q8_0", "Q4_K_M"]
NO_Q4_1 = [q for q in LEGACY_15 if q != "Q4_1"]
NO_F16 = [q for q in LEGACY_15 if q != "F16"]
LLAMA33_70B = ["F16", "Q8_0", "Q6_K", "Q5_K_M", "Q5_1", "Q5_0", "Q4_K_M", "Q4_K_S", "Q4_0",
               "Q3_K_M", "Q3_K_S", "Q2_K"]

# Gemma 3 4b/12b/27b GGUFs carry the SigLIP vision tower at F16: 419,980,144 params
# (HF total 4,300,079,472 − text-only 3,880,099,328; previous catalog, "hf-config").
GEMMA3_VISION = 419980144


def size(name, tag, default, quants, arch, dims, params=None, aliases=(), projector=0,
         extra_tags=None, note=None):
    return dict(size=name, tag=tag, default=default, quants=quants, arch=arch, dims=dims,
                params=params, aliases=list(aliases), projector=projector,
                extra_tags=extra_tags or {}, note=note)


def llama3(layers, embd, heads, ffn, vocab=128256, ctx=131072, tied=False, head_dim=128):
    return Arch("llama", layers, embd, heads, 8, head_dim, ffn, vocab, ctx, tied, "llama3",
                rope_freqs=True)


def qwen2(layers, embd, heads, kv, ffn, vocab, ctx=32768, tied=False, head_dim=128):
    return Arch("qwen2", layers, embd, heads, kv, head_dim, ffn, vocab, ctx, tied, "qwen2",
                qkv_bias=True)


def qwen3(layers, embd, heads, ffn, ctx=40960, tied=False, embd_type="Q6_K"):
    # Ollama's qwen3 dense blobs are ~6 % larger than llama.cpp's rules give with a
    # Q4_K token_embd; a Q6_K token_embd matches the sizes ollama.com shows (qwen3:1.7b
    # 1.4 GB, issue 11). Inferred, not read from a header.
    return Arch("qwen3", layers, embd, heads, 8, 128, ffn, 151936, ctx, tied, "qwen2",
                qk_norm=True, embd_type=embd_type)


def qwen3moe(layers, embd, heads, kv, experts, expert_ffn, ctx):
    return Arch("qwen3moe", layers, embd, heads, kv, 128, 0, 151936, ctx, False, "qwen2",
                qk_norm=True, experts=experts, experts_used=8, expert_ffn=expert_ffn)


def gemma3(layers, embd, heads, kv, head_dim, ffn, vocab, ctx, window, vision):
    globals_ = layers // 6  # every 6th layer is global (sliding_window_pattern 6)
    return Arch("gemma3", layers, embd, heads, kv, head_dim, ffn, vocab, ctx, True, "gemma",
                qk_norm=True, post_norms=True, swa_window=window,
                swa_layers=layers - globals_, vision_params=vision, quantizer="ollama")


def gemma2(layers, embd, heads, kv, head_dim, ffn):
    return Arch("gemma2", layers, embd, heads, kv, head_dim, ffn, 256000, 8192, True, "gemma",
                post_norms=True, swa_window=4096, swa_layers=layers // 2)


def llama2(layers, embd, heads, kv, ffn, vocab, ctx, tokenizer="sp"):
    return Arch("llama", layers, embd, heads, kv, 128, ffn, vocab, ctx, False, tokenizer)


def mistral24(ctx, arch="llama", vision=0):
    # Mistral Small 3.x text model (Devstral, Magistral share it).
    return Arch(arch, 40, 5120, 32, 8, 128, 32768, 131072, ctx, False, "bpe",
                vision_params=vision)


def gptoss(layers, experts):
    return Arch("gptoss", layers, 2880, 64, 8, 64, 0, 201088, 131072, False, "bpe",
                attn_bias=True, sinks=True, experts=experts, experts_used=4,
                expert_ffn=2880, swa_window=128, swa_layers=layers // 2)


def mixtral(layers, embd, heads, ffn, vocab, ctx):
    return Arch("llama", layers, embd, heads, 8, 128, 0, vocab, ctx, False, "sp",
                experts=8, experts_used=2, expert_ffn=ffn)


def deepseek2_lite():
    return Arch("deepseek2", 27, 2048, 16, 16, 192, 10944, 102400, 163840, False, "bpe",
                value_dim=128, experts=64, experts_used=6, expert_ffn=1408,
                shared_ffn=2 * 1408, dense_layers=1,
                mla=dict(kv_lora=512, nope=128, rope=64, v=128))


def deepseek2_236b():
    return Arch("deepseek2", 60, 5120, 128, 128, 192, 12288, 102400, 163840, False, "bpe",
                value_dim=128, experts=160, experts_used=6, expert_ffn=1536,
                shared_ffn=2 * 1536, dense_layers=1,
                mla=dict(q_lora=1536, kv_lora=512, nope=128, rope=64, v=128))


REF, HF = "ref", "hf-config"

# Mistral Small 3.1/3.2 carry a Pixtral vision encoder in the blob (Ollama's mistral3
# converter): 24 layers × (4·1024² attention + 3·1024·4096 MLP) + patch merger and
# 1024→5120→5120 projector ≈ 439 M params at F16. Estimated from the encoder's shape.
PIXTRAL_VISION = 439_000_000

FAMILIES = [
    dict(name="llama3.1", default_size="8b", sizes=[
        size("8b", "8b-instruct-{quant}", "Q4_K_M", LEGACY_15, llama3(32, 4096, 32, 14336),
             REF, params=8030261312),
        size("70b", "70b-instruct-{quant}", "Q4_K_M", NO_Q4_1, llama3(80, 8192, 64, 28672),
             REF, params=70553706496),
        size("405b", "405b-instruct-{quant}", "Q4_K_M", LEGACY_15,
             llama3(126, 16384, 128, 53248), HF, params=405853388800),
    ]),
    dict(name="llama3.2", default_size="3b", sizes=[
        size("1b", "1b-instruct-{quant}", "Q8_0", LEGACY_15,
             llama3(16, 2048, 32, 8192, tied=True, head_dim=64), HF, params=1235814400),
        size("3b", "3b-instruct-{quant}", "Q4_K_M", LEGACY_15,
             llama3(28, 3072, 24, 8192, tied=True), REF, params=3212749824),
    ]),
    dict(name="llama3.3", default_size="70b", sizes=[
        size("70b", "70b-instruct-{quant}", "Q4_K_M", LLAMA33_70B,
             llama3(80, 8192, 64, 28672), REF, params=70553706496),
    ]),
    dict(name="qwen2.5", default_size="7b", sizes=[
        size("0.5b", "0.5b-instruct-{quant}", "Q4_K_M", LEGACY_15,
             qwen2(24, 896, 14, 2, 4864, 151936, tied=True, head_dim=64), "ollama-testdata",
             params=494032768),
        size("1.5b", "1.5b-instruct-{quant}", "Q4_K_M", LEGACY_15,
             qwen2(28, 1536, 12, 2, 8960, 151936, tied=True), HF, params=1543714304),
        size("3b", "3b-instruct-{quant}", "Q4_K_M", LEGACY_15,
             qwen2(36, 2048, 16, 2, 11008, 151936, tied=True), HF, params=3085938688),
        size("7b", "7b-instruct-{quant}", "Q4_K_M", LEGACY_15,
             qwen2(28, 3584, 28, 4, 18944, 152064), REF, params=7615616512),
        size("14b", "14b-instruct-{quant}", "Q4_K_M", LEGACY_15,
             qwen2(48, 5120, 40, 8, 13824, 152064), HF, params=14770033664),
        size("32b", "32b-instruct-{quant}", "Q4_K_M", LEGACY_15,
             qwen2(64, 5120, 40, 8, 27648, 152064), HF, params=32763876352),
        size("72b", "72b-instruct-{quant}", "Q4_K_M", LEGACY_15,
             qwen2(80, 8192, 64, 8, 29568, 152064), "gguf-parser", params=72706203648),
    ]),
    dict(name="qwen2.5-coder", default_size="7b", sizes=[
        size("1.5b", "1.5b-instruct-{quant}", "Q4_K_M", LEGACY_15,
             qwen2(28, 1536, 12, 2, 8960, 151936, tied=True), HF, params=1543714304),
        size("3b", "3b-instruct-{quant}", "Q4_K_M", LEGACY_15,
             qwen2(36, 2048, 16, 2, 11008, 151936, tied=True), HF, params=3085938688),
        size("7b", "7b-instruct-{quant}", "Q4_K_M", LEGACY_15,
             qwen2(28, 3584, 28, 4, 18944, 152064), HF, params=7615616512),
        size("14b", "14b-instruct-{quant}", "Q4_K_M", LEGACY_15,
             qwen2(48, 5120, 40, 8, 13824, 152064), HF, params=14770033664),
        size("32b", "32b-instruct-{quant}", "Q4_K_M", LEGACY_15,
             qwen2(64, 5120, 40, 8, 27648, 152064), HF, params=32763876352),
    ]),
]

QAT = {"Q4_0": "{size}-it-qat"}

FAMILIES += [
    # Qwen3 4b/30b: the bare size tags point to the 2507 builds (256K context) since
    # 2025-08 (issue 11; tags-2508 lists the -2507 tags). The April 2025 builds keep
    # their full tags, under the sizes "4b-2504" / "30b-a3b".
    dict(name="qwen3", default_size="8b", sizes=[
        size("0.6b", "0.6b-{quant}", "Q4_K_M", NEW_3, qwen3(28, 1024, 16, 3072), HF,
             params=751632384),
        size("1.7b", "1.7b-{quant}", "Q4_K_M", NEW_3, qwen3(28, 2048, 16, 6144), HF,
             params=2031739904),
        size("4b", "4b-instruct-2507-{quant}", "Q4_K_M", NEW_3,
             qwen3(36, 2560, 32, 9728, ctx=262144, tied=True), HF, params=4022468096,
             aliases=["4b-instruct"]),
        size("4b-thinking", "4b-thinking-2507-{quant}", "Q4_K_M", NEW_3,
             qwen3(36, 2560, 32, 9728, ctx=262144, tied=True), HF, params=4022468096),
        size("4b-2504", "4b-{quant}", "Q4_K_M", NEW_3,
             qwen3(36, 2560, 32, 9728, tied=True), HF, params=4022468096),
        size("8b", "8b-{quant}", "Q4_K_M", NEW_3, qwen3(36, 4096, 32, 12288), HF,
             params=8190735360),
        size("14b", "14b-{quant}", "Q4_K_M", NEW_3, qwen3(40, 5120, 40, 17408), HF,
             params=14768307200),
        size("30b", "30b-a3b-instruct-2507-{quant}", "Q4_K_M", NEW_3,
             qwen3moe(48, 2048, 32, 4, 128, 768, 262144), HF, params=30532122624),
        size("30b-thinking", "30b-a3b-thinking-2507-{quant}", "Q4_K_M", NEW_3,
             qwen3moe(48, 2048, 32, 4, 128, 768, 262144), HF, params=30532122624),
        size("30b-a3b", "30b-a3b-{quant}", "Q4_K_M", NEW_3,
             qwen3moe(48, 2048, 32, 4, 128, 768, 40960), HF, params=30532122624),
        size("32b", "32b-{quant}", "Q4_K_M", NEW_3, qwen3(64, 5120, 64, 25600), HF,
             params=32762123264),
    ]),
    # mistral:latest is 7b-instruct-v0.3-q4_K_M (issue 11: not q4_0).
    dict(name="mistral", default_size="7b", sizes=[
        size("7b", "7b-instruct-v0.3-{quant}", "Q4_K_M", LEGACY_15,
             llama2(32, 4096, 32, 8, 14336, 32768, 32768), "ollama-testdata",
             params=7248023552),
    ]),
    dict(name="gemma2", default_size="9b", sizes=[
        size("2b", "2b-instruct-{quant}", "Q4_0", LEGACY_15, gemma2(26, 2304, 8, 4, 256, 9216),
             "ollama-testdata", params=2614341888),
        size("9b", "9b-instruct-{quant}", "Q4_0", LEGACY_15,
             gemma2(42, 3584, 16, 8, 256, 14336), "ollama-testdata", params=9241705984),
        size("27b", "27b-instruct-{quant}", "Q4_0", LEGACY_15,
             gemma2(46, 4608, 32, 16, 128, 36864), HF, params=27227128320),
    ]),
    # gemma3 -it-qat tags: Google's QAT Q4_0 weights, embedding table at F16 ("qat-embd").
    dict(name="gemma3", default_size="4b", sizes=[
        size("1b", "1b-it-{quant}", "Q4_K_M", NEW_3 + ["QAT"],
             gemma3(26, 1152, 4, 1, 256, 6912, 262144, 32768, 512, 0), HF,
             params=999885952, extra_tags=QAT),
        size("4b", "4b-it-{quant}", "Q4_K_M", NEW_3 + ["QAT"],
             gemma3(34, 2560, 8, 4, 256, 10240, 262208, 131072, 1024, GEMMA3_VISION), HF,
             params=4300079472, extra_tags=QAT),
        size("12b", "12b-it-{quant}", "Q4_K_M", NEW_3 + ["QAT"],
             gemma3(48, 3840, 16, 8, 256, 15360, 262208, 131072, 1024, GEMMA3_VISION), HF,
             params=12187325040, extra_tags=QAT),
        size("27b", "27b-it-{quant}", "Q4_K_M", NEW_3 + ["QAT"],
             gemma3(62, 5376, 32, 16, 128, 21504, 262208, 131072, 1024, GEMMA3_VISION), HF,
             params=27432406640, extra_tags=QAT),
    ]),
    dict(name="phi3", default_size="3.8b", sizes=[
        size("3.8b", "3.8b-mini-4k-instruct-{quant}", "Q4_0", LEGACY_15,
             Arch("phi3", 32, 3072, 32, 32, 96, 8192, 32064, 4096, False, "sp",
                  fused_qkv=True, fused_gate_up=True), HF, params=3821079552,
             aliases=["mini"]),
        size("14b", "14b-medium-4k-instruct-{quant}", "Q4_0", LEGACY_15,
             Arch("phi3", 40, 5120, 40, 10, 128, 17920, 32064, 4096, False, "sp",
                  fused_qkv=True, fused_gate_up=True), HF, params=13960238080,
             aliases=["medium"]),
    ]),
    dict(name="phi4", default_size="14b", sizes=[
        size("14b", "14b-{quant}", "Q4_K_M", NEW_3,
             Arch("phi3", 40, 5120, 40, 10, 128, 17920, 100352, 16384, False, "bpe",
                  fused_qkv=True, fused_gate_up=True), HF, params=14659507200),
    ]),
    # codestral publishes no fp16 tag (tags-2508; issue 11).
    dict(name="codestral", default_size="22b", sizes=[
        size("22b", "22b-v0.1-{quant}", "Q4_0", NO_F16,
             llama2(56, 6144, 48, 8, 16384, 32768, 32768), HF, params=22247282688),
    ]),
    dict(name="deepseek-coder-v2", default_size="16b", sizes=[
        size("16b", "16b-lite-instruct-{quant}", "Q4_0", LEGACY_15, deepseek2_lite(), HF,
             params=15706484224, aliases=["lite"]),
        size("236b", "236b-instruct-{quant}", "Q4_0", LEGACY_15, deepseek2_236b(), HF,
             params=235741434880),
    ]),
    # llava:latest = Mistral-7B-based LLM + an f16 CLIP projector blob of 624,434,344 B.
    dict(name="llava", default_size="7b", sizes=[
        size("7b", "7b-v1.6-mistral-{quant}", "Q4_0", LEGACY_15,
             llama2(32, 4096, 32, 8, 14336, 32000, 32768), HF, params=7241732096,
             projector=624434344),
    ]),
]
