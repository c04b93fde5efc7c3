"""The tm RPC commands (handler(mod, shared, *params) -> data, RpcError for a fault), with the shapes
and fault texts a live 5.6.3 gave through kamcmd (binrpc).

tm.stats counts what Runtime.stats records; tm.list shows live transactions as Kamailio's cells
(cell, tindex, tlabel, method, from/to/callid header lines, cseq "CSeq: N", uas_request, tflags,
outgoings, ref_count, lifetime in ticks). tm.hash_stats answers as a 5.6.3 built without
TM_HASH_STATS (the Debian build). tm.t_uac_wait/t_uac_wait_block need an RPC transport that can
wait; binrpc (kamcmd) cannot, and 5.6.3 says so with fault 600, as here.
"""
from __future__ import annotations

from cfgvm.exports import RpcError

from .runtime import Sink

STAT_KEYS = ("current", "waiting", "total", "total_local", "rpl_received", "rpl_generated", "rpl_sent",
             "6xx", "5xx", "4xx", "3xx", "2xx", "created", "freed", "delayed_free")
TICKS_PER_S = 16                # Kamailio's timer ticks (TIMER_TICKS_HZ)


def _rt(shared):
    return shared.modules.get("tm", {}).get("rt")


def rpc_stats(mod, shared):
    rt = _rt(shared)
    st = dict.fromkeys(STAT_KEYS, 0)
    if rt is not None:
        st.update({k: v for k, v in rt.stats.items() if k in st})
        live = [t for t in rt.table.by_label.values() if not t.done]
        st["current"] = len(live)
        # Kamailio puts a transaction on wait as its final reply goes out (ACK/timer H still pending)
        st["waiting"] = sum(1 for t in live if t.uas_status >= 200 or any(h.name == "wait" and h.active
                                                                            for h in t.timers))
    return st


def _cell(t):
    req = t.request

    def line(key):
        hf = req.header(key) if req is not None else None
        return hf.text if hf is not None else ""
    cs = req.cseq if req is not None else None
    return {"cell": f"0x{id(t):x}", "tindex": t.hash_index, "tlabel": t.label, "method": t.method,
            "from": line("from"), "to": line("to"), "callid": line("call-id"),
            "cseq": f"CSeq: {cs.number}" if cs is not None else "", "uas_request": "no" if t.flags & _local() else "yes",
            "tflags": _kamailio_tflags(t), "outgoings": len(t.uacs), "ref_count": 1,
            "lifetime": int(t.end_of_life * TICKS_PER_S)}


def _kamailio_tflags(t):
    """Our T_* flags as h_table.h numbers them (T_IS_INVITE_FLAG 1, T_IS_LOCAL_FLAG 2, T_CANCELED 8,
    T_6xx 16, T_AUTO_INV_100 64, T_DISABLE_6xx 128, T_DISABLE_FAILOVER 256, T_NO_E2E_CANCEL_REASON 512)."""
    from . import transaction as T
    out = 1 if t.is_invite else 0
    for ours, theirs in ((T.T_IS_LOCAL, 2), (T.T_CANCELED, 8), (T.T_6XX, 16), (T.T_AUTO_INV_100, 64),
                         (T.T_DISABLE_6XX, 128), (T.T_DISABLE_FAILOVER, 256), (T.T_NO_E2E_CANCEL_REASON, 512)):
        if t.flags & ours and (theirs != 64 or t.is_invite):     # Kamailio sets AUTO_INV_100 on INVITEs only
            out |= theirs
    return out


def _local():
    from .transaction import T_IS_LOCAL
    return T_IS_LOCAL


def rpc_list(mod, shared):
    rt = _rt(shared)
    if rt is None:
        return []
    return [_cell(t) for t in sorted(rt.table.by_label.values(), key=lambda t: (t.hash_index, t.label))
            if not t.done]


def rpc_hash_stats(mod, shared):
    raise RpcError(500, "Hash statistics not supported (tryrecompiling with -DTM_HASH_STATS)")


def rpc_clean(mod, shared, sink=None):
    rt = _rt(shared)
    if rt is not None:
        rt.clean(sink or _sink(), 90.0)
    return None


def _sink():
    from cfgvm.engine import Result
    return Sink(Result("rpc"))


def _reply(rt, t, code, reason, to_tag, headers, body, sink):
    from .reply import build_local_reply, send_upstream
    try:
        code = int(code)
    except (TypeError, ValueError):
        raise RpcError(400, "Invalid reply code") from None
    extra = () if headers in (None, "", ".") else (headers,)
    if t.uas_status >= 200:
        raise RpcError(500, "Reply failed")
    if to_tag and to_tag != ".":
        t.to_tag = to_tag
    data = build_local_reply(t, rt.engine.program, code, reason, extra, (body or "").encode("latin-1"))
    send_upstream(rt, t, data, code, reason, sink)
    if code >= 200:
        rt.cancel_pending(t, sink, cause=code)


