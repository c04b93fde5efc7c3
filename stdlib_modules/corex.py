"""corex: core extensions (Kamailio 5.6 src/modules/corex) -- the part cfgvm implements.

Implemented: append_branch/0/1/2 (a Branch on ctx.branches: uri, dst_uri, q, bflags), setxflag,
resetxflag, isxflagset (extended flags 0..63, per message), is_faked_msg (-1: every message cfgvm runs
was received), is_incoming (1 when nio is not intercepting), and the `sock` transformation class.
Not implemented (absent from the export table): send_udp, send_tcp, send_data, sendx, forward_reply,
msg_iflag_set/reset/is_set, file_read, file_write, set_send_socket(_name), set_recv_socket(_name),
set_source_address, via_add_srvid, via_add_xavp_params, via_use_xavp_fields, is_socket_name, $cfg,
$lsock, the corex.* RPC commands, event_route[network:msg] / [corex:reply-out].
"""
from __future__ import annotations

from dataclasses import dataclass

from cfgvm.exports import ANY_ROUTE, FAILURE_ROUTE, FMT, IGP, INT_PARAM, REQUEST_ROUTE, STR_PARAM
from cfgvm.exports import Function, Module, Param
from cfgvm.vm.transformations import tr_sock

MAX_XFLAG = 63


@dataclass
class Branch:
    uri: str
    dst_uri: str | None = None
    q: int = -1                 # Q_UNSPECIFIED
    bflags: int = 0
    path: str | None = None
    socket: object = None


def _q(text):
    """q value text ("0.5") -> Kamailio's int scale 0..1000, -1 when unspecified or invalid."""
    try:
        v = float(text)
    except (TypeError, ValueError):
        return -1
    return int(round(v * 1000)) if 0 <= v <= 1 else -1


def append_branch(ctx, mod, uri=None, q=None):
    """No uri: the current R-URI (and $du, branch flags) become a new branch, as append_branch()."""
    msg = ctx.msg
    if not uri:
        b = Branch(msg.current_uri_str, ctx.dst_uri, _q(q) if q else -1, ctx.bflags)
    else:
        b = Branch(uri, None, _q(q) if q else -1, 0)
    max_branches = (getattr(ctx.program, "params", None) or {}).get("max_branches", 12)
    if len(ctx.branches) + 1 >= max_branches:
        return -1
    ctx.branches.append(b)
    return 1


def _xflags(ctx):
    return ctx.mod_state.get("xflags", 0)


def setxflag(ctx, mod, flag):
    if not 0 <= flag <= MAX_XFLAG:
        return -1
    ctx.mod_state["xflags"] = _xflags(ctx) | (1 << flag)
    return 1


def resetxflag(ctx, mod, flag):
    if not 0 <= flag <= MAX_XFLAG:
        return -1
    ctx.mod_state["xflags"] = _xflags(ctx) & ~(1 << flag)
    return 1


def isxflagset(ctx, mod, flag):
    if not 0 <= flag <= MAX_XFLAG:
        return -1
    return 1 if _xflags(ctx) & (1 << flag) else -1


def is_faked_msg(ctx, mod):
    return 1 if getattr(ctx, "faked", False) else -1


def is_incoming(ctx, mod):
    return 1


EXPORTS = Module(
    name="corex",
    functions=[
        Function("append_branch", append_branch, (), REQUEST_ROUTE | FAILURE_ROUTE),
        Function("append_branch", append_branch, (FMT,), REQUEST_ROUTE | FAILURE_ROUTE),
        Function("append_branch", append_branch, (FMT, FMT), REQUEST_ROUTE | FAILURE_ROUTE),
        Function("is_incoming", is_incoming, (), ANY_ROUTE),
        Function("setxflag", setxflag, (IGP,), ANY_ROUTE),
        Function("resetxflag", resetxflag, (IGP,), ANY_ROUTE),
        Function("isxflagset", isxflagset, (IGP,), ANY_ROUTE),
        Function("is_faked_msg", is_faked_msg, (), ANY_ROUTE),
    ],
    params=[
        Param("alias_subdomains", STR_PARAM, None, multi=True),
        Param("dns_cache", STR_PARAM, None, multi=True),
        Param("nio_intercept", INT_PARAM, 0),
        Param("nio_min_msg_len", INT_PARAM, 0),
        Param("nio_msg_avp", STR_PARAM, ""),
        Param("evcb_reply_out", STR_PARAM, ""),
    ],
    transformations={"sock": tr_sock.TABLE},
)
