"""mhomed=1: ask the kernel which local address it would send from to a destination, as Kamailio's
get_out_socket() does (connect a UDP socket to the destination, read getsockname(); connecting a
datagram socket sends nothing). One socket per address family, re-pointed at each lookup; answers
are cached for CACHE_SECONDS so a busy relay does not make two syscalls per message, yet a route
change is noticed soon after.
"""
from __future__ import annotations

import socket
import time

CACHE_SECONDS = 5.0
CACHE_MAX = 4096          # entries; the cache is emptied when full (bounded memory under scans)


class SourceRoutes:
    """source(dst_ip) -> the local IP the kernel routes dst_ip from, or None (no route)."""

    def __init__(self, clock=time.monotonic):
        self.clock = clock
        self._socks: dict[int, socket.socket] = {}
        self._cache: dict[str, tuple[float, str | None]] = {}

    def source(self, dst_ip: str, dst_port: int = 5060) -> str | None:
        dst_ip = dst_ip.strip("[]")
        now = self.clock()
        hit = self._cache.get(dst_ip)
        if hit is not None and hit[0] > now:
            return hit[1]
        src = self._ask_kernel(dst_ip, dst_port or 5060)
        if len(self._cache) >= CACHE_MAX:
            self._cache.clear()
        self._cache[dst_ip] = (now + CACHE_SECONDS, src)
        return src

    def _ask_kernel(self, dst_ip: str, port: int) -> str | None:
        fam = socket.AF_INET6 if ":" in dst_ip else socket.AF_INET
        sock = self._socks.get(fam)
        if sock is None:
            sock = self._socks[fam] = socket.socket(fam, socket.SOCK_DGRAM)
        try:
            sock.connect((dst_ip, port))       # re-connecting a UDP socket just re-points it
            return sock.getsockname()[0].split("%")[0]
        except OSError:                         # network unreachable, bad address
            return None

    def close(self) -> None:
        for s in self._socks.values():
            s.close()
        self._socks.clear()
