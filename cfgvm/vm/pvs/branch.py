"""Branches: $br/$bR/$ds, $branch(attr)[i] over the context's branches, the static $sbranch(attr),
and registrar's $ruid/$location_ua."""
from __future__ import annotations

from cfgvm import exports as X
from cfgvm.vm import avp as A
from cfgvm.vm.pv import PVDef, PVError, PVRuntimeError, eval_index, index_of
from cfgvm.vm.pvs.common import L_ERR, NEED
from cfgvm.vm.values import to_int


def _branch_uris(ctx):
    return [u for u in (getattr(b, "uri", None) for b in ctx.branches) if u]


def get_br(ctx, p=None):
    if ctx.route_type & X.BRANCH_ROUTE:
        raise PVRuntimeError("$br in branch_route needs tm (not implemented yet)")
    return None


def set_br(ctx, p, value):
    raise PVRuntimeError("$br: writing the branch URI needs tm (not implemented yet)")


def get_bR(ctx, p=None):
    uris = _branch_uris(ctx)
    return ",".join(uris) if uris else None


def get_ds(ctx, p=None):
    uris = _branch_uris(ctx)
    return ", ".join(f"<{u}>" for u in uris) if uris else None


BRANCH_ATTRS = ("uri", "dst_uri", "path", "q", "send_socket", "count", "flags", "ruid",
                "location_ua", "otcpid", "instance")


def _fix_branch(spec, program):
    if spec.inner not in BRANCH_ATTRS:
        raise PVError(f"$branch: unknown attribute '{spec.inner}'")
    return spec.inner, index_of(spec, program)


def get_branch(ctx, p):
    attr, idx = p
    if attr == "count":
        return len(ctx.branches)
    i = eval_index(idx, ctx) or 0
    if i == A.ALL or not 0 <= i < len(ctx.branches):
        return None
    b = ctx.branches[i]
    if attr == "flags":
        return getattr(b, "bflags", 0)
    v = getattr(b, attr, None)
    return v if v is None or isinstance(v, (int, str)) else str(v)


def set_branch(ctx, p, value):
    attr, idx = p
    i = eval_index(idx, ctx) or 0
    if not isinstance(i, int) or not 0 <= i < len(ctx.branches) or attr == "count":
        ctx.log(L_ERR, f"pv_set_branchx(): no branch {i} to set {attr}")
        return
    setattr(ctx.branches[i], "bflags" if attr == "flags" else attr,
            to_int(value) if attr == "flags" else value)


def _fix_sbranch(spec, program):
    if spec.inner not in BRANCH_ATTRS or spec.inner == "count":
        raise PVError(f"$sbranch: unknown attribute '{spec.inner}'")
    return spec.inner


def sbranch_of(ctx) -> dict:
    """The static branch: per worker process in Kamailio (pv_branch.c's _pv_sbranch)."""
    sb = getattr(ctx.worker, "pv_sbranch", None)
    if sb is None:
        sb = {}
        ctx.worker.pv_sbranch = sb
    return sb


def get_sbranch(ctx, attr):
    return sbranch_of(ctx).get(attr)


def set_sbranch(ctx, attr, value):
    sb = sbranch_of(ctx)
    if value is None:
        sb.pop(attr, None)
    else:
        sb[attr] = to_int(value) if attr == "flags" else value


def get_registrar_result(ctx, p=None):
    """$ruid / $location_ua: set by registrar's lookup(); null until then (registrar absent)."""
    return None


ROWS = [
    PVDef("br", get_br, set_br), PVDef("bR", get_bR), PVDef("ds", get_ds),
    PVDef("branch", get_branch, set_branch, inner=NEED, fixup=_fix_branch, index=True),
    PVDef("sbranch", get_sbranch, set_sbranch, inner=NEED, fixup=_fix_sbranch),
    PVDef("ruid", get_registrar_result), PVDef("location_ua", get_registrar_result),
]
