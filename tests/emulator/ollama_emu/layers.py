"""The weights `create` writes: imported or quantized, with their GGUF records."""

import json
import os

from .assemble import STATUS, new_layer
from .env import BAD_REQUEST, E, SERVER_ERROR, STREAMED, Fail, fault
from .fmt import human_number
from .gguf import read_header
from .library import FTYPE, bytes_per_param, default_shape, gguf_kv
from .progress import server_status
from .pull import disk_full
from .store import MT, blob_path, read_meta, sha256, write_meta

RESTRICTED = ["F32", "F16", "BF16", "Q8_0", "Q4_K_S", "Q4_K_M", "Q4_K"]
# llm.ParseFileType before v0.7.0 (llm/filetype.go at v0.3.10, v0.5.4, v0.5.7).
LLAMA_CPP = ("F32 F16 Q4_0 Q4_1 Q4_1_F16 Q8_0 Q5_0 Q5_1 Q2_K Q3_K_S Q3_K_M Q3_K_L Q4_K_S Q4_K_M "
             "Q5_K_S Q5_K_M Q6_K IQ2_XXS IQ2_XS Q2_K_S IQ3_XS IQ3_XXS IQ1_S IQ4_NL IQ3_S IQ2_S "
             "IQ2_M IQ4_XS IQ1_M BF16").split() + (["IQ3_M"] if E["version"].startswith("0.5")
                                                   else [])
# Levels llama.cpp's quantizer refuses without an importance matrix, and a legacy type it
# no longer makes: `create -q` to them fails after its `quantizing` status (seen on the
# real 0.5.4; the message is llama/llama.go Quantize at v0.5.4, llm/llm.go at v0.3.10).
LLAMA_CPP_FAILS = ("IQ2_XXS", "IQ2_XS", "IQ2_S", "IQ2_M", "IQ1_S", "IQ1_M", "IQ3_XXS", "Q2_K_S",
                   "Q4_1_F16")
QUANTIZE_FAILED = ("llama_model_quantize: 1" if E["version"].startswith("0.5") else
                   "failed to quantize model. This model architecture may not be supported, "
                   "or you may need to upgrade Ollama to the latest version")
# Optional keys of an imported JSON "GGUF" copied into its metadata record as is.
EXTRA_KEYS = {"pooling_type": "%s.pooling_type", "vision_block_count": "%s.vision.block_count",
              "audio_block_count": "%s.audio.block_count"}


