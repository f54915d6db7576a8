"""`switchyard validate` on Istio's own sample configs and on broken ones, through the real binary:
the exit code, one `FILE:LINE: Kind namespace/name: field.path: message` line per problem on
stdout, every problem in one run, warnings that never change the exit code."""

import os
import re
import subprocess
import sys
import tempfile
import textwrap
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402

SAMPLES = os.path.join(harness.SRC, "tests", "testdata", "istio-samples")
LINE_FORMAT = re.compile(r"^[^:\s]+:\d+: (\w+ [\w.-]+/[\w.<>-]+: [^:]*: )?.+$")


def validate(*paths, cwd=SAMPLES):
    """Runs `switchyard validate PATH...`; returns (exit code, stdout lines, stderr)."""
    p = subprocess.run([harness.switchyard_bin(), "validate", *paths], cwd=cwd, capture_output=True, text=True,
                       timeout=60)
    return p.returncode, [l for l in p.stdout.splitlines() if l], p.stderr


def errors(lines):
    return [l for l in lines if ": warning: " not in l]


class IstioSamples(unittest.TestCase):
    def assert_clean(self, *paths):
        rc, out, err = validate(*paths)
        self.assertEqual(errors(out), [], f"{paths}: {out}\n{err}")
        self.assertEqual(rc, 0, f"{paths}: {out}\n{err}")
        return out

    def test_examples_directory_is_valid(self):
        # Scenario: the shipped quickstart (examples/) validates clean, as the README promises.
        rc, out, err = validate("examples/", cwd=harness.SRC)
        self.assertEqual(rc, 0, out)
        self.assertEqual(out, [])
        self.assertRegex(err, r"^0 error\(s\), 0 warning\(s\)")

    def test_bookinfo_ingress_with_subsets_is_valid(self):
        # Scenario: bookinfo-gateway plus destination-rule-all over the Bookinfo registry: nothing to report.
        out = self.assert_clean("bookinfo/bookinfo-gateway.yaml", "bookinfo/destination-rule-all.yaml", "registry/")
        self.assertEqual(out, [])

    def test_each_bookinfo_routing_sample_is_valid(self):
        # Scenario: every Bookinfo traffic-management sample, applied the way the Istio tasks apply them
        # (one routing file at a time on top of the gateway, the subsets and the services), is valid;
        # mesh VirtualServices only draw the "bound to no gateway" warning. (The ISTIO_MUTUAL variant of
        # the subsets is refused: see TlsRefusal.)
        for routing in ["virtual-service-all-v1.yaml", "virtual-service-reviews-test-v2.yaml",
                        "virtual-service-reviews-80-20.yaml", "virtual-service-reviews-50-50.yaml",
                        "virtual-service-reviews-v3.yaml", "virtual-service-ratings-test-delay.yaml",
                        "virtual-service-ratings-test-abort.yaml"]:
            with self.subTest(routing=routing):
                out = self.assert_clean("bookinfo/bookinfo-gateway.yaml", "bookinfo/destination-rule-all.yaml",
                                        "bookinfo/" + routing, "registry/")
                for line in out:
                    self.assertIn("bound to no gateway (mesh only)", line)
                    self.assertTrue(line.startswith("bookinfo/" + routing + ":"), line)

    def test_istio_task_configs_are_valid(self):
        # Scenario: the request-timeouts, circuit-breaking, mirroring and fault tasks' YAML is valid next
        # to the httpbin sample (which mixes in a k8s ServiceAccount, Service and Deployment).
        for task in [["bookinfo/destination-rule-all.yaml", "tasks/request-timeouts.yaml", "registry/"],
                     ["httpbin/", "tasks/circuit-breaking.yaml"],
                     ["httpbin/", "tasks/mirroring.yaml"],
                     ["httpbin/httpbin.yaml", "tasks/httpbin-fault-timeout.yaml"]]:
            with self.subTest(task=task):
                self.assert_clean(*task)

    def test_whole_bookinfo_directory_flags_same_named_objects(self):
        # Scenario: validating Istio's whole bookinfo/networking directory at once: the samples are
        # alternatives that reuse names (VirtualService reviews, DestinationRule reviews...), so each
        # later copy is a warning naming the first, not an IST0109 conflict. No errors: the ISTIO_MUTUAL
        # client TLS of destination-rule-all-mtls.yaml needs serve's workload certificate, said as a warning.
        rc, out, err = validate("bookinfo/", "registry/")
        self.assertEqual(rc, 0, out)
        self.assertEqual(errors(out), [], out)
        self.assertTrue([l for l in out if l.startswith("bookinfo/destination-rule-all-mtls.yaml:")
                         and "--workload-cert" in l], out)
        self.assertFalse([l for l in out if "IST0109" in l], out)
        self.assertIn("bookinfo/virtual-service-reviews-80-20.yaml:5: VirtualService default/reviews: metadata.name: "
                      "warning: VirtualService default/reviews is also defined at bookinfo/virtual-service-all-v1.yaml:"
                      "18; Kubernetes keeps one object per kind, namespace and name, so applying both leaves only the "
                      "last one", out)

    def test_foreign_kinds_are_skipped_with_a_warning(self):
        # Scenario: httpbin.yaml holds ServiceAccount, Service and Deployment besides the ServiceEntry:
        # each foreign kind is one warning at its own line; the Service is read (a registry entry), so
        # the ServiceEntry for its host is said to be ignored, once; the exit code stays 0.
        rc, out, err = validate("httpbin/httpbin.yaml")
        self.assertEqual(rc, 0, out)
        self.assertEqual(len(out), 3, out)
        self.assertTrue(out[0].startswith("httpbin/httpbin.yaml:2: ServiceAccount default/httpbin: warning: skipped"))
        self.assertTrue(out[1].startswith("httpbin/httpbin.yaml:22: Deployment default/httpbin: warning: skipped"))
        self.assertTrue(out[2].startswith("httpbin/httpbin.yaml:52: ServiceEntry default/httpbin: spec.hosts[0]: "
                                          "warning: host \"httpbin.default.svc.cluster.local\" is also defined by "
                                          "Kubernetes Service default/httpbin"), out[2])
        self.assertIn("0 error(s), 3 warning(s)", err)

    def test_warnings_alone_do_not_fail(self):
        # Scenario: a DestinationRule for a host nothing defines (IST0174) is a warning; exit stays 0.
        with tempfile.TemporaryDirectory() as d:
            harness.write_yaml(d, "dr.yaml", """
                # DestinationRule for a service that does not exist.
                apiVersion: networking.istio.io/v1
                kind: DestinationRule
                metadata:
                  name: ghost
                spec:
                  host: ghost
            """)
            rc, out, err = validate(os.path.join(d, "dr.yaml"))
        self.assertEqual(rc, 0, out)
        self.assertEqual(len(out), 1, out)
        self.assertIn("DestinationRule default/ghost: spec.host: warning: IST0174", out[0])


