"""Retries through the real gateway: an endpoint that resets (or fails) once is hidden from the
client by `retryOn: reset`, `5xx` and `gateway-error`, with the attempts counted at the upstream;
Istio's default policy (no `retries` block) retries a connect failure on another endpoint, also
on the default route of a service without a VirtualService; it does not retry a reset GET, and
switchyard's safer default never re-sends a POST the upstream may have processed."""

import os
import sys
import unittest
import uuid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gwtest  # noqa: E402
import harness  # noqa: E402
import resilience_config as rc  # noqa: E402

HOST = "svc.example.com"


def retry_route(retry_on):
    return f"""
- match:
  - headers:
      x-retry-on:
        exact: "{retry_on}"
  route:
  - destination:
      host: svc
  retries:
    attempts: 3
    retryOn: {retry_on}
"""


class ResilienceRetries(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.up = harness.start_upstream("svc", "v1", threads=2)
        cls.dead_port = harness.free_port()  # nothing listens here
        cls.port = harness.free_port()
        routes = "".join(retry_route(r) for r in ("reset", "5xx", "gateway-error")) + """
- route:
  - destination:
      host: svc
"""
        # maxRequestsPerConnection 1: every attempt on a fresh connection, so only the retry
        # policy (not the free re-send after a stale keep-alive connection) can hide a failure.
        docs = rc.simple(cls.port, [rc.local_endpoint(cls.up.port)], routes,
                         traffic_policy="connectionPool:\n  http:\n    maxRequestsPerConnection: 1")
        # A pooled service (keep-alive upstream connections) for the POST-on-reused-connection case.
        docs.append(gwtest.service("pooled.default.svc.cluster.local", [rc.local_endpoint(cls.up.port)]))
        docs.append(rc.virtual_service("pooled", "pooled.example.com", """
            - route:
              - destination:
                  host: pooled
            """))
        # A second service with one dead and one live endpoint and no retries block, reachable
        # through the gateway (host two.example.com) and, without any VirtualService, on the mesh
        # listener by its service name.
        docs.append(gwtest.service("two.default.svc.cluster.local",
                                   [rc.local_endpoint(cls.dead_port), rc.local_endpoint(cls.up.port)]))
        docs.append(rc.virtual_service("two", "two.example.com", """
            - route:
              - destination:
                  host: two
            """))
        cls.mesh_port = harness.free_port()
        cls.gw = rc.start(docs, listen_ports=[cls.port], mesh_ports=[cls.mesh_port])

    @classmethod
    def tearDownClass(cls):
        cls.gw.stop()
        cls.up.stop()

    def attempts(self, key):
        return self.up.stats()["by_key"].get(key, 0)

    def once(self, retry_on, failure, method="GET", body=None):
        """One request whose first attempt fails with `failure` (dict of x-demo-* controls)."""
        key = uuid.uuid4().hex
        headers = {"x-demo-fail-times": "1", "x-demo-key": key}
        headers.update(failure)
        if retry_on:
            headers["x-retry-on"] = retry_on
        c = gwtest.Client(self.port)
        status, hdrs, data = c.request(method, "/", host=HOST, headers=headers, body=body)
        c.close()
        return status, hdrs, data, self.attempts(key)

    # Scenario: retryOn reset hides an upstream that resets the connection once; the upstream saw
    # two attempts.
    def test_reset_retried_on_reset(self):
        status, _, _, attempts = self.once("reset", {"x-demo-reset": "1"})
        self.assertEqual((status, attempts), (200, 2))

    # Scenario: in Envoy `5xx` and `gateway-error` also cover a reset before the response.
    def test_reset_retried_on_5xx_and_gateway_error(self):
        for retry_on in ("5xx", "gateway-error"):
            status, _, _, attempts = self.once(retry_on, {"x-demo-reset": "1"})
            self.assertEqual((status, attempts), (200, 2), retry_on)

    # Scenario: a 503 once is retried under gateway-error, a 500 once under 5xx; reset alone does
    # not retry a 500 response (the client sees it).
    def test_status_retries(self):
        self.assertEqual(self.once("gateway-error", {"x-demo-status": "503"})[::3], (200, 2))
        self.assertEqual(self.once("5xx", {"x-demo-status": "500"})[::3], (200, 2))
        self.assertEqual(self.once("reset", {"x-demo-status": "500"})[::3], (500, 1))

    # Scenario: attempts are bounded: an upstream failing 10 times under `attempts: 3` is tried
    # 4 times and the client gets the last 503 marked URX.
    def test_attempts_bounded(self):
        key = uuid.uuid4().hex
        c = gwtest.Client(self.port)
        status, _, _ = c.get("/", host=HOST, headers={"x-demo-fail-times": "10", "x-demo-key": key,
                                                       "x-demo-status": "503", "x-retry-on": "gateway-error"})
        c.close()
        self.assertEqual((status, self.attempts(key)), (503, 4))

    # Scenario: the default policy does not retry a reset GET (reset is not in its retryOn): the
    # client gets 503 UC with Envoy's body.
    def test_default_policy_does_not_retry_reset(self):
        status, headers, body, attempts = self.once(None, {"x-demo-reset": "1"})
        self.assertEqual((status, attempts), (503, 1))
        self.assertEqual(headers.get("x-switchyard-reason"), "UC")
        self.assertEqual(body, b"upstream connect error or disconnect/reset before headers. reset reason: connection termination")

    # Scenario: the default policy never re-sends a POST that was reset after being sent, also
    # on a reused keep-alive upstream connection (where a GET gets one free re-send).
    def test_default_policy_does_not_retry_sent_post(self):
        status, _, _, attempts = self.once(None, {"x-demo-reset": "1"}, method="POST", body=b"order=1")
        self.assertEqual((status, attempts), (503, 1))
        c = gwtest.Client(self.port)
        for _ in range(3):  # leaves idle upstream connections in this worker's pool
            self.assertEqual(c.get("/", host="pooled.example.com")[0], 200)
        key = uuid.uuid4().hex
        status, _, _ = c.request("POST", "/", host="pooled.example.com", body=b"order=2",
                                 headers={"x-demo-fail-times": "1", "x-demo-key": key, "x-demo-reset": "1"})
        c.close()
        self.assertEqual((status, self.attempts(key)), (503, 1))

    # Scenario: the default policy retries a connect failure (dead endpoint) on the other
    # endpoint: every request succeeds through the gateway route without a retries block.
    def test_default_policy_retries_connect_failure(self):
        c = gwtest.Client(self.port)
        statuses = [c.get("/", host="two.example.com")[0] for _ in range(20)]
        c.close()
        self.assertEqual(statuses, [200] * 20)

    # Scenario: the same on the mesh listener's default route of a service with no VirtualService.
    def test_default_route_retries_connect_failure(self):
        c = gwtest.Client(self.mesh_port)
        statuses = [c.get("/", host="two.default.svc.cluster.local:80")[0] for _ in range(20)]
        c.close()
        self.assertEqual(statuses, [200] * 20)


if __name__ == "__main__":
    unittest.main()
