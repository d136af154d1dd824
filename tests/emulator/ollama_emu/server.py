"""`ollama serve`: HTTP/1.1 on OLLAMA_HOST (loopback only) over the emulator's store
(server/routes.go GenerateRoutes at v0.33.0-rc2, the subset below)."""

import ipaddress
import json
import os
import signal
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from .env import BAD_REQUEST, E, NOT_FOUND, Fail, env_float, string_field
from .fmt import go_json, now_rfc3339
from .generate import generate
from .listing import api_tags
from .ps import api_ps
from .sched import memory

MAX_BODY = 8 << 20  # request bodies beyond this are refused, never read
LOG_LOCK = threading.Lock()


def bind_address():
    """envconfig.Host(): [scheme://]host[:port], port 11434 by default."""
    raw = os.environ.get("OLLAMA_HOST", "").strip()
    scheme, sep, hostport = raw.partition("://")
    if not sep:
        scheme, hostport = "http", raw
    default_port = {"http": 80, "https": 443}.get(scheme, 11434) if sep else 11434
    hostport = hostport.partition("/")[0]
    host, port = "127.0.0.1", default_port
    if hostport.startswith("[") and "]:" in hostport:
        host, _, port_text = hostport[1:].partition("]:")
        port = int(port_text) if port_text.isdigit() else default_port
    elif hostport.count(":") == 1:
        host, _, port_text = hostport.partition(":")
        port = int(port_text) if port_text.isdigit() and int(port_text) < 65536 else default_port
    elif hostport:
        host = hostport.strip("[]")
    return host, port


def loopback(host):
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def show(req):
    """POST /api/show."""
    from .modelinfo import model_info, show_payload
    from .show import lookup, show_modelfile
    raw = string_field(req, "model", "ShowRequest") or string_field(req, "name", "ShowRequest")
    if not raw:
        raise Fail("model is required", BAD_REQUEST)
    try:
        info = lookup(raw)
    except Fail as e:
        raise Fail(e.message, NOT_FOUND if "not found" in e.message else BAD_REQUEST)
    body = show_payload(info)
    body["modelfile"] = show_modelfile(info)
    body["modified_at"] = now_rfc3339(info["modified"])
    if not E["show_needs_flag"]:  # model_info arrived with the show view, in 0.1.45
        body["model_info"] = model_info(info)
    return body


ROUTES = {("GET", "/api/version"): lambda _: {"version": E["version"]},
          ("GET", "/api/tags"): lambda _: api_tags(), ("HEAD", "/api/tags"): lambda _: api_tags(),
          ("GET", "/api/ps"): lambda _: api_ps(), ("POST", "/api/show"): show,
          ("POST", "/api/generate"): generate}


class Handler(BaseHTTPRequestHandler):
    """One connection; requests are answered in order, as gin does."""

    protocol_version = "HTTP/1.1"
    server_version = "ollama-emulator"
    log_call = None

    def do_GET(self):
        self.route("GET")

    def do_HEAD(self):
        self.route("HEAD")

    def do_POST(self):
        self.route("POST")

    def do_DELETE(self):
        self.route("DELETE")

    def log_message(self, *args):
        """The request log goes to calls.jsonl, not stderr."""

    def read_body(self):
        """The JSON body, {} when absent on a GET; raises Fail on a bad or huge body."""
        length = self.headers.get("Content-Length")
        if length is None or not length.strip().isdigit():
            if self.command == "POST":
                raise Fail("missing request body", BAD_REQUEST)
            return {}
        size = int(length)
        if size > MAX_BODY:
            self.close_connection = True  # the body stays unread
            raise Fail("request body is larger than %d bytes" % MAX_BODY, "413 Payload Too Large")
        data = self.rfile.read(size)
        if not data.strip():
            if self.command == "POST":
                raise Fail("missing request body", BAD_REQUEST)
            return {}
        try:
            body = json.loads(data)
        except ValueError as e:
            raise Fail("invalid JSON: %s" % e, BAD_REQUEST)
        if not isinstance(body, dict):
            raise Fail("json: cannot unmarshal %s into Go value of type api.Request"
                       % type(body).__name__, BAD_REQUEST)
        return body

    def route(self, method):
        path = self.path.split("?")[0]
        body, status = None, 200
        try:
            if path == "/" and method in ("GET", "HEAD"):
                return self.send(200, "Ollama is running", "text/plain; charset=utf-8")
            handler = ROUTES.get((method, path))
            if handler is None:
                status = 404
                return self.send(404, "404 page not found", "text/plain")
            body = self.read_body()
            result = handler(body)
            if isinstance(result, list):
                return self.stream(result)
            self.send(200, go_json(result), "application/json; charset=utf-8")
        except Fail as e:
            status = e.code()
            self.send(status, go_json({"error": e.message}), "application/json; charset=utf-8")
        except Exception as e:  # an emulator bug: answer it rather than drop the connection
            status = 500
            self.send(500, go_json({"error": "emulator: %s: %s" % (type(e).__name__, e)}),
                      "application/json; charset=utf-8")
        finally:
            entry = {"method": method, "path": self.path, "status": status}
            if body:
                entry["body"] = body
            with LOG_LOCK:
                type(self).log_call(None, None, entry)

    def send(self, status, text, content_type):
        data = text.encode()
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    def stream(self, objects):
        """NDJSON in chunked transfer encoding, one object per chunk."""
        self.send_response(200)
        self.send_header("Content-Type", "application/x-ndjson")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        for obj in objects:
            line = (go_json(obj) + "\n").encode()
            self.wfile.write(b"%x\r\n%s\r\n" % (len(line), line))
        self.wfile.write(b"0\r\n\r\n")


def check_environment():
    """Reads every setting once, so a bad value stops the server at start, not mid-request."""
    memory()
    env_float("OLLAMA_EMULATOR_BANDWIDTH_GBS", 20.0)
    env_float("OLLAMA_EMULATOR_CPU_BANDWIDTH_GBS", 20.0)


def serve(args, log, started):
    """Serves until SIGTERM; `log` records each request, `started` the listening server."""
    if args:
        raise Fail("accepts 0 arg(s), received %d" % len(args))
    host, port = bind_address()
    if not loopback(host):
        raise Fail("the emulator listens on loopback addresses only, not %s "
                   "(set OLLAMA_HOST=127.0.0.1:PORT)" % host)
    check_environment()
    Handler.log_call = staticmethod(log)
    try:
        server = ThreadingHTTPServer((host, port), Handler)
    except OSError as e:
        raise Fail("listen tcp %s:%d: bind: %s" % (host, port, e.strerror.lower()))
    server.daemon_threads = True
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    bound = server.server_address
    sys.stderr.write('time=%s level=INFO source=routes.go msg="Listening on %s:%d (version %s)"\n'
                     % (time.strftime("%Y-%m-%dT%H:%M:%S%z"), bound[0], bound[1], E["version"]))
    sys.stderr.flush()
    started()
    try:
        server.serve_forever(poll_interval=0.2)
    finally:
        server.server_close()
    return 0
