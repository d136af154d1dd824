"""`ollama create`: client-side Modelfile handling per era, then the server's CreateModel."""

import os
import sys
import time

from .assemble import assemble, inherited, statuses
from .env import (BAD_REQUEST, E, SERVER_ERROR, Fail, StreamCut, exact_args, fault, heartbeat,
                  stream_cut)
from .layers import gguf_meta, model_layer, source_of
from .library import base_config, config_json
from .modelfile import parse_modelfile, server_parse, valid_requires
from .names import parse_name, short
from .params import collect_params
from .progress import Progress, server_status
from .pull import disk_full, pull_into_store
from .store import (CONFIG_MT, blob_path, find_local, manifest_bytes, model_info, sha256,
                    write_blob, write_manifest)


# Config fields a new model does not take from its base: its own layers are listed anew,
# and the lengths belong to remote models.
BASE_ONLY = ("rootfs", "context_length", "embedding_length")


def read_modelfile(flags):
    """(text, directory relative paths start from). A missing file is `FROM .` since 0.5.5,
    an error for `-f FILE` in 0.5.4, os.Open's error before (cmd/cmd.go CreateHandler)."""
    path = flags.get("file", "Modelfile")
    try:
        with open(path, encoding="utf-8", errors="replace", newline="") as f:
            return f.read(), os.path.dirname(os.path.abspath(path))
    except OSError:
        if E["missing_modelfile"] == "open":
            raise Fail("open %s: no such file or directory" % os.path.abspath(path))
        if E["missing_modelfile"] == "flag" and "file" in flags:
            raise Fail("specified Modelfile wasn't found")
        return "FROM .\n", os.getcwd()


def expand(path, base_dir):
    if path.startswith("~"):
        return os.path.expanduser(path)
    return os.path.normpath(path if os.path.isabs(path) else os.path.join(base_dir, path))


def model_file(path):
    """A local FROM/DRAFT: the file itself or the first model file of a directory."""
    if os.path.isdir(path):
        found = sorted(f for f in os.listdir(path) if f.endswith((".gguf", ".safetensors")))
        if not found:
            raise Fail("no Modelfile or safetensors files found")
        path = os.path.join(path, found[0])
    return path


def upload(path, progress):
    """The client copies a local file into the server's blobs: (digest, GGUF metadata)."""
    path = model_file(path)
    with open(path, "rb") as f:
        data = f.read()
    digest = sha256(data).hexdigest()
    if fault("disk-full") and not os.path.exists(blob_path("sha256:" + digest)):
        disk_full("sha256:" + digest)
    write_blob(data)
    if E["transferring"]:  # the same spinner, relabelled (cmd/cmd.go createBlob at v0.5.4)
        progress.relabel("transferring model data 100%")
    else:
        progress.spinner("copying file sha256:%s 100%%" % digest)
    meta = gguf_meta(path)
    if not E["transferring"]:
        server_status(progress, "converting model" if path.endswith(".safetensors")
                      else "parsing GGUF")
    elif path.endswith(".safetensors"):
        server_status(progress, "converting model")
    return digest, meta


def resolve_source(source, base_dir, progress, uploads):
    """(base model info or None, imported GGUF metadata or None, its digest)."""
    if source.startswith("@") and source[1:] in uploads:
        return None, uploads[source[1:]], source[1:].split(":")[-1]
    path = expand(source, base_dir)
    if os.path.exists(path):
        digest, meta = upload(path, progress)
        return None, meta, digest
    base_name = parse_name(source)
    if base_name is None and E["reserialize"]:
        # Neither a name, an upload nor a file the server can open (server/images.go
        # CreateModel at v0.3.10 and v0.5.4); later servers check `from` as a name.
        raise Fail("invalid model reference: %s" % source)
    if base_name is None:
        raise Fail("invalid model name", BAD_REQUEST)
    if not find_local(base_name):
        pull_into_store(base_name, progress)
    return model_info(base_name, source), None, None


def client_commands(text, base_dir, progress):
    """Parses the Modelfile as the era's client does. Up to 0.5.4 local FROM files are
    uploaded first (`@digest`) and the server re-parses File.String()."""
    cmds = parse_modelfile(text)
    uploads = {}
    if E["transferring"]:
        progress.spinner("transferring model data")
        for i, (name, value) in enumerate(cmds):
            path = expand(value, base_dir)
            missing_adapter(name, path)
            if name in ("model", "adapter") and os.path.exists(path):
                digest, meta = upload(path, progress)
                uploads["sha256:" + digest] = meta
                cmds[i] = (name, "@sha256:" + digest)
        try:
            cmds = server_parse(cmds)
        except Fail as e:
            raise Fail(e.message, BAD_REQUEST)
    elif E["gathering"]:
        progress.spinner("gathering model components")
    for name, value in cmds:
        missing_adapter(name, expand(value, base_dir))
    return cmds, uploads


