"""Run real Kamailio 5.6.3 as an oracle: one config, a few SIP messages in, log lines and replies out.

Kamailio runs inside a fresh network namespace that has only loopback, so anything it replies or
forwards to an address written in a message stays on this machine. The test side's UDP socket is
created inside the same namespace (a short-lived thread enters it with setns(2)) and bound to a
fixed address and port, so $si/$sp/$Ri/$Rp are the same on every run.

    from oracle.kamailio import kamailio_available, run_kamailio
    ok, why = kamailio_available()
    run = run_kamailio(cfg_text, [msg_bytes], until="C9999|")
    run.log_text, run.log_lines, run.replies

Everything is bounded in time: start-up, each reply wait, the wait for the log marker, shutdown.
Needs root (ip netns) and the kamailio binary; `kamailio_available()` says why not.
"""
from __future__ import annotations

import ctypes
import dataclasses
import itertools
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time

KAMAILIO = "kamailio"
# Addresses used inside the namespace: Kamailio listens on LISTEN, the test side sends from SOURCE.
LISTEN = ("127.0.0.1", 5060)
SOURCE = ("127.0.0.2", 5070)

_CLONE_NEWNET = 0x40000000
_CRASH = "exited by a signal"
_seq = itertools.count()


def kamailio_available() -> tuple[bool, str]:
    """(True, "") when a live Kamailio can be run here, else (False, reason for pytest.skip)."""
    if shutil.which(KAMAILIO) is None:
        return False, "kamailio is not installed (needs Kamailio 5.6.3 on PATH)"
    if shutil.which("ip") is None:
        return False, "iproute2 `ip` is missing (needed for network namespaces)"
    if os.geteuid() != 0:
        return False, "not root: network namespaces (ip netns) need root"
    out = subprocess.run([KAMAILIO, "-v"], capture_output=True, text=True, timeout=10).stdout
    if "5.6.3" not in out:
        return False, f"kamailio is not 5.6.3: {out.splitlines()[0] if out else '?'}"
    return True, ""


@dataclasses.dataclass
class Run:
    log_text: str                 # everything Kamailio wrote to stderr (latin-1)
    replies: list[bytes]          # datagrams that came back to SOURCE, in arrival order
    returncode: int | None        # exit status after our SIGTERM (None if it had to be killed)
    seconds: float                # wall time of the whole run

    @property
    def log_lines(self) -> list[str]:
        return self.log_text.splitlines()


class KamailioError(RuntimeError):
    """Kamailio did not start, or did not log the marker in time; carries the log for the reader."""

    def __init__(self, msg: str, log_text: str = ""):
        tail = "\n".join(log_text.splitlines()[-40:])
        super().__init__(f"{msg}\n--- kamailio log (tail) ---\n{tail}" if log_text else msg)
        self.log_text = log_text


# ---- network namespace plumbing -------------------------------------------------------------

def _libc():
    return ctypes.CDLL(None, use_errno=True)


def _in_netns(ns: str, fn):
    """Call fn() in a thread that has entered namespace ns; sockets made there stay in ns."""
    box = {}

    def body():
        libc = _libc()
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
        raise KamailioError(f"entering network namespace {ns} timed out")
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

    def udp_socket(self, bind: tuple[str, int]) -> socket.socket:
        def make():
            s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            s.bind(bind)
            return s
        return _in_netns(self.name, make)

# ---- the run ------------------------------------------------------------------------------

def _udp_bound(pid: int, port: int) -> bool:
    """Has process pid's network namespace a UDP socket bound to port? (/proc/PID/net/udp)"""
    try:
        with open(f"/proc/{pid}/comm") as f:
            if f.read().strip() != KAMAILIO:   # still `ip netns exec`, not yet inside the namespace
                return False
        with open(f"/proc/{pid}/net/udp") as f:
            rows = f.read().splitlines()[1:]
    except OSError:
        return False
    return any(r.split()[1].endswith(f":{port:04X}") for r in rows if len(r.split()) > 1)


def _wait_for(pred, seconds: float, step: float = 0.02) -> bool:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if pred():
            return True
        time.sleep(step)
    return pred()


