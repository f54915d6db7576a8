"""Mesh tcp[] routes: TCP connections iptables redirects to --mesh-listen go by original destination.

A client's connections to a service's TCP port are redirected to `--mesh-listen` by iptables (in a
network namespace of the test's own) and routed by their original destination (SO_ORIGINAL_DST)
through the tcp[] rules (weights, subsets, destinationSubnets), else to the service itself, with
the cluster's tcp.idleTimeout, a `resolution: NONE` service reaching the address dialled, and an
access log line and istio_tcp_* counts for each connection."""

import os
import socket
import sys
import tempfile
import threading
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gwtest  # noqa: E402
import harness  # noqa: E402
from test_mesh_original_destination import CLIENT_SOURCE, in_own_netns  # noqa: E402

ECHO_PORT, PLAIN_PORT, EXTERNAL_PORT = 15432, 16379, 17017  # service ports the client dials


class TcpEcho:
    """Answers every chunk with `name: chunk`, on `host`:`port` (0: any free port)."""

    def __init__(self, name, host="127.0.0.1", port=0):
        self.name = name.encode()
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind((host, port))
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


def config(one, two, three):
    return [f"""
apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: {{name: echo, namespace: default}}
spec:
  hosts: [echo.mesh.local]
  addresses: [127.0.0.11, 127.0.0.12]
  location: MESH_INTERNAL
  resolution: STATIC
  ports: [{{number: {ECHO_PORT}, name: tcp, protocol: TCP}}]
  endpoints:
  - {{address: 127.0.0.1, ports: {{tcp: {one.port}}}, labels: {{version: v1}}}}
  - {{address: 127.0.0.1, ports: {{tcp: {two.port}}}, labels: {{version: v2}}}}
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {{name: echo, namespace: default}}
spec:
  host: echo.mesh.local
  subsets:
  - {{name: v1, labels: {{version: v1}}}}
  - {{name: v2, labels: {{version: v2}}}}
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {{name: echo, namespace: default}}
spec:
  hosts: [echo.mesh.local]
  tcp:
  - match:
    - destinationSubnets: [127.0.0.12/32]
    route:
    - destination: {{host: echo.mesh.local, subset: v2}}
  - route:
    - destination: {{host: echo.mesh.local, subset: v1}}
      weight: 50
    - destination: {{host: echo.mesh.local, subset: v2}}
      weight: 50
""", f"""
apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: {{name: plain, namespace: default}}
spec:
  hosts: [plain.mesh.local]
  location: MESH_INTERNAL
  resolution: STATIC
  ports: [{{number: {PLAIN_PORT}, name: redis, protocol: REDIS}}]
  endpoints:
  - {{address: 127.0.0.1, ports: {{redis: {three.port}}}}}
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {{name: plain, namespace: default}}
spec:
  host: plain.mesh.local
  trafficPolicy:
    connectionPool:
      tcp: {{idleTimeout: 1s}}
""", f"""
apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: {{name: db, namespace: default}}
spec:
  hosts: [db.external.example]
  addresses: [127.0.0.13]
  location: MESH_EXTERNAL
  resolution: NONE
  ports: [{{number: {EXTERNAL_PORT}, name: tcp, protocol: TCP}}]
"""]


