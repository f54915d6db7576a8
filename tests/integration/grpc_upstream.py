"""A gRPC upstream for the gRPC tests (Debian's python3-grpcio, no generated code: raw bytes in
and out). Run as `grpc_upstream.py PORT NAME [CERT KEY]` (TLS when a certificate is given).
Service test.Echo:
  Say(bytes)    -> b"echo:" + request; trailing metadata x-trailer: t1; echoes x-probe as x-probe-seen
  Stream(bytes) -> int(request) messages b"item<i>"
  Flaky(key)    -> UNAVAILABLE on every odd call per key, then b"ok after retry"
  Slow(ms)      -> waits ms milliseconds, then b"slow"
  Peers(b"")    -> how many distinct client connections (peer addresses) called so far
  Who(b"")      -> NAME
  Note(key)     -> b"noted"; Noted(key) -> how many Note calls carried that key (mirroring tests)
  Collect(stream of bytes) -> the messages joined with b","  (client streaming)
  Chat(stream of bytes)    -> each message back as b"re:" + message, as it arrives (bidirectional)
Any other method is UNIMPLEMENTED (gRPC's own answer)."""

import sys
import threading
import time
from concurrent import futures

import grpc

calls = {}
peers = set()
lock = threading.Lock()


def seen(ctx):
    with lock:
        peers.add(ctx.peer())


def say(req, ctx):
    seen(ctx)
    md = dict(ctx.invocation_metadata())
    if "x-probe" in md:
        ctx.send_initial_metadata((("x-probe-seen", md["x-probe"]),))
    ctx.set_trailing_metadata((("x-trailer", "t1"),))
    return b"echo:" + req


def stream(req, ctx):
    seen(ctx)
    for i in range(int(req or b"3")):
        yield b"item%d" % i


def flaky(req, ctx):
    seen(ctx)
    with lock:
        calls[req] = calls.get(req, 0) + 1
        n = calls[req]
    if n % 2 == 1:
        ctx.abort(grpc.StatusCode.UNAVAILABLE, "try again")
    return b"ok after retry"


def slow(req, ctx):
    seen(ctx)
    time.sleep(int(req or b"1000") / 1000)
    return b"slow"


def collect(requests, ctx):
    seen(ctx)
    return b",".join(requests)


def chat(requests, ctx):
    seen(ctx)
    for r in requests:
        yield b"re:" + r


notes = {}


def note(req, ctx):
    with lock:
        notes[req] = notes.get(req, 0) + 1
    return b"noted"


def noted(req, ctx):
    with lock:
        return str(notes.get(req, 0)).encode()


def count_peers(req, ctx):
    with lock:
        return str(len(peers)).encode()


def main():
    handlers = {
        "Say": grpc.unary_unary_rpc_method_handler(say),
        "Stream": grpc.unary_stream_rpc_method_handler(stream),
        "Flaky": grpc.unary_unary_rpc_method_handler(flaky),
        "Slow": grpc.unary_unary_rpc_method_handler(slow),
        "Peers": grpc.unary_unary_rpc_method_handler(count_peers),
        "Who": grpc.unary_unary_rpc_method_handler(lambda req, ctx: sys.argv[2].encode()),
        "Note": grpc.unary_unary_rpc_method_handler(note),
        "Noted": grpc.unary_unary_rpc_method_handler(noted),
        "Collect": grpc.stream_unary_rpc_method_handler(collect),
        "Chat": grpc.stream_stream_rpc_method_handler(chat),
    }
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=64))
    server.add_generic_rpc_handlers((grpc.method_handlers_generic_handler("test.Echo", handlers),))
    address = f"127.0.0.1:{sys.argv[1]}"
    if len(sys.argv) > 4:
        with open(sys.argv[3], "rb") as c, open(sys.argv[4], "rb") as k:
            server.add_secure_port(address, grpc.ssl_server_credentials([(k.read(), c.read())]))
    else:
        server.add_insecure_port(address)
    server.start()
    print("ready", flush=True)
    server.wait_for_termination()


if __name__ == "__main__":
    main()
