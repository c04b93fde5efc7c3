"""Requests tm generates itself (t_uac_send, the tm.t_uac_start RPC): Kamailio's uac.c t_uac_prepare
and rpc_uac.c t_uac_check_msg, as 5.6.3 puts them on the wire.

The request (checked against a live 5.6.3): request line, our Via (no rport), To, From (a tag added
when the caller gave none), CSeq (the given number, else 10), Call-ID (given, else generated),
Max-Forwards: 70, Content-Length, User-Agent, then the caller's other headers in their order, then
the body. event_route[tm:local-request] runs on it before it is sent (LOCAL_ROUTE); what the route
changes ($ru, $du, $fs, added/removed headers) goes into the sent buffer without a new Via. The
request is a new local transaction: retransmitted (timer A/E), fr_timer-bounded, its replies
absorbed (never relayed), its final reply ends it.
"""
from __future__ import annotations

import hashlib
import os
import random

from cfgvm.dns import DnsError
from cfgvm.exports import LOCAL_ROUTE
from cfgvm.sip import Message
from cfgvm.sip import forward as fw
from cfgvm.stdlib.sl import DEFAULT_SERVER, crcitt_hex
from cfgvm.vm.context import ReceiveInfo

from .transaction import Uac

_NAMES = {"from": "from", "f": "from", "to": "to", "t": "to", "call-id": "call-id", "i": "call-id",
          "cseq": "cseq"}
DEFAULT_CSEQ = 10
_CALLID_PREFIX = f"{random.getrandbits(64):016x}"       # Kamailio seeds its callid prefix at random


class UacError(ValueError):
    """A request t_uac_send refuses to build (t_uac_check_msg): the message names what is wrong."""


def split_headers(text: str) -> tuple[dict[str, str], list[str]]:
    """('From'/'To'/'Call-ID'/'CSeq' bodies by lowercase name, the other header lines in order)."""
    known, other = {}, []
    for line in text.replace("\r\n", "\n").split("\n"):
        if not line.strip():
            continue
        name, sep, body = line.partition(":")
        key = _NAMES.get(name.strip().lower()) if sep else None
        if key is None:
            other.append(line.rstrip())
        elif key not in known:
            known[key] = body.strip()
    return known, other


def check(headers: str) -> tuple[dict[str, str], list[str]]:
    known, other = split_headers(headers)
    for key, name in (("from", "From"), ("to", "To")):
        if key not in known:
            raise UacError(f"{name} missing")
    return known, other


def _tag(value: str) -> str | None:
    for p in value.split(">")[-1].split(";")[1:]:
        k, _, v = p.partition("=")
        if k.strip().lower() == "tag":
            return v.strip()
    return None


def from_tag(call_id: str, ruri: str) -> str:
    """generate_fromtag(): a per-process md5 prefix and a CRC suffix over Call-ID and R-URI."""
    head = hashlib.md5(f"Long live kamailio server{os.getpid()}".encode("latin-1")).hexdigest()
    return f"{head}-{crcitt_hex([call_id])}{crcitt_hex([ruri])}"


def new_call_id(ip: str) -> str:
    new_call_id.n = getattr(new_call_id, "n", 0) + 1
    return f"{_CALLID_PREFIX[:-4]}{new_call_id.n:04x}-{os.getpid()}@{ip}"


def build_request(method, ruri, known, other, body, via) -> bytes:
    call_id = known.get("call-id")
    cseq = known.get("cseq")
    n = cseq.split()[0] if cseq and cseq.split() and cseq.split()[0].isdigit() else str(DEFAULT_CSEQ)
    frm = known["from"]
    if _tag(frm) is None:
        frm += ";tag=" + from_tag(call_id, ruri)
    lines = [f"{method} {ruri} SIP/2.0\r\n", via, f"To: {known['to']}\r\n", f"From: {frm}\r\n",
             f"CSeq: {n} {method}\r\n", f"Call-ID: {call_id}\r\n", "Max-Forwards: 70\r\n",
             f"Content-Length: {len(body)}\r\n", f"User-Agent: {DEFAULT_SERVER}\r\n"]
    lines += [h + "\r\n" for h in other]
    return ("".join(lines) + "\r\n" + body).encode("latin-1")


