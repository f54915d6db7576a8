"""HTTPS at the gateway with real clients: SIMPLE, MUTUAL and OPTIONAL_MUTUAL termination from
Kubernetes Secrets (credentialName) and from files, certificate choice by SNI (exact, wildcard,
refusal), TLS 1.2 minimum, x-forwarded-client-cert, rotation without restart, a broken rotation
refused, a missing Secret keeping only its server closed, and never plaintext on a TLS port.
Certificates are made at test time with the openssl CLI."""

import base64
import os
import socket
import ssl
import subprocess
import sys
import tempfile
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gwtest  # noqa: E402
import harness  # noqa: E402


def openssl(*args, cwd):
    subprocess.run(["openssl", *args], cwd=cwd, check=True, capture_output=True)


class Pki:
    """A CA and certificates signed by it, as PEM files in `d`."""

    def __init__(self, d, name):
        self.d, self.name = d, name
        openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-days", "2",
                "-subj", f"/CN={name}", "-keyout", f"{name}.key", "-out", f"{name}.crt", cwd=d)

    def issue(self, cn, san, days=2):
        """Signs a new certificate; returns (cert path, key path)."""
        base = f"{self.name}-{cn.replace('*', 'star')}-{time.monotonic_ns()}"
        openssl("req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-subj", f"/CN={cn}",
                "-keyout", f"{base}.key", "-out", f"{base}.csr", cwd=self.d)
        with open(os.path.join(self.d, f"{base}.ext"), "w") as f:
            f.write(f"subjectAltName={san}\n")
        openssl("x509", "-req", "-in", f"{base}.csr", "-CA", f"{self.name}.crt", "-CAkey", f"{self.name}.key",
                "-CAcreateserial", "-days", str(days), "-extfile", f"{base}.ext", "-out", f"{base}.crt", cwd=self.d)
        return os.path.join(self.d, f"{base}.crt"), os.path.join(self.d, f"{base}.key")

    @property
    def ca(self):
        return os.path.join(self.d, f"{self.name}.crt")

    def crl(self, revoked):
        """A CRL of this CA revoking the certificates at the paths `revoked`; returns its path."""
        db = os.path.join(self.d, f"{self.name}-crl-{time.monotonic_ns()}")
        os.mkdir(db)
        open(os.path.join(db, "index.txt"), "w").close()
        with open(os.path.join(db, "crlnumber"), "w") as f:
            f.write("01\n")
        conf = os.path.join(db, "ca.cnf")
        with open(conf, "w") as f:
            f.write(f"[ca]\ndefault_ca = d\n[d]\ndatabase = {db}/index.txt\ncrlnumber = {db}/crlnumber\n"
                    "default_md = sha256\ndefault_crl_days = 2\n")
        signer = ("-config", conf, "-keyfile", f"{self.name}.key", "-cert", f"{self.name}.crt")
        for cert in revoked:
            openssl("ca", *signer, "-revoke", cert, cwd=self.d)
        out = os.path.join(db, "ca.crl")
        openssl("ca", *signer, "-gencrl", "-out", out, cwd=self.d)
        return out


def read(path):
    with open(path) as f:
        return f.read()


def der(path):
    return ssl.PEM_cert_to_DER_cert(read(path))


def secret_yaml(name, cert, key, ca=None, ns="default", as_data=True):
    """A Secret as `kubectl create secret tls|generic --dry-run=client -o yaml` writes it."""
    entries = {"tls.crt": read(cert), "tls.key": read(key)}
    if ca:
        entries["ca.crt"] = read(ca)
    if as_data:
        body = "\n".join(f"  {k}: {base64.b64encode(v.encode()).decode()}" for k, v in entries.items())
        return f"apiVersion: v1\nkind: Secret\nmetadata:\n  name: {name}\n  namespace: {ns}\ntype: kubernetes.io/tls\ndata:\n{body}\n"
    body = "\n".join(f"  {k}: |\n" + "".join(f"    {line}\n" for line in v.strip().splitlines()) for k, v in entries.items())
    return f"apiVersion: v1\nkind: Secret\nmetadata:\n  name: {name}\n  namespace: {ns}\ntype: kubernetes.io/tls\nstringData:\n{body}"


