"""The command line: cobra-like flag parsing, dispatch, the call log. Imports per command stay lazy
so the common calls start fast."""

import json
import os
import sys
import time

from .env import ERA, STATE, E, Fail, fault, heartbeat

SERVING = []  # set once `serve` listens: it is logged then, with exit null, as it never ends

FLAGS = {  # command: {long name: (short, takes value)}
    "create": {"file": ("f", True), "quantize": ("q", True), "draft-quantize": (None, True),
               "experimental": (None, False)},
    "show": {"license": (None, False), "modelfile": (None, False), "parameters": (None, False),
             "system": (None, False), "template": (None, False), "verbose": ("v", False)},
    "pull": {"insecure": (None, False)},
    "list": {}, "ls": {}, "rm": {}, "ps": {}, "serve": {},
}


def era_flag(command, name):
    """Flags some eras lack: `show --verbose` came with its Metadata view in 0.6.1 (the real
    0.5.4: `unknown shorthand flag: 'v' in -v`)."""
    return not (command == "show" and name == "verbose" and not E["caps"])


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
            if name not in known or not era_flag(command, name):
                raise Fail("unknown flag: --%s" % name)
        elif a.startswith("-") and len(a) > 1:
            if a[1] == "h":
                raise SystemExit(0)
            if a[1] not in shorts or not era_flag(command, shorts[a[1]]):
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


def cmd_version():
    if fault("hang"):
        time.sleep(3600)
    if fault("server-down"):
        sys.stdout.write("Warning: could not connect to a running Ollama instance\n")
        sys.stdout.write("Warning: client version is %s\n" % E["version"])
    else:
        sys.stdout.write("ollama version is %s\n" % E["version"])
    return 0


def cmd_rm(args):
    """DeleteHandler: unloads the model if it is running, then deletes the manifest."""
    from .names import parse_name
    from .sched import unload
    from .store import MT, blob_path, find_local, load
    if not args:
        raise Fail("requires at least 1 arg(s), only received 0")
    heartbeat()
    for raw in args:
        n = parse_name(raw)
        found = find_local(n) if n else None
        if not found:
            raise Fail("model '%s' not found" % raw)
        doc, _ = load(found[1])
        for layer in doc["layers"]:
            if layer["mediaType"] == MT + "model":
                unload(blob_path(layer["digest"]))
        os.remove(found[1])
        sys.stdout.write("deleted '%s'\n" % raw)
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
        from .create import cmd_create
        return cmd_create(args, flags)
    if command == "show":
        from .show import cmd_show
        return cmd_show(args, flags)
    if command == "pull":
        from .pull import cmd_pull
        return cmd_pull(args)
    if command == "rm":
        return cmd_rm(args)
    if command == "ps":
        from .ps import cmd_ps
        return cmd_ps(args)
    if command == "serve":
        from .server import serve
        return serve(args, log, lambda: (log(argv, None), SERVING.append(True)))
    from .listing import cmd_list
    return cmd_list(args)


def log(argv, code, extra=None):
    """One line of $STATE/calls.jsonl per CLI call or HTTP request."""
    os.makedirs(STATE, exist_ok=True)
    entry = {"argv": argv, "exit": code, "era": ERA} if argv is not None else {"era": ERA}
    entry.update(extra or {})
    with open(os.path.join(STATE, "calls.jsonl"), "a", encoding="utf-8") as f:
        f.write(json.dumps(entry) + "\n")


def main():
    argv = sys.argv[1:]
    extra = {}
    if argv[:1] == ["create"]:
        from .create import read_modelfile
        try:
            extra["modelfile"] = read_modelfile(parse_flags("create", argv[1:])[0])[0]
        except Fail:
            pass
    delay = os.environ.get("OLLAMA_EMULATOR_DELAY_MS")
    if delay:
        time.sleep(int(delay) / 1000)
    early = fault("hang")
    if early:  # it never finishes on its own: logged before it starts
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
        if not early and not SERVING:
            log(argv, code, extra)
    return code
