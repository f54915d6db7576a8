"""L4 routes at the gateway with real clients: TLS PASSTHROUGH routed by SNI through VirtualService
tls[] rules (the client sees the backend's own certificate), TCP servers through tcp[] rules with
weights, tcp.idleTimeout, and connections no rule takes closed."""

import os
import socket
import ssl
import sys
import tempfile
import threading
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gwtest  # noqa: E402
import harness  # noqa: E402
from test_gateway_tls import Pki, der  # noqa: E402
from test_upstream_tls import TlsUpstream  # noqa: E402


class TcpEcho:
    """Answers every line with `name: line` on 127.0.0.1."""

    def __init__(self, name):
        self.name = name.encode()
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        self.port = self.sock.getsockname()[1]
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn):
        with conn:
            try:
                while True:
                    data = conn.recv(4096)
                    if not data:
                        return
                    conn.sendall(self.name + b": " + data)
            except OSError:
                return

    def stop(self):
        self.sock.close()


def service(name, port, protocol):
    return f"""
apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: {{name: {name}, namespace: default}}
spec:
  hosts: [{name}.backend.local]
  location: MESH_EXTERNAL
  resolution: STATIC
  ports:
  - {{number: 9000, name: {protocol.lower()}, protocol: {protocol}, targetPort: {port}}}
  endpoints:
  - address: 127.0.0.1
"""


def config(tls_port, tcp_port, ports):
    return [f"""
apiVersion: networking.istio.io/v1
kind: Gateway
metadata: {{name: edge, namespace: default}}
spec:
  selector: {{istio: ingressgateway}}
  servers:
  - port: {{number: {tls_port}, name: tls, protocol: TLS}}
    hosts: ["*.example.com"]
    tls: {{mode: PASSTHROUGH}}
  - port: {{number: {tcp_port}, name: tcp, protocol: TCP}}
    hosts: ["*"]
""", """
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: passthrough, namespace: default}
spec:
  hosts: ["*.example.com"]
  gateways: [edge]
  tls:
  - match:
    - sniHosts: [a.example.com]
    route:
    - destination: {host: tls-a.backend.local, port: {number: 9000}}
  - match:
    - sniHosts: ["*.b.example.com"]
    route:
    - destination: {host: tls-b.backend.local, port: {number: 9000}}
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: tcp, namespace: default}
spec:
  hosts: ["*"]
  gateways: [edge]
  tcp:
  - route:
    - destination: {host: echo-1.backend.local, port: {number: 9000}}
      weight: 50
    - destination: {host: echo-2.backend.local, port: {number: 9000}}
      weight: 50
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: echo-1, namespace: default}
spec:
  host: echo-1.backend.local
  trafficPolicy:
    connectionPool:
      tcp: {idleTimeout: 1s}
""", service("tls-a", ports["a"], "TLS"), service("tls-b", ports["b"], "TLS"),
        service("echo-1", ports["e1"], "TCP"), service("echo-2", ports["e2"], "TCP")]


