#!/usr/bin/env python3
"""Side-by-side benchmark of switchyard, haproxy and nginx in front of one fast upstream (the targets
are in docs/performance.md).

Run through `make bench` (bench/run.sh installs the tools and builds first). Everything listens on
127.0.0.1; every process this script starts is recorded and stopped by PID on exit, on SIGINT and
on SIGTERM. The load generator is pinned to CPU 0, every proxy and the upstream to CPU 1.

Scenarios (see docs/performance.md):
  a  HTTP/1.1 keep-alive, small response, max throughput (wrk, closed loop); also carries the
     10,000-VirtualService switchyard (scenario d), the access-log row and the haproxy A/A pair
  b  fixed rate (50% of haproxy's max from a): h2load --h1 --rps (latency from its log), then
     bench/openloop (each request timed from its scheduled instant: no coordinated omission)
  c  1 KiB request bodies, 64 KiB responses (wrk)
  t  HTTPS keep-alive, small response (wrk over TLS 1.3, ECDSA P-256), every proxy terminating TLS
  s  TLS handshakes per second, full and resumed, ECDSA P-256 and RSA 2048 (openssl s_time)
  h  h2c with prior knowledge, h2load -c 10 -m 10, HTTP/1.1 upstream
  g  gRPC unary over h2c, h2load -c 10 -m 10 POSTing one message, to bench/grpc_upstream (h2c)
  e  10,000 idle keep-alive client connections: RSS of each proxy
Targets run interleaved, A B C D A B C D ..., and every figure is reported as a median over rounds.
"""
from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import re
import shutil
import signal
import socket
import ssl
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
CLK_TCK = os.sysconf("SC_CLK_TCK")
LOADGEN_CPU = "0"
SERVER_CPU = "1"
EPOLL = "switchyard-epoll"  # extra row: the same binary with --io epoll (when it has an io_uring build)
BENCH_HOST_INDEX = 4999  # the VirtualService host requests carry, in both the 1- and 10,000-VS configs
# Scenario g: one unary call, a length-prefixed 7-byte message (field 1 = "bench"), written to the
# run directory as GRPC_BODY by tls_and_h2_scenarios.
GRPC_PATH = "/bench.Echo/Unary"
GRPC_MESSAGE = b"\x00\x00\x00\x00\x07\x0a\x05bench"
GRPC_HEADERS = ["-H", "content-type: application/grpc", "-H", "te: trailers"]
GRPC_BODY = ""


def log(msg: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


# === process bookkeeping ===

class Processes:
    """Every child this script starts, so that exit paths can stop each one by PID."""

    def __init__(self) -> None:
        self.procs: list[tuple[str, subprocess.Popen]] = []

    def start(self, name: str, cmd: list[str], cpu: str, logdir: str, **kw) -> subprocess.Popen:
        out = open(os.path.join(logdir, f"{name}.log"), "wb")
        p = subprocess.Popen(["taskset", "-c", cpu, *cmd], stdout=kw.pop("stdout", out), stderr=out,
                             stdin=kw.pop("stdin", subprocess.DEVNULL), **kw)
        self.procs.append((name, p))
        return p

    def stop(self, p: subprocess.Popen, grace: float = 5.0) -> None:
        if p.poll() is None:
            try:
                os.kill(p.pid, signal.SIGTERM)
                p.wait(timeout=grace)
            except subprocess.TimeoutExpired:
                os.kill(p.pid, signal.SIGKILL)
                p.wait(timeout=5)
            except ProcessLookupError:
                pass
        self.procs = [(n, q) for n, q in self.procs if q is not p]

    def stop_all(self) -> None:
        for _, p in reversed(list(self.procs)):
            self.stop(p)


PROCS = Processes()


def on_signal(signum, _frame):
    raise SystemExit(128 + signum)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def tree_pids(pid: int) -> list[int]:
    """pid and its descendants (nginx: master plus worker)."""
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        try:
            for tid in os.listdir(f"/proc/{p}/task"):
                with open(f"/proc/{p}/task/{tid}/children") as f:
                    todo.extend(int(c) for c in f.read().split())
        except OSError:
            pass
    return out


def cpu_seconds(pid: int) -> float:
    """user+sys CPU time of the process tree rooted at pid, from /proc/PID/stat."""
    total = 0
    for p in tree_pids(pid):
        try:
            with open(f"/proc/{p}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15)
        except OSError:
            pass
    return total / CLK_TCK


def rss_kib(pid: int) -> int:
    total = 0
    for p in tree_pids(pid):
        try:
            with open(f"/proc/{p}/status") as f:
                for line in f:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1])
        except OSError:
            pass
    return total


def wait_http(port: int, host: str, path: str = "/", timeout: float = 20.0, frontend: str = "http") -> None:
    """Waits for a 200 from 127.0.0.1:port: HTTP/1.1, HTTPS (certificate not checked) or h2c (one
    h2load request: the peers' h2c ports speak nothing else) or gRPC (one unary call with nghttp,
    which must end in trailers with grpc-status 0: a proxy's own gRPC-shaped error is a 200 too)."""
    deadline = time.monotonic() + timeout
    last = None
    insecure = ssl.create_default_context()
    insecure.check_hostname = False
    insecure.verify_mode = ssl.CERT_NONE
    while time.monotonic() < deadline:
        try:
            if frontend == "grpc":
                out = subprocess.run(["nghttp", "-v", "-d", GRPC_BODY, *GRPC_HEADERS, "-H", f":authority: {host}",
                                      f"http://127.0.0.1:{port}{GRPC_PATH}"], capture_output=True, timeout=5)
                if b"grpc-status: 0" in out.stdout:
                    return
                raise RuntimeError(out.stdout[-300:])
            if frontend == "h2c":
                out = subprocess.run(["h2load", "-n", "1", "-c", "1", "-H", f":authority: {host}",
                                      f"http://127.0.0.1:{port}{path}"], capture_output=True, text=True, timeout=5)
                if "1 succeeded" in out.stdout:
                    return
                raise RuntimeError(out.stdout[-300:])
            scheme = "https" if frontend == "https" else "http"
            req = urllib.request.Request(f"{scheme}://127.0.0.1:{port}{path}", headers={"Host": host})
            with urllib.request.urlopen(req, timeout=2, context=insecure if scheme == "https" else None) as r:
                if r.status == 200:
                    r.read()
                    return
        except Exception as e:  # noqa: BLE001 - any failure means "not ready yet"
            last = e
        time.sleep(0.1)
    raise RuntimeError(f"port {port} not serving 200 for Host {host} after {timeout}s: {last}")


