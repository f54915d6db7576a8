"""TLS origination to upstreams (DestinationRule trafficPolicy.tls) with real TLS servers: Istio's
egress TLS-origination pattern (HTTP to port 80, TLS to the upstream's port via targetPort),
auto SNI and auto SAN validation, a wrong CA, a name mismatch, insecureSkipVerify,
subjectAltNames, MUTUAL with a client certificate, pooled TLS connections, and never plaintext:
every failure is a 503 UF whose body names the TLS error."""

import http.server
import os
import ssl
import sys
import tempfile
import threading
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gwtest  # noqa: E402
import harness  # noqa: E402
from test_gateway_tls import Pki  # noqa: E402


class TlsUpstream:
    """An HTTPS server on 127.0.0.1 answering 200 "secure" and recording each handshake's SNI, and
    each request's (SNI, ALPN protocol) in `seen`. `client_ca` requires client certificates of that
    CA; `alpn` lists the protocols it accepts."""

    def __init__(self, cert, key, client_ca=None, alpn=None):
        self.snis = []
        self.seen = []
        self.resumed = []  # per request: whether its connection's handshake resumed a session
        self.lock = threading.Lock()
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(cert, key)
        if client_ca:
            ctx.load_verify_locations(client_ca)
            ctx.verify_mode = ssl.CERT_REQUIRED
        if alpn:
            ctx.set_alpn_protocols(alpn)
        owner = self
        sni_of = {}

        def on_sni(sock, name, _ctx):
            with owner.lock:
                owner.snis.append(name)
                sni_of[id(sock)] = name

        ctx.sni_callback = on_sni

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def do_GET(self):
                with owner.lock:
                    owner.seen.append((sni_of.get(id(self.connection)), self.connection.selected_alpn_protocol()))
                    owner.resumed.append(self.connection.session_reused)
                body = b"secure " + (self.headers.get("Host") or "").encode()
                self.send_response(200)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        class Server(http.server.ThreadingHTTPServer):
            daemon_threads = True

            def get_request(self):
                sock, addr = self.socket.accept()
                try:
                    return ctx.wrap_socket(sock, server_side=True), addr
                except (ssl.SSLError, OSError):
                    sock.close()
                    raise

            def handle_error(self, request, client_address):
                pass  # refused handshakes are expected in these tests

        self.server = Server(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()

    def handshakes(self):
        with self.lock:
            return list(self.snis)

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


def service_entry(host, target_port):
    name = host.split(".")[0]
    return f"""
apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: {{name: {name}, namespace: default}}
spec:
  hosts: [{host}]
  location: MESH_EXTERNAL
  resolution: STATIC
  ports:
  - {{number: 80, name: http, protocol: HTTP, targetPort: {target_port}}}
  endpoints:
  - address: 127.0.0.1
"""


def destination_rule(host, tls, pool=None):
    name = host.split(".")[0]
    pool_line = f"\n      connectionPool: {pool}" if pool else ""
    return f"""
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {{name: {name}, namespace: default}}
spec:
  host: {host}
  trafficPolicy:
    portLevelSettings:
    - port: {{number: 80}}
      tls: {tls}{pool_line}
"""


def virtual_service(hosts):
    return f"""
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {{name: egress, namespace: default}}
spec:
  hosts: [{", ".join(hosts)}]
  gateways: [gw]
  http:
""" + "".join(f"""  - match:
    - authority: {{exact: {h}}}
    route:
    - destination: {{host: {h}, port: {{number: 80}}}}
""" for h in hosts)


class UpstreamTlsTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.d = tempfile.mkdtemp(prefix="sy-utls-")
        cls.pki = Pki(cls.d, "ca")
        cls.other = Pki(cls.d, "other-ca")
        api_cert, api_key = cls.pki.issue("api.example.com", "DNS:api.example.com,URI:spiffe://example/api")
        cls.api = TlsUpstream(api_cert, api_key)
        cls.client_cert, cls.client_key = cls.pki.issue("gateway", "DNS:gateway")
        cls.mtls = TlsUpstream(api_cert, api_key, client_ca=cls.pki.ca)
        # Revokes the api certificate; the unrevoking CRL lists an unrelated one.
        cls.revoked_crl = cls.pki.crl([api_cert])
        cls.clean_crl = cls.pki.crl([cls.pki.issue("unrelated", "DNS:unrelated")[0]])
        cases = {
            "api.example.com": (cls.api.port, f"{{mode: SIMPLE, caCertificates: {cls.pki.ca}}}"),
            "wrongca.example.com": (cls.api.port, f"{{mode: SIMPLE, caCertificates: {cls.other.ca}}}"),
            # Served the api.example.com certificate: the name check must refuse it.
            "mismatch.example.com": (cls.api.port, f"{{mode: SIMPLE, caCertificates: {cls.pki.ca}}}"),
            "insecure.example.com": (cls.api.port, f"{{mode: SIMPLE, insecureSkipVerify: true}}"),
            "san.example.com": (cls.api.port, f"{{mode: SIMPLE, caCertificates: {cls.pki.ca}, "
                                              "subjectAltNames: [spiffe://example/api]}"),
            "badsan.example.com": (cls.api.port, f"{{mode: SIMPLE, caCertificates: {cls.pki.ca}, "
                                                 "subjectAltNames: [spiffe://example/other]}"),
            "mutual.example.com": (cls.mtls.port, f"{{mode: MUTUAL, caCertificates: {cls.pki.ca}, sni: api.example.com, "
                                                  f"clientCertificate: {cls.client_cert}, privateKey: {cls.client_key}}}"),
            "nocert.example.com": (cls.mtls.port, f"{{mode: SIMPLE, caCertificates: {cls.pki.ca}, sni: api.example.com}}"),
            "revoked.example.com": (cls.api.port, f"{{mode: SIMPLE, caCertificates: {cls.pki.ca}, sni: api.example.com, "
                                                  f"caCrl: {cls.revoked_crl}}}"),
            "crl.example.com": (cls.api.port, f"{{mode: SIMPLE, caCertificates: {cls.pki.ca}, sni: api.example.com, "
                                              f"caCrl: {cls.clean_crl}}}"),
            # One request per connection: every request after the first needs a new handshake.
            "resume.example.com": (cls.api.port, f"{{mode: SIMPLE, caCertificates: {cls.pki.ca}, sni: api.example.com}}"),
        }
        cls.port = harness.free_port()
        # A copy of every request for api.example.com goes to san.example.com's TLS cluster.
        mirrored = """
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: mirrored, namespace: default}
spec:
  hosts: [mirrored.example.com]
  gateways: [gw]
  http:
  - rewrite: {authority: api.example.com}
    route:
    - destination: {host: api.example.com, port: {number: 80}}
    mirror: {host: san.example.com, port: {number: 80}}
"""
        docs = [gwtest.gateway("gw", cls.port, ["*.example.com"]), virtual_service(list(cases)), mirrored]
        for host, (target, tls) in cases.items():
            pool = "{http: {maxRequestsPerConnection: 1}}" if host == "resume.example.com" else None
            docs += [service_entry(host, target), destination_rule(host, tls, pool)]
        cls.gw = gwtest.start_gateway(docs, listen_ports=[cls.port])

    @classmethod
    def tearDownClass(cls):
        cls.gw.stop()
        cls.api.stop()
        cls.mtls.stop()

    def get(self, host):
        c = gwtest.Client(self.port)
        try:
            return c.get("/", host=host)
        finally:
            c.close()

    # Scenario: HTTP to port 80 leaves as TLS to the upstream's port, with the request's host as SNI,
    # and kept-alive TLS connections are reused.
    def test_origination_with_auto_sni_and_pooling(self):
        before, seen_before = len(self.api.handshakes()), len(self.api.seen)
        c = gwtest.Client(self.port)
        for _ in range(3):
            status, _, body = c.get("/", host="api.example.com")
            self.assertEqual((status, body), (200, b"secure api.example.com"))
        c.close()
        self.assertEqual([sni for sni, _ in self.api.seen[seen_before:]], ["api.example.com"] * 3)
        # At most one handshake for three requests (none when another test left one pooled).
        self.assertLessEqual(len(self.api.handshakes()[before:]), 1)

    # Scenario: a mirror to a cluster that originates TLS is sent over TLS (SNI: the copy's host
    # without -shadow), never in plaintext; the client sees only the primary's answer.
    def test_mirror_to_tls_cluster(self):
        before = len(self.api.seen)
        status, _, body = self.get("mirrored.example.com")
        self.assertEqual((status, body), (200, b"secure api.example.com"))
        deadline = time.monotonic() + 5
        while len(self.api.seen) < before + 2 and time.monotonic() < deadline:
            time.sleep(0.02)
        self.assertEqual([sni for sni, _ in self.api.seen[before:]], ["api.example.com", "api.example.com"])

    # Scenario: a new connection to an upstream already met resumes its TLS session (no full handshake).
    def test_session_resumption(self):
        before = len(self.api.resumed)
        for _ in range(3):
            status, _, body = self.get("resume.example.com")
            self.assertEqual((status, body), (200, b"secure resume.example.com"))
        resumed = self.api.resumed[before:]
        self.assertEqual(len(resumed), 3)
        # The first may resume a session another test's connection left; the later ones must.
        self.assertEqual(resumed[1:], [True, True], resumed)

    # Scenario: caCrl: an upstream whose certificate the CRL revokes is a 503 UF ("certificate
    # revoked"); with a CRL that does not list it, the request goes through.
    def test_revoked_upstream_certificate(self):
        status, hdrs, body = self.get("revoked.example.com")
        self.assertEqual(status, 503, body)
        self.assertIn(b"certificate revoked", body)
        self.assertIn("UF", hdrs.get("x-switchyard-reason", ""))
        status, _, body = self.get("crl.example.com")
        self.assertEqual((status, body), (200, b"secure crl.example.com"))

    # Scenario: an upstream certificate from another CA, or for another name, is a 503 UF naming the TLS error.
    def test_verification_failures_are_503(self):
        for host, words in (("wrongca.example.com", "certificate verify failed"),
                            ("mismatch.example.com", "does not match mismatch.example.com"),
                            ("badsan.example.com", "none of subjectAltNames")):
            with self.subTest(host):
                status, hdrs, body = self.get(host)
                self.assertEqual(status, 503, body)
                self.assertIn("UF", hdrs.get("x-switchyard-reason", ""))
                self.assertIn(b"TLS error", body)
                self.assertIn(words.encode(), body)

    # Scenario: insecureSkipVerify accepts an unverifiable certificate; subjectAltNames accepts a matching URI SAN.
    def test_skip_verify_and_san(self):
        self.assertEqual(self.get("insecure.example.com")[0], 200)
        self.assertEqual(self.get("san.example.com")[0], 200)

    # Scenario: MUTUAL presents the client certificate an mTLS upstream requires; SIMPLE to it fails,
    # even right after a MUTUAL request left a pooled connection to the same endpoint and SNI.
    def test_mutual(self):
        for _ in range(3):
            self.assertEqual(self.get("mutual.example.com")[0], 200)
            status, _, body = self.get("nocert.example.com")
            self.assertNotEqual(status, 200, body)


if __name__ == "__main__":
    harness.main()
