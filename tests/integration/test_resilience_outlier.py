"""Istio's outlier detection through the real gateway: of three endpoints one always answers 500;
after its first failure it is ejected and traffic reaches only the two good ones; after
baseEjectionTime it is tried again; when every endpoint is ejected the gateway answers 503
"no healthy upstream" (UH) at once; under `resolution: DNS` the failing resolved address is
ejected, not the name."""

import json

import os
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gwtest  # noqa: E402
import harness  # noqa: E402
import resilience_config as rc  # noqa: E402
from scripted_upstream import ScriptedUpstream  # noqa: E402

HOST = "svc.example.com"
ROUTE = """
- route:
  - destination:
      host: svc
"""


def policy(max_ejection_percent):
    return f"""
loadBalancer:
  simple: ROUND_ROBIN
outlierDetection:
  consecutive5xxErrors: 1
  interval: 1s
  baseEjectionTime: 2s
  maxEjectionPercent: {max_ejection_percent}
"""


class ResilienceOutlier(unittest.TestCase):
    def setUp(self):
        self.good = [harness.start_upstream("svc", "v1"), harness.start_upstream("svc", "v2")]
        self.bad = ScriptedUpstream(status=500)
        for u in self.good:
            self.addCleanup(u.stop)
        self.addCleanup(self.bad.stop)

    def gateway(self, endpoints, max_ejection_percent):
        port = harness.free_port()
        gw = rc.start(rc.simple(port, endpoints, ROUTE, traffic_policy=policy(max_ejection_percent)),
                                  listen_ports=[port])
        self.addCleanup(gw.stop)
        return port

    # Scenario: the 500 endpoint is ejected after its first failure, traffic then flows only to
    # the two good endpoints, and after the 2 s ejection (+ up to a 1 s sweep) it is tried again.
    def test_failing_endpoint_is_ejected_then_returns(self):
        endpoints = [rc.local_endpoint(u.port) for u in self.good] + [rc.local_endpoint(self.bad.port)]
        port = self.gateway(endpoints, 34)
        c = gwtest.Client(port)
        statuses = [c.get("/", host=HOST)[0] for _ in range(6)]
        self.assertEqual(self.bad.count(), 1, statuses)
        self.assertEqual(statuses.count(500), 1, statuses)
        ejected_at = time.monotonic()
        # While ejected: 40 requests, all served by the two good endpoints.
        versions = {}
        for _ in range(40):
            status, headers, _ = c.get("/", host=HOST)
            self.assertEqual(status, 200)
            versions[headers["x-upstream-version"]] = versions.get(headers["x-upstream-version"], 0) + 1
        self.assertLess(time.monotonic() - ejected_at, 1.8, "the check must finish within the ejection")
        self.assertEqual(self.bad.count(), 1)
        self.assertEqual(set(versions), {"v1", "v2"}, versions)
        # After baseEjectionTime the endpoint gets traffic again.
        time.sleep(max(0.0, ejected_at + 3.2 - time.monotonic()))
        for _ in range(9):
            c.get("/", host=HOST)
        self.assertGreaterEqual(self.bad.count(), 2)
        c.close()

    # Scenario: a cluster whose only endpoints all fail ends fully ejected (maxEjectionPercent 100)
    # and answers 503 "no healthy upstream" (UH) without trying an upstream.
    def test_all_ejected_answers_no_healthy_upstream(self):
        bad2 = ScriptedUpstream(status=500)
        self.addCleanup(bad2.stop)
        port = self.gateway([rc.local_endpoint(self.bad.port), rc.local_endpoint(bad2.port)], 100)
        c = gwtest.Client(port)
        for _ in range(2):
            self.assertEqual(c.get("/", host=HOST)[0], 500)
        start = time.monotonic()
        status, headers, body = c.get("/", host=HOST)
        self.assertEqual((status, body, headers.get("x-switchyard-reason")), (503, b"no healthy upstream", "UH"))
        self.assertLess(time.monotonic() - start, 0.2)
        self.assertEqual(self.bad.count() + bad2.count(), 2)
        c.close()


    # Scenario: `resolution: DNS` endpoints named `localhost`: the failing one is ejected as the
    # address it resolved to (127.0.0.1:port, Envoy's per-address hosts), seen in admin /clusters.
    def test_dns_endpoint_ejected_by_address(self):
        port, admin = harness.free_port(), harness.free_port()
        endpoints = [("localhost", u.port, {"app": "svc"}) for u in self.good] + [("localhost", self.bad.port, {"app": "svc"})]
        docs = [gwtest.gateway("gw", port, ["*"]),
                gwtest.service("svc.default.svc.cluster.local", endpoints, resolution="DNS"),
                rc.virtual_service("svc", HOST, ROUTE),
                rc.destination_rule("svc", "svc.default.svc.cluster.local", policy(34))]
        gw = gwtest.start_gateway(docs, listen_ports=[port], extra_args=["--admin", f"127.0.0.1:{admin}"])
        self.addCleanup(gw.stop)
        c = gwtest.Client(port)
        statuses = [c.get("/", host=HOST)[0] for _ in range(8)]
        self.assertEqual(statuses.count(500), 1, statuses)
        for _ in range(10):
            self.assertEqual(c.get("/", host=HOST)[0], 200)
        c.close()
        _, _, body = harness.http("GET", f"http://127.0.0.1:{admin}/clusters")
        cluster = next(cl for cl in json.loads(body)["clusters"] if cl.get("host", cl.get("name", "")).startswith("svc."))
        resolved = {e["address"]: e["health"] for e in cluster.get("resolved_endpoints", [])}
        self.assertEqual(resolved.get(f"127.0.0.1:{self.bad.port}"), "EJECTED", cluster)
        for u in self.good:
            self.assertEqual(resolved.get(f"127.0.0.1:{u.port}"), "HEALTHY", cluster)
        self.assertEqual({e["health"] for e in cluster["endpoints"]}, {"HEALTHY"}, cluster)


if __name__ == "__main__":
    unittest.main()
