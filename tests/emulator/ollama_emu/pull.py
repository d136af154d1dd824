"""`ollama pull`: library tags from the emulated registry into the store."""

import os

from .env import BAD_REQUEST, E, Fail, StreamCut, exact_args, fault, heartbeat, stream_cut
from .library import library_manifest, lookup
from .names import DEFAULT_HOST, DEFAULT_NS, parse_name, pull_name
from .progress import Progress, server_status
from .store import (CONFIG_MT, MT, blob_path, manifest_bytes, sha256, write_blob, write_manifest,
                    write_meta)


def disk_full(digest):
    raise Fail("write %s-partial: no space left on device" % blob_path(digest))


def library_spec(n):
    """The library spec of a name, or None: only the default host and namespace exist, and
    cloud tags only in eras that have cloud models."""
    if n["host"].lower() != DEFAULT_HOST or n["ns"].lower() != DEFAULT_NS:
        return None
    spec = lookup(n["model"], n["tag"])
    if spec is not None and "remote_model" in spec and not E["cloud"]:
        return None
    return spec


def pull_into_store(n, progress):
    """Pulls a library tag, streaming the status sequence; returns the manifest path."""
    server_status(progress, "pulling manifest")
    if fault("pull-cut"):
        raise StreamCut()
    spec = library_spec(n)
    if spec is None:
        raise Fail("pull model manifest: file does not exist")
    blobs, config, meta = library_manifest(spec)
    layers = []
    for media, content, size in blobs + [(CONFIG_MT, config, None)]:
        data = content.encode()
        digest = "sha256:" + sha256(data).hexdigest()
        total = size if size is not None else len(data)
        label = "pulling %s%s" % (digest[7:19], ":" if E["colon"] else "...")
        present = os.path.exists(blob_path(digest))
        bar = progress.bar(label, total, total if present else total // 3)
        if fault("disk-full") and not present:
            disk_full(digest)
        write_blob(data)
        if media == MT + "model" and meta is not None:
            write_meta(digest, meta)
        progress.set(bar, total)
        layers.append({"mediaType": media, "digest": digest, "size": total})
    progress.spinner("verifying sha256 digest")
    progress.spinner("writing manifest")
    config_layer = layers.pop()
    return write_manifest(n, manifest_bytes(config_layer, layers))


def cmd_pull(args):
    exact_args(args, 1)
    heartbeat()
    raw = args[0]
    if E["cloud_suffix"]:
        raw = pull_name(raw)
    n = parse_name(raw)
    if n is None:
        raise Fail("invalid model name", BAD_REQUEST)
    progress = Progress()
    try:
        pull_into_store(n, progress)
        progress.spinner("success")
    except StreamCut:
        return stream_cut()
    finally:
        progress.stop()
    return 0
