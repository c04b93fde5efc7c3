"""textopsx: extra text operations (Kamailio 5.6 src/modules/textopsx).

msg_apply_changes (lumps applied, the message re-parsed; reads then see the changes; requests and
replies), msg_set_buffer,
change_reply_status(_code) (reply routes; provisional and 2xx replies keep their class),
remove_body, keep_hf/0/1, fnmatch/2/3; the header-value functions append/insert/remove/assign_hf_value,
remove/assign_hf_value2, include/exclude_hf_value, hf_value_exists (scanner and rules in
_hfvalue.py); the header and body-line iterators (up to 4 each per message) with $hfitname,
$hfitbody and $blitval; the selects @hf_value["name"] (every value, comma-joined; .uri/.name of the
first), @hf_value2 (same reading) and @hf_value_exists (exported as cfgvm.exports.Select rows).
"""
from __future__ import annotations

import fnmatch as _fnmatch
import re

from cfgvm.exports import (ANY_ROUTE, BRANCH_ROUTE, FAILURE_ROUTE, FMT, IGP, NEEDS_INNER, ONREPLY_ROUTE, PV,
                           REGEX, REQUEST_ROUTE, STR, Function, Module, Select)
from cfgvm.stdlib import _hfvalue as HV
from cfgvm.vm import select as _sel
from cfgvm.stdlib._common import const_text, fmt_arg, route_type_ok

# headers keep_hf() never removes (Kamailio keeps the ones the core needs)
_RFBO = REQUEST_ROUTE | ONREPLY_ROUTE | FAILURE_ROUTE | BRANCH_ROUTE
_ALWAYS_KEPT = {"via", "from", "to", "call-id", "cseq", "content-length", "content-type",
                "max-forwards", "contact", "route", "record-route"}


def msg_apply_changes(ctx, mod):
    """Requests in request_route only; replies too (core reply_route), as Kamailio 5.6.3."""
    msg = ctx.msg
    if not msg.is_reply and not route_type_ok(ctx, REQUEST_ROUTE):
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
    """Shell pattern match. The 'i' flag has no effect in 5.6.3 (its build lacks FNM_CASEFOLD: checked
    on real Kamailio, fnmatch("INVITE", "inv*", "i") is false)."""
    return 1 if _fnmatch.fnmatchcase(value, expr) else -1


# ---- header values (append/insert/remove/assign_hf_value[2], include/exclude, hf_value_exists) ----
APPEND, INSERT, REMOVE, ASSIGN, REMOVE2, ASSIGN2, INCLUDE, EXCLUDE, EXISTS = (
    "append", "insert", "remove", "assign", "remove2", "assign2", "include", "exclude", "exists")


def _hname_fixup(oper):
    """Fixup of the header-name argument (Kamailio's per-function rules: which of index, '*' and
    .param are allowed, and the default index); the value argument is a format."""
    def fixup(args, coord, program):
        h = HV.parse_hname(const_text(args[0]))
        if oper in (INCLUDE, EXCLUDE, EXISTS):
            if h.has_idx or h.param:
                raise ValueError(f"neither index nor param may be specified in '{const_text(args[0])}'")
        elif oper in (APPEND, INSERT):
            if h.all:
                raise ValueError("asterisk not supported")
            if not h.has_idx or not h.idx:
                h.idx = -1 if oper == APPEND else 1
            if h.param:
                raise ValueError("param not supported")
        else:
            if oper in (ASSIGN, ASSIGN2) and h.all and not h.param:
                raise ValueError("asterisk not supported without param")
            if not h.has_idx or not h.idx:
                h.idx, h.has_idx = 1, True
        if h.idx < -HV.MAX_STACK:
            raise ValueError(f"index cannot be lower than {-HV.MAX_STACK}")
        return [(oper, h)] + [fmt_arg(const_text(a)) for a in args[1:]]
    return fixup


def _header_text(h, val):
    return f"{h.name}: {val}\r\n"


