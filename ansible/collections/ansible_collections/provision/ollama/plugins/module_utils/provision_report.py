# -*- coding: utf-8 -*-
# MIT License (the license of the provision repository)
"""Reading a `provision auto --json` report: changed, failure, diff (pure functions)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

# The statuses of `models[].status` that mean Ollama's models were changed.
WROTE = ("created", "updated")
ARROW = " \u2192 "  # provision prints a change as `num_ctx 8192 → 4096`


def split_quoted(text, sep):
    """Splits text on sep outside double-quoted strings (provision quotes text
    values Rust-style, with backslash escapes, so a SYSTEM prompt may hold sep)."""
    parts, start, i, quoted = [], 0, 0, False
    while i < len(text):
        char = text[i]
        if quoted and char == "\\":
            i += 2
            continue
        if char == '"':
            quoted = not quoted
        elif not quoted and text.startswith(sep, i):
            parts.append(text[start:i])
            i += len(sep)
            start = i
            continue
        i += 1
    parts.append(text[start:])
    return parts


def server_env_changed(report):
    """The report's `server_env.changed`; a report without the key changed nothing."""
    server = report.get("server_env")
    return isinstance(server, dict) and server.get("changed") is True


def statuses(report):
    return [m.get("status") for m in report.get("models") or [] if isinstance(m, dict)]


def changed(report, rc, check_mode):
    """True exactly when models were (or, in check mode, would be) changed, or the
    server environment was (would be)."""
    if server_env_changed(report):
        return True
    if check_mode:
        return rc == 3 or "planned" in statuses(report)
    return any(status in WROTE for status in statuses(report))


def failure(report, rc, check_mode, error_line):
    """The task's failure message, or None: each failed model's one-line error,
    else provision's error line for any other non-success exit."""
    failed = [m for m in report.get("models") or [] if isinstance(m, dict) and m.get("status") == "failed"]
    if failed:
        return "; ".join("%s: %s" % (m.get("name"), m.get("error") or m.get("reason")) for m in failed)
    if rc == 0 or (check_mode and rc == 3):
        return None
    return error_line or "provision exited with code %d" % rc


def split_stderr(err):
    """provision's warnings (`provision: warning: …`) and its last error line."""
    warnings, error_line = [], None
    for line in (err or "").splitlines():
        line = line.strip()
        if line.startswith("provision: warning: "):
            warnings.append("provision: " + line[len("provision: warning: "):])
        elif line.startswith("provision: "):
            error_line = line
    return warnings, error_line


def describe(model):
    """The target as it is planned, one `key: value` line each."""
    keys = ("base", "tag", "quantization")
    lines = ["model: %s" % model.get("name")]
    lines.extend("%s: %s" % (key, model.get(key)) for key in keys if model.get(key) is not None)
    return lines


def model_diff(model):
    """before/after texts of one model from its reason: `num_ctx 8192 → 4096` is
    `num_ctx 8192` before and `num_ctx 4096` after; other notes are comments."""
    name = model.get("name")
    parts = split_quoted(model.get("reason") or "", "; ")
    before, after = [], []
    if parts[0] == "not installed":
        after = describe(model)
        parts = parts[1:]
    for part in parts:
        halves = split_quoted(part, ARROW)
        if len(halves) == 2 and " " in halves[0]:
            field, old = halves[0].split(" ", 1)
            before.append("%s %s" % (field, old))
            after.append("%s %s" % (field, halves[1]))
        else:
            after.append("# %s" % part)
    status = model.get("status")
    return dict(
        before_header="%s (installed)" % name,
        after_header="%s (%s)" % (name, "would change" if status == "planned" else status),
        before="".join(line + "\n" for line in before),
        after="".join(line + "\n" for line in after),
    )


def diffs(report):
    """Ansible's diff list: one entry per model that changed or would change,
    plus the server environment when it changed."""
    result = [model_diff(m) for m in report.get("models") or [] if isinstance(m, dict) and m.get("status") in WROTE + ("planned",)]
    if server_env_changed(report):
        server = report["server_env"]
        text = server.get("reason") or server.get("diff") or server
        result.append(dict(prepared="server environment: %s\n" % (text,)))
    return result
