"""A tiny scripted HTTP/1.1 upstream in the test process, for behaviour demo-upstream does not
offer per endpoint: answer every request with a fixed status and/or after a fixed delay, and
record each request's Host header, body (Content-Length or chunked) and client port. Standard
library only; keep-alive supported."""

import http.server
import threading
import time


class ScriptedUpstream:
    """Serves on 127.0.0.1:<free port>. `status` and `delay` (seconds) apply to every request;
    `requests` lists (method, path, host) in arrival order; `bodies` and `peers` (the gateway's
    source port, i.e. which connection carried it) run parallel to it."""

    def __init__(self, status=200, delay=0.0, body=b"scripted\n"):
        self.status = status
        self.delay = delay
        self.body = body
        self.requests = []
        self.bodies = []
        self.peers = []
        self.lock = threading.Lock()
        owner = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):  # quiet
                pass

            def _serve(self):
                body = self._read_body()
                with owner.lock:
                    owner.requests.append((self.command, self.path, self.headers.get("Host", "")))
                    owner.bodies.append(body)
                    owner.peers.append(self.client_address[1])
                if owner.delay:
                    time.sleep(owner.delay)
                self.send_response(owner.status)
                self.send_header("Content-Type", "text/plain")
                self.send_header("Content-Length", str(len(owner.body)))
                self.send_header("x-upstream-name", "scripted")
                self.end_headers()
                self.wfile.write(owner.body)

            def _read_body(self):
                if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
                    out = b""
                    while True:
                        size = int(self.rfile.readline().split(b";")[0], 16)
                        if size == 0:
                            while self.rfile.readline() not in (b"\r\n", b""):  # trailers
                                pass
                            return out
                        out += self.rfile.read(size)
                        self.rfile.readline()
                length = int(self.headers.get("Content-Length") or 0)
                return self.rfile.read(length) if length else b""

            do_GET = do_POST = do_PUT = do_DELETE = _serve

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self.thread.start()

    def count(self):
        with self.lock:
            return len(self.requests)

    def hosts(self):
        with self.lock:
            return [h for _, _, h in self.requests]

    def wait_for(self, n, timeout=5.0):
        deadline = time.monotonic() + timeout
        while self.count() < n and time.monotonic() < deadline:
            time.sleep(0.02)
        return self.count()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()
