"""`ollama ps` and GET /api/ps (cmd/cmd.go ListRunningHandler, server/routes.go PsHandler)."""

import sys

from .env import E, heartbeat
from .fmt import human_bytes, human_time, now_rfc3339, table
from .sched import read_loaded


def running():
    """The loaded models, longest remaining keep-alive first (PsHandler's sort)."""
    return sorted(read_loaded(), key=lambda e: -int(e["expires_at"]))


def api_ps():
    """The /api/ps body; context_length only where the era has it (since 0.9.7)."""
    models = []
    for e in running():
        item = dict(name=e["name"], model=e["name"], size=e["size"], digest=e["digest"],
                    details=dict(e.get("details") or {}, parent_model=""),
                    expires_at=now_rfc3339(e["expires_at"]),
                    size_vram=e["size_vram"])
        if E["ps_context"]:
            item["context_length"] = e["context_length"]
        models.append(item)
    return {"models": models}


def processor(size, vram):
    """The PROCESSOR column."""
    if vram == 0:
        return "100% CPU"
    if vram == size:
        return "100% GPU"
    if vram > size or size == 0:
        return "Unknown"
    cpu = int((size - vram) / size * 100 + 0.5)  # math.Round: halves away from zero
    return "%d%%/%d%% CPU/GPU" % (cpu, 100 - cpu)


def cmd_ps(args):
    heartbeat()
    rows = []
    for e in running():
        if args and not e["name"].startswith(args[0]):
            continue
        row = [e["name"], e["digest"][:12], human_bytes(e["size"]),
               processor(e["size"], e["size_vram"])]
        if E["ps_context"]:
            row.append(str(e["context_length"]))
        rows.append(row + [human_time(e["expires_at"])])
    header = ["NAME", "ID", "SIZE", "PROCESSOR"] + (["CONTEXT"] if E["ps_context"] else [])
    padding = "    " if E["spaces"] else "\t"
    sys.stdout.write(table(rows, padding, header + ["UNTIL"]))
    return 0
