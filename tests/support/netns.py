"""Network namespaces and the processes the live tests start in them: one place for the lifecycle.

    with Netns("cfgvmora") as ns:                         # fresh, only `lo` up, deleted on exit
        proc = spawn(ns.name, argv, log_path)             # own session, so stop() can reach its group
        problems = wait_bound(proc, [("udp", "127.0.0.1", 5060)], 20, names=("kamailio",))
        sock = ns.udp_socket(("127.0.0.2", 5070))         # made inside the namespace (setns thread)
        ...
        stop(proc)                                        # by PID: SIGTERM, then SIGKILL its group

Everything waits a bounded time. Needs root and iproute2: netns_reason() says why not.
"""
from __future__ import annotations

import ctypes
import itertools
import os
import shutil
import signal
import socket
import subprocess
import threading
import time

_CLONE_NEWNET = 0x40000000
_seq = itertools.count()
DEFAULT_PATH = "/usr/sbin:/usr/bin:/sbin:/bin"


def netns_reason() -> str:
    """'' when network namespaces can be made here, else why not (for pytest.skip)."""
    if shutil.which("ip") is None:
        return "iproute2 `ip` is missing (needed for network namespaces)"
    if os.geteuid() != 0:
        return "not root: network namespaces (ip netns) need root"
    return ""


def in_netns(ns: str, fn):
    """Call fn() in a thread that has entered namespace ns; sockets made there stay in ns."""
    box = {}

    def body():
        libc = ctypes.CDLL(None, use_errno=True)
        try:
            with open(f"/var/run/netns/{ns}") as f:
                if libc.setns(f.fileno(), _CLONE_NEWNET) != 0:
                    raise OSError(ctypes.get_errno(), f"setns({ns}) failed")
            box["value"] = fn()
        except BaseException as e:  # handed to the caller's thread
            box["error"] = e
        # the thread ends here, so its namespace never leaks into the rest of the process

    t = threading.Thread(target=body, name=f"netns-{ns}")
    t.start()
    t.join(30)
    if "error" in box:
        raise box["error"]
    if "value" not in box:
        raise TimeoutError(f"entering network namespace {ns} timed out")
    return box["value"]


class Netns:
    """A fresh network namespace with only `lo` up; deleted on exit, even after an error."""

    def __init__(self, prefix: str = "cfgvmora"):
        self.name = f"{prefix}{os.getpid()}x{next(_seq)}"

    def __enter__(self):
        subprocess.run(["ip", "netns", "add", self.name], check=True, timeout=10)
        try:
            subprocess.run(["ip", "-n", self.name, "link", "set", "lo", "up"], check=True, timeout=10)
        except BaseException:
            self.delete()
            raise
        return self

    def delete(self):
        subprocess.run(["ip", "netns", "del", self.name], timeout=10, capture_output=True)

    def __exit__(self, *exc):
        self.delete()

    def exists(self) -> bool:
        return os.path.exists(f"/var/run/netns/{self.name}")

    def call(self, fn):
        """fn() in a thread inside the namespace (sockets it makes live there)."""
        return in_netns(self.name, fn)

    def udp_socket(self, bind: tuple[str, int]) -> socket.socket:
        def make():
            s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            s.bind(bind)
            return s
        return in_netns(self.name, make)


def spawn(ns: str, argv: list[str], log_path: str, cwd: str | None = None,
          env: dict[str, str] | None = None) -> subprocess.Popen:
    """argv inside namespace ns (`ip netns exec`), stdout+stderr to log_path, in its own session.
    env defaults to PATH and LANG=C only."""
    if env is None:
        env = {"PATH": os.environ.get("PATH", DEFAULT_PATH), "LANG": "C"}
    with open(log_path, "wb") as lf:
        return subprocess.Popen(["ip", "netns", "exec", ns] + list(argv), stdout=lf, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL, cwd=cwd, env=env, start_new_session=True)


def socket_bound(pid: int, port: int, ip: str | None = None, transport: str = "udp",
                 names: tuple[str, ...] = ()) -> bool:
    """Has pid's network namespace a socket on port, bound (udp) or listening (tcp)? With an IPv4
    ip, on that address or 0.0.0.0; without, on any address (IPv4 or IPv6). False while pid is still
    `ip netns exec` (not yet inside the namespace) or, with names, not yet one of those programs."""
    try:
        with open(f"/proc/{pid}/comm") as f:
            comm = f.read().strip()
        if comm == "ip" or (names and comm not in names):
            return False
        rows = []
        for table in (transport,) if ip else (transport, transport + "6"):
            with open(f"/proc/{pid}/net/{table}") as f:
                rows += [r.split() for r in f.read().splitlines()[1:]]
    except OSError:
        return False
    suffix = f":{port:04X}"
    wanted = None
    if ip:
        wanted = ("".join(f"{int(x):02X}" for x in reversed(ip.split("."))) + suffix, "00000000" + suffix)
    for r in rows:
        if len(r) > 3 and (r[1] in wanted if wanted else r[1].endswith(suffix)) \
                and (transport == "udp" or r[3] == "0A"):
            return True
    return False


def wait_for(pred, seconds: float, step: float = 0.02) -> bool:
    """Poll pred() until it is true or `seconds` have passed; its last value."""
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if pred():
            return True
        time.sleep(step)
    return pred()


def wait_bound(proc: subprocess.Popen, binds, seconds: float, names: tuple[str, ...] = ()) -> list[str]:
    """Wait (each at most `seconds`) until proc has every (transport, ip or None, port) of binds;
    stops waiting when proc exits. The problems, [] when all are bound and proc still runs."""
    problems = []
    for transport, ip, port in binds:
        if not wait_for(lambda: proc.poll() is not None or socket_bound(proc.pid, port, ip, transport, names),
                        seconds):
            problems.append(f"did not bind {transport}:{ip or '*'}:{port} within {seconds:g} s")
    if proc.poll() is not None:
        problems.append(f"exited during start-up (status {proc.returncode})")
    return problems


def stop(proc: subprocess.Popen, grace: float = 5.0, group: bool = False) -> int | None:
    """Stop a process we started (in its own session, so pgid == pid): SIGTERM to it (to its whole
    group with group=True; Kamailio's main process stops its own children), SIGKILL to the group
    if anything lingers. Its exit status, None if it had to be killed."""
    if proc.poll() is None:
        try:
            if group:
                os.killpg(proc.pid, signal.SIGTERM)
            else:
                proc.send_signal(signal.SIGTERM)
        except ProcessLookupError:
            pass
        _wait_at_most(proc, grace)
    rc = proc.poll()
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    _wait_at_most(proc, grace)
    return rc


def _wait_at_most(proc: subprocess.Popen, seconds: float) -> None:
    try:
        proc.wait(seconds)
    except subprocess.TimeoutExpired:
        pass


def read_text(path: str) -> str:
    """A log file as latin-1 text, '' when it is not there (yet)."""
    try:
        with open(path, "rb") as f:
            return f.read().decode("latin-1")
    except OSError:
        return ""
