#!/usr/bin/env python3
"""Config scale (docs/performance.md, scenario f): how start-up, memory and a one-object reload
grow with the number of VirtualServices.

For each N it writes N VirtualServices of three routes (a `uri.prefix` route, an exact `x-tenant`
header route, a catch-all), all to one ServiceEntry with a STATIC endpoint on 127.0.0.1 served by
a tiny upstream, and one Gateway for `hosts: "*"`. N-1 of them sit in files of --per-file each;
the last one sits alone in `zz-changed.yaml`, so changing it is a realistic "one changed object".

Measured per N:
  ready   process start -> first 200 for the last VirtualService's host
  rss     VmRSS right after ready (and VmHWM, the peak while loading)
  apply   `config version 2 (...) applied in X ms` of the reload that the rewrite causes
          (load + admission + compile + publish)
  change  write of the changed file -> first response that carries the new config; includes the
          watcher's debounce (100 ms)

Usage: bench/config_scale.py [--bin build/switchyard] [--sizes 1000,10000,50000]
Stdlib only.
"""
from __future__ import annotations

import argparse
import http.client
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def host_of(i: int) -> str:
    return f"svc-{i:05d}.scale.test"


def gateway_and_service(port: int, upstream_port: int) -> str:
    return f"""apiVersion: networking.istio.io/v1
kind: Gateway
metadata:
  name: scale-gw
  namespace: scale
spec:
  servers:
  - port:
      number: {port}
      name: http
      protocol: HTTP
    hosts:
    - "*"
---
apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata:
  name: upstream
  namespace: scale
spec:
  hosts:
  - upstream.scale.test
  location: MESH_EXTERNAL
  resolution: STATIC
  ports:
  - number: 80
    name: http
    protocol: HTTP
  endpoints:
  - address: 127.0.0.1
    ports:
      http: {upstream_port}
"""


def virtual_service(i: int, generation: int = 1) -> str:
    """VirtualService i; its catch-all sets `x-config-gen` so a client can tell versions apart."""
    dest = """    route:
    - destination:
        host: upstream.scale.test
        port:
          number: 80
"""
    return f"""apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: vs-{i:05d}
  namespace: scale
spec:
  hosts:
  - {host_of(i)}
  gateways:
  - scale-gw
  http:
  - name: api
    match:
    - uri:
        prefix: /api/v{i}/
{dest}  - name: tenant
    match:
    - headers:
        x-tenant:
          exact: t{i}
{dest}  - name: default
{dest}    headers:
      response:
        set:
          x-config-gen: "{generation}"
"""


def write_config(cfg_dir: str, n: int, per_file: int, port: int, upstream_port: int) -> str:
    """Writes the config; returns the path of the file holding only the last VirtualService."""
    os.makedirs(cfg_dir, exist_ok=True)
    with open(os.path.join(cfg_dir, "00-gateway.yaml"), "w") as f:
        f.write(gateway_and_service(port, upstream_port))
    for start in range(0, n - 1, per_file):
        with open(os.path.join(cfg_dir, f"vs-{start:06d}.yaml"), "w") as f:
            f.write("---\n".join(virtual_service(i) for i in range(start, min(start + per_file, n - 1))))
    changed = os.path.join(cfg_dir, "zz-changed.yaml")
    with open(changed, "w") as f:
        f.write(virtual_service(n - 1))
    return changed


