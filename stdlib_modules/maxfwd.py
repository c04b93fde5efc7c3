"""maxfwd: Max-Forwards processing (Kamailio 5.6 src/modules/maxfwd).

mf_process_maxfwd_header(N) (aliases maxfwd_process, process_maxfwd):
   no header      -> adds "Max-Forwards: N" before the first header, returns 2
   value 0        -> returns -1 (the SCRIPT sends 483, as Kamailio's)
   value > 0      -> value capped at max_limit+1, decremented and written back IN PLACE (same bytes,
                     right-aligned, space padded: later reads of $hdr(Max-Forwards) see it), returns 1
   unparsable     -> -2;  N outside 0..255 -> -1
is_maxfwd_lt(N) (aliases maxfwd_at_least, mf_lowlimit): 1 if value < N, -1 if >= N,
   -2 if the header is missing, -3 if unparsable.
"""
from __future__ import annotations

from cfgvm.exports import (BRANCH_ROUTE, FAILURE_ROUTE, IGP, INT_PARAM, REQUEST_ROUTE, Function, Module,
                           Param)

_TRIM = " \t\r\n"


def _str2s(text: str):
    """Kamailio's str2s: digits only, at most 5, result wraps as an unsigned short; None on error."""
    if not text or len(text) > 5 or not (text.isascii() and text.isdigit()):
        return None
    return int(text) & 0xFFFF


def _present(ctx):
    """(value, header position, offset of the trimmed value in the body, its length) |
    (-1, None, 0, 0) missing | (-2, None, 0, 0) bad."""
    msg = ctx.msg
    pos = msg._idx.get("max-forwards")
    if not pos:
        return -1, None, 0, 0
    i = pos[0]
    raw = msg._body_at(i)
    value = raw.strip(_TRIM)
    v = _str2s(value)
    if v is None:
        return -2, None, 0, 0
    return v, i, len(raw) - len(raw.lstrip(_TRIM)), len(value)


def process_maxfwd(ctx, mod, limit):
    if limit < 0 or limit > 255:
        return -1
    val, i, off, width = _present(ctx)
    if val == -1:
        ctx.msg.lumps.insert_header(f"Max-Forwards: {limit}\r\n")
        return 2
    if val == -2:
        return -2
    if val == 0:
        return -1
    max_limit = mod.params.get("max_limit", 70)
    if val > max_limit:
        val = max_limit + 1
    # decrement_maxfwd(): the digits overwrite the old value inside the buffer, right-aligned
    ctx.msg.overwrite_body(i, off, str(val - 1)[-width:].rjust(width))
    return 1


def is_maxfwd_lt(ctx, mod, limit):
    if limit < 0 or limit > 255:
        return -1
    val = _present(ctx)[0]
    if val < 0:
        return val - 1
    return -1 if val >= limit else 1


_LT_ROUTES = REQUEST_ROUTE | FAILURE_ROUTE | BRANCH_ROUTE
EXPORTS = Module(
    name="maxfwd",
    functions=[
        Function("maxfwd_process", process_maxfwd, (IGP,), REQUEST_ROUTE),
        Function("mf_process_maxfwd_header", process_maxfwd, (IGP,), REQUEST_ROUTE),
        Function("process_maxfwd", process_maxfwd, (IGP,), REQUEST_ROUTE),
        Function("is_maxfwd_lt", is_maxfwd_lt, (IGP,), _LT_ROUTES),
        Function("maxfwd_at_least", is_maxfwd_lt, (IGP,), _LT_ROUTES),
        Function("mf_lowlimit", is_maxfwd_lt, (IGP,), _LT_ROUTES),
    ],
    params=[Param("max_limit", INT_PARAM, 70)],
)