def gateway_yaml(p):
    return f"""
apiVersion: networking.istio.io/v1
kind: Gateway
metadata:
  name: edge
  namespace: default
spec:
  selector:
    istio: ingressgateway
  servers:
  - port: {{number: {p['http']}, name: http, protocol: HTTP}}
    hosts: ["*.example.com"]
    tls: {{httpsRedirect: true}}
  - port: {{number: {p['https']}, name: https-a, protocol: HTTPS}}
    hosts: ["a.example.com"]
    tls: {{mode: SIMPLE, credentialName: a-cert}}
  - port: {{number: {p['https']}, name: https-wild, protocol: HTTPS}}
    hosts: ["*.example.com"]
    tls: {{mode: SIMPLE, serverCertificate: wild.crt, privateKey: wild.key}}
  - port: {{number: {p['https']}, name: https-late, protocol: HTTPS}}
    hosts: ["late.test.org"]
    tls: {{mode: SIMPLE, credentialName: late-cert}}
  - port: {{number: {p['mutual']}, name: https-mutual, protocol: HTTPS}}
    hosts: ["*"]
    tls: {{mode: MUTUAL, credentialName: m-cert}}
  - port: {{number: {p['optional']}, name: https-optional, protocol: HTTPS}}
    hosts: ["*"]
    tls: {{mode: OPTIONAL_MUTUAL, credentialName: m-cert}}
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: echo
  namespace: default
spec:
  hosts: ["*.example.com", "late.test.org", "mutual.test"]
  gateways: [edge]
  http:
  - route:
    - destination:
        host: echo
"""


class GatewayTlsTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.d = tempfile.mkdtemp(prefix="sy-tls-")
        cls.pki = Pki(cls.d, "ca")
        cls.other = Pki(cls.d, "other-ca")
        cls.a_cert, cls.a_key = cls.pki.issue("a.example.com", "DNS:a.example.com")
        wild_cert, wild_key = cls.pki.issue("*.example.com", "DNS:*.example.com")
        os.rename(wild_cert, os.path.join(cls.d, "wild.crt"))
        os.rename(wild_key, os.path.join(cls.d, "wild.key"))
        cls.wild_cert = os.path.join(cls.d, "wild.crt")
        cls.m_cert, cls.m_key = cls.pki.issue("mutual.test", "DNS:mutual.test")
        cls.client_cert, cls.client_key = cls.pki.issue("client", "URI:spiffe://cluster.local/ns/default/sa/client")
        cls.stranger_cert, cls.stranger_key = cls.other.issue("stranger", "DNS:stranger")
        cls.up = harness.start_upstream("echo", "v1")
        cls.ports = {k: harness.free_port() for k in ("http", "https", "mutual", "optional")}
        cls.conf = os.path.join(cls.d, "conf")
        os.mkdir(cls.conf)
        for f in ("wild.crt", "wild.key"):
            os.rename(os.path.join(cls.d, f), os.path.join(cls.conf, f))
        cls.wild_cert = os.path.join(cls.conf, "wild.crt")
        cls.write("gateway.yaml", gateway_yaml(cls.ports))
        cls.write("echo.yaml", gwtest.service("echo.default.svc.cluster.local", [gwtest.upstream_endpoint(cls.up)]))
        cls.write("a-cert.yaml", secret_yaml("a-cert", cls.a_cert, cls.a_key))
        cls.write("m-cert.yaml", secret_yaml("m-cert", cls.m_cert, cls.m_key, ca=cls.pki.ca, as_data=False))
        args = [harness.switchyard_bin(), "serve", "-c", cls.conf, "--bind", "127.0.0.1", "--workers", "2",
                "--admin", "off"]
        cls.gw = harness.start_process(args)
        deadline = time.monotonic() + 15
        for p in cls.ports.values():
            while not harness.port_accepts(p):
                if time.monotonic() > deadline or not cls.gw.alive():
                    raise harness.StartError(cls.gw.describe())
                time.sleep(0.05)

    @classmethod
    def tearDownClass(cls):
        cls.gw.stop()
        cls.up.stop()

    @classmethod
    def write(cls, name, text):
        tmp = os.path.join(cls.conf, "." + name + ".tmp")
        with open(tmp, "w") as f:
            f.write(text)
        os.rename(tmp, os.path.join(cls.conf, name))

    def client_context(self, cert=None, key=None):
        ctx = ssl.create_default_context(cafile=self.pki.ca)
        if cert:
            ctx.load_cert_chain(cert, key)
        return ctx

    def connect(self, port, sni, ctx=None):
        ctx = ctx or self.client_context()
        if sni is None:
            ctx.check_hostname = False
        raw = socket.create_connection(("127.0.0.1", port), timeout=5)
        try:
            return ctx.wrap_socket(raw, server_hostname=sni)
        except Exception:
            raw.close()
            raise

    def get(self, s, host, headers=""):
        s.sendall(f"GET /tls HTTP/1.1\r\nHost: {host}\r\n{headers}\r\n".encode())
        data = b""
        while b"\r\n\r\n" not in data:
            data += s.recv(65536)
        head, _, body = data.partition(b"\r\n\r\n")
        length = int([l for l in head.decode().split("\r\n") if l.lower().startswith("content-length:")][0].split(":")[1])
        while len(body) < length:
            body += s.recv(65536)
        return int(head.split(b" ")[1]), body

    def handshake_refused(self, port, sni, ctx=None):
        try:
            s = self.connect(port, sni, ctx)
        except (ssl.SSLError, ConnectionResetError, OSError):
            return True
        try:
            # TLS 1.3: a refused client certificate surfaces at the first read.
            s.sendall(b"GET / HTTP/1.1\r\nHost: mutual.test\r\n\r\n")
            return s.recv(100) == b""
        except (ssl.SSLError, ConnectionResetError, OSError):
            return True
        finally:
            s.close()

    # Scenario: the exact SNI gets its Secret's certificate, another name the wildcard file's; both route.
    def test_sni_selects_certificate(self):
        with self.connect(self.ports["https"], "a.example.com") as s:
            self.assertEqual(s.getpeercert(binary_form=True), der(self.a_cert))
            status, body = self.get(s, "a.example.com")
            self.assertEqual(status, 200)
            self.assertIn(b'"x-forwarded-proto":"https"', body.replace(b" ", b""))
        with self.connect(self.ports["https"], "b.example.com") as s:
            self.assertEqual(s.getpeercert(binary_form=True), der(self.wild_cert))
            self.assertEqual(self.get(s, "b.example.com")[0], 200)

    # Scenario: a name no server takes, and a ClientHello without SNI (no `*` server), are refused.
    def test_unknown_or_missing_sni_refused(self):
        self.assertTrue(self.handshake_refused(self.ports["https"], "evil.org"))
        self.assertTrue(self.handshake_refused(self.ports["https"], None))

    # Scenario: a plaintext request to a TLS port never gets a 2xx.
    def test_no_plaintext_on_tls_port(self):
        for port in (self.ports["https"], self.ports["mutual"], self.ports["optional"]):
            out, _ = gwtest.raw_exchange(port, b"GET / HTTP/1.1\r\nHost: a.example.com\r\n\r\n", read_timeout=3)
            self.assertFalse(out.startswith(b"HTTP/1.1 2"), out[:200])

    # Scenario: TLS 1.1 is refused by default (TLS 1.2 minimum).
    def test_tls11_refused(self):
        ctx = self.client_context()
        ctx.set_ciphers("DEFAULT:@SECLEVEL=0")
        ctx.minimum_version = ssl.TLSVersion.TLSv1_1
        ctx.maximum_version = ssl.TLSVersion.TLSv1_1
        self.assertTrue(self.handshake_refused(self.ports["https"], "a.example.com", ctx))

    # Scenario: MUTUAL refuses no certificate and a certificate of another CA; a good one gets through
    # with x-forwarded-client-cert replacing what the client sent.
    def test_mutual(self):
        port = self.ports["mutual"]
        self.assertTrue(self.handshake_refused(port, "mutual.test"))
        self.assertTrue(self.handshake_refused(port, "mutual.test", self.client_context(self.stranger_cert,
                                                                                         self.stranger_key)))
        with self.connect(port, "mutual.test", self.client_context(self.client_cert, self.client_key)) as s:
            status, body = self.get(s, "mutual.test", "X-Forwarded-Client-Cert: By=forged\r\n")
        self.assertEqual(status, 200)
        xfcc = [l for l in body.decode().split('"x-forwarded-client-cert":"')[1:]]
        self.assertTrue(xfcc, body)
        self.assertIn("Hash=", xfcc[0])
        self.assertIn("URI=spiffe://cluster.local/ns/default/sa/client", xfcc[0])
        self.assertNotIn("forged", body.decode())

    # Scenario: OPTIONAL_MUTUAL serves a client without a certificate, and passes no XFCC for it.
    def test_optional_mutual(self):
        with self.connect(self.ports["optional"], "mutual.test") as s:
            status, body = self.get(s, "mutual.test", "X-Forwarded-Client-Cert: By=forged\r\n")
        self.assertEqual(status, 200)
        self.assertNotIn(b"x-forwarded-client-cert", body)
        with self.connect(self.ports["optional"], "mutual.test",
                          self.client_context(self.client_cert, self.client_key)) as s:
            status, body = self.get(s, "mutual.test")
        self.assertIn(b"x-forwarded-client-cert", body)

    # Scenario: the HTTP server's httpsRedirect answers 301 to https with the Host as received.
    def test_https_redirect(self):
        status, hdrs, _ = gwtest.Client(self.ports["http"]).get("/x?y=1", host="a.example.com")
        self.assertEqual(status, 301)
        self.assertEqual(hdrs["location"], "https://a.example.com/x?y=1")

    # Scenario: a Secret that appears later opens its server; a rotated Secret serves new handshakes
    # within 2 s while a kept-alive connection goes on; a broken rotation leaves the old certificate.
    def test_late_secret_and_rotation(self):
        port = self.ports["https"]
        self.assertTrue(self.handshake_refused(port, "late.test.org"))
        late_cert, late_key = self.pki.issue("late.test.org", "DNS:late.test.org")
        self.write("late-cert.yaml", secret_yaml("late-cert", late_cert, late_key))
        self.wait_for_cert(port, "late.test.org", late_cert)

        kept = self.connect(port, "a.example.com")
        self.assertEqual(self.get(kept, "a.example.com")[0], 200)
        new_cert, new_key = self.pki.issue("a.example.com", "DNS:a.example.com")
        self.write("a-cert.yaml", secret_yaml("a-cert", new_cert, new_key))
        self.wait_for_cert(port, "a.example.com", new_cert)
        type(self).a_cert = new_cert  # for the tests that run after this one
        self.assertEqual(self.get(kept, "a.example.com")[0], 200)  # the established connection lives on
        kept.close()

        broken = secret_yaml("a-cert", new_cert, self.m_key)  # a key of another certificate
        self.write("a-cert.yaml", broken)
        time.sleep(1.5)
        with self.connect(port, "a.example.com") as s:
            self.assertEqual(s.getpeercert(binary_form=True), der(new_cert))
        self.assertIn("private key does not match the certificate", self.gw.stderr() + self.gw.stdout())

    def wait_for_cert(self, port, sni, cert):
        deadline = time.monotonic() + 2.5
        while True:
            try:
                with self.connect(port, sni) as s:
                    if s.getpeercert(binary_form=True) == der(cert):
                        return
            except (ssl.SSLError, OSError):
                pass
            if time.monotonic() > deadline:
                self.fail(f"{sni} did not get the new certificate within 2 s:\n{self.gw.stderr()[-3000:]}")
            time.sleep(0.1)