def rpc_reply(mod, shared, code=None, reason=None, trans_id=None, to_tag=None, headers=None, body="",
              sink=None):
    """tm.reply code reason tindex:tlabel to_tag new_headers [body]: a reply on a transaction."""
    if headers is None:
        raise RpcError(400, "error at parameter 5: expected string type but end of packet encountered")
    rt = _rt(shared)
    idx, _, label = str(trans_id).partition(":")
    t = None
    if rt is not None and idx.isdigit() and label.isdigit():
        t = rt.table.by_label.get((int(idx), int(label)))
    if t is None or t.done:
        raise RpcError(481, "No such transaction")
    _reply(rt, t, code, reason, to_tag, headers, body, sink or _sink())
    return None


def _by_callid(rt, callid, cseq):
    for t in (rt.table.by_label.values() if rt is not None else ()):
        cs = t.request.cseq if t.request is not None else None
        if not t.done and t.request.call_id == callid and cs is not None and str(cs.number) == str(cseq).split()[0]:
            return t
    return None


def rpc_reply_callid(mod, shared, code=None, reason=None, callid=None, cseq=None, to_tag=None, headers=None,
                     body="", sink=None):
    """tm.reply_callid code reason callid cseq to_tag new_headers [body]."""
    if cseq is None:
        raise RpcError(400, "CSeq expected")
    if headers is None:
        raise RpcError(400, "error at parameter 6: expected string type but end of packet encountered")
    rt = _rt(shared)
    t = _by_callid(rt, callid, cseq)
    if t is None or not t.is_invite:
        raise RpcError(404, "Transaction not found")
    _reply(rt, t, code, reason, to_tag, headers, body, sink or _sink())
    return None


def rpc_cancel(mod, shared, callid=None, cseq=None, sink=None):
    """tm.cancel callid cseq: CANCEL the pending branches of a local INVITE (t_uac_cancel)."""
    if callid is None or cseq is None:
        raise RpcError(400, "Callid and CSeq expected as parameters")
    rt = _rt(shared)
    t = _by_callid(rt, callid, cseq)
    if t is None or not t.is_invite or not t.flags & _local():
        raise RpcError(400, "Transaction not found")
    s = sink or _sink()
    for u in t.uacs:
        if u.last_received < 200 and not u.canceled:
            rt.cancel_branch(t, u, s)
    return None


def rpc_t_uac_start(mod, shared, method=None, ruri=None, nexthop=None, socket=None, headers=None, body="",
                    sink=None):
    """tm.t_uac_start method ruri nexthop|. socket|. headers [body]: a request through a new local
    transaction (as t_uac_send); its effects go to `sink` (a Result's Sink), else the engine's
    next tick puts them on the wire."""
    from .uac import UacError, check, uac_send
    if headers is None:
        raise RpcError(400, "error at parameter 5: expected string type but end of packet encountered")
    try:
        if "\n" not in headers:           # kamcmd passes a literal backslash-r-backslash-n: refused
            raise UacError("no header line")
        check(headers)
    except UacError:
        raise RpcError(400, "Invalid headers") from None
    rt = _rt(shared)
    if rt is None:
        raise RpcError(500, "tm is not running (no transaction table: start the engine first)")
    hop = "" if nexthop in (None, ".") else nexthop
    sock = "" if socket in (None, ".") else socket
    args = (method, ruri, hop, sock, headers, body or "")
    if sink is not None:
        if uac_send(rt, *args, sink) < 0:
            raise RpcError(500, "Send failed")
        return None
    rt.arm(0, lambda now, res: uac_send(rt, *args, Sink(res)), "rpc-uac")
    return None


def rpc_t_uac_wait(mod, shared, *params):
    raise RpcError(600, "Reply wait/async mode not supported by this rpc transport")


RPC = {"tm.stats": rpc_stats, "tm.list": rpc_list, "tm.hash_stats": rpc_hash_stats, "tm.clean": rpc_clean,
       "tm.reply": rpc_reply, "tm.reply_callid": rpc_reply_callid, "tm.cancel": rpc_cancel,
       "tm.t_uac_start": rpc_t_uac_start, "tm.t_uac_wait": rpc_t_uac_wait,
       "tm.t_uac_wait_block": rpc_t_uac_wait}
