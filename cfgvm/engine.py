"""The sans-IO engine: bytes and where they came from in, effects out (h11 style: no sockets, no clock).

    engine = Engine(program, clock=lambda: 1704067200.0)
    result = engine.receive(buf, ReceiveInfo("udp", "127.0.0.2", 5070, "127.0.0.1", 5060))
    result.sent, result.logs, result.outcome

Kamailio's receive path (src/core/receive.c, forward.c), reproduced:
  1. parse_msg(): a first line or a header before the first Via it cannot parse -> dropped, silently;
  2. a request that is not SIP/2.0, has no Via, or lacks Call-ID/CSeq/From/To -> dropped;
  3. a request runs request_route; whatever the script did not reply or forward is simply discarded;
  4. a reply without a Via is dropped; else the core reply route (`reply_route {}` / unnamed
     `onreply_route {}`) runs and, unless it dropped the reply, the reply is forwarded statelessly:
     the top Via removed, sent to the second Via's received (else host) and rport (else port, else 5060);
  5. script flags start at 0 for every top-level route; $var lives in the worker and is never reset;
  6. log records above the `debug` level are not printed (the engine is the log sink).
Program start (Engine creation): module child_init hooks, then event_route[htable:mod-init] and
event_route[core:worker-one-init] once, on Kamailio's faked message.
The engine never raises for what a peer sent; a failure of our own code is reported in Result.error.
"""
from __future__ import annotations

import traceback
from functools import partial
from typing import Callable

from cfgvm.exports import CORE_ONREPLY_ROUTE, EVENT_ROUTE, REQUEST_ROUTE
from cfgvm.compiler.program import RunResult
from cfgvm.sip import Message, SipParseError
from cfgvm.sip.message import MAX_MESSAGE
from cfgvm.timers import TimerQueue
from cfgvm.vm.pv import get_raw
from cfgvm.vm.context import Context, LogRecord, ReceiveInfo, SendAction, SharedState, WorkerState

# What Kamailio's faked_msg.c gives event routes that run without a received message.
FAKED_MSG = (b"OPTIONS sip:you@kamailio.org SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1\r\n"
             b"From: <sip:you@kamailio.org>;tag=123\r\nTo: <sip:you@kamailio.org>\r\n"
             b"Call-ID: 123\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n")
FAKED_RCV = ReceiveInfo("udp", "127.0.0.1", 5060, "127.0.0.1", 5060)
# Event routes Kamailio runs once at start, in this order, and the module that runs each.
STARTUP_EVENTS = (("htable:mod-init", "htable"), ("core:worker-one-init", None))
SIP_PORT, SIPS_PORT = 5060, 5061
DEFAULT_DEBUG = 0             # Kamailio's default `debug` level: L_WARN


class Result:
    """What one received message led to."""
    __slots__ = ("kind", "sent", "logs", "dropped", "reason", "error", "ctx")

    def __init__(self, kind: str, sent: list[SendAction] | None = None, logs: list[LogRecord] | None = None,
                 dropped: bool = False, reason: str = "", error: str | None = None, ctx: Context | None = None):
        self.kind = kind                # "request" | "reply" | "invalid" (dropped before any route)
        self.sent = [] if sent is None else sent
        self.logs = [] if logs is None else logs
        self.dropped = dropped          # the script (or the core) dropped it
        self.reason = reason            # why the core dropped it, or what became of a reply
        self.error = error              # an exception of ours (bug or unimplemented piece), with traceback
        self.ctx = ctx                  # the per-message context (for traces and variables)

    def __repr__(self):
        return f"Result({self.kind!r}, sent={len(self.sent)}, dropped={self.dropped}, error={self.error is not None})"

    @property
    def outcome(self) -> dict:
        replies = [_first_line(a.data) for a in self.sent if a.kind == "reply"]
        forwards = [f"{a.proto}:{_hostport(a.dst)}" for a in self.sent if a.kind != "reply"]
        if self.error:
            status = "error"
        elif replies:
            status = "replied"
        elif forwards:
            status = "forwarded"
        elif self.dropped or self.kind == "invalid":
            status = "dropped"
        else:
            status = "absorbed"     # the script ended without replying or forwarding
        out = {"status": status, "replies": replies, "forwarded_to": forwards}
        if self.reason:
            out["reason"] = self.reason
        return out


