"""The dry-run driver: one message through the engine, in memory, on a virtual clock.

    program = load_program("kamailio.cfg", {"WITH_DEBUG": None})
    run = DryRun(program).run(buf, ReceiveInfo("udp", "127.0.0.2", 5070, "127.0.0.1", 5060))
    render_text(run), render_json(run), render_cfgt(run)

Nothing here touches a socket or the wall clock: the clock starts at a fixed instant (VirtualClock) and
only moves when the caller advances it, so the same message gives the same output every time.
"""
from __future__ import annotations

import json
from dataclasses import dataclass

from cfgvm.engine import Engine, Result
from cfgvm.trace import Tracer, cfgt_dumper, cfgt_vars
from cfgvm.transport.sockets import listen_table
from cfgvm.vm.context import ReceiveInfo, WorkerState

EPOCH = 1704067200.0          # 2024-01-01T00:00:00Z: where the virtual clock starts by default
DRYRUN_PID = 4242             # $pp in a dry-run (a fixed number keeps the output reproducible)
DEFAULT_SRC = ("udp", "127.0.0.2", 5070)
DEFAULT_DST = ("udp", "127.0.0.1", 5060)
# Kamailio's level numbers (dprint.h) -> the names its log lines show.
LEVEL_NAMES = {-5: "ALERT", -4: "BUG", -3: "CRITICAL", -2: "CRITICAL", -1: "ERROR", 0: "WARNING",
               1: "NOTICE", 2: "INFO", 3: "DEBUG"}


class VirtualClock:
    """now() for the engine; time passes only through advance()."""

    def __init__(self, start: float = EPOCH):
        self.now = float(start)

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


def parse_address(text: str, default_proto: str = "udp") -> tuple[str, str, int]:
    """"udp:IP:PORT", "IP:PORT", "udp:[::1]:5060" -> (proto, ip, port); ValueError when malformed."""
    proto, rest = default_proto, text
    head, sep, tail = text.partition(":")
    if sep and head.lower() in ("udp", "tcp", "tls", "sctp", "ws", "wss"):
        proto, rest = head.lower(), tail
    if rest.startswith("["):
        ip, _, port = rest[1:].partition("]")
        port = port[1:] if port.startswith(":") else ""
    else:
        ip, _, port = rest.rpartition(":")
    if not ip or not port.isdigit() or not 0 < int(port) < 65536:
        raise ValueError(f"bad address {text!r} (expected proto:IP:PORT)")
    return proto, ip, int(port)


def compile_file(path: str, defines: dict[str, str | None] | None = None):
    """Config file -> (Program, warnings); raises cfgvm.diagnostics.CfgError on a bad config."""
    from cfgvm.compiler.program import compile_config
    from cfgvm.parse import parse_file
    cfg = parse_file(path, defines or {})
    src = getattr(cfg, "source", None)
    final_defines = getattr(src, "defines", None) or dict(defines or {})
    return compile_config(cfg, defines=final_defines)


def load_program(path: str, defines: dict[str, str | None] | None = None):
    """Config file -> compiled Program (raises cfgvm.diagnostics.CfgError on a bad config)."""
    return compile_file(path, defines)[0]


@dataclass
class DryRunResult:
    sip_in: bytes
    rcv: ReceiveInfo
    result: Result
    tracer: Tracer | None
    startup: list[Result]


class DryRun:
    def __init__(self, program, *, clock: VirtualClock | None = None, trace: bool = True):
        self.clock = clock or VirtualClock()
        dump = cfgt_dumper(program) if trace else None
        factory = (lambda: Tracer(cfgt_vars=dump)) if trace else None
        self.program = program
        self.engine = Engine(program, clock=self.clock, worker=WorkerState(pid=DRYRUN_PID, rank=1),
                             tracer_factory=factory)

    def listen_on(self, sock: tuple[str, str, int]) -> None:
        """Make sock (proto, ip, port) a listening socket, like `kamailio -l`.

        The keyword `myself` (program.myself) and kex's is_myself (program.is_myself) ask the program
        for its sockets; a dry-run program has no table of its own, so the driver lends it the
        dry-run listen table (cfgvm.transport.sockets.listen_table: listen=, alias= and sock)."""
        table = listen_table(self.program, ReceiveInfo(sock[0], "", 0, sock[1], sock[2]))
        for name in ("myself", "is_myself"):
            if getattr(self.program, name, None) is None or getattr(self.program, "_dryrun_listen", False):
                setattr(self.program, name, table)
        self.program._dryrun_listen = True

    def run(self, buf: bytes, rcv: ReceiveInfo) -> DryRunResult:
        self.listen_on((rcv.proto, rcv.dst_ip, rcv.dst_port))
        res = self.engine.receive(buf, rcv)
        tracer = res.ctx.trace if res.ctx is not None else None
        return DryRunResult(buf, rcv, res, tracer, self.engine.startup)