class GatewayL4Test(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        d = tempfile.mkdtemp(prefix="sy-l4-")
        cls.pki = Pki(d, "ca")
        cls.a_cert, a_key = cls.pki.issue("a.example.com", "DNS:a.example.com")
        cls.b_cert, b_key = cls.pki.issue("x.b.example.com", "DNS:*.b.example.com")
        cls.a, cls.b = TlsUpstream(cls.a_cert, a_key), TlsUpstream(cls.b_cert, b_key)
        cls.e1, cls.e2 = TcpEcho("one"), TcpEcho("two")
        cls.tls_port, cls.tcp_port = harness.free_port(), harness.free_port()
        ports = {"a": cls.a.port, "b": cls.b.port, "e1": cls.e1.port, "e2": cls.e2.port}
        cls.admin = harness.free_port()
        cls.log = os.path.join(d, "access.log")
        cls.gw = gwtest.start_gateway(config(cls.tls_port, cls.tcp_port, ports), listen_ports=[cls.tls_port, cls.tcp_port],
                                      extra_args=["--admin", f"127.0.0.1:{cls.admin}", "--access-log", cls.log])

    @classmethod
    def tearDownClass(cls):
        cls.gw.stop()
        for s in (cls.a, cls.b, cls.e1, cls.e2):
            s.stop()

    def tls_get(self, sni):
        ctx = ssl.create_default_context(cafile=self.pki.ca)
        with socket.create_connection(("127.0.0.1", self.tls_port), timeout=5) as raw:
            with ctx.wrap_socket(raw, server_hostname=sni) as s:
                cert = s.getpeercert(binary_form=True)
                s.sendall(f"GET / HTTP/1.1\r\nHost: {sni}\r\nConnection: close\r\n\r\n".encode())
                data = b""
                while True:
                    chunk = s.recv(65536)
                    if not chunk:
                        break
                    data += chunk
        return cert, data

    # Scenario: the SNI picks the tls[] rule; the client sees that backend's own certificate end to end.
    def test_passthrough_by_sni(self):
        cert, data = self.tls_get("a.example.com")
        self.assertEqual(cert, der(self.a_cert))
        self.assertIn(b"secure a.example.com", data)
        cert, data = self.tls_get("x.b.example.com")
        self.assertEqual(cert, der(self.b_cert))
        self.assertIn(b"secure x.b.example.com", data)

    # Scenario: an SNI no rule takes, and bytes that are not TLS, get the connection closed.
    def test_unrouted_closed(self):
        with self.assertRaises((ssl.SSLError, ConnectionResetError, OSError)):
            self.tls_get("c.example.com")
        out, closed = gwtest.raw_exchange(self.tls_port, b"GET / HTTP/1.1\r\nHost: a.example.com\r\n\r\n")
        self.assertEqual((out, closed), (b"", True))

    # Scenario: a TCP server's tcp[] rule splits connections by weight between two backends.
    def test_tcp_weights(self):
        seen = {}
        for i in range(40):
            with socket.create_connection(("127.0.0.1", self.tcp_port), timeout=5) as s:
                s.sendall(b"hello\n")
                reply = s.recv(100)
            name = reply.split(b":")[0]
            seen[name] = seen.get(name, 0) + 1
        self.assertEqual(set(seen), {b"one", b"two"}, seen)
        self.assertGreaterEqual(min(seen.values()), 8, seen)

    # Scenario: a TCP connection idle past its cluster's tcp.idleTimeout (1 s) is closed by the gateway.
    def test_tcp_idle_timeout(self):
        for _ in range(20):  # until the split sends one to echo-1, whose DestinationRule sets 1 s
            s = socket.create_connection(("127.0.0.1", self.tcp_port), timeout=5)
            s.sendall(b"ping\n")
            if s.recv(100).startswith(b"one"):
                break
            s.close()
        start = time.monotonic()
        self.assertEqual(s.recv(100), b"")  # closed without a byte more
        self.assertLess(time.monotonic() - start, 3.0)
        s.close()


    # Scenario: an L4 connection counts in istio_tcp_* (opened, closed, bytes both ways) and logs a TCP line.
    def test_metrics_and_access_log(self):
        with socket.create_connection(("127.0.0.1", self.tcp_port), timeout=5) as s:
            s.sendall(b"12345\n")  # 6 bytes up; the echo answers "one: 12345\n" or "two: 12345\n" (11 down)
            self.assertEqual(len(s.recv(100)), 11)
        def total(metric):
            return sum(float(l.rsplit(" ", 1)[1]) for l in text.splitlines() if l.startswith(metric + "{"))
        # The harness's readiness probes are L4 connections too (0 bytes): wait for ours.
        deadline = time.monotonic() + 8
        while True:
            _, _, body = harness.http("GET", f"http://127.0.0.1:{self.admin}/stats/prometheus")
            text = body.decode()
            if total("istio_tcp_received_bytes_total") >= 6 or time.monotonic() > deadline:
                break
            time.sleep(0.2)
        closed = [l for l in text.splitlines() if l.startswith("istio_tcp_connections_closed_total{")]
        self.assertTrue(closed, text[:2000])
        self.assertIn('request_protocol="tcp"', closed[0])
        self.assertGreaterEqual(total("istio_tcp_connections_opened_total"), 1)
        self.assertGreaterEqual(total("istio_tcp_received_bytes_total"), 6)
        self.assertGreaterEqual(total("istio_tcp_sent_bytes_total"), 11)
        self.assertEqual(total("istio_requests_total"), 0)  # no HTTP request was counted
        deadline = time.monotonic() + 8
        lines = []
        while time.monotonic() < deadline:
            with open(self.log) as f:
                lines = [l for l in f if '"- - -" 0 - 6 11 ' in l]
            if lines:
                break
            time.sleep(0.2)
        self.assertTrue(lines, "no TCP access log line")
        self.assertIn("cluster=outbound|9000||echo-", lines[0])
        self.assertIn("route=default/tcp tcp[0]", lines[0])


if __name__ == "__main__":
    harness.main()
