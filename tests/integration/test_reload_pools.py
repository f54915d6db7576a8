"""Upstream connection pools across reloads (docs/architecture.md, "Config reload"): pools to endpoints
that still exist survive a config change, idle connections to an endpoint the new config no longer
has are closed right after the reload, and a request in flight to a removed endpoint finishes and
then its connection closes instead of going back to the pool; and an idle pooled connection past its
DestinationRule http.idleTimeout closes even when no request comes. Upstreams here are tiny Python
servers that count the connections they accept and the ones the gateway closes."""

import os
import re
import socket
import sys
import threading
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gwtest  # noqa: E402
import harness  # noqa: E402


class CountingUpstream:
    """HTTP/1.1 keep-alive upstream on 127.0.0.1 answering every request with 200 and
    `x-upstream-version`; a path starting with /slow waits 1 s first. Counts connections accepted
    and connections whose peer (the gateway) closed them."""

    def __init__(self, version):
        self.version = version
        self.lock = threading.Lock()
        self.accepted = 0
        self.closed = 0
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        self.port = self.sock.getsockname()[1]
        threading.Thread(target=self._accept, daemon=True).start()

    def counts(self):
        with self.lock:
            return self.accepted, self.closed

    def wait_closed(self, n, timeout):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.counts()[1] >= n:
                return True
            time.sleep(0.02)
        return False

    def _accept(self):
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return  # stopped
            with self.lock:
                self.accepted += 1
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn):
        buf = b""
        try:
            while True:
                while b"\r\n\r\n" not in buf:
                    data = conn.recv(65536)
                    if not data:
                        with self.lock:
                            self.closed += 1
                        return
                    buf += data
                head, buf = buf.split(b"\r\n\r\n", 1)  # GETs only: no request body
                if head.split(b" ", 2)[1].startswith(b"/slow"):
                    time.sleep(1.0)
                body = self.version.encode()
                conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\nx-upstream-version: %s\r\n\r\n%s"
                             % (len(body), body, body))
        except OSError:
            with self.lock:
                self.closed += 1
        finally:
            conn.close()

    def stop(self):
        self.sock.close()


def config(port, keep, removed=None, extra=""):
    """Gateway, service `keep` (a.example.com) and, unless None, service `removed` (b.example.com)."""
    docs = [gwtest.gateway("gw", port, ["*"]),
            gwtest.service("a.svc.example.org", [("127.0.0.1", keep.port, {"version": "a"})], name="a"),
            gwtest.route_all("a", "a.svc.example.org")]
    if removed is not None:
        docs += [gwtest.service("b.svc.example.org", [("127.0.0.1", removed.port, {"version": "b"})], name="b"),
                 gwtest.route_all("b", "b.svc.example.org")]
    if extra:
        docs.append(extra)
    return "\n---\n".join(d.strip("\n") for d in docs) + "\n"


def applied_versions(gw):
    return [int(v) for v in re.findall(r"config version (\d+) ", gw.stderr())]


