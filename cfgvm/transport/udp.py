"""UDP listening sockets: non-blocking, read in bursts by the driver's selectors loop."""
from __future__ import annotations

import socket

from cfgvm.transport.sockets import SocketInfo

RCVBUF = 1 << 19          # Kamailio probes SO_RCVBUF up to 512 KiB; ask for the same
BURST = 64                # datagrams read per readiness event (bounded so TCP gets its turn)
MAX_DATAGRAM = 65535


class UdpSocket:
    def __init__(self, info: SocketInfo):
        self.info = info
        fam = socket.AF_INET6 if info.af == 10 else socket.AF_INET
        self.sock = socket.socket(fam, socket.SOCK_DGRAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, RCVBUF)
        except OSError:
            pass
        if fam == socket.AF_INET6:
            self.sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
        self.sock.bind((info.ip, info.port))
        self.sock.setblocking(False)

    def fileno(self) -> int:
        return self.sock.fileno()

    def read_burst(self):
        """Up to BURST (data, (ip, port)) pairs already queued in the kernel."""
        out = []
        recv = self.sock.recvfrom
        for _ in range(BURST):
            try:
                data, addr = recv(MAX_DATAGRAM)
            except (BlockingIOError, InterruptedError):
                break
            except OSError:       # e.g. ICMP port unreachable reported on the socket: skip it
                continue
            out.append((data, addr))
        return out

    def sendto(self, data: bytes, dst: tuple[str, int]) -> str | None:
        """Send one datagram; the error text when the kernel refused it (never raises)."""
        try:
            self.sock.sendto(data, dst)
            return None
        except OSError as e:
            return f"sendto {dst[0]}:{dst[1]} failed: {e.strerror or e}"

    def close(self) -> None:
        self.sock.close()
