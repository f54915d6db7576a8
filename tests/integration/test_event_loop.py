"""Which event loop `switchyard serve` runs on: io_uring where the kernel allows it, epoll where it
is refused (a container's seccomp profile; here tools/deny_io_uring) by handing over to
switchyard-epoll with exec, so the process id stays; and `--io` to choose."""

import os
import subprocess
import sys
import tempfile
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gwtest  # noqa: E402
import harness  # noqa: E402

SIBLING = os.path.join(os.path.dirname(harness.switchyard_bin()), "switchyard-epoll")
HAS_IO_URING_BUILD = os.path.exists(SIBLING)  # built without liburing: one epoll binary


def seccomp_available():
    """deny-io-uring needs to install a seccomp filter; a sandbox may refuse even that."""
    p = subprocess.run([harness.deny_io_uring_bin(), "true"], capture_output=True, text=True, timeout=10)
    return p.returncode == 0, p.stderr.strip()


SECCOMP_OK, SECCOMP_WHY = seccomp_available()
needs_seccomp = unittest.skipUnless(SECCOMP_OK, f"cannot install a seccomp filter here: {SECCOMP_WHY}")


class EventLoopTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.up = harness.start_upstream("svc", "v1")

    @classmethod
    def tearDownClass(cls):
        cls.up.stop()

    def serve(self, extra_args=(), wrapper=()):
        port = harness.free_port()
        docs = [gwtest.gateway("gw", port, ["*"]),
                gwtest.service("svc.default.svc.cluster.local", [gwtest.upstream_endpoint(self.up)]),
                gwtest.route_all("svc", "svc.default.svc.cluster.local")]
        gw = gwtest.start_gateway(docs, listen_ports=[port], extra_args=["--admin", "off", *extra_args],
                                  wrapper=wrapper)
        self.addCleanup(gw.stop)
        return gw, port

    def assert_serves(self, port):
        c = gwtest.Client(port)
        try:
            for _ in range(20):
                status, hdrs, _ = c.get("/", host="svc.example.com")
                self.assertEqual(status, 200)
                self.assertEqual(hdrs["x-upstream-version"], "v1")
        finally:
            c.close()

    def wait_log(self, gw, text, timeout=5.0):
        deadline = time.monotonic() + timeout
        while text not in gw.stderr():
            if time.monotonic() > deadline:
                self.fail(f"no {text!r} in the log:\n{gw.stderr()}")
            time.sleep(0.02)

    def running_binary(self, gw):
        return os.path.basename(os.readlink(f"/proc/{gw.pid}/exe"))

    # Scenario: io_uring refused by a seccomp filter: the default hands over to epoll in the same process and serves.
    @needs_seccomp
    def test_refused_io_uring_falls_back_to_epoll(self):
        gw, port = self.serve(wrapper=[harness.deny_io_uring_bin()])
        self.wait_log(gw, "event loop: epoll")
        self.assert_serves(port)
        if HAS_IO_URING_BUILD:
            self.assertIn("io_uring is not available here", gw.stderr())
            self.assertIn("Operation not permitted", gw.stderr())
            self.assertEqual(self.running_binary(gw), "switchyard-epoll")

    # Scenario: a kernel that creates rings but cannot report its io_uring operations (before 5.6): epoll, not a proxy whose accepts fail.
    @needs_seccomp
    def test_unprobeable_io_uring_falls_back_to_epoll(self):
        if not HAS_IO_URING_BUILD:
            self.skipTest("built without liburing: epoll only")
        gw, port = self.serve(wrapper=[harness.deny_io_uring_bin(), "--register-only"])
        self.wait_log(gw, "event loop: epoll")
        self.assertIn("cannot report its io_uring operations", gw.stderr())
        self.assertEqual(self.running_binary(gw), "switchyard-epoll")
        self.assert_serves(port)

    # Scenario: --io io_uring where io_uring is refused exits 1 with the reason instead of running on epoll.
    @needs_seccomp
    def test_required_io_uring_refused_exits_with_reason(self):
        d = tempfile.mkdtemp(prefix="sy-io-")
        harness.write_yaml(d, "gw.yaml", gwtest.gateway("gw", harness.free_port(), ["*"]))
        p = subprocess.run([harness.deny_io_uring_bin(), harness.switchyard_bin(), "serve", "-c", d, "--admin", "off",
                            "--io", "io_uring"], capture_output=True, text=True, timeout=30)
        self.assertEqual(p.returncode, 1, p.stderr)
        if HAS_IO_URING_BUILD:
            self.assertIn("--io io_uring: io_uring is not available here", p.stderr)
            self.assertIn("Operation not permitted", p.stderr)
        else:
            self.assertIn("built without liburing", p.stderr)

    # Scenario: --io epoll runs on epoll (the sibling binary, same process id) and serves.
    def test_epoll_on_request(self):
        gw, port = self.serve(extra_args=["--io", "epoll"])
        self.wait_log(gw, "event loop: epoll")
        self.assert_serves(port)
        if HAS_IO_URING_BUILD:
            self.assertEqual(self.running_binary(gw), "switchyard-epoll")
            self.assertNotIn("not available", gw.stderr())

    # Scenario: by default the io_uring build stays on io_uring where the kernel allows it.
    def test_default_prefers_io_uring(self):
        if not HAS_IO_URING_BUILD:
            self.skipTest("built without liburing: epoll only")
        gw, port = self.serve()
        self.wait_log(gw, "event loop:")
        if "io_uring is not available here" in gw.stderr():
            self.skipTest("this machine refuses io_uring: " + gw.stderr().splitlines()[0])
        self.assertIn("event loop: io_uring", gw.stderr())
        self.assertEqual(self.running_binary(gw), "switchyard")
        self.assert_serves(port)


if __name__ == "__main__":
    harness.main()