ISTIO_INGRESS = """
    # The ingress Gateway every Istio TLS task starts from: HTTP on 80 redirecting to HTTPS on 443.
    apiVersion: networking.istio.io/v1
    kind: Gateway
    metadata:
      name: ingress
    spec:
      selector:
        istio: ingressgateway
      servers:
      - port:
          number: 80
          name: http
          protocol: HTTP
        hosts:
        - "*.example.com"
        tls:
          httpsRedirect: true
      - port:
          number: 443
          name: https
          protocol: HTTPS
        hosts:
        - "*.example.com"
        tls:
          mode: SIMPLE
          credentialName: my-cert
"""

ORIGINATE_TLS = """
    # Client TLS to an external API (Istio's egress TLS origination task).
    apiVersion: networking.istio.io/v1
    kind: DestinationRule
    metadata:
      name: api
    spec:
      host: api.example.com
      trafficPolicy:
        tls:
          mode: SIMPLE
"""


def line_of(text, needle, after=None):
    """1-based line of the first `needle` (after the first `after`, if given) in dedented `text`."""
    lines = textwrap.dedent(text).lstrip("\n").splitlines()
    start = 0
    if after is not None:
        start = next(i for i, l in enumerate(lines) if after in l)
    return next(i for i, l in enumerate(lines) if i >= start and needle in l) + 1