def _insert_value(msg, hf, pos, val):
    """A value put at pos inside hf's body, with the comma on the side that keeps the list valid."""
    _, be = HV.body_span(hf)
    msg.lumps.insert_before(pos, "," + val if pos == be else val + ",")
    return 1


def _delete_value(msg, hf, span):
    """Remove span; the whole header line when span is the whole body."""
    if hf is not None and span == HV.body_span(hf):
        msg.lumps.remove_header(hf)
    else:
        msg.lumps.delete(span[0], span[1] - span[0])
    return 1


def _lump_param(msg, found, upd, dele, name, value, delim):
    if found:
        s, e = upd if value is not None else dele
        if e > s:
            msg.lumps.delete(s, e - s)
        if value:
            msg.lumps.insert_before(upd[0], "=" + value)
        return 1
    if value is None:
        return -1
    msg.lumps.insert_before(dele[0], delim + name + ("=" + value if value else ""))
    return 1


def _params(msg, v, h, value):
    """';param' of one value: assign (value a str) or remove every occurrence (value None)."""
    t = msg.text
    s, e = HV.skip_to_params(t, v.vs, v.ve), v.ve
    res = 0
    while True:
        found, upd, dele = HV.find_param(t, s, e, h.param)
        r = _lump_param(msg, found, upd, dele, h.param, value, ";")
        res = res or r
        if not (found and value is None):
            return res
        s = dele[1]


def _params2(msg, hf, h, value):
    """'name=value' lists (authentication headers): assign or remove every occurrence."""
    t = msg.text
    s, e = HV.body_span(hf)
    res = 0
    while True:
        found, upd, dele, delim = HV.find_param2(t, s, e, h.param)
        r = _lump_param(msg, found, upd, dele, h.param, value, delim)
        res = res or r
        if not (found and value is None):
            return res
        s = dele[1]


def hf_value(ctx, mod, op, val=None):
    oper, h = op
    msg = ctx.msg
    if oper == APPEND:
        if not h.has_idx:
            msg.lumps.append_header(_header_text(h, val))
            return 1
        hf, v = HV.find_idx(msg, h)
        if hf is None:
            msg.lumps.append_header(_header_text(h, val))
            return 1
        return _insert_value(msg, hf, v.le, val)
    if oper == INSERT:
        hf, v = HV.find_idx(msg, h)
        if hf is not None and not h.has_idx:
            msg.lumps.insert_before(hf.start, _header_text(h, val))
            return 1
        if hf is None and h.idx == 1:
            msg.lumps.append_header(_header_text(h, val))
            return 1
        if hf is None:
            return -1
        return _insert_value(msg, hf, v.ls, val)
    by_value = oper in (REMOVE, ASSIGN)
    if h.all:
        fl = -1
        for hf in msg.headers(h.name):
            if not h.param:
                fl = 1
                _delete_value(msg, hf, HV.body_span(hf))
            elif by_value:
                for v in HV.values(hf):
                    if _params(msg, v, h, val) > 0:
                        fl = 1
            elif _params2(msg, hf, h, val) > 0:
                fl = 1
        return fl
    hf, v = HV.find_idx(msg, h, by_value)
    if hf is None:
        return -1
    if h.param:
        return _params(msg, v, h, val) if by_value else _params2(msg, hf, h, val)
    if oper in (REMOVE, REMOVE2):
        return _delete_value(msg, hf, HV.for_delete(v) if by_value else HV.body_span(hf))
    _delete_value(msg, None, (v.vs, v.ve))          # assign: the value only, delimiters stay
    if val:
        msg.lumps.insert_before(v.vs, val)
    return 1


def hf_value_set(ctx, mod, op, val):
    """include_hf_value / exclude_hf_value / hf_value_exists: values compared case-insensitively."""
    oper, h = op
    if not val:
        return -1
    msg = ctx.msg
    first = None
    low = val.lower()
    for hf in msg.headers(h.name):
        for v in HV.values(hf):
            if v.ve > v.vs and msg.text[v.vs:v.ve].lower() == low:
                if oper in (INCLUDE, EXISTS):
                    return 1
                _delete_value(msg, hf, HV.for_delete(v))
        first = first or hf
    if oper == EXISTS:
        return -1
    if oper == INCLUDE:
        if first is not None:
            return _insert_value(msg, first, HV.body_span(first)[1], val)
        msg.lumps.append_header(_header_text(h, val))
    return 1


