#!/usr/bin/env python3
"""Writes a tiny but real GGUF model: llama architecture, F16 weights, a few layers.

The file is small enough that the real Ollama creates, quantizes (to every K-quant:
the matrices' rows are multiples of 256, QK_K) and loads it in well under a second,
yet every tensor llama.cpp's llama loader asks for is there with real (random,
finite) data, and the tokenizer is a complete SentencePiece-style vocabulary (the
256 byte tokens included, so llama.cpp finds the newline token).

Format: GGUF v3 as ggml's `gguf.c` reads it (llama.cpp `ggml/src/gguf.cpp`,
`gguf-py/gguf/constants.py` for the key names and value types). Standard library only.

    python3 gguf.py OUT.gguf [--name NAME] [--layers N] [--seed S]
"""

import argparse
import random
import struct
import sys

ALIGNMENT = 32
# GGUF value types (gguf-py/gguf/constants.py GGUFValueType).
UINT32, INT32, FLOAT32, STRING, ARRAY = 4, 5, 6, 8, 9
# ggml tensor types.
F32, F16 = 0, 1
# llama.cpp token types (llama.h llama_token_type).
NORMAL, UNKNOWN, CONTROL, BYTE = 1, 2, 3, 6

EMBED = 256  # a multiple of 256 so K-quants apply to every matrix
FEED_FORWARD = 512
HEADS, KV_HEADS = 4, 2
HEAD_DIM = EMBED // HEADS
CONTEXT = 131072  # the native context of llama3.2:1b, which these files stand in for
WORDS = ["the", "a", "of", "and", "to", "in", "is", "it", "you", "that", "he", "was",
         "for", "on", "are", "with", "as", "I", "his", "they", "be", "at", "one"]


def gguf_string(text):
    data = text.encode("utf-8")
    return struct.pack("<Q", len(data)) + data


def kv(key, kind, value):
    """One key/value pair; `kind` is a scalar type or (ARRAY, element type)."""
    out = gguf_string(key)
    if isinstance(kind, tuple):
        element = kind[1]
        out += struct.pack("<IIQ", ARRAY, element, len(value))
        return out + b"".join(scalar(element, v) for v in value)
    return out + struct.pack("<I", kind) + scalar(kind, value)


def scalar(kind, value):
    if kind == STRING:
        return gguf_string(value)
    return struct.pack({UINT32: "<I", INT32: "<i", FLOAT32: "<f"}[kind], value)


def vocabulary():
    """(tokens, scores, types): <unk>, <s>, </s>, the 256 byte tokens, then words."""
    tokens = ["<unk>", "<s>", "</s>"] + [f"<0x{b:02X}>" for b in range(256)]
    types = [UNKNOWN, CONTROL, CONTROL] + [BYTE] * 256
    for word in WORDS:
        tokens.append("\u2581" + word)
        types.append(NORMAL)
    scores = [0.0] * 3 + [-1000.0] * 256 + [-float(i) for i in range(len(WORDS))]
    return tokens, scores, types


def metadata(name, layers, vocab):
    tokens, scores, types = vocab
    return [
        kv("general.architecture", STRING, "llama"),
        kv("general.name", STRING, name),
        kv("general.file_type", UINT32, 1),  # LLAMA_FTYPE_MOSTLY_F16
        kv("llama.context_length", UINT32, CONTEXT),
        kv("llama.embedding_length", UINT32, EMBED),
        kv("llama.block_count", UINT32, layers),
        kv("llama.feed_forward_length", UINT32, FEED_FORWARD),
        kv("llama.attention.head_count", UINT32, HEADS),
        kv("llama.attention.head_count_kv", UINT32, KV_HEADS),
        kv("llama.rope.dimension_count", UINT32, HEAD_DIM),
        kv("llama.rope.freq_base", FLOAT32, 500000.0),
        kv("llama.attention.layer_norm_rms_epsilon", FLOAT32, 1e-5),
        kv("llama.vocab_size", UINT32, len(tokens)),
        kv("tokenizer.ggml.model", STRING, "llama"),
        kv("tokenizer.ggml.tokens", (ARRAY, STRING), tokens),
        kv("tokenizer.ggml.scores", (ARRAY, FLOAT32), scores),
        kv("tokenizer.ggml.token_type", (ARRAY, INT32), types),
        kv("tokenizer.ggml.bos_token_id", UINT32, 1),
        kv("tokenizer.ggml.eos_token_id", UINT32, 2),
        kv("tokenizer.ggml.unknown_token_id", UINT32, 0),
    ]


