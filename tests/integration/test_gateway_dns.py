"""`resolution: DNS` ServiceEntries through the real gateway: endpoint names resolved
asynchronously (a request right after start waits for the first answer instead of failing),
periodic re-resolution keeps traffic flowing, a DNS entry without endpoints resolves its own host
(mesh listener), and a name that does not resolve gives 503 no healthy upstream."""

import os
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gwtest  # noqa: E402
import harness  # noqa: E402


def config(port, up1, up2):
    return [
        gwtest.gateway("gw", port, ["*"]),
        # Two endpoints by name (both "localhost", different ports), one by IP: all usable once resolved.
        gwtest.service("dns.svc.example.org", [("localhost", up1.port, {"version": "v1"}),
                                               ("127.0.0.1", up2.port, {"version": "v2"})],
                       resolution="DNS", name="dns"),
        gwtest.service("broken.svc.example.org", [("does-not-exist.invalid", up1.port, {"version": "v1"})],
                       resolution="DNS", name="broken"),
        gwtest.route_all("dns", "dns.svc.example.org"),
        gwtest.route_all("broken", "broken.svc.example.org"),
        # A DNS entry without endpoints: its host is the name to resolve, its port the endpoint port.
        f"""
apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata:
  name: self
  namespace: default
spec:
  hosts: [localhost]
  location: MESH_EXTERNAL
  resolution: DNS
  ports:
  - number: {up2.port}
    name: http
    protocol: HTTP
""",
    ]


class GatewayDnsTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.up1 = harness.start_upstream("dns", "v1")
        cls.up2 = harness.start_upstream("dns", "v2")
        cls.port = harness.free_port()
        cls.mesh_port = harness.free_port()
        cls.gw = gwtest.start_gateway(config(cls.port, cls.up1, cls.up2), listen_ports=[cls.port],
                                      mesh_ports=[cls.mesh_port], extra_args=["--dns-refresh-ms", "300"], workers=1)

    @classmethod
    def tearDownClass(cls):
        cls.gw.stop()
        cls.up1.stop()
        cls.up2.stop()

    # Scenario: the very first request to a DNS cluster succeeds (it waits for the first resolution),
    # and the name-addressed endpoint takes traffic alongside the IP-addressed one.
    def test_resolved_endpoints_take_traffic(self):
        c = gwtest.Client(self.port)
        seen = set()
        for _ in range(40):
            status, hdrs, _ = c.get("/", host="dns.example.com")
            self.assertEqual(status, 200, hdrs)
            seen.add(hdrs["x-upstream-version"])
        c.close()
        self.assertEqual(seen, {"v1", "v2"})

    # Scenario: across several re-resolutions (every 300 ms) requests keep succeeding.
    def test_traffic_survives_re_resolution(self):
        c = gwtest.Client(self.port)
        deadline = time.monotonic() + 1.5
        n = 0
        while time.monotonic() < deadline:
            status, _, _ = c.get("/", host="dns.example.com")
            self.assertEqual(status, 200)
            n += 1
            time.sleep(0.01)
        c.close()
        self.assertGreater(n, 20)
        self.assertTrue(self.gw.alive())

    # Scenario: a name that never resolves leaves the cluster without endpoints: 503 UH, bounded wait.
    def test_unresolvable_name_is_503(self):
        start = time.monotonic()
        status, hdrs, body = gwtest.Client(self.port).get("/", host="broken.example.com")
        self.assertEqual((status, body), (503, b"no healthy upstream"))
        self.assertEqual(hdrs.get("x-switchyard-reason"), "UH")
        self.assertLess(time.monotonic() - start, 8.0)

    # Scenario: on the mesh listener, a DNS ServiceEntry without endpoints resolves its own host.
    def test_entry_without_endpoints_resolves_host(self):
        c = gwtest.Client(self.mesh_port)
        status, hdrs, _ = c.get("/", host=f"localhost:{self.up2.port}")
        c.close()
        self.assertEqual((status, hdrs.get("x-upstream-version")), (200, "v2"))


if __name__ == "__main__":
    harness.main()