def missing_adapter(name, path):
    """An ADAPTER file must exist: the client stats it (cmd/cmd.go CreateHandler at v0.5.4,
    parser/parser.go CreateRequest from v0.5.5). One that exists is accepted and ignored."""
    if name == "adapter" and not os.path.exists(path):
        raise Fail("stat %s: no such file or directory" % path)


def field_values(cmds, flags, base_dir):
    """{command: [values]}, with REQUIRES and DRAFT checked as CreateRequest does."""
    values = {}
    for name, value in cmds:
        values.setdefault(name, []).append(value)
    for i, req in enumerate(values.get("requires", [])):
        stored = valid_requires(req)
        if stored is None:
            raise Fail("requires must be a valid semver (e.g. 0.14.0)")
        values["requires"][i] = stored
    for draft in values.get("draft", []):
        path = expand(draft, base_dir)
        if not os.path.exists(path):
            raise Fail("stat %s: no such file or directory" % path)
    if flags.get("draft-quantize") and not values.get("draft"):
        raise Fail("--draft-quantize requires a DRAFT model")  # client-side (cmd/cmd.go)
    return values


def build_layers(values, flags, resolved, progress):
    """(config dict, weights and draft layers) of the new model; `resolved` is what
    resolve_source returned plus the Modelfile's directory."""
    base, meta, digest, base_dir = resolved
    source = source_of(base, meta)
    weights, file_type = model_layer(progress, flags, source, digest)
    if base:
        config = {k: v for k, v in base["config"].items() if k not in BASE_ONLY}
        config["file_type"] = file_type
        layers = [weights] if weights else inherited(base, "model")
    else:
        config = base_config(meta["family"], meta["model_type"], file_type)
        layers = [weights]
    for draft in values.get("draft", [])[-1:]:
        draft_digest, draft_meta = upload(expand(draft, base_dir), progress)
        layer, _ = model_layer(progress, flags, source_of(None, draft_meta), draft_digest,
                               media="draft")
        layers.append(layer)
    if not values.get("draft"):
        layers += inherited(base, "draft")
    for key in ("renderer", "parser", "requires"):
        if values.get(key):
            config[key] = values[key][-1]
    return config, layers


def create(raw, flags, progress):
    text, base_dir = read_modelfile(flags)
    cmds, uploads = client_commands(text, base_dir, progress)
    params = collect_params(cmds)
    values = field_values(cmds, flags, base_dir)
    base, meta, digest = resolve_source(values["model"][0], base_dir, progress, uploads)
    n = parse_name(raw)
    if n is None:
        raise Fail("invalid model name", BAD_REQUEST)
    failing = fault("create-fails")
    if failing is True or (failing and parse_name(failing) and
                           short(parse_name(failing)).lower() == short(n).lower()):
        raise Fail("emulated create failure", SERVER_ERROR)
    if fault("create-crashes"):
        # The server died mid-answer: what the client makes of it depends on the era.
        raise StreamCut()
    config, model_layers = build_layers(values, flags, (base, meta, digest, base_dir), progress)
    lines, layers = statuses(assemble(model_layers, base, cmds, params))
    diff_ids = [layer["digest"] for layer in layers] if E["rootfs"] else None
    config_digest, config_size, existed = write_blob(config_json(config, diff_ids))
    if E["transferring"]:  # the config layer's status too (server/images.go at v0.5.4)
        lines.append(("using existing layer " if existed else "creating new layer ")
                     + config_digest)
    for status in lines:
        server_status(progress, status)
    server_status(progress, "writing manifest")
    write_manifest(n, manifest_bytes(
        {"mediaType": CONFIG_MT, "digest": config_digest, "size": config_size}, layers))
    if fault("create-hangs"):
        # The server finished writing the model but the client never sees
        # `success` (as when the CLI is killed mid-stream: the server goes on).
        sys.stderr.flush()
        time.sleep(3600)


def cmd_create(args, flags):
    exact_args(args, 1)
    heartbeat()
    if E["client_name"] and parse_name(args[0]) is None:
        raise Fail("invalid model name: %s" % args[0])
    progress = Progress()
    try:
        create(args[0], flags, progress)
        server_status(progress, "success")
    except StreamCut:
        return stream_cut()
    finally:
        progress.stop()
    return 0
