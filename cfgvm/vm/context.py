"""Per-message runtime context: what the VM, PV accessors and module functions read and change.

The pieces of issue 4 meet here; keep these names stable (add freely):

  Program (cfgvm/compiler):  compile_config(config, ...) -> Program with
        .routes: {kind: {name: Code}}      kinds as cfgvm.ast.ROUTE_KINDS, unnamed block under None
        .modules: {name: ModuleInstance}   (cfgvm/exports.py)
        .run_route(ctx, kind, name=None) -> RunResult     runs one route block with Kamailio semantics
        .defines (for $def), .params (core params), .worker / .shared factories
  PVRef (cfgvm/vm/pv.py): a PV spec resolved at compile time: .get(ctx) -> Value, .set(ctx, value)
        (index, dynamic names and transformations handled inside), .spec (the PVSpec), .writable
  Engine (cfgvm/engine.py): receive(buf, rcv, now) -> outputs; builds a Context, runs routes, applies
        the actions module functions queued (replies, forwards), never touches sockets or clocks.

A module function gets (ctx, mod, *args); it reads ctx.msg (cfgvm.sip Message), ctx.rcv, flags, AVPs,
and asks for effects through ctx.send(...) / ctx.reply(...) / ctx.log(...) which the engine's driver
carries out (dry-run records them, `cfgvm run` puts them on the wire).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

from cfgvm.vm.values import Value


@dataclass(frozen=True, slots=True)
class ReceiveInfo:
    """Where a message came from and on which local socket ($si, $sp, $Ri, $Rp, $pr, $af)."""
    proto: str            # "udp" | "tcp" | "tls" | "sctp" | "ws" | "wss"
    src_ip: str
    src_port: int
    dst_ip: str
    dst_port: int
    conn_id: int = 0      # the TCP connection's id (Kamailio's ;i= Via param), 0 for UDP

    @property
    def af(self) -> int:
        return 10 if ":" in self.src_ip else 2


@dataclass
class WorkerState:
    """Per worker process, never reset between messages ($var lives here, as in Kamailio)."""
    vars: dict[str, Value] = field(default_factory=dict)
    pid: int = 0
    rank: int = 1


@dataclass
class SharedState:
    """What Kamailio keeps in shared memory; one object per running program (behind one interface so it
    can later live in an external store)."""
    shv: dict[str, Value] = field(default_factory=dict)
    modules: dict[str, Any] = field(default_factory=dict)   # per-module shared state (htables, counters...)


@dataclass
class SendAction:
    """A message the script asked to put on the wire (forward, send, reply, t_relay branch...)."""
    kind: str             # "reply" | "forward" | "send" | "relay"
    proto: str
    dst: tuple[str, int]  # (ip, port)
    data: bytes
    src: tuple[str, int] | None = None


@dataclass
class LogRecord:
    level: int            # Kamailio levels: L_ALERT -5 ... L_DBG 3
    text: str
    facility: str | None = None


class Context:
    """State for one message going through the routes (one per received message, or per tm event)."""

    # set by modules when they apply (FL_MSG_NOREPLY, tm's transaction); class defaults keep the
    # per-message construction short and getattr(ctx, name, default) readers working. The scalars
    # below start the same for every message: an assignment in the instance replaces them.
    no_reply = False
    transaction = None
    flags = 0                           # message flags ($mf, setflag)
    sflags = 0                          # script flags ($sf), reset per top-level route
    bflags = 0                          # branch flags of branch 0 ($bf)
    rc = 1                              # $rc / $retcode / $?
    dst_uri = None                      # $du
    force_socket = None                 # $fs / force_send_socket
    replied = False
    trace = None                        # a tracer object when dry-run traces, else None

    def __init__(self, program, msg, rcv: ReceiveInfo, *, worker: WorkerState, shared: SharedState,
                 clock: Callable[[], float], route_type: int = 1):
        self.program = program
        self.msg = msg                  # cfgvm.sip Message
        self.rcv = rcv
        self.worker = worker
        self.shared = shared
        self.clock = clock              # injectable: now() -> seconds since the epoch (float)
        self.route_type = route_type    # cfgvm.exports REQUEST_ROUTE etc.
        self.avps: dict = {}            # name -> list of values, newest first (stack semantics)
        self.xavps: dict = {}           # name -> list of records (dict name -> list of values)
        self.branches: list = []                # additional branches (append_branch)
        self.sent: list[SendAction] = []
        self.logs: list[LogRecord] = []
        self.mod_state: dict[str, Any] = {}     # per-message scratch state of modules

    def get_pv_raw(self, spec) -> Value:
        """A PV's value without its transformations (cfgvm.vm.pv.get_raw): how the base modules
        read PVs (stdlib_modules/_common.py)."""
        from cfgvm.vm.pv import get_raw
        return get_raw(self, spec)

    # effects -----------------------------------------------------------------------------------
    def send(self, action: SendAction) -> None:
        self.sent.append(action)

    def log(self, level: int, text: str, facility: str | None = None) -> None:
        self.logs.append(LogRecord(level, text, facility))