# === configurations ===

def bench_host(i: int) -> str:
    return f"svc-{i:05d}.bench.test"


def switchyard_config(dirpath: str, port: int, upstream_port: int, vs_count: int, tls: "Cert | None" = None,
                      upstream_protocol: str = "HTTP") -> str:
    """Gateway + ServiceEntry (STATIC endpoint = the upstream) + vs_count VirtualServices, each with
    a prefix route, an exact header route (x-tenant) and a catch-all, the shape of
    bench/config_scale.py; route timeouts and retries left at their defaults. With `tls`, the
    Gateway server is HTTPS (SIMPLE) with that certificate; an HTTP server also takes h2c. With
    upstream_protocol GRPC the upstream is spoken to in HTTP/2 (h2c), as Istio does for that port."""
    os.makedirs(dirpath, exist_ok=True)
    server_tls = "" if tls is None else f"""    tls:
      mode: SIMPLE
      serverCertificate: {tls.cert}
      privateKey: {tls.key}
"""
    docs = [f"""apiVersion: networking.istio.io/v1
kind: Gateway
metadata:
  name: bench-gw
  namespace: bench
spec:
  selector:
    istio: ingressgateway
  servers:
  - port:
      number: {port}
      name: {"https" if tls else "http"}
      protocol: {"HTTPS" if tls else "HTTP"}
    hosts:
    - "*"
{server_tls}""", f"""apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata:
  name: upstream
  namespace: bench
spec:
  hosts:
  - upstream.bench.test
  location: MESH_EXTERNAL
  resolution: STATIC
  ports:
  - number: 80
    name: {upstream_protocol.lower()}
    protocol: {upstream_protocol}
  endpoints:
  - address: 127.0.0.1
    ports:
      {upstream_protocol.lower()}: {upstream_port}
"""]
    indices = [i for i in range(vs_count) if i != BENCH_HOST_INDEX][: vs_count - 1] + [BENCH_HOST_INDEX]
    with open(os.path.join(dirpath, "bench.yaml"), "w") as f:
        f.write("---\n".join(docs))
        for i in indices:
            f.write(f"""---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: vs-{i:05d}
  namespace: bench
spec:
  hosts:
  - {bench_host(i)}
  gateways:
  - bench-gw
  http:
  - name: api
    match:
    - uri:
        prefix: /api/v{i}/
    route:
    - destination:
        host: upstream.bench.test
        port:
          number: 80
  - name: tenant
    match:
    - headers:
        x-tenant:
          exact: t{i}
    route:
    - destination:
        host: upstream.bench.test
        port:
          number: 80
  - name: default
    route:
    - destination:
        host: upstream.bench.test
        port:
          number: 80
""")
    return dirpath


@dataclass
class Cert:
    """A certificate and key for the TLS rows, made with the openssl CLI; `pem` is both in one file
    (haproxy's crt)."""
    cert: str
    key: str
    pem: str


def make_cert(run: str, name: str, key_args: list[str]) -> Cert:
    cert, key, pem = (os.path.join(run, f"{name}.{ext}") for ext in ("crt", "key", "pem"))
    subprocess.run(["openssl", "req", "-x509", "-nodes", "-days", "2", *key_args, "-keyout", key, "-out", cert,
                    "-subj", f"/CN={bench_host(BENCH_HOST_INDEX)}", "-addext", "subjectAltName=DNS:*.bench.test"],
                   check=True, capture_output=True)
    with open(pem, "w") as f:
        f.write(open(cert).read() + open(key).read())
    return Cert(cert, key, pem)


def haproxy_bind(port: int, frontend: str, tls: "Cert | None") -> str:
    if frontend in ("h2c", "grpc"):
        return f"bind 127.0.0.1:{port} proto h2"
    if frontend == "https":
        return f"bind 127.0.0.1:{port} ssl crt {tls.pem} alpn http/1.1"
    return f"bind 127.0.0.1:{port}"


def haproxy_config(path: str, port: int, upstream_port: int, frontend: str = "http", tls: "Cert | None" = None) -> str:
    with open(path, "w") as f:
        f.write(f"""global
    nbthread 1
    # 10,000 idle clients need maxconn > 10,000; haproxy reserves 2 fds per connection and the hard
    # fd limit here may be 20,000, so let it start with a warning (idle clients use one fd each).
    maxconn 10200
    no strict-limits
    tune.bufsize 16384

defaults
    mode http
    option http-keep-alive
    timeout connect 5s
    timeout client 300s
    timeout server 60s
    timeout http-request 60s
    timeout http-keep-alive 300s
    http-reuse always

frontend fe
    {haproxy_bind(port, frontend, tls)}
    default_backend be

backend be
    server up 127.0.0.1:{upstream_port}{" proto h2" if frontend == "grpc" else ""}
""")
    return path


def nginx_listen(port: int, frontend: str, tls: "Cert | None") -> str:
    if frontend in ("h2c", "grpc"):
        return f"listen 127.0.0.1:{port} http2 backlog=4096;"
    if frontend == "https":
        # Tickets are on by default; the shared cache serves clients that resume by session id.
        return (f"listen 127.0.0.1:{port} ssl backlog=4096;\n        ssl_certificate {tls.cert};\n"
                f"        ssl_certificate_key {tls.key};\n        ssl_session_cache shared:SSL:10m;")
    return f"listen 127.0.0.1:{port} backlog=4096;"


def nginx_config(prefix: str, port: int, upstream_port: int, frontend: str = "http", tls: "Cert | None" = None) -> str:
    os.makedirs(prefix, exist_ok=True)
    path = os.path.join(prefix, "nginx.conf")
    with open(path, "w") as f:
        f.write(f"""worker_processes 1;
worker_rlimit_nofile 20000;
daemon off;
pid {prefix}/nginx.pid;
error_log {prefix}/error.log warn;

events {{
    worker_connections 12000;
}}

http {{
    access_log off;
    client_body_temp_path {prefix}/body;
    proxy_temp_path {prefix}/proxy;
    fastcgi_temp_path {prefix}/fastcgi;
    uwsgi_temp_path {prefix}/uwsgi;
    scgi_temp_path {prefix}/scgi;
    keepalive_timeout 300s;
    keepalive_requests 100000000;
    # Hold a 64 KiB response in memory rather than spilling it to a temp file.
    proxy_buffer_size 8k;
    proxy_buffers 16 8k;

    upstream up {{
        server 127.0.0.1:{upstream_port};
        keepalive 256;
        keepalive_requests 100000000;
        keepalive_timeout 300s;
    }}

    server {{
        {nginx_listen(port, frontend, tls)}
        location / {{
            {"grpc_pass grpc://up;" if frontend == "grpc" else 'proxy_pass http://up;'}
            proxy_http_version 1.1;
            proxy_set_header Connection "";
        }}
    }}
}}
""")
    return path


