"""Kubernetes Services as the registry, through the real binary: a VirtualService on a gateway
routes to a v1 Service whose EndpointSlices list demo upstreams on 127.0.0.1 (ready endpoints only,
one endpoint per address and port), a ServiceEntry for the same host is ignored in favour of the
Service, and a DestinationRule subset selecting pods by label gets 503 UH (never all endpoints),
as `validate` warns. (The DNS path of a Service without slices needs cluster DNS; compile tests
cover it.)"""

import os
import subprocess
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gwtest  # noqa: E402
import harness  # noqa: E402


def slice_doc(name, port, ready=True):
    """An EndpointSlice of Service `reviews`: 127.0.0.1 at `port` (slice port `http`)."""
    conditions = "{ready: true}" if ready else "{ready: false, serving: true, terminating: true}"
    return f"""
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata:
  name: {name}
  namespace: default
  labels:
    kubernetes.io/service-name: reviews
addressType: IPv4
endpoints:
- addresses: [127.0.0.1]
  conditions: {conditions}
ports:
- name: http
  port: {port}
  protocol: TCP
"""


def config(port, v1, v2, squatter):
    return [
        gwtest.gateway("gw", port, ["*"]),
        """
apiVersion: v1
kind: Service
metadata:
  name: reviews
  namespace: default
  labels: {app: reviews}
spec:
  selector: {app: reviews}
  ports:
  - name: http
    port: 9080
    targetPort: 8080
""",
        slice_doc("reviews-a", v1.port),
        slice_doc("reviews-b", v2.port),
        slice_doc("reviews-c", squatter.port, ready=False),
        # Same host as the Service: Istio keeps the Service, so this endpoint never gets traffic.
        gwtest.service("reviews.default.svc.cluster.local", [gwtest.upstream_endpoint(squatter)], port=9080,
                       name="reviews-squat"),
        """
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata:
  name: reviews
  namespace: default
spec:
  host: reviews
  subsets:
  - name: v1
    labels: {version: v1}
""",
        """
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: shop
  namespace: default
spec:
  hosts: ["shop.example.com"]
  gateways: [gw]
  http:
  - match:
    - uri: {prefix: /subset}
    route:
    - destination: {host: reviews, subset: v1}
  - route:
    - destination: {host: reviews}
""",
    ]


class KubeServiceRouting(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.v1 = harness.start_upstream("reviews", "v1")
        cls.v2 = harness.start_upstream("reviews", "v2")
        cls.squatter = harness.start_upstream("squatter", "v9")
        cls.port = harness.free_port()
        cls.gw = gwtest.start_gateway(config(cls.port, cls.v1, cls.v2, cls.squatter), listen_ports=[cls.port])

    @classmethod
    def tearDownClass(cls):
        cls.gw.stop()
        for up in (cls.v1, cls.v2, cls.squatter):
            up.stop()

    def test_routes_to_the_ready_slice_endpoints(self):
        # Scenario: 40 requests to the Service reach both ready slice endpoints (127.0.0.1 at two
        # ports are two endpoints) and never the not-ready one or the ServiceEntry's.
        seen = gwtest.count_versions(self.port, "shop.example.com", 40, path="/reviews")
        self.assertEqual(set(seen), {"v1", "v2"}, seen)
        self.assertEqual(sum(seen.values()), 40, seen)

    def test_labelled_subset_gets_no_endpoint(self):
        # Scenario: the subset selects pods by label, which slices do not carry: 503 no healthy
        # upstream, never a fallback to every endpoint.
        client = gwtest.Client(self.port)
        status, headers, body = client.get("/subset", host="shop.example.com")
        client.close()
        self.assertEqual(status, 503, (headers, body))
        self.assertEqual(body, b"no healthy upstream")
        self.assertNotIn("x-upstream-version", headers)

    def test_validate_names_the_service_in_use_and_the_subset(self):
        # Scenario: `switchyard validate` on the same files exits 0 and warns, with FILE:LINE, that
        # the ServiceEntry is ignored for the Service's host and that the subset cannot be resolved.
        p = subprocess.run([harness.switchyard_bin(), "validate", self.gw.config_dir], capture_output=True,
                           text=True, timeout=60)
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        lines = p.stdout.splitlines()
        self.assertTrue(any("ServiceEntry default/reviews-squat: spec.hosts[0]: warning: host "
                            "\"reviews.default.svc.cluster.local\" is also defined by Kubernetes Service "
                            "default/reviews" in line for line in lines), lines)
        self.assertTrue(any("DestinationRule default/reviews: spec.subsets[0]: warning: subset \"v1\" cannot be "
                            "resolved on Kubernetes Service default/reviews" in line for line in lines), lines)
        self.assertFalse([line for line in lines if "IST0101" in line], lines)


if __name__ == "__main__":
    harness.main()
