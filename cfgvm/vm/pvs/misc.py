"""The core PVs ($null $rc $def $env ...), the pv module's remaining ones ($_s $sel $stat $K
$version $ksr $true $sid $pp; $ccp and $err.* refused at run time) and tmx's placeholders."""
from __future__ import annotations

import os

from cfgvm.vm import pvspec
from cfgvm.vm.pv import PVDef, PVError, PVRuntimeError
from cfgvm.vm.pvs.common import KAMAILIO_VERSION, NEED, fix_inner, get_call, get_const
from cfgvm.vm.values import str_to_int, to_int

K_CONSTANTS = {"UDP": 1, "TCP": 2, "TLS": 3, "SCTP": 4, "WS": 5, "WSS": 6,
               "IPv4": 2, "IPv6": 10, "INET": 2, "INET6": 10, "IP4": 2, "IP6": 10}


# ---- core: $null $rc $def $env -------------------------------------------------------------

def get_null(ctx, p=None):
    return None


def get_rc(ctx, p=None):
    return ctx.rc


def _fix_def(spec, program):
    defines = getattr(program, "defines", None) or {}
    if spec.inner not in defines:
        return (None,)
    v = defines[spec.inner]
    return ("" if v is None else v,)


def get_def(ctx, p):
    return p[0]


def get_defn(ctx, p):
    return None if p[0] is None else str_to_int(p[0].strip())


def get_env(ctx, name):
    return os.environ.get(name)


def get_envn(ctx, name):
    v = os.environ.get(name)
    return None if v is None else str_to_int(v)


CORE_ROWS = [
    PVDef("null", get_null),
    PVDef("rc", get_rc), PVDef("retcode", get_rc), PVDef("?", get_rc),
    PVDef("def", get_def, inner=NEED, fixup=_fix_def),
    PVDef("defn", get_defn, inner=NEED, fixup=_fix_def),
    PVDef("env", get_env, inner=NEED, fixup=fix_inner),
    PVDef("envn", get_envn, inner=NEED, fixup=fix_inner),
]


# ---- $_s $sel $stat ----------------------------------------------------------------------------

def _fix__s(spec, program):
    from cfgvm.vm import fmt
    from cfgvm.vm.pv import _resolve
    try:
        f = fmt.parse(spec.inner)
    except pvspec.PVSyntaxError as e:
        raise PVError(f"$_s: {e.message}") from None
    for sub in f.pvs:
        _resolve(sub, program, True)
    return f


def get__s(ctx, f):
    from cfgvm.vm.pv import render
    return render(ctx, f)


def _fix_sel(spec, program):
    from cfgvm.vm import select
    try:
        return select.compile_select(spec.inner, program)
    except select.SelectError as e:
        raise PVError(f"$sel: {e}") from None


def _fix_stat(spec, program):
    """$stat(name) finds a statistic by its bare name: a counters script counter "plain" is found,
    one declared as "grp.name" is not (Kamailio logs null for $stat(grp.name)) [V]."""
    mods = getattr(program, "modules", None) or {}
    cnt = mods.get("counters")
    if cnt is not None:
        grp = cnt.params.get("script_cnt_grp_name") or "script"
        names = [n for n in cnt.params.get("script_counter") or () if isinstance(n, str)]
        if spec.inner in names and "." not in spec.inner:
            return f"{grp}.{spec.inner}"
    if "." in spec.inner:
        return None
    return spec.inner, "unknown"


def get_stat(ctx, key):
    if key is None:
        return None
    if isinstance(key, tuple):
        raise PVRuntimeError(f"$stat({key[0]}): core and module statistics are not implemented yet")
    return ctx.shared.modules.get("counters", {}).get(key, 0)


# ---- constants and process data ---------------------------------------------------------------

def _fix_K(spec, program):
    if spec.inner not in K_CONSTANTS:
        raise PVError(f"$K: unknown constant '{spec.inner}'")
    return K_CONSTANTS[spec.inner]


VERSION_ATTRS = {"num": KAMAILIO_VERSION, "full": f"kamailio {KAMAILIO_VERSION} (x86_64/linux)",
                 "hash": "cfgvm"}


def _fix_version(spec, program):
    if spec.inner not in VERSION_ATTRS:
        raise PVError("$version: attribute must be num, full or hash")
    return VERSION_ATTRS[spec.inner]


def _fix_ksr(spec, program):
    if spec.inner == "ver":
        return KAMAILIO_VERSION
    if spec.inner == "verval":
        return 0x050603
    raise PVError("$ksr: attribute must be ver or verval")


def get_sid(ctx, p=None):
    params = getattr(ctx.program, "params", None) or {}
    return to_int(params.get("server_id", 0))


def get_pp(ctx, p=None):
    return ctx.worker.pid


# ---- not implemented: a clear error at run time --------------------------------------------------

def get_err(ctx, p=None):
    raise PVRuntimeError("$err.* (error_route information) is not implemented yet")


def get_ccp(ctx, p):
    raise PVRuntimeError("$ccp (cfg framework variables) is not implemented yet")


def set_ccp(ctx, p, value):
    get_ccp(ctx, p)


def get_tm_pv(ctx, p=None):
    raise PVRuntimeError("tm is not implemented yet: $T_* pseudo-variables have no value")


ROWS = [
    PVDef("_s", get__s, inner=NEED, fixup=_fix__s),
    PVDef("sel", get_call, inner=NEED, fixup=_fix_sel),
    PVDef("stat", get_stat, inner=NEED, fixup=_fix_stat),
    PVDef("K", get_const, inner=NEED, fixup=_fix_K),
    PVDef("version", get_const, inner=NEED, fixup=_fix_version),
    PVDef("ksr", get_const, inner=NEED, fixup=_fix_ksr),
    PVDef("true", lambda ctx, p=None: 1),
    PVDef("sid", get_sid), PVDef("pp", get_pp),
    PVDef("ccp", get_ccp, set_ccp, inner=NEED, fixup=fix_inner),
    *(PVDef(f"err.{a}", get_err) for a in ("class", "level", "info", "rcode", "rreason")),
]

# tmx's PVs: they resolve when tmx is loaded and fail clearly at run time until tm exists.
TMX_ROWS = [PVDef(n, get_tm_pv) for n in (
    "T_branch_idx", "T_reply_code", "T_reply_reason", "T_reply_last", "T_reply_ruid",
    "T_reply_type", "T_branch_ruid")] + [
    PVDef(n, get_tm_pv, inner=NEED, fixup=fix_inner) for n in (
        "T_req", "T_rpl", "T_inv", "T", "T_branch")]
