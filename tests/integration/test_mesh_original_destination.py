"""ServiceEntry `resolution: NONE` on the mesh listener, as a sidecar sees it: a client's
connection to an external address is redirected to `--mesh-listen` by iptables (in a network
namespace of the test's own), and switchyard forwards the request to the address the client
meant (SO_ORIGINAL_DST). Without redirection there is no such address: 503 UH."""

import http.client
import http.server
import os
import shutil
import subprocess
import sys
import threading
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gwtest  # noqa: E402
import harness  # noqa: E402

CLIENT_SOURCE = "127.0.0.2"  # only this client's connections are redirected, not switchyard's own


def in_own_netns(script=__file__):
    """Re-runs `script` (this file by default) in a new network namespace (iptables rules stay
    inside it). Returns its exit code, None when already inside one, or -1 when namespaces or
    iptables are not available here."""
    if os.environ.get("SY_IN_NETNS") == "1":
        return None
    if not shutil.which("unshare") or not shutil.which("iptables") or not shutil.which("ip"):
        return -1
    probe = subprocess.run(["unshare", "-n", "true"], capture_output=True)
    if probe.returncode != 0:
        return -1
    env = dict(os.environ, SY_IN_NETNS="1")
    return subprocess.run(["unshare", "-n", sys.executable, os.path.abspath(script), *sys.argv[1:]], env=env).returncode


class EchoUpstream:
    """Answers every request with the Host it got and whether switchyard handled it on the way."""

    def __init__(self):
        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def do_GET(self):
                body = f"host={self.headers.get('Host')} attempt={self.headers.get('x-envoy-attempt-count')}".encode()
                self.send_response(200)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


def service_entry(name, host, port, resolution):
    line = f"\n  resolution: {resolution}" if resolution else ""
    return f"""
apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: {{name: {name}, namespace: default}}
spec:
  hosts: [{host}]
  location: MESH_EXTERNAL{line}
  ports: [{{number: {port}, name: http, protocol: HTTP}}]
"""


@unittest.skipUnless(os.environ.get("SY_IN_NETNS") == "1", "needs a network namespace with iptables")
class MeshOriginalDestinationTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        subprocess.run(["ip", "link", "set", "lo", "up"], check=True)
        cls.up = EchoUpstream()
        cls.other = EchoUpstream()
        cls.mesh = harness.free_port()
        for port in (cls.up.port, cls.other.port):
            subprocess.run(["iptables", "-t", "nat", "-A", "OUTPUT", "-p", "tcp", "-s", CLIENT_SOURCE, "-d", "127.0.0.1",
                            "--dport", str(port), "-j", "REDIRECT", "--to-ports", str(cls.mesh)], check=True)
        docs = [service_entry("api", "api.external.example", cls.up.port, "NONE"),
                service_entry("dflt", "default.external.example", cls.other.port, None)]
        cls.gw = gwtest.start_gateway(docs, mesh_ports=[cls.mesh], extra_args=["--admin", "off"])

    @classmethod
    def tearDownClass(cls):
        cls.gw.stop()
        cls.up.stop()
        cls.other.stop()

    def get(self, port, host, source=CLIENT_SOURCE):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10, source_address=(source, 0))
        conn.request("GET", "/", headers={"Host": host})
        resp = conn.getresponse()
        body = resp.read().decode()
        conn.close()
        return resp.status, body

    # Scenario: a redirected request for a resolution NONE service reaches the address the client dialled.
    def test_redirected_request_reaches_original_destination(self):
        status, body = self.get(self.up.port, f"api.external.example:{self.up.port}")
        self.assertEqual(status, 200, body)
        # attempt=1: switchyard forwarded it (the client sent no such header).
        self.assertEqual(body, f"host=api.external.example:{self.up.port} attempt=1")

    # Scenario: resolution left out is NONE (Istio's default) and forwards the same way.
    def test_default_resolution_is_none(self):
        status, body = self.get(self.other.port, f"default.external.example:{self.other.port}")
        self.assertEqual((status, body), (200, f"host=default.external.example:{self.other.port} attempt=1"))

    # Scenario: a request sent to the mesh listener directly has no original destination: 503 UH.
    def test_unredirected_request_is_no_healthy_upstream(self):
        status, body = self.get(self.mesh, f"api.external.example:{self.up.port}", source="127.0.0.1")
        self.assertEqual((status, body), (503, "no healthy upstream"))


if __name__ == "__main__":
    code = in_own_netns()
    if code is None:
        unittest.main()
    elif code == -1:
        print("skipped: network namespaces or iptables are not available", flush=True)
        unittest.main(argv=sys.argv[:1])  # runs the class, which skips
    else:
        sys.exit(code)
