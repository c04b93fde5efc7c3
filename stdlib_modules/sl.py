"""sl: stateless replies (Kamailio 5.6 src/modules/sl).

The reply bytes come from cfgvm.sip.reply.build_reply (Via/From/To/Call-ID/CSeq copied, the
stateless to-tag added for code >= 180 when the request's To has no tag); the destination from
reply_destination() (RFC 3261 18.2.2 / RFC 3581). The reply is queued with
ctx.send(SendAction("reply", ...)) and ctx.replied is set.
Headers queued by textops' append_to_reply() (ctx.mod_state["reply_lumps"]) go into the reply.
send_reply(): stateful through tm when a transaction exists (tm comes later: ctx.transaction), else sl.
sl_forward_reply/0/1/2 forwards through cfgvm.engine.forward_reply (the core's reply forwarding).
event_route[sl:local-response] runs after every stateless reply, on the reply parsed back
(LOCAL_ROUTE, empty source address, as 5.6.3). An ACK carrying the to-tag sl gives that request, within
2 s of the last stateless reply, is filtered before request_route (hook "request_received") and
runs event_route[sl:filtered-ack]. $snd in sl:local-response is not filled (the onsend PVs in cfgvm/vm/pvs/transport.py).
Not implemented: rich_redirect's Contact set in 3xx (the param is accepted; a 3xx with extra branches
raises an error); the KEMI callbacks event_callback_fl_ack / event_callback_lres_sent (no KEMI).
RPC "sl.stats": rpc_stats(mod, shared) -> {counter: value} of the replies sent.
"""
from __future__ import annotations

import binascii
import functools
import hashlib
import re

from cfgvm.exports import (FAILURE_ROUTE, FMT, IGP, INT_PARAM, NEEDS_INNER, ONREPLY_ROUTE, PV,
                           REQUEST_ROUTE, STR_PARAM, Function, Module, Param)
from cfgvm.vm.context import SendAction
from cfgvm.stdlib._common import ModuleError

STATS = ("1xx_replies", "200_replies", "202_replies", "2xx_replies", "300_replies", "301_replies",
         "302_replies", "3xx_replies", "400_replies", "401_replies", "403_replies", "404_replies",
         "407_replies", "408_replies", "483_replies", "4xx_replies", "500_replies", "5xx_replies",
         "6xx_replies", "xxx_replies", "sent_replies", "sent_err_replies", "failures", "received_ACKs")
# Kamailio's default Server: value (server_signature=yes, no server_header set)
DEFAULT_SERVER = "kamailio (5.6.3 (x86_64/linux))"
# err2reason_phrase(): internal error -> (sip code, text); anything else is 500.
_ERR_TEXT = {-477: (477, "Unfortunately error on sending to next hop occurred"),
             -478: (478, "Unresolvable destination"), -400: (400, "Bad Request"),
             -479: (479, "Regretfully, we were not able to process the URI"),
             -9: (400, "Transaction tuple incomplete"), -13: (400, "Bad To"),
             -11: (500, "Error in external logic"), -12: (500, "Forking capacity exceeded"),
             -15: (400, "Invalid character in q parameter"), -16: (400, "Empty q parameter"),
             -17: (400, "Q parameter too big"), -18: (400, "Decimal part missing in q"),
             -487: (487, "Transaction canceled"), 0: (500, "No error")}


# CRC-CCITT as Kamailio's crcitt.c (reflected 0x8408, init 0xFFFF, result complemented: the
# CRC-16/X-25 of the catalogues). binascii.crc_hqx is the unreflected form of the same polynomial,
# so the input bytes and the 16-bit result are bit-reversed around it.
_BITREV = bytes(int(f"{i:08b}"[::-1], 2) for i in range(256))


# byte of crc_hqx's result -> the two hex digits it gives once bit-reversed and complemented
# (least significant digit first, as Kamailio prints the CRC)
_HEX2 = ["0123456789abcdef"[~_BITREV[b] & 0xF] + "0123456789abcdef"[(~_BITREV[b] & 0xFF) >> 4]
         for b in range(256)]


def crcitt_hex(parts) -> str:
    """crcitt_string_array(): CRC-CCITT over the parts, 4 hex digits least significant first."""
    crc = binascii.crc_hqx("".join(parts).encode("latin-1").translate(_BITREV), 0xFFFF)
    return _HEX2[crc >> 8] + _HEX2[crc & 0xFF]


