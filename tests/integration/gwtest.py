"""Helpers for the gateway integration tests (test_gateway_*.py): start a real `switchyard serve`
on Istio YAML written to a temp dir, build ServiceEntry/WorkloadEntry YAML for demo upstreams,
and talk HTTP over keep-alive connections. Standard library only; see harness.py for processes."""

import http.client
import json
import os
import socket
import tempfile
import threading
import time

import harness


def _admin_port(args):
    """[P] for `--admin 127.0.0.1:P` among `args` (a real port, not 0 or off), else []."""
    args = list(args)
    for flag, value in zip(args, args[1:]):
        if flag == "--admin" and value.startswith("127.0.0.1:") and value.rsplit(":", 1)[1] not in ("", "0"):
            return [int(value.rsplit(":", 1)[1])]
    return []


def start_gateway(yaml_docs, listen_ports=(), mesh_ports=(), extra_args=(), workers=2, timeout=15.0, wrapper=()):
    """Write `yaml_docs` (a string, or a list of strings joined with ---) to a fresh temp dir and
    start `switchyard serve -c DIR --bind 127.0.0.1` (behind `wrapper`, a command prefix, if given).
    Waits until every port in `listen_ports` (Gateway server ports) and `mesh_ports` (given as
    --mesh-listen 127.0.0.1:P) accepts, and the `--admin 127.0.0.1:P` port if one is given (the
    admin listener opens after the traffic ports: a slow build, such as TSan's, showed the gap)."""
    if not isinstance(yaml_docs, str):
        yaml_docs = "\n---\n".join(d.strip("\n") for d in yaml_docs)
    d = tempfile.mkdtemp(prefix="sy-gw-")
    harness.write_yaml(d, "config.yaml", yaml_docs)
    args = [*wrapper, harness.switchyard_bin(), "serve", "-c", d, "--bind", "127.0.0.1", "--workers", str(workers)]
    for p in mesh_ports:
        args += ["--mesh-listen", f"127.0.0.1:{p}"]
    args += list(extra_args)
    proc = harness.start_process(args)
    deadline = time.monotonic() + timeout
    for p in list(listen_ports) + list(mesh_ports) + _admin_port(extra_args):
        while not harness.port_accepts(p):
            if not proc.alive() or time.monotonic() > deadline:
                proc.stop()
                raise harness.StartError(f"gateway did not open port {p}:\n{proc.describe()}")
            time.sleep(0.02)
    proc.config_dir = d
    return proc


def gateway(name, port, hosts, ns="default", selector=None):
    sel = "".join(f"\n    {k}: {v}" for k, v in (selector or {"istio": "ingressgateway"}).items())
    host_lines = "".join(f'\n    - "{h}"' for h in hosts)
    return f"""
apiVersion: networking.istio.io/v1
kind: Gateway
metadata:
  name: {name}
  namespace: {ns}
spec:
  selector:{sel}
  servers:
  - port:
      number: {port}
      name: http
      protocol: HTTP
    hosts:{host_lines}
"""


def service(host, endpoints, ns="default", port=80, resolution="STATIC", name=None):
    """A ServiceEntry for `host` on `port` whose inline endpoints are (address, port, labels[, weight])."""
    name = name or host.split(".")[0]
    eps = ""
    for ep in endpoints:
        address, ep_port, labels = ep[0], ep[1], ep[2]
        eps += f"\n  - address: {address}\n    ports:\n      http: {ep_port}"
        if labels:
            eps += "\n    labels:" + "".join(f"\n      {k}: {v}" for k, v in labels.items())
        if len(ep) > 3 and ep[3] is not None:
            eps += f"\n    weight: {ep[3]}"
    return f"""
apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata:
  name: {name}
  namespace: {ns}
spec:
  hosts:
  - {host}
  location: MESH_INTERNAL
  resolution: {resolution}
  ports:
  - number: {port}
    name: http
    protocol: HTTP
  endpoints:{eps if eps else " []"}
"""


