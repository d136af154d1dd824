"""The model store: blobs, manifests (manifest/manifest.go) and the GGUF metadata records."""

import json
import os

try:  # the builtin module: hashlib would load OpenSSL, a large share of a call's start-up
    from _sha256 import sha256
except ImportError:  # python >= 3.12
    try:
        from _sha2 import sha256
    except ImportError:
        from hashlib import sha256

from .env import E, MODELS, Fail
from .names import short


def blob_path(digest):
    return os.path.join(MODELS, "blobs", digest.replace(":", "-"))


def write_blob(data):
    if isinstance(data, str):
        data = data.encode()
    digest = "sha256:" + sha256(data).hexdigest()
    os.makedirs(os.path.join(MODELS, "blobs"), exist_ok=True)
    existed = os.path.exists(blob_path(digest))
    with open(blob_path(digest), "wb") as f:
        f.write(data)
    return digest, len(data), existed


def read_blob(digest):
    with open(blob_path(digest), "rb") as f:
        return f.read().decode()


def manifests():
    """[(name parts, path)] for every manifest (four path levels)."""
    root = os.path.join(MODELS, "manifests")
    found = []
    if not os.path.isdir(root):
        return found
    for host in sorted(os.listdir(root)):
        for ns in sorted(os.listdir(os.path.join(root, host))):
            for model in sorted(os.listdir(os.path.join(root, host, ns))):
                for tag in sorted(os.listdir(os.path.join(root, host, ns, model))):
                    found.append((dict(host=host, ns=ns, model=model, tag=tag),
                                  os.path.join(root, host, ns, model, tag)))
    return found


def find_local(n):
    key = [n["host"].lower(), n["ns"].lower(), n["model"].lower(), n["tag"].lower()]
    for parts, path in manifests():
        if [parts["host"].lower(), parts["ns"].lower(), parts["model"].lower(),
                parts["tag"].lower()] == key:
            return parts, path
    return None


def write_manifest(n, data):
    existing = find_local(n)
    if existing:
        n, path = existing
    else:
        path = os.path.join(MODELS, "manifests", n["host"], n["ns"], n["model"], n["tag"])
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(data)
    return path


def load(path):
    with open(path, "rb") as f:
        raw = f.read()
    return json.loads(raw), sha256(raw).hexdigest()


def manifest_bytes(config, layers):
    doc = {"schemaVersion": 2,
           "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
           "config": config, "layers": layers}
    return (json.dumps(doc, separators=(",", ":")) + "\n").encode()


MT = "application/vnd.ollama.image."
CONFIG_MT = "application/vnd.docker.container.image.v1+json"


def meta_path(digest):
    """Where the GGUF header of a weights blob is recorded: the blob holds only a placeholder."""
    return os.path.join(MODELS, "gguf-meta", digest.replace(":", "-") + ".json")


def write_meta(digest, meta):
    """Records the GGUF key/values (model_info) of the weights blob `digest`."""
    path = meta_path(digest)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:
        json.dump(meta, f, sort_keys=True, separators=(",", ":"))


def read_meta(digest):
    """The recorded GGUF key/values of a weights blob, {} when none was recorded."""
    try:
        with open(meta_path(digest), encoding="utf-8") as f:
            meta = json.load(f)
    except (OSError, ValueError):
        return {}
    return meta if isinstance(meta, dict) else {}


def model_info(n, raw):
    """Everything GetModel reads for the local model `n`, or a not-found Fail."""
    found = find_local(n)
    if not found:
        raise Fail("model '%s' not found" % (short(n) if E["short_name"] else raw))
    parts, path = found
    doc, digest = load(path)
    config = json.loads(read_blob(doc["config"]["digest"]))
    info = dict(name=parts, config=config, template=None, system=None, params={},
                licenses=[], messages=[], model_path=None, draft_path=None, digest=digest,
                layers=doc["layers"], meta={}, weights=0, modified=os.stat(path).st_mtime,
                size=sum(layer["size"] for layer in doc["layers"]) + doc["config"]["size"])
    for layer in doc["layers"]:
        media = layer["mediaType"][len(MT):]
        if media == "model":
            info["model_path"] = blob_path(layer["digest"])
            info["meta"] = read_meta(layer["digest"])
            info["weights"] = layer["size"]
        elif media == "draft":
            info["draft_path"] = blob_path(layer["digest"])
        elif media in ("template", "system"):
            info[media] = read_blob(layer["digest"])
        elif media == "params":
            info["params"] = json.loads(read_blob(layer["digest"]))
        elif media == "license":
            info["licenses"].append(read_blob(layer["digest"]))
        elif media == "messages":
            info["messages"] = json.loads(read_blob(layer["digest"]))
    return info


def is_remote(info):
    """A cloud model: its config names a remote host (list prints SIZE `-`)."""
    return bool(info["config"].get("remote_host"))
