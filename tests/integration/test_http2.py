"""HTTP/2 at the gateway with real clients: h2c with prior knowledge and HTTP/1.1 on one port, h2
over TLS by ALPN (curl, nghttp, Python ssl + h2), many streams on one connection, request and
response bodies under flow control, a slow stream that stalls nobody, a frame-level conformance
set organised like h2spec's sections, and one test per HTTP/2 abuse case (each ends only the
offending connection, with GOAWAY, while the gateway keeps serving)."""

import json
import os
import shutil
import socket
import ssl
import subprocess
import sys
import tempfile
import threading
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gwtest  # noqa: E402
import h2client  # noqa: E402
import harness  # noqa: E402
from h2client import hf  # noqa: E402
from test_gateway_tls import Pki  # noqa: E402


def gateway_yaml(plain, tls):
    return f"""
apiVersion: networking.istio.io/v1
kind: Gateway
metadata: {{name: edge, namespace: default}}
spec:
  selector: {{istio: ingressgateway}}
  servers:
  - port: {{number: {plain}, name: http, protocol: HTTP}}
    hosts: ["*"]
  - port: {{number: {tls}, name: https, protocol: HTTPS}}
    hosts: ["*"]
    tls: {{mode: SIMPLE, serverCertificate: srv.crt, privateKey: srv.key}}
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {{name: echo, namespace: default}}
spec:
  hosts: ["*"]
  gateways: [edge]
  http:
  - match: [{{uri: {{prefix: /direct}}}}]
    directResponse: {{status: 200, body: {{string: "direct answer"}}}}
  - match: [{{uri: {{prefix: /nowhere}}}}]
    route:
    - destination: {{host: nowhere.example.internal}}
  - match: [{{uri: {{prefix: /grpc.Fault/}}}}]
    fault: {{abort: {{grpcStatus: UNAVAILABLE, percentage: {{value: 100}}}}}}
    route:
    - destination: {{host: echo}}
  - route:
    - destination: {{host: echo}}
---
apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: {{name: nowhere, namespace: default}}
spec:
  hosts: [nowhere.example.internal]
  location: MESH_EXTERNAL
  resolution: STATIC
  ports: [{{number: 80, name: http, protocol: HTTP}}]
  endpoints: []
"""


