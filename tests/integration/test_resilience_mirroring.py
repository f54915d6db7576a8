"""Istio's mirroring task through the real gateway: every request to v1 is copied to the mirror
with Host `…-shadow`; the client only sees the primary's answer, and a mirror that takes 2 s does
not delay it; mirrorPercentage 0 copies nothing. Copies go through the mirror cluster's own pool
and circuit breaker, and carry chunked and large bodies byte for byte."""

import http.client

import os
import sys
import threading
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

    def gateway(self, mirror_port, percentage=None, mirror_policy=""):
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
                """ + mirror_policy),
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


    # Scenario: chunked and large (300 KB) request bodies reach the mirror byte for byte, and the
    # primary gets them too.
    def test_bodies_are_mirrored(self):
        mirror = ScriptedUpstream()
        self.addCleanup(mirror.stop)
        port = self.gateway(mirror.port)
        big = bytes(range(256)) * 1200
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        conn.request("POST", "/post", body=big, headers={"Host": HOST})
        resp = conn.getresponse()
        resp.read()
        self.assertEqual(resp.status, 200)
        pieces = [b"first piece;", b"x" * 70000, b";last"]
        conn.request("POST", "/post", body=iter(pieces), headers={"Host": HOST}, encode_chunked=True)
        resp = conn.getresponse()
        resp.read()
        self.assertEqual(resp.status, 200)
        conn.close()
        self.assertEqual(mirror.wait_for(2), 2)
        self.assertEqual(sorted(len(b) for b in mirror.bodies), sorted([len(big), sum(map(len, pieces))]))
        self.assertIn(big, mirror.bodies)
        self.assertIn(b"".join(pieces), mirror.bodies)

    # Scenario: copies reuse the mirror cluster's pooled keep-alive connections.
    def test_copies_use_the_pool(self):
        mirror = ScriptedUpstream()
        self.addCleanup(mirror.stop)
        port = self.gateway(mirror.port)
        c = gwtest.Client(port)
        for i in range(10):
            self.assertEqual(c.get(f"/get?i={i}", host=HOST)[0], 200)
            mirror.wait_for(i + 1)
            time.sleep(0.05)  # the copy's answer goes back and its connection back to the pool
        c.close()
        self.assertEqual(mirror.wait_for(10), 10)
        # One connection per copy (the old way) would be 10.
        self.assertLessEqual(len(set(mirror.peers)), 3, mirror.peers)

    # Scenario: the mirror subset's circuit breaker (one connection, one pending) caps concurrent
    # copies of a slow mirror; the client's answers are unaffected.
    def test_mirror_circuit_breaker(self):
        mirror = ScriptedUpstream(delay=1.0)
        self.addCleanup(mirror.stop)
        policy = """
                  trafficPolicy:
                    connectionPool:
                      tcp: {maxConnections: 1}
                      http: {http1MaxPendingRequests: 1}
                """
        port = self.gateway(mirror.port, mirror_policy=policy)
        results = []

        def one():
            c = gwtest.Client(port)
            results.append(c.get("/get", host=HOST)[0])
            c.close()

        threads = [threading.Thread(target=one) for _ in range(6)]
        start = time.monotonic()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        self.assertEqual(results, [200] * 6)
        self.assertLess(time.monotonic() - start, 1.0)
        time.sleep(2.5)
        # One copy at a time plus one waiting: the other copies overflowed and were dropped.
        self.assertLessEqual(mirror.count(), 3, mirror.hosts())
        self.assertGreaterEqual(mirror.count(), 1)


if __name__ == "__main__":
    unittest.main()
