"""The sans-IO engine on requests, replies and malformed input, with a stand-in program.

The stand-in plays the compiled Program's part (run_route(ctx, kind, name)) with Python callables,
so these tests pin the engine's own rules: Kamailio's receive path (src/core/receive.c), stateless
reply forwarding (forward.c: forward_reply, update_sock_struct_from_via; RFC 3261 §18.2.2, RFC 3581
§4), script flags per top-level route, start-up event routes, no exception out of receive().
"""
from types import SimpleNamespace

from cfgvm.engine import FAKED_MSG, Engine
from cfgvm.exports import CORE_ONREPLY_ROUTE, REQUEST_ROUTE, Module, ModuleInstance
from cfgvm.trace import Tracer, cfgt_vars
from cfgvm.vm.context import ReceiveInfo, SendAction

RCV = ReceiveInfo("udp", "127.0.0.2", 5070, "127.0.0.1", 5060)

OPTIONS = (b"OPTIONS sip:127.0.0.1 SIP/2.0\r\n"
           b"Via: SIP/2.0/UDP 127.0.0.2:5070;branch=z9hG4bK-1;rport\r\n"
           b"From: <sip:a@127.0.0.2>;tag=f1\r\nTo: <sip:127.0.0.1>\r\n"
           b"Call-ID: c1@127.0.0.2\r\nCSeq: 1 OPTIONS\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n")

REPLY = (b"SIP/2.0 200 OK\r\n"
         b"Via: SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bK-ours\r\n"
         b"Via: SIP/2.0/UDP 10.9.9.9:5999;branch=z9hG4bK-caller;received=127.0.0.7;rport=5077\r\n"
         b"From: <sip:a@127.0.0.2>;tag=f1\r\nTo: <sip:b@127.0.0.1>;tag=t1\r\n"
         b"Call-ID: c2@127.0.0.2\r\nCSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n")


class FakeProgram:
    """routes: {kind: {name: fn(ctx) -> "drop" | None}}."""

    def __init__(self, routes, modules=None, debug=3):
        self.params = {"debug": debug}
        self.routes = routes
        self.modules = modules or {}
        self.calls = []

    def run_route(self, ctx, kind, name=None):
        self.calls.append((kind, name, ctx.route_type, ctx.sflags))
        if ctx.trace is not None:
            ctx.trace.route_start(kind, name)
        how = self.routes[kind][name](ctx)
        if ctx.trace is not None:
            ctx.trace.route_end(kind, name, how or "return", 1)
        return SimpleNamespace(dropped=how == "drop")


def clock():
    return 1000.0


def test_request_runs_request_route_and_collects_effects():
    def main(ctx):
        ctx.log(1, "hello\n")
        ctx.send(SendAction("reply", "udp", ("127.0.0.2", 5070), b"SIP/2.0 200 OK\r\n\r\n", ("127.0.0.1", 5060)))
        ctx.sflags = 5
    prog = FakeProgram({"request": {None: main}})
    eng = Engine(prog, clock=clock)
    res = eng.receive(OPTIONS, RCV)
    assert res.kind == "request" and res.error is None
    assert [r.text for r in res.logs] == ["hello\n"]
    assert res.outcome == {"status": "replied", "replies": ["SIP/2.0 200 OK"], "forwarded_to": []}
    assert prog.calls == [("request", None, REQUEST_ROUTE, 0)]
    # script flags start at 0 again for the next message; $var (worker) stays
    eng.worker.vars["x"] = 1
    res2 = eng.receive(OPTIONS, RCV)
    assert prog.calls[-1][3] == 0 and eng.worker.vars == {"x": 1}
    assert res2.ctx is not res.ctx


def test_log_records_above_the_debug_level_are_not_printed():
    def main(ctx):
        for level in (-1, 0, 1, 2, 3):
            ctx.log(level, f"L{level}\n")
    res = Engine(FakeProgram({"request": {None: main}}, debug=1), clock=clock).receive(OPTIONS, RCV)
    assert [r.text for r in res.logs] == ["L-1\n", "L0\n", "L1\n"]
    res = Engine(FakeProgram({"request": {None: main}}, debug=None), clock=clock).receive(OPTIONS, RCV)
    assert [r.text for r in res.logs] == ["L-1\n", "L0\n"]      # Kamailio's default: debug=L_WARN


