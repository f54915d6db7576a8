"""ISTIO_MUTUAL with the workload certificate istio-agent would write (serve --workload-cert,
--workload-key, --workload-ca): a Gateway server terminates mesh mTLS with it (callers need a
certificate of the mesh's roots), a rotation of the files reaches new handshakes, a DestinationRule
originates mesh mTLS to a sidecar-like upstream (workload certificate, Istio's SNI and ALPN, the
ServiceEntry's subjectAltNames and its endpoints' service accounts checked), and without the flags
the server stays closed and the cluster answers 503 — never plaintext — with a line that names the
flags."""

import os
import shutil
import ssl
import subprocess
import sys
import tempfile
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gwtest  # noqa: E402
import harness  # noqa: E402
from test_gateway_tls import Pki, der  # noqa: E402
from test_upstream_tls import TlsUpstream  # noqa: E402

GATEWAY_SA = "URI:spiffe://cluster.local/ns/istio-system/sa/istio-ingressgateway-service-account"


def gateway_yaml(port):
    return f"""
apiVersion: networking.istio.io/v1
kind: Gateway
metadata:
  name: mesh-gw
  namespace: default
spec:
  servers:
  - port: {{number: {port}, name: https-mtls, protocol: HTTPS}}
    hosts: ["*"]
    tls:
      mode: ISTIO_MUTUAL
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: echo
  namespace: default
spec:
  hosts: ["*"]
  gateways: [mesh-gw]
  http:
  - route:
    - destination:
        host: echo.default.svc.cluster.local
"""


class IstioMutualGatewayTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.d = tempfile.mkdtemp(prefix="sy-imtls-")
        cls.mesh = Pki(cls.d, "mesh-root")
        cls.other = Pki(cls.d, "other-root")
        cls.certs = os.path.join(cls.d, "etc-certs")
        os.mkdir(cls.certs)
        cls.install_workload_cert()
        cls.caller_cert, cls.caller_key = cls.mesh.issue("caller", "URI:spiffe://cluster.local/ns/default/sa/caller")
        cls.stranger_cert, cls.stranger_key = cls.other.issue("stranger", "URI:spiffe://evil/ns/x/sa/y")
        cls.up = harness.start_upstream("echo", "v1")
        cls.port = harness.free_port()
        cls.docs = [gateway_yaml(cls.port), gwtest.service("echo.default.svc.cluster.local", [gwtest.upstream_endpoint(cls.up)])]
        cls.gw = gwtest.start_gateway(cls.docs, listen_ports=[cls.port], extra_args=[
            "--admin", "off", "--workload-cert", cls.path("cert-chain.pem"), "--workload-key", cls.path("key.pem"),
            "--workload-ca", cls.path("root-cert.pem")])

    @classmethod
    def tearDownClass(cls):
        cls.gw.stop()
        cls.up.stop()
        shutil.rmtree(cls.d, ignore_errors=True)

    @classmethod
    def path(cls, name):
        return os.path.join(cls.certs, name)

    @classmethod
    def install_workload_cert(cls):
        """Writes a fresh workload certificate, key and root as istio-agent does: each file renamed
        into place. Returns the certificate's path."""
        cert, key = cls.mesh.issue("istio-ingressgateway", GATEWAY_SA)
        for src, name in ((cert, "cert-chain.pem"), (key, "key.pem"), (cls.mesh.ca, "root-cert.pem")):
            tmp = cls.path("." + name)
            shutil.copyfile(src, tmp)
            os.rename(tmp, cls.path(name))
        cls.workload_cert = cert
        return cert

    def context(self, cert=None, key=None):
        ctx = ssl.create_default_context(cafile=self.mesh.ca)
        ctx.check_hostname = False  # the workload certificate names a SPIFFE identity, not a DNS name
        if cert:
            ctx.load_cert_chain(cert, key)
        return ctx

    def handshake(self, ctx):
        import socket
        raw = socket.create_connection(("127.0.0.1", self.port), timeout=5)
        try:
            return ctx.wrap_socket(raw, server_hostname="echo.example.com")
        except Exception:
            raw.close()
            raise

    def refused(self, ctx):
        try:
            s = self.handshake(ctx)
        except (ssl.SSLError, OSError):
            return True
        try:
            s.sendall(b"GET / HTTP/1.1\r\nHost: echo.example.com\r\n\r\n")
            return s.recv(100) == b""
        except (ssl.SSLError, OSError):
            return True
        finally:
            s.close()

    # Scenario: a caller with a certificate of the mesh's roots is served, sees the workload
    # certificate, and its identity reaches the upstream in x-forwarded-client-cert.
    def test_mesh_caller_is_served(self):
        with self.handshake(self.context(self.caller_cert, self.caller_key)) as s:
            self.assertEqual(s.getpeercert(binary_form=True), der(self.workload_cert))
            s.sendall(b"GET /mtls HTTP/1.1\r\nHost: echo.example.com\r\nConnection: close\r\n\r\n")
            data = b""
            while True:
                chunk = s.recv(65536)
                if not chunk:
                    break
                data += chunk
        self.assertTrue(data.startswith(b"HTTP/1.1 200"), data[:200])
        self.assertIn(b"spiffe://cluster.local/ns/default/sa/caller", data)

    # Scenario: no client certificate, or one of other roots, is refused in the handshake; a
    # plaintext request never gets a 2xx.
    def test_others_refused(self):
        self.assertTrue(self.refused(self.context()))
        self.assertTrue(self.refused(self.context(self.stranger_cert, self.stranger_key)))
        out, _ = gwtest.raw_exchange(self.port, b"GET / HTTP/1.1\r\nHost: echo.example.com\r\n\r\n", read_timeout=3)
        self.assertFalse(out.startswith(b"HTTP/1.1 2"), out[:200])

    # Scenario: istio-agent rotates the workload certificate; new handshakes get it within 2 s.
    def test_rotation(self):
        new_cert = type(self).install_workload_cert()
        deadline = time.monotonic() + 2.5
        while True:
            with self.handshake(self.context(self.caller_cert, self.caller_key)) as s:
                if s.getpeercert(binary_form=True) == der(new_cert):
                    return
            if time.monotonic() > deadline:
                self.fail("the rotated workload certificate was not served within 2 s:\n" + self.gw.stderr()[-2000:])
            time.sleep(0.1)


