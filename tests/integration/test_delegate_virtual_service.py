"""Delegate VirtualServices through the real gateway (Istio docs' "Delegate" shape): a root
VirtualService on the gateway delegates /productpage to a VirtualService without hosts whose rules
are merged into it; the root's unset fields are inherited, a conflicting delegate rule is dropped,
explain and /config_dump show the merged rules, and editing only the delegate's file reroutes."""

import json
import os
import subprocess
import sys
import tempfile
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gwtest  # noqa: E402
import harness  # noqa: E402

HOST = "bookinfo.example.com"

ROOT = f"""
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: bookinfo
  namespace: default
spec:
  hosts: ["{HOST}"]
  gateways: [gw]
  http:
  - name: productpage
    match:
    - uri:
        prefix: /productpage
    delegate:
      name: productpage-routes
    timeout: 500ms
    headers:
      response:
        set:
          x-root: inherited
"""


def delegate_doc(v1_subset, rest_subset):
    """The delegate: /productpage/v1 to `v1_subset` (its own timeout), a rule outside the root's
    prefix (dropped), and a catch-all to `rest_subset`."""
    return f"""
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: productpage-routes
  namespace: default
spec:
  http:
  - name: v1
    match:
    - uri:
        prefix: /productpage/v1
    route:
    - destination:
        host: productpage
        subset: {v1_subset}
    timeout: 5s
  - name: outside
    match:
    - uri:
        prefix: /other
    route:
    - destination:
        host: productpage
        subset: {v1_subset}
  - route:
    - destination:
        host: productpage
        subset: {rest_subset}
"""


def replace_file(path, text):
    """Atomically replaces `path`, with the temp file outside the watched config dir."""
    fd, tmp = tempfile.mkstemp(prefix="sy-delegate-", dir=os.path.dirname(os.path.dirname(path)))
    with os.fdopen(fd, "w") as f:
        f.write(text)
    os.rename(tmp, path)


class DelegateVirtualService(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.v1 = harness.start_upstream("productpage", "v1")
        cls.v2 = harness.start_upstream("productpage", "v2")
        cls.port, cls.admin = harness.free_port(), harness.free_port()
        base = "\n---\n".join([
            gwtest.gateway("gw", cls.port, ["*"]),
            gwtest.service("productpage.default.svc.cluster.local",
                           [gwtest.upstream_endpoint(cls.v1), gwtest.upstream_endpoint(cls.v2)]),
            """
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata:
  name: productpage
  namespace: default
spec:
  host: productpage
  subsets:
  - name: v1
    labels:
      version: v1
  - name: v2
    labels:
      version: v2
"""])
        cls.top = tempfile.mkdtemp(prefix="sy-delegate-")
        cls.dir = os.path.join(cls.top, "config")
        os.mkdir(cls.dir)
        for name, text in {"base.yaml": base, "root.yaml": ROOT, "delegate.yaml": delegate_doc("v1", "v2")}.items():
            with open(os.path.join(cls.dir, name), "w") as f:
                f.write(text)
        cls.gw = harness.start_process([harness.switchyard_bin(), "serve", "-c", cls.dir, "--bind", "127.0.0.1",
                                        "--workers", "2", "--admin", f"127.0.0.1:{cls.admin}"],
                                       ready_port=cls.port)

    @classmethod
    def tearDownClass(cls):
        cls.gw.stop()
        cls.v2.stop()
        cls.v1.stop()

    def get(self, path):
        c = gwtest.Client(self.port)
        try:
            return c.get(path, host=HOST)
        finally:
            c.close()

    def routed_to(self, path):
        status, headers, _ = self.get(path)
        self.assertEqual(status, 200, path)
        return headers.get("x-upstream-version")

    # Scenario: the delegate's rules replace the root rule in order, each ANDed with the root's
    # prefix; the delegate rule outside /productpage is dropped, so /other finds no route.
    def test_routes_by_merged_rules(self):
        self.assertEqual(self.routed_to("/productpage/v1/reviews"), "v1")
        self.assertEqual(self.routed_to("/productpage"), "v2")
        self.assertEqual(self.routed_to("/productpage/v2"), "v2")
        self.assertEqual(self.get("/other")[0], 404)
        self.assertEqual(self.get("/")[0], 404, "the merged catch-all keeps the root's prefix")

    # Scenario: what the delegate rules leave unset comes from the root rule: its response header
    # on both, its 500ms timeout on the catch-all (504), while the v1 rule's own 5s timeout wins.
    def test_inherits_root_fields(self):
        for path in ("/productpage/v1", "/productpage"):
            status, headers, _ = self.get(path)
            self.assertEqual(status, 200, path)
            self.assertEqual(headers.get("x-root"), "inherited", path)
        status, _, body = self.get("/productpage?delay=1500")
        self.assertEqual(status, 504, body)
        status, headers, _ = self.get("/productpage/v1?delay=1500")
        self.assertEqual(status, 200)
        self.assertEqual(headers.get("x-upstream-version"), "v1")

    # Scenario: explain names the delegate rule a request took; /config_dump lists merged routes
    # with the delegate they come from, and the dropped conflicting rule.
    def test_explain_and_config_dump_show_merged_rules(self):
        p = subprocess.run([harness.switchyard_bin(), "explain", "--config", self.dir, "--gateway", "default/gw",
                            "--json", "GET", f"http://{HOST}:{self.port}/productpage/v1/x"],
                           capture_output=True, text=True, timeout=60)
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        route = json.loads(p.stdout)["route"]
        self.assertEqual(route["virtualService"], "default/bookinfo")
        self.assertEqual(route["name"], "productpage-v1")
        self.assertTrue(route["delegate"].startswith("default/productpage-routes http[0] ("), route["delegate"])
        self.assertIn("delegate.yaml:", route["delegate"])
        self.assertEqual(route["timeout"], "5s")

        status, _, dump = harness.http_json("GET", f"http://127.0.0.1:{self.admin}/config_dump")
        self.assertEqual(status, 200)
        vhosts = [vh for l in dump["listeners"] for vh in l["virtual_hosts"] if vh["name"] == HOST]
        self.assertEqual(len(vhosts), 1)
        routes = vhosts[0]["routes"]
        self.assertEqual([r["name"] for r in routes], ["productpage-v1", "productpage"])
        self.assertEqual([r["delegate"]["http_index"] for r in routes], [0, 2])
        self.assertEqual(routes[1]["timeout"], "500ms")
        self.assertTrue(any("productpage-routes http[1]" in d for d in vhosts[0]["dropped"]), vhosts[0]["dropped"])

    # Scenario: rewriting only the delegate's file (v1 and catch-all swapped) reroutes the root's
    # host; restoring it routes back.
    def test_reload_of_only_the_delegate(self):
        path = os.path.join(self.dir, "delegate.yaml")
        try:
            replace_file(path, delegate_doc("v2", "v1"))
            self.assertTrue(self.wait_for(lambda: self.routed_to("/productpage/v1") == "v2"), self.gw.stderr()[-2000:])
            self.assertEqual(self.routed_to("/productpage"), "v1")
        finally:
            replace_file(path, delegate_doc("v1", "v2"))
            self.assertTrue(self.wait_for(lambda: self.routed_to("/productpage/v1") == "v1"))
        self.assertEqual(self.routed_to("/productpage"), "v2")

    @staticmethod
    def wait_for(predicate, timeout=10.0):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if predicate():
                return True
            time.sleep(0.05)
        return False


if __name__ == "__main__":
    unittest.main()