# ---- iterators over headers and body lines ---------------------------------------------------------
MAX_ITERATORS = 4       # "up to 4 iterators at the same time"


class _Iter:
    __slots__ = ("items", "pos")

    def __init__(self, items):
        self.items, self.pos = items, None      # pos None: before the first item / ended


def _iters(ctx, kind):
    return ctx.mod_state.setdefault(kind, {})


def _start(ctx, kind, name, items):
    its = _iters(ctx, kind)
    if name not in its and len(its) >= MAX_ITERATORS:
        ctx.log(-1, f"textopsx: no free {kind} iterator for [{name}]")
        return -1
    its[name] = _Iter(items)
    return 1


def _get(ctx, kind, name):
    it = _iters(ctx, kind).get(name)
    if it is None:
        ctx.log(-1, f"textopsx: iterator not available [{name}]")
    return it


def _current(ctx, kind, name):
    it = _get(ctx, kind, name)
    if it is None or it.pos is None:
        return None
    return it.items[it.pos]


def _end(ctx, kind, name):
    _iters(ctx, kind).pop(name, None)
    return 1


def _next(ctx, kind, name):
    it = _get(ctx, kind, name)
    if it is None:
        return -1
    nxt = 0 if it.pos is None else it.pos + 1
    if nxt >= len(it.items):
        it.pos = None
        return -1
    it.pos = nxt
    return 1


def hf_iterator_start(ctx, mod, name):
    return _start(ctx, "hfit", name, ctx.msg.headers())


def hf_iterator_end(ctx, mod, name):
    return _end(ctx, "hfit", name)


def hf_iterator_next(ctx, mod, name):
    return _next(ctx, "hfit", name)


def hf_iterator_prev(ctx, mod, name):
    it = _get(ctx, "hfit", name)
    if it is None or it.pos is None:
        return -1
    it.pos = it.pos - 1 if it.pos > 0 else None     # before the first header: no current one
    return 1


def hf_iterator_rm(ctx, mod, name):
    hf = _current(ctx, "hfit", name)
    if hf is None:
        return -1
    ctx.msg.lumps.remove_header(hf)
    return 1


def _insert_at(ctx, kind, name, text, after: bool) -> int:
    """text after (or before) the iterator's current item: a header field or a (start, end) body line."""
    item = _current(ctx, kind, name)
    if item is None:
        return -1
    start, end = (item.start, item.end) if kind == "hfit" else item
    if after:
        ctx.msg.lumps.insert_after(end, text)
    else:
        ctx.msg.lumps.insert_before(start, text)
    return 1


def hf_iterator_append(ctx, mod, name, text):
    return _insert_at(ctx, "hfit", name, text, True)


def hf_iterator_insert(ctx, mod, name, text):
    return _insert_at(ctx, "hfit", name, text, False)


def get_hfitname(ctx, spec):
    hf = _current(ctx, "hfit", spec.inner)
    return None if hf is None else hf.name


def get_hfitbody(ctx, spec):
    hf = _current(ctx, "hfit", spec.inner)
    return None if hf is None else hf.body_raw


def _body_lines(msg):
    """(start, end) of each body line, its line end included."""
    t = msg.text
    s = msg.body_start if msg.body_start is not None else len(t)
    out = []
    while s < len(t):
        e = t.find("\n", s)
        e = len(t) if e < 0 else e + 1
        out.append((s, e))
        s = e
    return out


def bl_iterator_start(ctx, mod, name):
    return _start(ctx, "blit", name, _body_lines(ctx.msg))


def bl_iterator_end(ctx, mod, name):
    return _end(ctx, "blit", name)


