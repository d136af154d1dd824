"""`ollama list` and GET /api/tags: every manifest, newest first (cmd/cmd.go ListHandler)."""

import json
import os
import sys

from .env import E, heartbeat
from .fmt import human_bytes, human_time, now_rfc3339, table
from .names import short
from .store import MT, load, manifests, read_blob


def entries():
    """[(mtime, name, manifest digest, size, manifest)], newest first."""
    out = []
    for parts, path in manifests():
        doc, digest = load(path)
        size = sum(layer["size"] for layer in doc["layers"]) + doc["config"]["size"]
        out.append((os.stat(path).st_mtime, short(parts), digest, size, doc))
    out.sort(key=lambda r: -r[0])
    return out


def config_of(doc):
    return json.loads(read_blob(doc["config"]["digest"]))


def remote(doc):
    """A cloud model: no weights layer and a remote host in the config."""
    if any(layer["mediaType"] == MT + "model" for layer in doc["layers"]):
        return False
    return bool(config_of(doc).get("remote_host"))


def cmd_list(args):
    heartbeat()
    prefix = args[0].lower() if args else ""
    rows = []
    for mtime, name, digest, size, doc in entries():
        if not name.lower().startswith(prefix):
            continue
        shown = "-" if E["cloud"] and remote(doc) else human_bytes(size)
        rows.append([name, digest[:12], shown, human_time(mtime)])
    padding = "    " if E["spaces"] else "\t"
    sys.stdout.write(table(rows, padding, ["NAME", "ID", "SIZE", "MODIFIED"]))
    return 0


def api_tags():
    """The /api/tags body (api.ListModelResponse)."""
    models = []
    for mtime, name, digest, size, doc in entries():
        cfg = config_of(doc)
        item = dict(name=name, model=name, modified_at=now_rfc3339(mtime), size=size,
                    digest=digest,
                    details=dict(parent_model="", format=cfg.get("model_format", ""),
                                 family=cfg.get("model_family", ""),
                                 families=cfg.get("model_families"),
                                 parameter_size=cfg.get("model_type", ""),
                                 quantization_level=cfg.get("file_type", "")))
        if E["cloud"] and cfg.get("remote_host"):
            item["remote_model"] = cfg.get("remote_model", "")
            item["remote_host"] = cfg["remote_host"]
        models.append(item)
    return {"models": models}
