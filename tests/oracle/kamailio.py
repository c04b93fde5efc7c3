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
Needs root (ip netns) and the kamailio binary; `kamailio_available()` says why not. Other live tests
start Kamailio with start_kamailio() in a namespace of their own (tests/support/netns.py).
"""
from __future__ import annotations

import dataclasses
import os
import shutil
import socket
import subprocess
import tempfile
import time

from support.netns import Netns, netns_reason, read_text, spawn, stop, wait_bound, wait_for

__all__ = ["KAMAILIO", "LISTEN", "SOURCE", "Netns", "Run", "KamailioError", "kamailio_available",
           "kamailio_argv", "start_kamailio", "run_kamailio", "check_config"]

KAMAILIO = "kamailio"
# Addresses used inside the namespace: Kamailio listens on LISTEN, the test side sends from SOURCE.
LISTEN = ("127.0.0.1", 5060)
SOURCE = ("127.0.0.2", 5070)

_CRASH = "exited by a signal"


def kamailio_available() -> tuple[bool, str]:
    """(True, "") when a live Kamailio can be run here, else (False, reason for pytest.skip)."""
    if shutil.which(KAMAILIO) is None:
        return False, "kamailio is not installed (needs Kamailio 5.6.3 on PATH)"
    why = netns_reason()
    if why:
        return False, why
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


def kamailio_argv(cfg_path: str, workdir: str, rundir: str | None = None, listens=(), children: int = 1,
                  shm_mb: int = 32) -> list[str]:
    """`kamailio` in the foreground, logging to stderr, on cfg_path with `-l` per listen spec."""
    argv = [KAMAILIO, "-DD", "-E", "-f", cfg_path]
    for spec in listens:
        argv += ["-l", spec]
    return argv + ["-n", str(children), "-Y", rundir or workdir, "-w", workdir, "-m", str(shm_mb), "-M", "8"]


def start_kamailio(ns: Netns, tmp: str, cfg: str, listens, ready: tuple[str, str | None, int], *,
                   children: int = 1, shm_mb: int = 32, extra_args=(), env: dict[str, str] | None = None,
                   start_timeout: float = 20.0) -> tuple[subprocess.Popen, str]:
    """Write cfg (text) into tmp and start Kamailio inside ns on listens; (process, log path) once its
    `ready` socket (transport, ip or None for any, port) is bound. When it does not come up: the
    process is stopped and KamailioError carries its log. `env` is added to PATH and LANG=C."""
    cfg_path = os.path.join(tmp, "oracle.cfg")
    with open(cfg_path, "w", encoding="latin-1") as f:
        f.write(cfg)
    rundir = os.path.join(tmp, "run")
    os.mkdir(rundir)
    log_path = os.path.join(tmp, "kamailio.log")
    full_env = {"PATH": os.environ.get("PATH", "/usr/sbin:/usr/bin:/sbin:/bin"), "LANG": "C"}
    full_env.update(env or {})
    argv = kamailio_argv(cfg_path, tmp, rundir, listens, children, shm_mb) + list(extra_args)
    proc = spawn(ns.name, argv, log_path, env=full_env)
    problems = wait_bound(proc, [ready], start_timeout, names=(KAMAILIO,))
    if problems:
        stop(proc, 5.0)
        raise KamailioError("kamailio " + "; ".join(problems), read_text(log_path))
    return proc, log_path


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
        args = list(extra_args)
        for d in defines:
            args += ["-A", d]
        # ready when the UDP socket is bound; datagrams then queue until the worker reads them
        proc, log_path = start_kamailio(ns, tmp, cfg, [f"udp:{LISTEN[0]}:{LISTEN[1]}"], ("udp", None, LISTEN[1]),
                                        children=children, extra_args=args, env=env,
                                        start_timeout=start_timeout)

        def log_text() -> str:
            return read_text(log_path)

        rc = None
        try:
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
                wait_for(lambda: until in log_text() or _CRASH in log_text() or proc.poll() is not None,
                          log_timeout)
                text = log_text()
                if until not in text:
                    why = "a kamailio process crashed" if _CRASH in text else f"not logged within {log_timeout}s"
                    raise KamailioError(f"marker {until!r} {why}", text)
        finally:
            rc = stop(proc, 5.0)
        return Run(log_text(), replies, rc, time.monotonic() - t0)


def check_config(cfg: str, timeout: float = 20.0) -> tuple[int, str]:
    """`kamailio -c` on cfg text: (exit status, output). Parses only; fixups need a real start."""
    with tempfile.TemporaryDirectory(prefix="kam-check-") as tmp:
        p = os.path.join(tmp, "check.cfg")
        with open(p, "w", encoding="latin-1") as f:
            f.write(cfg)
        r = subprocess.run([KAMAILIO, "-c", "-f", p, "-Y", tmp], capture_output=True, timeout=timeout)
        return r.returncode, (r.stdout + r.stderr).decode("latin-1")
