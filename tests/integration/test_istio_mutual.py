"""ISTIO_MUTUAL with the workload certificate istio-agent would write (serve --workload-cert,
--workload-key, --workload-ca): a Gateway server terminates mesh mTLS with it (callers need a
certificate of the mesh's roots), a rotation of the files reaches new handshakes, and without the
flags the server stays closed — never plaintext — with a line that names the flags."""

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


if __name__ == "__main__":
    harness.main()
