"""Shared helpers for switchyard's integration tests (standard library only).

Binaries come from the env vars ctest sets (SWITCHYARD_BIN, SWITCHYARD_BUILD, SWITCHYARD_SRC),
falling back to build/ under the repository root. Every process started here is recorded and
killed by PID at exit (atexit, SIGTERM, or the context managers), even when a test fails.

Typical use:

    import harness
    class T(unittest.TestCase):
        def test_x(self):
            with harness.start_upstream("reviews", "v1") as up:
                status, headers, body = harness.http("GET", up.url("/"))

    if __name__ == "__main__":
        harness.main()
"""

import atexit
import fcntl
import http.client as httplib
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import textwrap
import time
import unittest
import urllib.parse

SRC = os.environ.get("SWITCHYARD_SRC") or os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
BUILD = os.environ.get("SWITCHYARD_BUILD") or os.path.join(SRC, "build")


def switchyard_bin():
    """Path of the switchyard binary."""
    return os.environ.get("SWITCHYARD_BIN") or os.path.join(BUILD, "switchyard")


def demo_upstream_bin():
    """Path of the demo-upstream binary."""
    return os.path.join(BUILD, "demo-upstream")


def deny_io_uring_bin():
    """Path of deny-io-uring, which runs a command with io_uring refused (tools/deny_io_uring)."""
    return os.path.join(BUILD, "deny-io-uring")


def free_port():
    """A TCP port on 127.0.0.1 that was free a moment ago (prefer port 0 + --port-file when a
    server supports it: another process may take this one first)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def port_accepts(port, host="127.0.0.1", timeout=0.2):
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


# === processes ===

_live = {}  # pid -> Process, everything started and not yet stopped


class StartError(RuntimeError):
    pass


def _die_with_parent():
    # Runs in the child before exec: if the test runner is SIGKILLed, take the child with it.
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        PR_SET_PDEATHSIG = 1
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    except Exception:
        pass


class SanitizerError(AssertionError):
    """A child built with AddressSanitizer/UBSan reported a finding (make test-asan)."""


_SANITIZER_MARKERS = ("ERROR: AddressSanitizer", "ERROR: LeakSanitizer", "runtime error:")


def sanitizer_report(stderr_text):
    """The sanitizer report in a child's stderr, from its first line on ("" if none)."""
    starts = [i for i in (stderr_text.find(m) for m in _SANITIZER_MARKERS) if i >= 0]
    return stderr_text[min(starts):][:6000] if starts else ""


class Process:
    """A started child process. stdout/stderr go to temp files (never pipes, so a chatty child
    can't block). Use as a context manager or call stop()."""

    def __init__(self, args, env=None, cwd=None):
        self.args = [str(a) for a in args]
        self._out = tempfile.TemporaryFile()
        self._err = tempfile.TemporaryFile()
        # The child shares these open files (and their offset) with us: O_APPEND makes its writes
        # land at the end whatever we do, and _read uses pread so it never moves the offset.
        # (Without both, a log line written while we read could overwrite the start of the file.)
        for f in (self._out, self._err):
            fcntl.fcntl(f.fileno(), fcntl.F_SETFL, fcntl.fcntl(f.fileno(), fcntl.F_GETFL) | os.O_APPEND)
        self._captured = {}
        self.popen = subprocess.Popen(
            self.args,
            stdin=subprocess.DEVNULL,
            stdout=self._out,
            stderr=self._err,
            env=env,
            cwd=cwd,
            preexec_fn=_die_with_parent,
        )
        self.pid = self.popen.pid
        _live[self.pid] = self

    def alive(self):
        return self.popen.poll() is None

    def _read(self, f):
        if f.closed:
            return self._captured.get(id(f), "")
        size = os.fstat(f.fileno()).st_size
        return os.pread(f.fileno(), size, 0).decode("utf-8", "replace")

    def stdout(self):
        return self._read(self._out)

    def stderr(self):
        return self._read(self._err)

    def _close_files(self):
        # Keep the text for describe() after stop, then release the temp files.
        for f in (self._out, self._err):
            if not f.closed:
                self._captured[id(f)] = self._read(f)
                f.close()

    def rss_kb(self, field="VmRSS"):
        """Resident memory from /proc/PID/status in KiB (field VmRSS, or VmHWM for the peak)."""
        with open(f"/proc/{self.pid}/status") as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
        raise KeyError(field)

    def signal(self, sig):
        if self.alive():
            os.kill(self.pid, sig)

    def stop(self, timeout=5.0):
        """SIGTERM, then SIGKILL after `timeout`. Returns the exit code."""
        if self.alive():
            try:
                os.kill(self.pid, signal.SIGTERM)
                self.popen.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                os.kill(self.pid, signal.SIGKILL)
                self.popen.wait()
            except ProcessLookupError:
                pass
        _live.pop(self.pid, None)
        self._close_files()
        report = sanitizer_report(self._captured.get(id(self._err), ""))
        if report:
            raise SanitizerError(f"{' '.join(self.args)} (pid {self.pid}):\n{report}")
        return self.popen.returncode

    def describe(self):
        return f"{' '.join(self.args)} (pid {self.pid}, exit {self.popen.poll()})\n--- stderr ---\n{self.stderr()}"

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()
        return False


