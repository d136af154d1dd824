"""The layers `create` writes: imported or quantized weights with their GGUF records, texts."""

import json
import os

from .env import BAD_REQUEST, E, SERVER_ERROR, STREAMED, Fail, fault
from .fmt import human_number
from .library import FTYPE, bytes_per_param, default_shape, gguf_kv
from .names import short
from .progress import server_status
from .pull import disk_full
from .store import MT, read_meta, sha256, write_blob, write_meta

RESTRICTED = ["F32", "F16", "BF16", "Q8_0", "Q4_K_S", "Q4_K_M", "Q4_K"]
# llm.ParseFileType before v0.7.0 (llm/filetype.go at v0.3.10, v0.5.4, v0.5.7).
LLAMA_CPP = ("F32 F16 Q4_0 Q4_1 Q4_1_F16 Q8_0 Q5_0 Q5_1 Q2_K Q3_K_S Q3_K_M Q3_K_L Q4_K_S Q4_K_M "
             "Q5_K_S Q5_K_M Q6_K IQ2_XXS IQ2_XS Q2_K_S IQ3_XS IQ3_XXS IQ1_S IQ4_NL IQ3_S IQ2_S "
             "IQ2_M IQ4_XS IQ1_M BF16").split() + (["IQ3_M"] if E["version"].startswith("0.5")
                                                   else [])
# Optional keys of an imported JSON "GGUF" copied into its metadata record as is.
EXTRA_KEYS = {"pooling_type": "%s.pooling_type", "vision_block_count": "%s.vision.block_count",
              "audio_block_count": "%s.audio.block_count"}


def gguf_meta(path):
    """Emulated GGUF header of an imported file: a JSON object in the file, else F16 llama
    defaults; the shape defaults to the library model nearest in parameter count."""
    size = os.path.getsize(path)
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


def new_layer(media, data, size=None, statuses=None):
    digest, length, existed = write_blob(data)
    statuses.append(("using existing layer " if existed else "creating new layer ") + digest)
    return {"mediaType": MT + media, "digest": digest, "size": length if size is None else size}


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


def model_layer(progress, flags, source, statuses, seed, media="model"):
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
    if target == source_type and seed is None:
        return None, target
    if seed is not None and target == source_type and E["new_engine"]:
        STREAMED[0] = True
        bar = progress.bar("validating GGUF model", size, size // 2)
        progress.set(bar, size)
    if E["new_engine"]:
        server_status(progress, "verifying conversion")
    data = "emulated gguf %s %s %d bytes\n" % (seed or "quantized", target, size)
    if fault("disk-full"):
        disk_full("sha256:" + sha256(data.encode()).hexdigest())
    layer = new_layer(media, data, size, statuses)
    kv = dict(kv)
    if target in FTYPE:
        kv["general.file_type"] = FTYPE[target]
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


def text_layers(values, base, media, statuses):
    """TEMPLATE and SYSTEM replace the base's layer; LICENSE adds to the base's licenses
    (server/create.go setLicense at v0.33.0-rc2, server/images.go at v0.5.4)."""
    given = values.get(media, [])
    if media in ("template", "system") and given:
        given = given[-1:]
        if not E["reserialize"] and given == [""]:
            given = []  # since 0.5.5 an empty field is "not given" (server/create.go)
    kept = inherited(base, media, statuses) if media == "license" or not given else []
    return kept + [new_layer(media, text, None, statuses) for text in given]


def inherited(base, media, statuses):
    """The base model's layers of this media type, marked as coming from it."""
    out = []
    for layer in (base["layers"] if base else []):
        if layer["mediaType"] == MT + media:
            layer = dict(layer, **{"from": short(base["name"])})
            statuses.append("using existing layer " + layer["digest"])
            out.append(layer)
    return out


def content_layers(values, params, base, statuses):
    """Template, system, license, parameters (merged over the base's) and messages."""
    layers = []
    for media in ("template", "system", "license"):
        layers += text_layers(values, base, media, statuses)
    if params:
        merged = dict(base["params"]) if base else {}
        merged.update(params)
        body = json.dumps(merged, sort_keys=True, separators=(",", ":")) + "\n"
        layers.append(new_layer("params", body, None, statuses))
    else:
        layers += inherited(base, "params", statuses)
    messages = [dict(zip(("role", "content"), m.split(": ", 1)))
                for m in values.get("message", [])]
    if messages:
        body = json.dumps(messages, separators=(",", ":")) + "\n"
        layers.append(new_layer("messages", body, None, statuses))
    else:
        layers += inherited(base, "messages", statuses)
    return layers
