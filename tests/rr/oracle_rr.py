"""Real Kamailio 5.6.3 as the rr oracle: one config, several requests in (UDP/TCP, IPv4/IPv6), the
requests it forwards captured by sockets in the same fresh network namespace.

Kamailio listens on LISTENS; a request is sent from SOURCES[src]; the script forwards it to the
address in its X-Dst header (see cases.py), which is one of the CAPTURE sockets. Everything is bounded
in time; the namespace has only loopback and is deleted afterwards.
"""
from __future__ import annotations

import select
import socket
import tempfile
import time

from oracle.kamailio import Netns, start_kamailio
from support.netns import stop

LISTENS = ("udp:127.0.0.1:5060", "tcp:127.0.0.1:5060", "udp:127.0.0.1:5062", "udp:[::1]:5060",
           "tcp:[::1]:5060")
# where the test side sends from: name -> (proto, family, source address, destination)
SOURCES = {"udp": ("udp", socket.AF_INET, ("127.0.0.2", 5070), ("127.0.0.1", 5060)),
           "tcp": ("tcp", socket.AF_INET, ("127.0.0.2", 5070), ("127.0.0.1", 5060)),
           "udp6": ("udp", socket.AF_INET6, ("::1", 5070), ("::1", 5060))}
# where forwarded requests are captured: (proto, family, address)
CAPTURE = (("udp", socket.AF_INET, ("127.0.0.3", 5080)), ("tcp", socket.AF_INET, ("127.0.0.3", 5080)),
           ("udp", socket.AF_INET6, ("::1", 5080)))


def _bind(proto, fam, addr):
    s = socket.socket(fam, socket.SOCK_DGRAM if proto == "udp" else socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(addr)
    if proto == "tcp":
        s.listen(8)
    return s


def _read_tcp(conn, deadline):
    """Messages on one TCP connection, framed by Content-Length."""
    from cfgvm.sip.stream import split_stream
    data = b""
    conn.settimeout(0.3)
    while time.monotonic() < deadline:
        try:
            chunk = conn.recv(65535)
        except socket.timeout:
            break
        if not chunk:
            break
        data += chunk
    msgs, _ = split_stream(data)
    return msgs


def run_forwarding(cfg: str, sends: list[tuple[str, bytes]], *, settle: float = 0.6,
                   start_timeout: float = 20.0) -> list[tuple[str, bytes]]:
    """Start Kamailio on cfg, send each (source name, request); return [("proto:addr:port", bytes)] of
    what it forwarded, in arrival order per capture socket (UDP first, then TCP, then UDP6)."""
    with tempfile.TemporaryDirectory(prefix="kam-rr-") as tmp, Netns("cfgvmrr") as ns:
        proc, _log = start_kamailio(ns, tmp, cfg, LISTENS, ("udp", None, 5062),
                                    start_timeout=start_timeout)
        try:
            time.sleep(0.2)          # TCP listeners come up with the UDP ones; give them a moment
            return ns.call(lambda: _exchange(sends, settle))
        finally:
            stop(proc, 5.0)


def _where(proto, addr):
    ip, port = addr
    return f"{proto}:[{ip}]:{port}" if ":" in ip else f"{proto}:{ip}:{port}"


def _exchange(sends, settle):
    caps = [(_where(p, addr), _bind(p, fam, addr)) for p, fam, addr in CAPTURE]
    srcs = {}
    try:
        for name, raw in sends:
            proto, fam, src, dst = SOURCES[name]
            if proto == "udp":
                s = srcs.get(name)
                if s is None:
                    s = srcs[name] = _bind("udp", fam, src)
                s.sendto(raw, dst)
            else:
                s = socket.socket(fam, socket.SOCK_STREAM)
                s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                s.bind(src)
                s.settimeout(5)
                s.connect(dst)
                s.sendall(raw)
                srcs.setdefault("tcpconns", []).append(s)
            time.sleep(0.05)
        got = {id(c): [] for _, c in caps}
        deadline = time.monotonic() + 10
        quiet_until = time.monotonic() + settle
        while time.monotonic() < min(deadline, quiet_until):
            r, _, _ = select.select([c for _, c in caps], [], [], 0.1)
            for c in r:
                if c.type == socket.SOCK_DGRAM:
                    got[id(c)].append(c.recvfrom(65535)[0])
                else:
                    conn, _ = c.accept()
                    got[id(c)].extend(_read_tcp(conn, time.monotonic() + 2))
                    conn.close()
                quiet_until = time.monotonic() + settle
        return [(p, m) for p, c in caps for m in got[id(c)]]
    finally:
        for _, c in caps:
            c.close()
        for k, s in srcs.items():
            for x in (s if isinstance(s, list) else [s]):
                x.close()
