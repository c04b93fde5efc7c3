"""Replies of tm: local replies (t_reply, 100 Trying, 408 on timeout, 487, 503/500 on errors) built
as build_res_buf_from_sip_req does, the tm to-tag, retransmission of the last reply, and the
best-reply selection of RFC 3261 §16.7 with Kamailio's priorities (t_reply.c get_prio).

The tm to-tag is md5("SER-TM/tags" + first listen address + port) + "-" + a CRC-CCITT suffix over
the request's top Via and Call-ID (Kamailio's init_tags/calc_crc_suffix; sl uses the same scheme with
"KAMAILIO-stateless" and "."): it is added for codes >= 180 when the request's To has no tag.
"""
from __future__ import annotations

import hashlib

from cfgvm.sip import reply as sipreply
from cfgvm.stdlib.sl import DEFAULT_SERVER, crcitt_hex
from cfgvm.transport.sockets import first_socket
from cfgvm.vm.context import SendAction

from . import states as S

# error_text() of the codes tm generates itself (RFC 3261 §21 reason phrases)
REASONS = {100: "Trying", 180: "Ringing", 200: "OK", 400: "Bad Request", 404: "Not Found",
           408: "Request Timeout", 480: "Temporarily Unavailable", 481: "Call/Transaction Does Not Exist",
           487: "Request Terminated", 500: "Server Internal Error", 503: "Service Unavailable"}
# err2reason_phrase() for kill_transaction (an error of t_relay): internal error -> (code, text)
ERROR_REPLIES = {-478: (478, "Unresolvable destination (478/TM)"),
                 -477: (477, "Unfortunately error on sending to next hop occurred (477/TM)"),
                 -12: (500, "Forking capacity exceeded (12/TM)")}

# get_prio(): lower is better; 2xx best, then 6xx, 3xx, 4xx (401/407/415/420/484 first), 5xx
_CLASS_PRIO = {0: 32000, 1: 11000, 2: 0, 3: 3000, 4: 4000, 5: 5000, 6: 1000}
_GOOD_4XX = (1, 7, 15, 20, 84)


def prio(code: int, faked: bool = False, faked_prio: int = 0) -> int:
    cls, xx = divmod(code, 100)
    if cls < 7:
        p = _CLASS_PRIO[cls] + ((xx if xx in _GOOD_4XX else 100 + xx) if cls == 4 else xx)
    else:
        p = 10000 + code
    return p + faked_prio if faked else p


def pick_branch(t, inc_branch: int, inc_code: int, faked_prio: int = 0, skip_dropped=False):
    """t_pick_branch(): (branch, code) of the best final reply, (-2, 0) while a branch is pending."""
    from .transaction import FAKED
    best_b, best_s, best_faked = -1, 0, False
    for u in t.uacs:
        if skip_dropped and u.dropped:
            continue
        if u.index == inc_branch:
            faked = u.reply is FAKED
            if prio(inc_code, faked, faked_prio) < prio(best_s, best_faked, faked_prio):
                best_b, best_s, best_faked = u.index, inc_code, faked
            continue
        if u.request is None and u.last_received >= 200:
            continue                       # an empty (blind) branch that was given up
        if u.last_received < 200:
            return -2, 0
        if u.reply is not None and prio(u.last_received, u.reply is FAKED, faked_prio) < \
                prio(best_s, best_faked, faked_prio):
            best_b, best_s, best_faked = u.index, u.last_received, u.reply is FAKED
    return best_b, best_s


def tm_totag(t, program) -> str:
    sock = first_socket(program, t.rcv)     # init_tags(): the first listen socket, as sl (not the receiving one)
    head = hashlib.md5(f"SER-TM/tags{sock[0]}{sock[1]}".encode("latin-1")).hexdigest()
    msg = t.request
    v = msg.via1
    a = [v.host, v.port] + ([v.branch] if v.branch is not None else [])
    b = [v.port, v.host] + ([msg.call_id] if msg.call_id is not None else [])
    return f"{head}-{crcitt_hex(a)}{crcitt_hex(b)}"


def build_local_reply(t, program, code: int, reason: str, extra_headers=(), body=b"", ctype=None) -> bytes:
    req = t.request
    to = req.to
    tag = None
    if code >= 180 and to is not None and not to.tag:
        tag = t.to_tag = t.to_tag or tm_totag(t, program)
    r = t.rcv
    return sipreply.build_reply(req, code, reason, to_tag=tag, src_ip=r.src_ip, src_port=r.src_port,
                                server=getattr(program, "server_header", DEFAULT_SERVER),
                                extra_headers=tuple(extra_headers), body=body, content_type=ctype)


def upstream(t):
    """(proto, dst, src) of replies to the transaction's request (RFC 3261 18.2.2 / RFC 3581)."""
    if t.uas_reply_dst is None:
        r = t.rcv
        dst = sipreply.reply_destination(t.request, r.src_ip, r.src_port,
                                         reliable=r.proto not in ("udp", "sctp"))
        t.uas_reply_dst = (r.proto, dst, (r.dst_ip, r.dst_port))
    return t.uas_reply_dst


def send_upstream(rt, t, data: bytes, code: int, reason: str, sink, local: bool = True) -> None:
    """Put a reply on the wire upstream and move the server transaction (RFC 3261 §17.2)."""
    table = S.SERVER_INVITE if t.is_invite else S.SERVER_NON_INVITE
    t.uas_state, actions = S.step(table, t.uas_state, S.reply_event(code, server=True))
    proto, dst, src = upstream(t)
    sink.send(SendAction("reply", proto, dst, data, src=src))
    rt.count_reply(code, local)
    if code >= t.uas_status:
        t.uas_status, t.uas_reason = code, reason
    t.uas_reply = data
    for a in actions:
        rt.server_action(t, a)


def t_reply(ctx, t, code: int, reason: str) -> int:
    """Reply statefully with code/reason (t_reply, send_reply through tm)."""
    from .runtime import runtime
    rt = runtime(ctx)
    if t.uas_status >= 200 and not (t.is_invite and 200 <= code < 300):
        ctx.log(-1, f"ERROR: tm [t_reply.c]: _reply_light(): cannot send a {code} reply to a "
                    f"transaction already replied with {t.uas_status}\n")
        return -1
    body, ctype = ctx.mod_state.get("reply_body", (b"", None))
    extra = ctx.mod_state.get("reply_lumps", ()) if ctx.msg is not None and ctx.msg.is_request else ()
    data = build_local_reply(t, ctx.program, code, reason, extra, body, ctype)
    send_upstream(rt, t, data, code, reason, ctx)
    rt.local_response(t, data, ctx)
    ctx.replied = True
    if code >= 200 and t.uacs:
        rt.cancel_pending(t, ctx, cause=code)
    return 1


def retransmit_reply(t, sink) -> None:
    """t_retransmit_reply(): the last reply again (nothing when none was sent yet)."""
    if t.uas_reply is not None:
        proto, dst, src = upstream(t)
        sink.send(SendAction("reply", proto, dst, t.uas_reply, src=src))