def gguf_meta(path):
    """The GGUF header of an imported file: read from a real GGUF; emulated from a JSON
    object in the file, else F16 llama defaults, the shape defaulting to the library model
    nearest in parameter count."""
    size = os.path.getsize(path)
    try:
        kv = read_header(path)
    except (OSError, ValueError) as e:
        raise Fail("could not read GGUF %s: %s" % (path, e))
    if kv is not None:
        arch = kv.get("general.architecture", "")
        names = {number: name for name, number in FTYPE.items()}
        return dict(file_type=names.get(kv.get("general.file_type"), "unknown"), family=arch,
                    model_type=human_number(kv["general.parameter_count"]), size=size,
                    ctx=kv.get("%s.context_length" % arch),
                    emb=kv.get("%s.embedding_length" % arch), kv=kv)
    try:
        with open(path, encoding="utf-8") as f:
            meta = json.load(f)
        if not isinstance(meta, dict):
            meta = {}
    except (OSError, ValueError):
        meta = {}
    params = int(meta.get("parameter_count", max(size // 2, 1)))
    arch = meta.get("family", "llama")
    blocks, heads, kv_heads, head_dim = default_shape(params)
    shape = (int(meta.get("block_count", blocks)), int(meta.get("head_count", heads)),
             int(meta.get("head_count_kv", kv_heads)), int(meta.get("key_length", head_dim)))
    extra = {k % arch: meta[name] for name, k in EXTRA_KEYS.items() if name in meta}
    file_type = meta.get("file_type", "F16")
    ctx, emb = meta.get("context_length"), meta.get("embedding_length")
    return dict(file_type=file_type, family=arch, model_type=human_number(params),
                size=int(meta.get("size", size)), ctx=ctx, emb=emb,
                kv=gguf_kv(arch, params, file_type, ctx, emb, shape, extra))


def uploaded_layer(media, digest, size):
    """An imported file kept as it is: the blob the client uploaded becomes the layer, named
    after that blob (NewLayerFromLayer in server/model.go at v0.5.4, server/create.go at
    v0.5.7 and v0.12.6), so `details.parent_model` is the blob's path."""
    return {"mediaType": MT + media, "digest": digest, "size": size, "from": blob_path(digest),
            STATUS: "using existing layer " + digest}


def check_quantize(level, source_type):
    """The requested level upper-cased and the file type it makes, or the era's error."""
    up = level.upper()
    if E["restricted"] and up not in RESTRICTED:
        raise Fail("unsupported quantization type %s - supported types are "
                   "F32, F16, Q4_K_S, Q4_K_M, Q8_0" % up, SERVER_ERROR)
    if not E["restricted"] and up not in LLAMA_CPP:
        raise Fail("unknown fileType: %s" % up, SERVER_ERROR)
    target = "Q4_K_M" if up == "Q4_K" else up
    if source_type not in (("F16", "BF16", "F32") if E["bf16"] else ("F16", "F32")):
        raise Fail("quantization is only supported for F16, BF16 and F32 models" if E["bf16"]
                   else "quantization is only supported for F16 and F32 models", SERVER_ERROR)
    return up, target


def quantize_status(progress, source_type, up, size):
    label = "quantizing %s model to %s" % (source_type, up)
    if E["restricted"]:
        STREAMED[0] = True
        bar = progress.bar(label, size, size // 2)
        progress.set(bar, size)
    else:
        server_status(progress, label)


def model_layer(progress, flags, source, seed, media="model"):
    """The weights layer: None to inherit, else a new (quantized or imported) layer with
    its metadata record. `source` = (file type, size, GGUF key/values)."""
    source_type, size, kv = source
    level = flags.get("quantize" if media == "model" else "draft-quantize")
    target = source_type
    if level:
        up, target = check_quantize(level, source_type)
        if target != source_type:
            size = int(size * bytes_per_param(target) / bytes_per_param(source_type))
            quantize_status(progress, source_type, up, size)
            if not E["restricted"] and up in LLAMA_CPP_FAILS:
                raise Fail(QUANTIZE_FAILED)
    if target == source_type and seed is None:
        return None, target
    if seed is not None and target == source_type and E["new_engine"]:
        STREAMED[0] = True
        bar = progress.bar("validating GGUF model", size, size // 2)
        progress.set(bar, size)
    if E["new_engine"]:
        server_status(progress, "verifying conversion")
    if seed is not None and target == source_type:
        layer = uploaded_layer(media, "sha256:" + seed, size)
    else:
        data = "emulated gguf %s %s %d bytes\n" % (seed or "quantized", target, size)
        if fault("disk-full"):
            disk_full("sha256:" + sha256(data.encode()).hexdigest())
        layer = new_layer(media, data, size)
    kv = dict(kv)
    if target in FTYPE:
        kv["general.file_type"] = FTYPE[target]
    if target != source_type:  # llama.cpp's quantizer records its version
        kv["general.quantization_version"] = 2
    write_meta(layer["digest"], kv)
    return layer, target


def source_of(base, meta):
    """(file type, weights size, GGUF key/values) of a base model or an imported file."""
    if meta is not None:
        return meta["file_type"], meta["size"], meta["kv"]
    weights = next((layer for layer in base["layers"] if layer["mediaType"] == MT + "model"),
                   None)
    if weights is None:
        raise Fail("remote models cannot be used as a FROM base here", BAD_REQUEST)
    return base["config"]["file_type"], weights["size"], read_meta(weights["digest"])
