"""tmx: tm extensions (Kamailio 5.6 src/modules/tmx), on top of cfgvm.stdlib.tm.

Implemented: t_precheck_trans, t_is_failure_route, t_is_branch_route, t_is_reply_route,
t_is_request_route, t_reply_callid, t_flush_flags, t_flush_xflags, and the $T_* PVs (tm/pvs.py).
Not implemented (absent from the export table): t_cancel_branches, t_cancel_callid(_reason),
t_reuse_branch, t_drop(_rcode), t_suspend / t_continue (asynchronous processing), the tmx statistics
and RPC commands, $T_reply_ruid / $T_branch_ruid / $T_branch(...) (they refuse at run time).
"""
from __future__ import annotations

from cfgvm.exports import (ANY_ROUTE, BRANCH_ROUTE, FAILURE_ROUTE, IGP, REQUEST_ROUTE, SGP,
                           TM_ONREPLY_ROUTE, Function, Module)
from cfgvm.stdlib.tm.pvs import PVS


def t_precheck_trans(ctx, mod):
    """1 when another copy of this request (same Call-ID, CSeq, From tag, Via branch) is being
    processed right now; with one worker processing a message at a time that never happens unless
    the transaction already exists, as Kamailio's precheck table is cleared at the end of processing."""
    from cfgvm.stdlib.tm.runtime import runtime
    if ctx.msg.is_reply:
        return -1
    rt = runtime(ctx)
    return 1 if rt.lookup(ctx) is not None and not ctx.mod_state.get("tm_created") else -1


def _is(mask):
    return lambda ctx, mod: 1 if ctx.route_type & mask else -1


def t_reply_callid(ctx, mod, callid, cseq, code, reason):
    from cfgvm.stdlib.tm.reply import t_reply
    from cfgvm.stdlib.tm.runtime import runtime
    rt = runtime(ctx)
    for t in list(rt.table.by_label.values()):
        if t.request.call_id == callid and t.request.cseq.number == str(cseq):
            return t_reply(ctx, t, code, reason)
    return -1


def t_flush_flags(ctx, mod):
    t = getattr(ctx, "transaction", None)
    if t is None:
        return -1
    t.msg_flags = ctx.flags
    return 1


def t_flush_xflags(ctx, mod):
    t = getattr(ctx, "transaction", None)
    if t is None:
        return -1
    t.xflags = ctx.mod_state.get("xflags", 0)
    return 1


EXPORTS = Module(
    name="tmx",
    functions=[
        Function("t_precheck_trans", t_precheck_trans, (), REQUEST_ROUTE),
        Function("t_is_failure_route", _is(FAILURE_ROUTE), (), ANY_ROUTE),
        Function("t_is_branch_route", _is(BRANCH_ROUTE), (), ANY_ROUTE),
        Function("t_is_reply_route", _is(TM_ONREPLY_ROUTE), (), ANY_ROUTE),
        Function("t_is_request_route", _is(REQUEST_ROUTE), (), ANY_ROUTE),
        Function("t_reply_callid", t_reply_callid, (SGP, SGP, IGP, SGP), ANY_ROUTE),
        Function("t_flush_flags", t_flush_flags, (), ANY_ROUTE),
        Function("t_flush_xflags", t_flush_xflags, (), ANY_ROUTE),
    ],
    pvs=PVS,
)
