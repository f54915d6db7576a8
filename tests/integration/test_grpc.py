"""gRPC end to end with real grpcio clients and servers: the gateway speaks h2c to clients and
HTTP/2 to a ServiceEntry port of protocol GRPC (plaintext, and TLS with ALPN h2), keeps trailers,
streams server-streaming responses, retries on `unavailable`, caps grpc-timeout with the route
timeout, multiplexes requests over few upstream connections, and reports request_protocol grpc
with the status read from trailers."""

import os
import shutil
import socket
import sys
import tempfile
import threading
import time
import unittest

import grpc

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from test_gateway_tls import Pki  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))


def config(gw_port, plain_port, tls_port, second_port):
    return f"""
apiVersion: networking.istio.io/v1
kind: Gateway
metadata: {{name: gw, namespace: default}}
spec:
  selector: {{istio: ingressgateway}}
  servers:
  - port: {{number: {gw_port}, name: grpc, protocol: GRPC}}
    hosts: ["*"]
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {{name: echo, namespace: default}}
spec:
  hosts: ["plain.example.com"]
  gateways: [gw]
  http:
  - match: [{{headers: {{x-fault: {{exact: "1"}}}}}}]
    fault: {{abort: {{grpcStatus: RESOURCE_EXHAUSTED, percentage: {{value: 100}}}}}}
    route:
    - destination: {{host: grpc.plain.internal}}
  - match: [{{uri: {{exact: /test.Echo/Who}}}}]
    route:
    - destination: {{host: grpc.plain.internal}}
      weight: 50
    - destination: {{host: grpc.second.internal}}
      weight: 50
  - match: [{{headers: {{x-short-timeout: {{exact: "1"}}}}}}]
    timeout: 300ms
    route:
    - destination: {{host: grpc.plain.internal}}
  - match: [{{headers: {{x-no-retry: {{exact: "1"}}}}}}]
    retries: {{attempts: 0}}
    route:
    - destination: {{host: grpc.plain.internal}}
  - route:
    - destination: {{host: grpc.plain.internal}}
    retries: {{attempts: 2, retryOn: unavailable}}
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {{name: mirrored, namespace: default}}
spec:
  hosts: ["mirrored.example.com"]
  gateways: [gw]
  http:
  - route:
    - destination: {{host: grpc.plain.internal}}
    mirror: {{host: grpc.second.internal}}
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {{name: echo-tls, namespace: default}}
spec:
  hosts: ["tls.example.com"]
  gateways: [gw]
  http:
  - route:
    - destination: {{host: grpc.tls.internal}}
---
apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: {{name: grpc-plain, namespace: default}}
spec:
  hosts: [grpc.plain.internal]
  location: MESH_EXTERNAL
  resolution: STATIC
  ports: [{{number: 50051, name: grpc, protocol: GRPC, targetPort: {plain_port}}}]
  endpoints: [{{address: 127.0.0.1}}]
---
apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: {{name: grpc-second, namespace: default}}
spec:
  hosts: [grpc.second.internal]
  location: MESH_EXTERNAL
  resolution: STATIC
  ports: [{{number: 50051, name: grpc-port, protocol: GRPC, targetPort: {second_port}}}]
  endpoints: [{{address: 127.0.0.1}}]
---
apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: {{name: grpc-tls, namespace: default}}
spec:
  hosts: [grpc.tls.internal]
  location: MESH_EXTERNAL
  resolution: STATIC
  ports: [{{number: 443, name: grpc, protocol: GRPC, targetPort: {tls_port}}}]
  endpoints: [{{address: 127.0.0.1}}]
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {{name: grpc-tls, namespace: default}}
spec:
  host: grpc.tls.internal
  trafficPolicy:
    tls: {{mode: SIMPLE, caCertificates: ca.crt, sni: grpc.tls.internal}}
"""


