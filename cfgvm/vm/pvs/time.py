"""Time PVs, read from ctx.clock (never the wall clock): $Ts/$Tf (the message's time, cached per
message), $TS/$TF (now), $Tb (start), $TV(attr), $time/$utime(attr), $timef/$utimef(format)."""
from __future__ import annotations

import time as _time

from cfgvm.vm.pv import PVDef, PVError, PVRuntimeError
from cfgvm.vm.pvs.common import NEED, get_call


def msg_time(ctx) -> float:
    """The message's time, read once per message (Kamailio caches it per message)."""
    t = ctx.mod_state.get("pv.time")
    if t is None:
        t = ctx.clock()
        ctx.mod_state["pv.time"] = t
    return t


def get_Ts(ctx, p=None):
    return int(msg_time(ctx))


def get_TS(ctx, p=None):
    return int(ctx.clock())


def _ctime(t):
    return _time.strftime("%a %b %e %H:%M:%S %Y", _time.localtime(t))


def get_Tf(ctx, p=None):
    return _ctime(int(msg_time(ctx)))


def get_TF(ctx, p=None):
    return _ctime(int(ctx.clock()))


def get_Tb(ctx, p=None):
    t = getattr(ctx.program, "start_time", None)
    if t is None:
        raise PVRuntimeError("$Tb: the program has no start_time")
    return int(t)


def _tv(attr):
    def f(ctx):
        t = msg_time(ctx) if attr in ("s", "u") else ctx.clock()
        s, us = int(t), int(round((t - int(t)) * 1e6)) % 1000000
        if attr in ("s", "sn"):
            return s
        if attr in ("u", "un"):
            return us
        if attr == "Sn":
            return f"{s}.{us:06d}"
        if attr == "Fn":
            return _time.strftime("%Y-%m-%d %H:%M:%S", _time.localtime(s)) + f".{us:06d}"
        return s * 1000 + us // 1000            # Sm: milliseconds
    return f


def _fix_TV(spec, program):
    if spec.inner not in ("s", "u", "sn", "un", "Sn", "Fn", "Sm"):
        raise PVError("$TV: attribute must be s u sn un Sn Fn Sm")
    return _tv(spec.inner)


TIME_ATTRS = {"sec": lambda t: t.tm_sec, "min": lambda t: t.tm_min, "hour": lambda t: t.tm_hour,
              "mday": lambda t: t.tm_mday, "mon": lambda t: t.tm_mon, "year": lambda t: t.tm_year,
              "wday": lambda t: (t.tm_wday + 1) % 7 + 1, "yday": lambda t: t.tm_yday,
              "isdst": lambda t: t.tm_isdst}


def _fix_time(spec, program):
    f = TIME_ATTRS.get(spec.inner)
    if f is None:
        raise PVError(f"${spec.cls}: unknown attribute '{spec.inner}'")
    conv = _time.gmtime if spec.cls == "utime" else _time.localtime
    return lambda ctx: f(conv(int(msg_time(ctx))))


def _fix_timef(spec, program):
    conv = _time.gmtime if spec.cls == "utimef" else _time.localtime
    fmt_ = spec.inner
    return lambda ctx: _time.strftime(fmt_, conv(int(msg_time(ctx))))


ROWS = [
    PVDef("Ts", get_Ts), PVDef("TS", get_TS), PVDef("Tf", get_Tf), PVDef("TF", get_TF),
    PVDef("Tb", get_Tb),
    PVDef("TV", get_call, inner=NEED, fixup=_fix_TV),
    PVDef("time", get_call, inner=NEED, fixup=_fix_time),
    PVDef("utime", get_call, inner=NEED, fixup=_fix_time),
    PVDef("timef", get_call, inner=NEED, fixup=_fix_timef),
    PVDef("utimef", get_call, inner=NEED, fixup=_fix_timef),
]
