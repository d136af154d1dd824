"""What one emulated process runs under: state directory, era, faults, and the error type."""

import os
import sys

STATE = os.environ.get("OLLAMA_EMULATOR_STATE") or os.path.join(
    os.path.expanduser("~"), ".ollama-emulator")
MODELS = os.path.join(STATE, "models")
ERA = os.environ.get("OLLAMA_EMULATOR_ERA", "current")
FAULT = os.environ.get("OLLAMA_EMULATOR_FAULT", "")
DETERMINISTIC = os.environ.get("OLLAMA_EMULATOR_DETERMINISTIC", "") not in ("", "0")

# Modelfile commands per era (parser/parser.go isValidCommand at v0.3.10, v0.12.6, v0.33.0-rc2).
OLD_KEYWORDS = ["from", "license", "template", "system", "adapter", "parameter", "message"]
V12_KEYWORDS = ["from", "license", "template", "system", "adapter", "renderer", "parser",
                "parameter", "message"]
NEW_KEYWORDS = ["from", "license", "template", "system", "adapter", "draft", "renderer",
                "parser", "parameter", "message", "requires"]

CONNECT_DOWN = "could not connect to ollama app, is it running?"
_BASE = dict(
    # version; list/ps padding of 4 spaces (else TAB); sectioned `show` (else nested TAB
    # tables); Capabilities section; "..." after two System/License lines; "NNN Status: "
    # error prefix; ESC[?2026h frame markers; "pulling x:" label (else "pulling x...");
    # create -q limited to the new quantizer; BF16 in the F16/F32 wording and as a source;
    # client-side name check; `model 'x' not found` names the normalised name;
    # "gathering model components"; server-down wording.
    spaces=True, layout=True, caps=False, dots=False, prefix=False, markers=False,
    colon=False, restricted=False, bf16=False, client_name=False, short_name=False,
    gathering=True, down=CONNECT_DOWN,
    # Modelfile keywords; `show` has a `requires` row (>= 0.14.0); `:cloud`/`:local` name
    # suffixes (internal/modelref); the client re-serializes the Modelfile (File.String)
    # for the server (<= 0.5.4); `show MODEL` needs a flag (< 0.1.45); `ps` has CONTEXT
    # and /api/ps context_length (>= 0.9.7); cloud models (>= 0.12); the llama-server
    # engine (>= 0.30: context capped at n_ctx_train, 80 % admission); default context
    # without num_ctx ("vram" = by total VRAM, since 0.15.5); the create statuses of
    # <= 0.5.4 ("transferring model data"); a missing Modelfile: "dot" = `FROM .`, "flag"
    # = an error only for -f (0.5.4), "open" = os.Open's error (0.3.10: -f defaults to
    # Modelfile); created configs list their layers in `rootfs` (gone in v0.33); the
    # functions a TEMPLATE may call besides Go's (template/template.go); the runner's
    # prompt and eval durations in whole milliseconds (0.5.x); the error when a runner dies.
    keywords=OLD_KEYWORDS, requires=False, cloud_suffix=False, reserialize=False,
    show_needs_flag=False, ps_context=False, cloud=False, new_engine=False, default_ctx=2048,
    transferring=False, missing_modelfile="dot", rootfs=True, template_funcs=("json",),
    whole_ms=False,
    runner="llama runner process has terminated",
)


def _era(**changes):
    era = dict(_BASE)
    era.update(changes)
    return era


