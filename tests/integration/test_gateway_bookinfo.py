"""Istio's Bookinfo traffic-management tasks through the real binary: destination-rule-all plus the
reviews routing samples (all-v1, test-v2 for end-user jason, 80/20, 50/50) behind --mesh-listen,
and bookinfo-gateway behind a gateway listener. The registry is ServiceEntries + WorkloadEntries
pointing at demo upstreams; every answer must be the one Istio's sidecar/gateway would route to."""

import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gwtest  # noqa: E402
import harness  # noqa: E402

TESTDATA = os.path.join(harness.SRC, "tests", "testdata", "bookinfo")

# The reviews samples, as in Istio's samples/bookinfo/networking (written here, not copied).
ALL_V1 = """
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: reviews
spec:
  hosts:
  - reviews
  http:
  - route:
    - destination:
        host: reviews
        subset: v1
"""


def split(v_a, w_a, v_b, w_b):
    return f"""
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: reviews
spec:
  hosts:
  - reviews
  http:
  - route:
    - destination:
        host: reviews
        subset: {v_a}
      weight: {w_a}
    - destination:
        host: reviews
        subset: {v_b}
      weight: {w_b}
"""


def fixture(name):
    with open(os.path.join(TESTDATA, name)) as f:
        return f.read()


def registry(ups):
    """ServiceEntry per Bookinfo service (port 9080, workloadSelector) + one WorkloadEntry per upstream."""
    docs = []
    for app in ("productpage", "reviews", "ratings", "details"):
        docs.append(f"""
apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata:
  name: {app}
spec:
  hosts: [{app}.default.svc.cluster.local]
  location: MESH_INTERNAL
  resolution: STATIC
  ports:
  - {{number: 9080, name: http, protocol: HTTP}}
  workloadSelector:
    labels: {{app: {app}}}
""")
    for up in ups:
        docs.append(f"""
apiVersion: networking.istio.io/v1
kind: WorkloadEntry
metadata:
  name: {up.name}-{up.version}
spec:
  address: 127.0.0.1
  ports: {{http: {up.port}}}
  labels: {{app: {up.name}, version: {up.version}}}
""")
    return docs


class BookinfoTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        specs = [("productpage", "v1"), ("reviews", "v1"), ("reviews", "v2"), ("reviews", "v3"),
                 ("ratings", "v1"), ("details", "v1")]
        cls.ups = [harness.start_upstream(n, v) for n, v in specs]

    @classmethod
    def tearDownClass(cls):
        for u in cls.ups:
            u.stop()

    def mesh(self, reviews_vs):
        """A sidecar (mesh listener) with destination-rule-all and the given reviews rule."""
        port = harness.free_port()
        docs = registry(self.ups) + [fixture("destination-rule-all.yaml")] + ([reviews_vs] if reviews_vs else [])
        gw = gwtest.start_gateway(docs, mesh_ports=[port])
        self.addCleanup(gw.stop)
        return port

    def reviews_versions(self, port, n, headers=None, threads=2):
        return gwtest.count_versions(port, "reviews:9080", n, path="/reviews/0", threads=threads, headers=headers)

    # Scenario: virtual-service-all-v1 sends every reviews request to v1.
    def test_all_v1(self):
        port = self.mesh(ALL_V1)
        self.assertEqual(self.reviews_versions(port, 200), {"v1": 200})

    # Scenario: reviews-test-v2 routes end-user jason to v2 and everyone else to v1.
    def test_test_v2_for_jason(self):
        port = self.mesh(fixture("virtual-service-reviews-test-v2.yaml"))
        self.assertEqual(self.reviews_versions(port, 100, headers={"end-user": "jason"}), {"v2": 100})
        self.assertEqual(self.reviews_versions(port, 100, headers={"end-user": "alice"}), {"v1": 100})
        self.assertEqual(self.reviews_versions(port, 100), {"v1": 100})

    # Scenario: reviews-80-20 splits v1/v2 80/20 (within 1.5 points over 10,000 requests).
    def test_80_20(self):
        port = self.mesh(split("v1", 80, "v2", 20))
        counts = self.reviews_versions(port, 10000, threads=4)
        self.assertEqual(set(counts), {"v1", "v2"}, counts)
        self.assertAlmostEqual(counts["v1"] / 100.0, 80.0, delta=1.5)

    # Scenario: reviews-50-50 (v1/v3) splits evenly.
    def test_50_50(self):
        port = self.mesh(split("v1", 50, "v3", 50))
        counts = self.reviews_versions(port, 2000, threads=4)
        self.assertEqual(set(counts), {"v1", "v3"}, counts)
        self.assertAlmostEqual(counts["v1"] / 20.0, 50.0, delta=3.5)  # > 3 sigma at n=2000

    # Scenario: addressing forms on the mesh listener: absolute-form URL, Host with port; short and long names.
    def test_mesh_addressing(self):
        port = self.mesh(ALL_V1)
        c = gwtest.Client(port)
        try:
            for target, host in (("http://reviews:9080/reviews/0", "reviews:9080"),
                                 ("/reviews/0", "reviews.default.svc.cluster.local:9080"),
                                 ("/reviews/0", "reviews.default:9080"),
                                 ("/reviews/0", "reviews.default.svc:9080")):
                status, hdrs, _ = c.get(target, host=host)
                self.assertEqual((status, hdrs.get("x-upstream-version")), (200, "v1"), (target, host))
            # A known service without a VirtualService gets Istio's default route: all its endpoints.
            status, hdrs, _ = c.get("/ratings/0", host="ratings:9080")
            self.assertEqual((status, hdrs.get("x-upstream-name")), (200, "ratings"))
            # Unknown host, or a known host on a port it does not expose: 404.
            for host in ("unknown:9080", "reviews:9999"):
                status, hdrs, _ = c.get("/", host=host)
                self.assertEqual(status, 404, host)
                self.assertEqual(hdrs.get("x-switchyard-reason"), "NR")
        finally:
            c.close()

    # Scenario: bookinfo-gateway exposes productpage's paths on a gateway listener and 404s the rest.
    def test_bookinfo_gateway(self):
        port = harness.free_port()
        gw_yaml = fixture("bookinfo-gateway.yaml").replace("number: 8080", f"number: {port}")
        docs = registry(self.ups) + [fixture("destination-rule-all.yaml"), gw_yaml]
        gw = gwtest.start_gateway(docs, listen_ports=[port])
        self.addCleanup(gw.stop)
        c = gwtest.Client(port)
        try:
            for path in ("/productpage", "/static/css/x.css", "/login", "/logout", "/api/v1/products/1"):
                status, hdrs, body = c.json("GET", path, host="bookinfo.example.com")
                self.assertEqual((status, hdrs.get("x-upstream-name")), (200, "productpage"), path)
                self.assertEqual(body["path"], path.split("?")[0])
            for path in ("/productpage/x", "/", "/reviews/0"):
                self.assertEqual(c.get(path, host="bookinfo.example.com")[0], 404, path)
        finally:
            c.close()


if __name__ == "__main__":
    harness.main()