def get(port: int, host: str, timeout: float = 2.0) -> tuple[int, str]:
    """One GET / with Host `host` on a fresh connection: (status, x-config-gen), (0, "") if refused."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request("GET", "/", headers={"Host": host})
        r = conn.getresponse()
        r.read()
        return r.status, r.getheader("x-config-gen") or ""
    except OSError:
        return 0, ""
    finally:
        conn.close()


def proc_status(pid: int, field: str) -> int:
    """A /proc/PID/status field in KiB (VmRSS, VmHWM)."""
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return 0


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far: on a shared machine a steadier figure than wall time."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def wait_log(path: str, pattern: re.Pattern, timeout: float) -> re.Match | None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with open(path, errors="replace") as f:
            m = None
            for m in pattern.finditer(f.read()):
                pass
            if m:
                return m
        time.sleep(0.01)
    return None


def measure(binary: str, n: int, per_file: int, upstream_port: int, work: str) -> dict:
    port = free_port()
    cfg = os.path.join(work, f"config-{n}")
    changed = write_config(cfg, n, per_file, port, upstream_port)
    host = host_of(n - 1)
    log_path = os.path.join(work, f"switchyard-{n}.log")
    cmd = [binary, "serve", "-c", cfg, "--workers", "1", "--bind", "127.0.0.1", "--drain-time-ms", "200",
           "--admin", "off", "--access-log", "off"]
    with open(log_path, "w") as log:
        t0 = time.monotonic()
        p = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT)
    try:
        status = 0
        while status != 200:
            if p.poll() is not None:
                raise RuntimeError(f"switchyard exited with {p.returncode}; see {log_path}")
            if time.monotonic() - t0 > 300:
                raise RuntimeError(f"not ready after 300 s; see {log_path}")
            status, gen = get(port, host, timeout=30)
            if status != 200:
                time.sleep(0.002)
        ready = time.monotonic() - t0
        ready_cpu = cpu_seconds(p.pid)
        rss = proc_status(p.pid, "VmRSS")
        hwm = proc_status(p.pid, "VmHWM")
        time.sleep(0.5)  # let the watcher settle so the write below is one change
        rss_settled = proc_status(p.pid, "VmRSS")

        with open(changed + ".tmp", "w") as f:
            f.write(virtual_service(n - 1, generation=2))
        t1 = time.monotonic()
        os.rename(changed + ".tmp", changed)
        gen = ""
        while gen != "2":
            if time.monotonic() - t1 > 120:
                raise RuntimeError(f"the change was not served after 120 s; see {log_path}")
            _, gen = get(port, host, timeout=30)
        change = time.monotonic() - t1
        m = wait_log(log_path, re.compile(r"config version 2 \([0-9a-f]+\) applied in ([0-9.]+) ms"), 10)
        first = re.search(r"config version 1 \([0-9a-f]+\) applied in ([0-9.]+) ms", open(log_path).read())
        return {
            "n": n,
            "ready_s": ready,
            "ready_cpu_s": ready_cpu,
            "load_ms": float(first.group(1)) if first else float("nan"),
            "rss_mib": rss / 1024,
            "rss_settled_mib": rss_settled / 1024,
            "hwm_mib": hwm / 1024,
            "apply_ms": float(m.group(1)) if m else float("nan"),
            "change_ms": change * 1000,
        }
    finally:
        p.terminate()
        try:
            p.wait(10)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()
        shutil.rmtree(cfg, ignore_errors=True)


def start_upstream(work: str) -> tuple[subprocess.Popen, int]:
    """bench/fast_upstream when built (build/bench/fast-upstream, by bench/run.sh), else http.server."""
    port = free_port()
    fast = os.path.join(os.path.dirname(HERE), "build", "bench", "fast-upstream")
    if os.access(fast, os.X_OK):
        cmd = [fast, str(port)]
    else:
        root = os.path.join(work, "www")
        os.makedirs(root, exist_ok=True)
        with open(os.path.join(root, "index.html"), "w") as f:
            f.write("ok\n")
        cmd = [sys.executable, "-m", "http.server", "--bind", "127.0.0.1", "--directory", root, str(port)]
    p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return p, port
        except OSError:
            time.sleep(0.05)
    p.kill()
    raise RuntimeError("upstream did not start")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bin", default=os.path.join(os.path.dirname(HERE), "build", "switchyard"))
    ap.add_argument("--sizes", default="1000,10000,50000", help="comma-separated VirtualService counts")
    ap.add_argument("--per-file", type=int, default=1000, help="VirtualServices per file of the big set")
    ap.add_argument("--keep", action="store_true", help="keep the work directory (logs)")
    args = ap.parse_args()

    work = tempfile.mkdtemp(prefix="config-scale-")
    upstream, upstream_port = start_upstream(work)
    rows = []
    try:
        with open("/proc/loadavg") as f:
            load = " ".join(f.read().split()[:3])
        for n in (int(x) for x in args.sizes.split(",")):
            r = measure(args.bin, n, args.per_file, upstream_port, work)
            rows.append(r)
            print(f"N={n}: ready {r['ready_s']:.3f} s, RSS {r['rss_mib']:.1f} MiB, apply {r['apply_ms']:.1f} ms",
                  file=sys.stderr, flush=True)
    finally:
        upstream.terminate()
        upstream.wait()
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
        else:
            print(f"work directory: {work}", file=sys.stderr)

    print(f"load average before the run: {load}")
    print(f"{'VirtualServices':>15} | {'ready':>8} | {'CPU to ready':>12} | {'first load':>10} | {'RSS ready':>9} | "
          f"{'RSS +0.5s':>9} | {'peak RSS':>8} | {'apply 1 VS':>10} | {'write->served':>13}")
    print(f"{'-' * 15}-|-{'-' * 8}-|-{'-' * 12}-|-{'-' * 10}-|-{'-' * 9}-|-{'-' * 9}-|-{'-' * 8}-|-{'-' * 10}-|-{'-' * 13}")
    for r in rows:
        print(f"{r['n']:>15,} | {r['ready_s']:>6.3f} s | {r['ready_cpu_s']:>10.2f} s | {r['load_ms']:>7.0f} ms | "
              f"{r['rss_mib']:>5.0f} MiB | "
              f"{r['rss_settled_mib']:>5.0f} MiB | {r['hwm_mib']:>4.0f} MiB | {r['apply_ms']:>7.1f} ms | "
              f"{r['change_ms']:>10.0f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