ERAS = {
    "current": _era(version="0.33.0-rc2", caps=True, dots=True, prefix=True, markers=True,
                    colon=True, restricted=True, bf16=True, client_name=True,
                    short_name=True, keywords=NEW_KEYWORDS, requires=True, cloud_suffix=True,
                    rootfs=False, template_funcs=("json", "currentDate", "yesterdayDate",
                                                  "toTypeScriptType"),
                    ps_context=True, cloud=True, new_engine=True, default_ctx="vram",
                    runner="llama-server process has terminated",
                    down="could not connect to ollama server, run 'ollama serve' to start it"),
    "v0.12": _era(version="0.12.6", caps=True, dots=True, prefix=True, markers=True,
                  colon=True, restricted=True, keywords=V12_KEYWORDS, ps_context=True,
                  cloud=True, default_ctx=4096,
                  template_funcs=("json", "currentDate", "toTypeScriptType"),
                  down="ollama server not responding - could not connect to ollama server, "
                       "run 'ollama serve' to start it"),
    "v0.5": _era(version="0.5.7", whole_ms=True),
    "v0.5.4": _era(version="0.5.4", reserialize=True, gathering=False, transferring=True,
                   missing_modelfile="flag", whole_ms=True),
    "v0.3": _era(version="0.3.10", spaces=False, layout=False, gathering=False,
                 reserialize=True, transferring=True, missing_modelfile="open"),
    "v0.0.0": _era(version="0.0.0", spaces=False, layout=False, gathering=False,
                   reserialize=True, transferring=True, show_needs_flag=True,
                   missing_modelfile="open"),
}
if ERA not in ERAS:
    sys.stderr.write("ollama emulator: unknown OLLAMA_EMULATOR_ERA %r (one of %s)\n"
                     % (ERA, ", ".join(ERAS)))
    sys.exit(2)
E = ERAS[ERA]

BAD_REQUEST = "400 Bad Request"
NOT_FOUND = "404 Not Found"
SERVER_ERROR = "500 Internal Server Error"
# Whether the server has streamed a status yet: errors after that carry no prefix.
STREAMED = [False]


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

    def code(self):
        """The HTTP status code the emulated server answers this failure with."""
        return int(self.status.split()[0]) if self.status else 500


class StreamCut(Exception):
    """The server died in the middle of a streamed answer (the `pull-cut` fault)."""


def stream_cut():
    """What the client makes of a stream that stops without `success`: before 0.30 it
    never checks the scanner's error and exits 0 (api/client.go stream at v0.5.4, seen on
    the real 0.5.4); from 0.30 it returns it (api/client.go at v0.33.0-rc2)."""
    if E["new_engine"]:
        raise Fail("unexpected EOF")
    return 0


def fault(kind):
    """Whether fault `kind` is active: its argument after `:` if it has one, else True."""
    for item in FAULT.split(","):
        name, _, arg = item.partition(":")
        if name == kind:
            return arg or True
    return False


def heartbeat():
    """The CLI's `HEAD /` before a command: fails or hangs as the faults say."""
    if fault("server-down"):
        raise Fail(E["down"])
    if fault("hang"):
        import time
        sys.stdout.flush()
        time.sleep(3600)


def string_field(req, key, struct="GenerateRequest"):
    """A string field of a JSON request; another type is Go's unmarshal error (400)."""
    value = req.get(key)
    if value is None:
        return ""
    if not isinstance(value, str):
        kind = {bool: "bool", int: "number", float: "number", list: "array",
                dict: "object"}.get(type(value), "value")
        raise Fail("json: cannot unmarshal %s into Go struct field %s.%s of type string"
                   % (kind, struct, key), BAD_REQUEST)
    return value


def exact_args(args, n):
    """cobra.ExactArgs(n)."""
    if len(args) != n:
        raise Fail("accepts %d arg(s), received %d" % (n, len(args)))


def env_int(name, default):
    """An integer environment variable; a bad value is one clear line and exit 2."""
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        return int(raw)
    except ValueError:
        sys.stderr.write("ollama emulator: %s must be an integer, not %r\n" % (name, raw))
        sys.exit(2)


def env_float(name, default):
    """A positive number from the environment; a bad value is one clear line and exit 2."""
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        value = 0
    if not 0 < value < 1e9:
        sys.stderr.write("ollama emulator: %s must be a positive number, not %r\n" % (name, raw))
        sys.exit(2)
    return value


def env_bytes(name, default):
    """A byte count: an integer with an optional B/KB/MB/GB/TB or KiB/MiB/GiB/TiB unit."""
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    units = {"": 1, "B": 1, "KB": 10**3, "MB": 10**6, "GB": 10**9, "TB": 10**12,
             "KIB": 2**10, "MIB": 2**20, "GIB": 2**30, "TIB": 2**40}
    number = raw.rstrip("BKMGTIbkmgti")
    unit = raw[len(number):].strip().upper()
    try:
        value = float(number)
    except ValueError:
        value = -1
    if unit not in units or not 0 <= value < 2**60:
        sys.stderr.write("ollama emulator: %s must be a byte count such as 24GiB, not %r\n"
                         % (name, raw))
        sys.exit(2)
    return int(value * units[unit])
