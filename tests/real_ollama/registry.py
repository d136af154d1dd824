#!/usr/bin/env python3
"""A stand-in for registry.ollama.ai that a real Ollama server pulls from, offline.

The server honours HTTPS_PROXY: it sends `CONNECT registry.ollama.ai:443` here, and we
answer with TLS from the test CA (the server trusts it through SSL_CERT_FILE). Inside
the tunnel we serve what Ollama 0.5.4's puller asks for (server/images.go
`pullModelManifest`, server/download.go `Prepare`/`run`/`downloadChunk` at v0.5.4):

* `GET /v2/<ns>/<model>/manifests/<tag>`: the manifest file of an Ollama model store
  (`--store`, laid out as `manifests/registry.ollama.ai/<ns>/<model>/<tag>`), so the
  manifests are exactly as Ollama writes them; unknown tags get the registry's 404.
* `HEAD …/blobs/<digest>`: 200 with Content-Length (the downloader sizes its parts so).
* `GET …/blobs/<digest>`: 307 to the blob on a *different* host (CDN_HOST, also served
  through this proxy). 0.5.4 stops at the first redirect to another host and fails with
  "http: no Location header in response" when none comes.
* `GET https://CDN_HOST/blobs/<digest>` with `Range: bytes=A-B`: 206 and those bytes.

A fault, read from `<state>/faults.json` at every
request so a test can change it while the server runs, stops a blob mid-transfer:
`{"blobs": {"sha256:…": {"after": N}}}` sends the first N bytes, then holds the
connection open and sends nothing more (an interrupted download) until the fault is
removed. Every request (and each stall) is appended to `<state>/requests.jsonl`.
Listens on 127.0.0.1 only; prints `listening PORT` first.

    python3 registry.py --store DIR --cert PEM --key PEM --state DIR [--port N]
"""

import argparse
import http.server
import json
import os
import re
import socketserver
import ssl
import threading
import time

REGISTRY_HOST = "registry.ollama.ai"
CDN_HOST = "registry-cdn.test"  # .test is reserved: it can never be a real host
MANIFEST_TYPE = "application/vnd.docker.distribution.manifest.v2+json"
MANIFEST = re.compile(r"^/v2/([^/]+)/([^/]+)/manifests/([^/?#]+)$")
BLOB = re.compile(r"^/v2/([^/]+)/([^/]+)/blobs/(sha256:[0-9a-f]{64})$")
CDN_BLOB = re.compile(r"^/blobs/(sha256:[0-9a-f]{64})(\?.*)?$")
RANGE = re.compile(r"^bytes=(\d+)-(\d*)$")
CHUNK = 64 * 1024


class Stand:
    """What the handlers share: the store, the state directory and the TLS context."""

    def __init__(self, store, state, cert, key):
        self.store = store
        self.state = state
        self.tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        self.tls.load_cert_chain(cert, key)
        self.log_lock = threading.Lock()

    def faults(self):
        try:
            with open(os.path.join(self.state, "faults.json"), encoding="utf-8") as f:
                return json.load(f)
        except (OSError, ValueError):
            return {}

    def log(self, **entry):
        entry["time"] = round(time.time(), 3)
        line = json.dumps(entry) + "\n"
        with self.log_lock, open(os.path.join(self.state, "requests.jsonl"), "a") as f:
            f.write(line)

    def blob_path(self, digest):
        return os.path.join(self.store, "blobs", digest.replace(":", "-"))


class Proxy(http.server.BaseHTTPRequestHandler):
    """The outer connection: only CONNECT to the two registry hosts is answered."""

    protocol_version = "HTTP/1.1"

    def do_CONNECT(self):
        host, _, port = self.path.rpartition(":")
        stand = self.server.stand
        if host not in (REGISTRY_HOST, CDN_HOST) or port != "443":
            stand.log(method="CONNECT", host=host, status=403)
            self.send_error(403, "the stand-in registry only tunnels to its own hosts")
            return
        self.send_response(200, "Connection established")
        self.end_headers()
        try:
            tunnel = stand.tls.wrap_socket(self.connection, server_side=True)
        except (ssl.SSLError, OSError) as error:
            stand.log(method="CONNECT", host=host, error=str(error))
            self.close_connection = True
            return
        Registry(tunnel, self.client_address, self.server)
        self.close_connection = True

    def do_GET(self):
        self.send_error(405, "the stand-in registry is an HTTPS proxy: use CONNECT")

    def log_message(self, *args):
        pass