# === targets ===

@dataclass
class Target:
    name: str
    port: int
    host: str                       # Host header the load generator sends
    proc: subprocess.Popen | None   # None only for "direct"
    cpu_pid: int = 0                # whose CPU time is charged per request
    kind: str = "proxy"             # "direct", "switchyard", "haproxy", "nginx"
    note: str = ""
    scheme: str = "http"            # "https" on the TLS rows


def switchyard_supports_access_log(binary: str) -> bool:
    try:
        out = subprocess.run([binary, "serve", "--help"], capture_output=True, text=True, timeout=10)
        return "--access-log" in (out.stdout + out.stderr)
    except (OSError, subprocess.TimeoutExpired):
        return False


def start_switchyard(name: str, binary: str, run: str, upstream_port: int, vs_count: int,
                     access_log: str | None = None, extra_args: tuple = (), frontend: str = "http",
                     tls: Cert | None = None) -> Target:
    port = free_port()
    cfg = switchyard_config(os.path.join(run, name), port, upstream_port, vs_count, tls if frontend == "https" else None,
                            "GRPC" if frontend == "grpc" else "HTTP")
    cmd = [binary, "serve", "-c", cfg, "--workers", "1", "--bind", "127.0.0.1", "--drain-time-ms", "200"]
    if access_log is not None:
        cmd += ["--access-log", access_log]
    cmd += list(extra_args)
    p = PROCS.start(name, cmd, SERVER_CPU, run)
    host = bench_host(BENCH_HOST_INDEX)
    wait_http(port, host, timeout=60 if vs_count > 1 else 20, frontend=frontend)
    return Target(name, port, host, p, p.pid, "switchyard")


def event_loop_line(logfile: str) -> str:
    """The event loop switchyard chose, from its startup log ("event loop: io_uring")."""
    try:
        with open(logfile, errors="replace") as f:
            for line in f:
                if "event loop:" in line:
                    return line.split("] ", 3)[-1].strip()
    except OSError:
        pass
    return "event loop: not reported"


def start_haproxy(name: str, run: str, upstream_port: int, frontend: str = "http", tls: Cert | None = None) -> Target:
    port = free_port()
    cfg = haproxy_config(os.path.join(run, f"{name}.cfg"), port, upstream_port, frontend, tls)
    p = PROCS.start(name, ["haproxy", "-db", "-f", cfg], SERVER_CPU, run)
    wait_http(port, "localhost", frontend=frontend)
    return Target(name, port, bench_host(BENCH_HOST_INDEX), p, p.pid, "haproxy")


def start_nginx(name: str, run: str, upstream_port: int, frontend: str = "http", tls: Cert | None = None) -> Target:
    port = free_port()
    prefix = os.path.join(run, name)
    cfg = nginx_config(prefix, port, upstream_port, frontend, tls)
    p = PROCS.start(name, ["nginx", "-p", prefix, "-e", os.path.join(prefix, "error.log"), "-c", cfg],
                    SERVER_CPU, run)
    wait_http(port, "localhost", frontend=frontend)
    return Target(name, port, bench_host(BENCH_HOST_INDEX), p, p.pid, "nginx")


# === load generators ===

def run_wrk(t: Target, seconds: float, conns: int, path: str = "/", body_bytes: int = 0) -> dict:
    env = dict(os.environ, BENCH_BODY_BYTES=str(body_bytes))
    cmd = ["taskset", "-c", LOADGEN_CPU, "wrk", "-t1", f"-c{conns}", f"-d{int(seconds)}s", "--timeout", "5s",
           "-s", os.path.join(HERE, "wrk_report.lua"), "-H", f"Host: {t.host}", f"{t.scheme}://127.0.0.1:{t.port}{path}"]
    cpu0 = cpu_seconds(t.cpu_pid)
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=seconds + 30, env=env)
    cpu1 = cpu_seconds(t.cpu_pid)
    m = re.search(r"BENCH_JSON (\{.*\})", out.stdout)
    if not m:
        raise RuntimeError(f"wrk against {t.name} printed no result:\n{out.stdout}\n{out.stderr}")
    r = json.loads(m.group(1))
    secs = r["duration_us"] / 1e6
    errors = r["connect_errors"] + r["read_errors"] + r["write_errors"] + r["status_errors"] + r["timeouts"]
    return {"rps": r["requests"] / secs, "requests": r["requests"], "p50_us": r["p50_us"], "p90_us": r["p90_us"],
            "p99_us": r["p99_us"],
            "p999_us": r["p999_us"], "errors": errors, "cpu_s": cpu1 - cpu0}


def percentile(sorted_vals: list[int], q: float) -> float:
    if not sorted_vals:
        return float("nan")
    k = (len(sorted_vals) - 1) * q / 100.0
    lo = int(k)
    hi = min(lo + 1, len(sorted_vals) - 1)
    return sorted_vals[lo] + (sorted_vals[hi] - sorted_vals[lo]) * (k - lo)


def run_h2load(t: Target, seconds: float, clients: int, total_rate: float, run: str) -> dict:
    """Open-loop-ish fixed rate: each of `clients` connections issues total_rate/clients requests/s on
    its own schedule. Percentiles come from the per-request log (third column: microseconds)."""
    # ":authority" sets h1's Host; "-H host:" would add a second Host header (a 400 from a strict proxy).
    logf = os.path.join(run, f"h2load-{t.name}.log")
    per_client = max(1, round(total_rate / clients))
    cmd = ["taskset", "-c", LOADGEN_CPU, "h2load", "--h1", "-c", str(clients), "--rps", str(per_client),
           "-D", str(int(seconds)), "--log-file", logf, "-H", f":authority: {t.host}", f"http://127.0.0.1:{t.port}/"]
    cpu0 = cpu_seconds(t.cpu_pid)
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=seconds + 30)
    cpu1 = cpu_seconds(t.cpu_pid)
    return h2load_result(t, out, logf, seconds, cpu1 - cpu0)


