"""Large bodies stream through the real gateway in both directions with flat memory: a 1 GiB
download and a 1 GiB upload, with the switchyard process's peak RSS (VmHWM) staying bounded."""

import os
import socket
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gwtest  # noqa: E402
import harness  # noqa: E402

GiB = 1024 * 1024 * 1024
RSS_LIMIT_KB = 64 * 1024


def config(port, up):
    return [
        gwtest.gateway("gw", port, ["*"]),
        gwtest.service("bulk.default.svc.cluster.local", [gwtest.upstream_endpoint(up)]),
        """
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: bulk
  namespace: default
spec:
  hosts: ["bulk.example.com"]
  gateways: [gw]
  http:
  - route:
    - destination:
        host: bulk
""",
    ]


class GatewayStreamingTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.up = harness.start_upstream("bulk", "v1")
        cls.port = harness.free_port()
        cls.gw = gwtest.start_gateway(config(cls.port, cls.up), listen_ports=[cls.port], workers=1)

    @classmethod
    def tearDownClass(cls):
        cls.gw.stop()
        cls.up.stop()

    def assert_rss_bounded(self, what):
        peak = self.gw.rss_kb("VmHWM")
        self.assertLess(peak, RSS_LIMIT_KB, f"{what}: peak RSS {peak} KiB")
        return peak

    def download(self, chunked):
        s = socket.create_connection(("127.0.0.1", self.port), timeout=30)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 * 1024 * 1024)
        try:
            query = f"size={GiB}" + ("&chunked=1" if chunked else "")
            s.sendall(f"GET /?{query} HTTP/1.1\r\nHost: bulk.example.com\r\nConnection: close\r\n\r\n".encode())
            buf = bytearray(1024 * 1024)
            view = memoryview(buf)
            total = 0
            head = b""
            while b"\r\n\r\n" not in head:
                n = s.recv_into(view)
                self.assertGreater(n, 0)
                head += bytes(view[:n])
            head, _, rest = head.partition(b"\r\n\r\n")
            total = len(rest)
            while True:
                n = s.recv_into(view)
                if n == 0:
                    break
                total += n
            return head.decode("latin-1"), total
        finally:
            s.close()

    # Scenario: a 1 GiB content-length download arrives complete and the gateway's RSS stays bounded.
    def test_download_1gib(self):
        start = time.monotonic()
        head, total = self.download(chunked=False)
        elapsed = time.monotonic() - start
        self.assertIn(f"content-length: {GiB}", head.lower())
        self.assertEqual(total, GiB)
        peak = self.assert_rss_bounded("download")
        print(f"\n1 GiB download: {elapsed:.1f} s ({GiB / elapsed / 1e6:.0f} MB/s), gateway VmHWM {peak} KiB")

    # Scenario: a 1 GiB upload is streamed to the upstream, which counts every byte; RSS stays bounded.
    def test_upload_1gib(self):
        s = socket.create_connection(("127.0.0.1", self.port), timeout=60)
        try:
            s.sendall(f"PUT /upload HTTP/1.1\r\nHost: bulk.example.com\r\nContent-Length: {GiB}\r\n"
                      "Connection: close\r\n\r\n".encode())
            block = b"u" * (1024 * 1024)
            start = time.monotonic()
            for _ in range(GiB // len(block)):
                s.sendall(block)
            data = b""
            while True:
                chunk = s.recv(65536)
                if not chunk:
                    break
                data += chunk
            elapsed = time.monotonic() - start
        finally:
            s.close()
        self.assertIn(b"HTTP/1.1 200", data)
        self.assertIn(f'"body_bytes":{GiB}'.encode(), data)
        peak = self.assert_rss_bounded("upload")
        print(f"\n1 GiB upload: {elapsed:.1f} s ({GiB / elapsed / 1e6:.0f} MB/s), gateway VmHWM {peak} KiB")


if __name__ == "__main__":
    harness.main()
