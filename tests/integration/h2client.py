"""A frame-level HTTP/2 client for the HTTP/2 tests: python3-h2's H2Connection for well-formed
exchanges, and raw frames (hyperframe, hpack) for the malformed and hostile ones. Debian's
python3-h2 and python3-hyperframe."""

import socket
import ssl
import time

import h2.config
import h2.connection
import h2.events
import h2.settings
import hpack
from hyperframe import frame as hf

PREFACE = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"


def connect(port, tls_context=None, server_hostname=None, timeout=5):
    s = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    if tls_context is not None:
        s = tls_context.wrap_socket(s, server_hostname=server_hostname)
    return s


class Exchange:
    """Well-formed traffic through h2's state machine. responses[stream_id] collects
    {"headers": [(name, value)], "body": bytes, "trailers": [...], "ended": bool, "reset": code}."""

    def __init__(self, port, tls_context=None, server_hostname=None, window=None, auto_ack=True, timeout=5):
        self.sock = connect(port, tls_context, server_hostname, timeout)
        self.conn = h2.connection.H2Connection(config=h2.config.H2Configuration(client_side=True,
                                                                               header_encoding="utf-8"))
        self.auto_ack = auto_ack
        self.responses = {}
        self.remote_settings = {}
        self.goaway = None
        self.conn.initiate_connection()
        if window is not None:
            self.conn.update_settings({h2.settings.SettingCodes.INITIAL_WINDOW_SIZE: window})
        self.flush()

    def flush(self):
        data = self.conn.data_to_send()
        if data:
            self.sock.sendall(data)

    def request(self, method, path, authority="h2.example.com", headers=(), body=None, end=True):
        sid = self.conn.get_next_available_stream_id()
        hdrs = [(":method", method), (":scheme", "http"), (":authority", authority), (":path", path), *headers]
        self.conn.send_headers(sid, hdrs, end_stream=body is None and end)
        self.responses[sid] = {"headers": [], "body": b"", "trailers": [], "ended": False, "reset": None}
        if body is not None:
            self.send_body(sid, body, end)
        self.flush()
        return sid

    def send_body(self, sid, body, end=True):
        """Sends as much of `body` as the windows allow, reading (and acknowledging) meanwhile."""
        view = memoryview(body)
        while view:
            room = min(self.conn.local_flow_control_window(sid), self.conn.max_outbound_frame_size, len(view))
            if room <= 0:
                self.pump()
                continue
            self.conn.send_data(sid, view[:room].tobytes())
            view = view[room:]
            self.flush()
        if end:
            self.conn.end_stream(sid)
            self.flush()

    def pump(self, timeout=5):
        """Reads once and handles the events; False when the connection closed."""
        self.sock.settimeout(timeout)
        data = self.sock.recv(65536)
        if not data:
            return False
        for ev in self.conn.receive_data(data):
            self.handle(ev)
        self.flush()
        return True

    def handle(self, ev):
        r = self.responses.get(getattr(ev, "stream_id", None))
        if isinstance(ev, h2.events.ResponseReceived):
            r["headers"] = ev.headers
        elif isinstance(ev, h2.events.InformationalResponseReceived):
            r.setdefault("informational", []).append(ev.headers)
        elif isinstance(ev, h2.events.DataReceived):
            r["body"] += ev.data
            if self.auto_ack:
                self.conn.acknowledge_received_data(ev.flow_controlled_length, ev.stream_id)
            else:  # the connection window only: the stream's stays shut
                self.conn.increment_flow_control_window(ev.flow_controlled_length)
        elif isinstance(ev, h2.events.TrailersReceived):
            r["trailers"] = ev.headers
        elif isinstance(ev, h2.events.StreamEnded):
            r["ended"] = True
        elif isinstance(ev, h2.events.StreamReset):
            if r is not None:
                r["reset"] = ev.error_code
        elif isinstance(ev, h2.events.RemoteSettingsChanged):
            for code, change in ev.changed_settings.items():
                self.remote_settings[int(code)] = change.new_value
        elif isinstance(ev, h2.events.ConnectionTerminated):
            self.goaway = ev.error_code

    def wait(self, sids, timeout=10):
        deadline = time.monotonic() + timeout
        while not all(self.responses[s]["ended"] or self.responses[s]["reset"] is not None for s in sids):
            if time.monotonic() > deadline:
                raise TimeoutError(f"streams {sids} unfinished")
            if not self.pump():
                break
        return [self.responses[s] for s in sids]

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass


def status(resp):
    return int(dict(resp["headers"])[":status"])


class RawConnection:
    """Hand-built frames. Sends the preface and an empty SETTINGS, reads frames until told."""

    def __init__(self, port, tls_context=None, server_hostname=None, settings=True, timeout=5):
        self.sock = connect(port, tls_context, server_hostname, timeout)
        self.encoder = hpack.Encoder()
        self.buf = b""
        if settings:
            self.sock.sendall(PREFACE + hf.SettingsFrame(0).serialize())

    def send(self, *frames):
        self.sock.sendall(b"".join(f.serialize() if isinstance(f, hf.Frame) else f for f in frames))

    def headers_block(self, path="/", method="GET", authority="h2.example.com", extra=()):
        return self.encoder.encode([(":method", method), (":scheme", "http"), (":authority", authority),
                                    (":path", path), *extra])

    def headers(self, sid, block=None, flags=("END_HEADERS", "END_STREAM")):
        f = hf.HeadersFrame(sid)
        f.data = self.headers_block() if block is None else block
        f.flags = set(flags)
        return f

    def read_frame(self, timeout=5):
        """Next frame, or None when the connection closed (or timed out)."""
        self.sock.settimeout(timeout)
        try:
            while len(self.buf) < 9:
                chunk = self.sock.recv(65536)
                if not chunk:
                    return None
                self.buf += chunk
            f, length = hf.Frame.parse_frame_header(memoryview(self.buf[:9]))
            while len(self.buf) < 9 + length:
                chunk = self.sock.recv(65536)
                if not chunk:
                    return None
                self.buf += chunk
            f.parse_body(memoryview(self.buf[9:9 + length]))
            self.buf = self.buf[9 + length:]
            return f
        except (socket.timeout, ConnectionResetError, ssl.SSLError, OSError):
            return None

    def expect(self, predicate, timeout=5):
        """Reads frames until predicate(frame) holds (returns it) or the connection closes (None)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            f = self.read_frame(timeout=max(0.05, deadline - time.monotonic()))
            if f is None:
                return None
            if predicate(f):
                return f
        return None

    def goaway(self, timeout=5):
        """The GOAWAY frame the server sent, or None if it closed (or stayed silent) without one."""
        return self.expect(lambda f: isinstance(f, hf.GoAwayFrame), timeout)

    def closed(self, timeout=5):
        """True once the server closed the connection (after anything it sent)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.read_frame(timeout=max(0.05, deadline - time.monotonic())) is None:
                return True
        return False

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass


# RFC 9113 section 7 error codes.
NO_ERROR, PROTOCOL_ERROR, INTERNAL_ERROR, FLOW_CONTROL_ERROR = 0x0, 0x1, 0x2, 0x3
STREAM_CLOSED, FRAME_SIZE_ERROR, REFUSED_STREAM, CANCEL, COMPRESSION_ERROR = 0x5, 0x6, 0x7, 0x8, 0x9
ENHANCE_YOUR_CALM = 0xb