class EcdhCurvesTest(unittest.TestCase):
    """tls.ecdhCurves limits the key-exchange groups a client may use (openssl s_client -groups)."""

    @classmethod
    def setUpClass(cls):
        cls.d = tempfile.mkdtemp(prefix="sy-ecdh-")
        pki = Pki(cls.d, "ca")
        cert, key = pki.issue("curves.example.com", "DNS:curves.example.com")
        conf = os.path.join(cls.d, "conf")
        os.mkdir(conf)
        os.rename(cert, os.path.join(conf, "srv.crt"))
        os.rename(key, os.path.join(conf, "srv.key"))
        cls.port = harness.free_port()
        with open(os.path.join(conf, "gateway.yaml"), "w") as f:
            f.write(f"""
apiVersion: networking.istio.io/v1
kind: Gateway
metadata: {{name: edge, namespace: default}}
spec:
  selector: {{istio: ingressgateway}}
  servers:
  - port: {{number: {cls.port}, name: https, protocol: HTTPS}}
    hosts: ["curves.example.com"]
    tls: {{mode: SIMPLE, serverCertificate: srv.crt, privateKey: srv.key, ecdhCurves: [P-384]}}
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {{name: direct, namespace: default}}
spec:
  hosts: ["curves.example.com"]
  gateways: [edge]
  http:
  - directResponse: {{status: 200, body: {{string: "ok"}}}}
""")
        cls.gw = harness.start_process([harness.switchyard_bin(), "serve", "-c", conf, "--bind", "127.0.0.1",
                                        "--workers", "1", "--admin", "off"], ready_port=cls.port)

    @classmethod
    def tearDownClass(cls):
        cls.gw.stop()

    def handshake(self, *args):
        p = subprocess.run(["openssl", "s_client", "-connect", f"127.0.0.1:{self.port}", "-servername",
                            "curves.example.com", *args], input=b"", capture_output=True, timeout=20)
        return p.returncode == 0 and b"BEGIN CERTIFICATE" in p.stdout

    def test_only_the_listed_groups_are_accepted(self):
        """ecdhCurves [P-384]: a client offering only P-384 connects; one offering P-256 or X25519 is refused."""
        self.assertTrue(self.handshake("-tls1_3", "-groups", "P-384"))
        self.assertFalse(self.handshake("-tls1_3", "-groups", "P-256:X25519"))
        # TLS 1.2: the client's list also names the certificate's curve (P-256) for ECDSA.
        self.assertTrue(self.handshake("-tls1_2", "-groups", "P-384:P-256"))
        self.assertFalse(self.handshake("-tls1_2", "-groups", "P-256:X25519"))