def receive_info(src: tuple[str, str, int], dst: tuple[str, str, int]) -> ReceiveInfo:
    return ReceiveInfo(dst[0], src[1], src[2], dst[1], dst[2])


# ---- renderers ------------------------------------------------------------------------------------
def _addr(pair) -> str:
    if pair is None:
        return ""
    ip, port = pair
    return f"[{ip}]:{port}" if ":" in ip else f"{ip}:{port}"


def _text(data: bytes) -> str:
    return data.decode("latin-1")


def variables(run: DryRunResult) -> dict:
    ctx = run.result.ctx
    if ctx is None:
        return {}
    out = cfgt_vars(ctx)
    msg = ctx.msg
    if getattr(msg, "new_uri", None) is not None:
        out["$ru"] = msg.new_uri
    du = getattr(msg, "dst_uri", None) or ctx.dst_uri
    if du:
        out["$du"] = du
    for pv, value in (("$mf", ctx.flags), ("$sf", ctx.sflags), ("$bf", ctx.bflags)):
        if value:
            out[pv] = value
    return out


def _logs(results) -> list:
    return [r for res in results for r in res.logs]


def render_json(run: DryRunResult) -> dict:
    res, tr = run.result, run.tracer
    return {
        "outcome": res.outcome,
        "sent": [{"kind": a.kind, "proto": a.proto, "src": _addr(a.src), "dst": _addr(a.dst),
                  "data": _text(a.data)} for a in res.sent],
        "flow": tr.flow if tr else [],
        "trace": tr.actions if tr else [],
        "log": [r.text for r in res.logs],
        "log_levels": [LEVEL_NAMES.get(r.level, str(r.level)) for r in res.logs],
        "startup_log": [r.text for r in _logs(run.startup)],
        "vars": variables(run),
        "error": res.error,
    }


def render_cfgt(run: DryRunResult) -> dict:
    """What Kamailio's cfgt module writes for this message (see cfgvm/trace.py CfgtFlow)."""
    tr = run.tracer
    return {"flow": tr.cfgt.flow if tr and tr.cfgt else [],
            "sip_in": [_text(run.sip_in)],
            "sip_out": [_text(a.data) for a in run.result.sent]}


def render_text(run: DryRunResult) -> str:
    res, tr = run.result, run.tracer
    out = []
    for s in run.startup:
        for r in s.logs:
            out.append(f"startup {LEVEL_NAMES.get(r.level, r.level)}: {r.text.rstrip()}")
        if s.error:
            out.append(f"startup error:\n{s.error.rstrip()}")
    r = run.rcv
    out.append(f"== message {res.kind} from {r.proto}:{_addr((r.src_ip, r.src_port))} "
               f"to {r.proto}:{_addr((r.dst_ip, r.dst_port))} ({len(run.sip_in)} bytes)")
    if tr is not None:
        out.append("== route path")
        out += tr.flow_lines() or ["(no route ran)"]
        out.append("== trace")
        out += tr.text_lines() or ["(no action ran)"]
    out.append("== log")
    out += [f"{LEVEL_NAMES.get(x.level, x.level)}: {x.text.rstrip(chr(10))}" for x in res.logs] or ["(none)"]
    o = res.outcome
    out.append("== outcome")
    line = o["status"]
    if o["replies"]:
        line += ": " + "; ".join(o["replies"])
    if o["forwarded_to"]:
        line += (": " if not o["replies"] else " and forwarded to ") + ", ".join(o["forwarded_to"])
    if o.get("reason"):
        line += f" ({o['reason']})"
    out.append(line)
    if res.error:
        out.append(res.error.rstrip())
    out.append("== variables")
    out += [f"{k} = {json.dumps(v)}" for k, v in variables(run).items()] or ["(none)"]
    out.append(f"== sent ({len(res.sent)})")
    for a in res.sent:
        out.append(f"-- {a.kind} {a.proto} {_addr(a.src)} -> {_addr(a.dst)} ({len(a.data)} bytes)")
        out.append(_text(a.data).replace("\r\n", "\n").rstrip("\n"))
    return "\n".join(out) + "\n"