class Engine:
    def __init__(self, program, *, clock: Callable[[], float], worker: WorkerState | None = None,
                 shared: SharedState | None = None, tracer_factory: Callable[[], object] | None = None):
        self.program = program
        self.clock = clock
        self.worker = worker if worker is not None else _make(program, "new_worker", WorkerState)
        self.shared = shared if shared is not None else _make(program, "new_shared", SharedState)
        self.tracer_factory = tracer_factory     # a Tracer per message (dry-run), or None
        self.routes = program.routes
        self.timers = TimerQueue()               # module timers (tm) on this engine's clock
        self._hook_table = None                  # hook name -> [(module instance, hook)], see _hooks
        self.startup = self._start()             # Results of the start-up event routes

    # ---- program start ------------------------------------------------------------------------
    def _start(self) -> list[Result]:
        out = []
        for inst in getattr(self.program, "modules", {}).values():
            hook = inst.exports.child_init
            if hook is not None:
                hook(inst, self.worker)
        modules = getattr(self.program, "modules", {})
        for event, module in STARTUP_EVENTS:
            if event not in self.routes.get("event", {}):
                continue
            if module is not None and module not in modules:
                continue
            if event == "core:worker-one-init" and self.worker.rank != 1:
                continue
            out.append(self.run_event(event))
        return out

    def run_event(self, name: str, msg_buf: bytes = FAKED_MSG, rcv: ReceiveInfo = FAKED_RCV) -> Result:
        """Run event_route[name] on a (faked) message, as the core and modules do."""
        res = Result("request")
        msg = Message.parse(msg_buf)
        ctx = self._context(msg, rcv, EVENT_ROUTE)
        self._run(ctx, res, "event", name)
        return res

    # ---- one message ----------------------------------------------------------------------------
    def receive(self, buf: bytes, rcv: ReceiveInfo) -> Result:
        if len(buf) > MAX_MESSAGE:
            return Result("invalid", dropped=True, reason=f"{len(buf)} bytes exceed {MAX_MESSAGE}")
        try:
            msg = Message.parse(buf, lenient=True)
        except SipParseError as e:
            return Result("invalid", dropped=True, reason=f"core parsing of SIP message failed: {e}")
        why = _core_refusal(msg)
        if why:
            return Result("invalid" if msg.is_request else "reply", dropped=True, reason=why)
        hooks = self._hook_table if self._hook_table is not None else self._hook_names()
        if msg.is_request:
            res = Result("request")
            ctx = self._context(msg, rcv, REQUEST_ROUTE)
            # taken before the script (sl's local ACK)
            if "request_received" in hooks and self._hooks("request_received", ctx, res):
                return res
            self._run(ctx, res, "request", None)
            if "request_done" in hooks:
                self._hooks("request_done", ctx, res)
        else:
            res = Result("reply")
            ctx = self._context(msg, rcv, CORE_ONREPLY_ROUTE)
            kind = next((k for k in ("reply", "onreply") if None in self.routes.get(k, {})), None)
            if kind is not None:
                self._run(ctx, res, kind, None)
            if not res.dropped and res.error is None and not self._hooks("reply_received", ctx, res):
                self._forward_reply(ctx, res)
        return res

    # ---- module hooks and timers ------------------------------------------------------------------
    def _hooks(self, name: str, ctx: Context, res: Result) -> bool:
        """Run module hook `name` (Module.hooks); True when one of them consumed the message."""
        taken = False
        table = self._hook_table if self._hook_table is not None else self._hook_names()
        for inst, hook in table.get(name, ()):
            if res.error is not None:
                continue
            res.sent = ctx.sent              # a hook's effects go through ctx.send / ctx.log
            try:
                taken = bool(hook(inst, self, ctx, res)) or taken
            except Exception:
                res.error = traceback.format_exc()
            res.logs = self._printed(ctx.logs)
        return taken

    def _hook_names(self) -> dict:
        """hook name -> [(module instance, hook)], built once per engine: the loaded modules do not
        change after compile."""
        table = self._hook_table = {}
        for inst in getattr(self.program, "modules", {}).values():
            for hname, hook in getattr(inst.exports, "hooks", {}).items():
                table.setdefault(hname, []).append((inst, hook))
        return table

    def next_deadline(self) -> float | None:
        """When the earliest armed timer is due (engine clock), None when none is armed."""
        return self.timers.next_deadline()

    def tick(self, now: float | None = None) -> Result:
        """Fire every timer due at `now` (default: the engine clock); callbacks get (now, res) and put
        what they send in res.sent. Timers armed for <= now by a callback fire in the same tick."""
        now = self.clock() if now is None else now
        res = Result("timer")
        for _ in range(100000):           # bounded: a callback re-arming at `now` cannot spin forever
            due = self.timers.pop_due(now)
            if not due:
                break
            for t in due:
                try:
                    t.callback(now, res)
                except Exception:
                    res.error = traceback.format_exc()
        limit = self._log_level()
        res.logs = [r for r in res.logs if r.level <= limit]
        return res

    def context(self, msg, rcv, route_type) -> Context:
        """A context for a route a module runs outside receive() (tm's failure/onreply routes)."""
        return self._context(msg, rcv, route_type)

    def _context(self, msg, rcv, route_type) -> Context:
        ctx = Context(self.program, msg, rcv, worker=self.worker, shared=self.shared, clock=self.clock,
                      route_type=route_type)
        ctx.engine = self                # modules reach the timer queue and route runner through it
        if not hasattr(ctx, "get_pv_raw"):
            # the base modules read PVs through ctx.get_pv_raw(spec) (stdlib_modules/_common.py);
            # Context does not carry it yet, so the engine binds cfgvm.vm.pv.get_raw here
            ctx.get_pv_raw = partial(get_raw, ctx)
        if self.tracer_factory is not None:
            ctx.trace = self.tracer_factory()
            ctx.trace.ctx = ctx
        return ctx

    def _run(self, ctx: Context, res: Result, kind: str, name) -> None:
        """One top-level route; script flags start at 0 (Kamailio resets them per top route)."""
        res.ctx = ctx
        ctx.sflags = 0
        try:
            run = self.program.run_route(ctx, kind, name)
            res.dropped = res.dropped or _dropped(run)
        except Exception:  # our bug or an unimplemented piece: reported, never raised to the driver
            res.error = traceback.format_exc()
        finally:
            if ctx.trace is not None:
                ctx.trace.finish()
            res.sent = ctx.sent
            res.logs = self._printed(ctx.logs) if ctx.logs else []

    def _printed(self, logs) -> list:
        """The records of logs the sink prints (a new list); the level is only read when there are
        records to filter."""
        if not logs:
            return []
        limit = self._log_level()
        return [r for r in logs if r.level <= limit]

    def _log_level(self) -> int:
        """The log sink's threshold, as Kamailio's LOG(): records above the `debug` level (or the
        worker's level set by setdebug()) are not printed."""
        level = getattr(self.worker, "debug_level", None)
        if level is None:
            level = getattr(self.program, "params", {}).get("debug", DEFAULT_DEBUG)
        return level if isinstance(level, int) else DEFAULT_DEBUG

    def _forward_reply(self, ctx: Context, res: Result) -> None:
        """The core's forwarding of a reply after the reply routes (when not dropped)."""
        why, bad = forward_reply(ctx)
        if why:
            res.reason = why
            res.dropped = res.dropped or bad
        res.sent = ctx.sent