def test_request_without_reply_is_absorbed():
    prog = FakeProgram({"request": {None: lambda ctx: None}})
    res = Engine(prog, clock=clock).receive(OPTIONS, RCV)
    assert res.outcome["status"] == "absorbed" and res.sent == []


def test_malformed_input_is_dropped_before_the_script():
    prog = FakeProgram({"request": {None: lambda ctx: None}})
    eng = Engine(prog, clock=clock)
    for junk in (b"", b"garbage", b"\x00\x01\x02" * 20, b"INVITE sip:x SIP/2.0\r\n",
                 OPTIONS.replace(b"Via: SIP/2.0/UDP 127.0.0.2:5070;branch=z9hG4bK-1;rport\r\n", b""),
                 OPTIONS.replace(b"Call-ID: c1@127.0.0.2\r\n", b""),
                 OPTIONS.replace(b"SIP/2.0\r\n", b"SIP/3.0\r\n", 1),
                 b"X" * 70000):
        res = eng.receive(junk, RCV)
        assert res.dropped and res.error is None and res.sent == [], junk[:40]
        assert res.outcome["status"] == "dropped"
    assert prog.calls == []


def test_header_error_after_first_via_still_runs_the_script():
    # parse_msg() stops at the first Via; a broken CSeq later is only found by whoever parses it
    bad = OPTIONS.replace(b"CSeq: 1 OPTIONS", b"CSeq: x OPTIONS")
    prog = FakeProgram({"request": {None: lambda ctx: None}})
    res = Engine(prog, clock=clock).receive(bad, RCV)
    assert not res.dropped and prog.calls


def test_reply_runs_core_reply_route_then_is_forwarded_per_second_via():
    prog = FakeProgram({"request": {None: lambda ctx: None}, "reply": {None: lambda ctx: None}})
    res = Engine(prog, clock=clock).receive(REPLY, RCV)
    assert prog.calls == [("reply", None, CORE_ONREPLY_ROUTE, 0)]
    [fwd] = res.sent
    # received= gives the host, rport=N the port (update_sock_struct_from_via)
    assert (fwd.kind, fwd.proto, fwd.dst, fwd.src) == ("forward", "udp", ("127.0.0.7", 5077), ("127.0.0.1", 5060))
    # our Via is gone, the rest is untouched
    assert fwd.data == REPLY.replace(b"Via: SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bK-ours\r\n", b"")
    assert res.outcome == {"status": "forwarded", "replies": [], "forwarded_to": ["udp:127.0.0.7:5077"]}


def test_reply_forwarding_without_received_uses_via_host_and_port_and_5060():
    r = REPLY.replace(b";received=127.0.0.7;rport=5077", b"")
    res = Engine(FakeProgram({}), clock=clock).receive(r, RCV)     # no reply route at all
    assert res.sent[0].dst == ("10.9.9.9", 5999)
    r = REPLY.replace(b"10.9.9.9:5999;branch=z9hG4bK-caller;received=127.0.0.7;rport=5077", b"10.9.9.9;branch=z")
    assert Engine(FakeProgram({}), clock=clock).receive(r, RCV).sent[0].dst == ("10.9.9.9", 5060)


def test_reply_with_two_vias_in_one_header_loses_only_the_first():
    r = (b"SIP/2.0 180 Ringing\r\nVia: SIP/2.0/UDP 127.0.0.1;branch=z9hG4bK-a, SIP/2.0/UDP 127.0.0.8:5080;branch=z9hG4bK-b\r\n"
         b"From: <sip:a@x>;tag=1\r\nTo: <sip:b@x>\r\nCall-ID: c\r\nCSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n")
    fwd = Engine(FakeProgram({}), clock=clock).receive(r, RCV).sent[0]
    assert fwd.dst == ("127.0.0.8", 5080)
    assert b"Via: SIP/2.0/UDP 127.0.0.8:5080;branch=z9hG4bK-b\r\n" in fwd.data and b"z9hG4bK-a" not in fwd.data