def tensor_shapes(layers, n_vocab):
    """(name, ggml dims with ne[0] first, type) in llama.cpp's llama layout."""
    kv_dim = HEAD_DIM * KV_HEADS
    shapes = [("token_embd.weight", [EMBED, n_vocab], F16)]
    for i in range(layers):
        shapes += [
            (f"blk.{i}.attn_norm.weight", [EMBED], F32),
            (f"blk.{i}.attn_q.weight", [EMBED, EMBED], F16),
            (f"blk.{i}.attn_k.weight", [EMBED, kv_dim], F16),
            (f"blk.{i}.attn_v.weight", [EMBED, kv_dim], F16),
            (f"blk.{i}.attn_output.weight", [EMBED, EMBED], F16),
            (f"blk.{i}.ffn_norm.weight", [EMBED], F32),
            (f"blk.{i}.ffn_gate.weight", [EMBED, FEED_FORWARD], F16),
            (f"blk.{i}.ffn_up.weight", [EMBED, FEED_FORWARD], F16),
            (f"blk.{i}.ffn_down.weight", [FEED_FORWARD, EMBED], F16),
        ]
    shapes += [("output_norm.weight", [EMBED], F32), ("output.weight", [EMBED, n_vocab], F16)]
    return shapes


class Weights:
    """Random N(0, 0.02) values, drawn once and read cyclically from a seeded offset,
    so a file of millions of weights takes milliseconds and differs per seed."""

    def __init__(self, seed):
        self.rng = random.Random(seed)
        values = [self.rng.gauss(0.0, 0.02) for _ in range(1 << 16)]
        self.pool = struct.pack(f"<{len(values)}e", *values)

    def f16(self, count):
        size = 2 * count
        start = 2 * self.rng.randrange(len(self.pool) // 2)
        data = bytearray()
        while len(data) < size:
            data += self.pool[start:start + size - len(data)]
            start = 0
        return bytes(data)


def padding(length):
    return b"\0" * (-length % ALIGNMENT)


def write(path, name, layers, seed):
    vocab = vocabulary()
    shapes = tensor_shapes(layers, len(vocab[0]))
    weights = Weights(seed)
    infos, blobs, offset = [], [], 0
    for tensor, dims, kind in shapes:
        count = 1
        for dim in dims:
            count *= dim
        data = struct.pack(f"<{count}f", *([1.0] * count)) if kind == F32 else weights.f16(count)
        info = gguf_string(tensor) + struct.pack("<I", len(dims))
        info += b"".join(struct.pack("<Q", d) for d in dims) + struct.pack("<IQ", kind, offset)
        infos.append(info)
        blobs.append(data + padding(len(data)))
        offset += len(blobs[-1])
    kvs = metadata(name, layers, vocab)
    head = b"GGUF" + struct.pack("<IQQ", 3, len(shapes), len(kvs)) + b"".join(kvs) + b"".join(infos)
    with open(path, "wb") as out:
        out.write(head + padding(len(head)))
        for blob in blobs:
            out.write(blob)


def main():
    parser = argparse.ArgumentParser(description="Write a tiny F16 llama GGUF.")
    parser.add_argument("out")
    parser.add_argument("--name", default="tiny-llama")
    parser.add_argument("--layers", type=int, default=4)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    if not 1 <= args.layers <= 64:
        sys.exit("gguf.py: --layers must be 1..64")
    write(args.out, args.name, args.layers, args.seed)


if __name__ == "__main__":
    main()
