"""POST /api/generate: load, unload, and a deterministic fake generation with timings from a
simulated device (decode tokens/s = bandwidth / weights bytes)."""

import random
import time

from .env import E, SERVER_ERROR, Fail, env_float, fault, string_field
from .fmt import now_rfc3339
from .modelinfo import details
from .names import parse_name, pull_name, short
from .sched import (admit, context_for, keep_alive, kv_bytes, locked, read_loaded, unload,
                    write_loaded)
from .store import find_local, is_remote, model_info, sha256

WORDS = ("the model answers with a short deterministic text made of plain words so tests "
         "can count tokens and time each one without a real runner behind it").split()
PREFILL_SPEEDUP = 8  # prompt tokens are processed this many times faster than decoded
LOAD_GBS = 2.0  # the emulated disk reads weights at 2 GB/s
CLOUD_TOKEN_S = 0.01  # a cloud model (no local weights) answers at 100 tokens/s
CLOUD_CONTEXT = 131072  # and generates at most this many tokens
INT_OPTIONS = ("num_ctx", "num_predict", "seed", "num_gpu")


def resolve(raw):
    """The stored model a request names, or the server's 404."""
    n = parse_name(pull_name(raw) if E["cloud_suffix"] else raw) if raw else None
    if n is None or not find_local(n):
        raise Fail("model '%s' not found" % raw, "404 Not Found")
    return model_info(n, raw)


def load(info, options, alive):
    """Schedules the model: (loaded entry, load seconds), evicting as needed."""
    meta, arch = info["meta"], info["meta"].get("general.architecture", "")
    failing = fault("load-fails")
    if failing is True or (failing and parse_name(failing) and
                           short(parse_name(failing)).lower() == short(info["name"]).lower()):
        raise Fail("%s: exit status 2" % E["runner"], SERVER_ERROR)
    ctx, kv_ctx = context_for(options.get("num_ctx") or info["params"].get("num_ctx"), meta,
                              arch)
    path, now = info["model_path"], time.time()
    with locked():
        entries = read_loaded(now)
        current = next((e for e in entries if e["model_path"] == path), None)
        seconds = 0.001
        if current is None or current["context_length"] != ctx:
            size = info["weights"] + kv_bytes(meta, arch, kv_ctx)
            current = dict(name=short(info["name"]), digest=info["digest"], model_path=path,
                           size=size, size_vram=0, context_length=ctx, weights=info["weights"],
                           details=details(info))
            entries = admit(entries, current, options.get("num_gpu"))
            seconds = info["weights"] / (LOAD_GBS * 1e9)
            slow = fault("slow-load")
            if slow:
                delay = (int(slow) if slow is not True and slow.isdigit() else 2000) / 1000
                time.sleep(delay)
                seconds += delay
        current["last_used"] = time.time()
        current["expires_at"] = current["last_used"] + alive
        write_loaded(entries)
    return current, seconds