def start_grpc_upstream(port, name, *tls):
    return harness.start_process([sys.executable, os.path.join(HERE, "grpc_upstream.py"), str(port), name, *tls],
                                 ready_port=port)


class GrpcTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.d = tempfile.mkdtemp(prefix="sy-grpc-")
        pki = Pki(cls.d, "ca")
        cert, key = pki.issue("grpc.tls.internal", "DNS:grpc.tls.internal")
        conf = os.path.join(cls.d, "conf")
        os.mkdir(conf)
        shutil.copy(pki.ca, os.path.join(conf, "ca.crt"))
        cls.plain_port, cls.tls_port, cls.second_port, cls.port, cls.admin = (harness.free_port() for _ in range(5))
        cls.plain = start_grpc_upstream(cls.plain_port, "first")
        cls.second = start_grpc_upstream(cls.second_port, "second")
        cls.tls = start_grpc_upstream(cls.tls_port, "tls", cert, key)
        with open(os.path.join(conf, "config.yaml"), "w") as f:
            f.write(config(cls.port, cls.plain_port, cls.tls_port, cls.second_port))
        cls.gw = harness.start_process([harness.switchyard_bin(), "serve", "-c", conf, "--bind", "127.0.0.1",
                                        "--workers", "2", "--admin", f"127.0.0.1:{cls.admin}"], ready_port=cls.port)

    @classmethod
    def tearDownClass(cls):
        cls.gw.stop()
        cls.plain.stop()
        cls.second.stop()
        cls.tls.stop()

    def channel(self, authority="plain.example.com"):
        ch = grpc.insecure_channel(f"127.0.0.1:{self.port}", options=[("grpc.default_authority", authority)])
        self.addCleanup(ch.close)
        return ch

    def test_unary_call_keeps_metadata_and_trailers(self):
        """A unary call reaches the HTTP/2 upstream; its headers and trailing metadata come back."""
        call = self.channel().unary_unary("/test.Echo/Say")
        reply, info = call.with_call(b"hello", metadata=[("x-probe", "p1")], timeout=10)
        self.assertEqual(b"echo:hello", reply)
        self.assertIn(("x-trailer", "t1"), tuple(info.trailing_metadata()))
        self.assertIn(("x-probe-seen", "p1"), tuple(info.initial_metadata()))
        self.assertEqual(grpc.StatusCode.OK, info.code())

    def test_server_streaming(self):
        """A server-streaming call's messages all arrive, in order."""
        items = list(self.channel().unary_stream("/test.Echo/Stream")(b"25", timeout=10))
        self.assertEqual([b"item%d" % i for i in range(25)], items)

    def test_client_streaming(self):
        """A client-streaming call: every message the client sends reaches the upstream."""
        reply = self.channel().stream_unary("/test.Echo/Collect")(iter([b"a", b"b", b"c" * 100000]), timeout=10)
        self.assertEqual(b"a,b," + b"c" * 100000, reply)

    def test_bidirectional_streaming(self):
        """A bidirectional call gets each answer while the client is still sending."""
        import queue

        outbox = queue.Queue()

        def requests():
            while True:
                item = outbox.get()
                if item is None:
                    return
                yield item

        call = self.channel().stream_stream("/test.Echo/Chat")(requests(), timeout=10)
        got = []
        for i in range(5):
            outbox.put(b"m%d" % i)
            got.append(next(call))  # answered before the next message is sent
        outbox.put(None)
        self.assertEqual([b"re:m%d" % i for i in range(5)], got)
        self.assertEqual([], list(call))

    def test_mirror_to_grpc_cluster(self):
        """A mirrored call reaches the mirror's HTTP/2 (gRPC) cluster as well as the primary."""
        key = b"mirror-%d" % time.monotonic_ns()
        self.assertEqual(b"noted", self.channel("mirrored.example.com").unary_unary("/test.Echo/Note")(key, timeout=10))
        direct = {name: grpc.insecure_channel(f"127.0.0.1:{port}")
                  for name, port in (("first", self.plain_port), ("second", self.second_port))}
        for ch in direct.values():
            self.addCleanup(ch.close)
        count = {}
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            count = {n: ch.unary_unary("/test.Echo/Noted")(key, timeout=10) for n, ch in direct.items()}
            if count["second"] == b"1":
                break
            time.sleep(0.05)
        self.assertEqual({"first": b"1", "second": b"1"}, count)

    def grpc_web(self, kind, path, message, host="plain.example.com"):
        """One gRPC-Web call over HTTP/1.1; returns (status, content-type, [(flag, payload)] frames)."""
        import base64
        import http.client
        import struct

        body = b"\0" + struct.pack(">I", len(message)) + message
        if kind == "text":
            body = base64.b64encode(body)
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        conn.request("POST", path, body=body, headers={"Host": host, "x-grpc-web": "1",
                                                       "content-type": f"application/grpc-web{'-text' if kind == 'text' else ''}+proto"})
        resp = conn.getresponse()
        data = resp.read()
        conn.close()
        if kind == "text":
            data = base64.b64decode(data)
        frames = []
        while data:
            flag, n = data[0], struct.unpack(">I", data[1:5])[0]
            frames.append((flag, data[5:5 + n]))
            data = data[5 + n:]
        self.last_grpc_status_header = resp.getheader("grpc-status")
        return resp.status, resp.getheader("content-type"), frames

    def test_grpc_web_binary_and_text(self):
        """gRPC-Web (binary and -text) reaches the gRPC upstream; the reply carries the message, then the trailers as a 0x80 frame."""
        for kind, ct in (("binary", "application/grpc-web+proto"), ("text", "application/grpc-web-text+proto")):
            with self.subTest(kind):
                status, content_type, frames = self.grpc_web(kind, "/test.Echo/Say", b"web")
                self.assertEqual((status, content_type), (200, ct))
                self.assertEqual(frames[0], (0, b"echo:web"))
                self.assertEqual(frames[-1][0], 0x80)
                trailers = dict(line.split(":", 1) for line in frames[-1][1].decode().split("\r\n") if line)
                self.assertEqual(trailers.get("grpc-status"), "0", trailers)
                self.assertEqual(trailers.get("x-trailer"), "t1", trailers)

    def test_grpc_web_error_status(self):
        """A trailers-only answer (UNIMPLEMENTED) keeps grpc-status in the headers, with an empty body, as Envoy sends it."""
        status, content_type, frames = self.grpc_web("binary", "/test.Echo/NoSuchMethod", b"")
        self.assertEqual((status, content_type, frames), (200, "application/grpc-web+proto", []))
        self.assertEqual(self.last_grpc_status_header, "12")

    def test_grpc_web_bad_base64_is_refused(self):
        """A -text body that is not base64 is refused as a malformed body (400), gRPC-shaped as every local reply to a gRPC client: grpc-status INTERNAL."""
        import http.client

        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        conn.request("POST", "/test.Echo/Say", body=b"!!!!", headers={
            "Host": "plain.example.com", "content-type": "application/grpc-web-text"})
        resp = conn.getresponse()
        resp.read()
        conn.close()
        self.assertEqual((resp.status, resp.getheader("content-type"), resp.getheader("grpc-status")),
                         (200, "application/grpc-web-text+proto", "13"))

    def test_fault_abort_grpc_status(self):
        """fault.abort.grpcStatus RESOURCE_EXHAUSTED reaches the client as that status."""
        with self.assertRaises(grpc.RpcError) as err:
            self.channel().unary_unary("/test.Echo/Say")(b"", metadata=[("x-fault", "1")], timeout=10)
        self.assertEqual(grpc.StatusCode.RESOURCE_EXHAUSTED, err.exception.code())

    def test_weighted_split_between_two_grpc_backends(self):
        """A 50/50 split between two gRPC services sends calls to both."""
        who = self.channel().unary_unary("/test.Echo/Who")
        seen = {who(b"", timeout=10) for _ in range(40)}
        self.assertEqual({b"first", b"second"}, seen)

    def test_upstream_status_passes_through(self):
        """A method the upstream does not have is UNIMPLEMENTED, as the upstream said (trailers-only)."""
        with self.assertRaises(grpc.RpcError) as err:
            self.channel().unary_unary("/test.Echo/Missing")(b"", timeout=10)
        self.assertEqual(grpc.StatusCode.UNIMPLEMENTED, err.exception.code())

    def test_retry_on_unavailable(self):
        """retryOn unavailable: a call the upstream fails with UNAVAILABLE once succeeds on the retry."""
        reply = self.channel().unary_unary("/test.Echo/Flaky")(b"retry-key", timeout=10)
        self.assertEqual(b"ok after retry", reply)

    def test_no_retry_when_disabled(self):
        """With retries off the UNAVAILABLE reaches the client, with the upstream's message."""
        with self.assertRaises(grpc.RpcError) as err:
            self.channel().unary_unary("/test.Echo/Flaky")(b"no-retry-key", metadata=[("x-no-retry", "1")],
                                                           timeout=10)
        self.assertEqual(grpc.StatusCode.UNAVAILABLE, err.exception.code())
        self.assertEqual("try again", err.exception.details())

    def test_route_timeout_caps_grpc_timeout(self):
        """A client deadline of 10 s is capped by the route's 300 ms timeout: the gateway answers first."""
        start = time.monotonic()
        with self.assertRaises(grpc.RpcError) as err:
            self.channel().unary_unary("/test.Echo/Slow")(b"3000", metadata=[("x-short-timeout", "1")], timeout=10)
        self.assertLess(time.monotonic() - start, 2.5)
        self.assertEqual(grpc.StatusCode.UNAVAILABLE, err.exception.code())
        self.assertEqual("upstream request timeout", err.exception.details())

    def test_tls_upstream_with_alpn_h2(self):
        """A DestinationRule SIMPLE TLS origination to a gRPC port negotiates h2 and carries the call."""
        reply = self.channel("tls.example.com").unary_unary("/test.Echo/Say")(b"secure", timeout=10)
        self.assertEqual(b"echo:secure", reply)

    def test_concurrent_calls_share_connections(self):
        """Forty concurrent calls over one client connection reach the upstream over at most two connections."""
        slow = self.channel().unary_unary("/test.Echo/Slow")
        results = []
        threads = [threading.Thread(target=lambda: results.append(slow(b"150", timeout=20))) for _ in range(40)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        self.assertEqual([b"slow"] * 40, results)
        peers = int(self.channel().unary_unary("/test.Echo/Peers")(b"", timeout=10))
        self.assertLessEqual(peers, 2)  # at most one connection per worker, whatever ran before

    def test_metrics_say_grpc(self):
        """istio_requests_total counts gRPC calls with request_protocol grpc and the status from trailers."""
        ch = self.channel()
        ch.unary_unary("/test.Echo/Say")(b"m", timeout=10)
        with self.assertRaises(grpc.RpcError):
            ch.unary_unary("/test.Echo/Missing")(b"", timeout=10)
        status, _, body = harness.http("GET", f"http://127.0.0.1:{self.admin}/stats/prometheus")
        self.assertEqual(200, status)
        lines = [l for l in body.decode().splitlines() if l.startswith("istio_requests_total{")]
        grpc_lines = [l for l in lines if 'request_protocol="grpc"' in l]
        self.assertTrue(any('grpc_response_status="0"' in l for l in grpc_lines), grpc_lines)
        self.assertTrue(any('grpc_response_status="12"' in l for l in grpc_lines), grpc_lines)


class SilentH2Upstream(threading.Thread):
    """An h2c upstream that answers its first request, then never writes again (a peer gone
    silent): PINGs get no ACK. `closed_at` is when the gateway closed the connection."""

    def __init__(self):
        super().__init__(daemon=True)
        import h2.config
        import h2.connection

        self.h2c, self.h2conf = h2.connection, h2.config
        self.listener = socket.socket()
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(4)
        self.port = self.listener.getsockname()[1]
        self.answered_at = self.closed_at = None

    def run(self):
        import h2.events

        sock, _ = self.listener.accept()
        conn = self.h2c.H2Connection(config=self.h2conf.H2Configuration(client_side=False))
        conn.initiate_connection()
        sock.sendall(conn.data_to_send())
        silent = False
        while True:
            data = sock.recv(65536)
            if not data:
                self.closed_at = time.monotonic()
                return
            for ev in conn.receive_data(data):
                if isinstance(ev, h2.events.RequestReceived) and not silent:
                    conn.send_headers(ev.stream_id, [(":status", "200"), ("content-type", "application/grpc")])
                    conn.send_data(ev.stream_id, b"\0\0\0\0\0")
                    conn.send_headers(ev.stream_id, [("grpc-status", "0")], end_stream=True)
                    self.answered_at = time.monotonic()
            out = conn.data_to_send()
            if out and not silent:
                sock.sendall(out)
            silent = silent or self.answered_at is not None


class GoawayH2Upstream(threading.Thread):
    """An h2c upstream whose first connection answers its first request with GOAWAY (last stream
    id 0: nothing was processed) and closes; later connections answer 200 and record the request."""

    def __init__(self):
        super().__init__(daemon=True)
        self.listener = socket.socket()
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(8)
        self.port = self.listener.getsockname()[1]
        self.connections = 0
        self.processed = []  # (method, body) of the requests answered

    def run(self):
        while True:
            try:
                sock, _ = self.listener.accept()
            except OSError:
                return
            self.connections += 1
            threading.Thread(target=self.serve, args=(sock, self.connections == 1), daemon=True).start()

    def serve(self, sock, refuse):
        import h2.config
        import h2.connection
        import h2.events

        conn = h2.connection.H2Connection(config=h2.config.H2Configuration(client_side=False))
        conn.initiate_connection()
        sock.sendall(conn.data_to_send())
        bodies = {}
        with sock:
            while True:
                data = sock.recv(65536)
                if not data:
                    return
                for ev in conn.receive_data(data):
                    if isinstance(ev, h2.events.RequestReceived):
                        if refuse:
                            conn.close_connection(error_code=0, last_stream_id=0)
                            sock.sendall(conn.data_to_send())
                            return
                        bodies[ev.stream_id] = [dict(ev.headers).get(b":method", b"").decode(), b""]
                    elif isinstance(ev, h2.events.DataReceived):
                        bodies[ev.stream_id][1] += ev.data
                        conn.acknowledge_received_data(ev.flow_controlled_length, ev.stream_id)
                    elif isinstance(ev, h2.events.StreamEnded):
                        self.processed.append(tuple(bodies.pop(ev.stream_id)))
                        conn.send_headers(ev.stream_id, [(":status", "200"), ("content-length", "2")])
                        conn.send_data(ev.stream_id, b"ok", end_stream=True)
                sock.sendall(conn.data_to_send())


def start_single_upstream_gateway(test, name, upstream_port, protocol, traffic_policy=""):
    """A gateway (one worker, no admin) routing everything to `name`.internal, a ServiceEntry port
    of `protocol` at 127.0.0.1:`upstream_port`, with an optional DestinationRule trafficPolicy
    (YAML at 4 spaces). Returns the gateway's port; it is stopped by the test's cleanup."""
    port = harness.free_port()
    dr = "" if not traffic_policy else f"""
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {{name: {name}, namespace: default}}
spec:
  host: {name}.internal
  trafficPolicy:
{traffic_policy}"""
    d = tempfile.mkdtemp(prefix=f"sy-{name}-")
    with open(os.path.join(d, "config.yaml"), "w") as f:
        f.write(f"""
apiVersion: networking.istio.io/v1
kind: Gateway
metadata: {{name: gw, namespace: default}}
spec:
  selector: {{istio: ingressgateway}}
  servers:
  - port: {{number: {port}, name: grpc, protocol: GRPC}}
    hosts: ["*"]
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {{name: {name}, namespace: default}}
spec:
  hosts: ["*"]
  gateways: [gw]
  http:
  - route:
    - destination: {{host: {name}.internal}}
---
apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: {{name: {name}, namespace: default}}
spec:
  hosts: [{name}.internal]
  location: MESH_EXTERNAL
  resolution: STATIC
  ports: [{{number: 80, name: {protocol.lower()}, protocol: {protocol}, targetPort: {upstream_port}}}]
  endpoints: [{{address: 127.0.0.1}}]
{dr}
""")
    gw = harness.start_process([harness.switchyard_bin(), "serve", "-c", d, "--bind", "127.0.0.1", "--workers", "1",
                                "--admin", "off"], ready_port=port)
    test.addCleanup(gw.stop)
    return port


class GoawayRetryTest(unittest.TestCase):
    def test_stream_above_goaway_last_id_is_retried(self):
        """An upstream's GOAWAY (last stream id 0) refuses a POST it never processed: it is sent again on a new connection, once."""
        up = GoawayH2Upstream()
        up.start()
        self.addCleanup(up.listener.close)
        port = start_single_upstream_gateway(self, "goaway", up.port, "HTTP2")
        status, _, body = harness.http("POST", f"http://127.0.0.1:{port}/submit", body=b"payload")
        self.assertEqual((status, body), (200, b"ok"))
        self.assertEqual(up.processed, [("POST", b"payload")])  # processed exactly once
        self.assertEqual(up.connections, 2)


class MaxConnectionDurationTest(unittest.TestCase):
    def test_old_http2_connection_takes_no_new_stream(self):
        """maxConnectionDuration 1s on a gRPC cluster: a call after the connection's second opens a new one; within it, calls share it."""
        up_port = harness.free_port()
        up = start_grpc_upstream(up_port, "aged")
        self.addCleanup(up.stop)
        port = start_single_upstream_gateway(self, "aged", up_port, "GRPC", """    connectionPool:
      tcp: {maxConnectionDuration: 1s}
""")
        ch = grpc.insecure_channel(f"127.0.0.1:{port}")
        self.addCleanup(ch.close)
        say, peers = ch.unary_unary("/test.Echo/Say"), ch.unary_unary("/test.Echo/Peers")

        def connections_after_a_call():
            say(b"x", timeout=10)  # the upstream counts the connection each Say arrives on
            return peers(b"", timeout=10)

        self.assertEqual(b"1", connections_after_a_call())
        self.assertEqual(b"1", connections_after_a_call())
        time.sleep(1.3)
        self.assertEqual(b"2", connections_after_a_call())


class Http2KeepAliveTest(unittest.TestCase):
    def test_unanswered_ping_closes_the_upstream_connection(self):
        """http2KeepAlive {interval 300ms, timeout 300ms}: an upstream that stops answering is disconnected within a second."""
        up = SilentH2Upstream()
        up.start()
        port = start_single_upstream_gateway(self, "silent", up.port, "GRPC", """    connectionPool:
      http:
        http2KeepAlive: {interval: 300ms, timeout: 300ms}
""")
        ch = grpc.insecure_channel(f"127.0.0.1:{port}")
        self.addCleanup(ch.close)
        self.assertEqual(b"", ch.unary_unary("/x.Y/Z")(b"", timeout=10))
        up.join(timeout=5)
        self.assertIsNotNone(up.closed_at, "the gateway kept a connection whose PINGs go unanswered")
        self.assertLess(up.closed_at - up.answered_at, 1.5)


if __name__ == "__main__":
    harness.main()