def uac_send(rt, method, ruri, nexthop, socket, headers, body, sink, ctx=None) -> int:
    """t_uac_send(): 1 sent as a new local transaction, -1 refused (logged as Kamailio does)."""
    from cfgvm.transport.sockets import send_socket
    try:
        known, other = check(headers)
    except UacError as e:
        sink.log(-1, f"ERROR: tm [rpc_uac.c]: t_uac_check_msg(): {e}\n")
        sink.log(-1, "ERROR: tm [rpc_uac.c]: t_uac_send(): checking values failed\n")
        return -1
    dst_uri = nexthop or ruri
    rcv = ctx.rcv if ctx is not None else ReceiveInfo("udp", "127.0.0.1", 5060, "127.0.0.1", 5060)
    lctx = rt.engine.context(Message.parse(b"OPTIONS sip:x SIP/2.0\r\n\r\n", lenient=True), rcv, LOCAL_ROUTE)
    lctx.force_socket = socket or None
    try:
        proto, dst, rest = rt.next_hop(dst_uri, ruri)
    except DnsError as e:
        sink.log(-1, f"ERROR: tm [uac.c]: t_uac_prepare(): can't fwd to unresolvable destination ({e})\n")
        return -1
    sock = send_socket(lctx, proto, dst[0])
    if sock is None:
        sink.log(-1, f"ERROR: tm [uac.c]: t_uac_prepare(): no socket found for {proto}:{dst[0]}\n")
        return -1
    if "call-id" not in known:
        known["call-id"] = new_call_id(sock.host)
    branch_slot = "z9hG4bK-local-branch"
    via = fw.via_line(sock.host, sock.via_port, proto.upper(), branch_slot)
    msg = Message.parse(build_request(method, ruri, known, other, body, via), lenient=True)
    t = rt.table.new_local(msg, ReceiveInfo(proto, sock.ip, sock.port, sock.ip, sock.port), rt.now())
    rt.count("total", "total_local", "created")
    t.end_of_life = t.created + rt.ms("max_inv_lifetime" if t.is_invite else "max_noninv_lifetime") / 1000.0
    branch = fw.tm_branch(t.hash_index, t.label, 0)
    msg = Message.parse(msg.buf.replace(branch_slot.encode(), branch.encode(), 1), lenient=True)
    msg.dst_uri = dst_uri
    t.request = msg
    data = msg.buf
    if "tm:local-request" in rt.engine.routes.get("event", {}):
        data, proto, dst, sock = _local_request(rt, t, msg, lctx, sink, (data, proto, dst, sock))
        if data is None:
            rt.free(t)
            return -1
    u = Uac(0, ruri, dst_uri, proto, dst, (sock.ip, sock.port), data)
    u.dns_rest = rest
    rt._start_uac(t, u, sink)
    return 1


def _local_request(rt, t, msg, lctx, sink, sent):
    """event_route[tm:local-request] on the built request; its changes rebuild the buffer."""
    from cfgvm.transport.sockets import send_socket
    rctx = rt.engine.context(msg, t.rcv, LOCAL_ROUTE)
    rctx.force_socket, rctx.dst_uri = lctx.force_socket, msg.dst_uri
    rctx.transaction = t
    rctx.mod_state["tm_looked_up"] = True
    rt._run(rctx, "event", "tm:local-request", sink)
    data, proto, dst, sock = sent
    dst_uri = msg.dst_uri if msg.dst_uri is not None else rctx.dst_uri
    if msg._lumps is not None or msg.new_uri is not None:
        data = msg.to_bytes()
    if dst_uri != t.request.dst_uri or rctx.force_socket != lctx.force_socket or msg.new_uri is not None:
        try:
            proto, dst, _ = rt.next_hop(dst_uri or msg.current_uri_str, msg.current_uri_str)
        except DnsError as e:
            sink.log(-1, f"ERROR: tm [uac.c]: t_uac_prepare(): can't fwd to unresolvable destination ({e})\n")
            return None, proto, dst, sock
        sock = send_socket(rctx, proto, dst[0]) or sock
    fr = rctx.mod_state.get("tm_fr")
    if fr is not None:
        t.fr_timeout = fr[0] or t.fr_timeout
        t.fr_inv_timeout = fr[1] or t.fr_inv_timeout
    return data, proto, dst, sock