class Http2Test(unittest.TestCase):
    MAX_STREAMS = 50

    @classmethod
    def setUpClass(cls):
        cls.d = tempfile.mkdtemp(prefix="sy-h2-")
        pki = Pki(cls.d, "ca")
        cls.ca = pki.ca
        cert, key = pki.issue("h2.example.com", "DNS:h2.example.com")
        conf = os.path.join(cls.d, "conf")
        os.mkdir(conf)
        shutil.copy(cert, os.path.join(conf, "srv.crt"))
        shutil.copy(key, os.path.join(conf, "srv.key"))
        cls.up = harness.start_upstream("echo", "v1", threads=2)
        cls.plain, cls.tls = harness.free_port(), harness.free_port()
        with open(os.path.join(conf, "config.yaml"), "w") as f:
            f.write(gateway_yaml(cls.plain, cls.tls) + "\n---\n" +
                    gwtest.service("echo.default.svc.cluster.local", [gwtest.upstream_endpoint(cls.up)]))
        cls.admin = harness.free_port()
        cls.gw = harness.start_process([harness.switchyard_bin(), "serve", "-c", conf, "--bind", "127.0.0.1",
                                        "--workers", "2", "--admin", f"127.0.0.1:{cls.admin}",
                                        "--header-timeout-ms", "1500",
                                        "--h2-max-concurrent-streams", str(cls.MAX_STREAMS)])
        deadline = time.monotonic() + 15
        for p in (cls.plain, cls.tls):
            while not harness.port_accepts(p):
                if time.monotonic() > deadline or not cls.gw.alive():
                    raise harness.StartError(cls.gw.describe())
                time.sleep(0.05)

    @classmethod
    def tearDownClass(cls):
        cls.gw.stop()
        cls.up.stop()

    def tls_context(self):
        ctx = ssl.create_default_context(cafile=self.ca)
        ctx.set_alpn_protocols(["h2", "http/1.1"])
        return ctx

    def exchange(self, **kw):
        c = h2client.Exchange(self.plain, **kw)
        self.addCleanup(c.close)
        return c

    def assert_still_serving(self):
        """After an abusive connection: a fresh connection is served, and so is HTTP/1.1."""
        self.assertTrue(self.gw.alive(), self.gw.describe())
        c = self.exchange()
        try:
            (r,) = c.wait([c.request("GET", "/direct")])
            self.assertEqual(200, h2client.status(r))
        finally:
            c.close()
        status, _, _ = harness.http("GET", f"http://127.0.0.1:{self.plain}/direct")
        self.assertEqual(200, status)

    # --- Real clients -----------------------------------------------------------------------

    def test_curl_h2c_prior_knowledge_reaches_http1_upstream(self):
        """curl --http2-prior-knowledge: the request is proxied to an HTTP/1.1 upstream with its authority as Host."""
        out = subprocess.run(["curl", "-s", "--http2-prior-knowledge", "-H", "x-probe: 1", "-w", "\n%{http_version}",
                              f"http://127.0.0.1:{self.plain}/echo?q=1", "-H", "Host: h2.example.com"],
                             capture_output=True, text=True, timeout=20)
        body, _, version = out.stdout.rpartition("\n")
        self.assertEqual("2", version)
        echo = json.loads(body)
        self.assertEqual("/echo", echo["path"])
        self.assertEqual("h2.example.com", echo["headers"]["host"])
        self.assertEqual("1", echo["headers"]["x-probe"])
        self.assertEqual("http", echo["headers"]["x-forwarded-proto"])

    def test_preface_sent_after_the_connection_parked(self):
        """A client that waits 200 ms before its preface (the idle connection has parked by then) still gets HTTP/2."""
        c = h2client.RawConnection(self.plain, settings=False)
        self.addCleanup(c.close)
        time.sleep(0.2)
        c.send(h2client.PREFACE + hf.SettingsFrame(0).serialize(), c.headers(1, c.headers_block("/direct")))
        f = c.expect(lambda f: isinstance(f, hf.HeadersFrame) and f.stream_id == 1)
        self.assertIsNotNone(f, "no HTTP/2 response")

    def test_http1_still_served_on_the_same_port(self):
        """HTTP/1.1 and h2c share a plaintext port: a request starting with anything but the preface is HTTP/1.1."""
        status, headers, body = harness.http("GET", f"http://127.0.0.1:{self.plain}/direct")
        self.assertEqual((200, b"direct answer"), (status, body))

    def test_h2_over_tls_by_alpn_with_curl_and_nghttp(self):
        """HTTPS offers h2 by ALPN: curl --http2 and nghttp get HTTP/2; a client offering only http/1.1 gets HTTP/1.1."""
        url = f"https://h2.example.com:{self.tls}/direct"
        resolve = f"h2.example.com:{self.tls}:127.0.0.1"
        out = subprocess.run(["curl", "-s", "--http2", "--cacert", self.ca, "--resolve", resolve, "-w",
                              "|%{http_version}", url], capture_output=True, text=True, timeout=20)
        self.assertEqual("direct answer|2", out.stdout)
        out = subprocess.run(["curl", "-s", "--http1.1", "--cacert", self.ca, "--resolve", resolve, "-w",
                              "|%{http_version}", url], capture_output=True, text=True, timeout=20)
        self.assertEqual("direct answer|1.1", out.stdout)
        if shutil.which("nghttp"):
            out = subprocess.run(["nghttp", "-v", f"https://127.0.0.1:{self.tls}/direct"], capture_output=True,
                                 text=True, timeout=20)
            self.assertIn("The negotiated protocol: h2", out.stdout)
            self.assertIn(":status: 200", out.stdout)

    def test_h2_over_tls_sets_forwarded_proto_https(self):
        """Over TLS the upstream sees x-forwarded-proto https, as on HTTP/1.1 over TLS."""
        c = h2client.Exchange(self.tls, tls_context=self.tls_context(), server_hostname="h2.example.com")
        try:
            self.assertEqual("h2", c.sock.selected_alpn_protocol())
            (r,) = c.wait([c.request("GET", "/echo")])
            echo = json.loads(r["body"])
            self.assertEqual("https", echo["headers"]["x-forwarded-proto"])
        finally:
            c.close()

    def test_many_streams_on_one_connection(self):
        """Forty concurrent streams on one connection each get their own upstream response."""
        c = self.exchange()
        try:
            sids = [c.request("GET", f"/s{i}?delay=20") for i in range(40)]
            responses = c.wait(sids, timeout=20)
            for i, r in enumerate(responses):
                self.assertEqual(200, h2client.status(r))
                self.assertEqual(f"/s{i}", json.loads(r["body"])["path"])
        finally:
            c.close()

    def test_settings_advertise_limits(self):
        """SETTINGS carry --h2-max-concurrent-streams, a 64 KiB stream window and the header list limit."""
        c = self.exchange()
        try:
            c.wait([c.request("GET", "/direct")])
            self.assertEqual(self.MAX_STREAMS, c.remote_settings.get(0x3))
            self.assertEqual(65536, c.remote_settings.get(0x4))
            self.assertEqual(60 * 1024, c.remote_settings.get(0x6))
        finally:
            c.close()

    def test_request_body_streams_upstream_under_flow_control(self):
        """A 3 MiB upload passes the 64 KiB stream window, window by window, and reaches the upstream whole."""
        body = os.urandom(3 << 20)
        c = self.exchange()
        try:
            sid = c.request("POST", "/upload", body=body, headers=[("content-length", str(len(body)))])
            (r,) = c.wait([sid], timeout=30)
            self.assertEqual(200, h2client.status(r))
            self.assertEqual(len(body), json.loads(r["body"])["body_bytes"])
        finally:
            c.close()

    def test_upload_without_content_length_is_chunked_upstream(self):
        """A body without content-length (DATA until END_STREAM) reaches the HTTP/1.1 upstream whole."""
        body = os.urandom(200_000)
        c = self.exchange()
        try:
            (r,) = c.wait([c.request("POST", "/upload", body=body)], timeout=30)
            self.assertEqual(len(body), json.loads(r["body"])["body_bytes"])
        finally:
            c.close()

    def test_large_response_with_small_client_window(self):
        """A 4 MiB response reaches a client that opens a 16 KiB window at a time, byte for byte."""
        c = self.exchange(window=16384)
        try:
            (r,) = c.wait([c.request("GET", "/big?size=4194304")], timeout=30)
            self.assertEqual(200, h2client.status(r))
            self.assertEqual(4 << 20, len(r["body"]))
        finally:
            c.close()

    def test_slow_stream_does_not_stall_its_connection(self):
        """A stream whose client never opens its window leaves the other streams of its connection flowing."""
        c = self.exchange(auto_ack=False)
        try:
            stalled = c.request("GET", "/big?size=8388608")
            deadline = time.monotonic() + 5
            while len(c.responses[stalled]["body"]) < 65535 and time.monotonic() < deadline:
                c.pump()
            self.assertEqual(65535, len(c.responses[stalled]["body"]))  # its window, then nothing
            c.auto_ack = True
            quick = [c.request("GET", f"/quick{i}") for i in range(5)]
            for r in c.wait(quick, timeout=10):
                self.assertEqual(200, h2client.status(r))
            self.assertFalse(c.responses[stalled]["ended"])
        finally:
            c.close()

    def test_cookie_crumbs_are_joined_for_http1_upstream(self):
        """Cookie split into crumbs (RFC 9113 section 8.2.3) reaches the HTTP/1.1 upstream as one field."""
        c = self.exchange()
        try:
            (r,) = c.wait([c.request("GET", "/c", headers=[("cookie", "a=1"), ("cookie", "b=2")])])
            self.assertEqual("a=1; b=2", json.loads(r["body"])["headers"]["cookie"])
        finally:
            c.close()

    def test_head_and_local_replies(self):
        """HEAD gets headers only; a direct response carries content-length; upstream status passes through."""
        c = self.exchange()
        try:
            head, direct, missing = c.wait([c.request("HEAD", "/x?size=1000"), c.request("GET", "/direct"),
                                            c.request("GET", "/x?status=404")])
            self.assertEqual((200, b""), (h2client.status(head), head["body"]))
            self.assertEqual("1000", dict(head["headers"]).get("content-length"))
            self.assertEqual("13", dict(direct["headers"])["content-length"])
            self.assertEqual(b"direct answer", direct["body"])
            self.assertEqual(404, h2client.status(missing))
        finally:
            c.close()

    def test_client_reset_frees_the_stream(self):
        """A client that resets a slow request gets no answer on it and keeps using the connection."""
        c = self.exchange()
        try:
            slow = c.request("GET", "/slow?delay=2000")
            c.conn.reset_stream(slow)
            c.flush()
            (r,) = c.wait([c.request("GET", "/direct")])
            self.assertEqual(200, h2client.status(r))
        finally:
            c.close()

    # --- gRPC at the edge ---------------------------------------------------------------------

    GRPC = [("content-type", "application/grpc"), ("te", "trailers")]

    def test_grpc_local_reply_is_trailers_only(self):
        """A gRPC client's local reply (503 UH) is HTTP 200 with grpc-status 14 and the reason in grpc-message."""
        c = self.exchange()
        (r,) = c.wait([c.request("POST", "/nowhere/Svc/Call", headers=self.GRPC, body=b"\0\0\0\0\0")])
        h = dict(r["headers"])
        self.assertEqual("200", h[":status"])
        self.assertEqual("application/grpc", h["content-type"])
        self.assertEqual("14", h["grpc-status"])
        self.assertEqual("no healthy upstream", h["grpc-message"])
        self.assertEqual(b"", r["body"])

    def test_grpc_unrouted_and_plain_clients(self):
        """The same failure to a client that is not gRPC stays an HTTP 503 with a body."""
        c = self.exchange()
        (r,) = c.wait([c.request("GET", "/nowhere/x")])
        self.assertEqual(503, h2client.status(r))
        self.assertNotIn("grpc-status", dict(r["headers"]))

    def test_grpc_fault_abort_and_metrics(self):
        """fault.abort.grpcStatus UNAVAILABLE answers grpc-status 14; istio_requests_total says request_protocol grpc."""
        c = self.exchange()
        (r,) = c.wait([c.request("POST", "/grpc.Fault/Call", headers=self.GRPC, body=b"\0\0\0\0\0")])
        h = dict(r["headers"])
        self.assertEqual(("200", "14"), (h[":status"], h["grpc-status"]))
        (r,) = c.wait([c.request("POST", "/nowhere/Svc/Call", headers=self.GRPC, body=b"\0\0\0\0\0")])
        status, _, body = harness.http("GET", f"http://127.0.0.1:{self.admin}/stats/prometheus")
        self.assertEqual(200, status)
        lines = [l for l in body.decode().splitlines() if l.startswith("istio_requests_total{")]
        grpc = [l for l in lines if 'request_protocol="grpc"' in l]
        self.assertTrue(any('grpc_response_status="14"' in l and 'response_code="200"' in l for l in grpc), grpc)
        self.assertTrue(any('request_protocol="http"' in l and 'grpc_response_status=""' in l for l in lines), lines)

    # --- Conformance, by h2spec section --------------------------------------------------------

    def raw(self):
        c = h2client.RawConnection(self.plain)
        self.addCleanup(c.close)
        return c

    def assert_connection_error(self, conn, code):
        g = conn.goaway()
        self.assertIsNotNone(g, "expected GOAWAY")
        self.assertEqual(code, g.error_code)
        self.assertTrue(conn.closed())

    def assert_stream_error(self, conn, sid, codes=(h2client.PROTOCOL_ERROR,)):
        f = conn.expect(lambda f: (isinstance(f, hf.RstStreamFrame) and f.stream_id == sid) or
                        isinstance(f, hf.GoAwayFrame))
        self.assertIsNotNone(f, "expected RST_STREAM or GOAWAY")
        self.assertIn(f.error_code, codes)

    def test_3_5_invalid_preface_after_alpn_h2(self):
        """3.5: a connection that negotiated h2 but sends a wrong preface is closed (GOAWAY or close)."""
        c = h2client.RawConnection(self.tls, tls_context=self.tls_context(), server_hostname="h2.example.com",
                                   settings=False)
        self.addCleanup(c.close)
        c.send(b"PRI * HTTP/2.0\r\n\r\nXX\r\n\r\n")
        self.assertTrue(c.closed())

    def test_4_2_data_frame_over_max_frame_size(self):
        """4.2: a DATA frame larger than SETTINGS_MAX_FRAME_SIZE is a FRAME_SIZE_ERROR."""
        c = self.raw()
        c.send(c.headers(1, flags=("END_HEADERS",)))
        d = hf.DataFrame(1)
        d.data = b"x" * 16385
        c.send(d)
        self.assert_connection_error(c, h2client.FRAME_SIZE_ERROR)

    def test_5_1_data_on_idle_stream(self):
        """5.1: DATA on an idle stream is a connection error PROTOCOL_ERROR."""
        c = self.raw()
        d = hf.DataFrame(1)
        d.data = b"x"
        c.send(d)
        self.assert_connection_error(c, h2client.PROTOCOL_ERROR)

    def test_5_1_1_even_stream_id(self):
        """5.1.1: a client stream with an even identifier is a PROTOCOL_ERROR."""
        c = self.raw()
        c.send(c.headers(2))
        self.assert_connection_error(c, h2client.PROTOCOL_ERROR)

    def test_5_1_2_streams_beyond_the_advertised_limit_are_refused(self):
        """5.1.2: streams beyond SETTINGS_MAX_CONCURRENT_STREAMS are refused (RST_STREAM), not served."""
        c = self.raw()
        c.expect(lambda f: isinstance(f, hf.SettingsFrame) and "ACK" not in f.flags)
        c.send(hf.SettingsFrame(0, flags=["ACK"]))
        frames = [c.headers(1 + 2 * i, c.headers_block(f"/slow?delay=1500&i={i}")) for i in range(self.MAX_STREAMS + 1)]
        c.send(*frames)
        last = 1 + 2 * self.MAX_STREAMS
        self.assert_stream_error(c, last, (h2client.REFUSED_STREAM, h2client.PROTOCOL_ERROR))

    def test_6_5_settings_ack_with_payload(self):
        """6.5: SETTINGS with ACK and a payload is a FRAME_SIZE_ERROR."""
        c = self.raw()
        c.send(b"\x00\x00\x06\x04\x01\x00\x00\x00\x00" + b"\x00\x03\x00\x00\x00\x64")
        self.assert_connection_error(c, h2client.FRAME_SIZE_ERROR)

    def test_6_7_ping_is_acknowledged(self):
        """6.7: PING is answered with PING ACK carrying the same payload."""
        c = self.raw()
        c.send(hf.PingFrame(0, opaque_data=b"12345678"))
        f = c.expect(lambda f: isinstance(f, hf.PingFrame))
        self.assertIn("ACK", f.flags)
        self.assertEqual(b"12345678", f.opaque_data)

    def test_6_9_window_update_of_zero(self):
        """6.9: a connection WINDOW_UPDATE with increment 0 is a PROTOCOL_ERROR."""
        c = self.raw()
        c.send(b"\x00\x00\x04\x08\x00\x00\x00\x00\x00" + b"\x00\x00\x00\x00")
        self.assert_connection_error(c, h2client.PROTOCOL_ERROR)

    def test_6_9_1_window_overflow(self):
        """6.9.1: a WINDOW_UPDATE that takes the connection window past 2^31-1 is a FLOW_CONTROL_ERROR."""
        c = self.raw()
        c.send(hf.WindowUpdateFrame(0, window_increment=0x7FFFFFFF))
        self.assert_connection_error(c, h2client.FLOW_CONTROL_ERROR)

    def test_6_10_continuation_without_headers(self):
        """6.10: CONTINUATION not preceded by HEADERS is a PROTOCOL_ERROR."""
        c = self.raw()
        f = hf.ContinuationFrame(1)
        f.data = c.headers_block()
        f.flags = {"END_HEADERS"}
        c.send(f)
        self.assert_connection_error(c, h2client.PROTOCOL_ERROR)

    def test_4_3_hpack_invalid_index(self):
        """4.3 / HPACK 2.3.3: an index beyond both tables is a COMPRESSION_ERROR."""
        c = self.raw()
        c.send(c.headers(1, block=b"\xff\x7f" + b"\x82\x86\x84"))
        self.assert_connection_error(c, h2client.COMPRESSION_ERROR)

    def test_8_1_2_uppercase_header_name(self):
        """8.1.2: an uppercase field name makes the request malformed: RST_STREAM PROTOCOL_ERROR."""
        c = self.raw()
        c.send(c.headers(1, c.headers_block(extra=[("X-Upper", "1")])))
        self.assert_stream_error(c, 1)

    def test_8_1_2_2_connection_specific_field(self):
        """8.1.2.2: a connection-specific field (connection: keep-alive) makes the request malformed."""
        c = self.raw()
        c.send(c.headers(1, c.headers_block(extra=[("connection", "keep-alive")])))
        self.assert_stream_error(c, 1)

    def test_8_1_2_3_missing_method(self):
        """8.1.2.3: a request without :method is malformed."""
        c = self.raw()
        block = c.encoder.encode([(":scheme", "http"), (":authority", "h2.example.com"), (":path", "/")])
        c.send(c.headers(1, block))
        self.assert_stream_error(c, 1)

    def test_8_1_2_6_content_length_mismatch(self):
        """8.1.2.6: DATA that disagrees with content-length makes the request malformed."""
        c = self.raw()
        c.send(c.headers(1, c.headers_block(method="POST", extra=[("content-length", "10")]), flags=("END_HEADERS",)))
        d = hf.DataFrame(1)
        d.data = b"abc"
        d.flags = {"END_STREAM"}
        c.send(d)
        self.assert_stream_error(c, 1)

    # --- Abuse ------------------------------------------------------------------------------

    def test_abuse_rapid_reset(self):
        """Rapid reset (CVE-2023-44487): streams opened and reset at once end the connection with GOAWAY."""
        c = self.raw()
        frames = []
        for i in range(700):
            sid = 1 + 2 * i
            frames.append(c.headers(sid, c.headers_block(f"/slow?delay=500&i={i}")))
            frames.append(hf.RstStreamFrame(sid, error_code=h2client.CANCEL))
        try:
            c.send(*frames)
        except OSError:
            pass
        self.assert_connection_error(c, h2client.ENHANCE_YOUR_CALM)
        self.assert_still_serving()

    def test_abuse_continuation_flood(self):
        """CONTINUATION flood (VU#421644): a header block that never ends is cut off with GOAWAY."""
        c = self.raw()
        c.send(c.headers(1, flags=()))
        chunk = hf.ContinuationFrame(1)
        chunk.data = c.encoder.encode([("x-filler", "y" * 4000)])
        try:
            for _ in range(200):
                c.send(chunk)
        except OSError:
            pass
        g = c.goaway()
        self.assertIsNotNone(g)
        self.assertIn(g.error_code, (h2client.ENHANCE_YOUR_CALM, h2client.PROTOCOL_ERROR))
        self.assert_still_serving()

    def test_abuse_header_list_too_large(self):
        """A header list over 60 KiB ends the connection with GOAWAY."""
        c = self.raw()
        block = c.headers_block(extra=[(f"x-big-{i}", "v" * 4000) for i in range(20)])
        pieces = [block[i:i + 16384] for i in range(0, len(block), 16384)]
        frames = [c.headers(1, pieces[0], flags=("END_STREAM",))]
        for k, piece in enumerate(pieces[1:], 1):
            f = hf.ContinuationFrame(1)
            f.data = piece
            f.flags = {"END_HEADERS"} if k == len(pieces) - 1 else set()
            frames.append(f)
        c.send(*frames)
        self.assert_connection_error(c, h2client.ENHANCE_YOUR_CALM)
        self.assert_still_serving()

    def test_abuse_too_many_header_fields(self):
        """A header list of more than 100 fields ends the connection with GOAWAY."""
        c = self.raw()
        c.send(c.headers(1, c.headers_block(extra=[(f"x-f{i}", "1") for i in range(120)])))
        self.assert_connection_error(c, h2client.ENHANCE_YOUR_CALM)
        self.assert_still_serving()

    def test_abuse_empty_data_frames(self):
        """Empty DATA frames without END_STREAM, in a row, end the connection with GOAWAY."""
        c = self.raw()
        c.send(c.headers(1, c.headers_block(method="POST"), flags=("END_HEADERS",)))
        c.send(*[hf.DataFrame(1) for _ in range(5)])
        self.assert_connection_error(c, h2client.ENHANCE_YOUR_CALM)
        self.assert_still_serving()

    def test_abuse_priority_flood(self):
        """PRIORITY frames beyond 100 per stream end the connection with GOAWAY."""
        c = self.raw()
        try:
            c.send(*[hf.PriorityFrame(1 + 2 * (i % 50), depends_on=0, stream_weight=16) for i in range(300)])
        except OSError:
            pass
        self.assert_connection_error(c, h2client.ENHANCE_YOUR_CALM)
        self.assert_still_serving()

    def test_abuse_window_update_flood(self):
        """WINDOW_UPDATE frames far beyond what the data sent could need end the connection with GOAWAY."""
        c = self.raw()
        try:
            c.send(*[hf.WindowUpdateFrame(0, window_increment=1) for _ in range(100)])
        except OSError:
            pass
        self.assert_connection_error(c, h2client.ENHANCE_YOUR_CALM)
        self.assert_still_serving()

    def test_abuse_ping_and_settings_flood_from_a_client_that_does_not_read(self):
        """PING and SETTINGS floods from a client that never reads its ACKs are cut off; memory stays bounded."""
        for frame in (hf.PingFrame(0, opaque_data=b"abcdefgh"), hf.SettingsFrame(0)):
            c = self.raw()
            c.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
            payload = frame.serialize() * 2000
            closed = False
            try:
                for _ in range(100):
                    c.sock.sendall(payload)
            except OSError:
                closed = True
            if not closed:
                c.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 20)
                self.assertTrue(c.closed(timeout=10))
            c.close()
        self.assert_still_serving()

    def test_abuse_header_block_that_never_ends(self):
        """Slowloris over HTTP/2: a header block left open past the header timeout closes the connection."""
        c = self.raw()
        c.send(c.headers(1, flags=()))  # no END_HEADERS, and nothing more
        start = time.monotonic()
        self.assertTrue(c.closed(timeout=10))
        self.assertLess(time.monotonic() - start, 5)
        self.assert_still_serving()

    def test_abuse_leaves_other_connections_alone(self):
        """While one connection is cut off for abuse, a stream on another connection completes."""
        other = self.exchange()
        try:
            slow = other.request("GET", "/slow?delay=600")
            bad = self.raw()
            bad.send(*[hf.DataFrame(1) for _ in range(3)])
            self.assertIsNotNone(bad.goaway())
            (r,) = other.wait([slow])
            self.assertEqual(200, h2client.status(r))
        finally:
            other.close()

    def test_concurrent_clients(self):
        """Eight h2c connections with ten streams each, at once, all answered."""
        errors = []

        def run():
            try:
                c = self.exchange()
                try:
                    for r in c.wait([c.request("GET", f"/p{i}") for i in range(10)], timeout=20):
                        if h2client.status(r) != 200:
                            errors.append(h2client.status(r))
                finally:
                    c.close()
            except Exception as e:  # noqa: BLE001
                errors.append(repr(e))

        threads = [threading.Thread(target=run) for _ in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        self.assertEqual([], errors)


if __name__ == "__main__":
    harness.main()