def token_count(text):
    """The emulated tokenizer: one token per 4 bytes, at least one."""
    return max(1, (len(text.encode()) + 3) // 4)


def token_ids(text):
    """The emulated tokenizer's ids of `text`: one per 4 bytes, from their hash."""
    data = text.encode()
    return [int.from_bytes(sha256(data[i:i + 4]).digest()[:2], "big")
            for i in range(0, max(len(data), 1), 4)]


def sample(info, prompt, opts, room):
    """(tokens, done_reason), at most `room` tokens (what the context leaves): greedy
    (temperature 0) and seeded runs are reproducible."""
    temperature = opts.get("temperature", info["params"].get("temperature", 0.8))
    seed = opts.get("seed", -1)
    material = "%s\0%s" % (info["digest"], prompt)
    if temperature:
        material += "\0%s\0%s" % (seed, temperature)
    rng = random.Random(sha256(material.encode()).digest()
                        if not temperature or seed != -1 else None)
    limit = opts.get("num_predict", info["params"].get("num_predict", -1))
    count, reason = (limit, "length") if limit and limit > 0 else (16 + rng.randrange(64), "stop")
    if count > room:
        count, reason = room, "length"
    return [("" if i == 0 else " ") + rng.choice(WORDS) for i in range(count)], reason


def timings(entry, load_s, prompt_tokens, eval_count):
    """Metrics in nanoseconds from the simulated device: each decoded token reads the
    weights once, from VRAM at OLLAMA_EMULATOR_BANDWIDTH_GBS and from system memory at
    OLLAMA_EMULATOR_CPU_BANDWIDTH_GBS (default: the same)."""
    gpu = env_float("OLLAMA_EMULATOR_BANDWIDTH_GBS", 20.0) * 1e9
    cpu = env_float("OLLAMA_EMULATOR_CPU_BANDWIDTH_GBS", gpu / 1e9) * 1e9
    on_gpu = entry["size_vram"] / entry["size"] if entry["size"] else 0
    per_token = entry["weights"] * (on_gpu / gpu + (1 - on_gpu) / cpu) or CLOUD_TOKEN_S
    load = int(load_s * 1e9)
    prompt_ns = runner_ns(prompt_tokens * per_token / PREFILL_SPEEDUP)
    eval_ns = runner_ns(eval_count * per_token)
    metrics = dict(total_duration=load + prompt_ns + eval_ns + 1000000, load_duration=load,
                   prompt_eval_count=prompt_tokens, prompt_eval_duration=prompt_ns,
                   eval_count=eval_count, eval_duration=eval_ns)
    return {k: v for k, v in metrics.items() if v}  # api.Metrics: omitempty


def runner_ns(seconds):
    """A runner's duration in nanoseconds; the 0.5.x runner counts whole milliseconds
    (llama/runner/runner.go at v0.5.4 and v0.5.7), so a short one is 0 and left out."""
    if E["whole_ms"]:
        return int(seconds * 1e3) * 1000000
    return int(seconds * 1e9)


def options(req):
    """The request's options; integer options must be integers, as Go's decoder wants."""
    opts = req.get("options") or {}
    if not isinstance(opts, dict):
        raise Fail("json: cannot unmarshal %s into Go struct field GenerateRequest.options of "
                   "type map[string]interface {}" % type(opts).__name__, "400 Bad Request")
    opts = dict(opts)
    for key in INT_OPTIONS:  # api/types.go FromMap: JSON numbers are truncated to int
        value = opts.get(key)
        if value is not None:
            if isinstance(value, bool) or not isinstance(value, (int, float)) or \
                    not abs(value) < 2**63:
                raise Fail('option "%s" must be of type integer' % key, SERVER_ERROR)
            opts[key] = int(value)
    return opts


def generate(req):
    """The handler: a response object, or a list of them when streaming."""
    raw = string_field(req, "model")
    info = resolve(raw)
    opts = options(req)
    alive = keep_alive(req.get("keep_alive"))
    prompt = string_field(req, "prompt")
    base = dict(model=raw, created_at=now_rfc3339(), response="", done=True)
    if not prompt and alive == 0:
        unload(info["model_path"])
        return dict(base, done_reason="unload")
    if is_remote(info):
        entry, load_s = dict(size=1, size_vram=1, weights=0), 0.0
    else:
        entry, load_s = load(info, opts, alive)
    if not prompt:
        return dict(base, done_reason="load")
    room = max(entry.get("context_length", CLOUD_CONTEXT) - token_count(prompt), 1)
    tokens, reason = sample(info, prompt, opts, room)
    final = dict(base, done_reason=reason)
    if not req.get("raw"):  # the prompt and answer tokenized (server/routes.go, every era)
        final["context"] = token_ids(prompt + "".join(tokens))
    final.update(timings(entry, load_s, token_count(prompt), len(tokens)))
    if req.get("stream") is False:
        final["response"] = "".join(tokens)
        return final
    chunks = [dict(model=raw, created_at=now_rfc3339(), response=t, done=False)
              for t in tokens]
    return chunks + [dict(final, created_at=now_rfc3339())]