def route_all(name, host, gateway="gw", ns="default"):
    """A VirtualService `name` for host NAME.example.com on `gateway` sending everything to `host`."""
    return f"""
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: {name}
  namespace: {ns}
spec:
  hosts: ["{name}.example.com"]
  gateways: [{gateway}]
  http:
  - route:
    - destination:
        host: {host}
"""


def upstream_endpoint(up, labels=None, weight=None):
    return ("127.0.0.1", up.port, labels if labels is not None else {"version": up.version}, weight)


class Client:
    """One keep-alive HTTP/1.1 connection to 127.0.0.1:port; reconnects when the server closed it.
    request() returns (status, headers dict with lower-case names, body bytes)."""

    def __init__(self, port, timeout=10):
        self.port = port
        self.timeout = timeout
        self.conn = None
        self.connects = 0

    def _connect(self):
        self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=self.timeout)
        self.connects += 1

    def request(self, method, path, host=None, headers=None, body=None):
        hdrs = dict(headers or {})
        if host is not None:
            hdrs["Host"] = host
        for attempt in range(2):
            if self.conn is None:
                self._connect()
            try:
                self.conn.request(method, path, body=body, headers=hdrs)
                resp = self.conn.getresponse()
                data = resp.read()
                out = {}
                for k, v in resp.getheaders():
                    k = k.lower()
                    out[k] = f"{out[k]}, {v}" if k in out else v
                if resp.will_close:
                    self.close()
                return resp.status, out, data
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError):
                # A keep-alive connection the server closed between requests: retry once, fresh.
                self.close()
                if attempt == 1:
                    raise
        raise AssertionError("unreachable")

    def get(self, path, host=None, headers=None):
        return self.request("GET", path, host=host, headers=headers)

    def json(self, method, path, host=None, headers=None, body=None):
        status, hdrs, data = self.request(method, path, host=host, headers=headers, body=body)
        return status, hdrs, (json.loads(data) if data and hdrs.get("content-type", "").startswith("application/json") else data)

    def close(self):
        if self.conn is not None:
            self.conn.close()
            self.conn = None


def count_versions(port, host, n, path="/", threads=4, headers=None, key="x-upstream-version"):
    """Send n GETs over `threads` keep-alive connections; returns {header value: count} and
    counts non-200 answers under 'status:N'."""
    counts = {}
    lock = threading.Lock()
    errors = []

    def run(k):
        c = Client(port)
        local = {}
        try:
            for _ in range(k):
                status, hdrs, _ = c.get(path, host=host, headers=headers)
                v = hdrs.get(key, "-") if status == 200 else f"status:{status}"
                local[v] = local.get(v, 0) + 1
        except Exception as e:  # reported below, so a thread failure fails the test
            errors.append(e)
        finally:
            c.close()
        with lock:
            for v, m in local.items():
                counts[v] = counts.get(v, 0) + m

    per = [n // threads + (1 if i < n % threads else 0) for i in range(threads)]
    ts = [threading.Thread(target=run, args=(k,)) for k in per]
    for t in ts:
        t.start()
    for t in ts:
        t.join(timeout=300)
    if errors:
        raise errors[0]
    return counts


def raw_exchange(port, data, read_timeout=3.0):
    """Send raw bytes on a fresh connection and read until the server closes (or the timeout).
    Returns (bytes received, closed_by_server)."""
    s = socket.create_connection(("127.0.0.1", port), timeout=read_timeout)
    try:
        s.sendall(data)
        out = b""
        while True:
            try:
                chunk = s.recv(65536)
            except socket.timeout:
                return out, False
            except ConnectionResetError:
                return out, True
            if not chunk:
                return out, True
            out += chunk
    finally:
        s.close()


def status_of(raw):
    """Status code of the first response in raw bytes (0 when none)."""
    if not raw.startswith(b"HTTP/1."):
        return 0
    return int(raw.split(b" ", 2)[1])
