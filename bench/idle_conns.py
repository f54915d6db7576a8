#!/usr/bin/env python3
"""Opens N keep-alive connections to HOST:PORT, sends one GET on each, reads its response and keeps
the connection open, idle. Prints "READY <ok> <failed>" once every connection has its response (or
failed), then holds the connections until stdin closes or SIGTERM arrives.

Scenario (e) of bench/bench.py: the proxy's RSS is read while these connections sit idle.
Connections are opened in waves of --wave, so the proxy is never asked for more than --wave
concurrent requests (and upstream connections).
"""
import argparse
import selectors
import signal
import socket
import sys
import time


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("port", type=int)
    ap.add_argument("-n", type=int, default=10000)
    ap.add_argument("--host-header", default="localhost")
    ap.add_argument("--wave", type=int, default=200)
    ap.add_argument("--timeout", type=float, default=60.0, help="give up on the whole set after this many seconds")
    args = ap.parse_args()

    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    request = f"GET / HTTP/1.1\r\nHost: {args.host_header}\r\nUser-Agent: idle-conns\r\n\r\n".encode()
    sel = selectors.DefaultSelector()
    kept: list[socket.socket] = []
    ok = failed = 0
    deadline = time.monotonic() + args.timeout

    opened = 0
    while opened < args.n and time.monotonic() < deadline:
        wave = min(args.wave, args.n - opened)
        pending: dict[int, tuple[socket.socket, bytearray]] = {}
        for _ in range(wave):
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            try:
                s.connect(("127.0.0.1", args.port))
                s.sendall(request)
            except OSError:
                s.close()
                failed += 1
                continue
            s.setblocking(False)
            sel.register(s, selectors.EVENT_READ)
            pending[s.fileno()] = (s, bytearray())
        opened += wave
        while pending and time.monotonic() < deadline:
            for key, _ in sel.select(timeout=1.0):
                s, buf = pending[key.fd]
                try:
                    chunk = s.recv(65536)
                except BlockingIOError:
                    continue
                except OSError:
                    chunk = b""
                if not chunk:
                    sel.unregister(s)
                    s.close()
                    del pending[key.fd]
                    failed += 1
                    continue
                buf += chunk
                head_end = buf.find(b"\r\n\r\n")
                if head_end < 0:
                    continue
                head = bytes(buf[:head_end]).lower()
                length = 0
                for line in head.split(b"\r\n"):
                    if line.startswith(b"content-length:"):
                        length = int(line.split(b":", 1)[1])
                if len(buf) - head_end - 4 >= length:
                    sel.unregister(s)
                    del pending[key.fd]
                    if head.startswith(b"http/1.1 200"):
                        ok += 1
                        kept.append(s)
                    else:
                        failed += 1
                        s.close()
        for s, _ in pending.values():
            sel.unregister(s)
            s.close()
            failed += 1

    print(f"READY {ok} {failed}", flush=True)
    try:
        sys.stdin.read()  # hold until the parent closes our stdin
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
