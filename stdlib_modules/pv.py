"""The pv module (README.pv of 5.6): its PVs (cfgvm/vm/pvs/), transformations, functions and
modparams (shvset, varset, avp_aliases)."""
from __future__ import annotations

from dataclasses import dataclass, field

from cfgvm.exports import ANY_ROUTE, BRANCH_ROUTE, FAILURE_ROUTE, FMT, PVAR, PVSPEC, REQUEST_ROUTE, \
    SGP, STR, STR_PARAM, Function, Module, Param
from cfgvm.vm import avp as A
from cfgvm.vm.pvs import PV_MODULE_PVS
from cfgvm.vm.pvs.branch import sbranch_of
from cfgvm.vm.pvs.transport import set_fs
from cfgvm.vm.pvs.uri import set_du, set_ru
from cfgvm.vm.pvs.vars import xavi_store, xavu_store
from cfgvm.vm.values import to_int, to_str
from cfgvm.stdlib._common import ModuleError

L_INFO = 2


@dataclass
class PvState:
    shvset: dict = field(default_factory=dict)       # initial $shv values
    varset: dict = field(default_factory=dict)       # initial $var values (per worker)
    avp_aliases: dict = field(default_factory=dict)  # alias -> AVP name (int or str)


def _state(mod) -> PvState:
    if mod.state is None:
        mod.state = PvState()
    return mod.state


def _typed_value(text: str, param: str):
    """'name=i:5' / 'name=s:text' -> (name, value); ValueError naming the problem."""
    name, eq, rest = text.partition("=")
    name = name.strip()
    if not eq or not name or len(rest) < 2 or rest[1] != ":" or rest[0] not in "iIsS":
        raise ValueError(f"pv: bad {param} value '{text}' (expected name=i:INT or name=s:TEXT)")
    if rest[0] in "iI":
        v = rest[2:].strip()
        if not v.lstrip("+-").isdigit():
            raise ValueError(f"pv: bad {param} integer in '{text}'")
        return name, int(v)
    return name, rest[2:]


def _set_shvset(mod, value):
    k, v = _typed_value(to_str(value), "shvset")
    _state(mod).shvset[k] = v


def _set_varset(mod, value):
    k, v = _typed_value(to_str(value), "varset")
    _state(mod).varset[k] = v


def _set_avp_aliases(mod, value):
    """'email=s:email_addr;tmp=i:100' (add_avp_galias_str)."""
    from cfgvm.vm.pvspec import parse_avp_name
    for item in to_str(value).split(";"):
        item = item.strip()
        if not item:
            continue
        alias, eq, name = item.partition("=")
        if not eq or not alias.strip() or not name.strip():
            raise ValueError(f"pv: bad avp_aliases item '{item}' (expected alias=[s:|i:]name)")
        _state(mod).avp_aliases[alias.strip()] = parse_avp_name(name.strip()).name


def init(mod):
    _state(mod)


def child_init(mod, worker):
    """varset values are the initial $var values of every worker (read lazily by $var too)."""
    for k, v in _state(mod).varset.items():
        worker.vars.setdefault(k, v)


# ---- functions ------------------------------------------------------------------------------

# PVs whose value Kamailio flags as "string with an int" (PV_VAL_INT set): is_int() is true for them
STR_INT_CLASSES = frozenset(("rp", "op", "rm", "pr", "proto", "Tf", "TF"))


def pv_isset(ctx, mod, ref):
    v = ref.get(ctx)
    return 1 if v is not None and v != "" else -1


def pv_unset(ctx, mod, ref):
    ref.set(ctx, None)
    return 1


def is_int(ctx, mod, ref):
    v = ref.get(ctx)
    if isinstance(v, int) or (v is not None and ref.spec.cls in STR_INT_CLASSES and not ref.spec.trans):
        return 1
    return -1


def typeof(ctx, mod, ref, vtype):
    v = ref.get(ctx)
    t = vtype[:1].lower()
    if t == "i":
        return 1 if isinstance(v, int) else -1
    if t == "n":
        return 1 if v is None else -1
    if t == "s":
        return 1 if isinstance(v, str) else -1
    return -1


def not_empty(ctx, mod, ref):
    v = ref.get(ctx)
    return 1 if isinstance(v, str) and v else -1


def _copy_entry(e):
    if isinstance(e, A.Record):
        return A.Record({k: list(v) for k, v in e.items()})
    return e


def xavp_copy(ctx, mod, src, sidx, dst):
    e = A._pick(ctx.xavps.get(src), to_int(sidx))
    if e is None:
        return -1
    ctx.xavps.setdefault(dst, []).append(_copy_entry(e))   # appended at the end of the stack
    return 1


def xavp_copy_at(ctx, mod, src, sidx, dst, didx):
    e = A._pick(ctx.xavps.get(src), to_int(sidx))
    lst = ctx.xavps.get(dst)
    i = to_int(didx)
    if e is None or not lst or not 0 <= i < len(lst):
        return -1
    lst[i] = _copy_entry(e)
    return 1