class PoolsAcrossReloads(unittest.TestCase):
    def setUp(self):
        self.a, self.b = CountingUpstream("a"), CountingUpstream("b")
        self.addCleanup(self.a.stop)
        self.addCleanup(self.b.stop)
        self.port = harness.free_port()
        self.gw = gwtest.start_gateway(config(self.port, self.a, self.b), listen_ports=[self.port],
                                       extra_args=["--access-log", "off"])
        self.addCleanup(self.gw.stop)
        self.path = os.path.join(self.gw.config_dir, "config.yaml")

    def rewrite(self, text):
        """Writes the config and waits until the gateway applied it."""
        before = applied_versions(self.gw)[-1]
        with open(self.path, "w") as f:
            f.write(text)
        # Generous: what is tested is the pools across the reload, not how fast it comes, and under
        # ThreadSanitizer beside other tests a reload has taken over 5 s.
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            if applied_versions(self.gw)[-1] > before:
                return
            time.sleep(0.01)
        self.fail(f"config not applied:\n{self.gw.stderr()[-2000:]}")

    def get(self, client, name, version=None):
        """GET / on {name}.example.com; expects 200 from upstream `version` (default: `name`)."""
        status, hdrs, _ = client.get("/", host=f"{name}.example.com")
        self.assertEqual((status, hdrs.get("x-upstream-version")), (200, version or name))

    def test_pool_to_a_kept_endpoint_survives_an_unrelated_change(self):
        # Keep-alive traffic to A before, during and after a change to another route: A sees one connection.
        c = gwtest.Client(self.port)
        self.addCleanup(c.close)
        for _ in range(10):
            self.get(c, "a")
        self.assertEqual(self.a.counts(), (1, 0))
        stop = threading.Event()
        errors = []

        def keep_sending():
            t = gwtest.Client(self.port)
            try:
                while not stop.is_set():
                    self.get(t, "a")
            except Exception as e:  # noqa: BLE001 - reported below
                errors.append(e)
            finally:
                t.close()

        # A second keep-alive client sends throughout the reload (it may open A's second connection).
        sender = threading.Thread(target=keep_sending)
        sender.start()
        time.sleep(0.2)
        accepted_before = self.a.counts()[0]
        self.rewrite(config(self.port, self.a, self.b, extra=gwtest.route_all("c", "a.svc.example.org")))
        time.sleep(0.5)
        stop.set()
        sender.join(10)
        self.assertEqual(errors, [])
        for _ in range(10):
            self.get(c, "a")
        self.get(c, "c", version="a")  # the change applied
        self.assertEqual(self.a.counts(), (accepted_before, 0), "the reload closed or replaced pooled connections to A")
        self.assertLessEqual(accepted_before, 2)

    def test_pool_to_a_dns_endpoint_survives_a_change(self):
        # A `resolution: DNS` endpoint ("localhost") is known by its resolved address: its pool survives too.
        d = CountingUpstream("d")
        self.addCleanup(d.stop)
        dns = gwtest.service("d.svc.example.org", [("localhost", d.port, {"version": "d"})], resolution="DNS",
                             name="d") + "---\n" + gwtest.route_all("d", "d.svc.example.org")
        self.rewrite(config(self.port, self.a, self.b, extra=dns))
        c = gwtest.Client(self.port)
        self.addCleanup(c.close)
        for _ in range(5):
            self.get(c, "d")
        self.assertEqual(d.counts(), (1, 0))
        self.rewrite(config(self.port, self.a, self.b, extra=dns + "---\n" + gwtest.route_all("c", "a.svc.example.org")))
        time.sleep(0.5)
        for _ in range(5):
            self.get(c, "d")
        self.assertEqual(d.counts(), (1, 0), "the reload closed the pooled connection to the DNS endpoint")
        # And removing the DNS service closes it.
        self.rewrite(config(self.port, self.a, self.b))
        self.assertTrue(d.wait_closed(1, timeout=2.0), f"idle connection to the removed DNS endpoint open: {d.counts()}")

    def test_idle_connections_to_a_removed_endpoint_close_after_the_reload(self):
        # B's idle pooled connection is closed right after B leaves the config, with no traffic to prompt it.
        c = gwtest.Client(self.port)
        self.addCleanup(c.close)
        self.get(c, "a")
        self.get(c, "b")
        self.assertEqual(self.b.counts(), (1, 0))
        time.sleep(0.3)
        self.assertEqual(self.b.counts(), (1, 0), "B's pooled connection closed before any reload")
        self.rewrite(config(self.port, self.a))
        self.assertTrue(self.b.wait_closed(1, timeout=2.0), f"B's idle connection still open: {self.b.counts()}")
        self.assertEqual(self.a.counts(), (1, 0))
        status, _, _ = c.get("/", host="b.example.com")
        self.assertEqual(status, 404)
        self.get(c, "a")
        self.assertEqual(self.a.counts(), (1, 0))

    def test_request_in_flight_to_a_removed_endpoint_finishes_then_its_connection_closes(self):
        # A 1 s request to B spans B's removal: it answers 200, then its connection is not pooled but closed.
        result = {}

        def slow():
            result["r"] = gwtest.Client(self.port).get("/slow", host="b.example.com")

        t = threading.Thread(target=slow)
        t.start()
        time.sleep(0.3)
        self.assertEqual(self.b.counts(), (1, 0))
        self.rewrite(config(self.port, self.a))
        t.join(10)
        self.assertEqual((result["r"][0], result["r"][1].get("x-upstream-version")), (200, "b"))
        self.assertTrue(self.b.wait_closed(1, timeout=2.0), f"B's connection went back to the pool: {self.b.counts()}")


IDLE_TIMEOUT_DR = """
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata:
  name: a-idle
  namespace: default
spec:
  host: a.svc.example.org
  trafficPolicy:
    connectionPool:
      http:
        idleTimeout: 1s
"""


class IdlePoolExpiry(unittest.TestCase):
    # Scenario: with http.idleTimeout 1s and no further traffic, the gateway closes its idle upstream connection by itself.
    def test_idle_timeout_closes_an_unused_connection_without_traffic(self):
        a = CountingUpstream("a")
        self.addCleanup(a.stop)
        port = harness.free_port()
        gw = gwtest.start_gateway(config(port, a, extra=IDLE_TIMEOUT_DR), listen_ports=[port],
                                  extra_args=["--access-log", "off"])
        self.addCleanup(gw.stop)
        c = gwtest.Client(port)
        self.addCleanup(c.close)
        status, hdrs, _ = c.get("/", host="a.example.com")
        self.assertEqual((status, hdrs.get("x-upstream-version")), (200, "a"))
        self.assertEqual(a.counts(), (1, 0))
        time.sleep(0.5)
        self.assertEqual(a.counts(), (1, 0), "closed before its idle timeout")
        # The pool sweeps every 5 s: the connection, idle past 1 s, closes at the first sweep.
        self.assertTrue(a.wait_closed(1, timeout=7.0), f"idle connection still open: {a.counts()}")


if __name__ == "__main__":
    harness.main()
