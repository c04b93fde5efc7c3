"""Variables: script variables ($var/$vz per worker, $vn, shared $shv), AVPs ($avp), XAVPs ($xavp,
$xavu, $xavi) and their counts ($cnt)."""
from __future__ import annotations

from cfgvm.vm import avp as A
from cfgvm.vm import pvspec
from cfgvm.vm.pv import PVDef, PVError, dyn_name, eval_index, index_of
from cfgvm.vm.pvs.common import NEED, get_call


def _pv_state(program):
    mods = getattr(program, "modules", None) or {}
    m = mods.get("pv")
    return None if m is None else m.state


# ---- script variables ---------------------------------------------------------------------

def _fix_script_var(initial: str):
    """(name, initial value from the pv module's varset/shvset) for $var/$vz/$vn and $shv."""
    def fix(spec, program):
        if spec.dyn is not None:
            raise PVError(f"${spec.cls}: the variable name cannot hold PVs")
        st = _pv_state(program)
        return spec.inner, (None if st is None else getattr(st, initial).get(spec.inner))
    return fix


_fix_var, _fix_shv = _fix_script_var("varset"), _fix_script_var("shvset")


# $var and $shv differ only in their store; kept apart as they are read on every script step.
def get_var(ctx, p):
    v = ctx.worker.vars.get(p[0], A.ALL)
    if v is A.ALL:
        return 0 if p[1] is None else p[1]
    return v


def set_var(ctx, p, value):
    ctx.worker.vars[p[0]] = 0 if value is None else value


def get_shv(ctx, p):
    v = ctx.shared.shv.get(p[0], A.ALL)
    if v is A.ALL:
        return 0 if p[1] is None else p[1]
    return v


def set_shv(ctx, p, value):
    ctx.shared.shv[p[0]] = 0 if value is None else value


def _vn_store(worker) -> dict:
    s = getattr(worker, "pv_vn", None)
    if s is None:
        s = {}
        worker.pv_vn = s
    return s


def get_vn(ctx, p):
    s = _vn_store(ctx.worker)
    if p[0] in s:
        return s[p[0]]
    return p[1]


def set_vn(ctx, p, value):
    _vn_store(ctx.worker)[p[0]] = value


# ---- AVPs ----------------------------------------------------------------------------------

def avp_key(inner: str, program):
    """The AVP store key of an $avp inner name (pv module avp_aliases applied)."""
    st = _pv_state(program)
    if st is not None and inner in st.avp_aliases:
        return st.avp_aliases[inner]
    try:
        n = pvspec.parse_avp_name(inner)
    except pvspec.PVSyntaxError as e:
        raise PVError(f"$avp: {e.message}") from None
    return n.name


def _fix_avp(spec, program):
    d = dyn_name(spec, program)
    key = d if d is not None else avp_key(spec.inner, program)
    return key, index_of(spec, program), program


def _avp_name(p, ctx):
    k = p[0]
    return avp_key(k(ctx), p[2]) if callable(k) else k


def get_avp(ctx, p):
    return A.avp_get(ctx.avps, _avp_name(p, ctx), eval_index(p[1], ctx))


def set_avp(ctx, p, value):
    A.avp_set(ctx.avps, _avp_name(p, ctx), value, p[1] == A.ALL)


def avp_count(ctx, p):
    return A.avp_count(ctx.avps, _avp_name(p, ctx))


# ---- XAVPs ---------------------------------------------------------------------------------

def parse_xname(text: str):
    """'root[i]=>field[j]' -> (root, rindex, field, findex); indexes None | int | '*'."""
    root, arrow, field = text.partition("=>")
    r, ri = _split_idx(root.strip())
    if not r:
        raise PVError(f"xavp: empty name in '{text}'")
    if not arrow:
        return r, ri, None, None
    f, fi = _split_idx(field.strip())
    if not f:
        raise PVError(f"xavp: empty field name in '{text}'")
    return r, ri, f, fi


