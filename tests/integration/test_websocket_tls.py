"""WebSockets where TLS is on either side, through the real gateway: wss:// to an HTTPS (SIMPLE)
Gateway server, tunnelled to a plain demo upstream, and a plain ws:// request routed to an upstream
whose DestinationRule originates TLS (the tunnel runs over that TLS connection)."""

import base64
import os
import socket
import ssl
import sys
import tempfile
import threading
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gwtest  # noqa: E402
import harness  # noqa: E402
from test_gateway_http1 import read_head, ws_frame  # noqa: E402
from test_gateway_tls import Pki  # noqa: E402


class TlsUpgradeEcho:
    """A TLS server on 127.0.0.1 that answers an Upgrade request with 101 and then echoes every
    byte back, counting the upgrades it accepted."""

    def __init__(self, cert, key):
        self.ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        self.ctx.load_cert_chain(cert, key)
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.port = self.sock.getsockname()[1]
        self.upgrades = 0
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            try:
                raw, _ = self.sock.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(raw,), daemon=True).start()

    def _serve(self, raw):
        try:
            with self.ctx.wrap_socket(raw, server_side=True) as s:
                head, rest = read_head(s)
                if "upgrade: websocket" not in head.lower():
                    return
                self.upgrades += 1
                s.sendall(b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n")
                if rest:
                    s.sendall(rest)
                while True:
                    data = s.recv(65536)
                    if not data:
                        return
                    s.sendall(data)
        except (OSError, ssl.SSLError):
            return

    def stop(self):
        self.sock.close()


def upgrade_request(host):
    key = base64.b64encode(os.urandom(16)).decode()
    return (f"GET /websocket HTTP/1.1\r\nHost: {host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n").encode()


class WebsocketTlsTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.d = tempfile.mkdtemp(prefix="sy-wss-")
        cls.pki = Pki(cls.d, "ca")
        cls.cert, cls.key = cls.pki.issue("ws.example.com", "DNS:ws.example.com,DNS:tlsup.example.com")
        cls.echo = harness.start_upstream("echo", "v1")
        cls.tls_up = TlsUpgradeEcho(cls.cert, cls.key)
        cls.https, cls.http = harness.free_port(), harness.free_port()
        docs = [f"""
apiVersion: networking.istio.io/v1
kind: Gateway
metadata: {{name: gw, namespace: default}}
spec:
  selector: {{istio: ingressgateway}}
  servers:
  - port: {{number: {cls.https}, name: https, protocol: HTTPS}}
    hosts: ["ws.example.com"]
    tls: {{mode: SIMPLE, serverCertificate: {cls.cert}, privateKey: {cls.key}}}
  - port: {{number: {cls.http}, name: http, protocol: HTTP}}
    hosts: ["tlsup.example.com"]
""", gwtest.service("echo.default.svc.cluster.local", [gwtest.upstream_endpoint(cls.echo)]), """
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: ws, namespace: default}
spec:
  hosts: [ws.example.com]
  gateways: [gw]
  http:
  - route:
    - destination: {host: echo.default.svc.cluster.local}
""", f"""
apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: {{name: tlsup, namespace: default}}
spec:
  hosts: [tlsup.example.com]
  location: MESH_EXTERNAL
  resolution: STATIC
  ports: [{{number: 80, name: http, protocol: HTTP, targetPort: {cls.tls_up.port}}}]
  endpoints: [{{address: 127.0.0.1}}]
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {{name: tlsup, namespace: default}}
spec:
  host: tlsup.example.com
  trafficPolicy:
    tls: {{mode: SIMPLE, caCertificates: {cls.pki.ca}}}
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {{name: tlsup, namespace: default}}
spec:
  hosts: [tlsup.example.com]
  gateways: [gw]
  http:
  - route:
    - destination: {{host: tlsup.example.com}}
"""]
        cls.gw = gwtest.start_gateway(docs, listen_ports=[cls.https, cls.http], extra_args=["--admin", "off"])

    @classmethod
    def tearDownClass(cls):
        cls.gw.stop()
        cls.echo.stop()
        cls.tls_up.stop()

    def echo_frames(self, s, rest):
        for msg in (b"hello", b"over TLS"):
            s.sendall(ws_frame(msg))
            data, rest = rest, b""
            while len(data) < 2 + len(msg):
                chunk = s.recv(65536)
                self.assertTrue(chunk, "the tunnel closed")
                data += chunk
            yield data

    # Scenario: wss:// on an HTTPS server: the upgrade is tunnelled to the plain upstream and frames echo.
    def test_wss_at_the_edge(self):
        ctx = ssl.create_default_context(cafile=self.pki.ca)
        with ctx.wrap_socket(socket.create_connection(("127.0.0.1", self.https), timeout=5),
                             server_hostname="ws.example.com") as s:
            s.sendall(upgrade_request("ws.example.com"))
            head, rest = read_head(s)
            self.assertTrue(head.startswith("HTTP/1.1 101"), head)
            for msg, data in zip((b"hello", b"over TLS"), self.echo_frames(s, rest)):
                self.assertEqual(data[0], 0x81)
                self.assertEqual(data[2:2 + len(msg)], msg)

    # Scenario: a ws:// upgrade to a cluster that originates TLS tunnels over the TLS connection.
    def test_websocket_to_tls_upstream(self):
        before = self.tls_up.upgrades
        with socket.create_connection(("127.0.0.1", self.http), timeout=5) as s:
            s.sendall(upgrade_request("tlsup.example.com"))
            head, rest = read_head(s)
            self.assertTrue(head.startswith("HTTP/1.1 101"), head)
            # The raw echo sends the client's (masked) frames back as they are.
            for msg in (b"hello", b"over TLS"):
                frame = ws_frame(msg)
                s.sendall(frame)
                data, rest = rest, b""
                while len(data) < len(frame):
                    chunk = s.recv(65536)
                    self.assertTrue(chunk, "the tunnel closed")
                    data += chunk
                self.assertEqual(data, frame)
        self.assertEqual(self.tls_up.upgrades, before + 1)


if __name__ == "__main__":
    unittest.main()