def run_openloop(t: Target, seconds: float, conns: int, total_rate: float, generator: str) -> dict:
    """Open loop without coordinated omission (bench/openloop.cc): request i is due at start + i/rate
    and its latency counts from that instant; `conns` keep-alive connections, more (up to 4x) when
    every one is busy at a due time."""
    cmd = ["taskset", "-c", LOADGEN_CPU, generator, "--port", str(t.port), "--host", t.host, "--rate", str(total_rate),
           "--seconds", str(seconds), "--conns", str(conns), "--max-conns", str(4 * conns)]
    cpu0 = cpu_seconds(t.cpu_pid)
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=seconds + 60)
    cpu1 = cpu_seconds(t.cpu_pid)
    m = re.search(r"OPENLOOP_JSON (\{.*\})", out.stdout)
    if not m:
        raise RuntimeError(f"openloop against {t.name} printed no result:\n{out.stdout}\n{out.stderr}")
    r = json.loads(m.group(1))
    # `requests` counts 200s only, so scheduled - requests is every failure: non-200 answers, broken
    # connections, and requests still unanswered when the generator gave up.
    return {"rps": r["rps"], "requests": r["requests"], "p50_us": r["p50_us"], "p90_us": r["p90_us"],
            "p99_us": r["p99_us"], "p999_us": r["p999_us"], "errors": r["scheduled"] - r["requests"],
            "cpu_s": cpu1 - cpu0, "connections": r["connections"], "send_lag_p99_us": r["send_lag_p99_us"]}


def h2load_result(t: Target, out: subprocess.CompletedProcess, logf: str, seconds: float, cpu_s: float) -> dict:
    """One h2load run's figures: completions from its summary, percentiles and non-200 answers from
    its per-request --log-file (third column: microseconds)."""
    lat, bad = [], 0
    with open(logf) as f:
        for line in f:
            parts = line.split()
            if len(parts) >= 3:
                if parts[1] != "200":
                    bad += 1
                lat.append(int(parts[2]))
    os.unlink(logf)
    lat.sort()
    m = re.search(r"requests: (\d+) total, \d+ started, (\d+) done, (\d+) succeeded, (\d+) failed, (\d+) errored",
                  out.stdout)
    if not m:
        raise RuntimeError(f"h2load against {t.name} printed no summary:\n{out.stdout}\n{out.stderr}")
    done = int(m.group(2))
    return {"rps": done / seconds, "requests": done, "p50_us": percentile(lat, 50), "p90_us": percentile(lat, 90),
            "p99_us": percentile(lat, 99), "p999_us": percentile(lat, 99.9),
            "errors": int(m.group(4)) + int(m.group(5)) + bad, "cpu_s": cpu_s}


def run_h2load_mux(t: Target, seconds: float, clients: int, streams: int, run: str, grpc: bool = False) -> dict:
    """h2c, closed loop: `clients` connections with `streams` concurrent streams each; with `grpc`,
    each request is one unary gRPC call (POST of GRPC_BODY)."""
    logf = os.path.join(run, f"h2load-mux-{t.name}.log")
    call = ["-d", GRPC_BODY, *GRPC_HEADERS] if grpc else []
    cmd = ["taskset", "-c", LOADGEN_CPU, "h2load", "-c", str(clients), "-m", str(streams), "-D", str(int(seconds)),
           "--log-file", logf, "-H", f":authority: {t.host}", *call,
           f"http://127.0.0.1:{t.port}{GRPC_PATH if grpc else '/'}"]
    cpu0 = cpu_seconds(t.cpu_pid)
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=seconds + 30)
    cpu1 = cpu_seconds(t.cpu_pid)
    return h2load_result(t, out, logf, seconds, cpu1 - cpu0)


def run_handshakes(t: Target, seconds: float, resume: bool, clients: int = 8) -> dict:
    """TLS handshakes per second from `clients` concurrent `openssl s_time` processes (one alone
    waits out every round trip and cannot load a proxy): full TLS 1.3 handshakes (-new), or TLS 1.2
    resumed ones (-reuse: one full handshake, then the session offered on every new connection;
    s_time closes a TLS 1.3 connection before the server's session tickets arrive, so 1.3 cannot
    resume there)."""
    cmd = ["taskset", "-c", LOADGEN_CPU, "openssl", "s_time", "-connect", f"127.0.0.1:{t.port}",
           *(["-reuse", "-tls1_2"] if resume else ["-new"]), "-time", str(int(seconds))]
    cpu0 = cpu_seconds(t.cpu_pid)
    procs = [subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(clients)]
    n = 0
    for p in procs:
        out, err = p.communicate(timeout=seconds + 30)
        m = re.search(r"(\d+) connections in [\d.]+s", out)
        if not m:
            raise RuntimeError(f"s_time against {t.name} printed no result:\n{out}\n{err}")
        n += int(m.group(1))
    cpu1 = cpu_seconds(t.cpu_pid)
    return {"rps": n / seconds, "requests": n, "p50_us": float("nan"), "p90_us": float("nan"),
            "p99_us": float("nan"), "p999_us": float("nan"), "errors": 0, "cpu_s": cpu1 - cpu0}


