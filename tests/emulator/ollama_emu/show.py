"""`ollama show`: showInfo's sections (cmd/cmd.go, v0.33.0-rc2), the old TAB layout, --modelfile."""

import sys

from .env import E, Fail, exact_args, heartbeat
from .fmt import go_value, human_number, table
from .modelfile import command_string
from .modelinfo import capabilities, model_info, ordered_params, parameter_lines
from .names import parse_name, pull_name, short
from .store import model_info as stored_model

MODES = ("license", "modelfile", "parameters", "system", "template")


def head(text, n):
    """showInfo's head(): the first n non-blank lines, trimmed, then `...` if more."""
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


def model_rows(info):
    """The Model section: remote rows, then architecture, parameters and lengths from
    model_info (from the config for a model stored before metadata records existed)."""
    cfg, kv = info["config"], model_info(info)
    rows = []
    if cfg.get("remote_host"):
        rows += [["", "Remote model", cfg.get("remote_model", "")],
                 ["", "Remote URL", cfg["remote_host"]]]
    arch = kv.get("general.architecture") if kv else cfg.get("model_family", "")
    ctx = kv.get("%s.context_length" % arch) if kv else cfg.get("context_length")
    emb = kv.get("%s.embedding_length" % arch) if kv else cfg.get("embedding_length")
    if arch or not kv:
        rows.append(["", "architecture", arch or ""])
    params = cfg.get("model_type") or (
        human_number(int(kv["general.parameter_count"]))
        if "general.parameter_count" in kv else "")
    if params:
        rows.append(["", "parameters", params])
    if ctx:
        rows.append(["", "context length", go_value(ctx)])
    if emb:
        rows.append(["", "embedding length", go_value(emb)])
    rows.append(["", "quantization", cfg.get("file_type", "")])
    if E["requires"] and cfg.get("requires"):
        rows.append(["", "requires", cfg["requires"]])
    return rows


def metadata_rows(info):
    """`show -v` Metadata: model_info sorted by key, numbers in %g (since 0.6.1)."""
    rows = []
    for key, value in sorted(model_info(info).items()):
        if isinstance(value, list):
            value = "[%s]" % " ".join(go_value(v) for v in value)
        rows.append(["", key, go_value(value)])
    return rows


def show_sections(info, verbose=False):
    """[(section, rows, column width)] in showInfo order."""
    sections = [("Model", model_rows(info), 30)]
    caps = capabilities(info) if E["caps"] else []
    if caps:
        sections.append(("Capabilities", [["", c] for c in caps], 30))
    params = parameter_lines(info["params"])
    if params:
        sections.append(("Parameters", [[""] + p.split() for p in params], 30))
    if verbose and E["caps"]:
        sections.append(("Metadata", metadata_rows(info), 30))
    if info["system"]:
        sections.append(("System", head(info["system"], 2), 100))
    if info["licenses"]:
        sections.append(("License", head("\n".join(info["licenses"]), 2), 100))
    return sections


def show_default(info, verbose=False):
    if not E["layout"]:
        return show_old(info)
    out = []
    for name, rows, width in show_sections(info, verbose):
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
    """GetModelInfo's Modelfile: header comments, then Model.String() (server/images.go):
    FROM, DRAFT, TEMPLATE, SYSTEM, RENDERER, PARSER, parameters, LICENSE, MESSAGE.
    REQUIRES is not printed."""
    cfg = info["config"]
    cmds = [("model", info["model_path"] or "")]
    if info["draft_path"]:
        cmds.append(("draft", info["draft_path"]))
    cmds.append(("template", info["template"] if info["template"] is not None
                 else "{{ .Prompt }}"))
    if info["system"]:
        cmds.append(("system", info["system"]))
    for key in ("renderer", "parser"):
        if cfg.get(key):
            cmds.append((key, cfg[key]))
    cmds += [(k, go_value(v)) for k, v in ordered_params(info["params"])]
    cmds += [("license", text) for text in info["licenses"]]
    cmds += [("message", "%s: %s" % (m["role"], m["content"])) for m in info["messages"]]
    return ('# Modelfile generated by "ollama show"\n'
            "# To build a new Modelfile based on this, replace FROM with:\n"
            "# FROM %s\n\n" % short(info["name"])
            + "".join(command_string(n, v) + "\n" for n, v in cmds))


def lookup(raw):
    """The stored model `show` reads. `:cloud` names resolve to the stored `-cloud` tag: the
    real server asks ollama.com, the emulator answers from the pulled manifest."""
    n = parse_name(pull_name(raw) if E["cloud_suffix"] else raw)
    if n is None:
        raise Fail("invalid model name")
    return stored_model(n, raw)


def cmd_show(args, flags):
    chosen = [f for f in MODES if f in flags]
    if len(chosen) > 1:
        raise Fail("only one of '--license', '--modelfile', '--parameters', '--system', "
                   "or '--template' can be specified")
    if not chosen and E["show_needs_flag"]:
        raise Fail("one of '--license', '--modelfile', '--parameters', '--system', "
                   "or '--template' must be specified")
    exact_args(args, 1)
    heartbeat()
    info = lookup(args[0])
    mode = chosen[0] if chosen else None
    if mode == "modelfile":
        text = show_modelfile(info) + "\n"
    elif mode == "parameters":
        text = "\n".join(parameter_lines(info["params"])) + "\n"
    elif mode == "template":
        text = info["template"] if info["template"] is not None else "{{ .Prompt }}"
    elif mode == "system":
        text = info["system"] or ""
    elif mode == "license":
        text = "\n".join(info["licenses"]) + "\n"
    else:
        text = show_default(info, flags.get("verbose", False))
    sys.stdout.write(text)
    return 0