def _params_record(text: str) -> A.Record:
    rec = A.Record()
    for item in text.split(";"):
        item = item.strip(" \t\r\n")
        if not item:
            continue
        k, _, v = item.partition("=")
        rec.setdefault(k.strip(" \t\r\n"), []).insert(0, v.strip(" \t\r\n"))
    return rec


def xavp_params_explode(ctx, mod, params, xname):
    rec = _params_record(params)
    if not rec:
        return -1
    ctx.xavps.setdefault(xname, []).insert(0, rec)
    return 1


def xavu_params_explode(ctx, mod, params, xname):
    rec = _params_record(params)
    if not rec:
        return -1
    store = xavu_store(ctx)
    for k, vals in rec.items():
        A.xavu_set(store, xname, k, vals[0])
    return 1


def _implode(rec) -> str:
    out = []
    for k, vals in reversed(list(rec.items())):
        for v in vals:
            out.append(f"{k}={v & 0xFFFFFFFF if isinstance(v, int) else v};")
    return "".join(out)


def _out_ref(ctx, name):
    from cfgvm.vm.pv import resolve_pv
    from cfgvm.vm.pvspec import parse
    return resolve_pv(parse(name), ctx.program)


def xavp_params_implode(ctx, mod, xname, pvname):
    e = A._pick(ctx.xavps.get(xname), None)
    if not isinstance(e, A.Record):
        return -1
    _out_ref(ctx, pvname).set(ctx, _implode(e))
    return 1


def xavu_params_implode(ctx, mod, xname, pvname):
    e = A._pick(xavu_store(ctx).get(xname), None)
    if not isinstance(e, A.Record):
        return -1
    _out_ref(ctx, pvname).set(ctx, _implode(e))
    return 1


def xavp_slist_explode(ctx, mod, slist, sep, mode, xname):
    toks, cur = [], []
    for c in slist:
        if c in sep:
            toks.append("".join(cur))
            cur = []
        else:
            cur.append(c)
    toks.append("".join(cur))
    if "t" in mode:
        toks = [t.strip(" \t\r\n") for t in toks]
    toks = [t for t in toks if t]
    if not toks:
        return -1
    ctx.xavps.setdefault(xname, []).insert(0, A.Record({"v": toks}))   # v[0] is the first token
    return 1


def _child_set(store_of, lower, as_int):
    def f(ctx, mod, rname, cname, val):
        if lower:
            rname, cname = rname.lower(), cname.lower()
        store = store_of(ctx)
        v = to_int(val) if as_int else to_str(val)
        roots = store.get(rname)
        if roots and isinstance(roots[0], A.Record):
            roots[0].setdefault(cname, []).insert(0, v)
        else:
            store.setdefault(rname, []).insert(0, A.Record({cname: [v]}))
        return 1
    return f


def _rm(store_of, lower):
    def f(ctx, mod, rname):
        store_of(ctx).pop(rname.lower() if lower else rname, None)
        return 1
    return f


def _child_rm(store_of, lower):
    def f(ctx, mod, rname, cname):
        if lower:
            rname, cname = rname.lower(), cname.lower()
        roots = store_of(ctx).get(rname)
        if roots and isinstance(roots[0], A.Record):
            roots[0].pop(cname, None)
        return 1
    return f


def _xavps(ctx):
    return ctx.xavps


def _sbranch_fields(ctx):
    sb = sbranch_of(ctx)
    if not sb.get("uri"):
        return None
    return sb


def sbranch_set_ruri(ctx, mod):
    sb = _sbranch_fields(ctx)
    if sb is None or ctx.msg is None or not ctx.msg.is_request:
        return -1
    set_ru(ctx, None, sb["uri"])
    if sb.get("dst_uri"):
        set_du(ctx, None, sb["dst_uri"])
    if sb.get("send_socket"):
        set_fs(ctx, None, sb["send_socket"])
    if "flags" in sb:
        ctx.bflags = to_int(sb["flags"]) & 0xFFFFFFFF
    if sb.get("path"):
        raise ModuleError("sbranch_set_ruri(): setting the R-URI path is not implemented yet")
    return 1


def sbranch_append(ctx, mod):
    raise ModuleError("sbranch_append(): appending branches needs corex's branch model "
                              "(not wired to the pv module yet)")


def sbranch_reset(ctx, mod):
    sbranch_of(ctx).clear()
    return 1


def _print(title, store_of):
    def f(ctx, mod):
        for line in A.xavp_print(store_of(ctx), title):
            ctx.log(L_INFO, line)
        return 1
    return f


def pv_var_to_xavp(ctx, mod, varname, xname):
    vars_ = ctx.worker.vars
    if varname == "*":
        items = list(vars_.items())
    elif varname in vars_:
        items = [(varname, vars_[varname])]
    else:
        return -1
    ctx.xavps.pop(xname, None)
    rec = A.Record()
    for k, v in items:
        rec.setdefault(k, []).insert(0, v)
    ctx.xavps[xname] = [rec]
    return 1


