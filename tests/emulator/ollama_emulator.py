"""A faithful emulator of the `ollama` CLI for provision's test suite.

Follows ../../../shared/reference/ollama-cli.md (the reference), never provision's
parsers. State lives in $OLLAMA_EMULATOR_STATE; see README.md for every switch.
Standard library only.
"""

import hashlib
import json
import os
import random
import re
import struct
import sys
import time

STATE = os.environ.get("OLLAMA_EMULATOR_STATE") or os.path.join(
    os.path.expanduser("~"), ".ollama-emulator")
MODELS = os.path.join(STATE, "models")
ERA = os.environ.get("OLLAMA_EMULATOR_ERA", "current")
FAULT = os.environ.get("OLLAMA_EMULATOR_FAULT", "")
DETERMINISTIC = os.environ.get("OLLAMA_EMULATOR_DETERMINISTIC", "") not in ("", "0")

ERAS = {
    # version, 4-space list, current show layout, capabilities, "..." row,
    # status prefixes, frame markers, colon pull label, restricted -q list,
    # BF16 wording, client-side name check, show echoes the normalised name
    "current": dict(version="0.33.0-rc2", spaces=True, layout=True, caps=True, dots=True,
                    prefix=True, markers=True, colon=True, restricted=True, bf16=True,
                    client_name=True, short_name=True, gathering=True,
                    down="could not connect to ollama server, run 'ollama serve' to start it"),
    "v0.12": dict(version="0.12.6", spaces=True, layout=True, caps=True, dots=True,
                  prefix=True, markers=True, colon=True, restricted=True, bf16=False,
                  client_name=False, short_name=False, gathering=True,
                  down="ollama server not responding - could not connect to ollama server, "
                       "run 'ollama serve' to start it"),
    "v0.5": dict(version="0.5.7", spaces=True, layout=True, caps=False, dots=False,
                 prefix=False, markers=False, colon=False, restricted=False, bf16=False,
                 client_name=False, short_name=False, gathering=True,
                 down="could not connect to ollama app, is it running?"),
    "v0.3": dict(version="0.3.10", spaces=False, layout=False, caps=False, dots=False,
                 prefix=False, markers=False, colon=False, restricted=False, bf16=False,
                 client_name=False, short_name=False, gathering=False,
                 down="could not connect to ollama app, is it running?"),
}
if ERA not in ERAS:
    sys.stderr.write("ollama emulator: unknown OLLAMA_EMULATOR_ERA %r\n" % ERA)
    sys.exit(2)
E = ERAS[ERA]


class Fail(Exception):
    """An `Error: <message>` exit; `status` adds the HTTP prefix where the era does."""

    def __init__(self, message, status=None):
        super().__init__(message)
        self.message = message
        self.status = status

    def text(self):
        if self.status and E["prefix"] and not STREAMED[0]:
            return "%s: %s" % (self.status, self.message)
        return self.message


BAD_REQUEST = "400 Bad Request"
SERVER_ERROR = "500 Internal Server Error"

# ---------------------------------------------------------------- formatting (§1.5)


def human_bytes(b):
    for limit, unit in ((10**12, "TB"), (10**9, "GB"), (10**6, "MB"), (10**3, "KB")):
        if b >= limit:
            value = b / limit
            break
    else:
        return "%d B" % b
    if value >= 10:
        return "%d %s" % (int(value), unit)
    if value != int(value):
        return "%.1f %s" % (value, unit)
    return "%d %s" % (int(value), unit)


def human_number(n):
    if n >= 10**9:
        v = n / 10**9
        return "%.0fB" % v if v == int(v) else "%.1fB" % v
    if n >= 10**6:
        v = n / 10**6
        return "%.0fM" % v if v == int(v) else "%.2fM" % v
    if n >= 10**3:
        return "%.0fK" % (n / 10**3)
    return str(n)


