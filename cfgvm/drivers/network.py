"""The network driver of `cfgvm run`: real sockets and the wall clock around the sans-IO engine.

One process, one `selectors` loop (epoll), non-blocking sockets. The loop was chosen by measurement
(bench/loop_choice.py, figures in README.md): a bare UDP relay costs about 3x less CPU per message
with selectors + recvfrom/sendto than with asyncio's datagram protocol.

children=N (-n N) gives N logical workers: N engines with their own WorkerState ($var, rank 1..N,
child_init and worker-one-init as Kamailio runs them) sharing one SharedState; UDP datagrams go to
the workers in turn, a TCP connection always to the same worker. They run one after the other in
this process, so shared state needs no locks.
"""
from __future__ import annotations

import os
import selectors
import signal
import socket
import sys
import time
import traceback

from cfgvm.drivers.dryrun import LEVEL_NAMES
from cfgvm.engine import Engine, Result
from cfgvm.transport.route import SourceRoutes
from cfgvm.transport.sockets import SocketTable
from cfgvm.transport.tcp import TcpListener, TcpManager, TcpParams
from cfgvm.transport.udp import UdpSocket
from cfgvm.vm.context import ReceiveInfo, SendAction, WorkerState

TICK = 0.5                 # seconds between housekeeping passes (TCP reaping, timers)
L_ERR, L_WARN, L_INFO, L_DBG = -1, 0, 2, 3


class StderrLog:
    """Kamailio's stderr log lines: ` RANK(PID) LEVEL: <who>: text` (-E; cfgvm never uses syslog)."""

    def __init__(self, stream=None):
        self.stream = stream or sys.stderr
        self.pid = os.getpid()

    def line(self, rank: int, level: int, who: str | None, text: str) -> None:
        """who: the `<core>`-style origin; None when text carries its own (xlog's "<script>: ")."""
        name = LEVEL_NAMES.get(level, str(level))
        head = f"{who}: " if who else ""
        self.stream.write(f"{rank:2d}({self.pid}) {name}: {head}{text}")
        self.stream.flush()

    def core(self, level: int, text: str, limit: int = L_INFO) -> None:
        if level <= limit:
            self.line(0, level, "<core> [cfgvm]", text if text.endswith("\n") else text + "\n")


