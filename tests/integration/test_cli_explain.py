"""`switchyard explain` on Istio's sample configs, through the real binary: which Gateway server,
VirtualService and route take a request, the destinations and weights, the effective policies,
why a request gets 404, the same facts as JSON, and the exit codes (0 routed, 2 no route, 1 bad input)."""

import json
import os
import subprocess
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402

SAMPLES = os.path.join(harness.SRC, "tests", "testdata", "istio-samples")

REVIEWS_TEST_V2 = ["bookinfo/destination-rule-all.yaml", "bookinfo/virtual-service-reviews-test-v2.yaml", "registry/"]
BOOKINFO_INGRESS = ["bookinfo/bookinfo-gateway.yaml", "bookinfo/destination-rule-all.yaml", "registry/"]
CIRCUIT_BREAKER = ["httpbin/", "tasks/circuit-breaking.yaml"]


def explain(configs, *args, json_out=False, cwd=SAMPLES):
    """Runs `switchyard explain --config C... ARGS`; returns (exit code, stdout, stderr), stdout
    parsed with json.loads when json_out."""
    cmd = [harness.switchyard_bin(), "explain"]
    for c in configs:
        cmd += ["--config", c]
    cmd += list(args)
    if json_out:
        cmd.append("--json")
    p = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, timeout=60)
    return p.returncode, json.loads(p.stdout) if json_out and p.stdout.strip() else p.stdout, p.stderr


def text_field(text, label):
    """Values of `label` lines in explain's text output (label padded to a column)."""
    return [l.strip()[len(label):].strip() for l in text.splitlines() if l.strip().startswith(label)]


class MeshRouting(unittest.TestCase):
    def test_jason_goes_to_reviews_v2(self):
        # Scenario: virtual-service-reviews-test-v2, end-user jason -> first rule, subset v2.
        rc, out, err = explain(REVIEWS_TEST_V2, "--mesh", "GET", "http://reviews:9080/", "-H", "end-user: jason")
        self.assertEqual(rc, 0, out + err)
        self.assertIn("MATCHED", out)
        dest = text_field(out, "destination")
        self.assertEqual(len(dest), 1, out)
        self.assertTrue(dest[0].startswith("reviews.default.svc.cluster.local subset v2:9080 weight"), dest)
        self.assertIn("outbound|9080|v2|reviews.default.svc.cluster.local", dest[0])

    def test_everyone_else_goes_to_v1_and_sees_why_rule_0_failed(self):
        # Scenario: without the header the catch-all second rule takes it; rule 0's failure is the header.
        rc, out, err = explain(REVIEWS_TEST_V2, "--mesh", "GET", "http://reviews:9080/", json_out=True)
        self.assertEqual(rc, 0, err)
        self.assertEqual(out["outcome"], "routed")
        self.assertEqual(out["route"]["httpIndex"], 1)
        self.assertEqual([d["subset"] for d in out["route"]["destinations"]], ["v1"])
        self.assertEqual(out["route"]["virtualService"], "default/reviews")
        self.assertEqual(out["route"]["file"], "bookinfo/virtual-service-reviews-test-v2.yaml")
        self.assertEqual(out["route"]["line"], 18)  # the rule's own line, not the VirtualService's
        self.assertEqual(len(out["notMatched"]), 1)
        self.assertIn('header "end-user" is missing', out["notMatched"][0]["failure"])
        self.assertEqual(out["notMatched"][0]["line"], 11)

    def test_port_is_inferred_from_the_only_service_port(self):
        # Scenario: a newcomer writes http://reviews/ (no port); reviews has only 9080, so that is used.
        rc, out, err = explain(REVIEWS_TEST_V2, "--mesh", "GET", "http://reviews/", "-H", "end-user: jason",
                               json_out=True)
        self.assertEqual(rc, 0, err)
        self.assertEqual(out["request"]["port"], 9080)
        self.assertFalse(out["request"]["portFromUrl"])
        self.assertIn("9080", out["request"]["portNote"])
        self.assertEqual(out["route"]["destinations"][0]["subset"], "v2")

    def test_80_20_shows_both_weights(self):
        # Scenario: virtual-service-reviews-80-20 lists v1 at 80 (80%) and v2 at 20 (20%).
        configs = ["bookinfo/destination-rule-all.yaml", "bookinfo/virtual-service-reviews-80-20.yaml", "registry/"]
        rc, out, err = explain(configs, "--mesh", "GET", "http://reviews:9080/reviews/0", json_out=True)
        self.assertEqual(rc, 0, err)
        got = [(d["subset"], d["weight"], round(d["percent"], 1)) for d in out["route"]["destinations"]]
        self.assertEqual(got, [("v1", 80, 80.0), ("v2", 20, 20.0)])
        rc, text, err = explain(configs, "--mesh", "GET", "http://reviews:9080/reviews/0")
        dest = text_field(text, "destination")
        self.assertIn("subset v1:9080 weight 80 (80.0%)", dest[0])
        self.assertIn("subset v2:9080 weight 20 (20.0%)", dest[1])

    def test_unknown_mesh_port_is_not_found(self):
        # Scenario: nothing is served on mesh port 7000: exit 2 with the ports that do exist.
        rc, out, err = explain(REVIEWS_TEST_V2, "--mesh", "GET", "http://reviews:7000/", json_out=True)
        self.assertEqual(rc, 2)
        self.assertEqual(out["outcome"], "not_found")
        self.assertIn("9080", out["reason"])


