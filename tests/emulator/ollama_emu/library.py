"""Library tags as manifests, configs and GGUF metadata records, built from the catalog."""

from .catalog import (ANCHORS, CLOUD, CLOUD_CAPABILITIES, CLOUD_HOST, LATEST, LINES, QUANTS,
                      SIZES)
from .fmt import go_json
from .store import MT, sha256

# Bytes per parameter of each quant, from the llama3.1 8B row (8.03e9 parameters):
# used, and documented as derived, for sizes the reference does not list.
PER_PARAM = {q: SIZES["llama3.1:8b"][i] / 8.03e9 for i, q in enumerate(QUANTS)}
FILE_TYPE = {"fp16": "F16", "bf16": "BF16"}
TAG_OF = {FILE_TYPE.get(q, q.upper()): q for q in QUANTS}

# ConfigV2's fields in struct order (server/images.go at v0.12.6, types/model/config.go at
# v0.33.0-rc2).
CONFIG_ORDER = ("model_format", "model_family", "model_families", "model_type", "file_type",
                "renderer", "parser", "requires", "remote_host", "remote_model", "capabilities",
                "context_length", "embedding_length", "base_name", "architecture", "os",
                "rootfs")
# general.file_type: llama_ftype numbers (fs/ggml/type.go at v0.33.0-rc2).
FTYPE = {name: i for i, name in enumerate(
    "F32 F16 Q4_0 Q4_1 Q4_1_F16 Q4_2 Q4_3 Q8_0 Q5_0 Q5_1 Q2_K Q3_K_S Q3_K_M Q3_K_L Q4_K_S "
    "Q4_K_M Q5_K_S Q5_K_M Q6_K IQ2_XXS IQ2_XS Q2_K_S IQ3_XS IQ3_XXS IQ1_S IQ4_NL IQ3_S IQ3_M "
    "IQ2_S IQ2_M IQ4_XS IQ1_M BF16".split())}


def bytes_per_param(file_type):
    if file_type == "F32":
        return 2 * PER_PARAM["fp16"]
    return PER_PARAM.get(TAG_OF.get(file_type, "fp16" if file_type == "BF16" else ""),
                         PER_PARAM["q4_K_M"])


def build_library():
    """{(model, tag): spec}; aliases map to the spec of their full tag."""
    lib = {}
    for fam, label, flavor, params, model_type, ctx, emb, key, quants, default, shape in LINES:
        for q in quants:
            tag = "-".join(p for p in (label, flavor, q) if p)
            if (fam["model"], tag) in ANCHORS:
                size = ANCHORS[(fam["model"], tag)]
            elif key is not None:
                size = SIZES[key][QUANTS.index(q)]
            else:
                size = int(params * PER_PARAM[q])
            spec = dict(fam=fam, tag=tag, quant=FILE_TYPE.get(q, q.upper()), size=size,
                        params=params, model_type=model_type, ctx=ctx, emb=emb, shape=shape)
            lib[(fam["model"], tag)] = spec
            if q == default:
                lib[(fam["model"], label)] = spec
                if LATEST[fam["model"]] == label:
                    lib[(fam["model"], "latest")] = spec
    for (model, tag), cloud in CLOUD.items():
        lib[(model, tag)] = dict(cloud, tag=tag, model=model)
    return lib


LIBRARY = build_library()


def lookup(model, tag):
    """The spec of a library tag (case-insensitive), or None."""
    spec = LIBRARY.get((model.lower(), tag.lower()))
    if spec is None:
        spec = next((s for (m, t), s in LIBRARY.items()
                     if m == model.lower() and t.lower() == tag.lower()), None)
    return spec


def default_shape(params):
    """(block_count, head_count, head_count_kv, head_dim) of the library line nearest in
    parameter count: the shape of an imported file that does not state its own."""
    line = min(LINES, key=lambda entry: abs(entry[3] - params))
    return line[10]


def gguf_kv(arch, params, file_type, ctx, emb, shape, extra=None):
    """The GGUF key/values `show -v` and /api/show `model_info` report."""
    blocks, heads, kv_heads, head_dim = shape
    kv = {"general.architecture": arch, "general.parameter_count": params,
          "general.quantization_version": 2,
          "%s.block_count" % arch: blocks,
          "%s.attention.head_count" % arch: heads,
          "%s.attention.head_count_kv" % arch: kv_heads,
          "%s.attention.key_length" % arch: head_dim,
          "%s.attention.value_length" % arch: head_dim}
    if file_type in FTYPE:
        kv["general.file_type"] = FTYPE[file_type]
    if ctx:
        kv["%s.context_length" % arch] = ctx
    if emb:
        kv["%s.embedding_length" % arch] = emb
    kv.update(extra or {})
    return kv


def library_manifest(spec):
    """(blobs, config JSON, GGUF metadata): deterministic, so aliases share them."""
    if "remote_model" in spec:
        return [], cloud_config(spec), None
    fam = spec["fam"]
    weights = "emulated gguf %s:%s %d bytes\n" % (fam["model"], spec["tag"], spec["size"])
    blobs = [(MT + "model", weights, spec["size"]),
             (MT + "template", fam["template"], None),
             (MT + "license", fam["license"], None),
             (MT + "params", go_json(dict(sorted(fam["params"].items()))) + "\n", None)]
    digests = ["sha256:" + sha256(content.encode()).hexdigest() for _, content, _ in blobs]
    config = config_json(base_config(fam["arch"], spec["model_type"], spec["quant"]), digests)
    meta = gguf_kv(fam["arch"], spec["params"], spec["quant"], spec["ctx"], spec["emb"],
                   spec["shape"])
    return blobs, config, meta


def base_config(arch, model_type, file_type):
    """The ConfigV2 fields every local model has."""
    return {"model_format": "gguf", "model_family": arch, "model_families": [arch],
            "model_type": model_type, "file_type": file_type}


def config_json(doc, diff_ids=None):
    """ConfigV2 as json.Encoder writes it: fields in struct order, `architecture` and `os`,
    then `rootfs` listing the layers when `diff_ids` are given (server/images.go at v0.5.4
    and v0.12.6; the struct in types/model/config.go at v0.33.0-rc2 has no rootfs).
    context_length and embedding_length are for remote models only ("used for remotes")."""
    doc = dict(doc, architecture="amd64", os="linux")
    if diff_ids is not None:
        doc["rootfs"] = {"type": "layers", "diff_ids": list(diff_ids)}
    ordered = {k: doc[k] for k in CONFIG_ORDER if k in doc}
    ordered.update((k, v) for k, v in doc.items() if k not in ordered)
    return go_json(ordered) + "\n"


def cloud_config(spec):
    """types/model/config.go ConfigV2 of a cloud model: remote host and model, capabilities."""
    doc = dict(base_config(spec["family"], spec["model_type"], spec["file_type"]),
               model_format="", remote_host=CLOUD_HOST, remote_model=spec["remote_model"],
               capabilities=CLOUD_CAPABILITIES, context_length=spec["ctx"],
               embedding_length=spec["emb"])
    for key in ("context_length", "embedding_length"):  # omitempty
        if not doc[key]:
            del doc[key]
    return config_json(doc)
