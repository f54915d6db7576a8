"""Hostile input against the real gateway: bytes that are not UTF-8, slow and vanishing clients,
connection floods, upgrade tricks, dot-segment paths, absolute-form schemes, header floods,
broken chunked bodies, HTTP/1.0 pipelining, trailers, request-id seeds and local replies that
keep the connection. Each answer must be bounded and right, and the process must live on."""

import json
import os
import socket
import sys
import tempfile
import threading
import time
import unittest
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gwtest  # noqa: E402
import harness  # noqa: E402


class RawUpstream:
    """A TCP server on 127.0.0.1 whose every connection is handed to `handler(sock)` in a thread.
    `closed` records, per connection, the time the peer (the gateway) closed it."""

    def __init__(self, handler):
        self.handler = handler
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        self.port = self.sock.getsockname()[1]
        self.accepted = 0
        self.closed_at = []
        self.lock = threading.Lock()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            with self.lock:
                self.accepted += 1
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn):
        try:
            self.handler(conn)
        except OSError:
            pass
        finally:
            conn.close()

    def note_closed(self):
        with self.lock:
            self.closed_at.append(time.monotonic())

    def stop(self):
        self.sock.close()


def once(port, method, path, host, headers=None, as_json=False):
    """One request on its own keep-alive client, closed afterwards."""
    c = gwtest.Client(port)
    try:
        return c.json(method, path, host=host, headers=headers) if as_json else c.request(method, path, host=host, headers=headers)
    finally:
        c.close()


def read_request(conn):
    """Reads one request head plus a chunked or sized body; returns (head text, raw body bytes)."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(65536)
        if not chunk:
            return None, b""
        data += chunk
    head, _, rest = data.partition(b"\r\n\r\n")
    text = head.decode("latin-1")
    lower = text.lower()
    if "transfer-encoding: chunked" in lower:
        while not (rest.endswith(b"\r\n\r\n") and (b"\r\n0\r\n" in rest or rest.startswith(b"0\r\n"))):
            chunk = conn.recv(65536)
            if not chunk:
                break
            rest += chunk
    return text, rest


def silent_handler(up):
    """Reads a request, never answers, and notes when the gateway closes the connection."""
    def handle(conn):
        read_request(conn)
        conn.settimeout(30)
        try:
            while conn.recv(1024):
                pass
        except OSError:
            pass
        up[0].note_closed()
    return handle


def switching_handler(conn):
    """Accepts any upgrade: answers 101 with `Upgrade: h2c` (a backend that would speak HTTP/2)."""
    read_request(conn)
    conn.sendall(b"HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: h2c\r\n\r\n")
    time.sleep(0.5)


def trailers_handler(captured):
    """Records the request body bytes; answers chunked with a trailer."""
    def handle(conn):
        while True:
            head, body = read_request(conn)
            if head is None:
                return
            captured.append(body)
            conn.sendall(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nTrailer: x-checksum\r\n\r\n"
                         b"5\r\nhello\r\n0\r\nx-checksum: abc123\r\n\r\n")
    return handle


def yaml_config(port, redirect_port, up, raw_ports):
    silent_port, switching_port, trailers_port = raw_ports
    return [
        gwtest.gateway("gw", port, ["*"]),
        f"""
apiVersion: networking.istio.io/v1
kind: Gateway
metadata:
  name: redirecting
  namespace: default
spec:
  selector:
    istio: ingressgateway
  servers:
  - port:
      number: {redirect_port}
      name: http-redirect
      protocol: HTTP
    hosts: ["*"]
    tls:
      httpsRedirect: true
""",
        gwtest.service("echo.default.svc.cluster.local", [gwtest.upstream_endpoint(up)]),
        gwtest.service("silent.default.svc.cluster.local", [("127.0.0.1", silent_port, {})]),
        gwtest.service("switching.default.svc.cluster.local", [("127.0.0.1", switching_port, {})]),
        gwtest.service("trailers.default.svc.cluster.local", [("127.0.0.1", trailers_port, {})]),
        """
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: echo
  namespace: default
