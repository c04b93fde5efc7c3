"""$T_* pseudo-variables (tmx in Kamailio 5.6): the transaction seen from any route.

$T_branch_idx    the branch being processed in branch_route and for a reply; the number of branches
                 so far in request_route (nr_branches) and failure_route (transaction's branches +
                 nr_branches), as 5.6.3's tmx; -1 elsewhere
$T_reply_code    the status of the reply: the picked one in failure_route, the received one in
                 onreply_route, else the last status sent upstream (null without a transaction)
$T_reply_reason  its reason phrase; $T_reply_last the last status received on the branch
$T_req(pv) / $T_rpl(pv) / $T_inv(pv)  a PV evaluated on the transaction's request / the failure
                 reply / the INVITE a CANCEL cancels
$T(name)         id_index, id_label, reply_code, reply_reason, reply_last, branch_index, ruid,
                 reply_type (5.6's $T(...) family)
Not implemented: $T_reply_ruid, $T_branch_ruid, $T_branch(...) (ruid and branch xavp attributes) -- they
refuse at run time.
"""
from __future__ import annotations

from cfgvm import exports as _rt
from cfgvm.exports import FAILURE_ROUTE, NEEDS_INNER, ONREPLY_ROUTE
from cfgvm.vm.pv import PVDef, PVRuntimeError
from cfgvm.vm import pvspec


def _t(ctx):
    return getattr(ctx, "transaction", None)


def reply_code(ctx, p=None):
    msg = ctx.msg
    if ctx.route_type & ONREPLY_ROUTE and msg is not None and msg.is_reply:
        return msg.status
    f = ctx.mod_state.get("tm_failure")
    if f is not None:
        return f[1]
    t = _t(ctx)
    if t is None:
        return None
    return t.uas_status or 0


def reply_reason(ctx, p=None):
    msg = ctx.msg
    if ctx.route_type & _rt.BRANCH_FAILURE_ROUTE:
        return ""                      # 5.6.3's tmx has no branch-failure case here: empty
    if ctx.route_type & ONREPLY_ROUTE and msg is not None and msg.is_reply:
        return msg.reason
    f = ctx.mod_state.get("tm_failure")
    t = _t(ctx)
    if t is None:
        return None
    if f is not None:
        u = t.uacs[f[0]]
        from .transaction import FAKED
        if u.reply is FAKED or u.reply is None:
            from .reply import REASONS
            return REASONS.get(f[1], "")
        return u.reply.reason
    return t.uas_reason or None


def reply_last(ctx, p=None):
    if ctx.route_type & _rt.BRANCH_FAILURE_ROUTE:
        return ""                      # as reply_reason (real 5.6.3)
    t = _t(ctx)
    b = ctx.mod_state.get("tm_branch_idx")
    if t is None or b is None or b >= len(t.uacs):
        return None
    return t.uacs[b].last_received


def branch_idx(ctx, p=None):
    msg, rt = ctx.msg, ctx.route_type
    if (msg is not None and msg.is_reply) or rt & (_rt.BRANCH_ROUTE | _rt.BRANCH_FAILURE_ROUTE):
        b = ctx.mod_state.get("tm_branch_idx")
        return b if b is not None else -1
    if rt & _rt.REQUEST_ROUTE:
        return len(ctx.branches)
    if rt & _rt.FAILURE_ROUTE:
        t = _t(ctx)
        return None if t is None else len(t.uacs) + len(ctx.branches)
    return -1


def _unsupported(what):
    def g(ctx, p=None):
        raise PVRuntimeError(f"{what} is not implemented in cfgvm")
    return g


def _fix_inner(spec, program):
    from cfgvm.vm.pv import resolve_pv
    return resolve_pv(pvspec.parse(spec.inner.strip()), program)


def _on(which):
    def get(ctx, ref):
        from .transaction import FAKED
        t = _t(ctx)
        if t is None:
            return None
        if which == "req":
            msg = t.request
        elif which == "inv":
            inv = t.cancel_of or ctx.mod_state.get("tm_cancel_of")
            if inv is None:
                return None
            msg = inv.request
        else:
            f = ctx.mod_state.get("tm_failure")
            if f is None:
                return None
            msg = t.uacs[f[0]].reply
            if msg is None or msg is FAKED:
                return None
        saved = ctx.msg
        ctx.msg = msg
        try:
            return ref.get(ctx)
        finally:
            ctx.msg = saved
    return get


_T_NAMES = {"id_index": lambda ctx: _t(ctx).hash_index, "id_label": lambda ctx: _t(ctx).label,
            "reply_code": reply_code, "reply_reason": reply_reason, "reply_last": reply_last,
            "branch_index": branch_idx,
            "reply_type": lambda ctx: 1 if ctx.mod_state.get("tm_failure") and
            _t(ctx).uacs[ctx.mod_state["tm_failure"][0]].reply == "faked" else 0}


def _fix_T(spec, program):
    name = spec.inner.strip()
    if name not in _T_NAMES:
        raise PVRuntimeError(f"$T({name}): unknown or not implemented name")
    return _T_NAMES[name]


def get_T(ctx, f):
    if _t(ctx) is None:
        return None
    return f(ctx)


PVS = [
    PVDef("T_branch_idx", branch_idx), PVDef("T_reply_code", reply_code),
    PVDef("T_reply_reason", reply_reason), PVDef("T_reply_last", reply_last),
    PVDef("T_reply_ruid", _unsupported("$T_reply_ruid")), PVDef("T_branch_ruid", _unsupported("$T_branch_ruid")),
    PVDef("T_reply_type", lambda ctx, p=None: 1 if ctx.mod_state.get("tm_failure") and
          _t(ctx).uacs[ctx.mod_state["tm_failure"][0]].reply == "faked" else 0),
    PVDef("T_req", _on("req"), inner=NEEDS_INNER, fixup=_fix_inner),
    PVDef("T_rpl", _on("rpl"), inner=NEEDS_INNER, fixup=_fix_inner),
    PVDef("T_inv", _on("inv"), inner=NEEDS_INNER, fixup=_fix_inner),
    PVDef("T", get_T, inner=NEEDS_INNER, fixup=_fix_T),
    PVDef("T_branch", _unsupported("$T_branch(...)"), inner=NEEDS_INNER, fixup=lambda s, p: s.inner),
]
del FAILURE_ROUTE
