"""Istio's request-timeout and fault-injection tasks through the real gateway: a 0.5 s route
timeout against a slow upstream, a delay for one user longer than the client's patience (and
outside the route timeout), and aborts at 100 % and 50 % that never reach the upstream."""

import os
import socket
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gwtest  # noqa: E402
import harness  # noqa: E402
import resilience_config as rc  # noqa: E402

HOST = "svc.example.com"


class ResilienceTimeoutsFaults(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.up = harness.start_upstream("svc", "v1", threads=2)

    @classmethod
    def tearDownClass(cls):
        cls.up.stop()

    def gateway(self, http_block):
        port = harness.free_port()
        gw = rc.start(rc.simple(port, [rc.local_endpoint(self.up.port)], http_block), listen_ports=[port])
        self.addCleanup(gw.stop)
        return port

    # Scenario: the request-timeouts task: `timeout: 0.5s` and an upstream that takes 2 s gives
    # 504 "upstream request timeout" after about half a second.
    def test_route_timeout(self):
        port = self.gateway("""
            - route:
              - destination:
                  host: svc
              timeout: 0.5s
            """)
        c = gwtest.Client(port)
        start = time.monotonic()
        status, headers, body = c.get("/?delay=2000", host=HOST)
        elapsed = time.monotonic() - start
        c.close()
        self.assertEqual(status, 504)
        self.assertEqual(body, b"upstream request timeout")
        self.assertEqual(headers.get("x-switchyard-reason"), "UT")
        self.assertGreaterEqual(elapsed, 0.45)
        self.assertLess(elapsed, 1.2)
        # Without a delay the same route answers normally.
        c = gwtest.Client(port)
        self.assertEqual(c.get("/", host=HOST)[0], 200)
        c.close()

    # Scenario: the fault-injection task: a fixed delay for end-user jason is longer than the
    # client's timeout, other users are not delayed; the delay is not counted in the route timeout.
    def test_delay_for_one_user(self):
        port = self.gateway("""
            - match:
              - headers:
                  end-user:
                    exact: jason
              fault:
                delay:
                  fixedDelay: 1.5s
                  percentage:
                    value: 100
              route:
              - destination:
                  host: svc
              timeout: 0.5s
            - route:
              - destination:
                  host: svc
            """)
        impatient = gwtest.Client(port, timeout=0.7)
        with self.assertRaises((socket.timeout, TimeoutError)):
            impatient.get("/", host=HOST, headers={"end-user": "jason"})
        impatient.close()
        c = gwtest.Client(port)
        self.addCleanup(c.close)
        start = time.monotonic()
        status, _, _ = c.get("/", host=HOST, headers={"end-user": "alice"})
        self.assertEqual(status, 200)
        self.assertLess(time.monotonic() - start, 0.5)
        # A patient client gets the upstream's answer after the delay: the delay is outside the
        # 0.5 s route timeout.
        start = time.monotonic()
        status, _, _ = c.get("/", host=HOST, headers={"end-user": "jason"})
        self.assertEqual(status, 200)
        self.assertGreaterEqual(time.monotonic() - start, 1.45)

    # Scenario: an abort of 100 % for jason answers 500 "fault filter abort" (reason FI) and the
    # upstream never sees the request; an absent percentage means 0 %.
    def test_abort_100_percent(self):
        port = self.gateway("""
            - match:
              - headers:
                  end-user:
                    exact: jason
              fault:
                abort:
                  httpStatus: 500
                  percentage:
                    value: 100.0
              route:
              - destination:
                  host: svc
            - match:
              - headers:
                  end-user:
                    exact: nopercent
              fault:
                abort:
                  httpStatus: 500
              route:
              - destination:
                  host: svc
            - route:
              - destination:
                  host: svc
            """)
        self.up.reset_stats()
        c = gwtest.Client(port)
        for _ in range(20):
            status, headers, body = c.get("/", host=HOST, headers={"end-user": "jason", "x-demo-key": "abort"})
            self.assertEqual((status, body, headers.get("x-switchyard-reason")), (500, b"fault filter abort", "FI"))
        self.assertNotIn("abort", self.up.stats()["by_key"])
        for _ in range(20):
            self.assertEqual(c.get("/", host=HOST, headers={"end-user": "nopercent"})[0], 200)
        c.close()

    # Scenario: an abort at 50 % hits about half of 2,000 requests (±5 points here; the exact
    # ±1.5 over 10,000 is the sampling unit test).
    def test_abort_50_percent(self):
        port = self.gateway("""
            - fault:
                abort:
                  httpStatus: 503
                  percentage:
                    value: 50
              route:
              - destination:
                  host: svc
            """)
        counts = gwtest.count_versions(port, HOST, 2000, threads=4)
        aborted = counts.get("status:503", 0)
        self.assertEqual(set(counts) - {"v1", "status:503"}, set(), counts)
        self.assertAlmostEqual(aborted / 20.0, 50.0, delta=5.0)


if __name__ == "__main__":
    unittest.main()