def mesh_service(name, target_port, sans):
    return f"""
apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: {{name: {name}, namespace: default}}
spec:
  hosts: [{name}.default.svc.cluster.local]
  location: MESH_INTERNAL
  resolution: STATIC
  subjectAltNames: [{", ".join(sans)}]
  ports:
  - {{number: 9080, name: http, protocol: HTTP, targetPort: {target_port}}}
  endpoints:
  - address: 127.0.0.1
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {{name: {name}, namespace: default}}
spec:
  host: {name}.default.svc.cluster.local
  trafficPolicy:
    tls: {{mode: ISTIO_MUTUAL}}
"""


def mesh_routes(port, names):
    routes = "".join(f"""  - match:
    - uri: {{prefix: /{n}}}
    route:
    - destination: {{host: {n}.default.svc.cluster.local, port: {{number: 9080}}}}
""" for n in names)
    return gwtest.gateway("gw", port, ["*"]) + f"""
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {{name: mesh, namespace: default}}
spec:
  hosts: ["*"]
  gateways: [gw]
  http:
""" + routes


class IstioMutualOrigination(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.d = tempfile.mkdtemp(prefix="sy-imtls-up-")
        cls.mesh = Pki(cls.d, "mesh-root")
        gw_cert, gw_key = cls.mesh.issue("istio-ingressgateway", GATEWAY_SA)
        up_cert, up_key = cls.mesh.issue("reviews", "URI:spiffe://cluster.local/ns/default/sa/reviews")
        # Stands in for an Istio sidecar's inbound: the mesh client certificate required, ALPN "istio".
        cls.up = TlsUpstream(up_cert, up_key, client_ca=cls.mesh.ca, alpn=["istio"])
        cls.port = harness.free_port()
        docs = [mesh_routes(cls.port, ["reviews", "impostor"]),
                mesh_service("reviews", cls.up.port, ["spiffe://cluster.local/ns/default/sa/reviews"]),
                # The same upstream, but the ServiceEntry says its workloads run as another account.
                mesh_service("impostor", cls.up.port, ["spiffe://cluster.local/ns/default/sa/ratings"])]
        cls.gw = gwtest.start_gateway(docs, listen_ports=[cls.port], extra_args=[
            "--admin", "off", "--workload-cert", gw_cert, "--workload-key", gw_key, "--workload-ca", cls.mesh.ca])

    @classmethod
    def tearDownClass(cls):
        cls.gw.stop()
        cls.up.stop()
        shutil.rmtree(cls.d, ignore_errors=True)

    # Scenario: the upstream gets the workload certificate, Istio's SNI for the cluster and ALPN
    # "istio", and its certificate is checked against the ServiceEntry's subjectAltNames.
    def test_mesh_mtls_to_upstream(self):
        c = gwtest.Client(self.port)
        status, _, body = c.get("/reviews", host="bookinfo.example.com")
        c.close()
        self.assertEqual(status, 200, body)
        self.assertTrue(body.startswith(b"secure"), body)
        self.assertIn(("outbound_.9080_._.reviews.default.svc.cluster.local", "istio"), self.up.seen)

    # Scenario: an upstream whose certificate names another service account is refused: 503 UF
    # naming the check, never a request sent to it.
    def test_wrong_identity_is_503(self):
        before = len(self.up.seen)
        c = gwtest.Client(self.port)
        status, headers, body = c.get("/impostor", host="bookinfo.example.com")
        c.close()
        self.assertEqual(status, 503, body)
        self.assertIn("UF", headers.get("x-switchyard-reason", ""))
        self.assertIn(b"subjectAltNames", body)
        self.assertEqual(len(self.up.seen), before)


def service_with_accounts(name, port, account, selected):
    """A mesh ServiceEntry without subjectAltNames whose one workload runs as `account`: a
    WorkloadEntry it selects (`selected`) or an inline endpoint; plus its ISTIO_MUTUAL rule."""
    workload = f"{{address: 127.0.0.1, ports: {{http: {port}}}, serviceAccount: {account}, labels: {{app: {name}}}}}"
    if selected:
        endpoints = f"""  workloadSelector: {{labels: {{app: {name}}}}}
---
apiVersion: networking.istio.io/v1
kind: WorkloadEntry
metadata: {{name: {name}-vm, namespace: default}}
spec: {workload}
"""
    else:
        endpoints = f"  endpoints: [{workload}]\n"
    return f"""
apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: {{name: {name}, namespace: default}}
spec:
  hosts: [{name}.default.svc.cluster.local]
  location: MESH_INTERNAL
  resolution: STATIC
  ports: [{{number: 9080, name: http, protocol: HTTP}}]
{endpoints}---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {{name: {name}, namespace: default}}
spec:
  host: {name}.default.svc.cluster.local
  trafficPolicy:
    tls: {{mode: ISTIO_MUTUAL}}
"""


class IstioMutualServiceAccounts(unittest.TestCase):
    """Without subjectAltNames anywhere, the upstream is checked against its endpoints' service
    accounts, spiffe://cluster.local/ns/default/sa/ACCOUNT, as istiod builds the list."""

    @classmethod
    def setUpClass(cls):
        cls.d = tempfile.mkdtemp(prefix="sy-imtls-sa-")
        cls.mesh = Pki(cls.d, "mesh-root")
        gw_cert, gw_key = cls.mesh.issue("istio-ingressgateway", GATEWAY_SA)
        right_cert, right_key = cls.mesh.issue("reviews", "URI:spiffe://cluster.local/ns/default/sa/reviews")
        wrong_cert, wrong_key = cls.mesh.issue("ratings", "URI:spiffe://cluster.local/ns/default/sa/intruder")
        cls.right = TlsUpstream(right_cert, right_key, client_ca=cls.mesh.ca, alpn=["istio"])
        cls.wrong = TlsUpstream(wrong_cert, wrong_key, client_ca=cls.mesh.ca, alpn=["istio"])
        cls.port = harness.free_port()
        docs = [mesh_routes(cls.port, ["reviews", "ratings"]),
                service_with_accounts("reviews", cls.right.port, "reviews", selected=True),
                service_with_accounts("ratings", cls.wrong.port, "ratings", selected=False)]
        cls.gw = gwtest.start_gateway(docs, listen_ports=[cls.port], extra_args=[
            "--admin", "off", "--workload-cert", gw_cert, "--workload-key", gw_key, "--workload-ca", cls.mesh.ca])

    @classmethod
    def tearDownClass(cls):
        cls.gw.stop()
        cls.right.stop()
        cls.wrong.stop()
        shutil.rmtree(cls.d, ignore_errors=True)

    # Scenario: a WorkloadEntry's serviceAccount matches the upstream certificate's URI SAN: served.
    def test_matching_service_account(self):
        c = gwtest.Client(self.port)
        status, _, body = c.get("/reviews", host="bookinfo.example.com")
        c.close()
        self.assertEqual(status, 200, body)
        self.assertIn(("outbound_.9080_._.reviews.default.svc.cluster.local", "istio"), self.right.seen)

    # Scenario: the upstream's certificate names another service account than the endpoint's:
    # 503 UF with the TLS reason, and no request reaches it.
    def test_other_service_account_is_503(self):
        before = len(self.wrong.seen)
        c = gwtest.Client(self.port)
        status, headers, body = c.get("/ratings", host="bookinfo.example.com")
        c.close()
        self.assertEqual(status, 503, body)
        self.assertIn("UF", headers.get("x-switchyard-reason", ""))
        self.assertIn(b"subjectAltNames", body)
        self.assertEqual(len(self.wrong.seen), before)


class IstioMutualWithoutWorkloadCert(unittest.TestCase):
    # Scenario: ISTIO_MUTUAL without --workload-*: serve keeps the server closed (handshakes
    # refused, never plaintext) and says which flags are missing; validate prints the same line.
    def test_closed_and_said(self):
        port = harness.free_port()
        docs = [gateway_yaml(port), gwtest.service("echo.default.svc.cluster.local", [("127.0.0.1", 9, {"app": "e"})])]
        gw = gwtest.start_gateway(docs, listen_ports=[port], extra_args=["--admin", "off"])
        try:
            out, _ = gwtest.raw_exchange(port, b"GET / HTTP/1.1\r\nHost: echo.example.com\r\n\r\n", read_timeout=3)
            self.assertFalse(out.startswith(b"HTTP/1.1 2"), out[:200])
            ctx = ssl.create_default_context()
            ctx.check_hostname = False
            ctx.verify_mode = ssl.CERT_NONE
            import socket
            raw = socket.create_connection(("127.0.0.1", port), timeout=5)
            with self.assertRaises((ssl.SSLError, OSError)):
                ctx.wrap_socket(raw, server_hostname="echo.example.com")
            raw.close()
            self.assertIn("--workload-cert", gw.stderr() + gw.stdout())
            result = subprocess.run([harness.switchyard_bin(), "validate", gw.config_dir], capture_output=True,
                                    text=True, timeout=30)
            self.assertEqual(result.returncode, 0, result.stdout + result.stderr)
            self.assertIn("--workload-cert", result.stdout)
        finally:
            gw.stop()

    # Scenario: a DestinationRule with ISTIO_MUTUAL and no workload certificate: 503, never
    # plaintext to the upstream, and the serve log names the flags.
    def test_origination_refused(self):
        up = harness.start_upstream("plain", "v1")
        port = harness.free_port()
        docs = [mesh_routes(port, ["reviews"]), mesh_service("reviews", up.port, [])]
        gw = gwtest.start_gateway(docs, listen_ports=[port], extra_args=["--admin", "off"])
        try:
            c = gwtest.Client(port)
            status, _, body = c.get("/reviews", host="bookinfo.example.com")
            c.close()
            self.assertEqual(status, 503, body)
            self.assertIn("--workload-cert", gw.stderr() + gw.stdout())
        finally:
            gw.stop()
            up.stop()


if __name__ == "__main__":
    harness.main()
