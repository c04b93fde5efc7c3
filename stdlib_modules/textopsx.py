"""textopsx: extra text operations (Kamailio 5.6 src/modules/textopsx) -- the part cfgvm implements.

Implemented: msg_apply_changes (lumps applied, the message re-parsed; reads then see the changes; -1 in
a reply route, as Kamailio refuses replies), remove_body, keep_hf/0/1, fnmatch/2/3.
Not implemented (absent from the export table): msg_set_buffer, change_reply_status,
change_reply_status_code, append_hf_value, insert_hf_value, remove_hf_value, remove_hf_value2,
assign_hf_value, assign_hf_value2, include_hf_value, exclude_hf_value, hf_value_exists, the
hf_iterator_* and bl_iterator_* functions, $hfitname, $hfitbody, $blitval.
"""
from __future__ import annotations

import fnmatch as _fnmatch
import re

from cfgvm.exports import ANY_ROUTE, FMT, ONREPLY_ROUTE, REGEX, REQUEST_ROUTE, Function, Module

# headers keep_hf() never removes (Kamailio keeps the ones the core needs)
_ALWAYS_KEPT = {"via", "from", "to", "call-id", "cseq", "content-length", "content-type",
                "max-forwards", "contact", "route", "record-route"}


def msg_apply_changes(ctx, mod):
    msg = ctx.msg
    if msg.is_reply:
        return -1
    if not msg.lumps and msg.new_uri is None:
        return 1
    new_uri = msg.new_uri
    msg.apply_changes()
    if new_uri is not None:
        msg.new_uri = None
    return 1


def remove_body(ctx, mod):
    msg = ctx.msg
    if msg.body_start is None or msg.body_start >= len(msg.text):
        return 1
    msg.lumps.replace_body("")
    return 1


def keep_hf(ctx, mod, rx=None):
    for h in ctx.msg.headers():
        if h.key in _ALWAYS_KEPT:
            continue
        if rx is not None and rx.search(h.name):
            continue
        ctx.msg.lumps.remove_header(h)
    return 1


def fnmatch(ctx, mod, value, expr, flags=""):
    if "i" in flags:
        return 1 if _fnmatch.fnmatchcase(value.lower(), expr.lower()) else -1
    return 1 if _fnmatch.fnmatchcase(value, expr) else -1


EXPORTS = Module(
    name="textopsx",
    functions=[
        Function("msg_apply_changes", msg_apply_changes, (), REQUEST_ROUTE | ONREPLY_ROUTE),
        Function("remove_body", remove_body, (), ANY_ROUTE),
        Function("keep_hf", keep_hf, (), ANY_ROUTE),
        Function("keep_hf", keep_hf, (REGEX,), ANY_ROUTE),
        Function("fnmatch", fnmatch, (FMT, FMT), ANY_ROUTE),
        Function("fnmatch", fnmatch, (FMT, FMT, FMT), ANY_ROUTE),
    ],
)
