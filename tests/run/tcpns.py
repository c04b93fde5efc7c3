"""Real Kamailio 5.6.3 or `cfgvm run` inside a fresh network namespace (loopback only), for the TCP
connection-management tests: the same cfg, the same addresses, client sockets made inside the
namespace (tests/support/netns.py's setns thread)."""
from __future__ import annotations

import os
import sys
import tempfile
import time

from oracle.kamailio import kamailio_argv, kamailio_available
from support.netns import Netns, netns_reason, read_text, spawn, stop, wait_bound

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
ADDR = ("127.0.0.1", 5077)


def available(kind: str) -> tuple[bool, str]:
    why = netns_reason()
    if why:
        return False, why
    if kind == "kamailio":
        return kamailio_available()
    return True, ""


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
                argv = kamailio_argv(path, self.tmp.name, rundir, listen)
            else:
                argv = [sys.executable, "-m", "cfgvm", "run", "-DD", "-E", "-n", "1", "-f", path]
                for spec in listen:
                    argv += ["-l", spec]
            self.proc = spawn(self.netns.name, argv, os.path.join(self.tmp.name, "log"), cwd=ROOT,
                              env=dict(os.environ, LANG="C"))
            problems = wait_bound(self.proc, [("tcp", ADDR[0], ADDR[1])], 30)
            if problems:
                raise RuntimeError(f"{self.kind} " + "; ".join(problems) + f":\n{self.log()}")
            time.sleep(0.3)             # the UDP/TCP workers come up after the listener is bound
        except BaseException:
            self.__exit__(None, None, None)
            raise
        return self

    def call(self, fn):
        return self.netns.call(fn)

    def log(self) -> str:
        return read_text(os.path.join(self.tmp.name, "log"))

    def __exit__(self, *exc):
        proc = getattr(self, "proc", None)
        if proc is not None:
            stop(proc, 5.0)
        self.netns.__exit__(None, None, None)
        self.tmp.cleanup()