class ClientCertificateRulesTest(unittest.TestCase):
    """MUTUAL with subjectAltNames / verifyCertificateHash / verifyCertificateSpki: a client
    certificate from the trusted CA must also carry a listed name or the pinned digest; with caCrl
    it must not be revoked."""

    @classmethod
    def setUpClass(cls):
        cls.d = tempfile.mkdtemp(prefix="sy-client-rules-")
        cls.pki = Pki(cls.d, "ca")
        cert, key = cls.pki.issue("rules.example.com", "DNS:rules.example.com")
        cls.good = cls.pki.issue("good", "URI:spiffe://cluster.local/ns/default/sa/good")
        cls.other = cls.pki.issue("other", "URI:spiffe://cluster.local/ns/default/sa/other")
        good_hash = ":".join(f"{b:02X}" for b in __import__("hashlib").sha256(der(cls.good[0])).digest())
        spki = subprocess.run(f"openssl x509 -in {cls.good[0]} -pubkey -noout | openssl pkey -pubin -outform DER"
                              " | openssl dgst -sha256 -binary | openssl enc -base64", shell=True, check=True,
                              capture_output=True, text=True).stdout.strip()
        conf = os.path.join(cls.d, "conf")
        os.mkdir(conf)
        revoked = cls.pki.crl([cls.other[0]])
        for src, name in ((cert, "srv.crt"), (key, "srv.key"), (cls.pki.ca, "ca.crt"), (revoked, "ca.crl")):
            with open(src) as f, open(os.path.join(conf, name), "w") as out:
                out.write(f.read())
        cls.ports = {k: harness.free_port() for k in ("san", "hash", "spki", "crl")}
        tls = "mode: MUTUAL, serverCertificate: srv.crt, privateKey: srv.key, caCertificates: ca.crt"
        with open(os.path.join(conf, "gateway.yaml"), "w") as f:
            f.write(f"""
apiVersion: networking.istio.io/v1
kind: Gateway
metadata: {{name: edge, namespace: default}}
spec:
  selector: {{istio: ingressgateway}}
  servers:
  - port: {{number: {cls.ports['san']}, name: https-san, protocol: HTTPS}}
    hosts: ["*"]
    tls: {{{tls}, subjectAltNames: [spiffe://cluster.local/ns/default/sa/good]}}
  - port: {{number: {cls.ports['hash']}, name: https-hash, protocol: HTTPS}}
    hosts: ["*"]
    tls: {{{tls}, verifyCertificateHash: ["{good_hash}"]}}
  - port: {{number: {cls.ports['spki']}, name: https-spki, protocol: HTTPS}}
    hosts: ["*"]
    tls: {{{tls}, verifyCertificateSpki: ["{spki}"]}}
  - port: {{number: {cls.ports['crl']}, name: https-crl, protocol: HTTPS}}
    hosts: ["*"]
    tls: {{{tls}, caCrl: ca.crl}}
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {{name: direct, namespace: default}}
spec:
  hosts: ["*"]
  gateways: [edge]
  http:
  - directResponse: {{status: 200, body: {{string: "ok"}}}}
""")
        cls.gw = harness.start_process([harness.switchyard_bin(), "serve", "-c", conf, "--bind", "127.0.0.1",
                                        "--workers", "1", "--admin", "off"])
        for p in cls.ports.values():
            harness._wait_until(lambda p=p: harness.port_accepts(p), cls.gw, 15, f"port {p}")

    @classmethod
    def tearDownClass(cls):
        cls.gw.stop()

    def answered(self, port, cert_key):
        ctx = ssl.create_default_context(cafile=self.pki.ca)
        ctx.load_cert_chain(*cert_key)
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=5) as raw:
                with ctx.wrap_socket(raw, server_hostname="rules.example.com") as s:
                    s.sendall(b"GET / HTTP/1.1\r\nHost: rules.example.com\r\n\r\n")
                    return s.recv(100).startswith(b"HTTP/1.1 200")
        except (ssl.SSLError, ConnectionResetError, OSError):
            return False

    def test_rules_admit_only_the_pinned_or_named_client(self):
        """Both certificates chain to the trusted CA; only the named / pinned one is let in on each server."""
        for kind in ("san", "hash", "spki"):
            self.assertTrue(self.answered(self.ports[kind], self.good), kind)
            self.assertFalse(self.answered(self.ports[kind], self.other), kind)

    def test_revoked_client_certificate_is_refused(self):
        """caCrl: the revoked certificate is refused in the handshake, the other one of the same CA admitted."""
        self.assertTrue(self.answered(self.ports["crl"], self.good))
        self.assertFalse(self.answered(self.ports["crl"], self.other))


if __name__ == "__main__":
    harness.main()