def _wait_until(predicate, proc, timeout, what):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        if not proc.alive():
            proc.stop()
            raise StartError(f"process exited while waiting for {what}:\n{proc.describe()}")
        time.sleep(0.02)
    proc.stop()
    raise StartError(f"timed out after {timeout}s waiting for {what}:\n{proc.describe()}")


def start_process(args, ready_port=None, env=None, cwd=None, timeout=10.0):
    """Start `args`; if `ready_port` is given, wait (bounded) until 127.0.0.1:ready_port accepts.
    On failure the process is stopped and StartError carries its stderr."""
    full_env = dict(os.environ)
    if env:
        full_env.update(env)
    proc = Process(args, env=full_env, cwd=cwd)
    if ready_port is not None:
        _wait_until(lambda: port_accepts(ready_port), proc, timeout, f"port {ready_port}")
    return proc


class Upstream(Process):
    """A running demo-upstream. `.port` is its first listening port, `.ports` all of them."""

    name = ""
    version = ""
    ports = ()

    @property
    def port(self):
        return self.ports[0]

    def url(self, path="/", port=None):
        return f"http://127.0.0.1:{port or self.port}{path}"

    def stats(self):
        status, _, body = http("GET", self.url("/_stats"))
        if status != 200:
            raise RuntimeError(f"/_stats answered {status}: {body!r}")
        return json.loads(body)

    def reset_stats(self):
        status, _, _ = http("POST", self.url("/_reset_stats"))
        if status != 200:
            raise RuntimeError(f"/_reset_stats answered {status}")


def start_upstream(name="upstream", version="v1", listeners=1, threads=1, quiet=True, extra_args=(), timeout=10.0):
    """Start demo-upstream on `listeners` free ports (port 0 + --port-file, so no race) and wait
    until every port accepts."""
    port_file = tempfile.NamedTemporaryFile(prefix="demo-upstream-", suffix=".ports", delete=False)
    port_file.close()
    os.unlink(port_file.name)  # demo-upstream creates it once bound
    args = [demo_upstream_bin(), "--name", name, "--version", version, "--threads", str(threads),
            "--port-file", port_file.name]
    for _ in range(listeners):
        args += ["--listen", "127.0.0.1:0"]
    if quiet:
        args.append("--quiet")
    args += list(extra_args)

    proc = Upstream(args, env=dict(os.environ))
    proc.name, proc.version = name, version
    try:
        _wait_until(lambda: os.path.exists(port_file.name), proc, timeout, "demo-upstream's port file")
        with open(port_file.name) as f:
            proc.ports = [int(line) for line in f.read().split()]
        _wait_until(lambda: all(port_accepts(p) for p in proc.ports), proc, timeout, f"ports {proc.ports}")
    finally:
        if os.path.exists(port_file.name):
            os.unlink(port_file.name)
    return proc


def stop_all():
    """Stop every process still running (newest first)."""
    found = False
    for proc in reversed(list(_live.values())):
        try:
            proc.stop(timeout=3.0)
        except SanitizerError as e:
            print(f"sanitizer report at exit: {e}", file=sys.stderr)
            found = True
        except Exception:
            pass
    if found:
        os._exit(1)  # after the test run's own result: a sanitizer finding fails the test file


atexit.register(stop_all)


def _on_sigterm(signum, frame):
    # ctest's timeout sends SIGTERM; turn it into a normal exit so atexit still runs.
    raise SystemExit(128 + signum)


signal.signal(signal.SIGTERM, _on_sigterm)


# === clients ===


def _header_dict(pairs):
    out = {}
    for name, value in pairs:
        key = name.lower()
        out[key] = f"{out[key]}, {value}" if key in out else value
    return out


def http(method, url, headers=None, body=None, timeout=5):
    """One request on a fresh connection. Returns (status, headers, body): headers is a dict with
    lower-case names, repeated headers joined by ", "; body is bytes. Connection errors raise
    (ConnectionError, http.client.HTTPException, TimeoutError)."""
    parts = urllib.parse.urlsplit(url)
    target = parts.path or "/"
    if parts.query:
        target += "?" + parts.query
    if isinstance(body, str):
        body = body.encode()
    conn = httplib.HTTPConnection(parts.hostname, parts.port or 80, timeout=timeout)
    try:
        conn.request(method, target, body=body, headers=headers or {})
        resp = conn.getresponse()
        data = resp.read()
        return resp.status, _header_dict(resp.getheaders()), data
    finally:
        conn.close()


def http_json(method, url, headers=None, body=None, timeout=5):
    """Like http(), with the body parsed as JSON."""
    status, hdrs, data = http(method, url, headers=headers, body=body, timeout=timeout)
    return status, hdrs, json.loads(data)


def curl(*args, timeout=60, check=False):
    """Run curl with `args` (adds -s). Returns CompletedProcess with bytes stdout/stderr."""
    return subprocess.run(["curl", "-s", *map(str, args)], capture_output=True, timeout=timeout, check=check)


def write_yaml(directory, name, text):
    """Write dedented `text` to directory/name and return the path."""
    path = os.path.join(directory, name)
    with open(path, "w") as f:
        f.write(textwrap.dedent(text).lstrip("\n"))
    return path


def main():
    """Run the calling module's unittest tests; exits non-zero if any fail."""
    unittest.main(module="__main__", verbosity=2)