class Registry(http.server.BaseHTTPRequestHandler):
    """Requests inside a tunnel, for either host."""

    protocol_version = "HTTP/1.1"

    def do_HEAD(self):
        self.route(head=True)

    def do_GET(self):
        self.route(head=False)

    def route(self, head):
        stand = self.server.stand
        host = (self.headers.get("Host") or "").split(":")[0]
        if host == CDN_HOST:
            match = CDN_BLOB.match(self.path)
            if match and not head:
                return self.cdn_blob(stand, match.group(1))
        elif MANIFEST.match(self.path):
            return self.manifest(stand, *MANIFEST.match(self.path).groups(), head=head)
        elif BLOB.match(self.path):
            return self.blob(stand, BLOB.match(self.path).group(3), head=head)
        self.answer(404, b"404 page not found\n", "text/plain; charset=utf-8", head)

    def manifest(self, stand, namespace, model, tag, head):
        path = os.path.join(stand.store, "manifests", REGISTRY_HOST, namespace, model, tag)
        try:
            with open(path, "rb") as f:
                body = f.read()
        except OSError:
            body = errors("MANIFEST_UNKNOWN", "manifest unknown", {"Tag": tag})
            return self.answer(404, body, "application/json; charset=utf-8", head)
        self.answer(200, body, MANIFEST_TYPE, head)

    def blob(self, stand, digest, head):
        path = stand.blob_path(digest)
        if not os.path.isfile(path):
            body = errors("BLOB_UNKNOWN", "blob unknown to registry", digest)
            return self.answer(404, body, "application/json; charset=utf-8", head)
        if head:
            self.send_response(200)
            self.send_header("Content-Length", str(os.path.getsize(path)))
            self.send_header("Content-Type", "application/octet-stream")
            self.end_headers()
            return stand.log(method="HEAD", host=REGISTRY_HOST, path=self.path, status=200)
        self.send_response(307)
        self.send_header("Location", f"https://{CDN_HOST}/blobs/{digest}?expires=never")
        self.send_header("Content-Length", "0")
        self.end_headers()
        stand.log(method="GET", host=REGISTRY_HOST, path=self.path, status=307)

    def cdn_blob(self, stand, digest):
        path = stand.blob_path(digest)
        if not os.path.isfile(path):
            return self.answer(404, b"NoSuchKey\n", "text/plain", False)
        size = os.path.getsize(path)
        start, end = 0, size - 1
        wanted = self.headers.get("Range")
        match = RANGE.match(wanted or "")
        if match:
            start = int(match.group(1))
            end = min(int(match.group(2)), size - 1) if match.group(2) else size - 1
        if start > end:
            self.send_response(416)
            self.send_header("Content-Range", f"bytes */{size}")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return stand.log(method="GET", host=CDN_HOST, digest=digest, range=wanted, status=416)
        self.send_response(206 if match else 200)
        if match:
            self.send_header("Content-Range", f"bytes {start}-{end}/{size}")
        self.send_header("Content-Length", str(end - start + 1))
        self.send_header("Content-Type", "application/octet-stream")
        self.end_headers()
        sent = self.send_file(stand, path, digest, start, end + 1)
        stand.log(method="GET", host=CDN_HOST, digest=digest, range=wanted,
                  status=206 if match else 200, start=start, sent=sent)

    def send_file(self, stand, path, digest, start, stop):
        """Sends bytes [start, stop), stalling where a fault on this digest says; returns
        the count."""
        sent = 0
        with open(path, "rb") as f:
            f.seek(start)
            while start + sent < stop:
                fault = stand.faults().get("blobs", {}).get(digest)
                if fault and start + sent >= int(fault.get("after", 0)):
                    stand.log(event="stalled", digest=digest, at=start + sent)
                    wait_for_fault_removed(stand, digest)
                    continue
                limit = stop - start - sent
                if fault:
                    limit = min(limit, int(fault.get("after", 0)) - start - sent)
                data = f.read(min(CHUNK, limit))
                try:
                    self.wfile.write(data)
                    self.wfile.flush()
                except OSError:
                    return sent
                sent += len(data)
        return sent

    def answer(self, status, body, content_type, head):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Docker-Distribution-Api-Version", "registry/2.0")
        self.end_headers()
        if not head:
            self.wfile.write(body)
        host = (self.headers.get("Host") or "").split(":")[0]
        self.server.stand.log(method=self.command, host=host, path=self.path, status=status)

    def log_message(self, *args):
        pass


def wait_for_fault_removed(stand, digest):
    """Holds a transfer (its thread) until the test removes the fault; the thread is a
    daemon, so a registry stopped meanwhile just ends."""
    while digest in stand.faults().get("blobs", {}):
        time.sleep(0.05)


def errors(code, message, detail):
    return json.dumps({"errors": [{"code": code, "message": message, "detail": detail}]}).encode()


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True


def main():
    parser = argparse.ArgumentParser(description="Stand-in registry.ollama.ai (HTTPS proxy).")
    parser.add_argument("--store", required=True, help="an Ollama model store to serve")
    parser.add_argument("--cert", required=True, help="leaf certificate chain (PEM)")
    parser.add_argument("--key", required=True, help="leaf private key (PEM)")
    parser.add_argument("--state", required=True, help="faults.json in, requests.jsonl out")
    parser.add_argument("--port", type=int, default=0, help="0: any free port")
    args = parser.parse_args()
    server = Server(("127.0.0.1", args.port), Proxy)
    server.stand = Stand(args.store, args.state, args.cert, args.key)
    print(f"listening {server.server_address[1]}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
