"""Istio's mirroring task through the real gateway: every request to v1 is copied to the mirror
with Host `…-shadow`; the client only sees the primary's answer, and a mirror that takes 2 s does
not delay it; mirrorPercentage 0 copies nothing."""

import os
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gwtest  # noqa: E402
import harness  # noqa: E402
import resilience_config as rc  # noqa: E402
from scripted_upstream import ScriptedUpstream  # noqa: E402

HOST = "httpbin.example.com"


class ResilienceMirroring(unittest.TestCase):
    def setUp(self):
        self.primary = harness.start_upstream("httpbin", "v1")
        self.addCleanup(self.primary.stop)

    def gateway(self, mirror_port, percentage=None):
        port = harness.free_port()
        pct = f"\n  mirrorPercentage:\n    value: {percentage}" if percentage is not None else ""
        docs = [
            gwtest.gateway("gw", port, ["*"]),
            gwtest.service("httpbin.default.svc.cluster.local",
                           [rc.local_endpoint(self.primary.port, {"version": "v1"}),
                            rc.local_endpoint(mirror_port, {"version": "v2"})], port=8000),
            rc.destination_rule("httpbin", "httpbin.default.svc.cluster.local", "loadBalancer:\n  simple: ROUND_ROBIN",
                                subsets="""
                - name: v1
                  labels:
                    version: v1
                - name: v2
                  labels:
                    version: v2
                """),
            rc.virtual_service("httpbin", HOST, f"""
- route:
  - destination:
      host: httpbin
      subset: v1
    weight: 100
  mirror:
    host: httpbin
    subset: v2{pct}
"""),
        ]
        gw = rc.start(docs, listen_ports=[port])
        self.addCleanup(gw.stop)
        return port

    # Scenario: every request (GET and a small POST) reaches the mirror with Host suffixed
    # -shadow, while the client's answers all come from v1.
    def test_mirror_sees_every_request(self):
        mirror = ScriptedUpstream(status=200, body=b"mirror\n")
        self.addCleanup(mirror.stop)
        port = self.gateway(mirror.port)
        c = gwtest.Client(port)
        for i in range(10):
            status, headers, _ = c.get(f"/get?i={i}", host=HOST)
            self.assertEqual((status, headers.get("x-upstream-version")), (200, "v1"))
        status, headers, _ = c.request("POST", "/post", host=f"{HOST}:8080", body=b"x" * 1000)
        self.assertEqual((status, headers.get("x-upstream-version")), (200, "v1"))
        c.close()
        self.assertEqual(mirror.wait_for(11), 11)
        # Copies are independent connections, so their arrival order is not the client's order.
        self.assertCountEqual(mirror.hosts(), [f"{HOST}-shadow"] * 10 + [f"{HOST}-shadow:8080"])
        self.assertEqual(self.primary.stats()["requests"], 11)

    # Scenario: a mirror that answers 500 after 2 s neither delays nor changes the client's answer.
    def test_slow_failing_mirror_does_not_affect_client(self):
        mirror = ScriptedUpstream(status=500, delay=2.0)
        self.addCleanup(mirror.stop)
        port = self.gateway(mirror.port)
        c = gwtest.Client(port)
        start = time.monotonic()
        for _ in range(5):
            self.assertEqual(c.get("/get", host=HOST)[0], 200)
        self.assertLess(time.monotonic() - start, 1.5)  # a waited-for mirror would take 2 s each
        c.close()
        self.assertEqual(mirror.wait_for(5, timeout=3.0), 5)

    # Scenario: mirrorPercentage 0 mirrors nothing.
    def test_zero_percent_mirrors_nothing(self):
        mirror = ScriptedUpstream()
        self.addCleanup(mirror.stop)
        port = self.gateway(mirror.port, percentage=0)
        c = gwtest.Client(port)
        for _ in range(10):
            self.assertEqual(c.get("/get", host=HOST)[0], 200)
        c.close()
        time.sleep(0.2)
        self.assertEqual(mirror.count(), 0)


if __name__ == "__main__":
    unittest.main()