def human_duration(d):
    seconds = int(d)
    if seconds < 1:
        return "Less than a second"
    if seconds == 1:
        return "1 second"
    if seconds < 60:
        return "%d seconds" % seconds
    minutes = int(d / 60)
    if minutes == 1:
        return "About a minute"
    if minutes < 60:
        return "%d minutes" % minutes
    hours = int(round(d / 3600))
    if hours == 1:
        return "About an hour"
    if hours < 48:
        return "%d hours" % hours
    if hours < 24 * 7 * 2:
        return "%d days" % (hours // 24)
    if hours < 24 * 30 * 2:
        return "%d weeks" % (hours // 24 // 7)
    if hours < 24 * 365 * 2:
        return "%d months" % (hours // 24 // 30)
    return "%d years" % int(d / 3600 / 24 / 365)


def human_time(t):
    delta = time.time() - t
    if delta < 0:
        return human_duration(-delta) + " from now"
    return human_duration(delta) + " ago"


def go_value(v):
    """Go's %v of a JSON-decoded value (float64 numbers use %g, shortest)."""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, str):
        return v
    f = float(v)
    if f == 0:
        return "0"
    sign = "-" if f < 0 else ""
    digits, exp = repr(abs(f)).lower().partition("e")[::2]
    mant = digits.replace(".", "")
    point = digits.index(".") if "." in digits else len(digits)
    lead = len(mant) - len(mant.lstrip("0"))
    mant = mant.strip("0") or "0"
    x = point - lead - 1 + (int(exp) if exp else 0)
    if x < -4 or x >= 6:
        m = mant[0] + ("." + mant[1:] if len(mant) > 1 else "")
        return "%s%se%s%02d" % (sign, m, "-" if x < 0 else "+", abs(x))
    if x < 0:
        return sign + "0." + "0" * (-x - 1) + mant
    whole = mant[: x + 1].ljust(x + 1, "0")
    frac = mant[x + 1:]
    return sign + whole + ("." + frac if frac else "")


def go_quote(s):
    """strconv.Quote, as %#v prints strings."""
    out = ['"']
    for ch in s:
        c = ord(ch)
        if ch == '"':
            out.append('\\"')
        elif ch == "\\":
            out.append("\\\\")
        elif ch in "\a\b\f\n\r\t\v":
            out.append({"\a": "\\a", "\b": "\\b", "\f": "\\f", "\n": "\\n", "\r": "\\r",
                        "\t": "\\t", "\v": "\\v"}[ch])
        elif c < 0x20 or c == 0x7f:
            out.append("\\x%02x" % c)
        elif not ch.isprintable():
            out.append("\\u%04x" % c if c < 0x10000 else "\\U%08x" % c)
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


def go_sharp_v(v):
    return go_quote(v) if isinstance(v, str) else go_value(v)


def wrap(text, limit):
    """tablewriter's WrapString: greedy word wrap of cells that contain spaces."""
    if len(text) <= limit or " " not in text:
        return [text]
    lines, line = [], ""
    for word in text.split():
        if line and len(line) + 1 + len(word) > limit:
            lines.append(line)
            line = word
        else:
            line = word if not line else line + " " + word
    lines.append(line)
    return lines


def table(rows, padding, header=None, col_width=30):
    """tablewriter v0.0.5 with NoWhiteSpace: every cell padded and followed by the
    padding; the last header cell followed by one space (§1.3)."""
    wrapped = [[wrap(c, col_width) for c in row] for row in rows]
    columns = max([len(r) for r in rows] + [len(header or [])] + [0])
    widths = [0] * columns
    for row in ([[[h] for h in header]] if header else []) + wrapped:
        for i, cell in enumerate(row):
            widths[i] = max([widths[i]] + [len(line) for line in cell])
    out = []
    if header:
        cells = [h.ljust(widths[i]) for i, h in enumerate(header)]
        out.append(padding.join(cells) + " ")
    for row in wrapped:
        height = max([len(c) for c in row] + [1])
        for y in range(height):
            out.append("".join((c[y] if y < len(c) else "").ljust(widths[i]) + padding
                               for i, c in enumerate(row)))
    return "".join(line + "\n" for line in out)


# ---------------------------------------------------------------- progress (§1.4)

SPIN = "⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏"


class Progress:
    def __init__(self):
        self.states = []  # [kind, text, stopped, total, completed]
        self.pos = 0
        self.started = False

    def spinner(self, text):
        self.stop_spinners()
        self.states.append(["spin", text, False, 0, 0])
        self.render()

    def bar(self, text, total, completed):
        self.stop_spinners()
        self.states.append(["bar", text, completed >= total, total, completed])
        self.render()
        return self.states[-1]

    def set(self, bar, completed):
        bar[4] = completed
        bar[2] = completed >= bar[3]
        self.render()

    def stop_spinners(self):
        for s in self.states:
            if s[0] == "spin":
                s[2] = True

    def line(self, s):
        kind, text, stopped, total, completed = s
        if kind == "spin":
            return text.strip() + " " + ("" if stopped else SPIN[0] + " ")
        pre = text.strip() + " " + "%3.0f%%" % (100.0 * completed / total if total else 0)
        if stopped:
            size = human_bytes(total)
            suf = " " * (6 - len(size)) + size + " " * 25
        else:
            cur, mx = human_bytes(completed), human_bytes(total)
            suf = " " * (6 - len(cur)) + cur + "/" + " " * (6 - len(mx)) + mx
            suf += "  " + "100 MB/s" + "  " + "1s"
        f = max(80 - len(pre) - len(suf) - 5, 0)
        n = int(f * completed / total) if total else 0
        return pre + " ▕" + "█" * n + " " * (f - n) + "▏ " + suf

    def render(self):
        self.started = True
        w = sys.stderr
        if E["markers"]:
            w.write("\x1b[?2026h")
        w.write("\x1b[?25l")
        w.write("\x1b[A" * max(self.pos - 1, 0))
        w.write("\x1b[1G")
        shown = self.states[-24:]
        for i, s in enumerate(shown):
            if not E["markers"]:
                w.write("\x1b[2K")
            w.write(self.line(s) + "\x1b[K")
            if i < len(shown) - 1:
                w.write("\n")
        self.pos = len(self.states)
        w.write("\x1b[?25h")
        if E["markers"]:
            w.write("\x1b[?2026l")
        w.flush()

    def stop(self):
        self.stop_spinners()
        self.render()
        sys.stderr.write("\n")
        sys.stderr.flush()


# ---------------------------------------------------------------- names (§7)

DEFAULT_HOST, DEFAULT_NS, DEFAULT_TAG = "registry.ollama.ai", "library", "latest"


def parse_name(s):
    """ParseName: cut from the right; None when invalid."""
    tag = model = ns = host = None
    if s.rfind(":") > s.rfind("/"):
        s, _, tag = s.rpartition(":")
    if "/" in s:
        s, _, model = s.rpartition("/")
        if "/" in s:
            s, _, ns = s.rpartition("/")
            host = s.split("://", 1)[1] if "://" in s else s
        else:
            ns = s
    else:
        model = s
    parts = dict(host=DEFAULT_HOST if host is None else host,
                 ns=DEFAULT_NS if ns is None else ns,
                 model=model, tag=DEFAULT_TAG if tag is None else tag)
    for kind, value in parts.items():
        limit = 350 if kind == "host" else 80
        extra = {"host": ".:", "ns": "", "model": ".", "tag": "."}[kind]
        if not value or len(value) > limit:
            return None
        if not (value[0].isascii() and (value[0].isalnum() or value[0] == "_")):
            return None
        if any(not (c.isascii() and (c.isalnum() or c in "_-" + extra)) for c in value[1:]):
            return None
    return parts


def short(n):
    if n["host"].lower() == DEFAULT_HOST and n["ns"].lower() == DEFAULT_NS:
        return "%s:%s" % (n["model"], n["tag"])
    if n["host"].lower() == DEFAULT_HOST:
        return "%s/%s:%s" % (n["ns"], n["model"], n["tag"])
    return "%s/%s/%s:%s" % (n["host"], n["ns"], n["model"], n["tag"])


# ---------------------------------------------------------------- store (§8)


def blob_path(digest):
    return os.path.join(MODELS, "blobs", digest.replace(":", "-"))


def write_blob(data):
    if isinstance(data, str):
        data = data.encode()
    digest = "sha256:" + hashlib.sha256(data).hexdigest()
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
    return json.loads(raw), hashlib.sha256(raw).hexdigest()


def manifest_bytes(config, layers):
    doc = {"schemaVersion": 2,
           "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
           "config": config, "layers": layers}
    return (json.dumps(doc, separators=(",", ":")) + "\n").encode()


MT = "application/vnd.ollama.image."
CONFIG_MT = "application/vnd.docker.container.image.v1+json"

# ---------------------------------------------------------------- library (quantization-and-memory.md §2)

QUANTS = ["fp16", "q8_0", "q6_K", "q5_K_M", "q5_K_S", "q5_1", "q5_0", "q4_K_M", "q4_K_S",
          "q4_1", "q4_0", "q3_K_L", "q3_K_M", "q3_K_S", "q2_K"]
# Registry/computed bytes from the reference table, in QUANTS order.
SIZES = {
    "llama3.1:8b": [16068895872, 8540775552, 6596011136, 5732992128, 5599298688, 6068339840,
                    5599298688, 4920738944, 4692673664, 5130257536, 4661216384, 4321961088,
                    4018922624, 3664503936, 3179136128],
    "llama3.2:3b": [6433687776, 3421898976, 2643853536, 2322153696, 2269511904, 2445672672,
                    2269511904, 2019377376, 1928200416, 2093351136, 1917190368, 1815347424,
                    1687159008, 1542848736, 1363935456],
    "qwen2.5:7b": [15237853600, 8098525600, 6254199200, 5444831648, 5315176864, 5757069728,
                   5315176864, 4683073952, 4457769376, 4873284000, 4431391136, 4088459680,
                   3808391584, 3492368800, 3015940512],
    "llama3.1:70b": [141117891712, 74975028352, 57888121984, 49949795456, 48657425536,
                     53001282688, 48657425536, 42520372352, 40347198592, None, 39969711232,
                     37140571264, 34267473024, 30912029824, 26375087232],
}
# Bytes per parameter of each quant, from the llama3.1 8B row (8.03e9 parameters):
# used, and documented as derived, for sizes the reference does not list.
PER_PARAM = {q: SIZES["llama3.1:8b"][i] / 8.03e9 for i, q in enumerate(QUANTS)}
FILE_TYPE = {"fp16": "F16", "bf16": "BF16"}

LLAMA3_TEMPLATE = (
    "<|start_header_id|>system<|end_header_id|>\n\n{{ if .System }}{{ .System }}{{ end }}"
    "{{ if .Tools }}You have access to tools.{{ end }}<|eot_id|>\n"
    "{{- range .Messages }}<|start_header_id|>{{ .Role }}<|end_header_id|>\n\n"
    "{{ .Content }}<|eot_id|>{{ end }}<|start_header_id|>assistant<|end_header_id|>\n\n")
QWEN_TEMPLATE = (
    "{{- if .System }}<|im_start|>system\n{{ .System }}<|im_end|>\n{{ end }}"
    "{{- if .Tools }}# Tools{{ end }}"
    "{{- range .Messages }}<|im_start|>{{ .Role }}\n{{ .Content }}<|im_end|>\n{{ end }}"
    "<|im_start|>assistant\n")
QWEN3_TEMPLATE = QWEN_TEMPLATE.replace("<|im_start|>assistant\n",
                                       "<|im_start|>assistant\n{{ if .Thinking }}<think>{{ end }}")
LLAMA_STOP = {"stop": ["<|start_header_id|>", "<|end_header_id|>", "<|eot_id|>"]}
QWEN_STOP = {"stop": ["<|im_start|>", "<|im_end|>"]}
QWEN3_PARAMS = {"repeat_penalty": 1, "stop": ["<|im_start|>", "<|im_end|>"],
                "temperature": 0.6, "top_k": 20, "top_p": 0.95}


def license_text(version, date):
    return ("LLAMA %s COMMUNITY LICENSE AGREEMENT\nLlama %s Version Release Date: %s\n\n"
            "\"Agreement\" means the terms and conditions for use, reproduction, distribution "
            "and modification of the Llama Materials set forth herein.\n") % (version, version, date)


def family(model, arch, template, params, license):
    return dict(model=model, arch=arch, template=template, params=params, license=license)


LLAMA31 = family("llama3.1", "llama", LLAMA3_TEMPLATE, LLAMA_STOP,
                 license_text("3.1", "July 23, 2024"))
LLAMA32 = family("llama3.2", "llama", LLAMA3_TEMPLATE, LLAMA_STOP,
                 license_text("3.2", "September 25, 2024"))
QWEN25 = family("qwen2.5", "qwen2", QWEN_TEMPLATE, QWEN_STOP,
                "Apache License\nVersion 2.0, January 2004\nhttp://www.apache.org/licenses/\n")
QWEN3 = family("qwen3", "qwen3", QWEN3_TEMPLATE, QWEN3_PARAMS,
               "Apache License\nVersion 2.0, January 2004\nhttp://www.apache.org/licenses/\n")

# (family, size label, flavor, parameter count, model_type, context, embedding,
#  sizes key or None, quants, default quant)
LINES = [
    (LLAMA31, "8b", "instruct", 8030261248, "8.0B", 131072, 4096, "llama3.1:8b", QUANTS, "q4_K_M"),
    (LLAMA31, "8b", "text", 8030261248, "8.0B", 131072, 4096, "llama3.1:8b", QUANTS, None),
    (LLAMA31, "70b", "instruct", 70553706496, "70.6B", 131072, 8192, "llama3.1:70b",
     [q for q in QUANTS if q != "q4_1"], "q4_K_M"),
    (LLAMA32, "3b", "instruct", 3212749888, "3.2B", 131072, 3072, "llama3.2:3b", QUANTS, "q4_K_M"),
    (LLAMA32, "1b", "instruct", 1235814432, "1.2B", 131072, 2048, None, QUANTS, "q8_0"),
    (QWEN25, "0.5b", "instruct", 494032768, "494.03M", 32768, 896, None, QUANTS, "q4_K_M"),
    (QWEN25, "1.5b", "instruct", 1543714304, "1.5B", 32768, 1536, None, QUANTS, "q4_K_M"),
    (QWEN25, "3b", "instruct", 3085938688, "3.1B", 32768, 2048, None, QUANTS, "q4_K_M"),
    (QWEN25, "7b", "instruct", 7615616512, "7.6B", 32768, 3584, "qwen2.5:7b", QUANTS, "q4_K_M"),
    (QWEN3, "0.6b", None, 751632384, "751.63M", 40960, 1024, None, ["fp16", "q8_0", "q4_K_M"], "q4_K_M"),
    (QWEN3, "1.7b", None, 2031739904, "2.0B", 40960, 2048, None, ["fp16", "q8_0", "q4_K_M"], "q4_K_M"),
    (QWEN3, "4b", None, 4022468096, "4.0B", 40960, 2560, None, ["fp16", "q8_0", "q4_K_M"], "q4_K_M"),
    (QWEN3, "8b", None, 8190735360, "8.2B", 40960, 4096, None, ["fp16", "q8_0", "q4_K_M"], "q4_K_M"),
]
# Registry-exact anchors the tables do not hold (reference §2.3).
ANCHORS = {("llama3.2", "1b-instruct-q8_0"): 1321082688}
# Models whose `latest` tag points at the given size label.
LATEST = {"llama3.1": "8b", "llama3.2": "3b", "qwen2.5": "7b", "qwen3": "8b"}


def build_library():
    """{(model, tag): spec}; aliases map to the spec of their full tag."""
    lib = {}
    for fam, label, flavor, params, model_type, ctx, emb, key, quants, default in LINES:
        for q in quants:
            tag = "-".join(p for p in (label, flavor, q) if p)
            if (fam["model"], tag) in ANCHORS:
                size = ANCHORS[(fam["model"], tag)]
            elif key is not None:
                size = SIZES[key][QUANTS.index(q)]
            else:
                size = int(params * PER_PARAM[q])
            spec = dict(fam=fam, tag=tag, quant=FILE_TYPE.get(q, q.upper()), size=size,
                        params=params, model_type=model_type, ctx=ctx, emb=emb)
            lib[(fam["model"], tag)] = spec
            if q == default:
                lib[(fam["model"], label)] = spec
                if LATEST[fam["model"]] == label:
                    lib[(fam["model"], "latest")] = spec
    return lib


LIBRARY = build_library()


def library_manifest(spec):
    """Deterministic blobs and manifest bytes of a library tag: aliases share them."""
    fam = spec["fam"]
    weights = "emulated gguf %s:%s %d bytes\n" % (fam["model"], spec["tag"], spec["size"])
    blobs = [(MT + "model", weights, spec["size"]),
             (MT + "template", fam["template"], None),
             (MT + "license", fam["license"], None),
             (MT + "params", json.dumps(fam["params"], sort_keys=True,
                                        separators=(",", ":")) + "\n", None)]
    config = config_json(fam["arch"], spec["model_type"], spec["quant"], spec["ctx"], spec["emb"])
    return blobs, config


def config_json(arch, model_type, file_type, ctx, emb):
    doc = {"model_format": "gguf", "model_family": arch, "model_families": [arch],
           "model_type": model_type, "file_type": file_type}
    if ctx:
        doc["context_length"] = ctx
    if emb:
        doc["embedding_length"] = emb
    doc.update({"architecture": "amd64", "os": "linux"})
    return json.dumps(doc, separators=(",", ":")) + "\n"

# ---------------------------------------------------------------- faults


def fault(kind):
    """Whether fault `kind` is active (create-fails may name one model)."""
    for item in FAULT.split(","):
        name, _, arg = item.partition(":")
        if name == kind:
            return arg or True
    return False


def heartbeat():
    if fault("server-down"):
        raise Fail(E["down"])
    if fault("hang"):
        sys.stdout.flush()
        time.sleep(3600)


def disk_full(digest):
    raise Fail("write %s-partial: no space left on device" % blob_path(digest))


# ---------------------------------------------------------------- pull (§5)


def pull_into_store(n, progress):
    """Pulls a library tag, streaming the status sequence; returns the manifest path."""
    server_status(progress, "pulling manifest")
    known = n["host"].lower() == DEFAULT_HOST and n["ns"].lower() == DEFAULT_NS
    spec = LIBRARY.get((n["model"].lower(), n["tag"].lower())) if known else None
    if spec is None:
        spec = next((s for (m, t), s in LIBRARY.items()
                     if known and m == n["model"].lower() and t.lower() == n["tag"].lower()), None)
    if spec is None:
        raise Fail("pull model manifest: file does not exist")
    blobs, config = library_manifest(spec)
    layers = []
    for media, content, size in blobs + [(CONFIG_MT, config, None)]:
        data = content.encode()
        digest = "sha256:" + hashlib.sha256(data).hexdigest()
        total = size if size is not None else len(data)
        label = "pulling %s%s" % (digest[7:19], ":" if E["colon"] else "...")
        present = os.path.exists(blob_path(digest))
        bar = progress.bar(label, total, total if present else total // 3)
        if fault("disk-full") and not present:
            disk_full(digest)
        write_blob(data)
        progress.set(bar, total)
        layers.append({"mediaType": media, "digest": digest, "size": total})
    progress.spinner("verifying sha256 digest")
    progress.spinner("writing manifest")
    config_layer = layers.pop()
    path = write_manifest(dict(n, model=n["model"], tag=n["tag"]),
                          manifest_bytes(config_layer, layers))
    return path


def cmd_pull(args):
    exact_args(args, 1)
    heartbeat()
    n = parse_name(args[0])
    if n is None:
        raise Fail("invalid model name", BAD_REQUEST)
    progress = Progress()
    try:
        pull_into_store(n, progress)
        progress.spinner("success")
    finally:
        progress.stop()
    return 0


# ---------------------------------------------------------------- list (§3)


def cmd_list(args):
    heartbeat()
    prefix = args[0].lower() if args else ""
    rows = []
    for parts, path in manifests():
        doc, digest = load(path)
        name = short(parts)
        if not name.lower().startswith(prefix):
            continue
        size = sum(l["size"] for l in doc["layers"]) + doc["config"]["size"]
        mtime = os.stat(path).st_mtime
        rows.append((mtime, [name, digest[:12], human_bytes(size), human_time(mtime)]))
    rows.sort(key=lambda r: -r[0])
    padding = "    " if E["spaces"] else "\t"
    sys.stdout.write(table([r for _, r in rows], padding, ["NAME", "ID", "SIZE", "MODIFIED"]))
    return 0


# ---------------------------------------------------------------- model info


def model_info(n, raw):
    found = find_local(n)
    if not found:
        raise Fail("model '%s' not found" % (short(n) if E["short_name"] else raw))
    parts, path = found
    doc, digest = load(path)
    info = dict(name=parts, config=json.loads(read_blob(doc["config"]["digest"])), template=None,
                system=None, params={}, licenses=[], messages=[], model_path=None, digest=digest,
                layers=doc["layers"])
    for layer in doc["layers"]:
        media = layer["mediaType"][len(MT):]
        if media == "model":
            info["model_path"] = blob_path(layer["digest"])
        elif media in ("template", "system"):
            info[media] = read_blob(layer["digest"])
        elif media == "params":
            info["params"] = json.loads(read_blob(layer["digest"]))
        elif media == "license":
            info["licenses"].append(read_blob(layer["digest"]))
        elif media == "messages":
            info["messages"] = json.loads(read_blob(layer["digest"]))
    return info


def ordered_params(params):
    """Go map iteration: random unless OLLAMA_EMULATOR_DETERMINISTIC is set."""
    items = list(params.items())
    if DETERMINISTIC:
        items.sort(key=lambda kv: kv[0])
    else:
        random.shuffle(items)
    out = []
    for key, value in items:
        for v in value if isinstance(value, list) else [value]:
            out.append((key, v))
    return out


def capabilities(info):
    caps = ["completion"]
    template = info["template"] or ""
    if ".Tools" in template:
        caps.append("tools")
    if ".Thinking" in template:
        caps.append("thinking")
    return caps


def head(text, n):
    rows, count = [], 0
    for line in text.splitlines():
        line = line.strip()
        if not line:
            continue
        count += 1
        if count > n:
            if E["dots"]:
                rows.append(["", "..."])
            break
        rows.append(["", line])
    return rows


def show_sections(info):
    """[(section, rows, column width)] in showInfo order."""
    cfg = info["config"]
    model = [["", "architecture", cfg.get("model_family", "")]]
    if cfg.get("model_type"):
        model.append(["", "parameters", cfg["model_type"]])
    if cfg.get("context_length"):
        model.append(["", "context length", str(cfg["context_length"])])
    if cfg.get("embedding_length"):
        model.append(["", "embedding length", str(cfg["embedding_length"])])
    model.append(["", "quantization", cfg.get("file_type", "")])
    sections = [("Model", model, 30)]
    if E["caps"]:
        sections.append(("Capabilities", [["", c] for c in capabilities(info)], 30))
    params = [["", "%-30s %s" % (k, go_sharp_v(v))] for k, v in ordered_params(info["params"])]
    if params:
        sections.append(("Parameters", [[""] + r[1].split() for r in params], 30))
    if info["system"]:
        sections.append(("System", head(info["system"], 2), 100))
    if info["licenses"]:
        sections.append(("License", head("\n".join(info["licenses"]), 2), 100))
    return sections


def show_default(info):
    if not E["layout"]:
        return show_old(info)
    out = []
    for name, rows, width in show_sections(info):
        out.append("  %s\n" % name + table(rows, "    ", col_width=width) + "\n")
    return "".join(out)


def show_old(info):
    """v0.1.45 - v0.3.10: nested TAB sub-tables inside a borderless main table."""
    cells = []
    for name, rows, _ in show_sections(info):
        rows = [["arch" if r[1] == "architecture" else r[1]] + r[2:] for r in rows]
        if name == "Model":  # the old order: quantization before the lengths
            rank = ["arch", "parameters", "quantization", "context length", "embedding length"]
            rows.sort(key=lambda r: rank.index(r[0]) if r[0] in rank else len(rank))
        sub = table(rows, "\t", col_width=10**6)
        lines = ["\t" + line for line in sub.split("\n")]
        cells += [[name], lines]
    width = max(len(line.replace("\t", "")) for cell in cells for line in cell)
    out = []
    for cell in cells:
        for line in cell:
            out.append("  " + line + " " * (width - len(line.replace("\t", ""))) + " \n")
    return "".join(out)


def show_modelfile(info):
    out = ['# Modelfile generated by "ollama show"\n',
           "# To build a new Modelfile based on this, replace FROM with:\n",
           "# FROM %s\n\n" % short(info["name"]),
           "FROM %s\n" % info["model_path"],
           "TEMPLATE %s\n" % quote(info["template"] if info["template"] is not None
                                   else "{{ .Prompt }}")]
    if info["system"]:
        out.append("SYSTEM %s\n" % quote(info["system"]))
    for key, value in ordered_params(info["params"]):
        out.append("PARAMETER %s %s\n" % (key, quote(go_value(value))))
    for text in info["licenses"]:
        out.append("LICENSE %s\n" % quote(text))
    for msg in info["messages"]:
        out.append("MESSAGE %s %s\n" % (msg["role"], quote(msg["content"])))
    return "".join(out)


def cmd_show(args, flags):
    chosen = [f for f in ("license", "modelfile", "parameters", "system", "template") if f in flags]
    if len(chosen) > 1:
        raise Fail("only one of '--license', '--modelfile', '--parameters', '--system', "
                   "or '--template' can be specified")
    exact_args(args, 1)
    heartbeat()
    n = parse_name(args[0])
    if n is None:
        raise Fail("invalid model name")
    info = model_info(n, args[0])
    mode = chosen[0] if chosen else None
    if mode == "modelfile":
        text = show_modelfile(info) + "\n"
    elif mode == "parameters":
        text = "\n".join("%-30s %s" % (k, go_sharp_v(v))
                         for k, v in ordered_params(info["params"])) + "\n"
    elif mode == "template":
        text = info["template"] if info["template"] is not None else "{{ .Prompt }}"
    elif mode == "system":
        text = info["system"] or ""
    elif mode == "license":
        text = "\n".join(info["licenses"]) + "\n"
    else:
        text = show_default(info)
    sys.stdout.write(text)
    return 0


# ---------------------------------------------------------------- rm


def cmd_rm(args):
    if not args:
        raise Fail("requires at least 1 arg(s), only received 0")
    heartbeat()
    for raw in args:
        n = parse_name(raw)
        found = find_local(n) if n else None
        if not found:
            raise Fail("model '%s' not found" % raw)
        os.remove(found[1])
        sys.stdout.write("deleted '%s'\n" % raw)
    return 0


# ---------------------------------------------------------------- Modelfile grammar (§6)

KEYWORDS = ["from", "license", "template", "system", "adapter", "draft", "renderer", "parser",
            "parameter", "message", "requires"]
INVALID_COMMAND = ('command must be one of "from", "license", "template", "system", "adapter", '
                   '"draft", "renderer", "parser", "parameter", "message", or "requires"')
INVALID_ROLE = 'message role must be one of "system", "user", or "assistant"'


def unquote(s):
    if s.startswith('"""'):
        return (s[3:-3], True) if len(s) >= 6 and s.endswith('"""') else ("", False)
    if s.startswith('"'):
        return (s[1:-1], True) if len(s) >= 2 and s.endswith('"') else ("", False)
    return s, True


def quote(s):
    if "\n" in s or s.startswith(" ") or s.endswith(" "):
        return '"""%s"""' % s if '"' in s else '"%s"' % s
    return s


def go_trim(s):
    return s.strip(" \t\n\r\v\f\x85\xa0")


def step(c, state):
    """parseRuneForState: (next state, kept rune or None) or raises."""
    space, newline, alpha = c in " \t", c in "\r\n", c.isascii() and c.isalpha()
    if state == "nil":
        return ("comment", None) if c == "#" else ("nil", None) if space or newline else ("name", c)
    if state == "name":
        if alpha:
            return "name", c
        if space:
            return "value", None
        raise ValueError("invalid")
    if state == "value":
        # A space also leaves the value; ParseFile then keeps it, unfiltered.
        return ("nil", c) if newline or space else ("value", c)
    if state in ("parameter", "message"):
        if alpha or (state == "parameter" and (c.isascii() and c.isdigit() or c == "_")):
            return state, c
        if space:
            return "value", None
        raise EOFError()
    return ("nil", None) if newline else ("comment", None)


def parse_modelfile(text):
    """ParseFile: [(name, args)] or raises Fail with Ollama's wording."""
    if text.startswith("\ufeff"):
        text = text[1:]
    cmds, name, role, buf, state, line = [], "", None, "", "nil", 1
    for c in text:
        if c in "\r\n":
            line += 1
        try:
            nxt, kept = step(c, state)
        except EOFError:
            raise Fail("unexpected EOF: " + buf)
        except ValueError:
            raise Fail("(line %d): %s" % (line, INVALID_COMMAND))
        if nxt != state:
            if state == "name":
                word = buf.lower()
                if word not in KEYWORDS:
                    raise Fail("(line %d): %s" % (line, INVALID_COMMAND))
                if word == "from":
                    name = "model"
                elif word == "parameter":
                    nxt = "parameter"
                elif word == "message":
                    nxt, name = "message", word
                else:
                    name = word
            elif state == "parameter":
                name = buf
            elif state == "message":
                if buf not in ("system", "user", "assistant"):
                    raise Fail("(line %d): %s" % (line, INVALID_ROLE))
                role = buf
            elif state == "value":
                value, ok = unquote(go_trim(buf))
                if not ok or c in " \t":
                    buf += c
                    continue
                cmds.append((name, role + ": " + value if role else value))
                role = None
            buf, state = "", nxt
        if kept is not None and kept.isprintable() and kept != "\ufeff":
            buf += kept
    if state == "value":
        value, ok = unquote(go_trim(buf))
        if not ok:
            raise Fail("unexpected EOF")
        cmds.append((name, role + ": " + value if role else value))
    elif state not in ("nil", "comment"):
        raise Fail("unexpected EOF")
    if not any(n == "model" for n, _ in cmds):
        raise Fail("no FROM line")
    return cmds


# ---------------------------------------------------------------- parameters (§6.3)

INT, FLOAT, BOOL, STR = "int", "float", "bool", "string"
PARAMS = {"num_ctx": INT, "num_batch": INT, "num_gpu": INT, "main_gpu": INT, "use_mmap": BOOL,
          "num_thread": INT, "num_keep": INT, "seed": INT, "num_predict": INT, "top_k": INT,
          "top_p": FLOAT, "min_p": FLOAT, "typical_p": FLOAT, "repeat_last_n": INT,
          "temperature": FLOAT, "repeat_penalty": FLOAT, "presence_penalty": FLOAT,
          "frequency_penalty": FLOAT, "stop": STR}
DEPRECATED = {"penalize_newline": BOOL, "low_vram": BOOL, "f16_kv": BOOL, "logits_all": BOOL,
              "vocab_only": BOOL, "use_mlock": BOOL, "mirostat": INT, "mirostat_tau": FLOAT,
              "mirostat_eta": FLOAT}
if ERA == "current":
    PARAMS["draft_num_predict"] = INT
if ERA in ("v0.5", "v0.3"):
    PARAMS.update(DEPRECATED)  # still real options before v0.7.0
    DEPRECATED = {}
if ERA == "v0.3":
    PARAMS["tfs_z"] = FLOAT  # removed in v0.5.2

GO_FLOAT = re.compile(r"^[+-]?(?:(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?|inf|infinity|nan)$", re.I)


def typed(kind, value):
    """strconv parsing as FormatParams does it; raises Fail on a bad value."""
    bad = Fail("invalid %s value [%s]" % (kind, value))
    if kind == INT:
        if not re.match(r"^[+-]?\d+$", value) or not -2**63 <= int(value) < 2**63:
            raise bad
        return int(value)
    if kind == FLOAT:
        if not GO_FLOAT.match(value):
            raise bad
        f = float(value)
        infinite = f in (float("inf"), float("-inf"))
        if infinite != ("inf" in value.lower()) or (not infinite and abs(f) > 3.4028234663852886e38):
            raise bad
        return float32(f)
    if kind == BOOL:
        if value in ("1", "t", "T", "TRUE", "true", "True"):
            return True
        if value in ("0", "f", "F", "FALSE", "false", "False"):
            return False
        raise bad
    return value


def float32(f):
    """Options store floats as float32: the shortest decimal that round-trips it."""
    if f != f or f in (float("inf"), float("-inf")):
        return f
    single = struct.unpack("f", struct.pack("f", f))[0]
    for digits in range(1, 10):
        text = "%.*g" % (digits, single)
        if struct.unpack("f", struct.pack("f", float(text)))[0] == single:
            return float(text)
    return single


def collect_params(cmds):
    params = {}
    for name, value in cmds:
        if name in KEYWORDS or name == "model":
            continue
        if name in DEPRECATED:
            sys.stdout.write("warning: parameter %s is deprecated\n" % name)
            continue
        if name not in PARAMS:
            raise Fail("unknown parameter '%s'" % name)
        v = typed(PARAMS[name], value)
        if name == "stop":
            params.setdefault("stop", []).append(v)
        else:
            params[name] = v
    return params


# ---------------------------------------------------------------- create (§4)

RESTRICTED = ["F32", "F16", "BF16", "Q8_0", "Q4_K_S", "Q4_K_M", "Q4_K"]
LLAMA_CPP = ("F32 F16 Q4_0 Q4_1 Q4_1_F16 Q8_0 Q5_0 Q5_1 Q2_K Q3_K_S Q3_K_M Q3_K_L Q4_K_S Q4_K_M "
             "Q5_K_S Q5_K_M Q6_K IQ2_XXS IQ2_XS Q2_K_S IQ3_XS IQ3_XXS IQ1_S IQ4_NL IQ3_S IQ2_S "
             "IQ2_M IQ4_XS IQ1_M BF16").split() + (["IQ3_M"] if ERA == "v0.5" else [])
TAG_OF = {FILE_TYPE.get(q, q.upper()): q for q in QUANTS}
STREAMED = [False]


def server_status(progress, text):
    STREAMED[0] = True
    progress.spinner(text)


def bytes_per_param(file_type):
    if file_type == "F32":
        return 2 * PER_PARAM["fp16"]
    return PER_PARAM.get(TAG_OF.get(file_type, "fp16" if file_type == "BF16" else ""),
                         PER_PARAM["q4_K_M"])


def check_quantize(level, source_type):
    up = level.upper()
    if E["restricted"] and up not in RESTRICTED:
        raise Fail("unsupported quantization type %s - supported types are "
                   "F32, F16, Q4_K_S, Q4_K_M, Q8_0" % up, SERVER_ERROR)
    if not E["restricted"] and up not in LLAMA_CPP:
        raise Fail("unknown fileType: %s" % up, SERVER_ERROR)
    target = "Q4_K_M" if up == "Q4_K" else up
    if source_type not in ("F16", "BF16", "F32"):
        raise Fail("quantization is only supported for F16, BF16 and F32 models" if E["bf16"]
                   else "quantization is only supported for F16 and F32 models", SERVER_ERROR)
    return up, target


def read_modelfile(flags):
    path = flags.get("file", "Modelfile")
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            return f.read(), os.path.dirname(os.path.abspath(path))
    except OSError:
        return "FROM .\n", os.getcwd()


def gguf_meta(path):
    """Emulated GGUF metadata: a JSON object in the file, else F16 llama defaults."""
    size = os.path.getsize(path)
    try:
        with open(path, encoding="utf-8") as f:
            meta = json.load(f)
        if not isinstance(meta, dict):
            meta = {}
    except (OSError, ValueError):
        meta = {}
    params = int(meta.get("parameter_count", max(size // 2, 1)))
    return dict(file_type=meta.get("file_type", "F16"), family=meta.get("family", "llama"),
                model_type=human_number(params), size=int(meta.get("size", size)),
                ctx=meta.get("context_length"), emb=meta.get("embedding_length"))


def import_path(path, progress):
    """FROM a local file or directory: client-side copy, then server-side parsing."""
    if os.path.isdir(path):
        found = sorted(f for f in os.listdir(path) if f.endswith((".gguf", ".safetensors")))
        if not found:
            raise Fail("no Modelfile or safetensors files found")
        path = os.path.join(path, found[0])
    with open(path, "rb") as f:
        digest = hashlib.sha256(f.read()).hexdigest()
    progress.spinner("copying file sha256:%s 100%%" % digest)
    meta = gguf_meta(path)
    server_status(progress, "converting model" if path.endswith(".safetensors") else "parsing GGUF")
    return meta, digest


def new_layer(progress, media, data, size=None, statuses=None):
    digest, length, existed = write_blob(data)
    statuses.append(("using existing layer " if existed else "creating new layer ") + digest)
    return {"mediaType": MT + media, "digest": digest, "size": length if size is None else size}


def expand(path, base_dir):
    if path.startswith("~"):
        return os.path.expanduser(path)
    return path if os.path.isabs(path) else os.path.join(base_dir, path)


def quantize_status(progress, source_type, up, size):
    label = "quantizing %s model to %s" % (source_type, up)
    if E["restricted"]:
        STREAMED[0] = True
        bar = progress.bar(label, size, size // 2)
        progress.set(bar, size)
    else:
        server_status(progress, label)


def model_layer(progress, flags, source_type, size, statuses, seed):
    """The weights layer: None to inherit, else a new (quantized or imported) layer."""
    level = flags.get("quantize")
    target = source_type
    if level:
        up, target = check_quantize(level, source_type)
        if target != source_type:
            size = int(size * bytes_per_param(target) / bytes_per_param(source_type))
            quantize_status(progress, source_type, up, size)
    if target == source_type and seed is None:
        return None, target
    if seed is not None and target == source_type and ERA == "current":
        STREAMED[0] = True
        bar = progress.bar("validating GGUF model", size, size // 2)
        progress.set(bar, size)
    if ERA == "current":
        server_status(progress, "verifying conversion")
    data = "emulated gguf %s %s %d bytes\n" % (seed or "quantized", target, size)
    if fault("disk-full"):
        disk_full("sha256:" + hashlib.sha256(data.encode()).hexdigest())
    return new_layer(progress, "model", data, size, statuses), target


def text_layers(values, base, media, statuses, progress):
    given = values.get(media, [])
    if media in ("template", "system") and given:
        given = given[-1:]
    if given:
        return [new_layer(progress, media, text, None, statuses) for text in given]
    return inherited(base, media, statuses)


def inherited(base, media, statuses):
    out = []
    for layer in (base["layers"] if base else []):
        if layer["mediaType"] == MT + media:
            layer = dict(layer, **{"from": short(base["name"])})
            statuses.append("using existing layer " + layer["digest"])
            out.append(layer)
    return out


def resolve_source(source, base_dir, progress):
    """(base model info or None, imported GGUF metadata or None, its digest)."""
    path = expand(source, base_dir)
    if os.path.exists(path):
        meta, digest = import_path(path, progress)
        return None, meta, digest
    base_name = parse_name(source)
    if base_name is None:
        raise Fail("invalid model name", BAD_REQUEST)
    if not find_local(base_name):
        pull_into_store(base_name, progress)
    return model_info(base_name, source), None, None


def create(raw, flags, progress):
    text, base_dir = read_modelfile(flags)
    cmds = parse_modelfile(text)
    if E["gathering"]:
        progress.spinner("gathering model components")
    params = collect_params(cmds)
    values = {}
    for name, value in cmds:
        values.setdefault(name, []).append(value)
    for req in values.get("requires", []):
        if ERA == "current" and not re.match(r"^v?\d+\.\d+\.\d+(?:[-+][0-9A-Za-z.-]+)?$", req):
            raise Fail("requires must be a valid semver (e.g. 0.14.0)")
    base, meta, digest = resolve_source(values["model"][0], base_dir, progress)
    n = parse_name(raw)
    if n is None:
        raise Fail("invalid model name", BAD_REQUEST)
    failing = fault("create-fails")
    if failing is True or (failing and parse_name(failing) and
                           short(parse_name(failing)).lower() == short(n).lower()):
        raise Fail("emulated create failure", SERVER_ERROR)
    if fault("create-crashes"):
        # The server died mid-answer: Go's HTTP client reads a truncated body as
        # io.ErrUnexpectedEOF, printed without a status (the stream had begun).
        raise Fail("unexpected EOF")
    statuses = []
    if base:
        config = dict(base["config"])
        weights, config["file_type"] = model_layer(
            progress, flags, config["file_type"], next(
                l["size"] for l in base["layers"] if l["mediaType"] == MT + "model"),
            statuses, None)
        layers = [weights] if weights else inherited(base, "model", statuses)
    else:
        weights, file_type = model_layer(progress, flags, meta["file_type"], meta["size"],
                                         statuses, digest)
        config = json.loads(config_json(meta["family"], meta["model_type"], file_type,
                                        meta["ctx"], meta["emb"]))
        layers = [weights]
    for media in ("template", "system", "license"):
        layers += text_layers(values, base, media, statuses, progress)
    if params:
        merged = dict(base["params"]) if base else {}
        merged.update(params)
        body = json.dumps(merged, sort_keys=True, separators=(",", ":")) + "\n"
        layers.append(new_layer(progress, "params", body, None, statuses))
    else:
        layers += inherited(base, "params", statuses)
    messages = [dict(zip(("role", "content"), m.split(": ", 1))) for m in values.get("message", [])]
    if messages:
        body = json.dumps(messages, separators=(",", ":")) + "\n"
        layers.append(new_layer(progress, "messages", body, None, statuses))
    else:
        layers += inherited(base, "messages", statuses)
    for status in statuses:
        server_status(progress, status)
    server_status(progress, "writing manifest")
    config_digest, config_size, _ = write_blob(
        json.dumps(config, separators=(",", ":")) + "\n")
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
    finally:
        progress.stop()
    return 0


# ---------------------------------------------------------------- command line

FLAGS = {  # command: {long name: (short, takes value)}
    "create": {"file": ("f", True), "quantize": ("q", True), "draft-quantize": (None, True),
               "experimental": (None, False)},
    "show": {"license": (None, False), "modelfile": (None, False), "parameters": (None, False),
             "system": (None, False), "template": (None, False), "verbose": ("v", False)},
    "pull": {"insecure": (None, False)},
    "list": {}, "ls": {}, "rm": {},
}


def parse_flags(command, argv):
    """A small cobra: --long, --long=value, -s value, -svalue; `--` ends flags."""
    known = FLAGS[command]
    shorts = {s: name for name, (s, _) in known.items() if s}
    flags, args, i = {}, [], 0
    while i < len(argv):
        a = argv[i]
        i += 1
        if a == "--":
            args += argv[i:]
            break
        if a.startswith("--") and len(a) > 2:
            name, eq, value = a[2:].partition("=")
            if name == "help":
                raise SystemExit(0)
            if name not in known:
                raise Fail("unknown flag: --%s" % name)
        elif a.startswith("-") and len(a) > 1:
            if a[1] == "h":
                raise SystemExit(0)
            if a[1] not in shorts:
                raise Fail("unknown shorthand flag: '%s' in %s" % (a[1], a))
            name, value = shorts[a[1]], a[2:]
            eq = "=" if value else ""
            value = value[1:] if value.startswith("=") else value
        else:
            args.append(a)
            continue
        if known[name][1] and not eq:
            if i >= len(argv):
                raise Fail("flag needs an argument: --%s" % name)
            value, i = argv[i], i + 1
        flags[name] = value if known[name][1] else True
    return flags, args


def exact_args(args, n):
    if len(args) != n:
        raise Fail("accepts %d arg(s), received %d" % (n, len(args)))


def cmd_version():
    if fault("hang"):
        time.sleep(3600)
    if fault("server-down"):
        sys.stdout.write("Warning: could not connect to a running Ollama instance\n")
        sys.stdout.write("Warning: client version is %s\n" % E["version"])
    else:
        sys.stdout.write("ollama version is %s\n" % E["version"])
    return 0


def dispatch(argv):
    if argv and argv[0] in ("-v", "--version"):
        return cmd_version()
    if not argv or argv[0] in ("-h", "--help", "help"):
        sys.stdout.write("Large language model runner\n\nUsage:\n  ollama [flags]\n"
                         "  ollama [command]\n")
        return 0
    command = argv[0]
    if command not in FLAGS:
        raise Fail('unknown command "%s" for "ollama"' % command)
    flags, args = parse_flags(command, argv[1:])
    if command == "create":
        return cmd_create(args, flags)
    if command == "show":
        return cmd_show(args, flags)
    if command == "pull":
        return cmd_pull(args)
    if command == "rm":
        return cmd_rm(args)
    return cmd_list(args)


def log(argv, code, extra=None):
    os.makedirs(STATE, exist_ok=True)
    entry = {"argv": argv, "exit": code, "era": ERA}
    entry.update(extra or {})
    with open(os.path.join(STATE, "calls.jsonl"), "a", encoding="utf-8") as f:
        f.write(json.dumps(entry) + "\n")


def main():
    argv = sys.argv[1:]
    extra = {}
    if argv[:1] == ["create"]:
        try:
            extra["modelfile"] = read_modelfile(parse_flags("create", argv[1:])[0])[0]
        except Fail:
            pass
    delay = os.environ.get("OLLAMA_EMULATOR_DELAY_MS")
    if delay:
        time.sleep(int(delay) / 1000)
    if fault("hang"):
        log(argv, None, extra)
    code = 1
    try:
        code = dispatch(argv)
    except Fail as e:
        sys.stdout.flush()
        sys.stderr.write("Error: %s\n" % e.text())
        code = 1
    except SystemExit as e:
        code = e.code or 0
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        if not fault("hang"):
            log(argv, code, extra)
    return code


if __name__ == "__main__":
    sys.exit(main())