spec:
  hosts: ["echo.example.com"]
  gateways: [gw, redirecting]
  http:
  - match:
    - uri: {prefix: /admin}
    directResponse: {status: 403, body: {string: "admin is private"}}
  - match:
    - scheme: {exact: https}
    directResponse: {status: 200, body: {string: "secure only"}}
  - match:
    - uri: {prefix: /silent}
    route:
    - destination: {host: silent}
  - match:
    - uri: {prefix: /switching}
    route:
    - destination: {host: switching}
  - match:
    - uri: {prefix: /trailers}
    route:
    - destination: {host: trailers}
  - match:
    - uri: {prefix: /nowhere}
    route:
    - destination: {host: echo, subset: missing}
    headers:
      request:
        set: {x-configured: "yes"}
  - headers:
      request:
        set: {x-configured: "yes"}
    route:
    - destination: {host: echo}
""",
    ]


class HostileInputTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.up = harness.start_upstream("echo", "v1")
        holder = [None]
        cls.silent = RawUpstream(silent_handler(holder))
        holder[0] = cls.silent
        cls.switching = RawUpstream(switching_handler)
        cls.trailer_bodies = []
        cls.trailers = RawUpstream(trailers_handler(cls.trailer_bodies))
        cls.port = harness.free_port()
        cls.redirect_port = harness.free_port()
        cls.admin_port = harness.free_port()
        cls.log_path = os.path.join(tempfile.mkdtemp(prefix="sy-hostile-"), "access.json")
        cls.gw = gwtest.start_gateway(
            yaml_config(cls.port, cls.redirect_port, cls.up, (cls.silent.port, cls.switching.port, cls.trailers.port)),
            listen_ports=[cls.port, cls.redirect_port],
            extra_args=["--header-timeout-ms", "1000", "--stream-idle-timeout-ms", "1500",
                        "--access-log", cls.log_path, "--access-log-format", "json",
                        "--admin", f"127.0.0.1:{cls.admin_port}"])

    @classmethod
    def tearDownClass(cls):
        cls.gw.stop()
        cls.up.stop()
        for r in (cls.silent, cls.switching, cls.trailers):
            r.stop()

    def assert_alive(self):
        self.assertTrue(self.gw.alive(), self.gw.describe())
        status, _, _ = once(self.port, "GET", "/", "echo.example.com")
        self.assertEqual(status, 200)

    def access_log_lines(self):
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            with open(self.log_path, "rb") as f:
                lines = f.read().splitlines()
            if lines:
                return lines
            time.sleep(0.1)
        return []

    # Scenario: a path and a header with bytes >= 0x80 are logged as escaped JSON; the process lives.
    def test_invalid_utf8_in_json_log(self):
        out, _ = gwtest.raw_exchange(self.port, b"GET /\xff\xfe HTTP/1.1\r\nHost: nobody.example.com\r\n"
                                                 b"User-Agent: bad\xc3(\r\nConnection: close\r\n\r\n")
        self.assertEqual(gwtest.status_of(out), 404)
        self.assert_alive()
        found = None
        deadline = time.monotonic() + 8  # the per-worker log buffer is flushed on a timer
        while found is None and time.monotonic() < deadline:
            for line in self.access_log_lines():
                entry = json.loads(line)  # every line is valid JSON
                if entry["path"].startswith("/\\x"):
                    found = entry
            time.sleep(0.2)
        self.assertIsNotNone(found)
        self.assertEqual(found["path"], "/\\xff\\xfe")
        self.assertEqual(found["user_agent"], "bad\\xc3(")

    # Scenario: the admin explain endpoint with a %FF in its URL answers and the process lives.
    def test_invalid_utf8_in_admin_explain(self):
        url = "http://echo.example.com/" + "%FF%FE"
        status, _, body = harness.http("GET", f"http://127.0.0.1:{self.admin_port}/explain?method=GET&url="
                                       + urllib.parse.quote(url, safe=""))
        self.assertIn(status, (200, 400))
        json.loads(body)
        self.assert_alive()

    # Scenario: a client trickling its head one byte every 300 ms is cut off by the whole-head deadline.
    def test_trickled_head_is_cut_off(self):
        s = socket.create_connection(("127.0.0.1", self.port), timeout=5)
        start = time.monotonic()
        closed_after = None
        try:
            for b in b"GET / HTTP/1.1\r\nHost: echo.example.com\r\nX-Slow: " + b"a" * 40:
                try:
                    s.sendall(bytes([b]))
                    s.settimeout(0.3)
                    if s.recv(1) == b"":
                        closed_after = time.monotonic() - start
                        break
                except socket.timeout:
                    continue
                except (BrokenPipeError, ConnectionResetError):
                    closed_after = time.monotonic() - start
                    break
        finally:
            s.close()
        self.assertIsNotNone(closed_after, "the trickling client kept its connection")
        self.assertLess(closed_after, 3.0)

    # Scenario: a silent upstream with no route timeout gets 408 SI after the stream idle timeout.
    def test_silent_upstream_stream_idle(self):
        start = time.monotonic()
        status, hdrs, body = once(self.port, "GET", "/silent/idle", "echo.example.com")
        elapsed = time.monotonic() - start
        self.assertEqual(status, 408, body)
        self.assertIn("SI", hdrs.get("x-switchyard-reason", ""))
        self.assertGreater(elapsed, 1.0)
        self.assertLess(elapsed, 4.0)

    # Scenario: a client that gives up while the upstream is silent frees the upstream within ~1 s.
    def test_client_gone_releases_upstream(self):
        before = len(self.silent.closed_at)
        s = socket.create_connection(("127.0.0.1", self.port), timeout=5)
        s.sendall(b"GET /silent/gone HTTP/1.1\r\nHost: echo.example.com\r\n\r\n")
        time.sleep(0.3)  # the request reached the upstream
        gone_at = time.monotonic()
        s.close()
        deadline = time.monotonic() + 3
        while len(self.silent.closed_at) <= before and time.monotonic() < deadline:
            time.sleep(0.05)
        self.assertGreater(len(self.silent.closed_at), before, "upstream connection still open")
        self.assertLess(self.silent.closed_at[-1] - gone_at, 1.5)

    # Scenario: Upgrade: h2c is not honoured; the request is served as HTTP/1.1 without upgrade headers.
    def test_h2c_upgrade_removed(self):
        status, _, body = once(self.port, "GET", "/", "echo.example.com", as_json=True, headers={
            "Connection": "Upgrade, HTTP2-Settings", "Upgrade": "h2c", "HTTP2-Settings": "AAMAAABkAAQCAAAAAAIAAAAA"})
        self.assertEqual(status, 200)
        seen = body["headers"]
        for h in ("upgrade", "http2-settings"):
            self.assertNotIn(h, seen)

    # Scenario: an upstream answering 101 to a request that offered no (WebSocket) upgrade is a 502 UPE.
    def test_unrequested_101_is_502(self):
        status, hdrs, _ = once(self.port, "GET", "/switching", "echo.example.com",
                               headers={"Connection": "Upgrade", "Upgrade": "h2c"})
        self.assertEqual(status, 502)
        self.assertIn("UPE", hdrs.get("x-switchyard-reason", ""))

    # Scenario: dot segments, encoded dots and backslashes cannot reach around a deny rule; %00 is 400.
    def test_path_normalization(self):
        c = gwtest.Client(self.port)
        self.addCleanup(c.close)
        for path in ("/public/../admin/users", "/public/%2e%2e/admin", "/./admin", "/public/..%5Cadmin",
                     "/%61dmin/x"):
            with self.subTest(path):
                status, _, body = c.get(path, host="echo.example.com")
                if path == "/public/..%5Cadmin":  # %5C stays encoded in BASE: one segment, not a deny
                    self.assertEqual(status, 200)
                    continue
                self.assertEqual((status, body), (403, b"admin is private"))
        status, _, body = c.json("GET", "/a/./b/../c?q=/../x", host="echo.example.com")
        self.assertEqual(status, 200)
        self.assertEqual(body["path"], "/a/c")  # the upstream receives the normalized path
        out, _ = gwtest.raw_exchange(self.port, b"GET /a%00b HTTP/1.1\r\nHost: echo.example.com\r\nConnection: close\r\n\r\n")
        self.assertEqual(gwtest.status_of(out), 400)

    # Scenario: an absolute-form https target on a plaintext port neither skips httpsRedirect nor matches scheme https.
    def test_absolute_form_scheme_ignored(self):
        out, _ = gwtest.raw_exchange(self.redirect_port,
                                     b"GET https://echo.example.com/x HTTP/1.1\r\nHost: echo.example.com\r\n"
                                     b"Connection: close\r\n\r\n")
        self.assertEqual(gwtest.status_of(out), 301, out[:300])
        out, _ = gwtest.raw_exchange(self.port, b"GET https://echo.example.com/x HTTP/1.1\r\nHost: echo.example.com\r\n"
                                                b"Connection: close\r\n\r\n")
        self.assertEqual(gwtest.status_of(out), 200)
        self.assertNotIn(b"secure only", out)
        self.assertIn(b'"x-forwarded-proto":"http"', out.replace(b" ", b""))

    # Scenario: 100 request headers pass with every configured header added; 101 headers get 431.
    def test_header_count_limit(self):
        fields = b"".join(b"X-H%d: v\r\n" % i for i in range(98))  # + Host + Connection = 100
        out, _ = gwtest.raw_exchange(self.port, b"GET / HTTP/1.1\r\nHost: echo.example.com\r\nConnection: close\r\n"
                                     + fields + b"\r\n")
        self.assertEqual(gwtest.status_of(out), 200, out[:300])
        seen = json.loads(out.partition(b"\r\n\r\n")[2])["headers"]
        self.assertEqual(seen.get("x-configured"), "yes")
        self.assertIn("x-request-id", seen)
        self.assertIn("x-forwarded-for", seen)
        head = b"GET / HTTP/1.1\r\nHost: echo.example.com\r\n" + b"".join(b"X-H%d: v\r\n" % i for i in range(100)) + b"\r\n"
        out, _ = gwtest.raw_exchange(self.port, head)
        self.assertEqual(gwtest.status_of(out), 431)

    # Scenario: a malformed chunked body is answered 400 and the connection closed.
    def test_malformed_chunked_is_400(self):
        out, closed = gwtest.raw_exchange(self.port, b"POST / HTTP/1.1\r\nHost: echo.example.com\r\n"
                                                     b"Transfer-Encoding: chunked\r\n\r\n5\r\nhello\r\nzz\r\n\r\n")
        self.assertEqual(gwtest.status_of(out), 400, out[:300])
        self.assertTrue(closed)

    # Scenario: two pipelined HTTP/1.0 keep-alive requests both get answers on one connection.
    def test_http10_keepalive_pipelined(self):
        req = b"GET / HTTP/1.0\r\nHost: echo.example.com\r\nConnection: keep-alive\r\n\r\n"
        s = socket.create_connection(("127.0.0.1", self.port), timeout=5)
        try:
            s.sendall(req + req)
            data = b""
            deadline = time.monotonic() + 5
            while data.count(b"HTTP/1.1 200") < 2 and time.monotonic() < deadline:
                chunk = s.recv(65536)
                if not chunk:
                    break
                data += chunk
            self.assertEqual(data.count(b"HTTP/1.1 200"), 2, data[:500])
            self.assertIn(b"Connection: keep-alive", data)
        finally:
            s.close()

    # Scenario: request trailers reach the upstream; response trailers reach a client that sent TE: trailers only.
    def test_trailers(self):
        body = b"5\r\nhello\r\n0\r\nx-request-sum: 42\r\n\r\n"
        req = (b"POST /trailers HTTP/1.1\r\nHost: echo.example.com\r\nTransfer-Encoding: chunked\r\n"
               b"TE: trailers\r\nConnection: close\r\n\r\n" + body)
        out, _ = gwtest.raw_exchange(self.port, req)
        self.assertEqual(gwtest.status_of(out), 200, out[:300])
        self.assertIn(b"x-checksum: abc123", out)
        self.assertIn(b"x-request-sum: 42", self.trailer_bodies[-1])
        out, _ = gwtest.raw_exchange(self.port, req.replace(b"TE: trailers\r\n", b""))
        self.assertEqual(gwtest.status_of(out), 200)
        self.assertNotIn(b"x-checksum", out)

    # Scenario: local replies (404 NR, 503 NC) keep the client's keep-alive connection.
    def test_local_replies_keep_connection(self):
        c = gwtest.Client(self.port)
        self.assertEqual(c.get("/", host="nobody.example.com")[0], 404)
        self.assertEqual(c.get("/nowhere", host="echo.example.com")[0], 503)
        self.assertEqual(c.get("/", host="echo.example.com")[0], 200)
        self.assertEqual(c.connects, 1)
        c.close()


class ConnectionLimitTest(unittest.TestCase):
    # Scenario: over --max-connections a new connection is closed at once; a freed place serves again.
    def test_max_connections(self):
        up = harness.start_upstream("echo", "v1")
        port, admin = harness.free_port(), harness.free_port()
        gw = gwtest.start_gateway([gwtest.gateway("gw", port, ["*"]),
                                   gwtest.service("echo.default.svc.cluster.local", [gwtest.upstream_endpoint(up)]),
                                   gwtest.route_all("echo", "echo")],
                                  listen_ports=[port], extra_args=["--max-connections", "3", "--admin", f"127.0.0.1:{admin}"])
        held = []
        try:
            for _ in range(3):
                s = socket.create_connection(("127.0.0.1", port), timeout=5)
                s.sendall(b"GET / HTTP/1.1\r\nHost: echo.example.com\r\n\r\n")
                gwtest.status_of(s.recv(65536))
                held.append(s)
            extra = socket.create_connection(("127.0.0.1", port), timeout=2)
            extra.sendall(b"GET / HTTP/1.1\r\nHost: echo.example.com\r\n\r\n")
            try:
                self.assertEqual(extra.recv(100), b"")  # closed without an answer
            except ConnectionResetError:
                pass
            extra.close()
            held.pop().close()
            time.sleep(0.3)
            self.assertEqual(once(port, "GET", "/", "echo.example.com")[0], 200)
            _, _, metrics = harness.http("GET", f"http://127.0.0.1:{admin}/stats/prometheus")
            overflow = [l for l in metrics.decode().splitlines() if l.startswith("envoy_listener_downstream_cx_overflow{")]
            self.assertTrue(any(not l.endswith(" 0") for l in overflow), overflow)
        finally:
            for s in held:
                s.close()
            gw.stop()
            up.stop()


class OverloadGuardTest(unittest.TestCase):
    # Scenario: resident memory above --overload-memory-mb: new connections are accepted and closed
    # without an answer and counted; the admin listener still answers; with the guard off the same
    # config serves.
    def test_memory_overload_sheds_new_connections(self):
        up = harness.start_upstream("echo", "v1")
        docs = [gwtest.gateway("gw", 0, ["*"]), gwtest.service("echo.default.svc.cluster.local", [gwtest.upstream_endpoint(up)]),
                gwtest.route_all("echo", "echo")]
        try:
            port, admin = harness.free_port(), harness.free_port()
            docs[0] = gwtest.gateway("gw", port, ["*"])
            # 1 MiB is far below any process's resident set: the guard sheds from its first sample.
            gw = gwtest.start_gateway(docs, listen_ports=[port],
                                      extra_args=["--overload-memory-mb", "1", "--admin", f"127.0.0.1:{admin}"])
            try:
                time.sleep(0.6)  # a sample every 250 ms
                raw, closed = gwtest.raw_exchange(port, b"GET / HTTP/1.1\r\nHost: echo.example.com\r\n\r\n", read_timeout=3)
                self.assertEqual(raw, b"")
                self.assertTrue(closed)
                _, _, metrics = harness.http("GET", f"http://127.0.0.1:{admin}/stats/prometheus")
                rejected = [l for l in metrics.decode().splitlines()
                            if l.startswith("envoy_listener_downstream_cx_overload_reject{")]
                self.assertTrue(any(not l.endswith(" 0") for l in rejected), rejected)
                self.assertIn("overload: resident memory", gw.describe())
            finally:
                gw.stop()
            port = harness.free_port()
            docs[0] = gwtest.gateway("gw", port, ["*"])
            gw = gwtest.start_gateway(docs, listen_ports=[port], extra_args=["--overload-memory-mb", "0", "--admin", "off"])
            try:
                time.sleep(0.6)
                self.assertEqual(once(port, "GET", "/", "echo.example.com")[0], 200)
            finally:
                gw.stop()
        finally:
            up.stop()


class SeedTest(unittest.TestCase):
    # Scenario: two gateway processes stamp different x-request-id sequences.
    def test_request_ids_differ_between_processes(self):
        up = harness.start_upstream("echo", "v1")
        ids = []
        try:
            for _ in range(2):
                port = harness.free_port()
                gw = gwtest.start_gateway([gwtest.gateway("gw", port, ["*"]),
                                           gwtest.service("echo.default.svc.cluster.local", [gwtest.upstream_endpoint(up)]),
                                           gwtest.route_all("echo", "echo")], listen_ports=[port], workers=1)
                try:
                    _, _, body = once(port, "GET", "/", "echo.example.com", as_json=True)
                    ids.append(body["headers"]["x-request-id"])
                finally:
                    gw.stop()
        finally:
            up.stop()
        self.assertNotEqual(ids[0], ids[1])


if __name__ == "__main__":
    harness.main()