def _stop(proc: subprocess.Popen, grace: float) -> int | None:
    """SIGTERM the main process (it stops its children); SIGKILL its process group if it lingers."""
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            return proc.wait(grace)
        except subprocess.TimeoutExpired:
            pass
    rc = proc.poll()
    try:
        os.killpg(proc.pid, signal.SIGKILL)   # our own session: pgid == pid of what we started
    except ProcessLookupError:
        pass
    try:
        proc.wait(grace)
    except subprocess.TimeoutExpired:
        pass
    return rc


def run_kamailio(cfg: str, messages: list[bytes], *, until: str | None = None,
                 env: dict[str, str] | None = None, defines: list[str] = (),
                 reply_wait: float = 1.0, start_timeout: float = 20.0, log_timeout: float = 10.0,
                 children: int = 1, extra_args: list[str] = (), expect_replies: int | None = None) -> Run:
    """Start Kamailio on cfg (text of a config), send each message from SOURCE to LISTEN.

    After each message, replies are collected until none arrives for `reply_wait` seconds (or, with
    `expect_replies`, as soon as that many have come for the message).
    With `until`, the run then waits (at most log_timeout s) for that text to appear in the log, so
    the log has settled; KamailioError if it never does. `env` is added to Kamailio's environment
    (for $env), `defines` become -A options. Returns a Run.
    """
    t0 = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="kam-oracle-") as tmp, Netns() as ns:
        cfg_path = os.path.join(tmp, "oracle.cfg")
        with open(cfg_path, "w", encoding="latin-1") as f:
            f.write(cfg)
        rundir = os.path.join(tmp, "run")
        os.mkdir(rundir)
        log_path = os.path.join(tmp, "kamailio.log")
        argv = ["ip", "netns", "exec", ns.name, KAMAILIO, "-DD", "-E", "-f", cfg_path,
                "-l", f"udp:{LISTEN[0]}:{LISTEN[1]}", "-n", str(children), "-Y", rundir, "-w", tmp,
                "-m", "32", "-M", "8"]
        for d in defines:
            argv += ["-A", d]
        argv += list(extra_args)
        full_env = {"PATH": os.environ.get("PATH", "/usr/sbin:/usr/bin:/sbin:/bin"), "LANG": "C"}
        full_env.update(env or {})

        def log_text() -> str:
            with open(log_path, "rb") as lf:
                return lf.read().decode("latin-1")

        with open(log_path, "wb") as lf:
            proc = subprocess.Popen(argv, stdout=lf, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                    env=full_env, start_new_session=True)
        rc = None
        try:
            # Ready when the UDP socket is bound; datagrams then queue until the worker reads them.
            if not _wait_for(lambda: proc.poll() is not None or _udp_bound(proc.pid, LISTEN[1]), start_timeout):
                raise KamailioError(f"kamailio did not bind udp {LISTEN} within {start_timeout}s", log_text())
            if proc.poll() is not None:
                raise KamailioError(f"kamailio exited during start-up (status {proc.returncode})", log_text())
            sock = ns.udp_socket(SOURCE)
            try:
                replies = []
                for msg in messages:
                    sock.sendto(msg, LISTEN)
                    sock.settimeout(reply_wait)
                    got = 0
                    while expect_replies is None or got < expect_replies:
                        try:
                            replies.append(sock.recvfrom(65535)[0])
                            got += 1
                        except socket.timeout:
                            break
            finally:
                sock.close()
            if until is not None:
                # a dead worker (the main process logs "exited by a signal") will never log the marker
                _wait_for(lambda: until in log_text() or _CRASH in log_text() or proc.poll() is not None,
                          log_timeout)
                text = log_text()
                if until not in text:
                    why = "a kamailio process crashed" if _CRASH in text else f"not logged within {log_timeout}s"
                    raise KamailioError(f"marker {until!r} {why}", text)
        finally:
            rc = _stop(proc, 5.0)
        return Run(log_text(), replies, rc, time.monotonic() - t0)


def check_config(cfg: str, timeout: float = 20.0) -> tuple[int, str]:
    """`kamailio -c` on cfg text: (exit status, output). Parses only; fixups need a real start."""
    with tempfile.TemporaryDirectory(prefix="kam-check-") as tmp:
        p = os.path.join(tmp, "check.cfg")
        with open(p, "w", encoding="latin-1") as f:
            f.write(cfg)
        r = subprocess.run([KAMAILIO, "-c", "-f", p, "-Y", tmp], capture_output=True, timeout=timeout)
        return r.returncode, (r.stdout + r.stderr).decode("latin-1")
