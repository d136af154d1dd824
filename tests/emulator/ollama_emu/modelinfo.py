"""What the server derives from a stored model: model_info, capabilities, parameter lines."""

import random
import re

from .env import DETERMINISTIC, E
from .fmt import go_sharp_v
from .store import is_remote

# Built-in parsers and what they add (model/parsers at v0.33.0-rc2: HasToolSupport,
# HasThinkingSupport); a subset of the real list.
PARSERS = {"qwen3": ["tools"], "qwen3-thinking": ["tools", "thinking"],
           "qwen3-coder": ["tools"], "passthrough": []}
ACTION = re.compile(r"{{-?\s*(.*?)\s*-?}}", re.S)


def model_info(info):
    """/api/show `model_info`: the GGUF key/values, or for a cloud model what its config
    holds (server/routes.go GetModelInfo at v0.33.0-rc2)."""
    cfg = info["config"]
    if is_remote(info):
        arch = cfg.get("model_family", "")
        kv = {"general.architecture": arch} if arch else {}
        if arch and cfg.get("context_length"):
            kv["%s.context_length" % arch] = cfg["context_length"]
        if arch and cfg.get("embedding_length"):
            kv["%s.embedding_length" % arch] = cfg["embedding_length"]
        return kv
    return dict(info["meta"])


def template_nodes(template):
    """The template as [("text", s) | ("action", s)]."""
    nodes, pos = [], 0
    for m in ACTION.finditer(template):
        if m.start() > pos:
            nodes.append(("text", template[pos:m.start()]))
        nodes.append(("action", m.group(1)))
        pos = m.end()
    if pos < len(template):
        nodes.append(("text", template[pos:]))
    return nodes


def template_vars(template):
    """template.Vars(): the lower-cased field names the template reads."""
    names = set()
    for kind, body in template_nodes(template):
        if kind == "action":
            names.update(n.lower() for n in re.findall(r"\.([A-Za-z_]\w*)", body))
    return names


def infers_thinking(template):
    """thinking.InferTags finds both tags: an `if .Thinking` inside `range .Messages` whose
    body starts and ends with text."""
    nodes = template_nodes(template)
    in_messages = False
    for i, (kind, body) in enumerate(nodes):
        if kind == "action" and body.startswith("range") and ".Messages" in body:
            in_messages = True
        if in_messages and kind == "action" and re.match(r"if\s+\.Thinking\b", body):
            depth, j = 0, i + 1
            while j < len(nodes):
                k, b = nodes[j]
                if k == "action" and re.match(r"(if|range|with)\b", b):
                    depth += 1
                elif k == "action" and re.match(r"(end|else)\b", b):
                    if depth == 0:
                        break
                    depth -= b.startswith("end")
                j += 1
            body_nodes = nodes[i + 1:j]
            return bool(body_nodes) and all(
                n[0] == "text" and n[1].strip() for n in (body_nodes[0], body_nodes[-1]))
    return False


def capabilities(info):
    """Model.Capabilities() in its order (server/images.go at v0.33.0-rc2): config,
    GGUF (completion or embedding, vision, audio), template, parser, family."""
    caps = []

    def add(c):
        if c not in caps:
            caps.append(c)

    cfg, meta = info["config"], info["meta"]
    for c in cfg.get("capabilities") or []:
        add(c)
    if info["model_path"]:
        add("embedding" if any(k.endswith("pooling_type") for k in meta) else "completion")
        for kind in ("vision", "audio"):
            if any(k.endswith(kind + ".block_count") for k in meta):
                add(kind)
    template = info["template"] or ""
    names = template_vars(template)
    if "tools" in names:
        add("tools")
    if "suffix" in names:
        add("insert")
    if infers_thinking(template):
        add("thinking")
    for c in PARSERS.get(cfg.get("parser", ""), []):
        add(c)
    if cfg.get("model_family") in ("gptoss", "gpt-oss"):
        add("thinking")
    return caps


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


def parameter_lines(params):
    """ShowResponse.Parameters: `%-30s %#v` per value."""
    return ["%-30s %s" % (k, go_sharp_v(v)) for k, v in ordered_params(params)]


def show_payload(info):
    """The fields of /api/show every era has, beyond model_info."""
    cfg = info["config"]
    payload = {"license": "\n".join(info["licenses"]), "system": info["system"] or "",
               "template": info["template"] if info["template"] is not None
               else "{{ .Prompt }}",
               "parameters": "\n".join(parameter_lines(info["params"])),
               "details": details(info), "messages": info["messages"]}
    for key in ("renderer", "parser", "requires", "remote_model", "remote_host"):
        if cfg.get(key) and (key != "requires" or E["requires"]):
            payload[key] = cfg[key]
    if E["caps"]:
        payload["capabilities"] = capabilities(info)
    return {k: v for k, v in payload.items() if v != "" and v != []}


def details(info):
    """api.ModelDetails from the config."""
    cfg = info["config"]
    parent = next((layer.get("from", "") for layer in info["layers"]
                   if layer["mediaType"].endswith(".model")), "")
    return {"parent_model": parent, "format": cfg.get("model_format", ""),
            "family": cfg.get("model_family", ""), "families": cfg.get("model_families"),
            "parameter_size": cfg.get("model_type", ""),
            "quantization_level": cfg.get("file_type", "")}
