#!/usr/bin/env python3
"""Builds the model store the stand-in registry serves, with the real Ollama itself.

A tiny F16 GGUF (gguf.py) is imported as `llama3.2:1b-instruct-fp16`, with the
TEMPLATE, stop parameters and a LICENSE the way the library's llama3.2 carries them,
and then quantized by `ollama create -q` into the other library tags. So every
manifest, config blob and layer is exactly what Ollama writes. `llama3.2:1b` is an
alias of the q8_0 tag, as in the library.

The names are library names on purpose: `provision` sizes models from its bundled
catalog, which knows `llama3.2:1b` (catalog/library.yaml), so a profile whose base is
`llama3.2:1b` makes it pull `llama3.2:1b-instruct-<quant>`, and the stand-in answers
with these files (a few MB, not the real 1.3 GB).

Local manifests carry a `"from"` on layers reused from another local model; the
registry's never do (Ollama's pull re-marshals what it received, and `from` is
`omitempty`: server/layer.go at v0.5.4), so it is dropped here.

    python3 upstream.py --ollama BIN --lib DIR --out DIR
"""

import argparse
import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
FAMILY = "llama3.2"
SOURCE_TAG = "1b-instruct-fp16"
QUANTIZED = {"1b-instruct-q8_0": "q8_0", "1b-instruct-q4_K_M": "q4_K_M", "1b-instruct-q2_K": "q2_K"}
ALIASES = {"1b": "1b-instruct-q8_0"}
# The llama3 chat template and stop tokens of the library's llama3.x models, short form.
MODELFILE = '''FROM {gguf}
TEMPLATE """<|start_header_id|>user<|end_header_id|>

{{{{ .Prompt }}}}<|eot_id|><|start_header_id|>assistant<|end_header_id|>

"""
PARAMETER stop <|start_header_id|>
PARAMETER stop <|end_header_id|>
PARAMETER stop <|eot_id|>
LICENSE "stand-in weights for the provision test suite"
'''


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until_up(host, server, deadline_s=20):
    deadline = time.monotonic() + deadline_s
    while time.monotonic() < deadline:
        if server.poll() is not None:
            sys.exit(f"upstream.py: ollama serve exited with {server.returncode}")
        try:
            with urllib.request.urlopen(f"http://{host}/", timeout=1) as answer:
                if answer.status == 200:
                    return
        except OSError:
            time.sleep(0.05)
    sys.exit("upstream.py: ollama serve did not answer within 20 s")


def ollama(env, *args, modelfile=None):
    """Runs the real CLI; a Modelfile text is written next to the store first."""
    argv = [env["OLLAMA_BIN"], *args]
    if modelfile is not None:
        path = os.path.join(env["WORK"], "Modelfile")
        with open(path, "w", encoding="utf-8") as f:
            f.write(modelfile)
        argv += ["-f", path]
    done = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=120)
    if done.returncode != 0:
        sys.exit(f"upstream.py: {' '.join(args)} failed: {done.stderr.strip()[-300:]}")


def build(binary, lib, out):
    models, work = os.path.join(out, "models"), os.path.join(out, "work")
    os.makedirs(models)
    os.makedirs(work)
    gguf = os.path.join(out, "tiny-f16.gguf")
    subprocess.run([sys.executable, os.path.join(HERE, "gguf.py"), gguf, "--name", "llama3.2-1b-stand-in"],
                   check=True)
    host = f"127.0.0.1:{free_port()}"
    env = {"PATH": "/usr/bin:/bin", "HOME": work, "LD_LIBRARY_PATH": lib, "OLLAMA_HOST": host,
           "OLLAMA_MODELS": models, "OLLAMA_BIN": binary, "WORK": work}
    log = open(os.path.join(out, "serve.log"), "w")
    server = subprocess.Popen([binary, "serve"], env=env, stdout=log, stderr=log)
    try:
        wait_until_up(host, server)
        source = f"{FAMILY}:{SOURCE_TAG}"
        ollama(env, "create", source, modelfile=MODELFILE.format(gguf=gguf))
        for tag, level in QUANTIZED.items():
            ollama(env, "create", f"{FAMILY}:{tag}", "-q", level, modelfile=f"FROM {source}\n")
    finally:
        server.terminate()
        server.wait(timeout=20)
        log.close()
    library = os.path.join(models, "manifests", "registry.ollama.ai", "library", FAMILY)
    for tag in [SOURCE_TAG, *QUANTIZED]:
        as_registry_serves(os.path.join(library, tag))
    for alias, tag in ALIASES.items():
        shutil.copyfile(os.path.join(library, tag), os.path.join(library, alias))
    shutil.rmtree(work)


def as_registry_serves(path):
    with open(path, encoding="utf-8") as f:
        manifest = json.load(f)
    for layer in manifest["layers"]:
        layer.pop("from", None)
    with open(path, "w", encoding="utf-8") as f:
        f.write(json.dumps(manifest, separators=(",", ":")))


def main():
    parser = argparse.ArgumentParser(description="Build the stand-in registry's model store.")
    parser.add_argument("--ollama", required=True, help="the ollama binary (0.5.4 build)")
    parser.add_argument("--lib", required=True, help="LD_LIBRARY_PATH for it")
    parser.add_argument("--out", required=True, help="a new directory")
    args = parser.parse_args()
    build(args.ollama, args.lib, args.out)


if __name__ == "__main__":
    main()