@functools.lru_cache(maxsize=64)
def _totag_head(ip, port) -> str:
    """init_tags(): md5 of "KAMAILIO-stateless" and the first listen address (fixed per socket)."""
    return hashlib.md5(f"KAMAILIO-stateless{ip}{port}".encode("latin-1")).hexdigest()


_FIRST_SOCKET = []     # cfgvm.transport.sockets.first_socket once imported


def _program_totag_head(ctx) -> str:
    """The to-tag prefix of ctx's program and receiving socket, cached on the program: the listen
    table lookup is fixed once the program's sockets (and any first_socket override) are."""
    program, r = ctx.program, ctx.rcv
    sockets, forced = getattr(program, "sockets", None), getattr(program, "first_socket", None)
    cache = getattr(program, "_sl_totag_heads", None)
    if cache is None or cache[0] is not sockets or cache[1] != forced:
        cache = (sockets, forced, {})
        program._sl_totag_heads = cache
    key = (r.proto, r.dst_ip, r.dst_port)
    head = cache[2].get(key)
    if head is None:
        if not _FIRST_SOCKET:   # imported once: an import statement per reply costs a lookup chain
            from cfgvm.transport.sockets import first_socket
            _FIRST_SOCKET.append(first_socket)
        sock = _FIRST_SOCKET[0](program, r)
        head = cache[2][key] = _totag_head(sock[0], sock[1])
    return head


def stateless_totag(ctx) -> str:
    """sl's to-tag: md5("KAMAILIO-stateless" + first listen address + port) "." crc suffix of
    (Via host, port, branch) and (Via port, host, Call-ID), as init_tags()/calc_crc_suffix()."""
    head = _program_totag_head(ctx)
    v = ctx.msg.via1
    branch, call_id = v.branch, ctx.msg.call_id
    a = v.host + v.port if branch is None else v.host + v.port + branch
    b = v.port + v.host if call_id is None else v.port + v.host + call_id
    # crcitt_hex() on one part each, inlined: two calls and two joins per reply less
    crc_a = crc_hqx(a.encode("latin-1").translate(_BITREV), 0xFFFF)
    crc_b = crc_hqx(b.encode("latin-1").translate(_BITREV), 0xFFFF)
    hx = _HEX2
    return f"{head}.{hx[crc_a >> 8]}{hx[crc_a & 0xFF]}{hx[crc_b >> 8]}{hx[crc_b & 0xFF]}"


crc_hqx = binascii.crc_hqx

_REPLY = []     # cfgvm.sip.reply once imported


def _reply_api():
    if _REPLY:
        return _REPLY[0]
    try:
        from cfgvm.sip import reply
    except ImportError:
        raise ModuleError("sl: the SIP reply builder (cfgvm.sip.reply) is not available yet") from None
    _REPLY.append(reply)
    return reply


def _stats(ctx) -> dict:
    mods = ctx.shared.modules
    state = mods.get("sl")
    if state is None:
        state = mods.setdefault("sl", {})
    stats = state.get("stats")
    return stats if stats is not None else state.setdefault("stats", {})


def _count(ctx, name, n=1):
    stats = _stats(ctx)
    stats[name] = stats.get(name, 0) + n


_BUCKETS: dict = {}   # code -> the counters a reply with that code increments, computed once


