"""Families added in 2026 (issue 11): DeepSeek-R1, QwQ, Nemotron, Qwen3-Coder, gpt-oss,
Mistral NeMo / Small 3.x, Devstral, Magistral, Mixtral, Code Llama. Same conventions as
families.py.
"""

from .families import (LEGACY_15, NEW_3, PIXTRAL_VISION, REF, gptoss, llama2, llama3,
                       mistral24, mixtral, qwen2, qwen3, qwen3moe, size)
from .shapes import Arch

HF = "hf-config-unread"

R1_QUANTS = NEW_3

NEW_FAMILIES = [
    # DeepSeek-R1 distills: Qwen2.5 / Llama 3 shapes with the R1 context (131072, as the
    # parsed DeepSeek-R1-Distill-Qwen-7B header shows, "gguf-parser"). deepseek-r1:8b and
    # :latest are the 2025-05-28 Qwen3-8B distill (tags-2508: 8b-0528-qwen3-*).
    dict(name="deepseek-r1", default_size="8b", sizes=[
        size("1.5b", "1.5b-qwen-distill-{quant}", "Q4_K_M", R1_QUANTS,
             qwen2(28, 1536, 12, 2, 8960, 151936, ctx=131072), HF),
        size("7b", "7b-qwen-distill-{quant}", "Q4_K_M", R1_QUANTS,
             qwen2(28, 3584, 28, 4, 18944, 152064, ctx=131072), "gguf-parser"),
        size("8b", "8b-0528-qwen3-{quant}", "Q4_K_M", R1_QUANTS,
             qwen3(36, 4096, 32, 12288, ctx=131072), HF),
        size("8b-llama-distill", "8b-llama-distill-{quant}", "Q4_K_M", R1_QUANTS,
             llama3(32, 4096, 32, 14336), REF),
        size("14b", "14b-qwen-distill-{quant}", "Q4_K_M", R1_QUANTS,
             qwen2(48, 5120, 40, 8, 13824, 152064, ctx=131072), HF),
        size("32b", "32b-qwen-distill-{quant}", "Q4_K_M", R1_QUANTS,
             qwen2(64, 5120, 40, 8, 27648, 152064, ctx=131072), HF),
        size("70b", "70b-llama-distill-{quant}", "Q4_K_M", R1_QUANTS,
             llama3(80, 8192, 64, 28672), REF),
    ]),
    dict(name="qwq", default_size="32b", sizes=[
        size("32b", "32b-{quant}", "Q4_K_M", NEW_3,
             qwen2(64, 5120, 40, 8, 27648, 152064, ctx=40960), HF),
    ]),
    # Llama-3.1-Nemotron-70B-Instruct: Llama 3.1 70B's shapes.
    dict(name="nemotron", default_size="70b", sizes=[
        size("70b", "70b-instruct-{quant}", "Q4_K_M", LEGACY_15,
             llama3(80, 8192, 64, 28672), REF),
    ]),
    dict(name="qwen3-coder", default_size="30b", sizes=[
        size("30b", "30b-a3b-{quant}", "Q4_K_M", NEW_3,
             qwen3moe(48, 2048, 32, 4, 128, 768, 262144), HF),
        size("480b", "480b-a35b-{quant}", "F16", ["F16"],
             qwen3moe(62, 6144, 96, 8, 160, 2560, 262144), HF),
    ]),
    # gpt-oss publishes one MXFP4 tag per size: MoE experts MXFP4, the rest F16
    # ("ollama-convert").
    dict(name="gpt-oss", default_size="20b", sizes=[
        size("20b", "20b", "MXFP4", ["MXFP4"], gptoss(24, 32), "nvidia-gptoss"),
        size("120b", "120b", "MXFP4", ["MXFP4"], gptoss(36, 128), "nvidia-gptoss"),
    ]),
    dict(name="mistral-nemo", default_size="12b", sizes=[
        size("12b", "12b-instruct-2407-{quant}", "Q4_0", LEGACY_15,
             Arch("llama", 40, 5120, 32, 8, 128, 14336, 131072, 1024000, False, "bpe"),
             "nemo-config"),
    ]),
    dict(name="mixtral", default_size="8x7b", sizes=[
        size("8x7b", "8x7b-instruct-v0.1-{quant}", "Q4_0", LEGACY_15,
             mixtral(32, 4096, 32, 14336, 32000, 32768), "ollama-testdata"),
        size("8x22b", "8x22b-instruct-v0.1-{quant}", "Q4_0", LEGACY_15,
             mixtral(56, 6144, 48, 16384, 32768, 65536), HF),
    ]),
    dict(name="codellama", default_size="7b", sizes=[
        size("7b", "7b-instruct-{quant}", "Q4_0", LEGACY_15,
             llama2(32, 4096, 32, 32, 11008, 32016, 16384), HF),
        size("13b", "13b-instruct-{quant}", "Q4_0", LEGACY_15,
             llama2(40, 5120, 40, 40, 13824, 32016, 16384), HF),
        size("34b", "34b-instruct-{quant}", "Q4_0", LEGACY_15,
             llama2(48, 8192, 64, 8, 22016, 32000, 16384), HF),
        size("70b", "70b-instruct-{quant}", "Q4_0", LEGACY_15,
             llama2(80, 8192, 64, 8, 28672, 32016, 4096), HF),
    ]),
    dict(name="mistral-small3.1", default_size="24b", sizes=[
        size("24b", "24b-instruct-2503-{quant}", "Q4_K_M", NEW_3,
             mistral24(131072, "mistral3", PIXTRAL_VISION), HF),
    ]),
    dict(name="mistral-small3.2", default_size="24b", sizes=[
        size("24b", "24b-instruct-2506-{quant}", "Q4_K_M", NEW_3,
             mistral24(131072, "mistral3", PIXTRAL_VISION), HF),
    ]),
    dict(name="devstral", default_size="24b", sizes=[
        size("24b", "24b-small-2505-{quant}", "Q4_K_M", NEW_3, mistral24(131072), HF),
    ]),
    dict(name="magistral", default_size="24b", sizes=[
        size("24b", "24b-small-2506-{quant}", "Q4_K_M", NEW_3, mistral24(40960), HF),
    ]),
]
