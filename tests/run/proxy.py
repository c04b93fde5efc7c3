"""Start `cfgvm run` as a subprocess on loopback with free ports, and talk SIP to it."""
from __future__ import annotations

import os
import select
import signal
import socket
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CFGS = os.path.join(ROOT, "tests", "net", "cfgs")
START_LIMIT = 30.0


def free_port(hosts=("127.0.0.1",)) -> int:
    """A port free for both UDP and TCP on every host (IPv6 hosts included)."""
    for _ in range(50):
        probe = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
        probe.close()
        ok = True
        for h in hosts:
            fam = socket.AF_INET6 if ":" in h else socket.AF_INET
            for kind in (socket.SOCK_DGRAM, socket.SOCK_STREAM):
                s = socket.socket(fam, kind)
                try:
                    s.bind((h, port))
                except OSError:
                    ok = False
                finally:
                    s.close()
        if ok:
            return port
    raise RuntimeError("no free port")


class Proxy:
    """`cfgvm run -f CFG -l ...` until stop(); .log holds what it printed."""

    def __init__(self, cfg: str, listen: list[str], extra: list[str] = (), cwd: str = ROOT):
        self.argv = [sys.executable, "-m", "cfgvm", "run", "-DD", "-E", "-n", "1", "-f", cfg]
        for l in listen:
            self.argv += ["-l", l]
        self.argv += list(extra)
        self.proc = subprocess.Popen(self.argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                     stdin=subprocess.DEVNULL, cwd=cwd)
        self.log = ""
        self._wait_listening()

    def _wait_listening(self) -> None:
        end = time.monotonic() + START_LIMIT
        buf = b""
        while time.monotonic() < end:
            r, _, _ = select.select([self.proc.stdout], [], [], 0.2)
            if r:
                chunk = os.read(self.proc.stdout.fileno(), 65536)
                if not chunk:
                    break
                buf += chunk
                if b"Aliases:" in buf:
                    self.log = buf.decode("latin-1")
                    return
            if self.proc.poll() is not None:
                break
        self.stop()
        raise RuntimeError(f"cfgvm run did not start: {buf.decode('latin-1')}")

    def drain(self) -> str:
        while True:
            r, _, _ = select.select([self.proc.stdout], [], [], 0)
            if not r:
                return self.log
            chunk = os.read(self.proc.stdout.fileno(), 65536)
            if not chunk:
                return self.log
            self.log += chunk.decode("latin-1")

    def stop(self, sig=signal.SIGTERM, timeout: float = 10.0) -> int | None:
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout)
                return None
        self.log += self.proc.stdout.read().decode("latin-1")
        self.proc.stdout.close()
        return self.proc.returncode


def options(host: str, port: int, transport: str, local_port: int, user: str = "", cseq: int = 1,
            call_id: str = "run-test-1") -> bytes:
    h = f"[{host}]" if ":" in host else host
    u = f"{user}@" if user else ""
    return (f"OPTIONS sip:{u}{h}:{port} SIP/2.0\r\n"
            f"Via: SIP/2.0/{transport.upper()} {h}:{local_port};branch=z9hG4bK-run-{cseq};rport\r\n"
            f"From: <sip:tester@{h}>;tag=t1\r\nTo: <sip:{u}{h}:{port}>\r\nCall-ID: {call_id}\r\n"
            f"CSeq: {cseq} OPTIONS\r\nMax-Forwards: 5\r\nContent-Length: 0\r\n\r\n").encode("latin-1")


def udp_client(host: str) -> socket.socket:
    fam = socket.AF_INET6 if ":" in host else socket.AF_INET
    s = socket.socket(fam, socket.SOCK_DGRAM)
    s.bind((host, 0))
    s.settimeout(5)
    return s


def tcp_client(host: str, port: int) -> socket.socket:
    fam = socket.AF_INET6 if ":" in host else socket.AF_INET
    s = socket.socket(fam, socket.SOCK_STREAM)
    s.settimeout(5)
    s.connect((host, port))
    return s


def read_messages(sock: socket.socket, count: int, limit: float = 5.0) -> list[bytes]:
    """Read `count` SIP messages from a stream socket (framed by Content-Length)."""
    from cfgvm.sip.stream import split_stream
    buf, out = b"", []
    end = time.monotonic() + limit
    while len(out) < count and time.monotonic() < end:
        chunk = sock.recv(65536)
        if not chunk:
            break
        msgs, buf = split_stream(buf + chunk)
        out += msgs
    return out
