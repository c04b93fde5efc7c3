"""TCP: listeners, connections with per-connection buffers, framing by Content-Length, reuse by
address and alias, limits and reaping (Kamailio's tcp_main.c behaviour, one selectors loop).

Every socket is non-blocking: a slow or partial sender only fills its own input buffer (bounded
by MAX_MESSAGE via split_stream) and a slow reader only its own output queue (bounded by
tcp_conn_wq_max), so neither can stall the loop. Connection ids start at 1 and count every
connection, accepted or opened (they appear as `;i=N` in the Via of requests forwarded from TCP).
"""
from __future__ import annotations

import errno
import re
import socket
import selectors
from dataclasses import dataclass

from cfgvm.sip import SipParseError
from cfgvm.sip.stream import split_stream
from cfgvm.transport.sockets import SocketInfo

READ_CHUNK = 65536
# a Content-Length header with a number (Kamailio's tcp reader needs one unless tcp_accept_no_cl)
_HAS_CLEN = re.compile(rb"(?im)^(?:content-length|l)[ \t]*:[ \t]*\d")


@dataclass
class TcpParams:
    """The core tcp_* params cfgvm honours (seconds; Kamailio's defaults)."""
    connection_lifetime: float = 120.0     # tcp_connection_lifetime: idle connections are closed
    connect_timeout: float = 10.0          # tcp_connect_timeout
    max_connections: int = 2048            # tcp_max_connections
    accept_aliases: bool = False           # tcp_accept_aliases: honour ;alias in Via
    conn_wq_max: int = 32 * 1024 * 1024    # bound on a connection's pending output (tcp_conn_wq_max,
                                           # larger than Kamailio's 32 KiB since we queue instead of async)
    accept_no_cl: bool = False             # tcp_accept_no_cl: a message without Content-Length is
                                           # taken with an empty body instead of closing the connection

    @classmethod
    def from_program(cls, params: dict) -> "TcpParams":
        def num(name, default):
            v = params.get(name)
            return v if isinstance(v, int) else default
        return cls(float(num("tcp_connection_lifetime", 120)), float(num("tcp_connect_timeout", 10)),
                   num("tcp_max_connections", 2048), bool(num("tcp_accept_aliases", 0)),
                   max(num("tcp_conn_wq_max", 32 * 1024 * 1024), 64 * 1024), bool(num("tcp_accept_no_cl", 0)))


class TcpListener:
    def __init__(self, info: SocketInfo, backlog: int = 1024):
        self.info = info
        fam = socket.AF_INET6 if info.af == 10 else socket.AF_INET
        self.sock = socket.socket(fam, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)   # accepted sockets inherit it
        if fam == socket.AF_INET6:
            self.sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
        self.sock.bind((info.ip, info.port))
        self.sock.listen(backlog)
        self.sock.setblocking(False)

    def fileno(self) -> int:
        return self.sock.fileno()

    def close(self) -> None:
        self.sock.close()


class TcpConnection:
    __slots__ = ("id", "sock", "local", "peer", "inbuf", "out", "connecting", "created", "last",
                 "aliases", "closed")

    def __init__(self, cid: int, sock: socket.socket, local: SocketInfo, peer: tuple[str, int],
                 now: float, connecting: bool = False):
        self.id = cid
        self.sock = sock
        self.local = local              # the listening socket it belongs to (its proto/af/address)
        self.peer = peer
        self.inbuf = b""
        self.out = bytearray()
        self.connecting = connecting    # an outgoing connect() not completed yet
        self.created = now
        self.last = now
        self.aliases: list[tuple[str, int]] = []
        self.closed = False

    def fileno(self) -> int:
        return self.sock.fileno()