class GatewayRouting(unittest.TestCase):
    def test_bookinfo_paths_reach_productpage(self):
        # Scenario: bookinfo-gateway's five match blocks (exact /productpage, prefix /static, exact
        # /login and /logout, prefix /api/v1/products) all go to productpage:9080, each by its own block.
        for path, block in [("/productpage", 0), ("/static/css/app.css", 1), ("/login", 2), ("/logout", 3),
                            ("/api/v1/products/0/reviews", 4)]:
            with self.subTest(path=path):
                rc, out, err = explain(BOOKINFO_INGRESS, "--gateway", "default/bookinfo-gateway", "GET",
                                       "http://bookinfo.example.com:8080" + path, json_out=True)
                self.assertEqual(rc, 0, err)
                self.assertEqual(out["outcome"], "routed")
                self.assertEqual(out["route"]["virtualService"], "default/bookinfo")
                self.assertEqual(out["route"]["matchIndex"], block)
                self.assertEqual(len(out["notMatched"]), block)
                d = out["route"]["destinations"]
                self.assertEqual([(x["host"], x["port"]) for x in d], [("productpage.default.svc.cluster.local", 9080)])
                self.assertEqual(out["listener"]["name"], "0.0.0.0:8080 HTTP")

    def test_url_without_port_uses_the_gateways_only_port_and_bare_name_works(self):
        # Scenario: `--gateway bookinfo-gateway GET http://localhost/productpage`: no namespace, no
        # port; the gateway is unambiguous and listens only on 8080, so that is what explain uses.
        rc, out, err = explain(BOOKINFO_INGRESS, "--gateway", "bookinfo-gateway", "GET",
                               "http://localhost/productpage")
        self.assertEqual(rc, 0, out + err)
        self.assertIn("via default/bookinfo-gateway (port 8080)", out)
        self.assertIn("listens only on 8080", out)
        self.assertIn("bookinfo/bookinfo-gateway.yaml:27", out)  # spec.http[0]'s own line

    def test_404_lists_each_routes_first_failing_condition(self):
        # Scenario: /admin matches none of the five blocks: exit 2, and the reason names each block's failure.
        rc, out, err = explain(BOOKINFO_INGRESS, "--gateway", "bookinfo-gateway", "GET", "http://localhost/admin",
                               json_out=True)
        self.assertEqual(rc, 2, out)
        self.assertEqual(out["outcome"], "not_found")
        self.assertEqual(out["status"], 404)
        self.assertEqual(len(out["notMatched"]), 5)
        for i, check in enumerate(out["notMatched"]):
            self.assertEqual(check["matchIndex"], i)
            self.assertIn('"/admin"', check["failure"])
            self.assertIn(check["failure"], out["reason"])
        self.assertIn("404", out["reason"])
        rc, text, err = explain(BOOKINFO_INGRESS, "--gateway", "bookinfo-gateway", "GET", "http://localhost/admin")
        self.assertEqual(rc, 2)
        self.assertEqual(len([l for l in text.splitlines() if "no: uri" in l]), 5, text)
        self.assertIn("404 not_found", text)

    def test_json_and_text_agree(self):
        # Scenario: --json carries the same facts as the text: route, destination, listener, timeout.
        args = ["--gateway", "bookinfo-gateway", "GET", "http://localhost/static/x"]
        rc, j, _ = explain(BOOKINFO_INGRESS, *args, json_out=True)
        rc2, text, _ = explain(BOOKINFO_INGRESS, *args)
        self.assertEqual((rc, rc2), (0, 0))
        self.assertIn(j["listener"]["name"], text)
        self.assertIn(j["route"]["destinations"][0]["cluster"]["name"], text)
        self.assertIn(f'http[{j["route"]["httpIndex"]}] match[{j["route"]["matchIndex"]}]', text)
        self.assertEqual(text_field(text, "timeout"), [j["route"]["timeout"]])
        self.assertEqual(j["route"]["retries"]["attempts"], 2)
        self.assertIn("2 attempts", text_field(text, "retries")[0])

    def test_unusable_input_exits_1(self):
        # Scenario: an unknown gateway, an ambiguous choice of gateway, a bad URL and a bad header are
        # the user's input, not a routing outcome: exit 1 with a message on stderr.
        rc, out, err = explain(BOOKINFO_INGRESS, "--gateway", "bookinfo-gatway", "GET", "http://localhost/")
        self.assertEqual(rc, 1)
        self.assertIn("default/bookinfo-gateway", err)
        both = BOOKINFO_INGRESS + ["httpbin/"]
        rc, out, err = explain(both, "GET", "http://localhost/")
        self.assertEqual(rc, 1)
        self.assertIn("--gateway", err)
        rc, out, err = explain(BOOKINFO_INGRESS, "GET", "ftp://localhost/")
        self.assertEqual(rc, 1, out)
        rc, out, err = explain(BOOKINFO_INGRESS, "GET", "http://localhost/", "-H", "no-colon")
        self.assertEqual(rc, 1)
        self.assertIn("Name: value", err)

    def test_two_gateways_pick_by_name(self):
        # Scenario: with bookinfo-gateway (8080) and httpbin-gateway (80) loaded, each name picks its own.
        both = BOOKINFO_INGRESS + ["httpbin/"]
        rc, out, _ = explain(both, "--gateway", "httpbin-gateway", "GET", "http://localhost/get", json_out=True)
        self.assertEqual(rc, 0)
        self.assertEqual(out["route"]["destinations"][0]["host"], "httpbin.default.svc.cluster.local")
        self.assertEqual(out["request"]["port"], 80)
        rc, out, _ = explain(both, "--gateway", "bookinfo-gateway", "GET", "http://localhost/login", json_out=True)
        self.assertEqual(rc, 0)
        self.assertEqual(out["request"]["port"], 8080)


