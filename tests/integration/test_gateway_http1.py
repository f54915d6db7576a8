"""HTTP/1.1 done properly through the real gateway: request-smuggling shapes and oversized heads
rejected, Expect: 100-continue, HEAD, hop-by-hop removal, X-Forwarded-For/-Proto, x-request-id,
chunked uploads, WebSocket tunnelling, and the idle / header-read timeouts."""

import base64
import os
import socket
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gwtest  # noqa: E402
import harness  # noqa: E402


def config(port, up):
    return [
        gwtest.gateway("gw", port, ["*"]),
        gwtest.service("echo.default.svc.cluster.local", [gwtest.upstream_endpoint(up)]),
        """
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: echo
  namespace: default
spec:
  hosts: ["echo.example.com"]
  gateways: [gw]
  http:
  - route:
    - destination:
        host: echo
""",
    ]


def read_head(sock, data=b""):
    """Reads until a blank line ends a head (`data`: bytes already received); returns (head, rest)."""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            raise ConnectionError(f"closed before a full head: {data!r}")
        data += chunk
    head, _, rest = data.partition(b"\r\n\r\n")
    return head.decode("latin-1"), rest


def ws_frame(payload, opcode=1):
    """A masked client frame (payload < 126 bytes)."""
    mask = b"\x01\x02\x03\x04"
    masked = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
    return bytes([0x80 | opcode, 0x80 | len(payload)]) + mask + masked


