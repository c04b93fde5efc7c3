"""Name-addr headers: From/To ($fu $tU ..., writable through lumps), P-Asserted/P-Preferred-Identity
(indexed), Remote-Party-ID, Refer-To and Diversion."""
from __future__ import annotations

from cfgvm.sip.errors import SipParseError
from cfgvm.vm import avp as A
from cfgvm.vm.pv import PVDef, eval_index, index_of
from cfgvm.vm.pvs.common import L_ERR, none_if_empty, safe
from cfgvm.vm.values import to_str


def hdr_na(ctx, name):
    """(header, parsed body) of the first `name` header; (None, None) without one."""
    m = ctx.msg
    if m is None:
        return None, None
    h = m.header(name)
    if h is None:
        return None, None
    return h, safe(lambda: h.parsed)


# ---- From / To ------------------------------------------------------------------------------

# what safe() turns into null
_UNPARSABLE = (SipParseError, ValueError, IndexError, AttributeError)


def _na_getter(hname, attr):
    def get(ctx, p=None):
        # hdr_na without the HeaderField and the lambda: these getters are on every message's path
        m = ctx.msg
        if m is None:
            return None
        i = m.first_index(hname)
        if i is None:
            return None
        try:
            na = m._parsed_at(i)
        except _UNPARSABLE:
            return None
        if na is None:
            return None
        if attr == "uri":
            return na.uri_str
        if attr == "display":
            return none_if_empty(na.display)
        if attr == "tag":
            return na.tag
        try:
            u = na.uri
        except _UNPARSABLE:
            return None
        if u is None or not hasattr(u, "user"):
            return None
        if attr == "user":
            return none_if_empty(u.user)
        if attr == "host":
            return u.host
        if attr == "ulen":
            return len(u.user)
        return None
    return get


def _user_host_span(uri_str):
    """(start, end) of the user part and of the host part inside URI text."""
    colon = uri_str.find(":")
    at = uri_str.find("@", colon + 1)
    if at >= 0:
        ustart = colon + 1
        uend = ustart
        while uend < at and uri_str[uend] != ":":
            uend += 1
        hstart = at + 1
    else:
        ustart = uend = colon + 1
        hstart = colon + 1
    hend = hstart
    if uri_str[hstart:hstart + 1] == "[":
        hend = uri_str.find("]", hstart) + 1
    else:
        while hend < len(uri_str) and uri_str[hend] not in ":;?>":
            hend += 1
    return (ustart, uend), (hstart, hend), at >= 0


def _na_setter(hname, attr):
    """Writes to From/To parts are lumps (visible after msg_apply_changes) [V]."""
    def set_(ctx, p, value):
        h, na = hdr_na(ctx, hname)
        if na is None:
            ctx.log(L_ERR, f"pv_set_{hname}_{attr}(): no {hname} header")
            return
        lumps = ctx.msg.lumps
        base = h.body_start
        v = None if value is None else to_str(value)
        if attr == "uri":
            if not v:
                ctx.log(L_ERR, f"pv_set_{hname}_uri(): str value required")
                return
            lumps.replace(base + na.uri_start, na.uri_end - na.uri_start, v)
            return
        if attr == "display":
            dstart = base + na.start
            if na.display:
                lumps.delete(dstart, len(na.display) + (1 if ctx.msg.text[dstart + len(na.display)] == " " else 0))
                if v:
                    lumps.anchor(dstart).after(v + " ")
            elif v:
                if na.angle:
                    lumps.insert_before(dstart, v + " ")
                else:
                    lumps.insert_before(base + na.uri_start, v + " <")
                    lumps.insert_after(base + na.uri_end, ">")
            return
        (us, ue), (hs, he), has_user = _user_host_span(na.uri_str)
        ub = base + na.uri_start
        if attr == "user":
            if has_user:
                if v:
                    lumps.replace(ub + us, ue - us, v)
                else:
                    lumps.delete(ub + us, hs - us)
            elif v:
                lumps.insert_after(ub + us, v + "@")
        elif attr == "host":
            if not v:
                ctx.log(L_ERR, f"pv_set_{hname}_domain(): str value required")
                return
            lumps.replace(ub + hs, he - hs, v)
    return set_


def _na_rows(hname, short, long):
    """$fu/$from ... $fUl (short "f", long "from"); the same for To."""
    g = {a: _na_getter(hname, a) for a in ("uri", "user", "host", "display", "tag", "ulen")}
    s = {a: _na_setter(hname, a) for a in ("uri", "user", "host", "display")}
    return [
        PVDef(f"{short}u", g["uri"], s["uri"]), PVDef(long, g["uri"], s["uri"]),
        PVDef(f"{short}U", g["user"], s["user"]), PVDef(f"{long}.user", g["user"], s["user"]),
        PVDef(f"{short}d", g["host"], s["host"]), PVDef(f"{long}.domain", g["host"], s["host"]),
        PVDef(f"{short}n", g["display"], s["display"]), PVDef(f"{short}t", g["tag"]),
        PVDef(f"{short}Ul", g["ulen"]),
    ]


# ---- identity lists, Remote-Party-ID, Refer-To, Diversion -------------------------------------

def _first_uri(hname):
    def get(ctx, p=None):
        h, na = hdr_na(ctx, hname)
        if na is None:
            return None
        if isinstance(na, list):
            na = na[0] if na else None
        return None if na is None else na.uri_str
    return get


def _nalist(ctx, hname):
    m = ctx.msg
    if m is None:
        return []
    out = []
    for h in m.headers(hname):
        got = safe(lambda: h.parsed)
        if got is None:
            return out
        out.extend(got)
    return out


def _na_part(na, attr):
    if attr == "uri":
        return na.uri_str
    if attr == "display":
        return none_if_empty(na.display)
    u = safe(lambda: na.uri)
    if u is None or not hasattr(u, "host"):
        return None
    return none_if_empty(u.user) if attr == "user" else u.host


def _list_getter(hname, attr):
    def get(ctx, idx):
        lst = _nalist(ctx, hname)
        i = eval_index(idx, ctx) or 0
        if i == A.ALL or not lst:
            return None if not lst else ",".join(_na_part(na, attr) or "" for na in lst)
        try:
            na = lst[i]
        except IndexError:
            return None
        return _na_part(na, attr)
    return get


def _diversion(attr):
    def get(ctx, p=None):
        lst = _nalist(ctx, "diversion")
        if not lst:
            return None
        na = lst[0]
        if attr == "uri":
            return na.uri_str
        return na.params.get(attr)
    return get


def _list_row(name, hname, attr):
    return PVDef(name, _list_getter(hname, attr), fixup=index_of, index=True)


ROWS = [
    *_na_rows("from", "f", "from"),
    *_na_rows("to", "t", "to"),
    PVDef("re", _first_uri("remote-party-id")), PVDef("rt", _first_uri("refer-to")),
    _list_row("ai", "p-asserted-identity", "uri"),
    _list_row("pu", "p-preferred-identity", "uri"),
    _list_row("pU", "p-preferred-identity", "user"),
    _list_row("pd", "p-preferred-identity", "host"),
    _list_row("pn", "p-preferred-identity", "display"),
    PVDef("di", _diversion("uri")), PVDef("dir", _diversion("reason")),
    PVDef("dip", _diversion("privacy")), PVDef("dic", _diversion("counter")),
]
