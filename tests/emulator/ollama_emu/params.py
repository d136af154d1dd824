"""Modelfile PARAMETERs: names, types and Go's parsing of their values (api.FormatParams)."""

import re
import struct
import sys

from .env import E, Fail

INT, FLOAT, BOOL, STR = "int", "float", "bool", "string"
PARAMS = {"num_ctx": INT, "num_batch": INT, "num_gpu": INT, "main_gpu": INT, "use_mmap": BOOL,
          "num_thread": INT, "num_keep": INT, "seed": INT, "num_predict": INT, "top_k": INT,
          "top_p": FLOAT, "min_p": FLOAT, "typical_p": FLOAT, "repeat_last_n": INT,
          "temperature": FLOAT, "repeat_penalty": FLOAT, "presence_penalty": FLOAT,
          "frequency_penalty": FLOAT, "stop": STR}
DEPRECATED = {"penalize_newline": BOOL, "low_vram": BOOL, "f16_kv": BOOL, "logits_all": BOOL,
              "vocab_only": BOOL, "use_mlock": BOOL, "mirostat": INT, "mirostat_tau": FLOAT,
              "mirostat_eta": FLOAT}
if E["new_engine"]:  # draft_num_predict arrived with DRAFT (v0.3x)
    PARAMS["draft_num_predict"] = INT
if not E["restricted"]:
    PARAMS.update(DEPRECATED)  # still real options before v0.7.0,
    # but from 0.5.5 the client drops penalize_newline with a warning (parser/parser.go
    # deprecatedParameters at v0.5.7); the <= 0.5.4 client sends it on.
    DEPRECATED = {} if E["reserialize"] else {"penalize_newline": BOOL}
if not E["layout"]:
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
        too_big = not infinite and abs(f) > 3.4028234663852886e38
        if infinite != ("inf" in value.lower()) or too_big:
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
        if name in E["keywords"] or name == "model":
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