def test_dropped_reply_is_not_forwarded_and_a_reply_for_us_stays_here():
    prog = FakeProgram({"onreply": {None: lambda ctx: "drop"}})
    res = Engine(prog, clock=clock).receive(REPLY, RCV)
    assert prog.calls[0][0] == "onreply" and res.dropped and res.sent == []
    one_via = REPLY.replace(b"Via: SIP/2.0/UDP 10.9.9.9:5999;branch=z9hG4bK-caller;received=127.0.0.7;rport=5077\r\n", b"")
    res = Engine(FakeProgram({}), clock=clock).receive(one_via, RCV)
    assert res.sent == [] and "no 2nd Via" in res.reason


def test_an_exception_in_our_code_is_reported_not_raised():
    def boom(ctx):
        raise RuntimeError("module xyz: not implemented yet")
    res = Engine(FakeProgram({"request": {None: boom}}), clock=clock).receive(OPTIONS, RCV)
    assert res.outcome["status"] == "error" and "not implemented yet" in res.error


def test_startup_event_routes_run_once_on_the_faked_message():
    seen = []
    inits = []

    def ev(ctx):
        seen.append((ctx.msg.buf, ctx.clock(), ctx.route_type))
    mods = {"htable": ModuleInstance(Module("htable", child_init=lambda m, w: inits.append(w.rank)))}
    prog = FakeProgram({"event": {"htable:mod-init": ev, "core:worker-one-init": ev}}, mods)
    eng = Engine(prog, clock=clock)
    assert [c[1] for c in prog.calls] == ["htable:mod-init", "core:worker-one-init"]
    assert inits == [1] and seen[0][0] == FAKED_MSG and seen[0][1] == 1000.0
    eng.receive(REPLY, RCV)
    assert len(prog.calls) == 2
    # without the htable module its mod-init event route does not run
    prog2 = FakeProgram({"event": {"htable:mod-init": ev}})
    Engine(prog2, clock=clock)
    assert prog2.calls == []


def test_tracer_flow_and_cfgt_from_the_engine():
    from cfgvm.diagnostics import Coord

    def sub(ctx):
        ctx.trace.action("request", "SUB", Coord("t.cfg", 9), "return")
        return "return"

    def main(ctx):
        ctx.worker.vars["n"] = 7
        ctx.trace.action("request", None, Coord("t.cfg", 2), "$var(n) = 7")
        ctx.trace.action("request", None, Coord("t.cfg", 3), "route(SUB)")
        prog.run_route(ctx, "request", "SUB")
        ctx.trace.action("request", None, Coord("t.cfg", 4), "exit")
        return "exit"
    prog = FakeProgram({"request": {None: main, "SUB": sub}})
    eng = Engine(prog, clock=clock, tracer_factory=lambda: Tracer(cfgt_vars=cfgt_vars))
    res = eng.receive(OPTIONS, RCV)
    tr = res.ctx.trace
    assert [(f["event"], f["route"]) for f in tr.flow] == [
        ("start", "DEFAULT_ROUTE"), ("start", "SUB"), ("return", "SUB"), ("exit", "DEFAULT_ROUTE")]
    assert tr.text_lines()[1] == "*** cfgtrace:request_route=[DEFAULT_ROUTE] c=[t.cfg] l=3 n=route"
    assert tr.text_lines()[2] == "*** cfgtrace:request_route=[SUB] c=[t.cfg] l=9 n=return"
    assert [list(f)[0] for f in tr.cfgt.flow] == [
        "start|DEFAULT_ROUTE", "start|SUB", "return|SUB", "exit|DEFAULT_ROUTE"]
    assert tr.cfgt.flow[-1]["exit|DEFAULT_ROUTE"] == {"$var(n)": 7}
