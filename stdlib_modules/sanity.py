"""sanity: script-facing wrapper around cfgvm.sip.sanity (Kamailio 5.6 src/modules/sanity).

sanity_check([msg_checks [, uri_checks]]): flags out of range -> -1; checks pass -> 1; a check fails ->
a reply with the failing check's code/reason (only to requests other than ACK; with noreply=1 it is
kept for sanity_reply() instead), then 0 with autodrop=1 (the script stops) or -1 with autodrop=0.
sanity_reply(): sends the kept reply (500 "Server Sanity Failure" when none was kept) when noreply=1.
"""
from __future__ import annotations

import functools

from cfgvm.exports import IGP, INT_PARAM, ONREPLY_ROUTE, REQUEST_ROUTE, STR_PARAM, Function, Module, Param
from cfgvm.sip import sanity as _checks

_ROUTES = REQUEST_ROUTE | ONREPLY_ROUTE
_REASON_SIZE = 128   # KSR_SANITY_REASON_SIZE: a kept reason is cut to 127 chars
_MAX_CHECKS = _checks.MAX_CHECKS
_check = _checks.check


@functools.lru_cache(maxsize=16)
def _extensions(text):
    """The proxy_require modparam as a tuple of extension names (split once per value)."""
    return tuple(t.strip() for t in text.split(",") if t.strip())


def _can_reply(msg):
    return msg.is_request and msg.method_known != "ACK"


def _reply(ctx, code, reason, headers=()):
    from cfgvm.stdlib import sl
    if headers:
        ctx.mod_state.setdefault("reply_lumps", []).extend(headers)
    return sl.sl_reply(ctx, code, reason)


def run_check(ctx, mod, msg_checks, uri_checks):
    if not 1 <= msg_checks < _MAX_CHECKS or not 1 <= uri_checks < 16:
        return -1
    params = mod.params
    noreply = params.get("noreply", 0)
    if noreply:
        ctx.mod_state.pop("sanity_reply", None)
    msg = ctx.msg
    failure = _check(msg, msg_checks, uri_checks, _extensions(params.get("proxy_require") or ""))
    if failure is None:
        return 1
    if failure.code is not None and _can_reply(msg):
        if noreply:
            ctx.mod_state["sanity_reply"] = (failure.code, failure.reason[:_REASON_SIZE - 1],
                                             failure.headers)
        elif not getattr(ctx, "no_reply", False):
            _reply(ctx, failure.code, failure.reason, failure.headers)
    return 0 if params.get("autodrop", 1) else -1


def sanity_check_0(ctx, mod):
    return run_check(ctx, mod, mod.params.get("default_checks", _checks.DEFAULT_CHECKS),
                     mod.params.get("uri_checks", _checks.DEFAULT_URI_CHECKS))


def sanity_check_1(ctx, mod, msg_checks):
    return run_check(ctx, mod, msg_checks, mod.params.get("uri_checks", _checks.DEFAULT_URI_CHECKS))


def sanity_check_2(ctx, mod, msg_checks, uri_checks):
    return run_check(ctx, mod, msg_checks, uri_checks)


def sanity_reply(ctx, mod):
    if not _can_reply(ctx.msg) or not mod.params.get("noreply", 0):
        return 1
    if getattr(ctx, "no_reply", False):
        return 1
    kept = ctx.mod_state.get("sanity_reply")
    if kept is None:
        return 1 if _reply(ctx, 500, "Server Sanity Failure") >= 0 else -1
    code, reason, headers = kept
    return 1 if _reply(ctx, code, reason, headers) >= 0 else -1


EXPORTS = Module(
    name="sanity",
    functions=[
        Function("sanity_check", sanity_check_0, (), _ROUTES),
        Function("sanity_check", sanity_check_1, (IGP,), _ROUTES),
        Function("sanity_check", sanity_check_2, (IGP, IGP), _ROUTES),
        Function("sanity_reply", sanity_reply, (), _ROUTES),
    ],
    params=[
        Param("default_checks", INT_PARAM, _checks.DEFAULT_CHECKS),
        Param("uri_checks", INT_PARAM, _checks.DEFAULT_URI_CHECKS),
        Param("proxy_require", STR_PARAM, ""),
        Param("autodrop", INT_PARAM, 1),
        Param("noreply", INT_PARAM, 0),
    ],
)
