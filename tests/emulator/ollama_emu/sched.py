"""The scheduler: loaded models with size, placement, context and expiry, in $STATE/loaded.json.

Kept in a file so `ollama ps` and `ollama rm` work with or without `ollama serve`.
Sizes: the weights plus an f16 KV cache (llm/llama_server.go PredictServerVRAM at
v0.33.0-rc2); admission and LRU eviction after server/sched.go.
"""

import fcntl
import json
import os
import re
import time
from contextlib import contextmanager

from .env import E, SERVER_ERROR, STATE, Fail, env_bytes, env_int
from .fmt import human_bytes2

LOADED = os.path.join(STATE, "loaded.json")
FOREVER = 2**63 / 1e9  # time.Duration(math.MaxInt64) in seconds
UNITS = {"ns": 1e-9, "us": 1e-6, "µs": 1e-6, "ms": 1e-3, "s": 1, "m": 60, "h": 3600}


def go_duration(text):
    """time.ParseDuration in seconds; ValueError with Go's message."""
    s = text.strip()
    if s in ("0", "+0", "-0"):
        return 0.0
    m = re.fullmatch(r"([+-]?)((?:(?:\d+\.?\d*|\.\d+)(?:ns|us|µs|ms|s|m|h))+)", s)
    if not m:
        if re.fullmatch(r"[+-]?(?:\d+\.?\d*|\.\d+)", s):
            raise ValueError('time: missing unit in duration "%s"' % text)
        raise ValueError('time: invalid duration "%s"' % text)
    total = sum(float(n) * UNITS[u] for n, u in
                re.findall(r"(\d+\.?\d*|\.\d+)(ns|us|µs|ms|s|m|h)", m.group(2)))
    return -total if m.group(1) == "-" else total


def keep_alive(value):
    """Seconds a model stays loaded after a request: api.Duration's JSON rules for the
    request field, envconfig.KeepAlive for OLLAMA_KEEP_ALIVE (default 5m); negative =
    forever."""
    if value is None:
        raw = os.environ.get("OLLAMA_KEEP_ALIVE", "").strip()
        seconds = 300.0
        if raw:
            try:
                seconds = go_duration(raw)
            except ValueError:
                if re.fullmatch(r"[+-]?\d+", raw):
                    seconds = float(int(raw))
    elif isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise Fail("Unsupported type: '%s'" % type(value).__name__, "400 Bad Request")
    elif isinstance(value, str):
        try:
            seconds = go_duration(value)
        except ValueError as e:
            raise Fail(str(e), "400 Bad Request")
    else:
        seconds = float(value)
    return FOREVER if seconds < 0 else seconds


@contextmanager
def locked():
    """Exclusive access to loaded.json across the server's threads and CLI processes."""
    os.makedirs(STATE, exist_ok=True)
    with open(LOADED + ".lock", "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def read_loaded(now=None):
    """The loaded models whose keep-alive has not run out (expired ones are unloaded)."""
    now = time.time() if now is None else now
    try:
        with open(LOADED, encoding="utf-8") as f:
            entries = json.load(f)
    except (OSError, ValueError):
        return []
    return [e for e in entries if isinstance(e, dict) and e.get("expires_at", 0) > now]


def write_loaded(entries):
    tmp = LOADED + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        json.dump(entries, f, indent=1)
    os.replace(tmp, LOADED)


def unload(model_path):
    """Drops a model from the loaded set (`ollama rm`, keep_alive 0)."""
    with locked():
        entries = read_loaded()
        kept = [e for e in entries if e["model_path"] != model_path]
        if len(kept) != len(entries):
            write_loaded(kept)


def context_for(requested, meta, arch):
    """(context the runner gets, KV context): num_ctx or the era's default; the new engine
    caps it at n_ctx_train (server/sched.go effectiveContext), the classic one does not."""
    ctx = requested or env_int("OLLAMA_CONTEXT_LENGTH", 0)
    if not ctx:
        ctx = E["default_ctx"]
        if ctx == "vram":  # server/routes.go at v0.33.0-rc2: by total VRAM
            vram = env_bytes("OLLAMA_EMULATOR_VRAM", 0)
            ctx = 262144 if vram >= 47 * 2**30 else 32768 if vram >= 23 * 2**30 else 4096
    train = meta.get("%s.context_length" % arch) or 0
    if E["new_engine"] and train and ctx > train:
        ctx = int(train)
    parallel = max(env_int("OLLAMA_NUM_PARALLEL", 1), 1)
    return ctx, ctx * parallel


def kv_bytes(meta, arch, ctx):
    """2 (K and V) x layers x kv heads x head dim x context x 2 bytes (f16)."""
    layers = int(meta.get("%s.block_count" % arch) or 0)
    kv_heads = int(meta.get("%s.attention.head_count_kv" % arch) or 1)
    head_dim = int(meta.get("%s.attention.key_length" % arch) or 0)
    if not head_dim and meta.get("%s.attention.head_count" % arch):
        head_dim = int(meta.get("%s.embedding_length" % arch, 0)) // int(
            meta["%s.attention.head_count" % arch])
    return 2 * layers * kv_heads * head_dim * ctx * 2


def memory():
    """(VRAM bytes, system memory bytes or None for no limit) of the emulated device."""
    return env_bytes("OLLAMA_EMULATOR_VRAM", 0), env_bytes("OLLAMA_EMULATOR_MEMORY", None)


def free_memory(others):
    vram, ram = memory()
    free_vram = vram - sum(e["size_vram"] for e in others)
    free_ram = None if ram is None else ram - sum(e["size"] - e["size_vram"] for e in others)
    return max(free_vram, 0), free_ram


def fits(entry, others):
    """Whether `entry` can load next to `others`; with others loaded the new engine wants
    its prediction under 80 % of free memory (server/sched.go at v0.33.0-rc2)."""
    free_vram, free_ram = free_memory(others)
    if free_ram is None:
        return True
    free = free_vram + free_ram
    if E["new_engine"] and others:
        return entry["size"] <= free * 80 // 100
    return entry["size"] <= free


def admit(entries, entry, num_gpu=None):
    """The loaded set after loading `entry`: least recently used models are evicted past
    OLLAMA_MAX_LOADED_MODELS (default 3 per GPU, 3 on CPU) or while it does not fit."""
    others = sorted((e for e in entries if e["model_path"] != entry["model_path"]),
                    key=lambda e: e["last_used"])
    limit = env_int("OLLAMA_MAX_LOADED_MODELS", 0) or 3
    while others and len(others) >= limit:
        others.pop(0)
    while others and not fits(entry, others):
        others.pop(0)
    free_vram, free_ram = free_memory(others)
    on_gpu = 0 if num_gpu == 0 else min(entry["size"], free_vram)
    if free_ram is not None and entry["size"] - on_gpu > free_ram:
        raise Fail("model requires more system memory (%s) than is available (%s)"
                   % (human_bytes2(entry["size"] - on_gpu), human_bytes2(max(free_ram, 0))),
                   SERVER_ERROR)
    entry["size_vram"] = on_gpu
    return others + [entry]