def pv_xavp_to_var(ctx, mod, xname):
    e = A._pick(ctx.xavps.get(xname), None)
    if not isinstance(e, A.Record):
        return -1
    for k, vals in e.items():
        if vals:
            ctx.worker.vars[k] = vals[0]
    return 1


def pv_evalx(ctx, mod, ref, text):
    """The format is rendered (FMT argument), then the result is evaluated again as a format."""
    from cfgvm.vm import fmt
    from cfgvm.vm.pv import check_format, render
    from cfgvm.diagnostics import CfgError
    from cfgvm.vm.pvspec import PVSyntaxError
    try:
        f = fmt.parse(text)
        check_format(f, ctx.program)
    except (PVSyntaxError, CfgError) as e:      # a bad second round fails the call, as in C
        ctx.log(-1, f"pv_evalx(): cannot eval reparsed value of second parameter: {e}")
        return -1
    ref.set(ctx, render(ctx, f))
    return 1


def _trans():
    from cfgvm.vm.transformations import MODULE_OF, classes
    return {name: table for name, table in classes().items() if MODULE_OF.get(name) == "pv"}


_RBF = REQUEST_ROUTE | BRANCH_ROUTE | FAILURE_ROUTE
_XU = xavu_store
_XI = xavi_store

EXPORTS = Module(
    name="pv",
    params=[
        Param("shvset", STR_PARAM, None, multi=True, setter=_set_shvset),
        Param("varset", STR_PARAM, None, multi=True, setter=_set_varset),
        Param("avp_aliases", STR_PARAM, None, multi=True, setter=_set_avp_aliases),
    ],
    functions=[
        Function("pv_isset", pv_isset, (PVSPEC,), ANY_ROUTE),
        Function("pv_unset", pv_unset, (PVAR,), ANY_ROUTE),
        Function("is_int", is_int, (PVSPEC,), ANY_ROUTE),
        Function("typeof", typeof, (PVSPEC, STR), ANY_ROUTE),
        Function("not_empty", not_empty, (PVSPEC,), ANY_ROUTE),
        Function("xavp_copy", xavp_copy, (SGP, SGP, SGP), ANY_ROUTE),
        Function("xavp_copy", xavp_copy_at, (SGP, SGP, SGP, SGP), ANY_ROUTE),
        Function("xavp_params_explode", xavp_params_explode, (SGP, SGP), ANY_ROUTE),
        Function("xavp_params_implode", xavp_params_implode, (STR, STR), ANY_ROUTE),
        Function("xavu_params_explode", xavu_params_explode, (SGP, SGP), ANY_ROUTE),
        Function("xavu_params_implode", xavu_params_implode, (STR, STR), ANY_ROUTE),
        Function("xavp_slist_explode", xavp_slist_explode, (SGP, SGP, SGP, SGP), ANY_ROUTE),
        Function("xavp_child_seti", _child_set(_xavps, False, True), (SGP, SGP, SGP), ANY_ROUTE),
        Function("xavi_child_seti", _child_set(_XI, True, True), (SGP, SGP, SGP), ANY_ROUTE),
        Function("xavp_child_sets", _child_set(_xavps, False, False), (SGP, SGP, SGP), ANY_ROUTE),
        Function("xavi_child_sets", _child_set(_XI, True, False), (SGP, SGP, SGP), ANY_ROUTE),
        Function("xavp_rm", _rm(_xavps, False), (SGP,), ANY_ROUTE),
        Function("xavi_rm", _rm(_XI, True), (SGP,), ANY_ROUTE),
        Function("xavp_child_rm", _child_rm(_xavps, False), (SGP, SGP), ANY_ROUTE),
        Function("xavi_child_rm", _child_rm(_XI, True), (SGP, SGP), ANY_ROUTE),
        Function("sbranch_set_ruri", sbranch_set_ruri, (), _RBF),
        Function("sbranch_append", sbranch_append, (), _RBF),
        Function("sbranch_reset", sbranch_reset, (), _RBF),
        Function("pv_xavp_print", _print("XAVP", _xavps), (), ANY_ROUTE),
        Function("pv_xavu_print", _print("XAVU", _XU), (), ANY_ROUTE),
        Function("pv_xavi_print", _print("XAVI", _XI), (), ANY_ROUTE),
        Function("pv_var_to_xavp", pv_var_to_xavp, (SGP, SGP), ANY_ROUTE),
        Function("pv_xavp_to_var", pv_xavp_to_var, (SGP,), ANY_ROUTE),
        Function("pv_evalx", pv_evalx, (PVAR, FMT), ANY_ROUTE),
    ],
    pvs=list(PV_MODULE_PVS),
    transformations=_trans(),
    rpc={},
    init=init,
    child_init=child_init,
)