class GatewayHttp1Test(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.up = harness.start_upstream("echo", "v1")
        cls.port = harness.free_port()
        cls.gw = gwtest.start_gateway(config(cls.port, cls.up), listen_ports=[cls.port],
                                      extra_args=["--idle-timeout-ms", "1500", "--header-timeout-ms", "1000"])

    @classmethod
    def tearDownClass(cls):
        cls.gw.stop()
        cls.up.stop()

    def raw(self, data):
        return gwtest.raw_exchange(self.port, data)

    def assert_rejected(self, data, status=400):
        out, closed = self.raw(data)
        self.assertEqual(gwtest.status_of(out), status, out[:200])
        self.assertTrue(closed, "connection must be closed after the error")
        self.assertNotIn(b"x-upstream-name", out.lower())

    # Scenario: each request-smuggling shape gets 400 and the connection is closed, nothing forwarded.
    def test_smuggling_shapes_rejected(self):
        head = b"POST / HTTP/1.1\r\nHost: echo.example.com\r\n"
        shapes = {
            "CL+TE": head + b"Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
            "duplicate CL": head + b"Content-Length: 5\r\nContent-Length: 6\r\n\r\nhello!",
            "bad chunk size": head + b"Transfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n",
            "obs-fold": head + b"X-Folded: a\r\n  b\r\nContent-Length: 0\r\n\r\n",
            "space before colon": head + b"Content-Length : 0\r\n\r\n",
        }
        for name, data in shapes.items():
            with self.subTest(name):
                if name == "bad chunk size":
                    # The head is valid and forwarded; the body error must still end the exchange.
                    out, closed = self.raw(data)
                    self.assertTrue(closed)
                    self.assertNotEqual(gwtest.status_of(out), 200, out[:200])
                else:
                    self.assert_rejected(data)

    # Scenario: a header section over 60 KiB gets 431 and the connection is closed.
    def test_oversized_head_431(self):
        big = b"GET / HTTP/1.1\r\nHost: echo.example.com\r\n" + b"".join(
            b"X-Filler-%d: %s\r\n" % (i, b"a" * 1000) for i in range(64)) + b"\r\n"
        self.assert_rejected(big, 431)
        # Just under the limit is fine.
        ok = b"GET / HTTP/1.1\r\nHost: echo.example.com\r\nConnection: close\r\n" + b"".join(
            b"X-Filler-%d: %s\r\n" % (i, b"a" * 1000) for i in range(50)) + b"\r\n"
        out, _ = self.raw(ok)
        self.assertEqual(gwtest.status_of(out), 200)

    # Scenario: Expect: 100-continue gets an interim 100 before the body is sent, then the answer.
    def test_expect_continue(self):
        s = socket.create_connection(("127.0.0.1", self.port), timeout=5)
        try:
            s.sendall(b"PUT /up HTTP/1.1\r\nHost: echo.example.com\r\nContent-Length: 5\r\n"
                      b"Expect: 100-continue\r\n\r\n")
            head, rest = read_head(s)
            self.assertTrue(head.startswith("HTTP/1.1 100"), head)
            s.sendall(b"hello")
            data = rest
            while b'"body_bytes"' not in data or not data.rstrip().endswith(b"}"):
                chunk = s.recv(65536)
                if not chunk:
                    break
                data += chunk
            self.assertIn(b"HTTP/1.1 200", data)
            self.assertIn(b'"body_bytes":5', data)
            self.assertNotIn(b'"expect"', data)  # the gateway answered it; upstream never sees it
        finally:
            s.close()

    # Scenario: 100-continue to a request the gateway answers itself: no 100, the final answer, close.
    def test_expect_continue_local_reply(self):
        out, closed = self.raw(b"PUT /up HTTP/1.1\r\nHost: nobody.example.com\r\nContent-Length: 5\r\n"
                               b"Expect: 100-continue\r\n\r\n")
        self.assertEqual(gwtest.status_of(out), 404)
        self.assertNotIn(b"100 Continue", out)
        self.assertTrue(closed)

    # Scenario: HEAD returns the head only, and the connection carries the next request fine.
    def test_head(self):
        c = gwtest.Client(self.port)
        status, hdrs, body = c.request("HEAD", "/?size=1000", host="echo.example.com")
        self.assertEqual((status, body), (200, b""))
        self.assertEqual(hdrs.get("content-length"), "1000")
        status, _, body = c.get("/?size=10", host="echo.example.com")
        self.assertEqual((status, len(body)), (200, 10))
        self.assertEqual(c.connects, 1)
        c.close()

    # Scenario: hop-by-hop headers never cross the gateway, in either direction.
    def test_hop_by_hop_removed(self):
        c = gwtest.Client(self.port)
        status, hdrs, body = c.json("GET", "/", host="echo.example.com", headers={
            "Connection": "keep-alive, x-hop", "X-Hop": "1", "Keep-Alive": "timeout=5", "TE": "trailers",
            "Proxy-Connection": "keep-alive", "X-End-To-End": "kept"})
        self.assertEqual(status, 200)
        seen = body["headers"]
        for h in ("x-hop", "keep-alive", "te", "proxy-connection"):
            self.assertNotIn(h, seen)
        self.assertEqual(seen["x-end-to-end"], "kept")
        self.assertNotIn("x-hop", seen.get("connection", ""))
        # The upstream closes its side (Connection: close); the client's connection stays open.
        status, hdrs, _ = c.get("/?close=1", host="echo.example.com")
        self.assertEqual(status, 200)
        self.assertNotIn("close", hdrs.get("connection", ""))
        status, _, _ = c.get("/", host="echo.example.com")
        self.assertEqual((status, c.connects), (200, 1))
        c.close()

    # Scenario: X-Forwarded-For is appended, X-Forwarded-Proto set at the edge, x-request-id generated or kept.
    def test_forwarding_headers(self):
        c = gwtest.Client(self.port)
        _, _, body = c.json("GET", "/", host="echo.example.com",
                            headers={"X-Forwarded-For": "203.0.113.7", "X-Forwarded-Proto": "https"})
        h = body["headers"]
        self.assertEqual(h["x-forwarded-for"], "203.0.113.7, 127.0.0.1")
        self.assertEqual(h["x-forwarded-proto"], "http")
        self.assertRegex(h["x-request-id"], r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")
        _, _, body2 = c.json("GET", "/", host="echo.example.com")
        self.assertNotEqual(body2["headers"]["x-request-id"], h["x-request-id"])
        _, _, body3 = c.json("GET", "/", host="echo.example.com", headers={"x-request-id": "mine"})
        self.assertEqual(body3["headers"]["x-request-id"], "mine")
        self.assertEqual(body3["headers"]["host"], "echo.example.com")
        c.close()

    # Scenario: a chunked upload is streamed to the upstream with its exact byte count.
    def test_chunked_upload(self):
        def chunks():
            for i in range(50):
                yield b"x" * (1000 + i)
        c = gwtest.Client(self.port)
        # http.client sends an iterable body without a length as Transfer-Encoding: chunked.
        status, _, body = c.json("POST", "/", host="echo.example.com", body=chunks())
        self.assertEqual(status, 200)
        self.assertEqual(body["body_bytes"], sum(1000 + i for i in range(50)))
        c.close()

    # Scenario: a WebSocket upgrade is tunnelled both ways and echoes frames.
    def test_websocket_echo(self):
        s = socket.create_connection(("127.0.0.1", self.port), timeout=5)
        try:
            key = base64.b64encode(os.urandom(16)).decode()
            s.sendall(("GET /websocket HTTP/1.1\r\nHost: echo.example.com\r\nUpgrade: websocket\r\n"
                       f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n").encode())
            head, rest = read_head(s)
            self.assertTrue(head.startswith("HTTP/1.1 101"), head)
            self.assertIn("upgrade: websocket", head.lower())
            for msg in (b"hello", b"through the gateway"):
                s.sendall(ws_frame(msg))
                data = rest
                rest = b""
                while len(data) < 2 + len(msg):
                    data += s.recv(65536)
                self.assertEqual(data[0], 0x81)
                self.assertEqual(data[1], len(msg))
                self.assertEqual(data[2:2 + len(msg)], msg)
        finally:
            s.close()

    # Scenario: a keep-alive connection idle long enough to park (its memory returned, only a peek
    # left) serves its next requests: a plain one, a pipelined pair, and one trickled byte by byte.
    def test_parked_connection_serves_next_requests(self):
        req = b"GET /p HTTP/1.1\r\nHost: echo.example.com\r\n\r\n"
        s = socket.create_connection(("127.0.0.1", self.port), timeout=5)
        pending = b""

        def read_response():
            nonlocal pending
            head, rest = read_head(s, pending)
            self.assertTrue(head.startswith("HTTP/1.1 200"), head)
            length = int([l.split(":", 1)[1] for l in head.split("\r\n")
                          if l.lower().startswith("content-length:")][0])
            while len(rest) < length:
                rest += s.recv(65536)
            pending = rest[length:]

        try:
            s.sendall(req)
            read_response()
            time.sleep(0.4)  # parked after 100 ms idle
            s.sendall(req)
            read_response()
            time.sleep(0.4)
            s.sendall(req + req)  # pipelined
            read_response()
            read_response()
            time.sleep(0.4)
            for i in range(len(req)):  # the first byte wakes it, the rest trickles in
                s.sendall(req[i:i + 1])
                time.sleep(0.005)
            read_response()
            self.assertEqual(pending, b"")
        finally:
            s.close()

    # Scenario: an idle keep-alive connection is closed after --idle-timeout-ms.
    def test_idle_timeout(self):
        s = socket.create_connection(("127.0.0.1", self.port), timeout=5)
        try:
            start = time.monotonic()
            self.assertEqual(s.recv(1), b"")
            self.assertLess(time.monotonic() - start, 4.0)
        finally:
            s.close()

    # Scenario: a client that starts a head and stalls is closed after --header-timeout-ms.
    def test_header_read_timeout(self):
        s = socket.create_connection(("127.0.0.1", self.port), timeout=5)
        try:
            s.sendall(b"GET / HTTP/1.1\r\nHost: echo.exa")
            start = time.monotonic()
            data = b""
            while True:
                chunk = s.recv(4096)
                if not chunk:
                    break
                data += chunk
            self.assertLess(time.monotonic() - start, 3.0)
            self.assertNotIn(b"200 OK", data)
        finally:
            s.close()


if __name__ == "__main__":
    harness.main()