def forward_reply(ctx: Context, edits=()) -> tuple[str, bool]:
    """Kamailio's forward_reply(): drop our Via, send to the next one (update_sock_struct_from_via).
    Used by the engine after the reply routes and by corex forward_reply() / sl_forward_reply().
    edits: (offset, length, text) changes of the received text for this copy only (sl's new status
    code / reason); the message's own lumps are left as they were. Returns ("", False) when sent,
    else (why not, whether the reply is unusable)."""
    msg = ctx.msg
    try:
        vias = msg.vias()
    except SipParseError as e:
        return f"reply not forwarded: bad Via ({e})", True
    if len(vias) < 2:
        return "reply not forwarded: no 2nd Via (the reply is for this proxy)", False
    via2 = vias[1]
    port = 0
    if via2.rport:
        port = int(via2.rport) if via2.rport.isdigit() and int(via2.rport) < 65536 else 0
    host = via2.received or via2.host
    if not port:
        port = via2.port_no or (SIPS_PORT if via2.proto == "tls" else SIP_PORT)
    lumps = msg.lumps
    saved = (list(lumps.headers), list(lumps.body))
    try:
        for off, length, text in edits:
            lumps.replace(off, length, text)
        _remove_top_via(msg)
        data = lumps.apply()
    finally:
        lumps.headers, lumps.body = saved
    proto = via2.proto if via2.proto in ("udp", "tcp", "tls", "sctp", "ws", "wss") else "udp"
    ctx.send(SendAction("forward", proto, (host.strip("[]"), port), data,
                        src=(ctx.rcv.dst_ip, ctx.rcv.dst_port)))
    return "", False


