"""Istio's circuit-breaking task through the real gateway: `maxConnections: 1` and
`http1MaxPendingRequests: 1` let one request run and one wait; further concurrent requests fail
fast with 503, `x-envoy-overloaded: true` and reason UO, while a single client never overflows."""

import os
import sys
import threading
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gwtest  # noqa: E402
import harness  # noqa: E402
import resilience_config as rc  # noqa: E402

HOST = "svc.example.com"
POLICY = """
connectionPool:
  tcp:
    maxConnections: 1
  http:
    http1MaxPendingRequests: 1
    maxRequestsPerConnection: 1
outlierDetection:
  consecutive5xxErrors: 1
  interval: 1s
  baseEjectionTime: 3m
  maxEjectionPercent: 100
"""


def load(port, clients, per_client):
    """`clients` threads, each sending `per_client` sequential GETs (upstream delay 100 ms).
    Returns a list of (status, x-envoy-overloaded, x-switchyard-reason, body)."""
    results, errors = [], []
    lock = threading.Lock()

    def run():
        c = gwtest.Client(port)
        try:
            for _ in range(per_client):
                status, headers, body = c.get("/?delay=100", host=HOST)
                with lock:
                    results.append((status, headers.get("x-envoy-overloaded"), headers.get("x-switchyard-reason"), body))
        except Exception as e:  # reported below
            errors.append(e)
        finally:
            c.close()

    threads = [threading.Thread(target=run) for _ in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    if errors:
        raise errors[0]
    return results


class ResilienceCircuitBreaking(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.up = harness.start_upstream("svc", "v1", threads=4)
        cls.port = harness.free_port()
        docs = rc.simple(cls.port, [rc.local_endpoint(cls.up.port)], """
            - route:
              - destination:
                  host: svc
            """, traffic_policy=POLICY)
        cls.gw = rc.start(docs, listen_ports=[cls.port])

    @classmethod
    def tearDownClass(cls):
        cls.gw.stop()
        cls.up.stop()

    # Scenario: three concurrent clients: a clear share of requests overflow (Istio's task sees
    # about 60 %); every overflow is a gateway 503 UO with x-envoy-overloaded, the rest are 200.
    # Overflows do not count as upstream errors, so outlier detection (1 error ejects for 3 min)
    # never ejects the only endpoint.
    def test_three_clients_overflow(self):
        results = load(self.port, clients=3, per_client=15)
        overflow = [r for r in results if r[0] == 503]
        ok = [r for r in results if r[0] == 200]
        self.assertEqual(len(overflow) + len(ok), len(results), results)
        share = len(overflow) / len(results)
        print(f"circuit breaking: {len(overflow)}/{len(results)} overflowed ({share:.0%})", file=sys.stderr)
        self.assertGreater(share, 0.20)
        self.assertGreater(len(ok), 0)
        for status, overloaded, reason, body in overflow:
            self.assertEqual(overloaded, "true")
            self.assertEqual(reason, "UO")
            self.assertEqual(body, b"upstream connect error or disconnect/reset before headers. reset reason: overflow")
        # After the burst one client is served again (no ejection, no leaked slots).
        self.assertEqual([r[0] for r in load(self.port, clients=1, per_client=3)], [200] * 3)

    # Scenario: a single client never exceeds one connection, so nothing overflows.
    def test_one_client_never_overflows(self):
        results = load(self.port, clients=1, per_client=15)
        self.assertEqual([r[0] for r in results], [200] * 15)

    # Scenario: two clients fit (one active, one pending): the pending one waits, none overflow.
    def test_pending_request_waits(self):
        results = load(self.port, clients=2, per_client=8)
        self.assertEqual(sorted(r[0] for r in results), [200] * 16)


class ResilienceMaxRequests(unittest.TestCase):
    # Scenario: `http2MaxRequests: 1` (max concurrent requests, any HTTP version) with no
    # connection limit: concurrent clients beyond the one active request overflow at once with
    # 503 UO; there is no pending queue for this limit.
    def test_max_requests_overflow(self):
        up = harness.start_upstream("svc", "v1", threads=4)
        self.addCleanup(up.stop)
        port = harness.free_port()
        docs = rc.simple(port, [rc.local_endpoint(up.port)], """
            - route:
              - destination:
                  host: svc
            """, traffic_policy="connectionPool:\n  http:\n    http2MaxRequests: 1")
        gw = rc.start(docs, listen_ports=[port])
        self.addCleanup(gw.stop)
        results = load(port, clients=3, per_client=8)
        overflow = [r for r in results if r[0] == 503]
        self.assertGreater(len(overflow), 0)
        self.assertEqual(len(overflow) + sum(1 for r in results if r[0] == 200), len(results))
        self.assertTrue(all(r[1] == "true" and r[2] == "UO" for r in overflow), overflow)
        self.assertEqual([r[0] for r in load(port, clients=1, per_client=5)], [200] * 5)


if __name__ == "__main__":
    unittest.main()
