"""Live configuration through the real gateway, with keep-alive load running throughout: blue-green
flip, canary walk (in-place write, rename, ConfigMap `..data` symlink swap), broken config mid-load,
Gateway servers added and removed, SIGHUP, graceful drain on SIGTERM, and reload latency."""

import http.client
import os
import re
import shutil
import signal
import socket
import statistics
import sys
import threading
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gwtest  # noqa: E402
import harness  # noqa: E402

HOST = "shop.example.com"


def base_docs(port, blue, green, extra_ports=()):
    """Gateway (one server per port), a ServiceEntry over the blue and green upstreams, and a
    DestinationRule with one subset each."""
    gw = gwtest.gateway("gw", port, ["*"])
    for p in extra_ports:
        gw += f"""  - port:
      number: {p}
      name: http-{p}
      protocol: HTTP
    hosts:
    - "*"
"""
    dr = """
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata:
  name: shop
  namespace: default
spec:
  host: shop.default.svc.cluster.local
  subsets:
  - name: blue
    labels: {version: blue}
  - name: green
    labels: {version: green}
"""
    se = gwtest.service("shop.default.svc.cluster.local",
                        [gwtest.upstream_endpoint(blue), gwtest.upstream_endpoint(green)])
    return "\n---\n".join(d.strip("\n") for d in (gw, se, dr)) + "\n"


def vs_doc(green_weight, name="shop", host=HOST, blue_weight=None):
    """A VirtualService for `host` splitting between the blue and green subsets."""
    blue_weight = 100 - green_weight if blue_weight is None else blue_weight
    return f"""apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: {name}
  namespace: default
spec:
  hosts: ["{host}"]
  gateways: [gw]
  http:
  - route:
    - destination:
        host: shop.default.svc.cluster.local
        subset: blue
      weight: {blue_weight}
    - destination:
        host: shop.default.svc.cluster.local
        subset: green
      weight: {green_weight}
"""


def write_in_place(path, text):
    # As editors that save in place do: open with O_TRUNC, write, close.
    with open(path, "w") as f:
        f.write(text)


def write_by_rename(path, text):
    # As editors that save atomically do: write a temp file next to it, then rename over it.
    tmp = os.path.join(os.path.dirname(path), "." + os.path.basename(path) + ".tmp")
    with open(tmp, "w") as f:
        f.write(text)
    os.rename(tmp, path)


def applied_versions(gw):
    return [int(v) for v in re.findall(r"config version (\d+) ", gw.stderr())]


def wait_applied(gw, after, timeout=5.0):
    """Waits until the gateway logs a config version above `after`; returns it."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        v = applied_versions(gw)
        if v and v[-1] > after:
            return v[-1]
        time.sleep(0.01)
    raise AssertionError(f"no config version above {after} within {timeout}s:\n{gw.stderr()[-3000:]}")


def current_version(gw):
    v = applied_versions(gw)
    return v[-1] if v else 0


class Load:
    """Threads that each hold one keep-alive connection and send GETs in a loop, recording
    (sent, received, host, status, x-upstream-version, error) per request. A connection the
    server closes with `Connection: close` is reopened; any exception counts as an error."""

    def __init__(self, port, hosts=(HOST,), threads=4, path="/"):
        self.port, self.hosts, self.path = port, list(hosts), path
        self.samples = []
        self.lock = threading.Lock()
        self.stopping = threading.Event()
        self.threads = [threading.Thread(target=self._run, args=(i,), daemon=True) for i in range(threads)]

    def _run(self, i):
        conn = None
        n = i
        while not self.stopping.is_set():
            host = self.hosts[n % len(self.hosts)]
            n += 1
            if conn is None:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
            t0 = time.monotonic()
            try:
                conn.request("GET", self.path, headers={"Host": host})
                resp = conn.getresponse()
                resp.read()
                rec = (t0, time.monotonic(), host, resp.status, resp.getheader("x-upstream-version", "-"), None)
                if resp.will_close:
                    conn.close()
                    conn = None
            except Exception as e:  # noqa: BLE001 - every failure is a test failure
                rec = (t0, time.monotonic(), host, 0, "-", repr(e))
                conn.close()
                conn = None
            with self.lock:
                self.samples.append(rec)
        if conn is not None:
            conn.close()

    def __enter__(self):
        for t in self.threads:
            t.start()
        return self

    def __exit__(self, *exc):
        self.stopping.set()
        for t in self.threads:
            t.join(timeout=15)
        return False

    def snapshot(self):
        with self.lock:
            return list(self.samples)

    def wait_count(self, since, n, timeout=20.0):
        """Waits until `n` requests were sent at or after time `since`."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if sum(1 for s in self.snapshot() if s[0] >= since) >= n:
                return
            time.sleep(0.05)
        raise AssertionError(f"load generator sent fewer than {n} requests in {timeout}s")

    def failures(self):
        return [s for s in self.snapshot() if s[3] != 200 or s[5]]


class ReloadTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.blue = harness.start_upstream("shop", "blue", threads=2)
        cls.green = harness.start_upstream("shop", "green", threads=2)

    @classmethod
    def tearDownClass(cls):
        cls.green.stop()
        cls.blue.stop()

    def start(self, files, extra_args=(), listen_ports=()):
        """Starts a gateway on a temp dir holding `files` ({name: text})."""
        d = self.make_dir(files)
        return self.start_on(d, listen_ports, extra_args)

    def make_dir(self, files):
        import tempfile

        d = tempfile.mkdtemp(prefix="sy-reload-")
        for name, text in files.items():
            write_in_place(os.path.join(d, name), text)
        return d

    def start_on(self, d, listen_ports, extra_args=()):
        args = [harness.switchyard_bin(), "serve", "-c", d, "--bind", "127.0.0.1", "--workers", "2",
                "--access-log", "off", *extra_args]
        gw = harness.start_process(args, ready_port=listen_ports[0])
        gw.config_dir = d
        self.addCleanup(gw.stop)
        return gw

    def assert_no_failures(self, load, gw):
        bad = load.failures()
        self.assertEqual(bad[:5], [], f"{len(bad)} failed of {len(load.snapshot())}\n{gw.stderr()[-3000:]}")

    def test_blue_green_flip_under_load(self):
        # 100% blue → 100% green under ≥ 200 req/s of keep-alive load: no failure, all green after the switch.
        port = harness.free_port()
        gw = self.start({"base.yaml": base_docs(port, self.blue, self.green), "vs.yaml": vs_doc(0)},
                        listen_ports=[port])
        with Load(port, threads=4) as load:
            time.sleep(1.0)
            v0 = current_version(gw)
            switch = time.monotonic()
            write_by_rename(os.path.join(gw.config_dir, "vs.yaml"), vs_doc(100))
            wait_applied(gw, v0)
            applied = time.monotonic()
            time.sleep(1.5)
        samples = load.snapshot()
        self.assert_no_failures(load, gw)
        before = [s for s in samples if s[1] < switch]
        self.assertTrue(before and all(s[4] == "blue" for s in before), "green answered before the switch")
        after = [s for s in samples if s[0] > applied]
        self.assertTrue(after and all(s[4] == "green" for s in after),
                        f"{sum(s[4] != 'green' for s in after)} of {len(after)} not green after the reload")
        first_green = min(s[1] for s in samples if s[4] == "green")
        self.assertLess(first_green - switch, 1.0)
        # Rate across the whole run.
        span = samples[-1][1] - samples[0][0]
        self.assertGreaterEqual(len(samples) / span, 200, f"only {len(samples) / span:.0f} req/s")

    def test_canary_walk_in_place_rename_and_configmap_symlink_swap(self):
        # Canary 10 → 25 → 50 → 100 written in place, by rename and by `..data` swap; each split within ±3 points.
        port = harness.free_port()
        d = self.make_dir({})
        # ConfigMap mount layout: the real files live in a timestamped dir that ..data points to.
        os.mkdir(os.path.join(d, "..2026_01_01"))
        write_in_place(os.path.join(d, "..2026_01_01", "base.yaml"), base_docs(port, self.blue, self.green))
        write_in_place(os.path.join(d, "..2026_01_01", "vs.yaml"), vs_doc(0))
        os.symlink("..2026_01_01", os.path.join(d, "..data"))
        for name in ("base.yaml", "vs.yaml"):
            os.symlink(os.path.join("..data", name), os.path.join(d, name))
        gw = self.start_on(d, [port])

        def swap_configmap(text):
            # What the kubelet does: new timestamped dir, new ..data symlink renamed over the old one.
            old = os.readlink(os.path.join(d, "..data"))
            new = "..2026_01_02"
            os.mkdir(os.path.join(d, new))
            write_in_place(os.path.join(d, new, "base.yaml"), base_docs(port, self.blue, self.green))
            write_in_place(os.path.join(d, new, "vs.yaml"), text)
            os.symlink(new, os.path.join(d, "..data_tmp"))
            os.rename(os.path.join(d, "..data_tmp"), os.path.join(d, "..data"))
            for f in os.listdir(os.path.join(d, old)):
                os.unlink(os.path.join(d, old, f))
            os.rmdir(os.path.join(d, old))

        vs_path = os.path.join(d, "vs.yaml")  # a symlink; writing in place goes through it
        phases = [
            (10, lambda t: write_in_place(vs_path, t)),
            (25, lambda t: write_by_rename(os.path.realpath(vs_path), t)),
            (50, swap_configmap),
            (100, lambda t: write_in_place(vs_path, t)),
        ]
        n_per_phase = 2500
        with Load(port, threads=4) as load:
            time.sleep(0.3)
            for green, write in phases:
                v0 = current_version(gw)
                write(vs_doc(green))
                wait_applied(gw, v0)
                start = time.monotonic()
                load.wait_count(start, n_per_phase)
                phase = [s for s in load.snapshot() if s[0] >= start and s[3] == 200]
                share = 100.0 * sum(s[4] == "green" for s in phase) / len(phase)
                self.assertAlmostEqual(share, green, delta=3.0, msg=f"phase {green}%: observed {share:.1f}% green")
        self.assert_no_failures(load, gw)

    def test_broken_config_mid_load_keeps_last_good_and_applies_valid_changes(self):
        # Bad YAML in one file + negative weight in one object of another + valid changes: zero errors, valid ones apply.
        port = harness.free_port()
        files = {
            "base.yaml": base_docs(port, self.blue, self.green),
            "a.yaml": vs_doc(0, name="a", host="a.example.com"),
            "b.yaml": vs_doc(0, name="b1", host="b1.example.com") + "---\n" + vs_doc(0, name="b2", host="b2.example.com"),
            "c.yaml": vs_doc(0, name="c", host="c.example.com"),
        }
        gw = self.start(files, listen_ports=[port])
        hosts = ["a.example.com", "b1.example.com", "b2.example.com", "c.example.com"]
        d = gw.config_dir

        def versions_by_host(load, since):
            out = {}
            for s in load.snapshot():
                if s[0] >= since:
                    out.setdefault(s[2], set()).add(s[4])
            return out

        with Load(port, hosts=hosts, threads=4) as load:
            time.sleep(0.5)
            v0 = current_version(gw)
            # One write: a.yaml unparseable, b1 gets a negative weight, b2 and c move to green.
            write_in_place(os.path.join(d, "a.yaml"), "apiVersion: networking.istio.io/v1\nkind: [VirtualService\n")
            write_in_place(os.path.join(d, "b.yaml"),
                           vs_doc(0, name="b1", host="b1.example.com", blue_weight=-5) + "---\n" +
                           vs_doc(100, name="b2", host="b2.example.com"))
            write_by_rename(os.path.join(d, "c.yaml"), vs_doc(100, name="c", host="c.example.com"))
            wait_applied(gw, v0)
            time.sleep(0.3)  # a later debounced reload may still be coming; let it settle
            start = time.monotonic()
            load.wait_count(start, 400)
            seen = versions_by_host(load, start)
            self.assertEqual(seen, {"a.example.com": {"blue"}, "b1.example.com": {"blue"},
                                    "b2.example.com": {"green"}, "c.example.com": {"green"}})
            log = gw.stderr()
            self.assertRegex(log, re.escape(os.path.join(d, "a.yaml")) + r":\d+")
            self.assertRegex(log, re.escape(os.path.join(d, "b.yaml")) + r":\d+")
            self.assertIn("VirtualService/default/b1", log)

            # The fix applies, without a restart.
            v1 = current_version(gw)
            write_in_place(os.path.join(d, "a.yaml"), vs_doc(100, name="a", host="a.example.com"))
            write_in_place(os.path.join(d, "b.yaml"),
                           vs_doc(100, name="b1", host="b1.example.com") + "---\n" +
                           vs_doc(100, name="b2", host="b2.example.com"))
            wait_applied(gw, v1)
            time.sleep(0.3)
            start = time.monotonic()
            load.wait_count(start, 400)
            seen = versions_by_host(load, start)
            self.assertEqual(seen, {h: {"green"} for h in hosts})
        self.assert_no_failures(load, gw)

    def test_gateway_server_added_and_removed(self):
        # A Gateway server added opens its port, removed stops accepting; the first port serves throughout.
        port, extra = harness.free_port(), harness.free_port()
        gw = self.start({"base.yaml": base_docs(port, self.blue, self.green), "vs.yaml": vs_doc(0)},
                        listen_ports=[port])
        base_path = os.path.join(gw.config_dir, "base.yaml")
        self.assertFalse(harness.port_accepts(extra))
        with Load(port, threads=3) as load:
            time.sleep(0.3)
            write_by_rename(base_path, base_docs(port, self.blue, self.green, extra_ports=[extra]))
            deadline = time.monotonic() + 3
            while not harness.port_accepts(extra) and time.monotonic() < deadline:
                time.sleep(0.02)
            status, hdrs, _ = harness.http("GET", f"http://127.0.0.1:{extra}/", headers={"Host": HOST})
            self.assertEqual((status, hdrs.get("x-upstream-version")), (200, "blue"))
            # Keep a connection open on the extra port: it must still be served after the removal.
            c = gwtest.Client(extra)
            self.assertEqual(c.get("/", host=HOST)[0], 200)
            write_in_place(base_path, base_docs(port, self.blue, self.green))
            deadline = time.monotonic() + 3
            while harness.port_accepts(extra) and time.monotonic() < deadline:
                time.sleep(0.02)
            self.assertFalse(harness.port_accepts(extra), "removed server's port still accepts")
            time.sleep(0.3)
            with self.assertRaises(OSError):  # refused, not a hang
                socket.create_connection(("127.0.0.1", extra), timeout=1).close()
            c.close()
            # Adding it back works again (no stale acceptor in the way).
            write_by_rename(base_path, base_docs(port, self.blue, self.green, extra_ports=[extra]))
            deadline = time.monotonic() + 3
            while not harness.port_accepts(extra) and time.monotonic() < deadline:
                time.sleep(0.02)
            self.assertTrue(harness.port_accepts(extra))
            time.sleep(0.3)
        self.assert_no_failures(load, gw)
        self.assertGreater(len(load.snapshot()), 100)

    def test_busy_port_is_retried_until_it_opens(self):
        # A Gateway server added on a port another process holds: reported, retried, serving within seconds once freed.
        port, admin = harness.free_port(), harness.free_port()
        busy = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.addCleanup(busy.close)
        busy.bind(("127.0.0.1", 0))
        busy.listen(8)
        extra = busy.getsockname()[1]
        gw = self.start({"base.yaml": base_docs(port, self.blue, self.green), "vs.yaml": vs_doc(0)},
                        listen_ports=[port], extra_args=["--admin", f"127.0.0.1:{admin}"])

        def failed_listeners():
            status, _, dump = harness.http_json("GET", f"http://127.0.0.1:{admin}/config_dump")
            self.assertEqual(status, 200)
            return {f["address"]: f for f in dump["listeners_failed"]}

        def failed_gauge():
            _, _, body = harness.http("GET", f"http://127.0.0.1:{admin}/stats/prometheus")
            return int(re.search(r"^switchyard_listeners_failed (\d+)$", body.decode(), re.M).group(1))

        def served_on_extra():
            try:
                status, hdrs, _ = harness.http("GET", f"http://127.0.0.1:{extra}/", headers={"Host": HOST}, timeout=0.5)
                return (status, hdrs.get("x-upstream-version"))
            except (OSError, http.client.HTTPException):
                return None

        with Load(port, threads=2) as load:
            v0 = current_version(gw)
            write_by_rename(os.path.join(gw.config_dir, "base.yaml"),
                            base_docs(port, self.blue, self.green, extra_ports=[extra]))
            wait_applied(gw, v0)
            key = f"127.0.0.1:{extra}"
            self.assertIn(f"cannot listen on {key}", gw.stderr())
            self.assertIn(key, failed_listeners())
            self.assertEqual(failed_gauge(), 1)
            time.sleep(1.5)  # still busy: retried in the background, still failing
            self.assertGreaterEqual(failed_listeners()[key]["attempts"], 2)
            self.assertIsNone(served_on_extra())  # the other process holds it (and never answers)
            busy.close()
            freed = time.monotonic()
            while served_on_extra() is None and time.monotonic() - freed < 5:
                time.sleep(0.05)
            self.assertEqual(served_on_extra(), (200, "blue"), gw.stderr()[-2000:])
            self.assertLess(time.monotonic() - freed, 3.0)
            self.assertEqual(failed_listeners(), {})
            self.assertEqual(failed_gauge(), 0)
            self.assertRegex(gw.stderr(), rf"listener added: {re.escape(key)} \(opened after \d+ failed attempt")
        self.assert_no_failures(load, gw)

    def test_config_dir_deleted_then_recreated(self):
        # The config dir removed (everything stays in force, no errors) and created again with a change (it applies).
        port = harness.free_port()
        base = base_docs(port, self.blue, self.green)
        gw = self.start({"base.yaml": base, "vs.yaml": vs_doc(0)}, listen_ports=[port])
        d = gw.config_dir
        with Load(port, threads=3) as load:
            time.sleep(0.3)
            v0 = current_version(gw)
            shutil.rmtree(d)
            time.sleep(0.6)  # the reload for the deletion has run
            self.assertEqual(load.snapshot()[-1][3:5], (200, "blue"), gw.stderr())
            self.assertTrue(harness.port_accepts(port))
            os.mkdir(d)
            write_in_place(os.path.join(d, "base.yaml"), base)
            write_in_place(os.path.join(d, "vs.yaml"), vs_doc(100))
            wait_applied(gw, v0)
            start = time.monotonic()
            load.wait_count(start, 200)
            self.assertEqual({s[4] for s in load.snapshot() if s[0] >= start}, {"green"})
            # And it is watched again: a further edit applies too.
            v1 = current_version(gw)
            write_in_place(os.path.join(d, "vs.yaml"), vs_doc(0))
            wait_applied(gw, v1)
        self.assert_no_failures(load, gw)

    def test_sighup_forces_reload(self):
        # With --no-watch a file change does nothing until SIGHUP, which applies it.
        port = harness.free_port()
        gw = self.start({"base.yaml": base_docs(port, self.blue, self.green), "vs.yaml": vs_doc(0)},
                        listen_ports=[port], extra_args=["--no-watch"])
        c = gwtest.Client(port)
        self.addCleanup(c.close)
        write_in_place(os.path.join(gw.config_dir, "vs.yaml"), vs_doc(100))
        time.sleep(0.6)
        self.assertEqual(c.get("/", host=HOST)[1].get("x-upstream-version"), "blue")
        v0 = current_version(gw)
        gw.signal(signal.SIGHUP)
        wait_applied(gw, v0)
        self.assertEqual(c.get("/", host=HOST)[1].get("x-upstream-version"), "green")
        self.assertIn("SIGHUP", gw.stderr())
        # An unchanged config is not republished.
        v1 = current_version(gw)
        gw.signal(signal.SIGHUP)
        time.sleep(0.5)
        self.assertEqual(current_version(gw), v1)
        self.assertTrue(gw.alive())

    def test_sigterm_drains_in_flight_then_exits_zero(self):
        # SIGTERM with 1 s requests in flight: they finish with 200, new connections are refused, exit 0 in time.
        port = harness.free_port()
        gw = self.start({"base.yaml": base_docs(port, self.blue, self.green), "vs.yaml": vs_doc(0)},
                        listen_ports=[port], extra_args=["--drain-time-ms", "4000"])
        results = []
        lock = threading.Lock()

        def slow():
            try:
                status, hdrs, _ = harness.http("GET", f"http://127.0.0.1:{port}/", headers={"Host": HOST,
                                               "x-demo-delay": "1000"}, timeout=10)
                out = (status, hdrs.get("connection", ""))
            except Exception as e:  # noqa: BLE001
                out = (0, repr(e))
            with lock:
                results.append(out)

        ts = [threading.Thread(target=slow) for _ in range(6)]
        for t in ts:
            t.start()
        time.sleep(0.4)  # all six are waiting on the upstream
        signaled = time.monotonic()
        gw.signal(signal.SIGTERM)
        time.sleep(0.2)
        with self.assertRaises(OSError):
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
        for t in ts:
            t.join(timeout=10)
        self.assertEqual(sorted(results), [(200, "close")] * 6)
        gw.popen.wait(timeout=6)
        exited = time.monotonic()
        self.assertEqual(gw.popen.returncode, 0, gw.stderr())
        self.assertLess(exited - signaled, 4.0 + 1.0)
        self.assertIn("draining", gw.stderr())

    def test_reload_latency(self):
        # Ten flips (in place and by rename): file write → first request on the new route, under load.
        port = harness.free_port()
        gw = self.start({"base.yaml": base_docs(port, self.blue, self.green), "vs.yaml": vs_doc(0)},
                        listen_ports=[port])
        vs_path = os.path.join(gw.config_dir, "vs.yaml")
        c = gwtest.Client(port)
        self.addCleanup(c.close)
        latencies = []
        with Load(port, threads=2) as load:
            for i in range(10):
                want = "green" if i % 2 == 0 else "blue"
                (write_in_place if i % 4 < 2 else write_by_rename)(vs_path, vs_doc(100 if want == "green" else 0))
                t0 = time.monotonic()
                while time.monotonic() - t0 < 5:
                    status, hdrs, _ = c.get("/", host=HOST)
                    self.assertEqual(status, 200)
                    if hdrs.get("x-upstream-version") == want:
                        break
                latencies.append((time.monotonic() - t0) * 1000)
                time.sleep(0.3)
        self.assert_no_failures(load, gw)
        latencies.sort()
        sys.stderr.write(f"\nreload latency over {len(latencies)} changes: median {statistics.median(latencies):.0f} ms, "
                         f"max {latencies[-1]:.0f} ms ({', '.join(f'{x:.0f}' for x in latencies)})\n")
        self.assertLess(latencies[-1], 1000, gw.stderr()[-4000:])


if __name__ == "__main__":
    harness.main()