class Policies(unittest.TestCase):
    def test_circuit_breaker_destination_rule(self):
        # Scenario: the circuit-breaking task's DestinationRule: pool 1/1/1 and eject on the first 5xx,
        # for 3m, up to 100%; no route timeout; Istio's default retries.
        rc, j, err = explain(CIRCUIT_BREAKER, "--mesh", "GET", "http://httpbin:8000/get", json_out=True)
        self.assertEqual(rc, 0, err)
        route = j["route"]
        self.assertEqual(route["timeout"], "none")
        self.assertTrue(route["retries"]["default"])
        self.assertEqual(route["retries"]["attempts"], 2)
        policy = route["destinations"][0]["cluster"]["policy"]
        pool = policy["connectionPool"]
        self.assertEqual((pool["maxConnections"], pool["http1MaxPendingRequests"], pool["maxRequestsPerConnection"]),
                         (1, 1, 1))
        od = policy["outlierDetection"]
        self.assertTrue(od["enabled"])
        self.assertEqual((od["consecutive5xxErrors"], od["interval"], od["baseEjectionTime"], od["maxEjectionPercent"]),
                         (1, "1s", "3m", 100))
        self.assertIn("algorithm", policy["loadBalancer"])
        self.assertEqual(route["destinations"][0]["cluster"]["destinationRule"], "default/httpbin")

        rc, text, err = explain(CIRCUIT_BREAKER, "--mesh", "GET", "http://httpbin/get")
        self.assertEqual(rc, 0, err)
        self.assertEqual(text_field(text, "timeout"), ["none"])
        self.assertIn("(Istio default)", text_field(text, "retries")[0])
        for fact in ["maxConnections=1", "http1MaxPendingRequests=1", "maxRequestsPerConnection=1",
                     "consecutive5xxErrors=1", "interval=1s", "baseEjectionTime=3m", "maxEjectionPercent=100", "lb "]:
            self.assertIn(fact, text)

    def test_ratings_fault_injection(self):
        # Scenario: ratings-test-delay gives jason a 7s delay on every call; ratings-test-abort a 500.
        base = ["bookinfo/destination-rule-all.yaml", "registry/"]
        rc, j, _ = explain(base + ["bookinfo/virtual-service-ratings-test-delay.yaml"], "--mesh", "GET",
                           "http://ratings:9080/ratings/0", "-H", "end-user: jason", json_out=True)
        self.assertEqual(rc, 0)
        self.assertEqual(j["route"]["fault"], "delay 7s for 100%")
        rc, j, _ = explain(base + ["bookinfo/virtual-service-ratings-test-abort.yaml"], "--mesh", "GET",
                           "http://ratings:9080/ratings/0", "-H", "end-user: jason", json_out=True)
        self.assertEqual(rc, 0)
        self.assertEqual(j["route"]["fault"], "abort 500 for 100%")
        rc, j, _ = explain(base + ["bookinfo/virtual-service-ratings-test-abort.yaml"], "--mesh", "GET",
                           "http://ratings:9080/ratings/0", json_out=True)
        self.assertEqual(j["route"]["fault"], "none")

    def test_request_timeouts_task(self):
        # Scenario: the request-timeouts task: reviews v2 with timeout 0.5s; ratings delayed 2s.
        configs = ["bookinfo/destination-rule-all.yaml", "tasks/request-timeouts.yaml", "registry/"]
        rc, j, _ = explain(configs, "--mesh", "GET", "http://reviews/reviews/0", json_out=True)
        self.assertEqual(rc, 0)
        self.assertEqual(j["route"]["timeout"], "500ms")
        self.assertEqual(j["route"]["destinations"][0]["subset"], "v2")
        rc, j, _ = explain(configs, "--mesh", "GET", "http://ratings/ratings/0", json_out=True)
        self.assertEqual(j["route"]["fault"], "delay 2s for 100%")

    def test_httpbin_fault_and_timeout(self):
        # Scenario: httpbin /delay is delayed 3s, /status aborted 50% with 503, the rest has a 1s timeout.
        configs = ["httpbin/httpbin.yaml", "tasks/httpbin-fault-timeout.yaml"]
        for path, name, fault, timeout in [("/delay/5", "slow", "delay 3s for 100%", "none"),
                                           ("/status/418", "flaky", "abort 503 for 50%", "none"),
                                           ("/get", "default", "none", "1s")]:
            with self.subTest(path=path):
                rc, j, _ = explain(configs, "--mesh", "GET", "http://httpbin" + path, json_out=True)
                self.assertEqual(rc, 0)
                self.assertEqual(j["route"]["name"], name)
                self.assertEqual(j["route"]["fault"], fault)
                self.assertEqual(j["route"]["timeout"], timeout)

    def test_mirroring_task(self):
        # Scenario: the mirroring task: live traffic to v1 (weight 100), a 100% mirror to v2.
        rc, j, _ = explain(["httpbin/httpbin.yaml", "tasks/mirroring.yaml"], "--mesh", "GET", "http://httpbin/headers",
                           json_out=True)
        self.assertEqual(rc, 0)
        self.assertEqual([d["subset"] for d in j["route"]["destinations"]], ["v1"])
        self.assertEqual([(m["subset"], m["percent"]) for m in j["route"]["mirrors"]], [("v2", 100.0)])


if __name__ == "__main__":
    harness.main()
