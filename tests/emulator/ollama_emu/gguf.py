"""The header of a real GGUF file, read as Ollama decodes it (llm/gguf.go at v0.5.4): its
key/values and the parameter count of its tensors. Counts and lengths are bounded, so a
hostile header is one error, never a huge allocation."""

import struct

from .params import float32

MAGIC = b"GGUF"
SCALARS = {0: "<B", 1: "<b", 2: "<H", 3: "<h", 4: "<I", 5: "<i", 6: "<f", 7: "<?", 10: "<Q",
           11: "<q", 12: "<d"}
STRING, ARRAY = 8, 9
LIMIT = 1 << 24  # keys, tensors, array items and string bytes a header may declare
# Keys /api/show leaves out of model_info (server/routes.go GetModelInfo at v0.5.4).
HIDDEN = ("general.name", "tokenizer.chat_template")


class Reader:
    """Little-endian values from a file, failing with `unexpected EOF` when it ends early."""

    def __init__(self, f):
        self.f = f

    def take(self, fmt):
        size = struct.calcsize(fmt)
        data = self.f.read(size)
        if len(data) != size:
            raise ValueError("unexpected EOF")
        return struct.unpack(fmt, data)[0]

    def count(self):
        n = self.take("<Q")
        if n > LIMIT:
            raise ValueError("GGUF header declares %d items, more than %d" % (n, LIMIT))
        return n

    def string(self):
        data = self.f.read(self.count())
        return data.decode("utf-8", "replace")

    def value(self, kind):
        if kind == STRING:
            return self.string()
        if kind == ARRAY:
            item = self.take("<I")
            return [self.value(item) for _ in range(self.count())]
        if kind not in SCALARS:
            raise ValueError("invalid GGUF value type %d" % kind)
        value = self.take(SCALARS[kind])
        return float32(value) if kind == 6 else value


def read_header(path):
    """The GGUF key/values of `path` (with general.parameter_count from its tensors, and
    without the keys /api/show hides), or None when it is not a GGUF file; a malformed
    header raises ValueError with the reason."""
    with open(path, "rb") as f:
        if f.read(4) != MAGIC:
            return None
        r = Reader(f)
        version = r.take("<I")
        if version not in (2, 3):
            raise ValueError("unsupported GGUF version %d" % version)
        tensors, keys = r.count(), r.count()
        kv = {}
        for _ in range(keys):
            key = r.string()
            kv[key] = r.value(r.take("<I"))
        params = 0
        for _ in range(tensors):
            r.string()
            dims = r.take("<I")
            if dims > 4:
                raise ValueError("tensor with %d dimensions" % dims)
            shape = [r.take("<Q") for _ in range(dims)]
            r.take("<I")
            r.take("<Q")
            count = 1
            for d in shape:
                count *= d
            params += count
    kv["general.parameter_count"] = params
    return {k: v for k, v in kv.items() if k not in HIDDEN}