def tls_and_h2_scenarios(args, run: str, up_port: int, report: list[str], results: dict) -> None:
    """Issue 12's HTTPS rows (t: keep-alive, s: handshakes) and issue 14's h2c row (h). Fresh
    proxies per frontend, each terminating TLS with the same certificate and key."""
    if "t" in args.scenarios or "s" in args.scenarios:
        for label, key_args in (("ECDSA P-256", ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1"]),
                                ("RSA 2048", ["-newkey", "rsa:2048"])):
            if label.startswith("RSA") and "s" not in args.scenarios:
                continue
            cert = make_cert(run, label.split()[0].lower(), key_args)
            tag = label.split()[0].lower()
            targets = [start_switchyard(f"switchyard-tls-{tag}", args.switchyard, run, up_port, 1, frontend="https", tls=cert),
                       start_haproxy(f"haproxy-tls-{tag}", run, up_port, "https", cert),
                       start_nginx(f"nginx-tls-{tag}", run, up_port, "https", cert)]
            for t in targets:
                t.scheme = "https"
                t.name = t.name.split("-tls-")[0]
                run_wrk(t, 1, args.conns)
            if "t" in args.scenarios and label.startswith("ECDSA"):
                log("scenario t: HTTPS keep-alive, small responses")
                rows = interleave(targets, args.rounds, lambda t: run_wrk(t, args.seconds, args.conns))
                results["t"] = {n: r.runs for n, r in rows.items()}
                report.append(table(f"(t) HTTPS keep-alive ({label}, TLS 1.3), 13-byte response, wrk -c{args.conns}",
                                    rows))
            if "s" in args.scenarios:
                for resume in (False, True):
                    what = "resumed" if resume else "full"
                    log(f"scenario s: {what} TLS handshakes, {label}")
                    rows = interleave(targets, args.rounds, lambda t: run_handshakes(t, args.seconds, resume))
                    results[f"s-{tag}-{what}"] = {n: r.runs for n, r in rows.items()}
                    report.append(table(f"(s) {what} TLS handshakes per second ({'TLS 1.2, session resumed' if resume else 'TLS 1.3'}), "
                                        f"{label}, 8 concurrent `openssl s_time` clients (req/s is handshakes/s, "
                                        f"CPU µs per handshake)", rows))
            for t in targets:
                PROCS.stop(t.proc)
    if "h" in args.scenarios:
        targets = [start_switchyard("switchyard-h2c", args.switchyard, run, up_port, 1, frontend="h2c"),
                   start_haproxy("haproxy-h2c", run, up_port, "h2c"),
                   start_nginx("nginx-h2c", run, up_port, "h2c")]
        for t in targets:
            t.name = t.name.removesuffix("-h2c")
            run_h2load_mux(t, 1, 10, 10, run)
        log("scenario h: h2c, h2load -c 10 -m 10")
        rows = interleave(targets, args.rounds, lambda t: run_h2load_mux(t, args.seconds, 10, 10, run))
        results["h"] = {n: r.runs for n, r in rows.items()}
        report.append(table("(h) h2c (HTTP/2 prior knowledge) to the proxy, HTTP/1.1 upstream, h2load -c 10 -m 10, "
                            "13-byte response", rows))
        for t in targets:
            PROCS.stop(t.proc)
    if "g" in args.scenarios:
        grpc_scenario(args, run, report, results)


def grpc_scenario(args, run: str, report: list[str], results: dict) -> None:
    """Issue 14's gRPC row: unary calls over h2c through each proxy to one h2c gRPC origin."""
    global GRPC_BODY
    GRPC_BODY = os.path.join(run, "grpc-request.bin")
    with open(GRPC_BODY, "wb") as f:
        f.write(GRPC_MESSAGE)
    port = free_port()
    origin = PROCS.start("grpc-upstream", [args.grpc_upstream, str(port)], SERVER_CPU, run)
    targets = [start_switchyard("switchyard-grpc", args.switchyard, run, port, 1, frontend="grpc"),
               start_haproxy("haproxy-grpc", run, port, "grpc"),
               start_nginx("nginx-grpc", run, port, "grpc")]
    for t in targets:
        t.name = t.name.removesuffix("-grpc")
        run_h2load_mux(t, 1, 10, 10, run, grpc=True)
    log("scenario g: gRPC unary over h2c, h2load -c 10 -m 10")
    rows = interleave(targets, args.rounds, lambda t: run_h2load_mux(t, args.seconds, 10, 10, run, grpc=True))
    results["g"] = {n: r.runs for n, r in rows.items()}
    report.append(table("(g) gRPC unary (h2c both sides, bench/grpc_upstream), h2load -c 10 -m 10, one 12-byte "
                        "message each way, grpc-status in trailers", rows))
    for t in [*targets]:
        PROCS.stop(t.proc)
    PROCS.stop(origin)


# === reporting ===

@dataclass
class Row:
    target: Target
    runs: list[dict] = field(default_factory=list)

    def med(self, key: str) -> float:
        return statistics.median(r[key] for r in self.runs)

    def cpu_us_per_req(self) -> float:
        return 1e6 * sum(r["cpu_s"] for r in self.runs) / max(1, sum(r["requests"] for r in self.runs))


def fmt_us(v: float) -> str:
    if v != v:  # NaN: not measured (handshake rows)
        return "–"
    return f"{v / 1000:.2f} ms" if v >= 1000 else f"{v:.0f} µs"


def table(title: str, rows: dict[str, Row], note: str = "") -> str:
    direct = rows.get("direct")
    peers = [rows[n] for n in ("haproxy", "nginx") if n in rows]
    ha = rows.get("haproxy")
    best_peer_rps = max((r.med("rps") for r in peers), default=float("nan"))
    low_peer_cpu = min((r.cpu_us_per_req() for r in peers), default=float("nan"))
    lines = [f"### {title}", ""]
    if note:
        lines += [note, ""]
    lines += ["| target | req/s (median) | min–max req/s | p50 | p90 | p99 | p99.9 | × direct | × haproxy | × best peer "
              "| CPU µs/req | CPU × lower peer | errors |",
              "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    def ratio(value: float, base) -> str:  # blank when the table has no such row
        return f"{value / base:.3f}" if base else ""

    for name, r in rows.items():
        rps = r.med("rps")
        rpss = [x["rps"] for x in r.runs]
        cpu = r.cpu_us_per_req()
        is_direct = name == "direct"
        lines.append(
            f"| {name}{' (upstream CPU)' if is_direct else ''} | {rps:,.0f} | {min(rpss):,.0f}–{max(rpss):,.0f} "
            f"| {fmt_us(r.med('p50_us'))} | {fmt_us(r.med('p90_us'))} | {fmt_us(r.med('p99_us'))} "
            f"| {fmt_us(r.med('p999_us'))} | {ratio(rps, direct.med('rps') if direct else None)} "
            f"| {ratio(rps, ha.med('rps') if ha else None)} | {ratio(rps, best_peer_rps if peers else None)} "
            f"| {cpu:.1f} | {'' if is_direct else ratio(cpu, low_peer_cpu if peers else None)} "
            f"| {sum(x['errors'] for x in r.runs)} |")
    lines.append("")
    return "\n".join(lines)


def interleave(targets: list[Target], rounds: int, fn) -> dict[str, Row]:
    rows = {t.name: Row(t) for t in targets}
    for rnd in range(rounds):
        for t in targets:
            r = fn(t)
            rows[t.name].runs.append(r)
            log(f"  round {rnd + 1}/{rounds} {t.name:22s} {r['rps']:>10,.0f} req/s  p99 {fmt_us(r['p99_us']):>9s}  "
                f"cpu {1e6 * r['cpu_s'] / max(1, r['requests']):6.1f} µs/req  errors {r['errors']}")
    return rows


# === profile ===

def profile(args, run: str) -> int:
    """perf record (cpu-clock, works without hardware counters) of one switchyard worker under
    scenario (a) load; prints the flat self-time profile and the top call chains."""
    if not shutil.which("perf"):
        log("perf not found (apt-get install linux-perf)")
        return 1
    up_port = free_port()
    up = PROCS.start("fast-upstream", [args.upstream, str(up_port)], SERVER_CPU, run)
    wait_http(up_port, "localhost")
    sy = start_switchyard("switchyard", args.switchyard, run, up_port, 1)
    run_wrk(sy, 1, args.conns)
    data = os.path.join(run, "perf.data")
    rec = PROCS.start("perf-record", ["perf", "record", "-e", "cpu-clock", "-F", "4999", "--call-graph", "dwarf,16384",
                                      "-o", data, "-p", str(sy.cpu_pid), "--", "sleep", str(args.profile)],
                      LOADGEN_CPU, run)
    time.sleep(0.5)
    r = run_wrk(sy, args.profile - 1, args.conns)
    rec.wait(timeout=args.profile + 60)
    log(f"profiled {r['requests']:,} requests at {r['rps']:,.0f} req/s, "
        f"{1e6 * r['cpu_s'] / max(1, r['requests']):.1f} µs CPU/request")
    out_dir = args.out
    os.makedirs(out_dir, exist_ok=True)
    for name, extra in (("profile-flat.txt", ["--no-children", "--sort", "dso,symbol", "-g", "none"]),
                        ("profile-children.txt", ["--children", "--sort", "symbol", "-g", "none"]),
                        ("profile-callers.txt", ["--no-children", "--sort", "symbol", "-g", "caller,0.5,callee,function,percent"])):
        with open(os.path.join(out_dir, name), "w") as f:
            subprocess.run(["perf", "report", "-i", data, "--stdio", "--percent-limit", "0.5", *extra],
                           stdout=f, stderr=subprocess.DEVNULL, timeout=600)
    with open(os.path.join(out_dir, "profile-flat.txt")) as f:
        print("".join(line for line in f if not line.startswith("#"))[:6000])
    log(f"profiles written to {out_dir}/profile-*.txt")
    return 0


def verdicts(results: dict, vs_count: int) -> str:
    """The issue-7 targets, each as measured ratio vs. threshold."""
    def med(scn, name, key):
        runs = results.get(scn, {}).get(name)
        return statistics.median(r[key] for r in runs) if runs else None

    def cpu(scn, name):
        runs = results.get(scn, {}).get(name)
        return sum(r["cpu_s"] for r in runs) / max(1, sum(r["requests"] for r in runs)) if runs else None

    rows = []

    def per_conn(name):  # bytes of RSS growth per idle connection, scenario (e)
        x = results["e"][name]
        return (x["after_kib"] - x["before_kib"]) * 1024 / max(1, x["ok"])

    def add(what, value, target, holds):
        rows.append(f"| {what} | {value} | {target} | {'yes' if holds else '**no**'} |")

    if "a" in results:
        sy, ha, ng = (med("a", n, "rps") for n in ("switchyard", "haproxy", "nginx"))
        add("(a) throughput: switchyard ÷ faster peer", f"{sy / max(ha, ng):.3f}", "≥ 1.10", sy / max(ha, ng) >= 1.10)
        c = cpu("a", "switchyard") / min(cpu("a", "haproxy"), cpu("a", "nginx"))
        add("(a) CPU per request: switchyard ÷ lower peer", f"{c:.3f}", "≤ 0.85", c <= 0.85)
        big = med("a", f"switchyard-{vs_count}VS", "rps")
        if big:
            add(f"(d) throughput: {vs_count:,} VirtualServices ÷ 1", f"{big / sy:.3f}", "≥ 0.97", big / sy >= 0.97)
        al = med("a", "switchyard+accesslog", "rps")
        if al:
            add("access log on: throughput ÷ off", f"{al / sy:.3f}", "≥ 0.90", al / sy >= 0.90)
        else:
            rows.append("| access log on: throughput ÷ off | not measured (no --access-log flag yet) | ≥ 0.90 | — |")
        hb = med("a", "haproxy-B", "rps")
        if hb:
            rows.append(f"| A/A noise floor: haproxy-B ÷ haproxy (throughput; CPU/req) | {hb / ha:.3f}; "
                        f"{cpu('a', 'haproxy-B') / cpu('a', 'haproxy'):.3f} | ≈ 1 | — |")
    def lead(scn, label):
        # Issues 12 and 14: the HTTPS and h2c rows are held to (a)'s targets.
        if scn not in results:
            return
        sy, ha, ng = (med(scn, n, "rps") for n in ("switchyard", "haproxy", "nginx"))
        add(f"({scn}) {label} throughput: switchyard ÷ faster peer", f"{sy / max(ha, ng):.3f}", "≥ 1.10",
            sy / max(ha, ng) >= 1.10)
        c = cpu(scn, "switchyard") / min(cpu(scn, "haproxy"), cpu(scn, "nginx"))
        add(f"({scn}) {label} CPU per request: switchyard ÷ lower peer", f"{c:.3f}", "≤ 0.85", c <= 0.85)

    lead("t", "HTTPS keep-alive")
    lead("h", "h2c")
    if "g" in results:  # issue 14 asks for the row side by side with haproxy, without a threshold
        sy, ha = (med("g", n, "rps") for n in ("switchyard", "haproxy"))
        c = cpu("g", "switchyard") / cpu("g", "haproxy")
        rows.append(f"| (g) gRPC unary: switchyard ÷ haproxy (throughput; CPU/req) | {sy / ha:.3f}; {c:.3f} | — | — |")

    def latency(scn, name, label):
        # Issue 15: p50, p90 and p99 each at or below both peers'.
        if name not in results.get(scn, {}):
            return
        for q in ("p50_us", "p90_us", "p99_us"):
            mine, ha, ng = (med(scn, n, q) for n in (name, "haproxy", "nginx"))
            add(f"({scn}) {q[:-3]} at fixed rate{label}: vs haproxy / nginx",
                f"{fmt_us(mine)} vs {fmt_us(ha)} / {fmt_us(ng)}", "≤ both", mine <= min(ha, ng))

    latency("b", "switchyard", "")
    latency("b-open", "switchyard", "")
    if "e" in results:
        e = results["e"]
        r = per_conn("switchyard") / per_conn("haproxy")
        add("(e) memory per idle connection: switchyard ÷ haproxy", f"{r:.2f} ({per_conn('switchyard'):,.0f} B vs "
            f"{per_conn('haproxy'):,.0f} B)", "≤ 1.00", r <= 1.0)
    if EPOLL in results.get("a", {}):
        u, ha, ng = (med("a", n, "rps") for n in (EPOLL, "haproxy", "nginx"))
        # Where io_uring is refused, the epoll loop is held to "level with the peers".
        add("(a) throughput, --io epoll: ÷ faster peer", f"{u / max(ha, ng):.3f}", "≥ 1.00", u / max(ha, ng) >= 1.0)
        c = cpu("a", EPOLL) / min(cpu("a", "haproxy"), cpu("a", "nginx"))
        add("(a) CPU per request, --io epoll: ÷ lower peer", f"{c:.3f}", "≤ 1.00", c <= 1.0)
    latency("b", EPOLL, ", --io epoll")
    latency("b-open", EPOLL, ", --io epoll")
    if EPOLL in results.get("e", {}):
        r = per_conn(EPOLL) / per_conn("haproxy")
        add("(e) memory per idle connection, --io epoll ÷ haproxy", f"{r:.2f}", "≤ 1.00", r <= 1.0)
    return "\n".join(["### Performance targets", "", "| target | measured | threshold | holds |",
                      "|---|---|---|---|", *rows, ""])


# === main ===

def machine_description() -> str:
    cpu = "unknown"
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    with open("/proc/meminfo") as f:
        mem_kib = int(f.readline().split()[1])
    def ver(cmd):
        try:
            out = subprocess.run(cmd, capture_output=True, text=True, timeout=5)
            return (out.stdout + out.stderr).strip().splitlines()[0]
        except (OSError, subprocess.TimeoutExpired, IndexError):
            return "?"
    load = os.getloadavg()
    return "\n".join([
        f"- date: {datetime.datetime.now().astimezone().isoformat(timespec='seconds')}",
        f"- machine: {os.cpu_count()} × {cpu}, {mem_kib // 1024} MiB RAM, kernel {platform.release()}",
        f"- load average at start: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}",
        f"- haproxy: {ver(['haproxy', '-v'])}",
        f"- nginx: {ver(['nginx', '-v'])}",
        f"- wrk: {ver(['wrk', '-v'])}",
        f"- h2load: {ver(['h2load', '--version'])}",
    ])


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--switchyard", default=os.path.join(ROOT, "build", "switchyard"))
    ap.add_argument("--no-epoll-row", action="store_true",
                    help="skip the switchyard-epoll row (the same binary with --io epoll), measured by default "
                         "when the build has both event loops")
    ap.add_argument("--upstream", required=True, help="fast-upstream binary (bench/run.sh builds it)")
    ap.add_argument("--openloop", default=os.path.join(ROOT, "build", "bench", "openloop"),
                    help="open-loop generator binary (bench/run.sh builds it from bench/openloop.cc)")
    ap.add_argument("--grpc-upstream", default=os.path.join(ROOT, "build", "bench", "grpc-upstream"),
                    help="gRPC origin for scenario g (bench/run.sh builds it from bench/grpc_upstream.cc)")
    ap.add_argument("--scenarios", default="abcthgse",
                    help="subset of a, b, c, t, s, h, g, e (d rides along with a; b also runs b-open)")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--seconds", type=int, default=5, help="length of one measured run")
    ap.add_argument("--conns", type=int, default=50, help="wrk connections for a and c")
    ap.add_argument("--idle-conns", type=int, default=10000)
    ap.add_argument("--vs-count", type=int, default=10000)
    ap.add_argument("--rate", type=float, default=0, help="scenario b total req/s (default: 50%% of haproxy max)")
    ap.add_argument("--out", default=os.path.join(tempfile.gettempdir(), "switchyard-bench-results"),
                    help="directory for results.md and results.json")
    ap.add_argument("--keep", action="store_true", help="keep the run directory (configs, logs)")
    ap.add_argument("--profile", type=int, default=0, metavar="SECONDS",
                    help="instead of the benchmark: perf-profile switchyard under scenario (a) load")
    args = ap.parse_args()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    run = tempfile.mkdtemp(prefix="switchyard-bench.")
    if args.profile:
        try:
            return profile(args, run)
        finally:
            PROCS.stop_all()
            if not args.keep:
                shutil.rmtree(run, ignore_errors=True)
    out_dir = args.out
    report = ["## Machine", "", machine_description(), "",
              f"- command: `{' '.join(sys.argv)}`",
              f"- rounds: {args.rounds} × {args.seconds:g} s per target, interleaved; wrk -t1 -c{args.conns}; "
              f"load generator on CPU {LOADGEN_CPU}, proxy + upstream on CPU {SERVER_CPU}", ""]
    results: dict = {"machine": machine_description()}
    t_start = time.monotonic()
    try:
        up_port = free_port()
        up = PROCS.start("fast-upstream", [args.upstream, str(up_port)], SERVER_CPU, run)
        wait_http(up_port, "localhost")
        direct = Target("direct", up_port, bench_host(BENCH_HOST_INDEX), up, up.pid, "direct")

        log("starting proxies")
        epoll_row = not args.no_epoll_row and os.path.exists(
            os.path.join(os.path.dirname(os.path.abspath(args.switchyard)), "switchyard-epoll"))
        sy = start_switchyard("switchyard", args.switchyard, run, up_port, 1)
        report.append(f"- switchyard (default `--io auto`): {event_loop_line(os.path.join(run, 'switchyard.log'))}")
        report.append("")
        ha = start_haproxy("haproxy", run, up_port)
        ngx = start_nginx("nginx", run, up_port)
        peers = [sy, ha, ngx]
        if epoll_row:
            peers.insert(1, start_switchyard(EPOLL, args.switchyard, run, up_port, 1, extra_args=("--io", "epoll")))
        extra: list[Target] = []
        if "a" in args.scenarios:
            t0 = time.monotonic()
            sy10k = start_switchyard(f"switchyard-{args.vs_count}VS", args.switchyard, run, up_port,
                                     args.vs_count)
            log(f"switchyard with {args.vs_count} VirtualServices ready in {time.monotonic() - t0:.1f}s "
                f"(RSS {rss_kib(sy10k.cpu_pid) / 1024:.0f} MiB)")
            extra.append(sy10k)
            if switchyard_supports_access_log(args.switchyard):
                extra.append(start_switchyard("switchyard+accesslog", args.switchyard, run, up_port, 1,
                                              access_log=os.path.join(run, "access.log")))
                access_note = "The access-log row writes to a file in the run directory."
            else:
                access_note = ("No access-log row: this switchyard has no `serve --access-log` flag yet, "
                               "so the row is skipped.")
            extra.append(start_haproxy("haproxy-B", run, up_port))

        # Warm every target up (connection pools, caches, page faults) outside the measurement.
        for t in [direct, *peers, *extra]:
            run_wrk(t, 1, args.conns)

        if "a" in args.scenarios:
            log("scenario a: keep-alive small responses, max throughput")
            order = [direct, *[t for t in peers if t.kind == "switchyard"], *[t for t in extra if t.kind == "switchyard"], ha, ngx,
                     *[t for t in extra if t.kind == "haproxy"]]
            rows = interleave(order, args.rounds, lambda t: run_wrk(t, args.seconds, args.conns))
            results["a"] = {n: r.runs for n, r in rows.items()}
            report.append(table("(a) HTTP/1.1 keep-alive, 13-byte response, max throughput (wrk, closed loop)",
                                rows, "Includes scenario (d) (the 10,000-VirtualService switchyard row) and the "
                                      "haproxy A/A pair (haproxy vs haproxy-B: the noise floor). " + access_note))
            summary_a = rows
            for t in extra:
                PROCS.stop(t.proc)
        else:
            summary_a = None

        if "b" in args.scenarios:
            rate = args.rate
            if not rate:
                rate = 0.5 * (summary_a["haproxy"].med("rps") if summary_a else run_wrk(ha, args.seconds, args.conns)["rps"])
            log(f"scenario b: fixed rate {rate:,.0f} req/s, open loop")
            rows = interleave([direct, *peers], args.rounds,
                              lambda t: run_h2load(t, args.seconds, 32, rate, run))
            results["b"] = {n: r.runs for n, r in rows.items()}
            report.append(table(f"(b) fixed rate {rate:,.0f} req/s (50% of haproxy's max), h2load --h1 -c 32 --rps, "
                                "latency from the per-request log", rows))
            log(f"scenario b-open: fixed rate {rate:,.0f} req/s, open loop without coordinated omission")
            rows = interleave([direct, *peers], args.rounds,
                              lambda t: run_openloop(t, args.seconds, 64, rate, args.openloop))
            results["b-open"] = {n: r.runs for n, r in rows.items()}
            conns = {n: max(x["connections"] for x in r.runs) for n, r in rows.items()}
            report.append(table(f"(b-open) fixed rate {rate:,.0f} req/s, bench/openloop (each request timed from its "
                                "scheduled instant), 64 connections", rows,
                                "Connections used (the generator opens more, up to 256, when all are busy at a due "
                                "time): " + ", ".join(f"{n} {c}" for n, c in conns.items()) + "."))

        if "c" in args.scenarios:
            log("scenario c: 1 KiB request bodies, 64 KiB responses")
            rows = interleave([direct, *peers], args.rounds,
                              lambda t: run_wrk(t, args.seconds, args.conns, path="/big", body_bytes=1024))
            results["c"] = {n: r.runs for n, r in rows.items()}
            report.append(table("(c) POST with 1 KiB body, 64 KiB response (wrk, closed loop)", rows))

        tls_and_h2_scenarios(args, run, up_port, report, results)

        if "e" in args.scenarios:
            log(f"scenario e: {args.idle_conns} idle keep-alive connections")
            lines = ["### (e) idle keep-alive connections: RSS", "",
                     f"{args.idle_conns} client connections, one request each, then idle. RSS is the sum of "
                     "VmRSS over the proxy's processes (nginx: master + worker), read from /proc.", "",
                     "| proxy | RSS before | RSS with idle conns | growth | per connection | × haproxy | "
                     "connections ok/failed |", "|---|---:|---:|---:|---:|---:|---:|"]
            res_e = {}
            # Fresh instances, so earlier scenarios' buffers do not count.
            for t in peers:
                PROCS.stop(t.proc)
            fresh = [start_switchyard("switchyard-e", args.switchyard, run, up_port, 1),
                     start_haproxy("haproxy-e", run, up_port), start_nginx("nginx-e", run, up_port)]
            if epoll_row:
                fresh.insert(1, start_switchyard(EPOLL + "-e", args.switchyard, run, up_port, 1,
                                                 extra_args=("--io", "epoll")))
            for t in fresh:
                run_wrk(t, 1, args.conns)
                before = rss_kib(t.cpu_pid)
                client = PROCS.start(f"idle-conns-{t.name}",
                                     [sys.executable, os.path.join(HERE, "idle_conns.py"), str(t.port), "-n",
                                      str(args.idle_conns), "--host-header", t.host],
                                     LOADGEN_CPU, run, stdout=subprocess.PIPE, stdin=subprocess.PIPE)
                line = client.stdout.readline().decode().split()
                ok, failed = (int(line[1]), int(line[2])) if len(line) == 3 else (0, args.idle_conns)
                time.sleep(1.0)
                after = rss_kib(t.cpu_pid)
                res_e[t.name.removesuffix("-e")] = {"before_kib": before, "after_kib": after, "ok": ok, "failed": failed}
                client.stdin.close()
                PROCS.stop(client)
                PROCS.stop(t.proc)
                log(f"  {t.name}: RSS {before / 1024:.1f} -> {after / 1024:.1f} MiB ({ok} ok, {failed} failed)")
            for kind, r in res_e.items():
                grow = r["after_kib"] - r["before_kib"]
                lines.append(f"| {kind} | {r['before_kib'] / 1024:.1f} MiB | {r['after_kib'] / 1024:.1f} MiB "
                             f"| {grow / 1024:.1f} MiB | {grow * 1024 / max(1, r['ok']):,.0f} B "
                             f"| {r['after_kib'] / res_e['haproxy']['after_kib']:.2f} | {r['ok']}/{r['failed']} |")
            results["e"] = res_e
            report.append("\n".join(lines) + "\n")
    finally:
        PROCS.stop_all()
        if not args.keep:
            shutil.rmtree(run, ignore_errors=True)

    report.append(verdicts(results, args.vs_count))
    report.append(f"Total bench time: {time.monotonic() - t_start:.0f} s; load average at end: "
                  f"{' '.join(f'{x:.2f}' for x in os.getloadavg())}.\n")
    text = "\n".join(report)
    print(text)
    os.makedirs(out_dir, exist_ok=True)
    with open(os.path.join(out_dir, "results.md"), "w") as f:
        f.write(text)
    with open(os.path.join(out_dir, "results.json"), "w") as f:
        json.dump(results, f, indent=1)
    log(f"results written to {out_dir}/results.md and results.json")
    return 0


if __name__ == "__main__":
    sys.exit(main())