# parse_msg() parses these eagerly while looking for the first Via, and refuses a second copy of the
# unique ones (the same tables as cfgvm/sip/probe.py, applied only up to the first Via).
_EAGER = frozenset({"via", "cseq", "to", "content-length"})
_UNIQUE = frozenset({"call-id", "to", "cseq", "from", "content-length", "max-forwards"})


def _core_refusal(msg: Message) -> str:
    """Why Kamailio's core drops msg before any route runs ("" when it does not)."""
    idx = msg._idx
    vias = idx.get("via")
    if vias and vias[0] == 0:            # the usual shape: nothing before the first Via to check
        try:
            msg._parsed_at(0)
        except SipParseError as err:
            return f"core parsing of SIP message failed: {err}"
    else:
        why = _before_first_via(msg)
        if why:
            return why
    if msg.is_request:
        if not msg.is_sip:
            return f"not a SIP/2.0 request ({msg.version}): handed to non-SIP hooks"
        if not ("call-id" in idx and "cseq" in idx and "from" in idx and "to" in idx):
            for name in ("call-id", "cseq", "from", "to"):
                if name not in idx:
                    return f"missing {name} header"
    return ""


def _before_first_via(msg: Message) -> str:
    """parse_msg() up to the first Via: unique headers seen twice and a bad eager one refuse it."""
    seen = set()
    key_at = msg._key_at                 # the header index itself: no HeaderField, no _h
    for i in range(msg.header_count_all()):
        k = key_at(i)
        if k in _UNIQUE:
            if k in seen:
                e = msg._entry(i)
                return f"core parsing of SIP message failed: duplicate {msg.text[e[1]:e[2]]} header"
            seen.add(k)
        if k in _EAGER:
            try:
                msg._parsed_at(i)
            except SipParseError as err:
                return f"core parsing of SIP message failed: {err}"
        if k == "via":
            return ""
    if msg.header_error is not None:
        return f"core parsing of SIP message failed: {msg.header_error}"
    return "no Via header"


def _remove_top_via(msg: Message) -> None:
    """build_res_buf_from_sip_res(): the first via-parm goes; its header too when it held only that."""
    hf = msg.headers("via")[0]
    bodies = hf.parsed
    if len(bodies) == 1:
        msg.lumps.remove_header(hf)
    else:
        msg.lumps.delete(hf.body_start + bodies[0].start, bodies[1].start - bodies[0].start)


def _dropped(run) -> bool:
    """Did the route end with `drop`? run: what Program.run_route returns (a RunResult, or the
    machine's (return code, run flags) pair whose DROP bit is 8 as cfgvm/vm/machine.RunFlag)."""
    if run.__class__ is RunResult:
        return run.dropped
    if run is None:
        return False
    for attr in ("dropped", "drop"):
        v = getattr(run, attr, None)
        if isinstance(v, bool):
            return v
    if isinstance(run, tuple):
        return bool(run[1] & 8)
    outcome = getattr(run, "outcome", None)
    return getattr(outcome, "name", str(outcome)).upper() == "DROP"


def _make(program, factory: str, default):
    f = getattr(program, factory, None)
    return f() if callable(f) else default()


def _first_line(data: bytes) -> str:
    return data.split(b"\r\n", 1)[0].decode("latin-1")


def _hostport(dst: tuple[str, int]) -> str:
    ip, port = dst
    return f"[{ip}]:{port}" if ":" in ip else f"{ip}:{port}"