def _reply_buckets(code):
    got = _BUCKETS.get(code)
    if got is None:
        got = _BUCKETS[code] = tuple(
            ["sent_replies"] + ([f"{code}_replies"] if f"{code}_replies" in STATS else [])
            + [f"{code // 100}xx_replies" if 1 <= code // 100 <= 6 else "xxx_replies"]
            + (["sent_err_replies"] if code >= 300 else []))
    return got


def sl_reply(ctx, code: int, reason: str, to_tag=None) -> int:
    """sl_reply_helper(): the one place a stateless reply is built and queued."""
    msg = ctx.msg
    if not msg.is_request or msg.method_known == "ACK":
        _count(ctx, "failures")
        return -1
    if getattr(ctx, "no_reply", False):          # FL_MSG_NOREPLY
        return -2
    if 300 <= code < 400 and ctx.branches:
        raise ModuleError("sl: 3xx replies carrying the branch set as Contact are not supported yet")
    api = _REPLY[0] if _REPLY else _reply_api()
    if to_tag is None and code >= 180 and (to := msg.to) is not None and not to.tag:
        to_tag = stateless_totag(ctx)
    mod_state = ctx.mod_state
    r = ctx.rcv
    if mod_state:
        body, ctype = mod_state.get("reply_body", (b"", None))
        data = api.build_reply(msg, code, reason, to_tag=to_tag, src_ip=r.src_ip, src_port=r.src_port,
                               server=getattr(ctx.program, "server_header", DEFAULT_SERVER),
                               extra_headers=tuple(mod_state.get("reply_lumps", ())), body=body,
                               content_type=ctype)
    else:
        data = api.build_reply(msg, code, reason, to_tag, r.src_ip, r.src_port, False,
                               getattr(ctx.program, "server_header", DEFAULT_SERVER))
    proto = r.proto
    dst = api.reply_destination(msg, r.src_ip, r.src_port, proto != "udp" and proto != "sctp")
    ctx.send(SendAction("reply", proto, dst, data, (r.dst_ip, r.dst_port)))
    ctx.replied = True
    mod_state["sl_totag"] = to_tag
    mods = ctx.shared.modules
    state = mods.get("sl")
    if state is None:
        state = mods["sl"] = {}
    state["ack_until"] = ctx.clock() + SL_RPL_WAIT_TIME
    engine = getattr(ctx, "engine", None)
    if engine is not None and EV_LOCAL_RESPONSE in engine.routes.get("event", ()):
        _local_response(ctx, data)
    stats = state.get("stats")
    if stats is None:
        stats = state["stats"] = {}
    for name in _BUCKETS.get(code) or _reply_buckets(code):
        stats[name] = stats.get(name, 0) + 1
    return 1


SL_RPL_WAIT_TIME = 2.0        # seconds after a stateless reply during which a local ACK is filtered
EV_LOCAL_RESPONSE, EV_FILTERED_ACK = "sl:local-response", "sl:filtered-ack"


def _local_response(ctx, data):
    """event_route[sl:local-response] on the reply just sent, parsed back (LOCAL_ROUTE; every reply,
    5.6.3: its source address is empty, $Ri/$Rp null)."""
    engine = getattr(ctx, "engine", None)
    if engine is None or EV_LOCAL_RESPONSE not in engine.routes.get("event", {}):
        return
    from cfgvm.exports import LOCAL_ROUTE
    from cfgvm.sip import Message
    from cfgvm.vm.context import ReceiveInfo
    rctx = engine.context(Message.parse(data, lenient=True), ReceiveInfo(ctx.rcv.proto, "", 0, "", 0),
                          LOCAL_ROUTE)
    rctx.trace = None
    try:
        engine.program.run_route(rctx, "event", EV_LOCAL_RESPONSE)
    finally:
        ctx.sent.extend(rctx.sent)
        ctx.logs.extend(rctx.logs)


def filter_ack(mod, engine, ctx, res) -> bool:
    """sl_filter_ACK() (a pre-script callback): an ACK whose To-tag is the one sl would give this
    request, within SL_RPL_WAIT_TIME of the last stateless reply, is ours: counted, passed to
    event_route[sl:filtered-ack] when there is one, and never reaches request_route."""
    msg = ctx.msg
    if msg.method_known != "ACK":
        return False
    if ctx.clock() >= ctx.shared.modules.get("sl", {}).get("ack_until", 0):
        return False
    to = msg.to
    if to is None or not to.tag or to.tag != stateless_totag(ctx):
        return False
    _count(ctx, "received_ACKs")
    if EV_FILTERED_ACK in engine.routes.get("event", {}):
        from cfgvm.exports import EVENT_ROUTE
        ctx.route_type = EVENT_ROUTE
        engine._run(ctx, res, "event", EV_FILTERED_ACK)
    res.dropped = True
    res.reason = "sl: ACK to a local stateless reply, filtered"
    return True


def _code_reason(mod, code, reason):
    if code is None:
        code = mod.params.get("default_code", 500)
    if reason is None:
        reason = mod.params.get("default_reason", "Internal Server Error")
    return code, reason


def w_sl_send_reply(ctx, mod, code, reason):
    if code is None or reason is None:
        code, reason = _code_reason(mod, code, reason)
    return sl_reply(ctx, code, reason)


def w_send_reply(ctx, mod, code, reason):
    code, reason = _code_reason(mod, code, reason)
    if getattr(ctx, "no_reply", False):
        return -2
    t = getattr(ctx, "transaction", None)
    if mod.params.get("bind_tm", 1) and t is not None:
        return t.reply(ctx, code, reason)
    if ctx.msg.is_reply:
        return -1
    return sl_reply(ctx, code, reason)


def w_send_reply_mode(ctx, mod, code, reason, mode):
    # mode 1 = add the transaction when missing (needs tm): refuse rather than answer statelessly
    if mode & 1 and getattr(ctx, "transaction", None) is None:
        raise ModuleError("send_reply_mode with mode 1 needs tm (not implemented yet)")
    return w_send_reply(ctx, mod, code, reason)


def w_sl_reply_error(ctx, mod):
    if getattr(ctx, "no_reply", False):
        return -2
    err = getattr(ctx, "prev_ser_error", -1)
    code, text = _ERR_TEXT.get(err, (500, "I'm terribly sorry, server error occurred"))
    sl_reply(ctx, code, f"{text} ({-err}/SL)")
    return 1


_STATUS_LINE = re.compile(r"[^ \t]+[ \t]+(\d{3})(?:[ \t]+([^\r\n]*))?")


def w_sl_forward_reply(ctx, mod, code=None, reason=None):
    """sl_forward_reply([code[, reason]]): forward the received reply now, statelessly, with another
    code of the same class and/or reason in this copy (the core still forwards the reply after the
    route unless it is dropped, as in Kamailio)."""
    from cfgvm.engine import forward_reply
    msg = ctx.msg
    if msg.is_request:
        return -1
    m = _STATUS_LINE.match(msg.text, msg.fl_start)
    if m is None:
        return -1
    edits = []
    if code:
        if len(code) != 3 or code[0] != m.group(1)[0] or not code[1:].isdigit():
            return -1                                   # the class cannot change
        edits.append((m.start(1), 3, code))
    if reason:
        if m.group(2) is None:
            return -1
        edits.append((m.start(2), len(m.group(2)), reason))
    why, _ = forward_reply(ctx, edits)
    return -1 if why else 1


def get_ltt(ctx, spec):
    """$ltt(x|s|t): local to-tag of the reply sent (t: from tm, not yet available)."""
    which = spec.inner or "x"
    if which not in ("x", "s", "t"):
        raise ModuleError(f"$ltt: unknown name '{which}'")
    msg = ctx.msg
    to = msg.to
    if to is not None and to.tag:
        return to.tag
    if which == "t" or (which == "x" and getattr(ctx, "transaction", None) is not None):
        raise ModuleError("$ltt(t): transaction to-tags need tm (not implemented yet)")
    return stateless_totag(ctx)


def rpc_stats(mod, shared):
    got = shared.modules.get("sl", {}).get("stats", {})
    return {name: got.get(name, 0) for name in STATS}


_SEND_ROUTES = REQUEST_ROUTE | ONREPLY_ROUTE | FAILURE_ROUTE
EXPORTS = Module(
    name="sl",
    functions=[
        Function("sl_send_reply", w_sl_send_reply, (IGP, FMT), REQUEST_ROUTE),
        Function("sl_reply", w_sl_send_reply, (IGP, FMT), REQUEST_ROUTE),
        Function("send_reply", w_send_reply, (IGP, FMT), _SEND_ROUTES),
        Function("send_reply_mode", w_send_reply_mode, (IGP, FMT, IGP), _SEND_ROUTES),
        Function("sl_reply_error", w_sl_reply_error, (), REQUEST_ROUTE),
        Function("sl_forward_reply", w_sl_forward_reply, (), ONREPLY_ROUTE),
        Function("sl_forward_reply", w_sl_forward_reply, (FMT,), ONREPLY_ROUTE),
        Function("sl_forward_reply", w_sl_forward_reply, (FMT, FMT), ONREPLY_ROUTE),
    ],
    params=[
        Param("default_code", INT_PARAM, 500),
        Param("default_reason", STR_PARAM, "Internal Server Error"),
        Param("bind_tm", INT_PARAM, 1),
        Param("rich_redirect", INT_PARAM, 0),
        Param("event_callback_fl_ack", STR_PARAM, ""),
        Param("event_callback_lres_sent", STR_PARAM, ""),
    ],
    pvs=[PV("ltt", get_ltt, inner=NEEDS_INNER)],
    stats=STATS,
    rpc={"sl.stats": rpc_stats},
    hooks={"request_received": filter_ack},
)
