#!/usr/bin/env python3
"""Generate catalog/library.yaml, the offline model catalog `provision` embeds.

    python3 scripts/gen-catalog.py > catalog/library.yaml

Runs offline from the data in scripts/catalog_gen/ and reproduces the file byte for
byte (tests/catalog_gen.rs checks this). Every number names its source:
scripts/catalog_gen/sources.py lists them with the date each was read, and the YAML
carries the source id of every size.

Sizes: `exact: true` only where a public source states the registry blob's bytes.
Every other size is estimated per tensor: the model's tensor list from its
architecture (scripts/catalog_gen/shapes.py), each tensor at the type llama.cpp's
quantizer gives it (scripts/catalog_gen/ggml.py: output/tied embeddings Q6_K, attn_v and
ffn_down mixes, fallbacks for rows that are not whole k-quant blocks), plus the GGUF
metadata measured on real blobs of the same tokenizer. Never a flat bits per weight.
Before printing, the estimates are checked against every public size the generator
holds (CHECKS); a miss fails the run.
"""

import sys

from catalog_gen import shapes
from catalog_gen.families import FAMILIES as CLASSIC
from catalog_gen.families_2025 import NEW_FAMILIES
from catalog_gen.sources import SOURCES

FAMILIES = CLASSIC + NEW_FAMILIES

# Registry-exact model blob bytes (reference §2.3 ✔ rows; sushila HOSTED list).
EXACT = {
    ("llama3.1:8b", "Q4_K_M"): 4920738944,
    ("llama3.1:8b", "Q8_0"): 8540775552,
    ("llama3.2:3b", "Q4_K_M"): 2019377376,
    ("llama3.2:1b", "Q8_0"): 1321082688,
    ("qwen2.5:7b", "Q4_K_M"): 4683073952,
    ("llama3.3:70b", "Q4_K_M"): 42520398528,
    ("qwen3:30b-a3b", "Q4_K_M"): 18556685856,
}

# Reference §2.3: per-tensor sizes the reference computed (llama.cpp mix rules and
# measured metadata) for every published quant of four models; the same method as
# `estimate`, kept as the reference states them.
LEGACY_15 = ["F16", "Q8_0", "Q6_K", "Q5_K_M", "Q5_K_S", "Q5_1", "Q5_0", "Q4_K_M", "Q4_K_S",
             "Q4_1", "Q4_0", "Q3_K_L", "Q3_K_M", "Q3_K_S", "Q2_K"]
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
    "llama3.1:70b": dict(zip(LEGACY_15, [141117891712, 74975028352, 57888121984,
        49949795456, 48657425536, 53001282688, 48657425536, 42520372352, 40347198592, None,
        39969711232, 37140571264, 34267473024, 30912029824, 26375087232])),
}
COMPUTED["llama3.3:70b"] = COMPUTED["llama3.1:70b"]

# GGUF key/value bytes (tokenizer and the rest) by tokenizer, measured as blob − tensor
# data − tensor infos on the exact blobs above: llama3 7,822,534–7,823,657 (4 blobs),
# qwen2 5,933,064–5,934,648 (2 blobs), gemma 6,032,827 (gemma:2b, 256,128 tokens).
# Tokenizers without a measured blob scale by vocabulary: SentencePiece with scores at
# gemma's 23.55 B/token, BPE with merges at qwen2's 39.05 B/token (an estimate).
KV_BYTES = {"llama3": 7823000, "qwen2": 5934000, "gemma": 6032827}
PER_TOKEN = {"sp": 23.55, "gemma": 23.55, "bpe": 39.05}
TOKENS = {"llama3": 128256, "qwen2": 151936, "gemma": 256128}

# Public sizes the estimates must reproduce: (model, quant, bytes, tolerance, source).
CHECKS = [
    # /api/tags totals include the template/license/params/config layers (~2 KB).
    ("deepseek-r1:7b", "Q4_K_M", 4683075271, 0.001, "apitags-r1"),
    ("deepseek-r1:14b", "Q4_K_M", 8988112040, 0.001, "apitags-r1"),
    # bartowski's Qwen2.5-72B-Instruct-Q4_K_M.gguf (same llama.cpp rules): 44.15 GiB.
    ("qwen2.5:72b", "Q4_K_M", round(44.15 * 2**30), 0.0005, "gguf-parser"),
]


def kv_bytes(arch):
    if arch.tokenizer in KV_BYTES and arch.vocab <= TOKENS[arch.tokenizer] + 256:
        return KV_BYTES[arch.tokenizer]
    return round(arch.vocab * PER_TOKEN.get(arch.tokenizer, 39.05))


def estimate(arch, quant):
    return shapes.file_bytes(arch, quant, kv_bytes(arch))


def params_of(arch):
    total = sum(_elements(s) for n, s, _ in shapes.tensors(arch) if n != "rope_freqs.weight")
    return total + arch.vision_params


def active_params(arch):
    """Parameters one token reads: all but the unused routed experts and, when the
    output matrix is separate, the embedding table (a one-row lookup)."""
    if arch.experts <= 1:
        return None
    unused = 0 if arch.tied else arch.vocab * arch.embd
    for name, shape, _ in shapes.tensors(arch):
        if "_exps.weight" in name:
            unused += _elements(shape) // arch.experts * (arch.experts - arch.experts_used)
    return params_of(arch) - unused


