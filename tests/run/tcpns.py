"""Real Kamailio 5.6.3 or `cfgvm run` inside a fresh network namespace (loopback only), for the TCP
connection-management tests: the same cfg, the same addresses, client sockets made inside the
namespace (tests/oracle/kamailio.py's setns thread)."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time

from oracle.kamailio import Netns, _in_netns, _stop, kamailio_available

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
ADDR = ("127.0.0.1", 5077)


def available(kind: str) -> tuple[bool, str]:
    if os.geteuid() != 0 or shutil.which("ip") is None:
        return False, "network namespaces need root and iproute2"
    if kind == "kamailio":
        return kamailio_available()
    return True, ""


def _listening(pid: int, port: int) -> bool:
    try:
        with open(f"/proc/{pid}/net/tcp") as f:
            rows = f.read().splitlines()[1:]
    except OSError:
        return False
    want = f"0100007F:{port:04X}"
    return any(r.split()[1] == want and r.split()[3] == "0A" for r in rows if len(r.split()) > 3)


class Server:
    """`with Server(kind, cfg) as s:` kind is "kamailio" or "cfgvm"; s.ns is the namespace,
    s.call(fn) runs fn inside it (sockets made there stay there), s.log() what the server printed."""

    def __init__(self, kind: str, cfg: str):
        self.kind, self.cfg = kind, cfg

    def __enter__(self):
        self.tmp = tempfile.TemporaryDirectory(prefix="tcpns-")
        self.netns = Netns("cfgvmtcp").__enter__()
        try:
            path = os.path.join(self.tmp.name, "t.cfg")
            with open(path, "w", encoding="latin-1") as f:
                f.write(self.cfg)
            listen = [f"tcp:{ADDR[0]}:{ADDR[1]}", f"udp:{ADDR[0]}:{ADDR[1]}"]
            if self.kind == "kamailio":
                rundir = os.path.join(self.tmp.name, "run")
                os.mkdir(rundir)
                argv = ["kamailio", "-DD", "-E", "-f", path, "-n", "1", "-Y", rundir, "-w", self.tmp.name,
                        "-m", "32", "-M", "8"]
            else:
                argv = [sys.executable, "-m", "cfgvm", "run", "-DD", "-E", "-n", "1", "-f", path]
            for l in listen:
                argv += ["-l", l]
            self.logf = open(os.path.join(self.tmp.name, "log"), "wb")
            env = dict(os.environ, LANG="C")
            self.proc = subprocess.Popen(["ip", "netns", "exec", self.netns.name, *argv], stdout=self.logf,
                                         stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, cwd=ROOT,
                                         env=env, start_new_session=True)
            end = time.monotonic() + 30
            while time.monotonic() < end and self.proc.poll() is None:
                if _listening(self.proc.pid, ADDR[1]):
                    break
                time.sleep(0.05)
            if not _listening(self.proc.pid, ADDR[1]):
                raise RuntimeError(f"{self.kind} did not listen on tcp {ADDR}:\n{self.log()}")
            time.sleep(0.3)             # the UDP/TCP workers come up after the listener is bound
        except BaseException:
            self.__exit__(None, None, None)
            raise
        return self

    def call(self, fn):
        return _in_netns(self.netns.name, fn)

    def log(self) -> str:
        with open(os.path.join(self.tmp.name, "log"), "rb") as f:
            return f.read().decode("latin-1")

    def __exit__(self, *exc):
        proc = getattr(self, "proc", None)
        if proc is not None:
            _stop(proc, 5.0)
        if getattr(self, "logf", None):
            self.logf.close()
        self.netns.__exit__(None, None, None)
        self.tmp.cleanup()
