"""Asynchronous processing of a request: t_suspend() / t_continue() (Kamailio t_suspend.c, tmx).

t_suspend() keeps the transaction (creating it when needed), saves the request's changes and flags
into it, sends the automatic 100 for an INVITE, and adds a *blind* branch: a client transaction that
sends nothing but runs fr_timer, so that an unanswered suspension ends in a 408 (or the
failure_route) like any branch. t_continue(index, label, route) finds the transaction by its
identifiers ($T(id_index), $T(id_label)), gives the blind branch up (last status 500, never picked)
and runs route[name] on a copy of the saved request with the route type of a failure_route; when
that route neither replied nor left a branch open, the transaction is killed with a 500.
Only request processing can be suspended here: a t_suspend() while handling a reply is refused with
an error (Kamailio also supports suspending replies).
"""
from __future__ import annotations

from cfgvm.exports import FAILURE_ROUTE
from cfgvm.stdlib._common import ModuleError

from . import states as S
from .reply import build_local_reply, send_upstream
from .runtime import runtime
from .serial import ruri_consume
from .transaction import FAKED, T_ASYNC_CONTINUE, T_ASYNC_SUSPENDED, T_AUTO_INV_100, Uac, clone_message

KILL_REASON = "I'm terribly sorry, server error occurred (1/TM)"     # kill_transaction(E_UNSPEC)


def _is_faked(msg) -> bool:
    from cfgvm.engine import FAKED_MSG
    return msg.buf == FAKED_MSG


def t_suspend(ctx, mod) -> int:
    msg = ctx.msg
    if msg is None or _is_faked(msg):
        ctx.log(-1, "ERROR: tmx [tmx_mod.c]: ki_t_suspend(): suspending a faked request is not allowed\n")
        return -1
    if msg.is_reply:
        raise ModuleError("t_suspend() while processing a reply is not implemented in cfgvm")
    rt = runtime(ctx)
    t = rt.lookup(ctx)
    if t is None:
        if rt.newtran(ctx) != 1:
            ctx.log(-1, "ERROR: tmx [tmx_mod.c]: ki_t_suspend(): cannot create the transaction\n")
            return -1
        t = ctx.transaction
    if t.canceled:
        return 1                        # E_CANCELED: nothing to suspend, the script goes on
    if t.uas_status >= 200:
        ctx.log(-1, "ERROR: tmx [tmx_mod.c]: ki_t_suspend(): failed to suppend the processing\n")
        return -1
    if t.is_invite and t.flags & T_AUTO_INV_100 and t.uas_status < 100:
        reason = rt.p["auto_inv_100_reason"]
        send_upstream(rt, t, build_local_reply(t, ctx.program, 100, reason), 100, reason, ctx)
    if not t.uacs:
        t.request = clone_message(msg)  # save_msg_lumps(): the continuation sees the changes
    t.msg_flags = ctx.flags
    u = Uac(len(t.uacs), msg.current_uri_str, None, t.rcv.proto, None, None, None)
    u.state = S.initial(S.CLIENT_INVITE if t.is_invite else S.CLIENT_NON_INVITE)
    t.uacs.append(u)
    t.blind_uac = u.index
    rt._arm_fr(t, u, rt._fr(t, provisional=False))
    t.flags = (t.flags | T_ASYNC_SUSPENDED) & ~T_ASYNC_CONTINUE
    return 1


def t_continue(ctx, mod, index, label, route) -> int:
    rt = runtime(ctx)
    t = rt.table.by_label.get((int(index), int(label)))
    if t is None or t.done:
        ctx.log(-2, "WARNING: tm [t_suspend.c]: t_continue_helper(): active transaction not found\n")
        return -1
    if not t.flags & T_ASYNC_SUSPENDED:
        ctx.log(-2, f"WARNING: tm [t_suspend.c]: t_continue_helper(): transaction is not suspended "
                    f"[{index}:{label}]\n")
        return -1
    if route not in rt.engine.routes.get("request", {}):
        ctx.log(-1, f"ERROR: tmx [tmx_mod.c]: w_t_continue(): unable to find route block [{route}]\n")
        return -1
    t.flags &= ~T_ASYNC_SUSPENDED
    if t.canceled:
        return 1
    t.flags |= T_ASYNC_CONTINUE
    try:
        u = t.uacs[t.blind_uac] if 0 <= t.blind_uac < len(t.uacs) else None
        if u is not None:
            for h in (u.retr_timer, u.fr_timer):
                if h is not None:
                    h.cancel()
            if u.last_received != 0:
                return 1                # timed out (or continued) already
            u.last_received, u.reply = 500, FAKED
        fctx = rt.engine.context(clone_message(t.request), t.rcv, FAILURE_ROUTE)
        rt._share(fctx, t)
        if u is not None:
            fctx.mod_state["tm_failure"] = (u.index, 0)   # no picked reply: $T_reply_code is 0
        if t.uacs[:-1] if u is not None else t.uacs:
            ruri_consume(fctx)
        rt._run(fctx, "request", route, ctx)
        t.msg_flags = fctx.flags
        if t.uas_status < 200 and all(x.last_received >= 200 for x in t.uacs):
            rt.reply_local_sink(t, 500, KILL_REASON, ctx)      # no open branch: kill_transaction
            rt.put_on_wait(t)
    finally:
        t.flags &= ~T_ASYNC_CONTINUE
    return 1