def _split_idx(s: str):
    if not s.endswith("]") or "[" not in s:
        return s, None
    b = s.index("[")
    t = s[b + 1:-1].strip()
    if t == "*":
        return s[:b], A.ALL
    if not t.lstrip("-").isdigit():
        raise PVError(f"xavp: bad index [{t}]")
    return s[:b], int(t)


def _fix_xavp(spec, program):
    d = dyn_name(spec, program)
    if d is not None:
        return d
    return parse_xname(spec.inner)


def _xname(p, ctx):
    return parse_xname(p(ctx)) if callable(p) else p


def _xavps(ctx):
    return ctx.xavps


def xavu_store(ctx) -> dict:
    return ctx.mod_state.setdefault("pv.xavu", {})


def xavi_store(ctx) -> dict:
    return ctx.mod_state.setdefault("pv.xavi", {})


def _xavp_value(v):
    if isinstance(v, A.Record):
        return f"<<xavp:{id(v):#x}>>"
    return v


def _xgetter(store_of, lower=False):
    def get(ctx, p):
        r, ri, f, fi = _xname(p, ctx)
        if lower:
            r, f = r.lower(), (f.lower() if f else f)
        store = store_of(ctx)
        if ri == A.ALL or fi == A.ALL:
            return None if (ri == A.ALL and f is None) else _xavp_value(
                A.xavp_get(store, r, None if ri == A.ALL else ri, f, None))
        return _xavp_value(A.xavp_get(store, r, ri, f, fi))
    return get


def _xsetter(store_of, lower=False):
    def set_(ctx, p, value):
        r, ri, f, fi = _xname(p, ctx)
        if lower:
            r, f = r.lower(), (f.lower() if f else f)
        A.xavp_set(store_of(ctx), r, ri, f, fi, value)
    return set_


def get_xavu(ctx, p):
    r, ri, f, fi = _xname(p, ctx)
    return _xavp_value(A.xavp_get(xavu_store(ctx), r, None, f, None))


def set_xavu(ctx, p, value):
    r, ri, f, fi = _xname(p, ctx)
    A.xavu_set(xavu_store(ctx), r, f, value)


def xavp_count(ctx, p, store_of=_xavps):
    r, ri, f, fi = _xname(p, ctx)
    return A.xavp_count(store_of(ctx), r, None if ri == A.ALL else ri, f)


# ---- $cnt ------------------------------------------------------------------------------------

_XSTORES = {"xavp": _xavps, "xavi": xavi_store, "xavu": xavu_store}


def _fix_cnt(spec, program):
    from cfgvm.vm.pv import _resolve
    inner = spec.dyn
    if not isinstance(inner, pvspec.PVSpec):
        raise PVError("$cnt: the inner name must be an AVP, XAVP or header PV")
    ref = _resolve(inner, program, True)
    cls = inner.cls
    if cls == "avp":
        return lambda ctx: avp_count(ctx, ref.param)
    store = _XSTORES.get(cls)
    if store is not None:
        return lambda ctx: xavp_count(ctx, ref.param, store)
    raise PVError(f"$cnt: cannot count ${cls} (only $avp, $xavp, $xavu, $xavi)")


ROWS = [
    PVDef("var", get_var, set_var, inner=NEED, fixup=_fix_var),
    PVDef("vz", get_var, set_var, inner=NEED, fixup=_fix_var),
    PVDef("vn", get_vn, set_vn, inner=NEED, fixup=_fix_var),
    PVDef("shv", get_shv, set_shv, inner=NEED, fixup=_fix_shv),
    PVDef("avp", get_avp, set_avp, inner=NEED, fixup=_fix_avp, index=True),
    PVDef("xavp", _xgetter(_xavps), _xsetter(_xavps), inner=NEED, fixup=_fix_xavp),
    PVDef("xavu", get_xavu, set_xavu, inner=NEED, fixup=_fix_xavp),
    PVDef("xavi", _xgetter(xavi_store, True), _xsetter(xavi_store, True), inner=NEED,
          fixup=_fix_xavp),
    PVDef("cnt", get_call, inner=NEED, fixup=_fix_cnt),
]