class TlsRefusal(unittest.TestCase):
    """TLS that switchyard does not enforce is refused, never served as plaintext; what it
    enforces (HTTPS termination) is accepted, with a warning while its Secret is missing."""

    def test_standard_istio_ingress_warns_about_missing_secret(self):
        # Scenario: the standard Istio ingress (80 redirecting, 443 HTTPS SIMPLE with credentialName
        # my-cert) is valid (exit 0), with one warning at the 443 server's tls block: the Secret
        # my-cert is not in the config, so serve keeps that server closed until it appears.
        with tempfile.TemporaryDirectory() as d:
            harness.write_yaml(d, "ingress.yaml", ISTIO_INGRESS)
            rc, out, err = validate("ingress.yaml", cwd=d)
        self.assertEqual(rc, 0, out)
        self.assertEqual(errors(out), [], out)
        line = line_of(ISTIO_INGRESS, "tls:", after="number: 443")
        self.assertIn(f"ingress.yaml:{line}: Gateway default/ingress: spec.servers[1].tls: warning: Secret \"my-cert\" "
                      "is not in the config: serve keeps this server closed until it appears in the proxy's namespace",
                      out)

    def test_destination_rule_tls_simple_is_accepted(self):
        # Scenario: a DestinationRule with trafficPolicy.tls mode SIMPLE is originated, so it is valid.
        with tempfile.TemporaryDirectory() as d:
            harness.write_yaml(d, "dr.yaml", ORIGINATE_TLS)
            rc, out, err = validate("dr.yaml", cwd=d)
        self.assertEqual(rc, 0, out)
        self.assertEqual(errors(out), [], out)

    def test_bookinfo_mtls_rules_need_the_workload_certificate(self):
        # Scenario: Istio's destination-rule-all-mtls.yaml (ISTIO_MUTUAL for all four Bookinfo
        # services) without serve's workload certificate: each DestinationRule gets a warning at its
        # tls line naming the flags (its clusters answer 503, never plaintext); exit 0, as for a
        # Secret applied separately.
        rc, out, err = validate("bookinfo/bookinfo-gateway.yaml", "bookinfo/destination-rule-all-mtls.yaml",
                                "registry/")
        self.assertEqual(rc, 0, out)
        self.assertEqual(errors(out), [], out)
        for n, name in [(9, "productpage"), (23, "reviews"), (43, "ratings"), (66, "details")]:
            prefix = f"bookinfo/destination-rule-all-mtls.yaml:{n}: DestinationRule default/{name}: spec.trafficPolicy.tls: warning:"
            self.assertTrue([l for l in out if l.startswith(prefix) and "--workload-cert" in l], (prefix, out))