class TcpManager:
    """All TCP connections of the process. on_message(conn, bytes) is called per framed message;
    log(level, text) reports what Kamailio would log."""

    def __init__(self, selector: selectors.BaseSelector, params: TcpParams, clock, on_message, log):
        self.sel = selector
        self.params = params
        self.clock = clock
        self.on_message = on_message
        self.log = log
        self.next_id = 1
        self.by_id: dict[int, TcpConnection] = {}
        self.by_addr: dict[tuple[str, int], TcpConnection] = {}   # peer address and aliases

    # ---- accept / connect ---------------------------------------------------------------------------
    def accept(self, listener: TcpListener) -> None:
        for _ in range(64):
            try:
                sock, addr = listener.sock.accept()
            except (BlockingIOError, InterruptedError):
                return
            except OSError as e:
                self.log(-1, f"accept on {listener.info} failed: {e}")
                return
            if len(self.by_id) >= self.params.max_connections:
                self.log(-1, f"maximum number of connections exceeded: {len(self.by_id)}/"
                             f"{self.params.max_connections}, refusing {addr[0]}:{addr[1]}")
                sock.close()
                continue
            sock.setblocking(False)
            self._add(sock, listener.info, (addr[0], addr[1]), connecting=False)

    def connect(self, local: SocketInfo, dst: tuple[str, int]) -> TcpConnection | None:
        if len(self.by_id) >= self.params.max_connections:
            self.log(-1, f"maximum number of connections exceeded, not connecting to {dst[0]}:{dst[1]}")
            return None
        fam = socket.AF_INET6 if ":" in dst[0] else socket.AF_INET
        sock = socket.socket(fam, socket.SOCK_STREAM)
        sock.setblocking(False)
        # Nagle off, as Kamailio's init_sock_opt (DISABLE_NAGLE): a message is written at once even
        # when the previous one is not acknowledged yet (no 40 ms delayed-ACK stalls between messages)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        try:
            if (local.af == 10) == (fam == socket.AF_INET6):
                sock.bind((local.ip, 0))        # source address of the chosen socket, ephemeral port
            rc = sock.connect_ex(dst)
        except OSError as e:
            sock.close()
            self.log(-1, f"connect to {dst[0]}:{dst[1]} failed: {e}")
            return None
        if rc not in (0, errno.EINPROGRESS):
            sock.close()
            self.log(-1, f"connect to {dst[0]}:{dst[1]} failed: {errno.errorcode.get(rc, rc)}")
            return None
        return self._add(sock, local, dst, connecting=rc != 0)

    def _add(self, sock, local, peer, connecting) -> TcpConnection:
        conn = TcpConnection(self.next_id, sock, local, peer, self.clock(), connecting)
        self.next_id += 1
        self.by_id[conn.id] = conn
        self.by_addr[peer] = conn
        events = selectors.EVENT_WRITE if connecting else selectors.EVENT_READ
        self.sel.register(sock, events, conn)
        return conn

    def alias(self, conn: TcpConnection, ip: str, port: int) -> None:
        """Reuse conn for sends to ip:port (Via ;alias / force_tcp_alias)."""
        key = (ip, port)
        if key != conn.peer and key not in conn.aliases:
            conn.aliases.append(key)
        self.by_addr[key] = conn

    def find(self, dst: tuple[str, int]) -> TcpConnection | None:
        c = self.by_addr.get(dst)
        return c if c is not None and not c.closed else None

    # ---- I/O ----------------------------------------------------------------------------------------
    def send(self, conn: TcpConnection, data: bytes) -> None:
        if len(conn.out) + len(data) > self.params.conn_wq_max:
            self.log(-1, f"tcp write queue full for {conn.peer[0]}:{conn.peer[1]}: closing connection {conn.id}")
            self.close(conn)
            return
        conn.out += data
        if not conn.connecting:
            self._flush(conn)

    def ready(self, conn: TcpConnection, mask: int) -> None:
        if conn.closed:
            return
        if conn.connecting and mask & selectors.EVENT_WRITE:
            err = conn.sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
            if err:
                self.log(-1, f"connect to {conn.peer[0]}:{conn.peer[1]} failed: {errno.errorcode.get(err, err)}")
                self.close(conn)
                return
            conn.connecting = False
            conn.last = self.clock()
            self._flush(conn)
            return
        if mask & selectors.EVENT_WRITE:
            self._flush(conn)
        if mask & selectors.EVENT_READ and not conn.closed:
            self._read(conn)

    def _read(self, conn: TcpConnection) -> None:
        try:
            chunk = conn.sock.recv(READ_CHUNK)
        except (BlockingIOError, InterruptedError):
            return
        except OSError as e:
            self.log(-1, f"error reading from {conn.peer[0]}:{conn.peer[1]}: {e.strerror or e}")
            self.close(conn)
            return
        if not chunk:               # EOF: the peer closed (whatever partial message is left is lost)
            self.close(conn)
            return
        conn.last = self.clock()
        try:
            msgs, conn.inbuf = split_stream(conn.inbuf + chunk)
        except SipParseError as e:
            self.log(-1, f"bad stream from {conn.peer[0]}:{conn.peer[1]}: {e}; closing connection {conn.id}")
            self.close(conn)
            return
        for m in msgs:
            if conn.closed:
                break
            if not self.params.accept_no_cl and not _HAS_CLEN.search(m, 0, m.find(b"\n\n") + 1 or
                                                                      m.find(b"\r\n\r\n") + 2):
                # no (numeric) Content-Length: Kamailio's reader flags TCP_REQ_BAD_LEN and closes
                self.log(-1, f"bad or missing Content-Length from {conn.peer[0]}:{conn.peer[1]}; "
                             f"closing connection {conn.id}")
                self.close(conn)
                break
            self.on_message(conn, m)

    def _flush(self, conn: TcpConnection) -> None:
        if conn.out:
            try:
                n = conn.sock.send(conn.out)
                del conn.out[:n]
                conn.last = self.clock()
            except (BlockingIOError, InterruptedError):
                pass
            except OSError as e:
                self.log(-1, f"send to {conn.peer[0]}:{conn.peer[1]} failed: {e.strerror or e}")
                self.close(conn)
                return
        want = selectors.EVENT_READ | (selectors.EVENT_WRITE if conn.out else 0)
        try:
            self.sel.modify(conn.sock, want, conn)
        except (KeyError, ValueError):
            pass

    # ---- lifetime -------------------------------------------------------------------------------------
    def reap(self) -> None:
        """Close connections idle for tcp_connection_lifetime (a half-sent message counts as idle:
        its sender stopped) and connects older than tcp_connect_timeout."""
        now = self.clock()
        for conn in list(self.by_id.values()):
            if conn.connecting and now - conn.created > self.params.connect_timeout:
                self.log(-1, f"connect to {conn.peer[0]}:{conn.peer[1]} timed out "
                             f"({self.params.connect_timeout:g} s)")
                self.close(conn)
            elif now - conn.last > self.params.connection_lifetime and not conn.out:
                self.close(conn)

    def close(self, conn: TcpConnection) -> None:
        if conn.closed:
            return
        conn.closed = True
        try:
            self.sel.unregister(conn.sock)
        except (KeyError, ValueError):
            pass
        conn.sock.close()
        self.by_id.pop(conn.id, None)
        for key in [conn.peer] + conn.aliases:
            if self.by_addr.get(key) is conn:
                del self.by_addr[key]

    def close_all(self) -> None:
        for conn in list(self.by_id.values()):
            self.close(conn)
