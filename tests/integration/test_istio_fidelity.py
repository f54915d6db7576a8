"""Requests answered as Istio answers them, through the real gateway and real upstreams: the
attempt count the upstream sees, which Host wins when the route and its destination both set it,
header operations evaluated remove-then-set, a redirect's FROM_REQUEST_PORT, and a route timeout
that runs from the end of the request to the end of the response (a slow upload is not a
timeout; a stalled body is)."""

import os
import socket
import sys
import threading
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gwtest  # noqa: E402
import harness  # noqa: E402
import resilience_config as rc  # noqa: E402

HOST = "svc.example.com"


class StallingUpstream:
    """Answers every request with a 200 announcing 1000 body bytes, sends 10 of them, then goes
    silent while keeping the connection open."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.port = self.sock.getsockname()[1]
        self.conns = []
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self):
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.conns.append(conn)
            threading.Thread(target=self._answer, args=(conn,), daemon=True).start()

    @staticmethod
    def _answer(conn):
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = conn.recv(4096)
            if not chunk:
                return
            data += chunk
        conn.sendall(b"HTTP/1.1 200 OK\r\ncontent-length: 1000\r\n\r\n" + b"x" * 10)

    def stop(self):
        self.sock.close()
        for c in self.conns:
            c.close()


class IstioFidelity(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.up = harness.start_upstream("svc", "v1", threads=2)

    @classmethod
    def tearDownClass(cls):
        cls.up.stop()

    def gateway(self, http_block, endpoint_port=None):
        port = harness.free_port()
        ep = rc.local_endpoint(endpoint_port or self.up.port)
        gw = rc.start(rc.simple(port, [ep], http_block), listen_ports=[port])
        self.addCleanup(gw.stop)
        return port

    # Scenario: Istio enables include_request_attempt_count: the upstream sees
    # x-envoy-attempt-count 1 on a first attempt and 2 on the retry after a 503.
    def test_attempt_count_header(self):
        port = self.gateway("""
            - route:
              - destination:
                  host: svc
              retries:
                attempts: 2
                retryOn: 5xx
            """)
        c = gwtest.Client(port)
        status, _, body = c.json("GET", "/?key=first", host=HOST)
        self.assertEqual(status, 200)
        self.assertEqual(body["headers"].get("x-envoy-attempt-count"), "1")
        status, _, body = c.json("GET", "/?fail_times=1&status=503&key=retried", host=HOST)
        self.assertEqual(status, 200)
        self.assertEqual(body["headers"].get("x-envoy-attempt-count"), "2")
        c.close()

    # Scenario: a route-level `set host` and a destination-level one — the route level wins, as
    # pilot builds it; a destination-level one alone still applies.
    def test_route_authority_beats_destination(self):
        port = self.gateway("""
            - match:
              - uri:
                  prefix: /both
              headers:
                request:
                  set:
                    host: route.example
              route:
              - destination:
                  host: svc
                headers:
                  request:
                    set:
                      host: dest.example
            - route:
              - destination:
                  host: svc
                headers:
                  request:
                    set:
                      host: dest.example
            """)
        c = gwtest.Client(port)
        status, _, body = c.json("GET", "/both", host=HOST)
        self.assertEqual(status, 200)
        self.assertEqual(body["headers"].get("host"), "route.example")
        status, _, body = c.json("GET", "/other", host=HOST)
        self.assertEqual(body["headers"].get("host"), "dest.example")
        c.close()

    # Scenario: `remove: [x-tag]` with `set: {x-tag: gw}` — Envoy removes first, so the upstream
    # sees x-tag: gw, never the client's value and never nothing.
    def test_remove_then_set(self):
        port = self.gateway("""
            - headers:
                request:
                  set:
                    x-tag: gw
                  remove:
                  - x-tag
              route:
              - destination:
                  host: svc
            """)
        c = gwtest.Client(port)
        status, _, body = c.json("GET", "/", host=HOST, headers={"x-tag": "client"})
        self.assertEqual(status, 200)
        self.assertEqual(body["headers"].get("x-tag"), "gw")
        c.close()

    # Scenario: a redirect with derivePort FROM_REQUEST_PORT names the port the request came to
    # (the gateway listener's), not the one the client wrote in Host; scheme https keeps it.
    def test_redirect_from_request_port(self):
        port = self.gateway("""
            - match:
              - uri:
                  prefix: /secure
              redirect:
                uri: /moved
                scheme: https
                derivePort: FROM_REQUEST_PORT
            - redirect:
                uri: /moved
                derivePort: FROM_REQUEST_PORT
            """)
        c = gwtest.Client(port)
        status, headers, _ = c.get("/old", host="svc.example.com:9999")
        self.assertEqual(status, 301)
        self.assertEqual(headers["location"], f"http://svc.example.com:{port}/moved")
        status, headers, _ = c.get("/secure", host="svc.example.com")
        self.assertEqual(headers["location"], f"https://svc.example.com:{port}/moved")
        c.close()

    # Scenario: `timeout: 0.5s` and a client that takes a second to upload its body: the timeout
    # starts when the request is complete, so the upstream's quick answer gets through.
    def test_slow_upload_is_not_a_route_timeout(self):
        port = self.gateway("""
            - route:
              - destination:
                  host: svc
              timeout: 0.5s
            """)
        s = socket.create_connection(("127.0.0.1", port), timeout=5)
        s.sendall(f"POST / HTTP/1.1\r\nhost: {HOST}\r\ncontent-length: 10\r\n\r\n01234".encode())
        time.sleep(1.0)
        s.sendall(b"56789")
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = s.recv(65536)
            if not chunk:
                break
            data += chunk
        s.close()
        self.assertEqual(gwtest.status_of(data), 200, data[:200])

    # Scenario: `timeout: 0.5s` and an upstream that sends its head and 10 of 1000 body bytes, then
    # stalls: the route timeout covers the body, so the client sees the response cut short
    # within about half a second instead of waiting for the stream idle timeout.
    def test_stalled_response_body_hits_route_timeout(self):
        stalling = StallingUpstream()
        self.addCleanup(stalling.stop)
        port = self.gateway("""
            - route:
              - destination:
                  host: svc
              timeout: 0.5s
            """, endpoint_port=stalling.port)
        start = time.monotonic()
        raw, closed = gwtest.raw_exchange(port, f"GET / HTTP/1.1\r\nhost: {HOST}\r\n\r\n".encode(), read_timeout=5.0)
        elapsed = time.monotonic() - start
        self.assertEqual(gwtest.status_of(raw), 200)
        self.assertTrue(closed, "the gateway should close the cut-short response")
        self.assertLess(elapsed, 2.0)
        self.assertLess(len(raw.split(b"\r\n\r\n", 1)[1]), 1000)


if __name__ == "__main__":
    unittest.main()