@unittest.skipUnless(os.environ.get("SY_IN_NETNS") == "1", "needs a network namespace with iptables")
class MeshTcpTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        import subprocess
        subprocess.run(["ip", "link", "set", "lo", "up"], check=True)
        cls.one, cls.two, cls.three = TcpEcho("one"), TcpEcho("two"), TcpEcho("three")
        cls.external = TcpEcho("external", host="127.0.0.13", port=EXTERNAL_PORT)
        cls.mesh = harness.free_port()
        for port in (ECHO_PORT, PLAIN_PORT, EXTERNAL_PORT):
            subprocess.run(["iptables", "-t", "nat", "-A", "OUTPUT", "-p", "tcp", "-s", CLIENT_SOURCE, "--dport",
                            str(port), "-j", "REDIRECT", "--to-ports", str(cls.mesh)], check=True)
        cls.admin = harness.free_port()
        cls.log = os.path.join(tempfile.mkdtemp(prefix="sy-mesh-tcp-"), "access.log")
        cls.gw = gwtest.start_gateway(config(cls.one, cls.two, cls.three), mesh_ports=[cls.mesh],
                                      extra_args=["--admin", f"127.0.0.1:{cls.admin}", "--access-log", cls.log])

    @classmethod
    def tearDownClass(cls):
        cls.gw.stop()
        for s in (cls.one, cls.two, cls.three, cls.external):
            s.stop()

    def connect(self, address, port):
        """A client connection from CLIENT_SOURCE, which iptables sends to the mesh listener."""
        s = socket.socket()
        s.settimeout(5)
        s.bind((CLIENT_SOURCE, 0))
        s.connect((address, port))
        return s

    def exchange(self, address, port, data=b"hello\n"):
        with self.connect(address, port) as s:
            s.sendall(data)
            return s.recv(100)

    # Scenario: connections to the service's address are split 50/50 by the tcp[] rule's weights
    # between its two subsets.
    def test_weights_between_subsets(self):
        seen = {}
        for _ in range(40):
            name = self.exchange("127.0.0.11", ECHO_PORT).split(b":")[0]
            seen[name] = seen.get(name, 0) + 1
        self.assertEqual(set(seen), {b"one", b"two"}, seen)
        self.assertGreaterEqual(min(seen.values()), 8, seen)

    # Scenario: a connection to the service's other address takes the destinationSubnets rule first.
    def test_destination_subnets(self):
        for _ in range(10):
            self.assertEqual(self.exchange("127.0.0.12", ECHO_PORT), b"two: hello\n")

    # Scenario: a service without addresses or a VirtualService takes its port's connections to
    # any address and forwards them to its own endpoints (Istio's default route).
    def test_service_without_virtual_service(self):
        self.assertEqual(self.exchange("127.0.0.99", PLAIN_PORT), b"three: hello\n")

    # Scenario: a connection idle past the cluster's tcp.idleTimeout (1 s) is closed by the proxy.
    def test_idle_timeout(self):
        with self.connect("127.0.0.99", PLAIN_PORT) as s:
            s.sendall(b"ping\n")
            self.assertEqual(s.recv(100), b"three: ping\n")
            start = time.monotonic()
            self.assertEqual(s.recv(100), b"")
            self.assertLess(time.monotonic() - start, 3.0)

    # Scenario: a `resolution: NONE` TCP service forwards to exactly the address the client dialled.
    def test_resolution_none_reaches_original_destination(self):
        self.assertEqual(self.exchange("127.0.0.13", EXTERNAL_PORT), b"external: hello\n")

    # Scenario: each mesh TCP connection writes one TCP access log line naming its cluster and
    # rule, and counts in istio_tcp_connections_opened_total, never in istio_requests_total.
    def test_access_log_and_metrics(self):
        self.assertEqual(len(self.exchange("127.0.0.12", ECHO_PORT, b"12345\n")), 11)  # "two: 12345\n"
        deadline = time.monotonic() + 8
        lines = []
        while time.monotonic() < deadline and not lines:
            with open(self.log) as f:
                lines = [l for l in f if '"- - -" 0 - 6 11 ' in l]
            time.sleep(0.1)
        self.assertTrue(lines, "no TCP access log line")
        self.assertIn(f"cluster=outbound|{ECHO_PORT}|v2|echo.mesh.local", lines[0])
        self.assertIn("route=default/echo tcp[0]", lines[0])
        _, _, body = harness.http("GET", f"http://127.0.0.1:{self.admin}/stats/prometheus")
        text = body.decode()
        opened = [l for l in text.splitlines() if l.startswith("istio_tcp_connections_opened_total{")]
        self.assertTrue(any("echo.mesh.local" in l for l in opened), "\n".join(opened) or text[:2000])
        self.assertFalse([l for l in text.splitlines() if l.startswith("istio_requests_total{")])


if __name__ == "__main__":
    code = in_own_netns(__file__)
    if code is None:
        harness.main()
    elif code == -1:
        print("skipped: network namespaces or iptables are not available", flush=True)
        unittest.main(argv=sys.argv[:1])  # runs the class, which skips
    else:
        sys.exit(code)