class NetworkDriver:
    def __init__(self, program, table: SocketTable, *, children: int = 1, log: StderrLog | None = None,
                 debug: int | None = None):
        self.program = program
        self.table = table
        self.log = log or StderrLog()
        self.debug = debug
        self.sel = selectors.DefaultSelector()
        self.tcp = TcpManager(self.sel, TcpParams.from_program(program.params), time.monotonic,
                              self._tcp_message, lambda lvl, txt: self.log.core(lvl, txt, self._level()))
        self.udp: dict[tuple[str, int], UdpSocket] = {}
        self.listeners: list[TcpListener] = []
        self.running = True           # stop() (a signal) may come before serve() starts
        self._rr = 0
        self.routes = None
        if table.mhomed and table.route_source is None:     # mhomed=1: the kernel picks the source
            self.routes = SourceRoutes()
            table.route_source = self.routes.source
        # the sans-IO core asks the program for its sockets (`myself`, kex is_myself, socket selection)
        program.sockets = program.myself = program.is_myself = table
        shared = program.new_shared() if hasattr(program, "new_shared") else None
        self.engines = []
        for rank in range(1, max(1, children) + 1):
            worker = WorkerState(pid=os.getpid(), rank=rank)
            if debug is not None:
                worker.debug_level = debug
            eng = Engine(program, clock=time.time, worker=worker, shared=shared)
            shared = eng.shared
            self.engines.append(eng)

    def _level(self) -> int:
        return self.engines[0]._log_level() if self.engines else L_INFO

    # ---- start / stop ---------------------------------------------------------------------------------
    def bind(self) -> None:
        """Open every socket of the table (OSError when one cannot be bound)."""
        for info in self.table.sockets:
            if info.proto == "udp":
                u = UdpSocket(info)
                self.udp[(info.ip, info.port)] = u
                self.sel.register(u.sock, selectors.EVENT_READ, u)
            else:
                t = TcpListener(info)
                self.listeners.append(t)
                self.sel.register(t.sock, selectors.EVENT_READ, t)

    def report_startup(self) -> None:
        for eng in self.engines:
            for res in eng.startup:
                self._emit(res, eng.worker.rank)

    def close(self) -> None:
        self.tcp.close_all()
        if self.routes is not None:
            self.routes.close()
        for s in list(self.udp.values()) + self.listeners:
            try:
                self.sel.unregister(s.sock)
            except (KeyError, ValueError):
                pass
            s.close()
        self.sel.close()

    def stop(self, *_):
        self.running = False

    # ---- the loop -------------------------------------------------------------------------------------
    def serve(self, until: float | None = None) -> None:
        """Run until stop() (SIGTERM/SIGINT) or the monotonic deadline `until`."""
        rfd, wfd = socket.socketpair()
        rfd.setblocking(False)
        wfd.setblocking(False)
        old_wakeup = signal.set_wakeup_fd(wfd.fileno())
        self.sel.register(rfd, selectors.EVENT_READ, None)
        next_tick = time.monotonic() + TICK
        try:
            while self.running:
                now = time.monotonic()
                if until is not None and now >= until:
                    break
                for key, mask in self.sel.select(self._timeout(next_tick - now)):
                    obj = key.data
                    if obj is None:
                        try:
                            rfd.recv(512)
                        except OSError:
                            pass
                    elif isinstance(obj, UdpSocket):
                        self._udp_ready(obj)
                    elif isinstance(obj, TcpListener):
                        self.tcp.accept(obj)
                    else:
                        self.tcp.ready(obj, mask)
                self._fire_timers()
                if time.monotonic() >= next_tick:
                    next_tick = time.monotonic() + TICK
                    self.tcp.reap()
        finally:
            signal.set_wakeup_fd(old_wakeup)
            self.sel.unregister(rfd)
            rfd.close()
            wfd.close()

    def _timeout(self, housekeeping: float) -> float:
        """Sleep until housekeeping or the earliest engine timer (tm's T1/fr_timer...), whichever first."""
        wait = housekeeping
        for eng in self.engines:
            due = eng.next_deadline()
            if due is not None:
                wait = min(wait, due - time.time())
        return max(0.0, wait)

    def _fire_timers(self) -> None:
        now = time.time()
        for eng in self.engines:
            due = eng.next_deadline()
            if due is not None and due <= now:
                self._handle(eng.tick(now), eng.worker.rank, None)

    def _engine(self) -> Engine:
        self._rr = (self._rr + 1) % len(self.engines)
        return self.engines[self._rr]

    def _udp_ready(self, u: UdpSocket) -> None:
        info = u.info
        for data, addr in u.read_burst():
            eng = self._engine()
            rcv = ReceiveInfo("udp", addr[0], addr[1], info.ip, info.port)
            self._handle(eng.receive(data, rcv), eng.worker.rank, None)

    def _tcp_message(self, conn, data: bytes) -> None:
        eng = self.engines[conn.id % len(self.engines)]
        rcv = ReceiveInfo("tcp", conn.peer[0], conn.peer[1], conn.local.ip, conn.local.port, conn.id)
        res = eng.receive(data, rcv)
        self._tcp_alias(conn, res)
        self._handle(res, eng.worker.rank, conn)

    def _tcp_alias(self, conn, res: Result) -> None:
        """Via ;alias (with tcp_accept_aliases) or force_tcp_alias(): sends to source IP:Via port
        reuse this connection (Kamailio's tcpconn_add_alias)."""
        ctx = res.ctx
        if ctx is None or res.kind != "request":
            return
        forced = getattr(ctx, "tcp_alias", None)
        try:
            via = ctx.msg.via1
        except Exception:
            return
        if forced is None and not (self.tcp.params.accept_aliases and via.params.has("alias")):
            return
        port = forced if isinstance(forced, int) and forced is not True else (via.port_no or 5060)
        self.tcp.alias(conn, conn.peer[0], port)

    # ---- effects ----------------------------------------------------------------------------------------
    def _handle(self, res: Result, rank: int, conn) -> None:
        self._emit(res, rank)
        for action in res.sent:
            self.send(action, getattr(res.ctx, "conn_flags", None) or ())

    def _emit(self, res: Result, rank: int) -> None:
        for r in res.logs:
            self.log.line(rank, r.level, None, r.text)
        if res.error:
            self.log.core(L_ERR, "cfgvm internal error while running the config:\n" + res.error)
        if res.kind == "invalid" and res.reason:
            self.log.core(L_DBG, f"message dropped: {res.reason}", self._level())

    def send(self, a: SendAction, conn_flags=()) -> bool:
        ip, port = a.dst
        ip = ip.strip("[]")
        if a.proto == "udp":
            sock = self.udp.get(a.src) if a.src else None
            if sock is None or (":" in ip) != (sock.info.af == 10):
                info = self.table.select("udp", ip)
                sock = self.udp.get((info.ip, info.port)) if info else None
            if sock is None:
                self.log.core(L_ERR, f"no udp socket to send to {ip}:{port}")
                return False
            err = sock.sendto(a.data, (ip, port))
            if err:
                self.log.core(L_ERR, err)
            return err is None
        if a.proto == "tcp":
            conn = self.tcp.find((ip, port))
            if conn is None:
                no_connect = "reply_no_connect" if a.kind == "reply" else "forward_no_connect"
                if no_connect in conn_flags:
                    self.log.core(L_ERR, f"no open tcp connection to {ip}:{port} and {no_connect} is set")
                    return False
                info = None
                if a.src:
                    info = self.table.find("tcp", a.src[0], a.src[1])
                if info is None or (":" in ip) != (info.af == 10):
                    info = self.table.select("tcp", ip)
                if info is None:
                    self.log.core(L_ERR, f"no tcp socket to send to {ip}:{port}")
                    return False
                conn = self.tcp.connect(info, (ip, port))
                if conn is None:
                    return False
            self.tcp.send(conn, a.data)
            close = "reply_close" if a.kind == "reply" else "forward_close"
            if close in conn_flags and not conn.out:
                self.tcp.close(conn)
            return True
        self.log.core(L_ERR, f"cannot send to {a.proto}:{ip}:{port}: the {a.proto.upper()} transport "
                             f"is not implemented in cfgvm (udp and tcp are)")
        return False


