"""demo-upstream does what the gateway tests will script it to do: echo, delays, statuses,
resets, large streamed bodies, fail-N-times-then-succeed, keep-alive, HEAD, 100-continue and
websocket echo. Needs only the demo-upstream binary (not a serving switchyard)."""

import base64
import hashlib
import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import unittest
import uuid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402

MiB = 1024 * 1024


def unique_key():
    return uuid.uuid4().hex[:12]


def read_head(sock):
    """Read bytes up to the end of an HTTP head; returns (head, bytes already read past it)."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            raise ConnectionError(f"closed before a full head: {data!r}")
        data += chunk
    head, _, rest = data.partition(b"\r\n\r\n")
    return head.decode("latin-1"), rest


def read_response(sock):
    """Read one content-length framed response from a raw socket: (status, headers, body)."""
    head, body = read_head(sock)
    lines = head.split("\r\n")
    status = int(lines[0].split()[1])
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    length = int(headers.get("content-length", "0"))
    while len(body) < length:
        chunk = sock.recv(65536)
        if not chunk:
            break
        body += chunk
    return status, headers, body


def recv_until_error(sock, limit_s=5.0):
    """Read until the peer closes or errors; returns (bytes, exception or None)."""
    sock.settimeout(limit_s)
    data = b""
    try:
        while True:
            chunk = sock.recv(65536)
            if not chunk:
                return data, None
            data += chunk
    except OSError as e:
        return data, e


class DemoUpstreamTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.up = harness.start_upstream("reviews", "v2")

    @classmethod
    def tearDownClass(cls):
        cls.up.stop()

    def connect(self):
        sock = socket.create_connection(("127.0.0.1", self.up.port), timeout=5)
        self.addCleanup(sock.close)
        return sock

    def test_echo_json(self):
        # A POST with a query, repeated headers and a body comes back described in JSON.
        status, headers, body = harness.http(
            "POST", self.up.url("/api/items?a=1&b=two"), headers={"X-Trace": "abc"}, body=b"x" * 1234)
        self.assertEqual(status, 200)
        self.assertEqual(headers["x-upstream-name"], "reviews")
        self.assertEqual(headers["x-upstream-version"], "v2")
        self.assertEqual(headers["x-upstream-port"], str(self.up.port))
        self.assertEqual(headers["content-type"], "application/json")
        echo = json.loads(body)
        self.assertEqual(echo["name"], "reviews")
        self.assertEqual(echo["version"], "v2")
        self.assertEqual(echo["port"], self.up.port)
        self.assertEqual(echo["method"], "POST")
        self.assertEqual(echo["path"], "/api/items")
        self.assertEqual(echo["query"], "a=1&b=two")
        self.assertEqual(echo["headers"]["x-trace"], "abc")
        self.assertEqual(echo["headers"]["host"], f"127.0.0.1:{self.up.port}")
        self.assertEqual(echo["body_bytes"], 1234)

    def test_repeated_request_headers_are_joined(self):
        # Two "X-Multi" lines arrive in the echo as one comma-joined value.
        sock = self.connect()
        sock.sendall(b"GET /m HTTP/1.1\r\nHost: h\r\nX-Multi: one\r\nX-Multi: two\r\n\r\n")
        status, _, body = read_response(sock)
        self.assertEqual(status, 200)
        self.assertEqual(json.loads(body)["headers"]["x-multi"], "one, two")

    def test_delay(self):
        # delay=300 (query) and x-demo-delay: 300 (header) each hold the response ~300 ms.
        for url, headers in ((self.up.url("/slow?delay=300"), {}),
                             (self.up.url("/slow"), {"x-demo-delay": "300"})):
            start = time.monotonic()
            status, _, _ = harness.http("GET", url, headers=headers)
            elapsed = time.monotonic() - start
            self.assertEqual(status, 200)
            self.assertGreaterEqual(elapsed, 0.29)
            self.assertLess(elapsed, 1.0)

    def test_status(self):
        # status=503 in the query, or x-demo-status: 418 as a header, sets the response status.
        status, headers, body = harness.http("GET", self.up.url("/s?status=503"))
        self.assertEqual(status, 503)
        self.assertEqual(headers["x-upstream-name"], "reviews")
        self.assertEqual(json.loads(body)["path"], "/s")
        status, _, _ = harness.http("GET", self.up.url("/s?status=503"), headers={"x-demo-status": "418"})
        self.assertEqual(status, 418)
        status, headers, body = harness.http("GET", self.up.url("/s?status=204"))
        self.assertEqual((status, body), (204, b""))
        self.assertNotIn("content-length", headers)

    def test_bad_control_is_400(self):
        # A control that does not parse is answered 400 with a JSON error naming it.
        status, _, body = harness.http("GET", self.up.url("/?delay=soon"))
        self.assertEqual(status, 400)
        self.assertIn("delay", json.loads(body)["error"])

    def test_reset(self):
        # reset=1 closes with RST: a raw client sees ECONNRESET, http.client a connection error.
        sock = self.connect()
        sock.sendall(b"GET /r?reset=1 HTTP/1.1\r\nHost: h\r\n\r\n")
        data, error = recv_until_error(sock)
        self.assertEqual(data, b"")
        self.assertIsInstance(error, ConnectionResetError)
        with self.assertRaises((ConnectionError, http.client.HTTPException)):
            harness.http("GET", self.up.url("/r"), headers={"x-demo-reset": "1"})

    def test_reset_after_headers(self):
        # reset_after_headers=1 sends a 200 head promising a body, then RST.
        sock = self.connect()
        sock.sendall(b"GET /r?reset_after_headers=1 HTTP/1.1\r\nHost: h\r\n\r\n")
        data, error = recv_until_error(sock)
        self.assertTrue(data.startswith(b"HTTP/1.1 200 "), data)
        self.assertIn(b"content-length:", data)
        self.assertTrue(data.endswith(b"\r\n\r\n"), data)
        self.assertIsInstance(error, ConnectionResetError)

    def test_size_content_length_and_chunked(self):
        # size=N streams exactly N bytes, with content-length by default or chunked on request.
        status, headers, body = harness.http("GET", self.up.url("/blob?size=1000003"))
        self.assertEqual(status, 200)
        self.assertEqual(headers["content-length"], "1000003")
        self.assertEqual(len(body), 1000003)
        status, headers, body = harness.http("GET", self.up.url("/blob?size=1000003&chunked=1"))
        self.assertEqual(status, 200)
        self.assertEqual(headers["transfer-encoding"], "chunked")
        self.assertNotIn("content-length", headers)
        self.assertEqual(len(body), 1000003)
        status, headers, body = harness.http("GET", self.up.url("/blob?size=0"))
        self.assertEqual((status, headers["content-length"], body), (200, "0", b""))

    def test_one_gib_streams_quickly(self):
        # A 1 GiB generated body reaches curl intact in a few seconds.
        start = time.monotonic()
        result = harness.curl("-o", "/dev/null", "-w", "%{http_code} %{size_download}",
                              self.up.url(f"/big?size={1024 * MiB}"), timeout=60)
        elapsed = time.monotonic() - start
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(result.stdout.decode(), f"200 {1024 * MiB}")
        self.assertLess(elapsed, 15.0)

    def test_fail_times_with_status(self):
        # fail_times=2 with status=503: two 503s for the key, then 200s; other keys are unaffected.
        key, other = unique_key(), unique_key()
        url = self.up.url(f"/retry?fail_times=2&key={key}&status=503")
        self.assertEqual([harness.http("GET", url)[0] for _ in range(4)], [503, 503, 200, 200])
        self.assertEqual(harness.http("GET", self.up.url(f"/retry?fail_times=1&key={other}"))[0], 500)
        by_key = self.up.stats()["by_key"]
        self.assertEqual(by_key[key], 4)
        self.assertEqual(by_key[other], 1)

    def test_fail_times_with_reset(self):
        # fail_times=2 with reset=1 (as headers): two connection errors, then a 200.
        headers = {"x-demo-fail-times": "2", "x-demo-key": unique_key(), "x-demo-reset": "1"}
        for _ in range(2):
            with self.assertRaises((ConnectionError, http.client.HTTPException)):
                harness.http("GET", self.up.url("/retry"), headers=headers)
        self.assertEqual(harness.http("GET", self.up.url("/retry"), headers=headers)[0], 200)

    def test_keep_alive_reuse(self):
        # Three requests on one http.client connection share a TCP connection (same conn_id).
        conn = http.client.HTTPConnection("127.0.0.1", self.up.port, timeout=5)
        self.addCleanup(conn.close)
        seen = []
        for i in range(3):
            conn.request("POST", f"/ka/{i}", body=b"abc")
            resp = conn.getresponse()
            echo = json.loads(resp.read())
            self.assertEqual(resp.status, 200)
            self.assertIsNone(resp.getheader("connection"))
            seen.append((echo["conn_id"], echo["conn_request"], echo["body_bytes"]))
        conn_id = seen[0][0]
        self.assertEqual(seen, [(conn_id, 1, 3), (conn_id, 2, 3), (conn_id, 3, 3)])

    def test_pipelined_requests(self):
        # Two requests written back to back are answered in order on the same connection.
        sock = self.connect()
        sock.sendall(b"GET /p1 HTTP/1.1\r\nHost: h\r\n\r\nGET /p2 HTTP/1.1\r\nHost: h\r\n\r\n")
        stream = sock.makefile("rb")
        self.addCleanup(stream.close)
        for expected in ("/p1", "/p2"):
            self.assertTrue(stream.readline().startswith(b"HTTP/1.1 200 "))
            length = None
            while (line := stream.readline()) != b"\r\n":
                name, _, value = line.decode().partition(":")
                if name.lower() == "content-length":
                    length = int(value)
            self.assertEqual(json.loads(stream.read(length))["path"], expected)

    def test_close(self):
        # close=1 answers with "connection: close" and then closes the connection (FIN, not RST).
        sock = self.connect()
        sock.sendall(b"GET /c?close=1 HTTP/1.1\r\nHost: h\r\n\r\n")
        data, error = recv_until_error(sock)
        self.assertIsNone(error)
        self.assertIn(b"connection: close\r\n", data)
        self.assertTrue(data.endswith(b"}"), data)

    def test_http10_closes_unless_keep_alive(self):
        # An HTTP/1.0 request without keep-alive gets its answer and then EOF.
        sock = self.connect()
        sock.sendall(b"GET /old HTTP/1.0\r\n\r\n")
        data, error = recv_until_error(sock)
        self.assertIsNone(error)
        self.assertIn(b"connection: close\r\n", data)

    def test_head(self):
        # HEAD reports the length the GET body would have, and sends no body.
        status, headers, body = harness.http("HEAD", self.up.url("/h"))
        self.assertEqual(status, 200)
        self.assertGreater(int(headers["content-length"]), 0)
        self.assertEqual(body, b"")
        status, headers, body = harness.http("HEAD", self.up.url("/h?size=5000"))
        self.assertEqual((status, headers["content-length"], body), (200, "5000", b""))
        # The connection stays usable after a HEAD: no stray body bytes.
        sock = self.connect()
        sock.sendall(b"HEAD /h?size=777 HTTP/1.1\r\nHost: h\r\n\r\n")
        head, rest = read_head(sock)
        self.assertIn("content-length: 777", head)
        self.assertEqual(rest, b"")
        sock.sendall(b"GET /after-head HTTP/1.1\r\nHost: h\r\n\r\n")
        status, _, body = read_response(sock)
        self.assertEqual(json.loads(body)["path"], "/after-head")

    def test_expect_100_continue(self):
        # A client sending "Expect: 100-continue" gets 100 Continue before it sends the body.
        sock = self.connect()
        sock.sendall(b"POST /upload HTTP/1.1\r\nHost: h\r\nContent-Length: 11\r\nExpect: 100-continue\r\n\r\n")
        head, rest = read_head(sock)
        self.assertEqual(head, "HTTP/1.1 100 Continue")
        self.assertEqual(rest, b"")
        sock.sendall(b"hello world")
        status, headers, body = read_response(sock)
        self.assertEqual(status, 200)
        self.assertEqual(json.loads(body)["body_bytes"], 11)

    def test_websocket_echo(self):
        # A hand-made handshake and one masked text frame to /websocket come back echoed.
        sock = self.connect()
        key = base64.b64encode(os.urandom(16)).decode()
        sock.sendall((f"GET /websocket HTTP/1.1\r\nHost: 127.0.0.1:{self.up.port}\r\n"
                      f"Upgrade: websocket\r\nConnection: Upgrade\r\n"
                      f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n").encode())
        head, rest = read_head(sock)
        self.assertTrue(head.startswith("HTTP/1.1 101"), head)
        expected_accept = base64.b64encode(
            hashlib.sha1((key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11").encode()).digest()).decode()
        lowered = head.lower()
        self.assertIn(f"sec-websocket-accept: {expected_accept.lower()}", lowered)
        self.assertIn("x-upstream-name: reviews", lowered)
        self.assertEqual(rest, b"")

        payload = b"hello switchyard"
        mask = os.urandom(4)
        masked = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
        sock.sendall(bytes([0x81, 0x80 | len(payload)]) + mask + masked)  # FIN + text, masked
        frame = b""
        while len(frame) < 2 + len(payload):
            chunk = sock.recv(4096)
            self.assertTrue(chunk, "closed before the echo")
            frame += chunk
        self.assertEqual(frame[0], 0x81)            # FIN + text
        self.assertEqual(frame[1], len(payload))    # server frames are not masked
        self.assertEqual(frame[2:], payload)

        sock.sendall(bytes([0x88, 0x80]) + os.urandom(4))  # masked close, no payload
        data, _ = recv_until_error(sock)
        self.assertEqual(data[0], 0x88)

    def test_stats_and_reset(self):
        # /_stats counts requests (not its own) and connections; /_reset_stats zeroes them.
        up = harness.start_upstream("stats", "v1")
        self.addCleanup(up.stop)
        for _ in range(3):
            harness.http("GET", up.url("/x?key=k1"))
        stats = up.stats()
        self.assertEqual(stats["requests"], 3)
        self.assertEqual(stats["by_key"], {"k1": 3})
        self.assertGreaterEqual(stats["connections"], 3)
        up.reset_stats()
        stats = up.stats()
        self.assertEqual((stats["requests"], stats["by_key"]), (0, {}))


class DemoUpstreamProcessTest(unittest.TestCase):
    def test_size_100_mb_streams_with_flat_memory(self):
        # Reading a 100 MB generated body keeps the upstream's peak RSS under 50 MB.
        up = harness.start_upstream("big", "v1")
        self.addCleanup(up.stop)
        conn = http.client.HTTPConnection("127.0.0.1", up.port, timeout=30)
        self.addCleanup(conn.close)
        size = 100 * 1000 * 1000
        conn.request("GET", f"/big?size={size}")
        resp = conn.getresponse()
        self.assertEqual(resp.status, 200)
        total, samples = 0, []
        while True:
            chunk = resp.read(MiB)
            if not chunk:
                break
            total += len(chunk)
            if total % (10 * MiB) < MiB:
                samples.append(up.rss_kb("VmRSS"))
        self.assertEqual(total, size)
        self.assertTrue(samples)
        self.assertLess(max(samples), 50 * 1024, samples)
        self.assertLess(up.rss_kb("VmHWM"), 50 * 1024)

    def test_streamed_request_body_is_counted_not_buffered(self):
        # A 64 MiB chunked upload is counted exactly while the upstream's memory stays flat.
        up = harness.start_upstream("sink", "v1")
        self.addCleanup(up.stop)
        block = b"z" * MiB

        def body():
            for _ in range(64):
                yield block

        conn = http.client.HTTPConnection("127.0.0.1", up.port, timeout=30)
        self.addCleanup(conn.close)
        conn.request("PUT", "/upload", body=body(), encode_chunked=True,
                     headers={"Transfer-Encoding": "chunked"})
        resp = conn.getresponse()
        self.assertEqual(resp.status, 200)
        self.assertEqual(json.loads(resp.read())["body_bytes"], 64 * MiB)
        self.assertLess(up.rss_kb("VmHWM"), 50 * 1024)

    def test_threads_and_listeners(self):
        # With 4 threads and 2 listeners, concurrent requests on both ports all succeed.
        up = harness.start_upstream("multi", "v3", listeners=2, threads=4)
        self.addCleanup(up.stop)
        self.assertEqual(len(up.ports), 2)
        results = []
        lock = threading.Lock()

        def worker(port):
            status, headers, body = harness.http("GET", up.url("/t?delay=50", port=port))
            with lock:
                results.append((status, headers["x-upstream-port"], json.loads(body)["conn_id"]))

        threads = [threading.Thread(target=worker, args=(up.ports[i % 2],)) for i in range(20)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        self.assertEqual(len(results), 20)
        self.assertTrue(all(r[0] == 200 for r in results))
        self.assertEqual({r[1] for r in results}, {str(p) for p in up.ports})
        self.assertEqual(len({r[2] for r in results}), 20)

    def test_sigterm_drains_in_flight_then_exits(self):
        # SIGTERM lets a delayed in-flight request finish, ignores idle connections, exits 0.
        up = harness.start_upstream("drain", "v1")
        self.addCleanup(up.stop)
        idle = socket.create_connection(("127.0.0.1", up.port), timeout=5)
        self.addCleanup(idle.close)
        outcome = {}

        def slow():
            outcome["status"] = harness.http("GET", up.url("/slow?delay=500"))[0]

        t = threading.Thread(target=slow)
        t.start()
        time.sleep(0.2)
        start = time.monotonic()
        up.signal(signal.SIGTERM)
        up.popen.wait(timeout=5)
        t.join()
        self.assertEqual(outcome.get("status"), 200)
        self.assertEqual(up.popen.returncode, 0, up.describe())
        self.assertLess(time.monotonic() - start, 2.5)
        self.assertFalse(harness.port_accepts(up.port))

    def test_help_and_bad_flag(self):
        # --help prints the controls and exits 0; an unknown flag exits 2.
        result = subprocess.run([harness.demo_upstream_bin(), "--help"], capture_output=True, timeout=10)
        self.assertEqual(result.returncode, 0)
        self.assertIn(b"fail_times", result.stdout)
        result = subprocess.run([harness.demo_upstream_bin(), "--nope"], capture_output=True, timeout=10)
        self.assertEqual(result.returncode, 2)
        self.assertIn(b"unknown flag", result.stderr)


if __name__ == "__main__":
    harness.main()
