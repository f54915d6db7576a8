"""Routing through the real gateway: hosts (exact, wildcard, most specific), every HTTPMatchRequest
field, rewrites, redirects, direct responses, header operations, CORS, Gateway server hosts,
--selector, and the 404/503 answers. One switchyard and three demo upstreams for the module."""

import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gwtest  # noqa: E402
import harness  # noqa: E402


def forward_route(name, match_yaml, dest="svc-b"):
    """An HTTPRoute sending to `dest` that names itself in the x-route response header."""
    return f"""
  - name: {name}
    match:
{match_yaml}
    route:
    - destination:
        host: {dest}
    headers:
      response:
        set:
          x-route: {name}"""


MATCH_ROUTES = "".join([
    forward_route("exact", "    - uri:\n        exact: /exact"),
    forward_route("prefix", "    - uri:\n        prefix: /pre"),
    forward_route("regex", "    - uri:\n        regex: /re/[0-9]+"),
    forward_route("icase", "    - uri:\n        prefix: /CaSe\n      ignoreUriCase: true"),
    forward_route("header", "    - headers:\n        x-h:\n          exact: yes"),
    forward_route("header-regex", "    - headers:\n        x-hr:\n          regex: a+b"),
    forward_route("header-present", "    - headers:\n        x-p: {}"),
    forward_route("without", "    - uri:\n        prefix: /without\n      withoutHeaders:\n        x-no: {}"),
    forward_route("query", "    - queryParams:\n        q:\n          exact: v"),
    forward_route("query-regex", "    - queryParams:\n        n:\n          regex: \"[0-9]+\""),
    forward_route("method", "    - uri:\n        prefix: /method\n      method:\n        exact: POST"),
    forward_route("authority", "    - uri:\n        prefix: /auth\n      authority:\n        regex: \"match\\\\.example\\\\.com:8[0-9]\""),
    forward_route("scheme-https", "    - uri:\n        prefix: /scheme\n      scheme:\n        exact: https"),
    forward_route("scheme-http", "    - uri:\n        prefix: /scheme\n      scheme:\n        exact: http"),
    forward_route("or-second", "    - uri:\n        exact: /or-a\n    - uri:\n        exact: /or-b"),
])


def config(port, a1, a2, b):
    vs = f"""
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: {{name}}
  namespace: default
spec:
  hosts:
  - "{{host}}"
  gateways:
  - gw
  http:{{http}}
"""

    def v(name, host, http):
        return vs.format(name=name, host=host, http=http)

    to = lambda dest, subset=None: (  # noqa: E731
        f"\n  - route:\n    - destination:\n        host: {dest}" + (f"\n        subset: {subset}" if subset else ""))
    return [
        gwtest.gateway("gw", port, ["./*.example.com", "otherns/only.other.com", "exact.test"]),
        gwtest.service("svc-a.default.svc.cluster.local",
                       [gwtest.upstream_endpoint(a1), gwtest.upstream_endpoint(a2)]),
        gwtest.service("svc-b.default.svc.cluster.local", [gwtest.upstream_endpoint(b)]),
        """
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata:
  name: svc-a
  namespace: default
spec:
  host: svc-a
  subsets:
  - name: v1
    labels: {version: v1}
  - name: v2
    labels: {version: v2}
  - name: none
    labels: {version: v9}
""",
        v("exact", "exact.example.com", to("svc-b")),
        v("wild", "*.example.com", to("svc-a", "v1")),
        v("wild-deeper", "*.wild.example.com", to("svc-a", "v2")),
        v("exact-test", "exact.test", to("svc-b")),
        v("other-org", "other.org", to("svc-b")),
        v("only-other", "only.other.com", to("svc-b")),
        v("match", "match.example.com", MATCH_ROUTES + forward_route("default", "    - uri:\n        prefix: /")),
        v("rewrite", "rewrite.example.com", """
  - match:
    - uri:
        prefix: /old
    rewrite:
      uri: /new
    route:
    - destination:
        host: svc-b
  - match:
    - uri:
        prefix: /authority
    rewrite:
      authority: changed.internal
    route:
    - destination:
        host: svc-b
  - match:
    - uri:
        prefix: /service
    rewrite:
      uriRegexRewrite:
        match: ^/service/([^/]+)(/.*)$
        rewrite: /customprefix\\2/\\1
    route:
    - destination:
        host: svc-b"""),
        v("redirect", "redirect.example.com", """
  - match:
    - uri:
        exact: /r1
    redirect:
      uri: /target
      authority: new.example.com
      redirectCode: 302
  - match:
    - uri:
        prefix: /r2
    redirect:
      scheme: https"""),
        v("direct", "direct.example.com", """
  - directResponse:
      status: 418
      body:
        string: teapot
    headers:
      response:
        set:
          content-type: text/plain
          x-direct: "yes\""""),
        v("headers", "headers.example.com", """
  - headers:
      request:
        set:
          x-set: s
        add:
          x-add: a
        remove:
        - x-remove
      response:
        set:
          x-resp: r
        remove:
        - x-upstream-port
    route:
    - destination:
        host: svc-b
      headers:
        request:
          set:
            x-dest: d
        response:
          add:
            x-dest-resp: dr"""),
        v("cors", "cors.example.com", """
  - corsPolicy:
      allowOrigins:
      - exact: https://ok.example
      - regex: "https://.*\\\\.trusted\\\\.example"
      allowMethods: [GET, POST]
      allowHeaders: [x-custom, content-type]
      exposeHeaders: [x-upstream-name]
      maxAge: 24h
      allowCredentials: true
    route:
    - destination:
        host: svc-b"""),
        v("cors-ignore", "cors-ignore.example.com", """
  - corsPolicy:
      allowOrigins:
      - exact: https://ok.example
      allowMethods: [GET]
      unmatchedPreflights: IGNORE
    route:
    - destination:
        host: svc-b"""),
        v("errors", "errors.example.com", """
  - match:
    - uri:
        prefix: /empty-subset
    route:
    - destination:
        host: svc-a
        subset: none
  - match:
    - uri:
        exact: /only
    route:
    - destination:
        host: svc-b"""),
        # A second Gateway only a proxy labelled app=other implements.
        gwtest.gateway("other-gw", "{other_port}", ["*"], selector={"app": "other"}),
    ]


class GatewayRoutingTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.a1 = harness.start_upstream("svc-a", "v1")
        cls.a2 = harness.start_upstream("svc-a", "v2")
        cls.b = harness.start_upstream("svc-b", "v1")
        cls.port = harness.free_port()
        cls.other_port = harness.free_port()
        docs = [d.replace("{other_port}", str(cls.other_port)) for d in config(cls.port, cls.a1, cls.a2, cls.b)]
        cls.gw = gwtest.start_gateway(docs, listen_ports=[cls.port, cls.other_port])
        cls.c = gwtest.Client(cls.port)

    @classmethod
    def tearDownClass(cls):
        cls.c.close()
        for p in (cls.gw, cls.a1, cls.a2, cls.b):
            p.stop()

    def get(self, host, path="/", headers=None, method="GET"):
        return self.c.request(method, path, host=host, headers=headers)

    def route_of(self, path, headers=None, host="match.example.com", method="GET"):
        status, hdrs, _ = self.get(host, path, headers, method)
        self.assertEqual(status, 200, (path, headers))
        return hdrs.get("x-route")

    # Scenario: exact host beats wildcards; the longest wildcard wins; port and case are ignored.
    def test_host_precedence(self):
        cases = [("exact.example.com", "svc-b", "v1"), ("Exact.EXAMPLE.com:1234", "svc-b", "v1"),
                 ("foo.example.com", "svc-a", "v1"), ("a.b.example.com", "svc-a", "v1"),
                 ("x.wild.example.com", "svc-a", "v2"), ("exact.test", "svc-b", "v1")]
        for host, name, version in cases:
            status, hdrs, _ = self.get(host)
            self.assertEqual(status, 200, host)
            self.assertEqual((hdrs["x-upstream-name"], hdrs["x-upstream-version"]), (name, version), host)

    # Scenario: a host no VirtualService serves gets 404 with flag NR and an empty body.
    def test_no_virtual_host_is_404(self):
        for host in ("example.com", "nothing.test", "wild.example.org"):
            status, hdrs, body = self.get(host)
            self.assertEqual((status, body), (404, b""), host)
            self.assertEqual(hdrs.get("x-switchyard-reason"), "NR")

    # Scenario: a VirtualService whose host the Gateway server does not accept is not served.
    def test_gateway_server_hosts_are_enforced(self):
        self.assertEqual(self.get("other.org")[0], 404)
        # only.other.com is accepted only for VirtualServices in namespace otherns; ours is in default.
        self.assertEqual(self.get("only.other.com")[0], 404)

    # Scenario: each match field selects its route; first match wins; the rest fall through to default.
    def test_match_fields(self):
        r = self.route_of
        self.assertEqual(r("/exact"), "exact")
        self.assertEqual(r("/exact/more"), "default")
        self.assertEqual(r("/prefix-and-more"), "prefix")
        self.assertEqual(r("/re/123"), "regex")
        self.assertEqual(r("/re/12a"), "default")  # regex is a full match
        self.assertEqual(r("/case/x"), "icase")
        self.assertEqual(r("/CASE"), "icase")
        self.assertEqual(r("/x", {"x-h": "yes"}), "header")
        self.assertEqual(r("/x", {"x-h": "no"}), "default")
        self.assertEqual(r("/x", {"x-hr": "aaab"}), "header-regex")
        self.assertEqual(r("/x", {"x-hr": "aaabc"}), "default")
        self.assertEqual(r("/x", {"x-p": ""}), "header-present")
        self.assertEqual(r("/without"), "without")
        self.assertEqual(r("/without", {"x-no": "1"}), "default")
        self.assertEqual(r("/x?a=1&q=v"), "query")
        self.assertEqual(r("/x?q=vv"), "default")
        self.assertEqual(r("/x?n=42"), "query-regex")
        self.assertEqual(r("/x?n=a42"), "default")
        self.assertEqual(r("/method", method="POST"), "method")
        self.assertEqual(r("/method"), "default")
        self.assertEqual(r("/auth", host="match.example.com:81"), "authority")
        self.assertEqual(r("/auth", host="match.example.com"), "default")
        self.assertEqual(r("/scheme"), "scheme-http")
        self.assertEqual(r("/or-a"), "or-second")
        self.assertEqual(r("/or-b"), "or-second")

    # Scenario: rewrite.uri replaces the matched prefix and keeps the query; the original path is exposed.
    def test_rewrite_uri(self):
        status, _, body = self.c.json("GET", "/old/x?k=1", host="rewrite.example.com")
        self.assertEqual(status, 200)
        self.assertEqual((body["path"], body["query"]), ("/new/x", "k=1"))
        self.assertEqual(body["headers"]["x-envoy-original-path"], "/old/x?k=1")

    # Scenario: rewrite.authority changes the Host the upstream sees.
    def test_rewrite_authority(self):
        status, _, body = self.c.json("GET", "/authority", host="rewrite.example.com")
        self.assertEqual(status, 200)
        self.assertEqual(body["headers"]["host"], "changed.internal")

    # Scenario: uriRegexRewrite substitutes every capture group (RE2 semantics, \2 keeps its leading slash).
    def test_rewrite_regex(self):
        status, _, body = self.c.json("GET", "/service/update/v1/api", host="rewrite.example.com")
        self.assertEqual(status, 200)
        self.assertEqual(body["path"], "/customprefix/v1/api/update")

    # Scenario: redirects answer at the gateway with the configured code and Location.
    def test_redirect(self):
        status, hdrs, body = self.get("redirect.example.com", "/r1?x=1")
        self.assertEqual((status, body), (302, b""))
        self.assertEqual(hdrs["location"], "http://new.example.com/target?x=1")
        status, hdrs, _ = self.get("redirect.example.com", "/r2/p")
        self.assertEqual(status, 301)
        self.assertEqual(hdrs["location"], "https://redirect.example.com/r2/p")
        self.assertNotIn("x-upstream-name", hdrs)

    # Scenario: directResponse answers with its status and body plus the route's response headers.
    def test_direct_response(self):
        status, hdrs, body = self.get("direct.example.com", "/anything")
        self.assertEqual((status, body), (418, b"teapot"))
        self.assertEqual(hdrs["content-type"], "text/plain")
        self.assertEqual(hdrs["x-direct"], "yes")

    # Scenario: route and destination header operations apply to the request and the response.
    def test_header_operations(self):
        status, hdrs, body = self.c.json("GET", "/", host="headers.example.com",
                                         headers={"x-set": "client", "x-add": "client", "x-remove": "gone"})
        self.assertEqual(status, 200)
        h = body["headers"]
        self.assertEqual(h["x-set"], "s")
        self.assertEqual(h["x-add"], "client, a")
        self.assertNotIn("x-remove", h)
        self.assertEqual(h["x-dest"], "d")
        self.assertEqual(hdrs["x-resp"], "r")
        self.assertEqual(hdrs["x-dest-resp"], "dr")
        self.assertNotIn("x-upstream-port", hdrs)

    # Scenario: an allowed preflight is answered at the gateway with every Access-Control-* header.
    def test_cors_preflight_answered(self):
        status, hdrs, body = self.get("cors.example.com", "/api", method="OPTIONS", headers={
            "Origin": "https://ok.example", "Access-Control-Request-Method": "POST"})
        self.assertEqual((status, body), (200, b""))
        self.assertNotIn("x-upstream-name", hdrs)  # not forwarded
        self.assertEqual(hdrs["access-control-allow-origin"], "https://ok.example")
        self.assertEqual(hdrs["access-control-allow-methods"], "GET,POST")
        self.assertEqual(hdrs["access-control-allow-headers"], "x-custom,content-type")
        self.assertEqual(hdrs["access-control-max-age"], "86400")
        self.assertEqual(hdrs["access-control-allow-credentials"], "true")
        status, hdrs, _ = self.get("cors.example.com", "/api", method="OPTIONS", headers={
            "Origin": "https://a.trusted.example", "Access-Control-Request-Method": "GET"})
        self.assertEqual(hdrs.get("access-control-allow-origin"), "https://a.trusted.example")

    # Scenario: an unmatched preflight is forwarded by default (no CORS headers) and dropped with IGNORE.
    def test_cors_unmatched_preflight(self):
        pre = {"Origin": "https://evil.example", "Access-Control-Request-Method": "GET"}
        status, hdrs, _ = self.get("cors.example.com", "/api", method="OPTIONS", headers=pre)
        self.assertEqual(status, 200)
        self.assertEqual(hdrs.get("x-upstream-name"), "svc-b")
        self.assertNotIn("access-control-allow-origin", hdrs)
        status, hdrs, _ = self.get("cors-ignore.example.com", "/api", method="OPTIONS", headers=pre)
        self.assertEqual(status, 200)
        self.assertNotIn("x-upstream-name", hdrs)
        self.assertNotIn("access-control-allow-origin", hdrs)

    # Scenario: an actual request from an allowed origin gets Allow-Origin/Expose/Credentials; others none.
    def test_cors_actual_request(self):
        status, hdrs, _ = self.get("cors.example.com", "/api", headers={"Origin": "https://ok.example"})
        self.assertEqual(status, 200)
        self.assertEqual(hdrs["access-control-allow-origin"], "https://ok.example")
        self.assertEqual(hdrs["access-control-expose-headers"], "x-upstream-name")
        self.assertEqual(hdrs["access-control-allow-credentials"], "true")
        status, hdrs, _ = self.get("cors.example.com", "/api", headers={"Origin": "https://evil.example"})
        self.assertEqual(status, 200)
        self.assertNotIn("access-control-allow-origin", hdrs)

    # Scenario: no matching route is 404 NR; a subset selecting no endpoints is 503 UH.
    # (Unknown host/subset, Envoy's 503 NC, is refused at startup as IST0101, so it is not reachable here.)
    def test_error_answers(self):
        status, hdrs, body = self.get("errors.example.com", "/other")
        self.assertEqual((status, body, hdrs.get("x-switchyard-reason")), (404, b"", "NR"))
        status, hdrs, body = self.get("errors.example.com", "/empty-subset")
        self.assertEqual((status, body, hdrs.get("x-switchyard-reason")), (503, b"no healthy upstream", "UH"))

    # Scenario: without --selector every Gateway is served, so the app=other Gateway's port is open.
    def test_all_gateways_without_selector(self):
        self.assertTrue(harness.port_accepts(self.other_port))

    # Scenario: --selector istio=ingressgateway serves only the Gateways selecting those labels.
    def test_selector_restricts_gateways(self):
        port, other = harness.free_port(), harness.free_port()
        docs = [d.replace("{other_port}", str(other)) for d in config(port, self.a1, self.a2, self.b)]
        gw = gwtest.start_gateway(docs, listen_ports=[port], extra_args=["--selector", "istio=ingressgateway"],
                                  workers=1)
        try:
            self.assertFalse(harness.port_accepts(other))
            c = gwtest.Client(port)
            status, hdrs, _ = c.get("/", host="exact.example.com")
            c.close()
            self.assertEqual((status, hdrs.get("x-upstream-name")), (200, "svc-b"))
        finally:
            gw.stop()


if __name__ == "__main__":
    harness.main()
