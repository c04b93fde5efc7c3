"""tmx: tm extensions (Kamailio 5.6 src/modules/tmx), on top of cfgvm.stdlib.tm.

Implemented: t_precheck_trans, t_is_failure_route, t_is_branch_route, t_is_reply_route,
t_is_request_route, t_reply_callid, t_cancel_callid, t_cancel_branches, t_flush_flags,
t_flush_xflags, t_drop, t_reuse_branch, t_suspend / t_continue (request processing, tm/suspend.py),
and the $T_* PVs (tm/pvs.py).
Not implemented: suspending a reply (t_suspend in onreply_route refuses at run time), the tmx
statistics and RPC commands, $T_reply_ruid / $T_branch_ruid / $T_branch(...) (they refuse at run
time); t_reuse_branch copies the R-URI and branch flags (cfgvm keeps no path/ruid/instance per branch).
"""
from __future__ import annotations

from cfgvm.exports import (ANY_ROUTE, BRANCH_ROUTE, FAILURE_ROUTE, IGP, REQUEST_ROUTE, SGP, STR,
                           TM_ONREPLY_ROUTE, Function, Module)
from cfgvm.stdlib._common import ModuleError
from cfgvm.stdlib.tm.pvs import PVS
from cfgvm.stdlib.tm.suspend import t_continue, t_suspend


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


def _by_callid(ctx, callid, cseq):
    """t_lookup_callid(): the first INVITE transaction with this Call-ID and CSeq number."""
    from cfgvm.stdlib.tm.runtime import runtime
    for t in runtime(ctx).table.by_label.values():
        r = t.request
        if t.is_invite and not t.done and r.call_id == callid and r.cseq.number == str(cseq):
            return t
    return None


def t_reply_callid(ctx, mod, callid, cseq, code, reason):
    from cfgvm.stdlib.tm.reply import t_reply
    t = _by_callid(ctx, callid, cseq)
    if t is None:
        return -1
    return 1 if t_reply(ctx, t, int(code), reason) > 0 else -1


def _cancel(ctx, t, branches, cause=0):
    """prepare_to_cancel + cancel_uacs(flags 0): a CANCEL on each branch with a provisional reply;
    a branch without one is marked and canceled when its first provisional reply comes."""
    from cfgvm.stdlib.tm.cancel import reason_header
    from cfgvm.stdlib.tm.runtime import runtime
    rt = runtime(ctx)
    todo = [u for u in branches if u.last_received < 200 and not u.canceled]
    reasons = (reason_header(cause),) if cause else ()
    for u in todo:
        rt.cancel_branch(t, u, ctx, reasons=reasons, method=1)
    return todo


def t_cancel_callid(ctx, mod, callid, cseq, flag, rcode=0):
    t = _by_callid(ctx, callid, cseq)
    if t is None:
        return -1
    flag = int(flag)
    if 0 < flag < 32:
        t.msg_flags |= 1 << flag
    rcode = int(rcode or 0)
    _cancel(ctx, t, t.uacs, rcode if 100 <= rcode <= 699 else 0)
    return 1


_WHICH = {"all": 0, "others": 1, "this": 2}


def t_cancel_branches(ctx, mod, which):
    n = _WHICH.get(str(which).lower())
    if n is None:
        raise ModuleError(f"t_cancel_branches: invalid param \"{which}\" (all, others, this)")
    t = getattr(ctx, "transaction", None)
    if t is None or not t.is_invite:
        return -1
    idx = ctx.mod_state.get("tm_branch_idx") or 0
    final = ctx.msg is not None and ctx.msg.is_reply and ctx.msg.status >= 200
    if n == 2:
        todo = [] if final else [u for u in t.uacs if u.index == idx]
    elif n == 1 or final:
        todo = [u for u in t.uacs if u.index != idx]
    else:
        todo = list(t.uacs)
    return 1 if _cancel(ctx, t, todo) else -1


def t_drop(ctx, mod, rcode=500):
    """The transaction is released with uas status rcode, nothing is sent; 0 ends the script."""
    from cfgvm.stdlib.tm.runtime import runtime
    t = getattr(ctx, "transaction", None)
    if t is None:
        ctx.log(-1, "ERROR: tmx [tmx_mod.c]: ki_t_drop_rcode(): no transaction\n")
        return -1
    t.uas_status = int(rcode)
    runtime(ctx).put_on_wait(t)
    return 0


def t_reuse_branch(ctx, mod):
    """In event_route[tm:branch-failure:...]: the failed branch's R-URI and branch flags become
    the request's, so t_relay() sends a new branch like it."""
    from cfgvm.exports import BRANCH_FAILURE_ROUTE
    from cfgvm.stdlib.tm.serial import ruri_mark_new
    t = getattr(ctx, "transaction", None)
    if t is None:
        return -1
    if not ctx.route_type & BRANCH_FAILURE_ROUTE:
        ctx.log(-1, f"ERROR: tmx [tmx_mod.c]: ki_t_reuse_branch(): unsupported route_type {ctx.route_type}\n")
        return -1
    b = ctx.mod_state.get("tm_branch_idx")
    if b is None or b >= len(t.uacs):
        return -1
    u = t.uacs[b]
    ctx.msg.new_uri = u.uri
    ruri_mark_new(ctx)
    ctx.bflags = u.bflags
    return 1


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
        Function("t_cancel_callid", t_cancel_callid, (SGP, SGP, IGP), ANY_ROUTE),
        Function("t_cancel_callid", t_cancel_callid, (SGP, SGP, IGP, IGP), ANY_ROUTE),
        Function("t_cancel_branches", t_cancel_branches, (STR,), TM_ONREPLY_ROUTE),
        Function("t_drop", t_drop, (), ANY_ROUTE),
        Function("t_drop", t_drop, (IGP,), ANY_ROUTE),
        Function("t_reuse_branch", t_reuse_branch, (), ANY_ROUTE),
        Function("t_suspend", t_suspend, (), ANY_ROUTE),
        Function("t_continue", t_continue, (IGP, IGP, SGP), ANY_ROUTE),
        Function("t_flush_flags", t_flush_flags, (), ANY_ROUTE),
        Function("t_flush_xflags", t_flush_xflags, (), ANY_ROUTE),
    ],
    pvs=PVS,
)
