"""DestinationRule settings that act on upstream connections, seen from a real upstream:
proxyProtocol (v1 and v2, on HTTP and TCP routes), connectionPool.tcp.maxConnectionDuration and
connectionPool.tcp.tcpKeepalive (checked on the live socket with `ss`)."""

import http.client
import json
import os
import socket
import subprocess
import sys
import threading
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gwtest  # noqa: E402
import harness  # noqa: E402

V2_SIGNATURE = b"\r\n\r\n\x00\r\nQUIT\n"


def read_exact(conn, n, buf):
    while len(buf) < n:
        chunk = conn.recv(4096)
        if not chunk:
            raise EOFError
        buf += chunk
    return buf


def read_proxy_header(conn, buf):
    """Parses a PROXY v1 line or v2 block at the start of `buf` (reading more as needed).
    Returns (description, rest): description is 'v1 <line>' or 'v2 <src ip>:<port> > <dst ip>:<port>',
    or '' when the connection starts with something else."""
    buf = read_exact(conn, 12, buf)
    if buf.startswith(V2_SIGNATURE):
        buf = read_exact(conn, 16, buf)
        length = int.from_bytes(buf[14:16], "big")
        buf = read_exact(conn, 16 + length, buf)
        fam, body = buf[13], buf[16:16 + length]
        if fam == 0x11:
            src = socket.inet_ntop(socket.AF_INET, body[0:4])
            dst = socket.inet_ntop(socket.AF_INET, body[4:8])
            sport, dport = int.from_bytes(body[8:10], "big"), int.from_bytes(body[10:12], "big")
            desc = f"v2 {src}:{sport} > {dst}:{dport}"
        else:
            desc = f"v2 command {buf[12]:#x} family {fam:#x}"
        return desc, buf[16 + length:]
    if buf.startswith(b"PROXY "):
        while b"\r\n" not in buf:
            buf = read_exact(conn, len(buf) + 1, buf)
        line, rest = buf.split(b"\r\n", 1)
        return "v1 " + line.decode(), rest
    return "", buf


class RecordingUpstream:
    """HTTP/1.1 keep-alive (or, with tcp=True, line echo) server on 127.0.0.1 that reports, per
    request, the PROXY header its connection began with, the connection's number and its peer port."""

    def __init__(self, tcp=False):
        self.tcp = tcp
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        self.port = self.sock.getsockname()[1]
        self.connections = 0
        self.lock = threading.Lock()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            try:
                conn, peer = self.sock.accept()
            except OSError:
                return
            with self.lock:
                self.connections += 1
                number = self.connections
            threading.Thread(target=self._serve, args=(conn, peer, number), daemon=True).start()

    def _serve(self, conn, peer, number):
        with conn:
            try:
                proxy, buf = read_proxy_header(conn, b"")
                if self.tcp:
                    conn.sendall(f"proxy={proxy}\n".encode())
                    while conn.recv(4096):
                        pass
                    return
                while True:
                    while b"\r\n\r\n" not in buf:
                        chunk = conn.recv(4096)
                        if not chunk:
                            return
                        buf += chunk
                    _, buf = buf.split(b"\r\n\r\n", 1)
                    body = json.dumps({"proxy": proxy, "conn": number, "peer_port": peer[1]}).encode()
                    conn.sendall(b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: "
                                 + str(len(body)).encode() + b"\r\n\r\n" + body)
            except (OSError, EOFError):
                return

    def stop(self):
        self.sock.close()


def service_entry(name, port, protocol="HTTP", service_port=80):
    return f"""
apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: {{name: {name}, namespace: default}}
spec:
  hosts: [{name}.svc]
  location: MESH_INTERNAL
  resolution: STATIC
  ports: [{{number: {service_port}, name: p, protocol: {protocol}}}]
  endpoints: [{{address: 127.0.0.1, ports: {{p: {port}}}}}]
"""


def destination_rule(name, policy):
    return f"""
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {{name: {name}, namespace: default}}
spec:
  host: {name}.svc
  trafficPolicy:
{policy}
"""


def http_route(name):
    return f"""
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {{name: {name}, namespace: default}}
spec:
  hosts: ["{name}.example.com"]
  gateways: [gw]
  http:
  - route:
    - destination: {{host: {name}.svc}}
"""


class UpstreamConnectionSettingsTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.port = harness.free_port()
        cls.tcp_port = harness.free_port()
        cls.ups = {name: RecordingUpstream() for name in ("ppv1", "ppv2", "aged", "keep", "plain")}
        cls.ups["tcppp"] = RecordingUpstream(tcp=True)
        docs = [gwtest.gateway("gw", cls.port, ["*"]), f"""
apiVersion: networking.istio.io/v1
kind: Gateway
metadata: {{name: tcpgw, namespace: default}}
spec:
  selector: {{istio: ingressgateway}}
  servers:
  - port: {{number: {cls.tcp_port}, name: tcp, protocol: TCP}}
    hosts: ["*"]
""", f"""
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {{name: tcppp, namespace: default}}
spec:
  hosts: ["*"]
  gateways: [tcpgw]
  tcp:
  - route:
    - destination: {{host: tcppp.svc, port: {{number: 9000}}}}
"""]
        for name, up in cls.ups.items():
            if name == "tcppp":
                docs.append(service_entry(name, up.port, "TCP", 9000))
            else:
                docs += [service_entry(name, up.port), http_route(name)]
        docs += [
            destination_rule("ppv1", "    proxyProtocol: {version: V1}"),
            destination_rule("ppv2", "    proxyProtocol: {version: V2}"),
            destination_rule("tcppp", "    proxyProtocol: {version: V2}"),
            destination_rule("aged", "    connectionPool:\n      tcp: {maxConnectionDuration: 1s}"),
            destination_rule("keep", "    connectionPool:\n      tcp:\n        tcpKeepalive: {time: 7s, interval: 3s, probes: 4}"),
        ]
        cls.gw = gwtest.start_gateway(docs, listen_ports=[cls.port, cls.tcp_port], extra_args=["--admin", "0"])

    @classmethod
    def tearDownClass(cls):
        cls.gw.stop()
        for up in cls.ups.values():
            up.stop()

    def get(self, conn, name):
        conn.request("GET", "/", headers={"Host": f"{name}.example.com"})
        resp = conn.getresponse()
        body = resp.read()
        self.assertEqual(resp.status, 200, body)
        return json.loads(body)

    # Scenario: proxyProtocol V1 names each client connection on its own upstream connection.
    def test_proxy_protocol_v1_http(self):
        seen = []
        for _ in range(2):
            conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
            conn.connect()
            client_port = conn.sock.getsockname()[1]
            first, second = self.get(conn, "ppv1"), self.get(conn, "ppv1")
            conn.close()
            self.assertEqual(first["proxy"], f"v1 PROXY TCP4 127.0.0.1 127.0.0.1 {client_port} {self.port}")
            # The second request of the connection reuses the upstream connection made for it.
            self.assertEqual(first["conn"], second["conn"])
            seen.append(first["conn"])
        # Two clients never share an upstream connection whose header names only one of them.
        self.assertNotEqual(seen[0], seen[1])

    # Scenario: proxyProtocol V2 sends the binary header with the client's address and port.
    def test_proxy_protocol_v2_http(self):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        conn.connect()
        client_port = conn.sock.getsockname()[1]
        got = self.get(conn, "ppv2")
        conn.close()
        self.assertEqual(got["proxy"], f"v2 127.0.0.1:{client_port} > 127.0.0.1:{self.port}")

    # Scenario: a TCP route's upstream connection starts with the v2 header before the client's bytes.
    def test_proxy_protocol_v2_tcp(self):
        s = socket.create_connection(("127.0.0.1", self.tcp_port), timeout=10)
        client_port = s.getsockname()[1]
        s.sendall(b"hello\n")
        line = s.makefile("rb").readline().decode().strip()
        s.close()
        self.assertEqual(line, f"proxy=v2 127.0.0.1:{client_port} > 127.0.0.1:{self.tcp_port}")

    # Scenario: a connection past maxConnectionDuration takes no new request; a plain pool keeps reusing.
    def test_max_connection_duration(self):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        first = self.get(conn, "aged")
        again = self.get(conn, "aged")
        self.assertEqual(first["conn"], again["conn"])
        plain_first = self.get(conn, "plain")
        time.sleep(1.4)
        later = self.get(conn, "aged")
        plain_later = self.get(conn, "plain")
        conn.close()
        self.assertNotEqual(first["conn"], later["conn"])
        self.assertEqual(plain_first["conn"], plain_later["conn"])

    # Scenario: tcpKeepalive turns on SO_KEEPALIVE with the configured idle time on the upstream socket.
    def test_tcp_keepalive(self):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        self.get(conn, "keep")
        self.get(conn, "plain")
        timers = {}
        for name in ("keep", "plain"):
            out = subprocess.run(["ss", "-tnoH", "state", "established", "dst", f"127.0.0.1:{self.ups[name].port}"],
                                 capture_output=True, text=True, check=True).stdout
            timers[name] = out
        conn.close()
        # The time left before the first probe: at most the configured 7 s (ss versions differ in
        # the unit they print, so only the number is read).
        self.assertRegex(timers["keep"], r"timer:\(keepalive,[3-7](\.\d+)?(sec|ms|s)", timers)
        self.assertNotIn("keepalive", timers["plain"], timers)


if __name__ == "__main__":
    unittest.main()