class BrokenConfigs(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.rc, cls.out, cls.err = validate("broken/", "registry/", "bookinfo/destination-rule-all.yaml")

    def expect(self, line):
        self.assertIn(line, self.out, "\n".join(self.out))

    def expect_prefix(self, prefix):
        self.assertTrue(any(l.startswith(prefix) for l in self.out), f"no line starts with {prefix!r}:\n" +
                        "\n".join(self.out))

    def test_exit_code_and_line_format(self):
        # Scenario: a config with errors exits 1 and every stdout line has the documented shape.
        self.assertEqual(self.rc, 1)
        for line in self.out:
            self.assertRegex(line, LINE_FORMAT)
        self.assertRegex(self.err, r"^\d+ error\(s\), \d+ warning\(s\)")

    def test_schema_errors(self):
        # Scenario: an unknown field, a string where an integer belongs and an unparsable duration,
        # each pinned to its own line.
        self.expect('broken/reviews-mistakes.yaml:15: VirtualService default/reviews: spec.http[0].timout: '
                    'unknown field "timout"')
        self.expect('broken/reviews-mistakes.yaml:28: VirtualService default/reviews: spec.http[1].route[0].weight: '
                    'expected an integer, got string "eighty"')
        self.expect_prefix('broken/reviews-mistakes.yaml:33: VirtualService default/reviews: spec.http[2].timeout: '
                           'invalid duration "5 seconds"')

    def test_problems_after_a_schema_error_in_the_same_object(self):
        # Scenario: the VirtualService with schema errors is still checked for everything else in the
        # same run: sub-millisecond duration, negative weight, all-zero weights, a regex RE2 rejects,
        # an unknown host and an unknown subset.
        self.expect('broken/reviews-mistakes.yaml:44: VirtualService default/reviews: '
                    'spec.http[3].retries.perTryTimeout: duration must be greater than 1ms')
        self.expect('broken/reviews-mistakes.yaml:57: VirtualService default/reviews: spec.http[4].route[0].weight: '
                    'weight -10 < 0')
        self.expect_prefix('broken/reviews-mistakes.yaml:66: VirtualService default/reviews: spec.http[5].route: '
                           'total destination weight = 0')
        self.expect_prefix('broken/reviews-mistakes.yaml:78: VirtualService default/reviews: '
                           'spec.http[6].match[0].uri.regex: ')
        self.expect_prefix('broken/reviews-mistakes.yaml:89: VirtualService default/reviews: '
                           'spec.http[7].route[0].destination.host: IST0101 Referenced host not found: "reveiws.default.svc.cluster.local"')
        self.expect_prefix('broken/reviews-mistakes.yaml:94: VirtualService default/reviews: '
                           'spec.http[8].route[0].destination.subset: IST0101 '
                           'Referenced host+subset in destinationrule not found: "reviews+v4"')
        # Subsets v1-v3 exist (destination-rule-all), so v4 is the only subset reported.
        self.assertEqual(len([l for l in self.out if "host+subset" in l]), 1, self.out)
        # The wrong-typed weight is reported once, not again as a weight problem.
        self.assertEqual([l for l in self.out if "spec.http[1].route" in l], [
            'broken/reviews-mistakes.yaml:28: VirtualService default/reviews: spec.http[1].route[0].weight: '
            'expected an integer, got string "eighty"'])

    def test_reference_and_conflict_errors(self):
        # Scenario: a missing Gateway (IST0101), a duplicate subset, two mesh VirtualServices for
        # ratings (IST0109, on both) and two Gateways claiming shop.example.com:8080 (IST0145).
        self.expect('broken/gateways-and-rules.yaml:10: VirtualService default/bookinfo-typo: spec.gateways[0]: '
                    'IST0101 Referenced gateway not found: "default/bookinfo-gatway"')
        self.expect('broken/gateways-and-rules.yaml:28: DestinationRule default/details-subsets: spec.subsets[1].name: '
                    'duplicate subset names: v1')
        self.expect_prefix('broken/gateways-and-rules.yaml:38: VirtualService default/ratings-a: spec.hosts[0]: '
                           'IST0109 ')
        self.expect_prefix('broken/gateways-and-rules.yaml:50: VirtualService default/ratings-b: spec.hosts[0]: '
                           'IST0109 ')
        self.expect_prefix('broken/gateways-and-rules.yaml:84: Gateway default/shop-b: spec.servers[0].hosts[0]: '
                           'IST0145 Conflict with gateways default/shop-a')

    def test_yaml_syntax_error_with_its_line(self):
        # Scenario: a mis-indented key is a YAML syntax error reported at its line; other files still load.
        self.expect_prefix("broken/syntax-error.yaml:10: YAML syntax error: ")
        self.assertEqual(len([l for l in self.out if l.startswith("broken/syntax-error.yaml")]), 1, self.out)

    def test_output_is_sorted_by_file_then_line(self):
        # Scenario: problems come out in reading order, so a user can walk the files top to bottom.
        keys = []
        for line in self.out:
            f, n, _ = line.split(":", 2)
            keys.append((f, int(n)))
        self.assertEqual(keys, sorted(keys))


if __name__ == "__main__":
    harness.main()
