"""Headers by name: $hdr/$hdrc (whole bodies), $hfl/$hflc (one value of a comma list per index), and
the Via attributes of the first, second and last Via ($via0 $via1 $viaZ)."""
from __future__ import annotations

from cfgvm.vm import avp as A
from cfgvm.vm.pv import PVDef, PVError, dyn_name, eval_index, index_of
from cfgvm.vm.pvs.common import NEED, PROTO_IDS, attr_fixup, none_if_empty, safe


def _fix_hdr(spec, program):
    name = dyn_name(spec, program) or spec.inner.strip()
    if isinstance(name, str) and not name:
        raise PVError("$hdr: empty header name")
    return name, index_of(spec, program)


def _name(n, ctx):
    return n(ctx) if callable(n) else n


def get_hdr(ctx, p):
    m = ctx.msg
    if m is None:
        return None
    idx = eval_index(p[1], ctx)
    return m.hdr(_name(p[0], ctx), 0 if idx is None else idx)


def get_hdrc(ctx, p):
    m = ctx.msg
    return 0 if m is None else m.header_count(_name(p[0], ctx))


HFL_SPLIT = ("via", "route", "record-route", "contact")


def _hfl_values(m, name):
    from cfgvm.sip.hdrnames import key_of
    key = key_of(name)
    if key not in HFL_SPLIT:
        return None
    out = []
    for h in m.headers(name):
        got = safe(lambda: h.parsed)
        if got is None or got == "*":
            out.append(h.body_raw)
            continue
        body = h.body_raw
        for i, v in enumerate(got):
            if key == "via":
                # the via body spans up to the comma that ends it (bsize) [V]
                out.append(v.raw + ("," if i + 1 < len(got) else ""))
            else:
                out.append(body[v.start:v.end])
    return out


def get_hfl(ctx, p):
    m = ctx.msg
    if m is None:
        return None
    name = _name(p[0], ctx)
    vals = _hfl_values(m, name)
    idx = eval_index(p[1], ctx)
    if vals is None:
        return m.hdr(name, 0 if idx is None else idx)
    if idx is None:
        idx = 0
    if idx == A.ALL:
        return ",".join(vals) if vals else None
    if idx < 0 or idx >= len(vals):
        return None                                   # negative indexes are null for $hfl [V]
    return vals[idx]


def get_hflc(ctx, p):
    m = ctx.msg
    if m is None:
        return 0
    name = _name(p[0], ctx)
    vals = _hfl_values(m, name)
    return m.header_count(name) if vals is None else len(vals)


# ---- Via ------------------------------------------------------------------------------------

VIA_ATTRS = {
    "host": lambda v: v.host, "port": lambda v: v.port_no, "proto": lambda v: v.transport,
    "protoid": lambda v: PROTO_IDS.get(v.transport.lower(), 0), "branch": lambda v: v.branch,
    "rport": lambda v: none_if_empty(v.rport), "received": lambda v: v.received,
    "i": lambda v: v.i, "params": lambda v: none_if_empty(v.params_str),
}


def _via_getter(which):
    def get(ctx, f):
        m = ctx.msg
        if m is None:
            return None
        if which == "Z":
            hs = m.headers("via")
            v = safe(lambda: hs[-1].parsed[0]) if hs else None
        else:
            vs = safe(m.vias)
            v = vs[which] if vs and len(vs) > which else None
        return None if v is None else f(v)
    return get


_fix_via = attr_fixup(VIA_ATTRS)

ROWS = [
    PVDef("hdr", get_hdr, inner=NEED, fixup=_fix_hdr, index=True),
    PVDef("hdrc", get_hdrc, inner=NEED, fixup=_fix_hdr),
    PVDef("hfl", get_hfl, inner=NEED, fixup=_fix_hdr, index=True),
    PVDef("hflc", get_hflc, inner=NEED, fixup=_fix_hdr),
    PVDef("via0", _via_getter(0), inner=NEED, fixup=_fix_via),
    PVDef("via1", _via_getter(1), inner=NEED, fixup=_fix_via),
    PVDef("viaZ", _via_getter("Z"), inner=NEED, fixup=_fix_via),
]