def bl_iterator_next(ctx, mod, name):
    return _next(ctx, "blit", name)


def bl_iterator_rm(ctx, mod, name):
    line = _current(ctx, "blit", name)
    if line is None:
        return -1
    ctx.msg.lumps.delete(line[0], line[1] - line[0])
    return 1


def bl_iterator_append(ctx, mod, name, text):
    return _insert_at(ctx, "blit", name, text, True)


def bl_iterator_insert(ctx, mod, name, text):
    return _insert_at(ctx, "blit", name, text, False)


def get_blitval(ctx, spec):
    line = _current(ctx, "blit", spec.inner)
    return None if line is None else ctx.msg.text[line[0]:line[1]]


# ---- reply status, whole buffer --------------------------------------------------------------------
def _status_spans(msg):
    """(offset of the 3 status digits, (reason start, reason end)) in the first line of a reply."""
    t = msg.text
    p = t.index(" ", msg.fl_start) + 1
    while t[p] == " ":
        p += 1
    eol = t.find("\r\n", p)
    eol = t.find("\n", p) if eol < 0 else eol
    r = p + 3
    while r < eol and t[r] == " ":
        r += 1
    return p, (r, eol)


def _class_ok(msg, code):
    """Provisional and 2xx replies keep their class; other finals may become any final."""
    if not 100 <= code <= 699:
        return False
    return not ((code < 300 or msg.status < 300) and code // 100 != msg.status // 100)


def change_reply_status(ctx, mod, code, reason):
    msg = ctx.msg
    if not reason or not msg.is_reply or not _class_ok(msg, code):
        return -1
    digits, (rs, re_) = _status_spans(msg)
    msg.lumps.replace(digits, 3, "%03d" % code)
    msg.lumps.replace(rs, re_ - rs, reason)
    msg.status, msg.reason = code, reason
    return 1


def change_reply_status_code(ctx, mod, code):
    msg = ctx.msg
    if not msg.is_reply or not _class_ok(msg, code):
        return -1
    digits, _ = _status_spans(msg)
    msg.lumps.replace(digits, 3, "%03d" % code)
    msg.status = code
    return 1


def msg_set_buffer(ctx, mod, data):
    """The message becomes data, parsed again; a buffer that does not parse ends the script (0), as
    Kamailio's msg structure is then no longer usable."""
    from cfgvm.sip import Message, SipParseError
    msg = ctx.msg
    if not msg.is_reply and not route_type_ok(ctx, REQUEST_ROUTE):
        return -1
    try:
        new = Message.parse(data.encode("latin-1"))
    except SipParseError as e:
        ctx.log(-1, f"textopsx: parsing new sip message failed: {e}")
        return 0
    dst = msg.dst_uri
    msg.__dict__.update(new.__dict__)
    msg._lumps = None
    msg.dst_uri = dst
    return 1


# ---- selects ------------------------------------------------------------------------------------
def _hf_values(ctx, name):
    from cfgvm.sip.params import split_unquoted
    m = ctx.msg
    if m is None or not isinstance(name, str):
        return []
    out = []
    for h in m.headers(name):
        out.extend(v.strip(" \t\r\n") for v in _sel.safe(split_unquoted, h.body_raw, ",") or [])
    return out


def sel_hf_value(ctx, name):
    """The whole comma-separated list; a second [n] still gives the whole list, as 5.6.3 [V]."""
    vals = _hf_values(ctx, name)
    return ",".join(vals) if vals else None


def sel_hf_value_exists(ctx, name):
    return "1" if _hf_values(ctx, name) else "0"


def _first_nameaddr(text):
    return _sel.safe(_sel.nameaddr_of, text.split(",")[0])


_HFV_FIELDS = {
    "uri": (lambda t, p: (lambda na: na and _sel.uri_of(na.uri_str))(_first_nameaddr(t)), "uri"),
    "name": (lambda t, p: (lambda na: na and (na.display or None))(_first_nameaddr(t)), "str"),
}
SELECTS = [Select("hf_value", sel_hf_value, "hf_value", _HFV_FIELDS, extra_index=True),
           Select("hf_value2", sel_hf_value, "hf_value", _HFV_FIELDS, extra_index=True),
           Select("hf_value_exists", sel_hf_value_exists)]


EXPORTS = Module(
    name="textopsx",
    functions=[
        Function("msg_apply_changes", msg_apply_changes, (), REQUEST_ROUTE | ONREPLY_ROUTE),
        Function("remove_body", remove_body, (), ANY_ROUTE),
        Function("keep_hf", keep_hf, (), ANY_ROUTE),
        Function("keep_hf", keep_hf, (REGEX,), ANY_ROUTE),
        Function("fnmatch", fnmatch, (FMT, FMT), ANY_ROUTE),
        Function("fnmatch", fnmatch, (FMT, FMT, FMT), ANY_ROUTE),
        Function("msg_set_buffer", msg_set_buffer, (FMT,), REQUEST_ROUTE | ONREPLY_ROUTE),
        Function("change_reply_status", change_reply_status, (IGP, FMT), ONREPLY_ROUTE),
        Function("change_reply_status_code", change_reply_status_code, (IGP,), ONREPLY_ROUTE),
        Function("append_hf_value", hf_value, (STR, FMT), _RFBO, fixup=_hname_fixup(APPEND)),
        Function("insert_hf_value", hf_value, (STR, FMT), _RFBO, fixup=_hname_fixup(INSERT)),
        Function("remove_hf_value", hf_value, (STR,), _RFBO, fixup=_hname_fixup(REMOVE)),
        Function("assign_hf_value", hf_value, (STR, FMT), _RFBO, fixup=_hname_fixup(ASSIGN)),
        Function("remove_hf_value2", hf_value, (STR,), _RFBO, fixup=_hname_fixup(REMOVE2)),
        Function("assign_hf_value2", hf_value, (STR, FMT), _RFBO, fixup=_hname_fixup(ASSIGN2)),
        Function("include_hf_value", hf_value_set, (STR, FMT), _RFBO, fixup=_hname_fixup(INCLUDE)),
        Function("exclude_hf_value", hf_value_set, (STR, FMT), _RFBO, fixup=_hname_fixup(EXCLUDE)),
        Function("hf_value_exists", hf_value_set, (STR, FMT), _RFBO, fixup=_hname_fixup(EXISTS)),
        Function("hf_iterator_start", hf_iterator_start, (FMT,), ANY_ROUTE),
        Function("hf_iterator_end", hf_iterator_end, (FMT,), ANY_ROUTE),
        Function("hf_iterator_next", hf_iterator_next, (FMT,), ANY_ROUTE),
        Function("hf_iterator_prev", hf_iterator_prev, (FMT,), ANY_ROUTE),
        Function("hf_iterator_rm", hf_iterator_rm, (FMT,), ANY_ROUTE),
        Function("hf_iterator_append", hf_iterator_append, (FMT, FMT), ANY_ROUTE),
        Function("hf_iterator_insert", hf_iterator_insert, (FMT, FMT), ANY_ROUTE),
        Function("bl_iterator_start", bl_iterator_start, (FMT,), ANY_ROUTE),
        Function("bl_iterator_end", bl_iterator_end, (FMT,), ANY_ROUTE),
        Function("bl_iterator_next", bl_iterator_next, (FMT,), ANY_ROUTE),
        Function("bl_iterator_rm", bl_iterator_rm, (FMT,), ANY_ROUTE),
        Function("bl_iterator_append", bl_iterator_append, (FMT, FMT), ANY_ROUTE),
        Function("bl_iterator_insert", bl_iterator_insert, (FMT, FMT), ANY_ROUTE),
    ],
    pvs=[PV("hfitname", get_hfitname, inner=NEEDS_INNER), PV("hfitbody", get_hfitbody, inner=NEEDS_INNER),
         PV("blitval", get_blitval, inner=NEEDS_INNER)],
    selects=SELECTS,
)