def _elements(shape):
    n = 1
    for d in shape:
        n *= d
    return n


def quant_rows(family, s):
    key = f"{family}:{s['size']}"
    rows = []
    for q in s["quants"]:
        quant, tag = ("Q4_0", s["extra_tags"]["Q4_0"].format(size=s["size"])) \
            if q == "QAT" else (q, None)
        exact = EXACT.get((key, quant)) if q != "QAT" else None
        computed = COMPUTED.get(key, {}).get(quant)
        if exact is not None:
            rows.append(dict(quant=quant, bytes=exact, exact=True, source="sushila", tag=tag))
        elif computed is not None:
            rows.append(dict(quant=quant, bytes=computed, exact=False, source="ref",
                             tag=tag))
        else:
            rows.append(dict(quant=quant, bytes=estimate(s["arch"], q), exact=False,
                             source="estimate", tag=tag))
    return rows


def check(families):
    errors = []
    index = {f"{f['name']}:{s['size']}": (s, quant_rows(f["name"], s))
             for f in families for s in f["sizes"]}
    for name, quant, expected, tolerance, source in CHECKS:
        rows = index[name][1]
        got = next(r["bytes"] for r in rows if r["quant"] == quant)
        if abs(got / expected - 1) > tolerance:
            errors.append(f"{name} {quant}: estimate {got} vs {expected} ({source})")
    for name, (s, rows) in index.items():
        qs = [r["quant"] for r in rows]
        if s["default"] not in qs:
            errors.append(f"{name}: default {s['default']} not published")
    return errors


def dims_line(s):
    a = s["arch"]
    d = dict(layers=a.layers, heads=a.heads, kv_heads=a.kv_heads, head_dim=a.head_dim)
    if a.value_dim:
        d["value_head_dim"] = a.value_dim
    d.update(embedding=a.embd, vocab=a.vocab, context=a.context, tied_embeddings=a.tied)
    if a.swa_window:
        d.update(sliding_window=a.swa_window, sliding_window_layers=a.swa_layers)
    if a.experts > 1:
        d.update(experts=a.experts, experts_used=a.experts_used,
                 active_params=active_params(a))
    if a.vision_params:
        d["vision_bytes"] = a.vision_params * 2
    return "{" + ", ".join(f"{k}: {str(v).lower()}" for k, v in d.items()) + "}"


def emit():
    out = []
    w = out.append
    w("# The Ollama library models provision knows offline, generated by")
    w("# scripts/gen-catalog.py (do not edit by hand: change the script and run")
    w("#   python3 scripts/gen-catalog.py > catalog/library.yaml).")
    w("# `as_of` is the date of the newest source used; `sources` says what each source id")
    w("# is and when it was read. Sizes: `exact: true` = registry blob bytes; otherwise a")
    w("# per-tensor estimate (source: estimate). Live registry or installed facts win.")
    w(f"as_of: {as_of()}")
    w("sources:")
    for key, (what, seen) in sorted(SOURCES.items()):
        w(f"  {key}: {yaml_str(f'{what} (read {seen})')}")
    w("families:")
    for fam in FAMILIES:
        w(f"  - name: {fam['name']}")
        w(f"    architecture: {FAMILY_ARCH[fam['name']]}")
        w(f"    default_size: \"{fam['default_size']}\"")
        w("    sizes:")
        for s in fam["sizes"]:
            emit_size(w, fam["name"], s)
    return "\n".join(out) + "\n"


def emit_size(w, family, s):
    w(f"      - size: \"{s['size']}\"")
    w(f"        params: {s['params'] or params_of(s['arch'])}")
    w(f"        tag: \"{s['tag']}\"")
    if s["aliases"]:
        w("        aliases: [" + ", ".join(f'"{a}"' for a in s["aliases"]) + "]")
    w(f"        default_quant: {s['default']}")
    if s["projector"]:
        w(f"        projector_bytes: {s['projector']}")
    if s["arch"].arch != FAMILY_ARCH[family]:
        w(f"        architecture: {s['arch'].arch}")
    w(f"        dims_source: {s['dims']}")
    w("        dims: " + dims_line(s))
    w("        quants:")
    for r in quant_rows(family, s):
        tag = f", tag: \"{r['tag']}\"" if r["tag"] else ""
        w(f"          - {{quant: {r['quant']}, bytes: {r['bytes']}, "
          f"exact: {str(r['exact']).lower()}, source: {r['source']}{tag}}}")


def family_arch(fam):
    """The family's architecture: its default size's (a size that differs says so)."""
    return next(s["arch"].arch for s in fam["sizes"] if s["size"] == fam["default_size"])


FAMILY_ARCH = {f["name"]: family_arch(f) for f in FAMILIES}


def as_of():
    return max(seen for _, seen in SOURCES.values())


def yaml_str(text):
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def main():
    errors = check(FAMILIES)
    if errors:
        sys.stderr.write("catalog checks failed:\n  " + "\n  ".join(errors) + "\n")
        return 1
    sys.stdout.write(emit())
    return 0


if __name__ == "__main__":
    sys.exit(main())