def local_addresses() -> list[str]:
    """Every address of every interface (Kamailio listens on all of them when no listen is given)."""
    from pyroute2 import IPRoute
    with IPRoute() as ipr:
        out = []
        for a in ipr.get_addr():
            ip = a.get_attr("IFA_ADDRESS")
            if ip and not ip.startswith("fe80:") and ip not in out:
                out.append(ip)
        return out


def auto_aliases(table: SocketTable) -> list[tuple[str, int]]:
    """auto_aliases: the name each socket IP resolves back to (/etc/hosts, DNS) on the socket's port."""
    out = []
    for s in table.sockets:
        try:
            name = socket.gethostbyaddr(s.ip)[0]
        except OSError:
            continue
        if (name, s.port) not in out:
            out.append((name, s.port))
    return out


def format_listening(table: SocketTable, aliases) -> str:
    """What Kamailio prints on start (stdout): the sockets and the aliases."""
    lines = ["Listening on "]
    for s in table.sockets:
        ip = f"[{s.ip}]" if s.af == 10 else s.ip
        adv = f" advertise {s.adv_host}:{s.via_port}" if s.adv_host else ""
        lines.append(f"             {s.proto}: {ip}:{s.port}{adv}")
    lines.append("Aliases: ")
    for s in table.sockets:
        for host, port in aliases:
            if port == s.port:
                lines.append(f"             {s.proto}: {host}:{port}")
                break
    return "\n".join(lines) + "\n"
