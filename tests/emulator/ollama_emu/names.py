"""Model names (types/model/name.go) and cloud source suffixes (internal/modelref, v0.33.0-rc2)."""

from .env import Fail

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


def source_suffix(raw):
    """parseSourceSuffix: (base, "cloud"|"local"|None) for `:cloud`, `:local` and legacy
    `-cloud` tags (internal/modelref/modelref.go at v0.33.0-rc2)."""
    idx = raw.rfind(":")
    if idx >= 0:
        suffix_raw = raw[idx + 1:].strip()
        suffix = suffix_raw.lower()
        if suffix in ("cloud", "local"):
            return raw[:idx], suffix
        if "/" not in suffix_raw and suffix.endswith("-cloud"):
            return raw[:idx + 1] + suffix_raw[:-len("-cloud")], "cloud"
    return raw, None


def pull_name(raw):
    """NormalizePullName: `m:20b:cloud` is stored as the legacy tag `m:20b-cloud`, `m:cloud`
    as `m:cloud`; anything else is unchanged."""
    raw = raw.strip()
    base, source = source_suffix(raw)
    if source and source_suffix(base)[1]:
        raise Fail('use either :local or :cloud, not both: "%s"' % raw)
    if source != "cloud":
        return base
    return base + ("-cloud" if base.rfind(":") > base.rfind("/") else ":cloud")
